/* syslog_output: Falco's priorities are syslog's levels, one for one. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <syslog.h>

#include "channels/channel_syslog.h"
#include "engine/rules/rules_priority.h"

static void test_priority_to_level(void **state)
{
	(void)state;
	assert_int_equal(channel_syslog_level(RULES_PRIORITY_EMERGENCY), LOG_EMERG);
	assert_int_equal(channel_syslog_level(RULES_PRIORITY_ALERT), LOG_ALERT);
	assert_int_equal(channel_syslog_level(RULES_PRIORITY_CRITICAL), LOG_CRIT);
	assert_int_equal(channel_syslog_level(RULES_PRIORITY_ERROR), LOG_ERR);
	assert_int_equal(channel_syslog_level(RULES_PRIORITY_WARNING), LOG_WARNING);
	assert_int_equal(channel_syslog_level(RULES_PRIORITY_NOTICE), LOG_NOTICE);
	assert_int_equal(channel_syslog_level(RULES_PRIORITY_INFORMATIONAL), LOG_INFO);
	assert_int_equal(channel_syslog_level(RULES_PRIORITY_DEBUG), LOG_DEBUG);
	assert_int_equal(channel_syslog_level(-1), LOG_DEBUG);
	assert_int_equal(channel_syslog_level(8), LOG_DEBUG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority_to_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
