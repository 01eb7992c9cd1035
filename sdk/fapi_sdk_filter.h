#ifndef FAPI_SDK_FILTER_H
#define FAPI_SDK_FILTER_H

/* An alert filter as the outputs request and the forward module's config
 * give it: minimum priority, rule names, tags (any of, all of), sources.
 * The lists are compiled once into sets, so matching an alert costs one
 * lookup per rule name, source and alert tag, whatever the filter's size.
 * Part of libfalco-apid-sdk.a, the static helpers a module links against
 * (it uses only fapi/ headers). A compiled filter is read-only: any
 * number of threads may match against it at once. */

#include <stdbool.h>
#include <stddef.h>

#include "fapi/fapi.h"
#include "fapi_sdk_strset.h"

/* The lists of a filter, as given (not owned; copied by init). */
typedef struct fapi_sdk_filter_spec {
	bool has_priority;
	unsigned at_least; /* 0 emergency .. 7 debug: alerts with priority <= at_least pass */
	char *const *rules;
	size_t n_rules;
	char *const *tags_any;
	size_t n_tags_any;
	char *const *tags_all;
	size_t n_tags_all;
	char *const *sources;
	size_t n_sources;
} fapi_sdk_filter_spec;

typedef struct fapi_sdk_filter {
	bool has_priority;
	unsigned at_least;
	fapi_sdk_strset rules; /* exact rule names; empty = any */
	fapi_sdk_strset tags_any;
	fapi_sdk_strset tags_all;
	fapi_sdk_strset sources;
} fapi_sdk_filter;

/* Compiles the spec (strings copied). Returns 0, or -1 out of memory (the
 * filter is then empty and freeable). Bounds on the lists are the
 * caller's to check. */
int fapi_sdk_filter_init(fapi_sdk_filter *f, const fapi_sdk_filter_spec *spec);
void fapi_sdk_filter_free(fapi_sdk_filter *f);

/* True when the alert passes every part of the filter given. Safe on the
 * engine's thread (keeps a per-thread memo of the alert's hashes). */
bool fapi_sdk_filter_match(const fapi_sdk_filter *f, const fapi_alert_view *a);

#endif
