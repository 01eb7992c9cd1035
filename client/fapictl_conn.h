#ifndef FAPICTL_CONN_H
#define FAPICTL_CONN_H

/* Where and how fapictl connects: the targets, TLS files and the timeout
 * given by --target, --ca, --cert, --key, --server-name, --timeout (or
 * FAPICTL_TARGET), and the channels made from them. */

#include <stddef.h>

#include <grpc/grpc.h>

#define FAPICTL_DEFAULT_TARGET "unix:///run/falco/falco.sock"
#define FAPICTL_MAX_TARGETS 64

typedef struct fapictl_conn {
	const char *targets[FAPICTL_MAX_TARGETS]; /* at least one; not owned (argv or environment) */
	size_t ntargets;
	const char *ca, *cert, *key; /* optional PEM files; any of them selects TLS */
	const char *server_name;     /* optional: the name the server's certificate must carry */
	double timeout_s;            /* --timeout; < 0 when not given */
} fapictl_conn;

/* Opens a channel to conn->targets[i]: TLS when a TLS file is given,
 * plaintext otherwise. `follow` makes the channel retry its connection
 * quickly (at most every 2 s) after a loss. Returns the channel (caller
 * destroys it with grpc_channel_destroy) or NULL with err filled (a TLS file
 * that cannot be read). */
grpc_channel *fapictl_conn_channel(const fapictl_conn *conn, size_t i, int follow, char *err, size_t errlen);

/* The name of a gRPC status code ("UNAVAILABLE"). Static storage. */
const char *fapictl_conn_status_name(grpc_status_code code);

/* Prints on stderr, in a user's words, why a call to `target` ended with
 * `code` and `details` (the server's message), followed by the status name
 * and message:
 *   fapictl: cannot connect to unix:///x.sock: no such file (is falco-apid running?) [UNAVAILABLE: ...]
 * A unix socket is looked at to tell a missing socket, one the user may not
 * open (naming its group) and a refused connection apart. */
void fapictl_conn_report(const char *target, grpc_status_code code, const char *details);

/* Deadline `seconds` from now (infinite when seconds < 0). */
gpr_timespec fapictl_conn_deadline(double seconds);

#endif
