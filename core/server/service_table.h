#ifndef FAPI_SERVICE_TABLE_H
#define FAPI_SERVICE_TABLE_H

/* Method path -> handler. Modules (and the core, for health) register into
 * it before the server starts; afterwards it is read-only, so lookups take
 * no lock. */

#include <stddef.h>

#include "fapi/rpc.h"

typedef enum service_kind {
	SERVICE_UNARY = 0,
	SERVICE_SERVER_STREAM = 1,
	SERVICE_BIDI = 2,
	SERVICE_KIND_COUNT = 3
} service_kind;

typedef struct service_entry {
	service_kind kind;
	const char *owner;          /* module name; static or owned by the loader */
	fapi_unary_method unary;    /* kind == SERVICE_UNARY; copied descriptor */
	fapi_stream_method stream;  /* streaming kinds; copied descriptor */
	void *registered;           /* grpc_server_register_method handle, set by the server */
	struct server_method_stats *stats; /* grpc_server_* counters (server_metrics.h); owned, NULL on ENOMEM */
} service_entry;

typedef struct service_table {
	service_entry *entries; /* owned */
	size_t count, cap;
	int frozen;             /* set when the server starts: no more registration */
} service_table;

void service_table_init(service_table *t);
void service_table_free(service_table *t);

/* Adds a method. Returns FAPI_OK, FAPI_EEXIST (err names the owner of the
 * path), FAPI_EINVAL (bad path, missing descriptor or callback),
 * FAPI_ECLOSED after freeze, FAPI_ENOMEM. */
int service_table_add_unary(service_table *t, const char *owner, const fapi_unary_method *m, char *err,
			    size_t errlen);
int service_table_add_stream(service_table *t, const char *owner, service_kind kind, const fapi_stream_method *m,
			     char *err, size_t errlen);

/* The entry serving `path`, or NULL. */
const service_entry *service_table_find(const service_table *t, const char *path);

/* Returns 1 when `path` is a well-formed "/package.service/method". */
int service_path_valid(const char *path);

#endif
