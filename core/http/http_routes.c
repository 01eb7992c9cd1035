/* The routes and collectors modules registered. */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/status.h"
#include "http/http_routes.h"

/* Served by the core itself; a module cannot take them. */
static const char *const http_routes_reserved[] = {"/healthz", "/metrics"};

static bool http_routes_reserved_path(const char *path)
{
	for (size_t i = 0; i < sizeof(http_routes_reserved) / sizeof(http_routes_reserved[0]); i++)
		if (strcmp(path, http_routes_reserved[i]) == 0)
			return true;
	return false;
}

const http_route *http_routes_find(const http_routes *r, const char *method, const char *path, bool *method_ok)
{
	const http_route *any = NULL;
	for (size_t i = 0; i < r->nroutes; i++) {
		if (strcmp(r->routes[i].path, path) != 0)
			continue;
		if (strcmp(r->routes[i].method, method) == 0) {
			*method_ok = true;
			return &r->routes[i];
		}
		any = &r->routes[i];
	}
	*method_ok = false;
	return any;
}

int http_routes_add(http_routes *r, const char *module, const fapi_http_route *route, char *err, size_t errlen)
{
	if (!route || route->size < offsetof(fapi_http_route, user) || !route->method || !route->method[0] ||
	    !route->path || route->path[0] != '/' || !route->handler) {
		snprintf(err, errlen,
			 "http route: NULL, size too small (FAPI_HTTP_ROUTE_INIT), no method, a path not "
			 "starting with '/' or no handler");
		return FAPI_EINVAL;
	}
	bool method_ok;
	if (http_routes_reserved_path(route->path) ||
	    (http_routes_find(r, route->method, route->path, &method_ok) && method_ok)) {
		snprintf(err, errlen, "http route %s %s: already registered", route->method, route->path);
		return FAPI_EEXIST;
	}
	http_route *grown = realloc(r->routes, (r->nroutes + 1) * sizeof(*grown));
	if (!grown)
		goto oom;
	r->routes = grown;
	http_route *d = &r->routes[r->nroutes];
	*d = (http_route){
		.module = strdup(module ? module : ""),
		.method = strdup(route->method),
		.path = strdup(route->path),
		.handler = route->handler,
		.user = route->user,
		.max_body = route->size >= offsetof(fapi_http_route, max_body) + sizeof(route->max_body)
				    ? route->max_body
				    : 0,
	};
	if (!d->module || !d->method || !d->path) {
		free(d->module);
		free(d->method);
		free(d->path);
		goto oom;
	}
	r->nroutes++;
	return FAPI_OK;
oom:
	snprintf(err, errlen, "http route %s: out of memory", route->path);
	return FAPI_ENOMEM;
}

int http_routes_add_collector(http_routes *r, const char *module, const fapi_metrics_collector *c, char *err,
			      size_t errlen)
{
	if (!c || c->size < offsetof(fapi_metrics_collector, user) || !c->name || !c->name[0] || !c->collect) {
		snprintf(err, errlen,
			 "metrics collector: NULL, size too small (FAPI_METRICS_COLLECTOR_INIT), no name or no collect");
		return FAPI_EINVAL;
	}
	http_collector *grown = realloc(r->collectors, (r->ncollectors + 1) * sizeof(*grown));
	if (!grown)
		goto oom;
	r->collectors = grown;
	http_collector *d = &r->collectors[r->ncollectors];
	*d = (http_collector){.module = strdup(module ? module : ""), .name = strdup(c->name),
			      .collect = c->collect, .user = c->user};
	if (!d->module || !d->name) {
		free(d->module);
		free(d->name);
		goto oom;
	}
	r->ncollectors++;
	return FAPI_OK;
oom:
	snprintf(err, errlen, "metrics collector %s: out of memory", c->name);
	return FAPI_ENOMEM;
}

void http_routes_free(http_routes *r)
{
	for (size_t i = 0; i < r->nroutes; i++) {
		free(r->routes[i].module);
		free(r->routes[i].method);
		free(r->routes[i].path);
	}
	for (size_t i = 0; i < r->ncollectors; i++) {
		free(r->collectors[i].module);
		free(r->collectors[i].name);
	}
	free(r->routes);
	free(r->collectors);
	*r = (http_routes){0};
}
