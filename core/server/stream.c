/* Server-streaming and bidirectional calls.
 *
 * A stream holds one reference per operation batch in flight (receive-close,
 * a write, a read, the status) plus one while a module callback runs. At
 * most one write is in flight (a gRPC rule); further messages wait in a
 * bounded queue and each write completion starts the next. When the count
 * reaches zero nothing can touch the call any more: on_close runs and the
 * context returns to its pool. */

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

#define STREAM_DEFAULT_MAX_QUEUED 1024

struct fapi_stream {
	cq_tag request_tag, close_tag, write_tag, read_tag, status_tag, wake_tag, shutdown_tag;
	server *srv;
	const service_entry *entry;
	grpc_call *call;
	gpr_timespec deadline;
	grpc_metadata_array md;
	grpc_byte_buffer *payload;
	pthread_mutex_t mu;
	int refs;
	bool finishing;      /* no more writes: finish requested or call broken */
	bool status_started;
	bool recv_closed;
	int cancelled;       /* set by RECV_CLOSE_ON_SERVER */
	bool write_in_flight;
	grpc_byte_buffer **q; /* ring of encoded messages waiting to be sent */
	size_t qhead, qlen, qcap, qmax;
	grpc_byte_buffer *writing;
	grpc_byte_buffer *reading;
	fapi_status_code finish_code;
	grpc_slice status_slice;
	bool in_writable, writable_again;
	bool wake_pending;
	bool read_paused;        /* stream_read_pause: no read is posted until resumed */
	bool read_due;           /* a read was held back by the pause */
	bool opened;             /* on_open has returned */
	bool shutdown_requested; /* the server is shutting down: on_shutdown is due once opened */
	void *user;
	struct fapi_stream *prev, *next;
	server_peer peer;
	uint64_t started_ns; /* for grpc_server_handling_seconds */
	bool status_sent;    /* the status went out: grpc_server_handled_total counts finish_code */
	grpc_op write_ops[2], status_ops[1], read_ops[1], close_ops[1];
};

static void stream_close(fapi_stream *st);

/* Starting a batch never runs its completion inline (completions go to the
 * queue), so batches may be started under st->mu. */
static bool stream_start(fapi_stream *st, grpc_op *ops, size_t n, cq_tag *tag)
{
	st->refs++;
	grpc_call_error e = grpc_call_start_batch(st->call, ops, n, tag, NULL);
	if (e != GRPC_CALL_OK) {
		log_msg(FAPI_LOG_ERROR, "grpc", "%s: cannot start a batch: error %d", st->entry->stream.path, (int)e);
		st->refs--;
		st->finishing = true;
		return false;
	}
	return true;
}

/* Sends `bb` (NULL: initial metadata only). Called with st->mu held. */
static void stream_start_write(fapi_stream *st, grpc_byte_buffer *bb, bool with_metadata)
{
	size_t n = 0;
	memset(st->write_ops, 0, sizeof(st->write_ops));
	if (with_metadata)
		st->write_ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
	if (bb) {
		st->write_ops[n].op = GRPC_OP_SEND_MESSAGE;
		st->write_ops[n++].data.send_message.send_message = bb;
	}
	st->writing = bb;
	st->write_in_flight = stream_start(st, st->write_ops, n, &st->write_tag);
}

static void stream_start_status(fapi_stream *st)
{
	st->status_started = true;
	st->status_sent = true;
	memset(st->status_ops, 0, sizeof(st->status_ops));
	st->status_ops[0].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	st->status_ops[0].data.send_status_from_server.status = (grpc_status_code)st->finish_code;
	st->status_ops[0].data.send_status_from_server.status_details =
		GRPC_SLICE_LENGTH(st->status_slice) ? &st->status_slice : NULL;
	stream_start(st, st->status_ops, 1, &st->status_tag);
}

static void stream_start_read(fapi_stream *st)
{
	memset(st->read_ops, 0, sizeof(st->read_ops));
	st->read_ops[0].op = GRPC_OP_RECV_MESSAGE;
	st->read_ops[0].data.recv_message.recv_message = &st->reading;
	stream_start(st, st->read_ops, 1, &st->read_tag);
}

static void stream_drop_queue(fapi_stream *st)
{
	while (st->qlen) {
		grpc_byte_buffer_destroy(st->q[st->qhead]);
		st->qhead = (st->qhead + 1) % st->qcap;
		st->qlen--;
	}
}

/* Drops one reference taken by the caller; closes the stream at zero. */
static void stream_unref(fapi_stream *st)
{
	pthread_mutex_lock(&st->mu);
	bool done = --st->refs == 0;
	pthread_mutex_unlock(&st->mu);
	if (done)
		stream_close(st);
}

/* Runs on_writable until the module stops writing, one caller at a time.
 * The caller holds a reference. */
static void stream_call_writable(fapi_stream *st)
{
	void (*cb)(fapi_stream *, void *) = st->entry->stream.on_writable;
	pthread_mutex_lock(&st->mu);
	if (st->in_writable) {
		st->writable_again = true;
		pthread_mutex_unlock(&st->mu);
		return;
	}
	st->in_writable = true;
	do {
		st->writable_again = false;
		pthread_mutex_unlock(&st->mu);
		cb(st, st->entry->stream.user);
		pthread_mutex_lock(&st->mu);
	} while (st->writable_again && !st->finishing && !st->write_in_flight);
	st->in_writable = false;
	pthread_mutex_unlock(&st->mu);
}

static void stream_on_write(cq_tag *t, bool ok)
{
	fapi_stream *st = SERVER_CONTAINER_OF(t, fapi_stream, write_tag);
	bool writable = false;
	pthread_mutex_lock(&st->mu);
	/* Only a sent message makes room: the headers-only write that opens
	 * every stream may complete before on_open has even run. */
	bool sent_message = st->writing != NULL;
	if (st->writing) {
		grpc_byte_buffer_destroy(st->writing);
		if (ok && st->entry->stats)
			atomic_fetch_add_explicit(&st->entry->stats->msg_sent, 1, memory_order_relaxed);
	}
	st->writing = NULL;
	st->write_in_flight = false;
	if (!ok) { /* the client is gone; nothing more will be sent */
		st->finishing = true;
		st->status_started = true;
		stream_drop_queue(st);
	}
	if (st->qlen) {
		grpc_byte_buffer *bb = st->q[st->qhead];
		st->qhead = (st->qhead + 1) % st->qcap;
		st->qlen--;
		stream_start_write(st, bb, false);
	} else if (st->finishing && !st->status_started && !st->recv_closed) {
		stream_start_status(st);
	} else if (!st->finishing && sent_message && st->entry->stream.on_writable) {
		writable = true;
	}
	pthread_mutex_unlock(&st->mu);
	/* This completion's reference is kept across on_writable so that the
	 * stream cannot close under the module's feet. */
	if (writable)
		stream_call_writable(st);
	stream_unref(st);
}

/* An empty batch completes at once on the call's queue: the way to get
 * on_writable called on a gRPC thread from any other thread. */
static void stream_on_wake(cq_tag *t, bool ok)
{
	(void)ok;
	fapi_stream *st = SERVER_CONTAINER_OF(t, fapi_stream, wake_tag);
	pthread_mutex_lock(&st->mu);
	st->wake_pending = false;
	bool call = !st->finishing && !st->recv_closed && st->entry->stream.on_writable;
	pthread_mutex_unlock(&st->mu);
	if (call)
		stream_call_writable(st);
	stream_unref(st);
}

/* Starts the empty batch whose completion calls on_shutdown on a gRPC
 * thread. Called with st->mu held. */
static void stream_start_shutdown(fapi_stream *st)
{
	if (!st->finishing && !st->recv_closed)
		stream_start(st, NULL, 0, &st->shutdown_tag);
}

static void stream_on_shutdown(cq_tag *t, bool ok)
{
	(void)ok;
	fapi_stream *st = SERVER_CONTAINER_OF(t, fapi_stream, shutdown_tag);
	pthread_mutex_lock(&st->mu);
	bool call = !st->finishing && !st->recv_closed;
	pthread_mutex_unlock(&st->mu);
	if (call)
		st->entry->stream.on_shutdown(st, st->entry->stream.user);
	stream_unref(st);
}

static void stream_on_status(cq_tag *t, bool ok)
{
	(void)ok;
	stream_unref(SERVER_CONTAINER_OF(t, fapi_stream, status_tag));
}

static void stream_on_close(cq_tag *t, bool ok)
{
	(void)ok;
	fapi_stream *st = SERVER_CONTAINER_OF(t, fapi_stream, close_tag);
	pthread_mutex_lock(&st->mu);
	st->recv_closed = true;
	if (st->cancelled) {
		if (!st->finishing)
			st->finish_code = FAPI_STATUS_CANCELLED;
		st->finishing = true;
		st->status_started = true;
		stream_drop_queue(st);
	}
	pthread_mutex_unlock(&st->mu);
	stream_unref(st);
}

static void stream_on_read(cq_tag *t, bool ok)
{
	fapi_stream *st = SERVER_CONTAINER_OF(t, fapi_stream, read_tag);
	const fapi_stream_method *m = &st->entry->stream;
	grpc_byte_buffer *bb = st->reading;
	st->reading = NULL;
	bool more = false;
	if (ok && bb) {
		if (st->entry->stats)
			atomic_fetch_add_explicit(&st->entry->stats->msg_received, 1, memory_order_relaxed);
		grpc_byte_buffer_reader r;
		grpc_slice s = grpc_empty_slice();
		if (grpc_byte_buffer_reader_init(&r, bb)) {
			s = grpc_byte_buffer_reader_readall(&r);
			grpc_byte_buffer_reader_destroy(&r);
		}
		char msg[FAPI_ERRBUF_SIZE] = "";
		ProtobufCMessage *req =
			dispatch_decode(m->request_type, GRPC_SLICE_START_PTR(s), GRPC_SLICE_LENGTH(s), msg, sizeof(msg));
		grpc_slice_unref(s);
		if (!req) {
			server_stream_finish(st, FAPI_STATUS_INVALID_ARGUMENT, msg);
		} else {
			fapi_status_code rc = m->on_read(st, req, m->user, msg, sizeof(msg));
			protobuf_c_message_free_unpacked(req, NULL);
			if (rc != FAPI_STATUS_OK)
				server_stream_finish(st, rc, msg);
			else
				more = true;
		}
	} else if (ok && m->on_read_end) {
		m->on_read_end(st, m->user);
	}
	if (bb)
		grpc_byte_buffer_destroy(bb);
	pthread_mutex_lock(&st->mu);
	if (more && !st->recv_closed && !st->finishing) {
		if (st->read_paused)
			st->read_due = true;
		else
			stream_start_read(st);
	}
	pthread_mutex_unlock(&st->mu);
	stream_unref(st);
}

void server_stream_read_pause(fapi_stream *st)
{
	pthread_mutex_lock(&st->mu);
	st->read_paused = true;
	pthread_mutex_unlock(&st->mu);
}

void server_stream_read_resume(fapi_stream *st)
{
	pthread_mutex_lock(&st->mu);
	st->read_paused = false;
	if (st->read_due && !st->recv_closed && !st->finishing)
		stream_start_read(st);
	st->read_due = false;
	pthread_mutex_unlock(&st->mu);
}

int server_stream_audit(fapi_stream *st, const fapi_stream_audit *rec, char *err, size_t errlen)
{
	return server_authz_audit_stream(st->srv, st->entry, &st->peer, rec, err, errlen);
}

static void stream_close(fapi_stream *st)
{
	server *s = st->srv;
	pthread_mutex_lock(&s->mu);
	if (st->prev)
		st->prev->next = st->next;
	else
		s->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	s->nstreams--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);

	fapi_status_code why = st->cancelled ? FAPI_STATUS_CANCELLED : st->finish_code;
	server_metrics_handled(st->entry->stats, st->status_sent && !st->cancelled ? (int)st->finish_code
									  : (int)FAPI_STATUS_CANCELLED,
			       st->started_ns);
	st->entry->stream.on_close(st, why, st->entry->stream.user);

	stream_drop_queue(st);
	free(st->q);
	if (st->writing)
		grpc_byte_buffer_destroy(st->writing);
	if (st->reading)
		grpc_byte_buffer_destroy(st->reading);
	if (st->payload)
		grpc_byte_buffer_destroy(st->payload);
	grpc_slice_unref(st->status_slice);
	grpc_metadata_array_destroy(&st->md);
	gpr_free(st->peer.owned);
	grpc_call_unref(st->call);
	pthread_mutex_destroy(&st->mu);
	call_pool_put(&s->pools[st->entry->kind], st);
}

static void stream_release_unmatched(fapi_stream *st)
{
	grpc_metadata_array_destroy(&st->md);
	if (st->payload)
		grpc_byte_buffer_destroy(st->payload);
	pthread_mutex_destroy(&st->mu);
	call_pool_put(&st->srv->pools[st->entry->kind], st);
}

static void stream_on_request(cq_tag *t, bool ok)
{
	fapi_stream *st = SERVER_CONTAINER_OF(t, fapi_stream, request_tag);
	server *s = st->srv;
	const fapi_stream_method *m = &st->entry->stream;
	if (!ok) {
		stream_release_unmatched(st);
		return;
	}
	stream_request(s, st->entry);
	server_peer_fill(st->call, &st->peer);
	st->started_ns = server_metrics_now();
	server_metrics_started(st->entry->stats, st->entry->kind == SERVICE_SERVER_STREAM);

	pthread_mutex_lock(&s->mu);
	st->next = s->streams;
	if (s->streams)
		s->streams->prev = st;
	s->streams = st;
	s->nstreams++;
	pthread_mutex_unlock(&s->mu);

	pthread_mutex_lock(&st->mu);
	st->refs = 1; /* held across on_open */
	memset(st->close_ops, 0, sizeof(st->close_ops));
	st->close_ops[0].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	st->close_ops[0].data.recv_close_on_server.cancelled = &st->cancelled;
	stream_start(st, st->close_ops, 1, &st->close_tag);
	/* Headers go out at once so clients see the stream is established
	 * before the first message, which may be long in coming. */
	stream_start_write(st, NULL, true);
	pthread_mutex_unlock(&st->mu);

	pthread_rwlock_rdlock(&s->gate);
	bool shutting = s->shutting_down;
	pthread_rwlock_unlock(&s->gate);

	char msg[FAPI_ERRBUF_SIZE] = "";
	fapi_status_code rc = FAPI_STATUS_OK;
	ProtobufCMessage *req = NULL;
	grpc_slice sl = grpc_empty_slice();
	if (st->entry->kind == SERVICE_SERVER_STREAM) {
		grpc_byte_buffer_reader r;
		if (st->payload && grpc_byte_buffer_reader_init(&r, st->payload)) {
			sl = grpc_byte_buffer_reader_readall(&r);
			grpc_byte_buffer_reader_destroy(&r);
		}
	}
	rc = server_authz_check(s, st->entry, &st->peer, GRPC_SLICE_START_PTR(sl), GRPC_SLICE_LENGTH(sl), msg,
				sizeof(msg));
	if (rc == FAPI_STATUS_OK && st->entry->kind == SERVICE_SERVER_STREAM) {
		req = dispatch_decode(m->request_type, GRPC_SLICE_START_PTR(sl), GRPC_SLICE_LENGTH(sl), msg, sizeof(msg));
		if (!req)
			rc = FAPI_STATUS_INVALID_ARGUMENT;
	}
	if (rc == FAPI_STATUS_OK && shutting) {
		rc = FAPI_STATUS_UNAVAILABLE;
		snprintf(msg, sizeof(msg), "server shutting down");
	}
	bool denied = rc == FAPI_STATUS_PERMISSION_DENIED;
	if (rc == FAPI_STATUS_OK)
		rc = m->on_open(st, req, &st->peer.pub, m->user, msg, sizeof(msg));
	if (!denied)
		server_authz_audit(s, st->entry, &st->peer, GRPC_SLICE_START_PTR(sl), GRPC_SLICE_LENGTH(sl), rc, msg);
	grpc_slice_unref(sl);
	if (req)
		protobuf_c_message_free_unpacked(req, NULL);
	if (rc != FAPI_STATUS_OK)
		server_stream_finish(st, rc, msg);
	pthread_mutex_lock(&st->mu);
	st->opened = true;
	if (rc == FAPI_STATUS_OK && st->entry->kind == SERVICE_BIDI && !st->recv_closed && !st->finishing)
		stream_start_read(st);
	if (st->shutdown_requested)
		stream_start_shutdown(st);
	pthread_mutex_unlock(&st->mu);
	stream_unref(st);
}

void stream_request(server *s, const service_entry *e)
{
	pthread_rwlock_rdlock(&s->gate);
	if (s->shutting_down) {
		pthread_rwlock_unlock(&s->gate);
		return;
	}
	fapi_stream *st = call_pool_get(&s->pools[e->kind]);
	if (!st) {
		pthread_rwlock_unlock(&s->gate);
		log_msg(FAPI_LOG_ERROR, "grpc", "out of memory: cannot accept more streams");
		return;
	}
	pthread_mutex_init(&st->mu, NULL);
	st->srv = s;
	st->entry = e;
	st->request_tag.fn = stream_on_request;
	st->close_tag.fn = stream_on_close;
	st->write_tag.fn = stream_on_write;
	st->read_tag.fn = stream_on_read;
	st->status_tag.fn = stream_on_status;
	st->wake_tag.fn = stream_on_wake;
	st->shutdown_tag.fn = stream_on_shutdown;
	st->status_slice = grpc_empty_slice();
	st->qmax = e->stream.max_queued ? e->stream.max_queued : STREAM_DEFAULT_MAX_QUEUED;
	grpc_metadata_array_init(&st->md);
	grpc_completion_queue *cq = s->cqs[e->kind].cq;
	grpc_call_error err = grpc_server_request_registered_call(
		s->grpc, e->registered, &st->call, &st->deadline, &st->md,
		e->kind == SERVICE_SERVER_STREAM ? &st->payload : NULL, cq, cq, &st->request_tag);
	pthread_rwlock_unlock(&s->gate);
	if (err != GRPC_CALL_OK) {
		log_msg(FAPI_LOG_ERROR, "grpc", "cannot request a stream: error %d", (int)err);
		stream_release_unmatched(st);
	}
}

int server_stream_write(fapi_stream *st, const ProtobufCMessage *message)
{
	if (!message || message->descriptor != st->entry->stream.response_type)
		return FAPI_EINVAL;
	size_t len = protobuf_c_message_get_packed_size(message);
	grpc_slice slice = grpc_slice_malloc(len);
	protobuf_c_message_pack(message, GRPC_SLICE_START_PTR(slice));
	grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&slice, 1);
	grpc_slice_unref(slice);

	int rc = FAPI_OK;
	pthread_mutex_lock(&st->mu);
	if (st->finishing || st->recv_closed) {
		rc = FAPI_ECLOSED;
	} else if (st->write_in_flight) {
		if (st->qlen >= st->qmax) {
			rc = FAPI_EFULL;
		} else {
			if (st->qlen == st->qcap) {
				size_t cap = st->qcap ? st->qcap * 2 : 16;
				grpc_byte_buffer **q = malloc(cap * sizeof(*q));
				if (!q) {
					rc = FAPI_ENOMEM;
					goto out;
				}
				for (size_t i = 0; i < st->qlen; i++)
					q[i] = st->q[(st->qhead + i) % st->qcap];
				free(st->q);
				st->q = q;
				st->qhead = 0;
				st->qcap = cap;
			}
			st->q[(st->qhead + st->qlen) % st->qcap] = bb;
			st->qlen++;
			bb = NULL;
		}
	} else {
		stream_start_write(st, bb, false);
		bb = NULL;
	}
out:
	pthread_mutex_unlock(&st->mu);
	if (bb)
		grpc_byte_buffer_destroy(bb);
	return rc;
}

int server_stream_finish(fapi_stream *st, fapi_status_code code, const char *message)
{
	pthread_mutex_lock(&st->mu);
	if (st->finishing) {
		pthread_mutex_unlock(&st->mu);
		return FAPI_ECLOSED;
	}
	st->finishing = true;
	st->finish_code = code;
	grpc_slice_unref(st->status_slice);
	st->status_slice = message && *message ? grpc_slice_from_copied_string(message) : grpc_empty_slice();
	if (!st->write_in_flight && !st->recv_closed && !st->status_started)
		stream_start_status(st);
	pthread_mutex_unlock(&st->mu);
	return FAPI_OK;
}

int server_stream_wake(fapi_stream *st)
{
	int rc = FAPI_OK;
	pthread_mutex_lock(&st->mu);
	if (st->finishing || st->recv_closed)
		rc = FAPI_ECLOSED;
	else if (!st->wake_pending)
		st->wake_pending = stream_start(st, NULL, 0, &st->wake_tag);
	pthread_mutex_unlock(&st->mu);
	return rc;
}

size_t server_stream_queued(fapi_stream *st)
{
	pthread_mutex_lock(&st->mu);
	size_t n = st->qlen + (st->writing ? 1 : 0);
	pthread_mutex_unlock(&st->mu);
	return n;
}

void server_stream_set_user(fapi_stream *st, void *user)
{
	st->user = user;
}

void *server_stream_user(fapi_stream *st)
{
	return st->user;
}

void stream_finish_all(server *s)
{
	/* Lock order: server list, then stream. A stream leaves the list (under
	 * the list lock) before it is freed, so every listed stream is alive. */
	pthread_mutex_lock(&s->mu);
	for (fapi_stream *st = s->streams; st; st = st->next) {
		if (!st->entry->stream.on_shutdown) {
			server_stream_finish(st, FAPI_STATUS_UNAVAILABLE, "server shutting down");
			continue;
		}
		/* The module ends the stream itself, once it has written what
		 * it holds; not before its on_open has returned. */
		pthread_mutex_lock(&st->mu);
		st->shutdown_requested = true;
		if (st->opened)
			stream_start_shutdown(st);
		pthread_mutex_unlock(&st->mu);
	}
	pthread_mutex_unlock(&s->mu);
}

fapi_stream *stream_next(fapi_stream *st)
{
	return st->next;
}

const char *stream_path(const fapi_stream *st)
{
	return st->entry->stream.path;
}

const char *stream_peer(const fapi_stream *st)
{
	return st->peer.pub.address ? st->peer.pub.address : "?";
}

size_t stream_call_size(void)
{
	return sizeof(fapi_stream);
}
