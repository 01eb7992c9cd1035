#ifndef FAPI_ENGINE_BACKEND_FIELDS_H
#define FAPI_ENGINE_BACKEND_FIELDS_H

/* Falco 0.31's --list over every registered source (falco_engine::
 * list_fields): sources in name order, a field class shared by several
 * sources (same name and short description) printed once with all of them
 * under "Event Sources:", each class as filter_fieldclass_info::as_string
 * renders it followed by a blank line; with names_only, one field name a
 * line (table-only fields left out). */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine/backends/backend_registry.h"

/**
 * Prints the fields of `source` (NULL or "": every source) to out.
 * Returns 0, or -1 with Falco's message in err when source names no
 * registered source ("Value for --list must be a valid source type") or
 * memory runs out.
 */
int backend_fields_list(const backend_registry *reg, const char *source, bool verbose, bool names_only, FILE *out,
			char *err, size_t errlen);

/**
 * Class i of backend b as Falco 0.31 prints it: the backend's own
 * fieldclass_as_string when it has one, otherwise libsinsp's layout
 * (30-column left block, descriptions wrapped at 120 columns, "(FILTER
 * ONLY)" before the description of filter-only fields, "(Type: T)" when
 * verbose) rendered from fieldclass_get/field_get. Returns a malloc'd
 * string (caller frees) or NULL on failure.
 */
char *backend_fields_class_text(const backend *b, size_t i, bool verbose, const char *const *sources,
				size_t nsources);

#endif
