/* Folding rules per event code: evt.type, evt.dir and (outside the open
 * events) evt.is_open_* become constants; branches and rules that cannot
 * match disappear; what does not depend on the code is shared, not copied. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lang/condition_parse.h"
#include "engine/compile/leaf_table.h"
#include "engine/ruleset/ruleset_fold.h"
#include "engine/backends/backend_registry.h"
#include "ppm_events_public.h"

typedef struct fixture {
	backend_registry *reg;
	const backend *syscall;
	leaf_table *leaves;
	struct condition_node *tree;
	fold_shells shells;
} fixture;

static int bind_leaf(void *user, struct condition_node *n)
{
	fixture *f = user;
	char e[512];
	int rc = leaf_table_bind(f->leaves, NULL, f->syscall, n, e, sizeof(e));
	if (rc != BACKEND_OK)
		fail_msg("bind %s: %s", n->cmp.field, e);
	return 0;
}

static void compile(fixture *f, const char *text)
{
	char err[512];
	if (condition_parse(text, &f->tree, err, sizeof(err)) != CONDITION_OK)
		fail_msg("%s", err);
	condition_ast_visit_cmp(f->tree, bind_leaf, f);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char e[512];
	backend_opts bo = {0};
	f->reg = backend_registry_new();
	assert_non_null(f->reg);
	assert_int_equal(backend_registry_add_builtins(f->reg, &bo, NULL, 0, e, sizeof(e)), BACKEND_OK);
	f->syscall = backend_registry_find(f->reg, "syscall");
	f->leaves = leaf_table_new();
	assert_non_null(f->syscall);
	assert_non_null(f->leaves);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	fold_shells_free(&f->shells);
	condition_ast_free(f->tree);
	leaf_table_free(f->leaves);
	backend_registry_free(f->reg);
	free(f);
	return 0;
}

static char *fold_text(fixture *f, unsigned code, int *result)
{
	const struct condition_node *out = NULL;
	*result = ruleset_fold(f->tree, code, &f->shells, &out);
	return *result == FOLD_NODE ? condition_ast_to_string(out) : NULL;
}

static void test_branches_fold_per_code(void **state)
{
	fixture *f = *state;
	compile(f, "(evt.type = open and proc.name = cat) or (evt.type = execve and evt.dir = <)");
	int r;
	char *s = fold_text(f, PPME_SYSCALL_OPEN_X, &r);
	assert_int_equal(r, FOLD_NODE);
	assert_string_equal(s, "proc.name = cat"); /* the execve half is gone */
	free(s);
	assert_null(fold_text(f, PPME_SYSCALL_EXECVE_19_E, &r));
	assert_int_equal(r, FOLD_FALSE); /* an execve enter event cannot match */
	assert_null(fold_text(f, PPME_SYSCALL_EXECVE_19_X, &r));
	assert_int_equal(r, FOLD_TRUE); /* every execve exit matches */
	assert_null(fold_text(f, PPME_SYSCALL_READ_X, &r));
	assert_int_equal(r, FOLD_FALSE);
}

static void test_unchanged_subtrees_are_shared(void **state)
{
	fixture *f = *state;
	compile(f, "proc.name = cat and (fd.name startswith /etc or fd.name startswith /root)");
	const struct condition_node *out = NULL;
	assert_int_equal(ruleset_fold(f->tree, PPME_SYSCALL_OPEN_X, &f->shells, &out), FOLD_NODE);
	assert_ptr_equal(out, f->tree); /* nothing depends on the code: no copy */
	assert_int_equal(f->shells.n, 0);
}

static void test_is_open_flags_constant_outside_open_events(void **state)
{
	fixture *f = *state;
	compile(f, "evt.is_open_read = true and fd.name = /etc/shadow");
	int r;
	assert_null(fold_text(f, PPME_SYSCALL_READ_X, &r));
	assert_int_equal(r, FOLD_FALSE);       /* 0 for every non-open event */
	assert_null(fold_text(f, PPME_SYSCALL_OPENAT_2_E, &r));
	assert_int_equal(r, FOLD_FALSE);       /* new openat enter: not one of the four */
	char *s = fold_text(f, PPME_SYSCALL_OPENAT_2_X, &r);
	assert_int_equal(r, FOLD_NODE);        /* decided by the flags of the event */
	assert_non_null(strstr(s, "evt.is_open_read = true"));
	free(s);
}

static void test_negation_folds(void **state)
{
	fixture *f = *state;
	compile(f, "not evt.type = open and evt.is_open_write = false");
	int r;
	assert_null(fold_text(f, PPME_SYSCALL_OPEN_X, &r));
	assert_int_equal(r, FOLD_FALSE);
	assert_null(fold_text(f, PPME_SYSCALL_CLOSE_X, &r));
	assert_int_equal(r, FOLD_TRUE); /* not open, and is_open_write is false there */
}

static void test_shared_leaves(void **state)
{
	fixture *f = *state;
	compile(f, "proc.name = cat or (evt.type = open and proc.name = cat)");
	/* the two proc.name = cat leaves are one shared check */
	assert_ptr_equal(f->tree->children[0]->cmp.bound, f->tree->children[1]->children[1]->cmp.bound);
	assert_int_equal(leaf_table_count(f->leaves), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_branches_fold_per_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unchanged_subtrees_are_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_is_open_flags_constant_outside_open_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_negation_folds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_leaves, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
