/* Declared JSON sources (json_source.h) on the JSON backend: definitions
 * checked, events parsed with their declared time (or arrival time), the
 * declared fields and jevt compiled and evaluated, ka refused, outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "engine/backends/backend_registry.h"
#include "engine/backends/json/k8s_audit_backend.h"

static const json_source_field fields[] = {
	{.name = "myapp.user", .ptr = "/user/name", .type = "string", .desc = "the user"},
	{.name = "myapp.tags", .ptr = "/tags", .type = "string", .desc = "the tags"},
	{.name = "myapp.n", .ptr = "/n", .type = "int64", .desc = "a number"},
};

static const backend *make(backend_registry *r, const char *time_pointer)
{
	json_source_def d = {.name = "myapp", .time_pointer = time_pointer, .fields = fields, .nfields = 3};
	backend_opts o = {0};
	char err[256];
	assert_int_equal(backend_registry_add_json_sources(r, &o, &d, 1, err, sizeof(err)), BACKEND_OK);
	return backend_registry_find(r, "myapp");
}

static void test_check(void **state)
{
	(void)state;
	char err[256];
	json_source_def d = {.name = "myapp", .fields = fields, .nfields = 2};
	assert_int_equal(json_source_check(&d, err, sizeof(err)), 0);
	json_source_field bad[2] = {fields[0], fields[0]};
	d.fields = bad;
	assert_int_equal(json_source_check(&d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "declared twice"));
	bad[1].name = "myapp.x";
	bad[1].ptr = "x";
	assert_int_equal(json_source_check(&d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid JSON pointer \"x\""));
	bad[1].ptr = "/x";
	bad[1].type = "double";
	assert_int_equal(json_source_check(&d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown type \"double\""));
	d.name = "k8s_audit";
	assert_int_equal(json_source_check(&d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "built-in source"));
	d.name = "My-App";
	assert_int_equal(json_source_check(&d, err, sizeof(err)), -1);
}

static bool eval(const backend *b, const backend_event *ev, const char *field, enum condition_op op, const char *v)
{
	backend_leaf leaf = {.field = field, .op = op, .values = &v, .nvalues = v ? 1 : 0};
	backend_check *chk = NULL;
	char err[256];
	if (b->check_compile(b->ctx, &leaf, &chk, err, sizeof(err)) != BACKEND_OK)
		fail_msg("%s: %s", field, err);
	bool r = b->check_eval(chk, ev);
	b->check_free(chk);
	return r;
}

static void test_events_fields_outputs(void **state)
{
	(void)state;
	backend_registry *r = backend_registry_new();
	const backend *b = make(r, "/ts");
	assert_non_null(b);
	assert_true(json_backend_is(b));
	assert_null(b->capture_open);
	char err[256];
	json_doc *doc = NULL;
	json_evt *evts = NULL;
	size_t n = 0;
	const char *text = "{\"ts\": \"2026-12-02T13:35:23.5Z\", \"user\": {\"name\": \"root\"}, \"tags\": [\"a\", \"b\"], \"n\": -5}";
	assert_int_equal(json_backend_parse(b, text, strlen(text), &doc, &evts, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(evts[0].ts, 1796218523500000000ull);
	backend_event ev = {.backend = b, .ts = evts[0].ts, .payload = &evts[0]};
	assert_true(eval(b, &ev, "myapp.user", CONDITION_OP_EQ, "root"));
	assert_false(eval(b, &ev, "myapp.user", CONDITION_OP_EQ, "alice"));
	assert_true(eval(b, &ev, "myapp.tags", CONDITION_OP_INTERSECTS, "b"));
	assert_true(eval(b, &ev, "myapp.n", CONDITION_OP_LT, "-1"));
	const char *ten = "ten";
	backend_leaf typed = {.field = "myapp.n", .op = CONDITION_OP_GT, .values = &ten, .nvalues = 1};
	backend_check *tchk = NULL;
	assert_int_equal(b->check_compile(b->ctx, &typed, &tchk, err, sizeof(err)), BACKEND_EBAD_VALUE);
	assert_non_null(strstr(err, "not of the field's type INT64"));
	backend_leaf ka = {.field = "ka.verb", .op = CONDITION_OP_EXISTS};
	backend_check *chk = NULL;
	assert_int_equal(b->check_compile(b->ctx, &ka, &chk, err, sizeof(err)), BACKEND_EUNKNOWN_FIELD);
	backend_format *fmt = NULL;
	assert_int_equal(b->format_compile(b->ctx, "u=%myapp.user t=%myapp.tags[1] v=%jevt.value[/user/name]", &fmt,
					   err, sizeof(err)),
			 BACKEND_OK);
	char *out = NULL;
	assert_int_equal(b->format_text(fmt, &ev, &out, err, sizeof(err)), BACKEND_OK);
	assert_string_equal(out, "u=root t=b v=root");
	free(out);
	b->format_free(fmt);
	assert_int_equal(b->format_compile(b->ctx, "%ka.verb", &fmt, err, sizeof(err)), BACKEND_EUNKNOWN_FIELD);
	json_doc_free(doc);
	free(evts);
	/* Not an object; no usable time. */
	assert_int_equal(json_backend_parse(b, "[1]", 3, &doc, &evts, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Data not recognized as a myapp event"));
	assert_int_equal(json_backend_parse(b, "{\"ts\": true}", 12, &doc, &evts, &n, err, sizeof(err)), -1);
	assert_int_equal(json_backend_parse(b, "{bad", 4, &doc, &evts, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Could not parse data"));
	/* Listing: jevt, then the declared class with its types. */
	backend_fieldclass c;
	assert_int_equal(b->fieldclass_get(b->ctx, 1, &c), BACKEND_OK);
	assert_string_equal(c.name, "myapp");
	assert_int_equal(c.nfields, 3);
	backend_field f;
	assert_int_equal(b->field_get(b->ctx, 1, 1, &f), BACKEND_OK);
	assert_string_equal(f.name, "myapp.tags");
	assert_string_equal(f.desc, "the tags");
	assert_string_equal(f.type, "CHARBUF");
	backend_registry_free(r);
}

static void test_arrival_time(void **state)
{
	(void)state;
	backend_registry *r = backend_registry_new();
	const backend *b = make(r, NULL);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t before = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	char err[256];
	json_doc *doc = NULL;
	json_evt *evts = NULL;
	size_t n = 0;
	assert_int_equal(json_backend_parse(b, "{\"ts\": 5}", 9, &doc, &evts, &n, err, sizeof(err)), 0);
	assert_true(evts[0].ts >= before && evts[0].ts < before + 60ull * 1000000000u);
	json_doc_free(doc);
	free(evts);
	backend_registry_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_events_fields_outputs),
		cmocka_unit_test(test_arrival_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
