/* bench/validate: `falco-apid -V RULES` as a whole process, the way a user
 * or a CI job runs it: exec, load, compile, print the verdict, tear down,
 * exit. Prints one line per rules file: the median, min and max wall time
 * of N runs (after one unmeasured warm-up run that fills the page cache),
 * the median user and system CPU, and the peak RSS of the last run.
 *
 * usage: validate_bench FALCO_APID RULES... [--runs N]
 * An empty rules file is a good first RULES: the cost of the process
 * without rules. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_args.h"

static double validate_bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int validate_bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double validate_bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), validate_bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One run; returns 0 with the wall time and the child's usage, or -1. */
static int validate_bench_run(const char *bin, const char *rules, double *wall, struct rusage *ru)
{
	fflush(stdout); /* or the child would write our buffered lines again */
	double t0 = validate_bench_now();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* the verdict and any warning go nowhere: only time is measured */
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(127);
		execl(bin, bin, "-V", rules, (char *)NULL);
		_exit(127);
	}
	int st;
	if (wait4(pid, &st, 0, ru) != pid)
		return -1;
	*wall = validate_bench_now() - t0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "validate_bench: %s -V %s exited with status %d\n", bin, rules,
			WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return 0;
}

static double validate_bench_secs(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	int runs = 21;
	const char *bin = NULL;
	const char *rules[16];
	int nrules = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			if (bench_parse_int("validate_bench", argv[++i], "--runs", 1, 1000, &runs) < 0)
				return 2;
		} else if (!bin) {
			bin = argv[i];
		} else if (nrules < 16) {
			rules[nrules++] = argv[i];
		}
	}
	if (!bin || !nrules) {
		fprintf(stderr, "usage: validate_bench FALCO_APID RULES... [--runs N]\n");
		return 2;
	}
	double *wall = calloc((size_t)runs, sizeof(*wall)), *user = calloc((size_t)runs, sizeof(*user)),
	       *sys = calloc((size_t)runs, sizeof(*sys));
	if (!wall || !user || !sys)
		return 1;
	for (int r = 0; r < nrules; r++) {
		struct rusage ru;
		double w;
		if (validate_bench_run(bin, rules[r], &w, &ru) < 0)
			return 1;
		for (int i = 0; i < runs; i++) {
			if (validate_bench_run(bin, rules[r], &wall[i], &ru) < 0)
				return 1;
			user[i] = validate_bench_secs(ru.ru_utime);
			sys[i] = validate_bench_secs(ru.ru_stime);
		}
		double lo = wall[0], hi = wall[0];
		for (int i = 1; i < runs; i++) {
			lo = wall[i] < lo ? wall[i] : lo;
			hi = wall[i] > hi ? wall[i] : hi;
		}
		printf("validate rules=%s runs=%d median_ms=%.1f min_ms=%.1f max_ms=%.1f user_ms=%.1f sys_ms=%.1f "
		       "peak_rss_mb=%.1f\n",
		       rules[r], runs, validate_bench_median(wall, runs) * 1e3, lo * 1e3, hi * 1e3,
		       validate_bench_median(user, runs) * 1e3, validate_bench_median(sys, runs) * 1e3,
		       (double)ru.ru_maxrss / 1024.0);
	}
	free(wall);
	free(user);
	free(sys);
	return 0;
}
