#ifndef FAPI_ENGINE_RULESET_H
#define FAPI_ENGINE_RULESET_H

/* The rules the engine evaluates, indexed by event type. A ruleset is
 * immutable once built, so a new one (other rules, other enabled set) can be
 * built off to the side and swapped in while events keep being evaluated on
 * the old one. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/rules_compile.h"
#include "engine/sinsp_bridge.h"

/* Which rules run: Falco's -D, -T and -t. */
typedef struct ruleset_selection {
	const char *const *disable_substr; /* -D: rules whose name contains any */
	size_t ndisable_substr;
	const char *const *disable_tags;   /* -T: rules having any of these tags */
	size_t ndisable_tags;
	const char *const *only_tags;      /* -t: when set, only rules having one of these tags */
	size_t nonly_tags;
} ruleset_selection;

typedef struct ruleset {
	compiled_rules *rules;   /* owned */
	bool *enabled;           /* per rule, after the selection */
	size_t nenabled;
	/* Index: for code c, the enabled evaluable rules to try, in
	 * declaration order, are items[offsets[c] .. offsets[c+1]). */
	uint32_t offsets[EVTTYPE_SET_BITS + 1];
	const compiled_rule **items;
} ruleset;

/* Builds a ruleset taking ownership of rules (freed by ruleset_free, also on
 * failure). Returns NULL on ENOMEM. */
ruleset *ruleset_new(compiled_rules *rules, const ruleset_selection *sel);
void ruleset_free(ruleset *rs);

/* The first enabled rule, in declaration order, whose condition the event
 * satisfies, or NULL (Falco reports one rule per event). `gen` must differ
 * for every event evaluated on this ruleset (see condition_eval). */
const compiled_rule *ruleset_match(const ruleset *rs, sinsp_bridge_evt *evt, uint64_t gen);

/* True when rule i takes part in evaluation. */
bool ruleset_is_enabled(const ruleset *rs, size_t i);

#endif
