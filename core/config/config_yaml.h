#ifndef FAPI_CONFIG_YAML_H
#define FAPI_CONFIG_YAML_H

/* Reading YAML into configuration trees, and the document that owns them. */

#include <stddef.h>

#include "config/config_tree.h"

/* Bounds of the YAML reader, so that a small hostile falco.yaml (an alias
 * bomb, deep nesting) is an error naming file and line, not a hang or an
 * exhausted memory. They must be known before falco.yaml is read, so they
 * are compiled in and only `-o config.limits.KEY=N` changes them
 * (daemon_config_load reads those overrides first). A 0 field takes its
 * default. */
typedef struct config_limits {
	size_t file_bytes; /* bytes of one input (config.limits.file_bytes) */
	size_t depth;      /* nesting of sequences and mappings (config.limits.depth) */
	size_t nodes;      /* nodes of one input, each alias counting the nodes it copies (config.limits.nodes) */
} config_limits;

#define CONFIG_LIMITS_FILE_BYTES ((size_t)4 << 20)
#define CONFIG_LIMITS_DEPTH ((size_t)64)
#define CONFIG_LIMITS_NODES ((size_t)1000000)

/* Sets every field of *l to its default. */
void config_limits_init(config_limits *l);

/* Owns a configuration tree and the file names its nodes point to. */
typedef struct config_doc {
	config_node *root;    /* a map; owned */
	char **names;         /* interned origin names; owned */
	size_t nnames;
	config_limits limits; /* applied by every parse into this document */
} config_doc;

/* Initialises an empty document (root is an empty map, default limits).
 * 0 or -1 on ENOMEM. */
int config_doc_init(config_doc *d);
/* Frees everything the document owns. */
void config_doc_free(config_doc *d);
/* Returns a copy of name that lives as long as the document, or NULL. */
const char *config_doc_intern(config_doc *d, const char *name);

/* Parses one YAML document from buf, within d->limits. An empty document
 * yields NULL in *out and returns 0. Returns 0, or -1 with
 * "name:line:column: problem" in err (a limit's message names its key).
 * The caller owns *out (nodes point at d's interned name). */
int config_yaml_parse(config_doc *d, const char *name, const char *buf, size_t len, config_node **out, char *err,
		      size_t errlen);
/* Same for a file; errors also cover the file being unreadable. */
int config_yaml_parse_file(config_doc *d, const char *path, config_node **out, char *err, size_t errlen);

/* Merges `src` into `dst` (both maps): keys of src replace or, when both
 * sides are maps, merge into dst's. Takes ownership of src. 0 or -1 on
 * ENOMEM. */
int config_merge(config_node *dst, config_node *src);

#endif
