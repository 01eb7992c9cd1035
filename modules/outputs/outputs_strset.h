#ifndef OUTPUTS_STRSET_H
#define OUTPUTS_STRSET_H

/* A set of strings, built once and then only read: open addressing over a
 * power-of-two table, so a lookup costs one hash of the key and, on
 * average, about one comparison, whatever the number of members. The
 * module cannot reach the core's private tables (modules include only
 * fapi/), hence its own. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct outputs_strset_slot {
	char *key;      /* NULL = empty; owned */
	uint64_t hash;  /* outputs_strset_hash(key) */
} outputs_strset_slot;

typedef struct outputs_strset {
	outputs_strset_slot *slots; /* cap entries */
	size_t cap;     /* 0 or a power of two, at least twice count */
	size_t count;   /* distinct members */
} outputs_strset;

/* Builds the set of the n strings (duplicates kept once; copied). Returns 0,
 * or -1 out of memory (the set is then empty and freeable). */
int outputs_strset_init(outputs_strset *s, char *const *items, size_t n);
void outputs_strset_free(outputs_strset *s);

/* The hash the set uses for key: computed once, it serves lookups in any
 * number of sets. */
uint64_t outputs_strset_hash(const char *key);

/* True when key, whose outputs_strset_hash is h, is a member. A miss
 * usually compares no string at all. */
bool outputs_strset_has_hashed(const outputs_strset *s, const char *key, uint64_t h);

/* True when key is a member. */
bool outputs_strset_has(const outputs_strset *s, const char *key);

#endif
