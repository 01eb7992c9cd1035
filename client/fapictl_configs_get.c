/* fapictl configs get KEY: one key or a subtree, as YAML text or JSON
 * (/falco.api.unary/configs_get). */

#include <stdio.h>
#include <string.h>

#include "fapictl_configs.h"
#include "fapictl_rpc.h"

static const fapictl_opt fapictl_configs_get_opts[] = {
	{"json", NULL, "one JSON object a line per key (see README.md)"},
	{NULL, NULL, NULL},
};

static int fapictl_configs_get_show(const ProtobufCMessage *m, const char *target, size_t ntargets, void *user)
{
	const Falco__Configs__GetResponse *r = (const Falco__Configs__GetResponse *)m;
	if (*(int *)user) {
		for (size_t i = 0; i < r->n_keys; i++)
			fapictl_configs_key_print(r->keys[i], r->revision, ntargets > 1 ? target : NULL, 1);
		return 0;
	}
	if (ntargets > 1)
		printf("# %s\n", target);
	fputs(r->yaml, stdout);
	if (r->yaml[0] && r->yaml[strlen(r->yaml) - 1] != '\n')
		putchar('\n');
	return 0;
}

static int fapictl_configs_get_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (a->npos != 1)
		return fapictl_usage_error(a->cmd, a->npos ? "one KEY only, not '%s'" : "give a KEY%s",
					   a->npos ? a->pos[1] : "");
	int json = fapictl_args_has(a, "json");
	Falco__Configs__GetRequest req = FALCO__CONFIGS__GET_REQUEST__INIT;
	req.key = a->pos[0];
	return fapictl_rpc_unary_each(conn, "/falco.api.unary/configs_get", &req.base,
				      &falco__configs__get_response__descriptor, fapictl_configs_get_show, &json);
}

const fapictl_cmd fapictl_configs_get_cmd = {
	.path = "configs get",
	.summary = "one configuration key or subtree, as YAML (or JSON)",
	.usage = "KEY [--json] [--target ADDR]...",
	.help = "Calls /falco.api.unary/configs_get for KEY, a key (\"priority\") or a subtree\n"
		"(\"outputs\", \"modules.outputs\"), and prints its current values as YAML; --json\n"
		"prints each key of it as `configs list --json` does. Secret-looking keys show a path\n"
		"only (a file's contents are never read), other secret values \"<redacted>\".\n"
		"\nexamples:\n"
		"  fapictl configs get priority\n"
		"  fapictl configs get modules.outputs --json",
	.opts = fapictl_configs_get_opts,
	.flags = FAPICTL_CMD_CONNECTS | FAPICTL_CMD_MULTI,
	.run = fapictl_configs_get_run,
};
