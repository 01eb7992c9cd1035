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
			atomic_fetch_add(&p->busy, 1);
			t->fn(t, ev.success != 0);
			atomic_fetch_sub(&p->busy, 1);
		}
	}
	atomic_fetch_sub(&p->live, 1);
	return NULL;
}

int cq_pool_create(cq_pool *p, const char *name, int nthreads, bool polling)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->nthreads = nthreads > 0 ? nthreads : 1;
	grpc_completion_queue_attributes attr = {
		.version = 1,
		.cq_completion_type = GRPC_CQ_NEXT,
		.cq_polling_type = polling ? GRPC_CQ_DEFAULT_POLLING : GRPC_CQ_NON_POLLING,
	};
	p->cq = grpc_completion_queue_create(grpc_completion_queue_factory_lookup(&attr), &attr, NULL);
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
		atomic_fetch_add(&p->live, 1);
		if (pthread_create(&p->threads[i], NULL, cq_pool_thread, p) != 0) {
			atomic_fetch_sub(&p->live, 1);
			log_msg(FAPI_LOG_ERROR, "grpc", "cannot start %s thread %d", p->name, i);
			return -1;
		}
		p->started++;
	}
	return 0;
}

/* Waits for the pool's threads to return, polling: a thread blocked in a
 * callback cannot be joined with a timeout portable to every libc, and the
 * wait ends at most once per shutdown. */
static int cq_pool_wait(cq_pool *p, const struct timespec *deadline)
{
	for (;;) {
		if (atomic_load(&p->live) == 0)
			return 0;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline->tv_sec || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec))
			return -1;
		struct timespec nap = {0, 5 * 1000000L};
		nanosleep(&nap, NULL);
	}
}

int cq_pool_shutdown(cq_pool *p, const struct timespec *deadline)
{
	if (!p->cq || p->shut)
		return p->shut < 0 ? -1 : 0;
	p->shut = 1;
	grpc_completion_queue_shutdown(p->cq);
	if (p->started) {
		if (deadline && cq_pool_wait(p, deadline) < 0) {
			p->shut = -1;
			return -1;
		}
		for (int i = 0; i < p->started; i++)
			pthread_join(p->threads[i], NULL);
	} else {
		/* Never drained by threads: drain here so destroy is legal. */
		while (grpc_completion_queue_next(p->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
		       GRPC_QUEUE_SHUTDOWN)
			;
	}
	p->started = 0;
	return 0;
}

void cq_pool_busy(const cq_pool *pools, size_t n, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		int b = atomic_load(&pools[k].busy);
		if (b <= 0 || used >= len)
			continue;
		int w = snprintf(buf + used, len - used, "%s%s: %d", used ? ", " : "", pools[k].name, b);
		if (w > 0)
			used += (size_t)w < len - used ? (size_t)w : len - used - 1;
	}
	if (!used)
		snprintf(buf, len, "none");
}

void cq_pool_destroy(cq_pool *p)
{
	if (p->cq)
		grpc_completion_queue_destroy(p->cq);
	free(p->threads);
	memset(p, 0, sizeof(*p));
}
