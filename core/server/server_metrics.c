/* grpc_server_* counters per method. */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/metrics_text.h"
#include "server/server_metrics.h"
#include "server/service_table.h"

static const double server_metrics_bounds[SERVER_METRICS_BUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
								     0.5,   1,    2.5,   5,    10};

static const char *const server_metrics_code_names[SERVER_METRICS_CODES] = {
	"OK",		"Canceled",	     "Unknown",	 "InvalidArgument", "DeadlineExceeded", "NotFound",
	"AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
	"Unimplemented", "Internal",	     "Unavailable", "DataLoss",	"Unauthenticated"};

uint64_t server_metrics_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void server_metrics_started(server_method_stats *m, bool received)
{
	if (!m)
		return;
	atomic_fetch_add_explicit(&m->started, 1, memory_order_relaxed);
	if (received)
		atomic_fetch_add_explicit(&m->msg_received, 1, memory_order_relaxed);
}

void server_metrics_handled(server_method_stats *m, int code, uint64_t start_ns)
{
	if (!m)
		return;
	uint64_t ns = server_metrics_now() - start_ns;
	double s = (double)ns / 1e9;
	size_t b = 0;
	while (b < SERVER_METRICS_BUCKETS && s > server_metrics_bounds[b])
		b++;
	atomic_fetch_add_explicit(&m->handled[code >= 0 && code < SERVER_METRICS_CODES ? code : 2], 1,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_ns, ns, memory_order_relaxed);
}

/* "/falco.api.unary/rules_list" -> service "falco.api.unary", method "rules_list". */
static void server_metrics_split(const char *path, char *svc, size_t svclen, const char **method)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash && slash > path ? (size_t)(slash - path - 1) : 0;
	if (n >= svclen)
		n = svclen - 1;
	memcpy(svc, path + 1, n);
	svc[n] = 0;
	*method = slash ? slash + 1 : path;
}

static const char *server_metrics_type(service_kind k)
{
	return k == SERVICE_UNARY ? "unary" : k == SERVICE_SERVER_STREAM ? "server_stream" : "bidi_stream";
}

static const char *server_metrics_path(const service_entry *e)
{
	return e->kind == SERVICE_UNARY ? e->unary.path : e->stream.path;
}

/* which: 0 started, 1 received, 2 sent */
static void server_metrics_simple(const service_table *t, fapi_metrics_writer *w, const char *name,
				  const char *help, int which)
{
	metrics_text_family(w, name, FAPI_METRIC_COUNTER, help);
	for (size_t i = 0; i < t->count; i++) {
		const service_entry *e = &t->entries[i];
		if (!e->stats)
			continue;
		char svc[256];
		const char *method;
		server_metrics_split(server_metrics_path(e), svc, sizeof(svc), &method);
		const char *labels[] = {"grpc_method", method, "grpc_service", svc, "grpc_type", server_metrics_type(e->kind)};
		_Atomic uint64_t *v = which == 0 ? &e->stats->started : which == 1 ? &e->stats->msg_received
										  : &e->stats->msg_sent;
		metrics_text_sample_u64(w, name, labels, 3, atomic_load_explicit(v, memory_order_relaxed));
	}
}

void server_metrics_write(const service_table *t, fapi_metrics_writer *w)
{
	server_metrics_simple(t, w, "grpc_server_started_total", "Total number of RPCs started on the server.", 0);
	server_metrics_simple(t, w, "grpc_server_msg_received_total",
			      "Total number of RPC stream messages received on the server.", 1);
	server_metrics_simple(t, w, "grpc_server_msg_sent_total",
			      "Total number of gRPC stream messages sent by the server.", 2);
	const char *hname = "grpc_server_handled_total";
	metrics_text_family(w, hname, FAPI_METRIC_COUNTER,
			    "Total number of RPCs completed on the server, regardless of success or failure.");
	for (size_t i = 0; i < t->count; i++) {
		const service_entry *e = &t->entries[i];
		if (!e->stats)
			continue;
		char svc[256];
		const char *method;
		server_metrics_split(server_metrics_path(e), svc, sizeof(svc), &method);
		for (int c = 0; c < SERVER_METRICS_CODES; c++) {
			uint64_t v = atomic_load_explicit(&e->stats->handled[c], memory_order_relaxed);
			/* Only codes seen: 17 series per method would be mostly zeros. */
			if (!v && c != 0)
				continue;
			const char *labels[] = {"grpc_code",    server_metrics_code_names[c], "grpc_method", method,
						"grpc_service", svc, "grpc_type", server_metrics_type(e->kind)};
			metrics_text_sample_u64(w, hname, labels, 4, v);
		}
	}
	metrics_text_family(w, "grpc_server_handling_seconds", FAPI_METRIC_HISTOGRAM,
			    "Histogram of response latency (seconds) of gRPC that had been application-level handled "
			    "by the server.");
	for (size_t i = 0; i < t->count; i++) {
		const service_entry *e = &t->entries[i];
		if (!e->stats)
			continue;
		char svc[256], le[32];
		const char *method;
		server_metrics_split(server_metrics_path(e), svc, sizeof(svc), &method);
		uint64_t cum = 0;
		for (int b = 0; b <= SERVER_METRICS_BUCKETS; b++) {
			cum += atomic_load_explicit(&e->stats->buckets[b], memory_order_relaxed);
			if (b < SERVER_METRICS_BUCKETS)
				snprintf(le, sizeof(le), "%g", server_metrics_bounds[b]);
			else
				snprintf(le, sizeof(le), "+Inf");
			const char *labels[] = {"grpc_method", method, "grpc_service", svc,
						"grpc_type",   server_metrics_type(e->kind), "le", le};
			metrics_text_sample_u64(w, "grpc_server_handling_seconds_bucket", labels, 4, cum);
		}
		const char *labels[] = {"grpc_method", method, "grpc_service", svc, "grpc_type", server_metrics_type(e->kind)};
		metrics_text_sample(w, "grpc_server_handling_seconds_sum", labels, 3,
				    (double)atomic_load_explicit(&e->stats->sum_ns, memory_order_relaxed) / 1e9);
		metrics_text_sample_u64(w, "grpc_server_handling_seconds_count", labels, 3, cum);
	}
}
