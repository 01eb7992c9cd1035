#include "authz/authz_policy.h"

#include "config/config_keys.h"

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const authz_policy_match_keys[] = {
	[AUTHZ_MATCH_UID] = "uid", [AUTHZ_MATCH_USER] = "user", [AUTHZ_MATCH_GID] = "gid",
	[AUTHZ_MATCH_GROUP] = "group", [AUTHZ_MATCH_CN] = "cert_cn", [AUTHZ_MATCH_SAN] = "cert_san",
};
#define AUTHZ_POLICY_NMATCH (sizeof(authz_policy_match_keys) / sizeof(authz_policy_match_keys[0]))

static int authz_policy_permissions(const config_node *g, authz_grant *out, char *err, size_t errlen)
{
	char where[300];
	const config_node *v = config_map_get(g, "permissions");
	if (!v || (v->kind == CONFIG_SEQ && v->count == 0) || v->kind == CONFIG_MAP) {
		snprintf(err, errlen, "%s: a grant needs 'permissions', a list such as [write] or [\"*\"]",
			 config_node_where(v ? v : g, where, sizeof(where)));
		return -1;
	}
	size_t n = v->kind == CONFIG_SEQ ? v->count : 1;
	if (!(out->permissions = calloc(n, sizeof(*out->permissions)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const config_node *it = v->kind == CONFIG_SEQ ? v->items[i] : v;
		if (it->kind != CONFIG_SCALAR || !*it->scalar) {
			snprintf(err, errlen, "%s: every permission must be a non-empty string",
				 config_node_where(it, where, sizeof(where)));
			return -1;
		}
		out->permissions[out->npermissions++] = it->scalar;
	}
	return 0;
}

static int authz_policy_grant(const config_node *g, authz_grant *out, char *err, size_t errlen)
{
	char where[300];
	if (g->kind != CONFIG_MAP) {
		snprintf(err, errlen, "%s: every entry of grpc.authorization.grants must be a map such as "
				      "{user: alice, permissions: [write]}",
			 config_node_where(g, where, sizeof(where)));
		return -1;
	}
	int found = -1;
	for (size_t k = 0; k < AUTHZ_POLICY_NMATCH; k++) {
		if (!config_map_get(g, authz_policy_match_keys[k]))
			continue;
		if (found >= 0) {
			snprintf(err, errlen, "%s: a grant matches one identity: '%s' and '%s' both given",
				 config_node_where(g, where, sizeof(where)), authz_policy_match_keys[found],
				 authz_policy_match_keys[k]);
			return -1;
		}
		found = (int)k;
	}
	if (found < 0) {
		snprintf(err, errlen, "%s: a grant needs one of uid, user, gid, group, cert_cn, cert_san",
			 config_node_where(g, where, sizeof(where)));
		return -1;
	}
	out->match = (authz_match)found;
	const char *key = authz_policy_match_keys[found];
	if (out->match == AUTHZ_MATCH_UID || out->match == AUTHZ_MATCH_GID) {
		int64_t v;
		if (config_get_int(g, key, 0, &v, err, errlen) < 0)
			return -1;
		if (v < 0 || v > UINT32_MAX) {
			snprintf(err, errlen, "%s: %s must be between 0 and %u",
				 config_node_where(config_map_get(g, key), where, sizeof(where)), key, UINT32_MAX);
			return -1;
		}
		out->id = (uint32_t)v;
	} else {
		if (config_get_string(g, key, NULL, &out->name, err, errlen) < 0)
			return -1;
		if (!out->name || !*out->name) {
			snprintf(err, errlen, "%s: %s must not be empty",
				 config_node_where(config_map_get(g, key), where, sizeof(where)), key);
			return -1;
		}
		if (out->match == AUTHZ_MATCH_GROUP) {
			struct group gr, *res = NULL;
			char buf[4096];
			if (getgrnam_r(out->name, &gr, buf, sizeof(buf), &res) == 0 && res) {
				out->group_gid = (uint32_t)res->gr_gid;
				out->group_known = true;
			}
		}
	}
	return authz_policy_permissions(g, out, err, errlen);
}

int authz_policy_read(const config_node *root, authz_policy *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->self_uid = (uint32_t)getuid();
	if (config_key_bool(root, "grpc.authorization.enabled", &p->enabled, err, errlen) < 0)
		return -1;
	const config_node *g = config_lookup(root, "grpc.authorization.grants");
	if (!g || (g->kind == CONFIG_SCALAR && !*g->scalar))
		return 0;
	char where[300];
	if (g->kind != CONFIG_SEQ) {
		snprintf(err, errlen, "%s: grpc.authorization.grants must be a list",
			 config_node_where(g, where, sizeof(where)));
		return -1;
	}
	if (!(p->grants = calloc(g->count ? g->count : 1, sizeof(*p->grants)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < g->count; i++) {
		p->ngrants++;
		if (authz_policy_grant(g->items[i], &p->grants[i], err, errlen) < 0) {
			authz_policy_free(p);
			return -1;
		}
	}
	return 0;
}

void authz_policy_free(authz_policy *p)
{
	for (size_t i = 0; i < p->ngrants; i++)
		free(p->grants[i].permissions);
	free(p->grants);
	memset(p, 0, sizeof(*p));
}

const char *authz_policy_permission(fapi_method_class cls, const char *own)
{
	if (own && *own)
		return own;
	return cls == FAPI_METHOD_READ ? "read" : "write";
}

static bool authz_policy_in_groups(const authz_unix_creds *c, uint32_t gid)
{
	if (c->gid == gid)
		return true;
	for (size_t i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

static bool authz_policy_matches(const authz_grant *g, const authz_identity *id)
{
	const authz_unix_creds *c = &id->unix_creds;
	switch (g->match) {
	case AUTHZ_MATCH_UID:
		return id->has_unix && c->uid == g->id;
	case AUTHZ_MATCH_USER:
		return id->has_unix && *c->user && strcmp(c->user, g->name) == 0;
	case AUTHZ_MATCH_GID:
		return id->has_unix && authz_policy_in_groups(c, g->id);
	case AUTHZ_MATCH_GROUP:
		return id->has_unix && ((*c->group && strcmp(c->group, g->name) == 0) ||
					(g->group_known && authz_policy_in_groups(c, g->group_gid)));
	case AUTHZ_MATCH_CN:
		return id->has_cert && *id->cn && strcmp(id->cn, g->name) == 0;
	case AUTHZ_MATCH_SAN:
		for (size_t i = 0; id->has_cert && i < id->ndns; i++)
			if (strcmp(id->dns[i], g->name) == 0)
				return true;
		for (size_t i = 0; id->has_cert && i < id->nuri; i++)
			if (strcmp(id->uri[i], g->name) == 0)
				return true;
		return false;
	}
	return false;
}

bool authz_policy_allows(const authz_policy *p, const authz_identity *id, const char *path, fapi_method_class cls,
			 const char *own, char *msg, size_t msglen)
{
	if (!p->enabled)
		return true;
	if (id->has_unix && (id->unix_creds.uid == 0 || id->unix_creds.uid == p->self_uid))
		return true;
	bool write = cls != FAPI_METHOD_READ;
	if (!write && ((id->has_unix && id->unix_creds.in_socket_group) || id->has_cert ||
		       strcmp(id->transport, "tcp+insecure") == 0))
		return true;
	const char *need = authz_policy_permission(cls, own);
	const char *class_name = write ? "write" : "read";
	for (size_t i = 0; i < p->ngrants; i++) {
		const authz_grant *g = &p->grants[i];
		if (!authz_policy_matches(g, id))
			continue;
		for (size_t j = 0; j < g->npermissions; j++) {
			const char *have = g->permissions[j];
			if (strcmp(have, "*") == 0 || strcmp(have, need) == 0 || strcmp(have, class_name) == 0)
				return true;
		}
	}
	if (strcmp(need, class_name) == 0)
		snprintf(msg, msglen, "permission '%s' denied: %s needs it and %s does not hold it (grant it in "
				      "grpc.authorization.grants)",
			 need, path, id->text);
	else
		snprintf(msg, msglen, "permission '%s' denied: %s needs it (or '%s') and %s holds neither (grant it "
				      "in grpc.authorization.grants)",
			 need, path, class_name, id->text);
	return false;
}
