#ifndef FAPI_ENGINE_LEAF_TABLE_H
#define FAPI_ENGINE_LEAF_TABLE_H

/* Shared condition leaves. Falco's rules reach the same checks through
 * common macros (open_read, spawned_process, container, ...): the 18 rules
 * indexed under openat share most of their leaves. Identical leaves (same
 * source, field, argument, operator and values) are bound to one backend
 * check, and each check's result is remembered for the event being
 * evaluated, so a leaf costs one backend call per event however many rules
 * use it. */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lang/condition_ast.h"
#include "engine/compile/evttype_set.h"
#include "engine/backends/backend.h"

/* What a leaf is for a given event code: a constant, or only known per
 * event (the values of backend_code_value). */
typedef enum leaf_const {
	LEAF_CONST_FALSE = BACKEND_CODE_FALSE,
	LEAF_CONST_TRUE = BACKEND_CODE_TRUE,
	LEAF_CONST_NONE = BACKEND_CODE_VARIES,
} leaf_const;

typedef struct leaf {
	backend_check *chk;      /* owned; freed through `backend` */
	/* backend->check_eval, copied here so the hot path reads one line */
	bool (*eval)(backend_check *chk, const backend_event *evt);
	const backend *backend;
	/* Leaves whose answer the backend knows from the event code alone
	 * (check_code_values): for codes in `known` the answer is whether the
	 * code is in `value`; has_consts is false when `known` is empty. */
	bool has_consts;
	evttype_set known;
	evttype_set value;
	uint64_t gen;            /* the event generation `result` belongs to */
	bool result;
	/* AST nodes and tables pointing here. Atomic because a leaf may be
	 * shared by two compiled sets (leaf_table_bind's `prev`) whose
	 * compile and free can, at the engine thread's end, run on two
	 * threads. */
	atomic_uint refs;
} leaf;

typedef struct leaf_table leaf_table;

/* A table for one compilation. NULL on ENOMEM. */
leaf_table *leaf_table_new(void);
/* Frees the table and its references; the leaves live on as long as AST
 * nodes reference them. */
void leaf_table_free(leaf_table *t);

/* Binds the CMP node to the shared leaf for its check, compiling the check
 * with the backend the first time (leaves of different backends are never
 * shared). prev (optional, borrowed, only read) is the table of a set
 * compiled before, typically the running one: a leaf it has is shared
 * rather than compiled again, which is most of a recompile's cost
 * (libsinsp builds each check with a set of every event type). The two
 * sets then share mutable leaves (the per-event result), so they must be
 * evaluated by one thread at a time, as the engine does with the running
 * set and the one replacing it (per source, under the source's evaluation
 * lock: a leaf belongs to one backend). Returns BACKEND_OK or the backend's status with
 * its message in err. Sets the node's bound/bound_free. */
int leaf_table_bind(leaf_table *t, const leaf_table *prev, const backend *b, struct condition_node *n, char *err,
		    size_t errlen);

/* Number of distinct leaves bound (for statistics). */
size_t leaf_table_count(const leaf_table *t);

/* What the leaf is for every event of code `code`. */
static inline leaf_const leaf_value_for_code(const leaf *l, unsigned code)
{
	if (l->has_consts && evttype_set_has(&l->known, code))
		return (leaf_const)evttype_set_has(&l->value, code);
	return LEAF_CONST_NONE;
}

/* The leaf's result for the event of generation gen, whose type code is
 * `code`: from the code when the backend said so, otherwise from the
 * backend once per generation. */
static inline bool leaf_eval(leaf *l, const backend_event *evt, uint64_t gen, unsigned code)
{
	if (l->has_consts && evttype_set_has(&l->known, code))
		return evttype_set_has(&l->value, code);
	if (l->gen != gen) {
		l->result = l->eval(l->chk, evt);
		l->gen = gen;
	}
	return l->result;
}

#endif
