#ifndef FAPI_ENGINE_FILE_WRITE_H
#define FAPI_ENGINE_FILE_WRITE_H

/* The one crash-safe file replacement (module state: API rules files, their
 * manifest, the configuration overlay). A reader sees either the old
 * content of `dir/name` or the new one, never a mix, whenever the machine
 * stops: the data goes to a temporary file in the same directory, is
 * fsync'd, renamed over the target, and the directory is fsync'd so that
 * the rename itself is durable before the call returns. */

#include <stddef.h>
#include <sys/types.h>

/* Creates `dir` and its missing parents with `mode` (0700 for state), and
 * checks that it is a directory. Returns 0, or -1 with a message naming
 * the path and the reason in err. */
int file_mkdirs(const char *dir, mode_t mode, char *err, size_t errlen);

/* Replaces dir/name with data[0..len) as described above; the file gets
 * `mode` (0600 for state). `name` must be a plain file name (no '/').
 * Returns 0, or -1 with a message in err (the target is then unchanged
 * and no temporary file is left behind). */
int file_write_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode, char *err,
		      size_t errlen);

/* Removes dir/name and fsyncs dir. A missing file is not an error.
 * Returns 0 or -1 with err. */
int file_remove_durable(const char *dir, const char *name, char *err, size_t errlen);

#endif
