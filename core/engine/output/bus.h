#ifndef FAPI_ENGINE_BUS_H
#define FAPI_ENGINE_BUS_H

/* The alert bus: fans every alert the engine publishes out to every
 * subscriber whose filter accepts it.
 *
 * Each subscriber has a bounded ring of alert references, preallocated at
 * subscribe time. The filter runs on the publisher's thread before
 * enqueueing. When a ring is full the OLDEST entry is dropped and counted;
 * the publisher never waits for a consumer, so a stalled subscriber costs
 * the engine one drop per alert and slows nobody else.
 *
 * Consumption is pull-based and non-blocking: the owner of a subscriber
 * (e.g. one gRPC outputs stream) calls bus_pop() whenever it can send one
 * more message (a write completed), and the bus calls its notify callback
 * when the ring goes from empty to non-empty, so an idle writer knows to
 * start again. Every popped alert carries the number of alerts this
 * subscriber lost since its previous pop, so the loss is told in-band.
 * A ring may also be bounded in bytes (bus_sub_opts.max_bytes): then the
 * oldest are dropped, and counted the same way, when the bytes run out.
 *
 * Delivery guarantee: from the moment bus_subscribe() returns, every alert
 * whose bus_publish() starts later and that the filter accepts is either
 * popped exactly once, in publish order, or counted as lost (reported by
 * the lost_before of the next pop, in bus_sub_stats.dropped and to the
 * drop hook) - never silently missing, never duplicated. "Publish order" is
 * the order in which publishes reach the subscriber's ring: with one
 * publisher thread that is the order of bus_publish() calls; with several
 * publishers, alerts published concurrently may be queued in either order
 * (but the same alert never twice).
 *
 * Threads: any number of publisher threads; any thread may subscribe,
 * unsubscribe, read stats. Per subscriber, bus_pop() calls must be
 * serialized by its owner (one consumer at a time), and bus_pop() must not
 * race with bus_unsubscribe() of the same subscriber.
 *
 * Locking (why it never blocks the publisher on a consumer): the bus keeps
 * an array of its subscribers that publishers walk without a lock; a
 * publish takes the bus mutex only to pin the current array (O(1), in one
 * of two reader buckets), then touches each subscriber under that
 * subscriber's own small mutex, held only for a few pointer moves (no
 * allocation, no free, no callback under any lock). Subscribe builds a new
 * array; unsubscribe clears its slot (the hole is compacted by the next
 * subscribe). Both then flip the bucket and wait until the publishes that
 * pinned before the change are done (an epoch scheme like SRCU), which is
 * what makes "no callback after unsubscribe returns" true without ever
 * making a publisher wait. A consumer holds the subscriber mutex only
 * inside bus_pop(). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/output/alert.h"

/* Largest ring a subscriber may ask for (entries); 16M pointers = 128 MiB. */
#define BUS_CAPACITY_MAX ((size_t)1 << 24)

/* Minimum interval between two drop-hook calls for one subscriber. */
#define BUS_DROP_HOOK_INTERVAL_NS 1000000000ull

typedef struct bus bus;
typedef struct bus_subscriber bus_subscriber;

/* Decides whether a subscriber wants an alert. Called on a publisher's
 * thread, outside every bus lock, once per published alert per subscriber;
 * must be cheap, must not block, must not keep the alert (take a reference
 * with alert_ref if it really must) and must not call the bus functions
 * that wait for publishes: bus_subscribe(), bus_unsubscribe(),
 * bus_set_drop_hook(), bus_free() (deadlock). With several publisher threads it may run concurrently with
 * itself. Returns true to enqueue the alert. */
typedef bool (*bus_filter_fn)(const engine_alert *a, void *user);

/* Tells a subscriber's owner that its ring went from empty to non-empty.
 * Called on the publishing thread, outside every bus lock, right after the
 * push that made the transition. Must be cheap and non-blocking (set a
 * flag, signal a condition variable, post a gRPC alarm/tag...). It may call
 * bus_pop() and the stats functions; it must NOT call bus_subscribe(),
 * bus_unsubscribe() (any subscriber), bus_set_drop_hook() or bus_free():
 * those wait for the publish that is running the callback (deadlock).
 *
 * The contract a writer can rely on: after a bus_pop() returned NULL, the
 * next alert queued for this subscriber triggers a notify. A notify may
 * arrive while the writer is still busy with an earlier pop (the writer
 * emptied the ring, a new alert came in while its write was in flight), so
 * the writer must remember it; the race-free pattern is to guard
 * "pop; if NULL mark idle" and the notify's "if idle, start writing" with
 * one small lock or atomic state of the writer's own. */
typedef void (*bus_notify_fn)(bus_subscriber *sub, void *user);

/* Told when a subscriber drops alerts: subscriber_name is its name (valid
 * only during the call), dropped_now the number of drops since the
 * previous hook call for this subscriber (the first drop of a subscriber
 * is reported at once). Rate-limited to at most one call per
 * BUS_DROP_HOOK_INTERVAL_NS per subscriber: drops inside the interval are
 * accumulated and reported at the next drop after it (drops that are never
 * followed by another one after the interval are only in the stats).
 * Only drops that happen while a hook is installed are counted for it.
 * Called on the publishing thread, outside every bus lock; same rules as
 * bus_notify_fn (cheap, none of the waiting bus functions). */
typedef void (*bus_drop_hook_fn)(const char *subscriber_name, uint64_t dropped_now, void *user);

/* How to subscribe; read by bus_subscribe() only (the bus copies what it
 * keeps). */
typedef struct bus_sub_opts {
	size_t capacity;      /* ring size in alerts, 1 .. BUS_CAPACITY_MAX */
	size_t max_bytes;     /* 0 = no bound; else the oldest are dropped while the queued
			       * alerts' engine_alert.bytes would exceed it (the newest is
			       * always kept, however large) */
	bus_filter_fn filter; /* NULL = accept every alert */
	bus_notify_fn notify; /* NULL = no notification (poll with bus_pop) */
	void *user;           /* passed to filter and notify; the bus never touches it */
	const char *name;     /* for stats and the drop hook, copied; NULL = "subscriber-<id>" */
} bus_sub_opts;

/* Longest identity bus_subscriber_set_identity keeps (bytes, with the NUL). */
#define BUS_IDENTITY_MAX 128

/* One subscriber's counters, a consistent snapshot (taken under its lock).
 * accepted == delivered + dropped + depth while subscribed. */
typedef struct bus_sub_stats {
	uint64_t id;           /* unique to this subscriber for the bus's life, from 1 */
	char identity[BUS_IDENTITY_MAX]; /* as last set by bus_subscriber_set_identity, "" before */
	uint64_t accepted;     /* alerts that passed the filter (enqueued, maybe dropped later) */
	uint64_t filtered_out; /* alerts the filter rejected */
	uint64_t delivered;    /* alerts popped */
	uint64_t dropped;      /* alerts dropped because the ring was full (oldest first) */
	size_t depth;          /* alerts queued now */
	size_t capacity;       /* ring size */
	size_t high_water;     /* largest depth seen */
	size_t bytes;          /* engine_alert.bytes of the alerts queued now */
	size_t max_bytes;      /* as subscribed (0 = no bound) */
} bus_sub_stats;

/* Bus-wide counters. */
typedef struct bus_totals {
	uint64_t published;  /* bus_publish() calls with an alert */
	uint64_t dropped;    /* drops by all subscribers, including gone ones */
	size_t subscribers;  /* subscribed now */
} bus_totals;

/* Makes an empty bus. NULL on ENOMEM (or if a mutex cannot be made). The
 * caller frees it with bus_free(). */
bus *bus_new(void);

/* Frees the bus and every subscriber still on it (their queued alerts are
 * unreferenced; their handles become invalid, their callbacks are never
 * called again). No other call on this bus or its subscribers may run
 * concurrently or follow. NULL is fine. */
void bus_free(bus *b);

/* Adds a subscriber. Returns its handle, owned by the caller until it
 * passes it to bus_unsubscribe() (or bus_free() frees it); NULL on error
 * with a message in err (capacity out of range, ENOMEM). err may be NULL
 * when errlen is 0. Allocates the ring (capacity pointers) up front so
 * publishing never allocates. Thread-safe, except from inside a bus
 * callback: it waits for publishes under way to finish with the old
 * subscriber array (short). See the delivery guarantee above. */
bus_subscriber *bus_subscribe(bus *b, const bus_sub_opts *opts, char *err, size_t errlen);

/* Removes a subscriber and frees it: its queued alerts are unreferenced.
 * After it returns, its filter and notify are never called again (it waits
 * for publishes under way on other threads to leave the subscriber; those
 * are short). Thread-safe against publishers, subscribers and stats
 * readers on any thread, EXCEPT from inside a filter, notify, drop hook or
 * bus_foreach_subscriber callback (deadlock), and except concurrently with
 * bus_pop() on the same subscriber. NULL is fine. */
void bus_unsubscribe(bus_subscriber *sub);

/* Publishes an alert to every subscriber whose filter accepts it. The bus
 * takes one reference per queued copy (alert_ref); the caller keeps its
 * own. Never blocks on a consumer, never allocates on the steady state;
 * O(subscribers). When a ring is full its oldest alert is unreferenced and
 * counted as lost. Runs filter, notify and the drop hook on this thread,
 * outside bus locks. Thread-safe (several publishers allowed). NULL a is
 * ignored. */
void bus_publish(bus *b, engine_alert *a);

/* Takes the oldest queued alert of sub, without blocking. Returns it (the
 * caller now owns one reference: alert_unref it when done) or NULL when the
 * ring is empty. If lost_before is not NULL, it receives the number of
 * alerts this subscriber dropped since its previous successful pop (0 when
 * NULL is returned); the count is consumed either way. Drops only happen
 * while pushing a newer alert, so after a drop the ring is never empty:
 * every loss rides on the next real message, never on a NULL. Calls on one
 * subscriber must be serialized by its owner; safe against publishers and
 * stats readers; allowed inside its notify. */
engine_alert *bus_pop(bus_subscriber *sub, uint64_t *lost_before);

/* Like bus_pop, for up to `max` alerts at once under one lock: fills
 * out[0..n) oldest first and returns n (0 when the ring is empty); the
 * caller owns one reference to each. *lost_before (if not NULL) receives
 * the drops since the previous successful pop, which happened before
 * out[0]. Same threading rules as bus_pop. */
size_t bus_pop_many(bus_subscriber *sub, engine_alert **out, size_t max, uint64_t *lost_before);

/* The subscriber's name (owned by the subscriber, valid until it is
 * unsubscribed). */
const char *bus_subscriber_name(const bus_subscriber *sub);

/* Records who is behind the subscriber (for loss reports: "unix uid
 * 1000", a certificate's name, a peer address), truncated to
 * BUS_IDENTITY_MAX - 1 bytes; copied. Thread-safe. */
void bus_subscriber_set_identity(bus_subscriber *sub, const char *identity);

/* Fills *st with sub's counters. Thread-safe. */
void bus_subscriber_stats(bus_subscriber *sub, bus_sub_stats *st);

/* Fills *t with the bus-wide counters. Thread-safe. */
void bus_stats(bus *b, bus_totals *t);

/* Calls fn once per current subscriber with its name and stats (both valid
 * only during the call), in subscription order; for logging at shutdown and
 * for the drops stream. Runs on the calling thread, outside bus locks, on a
 * pinned snapshot: a subscriber that unsubscribes meanwhile may or may
 * not be listed but is never freed under fn (its unsubscribe waits for
 * this call to finish), one that subscribes meanwhile is not listed. fn must not call the waiting functions
 * (bus_subscribe, bus_unsubscribe, bus_set_drop_hook, bus_free). Returns the number of subscribers listed. Thread-safe. */
size_t bus_foreach_subscriber(bus *b, void (*fn)(const char *name, const bus_sub_stats *st, void *user),
			      void *user);

/* Installs (or, with fn NULL, removes) the drop hook; see bus_drop_hook_fn.
 * user is passed to fn and never touched. After it returns the previous
 * hook is never called again (it waits for publishes under way, like
 * bus_unsubscribe), so the previous user data may be freed. Thread-safe,
 * except from inside a bus callback. */
void bus_set_drop_hook(bus *b, bus_drop_hook_fn fn, void *user);

#endif
