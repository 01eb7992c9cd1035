#ifndef OUTPUTS_MODULE_H
#define OUTPUTS_MODULE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "fapi/fapi.h"
#include "outputs_stream.h"

struct outputs_module {
	fapi_module_ctx *ctx;
	const fapi_host *host;
	size_t capacity;            /* per-subscriber queue (config queue_capacity) */
	size_t falco_capacity;      /* the queue Falco's get drains (config falco_queue_capacity) */
	bool falco_methods;         /* grpc_output.enabled */
	size_t max_subscribers;     /* config max_subscribers: streams of this module at once */
	size_t max_per_identity;    /* config max_subscribers_per_identity */
	outputs_filter_limits limits; /* config max_filter_items, max_filter_bytes */
	fapi_alert_sub *falco_sub;  /* alerts kept for Falco's get */
	pthread_mutex_t falco_mu;   /* pops from falco_sub do not overlap */
	pthread_mutex_t mu;         /* streams list and counter */
	outputs_stream *streams;
	unsigned long next_id;
};

#endif
