#ifndef FAPI_CONFIG_TREE_H
#define FAPI_CONFIG_TREE_H

/* The configuration as a tree of YAML nodes that remember where they came
 * from, so every message about a value can name file, line and column. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum config_kind { CONFIG_SCALAR, CONFIG_MAP, CONFIG_SEQ } config_kind;

typedef struct config_node config_node;

typedef struct config_pair {
	char *key;         /* owned by the map node */
	config_node *value; /* owned by the map node */
} config_pair;

struct config_node {
	config_kind kind;
	char *scalar;          /* CONFIG_SCALAR: the text; owned */
	bool quoted;           /* CONFIG_SCALAR: written with quotes (so never null) */
	config_pair *pairs;    /* CONFIG_MAP: in document order; owned */
	config_node **items;   /* CONFIG_SEQ: owned */
	size_t count;          /* pairs or items */
	size_t cap;
	/* CONFIG_MAP: key -> position + 1 once the map has more than a few
	 * keys, so that building or merging a map of n keys is linear, not
	 * quadratic; owned, maintained by config_map_set (modify pairs only
	 * through it). NULL when not built. */
	struct hashmap *index;
	const char *file;      /* origin: file name, "<default>" or "-o KEY=VALUE"; interned by the tree's strings */
	int line, column;      /* 1-based origin of the node */
};

/* Allocates a node of `kind` at the given origin (file is not copied: it
 * must outlive the node; use config_tree_intern). NULL on ENOMEM. */
config_node *config_node_new(config_kind kind, const char *file, int line, int column);
/* Frees a node and everything below it. NULL is fine. */
void config_node_free(config_node *n);
/* Deep copy, sharing file-name strings. NULL on ENOMEM. */
config_node *config_node_clone(const config_node *n);

/* Map access: the value of `key` or NULL. */
config_node *config_map_get(const config_node *map, const char *key);
/* Same for the len bytes at key (not NUL-terminated). */
config_node *config_map_getn(const config_node *map, const char *key, size_t len);
/* Sets key to value (replacing and freeing an older value; keeps its
 * position). Takes ownership of value. Returns 0 or -1 on ENOMEM (then value
 * is freed, or, when only the map's index could not grow, it is in the map:
 * either way the caller no longer owns it). */
int config_map_set(config_node *map, const char *key, config_node *value);
/* Appends an item to a sequence, taking ownership. 0 or -1 (item freed). */
int config_seq_push(config_node *seq, config_node *item);

/* Looks up a dotted path with optional indexes: "grpc.bind_address",
 * "modules[1].config.capacity". "" returns n itself. NULL when absent. */
const config_node *config_lookup(const config_node *n, const char *path);

/* Typed reads with YAML 1.1 core spellings (true/false/yes/no/on/off, decimal,
 * 0x hex and 0o/leading-zero octal integers). Each returns 0 and sets *out,
 * 1 when the node is absent (*out = def), or -1 with "file:line:column: key
 * 'path' must be ..." in err. */
int config_get_string(const config_node *root, const char *path, const char *def, const char **out, char *err,
		      size_t errlen);
int config_get_int(const config_node *root, const char *path, int64_t def, int64_t *out, char *err,
		   size_t errlen);
int config_get_bool(const config_node *root, const char *path, bool def, bool *out, char *err, size_t errlen);

/* Parses a scalar's text as YAML would (helpers of the getters, exposed for
 * the override parser). Return 0 on success, -1 when not of that type. */
int config_scalar_bool(const char *s, bool *out);
int config_scalar_int(const char *s, int64_t *out);

/* Formats "file:line:column" of a node into buf; returns buf. */
const char *config_node_where(const config_node *n, char *buf, size_t len);

#endif
