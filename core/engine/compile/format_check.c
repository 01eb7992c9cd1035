#include "engine/compile/format_check.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct format_check {
	char **runs; /* validated field runs, owned */
	size_t n, cap;
};

format_check *format_check_new(void)
{
	return calloc(1, sizeof(format_check));
}

void format_check_free(format_check *fc)
{
	if (!fc)
		return;
	for (size_t i = 0; i < fc->n; i++)
		free(fc->runs[i]);
	free(fc->runs);
	free(fc);
}

static bool format_check_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

/* Length of the field text at p: the name run, then "[...]" if present. */
static size_t format_check_run_len(const char *p)
{
	size_t n = 0;
	while (format_check_name_char(p[n]))
		n++;
	if (p[n] == '[') {
		const char *close = strchr(p + n, ']');
		n = close ? (size_t)(close - p) + 1 : strlen(p);
	}
	return n;
}

static bool format_check_known(const format_check *fc, const char *run, size_t len)
{
	for (size_t i = 0; i < fc->n; i++)
		if (strncmp(fc->runs[i], run, len) == 0 && fc->runs[i][len] == '\0')
			return true;
	return false;
}

/* Validates "%RUN" alone; remembers it when valid. 1 valid, 0 not, -1 OOM. */
static int format_check_run(format_check *fc, const backend *b, const char *run, size_t len)
{
	char *text = malloc(len + 2);
	if (!text)
		return -1;
	text[0] = '%';
	memcpy(text + 1, run, len);
	text[len + 1] = '\0';
	backend_format *f = NULL;
	char e[256];
	int rc = b->format_compile(b->ctx, text, &f, e, sizeof(e));
	b->format_free(f);
	if (rc != BACKEND_OK) {
		free(text);
		return 0;
	}
	if (fc->n == fc->cap) {
		size_t nc = fc->cap ? fc->cap * 2 : 64;
		char **nr = realloc(fc->runs, nc * sizeof(*nr));
		if (!nr) {
			free(text);
			return -1;
		}
		fc->runs = nr;
		fc->cap = nc;
	}
	memmove(text, text + 1, len + 1);
	fc->runs[fc->n++] = text;
	return 1;
}

int format_check_validate(format_check *fc, const backend *b, const char *format, char *err, size_t errlen)
{
	bool ok = format[0] != '\0' && !(format[0] == '*' && format[1] == '\0');
	for (const char *p = strchr(format, '%'); ok && p; p = strchr(p, '%')) {
		p++;
		size_t len = format_check_run_len(p);
		if (!format_check_known(fc, p, len)) {
			int r = format_check_run(fc, b, p, len);
			if (r < 0) {
				if (errlen)
					snprintf(err, errlen, "out of memory");
				return BACKEND_ERROR;
			}
			ok = r == 1;
		}
		p += len;
	}
	if (ok)
		return BACKEND_OK;
	/* the backend's own verdict and message, on the whole text */
	backend_format *f = NULL;
	int rc = b->format_compile(b->ctx, format, &f, err, errlen);
	b->format_free(f);
	return rc;
}
