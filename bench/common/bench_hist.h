#ifndef FAPI_BENCH_HIST_H
#define FAPI_BENCH_HIST_H

/* Log-linear histogram of nanoseconds: values below 2*SUB are exact, above
 * that each power of two is split into SUB buckets, so a reported
 * percentile is within 1/SUB (1.6%) of the true value, with fixed memory
 * and O(1) recording whatever the duration. Shared by the benchmarks. */

#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS 6
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS ((64 - HIST_SUB_BITS) * HIST_SUB + HIST_SUB)

typedef struct bench_hist {
	uint64_t counts[HIST_BUCKETS];
	uint64_t total;
	uint64_t max;
} bench_hist;

void bench_hist_record(bench_hist *h, uint64_t v);
/* Adds `from` into `into`. */
void bench_hist_merge(bench_hist *into, const bench_hist *from);
/* The value at quantile q (0..1), nearest-rank; never above the exact max. */
double bench_hist_quantile(const bench_hist *h, double q);

#endif
