/* fapictl rules list: the rules of the running set, its files, the
 * toggles and the revision. */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine/output/json_escape.h"
#include "fapictl_rules.h"

static const fapictl_opt fapictl_rules_list_opts[] = {
	{"tag", "T", "only rules with tag T (repeatable: any of them)"},
	{"name", "RULE", "only the rule named RULE (repeatable)"},
	{"source", "S", "only rules of source S (repeatable)"},
	{"enabled", NULL, "only enabled rules"},
	{"disabled", NULL, "only disabled rules"},
	{"files", NULL, "only the files, toggles and revision"},
	{"json", NULL, "one JSON object (see README.md)"},
	{NULL, NULL, NULL},
};

static void fapictl_rules_list_json(const Falco__Rules__ListResponse *r)
{
	printf("{\"revision\":%" PRIu64 ",\"rules\":[", r->revision);
	for (size_t i = 0; i < r->n_rules; i++) {
		const Falco__Rules__RuleInfo *x = r->rules[i];
		fputs(i ? ",{\"name\":" : "{\"name\":", stdout);
		json_escape_write(stdout, x->name);
		fputs(",\"description\":", stdout);
		json_escape_write(stdout, x->description);
		fputs(",\"priority\":", stdout);
		json_escape_write(stdout, x->priority);
		fputs(",\"source\":", stdout);
		json_escape_write(stdout, x->source);
		fputs(",\"tags\":[", stdout);
		for (size_t t = 0; t < x->n_tags; t++) {
			if (t)
				putchar(',');
			json_escape_write(stdout, x->tags[t]);
		}
		printf("],\"enabled\":%s,\"file\":", x->enabled ? "true" : "false");
		json_escape_write(stdout, x->file);
		printf(",\"line\":%u,\"origin\":", x->line);
		json_escape_write(stdout, x->origin);
		printf(",\"matches\":%" PRIu64 "}", x->matches);
	}
	fputs("],\"files\":[", stdout);
	for (size_t i = 0; i < r->n_files; i++) {
		const Falco__Rules__FileInfo *f = r->files[i];
		fputs(i ? ",{\"name\":" : "{\"name\":", stdout);
		json_escape_write(stdout, f->name);
		fputs(",\"origin\":", stdout);
		json_escape_write(stdout, f->origin);
		printf(",\"sha256\":\"%s\",\"revision\":%" PRIu64 ",\"size\":%" PRIu64 "}", f->sha256, f->revision,
		       f->size);
	}
	fputs("],\"toggles\":[", stdout);
	for (size_t i = 0; i < r->n_toggles; i++) {
		const Falco__Rules__Toggle *t = r->toggles[i];
		printf("%s{\"enable\":%s,\"%s\":", i ? "," : "", t->enable ? "true" : "false", t->tag[0] ? "tag" : "rule");
		json_escape_write(stdout, t->tag[0] ? t->tag : t->rule);
		putchar('}');
	}
	puts("]}");
}

static void fapictl_rules_list_text(const Falco__Rules__ListResponse *r)
{
	printf("revision %" PRIu64 "\n", r->revision);
	for (size_t i = 0; i < r->n_files; i++) {
		const Falco__Rules__FileInfo *f = r->files[i];
		printf("file %s %s sha256=%s", f->origin, f->name, f->sha256);
		if (strcmp(f->origin, "api") == 0)
			printf(" revision=%" PRIu64 " size=%" PRIu64, f->revision, f->size);
		putchar('\n');
	}
	for (size_t i = 0; i < r->n_toggles; i++) {
		const Falco__Rules__Toggle *t = r->toggles[i];
		printf("toggle %s %s %s\n", t->enable ? "enable" : "disable", t->tag[0] ? "tag" : "rule",
		       t->tag[0] ? t->tag : t->rule);
	}
	for (size_t i = 0; i < r->n_rules; i++) {
		const Falco__Rules__RuleInfo *x = r->rules[i];
		printf("rule %-8s %-13s %-9s matches=%-6" PRIu64 " %s:%u (%s) %s", x->enabled ? "enabled" : "disabled",
		       x->priority, x->source, x->matches, x->file, x->line, x->origin, x->name);
		for (size_t t = 0; t < x->n_tags; t++)
			printf("%s%s", t ? "," : " tags=", x->tags[t]);
		putchar('\n');
	}
}

static size_t fapictl_rules_list_collect(const fapictl_args *a, const char *opt, char **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < a->n && n < max; i++)
		if (strcmp(a->names[i], opt) == 0)
			out[n++] = (char *)a->values[i];
	return n;
}

static int fapictl_rules_list_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (a->npos)
		return fapictl_usage_error(a->cmd, "unexpected argument '%s' (use --name RULE)", a->pos[0]);
	if (fapictl_args_has(a, "enabled") && fapictl_args_has(a, "disabled"))
		return fapictl_usage_error(a->cmd, "--enabled and --disabled exclude each other");
	char *tags[FAPICTL_RULES_MAX_TAGS], *names[FAPICTL_RULES_MAX_TAGS], *sources[FAPICTL_RULES_MAX_TAGS];
	Falco__Rules__ListRequest req = FALCO__RULES__LIST_REQUEST__INIT;
	req.tags = tags;
	req.n_tags = fapictl_rules_list_collect(a, "tag", tags, FAPICTL_RULES_MAX_TAGS);
	req.names = names;
	req.n_names = fapictl_rules_list_collect(a, "name", names, FAPICTL_RULES_MAX_TAGS);
	req.sources = sources;
	req.n_sources = fapictl_rules_list_collect(a, "source", sources, FAPICTL_RULES_MAX_TAGS);
	req.enabled = fapictl_args_has(a, "enabled")	? FALCO__RULES__ENABLED_FILTER__ENABLED
		      : fapictl_args_has(a, "disabled") ? FALCO__RULES__ENABLED_FILTER__DISABLED
							: FALCO__RULES__ENABLED_FILTER__ANY;
	req.omit_rules = fapictl_args_has(a, "files");
	ProtobufCMessage *m;
	fapictl_rpc_status st;
	int rc = FAPICTL_EXIT_OK;
	if (fapictl_rules_call(conn, "/falco.api.unary/rules_list", &req.base, &falco__rules__list_response__descriptor,
			       &m, &st) < 0) {
		fapictl_conn_report(conn->targets[0], st.code, st.details);
		rc = FAPICTL_EXIT_RPC;
	} else {
		if (fapictl_args_has(a, "json"))
			fapictl_rules_list_json((const Falco__Rules__ListResponse *)m);
		else
			fapictl_rules_list_text((const Falco__Rules__ListResponse *)m);
		protobuf_c_message_free_unpacked(m, NULL);
	}
	fapictl_rpc_status_free(&st);
	return rc;
}

const fapictl_cmd fapictl_rules_list_cmd = {
	.path = "rules list",
	.summary = "the rules of the running set, its files, the toggles and the revision",
	.usage = "[--tag T]... [--name RULE]... [--source S]... [--enabled|--disabled] [--files] [--json]",
	.help = "Calls /falco.api.unary/rules_list. Text: `revision N`, then one line per file\n"
		"(`file ORIGIN NAME sha256=... [revision=R size=B]`), per toggle (`toggle enable|disable\n"
		"rule|tag VALUE`) and per rule (`rule enabled|disabled PRIORITY SOURCE matches=N FILE:LINE\n"
		"(ORIGIN) NAME [tags=a,b]`), rules in declaration order.\n"
		"\nexamples:\n"
		"  fapictl rules list --tag network --enabled\n"
		"  fapictl rules list --json | jq -r '.rules[] | select(.matches > 0) | .name'",
	.opts = fapictl_rules_list_opts,
	.flags = FAPICTL_CMD_CONNECTS,
	.run = fapictl_rules_list_run,
};
