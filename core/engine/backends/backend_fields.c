#include "engine/backends/backend_fields.h"

#include <stdlib.h>
#include <string.h>

#include "engine/util/strbuf.h"

/* libsinsp's filter_fieldclass_info layout constants. */
#define BACKEND_FIELDS_LEFT 30
#define BACKEND_FIELDS_WIDTH 120

/* std::left << std::setw(LEFT) << s */
static void backend_fields_left(strbuf *b, const char *s)
{
	size_t n = strlen(s);
	strbuf_add(b, s);
	if (n < BACKEND_FIELDS_LEFT)
		strbuf_pad(b, ' ', BACKEND_FIELDS_LEFT - n);
}

/* libsinsp's wrapstring(): words (split on blanks) each followed by a
 * space, a new indented line when the next would pass the width. */
static void backend_fields_wrap(strbuf *b, const char *s)
{
	size_t len = 0;
	while (*s) {
		s += strspn(s, " \t\n\v\f\r");
		size_t w = strcspn(s, " \t\n\v\f\r");
		if (!w)
			break;
		if (len + w + 1 <= BACKEND_FIELDS_WIDTH - BACKEND_FIELDS_LEFT) {
			len += w + 1;
		} else {
			strbuf_addc(b, '\n');
			strbuf_pad(b, ' ', BACKEND_FIELDS_LEFT);
			len = w + 1;
		}
		strbuf_addn(b, s, w);
		strbuf_addc(b, ' ');
		s += w;
	}
}

char *backend_fields_class_text(const backend *b, size_t i, bool verbose, const char *const *sources,
				size_t nsources)
{
	if (b->fieldclass_as_string)
		return b->fieldclass_as_string(b->ctx, i, verbose, sources, nsources);
	backend_fieldclass c;
	if (b->fieldclass_get(b->ctx, i, &c) != BACKEND_OK)
		return NULL;
	strbuf s = STRBUF_INIT;
	strbuf_add(&s, "-------------------------------\n");
	backend_fields_left(&s, "Field Class:");
	strbuf_add(&s, c.name);
	if (c.shortdesc && c.shortdesc[0])
		strbuf_addf(&s, " (%s)", c.shortdesc);
	strbuf_addc(&s, '\n');
	if (c.desc && c.desc[0]) {
		backend_fields_left(&s, "Description:");
		backend_fields_wrap(&s, c.desc);
		strbuf_addc(&s, '\n');
	}
	if (nsources) {
		backend_fields_left(&s, "Event Sources:");
		for (size_t k = 0; k < nsources; k++)
			strbuf_addf(&s, "%s ", sources[k]);
		strbuf_addc(&s, '\n');
	}
	strbuf_addc(&s, '\n');
	for (size_t j = 0; j < c.nfields; j++) {
		backend_field f;
		if (b->field_get(b->ctx, i, j, &f) != BACKEND_OK || (f.flags & BACKEND_FIELD_TABLE_ONLY))
			continue;
		if (strlen(f.name) > BACKEND_FIELDS_LEFT) {
			strbuf_add(&s, f.name);
			strbuf_addc(&s, '\n');
			strbuf_pad(&s, ' ', BACKEND_FIELDS_LEFT);
		} else {
			backend_fields_left(&s, f.name);
		}
		strbuf desc = STRBUF_INIT;
		if (verbose)
			strbuf_addf(&desc, "(Type: %s) ", f.type);
		if (f.flags & BACKEND_FIELD_FILTER_ONLY)
			strbuf_add(&desc, "(FILTER ONLY) ");
		strbuf_add(&desc, f.desc ? f.desc : "");
		char *d = strbuf_finish(&desc);
		if (!d) {
			strbuf_free(&s);
			return NULL;
		}
		backend_fields_wrap(&s, d);
		free(d);
		strbuf_addc(&s, '\n');
	}
	return strbuf_finish(&s);
}

/* A field class and the sources it applies to (Falco's fieldclass_key:
 * name + short description). */
typedef struct backend_fields_class {
	const char *name, *shortdesc;
	const char *sources[16];
	size_t nsources;
	bool printed;
} backend_fields_class;

static int backend_fields_by_source(const void *a, const void *b)
{
	return strcmp((*(const backend *const *)a)->source, (*(const backend *const *)b)->source);
}

static backend_fields_class *backend_fields_find(backend_fields_class *v, size_t n, const backend_fieldclass *c)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, c->name) == 0 && strcmp(v[i].shortdesc, c->shortdesc ? c->shortdesc : "") == 0)
			return &v[i];
	return NULL;
}

int backend_fields_list(const backend_registry *reg, const char *source, bool verbose, bool names_only, FILE *out,
			char *err, size_t errlen)
{
	size_t nb = backend_registry_count(reg);
	const backend *bs[16];
	size_t n = 0;
	for (size_t i = 0; i < nb && n < 16; i++) {
		const backend *b = backend_registry_at(reg, i);
		if (!source || !source[0] || strcmp(source, b->source) == 0)
			bs[n++] = b;
	}
	if (source && source[0] && n == 0) {
		snprintf(err, errlen, "Value for --list must be a valid source type");
		return -1;
	}
	/* Falco keeps its sources in a std::map: by name. */
	qsort(bs, n, sizeof(*bs), backend_fields_by_source);
	size_t total = 0;
	for (size_t k = 0; k < n; k++)
		total += bs[k]->fieldclass_count(bs[k]->ctx);
	backend_fields_class *classes = calloc(total ? total : 1, sizeof(*classes));
	if (!classes) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t nc = 0;
	for (size_t k = 0; k < n; k++) {
		for (size_t i = 0; i < bs[k]->fieldclass_count(bs[k]->ctx); i++) {
			backend_fieldclass c;
			if (bs[k]->fieldclass_get(bs[k]->ctx, i, &c) != BACKEND_OK)
				continue;
			backend_fields_class *fc = backend_fields_find(classes, nc, &c);
			if (!fc) {
				fc = &classes[nc++];
				fc->name = c.name;
				fc->shortdesc = c.shortdesc ? c.shortdesc : "";
			}
			if (fc->nsources < 16)
				fc->sources[fc->nsources++] = bs[k]->source;
		}
	}
	int rc = 0;
	for (size_t k = 0; k < n && rc == 0; k++) {
		for (size_t i = 0; i < bs[k]->fieldclass_count(bs[k]->ctx); i++) {
			backend_fieldclass c;
			if (bs[k]->fieldclass_get(bs[k]->ctx, i, &c) != BACKEND_OK)
				continue;
			backend_fields_class *fc = backend_fields_find(classes, nc, &c);
			if (fc->printed)
				continue;
			fc->printed = true;
			if (names_only) {
				for (size_t j = 0; j < c.nfields; j++) {
					backend_field f;
					if (bs[k]->field_get(bs[k]->ctx, i, j, &f) == BACKEND_OK &&
					    !(f.flags & BACKEND_FIELD_TABLE_ONLY))
						fprintf(out, "%s\n", f.name);
				}
				continue;
			}
			char *text = backend_fields_class_text(bs[k], i, verbose, fc->sources, fc->nsources);
			if (!text) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
				break;
			}
			fprintf(out, "%s\n", text);
			free(text);
		}
	}
	free(classes);
	return rc;
}
