/* The status message of a refused write (README, "rules module"): one
 * diagnostic a line as FILE:LINE:COL: error: ITEM: MESSAGE, errors first,
 * cut at a whole line with the count of what was left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules_module.h"

static fapi_rules_diag diag(bool error, const char *file, uint32_t line, const char *item, const char *code,
			    const char *msg)
{
	return (fapi_rules_diag){.size = sizeof(fapi_rules_diag), .is_error = error, .file = file, .line = line,
				 .column = 5, .item = item, .code = code, .message = msg};
}

static void test_lines_errors_first(void **state)
{
	(void)state;
	fapi_rules_diag w = diag(false, "a.yaml", 9, "rule 'w'", "no-evttype", "matches too many");
	fapi_rules_diag e = diag(true, "a.yaml", 3, "rule 'x'", "", "undefined macro 'm'");
	fapi_rules_diag s = diag(true, "", 0, "", "", "the set as a whole");
	const fapi_rules_diag *items[] = {&w, &e, &s};
	fapi_rules_diags d = {.size = sizeof(d), .items = items, .n = 3, .nerrors = 2};
	char out[FAPI_ERRBUF_SIZE];
	rules_diag_message(&d, out, sizeof(out));
	assert_string_equal(out, "a.yaml:3:5: error: rule 'x': undefined macro 'm'\n"
				 "<set>:0:5: error: the set as a whole\n"
				 "a.yaml:9:5: warning (no-evttype): rule 'w': matches too many");
}

static void test_cut_at_a_whole_line(void **state)
{
	(void)state;
	enum { N = 40 };
	fapi_rules_diag v[N];
	const fapi_rules_diag *items[N];
	for (int i = 0; i < N; i++) {
		v[i] = diag(true, "long-file-name.yaml", (uint32_t)i + 1, "rule 'some rule'", "", "an error message");
		items[i] = &v[i];
	}
	fapi_rules_diags d = {.size = sizeof(d), .items = items, .n = N, .nerrors = N};
	char out[FAPI_ERRBUF_SIZE];
	rules_diag_message(&d, out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
	char *last = strrchr(out, '\n');
	assert_non_null(last);
	int shown = 1; /* the lines before the last newline */
	for (char *p = out; p < last; p++)
		shown += *p == '\n';
	char want[64];
	snprintf(want, sizeof(want), "\n(%d more: rules_validate lists every one)", N - shown);
	assert_string_equal(last, want);
	/* Every line shown is whole. */
	for (char *p = out, *nl; p < last; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_memory_equal(nl - 17, " an error message", 17);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_errors_first),
		cmocka_unit_test(test_cut_at_a_whole_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
