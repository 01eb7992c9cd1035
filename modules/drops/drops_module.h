#ifndef DROPS_MODULE_H
#define DROPS_MODULE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fapi/fapi.h"

typedef struct drops_stream drops_stream;

typedef struct drops_module {
	fapi_module_ctx *ctx;
	const fapi_host *host;
	size_t max_subscribers;    /* config max_subscribers: drops streams at once */
	uint64_t min_interval_ms;  /* config min_interval_ms: the shortest interval a request may ask */
	size_t stream_queue;       /* config stream_queue: messages gRPC may hold per stream */
	pthread_mutex_t mu;        /* streams list, ticker state */
	pthread_cond_t cv;         /* the ticker sleeps on it */
	drops_stream *streams;
	size_t nstreams;
	pthread_t ticker;
	bool ticker_running, stopping;
} drops_module;

/* Monotonic and wall clocks, ns. */
uint64_t drops_now_mono(void);
uint64_t drops_now_wall(void);

#endif
