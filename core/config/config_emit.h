#ifndef FAPI_CONFIG_EMIT_H
#define FAPI_CONFIG_EMIT_H

/* Writing configuration trees back as YAML text: one line of flow style
 * for a value the API shows, block style for a document the daemon reads
 * again (the overlay file, --support). Scalars are quoted whenever YAML
 * would read them otherwise, so that reading the text gives the tree. */

#include "config/config_tree.h"
#include "engine/util/strbuf.h"

/* Appends n as flow YAML: "5", "[a, b]", "{name: x, config: {}}". */
void config_emit_flow(strbuf *b, const config_node *n);
/* Appends n as a block YAML document (a map's keys one per line, nested
 * maps indented by two; sequences in flow style). */
void config_emit_block(strbuf *b, const config_node *n);

#endif
