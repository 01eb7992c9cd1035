/* fapictl configs reset KEY...: keys back to falco.yaml, -o and the
 * defaults (/falco.api.unary/configs_reset). */

#include <stdio.h>
#include "fapictl_configs.h"
#include "fapictl_rpc.h"

static const fapictl_opt fapictl_configs_reset_opts[] = {
	{"json", NULL, "one JSON object with the changes (see README.md)"},
	{"if-revision", "N", "fail (ABORTED) unless the configuration is still at revision N"},
	{NULL, NULL, NULL},
};

static int fapictl_configs_reset_show(const ProtobufCMessage *m, const char *target, size_t ntargets, void *user)
{
	const Falco__Configs__ResetResponse *r = (const Falco__Configs__ResetResponse *)m;
	fapictl_configs_changes_print(r->changes, r->n_changes, r->revision, 0, ntargets > 1 ? target : NULL,
				      *(int *)user);
	return 0;
}

static int fapictl_configs_reset_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (!a->npos)
		return fapictl_usage_error(a->cmd, "give at least one KEY");
	Falco__Configs__ResetRequest req = FALCO__CONFIGS__RESET_REQUEST__INIT;
	if (fapictl_configs_if_revision(a, &req.if_revision))
		return FAPICTL_EXIT_USAGE;
	req.keys = a->pos;
	req.n_keys = a->npos;
	int json = fapictl_args_has(a, "json");
	return fapictl_rpc_unary_each(conn, "/falco.api.unary/configs_reset", &req.base,
				      &falco__configs__reset_response__descriptor, fapictl_configs_reset_show, &json);
}

const fapictl_cmd fapictl_configs_reset_cmd = {
	.path = "configs reset",
	.summary = "configuration keys back to falco.yaml, -o and the defaults",
	.usage = "KEY... [--if-revision N] [--json] [--target ADDR]",
	.help = "Calls /falco.api.unary/configs_reset: each KEY (or subtree) loses the value set\n"
		"through the API and takes what falco.yaml, -o and the defaults say, applied as\n"
		"configs set applies. Prints each change as KEY: OLD -> NEW and the new revision.\n"
		"\nexamples:\n"
		"  fapictl configs reset priority\n"
		"  fapictl configs reset outputs",
	.opts = fapictl_configs_reset_opts,
	.flags = FAPICTL_CMD_CONNECTS,
	.run = fapictl_configs_reset_run,
};
