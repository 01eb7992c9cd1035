#ifndef FAPI_HTTP_ROUTES_H
#define FAPI_HTTP_ROUTES_H

/* What modules registered for the HTTP server (fapi/http.h): routes and
 * metrics collectors. Filled on the main thread during register_rpcs,
 * read-only once the server starts (no lock: the server starts after
 * every module registered). */

#include <stdbool.h>
#include <stddef.h>

#include "fapi/http.h"

typedef struct http_route {
	char *module; /* the registering module's name; owned */
	char *method; /* owned */
	char *path;   /* owned */
	fapi_http_handler_fn handler;
	void *user;
	uint64_t max_body;
} http_route;

typedef struct http_collector {
	char *module; /* owned */
	char *name;   /* owned */
	fapi_metrics_collect_fn collect;
	void *user;
} http_collector;

typedef struct http_routes {
	http_route *routes; /* owned */
	size_t nroutes;
	http_collector *collectors; /* owned */
	size_t ncollectors;
} http_routes;

/* Adds a route (the strings copied). Returns FAPI_OK, FAPI_EINVAL,
 * FAPI_EEXIST (the method and path are taken, the core's own /healthz and
 * /metrics included) or FAPI_ENOMEM, with err. */
int http_routes_add(http_routes *r, const char *module, const fapi_http_route *route, char *err, size_t errlen);
/* Adds a collector. Returns FAPI_OK, FAPI_EINVAL or FAPI_ENOMEM, with err. */
int http_routes_add_collector(http_routes *r, const char *module, const fapi_metrics_collector *c, char *err,
			      size_t errlen);
/* The route serving `path`: with `method` when one matches, else any
 * route on that path (*method_ok then false), else NULL. */
const http_route *http_routes_find(const http_routes *r, const char *method, const char *path, bool *method_ok);
/* Frees everything; r is then empty. */
void http_routes_free(http_routes *r);

#endif
