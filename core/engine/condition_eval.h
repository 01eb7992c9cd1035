#ifndef FAPI_ENGINE_CONDITION_EVAL_H
#define FAPI_ENGINE_CONDITION_EVAL_H

/* Evaluating a bound condition tree on a syscall event: and/or short-circuit
 * left to right, leaves answered by their libsinsp check. */

#include <stdbool.h>

#include "engine/condition_ast.h"
#include "engine/sinsp_bridge.h"

/* True when the event satisfies the tree. Every CMP leaf must be bound
 * (cmp.bound is a sinsp_bridge_check); an unbound leaf is false. */
bool condition_eval(const struct condition_node *n, sinsp_bridge_evt *evt);

#endif
