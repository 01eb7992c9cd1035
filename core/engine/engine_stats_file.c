#include "engine/engine_stats_file.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct engine_stats_file {
	FILE *f;
	char *extra; /* ", \"KEY\": \"VALUE\"..." or "" */
	uint64_t interval_ns;
	uint64_t samples;
	uint64_t last_events, last_drops, last_preemptions;
	atomic_bool due;
	pthread_t timer;
	bool timer_running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
};

static void *engine_stats_file_timer(void *arg)
{
	engine_stats_file *s = arg;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		uint64_t ns = (uint64_t)next.tv_nsec + s->interval_ns;
		next.tv_sec += (time_t)(ns / 1000000000ull);
		next.tv_nsec = (long)(ns % 1000000000ull);
		while (!s->stop && pthread_cond_timedwait(&s->cv, &s->mu, &next) != ETIMEDOUT)
			;
		if (!s->stop)
			atomic_store_explicit(&s->due, true, memory_order_relaxed);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Falco's undocumented FALCO_STATS_EXTRA_<NAME> variables: written as "<NAME>": "value",
 * without escaping, as Falco does. */
static char *engine_stats_file_extra(char *const *envp)
{
	static const char prefix[] = "FALCO_STATS_EXTRA_";
	char *buf = NULL;
	size_t len = 0;
	FILE *w = open_memstream(&buf, &len);
	if (!w)
		return NULL;
	for (size_t i = 0; envp && envp[i]; i++) {
		const char *eq = strchr(envp[i], '=');
		if (!eq || strncmp(envp[i], prefix, sizeof(prefix) - 1) != 0 ||
		    eq < envp[i] + sizeof(prefix) - 1)
			continue;
		const char *key = envp[i] + sizeof(prefix) - 1;
		fprintf(w, ", \"%.*s\": \"%s\"", (int)(eq - key), key, eq + 1);
	}
	if (fclose(w) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int engine_stats_file_open(engine_stats_file **out, const char *path, uint64_t interval_ms, char *const *envp,
			   char *err, size_t errlen)
{
	*out = NULL;
	engine_stats_file *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->interval_ns = (interval_ms ? interval_ms : 1) * 1000000ull;
	atomic_init(&s->due, false);
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (!(s->f = fopen(path, "a"))) {
		snprintf(err, errlen, "Could not open stats file %s: %s", path, strerror(errno));
		engine_stats_file_close(s);
		return -1;
	}
	if (!(s->extra = engine_stats_file_extra(envp))) {
		snprintf(err, errlen, "out of memory");
		engine_stats_file_close(s);
		return -1;
	}
	if (pthread_create(&s->timer, NULL, engine_stats_file_timer, s) != 0) {
		snprintf(err, errlen, "Could not set up periodic timer: cannot start a thread");
		engine_stats_file_close(s);
		return -1;
	}
	s->timer_running = true;
	*out = s;
	return 0;
}

bool engine_stats_file_due(engine_stats_file *s)
{
	if (!atomic_load_explicit(&s->due, memory_order_relaxed))
		return false;
	return atomic_exchange_explicit(&s->due, false, memory_order_relaxed);
}

int engine_stats_file_write(engine_stats_file *s, uint64_t events, uint64_t drops, uint64_t preemptions)
{
	uint64_t de = events, dd = drops, dp = preemptions;
	if (++s->samples > 1) {
		de = events - s->last_events;
		dd = drops - s->last_drops;
		dp = preemptions - s->last_preemptions;
	}
	/* Falco streams a double: "0" when there were no events, else %g's
	 * six significant digits. */
	double pct = de == 0 ? 0 : 100.0 * (double)dd / (double)de;
	fprintf(s->f,
		"{\"sample\": %llu%s, \"cur\": {\"events\": %llu, \"drops\": %llu, \"preemptions\": %llu}, "
		"\"delta\": {\"events\": %llu, \"drops\": %llu, \"preemptions\": %llu}, \"drop_pct\": %g},\n",
		(unsigned long long)s->samples, s->extra, (unsigned long long)events, (unsigned long long)drops,
		(unsigned long long)preemptions, (unsigned long long)de, (unsigned long long)dd,
		(unsigned long long)dp, pct);
	s->last_events = events;
	s->last_drops = drops;
	s->last_preemptions = preemptions;
	return fflush(s->f) == 0 && !ferror(s->f) ? 0 : -1;
}

void engine_stats_file_close(engine_stats_file *s)
{
	if (!s)
		return;
	if (s->timer_running) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->timer, NULL);
	}
	if (s->f)
		fclose(s->f);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s->extra);
	free(s);
}
