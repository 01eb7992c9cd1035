/* The rules loader's bounds (rules_limits): YAML depth, alias expansion,
 * appends (joined once, in order), list sizes; and that anchors still
 * shadow by name now that they are found through a hash map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/rules/rules_doc.h"
#include "engine/rules/rules_yaml.h"

static char errbuf[1024];

static void assert_contains(const char *hay, const char *needle)
{
	if(!strstr(hay, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

static int parse_limited(const char *text, const rules_limits *lim)
{
	rules_yaml_file *f = NULL;
	int rc = rules_yaml_parse_limited("mem.yaml", text, strlen(text), lim, &f, errbuf, sizeof(errbuf));
	rules_yaml_free(f);
	return rc;
}

static void test_depth_is_bounded(void **state)
{
	(void)state;
	rules_limits lim = {.yaml_depth = 4};
	assert_int_equal(parse_limited("- {a: [[1]]}\n", &lim), RULES_OK);
	assert_int_equal(parse_limited("- {a: [[[1]]]}\n", &lim), RULES_ERR_SCHEMA);
	assert_contains(errbuf, "mem.yaml:1:");
	assert_contains(errbuf, "nested deeper than 4 levels (engine.limits.yaml_depth)");
}

static void test_aliases_count_what_they_name(void **state)
{
	(void)state;
	/* 1 + 3 nodes for the anchored list; each alias counts 4 more */
	const char *text = "- a: &l [x, y]\n  b: [*l, *l, *l]\n";
	rules_limits lim = {.yaml_nodes = 100};
	assert_int_equal(parse_limited(text, &lim), RULES_OK);
	lim.yaml_nodes = 14;
	assert_int_equal(parse_limited(text, &lim), RULES_ERR_SCHEMA);
	assert_contains(errbuf, "mem.yaml:2:");
	assert_contains(errbuf, "more than 14 YAML nodes once its aliases are resolved (engine.limits.yaml_nodes)");
}

static void test_file_size_is_bounded(void **state)
{
	(void)state;
	rules_limits lim = {.file_bytes = 8};
	assert_int_equal(parse_limited("- a: 1\n", &lim), RULES_OK);
	assert_int_equal(parse_limited("- a: 12\n# more\n", &lim), RULES_ERR_SCHEMA);
	assert_contains(errbuf, "mem.yaml:1:1: the file is 15 bytes, more than 8 (engine.limits.rules_file_bytes)");
}

static void test_redefined_anchor_shadows(void **state)
{
	(void)state;
	rules_yaml_file *f = NULL;
	const char *text = "- a: &x one\n  b: &x two\n  c: *x\n";
	assert_int_equal(rules_yaml_parse("mem.yaml", text, strlen(text), &f, errbuf, sizeof(errbuf)), RULES_OK);
	const rules_yaml_node *c = rules_yaml_map_get(rules_yaml_item_at(f, 0), "c");
	assert_non_null(c);
	assert_string_equal(c->text, "two");
	rules_yaml_free(f);
}

static rules_doc *doc_with(const rules_limits *lim)
{
	rules_doc_options o;
	rules_doc_options_init(&o);
	if(lim)
		o.limits = *lim;
	rules_doc *d = rules_doc_new(&o);
	assert_non_null(d);
	return d;
}

static int load(rules_doc *d, const char *text)
{
	return rules_doc_load_buffer(d, "mem.yaml", text, strlen(text), errbuf, sizeof(errbuf));
}

static void test_appends_join_in_order(void **state)
{
	(void)state;
	rules_doc *d = doc_with(NULL);
	assert_int_equal(load(d, "- macro: m\n  condition: a\n"
				 "- macro: m\n  append: true\n  condition: b\n"
				 "- macro: m\n  append: true\n  condition: c\n"
				 "- rule: r\n  desc: d\n  condition: x\n  output: o\n  priority: INFO\n"
				 "- rule: r\n  append: true\n  condition: y\n"),
			 RULES_OK);
	assert_string_equal(rules_doc_find_macro(d, "m")->condition, "a b c");
	assert_int_equal(rules_doc_find_macro(d, "m")->n_appends, 2);
	assert_string_equal(rules_doc_find_rule(d, "r")->condition, "x y");
	/* a later file appends to what the first one joined */
	assert_int_equal(load(d, "- macro: m\n  append: true\n  condition: d\n"), RULES_OK);
	assert_string_equal(rules_doc_find_macro(d, "m")->condition, "a b c d");
	rules_doc_free(d);
}

static void test_redefinition_drops_earlier_appends(void **state)
{
	(void)state;
	rules_doc *d = doc_with(NULL);
	assert_int_equal(load(d, "- macro: m\n  condition: a\n"
				 "- macro: m\n  append: true\n  condition: b\n"
				 "- macro: m\n  condition: z\n"
				 "- macro: m\n  append: true\n  condition: w\n"),
			 RULES_OK);
	assert_string_equal(rules_doc_find_macro(d, "m")->condition, "z w");
	rules_doc_free(d);
}

static void test_appends_are_bounded(void **state)
{
	(void)state;
	rules_limits lim = {.appends = 2};
	rules_doc *d = doc_with(&lim);
	const char *two = "- list: l\n  items: [a]\n"
			  "- list: l\n  append: true\n  items: [b]\n"
			  "- list: l\n  append: true\n  items: [c]\n";
	assert_int_equal(load(d, two), RULES_OK);
	assert_int_equal(load(d, "- list: l\n  append: true\n  items: [d]\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "mem.yaml:1:3: list 'l': more than 2 appends (engine.limits.appends)");
	/* the failed load changed nothing */
	assert_int_equal(rules_doc_find_list(d, "l")->n_items, 3);
	rules_doc_free(d);
}

static void test_condition_bytes_are_bounded(void **state)
{
	(void)state;
	rules_limits lim = {.condition_bytes = 10};
	rules_doc *d = doc_with(&lim);
	assert_int_equal(load(d, "- macro: m\n  condition: abcd\n"
				 "- macro: m\n  append: true\n  condition: efgh\n"
				 "- macro: m\n  append: true\n  condition: ijkl\n"),
			 RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "mem.yaml:6:3: macro 'm': the condition would be longer than 10 bytes");
	assert_null(rules_doc_find_macro(d, "m"));
	rules_doc_free(d);
}

static void test_list_expansion_is_bounded(void **state)
{
	(void)state;
	rules_limits lim = {.list_items = 8};
	rules_doc *d = doc_with(&lim);
	/* 2, 4, 8 items: fits; 16: refused, naming the list */
	assert_int_equal(load(d, "- list: l0\n  items: [a, b]\n"
				 "- list: l1\n  items: [l0, l0]\n"
				 "- list: l2\n  items: [l1, l1]\n"),
			 RULES_OK);
	assert_int_equal(rules_doc_find_list(d, "l2")->n_expanded, 8);
	assert_int_equal(load(d, "- list: l3\n  items: [l2, l2]\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "mem.yaml:1:3: list 'l3': more than 8 items once the lists it names are expanded "
				"(engine.limits.list_items)");
	/* appended items count too */
	assert_int_equal(load(d, "- list: l0\n  append: true\n  items: [c, d, e, f, g, h, i]\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "List l0 would have more than 8 items with this append");
	rules_doc_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_depth_is_bounded),
		cmocka_unit_test(test_aliases_count_what_they_name),
		cmocka_unit_test(test_file_size_is_bounded),
		cmocka_unit_test(test_redefined_anchor_shadows),
		cmocka_unit_test(test_appends_join_in_order),
		cmocka_unit_test(test_redefinition_drops_earlier_appends),
		cmocka_unit_test(test_appends_are_bounded),
		cmocka_unit_test(test_condition_bytes_are_bounded),
		cmocka_unit_test(test_list_expansion_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
