#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configs_audit.h"
#include "configs_guard.h"
#include "configs_key.h"
#include "configs_write.h"

/* One write in progress: the request's keys with their entries. */
typedef struct configs_write {
	configs_module *m;
	const fapi_peer *peer;
	const char *path;       /* CONFIGS_PATH_SET or _RESET */
	const char *permission; /* CONFIGS_PERM_SET or _RESET */
	fapi_config_snapshot *snap;
	fapi_config_entry *entries; /* one per key of the request (set) or below a path (reset) */
	size_t n;
	uint64_t revision; /* of the snapshot */
	fapi_unary_result *res;
} configs_write;

static void configs_write_fail(configs_write *w, fapi_status_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the call's status; a long message is cut at the status buffer. */
static void configs_write_fail(configs_write *w, fapi_status_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	w->res->status = code;
	vsnprintf(w->res->message, sizeof(w->res->message), fmt, ap);
	va_end(ap);
}

/* The guard rails for one key: refused unless allowed. */
static bool configs_write_guard(configs_write *w, const fapi_config_entry *e)
{
	const char *group = configs_guard_group(e->path, e->flags);
	if (configs_guard_allowed(w->m, e->path, group))
		return true;
	if (strcmp(group, "own") == 0)
		configs_write_fail(w, FAPI_STATUS_PERMISSION_DENIED,
				   "key '%s' is the configs module's own setting: change it in falco.yaml", e->path);
	else
		configs_write_fail(w, FAPI_STATUS_PERMISSION_DENIED,
				   "key '%s' is guarded (%s): the API may change it only when the configs module's "
				   "config lists it or its group in allow_guarded",
				   e->path, group);
	return false;
}

/* The caller must keep its write permission under the policy the change
 * would give: keys[i] = values[i] of the policy's keys. */
static bool configs_write_keeps_caller(configs_write *w, const char *const *keys, const char *const *values,
				       size_t n)
{
	if (!n)
		return true;
	if (!FAPI_HOST_HAS(w->m->host, authz_check)) {
		configs_write_fail(w, FAPI_STATUS_FAILED_PRECONDITION,
				   "key '%s' changes the authorisation policy and this host cannot evaluate a policy "
				   "before it applies", keys[0]);
		return false;
	}
	fapi_authz_query q = FAPI_AUTHZ_QUERY_INIT;
	q.path = w->path;
	q.method_class = FAPI_METHOD_WRITE;
	q.permission = w->permission;
	q.keys = keys;
	q.values = values;
	q.n = n;
	bool allowed = false;
	char msg[FAPI_ERRBUF_SIZE];
	int rc = w->m->host->authz_check(w->m->ctx, w->peer, &q, &allowed, msg, sizeof(msg));
	if (rc != FAPI_OK) {
		configs_write_fail(w, FAPI_STATUS_INVALID_ARGUMENT, "%s", msg);
		return false;
	}
	if (!allowed) {
		configs_write_fail(w, FAPI_STATUS_PERMISSION_DENIED,
				   "refused: after this change the caller could no longer write the configuration (%s)", msg);
		return false;
	}
	return true;
}

static bool configs_write_snapshot(configs_write *w)
{
	char msg[FAPI_ERRBUF_SIZE];
	if (w->m->host->config_list(w->m->ctx, NULL, &w->snap, msg, sizeof(msg)) != FAPI_OK) {
		configs_write_fail(w, FAPI_STATUS_RESOURCE_EXHAUSTED, "%s", msg);
		return false;
	}
	w->revision = w->m->host->config_snapshot_revision(w->snap);
	return true;
}

static void configs_write_done(configs_write *w)
{
	if (w->snap)
		w->m->host->config_snapshot_free(w->snap);
	free(w->entries);
}

/* The host's answer as a status. */
static void configs_write_status(configs_write *w, int rc, const char *err)
{
	fapi_status_code code = rc == FAPI_EINVAL	? FAPI_STATUS_INVALID_ARGUMENT
				: rc == FAPI_ECONFLICT	? FAPI_STATUS_ABORTED
				: rc == FAPI_ENOMEM	? FAPI_STATUS_RESOURCE_EXHAUSTED
				: rc == FAPI_ENOTFOUND	? FAPI_STATUS_INVALID_ARGUMENT
							: FAPI_STATUS_INTERNAL;
	configs_write_fail(w, code, "%s", err);
}

/* The entry of a path the result names (NULL when not among the
 * request's). */
static const fapi_config_entry *configs_write_entry(const configs_write *w, const char *path)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->entries[i].path, path) == 0)
			return &w->entries[i];
	return NULL;
}

static bool configs_write_pending(const fapi_config_result *res, const char *path)
{
	for (size_t i = 0; i < res->npending; i++)
		if (strcmp(res->pending[i], path) == 0)
			return true;
	return false;
}

/* Fills changes and pending of a set or reset reply from the host's
 * result, writes the audit note and logs the change once. */
static bool configs_write_reply(configs_write *w, configs_reply *r, const fapi_config_result *res,
				const ProtobufCMessage *req, bool validate_only, Falco__Configs__Change ***changes,
				size_t *nchanges, char ***pending, size_t *npending)
{
	if (!(*changes = configs_reply_alloc(r, res->nchanged, sizeof(**changes))) ||
	    !(*pending = configs_reply_alloc(r, res->npending, sizeof(**pending))))
		return false;
	char note[FAPI_ERRBUF_SIZE];
	size_t used = 0;
	note[0] = '\0';
	for (size_t i = 0; i < res->nchanged; i++) {
		const fapi_config_entry *e = configs_write_entry(w, res->paths[i]);
		fapi_config_type type = e ? e->type : FAPI_CONFIG_STRING;
		uint32_t flags = e ? e->flags : 0;
		Falco__Configs__Change *c = configs_reply_alloc(r, 1, sizeof(*c));
		if (!c)
			return false;
		falco__configs__change__init(c);
		c->key = configs_reply_strdup(r, res->paths[i]);
		const char *old = configs_guard_shown(res->paths[i], flags, res->old_values[i]);
		const char *nv = configs_guard_shown(res->paths[i], flags, res->new_values[i]);
		if ((old && !(c->old_value = configs_value_new(r, type, old))) ||
		    (nv && !(c->new_value = configs_value_new(r, type, nv))) || !c->key)
			return false;
		c->reload = configs_key_reload(e ? e->reload : FAPI_CONFIG_RESTART);
		c->pending_restart = configs_write_pending(res, res->paths[i]);
		(*changes)[(*nchanges)++] = c;
		configs_audit_append(note, sizeof(note), &used, res->paths[i], flags, res->old_values[i],
				     res->new_values[i]);
	}
	for (size_t i = 0; i < res->npending; i++)
		if (!((*pending)[(*npending)++] = configs_reply_strdup(r, res->pending[i])))
			return false;
	if (!validate_only) {
		configs_audit_note(req, note[0] ? note : "nothing changed");
		if (note[0])
			w->m->host->log(w->m->ctx, FAPI_LOG_INFO, "%s revision %llu: %s",
					strcmp(w->path, CONFIGS_PATH_SET) == 0 ? "set" : "reset",
					(unsigned long long)res->revision, note);
	}
	return true;
}

/* The call's answer from the host's: the status, or the reply (a set or
 * reset response, by w->path) with every change. Frees the result. */
static void configs_write_answer(configs_write *w, int rc, fapi_config_result *result, const char *err,
				 const ProtobufCMessage *req, bool validate_only)
{
	configs_reply *r = NULL;
	bool ok = false;
	if (rc != FAPI_OK) {
		/* A rule across keys may speak of the others: name the key at
		 * fault first. */
		if (rc == FAPI_EINVAL && result->key && !strstr(err, result->key))
			configs_write_fail(w, FAPI_STATUS_INVALID_ARGUMENT, "key '%s': %s", result->key, err);
		else
			configs_write_status(w, rc, err);
		goto out;
	}
	if (!(r = configs_reply_new(w->m)))
		goto out;
	if (strcmp(w->path, CONFIGS_PATH_SET) == 0) {
		Falco__Configs__SetResponse *o = &r->u.set;
		falco__configs__set_response__init(o);
		o->revision = result->revision;
		o->validated_only = validate_only;
		ok = configs_write_reply(w, r, result, req, validate_only, &o->changes, &o->n_changes,
					 &o->pending_restart, &o->n_pending_restart);
	} else {
		Falco__Configs__ResetResponse *o = &r->u.reset;
		falco__configs__reset_response__init(o);
		o->revision = result->revision;
		ok = configs_write_reply(w, r, result, req, false, &o->changes, &o->n_changes, &o->pending_restart,
					 &o->n_pending_restart);
	}
	if (ok) {
		w->res->response = &r->u.base;
		w->res->release = configs_reply_release;
		r = NULL;
	}
out:
	if (rc == FAPI_OK && !ok)
		configs_write_fail(w, FAPI_STATUS_RESOURCE_EXHAUSTED, "out of memory");
	if (r)
		configs_reply_release(&r->u.base, NULL);
	w->m->host->config_result_free(result);
}

void configs_set_handle(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *res, void *user)
{
	configs_audit_clear();
	const Falco__Configs__SetRequest *req = (const Falco__Configs__SetRequest *)request;
	configs_write w = {.m = user, .peer = peer, .path = CONFIGS_PATH_SET, .permission = CONFIGS_PERM_SET,
			   .res = res};
	size_t n = req->n_set;
	const char **pkeys = NULL, **pvalues = NULL;
	fapi_config_change *changes = NULL;
	if (n == 0) {
		configs_write_fail(&w, FAPI_STATUS_INVALID_ARGUMENT, "set: give at least one key and value");
		return;
	}
	if (n > w.m->max_changes) {
		configs_write_fail(&w, FAPI_STATUS_INVALID_ARGUMENT, "set: %zu keys in one call, max_changes is %zu", n,
				   w.m->max_changes);
		return;
	}
	if (!configs_write_snapshot(&w))
		goto out;
	w.entries = calloc(n, sizeof(*w.entries));
	pkeys = calloc(n, sizeof(*pkeys));
	pvalues = calloc(n, sizeof(*pvalues));
	changes = calloc(n, sizeof(*changes));
	if (!w.entries || !pkeys || !pvalues || !changes) {
		configs_write_fail(&w, FAPI_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		goto out;
	}
	size_t npolicy = 0;
	for (size_t i = 0; i < n; i++) {
		const char *key = req->set[i]->key, *value = req->set[i]->value;
		if (!key || !*key) {
			configs_write_fail(&w, FAPI_STATUS_INVALID_ARGUMENT, "set: an assignment has no key");
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(req->set[j]->key, key) == 0) {
				configs_write_fail(&w, FAPI_STATUS_INVALID_ARGUMENT, "key '%s' is given twice", key);
				goto out;
			}
		if (configs_key_find(w.m, w.snap, key, &w.entries[i]) != FAPI_OK) {
			configs_write_fail(&w, FAPI_STATUS_INVALID_ARGUMENT,
					   "unknown key '%s' (configs_list shows every key)", key);
			goto out;
		}
		w.n = i + 1;
		if (!configs_write_guard(&w, &w.entries[i]))
			goto out;
		if (configs_guard_policy(key)) {
			pkeys[npolicy] = key;
			pvalues[npolicy++] = value ? value : "";
		}
		changes[i] = (fapi_config_change)FAPI_CONFIG_CHANGE_INIT(.path = key, .value = value ? value : "");
	}
	if (!configs_write_keeps_caller(&w, pkeys, pvalues, npolicy))
		goto out;
	/* The policy was judged at this revision: a change in between is a
	 * conflict, not a silent pass. */
	fapi_config_set_opts o = FAPI_CONFIG_SET_OPTS_INIT(.if_revision = req->if_revision,
							   .validate_only = req->validate_only);
	if (npolicy && !o.if_revision)
		o.if_revision = w.revision;
	fapi_config_result result = FAPI_CONFIG_RESULT_INIT;
	char err[FAPI_ERRBUF_SIZE] = "";
	int rc = w.m->host->config_set(w.m->ctx, changes, n, &o, &result, err, sizeof(err));
	configs_write_answer(&w, rc, &result, err, request, req->validate_only);
out:
	free(changes);
	free(pkeys);
	free(pvalues);
	configs_write_done(&w);
}

/* Collects the entries at or below each path of the reset, checking each
 * against the guard rails. */
static bool configs_reset_entries(configs_write *w, const Falco__Configs__ResetRequest *req)
{
	size_t total = w->m->host->config_snapshot_count(w->snap);
	if (!(w->entries = calloc(total ? total : 1, sizeof(*w->entries)))) {
		configs_write_fail(w, FAPI_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return false;
	}
	for (size_t k = 0; k < req->n_keys; k++) {
		const char *p = req->keys[k];
		size_t plen = strlen(p), found = 0;
		if (!plen) {
			configs_write_fail(w, FAPI_STATUS_INVALID_ARGUMENT, "reset: an empty key");
			return false;
		}
		for (size_t i = 0; i < total; i++) {
			fapi_config_entry e;
			memset(&e, 0, sizeof(e));
			e.size = sizeof(e);
			if (w->m->host->config_snapshot_entry(w->snap, i, &e) != FAPI_OK)
				continue;
			if (strncmp(e.path, p, plen) != 0 || (e.path[plen] != '\0' && e.path[plen] != '.'))
				continue;
			found++;
			if (configs_write_entry(w, e.path))
				continue;
			w->entries[w->n++] = e;
			if (!configs_write_guard(w, &e))
				return false;
		}
		if (!found) {
			configs_write_fail(w, FAPI_STATUS_INVALID_ARGUMENT,
					   "unknown key '%s' (configs_list shows every key)", p);
			return false;
		}
	}
	return true;
}

/* The caller's write permission under the policy the reset would give:
 * the reset is tried first (validate only) for the values it would bring
 * back; a key that would have no value takes its default ("" when none,
 * which the policy reads as absent). */
static bool configs_reset_keeps_caller(configs_write *w, const char *const *paths, size_t n)
{
	size_t npolicy = 0;
	for (size_t i = 0; i < w->n; i++)
		npolicy += configs_guard_policy(w->entries[i].path);
	if (!npolicy)
		return true;
	fapi_config_set_opts o = FAPI_CONFIG_SET_OPTS_INIT(.if_revision = w->revision, .validate_only = true);
	fapi_config_result result = FAPI_CONFIG_RESULT_INIT;
	char err[FAPI_ERRBUF_SIZE] = "";
	int rc = w->m->host->config_reset(w->m->ctx, paths, n, &o, &result, err, sizeof(err));
	bool ok = rc == FAPI_OK;
	if (!ok)
		configs_write_status(w, rc, err);
	const char **keys = ok ? calloc(result.nchanged + 1, sizeof(*keys)) : NULL;
	const char **values = ok ? calloc(result.nchanged + 1, sizeof(*values)) : NULL;
	if (ok && (!keys || !values)) {
		configs_write_fail(w, FAPI_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		ok = false;
	}
	size_t m = 0;
	for (size_t i = 0; ok && i < result.nchanged; i++) {
		if (!configs_guard_policy(result.paths[i]))
			continue;
		const fapi_config_entry *e = configs_write_entry(w, result.paths[i]);
		keys[m] = result.paths[i];
		values[m++] = result.new_values[i] ? result.new_values[i] : e && e->def ? e->def : "\"\"";
	}
	if (ok)
		ok = configs_write_keeps_caller(w, keys, values, m);
	free(keys);
	free(values);
	w->m->host->config_result_free(&result);
	return ok;
}

void configs_reset_handle(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *res,
			  void *user)
{
	configs_audit_clear();
	const Falco__Configs__ResetRequest *req = (const Falco__Configs__ResetRequest *)request;
	configs_write w = {.m = user, .peer = peer, .path = CONFIGS_PATH_RESET, .permission = CONFIGS_PERM_RESET,
			   .res = res};
	if (req->n_keys == 0) {
		configs_write_fail(&w, FAPI_STATUS_INVALID_ARGUMENT, "reset: give at least one key or subtree");
		return;
	}
	if (req->n_keys > w.m->max_changes) {
		configs_write_fail(&w, FAPI_STATUS_INVALID_ARGUMENT, "reset: %zu keys in one call, max_changes is %zu",
				   req->n_keys, w.m->max_changes);
		return;
	}
	if (!configs_write_snapshot(&w) || !configs_reset_entries(&w, req) ||
	    !configs_reset_keeps_caller(&w, (const char *const *)req->keys, req->n_keys))
		goto out;
	fapi_config_set_opts o = FAPI_CONFIG_SET_OPTS_INIT(.if_revision = req->if_revision);
	for (size_t i = 0; i < w.n && !o.if_revision; i++)
		if (configs_guard_policy(w.entries[i].path))
			o.if_revision = w.revision;
	fapi_config_result result = FAPI_CONFIG_RESULT_INIT;
	char err[FAPI_ERRBUF_SIZE] = "";
	int rc = w.m->host->config_reset(w.m->ctx, (const char *const *)req->keys, req->n_keys, &o, &result, err,
					 sizeof(err));
	configs_write_answer(&w, rc, &result, err, request, false);
out:
	configs_write_done(&w);
}
