#include "engine/lang/condition_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lang/condition_lex.h"

/* All parse state lives here, on the caller's stack: the parser is
 * reentrant and thread-safe. */
struct parser {
	struct condition_lexer lx;
	char *err;
	size_t errlen;
	unsigned depth;
	int status; /* the first failure; later ones only follow from it */
};

static const char expect_check[] = "expected a field check, a macro name, 'not' or '('";

static void fail(struct parser *p, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct parser *p, int status, const char *fmt, ...)
{
	va_list ap;
	if (p->status != CONDITION_OK)
		return;
	p->status = status;
	if (p->err == NULL || p->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

static void fail_nomem(struct parser *p)
{
	struct condition_pos pos = condition_lex_pos(&p->lx);
	fail(p, CONDITION_ERR_NOMEM, "out of memory at " CONDITION_POS_FMT, CONDITION_POS_ARGS(pos));
}

/* Every syntax error names what was found and where, then what the grammar
 * wanted there; "found" is what lies at the cursor. */
static void fail_unexpected(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail_unexpected(struct parser *p, const char *fmt, ...)
{
	char found[64];
	char expected[256];
	struct condition_pos pos = condition_lex_pos(&p->lx);
	va_list ap;

	condition_lex_describe(&p->lx, found, sizeof found);
	va_start(ap, fmt);
	vsnprintf(expected, sizeof expected, fmt, ap);
	va_end(ap);
	fail(p, CONDITION_ERR_SYNTAX, "unexpected %s at " CONDITION_POS_FMT ": %s", found, CONDITION_POS_ARGS(pos),
	     expected);
}

/* pos is the '(' or 'not' that nests, so the message points at it. */
static bool enter(struct parser *p, struct condition_pos pos)
{
	if (p->depth >= CONDITION_PARSE_MAX_DEPTH) {
		fail(p, CONDITION_ERR_LIMIT,
		     "nesting too deep at " CONDITION_POS_FMT ": more than %d levels of '(' and 'not'",
		     CONDITION_POS_ARGS(pos), CONDITION_PARSE_MAX_DEPTH);
		return false;
	}
	p->depth++;
	return true;
}

static char *copy_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *token_text(const struct parser *p, const struct condition_token *tok)
{
	return copy_n(p->lx.text + tok->off, tok->len);
}

/* A growable array of children; an and/or chain is collected here and
 * handed to its node without copying. */
struct kids {
	struct condition_node **v;
	size_t n;
	size_t cap;
};

static bool kids_push(struct kids *k, struct condition_node *node)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4;
		struct condition_node **v = realloc(k->v, cap * sizeof *v);
		if (v == NULL)
			return false;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = node;
	return true;
}

static void kids_free(struct kids *k)
{
	for (size_t i = 0; i < k->n; i++)
		condition_ast_free(k->v[i]);
	free(k->v);
}

static struct condition_node *parse_or(struct parser *p);

typedef struct condition_node *(*parse_fn)(struct parser *p);

/* One level of an n-ary chain: operand (kw operand)*. */
static struct condition_node *parse_chain(struct parser *p, const char *kw, enum condition_node_kind kind,
					  parse_fn operand)
{
	struct kids k = { 0 };
	struct condition_node *node;
	struct condition_pos pos;

	condition_lex_skip_blank(&p->lx);
	pos = condition_lex_pos(&p->lx);
	node = operand(p);
	if (node == NULL)
		return NULL;
	condition_lex_skip_blank(&p->lx);
	if (!condition_lex_keyword(&p->lx, kw))
		return node;
	if (!kids_push(&k, node)) {
		condition_ast_free(node);
		fail_nomem(p);
		return NULL;
	}
	do {
		node = operand(p);
		if (node == NULL)
			goto fail;
		if (!kids_push(&k, node)) {
			condition_ast_free(node);
			fail_nomem(p);
			goto fail;
		}
		condition_lex_skip_blank(&p->lx);
	} while (condition_lex_keyword(&p->lx, kw));

	node = condition_ast_new(kind, pos);
	if (node == NULL) {
		fail_nomem(p);
		goto fail;
	}
	node->children = k.v;
	node->n_children = k.n;
	return node;
fail:
	kids_free(&k);
	return NULL;
}

static struct condition_node *parse_check(struct parser *p);

static struct condition_node *parse_not(struct parser *p)
{
	struct condition_node *child, *node;
	struct condition_pos pos;

	condition_lex_skip_blank(&p->lx);
	pos = condition_lex_pos(&p->lx);
	if (!condition_lex_keyword(&p->lx, "not"))
		return parse_check(p);
	/* "not not a" nests instead of collapsing as libsinsp does: the tree
	 * stays faithful to the text and evaluates the same. */
	if (!enter(p, pos))
		return NULL;
	child = parse_not(p);
	p->depth--;
	if (child == NULL)
		return NULL;
	node = condition_ast_new(CONDITION_NODE_NOT, pos);
	if (node != NULL)
		node->children = malloc(sizeof *node->children);
	if (node == NULL || node->children == NULL) {
		condition_ast_free(node);
		condition_ast_free(child);
		fail_nomem(p);
		return NULL;
	}
	node->children[0] = child;
	node->n_children = 1;
	return node;
}

static struct condition_node *parse_and(struct parser *p)
{
	return parse_chain(p, "and", CONDITION_NODE_AND, parse_not);
}

static struct condition_node *parse_or(struct parser *p)
{
	return parse_chain(p, "or", CONDITION_NODE_OR, parse_and);
}

/* A quoted or bare value; what_expected completes the error message. */
static bool parse_value(struct parser *p, struct condition_node *cmp, const char *what_expected)
{
	struct condition_token tok;
	struct condition_pos pos;
	char *text = NULL;
	int r;

	condition_lex_skip_blank(&p->lx);
	r = condition_lex_quoted(&p->lx, &text, &pos, p->err, p->errlen);
	if (r < 0) {
		/* the lexer wrote the message */
		if (p->status == CONDITION_OK)
			p->status = r;
		return false;
	}
	if (r == 0) {
		if (!condition_lex_bare(&p->lx, &tok)) {
			fail_unexpected(p, "%s", what_expected);
			return false;
		}
		pos = tok.pos;
		text = token_text(p, &tok);
		if (text == NULL) {
			fail_nomem(p);
			return false;
		}
	}
	if (condition_cmp_add_value(cmp, text, r == 1, pos) != CONDITION_OK) {
		fail_nomem(p);
		return false;
	}
	return true;
}

static bool parse_list(struct parser *p, struct condition_node *cmp, const char *opname)
{
	struct condition_pos open = condition_lex_pos(&p->lx);
	struct condition_lexer save;
	struct condition_token tok;
	bool has_dot;

	if (condition_lex_char(&p->lx, '(')) {
		cmp->cmp.list_values = true;
		condition_lex_skip_blank(&p->lx);
		if (condition_lex_char(&p->lx, ')'))
			return true;
		if (!parse_value(p, cmp, "expected a value or ')'"))
			return false;
		for (;;) {
			condition_lex_skip_blank(&p->lx);
			if (condition_lex_char(&p->lx, ')'))
				return true;
			if (!condition_lex_char(&p->lx, ',')) {
				fail_unexpected(p, "expected ',' or ')' in the list opened at " CONDITION_POS_FMT,
						CONDITION_POS_ARGS(open));
				return false;
			}
			if (!parse_value(p, cmp, "expected a value after ','"))
				return false;
		}
	}

	/* "in some_list": a single list name, expanded later. */
	save = p->lx;
	if (condition_lex_word(&p->lx, &tok, &has_dot) && !has_dot &&
	    !condition_lex_is_bare_char(condition_lex_peek(&p->lx))) {
		char *text = token_text(p, &tok);
		if (text == NULL || condition_cmp_add_value(cmp, text, false, tok.pos) != CONDITION_OK) {
			fail_nomem(p);
			return false;
		}
		return true;
	}
	p->lx = save;
	fail_unexpected(p, "expected '(' or a list name after '%s'", opname);
	return false;
}

static struct condition_node *parse_field_check(struct parser *p, const struct condition_token *name)
{
	struct condition_node *node = condition_ast_new(CONDITION_NODE_CMP, name->pos);
	const char *opname;

	if (node == NULL || (node->cmp.field = token_text(p, name)) == NULL) {
		fail_nomem(p);
		goto fail;
	}

	/* The argument follows the name directly, with no blank, and is kept
	 * as written: its meaning ("2", "/user/name", "fd") is the field's. */
	if (condition_lex_char(&p->lx, '[')) {
		struct condition_token tok;
		struct condition_pos qpos;
		int r = condition_lex_quoted(&p->lx, &node->cmp.arg, &qpos, p->err, p->errlen);
		if (r < 0) {
			if (p->status == CONDITION_OK)
				p->status = r;
			goto fail;
		}
		if (r == 1) {
			node->cmp.arg_quoted = true;
		} else if (condition_lex_bare_arg(&p->lx, &tok)) {
			if ((node->cmp.arg = token_text(p, &tok)) == NULL) {
				fail_nomem(p);
				goto fail;
			}
		} else {
			fail_unexpected(p, "expected a field argument after '%s['", node->cmp.field);
			goto fail;
		}
		if (!condition_lex_char(&p->lx, ']')) {
			fail_unexpected(p, "expected ']' after the argument of '%s'", node->cmp.field);
			goto fail;
		}
	}

	condition_lex_skip_blank(&p->lx);
	if (!condition_lex_operator(&p->lx, &node->cmp.op)) {
		char ops[256];
		condition_op_list_text(ops, sizeof(ops));
		fail_unexpected(p, "expected an operator after '%s' (%s)", node->cmp.field, ops);
		goto fail;
	}
	opname = condition_op_to_string(node->cmp.op);

	condition_lex_skip_blank(&p->lx);
	switch (condition_op_class(node->cmp.op)) {
	case CONDITION_OPCLASS_UNARY:
		break;
	case CONDITION_OPCLASS_NUMERIC: {
		struct condition_token tok;
		char *text;
		if (!condition_lex_number(&p->lx, &tok)) {
			fail_unexpected(p, "expected a number after '%s'", opname);
			goto fail;
		}
		text = token_text(p, &tok);
		if (text == NULL || condition_cmp_add_value(node, text, false, tok.pos) != CONDITION_OK) {
			fail_nomem(p);
			goto fail;
		}
		break;
	}
	case CONDITION_OPCLASS_STRING: {
		char msg[64];
		snprintf(msg, sizeof msg, "expected a value after '%s'", opname);
		if (!parse_value(p, node, msg))
			goto fail;
		break;
	}
	case CONDITION_OPCLASS_LIST:
		if (!parse_list(p, node, opname))
			goto fail;
		break;
	}
	return node;
fail:
	condition_ast_free(node);
	return NULL;
}

static bool is_reserved(const char *s, size_t n)
{
	return (n == 3 && memcmp(s, "and", 3) == 0) || (n == 2 && memcmp(s, "or", 2) == 0) ||
	       (n == 3 && memcmp(s, "not", 3) == 0);
}

static struct condition_node *parse_check(struct parser *p)
{
	struct condition_token tok;
	struct condition_pos open;
	struct condition_lexer save;
	struct condition_node *node;
	bool has_dot;

	condition_lex_skip_blank(&p->lx);
	open = condition_lex_pos(&p->lx);
	if (condition_lex_char(&p->lx, '(')) {
		if (!enter(p, open))
			return NULL;
		node = parse_or(p);
		p->depth--;
		if (node == NULL)
			return NULL;
		condition_lex_skip_blank(&p->lx);
		if (!condition_lex_char(&p->lx, ')')) {
			fail_unexpected(p, "expected ')' to close the '(' at " CONDITION_POS_FMT,
					CONDITION_POS_ARGS(open));
			condition_ast_free(node);
			return NULL;
		}
		return node;
	}

	save = p->lx;
	if (!condition_lex_word(&p->lx, &tok, &has_dot)) {
		fail_unexpected(p, "%s", expect_check);
		return NULL;
	}
	if (has_dot)
		return parse_field_check(p, &tok);
	if (is_reserved(p->lx.text + tok.off, tok.len)) {
		p->lx = save;
		fail_unexpected(p, "%s", expect_check);
		return NULL;
	}
	{
		/* "pid = 1" reads as the macro "pid" followed by garbage; say
		 * what is actually wrong instead. */
		struct condition_lexer look = p->lx;
		enum condition_op op;
		condition_lex_skip_blank(&look);
		if (condition_lex_operator(&look, &op)) {
			p->lx = save;
			fail_unexpected(p, "a field name has a dot (like 'proc.name'); a lone name is a macro");
			return NULL;
		}
	}
	node = condition_ast_new(CONDITION_NODE_MACRO_REF, tok.pos);
	if (node == NULL || (node->name = token_text(p, &tok)) == NULL) {
		condition_ast_free(node);
		fail_nomem(p);
		return NULL;
	}
	return node;
}

int condition_parse_n(const char *text, size_t len, struct condition_node **out, char *err, size_t errlen)
{
	struct parser p = { .err = err, .errlen = errlen, .depth = 0, .status = CONDITION_OK };
	struct condition_node *root;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	condition_lex_init(&p.lx, text != NULL ? text : "", text != NULL ? len : 0);

	condition_lex_skip_blank(&p.lx);
	if (condition_lex_at_end(&p.lx)) {
		fail_unexpected(&p, "the condition is empty");
		return p.status;
	}
	root = parse_or(&p);
	if (root == NULL)
		return p.status != CONDITION_OK ? p.status : CONDITION_ERR_SYNTAX;
	condition_lex_skip_blank(&p.lx);
	if (!condition_lex_at_end(&p.lx)) {
		if (condition_lex_peek(&p.lx) == ')')
			fail_unexpected(&p, "it closes no '('");
		else
			fail_unexpected(&p, "expected 'and', 'or' or the end of the condition");
		condition_ast_free(root);
		return p.status;
	}
	*out = root;
	return CONDITION_OK;
}

int condition_parse(const char *text, struct condition_node **out, char *err, size_t errlen)
{
	return condition_parse_n(text, text != NULL ? strlen(text) : 0, out, err, errlen);
}
