/* rules_get: one file of the set with its content. An API file comes from
 * the module's state; a config file is read from disk now (the set holds
 * what was read at startup or at the last reload: compare the sha256 with
 * rules_list's). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_module.h"

/* Whether `name` is a config file of the running set. */
static bool rules_get_is_config(rules_module *m, const char *name)
{
	fapi_rules_list *l = NULL;
	char err[FAPI_ERRBUF_SIZE];
	if (m->host->rules_list(m->ctx, &l, err, sizeof(err)) != FAPI_OK)
		return false;
	bool found = false;
	for (size_t i = 0; i < l->nfiles && !found; i++)
		found = l->files[i]->origin == FAPI_RULES_ORIGIN_CONFIG && strcmp(l->files[i]->name, name) == 0;
	m->host->rules_list_free(l);
	return found;
}

void rules_get_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *res, void *user)
{
	(void)peer;
	rules_module *m = user;
	const Falco__Rules__GetRequest *q = (const Falco__Rules__GetRequest *)req;
	rules_snapshot *cur = rules_module_acquire(m);
	Falco__Rules__GetResponse *r = malloc(sizeof(*r));
	if (!r)
		goto oom;
	falco__rules__get_response__init(r);
	r->revision = cur->state.revision;
	const rules_file *f = rules_state_find(&cur->state, q->name);
	if (f) {
		if (!(r->file = rules_write_file_info(f)) || !(r->content = strdup(f->content)))
			goto oom;
	} else if (q->name[0] && rules_get_is_config(m, q->name)) {
		rules_file cf = {.name = (char *)q->name};
		char err[FAPI_ERRBUF_SIZE];
		int rc = rules_store_read_path(q->name, m->config_file_bytes, &cf.content, &cf.len, err, sizeof(err));
		if (rc != FAPI_OK) {
			res->status = FAPI_STATUS_UNAVAILABLE;
			snprintf(res->message, sizeof(res->message), "%s", rc == FAPI_ENOTFOUND ? "the file is gone" : err);
			goto out;
		}
		r->content = cf.content;
		if (rules_state_sha256(cf.content, cf.len, cf.sha256) < 0 || !(r->file = rules_write_file_info(&cf)))
			goto oom;
		free(r->file->origin);
		if (!(r->file->origin = strdup("config")))
			goto oom;
	} else {
		res->status = FAPI_STATUS_NOT_FOUND;
		snprintf(res->message, sizeof(res->message), "no rules file \"%.300s\" in the set", q->name);
		goto out;
	}
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
	rules_module_release(cur);
}
