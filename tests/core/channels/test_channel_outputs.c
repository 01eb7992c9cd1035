/* The file and program channels on their own (no thread): what each
 * writes, keep_alive, buffering, the program's signal state, and that a
 * program that never reads cannot hold a write or close past the
 * deadline. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channels/channel_file.h"
#include "channels/channel_program.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/fapi-chan-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static engine_alert *mk(uint64_t seq, const char *text)
{
	alert_spec spec = {.seq = seq, .priority = 4, .rule = "r", .source = "syscall", .hostname = "h", .text = text};
	engine_alert *a = alert_new(&spec);
	assert_non_null(a);
	return a;
}

static void write_ok(const channel_ops *ops, void *st, const char *text, const channel_deadline *d)
{
	engine_alert *a = mk(1, text);
	char err[256] = "";
	size_t lost = 0;
	assert_int_equal(ops->write(st, a, d, &lost, err, sizeof(err)), 0);
	assert_int_equal(lost, 0);
	alert_unref(a);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return strdup("<missing>");
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return strdup(buf);
}

static void assert_file(const char *path, const char *want)
{
	char *got = slurp(path);
	assert_string_equal(got, want);
	free(got);
}

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static void test_file_keep_alive(void **state)
{
	(void)state;
	channel_deadline d = {0};
	for (int keep = 0; keep < 2; keep++) {
		char p[300], old[310];
		path_of(p, sizeof(p), keep ? "keep.txt" : "reopen.txt");
		snprintf(old, sizeof(old), "%s.old", p);
		void *st = channel_file_new(p, keep);
		char err[256];
		size_t lost = 0;
		write_ok(&channel_file_ops, st, "one", &d);
		assert_int_equal(channel_file_ops.flush(st, &d, &lost, err, sizeof(err)), 0);
		assert_file(p, "one\n");
		assert_int_equal(rename(p, old), 0);
		write_ok(&channel_file_ops, st, "two", &d);
		channel_file_ops.close(st, &d);
		if (keep) {
			/* The open file keeps being written. */
			assert_file(old, "one\ntwo\n");
			assert_file(p, "<missing>");
		} else {
			/* Opened per alert: the file is created again. */
			assert_file(old, "one\n");
			assert_file(p, "two\n");
		}
		channel_file_ops.free(st);
	}
}

/* A burst is coalesced until the worker flushes (its queue is empty). */
static void test_coalesced_until_flush(void **state)
{
	(void)state;
	channel_deadline d = {0};
	char p[300], out[300], prog[400], err[256];
	size_t lost = 0;
	path_of(p, sizeof(p), "coalesced.txt");
	void *st = channel_file_new(p, true);
	write_ok(&channel_file_ops, st, "a", &d);
	write_ok(&channel_file_ops, st, "b", &d);
	assert_file(p, "");
	assert_int_equal(channel_file_ops.flush(st, &d, &lost, err, sizeof(err)), 0);
	assert_file(p, "a\nb\n");
	channel_file_ops.free(st);

	path_of(out, sizeof(out), "coalesced-prog.txt");
	snprintf(prog, sizeof(prog), "cat >> %s", out);
	st = channel_program_new(prog, true);
	write_ok(&channel_program_ops, st, "a", &d);
	write_ok(&channel_program_ops, st, "b", &d);
	assert_int_equal(channel_program_ops.flush(st, &d, &lost, err, sizeof(err)), 0);
	write_ok(&channel_program_ops, st, "c", &d);
	channel_program_ops.close(st, &d);
	channel_program_ops.free(st);
	assert_file(out, "a\nb\nc\n");
}

static void test_file_open_error(void **state)
{
	(void)state;
	channel_deadline d = {0};
	void *st = channel_file_new("/nonexistent-dir/x.txt", true);
	engine_alert *a = mk(1, "x");
	char err[256] = "";
	size_t lost = 0;
	assert_int_equal(channel_file_ops.write(st, a, &d, &lost, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "failed to open output file /nonexistent-dir/x.txt"));
	alert_unref(a);
	channel_file_ops.free(st);
}

static void test_program_keep_alive(void **state)
{
	(void)state;
	channel_deadline d = {0};
	for (int keep = 0; keep < 2; keep++) {
		char out[300], marks[300], prog[700];
		path_of(out, sizeof(out), keep ? "pk.txt" : "pn.txt");
		path_of(marks, sizeof(marks), keep ? "pk.marks" : "pn.marks");
		snprintf(prog, sizeof(prog), "echo started >> %s; cat >> %s", marks, out);
		for (int run = 0; run < 2; run++) {
			void *st = channel_program_new(prog, keep);
			write_ok(&channel_program_ops, st, "one", &d);
			write_ok(&channel_program_ops, st, "two", &d);
			write_ok(&channel_program_ops, st, "three", &d);
			/* close waits for the program, so its output is complete. */
			channel_program_ops.close(st, &d);
			channel_program_ops.free(st);
		}
		assert_file(out, "one\ntwo\nthree\none\ntwo\nthree\n");
		assert_file(marks, keep ? "started\nstarted\n" : "started\nstarted\nstarted\nstarted\nstarted\nstarted\n");
	}
}

static void test_program_gets_default_signals(void **state)
{
	(void)state;
	/* The daemon blocks SIGTERM and ignores SIGPIPE; its programs must not
	 * inherit that. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	void (*prev)(int) = signal(SIGPIPE, SIG_IGN);
	channel_deadline d = {0};
	char out[300], prog[700];
	path_of(out, sizeof(out), "sig.txt");
	snprintf(prog, sizeof(prog), "grep -E '^Sig(Blk|Ign)' /proc/self/status > %s; cat > /dev/null", out);
	void *st = channel_program_new(prog, true);
	write_ok(&channel_program_ops, st, "x", &d);
	channel_program_ops.close(st, &d);
	channel_program_ops.free(st);
	signal(SIGPIPE, prev);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	char *got = slurp(out);
	assert_non_null(strstr(got, "SigBlk:\t0000000000000000\n"));
	/* SIGPIPE is signal 13: bit 0x1000 of SigIgn. */
	char *ign = strstr(got, "SigIgn:\t");
	assert_non_null(ign);
	unsigned long long mask = strtoull(ign + 8, NULL, 16);
	assert_int_equal(mask & (1ull << (SIGPIPE - 1)), 0);
	free(got);
}

static void test_program_not_reading_gives_up_at_deadline(void **state)
{
	(void)state;
	channel_deadline d = {0};
	void *st = channel_program_new("exec sleep 5 > /dev/null 2>&1", true);
	char line[1024];
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	engine_alert *a = mk(1, line);
	char err[256] = "";
	size_t lost = 0;
	/* Fill the pipe (64 KiB) while there is no deadline... */
	for (int i = 0; i < 60; i++)
		assert_int_equal(channel_program_ops.write(st, a, &d, &lost, err, sizeof(err)), 0);
	/* ...then a deadline in the past: the full pipe no longer holds the
	 * write, nor does the program that has not exited hold close. */
	channel_deadline_set(&d, channel_deadline_now_ns());
	int rc = 0;
	for (int i = 0; i < 200 && rc == 0; i++)
		rc = channel_program_ops.write(st, a, &d, &lost, err, sizeof(err));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "does not read its input"));
	channel_program_ops.close(st, &d);
	channel_program_ops.free(st);
	alert_unref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_keep_alive),
		cmocka_unit_test(test_coalesced_until_flush),
		cmocka_unit_test(test_file_open_error),
		cmocka_unit_test(test_program_keep_alive),
		cmocka_unit_test(test_program_gets_default_signals),
		cmocka_unit_test(test_program_not_reading_gives_up_at_deadline),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
