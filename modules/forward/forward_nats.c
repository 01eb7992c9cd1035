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

struct forward_retry {
	natsMsg *msg;
	forward_retry *next;
};

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
		natsMsg_Destroy(msg);
		return;
	}
	/* Kept for the publisher thread to send again: resending from here
	 * could stall nats.c's own thread on max pending. */
	forward_retry *r = malloc(sizeof(*r));
	if (!r) {
		atomic_fetch_add(&m->failed, 1);
		natsMsg_Destroy(msg);
		return;
	}
	r->msg = msg;
	r->next = NULL;
	pthread_mutex_lock(&m->retry_mu);
	if (m->retry_tail)
		m->retry_tail->next = r;
	else
		m->retry_head = r;
	m->retry_tail = r;
	pthread_mutex_unlock(&m->retry_mu);
}

static bool forward_nats_stopping(forward_module *m);

static void forward_nats_disconnected(natsConnection *nc, void *closure)
{
	(void)nc;
	forward_module *m = closure;
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
	pthread_mutex_lock(&m->mu);
	m->wake = true;
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
	while (!m->stopping && !m->wake)
		if (pthread_cond_timedwait(&m->cv, &m->mu, &ts) != 0)
			break;
	m->wake = false;
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
	natsMsg *keep = msg;
	natsStatus s = js_PublishMsgAsync(m->js, &msg, po);
	if (s == NATS_OK)
		return true;
	/* Not taken (msg still ours): keep it for the next round. */
	if (msg) {
		forward_retry *r = malloc(sizeof(*r));
		if (!r) {
			atomic_fetch_add(&m->failed, 1);
			natsMsg_Destroy(keep);
			return false;
		}
		r->msg = msg;
		r->next = NULL;
		pthread_mutex_lock(&m->retry_mu);
		r->next = m->retry_head; /* first again, in order */
		m->retry_head = r;
		if (!m->retry_tail)
			m->retry_tail = r;
		pthread_mutex_unlock(&m->retry_mu);
	}
	return false;
}

/* Publishes what the ack handler sent back. Returns false when the
 * connection refused one (try later). */
static bool forward_nats_retry(forward_module *m, jsPubOptions *po)
{
	for (;;) {
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
	char subject[512], id[256];
	if (forward_body_subject(m->subject, host, a, subject, sizeof(subject)) < 0 ||
	    forward_body_json(body, host, a) < 0)
		return NULL;
	snprintf(id, sizeof(id), "%s:%s:%llu", host, m->boot_id, (unsigned long long)a->seq);
	natsMsg *msg = NULL;
	if (natsMsg_Create(&msg, subject, NULL, body->buf, (int)body->len) != NATS_OK)
		return NULL;
	char created[32];
	snprintf(created, sizeof(created), "%llu", (unsigned long long)a->created_ns);
	if (natsMsgHeader_Set(msg, "Nats-Msg-Id", id) != NATS_OK ||
	    natsMsgHeader_Set(msg, "Falco-Created-Ns", created) != NATS_OK) {
		natsMsg_Destroy(msg);
		return NULL;
	}
	return msg;
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
		if (!atomic_load(&m->connected) || !forward_nats_retry(m, &po)) {
			forward_nats_sleep_ms(m, 50);
			continue;
		}
		size_t batch = 0;
		for (; batch < 4096; batch++) {
			uint64_t lost = 0;
			fapi_alert *al = m->host->alert_pop(m->sub, &lost);
			if (lost) {
				lost_total += lost;
				m->host->log(m->ctx, FAPI_LOG_WARNING,
					     "queue full: dropped the %llu oldest alerts (%llu in all)",
					     (unsigned long long)lost, (unsigned long long)lost_total);
			}
			if (!al)
				break;
			fapi_alert_view v = FAPI_ALERT_VIEW_INIT;
			m->host->alert_view(al, &v);
			natsMsg *msg = forward_nats_msg(m, &v, &body);
			m->host->alert_release(al);
			if (!msg) {
				atomic_fetch_add(&m->failed, 1);
				continue;
			}
			atomic_fetch_add(&m->published, 1);
			if (!forward_nats_send(m, msg, &po))
				break;
		}
		if (batch == 0)
			forward_nats_sleep_ms(m, 100);
	}
	free(body.buf);
	return NULL;
}
