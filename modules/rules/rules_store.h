#ifndef RULES_STORE_H
#define RULES_STORE_H

/* The durable state under the module's state_dir: one blob file per API
 * file content (named after its sha256) and the manifest that names them.
 * A commit writes the new blobs first, each durable on its own, then the
 * manifest through the host's state_write (temporary, fsync, rename, fsync
 * of the directory): that rename is the instant the new state becomes the
 * persisted one. Only then are the blobs the old state alone used removed.
 * A crash at any instant therefore leaves the old manifest with all its
 * blobs, or the new one with all of its, plus perhaps blobs and
 * temporaries nobody names, which rules_store_sweep removes. */

#include <stdbool.h>
#include <stddef.h>

#include "fapi/fapi.h"
#include "rules_state.h"

typedef struct rules_store {
	const fapi_host *host; /* borrowed */
	fapi_module_ctx *ctx;  /* borrowed */
	const char *dir;       /* borrowed: the state directory */
} rules_store;

/* Creates the directory (0700) when missing. FAPI_OK or an error with err. */
int rules_store_prepare(const rules_store *st, char *err, size_t errlen);

/* Reads the persisted state into *out (zeroed by the callee): every file
 * with its content, checked against the manifest's size and sha256. No
 * manifest yet: an empty state of revision 1 and *found false. FAPI_OK, or
 * FAPI_EIO / FAPI_EINVAL with err naming the file and what is wrong (out
 * then empty). */
int rules_store_load(const rules_store *st, rules_state *out, bool *found, char *err, size_t errlen);

/* Makes `next` the persisted state, `prev` being the one persisted now
 * (its blobs are on disk). FAPI_OK, or an error with err: the persisted
 * state is then still `prev`. */
int rules_store_commit(const rules_store *st, const rules_state *prev, const rules_state *next, char *err,
		       size_t errlen);

/* Removes what a crash may have left: blobs `s` does not name and the
 * host's temporaries (".NAME.tmp.*"). Logs what it removes. */
void rules_store_sweep(const rules_store *st, const rules_state *s);

/* Reads the file at `path` whole, refusing more than `max` bytes. The SDK
 * has no reader (the core's file_read is not for modules): this is the
 * module's only one. FAPI_OK with *data (malloc'd, NUL-terminated) and
 * *len, FAPI_ENOTFOUND, or FAPI_EIO with err. */
int rules_store_read_path(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen);

#endif
