/* What outputs filters cost the engine thread per alert: FILTERS (20)
 * subscribers' filters, each of ITEMS entries in rules, tags_any, sources
 * and output_fields and up to 64 KiB, built to pass the priority, rule,
 * source and tags_any tests of every alert and fail tags_all, whose one tag
 * no alert has (the most work a filter can make), tested against ALERTS alerts
 * of 8 rules in turn, as the bus does: every filter for one alert, then
 * the next alert. Prints, for 1 entry per list and for the largest filter
 * allowed (1024 entries, 64 KiB), the median over 9 rounds of the thread
 * CPU time per alert for all filters together, and min/max. CPU time, not
 * wall time: the machine is shared. */

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outputs_filter.h"

#define FILTERS 20
#define ALERTS 200000
#define ROUNDS 9
#define RULES 8

static char **filters_bench_list(int n, int len, const char *tag, const char *last)
{
	char **v = calloc((size_t)n, sizeof(*v));
	for (int i = 0; v && i < n; i++) {
		v[i] = malloc((size_t)len + 16);
		if (v[i] && last && i == n - 1)
			snprintf(v[i], (size_t)len + 16, "%s", last);
		else if (v[i])
			snprintf(v[i], (size_t)len + 16, "%s%0*d", tag, len > 4 ? len - 2 : 1, i);
	}
	return v;
}

static double filters_bench_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int filters_bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One configuration; prints its line. Returns the number of matches (0:
 * the filters fail as built). */
static unsigned long filters_bench_run(int items, int bytes)
{
	static char rule_names[RULES][32];
	int len = (bytes - 64) / (4 * items);
	if (len < 3)
		len = 3;
	outputs_filter_limits lim = {.max_items = 1024, .max_bytes = 65536};
	outputs_filter f[FILTERS];
	for (int i = 0; i < FILTERS; i++) {
		char name[32];
		snprintf(name, sizeof(name), "bench_rule_%d", i % RULES);
		Falco__Outputs__Request req = FALCO__OUTPUTS__REQUEST__INIT;
		/* tags_all holds one tag no alert has: longer, it would fail at
		 * once on its count (more wanted tags than the alert has). */
		req.n_rules = req.n_tags_any = req.n_sources = req.n_output_fields = (size_t)items;
		req.n_tags_all = 1;
		req.rules = filters_bench_list(items, len, "r.", name);
		req.tags_any = filters_bench_list(items, len, "a.", "bench");
		req.tags_all = filters_bench_list(1, len, "t.", NULL);
		req.sources = filters_bench_list(items, len, "s.", "syscall");
		req.output_fields = filters_bench_list(items, len, "f.", NULL);
		char msg[256];
		if (outputs_filter_init(&f[i], &req, &lim, msg, sizeof(msg)) != FAPI_STATUS_OK) {
			fprintf(stderr, "filters_bench: %s\n", msg);
			exit(1);
		}
		char **lists[] = {req.rules, req.tags_any, req.tags_all, req.sources, req.output_fields};
		for (size_t l = 0; l < 5; l++) {
			for (int k = 0; k < (lists[l] == req.tags_all ? 1 : items); k++)
				free(lists[l][k]);
			free(lists[l]);
		}
	}
	static const char *const tags[] = {"bench", "filesystem", "mitre_credential_access"};
	fapi_alert_view views[RULES];
	for (int r = 0; r < RULES; r++) {
		snprintf(rule_names[r], sizeof(rule_names[r]), "bench_rule_%d", r);
		views[r] = (fapi_alert_view){.priority = 4, .rule = rule_names[r], .source = "syscall", .tags = tags,
					     .ntags = 3};
	}
	double per[ROUNDS];
	unsigned long matched = 0, seq = 0;
	for (int round = 0; round < ROUNDS; round++) {
		double t0 = filters_bench_now();
		for (int a = 0; a < ALERTS; a++) {
			fapi_alert_view *v = &views[a % RULES];
			v->seq = ++seq;
			for (int i = 0; i < FILTERS; i++)
				matched += outputs_filter_match(&f[i], v);
		}
		per[round] = (filters_bench_now() - t0) / ALERTS;
	}
	qsort(per, ROUNDS, sizeof(per[0]), filters_bench_cmp);
	printf("filters subscribers=%d items_per_list=%d entry_bytes=%d ns_per_alert_median=%.1f min=%.1f max=%.1f "
	       "ns_per_filter=%.1f matched=%lu\n",
	       FILTERS, items, len, per[ROUNDS / 2], per[0], per[ROUNDS - 1], per[ROUNDS / 2] / FILTERS, matched);
	for (int i = 0; i < FILTERS; i++)
		outputs_filter_free(&f[i]);
	return matched;
}

int main(void)
{
	unsigned long m = filters_bench_run(1, 64) + filters_bench_run(1024, 65536);
	return m == 0 ? 0 : 2;
}
