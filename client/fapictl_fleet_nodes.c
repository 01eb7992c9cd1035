/* fapictl fleet nodes: the nodes that published recently to the forward
 * module's stream, with their alert count and last alert time. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fapictl_cmd.h"
#include "fapictl_fleet.h"

#define FAPICTL_FLEET_MAX_NODES 4096

static const fapictl_opt fapictl_fleet_nodes_opts[] = {
	{"nats", "URL", "the NATS server (nats://host:4222, tls://...)"},
	{"stream", "NAME", "the JetStream stream (default FALCO)"},
	{"since", "D", "how far back to look (default 1h)"},
	{"json", NULL, "one JSON object a line"},
	{NULL, NULL, NULL},
};

typedef struct fapictl_fleet_node {
	char *name;
	char *last_time;
	unsigned long long alerts;
} fapictl_fleet_node;

static int fapictl_fleet_nodes_run(const fapictl_conn *conn, const fapictl_args *args)
{
	(void)conn;
	fapictl_fleet f;
	int rc = fapictl_fleet_open(&f, args, 3600 * 1000);
	if (rc != FAPICTL_EXIT_OK)
		return rc;
	static fapictl_fleet_node nodes[FAPICTL_FLEET_MAX_NODES];
	size_t n = 0;
	natsMsg *m;
	/* History ends where the stream does: 1 s without a message. */
	while ((m = fapictl_fleet_next(&f, 1000))) {
		cJSON *o = cJSON_ParseWithLength(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m));
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "hostname");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "time");
		if (cJSON_IsString(h) && cJSON_IsString(t)) {
			size_t i = 0;
			while (i < n && strcmp(nodes[i].name, h->valuestring) != 0)
				i++;
			if (i == n && n < FAPICTL_FLEET_MAX_NODES)
				nodes[n++].name = strdup(h->valuestring);
			if (i < n) {
				free(nodes[i].last_time);
				nodes[i].last_time = strdup(t->valuestring);
				nodes[i].alerts++;
			}
		}
		cJSON_Delete(o);
		fapictl_fleet_done(&f, m);
	}
	bool broken = f.broken;
	fapictl_fleet_close(&f);
	if (broken) {
		for (size_t i = 0; i < n; i++) {
			free(nodes[i].name);
			free(nodes[i].last_time);
		}
		return FAPICTL_EXIT_RPC;
	}
	bool json = fapictl_args_has(args, "json");
	if (!json)
		printf("%-32s %10s  %s\n", "NODE", "ALERTS", "LAST ALERT");
	for (size_t i = 0; i < n; i++) {
		if (json) {
			/* Built by cJSON: a node name is any string a daemon sent. */
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "node", nodes[i].name);
			cJSON_AddNumberToObject(o, "alerts", (double)nodes[i].alerts);
			cJSON_AddStringToObject(o, "last_alert", nodes[i].last_time ? nodes[i].last_time : "");
			char *line = cJSON_PrintUnformatted(o);
			if (line)
				printf("%s\n", line);
			free(line);
			cJSON_Delete(o);
		} else
			printf("%-32s %10llu  %s\n", nodes[i].name, nodes[i].alerts,
			       nodes[i].last_time ? nodes[i].last_time : "");
		free(nodes[i].name);
		free(nodes[i].last_time);
	}
	return FAPICTL_EXIT_OK;
}

const fapictl_cmd fapictl_fleet_nodes_cmd = {
	.path = "fleet nodes",
	.summary = "the nodes seen recently in NATS JetStream, with their last alert time",
	.usage = "--nats URL [--stream NAME] [--since D] [--json]",
	.help = "Reads the forward module's stream from --since ago (default 1h) to its end and lists\n"
		"every node that published, its alert count and its last alert's time.\n",
	.opts = fapictl_fleet_nodes_opts,
	.run = fapictl_fleet_nodes_run,
};
