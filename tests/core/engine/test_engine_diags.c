/* Every error of a failing set, with positions (engine_validate /
 * engine_apply): the loader goes on past an item's error and past a
 * failing document, the compiler past a macro's or rule's error without
 * repeating it for the items that use that macro; a YAML syntax error
 * stops its document only; warnings keep Falco's codes; the bound
 * engine.limits.errors holds; a failing apply changes nothing. Also the
 * splitting of messages into their parts (engine_diag.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/engine_diag.h"

static engine *new_engine(size_t max_errors)
{
	engine_opts o = {.all_events = true, .min_priority = 7, .limits = {.errors = max_errors}};
	engine *e = NULL;
	char err[512];
	int rc = engine_create(&e, &o, err, sizeof(err));
	if (rc)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	return e;
}

static void dump(const engine_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("%s [%s:%u:%u] [%s] (%s) %s\n", d->items[i].error ? "error" : "warning", d->items[i].file,
			      d->items[i].line, d->items[i].column, d->items[i].item, d->items[i].code,
			      d->items[i].text);
}

static const engine_diag *find(const engine_diags *d, bool error, const char *file, unsigned line,
			       const char *item)
{
	for (size_t i = 0; i < d->n; i++) {
		const engine_diag *g = &d->items[i];
		if (g->error == error && strcmp(g->file, file) == 0 && g->line == line && strcmp(g->item, item) == 0)
			return g;
	}
	print_error("no %s at %s:%u for %s\n", error ? "error" : "warning", file, line, item);
	return NULL;
}

/* Three bad items in one document, a YAML error in the next, a good one
 * after: every error, each at its place. */
static void test_loader_goes_on(void **state)
{
	(void)state;
	engine *e = new_engine(0);
	static const char a[] = "- list: l1\n"                    /* 1 */
				"  items: not_a_list\n"            /* 2 */
				"- macro: m_ok\n"                  /* 3 */
				"  condition: evt.num > 0\n"       /* 4 */
				"- rule: r_no_output\n"            /* 5 */
				"  desc: d\n"                      /* 6 */
				"  condition: m_ok\n"              /* 7 */
				"  priority: INFO\n"               /* 8 */
				"- macro: m_no_condition\n"        /* 9 */
				"  source: syscall\n"              /* 10 */
				"- rule: r_bad_priority\n"         /* 11 */
				"  desc: d\n"                      /* 12 */
				"  condition: m_ok\n"              /* 13 */
				"  output: o\n"                    /* 14 */
				"  priority: LOUD\n";              /* 15 */
	static const char b[] = "- rule: [\n";
	static const char c[] = "- rule: fine\n  desc: d\n  condition: evt.num > 0\n  output: o\n  priority: INFO\n"
				"- rule: fine2\n  desc: d\n  condition: evt.num > 1\n  output: o\n  priority: INFO\n"
				"  append: maybe\n";
	engine_document docs[] = {{"a.yaml", a, sizeof(a) - 1}, {"b.yaml", b, sizeof(b) - 1}, {"c.yaml", c, sizeof(c) - 1}};
	engine_diags d;
	assert_int_equal(engine_validate(e, docs, 3, &d), -1);
	dump(&d);
	assert_int_equal(d.nerrors, 6);
	const engine_diag *g = find(&d, true, "a.yaml", 2, "list 'l1'");
	assert_non_null(g);
	assert_int_equal(g->column, 10);
	assert_string_equal(g->code, "");
	assert_non_null(find(&d, true, "a.yaml", 5, "rule 'r_no_output'"));
	assert_non_null(g = find(&d, true, "a.yaml", 9, "macro 'm_no_condition'"));
	assert_non_null(strstr(g->text, "condition"));
	assert_non_null(find(&d, true, "a.yaml", 15, "rule 'r_bad_priority'"));
	assert_non_null(find(&d, true, "b.yaml", 2, ""));
	assert_non_null(find(&d, true, "c.yaml", 11, "rule 'fine2'"));
	/* in document order */
	assert_string_equal(d.items[0].file, "a.yaml");
	assert_string_equal(d.items[d.n - 1].file, "c.yaml");
	/* the whole line stays, for logs */
	assert_non_null(strstr(d.items[0].message, "a.yaml:2:10: list 'l1': "));
	engine_diags_free(&d);
	engine_free(e);
}

/* The document loads; compiling finds each bad macro and rule once. */
static void test_compiler_goes_on(void **state)
{
	(void)state;
	engine *e = new_engine(0);
	static const char a[] = "- macro: m_bad\n"                         /* 1 */
				"  condition: evt.num >\n"                  /* 2 */
				"- rule: r_uses_bad\n"                      /* 3 */
				"  desc: d\n"                               /* 4 */
				"  condition: m_bad and evt.type = open\n"  /* 5 */
				"  output: o\n"                             /* 6 */
				"  priority: INFO\n"                        /* 7 */
				"- rule: r_unknown_field\n"                 /* 8 */
				"  desc: d\n"                               /* 9 */
				"  condition: no.such_field = 1\n"          /* 10 */
				"  output: o\n"                             /* 11 */
				"  priority: INFO\n"                        /* 12 */
				"- rule: r_wide\n"                          /* 13 */
				"  desc: d\n"                               /* 14 */
				"  condition: proc.name = x\n"              /* 15 */
				"  output: o\n"                             /* 16 */
				"  priority: INFO\n"                        /* 17 */
				"- rule: r_undefined\n"                     /* 18 */
				"  desc: d\n"                               /* 19 */
				"  condition: evt.type = open and nope\n"   /* 20 */
				"  output: o\n"                             /* 21 */
				"  priority: INFO\n";                       /* 22 */
	engine_document doc = {"a.yaml", a, sizeof(a) - 1};
	engine_diags d;
	uint64_t gen = 0;
	assert_int_equal(engine_apply(e, &doc, 1, &gen, &d), -1);
	dump(&d);
	assert_int_equal(d.nerrors, 3);
	assert_non_null(find(&d, true, "a.yaml", 2, "macro 'm_bad'"));
	assert_non_null(find(&d, true, "a.yaml", 10, "rule 'r_unknown_field'"));
	const engine_diag *g = find(&d, true, "a.yaml", 20, "rule 'r_undefined'");
	assert_non_null(g);
	assert_non_null(strstr(g->text, "nope"));
	/* the rule using the bad macro is not reported again */
	for (size_t i = 0; i < d.n; i++)
		assert_null(strstr(d.items[i].item, "r_uses_bad"));
	/* the warning, with Falco's code and the rule's position */
	g = find(&d, false, "a.yaml", 13, "rule 'r_wide'");
	assert_non_null(g);
	assert_string_equal(g->code, "no-evttype");
	assert_non_null(strstr(g->text, "matches too many evt.type values"));
	engine_diags_free(&d);
	/* nothing changed */
	assert_int_equal(engine_generation(e), 1);
	assert_int_equal(engine_ruleset(e)->rules->n, 0);
	engine_free(e);
}

static void test_error_bound(void **state)
{
	(void)state;
	engine *e = new_engine(5);
	char text[8192] = "";
	for (int i = 0; i < 20; i++) {
		char item[128];
		snprintf(item, sizeof(item), "- rule: r%d\n  desc: d\n  priority: INFO\n", i);
		strcat(text, item);
	}
	engine_document doc = {"many.yaml", text, strlen(text)};
	engine_diags d;
	assert_int_equal(engine_validate(e, &doc, 1, &d), -1);
	assert_int_equal(d.nerrors, 5);
	engine_diags_free(&d);
	engine_free(e);
}

static void test_split(void **state)
{
	(void)state;
	engine_diags d = {0};
	const char *files[] = {"/x/y:z.yaml", "/x/y"};
	assert_int_equal(engine_diags_add(&d, true, "/x/y:z.yaml:3:4: macro 'a: b': bad thing", NULL, files, 2), 0);
	assert_string_equal(d.items[0].file, "/x/y:z.yaml");
	assert_int_equal(d.items[0].line, 3);
	assert_int_equal(d.items[0].column, 4);
	assert_string_equal(d.items[0].item, "macro 'a: b'");
	assert_string_equal(d.items[0].text, "bad thing");
	assert_int_equal(engine_diags_add(&d, true, "/x/y: cannot read", NULL, files, 2), 0);
	assert_string_equal(d.items[1].file, "/x/y");
	assert_int_equal(d.items[1].line, 0);
	assert_string_equal(d.items[1].text, "cannot read");
	assert_int_equal(engine_diags_add(&d, true, "unknown.yaml:7:1: required_engine_version: too new", NULL, NULL, 0), 0);
	assert_string_equal(d.items[2].file, "unknown.yaml");
	assert_int_equal(d.items[2].line, 7);
	assert_string_equal(d.items[2].item, "required_engine_version");
	assert_string_equal(d.items[2].text, "too new");
	assert_int_equal(engine_diags_add(&d, false, "Rule r: warning (unknown-source): unknown source s, skipping", NULL,
					  NULL, 0), 0);
	assert_string_equal(d.items[3].item, "rule 'r'");
	assert_string_equal(d.items[3].code, "unknown-source");
	assert_string_equal(d.items[3].text, "unknown source s, skipping");
	assert_string_equal(d.items[3].file, "");
	assert_int_equal(engine_diags_add(&d, true, "out of memory", NULL, NULL, 0), 0);
	assert_string_equal(d.items[4].file, "");
	assert_string_equal(d.items[4].text, "out of memory");
	assert_int_equal(d.n, 5);
	assert_int_equal(d.nerrors, 4);
	engine_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader_goes_on),
		cmocka_unit_test(test_compiler_goes_on),
		cmocka_unit_test(test_error_bound),
		cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
