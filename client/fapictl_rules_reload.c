/* fapictl rules reload: the config rules files read again, as SIGHUP. */

#include "fapictl_rules.h"

static const fapictl_opt fapictl_rules_reload_opts[] = {
	{"if-revision", "N", "fail (ABORTED, nothing changed) unless the set is at revision N"},
	{"json", NULL, "one JSON object (see README.md)"},
	{NULL, NULL, NULL},
};

static int fapictl_rules_reload_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (a->npos)
		return fapictl_usage_error(a->cmd, "unexpected argument '%s'", a->pos[0]);
	Falco__Rules__ReloadRequest req = FALCO__RULES__RELOAD_REQUEST__INIT;
	if (fapictl_rules_if_revision(a, &req.if_revision) < 0)
		return FAPICTL_EXIT_USAGE;
	return fapictl_rules_write(conn, a, "/falco.api.unary/rules_reload", &req.base, NULL);
}

const fapictl_cmd fapictl_rules_reload_cmd = {
	.path = "rules reload",
	.summary = "re-read the config rules files from disk and apply them with the API files (as SIGHUP)",
	.usage = "[--if-revision N] [--json]",
	.help = "Calls /falco.api.unary/rules_reload: the rules files of falco.yaml are read again and\n"
		"the set they make with the API files and toggles is swapped in, or nothing changes\n"
		"(their errors print as FILE:LINE:COL: error: ..., exit 3). A new revision.\n"
		"\nexamples:\n"
		"  fapictl rules reload",
	.opts = fapictl_rules_reload_opts,
	.flags = FAPICTL_CMD_CONNECTS,
	.run = fapictl_rules_reload_run,
};
