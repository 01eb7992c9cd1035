#include "server/cq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"

static void *cq_pool_thread(void *arg)
{
	cq_pool *p = arg;
	pthread_setname_np(pthread_self(), p->name);
	for (;;) {
		grpc_event ev = grpc_completion_queue_next(p->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			break;
		if (ev.type == GRPC_OP_COMPLETE) {
			cq_tag *t = ev.tag;
			t->fn(t, ev.success != 0);
		}
	}
	return NULL;
}

int cq_pool_create(cq_pool *p, const char *name, int nthreads)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->nthreads = nthreads > 0 ? nthreads : 1;
	p->cq = grpc_completion_queue_create_for_next(NULL);
	p->threads = calloc((size_t)p->nthreads, sizeof(*p->threads));
	if (!p->cq || !p->threads) {
		if (p->cq)
			grpc_completion_queue_destroy(p->cq);
		free(p->threads);
		memset(p, 0, sizeof(*p));
		return -1;
	}
	return 0;
}

int cq_pool_start(cq_pool *p)
{
	for (int i = 0; i < p->nthreads; i++) {
		if (pthread_create(&p->threads[i], NULL, cq_pool_thread, p) != 0) {
			log_msg(FAPI_LOG_ERROR, "grpc", "cannot start %s thread %d", p->name, i);
			return -1;
		}
		p->started++;
	}
	return 0;
}

void cq_pool_shutdown(cq_pool *p)
{
	if (!p->cq || p->shut)
		return;
	p->shut = 1;
	grpc_completion_queue_shutdown(p->cq);
	if (p->started) {
		for (int i = 0; i < p->started; i++)
			pthread_join(p->threads[i], NULL);
	} else {
		/* Never drained by threads: drain here so destroy is legal. */
		while (grpc_completion_queue_next(p->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
		       GRPC_QUEUE_SHUTDOWN)
			;
	}
	p->started = 0;
}

void cq_pool_destroy(cq_pool *p)
{
	if (p->cq)
		grpc_completion_queue_destroy(p->cq);
	free(p->threads);
	memset(p, 0, sizeof(*p));
}
