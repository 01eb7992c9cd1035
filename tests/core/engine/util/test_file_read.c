/* Tests of the engine's whole-file reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/util/file_read.h"

static void test_reads_whole_file(void **state)
{
	(void)state;
	char path[] = "/tmp/fapi-file-read-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	/* larger than the first buffer, with a NUL inside */
	size_t n = 700000;
	char *data = malloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i % 251);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	char *got;
	size_t len;
	assert_int_equal(file_read_all(path, &got, &len), FILE_READ_OK);
	assert_int_equal(len, n);
	assert_memory_equal(got, data, n);
	assert_int_equal(got[len], '\0');
	free(got);
	FILE *f = fopen(path, "w");
	fclose(f);
	assert_int_equal(file_read_all(path, &got, &len), FILE_READ_OK);
	assert_int_equal(len, 0);
	assert_string_equal(got, "");
	free(got);
	unlink(path);
	assert_int_equal(file_read_all(path, &got, &len), FILE_READ_EOPEN);
	assert_int_equal(errno, ENOENT);
	assert_null(got);
	assert_int_equal(file_read_all("/", &got, &len), FILE_READ_EREAD);
	assert_int_equal(errno, EISDIR);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_whole_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
