/* fapictl rules delete NAME...: remove API rules files at once. */

#include "fapictl_rules.h"

static const fapictl_opt fapictl_rules_delete_opts[] = {
	{"if-revision", "N", "fail (ABORTED, nothing changed) unless the set is at revision N"},
	{"json", NULL, "one JSON object (see README.md)"},
	{NULL, NULL, NULL},
};

static int fapictl_rules_delete_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (!a->npos)
		return fapictl_usage_error(a->cmd, "no file name given");
	Falco__Rules__DeleteRequest req = FALCO__RULES__DELETE_REQUEST__INIT;
	if (fapictl_rules_if_revision(a, &req.if_revision) < 0)
		return FAPICTL_EXIT_USAGE;
	req.names = a->pos;
	req.n_names = a->npos;
	return fapictl_rules_write(conn, a, "/falco.api.unary/rules_delete", &req.base, NULL);
}

const fapictl_cmd fapictl_rules_delete_cmd = {
	.path = "rules delete",
	.summary = "remove API rules files (the set without them validated first)",
	.usage = "NAME... [--if-revision N] [--json]",
	.help = "Calls /falco.api.unary/rules_delete: the API files NAME... leave the set at once, when\n"
		"the set without them validates (an API file that another one appends to cannot go\n"
		"alone: exit 3). Config files cannot be deleted through the API.\n"
		"\nexamples:\n"
		"  fapictl rules delete custom.yaml",
	.opts = fapictl_rules_delete_opts,
	.flags = FAPICTL_CMD_CONNECTS,
	.run = fapictl_rules_delete_run,
};
