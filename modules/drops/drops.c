/* The drops module: every loss the daemon knows of, told in a stream.
 *   /falco.api.streaming/drops  server streaming (proto/drops.proto): per
 *   source (the kernel, each alert subscriber's queue, each input queue,
 *   the outputs rate limiter) a message whenever it lost at least the
 *   request's min_count since its previous message, read every interval.
 * The counters are the host's loss reports (fapi/losses.h): running totals
 * read on a gRPC thread, so an open drops stream costs the engine nothing;
 * the stream's own queue is bounded and a slow client delays counts into
 * later messages instead of losing them. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drops.pb-c.h"
#include "drops_module.h"
#include "drops_stream.h"
#include "drops_ticker.h"

#define DROPS_DEFAULT_MAX_SUBSCRIBERS 64
#define DROPS_DEFAULT_MIN_INTERVAL_MS 100
#define DROPS_DEFAULT_STREAM_QUEUE 64

static void drops_unlist(drops_module *m, drops_stream *st)
{
	pthread_mutex_lock(&m->mu);
	for (drops_stream **p = &m->streams; *p; p = &(*p)->next) {
		if (*p == st) {
			*p = st->next;
			m->nstreams--;
			break;
		}
	}
	pthread_mutex_unlock(&m->mu);
}

static fapi_status_code drops_open(fapi_stream *stream, const ProtobufCMessage *request, const fapi_peer *peer,
				   void *user, char *msg, size_t msglen)
{
	(void)peer;
	drops_module *m = user;
	drops_stream *st = NULL;
	fapi_status_code rc =
		drops_stream_new(m, stream, (const Falco__Drops__Request *)request, &st, msg, msglen);
	if (rc != FAPI_STATUS_OK)
		return rc;
	pthread_mutex_lock(&m->mu);
	if (m->nstreams >= m->max_subscribers) {
		pthread_mutex_unlock(&m->mu);
		snprintf(msg, msglen, "too many drops streams: %zu open, max_subscribers is %zu", m->nstreams,
			 m->max_subscribers);
		drops_stream_free(st);
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	m->host->stream_set_user(stream, st);
	st->next = m->streams;
	m->streams = st;
	m->nstreams++;
	drops_ticker_kick(m);
	pthread_mutex_unlock(&m->mu);
	return FAPI_STATUS_OK;
}

static void drops_writable(fapi_stream *stream, void *user)
{
	drops_module *m = user;
	drops_stream *st = m->host->stream_user(stream);
	if (st)
		drops_stream_pump(st);
}

static void drops_close(fapi_stream *stream, fapi_status_code why, void *user)
{
	(void)why;
	drops_module *m = user;
	drops_stream *st = m->host->stream_user(stream);
	if (!st)
		return;
	/* Unlisted first: the ticker never wakes a stream that is gone. */
	drops_unlist(m, st);
	drops_stream_free(st);
}

static int drops_config_int(drops_module *m, const char *key, int64_t def, int64_t lo, int64_t hi, int64_t *out,
			    char *err, size_t errlen)
{
	int rc = m->host->config_int(m->host->config(m->ctx), key, def, out, err, errlen);
	if (rc == FAPI_EINVAL)
		return rc;
	if (*out < lo || *out > hi) {
		snprintf(err, errlen, "%s must be between %lld and %lld", key, (long long)lo, (long long)hi);
		return FAPI_EINVAL;
	}
	return FAPI_OK;
}

static int drops_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	if (!FAPI_HOST_HAS(host, loss_sources)) {
		snprintf(err, errlen, "needs a host with module ABI 1.4 loss reports");
		return FAPI_EUNSUPPORTED;
	}
	drops_module *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	m->ctx = ctx;
	m->host = host;
	int64_t subs = 0, min_iv = 0, q = 0;
	int rc = drops_config_int(m, "max_subscribers", DROPS_DEFAULT_MAX_SUBSCRIBERS, 1, 1 << 16, &subs, err, errlen);
	if (rc == FAPI_OK)
		rc = drops_config_int(m, "min_interval_ms", DROPS_DEFAULT_MIN_INTERVAL_MS, 1, 3600000, &min_iv, err,
				      errlen);
	if (rc == FAPI_OK)
		rc = drops_config_int(m, "stream_queue", DROPS_DEFAULT_STREAM_QUEUE, 1, 1 << 16, &q, err, errlen);
	if (rc != FAPI_OK) {
		free(m);
		return rc;
	}
	m->max_subscribers = (size_t)subs;
	m->min_interval_ms = (uint64_t)min_iv;
	m->stream_queue = (size_t)q;
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_condattr_destroy(&ca);
	*state = m;
	return FAPI_OK;
}

static int drops_register(void *state, char *err, size_t errlen)
{
	drops_module *m = state;
	fapi_stream_method drops = {
		.path = "/falco.api.streaming/drops",
		.request_type = &falco__drops__request__descriptor,
		.response_type = &falco__drops__response__descriptor,
		.on_open = drops_open,
		.on_writable = drops_writable,
		.on_close = drops_close,
		.user = m,
		.max_queued = m->stream_queue,
		.method_class = FAPI_METHOD_READ,
		.permission = "drops.watch",
	};
	return m->host->register_server_stream(m->ctx, &drops, err, errlen);
}

static int drops_start(void *state, char *err, size_t errlen)
{
	drops_module *m = state;
	return drops_ticker_start(m, err, errlen) < 0 ? FAPI_EINVAL : FAPI_OK;
}

static void drops_stop(void *state)
{
	drops_ticker_stop(state);
}

static void drops_destroy(void *state)
{
	drops_module *m = state;
	drops_ticker_stop(m);
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->cv);
	free(m);
}

FAPI_MODULE_DEFINE(.name = "drops", .version = "1.0.0",
		   .description = "loss reports: kernel drops, queue drops, rate-limited alerts, as a stream",
		   .init = drops_init, .register_rpcs = drops_register, .start = drops_start, .stop = drops_stop,
		   .destroy = drops_destroy);
