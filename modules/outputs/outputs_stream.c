#include "outputs_stream.h"

#include "outputs_module.h"
#include "outputs_response.h"

static fapi_alert *outputs_stream_pop(outputs_stream *st, uint64_t *lost)
{
	outputs_module *m = st->m;
	if (!st->falco_get)
		return m->host->alert_pop(st->sub, lost);
	pthread_mutex_lock(&m->falco_mu);
	fapi_alert *a = m->falco_sub ? m->host->alert_pop(m->falco_sub, lost) : NULL;
	pthread_mutex_unlock(&m->falco_mu);
	return a;
}

/* Writes until the subscription is empty or gRPC's queue is full. An
 * empty subscription ends Falco's get, and every stream that drains. */
static void outputs_stream_work(outputs_stream *st, bool draining)
{
	const fapi_host *host = st->m->host;
	while (!st->done) {
		uint64_t lost = st->held_lost;
		fapi_alert *a = st->held;
		st->held = NULL;
		st->held_lost = 0;
		if (!a && !(a = outputs_stream_pop(st, &lost))) {
			if (st->falco_get || draining) {
				host->stream_finish(st->stream, FAPI_STATUS_OK, NULL);
				st->done = true;
			}
			return;
		}
		fapi_alert_view v = FAPI_ALERT_VIEW_INIT;
		host->alert_view(a, &v);
		int rc = outputs_response_write(host, st->stream, &v, st->falco_get ? NULL : &st->filter, st->seq + 1,
						lost);
		if (rc == FAPI_EFULL) {
			/* on_writable resumes once gRPC has sent what it holds */
			st->held = a;
			st->held_lost = lost;
			return;
		}
		host->alert_release(a);
		if (rc != FAPI_OK) {
			st->done = true;
			return;
		}
		st->seq++;
	}
}

void outputs_stream_pump(outputs_stream *st)
{
	pthread_mutex_lock(&st->mu);
	if (!st->ready) {
		/* Subscribed but not yet told: the subscriber will wake us. */
		pthread_mutex_unlock(&st->mu);
		return;
	}
	if (st->pumping) {
		st->again = true;
		pthread_mutex_unlock(&st->mu);
		return;
	}
	st->pumping = true;
	do {
		st->again = false;
		bool draining = st->draining;
		pthread_mutex_unlock(&st->mu);
		outputs_stream_work(st, draining);
		pthread_mutex_lock(&st->mu);
	} while (st->again);
	st->pumping = false;
	pthread_mutex_unlock(&st->mu);
}

void outputs_stream_drain(outputs_stream *st)
{
	/* on_shutdown comes after on_open, so the stream is subscribed. */
	pthread_mutex_lock(&st->mu);
	st->draining = true;
	pthread_mutex_unlock(&st->mu);
	outputs_stream_pump(st);
}
