/* Tests of the crash-safe file replacement: content replaced whole, mode,
 * no temporary file left, parents created, bad names refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/util/file_read.h"
#include "engine/util/file_write.h"

static char base[256];

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/fapi_file_write.XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
	if (d)
		closedir(d);
	return n;
}

static void test_replace_whole(void **state)
{
	(void)state;
	char dir[512], err[256], path[600];
	snprintf(dir, sizeof(dir), "%s/a/b/state", base);
	assert_int_equal(file_mkdirs(dir, 0700, err, sizeof(err)), 0);
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(file_write_atomic(dir, "m.yaml", "one\n", 4, 0600, err, sizeof(err)), 0);
	assert_int_equal(file_write_atomic(dir, "m.yaml", "second\n", 7, 0600, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/m.yaml", dir);
	char *data;
	size_t len;
	assert_int_equal(file_read_all(path, &data, &len), FILE_READ_OK);
	assert_string_equal(data, "second\n");
	free(data);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(entries(dir), 1); /* no temporary file stays */
	assert_int_equal(file_remove_durable(dir, "m.yaml", err, sizeof(err)), 0);
	assert_int_equal(file_remove_durable(dir, "m.yaml", err, sizeof(err)), 0);
	assert_int_equal(entries(dir), 0);
}

static void test_refusals(void **state)
{
	(void)state;
	char err[256], file[512];
	assert_int_equal(file_write_atomic(base, "../x", "x", 1, 0600, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "plain file name"));
	assert_int_equal(file_write_atomic(base, "", "x", 1, 0600, err, sizeof(err)), -1);
	snprintf(file, sizeof(file), "%s/f", base);
	assert_int_equal(file_write_atomic(base, "f", "x", 1, 0600, err, sizeof(err)), 0);
	assert_int_equal(file_mkdirs(file, 0700, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a directory"));
	char missing[600];
	snprintf(missing, sizeof(missing), "%s/none", base);
	assert_int_equal(file_write_atomic(missing, "f", "x", 1, 0600, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "temporary file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace_whole),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
