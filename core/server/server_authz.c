/* The authorisation step every call goes through before any handler: the
 * method's class and permission against the policy, and the audit record of
 * every write. The entry is the registered method gRPC matched the call
 * to, so the path checked is exactly the one routed. */

#include <stdio.h>
#include <string.h>

#include "server/dispatch.h"
#include "server/server_internal.h"

static const char *server_authz_path(const service_entry *e)
{
	return e->kind == SERVICE_UNARY ? e->unary.path : e->stream.path;
}

static fapi_method_class server_authz_class(const service_entry *e)
{
	return e->kind == SERVICE_UNARY ? e->unary.method_class : e->stream.method_class;
}

static bool server_authz_is_write(const service_entry *e)
{
	return server_authz_class(e) != FAPI_METHOD_READ;
}

fapi_status_code server_authz_check(server *s, const service_entry *e, const server_peer *peer, const uint8_t *req,
				    size_t len, char *msg, size_t msglen)
{
	if (!s->policy)
		return FAPI_STATUS_OK;
	const char *own = e->kind == SERVICE_UNARY ? e->unary.permission : e->stream.permission;
	if (authz_policy_allows(s->policy, &peer->id, server_authz_path(e), server_authz_class(e), own, msg, msglen))
		return FAPI_STATUS_OK;
	server_authz_audit(s, e, peer, req, len, FAPI_STATUS_PERMISSION_DENIED, msg);
	return FAPI_STATUS_PERMISSION_DENIED;
}

void server_authz_audit(server *s, const service_entry *e, const server_peer *peer, const uint8_t *req, size_t len,
			fapi_status_code code, const char *message)
{
	if (!s->audit || !server_authz_is_write(e))
		return;
	const ProtobufCMessageDescriptor *type = e->kind == SERVICE_UNARY ? e->unary.request_type : e->stream.request_type;
	void (*summarize)(const ProtobufCMessage *, char *, size_t, void *) =
		e->kind == SERVICE_UNARY ? e->unary.audit_summary : e->stream.audit_summary;
	void *user = e->kind == SERVICE_UNARY ? e->unary.user : e->stream.user;
	char summary[FAPI_ERRBUF_SIZE] = "";
	bool bidi = e->kind == SERVICE_BIDI;
	if (summarize && !bidi) {
		char err[64];
		ProtobufCMessage *m = dispatch_decode(type, req, len, err, sizeof(err));
		if (m) {
			summarize(m, summary, sizeof(summary), user);
			summary[sizeof(summary) - 1] = '\0';
			protobuf_c_message_free_unpacked(m, NULL);
		}
	}
	authz_audit_request r = {
		.type = type->name,
		.has_body = !bidi,
		.data = req,
		.len = len,
		.summary = summary,
	};
	authz_audit_record(s->audit, &peer->id, server_authz_path(e), &r, code, message);
}

/* [a-z_]+: a name that needs no escaping and cannot clash with JSON syntax. */
static bool server_authz_name_ok(const char *s)
{
	return s && *s && strspn(s, "abcdefghijklmnopqrstuvwxyz_") == strlen(s);
}

int server_authz_audit_stream(server *s, const service_entry *e, const server_peer *peer,
			      const fapi_stream_audit *rec, char *err, size_t errlen)
{
	if (!rec || rec->size < sizeof(fapi_stream_audit) || !server_authz_name_ok(rec->event) ||
	    (rec->n && (!rec->names || !rec->values))) {
		snprintf(err, errlen, "malformed stream audit record (size, event or counters)");
		return FAPI_EINVAL;
	}
	for (size_t i = 0; i < rec->n; i++)
		if (!server_authz_name_ok(rec->names[i])) {
			snprintf(err, errlen, "stream audit counter name \"%s\" is not [a-z_]+",
				 rec->names[i] ? rec->names[i] : "");
			return FAPI_EINVAL;
		}
	if (!s->audit || !server_authz_is_write(e))
		return FAPI_OK;
	authz_audit_request r = {
		.type = e->stream.request_type->name,
		.event = rec->event,
		.names = rec->names,
		.values = rec->values,
		.ncounts = rec->n,
	};
	authz_audit_record(s->audit, &peer->id, server_authz_path(e), &r, rec->code, rec->message);
	return FAPI_OK;
}
