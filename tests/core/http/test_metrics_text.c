/* The Prometheus text writer: name checks, label value and HELP escaping,
 * number spelling. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/status.h"
#include "http/metrics_text.h"

static void test_names(void **state)
{
	(void)state;
	assert_true(metrics_text_metric_name_ok("falcosecurity_scap_n_evts_total"));
	assert_true(metrics_text_metric_name_ok(":a:b_1"));
	assert_false(metrics_text_metric_name_ok("1abc"));
	assert_false(metrics_text_metric_name_ok("a-b"));
	assert_false(metrics_text_metric_name_ok(""));
	assert_false(metrics_text_metric_name_ok(NULL));
	assert_true(metrics_text_label_name_ok("rule_name"));
	assert_false(metrics_text_label_name_ok("a:b"));
	assert_false(metrics_text_label_name_ok("__name__"));
	assert_false(metrics_text_label_name_ok("9"));
}

static void test_escape(void **state)
{
	(void)state;
	strbuf b = STRBUF_INIT;
	metrics_text_escape_label(&b, "Write below \"etc\"\\n\nend");
	char *s = strbuf_finish(&b);
	assert_string_equal(s, "Write below \\\"etc\\\"\\\\n\\nend");
	free(s);
}

static void test_numbers(void **state)
{
	(void)state;
	strbuf b = STRBUF_INIT;
	fapi_metrics_writer w = {.out = &b};
	const char *l[] = {"a", "x", "b", "y"};
	assert_int_equal(metrics_text_sample(&w, "m", NULL, 0, 0.1), FAPI_OK);
	assert_int_equal(metrics_text_sample(&w, "m", l, 2, NAN), FAPI_OK);
	assert_int_equal(metrics_text_sample(&w, "m", NULL, 0, INFINITY), FAPI_OK);
	assert_int_equal(metrics_text_sample(&w, "m", NULL, 0, -INFINITY), FAPI_OK);
	assert_int_equal(metrics_text_sample(&w, "m", NULL, 0, 1e21), FAPI_OK);
	assert_int_equal(metrics_text_sample_u64(&w, "m", NULL, 0, 9007199254740993ull), FAPI_OK);
	assert_int_equal(metrics_text_family(&w, "m m", FAPI_METRIC_GAUGE, "h"), FAPI_EINVAL);
	char *s = strbuf_finish(&b);
	assert_string_equal(s, "m 0.1\nm{a=\"x\",b=\"y\"} NaN\nm +Inf\nm -Inf\nm 1e+21\nm 9007199254740993\n");
	assert_int_equal(w.refused, 1);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
