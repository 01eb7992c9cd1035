/* The inputs module's own counters on /metrics and in the metrics
 * snapshots: requests answered and events accepted and rejected, per way
 * in (gRPC stream or webhook), and what waits now. An "event" is what the
 * inputs API calls one: a JSON text (a k8s_audit EventList counts once),
 * so these match the accepted and rejected counts of the responses. Losses (events of a
 * client gone before they were evaluated) are not repeated here: the
 * core shows them with every other loss source (falcosecurity_apid_losses_total
 * {kind="input_queue",name="inputs"}). */

#include "inputs_module.h"

static const char *const inputs_path_names[INPUTS_PATHS] = {"grpc", "webhook"};

void inputs_metrics_count(inputs_module *m, inputs_path path, uint64_t accepted, uint64_t rejected)
{
	atomic_fetch_add_explicit(&m->counters.requests[path], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->counters.accepted[path], accepted, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->counters.rejected[path], rejected, memory_order_relaxed);
}

static void inputs_metrics_per_path(const inputs_module *m, fapi_metrics_writer *w, const char *name,
				    const char *help, const atomic_uint_fast64_t *v)
{
	m->host->metrics_family(w, name, FAPI_METRIC_COUNTER, help);
	for (int p = 0; p < INPUTS_PATHS; p++) {
		const char *labels[] = {"path", inputs_path_names[p]};
		m->host->metrics_sample_u64(w, name, labels, 1, atomic_load_explicit(&v[p], memory_order_relaxed));
	}
}

static void inputs_metrics_gauge(const inputs_module *m, fapi_metrics_writer *w, const char *name,
				 const char *help, uint64_t v)
{
	m->host->metrics_family(w, name, FAPI_METRIC_GAUGE, help);
	m->host->metrics_sample_u64(w, name, NULL, 0, v);
}

void inputs_metrics_collect(fapi_metrics_writer *w, void *user)
{
	inputs_module *m = user;
	inputs_metrics_per_path(m, w, "falcosecurity_apid_inputs_requests_total",
				"Input requests answered: gRPC inputs responses and k8s audit webhook POSTs",
				m->counters.requests);
	inputs_metrics_per_path(m, w, "falcosecurity_apid_inputs_events_accepted_total",
				"Input events accepted and evaluated, counted as the inputs API counts them: one per JSON text "
				"(an EventList counts once)", m->counters.accepted);
	inputs_metrics_per_path(m, w, "falcosecurity_apid_inputs_events_rejected_total",
				"Input events rejected with a reason (not JSON, not an event of the source, "
				"unknown source, too large)",
				m->counters.rejected);
	/* A short copy under the budget's lock, which no evaluation holds. */
	uint64_t events, bytes, paused = 0;
	pthread_mutex_lock(&m->mu);
	events = m->events;
	bytes = m->bytes;
	for (const inputs_stream *s = m->paused; s; s = inputs_stream_next_paused(s))
		paused++;
	pthread_mutex_unlock(&m->mu);
	inputs_metrics_gauge(m, w, "falcosecurity_apid_inputs_streams", "gRPC inputs streams open now",
			     atomic_load_explicit(&m->counters.streams, memory_order_relaxed));
	m->host->metrics_family(w, "falcosecurity_apid_inputs_read_pauses_total", FAPI_METRIC_COUNTER,
				"Times a gRPC inputs stream stopped being read because the queue was full "
				"(gRPC flow control then holds its client)");
	m->host->metrics_sample_u64(w, "falcosecurity_apid_inputs_read_pauses_total", NULL, 0,
				    atomic_load_explicit(&m->counters.pauses, memory_order_relaxed));
	inputs_metrics_gauge(m, w, "falcosecurity_apid_inputs_paused_streams",
			     "gRPC inputs streams whose reads wait for room in the queue", paused);
	inputs_metrics_gauge(m, w, "falcosecurity_apid_inputs_queued_events",
			     "Input events submitted and not yet evaluated", events);
	inputs_metrics_gauge(m, w, "falcosecurity_apid_inputs_queued_bytes",
			     "Bytes of the input events submitted and not yet evaluated", bytes);
	inputs_metrics_gauge(m, w, "falcosecurity_apid_inputs_queue_capacity_events",
			     "queue_capacity.events of the inputs module", m->cap_events);
	inputs_metrics_gauge(m, w, "falcosecurity_apid_inputs_queue_capacity_bytes",
			     "queue_capacity.bytes of the inputs module", m->cap_bytes);
}
