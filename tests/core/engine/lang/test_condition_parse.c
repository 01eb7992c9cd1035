/* Unit tests of the condition language: tokenizer, parser and AST. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lang/condition_ast.h"
#include "engine/lang/condition_lex.h"
#include "engine/lang/condition_parse.h"

#ifndef FAPI_SHARED_DIR
#define FAPI_SHARED_DIR "../shared/falco-0.31.1"
#endif

static struct condition_node *parse_ok(const char *text)
{
	struct condition_node *n = NULL;
	char err[512] = "";
	int r = condition_parse(text, &n, err, sizeof err);
	if (r != CONDITION_OK)
		fail_msg("parse of <%s> failed (%d): %s", text, r, err);
	assert_non_null(n);
	return n;
}

/* Parses text and compares its canonical form; also checks the canonical
 * form reads back to an equal tree. */
static void check_canon(const char *text, const char *want)
{
	struct condition_node *n = parse_ok(text);
	struct condition_node *again;
	char *s = condition_ast_to_string(n);
	assert_non_null(s);
	if (strcmp(s, want) != 0)
		fail_msg("<%s>: got <%s>, want <%s>", text, s, want);
	again = parse_ok(s);
	assert_true(condition_ast_equal(n, again));
	condition_ast_free(again);
	free(s);
	condition_ast_free(n);
}

static void check_error(const char *text, int want_code, const char *want_msg)
{
	struct condition_node dummy;
	struct condition_node *n = &dummy; /* a failed parse must reset it */
	char err[512] = "";
	int r = condition_parse(text, &n, err, sizeof err);
	assert_null(n);
	if (r != want_code)
		fail_msg("<%s>: got code %d (%s), want %d", text, r, err, want_code);
	if (strcmp(err, want_msg) != 0)
		fail_msg("<%s>:\n got  <%s>\n want <%s>", text, err, want_msg);
}

static void test_precedence(void **state)
{
	(void)state;
	check_canon("a or b and c", "(a or (b and c))");
	check_canon("a and b or c", "((a and b) or c)");
	check_canon("not a and b", "((not a) and b)");
	check_canon("not a or b", "((not a) or b)");
	check_canon("a and not b or c and d", "((a and (not b)) or (c and d))");
	check_canon("not not a", "(not (not a))");
	check_canon("a", "a");
}

static void test_chains_are_nary(void **state)
{
	struct condition_node *n = parse_ok("a and b and c and d");
	(void)state;
	assert_int_equal(n->kind, CONDITION_NODE_AND);
	assert_int_equal(n->n_children, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(n->children[i]->kind, CONDITION_NODE_MACRO_REF);
	assert_string_equal(n->children[3]->name, "d");
	condition_ast_free(n);

	n = parse_ok("a or b or c");
	assert_int_equal(n->kind, CONDITION_NODE_OR);
	assert_int_equal(n->n_children, 3);
	condition_ast_free(n);
}

static void test_parentheses(void **state)
{
	(void)state;
	check_canon("(a or b) and c", "((a or b) and c)");
	check_canon("not (a or b)", "(not (a or b))");
	check_canon("not(a or b)", "(not (a or b))");
	check_canon("a and(b or c)", "(a and (b or c))");
	check_canon("a or(b)", "(a or b)");
	check_canon("((a))", "a");
	check_canon("(a and b) and c", "((a and b) and c)");
	check_canon(" ( evt.type=open ) ", "evt.type = open");
	/* a macro whose name starts with a keyword is still a macro */
	check_canon("notable and android or order", "((notable and android) or order)");
}

static void test_quoting(void **state)
{
	struct condition_node *n;
	(void)state;

	n = parse_ok("fd.name = \"a b\"");
	assert_int_equal(n->kind, CONDITION_NODE_CMP);
	assert_int_equal(n->cmp.n_values, 1);
	assert_string_equal(n->cmp.values[0].text, "a b");
	assert_true(n->cmp.values[0].quoted);
	assert_false(n->cmp.list_values);
	condition_ast_free(n);

	n = parse_ok("fd.name = 'c, d'");
	assert_string_equal(n->cmp.values[0].text, "c, d");
	assert_true(n->cmp.values[0].quoted);
	condition_ast_free(n);

	n = parse_ok("fd.name = /etc/shadow");
	assert_string_equal(n->cmp.values[0].text, "/etc/shadow");
	assert_false(n->cmp.values[0].quoted);
	condition_ast_free(n);

	/* quoted stays quoted in the canonical form, bare stays bare */
	check_canon("fd.name='x'", "fd.name = \"x\"");
	check_canon("proc.args = ''", "proc.args = \"\"");
	check_canon("proc.args=\"\" or x", "(proc.args = \"\" or x)");
	check_canon("fd.sip = 127.0.0.1", "fd.sip = 127.0.0.1");
	check_canon("fd.name glob *.sh", "fd.name glob *.sh");
	check_canon("proc.name = a:b", "proc.name = a:b");
	check_canon("proc.name=sudoedit", "proc.name = sudoedit");
	check_canon("proc.name = and", "proc.name = and");
}

static void check_value(const char *text, const char *want)
{
	struct condition_node *n = parse_ok(text);
	assert_int_equal(n->kind, CONDITION_NODE_CMP);
	assert_int_equal(n->cmp.n_values, 1);
	assert_true(n->cmp.values[0].quoted);
	if (strcmp(n->cmp.values[0].text, want) != 0)
		fail_msg("<%s>: got <%s>, want <%s>", text, n->cmp.values[0].text, want);
	condition_ast_free(n);
}

static void test_escapes(void **state)
{
	(void)state;
	check_value("x.y = \"a\\\"b\"", "a\"b");
	check_value("x.y = 'it\\'s'", "it's");
	check_value("x.y = \"\\t\\n\\r\\b\\f\"", "\t\n\r\b\f");
	check_value("x.y = \"\\\\ and \\/\"", "\\ and /");
	/* a backslash takes the next byte: \\" ends the string */
	check_value("x.y = \"a\\\\\"", "a\\");
	/* libsinsp reads "\ " as a backslash (Falco's sudo rule relies on it) */
	check_value("proc.args contains \"\\ \"", "\\");
	/* the other quote needs no escape */
	check_value("x.y = \"it's\"", "it's");
	check_value("x.y = 'say \"hi\"'", "say \"hi\"");
	/* newlines inside a quoted string are kept */
	check_value("x.y = \"a\nb\"", "a\nb");

	check_error("x.y = \"a\\qb\"", CONDITION_ERR_SYNTAX,
		    "unsupported escape '\\q' at 1:9 (offset 8): expected one of \\b \\f \\n \\r \\t \\\\ \\/ \\\"");
	check_error("x.y = 'a\\\"b'", CONDITION_ERR_SYNTAX,
		    "invalid escape '\\\"' at 1:9 (offset 8): only the delimiter ' may be escaped in this string");

	/* canonical form escapes what needs it and reads back the same */
	check_canon("x.y = 'a\"b\\\\c\\td'", "x.y = \"a\\\"b\\\\c\\td\"");
}

static void test_field_args(void **state)
{
	static const struct {
		const char *text, *field, *arg;
	} cases[] = {
		{ "proc.aname[2] = sh", "proc.aname", "2" },
		{ "evt.arg[0] exists", "evt.arg", "0" },
		{ "evt.arg.name = x", "evt.arg.name", NULL },
		{ "jevt.value[/user/name] = bob", "jevt.value", "/user/name" },
		{ "ka.req.pod.containers.image[0] startswith nginx", "ka.req.pod.containers.image", "0" },
		{ "proc.aname[x=y,z] = a", "proc.aname", "x=y,z" },
		{ "evt.rawarg.res >= 0", "evt.rawarg.res", NULL },
		{ "k8s.ns.name=kube", "k8s.ns.name", NULL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct condition_node *n = parse_ok(cases[i].text);
		assert_int_equal(n->kind, CONDITION_NODE_CMP);
		assert_string_equal(n->cmp.field, cases[i].field);
		if (cases[i].arg == NULL)
			assert_null(n->cmp.arg);
		else
			assert_string_equal(n->cmp.arg, cases[i].arg);
		assert_false(n->cmp.arg_quoted);
		condition_ast_free(n);
	}

	struct condition_node *n = parse_ok("evt.arg['a b'] = 1");
	assert_string_equal(n->cmp.arg, "a b");
	assert_true(n->cmp.arg_quoted);
	condition_ast_free(n);
	check_canon("evt.arg['a b'] = 1", "evt.arg[\"a b\"] = 1");
	check_canon("proc.aname[2]=sh", "proc.aname[2] = sh");

	check_error("proc.aname[] = x", CONDITION_ERR_SYNTAX,
		    "unexpected ']' at 1:12 (offset 11): expected a field argument after 'proc.aname['");
	check_error("proc.aname[2", CONDITION_ERR_SYNTAX,
		    "unexpected end of input at 1:13 (offset 12): expected ']' after the argument of 'proc.aname'");
}

static void test_every_operator(void **state)
{
	static const struct {
		const char *text;
		enum condition_op op;
		size_t n_values;
		const char *canon;
	} cases[] = {
		{ "a.b = 1", CONDITION_OP_EQ, 1, "a.b = 1" },
		{ "a.b == 1", CONDITION_OP_EQ, 1, "a.b = 1" },
		{ "a.b != x", CONDITION_OP_NE, 1, "a.b != x" },
		{ "a.b < 1", CONDITION_OP_LT, 1, "a.b < 1" },
		{ "a.b <= 0x1F", CONDITION_OP_LE, 1, "a.b <= 0x1F" },
		{ "a.b > -1", CONDITION_OP_GT, 1, "a.b > -1" },
		{ "a.b >= 1.5e+3", CONDITION_OP_GE, 1, "a.b >= 1.5e+3" },
		{ "a.b contains x", CONDITION_OP_CONTAINS, 1, "a.b contains x" },
		{ "a.b icontains X", CONDITION_OP_ICONTAINS, 1, "a.b icontains X" },
		{ "a.b bcontains 6c73", CONDITION_OP_BCONTAINS, 1, "a.b bcontains 6c73" },
		{ "a.b startswith /x", CONDITION_OP_STARTSWITH, 1, "a.b startswith /x" },
		{ "a.b bstartswith 7f45", CONDITION_OP_BSTARTSWITH, 1, "a.b bstartswith 7f45" },
		{ "a.b endswith .sh", CONDITION_OP_ENDSWITH, 1, "a.b endswith .sh" },
		{ "a.b glob '/home/*/.ssh/*'", CONDITION_OP_GLOB, 1, "a.b glob \"/home/*/.ssh/*\"" },
		{ "a.b pmatch (/usr, /etc)", CONDITION_OP_PMATCH, 2, "a.b pmatch (/usr, /etc)" },
		{ "a.b in (x)", CONDITION_OP_IN, 1, "a.b in (x)" },
		{ "a.b intersects (1, 2, 3)", CONDITION_OP_INTERSECTS, 3, "a.b intersects (1, 2, 3)" },
		{ "a.b exists", CONDITION_OP_EXISTS, 0, "a.b exists" },
		/* operators need no blanks around them where libsinsp allows */
		{ "a.b<=2", CONDITION_OP_LE, 1, "a.b <= 2" },
		{ "a.b!=x", CONDITION_OP_NE, 1, "a.b != x" },
		{ "a.b in(x,y)", CONDITION_OP_IN, 2, "a.b in (x, y)" },
		{ "a.b contains\tx", CONDITION_OP_CONTAINS, 1, "a.b contains x" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct condition_node *n = parse_ok(cases[i].text);
		assert_int_equal(n->kind, CONDITION_NODE_CMP);
		if (n->cmp.op != cases[i].op)
			fail_msg("<%s>: op %d, want %d", cases[i].text, n->cmp.op, cases[i].op);
		assert_int_equal(n->cmp.n_values, cases[i].n_values);
		condition_ast_free(n);
		check_canon(cases[i].text, cases[i].canon);
	}

	/* keywords are case-sensitive and need a boundary */
	check_error("a.b CONTAINS x", CONDITION_ERR_SYNTAX,
		    "unexpected 'CONTAINS' at 1:5 (offset 4): expected an operator after 'a.b' (=, ==, !=, <, <=, >, "
		    ">=, contains, icontains, bcontains, startswith, bstartswith, endswith, glob, in, intersects, "
		    "pmatch, exists)");
	check_error("a.b containsx", CONDITION_ERR_SYNTAX,
		    "unexpected 'containsx' at 1:5 (offset 4): expected an operator after 'a.b' (=, ==, !=, <, <=, "
		    ">, >=, contains, icontains, bcontains, startswith, bstartswith, endswith, glob, in, "
		    "intersects, pmatch, exists)");
	check_error("a.b > x", CONDITION_ERR_SYNTAX, "unexpected 'x' at 1:7 (offset 6): expected a number after '>'");
	check_error("a.b > 5abc", CONDITION_ERR_SYNTAX,
		    "unexpected '5abc' at 1:7 (offset 6): expected a number after '>'");
}

static void test_op_table(void **state)
{
	enum condition_op op;
	(void)state;
	for (unsigned i = 0; i < CONDITION_OP__COUNT; i++) {
		const char *s = condition_op_to_string((enum condition_op)i);
		assert_non_null(s);
		assert_true(condition_op_from_string(s, &op));
		assert_int_equal(op, i);
	}
	assert_true(condition_op_from_string("==", &op));
	assert_int_equal(op, CONDITION_OP_EQ);
	assert_false(condition_op_from_string("IN", &op));
	assert_false(condition_op_from_string("iglob", &op));
	assert_null(condition_op_to_string(CONDITION_OP__COUNT));
	assert_int_equal(condition_op_class(CONDITION_OP_EXISTS), CONDITION_OPCLASS_UNARY);
	assert_int_equal(condition_op_class(CONDITION_OP_GE), CONDITION_OPCLASS_NUMERIC);
	assert_int_equal(condition_op_class(CONDITION_OP_GLOB), CONDITION_OPCLASS_STRING);
	assert_int_equal(condition_op_class(CONDITION_OP_PMATCH), CONDITION_OPCLASS_LIST);
}

static void test_lists(void **state)
{
	struct condition_node *n;
	(void)state;

	n = parse_ok("proc.name in (sh, \"b c\", 'd', shell_binaries)");
	assert_int_equal(n->cmp.op, CONDITION_OP_IN);
	assert_true(n->cmp.list_values);
	assert_int_equal(n->cmp.n_values, 4);
	assert_string_equal(n->cmp.values[0].text, "sh");
	assert_false(n->cmp.values[0].quoted);
	assert_string_equal(n->cmp.values[1].text, "b c");
	assert_true(n->cmp.values[1].quoted);
	assert_string_equal(n->cmp.values[2].text, "d");
	assert_true(n->cmp.values[2].quoted);
	assert_string_equal(n->cmp.values[3].text, "shell_binaries");
	assert_false(n->cmp.values[3].quoted);
	/* each value knows where it is */
	assert_int_equal(n->cmp.values[1].pos.offset, 18);
	assert_int_equal(n->cmp.values[3].pos.col, 31);
	condition_ast_free(n);

	n = parse_ok("fd.name in ()");
	assert_true(n->cmp.list_values);
	assert_int_equal(n->cmp.n_values, 0);
	condition_ast_free(n);

	/* a bare list name after a list operator */
	n = parse_ok("proc.name in shell_binaries");
	assert_false(n->cmp.list_values);
	assert_int_equal(n->cmp.n_values, 1);
	assert_string_equal(n->cmp.values[0].text, "shell_binaries");
	condition_ast_free(n);

	check_canon("proc.pname in (runc:[0:PARENT], runc:[1:CHILD], runc)",
		    "proc.pname in (runc:[0:PARENT], runc:[1:CHILD], runc)");
	check_canon("x.y in ( a ,b\n, c )", "x.y in (a, b, c)");
	check_canon("x.y pmatch dirs", "x.y pmatch dirs");

	check_error("x.y in (a,)", CONDITION_ERR_SYNTAX, "unexpected ')' at 1:11 (offset 10): expected a value after ','");
	check_error("x.y in (a b)", CONDITION_ERR_SYNTAX,
		    "unexpected 'b' at 1:11 (offset 10): expected ',' or ')' in the list opened at 1:8 (offset 7)");
	check_error("x.y in (a", CONDITION_ERR_SYNTAX,
		    "unexpected end of input at 1:10 (offset 9): expected ',' or ')' in the list opened at 1:8 (offset 7)");
	check_error("x.y in (,)", CONDITION_ERR_SYNTAX, "unexpected ',' at 1:9 (offset 8): expected a value or ')'");
	check_error("x.y in /etc", CONDITION_ERR_SYNTAX,
		    "unexpected '/etc' at 1:8 (offset 7): expected '(' or a list name after 'in'");
	check_error("x.y in a-b", CONDITION_ERR_SYNTAX,
		    "unexpected 'a-b' at 1:8 (offset 7): expected '(' or a list name after 'in'");
}

static void test_macro_refs(void **state)
{
	struct condition_node *n;
	(void)state;
	n = parse_ok("spawned_process and not proc_name_exists");
	assert_int_equal(n->kind, CONDITION_NODE_AND);
	assert_int_equal(n->children[0]->kind, CONDITION_NODE_MACRO_REF);
	assert_string_equal(n->children[0]->name, "spawned_process");
	assert_int_equal(n->children[1]->kind, CONDITION_NODE_NOT);
	assert_int_equal(n->children[1]->children[0]->kind, CONDITION_NODE_MACRO_REF);
	assert_string_equal(n->children[1]->children[0]->name, "proc_name_exists");
	assert_int_equal(n->children[1]->children[0]->pos.offset, 24);
	condition_ast_free(n);

	check_error("pid = 1", CONDITION_ERR_SYNTAX,
		    "unexpected 'pid' at 1:1 (offset 0): a field name has a dot (like 'proc.name'); a lone name is a macro");
	check_error("a and and", CONDITION_ERR_SYNTAX,
		    "unexpected 'and' at 1:7 (offset 6): expected a field check, a macro name, 'not' or '('");
	check_error("not", CONDITION_ERR_SYNTAX,
		    "unexpected end of input at 1:4 (offset 3): expected a field check, a macro name, 'not' or '('");
}

static void test_positions(void **state)
{
	const char *text = "spawned_process and\n  (proc.name = sh or\n\tfd.name in (a, \"b\"))";
	struct condition_node *n = parse_ok(text);
	struct condition_node *or, *cmp;
	(void)state;

	assert_int_equal(n->pos.offset, 0);
	assert_int_equal(n->pos.line, 1);
	assert_int_equal(n->pos.col, 1);
	or = n->children[1];
	assert_int_equal(or->kind, CONDITION_NODE_OR);
	assert_int_equal(or->pos.line, 2);
	assert_int_equal(or->pos.col, 4);
	cmp = or->children[1];
	assert_string_equal(cmp->cmp.field, "fd.name");
	assert_int_equal(cmp->pos.line, 3);
	assert_int_equal(cmp->pos.col, 2);
	assert_int_equal(cmp->pos.offset, (size_t)(strstr(text, "fd.name") - text));
	assert_int_equal(cmp->cmp.values[1].pos.line, 3);
	assert_int_equal(cmp->cmp.values[1].pos.col, 17);
	condition_ast_free(n);

	check_error("a and\n  b c", CONDITION_ERR_SYNTAX,
		    "unexpected 'c' at 2:5 (offset 10): expected 'and', 'or' or the end of the condition");
	/* a newline inside a string moves the line count too */
	check_error("x.y = \"a\nb\" )", CONDITION_ERR_SYNTAX, "unexpected ')' at 2:4 (offset 12): it closes no '('");
}

static void test_errors(void **state)
{
	(void)state;
	check_error("", CONDITION_ERR_SYNTAX, "unexpected end of input at 1:1 (offset 0): the condition is empty");
	check_error(" \n\t", CONDITION_ERR_SYNTAX, "unexpected end of input at 2:2 (offset 3): the condition is empty");
	check_error("(a and b", CONDITION_ERR_SYNTAX,
		    "unexpected end of input at 1:9 (offset 8): expected ')' to close the '(' at 1:1 (offset 0)");
	check_error("((a) or (b)", CONDITION_ERR_SYNTAX,
		    "unexpected end of input at 1:12 (offset 11): expected ')' to close the '(' at 1:1 (offset 0)");
	check_error("a and b)", CONDITION_ERR_SYNTAX, "unexpected ')' at 1:8 (offset 7): it closes no '('");
	check_error("()", CONDITION_ERR_SYNTAX,
		    "unexpected ')' at 1:2 (offset 1): expected a field check, a macro name, 'not' or '('");
	check_error("fd.name = ", CONDITION_ERR_SYNTAX,
		    "unexpected end of input at 1:11 (offset 10): expected a value after '='");
	check_error("(fd.name = ) and a", CONDITION_ERR_SYNTAX,
		    "unexpected ')' at 1:12 (offset 11): expected a value after '='");
	check_error("fd.name contains ,x", CONDITION_ERR_SYNTAX,
		    "unexpected ',' at 1:18 (offset 17): expected a value after 'contains'");
	check_error("evt.type = open and @x", CONDITION_ERR_SYNTAX,
		    "unexpected '@x' at 1:21 (offset 20): expected a field check, a macro name, 'not' or '('");
	check_error("evt.type = open and 5", CONDITION_ERR_SYNTAX,
		    "unexpected '5' at 1:21 (offset 20): expected a field check, a macro name, 'not' or '('");
	check_error("fd.name = \"abc", CONDITION_ERR_SYNTAX,
		    "unterminated string at 1:11 (offset 10): missing closing \"");
	check_error("fd.name in ('a', 'b)", CONDITION_ERR_SYNTAX,
		    "unterminated string at 1:18 (offset 17): missing closing '");
	check_error("a b", CONDITION_ERR_SYNTAX,
		    "unexpected 'b' at 1:3 (offset 2): expected 'and', 'or' or the end of the condition");
	check_error("a andb", CONDITION_ERR_SYNTAX,
		    "unexpected 'andb' at 1:3 (offset 2): expected 'and', 'or' or the end of the condition");
	check_error("fd.name = x y", CONDITION_ERR_SYNTAX,
		    "unexpected 'y' at 1:13 (offset 12): expected 'and', 'or' or the end of the condition");
	check_error("fd.name foo", CONDITION_ERR_SYNTAX,
		    "unexpected 'foo' at 1:9 (offset 8): expected an operator after 'fd.name' (=, ==, !=, <, <=, >, "
		    ">=, contains, icontains, bcontains, startswith, bstartswith, endswith, glob, in, intersects, "
		    "pmatch, exists)");
	check_error("a and \x01", CONDITION_ERR_SYNTAX,
		    "unexpected byte 0x01 at 1:7 (offset 6): expected a field check, a macro name, 'not' or '('");
}

static void test_error_buffer_handling(void **state)
{
	struct condition_node *n = NULL;
	char small[12];
	(void)state;

	/* messages are truncated, never overflow */
	memset(small, 'X', sizeof small);
	assert_int_equal(condition_parse("(a", &n, small, sizeof small), CONDITION_ERR_SYNTAX);
	assert_null(n);
	assert_int_equal(strlen(small), sizeof small - 1);
	assert_memory_equal(small, "unexpected ", 11);

	/* no buffer at all is fine */
	assert_int_equal(condition_parse("(a", &n, NULL, 0), CONDITION_ERR_SYNTAX);
	assert_int_equal(condition_parse(NULL, &n, NULL, 0), CONDITION_ERR_SYNTAX);
	assert_null(n);

	/* success clears the buffer */
	char err[64] = "stale";
	assert_int_equal(condition_parse("a", &n, err, sizeof err), CONDITION_OK);
	assert_string_equal(err, "");
	condition_ast_free(n);
}

static void test_parse_n(void **state)
{
	struct condition_node *n = NULL;
	char err[256];
	const char buf[] = "a and b and c XXX";
	(void)state;

	/* only the given length is read */
	assert_int_equal(condition_parse_n(buf, 13, &n, err, sizeof err), CONDITION_OK);
	assert_int_equal(n->n_children, 3);
	condition_ast_free(n);

	/* an embedded NUL is garbage, not an end */
	assert_int_equal(condition_parse_n("a\0b", 3, &n, err, sizeof err), CONDITION_ERR_SYNTAX);
	assert_string_equal(err, "unexpected NUL byte at 1:2 (offset 1): expected 'and', 'or' or the end of the condition");
	assert_null(n);
}

static void test_depth_limit(void **state)
{
	enum { N = CONDITION_PARSE_MAX_DEPTH + 50 };
	char text[N * 4 + 16];
	struct condition_node *n = NULL;
	char err[256];
	size_t o = 0;
	(void)state;

	for (int i = 0; i < N; i++)
		text[o++] = '(';
	text[o++] = 'a';
	for (int i = 0; i < N; i++)
		text[o++] = ')';
	text[o] = '\0';
	assert_int_equal(condition_parse(text, &n, err, sizeof err), CONDITION_ERR_LIMIT);
	assert_null(n);
	assert_non_null(strstr(err, "nesting too deep at 1:201 (offset 200): more than 200 levels"));

	o = 0;
	for (int i = 0; i < N; i++) {
		memcpy(text + o, "not ", 4);
		o += 4;
	}
	text[o++] = 'a';
	text[o] = '\0';
	assert_int_equal(condition_parse(text, &n, err, sizeof err), CONDITION_ERR_LIMIT);
	assert_null(n);

	/* just under the limit is fine */
	o = 0;
	for (int i = 0; i < CONDITION_PARSE_MAX_DEPTH - 1; i++)
		text[o++] = '(';
	text[o++] = 'a';
	for (int i = 0; i < CONDITION_PARSE_MAX_DEPTH - 1; i++)
		text[o++] = ')';
	text[o] = '\0';
	n = parse_ok(text);
	condition_ast_free(n);
}

/* bound points at a counter the destructor bumps: it shows how many
 * times condition_ast_free() released a bound leaf. */
static void count_free(void *p)
{
	(*(int *)p)++;
}

static int count_cmp(void *user, struct condition_node *node)
{
	assert_int_equal(node->kind, CONDITION_NODE_CMP);
	(*(int *)user)++;
	return 0;
}

static int count_all(void *user, struct condition_node *node)
{
	(void)node;
	(*(int *)user)++;
	return 0;
}

static int stop_at_second(void *user, struct condition_node *node)
{
	(void)node;
	return ++(*(int *)user) == 2 ? 42 : 0;
}

static int bind_leaf(void *user, struct condition_node *node)
{
	node->cmp.bound = user;
	node->cmp.bound_free = count_free;
	return 0;
}

static void test_clone_visit_bound(void **state)
{
	struct condition_node *n = parse_ok(
		"m and (evt.type in (open, 'x y') or not proc.aname[2] startswith \"a\\\"b\") and fd.num >= 0 and fd.name exists");
	struct condition_node *c;
	char *s1, *s2;
	int count = 0;
	int bound_frees = 0;
	(void)state;

	assert_int_equal(condition_ast_visit_cmp(n, count_cmp, &count), 0);
	assert_int_equal(count, 4);
	count = 0;
	assert_int_equal(condition_ast_visit(n, count_all, &count), 0);
	assert_int_equal(count, 8); /* and, m, or, cmp, not, cmp, cmp, cmp */
	count = 0;
	assert_int_equal(condition_ast_visit_cmp(n, stop_at_second, &count), 42);
	assert_int_equal(count, 2);

	condition_ast_visit_cmp(n, bind_leaf, &bound_frees);
	c = condition_ast_clone(n);
	assert_non_null(c);
	assert_true(condition_ast_equal(n, c));
	s1 = condition_ast_to_string(n);
	s2 = condition_ast_to_string(c);
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	/* the clone is deep and unbound */
	assert_ptr_not_equal(c->children[1]->children[0]->cmp.values, n->children[1]->children[0]->cmp.values);
	assert_null(c->children[1]->children[0]->cmp.bound);
	assert_int_equal(c->children[1]->children[0]->pos.offset, n->children[1]->children[0]->pos.offset);

	condition_ast_free(c);
	assert_int_equal(bound_frees, 0);
	condition_ast_free(n);
	assert_int_equal(bound_frees, 4);
	condition_ast_free(NULL);
}

static void test_equal(void **state)
{
	struct condition_node *a = parse_ok("x.y = \"v\"");
	struct condition_node *b = parse_ok("x.y = v");
	struct condition_node *c = parse_ok("  x.y   ==  'v'");
	(void)state;
	assert_false(condition_ast_equal(a, b)); /* quoted flag differs */
	assert_true(condition_ast_equal(a, c));  /* positions do not matter */
	condition_ast_free(a);
	condition_ast_free(b);
	condition_ast_free(c);
}

/* ---- Falco's own rules ------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;
	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 65536) {
			char *p = realloc(buf, cap + 65536 + 1);
			assert_non_null(p);
			buf = p;
			cap += 65536;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static size_t indent_of(const char *s, const char *end)
{
	size_t n = 0;
	while (s + n < end && s[n] == ' ')
		n++;
	return n;
}

/* Calls fn on the text of every `condition:` in a YAML rules file.
 * Line-based: a plain or folded (>) scalar continues on the lines indented
 * deeper than its key, which is how Falco's files are written. The lines
 * are joined with '\n', which the grammar reads as a blank. */
static int for_each_condition(char *yaml, size_t len, void (*fn)(void *user, const char *cond, unsigned line),
			      void *user)
{
	char *p = yaml, *end = yaml + len;
	unsigned lineno = 0;
	int count = 0;
	char *cond = malloc(len + 1);
	assert_non_null(cond);

	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		char *line = p;
		size_t ind, o = 0;
		bool block;
		const char *rest;

		if (eol == NULL)
			eol = end;
		p = eol + 1;
		lineno++;
		ind = indent_of(line, eol);
		if ((size_t)(eol - line) < ind + 10 || strncmp(line + ind, "condition:", 10) != 0)
			continue;
		rest = line + ind + 10;
		while (rest < eol && *rest == ' ')
			rest++;
		block = rest < eol && (*rest == '>' || *rest == '|');
		if (!block) {
			memcpy(cond, rest, (size_t)(eol - rest));
			o = (size_t)(eol - rest);
		}
		unsigned start_line = lineno;
		while (p < end) {
			char *e2 = memchr(p, '\n', (size_t)(end - p));
			size_t ind2;
			if (e2 == NULL)
				e2 = end;
			ind2 = indent_of(p, e2);
			if (p + ind2 < e2 && ind2 <= ind)
				break; /* a sibling key or the next item */
			if (!block && p + ind2 < e2 && p[ind2] == '#')
				break; /* a comment ends a plain scalar */
			if (o > 0)
				cond[o++] = '\n';
			memcpy(cond + o, p, (size_t)(e2 - p));
			o += (size_t)(e2 - p);
			p = e2 + 1;
			lineno++;
		}
		cond[o] = '\0';
		fn(user, cond, start_line);
		count++;
	}
	free(cond);
	return count;
}

struct rules_check {
	const char *file;
	int failures;
	size_t nodes;
};

static int count_nodes(void *user, struct condition_node *node)
{
	(void)node;
	(*(size_t *)user)++;
	return 0;
}

static void check_rules_condition(void *user, const char *cond, unsigned line)
{
	struct rules_check *rc = user;
	struct condition_node *n = NULL, *again = NULL;
	char err[512];
	char *canon;

	if (condition_parse(cond, &n, err, sizeof err) != CONDITION_OK) {
		print_error("%s:%u: %s\n  in: %s\n", rc->file, line, err, cond);
		rc->failures++;
		return;
	}
	condition_ast_visit(n, count_nodes, &rc->nodes);
	/* the canonical form must read back to the same tree */
	canon = condition_ast_to_string(n);
	assert_non_null(canon);
	if (condition_parse(canon, &again, err, sizeof err) != CONDITION_OK || !condition_ast_equal(n, again)) {
		print_error("%s:%u: canonical form does not round-trip: %s\n", rc->file, line, canon);
		rc->failures++;
	}
	condition_ast_free(again);
	free(canon);
	condition_ast_free(n);
}

static void check_rules_file(const char *name, int min_conditions)
{
	char path[1024];
	size_t len = 0;
	char *yaml;
	struct rules_check rc = { .file = name };
	int count;

	snprintf(path, sizeof path, "%s/rules/%s", FAPI_SHARED_DIR, name);
	yaml = read_file(path, &len);
	if (yaml == NULL) {
		print_message("skipping: %s not found (Falco 0.31.1 data is optional)\n", path);
		skip();
	}
	count = for_each_condition(yaml, len, check_rules_condition, &rc);
	free(yaml);
	print_message("%s: %d conditions, %zu nodes\n", name, count, rc.nodes);
	assert_int_equal(rc.failures, 0);
	assert_true(count >= min_conditions);
}

static void test_falco_rules_conditions(void **state)
{
	(void)state;
	/* 0.31.1 ships 365 conditions in falco_rules.yaml, 78 in k8s_audit_rules.yaml */
	check_rules_file("falco_rules.yaml", 300);
}

static void test_k8s_audit_rules_conditions(void **state)
{
	(void)state;
	check_rules_file("k8s_audit_rules.yaml", 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_chains_are_nary),
		cmocka_unit_test(test_parentheses),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_field_args),
		cmocka_unit_test(test_every_operator),
		cmocka_unit_test(test_op_table),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_macro_refs),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_buffer_handling),
		cmocka_unit_test(test_parse_n),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_clone_visit_bound),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_falco_rules_conditions),
		cmocka_unit_test(test_k8s_audit_rules_conditions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
