#include "engine/compile/leaf_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/util/hashmap.h"

struct leaf_table {
	hashmap map; /* key (owned by the table) -> leaf */
};

leaf_table *leaf_table_new(void)
{
	return calloc(1, sizeof(leaf_table));
}

static void leaf_unref(void *p);

void leaf_table_free(leaf_table *t)
{
	if (!t)
		return;
	size_t i = 0, len;
	const void *key;
	void *l;
	while (hashmap_next(&t->map, &i, &key, &len, &l)) {
		free((void *)key);
		leaf_unref(l);
	}
	hashmap_free(&t->map);
	free(t);
}

size_t leaf_table_count(const leaf_table *t)
{
	return t->map.n;
}

static void leaf_unref(void *p)
{
	leaf *l = p;
	if (atomic_fetch_sub_explicit(&l->refs, 1, memory_order_acq_rel) == 1) {
		l->backend->check_free(l->chk);
		free(l);
	}
}

/* The key separates parts with bytes that cannot appear in them (values
 * are NUL-free text), and marks quoting, which changes list expansion only
 * before binding but keeps the key exact. */
static char *leaf_table_key(const backend *b, const struct condition_cmp *c)
{
	size_t len = strlen(b->source) + strlen(c->field) + (c->arg ? strlen(c->arg) : 0) + 16;
	for (size_t i = 0; i < c->n_values; i++)
		len += strlen(c->values[i].text) + 2;
	char *k = malloc(len);
	if (!k)
		return NULL;
	char *w = k + sprintf(k, "%s\x01%s\x01%s\x01%d\x01%d", b->source, c->field, c->arg ? c->arg : "", (int)c->op,
			      c->list_values);
	for (size_t i = 0; i < c->n_values; i++)
		w += sprintf(w, "\x02%s", c->values[i].text);
	return k;
}

/* Asks the backend which codes decide the leaf without an event. */
static void leaf_table_classify(leaf *l)
{
	backend_code_value vals[EVTTYPE_SET_BITS];
	size_t n = l->backend->evttype_count < EVTTYPE_SET_BITS ? l->backend->evttype_count : EVTTYPE_SET_BITS;
	if (!l->backend->check_code_values || !l->backend->check_code_values(l->chk, vals, n))
		return;
	for (size_t c = 0; c < n; c++) {
		if (vals[c] == BACKEND_CODE_VARIES)
			continue;
		evttype_set_add(&l->known, (unsigned)c);
		if (vals[c] == BACKEND_CODE_TRUE)
			evttype_set_add(&l->value, (unsigned)c);
	}
	l->has_consts = evttype_set_count(&l->known) > 0;
}

int leaf_table_bind(leaf_table *t, const leaf_table *prev, const backend *b, struct condition_node *n, char *err,
		    size_t errlen)
{
	const struct condition_cmp *c = &n->cmp;
	char *key = leaf_table_key(b, c);
	if (!key) {
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	leaf *l = hashmap_get(&t->map, key, strlen(key));
	leaf *shared = l || !prev ? NULL : hashmap_get(&prev->map, key, strlen(key));
	if (shared && shared->backend == b) {
		if (hashmap_put(&t->map, key, strlen(key), shared) < 0) {
			free(key);
			snprintf(err, errlen, "out of memory");
			return BACKEND_ERROR;
		}
		atomic_fetch_add_explicit(&shared->refs, 1, memory_order_relaxed); /* the table's */
		l = shared;
	} else if (!l) {
		const char *stack[16];
		const char **values = c->n_values <= 16 ? stack : malloc(c->n_values * sizeof(*values));
		l = calloc(1, sizeof(*l));
		if (!values || !l) {
			if (values != stack)
				free(values);
			free(l);
			free(key);
			snprintf(err, errlen, "out of memory");
			return BACKEND_ERROR;
		}
		for (size_t i = 0; i < c->n_values; i++)
			values[i] = c->values[i].text;
		backend_leaf bl = {.field = c->field, .arg = c->arg, .op = c->op, .values = values, .nvalues = c->n_values};
		int rc = b->check_compile(b->ctx, &bl, &l->chk, err, errlen);
		if (values != stack)
			free(values);
		if (rc != BACKEND_OK) {
			free(l);
			free(key);
			return rc;
		}
		l->backend = b;
		l->eval = b->check_eval;
		leaf_table_classify(l);
		if (hashmap_put(&t->map, key, strlen(key), l) < 0) {
			b->check_free(l->chk);
			free(l);
			free(key);
			snprintf(err, errlen, "out of memory");
			return BACKEND_ERROR;
		}
		/* The table's own reference: a rule dropped after binding (skipped
		 * for an unknown field) must not free a leaf others will share. */
		atomic_init(&l->refs, 1);
	} else {
		free(key);
	}
	atomic_fetch_add_explicit(&l->refs, 1, memory_order_relaxed);
	n->cmp.bound = l;
	n->cmp.bound_free = leaf_unref;
	return BACKEND_OK;
}
