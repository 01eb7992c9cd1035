/* The rules module's persisted state: the manifest's text form (every
 * truncation and every flipped byte refused), commits replacing the state
 * whole, the sweep of what a crash leaves, and a commit stopped after each
 * of its durable steps (as a kill -9 would stop it) leaving the old state
 * or the new one. */
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

#include "engine/util/file_write.h"
#include "rules_manifest.h"
#include "rules_state.h"
#include "rules_store.h"

static char base[256];
/* The fake host: the core's own crash-safe writer, and a budget of
 * durable steps after which every write fails, as if the process had
 * died there (-1: no limit). */
static int budget = -1;

static int fake_prepare(fapi_module_ctx *ctx, const char *dir, char *err, size_t errlen)
{
	(void)ctx;
	return file_mkdirs(dir, 0700, err, errlen) == 0 ? FAPI_OK : FAPI_EINVAL;
}

static bool fake_spend(char *err, size_t errlen)
{
	if (budget == 0) {
		snprintf(err, errlen, "simulated crash");
		return false;
	}
	if (budget > 0)
		budget--;
	return true;
}

static int fake_write(fapi_module_ctx *ctx, const char *dir, const char *name, const void *data, size_t len,
		      char *err, size_t errlen)
{
	(void)ctx;
	if (!fake_spend(err, errlen))
		return FAPI_EIO;
	return file_write_atomic(dir, name, data, len, 0600, err, errlen) == 0 ? FAPI_OK : FAPI_EIO;
}

static int fake_remove(fapi_module_ctx *ctx, const char *dir, const char *name, char *err, size_t errlen)
{
	(void)ctx;
	if (!fake_spend(err, errlen))
		return FAPI_EIO;
	return file_remove_durable(dir, name, err, errlen) == 0 ? FAPI_OK : FAPI_EIO;
}

static void fake_log(fapi_module_ctx *ctx, fapi_log_level level, const char *fmt, ...)
{
	(void)ctx, (void)level, (void)fmt;
}

static fapi_host host = {
	.size = sizeof(fapi_host),
	.log = fake_log,
	.state_dir_prepare = fake_prepare,
	.state_write = fake_write,
	.state_remove = fake_remove,
};

static rules_store store(void)
{
	return (rules_store){.host = &host, .dir = base};
}

static int setup(void **state)
{
	(void)state;
	budget = -1;
	snprintf(base, sizeof(base), "/tmp/fapi_rules_store.XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t entries(void)
{
	DIR *d = opendir(base);
	size_t n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.' || strstr(e->d_name, ".tmp.");
	if (d)
		closedir(d);
	return n;
}

static void make_state(rules_state *s, uint64_t rev, const char *a, const char *b)
{
	memset(s, 0, sizeof(*s));
	s->revision = rev;
	if (a)
		assert_int_equal(rules_state_put(s, "20-b.yaml", a, strlen(a), rev), 0);
	if (b)
		assert_int_equal(rules_state_put(s, "10-a.yaml", b, strlen(b), rev), 0);
	assert_int_equal(rules_state_toggle(s, false, false, "Write below etc"), 0);
	assert_int_equal(rules_state_toggle(s, true, true, "network"), 0);
}

static void assert_same(const rules_state *a, const rules_state *b)
{
	assert_int_equal(a->revision, b->revision);
	assert_int_equal(a->nfiles, b->nfiles);
	for (size_t i = 0; i < a->nfiles; i++) {
		assert_string_equal(a->files[i].name, b->files[i].name);
		assert_string_equal(a->files[i].sha256, b->files[i].sha256);
		assert_int_equal(a->files[i].revision, b->files[i].revision);
		assert_int_equal(a->files[i].len, b->files[i].len);
		if (a->files[i].content && b->files[i].content)
			assert_memory_equal(a->files[i].content, b->files[i].content, a->files[i].len);
	}
	assert_int_equal(a->ntoggles, b->ntoggles);
	for (size_t i = 0; i < a->ntoggles; i++) {
		assert_string_equal(a->toggles[i].value, b->toggles[i].value);
		assert_int_equal(a->toggles[i].enable, b->toggles[i].enable);
		assert_int_equal(a->toggles[i].by_tag, b->toggles[i].by_tag);
	}
}

static void test_state_order_and_toggles(void **state)
{
	(void)state;
	rules_state s;
	make_state(&s, 3, "- list: x\n  items: []\n", "- macro: m\n  condition: evt.num > 0\n");
	assert_string_equal(s.files[0].name, "10-a.yaml");
	assert_string_equal(s.files[1].name, "20-b.yaml");
	/* A newer toggle of the same rule replaces the older and goes last. */
	assert_int_equal(rules_state_toggle(&s, true, false, "Write below etc"), 0);
	assert_int_equal(s.ntoggles, 2);
	assert_string_equal(s.toggles[1].value, "Write below etc");
	assert_true(s.toggles[1].enable);
	assert_int_equal(rules_state_remove(&s, "10-a.yaml"), 0);
	assert_int_equal(rules_state_remove(&s, "10-a.yaml"), -1);
	assert_int_equal(s.nfiles, 1);
	rules_state_free(&s);
	assert_true(rules_state_valid_name("a-b_c.1.yaml"));
	assert_false(rules_state_valid_name(".hidden.yaml"));
	assert_false(rules_state_valid_name("a/b.yaml"));
	assert_false(rules_state_valid_name("a.yml"));
	assert_false(rules_state_valid_name(".yaml"));
	assert_false(rules_state_valid_name("a b.yaml"));
	assert_false(rules_state_valid_value("a\nb"));
	assert_true(rules_state_valid_value("Write below etc"));
}

static void test_manifest_roundtrip_and_damage(void **state)
{
	(void)state;
	rules_state s, back;
	make_state(&s, 42, "one", "two");
	char *text;
	size_t len;
	assert_int_equal(rules_manifest_format(&s, &text, &len), 0);
	char err[256];
	assert_int_equal(rules_manifest_parse(text, len, &back, err, sizeof(err)), 0);
	assert_same(&s, &back);
	rules_state_free(&back);
	/* Every truncation is refused, never read as a smaller state. */
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(rules_manifest_parse(text, n, &back, err, sizeof(err)), -1);
		assert_int_equal(back.nfiles, 0);
	}
	/* So is every changed byte outside the comment line. */
	size_t start = (size_t)(strchr(text, '\n') - text) + 1;
	for (size_t i = start; i < len; i++) {
		char saved = text[i];
		text[i] = saved == 'x' ? 'y' : 'x';
		assert_int_equal(rules_manifest_parse(text, len, &back, err, sizeof(err)), -1);
		text[i] = saved;
	}
	free(text);
	rules_state_free(&s);
}

static void test_store_commit_load_sweep(void **state)
{
	(void)state;
	rules_store st = store();
	char err[512];
	rules_state empty, s1, s2, got;
	bool found = true;
	assert_int_equal(rules_store_load(&st, &empty, &found, err, sizeof(err)), FAPI_OK);
	assert_false(found);
	assert_int_equal(empty.revision, 1);
	make_state(&s1, 2, "first b", "first a");
	assert_int_equal(rules_store_commit(&st, &empty, &s1, err, sizeof(err)), FAPI_OK);
	assert_int_equal(entries(), 3); /* manifest and two blobs */
	assert_int_equal(rules_store_load(&st, &got, &found, err, sizeof(err)), FAPI_OK);
	assert_true(found);
	assert_same(&s1, &got);
	rules_state_free(&got);
	assert_int_equal(rules_state_copy(&s2, &s1), 0);
	s2.revision = 3;
	assert_int_equal(rules_state_remove(&s2, "10-a.yaml"), 0);
	assert_int_equal(rules_state_put(&s2, "20-b.yaml", "second b", 8, 3), 0);
	assert_int_equal(rules_store_commit(&st, &s1, &s2, err, sizeof(err)), FAPI_OK);
	assert_int_equal(entries(), 2); /* the old blobs are gone */
	assert_int_equal(rules_store_load(&st, &got, &found, err, sizeof(err)), FAPI_OK);
	assert_same(&s2, &got);
	rules_state_free(&got);
	/* What a crash leaves: a blob nobody names, a temporary. */
	char path[512];
	snprintf(path, sizeof(path), "%s/api-%064d.yaml", base, 0);
	FILE *f = fopen(path, "w");
	fputs("orphan", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/.manifest.tmp.AbCdEf", base);
	f = fopen(path, "w");
	fclose(f);
	assert_int_equal(entries(), 4);
	rules_store_sweep(&st, &s2);
	assert_int_equal(entries(), 2);
	/* A damaged blob stops the load, naming the file. */
	char blob[128];
	rules_manifest_blob_name(s2.files[0].sha256, blob, sizeof(blob));
	snprintf(path, sizeof(path), "%s/%s", base, blob);
	f = fopen(path, "w");
	fputs("second c", f);
	fclose(f);
	assert_int_equal(rules_store_load(&st, &got, &found, err, sizeof(err)), FAPI_EIO);
	assert_non_null(strstr(err, "20-b.yaml"));
	assert_non_null(strstr(err, "does not match its sha256"));
	unlink(path);
	assert_int_equal(rules_store_load(&st, &got, &found, err, sizeof(err)), FAPI_EIO);
	assert_non_null(strstr(err, "is missing"));
	rules_state_free(&s1);
	rules_state_free(&s2);
	rules_state_free(&empty);
}

/* A commit cut after each of its steps: the load sees the old state or the
 * new one, whole, and once the sweep ran nothing else is on disk. */
static void test_store_crash_each_step(void **state)
{
	(void)state;
	rules_store st = store();
	char err[512];
	rules_state s1, s2, got;
	bool found;
	make_state(&s1, 2, "old b", "old a");
	assert_int_equal(rules_store_commit(&st, NULL, &s1, err, sizeof(err)), FAPI_OK);
	make_state(&s2, 3, "new b", "new a");
	assert_int_equal(rules_state_put(&s2, "30-c.yaml", "new c", 5, 3), 0);
	bool saw_old = false, saw_new = false;
	for (int steps = 0; steps < 12; steps++) {
		/* Back to s1 on disk, all steps allowed. */
		budget = -1;
		assert_int_equal(rules_store_commit(&st, NULL, &s1, err, sizeof(err)), FAPI_OK);
		rules_store_sweep(&st, &s1);
		budget = steps;
		/* A failure part-way also tries to remove what it wrote:
		 * those removals spend the same budget, as a crash would stop
		 * them too. */
		rules_store_commit(&st, &s1, &s2, err, sizeof(err));
		budget = -1;
		assert_int_equal(rules_store_load(&st, &got, &found, err, sizeof(err)), FAPI_OK);
		if (got.revision == 2) {
			assert_same(&s1, &got);
			saw_old = true;
		} else {
			assert_same(&s2, &got);
			saw_new = true;
		}
		rules_store_sweep(&st, &got);
		assert_int_equal(entries(), 1 + got.nfiles);
		rules_state_free(&got);
	}
	assert_true(saw_old);
	assert_true(saw_new);
	rules_state_free(&s1);
	rules_state_free(&s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_order_and_toggles),
		cmocka_unit_test(test_manifest_roundtrip_and_damage),
		cmocka_unit_test_setup_teardown(test_store_commit_load_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_crash_each_step, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
