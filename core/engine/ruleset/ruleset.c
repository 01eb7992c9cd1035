#include "engine/ruleset/ruleset.h"

#include <stdlib.h>
#include <string.h>

#include "engine/ruleset/condition_eval.h"
#include "engine/compile/leaf_table.h"
#include "engine/compile/subtree_memo.h"
#include "engine/util/hashmap.h"

typedef struct rule_consts {
	const leaf **v; /* the rule's code-constant leaves, in tree order; owned */
	size_t n, cap;
} rule_consts;

static bool ruleset_has_tag(const compiled_rule *r, const char *const *tags, size_t ntags)
{
	for (size_t i = 0; i < ntags; i++)
		for (size_t j = 0; j < r->ntags; j++)
			if (strcmp(tags[i], r->tags[j]) == 0)
				return true;
	return false;
}

static bool ruleset_selected(const compiled_rule *r, const ruleset_selection *sel)
{
	bool on = r->enabled;
	if (sel && sel->nonly_tags)
		on = ruleset_has_tag(r, sel->only_tags, sel->nonly_tags);
	for (size_t i = 0; sel && i < sel->ndisable_substr; i++)
		if (strstr(r->name, sel->disable_substr[i]))
			on = false;
	if (sel && ruleset_has_tag(r, sel->disable_tags, sel->ndisable_tags))
		on = false;
	return on;
}

static int ruleset_collect_consts(const struct condition_node *n, rule_consts *rc)
{
	const leaf *l = n->kind == CONDITION_NODE_CMP ? n->cmp.bound : NULL;
	if (l && l->has_consts) {
		if (rc->n == rc->cap) {
			size_t cap = rc->cap ? rc->cap * 2 : 8;
			const leaf **v = realloc(rc->v, cap * sizeof(*v));
			if (!v)
				return -1;
			rc->v = v;
			rc->cap = cap;
		}
		rc->v[rc->n++] = l;
		return 0;
	}
	for (size_t i = 0; i < n->n_children; i++)
		if (ruleset_collect_consts(n->children[i], rc) < 0)
			return -1;
	return 0;
}

/* Codes whose rules fold the same way share one folding: a class. */
typedef struct fold_class {
	unsigned char *sig; /* owned */
	size_t siglen;
	ruleset_item *items; /* owned */
	size_t nitems;
} fold_class;

typedef struct build_ctx {
	ruleset *rs;
	rule_consts *consts;          /* per rule */
	const compiled_rule **active; /* enabled evaluable rules of the code being built */
	size_t nactive;
	fold_class *classes;
	size_t nclasses, cap;
	hashmap by_sig; /* signature -> class index + 1 */
	unsigned char *sig;
	size_t sigcap;
} build_ctx;

/* The class of code c: its rule list and every code-constant test's value. */
static fold_class *ruleset_class_of(build_ctx *b, unsigned c)
{
	size_t len = 0;
	for (;;) {
		len = 0;
		for (size_t i = 0; i < b->nactive; i++) {
			size_t idx = (size_t)(b->active[i] - b->rs->rules->rules);
			if (len + 4 <= b->sigcap)
				memcpy(b->sig + len, &idx, 4);
			len += 4;
			const rule_consts *rc = &b->consts[idx];
			for (size_t j = 0; j < rc->n; j++, len++)
				if (len < b->sigcap)
					b->sig[len] = (unsigned char)leaf_value_for_code(rc->v[j], c);
		}
		if (len <= b->sigcap)
			break;
		unsigned char *s = realloc(b->sig, len * 2);
		if (!s)
			return NULL;
		b->sig = s;
		b->sigcap = len * 2;
	}
	size_t known = (size_t)(uintptr_t)hashmap_get(&b->by_sig, b->sig, len);
	if (known)
		return &b->classes[known - 1];
	if (b->nclasses == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		fold_class *v = realloc(b->classes, cap * sizeof(*v));
		if (!v)
			return NULL;
		b->classes = v;
		b->cap = cap;
	}
	fold_class *k = &b->classes[b->nclasses];
	memset(k, 0, sizeof(*k));
	k->sig = malloc(len ? len : 1);
	k->items = malloc((b->nactive ? b->nactive : 1) * sizeof(*k->items));
	if (!k->sig || !k->items) {
		free(k->sig);
		free(k->items);
		return NULL;
	}
	memcpy(k->sig, b->sig, len);
	k->siglen = len;
	if (hashmap_put(&b->by_sig, k->sig, len, (void *)(uintptr_t)(b->nclasses + 1)) < 0) {
		free(k->sig);
		free(k->items);
		return NULL;
	}
	for (size_t i = 0; i < b->nactive; i++) {
		const struct condition_node *cond = b->active[i]->cond;
		int r = ruleset_fold(cond, c, &b->rs->shells, &cond);
		if (r < 0) {
			free(k->sig);
			free(k->items);
			return NULL;
		}
		if (r != FOLD_FALSE)
			k->items[k->nitems++] = (ruleset_item){.rule = b->active[i], .cond = r == FOLD_TRUE ? NULL : cond};
	}
	b->nclasses++;
	return k;
}

/* Memo slots for subtrees shared within the folded conditions. */
static int ruleset_assign_memos(ruleset *rs, build_ctx *b)
{
	subtree_table *t = subtree_table_new();
	if (!t)
		return -1;
	int rc = 0;
	for (size_t k = 0; k < b->nclasses && rc == 0; k++)
		for (size_t i = 0; i < b->classes[k].nitems && rc == 0; i++)
			if (b->classes[k].items[i].cond)
				rc = subtree_table_add(t, (struct condition_node *)b->classes[k].items[i].cond);
	for (size_t k = 0; k < b->nclasses; k++)
		for (size_t i = 0; i < b->classes[k].nitems; i++)
			if (b->classes[k].items[i].cond)
				subtree_table_assign(t, (struct condition_node *)b->classes[k].items[i].cond);
	subtree_table_free(t, &rs->memos, &rs->nmemos);
	return rc;
}

static void ruleset_build_free(build_ctx *b, fold_class ***of_code, size_t nsrc, size_t nrules)
{
	for (size_t k = 0; k < b->nclasses; k++) {
		free(b->classes[k].sig);
		free(b->classes[k].items);
	}
	free(b->classes);
	hashmap_free(&b->by_sig);
	free(b->sig);
	free(b->active);
	for (size_t i = 0; b->consts && i < nrules; i++)
		free(b->consts[i].v);
	free(b->consts);
	for (size_t k = 0; of_code && k < nsrc; k++)
		free(of_code[k]);
	free(of_code);
}

/* One index per source, in the order of the source's first evaluable rule. */
static int ruleset_add_sources(ruleset *rs)
{
	const compiled_rules *rules = rs->rules;
	rs->indexes = calloc(rules->n ? rules->n : 1, sizeof(*rs->indexes));
	if (!rs->indexes)
		return -1;
	for (size_t i = 0; i < rules->n; i++) {
		const backend *be = rules->rules[i].evaluable ? rules->rules[i].backend : NULL;
		if (be && !ruleset_index_of(rs, be))
			rs->indexes[rs->nindexes++].backend = be;
	}
	return 0;
}

ruleset *ruleset_new(compiled_rules *rules, const ruleset_selection *sel)
{
	ruleset *rs = calloc(1, sizeof(*rs));
	if (!rs) {
		compiled_rules_free(rules);
		return NULL;
	}
	rs->rules = rules;
	build_ctx b = {.rs = rs};
	fold_class ***of_code = NULL;
	size_t nsrc = 0;
	rs->enabled = calloc(rules->n ? rules->n : 1, sizeof(*rs->enabled));
	b.active = malloc((rules->n ? rules->n : 1) * sizeof(*b.active));
	b.consts = calloc(rules->n ? rules->n : 1, sizeof(*b.consts));
	if (!rs->enabled || !b.active || !b.consts || ruleset_add_sources(rs) < 0)
		goto fail;
	nsrc = rs->nindexes;
	if (!(of_code = calloc(nsrc ? nsrc : 1, sizeof(*of_code))))
		goto fail;
	for (size_t i = 0; i < rules->n; i++)
		if (rules->rules[i].evaluable && ruleset_collect_consts(rules->rules[i].cond, &b.consts[i]) < 0)
			goto fail;
	for (size_t i = 0; i < rules->n; i++) {
		rs->enabled[i] = ruleset_selected(&rules->rules[i], sel);
		rs->nenabled += rs->enabled[i];
	}
	for (size_t k = 0; k < nsrc; k++) {
		ruleset_index *ix = &rs->indexes[k];
		if (!(of_code[k] = calloc(EVTTYPE_SET_BITS, sizeof(**of_code))))
			goto fail;
		for (unsigned c = 0; c < EVTTYPE_SET_BITS; c++) {
			b.nactive = 0;
			for (size_t i = 0; i < rules->n; i++) {
				const compiled_rule *r = &rules->rules[i];
				if (rs->enabled[i] && r->evaluable && r->backend == ix->backend &&
				    evttype_set_has(&r->index, c))
					b.active[b.nactive++] = r;
			}
			if (b.nactive && !(of_code[k][c] = ruleset_class_of(&b, c)))
				goto fail;
		}
	}
	if (ruleset_assign_memos(rs, &b) < 0)
		goto fail;
	for (size_t k = 0; k < nsrc; k++) {
		ruleset_index *ix = &rs->indexes[k];
		size_t total = 0;
		for (unsigned c = 0; c < EVTTYPE_SET_BITS; c++)
			total += of_code[k][c] ? of_code[k][c]->nitems : 0;
		if (!(ix->items = calloc(total ? total : 1, sizeof(*ix->items))))
			goto fail;
		for (unsigned c = 0; c < EVTTYPE_SET_BITS; c++) {
			size_t n = of_code[k][c] ? of_code[k][c]->nitems : 0;
			ix->offsets[c + 1] = ix->offsets[c] + (uint32_t)n;
			if (n)
				memcpy(ix->items + ix->offsets[c], of_code[k][c]->items, n * sizeof(*ix->items));
		}
	}
	rs->nclasses = b.nclasses;
	ruleset_build_free(&b, of_code, nsrc, rules->n);
	return rs;
fail:
	ruleset_build_free(&b, of_code, nsrc, rules->n);
	ruleset_free(rs);
	return NULL;
}

void ruleset_free(ruleset *rs)
{
	if (!rs)
		return;
	fold_shells_free(&rs->shells);
	for (size_t i = 0; i < rs->nmemos; i++)
		free(rs->memos[i]);
	free(rs->memos);
	compiled_rules_free(rs->rules);
	free(rs->enabled);
	for (size_t k = 0; k < rs->nindexes; k++)
		free(rs->indexes[k].items);
	free(rs->indexes);
	free(rs);
}

const ruleset_index *ruleset_index_of(const ruleset *rs, const backend *b)
{
	for (size_t k = 0; k < rs->nindexes; k++)
		if (rs->indexes[k].backend == b)
			return &rs->indexes[k];
	return NULL;
}

const compiled_rule *ruleset_match(const ruleset *rs, const backend_event *evt, uint64_t gen)
{
	const ruleset_index *ix = ruleset_index_of(rs, evt->backend);
	unsigned c = evt->type;
	if (!ix || c >= EVTTYPE_SET_BITS)
		return NULL;
	for (uint32_t i = ix->offsets[c]; i < ix->offsets[c + 1]; i++) {
		const ruleset_item *it = &ix->items[i];
		if (!it->cond || condition_eval(it->cond, evt, gen, c))
			return it->rule;
	}
	return NULL;
}

bool ruleset_is_enabled(const ruleset *rs, size_t i)
{
	return i < rs->rules->n && rs->enabled[i];
}
