#include "server/server.h"

#include <grpc/support/alloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log/log.h"
#include "server/reap.h"
#include "server/server_internal.h"

/* How long connections get to close by themselves once every call is
 * cancelled, before their sockets are shut down under gRPC. */
#define SERVER_SETTLE_MS 500

static void server_on_shutdown(cq_tag *t, bool ok)
{
	(void)ok;
	server *s = SERVER_CONTAINER_OF(t, server, shutdown_tag);
	pthread_mutex_lock(&s->mu);
	s->shutdown_notified = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* The channel arguments for `l`: keepalive pings from the server, which
 * pings of clients it accepts, and the message and stream limits. Returns
 * the number of arguments filled (at most SERVER_MAX_ARGS). */
#define SERVER_MAX_ARGS 12
static size_t server_channel_args(grpc_arg *a, const daemon_grpc_limits *l)
{
	size_t n = 0;
	a[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_ALLOW_REUSEPORT, .value.integer = 0};
	if (!l)
		return n;
	/* A quiet subscription carries no data for hours: the server's pings
	 * must go out anyway (no cap on pings without data, and no minimum
	 * interval between them beyond the keepalive time itself), and the
	 * pings of clients are accepted as often as the policy says even on a
	 * connection that carries no data; gRPC's defaults (5 minutes, 2
	 * strikes) close a grpc-js client pinging every 10 s after 40 s. */
	int ka_ms = l->keepalive_time_s * 1000;
	a[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_KEEPALIVE_TIME_MS, .value.integer = ka_ms};
	a[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
			    .key = GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
			    .value.integer = l->keepalive_timeout_s * 1000};
	a[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
			    .key = GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
			    .value.integer = l->keepalive_permit_without_calls ? 1 : 0};
	a[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, .value.integer = 0};
	a[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
			    .key = GRPC_ARG_HTTP2_MIN_SENT_PING_INTERVAL_WITHOUT_DATA_MS,
			    .value.integer = ka_ms};
	a[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
			    .key = GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
			    .value.integer = l->keepalive_min_ping_interval_s * 1000};
	a[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
			    .key = GRPC_ARG_HTTP2_MAX_PING_STRIKES,
			    .value.integer = l->keepalive_max_ping_strikes};
	a[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
			    .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
			    .value.integer = l->max_receive_message_bytes};
	a[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
			    .key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH,
			    .value.integer = l->max_send_message_bytes};
	a[n++] = (grpc_arg){.type = GRPC_ARG_INTEGER,
			    .key = GRPC_ARG_MAX_CONCURRENT_STREAMS,
			    .value.integer = l->max_concurrent_streams};
	return n;
}

/* Only the unary queue's threads poll gRPC's file descriptors; the stream
 * queues' threads take completions the pollers deliver. With every queue
 * polling, all the threads of the three pools contend for the same epoll
 * set (bench/README.md: unary calls per daemon CPU second). The unary queue
 * also receives the shutdown notification, so it always has threads. */
#define SERVER_CQ_POLLING(k) ((k) == SERVICE_UNARY)

int server_create(server **out, service_table *table, int threads, const daemon_grpc_limits *limits, char *err,
		  size_t errlen)
{
	static const char *const names[SERVICE_KIND_COUNT] = {"cq-unary", "cq-stream", "cq-bidi"};
	server *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->table = table;
	pthread_rwlock_init(&s->gate, NULL);
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->shutdown_tag.fn = server_on_shutdown;
	s->unary_outstanding = threads * 4 < 8 ? 8 : threads * 4;
	s->stream_outstanding = 2;
	grpc_arg args[SERVER_MAX_ARGS];
	grpc_channel_args cargs = {.num_args = server_channel_args(args, limits), .args = args};
	s->grpc = grpc_server_create(&cargs, NULL);
	for (int k = 0; k < SERVICE_KIND_COUNT; k++) {
		if (cq_pool_create(&s->cqs[k], names[k], threads, SERVER_CQ_POLLING(k)) < 0) {
			snprintf(err, errlen, "cannot create the %s completion queue", names[k]);
			server_destroy(s);
			return -1;
		}
		grpc_server_register_completion_queue(s->grpc, s->cqs[k].cq, NULL);
	}
	call_pool_init(&s->pools[SERVICE_UNARY], unary_call_size(), 256);
	call_pool_init(&s->pools[SERVICE_SERVER_STREAM], stream_call_size(), 64);
	call_pool_init(&s->pools[SERVICE_BIDI], stream_call_size(), 64);
	*out = s;
	return 0;
}

int server_add_port(server *s, const char *address, void *creds, char *err, size_t errlen)
{
	int port = grpc_server_add_http2_port(s->grpc, address, (grpc_server_credentials *)creds);
	if (port == 0) {
		snprintf(err, errlen, "cannot listen on %s (address in use, bad address, or no permission)", address);
		return -1;
	}
	if (s->nlisteners < SERVER_MAX_LISTENERS && reap_listener_from(&s->listeners[s->nlisteners], address, port) == 0)
		s->nlisteners++;
	return 0;
}

int server_start(server *s, char *err, size_t errlen)
{
	service_table *t = s->table;
	for (size_t i = 0; i < t->count; i++) {
		service_entry *e = &t->entries[i];
		const char *path = e->kind == SERVICE_UNARY ? e->unary.path : e->stream.path;
		e->registered = grpc_server_register_method(s->grpc, path, NULL,
							   e->kind == SERVICE_BIDI ? GRPC_SRM_PAYLOAD_NONE
										  : GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER,
							   0);
		if (!e->registered) {
			snprintf(err, errlen, "gRPC refused to register %s", path);
			return -1;
		}
	}
	t->frozen = 1;
	grpc_server_start(s->grpc);
	s->started = true;
	for (int k = 0; k < SERVICE_KIND_COUNT; k++) {
		if (cq_pool_start(&s->cqs[k]) < 0) {
			snprintf(err, errlen, "cannot start completion-queue threads");
			return -1;
		}
	}
	for (size_t i = 0; i < t->count; i++) {
		const service_entry *e = &t->entries[i];
		int n = e->kind == SERVICE_UNARY ? s->unary_outstanding : s->stream_outstanding;
		for (int j = 0; j < n; j++) {
			if (e->kind == SERVICE_UNARY)
				unary_request(s, e);
			else
				stream_request(s, e);
		}
	}
	for (int j = 0; j < 2; j++)
		unary_request(s, NULL);
	return 0;
}

/* Waits until the shutdown notification arrived or, with `drained`, until
 * no stream of ours is open any more, or `until` (CLOCK_MONOTONIC) has
 * passed. Returns true when the condition held. */
static bool server_wait(server *s, const struct timespec *until, bool drained)
{
	pthread_mutex_lock(&s->mu);
	while (!s->shutdown_notified && !(drained && s->nstreams == 0))
		if (pthread_cond_timedwait(&s->cv, &s->mu, until) != 0)
			break;
	bool done = s->shutdown_notified || (drained && s->nstreams == 0);
	pthread_mutex_unlock(&s->mu);
	return done;
}

/* `ms` from now, capped at `cap`. */
static struct timespec server_after(int ms, const struct timespec *cap)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	if (t.tv_sec > cap->tv_sec || (t.tv_sec == cap->tv_sec && t.tv_nsec > cap->tv_nsec))
		t = *cap;
	return t;
}

/* One log line naming the calls that are still open. */
static void server_log_open(server *s, const char *why)
{
	char list[768];
	size_t len = 0;
	list[0] = '\0';
	pthread_mutex_lock(&s->mu);
	size_t nstreams = s->nstreams;
	for (fapi_stream *st = s->streams; st && len < sizeof(list) - 1; st = stream_next(st)) {
		int w = snprintf(list + len, sizeof(list) - len, "%s%s from %s", len ? ", " : "", stream_path(st),
				 stream_peer(st));
		len = w < 0 ? len : len + (size_t)w > sizeof(list) - 1 ? sizeof(list) - 1 : len + (size_t)w;
	}
	pthread_mutex_unlock(&s->mu);
	char busy[128];
	cq_pool_busy(s->cqs, SERVICE_KIND_COUNT, busy, sizeof(busy));
	log_msg(FAPI_LOG_ERROR, "grpc", "%s: still open: %zu stream(s)%s%s, %d unary call(s), handlers running: %s",
		why, nstreams, nstreams ? ": " : "", list, atomic_load(&s->unary_open), busy);
}

int server_shutdown(server *s, int grace_ms, const struct timespec *deadline)
{
	if (!s->started)
		return 0;
	stream_finish_all(s);
	pthread_rwlock_wrlock(&s->gate);
	s->shutting_down = true;
	pthread_rwlock_unlock(&s->gate);
	grpc_server_shutdown_and_notify(s->grpc, s->cqs[SERVICE_UNARY].cq, &s->shutdown_tag);
	/* Streams get grace_ms to send what they queued and their status. Once
	 * they are all closed, what may still hold the server up is only a
	 * client that has not closed its side: cancel that at once. */
	int cancelled = 0;
	struct timespec grace = server_after(grace_ms, deadline);
	if (!server_wait(s, &grace, true)) {
		pthread_mutex_lock(&s->mu);
		cancelled = (int)s->nstreams;
		pthread_mutex_unlock(&s->mu);
		log_msg(FAPI_LOG_WARNING, "grpc", "%d stream(s) still open after %d ms: cancelling them", cancelled,
			grace_ms);
	}
	log_msg(FAPI_LOG_DEBUG, "grpc", "streams drained, cancelling what is left");
	/* Cancelling also closes every connection at once, whatever its peer
	 * does: one that stopped reading (full socket buffers) or vanished
	 * (half open) holds nothing up. */
	grpc_server_cancel_all_calls(s->grpc);
	struct timespec settle = server_after(SERVER_SETTLE_MS, deadline);
	if (!server_wait(s, &settle, false)) {
		size_t n = reap_accepted(s->listeners, s->nlisteners);
		log_msg(FAPI_LOG_WARNING, "grpc", "closed %zu connection(s) that did not close when their calls were "
						  "cancelled (clients not reading, or half open)",
			n);
	}
	if (!server_wait(s, deadline, false)) {
		server_log_open(s, "shutdown timeout reached, exiting anyway");
		return -1;
	}
	log_msg(FAPI_LOG_DEBUG, "grpc", "server shut down, draining completion queues");
	for (int k = 0; k < SERVICE_KIND_COUNT; k++) {
		if (cq_pool_shutdown(&s->cqs[k], deadline) < 0) {
			server_log_open(s, "shutdown timeout reached while a handler still runs, exiting anyway");
			return -1;
		}
	}
	log_msg(FAPI_LOG_DEBUG, "grpc", "completion queues drained");
	s->started = false;
	return cancelled;
}

size_t server_destroy(server *s)
{
	if (!s)
		return 0;
	if (s->grpc)
		grpc_server_destroy(s->grpc);
	size_t leaked = 0;
	for (int k = 0; k < SERVICE_KIND_COUNT; k++) {
		cq_pool_shutdown(&s->cqs[k], NULL);
		cq_pool_destroy(&s->cqs[k]);
		if (s->pools[k].size)
			leaked += call_pool_destroy(&s->pools[k]);
	}
	pthread_rwlock_destroy(&s->gate);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
	return leaked;
}

size_t server_open_streams(server *s)
{
	pthread_mutex_lock(&s->mu);
	size_t n = s->nstreams;
	pthread_mutex_unlock(&s->mu);
	return n;
}

void server_set_authz(server *s, const authz_policy *policy, authz_audit *audit)
{
	s->policy = policy;
	s->audit = audit;
}
