#include "engine/backends/json/json_source.h"

#include <stdio.h>
#include <string.h>

#include "engine/backends/backend_registry.h"
#include "engine/backends/json/json_pointer.h"

static const struct {
	const char *decl, *list;
} json_source_types[] = {
	{"string", "CHARBUF"},
	{"uint64", "UINT64"},
	{"int64", "INT64"},
	{"bool", "BOOL"},
};

const char *json_source_list_type(const char *type)
{
	for (size_t i = 0; type && i < sizeof(json_source_types) / sizeof(json_source_types[0]); i++)
		if (!strcmp(type, json_source_types[i].decl))
			return json_source_types[i].list;
	return NULL;
}

/* Non-empty and made of [a-z0-9_] (and '.' when dots). */
static int json_source_name_ok(const char *s, int dots)
{
	if (!s || !*s)
		return 0;
	return strspn(s, dots ? "abcdefghijklmnopqrstuvwxyz0123456789_." : "abcdefghijklmnopqrstuvwxyz0123456789_") ==
	       strlen(s);
}

static int json_source_pointer_ok(const char *what, const char *text, char *err, size_t errlen)
{
	json_pointer p;
	char perr[160];
	if (!text || json_pointer_compile(&p, text, perr, sizeof(perr)) != 0) {
		snprintf(err, errlen, "%s: invalid JSON pointer \"%s\": %s", what, text ? text : "",
			 text ? perr : "missing");
		return -1;
	}
	json_pointer_free(&p);
	return 0;
}

int json_source_check(const json_source_def *d, char *err, size_t errlen)
{
	if (!json_source_name_ok(d->name, 0)) {
		snprintf(err, errlen, "source \"%s\": a source name is made of a-z, 0-9 and _", d->name ? d->name : "");
		return -1;
	}
	size_t nb;
	const backend_builtin *b = backend_registry_builtins(&nb);
	for (size_t i = 0; i < nb; i++)
		if (!strcmp(b[i].source, d->name)) {
			snprintf(err, errlen, "source \"%s\": the name of a built-in source", d->name);
			return -1;
		}
	char what[256];
	if (d->time_pointer) {
		snprintf(what, sizeof(what), "source \"%s\": time_pointer", d->name);
		if (json_source_pointer_ok(what, d->time_pointer, err, errlen) < 0)
			return -1;
	}
	size_t nl = strlen(d->name);
	for (size_t i = 0; i < d->nfields; i++) {
		const json_source_field *f = &d->fields[i];
		const char *fn = f->name ? f->name : "";
		if (!json_source_name_ok(f->name, 1) || strncmp(fn, d->name, nl) || fn[nl] != '.' || !fn[nl + 1]) {
			snprintf(err, errlen, "source \"%s\": field \"%s\": a field name is \"%s.\" then a-z, 0-9, _ and .",
				 d->name, fn, d->name);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(d->fields[j].name, fn)) {
				snprintf(err, errlen, "source \"%s\": field \"%s\" is declared twice", d->name, fn);
				return -1;
			}
		snprintf(what, sizeof(what), "source \"%s\": field \"%s\"", d->name, fn);
		if (json_source_pointer_ok(what, f->ptr, err, errlen) < 0)
			return -1;
		if (!json_source_list_type(f->type)) {
			snprintf(err, errlen, "source \"%s\": field \"%s\": unknown type \"%s\" (string, uint64, int64 or bool)",
				 d->name, fn, f->type ? f->type : "");
			return -1;
		}
	}
	return 0;
}
