/* The outputs module: every alert to every subscriber, filtered, never
 * slowing the engine.
 *   /falco.api.streaming/outputs  server streaming, filtered by the request;
 *   /falco.outputs.service/get    Falco's: the alerts kept since the last get;
 *   /falco.outputs.service/sub    Falco's: alerts as they come (bidirectional).
 * Falco's two are served when grpc_output.enabled is true. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/fapi.h"
#include "outputs.pb-c.h"
#include "outputs_module.h"
#include "outputs_stream.h"

#define OUTPUTS_DEFAULT_CAPACITY 1024
#define OUTPUTS_DEFAULT_FALCO_CAPACITY 10000
#define OUTPUTS_DEFAULT_MAX_SUBSCRIBERS 256
#define OUTPUTS_DEFAULT_MAX_PER_IDENTITY 32
#define OUTPUTS_DEFAULT_MAX_FILTER_ITEMS 1024
#define OUTPUTS_DEFAULT_MAX_FILTER_BYTES 65536
/* gRPC's own queue per stream stays short: the subscription's queue is
 * where alerts wait, and where they are dropped when the client is slow. */
#define OUTPUTS_GRPC_QUEUE 64

static bool outputs_filter_cb(const fapi_alert_view *a, void *user)
{
	outputs_stream *st = user;
	return outputs_filter_match(&st->filter, a);
}

static void outputs_notify_cb(fapi_alert_sub *sub, void *user)
{
	(void)sub;
	outputs_stream *st = user;
	/* The engine's thread: hand the writing to a gRPC thread. With a write
	 * in flight there is nothing to do: its completion pumps anyway. */
	if (st->m->host->stream_queued(st->stream) == 0)
		st->m->host->stream_wake(st->stream);
}

static outputs_stream *outputs_stream_new(outputs_module *m, fapi_stream *stream)
{
	outputs_stream *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->m = m;
	st->stream = stream;
	pthread_mutex_init(&st->mu, NULL);
	return st;
}

/* Who a subscriber counts as for max_subscribers_per_identity: the unix
 * peer's uid, or the client certificate's CN (subject when it has none),
 * from the host's identities (ABI 1.3); else the peer's address as gRPC
 * gives it (one per TCP connection). */
static void outputs_identity(const outputs_module *m, const fapi_peer *peer, char *out, size_t len)
{
	fapi_identity id;
	memset(&id, 0, sizeof(id));
	id.size = sizeof(id);
	if (peer && FAPI_HOST_HAS(m->host, peer_identity) && m->host->peer_identity(peer, &id) == FAPI_OK) {
		if (id.has_unix_creds) {
			snprintf(out, len, "unix uid %u", id.uid);
			return;
		}
		if (id.has_cert) {
			snprintf(out, len, "certificate %s", *id.common_name ? id.common_name : id.subject);
			return;
		}
	}
	snprintf(out, len, "%s", peer && peer->address && peer->address[0] ? peer->address : "local");
}

/* Lists the stream among the module's subscribers, within the limits.
 * Returns its id (> 0), or 0 with RESOURCE_EXHAUSTED's message in msg. */
static unsigned long outputs_admit(outputs_stream *st, const fapi_peer *peer, char *msg, size_t msglen)
{
	outputs_module *m = st->m;
	outputs_identity(m, peer, st->identity, sizeof(st->identity));
	pthread_mutex_lock(&m->mu);
	size_t total = 0, same = 0;
	for (const outputs_stream *o = m->streams; o; o = o->next) {
		total++;
		same += strcmp(o->identity, st->identity) == 0;
	}
	unsigned long id = 0;
	if (total >= m->max_subscribers)
		snprintf(msg, msglen, "too many subscribers: %zu open, max_subscribers is %zu", total,
			 m->max_subscribers);
	else if (same >= m->max_per_identity)
		snprintf(msg, msglen, "too many subscribers from %s: %zu open, max_subscribers_per_identity is %zu",
			 st->identity, same, m->max_per_identity);
	else {
		id = ++m->next_id;
		st->next = m->streams;
		m->streams = st;
		st->listed = true;
	}
	pthread_mutex_unlock(&m->mu);
	return id;
}

/* Subscribes the stream; its filter must be set. */
static fapi_status_code outputs_stream_subscribe(outputs_stream *st, const fapi_peer *peer, const char *kind,
						 char *msg, size_t msglen)
{
	outputs_module *m = st->m;
	char name[256];
	unsigned long id = outputs_admit(st, peer, msg, msglen);
	if (!id)
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	snprintf(name, sizeof(name), "%s#%lu(%s)", kind, id, peer && peer->address[0] ? peer->address : "local");
	fapi_alert_sub_opts o = FAPI_ALERT_SUB_OPTS_INIT;
	o.capacity = m->capacity;
	o.filter = outputs_filter_cb;
	o.notify = outputs_notify_cb;
	o.user = st;
	o.name = name;
	/* The engine may notify (and a gRPC thread pump) before alert_subscribe
	 * returns: the stream only pumps once `sub` is stored. */
	fapi_alert_sub *sub = NULL;
	int rc = m->host->alert_subscribe(m->ctx, &o, &sub, msg, msglen);
	if (rc == FAPI_EUNSUPPORTED)
		return FAPI_STATUS_FAILED_PRECONDITION;
	if (rc != FAPI_OK)
		return FAPI_STATUS_INTERNAL;
	pthread_mutex_lock(&st->mu);
	st->sub = sub;
	st->ready = true;
	pthread_mutex_unlock(&st->mu);
	m->host->stream_wake(st->stream);
	return FAPI_STATUS_OK;
}

static void outputs_stream_free(outputs_stream *st)
{
	outputs_module *m = st->m;
	pthread_mutex_lock(&m->mu);
	for (outputs_stream **p = &m->streams; *p; p = &(*p)->next) {
		if (*p == st) {
			*p = st->next;
			break;
		}
	}
	pthread_mutex_unlock(&m->mu);
	/* After this no notify can reach the stream. */
	m->host->alert_unsubscribe(st->sub);
	if (st->held)
		m->host->alert_release(st->held);
	outputs_filter_free(&st->filter);
	pthread_mutex_destroy(&st->mu);
	free(st);
}

static fapi_status_code outputs_open(fapi_stream *stream, const ProtobufCMessage *request, const fapi_peer *peer,
				     void *user, char *msg, size_t msglen)
{
	outputs_module *m = user;
	outputs_stream *st = outputs_stream_new(m, stream);
	if (!st) {
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	m->host->stream_set_user(stream, st);
	fapi_status_code rc =
		outputs_filter_init(&st->filter, (const Falco__Outputs__Request *)request, &m->limits, msg, msglen);
	if (rc == FAPI_STATUS_OK)
		rc = outputs_stream_subscribe(st, peer, "outputs", msg, msglen);
	return rc;
}

static fapi_status_code outputs_falco_sub_open(fapi_stream *stream, const ProtobufCMessage *request,
					       const fapi_peer *peer, void *user, char *msg, size_t msglen)
{
	(void)request;
	outputs_module *m = user;
	outputs_stream *st = outputs_stream_new(m, stream);
	if (!st) {
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	m->host->stream_set_user(stream, st);
	return outputs_stream_subscribe(st, peer, "falco-sub", msg, msglen);
}

/* Falco's clients send keep-alive requests on sub: accepted, ignored. */
static fapi_status_code outputs_falco_sub_read(fapi_stream *stream, const ProtobufCMessage *message, void *user,
					       char *msg, size_t msglen)
{
	(void)stream, (void)message, (void)user, (void)msg, (void)msglen;
	return FAPI_STATUS_OK;
}

static void outputs_falco_sub_read_end(fapi_stream *stream, void *user)
{
	outputs_module *m = user;
	m->host->stream_finish(stream, FAPI_STATUS_OK, NULL);
}

static fapi_status_code outputs_falco_get_open(fapi_stream *stream, const ProtobufCMessage *request,
					       const fapi_peer *peer, void *user, char *msg, size_t msglen)
{
	(void)request;
	outputs_module *m = user;
	outputs_stream *st = outputs_stream_new(m, stream);
	if (!st) {
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	st->falco_get = true;
	m->host->stream_set_user(stream, st);
	if (!outputs_admit(st, peer, msg, msglen))
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	pthread_mutex_lock(&st->mu);
	st->ready = true;
	pthread_mutex_unlock(&st->mu);
	m->host->stream_wake(stream);
	return FAPI_STATUS_OK;
}

static void outputs_writable(fapi_stream *stream, void *user)
{
	outputs_module *m = user;
	outputs_stream *st = m->host->stream_user(stream);
	if (st)
		outputs_stream_pump(st);
}

/* Falco's get and sub end with OK at shutdown, as in Falco, once the
 * alerts queued for them are sent. */
static void outputs_falco_shutdown(fapi_stream *stream, void *user)
{
	outputs_module *m = user;
	outputs_stream *st = m->host->stream_user(stream);
	if (st)
		outputs_stream_drain(st);
	else
		m->host->stream_finish(stream, FAPI_STATUS_OK, NULL);
}

static void outputs_close(fapi_stream *stream, fapi_status_code why, void *user)
{
	(void)why;
	outputs_module *m = user;
	outputs_stream *st = m->host->stream_user(stream);
	if (st)
		outputs_stream_free(st);
}

static int outputs_config_size(outputs_module *m, const char *key, int64_t def, size_t *out, char *err,
			       size_t errlen)
{
	int64_t v;
	int rc = m->host->config_int(m->host->config(m->ctx), key, def, &v, err, errlen);
	if (rc == FAPI_EINVAL)
		return rc;
	if (v < 1 || v > (1 << 24)) {
		snprintf(err, errlen, "%s must be between 1 and %d", key, 1 << 24);
		return FAPI_EINVAL;
	}
	*out = (size_t)v;
	return FAPI_OK;
}

static int outputs_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	if (!FAPI_HOST_HAS(host, stream_wake)) {
		snprintf(err, errlen, "needs a host with module ABI 1.1 or later");
		return FAPI_EUNSUPPORTED;
	}
	outputs_module *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	m->ctx = ctx;
	m->host = host;
	pthread_mutex_init(&m->mu, NULL);
	pthread_mutex_init(&m->falco_mu, NULL);
	*state = m;
	int rc = outputs_config_size(m, "queue_capacity", OUTPUTS_DEFAULT_CAPACITY, &m->capacity, err, errlen);
	if (rc == FAPI_OK)
		rc = outputs_config_size(m, "falco_queue_capacity", OUTPUTS_DEFAULT_FALCO_CAPACITY, &m->falco_capacity,
					 err, errlen);
	if (rc == FAPI_OK)
		rc = outputs_config_size(m, "max_subscribers", OUTPUTS_DEFAULT_MAX_SUBSCRIBERS, &m->max_subscribers,
					 err, errlen);
	if (rc == FAPI_OK)
		rc = outputs_config_size(m, "max_subscribers_per_identity", OUTPUTS_DEFAULT_MAX_PER_IDENTITY,
					 &m->max_per_identity, err, errlen);
	if (rc == FAPI_OK)
		rc = outputs_config_size(m, "max_filter_items", OUTPUTS_DEFAULT_MAX_FILTER_ITEMS, &m->limits.max_items,
					 err, errlen);
	if (rc == FAPI_OK)
		rc = outputs_config_size(m, "max_filter_bytes", OUTPUTS_DEFAULT_MAX_FILTER_BYTES, &m->limits.max_bytes,
					 err, errlen);
	if (rc == FAPI_OK && host->config_bool(host->config_root(ctx), "grpc_output.enabled", true,
					       &m->falco_methods, err, errlen) == FAPI_EINVAL)
		rc = FAPI_EINVAL;
	if (rc != FAPI_OK) {
		pthread_mutex_destroy(&m->mu);
		pthread_mutex_destroy(&m->falco_mu);
		free(m);
	}
	return rc;
}

static int outputs_register(void *state, char *err, size_t errlen)
{
	outputs_module *m = state;
	fapi_stream_method outputs = FAPI_STREAM_METHOD_INIT;
	outputs.path = "/falco.api.streaming/outputs";
	outputs.request_type = &falco__outputs__request__descriptor;
	outputs.response_type = &falco__outputs__response__descriptor;
	outputs.on_open = outputs_open;
	outputs.on_writable = outputs_writable;
	outputs.on_close = outputs_close;
	outputs.user = m;
	outputs.max_queued = OUTPUTS_GRPC_QUEUE;
	outputs.method_class = FAPI_METHOD_READ;
	int rc = m->host->register_server_stream(m->ctx, &outputs, err, errlen);
	if (rc != FAPI_OK || !m->falco_methods)
		return rc;
	fapi_stream_method get = outputs;
	get.path = "/falco.outputs.service/get";
	get.on_open = outputs_falco_get_open;
	get.on_shutdown = outputs_falco_shutdown;
	rc = m->host->register_server_stream(m->ctx, &get, err, errlen);
	if (rc != FAPI_OK)
		return rc;
	fapi_stream_method sub = outputs;
	sub.path = "/falco.outputs.service/sub";
	sub.on_open = outputs_falco_sub_open;
	sub.on_read = outputs_falco_sub_read;
	sub.on_read_end = outputs_falco_sub_read_end;
	sub.on_shutdown = outputs_falco_shutdown;
	return m->host->register_bidi_stream(m->ctx, &sub, err, errlen);
}

static int outputs_start(void *state, char *err, size_t errlen)
{
	outputs_module *m = state;
	if (!m->falco_methods)
		return FAPI_OK;
	/* Falco's get returns what came since the previous get: keep it in a
	 * subscription of our own, from the start. */
	fapi_alert_sub_opts o = FAPI_ALERT_SUB_OPTS_INIT;
	o.capacity = m->falco_capacity;
	o.name = "falco-get-queue";
	int rc = m->host->alert_subscribe(m->ctx, &o, &m->falco_sub, err, errlen);
	if (rc == FAPI_EUNSUPPORTED) {
		m->host->log(m->ctx, FAPI_LOG_WARNING, "no engine runs: alert streams will end with FAILED_PRECONDITION");
		return FAPI_OK;
	}
	return rc;
}

static void outputs_destroy(void *state)
{
	outputs_module *m = state;
	/* Only now: Falco's get streams drain this queue until the server
	 * has shut down. */
	m->host->alert_unsubscribe(m->falco_sub);
	pthread_mutex_destroy(&m->mu);
	pthread_mutex_destroy(&m->falco_mu);
	free(m);
}

#define OUTPUTS_STR_(x) #x
#define OUTPUTS_STR(x) OUTPUTS_STR_(x)
#define OUTPUTS_KEY(p, d, desc)                                                                              \
	FAPI_CONFIG_KEY_INIT(.path = (p), .type = FAPI_CONFIG_INT, .def = OUTPUTS_STR(d), .min = 1, .max = 1 << 24, \
			     .reload = FAPI_CONFIG_RESTART, .description = (desc))

/* The keys of modules[outputs].config: the host checks them before init. */
static const fapi_config_key outputs_keys[] = {
	OUTPUTS_KEY("queue_capacity", OUTPUTS_DEFAULT_CAPACITY, "alerts queued per outputs stream"),
	OUTPUTS_KEY("falco_queue_capacity", OUTPUTS_DEFAULT_FALCO_CAPACITY, "alerts kept for Falco's get and sub"),
	OUTPUTS_KEY("max_subscribers", OUTPUTS_DEFAULT_MAX_SUBSCRIBERS, "streams open at once"),
	OUTPUTS_KEY("max_subscribers_per_identity", OUTPUTS_DEFAULT_MAX_PER_IDENTITY, "streams open at once per caller"),
	OUTPUTS_KEY("max_filter_items", OUTPUTS_DEFAULT_MAX_FILTER_ITEMS, "items of one stream's filter"),
	OUTPUTS_KEY("max_filter_bytes", OUTPUTS_DEFAULT_MAX_FILTER_BYTES, "bytes of one stream's filter"),
};

FAPI_MODULE_DEFINE(.name = "outputs", .version = "1.0.0",
		   .description = "alert streams: filtered fan-out, Falco's get and sub",
		   .init = outputs_init, .register_rpcs = outputs_register, .start = outputs_start,
		   .destroy = outputs_destroy, .config_keys = outputs_keys,
		   .config_key_count = sizeof(outputs_keys) / sizeof(outputs_keys[0]));
