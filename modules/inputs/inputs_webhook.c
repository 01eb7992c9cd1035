/* The Kubernetes audit webhook, as Falco 0.31 serves it: POST with a
 * Content-Type starting with application/json, an Event or an EventList;
 * 400 "Wrong Content Type", 400 "Bad Request: <why>" for a body that is
 * not an audit event, else 200 once its events were evaluated. Same
 * queue and budget as the gRPC streams: a request waits for room (bounded)
 * rather than lose events. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inputs_module.h"

/* How long a request waits for room in the budget before 503. */
#define INPUTS_WEBHOOK_WAIT_S 10

typedef struct webhook_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	bool ok;
	uint64_t accepted, rejected;
	char why[256];
} webhook_wait;

static void webhook_done(const fapi_input_result *res, void *user)
{
	webhook_wait *w = user;
	pthread_mutex_lock(&w->mu);
	w->ok = !res->discarded && res->nrejects == 0;
	w->accepted = res->discarded ? 0 : res->accepted;
	w->rejected = res->discarded ? 0 : res->nrejects;
	if (res->nrejects) {
		/* Reasons are "<class>: <Falco's message>": Falco says the latter. */
		const char *r = res->rejects[0].reason;
		const char *falco = strstr(r, ": ");
		snprintf(w->why, sizeof(w->why), "%s", falco ? falco + 2 : r);
	}
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static int webhook_text(fapi_http_response *resp, int status, const char *text)
{
	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	char *b = strdup(text);
	if (!b)
		return FAPI_ENOMEM;
	resp->body = b;
	resp->body_len = strlen(b);
	resp->body_free = free;
	return FAPI_OK;
}

static bool webhook_take_budget(inputs_module *m, uint64_t bytes)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += INPUTS_WEBHOOK_WAIT_S;
	pthread_mutex_lock(&m->mu);
	while (!inputs_budget_room(m)) {
		if (pthread_cond_timedwait(&m->room, &m->mu, &until) == ETIMEDOUT && !inputs_budget_room(m)) {
			pthread_mutex_unlock(&m->mu);
			return false;
		}
	}
	m->events += 1;
	m->bytes += bytes;
	pthread_mutex_unlock(&m->mu);
	return true;
}

int inputs_webhook(const fapi_http_request *req, fapi_http_response *resp, void *user)
{
	inputs_module *m = user;
	const char *ct = req->header(req, "Content-Type");
	if (!ct || strncmp(ct, "application/json", strlen("application/json")) != 0)
		return webhook_text(resp, 400, "Wrong Content Type");
	if (req->body_len > m->cap_bytes)
		return webhook_text(resp, 413, "Payload Too Large: larger than queue_capacity.bytes");
	if (!webhook_take_budget(m, req->body_len))
		return webhook_text(resp, 503, "Service Unavailable: the input queue stayed full");
	char err[FAPI_ERRBUF_SIZE];
	fapi_input *in = NULL;
	if (m->host->input_open(m->ctx, "k8s_audit", &in, err, sizeof(err)) != FAPI_OK) {
		inputs_budget_give(m, NULL, 1, req->body_len);
		return webhook_text(resp, 503, err);
	}
	webhook_wait w = {.done = false};
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	const char *ev = (const char *)req->body;
	size_t len = req->body_len;
	fapi_input_batch b = FAPI_INPUT_BATCH_INIT;
	b.events = &ev;
	b.lens = &len;
	b.n = 1;
	b.done = webhook_done;
	b.user = &w;
	int rc = m->host->input_submit(in, &b, err, sizeof(err));
	if (rc == FAPI_OK) {
		/* done always follows: the input thread evaluates every batch. */
		pthread_mutex_lock(&w.mu);
		while (!w.done)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
	}
	m->host->input_close(in);
	inputs_budget_give(m, NULL, 1, req->body_len);
	pthread_mutex_destroy(&w.mu);
	pthread_cond_destroy(&w.cv);
	if (rc != FAPI_OK)
		return webhook_text(resp, 503, err);
	inputs_metrics_count(m, INPUTS_PATH_WEBHOOK, w.accepted, w.rejected);
	if (!w.ok) {
		char msg[300];
		snprintf(msg, sizeof(msg), "Bad Request: %s", w.why);
		return webhook_text(resp, 400, msg);
	}
	resp->status = 200;
	resp->content_type = "text/html";
	resp->body = "<html><body>Ok</body></html>";
	resp->body_len = strlen("<html><body>Ok</body></html>");
	return FAPI_OK;
}
