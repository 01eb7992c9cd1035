/* The forward module's subject and body, from the module's own source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "forward_body.h"

static fapi_alert_view forward_test_alert(void)
{
	static const char *const tags[] = {"a\"b", "net"};
	static const fapi_alert_field fields[] = {{"proc.name", "ba\\sh"}, {"fd.name", "/etc/shadow\n"}};
	fapi_alert_view v = FAPI_ALERT_VIEW_INIT;
	v.seq = 42;
	v.time_ns = 1700000000123456789ull;
	v.priority = 4;
	v.rule = "Read shadow";
	v.source = "syscall";
	v.text = "12:00:00.1: Warning x";
	v.tags = tags;
	v.ntags = 2;
	v.fields = fields;
	v.nfields = 2;
	return v;
}

static void test_subject(void **state)
{
	(void)state;
	fapi_alert_view v = forward_test_alert();
	char out[128];
	assert_int_equal(forward_body_subject("falco.alerts.{hostname}.{priority}", "node a.b", &v, out, sizeof(out)), 0);
	assert_string_equal(out, "falco.alerts.node_a_b.warning");
	assert_int_equal(forward_body_subject("x.{source}.{rule}", "h", &v, out, sizeof(out)), 0);
	assert_string_equal(out, "x.syscall.{rule}");
	assert_int_equal(forward_body_subject("falco.alerts.{hostname}", "h", &v, out, 8), -1);
}

static void test_json(void **state)
{
	(void)state;
	fapi_alert_view v = forward_test_alert();
	forward_buf b = {0};
	assert_int_equal(forward_body_json(&b, "node-1", &v), 0);
	assert_string_equal(b.buf, "{\"hostname\":\"node-1\",\"seq\":42,\"output\":\"12:00:00.1: Warning x\","
				   "\"priority\":\"Warning\",\"rule\":\"Read shadow\",\"source\":\"syscall\","
				   "\"tags\":[\"a\\\"b\",\"net\"],\"time\":\"2023-11-14T22:13:20.123456789Z\","
				   "\"output_fields\":{\"proc.name\":\"ba\\\\sh\",\"fd.name\":\"/etc/shadow\\n\"}}");
	v.fields_json = "{\"k\":1}";
	assert_int_equal(forward_body_json(&b, "n", &v), 0);
	assert_non_null(strstr(b.buf, "\"output_fields\":{\"k\":1}}"));
	free(b.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_subject), cmocka_unit_test(test_json)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
