#ifndef INPUTS_MODULE_H
#define INPUTS_MODULE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fapi/fapi.h"

typedef struct inputs_stream inputs_stream;

/* Which way events came in, a label of the module's metrics. */
typedef enum inputs_path { INPUTS_PATH_GRPC = 0, INPUTS_PATH_WEBHOOK = 1, INPUTS_PATHS } inputs_path;

/* Running totals for /metrics (inputs_metrics.c): relaxed atomics, so a
 * scrape never waits for an evaluation and counting costs no lock. */
typedef struct inputs_counters {
	atomic_uint_fast64_t requests[INPUTS_PATHS]; /* answered (gRPC responses, webhook POSTs) */
	atomic_uint_fast64_t accepted[INPUTS_PATHS]; /* events evaluated */
	atomic_uint_fast64_t rejected[INPUTS_PATHS]; /* events refused, with a reason */
	atomic_uint_fast64_t streams;                /* gRPC streams open now */
	atomic_uint_fast64_t pauses;                 /* times a stream's reads were paused for room */
} inputs_counters;

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
	inputs_counters counters;
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

/* The next stream of the module's paused list (m->mu held). */
const inputs_stream *inputs_stream_next_paused(const inputs_stream *st);

/* Counts one answered request of `path` with its accepted and rejected
 * events. Any thread. */
void inputs_metrics_count(inputs_module *m, inputs_path path, uint64_t accepted, uint64_t rejected);
/* The module's metrics collector (fapi_metrics_collect_fn; user: the
 * inputs_module). */
void inputs_metrics_collect(fapi_metrics_writer *w, void *user);

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
