/* The inputs module: clients stream events to the engine and get every
 * request acknowledged.
 *   /falco.api.bidirectional/inputs  bidirectional (proto/inputs.proto):
 *   each request (id, source, events) is answered, in order, with how many
 *   events were accepted, each rejected one's index and reason, and on
 *   request the alerts those events raised.
 * Events wait in the host's input queue (fapi/input.h); the module bounds
 * what is in flight (queue_capacity.events and .bytes) and pauses reading
 * the streams while it is full, so fast clients are slowed by gRPC flow
 * control instead of losing events.
 *   POST webserver.k8s_audit_endpoint (default /k8s-audit) on the core's
 *   web server: Falco 0.31's k8s audit webhook, same queue and budget. */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "inputs.pb-c.h"
#include "inputs_module.h"

#define INPUTS_STR_(x) #x
#define INPUTS_STR(x) INPUTS_STR_(x)
#define INPUTS_DEFAULT_EVENTS 100000
#define INPUTS_DEFAULT_BYTES 67108864

static const fapi_config_key inputs_keys[] = {
	FAPI_CONFIG_KEY_INIT(.path = "queue_capacity.events", .type = FAPI_CONFIG_INT,
			     .def = INPUTS_STR(INPUTS_DEFAULT_EVENTS), .min = 1, .max = 1 << 26,
			     .reload = FAPI_CONFIG_RESTART,
			     .description = "events submitted and not yet evaluated, over every stream"),
	FAPI_CONFIG_KEY_INIT(.path = "queue_capacity.bytes", .type = FAPI_CONFIG_INT,
			     .def = INPUTS_STR(INPUTS_DEFAULT_BYTES), .min = 1024, .max = 1ll << 34,
			     .reload = FAPI_CONFIG_RESTART,
			     .description = "bytes of those events; a bigger event is rejected as too large"),
	/* Read by the core, not by this module: the rules of these sources are
	 * compiled before modules load (core/daemon/json_sources_config.h). */
	FAPI_CONFIG_KEY_INIT(.path = "sources", .type = FAPI_CONFIG_TREE, .reload = FAPI_CONFIG_RESTART,
			     .description = "declared JSON sources, read by the core at start-up: a list of {name, "
					    "time_pointer (optional), fields: [{name, pointer, type (string, uint64, "
					    "int64, bool), description}]}"),
};

static int inputs_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	if (!FAPI_HOST_HAS(host, stream_audit)) {
		snprintf(err, errlen, "needs a host with module ABI 1.5 event input");
		return FAPI_EUNSUPPORTED;
	}
	inputs_module *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	m->ctx = ctx;
	m->host = host;
	int64_t ev = 0, by = 0;
	const fapi_config *c = host->config(ctx);
	if (host->config_int(c, "queue_capacity.events", INPUTS_DEFAULT_EVENTS, &ev, err, errlen) == FAPI_EINVAL ||
	    host->config_int(c, "queue_capacity.bytes", INPUTS_DEFAULT_BYTES, &by, err, errlen) == FAPI_EINVAL) {
		free(m);
		return FAPI_EINVAL;
	}
	m->cap_events = (uint64_t)ev;
	m->cap_bytes = (uint64_t)by;
	const fapi_config *root = host->config_root(ctx);
	if (host->config_string(root, "webserver.k8s_audit_endpoint", "/k8s-audit", &m->endpoint, err, errlen) ==
	    FAPI_EINVAL) {
		free(m);
		return FAPI_EINVAL;
	}
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->room, &ca);
	pthread_condattr_destroy(&ca);
	*state = m;
	return FAPI_OK;
}

static int inputs_register(void *state, char *err, size_t errlen)
{
	inputs_module *m = state;
	fapi_stream_method inputs = FAPI_STREAM_METHOD_INIT;
	inputs.path = "/falco.api.bidirectional/inputs";
	inputs.request_type = &falco__inputs__request__descriptor;
	inputs.response_type = &falco__inputs__response__descriptor;
	inputs.on_open = inputs_stream_open;
	inputs.on_read = inputs_stream_read;
	inputs.on_read_end = inputs_stream_read_end;
	inputs.on_writable = inputs_stream_writable;
	inputs.on_close = inputs_stream_close;
	inputs.user = m;
	inputs.max_queued = 4096;
	inputs.method_class = FAPI_METHOD_WRITE;
	inputs.permission = "inputs.send";
	int rc = m->host->register_bidi_stream(m->ctx, &inputs, err, errlen);
	if (rc != FAPI_OK)
		return rc;
	/* Falco's k8s audit webhook, on the core's web server. */
	fapi_http_route hook = FAPI_HTTP_ROUTE_INIT;
	hook.method = "POST";
	hook.path = m->endpoint;
	hook.handler = inputs_webhook;
	hook.user = m;
	rc = m->host->http_route_register(m->ctx, &hook, err, errlen);
	if (rc != FAPI_OK)
		return rc;
	fapi_metrics_collector mc = FAPI_METRICS_COLLECTOR_INIT;
	mc.name = "inputs";
	mc.collect = inputs_metrics_collect;
	mc.user = m;
	return m->host->metrics_collector_register(m->ctx, &mc, err, errlen);
}

static int inputs_start(void *state, char *err, size_t errlen)
{
	inputs_module *m = state;
	fapi_loss_input_opts o = FAPI_LOSS_INPUT_OPTS_INIT;
	o.name = "inputs";
	o.capacity = m->cap_events;
	return m->host->loss_input_register(m->ctx, &o, &m->loss, err, errlen);
}

static void inputs_destroy(void *state)
{
	inputs_module *m = state;
	m->host->loss_input_unregister(m->loss);
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->room);
	free(m);
}

FAPI_MODULE_DEFINE(.name = "inputs", .version = "1.0.0",
		   .description = "event input: JSON events streamed to the engine, acknowledged, with backpressure",
		   .init = inputs_init, .register_rpcs = inputs_register, .start = inputs_start,
		   .destroy = inputs_destroy, .config_keys = inputs_keys,
		   .config_key_count = sizeof(inputs_keys) / sizeof(inputs_keys[0]));
