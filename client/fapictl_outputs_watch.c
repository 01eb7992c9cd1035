/* fapictl outputs watch: /falco.api.streaming/outputs with every filter of
 * falco.outputs.request. */

#include <stdlib.h>
#include <string.h>

#include "fapictl_alert.h"
#include "fapictl_cmd.h"
#include "fapictl_outputs_stream.h"

static const fapictl_opt fapictl_outputs_watch_opts[] = {
	{"min-priority", "PRIORITY", "only alerts at least this severe (emergency .. debug, any case)"},
	{"rule", "NAME", "only this rule (exact name; repeatable: any of them)"},
	{"tag-any", "TAG", "only rules with at least one of these tags (repeatable)"},
	{"tag-all", "TAG", "only rules with all of these tags (repeatable)"},
	{"source", "SOURCE", "only this event source: syscall, k8s_audit, ... (repeatable)"},
	{"field", "NAME", "keep only these output fields, e.g. proc.name (repeatable)"},
	{"no-fields", NULL, "send no output fields at all"},
	{"json", NULL, "one JSON object a line (see README.md)"},
	{"count", "N", "stop after N alerts (from all targets together)"},
	{"follow", NULL, "reconnect when the daemon goes away, and report the alerts missed meanwhile"},
	{NULL, NULL, NULL},
};

/* The values of every --name, in order; *n their number. Caller frees the array. */
static char **fapictl_outputs_watch_list(const fapictl_args *a, const char *name, size_t *n)
{
	char **out = calloc(a->n + 1, sizeof(char *));
	*n = 0;
	for (size_t i = 0; out && i < a->n; i++)
		if (strcmp(a->names[i], name) == 0)
			out[(*n)++] = (char *)a->values[i];
	return out;
}

static int fapictl_outputs_watch_run(const fapictl_conn *conn, const fapictl_args *a)
{
	const fapictl_cmd *self = a->cmd;
	if (a->npos)
		return fapictl_usage_error(self, "unexpected argument '%s'", a->pos[0]);
	Falco__Outputs__Request req = FALCO__OUTPUTS__REQUEST__INIT;
	Falco__Outputs__PriorityFilter pf = FALCO__OUTPUTS__PRIORITY_FILTER__INIT;
	const char *mp = fapictl_args_get(a, "min-priority");
	if (mp) {
		int p = fapictl_alert_priority_parse(mp);
		if (p < 0)
			return fapictl_usage_error(self, "--min-priority %s: not a priority (emergency, alert, critical, "
						   "error, warning, notice, informational, debug)", mp);
		pf.at_least = (Falco__Schema__Priority)p;
		req.min_priority = &pf;
	}
	fapictl_outputs_stream_opts o = {
		.method = "/falco.api.streaming/outputs",
		.req = &req,
		.json = fapictl_args_has(a, "json"),
		.follow = fapictl_args_has(a, "follow"),
		.duration_s = conn->timeout_s,
		.deadline_s = -1,
	};
	const char *count = fapictl_args_get(a, "count");
	if (count) {
		char *end;
		unsigned long long c = strtoull(count, &end, 10);
		if (end == count || *end || c == 0 || count[0] == '-')
			return fapictl_usage_error(self, "--count %s: not a positive number", count);
		o.count = c;
	}
	req.rules = fapictl_outputs_watch_list(a, "rule", &req.n_rules);
	req.tags_any = fapictl_outputs_watch_list(a, "tag-any", &req.n_tags_any);
	req.tags_all = fapictl_outputs_watch_list(a, "tag-all", &req.n_tags_all);
	req.sources = fapictl_outputs_watch_list(a, "source", &req.n_sources);
	req.output_fields = fapictl_outputs_watch_list(a, "field", &req.n_output_fields);
	req.omit_output_fields = fapictl_args_has(a, "no-fields");
	int rc;
	if (!req.rules || !req.tags_any || !req.tags_all || !req.sources || !req.output_fields) {
		fputs("fapictl: out of memory\n", stderr);
		rc = FAPICTL_EXIT_RPC;
	} else {
		o.filtered = req.min_priority || req.n_rules || req.n_tags_any || req.n_tags_all || req.n_sources;
		rc = fapictl_outputs_stream_run(conn, &o);
	}
	free(req.rules);
	free(req.tags_any);
	free(req.tags_all);
	free(req.sources);
	free(req.output_fields);
	return rc;
}

const fapictl_cmd fapictl_outputs_watch_cmd = {
	.path = "outputs watch",
	.summary = "print alerts as the daemon makes them (filters, JSON, --follow)",
	.usage = "[--min-priority P] [--rule NAME]... [--tag-any T]... [--tag-all T]... [--source S]... "
		 "[--field F]... [--no-fields] [--json] [--count N] [--follow] [--timeout D] [--target ADDR]...",
	.help = "Subscribes to /falco.api.streaming/outputs and prints each alert as Falco prints it\n"
		"(its text line), or with --json as one JSON object a line with every field of the\n"
		"response (seq and lost included). Every filter given must pass. --timeout D ends the\n"
		"watch after D (exit 0). With several --target, one stream per daemon, merged as the\n"
		"alerts come; text lines are then labelled [HOSTNAME]. A stream that loses alerts (this\n"
		"client too slow) says so on stderr (JSON: the lost field). With --follow, a stream\n"
		"that ends is opened again (backoff 0.1 s doubling to 5 s), and the first alert after\n"
		"it tells, on stderr, how many alerts the engine made while this client was away.\n"
		"\nexamples:\n"
		"  fapictl outputs watch\n"
		"  fapictl outputs watch --min-priority warning --tag-any container --json\n"
		"  fapictl outputs watch --rule 'Terminal shell in container' --field proc.name --count 10\n"
		"  fapictl outputs watch --follow --target unix:///run/falco/falco.sock --target node2:5060 \\\n"
		"      --ca ca.crt --cert client.crt --key client.key",
	.opts = fapictl_outputs_watch_opts,
	.flags = FAPICTL_CMD_CONNECTS | FAPICTL_CMD_MULTI,
	.run = fapictl_outputs_watch_run,
};
