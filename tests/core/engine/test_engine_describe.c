/* -l RULE's description wrapping: Falco 0.31's rule_loader.lua wrap(), a
 * word whose end would be more than `limit` characters past the start of
 * the current line starts a new, indented line. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_describe.h"

static void check(const char *desc, size_t limit, const char *want)
{
	char *got = engine_describe_wrap(desc, limit, "> ");
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_short_text_unchanged(void **state)
{
	(void)state;
	check("", 60, "");
	check("one", 60, "one");
	check("an attempt to write to any file below /etc", 60, "an attempt to write to any file below /etc");
	/* Whitespace is kept as written when nothing wraps, trailing included. */
	check("a  b\tc\n", 60, "a  b\tc\n");
}

static void test_wraps_at_the_limit(void **state)
{
	(void)state;
	/* "aaaa bbbb": bbbb ends at position 10 (1-based, past its end): 10 - 1 > 8
	 * wraps, 10 - 1 > 9 does not. */
	check("aaaa bbbb", 9, "aaaa bbbb");
	check("aaaa bbbb", 8, "aaaa\n> bbbb");
	/* The new line starts at the wrapped word: its length counts from there. */
	check("aa bb cc dd ee", 5, "aa bb\n> cc dd\n> ee");
	/* The whitespace before a wrapped word goes, newlines included. */
	check("aaaa \n  bbbb", 8, "aaaa\n> bbbb");
	/* A first word longer than the limit is never wrapped. */
	check("aaaaaaaaaaaa b", 5, "aaaaaaaaaaaa\n> b");
}

static void test_falco_width(void **state)
{
	(void)state;
	char *got = engine_describe_wrap("a rule whose description is long enough to be wrapped by Falco's describe "
					 "function, which wraps at about sixty characters per line",
					 60, "|");
	assert_non_null(got);
	assert_string_equal(got, "a rule whose description is long enough to be wrapped by\n"
				 "|Falco's describe function, which wraps at about sixty\n"
				 "|characters per line");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_text_unchanged),
		cmocka_unit_test(test_wraps_at_the_limit),
		cmocka_unit_test(test_falco_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
