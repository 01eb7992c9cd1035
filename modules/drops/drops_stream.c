#include "drops_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/timestamp.pb-c.h"

/* One source as listed now; copied out of the host's callback so that
 * nothing is written while the host holds its bus pin. */
typedef struct drops_rec {
	uint32_t kind;
	uint64_t id;
	char name[256];
	char identity[128];
	uint64_t lost, depth, capacity;
	uint64_t kernel[7];
	bool ebpf;
} drops_rec;

typedef struct drops_recs {
	drops_rec *v;
	size_t n, cap;
	bool oom;
} drops_recs;

static void drops_collect(const fapi_loss_source *s, void *user)
{
	drops_recs *r = user;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		drops_rec *v = realloc(r->v, cap * sizeof(*v));
		if (!v) {
			r->oom = true;
			return;
		}
		r->v = v;
		r->cap = cap;
	}
	drops_rec *d = &r->v[r->n++];
	memset(d, 0, sizeof(*d));
	d->kind = (uint32_t)s->kind;
	d->id = s->id;
	snprintf(d->name, sizeof(d->name), "%s", s->name ? s->name : "");
	snprintf(d->identity, sizeof(d->identity), "%s", s->identity ? s->identity : "");
	d->lost = s->lost;
	d->depth = s->depth;
	d->capacity = s->capacity;
	uint64_t k[7] = {s->n_evts,	s->n_drops,   s->n_drops_buffer, s->n_drops_scratch_map,
			 s->n_drops_pf, s->n_drops_bug, s->n_preemptions};
	memcpy(d->kernel, k, sizeof(k));
	d->ebpf = s->ebpf_enabled;
}

static drops_base *drops_find(drops_stream *st, const drops_rec *r)
{
	for (size_t i = 0; i < st->nbases; i++) {
		drops_base *b = &st->bases[i];
		if (b->kind == r->kind && b->id == r->id && strcmp(b->name, r->name) == 0)
			return b;
	}
	return NULL;
}

static drops_base *drops_add(drops_stream *st, const drops_rec *r, bool take_totals, uint64_t now)
{
	if (st->nbases == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		drops_base *v = realloc(st->bases, cap * sizeof(*v));
		if (!v)
			return NULL;
		st->bases = v;
		st->cap = cap;
	}
	drops_base *b = &st->bases[st->nbases++];
	memset(b, 0, sizeof(*b));
	b->kind = r->kind;
	b->id = r->id;
	snprintf(b->name, sizeof(b->name), "%s", r->name);
	/* At the stream's start every source begins from what it has lost so
	 * far; a queue that appears later begins from 0, its whole life. */
	if (take_totals) {
		b->lost = r->lost;
		memcpy(b->kernel, r->kernel, sizeof(b->kernel));
	}
	b->since_ns = now;
	return b;
}

static bool drops_list(drops_stream *st, drops_recs *r)
{
	memset(r, 0, sizeof(*r));
	st->m->host->loss_sources(st->m->ctx, st->kinds, drops_collect, r);
	return !r->oom;
}

static void drops_ts(Google__Protobuf__Timestamp *ts, uint64_t ns)
{
	ts->seconds = (int64_t)(ns / 1000000000ull);
	ts->nanos = (int32_t)(ns % 1000000000ull);
}

static Falco__Drops__Kind drops_kind(uint32_t k)
{
	switch (k) {
	case FAPI_LOSS_KERNEL:
		return FALCO__DROPS__KIND__KERNEL;
	case FAPI_LOSS_OUTPUT_QUEUE:
		return FALCO__DROPS__KIND__OUTPUT_QUEUE;
	case FAPI_LOSS_INPUT_QUEUE:
		return FALCO__DROPS__KIND__INPUT_QUEUE;
	default:
		return FALCO__DROPS__KIND__RATE_LIMIT;
	}
}

/* Writes the message for r against its baseline b. FAPI_OK, FAPI_EFULL, or
 * another error (the stream is over). */
static int drops_write(drops_stream *st, drops_base *b, const drops_rec *r, uint64_t now)
{
	Falco__Drops__Response m = FALCO__DROPS__RESPONSE__INIT;
	Google__Protobuf__Timestamp t0 = GOOGLE__PROTOBUF__TIMESTAMP__INIT, t1 = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	Falco__Drops__KernelCounters k = FALCO__DROPS__KERNEL_COUNTERS__INIT;
	drops_ts(&t0, b->since_ns);
	drops_ts(&t1, now);
	m.seq = st->seq + 1;
	m.kind = drops_kind(r->kind);
	m.interval_start = &t0;
	m.interval_end = &t1;
	m.source = (char *)r->name;
	m.identity = (char *)r->identity;
	m.source_id = r->id;
	m.lost = r->lost - b->lost;
	m.total_lost = r->lost;
	m.depth = r->depth;
	m.capacity = r->capacity;
	if (r->kind == FAPI_LOSS_KERNEL) {
		k.n_evts = r->kernel[0] - b->kernel[0];
		k.n_drops = r->kernel[1] - b->kernel[1];
		k.n_drops_buffer = r->kernel[2] - b->kernel[2];
		k.n_drops_scratch_map = r->kernel[3] - b->kernel[3];
		k.n_drops_pf = r->kernel[4] - b->kernel[4];
		k.n_drops_bug = r->kernel[5] - b->kernel[5];
		k.n_preemptions = r->kernel[6] - b->kernel[6];
		k.ebpf_enabled = r->ebpf;
		m.kernel = &k;
	}
	int rc = st->m->host->stream_write(st->stream, &m.base);
	if (rc != FAPI_OK)
		return rc;
	st->seq++;
	st->last_sent_wall = now;
	atomic_store(&st->last_sent_mono, drops_now_mono());
	b->lost = r->lost;
	memcpy(b->kernel, r->kernel, sizeof(b->kernel));
	b->since_ns = now;
	return FAPI_OK;
}

static int drops_write_heartbeat(drops_stream *st, uint64_t now)
{
	Falco__Drops__Response m = FALCO__DROPS__RESPONSE__INIT;
	Google__Protobuf__Timestamp t0 = GOOGLE__PROTOBUF__TIMESTAMP__INIT, t1 = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	drops_ts(&t0, st->last_sent_wall);
	drops_ts(&t1, now);
	m.seq = st->seq + 1;
	m.heartbeat = true;
	m.interval_start = &t0;
	m.interval_end = &t1;
	int rc = st->m->host->stream_write(st->stream, &m.base);
	if (rc == FAPI_OK) {
		st->seq++;
		st->last_sent_wall = now;
		atomic_store(&st->last_sent_mono, drops_now_mono());
	}
	return rc;
}

fapi_status_code drops_stream_new(drops_module *m, fapi_stream *stream, const Falco__Drops__Request *req,
				  drops_stream **out, char *msg, size_t msglen)
{
	*out = NULL;
	uint32_t kinds = 0;
	for (size_t i = 0; i < req->n_kinds; i++) {
		switch (req->kinds[i]) {
		case FALCO__DROPS__KIND__KERNEL:
			kinds |= FAPI_LOSS_BIT(FAPI_LOSS_KERNEL);
			break;
		case FALCO__DROPS__KIND__OUTPUT_QUEUE:
			kinds |= FAPI_LOSS_BIT(FAPI_LOSS_OUTPUT_QUEUE);
			break;
		case FALCO__DROPS__KIND__INPUT_QUEUE:
			kinds |= FAPI_LOSS_BIT(FAPI_LOSS_INPUT_QUEUE);
			break;
		case FALCO__DROPS__KIND__RATE_LIMIT:
			kinds |= FAPI_LOSS_BIT(FAPI_LOSS_RATE_LIMIT);
			break;
		default:
			snprintf(msg, msglen, "kinds[%zu]: unknown kind %d", i, (int)req->kinds[i]);
			return FAPI_STATUS_INVALID_ARGUMENT;
		}
	}
	uint64_t interval_ms = req->interval_ms ? req->interval_ms : 1000;
	if (interval_ms < m->min_interval_ms) {
		snprintf(msg, msglen, "interval_ms %llu is below the module's min_interval_ms %llu",
			 (unsigned long long)interval_ms, (unsigned long long)m->min_interval_ms);
		return FAPI_STATUS_INVALID_ARGUMENT;
	}
	if (req->heartbeat_ms && req->heartbeat_ms < m->min_interval_ms) {
		snprintf(msg, msglen, "heartbeat_ms %u is below the module's min_interval_ms %llu", req->heartbeat_ms,
			 (unsigned long long)m->min_interval_ms);
		return FAPI_STATUS_INVALID_ARGUMENT;
	}
	drops_stream *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	st->m = m;
	st->stream = stream;
	st->kinds = kinds ? kinds : FAPI_LOSS_ALL;
	st->interval_ns = interval_ms * 1000000ull;
	st->min_count = req->min_count ? req->min_count : 1;
	st->heartbeat_ns = (uint64_t)req->heartbeat_ms * 1000000ull;
	pthread_mutex_init(&st->mu, NULL);
	atomic_init(&st->due, false);
	atomic_init(&st->heartbeat_due, false);
	uint64_t now = drops_now_wall();
	st->last_sent_wall = now;
	/* Losses count from the stream's start: take every source's total. */
	drops_recs r;
	bool ok = drops_list(st, &r);
	for (size_t i = 0; ok && i < r.n; i++)
		ok = drops_add(st, &r.v[i], true, now) != NULL;
	free(r.v);
	if (!ok) {
		drops_stream_free(st);
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	uint64_t mono = drops_now_mono();
	atomic_init(&st->last_sent_mono, mono);
	st->next_due = mono + st->interval_ns;
	st->next_heartbeat = st->heartbeat_ns ? mono + st->heartbeat_ns : UINT64_MAX;
	*out = st;
	return FAPI_STATUS_OK;
}

void drops_stream_free(drops_stream *st)
{
	if (!st)
		return;
	pthread_mutex_destroy(&st->mu);
	free(st->bases);
	free(st);
}

/* One poll: every source that lost enough gets its message, until the
 * stream is full (then the rest wait for the next on_writable). */
static void drops_poll(drops_stream *st)
{
	drops_recs r;
	if (!drops_list(st, &r)) {
		free(r.v);
		st->backlog = true;
		return;
	}
	uint64_t now = drops_now_wall();
	for (size_t i = 0; i < st->nbases; i++)
		st->bases[i].seen = false;
	int rc = FAPI_OK;
	for (size_t i = 0; i < r.n && rc == FAPI_OK; i++) {
		drops_base *b = drops_find(st, &r.v[i]);
		if (!b && !(b = drops_add(st, &r.v[i], false, st->last_sent_wall)))
			break;
		b->seen = true;
		if (r.v[i].lost < b->lost) {
			/* The counters started again (a feed reopened): nothing to
			 * tell about the past, count from here. */
			b->lost = r.v[i].lost;
			memcpy(b->kernel, r.v[i].kernel, sizeof(b->kernel));
			b->since_ns = now;
		}
		if (r.v[i].lost - b->lost >= st->min_count)
			rc = drops_write(st, b, &r.v[i], now);
	}
	st->backlog = rc == FAPI_EFULL;
	if (rc != FAPI_OK && rc != FAPI_EFULL)
		st->done = true;
	if (rc == FAPI_OK) {
		/* Forget the sources that are gone (only after a full pass: a
		 * stopped pass has not looked at all of them). */
		size_t n = 0;
		for (size_t i = 0; i < st->nbases; i++)
			if (st->bases[i].seen)
				st->bases[n++] = st->bases[i];
		st->nbases = n;
	}
	free(r.v);
}

static void drops_work(drops_stream *st)
{
	if (st->done)
		return;
	bool due = atomic_exchange(&st->due, false);
	if (due || st->backlog)
		drops_poll(st);
	if (st->done)
		return;
	if (atomic_exchange(&st->heartbeat_due, false) && st->heartbeat_ns) {
		/* Only when nothing else went out for a whole heartbeat. */
		if (drops_now_mono() - atomic_load(&st->last_sent_mono) >= st->heartbeat_ns) {
			int rc = drops_write_heartbeat(st, drops_now_wall());
			if (rc != FAPI_OK && rc != FAPI_EFULL)
				st->done = true;
		}
	}
}

void drops_stream_pump(drops_stream *st)
{
	pthread_mutex_lock(&st->mu);
	if (st->pumping) {
		st->again = true;
		pthread_mutex_unlock(&st->mu);
		return;
	}
	st->pumping = true;
	do {
		st->again = false;
		pthread_mutex_unlock(&st->mu);
		drops_work(st);
		pthread_mutex_lock(&st->mu);
	} while (st->again);
	st->pumping = false;
	pthread_mutex_unlock(&st->mu);
}
