#include "engine/rules/rules_context.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rules/rules_yaml.h"

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
	size_t cap = 256, len = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (p = item;;) {
		const char *e = rules_context_eol(p);
		size_t n = (size_t)(e - p);
		if (n) {
			if (len + n + 2 > cap) {
				while (len + n + 2 > cap)
					cap *= 2;
				char *no = realloc(out, cap);
				if (!no) {
					free(out);
					return NULL;
				}
				out = no;
			}
			memcpy(out + len, p, n);
			len += n;
			out[len++] = '\n';
		}
		if (!*e)
			break;
		p = e + 1;
		if (p[0] == '-')
			break;
	}
	out[len] = '\0';
	return out;
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

static bool rules_context_is_append_to(const rules_yaml_node *item, const char *kind, const char *name)
{
	const char *k;
	const char *n = rules_context_item_name(item, &k);
	bool append;
	return n && strcmp(k, kind) == 0 && strcmp(n, name) == 0 &&
	       rules_yaml_bool(rules_yaml_map_get(item, "append"), &append) && append;
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

/* Follows a failed rule or macro through the appends made to it in the
 * same and later files, as Falco adds each append's item to the context
 * of the item appended to. Returns the index of the file holding the last
 * append (the file after which Falco's compilation fails). */
static size_t rules_context_follow_appends(char **ctx, const char *const *files, size_t n, size_t idx,
					   const char *text, unsigned line)
{
	rules_yaml_file *f = NULL;
	size_t verdict = idx;
	if (rules_yaml_parse(files[idx], text, strlen(text), &f, NULL, 0) != RULES_OK)
		return idx;
	const char *kind = NULL, *name = NULL;
	size_t first = 0;
	for (size_t i = 0; i < rules_yaml_item_count(f); i++) {
		const rules_yaml_node *it = rules_yaml_item_at(f, i);
		if (it->line > line)
			break;
		name = rules_context_item_name(it, &kind);
		first = i + 1;
	}
	for (size_t j = idx; name && j < n; j++) {
		rules_yaml_file *g = f;
		char *data = NULL;
		size_t len;
		if (j != idx && (rules_yaml_read_file(files[j], &data, &len, NULL, 0) != RULES_OK ||
				 rules_yaml_parse(files[j], data, len, &g, NULL, 0) != RULES_OK)) {
			free(data);
			break;
		}
		for (size_t i = j == idx ? first : 0; i < rules_yaml_item_count(g); i++) {
			const rules_yaml_node *it = rules_yaml_item_at(g, i);
			if (rules_context_is_append_to(it, kind, name) &&
			    rules_context_add(ctx, j == idx ? text : data, it->line) == 0)
				verdict = j;
		}
		if (g != f)
			rules_yaml_free(g);
		free(data);
	}
	rules_yaml_free(f);
	return verdict;
}

char *rules_context_verdict(const char *msg, const char *const *files, size_t n, size_t *file_idx)
{
	unsigned line = 0;
	size_t idx = rules_context_error_file(msg, files, n, &line);
	char *text = NULL, *ctx = NULL;
	size_t len;
	*file_idx = idx < n ? idx : n ? n - 1 : 0;
	if (idx < n && line && rules_yaml_read_file(files[idx], &text, &len, NULL, 0) == RULES_OK &&
	    (ctx = rules_context_item(text, line)))
		*file_idx = rules_context_follow_appends(&ctx, files, n, idx, text, line);
	free(text);
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
