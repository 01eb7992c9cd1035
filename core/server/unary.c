/* Serving unary calls and rejecting unknown methods, on the unary queue. */

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/support/alloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "server/server_metrics.h"
#include "server/dispatch.h"
#include "server/server_internal.h"

typedef struct unary_call {
	cq_tag request_tag;
	cq_tag done_tag;
	server *srv;
	const service_entry *entry; /* NULL for the generic (unknown method) request */
	grpc_call *call;
	gpr_timespec deadline;
	grpc_metadata_array md;
	grpc_call_details details;
	grpc_byte_buffer *payload;
	grpc_byte_buffer *response;
	grpc_slice status_details;
	int cancelled;
	bool matched; /* counted in the server's unary_open */
	grpc_op ops[4];
	server_peer peer;
} unary_call;

static void unary_release(unary_call *c)
{
	server *s = c->srv;
	if (c->matched)
		atomic_fetch_sub(&s->unary_open, 1);
	if (c->call)
		grpc_call_unref(c->call);
	grpc_metadata_array_destroy(&c->md);
	if (!c->entry)
		grpc_call_details_destroy(&c->details);
	if (c->payload)
		grpc_byte_buffer_destroy(c->payload);
	if (c->response)
		grpc_byte_buffer_destroy(c->response);
	grpc_slice_unref(c->status_details);
	call_pool_put(&s->pools[SERVICE_UNARY], c);
}

static void unary_on_done(cq_tag *t, bool ok)
{
	(void)ok;
	unary_release(SERVER_CONTAINER_OF(t, unary_call, done_tag));
}

/* Copies the (possibly multi-slice) payload into one slice. */
static grpc_slice unary_payload_slice(grpc_byte_buffer *bb)
{
	grpc_byte_buffer_reader r;
	if (!bb || !grpc_byte_buffer_reader_init(&r, bb))
		return grpc_empty_slice();
	grpc_slice s = grpc_byte_buffer_reader_readall(&r);
	grpc_byte_buffer_reader_destroy(&r);
	return s;
}

static void unary_on_request(cq_tag *t, bool ok)
{
	unary_call *c = SERVER_CONTAINER_OF(t, unary_call, request_tag);
	server *s = c->srv;
	if (!ok) { /* the server is shutting down: the request was never matched */
		unary_release(c);
		return;
	}
	c->matched = true;
	atomic_fetch_add(&s->unary_open, 1);
	unary_request(s, c->entry);
	uint64_t started_ns = c->entry ? server_metrics_now() : 0;
	if (c->entry)
		server_metrics_started(c->entry->stats, true);

	fapi_status_code code;
	char message[FAPI_ERRBUF_SIZE];
	message[0] = '\0';
	if (!c->entry) {
		char *method = grpc_slice_to_c_string(c->details.method);
		code = FAPI_STATUS_UNIMPLEMENTED;
		snprintf(message, sizeof(message), "unknown method %s", method);
		gpr_free(method);
	} else {
		server_peer *peer = &c->peer;
		server_peer_fill(c->call, peer);
		grpc_slice req = unary_payload_slice(c->payload);
		const uint8_t *data = c->payload ? GRPC_SLICE_START_PTR(req) : NULL;
		size_t len = c->payload ? GRPC_SLICE_LENGTH(req) : 0;
		dispatch_result r;
		code = server_authz_check(s, c->entry, peer, data, len, message, sizeof(message));
		if (code == FAPI_STATUS_OK) {
			dispatch_unary(c->entry, data, len, &peer->pub, &r);
			code = r.status;
			memcpy(message, r.message, sizeof(message));
			server_authz_audit(s, c->entry, peer, data, len, code, message);
		}
		grpc_slice_unref(req);
		gpr_free(peer->owned);
		if (code == FAPI_STATUS_OK) {
			grpc_slice out = grpc_slice_new(r.response, r.response_len, free);
			c->response = grpc_raw_byte_buffer_create(&out, 1);
			grpc_slice_unref(out);
		}
	}

	if (c->entry) {
		if (c->response && c->entry->stats)
			atomic_fetch_add_explicit(&c->entry->stats->msg_sent, 1, memory_order_relaxed);
		server_metrics_handled(c->entry->stats, (int)code, started_ns);
	}
	size_t n = 0;
	memset(c->ops, 0, sizeof(c->ops));
	c->ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
	if (c->response) {
		c->ops[n].op = GRPC_OP_SEND_MESSAGE;
		c->ops[n++].data.send_message.send_message = c->response;
	}
	c->status_details = grpc_slice_from_copied_string(message);
	c->ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	c->ops[n].data.send_status_from_server.status = (grpc_status_code)code;
	c->ops[n++].data.send_status_from_server.status_details = code == FAPI_STATUS_OK ? NULL : &c->status_details;
	c->ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	c->ops[n++].data.recv_close_on_server.cancelled = &c->cancelled;
	grpc_call_error e = grpc_call_start_batch(c->call, c->ops, n, &c->done_tag, NULL);
	if (e != GRPC_CALL_OK) {
		log_msg(FAPI_LOG_ERROR, "grpc", "cannot answer a unary call: error %d", (int)e);
		unary_release(c);
	}
}

void unary_request(server *s, const service_entry *e)
{
	pthread_rwlock_rdlock(&s->gate);
	if (s->shutting_down) {
		pthread_rwlock_unlock(&s->gate);
		return;
	}
	unary_call *c = call_pool_get(&s->pools[SERVICE_UNARY]);
	if (!c) {
		pthread_rwlock_unlock(&s->gate);
		log_msg(FAPI_LOG_ERROR, "grpc", "out of memory: cannot accept more unary calls");
		return;
	}
	c->srv = s;
	c->entry = e;
	c->request_tag.fn = unary_on_request;
	c->done_tag.fn = unary_on_done;
	c->status_details = grpc_empty_slice();
	grpc_metadata_array_init(&c->md);
	grpc_completion_queue *cq = s->cqs[SERVICE_UNARY].cq;
	grpc_call_error err;
	if (e) {
		err = grpc_server_request_registered_call(s->grpc, e->registered, &c->call, &c->deadline, &c->md,
							  &c->payload, cq, cq, &c->request_tag);
	} else {
		grpc_call_details_init(&c->details);
		err = grpc_server_request_call(s->grpc, &c->call, &c->details, &c->md, cq, cq, &c->request_tag);
	}
	pthread_rwlock_unlock(&s->gate);
	if (err != GRPC_CALL_OK) {
		log_msg(FAPI_LOG_ERROR, "grpc", "cannot request a call: error %d", (int)err);
		unary_release(c);
	}
}

size_t unary_call_size(void)
{
	return sizeof(unary_call);
}
