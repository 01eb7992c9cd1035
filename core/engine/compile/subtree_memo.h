#ifndef FAPI_ENGINE_SUBTREE_MEMO_H
#define FAPI_ENGINE_SUBTREE_MEMO_H

/* Identical subtrees across rules. Falco's rules repeat the same macros
 * (open_write, open_read, spawned_process, container): after expansion
 * every rule walks its own copy. Once leaves are shared (leaf_table.h), two
 * subtrees are identical exactly when they have the same kind and the same
 * children, so they can be interned bottom-up; every subtree that occurs
 * more than once gets one result slot, and each is evaluated once per event
 * however many rules contain it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lang/condition_ast.h"

typedef struct subtree_memo {
	uint64_t gen;  /* the event generation `result` belongs to */
	bool result;
	unsigned uses; /* how many places in the rule set hold this subtree */
} subtree_memo;

typedef struct subtree_table subtree_table;

/* Flattens nested and/or chains (a and (b and c) -> a and b and c) and
 * double negations, which macro expansion leaves behind. In place; the
 * boolean value is unchanged. Returns 0, or -1 on ENOMEM (tree still valid). */
int subtree_flatten(struct condition_node *n);

subtree_table *subtree_table_new(void);
/* Interns every and/or/not subtree of root (whose leaves are bound).
 * Returns 0 or -1 on ENOMEM. */
int subtree_table_add(subtree_table *t, struct condition_node *root);
/* Sets node->memo on the subtrees that occur more than once. */
void subtree_table_assign(subtree_table *t, struct condition_node *root);
/* Frees the table and the slots no node uses; the slots in use are handed
 * to *kept (an array of *nkept pointers, each and the array freed with
 * free() by the caller, after the trees). */
void subtree_table_free(subtree_table *t, subtree_memo ***kept, size_t *nkept);

#endif
