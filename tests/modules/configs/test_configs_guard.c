/* The configs module's guard rails: which keys are guarded and in which
 * group, what allow_guarded lifts, which values are secrets. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "configs_guard.h"

static void test_groups(void **s)
{
	(void)s;
	assert_string_equal(configs_guard_group("grpc.bind_address", 0), "listeners");
	assert_string_equal(configs_guard_group("grpc.private_key", 0), "tls");
	assert_string_equal(configs_guard_group("grpc.insecure", 0), "tls");
	assert_string_equal(configs_guard_group("grpc.authorization.enabled", 0), "authorization");
	assert_string_equal(configs_guard_group("grpc.authorization.grants", 0), "authorization");
	assert_string_equal(configs_guard_group("grpc.unix_socket_mode", 0), "socket");
	assert_string_equal(configs_guard_group("grpc.audit_log", 0), "audit");
	assert_string_equal(configs_guard_group("load_modules", 0), "modules");
	assert_string_equal(configs_guard_group("modules", 0), "modules");
	assert_string_equal(configs_guard_group("program_output.program", 0), "programs");
	assert_string_equal(configs_guard_group("modules.configs.allow_guarded", 0), "own");
	/* Prefixes match whole path components only. */
	assert_null(configs_guard_group("grpc.bind_address_extra", 0));
	assert_null(configs_guard_group("grpc.threadiness", 0));
	/* A module's own keys are not the module list. */
	assert_null(configs_guard_group("modules.outputs.queue_capacity", 0));
	assert_null(configs_guard_group("priority", 0));
	/* The key table's flag guards what no group names. */
	assert_string_equal(configs_guard_group("webserver.k8s_audit_endpoint", FAPI_CONFIG_GUARDED), "guarded");
}

static void test_allow(void **s)
{
	(void)s;
	const char *allow[] = {"tls", "grpc.authorization.enabled", "modules.configs"};
	configs_module m = {.allow = allow, .nallow = 3};
	assert_true(configs_guard_allowed(&m, "priority", NULL));
	assert_true(configs_guard_allowed(&m, "grpc.private_key", "tls"));
	assert_true(configs_guard_allowed(&m, "grpc.authorization.enabled", "authorization"));
	assert_false(configs_guard_allowed(&m, "grpc.authorization.grants", "authorization"));
	assert_false(configs_guard_allowed(&m, "grpc.bind_address", "listeners"));
	/* Never the module's own keys, whatever allow_guarded says. */
	assert_false(configs_guard_allowed(&m, "modules.configs.allow_guarded", "own"));
	configs_module none = {0};
	assert_false(configs_guard_allowed(&none, "grpc.private_key", "tls"));
}

static void test_policy_and_secrets(void **s)
{
	(void)s;
	assert_true(configs_guard_policy("grpc.authorization.grants"));
	assert_false(configs_guard_policy("grpc.audit_log"));
	assert_true(configs_guard_secret("grpc.private_key", 0));
	assert_true(configs_guard_secret("http_output.password", 0));
	assert_true(configs_guard_secret("modules.x.api_token", 0));
	assert_true(configs_guard_secret("anything", FAPI_CONFIG_SECRET));
	assert_false(configs_guard_secret("grpc.cert_chain", 0));
	assert_string_equal(configs_guard_shown("grpc.private_key", 0, "/etc/falco/server.key"),
			    "/etc/falco/server.key");
	assert_string_equal(configs_guard_shown("grpc.private_key", 0, "\"/etc/falco/server.key\""),
			    "\"/etc/falco/server.key\"");
	assert_string_equal(configs_guard_shown("http_output.password", 0, "hunter2"), "<redacted>");
	assert_string_equal(configs_guard_shown("priority", 0, "debug"), "debug");
	assert_null(configs_guard_shown("http_output.password", 0, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_allow),
		cmocka_unit_test(test_policy_and_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
