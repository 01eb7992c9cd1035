#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The keys of the reply as block YAML from the document's root, each key
 * nested by its path's components ("modules.outputs.queue_capacity" under
 * modules: outputs:), with the values the reply shows (redacted, the
 * default for a key without a value). Keys come in table order; a key
 * whose parent path was left is opened again under it. */
static char *configs_get_yaml(configs_reply *r, Falco__Configs__Key *const *keys, size_t n)
{
	size_t cap = 1;
	for (size_t i = 0; i < n; i++) {
		const Falco__Configs__Value *v = keys[i]->current ? keys[i]->current : keys[i]->default_value;
		size_t levels = 1;
		for (const char *d = keys[i]->name; *d; d++)
			levels += *d == '.';
		/* each line: indentation (2 per level, 64 levels at most), a
		 * component, ": " or ":\n"; then the value */
		cap += levels * (2 * 64 + 4) + strlen(keys[i]->name) + (v ? strlen(v->yaml) : 0) + 2;
	}
	char *out = configs_reply_alloc(r, cap, 1);
	if (!out)
		return NULL;
	size_t used = 0;
	const char *prev = "";
	for (size_t i = 0; i < n; i++) {
		const Falco__Configs__Value *v = keys[i]->current ? keys[i]->current : keys[i]->default_value;
		if (!v)
			continue;
		const char *name = keys[i]->name;
		/* Components shared with the previous key stay open. */
		size_t common = 0, depth = 0;
		for (size_t j = 0; name[j] && name[j] == prev[j]; j++)
			if (name[j] == '.') {
				common = j + 1;
				depth++;
			}
		const char *c = name + common;
		for (const char *dot = strchr(c, '.'); dot && depth < 64; c = dot + 1, dot = strchr(c, '.'), depth++)
			used += (size_t)snprintf(out + used, cap - used, "%*s%.*s:\n", (int)(2 * depth), "",
						 (int)(dot - c), c);
		used += (size_t)snprintf(out + used, cap - used, "%*s%s: %s\n", (int)(2 * depth), "", c, v->yaml);
		prev = name;
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
	if (res->status == FAPI_STATUS_OK && !(out->yaml = configs_get_yaml(r, out->keys, out->n_keys)))
		configs_list_fail(res, FAPI_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	configs_list_answer(r, res, &out->revision);
}
