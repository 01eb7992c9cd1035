/* Alert bus benchmark: how fast the engine thread can publish to 0, 1, 8
 * and 64 subscribers drained by consumer threads, how much each subscriber
 * receives, and what one stalled subscriber (never popped, always full, so
 * every publish drops its oldest alert) costs the publisher.
 *
 * Usage: bench-bus [alerts per run (default 1000000)] [runs (default 5)]
 * Figures are medians over the runs. The publish loop builds each alert
 * with alert_new() and drops its own reference after publishing, as the
 * engine does; the 0-subscriber line is that cost alone. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/output/alert.h"
#include "engine/output/bus.h"

#define BENCH_CAPACITY 4096
#define BENCH_MAX_SUBS 128

/* One consumer thread serves several subscribers and sleeps when all of
 * them are empty, woken by their notify. */
typedef struct bench_consumer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool pending, done;
	bus_subscriber *subs[BENCH_MAX_SUBS];
	size_t nsubs;
	uint64_t popped;
} bench_consumer;

static void bench_notify(bus_subscriber *s, void *user)
{
	(void)s;
	bench_consumer *c = user;
	pthread_mutex_lock(&c->mu);
	c->pending = true;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static size_t bench_drain(bench_consumer *c)
{
	size_t n = 0;
	bool any;
	do {
		any = false;
		for (size_t i = 0; i < c->nsubs; i++) {
			/* A few per subscriber per sweep, like interleaved writers. */
			for (int k = 0; k < 32; k++) {
				engine_alert *a = bus_pop(c->subs[i], NULL);
				if (!a)
					break;
				alert_unref(a);
				n++;
				any = true;
			}
		}
	} while (any);
	return n;
}

static void *bench_consumer_main(void *arg)
{
	bench_consumer *c = arg;
	for (;;) {
		c->popped += bench_drain(c);
		pthread_mutex_lock(&c->mu);
		while (!c->pending && !c->done)
			pthread_cond_wait(&c->cv, &c->mu);
		bool done = c->done && !c->pending;
		c->pending = false;
		pthread_mutex_unlock(&c->mu);
		if (done) {
			c->popped += bench_drain(c);
			return NULL;
		}
	}
}

typedef struct bench_result {
	double rate;            /* alerts published per second */
	double delivered_min;   /* fraction of alerts the worst consumed subscriber popped */
	double delivered_avg;
	uint64_t stalled_dropped;
} bench_result;

static double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_run(size_t nsubs, size_t nthreads, bool stalled, uint64_t n, bench_result *r)
{
	char err[256];
	bus *b = bus_new();
	if (!b)
		return -1;
	bench_consumer *cons = calloc(nthreads ? nthreads : 1, sizeof(*cons));
	if (!cons) {
		bus_free(b);
		return -1;
	}
	for (size_t t = 0; t < nthreads; t++) {
		pthread_mutex_init(&cons[t].mu, NULL);
		pthread_cond_init(&cons[t].cv, NULL);
	}
	for (size_t i = 0; i < nsubs; i++) {
		bench_consumer *c = &cons[i % nthreads];
		char name[32];
		snprintf(name, sizeof(name), "bench-%zu", i);
		bus_sub_opts o = {.capacity = BENCH_CAPACITY, .notify = bench_notify, .user = c, .name = name};
		bus_subscriber *s = bus_subscribe(b, &o, err, sizeof(err));
		if (!s) {
			fprintf(stderr, "bench-bus: %s\n", err);
			return -1;
		}
		c->subs[c->nsubs++] = s;
	}
	bus_subscriber *stuck = NULL;
	if (stalled) {
		bus_sub_opts o = {.capacity = BENCH_CAPACITY, .name = "stalled"};
		stuck = bus_subscribe(b, &o, err, sizeof(err));
		if (!stuck) {
			fprintf(stderr, "bench-bus: %s\n", err);
			return -1;
		}
	}
	for (size_t t = 0; t < nthreads; t++)
		pthread_create(&cons[t].thread, NULL, bench_consumer_main, &cons[t]);

	static const alert_field fields[] = {{"proc.name", "bash"}, {"container.id", "3ad7b26ded6d"}};
	alert_spec spec = {
		.rule = "Terminal shell in container",
		.source = "syscall",
		.hostname = "bench",
		.text = "16:17:57.881781397: Notice A shell was spawned in a container (user=root shell=bash)",
		.fields = fields,
		.nfields = 2,
		.priority = 5,
	};
	double t0 = bench_now();
	for (uint64_t i = 1; i <= n; i++) {
		spec.seq = i;
		spec.time_ns = i;
		engine_alert *a = alert_new(&spec);
		if (!a)
			return -1;
		bus_publish(b, a);
		alert_unref(a);
	}
	double t1 = bench_now();

	for (size_t t = 0; t < nthreads; t++) {
		pthread_mutex_lock(&cons[t].mu);
		cons[t].done = true;
		pthread_cond_signal(&cons[t].cv);
		pthread_mutex_unlock(&cons[t].mu);
		pthread_join(cons[t].thread, NULL);
	}
	r->rate = (double)n / (t1 - t0);
	r->delivered_min = nsubs ? 1.0 : 0;
	r->delivered_avg = 0;
	for (size_t t = 0; t < nthreads; t++) {
		for (size_t i = 0; i < cons[t].nsubs; i++) {
			bus_sub_stats st;
			bus_subscriber_stats(cons[t].subs[i], &st);
			double f = (double)st.delivered / (double)n;
			if (f < r->delivered_min)
				r->delivered_min = f;
			r->delivered_avg += f / (double)nsubs;
			bus_unsubscribe(cons[t].subs[i]);
		}
		pthread_cond_destroy(&cons[t].cv);
		pthread_mutex_destroy(&cons[t].mu);
	}
	r->stalled_dropped = 0;
	if (stuck) {
		bus_sub_stats st;
		bus_subscriber_stats(stuck, &st);
		r->stalled_dropped = st.dropped;
		bus_unsubscribe(stuck);
	}
	free(cons);
	bus_free(b);
	return 0;
}

static int bench_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* Runs a scenario `runs` times; returns the median of each figure. */
static int bench_median(size_t nsubs, size_t nthreads, bool stalled, uint64_t n, int runs, bench_result *out)
{
	double rate[64], dmin[64], davg[64];
	uint64_t dropped = 0;
	for (int i = 0; i < runs; i++) {
		bench_result r;
		if (bench_run(nsubs, nthreads, stalled, n, &r) != 0)
			return -1;
		rate[i] = r.rate;
		dmin[i] = r.delivered_min;
		davg[i] = r.delivered_avg;
		dropped = r.stalled_dropped;
	}
	qsort(rate, (size_t)runs, sizeof(double), bench_cmp);
	qsort(dmin, (size_t)runs, sizeof(double), bench_cmp);
	qsort(davg, (size_t)runs, sizeof(double), bench_cmp);
	out->rate = rate[runs / 2];
	out->delivered_min = dmin[runs / 2];
	out->delivered_avg = davg[runs / 2];
	out->stalled_dropped = dropped;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	if (n == 0 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: bench-bus [alerts>0] [runs 1..64]\n");
		return 2;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	/* The publisher gets a core; consumers share the rest (at least one). */
	size_t maxthreads = ncpu > 2 ? (size_t)ncpu - 1 : 1;
	printf("bench-bus: %llu alerts per run, median of %d runs, %ld cpus, capacity %d\n", (unsigned long long)n,
	       runs, ncpu, BENCH_CAPACITY);
	printf("%-28s %14s %12s %12s\n", "scenario", "publish/s", "deliv.min", "deliv.avg");
	static const size_t subs[] = {0, 1, 8, 64};
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		size_t th = subs[i] < maxthreads ? subs[i] : maxthreads;
		bench_result r;
		if (bench_median(subs[i], th, false, n, runs, &r) != 0)
			return 1;
		char label[64];
		snprintf(label, sizeof(label), "%zu subscribers, %zu thr", subs[i], th);
		printf("%-28s %14.0f %11.1f%% %11.1f%%\n", label, r.rate, r.delivered_min * 100, r.delivered_avg * 100);
	}
	size_t th = 8 < maxthreads ? 8 : maxthreads;
	bench_result none, one;
	if (bench_median(8, th, false, n, runs, &none) != 0 || bench_median(8, th, true, n, runs, &one) != 0)
		return 1;
	printf("%-28s %14.0f %11.1f%% %11.1f%%\n", "8 subs, no stalled", none.rate, none.delivered_min * 100,
	       none.delivered_avg * 100);
	printf("%-28s %14.0f %11.1f%% %11.1f%%  (stalled dropped %llu)\n", "8 subs + 1 stalled", one.rate,
	       one.delivered_min * 100, one.delivered_avg * 100, (unsigned long long)one.stalled_dropped);
	printf("stalled/none publish rate ratio: %.3f\n", one.rate / none.rate);
	return 0;
}
