#ifndef FAPI_ENGINE_JSON_DUMP_H
#define FAPI_ENGINE_JSON_DUMP_H

/* JSON values printed as Falco 0.31 prints them (nlohmann::json::dump()). */

#include <stdbool.h>
#include <stdio.h>

#include "engine/backends/json/json_doc.h"

/* Writes v as nlohmann::json::dump() does: objects' keys in byte order,
 * no white space, strings with ", \ and control characters escaped
 * (\b \f \n \r \t, else \u00xx) and other bytes as they are. */
void json_dump_write(FILE *out, const cJSON *v);

/* Writes s as a JSON string literal as json_dump_write() writes strings. */
void json_dump_string(FILE *out, const char *s);

/* Returns v as text the way Falco's json_as_string() does: a string's own
 * characters, any other value dumped. malloc'd (caller frees), or NULL when
 * out of memory. */
char *json_dump_as_string(const cJSON *v);

/* True when number v dumps as an integer (integral, within 2^53: the
 * integers a double holds exactly). */
bool json_dump_is_integer(const cJSON *v);

#endif
