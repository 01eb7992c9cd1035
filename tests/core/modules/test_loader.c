/* The module loader: each ABI check rejects a purpose-built bad module with
 * a message naming the file and the reason; lifecycle order; teardown in
 * reverse when a module fails part-way. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/daemon_config.h"
#include "modules/loader.h"

#define MODDIR FAPI_TEST_BUILD_DIR "/tests/modules-out"

static void expect_open_error(const char *file, const char *reason)
{
	loaded_module lm;
	char err[1024] = "";
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", MODDIR, file);
	assert_int_equal(lt_dlinit(), 0);
	assert_int_equal(loader_open(&lm, path, err, sizeof(err)), -1);
	/* the message names the file and the reason */
	if (!strstr(err, file) || !strstr(err, reason))
		fail_msg("for %s expected '%s' in: %s", file, reason, err);
	lt_dlexit();
}

static void test_missing_symbol(void **s)
{
	(void)s;
	expect_open_error("mod_nosym.so", "symbol fapi_module_v1 not found");
}

#define FAPI_TEST_STR_(x) #x
#define FAPI_TEST_STR(x) FAPI_TEST_STR_(x)

static void test_wrong_magic(void **s)
{
	(void)s;
	expect_open_error("mod_badmagic.so", "bad magic 0xdeadbeef");
}

static void test_wrong_major(void **s)
{
	(void)s;
	expect_open_error("mod_badmajor.so", "built for module ABI 2." FAPI_TEST_STR(FAPI_ABI_MINOR) ", this falco-apid speaks 1." FAPI_TEST_STR(FAPI_ABI_MINOR) " (major differs)");
}

static void test_newer_minor(void **s)
{
	(void)s;
	expect_open_error("mod_newerminor.so", "newer than this falco-apid's 1." FAPI_TEST_STR(FAPI_ABI_MINOR));
}

static void test_short_struct(void **s)
{
	(void)s;
	expect_open_error("mod_shortstruct.so", "module descriptor is 16 bytes");
}

static void test_missing_callback(void **s)
{
	(void)s;
	expect_open_error("mod_noinit.so", "required callback 'init' is missing");
}

static void test_not_found(void **s)
{
	(void)s;
	expect_open_error("mod_does_not_exist.so", "cannot load");
}

static void test_check_order(void **s)
{
	(void)s;
	/* A descriptor wrong in every way reports the first check: magic. */
	fapi_module m = {.magic = 1, .abi_major = 9, .abi_minor = 99, .size = 1};
	char err[512];
	assert_int_equal(loader_check(&m, "x.so", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad magic"));
	m.magic = FAPI_MODULE_MAGIC;
	assert_int_equal(loader_check(&m, "x.so", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "major differs"));
	m.abi_major = FAPI_ABI_MAJOR;
	assert_int_equal(loader_check(&m, "x.so", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer"));
	m.abi_minor = FAPI_ABI_MINOR;
	assert_int_equal(loader_check(&m, "x.so", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "descriptor is 1 bytes"));
	m.size = sizeof(m);
	assert_int_equal(loader_check(&m, "x.so", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'init' is missing"));
}

/* Builds a configuration that loads the given modules from MODDIR. */
static void load_config(config_doc *doc, daemon_config *c, const char *names, const char *paths)
{
	char err[512];
	char ov1[512], ov2[1024];
	snprintf(ov1, sizeof(ov1), "load_modules=[%s]", names);
	snprintf(ov2, sizeof(ov2), "modules=[%s]", paths);
	const char *ov[] = {ov1, ov2};
	assert_int_equal(daemon_config_load(doc, NULL, ov, 2, err, sizeof(err)), 0);
	assert_int_equal(daemon_config_read(doc->root, c, err, sizeof(err)), 0);
}

static char *read_log(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[4096];
	buf[0] = '\0';
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

static void test_lifecycle_order(void **s)
{
	(void)s;
	char log[] = "/tmp/fapi-lifecycle-XXXXXX";
	int fd = mkstemp(log);
	close(fd);
	setenv("FAPI_TEST_LIFECYCLE_LOG", log, 1);
	config_doc doc;
	daemon_config c;
	load_config(&doc, &c, "good, good2",
		    "{name: good, library_path: " MODDIR "/mod_good.so}, {name: good2, library_path: " MODDIR
		    "/mod_good2}");
	service_table t;
	service_table_init(&t);
	module_set set;
	char err[1024] = "";
	assert_int_equal(loader_load_all(&set, &t, &c, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(set.count, 2);
	assert_int_equal(loader_init_all(&set, err, sizeof(err)), 0);
	assert_int_equal(loader_start_all(&set, err, sizeof(err)), 0);
	loader_unload_all(&set);
	assert_string_equal(read_log(log), "good:init\ngood:register_rpcs\ngood2:init\ngood2:register_rpcs\n"
					   "good:start\ngood2:start\n"
					   "good2:stop\ngood:stop\ngood2:destroy\ngood:destroy\n");
	service_table_free(&t);
	daemon_config_free(&c);
	config_doc_free(&doc);
	unlink(log);
}

static void test_failed_start_tears_down_in_reverse(void **s)
{
	(void)s;
	char log[] = "/tmp/fapi-lifecycle-XXXXXX";
	int fd = mkstemp(log);
	close(fd);
	setenv("FAPI_TEST_LIFECYCLE_LOG", log, 1);
	config_doc doc;
	daemon_config c;
	load_config(&doc, &c, "good, failstart, good2",
		    "{name: good, library_path: " MODDIR "/mod_good.so}, {name: failstart, library_path: " MODDIR
		    "/mod_failstart.so}, {name: good2, library_path: " MODDIR "/mod_good2.so}");
	service_table t;
	service_table_init(&t);
	module_set set;
	char err[1024] = "";
	assert_int_equal(loader_load_all(&set, &t, &c, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(loader_init_all(&set, err, sizeof(err)), 0);
	assert_int_equal(loader_start_all(&set, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mod_failstart.so: start failed: refusing to start on purpose"));
	loader_unload_all(&set);
	/* good2 never started; good is stopped; all three destroyed in reverse */
	assert_string_equal(read_log(log), "good:init\ngood:register_rpcs\nfailstart:init\nfailstart:register_rpcs\n"
					   "good2:init\ngood2:register_rpcs\ngood:start\nfailstart:start\n"
					   "good:stop\ngood2:destroy\nfailstart:destroy\ngood:destroy\n");
	service_table_free(&t);
	daemon_config_free(&c);
	config_doc_free(&doc);
	unlink(log);
}

static void test_duplicate_and_mismatched_names(void **s)
{
	(void)s;
	unsetenv("FAPI_TEST_LIFECYCLE_LOG");
	config_doc doc;
	daemon_config c;
	service_table t;
	service_table_init(&t);
	module_set set;
	char err[1024] = "";
	/* library declares "good" but is configured as "other" */
	load_config(&doc, &c, "other", "{name: other, library_path: " MODDIR "/mod_good.so}");
	assert_int_equal(loader_load_all(&set, &t, &c, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mod_good.so: declares the name 'good' but was loaded as 'other'"));
	daemon_config_free(&c);
	config_doc_free(&doc);
	/* found through the search directory by name: fapi-<name>.so absent */
	const char *dirs[] = {MODDIR};
	load_config(&doc, &c, "nothere", "");
	assert_int_equal(loader_load_all(&set, &t, &c, dirs, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "module 'nothere' searched as fapi-nothere.so"));
	daemon_config_free(&c);
	config_doc_free(&doc);
	service_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_symbol),
		cmocka_unit_test(test_wrong_magic),
		cmocka_unit_test(test_wrong_major),
		cmocka_unit_test(test_newer_minor),
		cmocka_unit_test(test_short_struct),
		cmocka_unit_test(test_missing_callback),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_check_order),
		cmocka_unit_test(test_lifecycle_order),
		cmocka_unit_test(test_failed_start_tears_down_in_reverse),
		cmocka_unit_test(test_duplicate_and_mismatched_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
