/* fapictl version: the daemon's, the engine's and the modules' versions
 * (/falco.version.service/version). */

#include <stdio.h>

#include "engine/output/json_escape.h"
#include "fapictl_cmd.h"
#include "fapictl_rpc.h"
#include "version.pb-c.h"

static const fapictl_opt fapictl_version_opts[] = {
	{"json", NULL, "one JSON object a line per target (see README.md)"},
	{NULL, NULL, NULL},
};

static void fapictl_version_json_str(const char *key, const char *v, int comma)
{
	printf("%s\"%s\":", comma ? "," : "", key);
	json_escape_write(stdout, v);
}

static void fapictl_version_json(const Falco__Version__Response *r, const char *target)
{
	putchar('{');
	fapictl_version_json_str("version", r->version, 0);
	printf(",\"major\":%u,\"minor\":%u,\"patch\":%u", r->major, r->minor, r->patch);
	fapictl_version_json_str("prerelease", r->prerelease, 1);
	fapictl_version_json_str("build", r->build, 1);
	printf(",\"engine_minor\":%u", r->engine_minor);
	fapictl_version_json_str("engine_fields_checksum", r->engine_fields_checksum, 1);
	printf(",\"engine_major\":%u,\"engine_patch\":%u", r->engine_major, r->engine_patch);
	fapictl_version_json_str("engine_version", r->engine_version, 1);
	fapictl_version_json_str("git_commit", r->git_commit, 1);
	fapictl_version_json_str("build_type", r->build_type, 1);
	fputs(",\"modules\":[", stdout);
	for (size_t i = 0; i < r->n_modules; i++) {
		const Falco__Version__Module *m = r->modules[i];
		putchar(i ? ',' : '{');
		if (i)
			putchar('{');
		fapictl_version_json_str("name", m->name, 0);
		fapictl_version_json_str("version", m->version, 1);
		fapictl_version_json_str("description", m->description, 1);
		printf(",\"abi_major\":%u,\"abi_minor\":%u", m->abi_major, m->abi_minor);
		fapictl_version_json_str("library_path", m->library_path, 1);
		putchar('}');
	}
	printf("],\"abi_major\":%u,\"abi_minor\":%u", r->abi_major, r->abi_minor);
	fapictl_version_json_str("target", target, 1);
	puts("}");
}

static void fapictl_version_text(const Falco__Version__Response *r, const char *label)
{
	const char *l = label ? label : "";
	const char *sep = label ? " " : "";
	printf("%s%sdaemon:  falco-apid %s (commit %s, %s)\n", l, sep, r->version, r->git_commit[0] ? r->git_commit : "?",
	       r->build_type[0] ? r->build_type : "?");
	printf("%s%sengine:  %s (fields checksum %s)\n", l, sep, r->engine_version, r->engine_fields_checksum);
	printf("%s%smodule ABI: %u.%u\n", l, sep, r->abi_major, r->abi_minor);
	for (size_t i = 0; i < r->n_modules; i++) {
		const Falco__Version__Module *m = r->modules[i];
		printf("%s%smodule:  %s %s (ABI %u.%u) %s\n", l, sep, m->name, m->version, m->abi_major, m->abi_minor,
		       m->library_path);
	}
}

static int fapictl_version_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (a->npos)
		return fapictl_usage_error(a->cmd, "unexpected argument '%s'", a->pos[0]);
	int json = fapictl_args_has(a, "json");
	int rc = FAPICTL_EXIT_OK;
	double timeout = conn->timeout_s >= 0 ? conn->timeout_s : 10;
	for (size_t i = 0; i < conn->ntargets; i++) {
		char err[512];
		grpc_channel *ch = fapictl_conn_channel(conn, i, 0, err, sizeof(err));
		if (!ch) {
			fprintf(stderr, "fapictl: %s\n", err);
			rc = FAPICTL_EXIT_RPC;
			continue;
		}
		Falco__Version__Request req = FALCO__VERSION__REQUEST__INIT;
		fapictl_rpc_status st = {0};
		ProtobufCMessage *m = fapictl_rpc_unary(ch, "/falco.version.service/version", &req.base,
							&falco__version__response__descriptor, timeout, &st);
		if (!m) {
			fapictl_conn_report(conn->targets[i], st.code, st.details);
			rc = FAPICTL_EXIT_RPC;
		} else if (json) {
			fapictl_version_json((Falco__Version__Response *)m, conn->targets[i]);
		} else {
			fapictl_version_text((Falco__Version__Response *)m,
					     conn->ntargets > 1 ? conn->targets[i] : NULL);
		}
		if (m)
			protobuf_c_message_free_unpacked(m, NULL);
		fapictl_rpc_status_free(&st);
		grpc_channel_destroy(ch);
	}
	return rc;
}

const fapictl_cmd fapictl_version_cmd = {
	.path = "version",
	.summary = "the daemon's, the engine's and the loaded modules' versions",
	.usage = "[--json] [--target ADDR]...",
	.help = "Calls /falco.version.service/version (Falco's) and prints the daemon's version, git\n"
		"commit and build type, the engine's version and fields checksum, the module ABI and\n"
		"every loaded module. With several --target each line starts with the target.\n"
		"--timeout D: the call's deadline (default 10 s).\n"
		"\nexamples:\n"
		"  fapictl version\n"
		"  fapictl version --json --target unix:///run/falco/falco.sock --target 10.0.0.2:5060 --ca ca.crt",
	.opts = fapictl_version_opts,
	.flags = FAPICTL_CMD_CONNECTS | FAPICTL_CMD_MULTI,
	.run = fapictl_version_run,
};
