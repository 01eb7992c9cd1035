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

#include "engine/engine_drops.h"
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
	engine_drops_opts drops;        /* syscall_event_drops.* (engine_drops.h); zeroed: ignore, threshold 0 */
	/* Declared JSON sources (json_source.h), registered after the
	 * built-ins and before the rules load; borrowed for engine_create. */
	const struct json_source_def *json_sources;
	size_t njson_sources;
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
	/* Rules changes (validate, apply, set_enabled) and the time they held
	 * the thread that ran them (the engine thread while it reads events):
	 * compile and swap, then, after the caller was released, the free of
	 * the replaced set. */
	uint64_t swaps, swap_hold_ns, swap_free_ns;
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
/* The compiled rules and which are enabled; owned by the engine, valid
 * until the next engine_apply (on another thread: use engine_list_rules). */
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
 * read error, 1 with Falco's message in err when syscall_event_drops'
 * exit action stops it (Falco then exits with status 1). */
int engine_run(engine *e, atomic_bool *stop, char *err, size_t errlen);

/* Runs the source on a thread of its own; on_end(user, rc) is called on that
 * thread when the source ends (rc as engine_run's). 0 or -1. */
int engine_start(engine *e, void (*on_end)(void *user, int rc, const char *err), void *user);
/* Evaluates evts[0..n) (events of any registered source, built by the
 * caller: the input thread, engine/engine_input.h) on the calling thread,
 * as the engine thread evaluates its own: same ruleset, counters, rate
 * limiter and sink. Each alert is also handed to tap (optional) on this
 * thread before the engine drops its reference. The batch holds the lock of
 * its source's evaluation context (per source: leaf and subtree results,
 * generations, the backend's checks), not the engine thread's: the two
 * evaluate at once unless they feed the same source. A ruleset or settings
 * swap falls between two batches; alerts of one source keep evaluation
 * order (and ascending seq); across sources seq is unique and ascends in
 * emission order. Not from the engine thread or a sink. */
void engine_eval(engine *e, const backend_event *evts, size_t n, engine_sink_fn tap, void *user);

/* Stops the thread started by engine_start and waits for it. */
void engine_stop(engine *e);

void engine_get_stats(const engine *e, engine_stats *out);
/* syscall_event_drops' totals since the source opened (the driver's
 * counters plus simulated drops; all 0 for a capture without simulation)
 * and whether the live feed is the eBPF probe's. Thread-safe. */
void engine_get_kernel_losses(const engine *e, backend_drops *totals, bool *ebpf_enabled);
/* Falco's "Syscall event drop monitoring:" lines, printed at the end of a
 * run. */
void engine_print_drop_stats(const engine *e, FILE *out);
/* Matches of rule i of engine_ruleset(e)->rules. */
uint64_t engine_rule_matches(const engine *e, size_t i);
/* Falco's end-of-run summary: "Events detected: N", counts by severity and
 * by rule name. */
void engine_print_summary(const engine *e, FILE *out);
/* Falco's -L listing of the loaded rules. */
void engine_print_rules(const engine *e, FILE *out);

/* ---- Changing the rules while running ---------------------------------
 *
 * A new set of rules documents is loaded (YAML, lists, macros, appends) on
 * the caller's thread, off to the side; it is then compiled and swapped in
 * between two events. Compiling binds each leaf to its source backend's
 * checks, and those are not free of the running thread: libsinsp's checks
 * and formatters hold the inspector that only the engine thread may use,
 * and the k8s_audit backend's checks register extraction slots in a table
 * the engine thread reads per event. So while the engine thread runs
 * (engine_run / engine_start), compiling and the swap happen ON the engine
 * thread, at a point between two events (the caller waits); when it does
 * not run, on the caller's thread. Every event is therefore evaluated by
 * exactly one ruleset, and the old ruleset is freed by the thread that
 * compiled the new one, once nothing evaluates it (after the caller was
 * released). The engine thread is held
 * for the compile and the swap (falco_rules.yaml: see bench/README.md), not
 * for the load. The calls below are thread-safe and serialised among
 * themselves; none may be made from a sink or on_end callback (the engine
 * thread would wait for itself). */

/* One rules document. */
typedef struct engine_document {
	const char *name; /* required: the file's path, or the in-memory document's name (in positions); borrowed */
	const char *text; /* optional: the document's YAML; NULL reads the file `name`; borrowed */
	size_t len;       /* bytes of text (ignored when text is NULL) */
} engine_document;

/* One error or warning. `message` is the whole line: "FILE:LINE:COL: ITEM:
 * message" for the loader's and compiler's errors and warnings, Falco's
 * words ("Rule X: warning (no-evttype): ...") for the compiler's warnings.
 * The other members are its parts (engine_diag.h): the file, position and
 * item it names (positions of a compiler warning are its rule's), Falco's
 * warning code, and the words alone. */
typedef struct engine_diag {
	bool error;
	char *message;      /* owned by the engine_diags, as every string here */
	char *file;         /* "" when it names none */
	unsigned line, column; /* 0 when unknown */
	char *item;         /* "rule 'X'", "macro 'm'", "list 'l'", ... or "" */
	char *code;         /* warnings: "no-evttype", "unknown-field", ...; "" when none */
	char *text;         /* the message without file, position and item */
} engine_diag;

typedef struct engine_diags {
	engine_diag *items; /* owned; free with engine_diags_free */
	size_t n;
	size_t nerrors;
} engine_diags;

/* Frees d's items (d itself is the caller's); safe on a zeroed d. */
void engine_diags_free(engine_diags *d);

/* Enables or disables rules after the documents' `enabled:` (see
 * engine_change_set). Exactly one of rule and tag is set; borrowed. */
typedef struct engine_toggle {
	const char *rule; /* exact name */
	const char *tag;
	bool enabled;
} engine_toggle;

/* A whole set: documents, then toggles applied in order over its rules (a
 * later toggle wins for the rules both match; -D/-T/-t still apply on
 * top). A toggle that matches no rule is a warning, code
 * "toggle-no-match". Borrowed. */
typedef struct engine_set {
	const engine_document *docs;
	size_t ndocs;
	const engine_toggle *toggles;
	size_t ntoggles;
} engine_set;

/* engine_validate (apply false) or engine_apply (apply true) of a whole
 * set, toggles included. Same results as those. */
int engine_change_set(engine *e, const engine_set *set, bool apply, uint64_t *generation, engine_diags *diags);

/* Loads and compiles docs[0..ndocs) in order (each as engine_create loads
 * a rules file, with the engine's options) and changes nothing. Returns 0
 * when the set would apply, -1 otherwise; either way *diags (zeroed by the
 * callee) receives every error and every warning: the loader goes on past
 * an item's error and past a failing document (a YAML syntax error stops
 * its document only), the compiler past a macro's or rule's (those that
 * fail only because they use a failed macro are not reported again), up
 * to engine.limits.errors errors; a set whose documents do not all load is
 * not compiled. */
int engine_validate(engine *e, const engine_document *docs, size_t ndocs, engine_diags *diags);

/* As engine_validate, then swaps the set in between two events: it
 * replaces all the rules (those of engine_create's files too). On success
 * returns 0 and the new generation in *generation (optional); each rule
 * whose name and condition (with exceptions) are unchanged keeps its match
 * counter. On failure returns -1 and nothing changed (same generation, same
 * rules, same counters). */
int engine_apply(engine *e, const engine_document *docs, size_t ndocs, uint64_t *generation,
		 engine_diags *diags);

/* Enables (enable) or disables the running rules named in names[0..nnames)
 * (exact names) or having one of tags[0..ntags); the others keep their
 * state. A new generation, swapped in as engine_apply does (the running
 * documents are compiled again); counters are kept. -D/-T/-t still apply
 * on top. The next engine_apply starts again from its documents' `enabled`.
 * Returns 0 and *generation (optional), or -1 with diags (an unknown rule
 * name) and nothing changed. All arrays borrowed. */
int engine_set_enabled(engine *e, const char *const *names, size_t nnames, const char *const *tags, size_t ntags,
		       bool enable, uint64_t *generation, engine_diags *diags);

/* The generation of the running ruleset: 1 after engine_create, +1 per
 * successful engine_apply. On the engine thread (in a sink) it is the
 * generation that evaluated the event being reported. */
uint64_t engine_generation(const engine *e);

/* One rule of the running ruleset, as engine_list_rules copies it. */
typedef struct engine_rule_info {
	char *name, *desc, *source, *priority, *file; /* owned; priority as written in the rules */
	char **tags;                           /* owned, ntags entries */
	size_t ntags;
	unsigned line;                         /* origin: file:line of the rule item */
	bool enabled;                          /* takes part in evaluation */
	uint64_t matches;
} engine_rule_info;

/* Copies the running ruleset's rules in declaration order into *out
 * (*n entries; free with engine_rule_infos_free) and its generation into
 * *generation (optional). Thread-safe. 0, or -1 when out of memory. */
int engine_list_rules(engine *e, engine_rule_info **out, size_t *n, uint64_t *generation);
void engine_rule_infos_free(engine_rule_info *r, size_t n);

/* Copies the match counts of the running ruleset's n rules into out[0..n)
 * when its generation is still `generation` and it has n rules: returns 0;
 * else -1 (the set changed: list again). Thread-safe, no allocation. */
int engine_rule_matches_copy(engine *e, uint64_t generation, uint64_t *out, size_t n);

/* ---- Changing settings while running ----------------------------------
 *
 * The settings falco.yaml's hot keys give (json_output,
 * json_include_output_property, json_include_tags_property, outputs.rate,
 * outputs.max_burst) change between two events, on the engine thread as a
 * ruleset swap does: each alert is formatted and rate-limited wholly with
 * the old values or wholly with the new. `priority` and the loader limits
 * filter what a load keeps, so they are stored for the next load: the
 * caller reloads the rules (rules_ctl_reload) for them to take effect. */
typedef struct engine_settings {
	bool json_output, json_include_output, json_include_tags;
	double rate, max_burst; /* outputs.rate, outputs.max_burst */
	int min_priority;       /* `priority`, for the next load */
	rules_limits limits;    /* engine.limits.*, for the next load; 0 fields take defaults */
} engine_settings;

/* Applies *s (copied) and returns once it is in effect: 0, or -1 when
 * called from the engine thread. Thread-safe, serialised with the rules
 * changes. */
int engine_set_settings(engine *e, const engine_settings *s);
/* The settings in effect. */
void engine_get_settings(engine *e, engine_settings *out);
/* How many engine_set_settings took effect (benchmarks: the moment a set
 * reaches the engine thread). */
uint64_t engine_settings_applied(const engine *e);

#endif
