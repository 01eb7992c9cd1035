#ifndef FAPI_LISTENERS_H
#define FAPI_LISTENERS_H

/* Where the server listens, secure by default:
 *  - unix://PATH: the parent directory is created, a stale socket (nobody
 *    accepting) is replaced, a live one is an error, and the socket gets
 *    grpc.unix_socket_mode whatever the umask;
 *  - HOST:PORT: mutual TLS with grpc.private_key, grpc.cert_chain and
 *    grpc.root_certs; without them startup fails, unless HOST is loopback and
 *    grpc.insecure is true (logged as a warning). */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/daemon_config.h"
#include "server/server.h"

/* A unix socket we created and accept on ourselves, so that each
 * connection's SO_PEERCRED is taken (gRPC C core does not expose it). */
typedef struct listeners_unix {
	char *path;   /* owned; removed at close */
	int fd;       /* listening socket */
	uint32_t gid; /* the socket's group: its members may read */
} listeners_unix;

typedef struct listeners {
	listeners_unix *unix; /* owned */
	size_t nunix;
	server *srv;
	pthread_t thread; /* accepts on every unix socket */
	bool running;
	int wake[2];      /* a byte on wake[1] stops the thread */
} listeners;

/* Opens every grpc.bind_address: binds the unix sockets (with
 * grpc.unix_socket_mode and grpc.unix_socket_group) and adds the TCP ports
 * to the server. Returns 0, or -1 with the reason naming the address or
 * file in err: TLS files that do not load, a key that does not match its
 * certificate, a CA file that is not a certificate, no permission, an
 * address in use (the caller destroys the server then). A socket mode
 * open to every user is logged as a warning. */
int listeners_open(listeners *l, server *s, const daemon_config *c, char *err, size_t errlen);
/* The listeners' cross-key rules alone, touching no file or socket (a
 * configuration change is checked with it before it applies): every TCP
 * address needs all three TLS files, or none with grpc.insecure on a
 * loopback address. 0, or -1 with err naming the address and what is
 * missing. */
int listeners_check_config(const daemon_config *c, char *err, size_t errlen);
/* Starts accepting on the unix sockets; after server_start. 0 or -1 with
 * err. */
int listeners_start(listeners *l, server *s, char *err, size_t errlen);
/* Stops accepting (before the server shuts down). Idempotent. */
void listeners_stop(listeners *l);
/* Stops accepting, closes and removes the unix sockets. */
void listeners_close(listeners *l);

/* Returns 1 when `hostport` ("127.0.0.1:5060", "[::1]:5060",
 * "localhost:5060", "ipv4:127.0.0.1:1,127.0.0.2:2") names loopback hosts
 * only. */
int listeners_is_loopback(const char *hostport);

#endif
