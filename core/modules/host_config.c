#include "modules/host_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_emit.h"
#include "config/config_keys.h"
#include "config/config_live.h"

/* One entry and the strings it owns. */
typedef struct host_config_item {
	fapi_config_entry e;
	char *path, *module, *value, *origin, *running;
	char **items; /* STRINGS */
} host_config_item;

struct fapi_config_snapshot {
	uint64_t revision;
	host_config_item *items;
	size_t n, cap;
	char *yaml;
	bool oom;
};

static config_live *host_config_live(fapi_module_ctx *ctx)
{
	return ctx && ctx->set ? ctx->set->live : NULL;
}

static char *host_config_flow(const config_node *n)
{
	if (!n)
		return NULL;
	strbuf b = STRBUF_INIT;
	config_emit_flow(&b, n);
	return strbuf_finish(&b);
}

static bool host_config_null(const config_node *n)
{
	return !n || (n->kind == CONFIG_SCALAR && !n->quoted &&
		      (!*n->scalar || strcmp(n->scalar, "~") == 0 || strcmp(n->scalar, "null") == 0));
}

/* The typed members of e from n (checked against its key already). */
static bool host_config_typed(host_config_item *it, const config_node *n)
{
	fapi_config_entry *e = &it->e;
	switch (e->type) {
	case FAPI_CONFIG_BOOL:
		config_scalar_bool(n->scalar, &e->b);
		return true;
	case FAPI_CONFIG_INT:
		if (config_scalar_int(n->scalar, &e->i) == 0)
			e->d = (double)e->i;
		return true;
	case FAPI_CONFIG_DURATION:
		if (config_keys_duration_ms(n->scalar, &e->i) == 0)
			e->d = (double)e->i;
		return true;
	case FAPI_CONFIG_DOUBLE:
		e->d = strtod(n->scalar, NULL);
		return true;
	case FAPI_CONFIG_STRING:
	case FAPI_CONFIG_ENUM:
		e->s = n->kind == CONFIG_SCALAR ? n->scalar : NULL;
		return true;
	case FAPI_CONFIG_STRINGS: {
		size_t count = n->kind == CONFIG_SEQ ? n->count : 1;
		it->items = calloc(count + 1, sizeof(char *));
		if (!it->items)
			return false;
		for (size_t i = 0; i < count; i++) {
			const config_node *x = n->kind == CONFIG_SEQ ? n->items[i] : n;
			if (x->kind == CONFIG_SCALAR && !(it->items[e->nitems++] = strdup(x->scalar)))
				return false;
		}
		e->items = (const char *const *)it->items;
		return true;
	}
	default:
		return true;
	}
}

static void host_config_item_free(host_config_item *it)
{
	free(it->path);
	free(it->module);
	free(it->value);
	free(it->origin);
	free(it->running);
	for (size_t i = 0; it->items && it->items[i]; i++)
		free(it->items[i]);
	free(it->items);
}

static void host_config_visit(void *user, const config_live_key *k, const config_node *now, const config_node *boot,
			      const char *origin)
{
	fapi_config_snapshot *s = user;
	if (s->oom)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		host_config_item *items = realloc(s->items, cap * sizeof(*items));
		if (!items) {
			s->oom = true;
			return;
		}
		s->items = items;
		s->cap = cap;
	}
	host_config_item *it = &s->items[s->n++];
	memset(it, 0, sizeof(*it));
	const fapi_config_key *d = k->key;
	if (host_config_null(now))
		now = NULL;
	if (host_config_null(boot))
		boot = NULL;
	it->path = strdup(k->path);
	it->module = k->module ? strdup(k->module) : NULL;
	it->origin = strdup(origin);
	it->value = host_config_flow(now);
	bool ok = it->path && it->origin && (!k->module || it->module) && (!now || it->value);
	/* Restart-class keys run with the start-up value; the others were
	 * applied when they changed. */
	if (ok && d->reload == FAPI_CONFIG_RESTART) {
		it->running = host_config_flow(boot);
		bool same = (!it->running && !it->value) ||
			    (it->running && it->value && strcmp(it->running, it->value) == 0);
		it->e.pending_restart = !same;
		if (same) {
			free(it->running);
			it->running = NULL;
		}
	}
	it->e = (fapi_config_entry){
		.size = sizeof(fapi_config_entry),
		.path = it->path,
		.module = it->module,
		.type = d->type,
		.def = d->def,
		.min = d->min,
		.max = d->max,
		.values = d->values,
		.description = d->description,
		.reload = d->reload,
		.flags = d->flags,
		.present = now != NULL,
		.value = it->value,
		.origin = it->origin,
		.pending_restart = it->e.pending_restart,
		.running = it->running,
	};
	if (ok && now)
		ok = host_config_typed(it, now);
	if (!ok)
		s->oom = true;
}

int host_config_list(fapi_module_ctx *ctx, const char *path, fapi_config_snapshot **out, char *err, size_t errlen)
{
	*out = NULL;
	config_live *l = host_config_live(ctx);
	if (!l) {
		snprintf(err, errlen, "the daemon keeps no live configuration");
		return FAPI_EUNSUPPORTED;
	}
	fapi_config_snapshot *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	size_t n = config_live_visit(l, path ? path : "", host_config_visit, s, &s->revision);
	if (!s->oom)
		s->yaml = config_live_yaml(l, path ? path : "");
	if (s->oom || !s->yaml) {
		host_config_snapshot_free(s);
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	if (!n) {
		host_config_snapshot_free(s);
		snprintf(err, errlen, "unknown configuration key '%s'", path);
		return FAPI_ENOTFOUND;
	}
	*out = s;
	return FAPI_OK;
}

size_t host_config_snapshot_count(const fapi_config_snapshot *snap)
{
	return snap ? snap->n : 0;
}

int host_config_snapshot_entry(const fapi_config_snapshot *snap, size_t i, fapi_config_entry *out)
{
	if (!snap || !out || out->size < offsetof(fapi_config_entry, path) + sizeof(out->path))
		return FAPI_EINVAL;
	if (i >= snap->n)
		return FAPI_ENOTFOUND;
	uint32_t size = out->size;
	memcpy(out, &snap->items[i].e, size < sizeof(*out) ? size : sizeof(*out));
	out->size = size;
	return FAPI_OK;
}

const char *host_config_snapshot_yaml(const fapi_config_snapshot *snap)
{
	return snap ? snap->yaml : "";
}

uint64_t host_config_snapshot_revision(const fapi_config_snapshot *snap)
{
	return snap ? snap->revision : 0;
}

void host_config_snapshot_free(fapi_config_snapshot *snap)
{
	if (!snap)
		return;
	for (size_t i = 0; i < snap->n; i++)
		host_config_item_free(&snap->items[i]);
	free(snap->items);
	free(snap->yaml);
	free(snap);
}

/* Fills the caller's result from the outcome, which it then owns. */
static int host_config_finish(config_live_outcome *o, fapi_config_result *r, int rc)
{
	config_live_outcome *kept = malloc(sizeof(*kept));
	if (!kept) {
		config_live_outcome_free(o);
		return FAPI_ENOMEM;
	}
	*kept = *o;
	uint32_t size = r->size;
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->revision = kept->revision;
	r->pending = (const char *const *)kept->pending;
	r->npending = kept->npending;
	r->paths = (const char *const *)kept->paths;
	r->old_values = (const char *const *)kept->old_values;
	r->new_values = (const char *const *)kept->new_values;
	r->nchanged = kept->nchanged;
	r->key = kept->key;
	r->host_private = kept;
	return rc;
}

static int host_config_args(fapi_module_ctx *ctx, const fapi_config_set_opts *opts, fapi_config_result *result,
			    config_live **l, config_live_change *c, char *err, size_t errlen)
{
	if (!result || result->size < sizeof(fapi_config_result)) {
		snprintf(err, errlen, "result is NULL or smaller than fapi_config_result");
		return FAPI_EINVAL;
	}
	if (!(*l = host_config_live(ctx))) {
		snprintf(err, errlen, "the daemon keeps no live configuration");
		return FAPI_EUNSUPPORTED;
	}
	if (opts && opts->size >= offsetof(fapi_config_set_opts, if_revision) + sizeof(opts->if_revision))
		c->if_revision = opts->if_revision;
	if (opts && opts->size >= offsetof(fapi_config_set_opts, validate_only) + sizeof(opts->validate_only))
		c->validate_only = opts->validate_only;
	return FAPI_OK;
}

int host_config_set(fapi_module_ctx *ctx, const fapi_config_change *changes, size_t n,
		    const fapi_config_set_opts *opts, fapi_config_result *result, char *err, size_t errlen)
{
	config_live *l;
	config_live_change c = {0};
	int rc = host_config_args(ctx, opts, result, &l, &c, err, errlen);
	if (rc != FAPI_OK)
		return rc;
	if (n && (!changes || changes[0].size < offsetof(fapi_config_change, value) + sizeof(changes[0].value))) {
		snprintf(err, errlen, "changes is NULL or its elements are too small");
		return FAPI_EINVAL;
	}
	const char **paths = calloc(n ? n : 1, sizeof(*paths)), **values = calloc(n ? n : 1, sizeof(*values));
	if (!paths || !values) {
		free(paths);
		free(values);
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const fapi_config_change *ch =
			(const fapi_config_change *)(const void *)((const char *)changes + i * changes[0].size);
		paths[i] = ch->path;
		values[i] = ch->value;
	}
	c.paths = paths;
	c.values = values;
	c.n = n;
	config_live_outcome o;
	rc = config_live_change_apply(l, &c, &o, err, errlen);
	free(paths);
	free(values);
	return host_config_finish(&o, result, rc);
}

int host_config_reset(fapi_module_ctx *ctx, const char *const *paths, size_t n, const fapi_config_set_opts *opts,
		      fapi_config_result *result, char *err, size_t errlen)
{
	config_live *l;
	config_live_change c = {0};
	int rc = host_config_args(ctx, opts, result, &l, &c, err, errlen);
	if (rc != FAPI_OK)
		return rc;
	if (n && !paths) {
		snprintf(err, errlen, "paths is NULL");
		return FAPI_EINVAL;
	}
	c.paths = paths;
	c.n = n;
	config_live_outcome o;
	rc = config_live_change_apply(l, &c, &o, err, errlen);
	return host_config_finish(&o, result, rc);
}

void host_config_result_free(fapi_config_result *result)
{
	if (!result)
		return;
	config_live_outcome *o = result->host_private;
	if (o) {
		config_live_outcome_free(o);
		free(o);
	}
	uint32_t size = result->size;
	memset(result, 0, sizeof(*result));
	result->size = size;
}

uint64_t host_config_revision(fapi_module_ctx *ctx)
{
	config_live *l = host_config_live(ctx);
	return l ? config_live_revision(l) : 0;
}
