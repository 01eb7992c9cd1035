#ifndef FAPI_ENGINE_JSON_FORMAT_H
#define FAPI_ENGINE_JSON_FORMAT_H

/*
 * Output formats of the k8s_audit source, as Falco 0.31's
 * json_event_formatter renders them: "%field" and "%field[arg]" tokens
 * (the longest field name, see k8s_audit_fields_scan), a leading '*' ignored, a
 * field with one value printed as it, with several as "(a,b)", with none
 * as <NA>. Fields are named by their name without the argument in
 * output_fields, as Falco does.
 *
 * A format is used by one thread at a time.
 */

#include <stddef.h>

#include "engine/backends/backend.h"
#include "engine/backends/json/k8s_audit_fields.h"

typedef struct json_format json_format;

/* Compiles format, its fields those of jevt and cls (NULL: ka; see
 * k8s_audit_fields_resolve). Returns 0; 1 when a %token names no field (err: Falco's
 * "Could not parse format string \"...\": unknown filtercheck field ...");
 * -1 on another error (err). Caller frees with json_format_free(). */
int json_format_compile(const char *format, const k8s_field_class *cls, json_format **out, char *err, size_t errlen);
void json_format_free(json_format *f);

/* The alert text for evt: malloc'd (caller frees), NULL when out of memory. */
char *json_format_text(json_format *f, const json_evt *evt);

/* The output_fields object for evt, as Falco writes it (nlohmann dump:
 * keys sorted, the last of duplicate names, "null" for a format without
 * fields). malloc'd, NULL when out of memory. */
char *json_format_json(json_format *f, const json_evt *evt);

/* The fields and values for evt, sorted by name, the first of duplicate
 * names, "" printed as <NA> (Falco's get_field_values). Returns an array of
 * *n (name, value) pairs allocated as one block with its strings (caller
 * frees it once), or NULL: *n is 0 then, and NULL with *n 0 and no error
 * for a format without fields. Returns -1 when out of memory, else 0. */
int json_format_fields(json_format *f, const json_evt *evt, backend_field_value **out, size_t *n);

#endif
