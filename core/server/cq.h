#ifndef FAPI_CQ_H
#define FAPI_CQ_H

/* A completion queue drained by its own pool of threads. Every tag posted
 * to it is a cq_tag whose callback runs on one of the pool's threads. */

#include <grpc/grpc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct cq_tag {
	/* ok is gRPC's success bit for the operation batch. */
	void (*fn)(struct cq_tag *tag, bool ok);
} cq_tag;

typedef struct cq_pool {
	grpc_completion_queue *cq;
	pthread_t *threads;
	int nthreads;
	int started;
	int shut;
	atomic_int busy; /* threads inside a tag's callback now */
	atomic_int live; /* threads not yet returned */
	char name[16];
} cq_pool;

/* Creates the queue (not yet drained). A `polling` queue's threads also
 * drive gRPC's I/O; the threads of a non-polling one only run completions
 * that the polling threads deliver. 0 or -1. */
int cq_pool_create(cq_pool *p, const char *name, int nthreads, bool polling);
/* Starts the threads. 0 or -1 with errno. */
int cq_pool_start(cq_pool *p);
/* Shuts the queue down and joins the threads once it is drained, waiting
 * until `deadline` (CLOCK_MONOTONIC; NULL: without bound). Returns 0, or -1
 * when a thread was still running at the deadline (a callback that does
 * not return): the pool must then be left alone. Nothing may start a batch
 * on this queue afterwards. */
int cq_pool_shutdown(cq_pool *p, const struct timespec *deadline);
/* Writes into buf which pools have callbacks running ("cq-unary: 1") or
 * "none". */
void cq_pool_busy(const cq_pool *pools, size_t n, char *buf, size_t len);
/* Destroys the queue; after cq_pool_shutdown. */
void cq_pool_destroy(cq_pool *p);

#endif
