#include "bench_hist.h"

static size_t bench_hist_index(uint64_t v)
{
	if (v < 2 * HIST_SUB)
		return (size_t)v;
	unsigned shift = (unsigned)(63 - __builtin_clzll(v)) - HIST_SUB_BITS;
	return (size_t)shift * HIST_SUB + (size_t)(v >> shift);
}

/* The middle of a bucket, which halves the worst-case error of reporting
 * its lower bound. */
static double bench_hist_value(size_t idx)
{
	if (idx < 2 * HIST_SUB)
		return (double)idx;
	unsigned shift = (unsigned)(idx / HIST_SUB) - 1;
	uint64_t low = (uint64_t)(idx - (size_t)shift * HIST_SUB) << shift;
	return (double)low + (double)((uint64_t)1 << shift) / 2.0;
}

void bench_hist_record(bench_hist *h, uint64_t v)
{
	h->counts[bench_hist_index(v)]++;
	h->total++;
	if (v > h->max)
		h->max = v;
}

void bench_hist_merge(bench_hist *into, const bench_hist *from)
{
	for (size_t i = 0; i < HIST_BUCKETS; i++)
		into->counts[i] += from->counts[i];
	into->total += from->total;
	if (from->max > into->max)
		into->max = from->max;
}

double bench_hist_quantile(const bench_hist *h, double q)
{
	if (!h->total)
		return 0;
	uint64_t rank = (uint64_t)(q * (double)h->total + 0.5);
	if (rank < 1)
		rank = 1;
	if (rank > h->total)
		rank = h->total;
	uint64_t seen = 0;
	for (size_t i = 0; i < HIST_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			double v = bench_hist_value(i);
			return v > (double)h->max ? (double)h->max : v;
		}
	}
	return (double)h->max;
}
