#include "engine/engine_describe.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Lua's %s class (C isspace in the C locale). */
static bool engine_describe_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

char *engine_describe_wrap(const char *s, size_t limit, const char *indent)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *w = open_memstream(&buf, &len);
	if (!w)
		return NULL;
	/* Positions are 1-based, as in the Lua gsub this mirrors: each run of
	 * spaces followed by a word is one match; `here` is where the current
	 * line started. */
	size_t here = 1, i = 0;
	while (s[i]) {
		if (!engine_describe_space(s[i])) {
			fputc(s[i++], w);
			continue;
		}
		size_t j = i;
		while (engine_describe_space(s[j]))
			j++;
		if (!s[j]) {
			fputs(s + i, w);
			break;
		}
		size_t k = j;
		while (s[k] && !engine_describe_space(s[k]))
			k++;
		if (k + 1 - here > limit) {
			here = j + 1;
			fprintf(w, "\n%s%.*s", indent, (int)(k - j), s + j);
		} else {
			fprintf(w, "%.*s", (int)(k - i), s + i);
		}
		i = k;
	}
	if (fclose(w) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int engine_describe_rule(const engine *e, const char *name, FILE *out, char *err, size_t errlen)
{
	const compiled_rules *cr = engine_ruleset(e)->rules;
	fprintf(out, "\n%-50s %s\n%-50s %s\n", "Rule", "Description", "----", "-----------");
	for (size_t i = 0; i < cr->n; i++) {
		if (strcmp(cr->rules[i].name, name) != 0)
			continue;
		/* Falco's indent is its rule format applied to two empty strings. */
		char indent[64];
		snprintf(indent, sizeof(indent), "%-50s ", "");
		char *wrapped = engine_describe_wrap(cr->rules[i].desc, 60, indent);
		if (!wrapped) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		fprintf(out, "%-50s %s\n\n", name, wrapped);
		free(wrapped);
		return 0;
	}
	snprintf(err, errlen, "No such rule: %s", name);
	return -1;
}
