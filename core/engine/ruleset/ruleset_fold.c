#include "engine/ruleset/ruleset_fold.h"

#include <stdlib.h>
#include <string.h>

#include "engine/compile/leaf_table.h"

static const leaf *ruleset_fold_const_leaf(const struct condition_node *n)
{
	const leaf *l = n->kind == CONDITION_NODE_CMP ? n->cmp.bound : NULL;
	return l && l->has_consts ? l : NULL;
}

static struct condition_node *ruleset_fold_shell(fold_shells *s, enum condition_node_kind kind,
						 const struct condition_node *like, size_t n)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct condition_node **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	struct condition_node *sh = condition_ast_new(kind, like->pos);
	if (!sh || !(sh->children = calloc(n ? n : 1, sizeof(*sh->children)))) {
		free(sh);
		return NULL;
	}
	s->v[s->n++] = sh;
	return sh;
}

int ruleset_fold(const struct condition_node *n, unsigned code, fold_shells *shells,
		 const struct condition_node **out)
{
	*out = n;
	const leaf *l = ruleset_fold_const_leaf(n);
	if (l) {
		leaf_const v = leaf_value_for_code(l, code);
		if (v != LEAF_CONST_NONE)
			return v == LEAF_CONST_TRUE ? FOLD_TRUE : FOLD_FALSE;
		return FOLD_NODE;
	}
	switch (n->kind) {
	case CONDITION_NODE_CMP:
	case CONDITION_NODE_MACRO_REF:
		return FOLD_NODE;
	case CONDITION_NODE_NOT: {
		const struct condition_node *c;
		int r = ruleset_fold(n->children[0], code, shells, &c);
		if (r < 0)
			return r;
		if (r != FOLD_NODE)
			return r == FOLD_TRUE ? FOLD_FALSE : FOLD_TRUE;
		if (c == n->children[0])
			return FOLD_NODE;
		struct condition_node *sh = ruleset_fold_shell(shells, CONDITION_NODE_NOT, n, 1);
		if (!sh)
			return -1;
		sh->children[0] = (struct condition_node *)c;
		sh->n_children = 1;
		*out = sh;
		return FOLD_NODE;
	}
	case CONDITION_NODE_AND:
	case CONDITION_NODE_OR:
		break;
	}
	/* and: a false child decides, true children drop out; or: the dual. */
	fold_result decisive = n->kind == CONDITION_NODE_AND ? FOLD_FALSE : FOLD_TRUE;
	const struct condition_node *stack[32];
	const struct condition_node **kept = n->n_children <= 32 ? stack : malloc(n->n_children * sizeof(*kept));
	if (!kept)
		return -1;
	size_t nkept = 0;
	bool changed = false;
	int result = FOLD_NODE;
	for (size_t i = 0; i < n->n_children; i++) {
		const struct condition_node *c;
		int r = ruleset_fold(n->children[i], code, shells, &c);
		if (r < 0 || r == (int)decisive) {
			result = r;
			goto out;
		}
		if (r != FOLD_NODE || c != n->children[i])
			changed = true;
		if (r == FOLD_NODE)
			kept[nkept++] = c;
	}
	if (nkept == 0) {
		result = decisive == FOLD_FALSE ? FOLD_TRUE : FOLD_FALSE;
	} else if (nkept == 1) {
		*out = kept[0];
	} else if (changed) {
		struct condition_node *sh = ruleset_fold_shell(shells, n->kind, n, nkept);
		if (!sh) {
			result = -1;
			goto out;
		}
		memcpy(sh->children, kept, nkept * sizeof(*kept));
		sh->n_children = nkept;
		*out = sh;
	}
out:
	if (kept != stack)
		free(kept);
	return result;
}

void fold_shells_free(fold_shells *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i]->children);
		free(s->v[i]);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}
