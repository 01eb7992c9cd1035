#ifndef OUTPUTS_STREAM_H
#define OUTPUTS_STREAM_H

/* One subscriber's stream: its alert subscription (or the shared queue of
 * Falco's `get`), and the pump that moves alerts from the subscription to
 * gRPC. The engine's thread only wakes the stream; popping, encoding and
 * writing happen on gRPC threads, one pump at a time per stream, and stop
 * when gRPC's queue for the stream is full, so the subscription's bounded
 * queue is the only buffer that grows and the only one that drops. */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "fapi/fapi.h"
#include "outputs_filter.h"

typedef struct outputs_module outputs_module;

typedef struct outputs_stream {
	outputs_module *m;
	fapi_stream *stream;
	fapi_alert_sub *sub;     /* own subscription; NULL for Falco's get */
	bool falco_get;          /* drain the shared Falco queue, then finish */
	outputs_filter filter;
	pthread_mutex_t mu;      /* guards the flags below, never held while working */
	bool pumping, again;
	bool done;               /* finished or failed: pump no more */
	bool ready;              /* `sub` is set: the engine may wake the stream before it is */
	bool draining;           /* server shutting down: finish OK once the queue is empty */
	fapi_alert *held;        /* popped but not yet accepted by gRPC */
	uint64_t held_lost;
	uint64_t seq;            /* messages written */
	bool listed;             /* in the module's list (admitted within the limits) */
	char identity[128];      /* who it counts as for max_subscribers_per_identity */
	struct outputs_stream *next; /* module's list */
} outputs_stream;

/* Moves alerts to gRPC until none is queued or gRPC's queue is full. */
void outputs_stream_pump(outputs_stream *st);

/* The server is shutting down: send what is queued, then end with OK. */
void outputs_stream_drain(outputs_stream *st);

#endif
