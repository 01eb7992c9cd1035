#include "engine/compile/rules_compile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lang/condition_expand.h"
#include "engine/lang/condition_parse.h"
#include "engine/compile/format_check.h"
#include "engine/compile/format_table.h"
#include "engine/compile/leaf_table.h"
#include "engine/compile/output_extra.h"
#include "engine/compile/subtree_memo.h"
#include "engine/rules/rules_priority.h"

/* Falco 0.31 warns about rules matching no event type or more than this. */
#define RULES_COMPILE_EVTTYPE_WARN 100

typedef struct compile_ctx {
	const rules_doc *doc;
	const backend_registry *reg;
	const backend *b;               /* the backend of the rule being compiled */
	evttype_set all;                /* its indexable codes */
	struct condition_node **macros; /* by macro order; expanded; NULL until compiled */
	size_t nmacros;
	size_t macro_limit;             /* macros with order < limit are visible */
	compiled_rules *out;
	leaf_table *leaves;
	const rules_compile_opts *reuse_opts; /* the caller's, for opts->reuse */
	format_table *formatters;
	format_check *formats;          /* validate_only: outputs' fields already checked */
	const char **exfields;          /* exception fields already checked (strings of doc) */
	size_t nexfields;
	char *err;
	size_t errlen;
	/* Going on past errors (opts->on_error): the caller's buffer, how many
	 * were reported, and which macros failed. */
	const rules_compile_opts *opts;
	char *first_err;
	size_t first_errlen;
	size_t nerrors;
	bool *macro_failed;
	bool used_failed; /* the item being compiled named a failed macro */
} compile_ctx;

void rules_compile_indexable(const backend *b, evttype_set *out)
{
	evttype_set_clear(out);
	for (unsigned c = 0; c < b->evttype_count && c < EVTTYPE_SET_BITS; c++)
		if (!b->evttype_indexable || b->evttype_indexable(b->ctx, (uint16_t)c))
			evttype_set_add(out, c);
}

static const struct condition_node *rules_compile_macro_lookup(void *user, const char *name)
{
	compile_ctx *c = user;
	const rules_macro *m = rules_doc_find_macro(c->doc, name);
	if (!m || m->order >= c->macro_limit)
		return NULL;
	if (c->macro_failed && c->macro_failed[m->order])
		c->used_failed = true;
	return c->macros[m->order];
}

static bool rules_compile_list_lookup(void *user, const char *name, const char *const **items, size_t *n)
{
	compile_ctx *c = user;
	const rules_list *l = rules_doc_find_list(c->doc, name);
	if (!l)
		return false;
	*items = (const char *const *)l->expanded;
	*n = l->n_expanded;
	return true;
}

static int rules_compile_fail(compile_ctx *c, rules_loc loc, const char *kind, const char *name, const char *msg)
{
	snprintf(c->err, c->errlen, "%s:%u:%u: %s '%s': %s", loc.file ? loc.file : "?", loc.line, loc.col, kind, name,
		 msg);
	return -1;
}

static int rules_compile_warn(compile_ctx *c, const char *fmt, const char *a, const char *b)
{
	compiled_rules *o = c->out;
	char buf[1024];
	snprintf(buf, sizeof(buf), fmt, a, b ? b : "");
	char **w = realloc(o->warnings, (o->nwarnings + 1) * sizeof(*w));
	if (!w || !(w[o->nwarnings] = strdup(buf))) {
		if (w)
			o->warnings = w;
		return -1;
	}
	o->warnings = w;
	o->nwarnings++;
	return 0;
}

/* Parses a condition and expands macros (those visible now) and lists. */
static int rules_compile_condition(compile_ctx *c, const char *text, rules_loc loc, const char *kind,
				   const char *name, struct condition_node **out)
{
	char msg[768];
	*out = NULL;
	if (condition_parse(text, out, msg, sizeof(msg)) != CONDITION_OK)
		return rules_compile_fail(c, loc, kind, name, msg);
	const rules_limits *lim = rules_doc_limits(c->doc);
	if (condition_expand_macros_limited(out, rules_compile_macro_lookup, c, lim->condition_nodes, msg,
					    sizeof(msg)) != CONDITION_OK ||
	    condition_expand_lists_limited(*out, rules_compile_list_lookup, c, lim->list_items, msg, sizeof(msg)) !=
		    CONDITION_OK) {
		condition_ast_free(*out);
		*out = NULL;
		return rules_compile_fail(c, loc, kind, name, msg);
	}
	return 0;
}

/* After an item's error: true when compiling goes on (the error is
 * reported), false when it stops at this one. */
static bool rules_compile_go_on(compile_ctx *c)
{
	bool cascade = c->used_failed;
	c->used_failed = false;
	if (!c->opts || !c->opts->on_error)
		return false;
	if (cascade && c->nerrors)
		return true;
	if (!c->nerrors)
		snprintf(c->first_err, c->first_errlen, "%s", c->err);
	c->nerrors++;
	c->opts->on_error(c->opts->error_user, c->err);
	return !c->opts->max_errors || c->nerrors < c->opts->max_errors;
}

/* A list item naming a list declared later (or itself) would silently be a
 * literal string in Falco; here it is an error, since it is always a
 * mistake in the order of definitions. */
static int rules_compile_check_lists(compile_ctx *c)
{
	for (size_t i = 0; i < rules_doc_list_count(c->doc); i++) {
		const rules_list *l = rules_doc_list_at(c->doc, i);
		for (size_t j = 0; j < l->n_items; j++) {
			const rules_list *ref = rules_doc_find_list(c->doc, l->items[j]);
			if (ref && ref->order >= l->order) {
				char msg[512];
				snprintf(msg, sizeof(msg), "uses list '%s' before its definition (%s:%u)", ref->name,
					 ref->loc.file, ref->loc.line);
				rules_compile_fail(c, l->loc, "list", l->name, msg);
				if (!rules_compile_go_on(c))
					return -1;
				break;
			}
		}
	}
	return 0;
}

/* Falco 0.31 checks every exception field against the source's fields
 * when the rule is loaded, values or not (is_defined_field). */
static int rules_compile_check_exception_fields(compile_ctx *c, const rules_rule *r)
{
	for (size_t i = 0; i < r->n_exceptions; i++) {
		const rules_exception *ex = &r->exceptions[i];
		for (size_t j = 0; j < ex->n_fields; j++) {
			char name[256];
			const char *f = ex->fields[j], *br = strchr(f, '[');
			bool seen = false;
			for (size_t k = 0; k < c->nexfields && !seen; k++)
				seen = strcmp(c->exfields[k], f) == 0;
			if (seen)
				continue;
			size_t n = br ? (size_t)(br - f) : strlen(f);
			char *arg = NULL;
			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			memcpy(name, f, n);
			name[n] = '\0';
			if (br && (arg = strdup(br + 1)) && strchr(arg, ']'))
				*strrchr(arg, ']') = '\0';
			backend_leaf bl = {.field = name, .arg = arg, .op = CONDITION_OP_EXISTS};
			backend_check *chk = NULL;
			char e[512] = "";
			int rc = c->b->check_compile(c->b->ctx, &bl, &chk, e, sizeof(e));
			free(arg);
			c->b->check_free(chk);
			if (rc == BACKEND_EUNKNOWN_FIELD) {
				char msg[512];
				snprintf(msg, sizeof(msg), "Rule exception item %s: field name %s is not a supported filter field",
					 ex->name, f);
				return rules_compile_fail(c, ex->loc, "rule", r->name, msg);
			}
			const char **nf = realloc(c->exfields, (c->nexfields + 1) * sizeof(*nf));
			if (nf) {
				c->exfields = nf;
				c->exfields[c->nexfields++] = f;
			}
		}
	}
	return 0;
}

typedef struct bind_ctx {
	compile_ctx *c;
	const char *rule;
	int status;      /* the first backend failure */
	char msg[768];
} bind_ctx;

static int rules_compile_bind_leaf(void *user, struct condition_node *n)
{
	bind_ctx *b = user;
	char e[512] = "";
	const rules_compile_opts *o = b->c->reuse_opts;
	int rc = leaf_table_bind(b->c->leaves, o && o->reuse ? o->reuse->leaves : NULL, b->c->b, n, e, sizeof(e));
	if (rc == BACKEND_EUNKNOWN_FIELD) {
		/* Falco 0.31's words, which skip-if-unknown-filter users grep for */
		b->status = rc;
		snprintf(b->msg, sizeof(b->msg), "Rule %s: error filter_check called with nonexistent field %s%s%s%s",
			 b->rule, n->cmp.field, n->cmp.arg ? "[" : "", n->cmp.arg ? n->cmp.arg : "",
			 n->cmp.arg ? "]" : "");
		return 1;
	}
	if (rc != BACKEND_OK) {
		b->status = rc;
		snprintf(b->msg, sizeof(b->msg), "%s (at " CONDITION_POS_FMT " of the condition)", e,
			 CONDITION_POS_ARGS(n->pos));
		return 1;
	}
	return 0;
}

/* libsinsp 2022's evttypes(): and = intersection, or = union, not =
 * complement (the complement of "all" staying "all"). */
static void rules_compile_evttypes(const struct condition_node *n, const evttype_set *all, evttype_set *out)
{
	evttype_set tmp;
	switch (n->kind) {
	case CONDITION_NODE_AND:
	case CONDITION_NODE_OR:
		rules_compile_evttypes(n->children[0], all, out);
		for (size_t i = 1; i < n->n_children; i++) {
			rules_compile_evttypes(n->children[i], all, &tmp);
			if (n->kind == CONDITION_NODE_AND)
				evttype_set_intersect(out, &tmp);
			else
				evttype_set_union(out, &tmp);
		}
		return;
	case CONDITION_NODE_NOT:
		rules_compile_evttypes(n->children[0], all, &tmp);
		evttype_set_inverse(out, &tmp, all);
		return;
	case CONDITION_NODE_CMP: {
		uint16_t codes[EVTTYPE_SET_BITS];
		const leaf *l = n->cmp.bound;
		size_t cnt = l && l->backend->check_evttypes ? l->backend->check_evttypes(l->chk, codes, EVTTYPE_SET_BITS)
							     : BACKEND_EVTTYPES_ALL;
		if (cnt == BACKEND_EVTTYPES_ALL) {
			*out = *all;
			return;
		}
		evttype_set_clear(out);
		for (size_t i = 0; i < cnt && i < EVTTYPE_SET_BITS; i++)
			evttype_set_add(out, codes[i]);
		return;
	}
	case CONDITION_NODE_MACRO_REF:
		break;
	}
	*out = *all;
}

/* The backend's relative cost of a field; every field costs the same when
 * it does not say. */
static unsigned rules_compile_field_cost(const backend *b, const char *field)
{
	return b->field_cost ? b->field_cost(b->ctx, field) : 5;
}

/* The cost class of the first leaf evaluated in an already reordered
 * subtree. */
static unsigned rules_compile_reorder_entry(const backend *b, const struct condition_node *n)
{
	while (n->kind != CONDITION_NODE_CMP) {
		if (n->kind == CONDITION_NODE_MACRO_REF || n->n_children == 0)
			return 0;
		n = n->children[0];
	}
	return rules_compile_field_cost(b, n->cmp.field);
}

typedef struct cost_item {
	struct condition_node *node;
	unsigned cost;
	size_t pos;
} cost_item;

static int rules_compile_cost_cmp(const void *a, const void *b)
{
	const cost_item *x = a, *y = b;
	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Leaves have no side effects, so the children of and/or may be evaluated
 * in any order with the same result. Rule authors put the selective tests
 * first, so the written order is kept, except that subtrees whose first
 * test is nearly free (event header and parameter flags: evt.type, evt.dir,
 * evt.is_open_write, ...) move to the front: open_write short-circuits on a
 * read-only open before fd.directory has to be extracted. Returns the cost
 * of the subtree's first leaf. */
#define RULES_COMPILE_CHEAP 2
static unsigned rules_compile_reorder(const backend *b, struct condition_node *n)
{
	switch (n->kind) {
	case CONDITION_NODE_CMP:
		return rules_compile_field_cost(b, n->cmp.field);
	case CONDITION_NODE_NOT:
		return rules_compile_reorder(b, n->children[0]);
	case CONDITION_NODE_AND:
	case CONDITION_NODE_OR: {
		cost_item stack[32];
		cost_item *items = n->n_children <= 32 ? stack : malloc(n->n_children * sizeof(*items));
		for (size_t i = 0; i < n->n_children; i++) {
			unsigned c = rules_compile_reorder(b, n->children[i]);
			if (items)
				items[i] = (cost_item){.node = n->children[i], .cost = c <= RULES_COMPILE_CHEAP ? 0 : 1,
						       .pos = i};
		}
		if (!items)
			return rules_compile_field_cost(b, ""); /* out of memory: keep the written order */
		qsort(items, n->n_children, sizeof(*items), rules_compile_cost_cmp);
		for (size_t i = 0; i < n->n_children; i++)
			n->children[i] = items[i].node;
		if (items != stack)
			free(items);
		return n->children[0]->kind == CONDITION_NODE_CMP ? rules_compile_field_cost(b, n->children[0]->cmp.field)
								    : rules_compile_reorder_entry(b, n->children[0]);
	}
	case CONDITION_NODE_MACRO_REF:
		break;
	}
	return 0;
}

/* A rule whose condition requires a leaf that the backend knows to be false
 * on some codes (an evt.dir test among the conjuncts of its top-level
 * "and" is false on every code of the other direction) cannot match events
 * of those codes: leave them out of its index. Falco's own set (evttypes)
 * stays as libsinsp computes it, for the load warnings. */
static void rules_compile_fold_known(const struct condition_node *n, evttype_set *index)
{
	if (n->kind == CONDITION_NODE_AND) {
		for (size_t i = 0; i < n->n_children; i++)
			rules_compile_fold_known(n->children[i], index);
		return;
	}
	const leaf *l = n->kind == CONDITION_NODE_CMP ? n->cmp.bound : NULL;
	if (!l || !l->has_consts)
		return;
	for (unsigned c = 0; c < EVTTYPE_SET_BITS; c++)
		if (leaf_value_for_code(l, c) == LEAF_CONST_FALSE && evttype_set_has(index, c))
			index->w[c / 64] &= ~(1ull << (c % 64));
}

static int rules_compile_cmp_tags(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "*%<time field>: <Priority> <output>", the output after Falco's -p and
 * %container.info processing. */
static char *rules_compile_format(const rules_rule *r, const rules_compile_opts *opts, const char *time_field)
{
	const char *out = r->output[0] == '*' ? r->output + 1 : r->output;
	char *body = output_extra_apply(out, !r->source || strcmp(r->source, "syscall") == 0, opts->output_extra,
					opts->replace_container_info);
	if (!body)
		return NULL;
	/* falco_outputs.cpp: "*%evt.time: " for syscall, "*%jevt.time: " for
	 * the others; the backend names its field. */
	const char *iso = opts->time_format_iso_8601 ? ".iso8601" : "";
	const char *prio = rules_priority_name(r->priority);
	size_t len = strlen(time_field) + strlen(iso) + strlen(prio) + strlen(body) + 8;
	char *f = malloc(len);
	if (f)
		snprintf(f, len, "*%%%s%s: %s %s", time_field, iso, prio, body);
	free(body);
	return f;
}

static void compiled_rule_clear(compiled_rule *cr)
{
	free(cr->name);
	free(cr->desc);
	free(cr->source);
	free(cr->output);
	free(cr->priority_text);
	for (size_t i = 0; i < cr->ntags; i++)
		free(cr->tags[i]);
	free(cr->tags);
	condition_ast_free(cr->cond);
	memset(cr, 0, sizeof(*cr));
}

static bool rules_compile_known_source(const rules_compile_opts *opts, const char *source)
{
	static const char *const falco_sources[] = {"syscall", "k8s_audit"};
	const char *const *known = opts->known_sources ? opts->known_sources : falco_sources;
	size_t n = opts->known_sources ? opts->nknown_sources : sizeof(falco_sources) / sizeof(falco_sources[0]);
	for (size_t i = 0; i < n; i++)
		if (strcmp(known[i], source) == 0)
			return true;
	return false;
}

/* Returns 1 when the rule was compiled, 0 when skipped with a warning, -1
 * on error. */
static int rules_compile_rule(compile_ctx *c, const rules_rule *r, const rules_compile_opts *opts,
			      compiled_rule *cr)
{
	memset(cr, 0, sizeof(*cr));
	const backend *b = backend_registry_find(c->reg, r->source);
	if (!b && !rules_compile_known_source(opts, r->source)) {
		if (rules_compile_warn(c, "Rule %s: warning (unknown-source): unknown source %s, skipping", r->name,
				       r->source) < 0)
			return rules_compile_fail(c, r->loc, "rule", r->name, "out of memory");
		return 0;
	}
	struct condition_node *cond = NULL;
	if (rules_compile_condition(c, r->compile_condition, r->condition_loc, "rule", r->name, &cond) < 0)
		return -1;
	cr->cond = cond;
	cr->loc = r->loc;
	cr->order = r->order;
	cr->priority = (int)r->priority;
	cr->enabled = r->enabled;
	cr->evaluable = b != NULL;
	cr->name = strdup(r->name);
	cr->desc = strdup(r->desc ? r->desc : "");
	cr->source = strdup(r->source);
	cr->output = strdup(r->output);
	cr->priority_text = strdup(r->priority_text ? r->priority_text : rules_priority_name(r->priority));
	cr->tags = calloc(r->n_tags ? r->n_tags : 1, sizeof(*cr->tags));
	if (!cr->name || !cr->desc || !cr->source || !cr->output || !cr->priority_text || !cr->tags)
		goto nomem;
	/* Sorted, then duplicates dropped: linear after the sort however many
	 * tags a rule has. */
	for (size_t i = 0; i < r->n_tags; i++) {
		if (!(cr->tags[cr->ntags] = strdup(r->tags[i])))
			goto nomem;
		cr->ntags++;
	}
	qsort(cr->tags, cr->ntags, sizeof(*cr->tags), rules_compile_cmp_tags);
	size_t kept = 0;
	for (size_t i = 0; i < cr->ntags; i++) {
		if (kept && strcmp(cr->tags[kept - 1], cr->tags[i]) == 0) {
			free(cr->tags[i]);
			continue;
		}
		cr->tags[kept++] = cr->tags[i];
	}
	cr->ntags = kept;
	if (!b) {
		/* Parsed and expanded (so errors surface), not bound: no backend
		 * of this source is registered. */
		evttype_set_clear(&cr->evttypes);
		cr->index = cr->evttypes;
		return 1;
	}
	if (c->b != b) {
		c->b = b;
		rules_compile_indexable(b, &c->all);
	}
	if (rules_compile_check_exception_fields(c, r) < 0) {
		compiled_rule_clear(cr);
		return -1;
	}

	bind_ctx bc = {.c = c, .rule = r->name};
	condition_ast_visit_cmp(cr->cond, rules_compile_bind_leaf, &bc);
	if (bc.status == BACKEND_EUNKNOWN_FIELD && r->skip_if_unknown_filter) {
		compiled_rule_clear(cr);
		if (rules_compile_warn(c, "Rule %s: warning (unknown-field):%s", r->name, "") < 0)
			return rules_compile_fail(c, r->loc, "rule", r->name, "out of memory");
		return 0;
	}
	if (bc.status != BACKEND_OK) {
		rules_compile_fail(c, r->condition_loc, "rule", r->name, bc.msg);
		compiled_rule_clear(cr);
		return -1;
	}
	if (subtree_flatten(cr->cond) < 0)
		goto nomem;
	rules_compile_evttypes(cr->cond, &c->all, &cr->evttypes);
	size_t n = evttype_set_count(&cr->evttypes);
	cr->index = cr->evttypes;
	/* Falco 0.31 runs a rule whose set is empty (evt.type = madvise: a
	 * syscall without an event of its own) on every event, the codes no
	 * rule is indexed under included (syscall: the generic events, whose
	 * evt.type is the syscall's name). */
	if (n == 0)
		for (unsigned code = 0; code < b->evttype_count && code < EVTTYPE_SET_BITS; code++)
			evttype_set_add(&cr->index, code);
	rules_compile_fold_known(cr->cond, &cr->index);
	rules_compile_reorder(b, cr->cond);
	if (r->warn_evttypes && (n == 0 || n > RULES_COMPILE_EVTTYPE_WARN)) {
		if (rules_compile_warn(c,
				       "Rule %s: warning (no-evttype):\n         matches too many evt.type values.\n"
				       "         This has a significant performance penalty.%s",
				       r->name, "") < 0)
			goto nomem;
	}
	char *format = rules_compile_format(r, opts, b->time_field);
	if (!format)
		goto nomem;
	char e[512] = "";
	int rc = opts->validate_only ? format_check_validate(c->formats, b, format, e, sizeof(e))
				     : format_table_get(c->formatters, opts->reuse ? opts->reuse->formatters : NULL, b,
							format, &cr->fmt, e, sizeof(e));
	free(format);
	if (rc == BACKEND_OK)
		cr->backend = b;
	if (rc != BACKEND_OK) {
		char msg[768];
		snprintf(msg, sizeof(msg), "invalid output format: %s", e);
		rules_compile_fail(c, r->output_loc.line ? r->output_loc : r->loc, "rule", r->name, msg);
		compiled_rule_clear(cr);
		return -1;
	}
	return 1;
nomem:
	compiled_rule_clear(cr);
	return rules_compile_fail(c, r->loc, "rule", r->name, "out of memory");
}

void compiled_rules_free(compiled_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		compiled_rule_clear(&r->rules[i]);
	free(r->rules);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	/* After the rules: the table's references are the last ones. */
	leaf_table_free(r->leaves);
	format_table_free(r->formatters);
	free(r);
}

int rules_compile(const rules_doc *doc, const backend_registry *reg, const rules_compile_opts *opts,
		  compiled_rules **out, char *err, size_t errlen)
{
	*out = NULL;
	compiled_rules *res = calloc(1, sizeof(*res));
	compile_ctx c = {.doc = doc, .reg = reg, .out = res, .err = err, .errlen = errlen, .leaves = leaf_table_new(),
			 .reuse_opts = opts, .formatters = format_table_new(), .formats = format_check_new()};
	c.nmacros = rules_doc_macro_count(doc);
	c.macros = calloc(c.nmacros ? c.nmacros : 1, sizeof(*c.macros));
	size_t nrules = rules_doc_rule_count(doc);
	if (!res || !c.macros || !c.leaves || !c.formatters || !c.formats ||
	    !(res->rules = calloc(nrules ? nrules : 1, sizeof(*res->rules)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	res->registry = reg;
	char ibuf[2048];
	if (opts->on_error) {
		c.opts = opts;
		c.first_err = err;
		c.first_errlen = errlen;
		c.err = ibuf;
		c.errlen = sizeof(ibuf);
		if (!(c.macro_failed = calloc(c.nmacros ? c.nmacros : 1, sizeof(*c.macro_failed)))) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	if (rules_compile_check_lists(&c) < 0)
		goto fail;
	/* A macro sees only the macros declared before it, as in Falco. */
	for (size_t i = 0; i < c.nmacros; i++) {
		const rules_macro *m = rules_doc_macro_at(doc, i);
		c.macro_limit = m->order;
		c.used_failed = false;
		if (rules_compile_condition(&c, m->condition, m->condition_loc, "macro", m->name, &c.macros[m->order]) < 0) {
			if (c.macro_failed)
				c.macro_failed[m->order] = true;
			if (!rules_compile_go_on(&c))
				goto fail;
		}
	}
	c.macro_limit = c.nmacros;
	for (size_t i = 0; i < nrules; i++) {
		c.used_failed = false;
		int rc = rules_compile_rule(&c, rules_doc_rule_at(doc, i), opts, &res->rules[res->n]);
		if (rc < 0 && !rules_compile_go_on(&c))
			goto fail;
		res->n += rc > 0 ? (size_t)rc : 0;
	}
	if (c.nerrors)
		goto fail;
	for (size_t i = 0; i < c.nmacros; i++)
		condition_ast_free(c.macros[i]);
	free(c.macros);
	res->leaves = c.leaves;
	res->formatters = c.formatters;
	format_check_free(c.formats);
	free(c.exfields);
	free(c.macro_failed);
	*out = res;
	return 0;
fail:
	for (size_t i = 0; c.macros && i < c.nmacros; i++)
		condition_ast_free(c.macros[i]);
	free(c.macros);
	leaf_table_free(c.leaves);
	format_check_free(c.formats);
	free(c.exfields);
	free(c.macro_failed);
	if (res) /* after the rules, which borrow the formatters */
		res->formatters = c.formatters;
	else
		format_table_free(c.formatters);
	for (size_t i = 0; res && opts->on_error && opts->on_warning && i < res->nwarnings; i++)
		opts->on_warning(opts->error_user, res->warnings[i]);
	compiled_rules_free(res);
	return -1;
}
