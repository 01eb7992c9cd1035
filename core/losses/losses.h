#ifndef FAPI_LOSSES_CORE_H
#define FAPI_LOSSES_CORE_H

/* Every place where the daemon loses something, listed with running totals
 * (fapi/losses.h says what each kind counts): the kernel's scap counters
 * kept by syscall_event_drops, the rate limiter's count, each bus
 * subscriber's drops, each registered input queue's. The one reader of
 * all of them: the host's loss_sources (the drops stream) and metrics use
 * it alike. Reading costs the engine nothing but the bus's per-subscriber
 * lock, held for a copy of its counters. */

#include <stddef.h>
#include <stdint.h>

#include "fapi/losses.h"

struct engine;
struct bus;
struct loss_inputs;

/* Where to look; any member may be NULL (that kind is then not listed:
 * no engine, no kernel or rate_limit source). */
typedef struct losses_where {
	const struct engine *engine;
	struct bus *bus;
	struct loss_inputs *inputs;
} losses_where;

/* Calls fn once per source of a kind in `kinds` (FAPI_LOSS_BIT mask), in
 * the order kernel, output queues (subscription order), input queues
 * (registration order), rate_limit. The record is valid during the call.
 * Returns the number listed. Thread-safe; fn runs on the caller's thread
 * with the bus pinned (see bus_foreach_subscriber) or the input registry
 * locked. */
size_t losses_foreach(const losses_where *w, uint32_t kinds, fapi_loss_source_fn fn, void *user);

#endif
