#include "engine/output/bus.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The array of subscribers publishers walk. Slots are atomic because
 * bus_unsubscribe() clears its slot in place while publishers read the
 * array without the bus lock; a cleared slot (NULL) is skipped and
 * compacted away by the next subscribe, which builds a fresh array. */
typedef struct bus_snap {
	size_t n;
	_Atomic(bus_subscriber *) subs[];
} bus_snap;

struct bus_subscriber {
	bus *bus;
	/* Everything below up to the counters is guarded by lock; the
	 * publisher and the consumer meet only here. */
	pthread_mutex_t lock;
	engine_alert **ring; /* capacity slots; the oldest at head */
	size_t capacity;
	size_t head;
	size_t depth;
	size_t high_water;
	size_t bytes;     /* engine_alert.bytes of the queued alerts */
	size_t max_bytes; /* 0 = none */
	uint64_t accepted;
	uint64_t delivered;
	uint64_t dropped;
	uint64_t lost_pending;   /* drops since the last successful pop */
	uint64_t hook_pending;   /* drops not yet told to the drop hook */
	uint64_t hook_last_ns;   /* CLOCK_MONOTONIC of the last hook call */
	bool hook_told;          /* the hook was called at least once */
	/* Counted outside the lock: a rejected alert never takes it. */
	atomic_uint_fast64_t filtered_out;
	/* Immutable after subscribe. */
	bus_filter_fn filter;
	bus_notify_fn notify;
	void *user;
	char *name;
	uint64_t id;                      /* immutable after subscribe */
	char identity[BUS_IDENTITY_MAX];  /* guarded by lock */
};

struct bus {
	/* Guards cur, nlive, epoch, readers, waiting, hook, hook_user,
	 * next_id. Publishers hold it only to pin and unpin. */
	pthread_mutex_t lock;
	pthread_cond_t drained;
	/* Serializes the writers (subscribe, unsubscribe, set_drop_hook):
	 * one grace period at a time, so a waiting writer only ever waits
	 * for a bucket that no longer receives new readers. */
	pthread_mutex_t writer;
	bus_snap *cur;
	size_t nlive;
	unsigned epoch;             /* its low bit is the bucket new pins go to */
	unsigned long readers[2];   /* pins per bucket */
	bool waiting;               /* a writer sleeps on drained */
	bus_drop_hook_fn hook;
	void *hook_user;
	uint64_t next_id;
	atomic_uint_fast64_t published;
	atomic_uint_fast64_t dropped;
};

/* What a publisher (or a stats walker) pinned: the array and the hook as
 * they were at pin time, and the bucket to unpin from. */
typedef struct bus_pin {
	bus_snap *snap;
	unsigned bucket;
	bus_drop_hook_fn hook;
	void *hook_user;
} bus_pin;

static void bus_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t bus_now_ns(void)
{
	struct timespec ts;
	/* Coarse is plenty for a once-a-second rate limit and costs a few ns. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bus_snap *bus_snap_new(size_t n)
{
	bus_snap *s = malloc(sizeof(*s) + n * sizeof(s->subs[0]));
	if (!s)
		return NULL;
	s->n = n;
	for (size_t i = 0; i < n; i++)
		atomic_init(&s->subs[i], NULL);
	return s;
}

static bus_pin bus_pin_take(bus *b)
{
	bus_pin p;
	pthread_mutex_lock(&b->lock);
	p.bucket = b->epoch & 1u;
	b->readers[p.bucket]++;
	p.snap = b->cur;
	p.hook = b->hook;
	p.hook_user = b->hook_user;
	pthread_mutex_unlock(&b->lock);
	return p;
}

static void bus_pin_release(bus *b, const bus_pin *p)
{
	pthread_mutex_lock(&b->lock);
	/* Only wake a writer when the last reader of a bucket leaves; on the
	 * steady state nobody waits and this is one decrement. */
	if (--b->readers[p->bucket] == 0 && b->waiting)
		pthread_cond_broadcast(&b->drained);
	pthread_mutex_unlock(&b->lock);
}

/* The grace period. Called with b->lock and b->writer held, right after a
 * change to cur/hook made under the same hold of b->lock: every pin taken
 * from now on lands in the other bucket and sees the change, so once the
 * current bucket drains nobody can still see the old state. Returns with
 * b->lock held. */
static void bus_synchronize_locked(bus *b)
{
	unsigned old = b->epoch & 1u;
	b->epoch++;
	while (b->readers[old] != 0) {
		b->waiting = true;
		pthread_cond_wait(&b->drained, &b->lock);
	}
	b->waiting = false;
}

bus *bus_new(void)
{
	bus *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->cur = bus_snap_new(0);
	if (!b->cur)
		goto fail_snap;
	if (pthread_mutex_init(&b->lock, NULL) != 0)
		goto fail_lock;
	if (pthread_mutex_init(&b->writer, NULL) != 0)
		goto fail_writer;
	if (pthread_cond_init(&b->drained, NULL) != 0)
		goto fail_cond;
	atomic_init(&b->published, 0);
	atomic_init(&b->dropped, 0);
	b->next_id = 1;
	return b;
fail_cond:
	pthread_mutex_destroy(&b->writer);
fail_writer:
	pthread_mutex_destroy(&b->lock);
fail_lock:
	free(b->cur);
fail_snap:
	free(b);
	return NULL;
}

/* Unreferences what is queued and frees the subscriber. Nobody else may
 * reach it any more. */
static void bus_subscriber_destroy(bus_subscriber *s)
{
	for (size_t i = 0, at = s->head; i < s->depth; i++) {
		alert_unref(s->ring[at]);
		if (++at == s->capacity)
			at = 0;
	}
	pthread_mutex_destroy(&s->lock);
	free(s->ring);
	free(s->name);
	free(s);
}

void bus_free(bus *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->cur->n; i++) {
		bus_subscriber *s = atomic_load_explicit(&b->cur->subs[i], memory_order_relaxed);
		if (s)
			bus_subscriber_destroy(s);
	}
	free(b->cur);
	pthread_cond_destroy(&b->drained);
	pthread_mutex_destroy(&b->writer);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

bus_subscriber *bus_subscribe(bus *b, const bus_sub_opts *opts, char *err, size_t errlen)
{
	if (!b || !opts) {
		bus_err(err, errlen, "bus_subscribe: no bus or no options");
		return NULL;
	}
	if (opts->capacity < 1 || opts->capacity > BUS_CAPACITY_MAX) {
		bus_err(err, errlen, "bus subscriber \"%s\": capacity %zu out of range 1..%zu",
			opts->name ? opts->name : "", opts->capacity, BUS_CAPACITY_MAX);
		return NULL;
	}
	bus_subscriber *s = calloc(1, sizeof(*s));
	if (!s)
		goto enomem;
	s->ring = calloc(opts->capacity, sizeof(*s->ring));
	if (!s->ring)
		goto enomem_sub;
	/* Adaptive: held for a few instructions by the engine's push and a
	 * subscriber's pop, so a waiter spins briefly rather than sleeping in
	 * the kernel and being scheduled back (the engine's thread lost the
	 * CPU that way about once per pop of a fast subscriber). */
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
	int mrc = pthread_mutex_init(&s->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	if (mrc != 0) {
		free(s->ring);
		free(s);
		bus_err(err, errlen, "bus subscriber \"%s\": cannot make its mutex", opts->name ? opts->name : "");
		return NULL;
	}
	s->bus = b;
	s->capacity = opts->capacity;
	s->max_bytes = opts->max_bytes;
	s->filter = opts->filter;
	s->notify = opts->notify;
	s->user = opts->user;
	atomic_init(&s->filtered_out, 0);
	if (opts->name) {
		s->name = strdup(opts->name);
		if (!s->name)
			goto enomem_lock;
	}

	/* Writers are serialized, so nlive cannot change until we are done:
	 * the new array can be sized and allocated outside the bus lock and
	 * publishers are never held up by malloc. */
	pthread_mutex_lock(&b->writer);
	bus_snap *snap = bus_snap_new(b->nlive + 1);
	if (!snap) {
		pthread_mutex_unlock(&b->writer);
		goto enomem_lock;
	}
	if (!s->name) {
		char name[32];
		pthread_mutex_lock(&b->lock);
		uint64_t id = b->next_id;
		pthread_mutex_unlock(&b->lock);
		snprintf(name, sizeof(name), "subscriber-%llu", (unsigned long long)id);
		s->name = strdup(name);
		if (!s->name) {
			free(snap);
			pthread_mutex_unlock(&b->writer);
			goto enomem_lock;
		}
	}

	pthread_mutex_lock(&b->lock);
	bus_snap *old = b->cur;
	size_t n = 0;
	for (size_t i = 0; i < old->n; i++) {
		bus_subscriber *o = atomic_load_explicit(&old->subs[i], memory_order_relaxed);
		if (o)
			atomic_store_explicit(&snap->subs[n++], o, memory_order_relaxed);
	}
	atomic_store_explicit(&snap->subs[n++], s, memory_order_relaxed);
	snap->n = n;
	b->cur = snap;
	b->nlive = n;
	s->id = b->next_id++;
	/* The old array may still be walked by publishers pinned before the
	 * swap; wait for them, then it is ours to free. */
	bus_synchronize_locked(b);
	pthread_mutex_unlock(&b->lock);
	pthread_mutex_unlock(&b->writer);
	free(old);
	return s;

enomem_lock:
	pthread_mutex_destroy(&s->lock);
	free(s->name);
	free(s->ring);
enomem_sub:
	free(s);
enomem:
	bus_err(err, errlen, "bus subscriber \"%s\": out of memory (capacity %zu)", opts->name ? opts->name : "",
		opts->capacity);
	return NULL;
}

void bus_unsubscribe(bus_subscriber *s)
{
	if (!s)
		return;
	bus *b = s->bus;
	pthread_mutex_lock(&b->writer);
	pthread_mutex_lock(&b->lock);
	/* Clearing the slot in place needs no allocation, so unsubscribe
	 * cannot fail; the hole is compacted by the next subscribe. */
	for (size_t i = 0; i < b->cur->n; i++) {
		if (atomic_load_explicit(&b->cur->subs[i], memory_order_relaxed) == s) {
			atomic_store_explicit(&b->cur->subs[i], NULL, memory_order_release);
			b->nlive--;
			break;
		}
	}
	/* Publishers that loaded the slot before it was cleared may still be
	 * in its filter, its ring or its notify; after the grace period none
	 * is, and none will be again. */
	bus_synchronize_locked(b);
	pthread_mutex_unlock(&b->lock);
	pthread_mutex_unlock(&b->writer);
	bus_subscriber_destroy(s);
}

void bus_set_drop_hook(bus *b, bus_drop_hook_fn fn, void *user)
{
	pthread_mutex_lock(&b->writer);
	pthread_mutex_lock(&b->lock);
	b->hook = fn;
	b->hook_user = fn ? user : NULL;
	bus_synchronize_locked(b);
	pthread_mutex_unlock(&b->lock);
	pthread_mutex_unlock(&b->writer);
}

/* Alerts one push may drop and hand back to be unreferenced outside the
 * lock; a byte-bounded ring may need more when a large alert follows many
 * small ones, and those few are unreferenced under it. */
#define BUS_PUSH_OUT 8

/* Queues a (already referenced) on s; the publisher's side of the ring.
 * Fills out[0..*nout) with alerts pushed out to make room (to unreference
 * outside the lock), returns how many were dropped, and sets *notify when the ring was empty
 * and *hook_count to the drops to tell the hook now (0 = do not call it). */
static uint64_t bus_push(bus_subscriber *s, engine_alert *a, bool hook, bool *notify, uint64_t *hook_count,
			 engine_alert *out[BUS_PUSH_OUT], size_t *nout)
{
	size_t n = 0;
	uint64_t dropped = 0;
	*hook_count = 0;
	pthread_mutex_lock(&s->lock);
	*notify = s->depth == 0;
	s->accepted++;
	/* Full in alerts, or in bytes (the newest is kept however large). */
	while (s->depth == s->capacity || (s->max_bytes && s->depth && s->bytes + a->bytes > s->max_bytes)) {
		engine_alert *old = s->ring[s->head];
		s->ring[s->head] = NULL;
		if (++s->head == s->capacity)
			s->head = 0;
		s->depth--;
		s->bytes -= old->bytes;
		dropped++;
		if (n < BUS_PUSH_OUT)
			out[n++] = old;
		else
			alert_unref(old);
	}
	if (dropped) {
		s->dropped += dropped;
		s->lost_pending += dropped;
		if (hook) {
			s->hook_pending += dropped;
			uint64_t now = bus_now_ns();
			if (!s->hook_told || now - s->hook_last_ns >= BUS_DROP_HOOK_INTERVAL_NS) {
				*hook_count = s->hook_pending;
				s->hook_pending = 0;
				s->hook_last_ns = now;
				s->hook_told = true;
			}
		}
	}
	size_t tail = s->head + s->depth;
	if (tail >= s->capacity)
		tail -= s->capacity;
	s->ring[tail] = a;
	s->depth++;
	s->bytes += a->bytes;
	if (s->depth > s->high_water)
		s->high_water = s->depth;
	pthread_mutex_unlock(&s->lock);
	*nout = n;
	return dropped;
}

void bus_publish(bus *b, engine_alert *a)
{
	if (!a)
		return;
	atomic_fetch_add_explicit(&b->published, 1, memory_order_relaxed);
	bus_pin p = bus_pin_take(b);
	for (size_t i = 0; i < p.snap->n; i++) {
		bus_subscriber *s = atomic_load_explicit(&p.snap->subs[i], memory_order_acquire);
		if (!s)
			continue;
		if (s->filter && !s->filter(a, s->user)) {
			atomic_fetch_add_explicit(&s->filtered_out, 1, memory_order_relaxed);
			continue;
		}
		bool notify;
		uint64_t hook_count;
		engine_alert *out[BUS_PUSH_OUT];
		size_t nout;
		uint64_t dropped = bus_push(s, alert_ref(a), p.hook != NULL, &notify, &hook_count, out, &nout);
		/* May free them: done outside the subscriber lock so the
		 * consumer never waits on free(). */
		for (size_t k = 0; k < nout; k++)
			alert_unref(out[k]);
		if (dropped)
			atomic_fetch_add_explicit(&b->dropped, dropped, memory_order_relaxed);
		if (hook_count)
			p.hook(s->name, hook_count, p.hook_user);
		if (notify && s->notify)
			s->notify(s, s->user);
	}
	bus_pin_release(b, &p);
}

engine_alert *bus_pop(bus_subscriber *s, uint64_t *lost_before)
{
	engine_alert *a = NULL;
	uint64_t lost = 0;
	pthread_mutex_lock(&s->lock);
	if (s->depth) {
		a = s->ring[s->head];
		s->ring[s->head] = NULL;
		s->bytes -= a->bytes;
		if (++s->head == s->capacity)
			s->head = 0;
		s->depth--;
		s->delivered++;
		lost = s->lost_pending;
		s->lost_pending = 0;
	}
	pthread_mutex_unlock(&s->lock);
	if (lost_before)
		*lost_before = lost;
	return a;
}

size_t bus_pop_many(bus_subscriber *s, engine_alert **out, size_t max, uint64_t *lost_before)
{
	size_t n = 0;
	uint64_t lost = 0;
	pthread_mutex_lock(&s->lock);
	while (n < max && s->depth) {
		out[n] = s->ring[s->head];
		s->bytes -= out[n++]->bytes;
		s->ring[s->head] = NULL;
		if (++s->head == s->capacity)
			s->head = 0;
		s->depth--;
	}
	if (n) {
		s->delivered += n;
		lost = s->lost_pending;
		s->lost_pending = 0;
	}
	pthread_mutex_unlock(&s->lock);
	if (lost_before)
		*lost_before = lost;
	return n;
}

const char *bus_subscriber_name(const bus_subscriber *s)
{
	return s->name;
}

void bus_subscriber_set_identity(bus_subscriber *s, const char *identity)
{
	pthread_mutex_lock(&s->lock);
	snprintf(s->identity, sizeof(s->identity), "%s", identity ? identity : "");
	pthread_mutex_unlock(&s->lock);
}

void bus_subscriber_stats(bus_subscriber *s, bus_sub_stats *st)
{
	st->id = s->id;
	pthread_mutex_lock(&s->lock);
	memcpy(st->identity, s->identity, sizeof(st->identity));
	st->accepted = s->accepted;
	st->delivered = s->delivered;
	st->dropped = s->dropped;
	st->depth = s->depth;
	st->capacity = s->capacity;
	st->high_water = s->high_water;
	st->bytes = s->bytes;
	st->max_bytes = s->max_bytes;
	pthread_mutex_unlock(&s->lock);
	st->filtered_out = atomic_load_explicit(&s->filtered_out, memory_order_relaxed);
}

void bus_stats(bus *b, bus_totals *t)
{
	pthread_mutex_lock(&b->lock);
	t->subscribers = b->nlive;
	pthread_mutex_unlock(&b->lock);
	t->published = atomic_load_explicit(&b->published, memory_order_relaxed);
	t->dropped = atomic_load_explicit(&b->dropped, memory_order_relaxed);
}

size_t bus_foreach_subscriber(bus *b, void (*fn)(const char *name, const bus_sub_stats *st, void *user),
			      void *user)
{
	/* Pinned like a publish: the subscribers listed cannot be freed under
	 * us, and no lock is held while fn runs. */
	bus_pin p = bus_pin_take(b);
	size_t n = 0;
	for (size_t i = 0; i < p.snap->n; i++) {
		bus_subscriber *s = atomic_load_explicit(&p.snap->subs[i], memory_order_acquire);
		if (!s)
			continue;
		bus_sub_stats st;
		bus_subscriber_stats(s, &st);
		if (fn)
			fn(s->name, &st, user);
		n++;
	}
	bus_pin_release(b, &p);
	return n;
}
