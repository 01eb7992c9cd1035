#include "fapictl_outputs_stream.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "fapictl_alert.h"
#include "fapictl_cmd.h"
#include "fapictl_rpc.h"

/* One target's stream, across its reconnections. */
typedef struct fapictl_outputs_target {
	fapictl_rpc_stream s;
	grpc_channel *ch;
	const char *target;
	bool open;            /* a call exists (free it once ended and nothing pending) */
	bool finished;        /* no more calls */
	bool away;            /* the previous stream ended; the next first message reports the gap */
	double away_since;    /* monotonic seconds */
	double retry_at;      /* when to open the next call (0: not waiting) */
	double backoff;       /* seconds before the next retry */
	bool restarting;      /* the previous stream ended because the daemon shut down */
	uint64_t last_alert_seq;
} fapictl_outputs_target;

static double fapictl_outputs_stream_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Statuses after which a --follow watch tries again: the daemon went away
 * or is busy. Any other (a refused filter, a missing permission) would
 * only repeat. */
static bool fapictl_outputs_stream_retryable(grpc_status_code c)
{
	switch (c) {
	case GRPC_STATUS_OK:
	case GRPC_STATUS_UNAVAILABLE:
	case GRPC_STATUS_CANCELLED:
	case GRPC_STATUS_UNKNOWN:
	case GRPC_STATUS_INTERNAL:
	case GRPC_STATUS_ABORTED:
	case GRPC_STATUS_RESOURCE_EXHAUSTED:
	case GRPC_STATUS_DEADLINE_EXCEEDED:
		return true;
	default:
		return false;
	}
}

static int fapictl_outputs_stream_open(fapictl_outputs_target *t, grpc_completion_queue *cq,
				       const fapictl_outputs_stream_opts *o)
{
	t->s.user = t;
	if (fapictl_rpc_stream_open(&t->s, t->ch, cq, o->method, &o->req->base, o->follow) != 0) {
		fprintf(stderr, "fapictl: %s: gRPC refused to start the call\n", t->target);
		return -1;
	}
	t->open = true;
	t->retry_at = 0;
	return 0;
}

/* The first alert after a reconnection: how many the engine made while
 * this client was away, from the engine-wide alert_seq. */
static void fapictl_outputs_stream_gap(fapictl_outputs_target *t, const Falco__Outputs__Response *r,
				       const fapictl_outputs_stream_opts *o)
{
	double away = fapictl_outputs_stream_now() - t->away_since;
	if (r->alert_seq == 0) {
		fprintf(stderr, "fapictl: %s: reconnected after %.1f s; missed an unknown number of alerts "
			"(the daemon sends no alert_seq)\n", t->target, away);
		return;
	}
	uint64_t missed;
	const char *how;
	if (!t->restarting && r->alert_seq > t->last_alert_seq) {
		missed = r->alert_seq - t->last_alert_seq - 1;
		how = "";
	} else {
		/* The daemon said it was shutting down, or its sequence started
		 * again: a restarted daemon, whose count starts at 1. What the old
		 * one made after the stream ended is not known; what the new one
		 * made before this stream opened is. */
		missed = r->alert_seq - 1;
		how = " (the daemon restarted; at least that many)";
	}
	fprintf(stderr, "fapictl: %s: reconnected after %.1f s; missed %s%" PRIu64 " alerts while away%s%s\n",
		t->target, away, o->filtered ? "up to " : "", missed, how,
		o->filtered ? " (the engine's count, before this watch's filters)" : "");
}

/* protobuf-c's allocations for one message, from one buffer reset after
 * each message: unpacking an alert takes a dozen small allocations, which
 * malloc and free made a sixth of the client's CPU. Past the buffer,
 * malloc (freed at the reset). */
typedef struct fapictl_outputs_arena {
	unsigned char buf[64 * 1024];
	size_t used;
	void *spill[256];
	size_t nspill;
} fapictl_outputs_arena;

static void *fapictl_outputs_arena_alloc(void *data, size_t size)
{
	fapictl_outputs_arena *a = data;
	size = (size + 15) & ~(size_t)15;
	if (size <= sizeof(a->buf) - a->used) {
		void *p = a->buf + a->used;
		a->used += size;
		return p;
	}
	if (a->nspill == sizeof(a->spill) / sizeof(a->spill[0]))
		return NULL;
	void *p = malloc(size);
	if (p)
		a->spill[a->nspill++] = p;
	return p;
}

static void fapictl_outputs_arena_free(void *data, void *p)
{
	(void)data;
	(void)p; /* released all at once by the reset */
}

static void fapictl_outputs_arena_reset(fapictl_outputs_arena *a)
{
	for (size_t i = 0; i < a->nspill; i++)
		free(a->spill[i]);
	a->nspill = 0;
	a->used = 0;
}

static _Alignas(16) fapictl_outputs_arena fapictl_outputs_arena_one;

/* Handles one message; returns false when it does not decode. */
static bool fapictl_outputs_stream_message(fapictl_outputs_target *t, const uint8_t *p, size_t len, size_t ntargets,
					   const fapictl_outputs_stream_opts *o)
{
	fapictl_outputs_arena *arena = &fapictl_outputs_arena_one;
	ProtobufCAllocator alloc = {fapictl_outputs_arena_alloc, fapictl_outputs_arena_free, arena};
	Falco__Outputs__Response *r = falco__outputs__response__unpack(&alloc, len, p);
	if (!r) {
		fapictl_outputs_arena_reset(arena);
		return false;
	}
	if (t->away) {
		fapictl_outputs_stream_gap(t, r, o);
		t->away = false;
	}
	t->backoff = 0.1;
	if (r->alert_seq)
		t->last_alert_seq = r->alert_seq;
	if (o->json) {
		fapictl_alert_json(stdout, r, t->target);
	} else {
		if (r->lost)
			fprintf(stderr, "fapictl: %s: %" PRIu64 " alerts lost before the next one (this client read too "
				"slowly; the daemon's queue for it was full)\n", t->target, r->lost);
		fapictl_alert_text(stdout, r, ntargets > 1 ? (r->hostname[0] ? r->hostname : t->target) : NULL);
	}
	fapictl_outputs_arena_reset(arena);
	return true;
}

/* A call has ended and released everything: decide what comes next. */
static int fapictl_outputs_stream_ended(fapictl_outputs_target *t, bool stopping, const fapictl_outputs_stream_opts *o)
{
	grpc_status_code code = t->s.code;
	char *details = grpc_slice_to_c_string(t->s.details);
	int rc = FAPICTL_EXIT_OK;
	fapictl_rpc_stream_free(&t->s);
	t->open = false;
	if (stopping) {
		t->finished = true;
	} else if (o->follow && fapictl_outputs_stream_retryable(code)) {
		if (!t->away) {
			fprintf(stderr, "fapictl: %s: the stream ended (%s: %s); reconnecting\n", t->target,
				fapictl_conn_status_name(code), details);
			t->away = true;
			t->away_since = fapictl_outputs_stream_now();
			/* The daemon's own words when it stops (core/server/stream.c). */
			t->restarting = code == GRPC_STATUS_UNAVAILABLE && strstr(details, "shutting down");
		}
		t->retry_at = fapictl_outputs_stream_now() + t->backoff;
		t->backoff = t->backoff * 2 > 5 ? 5 : t->backoff * 2;
	} else {
		t->finished = true;
		if (code != GRPC_STATUS_OK) {
			fapictl_conn_report(t->target, code, details);
			rc = FAPICTL_EXIT_RPC;
		}
	}
	gpr_free(details);
	return rc;
}

int fapictl_outputs_stream_run(const fapictl_conn *conn, const fapictl_outputs_stream_opts *o)
{
	size_t n = conn->ntargets;
	fapictl_outputs_target *ts = calloc(n, sizeof(*ts));
	if (!ts) {
		fputs("fapictl: out of memory\n", stderr);
		return FAPICTL_EXIT_RPC;
	}
	int rc = FAPICTL_EXIT_OK;
	grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
	char err[512];
	for (size_t i = 0; i < n; i++) {
		ts[i].target = conn->targets[i];
		ts[i].backoff = 0.1;
		ts[i].ch = fapictl_conn_channel(conn, i, o->follow, err, sizeof(err));
		if (!ts[i].ch) {
			fprintf(stderr, "fapictl: %s\n", err);
			rc = FAPICTL_EXIT_RPC;
			ts[i].finished = true;
		} else if (fapictl_outputs_stream_open(&ts[i], cq, o) != 0) {
			rc = FAPICTL_EXIT_RPC;
			ts[i].finished = true;
		}
	}
	double start = fapictl_outputs_stream_now();
	double end = o->duration_s >= 0 ? start + o->duration_s : 0;
	double call_end = o->deadline_s >= 0 ? start + o->deadline_s : 0;
	bool stopping = false;
	uint64_t seen = 0;
	for (;;) {
		size_t live = 0;
		double wake = end;
		if (call_end && (!wake || call_end < wake))
			wake = call_end;
		for (size_t i = 0; i < n; i++) {
			if (ts[i].finished)
				continue;
			live++;
			if (ts[i].retry_at && (!wake || ts[i].retry_at < wake))
				wake = ts[i].retry_at;
		}
		if (!live)
			break;
		grpc_event ev = grpc_completion_queue_next(cq, gpr_time_0(GPR_CLOCK_MONOTONIC), NULL);
		if (ev.type == GRPC_QUEUE_TIMEOUT) {
			/* Nothing more right now: what was printed goes out, so a
			 * reader of a pipe sees each alert when it comes. */
			fflush(stdout);
			gpr_timespec dl = gpr_inf_future(GPR_CLOCK_MONOTONIC);
			if (wake) {
				double left = wake - fapictl_outputs_stream_now();
				dl = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
						  gpr_time_from_micros(left > 0 ? (int64_t)(left * 1e6) : 0, GPR_TIMESPAN));
			}
			ev = grpc_completion_queue_next(cq, dl, NULL);
		}
		if (ev.type == GRPC_QUEUE_TIMEOUT) {
			double now = fapictl_outputs_stream_now();
			if (!stopping && ((end && now >= end) || (call_end && now >= call_end))) {
				bool deadline = !(end && now >= end);
				stopping = true;
				for (size_t i = 0; i < n; i++) {
					if (ts[i].open) {
						grpc_call_cancel(ts[i].s.call, NULL);
						if (deadline) {
							fapictl_conn_report(ts[i].target, GRPC_STATUS_DEADLINE_EXCEEDED,
									    "no end of the stream within --timeout");
							rc = FAPICTL_EXIT_RPC;
						}
					} else {
						ts[i].finished = true;
					}
				}
			}
			for (size_t i = 0; i < n && !stopping; i++)
				if (!ts[i].finished && !ts[i].open && ts[i].retry_at && now >= ts[i].retry_at &&
				    fapictl_outputs_stream_open(&ts[i], cq, o) != 0) {
					ts[i].finished = true;
					rc = FAPICTL_EXIT_RPC;
				}
			continue;
		}
		if (ev.type != GRPC_OP_COMPLETE)
			break;
		fapictl_rpc_tag *tag = ev.tag;
		fapictl_rpc_stream *s = tag->stream;
		fapictl_outputs_target *t = s->user;
		if (tag->op == FAPICTL_RPC_RECV) {
			grpc_slice tmp;
			size_t len = 0;
			const uint8_t *p = ev.success ? fapictl_rpc_stream_bytes(s, &tmp, &len) : NULL;
			bool more = p != NULL;
			if (p) {
				if (!stopping && !fapictl_outputs_stream_message(t, p, len, n, o)) {
					fprintf(stderr, "fapictl: %s: an answer could not be decoded\n", t->target);
					rc = FAPICTL_EXIT_RPC;
					more = false;
					grpc_call_cancel(s->call, NULL);
				} else if (!stopping) {
					seen++;
				}
				grpc_slice_unref(tmp);
			}
			fapictl_rpc_stream_done(s, FAPICTL_RPC_RECV);
			if (o->count && seen >= o->count && !stopping) {
				stopping = true;
				for (size_t i = 0; i < n; i++) {
					if (ts[i].open)
						grpc_call_cancel(ts[i].s.call, NULL);
					else
						ts[i].finished = true;
				}
			}
			if (more && !stopping && fapictl_rpc_stream_read(s) != 0)
				grpc_call_cancel(s->call, NULL);
		} else {
			fapictl_rpc_stream_done(s, tag->op);
		}
		if (s->ended && s->pending == 0) {
			int r = fapictl_outputs_stream_ended(t, stopping, o);
			if (r != FAPICTL_EXIT_OK)
				rc = r;
		}
	}
	fflush(stdout);
	for (size_t i = 0; i < n; i++)
		if (ts[i].ch)
			grpc_channel_destroy(ts[i].ch);
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(cq);
	free(ts);
	return rc;
}
