#include "engine/backends/json/json_pointer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int json_pointer_compile(json_pointer *p, const char *text, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (!*text)
		return 0;
	if (*text != '/') {
		snprintf(err, errlen, "JSON pointer must be empty or begin with '/' - was: '%s'", text);
		return -1;
	}
	size_t n = 0;
	for (const char *s = text; *s; s++)
		n += *s == '/';
	p->tokens = calloc(n, sizeof(*p->tokens));
	if (!p->tokens) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *s = text;
	while (*s == '/') {
		s++;
		size_t tl = strcspn(s, "/");
		char *tok = malloc(tl + 1);
		if (!tok) {
			json_pointer_free(p);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		size_t o = 0;
		for (size_t i = 0; i < tl; i++) {
			if (s[i] == '~') {
				if (i + 1 >= tl || (s[i + 1] != '0' && s[i + 1] != '1')) {
					free(tok);
					json_pointer_free(p);
					snprintf(err, errlen, "escape character '~' must be followed with '0' or '1'");
					return -1;
				}
				tok[o++] = s[i + 1] == '0' ? '~' : '/';
				i++;
			} else {
				tok[o++] = s[i];
			}
		}
		tok[o] = 0;
		p->tokens[p->ntokens++] = tok;
		s += tl;
	}
	return 0;
}

void json_pointer_free(json_pointer *p)
{
	for (size_t i = 0; i < p->ntokens; i++)
		free(p->tokens[i]);
	free(p->tokens);
	memset(p, 0, sizeof(*p));
}

const cJSON *json_pointer_get(const json_pointer *p, const cJSON *v)
{
	for (size_t i = 0; v && i < p->ntokens; i++) {
		const char *t = p->tokens[i];
		if (cJSON_IsObject(v)) {
			v = json_doc_member(v, t);
		} else if (cJSON_IsArray(v)) {
			if (!*t || (t[0] == '0' && t[1]) || strspn(t, "0123456789") != strlen(t))
				return NULL;
			errno = 0;
			unsigned long long idx = strtoull(t, NULL, 10);
			if (errno)
				return NULL;
			const cJSON *c = v->child;
			for (unsigned long long k = 0; c && k < idx; k++)
				c = c->next;
			v = c;
		} else {
			return NULL;
		}
	}
	return v;
}

