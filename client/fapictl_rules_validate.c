/* fapictl rules validate FILE...: the set the files would make, checked;
 * nothing changes. Diagnostics as FILE:LINE:COL: error: ... for editors. */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fapictl_rules.h"

static const fapictl_opt fapictl_rules_validate_opts[] = {
	{"delete", "NAME", "validate the set without the API file NAME (repeatable)"},
	{"json", NULL, "one JSON object (see README.md)"},
	{NULL, NULL, NULL},
};

static int fapictl_rules_validate_run(const fapictl_conn *conn, const fapictl_args *a)
{
	char *del[FAPICTL_RULES_MAX_TAGS];
	size_t ndel = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->names[i], "delete") != 0)
			continue;
		if (ndel == FAPICTL_RULES_MAX_TAGS)
			return fapictl_usage_error(a->cmd, "at most %d --delete", FAPICTL_RULES_MAX_TAGS);
		del[ndel++] = (char *)a->values[i];
	}
	if (!a->npos && !ndel)
		return fapictl_usage_error(a->cmd, "no file given");
	fapictl_rules_files f;
	if (fapictl_rules_files_read(a->pos, a->npos, &f) < 0)
		return FAPICTL_EXIT_USAGE;
	Falco__Rules__ValidateRequest req = FALCO__RULES__VALIDATE_REQUEST__INIT;
	req.files = f.files;
	req.n_files = f.n;
	req.delete_ = del;
	req.n_delete_ = ndel;
	ProtobufCMessage *m;
	fapictl_rpc_status st;
	int rc;
	if (fapictl_rules_call(conn, "/falco.api.unary/rules_validate", &req.base,
			       &falco__rules__validate_response__descriptor, &m, &st) < 0) {
		fapictl_conn_report(conn->targets[0], st.code, st.details);
		rc = FAPICTL_EXIT_RPC;
	} else {
		const Falco__Rules__ValidateResponse *r = (const Falco__Rules__ValidateResponse *)m;
		if (fapictl_args_has(a, "json")) {
			printf("{\"valid\":%s,\"revision\":%" PRIu64 ",\"diagnostics\":[", r->valid ? "true" : "false",
			       r->revision);
			for (size_t i = 0; i < r->n_diagnostics; i++) {
				if (i)
					putchar(',');
				fapictl_rules_diag_json(r->diagnostics[i]);
			}
			puts("]}");
		} else {
			/* Errors and warnings on stdout, in the set's order: an
			 * editor's quickfix list reads them from there. */
			for (size_t i = 0; i < r->n_diagnostics; i++)
				fapictl_rules_diag_text(stdout, r->diagnostics[i], &f);
			if (r->valid)
				printf("valid (against revision %" PRIu64 ")\n", r->revision);
		}
		rc = r->valid ? FAPICTL_EXIT_OK : FAPICTL_EXIT_INVALID;
		protobuf_c_message_free_unpacked(m, NULL);
	}
	fapictl_rpc_status_free(&st);
	fapictl_rules_files_free(&f);
	return rc;
}

const fapictl_cmd fapictl_rules_validate_cmd = {
	.path = "rules validate",
	.summary = "validate the set some rules files would make, changing nothing",
	.usage = "FILE... [--delete NAME]... [--json]",
	.help = "Calls /falco.api.unary/rules_validate: the set the config files, the API files and\n"
		"FILE... (each named after its base name, replacing an API file of that name) would make\n"
		"is loaded and compiled by the daemon, and every error and warning is printed as\n"
		"  FILE:LINE:COL: error: ITEM: MESSAGE\n"
		"  FILE:LINE:COL: warning (CODE): ITEM: MESSAGE\n"
		"with FILE the path given, so that editors jump to them (vim: :cexpr system(...)).\n"
		"Exit code 0 when it would apply, 3 when it would not.\n"
		"\nexamples:\n"
		"  fapictl rules validate custom.yaml\n"
		"  fapictl rules validate --delete old.yaml new.yaml",
	.opts = fapictl_rules_validate_opts,
	.flags = FAPICTL_CMD_CONNECTS,
	.run = fapictl_rules_validate_run,
};
