/* fapictl health: grpc.health.v1.Health/Check. */

#include <stdio.h>

#include "engine/output/json_escape.h"
#include "fapictl_cmd.h"
#include "fapictl_rpc.h"
#include "health.pb-c.h"

static const fapictl_opt fapictl_health_opts[] = {
	{"service", "NAME", "the service to ask about (default: the server as a whole)"},
	{"json", NULL, "one JSON object a line per target (see README.md)"},
	{NULL, NULL, NULL},
};

static int fapictl_health_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (a->npos)
		return fapictl_usage_error(a->cmd, "unexpected argument '%s'", a->pos[0]);
	int json = fapictl_args_has(a, "json");
	const char *service = fapictl_args_get(a, "service");
	int rc = FAPICTL_EXIT_OK;
	double timeout = conn->timeout_s >= 0 ? conn->timeout_s : 10;
	for (size_t i = 0; i < conn->ntargets; i++) {
		char err[512];
		const char *target = conn->targets[i];
		grpc_channel *ch = fapictl_conn_channel(conn, i, 0, err, sizeof(err));
		if (!ch) {
			fprintf(stderr, "fapictl: %s\n", err);
			rc = FAPICTL_EXIT_RPC;
			continue;
		}
		Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
		req.service = (char *)(service ? service : "");
		fapictl_rpc_status st = {0};
		ProtobufCMessage *m = fapictl_rpc_unary(ch, "/grpc.health.v1.Health/Check", &req.base,
							&grpc__health__v1__health_check_response__descriptor, timeout, &st);
		if (!m) {
			fapictl_conn_report(target, st.code, st.details);
			rc = FAPICTL_EXIT_RPC;
		} else {
			Grpc__Health__V1__HealthCheckResponse *r = (Grpc__Health__V1__HealthCheckResponse *)m;
			const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
				&grpc__health__v1__health_check_response__serving_status__descriptor, (int)r->status);
			const char *name = v ? v->name : "UNKNOWN";
			if (json) {
				fputs("{\"status\":", stdout);
				json_escape_write(stdout, name);
				fputs(",\"service\":", stdout);
				json_escape_write(stdout, req.service);
				fputs(",\"target\":", stdout);
				json_escape_write(stdout, target);
				puts("}");
			} else if (conn->ntargets > 1) {
				printf("%s %s\n", target, name);
			} else {
				puts(name);
			}
			if (r->status != GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING) {
				fprintf(stderr, "fapictl: %s is not serving: %s\n", target, name);
				rc = FAPICTL_EXIT_RPC;
			}
			protobuf_c_message_free_unpacked(m, NULL);
		}
		fapictl_rpc_status_free(&st);
		grpc_channel_destroy(ch);
	}
	return rc;
}

const fapictl_cmd fapictl_health_cmd = {
	.path = "health",
	.summary = "whether the daemon serves (gRPC health checking)",
	.usage = "[--service NAME] [--json] [--target ADDR]...",
	.help = "Calls grpc.health.v1.Health/Check and prints the serving status (SERVING, NOT_SERVING,\n"
		"SERVICE_UNKNOWN). Exit 0 only when every target is SERVING. With several --target each\n"
		"line starts with the target. --timeout D: the call's deadline (default 10 s).\n"
		"\nexamples:\n"
		"  fapictl health\n"
		"  fapictl health --target unix:///run/falco/falco.sock --target unix:///tmp/other.sock --json",
	.opts = fapictl_health_opts,
	.flags = FAPICTL_CMD_CONNECTS | FAPICTL_CMD_MULTI,
	.run = fapictl_health_run,
};
