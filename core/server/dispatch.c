#include "server/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ProtobufCMessage *dispatch_decode(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len, char *err,
				  size_t errlen)
{
	static const uint8_t empty[1];
	ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, len, data ? data : empty);
	if (!m)
		snprintf(err, errlen, "request is not a valid %s message", d->name);
	return m;
}

uint8_t *dispatch_encode(const ProtobufCMessage *m, size_t *len)
{
	*len = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(*len ? *len : 1);
	if (buf)
		protobuf_c_message_pack(m, buf);
	return buf;
}

void dispatch_unary(const service_entry *e, const uint8_t *req, size_t len, const fapi_peer *peer,
		    dispatch_result *out)
{
	memset(out, 0, sizeof(*out));
	const fapi_unary_method *m = &e->unary;
	ProtobufCMessage *msg = dispatch_decode(m->request_type, req, len, out->message, sizeof(out->message));
	if (!msg) {
		out->status = FAPI_STATUS_INVALID_ARGUMENT;
		return;
	}
	fapi_unary_result r;
	memset(&r, 0, sizeof(r));
	m->handler(msg, peer, &r, m->user);
	protobuf_c_message_free_unpacked(msg, NULL);
	if (r.status != FAPI_STATUS_OK) {
		out->status = r.status;
		memcpy(out->message, r.message, sizeof(out->message));
		out->message[sizeof(out->message) - 1] = '\0';
	} else if (!r.response || r.response->descriptor != m->response_type) {
		out->status = FAPI_STATUS_INTERNAL;
		snprintf(out->message, sizeof(out->message), "handler of %s returned %s", m->path,
			 r.response ? "a response of the wrong type" : "no response");
	} else if (!(out->response = dispatch_encode(r.response, &out->response_len))) {
		out->status = FAPI_STATUS_RESOURCE_EXHAUSTED;
		snprintf(out->message, sizeof(out->message), "out of memory encoding the response");
	} else {
		/* Not sent with an OK status; the audit record keeps it (the
		 * new revision of a rules change). */
		memcpy(out->message, r.message, sizeof(out->message));
		out->message[sizeof(out->message) - 1] = '\0';
	}
	if (r.response && r.release)
		r.release(r.response, m->user);
}
