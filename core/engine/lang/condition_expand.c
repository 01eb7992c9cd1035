#include "engine/lang/condition_expand.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lang/condition_lex.h"

/* Messages are built in pieces (a chain of macro names); each piece is
 * appended after what is already there, truncating at errlen. */
static void appendf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void appendf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	size_t used;
	if (err == NULL || errlen == 0)
		return;
	used = strnlen(err, errlen);
	if (used >= errlen - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(err + used, errlen - used, fmt, ap);
	va_end(ap);
}

static void reset_err(char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
}

/* ---- macros ------------------------------------------------------------ */

/* The chain of macros being expanded, innermost first, on the C stack:
 * it is what finds cycles and what names the context of an error. */
struct macro_frame {
	const char *name;
	const struct macro_frame *up;
};

struct macro_ctx {
	condition_macro_lookup_fn lookup;
	void *user;
	char *err;
	size_t errlen;
	size_t max_nodes; /* bound on the expanded tree */
	size_t nodes;     /* nodes of the tree as expanded so far */
};

/* Nodes of a tree, each value of a check counting as one more (a macro's
 * lists are already expanded, so copies of it copy their values), counting
 * no further than cap + 1: a macro's tree may be large, and only whether it
 * fits matters. */
static size_t count_nodes(const struct condition_node *n, size_t cap)
{
	size_t total = 1 + (n->kind == CONDITION_NODE_CMP ? n->cmp.n_values : 0);
	for (size_t i = 0; i < n->n_children && total <= cap; i++)
		total += count_nodes(n->children[i], cap - total);
	return total;
}

static void describe_context(struct macro_ctx *c, const struct macro_frame *stack)
{
	if (stack == NULL)
		return;
	appendf(c->err, c->errlen, " in macro '%s'", stack->name);
	for (const struct macro_frame *f = stack->up; f != NULL; f = f->up)
		appendf(c->err, c->errlen, " used by '%s'", f->name);
}

static int report_cycle(struct macro_ctx *c, const struct condition_node *ref,
			const struct macro_frame *stack, const struct macro_frame *match)
{
	const char *chain[CONDITION_EXPAND_MAX_MACRO_DEPTH + 1];
	size_t n = 0;

	/* The frames from the innermost one out to the repeated name are the
	 * loop; print them outermost first so the message reads as the
	 * references go. */
	for (const struct macro_frame *f = stack; f != NULL && n < CONDITION_EXPAND_MAX_MACRO_DEPTH; f = f->up) {
		chain[n++] = f->name;
		if (f == match)
			break;
	}
	reset_err(c->err, c->errlen);
	appendf(c->err, c->errlen, "macro cycle at " CONDITION_POS_FMT, CONDITION_POS_ARGS(ref->pos));
	if (stack != NULL)
		appendf(c->err, c->errlen, " in macro '%s'", stack->name);
	appendf(c->err, c->errlen, ": ");
	while (n > 0)
		appendf(c->err, c->errlen, "'%s' -> ", chain[--n]);
	appendf(c->err, c->errlen, "'%s'", ref->name);
	return CONDITION_ERR_CYCLE;
}

static int expand_macro_node(struct macro_ctx *c, struct condition_node **slot,
			     const struct macro_frame *stack, unsigned depth)
{
	struct condition_node *node = *slot;
	const struct condition_node *def;
	struct condition_node *copy;
	struct macro_frame frame;
	int r;

	if (node->kind != CONDITION_NODE_MACRO_REF) {
		for (size_t i = 0; i < node->n_children; i++) {
			r = expand_macro_node(c, &node->children[i], stack, depth);
			if (r != CONDITION_OK)
				return r;
		}
		return CONDITION_OK;
	}

	for (const struct macro_frame *f = stack; f != NULL; f = f->up)
		if (strcmp(f->name, node->name) == 0)
			return report_cycle(c, node, stack, f);
	if (depth >= CONDITION_EXPAND_MAX_MACRO_DEPTH) {
		reset_err(c->err, c->errlen);
		appendf(c->err, c->errlen, "macros nested more than %d deep at " CONDITION_POS_FMT ": '%s'",
			CONDITION_EXPAND_MAX_MACRO_DEPTH, CONDITION_POS_ARGS(node->pos), node->name);
		describe_context(c, stack);
		return CONDITION_ERR_LIMIT;
	}
	def = c->lookup(c->user, node->name);
	if (def == NULL) {
		reset_err(c->err, c->errlen);
		appendf(c->err, c->errlen, "undefined macro '%s' at " CONDITION_POS_FMT, node->name,
			CONDITION_POS_ARGS(node->pos));
		describe_context(c, stack);
		return CONDITION_ERR_UNDEFINED;
	}
	/* The reference (one node) becomes the macro's tree. A macro using
	 * another twice, that one using a third twice, ... doubles the tree
	 * at each level: counted before each copy, it stops at the bound. */
	size_t room = c->max_nodes - c->nodes;
	size_t size = count_nodes(def, room + 1);
	if (size > room + 1) {
		reset_err(c->err, c->errlen);
		appendf(c->err, c->errlen,
			"the condition has more than %zu nodes once its macros are expanded "
			"(engine.limits.condition_nodes), at macro '%s' at " CONDITION_POS_FMT,
			c->max_nodes, node->name, CONDITION_POS_ARGS(node->pos));
		describe_context(c, stack);
		return CONDITION_ERR_LIMIT;
	}
	c->nodes += size - 1;
	copy = condition_ast_clone(def);
	if (copy == NULL) {
		reset_err(c->err, c->errlen);
		appendf(c->err, c->errlen, "out of memory expanding macro '%s' at " CONDITION_POS_FMT, node->name,
			CONDITION_POS_ARGS(node->pos));
		return CONDITION_ERR_NOMEM;
	}
	/* Expanding the copy before it goes in keeps the tree whole on error:
	 * the reference stays until its replacement is complete. */
	frame.name = node->name;
	frame.up = stack;
	r = expand_macro_node(c, &copy, &frame, depth + 1);
	if (r != CONDITION_OK) {
		condition_ast_free(copy);
		return r;
	}
	*slot = copy;
	condition_ast_free(node);
	return CONDITION_OK;
}

int condition_expand_macros(struct condition_node **root, condition_macro_lookup_fn lookup, void *user, char *err,
			    size_t errlen)
{
	return condition_expand_macros_limited(root, lookup, user, CONDITION_EXPAND_MAX_NODES, err, errlen);
}

int condition_expand_macros_limited(struct condition_node **root, condition_macro_lookup_fn lookup, void *user,
				    size_t max_nodes, char *err, size_t errlen)
{
	struct macro_ctx c = { .lookup = lookup, .user = user, .err = err, .errlen = errlen, .max_nodes = max_nodes };
	reset_err(err, errlen);
	if (root == NULL || *root == NULL || lookup == NULL) {
		appendf(err, errlen, "no condition or no macro lookup given");
		return CONDITION_ERR_SYNTAX;
	}
	c.nodes = count_nodes(*root, max_nodes);
	if (c.nodes > max_nodes) {
		appendf(err, errlen, "the condition has more than %zu nodes (engine.limits.condition_nodes)", max_nodes);
		return CONDITION_ERR_LIMIT;
	}
	return expand_macro_node(&c, root, NULL, 0);
}

/* ---- lists ------------------------------------------------------------- */

struct list_frame {
	const char *name;
	const struct list_frame *up;
};

struct list_ctx {
	condition_list_lookup_fn lookup;
	void *user;
	char *err;
	size_t errlen;
	size_t max_items; /* bound on the list items visited */
	size_t items;     /* list items visited so far, over the whole tree */
};

static bool on_stack(const struct list_frame *stack, const char *name)
{
	for (const struct list_frame *f = stack; f != NULL; f = f->up)
		if (strcmp(f->name, name) == 0)
			return true;
	return false;
}

static char *copy_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

static int nomem(struct list_ctx *c, const char *list, struct condition_pos pos)
{
	reset_err(c->err, c->errlen);
	appendf(c->err, c->errlen, "out of memory expanding list '%s' at " CONDITION_POS_FMT, list,
		CONDITION_POS_ARGS(pos));
	return CONDITION_ERR_NOMEM;
}

/* Reads an item written as one quoted string. Returns 1 with *out set, 0
 * when the item is not (entirely) one quoted string, or an error. */
static int quoted_item(struct list_ctx *c, const char *list, size_t index, const char *item,
		       struct condition_pos pos, char **out)
{
	struct condition_lexer lx;
	struct condition_pos qpos;
	char msg[256];
	size_t len = strlen(item);
	int r;

	if (len < 2 || (item[0] != '"' && item[0] != '\'') || item[len - 1] != item[0])
		return 0;
	condition_lex_init(&lx, item, len);
	r = condition_lex_quoted(&lx, out, &qpos, msg, sizeof msg);
	if (r == 1 && !condition_lex_at_end(&lx)) {
		/* '"a" "b"' is two strings: keep the item as plain text. */
		free(*out);
		*out = NULL;
		return 0;
	}
	if (r == CONDITION_ERR_NOMEM)
		return nomem(c, list, pos);
	if (r < 0) {
		reset_err(c->err, c->errlen);
		appendf(c->err, c->errlen, "list '%s' (used at " CONDITION_POS_FMT ") item %zu %s: %s", list,
			CONDITION_POS_ARGS(pos), index + 1, item, msg);
		return CONDITION_ERR_SYNTAX;
	}
	return r;
}

static int add_list_items(struct list_ctx *c, struct condition_node *dst, const char *list,
			  const char *const *items, size_t n_items, struct condition_pos pos,
			  const struct list_frame *stack, unsigned depth)
{
	for (size_t i = 0; i < n_items; i++) {
		const char *item = items[i];
		const char *const *sub;
		size_t n_sub;
		char *text = NULL;
		int r;

		if (item == NULL)
			continue;
		/* Lists naming lists may fan out (each naming the one before
		 * twice): every item visited counts, values or names. */
		if (++c->items > c->max_items) {
			reset_err(c->err, c->errlen);
			appendf(c->err, c->errlen,
				"the condition has more than %zu list items once its lists are expanded "
				"(engine.limits.list_items), in list '%s' used at " CONDITION_POS_FMT,
				c->max_items, list, CONDITION_POS_ARGS(pos));
			return CONDITION_ERR_LIMIT;
		}
		r = quoted_item(c, list, i, item, pos, &text);
		if (r < 0)
			return r;
		if (r == 1) {
			if (condition_cmp_add_value(dst, text, true, pos) != CONDITION_OK)
				return nomem(c, list, pos);
			continue;
		}
		if (!on_stack(stack, item) && c->lookup(c->user, item, &sub, &n_sub)) {
			struct list_frame frame = { .name = item, .up = stack };
			if (depth >= CONDITION_EXPAND_MAX_LIST_DEPTH) {
				reset_err(c->err, c->errlen);
				appendf(c->err, c->errlen,
					"lists nested more than %d deep at " CONDITION_POS_FMT ": '%s' in list '%s'",
					CONDITION_EXPAND_MAX_LIST_DEPTH, CONDITION_POS_ARGS(pos), item, list);
				return CONDITION_ERR_LIMIT;
			}
			r = add_list_items(c, dst, item, sub, n_sub, pos, &frame, depth + 1);
			if (r != CONDITION_OK)
				return r;
			continue;
		}
		text = copy_str(item);
		if (text == NULL || condition_cmp_add_value(dst, text, false, pos) != CONDITION_OK)
			return nomem(c, list, pos);
	}
	return CONDITION_OK;
}

static void free_values(struct condition_cmp *cmp)
{
	for (size_t i = 0; i < cmp->n_values; i++)
		free(cmp->values[i].text);
	free(cmp->values);
	cmp->values = NULL;
	cmp->n_values = 0;
	cmp->values_cap = 0;
}

/* Falco 0.31 replaces a list name by its items as text before parsing,
 * wherever the name stands between delimiters (blanks, parentheses, commas,
 * '='): "proc.name=cat_binaries" and "proc.name= cat_binaries" compare with
 * the item. A bare value of a one-value operator is always so delimited, so
 * it is replaced here; a list of other than one item would not parse in
 * Falco either. */
static int expand_single_value(struct list_ctx *c, struct condition_node *node)
{
	struct condition_cmp *cmp = &node->cmp;
	struct condition_value *v = &cmp->values[0];
	struct condition_node fresh;
	struct list_frame frame;
	const char *const *items;
	size_t n_items;
	int r;

	if (cmp->n_values != 1 || v->quoted || !c->lookup(c->user, v->text, &items, &n_items))
		return CONDITION_OK;
	memset(&fresh, 0, sizeof fresh);
	fresh.kind = CONDITION_NODE_CMP;
	frame = (struct list_frame){ .name = v->text, .up = NULL };
	r = add_list_items(c, &fresh, v->text, items, n_items, v->pos, &frame, 1);
	if (r == CONDITION_OK && fresh.cmp.n_values != 1) {
		reset_err(c->err, c->errlen);
		appendf(c->err, c->errlen,
			"list '%s' used at " CONDITION_POS_FMT " as the value of '%s' has %zu items: its items replace "
			"its name as text (as in Falco), so only a list of one item can stand for one value",
			v->text, CONDITION_POS_ARGS(v->pos), condition_op_to_string(cmp->op), fresh.cmp.n_values);
		r = CONDITION_ERR_SYNTAX;
	}
	if (r != CONDITION_OK) {
		free_values(&fresh.cmp);
		return r;
	}
	free(v->text);
	v->text = fresh.cmp.values[0].text;
	v->quoted = fresh.cmp.values[0].quoted;
	free(fresh.cmp.values);
	return CONDITION_OK;
}

static int expand_list_leaf(struct list_ctx *c, struct condition_node *node)
{
	struct condition_cmp *cmp = &node->cmp;
	struct condition_node fresh;
	const char *const *items;
	size_t n_items;
	bool any = false;

	if (condition_op_class(cmp->op) == CONDITION_OPCLASS_STRING)
		return expand_single_value(c, node);
	if (condition_op_class(cmp->op) != CONDITION_OPCLASS_LIST)
		return CONDITION_OK;
	/* Most list checks name no list: find out before copying anything. */
	for (size_t i = 0; i < cmp->n_values && !any; i++)
		any = !cmp->values[i].quoted && c->lookup(c->user, cmp->values[i].text, &items, &n_items);
	if (!any)
		return CONDITION_OK;

	/* Build the new values aside and swap them in only when complete, so
	 * a failure leaves the leaf as it was. */
	memset(&fresh, 0, sizeof fresh);
	fresh.kind = CONDITION_NODE_CMP;
	for (size_t i = 0; i < cmp->n_values; i++) {
		const struct condition_value *v = &cmp->values[i];
		int r;
		if (!v->quoted && c->lookup(c->user, v->text, &items, &n_items)) {
			struct list_frame frame = { .name = v->text, .up = NULL };
			r = add_list_items(c, &fresh, v->text, items, n_items, v->pos, &frame, 1);
		} else {
			char *text = copy_str(v->text);
			r = text != NULL ? condition_cmp_add_value(&fresh, text, v->quoted, v->pos)
					 : CONDITION_ERR_NOMEM;
			if (r != CONDITION_OK)
				r = nomem(c, v->text, v->pos);
		}
		if (r != CONDITION_OK) {
			free_values(&fresh.cmp);
			return r;
		}
	}
	free_values(cmp);
	cmp->values = fresh.cmp.values;
	cmp->n_values = fresh.cmp.n_values;
	cmp->values_cap = fresh.cmp.values_cap;
	cmp->list_values = true;
	return CONDITION_OK;
}

static int expand_lists_visit(void *user, struct condition_node *node)
{
	return expand_list_leaf(user, node);
}

int condition_expand_lists(struct condition_node *root, condition_list_lookup_fn lookup, void *user, char *err,
			   size_t errlen)
{
	return condition_expand_lists_limited(root, lookup, user, CONDITION_EXPAND_MAX_LIST_ITEMS, err, errlen);
}

int condition_expand_lists_limited(struct condition_node *root, condition_list_lookup_fn lookup, void *user,
				   size_t max_items, char *err, size_t errlen)
{
	struct list_ctx c = { .lookup = lookup, .user = user, .err = err, .errlen = errlen, .max_items = max_items };
	reset_err(err, errlen);
	if (root == NULL || lookup == NULL) {
		appendf(err, errlen, "no condition or no list lookup given");
		return CONDITION_ERR_SYNTAX;
	}
	return condition_ast_visit_cmp(root, expand_lists_visit, &c);
}
