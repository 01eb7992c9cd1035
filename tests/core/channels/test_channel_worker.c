/* A channel's queue and thread (channel_worker) with a fake channel that
 * records what it is given and can be made to block: order, drop-oldest
 * loss counts while the channel blocks, flush when the queue empties, the
 * blocked-write report, and the shutdown drain that gives up at its
 * deadline and counts what it discards. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channels/channel_worker.h"

typedef struct fake {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t seqs[256];
	size_t n;
	bool block;          /* writes wait while set (or until the deadline) */
	bool fail_flush;     /* flushes lose what was written since the last one */
	size_t since_flush;
	bool in_write;       /* a write is waiting */
	int flushes, closes;
	size_t n_at_flush;   /* writes done at the last flush */
	bool freed;
} fake;

static void ms_sleep(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int fake_write(void *state, const engine_alert *a, const channel_deadline *d, size_t *lost, char *err,
		      size_t errlen)
{
	(void)lost;
	fake *f = state;
	pthread_mutex_lock(&f->mu);
	f->in_write = true;
	pthread_cond_broadcast(&f->cv);
	while (f->block && !channel_deadline_passed(d)) {
		pthread_mutex_unlock(&f->mu);
		ms_sleep(2);
		pthread_mutex_lock(&f->mu);
	}
	f->in_write = false;
	int rc = 0;
	if (f->block) {
		snprintf(err, errlen, "gave up");
		rc = -1;
	} else if (f->n < 256) {
		f->seqs[f->n++] = a->seq;
		f->since_flush++;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int fake_flush(void *state, const channel_deadline *d, size_t *lost, char *err, size_t errlen)
{
	(void)d;
	fake *f = state;
	int rc = 0;
	pthread_mutex_lock(&f->mu);
	f->flushes++;
	f->n_at_flush = f->n;
	if (f->fail_flush && f->since_flush) {
		*lost = f->since_flush;
		snprintf(err, errlen, "flush failed");
		rc = -1;
	}
	f->since_flush = 0;
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static void fake_close(void *state, const channel_deadline *d)
{
	(void)d;
	((fake *)state)->closes++;
}

static void fake_free(void *state)
{
	((fake *)state)->freed = true;
}

static const channel_ops fake_ops = {
	.name = "fake", .write = fake_write, .flush = fake_flush, .close = fake_close, .free = fake_free,
};

static void fake_init(fake *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
}

static void fake_wait_in_write(fake *f)
{
	pthread_mutex_lock(&f->mu);
	while (!f->in_write)
		pthread_cond_wait(&f->cv, &f->mu);
	pthread_mutex_unlock(&f->mu);
}

static void fake_set_block(fake *f, bool b)
{
	pthread_mutex_lock(&f->mu);
	f->block = b;
	pthread_mutex_unlock(&f->mu);
}

static void publish(bus *b, uint64_t seq)
{
	alert_spec spec = {.seq = seq, .priority = 4, .rule = "r", .source = "syscall", .hostname = "h",
			   .text = "12:00:00.000000000: Warning x"};
	engine_alert *a = alert_new(&spec);
	assert_non_null(a);
	bus_publish(b, a);
	alert_unref(a);
}

static channel_worker *start(bus *b, fake *f, size_t cap)
{
	channel_worker *w = NULL;
	char err[256];
	assert_int_equal(channel_worker_start(&w, b, cap, &fake_ops, f, err, sizeof(err)), 0);
	return w;
}

static uint64_t in_ms(long ms)
{
	return channel_deadline_now_ns() + (uint64_t)ms * 1000000ull;
}

static void test_in_order_and_flushed(void **state)
{
	(void)state;
	bus *b = bus_new();
	fake f;
	fake_init(&f);
	channel_worker *w = start(b, &f, 256);
	for (uint64_t i = 1; i <= 100; i++)
		publish(b, i);
	channel_worker_drain(w, in_ms(10000));
	channel_worker_join(w);
	assert_int_equal(f.n, 100);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(f.seqs[i], i + 1);
	/* Buffered writes are pushed out once the queue is empty. */
	assert_true(f.flushes >= 1);
	assert_int_equal(f.n_at_flush, 100);
	assert_int_equal(f.closes, 1);
	channel_stats st;
	channel_worker_stats(w, &st);
	assert_string_equal(st.name, "fake");
	assert_int_equal(st.accepted, 100);
	assert_int_equal(st.delivered, 100);
	assert_int_equal(st.dropped + st.failed + st.discarded + st.depth, 0);
	channel_worker_free(w);
	assert_true(f.freed);
	bus_free(b);
}

static void test_blocked_channel_drops_oldest(void **state)
{
	(void)state;
	bus *b = bus_new();
	fake f;
	fake_init(&f);
	f.block = true;
	channel_worker *w = start(b, &f, 4);
	publish(b, 1);
	fake_wait_in_write(&f);
	/* The watchdog sees the same write under way: told once, after the
	 * timeout. */
	assert_false(channel_worker_check_blocked(w, in_ms(0), 5000000));
	assert_false(channel_worker_check_blocked(w, in_ms(1), 5000000));
	assert_true(channel_worker_check_blocked(w, in_ms(6), 5000000));
	assert_false(channel_worker_check_blocked(w, in_ms(20), 5000000));
	/* The publisher never waits: 20 more alerts into a queue of 4. */
	for (uint64_t i = 2; i <= 21; i++)
		publish(b, i);
	channel_stats st;
	channel_worker_stats(w, &st);
	assert_int_equal(st.dropped, 16);
	assert_int_equal(st.depth, 4);
	fake_set_block(&f, false);
	channel_worker_drain(w, in_ms(10000));
	channel_worker_join(w);
	/* The blocked write, then the 4 newest. */
	assert_int_equal(f.n, 5);
	uint64_t want[] = {1, 18, 19, 20, 21};
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(f.seqs[i], want[i]);
	channel_worker_stats(w, &st);
	assert_int_equal(st.accepted, 21);
	assert_int_equal(st.delivered, 5);
	assert_int_equal(st.dropped, 16);
	assert_int_equal(st.high_water, 4);
	assert_false(channel_worker_check_blocked(w, in_ms(100), 0));
	channel_worker_free(w);
	bus_free(b);
}

static void test_drain_gives_up_at_deadline(void **state)
{
	(void)state;
	bus *b = bus_new();
	fake f;
	fake_init(&f);
	f.block = true;
	channel_worker *w = start(b, &f, 8);
	publish(b, 1);
	fake_wait_in_write(&f);
	for (uint64_t i = 2; i <= 4; i++)
		publish(b, i);
	channel_worker_drain(w, in_ms(50));
	channel_worker_join(w);
	channel_stats st;
	channel_worker_stats(w, &st);
	assert_int_equal(st.delivered, 0);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.discarded, 3);
	assert_int_equal(st.depth, 0);
	assert_int_equal(st.accepted, st.delivered + st.failed + st.dropped + st.discarded);
	assert_int_equal(f.closes, 1);
	channel_worker_free(w);
	bus_free(b);
}

/* What a failing flush loses is counted as failed, not delivered. */
static void test_lost_in_flush_is_failed(void **state)
{
	(void)state;
	bus *b = bus_new();
	fake f;
	fake_init(&f);
	f.fail_flush = true;
	channel_worker *w = start(b, &f, 64);
	for (uint64_t i = 1; i <= 10; i++)
		publish(b, i);
	channel_worker_drain(w, in_ms(10000));
	channel_worker_join(w);
	channel_stats st;
	channel_worker_stats(w, &st);
	assert_int_equal(st.accepted, 10);
	assert_int_equal(st.delivered, 0);
	assert_int_equal(st.failed, 10);
	channel_worker_free(w);
	bus_free(b);
}

static void test_free_without_drain_discards(void **state)
{
	(void)state;
	bus *b = bus_new();
	fake f;
	fake_init(&f);
	f.block = true;
	channel_worker *w = start(b, &f, 8);
	publish(b, 1);
	fake_wait_in_write(&f);
	publish(b, 2);
	/* Returns although the write never completes on its own. */
	channel_worker_free(w);
	assert_true(f.freed);
	assert_int_equal(f.n, 0);
	bus_free(b);
}

static void test_idle_worker_wakes_for_each_burst(void **state)
{
	(void)state;
	bus *b = bus_new();
	fake f;
	fake_init(&f);
	channel_worker *w = start(b, &f, 16);
	for (uint64_t i = 1; i <= 5; i++) {
		publish(b, i);
		/* Let the thread empty the queue and go to sleep between alerts. */
		for (int k = 0; k < 1000; k++) {
			pthread_mutex_lock(&f.mu);
			size_t n = f.n;
			pthread_mutex_unlock(&f.mu);
			if (n == i)
				break;
			ms_sleep(1);
		}
		pthread_mutex_lock(&f.mu);
		assert_int_equal(f.n, i);
		pthread_mutex_unlock(&f.mu);
	}
	channel_worker_free(w);
	bus_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_and_flushed),
		cmocka_unit_test(test_blocked_channel_drops_oldest),
		cmocka_unit_test(test_drain_gives_up_at_deadline),
		cmocka_unit_test(test_lost_in_flush_is_failed),
		cmocka_unit_test(test_free_without_drain_discards),
		cmocka_unit_test(test_idle_worker_wakes_for_each_burst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
