/* libmicrohttpd behind Falco's webserver keys. */

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/util/file_read.h"
#include "fapi/status.h"
#include "http/http_server.h"
#include "log/log.h"

struct http_server {
	struct MHD_Daemon *d;
	http_server_opts o;
	char *pem; /* the TLS key and certificate, read once; owned */
	uint16_t port;
};

/* One request in progress: its body, read before the handler runs. */
typedef struct http_request_state {
	strbuf body;
	uint64_t limit;
	bool too_big;
	const http_route *route;
	bool method_ok;
} http_request_state;

static enum MHD_Result http_server_send(struct MHD_Connection *c, unsigned status, const char *type,
					const void *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static const char *http_server_header(const fapi_http_request *req, const char *name)
{
	return name ? MHD_lookup_connection_value(req->host_private, MHD_HEADER_KIND, name) : NULL;
}

static void http_server_peer(struct MHD_Connection *c, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, outlen, "unknown");
	if (!ci || !ci->client_addr)
		return;
	char host[INET6_ADDRSTRLEN] = "";
	if (ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ci->client_addr;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(out, outlen, "%s:%u", host, ntohs(a->sin_port));
	} else if (ci->client_addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ci->client_addr;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(out, outlen, "[%s]:%u", host, ntohs(a->sin6_port));
	}
}

static enum MHD_Result http_server_route(struct MHD_Connection *c, const char *url, const char *method,
					 http_request_state *st)
{
	const char *q = strchr(url, '?');
	char peer[80];
	http_server_peer(c, peer, sizeof(peer));
	const char *body = st->body.p ? st->body.p : "";
	fapi_http_request req = {
		.size = sizeof(req),
		.method = method,
		.path = url,
		.query = q ? q + 1 : "",
		.body = (const uint8_t *)body,
		.body_len = st->body.len,
		.header = http_server_header,
		.peer = peer,
		.host_private = c,
	};
	fapi_http_response resp = {.size = sizeof(resp)};
	int rc = st->route->handler(&req, &resp, st->route->user);
	enum MHD_Result out;
	if (rc != FAPI_OK)
		out = http_server_send(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "", 0);
	else
		out = http_server_send(c, resp.status ? (unsigned)resp.status : MHD_HTTP_OK,
				       resp.content_type ? resp.content_type : "text/plain; charset=utf-8",
				       resp.body ? resp.body : "", resp.body ? resp.body_len : 0);
	if (resp.body_free && resp.body)
		resp.body_free((void *)resp.body);
	return out;
}

static enum MHD_Result http_server_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
					  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	http_server *s = cls;
	http_request_state *st = *con_cls;
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st)
			return MHD_NO;
		st->route = http_routes_find(s->o.routes, method, url, &st->method_ok);
		st->limit = st->route && st->route->max_body ? st->route->max_body : s->o.max_body;
		*con_cls = st;
		return MHD_YES;
	}
	if (*upload_size) {
		/* Past the limit the rest is read and discarded, so the client
		 * gets its 413 instead of a reset connection. */
		if (!st->too_big && st->body.len + *upload_size <= st->limit)
			strbuf_addn(&st->body, upload, *upload_size);
		else
			st->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/healthz") == 0 && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
		static const char ok[] = "{\"status\": \"ok\"}";
		return http_server_send(c, MHD_HTTP_OK, "application/json", ok, sizeof(ok) - 1);
	}
	if (strcmp(url, "/metrics") == 0 && s->o.metrics && strcmp(method, "GET") == 0) {
		strbuf page = STRBUF_INIT;
		s->o.metrics(&page, s->o.metrics_user);
		char *text = strbuf_finish(&page);
		if (!text)
			return http_server_send(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "", 0);
		enum MHD_Result rc =
			http_server_send(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
		free(text);
		return rc;
	}
	if (!st->route) {
		static const char nf[] = "Not Found";
		return http_server_send(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", nf, sizeof(nf) - 1);
	}
	if (!st->method_ok) {
		static const char na[] = "Method Not Allowed";
		return http_server_send(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", na, sizeof(na) - 1);
	}
	if (st->too_big || st->body.oom) {
		static const char tb[] = "Payload Too Large";
		return http_server_send(c, MHD_HTTP_CONTENT_TOO_LARGE, "text/plain; charset=utf-8", tb, sizeof(tb) - 1);
	}
	return http_server_route(c, url, method, st);
}

static void http_server_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
	(void)cls;
	(void)c;
	(void)t;
	http_request_state *st = *con_cls;
	if (st) {
		strbuf_free(&st->body);
		free(st);
	}
	*con_cls = NULL;
}

static void http_server_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	log_vmsg(FAPI_LOG_DEBUG, "webserver", fmt, ap);
}

http_server *http_server_start(const http_server_opts *o, char *err, size_t errlen)
{
	struct sockaddr_storage ss = {0};
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (strchr(o->address, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(o->port);
		if (inet_pton(AF_INET6, o->address, &a->sin6_addr) != 1)
			goto bad_address;
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(o->port);
		if (inet_pton(AF_INET, o->address, &a->sin_addr) != 1)
			goto bad_address;
	}
	http_server *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "webserver: out of memory");
		return NULL;
	}
	s->o = *o;
	if (o->tls_pem) {
		size_t len = 0;
		if (file_read_all(o->tls_pem, &s->pem, &len) != 0) {
			snprintf(err, errlen, "webserver.ssl_certificate: cannot read %s", o->tls_pem);
			free(s);
			return NULL;
		}
		flags |= MHD_USE_TLS;
	}
	struct MHD_OptionItem tls[] = {
		{MHD_OPTION_HTTPS_MEM_KEY, 0, s->pem},
		{MHD_OPTION_HTTPS_MEM_CERT, 0, s->pem},
		{MHD_OPTION_END, 0, NULL},
	};
	s->d = MHD_start_daemon(flags, o->port, NULL, NULL, http_server_access, s, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections,
				MHD_OPTION_NOTIFY_COMPLETED, http_server_done, NULL, MHD_OPTION_EXTERNAL_LOGGER,
				http_server_mhd_log, NULL, MHD_OPTION_ARRAY, s->pem ? tls : tls + 2,
				MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "webserver: cannot serve on %s:%u%s (address in use, or the TLS key and certificate in %s unusable)",
			 o->address, o->port, o->tls_pem ? " with TLS" : "", o->tls_pem ? o->tls_pem : "-");
		free(s->pem);
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : o->port;
	return s;
bad_address:
	snprintf(err, errlen, "webserver.listen_address: \"%s\" is not an IPv4 or IPv6 address", o->address);
	return NULL;
}

uint16_t http_server_port(const http_server *s)
{
	return s->port;
}

void http_server_stop(http_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);
	free(s->pem);
	free(s);
}
