/* rules_ctl: the running set as config files + module contributions; a
 * contribution is kept across reloads and applies, toggles included; a
 * failing change changes nothing and says where; the list names origins,
 * files and their sha256, and counts matches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/rules_ctl.h"
#include "engine/engine.h"

#ifndef FAPI_SHARED_DIR
#define FAPI_SHARED_DIR "/work/shared/falco-0.31.1"
#endif
#define CAPTURE FAPI_SHARED_DIR "/captures/cat_write.scap"

static const char config_rules[] = "- macro: every\n"
				   "  condition: evt.num > 0\n"
				   "- rule: config_rule\n"
				   "  desc: from the config file\n"
				   "  condition: every\n"
				   "  output: c %evt.num\n"
				   "  priority: WARNING\n"
				   "  tags: [cfg]\n";

static const char api_rules[] = "- rule: api_rule\n"
				"  desc: from the api\n"
				"  condition: every and evt.num > 1\n"
				"  output: a %evt.num\n"
				"  priority: ERROR\n"
				"  tags: [api, shared]\n";

typedef struct fixture {
	char dir[64];
	char path[128];
	engine *e;
	rules_ctl *ctl;
} fixture;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/rules_ctl.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/config.yaml", f->dir);
	write_file(f->path, config_rules);
	const char *paths[] = {f->path};
	engine_opts o = {.rules_paths = paths, .nrules_paths = 1, .all_events = true, .min_priority = 7};
	char err[512];
	int rc = engine_create(&f->e, &o, err, sizeof(err));
	if (rc)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	rc = rules_ctl_new(&f->ctl, f->e, paths, 1, err, sizeof(err));
	if (rc)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	rules_ctl_free(f->ctl);
	engine_free(f->e);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void print_diags(const engine_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("%s: %s\n", d->items[i].error ? "error" : "warning", d->items[i].message);
}

static const engine_rule_info *find_rule(const rules_ctl_snapshot *s, const char *name, size_t *at)
{
	for (size_t i = 0; i < s->nrules; i++)
		if (strcmp(s->rules[i].name, name) == 0) {
			if (at)
				*at = i;
			return &s->rules[i];
		}
	return NULL;
}

static uint64_t apply(fixture *f, const char *owner, const char *name, const char *text,
		      const engine_toggle *toggles, size_t nt, engine_diags *d)
{
	engine_document doc = {.name = name, .text = text, .len = text ? strlen(text) : 0};
	rules_ctl_contrib c = {.docs = &doc, .ndocs = text ? 1 : 0, .toggles = toggles, .ntoggles = nt};
	uint64_t gen = 0;
	int rc = rules_ctl_apply(f->ctl, 1, owner, &c, &gen, d);
	print_diags(d);
	return rc == 0 ? gen : 0;
}

static void test_config_then_api(void **state)
{
	fixture *f = *state;
	rules_ctl_snapshot *s = rules_ctl_snapshot_get(f->ctl);
	assert_non_null(s);
	assert_int_equal(s->generation, 1);
	assert_int_equal(s->nfiles, 1);
	assert_string_equal(s->files[0].name, f->path);
	assert_int_equal(s->files[0].origin, RULES_CTL_ORIGIN_CONFIG);
	assert_int_equal(strlen(s->files[0].sha256), 64);
	rules_ctl_snapshot_release(s);

	engine_diags d;
	/* The API document uses the config file's macro. */
	assert_int_equal(apply(f, "rules", "10-api.yaml", api_rules, NULL, 0, &d), 2);
	engine_diags_free(&d);
	s = rules_ctl_snapshot_get(f->ctl);
	assert_int_equal(s->generation, 2);
	assert_int_equal(s->nfiles, 2);
	assert_string_equal(s->files[1].name, "10-api.yaml");
	assert_string_equal(s->files[1].owner, "rules");
	assert_int_equal(s->files[1].origin, RULES_CTL_ORIGIN_API);
	size_t i = 0;
	const engine_rule_info *r = find_rule(s, "api_rule", &i);
	assert_non_null(r);
	assert_string_equal(r->file, "10-api.yaml");
	assert_int_equal(r->line, 1);
	assert_string_equal(r->desc, "from the api");
	assert_int_equal(s->rule_origin[i], RULES_CTL_ORIGIN_API);
	r = find_rule(s, "config_rule", &i);
	assert_non_null(r);
	assert_int_equal(s->rule_origin[i], RULES_CTL_ORIGIN_CONFIG);
	/* The same snapshot until the set changes. */
	rules_ctl_snapshot *s2 = rules_ctl_snapshot_get(f->ctl);
	assert_ptr_equal(s, s2);
	rules_ctl_snapshot_release(s2);
	rules_ctl_snapshot_release(s);
}

static void test_failure_changes_nothing(void **state)
{
	fixture *f = *state;
	engine_diags d;
	assert_int_equal(apply(f, "rules", "10-api.yaml", api_rules, NULL, 0, &d), 2);
	engine_diags_free(&d);
	static const char bad[] = "- rule: broken\n"
				  "  desc: d\n"
				  "  condition: undefined_macro and evt.num > 0\n"
				  "  output: o\n"
				  "  priority: INFO\n";
	assert_int_equal(apply(f, "rules", "20-bad.yaml", bad, NULL, 0, &d), 0);
	assert_true(d.nerrors >= 1);
	size_t k = 0;
	while (!d.items[k].error)
		k++;
	assert_string_equal(d.items[k].file, "20-bad.yaml");
	assert_int_equal(d.items[k].line, 3);
	assert_true(d.items[k].column > 0);
	assert_string_equal(d.items[k].item, "rule 'broken'");
	assert_string_equal(d.items[k].code, "");
	assert_non_null(strstr(d.items[k].text, "undefined_macro"));
	engine_diags_free(&d);
	/* Same generation, same contribution: a reload still has api_rule. */
	assert_int_equal(engine_generation(f->e), 2);
	uint64_t gen = 0;
	assert_int_equal(rules_ctl_reload(f->ctl, false, NULL, 0, &gen, &d), 0);
	engine_diags_free(&d);
	assert_int_equal(gen, 3);
	rules_ctl_snapshot *s = rules_ctl_snapshot_get(f->ctl);
	assert_non_null(find_rule(s, "api_rule", NULL));
	assert_int_equal(s->nfiles, 2);
	rules_ctl_snapshot_release(s);
	/* Names: no '/', unique in the set. */
	assert_int_equal(apply(f, "rules", "a/b.yaml", api_rules, NULL, 0, &d), 0);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.items[0].file, "a/b.yaml");
	engine_diags_free(&d);
	engine_document two[] = {{.name = "x.yaml", .text = api_rules, .len = strlen(api_rules)},
				 {.name = "x.yaml", .text = api_rules, .len = strlen(api_rules)}};
	rules_ctl_contrib c = {.docs = two, .ndocs = 2};
	assert_int_equal(rules_ctl_apply(f->ctl, 1, "rules", &c, NULL, &d), -1);
	assert_int_equal(d.nerrors, 1);
	assert_non_null(strstr(d.items[0].text, "another file"));
	engine_diags_free(&d);
	assert_int_equal(engine_generation(f->e), 3);
}

static void test_toggles_survive(void **state)
{
	fixture *f = *state;
	engine_diags d;
	engine_toggle t[] = {{.tag = "shared", .enabled = false}, {.rule = "no_such_rule", .enabled = false}};
	assert_int_equal(apply(f, "rules", "10-api.yaml", api_rules, t, 2, &d), 2);
	/* The toggle that matches nothing is a warning. */
	bool warned = false;
	for (size_t i = 0; i < d.n; i++)
		warned |= !d.items[i].error && strcmp(d.items[i].code, "toggle-no-match") == 0 &&
			  strstr(d.items[i].item, "no_such_rule");
	assert_true(warned);
	engine_diags_free(&d);
	rules_ctl_snapshot *s = rules_ctl_snapshot_get(f->ctl);
	assert_false(find_rule(s, "api_rule", NULL)->enabled);
	assert_true(find_rule(s, "config_rule", NULL)->enabled);
	rules_ctl_snapshot_release(s);

	/* The config file changes on disk: the reload takes it, the toggle stays. */
	write_file(f->path, "- macro: every\n  condition: evt.num > 0\n"
			    "- rule: config_rule_2\n  desc: d\n  condition: every\n  output: o\n  priority: INFO\n");
	uint64_t gen = 0;
	assert_int_equal(rules_ctl_reload(f->ctl, false, NULL, 0, &gen, &d), 0);
	engine_diags_free(&d);
	s = rules_ctl_snapshot_get(f->ctl);
	assert_int_equal(s->generation, gen);
	assert_null(find_rule(s, "config_rule", NULL));
	assert_non_null(find_rule(s, "config_rule_2", NULL));
	assert_false(find_rule(s, "api_rule", NULL)->enabled);
	rules_ctl_snapshot_release(s);

	/* A broken config file: the reload fails, naming it; nothing changes. */
	write_file(f->path, "- rule: [\n");
	assert_int_not_equal(rules_ctl_reload(f->ctl, false, NULL, 0, &gen, &d), 0);
	print_diags(&d);
	assert_true(d.nerrors >= 1);
	assert_string_equal(d.items[0].file, f->path);
	assert_true(d.items[0].line >= 1);
	engine_diags_free(&d);
	s = rules_ctl_snapshot_get(f->ctl);
	assert_int_equal(s->generation, gen);
	assert_non_null(find_rule(s, "config_rule_2", NULL));
	rules_ctl_snapshot_release(s);

	/* Withdrawing the contribution drops its document and its toggles. */
	assert_int_equal(apply(f, "rules", NULL, NULL, NULL, 0, &d), gen + 1);
	engine_diags_free(&d);
	s = rules_ctl_snapshot_get(f->ctl);
	assert_null(find_rule(s, "api_rule", NULL));
	assert_int_equal(s->nfiles, 1);
	rules_ctl_snapshot_release(s);
}

static void test_matches(void **state)
{
	fixture *f = *state;
	if (access(CAPTURE, R_OK) != 0) {
		print_message("skipping: %s not found\n", CAPTURE);
		skip();
	}
	engine_diags d;
	assert_int_equal(apply(f, "rules", "10-api.yaml", api_rules, NULL, 0, &d), 2);
	engine_diags_free(&d);
	char err[512];
	atomic_bool stop = false;
	assert_int_equal(engine_open_capture(f->e, CAPTURE, 1, 0, err, sizeof(err)), 0);
	assert_int_equal(engine_run(f->e, &stop, err, sizeof(err)), 0);
	engine_stats st;
	engine_get_stats(f->e, &st);
	rules_ctl_snapshot *s = rules_ctl_snapshot_get(f->ctl);
	uint64_t m[8];
	assert_true(s->nrules <= 8);
	assert_int_equal(rules_ctl_matches(f->ctl, s, m), 0);
	size_t i = 0, j = 0;
	find_rule(s, "config_rule", &i);
	find_rule(s, "api_rule", &j);
	/* Each alert is one rule's match; config_rule comes first and
	 * matches what api_rule would. */
	assert_true(m[i] > 0);
	assert_int_equal(m[i] + m[j], st.alerts);
	uint64_t config_matches = m[i];
	rules_ctl_snapshot_release(s);
	/* After a swap the old snapshot's counts are refused. */
	uint64_t gen = 0;
	assert_int_equal(rules_ctl_reload(f->ctl, false, NULL, 0, &gen, &d), 0);
	engine_diags_free(&d);
	assert_int_equal(rules_ctl_matches(f->ctl, s, m), -1);
	rules_ctl_snapshot *s2 = rules_ctl_snapshot_get(f->ctl);
	assert_ptr_not_equal(s, s2);
	assert_int_equal(rules_ctl_matches(f->ctl, s2, m), 0);
	find_rule(s2, "config_rule", &i);
	assert_int_equal(m[i], config_matches); /* kept across the swap */
	rules_ctl_snapshot_release(s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_then_api, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_toggles_survive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_matches, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
