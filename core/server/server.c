#include "server/server.h"

#include <grpc/support/alloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log/log.h"
#include "server/server_internal.h"

static void server_on_shutdown(cq_tag *t, bool ok)
{
	(void)ok;
	server *s = SERVER_CONTAINER_OF(t, server, shutdown_tag);
	pthread_mutex_lock(&s->mu);
	s->shutdown_notified = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

int server_create(server **out, service_table *table, int threads, char *err, size_t errlen)
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
	pthread_cond_init(&s->cv, NULL);
	s->shutdown_tag.fn = server_on_shutdown;
	s->unary_outstanding = threads * 4 < 8 ? 8 : threads * 4;
	s->stream_outstanding = 2;
	grpc_arg args[] = {
		{.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_ALLOW_REUSEPORT, .value.integer = 0},
	};
	grpc_channel_args cargs = {.num_args = 1, .args = args};
	s->grpc = grpc_server_create(&cargs, NULL);
	for (int k = 0; k < SERVICE_KIND_COUNT; k++) {
		if (cq_pool_create(&s->cqs[k], names[k], threads) < 0) {
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
 * no stream of ours is open any more. Returns true when the condition held
 * before the deadline. */
static bool server_wait(server *s, int ms, bool drained)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->mu);
	while (!s->shutdown_notified && !(drained && s->nstreams == 0))
		if (pthread_cond_timedwait(&s->cv, &s->mu, &until) != 0)
			break;
	bool done = s->shutdown_notified || (drained && s->nstreams == 0);
	pthread_mutex_unlock(&s->mu);
	return done;
}

int server_shutdown(server *s, int grace_ms)
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
	if (!server_wait(s, grace_ms, true)) {
		pthread_mutex_lock(&s->mu);
		cancelled = (int)s->nstreams;
		pthread_mutex_unlock(&s->mu);
		log_msg(FAPI_LOG_WARNING, "grpc", "%d stream(s) still open after %d ms: cancelling them", cancelled,
			grace_ms);
	}
	log_msg(FAPI_LOG_DEBUG, "grpc", "streams drained, cancelling what is left");
	grpc_server_cancel_all_calls(s->grpc);
	server_wait(s, 60000, false);
	log_msg(FAPI_LOG_DEBUG, "grpc", "server shut down, draining completion queues");
	for (int k = 0; k < SERVICE_KIND_COUNT; k++)
		cq_pool_shutdown(&s->cqs[k]);
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
		cq_pool_shutdown(&s->cqs[k]);
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
