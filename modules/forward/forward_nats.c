/* The publisher: one thread pops the bus subscription (the module's
 * bounded queue, where alerts wait while NATS is away and where the
 * oldest are dropped and counted when it is full), publishes each alert
 * asynchronously to JetStream and lets nats.c's ack handler count it.
 * A message whose ack fails or times out is published again with the same
 * Nats-Msg-Id, so JetStream keeps it once. */

#include <errno.h>
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "forward_body.h"
#include "forward_module.h"

/* How long the publisher lets alerts gather after emptying the queue. */
#define FORWARD_BATCH_US 500
/* Alerts taken from the bus at once (alert_pop_many). */
#define FORWARD_POP_BATCH 256

/* The engine's sequence number, the last part of the Msg-Id. */
static uint64_t forward_nats_seq(natsMsg *msg)
{
	const char *id = NULL;
	if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !id)
		return 0;
	const char *p = strrchr(id, ':');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

static int forward_nats_retry_cmp(const void *a, const void *b)
{
	uint64_t x = ((const forward_retry *)a)->seq, y = ((const forward_retry *)b)->seq;
	return x < y ? -1 : x > y;
}

/* Room for `more` entries at the end of the retry list; under retry_mu. */
static bool forward_nats_retry_room(forward_module *m, size_t more)
{
	if (m->retry_at && m->retry_at * 2 >= m->nretry) {
		memmove(m->retry, m->retry + m->retry_at, (m->nretry - m->retry_at) * sizeof(*m->retry));
		m->nretry -= m->retry_at;
		m->retry_at = 0;
	}
	if (m->nretry + more <= m->retry_cap)
		return true;
	size_t cap = m->retry_cap ? m->retry_cap : 256;
	while (cap < m->nretry + more)
		cap *= 2;
	forward_retry *n = realloc(m->retry, cap * sizeof(*n));
	if (!n)
		return false;
	m->retry = n;
	m->retry_cap = cap;
	return true;
}

/* Into the retry list at its place by sequence (usually the end: acks
 * fail in the order the messages went out). Takes msg; false on ENOMEM
 * (msg destroyed and counted as failed). */
static bool forward_nats_keep(forward_module *m, natsMsg *msg)
{
	forward_retry r = {forward_nats_seq(msg), msg};
	pthread_mutex_lock(&m->retry_mu);
	bool ok = forward_nats_retry_room(m, 1);
	if (ok) {
		size_t at = m->nretry;
		while (at > m->retry_at && m->retry[at - 1].seq > r.seq)
			at--;
		memmove(m->retry + at + 1, m->retry + at, (m->nretry - at) * sizeof(*m->retry));
		m->retry[at] = r;
		m->nretry++;
	}
	pthread_mutex_unlock(&m->retry_mu);
	if (!ok) {
		atomic_fetch_add(&m->failed, 1);
		atomic_fetch_sub(&m->held_bytes, natsMsg_GetDataLength(msg));
		natsMsg_Destroy(msg);
	}
	return ok;
}

/* Takes every message of list into the retry list, in sequence order
 * (nats.c hands them over in hash order). */
static void forward_nats_keep_all(forward_module *m, natsMsgList *list)
{
	pthread_mutex_lock(&m->retry_mu);
	bool ok = forward_nats_retry_room(m, (size_t)list->Count);
	if (ok) {
		for (int i = 0; i < list->Count; i++) {
			if (!list->Msgs[i])
				continue;
			m->retry[m->nretry++] = (forward_retry){forward_nats_seq(list->Msgs[i]), list->Msgs[i]};
			list->Msgs[i] = NULL;
		}
		qsort(m->retry + m->retry_at, m->nretry - m->retry_at, sizeof(*m->retry), forward_nats_retry_cmp);
	}
	pthread_mutex_unlock(&m->retry_mu);
	/* Out of memory: what is left in the list is lost, and counted. */
	for (int i = 0; i < list->Count; i++)
		if (list->Msgs[i]) {
			atomic_fetch_add(&m->failed, 1);
			atomic_fetch_sub(&m->held_bytes, natsMsg_GetDataLength(list->Msgs[i]));
		}
	natsMsgList_Destroy(list);
}

/* Alert creation to ack, in a log2 histogram of microseconds, so that
 * the stop line (and bench/forward) can tell percentiles. */
static void forward_nats_latency(forward_module *m, uint64_t seq)
{
	__typeof__(m->lat_ring) slot = &m->lat_ring[seq % FORWARD_LAT_RING];
	if (seq == 0 || atomic_load_explicit(&slot->seq, memory_order_acquire) != seq)
		return;
	uint64_t created = atomic_load_explicit(&slot->created_ns, memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&slot->seq, memory_order_relaxed) != seq)
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t d = ((int64_t)now.tv_sec * 1000000000 + now.tv_nsec - (int64_t)created) / 1000;
	unsigned b = 0;
	while (d > 1 && b < FORWARD_LAT_BUCKETS - 1) {
		d >>= 1;
		b++;
	}
	atomic_fetch_add(&m->lat[b], 1);
}

static void forward_nats_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	(void)js;
	forward_module *m = closure;
	if (pa && !pae) {
		atomic_fetch_add(&m->acked, 1);
		forward_nats_latency(m, forward_nats_seq(msg));
		atomic_fetch_sub(&m->held_bytes, natsMsg_GetDataLength(msg));
		natsMsg_Destroy(msg);
		atomic_fetch_sub(&m->inflight, 1);
		return;
	}
	/* Kept for the publisher thread to send again (resending from here
	 * could stall nats.c's own thread on max pending), and nothing newer
	 * goes out before it: the stream keeps the node's order. */
	atomic_store(&m->resync, true);
	forward_nats_keep(m, msg);
	atomic_fetch_sub(&m->inflight, 1);
}

static bool forward_nats_stopping(forward_module *m);

static void forward_nats_wake(forward_module *m)
{
	atomic_store(&m->wake, true);
	pthread_mutex_lock(&m->mu);
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

/* The closure of one connection's callbacks, freed by its closed
 * callback (nats.c posts it once, last, for every connection it made). */
typedef struct forward_conn {
	forward_module *m;
	uint64_t gen;
} forward_conn;

static void forward_nats_disconnected(natsConnection *nc, void *closure)
{
	(void)nc;
	forward_conn *c = closure;
	forward_module *m = c->m;
	pthread_mutex_lock(&m->mu);
	bool current = c->gen == m->conn_gen;
	pthread_mutex_unlock(&m->mu);
	if (!current)
		return;
	atomic_store(&m->resync, true);
	if (atomic_exchange(&m->connected, false) && !forward_nats_stopping(m))
		m->host->log(m->ctx, FAPI_LOG_WARNING, "NATS disconnected: alerts wait in the queue (capacity %lld)",
			     (long long)m->queue_capacity);
	forward_nats_wake(m);
}

static void forward_nats_closed(natsConnection *nc, void *closure)
{
	(void)nc;
	forward_conn *c = closure;
	forward_module *m = c->m;
	pthread_mutex_lock(&m->mu);
	if (c->gen > m->closed_upto)
		m->closed_upto = c->gen;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
	free(c);
}

/* Closes and destroys nc (connection number gen), returning once its
 * closed callback ran: no callback of it can follow, and m may go. */
static void forward_nats_end(forward_module *m, natsConnection *nc, uint64_t gen)
{
	natsConnection_Close(nc);
	pthread_mutex_lock(&m->mu);
	while (m->closed_upto < gen)
		pthread_cond_wait(&m->cv, &m->mu);
	pthread_mutex_unlock(&m->mu);
	natsConnection_Destroy(nc);
}

static int forward_nats_fail(natsStatus s, const char *what, char *err, size_t errlen)
{
	const char *last = nats_GetLastError(NULL);
	snprintf(err, errlen, "%s: %s%s%s", what, natsStatus_GetText(s), last && *last ? ": " : "",
		 last ? last : "");
	return FAPI_EINVAL;
}

static int forward_nats_stream(forward_module *m, jsCtx *js, char *err, size_t errlen)
{
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	natsStatus s = js_GetStreamInfo(&si, js, m->stream, NULL, &jerr);
	if (s == NATS_OK) {
		jsStreamInfo_Destroy(si);
		return FAPI_OK;
	}
	if (!m->create_stream) {
		snprintf(err, errlen, "stream %s: %s (jetstream error %d); set create_stream: true to create it",
			 m->stream, natsStatus_GetText(s), (int)jerr);
		return FAPI_ENOTFOUND;
	}
	jsStreamConfig sc;
	jsStreamConfig_Init(&sc);
	const char *subjects[] = {"falco.alerts.>"};
	sc.Name = m->stream;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Retention = js_LimitsPolicy;
	sc.MaxMsgs = m->stream_max_msgs;
	s = js_AddStream(&si, js, &sc, NULL, &jerr);
	if (s != NATS_OK) {
		snprintf(err, errlen, "creating stream %s: %s (jetstream error %d)", m->stream, natsStatus_GetText(s),
			 (int)jerr);
		return FAPI_EINVAL;
	}
	jsStreamInfo_Destroy(si);
	m->host->log(m->ctx, FAPI_LOG_INFO, "created stream %s (subjects falco.alerts.>, max %lld messages)", m->stream,
		     (long long)m->stream_max_msgs);
	return FAPI_OK;
}

int forward_nats_connect_once(forward_module *m, char *err, size_t errlen)
{
	natsOptions *o = NULL;
	natsStatus s = natsOptions_Create(&o);
	if (s != NATS_OK)
		return forward_nats_fail(s, "nats options", err, errlen);
	s = natsOptions_SetServers(o, m->servers, (int)m->nservers);
	if (s == NATS_OK && (m->tls_ca || m->tls_cert))
		s = natsOptions_SetSecure(o, true);
	if (s == NATS_OK && m->tls_ca)
		s = natsOptions_LoadCATrustedCertificates(o, m->tls_ca);
	if (s == NATS_OK && m->tls_cert)
		s = natsOptions_LoadCertificatesChain(o, m->tls_cert, m->tls_key);
	if (s == NATS_OK && m->user)
		s = natsOptions_SetUserInfo(o, m->user, m->password);
	if (s == NATS_OK && m->token)
		s = natsOptions_SetToken(o, m->token);
	if (s == NATS_OK && m->creds)
		s = natsOptions_SetUserCredentialsFromFiles(o, m->creds, NULL);
	/* No reconnect inside nats.c: the publisher makes the next connection
	 * itself (forward_nats_thread, with backoff), after taking back every
	 * message the lost one left unacknowledged, so that those go out
	 * first, in order. With nats.c's own reconnect, a message published
	 * right after it reconnected (before its disconnected callback ran)
	 * was stored ahead of older ones lost with the old connection. */
	if (s == NATS_OK)
		s = natsOptions_SetAllowReconnect(o, false);
	/* A server that vanished without closing the socket is noticed within
	 * about 3 pings rather than nats.c's default of minutes. */
	if (s == NATS_OK)
		s = natsOptions_SetPingInterval(o, 2000);
	if (s == NATS_OK)
		s = natsOptions_SetMaxPingsOut(o, 2);
	if (s == NATS_OK)
		s = natsOptions_SetIOBufSize(o, 1 << 20);
	forward_conn *cb = malloc(sizeof(*cb));
	if (!cb)
		s = NATS_NO_MEMORY;
	if (s == NATS_OK) {
		pthread_mutex_lock(&m->mu);
		*cb = (forward_conn){m, ++m->conn_gen};
		pthread_mutex_unlock(&m->mu);
		s = natsOptions_SetDisconnectedCB(o, forward_nats_disconnected, cb);
	}
	if (s == NATS_OK)
		s = natsOptions_SetClosedCB(o, forward_nats_closed, cb);
	if (s != NATS_OK) {
		natsOptions_Destroy(o);
		free(cb);
		return forward_nats_fail(s, "nats options (tls, credentials)", err, errlen);
	}
	uint64_t gen = cb->gen;
	natsConnection *nc = NULL;
	s = natsConnection_Connect(&nc, o);
	natsOptions_Destroy(o);
	if (s != NATS_OK) {
		/* No connection, so no callback: the closure is ours. */
		free(cb);
		return forward_nats_fail(s, "connecting to NATS", err, errlen);
	}
	jsOptions jo;
	jsOptions_Init(&jo);
	jo.PublishAsync.MaxPending = m->max_pending;
	jo.PublishAsync.AckHandler = forward_nats_ack;
	jo.PublishAsync.AckHandlerClosure = m;
	jsCtx *js = NULL;
	s = natsConnection_JetStream(&js, nc, &jo);
	if (s != NATS_OK) {
		forward_nats_fail(s, "jetstream context", err, errlen);
		forward_nats_end(m, nc, gen);
		return FAPI_EINVAL;
	}
	int rc = forward_nats_stream(m, js, err, errlen);
	if (rc != FAPI_OK) {
		jsCtx_Destroy(js);
		forward_nats_end(m, nc, gen);
		return rc;
	}
	char url[256] = "";
	natsConnection_GetConnectedUrl(nc, url, sizeof(url));
	if (m->was_connected)
		m->host->log(m->ctx, FAPI_LOG_INFO, "NATS reconnected to %s", url);
	else
		m->host->log(m->ctx, FAPI_LOG_INFO, "connected to NATS %s, publishing to stream %s", url, m->stream);
	m->was_connected = true;
	m->nc = nc;
	m->js = js;
	m->js_used = false;
	atomic_store(&m->connected, true);
	return FAPI_OK;
}

/* Waits (bounded) for the in-flight count to reach zero: the ack
 * handler calls already running when the pending list was taken. */
static void forward_nats_settle(forward_module *m, int ms)
{
	for (int i = 0; i < ms && atomic_load(&m->inflight) > 0; i++)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
}

/* Ends the current connection: what it left unacknowledged goes back to
 * the retry list, in order; with `drain`, acks are first awaited (stop). */
static void forward_nats_drop(forward_module *m, bool drain)
{
	if (m->js && m->js_used) {
		if (drain) {
			jsPubOptions po;
			jsPubOptions_Init(&po);
			po.MaxWait = 2000;
			js_PublishAsyncComplete(m->js, &po);
		}
		/* Only after a publish was taken: nats.c makes the pending map
		 * then, and this call does not check that it exists. */
		natsMsgList pending = {0};
		if (js_PublishAsyncGetPendingList(&pending, m->js) == NATS_OK) {
			atomic_fetch_sub(&m->inflight, pending.Count);
			forward_nats_keep_all(m, &pending);
			forward_nats_settle(m, 1000);
		} else {
			/* Out of memory: jsCtx_Destroy frees them, lost. */
			atomic_fetch_add(&m->failed, (uint64_t)atomic_exchange(&m->inflight, 0));
		}
	}
	if (m->js)
		jsCtx_Destroy(m->js);
	if (m->nc) {
		pthread_mutex_lock(&m->mu);
		uint64_t gen = m->conn_gen;
		pthread_mutex_unlock(&m->mu);
		forward_nats_end(m, m->nc, gen);
	}
	m->js = m->nc = NULL;
	m->js_used = false;
	atomic_store(&m->connected, false);
	atomic_store(&m->resync, true);
}

uint64_t forward_nats_finish(forward_module *m)
{
	forward_nats_drop(m, true);
	pthread_mutex_lock(&m->retry_mu);
	uint64_t left = m->nretry - m->retry_at;
	pthread_mutex_unlock(&m->retry_mu);
	return left;
}

void forward_nats_close(forward_module *m)
{
	forward_nats_drop(m, false);
	pthread_mutex_lock(&m->retry_mu);
	for (size_t i = m->retry_at; i < m->nretry; i++)
		natsMsg_Destroy(m->retry[i].msg);
	free(m->retry);
	m->retry = NULL;
	m->retry_at = m->nretry = m->retry_cap = 0;
	pthread_mutex_unlock(&m->retry_mu);
}

/* Sleeps up to ms, until the module stops or, with `on_wake`, until
 * there is work (an alert, a callback). */
static void forward_nats_sleep_ms(forward_module *m, int64_t ms, bool on_wake)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&m->mu);
	atomic_store(&m->sleeping, true);
	while (!m->stopping && !(on_wake && atomic_load(&m->wake)))
		if (pthread_cond_timedwait(&m->cv, &m->mu, &ts) != 0)
			break;
	atomic_store(&m->sleeping, false);
	if (on_wake)
		atomic_store(&m->wake, false);
	pthread_mutex_unlock(&m->mu);
}

static bool forward_nats_stopping(forward_module *m)
{
	pthread_mutex_lock(&m->mu);
	bool s = m->stopping;
	pthread_mutex_unlock(&m->mu);
	return s;
}

/* Publishes one message (taking it). Returns false when nats.c refused
 * it: it is then kept for retry. */
static bool forward_nats_send(forward_module *m, natsMsg *msg, jsPubOptions *po)
{
	atomic_fetch_add(&m->inflight, 1);
	natsStatus s = js_PublishMsgAsync(m->js, &msg, po);
	if (s == NATS_OK) {
		m->js_used = true;
		return true;
	}
	atomic_fetch_sub(&m->inflight, 1);
	atomic_store(&m->resync, true);
	/* Not taken (msg still ours): kept, at its place, for the next round. */
	if (msg)
		forward_nats_keep(m, msg);
	return false;
}

/* Publishes what waits in the retry list. Returns false when the
 * connection refused one (try later). */
static bool forward_nats_retry(forward_module *m, jsPubOptions *po)
{
	for (;;) {
		/* A failure meanwhile: an older one may be back at the head. */
		if (atomic_load(&m->resync))
			return false;
		natsMsg *msg = NULL;
		pthread_mutex_lock(&m->retry_mu);
		if (m->retry_at < m->nretry)
			msg = m->retry[m->retry_at++].msg;
		pthread_mutex_unlock(&m->retry_mu);
		if (!msg)
			return true;
		atomic_fetch_add(&m->retried, 1);
		if (!forward_nats_send(m, msg, po))
			return false;
	}
}

static natsMsg *forward_nats_msg(forward_module *m, const fapi_alert_view *a, forward_buf *body)
{
	const char *host = m->hostname ? m->hostname : (a->hostname ? a->hostname : "unknown");
	char subject[512], id[256], num[32];
	if (forward_body_subject(m->subject, host, a, subject, sizeof(subject)) < 0 ||
	    forward_body_json(body, host, a) < 0)
		return NULL;
	const char *seq = forward_body_u64(num, a->seq);
	size_t hl = strlen(host), bl = strlen(m->boot_id), sl = strlen(seq);
	if (hl + bl + sl + 3 > sizeof(id))
		return NULL;
	memcpy(id, host, hl);
	id[hl] = ':';
	memcpy(id + hl + 1, m->boot_id, bl);
	id[hl + 1 + bl] = ':';
	memcpy(id + hl + bl + 2, seq, sl + 1);
	natsMsg *msg = NULL;
	if (natsMsg_Create(&msg, subject, NULL, body->buf, (int)body->len) != NATS_OK)
		return NULL;
	if (natsMsgHeader_Set(msg, "Nats-Msg-Id", id) != NATS_OK) {
		natsMsg_Destroy(msg);
		return NULL;
	}
	__typeof__(m->lat_ring) slot = &m->lat_ring[a->seq % FORWARD_LAT_RING];
	atomic_store_explicit(&slot->seq, 0, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&slot->created_ns, a->created_ns, memory_order_relaxed);
	atomic_store_explicit(&slot->seq, a->seq, memory_order_release);
	return msg;
}

/* May newer alerts go out? After a disconnect or a failed ack, only once
 * every message of before is resolved (acknowledged, or back in the retry
 * list) and the retry list went out again in sequence order. */
static bool forward_nats_ready(forward_module *m, jsPubOptions *po)
{
	if (!atomic_load(&m->connected))
		return false;
	if (atomic_load(&m->resync)) {
		if (atomic_load(&m->inflight) > 0)
			return false;
		atomic_store(&m->resync, false);
	}
	return forward_nats_retry(m, po);
}

/* Connects, with backoff, until it works or the module stops. */
static void forward_nats_reconnect(forward_module *m)
{
	char err[512];
	int64_t backoff = 250;
	bool reported = false;
	unsigned seed = (unsigned)(uintptr_t)m ^ (unsigned)time(NULL);
	while (!m->nc && !forward_nats_stopping(m)) {
		if (forward_nats_connect_once(m, err, sizeof(err)) == FAPI_OK)
			return;
		if (!reported)
			m->host->log(m->ctx, FAPI_LOG_WARNING, "%s; retrying with backoff, alerts wait in the queue", err);
		reported = true;
		/* Jitter, so that a fleet does not come back in step. */
		forward_nats_sleep_ms(m, backoff + rand_r(&seed) % (backoff / 4 + 1), false);
		backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
	}
}

/* Overflow in the log: the first at once, then one line per
 * FORWARD_LOST_LOG_S at most (a full queue loses alerts at every pop: a
 * line each time was hundreds a second), and what is left untold when the
 * publisher ends. The exact count is also on the drops stream, /metrics
 * and the bus's stop line for the subscriber. */
#define FORWARD_LOST_LOG_S 10
typedef struct forward_lost_log {
	uint64_t total, unlogged;
	int64_t last; /* CLOCK_MONOTONIC seconds of the last line, 0 before */
} forward_lost_log;

static void forward_nats_lost_say(forward_module *m, forward_lost_log *l, int64_t now)
{
	m->host->log(m->ctx, FAPI_LOG_WARNING, "queue full: dropped the %llu oldest alerts (%llu in all)",
		     (unsigned long long)l->unlogged, (unsigned long long)l->total);
	l->unlogged = 0;
	l->last = now;
}

static void forward_nats_lost(forward_module *m, uint64_t lost, forward_lost_log *l)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t now = (int64_t)ts.tv_sec + 1; /* never 0 */
	l->total += lost;
	l->unlogged += lost;
	if (!l->last || now - l->last >= FORWARD_LOST_LOG_S)
		forward_nats_lost_say(m, l, now);
}

void forward_nats_nice(forward_module *m)
{
	/* Linux: niceness is per thread, and inherited by the threads this
	 * one creates (nats.c's reader, flusher and callback threads). */
	if (m->nice && setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), (int)m->nice) != 0)
		m->host->log(m->ctx, FAPI_LOG_WARNING, "nice %lld: %s; forwarding runs at the engine's priority",
			     (long long)m->nice, strerror(errno));
}

void *forward_nats_thread(void *arg)
{
	forward_module *m = arg;
	forward_nats_nice(m);
	jsPubOptions po;
	jsPubOptions_Init(&po);
	po.MaxWait = m->ack_wait_ms;
	forward_buf body = {0};
	forward_lost_log lost_log = {0};
	bool many = FAPI_HOST_HAS(m->host, alert_pop_many);
	fapi_alert *got[FORWARD_POP_BATCH];
	while (!forward_nats_stopping(m)) {
		if (!m->nc) {
			forward_nats_reconnect(m);
			continue;
		}
		if (natsConnection_IsClosed(m->nc)) {
			forward_nats_drop(m, false);
			continue;
		}
		if (!forward_nats_ready(m, &po)) {
			forward_nats_sleep_ms(m, 20, true);
			continue;
		}
		size_t batch = 0;
		bool drained = false, refused = false;
		while (batch < 4096 && !refused) {
			/* What the module holds is bounded like the queue: past
			 * it, alerts wait (and the oldest drop) in the bus. */
			if (atomic_load(&m->held_bytes) >= m->queue_bytes || atomic_load(&m->resync))
				break;
			uint64_t lost = 0;
			size_t n = many ? m->host->alert_pop_many(m->sub, got, FORWARD_POP_BATCH, &lost)
					: ((got[0] = m->host->alert_pop(m->sub, &lost)) != NULL);
			if (lost)
				forward_nats_lost(m, lost, &lost_log);
			if (n == 0) {
				drained = true;
				break;
			}
			for (size_t i = 0; i < n; i++) {
				fapi_alert_view v = FAPI_ALERT_VIEW_INIT;
				m->host->alert_view(got[i], &v);
				natsMsg *msg = forward_nats_msg(m, &v, &body);
				m->host->alert_release(got[i]);
				if (!msg) {
					atomic_fetch_add(&m->failed, 1);
					continue;
				}
				atomic_fetch_add(&m->published, 1);
				atomic_fetch_add(&m->held_bytes, natsMsg_GetDataLength(msg));
				/* Once one is refused, or an ack failed meanwhile,
				 * the rest of the batch goes to the retry list,
				 * behind the older ones, in order. */
				if (!refused && atomic_load(&m->resync))
					refused = true;
				if (refused)
					forward_nats_keep(m, msg);
				else if (!forward_nats_send(m, msg, &po))
					refused = true;
			}
			batch += n;
		}
		if (batch == 0) {
			forward_nats_sleep_ms(m, atomic_load(&m->held_bytes) >= m->queue_bytes ? 5 : 100, true);
		} else if (drained) {
			/* Busy: let a batch gather rather than wake per alert (the
			 * engine's notify then costs no futex); FORWARD_BATCH_US
			 * is added to the delay at most. */
			struct timespec ts = {0, FORWARD_BATCH_US * 1000};
			nanosleep(&ts, NULL);
		}
	}
	if (lost_log.unlogged)
		forward_nats_lost_say(m, &lost_log, 0);
	free(body.buf);
	return NULL;
}
