#include "engine/compile/subtree_memo.h"

#include <stdlib.h>
#include <string.h>

typedef struct subtree_entry {
	enum condition_node_kind kind;
	size_t n;
	const void **ids;  /* children's identities: a leaf or an entry; owned */
	subtree_memo *memo;
} subtree_entry;

struct subtree_table {
	subtree_entry **slots; /* open addressing; owned */
	size_t cap, count;
};

/* Moves the children of `from` (an and/or of the same kind as the parent)
 * into the parent's list at position i. */
static int subtree_splice(struct condition_node *n, size_t i)
{
	struct condition_node *c = n->children[i];
	size_t total = n->n_children - 1 + c->n_children;
	struct condition_node **v = malloc(total * sizeof(*v));
	if (!v)
		return -1;
	memcpy(v, n->children, i * sizeof(*v));
	memcpy(v + i, c->children, c->n_children * sizeof(*v));
	memcpy(v + i + c->n_children, n->children + i + 1, (n->n_children - i - 1) * sizeof(*v));
	free(n->children);
	n->children = v;
	n->n_children = total;
	c->n_children = 0; /* detached: free only the shell */
	condition_ast_free(c);
	return 0;
}

int subtree_flatten(struct condition_node *n)
{
	if (n->kind != CONDITION_NODE_AND && n->kind != CONDITION_NODE_OR && n->kind != CONDITION_NODE_NOT)
		return 0;
	for (size_t i = 0; i < n->n_children; i++) {
		struct condition_node *c = n->children[i];
		if (subtree_flatten(c) < 0)
			return -1;
		/* not not x == x */
		if (c->kind == CONDITION_NODE_NOT && c->children[0]->kind == CONDITION_NODE_NOT) {
			struct condition_node *inner = c->children[0];
			n->children[i] = inner->children[0];
			inner->n_children = 0;
			c->n_children = 0;
			condition_ast_free(inner);
			condition_ast_free(c);
			c = n->children[i];
		}
		if (n->kind != CONDITION_NODE_NOT && c->kind == n->kind) {
			size_t added = c->n_children;
			if (subtree_splice(n, i) < 0)
				return -1;
			i += added - 1; /* the spliced children are flat already */
		}
	}
	return 0;
}

subtree_table *subtree_table_new(void)
{
	subtree_table *t = calloc(1, sizeof(*t));
	if (t && !(t->slots = calloc(t->cap = 1024, sizeof(*t->slots)))) {
		free(t);
		return NULL;
	}
	return t;
}

static uint64_t subtree_hash(enum condition_node_kind kind, const void *const *ids, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)kind;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint64_t)(uintptr_t)ids[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static int subtree_grow(subtree_table *t)
{
	size_t cap = t->cap * 2;
	subtree_entry **s = calloc(cap, sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		subtree_entry *e = t->slots[i];
		if (!e)
			continue;
		size_t j = subtree_hash(e->kind, e->ids, e->n) & (cap - 1);
		while (s[j])
			j = (j + 1) & (cap - 1);
		s[j] = e;
	}
	free(t->slots);
	t->slots = s;
	t->cap = cap;
	return 0;
}

/* Returns the identity of the subtree (its leaf or its entry), NULL on
 * ENOMEM. Sets node->memo to the entry's slot. */
static const void *subtree_intern(subtree_table *t, struct condition_node *n)
{
	if (n->kind == CONDITION_NODE_CMP)
		return n->cmp.bound ? n->cmp.bound : (const void *)n;
	if (n->kind == CONDITION_NODE_MACRO_REF)
		return n;
	const void *stack[32];
	const void **ids = n->n_children <= 32 ? stack : malloc(n->n_children * sizeof(*ids));
	if (!ids)
		return NULL;
	for (size_t i = 0; i < n->n_children; i++) {
		if (!(ids[i] = subtree_intern(t, n->children[i]))) {
			if (ids != stack)
				free(ids);
			return NULL;
		}
	}
	if (t->count * 2 >= t->cap && subtree_grow(t) < 0)
		goto nomem;
	size_t j = subtree_hash(n->kind, ids, n->n_children) & (t->cap - 1);
	subtree_entry *e;
	while ((e = t->slots[j])) {
		if (e->kind == n->kind && e->n == n->n_children && memcmp(e->ids, ids, e->n * sizeof(*ids)) == 0)
			break;
		j = (j + 1) & (t->cap - 1);
	}
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->ids = malloc((n->n_children ? n->n_children : 1) * sizeof(*ids))) ||
		    !(e->memo = calloc(1, sizeof(*e->memo)))) {
			if (e)
				free(e->ids);
			free(e);
			goto nomem;
		}
		e->kind = n->kind;
		e->n = n->n_children;
		memcpy(e->ids, ids, e->n * sizeof(*ids));
		t->slots[j] = e;
		t->count++;
	}
	if (ids != stack)
		free(ids);
	e->memo->uses++;
	n->memo = e->memo;
	return e;
nomem:
	if (ids != stack)
		free(ids);
	return NULL;
}

int subtree_table_add(subtree_table *t, struct condition_node *root)
{
	return subtree_intern(t, root) ? 0 : -1;
}

void subtree_table_assign(subtree_table *t, struct condition_node *n)
{
	if (n->kind == CONDITION_NODE_CMP || n->kind == CONDITION_NODE_MACRO_REF)
		return;
	/* A slot only pays for itself when the subtree occurs twice. */
	if (n->memo && n->memo->uses < 2)
		n->memo = NULL;
	for (size_t i = 0; i < n->n_children; i++)
		subtree_table_assign(t, n->children[i]);
}

void subtree_table_free(subtree_table *t, subtree_memo ***kept, size_t *nkept)
{
	*kept = NULL;
	*nkept = 0;
	if (!t)
		return;
	size_t n = 0;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i] && t->slots[i]->memo->uses >= 2)
			n++;
	subtree_memo **v = n ? malloc(n * sizeof(*v)) : NULL;
	for (size_t i = 0; i < t->cap; i++) {
		subtree_entry *e = t->slots[i];
		if (!e)
			continue;
		if (v && e->memo->uses >= 2)
			v[(*nkept)++] = e->memo;
		else
			free(e->memo);
		free(e->ids);
		free(e);
	}
	/* Without the array (ENOMEM) the slots in use leak rather than dangle. */
	*kept = v;
	free(t->slots);
	free(t);
}
