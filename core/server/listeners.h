#ifndef FAPI_LISTENERS_H
#define FAPI_LISTENERS_H

/* Where the server listens, secure by default:
 *  - unix://PATH: the parent directory is created, a stale socket (nobody
 *    accepting) is replaced, a live one is an error, and the socket gets
 *    grpc.unix_socket_mode whatever the umask;
 *  - HOST:PORT: mutual TLS with grpc.private_key, grpc.cert_chain and
 *    grpc.root_certs; without them startup fails, unless HOST is loopback and
 *    grpc.insecure is true (logged as a warning). */

#include <stddef.h>

#include "config/daemon_config.h"
#include "server/server.h"

typedef struct listeners {
	char **unix_paths; /* sockets we created, removed at close; owned */
	size_t nunix;
} listeners;

/* Opens every grpc.bind_address on the server. Returns 0, or -1 with the
 * reason naming the address in err (nothing is left listening then: the
 * caller destroys the server). */
int listeners_open(listeners *l, server *s, const daemon_config *c, char *err, size_t errlen);
/* Removes the unix sockets and frees the list. */
void listeners_close(listeners *l);

/* Returns 1 when `hostport` ("127.0.0.1:5060", "[::1]:5060",
 * "localhost:5060") names a loopback host. */
int listeners_is_loopback(const char *hostport);

#endif
