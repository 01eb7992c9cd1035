#ifndef FAPI_LOSS_INPUTS_H
#define FAPI_LOSS_INPUTS_H

/* The input queues registered for loss reporting (fapi/losses.h,
 * loss_input_register): a list changed and walked under one mutex, and
 * counters the reporting thread updates with relaxed atomics, so that a
 * report never takes a lock and never waits for a reader. */

#include <stddef.h>
#include <stdint.h>

typedef struct loss_inputs loss_inputs;
typedef struct loss_input loss_input;

/* A new, empty registry, or NULL on ENOMEM. */
loss_inputs *loss_inputs_new(void);
/* Frees the registry and every input still on it. NULL is fine. No other
 * call may run concurrently or follow. */
void loss_inputs_free(loss_inputs *r);

/* Registers an input queue named `name` (copied) of `capacity` entries.
 * Returns 0 and *out, or -1 with err (ENOMEM, empty name). Thread-safe. */
int loss_inputs_register(loss_inputs *r, const char *name, uint64_t capacity, loss_input **out, char *err,
			 size_t errlen);
/* Adds `lost` to the input's total and records its depth now. Lock-free;
 * calls for one input may come from any thread. */
void loss_input_report(loss_input *in, uint64_t lost, uint64_t depth);
/* Removes and frees the input; no report may follow. NULL is fine.
 * Thread-safe. */
void loss_inputs_unregister(loss_input *in);

/* Calls fn for each registered input, in registration order, under the
 * registry's mutex (fn must not register or unregister). Returns the
 * number listed. */
size_t loss_inputs_foreach(loss_inputs *r,
			   void (*fn)(const char *name, uint64_t id, uint64_t lost, uint64_t depth, uint64_t capacity,
				      void *user),
			   void *user);

#endif
