/* fapictl fleet watch: every node's alerts from the forward module's
 * JetStream stream, labelled with the node; history first when asked. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fapictl_cmd.h"
#include "fapictl_fleet.h"

static const fapictl_opt fapictl_fleet_watch_opts[] = {
	{"nats", "URL", "the NATS server (nats://host:4222, tls://...)"},
	{"stream", "NAME", "the JetStream stream (default FALCO)"},
	{"since", "D", "replay history from D ago first: 10s, 5m, 1h"},
	{"from-seq", "N", "replay history from stream sequence N first"},
	{"durable", "NAME", "a durable consumer: resumes where it stopped"},
	{"node", "NAME", "only this node's alerts"},
	{"rule", "NAME", "only this rule's alerts"},
	{"json", NULL, "the alerts as published: one JSON object a line, with hostname and seq"},
	{"count", "N", "stop after N alerts"},
	{"idle", "D", "stop after D without an alert"},
	{NULL, NULL, NULL},
};

static const char *fapictl_fleet_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static int fapictl_fleet_watch_run(const fapictl_conn *conn, const fapictl_args *args)
{
	(void)conn;
	const char *node = fapictl_args_get(args, "node"), *rule = fapictl_args_get(args, "rule");
	const char *count_s = fapictl_args_get(args, "count"), *idle_s = fapictl_args_get(args, "idle");
	bool json = fapictl_args_has(args, "json");
	long long count = count_s ? atoll(count_s) : 0;
	if (count_s && count <= 0)
		return fapictl_usage_error(args->cmd, "--count: a positive number expected: %s", count_s);
	int64_t idle = idle_s ? fapictl_fleet_duration_ms(idle_s) : -1;
	if (idle_s && idle <= 0)
		return fapictl_usage_error(args->cmd, "--idle: not a duration: %s", idle_s);
	fapictl_fleet f;
	int rc = fapictl_fleet_open(&f, args, 0);
	if (rc != FAPICTL_EXIT_OK)
		return rc;
	long long seen = 0;
	while (!count || seen < count) {
		natsMsg *m = fapictl_fleet_next(&f, idle > 0 ? idle : 3600 * 1000);
		if (!m) {
			/* A closed connection fails at once: without this the
			 * loop would spin. */
			if (f.broken) {
				fapictl_fleet_close(&f);
				return FAPICTL_EXIT_RPC;
			}
			if (idle > 0)
				break;
			continue;
		}
		cJSON *o = cJSON_ParseWithLength(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m));
		if (o && (!node || strcmp(fapictl_fleet_str(o, "hostname"), node) == 0) &&
		    (!rule || strcmp(fapictl_fleet_str(o, "rule"), rule) == 0)) {
			if (json)
				printf("%.*s\n", natsMsg_GetDataLength(m), natsMsg_GetData(m));
			else
				printf("[%s] %s %s %s: %s\n", fapictl_fleet_str(o, "hostname"), fapictl_fleet_str(o, "time"),
				       fapictl_fleet_str(o, "priority"), fapictl_fleet_str(o, "rule"),
				       fapictl_fleet_str(o, "output"));
			fflush(stdout);
			seen++;
		}
		cJSON_Delete(o);
		fapictl_fleet_done(&f, m);
	}
	fapictl_fleet_close(&f);
	return FAPICTL_EXIT_OK;
}

const fapictl_cmd fapictl_fleet_watch_cmd = {
	.path = "fleet watch",
	.summary = "every node's alerts from NATS JetStream (the forward module's stream)",
	.usage = "--nats URL [--stream NAME] [--since D | --from-seq N] [--durable NAME] [--node N] [--rule R] [--json]",
	.help = "Reads the stream the forward module of every node publishes to, with an ephemeral\n"
		"consumer (or --durable NAME), and prints each alert labelled with its node.\n"
		"Without --since or --from-seq only new alerts are shown.\n"
		"Example: fapictl fleet watch --nats nats://127.0.0.1:4222 --since 1h\n",
	.opts = fapictl_fleet_watch_opts,
	.run = fapictl_fleet_watch_run,
};
