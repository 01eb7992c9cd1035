#ifndef FAPI_ENGINE_STRBUF_H
#define FAPI_ENGINE_STRBUF_H

/* The engine's one growable string. Appends never fail visibly: an
 * allocation failure sets `oom`, later appends are ignored, and
 * strbuf_finish() returns NULL; so a builder is checked once, at the end.
 * The text is always NUL-terminated once anything was appended. */

#include <stdbool.h>
#include <stddef.h>

typedef struct strbuf {
	char *p;    /* the text (NULL until the first append); owned */
	size_t len; /* bytes used, without the NUL */
	size_t cap; /* bytes allocated */
	bool oom;   /* an allocation failed */
} strbuf;

#define STRBUF_INIT {0}

/* Appends n bytes of s. */
void strbuf_addn(strbuf *b, const char *s, size_t n);
/* Appends the NUL-terminated s. */
void strbuf_add(strbuf *b, const char *s);
/* Appends one byte. */
void strbuf_addc(strbuf *b, char c);
/* Appends printf-formatted text. */
void strbuf_addf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends n copies of c (padding). */
void strbuf_pad(strbuf *b, char c, size_t n);

/* Hands the text over (caller frees; "" when nothing was appended) and
 * resets b; NULL when an append ran out of memory (b is freed then). */
char *strbuf_finish(strbuf *b);
/* Frees the text and resets b. */
void strbuf_free(strbuf *b);

#endif
