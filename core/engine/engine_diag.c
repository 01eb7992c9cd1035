#include "engine/engine_diag.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rules/rules_doc.h"
#include "engine/util/strbuf.h"

void engine_diags_free(engine_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		engine_diag *g = &d->items[i];
		free(g->message);
		free(g->file);
		free(g->item);
		free(g->code);
		free(g->text);
	}
	free(d->items);
	*d = (engine_diags){0};
}

static char *engine_diag_dup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int engine_diags_push(engine_diags *d, engine_diag *g)
{
	if (!g->message || !g->file || !g->item || !g->code || !g->text) {
		free(g->message);
		free(g->file);
		free(g->item);
		free(g->code);
		free(g->text);
		return -1;
	}
	engine_diag *items = realloc(d->items, (d->n + 1) * sizeof(*items));
	if (!items) {
		g->file = NULL;
		return engine_diags_push(d, g);
	}
	d->items = items;
	d->items[d->n++] = *g;
	if (g->error)
		d->nerrors++;
	return 0;
}

/* Reads "N:" at *p (N decimal); advances past it. */
static bool engine_diag_number(const char **p, unsigned *out)
{
	const char *s = *p;
	unsigned long v = 0;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s) && v < 100000000ul)
		v = v * 10 + (unsigned long)(*s++ - '0');
	if (*s != ':')
		return false;
	*out = (unsigned)v;
	*p = s + 1;
	return true;
}

/* The length of the file part: a known name, else up to ":LINE:COL: ". */
static size_t engine_diag_file_len(const char *m, const char *const *files, size_t nfiles)
{
	size_t best = 0;
	for (size_t i = 0; i < nfiles; i++) {
		size_t n = files[i] ? strlen(files[i]) : 0;
		if (n > best && strncmp(m, files[i], n) == 0 && m[n] == ':')
			best = n;
	}
	if (best)
		return best;
	for (const char *c = strchr(m, ':'); c; c = strchr(c + 1, ':')) {
		const char *p = c + 1;
		unsigned l, col;
		if (engine_diag_number(&p, &l) && engine_diag_number(&p, &col) && *p == ' ')
			return (size_t)(c - m);
	}
	return 0;
}

/* "rule 'X': ", "macro 'm': ", "list 'l': " or a bare kind: its length
 * without the ": ", or 0. */
static size_t engine_diag_item_len(const char *s)
{
	static const char *const named[] = {"rule '", "macro '", "list '"};
	static const char *const bare[] = {"required_engine_version", "required_plugin_versions"};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		size_t k = strlen(named[i]);
		if (strncmp(s, named[i], k) == 0) {
			const char *end = strstr(s + k, "': ");
			return end ? (size_t)(end - s) + 1 : 0;
		}
	}
	for (size_t i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		size_t k = strlen(bare[i]);
		if (strncmp(s, bare[i], k) == 0 && strncmp(s + k, ": ", 2) == 0)
			return k;
	}
	return 0;
}

/* "Rule NAME: warning (CODE):TEXT" (TEXT's lines indented by Falco). */
static int engine_diag_compiler_warning(engine_diags *d, const char *m, const rules_doc *doc)
{
	const char *w = strstr(m + 5, ": warning (");
	const char *close = w ? strstr(w, "):") : NULL;
	if (!w || !close)
		return 1;
	char *name = engine_diag_dup(m + 5, (size_t)(w - m - 5));
	if (!name)
		return -1;
	const rules_rule *r = doc ? rules_doc_find_rule(doc, name) : NULL;
	strbuf item = STRBUF_INIT;
	strbuf_addf(&item, "rule '%s'", name);
	free(name);
	const char *code = w + strlen(": warning (");
	/* The words, their lines joined with one space. */
	strbuf text = STRBUF_INIT;
	for (const char *p = close + 2; *p;) {
		while (*p == ' ' || *p == '\n')
			p++;
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n)
			strbuf_addf(&text, "%s%.*s", text.len ? " " : "", (int)n, p);
		p += n;
	}
	engine_diag g = {
		.error = false,
		.message = strdup(m),
		.file = strdup(r && r->loc.file ? r->loc.file : ""),
		.line = r ? r->loc.line : 0,
		.column = r ? r->loc.col : 0,
		.item = strbuf_finish(&item),
		.code = engine_diag_dup(code, (size_t)(close - code)),
		.text = strbuf_finish(&text),
	};
	return engine_diags_push(d, &g);
}

int engine_diags_add(engine_diags *d, bool error, const char *message, const rules_doc *doc,
		     const char *const *files, size_t nfiles)
{
	const char *m = message ? message : "";
	if (!error && strncmp(m, "Rule ", 5) == 0) {
		int rc = engine_diag_compiler_warning(d, m, doc);
		if (rc <= 0)
			return rc;
	}
	size_t flen = engine_diag_file_len(m, files, nfiles);
	const char *p = m + flen;
	unsigned line = 0, col = 0;
	if (flen && *p == ':') {
		p++;
		const char *q = p;
		if (engine_diag_number(&q, &line) && engine_diag_number(&q, &col))
			p = q;
		else
			line = 0;
		while (*p == ' ')
			p++;
	}
	size_t ilen = engine_diag_item_len(p);
	const char *item = p;
	if (ilen) {
		p += ilen + 1;
		while (*p == ' ')
			p++;
	}
	engine_diag g = {
		.error = error,
		.message = strdup(m),
		.file = engine_diag_dup(m, flen),
		.line = line,
		.column = col,
		.item = engine_diag_dup(item, ilen),
		.code = strdup(""),
		.text = strdup(p),
	};
	return engine_diags_push(d, &g);
}

int engine_diags_add_parts(engine_diags *d, bool error, const char *file, unsigned line, unsigned column,
			   const char *item, const char *code, const char *text)
{
	strbuf m = STRBUF_INIT;
	if (file && file[0])
		strbuf_addf(&m, line ? "%s:%u:%u: " : "%s: ", file, line, column);
	if (item && item[0])
		strbuf_addf(&m, "%s: ", item);
	if (code && code[0])
		strbuf_addf(&m, "warning (%s): ", code);
	strbuf_addf(&m, "%s", text ? text : "");
	engine_diag g = {
		.error = error,
		.message = strbuf_finish(&m),
		.file = strdup(file ? file : ""),
		.line = line,
		.column = column,
		.item = strdup(item ? item : ""),
		.code = strdup(code ? code : ""),
		.text = strdup(text ? text : ""),
	};
	return engine_diags_push(d, &g);
}
