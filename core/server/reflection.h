#ifndef FAPI_REFLECTION_H
#define FAPI_REFLECTION_H

/* gRPC server reflection, served by the core: grpc.reflection.v1 and
 * v1alpha ServerReflection/ServerReflectionInfo. It lists the services of
 * every method in the service table and serves the file descriptors of the
 * project's .proto files (embedded at build time) and of those modules
 * register (their FileDescriptorSets), so generic clients (grpcurl,
 * Postman) need no .proto files. */

#include <stddef.h>
#include <stdint.h>

#include "server/service_table.h"

typedef struct reflection reflection;

/* Creates the registry with the project's own descriptors and registers
 * both reflection methods in the table. Returns 0 or -1 with err. The
 * object is the caller's (reflection_free, after the server is destroyed). */
int reflection_register(reflection **out, service_table *t, char *err, size_t errlen);

/* Adds the files of a serialised FileDescriptorSet (`data`, copied) on
 * behalf of `owner`; a file whose name is already known is kept as first
 * given. Only before the server starts. Returns FAPI_OK, FAPI_EINVAL (not a
 * FileDescriptorSet) or FAPI_ENOMEM, with err. */
int reflection_add_set(reflection *r, const char *owner, const uint8_t *data, size_t len, char *err,
		       size_t errlen);

void reflection_free(reflection *r);

#endif
