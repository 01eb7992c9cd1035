/* Tests of field listing across sources: the generic rendering of a field
 * class is libsinsp's own (checked on every syscall class), the listing
 * groups a class shared by two sources, orders sources by name, and
 * refuses an unknown source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/backends/backend_fields.h"
#include "engine/backends/backend_registry.h"

static backend_registry *reg;

/* The listing tests compare against the syscall source alone. */
static const char *const syscall_only[] = {"k8s_audit"};

static int setup(void **state)
{
	(void)state;
	char err[512];
	backend_opts o = {0};
	reg = backend_registry_new();
	return reg && backend_registry_add_builtins(reg, &o, syscall_only, 1, err, sizeof(err)) == BACKEND_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	backend_registry_free(reg);
	return 0;
}

static void test_generic_rendering_matches_libsinsp(void **state)
{
	(void)state;
	const backend *sys = backend_registry_find(reg, "syscall");
	assert_non_null(sys);
	assert_non_null(sys->fieldclass_as_string);
	backend generic = *sys;
	generic.fieldclass_as_string = NULL;
	const char *sources[] = {"k8s_audit", "syscall"};
	size_t n = sys->fieldclass_count(sys->ctx);
	assert_true(n > 10);
	for (int verbose = 0; verbose < 2; verbose++) {
		for (size_t i = 0; i < n; i++) {
			char *want = backend_fields_class_text(sys, i, verbose, sources, 2);
			char *got = backend_fields_class_text(&generic, i, verbose, sources, 2);
			assert_non_null(want);
			assert_non_null(got);
			assert_string_equal(got, want);
			free(want);
			free(got);
		}
	}
}

/* A second source that shares the syscall backend's fields but not its
 * name: every class then belongs to both. */
static int twin_create(const backend_opts *o, backend *out, char *err, size_t errlen)
{
	(void)o;
	(void)err;
	(void)errlen;
	const backend *sys = backend_registry_find(reg, "syscall");
	*out = *sys;
	out->source = "aaa_twin";
	out->fieldclass_as_string = NULL;
	out->destroy = NULL;
	return BACKEND_OK;
}

static char *list_text(const backend_registry *r, const char *source, bool names_only)
{
	char *buf = NULL;
	size_t len = 0;
	char err[256];
	FILE *m = open_memstream(&buf, &len);
	assert_non_null(m);
	int rc = backend_fields_list(r, source, false, names_only, m, err, sizeof(err));
	fclose(m);
	if (rc != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void test_listing_by_source(void **state)
{
	(void)state;
	char *all = list_text(reg, NULL, false);
	char *one = list_text(reg, "syscall", false);
	assert_non_null(all);
	assert_string_equal(all, one);
	assert_non_null(strstr(all, "Event Sources:                syscall \n"));
	/* each class is followed by a blank line, as Falco's printf("%s\n") */
	assert_non_null(strstr(all, "\n\n-------------------------------\n"));
	free(one);

	char *names = list_text(reg, "syscall", true);
	assert_non_null(strstr(names, "\nproc.name\n"));
	assert_null(strstr(names, "Field Class"));
	free(names);

	char err[256];
	FILE *devnull = fopen("/dev/null", "w");
	assert_int_equal(backend_fields_list(reg, "k8s_audit_nope", false, false, devnull, err, sizeof(err)), -1);
	assert_string_equal(err, "Value for --list must be a valid source type");
	fclose(devnull);

	/* With the twin registered too, each class prints once, listing both
	 * sources in name order; one source still lists alone. */
	backend_registry *two = backend_registry_new();
	backend_opts o = {0};
	assert_int_equal(backend_registry_add_builtins(two, &o, syscall_only, 1, err, sizeof(err)), BACKEND_OK);
	assert_int_equal(backend_registry_create(two, twin_create, &o, err, sizeof(err)), BACKEND_OK);
	char *both = list_text(two, NULL, false);
	assert_non_null(strstr(both, "Event Sources:                aaa_twin syscall \n"));
	size_t classes = 0;
	for (const char *p = strstr(both, "Field Class:"); p; p = strstr(p + 1, "Field Class:"))
		classes++;
	const backend *sys = backend_registry_find(reg, "syscall");
	assert_int_equal(classes, sys->fieldclass_count(sys->ctx));
	free(both);
	char *twin = list_text(two, "aaa_twin", false);
	assert_non_null(strstr(twin, "Event Sources:                aaa_twin \n"));
	free(twin);
	backend_registry_free(two);
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generic_rendering_matches_libsinsp),
		cmocka_unit_test(test_listing_by_source),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
