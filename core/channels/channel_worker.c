#include "channels/channel_worker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log/log.h"

/* A failing channel (an HTTP endpoint down, a program that exits) fails
 * every alert: its errors are logged at most once per interval, with the
 * count of those left unsaid. */
#define CHANNEL_WORKER_ERROR_INTERVAL_NS 1000000000ull

/* After a wake-up the thread lets alerts gather this long before it
 * writes: the engine then pays for at most one wake per interval per
 * channel instead of one per alert, and a burst becomes one write. This is
 * all the latency a channel adds. */
#define CHANNEL_WORKER_GATHER_NS 1000000L

/* Alerts taken from the queue under one lock: the engine, pushing, meets
 * the channel's thread on that lock once per batch, not once per alert. */
#define CHANNEL_WORKER_BATCH 256

struct channel_worker {
	const channel_ops *ops;
	void *state;
	bus_subscriber *sub;
	channel_deadline deadline;
	pthread_t thread;
	bool running; /* thread not joined yet */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_bool sleeping; /* the thread waits on cv for a notify */
	bool draining;        /* under mu */
	/* the write under way, for the output_timeout watchdog */
	atomic_bool busy;
	_Atomic uint64_t writes;
	/* the watchdog's own view (its thread only) */
	uint64_t watch_writes, watch_since_ns;
	bool watch_reported;
	/* counters the bus does not keep */
	_Atomic uint64_t delivered, failed, discarded;
	uint64_t coalesced; /* written into the channel's buffer, not yet flushed */
	uint64_t unreported_errors, last_error_ns;
	engine_alert *batch[CHANNEL_WORKER_BATCH];
};

/* Runs on the publisher (engine) thread: only when the channel's thread is
 * asleep does it cost a lock and a wake. */
static void channel_worker_notify(bus_subscriber *sub, void *user)
{
	(void)sub;
	channel_worker *w = user;
	if (!atomic_load(&w->sleeping))
		return;
	pthread_mutex_lock(&w->mu);
	atomic_store(&w->sleeping, false);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void channel_worker_report(channel_worker *w, const char *err)
{
	uint64_t now = channel_deadline_now_ns();
	if (w->last_error_ns && now - w->last_error_ns < CHANNEL_WORKER_ERROR_INTERVAL_NS) {
		w->unreported_errors++;
		return;
	}
	if (w->unreported_errors)
		log_msg(FAPI_LOG_ERROR, "channels", "%s: %s (and %llu more errors since the previous report)",
			w->ops->name, err, (unsigned long long)w->unreported_errors);
	else
		log_msg(FAPI_LOG_ERROR, "channels", "%s: %s", w->ops->name, err);
	w->unreported_errors = 0;
	w->last_error_ns = now;
}

/* Coalesced alerts a write or flush lost: failures, or discards once the
 * shutdown drain has run out of time. */
static void channel_worker_lost(channel_worker *w, size_t lost)
{
	if (lost > w->coalesced)
		lost = (size_t)w->coalesced;
	w->coalesced -= lost;
	atomic_fetch_add_explicit(channel_deadline_passed(&w->deadline) ? &w->discarded : &w->failed, lost,
				  memory_order_relaxed);
}

static void channel_worker_write(channel_worker *w, engine_alert *a)
{
	char err[512] = "";
	size_t lost = 0;
	atomic_store_explicit(&w->busy, true, memory_order_relaxed);
	int rc = w->ops->write(w->state, a, &w->deadline, &lost, err, sizeof(err));
	atomic_store_explicit(&w->busy, false, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->writes, 1, memory_order_relaxed);
	channel_worker_lost(w, lost);
	if (rc == 0) {
		/* Counted as delivered once a flush has written it. */
		if (w->ops->flush)
			w->coalesced++;
		else
			atomic_fetch_add_explicit(&w->delivered, 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&w->failed, 1, memory_order_relaxed);
	channel_worker_report(w, err);
}

static void channel_worker_flush(channel_worker *w)
{
	if (!w->ops->flush)
		return;
	char err[512] = "";
	size_t lost = 0;
	atomic_store_explicit(&w->busy, true, memory_order_relaxed);
	int rc = w->ops->flush(w->state, &w->deadline, &lost, err, sizeof(err));
	atomic_store_explicit(&w->busy, false, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->writes, 1, memory_order_relaxed);
	channel_worker_lost(w, lost);
	atomic_fetch_add_explicit(&w->delivered, w->coalesced, memory_order_relaxed);
	w->coalesced = 0;
	if (rc < 0)
		channel_worker_report(w, err);
}

/* Takes the next batch into w->batch, sleeping while the queue is empty.
 * 0 once the queue is empty and a drain was asked for. */
static size_t channel_worker_next(channel_worker *w, bool *flushed)
{
	size_t n = bus_pop_many(w->sub, w->batch, CHANNEL_WORKER_BATCH, NULL);
	if (n)
		return n;
	/* What the writes coalesced goes out as soon as the queue is empty:
	 * coalescing then never holds an alert back. */
	if (!*flushed) {
		channel_worker_flush(w);
		*flushed = true;
	}
	bool slept = false;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		/* Set before the second look, so that a push after this pop
		 * either is seen by it or finds the flag and wakes us. */
		atomic_store(&w->sleeping, true);
		n = bus_pop_many(w->sub, w->batch, CHANNEL_WORKER_BATCH, NULL);
		if (n || w->draining)
			break;
		while (atomic_load(&w->sleeping) && !w->draining) {
			pthread_cond_wait(&w->cv, &w->mu);
			slept = true;
		}
	}
	atomic_store(&w->sleeping, false);
	bool draining = w->draining;
	pthread_mutex_unlock(&w->mu);
	if (n && slept && !draining) {
		struct timespec ts = {0, CHANNEL_WORKER_GATHER_NS};
		nanosleep(&ts, NULL);
		n += bus_pop_many(w->sub, w->batch + n, CHANNEL_WORKER_BATCH - n, NULL);
	}
	return n;
}

static void *channel_worker_thread(void *arg)
{
	channel_worker *w = arg;
	char tname[16];
	snprintf(tname, sizeof(tname), "out-%s", w->ops->name);
	pthread_setname_np(pthread_self(), tname);
	bool flushed = true;
	size_t n;
	while ((n = channel_worker_next(w, &flushed))) {
		for (size_t i = 0; i < n; i++) {
			if (channel_deadline_passed(&w->deadline))
				atomic_fetch_add_explicit(&w->discarded, 1, memory_order_relaxed);
			else
				channel_worker_write(w, w->batch[i]);
			alert_unref(w->batch[i]);
		}
		flushed = false;
	}
	/* Even past the deadline: the flush gives up at once but tells what
	 * it could not write. */
	channel_worker_flush(w);
	if (w->ops->close)
		w->ops->close(w->state, &w->deadline);
	return NULL;
}

int channel_worker_start(channel_worker **out, bus *b, size_t capacity, const channel_ops *ops, void *state,
			 char *err, size_t errlen)
{
	*out = NULL;
	channel_worker *w = calloc(1, sizeof(*w));
	if (!w) {
		ops->free(state);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->ops = ops;
	w->state = state;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	char name[64];
	snprintf(name, sizeof(name), "channel-%s", ops->name);
	bus_sub_opts so = {.capacity = capacity, .notify = channel_worker_notify, .user = w, .name = name};
	char berr[256];
	w->sub = bus_subscribe(b, &so, berr, sizeof(berr));
	if (!w->sub) {
		snprintf(err, errlen, "%s_output: %s", ops->name, berr);
		channel_worker_free(w);
		return -1;
	}
	if (pthread_create(&w->thread, NULL, channel_worker_thread, w) != 0) {
		snprintf(err, errlen, "%s_output: cannot start its thread", ops->name);
		channel_worker_free(w);
		return -1;
	}
	w->running = true;
	*out = w;
	return 0;
}

void channel_worker_drain(channel_worker *w, uint64_t deadline_ns)
{
	channel_deadline_set(&w->deadline, deadline_ns);
	pthread_mutex_lock(&w->mu);
	w->draining = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

bool channel_worker_check_blocked(channel_worker *w, uint64_t now_ns, uint64_t timeout_ns)
{
	uint64_t writes = atomic_load_explicit(&w->writes, memory_order_relaxed);
	if (!atomic_load_explicit(&w->busy, memory_order_relaxed) || writes != w->watch_writes ||
	    !w->watch_since_ns) {
		w->watch_writes = writes;
		w->watch_since_ns = now_ns;
		w->watch_reported = false;
		return false;
	}
	if (w->watch_reported || now_ns - w->watch_since_ns < timeout_ns)
		return false;
	w->watch_reported = true;
	return true;
}

void channel_worker_stats(channel_worker *w, channel_stats *st)
{
	bus_sub_stats bs = {0};
	if (w->sub)
		bus_subscriber_stats(w->sub, &bs);
	*st = (channel_stats){
		.name = w->ops->name,
		.accepted = bs.accepted,
		.delivered = atomic_load(&w->delivered),
		.failed = atomic_load(&w->failed),
		.dropped = bs.dropped,
		.discarded = atomic_load(&w->discarded),
		.depth = bs.depth,
		.capacity = bs.capacity,
		.high_water = bs.high_water,
	};
}

const char *channel_worker_name(const channel_worker *w)
{
	return w->ops->name;
}

void channel_worker_join(channel_worker *w)
{
	if (!w->running)
		return;
	pthread_join(w->thread, NULL);
	w->running = false;
}

void channel_worker_free(channel_worker *w)
{
	if (!w)
		return;
	if (w->running) {
		channel_worker_drain(w, channel_deadline_now_ns());
		channel_worker_join(w);
	}
	bus_unsubscribe(w->sub);
	w->ops->free(w->state);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
