/* Tests of rules_context: Falco 0.31's context of an item (the lines it
 * prints between "---" with an error) and its -V verdict block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/rules/rules_context.h"

static char tmpdir[256];

static const char *write_file(const char *name, const char *text)
{
	static char path[8][512];
	static int slot;
	slot = (slot + 1) % 8;
	snprintf(path[slot], sizeof(path[slot]), "%s/%s", tmpdir, name);
	FILE *f = fopen(path[slot], "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path[slot];
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/fapi-rules-context-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void check_item(const char *text, unsigned line, const char *want)
{
	char *got = rules_context_item(text, line);
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_item(void **state)
{
	(void)state;
	const char *text = "# header comment\n"
			   "- list: a\n"
			   "  items: [x]\n"
			   "\n"
			   "- rule: r\n"
			   "  desc: d\n"
			   "\n"
			   "  condition: c\n"
			   "# trailing comment\n"
			   "---\n"
			   "- macro: m\n"
			   "  condition: x";
	/* before the first item: no context */
	check_item(text, 1, NULL);
	check_item(text, 0, NULL);
	/* empty lines are left out, as Falco drops them when splitting lines */
	check_item(text, 2, "- list: a\n  items: [x]\n");
	check_item(text, 4, "- list: a\n  items: [x]\n");
	/* a comment after an item belongs to it; a document marker ends it */
	check_item(text, 8, "- rule: r\n  desc: d\n  condition: c\n# trailing comment\n");
	check_item(text, 10, "- rule: r\n  desc: d\n  condition: c\n# trailing comment\n");
	/* the last item, without a final newline */
	check_item(text, 12, "- macro: m\n  condition: x\n");
	/* beyond the text */
	check_item(text, 13, NULL);
}

static void test_error_file(void **state)
{
	(void)state;
	const char *files[] = {"a.yaml", "dir/a.yaml", "b.yaml"};
	unsigned line = 99;
	assert_int_equal(rules_context_error_file("b.yaml:12:3: rule 'r': x", files, 3, &line), 2);
	assert_int_equal(line, 12);
	/* the longest name wins */
	assert_int_equal(rules_context_error_file("dir/a.yaml:4:1: x", files, 3, &line), 1);
	assert_int_equal(line, 4);
	/* a file named without a position */
	assert_int_equal(rules_context_error_file("a.yaml: cannot read rules: x", files, 3, &line), 0);
	assert_int_equal(line, 0);
	/* none */
	assert_int_equal(rules_context_error_file("out of memory", files, 3, &line), 3);
	assert_int_equal(rules_context_error_file("a.yamlx:1:1: x", files, 3, &line), 3);
}

static void check_verdict(const char *msg, const char *const *files, size_t n, size_t want_file,
			  const char *want)
{
	size_t idx = 99;
	char *got = rules_context_verdict(msg, files, n, &idx);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(idx, want_file);
	free(got);
}

static void test_verdict(void **state)
{
	(void)state;
	const char *base = write_file("base.yaml", "- macro: m\n  condition: evt.type=open\n\n- rule: r\n  desc: d\n"
						   "  condition: m\n  output: o\n  priority: INFO\n");
	const char *app = write_file("app.yaml", "- list: l\n  items: [a]\n- macro: m\n  condition: bad\n  append: true\n"
						 "- rule: r\n  exceptions:\n    - values: [[a]]\n  append: true\n");
	const char *other = write_file("other.yaml", "- macro: m\n  condition: and more\n  append: true\n");
	const char *files[] = {base, app, other};
	char msg[1024], want[2048];

	/* an error in a definition: its item, then every append to it, in
	 * load order, each after an empty line; the verdict goes to the file
	 * of the last append */
	snprintf(msg, sizeof(msg), "%s:2:14: macro 'm': unexpected 'bad'", base);
	snprintf(want, sizeof(want),
		 "1 errors:\n%s\n---\n- macro: m\n  condition: evt.type=open\n\n- macro: m\n  condition: bad\n"
		 "  append: true\n\n- macro: m\n  condition: and more\n  append: true\n---\n",
		 msg);
	check_verdict(msg, files, 3, 2, want);
	snprintf(want, sizeof(want),
		 "1 errors:\n%s\n---\n- macro: m\n  condition: evt.type=open\n\n- macro: m\n  condition: bad\n"
		 "  append: true\n---\n",
		 msg);
	check_verdict(msg, files, 2, 1, want);

	/* an append failing as Falco reads it: its own item only */
	snprintf(msg, sizeof(msg), "%s:8:7: rule 'r': Rule exception item must have name property", app);
	snprintf(want, sizeof(want), "1 errors:\n%s\n---\n- rule: r\n  exceptions:\n    - values: [[a]]\n"
				     "  append: true\n---\n", msg);
	check_verdict(msg, files, 3, 1, want);

	/* the exception values it added failing once the file is read: the
	 * rule's whole context */
	snprintf(msg, sizeof(msg), "%s:8:17: rule 'r': Exception item x: fields and values lists must have equal length",
		 app);
	snprintf(want, sizeof(want),
		 "1 errors:\n%s\n---\n- rule: r\n  desc: d\n  condition: m\n  output: o\n  priority: INFO\n\n"
		 "- rule: r\n  exceptions:\n    - values: [[a]]\n  append: true\n---\n",
		 msg);
	check_verdict(msg, files, 3, 1, want);

	/* an error outside any item: its line */
	const char *doc = write_file("doc.yaml", "foo: bar\n");
	const char *docs[] = {doc};
	snprintf(msg, sizeof(msg), "%s:1:1: Rules content is not yaml array of objects", doc);
	snprintf(want, sizeof(want), "1 errors:\n%s\n---\nfoo: bar\n---\n", msg);
	check_verdict(msg, docs, 1, 0, want);

	/* Falco's line numbers skip empty lines: a YAML error shows three of
	 * them from its row, a file of the wrong shape its first line */
	const char *bad = write_file("bad.yaml", "# c\n\n- list: a\n  items: [x\n- b\n- c\n");
	const char *bads[] = {bad};
	snprintf(msg, sizeof(msg), "%s:3:1: invalid YAML: did not find expected ',' or ']'", bad);
	snprintf(want, sizeof(want), "1 errors:\n%s\n---\n  items: [x\n- b\n- c\n---\n", msg);
	check_verdict(msg, bads, 1, 0, want);
	const char *shape = write_file("shape.yaml", "# about\n\nfoo: bar\n");
	const char *shapes[] = {shape};
	snprintf(msg, sizeof(msg), "%s:3:1: Rules content is not yaml array of objects", shape);
	snprintf(want, sizeof(want), "1 errors:\n%s\n---\n# about\n---\n", msg);
	check_verdict(msg, shapes, 1, 0, want);

	/* a message naming no file: no context, the last file's verdict */
	check_verdict("out of memory", files, 3, 2, "1 errors:\nout of memory\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item),
		cmocka_unit_test(test_error_file),
		cmocka_unit_test(test_verdict),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
