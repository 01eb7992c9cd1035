/* bench/config: a hot configuration change while the engine replays.
 *
 *   config_bench RULES.yaml CAPTURE.scap [--sets N] [--interval-ms MS] [--runs R] [--seconds S]
 *
 * The daemon's own path, without gRPC: config_live (the overlay written
 * crash-safely at each set), daemon_settings (the hook that applies hot keys
 * on the engine thread between two events) and the host function
 * config_set, with the engine replaying CAPTURE in a loop at full speed.
 * 1. call to effect: N config_set calls of a hot key
 *    (json_include_tags_property, alternately false and true), one every
 *    MS ms, each timed from the call until it returns, which is once the
 *    engine thread runs with the new value; p50, p99, max;
 * 2. the replay rate over S seconds with no set, then with a set every MS
 *    ms, alternated R times; medians and min-max. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_hist.h"
#include "config/config_live.h"
#include "daemon/daemon_settings.h"
#include "daemon/engine_config.h"
#include "daemon/rules_ctl.h"
#include "modules/loader.h"

static double config_bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void config_bench_sleep(double s)
{
	if (s <= 0)
		return;
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
	nanosleep(&ts, NULL);
}

static uint64_t config_bench_events(engine *e)
{
	engine_stats st;
	engine_get_stats(e, &st);
	return st.events;
}

static int config_bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void config_bench_report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), config_bench_cmp);
	double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("%-40s median %.0f events/s (%.0f-%.0f), %d runs\n", what, med, v[0], v[n - 1], n);
}

/* One set of the hot key; returns its duration in seconds, or -1. */
static double config_bench_set(const fapi_host *h, fapi_module_ctx *ctx, bool value, bool validate)
{
	fapi_config_change c = FAPI_CONFIG_CHANGE_INIT(.path = "json_include_tags_property",
						       .value = value ? "true" : "false");
	fapi_config_result r = FAPI_CONFIG_RESULT_INIT;
	fapi_config_set_opts o = FAPI_CONFIG_SET_OPTS_INIT(.validate_only = validate);
	char err[512];
	double t0 = config_bench_now();
	int rc = h->config_set(ctx, &c, 1, &o, &r, err, sizeof(err));
	double dt = config_bench_now() - t0;
	h->config_result_free(&r);
	if (rc != FAPI_OK) {
		fprintf(stderr, "config_bench: config_set: %s\n", err);
		return -1;
	}
	return dt;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: config_bench RULES.yaml CAPTURE.scap [--sets N] [--interval-ms MS] [--runs R] "
				"[--seconds S]\n");
		return 2;
	}
	int sets = 100, runs = 5;
	double interval = 0.1, seconds = 3;
	for (int i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--sets") == 0)
			sets = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--interval-ms") == 0)
			interval = atof(argv[i + 1]) / 1000;
		else if (strcmp(argv[i], "--runs") == 0)
			runs = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = atof(argv[i + 1]);
	}
	if (sets < 1 || runs < 1 || runs > 100 || seconds <= 0 || interval <= 0) {
		fprintf(stderr, "config_bench: bad arguments\n");
		return 2;
	}
	char dir[] = "/tmp/fapi-config-bench-XXXXXX", file[256], yaml[2048], err[2048];
	if (!mkdtemp(dir))
		return 1;
	snprintf(file, sizeof(file), "%s/falco.yaml", dir);
	snprintf(yaml, sizeof(yaml),
		 "rules_file: [%s]\nstdout_output: {enabled: false}\nwatch_config_files: false\n"
		 "load_modules: [configs]\nmodules:\n  - name: configs\n    config: {state_dir: %s/state}\n",
		 argv[1], dir);
	FILE *f = fopen(file, "w");
	if (!f || fputs(yaml, f) < 0 || fclose(f) != 0)
		return 1;
	config_live *live = NULL;
	engine *e = NULL;
	rules_ctl *rules = NULL;
	engine_config ec = {0};
	cli_args args = {0};
	int rc = 1;
	if (config_live_load(&live, file, NULL, 0, err, sizeof(err)) < 0 ||
	    engine_config_read(config_live_boot(live)->root, &args, &ec, err, sizeof(err)) < 0 ||
	    engine_create(&e, &ec.opts, err, sizeof(err)) < 0 ||
	    engine_open_capture(e, argv[2], 0, 0, err, sizeof(err)) < 0 ||
	    rules_ctl_new(&rules, e, ec.opts.rules_paths, ec.opts.nrules_paths, err, sizeof(err)) < 0) {
		fprintf(stderr, "config_bench: %s\n", err);
		goto out;
	}
	daemon_settings ds = {.args = &args, .eng = e, .rules = rules, .live = live};
	config_live_hooks hooks = daemon_settings_hooks(&ds);
	config_live_set_hooks(live, &hooks);
	module_set set = {.live = live};
	struct fapi_module_ctx ctx = {.name = "configs", .set = &set};
	const fapi_host *h = loader_host_table();
	if (engine_start(e, NULL, NULL) < 0) {
		fprintf(stderr, "config_bench: cannot start the engine\n");
		goto out;
	}
	config_bench_sleep(1);

	/* The part without the engine and the file: build and check only. */
	bench_hist vh = {0};
	for (int i = 0; i < sets; i++) {
		double dt = config_bench_set(h, &ctx, i % 2 == 0 ? false : true, true);
		if (dt < 0)
			goto stop;
		bench_hist_record(&vh, (uint64_t)(dt * 1e9));
	}
	printf("validate_only (build + check):            p50 %.2f ms, p99 %.2f ms\n",
	       bench_hist_quantile(&vh, 0.5) / 1e6, bench_hist_quantile(&vh, 0.99) / 1e6);
	bench_hist hist = {0};
	double max = 0;
	for (int i = 0; i < sets; i++) {
		double dt = config_bench_set(h, &ctx, i % 2 == 0 ? false : true, false);
		if (dt < 0)
			goto stop;
		bench_hist_record(&hist, (uint64_t)(dt * 1e9));
		if (dt > max)
			max = dt;
		config_bench_sleep(interval - dt);
	}
	printf("config_set of a hot key, call to effect:  p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d sets, one every "
	       "%.0f ms)\n",
	       bench_hist_quantile(&hist, 0.5) / 1e6, bench_hist_quantile(&hist, 0.99) / 1e6, max * 1e3, sets,
	       interval * 1e3);

	double *quiet = calloc((size_t)runs, sizeof(double)), *busy = calloc((size_t)runs, sizeof(double));
	if (!quiet || !busy)
		goto stop;
	for (int r = 0; r < runs; r++) {
		uint64_t n0 = config_bench_events(e);
		double t0 = config_bench_now();
		config_bench_sleep(seconds);
		quiet[r] = (double)(config_bench_events(e) - n0) / (config_bench_now() - t0);
		n0 = config_bench_events(e);
		t0 = config_bench_now();
		for (int i = 0; config_bench_now() - t0 < seconds; i++) {
			double dt = config_bench_set(h, &ctx, i % 2, false);
			if (dt < 0)
				goto stop;
			config_bench_sleep(interval - dt);
		}
		busy[r] = (double)(config_bench_events(e) - n0) / (config_bench_now() - t0);
	}
	config_bench_report("replay, no set", quiet, runs);
	config_bench_report("replay, a set every interval", busy, runs);
	free(quiet);
	free(busy);
	rc = 0;
stop:
	engine_stop(e);
out:
	rules_ctl_free(rules);
	engine_free(e);
	engine_config_free(&ec);
	config_live_free(live);
	snprintf(yaml, sizeof(yaml), "rm -rf '%s'", dir);
	if (system(yaml) != 0)
		rc = 1;
	return rc;
}
