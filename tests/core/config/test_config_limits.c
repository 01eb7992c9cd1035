/* The configuration reader's bounds (config_limits) and the map index
 * that keeps large mappings linear. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_yaml.h"
#include "config/daemon_config.h"

static char err[512];

static int parse(config_doc *d, const char *yaml, config_node **n)
{
	*n = NULL;
	return config_yaml_parse(d, "test.yaml", yaml, strlen(yaml), n, err, sizeof(err));
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

static void test_alias_copies_count(void **state)
{
	(void)state;
	config_doc d;
	assert_int_equal(config_doc_init(&d), 0);
	config_node *n;
	/* map 1 + key/values: a (1) + list (3), b (1) + list (1 + 2 aliases of 3) */
	const char *yaml = "a: &l [x, y]\nb: [*l, *l]\n";
	d.limits.nodes = 100;
	assert_int_equal(parse(&d, yaml, &n), 0);
	/* the copies are real: b[1][0] is x */
	assert_string_equal(config_lookup(n, "b[1][0]")->scalar, "x");
	config_node_free(n);
	d.limits.nodes = 10;
	assert_int_equal(parse(&d, yaml, &n), -1);
	assert_null(n);
	assert_contains(err, "test.yaml:2:");
	assert_contains(err, "more than 10 YAML nodes once its aliases are resolved (config.limits.nodes)");
	config_doc_free(&d);
}

static void test_depth_and_size(void **state)
{
	(void)state;
	config_doc d;
	assert_int_equal(config_doc_init(&d), 0);
	config_node *n;
	d.limits.depth = 3;
	assert_int_equal(parse(&d, "a: [[1]]\n", &n), 0);
	config_node_free(n);
	assert_int_equal(parse(&d, "a: [[[1]]]\n", &n), -1);
	assert_contains(err, "test.yaml:1:6: nesting deeper than 3 levels (config.limits.depth)");
	d.limits.file_bytes = 4;
	assert_int_equal(parse(&d, "a: 12\n", &n), -1);
	assert_contains(err, "test.yaml:1:1: 6 bytes, more than 4 (config.limits.file_bytes)");
	config_doc_free(&d);
}

static void test_limits_from_overrides(void **state)
{
	(void)state;
	config_doc d;
	/* the limit applies to every parse, the embedded defaults and the -o
	 * values included: a value nested deeper than allowed is kept as the
	 * string it was written as */
	const char *ov[] = {"config.limits.depth=3", "a=[[1]]", "b=[[[[1]]]]"};
	assert_int_equal(daemon_config_load(&d, NULL, ov, 3, err, sizeof(err)), 0);
	assert_int_equal(d.limits.depth, 3);
	assert_int_equal(config_lookup(d.root, "a")->kind, CONFIG_SEQ);
	assert_int_equal(config_lookup(d.root, "b")->kind, CONFIG_SCALAR);
	assert_string_equal(config_lookup(d.root, "b")->scalar, "[[[[1]]]]");
	config_doc_free(&d);
	const char *bad[] = {"config.limits.nodes=0"};
	assert_int_equal(daemon_config_load(&d, NULL, bad, 1, err, sizeof(err)), -1);
	assert_contains(err, "config.limits.nodes must be a positive integer");
	config_doc_free(&d);
}

static void test_large_map_lookups(void **state)
{
	(void)state;
	/* past the size where the map gets an index: lookups, replacement,
	 * duplicates and merges still behave */
	char *yaml = malloc(64 * 1000 + 1);
	size_t len = 0;
	for (int i = 0; i < 1000; i++)
		len += (size_t)sprintf(yaml + len, "k%d: %d\n", i, i);
	config_doc d;
	assert_int_equal(config_doc_init(&d), 0);
	config_node *n;
	assert_int_equal(parse(&d, yaml, &n), 0);
	assert_non_null(n->index);
	assert_string_equal(config_map_get(n, "k0")->scalar, "0");
	assert_string_equal(config_map_get(n, "k999")->scalar, "999");
	assert_string_equal(config_lookup(n, "k512")->scalar, "512");
	assert_null(config_map_get(n, "k1000"));
	config_node *v = config_node_new(CONFIG_SCALAR, "x", 1, 1);
	v->scalar = strdup("new");
	assert_int_equal(config_map_set(n, "k7", v), 0);
	assert_int_equal(n->count, 1000);
	assert_string_equal(config_map_get(n, "k7")->scalar, "new");
	config_node *c = config_node_clone(n);
	assert_string_equal(config_map_get(c, "k7")->scalar, "new");
	assert_int_equal(config_merge(d.root, c), 0);
	assert_string_equal(config_lookup(d.root, "k998")->scalar, "998");
	config_node_free(n);
	len += (size_t)sprintf(yaml + len, "k5: again\n");
	assert_int_equal(parse(&d, yaml, &n), -1);
	assert_contains(err, "test.yaml:1001:1: duplicate key 'k5'");
	free(yaml);
	config_doc_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alias_copies_count),
		cmocka_unit_test(test_depth_and_size),
		cmocka_unit_test(test_limits_from_overrides),
		cmocka_unit_test(test_large_map_lookups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
