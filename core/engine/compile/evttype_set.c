#include "engine/compile/evttype_set.h"

#include <string.h>

void evttype_set_clear(evttype_set *s)
{
	memset(s, 0, sizeof(*s));
}

void evttype_set_union(evttype_set *dst, const evttype_set *src)
{
	for (size_t i = 0; i < EVTTYPE_SET_WORDS; i++)
		dst->w[i] |= src->w[i];
}

void evttype_set_intersect(evttype_set *dst, const evttype_set *src)
{
	for (size_t i = 0; i < EVTTYPE_SET_WORDS; i++)
		dst->w[i] &= src->w[i];
}

bool evttype_set_equal(const evttype_set *a, const evttype_set *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

size_t evttype_set_count(const evttype_set *s)
{
	size_t n = 0;
	for (size_t i = 0; i < EVTTYPE_SET_WORDS; i++)
		n += (size_t)__builtin_popcountll(s->w[i]);
	return n;
}

void evttype_set_inverse(evttype_set *dst, const evttype_set *src, const evttype_set *all)
{
	if (evttype_set_equal(src, all)) {
		*dst = *all;
		return;
	}
	for (size_t i = 0; i < EVTTYPE_SET_WORDS; i++)
		dst->w[i] = all->w[i] & ~src->w[i];
}
