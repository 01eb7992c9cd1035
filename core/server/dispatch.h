#ifndef FAPI_DISPATCH_H
#define FAPI_DISPATCH_H

/* Decoding requests, invoking handlers and encoding responses: the part of
 * serving a call that does not depend on gRPC, so it can be tested alone. */

#include <stddef.h>
#include <stdint.h>

#include "fapi/rpc.h"
#include "server/service_table.h"

typedef struct dispatch_result {
	fapi_status_code status;
	char message[FAPI_ERRBUF_SIZE]; /* status message when status != OK; with OK, what the handler left for the audit record */
	uint8_t *response;              /* encoded response when OK; malloc'd, the caller frees */
	size_t response_len;
} dispatch_result;

/* Decodes `req` (NULL with len 0 means the client sent no message) with the
 * entry's request type, runs its unary handler and encodes the response.
 * Undecodable bytes give INVALID_ARGUMENT, a handler error its own status, a
 * handler that returns OK without a response (or one of the wrong type)
 * INTERNAL. Always fills *out. */
void dispatch_unary(const service_entry *e, const uint8_t *req, size_t len, const fapi_peer *peer,
		    dispatch_result *out);

/* Decodes bytes into a message of type d; NULL and a message in err when
 * they are not a valid encoding. Free with protobuf_c_message_free_unpacked. */
ProtobufCMessage *dispatch_decode(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len, char *err,
				  size_t errlen);

/* Encodes a message into a malloc'd buffer. NULL on ENOMEM. */
uint8_t *dispatch_encode(const ProtobufCMessage *m, size_t *len);

#endif
