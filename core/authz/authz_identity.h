#ifndef FAPI_AUTHZ_IDENTITY_H
#define FAPI_AUTHZ_IDENTITY_H

/* Who is calling, as the policy, the audit log and modules see it: the unix
 * peer's credentials taken when its connection was accepted (SO_PEERCRED),
 * or the verified mutual-TLS client certificate's subject and SANs. Fixed
 * size with no allocation, so that it lives inside a call context. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fapi/rpc.h"

#define AUTHZ_NAME_MAX 64
#define AUTHZ_MAX_SANS 16
#define AUTHZ_MAX_GROUPS 32

/* What the listener learns about a unix peer at accept. */
typedef struct authz_unix_creds {
	uint32_t uid, gid;
	int32_t pid;
	char user[AUTHZ_NAME_MAX];  /* "" when uid has no name */
	char group[AUTHZ_NAME_MAX]; /* "" when gid has no name */
	bool in_socket_group;       /* gid, or a supplementary group of user, is the socket's group */
	uint32_t groups[AUTHZ_MAX_GROUPS]; /* user's groups from the group database, gid first */
	size_t ngroups;

} authz_unix_creds;

/* Its strings point into its own store: fill it where it stays, never
 * copy it. */
typedef struct authz_identity {
	const char *transport; /* "unix", "tcp+mtls", "tcp+insecure"; static */
	bool has_unix;
	authz_unix_creds unix_creds; /* when has_unix */
	bool has_cert;
	const char *subject, *cn;               /* into store; "" when absent */
	const char *dns[AUTHZ_MAX_SANS];        /* into store */
	const char *uri[AUTHZ_MAX_SANS];
	size_t ndns, nuri;
	char store[2048]; /* the certificate's strings */
	size_t used;
	char text[384];   /* one-line description */
} authz_identity;

/* Resets id to "nobody known" over `transport`. */
void authz_identity_init(authz_identity *id, const char *transport);
/* Sets the unix credentials (copied). */
void authz_identity_set_unix(authz_identity *id, const authz_unix_creds *c);
/* Adds a certificate string: which is 's' subject, 'c' CN, 'd' DNS SAN,
 * 'u' URI SAN. Strings that do not fit (store or SAN count) are dropped:
 * a policy then simply does not match them. */
void authz_identity_add_cert(authz_identity *id, char which, const char *value, size_t len);
/* Composes id->text from what was set; call once everything is set. */
void authz_identity_finish(authz_identity *id);
/* Writes the identity as a JSON object. */
void authz_identity_write_json(const authz_identity *id, FILE *out);
/* Fills the SDK's view (out->size set by the caller). FAPI_OK or
 * FAPI_EINVAL when out->size is too small. Pointers point into id. */
int authz_identity_export(const authz_identity *id, fapi_identity *out);

#endif
