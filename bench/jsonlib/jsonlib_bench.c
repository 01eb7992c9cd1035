/*
 * Which JSON library for the k8s_audit backend: parse each audit event once,
 * then read the fields Falco's k8s_audit rules read, by JSON pointer, from
 * the parsed tree. Every library the build found is measured on the same
 * events (the lines of the files given), in the same order, several runs.
 *
 * Usage: jsonlib_bench [--runs N] [--events N] FILE.json...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonlib_bench.h"

/* What k8s_audit_rules.yaml reads from most events. */
const char *const jsonlib_bench_ptrs[] = {
	"/verb", "/user/username", "/objectRef/resource", "/objectRef/namespace", "/objectRef/name",
	"/objectRef/subresource", "/annotations/authorization.k8s.io~1decision",
	"/annotations/authorization.k8s.io~1reason", "/responseStatus/code", "/requestURI",
	"/stageTimestamp", "/requestObject/spec/containers/0/image", "/requestObject/spec/hostNetwork",
	"/responseObject/metadata/name",
};
const size_t jsonlib_bench_nptrs = sizeof jsonlib_bench_ptrs / sizeof jsonlib_bench_ptrs[0];

static uint64_t jsonlib_bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *jsonlib_bench_token(const char *ptr, char *tok, size_t toklen)
{
	size_t n = 0;
	ptr++;
	while (*ptr && *ptr != '/' && n + 1 < toklen) {
		if (ptr[0] == '~' && (ptr[1] == '0' || ptr[1] == '1')) {
			tok[n++] = ptr[1] == '0' ? '~' : '/';
			ptr += 2;
		} else {
			tok[n++] = *ptr++;
		}
	}
	tok[n] = 0;
	return ptr;
}




static int jsonlib_bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void jsonlib_bench_run(const char *name, jsonlib_bench_fn fn, char **lines, size_t n, int runs)
{
	double rates[32];
	size_t found = 0;
	if (runs > 32)
		runs = 32;
	for (int r = 0; r < runs; r++) {
		uint64_t t0 = jsonlib_bench_now();
		found = fn(lines, n);
		rates[r] = (double)n / ((double)(jsonlib_bench_now() - t0) / 1e9);
	}
	qsort(rates, (size_t)runs, sizeof rates[0], jsonlib_bench_cmp);
	printf("jsonlib lib=%s events=%zu pointers=%zu found=%zu runs=%d events/s median=%.0f min=%.0f max=%.0f\n",
	       name, n, jsonlib_bench_nptrs, found, runs, rates[runs / 2], rates[0], rates[runs - 1]);
}

int main(int argc, char **argv)
{
	int runs = 5;
	size_t want = 100000;
	char **base = NULL;
	size_t nbase = 0, capbase = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = atoi(argv[++i]);
			continue;
		}
		if (!strcmp(argv[i], "--events") && i + 1 < argc) {
			want = strtoul(argv[++i], NULL, 10);
			continue;
		}
		FILE *f = fopen(argv[i], "r");
		if (!f) {
			fprintf(stderr, "jsonlib_bench: cannot open %s\n", argv[i]);
			return 1;
		}
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;
		while ((len = getline(&line, &cap, f)) > 0) {
			if (len <= 1)
				continue;
			if (nbase == capbase) {
				capbase = capbase ? capbase * 2 : 64;
				base = realloc(base, capbase * sizeof *base);
			}
			base[nbase++] = strdup(line);
		}
		free(line);
		fclose(f);
	}
	if (runs < 1 || !nbase) {
		fprintf(stderr, "usage: jsonlib_bench [--runs N] [--events N] FILE.json...\n");
		return 1;
	}
	char **lines = malloc(want * sizeof *lines);
	for (size_t i = 0; i < want; i++)
		lines[i] = base[i % nbase];
for (size_t v = 0; v < jsonlib_bench_nvariants; v++)
		jsonlib_bench_run(jsonlib_bench_variants[v].name, jsonlib_bench_variants[v].fn, lines, want, runs);
	free(lines);
	for (size_t i = 0; i < nbase; i++)
		free(base[i]);
	free(base);
	return 0;
}
