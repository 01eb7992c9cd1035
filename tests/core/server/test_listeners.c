/* listeners: the loopback check grpc.insecure relies on covers every address of a list. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/listeners.h"

static void test_loopback(void **state)
{
	(void)state;
	assert_true(listeners_is_loopback("127.0.0.1:5060"));
	assert_true(listeners_is_loopback("127.1.2.3:1"));
	assert_true(listeners_is_loopback("localhost:5060"));
	assert_true(listeners_is_loopback("[::1]:5060"));
	assert_true(listeners_is_loopback("ipv4:127.0.0.1:1,127.0.0.2:2"));
	assert_false(listeners_is_loopback("ipv4:127.0.0.1:1,10.0.0.1:2"));
	assert_false(listeners_is_loopback("ipv4:10.0.0.1:2,127.0.0.1:1"));
	assert_false(listeners_is_loopback("0.0.0.0:5060"));
	assert_false(listeners_is_loopback("127.0.0.1.example.org:5060"));
	assert_false(listeners_is_loopback("127.0.0.1"));
	assert_false(listeners_is_loopback("ipv6:[::1]:1,[::2]:2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_loopback)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
