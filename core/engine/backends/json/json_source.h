#ifndef FAPI_ENGINE_JSON_SOURCE_H
#define FAPI_ENGINE_JSON_SOURCE_H

/*
 * Declared JSON sources: event sources that exist only in configuration (the
 * inputs module's `sources:`), with no code of their own. Each is a source
 * name, an optional JSON pointer to the event time and a list of fields
 * (a name, a JSON pointer, a type, a description). The source is a JSON
 * backend like k8s_audit (k8s_audit_backend.h): its fields are the `jevt`
 * class plus the declared ones, which read their pointer as ka's pointer
 * fields do (an array yields one value per item; an optional [N] selects
 * one), with the same operators and output formats.
 *
 * An event of a declared source is one JSON object. Its time is the value
 * at time_pointer: an ISO 8601 UTC string ("2026-12-02T13:35:23.5Z") or an
 * integer of nanoseconds since the epoch; without time_pointer, the time
 * the event was parsed (arrival).
 *
 * Memory: a definition borrows its strings; the backend copies what it keeps.
 */

#include <stddef.h>

/* One declared field. */
typedef struct json_source_field {
	const char *name; /* "myapp.user": the source's name, a '.', then [a-z0-9_.] */
	const char *ptr;  /* RFC 6901 pointer into the event ("/user/name") */
	/* "string", "uint64", "int64" or "bool": what --list shows (CHARBUF,
	 * UINT64, INT64, BOOL), and what a rule's values for the field must
	 * be (checked when the rule compiles); event values compare as JSON
	 * values, as ka's do. */
	const char *type;
	const char *desc; /* shown by --list; may be "" */
} json_source_field;

/* One declared source. */
typedef struct json_source_def {
	const char *name;         /* the source rules name in `source:`; [a-z0-9_], not a built-in source */
	const char *time_pointer; /* NULL: arrival time */
	const json_source_field *fields;
	size_t nfields;
} json_source_def;

/* Checks a definition: the names (syntax, a built-in source's name, a field
 * outside the source's namespace, a field declared twice), the pointers
 * (RFC 6901) and the types. 0, or -1 with a message naming the source and
 * the field in err. */
int json_source_check(const json_source_def *d, char *err, size_t errlen);

/* The --list type name of a declared type, or NULL when the type is unknown. */
const char *json_source_list_type(const char *type);

#endif
