#include "engine/compile/leaf_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ppm_events_public.h"

typedef struct leaf_slot {
	char *key; /* owned */
	leaf *l;
} leaf_slot;

struct leaf_table {
	leaf_slot *slots;
	size_t cap, count;
};

static uint64_t leaf_table_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

leaf_table *leaf_table_new(void)
{
	leaf_table *t = calloc(1, sizeof(*t));
	if (t && !(t->slots = calloc(t->cap = 1024, sizeof(*t->slots)))) {
		free(t);
		return NULL;
	}
	return t;
}

static void leaf_unref(void *p);

void leaf_table_free(leaf_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++) {
		free(t->slots[i].key);
		if (t->slots[i].l)
			leaf_unref(t->slots[i].l);
	}
	free(t->slots);
	free(t);
}

size_t leaf_table_count(const leaf_table *t)
{
	return t->count;
}

static void leaf_unref(void *p)
{
	leaf *l = p;
	if (--l->refs == 0) {
		sinsp_bridge_check_free(l->chk);
		free(l);
	}
}

/* The key separates parts with bytes that cannot appear in them (values
 * are NUL-free text), and marks quoting, which changes list expansion only
 * before binding but keeps the key exact. */
static char *leaf_table_key(const struct condition_cmp *c)
{
	size_t len = strlen(c->field) + (c->arg ? strlen(c->arg) : 0) + 16;
	for (size_t i = 0; i < c->n_values; i++)
		len += strlen(c->values[i].text) + 2;
	char *k = malloc(len);
	if (!k)
		return NULL;
	char *w = k + sprintf(k, "%s\x01%s\x01%d\x01%d", c->field, c->arg ? c->arg : "", (int)c->op, c->list_values);
	for (size_t i = 0; i < c->n_values; i++)
		w += sprintf(w, "\x02%s", c->values[i].text);
	return k;
}

/* Recognises the leaves answered from the event code alone. */
static void leaf_table_classify(leaf *l, const struct condition_cmp *c)
{
	if (c->arg)
		return;
	if (strcmp(c->field, "evt.type") == 0 &&
	    (c->op == CONDITION_OP_EQ || c->op == CONDITION_OP_NE || c->op == CONDITION_OP_IN)) {
		uint16_t codes[EVTTYPE_SET_BITS];
		size_t n = sinsp_bridge_check_evttypes(l->chk, codes, EVTTYPE_SET_BITS);
		for (size_t i = 0; i < n && i < EVTTYPE_SET_BITS; i++)
			evttype_set_add(&l->types, codes[i]);
		l->kind = LEAF_EVTTYPE;
	} else if ((strcmp(c->field, "evt.is_open_read") == 0 || strcmp(c->field, "evt.is_open_write") == 0 ||
		    strcmp(c->field, "evt.is_open_exec") == 0) &&
		   c->n_values == 1 && (c->op == CONDITION_OP_EQ || c->op == CONDITION_OP_NE) &&
		   (strcasecmp(c->values[0].text, "true") == 0 || strcasecmp(c->values[0].text, "false") == 0)) {
		/* libsinsp (March 2022) sets these from the open flags of exactly
		 * these four events and to 0 (false) for every other one. */
		static const unsigned varies[] = {PPME_SYSCALL_OPEN_X, PPME_SYSCALL_OPENAT_E, PPME_SYSCALL_OPENAT_2_X,
						  PPME_SYSCALL_OPENAT2_X};
		for (size_t i = 0; i < sizeof(varies) / sizeof(varies[0]); i++)
			evttype_set_add(&l->types, varies[i]);
		bool want_true = strcasecmp(c->values[0].text, "true") == 0;
		/* outside: the field is false; "= true" is false, "= false" true */
		l->outside = c->op == CONDITION_OP_EQ ? !want_true : want_true;
		l->kind = LEAF_PARTIAL;
	} else if (strcmp(c->field, "evt.dir") == 0 && c->n_values == 1 &&
		   (c->op == CONDITION_OP_EQ || c->op == CONDITION_OP_NE) &&
		   (strcmp(c->values[0].text, "<") == 0 || strcmp(c->values[0].text, ">") == 0)) {
		/* PPM codes: enter events are even, exit events odd. */
		bool is_exit = c->values[0].text[0] == '<';
		l->exit = c->op == CONDITION_OP_EQ ? is_exit : !is_exit;
		l->kind = LEAF_EVTDIR;
	}
}

static int leaf_table_grow(leaf_table *t)
{
	size_t cap = t->cap * 2;
	leaf_slot *s = calloc(cap, sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->slots[i].key)
			continue;
		size_t j = leaf_table_hash(t->slots[i].key) & (cap - 1);
		while (s[j].key)
			j = (j + 1) & (cap - 1);
		s[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = s;
	t->cap = cap;
	return 0;
}

int leaf_table_bind(leaf_table *t, sinsp_bridge_inspector *insp, struct condition_node *n, sinsp_bridge_error *err)
{
	const struct condition_cmp *c = &n->cmp;
	char *key = leaf_table_key(c);
	if (!key || (t->count * 2 >= t->cap && leaf_table_grow(t) < 0)) {
		free(key);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return SINSP_BRIDGE_ERROR;
	}
	size_t j = leaf_table_hash(key) & (t->cap - 1);
	while (t->slots[j].key && strcmp(t->slots[j].key, key) != 0)
		j = (j + 1) & (t->cap - 1);
	leaf *l = t->slots[j].l;
	if (!l) {
		const char *stack[16];
		const char **values = c->n_values <= 16 ? stack : malloc(c->n_values * sizeof(*values));
		l = calloc(1, sizeof(*l));
		if (!values || !l) {
			if (values != stack)
				free(values);
			free(l);
			free(key);
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			return SINSP_BRIDGE_ERROR;
		}
		for (size_t i = 0; i < c->n_values; i++)
			values[i] = c->values[i].text;
		int rc = sinsp_bridge_check_compile(insp, c->field, c->arg, condition_op_to_string(c->op), values,
						    c->n_values, &l->chk, err);
		if (values != stack)
			free(values);
		if (rc != SINSP_BRIDGE_OK) {
			free(l);
			free(key);
			return rc;
		}
		leaf_table_classify(l, c);
		t->slots[j].key = key;
		t->slots[j].l = l;
		t->count++;
		/* The table's own reference: a rule dropped after binding (skipped
		 * for an unknown field) must not free a leaf others will share. */
		l->refs = 1;
	} else {
		free(key);
	}
	l->refs++;
	n->cmp.bound = l;
	n->cmp.bound_free = leaf_unref;
	return SINSP_BRIDGE_OK;
}
