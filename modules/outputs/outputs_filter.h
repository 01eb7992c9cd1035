#ifndef OUTPUTS_FILTER_H
#define OUTPUTS_FILTER_H

/* What a subscriber asked for: a filter over alerts (applied on the engine's
 * thread, before an alert is queued) and which output fields to send. The
 * request's lists are compiled once into sets, so matching an alert costs
 * one lookup per rule name, source and alert tag, whatever the size of the
 * filter; and the filter's size is bounded. */

#include <stdbool.h>
#include <stddef.h>

#include "fapi/fapi.h"
#include "outputs.pb-c.h"
#include "fapi_sdk_filter.h"
#include "fapi_sdk_strset.h"

/* The bounds on one request's filter (module config). */
typedef struct outputs_filter_limits {
	size_t max_items; /* max_filter_items: entries per list (rules, tags_any, tags_all, sources, output_fields) */
	size_t max_bytes; /* max_filter_bytes: bytes of every entry of every list together */
} outputs_filter_limits;

typedef struct outputs_filter {
	fapi_sdk_filter match;  /* priority, rules, tags, sources (the SDK's) */
	fapi_sdk_strset fields; /* output_fields to keep; empty = all */
	bool omit_fields;
} outputs_filter;

/* Checks the request's filter against `limits` and compiles it. Returns
 * FAPI_STATUS_OK; INVALID_ARGUMENT with a message naming the field and the
 * limit (an unknown priority, a list longer than max_filter_items, more
 * than max_filter_bytes in all); RESOURCE_EXHAUSTED out of memory. */
fapi_status_code outputs_filter_init(outputs_filter *f, const Falco__Outputs__Request *req,
				     const outputs_filter_limits *limits, char *msg, size_t msglen);
void outputs_filter_free(outputs_filter *f);

/* True when the alert passes every filter given. */
bool outputs_filter_match(const outputs_filter *f, const fapi_alert_view *a);

/* True when output field `name` is to be sent. */
bool outputs_filter_keep_field(const outputs_filter *f, const char *name);

#endif
