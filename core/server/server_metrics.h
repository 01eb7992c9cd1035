#ifndef FAPI_SERVER_METRICS_H
#define FAPI_SERVER_METRICS_H

/* The gRPC server's per-method counters, with the grpc-ecosystem
 * (go-grpc-prometheus) names: grpc_server_started_total,
 * grpc_server_handled_total, grpc_server_msg_received_total,
 * grpc_server_msg_sent_total and the grpc_server_handling_seconds
 * histogram. Relaxed atomics only: a call adds a few increments, a scrape
 * reads them without a lock. */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fapi/http.h"

#define SERVER_METRICS_CODES 17  /* gRPC status codes 0..16 */
#define SERVER_METRICS_BUCKETS 11 /* Prometheus' default buckets */

typedef struct server_method_stats {
	_Atomic uint64_t started, msg_received, msg_sent;
	_Atomic uint64_t handled[SERVER_METRICS_CODES];
	_Atomic uint64_t buckets[SERVER_METRICS_BUCKETS + 1]; /* per bucket, not cumulative; the last is +Inf */
	_Atomic uint64_t sum_ns;
} server_method_stats;

struct service_table;

/* Now, for the handling time (CLOCK_MONOTONIC, ns). */
uint64_t server_metrics_now(void);
/* Counts a call started (and its first message received when `received`). */
void server_metrics_started(server_method_stats *m, bool received);
/* Counts a call handled with gRPC status `code`, started at start_ns. */
void server_metrics_handled(server_method_stats *m, int code, uint64_t start_ns);
/* Writes the five families for every method of t. */
void server_metrics_write(const struct service_table *t, fapi_metrics_writer *w);

#endif
