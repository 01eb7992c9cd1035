/* -p and %container.info as Falco 0.31's rule loader applies them to a rule's
 * output. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compile/output_extra.h"

static void check(const char *output, bool syscall, const char *extra, bool replace, const char *want)
{
	char *got = output_extra_apply(output, syscall, extra, replace);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_presets(void **state)
{
	(void)state;
	bool replace = false;
	assert_string_equal(output_extra_from_flag("c", &replace), OUTPUT_EXTRA_CONTAINER);
	assert_true(replace);
	assert_string_equal(output_extra_from_flag("container", &replace), "container=%container.name (id=%container.id)");
	assert_true(replace);
	assert_string_equal(output_extra_from_flag("k", &replace),
			    "k8s.ns=%k8s.ns.name k8s.pod=%k8s.pod.name container=%container.id");
	assert_true(replace);
	assert_string_equal(output_extra_from_flag("kubernetes", &replace), OUTPUT_EXTRA_KUBERNETES);
	assert_string_equal(output_extra_from_flag("m", &replace), "task=%mesos.task.name container=%container.id");
	assert_string_equal(output_extra_from_flag("mesos", &replace), OUTPUT_EXTRA_MESOS);
	assert_true(replace);
	/* Anything else is a format, used as given. */
	assert_string_equal(output_extra_from_flag("cont", &replace), "cont");
	assert_false(replace);
	assert_string_equal(output_extra_from_flag("u=%user.name", &replace), "u=%user.name");
	assert_false(replace);
	assert_string_equal(output_extra_from_flag(NULL, &replace), "");
	assert_false(replace);
}

static void test_without_container_info(void **state)
{
	(void)state;
	check("open %fd.name", true, "", false, "open %fd.name");
	check("open %fd.name", true, NULL, false, "open %fd.name");
	check("open %fd.name", true, "u=%user.name", false, "open %fd.name u=%user.name");
	/* A preset is appended as well when there is nothing to replace. */
	check("open %fd.name", true, OUTPUT_EXTRA_CONTAINER, true, "open %fd.name " OUTPUT_EXTRA_CONTAINER);
}

static void test_container_info(void **state)
{
	(void)state;
	check("shell (container=%container.info)", true, "", false,
	      "shell (container=%container.name (id=%container.id))");
	check("a %container.info b %container.info", true, "u=%user.name", false,
	      "a %container.name (id=%container.id) b %container.name (id=%container.id) u=%user.name");
	check("a %container.info b", true, OUTPUT_EXTRA_KUBERNETES, true, "a " OUTPUT_EXTRA_KUBERNETES " b");
	/* A preset replaces every occurrence and is not appended. */
	check("%container.info/%container.info", true, "X", true, "X/X");
	/* Only the whole pseudo-field. */
	check("%container.id %container.name", true, "", false, "%container.id %container.name");
}

static void test_other_sources_untouched(void **state)
{
	(void)state;
	check("user=%ka.user.name %container.info", false, "u=%user.name", false, "user=%ka.user.name %container.info");
	check("user=%ka.user.name", false, OUTPUT_EXTRA_CONTAINER, true, "user=%ka.user.name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_without_container_info),
		cmocka_unit_test(test_container_info),
		cmocka_unit_test(test_other_sources_untouched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
