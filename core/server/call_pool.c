#include "server/call_pool.h"

#include <stdlib.h>
#include <string.h>

void call_pool_init(call_pool *p, size_t object_size, size_t max_idle)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	p->size = object_size;
	p->max_idle = max_idle;
}

size_t call_pool_destroy(call_pool *p)
{
	for (size_t i = 0; i < p->nfree; i++)
		free(p->free[i]);
	free(p->free);
	size_t live = p->live;
	pthread_mutex_destroy(&p->mu);
	return live;
}

void *call_pool_get(call_pool *p)
{
	void *obj = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->nfree)
		obj = p->free[--p->nfree];
	p->live++;
	pthread_mutex_unlock(&p->mu);
	if (obj) {
		memset(obj, 0, p->size);
		return obj;
	}
	obj = calloc(1, p->size);
	if (!obj) {
		pthread_mutex_lock(&p->mu);
		p->live--;
		pthread_mutex_unlock(&p->mu);
	}
	return obj;
}

void call_pool_put(call_pool *p, void *obj)
{
	pthread_mutex_lock(&p->mu);
	p->live--;
	if (p->nfree < p->max_idle) {
		if (p->nfree == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 16;
			void **f = realloc(p->free, cap * sizeof(*f));
			if (f) {
				p->free = f;
				p->cap = cap;
			}
		}
		if (p->nfree < p->cap) {
			p->free[p->nfree++] = obj;
			obj = NULL;
		}
	}
	pthread_mutex_unlock(&p->mu);
	free(obj);
}
