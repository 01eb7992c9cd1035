/* rules_delete: remove API files, all at once. */

#include <stdio.h>

#include "rules_module.h"

static fapi_status_code rules_delete_build(rules_module *m, const rules_state *cur, rules_state *next,
					   const void *request, char *msg, size_t msglen)
{
	(void)cur;
	const Falco__Rules__DeleteRequest *q = request;
	if (!q->n_names) {
		snprintf(msg, msglen, "no file to delete");
		return FAPI_STATUS_INVALID_ARGUMENT;
	}
	if (q->n_names > m->max_request_files) {
		snprintf(msg, msglen, "%zu names in one request: max_request_files is %zu", q->n_names,
			 m->max_request_files);
		return FAPI_STATUS_INVALID_ARGUMENT;
	}
	for (size_t i = 0; i < q->n_names; i++) {
		if (rules_state_remove(next, q->names[i]) < 0) {
			snprintf(msg, msglen, "no API rules file \"%.200s\"%s", q->names[i],
				 rules_state_valid_name(q->names[i]) ? "" : " (config files cannot be deleted through the API)");
			return FAPI_STATUS_NOT_FOUND;
		}
	}
	return FAPI_STATUS_OK;
}

void rules_delete_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *r, void *user)
{
	(void)peer;
	const Falco__Rules__DeleteRequest *q = (const Falco__Rules__DeleteRequest *)req;
	rules_write_run(user, q->if_revision, rules_delete_build, q, false, "rules_delete", r);
}
