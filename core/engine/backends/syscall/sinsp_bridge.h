/*
 * sinsp_bridge.h - the C face of libsinsp/libscap (falcosecurity libs, March 2022).
 *
 * This is the only place where the C engine meets libsinsp. The matching
 * implementation, sinsp_bridge.cpp, is the only C++ file in the project; it
 * catches every C++ exception at this boundary and turns it into a status code
 * plus a message (see sinsp_bridge_error).
 *
 * The bridge reproduces what Falco 0.31.1 does with the same libraries:
 *   - filter leaves are bound the way Falco 0.31's rule compiler bound them
 *     (factory new_filtercheck(field) -> parse_field_name(field, true, true)
 *     -> m_cmpop -> add_filter_value(value, len, i));
 *   - outputs are rendered by sinsp_evt_formatter, text with OF_NORMAL and
 *     output_fields JSON with OF_JSON, as Falco's formats.cpp does;
 *   - event types of an evt.type name are computed as libsinsp's
 *     sinsp_filter_check_event::evttypes() does for Falco's rule index.
 *
 * Ownership, in one line per object:
 *   inspector  create/destroy by the caller; owns the libsinsp `sinsp`.
 *   event      borrowed from the inspector; valid until the next call to
 *              sinsp_bridge_next() or sinsp_bridge_close() on it. Never freed.
 *   check      create/free by the caller; bound to one inspector, which must
 *              outlive it (free checks and formatters before the inspector).
 *   formatter  same as a check.
 *   strings    every `char *` returned through an out-parameter is malloc'd
 *              and freed by the caller with free(), unless stated otherwise.
 *              Every `const char *` returned is owned by the bridge.
 *
 * Threads: an inspector, and the checks and formatters bound to it, must be
 * used by one thread at a time (libsinsp keeps per-check extraction state).
 * The static helpers (event types, field listing, time formatting, hostname)
 * are thread-safe (the time helpers are re-entrant re-implementations of
 * libsinsp's, which use gmtime()/localtime() static buffers).
 *
 * Errors: every function that can fail takes a `sinsp_bridge_error *err`,
 * which may be NULL. On failure it receives a NUL-terminated English message
 * suitable for a log line; on success it is left untouched.
 *
 * Quirks of this libsinsp/libscap (Debian 0.1.1dev+git20220316.e5c53d64):
 *   - Building needs libtbb-dev, libcurl4-openssl-dev, libb64-dev and
 *     libjq-dev: sinsp.h includes their headers, and the Debian -dev package
 *     does not depend on them.
 *   - libscap leaks one 16-byte scap_reader_t per capture-file open
 *     (scap_reader_open_gzfile() in scap_open(); scap_close() never frees it).
 *     Sanitizer builds suppress it with the LSan rule "leak:scap_open".
 *   - sinsp::open("") opens a LIVE capture; sinsp_bridge_open_file() refuses
 *     an empty name instead.
 *   - Operators that do not fit a field's type (proc.pid contains 1) are only
 *     detected by libsinsp when an event is evaluated (it throws); the bridge
 *     rejects them at compile time instead.
 *   - bcontains/bstartswith do not exist in this libsinsp (Falco 0.32+); the
 *     bridge implements them.
 *   - %evt.time prints local time with the zone offset of the current moment.
 */
#ifndef FAPI_ENGINE_SINSP_BRIDGE_H
#define FAPI_ENGINE_SINSP_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Status codes and errors                                                   */
/* ------------------------------------------------------------------------ */

/** Status returned by the bridge functions. Negative values are errors. */
typedef enum sinsp_bridge_status {
	/** Success; for sinsp_bridge_next(): an event was returned. */
	SINSP_BRIDGE_OK = 0,
	/** sinsp_bridge_next(): no event available yet (live capture); call again. */
	SINSP_BRIDGE_TIMEOUT = 1,
	/** sinsp_bridge_next(): the capture file has no more events. */
	SINSP_BRIDGE_EOF = 2,
	/** Any other failure (libsinsp error, bad field argument, ...). */
	SINSP_BRIDGE_ERROR = -1,
	/** A NULL or out-of-range argument, or a call in the wrong state
	 * (e.g. next() on an inspector that is not open). */
	SINSP_BRIDGE_EINVAL = -2,
	/** The field name is not known to libsinsp (neither a check nor a
	 * format token). The engine uses this to honour skip-if-unknown-filter. */
	SINSP_BRIDGE_EUNKNOWN_FIELD = -3,
	/** The operator is not a known operator, or libsinsp cannot apply it to
	 * the field's type (e.g. "contains" on the numeric proc.pid). */
	SINSP_BRIDGE_EBAD_OPERATOR = -4,
	/** A value cannot be used with the field/operator: not parsable for the
	 * field's type (proc.pid = abc), unknown event type (evt.type = foo),
	 * wrong number of values, bad hex for bcontains/bstartswith. */
	SINSP_BRIDGE_EBAD_VALUE = -5,
	/** A capture file cannot be read: missing, unreadable, or not a capture. */
	SINSP_BRIDGE_ECAPTURE = -6,
	/** Live capture is unavailable: the kernel module is not loaded, its
	 * device is absent, or the eBPF probe file is absent or cannot load.
	 * The message names what is missing. */
	SINSP_BRIDGE_EUNAVAILABLE = -7,
} sinsp_bridge_status;

/** Size of the message buffer in sinsp_bridge_error. */
#define SINSP_BRIDGE_ERRLEN 512

/** A caller-owned error message buffer (put it on the stack). */
typedef struct sinsp_bridge_error {
	/** NUL-terminated message; truncated to SINSP_BRIDGE_ERRLEN - 1 bytes. */
	char msg[SINSP_BRIDGE_ERRLEN];
} sinsp_bridge_error;

/** Returns a static, human-readable name for a status code ("ok",
 * "unknown field", ...). Never NULL. */
const char *sinsp_bridge_status_str(int status);

/* ------------------------------------------------------------------------ */
/* Opaque handles                                                            */
/* ------------------------------------------------------------------------ */

/** One libsinsp inspector (a `sinsp` plus bridge state). */
typedef struct sinsp_bridge_inspector sinsp_bridge_inspector;
/** An event returned by sinsp_bridge_next(); really a `sinsp_evt *`. */
typedef struct sinsp_bridge_evt sinsp_bridge_evt;
/** One compiled filter leaf (a libsinsp filtercheck). */
typedef struct sinsp_bridge_check sinsp_bridge_check;
/** One compiled output format (a libsinsp sinsp_evt_formatter). */
typedef struct sinsp_bridge_formatter sinsp_bridge_formatter;

/* ------------------------------------------------------------------------ */
/* Inspector lifecycle and event reading                                     */
/* ------------------------------------------------------------------------ */

/** Flag for sinsp_bridge_inspector_create(): return every event, like
 * Falco's -A. Without it the inspector behaves like Falco without -A: the
 * driver runs in simple-consumer mode (live), and events whose type carries
 * EF_DROP_SIMPLE_CONS (see sinsp_bridge_evttype_dropped_by_default()) are
 * dropped by libsinsp before its state parsing and are never returned by
 * sinsp_bridge_next() (they are counted in events_skipped). */
#define SINSP_BRIDGE_ALL_EVENTS 0x1u

/**
 * Creates an inspector, not yet open.
 * flags: 0 or SINSP_BRIDGE_ALL_EVENTS.
 * Returns the inspector (destroy with sinsp_bridge_inspector_destroy()), or
 * NULL with err filled if libsinsp failed to initialise.
 */
sinsp_bridge_inspector *sinsp_bridge_inspector_create(unsigned flags, sinsp_bridge_error *err);

/**
 * Destroys an inspector, closing it first if open. Free every check and
 * formatter bound to it before. NULL is accepted and ignored.
 */
void sinsp_bridge_inspector_destroy(sinsp_bridge_inspector *insp);

/**
 * Opens a capture file for replay: a plain or gzip-compressed .scap.
 * Returns SINSP_BRIDGE_OK; SINSP_BRIDGE_ECAPTURE when the file is missing,
 * unreadable, empty of a valid header or not a capture (the message names the
 * file and the reason); SINSP_BRIDGE_EINVAL when path is NULL/empty or the
 * inspector is already open.
 */
int sinsp_bridge_open_file(sinsp_bridge_inspector *insp, const char *path, sinsp_bridge_error *err);

/**
 * Opens a live capture.
 * bpf_probe: NULL or "" for the kernel module; otherwise the path of the eBPF
 *   probe object to load (the caller resolves Falco's FALCO_BPF_PROBE /
 *   ~/.falco/falco-bpf.o convention; the bridge does not guess). Beware that
 *   libscap itself switches a kernel-module open to eBPF when ITS variable
 *   (Debian: BPF_PROBE; "" meaning $HOME/.scap/scap-bpf.o) is set in the
 *   environment; the bridge then checks and names that probe.
 *   libsinsp cannot switch an inspector back from eBPF to the kernel module:
 *   after an eBPF attempt, a kernel-module open returns SINSP_BRIDGE_EINVAL
 *   (create a new inspector).
 * timeout_ms: how long sinsp_bridge_next() may wait for an event before
 *   returning SINSP_BRIDGE_TIMEOUT (0 = libscap's default).
 * Returns SINSP_BRIDGE_OK; SINSP_BRIDGE_EUNAVAILABLE when the driver is not
 * there, with a message naming what is missing (module not loaded, device
 * /dev/<name>0 absent, probe file absent, or libscap's own reason);
 * SINSP_BRIDGE_EINVAL when already open.
 * The kernel module and device names are those this libscap was built with
 * (Debian: module "scap", device /dev/scap0; Falco's own builds use "falco").
 */
int sinsp_bridge_open_live(sinsp_bridge_inspector *insp, const char *bpf_probe, uint32_t timeout_ms,
			   sinsp_bridge_error *err);

/**
 * Reads the next event.
 * On SINSP_BRIDGE_OK *evt is set to the event, borrowed (see top of file).
 * On SINSP_BRIDGE_TIMEOUT / SINSP_BRIDGE_EOF *evt is NULL.
 * On SINSP_BRIDGE_ERROR *evt is NULL and err holds libsinsp's message;
 * SINSP_BRIDGE_EINVAL if the inspector is not open.
 * Cost: one libsinsp next() (plus a flag test per skipped event).
 */
int sinsp_bridge_next(sinsp_bridge_inspector *insp, sinsp_bridge_evt **evt, sinsp_bridge_error *err);

/**
 * Closes the capture; the inspector can be opened again. Events obtained from
 * it become invalid. Safe on a closed inspector or NULL.
 */
void sinsp_bridge_close(sinsp_bridge_inspector *insp);

/** Returns true when the inspector has an open capture (file or live). */
bool sinsp_bridge_is_open(const sinsp_bridge_inspector *insp);

/** Returns true when the open capture is live (module or eBPF), false for a
 * file or when closed. */
bool sinsp_bridge_is_live(const sinsp_bridge_inspector *insp);

/** Counters of an inspector, filled by sinsp_bridge_get_stats(). */
typedef struct sinsp_bridge_stats {
	/** Events returned by sinsp_bridge_next() since the last open. */
	uint64_t events_returned;
	/** Events read but not returned (simple-consumer types, without
	 * SINSP_BRIDGE_ALL_EVENTS) since the last open. */
	uint64_t events_skipped;
	/** libsinsp's event counter (sinsp::get_num_events()). */
	uint64_t sinsp_events;
	/** Live only (0 for files): events seen by the driver (scap n_evts). */
	uint64_t driver_events;
	/** Live only: events dropped, all causes (scap n_drops). */
	uint64_t drops;
	/** Live only: dropped because the ring buffer was full. */
	uint64_t drops_buffer;
	/** Live only: dropped on invalid memory access (page faults). */
	uint64_t drops_pf;
	/** Live only: dropped on an invalid condition in the instrumentation. */
	uint64_t drops_bug;
	/** Live only: dropped because the eBPF scratch map was full. */
	uint64_t drops_scratch_map;
	/** Live only: preemptions. */
	uint64_t preemptions;
} sinsp_bridge_stats;

/** Fills *out. Returns SINSP_BRIDGE_OK, or SINSP_BRIDGE_EINVAL on NULL. */
int sinsp_bridge_get_stats(sinsp_bridge_inspector *insp, sinsp_bridge_stats *out);

/* Event accessors: no allocation, no failure; evt must be a valid event. */

/** The event's ppm event code (PPME_*, 0 .. sinsp_bridge_evttype_max()-1). */
uint16_t sinsp_bridge_evt_type(const sinsp_bridge_evt *evt);

/** Direction of an event. */
typedef enum sinsp_bridge_dir {
	SINSP_BRIDGE_DIR_ENTER = 0, /**< enter event (even ppm code), evt.dir ">" */
	SINSP_BRIDGE_DIR_EXIT = 1,  /**< exit event (odd ppm code), evt.dir "<" */
} sinsp_bridge_dir;

/** The event's direction. */
sinsp_bridge_dir sinsp_bridge_evt_direction(const sinsp_bridge_evt *evt);

/** The event's timestamp, nanoseconds since the epoch (evt.rawtime). */
uint64_t sinsp_bridge_evt_ts(const sinsp_bridge_evt *evt);

/** The event's number (evt.num): 1 for the first event read after open. */
uint64_t sinsp_bridge_evt_num(const sinsp_bridge_evt *evt);

/** Result of sinsp_bridge_measure_read_rate(). */
typedef struct sinsp_bridge_read_rate {
	uint64_t events;        /**< events returned by next() */
	double seconds;         /**< wall time (CLOCK_MONOTONIC) spent in next() */
	double events_per_sec;  /**< events / seconds (0 if seconds is 0) */
} sinsp_bridge_read_rate;

/**
 * Measures libsinsp's raw read rate on a capture file: opens it in a fresh
 * inspector created with `flags`, calls next() until EOF (or max_events
 * returned events when max_events > 0) and does nothing else. This is the
 * baseline the engine's replay rate is compared with.
 * Returns SINSP_BRIDGE_OK and fills *out, or an error from open/next.
 */
int sinsp_bridge_measure_read_rate(const char *path, unsigned flags, uint64_t max_events,
				   sinsp_bridge_read_rate *out, sinsp_bridge_error *err);

/* ------------------------------------------------------------------------ */
/* Event types (for the rule index)                                          */
/* ------------------------------------------------------------------------ */

/** PPM_EVENT_MAX: the number of ppm event codes; every code is below it. */
uint16_t sinsp_bridge_evttype_max(void);

/** The evt.type name of a code ("open" for both PPME_SYSCALL_OPEN_E and _X),
 * a static string; NULL when code >= sinsp_bridge_evttype_max(). */
const char *sinsp_bridge_evttype_name(uint16_t code);

/**
 * The ppm event codes that evt.type = name selects, as Falco 0.31 indexes a
 * rule (libsinsp sinsp_filter_check_event::evttypes()): every code from 2 to
 * PPM_EVENT_MAX-1 whose table name equals `name`, except old event versions
 * and unused slots; enter and exit both, in ascending order. Each variant is
 * its own name ("open", "openat", "openat2" are distinct).
 * Writes up to `cap` codes to `codes` (which may be NULL when cap is 0) and
 * returns how many codes exist (like snprintf: a result > cap means the array
 * was too small). Returns 0 for a name that has no event (unknown names, and
 * syscall names that libsinsp only knows as generic events).
 */
size_t sinsp_bridge_evttypes_for_name(const char *name, uint16_t *codes, size_t cap);

/** True when libsinsp accepts `name` as an evt.type value (an event name or a
 * syscall name), i.e. `evt.type = name` compiles. */
bool sinsp_bridge_evttype_name_is_valid(const char *name);

/** True when `code` belongs to the set a rule without an evt.type constraint
 * is indexed with in Falco 0.31: 2 <= code < PPM_EVENT_MAX, not an old event
 * version, not unused. (Codes 0 and 1, the generic events, are not in it.) */
bool sinsp_bridge_evttype_is_indexable(uint16_t code);

/** True when events of this code are dropped unless SINSP_BRIDGE_ALL_EVENTS
 * (Falco -A) is given: the type has the EF_DROP_SIMPLE_CONS flag. Falco warns
 * about rules that use such types. */
bool sinsp_bridge_evttype_dropped_by_default(uint16_t code);

/* ------------------------------------------------------------------------ */
/* Filter checks (leaves of the engine's condition AST)                      */
/* ------------------------------------------------------------------------ */

/**
 * Compiles one comparison leaf.
 * field:   field name, e.g. "proc.name", "evt.arg.fd", "proc.aname".
 * arg:     NULL, or the raw text between brackets, e.g. "2" for proc.aname[2]
 *          (the bridge appends "[arg]" to the field name, as Falco's parser
 *          saw it).
 * op:      a spelling from the operator table (engine/lang/condition_op.h),
 *          which also decides which field types it applies to.
 *          bcontains/bstartswith take hex-encoded bytes ("6f70656e") and
 *          apply to string and byte-buffer fields; this libsinsp predates
 *          them, so the bridge evaluates them itself with memmem/memcmp.
 * values/nvalues: the right-hand side, as strings, unquoted: none for
 *          "exists", any number (0 included) for "in", "intersects",
 *          "pmatch", exactly one for the others.
 * *out:    receives the check (free with sinsp_bridge_check_free()).
 * Returns SINSP_BRIDGE_OK;
 *   SINSP_BRIDGE_EUNKNOWN_FIELD when libsinsp has no such field;
 *   SINSP_BRIDGE_EBAD_OPERATOR when op is unknown or libsinsp would throw
 *     applying it to the field's type (checked here, at compile time, because
 *     this libsinsp only notices at evaluation);
 *   SINSP_BRIDGE_EBAD_VALUE for a value that cannot be parsed or a wrong count;
 *   SINSP_BRIDGE_ERROR for other failures, e.g. a malformed field argument;
 *   SINSP_BRIDGE_EINVAL for NULL arguments.
 */
int sinsp_bridge_check_compile(sinsp_bridge_inspector *insp, const char *field, const char *arg, const char *op,
			       const char *const *values, size_t nvalues, sinsp_bridge_check **out,
			       sinsp_bridge_error *err);

/**
 * Evaluates a check on an event: true when the comparison holds. A field that
 * cannot be extracted from the event makes every operator false (including
 * "!=", as in Falco). No allocation, no string building beyond what the
 * libsinsp extractor itself does. If libsinsp throws (it should not after the
 * compile-time checks) the result is false and the error is counted, see
 * sinsp_bridge_check_eval_errors().
 */
bool sinsp_bridge_check_eval(sinsp_bridge_check *chk, sinsp_bridge_evt *evt);

/**
 * The same check answered by libsinsp's own compare(), bypassing the
 * bridge's shortcuts (evt.type tables, flags text without formatting). For
 * tests that prove the shortcuts give libsinsp's answers; bcontains and
 * bstartswith, which libsinsp lacks, have no reference and return
 * sinsp_bridge_check_eval's answer.
 */
bool sinsp_bridge_check_eval_reference(sinsp_bridge_check *chk, sinsp_bridge_evt *evt);

/**
 * The event codes libsinsp associates with this leaf (its evttypes()), to
 * build a rule's event-type set like Falco 0.31: for evt.type with =, != or
 * in, the codes selected (!= gives the complement); for every other leaf,
 * all indexable codes. Same writing convention as
 * sinsp_bridge_evttypes_for_name(): returns the total count.
 */
size_t sinsp_bridge_check_evttypes(sinsp_bridge_check *chk, uint16_t *codes, size_t cap);

/** Number of evaluations that threw inside libsinsp. If > 0 and err is not
 * NULL, err receives the last exception's message. */
uint64_t sinsp_bridge_check_eval_errors(const sinsp_bridge_check *chk, sinsp_bridge_error *err);

/** Frees a check. NULL is accepted. */
void sinsp_bridge_check_free(sinsp_bridge_check *chk);

/* ------------------------------------------------------------------------ */
/* Output formatting                                                         */
/* ------------------------------------------------------------------------ */

/**
 * Compiles an output format, e.g. "An open was seen (command=%proc.cmdline)".
 * The syntax is libsinsp's: %field, %field[arg], %Nfield (pad to N), a
 * leading '*' prints <NA> for missing values instead of failing the format.
 * To print like Falco 0.31 a rule's alert line, pass
 *   "*%evt.time: <Priority> <output>"            (time_format_iso_8601 false)
 *   "*%evt.time.iso8601: <Priority> <output>"    (time_format_iso_8601 true)
 * with <output>'s own leading '*' removed, exactly as falco_outputs.cpp does;
 * then the JSON of output_fields includes "evt.time", as Falco's does.
 * Returns SINSP_BRIDGE_OK and *out (free with sinsp_bridge_formatter_free());
 * SINSP_BRIDGE_EUNKNOWN_FIELD for an unknown %token (message names it);
 * SINSP_BRIDGE_ERROR for other syntax errors (empty format, trailing '%',
 * a filter-only field used for display); SINSP_BRIDGE_EINVAL for NULLs.
 */
int sinsp_bridge_formatter_create(sinsp_bridge_inspector *insp, const char *format, sinsp_bridge_formatter **out,
				  sinsp_bridge_error *err);

/** Frees a formatter. NULL is accepted. */
void sinsp_bridge_formatter_free(sinsp_bridge_formatter *fmt);

/**
 * Renders the format as text for an event (Falco's alert text / "output").
 * *out receives a malloc'd NUL-terminated string; the caller frees it.
 * *all_resolved (may be NULL) receives false when a value was missing; with a
 * format that does not start with '*' the text then stops at that token, as
 * libsinsp does (Falco ignores this flag; so may the engine).
 * Returns SINSP_BRIDGE_OK, SINSP_BRIDGE_ERROR (out of memory, libsinsp
 * exception) or SINSP_BRIDGE_EINVAL.
 */
int sinsp_bridge_format(sinsp_bridge_formatter *fmt, sinsp_bridge_evt *evt, char **out, bool *all_resolved,
			sinsp_bridge_error *err);

/**
 * Renders the JSON object Falco 0.31 puts under "output_fields" with
 * json_output: every %field of the format -> its value as libsinsp's tojson()
 * gives it (numbers as numbers, e.g. "evt.time":1470327477881781397; strings
 * as strings; missing values as null), keys sorted, written by jsoncpp's
 * FastWriter without the trailing newline, e.g.
 *   {"evt.time":1470327477881781397,"proc.cmdline":"cat /dev/null"}
 * *out receives a malloc'd string; the caller frees it.
 */
int sinsp_bridge_format_json(sinsp_bridge_formatter *fmt, sinsp_bridge_evt *evt, char **out,
			     sinsp_bridge_error *err);

/** One output field: a name and its value. */
typedef struct sinsp_bridge_field_value {
	const char *name;  /**< field token as written, e.g. "proc.aname[2]" */
	const char *value; /**< value, in the requested representation */
} sinsp_bridge_field_value;

/** Representation of values for sinsp_bridge_format_fields(). */
typedef enum sinsp_bridge_value_kind {
	/** JSON text of each value exactly as it appears in
	 * sinsp_bridge_format_json(): 1470327477881781397, "cat /dev/null", null. */
	SINSP_BRIDGE_VALUES_JSON = 0,
	/** Plain text of each value (libsinsp tostring(), "<NA>" when missing):
	 * the map<string,string> Falco 0.31 puts in its gRPC output_fields. */
	SINSP_BRIDGE_VALUES_TEXT = 1,
} sinsp_bridge_value_kind;

/**
 * Lists the format's fields and their values for an event, sorted by name
 * (literal text of the format is not a field). *out receives an array of *n
 * entries allocated as ONE block with its strings: free it with a single
 * free(*out). With no fields, *out is NULL and *n is 0.
 * Returns SINSP_BRIDGE_OK, SINSP_BRIDGE_ERROR or SINSP_BRIDGE_EINVAL.
 */
int sinsp_bridge_format_fields(sinsp_bridge_formatter *fmt, sinsp_bridge_evt *evt, sinsp_bridge_value_kind kind,
			       sinsp_bridge_field_value **out, size_t *n, sinsp_bridge_error *err);

/* ------------------------------------------------------------------------ */
/* Field listing (--list)                                                    */
/* ------------------------------------------------------------------------ */

/** A class of fields ("fd", "process", ...), as Falco 0.31 lists it. */
typedef struct sinsp_bridge_fieldclass {
	const char *name;      /**< class name, e.g. "process" */
	const char *desc;      /**< description */
	const char *shortdesc; /**< short description, may be "" */
	size_t nfields;        /**< number of fields listed in the class */
} sinsp_bridge_fieldclass;

/** Field flags for sinsp_bridge_field.flags. */
#define SINSP_BRIDGE_FIELD_FILTER_ONLY 0x1u /**< usable in conditions only ("FILTER ONLY") */
#define SINSP_BRIDGE_FIELD_TABLE_ONLY 0x2u  /**< hidden from name-only listings (EPF_TABLE_ONLY) */

/** One field of a class. */
typedef struct sinsp_bridge_field {
	const char *name; /**< e.g. "proc.name" */
	const char *type; /**< libsinsp type name, e.g. "CHARBUF", "INT64" */
	const char *desc; /**< description */
	unsigned flags;   /**< SINSP_BRIDGE_FIELD_* */
} sinsp_bridge_field;

/** Number of field classes of the syscall source (hidden classes excluded,
 * as Falco does). All strings below are owned by the bridge and live until
 * the process exits. */
size_t sinsp_bridge_fieldclass_count(void);

/** Describes class i. Returns SINSP_BRIDGE_OK or SINSP_BRIDGE_EINVAL. */
int sinsp_bridge_fieldclass_get(size_t i, sinsp_bridge_fieldclass *out);

/** Describes field j of class i (print-only fields excluded, as Falco does).
 * Returns SINSP_BRIDGE_OK or SINSP_BRIDGE_EINVAL. */
int sinsp_bridge_field_get(size_t i, size_t j, sinsp_bridge_field *out);

/**
 * Class i rendered exactly as Falco 0.31's --list prints it
 * (filter_fieldclass_info::as_string), given the event sources it applies to
 * (e.g. {"syscall"}; may be NULL/0). Returns a malloc'd string the caller
 * frees, or NULL if i is out of range or on allocation failure.
 */
char *sinsp_bridge_fieldclass_as_string(size_t i, bool verbose, const char *const *sources, size_t nsources);

/* ------------------------------------------------------------------------ */
/* The syscall field backend                                                 */
/* ------------------------------------------------------------------------ */

struct backend;
struct backend_opts;

/**
 * The backend_factory_fn of the "syscall" source (engine/backends/backend.h):
 * creates an inspector (o->all_events: SINSP_BRIDGE_ALL_EVENTS) owned by the
 * backend and fills *out with the bridge's checks, formatters, capture and
 * live readers. Its events are backend_events whose payload is the
 * sinsp_bridge_evt and whose type is the ppm code. Leaves answered by the
 * event code (check_code_values): evt.type =/!=/in (codes >= 2), evt.dir
 * = / != < or >, evt.is_open_read/write/exec = / != true/false.
 * Returns BACKEND_OK or BACKEND_ERROR with err filled.
 */
int sinsp_bridge_backend_create(const struct backend_opts *o, struct backend *out, char *err, size_t errlen);

/* ------------------------------------------------------------------------ */
/* Inspector settings from Falco's command line (-b, --cri, -S)              */
/* ------------------------------------------------------------------------ */

/** What Falco 0.31 sets on its inspector from the command line. */
typedef struct sinsp_bridge_settings {
	/** -b: render data buffers (evt.arg.data, evt.buffer, evt.args) in
	 * base64 instead of printable text. */
	bool base64_buffers;
	/** --cri: CRI sockets tried in order for container metadata; NULL/0 for
	 * libsinsp's defaults. Empty strings are skipped. Borrowed for the call. */
	const char *const *cri_sockets;
	size_t ncri_sockets;
	/** --disable-cri-async: fetch CRI metadata before the event moves on. */
	bool disable_cri_async;
	/** -S: bytes of each I/O buffer the driver captures; 0 = libscap's
	 * default (80). A live capture applies it in the driver, as Falco does;
	 * on a capture file (where Falco ignores it) the bridge cuts each event's
	 * I/O buffer parameter ("data" of read, write, send, recv, ...) to that
	 * many bytes before anything reads it, which is what a live capture with
	 * this snaplen would have recorded. */
	uint32_t snaplen;
} sinsp_bridge_settings;

/**
 * Applies the settings, as Falco does before opening the inspector.
 * Returns SINSP_BRIDGE_OK; SINSP_BRIDGE_EINVAL when insp or st is NULL or the
 * inspector is already open; another status with libsinsp's message.
 */
int sinsp_bridge_inspector_configure(sinsp_bridge_inspector *insp, const sinsp_bridge_settings *st,
				     sinsp_bridge_error *err);

/**
 * The names of the events and system calls that are not returned without
 * SINSP_BRIDGE_ALL_EVENTS (Falco's -i list): sorted, unique, separated by
 * one space. Returns a malloc'd string the caller frees, or NULL when out of
 * memory.
 */
char *sinsp_bridge_ignored_event_names(void);

#ifdef __cplusplus
}
#endif

#endif /* FAPI_ENGINE_SINSP_BRIDGE_H */
