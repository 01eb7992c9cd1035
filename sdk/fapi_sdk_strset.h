#ifndef FAPI_SDK_STRSET_H
#define FAPI_SDK_STRSET_H

/* A set of strings, built once and then only read: open addressing over a
 * power-of-two table, so a lookup costs one hash of the key and, on
 * average, about one comparison, whatever the number of members. The
 * modules cannot reach the core's private tables (they include only
 * fapi/), hence the SDK's own (libfalco-apid-sdk.a). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fapi_sdk_strset_slot {
	char *key;      /* NULL = empty; owned */
	uint64_t hash;  /* fapi_sdk_strset_hash(key) */
} fapi_sdk_strset_slot;

typedef struct fapi_sdk_strset {
	fapi_sdk_strset_slot *slots; /* cap entries */
	size_t cap;     /* 0 or a power of two, at least twice count */
	size_t count;   /* distinct members */
} fapi_sdk_strset;

/* Builds the set of the n strings (duplicates kept once; copied). Returns 0,
 * or -1 out of memory (the set is then empty and freeable). */
int fapi_sdk_strset_init(fapi_sdk_strset *s, char *const *items, size_t n);
void fapi_sdk_strset_free(fapi_sdk_strset *s);

/* The hash the set uses for key: computed once, it serves lookups in any
 * number of sets. */
uint64_t fapi_sdk_strset_hash(const char *key);

/* True when key, whose fapi_sdk_strset_hash is h, is a member. A miss
 * usually compares no string at all. */
bool fapi_sdk_strset_has_hashed(const fapi_sdk_strset *s, const char *key, uint64_t h);

/* True when key is a member. */
bool fapi_sdk_strset_has(const fapi_sdk_strset *s, const char *key);

#endif
