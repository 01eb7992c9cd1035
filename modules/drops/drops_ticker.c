#include "drops_ticker.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "drops_stream.h"

uint64_t drops_now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t drops_now_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Marks what is due, wakes those streams, and returns the earliest
 * deadline left. Called with m->mu held: a stream is unlisted (under the
 * same lock) before it is freed, so stream_wake never sees a freed one. */
static uint64_t drops_ticker_round(drops_module *m, uint64_t now)
{
	uint64_t next = now + 1000000000ull;
	for (drops_stream *st = m->streams; st; st = st->next) {
		bool wake = false;
		if (st->next_due <= now) {
			atomic_store(&st->due, true);
			/* Skip missed ticks rather than bursting to catch up: one
			 * poll covers any gap. */
			while (st->next_due <= now)
				st->next_due += st->interval_ns;
			wake = true;
		}
		if (st->heartbeat_ns) {
			uint64_t hb = atomic_load(&st->last_sent_mono) + st->heartbeat_ns, deadline = hb;
			if (hb <= now) {
				/* Asked once per heartbeat: the pump sends it, or sends
				 * something else, meanwhile. */
				if (st->next_heartbeat <= now) {
					atomic_store(&st->heartbeat_due, true);
					st->next_heartbeat = now + st->heartbeat_ns;
					wake = true;
				}
				deadline = st->next_heartbeat;
			}
			if (deadline < next)
				next = deadline;
		}
		if (st->next_due < next)
			next = st->next_due;
		if (wake)
			m->host->stream_wake(st->stream);
	}
	return next;
}

static void *drops_ticker_main(void *arg)
{
	drops_module *m = arg;
	pthread_setname_np(pthread_self(), "drops-tick");
	pthread_mutex_lock(&m->mu);
	while (!m->stopping) {
		uint64_t next = drops_ticker_round(m, drops_now_mono());
		struct timespec ts = {.tv_sec = (time_t)(next / 1000000000ull), .tv_nsec = (long)(next % 1000000000ull)};
		pthread_cond_timedwait(&m->cv, &m->mu, &ts);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

int drops_ticker_start(drops_module *m, char *err, size_t errlen)
{
	int rc = pthread_create(&m->ticker, NULL, drops_ticker_main, m);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the drops timer thread: %s", strerror(rc));
		return -1;
	}
	m->ticker_running = true;
	return 0;
}

void drops_ticker_stop(drops_module *m)
{
	if (!m->ticker_running)
		return;
	pthread_mutex_lock(&m->mu);
	m->stopping = true;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->ticker, NULL);
	m->ticker_running = false;
}

void drops_ticker_kick(drops_module *m)
{
	pthread_cond_signal(&m->cv);
}
