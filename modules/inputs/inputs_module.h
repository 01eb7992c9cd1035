#ifndef INPUTS_MODULE_H
#define INPUTS_MODULE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fapi/fapi.h"

typedef struct inputs_stream inputs_stream;

/* The module: the budget of events and bytes submitted and not yet
 * evaluated, shared by every stream, and the streams paused on it. */
typedef struct inputs_module {
	fapi_module_ctx *ctx;
	const fapi_host *host;
	uint64_t cap_events, cap_bytes; /* config queue_capacity.events / .bytes */
	fapi_loss_input *loss;          /* the queue as a loss source (drops stream, /metrics) */
	pthread_mutex_t mu;             /* below */
	uint64_t events, bytes;         /* in flight */
	inputs_stream *paused;          /* streams whose reads wait for room */
	pthread_cond_t room;            /* broadcast whenever budget is given back (webhook waits) */
	const char *endpoint;           /* webserver.k8s_audit_endpoint; host-owned */
} inputs_module;

/* True when the budget has room (m->mu held). */
static inline bool inputs_budget_room(const inputs_module *m)
{
	return m->events < m->cap_events && m->bytes < m->cap_bytes;
}
/* Gives events and bytes back to the budget (st: the stream whose batch it
 * was, or NULL), resumes the streams that may read again and wakes the
 * webhook's waiters. */
void inputs_budget_give(inputs_module *m, inputs_stream *st, uint64_t events, uint64_t bytes);

/* The k8s audit webhook's handler (inputs_webhook.c), Falco 0.31's
 * contract. */
int inputs_webhook(const fapi_http_request *req, fapi_http_response *resp, void *user);

/* The stream callbacks of /falco.api.bidirectional/inputs (inputs_stream.c). */
fapi_status_code inputs_stream_open(fapi_stream *stream, const ProtobufCMessage *request, const fapi_peer *peer,
				    void *user, char *msg, size_t msglen);
fapi_status_code inputs_stream_read(fapi_stream *stream, const ProtobufCMessage *message, void *user, char *msg,
				    size_t msglen);
void inputs_stream_read_end(fapi_stream *stream, void *user);
void inputs_stream_writable(fapi_stream *stream, void *user);
void inputs_stream_close(fapi_stream *stream, fapi_status_code why, void *user);

#endif
