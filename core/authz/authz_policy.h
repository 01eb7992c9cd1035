#ifndef FAPI_AUTHZ_POLICY_H
#define FAPI_AUTHZ_POLICY_H

/* Who may call what. Every method has a class (read or write) and may name
 * a permission of its own; a caller may call it when it holds that
 * permission, the class name, or "*". Defaults, before any grant: uid 0 and
 * the daemon's own uid hold "*"; a unix peer in the socket's group, a TCP
 * client with a verified certificate and a plaintext loopback client
 * (grpc.insecure) hold "read". Grants in grpc.authorization.grants add
 * permissions to identities matched by uid, user, gid, group, certificate
 * CN or SAN (DNS or URI, such as a SPIFFE ID). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz/authz_identity.h"
#include "config/config_tree.h"
#include "fapi/rpc.h"

typedef enum authz_match {
	AUTHZ_MATCH_UID,
	AUTHZ_MATCH_USER,
	AUTHZ_MATCH_GID,
	AUTHZ_MATCH_GROUP,
	AUTHZ_MATCH_CN,
	AUTHZ_MATCH_SAN
} authz_match;

typedef struct authz_grant {
	authz_match match;
	uint32_t id;               /* UID, GID */
	const char *name;          /* USER, GROUP, CN, SAN: into the config tree */
	uint32_t group_gid;        /* GROUP: resolved at load, when the group exists */
	bool group_known;
	const char **permissions;  /* owned array; strings in the config tree */
	size_t npermissions;
} authz_grant;

typedef struct authz_policy {
	bool enabled;        /* grpc.authorization.enabled; false lets everyone call everything */
	uint32_t self_uid;   /* the daemon's uid */
	authz_grant *grants; /* owned */
	size_t ngrants;
} authz_policy;

/* Reads grpc.authorization from the configuration. Returns 0, or -1 with
 * "file:line:column: ..." in err. The config tree must outlive the policy. */
int authz_policy_read(const config_node *root, authz_policy *p, char *err, size_t errlen);
void authz_policy_free(authz_policy *p);

/* The permission a method needs: its own, or its class name. */
const char *authz_policy_permission(fapi_method_class cls, const char *own);

/* Decides a call of `path` (class cls, own permission or NULL) by `id`.
 * Returns true when allowed; false with "permission 'X' ..." naming what
 * is missing in msg. */
bool authz_policy_allows(const authz_policy *p, const authz_identity *id, const char *path, fapi_method_class cls,
			 const char *own, char *msg, size_t msglen);

#endif
