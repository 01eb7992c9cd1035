#ifndef FAPI_HTTP_SERVER_H
#define FAPI_HTTP_SERVER_H

/* The core's HTTP server (libmicrohttpd, TLS through its GnuTLS): Falco's
 * /healthz, /metrics, and the routes modules registered. Its own threads
 * (a pool of webserver.threads, polling internally); a request body is
 * read whole into a bounded buffer before a route's handler runs. */

#include <stddef.h>
#include <stdint.h>

#include "engine/util/strbuf.h"
#include "http/http_routes.h"

/* Appends the /metrics page to out. Called on a server thread, possibly
 * on several at once; must not block the engine. */
typedef void (*http_metrics_fn)(strbuf *out, void *user);

typedef struct http_server_opts {
	const char *address;      /* IPv4 or IPv6 literal to bind */
	uint16_t port;            /* 0 = any free port */
	unsigned threads;         /* the pool's size, >= 1 */
	unsigned max_connections; /* >= 1 */
	uint64_t max_body;        /* default body limit for routes */
	const char *tls_pem;      /* NULL = plain HTTP; else the PEM file with the key and the certificate */
	const http_routes *routes; /* borrowed; must outlive the server */
	http_metrics_fn metrics;  /* NULL = /metrics answers 404 */
	void *metrics_user;
} http_server_opts;

typedef struct http_server http_server;

/* Starts the server. Returns it, or NULL with err (the address does not
 * parse, the port is taken, the PEM file cannot be read or used). */
http_server *http_server_start(const http_server_opts *o, char *err, size_t errlen);
/* The port bound (the one chosen when opts.port was 0). */
uint16_t http_server_port(const http_server *s);
/* Stops it, waiting for requests in progress; NULL is fine. */
void http_server_stop(http_server *s);

#endif
