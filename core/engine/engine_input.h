#ifndef FAPI_ENGINE_ENGINE_INPUT_H
#define FAPI_ENGINE_ENGINE_INPUT_H

/* The input queue: batches of JSON events that modules submit (fapi/input.h)
 * wait here and are evaluated by one thread of their own ("inputs"), not the
 * engine thread that reads the syscall source, in submission order; each
 * batch's completion runs there once it was evaluated. The handoff is per
 * batch (one lock, one wake-up for any number of events), the parse is per
 * event text (an EventList is parsed once). Thread-safe. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "fapi/input.h"

typedef struct engine_input engine_input;
typedef struct engine_input_src engine_input_src;

/* Starts the thread. 0 and *out, or -1 with err. */
int engine_input_new(engine_input **out, engine *e, char *err, size_t errlen);
/* Evaluates what is queued, stops the thread and frees everything. NULL is
 * fine. Every handle must be closed before. */
void engine_input_free(engine_input *in);

/* A handle on a source of the engine. 0 and *out; -1 with err when the
 * engine has no such source (FAPI_ENOTFOUND) or memory ran out. */
int engine_input_open(engine_input *in, const char *source, engine_input_src **out, char *err, size_t errlen);
/* Copies the batch and queues it. FAPI_OK, FAPI_EINVAL (no done, or lens
 * missing), FAPI_ENOMEM, FAPI_ECLOSED (shutting down). */
int engine_input_submit(engine_input_src *src, const fapi_input_batch *b, char *err, size_t errlen);
/* Discards the handle's batches not yet evaluated (their done runs with
 * discarded set, on the calling thread), waits for one being evaluated,
 * frees the handle. Returns the number of events discarded. */
uint64_t engine_input_close(engine_input_src *src);

#endif
