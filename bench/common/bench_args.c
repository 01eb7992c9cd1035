#include "bench_args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int bench_parse_int(const char *prog, const char *s, const char *name, int min, int max, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "%s: %s must be an integer >= %d, not '%s'\n", prog, name, min, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int bench_parse_seconds(const char *prog, const char *s, const char *name, double min, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min) || v > 86400) {
		fprintf(stderr, "%s: %s must be a number of seconds >= %g, not '%s'\n", prog, name, min, s);
		return -1;
	}
	*out = v;
	return 0;
}
