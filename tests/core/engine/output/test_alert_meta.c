/* Tests of the alert's host name and time texts (Falco 0.31's formats). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/output/alert_meta.h"

/* The first open of /dev/null by cat in Falco's test captures. */
#define FIRST_CAT_OPEN_TS 1470327477881781397ULL

static void test_time_and_hostname(void **state)
{
	(void)state;
	char buf[64];
	assert_int_equal(alert_meta_json_time(FIRST_CAT_OPEN_TS, buf, sizeof(buf)), 30);
	assert_string_equal(buf, "2016-08-04T16:17:57.881781397Z");
	assert_int_equal(alert_meta_iso8601(FIRST_CAT_OPEN_TS, buf, sizeof(buf)), 34);
	assert_string_equal(buf, "2016-08-04T16:17:57.881781397+0000");
	assert_int_equal(alert_meta_time_text(FIRST_CAT_OPEN_TS, buf, sizeof(buf)), 18);
	assert_string_equal(buf, "16:17:57.881781397");
	/* truncation keeps the snprintf convention */
	assert_int_equal(alert_meta_json_time(FIRST_CAT_OPEN_TS, buf, 5), 30);
	assert_string_equal(buf, "2016");

	/* %evt.time follows the local zone (its current offset) */
	setenv("TZ", "UTC-2", 1); /* POSIX: 2 hours east of UTC, no DST */
	tzset();
	assert_int_equal(alert_meta_time_text(FIRST_CAT_OPEN_TS, buf, sizeof(buf)), 18);
	assert_string_equal(buf, "18:17:57.881781397");
	alert_meta_json_time(FIRST_CAT_OPEN_TS, buf, sizeof(buf));
	assert_string_equal(buf, "2016-08-04T16:17:57.881781397Z");
	setenv("TZ", "UTC", 1);
	tzset();

	char err[256];
	setenv("FALCO_GRPC_HOSTNAME", "falco-apid-test-host", 1);
	assert_int_equal(alert_meta_hostname(buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "falco-apid-test-host");
	unsetenv("FALCO_GRPC_HOSTNAME");
	char expect[256];
	assert_int_equal(gethostname(expect, sizeof(expect)), 0);
	assert_int_equal(alert_meta_hostname(buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, expect);
	assert_int_equal(alert_meta_hostname(NULL, 0, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_and_hostname),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
