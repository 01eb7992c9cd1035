#include "losses/loss_inputs.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct loss_input {
	loss_inputs *reg;
	loss_input *next;
	char *name;
	uint64_t id;
	uint64_t capacity;
	_Atomic uint64_t lost, depth;
};

struct loss_inputs {
	pthread_mutex_t mu;
	loss_input *head, **tail;
	uint64_t next_id;
};

loss_inputs *loss_inputs_new(void)
{
	loss_inputs *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	pthread_mutex_init(&r->mu, NULL);
	r->tail = &r->head;
	r->next_id = 1;
	return r;
}

void loss_inputs_free(loss_inputs *r)
{
	if (!r)
		return;
	for (loss_input *in = r->head, *next; in; in = next) {
		next = in->next;
		free(in->name);
		free(in);
	}
	pthread_mutex_destroy(&r->mu);
	free(r);
}

int loss_inputs_register(loss_inputs *r, const char *name, uint64_t capacity, loss_input **out, char *err,
			 size_t errlen)
{
	*out = NULL;
	if (!name || !*name) {
		snprintf(err, errlen, "an input queue needs a name");
		return -1;
	}
	loss_input *in = calloc(1, sizeof(*in));
	if (!in || !(in->name = strdup(name))) {
		free(in);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	in->reg = r;
	in->capacity = capacity;
	atomic_init(&in->lost, 0);
	atomic_init(&in->depth, 0);
	pthread_mutex_lock(&r->mu);
	in->id = r->next_id++;
	*r->tail = in;
	r->tail = &in->next;
	pthread_mutex_unlock(&r->mu);
	*out = in;
	return 0;
}

void loss_input_report(loss_input *in, uint64_t lost, uint64_t depth)
{
	if (lost)
		atomic_fetch_add_explicit(&in->lost, lost, memory_order_relaxed);
	atomic_store_explicit(&in->depth, depth, memory_order_relaxed);
}

void loss_inputs_unregister(loss_input *in)
{
	if (!in)
		return;
	loss_inputs *r = in->reg;
	pthread_mutex_lock(&r->mu);
	for (loss_input **p = &r->head; *p; p = &(*p)->next) {
		if (*p == in) {
			*p = in->next;
			if (r->tail == &in->next)
				r->tail = p;
			break;
		}
	}
	pthread_mutex_unlock(&r->mu);
	free(in->name);
	free(in);
}

size_t loss_inputs_foreach(loss_inputs *r,
			   void (*fn)(const char *name, uint64_t id, uint64_t lost, uint64_t depth, uint64_t capacity,
				      void *user),
			   void *user)
{
	size_t n = 0;
	pthread_mutex_lock(&r->mu);
	for (loss_input *in = r->head; in; in = in->next, n++)
		fn(in->name, in->id, atomic_load_explicit(&in->lost, memory_order_relaxed),
		   atomic_load_explicit(&in->depth, memory_order_relaxed), in->capacity, user);
	pthread_mutex_unlock(&r->mu);
	return n;
}
