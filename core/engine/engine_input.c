#include "engine/engine_input.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/backends/json/k8s_audit_backend.h"
#include "engine/output/alert.h"

typedef struct input_batch {
	struct input_batch *next;
	engine_input_src *src;
	char *buf;     /* every event text, back to back */
	size_t *offs;  /* n + 1 offsets into buf */
	size_t n;
	bool want_alerts;
	fapi_input_done_fn done;
	void *user;
} input_batch;

struct engine_input_src {
	engine_input *in;
	const backend *b;
	size_t queued;    /* batches queued, not yet taken; under in->mu */
	bool evaluating;  /* the thread holds one of its batches; under in->mu */
};

struct engine_input {
	engine *e;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake, idle;
	input_batch *head, *tail;
	bool stop;
};

/* The alerts of one batch, for want_alerts. */
typedef struct input_tap {
	const fapi_alert **v;
	size_t n, cap;
} input_tap;

static void input_tap_add(void *user, engine_alert *a)
{
	input_tap *t = user;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		const fapi_alert **v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = (const fapi_alert *)alert_ref(a);
}

static void input_batch_free(input_batch *b)
{
	free(b->buf);
	free(b->offs);
	free(b);
}

/* Falco's reader words the failure; the reasons say it for a client. */
static void input_reason(const char *err, char *out, size_t outlen)
{
	if (strncmp(err, "Could not parse data", 20) == 0)
		snprintf(out, outlen, "not JSON: %s", err);
	else
		snprintf(out, outlen, "not an audit event: %s", err);
}

/* Scratch reused from batch to batch: the thread's only allocations per
 * batch are the parsed documents. */
typedef struct input_scratch {
	backend_event *evts;
	size_t cap;
	json_doc **docs;
	json_evt **jevts;
	size_t dcap;
	fapi_input_reject *rej;
	char (*why)[160];
	size_t rcap;
} input_scratch;

static bool input_scratch_fit(input_scratch *s, size_t ndocs)
{
	if (ndocs <= s->dcap)
		return true;
	json_doc **d = realloc(s->docs, ndocs * sizeof(*d));
	if (d)
		s->docs = d;
	json_evt **j = realloc(s->jevts, ndocs * sizeof(*j));
	if (j)
		s->jevts = j;
	fapi_input_reject *r = realloc(s->rej, ndocs * sizeof(*r));
	if (r)
		s->rej = r;
	char(*w)[160] = realloc(s->why, ndocs * sizeof(*w));
	if (w)
		s->why = w;
	if (!d || !j || !r || !w)
		return false;
	s->dcap = s->rcap = ndocs;
	return true;
}

static bool input_scratch_events(input_scratch *s, size_t n)
{
	if (n <= s->cap)
		return true;
	size_t cap = n > 2 * s->cap ? n : 2 * s->cap;
	backend_event *v = realloc(s->evts, cap * sizeof(*v));
	if (!v)
		return false;
	s->evts = v;
	s->cap = cap;
	return true;
}

static void input_run_batch(engine_input *in, input_batch *b, input_scratch *s)
{
	fapi_input_result res = {.size = sizeof(res)};
	input_tap tap = {0};
	if (!input_scratch_fit(s, b->n ? b->n : 1)) {
		res.discarded = true;
		b->done(&res, b->user);
		return;
	}
	size_t nevts = 0;
	for (size_t i = 0; i < b->n; i++) {
		char err[160] = "";
		size_t n = 0;
		s->docs[i] = NULL;
		s->jevts[i] = NULL;
		if (json_backend_parse(b->src->b, b->buf + b->offs[i], b->offs[i + 1] - b->offs[i], &s->docs[i],
				       &s->jevts[i], &n, err, sizeof(err)) < 0) {
			input_reason(err, s->why[res.nrejects], sizeof(s->why[0]));
			s->rej[res.nrejects] = (fapi_input_reject){.index = (uint32_t)i, .reason = s->why[res.nrejects]};
			res.nrejects++;
			continue;
		}
		if (!input_scratch_events(s, nevts + n)) {
			snprintf(s->why[res.nrejects], sizeof(s->why[0]), "out of memory");
			s->rej[res.nrejects] = (fapi_input_reject){.index = (uint32_t)i, .reason = s->why[res.nrejects]};
			res.nrejects++;
			continue;
		}
		for (size_t k = 0; k < n; k++)
			s->evts[nevts++] = (backend_event){
				.backend = b->src->b, .ts = s->jevts[i][k].ts, .type = 0, .payload = &s->jevts[i][k]};
		res.accepted++;
	}
	engine_eval(in->e, s->evts, nevts, b->want_alerts ? input_tap_add : NULL, &tap);
	res.rejects = s->rej;
	res.alerts = tap.v;
	res.nalerts = tap.n;
	b->done(&res, b->user);
	for (size_t i = 0; i < tap.n; i++)
		alert_unref((engine_alert *)tap.v[i]);
	free(tap.v);
	for (size_t i = 0; i < b->n; i++) {
		json_doc_free(s->docs[i]);
		free(s->jevts[i]);
	}
}

static void *input_thread(void *arg)
{
	engine_input *in = arg;
	input_scratch s = {0};
	pthread_setname_np(pthread_self(), "inputs");
	alert_home_enter();
	pthread_mutex_lock(&in->mu);
	for (;;) {
		if (!in->head && !in->stop)
			alert_home_tidy();
		while (!in->head && !in->stop)
			pthread_cond_wait(&in->wake, &in->mu);
		input_batch *b = in->head;
		if (!b)
			break;
		in->head = b->next;
		if (!in->head)
			in->tail = NULL;
		b->src->queued--;
		b->src->evaluating = true;
		pthread_mutex_unlock(&in->mu);
		input_run_batch(in, b, &s);
		pthread_mutex_lock(&in->mu);
		b->src->evaluating = false;
		pthread_cond_broadcast(&in->idle);
		input_batch_free(b);
	}
	pthread_mutex_unlock(&in->mu);
	alert_home_leave();
	free(s.evts);
	free(s.docs);
	free(s.jevts);
	free(s.rej);
	free(s.why);
	return NULL;
}

int engine_input_new(engine_input **out, engine *e, char *err, size_t errlen)
{
	*out = NULL;
	engine_input *in = calloc(1, sizeof(*in));
	if (!in) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	in->e = e;
	pthread_mutex_init(&in->mu, NULL);
	pthread_cond_init(&in->wake, NULL);
	pthread_cond_init(&in->idle, NULL);
	if (pthread_create(&in->thread, NULL, input_thread, in) != 0) {
		snprintf(err, errlen, "cannot start the inputs thread");
		pthread_mutex_destroy(&in->mu);
		pthread_cond_destroy(&in->wake);
		pthread_cond_destroy(&in->idle);
		free(in);
		return -1;
	}
	*out = in;
	return 0;
}

void engine_input_free(engine_input *in)
{
	if (!in)
		return;
	pthread_mutex_lock(&in->mu);
	in->stop = true;
	pthread_cond_signal(&in->wake);
	pthread_mutex_unlock(&in->mu);
	pthread_join(in->thread, NULL);
	pthread_mutex_destroy(&in->mu);
	pthread_cond_destroy(&in->wake);
	pthread_cond_destroy(&in->idle);
	free(in);
}

int engine_input_open(engine_input *in, const char *source, engine_input_src **out, char *err, size_t errlen)
{
	*out = NULL;
	const backend *b = source ? backend_registry_find(engine_backends(in->e), source) : NULL;
	/* Only JSON sources take input: k8s_audit and the declared ones. */
	if (!json_backend_is(b)) {
		snprintf(err, errlen, "unknown source \"%s\"", source ? source : "");
		return FAPI_ENOTFOUND;
	}
	engine_input_src *src = calloc(1, sizeof(*src));
	if (!src) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	src->in = in;
	src->b = b;
	*out = src;
	return FAPI_OK;
}

int engine_input_submit(engine_input_src *src, const fapi_input_batch *bt, char *err, size_t errlen)
{
	if (!bt || bt->size < offsetof(fapi_input_batch, user) + sizeof(bt->user) || !bt->done ||
	    (bt->n && (!bt->events || !bt->lens))) {
		snprintf(err, errlen, "fapi_input_batch: NULL, too small, or without done/events/lens");
		return FAPI_EINVAL;
	}
	size_t total = 0;
	for (size_t i = 0; i < bt->n; i++)
		total += bt->lens[i];
	input_batch *b = calloc(1, sizeof(*b));
	if (b) {
		b->buf = malloc(total ? total : 1);
		b->offs = malloc((bt->n + 1) * sizeof(*b->offs));
	}
	if (!b || !b->buf || !b->offs) {
		if (b)
			input_batch_free(b);
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	size_t off = 0;
	for (size_t i = 0; i < bt->n; i++) {
		b->offs[i] = off;
		if (bt->lens[i])
			memcpy(b->buf + off, bt->events[i], bt->lens[i]);
		off += bt->lens[i];
	}
	b->offs[bt->n] = off;
	b->n = bt->n;
	b->src = src;
	b->want_alerts = bt->want_alerts;
	b->done = bt->done;
	b->user = bt->user;
	engine_input *in = src->in;
	pthread_mutex_lock(&in->mu);
	if (in->stop) {
		pthread_mutex_unlock(&in->mu);
		input_batch_free(b);
		snprintf(err, errlen, "the inputs thread is stopping");
		return FAPI_ECLOSED;
	}
	bool was_empty = !in->head;
	if (in->tail)
		in->tail->next = b;
	else
		in->head = b;
	in->tail = b;
	src->queued++;
	/* The thread only sleeps on an empty queue: one wake-up per burst. */
	if (was_empty)
		pthread_cond_signal(&in->wake);
	pthread_mutex_unlock(&in->mu);
	return FAPI_OK;
}

uint64_t engine_input_close(engine_input_src *src)
{
	if (!src)
		return 0;
	engine_input *in = src->in;
	input_batch *mine = NULL, **tail = &mine;
	pthread_mutex_lock(&in->mu);
	input_batch *prev = NULL;
	for (input_batch *b = in->head, *next; b; b = next) {
		next = b->next;
		if (b->src != src) {
			prev = b;
			continue;
		}
		if (prev)
			prev->next = next;
		else
			in->head = next;
		if (in->tail == b)
			in->tail = prev;
		b->next = NULL;
		*tail = b;
		tail = &b->next;
	}
	src->queued = 0;
	while (src->evaluating)
		pthread_cond_wait(&in->idle, &in->mu);
	pthread_mutex_unlock(&in->mu);
	uint64_t lost = 0;
	for (input_batch *b = mine, *next; b; b = next) {
		next = b->next;
		fapi_input_result res = {.size = sizeof(res), .discarded = true};
		lost += b->n;
		b->done(&res, b->user);
		input_batch_free(b);
	}
	free(src);
	return lost;
}
