#include "engine/compile/subtree_memo.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "engine/util/hashmap.h"

/* A subtree is identified by its kind and its children's identities (a
 * leaf or an entry): the key is that array, key[0] holding the kind. */
typedef struct subtree_entry {
	const void **key; /* 1 + number of children; owned */
	subtree_memo *memo;
} subtree_entry;

struct subtree_table {
	hashmap map; /* key -> entry (owned) */
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
	return calloc(1, sizeof(subtree_table));
}

/* Returns the identity of the subtree (its leaf or its entry), NULL on
 * ENOMEM. Sets node->memo to the entry's slot. */
static const void *subtree_intern(subtree_table *t, struct condition_node *n)
{
	if (n->kind == CONDITION_NODE_CMP)
		return n->cmp.bound ? n->cmp.bound : (const void *)n;
	if (n->kind == CONDITION_NODE_MACRO_REF)
		return n;
	const void *stack[33];
	size_t nk = n->n_children + 1, klen = nk * sizeof(*stack);
	const void **ids = nk <= 33 ? stack : malloc(klen);
	if (!ids)
		return NULL;
	ids[0] = (const void *)(uintptr_t)n->kind;
	for (size_t i = 0; i < n->n_children; i++) {
		if (!(ids[i + 1] = subtree_intern(t, n->children[i]))) {
			if (ids != stack)
				free(ids);
			return NULL;
		}
	}
	subtree_entry *e = hashmap_get(&t->map, ids, klen);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->key = malloc(klen)) || !(e->memo = calloc(1, sizeof(*e->memo)))) {
			if (e)
				free(e->key);
			free(e);
			goto nomem;
		}
		memcpy(e->key, ids, klen);
		if (hashmap_put(&t->map, e->key, klen, e) < 0) {
			free(e->key);
			free(e->memo);
			free(e);
			goto nomem;
		}
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
	size_t n = 0, i = 0, len;
	const void *key;
	void *val;
	while (hashmap_next(&t->map, &i, &key, &len, &val))
		n += ((subtree_entry *)val)->memo->uses >= 2;
	subtree_memo **v = n ? malloc(n * sizeof(*v)) : NULL;
	for (i = 0; hashmap_next(&t->map, &i, &key, &len, &val);) {
		subtree_entry *e = val;
		if (v && e->memo->uses >= 2)
			v[(*nkept)++] = e->memo;
		else
			free(e->memo);
		free(e->key);
		free(e);
	}
	/* Without the array (ENOMEM) the slots in use leak rather than dangle. */
	*kept = v;
	hashmap_free(&t->map);
	free(t);
}
