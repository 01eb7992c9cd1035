/* Tests of the rules document (rules_doc): Falco 0.31 item semantics over
 * several files, errors with positions, atomic loads, real Falco rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/rules/rules_doc.h"

#ifndef FAPI_SHARED_DIR
#define FAPI_SHARED_DIR "/work/shared/falco-0.31.1"
#endif
#ifndef FAPI_TEST_SOURCE_DIR
#define FAPI_TEST_SOURCE_DIR "/work/main/tests"
#endif

static char errbuf[2048];

static const char *fixture(const char *name)
{
	static char path[4][1024];
	static int slot;
	slot = (slot + 1) % 4;
	snprintf(path[slot], sizeof(path[slot]), "%s/fixtures/rules/%s", FAPI_TEST_SOURCE_DIR, name);
	return path[slot];
}

static const char *shared(const char *name)
{
	static char path[1024];
	snprintf(path, sizeof(path), "%s/%s", FAPI_SHARED_DIR, name);
	return path;
}

static rules_doc *new_doc(void)
{
	rules_doc *d = rules_doc_new(NULL);
	assert_non_null(d);
	return d;
}

static void load_ok(rules_doc *d, const char *path)
{
	int rc = rules_doc_load_file(d, path, errbuf, sizeof(errbuf));
	if(rc != RULES_OK)
		fail_msg("loading %s failed (%d): %s", path, rc, errbuf);
}

static int load_str(rules_doc *d, const char *name, const char *yaml)
{
	errbuf[0] = '\0';
	return rules_doc_load_buffer(d, name, yaml, strlen(yaml), errbuf, sizeof(errbuf));
}

static void assert_contains(const char *hay, const char *needle)
{
	if(!hay || !strstr(hay, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, hay ? hay : "(null)");
}

static void assert_list_items(const char *const *items, size_t n, const char *const *expect, size_t n_expect)
{
	assert_int_equal(n, n_expect);
	for(size_t i = 0; i < n; i++)
		assert_string_equal(items[i], expect[i]);
}

#define EXPECT_ITEMS(items, n, ...)                                                                          \
	do {                                                                                                 \
		const char *const e_[] = {__VA_ARGS__};                                                      \
		assert_list_items((const char *const *)(items), (n), e_, sizeof(e_) / sizeof(e_[0]));         \
	} while(0)

/* ---- all item kinds ---------------------------------------------------------- */

static void test_all_item_kinds(void **state)
{
	(void)state;
	rules_doc *d = new_doc();
	load_ok(d, fixture("base.yaml"));

	assert_int_equal(rules_doc_file_count(d), 1);
	assert_string_equal(rules_doc_file_name(d, 0), fixture("base.yaml"));
	assert_int_equal(rules_doc_required_engine_version(d), 9);
	assert_int_equal(rules_doc_file_required_engine_version(d, 0), 9);
	assert_int_equal(rules_doc_plugin_requirement_count(d), 1);
	assert_string_equal(rules_doc_plugin_requirement_at(d, 0)->name, "k8saudit");
	assert_string_equal(rules_doc_plugin_requirement_at(d, 0)->version, "0.1.0");

	/* lists, in order, with flattening of earlier lists */
	assert_int_equal(rules_doc_list_count(d), 3);
	const rules_list *l = rules_doc_list_at(d, 2);
	assert_string_equal(l->name, "interactive");
	assert_int_equal(l->order, 2);
	assert_int_equal(l->loc.line, 16);
	assert_int_equal(l->loc.col, 3);
	EXPECT_ITEMS(l->items, l->n_items, "shells", "editors", "login");
	EXPECT_ITEMS(l->expanded, l->n_expanded, "bash", "sh", "vi", "nano editor", "login");
	assert_true(rules_doc_find_list(d, "shells")->used_by_list);
	assert_false(l->used_by_list);

	/* macros */
	assert_int_equal(rules_doc_macro_count(d), 2);
	const rules_macro *m = rules_doc_find_macro(d, "shell_procs");
	assert_non_null(m);
	assert_int_equal(m->order, 1);
	assert_string_equal(m->condition, "proc.name in (shells)");
	assert_string_equal(m->source, "syscall");
	assert_int_equal(m->loc.line, 22);
	assert_int_equal(m->condition_loc.line, 23);

	/* rules and every field */
	assert_int_equal(rules_doc_rule_count(d), 3);
	const rules_rule *r = rules_doc_rule_at(d, 0);
	assert_string_equal(r->name, "shell_in_container");
	assert_string_equal(r->condition, "spawned_process and shell_procs");
	assert_string_equal(r->compile_condition, "spawned_process and shell_procs");
	assert_string_equal(r->output, "Shell spawned (user=%user.name cmd=%proc.cmdline)"); /* trimmed */
	assert_string_equal(r->desc, "A shell was spawned in a container");
	assert_int_equal(r->priority, RULES_PRIORITY_WARNING);
	assert_string_equal(r->source, "syscall");
	EXPECT_ITEMS(r->tags, r->n_tags, "container", "shell", "mitre_execution");
	assert_true(r->enabled);
	assert_false(r->skip_if_unknown_filter);
	assert_true(r->warn_evttypes);
	assert_int_equal(r->loc.line, 25);
	assert_string_equal(r->loc.file, fixture("base.yaml"));

	r = rules_doc_find_rule(d, "k8s_thing");
	assert_non_null(r);
	assert_int_equal(r->order, 1);
	assert_int_equal(r->priority, RULES_PRIORITY_INFORMATIONAL);
	assert_string_equal(r->source, "k8s_audit");
	assert_false(r->enabled);
	assert_true(r->skip_if_unknown_filter);
	assert_false(r->warn_evttypes);
	assert_int_equal(r->n_tags, 0);

	r = rules_doc_find_rule(d, "write_below_etc");
	assert_int_equal(r->priority, RULES_PRIORITY_ERROR);
	assert_int_equal(r->n_exceptions, 4);

	/* the unknown item is a warning naming file and line */
	assert_int_equal(rules_doc_warning_count(d), 1);
	assert_contains(rules_doc_warning_at(d, 0), "base.yaml:65:3: Unknown top level object: {something_else=42}");

	/* item sequence numbers cover every item */
	assert_int_equal(rules_doc_item_count(d), 11);
	assert_int_equal(rules_doc_find_list(d, "shells")->seq, 2);
	rules_doc_free(d);
}

/* ---- appends ----------------------------------------------------------------------- */

static void test_appends_all_kinds(void **state)
{
	(void)state;
	rules_doc *d = new_doc();
	load_ok(d, fixture("base.yaml"));
	load_ok(d, fixture("appends.yaml"));

	const rules_list *l = rules_doc_find_list(d, "shells");
	EXPECT_ITEMS(l->items, l->n_items, "bash", "sh", "zsh");
	assert_int_equal(l->n_appends, 1);
	assert_int_equal(l->appends[0].line, 2);
	assert_string_equal(l->appends[0].file, fixture("appends.yaml"));
	/* a list naming an earlier list sees its appended items */
	l = rules_doc_find_list(d, "interactive");
	EXPECT_ITEMS(l->expanded, l->n_expanded, "bash", "sh", "zsh", "vi", "nano editor", "login");

	const rules_macro *m = rules_doc_find_macro(d, "spawned_process");
	assert_string_equal(m->condition, "evt.type = execve and evt.dir = < and proc.name != init");
	assert_int_equal(m->n_appends, 1);
	assert_int_equal(m->loc.line, 19); /* still the definition in base.yaml */

	const rules_rule *r = rules_doc_find_rule(d, "shell_in_container");
	assert_string_equal(r->condition, "spawned_process and shell_procs and container.id != host");
	assert_string_equal(r->compile_condition, r->condition);
	assert_int_equal(r->n_appends, 1);
	/* the appended rule keeps everything else */
	assert_int_equal(r->priority, RULES_PRIORITY_WARNING);
	assert_int_equal(r->n_tags, 3);
	assert_int_equal(rules_doc_rule_count(d), 3);
	assert_int_equal(rules_doc_file_count(d), 2);
	rules_doc_free(d);
}

static void test_append_in_same_file_and_chained(void **state)
{
	(void)state;
	rules_doc *d = new_doc();
	assert_int_equal(load_str(d, "mem.yaml",
				  "- list: a\n  items: [x]\n"
				  "- list: a\n  items: [y]\n  append: true\n"
				  "- list: a\n  items: []\n  append: true\n"
				  "- macro: m\n  condition: c1\n"
				  "- macro: m\n  condition: or c2\n  append: true\n"
				  "- macro: m\n  condition: or c3\n  append: true\n"),
			 RULES_OK);
	const rules_list *l = rules_doc_find_list(d, "a");
	EXPECT_ITEMS(l->items, l->n_items, "x", "y");
	assert_int_equal(l->n_appends, 2);
	assert_string_equal(rules_doc_find_macro(d, "m")->condition, "c1 or c2 or c3");
	rules_doc_free(d);
}

static void test_dangling_append(void **state)
{
	(void)state;
	rules_doc *d = new_doc();
	assert_int_equal(rules_doc_load_file(d, fixture("dangling_append.yaml"), errbuf, sizeof(errbuf)),
			 RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "dangling_append.yaml:4:3: rule 'no_such_rule': "
				"Rule no_such_rule has 'append' key but no rule by that name already exists");
	/* nothing of the file was applied, not even the list before the error */
	assert_int_equal(rules_doc_list_count(d), 0);
	assert_int_equal(rules_doc_file_count(d), 0);

	assert_int_equal(load_str(d, "l.yaml", "- list: nope\n  items: [a]\n  append: true\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "l.yaml:1:3: list 'nope': List nope has 'append' key but no list by that name "
				"already exists");
	assert_int_equal(load_str(d, "m.yaml", "\n- macro: nope\n  condition: x\n  append: true\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "m.yaml:2:3: macro 'nope': Macro nope has 'append' key but no macro by that name "
				"already exists");
	rules_doc_free(d);
}

/* ---- overwrite and enabled ------------------------------------------------------------- */

static void test_overwrite_keeps_position(void **state)
{
	(void)state;
	rules_doc *d = new_doc();
	load_ok(d, fixture("base.yaml"));
	load_ok(d, fixture("appends.yaml"));
	load_ok(d, fixture("overwrite.yaml"));

	assert_int_equal(rules_doc_list_count(d), 4);
	const rules_list *l = rules_doc_list_at(d, 0);
	assert_string_equal(l->name, "shells");
	EXPECT_ITEMS(l->items, l->n_items, "fish"); /* replaced, appends dropped */
	assert_int_equal(l->n_appends, 0);
	assert_int_equal(l->loc.line, 2);
	assert_string_equal(l->loc.file, fixture("overwrite.yaml"));
	assert_string_equal(rules_doc_list_at(d, 3)->name, "brand_new");
	/* flattening uses the new definition */
	l = rules_doc_find_list(d, "interactive");
	EXPECT_ITEMS(l->expanded, l->n_expanded, "fish", "vi", "nano editor", "login");

	assert_string_equal(rules_doc_macro_at(d, 0)->name, "spawned_process");
	assert_string_equal(rules_doc_macro_at(d, 0)->condition, "evt.type = execve");

	const rules_rule *r = rules_doc_rule_at(d, 0);
	assert_string_equal(r->name, "shell_in_container");
	assert_int_equal(r->order, 0);
	assert_string_equal(r->desc, "Redefined");
	assert_string_equal(r->condition, "spawned_process");
	assert_int_equal(r->priority, RULES_PRIORITY_CRITICAL);
	assert_int_equal(r->n_tags, 0);
	assert_int_equal(rules_doc_rule_count(d), 3);

	/* the enabled-only item toggled the rule without replacing it */
	r = rules_doc_find_rule(d, "k8s_thing");
	assert_true(r->enabled);
	assert_string_equal(r->source, "k8s_audit");
	assert_string_equal(r->condition, "ka.verb = create");
	rules_doc_free(d);
}

static void test_enabled_toggle(void **state)
{
	(void)state;
	rules_doc *d = new_doc();
	assert_int_equal(load_str(d, "a.yaml",
				  "- rule: r1\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: DEBUG\n"
				  "- rule: r1\n  enabled: false\n"),
			 RULES_OK);
	assert_false(rules_doc_find_rule(d, "r1")->enabled);
	assert_string_equal(rules_doc_find_rule(d, "r1")->condition, "evt.type=open");
	/* Falco: any item missing a required property but with `enabled` is a toggle */
	assert_int_equal(load_str(d, "b.yaml", "- rule: r1\n  condition: ignored\n  enabled: true\n"), RULES_OK);
	assert_true(rules_doc_find_rule(d, "r1")->enabled);
	assert_string_equal(rules_doc_find_rule(d, "r1")->condition, "evt.type=open");
	/* toggling an undefined rule is an error */
	assert_int_equal(load_str(d, "c.yaml", "- rule: ghost\n  enabled: false\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "c.yaml:1:3: rule 'ghost': Rule ghost has 'enabled' key only, but no rule by that "
				"name already exists");
	/* without enabled, a missing property is an error, named like Falco */
	assert_int_equal(load_str(d, "d.yaml", "- rule: r2\n  desc: d\n  condition: c\n  priority: INFO\n"),
			 RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "d.yaml:1:3: rule 'r2': Rule must have property output");
	assert_int_equal(load_str(d, "e.yaml", "- rule: r2\n  output: o\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "Rule must have property condition");
	assert_int_equal(load_str(d, "f.yaml", "- rule: r2\n  condition: c\n  output: o\n  priority: INFO\n"),
			 RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "Rule must have property desc");
	assert_int_equal(load_str(d, "g.yaml", "- rule: r2\n  condition: c\n  output: o\n  desc: d\n"),
			 RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "Rule must have property priority");
	/* a present but empty name is Falco's "X name is empty", not an unknown object */
	assert_int_equal(load_str(d, "h.yaml", "- macro:\n  condition: c\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "h.yaml:1:9: macro: Macro name is empty");
	assert_int_equal(load_str(d, "h.yaml", "- list: ~\n  items: [foo]\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "h.yaml:1:9: list: List name is empty");
	assert_int_equal(load_str(d, "h.yaml", "- rule:\n  desc: d\n  condition: c\n  output: o\n"),
			 RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "h.yaml:1:8: rule: Rule name is empty");
	assert_int_equal(load_str(d, "h.yaml", "- rule: [a]\n  desc: d\n"), RULES_ERR_SCHEMA);
	assert_contains(errbuf, "h.yaml:1:9: rule: Rule name is empty");
	assert_int_equal(load_str(d, "h.yaml", "- wat: 1\n  macro:\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "Macro name is empty");
	assert_int_equal(load_str(d, "h.yaml", "- macro: false\n  condition: c\n"), RULES_OK); /* false: unknown object */
	assert_contains(rules_doc_warning_at(d, 0), "h.yaml:1:3: Unknown top level object: {macro=false,condition=\"c\"}");
	assert_int_equal(load_str(d, "i.yaml", "- macro: m\n  source: syscall\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "i.yaml:1:3: macro 'm': Macro must have property condition");
	assert_int_equal(load_str(d, "j.yaml", "- list: false\n  items: [a]\n"), RULES_OK); /* false: unknown object */
	assert_null(rules_doc_find_list(d, "false"));
	assert_int_equal(rules_doc_warning_count(d), 2);
	assert_int_equal(load_str(d, "k.yaml", "- list: l\n  append: false\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "k.yaml:1:3: list 'l': List must have property items");
	assert_int_equal(load_str(d, "l.yaml", "- rule: r1\n  append: true\n"), RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "l.yaml:1:3: rule 'r1': Appended rule must have exceptions or condition property");
	rules_doc_free(d);
}

/* ---- priorities ------------------------------------------------------------------------------- */

static void test_priority_spellings(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		rules_priority p;
	} cases[] = {
		{"EMERGENCY", RULES_PRIORITY_EMERGENCY}, {"emergency", RULES_PRIORITY_EMERGENCY},
		{"Alert", RULES_PRIORITY_ALERT},         {"CRITICAL", RULES_PRIORITY_CRITICAL},
		{"error", RULES_PRIORITY_ERROR},         {"Warning", RULES_PRIORITY_WARNING},
		{"NOTICE", RULES_PRIORITY_NOTICE},       {"INFORMATIONAL", RULES_PRIORITY_INFORMATIONAL},
		{"INFO", RULES_PRIORITY_INFORMATIONAL},  {"info", RULES_PRIORITY_INFORMATIONAL},
		{"Info", RULES_PRIORITY_INFORMATIONAL},  {"debug", RULES_PRIORITY_DEBUG},
		{"wArNiNg", RULES_PRIORITY_WARNING},
	};
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rules_doc *d = new_doc();
		char yaml[256];
		snprintf(yaml, sizeof(yaml), "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: %s\n",
			 cases[i].text);
		if(load_str(d, "p.yaml", yaml) != RULES_OK)
			fail_msg("priority %s: %s", cases[i].text, errbuf);
		assert_int_equal(rules_doc_find_rule(d, "r")->priority, cases[i].p);
		rules_doc_free(d);
	}

	static const char *const names[] = {"Emergency", "Alert",  "Critical",      "Error",
					    "Warning",   "Notice", "Informational", "Debug"};
	for(int p = 0; p < RULES_PRIORITY_COUNT; p++) {
		assert_string_equal(rules_priority_name((rules_priority)p), names[p]);
		rules_priority back;
		assert_true(rules_priority_from_string(names[p], &back));
		assert_int_equal(back, p);
	}
	assert_null(rules_priority_name((rules_priority)8));
	rules_priority x = RULES_PRIORITY_ALERT;
	assert_false(rules_priority_from_string("warn", &x));
	assert_false(rules_priority_from_string("", &x));
	assert_false(rules_priority_from_string(" INFO", &x));
	assert_false(rules_priority_parse("INFORMATIONALX", 14, &x));
	assert_true(rules_priority_parse("INFOxxx", 4, &x));
	assert_int_equal(x, RULES_PRIORITY_INFORMATIONAL);

	rules_doc *d = new_doc();
	assert_int_equal(load_str(d, "bad.yaml", "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: SEVERE\n"),
			 RULES_ERR_SEMANTIC);
	assert_contains(errbuf, "bad.yaml:5:13: rule 'r': Invalid priority level: SEVERE");
	rules_doc_free(d);
}

static void test_min_priority_skips_rules(void **state)
{
	(void)state;
	rules_doc_options o;
	rules_doc_options_init(&o);
	o.min_priority = RULES_PRIORITY_WARNING;
	rules_doc *d = rules_doc_new(&o);
	assert_non_null(d);
	assert_int_equal(load_str(d, "a.yaml",
				  "- rule: keep\n  desc: d\n  condition: c\n  output: o\n  priority: ERROR\n"
				  "- rule: drop\n  desc: d\n  condition: c\n  output: o\n  priority: NOTICE\n"
				  "- rule: drop\n  condition: and x\n  append: true\n"),
			 RULES_OK);
	assert_int_equal(rules_doc_rule_count(d), 1);
	assert_null(rules_doc_find_rule(d, "drop"));
	assert_true(rules_doc_rule_skipped(d, "drop"));
	assert_false(rules_doc_rule_skipped(d, "keep"));
	rules_doc_free(d);
}

/* ---- wrong types and malformed files ---------------------------------------------------------- */

static void test_wrong_types(void **state)
{
	(void)state;
	rules_doc *d = new_doc();
	assert_int_equal(rules_doc_load_file(d, fixture("bad_tags.yaml"), errbuf, sizeof(errbuf)), RULES_ERR_SCHEMA);
	assert_contains(errbuf, "bad_tags.yaml:6:9: rule 'tagged': tags must be a list of strings, not a string");

	static const struct {
		const char *yaml;
		const char *msg;
	} cases[] = {
		{"- rule: r\n  desc: d\n  condition:\n    a: b\n  output: o\n  priority: INFO\n",
		 "t.yaml:4:5: rule 'r': condition must be a string, not a mapping"},
		{"- rule: r\n  desc: [d]\n  condition: c\n  output: o\n  priority: INFO\n",
		 "t.yaml:2:9: rule 'r': desc must be a string, not a sequence"},
		{"- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  tags: [a, [b]]\n",
		 "t.yaml:6:13: rule 'r': tags must be a list of strings, but entry 2 is a sequence"},
		{"- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  enabled: \"no\"\n",
		 "t.yaml:6:12: rule 'r': enabled must be a boolean (true or false), not a string"},
		{"- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: [INFO]\n",
		 "t.yaml:5:13: rule 'r': priority must be a string, not a sequence"},
		{"- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  append: 1\n",
		 "t.yaml:6:11: rule 'r': append must be a boolean (true or false), not a number"},
		{"- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  exceptions: {a: b}\n",
		 "t.yaml:6:15: rule 'r': exceptions must be a list, not a mapping"},
		{"- list: l\n  items: abc\n", "t.yaml:2:10: list 'l': items must be a list of strings, not a string"},
		{"- list: l\n  items: [a, {b: c}]\n",
		 "t.yaml:2:14: list 'l': items must be a list of strings, but entry 2 is a mapping"},
		{"- macro: m\n  condition: 1\n  append: maybe\n",
		 "t.yaml:3:11: macro 'm': append must be a boolean (true or false), not a string"},
		{"- rule: [a]\n  desc: d\n", "t.yaml:1:9: rule: Rule name is empty"},
		{"- required_engine_version: \"9\"\n",
		 "t.yaml:1:28: required_engine_version: Value of required_engine_version must be a number"},
		{"- required_plugin_versions:\n    - name: x\n",
		 "t.yaml:2:7: required_plugin_versions: required_plugin_versions item must have version property"},
		{"- list: l\n  items: [a]\n- just a string\n",
		 "t.yaml:3:3: Unexpected element of type string. Each element should be a yaml associative array."},
		{"rule: r\n", "t.yaml:1:1: Rules content is not yaml array of objects"},
	};
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = load_str(d, "t.yaml", cases[i].yaml);
		if(rc == RULES_OK)
			fail_msg("case %zu loaded without error", i);
		assert_contains(errbuf, cases[i].msg);
	}
	assert_int_equal(rules_doc_rule_count(d), 0);
	assert_int_equal(rules_doc_list_count(d), 0);
	assert_int_equal(rules_doc_file_count(d), 0);
	rules_doc_free(d);
}

static void test_malformed_yaml(void **state)
{
	(void)state;
	rules_doc *d = new_doc();
	assert_int_equal(rules_doc_load_file(d, fixture("malformed.yaml"), errbuf, sizeof(errbuf)), RULES_ERR_YAML);
	/* the scanner reports where the unterminated string runs into trouble */
	assert_contains(errbuf, "malformed.yaml:");
	assert_contains(errbuf, "invalid YAML: ");
	assert_contains(errbuf, "quoted scalar");
	assert_int_equal(rules_doc_list_count(d), 0);

	assert_int_equal(load_str(d, "bad.yaml", "- list: a\n  items: [a, b\n- list: b\n"), RULES_ERR_YAML);
	assert_contains(errbuf, "bad.yaml:3:7: invalid YAML: did not find expected ',' or ']' (while parsing a flow "
				"sequence at line 2, column 10)");
	assert_int_equal(load_str(d, "tab.yaml", "- list: a\n\titems: [a]\n"), RULES_ERR_YAML);
	assert_contains(errbuf, "tab.yaml:2:1: invalid YAML");

	assert_int_equal(rules_doc_load_file(d, fixture("does_not_exist.yaml"), errbuf, sizeof(errbuf)), RULES_ERR_IO);
	assert_contains(errbuf, "does_not_exist.yaml: could not open rules file: No such file or directory");
	rules_doc_free(d);
}

static void test_empty_files(void **state)
{
	(void)state;
	rules_doc *d = new_doc();
	load_ok(d, fixture("empty.yaml"));
	assert_int_equal(load_str(d, "zero.yaml", ""), RULES_OK);
	assert_int_equal(load_str(d, "docs.yaml", "---\n...\n---\n# nothing\n"), RULES_OK);
	assert_int_equal(load_str(d, "emptyseq.yaml", "[]\n"), RULES_OK);
	assert_int_equal(rules_doc_file_count(d), 4);
	assert_int_equal(rules_doc_rule_count(d), 0);
	assert_int_equal(rules_doc_required_engine_version(d), 0);
	rules_doc_free(d);
}

/* ---- engine version -------------------------------------------------------------------------------- */

static void test_engine_version(void **state)
{
	(void)state;
	rules_doc *d = new_doc(); /* our engine: 11 */
	assert_int_equal(rules_doc_load_file(d, fixture("engine_too_high.yaml"), errbuf, sizeof(errbuf)),
			 RULES_ERR_VERSION);
	assert_contains(errbuf, "engine_too_high.yaml:1:28: required_engine_version: Rules require engine version 12, "
				"but engine version is 11");
	assert_null(rules_doc_find_list(d, "never_loaded"));
	assert_int_equal(load_str(d, "ok.yaml", "- required_engine_version: 11\n"), RULES_OK);
	assert_int_equal(rules_doc_required_engine_version(d), 11);
	rules_doc_free(d);

	rules_doc_options o;
	rules_doc_options_init(&o);
	o.engine_version = 12;
	d = rules_doc_new(&o);
	load_ok(d, fixture("engine_too_high.yaml"));
	assert_non_null(rules_doc_find_list(d, "never_loaded"));
	assert_int_equal(rules_doc_required_engine_version(d), 12);
	rules_doc_free(d);

	o.engine_version = 8;
	d = rules_doc_new(&o);
	assert_int_equal(rules_doc_load_file(d, fixture("base.yaml"), errbuf, sizeof(errbuf)), RULES_ERR_VERSION);
	assert_contains(errbuf, "base.yaml:2:28: required_engine_version: Rules require engine version 9, but engine "
				"version is 8");
	rules_doc_free(d);
}

/* ---- atomic loads ------------------------------------------------------------------------------------ */

static void test_failed_file_leaves_document_unchanged(void **state)
{
	(void)state;
	rules_doc *d = new_doc();
	load_ok(d, fixture("base.yaml"));
	const rules_rule *before = rules_doc_find_rule(d, "write_below_etc");
	char *cc_before = strdup(before->compile_condition);
	const rules_list *shells_before = rules_doc_find_list(d, "shells");

	/* a file that modifies everything, then fails at its last item */
	const char *bad = "- list: shells\n  items: [evil]\n  append: true\n"
			  "- list: shells\n  items: [replaced]\n"
			  "- list: extra\n  items: [x]\n"
			  "- macro: spawned_process\n  condition: or true\n  append: true\n"
			  "- rule: write_below_etc\n  append: true\n  condition: and more\n"
			  "  exceptions:\n    - name: known_procs\n      values: [evil]\n"
			  "- rule: shell_in_container\n  enabled: false\n"
			  "- unknown: item\n"
			  "- rule: write_below_etc\n  append: true\n  exceptions:\n    - name: bad\n      fields: [a, b]\n"
			  "      values: [[only_one]]\n";
	assert_int_equal(load_str(d, "bad.yaml", bad), RULES_ERR_SEMANTIC);
	/* the length mismatch is found when building the condition; it names the row */
	assert_contains(errbuf, "bad.yaml:25:16: rule 'write_below_etc': Exception item bad: fields and values lists "
				"must have equal length");

	/* same pointers, same content */
	assert_ptr_equal(rules_doc_find_list(d, "shells"), shells_before);
	EXPECT_ITEMS(shells_before->items, shells_before->n_items, "bash", "sh");
	assert_null(rules_doc_find_list(d, "extra"));
	assert_int_equal(rules_doc_list_count(d), 3);
	assert_string_equal(rules_doc_find_macro(d, "spawned_process")->condition, "evt.type = execve and evt.dir = <");
	assert_ptr_equal(rules_doc_find_rule(d, "write_below_etc"), before);
	assert_string_equal(before->compile_condition, cc_before);
	assert_string_equal(before->condition, "open_write and fd.name startswith /etc");
	assert_true(rules_doc_find_rule(d, "shell_in_container")->enabled);
	assert_int_equal(rules_doc_warning_count(d), 1); /* the failed file's warning is dropped */
	assert_int_equal(rules_doc_file_count(d), 1);
	assert_int_equal(rules_doc_item_count(d), 11);

	/* and the document still works */
	load_ok(d, fixture("appends.yaml"));
	EXPECT_ITEMS(rules_doc_find_list(d, "shells")->items, rules_doc_find_list(d, "shells")->n_items, "bash", "sh",
		     "zsh");
	free(cc_before);
	rules_doc_free(d);
}

static int reject_k8s(const rules_doc *staged, void *user, char *err, size_t errlen)
{
	int *calls = user;
	(*calls)++;
	for(size_t i = 0; i < rules_doc_rule_count(staged); i++) {
		const rules_rule *r = rules_doc_rule_at(staged, i);
		if(strcmp(r->source, "k8s_audit") == 0) {
			snprintf(err, errlen, "%s:%u: rule %s: no k8s here", r->loc.file, r->loc.line, r->name);
			return 1;
		}
	}
	return 0;
}

static void test_validate_callback(void **state)
{
	(void)state;
	int calls = 0;
	rules_doc_options o;
	rules_doc_options_init(&o);
	o.validate = reject_k8s;
	o.validate_user = &calls;
	rules_doc *d = rules_doc_new(&o);
	assert_int_equal(load_str(d, "a.yaml", "- list: a\n  items: [x]\n"), RULES_OK);
	assert_int_equal(rules_doc_load_file(d, fixture("base.yaml"), errbuf, sizeof(errbuf)), RULES_ERR_VALIDATE);
	assert_contains(errbuf, "base.yaml:33: rule k8s_thing: no k8s here");
	assert_int_equal(calls, 2);
	assert_int_equal(rules_doc_rule_count(d), 0);
	assert_int_equal(rules_doc_list_count(d), 1);
	rules_doc_free(d);
}

/* ---- real Falco rules ---------------------------------------------------------------------------------- */

static bool have_shared(void)
{
	if(access(shared("rules/falco_rules.yaml"), R_OK) != 0) {
		print_message("skipping: Falco 0.31.1 rules not found under %s\n", FAPI_SHARED_DIR);
		return false;
	}
	return true;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void test_real_falco_rules(void **state)
{
	(void)state;
	if(!have_shared()) {
		skip();
		return;
	}
	rules_doc *d = new_doc();
	double t0 = now_ms();
	load_ok(d, shared("rules/falco_rules.yaml"));
	double t1 = now_ms();
	print_message("falco_rules.yaml loaded in %.2f ms (informational, not asserted)\n", t1 - t0);
	/* counts made independently with grep -cE '^-\s+(rule|macro|list):' (all names distinct) */
	assert_int_equal(rules_doc_rule_count(d), 69);
	assert_int_equal(rules_doc_macro_count(d), 296);
	assert_int_equal(rules_doc_list_count(d), 108);
	assert_int_equal(rules_doc_required_engine_version(d), 9);
	assert_int_equal(rules_doc_warning_count(d), 0);

	/* spot checks */
	const rules_list *l = rules_doc_find_list(d, "shell_binaries");
	EXPECT_ITEMS(l->expanded, l->n_expanded, "ash", "bash", "csh", "ksh", "sh", "tcsh", "zsh", "dash");
	const rules_macro *m = rules_doc_find_macro(d, "curl_download"); /* written "-  macro:" */
	assert_non_null(m);
	const rules_rule *r = rules_doc_find_rule(d, "Terminal shell in container");
	assert_non_null(r);
	assert_int_equal(r->priority, RULES_PRIORITY_NOTICE);
	assert_true(r->enabled);
	r = rules_doc_find_rule(d, "Detect outbound connections to common miner pool ports");
	assert_non_null(r);
	assert_false(r->enabled);
	assert_string_equal(rules_doc_rule_at(d, 0)->name, "Disallowed SSH Connection");
	for(size_t i = 0; i < rules_doc_rule_count(d); i++) {
		r = rules_doc_rule_at(d, i);
		assert_int_equal(r->order, i);
		assert_non_null(r->compile_condition);
		assert_true(r->output[0] != '\0' && r->output[strlen(r->output) - 1] != '\n');
	}

	load_ok(d, shared("rules/falco_rules.local.yaml"));
	if(access(shared("rules/k8s_audit_rules.yaml"), R_OK) == 0) {
		load_ok(d, shared("rules/k8s_audit_rules.yaml"));
		assert_int_equal(rules_doc_rule_count(d), 69 + 39);
		assert_int_equal(rules_doc_macro_count(d), 296 + 39);
		assert_int_equal(rules_doc_list_count(d), 108 + 13);
		assert_string_equal(rules_doc_rule_at(d, 69)->source, "k8s_audit");
		assert_int_equal(rules_doc_file_required_engine_version(d, 2), 2);
		assert_int_equal(rules_doc_required_engine_version(d), 9);
	}
	rules_doc_free(d);
}

static void test_falco_test_rules(void **state)
{
	(void)state;
	if(access(shared("test_rules/single_rule.yaml"), R_OK) != 0) {
		print_message("skipping: Falco 0.31.1 test_rules not found under %s\n", FAPI_SHARED_DIR);
		skip();
		return;
	}
	rules_doc *d = new_doc();
	load_ok(d, shared("test_rules/single_rule.yaml"));
	load_ok(d, shared("test_rules/double_rule.yaml"));
	assert_int_equal(rules_doc_rule_count(d), 3);
	EXPECT_ITEMS(rules_doc_find_list(d, "cat_capable_binaries")->expanded,
		     rules_doc_find_list(d, "cat_capable_binaries")->n_expanded, "cat");
	assert_string_equal(rules_doc_rule_at(d, 2)->name, "access_from_cat");
	assert_int_equal(rules_doc_rule_at(d, 2)->priority, RULES_PRIORITY_INFORMATIONAL);
	rules_doc_free(d);

	d = new_doc();
	load_ok(d, shared("test_rules/single_rule_with_tags.yaml"));
	const rules_rule *r = rules_doc_rule_at(d, 0);
	assert_non_null(r);
	assert_true(r->n_tags > 0);
	rules_doc_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_item_kinds),
		cmocka_unit_test(test_appends_all_kinds),
		cmocka_unit_test(test_append_in_same_file_and_chained),
		cmocka_unit_test(test_dangling_append),
		cmocka_unit_test(test_overwrite_keeps_position),
		cmocka_unit_test(test_enabled_toggle),
		cmocka_unit_test(test_priority_spellings),
		cmocka_unit_test(test_min_priority_skips_rules),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_malformed_yaml),
		cmocka_unit_test(test_empty_files),
		cmocka_unit_test(test_engine_version),
		cmocka_unit_test(test_failed_file_leaves_document_unchanged),
		cmocka_unit_test(test_validate_callback),
		cmocka_unit_test(test_real_falco_rules),
		cmocka_unit_test(test_falco_test_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
