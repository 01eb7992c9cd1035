#ifndef FAPI_ENGINE_RULES_LIMITS_H
#define FAPI_ENGINE_RULES_LIMITS_H

/* rules_limits: the bounds of the rules loader.
 *
 * A small rules file can otherwise describe an enormous amount of work
 * (macros that each use the previous one twice, lists of lists, thousands
 * of appends, YAML merge keys that fan out). Each bound turns such a file
 * into an error naming the file and line, within bounded time and memory.
 * The defaults are far above what Falco's own rules files need (README,
 * "Loader limits", lists the figures). A field set to 0 takes its default.
 * Configured by the engine.limits.* keys of falco.yaml. */

#include <stddef.h>

typedef struct rules_limits {
	/* bytes of one rules file (engine.limits.rules_file_bytes) */
	size_t file_bytes;
	/* nesting depth of sequences and mappings in a rules file
	 * (engine.limits.yaml_depth) */
	size_t yaml_depth;
	/* nodes of one rules file with every alias expanded (an alias counts
	 * the nodes of what it names; "<<" merge keys included), which bounds
	 * every walk of the file, however aliases fan out
	 * (engine.limits.yaml_nodes) */
	size_t yaml_nodes;
	/* append items onto one list, macro or rule (engine.limits.appends) */
	size_t appends;
	/* bytes of one macro's or rule's condition after its appends
	 * (engine.limits.condition_bytes) */
	size_t condition_bytes;
	/* items of one list after the lists named in it are expanded, and
	 * values of one condition after its lists are expanded
	 * (engine.limits.list_items) */
	size_t list_items;
	/* nodes of one rule's or macro's condition tree after its macros are
	 * expanded, each value of a check counting as a node (a macro's lists
	 * are expanded once, and each use copies their values)
	 * (engine.limits.condition_nodes) */
	size_t condition_nodes;
	/* errors reported for one failing set when the loader and compiler
	 * go on past an item's error (engine.limits.errors) */
	size_t errors;
} rules_limits;

#define RULES_LIMITS_FILE_BYTES ((size_t)16 << 20)
#define RULES_LIMITS_YAML_DEPTH ((size_t)64)
#define RULES_LIMITS_YAML_NODES ((size_t)2000000)
#define RULES_LIMITS_APPENDS ((size_t)4096)
#define RULES_LIMITS_CONDITION_BYTES ((size_t)1 << 20)
#define RULES_LIMITS_LIST_ITEMS ((size_t)100000)
#define RULES_LIMITS_CONDITION_NODES ((size_t)200000)
#define RULES_LIMITS_ERRORS ((size_t)100)

/* Sets every field of *l to its default. */
void rules_limits_init(rules_limits *l);

/* Copies *in (NULL: all defaults) into *out, each 0 field replaced by its
 * default. */
void rules_limits_resolve(const rules_limits *in, rules_limits *out);

#endif
