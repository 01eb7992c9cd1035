/* rules_validate: the set some files would make with the current one, as
 * a put (and deletes) would make it; changes nothing. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_module.h"

void rules_validate_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *res, void *user)
{
	(void)peer;
	rules_module *m = user;
	const Falco__Rules__ValidateRequest *q = (const Falco__Rules__ValidateRequest *)req;
	fapi_status_code code = rules_put_check(m, q->files, q->n_files, res->message, sizeof(res->message));
	if (code != FAPI_STATUS_OK) {
		res->status = code;
		return;
	}
	rules_snapshot *cur = rules_module_acquire(m);
	rules_state next;
	Falco__Rules__ValidateResponse *r = NULL;
	fapi_rules_diags *d = NULL;
	char err[FAPI_ERRBUF_SIZE] = "";
	if (rules_state_copy(&next, &cur->state) < 0)
		goto oom;
	for (size_t i = 0; i < q->n_delete_; i++) {
		if (rules_state_remove(&next, q->delete_[i]) < 0) {
			res->status = FAPI_STATUS_NOT_FOUND;
			snprintf(res->message, sizeof(res->message), "no API rules file \"%.200s\"", q->delete_[i]);
			goto out;
		}
	}
	for (size_t i = 0; i < q->n_files; i++)
		if (rules_state_put(&next, q->files[i]->name, q->files[i]->content, strlen(q->files[i]->content),
				    cur->state.revision + 1) < 0)
			goto oom;
	int rc = rules_set_run(m, &next, false, &d, err, sizeof(err));
	if (rc != FAPI_OK && !(rc == FAPI_EINVAL && d)) {
		res->status = rc == FAPI_EUNSUPPORTED ? FAPI_STATUS_FAILED_PRECONDITION : FAPI_STATUS_INTERNAL;
		snprintf(res->message, sizeof(res->message), "%s", err);
		goto out;
	}
	if (!(r = malloc(sizeof(*r))))
		goto oom;
	falco__rules__validate_response__init(r);
	r->valid = rc == FAPI_OK;
	r->revision = cur->state.revision;
	if (rules_diag_to_proto(d, false, &r->diagnostics, &r->n_diagnostics) < 0)
		goto oom;
	res->response = &r->base;
	res->release = rules_write_release;
	r = NULL;
	goto out;
oom:
	res->status = FAPI_STATUS_RESOURCE_EXHAUSTED;
	snprintf(res->message, sizeof(res->message), "out of memory");
out:
	if (r)
		rules_write_release(&r->base, NULL);
	if (d)
		m->host->rules_diags_free(d);
	rules_state_free(&next);
	rules_module_release(cur);
}
