#ifndef FAPI_SERVER_INTERNAL_H
#define FAPI_SERVER_INTERNAL_H

/* Shared between the server's files; nothing outside core/server includes
 * it. */

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "authz/authz_audit.h"
#include "authz/authz_identity.h"
#include "authz/authz_policy.h"
#include "server/call_pool.h"
#include "server/cq.h"
#include "server/reap.h"
#include "server/server.h"

#define SERVER_CONTAINER_OF(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

struct server {
	grpc_server *grpc;
	cq_pool cqs[SERVICE_KIND_COUNT];
	call_pool pools[SERVICE_KIND_COUNT];
	service_table *table;
	/* Held for reading while posting a request or starting a call, so
	 * that once shutdown has taken it for writing no new work reaches a
	 * queue that is about to be shut down. */
	pthread_rwlock_t gate;
	bool shutting_down; /* under gate */
	pthread_mutex_t mu; /* streams list and shutdown handshake */
	pthread_cond_t cv;
	struct fapi_stream *streams;
	size_t nstreams;
	bool shutdown_notified;
	cq_tag shutdown_tag;
	atomic_int unary_open;  /* unary calls matched and not yet released */
	int unary_outstanding;  /* requests kept posted per unary method */
	int stream_outstanding; /* per streaming method */
	bool started;
#define SERVER_MAX_LISTENERS 32
	reap_listener listeners[SERVER_MAX_LISTENERS]; /* where connections are accepted, for reap_accepted */
	size_t nlisteners;
	const authz_policy *policy; /* NULL: no policy (every call allowed) */
	authz_audit *audit;         /* NULL: write calls are not recorded */
};

/* A call's peer as the core keeps it: what handlers get (pub, first, so
 * that the host's peer_identity finds the rest) and who is behind it. */
typedef struct server_peer {
	fapi_peer pub;
	char *owned; /* gpr-allocated peer string gRPC gave */
	char unix_address[64]; /* pub.address of a connection our unix listener accepted */
	authz_identity id;
} server_peer;

/* Posts a request for the next call of entry (NULL: unknown methods). */
void unary_request(server *s, const service_entry *e);
void stream_request(server *s, const service_entry *e);

/* Sizes of the pooled call contexts, which only their files know. */
size_t unary_call_size(void);
size_t stream_call_size(void);

/* Ends every open stream with UNAVAILABLE, or, for a method with
 * on_shutdown, hands the stream to its module to end. */
void stream_finish_all(server *s);

/* For the shutdown log, under s->mu: the next listed stream, its method
 * path and its peer's address. */
struct fapi_stream *stream_next(struct fapi_stream *st);
const char *stream_path(const struct fapi_stream *st);
const char *stream_peer(const struct fapi_stream *st);

/* Fills peer from the call: its address (peer->owned, to be freed with
 * gpr_free), the transport and the identity. */
void server_peer_fill(grpc_call *call, server_peer *peer);

/* Decides whether the peer may call entry e (see server_authz.c); on a
 * write method, a denial is audited here. Returns FAPI_STATUS_OK or
 * PERMISSION_DENIED with the reason in msg. */
fapi_status_code server_authz_check(server *s, const service_entry *e, const server_peer *peer,
				    const uint8_t *req, size_t len, char *msg, size_t msglen);
/* A stream's later audit record (host stream_audit; nothing for a read
 * method or without an audit log). FAPI_OK or FAPI_EINVAL with err. */
int server_authz_audit_stream(server *s, const service_entry *e, const server_peer *peer,
			      const fapi_stream_audit *rec, char *err, size_t errlen);
/* Records an allowed write call with its result (nothing for a read). */
void server_authz_audit(server *s, const service_entry *e, const server_peer *peer, const uint8_t *req,
			size_t len, fapi_status_code code, const char *message);

#endif
