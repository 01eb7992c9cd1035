#ifndef FAPICTL_RPC_H
#define FAPICTL_RPC_H

/* Calls on the gRPC C core with protobuf-c messages: a unary call, and
 * server-streaming calls driven from one completion queue (so several
 * streams, one per daemon, are read by one loop). */

#include <stdbool.h>
#include <stdint.h>

#include <grpc/grpc.h>
#include <protobuf-c/protobuf-c.h>

/* A message packed into a new byte buffer (caller destroys it), and a
 * received buffer unpacked with desc (caller frees; NULL when it does not
 * decode). */
grpc_byte_buffer *fapictl_rpc_pack(const ProtobufCMessage *req);
ProtobufCMessage *fapictl_rpc_unpack(grpc_byte_buffer *bb, const ProtobufCMessageDescriptor *desc);

/* The result of a call: its status code and the server's message. */
typedef struct fapictl_rpc_status {
	grpc_status_code code;
	char *details; /* owned; free with fapictl_rpc_status_free; never NULL once set */
} fapictl_rpc_status;

void fapictl_rpc_status_free(fapictl_rpc_status *st);

/* Calls `method` on ch with req (packed) and unpacks the answer with desc.
 * Waits at most timeout_s seconds (< 0: no limit). Returns the unpacked
 * response (caller frees it with protobuf_c_message_free_unpacked) or
 * NULL with *st filled (an answer that does not decode is INTERNAL). */
ProtobufCMessage *fapictl_rpc_unary(grpc_channel *ch, const char *method, const ProtobufCMessage *req,
				    const ProtobufCMessageDescriptor *desc, double timeout_s, fapictl_rpc_status *st);

/* Calls a unary method on every target of conn in turn, each with its
 * own channel and conn's timeout (default 10 s), and hands each answer to
 * show() (required; returns an FAPICTL_EXIT_* code). A failed call is
 * reported on stderr in a user's words and the others still run. Returns
 * FAPICTL_EXIT_OK when every call succeeded and every show() returned 0,
 * else FAPICTL_EXIT_RPC. */
struct fapictl_conn;
int fapictl_rpc_unary_each(const struct fapictl_conn *conn, const char *method, const ProtobufCMessage *req,
			   const ProtobufCMessageDescriptor *desc,
			   int (*show)(const ProtobufCMessage *resp, const char *target, size_t ntargets, void *user),
			   void *user);

/* What a completion on a stream's queue was for. */
typedef enum { FAPICTL_RPC_START, FAPICTL_RPC_RECV, FAPICTL_RPC_STATUS } fapictl_rpc_op;

typedef struct fapictl_rpc_stream fapictl_rpc_stream;

/* The tag of every completion: which stream and which operation. */
typedef struct fapictl_rpc_tag {
	fapictl_rpc_stream *stream;
	fapictl_rpc_op op;
} fapictl_rpc_tag;

/* A server-streaming call. Fill with fapictl_rpc_stream_open; every
 * member is owned by the stream. */
struct fapictl_rpc_stream {
	grpc_call *call;
	grpc_byte_buffer *send, *recv;
	grpc_metadata_array initial_md, trailing_md;
	grpc_status_code code;
	grpc_slice details;
	grpc_op start_ops[4], recv_ops[1], status_ops[1];
	fapictl_rpc_tag start_tag, recv_tag, status_tag;
	int pending;    /* completions still to come */
	bool ended;     /* the status arrived */
	void *user;     /* the caller's, untouched */
};

/* Starts `method` on ch with the packed request, its completions going to
 * cq. wait_for_ready: wait for the channel to connect instead of failing
 * at once when it cannot. Posts the first read. Returns 0, or -1 when
 * gRPC refused the batch. */
int fapictl_rpc_stream_open(fapictl_rpc_stream *s, grpc_channel *ch, grpc_completion_queue *cq, const char *method,
			    const ProtobufCMessage *req, bool wait_for_ready);

/* Posts the next read (after a message was taken). Returns 0 or -1. */
int fapictl_rpc_stream_read(fapictl_rpc_stream *s);

/* The message a RECV completion brought as one contiguous buffer, or
 * NULL at the end of the stream. *tmp holds the bytes when they had to be
 * joined: grpc_slice_unref it after use. */
const uint8_t *fapictl_rpc_stream_bytes(fapictl_rpc_stream *s, grpc_slice *tmp, size_t *len);

/* Accounts one completion of the stream (call for every event whose tag
 * is one of the stream's); frees the buffers the operation used. */
void fapictl_rpc_stream_done(fapictl_rpc_stream *s, fapictl_rpc_op op);

/* Releases the call once pending is 0 (cancel it first to get there). */
void fapictl_rpc_stream_free(fapictl_rpc_stream *s);

#endif
