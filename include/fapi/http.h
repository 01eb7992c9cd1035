#ifndef FAPI_HTTP_H
#define FAPI_HTTP_H

/* HTTP routes and metrics for modules (ABI 1.5).
 *
 * The core runs one HTTP server (Falco's `webserver` keys; off by
 * default). A module adds routes to it (the inputs module's /k8s-audit) and
 * metrics collectors to its /metrics page (Prometheus text format 0.0.4),
 * through the host functions of the "HTTP routes and metrics" group of
 * fapi_host. Both are registered inside register_rpcs, like RPCs; when the
 * web server is disabled, registration still succeeds and nothing is
 * served (collectors then feed only the `metrics` snapshots). */

#include <stddef.h>
#include <stdint.h>

/* ---- routes ---- */

/* One HTTP request, as a route's handler sees it. Filled by the host;
 * every pointer is host-owned and valid only until the handler returns
 * (copy what must outlive it). */
typedef struct fapi_http_request {
	uint32_t size;      /* sizeof(fapi_http_request) of the host; read members only below it */
	const char *method; /* "GET", "POST", ... as received (upper case) */
	const char *path;   /* the path without the query string: "/k8s-audit" */
	const char *query;  /* the raw query string without '?', "" when none */
	/* The whole request body (NUL-terminated for convenience; body_len
	 * excludes the NUL); "" and 0 when there is none. The host has read
	 * it completely before calling the handler, bounded by the route's
	 * max_body or the webserver's limit (larger requests are answered 413
	 * without calling the handler). */
	const uint8_t *body;
	size_t body_len;
	/* Looks up a request header, case-insensitively ("Content-Type"):
	 * its value, host-owned, valid until the handler returns, or NULL
	 * when absent. Call it only with this request, during the handler. */
	const char *(*header)(const struct fapi_http_request *req, const char *name);
	/* The client's address ("127.0.0.1:41234"); host-owned. */
	const char *peer;
	void *host_private; /* the host's; do not touch */
} fapi_http_request;

/* The answer a handler gives. The host zero-fills it and sets size; the
 * handler sets what it needs. The host copies content_type and body after
 * the handler returns, so they need live only until then (a static
 * string, or a buffer the handler frees afterwards: see body_free). */
typedef struct fapi_http_response {
	uint32_t size;            /* sizeof(fapi_http_response) of the host: members below it exist */
	int status;               /* the HTTP status; 0 means 200 */
	const char *content_type; /* optional: NULL means "text/plain; charset=utf-8" */
	const void *body;         /* optional: the body (NULL = empty) */
	size_t body_len;          /* its length in bytes */
	/* Optional: called by the host with `body` once it has copied it
	 * (lets a handler return a malloc'ed body: set body_free = free). */
	void (*body_free)(void *body);
} fapi_http_response;

/* A route's handler. Called on one of the HTTP server's threads, possibly
 * on several threads at once for concurrent requests (make it
 * thread-safe), only between the module's start and stop. It may block
 * (waiting for room in a queue, say): that holds only its own HTTP
 * connection's thread, never the engine or the gRPC server, but the
 * webserver's thread count bounds how many requests can wait at once, so
 * bound the wait. Returns FAPI_OK with *resp filled, or any other
 * FAPI_* code: the host then answers 500 with an empty body (resp
 * ignored, but body_free still called when set). */
typedef int (*fapi_http_handler_fn)(const fapi_http_request *req, fapi_http_response *resp, void *user);

/* A route to register. */
typedef struct fapi_http_route {
	uint32_t size;   /* required: sizeof(fapi_http_route), FAPI_HTTP_ROUTE_INIT sets it */
	/* required: the method served ("POST"); other methods on the path
	 * are answered 405. Copied. */
	const char *method;
	/* required: the exact path, starting with '/' ("/k8s-audit"); no
	 * prefix matching, the query string ignored. Copied. */
	const char *path;
	fapi_http_handler_fn handler; /* required */
	void *user;                   /* optional: handed to handler */
	/* optional: the largest body accepted on this route, in bytes; 0 =
	 * the webserver's webserver.max_body_bytes. */
	uint64_t max_body;
} fapi_http_route;

#define FAPI_HTTP_ROUTE_INIT {.size = (uint32_t)sizeof(fapi_http_route)}

/* ---- metrics ---- */

/* Where a collector writes its samples: host-owned, valid only during the
 * collect call it is handed to. */
typedef struct fapi_metrics_writer fapi_metrics_writer;

/* Prometheus metric types. */
typedef enum fapi_metric_type {
	FAPI_METRIC_COUNTER = 0,
	FAPI_METRIC_GAUGE = 1,
	FAPI_METRIC_UNTYPED = 2,
	/* Samples NAME_bucket{le="..."} (cumulative, ending with le="+Inf"),
	 * NAME_sum and NAME_count, written with metrics_sample*. */
	FAPI_METRIC_HISTOGRAM = 3
} fapi_metric_type;

/* Writes the collector's samples with the writer functions of fapi_host
 * (metrics_family, then metrics_sample/metrics_sample_u64 for that
 * family's samples). Called on an HTTP server thread for a scrape of
 * /metrics, or on the metrics snapshot thread (metrics.interval), possibly
 * concurrently; only between the module's start and stop. Must be quick
 * and must not block: read atomics or copy under a short lock. */
typedef void (*fapi_metrics_collect_fn)(fapi_metrics_writer *w, void *user);

/* A collector to register. */
typedef struct fapi_metrics_collector {
	uint32_t size;                   /* required: FAPI_METRICS_COLLECTOR_INIT sets it */
	const char *name;                /* required: names it in logs ("inputs"); copied */
	fapi_metrics_collect_fn collect; /* required */
	void *user;                      /* optional: handed to collect */
} fapi_metrics_collector;

#define FAPI_METRICS_COLLECTOR_INIT {.size = (uint32_t)sizeof(fapi_metrics_collector)}

#endif
