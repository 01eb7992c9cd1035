#include "engine/condition_eval.h"

bool condition_eval(const struct condition_node *n, sinsp_bridge_evt *evt)
{
	switch (n->kind) {
	case CONDITION_NODE_AND:
		for (size_t i = 0; i < n->n_children; i++)
			if (!condition_eval(n->children[i], evt))
				return false;
		return true;
	case CONDITION_NODE_OR:
		for (size_t i = 0; i < n->n_children; i++)
			if (condition_eval(n->children[i], evt))
				return true;
		return false;
	case CONDITION_NODE_NOT:
		return !condition_eval(n->children[0], evt);
	case CONDITION_NODE_CMP:
		return n->cmp.bound && sinsp_bridge_check_eval(n->cmp.bound, evt);
	case CONDITION_NODE_MACRO_REF:
		break;
	}
	return false;
}
