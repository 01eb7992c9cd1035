/* The configuration host functions over config_live: list, set, reset,
 * revision, the overlay, reload, refusals that change nothing. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_live.h"
#include "engine/util/file_read.h"
#include "modules/loader.h"

typedef struct fixture {
	char dir[256], file[300], state[300];
	config_live *live;
	module_set set;
	struct fapi_module_ctx ctx;
	const fapi_host *h;
	int applied;
	bool refuse;
} fixture;

static const fapi_config_key mod_keys[] = {
	FAPI_CONFIG_KEY_INIT(.path = "state_dir", .type = FAPI_CONFIG_STRING, .description = "s",
			     .reload = FAPI_CONFIG_RESTART),
	FAPI_CONFIG_KEY_INIT(.path = "capacity", .type = FAPI_CONFIG_INT, .def = "10", .min = 1, .max = 100,
			     .description = "c", .reload = FAPI_CONFIG_RESTART),
};

static int hook_apply(void *user, const config_node *old, const config_node *root, char *err, size_t errlen)
{
	(void)old;
	(void)root;
	fixture *f = user;
	if (f->refuse) {
		snprintf(err, errlen, "refused by the hook");
		return -1;
	}
	f->applied++;
	return 0;
}

static int hook_check(void *user, const config_node *root, char *err, size_t errlen)
{
	(void)user;
	const config_node *n = config_lookup(root, "grpc.cert_chain");
	if (n && !config_lookup(root, "grpc.private_key")) {
		snprintf(err, errlen, "grpc.cert_chain needs grpc.private_key");
		return -1;
	}
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void open_live(fixture *f)
{
	char err[1024];
	assert_int_equal(config_live_load(&f->live, f->file, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(config_live_add_module(f->live, "configs", mod_keys, 2), 0);
	config_live_hooks h = {.check = hook_check, .apply = hook_apply, .user = f};
	config_live_set_hooks(f->live, &h);
	f->set.live = f->live;
	f->ctx = (struct fapi_module_ctx){.name = "configs", .set = &f->set};
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/fapi-hostcfg-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->file, sizeof(f->file), "%s/falco.yaml", f->dir);
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	char yaml[1024];
	snprintf(yaml, sizeof(yaml),
		 "outputs:\n  rate: 7\nload_modules: [version, configs]\nmodules:\n  - name: configs\n    config:\n"
		 "      state_dir: %s\n",
		 f->state);
	write_file(f->file, yaml);
	f->h = loader_host_table();
	open_live(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	config_live_free(f->live);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static bool entry(fixture *f, const char *path, fapi_config_entry *e, fapi_config_snapshot **s)
{
	char err[512];
	if (f->h->config_list(&f->ctx, path, s, err, sizeof(err)) != FAPI_OK)
		return false;
	*e = (fapi_config_entry){.size = sizeof(*e)};
	return f->h->config_snapshot_entry(*s, 0, e) == FAPI_OK;
}

static int set1(fixture *f, const char *path, const char *value, uint64_t if_rev, bool validate,
		fapi_config_result *r, char *err)
{
	fapi_config_change c = FAPI_CONFIG_CHANGE_INIT(.path = path, .value = value);
	fapi_config_set_opts o = FAPI_CONFIG_SET_OPTS_INIT(.if_revision = if_rev, .validate_only = validate);
	*r = (fapi_config_result)FAPI_CONFIG_RESULT_INIT;
	return f->h->config_set(&f->ctx, &c, 1, &o, r, err, 512);
}

static void test_list(void **state)
{
	fixture *f = *state;
	fapi_config_snapshot *s;
	char err[512];
	assert_int_equal(f->h->config_list(&f->ctx, "", &s, err, sizeof(err)), FAPI_OK);
	size_t all = f->h->config_snapshot_count(s);
	assert_true(all > 50);
	assert_int_equal(f->h->config_snapshot_revision(s), 1);
	f->h->config_snapshot_free(s);
	assert_int_equal(f->h->config_list(&f->ctx, "outputs", &s, err, sizeof(err)), FAPI_OK);
	assert_int_equal(f->h->config_snapshot_count(s), 2);
	assert_non_null(strstr(f->h->config_snapshot_yaml(s), "outputs:\n  rate: 7\n  max_burst: 1000\n"));
	f->h->config_snapshot_free(s);
	fapi_config_entry e;
	assert_true(entry(f, "outputs.rate", &e, &s));
	assert_string_equal(e.value, "7");
	assert_int_equal(e.i, 7);
	assert_int_equal(e.reload, FAPI_CONFIG_HOT);
	assert_non_null(strstr(e.origin, "falco.yaml:2"));
	assert_string_equal(e.description, "Falco's output rate limiter: alerts per second, 0 = no limit");
	f->h->config_snapshot_free(s);
	assert_true(entry(f, "modules.configs.capacity", &e, &s));
	assert_false(e.present);
	assert_string_equal(e.module, "configs");
	assert_string_equal(e.def, "10");
	f->h->config_snapshot_free(s);
	assert_true(entry(f, "load_modules", &e, &s));
	assert_int_equal(e.nitems, 2);
	assert_string_equal(e.items[1], "configs");
	assert_string_equal(e.origin, e.origin); /* from the file */
	assert_int_equal(e.flags & FAPI_CONFIG_GUARDED, FAPI_CONFIG_GUARDED);
	f->h->config_snapshot_free(s);
	assert_int_equal(f->h->config_list(&f->ctx, "no.such", &s, err, sizeof(err)), FAPI_ENOTFOUND);
	assert_null(s);
	/* A small entry size gets what fits. */
	assert_int_equal(f->h->config_list(&f->ctx, "priority", &s, err, sizeof(err)), FAPI_OK);
	fapi_config_entry small = {.size = offsetof(fapi_config_entry, module)};
	assert_int_equal(f->h->config_snapshot_entry(s, 0, &small), FAPI_OK);
	assert_string_equal(small.path, "priority");
	assert_null(small.module);
	assert_int_equal(f->h->config_snapshot_entry(s, 1, &small), FAPI_ENOTFOUND);
	f->h->config_snapshot_free(s);
}

static void test_set_reset_and_overlay(void **state)
{
	fixture *f = *state;
	fapi_config_result r;
	char err[512];
	assert_int_equal(set1(f, "outputs.rate", "5", 1, false, &r, err), FAPI_OK);
	assert_int_equal(r.revision, 2);
	assert_int_equal(r.npending, 0);
	assert_int_equal(r.nchanged, 1);
	assert_string_equal(r.old_values[0], "7");
	assert_string_equal(r.new_values[0], "5");
	f->h->config_result_free(&r);
	assert_int_equal(f->applied, 1);
	assert_int_equal(f->h->config_revision(&f->ctx), 2);
	char path[400], *text;
	size_t len;
	snprintf(path, sizeof(path), "%s/overlay.yaml", f->state);
	assert_int_equal(file_read_all(path, &text, &len), 0);
	assert_non_null(strstr(text, "\noutputs.rate: 5\n"));
	free(text);
	fapi_config_entry e;
	fapi_config_snapshot *s;
	assert_true(entry(f, "outputs.rate", &e, &s));
	assert_string_equal(e.origin, "api");
	assert_int_equal(e.i, 5);
	f->h->config_snapshot_free(s);
	/* A restart-class key waits. */
	assert_int_equal(set1(f, "modules.configs.capacity", "20", 0, false, &r, err), FAPI_OK);
	assert_int_equal(r.npending, 1);
	assert_string_equal(r.pending[0], "modules.configs.capacity");
	f->h->config_result_free(&r);
	assert_true(entry(f, "modules.configs.capacity", &e, &s));
	assert_true(e.pending_restart);
	assert_null(e.running);
	assert_int_equal(e.i, 20);
	f->h->config_snapshot_free(s);
	/* It survives a restart: the overlay is read after the file. */
	config_live_free(f->live);
	open_live(f);
	assert_true(entry(f, "modules.configs.capacity", &e, &s));
	assert_false(e.pending_restart);
	assert_string_equal(e.origin, "api");
	f->h->config_snapshot_free(s);
	/* Reset: back to the file's value. */
	const char *paths[] = {"outputs"};
	r = (fapi_config_result)FAPI_CONFIG_RESULT_INIT;
	assert_int_equal(f->h->config_reset(&f->ctx, paths, 1, NULL, &r, err, sizeof(err)), FAPI_OK);
	f->h->config_result_free(&r);
	assert_true(entry(f, "outputs.rate", &e, &s));
	assert_string_equal(e.value, "7");
	assert_non_null(strstr(e.origin, "falco.yaml:2"));
	f->h->config_snapshot_free(s);
	const char *bad[] = {"no.such.key"};
	r = (fapi_config_result)FAPI_CONFIG_RESULT_INIT;
	assert_int_equal(f->h->config_reset(&f->ctx, bad, 1, NULL, &r, err, sizeof(err)), FAPI_EINVAL);
	assert_string_equal(r.key, "no.such.key");
	f->h->config_result_free(&r);
}

static void test_refusals_change_nothing(void **state)
{
	fixture *f = *state;
	fapi_config_result r;
	char err[512];
	struct {
		const char *path, *value, *msg;
	} cases[] = {
		{"outputs.rate", "fast", "api: key 'outputs.rate' must be an integer, got 'fast'"},
		{"priority", "loud", "key 'priority' must be one of"},
		{"grpc.threadiness", "-1", "grpc.threadiness must be between 0 and 256"},
		{"modules.configs.capacity", "1000", "modules.configs.capacity must be between 1 and 100"},
		{"nope", "1", "unknown configuration key 'nope'"},
		{"modules.configs.nope", "1", "unknown configuration key 'modules.configs.nope'"},
		{"modules", "[]", NULL},
		{"grpc.cert_chain", "/x", "grpc.cert_chain needs grpc.private_key"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = set1(f, cases[i].path, cases[i].value, 0, false, &r, err);
		if (!cases[i].msg) {
			/* modules: [] is a valid list: it changes something. */
			assert_int_equal(rc, FAPI_OK);
			f->h->config_result_free(&r);
			const char *p[] = {"modules"};
			r = (fapi_config_result)FAPI_CONFIG_RESULT_INIT;
			assert_int_equal(f->h->config_reset(&f->ctx, p, 1, NULL, &r, err, sizeof(err)), FAPI_OK);
			f->h->config_result_free(&r);
			continue;
		}
		assert_int_equal(rc, FAPI_EINVAL);
		if (!strstr(err, cases[i].msg))
			fail_msg("%s=%s: '%s' lacks '%s'", cases[i].path, cases[i].value, err, cases[i].msg);
		assert_string_equal(r.key, cases[i].path);
		assert_int_equal(r.revision, 1 + 2 * (i > 6));
		f->h->config_result_free(&r);
	}
	uint64_t rev = f->h->config_revision(&f->ctx);
	assert_int_equal(set1(f, "priority", "error", rev + 5, false, &r, err), FAPI_ECONFLICT);
	assert_null(r.key);
	f->h->config_result_free(&r);
	assert_int_equal(set1(f, "priority", "error", 0, true, &r, err), FAPI_OK);
	assert_int_equal(r.revision, rev);
	f->h->config_result_free(&r);
	/* The hook refuses: nothing changed, the file is not written. */
	f->refuse = true;
	assert_int_equal(set1(f, "priority", "error", 0, false, &r, err), FAPI_EINVAL);
	assert_non_null(strstr(err, "refused by the hook"));
	f->h->config_result_free(&r);
	f->refuse = false;
	/* The overlay cannot be written: the change is taken back. */
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && touch '%s'", f->state, f->state);
	assert_int_equal(system(cmd), 0);
	int before = f->applied;
	assert_int_equal(set1(f, "priority", "error", 0, false, &r, err), FAPI_EIO);
	f->h->config_result_free(&r);
	assert_int_equal(f->applied, before + 2); /* applied, then taken back */
	assert_int_equal(f->h->config_revision(&f->ctx), rev);
	fapi_config_entry e;
	fapi_config_snapshot *s;
	assert_true(entry(f, "priority", &e, &s));
	assert_string_equal(e.value, "debug");
	f->h->config_snapshot_free(s);
}

static void test_reload(void **state)
{
	fixture *f = *state;
	char err[1024];
	char yaml[1024];
	snprintf(yaml, sizeof(yaml),
		 "outputs:\n  rate: 9\ngrpc: {threadiness: 4}\nload_modules: [version, configs]\nmodules:\n"
		 "  - name: configs\n    config:\n      state_dir: %s\n",
		 f->state);
	write_file(f->file, yaml);
	assert_int_equal(config_live_reload(f->live, err, sizeof(err)), 0);
	assert_int_equal(config_live_revision(f->live), 2);
	fapi_config_entry e;
	fapi_config_snapshot *s;
	assert_true(entry(f, "grpc.threadiness", &e, &s));
	assert_true(e.pending_restart);
	assert_string_equal(e.running, "0");
	f->h->config_snapshot_free(s);
	write_file(f->file, "outputs: {rate: [1]}\n");
	assert_int_equal(config_live_reload(f->live, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "key 'outputs.rate' must be an integer, not a sequence"));
	assert_int_equal(config_live_revision(f->live), 2);
	assert_true(entry(f, "outputs.rate", &e, &s));
	assert_string_equal(e.value, "9");
	f->h->config_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_reset_and_overlay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
