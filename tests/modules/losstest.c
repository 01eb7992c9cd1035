/* The loss reports test module (ABI 1.4), standing in for the inputs
 * module: its start() registers an input queue (config.name, default
 * "testq", config.capacity, default 100) and a thread reports
 * config.lost_per_tick entries lost (default 5) every 100 ms,
 * config.ticks times (default 4), the depth being the tick number; it logs
 * "reported N lost" when done. It also checks that a queue without a name
 * is refused (logs "empty name refused: MESSAGE"). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fapi/fapi.h"

typedef struct losstest {
	fapi_module_ctx *ctx;
	const fapi_host *host;
	const char *name;
	int64_t capacity, per_tick, ticks;
	fapi_loss_input *in;
	pthread_t thread;
	bool running;
} losstest;

static int losstest_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	if (!FAPI_HOST_HAS(host, alert_sub_set_identity)) {
		snprintf(err, errlen, "the host has no loss reports");
		return FAPI_EUNSUPPORTED;
	}
	losstest *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	t->ctx = ctx;
	t->host = host;
	const fapi_config *c = host->config(ctx);
	if (host->config_string(c, "name", "testq", &t->name, err, errlen) == FAPI_EINVAL ||
	    host->config_int(c, "capacity", 100, &t->capacity, err, errlen) == FAPI_EINVAL ||
	    host->config_int(c, "lost_per_tick", 5, &t->per_tick, err, errlen) == FAPI_EINVAL ||
	    host->config_int(c, "ticks", 4, &t->ticks, err, errlen) == FAPI_EINVAL) {
		free(t);
		return FAPI_EINVAL;
	}
	*state = t;
	return FAPI_OK;
}

static int losstest_register(void *state, char *err, size_t errlen)
{
	(void)state, (void)err, (void)errlen;
	return FAPI_OK;
}

static void *losstest_main(void *arg)
{
	losstest *t = arg;
	for (int64_t i = 1; i <= t->ticks; i++) {
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
		t->host->loss_input_report(t->in, (uint64_t)t->per_tick, (uint64_t)i);
	}
	t->host->log(t->ctx, FAPI_LOG_INFO, "reported %lld lost", (long long)(t->per_tick * t->ticks));
	return NULL;
}

static int losstest_start(void *state, char *err, size_t errlen)
{
	losstest *t = state;
	fapi_loss_input_opts o = FAPI_LOSS_INPUT_OPTS_INIT;
	fapi_loss_input *bad = NULL;
	char why[256] = "";
	if (t->host->loss_input_register(t->ctx, &o, &bad, why, sizeof(why)) == FAPI_EINVAL && !bad)
		t->host->log(t->ctx, FAPI_LOG_INFO, "empty name refused: %s", why);
	o.name = t->name;
	o.capacity = (uint64_t)t->capacity;
	int rc = t->host->loss_input_register(t->ctx, &o, &t->in, err, errlen);
	if (rc != FAPI_OK)
		return rc;
	if (pthread_create(&t->thread, NULL, losstest_main, t) != 0) {
		snprintf(err, errlen, "cannot start a thread");
		return FAPI_ENOMEM;
	}
	t->running = true;
	return FAPI_OK;
}

static void losstest_stop(void *state)
{
	losstest *t = state;
	if (t->running)
		pthread_join(t->thread, NULL);
	t->running = false;
	t->host->loss_input_unregister(t->in);
	t->in = NULL;
}

static void losstest_destroy(void *state)
{
	free(state);
}

FAPI_MODULE_DEFINE(.name = "losstest", .version = "1.0.0", .description = "loss reports test module",
		   .init = losstest_init, .register_rpcs = losstest_register, .start = losstest_start,
		   .stop = losstest_stop, .destroy = losstest_destroy);
