#ifndef FAPI_AUTHZ_AUDIT_H
#define FAPI_AUTHZ_AUDIT_H

/* The audit log: one JSON line per write call, allowed or denied, to
 * grpc.audit_log (appended, fsync'd per record) and to the daemon log.
 * SIGUSR1 reopens the file, so that logrotate can rename it and the next
 * record starts the new one. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz/authz_identity.h"
#include "fapi/status.h"

typedef struct authz_audit authz_audit;

/* What is known of a request when it is recorded. */
typedef struct authz_audit_request {
	const char *type;    /* protobuf message name, or NULL */
	bool has_body;       /* false for a bidirectional call: its messages come later */
	const uint8_t *data; /* the encoded request (may be NULL when len is 0) */
	size_t len;
	const char *summary; /* the module's summary, or NULL */
	/* A later record of a stream (host stream_audit): what it is about
	 * ("close") and its counters, written as "stream":{"event":...,
	 * "<name>":<value>...}. event NULL: the call's own record. */
	const char *event;
	const char *const *names;
	const uint64_t *values;
	size_t ncounts;
} authz_audit_request;

/* Opens the log; `path` NULL or "" records to the daemon log only. Returns
 * 0, or -1 with "grpc.audit_log: cannot open PATH: reason" in err. */
int authz_audit_open(authz_audit **out, const char *path, char *err, size_t errlen);
/* Records one call. Thread-safe; a failed write is logged, never fatal. */
void authz_audit_record(authz_audit *a, const authz_identity *id, const char *method,
			const authz_audit_request *req, fapi_status_code code, const char *message);
/* Reopens the file at its path. 0, or -1 (logged; the old file stays in
 * use). Thread-safe. */
int authz_audit_reopen(authz_audit *a);
void authz_audit_close(authz_audit *a);

#endif
