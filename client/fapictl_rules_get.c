/* fapictl rules get NAME: one file of the set, its content on stdout. */

#include <inttypes.h>
#include <stdio.h>

#include "engine/output/json_escape.h"
#include "fapictl_rules.h"

static const fapictl_opt fapictl_rules_get_opts[] = {
	{"json", NULL, "one JSON object with the content and its details (see README.md)"},
	{NULL, NULL, NULL},
};

static int fapictl_rules_get_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (a->npos != 1)
		return fapictl_usage_error(a->cmd, "one file name expected");
	Falco__Rules__GetRequest req = FALCO__RULES__GET_REQUEST__INIT;
	req.name = a->pos[0];
	ProtobufCMessage *m;
	fapictl_rpc_status st;
	int rc = FAPICTL_EXIT_OK;
	if (fapictl_rules_call(conn, "/falco.api.unary/rules_get", &req.base, &falco__rules__get_response__descriptor,
			       &m, &st) < 0) {
		fapictl_conn_report(conn->targets[0], st.code, st.details);
		rc = FAPICTL_EXIT_RPC;
	} else {
		const Falco__Rules__GetResponse *r = (const Falco__Rules__GetResponse *)m;
		const Falco__Rules__FileInfo *fi = r->file;
		if (fapictl_args_has(a, "json")) {
			fputs("{\"name\":", stdout);
			json_escape_write(stdout, fi ? fi->name : "");
			fputs(",\"origin\":", stdout);
			json_escape_write(stdout, fi ? fi->origin : "");
			printf(",\"sha256\":\"%s\",\"revision\":%" PRIu64 ",\"size\":%" PRIu64
			       ",\"set_revision\":%" PRIu64 ",\"content\":",
			       fi ? fi->sha256 : "", fi ? fi->revision : 0, fi ? fi->size : 0, r->revision);
			json_escape_write(stdout, r->content);
			puts("}");
		} else {
			fputs(r->content, stdout);
		}
		protobuf_c_message_free_unpacked(m, NULL);
	}
	fapictl_rpc_status_free(&st);
	return rc;
}

const fapictl_cmd fapictl_rules_get_cmd = {
	.path = "rules get",
	.summary = "print one rules file of the set (an API file, or a config file by its path)",
	.usage = "NAME [--json]",
	.help = "Calls /falco.api.unary/rules_get and prints the file's content as it is (so that\n"
		"`fapictl rules get x.yaml > x.yaml` gives back the file). --json adds its origin, sha256,\n"
		"the revision it was last changed in and the set's revision. A config file is named by\n"
		"its path, as `fapictl rules list` shows it, and read from disk at the call.\n"
		"\nexamples:\n"
		"  fapictl rules get custom.yaml\n"
		"  fapictl rules get /etc/falco/falco_rules.yaml | less",
	.opts = fapictl_rules_get_opts,
	.flags = FAPICTL_CMD_CONNECTS,
	.run = fapictl_rules_get_run,
};
