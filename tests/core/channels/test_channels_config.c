/* The channels' keys: Falco 0.31's defaults, its errors for an enabled
 * channel without a target, and the queue capacity bounds. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "channels/channels_config.h"
#include "config/config_yaml.h"

static int read_cfg(const char *yaml, channels_config *c, char *err)
{
	config_doc d;
	config_node *n = NULL;
	assert_int_equal(config_doc_init(&d), 0);
	assert_int_equal(config_yaml_parse(&d, "t.yaml", yaml, strlen(yaml), &n, err, 512), 0);
	int rc = channels_config_read(n, c, err, 512);
	/* Strings are borrowed from the tree: copy out what is checked. */
	static char saved[256];
	saved[0] = 0;
	if (rc == 0 && c->http.user_agent)
		snprintf(saved, sizeof(saved), "%s", c->http.user_agent);
	c->http.user_agent = saved;
	config_node_free(n);
	config_doc_free(&d);
	return rc;
}

static void test_defaults(void **state)
{
	(void)state;
	channels_config c;
	char err[512] = "";
	assert_int_equal(read_cfg("a: 1\n", &c, err), 0);
	assert_false(channels_config_any(&c));
	assert_int_equal(c.output_timeout_ms, 2000);
	assert_int_equal(c.file.capacity, CHANNELS_QUEUE_DEFAULT);
	assert_int_equal(c.http.capacity, CHANNELS_QUEUE_DEFAULT);
	assert_string_equal(c.http.user_agent, "falcosecurity/falco");
}

static void test_enabled(void **state)
{
	(void)state;
	channels_config c;
	char err[512] = "";
	assert_int_equal(read_cfg("file_output: {enabled: true, keep_alive: true, filename: /tmp/x, queue_capacity: 7}\n"
				  "output_timeout: 150\nsyslog_output: {enabled: true}\n",
				  &c, err),
			 0);
	assert_true(channels_config_any(&c));
	assert_true(c.file.enabled && c.file.keep_alive && c.syslog.enabled);
	assert_false(c.program.enabled || c.http.enabled);
	assert_int_equal(c.file.capacity, 7);
	assert_int_equal(c.output_timeout_ms, 150);
}

static void test_falco_errors(void **state)
{
	(void)state;
	channels_config c;
	char err[512] = "";
	assert_int_equal(read_cfg("file_output: {enabled: true}\n", &c, err), -1);
	assert_string_equal(err, "file output enabled but no filename in configuration block");
	assert_int_equal(read_cfg("program_output: {enabled: true, program: ''}\n", &c, err), -1);
	assert_string_equal(err, "program output enabled but no program in configuration block");
	assert_int_equal(read_cfg("http_output: {enabled: true}\n", &c, err), -1);
	assert_string_equal(err, "http output enabled but no url in configuration block");
	/* A disabled channel needs nothing. */
	assert_int_equal(read_cfg("http_output: {enabled: false}\n", &c, err), 0);
}

static void test_bounds(void **state)
{
	(void)state;
	channels_config c;
	char err[512] = "";
	assert_int_equal(read_cfg("http_output: {queue_capacity: 0}\n", &c, err), -1);
	assert_non_null(strstr(err, "http_output.queue_capacity must be between 1 and"));
	assert_int_equal(read_cfg("output_timeout: -1\n", &c, err), -1);
	assert_non_null(strstr(err, "output_timeout"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_enabled),
		cmocka_unit_test(test_falco_errors),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
