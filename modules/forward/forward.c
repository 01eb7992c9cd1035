/* The forward module: every alert its filter accepts, published to NATS
 * JetStream (subject from a template, Nats-Msg-Id hostname:boot_id:seq so
 * republished alerts are deduplicated), never slowing the engine: the
 * bus subscription is the bounded queue (queue_capacity alerts,
 * queue_bytes bytes) where alerts wait while NATS is down, dropping (and
 * counting, on the drops stream) the oldest when full.
 * Built only on the SDK (fapi/ and libfalco-apid-sdk.a). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/fapi.h"
#include "forward_body.h"
#include "forward_module.h"

static bool forward_filter_cb(const fapi_alert_view *a, void *user)
{
	forward_module *m = user;
	return fapi_sdk_filter_match(&m->filter, a);
}

static void forward_notify_cb(fapi_alert_sub *sub, void *user)
{
	(void)sub;
	forward_module *m = user;
	/* The engine's thread. While the publisher is busy (it polls between
	 * batches) this is two atomics: no lock, no futex wake-up per batch.
	 * When it sleeps, the lock (held only for flags, never across a call
	 * into nats.c) makes the signal impossible to lose; a trylock here lost
	 * wake-ups and cost 100 ms at p99. */
	atomic_store(&m->wake, true);
	if (!atomic_load(&m->sleeping))
		return;
	pthread_mutex_lock(&m->mu);
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

static int forward_str(forward_module *m, const char *key, const char **out, char *err, size_t errlen)
{
	int rc = m->host->config_string(m->host->config(m->ctx), key, NULL, out, err, errlen);
	if (rc == FAPI_ENOTFOUND) {
		*out = NULL;
		return FAPI_OK;
	}
	if (rc == FAPI_OK && *out && !**out)
		*out = NULL;
	return rc;
}

/* A list of strings (a single string counts as one). */
static int forward_list(forward_module *m, const char *key, const char **out, size_t max, size_t *n, char *err,
			size_t errlen)
{
	const fapi_config *node = m->host->config_get(m->host->config(m->ctx), key);
	*n = 0;
	if (!node)
		return FAPI_OK;
	size_t count = m->host->config_count(node);
	if (count == 0)
		return forward_str(m, key, out, err, errlen) == FAPI_OK && (*n = *out ? 1 : 0, true) ? FAPI_OK
												   : FAPI_EINVAL;
	if (count > max) {
		snprintf(err, errlen, "%s: %zu items, at most %zu", key, count, max);
		return FAPI_EINVAL;
	}
	for (size_t i = 0; i < count; i++) {
		char path[64];
		snprintf(path, sizeof(path), "[%zu]", i);
		int rc = m->host->config_string(node, path, NULL, &out[i], err, errlen);
		if (rc != FAPI_OK)
			return FAPI_EINVAL;
	}
	*n = count;
	return FAPI_OK;
}

static void forward_boot_id(forward_module *m)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (!f || !fgets(m->boot_id, sizeof(m->boot_id), f))
		snprintf(m->boot_id, sizeof(m->boot_id), "noboot");
	if (f)
		fclose(f);
	m->boot_id[strcspn(m->boot_id, "\n")] = 0;
}

static int forward_read_config(forward_module *m, char *err, size_t errlen)
{
	const fapi_config *c = m->host->config(m->ctx);
	int rc = forward_list(m, "servers", m->servers, FORWARD_MAX_SERVERS, &m->nservers, err, errlen);
	if (rc == FAPI_OK && m->nservers == 0) {
		m->servers[0] = "nats://127.0.0.1:4222";
		m->nservers = 1;
	}
	if (rc == FAPI_OK)
		rc = forward_str(m, "tls.ca", &m->tls_ca, err, errlen);
	if (rc == FAPI_OK)
		rc = forward_str(m, "tls.cert", &m->tls_cert, err, errlen);
	if (rc == FAPI_OK)
		rc = forward_str(m, "tls.key", &m->tls_key, err, errlen);
	if (rc == FAPI_OK)
		rc = forward_str(m, "user", &m->user, err, errlen);
	if (rc == FAPI_OK)
		rc = forward_str(m, "password", &m->password, err, errlen);
	if (rc == FAPI_OK)
		rc = forward_str(m, "token", &m->token, err, errlen);
	if (rc == FAPI_OK)
		rc = forward_str(m, "creds", &m->creds, err, errlen);
	if (rc == FAPI_OK)
		rc = forward_str(m, "hostname", &m->hostname, err, errlen);
	if (rc == FAPI_OK)
		rc = m->host->config_string(c, "subject", "falco.alerts.{hostname}.{priority}", &m->subject, err, errlen);
	if (rc == FAPI_OK || rc == FAPI_ENOTFOUND)
		rc = m->host->config_string(c, "stream", "FALCO", &m->stream, err, errlen);
	if (rc == FAPI_OK || rc == FAPI_ENOTFOUND)
		rc = m->host->config_bool(c, "create_stream", false, &m->create_stream, err, errlen);
	if (rc == FAPI_OK || rc == FAPI_ENOTFOUND)
		rc = m->host->config_bool(c, "required", false, &m->required, err, errlen);
	if (rc == FAPI_OK || rc == FAPI_ENOTFOUND)
		rc = m->host->config_int(c, "stream_max_msgs", 1000000, &m->stream_max_msgs, err, errlen);
	if (rc == FAPI_OK || rc == FAPI_ENOTFOUND)
		rc = m->host->config_int(c, "queue_capacity", 100000, &m->queue_capacity, err, errlen);
	if (rc == FAPI_OK || rc == FAPI_ENOTFOUND)
		rc = m->host->config_int(c, "queue_bytes", 256 << 20, &m->queue_bytes, err, errlen);
	if (rc == FAPI_OK || rc == FAPI_ENOTFOUND)
		rc = m->host->config_int(c, "max_pending", 65536, &m->max_pending, err, errlen);
	if (rc == FAPI_OK || rc == FAPI_ENOTFOUND)
		rc = m->host->config_int(c, "ack_wait_ms", 5000, &m->ack_wait_ms, err, errlen);
	if (rc == FAPI_OK || rc == FAPI_ENOTFOUND)
		rc = m->host->config_int(c, "nice", 10, &m->nice, err, errlen);
	if (rc == FAPI_ENOTFOUND)
		rc = FAPI_OK;
	if (rc != FAPI_OK)
		return rc;
	if (!m->subject || !*m->subject || strchr(m->subject, ' ')) {
		snprintf(err, errlen, "subject: a NATS subject template without spaces is required");
		return FAPI_EINVAL;
	}
	if ((m->tls_cert == NULL) != (m->tls_key == NULL)) {
		snprintf(err, errlen, "tls.cert and tls.key go together");
		return FAPI_EINVAL;
	}
	if ((m->user != NULL) + (m->token != NULL) + (m->creds != NULL) > 1) {
		snprintf(err, errlen, "user/password, token and creds exclude each other: give one");
		return FAPI_EINVAL;
	}
	for (const char *const *f = (const char *const[]){m->tls_ca, m->tls_cert, m->tls_key, m->creds}, *const *end = f + 4;
	     f < end; f++) {
		FILE *fp = *f ? fopen(*f, "r") : NULL;
		if (*f && !fp) {
			snprintf(err, errlen, "cannot read %s", *f);
			return FAPI_EINVAL;
		}
		if (fp)
			fclose(fp);
	}

	/* The filter, as the outputs request gives it. */
	const char *rules[FORWARD_MAX_FILTER], *tags_any[FORWARD_MAX_FILTER], *tags_all[FORWARD_MAX_FILTER],
		*sources[FORWARD_MAX_FILTER], *prio = NULL;
	fapi_sdk_filter_spec spec = {0};
	rc = forward_list(m, "filter.rules", rules, FORWARD_MAX_FILTER, &spec.n_rules, err, errlen);
	if (rc == FAPI_OK)
		rc = forward_list(m, "filter.tags_any", tags_any, FORWARD_MAX_FILTER, &spec.n_tags_any, err, errlen);
	if (rc == FAPI_OK)
		rc = forward_list(m, "filter.tags_all", tags_all, FORWARD_MAX_FILTER, &spec.n_tags_all, err, errlen);
	if (rc == FAPI_OK)
		rc = forward_list(m, "filter.sources", sources, FORWARD_MAX_FILTER, &spec.n_sources, err, errlen);
	if (rc == FAPI_OK)
		rc = forward_str(m, "filter.min_priority", &prio, err, errlen);
	if (rc != FAPI_OK)
		return rc;
	if (prio) {
		spec.has_priority = true;
		/* Falco's names, any case; "info" as Falco's rules accept it. */
		for (spec.at_least = 0; spec.at_least < 8; spec.at_least++)
			if (strcasecmp(forward_body_priority_name((uint32_t)spec.at_least), prio) == 0)
				break;
		if (spec.at_least == 8 && strcasecmp(prio, "info") == 0)
			spec.at_least = 6;
		if (spec.at_least == 8) {
			snprintf(err, errlen, "filter.min_priority: unknown priority \"%s\"", prio);
			return FAPI_EINVAL;
		}
	}
	spec.rules = (char *const *)rules;
	spec.tags_any = (char *const *)tags_any;
	spec.tags_all = (char *const *)tags_all;
	spec.sources = (char *const *)sources;
	if (fapi_sdk_filter_init(&m->filter, &spec) < 0) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	return FAPI_OK;
}

static int forward_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	forward_module *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	m->ctx = ctx;
	m->host = host;
	int rc = forward_read_config(m, err, errlen);
	if (rc != FAPI_OK) {
		fapi_sdk_filter_free(&m->filter);
		free(m);
		return rc;
	}
	forward_boot_id(m);
	m->lat_ring = calloc(FORWARD_LAT_RING, sizeof(*m->lat_ring));
	if (!m->lat_ring) {
		fapi_sdk_filter_free(&m->filter);
		free(m);
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	pthread_mutex_init(&m->mu, NULL);
	pthread_mutex_init(&m->retry_mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_condattr_destroy(&ca);
	*state = m;
	return FAPI_OK;
}

/* No RPCs: the fleet is read from JetStream (fapictl fleet watch). */
static int forward_register(void *state, char *err, size_t errlen)
{
	(void)state;
	(void)err;
	(void)errlen;
	return FAPI_OK;
}

typedef struct forward_first {
	forward_module *m;
	int rc;
	char err[512];
} forward_first;

static void *forward_first_connect(void *arg)
{
	forward_first *f = arg;
	forward_nats_nice(f->m);
	f->rc = forward_nats_connect_once(f->m, f->err, sizeof(f->err));
	return NULL;
}

static int forward_start(void *state, char *err, size_t errlen)
{
	forward_module *m = state;
	if (m->required) {
		/* On a thread of its own, niced like the publisher: nats.c's
		 * threads for the connection inherit its priority. */
		forward_first f = {.m = m, .rc = FAPI_ENOMEM, .err = "cannot start a thread"};
		pthread_t t;
		if (pthread_create(&t, NULL, forward_first_connect, &f) == 0)
			pthread_join(t, NULL);
		if (f.rc != FAPI_OK) {
			snprintf(err, errlen, "%s", f.err);
			return f.rc;
		}
	}
	fapi_alert_sub_opts o = FAPI_ALERT_SUB_OPTS_INIT;
	o.capacity = (size_t)m->queue_capacity;
	o.max_bytes = (size_t)m->queue_bytes;
	o.filter = forward_filter_cb;
	o.notify = forward_notify_cb;
	o.user = m;
	o.name = "forward";
	int rc = m->host->alert_subscribe(m->ctx, &o, &m->sub, err, errlen);
	if (rc != FAPI_OK)
		return rc;
	if (pthread_create(&m->thread, NULL, forward_nats_thread, m) != 0) {
		snprintf(err, errlen, "cannot start the publisher thread");
		return FAPI_ENOMEM;
	}
	m->thread_started = true;
	return FAPI_OK;
}

static void forward_stop(void *state)
{
	forward_module *m = state;
	if (!m->thread_started)
		return;
	pthread_mutex_lock(&m->mu);
	m->stopping = true;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	m->thread_started = false;
	uint64_t acked = atomic_load(&m->acked);
	uint64_t unacked = forward_nats_finish(m);
	uint64_t total = 0, run = 0, p50 = 0, p99 = 0;
	for (unsigned b = 0; b < FORWARD_LAT_BUCKETS; b++)
		total += atomic_load(&m->lat[b]);
	for (unsigned b = 0; b < FORWARD_LAT_BUCKETS && total; b++) {
		run += atomic_load(&m->lat[b]);
		if (!p50 && run * 2 >= total)
			p50 = 2ull << b;
		if (!p99 && run * 100 >= total * 99)
			p99 = 2ull << b;
	}
	m->host->log(m->ctx, FAPI_LOG_INFO,
		     "forwarded %llu alerts, %llu acknowledged, %llu retried, %llu failed; at stop %llu more "
		     "acknowledged, %llu not; creation to ack p50 < %llu us, p99 < %llu us",
		     (unsigned long long)atomic_load(&m->published), (unsigned long long)acked,
		     (unsigned long long)atomic_load(&m->retried), (unsigned long long)atomic_load(&m->failed),
		     (unsigned long long)(atomic_load(&m->acked) - acked), (unsigned long long)unacked,
		     (unsigned long long)p50, (unsigned long long)p99);
}

static void forward_destroy(void *state)
{
	forward_module *m = state;
	forward_stop(m);
	forward_nats_close(m);
	if (m->sub)
		m->host->alert_unsubscribe(m->sub);
	fapi_sdk_filter_free(&m->filter);
	pthread_mutex_destroy(&m->mu);
	pthread_mutex_destroy(&m->retry_mu);
	pthread_cond_destroy(&m->cv);
	free(m->lat_ring);
	free(m);
}

#define FORWARD_STR(p, d, desc)                                                                              \
	FAPI_CONFIG_KEY_INIT(.path = (p), .type = FAPI_CONFIG_STRING, .def = (d), .reload = FAPI_CONFIG_RESTART, \
			     .description = (desc))
#define FORWARD_INT(p, d, lo, hi, desc)                                                                      \
	FAPI_CONFIG_KEY_INIT(.path = (p), .type = FAPI_CONFIG_INT, .def = (d), .min = (lo), .max = (hi),     \
			     .reload = FAPI_CONFIG_RESTART, .description = (desc))
#define FORWARD_LIST(p, desc)                                                                                \
	FAPI_CONFIG_KEY_INIT(.path = (p), .type = FAPI_CONFIG_STRINGS, .def = "[]", .reload = FAPI_CONFIG_RESTART, \
			     .description = (desc))
#define FORWARD_BOOL(p, d, desc)                                                                             \
	FAPI_CONFIG_KEY_INIT(.path = (p), .type = FAPI_CONFIG_BOOL, .def = (d), .reload = FAPI_CONFIG_RESTART,   \
			     .description = (desc))

static const fapi_config_key forward_keys[] = {
	FORWARD_LIST("servers", "NATS server URLs (default nats://127.0.0.1:4222)"),
	FORWARD_STR("tls.ca", NULL, "CA file to verify the NATS server (enables TLS)"),
	FORWARD_STR("tls.cert", NULL, "client certificate file for NATS (with tls.key)"),
	FAPI_CONFIG_KEY_INIT(.path = "tls.key", .type = FAPI_CONFIG_STRING, .reload = FAPI_CONFIG_RESTART,
			     .flags = FAPI_CONFIG_SECRET, .description = "client private key file for NATS"),
	FORWARD_STR("user", NULL, "NATS user name (with password)"),
	FAPI_CONFIG_KEY_INIT(.path = "password", .type = FAPI_CONFIG_STRING, .reload = FAPI_CONFIG_RESTART,
			     .flags = FAPI_CONFIG_SECRET, .description = "NATS password"),
	FAPI_CONFIG_KEY_INIT(.path = "token", .type = FAPI_CONFIG_STRING, .reload = FAPI_CONFIG_RESTART,
			     .flags = FAPI_CONFIG_SECRET, .description = "NATS authentication token"),
	FAPI_CONFIG_KEY_INIT(.path = "creds", .type = FAPI_CONFIG_STRING, .reload = FAPI_CONFIG_RESTART,
			     .flags = FAPI_CONFIG_SECRET, .description = "NATS .creds file (JWT and nkey seed)"),
	FORWARD_STR("subject", "falco.alerts.{hostname}.{priority}",
		    "subject template: {hostname}, {priority}, {source}"),
	FORWARD_STR("stream", "FALCO", "JetStream stream the subjects belong to"),
	FORWARD_BOOL("create_stream", "false", "create the stream (subjects falco.alerts.>) when absent"),
	FORWARD_INT("stream_max_msgs", "1000000", 1, 1e12, "retention limit of a stream created by create_stream"),
	FORWARD_INT("queue_capacity", "100000", 1, 1 << 26, "alerts waiting for NATS before the oldest are dropped"),
	FORWARD_INT("queue_bytes", "268435456", 4096, 1e12,
		    "bytes of alerts waiting for NATS before the oldest are dropped; the alerts in flight "
		    "and awaiting a retry are held to the same bound"),
	FORWARD_INT("max_pending", "65536", 1, 1 << 22, "published alerts awaiting their JetStream ack"),
	FORWARD_INT("ack_wait_ms", "5000", 10, 600000, "time to wait for an ack before publishing again"),
	FORWARD_INT("nice", "10", 0, 19,
		    "scheduling niceness of the publisher and of nats.c's threads: above 0 the engine gets "
		    "the CPU first when both want it, and forwarding takes what is left"),
	FORWARD_STR("hostname", NULL, "node name in subjects, bodies and Msg-Ids (default: the alert's hostname)"),
	FORWARD_BOOL("required", "false", "fail start-up when NATS cannot be reached"),
	FORWARD_STR("filter.min_priority", NULL, "publish only alerts at least this priority"),
	FORWARD_LIST("filter.rules", "publish only these rules"),
	FORWARD_LIST("filter.tags_any", "publish only alerts with one of these tags"),
	FORWARD_LIST("filter.tags_all", "publish only alerts with all these tags"),
	FORWARD_LIST("filter.sources", "publish only alerts of these sources"),
};

FAPI_MODULE_DEFINE(.name = "forward", .version = "1.0.0",
		   .description = "fleet forwarding: alerts to NATS JetStream, acknowledged and deduplicated",
		   .init = forward_init, .register_rpcs = forward_register, .start = forward_start, .stop = forward_stop, .destroy = forward_destroy,
		   .config_keys = forward_keys, .config_key_count = sizeof(forward_keys) / sizeof(forward_keys[0]));
