#ifndef FAPI_ENGINE_ENGINE_H
#define FAPI_ENGINE_ENGINE_H

/* The engine: Falco rules over libsinsp events. It owns the inspector, the
 * rules and the ruleset; it reads events from a capture (optionally looped
 * and paced) or the live driver, on the calling thread (engine_run) or its
 * own (engine_start), and hands every alert to stdout and to a sink (the
 * alert bus). All of its work happens on one thread; the counters may be
 * read from others. */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/output/alert.h"
#include "engine/backends/backend_registry.h"
#include "engine/rules/rules_limits.h"
#include "engine/ruleset/ruleset.h"

typedef struct engine engine;

typedef struct engine_opts {
	const char *const *rules_paths; /* files or directories, loaded in order; borrowed */
	size_t nrules_paths;
	bool all_events;                /* -A */
	/* --disable-source: sources whose live feed is not opened (their rules
	 * still load, and a capture of theirs still replays, as in Falco
	 * 0.31). Disabling both syscall and k8s_audit is an error. Borrowed. */
	const char *const *disabled_sources;
	size_t ndisabled_sources;
	int min_priority;               /* `priority`: rules less severe are not loaded */
	ruleset_selection selection;    /* -D, -T, -t; borrowed */
	bool json_output;
	bool json_include_output;
	bool json_include_tags;
	bool time_format_iso_8601;
	bool stdout_output;             /* print alerts on stdout */
	bool buffered_outputs;          /* do not flush stdout after every alert */
	double rate, max_burst;         /* outputs.rate / outputs.max_burst */
	bool want_fields;               /* build text output_fields for every alert (gRPC) */
	/* -p: format appended to every syscall rule's output (NULL or "" for
	 * none), and whether %container.info becomes it (-pc/-pk/-pm). */
	const char *output_extra;
	bool replace_container_info;
	/* Inspector settings, as Falco's -b, --cri, --disable-cri-async, -S. */
	bool base64_buffers;
	const char *const *cri_sockets; /* borrowed */
	size_t ncri_sockets;
	bool disable_cri_async;
	uint32_t snaplen;               /* 0 = libscap's default */
	bool validate_only;             /* -V: load and check the rules; the engine will not run */
	rules_limits limits;            /* engine.limits.*: the rules loader's bounds; 0 fields take defaults */
} engine_opts;

/* Called with every alert that passed the rate limiter; the sink takes its
 * own reference if it keeps the alert. Runs on the engine thread. */
typedef void (*engine_sink_fn)(void *user, engine_alert *a);

typedef struct engine_stats {
	uint64_t events;       /* events read */
	uint64_t alerts;       /* rule matches (Falco's "Events detected") */
	uint64_t rate_limited; /* matches not output because of outputs.rate */
	uint64_t errors;       /* alerts that could not be formatted */
	uint64_t by_priority[8];
} engine_stats;

/* Registers the event sources (engine/backends/backend_registry.h), loads
 * the rules files in order and compiles each rule with its source's
 * backend.
 * Returns 0, or -1 with the first error ("FILE:LINE:COL: ITEM: message") in
 * err; nothing is left allocated then. */
int engine_create(engine **out, const engine_opts *o, char *err, size_t errlen);
void engine_free(engine *e);

/* Load warnings in Falco's form ("Rule X: warning (no-evttype): ..."). The
 * strings belong to the engine. */
size_t engine_warning_count(const engine *e);
const char *engine_warning(const engine *e, size_t i);
/* The compiled rules and which are enabled; owned by the engine. */
const ruleset *engine_ruleset(const engine *e);

void engine_set_sink(engine *e, engine_sink_fn fn, void *user);

struct engine_stats_file;
/* -s: the engine thread writes a statistics sample whenever one is due
 * (live: the driver's counters; a capture: the events read from it, since
 * libscap counts none for files). Borrowed: close it after the engine
 * stopped. NULL turns it off. */
void engine_set_stats_file(engine *e, struct engine_stats_file *s);

struct rules_doc;
/* The loaded rules document (files, their required_engine_version); owned
 * by the engine. */
const struct rules_doc *engine_rules_doc(const engine *e);

/* The registered event sources; owned by the engine. */
const backend_registry *engine_backends(const engine *e);

/* Selects the capture file to replay: `loops` times (0 = forever), at
 * `rate` events per second (0 = as fast as possible). Opens it now so that
 * an unreadable file is reported here. 0 or -1 with err. */
int engine_open_capture(engine *e, const char *path, uint64_t loops, double rate, char *err, size_t errlen);
/* Opens the live feed of the first source that has one and is not
 * disabled: the kernel module, or the eBPF probe at `probe` (NULL: the
 * module). The error names what is missing. 0 or -1 with err. */
int engine_open_live(engine *e, const char *probe, char *err, size_t errlen);

/* Runs the opened source on this thread until it ends or `stop` becomes
 * true. Returns 0 at the end of the source or on stop, -1 with err on a
 * read error. */
int engine_run(engine *e, atomic_bool *stop, char *err, size_t errlen);

/* Runs the source on a thread of its own; on_end(user, rc) is called on that
 * thread when the source ends (rc as engine_run's). 0 or -1. */
int engine_start(engine *e, void (*on_end)(void *user, int rc, const char *err), void *user);
/* Stops the thread started by engine_start and waits for it. */
void engine_stop(engine *e);

void engine_get_stats(const engine *e, engine_stats *out);
/* Matches of rule i of engine_ruleset(e)->rules. */
uint64_t engine_rule_matches(const engine *e, size_t i);
/* Falco's end-of-run summary: "Events detected: N", counts by severity and
 * by rule name. */
void engine_print_summary(const engine *e, FILE *out);
/* Falco's -L listing of the loaded rules. */
void engine_print_rules(const engine *e, FILE *out);

#endif
