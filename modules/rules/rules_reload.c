/* rules_reload: the config files read again from disk and applied with
 * the API files, as SIGHUP does; a new revision. */

#include "rules_module.h"

static fapi_status_code rules_reload_build(rules_module *m, const rules_state *cur, rules_state *next,
					   const void *request, char *msg, size_t msglen)
{
	(void)m, (void)cur, (void)next, (void)request, (void)msg, (void)msglen;
	return FAPI_STATUS_OK;
}

void rules_reload_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *r, void *user)
{
	(void)peer;
	const Falco__Rules__ReloadRequest *q = (const Falco__Rules__ReloadRequest *)req;
	rules_write_run(user, q->if_revision, rules_reload_build, q, true, "rules_reload", r);
}
