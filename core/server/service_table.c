#include "server/server_metrics.h"
#include "server/service_table.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void service_table_init(service_table *t)
{
	memset(t, 0, sizeof(*t));
}

void service_table_free(service_table *t)
{
	for (size_t i = 0; i < t->count; i++)
		free(t->entries[i].stats);
	free(t->entries);
	memset(t, 0, sizeof(*t));
}

int service_path_valid(const char *path)
{
	if (!path || path[0] != '/')
		return 0;
	const char *slash = strchr(path + 1, '/');
	if (!slash || slash == path + 1 || !slash[1] || strchr(slash + 1, '/'))
		return 0;
	for (const char *p = path + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '/')
			return 0;
	return 1;
}

const service_entry *service_table_find(const service_table *t, const char *path)
{
	for (size_t i = 0; i < t->count; i++) {
		const service_entry *e = &t->entries[i];
		const char *p = e->kind == SERVICE_UNARY ? e->unary.path : e->stream.path;
		if (strcmp(p, path) == 0)
			return e;
	}
	return NULL;
}

static service_entry *service_table_slot(service_table *t, const char *owner, const char *path, char *err,
					 size_t errlen, int *rc)
{
	*rc = 0;
	if (t->frozen) {
		snprintf(err, errlen, "cannot register %s: the server has started", path ? path : "(null)");
		*rc = FAPI_ECLOSED;
		return NULL;
	}
	if (!service_path_valid(path)) {
		snprintf(err, errlen, "invalid method path '%s' (want /package.service/method)",
			 path ? path : "(null)");
		*rc = FAPI_EINVAL;
		return NULL;
	}
	const service_entry *old = service_table_find(t, path);
	if (old) {
		snprintf(err, errlen, "method %s is already served by module '%s'", path, old->owner);
		*rc = FAPI_EEXIST;
		return NULL;
	}
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		service_entry *e = realloc(t->entries, cap * sizeof(*e));
		if (!e) {
			snprintf(err, errlen, "out of memory");
			*rc = FAPI_ENOMEM;
			return NULL;
		}
		t->entries = e;
		t->cap = cap;
	}
	service_entry *e = &t->entries[t->count];
	memset(e, 0, sizeof(*e));
	e->owner = owner;
	return e;
}

int service_table_add_unary(service_table *t, const char *owner, const fapi_unary_method *m, char *err,
			    size_t errlen)
{
	int rc;
	service_entry *e = service_table_slot(t, owner, m ? m->path : NULL, err, errlen, &rc);
	if (!e)
		return rc;
	if (!m->request_type || !m->response_type || !m->handler) {
		snprintf(err, errlen, "method %s needs request_type, response_type and handler", m->path);
		return FAPI_EINVAL;
	}
	e->kind = SERVICE_UNARY;
	e->unary = *m;
	e->stats = calloc(1, sizeof(server_method_stats));
	t->count++;
	return FAPI_OK;
}

int service_table_add_stream(service_table *t, const char *owner, service_kind kind, const fapi_stream_method *m,
			     char *err, size_t errlen)
{
	int rc;
	service_entry *e = service_table_slot(t, owner, m ? m->path : NULL, err, errlen, &rc);
	if (!e)
		return rc;
	if (!m->request_type || !m->response_type || !m->on_open || !m->on_close ||
	    (kind == SERVICE_BIDI && !m->on_read)) {
		snprintf(err, errlen, "method %s needs request_type, response_type, on_open, on_close%s", m->path,
			 kind == SERVICE_BIDI ? " and on_read" : "");
		return FAPI_EINVAL;
	}
	e->kind = kind;
	e->stream = *m;
	e->stats = calloc(1, sizeof(server_method_stats));
	t->count++;
	return FAPI_OK;
}
