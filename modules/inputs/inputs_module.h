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
} inputs_module;

/* The stream callbacks of /falco.api.bidirectional/inputs (inputs_stream.c). */
fapi_status_code inputs_stream_open(fapi_stream *stream, const ProtobufCMessage *request, const fapi_peer *peer,
				    void *user, char *msg, size_t msglen);
fapi_status_code inputs_stream_read(fapi_stream *stream, const ProtobufCMessage *message, void *user, char *msg,
				    size_t msglen);
void inputs_stream_read_end(fapi_stream *stream, void *user);
void inputs_stream_writable(fapi_stream *stream, void *user);
void inputs_stream_close(fapi_stream *stream, fapi_status_code why, void *user);

#endif
