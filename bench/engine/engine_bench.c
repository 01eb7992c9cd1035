/* bench/engine: how fast the engine loads Falco's rules and how close its
 * replay comes to libsinsp's own read rate.
 *
 *   engine_bench RULES.yaml CAPTURE.scap [CAPTURE.scap ...] [--runs N]
 *
 * 1. rules load + compile time of RULES (median of 20) and peak RSS;
 * 2. for each capture: libsinsp's raw read rate (next() only, no rules) and
 *    the engine's replay rate with the rules, median of N runs each, and
 *    their ratio. Alerts are counted, not printed. */

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/compile/rules_compile.h"
#include "engine/rules/rules_doc.h"
#include "engine/ruleset/ruleset.h"
#include "engine/backends/backend_registry.h"
#include "engine/backends/syscall/sinsp_bridge.h"

static double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One load + compile + index build of the rules against existing
 * backends. */
static int bench_load(const char *rules, const backend_registry *reg, double *secs, size_t *nrules)
{
	char err[2048];
	double t0 = bench_now();
	rules_doc_options o;
	rules_doc_options_init(&o);
	rules_doc *doc = rules_doc_new(&o);
	if (!doc || rules_doc_load_file(doc, rules, err, sizeof(err)) != RULES_OK) {
		fprintf(stderr, "engine_bench: %s\n", err);
		rules_doc_free(doc);
		return -1;
	}
	compiled_rules *cr = NULL;
	rules_compile_opts copts = {0};
	if (rules_compile(doc, reg, &copts, &cr, err, sizeof(err)) < 0) {
		fprintf(stderr, "engine_bench: %s\n", err);
		rules_doc_free(doc);
		return -1;
	}
	*nrules = cr->n;
	/* The index with its per-event-type foldings is part of loading. */
	ruleset *rs = ruleset_new(cr, NULL);
	*secs = bench_now() - t0;
	ruleset_free(rs);
	rules_doc_free(doc);
	return rs ? 0 : -1;
}

static int bench_replay(const char *rules, const char *capture, double *eps, uint64_t *events, uint64_t *alerts)
{
	const char *paths[] = {rules};
	engine_opts o = {
		.rules_paths = paths,
		.nrules_paths = 1,
		.min_priority = 7,
		.stdout_output = false,
	};
	engine *e = NULL;
	char err[2048];
	if (engine_create(&e, &o, err, sizeof(err)) < 0 || engine_open_capture(e, capture, 1, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "engine_bench: %s\n", err);
		engine_free(e);
		return -1;
	}
	atomic_bool stop = false;
	double t0 = bench_now();
	int rc = engine_run(e, &stop, err, sizeof(err));
	double dt = bench_now() - t0;
	engine_stats st;
	engine_get_stats(e, &st);
	engine_free(e);
	if (rc < 0) {
		fprintf(stderr, "engine_bench: %s\n", err);
		return -1;
	}
	*events = st.events;
	*alerts = st.alerts;
	*eps = (double)st.events / dt;
	return 0;
}

int main(int argc, char **argv)
{
	int runs = 5;
	const char *rules = NULL;
	const char *captures[16];
	int ncaptures = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!rules)
			rules = argv[i];
		else if (ncaptures < 16)
			captures[ncaptures++] = argv[i];
	}
	if (!rules || runs < 1) {
		fprintf(stderr, "usage: engine_bench RULES.yaml CAPTURE.scap... [--runs N]\n");
		return 2;
	}
	char berr[512];
	backend_opts bo = {0};
	backend_registry *reg = backend_registry_new();
	if (!reg || backend_registry_add_builtins(reg, &bo, NULL, 0, berr, sizeof(berr)) != BACKEND_OK) {
		fprintf(stderr, "engine_bench: %s\n", reg ? berr : "out of memory");
		backend_registry_free(reg);
		return 1;
	}
	double loads[20];
	size_t nrules = 0;
	for (int i = 0; i < 20; i++) {
		if (bench_load(rules, reg, &loads[i], &nrules) < 0)
			return 1;
	}
	backend_registry_free(reg);
	sinsp_bridge_error be = {{0}};
	double lmin = loads[0], lmax = loads[0];
	for (int i = 1; i < 20; i++) {
		lmin = loads[i] < lmin ? loads[i] : lmin;
		lmax = loads[i] > lmax ? loads[i] : lmax;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("load rules=%s compiled=%zu median_ms=%.2f min_ms=%.2f max_ms=%.2f peak_rss_mb=%.1f\n", rules, nrules,
	       bench_median(loads, 20) * 1e3, lmin * 1e3, lmax * 1e3, (double)ru.ru_maxrss / 1024.0);

	for (int c = 0; c < ncaptures; c++) {
		double raw[32], eng[32];
		uint64_t events = 0, alerts = 0;
		int n = runs > 32 ? 32 : runs;
		for (int r = 0; r < n; r++) {
			sinsp_bridge_read_rate rr;
			if (sinsp_bridge_measure_read_rate(captures[c], 0, 0, &rr, &be) != SINSP_BRIDGE_OK) {
				fprintf(stderr, "engine_bench: %s\n", be.msg);
				return 1;
			}
			raw[r] = rr.events_per_sec;
			if (bench_replay(rules, captures[c], &eng[r], &events, &alerts) < 0)
				return 1;
		}
		double rawm = bench_median(raw, n), engm = bench_median(eng, n);
		printf("replay capture=%s events=%llu alerts=%llu raw_eps=%.0f (min %.0f max %.0f) engine_eps=%.0f "
		       "(min %.0f max %.0f) ratio=%.1f%%\n",
		       captures[c], (unsigned long long)events, (unsigned long long)alerts, rawm, raw[0], raw[n - 1], engm,
		       eng[0], eng[n - 1], 100.0 * engm / rawm);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak_rss_mb=%.1f\n", (double)ru.ru_maxrss / 1024.0);
	return 0;
}
