#ifndef FAPI_ENGINE_RULES_YAML_H
#define FAPI_ENGINE_RULES_YAML_H

/* rules_yaml: the YAML layer of the rules loader.
 *
 * Reads one Falco rules file (from memory or disk) with libyaml into an
 * immutable tree of nodes that keep their file position, and checks the
 * top-level shape Falco requires: every YAML document of the stream is
 * empty or a sequence whose elements are all mappings ("items"). An empty
 * file (or one with only comments / empty documents) is valid and has no
 * items. Anchors and aliases are resolved; "<<" merge keys are honoured by
 * rules_yaml_map_get().
 *
 * Plain (unquoted) scalars are typed the way Falco's YAML binding (lyaml)
 * types them: "", ~, null, Null, NULL are null; true/false, yes/no, on/off
 * (lower, Capitalised or UPPER) are booleans; numerals are numbers. Quoted
 * and block scalars are always strings.
 *
 * Memory: a rules_yaml_file owns every node and string reachable from it
 * (one arena); they stay valid and unchanged until rules_yaml_free().
 * No global mutable state: distinct files may be used from distinct
 * threads. */

#include <stdbool.h>
#include <stddef.h>

#include "engine/rules/rules_limits.h"

/* Status codes shared by the rules loader (rules_yaml, rules_doc). */
typedef enum rules_status {
	RULES_OK = 0,
	RULES_ERR_IO = -1,       /* file could not be opened or read */
	RULES_ERR_YAML = -2,     /* not well-formed YAML (syntax) */
	RULES_ERR_SCHEMA = -3,   /* well-formed YAML of the wrong shape or type */
	RULES_ERR_SEMANTIC = -4, /* Falco item semantics (dangling append, missing property, ...) */
	RULES_ERR_VERSION = -5,  /* required_engine_version higher than the engine's */
	RULES_ERR_VALIDATE = -6, /* rejected by the caller's validation callback */
	RULES_ERR_NOMEM = -7,    /* out of memory */
	RULES_ERR_ARG = -8,      /* invalid argument (NULL pointer, ...) */
} rules_status;

/* Returns a static English name for a status code ("ok", "I/O error", ...). */
const char *rules_status_name(int status);

typedef enum rules_yaml_kind {
	RULES_YAML_SCALAR = 0,
	RULES_YAML_SEQUENCE = 1,
	RULES_YAML_MAPPING = 2,
} rules_yaml_kind;

typedef struct rules_yaml_node rules_yaml_node;

/* One YAML node. Read-only for users. */
struct rules_yaml_node {
	rules_yaml_kind kind;
	unsigned line;    /* 1-based line of the node's first character */
	unsigned col;     /* 1-based column of the node's first character */
	bool plain;       /* scalar written plain (unquoted, not a block scalar) */
	const char *text; /* scalar: the value, NUL-terminated (may embed NULs: see len) */
	size_t len;       /* scalar: length of text */
	size_t n;         /* sequence: number of items; mapping: number of key/value pairs */
	rules_yaml_node **kids; /* sequence: n items; mapping: 2*n nodes, key i at 2*i, value i at 2*i+1 */
};

typedef struct rules_yaml_file rules_yaml_file;

/* Parses `len` bytes at `buf` as a rules file called `name` (used in
 * messages only; may be any label, e.g. "grpc:my_rules"). On success
 * returns RULES_OK and sets *out to a new file the caller frees with
 * rules_yaml_free(). On failure returns RULES_ERR_YAML (syntax),
 * RULES_ERR_SCHEMA (not a sequence of mappings) or RULES_ERR_NOMEM, sets
 * *out to NULL and writes "NAME:LINE:COL: message" into err (truncated to
 * errlen; err may be NULL when errlen is 0). */
int rules_yaml_parse(const char *name, const char *buf, size_t len, rules_yaml_file **out, char *err,
		     size_t errlen);

/* rules_yaml_parse() within `limits` (NULL: the defaults; see
 * rules_limits.h): a file longer than file_bytes, nested deeper than
 * yaml_depth, or expanding through its aliases to more than yaml_nodes
 * nodes is refused with RULES_ERR_SCHEMA, naming the limit's key and the
 * line where the parse stopped. rules_yaml_parse() applies the defaults. */
int rules_yaml_parse_limited(const char *name, const char *buf, size_t len, const rules_limits *limits,
			     rules_yaml_file **out, char *err, size_t errlen);

/* Reads the file at `path` and parses it as rules_yaml_parse() does, with
 * the path as name. Returns RULES_ERR_IO (message names the path and the
 * system error) when the file cannot be read. */
int rules_yaml_parse_file(const char *path, rules_yaml_file **out, char *err, size_t errlen);

/* rules_yaml_parse_file() within `limits` (NULL: the defaults). */
int rules_yaml_parse_file_limited(const char *path, const rules_limits *limits, rules_yaml_file **out, char *err,
				  size_t errlen);

/* Reads the whole file at `path`. On success returns RULES_OK and sets
 * *data (malloc'd, NUL-terminated after *len bytes; the caller frees it)
 * and *len. Returns RULES_ERR_IO (message names the path and the system
 * error) or RULES_ERR_NOMEM otherwise, with *data NULL. */
int rules_yaml_read_file(const char *path, char **data, size_t *len, char *err, size_t errlen);

/* Frees the file and everything it owns. NULL is allowed. */
void rules_yaml_free(rules_yaml_file *f);

/* Returns the name given at parse time; owned by f. */
const char *rules_yaml_file_name(const rules_yaml_file *f);

/* Returns the number of items (top-level mappings over all documents). */
size_t rules_yaml_item_count(const rules_yaml_file *f);

/* Returns item i (a RULES_YAML_MAPPING node), or NULL when out of range. */
const rules_yaml_node *rules_yaml_item_at(const rules_yaml_file *f, size_t i);

/* Allocates `size` bytes (zeroed, suitably aligned) from the file's arena;
 * they live as long as f. Returns NULL when out of memory. Used by the
 * document layer for strings derived from this file's items. */
void *rules_yaml_alloc(rules_yaml_file *f, size_t size);

/* Copies len bytes of s into the arena and NUL-terminates them. Returns
 * NULL when out of memory. */
char *rules_yaml_strndup(rules_yaml_file *f, const char *s, size_t len);

/* Looks `key` up in a mapping node (keys compared as scalar text). When a
 * key occurs more than once, the last occurrence wins (as with Falco's
 * YAML binding). Keys not found directly are looked up in "<<" merge
 * values (a mapping or a sequence of mappings). Returns the value node, or
 * NULL when absent or when `map` is not a mapping. */
const rules_yaml_node *rules_yaml_map_get(const rules_yaml_node *map, const char *key);

/* True when n is NULL or a plain null scalar (absent and null are the
 * same thing for the loader, as in Falco). */
bool rules_yaml_is_null(const rules_yaml_node *n);

/* True when n is a plain boolean scalar; stores its value in *out. */
bool rules_yaml_bool(const rules_yaml_node *n, bool *out);

/* True when n is a plain numeric scalar (decimal, 0x hex, octal, float,
 * with optional sign and '_' separators); stores its value in *out. */
bool rules_yaml_number(const rules_yaml_node *n, double *out);

/* True when n is a scalar that is not null (its text is then the string
 * value; numbers and booleans keep their source text). */
bool rules_yaml_is_text(const rules_yaml_node *n);

/* Returns a static name of n's type as a rule author sees it: "null",
 * "boolean", "number", "string", "sequence" or "mapping". */
const char *rules_yaml_type_name(const rules_yaml_node *n);

#endif
