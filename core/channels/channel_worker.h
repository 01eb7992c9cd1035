#ifndef FAPI_CHANNELS_CHANNEL_WORKER_H
#define FAPI_CHANNELS_CHANNEL_WORKER_H

/* One output channel's queue and thread. The queue is a subscriber of the
 * alert bus (bounded, drop-oldest, exact loss counts: see bus.h), so the
 * engine thread only ever pushes a pointer; the channel's thread pops and
 * writes, and may block as long as it likes without slowing the engine or
 * the other channels. When the queue is full the oldest alert is dropped
 * and counted. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channels/channel.h"
#include "engine/output/bus.h"

typedef struct channel_worker channel_worker;

/* A channel's counters. Once its thread has ended, accepted == delivered +
 * failed + dropped + discarded; while it runs, the alerts it has taken from
 * the queue but not yet written (or, coalesced, not yet flushed) are in
 * none of them and depth counts the queued ones. */
typedef struct channel_stats {
	const char *name;    /* the channel's name (its ops->name); static */
	uint64_t accepted;   /* alerts queued for the channel */
	uint64_t delivered;  /* alerts written (a coalesced one once its flush succeeded) */
	uint64_t failed;     /* alerts whose write failed (logged) */
	uint64_t dropped;    /* alerts lost because the queue was full (the oldest first) */
	uint64_t discarded;  /* alerts still queued when the shutdown drain ran out of time */
	size_t depth;        /* alerts queued now */
	size_t capacity;     /* queue size */
	size_t high_water;   /* largest depth seen */
} channel_stats;

/* Subscribes a queue of `capacity` alerts to `b` and starts the channel's
 * thread, which owns `state` from now on (ops->free frees it with the
 * worker; also on failure). Returns 0, or -1 with err. */
int channel_worker_start(channel_worker **out, bus *b, size_t capacity, const channel_ops *ops, void *state,
			 char *err, size_t errlen);

/* Asks the thread to write what is queued and end by `deadline_ns`
 * (CLOCK_MONOTONIC): past it, the write under way gives up and what is
 * left is discarded and counted. Does not wait; see channel_worker_free. */
void channel_worker_drain(channel_worker *w, uint64_t deadline_ns);

/* For the output_timeout watchdog, called periodically from one thread:
 * true once per write that the calls have seen under way, the same one,
 * for `timeout_ns` or more (so a blocked write is reported between
 * timeout_ns and timeout_ns plus one period after it started). Costs the
 * channel's thread no clock read. */
bool channel_worker_check_blocked(channel_worker *w, uint64_t now_ns, uint64_t timeout_ns);

/* Fills *st. Thread-safe. */
void channel_worker_stats(channel_worker *w, channel_stats *st);

/* The channel's name (its ops->name). */
const char *channel_worker_name(const channel_worker *w);

/* Waits for the thread to end after channel_worker_drain (bounded by the
 * drain's deadline, plus the time a blocked write takes to notice it). */
void channel_worker_join(channel_worker *w);

/* Ends the thread if it still runs (drained with a deadline of now: what is
 * queued is discarded), unsubscribes, frees the channel's state and the
 * worker. Must run before bus_free() of its bus. NULL is fine. */
void channel_worker_free(channel_worker *w);

#endif
