#ifndef FAPI_AUTHZ_PEERS_H
#define FAPI_AUTHZ_PEERS_H

/* The credentials of every unix connection, by file descriptor. gRPC C core
 * does not expose a unix peer's credentials, so the listener accepts the
 * connection itself, takes SO_PEERCRED, records it here and hands the fd
 * to gRPC, whose calls then name their connection "fd:N". An fd is reused
 * only after gRPC closed it, which it does once no call of that connection
 * is left, so an entry is overwritten only when nobody can ask for it. */

#include <stdbool.h>

#include "authz/authz_identity.h"

/* Records the credentials of connection `fd` (replacing what a closed
 * connection with that number left). 0, or -1 on ENOMEM. Thread-safe. */
int authz_peers_set(int fd, const authz_unix_creds *c);
/* Copies the credentials of the connection a gRPC peer string names
 * ("fd:N") into *out. Returns true when known. Thread-safe. */
bool authz_peers_get(const char *grpc_peer, authz_unix_creds *out);
/* Frees the table (at exit). */
void authz_peers_free(void);

#endif
