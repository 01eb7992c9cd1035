#ifndef FAPI_ENGINE_BACKEND_H
#define FAPI_ENGINE_BACKEND_H

/*
 * backend.h - the field backend seam: what a source of events ("syscall",
 * "k8s_audit", ...) gives the engine so that rules of that source can be
 * compiled, indexed, evaluated and formatted.
 *
 * The condition language, the rule compiler, the ruleset, alert formatting
 * and the output path see only this interface and backend_event. A backend
 * is a struct of function pointers (struct backend) plus its own state
 * (`ctx`), filled by the backend's factory at its final address and kept by
 * the engine's registry (engine/backends/backend_registry.h).
 *
 * Conventions, for every member below:
 *   - "Required" members must be non-NULL; an "optional" member may be NULL
 *     and the documented default then applies.
 *   - Errors are values: a member that can fail returns enum backend_status
 *     (BACKEND_OK = 0, negative on failure) and writes a one-line English
 *     message, NUL-terminated and truncated, to (err, errlen) when errlen > 0;
 *     on success err is left untouched. err may be NULL only when errlen is 0.
 *   - Memory: every `char *` returned through an out-parameter is malloc'd
 *     and freed by the caller with free(); every `const char *` a backend
 *     returns or stores in a struct it fills is owned by the backend and
 *     lives as long as the backend (field names, types, descriptions).
 *     Checks and formats are created and freed through the backend that
 *     made them, and must be freed before the backend is destroyed.
 *   - Threads: a backend, its checks and formats are used by one thread at a
 *     time (checks may keep per-evaluation state); listing members are
 *     called before events flow and must be thread-safe.
 *   - Events are borrowed: a backend_event is valid until the next call that
 *     reads an event from the same source; nobody frees it.
 *
 * Versioning: `size` and `api_version` come first so the engine can refuse
 * a struct built against another layout. Fill a backend with BACKEND_INIT
 * and then set the members: new members are only ever appended, and one
 * zero-initialised by an older backend means "absent" (optional) or makes
 * registration fail (required).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lang/condition_op.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this interface. Bumped on any incompatible change. */
#define BACKEND_API_VERSION 1u

/** Upper bound of backend.evttype_count (the rule index's bitmap size,
 * EVTTYPE_SET_BITS). */
#define BACKEND_EVTTYPE_MAX 512u

/** Status codes. Zero is success, negative values are failures; the values
 * of -3..-5 equal SINSP_BRIDGE_EUNKNOWN_FIELD..EBAD_VALUE. */
typedef enum backend_status {
	BACKEND_OK = 0,
	/** next_event(): no event available yet (live source); call again. */
	BACKEND_TIMEOUT = 1,
	/** next_event(): the capture has no more events. */
	BACKEND_EOF = 2,
	/** Any other failure (out of memory, library error, malformed field
	 * argument, unreadable event); the message says which. */
	BACKEND_ERROR = -1,
	/** A NULL or out-of-range argument, or a call in the wrong state. */
	BACKEND_EINVAL = -2,
	/** The field is not a field of this source. The engine turns it into
	 * Falco's unknown-field warning when the rule has
	 * skip-if-unknown-filter: true, and into a load error otherwise. */
	BACKEND_EUNKNOWN_FIELD = -3,
	/** The operator does not apply to the field's type (contains on a
	 * number), or the field takes no operator of this kind. */
	BACKEND_EBAD_OPERATOR = -4,
	/** A value the field/operator cannot use: not parsable for the field's
	 * type, unknown event type name, wrong number of values, bad hex. */
	BACKEND_EBAD_VALUE = -5,
	/** A capture file cannot be read (missing, unreadable, not this
	 * source's format). */
	BACKEND_ECAPTURE = -6,
	/** live_open(): the live source is not available (driver not loaded,
	 * device or probe file absent); the message names what is missing. */
	BACKEND_EUNAVAILABLE = -7,
} backend_status;

/** A static name for a status ("ok", "unknown field", ...). Never NULL. */
const char *backend_status_str(int status);

struct backend;

/**
 * One event of a source, as the engine sees it: a small header the engine
 * reads on the hot path plus the backend's own payload. Built by the
 * backend's event reader (next_event) or by whoever feeds events of this
 * source; borrowed by the engine.
 */
typedef struct backend_event {
	/** The backend of the source the event belongs to. Required. */
	const struct backend *backend;
	/** Event time, nanoseconds since the epoch (Falco's evt.rawtime /
	 * jevt.rawtime: the k8s audit stageTimestamp). */
	uint64_t ts;
	/** Type code, below backend->evttype_count: the rule index is keyed
	 * on it. Syscall: the ppm event code. A source without event types
	 * uses 0. */
	uint16_t type;
	/** The backend's event (a sinsp_evt *, a parsed JSON document ...);
	 * only the backend looks at it. */
	void *payload;
} backend_event;

/** The driver's counters since the live feed opened (scap_stats). */
typedef struct backend_drops {
	uint64_t n_evts;              /**< events the driver saw */
	uint64_t n_drops;             /**< events dropped, every cause */
	uint64_t n_drops_buffer;      /**< dropped: the ring buffer was full */
	uint64_t n_drops_scratch_map; /**< dropped: the eBPF scratch map was full */
	uint64_t n_drops_pf;          /**< dropped: invalid memory access (page fault) */
	uint64_t n_drops_bug;         /**< dropped: an invalid condition in the instrumentation */
	uint64_t n_preemptions;       /**< preemptions */
} backend_drops;

/** A compiled condition leaf; opaque, owned by its creator. */
typedef struct backend_check backend_check;
/** A compiled output format; opaque, owned by its creator. */
typedef struct backend_format backend_format;

/** Field flags (backend_field.flags). */
#define BACKEND_FIELD_FILTER_ONLY 0x1u  /**< usable in conditions only, not in outputs */
#define BACKEND_FIELD_TABLE_ONLY 0x2u   /**< hidden from name-only listings */
#define BACKEND_FIELD_ARG_REQUIRED 0x4u /**< must be written field[arg] */
#define BACKEND_FIELD_ARG_ALLOWED 0x8u  /**< may be written field[arg] */

/** One field, for listing (--list) and documentation. */
typedef struct backend_field {
	const char *name; /**< "proc.name", "ka.user.name"; owned by the backend */
	const char *type; /**< type name as Falco lists it ("CHARBUF", "INT64") */
	const char *desc; /**< description */
	unsigned flags;   /**< BACKEND_FIELD_* */
} backend_field;

/** A class of fields ("process", "k8s_audit"), as Falco 0.31 groups them. */
typedef struct backend_fieldclass {
	const char *name;      /**< e.g. "process" */
	const char *desc;      /**< description */
	const char *shortdesc; /**< short description, may be "" */
	size_t nfields;        /**< number of fields in the class */
} backend_fieldclass;

/** A condition leaf to compile: `field[arg] op values`. Everything is
 * borrowed for the duration of the call. */
typedef struct backend_leaf {
	const char *field;         /**< "proc.name"; never NULL */
	const char *arg;           /**< text between [ and ], unescaped, or NULL */
	enum condition_op op;      /**< the operator (engine/lang/condition_op.h) */
	const char *const *values; /**< right-hand side, unquoted and expanded */
	size_t nvalues;            /**< 0 for exists; 1 for scalar operators; any for lists */
} backend_leaf;

/** What a check is for every event of one type code (check_code_values). */
typedef enum backend_code_value {
	BACKEND_CODE_FALSE = 0,  /**< false for every event of the code */
	BACKEND_CODE_TRUE = 1,   /**< true for every event of the code */
	BACKEND_CODE_VARIES = 2, /**< known only per event: check_eval decides */
} backend_code_value;

/** Returned by check_evttypes() when the check may match every type code. */
#define BACKEND_EVTTYPES_ALL ((size_t)-1)

/** One output field and its value (format_fields). */
typedef struct backend_field_value {
	const char *name;  /**< token as written in the format, e.g. "proc.aname[2]" */
	const char *value; /**< its value as text ("<NA>" when missing) */
} backend_field_value;

/**
 * A field backend. Fill with BACKEND_INIT, then set the members.
 */
typedef struct backend {
	/** Required: sizeof(struct backend) as the backend was compiled
	 * (BACKEND_INIT sets it). */
	uint32_t size;
	/** Required: BACKEND_API_VERSION (BACKEND_INIT sets it). */
	uint32_t api_version;

	/** Required: the source name rules use in `source:` ("syscall",
	 * "k8s_audit"). Static or owned by the backend. */
	const char *source;
	/** Optional: the backend's state, passed as the first argument of
	 * the members that take a ctx. Owned by the backend (see destroy). */
	void *ctx;
	/** Required: the field Falco puts first in an alert line for this
	 * source: "evt.time" (syscall), "jevt.time" (k8s_audit). The engine
	 * builds "*%<time_field>: <Priority> <output>", or with
	 * time_format_iso_8601 "*%<time_field>.iso8601: ...", as Falco 0.31's
	 * falco_outputs.cpp does. */
	const char *time_field;
	/** Required: number of type codes; every backend_event.type and every
	 * code a check reports is below it, and it is at most
	 * BACKEND_EVTTYPE_MAX. A source without
	 * event types says 1 (all its events have type 0). */
	uint32_t evttype_count;
	/** Optional: true when rules may be indexed under `code` (<
	 * evttype_count): BACKEND_EVTTYPES_ALL and "no evt.type constraint"
	 * mean every indexable code. Syscall: Falco 0.31's set (codes 2 and
	 * up, no old versions or unused slots; generic events 0 and 1 excluded).
	 * Default: every code below evttype_count. */
	bool (*evttype_indexable)(void *ctx, uint16_t code);

	/* ---- Fields --------------------------------------------------------- */

	/** Required: number of field classes listed for this source. */
	size_t (*fieldclass_count)(void *ctx);
	/** Required: describes class i (< fieldclass_count) into *out.
	 * Returns BACKEND_OK or BACKEND_EINVAL. */
	int (*fieldclass_get)(void *ctx, size_t i, backend_fieldclass *out);
	/** Required: describes field j of class i into *out.
	 * Returns BACKEND_OK or BACKEND_EINVAL. */
	int (*field_get)(void *ctx, size_t i, size_t j, backend_field *out);
	/** Optional: class i rendered exactly as Falco 0.31's --list prints it
	 * (filter_fieldclass_info::as_string), given the sources it applies to.
	 * Returns a malloc'd string (caller frees) or NULL on failure.
	 * Default: the engine renders it from fieldclass_get/field_get in the
	 * same layout. */
	char *(*fieldclass_as_string)(void *ctx, size_t i, bool verbose, const char *const *sources,
				      size_t nsources);

	/* ---- Conditions ----------------------------------------------------- */

	/** Required: compiles one leaf into *out (free with check_free).
	 * Returns BACKEND_OK; BACKEND_EUNKNOWN_FIELD, BACKEND_EBAD_OPERATOR or
	 * BACKEND_EBAD_VALUE as documented above, with a message that names
	 * the field, operator or value; BACKEND_ERROR otherwise (e.g. a
	 * malformed argument). Operator checks should use
	 * condition_op_allowed() so every source rejects the same misfits. */
	int (*check_compile)(void *ctx, const backend_leaf *leaf, backend_check **out, char *err, size_t errlen);
	/** Required: true when the event satisfies the check. evt->backend is
	 * this backend. A field the event does not have makes every operator
	 * false (also "!=", as in Falco) unless the backend documents
	 * otherwise (exists). Must not fail: an extraction error is false and
	 * may be counted by the backend. Called on the hot path: no
	 * allocation beyond what extraction itself needs. */
	bool (*check_eval)(backend_check *chk, const backend_event *evt);
	/** Optional: the type codes an event must have for the check to be
	 * true, as Falco 0.31 indexes rules (libsinsp's evttypes(): evt.type
	 * =, != and in select codes; every other leaf "all"). Writes up to cap
	 * codes, ascending, to codes (NULL when cap is 0) and returns how many
	 * there are (snprintf convention), or BACKEND_EVTTYPES_ALL for every
	 * indexable code. Default: BACKEND_EVTTYPES_ALL. */
	size_t (*check_evttypes)(backend_check *chk, uint16_t *codes, size_t cap);
	/** Optional: what the check is for each type code, when that is known
	 * without an event (evt.type = open is TRUE on the open codes and
	 * FALSE elsewhere; evt.dir = < is TRUE on exit codes). Writes
	 * vals[c] for every c < n (n = evttype_count) and returns true when at
	 * least one value is not BACKEND_CODE_VARIES. The engine then answers
	 * the leaf without calling check_eval on those codes and folds rules
	 * per code. Default: every code VARIES. */
	bool (*check_code_values)(backend_check *chk, backend_code_value *vals, size_t n);
	/** Optional: relative cost of evaluating the field (0 = free, e.g. the
	 * event header; larger = dearer), used to try cheap conjuncts first.
	 * Default: every field costs the same. */
	unsigned (*field_cost)(void *ctx, const char *field);
	/** Required: frees a check. NULL is accepted. */
	void (*check_free)(backend_check *chk);

	/* ---- Outputs -------------------------------------------------------- */

	/** Required: compiles an output format ("... %proc.cmdline ...",
	 * Falco's syntax: %field, %field[arg], %Nfield, a leading '*' printing
	 * <NA> for missing values) into *out (free with format_free). Returns
	 * BACKEND_OK; BACKEND_EUNKNOWN_FIELD for an unknown %token (message
	 * names it); BACKEND_ERROR for other syntax errors. */
	int (*format_compile)(void *ctx, const char *format, backend_format **out, char *err, size_t errlen);
	/** Required: renders the format as text for an event (Falco's alert
	 * text). *out receives a malloc'd string. Returns BACKEND_OK or
	 * BACKEND_ERROR. */
	int (*format_text)(backend_format *fmt, const backend_event *evt, char **out, char *err, size_t errlen);
	/** Required: renders the JSON object Falco 0.31 puts under
	 * "output_fields" with json_output, byte for byte as Falco writes it
	 * (jsoncpp FastWriter: keys sorted, no spaces, no newline). *out
	 * receives a malloc'd string. Returns BACKEND_OK or BACKEND_ERROR. */
	int (*format_json)(backend_format *fmt, const backend_event *evt, char **out, char *err, size_t errlen);
	/** Required: the format's fields and their text values for an event,
	 * sorted by name (Falco 0.31's gRPC output_fields map). *out receives
	 * an array of *n entries allocated as ONE block with its strings: the
	 * caller frees it with a single free(*out). No fields: *out NULL, *n 0.
	 * Returns BACKEND_OK or BACKEND_ERROR. */
	int (*format_fields)(backend_format *fmt, const backend_event *evt, backend_field_value **out, size_t *n,
			     char *err, size_t errlen);
	/** Required: frees a format. NULL is accepted. */
	void (*format_free)(backend_format *fmt);

	/* ---- Reading a capture (-e) ----------------------------------------- */

	/** Optional: true when the first bytes of a capture (head[0..n),
	 * already decompressed when the file is gzip) are this source's
	 * format. The engine offers a capture to each registered source in
	 * registration order and opens it with the first that says yes.
	 * Default: the source cannot replay captures. */
	bool (*capture_probe)(void *ctx, const unsigned char *head, size_t n);
	/** Optional (required with capture_probe): opens the capture for
	 * next_event. Returns BACKEND_OK, BACKEND_ECAPTURE (message names the
	 * file and the reason) or BACKEND_EINVAL (already open). */
	int (*capture_open)(void *ctx, const char *path, char *err, size_t errlen);
	/** Optional (required with capture_open): reads the next event into
	 * *evt (borrowed until the next call or capture_close). Returns
	 * BACKEND_OK, BACKEND_TIMEOUT (live, nothing yet), BACKEND_EOF, or
	 * BACKEND_ERROR with a message (in Falco's words for a malformed
	 * event, naming its line or offset). *evt is NULL unless BACKEND_OK. */
	int (*next_event)(void *ctx, backend_event **evt, char *err, size_t errlen);
	/** Optional (required with capture_open): closes the capture; safe
	 * when nothing is open. */
	void (*capture_close)(void *ctx);

	/* ---- Lifetime ------------------------------------------------------- */

	/** Optional: frees ctx and everything the backend owns. Called once,
	 * by whoever registered the backend, after every check and format
	 * was freed. */
	void (*destroy)(void *ctx);

	/* ---- Live events (appended in version 1; NULL: no live source) ------ */

	/** Optional: opens the source's live feed for next_event (syscall: the
	 * kernel module, or the eBPF probe whose path is `arg`; NULL or "" for
	 * the module). timeout_ms bounds how long next_event may wait before
	 * BACKEND_TIMEOUT (0: the backend's default). Returns BACKEND_OK,
	 * BACKEND_EUNAVAILABLE (message names what is missing) or
	 * BACKEND_EINVAL (already open). Close with capture_close. */
	int (*live_open)(void *ctx, const char *arg, uint32_t timeout_ms, char *err, size_t errlen);

	/* ---- Capture statistics (appended in version 1; NULL: none) ---------- */

	/** Optional: the counters of the open live feed, as Falco's -s file
	 * reports them (libscap's n_evts, n_drops, n_preemptions), into
	 * out[0..2] = events, drops, preemptions. Returns BACKEND_OK, or
	 * BACKEND_EINVAL when no live feed is open (a capture file has none). */
	int (*live_stats)(void *ctx, uint64_t out[3]);

	/* ---- Loss counters (appended in version 1; NULL: none) --------------- */

	/** Optional: every loss counter of the open live feed (libscap's
	 * scap_stats), for syscall_event_drops and the drops stream. Returns
	 * BACKEND_OK, or BACKEND_EINVAL when no live feed is open (a capture
	 * file has none: Falco's counters then stay 0). */
	int (*live_drops)(void *ctx, struct backend_drops *out);
} backend;

/** Initialiser: `backend b = BACKEND_INIT;` then set the members. */
#define BACKEND_INIT {.size = (uint32_t)sizeof(backend), .api_version = BACKEND_API_VERSION}

/** True when b is usable by this engine: size and version match and every
 * required member is set. On false, writes which member is missing. */
bool backend_is_valid(const backend *b, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* FAPI_ENGINE_BACKEND_H */
