/* The SDK's lock-free UTC formatting against gmtime_r + strftime, the
 * text it replaces, over the calendar's corners and a spread of instants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fapi_sdk_time.h"

static void sdk_time_expect(uint64_t ns, const char *suffix)
{
	time_t secs = (time_t)(ns / 1000000000ull);
	struct tm tm;
	assert_non_null(gmtime_r(&secs, &tm));
	char want[96];
	size_t n = strftime(want, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(want + n, sizeof(want) - n, ".%09llu%s", (unsigned long long)(ns % 1000000000ull), suffix);
	char got[FAPI_SDK_TIME_UTC_MAX];
	size_t len = fapi_sdk_time_utc(ns, suffix, got);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
}

static void test_corners(void **state)
{
	(void)state;
	static const uint64_t secs[] = {
		0,          86399,      86400,      951782400 /* 2000-02-29 */, 951868800 /* 2000-03-01 */,
		1078012800 /* 2004-02-29 */, 4107456000 /* 2100-02-28 */, 4107542400 /* 2100-03-01 */,
		1700000000, 1735689599 /* 2024-12-31T23:59:59 */, 18446744072 /* 2554-07-21T23:34:32, the last whole second */,
	};
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		sdk_time_expect(secs[i] * 1000000000ull, "Z");
		sdk_time_expect(secs[i] * 1000000000ull + 999999999ull, "+0000");
		sdk_time_expect(secs[i] * 1000000000ull + 123456789ull, "");
	}
	sdk_time_expect(UINT64_MAX, "Z"); /* 2554-07-21T23:34:33.709551615Z */
}

/* Every day from 1970 to 2400, at a second that walks through the day. */
static void test_every_day(void **state)
{
	(void)state;
	for (uint64_t day = 0; day < 157000; day++)
		sdk_time_expect((day * 86400 + (day * 7919) % 86400) * 1000000000ull + day, "Z");
}

static void test_suffix_cut(void **state)
{
	(void)state;
	char out[FAPI_SDK_TIME_UTC_MAX];
	char long_suffix[100];
	memset(long_suffix, 'x', sizeof(long_suffix) - 1);
	long_suffix[sizeof(long_suffix) - 1] = 0;
	size_t n = fapi_sdk_time_utc(1700000000123456789ull, long_suffix, out);
	assert_int_equal(n, FAPI_SDK_TIME_UTC_MAX - 1);
	assert_int_equal(strlen(out), n);
	assert_memory_equal(out, "2023-11-14T22:13:20.123456789xx", 31);
	assert_int_equal(fapi_sdk_time_utc(0, NULL, out), 29);
	assert_string_equal(out, "1970-01-01T00:00:00.000000000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corners),
		cmocka_unit_test(test_every_day),
		cmocka_unit_test(test_suffix_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
