/*
 * fapi-capgen SCENARIO OUT.scap [--events N] [--step-ns NS]
 *
 * Writes a deterministic capture (see README.md for the scenarios). The same
 * arguments always give the same bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capgen.h"

static void capgen_usage(FILE *f)
{
	fprintf(f,
		"usage: fapi-capgen SCENARIO OUT.scap [--events N] [--step-ns NS]\n"
		"  --step-ns NS  nanoseconds between two events (default 1000)\n"
		"scenarios:\n"
		"  basic   small, hand-written process/file/network story (tests)\n"
		"  mix     benchmark mix of syscalls over ~300 threads (default 1000000 events)\n"
		"  shadow  benchmark: failed openat of /etc/shadow by bash (default 1000000 events)\n");
}

static bool capgen_parse_count(const char *s, uint64_t *out)
{
	char *end = NULL;
	errno = 0;
	if(s[0] == '-' || s[0] == '\0')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if(errno != 0 || *end != '\0' || v == 0)
		return false;
	*out = v;
	return true;
}

int main(int argc, char **argv)
{
	const char *scenario = NULL, *out = NULL;
	uint64_t nevents = 0, step_ns = 1000;
	bool have_events = false;

	for(int i = 1; i < argc; i++) {
		if(strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			capgen_usage(stdout);
			return 0;
		} else if(strcmp(argv[i], "--events") == 0) {
			if(i + 1 >= argc || !capgen_parse_count(argv[i + 1], &nevents)) {
				fprintf(stderr, "fapi-capgen: --events needs a positive integer\n");
				return 2;
			}
			have_events = true;
			i++;
		} else if(strcmp(argv[i], "--step-ns") == 0) {
			/* Captures that span seconds of event time with few events
			 * (per-second checks such as syscall_event_drops). */
			if(i + 1 >= argc || !capgen_parse_count(argv[i + 1], &step_ns)) {
				fprintf(stderr, "fapi-capgen: --step-ns needs a positive integer\n");
				return 2;
			}
			i++;
		} else if(scenario == NULL) {
			scenario = argv[i];
		} else if(out == NULL) {
			out = argv[i];
		} else {
			fprintf(stderr, "fapi-capgen: unexpected argument '%s'\n", argv[i]);
			capgen_usage(stderr);
			return 2;
		}
	}
	if(scenario == NULL || out == NULL) {
		capgen_usage(stderr);
		return 2;
	}
	bool is_basic = strcmp(scenario, "basic") == 0;
	bool is_mix = strcmp(scenario, "mix") == 0;
	bool is_shadow = strcmp(scenario, "shadow") == 0;
	if(!is_basic && !is_mix && !is_shadow) {
		fprintf(stderr, "fapi-capgen: unknown scenario '%s'\n", scenario);
		capgen_usage(stderr);
		return 2;
	}
	if(is_basic && have_events) {
		fprintf(stderr, "fapi-capgen: --events does not apply to scenario 'basic'\n");
		return 2;
	}

	capgen_world w;
	bool ok = capgen_world_init(&w, step_ns);
	if(ok) {
		if(is_basic)
			ok = capgen_basic_run(&w, out);
		else if(is_mix)
			ok = capgen_bench_mix(&w, out, nevents);
		else
			ok = capgen_bench_shadow(&w, out, nevents);
	}
	uint64_t written = w.nevents;
	char err[CAPGEN_ERR_SIZE];
	snprintf(err, sizeof(err), "%s", w.err);
	/* Closing flushes the gzip stream; the file is complete only after. */
	capgen_world_fini(&w);
	if(!ok) {
		fprintf(stderr, "fapi-capgen: %s: %s\n", scenario, err[0] ? err : "failed");
		/* Leave no half-written capture behind for a test to pick up. */
		remove(out);
		return 1;
	}
	fprintf(stderr, "fapi-capgen: %s: wrote %" PRIu64 " events to %s\n", scenario, written, out);
	return 0;
}
