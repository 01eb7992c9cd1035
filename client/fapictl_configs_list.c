/* fapictl configs list: every configuration key with its value, type,
 * reload class and origin (/falco.api.unary/configs_list). */

#include <stdio.h>
#include "fapictl_configs.h"
#include "fapictl_rpc.h"

static const fapictl_opt fapictl_configs_list_opts[] = {
	{"json", NULL, "one JSON object a line per key (see README.md)"},
	{NULL, NULL, NULL},
};

static int fapictl_configs_list_show(const ProtobufCMessage *m, const char *target, size_t ntargets, void *user)
{
	const Falco__Configs__ListResponse *r = (const Falco__Configs__ListResponse *)m;
	int json = *(int *)user;
	for (size_t i = 0; i < r->n_keys; i++) {
		if (!json && ntargets > 1)
			printf("%s ", target);
		fapictl_configs_key_print(r->keys[i], r->revision, json && ntargets > 1 ? target : NULL, json);
	}
	if (!json)
		printf("%s%srevision %llu\n", ntargets > 1 ? target : "", ntargets > 1 ? " " : "",
		       (unsigned long long)r->revision);
	return 0;
}

static int fapictl_configs_list_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (a->npos > 1)
		return fapictl_usage_error(a->cmd, "unexpected argument '%s'", a->pos[1]);
	int json = fapictl_args_has(a, "json");
	Falco__Configs__ListRequest req = FALCO__CONFIGS__LIST_REQUEST__INIT;
	if (a->npos)
		req.prefix = a->pos[0];
	return fapictl_rpc_unary_each(conn, "/falco.api.unary/configs_list", &req.base,
				      &falco__configs__list_response__descriptor, fapictl_configs_list_show, &json);
}

const fapictl_cmd fapictl_configs_list_cmd = {
	.path = "configs list",
	.summary = "every configuration key: value, type, reload class, origin",
	.usage = "[PREFIX] [--json] [--target ADDR]...",
	.help = "Calls /falco.api.unary/configs_list: every key of falco.yaml and of the loaded modules\n"
		"(modules.NAME.KEY), with its current value, type, reload class (hot, at reload, at\n"
		"restart) and where the value comes from (default, FILE:LINE, -o, api). A key set\n"
		"through the API that waits for a restart says so; guarded keys say they are not\n"
		"settable. PREFIX keeps the keys at or below it (\"grpc\", \"modules.outputs\").\n"
		"\nexamples:\n"
		"  fapictl configs list\n"
		"  fapictl configs list modules.outputs --json | jq -c '{name, value}'",
	.opts = fapictl_configs_list_opts,
	.flags = FAPICTL_CMD_CONNECTS | FAPICTL_CMD_MULTI,
	.run = fapictl_configs_list_run,
};
