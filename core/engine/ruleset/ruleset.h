#ifndef FAPI_ENGINE_RULESET_H
#define FAPI_ENGINE_RULESET_H

/* The rules the engine evaluates, indexed by source and event type: rules
 * of a source only ever see events of that source. A ruleset is
 * immutable once built, so a new one (other rules, other enabled set) can be
 * built off to the side and swapped in while events keep being evaluated on
 * the old one. Evaluating it is not thread-safe (results are remembered per
 * event inside it): one evaluating thread per ruleset. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/ruleset/ruleset_fold.h"
#include "engine/compile/rules_compile.h"
#include "engine/backends/backend.h"

/* Which rules run: Falco's -D, -T and -t. */
typedef struct ruleset_selection {
	const char *const *disable_substr; /* -D: rules whose name contains any */
	size_t ndisable_substr;
	const char *const *disable_tags;   /* -T: rules having any of these tags */
	size_t ndisable_tags;
	const char *const *only_tags;      /* -t: when set, only rules having one of these tags */
	size_t nonly_tags;
} ruleset_selection;

/* One rule to try for an event code, with its condition folded for that
 * code (NULL: it matches every event of the code). */
typedef struct ruleset_item {
	const compiled_rule *rule;
	const struct condition_node *cond;
} ruleset_item;

/* The rules of one source. For code c, the enabled rules to try, in
 * declaration order, are items[offsets[c] .. offsets[c+1]). */
typedef struct ruleset_index {
	const backend *backend;
	uint32_t offsets[EVTTYPE_SET_BITS + 1];
	ruleset_item *items;     /* owned */
} ruleset_index;

typedef struct ruleset {
	compiled_rules *rules;   /* owned */
	bool *enabled;           /* per rule, after the selection */
	size_t nenabled;
	ruleset_index *indexes;  /* one per source with evaluable rules, in order of first rule; owned */
	size_t nindexes;
	fold_shells shells;      /* nodes of the folded conditions; owned */
	struct subtree_memo **memos; /* result slots of shared subtrees; owned */
	size_t nmemos;
	size_t nclasses;         /* distinct foldings (statistics) */
} ruleset;

/* Builds a ruleset taking ownership of rules (freed by ruleset_free, also on
 * failure). Returns NULL on ENOMEM. */
ruleset *ruleset_new(compiled_rules *rules, const ruleset_selection *sel);
void ruleset_free(ruleset *rs);

/* The first enabled rule of the event's source (evt->backend), in
 * declaration order, whose condition the event satisfies, or NULL (Falco
 * reports one rule per event). `gen` must differ for every event evaluated
 * on this ruleset (see condition_eval). */
const compiled_rule *ruleset_match(const ruleset *rs, const backend_event *evt, uint64_t gen);

/* The index of backend b's rules, or NULL when it has no evaluable rule. */
const ruleset_index *ruleset_index_of(const ruleset *rs, const backend *b);

/* True when rule i takes part in evaluation. */
bool ruleset_is_enabled(const ruleset *rs, size_t i);

#endif
