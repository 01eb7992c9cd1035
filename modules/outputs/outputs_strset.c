#include "outputs_strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t outputs_strset_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot holding key, or the empty slot where it would go. */
static char **outputs_strset_slot(const outputs_strset *s, const char *key)
{
	size_t mask = s->cap - 1;
	for (size_t i = (size_t)outputs_strset_hash(key) & mask;; i = (i + 1) & mask)
		if (!s->slots[i] || strcmp(s->slots[i], key) == 0)
			return &s->slots[i];
}

int outputs_strset_init(outputs_strset *s, char *const *items, size_t n)
{
	memset(s, 0, sizeof(*s));
	if (!n)
		return 0;
	size_t cap = 4;
	while (cap < n * 2)
		cap *= 2;
	if (!(s->slots = calloc(cap, sizeof(*s->slots))))
		return -1;
	s->cap = cap;
	for (size_t i = 0; i < n; i++) {
		char **slot = outputs_strset_slot(s, items[i]);
		if (*slot)
			continue;
		if (!(*slot = strdup(items[i]))) {
			outputs_strset_free(s);
			return -1;
		}
		s->count++;
	}
	return 0;
}

void outputs_strset_free(outputs_strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

bool outputs_strset_has(const outputs_strset *s, const char *key)
{
	return s->count && *outputs_strset_slot(s, key) != NULL;
}
