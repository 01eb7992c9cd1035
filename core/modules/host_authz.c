/* The host side of the authorisation check: the policy a configuration
 * change would give, built off to the side from a copy of the running
 * configuration, so that a module (configs) can refuse a change that would
 * lock its caller out before anything is applied. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_policy.h"
#include "config/config_live.h"
#include "config/config_override.h"
#include "config/config_yaml.h"
#include "modules/host_authz.h"
#include "server/server.h"

#define HOST_AUTHZ_QUERY_MIN (offsetof(fapi_authz_query, n) + sizeof(size_t))

/* The configuration as stored now (falco.yaml, the overlay, -o: what the
 * next start reads, since the policy's keys apply at restart), re-read
 * from its YAML text so that nothing of the live one is shared. */
static int host_authz_current(const module_set *set, config_doc *d, char *msg, size_t msglen)
{
	char *yaml = config_live_yaml(set->live, "");
	if (!yaml) {
		snprintf(msg, msglen, "out of memory");
		return FAPI_ENOMEM;
	}
	config_node *root = NULL;
	char err[FAPI_ERRBUF_SIZE];
	int rc = config_yaml_parse(d, "<configuration>", yaml, strlen(yaml), &root, err, sizeof(err));
	free(yaml);
	if (rc < 0) {
		snprintf(msg, msglen, "the running configuration does not read back: %s", err);
		return FAPI_EINVAL;
	}
	if (root) {
		config_node_free(d->root);
		d->root = root;
	}
	return FAPI_OK;
}

/* The current configuration with q's changes, in a document of its own. */
static int host_authz_would_be(const module_set *set, const fapi_authz_query *q, config_doc *d, char *msg,
			       size_t msglen)
{
	if (config_doc_init(d) < 0) {
		snprintf(msg, msglen, "out of memory");
		return FAPI_ENOMEM;
	}
	if (set && set->live) {
		int rc = host_authz_current(set, d, msg, msglen);
		if (rc != FAPI_OK)
			return rc;
	} else if (set && set->config_root) {
		config_node *copy = config_node_clone(set->config_root);
		if (!copy) {
			snprintf(msg, msglen, "out of memory");
			return FAPI_ENOMEM;
		}
		config_node_free(d->root);
		d->root = copy;
	}
	for (size_t i = 0; i < q->n; i++) {
		if (!q->keys || !q->values || !q->keys[i] || !q->values[i] || !*q->keys[i]) {
			snprintf(msg, msglen, "change %zu has no key or no value", i);
			return FAPI_EINVAL;
		}
		size_t len = strlen(q->keys[i]) + strlen(q->values[i]) + 2;
		char *a = malloc(len);
		if (!a) {
			snprintf(msg, msglen, "out of memory");
			return FAPI_ENOMEM;
		}
		snprintf(a, len, "%s=%s", q->keys[i], q->values[i]);
		char err[FAPI_ERRBUF_SIZE];
		int rc = config_override_apply(d, a, err, sizeof(err));
		free(a);
		if (rc < 0) {
			snprintf(msg, msglen, "%s: %s", q->keys[i], err);
			return FAPI_EINVAL;
		}
	}
	return FAPI_OK;
}

int host_authz_check(fapi_module_ctx *ctx, const fapi_peer *peer, const fapi_authz_query *q, bool *allowed,
		     char *msg, size_t msglen)
{
	/* size 0: the layout ABI 1.4 published (see fapi/host.h). */
	if (!ctx || !peer || !q || !allowed || !q->path || (q->size && q->size < HOST_AUTHZ_QUERY_MIN)) {
		snprintf(msg, msglen, "authz_check: a NULL argument or a query smaller than its members");
		return FAPI_EINVAL;
	}
	*allowed = false;
	const authz_identity *id = server_peer_authz(peer);
	if (!id) {
		snprintf(msg, msglen, "authz_check: not a peer of a call");
		return FAPI_EINVAL;
	}
	config_doc d;
	int rc = host_authz_would_be(ctx->set, q, &d, msg, msglen);
	if (rc == FAPI_OK) {
		authz_policy p;
		char err[FAPI_ERRBUF_SIZE];
		if (authz_policy_read(d.root, &p, err, sizeof(err)) < 0) {
			snprintf(msg, msglen, "the policy would be invalid: %s", err);
			rc = FAPI_EINVAL;
		} else {
			*allowed = authz_policy_allows(&p, id, q->path, q->method_class, q->permission, msg, msglen);
			authz_policy_free(&p);
		}
	}
	config_doc_free(&d);
	return rc == FAPI_ENOMEM ? FAPI_EINVAL : rc;
}
