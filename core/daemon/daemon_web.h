#ifndef FAPI_DAEMON_WEB_H
#define FAPI_DAEMON_WEB_H

/* The daemon's web server: Falco's webserver keys read, the /metrics page
 * assembled from the engine, the bus, core/losses and modules'
 * collectors, and the server started after the modules. */

#include <stddef.h>

#include "config/config_tree.h"
#include "http/http_server.h"
#include "modules/loader.h"

struct engine;
struct bus;
struct rules_ctl;

typedef struct daemon_web {
	http_server *srv;
	struct engine *engine; /* borrowed, may be NULL */
	struct bus *bus;       /* borrowed, may be NULL */
	const module_set *mods; /* borrowed: losses' registry and collectors */
	const struct service_table *grpc; /* borrowed: the gRPC methods' counters, or NULL (grpc disabled) */
	struct rules_ctl *rules; /* borrowed, may be NULL: its last change is the reload timestamp */
	uint64_t start_ns;      /* wall clock at start: the reload timestamp without rules */
} daemon_web;

/* Starts the server when webserver.enabled (else does nothing and returns
 * 0), logging "webserver listening on ADDR:PORT". 0, or -1 with err. */
int daemon_web_start(daemon_web *w, const config_node *root, char *err, size_t errlen);
/* Appends the /metrics page. Thread-safe. */
void daemon_web_metrics(strbuf *out, void *user);
/* Stops the server; fine when it never started. */
void daemon_web_stop(daemon_web *w);

#endif
