#ifndef FAPI_ENGINE_JSON_DOC_H
#define FAPI_ENGINE_JSON_DOC_H

/*
 * A parsed JSON document: one text parsed once (cJSON), every node of it in
 * one arena that is released at once, read afterwards by JSON pointer
 * (RFC 6901) without parsing again, and printed the way Falco 0.31 prints a
 * JSON value (nlohmann::json::dump(): keys in byte order, no spaces).
 *
 * cJSON was picked with bench/jsonlib (parse + 14 pointer reads per k8s
 * audit event): with its nodes taken from an arena it reads 3x the events
 * json-c or jansson do. Its numbers are doubles: integers print exactly up
 * to 2^53, a number written with a fraction but an integral value ("1.0")
 * prints as an integer (nlohmann would print "1.0").
 *
 * A document is used by one thread at a time; distinct documents may be
 * used on distinct threads.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cJSON.h>

typedef struct json_doc json_doc;

/* Parses len bytes of text (not necessarily NUL-terminated): exactly one
 * JSON value, with optional white space around it. Returns the document,
 * or NULL with a message in err ("parse error at column N" or "out of
 * memory"). The caller frees it with json_doc_free(). */
json_doc *json_doc_parse(const char *text, size_t len, char *err, size_t errlen);

/* Frees the document and every node of it. NULL is a no-op. */
void json_doc_free(json_doc *d);

/* The root value; owned by the document. */
cJSON *json_doc_root(const json_doc *d);

/* Sets member `key` of object obj (a node of d) to the string value,
 * replacing a member of that name or adding one. false when out of memory
 * or obj is not an object. */
bool json_doc_set_string(json_doc *d, cJSON *obj, const char *key, const char *value);

/* The member named key of obj (the last one of that name, as nlohmann
 * keeps the last of duplicate keys), or NULL when obj is not an object or
 * has none. Owned by obj's document. */
const cJSON *json_doc_member(const cJSON *obj, const char *key);

/* The members of object v in nlohmann's order (keys in byte order; of two
 * members with the same key the last one), in a malloc'd array of *n
 * pointers (caller frees), or NULL with *n = 0 when v has none or memory
 * runs out. */
const cJSON **json_doc_sorted_members(const cJSON *v, size_t *n);

#endif
