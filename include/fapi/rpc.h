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

/* What a method does, for authorisation (ABI 1.3). A read method may be
 * called by every identity the policy lets read; a write method (anything
 * that changes what the daemon detects or holds: rules and configs
 * changes, inputs) needs an explicit grant and every call to it is audited.
 * A method that declares nothing (FAPI_METHOD_UNSET, or a module built
 * before ABI 1.3) counts as a write: deny by default. */
typedef enum fapi_method_class {
	FAPI_METHOD_UNSET = 0,
	FAPI_METHOD_READ = 1,
	FAPI_METHOD_WRITE = 2
} fapi_method_class;

/* Who is calling; filled by the core, read-only for handlers. The host's
 * peer_identity (ABI 1.3) tells who is behind it. */
typedef struct fapi_peer {
	const char *address;   /* "unix:uid=U,pid=P" for a unix peer, else gRPC's peer string ("ipv4:..."); owned by the core, valid during the callback */
	const char *transport; /* "unix", "tcp+mtls" or "tcp+insecure"; static string */
} fapi_peer;

/* What a unary handler produces. The core zeroes it (status OK) before the
 * call and reads it after the handler returns. */
typedef struct fapi_unary_result {
	fapi_status_code status;                /* non-OK ends the call with this status */
	/* Status message for a non-OK status; core-owned buffer. With an OK
	 * status it is optional and never sent: the audit record of a write
	 * keeps it (say, the revision the change made). */
	char message[FAPI_ERRBUF_SIZE];
	const ProtobufCMessage *response;       /* required when status is OK; owned by the handler */
	/* Optional: called by the core once `response` is encoded (or the call
	 * failed), so the handler can free it. NULL when the response needs no
	 * freeing (stack or static). */
	void (*release)(const ProtobufCMessage *response, void *user);
} fapi_unary_result;

/* One unary method. The strings and descriptors must outlive the server
 * (static storage in the module); the core copies nothing but the pointer.
 * Initialise it with FAPI_UNARY_METHOD_INIT, then set the members: the host
 * reads only the members that fit in `size`, so a module built before a
 * member was added is never misread. */
typedef struct fapi_unary_method {
	uint32_t size;                                      /* required (ABI 1.4): FAPI_UNARY_METHOD_INIT sets it */
	const char *path;                                   /* "/package.service/method" */
	const ProtobufCMessageDescriptor *request_type;     /* used to decode the request */
	const ProtobufCMessageDescriptor *response_type;    /* checked against result->response */
	/* Runs on a unary completion-queue thread; may run concurrently with
	 * itself. Fill `result`; never block on the network. */
	void (*handler)(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			void *user);
	void *user; /* passed to handler and release; owned by the module */

	/* ---- ABI 1.3 ---- */

	/* Optional (UNSET counts as WRITE): the method's class. */
	fapi_method_class method_class;
	/* Optional: a permission of the method's own ("rules.put"), static
	 * string of [a-z0-9_.-]; a caller needs it, its class name ("read" or
	 * "write") or "*". NULL: the class name alone. */
	const char *permission;
	/* Optional: a short summary of a decoded request for the audit log
	 * (for instance a file name and its sha256). Write at most buflen bytes
	 * including the NUL into buf; plain text, the core escapes it. Called
	 * on a gRPC thread for every audited call whose request decodes. */
	void (*audit_summary)(const ProtobufCMessage *request, char *buf, size_t buflen, void *user);
} fapi_unary_method;
#define FAPI_UNARY_METHOD_INIT {.size = sizeof(fapi_unary_method)}

/* A server-streaming or bidirectional call in progress. Opaque; valid from
 * on_open until on_close returns. Every host stream_* function may be called
 * from any thread during that window. */
typedef struct fapi_stream fapi_stream;

/* One streaming method (server-streaming or bidirectional: the registration
 * function says which). Initialise it with FAPI_STREAM_METHOD_INIT, as
 * fapi_unary_method. */
typedef struct fapi_stream_method {
	uint32_t size; /* required (ABI 1.4): FAPI_STREAM_METHOD_INIT sets it */
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

	/* ---- ABI 1.2 ---- */

	/* Optional: the server is shutting down (SIGTERM, SIGINT, -M). The
	 * module writes what it still holds for the stream and then ends it
	 * with stream_finish and the status of its choice (Falco's own
	 * streams end with OK); until then the stream stays writable and
	 * on_writable keeps coming. Called once per open stream, on a gRPC
	 * thread, after every module's stop. Without it the host ends the
	 * stream with UNAVAILABLE once the messages already queued are sent.
	 * Either way, a stream still open when the shutdown grace period ends
	 * is cancelled. */
	void (*on_shutdown)(fapi_stream *stream, void *user);

	/* ---- ABI 1.3 ---- */

	/* As in fapi_unary_method: class (UNSET counts as WRITE), optional own
	 * permission, optional audit summary of the request (server streaming:
	 * the request; bidirectional: not called, the call is audited when it
	 * opens). */
	fapi_method_class method_class;
	const char *permission;
	void (*audit_summary)(const ProtobufCMessage *request, char *buf, size_t buflen, void *user);
} fapi_stream_method;
#define FAPI_STREAM_METHOD_INIT {.size = sizeof(fapi_stream_method)}

/* Who is behind a peer (see the host's peer_identity, ABI 1.3). The module
 * sets `size` to sizeof(fapi_identity) as it was built; the host fills the
 * members that fit and leaves the rest alone. Strings are owned by the core
 * and valid while the peer is (during a unary handler; until on_close for a
 * stream); never NULL once filled ("" when unknown). */
typedef struct fapi_identity {
	uint32_t size;          /* required, set by the caller: FAPI_IDENTITY_INIT */
	const char *transport;  /* "unix", "tcp+mtls" or "tcp+insecure" */
	int has_unix_creds;     /* 1 when uid, gid and pid come from SO_PEERCRED */
	uint32_t uid, gid;      /* the peer process's ids when it connected */
	int32_t pid;            /* its pid then (it may have exited since) */
	const char *user;       /* user name of uid, "" when it has none */
	const char *group;      /* group name of gid, "" when it has none */
	int has_cert;           /* 1 for a verified mutual-TLS client certificate */
	const char *subject;    /* the certificate's subject, OpenSSL one-line form ("CN=a,O=b") */
	const char *common_name; /* its CN */
	const char *const *dns_sans; /* its DNS subject alternative names; core-owned array */
	size_t ndns;
	const char *const *uri_sans; /* its URI SANs (a SPIFFE ID is one) */
	size_t nuri;
	const char *text;       /* the identity in one line, as the audit log and denials name it */
} fapi_identity;
#define FAPI_IDENTITY_INIT {.size = sizeof(fapi_identity)}

#endif
