/* Tests of the shared operator table: spellings, classes, families, and the
 * comparison semantics every backend uses (libsinsp's flt_compare_*). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/lang/condition_op.h"

static void test_spellings_round_trip(void **state)
{
	(void)state;
	for (unsigned i = 0; i < CONDITION_OP__COUNT; i++) {
		enum condition_op op = CONDITION_OP__COUNT;
		const struct condition_op_info *info = condition_op_info((enum condition_op)i);
		assert_non_null(info);
		assert_true(condition_op_from_string(info->name, &op));
		assert_int_equal(op, i);
		assert_string_equal(condition_op_to_string(op), info->name);
	}
	enum condition_op op;
	assert_true(condition_op_from_string("==", &op));
	assert_int_equal(op, CONDITION_OP_EQ);
	assert_false(condition_op_from_string("CONTAINS", &op));
	assert_false(condition_op_from_string(NULL, &op));
	assert_null(condition_op_info(CONDITION_OP__COUNT));
}

static void test_longest_prefix(void **state)
{
	(void)state;
	enum condition_op op;
	assert_int_equal(condition_op_match_prefix("<= 3", 4, &op), 2);
	assert_int_equal(op, CONDITION_OP_LE);
	assert_int_equal(condition_op_match_prefix("== x", 4, &op), 2);
	assert_int_equal(op, CONDITION_OP_EQ);
	assert_int_equal(condition_op_match_prefix("intersects (a)", 14, &op), 10);
	assert_int_equal(op, CONDITION_OP_INTERSECTS);
	assert_int_equal(condition_op_match_prefix("in (a)", 6, &op), 2);
	assert_int_equal(op, CONDITION_OP_IN);
	/* the length bounds the match: "intersects" cut short is "in" */
	assert_int_equal(condition_op_match_prefix("intersects", 5, &op), 2);
	assert_int_equal(condition_op_match_prefix("foo", 3, &op), 0);
}

static void test_classes_and_families(void **state)
{
	(void)state;
	assert_int_equal(condition_op_class(CONDITION_OP_EXISTS), CONDITION_OPCLASS_UNARY);
	assert_int_equal(condition_op_class(CONDITION_OP_GE), CONDITION_OPCLASS_NUMERIC);
	assert_true(condition_op_is_list(CONDITION_OP_PMATCH));
	assert_false(condition_op_is_list(CONDITION_OP_EQ));
	assert_false(condition_op_allowed(CONDITION_OP_CONTAINS, CONDITION_OPFAM_NUMERIC));
	assert_true(condition_op_allowed(CONDITION_OP_CONTAINS, CONDITION_OPFAM_BUFFER));
	assert_false(condition_op_allowed(CONDITION_OP_ICONTAINS, CONDITION_OPFAM_BUFFER));
	assert_false(condition_op_allowed(CONDITION_OP_LT, CONDITION_OPFAM_NET));
	assert_true(condition_op_allowed(CONDITION_OP_IN, CONDITION_OPFAM_NET));
	assert_false(condition_op_info(CONDITION_OP_BCONTAINS)->exception_comp);
	assert_true(condition_op_info(CONDITION_OP_PMATCH)->exception_comp);
	char buf[256];
	size_t n = condition_op_list_text(buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "=, ==, !=, <, <=, >, >=, contains, icontains, bcontains, startswith, bstartswith, "
				 "endswith, glob, in, intersects, pmatch, exists");
	char small[5];
	assert_int_equal(condition_op_list_text(small, sizeof(small)), n);
	assert_string_equal(small, "=, =");
}

static void test_string_semantics(void **state)
{
	(void)state;
	assert_true(condition_op_compare_string(CONDITION_OP_EQ, "bash", "bash"));
	assert_true(condition_op_compare_string(CONDITION_OP_NE, "bash", "sh"));
	assert_true(condition_op_compare_string(CONDITION_OP_LT, "abc", "abd"));
	assert_false(condition_op_compare_string(CONDITION_OP_GE, "abc", "abd"));
	assert_true(condition_op_compare_string(CONDITION_OP_CONTAINS, "/etc/shadow", "shad"));
	assert_false(condition_op_compare_string(CONDITION_OP_CONTAINS, "/etc/shadow", "SHAD"));
	assert_true(condition_op_compare_string(CONDITION_OP_ICONTAINS, "/etc/shadow", "SHAD"));
	assert_true(condition_op_compare_string(CONDITION_OP_STARTSWITH, "/etc/shadow", "/etc/"));
	assert_false(condition_op_compare_string(CONDITION_OP_STARTSWITH, "/et", "/etc/"));
	assert_true(condition_op_compare_string(CONDITION_OP_ENDSWITH, "/etc/shadow", "dow"));
	assert_false(condition_op_compare_string(CONDITION_OP_ENDSWITH, "ow", "dow"));
	assert_true(condition_op_compare_string(CONDITION_OP_GLOB, "/etc/shadow", "/etc/*"));
	assert_false(condition_op_compare_string(CONDITION_OP_GLOB, "/etc/shadow", "/usr/*"));
	assert_false(condition_op_compare_string(CONDITION_OP_IN, "a", "a"));
}

static void test_buffer_and_numbers(void **state)
{
	(void)state;
	const char data[] = {'a', 0, 'b', 'c'};
	assert_true(condition_op_compare_buffer(CONDITION_OP_BCONTAINS, data, 4, "\0b", 2));
	assert_true(condition_op_compare_buffer(CONDITION_OP_BSTARTSWITH, data, 4, "a\0", 2));
	/* a needle longer than the value is never read past the value */
	assert_false(condition_op_compare_buffer(CONDITION_OP_BSTARTSWITH, data, 1, "a\0b", 3));
	assert_true(condition_op_compare_buffer(CONDITION_OP_ENDSWITH, data, 4, "bc", 2));
	assert_true(condition_op_compare_buffer(CONDITION_OP_EQ, data, 4, data, 4));
	assert_true(condition_op_compare_buffer(CONDITION_OP_NE, data, 4, data, 3));
	assert_true(condition_op_compare_int64(CONDITION_OP_LT, -1, 0));
	assert_false(condition_op_compare_uint64(CONDITION_OP_LT, (uint64_t)-1, 0));
	assert_true(condition_op_compare_double(CONDITION_OP_GE, 1.5, 1.5));
	assert_false(condition_op_compare_int64(CONDITION_OP_CONTAINS, 1, 1));
}

static void test_pmatch_and_hex(void **state)
{
	(void)state;
	assert_true(condition_op_pmatch("/var/run/x", "/var/run"));
	assert_true(condition_op_pmatch("/var//run", "/var/run/"));
	assert_true(condition_op_pmatch("/var/run", "/var/run"));
	assert_false(condition_op_pmatch("/var/running", "/var/run"));
	assert_false(condition_op_pmatch("/var", "/var/run"));
	assert_false(condition_op_pmatch("/var", "/"));
	unsigned char out[8];
	assert_int_equal(condition_op_hex_decode("6f70656E", out, sizeof(out)), 4);
	assert_memory_equal(out, "open", 4);
	assert_int_equal(condition_op_hex_decode("6f7", out, sizeof(out)), -1);
	assert_int_equal(condition_op_hex_decode("zz", out, sizeof(out)), -1);
	assert_int_equal(condition_op_hex_decode("", out, sizeof(out)), -1);
	assert_int_equal(condition_op_hex_decode("6f70656e", out, 2), 4);
	assert_memory_equal(out, "op", 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spellings_round_trip),  cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_classes_and_families), cmocka_unit_test(test_string_semantics),
		cmocka_unit_test(test_buffer_and_numbers),   cmocka_unit_test(test_pmatch_and_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
