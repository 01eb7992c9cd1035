/* A compile given the running set (rules_compile_opts.reuse) shares the
 * leaves and output formatters both sets have instead of binding new
 * backend checks and formatters, builds the others afresh, and either set can be freed first: each keeps the leaves
 * it uses alive (ASan sees a use after free or a double free otherwise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/backends/backend_registry.h"
#include "engine/compile/leaf_table.h"
#include "engine/compile/rules_compile.h"
#include "engine/rules/rules_doc.h"

static const char RULES_A[] = "- macro: m\n"
			      "  condition: proc.name = cat\n"
			      "- rule: a\n"
			      "  desc: d\n"
			      "  condition: evt.type = openat and m and fd.name startswith /etc\n"
			      "  output: \"a %proc.name\"\n"
			      "  priority: INFO\n";

/* Same macro and one leaf of rule a, plus one leaf a does not have. */
static const char RULES_B[] = "- macro: m\n"
			      "  condition: proc.name = cat\n"
			      "- rule: b\n"
			      "  desc: d\n"
			      "  condition: evt.type = openat and m and fd.name startswith /var\n"
			      "  output: \"b %proc.name\"\n"
			      "  priority: INFO\n";

typedef struct leaves_of {
	leaf *by_field[8];
	const char *field[8];
	size_t n;
} leaves_of;

static int collect(void *user, struct condition_node *n)
{
	leaves_of *o = user;
	if (o->n < 8 && n->cmp.bound) {
		o->by_field[o->n] = n->cmp.bound;
		o->field[o->n++] = n->cmp.field;
	}
	return 0;
}

static leaf *leaf_for(leaves_of *o, const char *field)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->field[i], field) == 0)
			return o->by_field[i];
	fail_msg("no leaf for %s", field);
	return NULL;
}

typedef struct fixture {
	backend_registry *reg;
	rules_doc *da, *db;
} fixture;

static rules_doc *load(const char *text)
{
	char err[512];
	rules_doc_options o;
	rules_doc_options_init(&o);
	rules_doc *d = rules_doc_new(&o);
	assert_non_null(d);
	if (rules_doc_load_buffer(d, "r.yaml", text, strlen(text), err, sizeof(err)) != RULES_OK)
		fail_msg("%s", err);
	return d;
}

static compiled_rules *compile(fixture *f, rules_doc *d, const compiled_rules *reuse, leaves_of *out)
{
	char err[512];
	rules_compile_opts o = {.reuse = reuse};
	compiled_rules *cr = NULL;
	if (rules_compile(d, f->reg, &o, &cr, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(cr->n, 1);
	*out = (leaves_of){0};
	condition_ast_visit_cmp(cr->rules[0].cond, collect, out);
	return cr;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char e[512];
	backend_opts bo = {0};
	f->reg = backend_registry_new();
	assert_non_null(f->reg);
	assert_int_equal(backend_registry_add_builtins(f->reg, &bo, NULL, 0, e, sizeof(e)), BACKEND_OK);
	f->da = load(RULES_A);
	f->db = load(RULES_B);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	rules_doc_free(f->da);
	rules_doc_free(f->db);
	backend_registry_free(f->reg);
	free(f);
	return 0;
}

static void test_identical_leaves_are_shared(void **state)
{
	fixture *f = *state;
	leaves_of la, lb, lc;
	compiled_rules *a = compile(f, f->da, NULL, &la);
	compiled_rules *b = compile(f, f->db, a, &lb);
	compiled_rules *c = compile(f, f->db, NULL, &lc);
	assert_ptr_equal(leaf_for(&la, "proc.name"), leaf_for(&lb, "proc.name"));
	assert_ptr_not_equal(leaf_for(&la, "fd.name"), leaf_for(&lb, "fd.name"));
	/* Without reuse nothing is shared. */
	assert_ptr_not_equal(leaf_for(&la, "proc.name"), leaf_for(&lc, "proc.name"));
	/* A: the rule's node and a's table; b: its node and its table. */
	assert_int_equal(atomic_load(&leaf_for(&la, "proc.name")->refs), 4);
	compiled_rules_free(c);
	compiled_rules_free(b);
	assert_int_equal(atomic_load(&leaf_for(&la, "proc.name")->refs), 2);
	compiled_rules_free(a);
}

static void test_the_running_set_can_go_first(void **state)
{
	fixture *f = *state;
	leaves_of la, lb, lb2;
	compiled_rules *a = compile(f, f->da, NULL, &la);
	compiled_rules *b = compile(f, f->db, a, &lb);
	leaf *shared = leaf_for(&lb, "proc.name");
	compiled_rules_free(a);
	assert_int_equal(atomic_load(&shared->refs), 2);
	assert_non_null(shared->chk);
	/* The next compile shares from b what b took from a. */
	compiled_rules *b2 = compile(f, f->db, b, &lb2);
	assert_ptr_equal(leaf_for(&lb2, "proc.name"), shared);
	assert_ptr_equal(leaf_for(&lb2, "fd.name"), leaf_for(&lb, "fd.name"));
	compiled_rules_free(b);
	compiled_rules_free(b2);
}

static void test_identical_outputs_share_a_formatter(void **state)
{
	fixture *f = *state;
	leaves_of la, lb, lb2, lb3;
	compiled_rules *a = compile(f, f->da, NULL, &la);
	compiled_rules *b = compile(f, f->db, a, &lb);
	compiled_rules *b2 = compile(f, f->db, b, &lb2);
	compiled_rules *b3 = compile(f, f->db, NULL, &lb3);
	assert_non_null(b->rules[0].fmt);
	assert_ptr_not_equal(a->rules[0].fmt, b->rules[0].fmt); /* "a %proc.name" and "b %proc.name" */
	assert_ptr_equal(b->rules[0].fmt, b2->rules[0].fmt);
	assert_ptr_not_equal(b->rules[0].fmt, b3->rules[0].fmt);
	compiled_rules_free(a);
	compiled_rules_free(b);
	compiled_rules_free(b3);
	assert_non_null(b2->rules[0].fmt);
	compiled_rules_free(b2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identical_leaves_are_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_running_set_can_go_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identical_outputs_share_a_formatter, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
