#include "engine/backends/backend_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/backends/json/k8s_audit_backend.h"
#include "engine/backends/syscall/sinsp_bridge.h"

/* Enough for every source Falco 0.31 knows plus plugins; a fixed array
 * keeps each backend's address stable. */
#define BACKEND_REGISTRY_MAX 16

struct backend_registry {
	backend *slots[BACKEND_REGISTRY_MAX];
	size_t n;
};

static const backend_builtin backend_registry_builtin_table[] = {
	{"syscall", sinsp_bridge_backend_create},
	{"k8s_audit", k8s_audit_backend_create},
};

const backend_builtin *backend_registry_builtins(size_t *n)
{
	*n = sizeof(backend_registry_builtin_table) / sizeof(backend_registry_builtin_table[0]);
	return backend_registry_builtin_table;
}

backend_registry *backend_registry_new(void)
{
	return calloc(1, sizeof(backend_registry));
}

static void backend_registry_destroy_one(backend *b)
{
	if (b->destroy)
		b->destroy(b->ctx);
	free(b);
}

void backend_registry_free(backend_registry *r)
{
	if (!r)
		return;
	while (r->n)
		backend_registry_destroy_one(r->slots[--r->n]);
	free(r);
}

int backend_registry_create(backend_registry *r, backend_factory_fn fn, const backend_opts *o, char *err,
			    size_t errlen)
{
	if (r->n == BACKEND_REGISTRY_MAX) {
		snprintf(err, errlen, "too many event sources (at most %d)", BACKEND_REGISTRY_MAX);
		return BACKEND_ERROR;
	}
	backend *b = malloc(sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	*b = (backend)BACKEND_INIT;
	int rc = fn(o, b, err, errlen);
	if (rc != BACKEND_OK) {
		free(b);
		return rc;
	}
	if (!backend_is_valid(b, err, errlen)) {
		backend_registry_destroy_one(b);
		return BACKEND_EINVAL;
	}
	if (backend_registry_find(r, b->source)) {
		snprintf(err, errlen, "event source %s is registered twice", b->source);
		backend_registry_destroy_one(b);
		return BACKEND_EINVAL;
	}
	r->slots[r->n++] = b;
	return BACKEND_OK;
}

const backend *backend_registry_find(const backend_registry *r, const char *source)
{
	for (size_t i = 0; r && source && i < r->n; i++)
		if (strcmp(r->slots[i]->source, source) == 0)
			return r->slots[i];
	return NULL;
}

size_t backend_registry_count(const backend_registry *r)
{
	return r ? r->n : 0;
}

const backend *backend_registry_at(const backend_registry *r, size_t i)
{
	return r && i < r->n ? r->slots[i] : NULL;
}

int backend_registry_add_builtins(backend_registry *r, const backend_opts *o, const char *const *disabled,
				  size_t ndisabled, char *err, size_t errlen)
{
	size_t n;
	const backend_builtin *t = backend_registry_builtins(&n);
	for (size_t i = 0; i < n; i++) {
		bool off = false;
		for (size_t j = 0; j < ndisabled && !off; j++)
			off = strcmp(disabled[j], t[i].source) == 0;
		if (off)
			continue;
		int rc = backend_registry_create(r, t[i].create, o, err, errlen);
		if (rc != BACKEND_OK)
			return rc;
	}
	return BACKEND_OK;
}

int backend_registry_add_json_sources(backend_registry *r, const backend_opts *o, const struct json_source_def *defs,
				      size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		backend_opts oo = *o;
		oo.json_source = &defs[i];
		int rc = backend_registry_create(r, json_source_backend_create, &oo, err, errlen);
		if (rc != BACKEND_OK)
			return rc;
	}
	return BACKEND_OK;
}
