/* fapictl configs set KEY=VALUE...: keys to new values, all or none
 * (/falco.api.unary/configs_set). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapictl_configs.h"
#include "fapictl_rpc.h"

static const fapictl_opt fapictl_configs_set_opts[] = {
	{"json", NULL, "one JSON object with the changes (see README.md)"},
	{"if-revision", "N", "fail (ABORTED) unless the configuration is still at revision N"},
	{"validate-only", NULL, "check the values, change nothing"},
	{NULL, NULL, NULL},
};

static int fapictl_configs_set_show(const ProtobufCMessage *m, const char *target, size_t ntargets, void *user)
{
	const Falco__Configs__SetResponse *r = (const Falco__Configs__SetResponse *)m;
	fapictl_configs_changes_print(r->changes, r->n_changes, r->revision, r->validated_only,
				      ntargets > 1 ? target : NULL, *(int *)user);
	return 0;
}

static int fapictl_configs_set_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (!a->npos)
		return fapictl_usage_error(a->cmd, "give at least one KEY=VALUE");
	Falco__Configs__SetRequest req = FALCO__CONFIGS__SET_REQUEST__INIT;
	if (fapictl_configs_if_revision(a, &req.if_revision))
		return FAPICTL_EXIT_USAGE;
	req.validate_only = fapictl_args_has(a, "validate-only");
	Falco__Configs__Assignment *items = calloc(a->npos, sizeof(*items));
	Falco__Configs__Assignment **ptrs = calloc(a->npos, sizeof(*ptrs));
	char **keys = calloc(a->npos, sizeof(*keys));
	int rc = FAPICTL_EXIT_RPC;
	if (!items || !ptrs || !keys) {
		fprintf(stderr, "fapictl: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < a->npos; i++) {
		const char *eq = strchr(a->pos[i], '=');
		if (!eq || eq == a->pos[i]) {
			rc = fapictl_usage_error(a->cmd, "'%s' is not KEY=VALUE", a->pos[i]);
			goto out;
		}
		if (!(keys[i] = strndup(a->pos[i], (size_t)(eq - a->pos[i])))) {
			fprintf(stderr, "fapictl: out of memory\n");
			goto out;
		}
		falco__configs__assignment__init(&items[i]);
		items[i].key = keys[i];
		items[i].value = (char *)eq + 1;
		ptrs[i] = &items[i];
	}
	req.set = ptrs;
	req.n_set = a->npos;
	int json = fapictl_args_has(a, "json");
	rc = fapictl_rpc_unary_each(conn, "/falco.api.unary/configs_set", &req.base,
				    &falco__configs__set_response__descriptor, fapictl_configs_set_show, &json);
out:
	for (size_t i = 0; keys && i < a->npos; i++)
		free(keys[i]);
	free(keys);
	free(ptrs);
	free(items);
	return rc;
}

const fapictl_cmd fapictl_configs_set_cmd = {
	.path = "configs set",
	.summary = "set configuration keys (all or none), hot where possible",
	.usage = "KEY=VALUE... [--if-revision N] [--validate-only] [--json] [--target ADDR]",
	.help = "Calls /falco.api.unary/configs_set with every KEY=VALUE (VALUE as YAML, as with -o:\n"
		"error, 64, [a, b]). The daemon checks them all (type, range, allowed values, rules\n"
		"across keys) and applies them all or none: hot keys at once, the others stored and\n"
		"reported as pending restart. What the API sets is kept across restarts (the configs\n"
		"module's overlay). Prints each change as KEY: OLD -> NEW and the new revision.\n"
		"Guarded keys (listeners, TLS, authorisation, socket mode, ...) are refused unless\n"
		"the configs module's allow_guarded lists them.\n"
		"\nexamples:\n"
		"  fapictl configs set priority=error\n"
		"  fapictl configs set outputs.rate=10 outputs.max_burst=100 --if-revision 7",
	.opts = fapictl_configs_set_opts,
	.flags = FAPICTL_CMD_CONNECTS,
	.run = fapictl_configs_set_run,
};
