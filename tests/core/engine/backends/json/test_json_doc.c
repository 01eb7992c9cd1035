/* JSON documents and values as Falco 0.31 (nlohmann::json, json_event_value)
 * sees them: pointers, dump format, duplicate keys, value types, ordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/backends/json/json_doc.h"
#include "engine/backends/json/json_dump.h"
#include "engine/backends/json/json_pointer.h"
#include "engine/backends/json/json_value.h"

static char *dump_text(const char *json)
{
	char err[128];
	json_doc *d = json_doc_parse(json, strlen(json), err, sizeof(err));
	if (!d)
		fail_msg("parse %s: %s", json, err);
	char *s = json_dump_as_string(json_doc_root(d));
	json_doc_free(d);
	return s;
}

static void assert_dump(const char *json, const char *want)
{
	char *got = dump_text(json);
	if (strcmp(got, want))
		fail_msg("%s: got %s, want %s", json, got, want);
	free(got);
}

static void test_dump_like_nlohmann(void **state)
{
	(void)state;
	assert_dump("{ \"b\" : 1, \"a\" : [ true, false, null ], \"B\": {} }", "{\"B\":{},\"a\":[true,false,null],\"b\":1}");
	assert_dump("[1.5, -0.25, 1e20, 1e-7, 123456789012, 0.1, 3.0e2]",
		    "[1.5,-0.25,1e+20,1e-07,123456789012,0.1,300]");
	assert_dump("\"a\\u00e9\\/\\t\\u001f\"", "a\xc3\xa9/\t\x1f"); /* a string dumps as itself */
	assert_dump("[\"a\\u00e9\\/\\t\\u001f\"]", "[\"a\xc3\xa9/\\t\\u001f\"]");
	/* duplicate keys: the last one wins */
	assert_dump("{\"k\":1,\"k\":2}", "{\"k\":2}");
}

static void test_pointers(void **state)
{
	(void)state;
	char err[128];
	const char *text = "{\"a/b\":{\"m~n\":[10,20,{\"x\":\"y\"}]},\"k\":1,\"k\":2}";
	json_doc *d = json_doc_parse(text, strlen(text), err, sizeof(err));
	assert_non_null(d);
	struct {
		const char *ptr, *want;
	} cases[] = {
		{"/a~1b/m~0n/1", "20"}, {"/a~1b/m~0n/2/x", "y"}, {"/k", "2"}, {"", NULL},
		{"/a~1b/m~0n/01", "-"}, {"/a~1b/m~0n/3", "-"},	 {"/a~1b/m~0n/-", "-"}, {"/nope", "-"},
		{"/k/x", "-"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_pointer p;
		assert_int_equal(json_pointer_compile(&p, cases[i].ptr, err, sizeof(err)), 0);
		const cJSON *v = json_pointer_get(&p, json_doc_root(d));
		if (!cases[i].want) {
			assert_ptr_equal(v, json_doc_root(d));
		} else if (!strcmp(cases[i].want, "-")) {
			assert_null(v);
		} else {
			char *s = json_dump_as_string(v);
			assert_string_equal(s, cases[i].want);
			free(s);
		}
		json_pointer_free(&p);
	}
	json_pointer p;
	assert_int_equal(json_pointer_compile(&p, "a", err, sizeof(err)), -1);
	assert_int_equal(json_pointer_compile(&p, "/a~", err, sizeof(err)), -1);
	assert_int_equal(json_pointer_compile(&p, "/a~2", err, sizeof(err)), -1);
	json_doc_free(d);
	assert_null(json_doc_parse("{\"a\":}", 6, err, sizeof(err)));
	assert_null(json_doc_parse("{} {}", 5, err, sizeof(err)));
	assert_non_null(strstr(err, "column 4"));
}

static void test_value_types_and_order(void **state)
{
	(void)state;
	json_val a, b;
	json_value_parse(&a, "42");
	assert_int_equal(a.type, JSON_VAL_INT64);
	json_value_parse(&a, " -7");
	assert_int_equal(a.type, JSON_VAL_INT64);
	assert_int_equal(a.a, -7);
	json_value_parse(&a, "7 ");
	assert_int_equal(a.type, JSON_VAL_STRING);
	json_value_parse(&a, "1:5");
	assert_int_equal(a.type, JSON_VAL_PAIR);
	json_value_parse(&a, "1:5:6");
	assert_int_equal(a.type, JSON_VAL_STRING);
	json_value_parse(&a, "99999999999999999999");
	assert_int_equal(a.type, JSON_VAL_STRING);
	/* a number equals a range that holds it, in both orders */
	json_value_parse(&a, "3");
	json_value_parse(&b, "1:5");
	assert_true(json_value_eq(&a, &b));
	assert_true(json_value_eq(&b, &a));
	json_value_parse(&a, "6");
	assert_false(json_value_eq(&a, &b));
	assert_true(json_value_lt(&b, &a));
	/* strings sort before numbers, numbers before ranges */
	json_value_parse(&a, "zzz");
	json_value_parse(&b, "1");
	assert_true(json_value_lt(&a, &b));
	char buf[48];
	json_value_parse(&a, "+007");
	assert_string_equal(json_value_text(&a, buf, sizeof(buf)), "7");
	/* the set keeps equivalent values once, in order */
	json_vals l = {0};
	json_value_list_add_text(&l, "b", false);
	json_value_list_add_text(&l, "a", false);
	json_value_list_add_text(&l, "b", false);
	json_value_list_add_int(&l, 3);
	json_value_list_build_set(&l);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.nset, 3);
	assert_string_equal(l.items[l.set[0]].s, "a");
	assert_string_equal(l.items[l.set[1]].s, "b");
	assert_int_equal(l.items[l.set[2]].a, 3);
	json_value_parse(&a, "2:4");
	assert_true(json_value_list_set_has(&l, &a));
	json_value_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_like_nlohmann),
		cmocka_unit_test(test_pointers),
		cmocka_unit_test(test_value_types_and_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
