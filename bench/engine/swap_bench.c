/* bench/engine: the cost of swapping rules while the engine replays.
 *
 *   swap_bench RULES.yaml CAPTURE.scap [--runs N] [--seconds S]
 *
 * The engine replays CAPTURE in a loop at full speed with RULES loaded.
 * 1. apply to active: engine_apply(RULES) timed from the call until the new
 *    generation evaluates events (the call returns after the swap), N times;
 * 2. replay rate over S seconds with no swap, then with engine_apply(RULES)
 *    every second, N runs each, alternated. Medians and min-max.
 * With 1, how long each apply held the engine thread (compile and swap,
 * engine_stats.swap_hold_ns) and the free of the replaced set it did after
 * (swap_free_ns): the cost a swap takes out of the replay, which a wall
 * clock rate on a shared machine cannot show to a few per cent. */

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"

static double swap_bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int swap_bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void swap_bench_report(const char *what, double *v, int n, double scale, const char *unit)
{
	qsort(v, (size_t)n, sizeof(*v), swap_bench_cmp);
	double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("%-40s median %.1f %s (%.1f-%.1f), %d runs\n", what, med * scale, unit, v[0] * scale,
	       v[n - 1] * scale, n);
}

static int swap_bench_apply(engine *e, const char *rules, uint64_t *gen)
{
	engine_document d = {.name = rules};
	engine_diags diags;
	int rc = engine_apply(e, &d, 1, gen, &diags);
	for (size_t i = 0; rc < 0 && i < diags.n; i++)
		fprintf(stderr, "swap_bench: %s\n", diags.items[i].message);
	engine_diags_free(&diags);
	return rc;
}

static void swap_bench_sleep(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
	nanosleep(&ts, NULL);
}

static engine_stats swap_bench_stats(engine *e)
{
	engine_stats st;
	engine_get_stats(e, &st);
	return st;
}

static uint64_t swap_bench_events(engine *e)
{
	engine_stats st;
	engine_get_stats(e, &st);
	return st.events;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: swap_bench RULES.yaml CAPTURE.scap [--runs N] [--seconds S]\n");
		return 2;
	}
	int runs = 5;
	double seconds = 5;
	for (int i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--runs") == 0)
			runs = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = atof(argv[i + 1]);
	}
	if (runs < 1 || runs > 100 || seconds <= 0) {
		fprintf(stderr, "swap_bench: bad --runs or --seconds\n");
		return 2;
	}
	const char *paths[] = {argv[1]};
	engine_opts o = {.rules_paths = paths, .nrules_paths = 1, .min_priority = 7};
	engine *e = NULL;
	char err[2048];
	if (engine_create(&e, &o, err, sizeof(err)) < 0 ||
	    engine_open_capture(e, argv[2], 0, 0, err, sizeof(err)) < 0 || engine_start(e, NULL, NULL) < 0) {
		fprintf(stderr, "swap_bench: %s\n", err);
		engine_free(e);
		return 1;
	}
	swap_bench_sleep(0.5);
	double *lat = calloc((size_t)runs, sizeof(double)), *none = calloc((size_t)runs, sizeof(double)),
	       *swapping = calloc((size_t)runs, sizeof(double)), *hold = calloc((size_t)runs, sizeof(double)),
	       *freed = calloc((size_t)runs, sizeof(double));
	int rc = 0;
	uint64_t gen = 0;
	for (int r = 0; r < runs && rc == 0; r++) {
		engine_stats s0 = swap_bench_stats(e);
		uint64_t before = s0.events;
		double t0 = swap_bench_now();
		rc = swap_bench_apply(e, argv[1], &gen);
		lat[r] = swap_bench_now() - t0;
		/* Active means evaluating: events keep flowing after the swap. */
		while (rc == 0 && swap_bench_events(e) == before)
			swap_bench_sleep(0.001);
		swap_bench_sleep(0.2);
		engine_stats s1 = swap_bench_stats(e);
		hold[r] = (double)(s1.swap_hold_ns - s0.swap_hold_ns) / 1e9;
		freed[r] = (double)(s1.swap_free_ns - s0.swap_free_ns) / 1e9;
	}
	for (int r = 0; r < runs && rc == 0; r++) {
		uint64_t n0 = swap_bench_events(e);
		double t0 = swap_bench_now();
		swap_bench_sleep(seconds);
		none[r] = (double)(swap_bench_events(e) - n0) / (swap_bench_now() - t0);
		n0 = swap_bench_events(e);
		t0 = swap_bench_now();
		for (double next = t0 + 1; rc == 0 && swap_bench_now() - t0 < seconds; next += 1) {
			double now = swap_bench_now();
			if (next > now)
				swap_bench_sleep(next - now);
			if (swap_bench_now() - t0 < seconds)
				rc = swap_bench_apply(e, argv[1], &gen);
		}
		swapping[r] = (double)(swap_bench_events(e) - n0) / (swap_bench_now() - t0);
	}
	engine_stop(e);
	if (rc == 0) {
		printf("rules %s, capture %s, generation %llu at the end\n", argv[1], argv[2], (unsigned long long)gen);
		swap_bench_report("apply to active", lat, runs, 1e3, "ms");
		swap_bench_report("engine thread held (compile, swap)", hold, runs, 1e3, "ms");
		swap_bench_report("engine thread, free of the old set", freed, runs, 1e3, "ms");
		swap_bench_report("replay, no swap", none, runs, 1, "events/s");
		swap_bench_report("replay, a swap every second", swapping, runs, 1, "events/s");
	}
	free(lat);
	free(none);
	free(swapping);
	free(hold);
	free(freed);
	engine_free(e);
	return rc == 0 ? 0 : 1;
}
