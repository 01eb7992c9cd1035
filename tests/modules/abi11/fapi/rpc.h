#ifndef FAPI_RPC_H
#define FAPI_RPC_H

/* RPC handler descriptors. A module fills one descriptor per method with
 * designated initializers and hands it to the host's register_* function.
 * The core decodes every request with the given protobuf-c descriptor before
 * a handler sees it and encodes every response after: handlers deal in
 * protobuf-c messages only. */

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#include "fapi/status.h"

/* Who is calling; filled by the core, read-only for handlers. */
typedef struct fapi_peer {
	const char *address;   /* gRPC peer string ("unix:...", "ipv4:..."); owned by the core, valid during the callback */
	const char *transport; /* "unix", "tcp+mtls" or "tcp+insecure"; static string */
} fapi_peer;

/* What a unary handler produces. The core zeroes it (status OK) before the
 * call and reads it after the handler returns. */
typedef struct fapi_unary_result {
	fapi_status_code status;                /* non-OK ends the call with this status */
	char message[FAPI_ERRBUF_SIZE];         /* status message for a non-OK status; core-owned buffer */
	const ProtobufCMessage *response;       /* required when status is OK; owned by the handler */
	/* Optional: called by the core once `response` is encoded (or the call
	 * failed), so the handler can free it. NULL when the response needs no
	 * freeing (stack or static). */
	void (*release)(const ProtobufCMessage *response, void *user);
} fapi_unary_result;

/* One unary method. The strings and descriptors must outlive the server
 * (static storage in the module); the core copies nothing but the pointer. */
typedef struct fapi_unary_method {
	const char *path;                                   /* "/package.service/method" */
	const ProtobufCMessageDescriptor *request_type;     /* used to decode the request */
	const ProtobufCMessageDescriptor *response_type;    /* checked against result->response */
	/* Runs on a unary completion-queue thread; may run concurrently with
	 * itself. Fill `result`; never block on the network. */
	void (*handler)(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			void *user);
	void *user; /* passed to handler and release; owned by the module */
} fapi_unary_method;

/* A server-streaming or bidirectional call in progress. Opaque; valid from
 * on_open until on_close returns. Every host stream_* function may be called
 * from any thread during that window. */
typedef struct fapi_stream fapi_stream;

/* One streaming method (server-streaming or bidirectional: the registration
 * function says which). */
typedef struct fapi_stream_method {
	const char *path;
	const ProtobufCMessageDescriptor *request_type;  /* decodes the request (server streaming) or each client message (bidi) */
	const ProtobufCMessageDescriptor *response_type; /* every stream_write must pass a message of this type */
	/* The call started. Server streaming: `request` is the decoded request.
	 * Bidirectional: `request` is NULL; client messages come to on_read.
	 * Return FAPI_STATUS_OK to keep the stream open, or a status (with a
	 * message in msg) to end it at once; on_close still follows. */
	fapi_status_code (*on_open)(fapi_stream *stream, const ProtobufCMessage *request, const fapi_peer *peer,
				    void *user, char *msg, size_t msglen);
	/* Bidirectional only: one decoded client message, owned by the core and
	 * freed after return. Return non-OK to end the call with that status. */
	fapi_status_code (*on_read)(fapi_stream *stream, const ProtobufCMessage *message, void *user, char *msg,
				    size_t msglen);
	/* Bidirectional only, optional: the client closed its sending side. */
	void (*on_read_end)(fapi_stream *stream, void *user);
	/* Optional: the stream's write queue became empty, so a module that keeps
	 * its own queue can write the next message. Called on a completion-queue
	 * thread; at most one on_writable runs per stream at a time. */
	void (*on_writable)(fapi_stream *stream, void *user);
	/* Required: the call is over, for `why` (OK when finished by the module,
	 * CANCELLED when the client went away, UNAVAILABLE at server shutdown).
	 * Called exactly once. When it returns, the stream handle is dead: the
	 * module must have made sure that none of its threads uses it again. */
	void (*on_close)(fapi_stream *stream, fapi_status_code why, void *user);
	void *user; /* passed to every callback; owned by the module */
	/* Maximum number of encoded messages queued for sending before
	 * stream_write answers FAPI_EFULL; 0 means the host default (1024). */
	size_t max_queued;
} fapi_stream_method;

#endif
