#ifndef FAPI_REAP_H
#define FAPI_REAP_H

/* Closing connections from under gRPC at shutdown. gRPC 1.51 defers
 * closing an HTTP/2 connection until its pending write completes, and a
 * write to a client that stopped reading (its socket buffer full) never
 * completes: cancelling every call leaves such a connection, and the
 * server's shutdown, hanging. shutdown(2) on the socket fails that write,
 * so gRPC closes the connection itself (and later close(2)s the fd it still
 * owns). */

#include <stddef.h>

/* A listener whose accepted connections are to be closed. */
typedef struct reap_listener {
	char path[108]; /* unix socket path, or "" for TCP */
	int port;       /* TCP port, or 0 for a unix socket */
} reap_listener;

/* Fills l from a gRPC listening address ("unix://PATH", "unix:PATH" or
 * "HOST:PORT") and the port gRPC bound. Returns 0, or -1 when the address
 * is neither (the listener is then not reaped). */
int reap_listener_from(reap_listener *l, const char *address, int bound_port);

/* shutdown(2)s every socket of this process accepted on one of the n
 * listeners (found by its local address; listening sockets are left
 * alone). Returns the number of connections shut down. */
size_t reap_accepted(const reap_listener *ls, size_t n);

#endif
