#ifndef FAPI_ENGINE_DESCRIBE_H
#define FAPI_ENGINE_DESCRIBE_H

/* Falco 0.31's -l RULE: the rule's name and description, the description
 * wrapped as Falco's rule_loader.lua wraps it. */

#include <stddef.h>
#include <stdio.h>

#include "engine/engine.h"

/* Prints Falco's header (a blank line, "Rule ... Description", "---- ...")
 * then, when a loaded rule has this name, the rule and a blank line.
 * Returns 0, or -1 with "No such rule: NAME" in err (after the header, as
 * Falco prints it). */
int engine_describe_rule(const engine *e, const char *name, FILE *out, char *err, size_t errlen);

/* The description wrapped as Falco does: a word that would end past
 * `limit` characters after the start of the current line starts a new line,
 * indented with `indent`. Returns a malloc'd string, NULL when out of memory. */
char *engine_describe_wrap(const char *desc, size_t limit, const char *indent);

#endif
