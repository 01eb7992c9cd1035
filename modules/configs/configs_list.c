#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configs_guard.h"
#include "configs_key.h"
#include "configs_list.h"

static void configs_list_fail(fapi_unary_result *res, fapi_status_code code, const char *msg)
{
	res->status = code;
	snprintf(res->message, sizeof(res->message), "%s", msg);
}

/* Takes the snapshot of `path` into r and builds its key messages. */
static fapi_status_code configs_list_keys(configs_reply *r, const char *path, Falco__Configs__Key ***keys,
					  size_t *nkeys, char *msg, size_t msglen)
{
	const configs_module *m = r->m;
	int rc = m->host->config_list(m->ctx, path, &r->snap, msg, msglen);
	if (rc == FAPI_ENOTFOUND)
		return FAPI_STATUS_NOT_FOUND;
	if (rc != FAPI_OK)
		return FAPI_STATUS_RESOURCE_EXHAUSTED;
	size_t n = m->host->config_snapshot_count(r->snap);
	if (!(*keys = configs_reply_alloc(r, n, sizeof(**keys))))
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		fapi_config_entry e;
		memset(&e, 0, sizeof(e));
		e.size = sizeof(e);
		if (m->host->config_snapshot_entry(r->snap, i, &e) != FAPI_OK)
			continue;
		Falco__Configs__Key *k = configs_key_new(r, &e);
		if (!k)
			goto nomem;
		(*keys)[(*nkeys)++] = k;
	}
	return FAPI_STATUS_OK;
nomem:
	snprintf(msg, msglen, "out of memory");
	return FAPI_STATUS_RESOURCE_EXHAUSTED;
}

/* Hands the reply over (with the snapshot's revision), or frees it when
 * the call failed. */
static void configs_list_answer(configs_reply *r, fapi_unary_result *res, uint64_t *revision)
{
	if (res->status != FAPI_STATUS_OK) {
		configs_reply_release(&r->u.base, NULL);
		return;
	}
	*revision = r->m->host->config_snapshot_revision(r->snap);
	res->response = &r->u.base;
	res->release = configs_reply_release;
}

void configs_list_handle(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *res,
			 void *user)
{
	(void)peer;
	const Falco__Configs__ListRequest *req = (const Falco__Configs__ListRequest *)request;
	configs_reply *r = configs_reply_new(user);
	if (!r)
		return configs_list_fail(res, FAPI_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	Falco__Configs__ListResponse *out = &r->u.list;
	falco__configs__list_response__init(out);
	res->status = configs_list_keys(r, req->prefix, &out->keys, &out->n_keys, res->message, sizeof(res->message));
	configs_list_answer(r, res, &out->revision);
}

/* The host's YAML text with every redacted value replaced: a secret that
 * is not a path appears in it as "<redacted>" as in the typed values. */
static char *configs_get_yaml(configs_reply *r, const char *yaml)
{
	char *out = configs_reply_strdup(r, yaml ? yaml : "");
	if (!out)
		return NULL;
	const configs_module *m = r->m;
	size_t n = m->host->config_snapshot_count(r->snap);
	for (size_t i = 0; i < n; i++) {
		fapi_config_entry e;
		memset(&e, 0, sizeof(e));
		e.size = sizeof(e);
		if (m->host->config_snapshot_entry(r->snap, i, &e) != FAPI_OK || !e.present || !e.value ||
		    configs_guard_shown(e.path, e.flags, e.value) == e.value || !*e.value)
			continue;
		/* Every occurrence of the value's text becomes "<redacted>",
		 * wherever it sits: the YAML is rebuilt piecewise. */
		const char *v = e.value;
		size_t vlen = strlen(v), rlen = strlen("<redacted>");
		size_t count = 0;
		for (const char *p = strstr(out, v); p; p = strstr(p + vlen, v))
			count++;
		if (!count)
			continue;
		size_t len = strlen(out) + count * (rlen > vlen ? rlen - vlen : 0) + 1;
		char *next = configs_reply_alloc(r, len, 1), *w = next;
		if (!next)
			return NULL;
		const char *s = out;
		for (const char *p = strstr(s, v); p; s = p + vlen, p = strstr(s, v)) {
			memcpy(w, s, (size_t)(p - s));
			w += p - s;
			memcpy(w, "<redacted>", rlen);
			w += rlen;
		}
		strcpy(w, s);
		out = next;
	}
	return out;
}

void configs_get_handle(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *res,
			void *user)
{
	(void)peer;
	const Falco__Configs__GetRequest *req = (const Falco__Configs__GetRequest *)request;
	if (!req->key || !*req->key)
		return configs_list_fail(res, FAPI_STATUS_INVALID_ARGUMENT,
					 "key: give a key (\"priority\") or a subtree (\"outputs\", \"modules.outputs\")");
	configs_reply *r = configs_reply_new(user);
	if (!r)
		return configs_list_fail(res, FAPI_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	Falco__Configs__GetResponse *out = &r->u.get;
	falco__configs__get_response__init(out);
	res->status = configs_list_keys(r, req->key, &out->keys, &out->n_keys, res->message, sizeof(res->message));
	if (res->status == FAPI_STATUS_OK &&
	    !(out->yaml = configs_get_yaml(r, r->m->host->config_snapshot_yaml(r->snap))))
		configs_list_fail(res, FAPI_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	configs_list_answer(r, res, &out->revision);
}
