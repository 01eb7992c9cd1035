#include "engine/rules/rules_doc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_version.h"
#include "engine/util/hashmap.h"
#include "engine/util/strbuf.h"

/* ------------------------------------------------------------------------
 * Ownership model
 *
 * Strings, tag arrays, exception field/comp arrays and exception value
 * trees are immutable once created and live in the arena of the
 * rules_yaml_file whose load created them; the document keeps the file of
 * every successful load alive until rules_doc_free().
 *
 * Everything that can grow or is derived (the entity arrays, list items,
 * append locations, exception arrays and their value arrays, flattened
 * lists, compile conditions, exception field sets, name indexes) belongs
 * to a `state`. A load clones the current state, applies the file to the
 * clone and swaps it in only when everything succeeded.
 * ---------------------------------------------------------------------- */

/* ---- name -> index map --------------------------------------------------- */

/* Names are borrowed from the items that carry them (see hashmap.h); the
 * value is the item's index. */
typedef hashmap strmap;

#define SM_NONE SIZE_MAX

static size_t sm_get(const strmap *m, const char *key)
{
	void *v;
	return key && hashmap_find(m, key, strlen(key), &v) ? (size_t)(uintptr_t)v : SM_NONE;
}

/* Inserts or updates key. Returns 0, or -1 when out of memory. */
static int sm_put(strmap *m, const char *key, size_t val)
{
	return hashmap_put(m, key, strlen(key), (void *)(uintptr_t)val);
}

static int sm_clone(const strmap *src, strmap *dst)
{
	return hashmap_copy(dst, src);
}

/* ---- state ---------------------------------------------------------------- */

typedef struct state {
	rules_list *lists;
	size_t n_lists, cap_lists;
	rules_macro *macros;
	size_t n_macros, cap_macros;
	rules_rule *rules;
	size_t n_rules, cap_rules;
	strmap list_idx, macro_idx, rule_idx, skipped;
	rules_plugin_requirement *plugins;
	size_t n_plugins;
	size_t seq;
} state;

static void free_exceptions(rules_exception *e, size_t n)
{
	for(size_t i = 0; i < n; i++)
		free(e[i].values);
	free(e);
}

static void free_list_parts(rules_list *l)
{
	free(l->items);
	free(l->expanded);
	free(l->appends);
}

static void free_macro_parts(rules_macro *m)
{
	free(m->appends);
}

static void free_rule_parts(rules_rule *r)
{
	free_exceptions(r->exceptions, r->n_exceptions);
	free(r->exception_fields);
	free((char *)r->compile_condition);
	free(r->appends);
}

static void state_free(state *s)
{
	for(size_t i = 0; i < s->n_lists; i++)
		free_list_parts(&s->lists[i]);
	for(size_t i = 0; i < s->n_macros; i++)
		free_macro_parts(&s->macros[i]);
	for(size_t i = 0; i < s->n_rules; i++)
		free_rule_parts(&s->rules[i]);
	free(s->lists);
	free(s->macros);
	free(s->rules);
	hashmap_free(&s->list_idx);
	hashmap_free(&s->macro_idx);
	hashmap_free(&s->rule_idx);
	hashmap_free(&s->skipped);
	free(s->plugins);
	*s = (state){0};
}

/* malloc'd copy of n elements of size sz (NULL when n == 0). */
static int dup_array(const void *src, size_t n, size_t sz, void *dstp)
{
	void **dst = dstp;
	*dst = NULL;
	if(!n)
		return 0;
	*dst = malloc(n * sz);
	if(!*dst)
		return -1;
	memcpy(*dst, src, n * sz);
	return 0;
}

static int clone_exceptions(const rules_exception *src, size_t n, rules_exception **out)
{
	*out = NULL;
	if(!n)
		return 0;
	rules_exception *e = calloc(n, sizeof(*e));
	if(!e)
		return -1;
	for(size_t i = 0; i < n; i++) {
		e[i] = src[i];
		e[i].values = NULL;
	}
	for(size_t i = 0; i < n; i++) {
		if(dup_array(src[i].values, src[i].n_values, sizeof(rules_exception_value), &e[i].values) != 0) {
			free_exceptions(e, n);
			return -1;
		}
	}
	*out = e;
	return 0;
}

/* Deep-copies the mutable parts of src into dst. Derived data (flattened
 * lists, compile conditions, exception field sets) is left empty: it is
 * recomputed for the whole state after every file. */
static int state_clone(const state *src, state *dst)
{
	*dst = (state){0};
	dst->seq = src->seq;
	if(src->n_lists) {
		dst->lists = calloc(src->n_lists, sizeof(rules_list));
		if(!dst->lists)
			goto oom;
		dst->cap_lists = src->n_lists;
	}
	for(size_t i = 0; i < src->n_lists; i++) {
		rules_list *d = &dst->lists[i];
		const rules_list *s = &src->lists[i];
		*d = *s;
		d->items = NULL;
		d->expanded = NULL;
		d->n_expanded = 0;
		d->used_by_list = false;
		d->appends = NULL;
		dst->n_lists = i + 1;
		if(dup_array(s->items, s->n_items, sizeof(*s->items), &d->items) != 0 ||
		   dup_array(s->appends, s->n_appends, sizeof(*s->appends), &d->appends) != 0)
			goto oom;
	}
	if(src->n_macros) {
		dst->macros = calloc(src->n_macros, sizeof(rules_macro));
		if(!dst->macros)
			goto oom;
		dst->cap_macros = src->n_macros;
	}
	for(size_t i = 0; i < src->n_macros; i++) {
		rules_macro *d = &dst->macros[i];
		*d = src->macros[i];
		d->appends = NULL;
		dst->n_macros = i + 1;
		if(dup_array(src->macros[i].appends, src->macros[i].n_appends, sizeof(rules_loc), &d->appends) != 0)
			goto oom;
	}
	if(src->n_rules) {
		dst->rules = calloc(src->n_rules, sizeof(rules_rule));
		if(!dst->rules)
			goto oom;
		dst->cap_rules = src->n_rules;
	}
	for(size_t i = 0; i < src->n_rules; i++) {
		rules_rule *d = &dst->rules[i];
		const rules_rule *s = &src->rules[i];
		*d = *s;
		d->exceptions = NULL;
		d->exception_fields = NULL;
		d->n_exception_fields = 0;
		d->compile_condition = NULL;
		d->appends = NULL;
		dst->n_rules = i + 1;
		if(clone_exceptions(s->exceptions, s->n_exceptions, &d->exceptions) != 0) {
			d->n_exceptions = 0;
			goto oom;
		}
		if(dup_array(s->appends, s->n_appends, sizeof(rules_loc), &d->appends) != 0)
			goto oom;
	}
	if(sm_clone(&src->list_idx, &dst->list_idx) != 0 || sm_clone(&src->macro_idx, &dst->macro_idx) != 0 ||
	   sm_clone(&src->rule_idx, &dst->rule_idx) != 0 || sm_clone(&src->skipped, &dst->skipped) != 0)
		goto oom;
	if(dup_array(src->plugins, src->n_plugins, sizeof(*src->plugins), &dst->plugins) != 0)
		goto oom;
	dst->n_plugins = src->n_plugins;
	return 0;
oom:
	state_free(dst);
	return -1;
}

/* ---- document ------------------------------------------------------------- */

typedef struct file_rec {
	rules_yaml_file *yf;
	unsigned required_engine_version;
} file_rec;

struct rules_doc {
	rules_doc_options opts;
	unsigned engine_version;
	state st;
	file_rec *files;
	size_t n_files;
	char **warnings;
	size_t n_warnings;
	char **errors; /* of the last failed load */
	size_t n_errors;
};

void rules_doc_options_init(rules_doc_options *opts)
{
	if(!opts)
		return;
	*opts = (rules_doc_options){0};
	opts->engine_version = 0;
	opts->min_priority = RULES_PRIORITY_DEBUG;
	rules_limits_init(&opts->limits);
}

rules_doc *rules_doc_new(const rules_doc_options *opts)
{
	rules_doc *d = calloc(1, sizeof(*d));
	if(!d)
		return NULL;
	if(opts)
		d->opts = *opts;
	else
		rules_doc_options_init(&d->opts);
	d->engine_version = d->opts.engine_version ? d->opts.engine_version : engine_version_number();
	rules_limits_resolve(&d->opts.limits, &d->opts.limits);
	return d;
}

void rules_doc_free(rules_doc *doc)
{
	if(!doc)
		return;
	state_free(&doc->st);
	for(size_t i = 0; i < doc->n_files; i++)
		rules_yaml_free(doc->files[i].yf);
	free(doc->files);
	for(size_t i = 0; i < doc->n_warnings; i++)
		free(doc->warnings[i]);
	free(doc->warnings);
	for(size_t i = 0; i < doc->n_errors; i++)
		free(doc->errors[i]);
	free(doc->errors);
	free(doc);
}

static void doc_errors_reset(rules_doc *doc)
{
	for(size_t i = 0; i < doc->n_errors; i++)
		free(doc->errors[i]);
	free(doc->errors);
	doc->errors = NULL;
	doc->n_errors = 0;
}

/* Keeps one error of the load under way (dropped silently when out of
 * memory: the load's err still has the first one). */
static void doc_error_add(rules_doc *doc, const char *msg)
{
	char **e = realloc(doc->errors, (doc->n_errors + 1) * sizeof(*e));
	if(!e)
		return;
	doc->errors = e;
	if((e[doc->n_errors] = strdup(msg)))
		doc->n_errors++;
}

size_t rules_doc_error_count(const rules_doc *doc)
{
	return doc ? doc->n_errors : 0;
}

const char *rules_doc_error_at(const rules_doc *doc, size_t i)
{
	return doc && i < doc->n_errors ? doc->errors[i] : NULL;
}

/* ---- load context and messages ------------------------------------------- */

typedef struct ctx {
	rules_doc *doc;
	state *st;
	rules_yaml_file *yf;
	const char *fname;
	char *err;
	size_t errlen;
	char **warn;
	size_t n_warn, cap_warn;
	const char *kind; /* "rule", "macro", ... or NULL */
	const char *name; /* item name or NULL */
	unsigned rev;
	const rules_limits *lim;
	/* Conditions being appended to during this load, by macro and rule
	 * index (an empty builder: no append yet). Appends add to a builder
	 * and each condition is joined once at the end of the file, so many
	 * appends cost their total length, not its square. */
	strbuf *macro_cond, *rule_cond;
	size_t n_macro_cond, n_rule_cond;
} ctx;

static void vformat(ctx *c, char *dst, size_t dstlen, unsigned line, unsigned col, const char *fmt,
		    va_list ap)
{
	int off;
	if(c->kind && c->name)
		off = snprintf(dst, dstlen, "%s:%u:%u: %s '%s': ", c->fname, line, col, c->kind, c->name);
	else if(c->kind)
		off = snprintf(dst, dstlen, "%s:%u:%u: %s: ", c->fname, line, col, c->kind);
	else
		off = snprintf(dst, dstlen, "%s:%u:%u: ", c->fname, line, col);
	if(off >= 0 && (size_t)off < dstlen)
		vsnprintf(dst + off, dstlen - (size_t)off, fmt, ap);
}

static int fail_at(ctx *c, int code, unsigned line, unsigned col, const char *fmt, ...)
{
	if(c->err && c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vformat(c, c->err, c->errlen, line, col, fmt, ap);
		va_end(ap);
	}
	return code;
}

#define FAIL(c, code, node, ...) fail_at((c), (code), (node)->line, (node)->col, __VA_ARGS__)

static int oom(ctx *c, const rules_yaml_node *at)
{
	return fail_at(c, RULES_ERR_NOMEM, at ? at->line : 0, at ? at->col : 0, "out of memory");
}

static int warn_at(ctx *c, unsigned line, unsigned col, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vformat(c, buf, sizeof(buf), line, col, fmt, ap);
	va_end(ap);
	if(c->n_warn == c->cap_warn) {
		size_t nc = c->cap_warn ? c->cap_warn * 2 : 8;
		char **nw = realloc(c->warn, nc * sizeof(*nw));
		if(!nw)
			return RULES_ERR_NOMEM;
		c->warn = nw;
		c->cap_warn = nc;
	}
	char *s = strdup(buf);
	if(!s)
		return RULES_ERR_NOMEM;
	c->warn[c->n_warn++] = s;
	return RULES_OK;
}

static rules_loc loc_of(const ctx *c, const rules_yaml_node *n)
{
	rules_loc l = {c->fname, n ? n->line : 0, n ? n->col : 0};
	return l;
}

/* ---- typed field access ----------------------------------------------------- */

/* A top-level key Falco dispatches on: present and not false. A null value
 * counts, as lyaml's null is a (truthy) table. */
static bool dispatched(const rules_yaml_node *n)
{
	bool b;
	if(!n)
		return false;
	if(rules_yaml_bool(n, &b) && !b)
		return false;
	return true;
}

/* Optional string field: *out = NULL when absent or null. */
static int get_text(ctx *c, const rules_yaml_node *item, const char *key, const char **out,
		    const rules_yaml_node **node)
{
	const rules_yaml_node *v = rules_yaml_map_get(item, key);
	*out = NULL;
	if(node)
		*node = NULL;
	if(rules_yaml_is_null(v))
		return RULES_OK;
	if(v->kind != RULES_YAML_SCALAR)
		return FAIL(c, RULES_ERR_SCHEMA, v, "%s must be a string, not a %s", key, rules_yaml_type_name(v));
	*out = v->text;
	if(node)
		*node = v;
	return RULES_OK;
}

/* Optional boolean field. */
static int get_bool(ctx *c, const rules_yaml_node *item, const char *key, bool *present, bool *out)
{
	const rules_yaml_node *v = rules_yaml_map_get(item, key);
	*present = false;
	if(rules_yaml_is_null(v))
		return RULES_OK;
	if(!rules_yaml_bool(v, out))
		return FAIL(c, RULES_ERR_SCHEMA, v, "%s must be a boolean (true or false), not a %s", key,
			    rules_yaml_type_name(v));
	*present = true;
	return RULES_OK;
}

/* Optional list of strings; *out is an arena array (NULL when empty). */
static int get_text_list(ctx *c, const rules_yaml_node *item, const char *key, bool *present,
			 const char ***out, size_t *n, const rules_yaml_node **node)
{
	const rules_yaml_node *v = rules_yaml_map_get(item, key);
	*present = false;
	*out = NULL;
	*n = 0;
	if(node)
		*node = v;
	if(rules_yaml_is_null(v))
		return RULES_OK;
	if(v->kind != RULES_YAML_SEQUENCE)
		return FAIL(c, RULES_ERR_SCHEMA, v, "%s must be a list of strings, not a %s", key,
			    rules_yaml_type_name(v));
	*present = true;
	if(!v->n)
		return RULES_OK;
	const char **arr = rules_yaml_alloc(c->yf, v->n * sizeof(*arr));
	if(!arr)
		return oom(c, v);
	for(size_t i = 0; i < v->n; i++) {
		const rules_yaml_node *e = v->kids[i];
		if(!rules_yaml_is_text(e))
			return FAIL(c, RULES_ERR_SCHEMA, e, "%s must be a list of strings, but entry %zu is a %s", key,
				    i + 1, rules_yaml_type_name(e));
		arr[i] = e->text;
	}
	*out = arr;
	*n = v->n;
	return RULES_OK;
}

static int check_appends(ctx *c, const rules_yaml_node *item, size_t n_appends)
{
	if(n_appends >= c->lim->appends)
		return FAIL(c, RULES_ERR_SEMANTIC, item, "more than %zu appends (engine.limits.appends)",
			    c->lim->appends);
	return RULES_OK;
}

/* Appends " " + cond to the condition of entity idx (starting from its
 * current condition `base` on its first append of this load). */
static int append_condition(ctx *c, strbuf **bufs, size_t *n, size_t idx, const char *base, const char *cond,
			    const rules_yaml_node *item)
{
	if(idx >= *n) {
		size_t nn = idx + 1 > *n * 2 ? idx + 1 : *n * 2;
		strbuf *nb = realloc(*bufs, nn * sizeof(*nb));
		if(!nb)
			return oom(c, item);
		for(size_t i = *n; i < nn; i++)
			nb[i] = (strbuf)STRBUF_INIT;
		*bufs = nb;
		*n = nn;
	}
	strbuf *b = &(*bufs)[idx];
	if(!b->p)
		strbuf_add(b, base);
	strbuf_addc(b, ' ');
	strbuf_add(b, cond);
	if(b->oom)
		return oom(c, item);
	if(b->len > c->lim->condition_bytes)
		return FAIL(c, RULES_ERR_SEMANTIC, item,
			    "the condition would be longer than %zu bytes with this append (engine.limits.condition_bytes)",
			    c->lim->condition_bytes);
	return RULES_OK;
}

/* A redefinition replaces the condition: appends before it are dropped. */
static void drop_condition(strbuf *bufs, size_t n, size_t idx)
{
	if(idx < n)
		strbuf_free(&bufs[idx]);
}

/* Joins the appended conditions into the file's arena, once each. */
static int commit_conditions(ctx *c, strbuf *bufs, size_t n, const char **(*slot)(state *, size_t))
{
	for(size_t i = 0; i < n; i++) {
		if(!bufs[i].p)
			continue;
		char *s = rules_yaml_strndup(c->yf, bufs[i].p, bufs[i].len);
		if(!s)
			return fail_at(c, RULES_ERR_NOMEM, 0, 0, "out of memory");
		*slot(c->st, i) = s;
	}
	return RULES_OK;
}

static const char **macro_condition_slot(state *st, size_t i)
{
	return &st->macros[i].condition;
}

static const char **rule_condition_slot(state *st, size_t i)
{
	return &st->rules[i].condition;
}

static void free_conditions(strbuf *bufs, size_t n)
{
	for(size_t i = 0; i < n; i++)
		strbuf_free(&bufs[i]);
	free(bufs);
}

/* Falco's trim(): strips leading and trailing whitespace. */
static const char *trim(ctx *c, const char *s)
{
	const char *ws = " \t\n\v\f\r";
	size_t b = strspn(s, ws), e = strlen(s);
	while(e > b && strchr(ws, s[e - 1]))
		e--;
	if(b == 0 && s[e] == '\0')
		return s;
	return rules_yaml_strndup(c->yf, s + b, e - b);
}

static int push_loc(rules_loc **arr, size_t *n, rules_loc l)
{
	rules_loc *na = realloc(*arr, (*n + 1) * sizeof(*na));
	if(!na)
		return -1;
	na[*n] = l;
	*arr = na;
	(*n)++;
	return 0;
}

#define GROW(arr, n, cap)                                                                                    \
	((n) < (cap) ? 0 : grow_array((void **)&(arr), &(cap), sizeof(*(arr))))

static int grow_array(void **arr, size_t *cap, size_t sz)
{
	size_t nc = *cap ? *cap * 2 : 32;
	void *na = realloc(*arr, nc * sz);
	if(!na)
		return -1;
	*arr = na;
	*cap = nc;
	return 0;
}

/* ---- items: required_engine_version, required_plugin_versions ---------- */

static int apply_engine_version(ctx *c, const rules_yaml_node *v)
{
	c->kind = "required_engine_version";
	double d;
	if(!rules_yaml_number(v, &d))
		return FAIL(c, RULES_ERR_SCHEMA, v, "Value of required_engine_version must be a number");
	c->rev = d <= 0 ? 0 : d >= 4294967295.0 ? 4294967295u : (unsigned)d;
	if((double)c->doc->engine_version < d)
		return FAIL(c, RULES_ERR_VERSION, v, "Rules require engine version %.15g, but engine version is %u", d,
			    c->doc->engine_version);
	return RULES_OK;
}

static int apply_plugin_versions(ctx *c, const rules_yaml_node *v)
{
	c->kind = "required_plugin_versions";
	if(v->kind != RULES_YAML_SEQUENCE)
		return FAIL(c, RULES_ERR_SCHEMA, v, "required_plugin_versions must be a list, not a %s",
			    rules_yaml_type_name(v));
	for(size_t i = 0; i < v->n; i++) {
		const rules_yaml_node *e = v->kids[i];
		if(e->kind != RULES_YAML_MAPPING)
			return FAIL(c, RULES_ERR_SCHEMA, e, "required_plugin_versions item must be a mapping, not a %s",
				    rules_yaml_type_name(e));
		const char *name, *version;
		int rc;
		if((rc = get_text(c, e, "name", &name, NULL)) != RULES_OK ||
		   (rc = get_text(c, e, "version", &version, NULL)) != RULES_OK)
			return rc;
		if(!name)
			return FAIL(c, RULES_ERR_SEMANTIC, e, "required_plugin_versions item must have name property");
		if(!version)
			return FAIL(c, RULES_ERR_SEMANTIC, e, "required_plugin_versions item must have version property");
		rules_plugin_requirement *np =
			realloc(c->st->plugins, (c->st->n_plugins + 1) * sizeof(*np));
		if(!np)
			return oom(c, e);
		c->st->plugins = np;
		np[c->st->n_plugins++] = (rules_plugin_requirement){name, version, loc_of(c, e)};
	}
	return RULES_OK;
}

/* ---- items: list, macro ------------------------------------------------- */

/* Falco 0.31 dispatches on a key that is present, null included (lyaml's
 * null is a table, so `- rule:` with no value is "Rule name is empty"). */
static int item_name(ctx *c, const rules_yaml_node *v, const char *what, const char **out)
{
	if(rules_yaml_is_null(v))
		return FAIL(c, RULES_ERR_SEMANTIC, v, "%s name is empty", what);
	if(v->kind != RULES_YAML_SCALAR)
		return FAIL(c, RULES_ERR_SCHEMA, v, "%s name is empty (the name must be a string, not a %s)", what,
			    rules_yaml_type_name(v));
	*out = v->text;
	c->name = v->text;
	return RULES_OK;
}

static int apply_list(ctx *c, const rules_yaml_node *item, const rules_yaml_node *namenode, size_t seq)
{
	int rc;
	const char *name = NULL;
	c->kind = "list";
	if((rc = item_name(c, namenode, "List", &name)) != RULES_OK)
		return rc;
	bool has_items, has_append, append = false;
	const char **items;
	size_t n_items;
	if((rc = get_text_list(c, item, "items", &has_items, &items, &n_items, NULL)) != RULES_OK ||
	   (rc = get_bool(c, item, "append", &has_append, &append)) != RULES_OK)
		return rc;
	if(!has_items)
		return FAIL(c, RULES_ERR_SEMANTIC, item, "List must have property items");
	state *st = c->st;
	size_t idx = sm_get(&st->list_idx, name);
	if(append) {
		if(idx == SM_NONE)
			return FAIL(c, RULES_ERR_SEMANTIC, item,
				    "List %s has 'append' key but no list by that name already exists", name);
		rules_list *l = &st->lists[idx];
		if((rc = check_appends(c, item, l->n_appends)) != RULES_OK)
			return rc;
		if(n_items > c->lim->list_items - l->n_items)
			return FAIL(c, RULES_ERR_SEMANTIC, item,
				    "List %s would have more than %zu items with this append (engine.limits.list_items)",
				    name, c->lim->list_items);
		if(n_items) {
			const char **ni = realloc(l->items, (l->n_items + n_items) * sizeof(*ni));
			if(!ni)
				return oom(c, item);
			memcpy(ni + l->n_items, items, n_items * sizeof(*ni));
			l->items = ni;
			l->n_items += n_items;
		}
		if(push_loc(&l->appends, &l->n_appends, loc_of(c, item)) != 0)
			return oom(c, item);
		return RULES_OK;
	}
	rules_list nl = {.name = name, .loc = loc_of(c, item), .seq = seq, .n_items = n_items};
	if(dup_array(items, n_items, sizeof(*items), &nl.items) != 0)
		return oom(c, item);
	if(idx != SM_NONE) {
		rules_list *l = &st->lists[idx];
		nl.order = l->order;
		free_list_parts(l);
		*l = nl;
		return RULES_OK;
	}
	if(GROW(st->lists, st->n_lists, st->cap_lists) != 0 || sm_put(&st->list_idx, name, st->n_lists) != 0) {
		free(nl.items);
		return oom(c, item);
	}
	nl.order = st->n_lists;
	st->lists[st->n_lists++] = nl;
	return RULES_OK;
}

static int apply_macro(ctx *c, const rules_yaml_node *item, const rules_yaml_node *namenode, size_t seq)
{
	int rc;
	const char *name = NULL, *cond = NULL, *source = NULL;
	const rules_yaml_node *condnode;
	c->kind = "macro";
	if((rc = item_name(c, namenode, "Macro", &name)) != RULES_OK)
		return rc;
	bool has_append, append = false;
	if((rc = get_text(c, item, "condition", &cond, &condnode)) != RULES_OK ||
	   (rc = get_text(c, item, "source", &source, NULL)) != RULES_OK ||
	   (rc = get_bool(c, item, "append", &has_append, &append)) != RULES_OK)
		return rc;
	if(!cond)
		return FAIL(c, RULES_ERR_SEMANTIC, item, "Macro must have property condition");
	state *st = c->st;
	size_t idx = sm_get(&st->macro_idx, name);
	if(append) {
		if(idx == SM_NONE)
			return FAIL(c, RULES_ERR_SEMANTIC, item,
				    "Macro %s has 'append' key but no macro by that name already exists", name);
		rules_macro *m = &st->macros[idx];
		if((rc = check_appends(c, item, m->n_appends)) != RULES_OK ||
		   (rc = append_condition(c, &c->macro_cond, &c->n_macro_cond, idx, m->condition, cond, item)) !=
			   RULES_OK)
			return rc;
		if(push_loc(&m->appends, &m->n_appends, loc_of(c, item)) != 0)
			return oom(c, item);
		return RULES_OK;
	}
	rules_macro nm = {
		.name = name,
		.condition = cond,
		.source = source ? source : "syscall",
		.loc = loc_of(c, item),
		.condition_loc = loc_of(c, condnode),
		.seq = seq,
	};
	if(idx != SM_NONE) {
		rules_macro *m = &st->macros[idx];
		drop_condition(c->macro_cond, c->n_macro_cond, idx);
		nm.order = m->order;
		free_macro_parts(m);
		*m = nm;
		return RULES_OK;
	}
	if(GROW(st->macros, st->n_macros, st->cap_macros) != 0 || sm_put(&st->macro_idx, name, st->n_macros) != 0)
		return oom(c, item);
	nm.order = st->n_macros;
	st->macros[st->n_macros++] = nm;
	return RULES_OK;
}

/* ---- exceptions ------------------------------------------------------------- */

/* Converts an exception value node: a scalar, or a list of scalars and
 * lists of scalars (depth <= 2 below a values entry). */
static int conv_value(ctx *c, const rules_yaml_node *n, int depth, rules_exception_value *out)
{
	*out = (rules_exception_value){.loc = loc_of(c, n)};
	if(n->kind == RULES_YAML_SCALAR) {
		if(rules_yaml_is_null(n))
			return FAIL(c, RULES_ERR_SCHEMA, n, "exception values must be strings or lists, not null");
		out->text = n->text;
		return RULES_OK;
	}
	if(n->kind != RULES_YAML_SEQUENCE || depth >= 2)
		return FAIL(c, RULES_ERR_SCHEMA, n, "exception values must be strings or lists of strings, not a %s",
			    rules_yaml_type_name(n));
	out->is_list = true;
	out->n_items = n->n;
	if(n->n) {
		rules_exception_value *items = rules_yaml_alloc(c->yf, n->n * sizeof(*items));
		if(!items)
			return oom(c, n);
		for(size_t i = 0; i < n->n; i++) {
			int rc = conv_value(c, n->kids[i], depth + 1, &items[i]);
			if(rc != RULES_OK)
				return rc;
		}
		out->items = items;
	}
	return RULES_OK;
}

/* Converts a `values` node into a malloc'd array. */
static int conv_values(ctx *c, const rules_yaml_node *v, rules_exception_value **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if(rules_yaml_is_null(v))
		return RULES_OK;
	if(v->kind != RULES_YAML_SEQUENCE)
		return FAIL(c, RULES_ERR_SCHEMA, v, "exception values must be a list, not a %s",
			    rules_yaml_type_name(v));
	if(!v->n)
		return RULES_OK;
	rules_exception_value *arr = calloc(v->n, sizeof(*arr));
	if(!arr)
		return oom(c, v);
	for(size_t i = 0; i < v->n; i++) {
		int rc = conv_value(c, v->kids[i], 0, &arr[i]);
		if(rc != RULES_OK) {
			free(arr);
			return rc;
		}
	}
	*out = arr;
	*n = v->n;
	return RULES_OK;
}

static int append_values(ctx *c, rules_exception *e, const rules_exception_value *vals, size_t n)
{
	if(!n)
		return RULES_OK;
	rules_exception_value *nv = realloc(e->values, (e->n_values + n) * sizeof(*nv));
	if(!nv)
		return oom(c, NULL);
	memcpy(nv + e->n_values, vals, n * sizeof(*nv));
	e->values = nv;
	e->n_values += n;
	return RULES_OK;
}

/* Builds a complete exception (Falco's validate_exception_item_*). The
 * exception mapping must have name and fields (checked by the caller). On
 * success the caller owns out->values. */
static int make_exception(ctx *c, const rules_yaml_node *en, const char *name, rules_exception *out)
{
	*out = (rules_exception){.name = name, .loc = loc_of(c, en)};
	const rules_yaml_node *fn = rules_yaml_map_get(en, "fields");
	const rules_yaml_node *cn = rules_yaml_map_get(en, "comps");
	if(rules_yaml_is_null(cn))
		cn = NULL;
	if(fn->kind == RULES_YAML_SEQUENCE) {
		out->fields_is_list = true;
		out->n_fields = fn->n;
		const char **fields = rules_yaml_alloc(c->yf, (fn->n ? fn->n : 1) * sizeof(*fields));
		const char **comps = rules_yaml_alloc(c->yf, (fn->n ? fn->n : 1) * sizeof(*comps));
		if(!fields || !comps)
			return oom(c, fn);
		for(size_t i = 0; i < fn->n; i++) {
			if(!rules_yaml_is_text(fn->kids[i]))
				return FAIL(c, RULES_ERR_SCHEMA, fn->kids[i],
					    "Rule exception item %s: fields must be strings, not a %s", name,
					    rules_yaml_type_name(fn->kids[i]));
			fields[i] = fn->kids[i]->text;
		}
		if(!cn) {
			for(size_t i = 0; i < fn->n; i++)
				comps[i] = "=";
		} else {
			if(cn->kind != RULES_YAML_SEQUENCE || cn->n != fn->n)
				return FAIL(c, RULES_ERR_SEMANTIC, cn,
					    "Rule exception item %s: fields and comps lists must have equal length", name);
			for(size_t i = 0; i < cn->n; i++) {
				if(!rules_yaml_is_text(cn->kids[i]))
					return FAIL(c, RULES_ERR_SCHEMA, cn->kids[i],
						    "Rule exception item %s: comps must be strings, not a %s", name,
						    rules_yaml_type_name(cn->kids[i]));
				comps[i] = cn->kids[i]->text;
			}
		}
		out->fields = fields;
		out->comps = comps;
	} else if(fn->kind == RULES_YAML_SCALAR) {
		if(cn && cn->kind != RULES_YAML_SCALAR)
			return FAIL(c, RULES_ERR_SEMANTIC, cn, "Rule exception item %s: fields and comps must both be strings",
				    name);
		const char **fields = rules_yaml_alloc(c->yf, sizeof(*fields));
		const char **comps = rules_yaml_alloc(c->yf, sizeof(*comps));
		if(!fields || !comps)
			return oom(c, fn);
		fields[0] = fn->text;
		comps[0] = cn ? cn->text : "in";
		out->n_fields = 1;
		out->fields = fields;
		out->comps = comps;
	} else {
		return FAIL(c, RULES_ERR_SCHEMA, fn, "Rule exception item %s: fields must be a string or a list, not a %s",
			    name, rules_yaml_type_name(fn));
	}
	char msg[512];
	if(!rules_exceptions_validate(out, msg, sizeof(msg)))
		return FAIL(c, RULES_ERR_SEMANTIC, cn ? cn : en, "%s", msg);
	return conv_values(c, rules_yaml_map_get(en, "values"), &out->values, &out->n_values);
}

/* Name of an exception mapping (NULL when absent). */
static int exception_name(ctx *c, const rules_yaml_node *en, const char **name)
{
	if(en->kind != RULES_YAML_MAPPING)
		return FAIL(c, RULES_ERR_SCHEMA, en, "exceptions entries must be mappings, not a %s",
			    rules_yaml_type_name(en));
	return get_text(c, en, "name", name, NULL);
}

/* Exceptions of a new (non-append) rule definition. */
static int new_rule_exceptions(ctx *c, const rules_yaml_node *exn, rules_exception **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if(!exn || !exn->n)
		return RULES_OK;
	rules_exception *arr = calloc(exn->n, sizeof(*arr));
	if(!arr)
		return oom(c, exn);
	int rc = RULES_OK;
	size_t done = 0;
	for(; done < exn->n; done++) {
		const rules_yaml_node *en = exn->kids[done];
		const char *name = NULL;
		if((rc = exception_name(c, en, &name)) != RULES_OK)
			break;
		if(!name) {
			rc = FAIL(c, RULES_ERR_SEMANTIC, en, "Rule exception item must have name property");
			break;
		}
		if(rules_yaml_is_null(rules_yaml_map_get(en, "fields"))) {
			rc = FAIL(c, RULES_ERR_SEMANTIC, en,
				  "Rule exception item %s: must have fields property with a list of fields", name);
			break;
		}
		if((rc = make_exception(c, en, name, &arr[done])) != RULES_OK)
			break;
	}
	if(rc != RULES_OK) {
		free_exceptions(arr, done);
		return rc;
	}
	*out = arr;
	*n = exn->n;
	return RULES_OK;
}

/* Exceptions of an append to an existing rule. */
static int append_rule_exceptions(ctx *c, rules_rule *r, const rules_yaml_node *exn)
{
	if(!exn)
		return RULES_OK;
	for(size_t i = 0; i < exn->n; i++) {
		const rules_yaml_node *en = exn->kids[i];
		const char *name = NULL;
		int rc;
		if((rc = exception_name(c, en, &name)) != RULES_OK)
			return rc;
		if(!name)
			return FAIL(c, RULES_ERR_SEMANTIC, en, "Rule exception item must have name property");
		bool exists = false;
		for(size_t j = 0; j < r->n_exceptions; j++) {
			if(strcmp(r->exceptions[j].name, name) == 0) {
				exists = true;
				break;
			}
		}
		const rules_yaml_node *fn = rules_yaml_map_get(en, "fields");
		const rules_yaml_node *cn = rules_yaml_map_get(en, "comps");
		const rules_yaml_node *vn = rules_yaml_map_get(en, "values");
		if(!exists) {
			if(rules_yaml_is_null(fn))
				return FAIL(c, RULES_ERR_SEMANTIC, en,
					    "Rule exception new item %s: must have fields property with a list of fields", name);
			if(rules_yaml_is_null(vn))
				return FAIL(c, RULES_ERR_SEMANTIC, en,
					    "Rule exception new item %s: must have values property with a list of values", name);
			rules_exception e;
			if((rc = make_exception(c, en, name, &e)) != RULES_OK)
				return rc;
			rules_exception *ne = realloc(r->exceptions, (r->n_exceptions + 1) * sizeof(*ne));
			if(!ne) {
				free(e.values);
				return oom(c, en);
			}
			ne[r->n_exceptions++] = e;
			r->exceptions = ne;
			continue;
		}
		if(!rules_yaml_is_null(fn))
			return FAIL(c, RULES_ERR_SEMANTIC, fn, "Can not append exception fields to existing rule, only values");
		if(!rules_yaml_is_null(cn))
			return FAIL(c, RULES_ERR_SEMANTIC, cn, "Can not append exception comps to existing rule, only values");
		rules_exception_value *vals;
		size_t nv;
		if((rc = conv_values(c, vn, &vals, &nv)) != RULES_OK)
			return rc;
		for(size_t j = 0; j < r->n_exceptions && rc == RULES_OK; j++) {
			if(strcmp(r->exceptions[j].name, name) == 0)
				rc = append_values(c, &r->exceptions[j], vals, nv);
		}
		free(vals);
		if(rc != RULES_OK)
			return rc;
	}
	return RULES_OK;
}

/* ---- items: rule ---------------------------------------------------------------- */

static int apply_rule(ctx *c, const rules_yaml_node *item, const rules_yaml_node *namenode, size_t seq)
{
	int rc;
	const char *name = NULL;
	c->kind = "rule";
	if((rc = item_name(c, namenode, "Rule", &name)) != RULES_OK)
		return rc;

	const char *cond, *output, *desc, *prio, *source;
	const rules_yaml_node *condnode, *outnode, *prionode;
	bool has_append, append = false, has_enabled, enabled = true, has_skip, skip = false, has_warn,
			 warn = true, has_tags;
	const char **tags;
	size_t n_tags;
	const rules_yaml_node *tagsnode;
	if((rc = get_text(c, item, "condition", &cond, &condnode)) != RULES_OK ||
	   (rc = get_text(c, item, "output", &output, &outnode)) != RULES_OK ||
	   (rc = get_text(c, item, "desc", &desc, NULL)) != RULES_OK ||
	   (rc = get_text(c, item, "priority", &prio, &prionode)) != RULES_OK ||
	   (rc = get_text(c, item, "source", &source, NULL)) != RULES_OK ||
	   (rc = get_bool(c, item, "append", &has_append, &append)) != RULES_OK ||
	   (rc = get_bool(c, item, "enabled", &has_enabled, &enabled)) != RULES_OK ||
	   (rc = get_bool(c, item, "skip-if-unknown-filter", &has_skip, &skip)) != RULES_OK ||
	   (rc = get_bool(c, item, "warn_evttypes", &has_warn, &warn)) != RULES_OK ||
	   (rc = get_text_list(c, item, "tags", &has_tags, &tags, &n_tags, &tagsnode)) != RULES_OK)
		return rc;
	const rules_yaml_node *exn = rules_yaml_map_get(item, "exceptions");
	if(rules_yaml_is_null(exn))
		exn = NULL;
	else if(exn->kind != RULES_YAML_SEQUENCE)
		return FAIL(c, RULES_ERR_SCHEMA, exn, "exceptions must be a list, not a %s", rules_yaml_type_name(exn));
	if(!has_warn)
		warn = true;
	if(!has_enabled)
		enabled = true;

	state *st = c->st;
	size_t idx = sm_get(&st->rule_idx, name);

	if(append) {
		if(idx == SM_NONE) {
			if(sm_get(&st->skipped, name) == SM_NONE)
				return FAIL(c, RULES_ERR_SEMANTIC, item,
					    "Rule %s has 'append' key but no rule by that name already exists", name);
			return RULES_OK; /* appending to a rule skipped for its priority */
		}
		if(!cond && (!exn || exn->n == 0))
			return FAIL(c, RULES_ERR_SEMANTIC, item, "Appended rule must have exceptions or condition property");
		rules_rule *r = &st->rules[idx];
		if((rc = check_appends(c, item, r->n_appends)) != RULES_OK ||
		   (rc = append_rule_exceptions(c, r, exn)) != RULES_OK)
			return rc;
		if(cond && (rc = append_condition(c, &c->rule_cond, &c->n_rule_cond, idx, r->condition, cond, item)) !=
				   RULES_OK)
			return rc;
		if(push_loc(&r->appends, &r->n_appends, loc_of(c, item)) != 0)
			return oom(c, item);
		return RULES_OK;
	}

	rules_exception *exc = NULL;
	size_t n_exc = 0;
	if((rc = new_rule_exceptions(c, exn, &exc, &n_exc)) != RULES_OK)
		return rc;

	const char *missing = !cond ? "condition" : !output ? "output" : !desc ? "desc" : !prio ? "priority" : NULL;
	if(missing) {
		free_exceptions(exc, n_exc);
		if(!has_enabled)
			return FAIL(c, RULES_ERR_SEMANTIC, item, "Rule must have property %s", missing);
		if(idx == SM_NONE)
			return FAIL(c, RULES_ERR_SEMANTIC, item,
				    "Rule %s has 'enabled' key only, but no rule by that name already exists", name);
		st->rules[idx].enabled = enabled;
		return RULES_OK;
	}

	rules_priority p;
	if(!rules_priority_from_string(prio, &p)) {
		free_exceptions(exc, n_exc);
		return FAIL(c, RULES_ERR_SEMANTIC, prionode, "Invalid priority level: %s", prio);
	}
	if(p > c->doc->opts.min_priority) {
		free_exceptions(exc, n_exc);
		if(sm_put(&st->skipped, name, 0) != 0)
			return oom(c, item);
		return RULES_OK;
	}
	const char *tout = trim(c, output);
	if(!tout) {
		free_exceptions(exc, n_exc);
		return oom(c, item);
	}
	rules_rule nr = {
		.name = name,
		.condition = cond,
		.output = tout,
		.desc = desc,
		.priority = p,
		.priority_text = prio,
		.source = source ? source : "syscall",
		.tags = tags,
		.n_tags = n_tags,
		.enabled = enabled,
		.skip_if_unknown_filter = skip,
		.warn_evttypes = warn,
		.exceptions = exc,
		.n_exceptions = n_exc,
		.loc = loc_of(c, item),
		.condition_loc = loc_of(c, condnode),
		.output_loc = loc_of(c, outnode),
		.seq = seq,
	};
	if(idx != SM_NONE) {
		rules_rule *r = &st->rules[idx];
		drop_condition(c->rule_cond, c->n_rule_cond, idx);
		nr.order = r->order;
		free_rule_parts(r);
		*r = nr;
		return RULES_OK;
	}
	if(GROW(st->rules, st->n_rules, st->cap_rules) != 0 || sm_put(&st->rule_idx, name, st->n_rules) != 0) {
		free_exceptions(exc, n_exc);
		return oom(c, item);
	}
	nr.order = st->n_rules;
	st->rules[st->n_rules++] = nr;
	return RULES_OK;
}

/* ---- unknown items ------------------------------------------------------------ */

/* Renders a node roughly as Falco's table.tostring() does, for the
 * "Unknown top level object" warning. */
static void render(const rules_yaml_node *n, char *buf, size_t len, size_t *pos, int depth)
{
#define PUT(s)                                                                                               \
	do {                                                                                                 \
		const char *s_ = (s);                                                                        \
		size_t l_ = strlen(s_);                                                                      \
		if(*pos + l_ + 1 < len) {                                                                    \
			memcpy(buf + *pos, s_, l_);                                                          \
			*pos += l_;                                                                          \
			buf[*pos] = '\0';                                                                    \
		} else {                                                                                     \
			*pos = len;                                                                          \
		}                                                                                            \
	} while(0)
	if(*pos >= len)
		return;
	if(depth > 8) {
		PUT("...");
		return;
	}
	if(n->kind == RULES_YAML_SCALAR) {
		bool b;
		double d;
		if(rules_yaml_is_null(n) || rules_yaml_bool(n, &b) || rules_yaml_number(n, &d)) {
			PUT(n->text[0] ? n->text : "nil");
			return;
		}
		PUT("\"");
		PUT(n->text);
		PUT("\"");
		return;
	}
	PUT("{");
	for(size_t i = 0; i < n->n; i++) {
		if(i)
			PUT(",");
		if(n->kind == RULES_YAML_MAPPING) {
			PUT(n->kids[2 * i]->text);
			PUT("=");
			render(n->kids[2 * i + 1], buf, len, pos, depth + 1);
		} else {
			render(n->kids[i], buf, len, pos, depth + 1);
		}
	}
	PUT("}");
#undef PUT
}

static int apply_item(ctx *c, const rules_yaml_node *item)
{
	c->kind = NULL;
	c->name = NULL;
	size_t seq = c->st->seq++;
	const rules_yaml_node *v;
	if(dispatched(v = rules_yaml_map_get(item, "required_engine_version")))
		return apply_engine_version(c, v);
	if(dispatched(v = rules_yaml_map_get(item, "required_plugin_versions")))
		return apply_plugin_versions(c, v);
	if(dispatched(v = rules_yaml_map_get(item, "macro")))
		return apply_macro(c, item, v, seq);
	if(dispatched(v = rules_yaml_map_get(item, "list")))
		return apply_list(c, item, v, seq);
	if(dispatched(v = rules_yaml_map_get(item, "rule")))
		return apply_rule(c, item, v, seq);
	char buf[512];
	size_t pos = 0;
	buf[0] = '\0';
	render(item, buf, sizeof(buf), &pos, 0);
	if(pos >= sizeof(buf))
		strcpy(buf + sizeof(buf) - 5, "...}");
	return warn_at(c, item->line, item->col, "Unknown top level object: %s", buf) == RULES_OK
		       ? RULES_OK
		       : oom(c, item);
}

/* ---- after each file: flatten lists, build compile conditions --------------- */

static int flatten_lists(ctx *c)
{
	state *st = c->st;
	for(size_t i = 0; i < st->n_lists; i++) {
		rules_list *l = &st->lists[i];
		size_t n = 0;
		for(size_t k = 0; k < l->n_items; k++) {
			size_t j = sm_get(&st->list_idx, l->items[k]);
			n += (j != SM_NONE && j < i) ? st->lists[j].n_expanded : 1;
			if(n > c->lim->list_items) {
				/* lists of lists double at each level: counted before
				 * anything is copied */
				const char *save = c->fname;
				c->fname = l->loc.file ? l->loc.file : save;
				c->kind = "list";
				c->name = l->name;
				int rc = fail_at(c, RULES_ERR_SEMANTIC, l->loc.line, l->loc.col,
						 "more than %zu items once the lists it names are expanded "
						 "(engine.limits.list_items)",
						 c->lim->list_items);
				c->fname = save;
				return rc;
			}
		}
		free(l->expanded);
		l->expanded = NULL;
		l->n_expanded = 0;
		if(!n)
			continue;
		l->expanded = malloc(n * sizeof(*l->expanded));
		if(!l->expanded)
			return fail_at(c, RULES_ERR_NOMEM, 0, 0, "out of memory");
		for(size_t k = 0; k < l->n_items; k++) {
			size_t j = sm_get(&st->list_idx, l->items[k]);
			if(j != SM_NONE && j < i) {
				st->lists[j].used_by_list = true;
				if(st->lists[j].n_expanded)
					memcpy(l->expanded + l->n_expanded, st->lists[j].expanded,
					       st->lists[j].n_expanded * sizeof(*l->expanded));
				l->n_expanded += st->lists[j].n_expanded;
			} else {
				l->expanded[l->n_expanded++] = l->items[k];
			}
		}
	}
	return RULES_OK;
}

static int build_rules(ctx *c)
{
	state *st = c->st;
	for(size_t i = 0; i < st->n_rules; i++) {
		rules_rule *r = &st->rules[i];
		free((char *)r->compile_condition);
		free(r->exception_fields);
		r->compile_condition = NULL;
		r->exception_fields = NULL;
		r->n_exception_fields = 0;
		char *cc;
		char msg[512];
		rules_loc el = r->loc;
		if(!rules_exceptions_build_condition(r->condition, r->exceptions, r->n_exceptions, &cc,
						     &r->exception_fields, &r->n_exception_fields, msg, sizeof(msg),
						     &el)) {
			c->kind = "rule";
			c->name = r->name;
			const char *save = c->fname;
			c->fname = el.file ? el.file : save;
			int rc = fail_at(c, RULES_ERR_SEMANTIC, el.line, el.col, "%s", msg);
			c->fname = save;
			return rc;
		}
		r->compile_condition = cc;
	}
	return RULES_OK;
}

/* ---- load ------------------------------------------------------------------------ */

static void free_warnings(char **w, size_t n)
{
	for(size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

int rules_doc_load_yaml(rules_doc *doc, rules_yaml_file *yf, char *err, size_t errlen)
{
	if(err && errlen)
		err[0] = '\0';
	if(!doc || !yf) {
		rules_yaml_free(yf);
		return RULES_ERR_ARG;
	}
	doc_errors_reset(doc);
	state staged;
	if(state_clone(&doc->st, &staged) != 0) {
		rules_yaml_free(yf);
		if(err && errlen)
			snprintf(err, errlen, "out of memory");
		return RULES_ERR_NOMEM;
	}
	/* Each item's error goes to ibuf, then to the document's errors; the
	 * first one to err. */
	char ibuf[2048];
	ctx c = {
		.doc = doc,
		.st = &staged,
		.yf = yf,
		.fname = rules_yaml_file_name(yf),
		.err = ibuf,
		.errlen = sizeof(ibuf),
		.lim = &doc->opts.limits,
	};
	int rc = RULES_OK;
	for(size_t i = 0; i < rules_yaml_item_count(yf); i++) {
		ibuf[0] = '\0';
		int irc = apply_item(&c, rules_yaml_item_at(yf, i));
		if(irc == RULES_OK)
			continue;
		if(rc == RULES_OK) {
			rc = irc;
			if(err && errlen)
				snprintf(err, errlen, "%s", ibuf);
		}
		doc_error_add(doc, ibuf);
		/* Another item's error is independent of this one's; a version
		 * the engine lacks or no memory are not. */
		if(!doc->opts.all_errors || (irc != RULES_ERR_SCHEMA && irc != RULES_ERR_SEMANTIC) ||
		   doc->n_errors >= doc->opts.limits.errors)
			break;
	}
	c.err = err;
	c.errlen = errlen;
	c.kind = NULL;
	c.name = NULL;
	if(rc == RULES_OK)
		rc = commit_conditions(&c, c.macro_cond, c.n_macro_cond, macro_condition_slot);
	if(rc == RULES_OK)
		rc = commit_conditions(&c, c.rule_cond, c.n_rule_cond, rule_condition_slot);
	free_conditions(c.macro_cond, c.n_macro_cond);
	free_conditions(c.rule_cond, c.n_rule_cond);
	if(rc == RULES_OK)
		rc = flatten_lists(&c);
	if(rc == RULES_OK)
		rc = build_rules(&c);
	file_rec *nf = NULL;
	char **nw = NULL;
	if(rc == RULES_OK) {
		nf = realloc(doc->files, (doc->n_files + 1) * sizeof(*nf));
		if(nf)
			doc->files = nf;
		nw = c.n_warn ? realloc(doc->warnings, (doc->n_warnings + c.n_warn) * sizeof(*nw)) : doc->warnings;
		if(nw)
			doc->warnings = nw;
		if(!nf || (c.n_warn && !nw))
			rc = fail_at(&c, RULES_ERR_NOMEM, 0, 0, "out of memory");
	}
	if(rc == RULES_OK && doc->opts.validate) {
		/* present the staged state through a temporary document view */
		rules_doc view = *doc;
		view.st = staged;
		view.files[view.n_files] = (file_rec){yf, c.rev};
		view.n_files++;
		if(c.n_warn)
			memcpy(view.warnings + view.n_warnings, c.warn, c.n_warn * sizeof(*c.warn));
		view.n_warnings += c.n_warn;
		char msg[1024] = "";
		if(doc->opts.validate(&view, doc->opts.validate_user, msg, sizeof(msg)) != 0) {
			if(err && errlen)
				snprintf(err, errlen, "%s", msg[0] ? msg : "rules rejected by validation");
			rc = RULES_ERR_VALIDATE;
		}
	}
	if(rc != RULES_OK && !doc->n_errors)
		doc_error_add(doc, err && errlen ? err : "");
	if(rc != RULES_OK) {
		state_free(&staged);
		free_warnings(c.warn, c.n_warn);
		rules_yaml_free(yf);
		return rc;
	}
	state_free(&doc->st);
	doc->st = staged;
	doc->files[doc->n_files].yf = yf;
	doc->files[doc->n_files].required_engine_version = c.rev;
	doc->n_files++;
	if(c.n_warn)
		memcpy(doc->warnings + doc->n_warnings, c.warn, c.n_warn * sizeof(*c.warn));
	doc->n_warnings += c.n_warn;
	free(c.warn);
	return RULES_OK;
}

int rules_doc_load_buffer(rules_doc *doc, const char *name, const char *buf, size_t len, char *err,
			  size_t errlen)
{
	if(!doc)
		return RULES_ERR_ARG;
	rules_yaml_file *yf;
	int rc = rules_yaml_parse_limited(name, buf, len, &doc->opts.limits, &yf, err, errlen);
	if(rc != RULES_OK) {
		doc_errors_reset(doc);
		doc_error_add(doc, err && errlen ? err : "");
		return rc;
	}
	return rules_doc_load_yaml(doc, yf, err, errlen);
}

int rules_doc_load_file(rules_doc *doc, const char *path, char *err, size_t errlen)
{
	if(!doc)
		return RULES_ERR_ARG;
	rules_yaml_file *yf;
	int rc = rules_yaml_parse_file_limited(path, &doc->opts.limits, &yf, err, errlen);
	if(rc != RULES_OK) {
		doc_errors_reset(doc);
		doc_error_add(doc, err && errlen ? err : "");
		return rc;
	}
	return rules_doc_load_yaml(doc, yf, err, errlen);
}

/* ---- accessors ------------------------------------------------------------------- */

size_t rules_doc_list_count(const rules_doc *doc)
{
	return doc ? doc->st.n_lists : 0;
}

const rules_list *rules_doc_list_at(const rules_doc *doc, size_t i)
{
	return doc && i < doc->st.n_lists ? &doc->st.lists[i] : NULL;
}

const rules_list *rules_doc_find_list(const rules_doc *doc, const char *name)
{
	size_t i = doc ? sm_get(&doc->st.list_idx, name) : SM_NONE;
	return i == SM_NONE ? NULL : &doc->st.lists[i];
}

size_t rules_doc_macro_count(const rules_doc *doc)
{
	return doc ? doc->st.n_macros : 0;
}

const rules_macro *rules_doc_macro_at(const rules_doc *doc, size_t i)
{
	return doc && i < doc->st.n_macros ? &doc->st.macros[i] : NULL;
}

const rules_macro *rules_doc_find_macro(const rules_doc *doc, const char *name)
{
	size_t i = doc ? sm_get(&doc->st.macro_idx, name) : SM_NONE;
	return i == SM_NONE ? NULL : &doc->st.macros[i];
}

size_t rules_doc_rule_count(const rules_doc *doc)
{
	return doc ? doc->st.n_rules : 0;
}

const rules_rule *rules_doc_rule_at(const rules_doc *doc, size_t i)
{
	return doc && i < doc->st.n_rules ? &doc->st.rules[i] : NULL;
}

const rules_rule *rules_doc_find_rule(const rules_doc *doc, const char *name)
{
	size_t i = doc ? sm_get(&doc->st.rule_idx, name) : SM_NONE;
	return i == SM_NONE ? NULL : &doc->st.rules[i];
}

bool rules_doc_rule_skipped(const rules_doc *doc, const char *name)
{
	return doc && sm_get(&doc->st.skipped, name) != SM_NONE && sm_get(&doc->st.rule_idx, name) == SM_NONE;
}

size_t rules_doc_warning_count(const rules_doc *doc)
{
	return doc ? doc->n_warnings : 0;
}

const char *rules_doc_warning_at(const rules_doc *doc, size_t i)
{
	return doc && i < doc->n_warnings ? doc->warnings[i] : NULL;
}

size_t rules_doc_file_count(const rules_doc *doc)
{
	return doc ? doc->n_files : 0;
}

const char *rules_doc_file_name(const rules_doc *doc, size_t i)
{
	return doc && i < doc->n_files ? rules_yaml_file_name(doc->files[i].yf) : NULL;
}

unsigned rules_doc_file_required_engine_version(const rules_doc *doc, size_t i)
{
	return doc && i < doc->n_files ? doc->files[i].required_engine_version : 0;
}

unsigned rules_doc_required_engine_version(const rules_doc *doc)
{
	unsigned m = 0;
	for(size_t i = 0; doc && i < doc->n_files; i++) {
		if(doc->files[i].required_engine_version > m)
			m = doc->files[i].required_engine_version;
	}
	return m;
}

size_t rules_doc_plugin_requirement_count(const rules_doc *doc)
{
	return doc ? doc->st.n_plugins : 0;
}

const rules_plugin_requirement *rules_doc_plugin_requirement_at(const rules_doc *doc, size_t i)
{
	return doc && i < doc->st.n_plugins ? &doc->st.plugins[i] : NULL;
}

size_t rules_doc_item_count(const rules_doc *doc)
{
	return doc ? doc->st.seq : 0;
}

const rules_limits *rules_doc_limits(const rules_doc *doc)
{
	return doc ? &doc->opts.limits : NULL;
}
