/* One inputs stream: each request becomes one batch of the host's input
 * queue, answered from the batch's completion, so responses leave in
 * request order; reads pause while the module's budget is spent. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.pb-c.h"
#include "inputs_module.h"

#define INPUTS_MAX_SOURCES 8
/* Requests of one stream in flight: bounds its responses queued for gRPC
 * (max_queued is 4096) whatever the budget. */
#define INPUTS_STREAM_MAX_BATCHES 256
#define INPUTS_WHY 128

struct inputs_stream {
	inputs_module *m;
	fapi_stream *stream;
	struct {
		char name[64];
		fapi_input *in;
	} src[INPUTS_MAX_SOURCES];
	size_t nsrc;
	/* under m->mu */
	uint64_t batches;  /* submitted, not done */
	uint64_t rejected; /* events answered as rejected */
	bool paused;
	bool read_ended;   /* the client sent its last request */
	inputs_stream *next_paused;
	/* gRPC threads only (on_read, on_close never overlap) */
	uint64_t requests, events;
	char identity[160];
};

/* One request in flight. */
typedef struct inputs_req {
	inputs_stream *st;
	char *id;
	uint32_t *map;            /* batch event i -> request index */
	fapi_input_reject *pre;   /* rejected before submitting (too large, unknown source) */
	size_t npre;
	char (*why)[INPUTS_WHY];
	uint64_t events, bytes;   /* taken from the budget */
} inputs_req;

static void inputs_req_free(inputs_req *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->map);
	free(r->pre);
	free(r->why);
	free(r);
}

static bool inputs_room(const inputs_module *m, const inputs_stream *st)
{
	return inputs_budget_room(m) && st->batches < INPUTS_STREAM_MAX_BATCHES;
}

void inputs_budget_give(inputs_module *m, inputs_stream *st, uint64_t events, uint64_t bytes)
{
	pthread_mutex_lock(&m->mu);
	m->events -= events;
	m->bytes -= bytes;
	if (st) {
		st->batches--;
		/* The last answer after the client's last request ends the call. */
		if (st->read_ended && st->batches == 0)
			m->host->stream_finish(st->stream, FAPI_STATUS_OK, "");
	}
	/* Under m->mu so that a stream being closed is never resumed. */
	for (inputs_stream **p = &m->paused; *p;) {
		inputs_stream *s = *p;
		if (inputs_room(m, s)) {
			*p = s->next_paused;
			s->paused = false;
			m->host->stream_read_resume(s->stream);
		} else {
			p = &s->next_paused;
		}
	}
	pthread_cond_broadcast(&m->room);
	pthread_mutex_unlock(&m->mu);
}

static void inputs_alert_msg(inputs_module *m, const fapi_alert *a, Falco__Inputs__Alert *out)
{
	fapi_alert_view v = FAPI_ALERT_VIEW_INIT;
	m->host->alert_view(a, &v);
	falco__inputs__alert__init(out);
	out->rule = (char *)(v.rule ? v.rule : "");
	out->priority = (Falco__Schema__Priority)v.priority;
	out->output = (char *)(v.output ? v.output : "");
	out->source = (char *)(v.source ? v.source : "");
	out->time_ns = v.time_ns;
}

const inputs_stream *inputs_stream_next_paused(const inputs_stream *st)
{
	return st->next_paused;
}

static void inputs_done(const fapi_input_result *res, void *user)
{
	inputs_req *r = user;
	inputs_stream *st = r->st;
	inputs_module *m = st->m;
	if (!res->discarded) {
		size_t nrej = r->npre + res->nrejects;
		pthread_mutex_lock(&m->mu);
		st->rejected += nrej;
		pthread_mutex_unlock(&m->mu);
		inputs_metrics_count(m, INPUTS_PATH_GRPC, res->accepted, nrej);
		Falco__Inputs__Rejection *rv = calloc(nrej ? nrej : 1, sizeof(*rv));
		Falco__Inputs__Rejection **rp = calloc(nrej ? nrej : 1, sizeof(*rp));
		Falco__Inputs__Alert *av = calloc(res->nalerts ? res->nalerts : 1, sizeof(*av));
		Falco__Inputs__Alert **ap = calloc(res->nalerts ? res->nalerts : 1, sizeof(*ap));
		if (rv && rp && av && ap) {
			/* Both lists are in index order: merge them. */
			size_t i = 0, j = 0, k = 0;
			while (i < r->npre || j < res->nrejects) {
				uint32_t pj = j < res->nrejects ? r->map[res->rejects[j].index] : UINT32_MAX;
				bool pre = i < r->npre && r->pre[i].index < pj;
				falco__inputs__rejection__init(&rv[k]);
				rv[k].index = pre ? r->pre[i].index : pj;
				rv[k].reason = (char *)(pre ? r->pre[i].reason : res->rejects[j].reason);
				rp[k] = &rv[k];
				k++;
				if (pre)
					i++;
				else
					j++;
			}
			for (size_t a = 0; a < res->nalerts; a++) {
				inputs_alert_msg(m, res->alerts[a], &av[a]);
				ap[a] = &av[a];
			}
			Falco__Inputs__Response resp = FALCO__INPUTS__RESPONSE__INIT;
			resp.id = r->id;
			resp.accepted = res->accepted;
			resp.n_rejected = k;
			resp.rejected = rp;
			resp.n_alerts = res->nalerts;
			resp.alerts = ap;
			int rc = m->host->stream_write(st->stream, &resp.base);
			if (rc == FAPI_EFULL)
				m->host->stream_finish(st->stream, FAPI_STATUS_RESOURCE_EXHAUSTED,
						       "responses are not being read");
		} else {
			m->host->stream_finish(st->stream, FAPI_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		}
		free(rv);
		free(rp);
		free(av);
		free(ap);
	}
	inputs_budget_give(m, st, r->events, r->bytes);
	inputs_req_free(r);
}

fapi_status_code inputs_stream_open(fapi_stream *stream, const ProtobufCMessage *request, const fapi_peer *peer,
				    void *user, char *msg, size_t msglen)
{
	(void)request;
	inputs_module *m = user;
	inputs_stream *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	st->m = m;
	st->stream = stream;
	fapi_identity id = FAPI_IDENTITY_INIT;
	snprintf(st->identity, sizeof(st->identity), "%s",
		 m->host->peer_identity(peer, &id) == FAPI_OK ? id.text : peer->address);
	/* k8s_audit's handle is opened first: it also carries, in order, the
	 * requests whose every event is rejected before submitting. */
	char err[FAPI_ERRBUF_SIZE];
	snprintf(st->src[0].name, sizeof(st->src[0].name), "k8s_audit");
	if (m->host->input_open(m->ctx, "k8s_audit", &st->src[0].in, err, sizeof(err)) != FAPI_OK) {
		snprintf(msg, msglen, "%s", err);
		free(st);
		return FAPI_STATUS_UNAVAILABLE;
	}
	st->nsrc = 1;
	m->host->stream_set_user(stream, st);
	atomic_fetch_add_explicit(&m->counters.streams, 1, memory_order_relaxed);
	m->host->log(m->ctx, FAPI_LOG_INFO, "inputs stream opened by %s", st->identity);
	return FAPI_STATUS_OK;
}

/* The stream's handle on `source`, opened on first use; NULL (err set)
 * when the engine has no such source. */
static fapi_input *inputs_source(inputs_stream *st, const char *source, char *err, size_t errlen)
{
	for (size_t i = 0; i < st->nsrc; i++)
		if (strcmp(st->src[i].name, source) == 0)
			return st->src[i].in;
	if (st->nsrc == INPUTS_MAX_SOURCES || strlen(source) >= sizeof(st->src[0].name)) {
		snprintf(err, errlen, "unknown source \"%s\"", source);
		return NULL;
	}
	fapi_input *in = NULL;
	if (st->m->host->input_open(st->m->ctx, source, &in, err, errlen) != FAPI_OK)
		return NULL;
	snprintf(st->src[st->nsrc].name, sizeof(st->src[0].name), "%s", source);
	st->src[st->nsrc++].in = in;
	return in;
}

fapi_status_code inputs_stream_read(fapi_stream *stream, const ProtobufCMessage *message, void *user, char *msg,
				    size_t msglen)
{
	inputs_module *m = user;
	inputs_stream *st = m->host->stream_user(stream);
	const Falco__Inputs__Request *q = (const Falco__Inputs__Request *)message;
	const char *source = q->source && *q->source ? q->source : "k8s_audit";
	size_t n = q->n_events;
	inputs_req *r = calloc(1, sizeof(*r));
	const char **evs = calloc(n ? n : 1, sizeof(*evs));
	size_t *lens = calloc(n ? n : 1, sizeof(*lens));
	if (r) {
		r->st = st;
		r->id = strdup(q->id ? q->id : "");
		r->map = calloc(n ? n : 1, sizeof(*r->map));
		r->pre = calloc(n ? n : 1, sizeof(*r->pre));
		r->why = calloc(n ? n : 1, sizeof(*r->why));
	}
	if (!r || !evs || !lens || !r->id || !r->map || !r->pre || !r->why) {
		inputs_req_free(r);
		free(evs);
		free(lens);
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	char err[FAPI_ERRBUF_SIZE] = "";
	fapi_input *in = inputs_source(st, source, err, sizeof(err));
	size_t nb = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(q->events[i]);
		const char *why = NULL;
		char big[INPUTS_WHY];
		if (!in) {
			why = err;
		} else if (len > m->cap_bytes) {
			snprintf(big, sizeof(big), "too large: %zu bytes, queue_capacity.bytes is %llu", len,
				 (unsigned long long)m->cap_bytes);
			why = big;
		}
		if (why) {
			size_t wl = strlen(why) < INPUTS_WHY - 1 ? strlen(why) : INPUTS_WHY - 1;
			memcpy(r->why[r->npre], why, wl);
			r->why[r->npre][wl] = '\0';
			r->pre[r->npre] = (fapi_input_reject){.index = (uint32_t)i, .reason = r->why[r->npre]};
			r->npre++;
			continue;
		}
		r->map[nb] = (uint32_t)i;
		evs[nb] = q->events[i];
		lens[nb++] = len;
		r->bytes += len;
	}
	r->events = nb;
	fapi_input_batch b = FAPI_INPUT_BATCH_INIT;
	b.events = evs;
	b.lens = lens;
	b.n = nb;
	b.want_alerts = q->want_alerts;
	b.done = inputs_done;
	b.user = r;
	pthread_mutex_lock(&m->mu);
	m->events += r->events;
	m->bytes += r->bytes;
	st->batches++;
	pthread_mutex_unlock(&m->mu);
	int rc = m->host->input_submit(in ? in : st->src[0].in, &b, err, sizeof(err));
	free(evs);
	free(lens);
	if (rc != FAPI_OK) {
		pthread_mutex_lock(&m->mu);
		m->events -= r->events;
		m->bytes -= r->bytes;
		st->batches--;
		pthread_mutex_unlock(&m->mu);
		inputs_req_free(r);
		snprintf(msg, msglen, "%s", err);
		return FAPI_STATUS_UNAVAILABLE;
	}
	st->requests++;
	st->events += n;
	/* Full: no further read until a completion makes room (gRPC flow
	 * control then holds the client). */
	pthread_mutex_lock(&m->mu);
	if (!st->paused && !inputs_room(m, st)) {
		st->paused = true;
		st->next_paused = m->paused;
		m->paused = st;
		m->host->stream_read_pause(stream);
		atomic_fetch_add_explicit(&m->counters.pauses, 1, memory_order_relaxed);
	}
	pthread_mutex_unlock(&m->mu);
	return FAPI_STATUS_OK;
}

void inputs_stream_read_end(fapi_stream *stream, void *user)
{
	inputs_module *m = user;
	inputs_stream *st = m->host->stream_user(stream);
	pthread_mutex_lock(&m->mu);
	st->read_ended = true;
	if (st->batches == 0)
		m->host->stream_finish(stream, FAPI_STATUS_OK, "");
	pthread_mutex_unlock(&m->mu);
}

void inputs_stream_writable(fapi_stream *stream, void *user)
{
	(void)stream;
	(void)user;
}

void inputs_stream_close(fapi_stream *stream, fapi_status_code why, void *user)
{
	inputs_module *m = user;
	inputs_stream *st = m->host->stream_user(stream);
	if (!st)
		return;
	pthread_mutex_lock(&m->mu);
	for (inputs_stream **p = &m->paused; *p; p = &(*p)->next_paused) {
		if (*p == st) {
			*p = st->next_paused;
			break;
		}
	}
	st->paused = false;
	pthread_mutex_unlock(&m->mu);
	/* Events the client sent and will never hear of are a loss. */
	uint64_t lost = 0;
	for (size_t i = 0; i < st->nsrc; i++)
		lost += m->host->input_close(st->src[i].in);
	if (lost) {
		pthread_mutex_lock(&m->mu);
		uint64_t depth = m->events;
		pthread_mutex_unlock(&m->mu);
		m->host->loss_input_report(m->loss, lost, depth);
	}
	m->host->log(m->ctx, FAPI_LOG_INFO, "inputs stream of %s closed (status %d): %llu requests, %llu events, %llu lost",
		     st->identity, (int)why, (unsigned long long)st->requests,
		     (unsigned long long)st->events, (unsigned long long)lost);
	/* The audit log has the stream's open; its close carries the counts.
	 * Every batch is done or discarded by now, so they are final. */
	pthread_mutex_lock(&m->mu);
	uint64_t rejected = st->rejected;
	pthread_mutex_unlock(&m->mu);
	const char *const names[] = {"requests", "events", "rejected", "lost"};
	const uint64_t values[] = {st->requests, st->events, rejected, lost};
	fapi_stream_audit rec = FAPI_STREAM_AUDIT_INIT;
	rec.event = "close";
	rec.names = names;
	rec.values = values;
	rec.n = sizeof(names) / sizeof(names[0]);
	rec.code = why;
	char err[FAPI_ERRBUF_SIZE];
	if (m->host->stream_audit(stream, &rec, err, sizeof(err)) != FAPI_OK)
		m->host->log(m->ctx, FAPI_LOG_ERROR, "inputs stream of %s: close not audited: %s", st->identity, err);
	atomic_fetch_sub_explicit(&m->counters.streams, 1, memory_order_relaxed);
	free(st);
}
