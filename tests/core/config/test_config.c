/* Configuration: YAML parsing with positions, merging, -o overrides,
 * unknown-key warnings, typed reads. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_override.h"
#include "config/config_keys.h"
#include "config/daemon_config.h"

static config_node *parse(config_doc *d, const char *yaml, char *err)
{
	config_node *n = NULL;
	assert_int_equal(config_doc_init(d), 0);
	if (config_yaml_parse(d, "test.yaml", yaml, strlen(yaml), &n, err, 512) < 0)
		return NULL;
	return n;
}

static void test_parse_positions(void **state)
{
	(void)state;
	config_doc d;
	char err[512];
	config_node *n = parse(&d, "a: 1\nb:\n  c: [x, 'y']\n  d: \"q\"\n", err);
	assert_non_null(n);
	const config_node *c1 = config_lookup(n, "b.c[1]");
	assert_non_null(c1);
	assert_string_equal(c1->scalar, "y");
	assert_true(c1->quoted);
	assert_int_equal(c1->line, 3);
	assert_int_equal(c1->column, 10);
	assert_null(config_lookup(n, "b.c[2]"));
	assert_null(config_lookup(n, "b.zz"));
	config_node_free(n);
	config_doc_free(&d);
}

static void test_parse_error_position(void **state)
{
	(void)state;
	config_doc d;
	char err[512] = "";
	config_node *n = parse(&d, "a: 1\nb: [1, 2\nc: 3\n", err);
	assert_null(n);
	/* libyaml reports the flow sequence left open at line 3 */
	assert_non_null(strstr(err, "test.yaml:3:"));
	config_doc_free(&d);

	n = parse(&d, "a: 1\na: 2\n", err);
	assert_null(n);
	assert_non_null(strstr(err, "test.yaml:2:1: duplicate key 'a'"));
	config_doc_free(&d);
}

static void test_typed_reads(void **state)
{
	(void)state;
	config_doc d;
	char err[512] = "";
	config_node *n = parse(&d, "i: 0660\nh: 0x10\nb: yes\ns: \"5\"\nbad: abc\nm: {x: 1}\n", err);
	assert_non_null(n);
	int64_t v;
	bool b;
	const char *s;
	assert_int_equal(config_get_int(n, "i", 0, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0660);
	assert_int_equal(config_get_int(n, "h", 0, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 16);
	assert_int_equal(config_get_bool(n, "b", false, &b, err, sizeof(err)), 0);
	assert_true(b);
	assert_int_equal(config_get_int(n, "missing", 42, &v, err, sizeof(err)), 1);
	assert_int_equal(v, 42);
	/* a quoted number reads as a number, as in Falco */
	assert_int_equal(config_get_int(n, "s", 0, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 5);
	assert_int_equal(config_get_int(n, "bad", 0, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "test.yaml:5:6: key 'bad' must be an integer, got 'abc'"));
	assert_int_equal(config_get_string(n, "m", NULL, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "test.yaml:6:4: key 'm' must be a string, not a mapping"));
	config_node_free(n);
	config_doc_free(&d);
}

static void test_overrides(void **state)
{
	(void)state;
	config_doc d;
	char err[512] = "";
	const char *ov[] = {
		"grpc.threadiness=4",
		"load_modules=[version, outputs]",
		"load_modules[]=drops",
		"modules[0].name=outputs",
		"modules[0].config.capacity=64",
		"new.deep.key=hello world",
	};
	assert_int_equal(daemon_config_load(&d, NULL, ov, 6, err, sizeof(err)), 0);
	int64_t v;
	assert_int_equal(config_get_int(d.root, "grpc.threadiness", 0, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 4);
	const config_node *lm = config_lookup(d.root, "load_modules");
	assert_int_equal(lm->kind, CONFIG_SEQ);
	assert_int_equal(lm->count, 3);
	assert_string_equal(lm->items[2]->scalar, "drops");
	assert_int_equal(config_get_int(d.root, "modules[0].config.capacity", 0, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 64);
	assert_string_equal(config_lookup(d.root, "new.deep.key")->scalar, "hello world");
	/* defaults that were not overridden stay */
	assert_string_equal(config_lookup(d.root, "grpc.bind_address")->scalar, "unix:///run/falco/falco.sock");

	daemon_config c;
	assert_int_equal(daemon_config_read(d.root, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nmodules, 3);
	assert_string_equal(c.modules[1].name, "outputs");
	assert_non_null(c.modules[1].config);
	assert_int_equal(c.threadiness, 4);
	assert_int_equal(c.socket_mode, 0660);
	daemon_config_free(&c);
	config_doc_free(&d);
}

static void test_override_errors_leave_config_unchanged(void **state)
{
	(void)state;
	config_doc d;
	char err[512] = "";
	assert_int_equal(daemon_config_load(&d, NULL, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(config_override_apply(&d, "novalue", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected key=value"));
	assert_int_equal(config_override_apply(&d, "load_modules[7]=x", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "past the end"));
	assert_int_equal(config_override_apply(&d, "grpc.enabled.x=1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a mapping"));
	assert_int_equal(config_override_apply(&d, "grpc[0]=1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a sequence"));
	/* nothing was half-applied */
	assert_int_equal(config_lookup(d.root, "grpc.enabled")->kind, CONFIG_SCALAR);
	assert_int_equal(config_lookup(d.root, "load_modules")->count, 2); /* the defaults: version, outputs */
	config_doc_free(&d);
}

static void test_override_errors_name_the_assignment(void **state)
{
	(void)state;
	config_doc d;
	char err[512] = "";
	const char *ov[] = {"grpc.threadiness=abc", "grpc.bind_address=[a, [b]]", "newkey.x=1"};
	assert_int_equal(daemon_config_load(&d, NULL, ov, 3, err, sizeof(err)), 0);
	int64_t v;
	assert_int_equal(config_get_int(d.root, "grpc.threadiness", 0, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "-o grpc.threadiness=abc: key 'grpc.threadiness' must be an integer, got 'abc'");
	/* a node inside a value, and a map the override created on its way */
	char where[512];
	assert_string_equal(config_node_where(config_lookup(d.root, "grpc.bind_address[1]"), where, sizeof(where)),
			    "-o grpc.bind_address=[a, [b]]");
	assert_string_equal(config_node_where(config_lookup(d.root, "newkey"), where, sizeof(where)),
			    "-o newkey.x=1");
	/* values from files keep file:line:column */
	int line = 0, column = 0;
	assert_int_equal(sscanf(config_node_where(config_lookup(d.root, "grpc.enabled"), where, sizeof(where)),
				"<default>:%d:%d", &line, &column),
			 2);
	assert_true(line > 0 && column > 0);
	config_doc_free(&d);
}

static void test_file_merges_over_defaults(void **state)
{
	(void)state;
	char path[] = "/tmp/fapi-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *yaml = "grpc:\n  bind_address: \"unix:///tmp/x.sock\"\n  threadiness: -3\n";
	assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
	close(fd);
	config_doc d;
	char err[512] = "";
	assert_int_equal(daemon_config_load(&d, path, NULL, 0, err, sizeof(err)), 0);
	/* merged: the file's key replaced, the default's sibling kept */
	assert_string_equal(config_lookup(d.root, "grpc.bind_address")->scalar, "unix:///tmp/x.sock");
	assert_string_equal(config_lookup(d.root, "grpc.unix_socket_mode")->scalar, "0660");
	daemon_config c;
	assert_int_equal(daemon_config_read(d.root, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "threadiness"));
	config_doc_free(&d);
	unlink(path);

	assert_int_equal(daemon_config_load(&d, "/nonexistent/falco.yaml", NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/falco.yaml: cannot open"));
	config_doc_free(&d);
}

typedef struct warnings {
	int n;
	char last[1024];
} warnings;

static void collect(void *user, const char *msg)
{
	warnings *w = user;
	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

static void test_unknown_keys_warned(void **state)
{
	(void)state;
	config_doc d;
	char err[512] = "";
	config_node *n = parse(&d,
			       "json_output: true\ngrpc:\n  enabled: true\n  bind_adress: x\n"
			       "modules:\n  - name: outputs\n    config: {anything: 1, goes: [here]}\n",
			       err);
	assert_non_null(n);
	warnings w = {0};
	assert_int_equal(config_keys_check(n, config_keys_daemon, config_keys_daemon_count, "", collect, &w, err,
					   sizeof(err)),
			 1);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.last, "test.yaml:4:16: unknown configuration key 'grpc.bind_adress'"));
	config_node_free(n);
	config_doc_free(&d);
}

static void test_module_entries(void **state)
{
	(void)state;
	config_doc d;
	char err[512] = "";
	const char *dup[] = {"load_modules=[version, version]"};
	assert_int_equal(daemon_config_load(&d, NULL, dup, 1, err, sizeof(err)), 0);
	daemon_config c;
	assert_int_equal(daemon_config_read(d.root, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "load_modules lists 'version' twice"));
	config_doc_free(&d);

	const char *noname[] = {"modules=[{library_path: /x.so}]"};
	assert_int_equal(daemon_config_load(&d, NULL, noname, 1, err, sizeof(err)), 0);
	assert_int_equal(daemon_config_read(d.root, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs a 'name'"));
	config_doc_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_positions),
		cmocka_unit_test(test_parse_error_position),
		cmocka_unit_test(test_typed_reads),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_override_errors_leave_config_unchanged),
		cmocka_unit_test(test_override_errors_name_the_assignment),
		cmocka_unit_test(test_file_merges_over_defaults),
		cmocka_unit_test(test_unknown_keys_warned),
		cmocka_unit_test(test_module_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
