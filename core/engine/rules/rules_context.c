#include "engine/rules/rules_context.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rules/rules_yaml.h"
#include "engine/util/strbuf.h"

static const char *rules_context_eol(const char *p)
{
	const char *e = strchr(p, '\n');
	return e ? e : p + strlen(p);
}

static int rules_context_starts_item(const char *p)
{
	return p[0] == '-' && strncmp(p, "---", 3) != 0;
}

char *rules_context_item(const char *text, unsigned line)
{
	if (!text || line == 0)
		return NULL;
	/* the start of every line up to `line`, remembering the last item start */
	const char *p = text, *item = NULL;
	for (unsigned n = 1; n <= line; n++) {
		if (n > 1) {
			const char *e = rules_context_eol(p);
			if (!*e)
				return NULL;
			p = e + 1;
		}
		if (rules_context_starts_item(p))
			item = p;
	}
	if (!item)
		return NULL;
	strbuf out = STRBUF_INIT;
	for (p = item;;) {
		const char *e = rules_context_eol(p);
		if (e > p) {
			strbuf_addn(&out, p, (size_t)(e - p));
			strbuf_addc(&out, '\n');
		}
		if (!*e)
			break;
		p = e + 1;
		if (p[0] == '-')
			break;
	}
	return strbuf_finish(&out);
}

size_t rules_context_error_file(const char *msg, const char *const *files, size_t n, unsigned *line)
{
	size_t best = n, best_len = 0;
	*line = 0;
	for (size_t i = 0; msg && i < n; i++) {
		size_t l = strlen(files[i]);
		if (l > best_len && strncmp(msg, files[i], l) == 0 && msg[l] == ':') {
			best = i;
			best_len = l;
		}
	}
	if (best < n) {
		unsigned v = 0;
		const char *p = msg + best_len + 1;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (unsigned)(*p++ - '0');
		if (*p == ':')
			*line = v;
	}
	return best;
}

/* The rule or macro an item defines or appends to: kind key and name. */
static const char *rules_context_item_name(const rules_yaml_node *item, const char **kind)
{
	static const char *const kinds[] = {"rule", "macro"};
	for (size_t k = 0; k < 2; k++) {
		const rules_yaml_node *v = rules_yaml_map_get(item, kinds[k]);
		if (v && rules_yaml_is_text(v)) {
			*kind = kinds[k];
			return v->text;
		}
	}
	return NULL;
}

/* 1 when item appends to (kind, name), 0 when it redefines it, -1 when it
 * is about something else. */
static int rules_context_relation(const rules_yaml_node *item, const char *kind, const char *name)
{
	const char *k;
	const char *n = rules_context_item_name(item, &k);
	bool append = false;
	if (!n || strcmp(k, kind) != 0 || strcmp(n, name) != 0)
		return -1;
	return rules_yaml_bool(rules_yaml_map_get(item, "append"), &append) && append ? 1 : 0;
}

/* The files of a failed load, read and parsed on demand. */
typedef struct rules_context_files {
	const char *const *names;
	size_t n;
	char **text;
	rules_yaml_file **yf;
} rules_context_files;

static rules_yaml_file *rules_context_parsed(rules_context_files *fs, size_t i)
{
	size_t len;
	if (!fs->text[i] && rules_yaml_read_file(fs->names[i], &fs->text[i], &len, NULL, 0) != RULES_OK)
		return NULL;
	if (!fs->yf[i] && rules_yaml_parse(fs->names[i], fs->text[i], strlen(fs->text[i]), &fs->yf[i], NULL, 0) != RULES_OK)
		return NULL;
	return fs->yf[i];
}

/* Appends "\n" + the context of `line` of `text` to *ctx. */
static int rules_context_add(char **ctx, const char *text, unsigned line)
{
	char *more = rules_context_item(text, line);
	if (!more)
		return 0;
	size_t a = strlen(*ctx), b = strlen(more);
	char *n = realloc(*ctx, a + b + 2);
	if (!n) {
		free(more);
		return -1;
	}
	n[a] = '\n';
	memcpy(n + a + 1, more, b + 1);
	free(more);
	*ctx = n;
	return 0;
}

/* The errors Falco finds after reading a whole file, when it turns each
 * rule's exceptions into condition text (rules_exceptions.h). */
static bool rules_context_second_pass(const char *msg)
{
	return strstr(msg, ": Exception item ") || strstr(msg, ": Expected values array for item ");
}

/* Falco keeps one context per rule or macro: its definition's item, then
 * each item appending to it, in load order. Rebuilds that for the item at
 * `line` of file idx and returns the file of its last append (or idx). */
static size_t rules_context_follow(rules_context_files *fs, size_t idx, unsigned line, const char *msg, char **ctx)
{
	rules_yaml_file *f = rules_context_parsed(fs, idx);
	if (!f)
		return idx;
	const char *kind = NULL, *name = NULL;
	size_t at = 0;
	for (size_t i = 0; i < rules_yaml_item_count(f) && rules_yaml_item_at(f, i)->line <= line; i++) {
		name = rules_context_item_name(rules_yaml_item_at(f, i), &kind);
		at = i;
	}
	if (!name)
		return idx;
	/* An append fails on its own (its context alone) while Falco reads the
	 * file; only the exception values it added fail later, with the rule. */
	if (rules_context_relation(rules_yaml_item_at(f, at), kind, name) == 1 && !rules_context_second_pass(msg))
		return idx;
	/* the definition: the last non-append item of that name up to here */
	size_t bf = idx, bi = at;
	for (size_t j = idx + 1; j-- > 0;) {
		rules_yaml_file *g = rules_context_parsed(fs, j);
		size_t end = g ? (j == idx ? at + 1 : rules_yaml_item_count(g)) : 0;
		bool found = false;
		for (size_t i = end; i-- > 0;) {
			if (rules_context_relation(rules_yaml_item_at(g, i), kind, name) == 0) {
				bf = j;
				bi = i;
				found = true;
				break;
			}
		}
		if (found)
			break;
	}
	char *base = rules_context_item(fs->text[bf], rules_yaml_item_at(fs->yf[bf], bi)->line);
	if (!base)
		return idx;
	free(*ctx);
	*ctx = base;
	size_t verdict = idx;
	for (size_t j = bf; j < fs->n; j++) {
		rules_yaml_file *g = rules_context_parsed(fs, j);
		int rel = -1;
		for (size_t i = j == bf ? bi + 1 : 0; g && i < rules_yaml_item_count(g); i++) {
			const rules_yaml_node *it = rules_yaml_item_at(g, i);
			if ((rel = rules_context_relation(it, kind, name)) == 0)
				break;
			if (rel == 1 && rules_context_add(ctx, fs->text[j], it->line) == 0 && j > verdict)
				verdict = j;
		}
		if (!g || rel == 0)
			break;
	}
	return verdict;
}

/* Falco's get_lines(): `count` lines from line `row` of the file's
 * non-empty lines (Falco numbers them so, while libyaml counts every line).
 * For errors outside any item (the document's shape: one line) and YAML
 * syntax errors (three lines, as Falco prints them). */
static char *rules_context_lines(const char *text, unsigned row, unsigned count)
{
	strbuf out = STRBUF_INIT;
	unsigned n = 0;
	for (const char *p = text; *p && n < row + count - 1;) {
		size_t l = strcspn(p, "\n");
		if (l && ++n >= row) {
			strbuf_addn(&out, p, l);
			strbuf_addc(&out, '\n');
		}
		p += l + (p[l] == '\n');
	}
	if (!out.len) {
		strbuf_free(&out);
		return NULL;
	}
	return strbuf_finish(&out);
}

char *rules_context_verdict(const char *msg, const char *const *files, size_t n, size_t *file_idx)
{
	unsigned line = 0;
	size_t idx = rules_context_error_file(msg, files, n, &line);
	char *ctx = NULL;
	rules_context_files fs = {.names = files, .n = n, .text = calloc(n ? n : 1, sizeof(char *)),
				  .yf = calloc(n ? n : 1, sizeof(rules_yaml_file *))};
	*file_idx = idx < n ? idx : n ? n - 1 : 0;
	size_t len;
	if (fs.text && fs.yf && idx < n && line &&
	    rules_yaml_read_file(files[idx], &fs.text[idx], &len, NULL, 0) == RULES_OK) {
		if (strstr(msg, ": invalid YAML: "))
			ctx = rules_context_lines(fs.text[idx], line, 3);
		else if (strstr(msg, ": Rules content is not yaml"))
			ctx = rules_context_lines(fs.text[idx], 1, 1); /* Falco: the first line, always */
		else if ((ctx = rules_context_item(fs.text[idx], line)))
			*file_idx = rules_context_follow(&fs, idx, line, msg, &ctx);
		else
			ctx = rules_context_lines(fs.text[idx], line, 1);
	}
	for (size_t i = 0; i < n && fs.text && fs.yf; i++) {
		free(fs.text[i]);
		rules_yaml_free(fs.yf[i]);
	}
	free(fs.text);
	free(fs.yf);
	size_t need = strlen(msg) + (ctx ? strlen(ctx) : 0) + 32;
	char *out = malloc(need);
	if (out) {
		if (ctx)
			snprintf(out, need, "1 errors:\n%s\n---\n%s---\n", msg, ctx);
		else
			snprintf(out, need, "1 errors:\n%s\n", msg);
	}
	free(ctx);
	return out;
}
