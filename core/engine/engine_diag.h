#ifndef FAPI_ENGINE_ENGINE_DIAG_H
#define FAPI_ENGINE_ENGINE_DIAG_H

/* Diagnostics of a rules set (engine_diags, declared in engine.h): each
 * message split into its parts.
 *
 * The loader and the compiler write every error and warning as one line,
 * "FILE:LINE:COL: ITEM: message" (ITEM "rule 'X'", "macro 'm'", "list
 * 'l'", "required_engine_version", "required_plugin_versions", or absent;
 * "FILE: message" when there is no position), and the compiler its
 * warnings in Falco's words, "Rule X: warning (CODE): ...". That format is
 * the one place both agree on, so the parts are read back from it here
 * rather than carried through every function that can fail. */

#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"

struct rules_doc;

/* Appends `message`, split: file is the longest of files[0..nfiles) the
 * message starts with (followed by ':'), else whatever precedes the first
 * ":LINE:COL: "; a compiler warning takes the file and line of its rule in
 * `doc` (NULL: none). -1 when out of memory (nothing appended). */
int engine_diags_add(engine_diags *d, bool error, const char *message, const struct rules_doc *doc,
		     const char *const *files, size_t nfiles);

/* Appends a diagnostic whose parts are known. -1 when out of memory. */
int engine_diags_add_parts(engine_diags *d, bool error, const char *file, unsigned line, unsigned column,
			   const char *item, const char *code, const char *text);

#endif
