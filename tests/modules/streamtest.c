/* A module exercising the host's stream machinery the way the outputs,
 * drops and inputs modules will:
 *  - count: writes N messages through a small bounded queue, continuing from
 *    on_writable whenever stream_write answers FAPI_EFULL;
 *  - hold: one message, then stays open until cancelled or shut down, and
 *    logs how it was closed;
 *  - echo (bidirectional): echoes every message; "fail" ends the call with
 *    FAILED_PRECONDITION, "finish" with OK, the client's half-close too;
 *    "stick" echoes, then keeps its handler busy for seq seconds (a stuck
 *    handler, for the bounded shutdown);
 *  - linger: one message, then stays open; at server shutdown (on_shutdown)
 *    it writes three more and ends with the status code and message of its
 *    request (seq, text), as a module choosing its final status does.
 * Built with STREAMTEST_ABI_MINOR=1 it is a module of ABI 1.1 named
 * streamtest_old: the host must not read its on_shutdown. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fapi/fapi.h"
#include "streamtest.pb-c.h"

/* Built with STREAMTEST_ABI_MINOR, against the frozen ABI 1.1 headers
 * (tests/modules/abi11): descriptors without size, no on_shutdown. */
#ifdef STREAMTEST_ABI_MINOR
#define STREAMTEST_SIZE
#else
#define STREAMTEST_SIZE .size = sizeof(fapi_stream_method),
#endif

/* streamtest.proto's descriptors (cmake/descriptor_set.cmake), for
 * reflection. */
extern const unsigned char streamtest_descriptor_set[];
extern const size_t streamtest_descriptor_set_len;

static const fapi_host *st_host;
static fapi_module_ctx *st_ctx;

typedef struct count_state {
	pthread_mutex_t mu;
	uint32_t n, next, efull;
	int finished;
} count_state;

/* Writes until done or the queue is full; on_writable resumes. */
static void count_pump(fapi_stream *s, count_state *c)
{
	pthread_mutex_lock(&c->mu);
	while (c->next < c->n) {
		Fapi__Test__CountReply r = FAPI__TEST__COUNT_REPLY__INIT;
		r.seq = c->next;
		r.efull_seen = c->efull;
		int rc = st_host->stream_write(s, &r.base);
		if (rc == FAPI_EFULL) {
			c->efull++;
			break;
		}
		if (rc != FAPI_OK)
			break;
		c->next++;
	}
	if (c->next == c->n && !c->finished) {
		c->finished = 1;
		st_host->stream_finish(s, FAPI_STATUS_OK, NULL);
	}
	pthread_mutex_unlock(&c->mu);
}

static fapi_status_code count_open(fapi_stream *s, const ProtobufCMessage *req, const fapi_peer *peer, void *user,
				   char *msg, size_t msglen)
{
	(void)peer;
	(void)user;
	const Fapi__Test__CountRequest *r = (const void *)req;
	count_state *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	pthread_mutex_init(&c->mu, NULL);
	c->n = r->n;
	st_host->stream_set_user(s, c);
	count_pump(s, c);
	return FAPI_STATUS_OK;
}

static void count_writable(fapi_stream *s, void *user)
{
	(void)user;
	count_pump(s, st_host->stream_user(s));
}

static void count_close(fapi_stream *s, fapi_status_code why, void *user)
{
	(void)why;
	(void)user;
	count_state *c = st_host->stream_user(s);
	if (c) {
		pthread_mutex_destroy(&c->mu);
		free(c);
	}
}

static fapi_status_code hold_open(fapi_stream *s, const ProtobufCMessage *req, const fapi_peer *peer, void *user,
				  char *msg, size_t msglen)
{
	(void)user;
	(void)msg;
	(void)msglen;
	const Fapi__Test__EchoMsg *r = (const void *)req;
	Fapi__Test__EchoMsg m = FAPI__TEST__ECHO_MSG__INIT;
	m.text = (char *)"held";
	st_host->stream_write(s, &m.base);
	st_host->log(st_ctx, FAPI_LOG_INFO, "hold '%s' opened by %s over %s", r->text, peer->address, peer->transport);
	st_host->stream_set_user(s, strdup(r->text));
	return FAPI_STATUS_OK;
}

static void hold_close(fapi_stream *s, fapi_status_code why, void *user)
{
	(void)user;
	char *tag = st_host->stream_user(s);
	st_host->log(st_ctx, FAPI_LOG_INFO, "hold '%s' closed: status %d", tag ? tag : "?", (int)why);
	free(tag);
}

static fapi_status_code echo_open(fapi_stream *s, const ProtobufCMessage *req, const fapi_peer *peer, void *user,
				  char *msg, size_t msglen)
{
	(void)s;
	(void)req;
	(void)peer;
	(void)user;
	(void)msg;
	(void)msglen;
	return FAPI_STATUS_OK;
}

static fapi_status_code echo_read(fapi_stream *s, const ProtobufCMessage *m, void *user, char *msg, size_t msglen)
{
	(void)user;
	const Fapi__Test__EchoMsg *in = (const void *)m;
	if (strcmp(in->text, "fail") == 0) {
		snprintf(msg, msglen, "asked to fail");
		return FAPI_STATUS_FAILED_PRECONDITION;
	}
	Fapi__Test__EchoMsg out = FAPI__TEST__ECHO_MSG__INIT;
	out.text = in->text;
	out.seq = in->seq + 1;
	st_host->stream_write(s, &out.base);
	if (strcmp(in->text, "stick") == 0) {
		st_host->log(st_ctx, FAPI_LOG_INFO, "echo: stuck for %u s", in->seq);
		struct timespec t = {(time_t)in->seq, 0};
		while (nanosleep(&t, &t) != 0)
			;
	}
	if (strcmp(in->text, "finish") == 0)
		st_host->stream_finish(s, FAPI_STATUS_OK, NULL);
	return FAPI_STATUS_OK;
}

static void echo_read_end(fapi_stream *s, void *user)
{
	(void)user;
	st_host->stream_finish(s, FAPI_STATUS_OK, "bye");
}

static void echo_close(fapi_stream *s, fapi_status_code why, void *user)
{
	(void)s;
	(void)user;
	st_host->log(st_ctx, FAPI_LOG_INFO, "echo closed: status %d", (int)why);
}

/* What linger ends with: the request's seq and text. */
typedef struct linger_state {
	uint32_t code;
	char *message;
} linger_state;

static fapi_status_code linger_open(fapi_stream *s, const ProtobufCMessage *req, const fapi_peer *peer, void *user,
				    char *msg, size_t msglen)
{
	(void)peer;
	(void)user;
	const Fapi__Test__EchoMsg *r = (const void *)req;
	linger_state *l = calloc(1, sizeof(*l));
	if (!l || !(l->message = strdup(r->text))) {
		free(l);
		snprintf(msg, msglen, "out of memory");
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	}
	l->code = r->seq;
	st_host->stream_set_user(s, l);
	Fapi__Test__EchoMsg m = FAPI__TEST__ECHO_MSG__INIT;
	m.text = (char *)"lingering";
	st_host->stream_write(s, &m.base);
	return FAPI_STATUS_OK;
}

__attribute__((unused)) static void linger_shutdown(fapi_stream *s, void *user)
{
	(void)user;
	linger_state *l = st_host->stream_user(s);
	st_host->log(st_ctx, FAPI_LOG_INFO, "linger: on_shutdown");
	for (uint32_t i = 1; i <= 3; i++) {
		Fapi__Test__EchoMsg m = FAPI__TEST__ECHO_MSG__INIT;
		m.text = (char *)"goodbye";
		m.seq = i;
		st_host->stream_write(s, &m.base);
	}
	st_host->stream_finish(s, (fapi_status_code)l->code, l->message);
}

static void linger_close(fapi_stream *s, fapi_status_code why, void *user)
{
	(void)user;
	linger_state *l = st_host->stream_user(s);
	st_host->log(st_ctx, FAPI_LOG_INFO, "linger closed: status %d", (int)why);
	if (l) {
		free(l->message);
		free(l);
	}
}

static int streamtest_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	st_host = host;
	st_ctx = ctx;
	*state = NULL;
	return FAPI_OK;
}

static int streamtest_register(void *state, char *err, size_t errlen)
{
	(void)state;
	fapi_stream_method count = {
		STREAMTEST_SIZE
		.path = "/fapi.test.stream/count",
		.request_type = &fapi__test__count_request__descriptor,
		.response_type = &fapi__test__count_reply__descriptor,
		.on_open = count_open,
		.on_writable = count_writable,
		.on_close = count_close,
		.max_queued = 8,
	};
	fapi_stream_method hold = {
		STREAMTEST_SIZE
		.path = "/fapi.test.stream/hold",
		.request_type = &fapi__test__echo_msg__descriptor,
		.response_type = &fapi__test__echo_msg__descriptor,
		.on_open = hold_open,
		.on_close = hold_close,
	};
	fapi_stream_method echo = {
		STREAMTEST_SIZE
		.path = "/fapi.test.stream/echo",
		.request_type = &fapi__test__echo_msg__descriptor,
		.response_type = &fapi__test__echo_msg__descriptor,
		.on_open = echo_open,
		.on_read = echo_read,
		.on_read_end = echo_read_end,
		.on_close = echo_close,
	};
	fapi_stream_method linger = {
		STREAMTEST_SIZE
		.path = "/fapi.test.stream/linger",
		.request_type = &fapi__test__echo_msg__descriptor,
		.response_type = &fapi__test__echo_msg__descriptor,
		.on_open = linger_open,
		.on_close = linger_close,
#ifndef STREAMTEST_ABI_MINOR
		.on_shutdown = linger_shutdown,
#endif
	};
	int rc = st_host->register_server_stream(st_ctx, &count, err, errlen);
	if (rc == FAPI_OK)
		rc = st_host->register_server_stream(st_ctx, &hold, err, errlen);
	if (rc == FAPI_OK)
		rc = st_host->register_server_stream(st_ctx, &linger, err, errlen);
	if (rc == FAPI_OK)
		rc = st_host->register_bidi_stream(st_ctx, &echo, err, errlen);
#ifndef STREAMTEST_ABI_MINOR
	if (rc == FAPI_OK && FAPI_HOST_HAS(st_host, register_descriptors))
		rc = st_host->register_descriptors(st_ctx, streamtest_descriptor_set, streamtest_descriptor_set_len, err,
						   errlen);
#endif
	return rc;
}

static void streamtest_destroy(void *state)
{
	(void)state;
}

#ifdef STREAMTEST_ABI_MINOR
FAPI_MODULE_EXPORT const fapi_module FAPI_MODULE_SYMBOL = {
	.magic = FAPI_MODULE_MAGIC,
	.abi_major = FAPI_ABI_MAJOR,
	.abi_minor = STREAMTEST_ABI_MINOR,
	.size = sizeof(fapi_module),
	.name = "streamtest_old",
	.version = "0.0.1",
	.description = "stream machinery test module, as built for an older ABI minor",
	.init = streamtest_init,
	.register_rpcs = streamtest_register,
	.destroy = streamtest_destroy,
};
#else
FAPI_MODULE_DEFINE(.name = "streamtest", .version = "0.0.1", .description = "stream machinery test module",
		   .init = streamtest_init, .register_rpcs = streamtest_register, .destroy = streamtest_destroy);
#endif
