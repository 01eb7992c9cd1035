#ifndef FAPI_CONFIG_SCHEMA_H
#define FAPI_CONFIG_SCHEMA_H

#include <stddef.h>

#include "config/config_tree.h"

/* Called once per unknown key with "file:line:column: unknown configuration
 * key 'path'" ready to log. */
typedef void (*config_schema_warn_fn)(void *user, const char *message);

/* Walks the tree and reports every key that neither Falco 0.31 nor this
 * daemon knows, so typos never pass silently. Free-form subtrees (a module's
 * `config:`, a plugin's `init_config`) are not checked. Returns the number of
 * unknown keys. */
size_t config_schema_check(const config_node *root, config_schema_warn_fn warn, void *user);

#endif
