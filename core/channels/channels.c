#include "channels/channels.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "channels/channel_file.h"
#include "channels/channel_http.h"
#include "channels/channel_program.h"
#include "channels/channel_syslog.h"
#include "log/log.h"

#define CHANNELS_MAX 4

struct channels {
	channel_worker *w[CHANNELS_MAX];
	size_t n;
	uint64_t timeout_ns;
	bool stopped;
	bool curl; /* libcurl's global state was made */
	/* watchdog */
	pthread_t wd;
	bool wd_running;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	bool wd_stop;
};

static void channels_watch(channels *ch)
{
	uint64_t now = channel_deadline_now_ns();
	for (size_t i = 0; i < ch->n; i++) {
		if (!channel_worker_check_blocked(ch->w[i], now, ch->timeout_ns))
			continue;
		log_msg(FAPI_LOG_ERROR, "channels",
			"\"%s\" output timeout: a write has been blocked for more than %llu ms (output_timeout); "
			"only this channel waits, its queue fills and then loses its oldest alerts",
			channel_worker_name(ch->w[i]), (unsigned long long)(ch->timeout_ns / 1000000));
	}
}

static void *channels_watchdog(void *arg)
{
	channels *ch = arg;
	pthread_setname_np(pthread_self(), "out-watchdog");
	/* A quarter of the timeout: a blocked write is told about within
	 * 1.25 x output_timeout. */
	uint64_t period = ch->timeout_ns / 4;
	if (period < 10000000ull)
		period = 10000000ull;
	if (period > 250000000ull)
		period = 250000000ull;
	pthread_mutex_lock(&ch->mu);
	while (!ch->wd_stop) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t at = (uint64_t)ts.tv_nsec + period;
		ts.tv_sec += (time_t)(at / 1000000000ull);
		ts.tv_nsec = (long)(at % 1000000000ull);
		pthread_cond_timedwait(&ch->cv, &ch->mu, &ts);
		if (!ch->wd_stop)
			channels_watch(ch);
	}
	pthread_mutex_unlock(&ch->mu);
	return NULL;
}

static int channels_add(channels *ch, bus *b, size_t capacity, const channel_ops *ops, void *state, char *err,
			size_t errlen)
{
	if (!state) {
		snprintf(err, errlen, "%s_output: out of memory", ops->name);
		return -1;
	}
	if (channel_worker_start(&ch->w[ch->n], b, capacity, ops, state, err, errlen) < 0)
		return -1;
	ch->n++;
	return 0;
}

int channels_start(channels **out, const channels_config *cfg, bus *b, char *err, size_t errlen)
{
	*out = NULL;
	channels *ch = calloc(1, sizeof(*ch));
	if (!ch) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&ch->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ch->cv, &ca);
	pthread_condattr_destroy(&ca);
	ch->timeout_ns = cfg->output_timeout_ms * 1000000ull;
	int rc = 0;
	if (cfg->file.enabled)
		rc = channels_add(ch, b, cfg->file.capacity, &channel_file_ops,
				  channel_file_new(cfg->file.filename, cfg->file.keep_alive), err, errlen);
	if (rc == 0 && cfg->program.enabled)
		rc = channels_add(ch, b, cfg->program.capacity, &channel_program_ops,
				  channel_program_new(cfg->program.program, cfg->program.keep_alive), err,
				  errlen);
	if (rc == 0 && cfg->syslog.enabled)
		rc = channels_add(ch, b, cfg->syslog.capacity, &channel_syslog_ops, channel_syslog_new(), err, errlen);
	if (rc == 0 && cfg->http.enabled) {
		rc = channel_http_global_init(err, errlen);
		ch->curl = rc == 0;
		if (rc == 0)
			rc = channels_add(ch, b, cfg->http.capacity, &channel_http_ops,
					  channel_http_new(cfg->http.url, cfg->http.user_agent, cfg->json_output), err,
					  errlen);
	}
	if (rc == 0 && ch->n) {
		if (pthread_create(&ch->wd, NULL, channels_watchdog, ch) != 0) {
			snprintf(err, errlen, "cannot start the output channels' watchdog thread");
			rc = -1;
		} else {
			ch->wd_running = true;
		}
	}
	if (rc < 0) {
		channels_free(ch);
		return -1;
	}
	for (size_t i = 0; i < ch->n; i++)
		log_msg(FAPI_LOG_INFO, "channels", "%s output enabled", channel_worker_name(ch->w[i]));
	*out = ch;
	return 0;
}

static void channels_stop_watchdog(channels *ch)
{
	if (!ch->wd_running)
		return;
	pthread_mutex_lock(&ch->mu);
	ch->wd_stop = true;
	pthread_cond_signal(&ch->cv);
	pthread_mutex_unlock(&ch->mu);
	pthread_join(ch->wd, NULL);
	ch->wd_running = false;
}

static void channels_log(const channel_stats *st)
{
	if (st->discarded)
		log_msg(FAPI_LOG_WARNING, "channels",
			"\"%s\" output channel still blocked after output_timeout at shutdown, discarding all "
			"remaining notifications (%llu)",
			st->name, (unsigned long long)st->discarded);
	log_msg(st->dropped || st->failed || st->discarded ? FAPI_LOG_WARNING : FAPI_LOG_INFO, "channels",
		"%s output: delivered %llu, failed %llu, lost %llu (queue full %llu, discarded at shutdown %llu), "
		"queue high water %zu/%zu",
		st->name, (unsigned long long)st->delivered, (unsigned long long)st->failed,
		(unsigned long long)(st->dropped + st->discarded), (unsigned long long)st->dropped,
		(unsigned long long)st->discarded, st->high_water, st->capacity);
}

void channels_stop(channels *ch)
{
	if (!ch || ch->stopped)
		return;
	ch->stopped = true;
	/* The watchdog keeps reporting blocked writes during the drain. */
	uint64_t deadline = channel_deadline_now_ns() + ch->timeout_ns;
	for (size_t i = 0; i < ch->n; i++)
		channel_worker_drain(ch->w[i], deadline);
	for (size_t i = 0; i < ch->n; i++)
		channel_worker_join(ch->w[i]);
	channels_stop_watchdog(ch);
	for (size_t i = 0; i < ch->n; i++) {
		channel_stats st;
		channel_worker_stats(ch->w[i], &st);
		channels_log(&st);
	}
}

size_t channels_count(const channels *ch)
{
	return ch ? ch->n : 0;
}

int channels_stats(channels *ch, size_t i, channel_stats *st)
{
	if (!ch || i >= ch->n)
		return -1;
	channel_worker_stats(ch->w[i], st);
	return 0;
}

void channels_free(channels *ch)
{
	if (!ch)
		return;
	channels_stop_watchdog(ch);
	for (size_t i = 0; i < ch->n; i++)
		channel_worker_free(ch->w[i]);
	if (ch->curl)
		channel_http_global_cleanup();
	pthread_cond_destroy(&ch->cv);
	pthread_mutex_destroy(&ch->mu);
	free(ch);
}
