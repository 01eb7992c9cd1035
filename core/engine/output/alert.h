#ifndef FAPI_ENGINE_ALERT_H
#define FAPI_ENGINE_ALERT_H

/* An alert: what the engine emits when a rule matches an event. Immutable
 * once built and reference-counted, so one alert is shared by every
 * subscriber of the bus without copies. Everything it points to lives in
 * the same allocation. */

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct alert_field {
	const char *name;  /* "proc.cmdline"; inside the alert */
	const char *value; /* its text (libsinsp's tostring; "<NA>" when missing); inside the alert */
} alert_field;

typedef struct alert_home alert_home;

typedef struct engine_alert {
	atomic_uint refs;
	alert_home *home;      /* its builder's (alert_home_enter), or NULL */
	struct engine_alert *next_dead; /* on its home's list once released elsewhere */
	size_t bytes;          /* the size of its one allocation (for byte-bounded queues) */
	uint64_t seq;          /* engine-wide, from 1, in emission order */
	uint64_t time_ns;      /* the event's timestamp */
	uint64_t created_ns;   /* CLOCK_REALTIME when the alert was built */
	int priority;          /* 0 emergency .. 7 debug (falco.schema.priority) */
	const char *rule;
	const char *source;    /* "syscall", "k8s_audit", ... */
	const char *hostname;
	const char *output;    /* Falco's message: `json` when built, else `text` (the same string) */
	const char *text;      /* Falco's text line: "16:17:57.881781397: Warning <output>" */
	const char *json;      /* Falco's json_output line, or NULL when not built */
	const char *fields_json; /* the output_fields object as JSON text, or NULL */
	const char *const *tags;
	size_t ntags;
	const alert_field *fields; /* output fields in format order, text values */
	size_t nfields;
} engine_alert;

/* Everything an alert is built from; all borrowed, copied by alert_new. */
typedef struct alert_spec {
	uint64_t seq, time_ns;
	int priority;
	const char *rule, *source, *hostname, *text, *json, *fields_json;
	const char *const *tags;
	size_t ntags;
	const alert_field *fields;
	size_t nfields;
} alert_spec;

/* Builds an alert with one reference, copying everything in spec into one
 * allocation. NULL on ENOMEM. */
engine_alert *alert_new(const alert_spec *spec);
/* Takes another reference; returns a. */
engine_alert *alert_ref(engine_alert *a);
/* Drops a reference; frees at zero. NULL is fine. */
void alert_unref(engine_alert *a);

/* Homes: an alert's last reference is often dropped on another thread
 * (a module's publisher, a gRPC stream, an output worker) than the one that
 * built it. free() there hands the memory back to the builder's malloc
 * arena under that arena's lock, which the builder takes for every alert
 * it builds, so the two threads wait on each other once per alert (about a
 * tenth of the engine's rate with one fast subscriber). A thread that
 * builds alerts for a living (the engine's, the inputs') enters a home:
 * its alerts released elsewhere go on the home's list, lock-free, and it
 * frees them itself the next time it builds one or is idle
 * (alert_home_tidy). At most ALERT_HOME_MAX_DEAD wait there; past that, or
 * once the home was left, the releasing thread frees them. */
#define ALERT_HOME_MAX_DEAD 4096
/* Makes the calling thread a home until alert_home_leave (one per thread;
 * a few homes exist, and without one alerts are freed where released). */
void alert_home_enter(void);
/* Frees what waits on the calling thread's home and ends it. */
void alert_home_leave(void);
/* Frees what waits on the calling thread's home now: for its idle moments
 * (no event, a paced sleep), so that memory is not held while it builds
 * nothing. Cheap when nothing waits; a no-op without a home. */
void alert_home_tidy(void);
/* Alerts released elsewhere that wait on the calling thread's home (0
 * without one): for tests and diagnostics. */
size_t alert_home_waiting(void);

/* Falco's canonical priority names: "Emergency" .. "Debug". */
const char *alert_priority_name(int priority);

#endif
