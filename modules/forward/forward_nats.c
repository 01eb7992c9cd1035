/* The publisher: one thread pops the bus subscription (the module's
 * bounded queue, where alerts wait while NATS is away and where the
 * oldest are dropped and counted when it is full), publishes each alert
 * asynchronously to JetStream and lets nats.c's ack handler count it.
 * A message whose ack fails or times out is published again with the same
 * Nats-Msg-Id, so JetStream keeps it once. */

#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forward_body.h"
#include "forward_module.h"

/* How long the publisher lets alerts gather after emptying the queue. */
#define FORWARD_BATCH_US 500

struct forward_retry {
	natsMsg *msg;
	uint64_t seq;
	forward_retry *next;
};

/* The engine's sequence number, the last part of the Msg-Id. */
static uint64_t forward_nats_seq(natsMsg *msg)
{
	const char *id = NULL;
	if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !id)
		return 0;
	const char *p = strrchr(id, ':');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* Into the retry list at its place by sequence (usually the end: acks
 * fail in the order the messages went out). Takes msg; false on ENOMEM
 * (msg destroyed and counted as failed). */
static bool forward_nats_keep(forward_module *m, natsMsg *msg)
{
	forward_retry *r = malloc(sizeof(*r));
	if (!r) {
		atomic_fetch_add(&m->failed, 1);
		atomic_fetch_sub(&m->held_bytes, natsMsg_GetDataLength(msg));
		natsMsg_Destroy(msg);
		return false;
	}
	r->msg = msg;
	r->seq = forward_nats_seq(msg);
	r->next = NULL;
	pthread_mutex_lock(&m->retry_mu);
	if (!m->retry_head || m->retry_tail->seq < r->seq) {
		if (m->retry_tail)
			m->retry_tail->next = r;
		else
			m->retry_head = r;
		m->retry_tail = r;
	} else {
		forward_retry **at = &m->retry_head;
		while (*at && (*at)->seq < r->seq)
			at = &(*at)->next;
		r->next = *at;
		*at = r;
	}
	pthread_mutex_unlock(&m->retry_mu);
	return true;
}

/* Alert creation to ack, in a log2 histogram of microseconds, so that
 * the stop line (and bench/forward) can tell percentiles. */
static void forward_nats_latency(forward_module *m, natsMsg *msg)
{
	const char *v = NULL;
	if (natsMsgHeader_Get(msg, "Falco-Created-Ns", &v) != NATS_OK || !v)
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t d = ((int64_t)now.tv_sec * 1000000000 + now.tv_nsec - strtoll(v, NULL, 10)) / 1000;
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
		forward_nats_latency(m, msg);
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

static void forward_nats_disconnected(natsConnection *nc, void *closure)
{
	(void)nc;
	forward_module *m = closure;
	atomic_store(&m->resync, true);
	if (atomic_exchange(&m->connected, false) && !forward_nats_stopping(m))
		m->host->log(m->ctx, FAPI_LOG_WARNING, "NATS disconnected: alerts wait in the queue (capacity %lld)",
			     (long long)m->queue_capacity);
}

static void forward_nats_closed(natsConnection *nc, void *closure)
{
	(void)nc;
	forward_module *m = closure;
	pthread_mutex_lock(&m->mu);
	m->closed = true;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

static void forward_nats_reconnected(natsConnection *nc, void *closure)
{
	forward_module *m = closure;
	char url[256] = "";
	natsConnection_GetConnectedUrl(nc, url, sizeof(url));
	atomic_store(&m->connected, true);
	m->host->log(m->ctx, FAPI_LOG_INFO, "NATS reconnected to %s", url);
	atomic_store(&m->wake, true);
	pthread_mutex_lock(&m->mu);
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
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
	/* Reconnect for ever with backoff (nats.c's wait, with jitter). */
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(o, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(o, 250);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectJitter(o, 100, 1000);
	if (s == NATS_OK)
		s = natsOptions_SetIOBufSize(o, 1 << 20);
	/* Nothing kept by nats.c while it reconnects (a publish then fails and
	 * the alert waits in the module, in order): what it kept would go out
	 * on the new connection before the older alerts lost with the old one
	 * are published again. 1 byte: 0 would mean its 8 MiB default. */
	if (s == NATS_OK)
		s = natsOptions_SetReconnectBufSize(o, 1);
	if (s == NATS_OK)
		s = natsOptions_SetDisconnectedCB(o, forward_nats_disconnected, m);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectedCB(o, forward_nats_reconnected, m);
	if (s == NATS_OK)
		s = natsOptions_SetClosedCB(o, forward_nats_closed, m);
	if (s != NATS_OK) {
		natsOptions_Destroy(o);
		return forward_nats_fail(s, "nats options (tls, credentials)", err, errlen);
	}
	natsConnection *nc = NULL;
	s = natsConnection_Connect(&nc, o);
	natsOptions_Destroy(o);
	if (s != NATS_OK)
		return forward_nats_fail(s, "connecting to NATS", err, errlen);
	jsOptions jo;
	jsOptions_Init(&jo);
	jo.PublishAsync.MaxPending = m->max_pending;
	jo.PublishAsync.AckHandler = forward_nats_ack;
	jo.PublishAsync.AckHandlerClosure = m;
	jsCtx *js = NULL;
	s = natsConnection_JetStream(&js, nc, &jo);
	if (s != NATS_OK) {
		natsConnection_Destroy(nc);
		return forward_nats_fail(s, "jetstream context", err, errlen);
	}
	int rc = forward_nats_stream(m, js, err, errlen);
	if (rc != FAPI_OK) {
		jsCtx_Destroy(js);
		natsConnection_Destroy(nc);
		return rc;
	}
	char url[256] = "";
	natsConnection_GetConnectedUrl(nc, url, sizeof(url));
	m->host->log(m->ctx, FAPI_LOG_INFO, "connected to NATS %s, publishing to stream %s", url, m->stream);
	m->nc = nc;
	m->js = js;
	atomic_store(&m->connected, true);
	return FAPI_OK;
}

void forward_nats_close(forward_module *m)
{
	if (m->js) {
		jsPubOptions po;
		jsPubOptions_Init(&po);
		po.MaxWait = 2000;
		js_PublishAsyncComplete(m->js, &po);
		jsCtx_Destroy(m->js);
	}
	if (m->nc) {
		/* nats.c runs its callbacks on a thread of its own, after
		 * Destroy returns: wait for the closed callback, the last one,
		 * before m can be freed. */
		natsConnection_Close(m->nc);
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += 5;
		pthread_mutex_lock(&m->mu);
		while (!m->closed)
			if (pthread_cond_timedwait(&m->cv, &m->mu, &ts) != 0)
				break;
		pthread_mutex_unlock(&m->mu);
		natsConnection_Destroy(m->nc);
	}
	m->js = m->nc = NULL;
	pthread_mutex_lock(&m->retry_mu);
	while (m->retry_head) {
		forward_retry *r = m->retry_head;
		m->retry_head = r->next;
		natsMsg_Destroy(r->msg);
		free(r);
	}
	m->retry_tail = NULL;
	pthread_mutex_unlock(&m->retry_mu);
}

static void forward_nats_sleep_ms(forward_module *m, int64_t ms)
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
	while (!m->stopping && !atomic_load(&m->wake))
		if (pthread_cond_timedwait(&m->cv, &m->mu, &ts) != 0)
			break;
	atomic_store(&m->sleeping, false);
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
	/* nats.c notices a broken connection before its disconnected
	 * callback tells us: refuse early rather than have it buffered. */
	if (natsConnection_Status(m->nc) != NATS_CONN_STATUS_CONNECTED) {
		atomic_store(&m->resync, true);
		forward_nats_keep(m, msg);
		return false;
	}
	atomic_fetch_add(&m->inflight, 1);
	natsStatus s = js_PublishMsgAsync(m->js, &msg, po);
	if (s == NATS_OK)
		return true;
	atomic_fetch_sub(&m->inflight, 1);
	atomic_store(&m->resync, true);
	/* Not taken (msg still ours): kept, at its place, for the next round. */
	if (msg)
		forward_nats_keep(m, msg);
	return false;
}

/* Publishes what the ack handler sent back. Returns false when the
 * connection refused one (try later). */
static bool forward_nats_retry(forward_module *m, jsPubOptions *po)
{
	for (;;) {
		/* A failure meanwhile: an older one may be back at the head. */
		if (atomic_load(&m->resync))
			return false;
		pthread_mutex_lock(&m->retry_mu);
		forward_retry *r = m->retry_head;
		if (r) {
			m->retry_head = r->next;
			if (!m->retry_head)
				m->retry_tail = NULL;
		}
		pthread_mutex_unlock(&m->retry_mu);
		if (!r)
			return true;
		natsMsg *msg = r->msg;
		free(r);
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
	if (natsMsgHeader_Set(msg, "Nats-Msg-Id", id) != NATS_OK ||
	    natsMsgHeader_Set(msg, "Falco-Created-Ns", forward_body_u64(num, a->created_ns)) != NATS_OK) {
		natsMsg_Destroy(msg);
		return NULL;
	}
	return msg;
}

/* May newer alerts go out? After a disconnect or a failed ack, only once
 * every message of before is resolved (acknowledged, or back in the retry
 * list: an ack lost with the connection takes ack_wait_ms) and the retry
 * list went out again in sequence order. */
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

void *forward_nats_thread(void *arg)
{
	forward_module *m = arg;
	char err[512];
	int64_t backoff = 250;
	bool reported = false;
	while (!m->nc && !forward_nats_stopping(m)) {
		if (forward_nats_connect_once(m, err, sizeof(err)) == FAPI_OK)
			break;
		if (!reported)
			m->host->log(m->ctx, FAPI_LOG_WARNING, "%s; retrying with backoff, alerts wait in the queue", err);
		reported = true;
		forward_nats_sleep_ms(m, backoff);
		backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
	}
	jsPubOptions po;
	jsPubOptions_Init(&po);
	po.MaxWait = m->ack_wait_ms;
	forward_buf body = {0};
	uint64_t lost_total = 0;
	while (!forward_nats_stopping(m)) {
		if (!forward_nats_ready(m, &po)) {
			forward_nats_sleep_ms(m, 20);
			continue;
		}
		size_t batch = 0;
		bool drained = false;
		for (; batch < 4096; batch++) {
			/* What the module holds is bounded like the queue: past
			 * it, alerts wait (and the oldest drop) in the bus. */
			if (atomic_load(&m->held_bytes) >= m->queue_bytes || atomic_load(&m->resync))
				break;
			uint64_t lost = 0;
			fapi_alert *al = m->host->alert_pop(m->sub, &lost);
			if (lost) {
				lost_total += lost;
				m->host->log(m->ctx, FAPI_LOG_WARNING,
					     "queue full: dropped the %llu oldest alerts (%llu in all)",
					     (unsigned long long)lost, (unsigned long long)lost_total);
			}
			if (!al) {
				drained = true;
				break;
			}
			fapi_alert_view v = FAPI_ALERT_VIEW_INIT;
			m->host->alert_view(al, &v);
			natsMsg *msg = forward_nats_msg(m, &v, &body);
			m->host->alert_release(al);
			if (!msg) {
				atomic_fetch_add(&m->failed, 1);
				continue;
			}
			atomic_fetch_add(&m->published, 1);
			atomic_fetch_add(&m->held_bytes, natsMsg_GetDataLength(msg));
			if (!forward_nats_send(m, msg, &po))
				break;
		}
		if (batch == 0) {
			forward_nats_sleep_ms(m, atomic_load(&m->held_bytes) >= m->queue_bytes ? 5 : 100);
		} else if (drained) {
			/* Busy: let a batch gather rather than wake per alert (the
			 * engine's notify then costs no futex); FORWARD_BATCH_US
			 * is added to the delay at most. */
			struct timespec ts = {0, FORWARD_BATCH_US * 1000};
			nanosleep(&ts, NULL);
		}
	}
	free(body.buf);
	return NULL;
}
