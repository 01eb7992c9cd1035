#include "engine/util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n more bytes plus the NUL. */
static bool strbuf_reserve(strbuf *b, size_t n)
{
	if (b->oom)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	size_t nc = b->cap ? b->cap : 64;
	while (nc < b->len + n + 1)
		nc *= 2;
	char *np = realloc(b->p, nc);
	if (!np) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = nc;
	return true;
}

void strbuf_addn(strbuf *b, const char *s, size_t n)
{
	if (!strbuf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void strbuf_add(strbuf *b, const char *s)
{
	strbuf_addn(b, s, strlen(s));
}

void strbuf_addc(strbuf *b, char c)
{
	strbuf_addn(b, &c, 1);
}

void strbuf_pad(strbuf *b, char c, size_t n)
{
	if (!strbuf_reserve(b, n))
		return;
	memset(b->p + b->len, c, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void strbuf_addf(strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!strbuf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *strbuf_finish(strbuf *b)
{
	if (b->oom) {
		strbuf_free(b);
		return NULL;
	}
	char *p = b->p ? b->p : strdup("");
	*b = (strbuf)STRBUF_INIT;
	return p;
}

void strbuf_free(strbuf *b)
{
	free(b->p);
	*b = (strbuf)STRBUF_INIT;
}
