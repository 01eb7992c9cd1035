/* metrics_config_parse_interval: Falco 0.39's Prometheus durations (units
 * y w d h m s ms, each at most once and in that order, white space
 * ignored), 0 for anything else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "daemon/metrics_config.h"

static void test_units(void **state)
{
	(void)state;
	assert_int_equal(metrics_config_parse_interval("500ms"), 500);
	assert_int_equal(metrics_config_parse_interval("100ms"), 100);
	assert_int_equal(metrics_config_parse_interval("30s"), 30000);
	assert_int_equal(metrics_config_parse_interval("15m"), 900000);
	assert_int_equal(metrics_config_parse_interval("1h"), 3600000);
	assert_int_equal(metrics_config_parse_interval("2d"), 2ull * 86400000);
	assert_int_equal(metrics_config_parse_interval("1w"), 7ull * 86400000);
	assert_int_equal(metrics_config_parse_interval("1y"), 365ull * 86400000);
}

static void test_combined_and_spaces(void **state)
{
	(void)state;
	assert_int_equal(metrics_config_parse_interval("1m30s"), 90000);
	assert_int_equal(metrics_config_parse_interval("1h1m1s1ms"), 3661001);
	assert_int_equal(metrics_config_parse_interval(" 1m 30s "), 90000);
	assert_int_equal(metrics_config_parse_interval("0s500ms"), 500);
}

static void test_refused(void **state)
{
	(void)state;
	const char *bad[] = {"", "5000", "1x", "1m30", "30s1m", "1s1s", "ms", "1.5s", "-1s", "1S", "1 h x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(metrics_config_parse_interval(bad[i]), 0);
	assert_int_equal(metrics_config_parse_interval(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_combined_and_spaces),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
