#ifndef FAPI_ENGINE_JSON_POINTER_H
#define FAPI_ENGINE_JSON_POINTER_H

/* JSON pointers (RFC 6901), compiled once and applied to parsed documents
 * (json_doc.h) as nlohmann::json::at(json_pointer) applies them. */

#include <stddef.h>

#include "engine/backends/json/json_doc.h"

/* A compiled JSON pointer: its reference tokens, unescaped. */
typedef struct json_pointer {
	char **tokens; /* owned */
	size_t ntokens;
} json_pointer;

/* Compiles text as an RFC 6901 pointer ("" is the whole document, else
 * "/a/b~1c" with ~0 for '~' and ~1 for '/'). 0, or -1 with err naming the
 * problem (as nlohmann::json_pointer rejects the same texts). */
int json_pointer_compile(json_pointer *p, const char *text, char *err, size_t errlen);
void json_pointer_free(json_pointer *p);

/* The value p designates in v, or NULL when there is none. An array token
 * is a decimal index without leading zeros ("-" designates nothing). */
const cJSON *json_pointer_get(const json_pointer *p, const cJSON *v);

#endif
