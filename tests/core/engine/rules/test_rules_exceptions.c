/* Tests of rule exceptions: validation, Falco 0.31's condition text, and
 * exceptions loaded and appended through rules files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/rules/rules_doc.h"
#include "engine/rules/rules_exceptions.h"

#ifndef FAPI_TEST_SOURCE_DIR
#define FAPI_TEST_SOURCE_DIR "/work/main/tests"
#endif

static char errbuf[2048];

static void assert_contains(const char *hay, const char *needle)
{
	if(!hay || !strstr(hay, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, hay ? hay : "(null)");
}

static const char *fixture(const char *name)
{
	static char path[2][1024];
	static int slot;
	slot ^= 1;
	snprintf(path[slot], sizeof(path[slot]), "%s/fixtures/rules/%s", FAPI_TEST_SOURCE_DIR, name);
	return path[slot];
}

#define SCALAR(s) {.is_list = false, .text = (s)}
#define LIST(arr) {.is_list = true, .items = (arr), .n_items = sizeof(arr) / sizeof((arr)[0])}

/* ---- building blocks -------------------------------------------------------------- */

static void test_quote_item(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"bash", "bash"},
		{"/usr/bin/my tool", "\"/usr/bin/my tool\""},
		{"\"already quoted\"", "\"already quoted\""},
		{"'single quoted'", "'single quoted'"},
		{"tab\there", "tab\there"}, /* only a space triggers quoting, as in Falco */
		{"a,b", "a,b"},
		{"", ""},
		{"mid\"quote here", "\"mid\"quote here\""}, /* no escaping, as in Falco */
	};
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *q = rules_exceptions_quote_item(cases[i][0]);
		assert_non_null(q);
		assert_string_equal(q, cases[i][1]);
		free(q);
	}
}

static void test_comp_operators(void **state)
{
	(void)state;
	static const char *const ok[] = {"=",         "==",        "!=",       "<=",         ">=",
					 "<",         ">",         "contains", "icontains",  "glob",
					 "startswith", "endswith", "in",       "intersects", "pmatch"};
	for(size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(rules_exceptions_is_comp_operator(ok[i]));
	static const char *const bad[] = {"exists", "bcontains", "bstartswith", "IN", "=~", "", "and"};
	for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(rules_exceptions_is_comp_operator(bad[i]));
	assert_true(rules_exceptions_is_list_operator("in"));
	assert_true(rules_exceptions_is_list_operator("intersects"));
	assert_true(rules_exceptions_is_list_operator("pmatch"));
	assert_false(rules_exceptions_is_list_operator("="));
	assert_false(rules_exceptions_is_comp_operator(NULL));

	const char *fields[] = {"proc.name", "fd.name"};
	const char *comps[] = {"=", "regex"};
	rules_exception e = {.name = "ex", .fields_is_list = true, .fields = fields, .n_fields = 2, .comps = comps};
	assert_false(rules_exceptions_validate(&e, errbuf, sizeof(errbuf)));
	assert_string_equal(errbuf, "Rule exception item ex: comparison operator regex is not a supported comparison "
				    "operator");
	comps[1] = "startswith";
	assert_true(rules_exceptions_validate(&e, errbuf, sizeof(errbuf)));
}

static void test_build_single_field(void **state)
{
	(void)state;
	const char *fields[] = {"proc.name"};
	const char *comps[] = {"in"};
	rules_exception_value vals[] = {SCALAR("apk"), SCALAR("my tool"), SCALAR("package_mgrs")};
	rules_exception e = {.name = "procs", .fields = fields, .n_fields = 1, .comps = comps, .values = vals, .n_values = 3};
	char *out;
	const char **fs;
	size_t nfs;
	assert_true(rules_exceptions_build_condition("evt.type = open", &e, 1, &out, &fs, &nfs, errbuf, sizeof(errbuf),
						     NULL));
	assert_string_equal(out, "(evt.type = open)  and not (proc.name in (apk, \"my tool\", package_mgrs))");
	assert_int_equal(nfs, 1);
	assert_string_equal(fs[0], "proc.name");
	free(out);
	free(fs);

	/* an operator other than in keeps Falco's "(field op (values))" shape */
	comps[0] = "startswith";
	e.n_values = 1;
	assert_true(rules_exceptions_build_condition("c", &e, 1, &out, NULL, NULL, errbuf, sizeof(errbuf), NULL));
	assert_string_equal(out, "(c)  and not (proc.name startswith (apk))");
	free(out);

	/* no values: the condition is unchanged (no parentheses), no fields */
	e.n_values = 0;
	assert_true(rules_exceptions_build_condition("c", &e, 1, &out, &fs, &nfs, errbuf, sizeof(errbuf), NULL));
	assert_string_equal(out, "c");
	assert_int_equal(nfs, 0);
	free(out);
	free(fs);

	/* a list among single-field values is an error naming the value */
	static const rules_exception_value inner[] = {SCALAR("a")};
	rules_exception_value bad[] = {SCALAR("x"), LIST(inner)};
	bad[1].loc = (rules_loc){"f.yaml", 7, 9};
	e.values = bad;
	e.n_values = 2;
	rules_loc where = {0};
	assert_false(rules_exceptions_build_condition("c", &e, 1, &out, NULL, NULL, errbuf, sizeof(errbuf), &where));
	assert_null(out);
	assert_string_equal(errbuf, "Expected values array for item procs to contain a list of strings");
	assert_int_equal(where.line, 7);
}

static void test_build_multi_field(void **state)
{
	(void)state;
	const char *fields[] = {"proc.name", "fd.directory", "proc.pname"};
	const char *comps[] = {"=", "in", "pmatch"};
	static const rules_exception_value dirs[] = {SCALAR("/etc"), SCALAR("/my dir")};
	static const rules_exception_value row1[] = {SCALAR("apk"), SCALAR("allowed_dirs"), SCALAR("(a, b)")};
	static const rules_exception_value row2[] = {SCALAR("my tool"), LIST(dirs), SCALAR("shells")};
	rules_exception_value rows[] = {LIST(row1), LIST(row2)};
	const char *f2[] = {"user.name"};
	const char *c2[] = {"!="};
	static const rules_exception_value row3[] = {SCALAR("root")};
	rules_exception_value rows2[] = {LIST(row3)};
	rules_exception ex[] = {
		{.name = "e1", .fields_is_list = true, .fields = fields, .n_fields = 3, .comps = comps, .values = rows, .n_values = 2},
		{.name = "empty", .fields_is_list = true, .fields = fields, .n_fields = 3, .comps = comps},
		{.name = "e2", .fields_is_list = true, .fields = f2, .n_fields = 1, .comps = c2, .values = rows2, .n_values = 1},
	};
	char *out;
	const char **fs;
	size_t nfs;
	assert_true(rules_exceptions_build_condition("a or b", ex, 3, &out, &fs, &nfs, errbuf, sizeof(errbuf), NULL));
	assert_string_equal(out, "(a or b)  and not ((proc.name = apk and fd.directory in (allowed_dirs) and "
				 "proc.pname pmatch (a, b)) or (proc.name = \"my tool\" and fd.directory in (/etc, "
				 "\"/my dir\") and proc.pname pmatch (shells))) and not ((user.name != root))");
	assert_int_equal(nfs, 4);
	assert_string_equal(fs[0], "proc.name");
	assert_string_equal(fs[1], "fd.directory");
	assert_string_equal(fs[2], "proc.pname");
	assert_string_equal(fs[3], "user.name");
	free(out);
	free(fs);

	/* a row shorter than fields */
	static const rules_exception_value short_row[] = {SCALAR("x"), SCALAR("y")};
	rules_exception_value bad[] = {LIST(short_row)};
	bad[0].loc = (rules_loc){"f.yaml", 12, 11};
	ex[0].values = bad;
	ex[0].n_values = 1;
	rules_loc where = {0};
	assert_false(rules_exceptions_build_condition("c", ex, 1, &out, NULL, NULL, errbuf, sizeof(errbuf), &where));
	assert_string_equal(errbuf, "Exception item e1: fields and values lists must have equal length");
	assert_int_equal(where.line, 12);
	assert_int_equal(where.col, 11);
	/* a scalar row */
	rules_exception_value scalar_row[] = {SCALAR("x")};
	ex[0].values = scalar_row;
	assert_false(rules_exceptions_build_condition("c", ex, 1, &out, NULL, NULL, errbuf, sizeof(errbuf), NULL));
	assert_contains(errbuf, "fields and values lists must have equal length");
}

/* ---- through rules files ---------------------------------------------------------- */

static void test_exceptions_from_file_and_append(void **state)
{
	(void)state;
	rules_doc *d = rules_doc_new(NULL);
	assert_non_null(d);
	assert_int_equal(rules_doc_load_file(d, fixture("base.yaml"), errbuf, sizeof(errbuf)), RULES_OK);
	const rules_rule *r = rules_doc_find_rule(d, "write_below_etc");
	assert_int_equal(r->n_exceptions, 4);
	const rules_exception *e = &r->exceptions[0];
	assert_string_equal(e->name, "proc_writer");
	assert_true(e->fields_is_list);
	assert_int_equal(e->n_fields, 2);
	assert_string_equal(e->comps[0], "=");
	assert_string_equal(e->comps[1], "=");
	assert_int_equal(e->n_values, 2);
	assert_int_equal(e->values[1].loc.line, 53);
	e = &r->exceptions[1];
	assert_false(e->fields_is_list);
	assert_string_equal(e->fields[0], "proc.name");
	assert_string_equal(e->comps[0], "in");
	assert_string_equal(r->condition, "open_write and fd.name startswith /etc");
	assert_string_equal(r->compile_condition,
			    "(open_write and fd.name startswith /etc)  and not ((proc.name = apk and fd.directory = "
			    "/etc/apk) or (proc.name = npm and fd.directory = (/etc/npm, \"/etc/my dir\"))) and not "
			    "(proc.name in (dpkg, \"my tool\")) and not ((proc.name in (shells) and proc.pname pmatch "
			    "(editors)))");
	assert_int_equal(r->n_exception_fields, 3);
	assert_string_equal(r->exception_fields[2], "proc.pname");

	assert_int_equal(rules_doc_load_file(d, fixture("appends.yaml"), errbuf, sizeof(errbuf)), RULES_OK);
	r = rules_doc_find_rule(d, "write_below_etc");
	assert_int_equal(r->n_exceptions, 5);
	assert_string_equal(r->exceptions[4].name, "new_exc");
	assert_string_equal(r->exceptions[4].comps[0], "startswith");
	assert_string_equal(r->exceptions[0].values[2].loc.file, fixture("appends.yaml"));
	assert_string_equal(r->condition, "open_write and fd.name startswith /etc"); /* no condition appended */
	assert_string_equal(r->compile_condition,
			    "(open_write and fd.name startswith /etc)  and not ((proc.name = apk and fd.directory = "
			    "/etc/apk) or (proc.name = npm and fd.directory = (/etc/npm, \"/etc/my dir\")) or "
			    "(proc.name = yum and fd.directory = /etc/yum)) and not (proc.name in (dpkg, \"my tool\", "
			    "rpm)) and not ((proc.name in (shells) and proc.pname pmatch (editors))) and not (fd.name "
			    "startswith (/etc/new))");
	assert_int_equal(r->n_exception_fields, 4);
	assert_string_equal(r->exception_fields[3], "fd.name");

	/* appending values to an exception that had none */
	const char *more = "- rule: write_below_etc\n  append: true\n  condition: or never\n  exceptions:\n"
			   "    - name: no_values_yet\n      values: [[cron]]\n";
	assert_int_equal(rules_doc_load_buffer(d, "more.yaml", more, strlen(more), errbuf, sizeof(errbuf)), RULES_OK);
	r = rules_doc_find_rule(d, "write_below_etc");
	assert_string_equal(r->condition, "open_write and fd.name startswith /etc or never");
	assert_contains(r->compile_condition, "(open_write and fd.name startswith /etc or never)  and not (");
	/* values go to the existing exception, in its original position */
	assert_contains(r->compile_condition, "(editors))) and not ((proc.name = cron)) and not (fd.name startswith (/etc/new))");
	rules_doc_free(d);
}

static void test_exception_errors(void **state)
{
	(void)state;
	static const char rule_head[] = "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n"
					"  exceptions:\n";
	static const struct {
		const char *exc;
		int code;
		const char *msg;
	} cases[] = {
		{"    - fields: [proc.name]\n", RULES_ERR_SEMANTIC,
		 "e.yaml:7:7: rule 'r': Rule exception item must have name property"},
		{"    - name: x\n      values: [a]\n", RULES_ERR_SEMANTIC,
		 "e.yaml:7:7: rule 'r': Rule exception item x: must have fields property with a list of fields"},
		{"    - name: x\n      fields: [proc.name, fd.name]\n      comps: [=]\n", RULES_ERR_SEMANTIC,
		 "e.yaml:9:14: rule 'r': Rule exception item x: fields and comps lists must have equal length"},
		{"    - name: x\n      fields: [proc.name]\n      comps: in\n", RULES_ERR_SEMANTIC,
		 "Rule exception item x: fields and comps lists must have equal length"},
		{"    - name: x\n      fields: proc.name\n      comps: [in]\n", RULES_ERR_SEMANTIC,
		 "Rule exception item x: fields and comps must both be strings"},
		{"    - name: x\n      fields: [proc.name]\n      comps: [exists]\n", RULES_ERR_SEMANTIC,
		 "e.yaml:9:14: rule 'r': Rule exception item x: comparison operator exists is not a supported "
		 "comparison operator"},
		{"    - name: x\n      fields: proc.name\n      comps: regex\n", RULES_ERR_SEMANTIC,
		 "comparison operator regex is not a supported comparison operator"},
		{"    - name: x\n      fields: [proc.name, fd.name]\n      values:\n        - [a]\n", RULES_ERR_SEMANTIC,
		 "e.yaml:10:11: rule 'r': Exception item x: fields and values lists must have equal length"},
		{"    - name: x\n      fields: proc.name\n      values: [[a, b]]\n", RULES_ERR_SEMANTIC,
		 "e.yaml:9:16: rule 'r': Expected values array for item x to contain a list of strings"},
		{"    - name: x\n      fields: {a: b}\n", RULES_ERR_SCHEMA,
		 "e.yaml:8:15: rule 'r': Rule exception item x: fields must be a string or a list, not a mapping"},
		{"    - name: x\n      fields: proc.name\n      values: abc\n", RULES_ERR_SCHEMA,
		 "e.yaml:9:15: rule 'r': exception values must be a list, not a string"},
		{"    - name: x\n      fields: proc.name\n      values: [{a: b}]\n", RULES_ERR_SCHEMA,
		 "exception values must be strings or lists of strings, not a mapping"},
		{"    - just_a_string\n", RULES_ERR_SCHEMA, "e.yaml:7:7: rule 'r': exceptions entries must be mappings"},
	};
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rules_doc *d = rules_doc_new(NULL);
		char yaml[1024];
		snprintf(yaml, sizeof(yaml), "%s%s", rule_head, cases[i].exc);
		int rc = rules_doc_load_buffer(d, "e.yaml", yaml, strlen(yaml), errbuf, sizeof(errbuf));
		if(rc != cases[i].code)
			fail_msg("case %zu: rc %d (%s)", i, rc, errbuf);
		assert_contains(errbuf, cases[i].msg);
		assert_int_equal(rules_doc_rule_count(d), 0);
		rules_doc_free(d);
	}
}

static void test_exception_append_errors(void **state)
{
	(void)state;
	static const char base[] = "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n"
				   "  exceptions:\n    - name: ex\n      fields: [proc.name]\n      values: [[a]]\n";
	static const struct {
		const char *yaml;
		const char *msg;
	} cases[] = {
		{"- rule: r\n  append: true\n  exceptions:\n    - name: ex\n      fields: [fd.name]\n      values: [[b]]\n",
		 "a.yaml:5:15: rule 'r': Can not append exception fields to existing rule, only values"},
		{"- rule: r\n  append: true\n  exceptions:\n    - name: ex\n      comps: [in]\n      values: [[b]]\n",
		 "a.yaml:5:14: rule 'r': Can not append exception comps to existing rule, only values"},
		{"- rule: r\n  append: true\n  exceptions:\n    - name: new\n      values: [[b]]\n",
		 "a.yaml:4:7: rule 'r': Rule exception new item new: must have fields property with a list of fields"},
		{"- rule: r\n  append: true\n  exceptions:\n    - name: new\n      fields: [fd.name]\n",
		 "a.yaml:4:7: rule 'r': Rule exception new item new: must have values property with a list of values"},
		{"- rule: r\n  append: true\n  exceptions:\n    - values: [[b]]\n",
		 "a.yaml:4:7: rule 'r': Rule exception item must have name property"},
		{"- rule: r\n  append: true\n  exceptions:\n    - name: ex\n      values: [[b, c]]\n",
		 "a.yaml:5:16: rule 'r': Exception item ex: fields and values lists must have equal length"},
		{"- rule: r\n  append: true\n  exceptions: []\n",
		 "a.yaml:1:3: rule 'r': Appended rule must have exceptions or condition property"},
	};
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rules_doc *d = rules_doc_new(NULL);
		assert_int_equal(rules_doc_load_buffer(d, "base.yaml", base, strlen(base), errbuf, sizeof(errbuf)), RULES_OK);
		const char *before = rules_doc_find_rule(d, "r")->compile_condition;
		assert_string_equal(before, "(c)  and not ((proc.name = a))");
		int rc = rules_doc_load_buffer(d, "a.yaml", cases[i].yaml, strlen(cases[i].yaml), errbuf, sizeof(errbuf));
		if(rc == RULES_OK)
			fail_msg("case %zu loaded", i);
		assert_contains(errbuf, cases[i].msg);
		assert_string_equal(rules_doc_find_rule(d, "r")->compile_condition, "(c)  and not ((proc.name = a))");
		assert_int_equal(rules_doc_find_rule(d, "r")->exceptions[0].n_values, 1);
		rules_doc_free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_item),
		cmocka_unit_test(test_comp_operators),
		cmocka_unit_test(test_build_single_field),
		cmocka_unit_test(test_build_multi_field),
		cmocka_unit_test(test_exceptions_from_file_and_append),
		cmocka_unit_test(test_exception_errors),
		cmocka_unit_test(test_exception_append_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
