#include "engine/lang/condition_ast.h"

#include <stdlib.h>
#include <string.h>

#include "engine/lang/condition_lex.h"
#include "engine/util/strbuf.h"

struct condition_node *condition_ast_new(enum condition_node_kind kind, struct condition_pos pos)
{
	struct condition_node *n = calloc(1, sizeof *n);
	if (n != NULL) {
		n->kind = kind;
		n->pos = pos;
	}
	return n;
}

int condition_cmp_add_value(struct condition_node *cmp, char *text, bool quoted, struct condition_pos pos)
{
	struct condition_cmp *c = &cmp->cmp;
	if (c->n_values == c->values_cap) {
		/* Doubling keeps long lists (expanded Falco lists run to hundreds
		 * of items) linear to build. */
		size_t cap = c->values_cap ? c->values_cap * 2 : 1;
		struct condition_value *v = realloc(c->values, cap * sizeof *v);
		if (v == NULL) {
			free(text);
			return CONDITION_ERR_NOMEM;
		}
		c->values = v;
		c->values_cap = cap;
	}
	c->values[c->n_values].text = text;
	c->values[c->n_values].quoted = quoted;
	c->values[c->n_values].pos = pos;
	c->n_values++;
	return CONDITION_OK;
}

void condition_ast_free(struct condition_node *node)
{
	if (node == NULL)
		return;
	for (size_t i = 0; i < node->n_children; i++)
		condition_ast_free(node->children[i]);
	free(node->children);
	free(node->name);
	free(node->cmp.field);
	free(node->cmp.arg);
	for (size_t i = 0; i < node->cmp.n_values; i++)
		free(node->cmp.values[i].text);
	free(node->cmp.values);
	if (node->cmp.bound != NULL && node->cmp.bound_free != NULL)
		node->cmp.bound_free(node->cmp.bound);
	free(node);
}

static bool dup_str(char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return true;
	}
	size_t n = strlen(src) + 1;
	*dst = malloc(n);
	if (*dst == NULL)
		return false;
	memcpy(*dst, src, n);
	return true;
}

struct condition_node *condition_ast_clone(const struct condition_node *node)
{
	struct condition_node *c;

	if (node == NULL)
		return NULL;
	c = condition_ast_new(node->kind, node->pos);
	if (c == NULL)
		return NULL;
	if (node->n_children > 0) {
		c->children = calloc(node->n_children, sizeof *c->children);
		if (c->children == NULL)
			goto fail;
		/* Count as we go so a failure frees exactly what was cloned. */
		for (size_t i = 0; i < node->n_children; i++) {
			c->children[i] = condition_ast_clone(node->children[i]);
			if (c->children[i] == NULL)
				goto fail;
			c->n_children++;
		}
	}
	if (!dup_str(&c->name, node->name) || !dup_str(&c->cmp.field, node->cmp.field) ||
	    !dup_str(&c->cmp.arg, node->cmp.arg))
		goto fail;
	c->cmp.arg_quoted = node->cmp.arg_quoted;
	c->cmp.op = node->cmp.op;
	c->cmp.list_values = node->cmp.list_values;
	if (node->cmp.n_values > 0) {
		c->cmp.values = malloc(node->cmp.n_values * sizeof *c->cmp.values);
		if (c->cmp.values == NULL)
			goto fail;
		c->cmp.values_cap = node->cmp.n_values;
		for (size_t i = 0; i < node->cmp.n_values; i++) {
			c->cmp.values[i] = node->cmp.values[i];
			if (!dup_str(&c->cmp.values[i].text, node->cmp.values[i].text))
				goto fail;
			c->cmp.n_values++;
		}
	}
	return c;
fail:
	condition_ast_free(c);
	return NULL;
}

static bool str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

bool condition_ast_equal(const struct condition_node *a, const struct condition_node *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->kind != b->kind || a->n_children != b->n_children)
		return false;
	switch (a->kind) {
	case CONDITION_NODE_AND:
	case CONDITION_NODE_OR:
	case CONDITION_NODE_NOT:
		for (size_t i = 0; i < a->n_children; i++)
			if (!condition_ast_equal(a->children[i], b->children[i]))
				return false;
		return true;
	case CONDITION_NODE_MACRO_REF:
		return str_eq(a->name, b->name);
	case CONDITION_NODE_CMP:
		if (!str_eq(a->cmp.field, b->cmp.field) || !str_eq(a->cmp.arg, b->cmp.arg) ||
		    a->cmp.arg_quoted != b->cmp.arg_quoted || a->cmp.op != b->cmp.op ||
		    a->cmp.list_values != b->cmp.list_values || a->cmp.n_values != b->cmp.n_values)
			return false;
		for (size_t i = 0; i < a->cmp.n_values; i++)
			if (a->cmp.values[i].quoted != b->cmp.values[i].quoted ||
			    !str_eq(a->cmp.values[i].text, b->cmp.values[i].text))
				return false;
		return true;
	}
	return false;
}

/* Double-quoted with the escapes the lexer reads back. Other control bytes
 * go out raw: a quoted string may hold them as they are. */
static void sb_quoted(strbuf *b, const char *s)
{
	strbuf_addn(b, "\"", 1);
	for (; *s; s++) {
		const char *e = NULL;
		switch (*s) {
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\t':
			e = "\\t";
			break;
		case '\b':
			e = "\\b";
			break;
		case '\f':
			e = "\\f";
			break;
		}
		if (e != NULL)
			strbuf_add(b, e);
		else
			strbuf_addn(b, s, 1);
	}
	strbuf_addn(b, "\"", 1);
}

static void sb_value(strbuf *b, const struct condition_value *v)
{
	if (!v->quoted && condition_lex_is_bare_string(v->text))
		strbuf_add(b, v->text);
	else
		sb_quoted(b, v->text);
}

static void sb_node(strbuf *b, const struct condition_node *n)
{
	switch (n->kind) {
	case CONDITION_NODE_AND:
	case CONDITION_NODE_OR:
		strbuf_addn(b, "(", 1);
		for (size_t i = 0; i < n->n_children; i++) {
			if (i > 0)
				strbuf_add(b, n->kind == CONDITION_NODE_AND ? " and " : " or ");
			sb_node(b, n->children[i]);
		}
		strbuf_addn(b, ")", 1);
		return;
	case CONDITION_NODE_NOT:
		strbuf_add(b, "(not ");
		if (n->n_children > 0)
			sb_node(b, n->children[0]);
		strbuf_addn(b, ")", 1);
		return;
	case CONDITION_NODE_MACRO_REF:
		strbuf_add(b, n->name != NULL ? n->name : "");
		return;
	case CONDITION_NODE_CMP:
		break;
	}
	strbuf_add(b, n->cmp.field != NULL ? n->cmp.field : "");
	if (n->cmp.arg != NULL) {
		strbuf_addn(b, "[", 1);
		if (!n->cmp.arg_quoted && condition_lex_is_bare_arg(n->cmp.arg))
			strbuf_add(b, n->cmp.arg);
		else
			sb_quoted(b, n->cmp.arg);
		strbuf_addn(b, "]", 1);
	}
	strbuf_addn(b, " ", 1);
	strbuf_add(b, condition_op_to_string(n->cmp.op) ? condition_op_to_string(n->cmp.op) : "?");
	if (n->cmp.list_values) {
		strbuf_add(b, " (");
		for (size_t i = 0; i < n->cmp.n_values; i++) {
			if (i > 0)
				strbuf_add(b, ", ");
			sb_value(b, &n->cmp.values[i]);
		}
		strbuf_addn(b, ")", 1);
	} else {
		for (size_t i = 0; i < n->cmp.n_values; i++) {
			strbuf_addn(b, " ", 1);
			sb_value(b, &n->cmp.values[i]);
		}
	}
}

char *condition_ast_to_string(const struct condition_node *node)
{
	strbuf b = STRBUF_INIT;
	if (node != NULL)
		sb_node(&b, node);
	return strbuf_finish(&b);
}

int condition_ast_visit(struct condition_node *root, condition_visit_fn fn, void *user)
{
	int r;
	if (root == NULL)
		return 0;
	r = fn(user, root);
	if (r != 0)
		return r;
	for (size_t i = 0; i < root->n_children; i++) {
		r = condition_ast_visit(root->children[i], fn, user);
		if (r != 0)
			return r;
	}
	return 0;
}

int condition_ast_visit_cmp(struct condition_node *root, condition_visit_fn fn, void *user)
{
	int r;
	if (root == NULL)
		return 0;
	if (root->kind == CONDITION_NODE_CMP)
		return fn(user, root);
	for (size_t i = 0; i < root->n_children; i++) {
		r = condition_ast_visit_cmp(root->children[i], fn, user);
		if (r != 0)
			return r;
	}
	return 0;
}
