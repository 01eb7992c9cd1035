#ifndef FAPI_ENGINE_EVTTYPE_SET_H
#define FAPI_ENGINE_EVTTYPE_SET_H

/* A set of event type codes (libscap's PPM codes), as a fixed bitmap: the
 * codes a rule can match, computed like libsinsp 2022's evttypes() so rules
 * are indexed exactly as Falco 0.31 indexes them. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVTTYPE_SET_BITS 512
#define EVTTYPE_SET_WORDS (EVTTYPE_SET_BITS / 64)

typedef struct evttype_set {
	uint64_t w[EVTTYPE_SET_WORDS];
} evttype_set;

static inline void evttype_set_add(evttype_set *s, unsigned code)
{
	if (code < EVTTYPE_SET_BITS)
		s->w[code / 64] |= 1ull << (code % 64);
}

static inline bool evttype_set_has(const evttype_set *s, unsigned code)
{
	return code < EVTTYPE_SET_BITS && (s->w[code / 64] >> (code % 64)) & 1;
}

void evttype_set_clear(evttype_set *s);
void evttype_set_union(evttype_set *dst, const evttype_set *src);
void evttype_set_intersect(evttype_set *dst, const evttype_set *src);
bool evttype_set_equal(const evttype_set *a, const evttype_set *b);
size_t evttype_set_count(const evttype_set *s);
/* dst = all \ src, except that the inverse of `all` is `all` (libsinsp's
 * rule: a condition naming no event type still runs on every type). */
void evttype_set_inverse(evttype_set *dst, const evttype_set *src, const evttype_set *all);

#endif
