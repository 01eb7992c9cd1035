#ifndef FAPI_SERVER_H
#define FAPI_SERVER_H

/* The gRPC server: three completion queues (unary, server streaming,
 * bidirectional), each drained by its own thread pool, serving the methods
 * of a service table. */

#include <stdbool.h>
#include <stddef.h>

#include <time.h>

#include "config/daemon_config.h"
#include "authz/authz_audit.h"
#include "authz/authz_policy.h"
#include "fapi/input.h"
#include "fapi/rpc.h"
#include "server/service_table.h"

typedef struct server server;

/* Creates the server and its queues. `threads` is per queue (>= 1);
 * `limits` (copied; NULL: gRPC's own defaults) sets keepalive, message
 * sizes and streams per connection. Returns 0, or -1 with err filled. */
int server_create(server **out, service_table *table, int threads, const daemon_grpc_limits *limits, char *err,
		  size_t errlen);

/* Adds a listener; see listeners.h for the policy. 0 or -1 with err. */
int server_add_port(server *s, const char *address, void *grpc_creds, char *err, size_t errlen);

/* Sets the authorisation policy and the audit log (both owned by the
 * caller, outliving the server); before server_start. */
void server_set_authz(server *s, const authz_policy *policy, authz_audit *audit);

/* The host's peer_identity (see fapi/host.h). */
int server_peer_identity(const fapi_peer *peer, fapi_identity *out);
/* The identity the policy decides on for a peer the server handed to a
 * callback (borrowed, valid while the peer is), or NULL for NULL. */
const authz_identity *server_peer_authz(const fapi_peer *peer);

/* Registers every method of the table, freezes it, starts the server and
 * posts the first requests. 0 or -1 with err. */
int server_start(server *s, char *err, size_t errlen);

/* Ends every open stream with UNAVAILABLE once its queued messages are
 * sent, then shuts the server down; calls still open after grace_ms are
 * cancelled and every connection is closed. `deadline` (CLOCK_MONOTONIC)
 * bounds the whole: returns the number of calls that had to be cancelled,
 * or -1 when the server could not be shut down by then (a handler that does
 * not return): the log names what was still open, and the server must not
 * be destroyed (the process is to exit without it). */
int server_shutdown(server *s, int grace_ms, const struct timespec *deadline);

/* Frees everything; after server_shutdown (or instead of it when the server
 * never started). Returns the number of call contexts never returned (0). */
size_t server_destroy(server *s);

/* Number of streams open now. */
size_t server_open_streams(server *s);

/* The host-table stream functions (see fapi/host.h). */
int server_stream_write(fapi_stream *st, const ProtobufCMessage *message);
int server_stream_finish(fapi_stream *st, fapi_status_code code, const char *message);
size_t server_stream_queued(fapi_stream *st);
int server_stream_wake(fapi_stream *st);
/* The host's stream_read_pause / stream_read_resume (fapi/host.h). */
void server_stream_read_pause(fapi_stream *st);
void server_stream_read_resume(fapi_stream *st);
/* The host's stream_audit (fapi/host.h). */
int server_stream_audit(fapi_stream *st, const fapi_stream_audit *rec, char *err, size_t errlen);
void server_stream_set_user(fapi_stream *st, void *user);
void *server_stream_user(fapi_stream *st);

#endif
