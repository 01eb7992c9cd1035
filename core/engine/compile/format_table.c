#include "engine/compile/format_table.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/util/hashmap.h"

typedef struct format_entry {
	backend_format *fmt;
	const backend *b;
	atomic_uint refs; /* tables holding it; atomic as leaf.refs (leaf_table.h) */
} format_entry;

struct format_table {
	hashmap map; /* key (owned) -> format_entry */
};

format_table *format_table_new(void)
{
	return calloc(1, sizeof(format_table));
}

static void format_entry_unref(format_entry *f)
{
	if (atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) == 1) {
		f->b->format_free(f->fmt);
		free(f);
	}
}

void format_table_free(format_table *t)
{
	if (!t)
		return;
	size_t i = 0, len;
	const void *key;
	void *f;
	while (hashmap_next(&t->map, &i, &key, &len, &f)) {
		free((void *)key);
		format_entry_unref(f);
	}
	hashmap_free(&t->map);
	free(t);
}

int format_table_get(format_table *t, const format_table *prev, const backend *b, const char *format,
		     backend_format **out, char *err, size_t errlen)
{
	*out = NULL;
	/* A source name has no \x01; the format follows it whole. */
	size_t len = strlen(b->source) + 1 + strlen(format);
	char *key = malloc(len + 1);
	if (!key) {
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	snprintf(key, len + 1, "%s\x01%s", b->source, format);
	format_entry *f = hashmap_get(&t->map, key, len);
	if (f) {
		free(key);
		*out = f->fmt;
		return BACKEND_OK;
	}
	f = prev ? hashmap_get(&prev->map, key, len) : NULL;
	if (f && f->b == b) {
		atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
	} else {
		if (!(f = calloc(1, sizeof(*f)))) {
			free(key);
			snprintf(err, errlen, "out of memory");
			return BACKEND_ERROR;
		}
		int rc = b->format_compile(b->ctx, format, &f->fmt, err, errlen);
		if (rc != BACKEND_OK) {
			free(f);
			free(key);
			return rc;
		}
		f->b = b;
		atomic_init(&f->refs, 1);
	}
	if (hashmap_put(&t->map, key, len, f) < 0) {
		format_entry_unref(f);
		free(key);
		snprintf(err, errlen, "out of memory");
		return BACKEND_ERROR;
	}
	*out = f->fmt;
	return BACKEND_OK;
}
