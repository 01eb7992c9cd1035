#ifndef FAPI_CONFIGS_AUDIT_H
#define FAPI_CONFIGS_AUDIT_H

/* The audit summaries of configs_set and configs_reset: every change with
 * its old and new value (secrets redacted as in replies).
 *
 * The host asks for a write's summary after the handler ran, on the same
 * gRPC thread, with the request decoded afresh: the handler leaves what it
 * changed in a per-thread note tagged with the request's fingerprint, and
 * the summary takes the note when the fingerprints agree. A call that
 * never reached the handler (denied) or changed nothing is summarised from
 * the request alone. */

#include <stddef.h>

#include "fapi/fapi.h"

/* Leaves `text` (truncated to the note's size) as the summary of `req`. */
void configs_audit_note(const ProtobufCMessage *req, const char *text);
/* Drops the calling thread's note (the handler's first step). */
void configs_audit_clear(void);
/* fapi_unary_method.audit_summary of configs_set and configs_reset. */
void configs_audit_summary(const ProtobufCMessage *req, char *buf, size_t buflen, void *user);
/* Appends "KEY: OLD -> NEW" (each value shown as configs_guard_shown
 * allows, "(none)" when absent) to buf[*used..len), "; "-separated. */
void configs_audit_append(char *buf, size_t len, size_t *used, const char *path, uint32_t flags, const char *old,
			  const char *new_value);

#endif
