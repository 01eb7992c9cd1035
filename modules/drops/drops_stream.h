#ifndef DROPS_STREAM_H
#define DROPS_STREAM_H

/* One /falco.api.streaming/drops stream: what it asked for, and per loss
 * source the running total at its previous message (its baseline). Every
 * due interval the sources are listed (loss_sources) and one message is
 * written per source that lost at least min_count since its baseline; the
 * baseline moves only when the message is queued, so a full stream (a slow
 * client) delays the count into a later, longer interval and never loses
 * it. Sources that disappear are forgotten. */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "drops.pb-c.h"
#include "drops_module.h"

typedef struct drops_base {
	uint32_t kind;
	uint64_t id;
	char name[256];
	uint64_t lost;         /* the running total told last */
	uint64_t kernel[7];    /* kernel: the scap totals told last */
	uint64_t since_ns;     /* wall clock of that message (or the stream's start) */
	bool seen;             /* listed by the current poll */
} drops_base;

struct drops_stream {
	drops_module *m;
	fapi_stream *stream;
	drops_stream *next;      /* module list; guarded by m->mu */
	uint32_t kinds;          /* FAPI_LOSS_BIT mask */
	uint64_t interval_ns, min_count, heartbeat_ns;
	uint64_t next_due;       /* monotonic; guarded by m->mu */
	uint64_t next_heartbeat; /* monotonic; guarded by m->mu */
	atomic_bool due;         /* set by the ticker, taken by the pump */
	atomic_bool heartbeat_due;
	_Atomic uint64_t last_sent_mono; /* monotonic time of the last message (heartbeats are due from it) */
	pthread_mutex_t mu;      /* pumping / again */
	bool pumping, again;
	/* Below: only the pump touches these (one at a time). */
	bool backlog;            /* the last poll stopped on a full stream */
	bool done;
	drops_base *bases;
	size_t nbases, cap;
	uint64_t seq;
	uint64_t last_sent_wall;
};

/* Makes the stream's state from the request. Returns FAPI_STATUS_OK and
 * *out, or INVALID_ARGUMENT (msg says which field), RESOURCE_EXHAUSTED. */
fapi_status_code drops_stream_new(drops_module *m, fapi_stream *stream, const Falco__Drops__Request *req,
				  drops_stream **out, char *msg, size_t msglen);
void drops_stream_free(drops_stream *st);

/* on_writable: polls when due (or behind), writes what it can. Calls are
 * serialised here. */
void drops_stream_pump(drops_stream *st);

#endif
