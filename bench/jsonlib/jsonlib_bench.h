#ifndef FAPI_BENCH_JSONLIB_BENCH_H
#define FAPI_BENCH_JSONLIB_BENCH_H

/* What the per-library files of jsonlib_bench share (each library has its
 * own file: json-c and jansson declare the same names). */

#include <stddef.h>

/* The pointers read from every event, and how many. */
extern const char *const jsonlib_bench_ptrs[];
extern const size_t jsonlib_bench_nptrs;

/* Copies the next reference token of ptr (after its '/') into tok,
 * unescaping ~1 and ~0; returns the rest of ptr. */
const char *jsonlib_bench_token(const char *ptr, char *tok, size_t toklen);

/* One way of using a library: parse each of the n lines, read every
 * pointer, free; return how many pointers resolved (so that the work is not
 * optimised away). Each library's file defines its variants; each library
 * is linked into an executable of its own (json-c and jansson export
 * symbols of the same names). */
typedef size_t (*jsonlib_bench_fn)(char **lines, size_t n);
struct jsonlib_bench_variant {
	const char *name;
	jsonlib_bench_fn fn;
};
extern const struct jsonlib_bench_variant jsonlib_bench_variants[];
extern const size_t jsonlib_bench_nvariants;

#endif
