/* ABI 1.5 "HTTP routes and metrics" through the host table: route and
 * collector registration (only in register_rpcs, duplicates and reserved
 * paths refused) and the writer a collector gets. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/host.h"
#include "fapi/module.h"
#include "http/http_routes.h"
#include "http/metrics_text.h"
#include "modules/loader.h"

static int test_handler(const fapi_http_request *req, fapi_http_response *resp, void *user)
{
	(void)req;
	(void)resp;
	(void)user;
	return FAPI_OK;
}

static void test_collect(fapi_metrics_writer *w, void *user)
{
	const fapi_host *h = user;
	const char *labels[] = {"queue", "k8s \"audit\"\n\\"};
	assert_int_equal(h->metrics_family(w, "inputs_dropped_total", FAPI_METRIC_COUNTER, "Dropped\nevents \\"), FAPI_OK);
	assert_int_equal(h->metrics_sample_u64(w, "inputs_dropped_total", labels, 1, UINT64_MAX), FAPI_OK);
	assert_int_equal(h->metrics_sample(w, "bad-name", NULL, 0, 1), FAPI_EINVAL);
	const char *bad[] = {"__reserved", "x"};
	assert_int_equal(h->metrics_sample(w, "inputs_dropped_total", bad, 1, 1), FAPI_EINVAL);
	assert_int_equal(h->metrics_family(w, "inputs_depth", FAPI_METRIC_GAUGE, NULL), FAPI_OK);
	assert_int_equal(h->metrics_sample(w, "inputs_depth", NULL, 0, 0.5), FAPI_OK);
}

static void test_host_group(void **state)
{
	(void)state;
	const fapi_host *h = loader_host_table();
	assert_int_equal(h->abi_minor, 6); /* pinned: a bump is a decision, made here too */
	assert_true(FAPI_HOST_HAS(h, metrics_sample_u64));
	assert_true(FAPI_HOST_HAS(h, alert_pop_many));
	/* Appended after the loss reports group: a 1.4 module's table is a prefix. */
	assert_true(offsetof(fapi_host, http_route_register) > offsetof(fapi_host, alert_sub_set_identity));

	module_set set = {0};
	struct fapi_module_ctx ctx = {.name = "inputs", .set = &set, .abi_minor = 5};
	char err[256];
	fapi_http_route r = FAPI_HTTP_ROUTE_INIT;
	r.method = "POST";
	r.path = "/k8s-audit";
	r.handler = test_handler;
	assert_int_equal(h->http_route_register(&ctx, &r, err, sizeof(err)), FAPI_ECLOSED);
	ctx.registering = true;
	assert_int_equal(h->http_route_register(&ctx, &r, err, sizeof(err)), FAPI_OK);
	assert_int_equal(h->http_route_register(&ctx, &r, err, sizeof(err)), FAPI_EEXIST);
	r.method = "GET";
	assert_int_equal(h->http_route_register(&ctx, &r, err, sizeof(err)), FAPI_OK);
	r.path = "/healthz";
	assert_int_equal(h->http_route_register(&ctx, &r, err, sizeof(err)), FAPI_EEXIST);
	r.path = "no-slash";
	assert_int_equal(h->http_route_register(&ctx, &r, err, sizeof(err)), FAPI_EINVAL);
	r.path = "/x";
	r.handler = NULL;
	assert_int_equal(h->http_route_register(&ctx, &r, err, sizeof(err)), FAPI_EINVAL);
	assert_int_equal(h->http_route_register(&ctx, NULL, err, sizeof(err)), FAPI_EINVAL);

	bool method_ok;
	const http_route *found = http_routes_find(&set.http, "POST", "/k8s-audit", &method_ok);
	assert_non_null(found);
	assert_true(method_ok);
	assert_string_equal(found->module, "inputs");
	found = http_routes_find(&set.http, "PUT", "/k8s-audit", &method_ok);
	assert_non_null(found);
	assert_false(method_ok);
	assert_null(http_routes_find(&set.http, "GET", "/nope", &method_ok));

	fapi_metrics_collector c = FAPI_METRICS_COLLECTOR_INIT;
	c.name = "inputs";
	c.collect = test_collect;
	c.user = (void *)h;
	assert_int_equal(h->metrics_collector_register(&ctx, &c, err, sizeof(err)), FAPI_OK);
	c.collect = NULL;
	assert_int_equal(h->metrics_collector_register(&ctx, &c, err, sizeof(err)), FAPI_EINVAL);
	assert_int_equal(set.http.ncollectors, 1);

	strbuf sb = STRBUF_INIT;
	fapi_metrics_writer w = {.out = &sb};
	set.http.collectors[0].collect(&w, set.http.collectors[0].user);
	char *text = strbuf_finish(&sb);
	assert_string_equal(text, "# HELP inputs_dropped_total Dropped\\nevents \\\\\n"
				  "# TYPE inputs_dropped_total counter\n"
				  "inputs_dropped_total{queue=\"k8s \\\"audit\\\"\\n\\\\\"} 18446744073709551615\n"
				  "# TYPE inputs_depth gauge\n"
				  "inputs_depth 0.5\n");
	assert_int_equal(w.refused, 2);
	free(text);
	http_routes_free(&set.http);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
