#include "fapictl_rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer_reader.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "fapictl_conn.h"

void fapictl_rpc_status_free(fapictl_rpc_status *st)
{
	free(st->details);
	st->details = NULL;
}

static void fapictl_rpc_status_set(fapictl_rpc_status *st, grpc_status_code code, const char *details)
{
	st->code = code;
	free(st->details);
	st->details = strdup(details ? details : "");
}

grpc_byte_buffer *fapictl_rpc_pack(const ProtobufCMessage *req)
{
	size_t n = protobuf_c_message_get_packed_size(req);
	grpc_slice s = grpc_slice_malloc(n);
	protobuf_c_message_pack(req, GRPC_SLICE_START_PTR(s));
	grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&s, 1);
	grpc_slice_unref(s);
	return bb;
}

ProtobufCMessage *fapictl_rpc_unpack(grpc_byte_buffer *bb, const ProtobufCMessageDescriptor *desc)
{
	grpc_byte_buffer_reader r;
	if (!grpc_byte_buffer_reader_init(&r, bb))
		return NULL;
	grpc_slice s = grpc_byte_buffer_reader_readall(&r);
	grpc_byte_buffer_reader_destroy(&r);
	ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, GRPC_SLICE_LENGTH(s), GRPC_SLICE_START_PTR(s));
	grpc_slice_unref(s);
	return m;
}

ProtobufCMessage *fapictl_rpc_unary(grpc_channel *ch, const char *method, const ProtobufCMessage *req,
				    const ProtobufCMessageDescriptor *desc, double timeout_s, fapictl_rpc_status *st)
{
	grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
	grpc_slice m = grpc_slice_from_static_string(method);
	grpc_call *call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, m, NULL,
						   fapictl_conn_deadline(timeout_s), NULL);
	grpc_byte_buffer *send = fapictl_rpc_pack(req), *recv = NULL;
	grpc_metadata_array imd, tmd;
	grpc_metadata_array_init(&imd);
	grpc_metadata_array_init(&tmd);
	grpc_status_code code = GRPC_STATUS_UNKNOWN;
	grpc_slice details = grpc_empty_slice();
	grpc_op ops[6];
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = send;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &imd;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &recv;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &tmd;
	ops[5].data.recv_status_on_client.status = &code;
	ops[5].data.recv_status_on_client.status_details = &details;
	ProtobufCMessage *out = NULL;
	if (grpc_call_start_batch(call, ops, 6, call, NULL) != GRPC_CALL_OK) {
		fapictl_rpc_status_set(st, GRPC_STATUS_INTERNAL, "the call could not be started");
	} else {
		grpc_completion_queue_pluck(cq, call, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		char *d = grpc_slice_to_c_string(details);
		if (code != GRPC_STATUS_OK) {
			fapictl_rpc_status_set(st, code, d);
		} else if (!recv || !(out = fapictl_rpc_unpack(recv, desc))) {
			fapictl_rpc_status_set(st, GRPC_STATUS_INTERNAL, "the answer could not be decoded");
		} else {
			fapictl_rpc_status_set(st, GRPC_STATUS_OK, "");
		}
		gpr_free(d);
	}
	grpc_byte_buffer_destroy(send);
	if (recv)
		grpc_byte_buffer_destroy(recv);
	grpc_metadata_array_destroy(&imd);
	grpc_metadata_array_destroy(&tmd);
	grpc_slice_unref(details);
	grpc_call_unref(call);
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(cq);
	return out;
}

int fapictl_rpc_unary_each(const fapictl_conn *conn, const char *method, const ProtobufCMessage *req,
			   const ProtobufCMessageDescriptor *desc,
			   int (*show)(const ProtobufCMessage *resp, const char *target, size_t ntargets, void *user),
			   void *user)
{
	int rc = 0;
	double timeout = conn->timeout_s >= 0 ? conn->timeout_s : 10;
	for (size_t i = 0; i < conn->ntargets; i++) {
		char err[512];
		grpc_channel *ch = fapictl_conn_channel(conn, i, 0, err, sizeof(err));
		if (!ch) {
			fprintf(stderr, "fapictl: %s\n", err);
			rc = 1;
			continue;
		}
		fapictl_rpc_status st = {0};
		ProtobufCMessage *m = fapictl_rpc_unary(ch, method, req, desc, timeout, &st);
		if (!m) {
			fapictl_conn_report(conn->targets[i], st.code, st.details);
			rc = 1;
		} else {
			if (show(m, conn->targets[i], conn->ntargets, user) != 0)
				rc = 1;
			protobuf_c_message_free_unpacked(m, NULL);
		}
		fapictl_rpc_status_free(&st);
		grpc_channel_destroy(ch);
	}
	return rc;
}

int fapictl_rpc_stream_open(fapictl_rpc_stream *s, grpc_channel *ch, grpc_completion_queue *cq, const char *method,
			    const ProtobufCMessage *req, bool wait_for_ready)
{
	void *user = s->user;
	memset(s, 0, sizeof(*s));
	s->user = user;
	s->details = grpc_empty_slice();
	grpc_metadata_array_init(&s->initial_md);
	grpc_metadata_array_init(&s->trailing_md);
	s->start_tag = (fapictl_rpc_tag){s, FAPICTL_RPC_START};
	s->recv_tag = (fapictl_rpc_tag){s, FAPICTL_RPC_RECV};
	s->status_tag = (fapictl_rpc_tag){s, FAPICTL_RPC_STATUS};
	grpc_slice m = grpc_slice_from_static_string(method);
	s->call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, m, NULL,
					   gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
	s->send = fapictl_rpc_pack(req);
	s->start_ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	if (wait_for_ready)
		s->start_ops[0].flags = GRPC_INITIAL_METADATA_WAIT_FOR_READY | GRPC_INITIAL_METADATA_WAIT_FOR_READY_EXPLICITLY_SET;
	s->start_ops[1].op = GRPC_OP_SEND_MESSAGE;
	s->start_ops[1].data.send_message.send_message = s->send;
	s->start_ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	s->start_ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	s->start_ops[3].data.recv_initial_metadata.recv_initial_metadata = &s->initial_md;
	s->status_ops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	s->status_ops[0].data.recv_status_on_client.trailing_metadata = &s->trailing_md;
	s->status_ops[0].data.recv_status_on_client.status = &s->code;
	s->status_ops[0].data.recv_status_on_client.status_details = &s->details;
	if (grpc_call_start_batch(s->call, s->start_ops, 4, &s->start_tag, NULL) != GRPC_CALL_OK)
		return -1;
	s->pending++;
	if (grpc_call_start_batch(s->call, s->status_ops, 1, &s->status_tag, NULL) != GRPC_CALL_OK)
		return -1;
	s->pending++;
	return fapictl_rpc_stream_read(s);
}

int fapictl_rpc_stream_read(fapictl_rpc_stream *s)
{
	s->recv = NULL;
	memset(s->recv_ops, 0, sizeof(s->recv_ops));
	s->recv_ops[0].op = GRPC_OP_RECV_MESSAGE;
	s->recv_ops[0].data.recv_message.recv_message = &s->recv;
	if (grpc_call_start_batch(s->call, s->recv_ops, 1, &s->recv_tag, NULL) != GRPC_CALL_OK)
		return -1;
	s->pending++;
	return 0;
}

const uint8_t *fapictl_rpc_stream_bytes(fapictl_rpc_stream *s, grpc_slice *tmp, size_t *len)
{
	*tmp = grpc_empty_slice();
	if (!s->recv)
		return NULL;
	grpc_byte_buffer *bb = s->recv;
	if (bb->type == GRPC_BB_RAW && bb->data.raw.compression == GRPC_COMPRESS_NONE &&
	    bb->data.raw.slice_buffer.count == 1) {
		grpc_slice *sl = &bb->data.raw.slice_buffer.slices[0];
		*len = GRPC_SLICE_LENGTH(*sl);
		return GRPC_SLICE_START_PTR(*sl);
	}
	grpc_byte_buffer_reader r;
	if (!grpc_byte_buffer_reader_init(&r, bb))
		return NULL;
	*tmp = grpc_byte_buffer_reader_readall(&r);
	grpc_byte_buffer_reader_destroy(&r);
	*len = GRPC_SLICE_LENGTH(*tmp);
	return GRPC_SLICE_START_PTR(*tmp);
}

void fapictl_rpc_stream_done(fapictl_rpc_stream *s, fapictl_rpc_op op)
{
	s->pending--;
	switch (op) {
	case FAPICTL_RPC_START:
		grpc_byte_buffer_destroy(s->send);
		s->send = NULL;
		break;
	case FAPICTL_RPC_RECV:
		if (s->recv)
			grpc_byte_buffer_destroy(s->recv);
		s->recv = NULL;
		break;
	case FAPICTL_RPC_STATUS:
		s->ended = true;
		break;
	}
}

void fapictl_rpc_stream_free(fapictl_rpc_stream *s)
{
	if (s->call)
		grpc_call_unref(s->call);
	s->call = NULL;
	if (s->send)
		grpc_byte_buffer_destroy(s->send);
	s->send = NULL;
	grpc_metadata_array_destroy(&s->initial_md);
	grpc_metadata_array_destroy(&s->trailing_md);
	grpc_slice_unref(s->details);
	s->details = grpc_empty_slice();
}
