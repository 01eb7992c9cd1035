#ifndef FAPI_CALL_POOL_H
#define FAPI_CALL_POOL_H

/* A free list of fixed-size call contexts, one pool per RPC kind, so that a
 * busy server recycles contexts instead of allocating per call. */

#include <pthread.h>
#include <stddef.h>

typedef struct call_pool {
	pthread_mutex_t mu;
	void **free;     /* idle objects; owned */
	size_t nfree, cap;
	size_t size;     /* object size */
	size_t live;     /* handed out and not returned */
	size_t max_idle; /* beyond this, returned objects are freed */
} call_pool;

void call_pool_init(call_pool *p, size_t object_size, size_t max_idle);
/* Frees the idle objects. Returns the number of objects still live (a
 * non-zero value at shutdown is a leak). */
size_t call_pool_destroy(call_pool *p);
/* A zeroed object, or NULL on ENOMEM. */
void *call_pool_get(call_pool *p);
/* Returns an object obtained from call_pool_get. */
void call_pool_put(call_pool *p, void *obj);

#endif
