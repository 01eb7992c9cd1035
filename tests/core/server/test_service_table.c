/* Service table and dispatch: registration rules, lookup, and what a unary
 * call turns into for good bytes, garbage and handler errors. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.pb-c.h"
#include "server/dispatch.h"
#include "server/service_table.h"

static void echo_release(const ProtobufCMessage *response, void *user);
static void (*const echo_release_fn)(const ProtobufCMessage *, void *) = echo_release;

typedef struct handler_log {
	int calls;
	char last_service[64];
	int release_calls;
} handler_log;

static void echo_handler(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			 void *user)
{
	(void)peer;
	handler_log *l = user;
	const Grpc__Health__V1__HealthCheckRequest *req = (const void *)request;
	l->calls++;
	snprintf(l->last_service, sizeof(l->last_service), "%s", req->service);
	if (strcmp(req->service, "deny") == 0) {
		result->status = FAPI_STATUS_PERMISSION_DENIED;
		snprintf(result->message, sizeof(result->message), "no access to %s", req->service);
		return;
	}
	if (strcmp(req->service, "nothing") == 0)
		return; /* OK without a response: a handler bug */
	Grpc__Health__V1__HealthCheckResponse *resp = malloc(sizeof(*resp));
	grpc__health__v1__health_check_response__init(resp);
	resp->status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
	result->response = &resp->base;
	result->release = echo_release_fn;
}

static void echo_release(const ProtobufCMessage *response, void *user)
{
	handler_log *l = user;
	l->release_calls++;
	free((void *)response);
}

static fapi_unary_method method(const char *path, handler_log *l)
{
	fapi_unary_method m = {
		.path = path,
		.request_type = &grpc__health__v1__health_check_request__descriptor,
		.response_type = &grpc__health__v1__health_check_response__descriptor,
		.handler = echo_handler,
		.user = l,
	};
	return m;
}

static fapi_status_code noop_open(fapi_stream *s, const ProtobufCMessage *r, const fapi_peer *p, void *u, char *m,
				  size_t n)
{
	(void)s, (void)r, (void)p, (void)u, (void)m, (void)n;
	return FAPI_STATUS_OK;
}

static void noop_close(fapi_stream *s, fapi_status_code why, void *u)
{
	(void)s, (void)why, (void)u;
}

static void test_registration_rules(void **state)
{
	(void)state;
	service_table t;
	service_table_init(&t);
	handler_log l = {0};
	char err[512];
	fapi_unary_method m = method("/a.b/c", &l);
	assert_int_equal(service_table_add_unary(&t, "mod1", &m, err, sizeof(err)), FAPI_OK);
	assert_int_equal(service_table_add_unary(&t, "mod2", &m, err, sizeof(err)), FAPI_EEXIST);
	assert_string_equal(err, "method /a.b/c is already served by module 'mod1'");
	const char *bad[] = {"a.b/c", "/a.b", "/a.b/", "//c", "/a.b/c/d", "/a b/c", NULL};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fapi_unary_method b = method(bad[i], &l);
		assert_int_equal(service_table_add_unary(&t, "mod1", &b, err, sizeof(err)), FAPI_EINVAL);
	}
	fapi_unary_method nohandler = method("/a.b/d", &l);
	nohandler.handler = NULL;
	assert_int_equal(service_table_add_unary(&t, "mod1", &nohandler, err, sizeof(err)), FAPI_EINVAL);
	fapi_stream_method bidi = {.path = "/a.b/s",
				   .request_type = m.request_type,
				   .response_type = m.response_type,
				   .on_open = noop_open,
				   .on_close = noop_close};
	/* a bidirectional method must read */
	assert_int_equal(service_table_add_stream(&t, "mod1", SERVICE_BIDI, &bidi, err, sizeof(err)), FAPI_EINVAL);
	assert_int_equal(service_table_add_stream(&t, "mod1", SERVICE_SERVER_STREAM, &bidi, err, sizeof(err)),
			 FAPI_OK);
	assert_int_equal(service_table_find(&t, "/a.b/s")->kind, SERVICE_SERVER_STREAM);
	assert_string_equal(service_table_find(&t, "/a.b/c")->owner, "mod1");
	assert_null(service_table_find(&t, "/a.b/zz"));
	t.frozen = 1;
	fapi_unary_method late = method("/a.b/late", &l);
	assert_int_equal(service_table_add_unary(&t, "mod1", &late, err, sizeof(err)), FAPI_ECLOSED);
	service_table_free(&t);
}

static void test_dispatch(void **state)
{
	(void)state;
	service_table t;
	service_table_init(&t);
	handler_log l = {0};
	char err[512];
	fapi_unary_method m = method("/x.y/check", &l);
	assert_int_equal(service_table_add_unary(&t, "m", &m, err, sizeof(err)), FAPI_OK);
	fapi_peer peer = {.address = "unix:/tmp/s", .transport = "unix"};

	/* good request -> handler runs, response encoded */
	Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	req.service = (char *)"svc";
	uint8_t buf[64];
	size_t len = grpc__health__v1__health_check_request__pack(&req, buf);
	dispatch_result r;
	dispatch_unary(service_table_find(&t, "/x.y/check"), buf, len, &peer, &r);
	assert_int_equal(r.status, FAPI_STATUS_OK);
	assert_int_equal(l.calls, 1);
	assert_string_equal(l.last_service, "svc");
	Grpc__Health__V1__HealthCheckResponse *resp =
		grpc__health__v1__health_check_response__unpack(NULL, r.response_len, r.response);
	assert_non_null(resp);
	assert_int_equal(resp->status, GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
	grpc__health__v1__health_check_response__free_unpacked(resp, NULL);
	free(r.response);
	/* the handler's response was released once, after encoding */
	assert_int_equal(l.release_calls, 1);

	/* garbage -> INVALID_ARGUMENT, handler not called */
	const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff};
	dispatch_unary(service_table_find(&t, "/x.y/check"), garbage, sizeof(garbage), &peer, &r);
	assert_int_equal(r.status, FAPI_STATUS_INVALID_ARGUMENT);
	assert_non_null(strstr(r.message, "grpc.health.v1.HealthCheckRequest"));
	assert_null(r.response);
	assert_int_equal(l.calls, 1);

	/* no message at all decodes as the empty request */
	dispatch_unary(service_table_find(&t, "/x.y/check"), NULL, 0, &peer, &r);
	assert_int_equal(r.status, FAPI_STATUS_OK);
	assert_string_equal(l.last_service, "");
	free(r.response);

	/* handler error -> its status and message */
	req.service = (char *)"deny";
	len = grpc__health__v1__health_check_request__pack(&req, buf);
	dispatch_unary(service_table_find(&t, "/x.y/check"), buf, len, &peer, &r);
	assert_int_equal(r.status, FAPI_STATUS_PERMISSION_DENIED);
	assert_string_equal(r.message, "no access to deny");

	/* OK without a response -> INTERNAL */
	req.service = (char *)"nothing";
	len = grpc__health__v1__health_check_request__pack(&req, buf);
	dispatch_unary(service_table_find(&t, "/x.y/check"), buf, len, &peer, &r);
	assert_int_equal(r.status, FAPI_STATUS_INTERNAL);
	assert_non_null(strstr(r.message, "no response"));
	service_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registration_rules),
		cmocka_unit_test(test_dispatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
