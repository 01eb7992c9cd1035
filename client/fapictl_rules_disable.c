/* fapictl rules disable RULE... [--tag T]...: disable rules by name or tag, of any origin (persisted). */

#include "fapictl_rules.h"

static const fapictl_opt fapictl_rules_disable_opts[] = {
	{"tag", "T", "also every rule with tag T (repeatable)"},
	{"if-revision", "N", "fail (ABORTED, nothing changed) unless the set is at revision N"},
	{"json", NULL, "one JSON object (see README.md)"},
	{NULL, NULL, NULL},
};

static int fapictl_rules_disable_run(const fapictl_conn *conn, const fapictl_args *a)
{
	return fapictl_rules_toggle(conn, a, 0);
}

const fapictl_cmd fapictl_rules_disable_cmd = {
	.path = "rules disable",
	.summary = "disable rules by name or tag, of any origin (persisted)",
	.usage = "[RULE]... [--tag T]... [--if-revision N] [--json]",
	.help = "Calls /falco.api.unary/rules_enable (enable: false) for the rules named RULE (exact names,\n"
		"quote names with spaces) and every rule with one of the --tag T. The toggle is kept in\n"
		"the module's state and applies on top of the rules files' own enabled:, across puts,\n"
		"reloads and restarts; a later toggle of the same rule or tag replaces it. A name or tag\n"
		"that matches no rule of the running set is refused (exit 1, NOT_FOUND).\n"
		"\nexamples:\n"
		"  fapictl rules disable 'Write below etc'\n"
		"  fapictl rules disable --tag network",
	.opts = fapictl_rules_disable_opts,
	.flags = FAPICTL_CMD_CONNECTS,
	.run = fapictl_rules_disable_run,
};
