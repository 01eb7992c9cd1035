/* bench/engine: the k8s_audit replay.
 *
 *   k8s_audit_bench RULES.yaml AUDIT_DIR OUT.json [--events N] [--runs R]
 *
 * Writes OUT.json: the audit events of the *.json files of AUDIT_DIR (those that are
 * k8s audit events) repeated, one per line, to N events (default 100000).
 * Then, R runs each (median, min, max):
 *   parse    the reader alone: read each line, parse it, split it into events;
 *   extract  the reader plus one extraction of every distinct ka.* / jevt.*
 *            field RULES names (what the rules could read at most);
 *   engine   the engine's replay with RULES (read, parse, evaluate every rule,
 *            format the alerts), as engine_bench replays scap captures.
 * evaluate = engine - parse: extraction of the fields the rules do read
 * and the comparisons. */

#include <dirent.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/backends/json/json_doc.h"
#include "engine/backends/json/k8s_audit_fields.h"
#include "engine/backends/json/k8s_audit_reader.h"

/* The machine is shared: besides wall time, the CPU time the process
 * used, which other work on the machine does not inflate (much). */
static double k8s_audit_bench_clock(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double k8s_audit_bench_now(void)
{
	return k8s_audit_bench_clock(CLOCK_MONOTONIC);
}

static double k8s_audit_bench_cpu(void)
{
	return k8s_audit_bench_clock(CLOCK_PROCESS_CPUTIME_ID);
}

static int k8s_audit_bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int k8s_audit_bench_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The file's bytes, NUL-terminated; NULL on error. */
static char *k8s_audit_bench_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	do {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* Writes out: the valid audit lines of dir, repeated to `want` events. */
static int k8s_audit_bench_generate(const char *dir, const char *out, size_t want, size_t *written)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "k8s_audit_bench: cannot open %s\n", dir);
		return -1;
	}
	char *names[256];
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(d)) && nn < 256) {
		size_t l = strlen(de->d_name);
		if (l > 5 && !strcmp(de->d_name + l - 5, ".json"))
			names[nn++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(*names), k8s_audit_bench_names);
	char *lines[1024];
	size_t nl = 0, per_round = 0;
	for (size_t i = 0; i < nn; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		free(names[i]);
		size_t len;
		char *text = k8s_audit_bench_slurp(path, &len);
		for (char *line = text ? strtok(text, "\n") : NULL; line && nl < 1024; line = strtok(NULL, "\n")) {
			json_doc *doc;
			json_evt *evts;
			size_t ne;
			char err[256];
			if (k8s_audit_reader_parse(line, strlen(line), &doc, &evts, &ne, err, sizeof(err)) != 0)
				continue; /* fal_01_003.json is deliberately not an audit event */
			json_doc_free(doc);
			free(evts);
			lines[nl++] = strdup(line);
			per_round += ne;
		}
		free(text);
	}
	if (!per_round) {
		fprintf(stderr, "k8s_audit_bench: no audit events in %s\n", dir);
		return -1;
	}
	FILE *f = fopen(out, "w");
	if (!f) {
		fprintf(stderr, "k8s_audit_bench: cannot write %s\n", out);
		return -1;
	}
	size_t n = 0;
	while (n < want)
		for (size_t i = 0; i < nl && n < want; i++, n++)
			fprintf(f, "%s\n", lines[i]);
	fclose(f);
	for (size_t i = 0; i < nl; i++)
		free(lines[i]);
	*written = n;
	return 0;
}

/* Every distinct ka.* / jevt.* field (with its argument) the rules text
 * names. */
static size_t k8s_audit_bench_fields(const char *rules, k8s_field *out, size_t cap)
{
	size_t len;
	char *text = k8s_audit_bench_slurp(rules, &len);
	if (!text)
		return 0;
	regex_t re;
	regcomp(&re, "(ka|jevt)\\.[A-Za-z0-9_.]+(\\[[^] ]*\\])?", REG_EXTENDED);
	char seen[256][128];
	size_t n = 0;
	const char *p = text;
	regmatch_t m[1];
	while (n < cap && regexec(&re, p, 1, m, 0) == 0) {
		char tok[128];
		size_t tl = (size_t)(m[0].rm_eo - m[0].rm_so);
		snprintf(tok, sizeof(tok), "%.*s", (int)tl, p + m[0].rm_so);
		p += m[0].rm_eo;
		bool dup = false;
		for (size_t i = 0; i < n && !dup; i++)
			dup = !strcmp(seen[i], tok);
		char err[256];
		if (!dup && k8s_audit_fields_scan(&out[n], NULL, tok, err, sizeof(err)) > 0)
			snprintf(seen[n++], sizeof(seen[0]), "%s", tok);
	}
	regfree(&re);
	free(text);
	return n;
}

/* One pass of the reader, extracting nf fields from every event. */
static int k8s_audit_bench_read(const char *path, const k8s_field *f, size_t nf, double *secs, double *cpu,
				size_t *events)
{
	char err[1024];
	k8s_audit_reader *r = NULL;
	json_vals v = {0};
	double t0 = k8s_audit_bench_now(), c0 = k8s_audit_bench_cpu();
	if (k8s_audit_reader_open(&r, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "k8s_audit_bench: %s\n", err);
		return -1;
	}
	const json_evt *e;
	size_t n = 0, first, nfirst;
	int rc;
	while ((rc = k8s_audit_reader_next(r, &e, err, sizeof(err))) == 0) {
		for (size_t i = 0; i < nf; i++)
			k8s_audit_fields_extract(&f[i], e, &v, &first, &nfirst);
		n++;
	}
	k8s_audit_reader_close(r);
	*secs = k8s_audit_bench_now() - t0;
	*cpu = k8s_audit_bench_cpu() - c0;
	json_value_list_free(&v);
	*events = n;
	if (rc < 0) {
		fprintf(stderr, "k8s_audit_bench: %s\n", err);
		return -1;
	}
	return 0;
}

static int k8s_audit_bench_engine(const char *rules, const char *capture, double *secs, double *cpu, uint64_t *events,
				  uint64_t *alerts)
{
	const char *paths[] = {rules};
	engine_opts o = {.rules_paths = paths, .nrules_paths = 1, .min_priority = 7, .stdout_output = false};
	engine *e = NULL;
	char err[2048];
	if (engine_create(&e, &o, err, sizeof(err)) < 0 || engine_open_capture(e, capture, 1, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "k8s_audit_bench: %s\n", err);
		engine_free(e);
		return -1;
	}
	atomic_bool stop = false;
	double t0 = k8s_audit_bench_now(), c0 = k8s_audit_bench_cpu();
	int rc = engine_run(e, &stop, err, sizeof(err));
	*secs = k8s_audit_bench_now() - t0;
	*cpu = k8s_audit_bench_cpu() - c0;
	engine_stats st;
	engine_get_stats(e, &st);
	engine_free(e);
	if (rc < 0) {
		fprintf(stderr, "k8s_audit_bench: %s\n", err);
		return -1;
	}
	*events = st.events;
	*alerts = st.alerts;
	return 0;
}

static double k8s_audit_bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), k8s_audit_bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void k8s_audit_bench_report(const char *what, double *secs, double *cpu, int n, size_t events)
{
	double med = k8s_audit_bench_median(secs, n), cmed = k8s_audit_bench_median(cpu, n);
	printf("k8s_audit %s events=%zu eps=%.0f (min %.0f max %.0f) us_per_event=%.2f cpu_eps=%.0f (min %.0f max "
	       "%.0f) cpu_us_per_event=%.2f\n",
	       what, events, (double)events / med, (double)events / secs[n - 1], (double)events / secs[0],
	       med / (double)events * 1e6, (double)events / cmed, (double)events / cpu[n - 1], (double)events / cpu[0],
	       cmed / (double)events * 1e6);
}

int main(int argc, char **argv)
{
	const char *pos[3] = {0};
	int np = 0, runs = 5;
	size_t want = 100000;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--events") && i + 1 < argc)
			want = strtoul(argv[++i], NULL, 10);
		else if (np < 3)
			pos[np++] = argv[i];
	}
	if (np < 3 || runs < 1 || runs > 32) {
		fprintf(stderr, "usage: k8s_audit_bench RULES.yaml AUDIT_DIR OUT.json [--events N] [--runs R]\n");
		return 2;
	}
	size_t written = 0;
	if (k8s_audit_bench_generate(pos[1], pos[2], want, &written) < 0)
		return 1;
	k8s_field fields[256];
	size_t nf = k8s_audit_bench_fields(pos[0], fields, 256);
	double parse[32], extract[32], eng[32], cparse[32], cextract[32], ceng[32];
	size_t events = 0;
	uint64_t eev = 0, alerts = 0;
	for (int r = 0; r < runs; r++) {
		if (k8s_audit_bench_read(pos[2], fields, 0, &parse[r], &cparse[r], &events) < 0 ||
		    k8s_audit_bench_read(pos[2], fields, nf, &extract[r], &cextract[r], &events) < 0 ||
		    k8s_audit_bench_engine(pos[0], pos[2], &eng[r], &ceng[r], &eev, &alerts) < 0)
			return 1;
	}
	printf("k8s_audit file=%s events=%zu rules=%s fields=%zu alerts=%llu runs=%d\n", pos[2], written, pos[0], nf,
	       (unsigned long long)alerts, runs);
	k8s_audit_bench_report("parse", parse, cparse, runs, events);
	k8s_audit_bench_report("extract", extract, cextract, runs, events);
	k8s_audit_bench_report("engine", eng, ceng, runs, (size_t)eev);
	/* the report sorted the arrays: index runs / 2 is the median (odd runs) */
	double pm = cparse[runs / 2], em = ceng[runs / 2], xm = cextract[runs / 2];
	printf("k8s_audit split (CPU medians, us/event): parse=%.2f extract_all_fields=%.2f evaluate=%.2f (engine - "
	       "parse)\n",
	       pm / (double)events * 1e6, (xm - pm) / (double)events * 1e6, (em - pm) / (double)events * 1e6);
	for (size_t i = 0; i < nf; i++)
		k8s_audit_fields_free(&fields[i]);
	return 0;
}
