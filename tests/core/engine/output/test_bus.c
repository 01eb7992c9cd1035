/* Tests of the alert bus: fan-out in order, filters, drop-oldest with exact
 * in-band loss counts, empty->non-empty notifications, references, stats,
 * the drop hook, and publishing under concurrent consumers, a stalled
 * subscriber and subscribe/unsubscribe churn (run it under ASan and TSan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "engine/output/alert.h"
#include "engine/output/bus.h"

static char errbuf[512];

static engine_alert *mk(uint64_t seq)
{
	static const char *const tags[] = {"container", "shell"};
	static const alert_field fields[] = {{"proc.name", "bash"}, {"user.name", "root"}};
	alert_spec spec = {
		.seq = seq,
		.time_ns = seq * 1000,
		.priority = (int)(seq % 8),
		.rule = "Terminal shell in container",
		.source = "syscall",
		.hostname = "host",
		.text = "00:00:00.000000000: Warning A shell was spawned",
		.tags = tags,
		.ntags = 2,
		.fields = fields,
		.nfields = 2,
	};
	engine_alert *a = alert_new(&spec);
	assert_non_null(a);
	return a;
}

static unsigned refs(engine_alert *a)
{
	return atomic_load(&a->refs);
}

/* Publishes seq from..to (inclusive), dropping the caller's reference. */
static void publish_range(bus *b, uint64_t from, uint64_t to)
{
	for (uint64_t s = from; s <= to; s++) {
		engine_alert *a = mk(s);
		bus_publish(b, a);
		alert_unref(a);
	}
}

static bus_subscriber *sub_simple(bus *b, size_t cap, const char *name)
{
	bus_sub_opts o = {.capacity = cap, .name = name};
	bus_subscriber *s = bus_subscribe(b, &o, errbuf, sizeof(errbuf));
	if (!s)
		fail_msg("bus_subscribe: %s", errbuf);
	return s;
}

/* Pops one alert, checks its seq and lost count, unrefs it. */
static void expect_pop(bus_subscriber *s, uint64_t seq, uint64_t lost)
{
	uint64_t l = 12345;
	engine_alert *a = bus_pop(s, &l);
	if (!a)
		fail_msg("expected seq %llu, queue empty", (unsigned long long)seq);
	if (a->seq != seq || l != lost)
		fail_msg("expected seq %llu lost %llu, got seq %llu lost %llu", (unsigned long long)seq,
			 (unsigned long long)lost, (unsigned long long)a->seq, (unsigned long long)l);
	alert_unref(a);
}

static void expect_empty(bus_subscriber *s)
{
	uint64_t l = 12345;
	assert_null(bus_pop(s, &l));
	assert_int_equal(l, 0);
}

/* ---- fan-out ---------------------------------------------------------------------- */

static void test_one_subscriber_in_order(void **state)
{
	(void)state;
	bus *b = bus_new();
	assert_non_null(b);
	bus_subscriber *s = sub_simple(b, 64, "one");
	publish_range(b, 1, 50);
	for (uint64_t i = 1; i <= 50; i++)
		expect_pop(s, i, 0);
	expect_empty(s);
	bus_sub_stats st;
	bus_subscriber_stats(s, &st);
	assert_int_equal(st.accepted, 50);
	assert_int_equal(st.delivered, 50);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.filtered_out, 0);
	assert_int_equal(st.depth, 0);
	assert_int_equal(st.capacity, 64);
	assert_int_equal(st.high_water, 50);
	bus_unsubscribe(s);
	bus_free(b);
}

/* Alerts published before a subscriber existed are not delivered to it. */
static void test_late_subscriber_sees_only_later(void **state)
{
	(void)state;
	bus *b = bus_new();
	bus_subscriber *s1 = sub_simple(b, 16, "early");
	publish_range(b, 1, 3);
	bus_subscriber *s2 = sub_simple(b, 16, "late");
	publish_range(b, 4, 5);
	for (uint64_t i = 1; i <= 5; i++)
		expect_pop(s1, i, 0);
	expect_pop(s2, 4, 0);
	expect_pop(s2, 5, 0);
	expect_empty(s2);
	bus_unsubscribe(s1);
	bus_unsubscribe(s2);
	bus_free(b);
}

static void fan_out(size_t nsubs)
{
	bus *b = bus_new();
	bus_subscriber **subs = calloc(nsubs, sizeof(*subs));
	for (size_t i = 0; i < nsubs; i++)
		subs[i] = sub_simple(b, 128, NULL);
	bus_totals t;
	bus_stats(b, &t);
	assert_int_equal(t.subscribers, nsubs);
	publish_range(b, 1, 100);
	/* Interleave the consumers to show queues are independent. */
	for (uint64_t seq = 1; seq <= 100; seq++)
		for (size_t i = 0; i < nsubs; i++)
			expect_pop(subs[i], seq, 0);
	for (size_t i = 0; i < nsubs; i++) {
		expect_empty(subs[i]);
		bus_unsubscribe(subs[i]);
	}
	bus_stats(b, &t);
	assert_int_equal(t.subscribers, 0);
	assert_int_equal(t.published, 100);
	assert_int_equal(t.dropped, 0);
	free(subs);
	bus_free(b);
}

static void test_fan_out_two(void **state)
{
	(void)state;
	fan_out(2);
}

static void test_fan_out_many(void **state)
{
	(void)state;
	fan_out(33);
}

/* Unsubscribing from the middle leaves a hole that must not disturb the
 * others, and a new subscriber after it (compaction) gets alerts too. */
static void test_unsubscribe_middle_then_subscribe(void **state)
{
	(void)state;
	bus *b = bus_new();
	bus_subscriber *a = sub_simple(b, 8, "a");
	bus_subscriber *m = sub_simple(b, 8, "m");
	bus_subscriber *z = sub_simple(b, 8, "z");
	bus_unsubscribe(m);
	publish_range(b, 1, 1);
	bus_subscriber *n = sub_simple(b, 8, "n");
	publish_range(b, 2, 2);
	expect_pop(a, 1, 0);
	expect_pop(a, 2, 0);
	expect_pop(z, 1, 0);
	expect_pop(z, 2, 0);
	expect_pop(n, 2, 0);
	expect_empty(n);
	bus_totals t;
	bus_stats(b, &t);
	assert_int_equal(t.subscribers, 3);
	bus_unsubscribe(a);
	bus_unsubscribe(z);
	bus_unsubscribe(n);
	bus_free(b);
}

/* ---- filters ---------------------------------------------------------------------- */

static atomic_int filter_calls;

/* Accepts priorities <= *(int *)user (i.e. at least as severe). */
static bool filter_priority(const engine_alert *a, void *user)
{
	atomic_fetch_add(&filter_calls, 1);
	return a->priority <= *(int *)user;
}

static void test_filter_excludes(void **state)
{
	(void)state;
	bus *b = bus_new();
	int max_prio = 3;
	bus_sub_opts o = {.capacity = 100, .filter = filter_priority, .user = &max_prio, .name = "severe"};
	bus_subscriber *f = bus_subscribe(b, &o, errbuf, sizeof(errbuf));
	assert_non_null(f);
	bus_subscriber *all = sub_simple(b, 100, "all");
	atomic_store(&filter_calls, 0);
	publish_range(b, 1, 40); /* priority = seq % 8 */
	assert_int_equal(atomic_load(&filter_calls), 40);
	uint64_t n = 0, l;
	engine_alert *a;
	while ((a = bus_pop(f, &l))) {
		assert_true(a->priority <= 3);
		assert_int_equal(l, 0);
		n++;
		alert_unref(a);
	}
	assert_int_equal(n, 20); /* seq%8 in 0..3: half of 40 */
	bus_sub_stats st;
	bus_subscriber_stats(f, &st);
	assert_int_equal(st.accepted, 20);
	assert_int_equal(st.filtered_out, 20);
	assert_int_equal(st.delivered, 20);
	bus_subscriber_stats(all, &st);
	assert_int_equal(st.accepted, 40);
	assert_int_equal(st.filtered_out, 0);
	/* A full filtered subscriber only counts accepted alerts as lost. */
	bus_unsubscribe(all);
	bus_unsubscribe(f);
	bus_free(b);
}

static bool filter_even(const engine_alert *a, void *user)
{
	(void)user;
	return a->seq % 2 == 0;
}

static void test_filter_and_drops(void **state)
{
	(void)state;
	bus *b = bus_new();
	bus_sub_opts o = {.capacity = 2, .filter = filter_even};
	bus_subscriber *s = bus_subscribe(b, &o, errbuf, sizeof(errbuf));
	publish_range(b, 1, 10); /* even: 2 4 6 8 10; queue keeps 8 10 */
	expect_pop(s, 8, 3);
	expect_pop(s, 10, 0);
	expect_empty(s);
	bus_sub_stats st;
	bus_subscriber_stats(s, &st);
	assert_int_equal(st.accepted, 5);
	assert_int_equal(st.filtered_out, 5);
	assert_int_equal(st.dropped, 3);
	bus_unsubscribe(s);
	bus_free(b);
}

/* ---- drop oldest ------------------------------------------------------------------ */

static void test_full_queue_drops_oldest(void **state)
{
	(void)state;
	bus *b = bus_new();
	bus_subscriber *s = sub_simple(b, 4, "slow");
	bus_subscriber *fast = sub_simple(b, 16, "fast");
	publish_range(b, 1, 10);
	expect_pop(s, 7, 6);
	expect_pop(s, 8, 0);
	expect_pop(s, 9, 0);
	expect_pop(s, 10, 0);
	expect_empty(s);
	/* The other subscriber is unaffected. */
	for (uint64_t i = 1; i <= 10; i++)
		expect_pop(fast, i, 0);
	bus_sub_stats st;
	bus_subscriber_stats(s, &st);
	assert_int_equal(st.accepted, 10);
	assert_int_equal(st.dropped, 6);
	assert_int_equal(st.delivered, 4);
	assert_int_equal(st.depth, 0);
	assert_int_equal(st.high_water, 4);
	bus_totals t;
	bus_stats(b, &t);
	assert_int_equal(t.dropped, 6);

	/* Filling without overflowing loses nothing. */
	publish_range(b, 11, 14);
	for (uint64_t i = 11; i <= 14; i++)
		expect_pop(s, i, 0);

	/* Losses in two rounds, with a partial pop in between. */
	publish_range(b, 15, 20); /* keeps 17..20, lost 2 */
	expect_pop(s, 17, 2);
	publish_range(b, 21, 23); /* 18 19 20 21 22 23: keeps 20..23, lost 18 19 */
	expect_pop(s, 20, 2);
	expect_pop(s, 21, 0);
	expect_pop(s, 22, 0);
	expect_pop(s, 23, 0);
	expect_empty(s);
	bus_subscriber_stats(s, &st);
	assert_int_equal(st.dropped, 10);
	assert_int_equal(st.accepted, st.delivered + st.dropped + st.depth);
	engine_alert *a;
	while ((a = bus_pop(fast, NULL)) != NULL) /* NULL lost_before is allowed */
		alert_unref(a);
	bus_unsubscribe(fast);
	bus_unsubscribe(s);
	bus_free(b);
}

/* A ring bounded in bytes: the oldest go while the bytes would pass the
 * bound, counted like a full ring's, even many at once (more than one
 * push hands back) for one large alert; the newest is always kept. */
static void test_byte_bound_drops_oldest(void **state)
{
	(void)state;
	bus *b = bus_new();
	engine_alert *probe = mk(0);
	size_t one = probe->bytes;
	alert_unref(probe);
	assert_true(one > sizeof(engine_alert));
	bus_sub_opts o = {.capacity = 100, .max_bytes = 12 * one, .name = "bytes"};
	bus_subscriber *s = bus_subscribe(b, &o, errbuf, sizeof(errbuf));
	assert_non_null(s);
	publish_range(b, 1, 15); /* keeps 4..15 */
	bus_sub_stats st;
	bus_subscriber_stats(s, &st);
	assert_int_equal(st.depth, 12);
	assert_int_equal(st.bytes, 12 * one);
	assert_int_equal(st.max_bytes, 12 * one);
	assert_int_equal(st.dropped, 3);
	expect_pop(s, 4, 3);
	bus_subscriber_stats(s, &st);
	assert_int_equal(st.bytes, 11 * one);

	/* One alert larger than the bound pushes out all eleven. */
	char big[4096];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	alert_spec spec = {.seq = 16, .rule = "r", .source = "syscall", .hostname = "h", .text = big};
	engine_alert *a = alert_new(&spec);
	assert_non_null(a);
	assert_true(a->bytes > 12 * one);
	bus_publish(b, a);
	alert_unref(a);
	bus_subscriber_stats(s, &st);
	assert_int_equal(st.depth, 1);
	assert_int_equal(st.dropped, 14);
	expect_pop(s, 16, 11);
	expect_empty(s);
	bus_subscriber_stats(s, &st);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(st.accepted, st.delivered + st.dropped + st.depth);
	bus_totals t;
	bus_stats(b, &t);
	assert_int_equal(t.dropped, 14);
	bus_unsubscribe(s);
	bus_free(b);
}

/* Capacity 1: every publish replaces the queued alert. */
static void test_capacity_one(void **state)
{
	(void)state;
	bus *b = bus_new();
	bus_subscriber *s = sub_simple(b, 1, "one");
	publish_range(b, 1, 5);
	expect_pop(s, 5, 4);
	expect_empty(s);
	publish_range(b, 6, 6);
	expect_pop(s, 6, 0);
	bus_unsubscribe(s);
	bus_free(b);
}

/* ---- notify ----------------------------------------------------------------------- */

typedef struct notify_rec {
	int calls;
	bus_subscriber *last;
	bool pop_inside; /* pop from inside notify, as a writer starting at once would */
	uint64_t popped_seq;
} notify_rec;

static void notify_count(bus_subscriber *s, void *user)
{
	notify_rec *r = user;
	r->calls++;
	r->last = s;
	if (r->pop_inside) {
		engine_alert *a = bus_pop(s, NULL);
		assert_non_null(a);
		r->popped_seq = a->seq;
		alert_unref(a);
	}
}

static void test_notify_on_empty_to_non_empty(void **state)
{
	(void)state;
	bus *b = bus_new();
	notify_rec r = {0};
	bus_sub_opts o = {.capacity = 3, .notify = notify_count, .user = &r, .filter = filter_even};
	bus_subscriber *s = bus_subscribe(b, &o, errbuf, sizeof(errbuf));
	assert_non_null(s);
	publish_range(b, 1, 1); /* filtered: no transition */
	assert_int_equal(r.calls, 0);
	publish_range(b, 2, 2);
	assert_int_equal(r.calls, 1);
	assert_ptr_equal(r.last, s);
	publish_range(b, 3, 8); /* 4 6 8: non-empty already, then full and dropping */
	assert_int_equal(r.calls, 1);
	expect_pop(s, 4, 1);
	publish_range(b, 10, 10); /* still non-empty */
	assert_int_equal(r.calls, 1);
	expect_pop(s, 6, 0);
	expect_pop(s, 8, 0);
	expect_pop(s, 10, 0);
	publish_range(b, 12, 12); /* emptied by pops: notify again */
	assert_int_equal(r.calls, 2);
	expect_pop(s, 12, 0);
	expect_empty(s);
	expect_empty(s);
	publish_range(b, 14, 14);
	assert_int_equal(r.calls, 3);
	bus_unsubscribe(s);
	/* After unsubscribe: never again. */
	publish_range(b, 16, 16);
	assert_int_equal(r.calls, 3);
	bus_free(b);
}

static void test_pop_from_notify(void **state)
{
	(void)state;
	bus *b = bus_new();
	notify_rec r = {.pop_inside = true};
	bus_sub_opts o = {.capacity = 2, .notify = notify_count, .user = &r};
	bus_subscriber *s = bus_subscribe(b, &o, errbuf, sizeof(errbuf));
	for (uint64_t i = 1; i <= 5; i++) {
		publish_range(b, i, i);
		assert_int_equal(r.calls, i); /* each pop empties it again */
		assert_int_equal(r.popped_seq, i);
	}
	expect_empty(s);
	bus_unsubscribe(s);
	bus_free(b);
}

/* ---- references ------------------------------------------------------------------- */

static void test_references(void **state)
{
	(void)state;
	bus *b = bus_new();
	bus_subscriber *s1 = sub_simple(b, 4, "s1");
	bus_subscriber *s2 = sub_simple(b, 4, "s2");
	bus_subscriber *s3 = sub_simple(b, 1, "s3");
	engine_alert *a = mk(1);
	bus_publish(b, a);
	assert_int_equal(refs(a), 4); /* ours + one per queue */
	engine_alert *p = bus_pop(s1, NULL);
	assert_ptr_equal(p, a);
	assert_int_equal(refs(a), 4); /* the popper owns the queue's one now */
	alert_unref(p);
	assert_int_equal(refs(a), 3);
	/* s3 (capacity 1) drops a when the next alert arrives. */
	engine_alert *c = mk(2);
	bus_publish(b, c);
	assert_int_equal(refs(a), 2);
	assert_int_equal(refs(c), 4);
	/* Unsubscribing releases what is queued. */
	bus_unsubscribe(s2);
	assert_int_equal(refs(a), 1);
	assert_int_equal(refs(c), 3);
	bus_unsubscribe(s3);
	assert_int_equal(refs(c), 2);
	/* bus_free releases the queues of subscribers still there. */
	bus_free(b);
	assert_int_equal(refs(c), 1);
	alert_unref(a);
	alert_unref(c);
	/* Publishing NULL is ignored. */
	b = bus_new();
	bus_publish(b, NULL);
	bus_totals t;
	bus_stats(b, &t);
	assert_int_equal(t.published, 0);
	bus_free(b);
	bus_free(NULL);
	bus_unsubscribe(NULL);
}

/* ---- errors, names, stats --------------------------------------------------------- */

static void test_subscribe_errors(void **state)
{
	(void)state;
	bus *b = bus_new();
	bus_sub_opts o = {.capacity = 0, .name = "zero"};
	errbuf[0] = 0;
	assert_null(bus_subscribe(b, &o, errbuf, sizeof(errbuf)));
	assert_non_null(strstr(errbuf, "capacity 0"));
	assert_non_null(strstr(errbuf, "zero"));
	o.capacity = BUS_CAPACITY_MAX + 1;
	assert_null(bus_subscribe(b, &o, errbuf, sizeof(errbuf)));
	assert_non_null(strstr(errbuf, "out of range"));
	assert_null(bus_subscribe(b, &o, NULL, 0));
	assert_null(bus_subscribe(b, NULL, errbuf, sizeof(errbuf)));
	bus_totals t;
	bus_stats(b, &t);
	assert_int_equal(t.subscribers, 0);
	bus_free(b);
}

typedef struct listed {
	int n;
	char names[8][64];
	bus_sub_stats st[8];
} listed;

static void list_one(const char *name, const bus_sub_stats *st, void *user)
{
	listed *l = user;
	snprintf(l->names[l->n], sizeof(l->names[0]), "%s", name);
	l->st[l->n++] = *st;
}

static void test_names_and_iterator(void **state)
{
	(void)state;
	bus *b = bus_new();
	bus_subscriber *x = sub_simple(b, 2, "grpc-outputs-1");
	bus_subscriber *y = sub_simple(b, 8, NULL);
	bus_subscriber *z = sub_simple(b, 3, "z");
	assert_string_equal(bus_subscriber_name(x), "grpc-outputs-1");
	assert_string_equal(bus_subscriber_name(y), "subscriber-2");
	bus_unsubscribe(z);
	publish_range(b, 1, 5);
	expect_pop(y, 1, 0);
	listed l = {0};
	assert_int_equal(bus_foreach_subscriber(b, list_one, &l), 2);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.names[0], "grpc-outputs-1");
	assert_int_equal(l.st[0].dropped, 3);
	assert_int_equal(l.st[0].depth, 2);
	assert_int_equal(l.st[0].capacity, 2);
	assert_string_equal(l.names[1], "subscriber-2");
	assert_int_equal(l.st[1].delivered, 1);
	assert_int_equal(l.st[1].depth, 4);
	assert_int_equal(l.st[1].high_water, 5);
	assert_int_equal(bus_foreach_subscriber(b, NULL, NULL), 2);
	bus_unsubscribe(x);
	bus_unsubscribe(y);
	bus_free(b);
}

/* ---- drop hook -------------------------------------------------------------------- */

typedef struct hook_rec {
	int calls;
	char name[64];
	uint64_t last, total;
} hook_rec;

static void hook_count(const char *name, uint64_t dropped_now, void *user)
{
	hook_rec *h = user;
	h->calls++;
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->last = dropped_now;
	h->total += dropped_now;
}

static void test_drop_hook_rate_limited(void **state)
{
	(void)state;
	bus *b = bus_new();
	hook_rec h = {0};
	bus_set_drop_hook(b, hook_count, &h);
	bus_subscriber *s = sub_simple(b, 2, "stuck");
	bus_subscriber *ok = sub_simple(b, 1000, "ok");
	publish_range(b, 1, 2);
	assert_int_equal(h.calls, 0); /* no drop yet */
	publish_range(b, 3, 3);
	assert_int_equal(h.calls, 1); /* the first drop is told at once */
	assert_string_equal(h.name, "stuck");
	assert_int_equal(h.last, 1);
	publish_range(b, 4, 100); /* 97 more drops within the second: accumulated */
	assert_int_equal(h.calls, 1);
	struct timespec d = {.tv_sec = 1, .tv_nsec = 100 * 1000 * 1000};
	nanosleep(&d, NULL);
	publish_range(b, 101, 101);
	assert_int_equal(h.calls, 2);
	assert_int_equal(h.last, 98);
	bus_sub_stats st;
	bus_subscriber_stats(s, &st);
	assert_int_equal(h.total, st.dropped);
	/* Removed: not called any more. */
	bus_set_drop_hook(b, NULL, NULL);
	publish_range(b, 102, 110);
	assert_int_equal(h.calls, 2);
	bus_unsubscribe(s);
	bus_unsubscribe(ok);
	bus_free(b);
}

/* ---- threads ---------------------------------------------------------------------- */

#define THREADED_N 200000

/* What a notify-driven consumer waits on. The "pop until NULL, then sleep
 * until notified" loop below is the pattern the gRPC writer follows: the
 * pending flag is set under the same mutex the consumer checks, so a
 * notify landing between its last NULL pop and its sleep is not lost. */
typedef struct waker {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool pending;
	bool done;
	atomic_ulong notifies;
} waker;

static void waker_init(waker *w)
{
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->pending = false;
	w->done = false;
	atomic_init(&w->notifies, 0);
}

static void waker_destroy(waker *w)
{
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

static void waker_notify(bus_subscriber *s, void *user)
{
	(void)s;
	waker *w = user;
	atomic_fetch_add(&w->notifies, 1);
	pthread_mutex_lock(&w->mu);
	w->pending = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void waker_finish(waker *w)
{
	pthread_mutex_lock(&w->mu);
	w->done = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

typedef struct consumer {
	bus_subscriber *sub;
	waker w;
	uint64_t received, lost, last_seq;
	uint64_t order_errors; /* seq != last + 1 + lost_before */
} consumer;

static void *consumer_main(void *arg)
{
	consumer *c = arg;
	for (;;) {
		uint64_t lost;
		engine_alert *a;
		while ((a = bus_pop(c->sub, &lost))) {
			if (a->seq != c->last_seq + 1 + lost)
				c->order_errors++;
			c->last_seq = a->seq;
			c->received++;
			c->lost += lost;
			alert_unref(a);
		}
		pthread_mutex_lock(&c->w.mu);
		while (!c->w.pending && !c->w.done)
			pthread_cond_wait(&c->w.cv, &c->w.mu);
		bool done = c->w.done && !c->w.pending;
		c->w.pending = false;
		pthread_mutex_unlock(&c->w.mu);
		if (done) {
			/* Publishing is over; take what is left. */
			while ((a = bus_pop(c->sub, &lost))) {
				if (a->seq != c->last_seq + 1 + lost)
					c->order_errors++;
				c->last_seq = a->seq;
				c->received++;
				c->lost += lost;
				alert_unref(a);
			}
			return NULL;
		}
	}
}

typedef struct publisher {
	bus *b;
	uint64_t first, count;
	atomic_ullong *started; /* seq about to be published (monotonic) */
	atomic_bool *running;
} publisher;

static void *publisher_main(void *arg)
{
	publisher *p = arg;
	for (uint64_t i = 0; i < p->count; i++) {
		uint64_t seq = p->first + i;
		engine_alert *a = mk(seq);
		if (p->started)
			atomic_store(p->started, seq);
		bus_publish(p->b, a);
		alert_unref(a);
	}
	if (p->running)
		atomic_store(p->running, false);
	return NULL;
}

/* A churning subscriber's user data: callbacks check it is still live. */
typedef struct churn_rec {
	atomic_bool alive;
} churn_rec;

static atomic_ulong churn_violations;

static bool churn_filter(const engine_alert *a, void *user)
{
	churn_rec *r = user;
	if (!atomic_load(&r->alive))
		atomic_fetch_add(&churn_violations, 1);
	(void)a;
	return true;
}

static void churn_notify(bus_subscriber *s, void *user)
{
	(void)s;
	churn_rec *r = user;
	if (!atomic_load(&r->alive))
		atomic_fetch_add(&churn_violations, 1);
}

#define CHURN_MAX 20000

typedef struct churner {
	bus *b;
	atomic_ullong *started;
	atomic_bool *running;
	churn_rec recs[CHURN_MAX];
	unsigned rounds;
	uint64_t errors;   /* delivery guarantee violated */
	uint64_t received; /* alerts popped over all rounds */
	uint64_t stats_calls;
} churner;

static void *churner_main(void *arg)
{
	churner *c = arg;
	unsigned seed = 7;
	while (atomic_load(c->running) && c->rounds < CHURN_MAX) {
		churn_rec *r = &c->recs[c->rounds];
		atomic_init(&r->alive, true);
		char name[32];
		snprintf(name, sizeof(name), "churn-%u", c->rounds);
		bus_sub_opts o = {
			.capacity = 1 + rand_r(&seed) % 64, .filter = churn_filter, .notify = churn_notify, .user = r, .name = name};
		bus_subscriber *s = bus_subscribe(c->b, &o, NULL, 0);
		if (!s) {
			c->errors++;
			break;
		}
		/* Every alert whose publish starts after this point must be
		 * delivered or counted lost. */
		uint64_t started = atomic_load(c->started);
		uint64_t last = 0;
		int pops = rand_r(&seed) % 40;
		for (int i = 0; i < pops; i++) {
			uint64_t lost;
			engine_alert *a = bus_pop(s, &lost);
			if (!a) {
				sched_yield();
				continue;
			}
			if (last == 0) {
				if (a->seq - lost > started + 1)
					c->errors++; /* something after subscribe went missing */
			} else if (a->seq != last + 1 + lost) {
				c->errors++;
			}
			last = a->seq;
			c->received++;
			alert_unref(a);
		}
		if (c->rounds % 16 == 0) {
			c->stats_calls += bus_foreach_subscriber(c->b, NULL, NULL);
			bus_totals t;
			bus_stats(c->b, &t);
		}
		bus_unsubscribe(s);
		atomic_store(&r->alive, false);
		c->rounds++;
	}
	return NULL;
}

static void test_threaded_publish_consume_stall_churn(void **state)
{
	(void)state;
	bus *b = bus_new();
	atomic_ullong started;
	atomic_init(&started, 0);
	atomic_bool running;
	atomic_init(&running, true);
	atomic_init(&churn_violations, 0);

	/* Big enough to never drop: exactly everything, in order. */
	consumer *big = calloc(1, sizeof(*big));
	waker_init(&big->w);
	bus_sub_opts o = {.capacity = THREADED_N, .notify = waker_notify, .user = &big->w, .name = "fast"};
	big->sub = bus_subscribe(b, &o, errbuf, sizeof(errbuf));
	assert_non_null(big->sub);
	/* Small: may drop under scheduling noise; the accounting must be exact. */
	consumer *small = calloc(1, sizeof(*small));
	waker_init(&small->w);
	o = (bus_sub_opts){.capacity = 64, .notify = waker_notify, .user = &small->w, .name = "small"};
	small->sub = bus_subscribe(b, &o, errbuf, sizeof(errbuf));
	assert_non_null(small->sub);
	/* Stalled: never popped. */
	bus_subscriber *stalled = sub_simple(b, 1000, "stalled");

	churner *ch = calloc(1, sizeof(*ch));
	ch->b = b;
	ch->started = &started;
	ch->running = &running;

	pthread_t tb, ts, tc, tp;
	assert_int_equal(pthread_create(&tb, NULL, consumer_main, big), 0);
	assert_int_equal(pthread_create(&ts, NULL, consumer_main, small), 0);
	assert_int_equal(pthread_create(&tc, NULL, churner_main, ch), 0);
	publisher p = {.b = b, .first = 1, .count = THREADED_N, .started = &started, .running = &running};
	assert_int_equal(pthread_create(&tp, NULL, publisher_main, &p), 0);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	waker_finish(&big->w);
	waker_finish(&small->w);
	pthread_join(tb, NULL);
	pthread_join(ts, NULL);

	assert_int_equal(big->received, THREADED_N);
	assert_int_equal(big->lost, 0);
	assert_int_equal(big->order_errors, 0);
	assert_int_equal(big->last_seq, THREADED_N);
	assert_true(atomic_load(&big->w.notifies) >= 1);

	assert_int_equal(small->order_errors, 0);
	assert_int_equal(small->received + small->lost, THREADED_N);
	assert_int_equal(small->last_seq, THREADED_N);
	bus_sub_stats st;
	bus_subscriber_stats(small->sub, &st);
	assert_int_equal(st.dropped, small->lost);
	assert_int_equal(st.delivered, small->received);
	assert_int_equal(st.accepted, THREADED_N);

	bus_subscriber_stats(stalled, &st);
	assert_int_equal(st.depth, 1000);
	assert_int_equal(st.high_water, 1000);
	assert_int_equal(st.dropped, THREADED_N - 1000);
	assert_int_equal(st.accepted, THREADED_N);
	expect_pop(stalled, THREADED_N - 999, THREADED_N - 1000);

	assert_true(ch->rounds > 0);
	assert_int_equal(ch->errors, 0);
	assert_int_equal(atomic_load(&churn_violations), 0);
	print_message("threaded: small lost %llu of %d, churn rounds %u popped %llu\n",
		      (unsigned long long)small->lost, THREADED_N, ch->rounds, (unsigned long long)ch->received);

	bus_totals t;
	bus_stats(b, &t);
	assert_int_equal(t.published, THREADED_N);
	assert_int_equal(t.subscribers, 3);

	bus_unsubscribe(big->sub);
	bus_unsubscribe(small->sub);
	bus_unsubscribe(stalled);
	waker_destroy(&big->w);
	waker_destroy(&small->w);
	free(big);
	free(small);
	free(ch);
	bus_free(b);
}

/* Two publishers: each one's alerts reach the subscriber in its order,
 * none missing, none twice. */
static void test_two_publishers(void **state)
{
	(void)state;
	enum { PER = 50000, BASE2 = 1000000 };
	bus *b = bus_new();
	bus_subscriber *s = sub_simple(b, 2 * PER, "both");
	publisher p1 = {.b = b, .first = 1, .count = PER};
	publisher p2 = {.b = b, .first = BASE2 + 1, .count = PER};
	pthread_t t1, t2;
	assert_int_equal(pthread_create(&t1, NULL, publisher_main, &p1), 0);
	assert_int_equal(pthread_create(&t2, NULL, publisher_main, &p2), 0);
	/* Pop concurrently with the publishers. */
	uint64_t last1 = 0, last2 = 0, n = 0, lost_total = 0;
	while (n < 2 * PER) {
		uint64_t lost;
		engine_alert *a = bus_pop(s, &lost);
		if (!a) {
			sched_yield();
			continue;
		}
		lost_total += lost;
		if (a->seq > BASE2) {
			assert_int_equal(a->seq, last2 + 1 + BASE2 * (last2 == 0));
			last2 = a->seq;
		} else {
			assert_int_equal(a->seq, last1 + 1);
			last1 = a->seq;
		}
		n++;
		alert_unref(a);
	}
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_int_equal(lost_total, 0);
	assert_int_equal(last1, PER);
	assert_int_equal(last2, BASE2 + PER);
	expect_empty(s);
	bus_unsubscribe(s);
	bus_free(b);
}

/* bus_pop_many: oldest first, at most max, the loss before the batch told
 * once, the ring wrapping. */
static void test_pop_many(void **state)
{
	(void)state;
	bus *b = bus_new();
	bus_sub_opts o = {.capacity = 4};
	bus_subscriber *s = bus_subscribe(b, &o, errbuf, sizeof(errbuf));
	assert_non_null(s);
	engine_alert *out[8];
	uint64_t lost = 99;
	assert_int_equal(bus_pop_many(s, out, 8, &lost), 0);
	assert_int_equal(lost, 0);
	publish_range(b, 1, 6); /* 1 and 2 dropped */
	assert_int_equal(bus_pop_many(s, out, 3, &lost), 3);
	assert_int_equal(lost, 2);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(out[i]->seq, 3 + i);
		assert_int_equal(refs(out[i]), 1);
		alert_unref(out[i]);
	}
	publish_range(b, 7, 9);
	assert_int_equal(bus_pop_many(s, out, 8, &lost), 4);
	assert_int_equal(lost, 0);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(out[i]->seq, 6 + i);
		alert_unref(out[i]);
	}
	bus_sub_stats st;
	bus_subscriber_stats(s, &st);
	assert_int_equal(st.delivered, 7);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.depth, 0);
	bus_unsubscribe(s);
	bus_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_subscriber_in_order),
		cmocka_unit_test(test_late_subscriber_sees_only_later),
		cmocka_unit_test(test_fan_out_two),
		cmocka_unit_test(test_fan_out_many),
		cmocka_unit_test(test_unsubscribe_middle_then_subscribe),
		cmocka_unit_test(test_filter_excludes),
		cmocka_unit_test(test_filter_and_drops),
		cmocka_unit_test(test_full_queue_drops_oldest),
		cmocka_unit_test(test_capacity_one),
		cmocka_unit_test(test_notify_on_empty_to_non_empty),
		cmocka_unit_test(test_pop_from_notify),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_subscribe_errors),
		cmocka_unit_test(test_names_and_iterator),
		cmocka_unit_test(test_drop_hook_rate_limited),
		cmocka_unit_test(test_threaded_publish_consume_stall_churn),
		cmocka_unit_test(test_two_publishers),
		cmocka_unit_test(test_pop_many),
		cmocka_unit_test(test_byte_bound_drops_oldest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
