/* The one table of configuration keys: the embedded defaults and README's
 * table come from it, values are checked against it, module tables are
 * checked the same way. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_emit.h"
#include "config/config_keys.h"
#include "config/daemon_config.h"
#include "engine/util/file_read.h"

/* Every leaf path of the defaults tree must be a table key with a default. */
static void walk_defaults(const config_node *n, char *path, size_t len, size_t *leaves)
{
	if (n->kind == CONFIG_MAP) {
		for (size_t i = 0; i < n->count; i++) {
			int w = snprintf(path + len, 512 - len, "%s%s", len ? "." : "", n->pairs[i].key);
			const fapi_config_key *k = config_keys_find(path);
			if (k) {
				if (!k->def)
					fail_msg("default tree has '%s', whose key has no default", path);
				(*leaves)++;
			} else {
				walk_defaults(n->pairs[i].value, path, len + (size_t)w, leaves);
			}
			path[len] = '\0';
		}
		return;
	}
	fail_msg("default tree has '%s', which is not in the table", path);
}

static void test_defaults_match_table(void **state)
{
	(void)state;
	config_doc d;
	assert_int_equal(config_doc_init(&d), 0);
	config_node *n = NULL;
	char err[512];
	assert_int_equal(config_keys_defaults(&d, &n, err, sizeof(err)), 0);
	char path[512] = "";
	size_t leaves = 0;
	walk_defaults(n, path, 0, &leaves);
	/* And the other way: every key with a default is in the tree, with
	 * that value. */
	size_t with_def = 0;
	for (size_t i = 0; i < config_keys_daemon_count; i++) {
		const fapi_config_key *k = &config_keys_daemon[i];
		if (!k->def || strchr(k->path, '['))
			continue;
		with_def++;
		const config_node *v = config_lookup(n, k->path);
		if (!v)
			fail_msg("key '%s' has a default but is not in the embedded defaults", k->path);
		strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		config_emit_flow(&a, v);
		config_node *p = NULL;
		assert_int_equal(config_yaml_parse(&d, "t", k->def, strlen(k->def), &p, err, sizeof(err)), 0);
		config_emit_flow(&b, p);
		config_node_free(p);
		char *x = strbuf_finish(&a), *y = strbuf_finish(&b);
		assert_string_equal(x, y);
		free(x);
		free(y);
		/* A default passes its own key's check. */
		assert_int_equal(config_keys_check_value(k, v, k->path, err, sizeof(err)), 0);
	}
	assert_int_equal(leaves, with_def);
	assert_true(with_def > 40);
	/* The defaults pass the whole check without a warning. */
	assert_int_equal(config_keys_check(n, config_keys_daemon, config_keys_daemon_count, "", NULL, NULL, err,
					   sizeof(err)),
			 0);
	config_node_free(n);
	config_doc_free(&d);
}

/* README.md's table is the table: regenerate with the file this writes. */
static void test_readme_table(void **state)
{
	(void)state;
	strbuf b = STRBUF_INIT;
	config_keys_markdown(&b);
	char *want = strbuf_finish(&b);
	assert_non_null(want);
	char out[4096];
	snprintf(out, sizeof(out), "%s/config_keys.md", FAPI_TEST_BUILD_DIR);
	FILE *f = fopen(out, "w");
	if (f) {
		fputs(want, f);
		fclose(f);
	}
	char readme[4096];
	snprintf(readme, sizeof(readme), "%s/../README.md", FAPI_TEST_SOURCE_DIR);
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(file_read_all(readme, &text, &len), 0);
	const char *begin = strstr(text, "<!-- config-keys:begin -->\n");
	const char *end = strstr(text, "<!-- config-keys:end -->");
	assert_non_null(begin);
	assert_non_null(end);
	begin += strlen("<!-- config-keys:begin -->\n");
	size_t n = (size_t)(end - begin);
	if (n != strlen(want) || memcmp(begin, want, n) != 0)
		fail_msg("README.md's configuration table differs from the table of keys: put %s between the "
			 "config-keys markers",
			 out);
	free(text);
	free(want);
}

static config_node *parse(config_doc *d, const char *yaml)
{
	config_node *n = NULL;
	char err[512];
	assert_int_equal(config_doc_init(d), 0);
	assert_int_equal(config_yaml_parse(d, "t.yaml", yaml, strlen(yaml), &n, err, sizeof(err)), 0);
	return n;
}

static long check(const char *yaml, char *err)
{
	config_doc d;
	config_node *n = parse(&d, yaml);
	long rc = config_keys_check(n, config_keys_daemon, config_keys_daemon_count, "", NULL, NULL, err, 512);
	config_node_free(n);
	config_doc_free(&d);
	return rc;
}

static void test_values_checked(void **state)
{
	(void)state;
	char err[512] = "";
	assert_int_equal(check("outputs: {rate: fast}\n", err), -1);
	assert_non_null(strstr(err, "t.yaml:1:17: key 'outputs.rate' must be an integer, got 'fast'"));
	assert_int_equal(check("priority: severe\n", err), -1);
	assert_non_null(strstr(err, "key 'priority' must be one of emergency, alert"));
	assert_int_equal(check("priority: ERROR\nlog_level: debug\n", err), 0);
	assert_int_equal(check("grpc: {threadiness: 300}\n", err), -1);
	assert_non_null(strstr(err, "grpc.threadiness must be between 0 and 256, got 300"));
	assert_int_equal(check("json_output: {a: 1}\n", err), -1);
	assert_non_null(strstr(err, "key 'json_output' must be a boolean, not a mapping"));
	assert_int_equal(check("grpc:\n  authorization:\n    grants:\n      - {uid: x, permissions: [read]}\n", err), -1);
	assert_non_null(strstr(err, "key 'grpc.authorization.grants[0].uid' must be an integer"));
	assert_int_equal(check("rules_file: /etc/falco/falco_rules.yaml\nload_modules: [a, b]\n", err), 0);
	assert_int_equal(check("load_modules: [[a]]\n", err), -1);
	assert_int_equal(check("modules:\n  - {name: x, config: {anything: [1, {2: 3}]}}\n", err), 0);
	/* Unknown keys are counted (and warned), not errors. */
	assert_int_equal(check("outputs: {rat: 1}\nnope: 2\n", err), 2);
}

static const fapi_config_key mod_keys[] = {
	FAPI_CONFIG_KEY_INIT(.path = "capacity", .type = FAPI_CONFIG_INT, .def = "10", .min = 1, .max = 100,
			     .description = "c", .reload = FAPI_CONFIG_RESTART),
	FAPI_CONFIG_KEY_INIT(.path = "tls.cert", .type = FAPI_CONFIG_STRING, .description = "t"),
	FAPI_CONFIG_KEY_INIT(.path = "every", .type = FAPI_CONFIG_DURATION, .min = 10, .max = 3600000,
			     .description = "d"),
};

static void test_module_table(void **state)
{
	(void)state;
	config_doc d;
	char err[512] = "";
	config_node *n = parse(&d, "capacity: many\n");
	assert_int_equal(config_keys_check(n, mod_keys, 3, "modules[m].config", NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.yaml:1:11: key 'modules[m].config.capacity' must be an integer, got 'many'"));
	config_node_free(n);
	config_doc_free(&d);
	n = parse(&d, "capacity: 5\ntls: {cert: /x}\nevery: 5m\nother: 1\n");
	assert_int_equal(config_keys_check(n, mod_keys, 3, "modules[m].config", NULL, NULL, err, sizeof(err)), 1);
	config_node_free(n);
	config_doc_free(&d);
	n = parse(&d, "every: 5ms\n");
	assert_int_equal(config_keys_check(n, mod_keys, 3, "modules[m].config", NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "must be between 10 and 3600000"));
	config_node_free(n);
	config_doc_free(&d);
	int64_t ms;
	assert_int_equal(config_keys_duration_ms("2h", &ms), 0);
	assert_int_equal(ms, 7200000);
	assert_int_equal(config_keys_duration_ms("2d", &ms), -1);
	assert_null(config_keys_find_in(mod_keys, 3, "tls"));
	assert_non_null(config_keys_find_in(mod_keys, 3, "tls.cert"));
}

/* The readers take their defaults from the table. */
static void test_readers_use_table(void **state)
{
	(void)state;
	config_doc d;
	config_node *n = parse(&d, "grpc: {}\n");
	char err[512];
	int64_t v;
	bool b;
	const char *s;
	assert_int_equal(config_key_int(n, "outputs.max_burst", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(config_key_bool(n, "grpc.enabled", &b, err, sizeof(err)), 0);
	assert_true(b);
	assert_int_equal(config_key_string(n, "grpc.private_key", &s, err, sizeof(err)), 0);
	assert_null(s);
	assert_int_equal(config_key_int(n, "no.such.key", &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not in the table"));
	config_node_free(n);
	config_doc_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_match_table), cmocka_unit_test(test_readme_table),
		cmocka_unit_test(test_values_checked),       cmocka_unit_test(test_module_table),
		cmocka_unit_test(test_readers_use_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
