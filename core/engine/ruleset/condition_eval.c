#include "engine/ruleset/condition_eval.h"

#include "engine/compile/leaf_table.h"
#include "engine/compile/subtree_memo.h"

static bool condition_eval_node(const struct condition_node *n, const backend_event *evt, uint64_t gen,
				unsigned code)
{
	switch (n->kind) {
	case CONDITION_NODE_AND:
		for (size_t i = 0; i < n->n_children; i++)
			if (!condition_eval(n->children[i], evt, gen, code))
				return false;
		return true;
	case CONDITION_NODE_OR:
		for (size_t i = 0; i < n->n_children; i++)
			if (condition_eval(n->children[i], evt, gen, code))
				return true;
		return false;
	case CONDITION_NODE_NOT:
		return !condition_eval(n->children[0], evt, gen, code);
	case CONDITION_NODE_CMP:
		return n->cmp.bound && leaf_eval(n->cmp.bound, evt, gen, code);
	case CONDITION_NODE_MACRO_REF:
		break;
	}
	return false;
}

bool condition_eval(const struct condition_node *n, const backend_event *evt, uint64_t gen, unsigned code)
{
	subtree_memo *m = n->memo;
	if (!m)
		return condition_eval_node(n, evt, gen, code);
	if (m->gen != gen) {
		m->result = condition_eval_node(n, evt, gen, code);
		m->gen = gen;
	}
	return m->result;
}
