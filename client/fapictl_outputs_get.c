/* fapictl outputs get: Falco's /falco.outputs.service/get, the alerts
 * queued since the previous get. */

#include "fapictl_cmd.h"
#include "fapictl_outputs_stream.h"

static const fapictl_opt fapictl_outputs_get_opts[] = {
	{"json", NULL, "one JSON object a line (see README.md)"},
	{NULL, NULL, NULL},
};

static int fapictl_outputs_get_run(const fapictl_conn *conn, const fapictl_args *a)
{
	if (a->npos)
		return fapictl_usage_error(a->cmd, "unexpected argument '%s'", a->pos[0]);
	Falco__Outputs__Request req = FALCO__OUTPUTS__REQUEST__INIT;
	fapictl_outputs_stream_opts o = {
		.method = "/falco.outputs.service/get",
		.req = &req,
		.json = fapictl_args_has(a, "json"),
		.duration_s = -1,
		.deadline_s = conn->timeout_s,
	};
	return fapictl_outputs_stream_run(conn, &o);
}

const fapictl_cmd fapictl_outputs_get_cmd = {
	.path = "outputs get",
	.summary = "print the alerts queued since the previous get (Falco's get), then end",
	.usage = "[--json] [--timeout D] [--target ADDR]...",
	.help = "Calls Falco's /falco.outputs.service/get: the daemon sends the alerts it queued for\n"
		"Falco-style clients since the previous get (at most the outputs module's\n"
		"falco_queue_capacity) and ends the stream. Filters do not apply (Falco's get has none).\n"
		"--timeout D: fail (exit 1) when the stream has not ended after D.\n"
		"\nexamples:\n"
		"  fapictl outputs get\n"
		"  fapictl outputs get --json | jq -r .rule | sort | uniq -c",
	.opts = fapictl_outputs_get_opts,
	.flags = FAPICTL_CMD_CONNECTS | FAPICTL_CMD_MULTI,
	.run = fapictl_outputs_get_run,
};
