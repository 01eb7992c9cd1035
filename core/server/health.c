#include "server/health.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.pb-c.h"
#include "server/server.h"

typedef struct health_watcher {
	fapi_stream *stream;
	char *service;
	struct health_watcher *next;
} health_watcher;

struct health {
	pthread_mutex_t mu;
	bool serving;
	const service_table *table;
	health_watcher *watchers;
};

static bool health_service_known(const health *h, const char *service)
{
	if (!*service)
		return true;
	size_t n = strlen(service);
	for (size_t i = 0; i < h->table->count; i++) {
		const service_entry *e = &h->table->entries[i];
		const char *p = (e->kind == SERVICE_UNARY ? e->unary.path : e->stream.path) + 1;
		if (strncmp(p, service, n) == 0 && p[n] == '/')
			return true;
	}
	return false;
}

static Grpc__Health__V1__HealthCheckResponse__ServingStatus health_status_of(const health *h, const char *service)
{
	if (!health_service_known(h, service))
		return GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN;
	return h->serving ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
			  : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
}

static void health_check(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			 void *user)
{
	(void)peer;
	health *h = user;
	const Grpc__Health__V1__HealthCheckRequest *req = (const void *)request;
	static _Thread_local Grpc__Health__V1__HealthCheckResponse resp;
	grpc__health__v1__health_check_response__init(&resp);
	pthread_mutex_lock(&h->mu);
	resp.status = health_status_of(h, req->service);
	pthread_mutex_unlock(&h->mu);
	if (resp.status == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN) {
		result->status = FAPI_STATUS_NOT_FOUND;
		snprintf(result->message, sizeof(result->message), "unknown service '%s'", req->service);
		return;
	}
	result->response = &resp.base;
}

static void health_send(health_watcher *w, Grpc__Health__V1__HealthCheckResponse__ServingStatus status)
{
	Grpc__Health__V1__HealthCheckResponse resp;
	grpc__health__v1__health_check_response__init(&resp);
	resp.status = status;
	server_stream_write(w->stream, &resp.base);
}

static fapi_status_code health_watch_open(fapi_stream *stream, const ProtobufCMessage *request,
					  const fapi_peer *peer, void *user, char *msg, size_t msglen)
{
	(void)peer;
	health *h = user;
	const Grpc__Health__V1__HealthCheckRequest *req = (const void *)request;
	health_watcher *w = calloc(1, sizeof(*w));
	if (!w || !(w->service = strdup(req->service))) {
		free(w);
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	w->stream = stream;
	server_stream_set_user(stream, w);
	pthread_mutex_lock(&h->mu);
	w->next = h->watchers;
	h->watchers = w;
	health_send(w, health_status_of(h, w->service));
	pthread_mutex_unlock(&h->mu);
	return FAPI_STATUS_OK;
}

static void health_watch_close(fapi_stream *stream, fapi_status_code why, void *user)
{
	(void)why;
	health *h = user;
	health_watcher *w = server_stream_user(stream);
	pthread_mutex_lock(&h->mu);
	for (health_watcher **p = &h->watchers; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	pthread_mutex_unlock(&h->mu);
	if (w) {
		free(w->service);
		free(w);
	}
}

int health_register(health **out, service_table *t, char *err, size_t errlen)
{
	health *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&h->mu, NULL);
	h->serving = true;
	h->table = t;
	fapi_unary_method check = {
		.path = "/grpc.health.v1.Health/Check",
		.request_type = &grpc__health__v1__health_check_request__descriptor,
		.response_type = &grpc__health__v1__health_check_response__descriptor,
		.handler = health_check,
		.user = h,
		.method_class = FAPI_METHOD_READ,
	};
	fapi_stream_method watch = {
		.path = "/grpc.health.v1.Health/Watch",
		.request_type = &grpc__health__v1__health_check_request__descriptor,
		.response_type = &grpc__health__v1__health_check_response__descriptor,
		.on_open = health_watch_open,
		.on_close = health_watch_close,
		.user = h,
		.max_queued = 16,
		.method_class = FAPI_METHOD_READ,
	};
	if (service_table_add_unary(t, "core", &check, err, errlen) != FAPI_OK ||
	    service_table_add_stream(t, "core", SERVICE_SERVER_STREAM, &watch, err, errlen) != FAPI_OK) {
		health_free(h);
		return -1;
	}
	*out = h;
	return 0;
}

void health_set_serving(health *h, bool serving)
{
	pthread_mutex_lock(&h->mu);
	h->serving = serving;
	for (health_watcher *w = h->watchers; w; w = w->next)
		health_send(w, health_status_of(h, w->service));
	pthread_mutex_unlock(&h->mu);
}

void health_free(health *h)
{
	if (!h)
		return;
	pthread_mutex_destroy(&h->mu);
	free(h);
}
