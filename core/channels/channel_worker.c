#include "channels/channel_worker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "log/log.h"

/* A failing channel (an HTTP endpoint down, a program that exits) fails
 * every alert: its errors are logged at most once per interval, with the
 * count of those left unsaid. */
#define CHANNEL_WORKER_ERROR_INTERVAL_NS 1000000000ull

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
	_Atomic uint64_t busy_since_ns; /* 0 = not writing */
	_Atomic uint64_t writes;
	/* counters the bus does not keep */
	_Atomic uint64_t delivered, failed, discarded;
	uint64_t unreported_errors, last_error_ns;
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

static void channel_worker_write(channel_worker *w, engine_alert *a)
{
	char err[512] = "";
	atomic_store(&w->busy_since_ns, channel_deadline_now_ns());
	int rc = w->ops->write(w->state, a, &w->deadline, err, sizeof(err));
	atomic_store(&w->busy_since_ns, 0);
	atomic_fetch_add(&w->writes, 1);
	if (rc == 0) {
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
	atomic_store(&w->busy_since_ns, channel_deadline_now_ns());
	int rc = w->ops->flush(w->state, &w->deadline, err, sizeof(err));
	atomic_store(&w->busy_since_ns, 0);
	atomic_fetch_add(&w->writes, 1);
	if (rc < 0)
		channel_worker_report(w, err);
}

/* Pops the next alert, sleeping while the queue is empty. NULL once the
 * queue is empty and a drain was asked for. */
static engine_alert *channel_worker_next(channel_worker *w, bool *flushed)
{
	engine_alert *a = bus_pop(w->sub, NULL);
	if (a)
		return a;
	/* Buffered writes go out as soon as the queue is empty: buffering
	 * then only coalesces bursts and never holds an alert back. */
	if (!*flushed) {
		channel_worker_flush(w);
		*flushed = true;
	}
	pthread_mutex_lock(&w->mu);
	for (;;) {
		/* Set before the second look, so that a push after this pop
		 * either is seen by it or finds the flag and wakes us. */
		atomic_store(&w->sleeping, true);
		a = bus_pop(w->sub, NULL);
		if (a || w->draining)
			break;
		while (atomic_load(&w->sleeping) && !w->draining)
			pthread_cond_wait(&w->cv, &w->mu);
	}
	atomic_store(&w->sleeping, false);
	pthread_mutex_unlock(&w->mu);
	return a;
}

static void *channel_worker_thread(void *arg)
{
	channel_worker *w = arg;
	char tname[16];
	snprintf(tname, sizeof(tname), "out-%s", w->ops->name);
	pthread_setname_np(pthread_self(), tname);
	bool flushed = true;
	engine_alert *a;
	while ((a = channel_worker_next(w, &flushed))) {
		if (channel_deadline_passed(&w->deadline))
			atomic_fetch_add_explicit(&w->discarded, 1, memory_order_relaxed);
		else
			channel_worker_write(w, a);
		flushed = false;
		alert_unref(a);
	}
	if (!channel_deadline_passed(&w->deadline))
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

bool channel_worker_blocked(channel_worker *w, uint64_t since_ns, uint64_t *write_id)
{
	uint64_t id = atomic_load(&w->writes);
	uint64_t busy = atomic_load(&w->busy_since_ns);
	*write_id = id;
	return busy && busy < since_ns;
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
