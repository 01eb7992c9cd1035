/* Tests of the YAML layer of the rules loader (rules_yaml). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/rules/rules_yaml.h"

#ifndef FAPI_TEST_SOURCE_DIR
#define FAPI_TEST_SOURCE_DIR "/work/main/tests"
#endif

static char errbuf[1024];

static rules_yaml_file *parse_ok(const char *text)
{
	rules_yaml_file *f = NULL;
	int rc = rules_yaml_parse("mem.yaml", text, strlen(text), &f, errbuf, sizeof(errbuf));
	if(rc != RULES_OK)
		fail_msg("parse failed (%d): %s", rc, errbuf);
	assert_non_null(f);
	return f;
}

static int parse_err(const char *text)
{
	rules_yaml_file *f = (rules_yaml_file *)&errbuf; /* must be reset to NULL */
	int rc = rules_yaml_parse("mem.yaml", text, strlen(text), &f, errbuf, sizeof(errbuf));
	assert_null(f);
	return rc;
}

static void assert_contains(const char *hay, const char *needle)
{
	if(!strstr(hay, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

static void test_items_and_positions(void **state)
{
	(void)state;
	rules_yaml_file *f = parse_ok("# header\n"
				      "- list: a\n"
				      "  items: [x, \"y z\"]\n"
				      "\n"
				      "-   rule: r\n"
				      "    condition: >\n"
				      "      evt.type = open\n"
				      "      and fd.name = /x\n");
	assert_string_equal(rules_yaml_file_name(f), "mem.yaml");
	assert_int_equal(rules_yaml_item_count(f), 2);
	const rules_yaml_node *it = rules_yaml_item_at(f, 0);
	assert_int_equal(it->kind, RULES_YAML_MAPPING);
	assert_int_equal(it->line, 2);
	assert_int_equal(it->col, 3);
	assert_int_equal(it->n, 2);
	const rules_yaml_node *items = rules_yaml_map_get(it, "items");
	assert_int_equal(items->kind, RULES_YAML_SEQUENCE);
	assert_int_equal(items->n, 2);
	assert_int_equal(items->line, 3);
	assert_int_equal(items->col, 10);
	assert_string_equal(items->kids[1]->text, "y z");
	assert_false(items->kids[1]->plain);
	assert_true(items->kids[0]->plain);
	assert_int_equal(items->kids[1]->col, 14);

	it = rules_yaml_item_at(f, 1);
	assert_int_equal(it->line, 5);
	assert_int_equal(it->col, 5);
	const rules_yaml_node *c = rules_yaml_map_get(it, "condition");
	assert_string_equal(c->text, "evt.type = open and fd.name = /x\n");
	assert_int_equal(c->line, 6);
	assert_null(rules_yaml_map_get(it, "output"));
	assert_null(rules_yaml_item_at(f, 2));
	rules_yaml_free(f);
}

static void test_scalar_typing(void **state)
{
	(void)state;
	rules_yaml_file *f = parse_ok("- a: true\n  b: \"true\"\n  c: No\n  d: OFF\n  e: ~\n  f:\n  g: 12\n"
				      "  h: 0x1f\n  i: 1_000\n  j: -2.5e1\n  k: 1.2.3\n  l: null\n  m: 'null'\n"
				      "  n: 010\n  o: truthy\n");
	const rules_yaml_node *m = rules_yaml_item_at(f, 0);
	bool b = false;
	double d = 0;
	assert_true(rules_yaml_bool(rules_yaml_map_get(m, "a"), &b));
	assert_true(b);
	assert_false(rules_yaml_bool(rules_yaml_map_get(m, "b"), &b)); /* quoted: a string */
	assert_string_equal(rules_yaml_type_name(rules_yaml_map_get(m, "b")), "string");
	assert_true(rules_yaml_bool(rules_yaml_map_get(m, "c"), &b));
	assert_false(b);
	assert_true(rules_yaml_bool(rules_yaml_map_get(m, "d"), &b));
	assert_false(b);
	assert_true(rules_yaml_is_null(rules_yaml_map_get(m, "e")));
	assert_true(rules_yaml_is_null(rules_yaml_map_get(m, "f")));
	assert_true(rules_yaml_is_null(rules_yaml_map_get(m, "l")));
	assert_true(rules_yaml_is_null(rules_yaml_map_get(m, "absent")));
	assert_false(rules_yaml_is_null(rules_yaml_map_get(m, "m")));
	assert_true(rules_yaml_is_text(rules_yaml_map_get(m, "m")));
	assert_false(rules_yaml_is_text(rules_yaml_map_get(m, "e")));
	assert_true(rules_yaml_number(rules_yaml_map_get(m, "g"), &d));
	assert_true(d == 12.0);
	assert_true(rules_yaml_number(rules_yaml_map_get(m, "h"), &d));
	assert_true(d == 31.0);
	assert_true(rules_yaml_number(rules_yaml_map_get(m, "i"), &d));
	assert_true(d == 1000.0);
	assert_true(rules_yaml_number(rules_yaml_map_get(m, "j"), &d));
	assert_true(d == -25.0);
	assert_false(rules_yaml_number(rules_yaml_map_get(m, "k"), &d));
	assert_true(rules_yaml_number(rules_yaml_map_get(m, "n"), &d));
	assert_true(d == 8.0);
	assert_false(rules_yaml_bool(rules_yaml_map_get(m, "o"), &b));
	assert_string_equal(rules_yaml_type_name(rules_yaml_map_get(m, "g")), "number");
	assert_string_equal(rules_yaml_type_name(rules_yaml_map_get(m, "a")), "boolean");
	assert_string_equal(rules_yaml_type_name(rules_yaml_map_get(m, "e")), "null");
	assert_string_equal(rules_yaml_type_name(m), "mapping");
	rules_yaml_free(f);
}

static void test_empty_and_multi_document(void **state)
{
	(void)state;
	rules_yaml_file *f = parse_ok("");
	assert_int_equal(rules_yaml_item_count(f), 0);
	rules_yaml_free(f);
	f = parse_ok("# just a comment\n");
	assert_int_equal(rules_yaml_item_count(f), 0);
	rules_yaml_free(f);
	f = parse_ok("---\n- list: a\n  items: []\n---\n---\n- list: b\n  items: []\n...\n");
	assert_int_equal(rules_yaml_item_count(f), 2);
	assert_string_equal(rules_yaml_map_get(rules_yaml_item_at(f, 1), "list")->text, "b");
	assert_int_equal(rules_yaml_item_at(f, 1)->line, 6);
	rules_yaml_free(f);
}

static void test_shape_errors(void **state)
{
	(void)state;
	assert_int_equal(parse_err("rule: x\ncondition: y\n"), RULES_ERR_SCHEMA);
	assert_contains(errbuf, "mem.yaml:1:1: Rules content is not yaml array of objects");
	assert_int_equal(parse_err("just text\n"), RULES_ERR_SCHEMA);
	assert_contains(errbuf, "mem.yaml:1:1: Rules content is not yaml");
	assert_int_equal(parse_err("- list: a\n  items: []\n- [1, 2]\n"), RULES_ERR_SCHEMA);
	assert_contains(errbuf, "mem.yaml:3:3: Unexpected element of type sequence. Each element should be a yaml "
				"associative array.");
	assert_int_equal(parse_err("- list: a\n  items: []\n-\n"), RULES_ERR_SCHEMA);
	assert_contains(errbuf, "Unexpected element of type null");
	assert_int_equal(parse_err("- ? [a]\n  : b\n"), RULES_ERR_SCHEMA);
	assert_contains(errbuf, "mem.yaml:1:5: mapping keys must be scalars");
	/* the second document is wrong: the first one does not save the file */
	assert_int_equal(parse_err("- list: a\n  items: []\n---\nfoo: bar\n"), RULES_ERR_SCHEMA);
	assert_contains(errbuf, "mem.yaml:4:1:");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	assert_int_equal(parse_err("- list: a\n  items: [a\n"), RULES_ERR_YAML);
	assert_contains(errbuf, "mem.yaml:3:1: invalid YAML: did not find expected ',' or ']'");
	assert_int_equal(parse_err("- rule: a\n   desc: b\n  condition: c\n"), RULES_ERR_YAML);
	assert_contains(errbuf, "mem.yaml:2:8: invalid YAML: mapping values are not allowed in this context");
	assert_int_equal(parse_err("- list: *nothing\n"), RULES_ERR_YAML);
	assert_contains(errbuf, "mem.yaml:1:9: invalid YAML: undefined alias *nothing");
	assert_int_equal(parse_err("- a: \"\xff\"\n"), RULES_ERR_YAML);
	assert_contains(errbuf, "invalid YAML: invalid leading UTF-8 octet");
}

static void test_anchors_merge_and_duplicates(void **state)
{
	(void)state;
	rules_yaml_file *f = parse_ok("- &base\n  desc: shared\n  priority: INFO\n"
				      "- rule: r\n  <<: *base\n  priority: DEBUG\n  output: one\n  output: two\n"
				      "- list: l\n  items: &its [a, b]\n- list: m\n  items: *its\n");
	const rules_yaml_node *r = rules_yaml_item_at(f, 1);
	assert_string_equal(rules_yaml_map_get(r, "desc")->text, "shared");      /* merged */
	assert_string_equal(rules_yaml_map_get(r, "priority")->text, "DEBUG");   /* explicit wins */
	assert_string_equal(rules_yaml_map_get(r, "output")->text, "two");       /* last duplicate wins */
	const rules_yaml_node *m = rules_yaml_map_get(rules_yaml_item_at(f, 3), "items");
	assert_int_equal(m->n, 2);
	assert_string_equal(m->kids[1]->text, "b");
	rules_yaml_free(f);
}

static void test_parse_file(void **state)
{
	(void)state;
	char path[1024];
	snprintf(path, sizeof(path), "%s/fixtures/rules/base.yaml", FAPI_TEST_SOURCE_DIR);
	rules_yaml_file *f = NULL;
	assert_int_equal(rules_yaml_parse_file(path, &f, errbuf, sizeof(errbuf)), RULES_OK);
	assert_string_equal(rules_yaml_file_name(f), path);
	assert_int_equal(rules_yaml_item_count(f), 11);
	char *s = rules_yaml_strndup(f, "abcdef", 3);
	assert_string_equal(s, "abc");
	rules_yaml_free(f);

	snprintf(path, sizeof(path), "%s/fixtures/rules/malformed.yaml", FAPI_TEST_SOURCE_DIR);
	assert_int_equal(rules_yaml_parse_file(path, &f, errbuf, sizeof(errbuf)), RULES_ERR_YAML);
	assert_null(f);
	assert_contains(errbuf, "malformed.yaml:");

	assert_int_equal(rules_yaml_parse_file("/nonexistent/x.yaml", &f, errbuf, sizeof(errbuf)), RULES_ERR_IO);
	assert_contains(errbuf, "/nonexistent/x.yaml: could not open rules file");

	/* a tiny error buffer truncates, never overflows */
	char tiny[8];
	assert_int_equal(rules_yaml_parse("n", "a: b\n", 5, &f, tiny, sizeof(tiny)), RULES_ERR_SCHEMA);
	assert_int_equal(strlen(tiny), 7);
	assert_int_equal(rules_yaml_parse("n", "a: b\n", 5, &f, NULL, 0), RULES_ERR_SCHEMA);
	assert_string_equal(rules_status_name(RULES_ERR_VERSION), "engine version too low");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_items_and_positions),
		cmocka_unit_test(test_scalar_typing),
		cmocka_unit_test(test_empty_and_multi_document),
		cmocka_unit_test(test_shape_errors),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_anchors_merge_and_duplicates),
		cmocka_unit_test(test_parse_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
