#ifndef FAPI_BENCH_ARGS_H
#define FAPI_BENCH_ARGS_H

/* Command-line number parsing shared by the benchmark clients. Each prints
 * "PROG: NAME must be ..." on stderr and returns -1 when s is not a whole
 * number in [min, max] (resp. a number of seconds in [min, 86400]). */
int bench_parse_int(const char *prog, const char *s, const char *name, int min, int max, int *out);
int bench_parse_seconds(const char *prog, const char *s, const char *name, double min, double *out);

#endif
