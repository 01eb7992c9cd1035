#include "fapi_sdk_strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

uint64_t fapi_sdk_strset_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	/* FNV's multiplications carry only upwards: names that differ in their
	 * last bytes ("rule-0001", "rule-0002") would share the low bits the
	 * table indexes by and cluster. Fold the high bits down (MurmurHash3's
	 * finaliser). */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The slot holding key, or the empty slot where it would go. */
static fapi_sdk_strset_slot *fapi_sdk_strset_slot_of(const fapi_sdk_strset *s, const char *key, uint64_t h)
{
	size_t mask = s->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		fapi_sdk_strset_slot *slot = &s->slots[i];
		if (!slot->key || (slot->hash == h && strcmp(slot->key, key) == 0))
			return slot;
	}
}

int fapi_sdk_strset_init(fapi_sdk_strset *s, char *const *items, size_t n)
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
		uint64_t h = fapi_sdk_strset_hash(items[i]);
		fapi_sdk_strset_slot *slot = fapi_sdk_strset_slot_of(s, items[i], h);
		if (slot->key)
			continue;
		if (!(slot->key = strdup(items[i]))) {
			fapi_sdk_strset_free(s);
			return -1;
		}
		slot->hash = h;
		s->count++;
	}
	return 0;
}

void fapi_sdk_strset_free(fapi_sdk_strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i].key);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

bool fapi_sdk_strset_has_hashed(const fapi_sdk_strset *s, const char *key, uint64_t h)
{
	return s->count && fapi_sdk_strset_slot_of(s, key, h)->key != NULL;
}

bool fapi_sdk_strset_has(const fapi_sdk_strset *s, const char *key)
{
	return s->count && fapi_sdk_strset_has_hashed(s, key, fapi_sdk_strset_hash(key));
}
