#ifndef FAPI_ENGINE_API_H
#define FAPI_ENGINE_API_H

/* Engine access for modules (ABI 1.1): subscribing to the alerts the engine
 * emits. Every subscriber sees every alert its filter accepts, in emission
 * order, from the moment it subscribes; its queue is bounded and drops the
 * oldest alerts when full, counting them, so a slow subscriber never slows
 * the engine or the other subscribers. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fapi/status.h"

/* An alert, reference-counted and immutable. Opaque: read it through
 * fapi_alert_view. */
typedef struct fapi_alert fapi_alert;

/* A subscription to the alert stream. Opaque; owned by the host until
 * alert_unsubscribe. */
typedef struct fapi_alert_sub fapi_alert_sub;

typedef struct fapi_alert_field {
	const char *name;  /* "proc.cmdline"; owned by the alert */
	const char *value; /* its text ("<NA>" when missing); owned by the alert */
} fapi_alert_field;

/* What an alert says. Every pointer is owned by the alert and valid while
 * the caller holds the alert (or, in a filter, during the call). Filled by
 * the host: for alert_view the module sets `size` first
 * (FAPI_ALERT_VIEW_INIT) and the host fills the members that fit; in a
 * filter, `size` is the host's sizeof (test a newer member with
 * FAPI_STRUCT_HAS). */
typedef struct fapi_alert_view {
	uint32_t size;         /* ABI 1.4 */
	uint64_t seq;          /* engine-wide, from 1, in emission order */
	uint64_t time_ns;      /* the event's time, ns since the epoch */
	uint64_t created_ns;   /* wall clock when the alert was made */
	uint32_t priority;     /* 0 emergency .. 7 debug, as falco.schema.priority */
	const char *rule;
	const char *source;    /* "syscall", "k8s_audit", ... */
	const char *hostname;
	const char *output;    /* Falco's message: the text line, or the JSON line with json_output */
	const char *text;      /* the text line "HH:MM:SS.nnnnnnnnn: Priority ..." */
	const char *fields_json; /* output_fields as a JSON object with json_output, else NULL */
	const char *const *tags; /* sorted */
	size_t ntags;
	const fapi_alert_field *fields; /* output fields in format order */
	size_t nfields;
} fapi_alert_view;
#define FAPI_ALERT_VIEW_INIT {.size = sizeof(fapi_alert_view)}

/* Filled by the module, initialised with FAPI_ALERT_SUB_OPTS_INIT; the host
 * reads the members that fit in `size`. */
typedef struct fapi_alert_sub_opts {
	uint32_t size;   /* required (ABI 1.4) */
	size_t capacity; /* queue length in alerts (>= 1) */
	/* Optional: runs on the engine's thread for every alert, before it is
	 * queued; return false to skip it. Must be fast and must not block. */
	bool (*filter)(const fapi_alert_view *alert, void *user);
	/* Optional: runs on the engine's thread, after the alert is queued, when
	 * the queue went from empty to non-empty. Must not block and must not
	 * unsubscribe. */
	void (*notify)(fapi_alert_sub *sub, void *user);
	void *user;        /* passed to filter and notify; owned by the module */
	const char *name;  /* for statistics and logs; copied */
	/* Optional (appended after ABI 1.4; a host of ABI 1.5 or later honours
	 * it, an older one reads only the members above): 0 = no bound, else
	 * the queue also holds at most this many bytes of alerts (the host's
	 * size of each alert, strings included); when a new alert would pass
	 * it, the oldest are dropped and counted like a full queue's (the
	 * `lost` of alert_pop, stats.dropped, the drops stream). The newest
	 * alert is always kept, however large. */
	size_t max_bytes;
} fapi_alert_sub_opts;
#define FAPI_ALERT_SUB_OPTS_INIT {.size = sizeof(fapi_alert_sub_opts)}

/* Filled by the host: the module sets `size` (FAPI_ALERT_SUB_STATS_INIT)
 * and the host fills the members that fit. */
typedef struct fapi_alert_sub_stats {
	uint32_t size;         /* required (ABI 1.4) */
	uint64_t accepted;     /* passed the filter */
	uint64_t filtered_out; /* rejected by the filter */
	uint64_t delivered;    /* popped by the module */
	uint64_t dropped;      /* lost because the queue was full */
	size_t depth;          /* queued now */
	size_t capacity;
	size_t high_water;     /* deepest the queue has been */
	/* Appended after ABI 1.4 (filled by a host of ABI 1.5 or later when
	 * the size reaches them): */
	size_t bytes;          /* bytes of the alerts queued now */
	size_t max_bytes;      /* the byte bound subscribed with, 0 = none */
} fapi_alert_sub_stats;
#define FAPI_ALERT_SUB_STATS_INIT {.size = sizeof(fapi_alert_sub_stats)}

#endif
