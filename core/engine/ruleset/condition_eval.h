#ifndef FAPI_ENGINE_CONDITION_EVAL_H
#define FAPI_ENGINE_CONDITION_EVAL_H

/* Evaluating a bound condition tree on an event of its source: and/or
 * short-circuit left to right, leaves answered by their backend check. */

#include <stdbool.h>
#include <stdint.h>

#include "engine/lang/condition_ast.h"
#include "engine/backends/backend.h"

/* True when the event satisfies the tree. Every CMP leaf must be bound to a
 * shared leaf (leaf_table.h); an unbound leaf is false. `gen` identifies the
 * event: leaves shared by several rules are evaluated once per generation;
 * `code` is the event's type code.
 * Not thread-safe: one evaluating thread per compiled rule set. */
bool condition_eval(const struct condition_node *n, const backend_event *evt, uint64_t gen, unsigned code);

#endif
