#include "engine/util/hashmap.h"

#include <stdlib.h>
#include <string.h>

uint64_t hashmap_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	/* FNV-1a mixes a byte only into the bits above it, and slots are
	 * picked by the low bits: MurmurHash3's finaliser folds the high bits
	 * down, so keys that differ only at their ends do not cluster. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static hashmap_slot *hashmap_slot_of(const hashmap *m, const void *key, size_t len, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		hashmap_slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
			return s;
	}
}

bool hashmap_find(const hashmap *m, const void *key, size_t len, void **val)
{
	if (!m->cap || !key)
		return false;
	hashmap_slot *s = hashmap_slot_of(m, key, len, hashmap_hash(key, len));
	if (!s->key)
		return false;
	*val = s->val;
	return true;
}

void *hashmap_get(const hashmap *m, const void *key, size_t len)
{
	void *v = NULL;
	return hashmap_find(m, key, len, &v) ? v : NULL;
}

static int hashmap_grow(hashmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	hashmap nm = {.slots = calloc(cap, sizeof(hashmap_slot)), .cap = cap};
	if (!nm.slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		*hashmap_slot_of(&nm, m->slots[i].key, m->slots[i].len, m->slots[i].hash) = m->slots[i];
		nm.n++;
	}
	free(m->slots);
	*m = nm;
	return 0;
}

int hashmap_put(hashmap *m, const void *key, size_t len, void *val)
{
	if ((m->n + 1) * 2 > m->cap && hashmap_grow(m) < 0)
		return -1;
	uint64_t h = hashmap_hash(key, len);
	hashmap_slot *s = hashmap_slot_of(m, key, len, h);
	if (!s->key) {
		*s = (hashmap_slot){.key = key, .len = len, .hash = h};
		m->n++;
	}
	s->val = val;
	return 0;
}

bool hashmap_next(const hashmap *m, size_t *i, const void **key, size_t *len, void **val)
{
	for (; *i < m->cap; (*i)++) {
		const hashmap_slot *s = &m->slots[*i];
		if (s->key) {
			*key = s->key;
			*len = s->len;
			*val = s->val;
			(*i)++;
			return true;
		}
	}
	return false;
}

int hashmap_copy(hashmap *dst, const hashmap *src)
{
	*dst = (hashmap)HASHMAP_INIT;
	if (!src->cap)
		return 0;
	if (!(dst->slots = malloc(src->cap * sizeof(hashmap_slot))))
		return -1;
	memcpy(dst->slots, src->slots, src->cap * sizeof(hashmap_slot));
	dst->cap = src->cap;
	dst->n = src->n;
	return 0;
}

void hashmap_free(hashmap *m)
{
	free(m->slots);
	*m = (hashmap)HASHMAP_INIT;
}
