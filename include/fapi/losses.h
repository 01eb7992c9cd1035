#ifndef FAPI_LOSSES_H
#define FAPI_LOSSES_H

/* Loss reports for modules (ABI 1.4): every place where the daemon can lose
 * something, with counters a module can read at any time (the drops
 * stream, metrics), and a place for a module that queues events of its own
 * (the inputs module) to report what its queue lost.
 *
 * Design: PULL, not push. Every counter is a running total since its
 * source appeared (monotonic; a reader keeps its own previous reading and
 * takes differences), stored with relaxed atomics or read under the small
 * per-subscriber lock the bus already takes per alert. Nothing is queued
 * on behalf of a reader, so a reader that falls behind loses nothing (its
 * next difference covers the whole gap) and the engine never waits for one
 * and never does more work when readers exist. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where something was lost. */
typedef enum fapi_loss_kind {
	/* The kernel ring buffer: the driver's scap counters (n_drops ...).
	 * With syscall_event_drops.simulate_drops, each simulated drop counts
	 * in n_drops and lost. One source, named "syscall". */
	FAPI_LOSS_KERNEL = 0,
	/* A subscriber's bounded alert queue (the bus): alerts dropped
	 * because it was full, oldest first. One source per subscription. */
	FAPI_LOSS_OUTPUT_QUEUE = 1,
	/* An input queue registered with loss_input_register (the inputs
	 * module). One source per registration. */
	FAPI_LOSS_INPUT_QUEUE = 2,
	/* Alerts not sent because of outputs.rate / outputs.max_burst. One
	 * source, named "outputs.rate". */
	FAPI_LOSS_RATE_LIMIT = 3
} fapi_loss_kind;

#define FAPI_LOSS_KINDS 4
/* The bit of a kind in a `kinds` mask; FAPI_LOSS_ALL selects every kind. */
#define FAPI_LOSS_BIT(kind) (1u << (unsigned)(kind))
#define FAPI_LOSS_ALL ((1u << FAPI_LOSS_KINDS) - 1u)

/* One source of losses, as loss_sources lists it. Filled by the host; the
 * caller only reads it, during the callback. */
typedef struct fapi_loss_source {
	uint32_t size;        /* sizeof(fapi_loss_source) of the host; read members only below it */
	fapi_loss_kind kind;
	/* kernel: "syscall"; output_queue: the subscription's name (the
	 * module's fapi_alert_sub_opts.name); input_queue: the registered
	 * name; rate_limit: "outputs.rate". Host-owned, valid during the
	 * callback. */
	const char *name;
	/* output_queue: who subscribed, as the owning module told it with
	 * alert_sub_set_identity ("unix uid 1000", "certificate CN", a peer
	 * address), "" when it did not; "" for the other kinds. Host-owned,
	 * valid during the callback. */
	const char *identity;
	/* output_queue and input_queue: a number unique to this source for
	 * the daemon's life (a name may be reused after an unsubscribe); 0
	 * for kernel and rate_limit. */
	uint64_t id;
	/* The running total of what was lost here: kernel n_drops, queue
	 * drops, rate-limited alerts. */
	uint64_t lost;
	/* Queues: entries waiting now and the queue's capacity; 0 otherwise. */
	uint64_t depth, capacity;
	/* Kernel only (0 otherwise): running totals of the driver's counters
	 * since the live feed opened (all 0 on a capture replay, where only
	 * simulated drops count), and whether the feed is the eBPF probe's. */
	uint64_t n_evts, n_drops, n_drops_buffer, n_drops_scratch_map, n_drops_pf, n_drops_bug, n_preemptions;
	bool ebpf_enabled;
} fapi_loss_source;

#define FAPI_LOSS_SOURCE_INIT {.size = (uint32_t)sizeof(fapi_loss_source)}

/* Called once per source by loss_sources. Must not block and must not call
 * alert_subscribe or alert_unsubscribe (the listing pins the subscriber
 * array as a publish does). */
typedef void (*fapi_loss_source_fn)(const fapi_loss_source *src, void *user);

/* An input queue registered for loss reporting. Opaque; owned by the
 * host from loss_input_register until loss_input_unregister. */
typedef struct fapi_loss_input fapi_loss_input;

/* How to register an input queue. */
typedef struct fapi_loss_input_opts {
	uint32_t size;     /* required: sizeof(fapi_loss_input_opts), FAPI_LOSS_INPUT_OPTS_INIT sets it */
	const char *name;  /* required: shown as the source's name ("k8s_audit", "grpc-events"); copied */
	uint64_t capacity; /* optional: the queue's capacity, reported as is */
} fapi_loss_input_opts;

#define FAPI_LOSS_INPUT_OPTS_INIT {.size = (uint32_t)sizeof(fapi_loss_input_opts)}

#endif
