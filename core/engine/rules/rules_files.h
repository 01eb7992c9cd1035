#ifndef FAPI_ENGINE_RULES_FILES_H
#define FAPI_ENGINE_RULES_FILES_H

#include <stddef.h>

/* Expands rules paths (-r, rules_file) into the files to load, in order: a
 * file as given, a directory as its regular files sorted by name. Returns
 * 0 with a malloc'd array of malloc'd paths (free with rules_files_free), or
 * -1 with the reason in err (a path that does not exist or is unreadable). */
int rules_files_expand(const char *const *paths, size_t npaths, char ***out, size_t *nout, char *err,
		       size_t errlen);
void rules_files_free(char **files, size_t n);

#endif
