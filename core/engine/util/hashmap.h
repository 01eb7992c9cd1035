#ifndef FAPI_ENGINE_HASHMAP_H
#define FAPI_ENGINE_HASHMAP_H

/* The engine's one hash map: byte-string keys (text, or any fixed layout
 * such as an array of pointers) to a pointer value, open addressing with
 * linear probing, FNV-1a. Keys are BORROWED: the map stores the pointer
 * and length, so a key must stay valid and unchanged while its entry is in
 * the map (the owner frees keys, e.g. while iterating with hashmap_next).
 * Not thread-safe; lookups on an unchanging map may run concurrently. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hashmap_slot {
	const void *key; /* NULL: empty */
	size_t len;
	uint64_t hash;
	void *val;
} hashmap_slot;

typedef struct hashmap {
	hashmap_slot *slots; /* owned */
	size_t cap;          /* a power of two, or 0 before the first put */
	size_t n;            /* entries */
} hashmap;

#define HASHMAP_INIT {0}

/* FNV-1a of n bytes (the hash every table of the engine uses). */
uint64_t hashmap_hash(const void *p, size_t n);

/* The value stored under key, or NULL when absent. */
void *hashmap_get(const hashmap *m, const void *key, size_t len);

/* Looks key up; true and *val set when present (for maps whose values may
 * be NULL or small integers). */
bool hashmap_find(const hashmap *m, const void *key, size_t len, void **val);

/* Inserts or replaces key -> val (the key pointer is kept, see above).
 * Returns 0, or -1 when out of memory (the map is unchanged). */
int hashmap_put(hashmap *m, const void *key, size_t len, void *val);

/* Iterates: start with *i = 0; returns false at the end. */
bool hashmap_next(const hashmap *m, size_t *i, const void **key, size_t *len, void **val);

/* A shallow copy (same borrowed keys, same values) into *dst. Returns 0,
 * or -1 when out of memory (*dst is then empty). */
int hashmap_copy(hashmap *dst, const hashmap *src);

/* Frees the slots (not keys or values) and empties the map. */
void hashmap_free(hashmap *m);

#endif
