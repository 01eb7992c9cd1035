/* Tests of the engine's string builder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/util/strbuf.h"

static void test_appends(void **state)
{
	(void)state;
	strbuf b = STRBUF_INIT;
	strbuf_add(&b, "Field");
	strbuf_addc(&b, ':');
	strbuf_pad(&b, ' ', 3);
	strbuf_addf(&b, "%d-%s", 42, "x");
	strbuf_addn(&b, "abcdef", 2);
	assert_int_equal(b.len, strlen("Field:   42-xab"));
	char *s = strbuf_finish(&b);
	assert_string_equal(s, "Field:   42-xab");
	assert_null(b.p);
	free(s);
	/* nothing appended: an empty string, not NULL */
	s = strbuf_finish(&b);
	assert_string_equal(s, "");
	free(s);
	for (int i = 0; i < 10000; i++)
		strbuf_addf(&b, "%04d", i % 10000);
	assert_int_equal(b.len, 40000);
	assert_memory_equal(b.p + 39996, "9999", 4);
	strbuf_free(&b);
	assert_int_equal(b.len, 0);
}

static void test_oom_latches(void **state)
{
	(void)state;
	strbuf b = STRBUF_INIT;
	strbuf_add(&b, "x");
	b.oom = true;
	strbuf_add(&b, "y");
	assert_int_equal(b.len, 1);
	assert_null(strbuf_finish(&b));
	assert_null(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_oom_latches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
