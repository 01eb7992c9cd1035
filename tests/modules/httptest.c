/* The HTTP routes test module (ABI 1.5), standing in for the inputs
 * module's /k8s-audit: POST /echo answers 201 with the request body, its
 * Content-Type and length first ("type=TYPE len=N\n" then the
 * body), as text/plain; max_body 1000. A collector writes
 * httptest_requests_total, the requests /echo served, and a label value
 * that needs escaping. */

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/fapi.h"

typedef struct httptest {
	fapi_module_ctx *ctx;
	const fapi_host *host;
	atomic_ullong requests;
} httptest;

static int httptest_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	if (!FAPI_HOST_HAS(host, metrics_sample_u64)) {
		snprintf(err, errlen, "the host has no HTTP routes");
		return FAPI_EUNSUPPORTED;
	}
	httptest *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	t->ctx = ctx;
	t->host = host;
	*state = t;
	return FAPI_OK;
}

static int httptest_echo(const fapi_http_request *req, fapi_http_response *resp, void *user)
{
	httptest *t = user;
	const char *type = req->header(req, "content-type");
	size_t cap = req->body_len + 128;
	char *out = malloc(cap);
	if (!out)
		return FAPI_ENOMEM;
	int n = snprintf(out, cap, "type=%s len=%zu\n", type ? type : "-", req->body_len);
	memcpy(out + n, req->body, req->body_len);
	resp->status = 201;
	resp->content_type = "text/plain";
	resp->body = out;
	resp->body_len = (size_t)n + req->body_len;
	resp->body_free = free;
	atomic_fetch_add(&t->requests, 1);
	return FAPI_OK;
}

static void httptest_collect(fapi_metrics_writer *w, void *user)
{
	httptest *t = user;
	const char *labels[] = {"route", "/echo \"quoted\""};
	t->host->metrics_family(w, "httptest_requests_total", FAPI_METRIC_COUNTER, "requests /echo served");
	t->host->metrics_sample_u64(w, "httptest_requests_total", labels, 1, atomic_load(&t->requests));
}

static int httptest_register(void *state, char *err, size_t errlen)
{
	httptest *t = state;
	fapi_http_route r = FAPI_HTTP_ROUTE_INIT;
	r.method = "POST";
	r.path = "/echo";
	r.handler = httptest_echo;
	r.user = t;
	r.max_body = 1000;
	int rc = t->host->http_route_register(t->ctx, &r, err, errlen);
	if (rc != FAPI_OK)
		return rc;
	fapi_metrics_collector c = FAPI_METRICS_COLLECTOR_INIT;
	c.name = "httptest";
	c.collect = httptest_collect;
	c.user = t;
	return t->host->metrics_collector_register(t->ctx, &c, err, errlen);
}

static int httptest_start(void *state, char *err, size_t errlen)
{
	(void)state, (void)err, (void)errlen;
	return FAPI_OK;
}

static void httptest_stop(void *state)
{
	(void)state;
}

static void httptest_destroy(void *state)
{
	free(state);
}

FAPI_MODULE_DEFINE(.name = "httptest", .version = "1.0.0", .description = "HTTP routes test module",
		   .init = httptest_init, .register_rpcs = httptest_register, .start = httptest_start,
		   .stop = httptest_stop, .destroy = httptest_destroy);
