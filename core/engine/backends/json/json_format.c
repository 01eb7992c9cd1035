#include "engine/backends/json/json_format.h"

#include "engine/backends/json/json_dump.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct json_format_tok {
	char *text;      /* literal text, or NULL for a field */
	k8s_field field; /* when text is NULL */
	char *value;     /* scratch: the field's rendered value */
	size_t len, cap; /* of value */
} json_format_tok;

struct json_format {
	char *src;
	json_format_tok *toks;
	size_t ntoks;
	json_vals vals; /* scratch for extraction */
};

void json_format_free(json_format *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ntoks; i++) {
		free(f->toks[i].text);
		free(f->toks[i].value);
		if (!f->toks[i].text)
			k8s_audit_fields_free(&f->toks[i].field);
	}
	free(f->toks);
	free(f->src);
	json_value_list_free(&f->vals);
	free(f);
}

static json_format_tok *json_format_push(json_format *f)
{
	json_format_tok *t = realloc(f->toks, (f->ntoks + 1) * sizeof(*t));
	if (!t)
		return NULL;
	f->toks = t;
	memset(&t[f->ntoks], 0, sizeof(*t));
	return &t[f->ntoks++];
}

int json_format_compile(const char *format, const k8s_field_class *cls, json_format **out, char *err, size_t errlen)
{
	*out = NULL;
	json_format *f = calloc(1, sizeof(*f));
	if (!f || !(f->src = strdup(format))) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *p = format;
	if (*p == '*')
		p++;
	while (*p) {
		json_format_tok *t = json_format_push(f);
		if (!t) {
			json_format_free(f);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (*p == '%') {
			p++;
			char ferr[256] = "";
			long used = k8s_audit_fields_scan(&t->field, cls, p, ferr, sizeof(ferr));
			if (used <= 0) {
				f->ntoks--; /* nothing to free in the slot */
				if (used == 0)
					snprintf(err, errlen,
						 "Could not parse format string \"%s\": unknown filtercheck field %s", format,
						 p);
				else
					snprintf(err, errlen, "Could not parse format string \"%s\": %s", format, ferr);
				json_format_free(f);
				return used == 0 ? 1 : -1;
			}
			p += used;
		} else {
			size_t n = strcspn(p, "%");
			if (!(t->text = strndup(p, n))) {
				f->ntoks--;
				json_format_free(f);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			p += n;
		}
	}
	*out = f;
	return 0;
}

/* Appends n bytes to the token's value buffer. */
static bool json_format_put(json_format_tok *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		while (nc < t->len + n + 1)
			nc *= 2;
		char *nv = realloc(t->value, nc);
		if (!nv)
			return false;
		t->value = nv;
		t->cap = nc;
	}
	memcpy(t->value + t->len, s, n);
	t->len += n;
	t->value[t->len] = 0;
	return true;
}

static bool json_format_put_val(json_format_tok *t, const json_val *v)
{
	char buf[48];
	const char *s = v->type == JSON_VAL_STRING ? v->s : json_value_text(v, buf, sizeof(buf));
	return json_format_put(t, s, strlen(s));
}

/* Renders every field token's value into its buffer. */
static bool json_format_resolve(json_format *f, const json_evt *evt)
{
	for (size_t i = 0; i < f->ntoks; i++) {
		json_format_tok *t = &f->toks[i];
		if (t->text)
			continue;
		size_t first, n;
		k8s_audit_fields_extract(&t->field, evt, &f->vals, &first, &n);
		t->len = 0;
		bool ok = json_format_put(t, "", 0);
		if (n == 0) {
			ok = ok && json_format_put(t, K8S_NO_VALUE, strlen(K8S_NO_VALUE));
		} else if (n == 1) {
			ok = ok && json_format_put_val(t, &f->vals.items[first]);
		} else {
			ok = ok && json_format_put(t, "(", 1);
			for (size_t k = 0; k < n && ok; k++) {
				/* Falco adds the comma only once the text is not "("
				 * any more: an empty first value is not followed by one. */
				if (t->len > 1)
					ok = json_format_put(t, ",", 1);
				ok = ok && json_format_put_val(t, &f->vals.items[first + k]);
			}
			ok = ok && json_format_put(t, ")", 1);
		}
		if (!ok)
			return false;
	}
	return true;
}

char *json_format_text(json_format *f, const json_evt *evt)
{
	if (!json_format_resolve(f, evt))
		return NULL;
	size_t len = 0;
	for (size_t i = 0; i < f->ntoks; i++)
		len += f->toks[i].text ? strlen(f->toks[i].text) : f->toks[i].len;
	char *buf = malloc(len + 1), *p = buf;
	if (!buf)
		return NULL;
	for (size_t i = 0; i < f->ntoks; i++) {
		const json_format_tok *t = &f->toks[i];
		size_t n = t->text ? strlen(t->text) : t->len;
		memcpy(p, t->text ? t->text : t->value, n);
		p += n;
	}
	*p = 0;
	return buf;
}

/* The field tokens sorted by name; among equal names keep_last chooses
 * which one stays. Returns the number kept in idx. */
static size_t json_format_sorted(const json_format *f, size_t *idx, bool keep_last)
{
	size_t n = 0;
	for (size_t i = 0; i < f->ntoks; i++) {
		if (f->toks[i].text)
			continue;
		const char *name = f->toks[i].field.info->name;
		size_t k = 0;
		while (k < n && strcmp(f->toks[idx[k]].field.info->name, name) < 0)
			k++;
		if (k < n && !strcmp(f->toks[idx[k]].field.info->name, name)) {
			if (keep_last)
				idx[k] = i;
			continue;
		}
		memmove(&idx[k + 1], &idx[k], (n - k) * sizeof(*idx));
		idx[k] = i;
		n++;
	}
	return n;
}

char *json_format_json(json_format *f, const json_evt *evt)
{
	if (!json_format_resolve(f, evt))
		return NULL;
	size_t *idx = malloc((f->ntoks + 1) * sizeof(*idx));
	if (!idx)
		return NULL;
	size_t n = json_format_sorted(f, idx, true);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		free(idx);
		return NULL;
	}
	if (n == 0) {
		fputs("null", m);
	} else {
		putc('{', m);
		for (size_t i = 0; i < n; i++) {
			if (i)
				putc(',', m);
			json_dump_string(m, f->toks[idx[i]].field.info->name);
			putc(':', m);
			json_dump_string(m, f->toks[idx[i]].value);
		}
		putc('}', m);
	}
	free(idx);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int json_format_fields(json_format *f, const json_evt *evt, backend_field_value **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (!json_format_resolve(f, evt))
		return -1;
	size_t *idx = malloc((f->ntoks + 1) * sizeof(*idx));
	if (!idx)
		return -1;
	size_t n = json_format_sorted(f, idx, false);
	if (n == 0) {
		free(idx);
		return 0;
	}
	size_t bytes = n * sizeof(backend_field_value);
	for (size_t i = 0; i < n; i++) {
		const json_format_tok *t = &f->toks[idx[i]];
		bytes += strlen(t->field.info->name) + 1 + (t->value[0] ? strlen(t->value) : strlen(K8S_NO_VALUE)) + 1;
	}
	backend_field_value *res = malloc(bytes);
	if (!res) {
		free(idx);
		return -1;
	}
	char *s = (char *)(res + n);
	for (size_t i = 0; i < n; i++) {
		const json_format_tok *t = &f->toks[idx[i]];
		const char *v = t->value[0] ? t->value : K8S_NO_VALUE;
		res[i].name = s;
		s = stpcpy(s, t->field.info->name) + 1;
		res[i].value = s;
		s = stpcpy(s, v) + 1;
	}
	free(idx);
	*out = res;
	*nout = n;
	return 0;
}
