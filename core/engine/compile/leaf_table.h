#ifndef FAPI_ENGINE_LEAF_TABLE_H
#define FAPI_ENGINE_LEAF_TABLE_H

/* Shared condition leaves. Falco's rules reach the same checks through
 * common macros (open_read, spawned_process, container, ...): the 18 rules
 * indexed under openat share most of their leaves. Identical leaves (same
 * field, argument, operator and values) are bound to one libsinsp check,
 * and each check's result is remembered for the event being evaluated, so a
 * leaf costs one libsinsp call per event however many rules use it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lang/condition_ast.h"
#include "engine/compile/evttype_set.h"
#include "engine/backends/syscall/sinsp_bridge.h"

/* How a leaf is answered: most through libsinsp; evt.type and evt.dir
 * tests are functions of the event code, answered without a call. */
typedef enum leaf_kind {
	LEAF_SINSP = 0,
	LEAF_EVTTYPE, /* true when the code is in `types` (codes >= 2 only) */
	LEAF_EVTDIR,  /* true when the code's direction bit equals `exit` */
	LEAF_PARTIAL, /* libsinsp, except that for codes outside `types` the
		       * answer is `outside` (evt.is_open_read is 0 for every
		       * event but four open variants) */
} leaf_kind;

/* What a leaf is for a given event code: a constant, or only known per
 * event. */
typedef enum leaf_const {
	LEAF_CONST_FALSE = 0,
	LEAF_CONST_TRUE = 1,
	LEAF_CONST_NONE = 2,
} leaf_const;

typedef struct leaf {
	sinsp_bridge_check *chk; /* owned */
	leaf_kind kind;
	bool exit;               /* LEAF_EVTDIR: matches exit events */
	bool outside;            /* LEAF_PARTIAL: the answer outside `types` */
	evttype_set types;       /* LEAF_EVTTYPE: the codes it is true for; LEAF_PARTIAL: the codes it varies on */
	uint64_t gen;            /* the event generation `result` belongs to */
	bool result;
	unsigned refs;           /* AST nodes pointing here */
} leaf;

typedef struct leaf_table leaf_table;

/* A table for one compilation. NULL on ENOMEM. */
leaf_table *leaf_table_new(void);
/* Frees the table and its references; the leaves live on as long as AST
 * nodes reference them. */
void leaf_table_free(leaf_table *t);

/* Binds the CMP node to the shared leaf for its check, compiling the check
 * with the inspector the first time. Returns SINSP_BRIDGE_OK or the bridge's
 * error (message in err). Sets the node's bound/bound_free. */
int leaf_table_bind(leaf_table *t, sinsp_bridge_inspector *insp, struct condition_node *n, sinsp_bridge_error *err);

/* Number of distinct leaves bound (for statistics). */
size_t leaf_table_count(const leaf_table *t);

/* What the leaf is for every event of code `code`. The evt.type of a
 * generic event (codes 0 and 1) is its syscall's name: not a constant. */
static inline leaf_const leaf_value_for_code(const leaf *l, unsigned code)
{
	switch (l->kind) {
	case LEAF_EVTDIR:
		return (leaf_const)((code & 1) == l->exit);
	case LEAF_EVTTYPE:
		if (code < 2)
			return LEAF_CONST_NONE;
		return (leaf_const)evttype_set_has(&l->types, code);
	case LEAF_PARTIAL:
		return evttype_set_has(&l->types, code) ? LEAF_CONST_NONE : (leaf_const)l->outside;
	case LEAF_SINSP:
		break;
	}
	return LEAF_CONST_NONE;
}

/* The leaf's result for the event of generation gen, whose type code is
 * `code`. Generic events (codes 0 and 1) carry their syscall's name, so
 * their evt.type goes to libsinsp. */
static inline bool leaf_eval(leaf *l, sinsp_bridge_evt *evt, uint64_t gen, unsigned code)
{
	if (l->kind == LEAF_EVTDIR)
		return (code & 1) == l->exit;
	if (l->kind == LEAF_EVTTYPE && code >= 2)
		return evttype_set_has(&l->types, code);
	if (l->kind == LEAF_PARTIAL && !evttype_set_has(&l->types, code))
		return l->outside;
	if (l->gen != gen) {
		l->result = sinsp_bridge_check_eval(l->chk, evt);
		l->gen = gen;
	}
	return l->result;
}

#endif
