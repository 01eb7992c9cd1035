/* fapictl rules put FILE...: create or replace API rules files at once. */

#include "fapictl_rules.h"

static const fapictl_opt fapictl_rules_put_opts[] = {
	{"if-revision", "N", "fail (ABORTED, nothing changed) unless the set is at revision N"},
	{"json", NULL, "one JSON object (see README.md)"},
	{NULL, NULL, NULL},
};

static int fapictl_rules_put_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (!a->npos)
		return fapictl_usage_error(a->cmd, "no file given");
	Falco__Rules__PutRequest req = FALCO__RULES__PUT_REQUEST__INIT;
	if (fapictl_rules_if_revision(a, &req.if_revision) < 0)
		return FAPICTL_EXIT_USAGE;
	fapictl_rules_files f;
	if (fapictl_rules_files_read(a->pos, a->npos, &f) < 0)
		return FAPICTL_EXIT_USAGE;
	req.files = f.files;
	req.n_files = f.n;
	int rc = fapictl_rules_write(conn, a, "/falco.api.unary/rules_put", &req.base, &f);
	fapictl_rules_files_free(&f);
	return rc;
}

const fapictl_cmd fapictl_rules_put_cmd = {
	.path = "rules put",
	.summary = "create or replace API rules files (validated with the whole set, atomic, durable)",
	.usage = "FILE... [--if-revision N] [--json]",
	.help = "Calls /falco.api.unary/rules_put with every FILE, named after its base name\n"
		"(NAME.yaml, [A-Za-z0-9._-]). The set they make with the config files and the other API\n"
		"files is validated whole and swapped in between two events, and is on disk before the\n"
		"answer: the new revision and the files changed. When it does not validate nothing\n"
		"changes; the errors print as FILE:LINE:COL: error: ... and the exit code is 3.\n"
		"--if-revision N: only when nobody changed the set since revision N (else exit 1,\n"
		"ABORTED).\n"
		"\nexamples:\n"
		"  fapictl rules put custom.yaml\n"
		"  fapictl rules put 10-web.yaml 20-db.yaml --if-revision 7",
	.opts = fapictl_rules_put_opts,
	.flags = FAPICTL_CMD_CONNECTS,
	.run = fapictl_rules_put_run,
};
