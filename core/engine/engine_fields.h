#ifndef FAPI_ENGINE_FIELDS_H
#define FAPI_ENGINE_FIELDS_H

/* The fields every event source of the engine offers, as one list of
 * (source, name, type), and the checksum of that set that the version RPC
 * reports as engine_fields_checksum. Falco 0.31 hard-codes the SHA-256 of
 * its `--list -N` output at build time; here the hash is computed from what
 * the backends really offer, so it cannot go stale, and a new backend only
 * adds its entries to the list. */

#include <stddef.h>

#include "engine/backends/backend_registry.h"

/* One field of one source. The strings are owned by the source's backend. */
typedef struct engine_field {
	const char *source; /* "syscall", "k8s_audit", ... */
	const char *name;   /* "proc.name" */
	const char *type;   /* the backend's type name, "CHARBUF" */
} engine_field;

/* SHA-256, in lower-case hex, plus the terminating NUL. */
#define ENGINE_FIELDS_CHECKSUM_SIZE 65

/* Every field of every backend of the registry. *out is malloc'd (free()
 * it); its strings belong to the backends and live as long as the
 * registry. Returns 0, or -1 with err (out of memory, a backend's error). */
int engine_fields_list(const backend_registry *r, engine_field **out, size_t *n, char *err, size_t errlen);

/* The checksum of a set of fields: SHA-256 over the entries sorted by
 * (source, name, type) with duplicates removed, so equal sets give equal
 * checksums whatever the order they were listed in. `fields` is reordered.
 * Writes ENGINE_FIELDS_CHECKSUM_SIZE bytes to out. Returns 0, or -1 with err. */
int engine_fields_checksum(engine_field *fields, size_t n, char out[ENGINE_FIELDS_CHECKSUM_SIZE], char *err,
			   size_t errlen);

/* The checksum of the fields of this build's built-in sources (a registry
 * of backend_registry_builtins), computed once per process. Returns a
 * static string, "" when it could not be computed. Thread-safe. */
const char *engine_fields_checksum_builtin(void);

#endif
