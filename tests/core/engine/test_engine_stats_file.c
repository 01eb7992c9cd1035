/* -s FILE: Falco 0.31's statistics lines (format, deltas, FALCO_STATS_EXTRA_
 * keys, appending) and the timer that marks a sample as due. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine_stats_file.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void temp_path(char *path, size_t cap)
{
	snprintf(path, cap, "/tmp/fapi-stats-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "before\n", 7), 7);
	close(fd);
}

static void test_lines(void **state)
{
	(void)state;
	char path[64], err[256];
	temp_path(path, sizeof(path));
	char *envp[] = {"PATH=/bin", "FALCO_STATS_EXTRA_run=r1", "FALCO_STATS_EXTRA=x", "FALCO_STATS_EXTRA_b=2", NULL};
	engine_stats_file *s = NULL;
	/* A long interval: the samples below are written by hand. */
	assert_int_equal(engine_stats_file_open(&s, path, 3600 * 1000, envp, err, sizeof(err)), 0);
	assert_false(engine_stats_file_due(s));
	assert_int_equal(engine_stats_file_write(s, 100, 0, 1), 0);
	assert_int_equal(engine_stats_file_write(s, 250, 30, 1), 0);
	assert_int_equal(engine_stats_file_write(s, 250, 30, 4), 0);
	engine_stats_file_close(s);
	assert_string_equal(slurp(path),
			    "before\n"
			    "{\"sample\": 1, \"run\": \"r1\", \"b\": \"2\", \"cur\": {\"events\": 100, \"drops\": 0, "
			    "\"preemptions\": 1}, \"delta\": {\"events\": 100, \"drops\": 0, \"preemptions\": 1}, "
			    "\"drop_pct\": 0},\n"
			    "{\"sample\": 2, \"run\": \"r1\", \"b\": \"2\", \"cur\": {\"events\": 250, \"drops\": 30, "
			    "\"preemptions\": 1}, \"delta\": {\"events\": 150, \"drops\": 30, \"preemptions\": 0}, "
			    "\"drop_pct\": 20},\n"
			    "{\"sample\": 3, \"run\": \"r1\", \"b\": \"2\", \"cur\": {\"events\": 250, \"drops\": 30, "
			    "\"preemptions\": 4}, \"delta\": {\"events\": 0, \"drops\": 0, \"preemptions\": 3}, "
			    "\"drop_pct\": 0},\n");
	unlink(path);
}

static void test_drop_pct_digits(void **state)
{
	(void)state;
	char path[64], err[256];
	temp_path(path, sizeof(path));
	char *envp[] = {NULL};
	engine_stats_file *s = NULL;
	assert_int_equal(engine_stats_file_open(&s, path, 3600 * 1000, envp, err, sizeof(err)), 0);
	assert_int_equal(engine_stats_file_write(s, 3, 1, 0), 0);
	engine_stats_file_close(s);
	/* A C++ stream's default: six significant digits. */
	assert_non_null(strstr(slurp(path), "\"drop_pct\": 33.3333},\n"));
	unlink(path);
}

static void test_timer_marks_samples_due(void **state)
{
	(void)state;
	char path[64], err[256];
	temp_path(path, sizeof(path));
	char *envp[] = {NULL};
	engine_stats_file *s = NULL;
	assert_int_equal(engine_stats_file_open(&s, path, 10, envp, err, sizeof(err)), 0);
	int due = 0;
	for (int i = 0; i < 5000 && due < 2; i++) {
		if (engine_stats_file_due(s)) {
			due++;
			/* Taken: not due again until the next tick. */
			assert_false(engine_stats_file_due(s));
		}
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	assert_int_equal(due, 2);
	engine_stats_file_close(s);
	unlink(path);
}

static void test_open_error(void **state)
{
	(void)state;
	char err[256];
	engine_stats_file *s = (engine_stats_file *)1;
	char *envp[] = {NULL};
	assert_int_equal(engine_stats_file_open(&s, "/nonexistent-dir/x/stats", 1000, envp, err, sizeof(err)), -1);
	assert_null(s);
	assert_non_null(strstr(err, "Could not open stats file /nonexistent-dir/x/stats"));
	engine_stats_file_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_drop_pct_digits),
		cmocka_unit_test(test_timer_marks_samples_due),
		cmocka_unit_test(test_open_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
