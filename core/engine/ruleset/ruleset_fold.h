#ifndef FAPI_ENGINE_RULESET_FOLD_H
#define FAPI_ENGINE_RULESET_FOLD_H

/* Partial evaluation of a rule for one event code. evt.type and evt.dir
 * tests are constants once the code is known (leaf_table.h): folding them
 * removes the tests, cuts the branches that cannot match (the "rename or
 * remove" half of a rule, on an openat), and drops rules that cannot match
 * at all from that code's index. Subtrees without such tests are shared
 * with the rule's tree, not copied; only the nodes on the way to a folded
 * test are new ("shells", which own their children array but not the
 * children). */

#include <stdbool.h>
#include <stddef.h>

#include "engine/lang/condition_ast.h"

typedef enum fold_result {
	FOLD_FALSE = 0, /* the rule cannot match events of this code */
	FOLD_TRUE,      /* it matches every event of this code */
	FOLD_NODE       /* *out is the condition to evaluate */
} fold_result;

typedef struct fold_shells {
	struct condition_node **v; /* owned, with each shell */
	size_t n, cap;
} fold_shells;

/* Folds n for event code `code` (>= 2). Shells are added to `shells`.
 * Returns FOLD_FALSE/FOLD_TRUE, or FOLD_NODE with *out set; -1 on ENOMEM. */
int ruleset_fold(const struct condition_node *n, unsigned code, fold_shells *shells,
		 const struct condition_node **out);

void fold_shells_free(fold_shells *s);

#endif
