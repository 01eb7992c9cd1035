#ifndef FAPI_ENGINE_RULES_CONTEXT_H
#define FAPI_ENGINE_RULES_CONTEXT_H

/* rules_context: the "context" Falco 0.31 prints with a rules error (the
 * offending item as written, between "---" lines) and the error block of
 * its -V verdicts.
 *
 * Falco (rule_loader.lua, get_orig_yaml_obj) takes an item's context from
 * the file's non-empty lines: the line starting the item (one beginning
 * with '-', other than a "---" document marker), then every following
 * non-empty line up to the next line beginning with '-'. Comment lines in
 * between belong to the item before them, as in Falco.
 *
 * No global state; every function is thread-safe. */

#include <stddef.h>

/* Returns Falco's context of the item holding 1-based line `line` of
 * `text` (NUL-terminated): its lines, each followed by "\n". Malloc'd;
 * the caller frees it. Returns NULL when line is 0, beyond the text, before
 * the first item, or when out of memory. */
char *rules_context_item(const char *text, unsigned line);

/* Finds which of files[0..n) an error message "FILE:LINE:COL: ..." (or
 * "FILE: ...") names: the longest name followed by ':'. Returns its index
 * and sets *line to LINE (0 when the message has none), or returns n when
 * no file matches. */
size_t rules_context_error_file(const char *msg, const char *const *files, size_t n, unsigned *line);

/* Falco's verdict for a failed load of files[0..n) (n >= 1), given the
 * error message (see rules_context_error_file()): "1 errors:\n" MSG
 * "\n---\n" CONTEXT "---\n". The context is that of the item at the
 * message's line (the files are read again now); for a YAML syntax error,
 * three lines from it, and for a file that is not a sequence of items its
 * first line, as Falco counts lines (empty ones skipped); outside any
 * item, the message's line alone; for a rule or macro,
 * followed by the items appending to it in the same and later files, each
 * after a "\n", as Falco accumulates them. Sets *file_idx to the file the
 * verdict belongs to: the one holding the last such append, else the one
 * the message names (n - 1 when it names none). Without a context the
 * block is "1 errors:\n" MSG "\n". Malloc'd; the caller frees it. Returns
 * NULL when out of memory. */
char *rules_context_verdict(const char *msg, const char *const *files, size_t n, size_t *file_idx);

#endif
