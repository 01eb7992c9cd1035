/* Several sources in one engine: rules of each source are compiled with
 * their source's backend and see only that source's events (one index per
 * source), alerts carry their source, a source without a backend keeps its
 * rules un-evaluable, and an unknown source gets Falco's warning. The second
 * source is a small backend written here, through backend.h only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/backends/backend_registry.h"
#include "engine/compile/rules_compile.h"
#include "engine/output/alert_format.h"
#include "engine/rules/rules_doc.h"
#include "engine/ruleset/ruleset.h"

/* ---- the "toy" source: events with a name, one field, type codes 0..7 --- */

typedef struct toy_event {
	const char *name;
} toy_event;

struct backend_check {
	enum condition_op op;
	char **values;
	size_t n;
};

struct backend_format {
	char *text;
};

static unsigned toy_evals; /* check_eval calls, to see which events reach toy checks */

static size_t toy_class_count(void *ctx)
{
	(void)ctx;
	return 1;
}

static int toy_class_get(void *ctx, size_t i, backend_fieldclass *out)
{
	(void)ctx;
	if (i)
		return BACKEND_EINVAL;
	*out = (backend_fieldclass){.name = "toy", .desc = "Toy events", .shortdesc = "", .nfields = 1};
	return BACKEND_OK;
}

static int toy_field_get(void *ctx, size_t i, size_t j, backend_field *out)
{
	(void)ctx;
	if (i || j)
		return BACKEND_EINVAL;
	*out = (backend_field){.name = "toy.name", .type = "CHARBUF", .desc = "the event's name"};
	return BACKEND_OK;
}

static int toy_compile(void *ctx, const backend_leaf *l, backend_check **out, char *err, size_t errlen)
{
	(void)ctx;
	if (strcmp(l->field, "toy.name") != 0) {
		snprintf(err, errlen, "unknown field %s", l->field);
		return BACKEND_EUNKNOWN_FIELD;
	}
	if (!condition_op_allowed(l->op, CONDITION_OPFAM_STRING)) {
		snprintf(err, errlen, "bad operator");
		return BACKEND_EBAD_OPERATOR;
	}
	backend_check *c = calloc(1, sizeof(*c));
	c->op = l->op;
	c->n = l->nvalues;
	c->values = calloc(l->nvalues + 1, sizeof(*c->values));
	for (size_t i = 0; i < l->nvalues; i++)
		c->values[i] = strdup(l->values[i]);
	*out = c;
	return BACKEND_OK;
}

static bool toy_eval(backend_check *c, const backend_event *evt)
{
	toy_evals++;
	const toy_event *e = evt->payload;
	if (c->op == CONDITION_OP_IN) {
		for (size_t i = 0; i < c->n; i++)
			if (strcmp(e->name, c->values[i]) == 0)
				return true;
		return false;
	}
	return c->n == 1 && condition_op_compare_string(c->op, e->name, c->values[0]);
}

static void toy_check_free(backend_check *c)
{
	for (size_t i = 0; c && i < c->n; i++)
		free(c->values[i]);
	if (c)
		free(c->values);
	free(c);
}

static int toy_format_compile(void *ctx, const char *format, backend_format **out, char *err, size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	backend_format *f = calloc(1, sizeof(*f));
	f->text = strdup(format);
	*out = f;
	return BACKEND_OK;
}

/* The format with %toy.name replaced; other tokens are kept as written. */
static int toy_format_text(backend_format *f, const backend_event *evt, char **out, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	const toy_event *e = evt->payload;
	const char *p = strstr(f->text, "%toy.name");
	size_t len = strlen(f->text) + strlen(e->name) + 1;
	*out = malloc(len);
	if (p)
		snprintf(*out, len, "%.*s%s%s", (int)(p - f->text), f->text, e->name, p + 9);
	else
		snprintf(*out, len, "%s", f->text);
	return BACKEND_OK;
}

static int toy_format_json(backend_format *f, const backend_event *evt, char **out, char *err, size_t errlen)
{
	(void)f;
	(void)err;
	(void)errlen;
	const toy_event *e = evt->payload;
	size_t len = strlen(e->name) + 32;
	*out = malloc(len);
	snprintf(*out, len, "{\"toy.name\":\"%s\"}", e->name);
	return BACKEND_OK;
}

static int toy_format_fields(backend_format *f, const backend_event *evt, backend_field_value **out, size_t *n,
			     char *err, size_t errlen)
{
	(void)f;
	(void)evt;
	(void)err;
	(void)errlen;
	*out = NULL;
	*n = 0;
	return BACKEND_OK;
}

static void toy_format_free(backend_format *f)
{
	if (f)
		free(f->text);
	free(f);
}

static int toy_create(const backend_opts *o, backend *b, char *err, size_t errlen)
{
	(void)o;
	(void)err;
	(void)errlen;
	b->source = "toy";
	b->time_field = "toy.time";
	b->evttype_count = 8;
	b->fieldclass_count = toy_class_count;
	b->fieldclass_get = toy_class_get;
	b->field_get = toy_field_get;
	b->check_compile = toy_compile;
	b->check_eval = toy_eval;
	b->check_free = toy_check_free;
	b->format_compile = toy_format_compile;
	b->format_text = toy_format_text;
	b->format_json = toy_format_json;
	b->format_fields = toy_format_fields;
	b->format_free = toy_format_free;
	return BACKEND_OK;
}

/* ---- fixture -------------------------------------------------------------- */

static const char RULES[] =
	"- rule: sys_open\n  desc: d\n  condition: evt.type = open and proc.name = cat\n"
	"  output: \"open %proc.name\"\n  priority: WARNING\n"
	"- rule: toy_x\n  desc: d\n  condition: toy.name in (x, xx)\n  output: \"toy %toy.name\"\n"
	"  priority: ERROR\n  source: toy\n  tags: [t1]\n"
	"- rule: k8s_rule\n  desc: d\n  condition: ka.verb = create\n  output: \"k8s\"\n  priority: INFO\n"
	"  source: k8s_audit\n"
	"- rule: weird_rule\n  desc: d\n  condition: w.x = 1\n  output: \"w\"\n  priority: INFO\n"
	"  source: weird\n";

typedef struct fixture {
	backend_registry *reg;
	rules_doc *doc;
	ruleset *rs;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char err[1024];
	backend_opts o = {0};
	f->reg = backend_registry_new();
	/* Without its backend, k8s_audit stands for a Falco source this build
	 * cannot evaluate. */
	static const char *const no_k8s[] = {"k8s_audit"};
	assert_int_equal(backend_registry_add_builtins(f->reg, &o, no_k8s, 1, err, sizeof(err)), BACKEND_OK);
	assert_int_equal(backend_registry_create(f->reg, toy_create, &o, err, sizeof(err)), BACKEND_OK);
	rules_doc_options dopts;
	rules_doc_options_init(&dopts);
	f->doc = rules_doc_new(&dopts);
	if (rules_doc_load_buffer(f->doc, "rules.yaml", RULES, strlen(RULES), err, sizeof(err)) != RULES_OK)
		fail_msg("%s", err);
	rules_compile_opts copts = {0};
	compiled_rules *cr = NULL;
	if (rules_compile(f->doc, f->reg, &copts, &cr, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	f->rs = ruleset_new(cr, NULL);
	assert_non_null(f->rs);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	ruleset_free(f->rs);
	rules_doc_free(f->doc);
	backend_registry_free(f->reg);
	free(f);
	return 0;
}

static const compiled_rule *rule_named(const ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->rules->n; i++)
		if (strcmp(rs->rules->rules[i].name, name) == 0)
			return &rs->rules->rules[i];
	return NULL;
}

static void test_rules_bind_to_their_source(void **state)
{
	fixture *f = *state;
	const backend *toy = backend_registry_find(f->reg, "toy");
	const backend *sys = backend_registry_find(f->reg, "syscall");
	assert_ptr_equal(rule_named(f->rs, "toy_x")->backend, toy);
	assert_ptr_equal(rule_named(f->rs, "sys_open")->backend, sys);
	/* k8s_audit is a Falco source without a backend here: kept, not run */
	const compiled_rule *k8s = rule_named(f->rs, "k8s_rule");
	assert_non_null(k8s);
	assert_false(k8s->evaluable);
	assert_null(k8s->backend);
	/* an unknown source: skipped with Falco's warning */
	assert_null(rule_named(f->rs, "weird_rule"));
	bool warned = false;
	for (size_t i = 0; i < f->rs->rules->nwarnings; i++)
		warned |= strcmp(f->rs->rules->warnings[i],
				 "Rule weird_rule: warning (unknown-source): unknown source weird, skipping") == 0;
	assert_true(warned);
	assert_int_equal(f->rs->nindexes, 2);
	assert_non_null(ruleset_index_of(f->rs, toy));
	assert_non_null(ruleset_index_of(f->rs, sys));
}

static void test_events_reach_only_their_source(void **state)
{
	fixture *f = *state;
	const backend *toy = backend_registry_find(f->reg, "toy");
	toy_event x = {"x"}, y = {"y"};
	/* type 3 is also syscall's PPME_SYSCALL_OPEN_X, under which sys_open
	 * is indexed: a shared index would run a libsinsp check on a toy event */
	backend_event ex = {.backend = toy, .ts = 1000, .type = 3, .payload = &x};
	backend_event ey = {.backend = toy, .ts = 2000, .type = 3, .payload = &y};
	toy_evals = 0;
	const compiled_rule *r = ruleset_match(f->rs, &ex, 1);
	assert_non_null(r);
	assert_string_equal(r->name, "toy_x");
	assert_null(ruleset_match(f->rs, &ey, 2));
	assert_int_equal(toy_evals, 2);
	/* an event of a source with no rules matches nothing */
	backend other = *toy;
	backend_event eo = {.backend = &other, .type = 3, .payload = &x};
	assert_null(ruleset_match(f->rs, &eo, 3));
	assert_int_equal(toy_evals, 2);
}

static void test_alert_carries_its_source(void **state)
{
	fixture *f = *state;
	const backend *toy = backend_registry_find(f->reg, "toy");
	toy_event x = {"x"};
	backend_event ex = {.backend = toy, .ts = 1646092800000000000ull, .type = 0, .payload = &x};
	const compiled_rule *r = ruleset_match(f->rs, &ex, 10);
	assert_non_null(r);
	alert_format_opts o = {.json = true, .json_include_output = true, .json_include_tags = true, .hostname = "h"};
	char err[256];
	engine_alert *a = alert_format(r, &ex, 1, &o, err, sizeof(err));
	assert_non_null(a);
	assert_string_equal(a->source, "toy");
	/* the backend names its time field; the time comes from the event */
	assert_string_equal(a->text, "*%toy.time: Error toy x");
	assert_string_equal(a->json, "{\"output\":\"*%toy.time: Error toy x\",\"priority\":\"Error\",\"rule\":\"toy_x\","
				     "\"source\":\"toy\",\"tags\":[\"t1\"],\"time\":\"2022-03-01T00:00:00.000000000Z\", "
				     "\"output_fields\": {\"toy.name\":\"x\"}}");
	alert_unref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rules_bind_to_their_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_reach_only_their_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert_carries_its_source, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
