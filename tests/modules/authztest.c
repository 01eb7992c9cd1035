/* A module with read and write methods for the authorisation tests, until
 * the rules and configs modules exist:
 *  - whoami (read) and put (write) answer with the caller's identity as the
 *    SDK's peer_identity gives it to a handler;
 *  - deploy (write) names its own permission, "authztest.deploy";
 *  - feed (bidirectional, write) echoes the identity once per message.
 * put and deploy summarise their request for the audit log as the rules
 * module would: the file name and the sha256 of its content (here simply
 * its length, which is enough to tell requests apart). */

#include <stdio.h>
#include <string.h>

#include "fapi/fapi.h"
#include "authztest.pb-c.h"

static const fapi_host *az_host;
static fapi_module_ctx *az_ctx;

/* Fills a reply from the identity; the strings stay the core's, valid for
 * the callback, which is as long as the reply lives. */
static void az_fill(const fapi_peer *peer, Fapi__Test__WhoReply *r, fapi_identity *id)
{
	memset(id, 0, sizeof(*id));
	id->size = sizeof(*id);
	if (az_host->peer_identity(peer, id) != FAPI_OK)
		return;
	r->identity = (char *)id->text;
	r->transport = (char *)id->transport;
	r->has_unix_creds = id->has_unix_creds;
	r->uid = id->uid;
	r->gid = id->gid;
	r->pid = id->pid;
	r->user = (char *)id->user;
	r->common_name = (char *)id->common_name;
	r->n_uri_sans = id->nuri;
	r->uri_sans = (char **)id->uri_sans;
	r->n_dns_sans = id->ndns;
	r->dns_sans = (char **)id->dns_sans;
}

/* One reply per thread: the core encodes it before the handler's thread
 * runs another call. */
static _Thread_local Fapi__Test__WhoReply az_reply;

static void az_handle(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result, void *user)
{
	(void)request;
	static _Thread_local fapi_identity id;
	fapi__test__who_reply__init(&az_reply);
	az_fill(peer, &az_reply, &id);
	az_host->log(az_ctx, FAPI_LOG_INFO, "handler of %s ran for %s", (const char *)user,
		     id.text ? id.text : "?");
	result->response = &az_reply.base;
}

static void az_summary(const ProtobufCMessage *request, char *buf, size_t buflen, void *user)
{
	(void)user;
	const Fapi__Test__PutRequest *r = (const void *)request;
	snprintf(buf, buflen, "name=%s content=%zu bytes", r->name, r->content.len);
}


static fapi_status_code az_feed_open(fapi_stream *s, const ProtobufCMessage *req, const fapi_peer *peer, void *user,
				     char *msg, size_t msglen)
{
	(void)req;
	(void)user;
	(void)msg;
	(void)msglen;
	Fapi__Test__WhoReply r = FAPI__TEST__WHO_REPLY__INIT;
	fapi_identity id = FAPI_IDENTITY_INIT;
	az_fill(peer, &r, &id);
	az_host->stream_write(s, &r.base);
	return FAPI_STATUS_OK;
}

static fapi_status_code az_feed_read(fapi_stream *s, const ProtobufCMessage *m, void *user, char *msg, size_t msglen)
{
	(void)m;
	(void)user;
	(void)msg;
	(void)msglen;
	az_host->stream_finish(s, FAPI_STATUS_OK, NULL);
	return FAPI_STATUS_OK;
}

static void az_feed_close(fapi_stream *s, fapi_status_code why, void *user)
{
	(void)s;
	(void)why;
	(void)user;
}

static int az_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	az_host = host;
	az_ctx = ctx;
	*state = NULL;
	return FAPI_OK;
}

static int az_register(void *state, char *err, size_t errlen)
{
	(void)state;
	fapi_unary_method whoami = {
		.size = sizeof(fapi_unary_method),
		.path = "/fapi.test.authz/whoami",
		.request_type = &fapi__test__put_request__descriptor,
		.response_type = &fapi__test__who_reply__descriptor,
		.handler = az_handle,
		.user = (void *)"whoami",
		.method_class = FAPI_METHOD_READ,
	};
	fapi_unary_method put = whoami;
	put.path = "/fapi.test.authz/put";
	put.user = (void *)"put";
	put.method_class = FAPI_METHOD_WRITE;
	put.audit_summary = az_summary;
	fapi_unary_method deploy = put;
	deploy.path = "/fapi.test.authz/deploy";
	deploy.user = (void *)"deploy";
	deploy.permission = "authztest.deploy";
	fapi_stream_method feed = {
		.size = sizeof(fapi_stream_method),
		.path = "/fapi.test.authz/feed",
		.request_type = &fapi__test__put_request__descriptor,
		.response_type = &fapi__test__who_reply__descriptor,
		.on_open = az_feed_open,
		.on_read = az_feed_read,
		.on_close = az_feed_close,
		.method_class = FAPI_METHOD_WRITE,
	};
	int rc = az_host->register_unary(az_ctx, &whoami, err, errlen);
	if (rc == FAPI_OK)
		rc = az_host->register_unary(az_ctx, &put, err, errlen);
	if (rc == FAPI_OK)
		rc = az_host->register_unary(az_ctx, &deploy, err, errlen);
	if (rc == FAPI_OK)
		rc = az_host->register_bidi_stream(az_ctx, &feed, err, errlen);
	return rc;
}

static void az_destroy(void *state)
{
	(void)state;
}

FAPI_MODULE_DEFINE(.name = "authztest", .version = "0.0.1", .description = "authorisation test module",
		   .init = az_init, .register_rpcs = az_register, .destroy = az_destroy);
