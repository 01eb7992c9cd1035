/* hello: an out-of-tree falco-apid module, built only against the installed
 * SDK. It serves one unary method, /falco.example.hello/greet, answering
 * "<greeting>, <name> from falco-apid <version>"; the greeting comes from
 * the module's config (`greeting:`, default "hello").
 *
 * Only <fapi/fapi.h> and the module's own generated code are included: a
 * module reaches the daemon through the host table alone. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fapi/fapi.h>

#include "hello.pb-c.h"

#define HELLO_DEFAULT_GREETING "hello"

typedef struct hello_state {
	fapi_module_ctx *ctx;
	const fapi_host *host;
	const char *greeting; /* owned by the host's config tree, valid until destroy */
	const char *version;  /* static in the host */
} hello_state;

/* A response and its text in one allocation, so release is a single free.
 * The response must stay first: release gets a pointer to it back. */
typedef struct hello_reply {
	Falco__Example__GreetResponse resp;
	char text[];
} hello_reply;

static void hello_release(const ProtobufCMessage *response, void *user)
{
	(void)user;
	free((void *)response);
}

/* Runs on a unary completion-queue thread, possibly on several at once:
 * the state is read-only after init, and each call allocates its own reply. */
static void hello_greet(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			void *user)
{
	hello_state *st = user;
	const Falco__Example__GreetRequest *req = (const Falco__Example__GreetRequest *)request;
	if (!req->name || !req->name[0]) {
		result->status = FAPI_STATUS_INVALID_ARGUMENT;
		snprintf(result->message, sizeof(result->message), "greet: name is required");
		return;
	}
	int len = snprintf(NULL, 0, "%s, %s from falco-apid %s", st->greeting, req->name, st->version);
	hello_reply *r = len < 0 ? NULL : malloc(sizeof(*r) + (size_t)len + 1);
	if (!r) {
		result->status = FAPI_STATUS_RESOURCE_EXHAUSTED;
		snprintf(result->message, sizeof(result->message), "greet: out of memory");
		return;
	}
	snprintf(r->text, (size_t)len + 1, "%s, %s from falco-apid %s", st->greeting, req->name, st->version);
	falco__example__greet_response__init(&r->resp);
	r->resp.greeting = r->text;
	/* protobuf-c fields are char *; the host's string is only packed, never
	 * written through. */
	r->resp.version = (char *)st->version;
	st->host->log(st->ctx, FAPI_LOG_DEBUG, "greeted %s (peer %s)", req->name, peer->address);
	result->response = &r->resp.base;
	result->release = hello_release;
}

static int hello_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	hello_state *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	st->ctx = ctx;
	st->host = host;
	/* An absent key is normal (the default applies); a key of the wrong type
	 * fails startup with the host's file:line:column message. */
	int rc = host->config_string(host->config(ctx), "greeting", HELLO_DEFAULT_GREETING, &st->greeting, err,
				     errlen);
	if (rc != FAPI_OK && rc != FAPI_ENOTFOUND) {
		free(st);
		return rc;
	}
	if (!st->greeting[0]) {
		snprintf(err, errlen, "config: greeting must not be empty");
		free(st);
		return FAPI_EINVAL;
	}
	fapi_version_info vi = FAPI_VERSION_INFO_INIT;
	host->version_info(&vi);
	st->version = vi.version;
	host->log(ctx, FAPI_LOG_INFO, "greeting '%s', host falco-apid %s (ABI %u.%u)", st->greeting, vi.version,
		  vi.abi_major, vi.abi_minor);
	*state = st;
	return FAPI_OK;
}

static int hello_register(void *state, char *err, size_t errlen)
{
	hello_state *st = state;
	/* The host keeps only the pointers, hence static strings and descriptors. */
	fapi_unary_method m = FAPI_UNARY_METHOD_INIT;
	m.path = "/falco.example.hello/greet";
	m.request_type = &falco__example__greet_request__descriptor;
	m.response_type = &falco__example__greet_response__descriptor;
	m.handler = hello_greet;
	m.user = st;
	m.method_class = FAPI_METHOD_READ;
	return st->host->register_unary(st->ctx, &m, err, errlen);
}

static void hello_destroy(void *state)
{
	free(state);
}

FAPI_MODULE_DEFINE(.name = "hello", .version = "1.0.0",
		   .description = "Example out-of-tree module: /falco.example.hello/greet",
		   .init = hello_init, .register_rpcs = hello_register, .destroy = hello_destroy);
