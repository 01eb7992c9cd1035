/* Unit tests of macro and list expansion on condition trees. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lang/condition_ast.h"
#include "engine/lang/condition_expand.h"
#include "engine/lang/condition_parse.h"

/* ---- helpers ------------------------------------------------------------ */

static struct condition_node *parse_ok(const char *text)
{
	struct condition_node *n = NULL;
	char err[512] = "";
	int r = condition_parse(text, &n, err, sizeof err);
	if (r != CONDITION_OK)
		fail_msg("parse of <%s> failed (%d): %s", text, r, err);
	return n;
}

static void assert_canon(const struct condition_node *n, const char *want)
{
	char *s = condition_ast_to_string(n);
	assert_non_null(s);
	if (strcmp(s, want) != 0)
		fail_msg("got <%s>, want <%s>", s, want);
	free(s);
}

/* A macro table as a rules loader would hold it: parsed trees by name. */
struct macro_def {
	const char *name;
	const char *text;
	struct condition_node *tree;
};

struct macros {
	struct macro_def *defs;
	size_t n;
	int lookups;
};

static const struct condition_node *lookup_macro(void *user, const char *name)
{
	struct macros *m = user;
	m->lookups++;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->defs[i].name, name) == 0)
			return m->defs[i].tree;
	return NULL;
}

static void macros_parse(struct macros *m)
{
	for (size_t i = 0; i < m->n; i++)
		m->defs[i].tree = parse_ok(m->defs[i].text);
}

static void macros_free(struct macros *m)
{
	for (size_t i = 0; i < m->n; i++) {
		condition_ast_free(m->defs[i].tree);
		m->defs[i].tree = NULL;
	}
}

static struct condition_node *expand_ok(struct macros *m, const char *text)
{
	struct condition_node *n = parse_ok(text);
	char err[512] = "";
	int r = condition_expand_macros(&n, lookup_macro, m, err, sizeof err);
	if (r != CONDITION_OK)
		fail_msg("expanding <%s> failed (%d): %s", text, r, err);
	return n;
}

static void expect_macro_error(struct macros *m, const char *text, int code, const char *want)
{
	struct condition_node *n = parse_ok(text);
	char err[512] = "";
	char *s;
	int r = condition_expand_macros(&n, lookup_macro, m, err, sizeof err);
	if (r != code)
		fail_msg("<%s>: got %d (%s), want %d", text, r, err, code);
	if (strcmp(err, want) != 0)
		fail_msg("<%s>:\n got  <%s>\n want <%s>", text, err, want);
	/* the tree is still whole and ours to free */
	assert_non_null(n);
	s = condition_ast_to_string(n);
	assert_non_null(s);
	free(s);
	condition_ast_free(n);
}

/* ---- macros ------------------------------------------------------------- */

static const struct macro_def base_defs[] = {
	{ "spawned_process", "evt.type = execve and evt.dir = <", NULL },
	{ "container", "container.id != host", NULL },
	{ "m_inner", "proc.name = sh", NULL },
	{ "m_outer", "m_inner or fd.name exists", NULL },
	{ "m_top", "not m_outer and m_inner", NULL },
	{ "uses_missing", "evt.type = x or missing", NULL },
	{ "outer2", "x.y = 1 and uses_missing", NULL },
	{ "cyc_a", "cyc_b and x.y = 1", NULL },
	{ "cyc_b", "(cyc_c)", NULL },
	{ "cyc_c", "not cyc_a", NULL },
	{ "self", "self or x.y = 1", NULL },
	{ "shell_procs", "proc.name in (shell_binaries)", NULL },
};

static int setup_macros(void **state)
{
	struct macros *m = calloc(1, sizeof *m);
	assert_non_null(m);
	m->n = sizeof base_defs / sizeof base_defs[0];
	m->defs = malloc(sizeof base_defs);
	assert_non_null(m->defs);
	memcpy(m->defs, base_defs, sizeof base_defs);
	macros_parse(m);
	*state = m;
	return 0;
}

static int teardown_macros(void **state)
{
	struct macros *m = *state;
	macros_free(m);
	free(m->defs);
	free(m);
	return 0;
}

static void test_macro_simple(void **state)
{
	struct macros *m = *state;
	struct condition_node *n = expand_ok(m, "spawned_process and not container");
	assert_canon(n, "((evt.type = execve and evt.dir = <) and (not container.id != host))");
	condition_ast_free(n);
}

static void test_macro_in_macro(void **state)
{
	struct macros *m = *state;
	struct condition_node *n = expand_ok(m, "not m_outer");
	assert_canon(n, "(not (proc.name = sh or fd.name exists))");
	condition_ast_free(n);

	n = expand_ok(m, "m_top or evt.type = open");
	assert_canon(n, "(((not (proc.name = sh or fd.name exists)) and proc.name = sh) or evt.type = open)");
	condition_ast_free(n);

	/* the macros' own trees are copied, never consumed */
	assert_canon(m->defs[3].tree, "(m_inner or fd.name exists)");
}

static void test_macro_preexpanded(void **state)
{
	/* A loader may expand each macro once, in definition order, and hand
	 * the results out: the output is the same. */
	struct macro_def defs[] = {
		{ "m_inner", "proc.name = sh", NULL },
		{ "m_outer", "m_inner or fd.name exists", NULL },
		{ "m_top", "not m_outer and m_inner", NULL },
	};
	struct macros m = { .defs = defs, .n = 3 };
	struct condition_node *n;
	char err[256];
	(void)state;

	for (size_t i = 0; i < m.n; i++) {
		defs[i].tree = parse_ok(defs[i].text);
		m.n = i; /* a macro only sees the ones before it */
		assert_int_equal(condition_expand_macros(&defs[i].tree, lookup_macro, &m, err, sizeof err),
				 CONDITION_OK);
		m.n = 3;
	}
	assert_canon(defs[2].tree, "((not (proc.name = sh or fd.name exists)) and proc.name = sh)");
	n = expand_ok(&m, "m_top");
	assert_canon(n, "((not (proc.name = sh or fd.name exists)) and proc.name = sh)");
	condition_ast_free(n);
	macros_free(&m);
}

static void test_macro_root_replaced(void **state)
{
	struct macros *m = *state;
	struct condition_node *n = parse_ok("m_inner");
	struct condition_node *before = n;
	char err[256];

	assert_int_equal(n->kind, CONDITION_NODE_MACRO_REF);
	assert_int_equal(condition_expand_macros(&n, lookup_macro, m, err, sizeof err), CONDITION_OK);
	assert_ptr_not_equal(n, before);
	assert_int_equal(n->kind, CONDITION_NODE_CMP);
	assert_string_equal(n->cmp.field, "proc.name");
	/* positions inside a macro are those of the macro's own text */
	assert_int_equal(n->pos.offset, 0);
	condition_ast_free(n);
}

static void test_macro_undefined(void **state)
{
	struct macros *m = *state;
	expect_macro_error(m, "spawned_process and nope", CONDITION_ERR_UNDEFINED,
			   "undefined macro 'nope' at 1:21 (offset 20)");
	expect_macro_error(m, "x.y = 1 and\n  (container or\n   nope)", CONDITION_ERR_UNDEFINED,
			   "undefined macro 'nope' at 3:4 (offset 31)");
	expect_macro_error(m, "(uses_missing)", CONDITION_ERR_UNDEFINED,
			   "undefined macro 'missing' at 1:17 (offset 16) in macro 'uses_missing'");
	expect_macro_error(m, "not outer2", CONDITION_ERR_UNDEFINED,
			   "undefined macro 'missing' at 1:17 (offset 16) in macro 'uses_missing' used by 'outer2'");
}

static void test_macro_cycle(void **state)
{
	struct macros *m = *state;
	expect_macro_error(m, "x.y = 2 or cyc_a", CONDITION_ERR_CYCLE,
			   "macro cycle at 1:5 (offset 4) in macro 'cyc_c': 'cyc_a' -> 'cyc_b' -> 'cyc_c' -> 'cyc_a'");
	expect_macro_error(m, "cyc_b", CONDITION_ERR_CYCLE,
			   "macro cycle at 1:1 (offset 0) in macro 'cyc_a': 'cyc_b' -> 'cyc_c' -> 'cyc_a' -> 'cyc_b'");
	expect_macro_error(m, "self", CONDITION_ERR_CYCLE, "macro cycle at 1:1 (offset 0) in macro 'self': 'self' -> 'self'");
}

static void test_macro_depth_limit(void **state)
{
	enum { N = CONDITION_EXPAND_MAX_MACRO_DEPTH + 6 };
	struct macro_def defs[N];
	char names[N][16];
	char texts[N][32];
	struct macros m = { .defs = defs, .n = N };
	struct condition_node *n;
	char err[256];
	(void)state;

	/* m0 -> m1 -> ... -> m(N-1) = a field check */
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "m%d", i);
		if (i + 1 < N)
			snprintf(texts[i], sizeof texts[i], "m%d", i + 1);
		else
			snprintf(texts[i], sizeof texts[i], "x.y = %d", i);
		defs[i].name = names[i];
		defs[i].text = texts[i];
	}
	macros_parse(&m);

	n = parse_ok("m0");
	assert_int_equal(condition_expand_macros(&n, lookup_macro, &m, err, sizeof err), CONDITION_ERR_LIMIT);
	assert_non_null(strstr(err, "macros nested more than 64 deep"));
	condition_ast_free(n);

	/* a chain within the limit expands */
	n = parse_ok("m10");
	assert_int_equal(condition_expand_macros(&n, lookup_macro, &m, err, sizeof err), CONDITION_OK);
	assert_canon(n, "x.y = 69");
	condition_ast_free(n);
	macros_free(&m);
}

/* Macros that each use the previous one twice double the tree at each
 * level: the bound stops the expansion before the copy that would pass it
 * (unbounded, 31 levels take 2^31 nodes). A check's values count. */
static void test_macro_fan_out_bound(void **state)
{
	enum { N = 31 };
	struct macro_def defs[N];
	char names[N][8], texts[N][32];
	struct macros m = { .defs = defs, .n = N };
	struct condition_node *n;
	char err[512];
	(void)state;

	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "m%d", i);
		if (i == 0)
			snprintf(texts[i], sizeof texts[i], "x.y in (a, b)");
		else
			snprintf(texts[i], sizeof texts[i], "m%d and m%d", i - 1, i - 1);
		defs[i].name = names[i];
		defs[i].text = texts[i];
	}
	macros_parse(&m);

	/* m2: 3 ANDs + 4 checks of 2 values = 15 */
	n = parse_ok("m2");
	assert_int_equal(condition_expand_macros_limited(&n, lookup_macro, &m, 15, err, sizeof err), CONDITION_OK);
	condition_ast_free(n);
	n = parse_ok("m2");
	assert_int_equal(condition_expand_macros_limited(&n, lookup_macro, &m, 14, err, sizeof err),
			 CONDITION_ERR_LIMIT);
	assert_non_null(strstr(err, "more than 14 nodes once its macros are expanded (engine.limits.condition_nodes)"));
	condition_ast_free(n);

	n = parse_ok("m30");
	assert_int_equal(condition_expand_macros_limited(&n, lookup_macro, &m, 100000, err, sizeof err),
			 CONDITION_ERR_LIMIT);
	assert_non_null(strstr(err, "more than 100000 nodes"));
	condition_ast_free(n);
	macros_free(&m);
}

static void test_macro_no_refs_no_lookups(void **state)
{
	struct macros *m = *state;
	struct condition_node *n;
	m->lookups = 0;
	n = expand_ok(m, "x.y = 1 and not (a.b in (c, d) or e.f exists)");
	assert_int_equal(m->lookups, 0);
	assert_canon(n, "(x.y = 1 and (not (a.b in (c, d) or e.f exists)))");
	condition_ast_free(n);
}

/* ---- lists -------------------------------------------------------------- */

struct list_def {
	const char *name;
	const char *const *items;
	size_t n;
};

#define ITEMS(...) (const char *const[]){ __VA_ARGS__ }, sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *)

static const struct list_def list_table[] = {
	{ "shell_binaries", ITEMS("sh", "bash", "csh") },
	{ "shells_plus", ITEMS("shell_binaries", "zsh", "\"fish shell\"") },
	{ "more_shells", ITEMS("shells_plus", "ksh") },
	{ "selfref", ITEMS("selfref", "x") },
	{ "dirs", ITEMS("/usr", "/etc") },
	{ "with_quotes", ITEMS("'sh -c'", "\"sh -c node -e \\\"require('nan')\\\"\"", "\"a\" \"b\"", "\"") },
	{ "bad_escape", ITEMS("ok", "\"a\\qb\"") },
	{ "empty", (const char *const[]){ NULL }, 0 },
	{ "cat_binaries", ITEMS("cat") },
	{ "one_string", ITEMS("\"one string\"") },
	{ "via_list", ITEMS("cat_binaries") },
};

static bool lookup_list(void *user, const char *name, const char *const **items, size_t *n)
{
	const struct list_def *table = user ? user : list_table;
	size_t count = user ? 0 : sizeof list_table / sizeof list_table[0];
	if (user != NULL)
		while (table[count].name != NULL)
			count++;
	for (size_t i = 0; i < count; i++) {
		if (strcmp(table[i].name, name) == 0) {
			*items = table[i].items;
			*n = table[i].n;
			return true;
		}
	}
	return false;
}

static void check_lists(const char *text, const char *want)
{
	struct condition_node *n = parse_ok(text);
	char err[512] = "";
	int r = condition_expand_lists(n, lookup_list, NULL, err, sizeof err);
	if (r != CONDITION_OK)
		fail_msg("<%s>: %d %s", text, r, err);
	assert_canon(n, want);
	condition_ast_free(n);
}

static void test_list_in_parens(void **state)
{
	(void)state;
	check_lists("proc.name in (shell_binaries, tcsh)", "proc.name in (sh, bash, csh, tcsh)");
	check_lists("proc.name in (a, shell_binaries, b, dirs)", "proc.name in (a, sh, bash, csh, b, /usr, /etc)");
	check_lists("fd.name pmatch (dirs)", "fd.name pmatch (/usr, /etc)");
	check_lists("x.y intersects (empty, a)", "x.y intersects (a)");
	check_lists("x.y in (empty)", "x.y in ()");
	/* several leaves: quoted values and unknown names are left alone */
	check_lists("proc.name = \"shell_binaries\" and proc.pname in (dirs) or proc.name contains nolist",
		    "((proc.name = \"shell_binaries\" and proc.pname in (/usr, /etc)) or proc.name contains nolist)");
}

/* Falco 0.31 substitutes a list name as text wherever delimiters surround
 * it: as the value of =, != or contains too (its list_sub_bare and
 * list_sub_whitespace tests). */
static void test_list_bare_value(void **state)
{
	struct condition_node *n;
	char err[512];
	(void)state;

	check_lists("proc.name=cat_binaries", "proc.name = cat");
	check_lists("proc.name= cat_binaries or proc.name=nopey", "(proc.name = cat or proc.name = nopey)");
	check_lists("proc.name != cat_binaries", "proc.name != cat");
	check_lists("proc.cmdline contains via_list", "proc.cmdline contains cat");
	check_lists("proc.cmdline startswith one_string", "proc.cmdline startswith \"one string\"");
	check_lists("proc.name = 'cat_binaries'", "proc.name = \"cat_binaries\"");

	n = parse_ok("proc.name = cat_binaries");
	assert_int_equal(condition_expand_lists(n, lookup_list, NULL, err, sizeof err), CONDITION_OK);
	assert_false(n->cmp.values[0].quoted);
	assert_int_equal(n->cmp.values[0].pos.offset, 12);
	condition_ast_free(n);

	/* Falco's text "proc.name=sh, bash, csh" does not parse: an error here */
	n = parse_ok("evt.type = open and proc.name = shell_binaries");
	assert_int_equal(condition_expand_lists(n, lookup_list, NULL, err, sizeof err), CONDITION_ERR_SYNTAX);
	assert_non_null(strstr(err, "list 'shell_binaries' used at 1:33 (offset 32) as the value of '=' has 3 items"));
	/* the tree is left as it was */
	assert_canon(n, "(evt.type = open and proc.name = shell_binaries)");
	condition_ast_free(n);
	n = parse_ok("proc.name = empty");
	assert_int_equal(condition_expand_lists(n, lookup_list, NULL, err, sizeof err), CONDITION_ERR_SYNTAX);
	assert_non_null(strstr(err, "has 0 items"));
	condition_ast_free(n);
}

static void test_list_nested(void **state)
{
	struct condition_node *n;
	char err[256];
	(void)state;

	check_lists("proc.name in (more_shells)", "proc.name in (sh, bash, csh, zsh, \"fish shell\", ksh)");

	n = parse_ok("proc.name in (shells_plus)");
	assert_int_equal(condition_expand_lists(n, lookup_list, NULL, err, sizeof err), CONDITION_OK);
	assert_int_equal(n->cmp.n_values, 5);
	assert_false(n->cmp.values[0].quoted);
	/* an item written as a quoted string is a quoted value */
	assert_string_equal(n->cmp.values[4].text, "fish shell");
	assert_true(n->cmp.values[4].quoted);
	/* expanded items sit where the list name was */
	assert_int_equal(n->cmp.values[0].pos.offset, 14);
	assert_int_equal(n->cmp.values[4].pos.offset, 14);
	condition_ast_free(n);

	/* a list's own name inside it is a plain string */
	check_lists("x.y in (selfref)", "x.y in (selfref, x)");
}

static void test_list_quoted_untouched(void **state)
{
	(void)state;
	check_lists("proc.name in ('shell_binaries', \"dirs\", shell_binaries)",
		    "proc.name in (\"shell_binaries\", \"dirs\", sh, bash, csh)");
	check_lists("proc.name in (\"shell_binaries\")", "proc.name in (\"shell_binaries\")");
}

static void test_list_bare_name(void **state)
{
	struct condition_node *n;
	char err[256];
	(void)state;

	n = parse_ok("proc.name in shell_binaries");
	assert_false(n->cmp.list_values);
	assert_int_equal(condition_expand_lists(n, lookup_list, NULL, err, sizeof err), CONDITION_OK);
	assert_true(n->cmp.list_values);
	assert_int_equal(n->cmp.n_values, 3);
	assert_canon(n, "proc.name in (sh, bash, csh)");
	condition_ast_free(n);

	/* not a list: left for the field backend to judge */
	check_lists("proc.name in not_a_list", "proc.name in not_a_list");
	check_lists("fd.name pmatch dirs", "fd.name pmatch (/usr, /etc)");
}

static void test_list_quoted_items(void **state)
{
	struct condition_node *n;
	char err[256];
	(void)state;

	n = parse_ok("proc.cmdline in (with_quotes)");
	assert_int_equal(condition_expand_lists(n, lookup_list, NULL, err, sizeof err), CONDITION_OK);
	assert_int_equal(n->cmp.n_values, 4);
	assert_string_equal(n->cmp.values[0].text, "sh -c");
	assert_true(n->cmp.values[0].quoted);
	/* as Falco's rules write it: '"sh -c node -e \"require(''nan'')\""' */
	assert_string_equal(n->cmp.values[1].text, "sh -c node -e \"require('nan')\"");
	assert_true(n->cmp.values[1].quoted);
	/* not one quoted string: kept as written */
	assert_string_equal(n->cmp.values[2].text, "\"a\" \"b\"");
	assert_false(n->cmp.values[2].quoted);
	assert_string_equal(n->cmp.values[3].text, "\"");
	assert_false(n->cmp.values[3].quoted);
	condition_ast_free(n);
}

static void test_list_errors(void **state)
{
	struct condition_node *n;
	char err[512];
	(void)state;

	n = parse_ok("x.y = 1 or proc.name in (a, bad_escape)");
	assert_int_equal(condition_expand_lists(n, lookup_list, NULL, err, sizeof err), CONDITION_ERR_SYNTAX);
	assert_string_equal(err, "list 'bad_escape' (used at 1:29 (offset 28)) item 2 \"a\\qb\": unsupported escape "
				 "'\\q' at 1:3 (offset 2): expected one of \\b \\f \\n \\r \\t \\\\ \\/ \\\"");
	/* the leaf is untouched */
	assert_canon(n, "(x.y = 1 or proc.name in (a, bad_escape))");
	condition_ast_free(n);

	/* l0 -> l1 -> ... deeper than the limit */
	enum { N = CONDITION_EXPAND_MAX_LIST_DEPTH + 4 };
	struct list_def chain[N + 1];
	char names[N][16];
	const char *items[N][1];
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "l%d", i);
		chain[i].name = names[i];
		items[i][0] = i + 1 < N ? names[i + 1] : "leaf";
		chain[i].items = items[i];
		chain[i].n = 1;
	}
	chain[N].name = NULL;
	n = parse_ok("x.y in (l0)");
	assert_int_equal(condition_expand_lists(n, lookup_list, chain, err, sizeof err), CONDITION_ERR_LIMIT);
	assert_non_null(strstr(err, "lists nested more than 64 deep"));
	assert_canon(n, "x.y in (l0)");
	condition_ast_free(n);

	n = parse_ok("x.y in (l10)");
	assert_int_equal(condition_expand_lists(n, lookup_list, chain, err, sizeof err), CONDITION_OK);
	assert_canon(n, "x.y in (leaf)");
	condition_ast_free(n);
}

static void test_macros_then_lists(void **state)
{
	struct macros *m = *state;
	struct condition_node *n = expand_ok(m, "shell_procs and not proc.pname in (shell_binaries)");
	char err[256];
	assert_int_equal(condition_expand_lists(n, lookup_list, NULL, err, sizeof err), CONDITION_OK);
	assert_canon(n, "(proc.name in (sh, bash, csh) and (not proc.pname in (sh, bash, csh)))");
	condition_ast_free(n);
	/* the macro definition keeps its list name */
	assert_canon(m->defs[11].tree, "proc.name in (shell_binaries)");
}

static void test_clone_free_expanded(void **state)
{
	struct macros *m = *state;
	struct condition_node *n = expand_ok(m, "m_top and fd.name in (dirs, 'q') and not spawned_process");
	struct condition_node *c;
	char err[256];

	assert_int_equal(condition_expand_lists(n, lookup_list, NULL, err, sizeof err), CONDITION_OK);
	c = condition_ast_clone(n);
	assert_non_null(c);
	assert_true(condition_ast_equal(n, c));
	condition_ast_free(n);
	/* the clone owns everything it points to */
	assert_canon(c, "(((not (proc.name = sh or fd.name exists)) and proc.name = sh) and fd.name in (/usr, /etc, "
			"\"q\") and (not (evt.type = execve and evt.dir = <)))");
	condition_ast_free(c);
}

static void test_bad_arguments(void **state)
{
	struct condition_node *n = NULL;
	char err[128];
	(void)state;
	assert_int_not_equal(condition_expand_macros(&n, lookup_macro, NULL, err, sizeof err), CONDITION_OK);
	assert_int_not_equal(condition_expand_lists(NULL, lookup_list, NULL, err, sizeof err), CONDITION_OK);
	assert_int_not_equal(condition_expand_macros(NULL, lookup_macro, NULL, NULL, 0), CONDITION_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_macro_simple, setup_macros, teardown_macros),
		cmocka_unit_test_setup_teardown(test_macro_in_macro, setup_macros, teardown_macros),
		cmocka_unit_test(test_macro_preexpanded),
		cmocka_unit_test_setup_teardown(test_macro_root_replaced, setup_macros, teardown_macros),
		cmocka_unit_test_setup_teardown(test_macro_undefined, setup_macros, teardown_macros),
		cmocka_unit_test_setup_teardown(test_macro_cycle, setup_macros, teardown_macros),
		cmocka_unit_test(test_macro_depth_limit),
		cmocka_unit_test(test_macro_fan_out_bound),
		cmocka_unit_test_setup_teardown(test_macro_no_refs_no_lookups, setup_macros, teardown_macros),
		cmocka_unit_test(test_list_in_parens),
		cmocka_unit_test(test_list_bare_value),
		cmocka_unit_test(test_list_nested),
		cmocka_unit_test(test_list_quoted_untouched),
		cmocka_unit_test(test_list_bare_name),
		cmocka_unit_test(test_list_quoted_items),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test_setup_teardown(test_macros_then_lists, setup_macros, teardown_macros),
		cmocka_unit_test_setup_teardown(test_clone_free_expanded, setup_macros, teardown_macros),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
