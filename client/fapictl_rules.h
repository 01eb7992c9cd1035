#ifndef FAPICTL_RULES_H
#define FAPICTL_RULES_H

/* What the rules commands share: one call to the (single) target, local
 * files read into API files named after their base name, diagnostics
 * printed as editors read them with the local path, and the answer of a
 * write in text or JSON. */

#include <stdint.h>
#include <stdio.h>

#include "fapictl_cmd.h"
#include "fapictl_rpc.h"
#include "rules.pb-c.h"


/* --tag options of one enable or disable. */
#define FAPICTL_RULES_MAX_TAGS 256

/* Local files as API files: name = base name of the path. Owned. */
typedef struct fapictl_rules_files {
	Falco__Rules__ApiFile **files;
	char **paths; /* borrowed from argv */
	size_t n;
} fapictl_rules_files;

/* Reads paths[0..n). 0, or -1 after printing why on stderr. */
int fapictl_rules_files_read(char **paths, size_t n, fapictl_rules_files *out);
void fapictl_rules_files_free(fapictl_rules_files *f);

/* Calls `method` on the target. 0 with *out (free with
 * protobuf_c_message_free_unpacked), or -1 with *st filled (the caller
 * frees it) after nothing was printed. */
int fapictl_rules_call(const fapictl_conn *conn, const char *method, const ProtobufCMessage *req,
		       const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out, fapictl_rpc_status *st);

/* --if-revision N: 0 when absent; -1 (after a usage message) when bad. */
int fapictl_rules_if_revision(const fapictl_args *a, uint64_t *out);

/* "FILE:LINE:COL: error: ITEM: MESSAGE" (or "warning (CODE)") on `out`,
 * FILE being the local path when the diagnostic names one of `f`. */
void fapictl_rules_diag_text(FILE *out, const Falco__Rules__Diagnostic *d, const fapictl_rules_files *f);
void fapictl_rules_diag_json(const Falco__Rules__Diagnostic *d);

/* Prints a failed write and returns its exit code: INVALID_ARGUMENT with
 * the server's diagnostic lines (README, "rules module") on stderr, each
 * file name replaced by the local path (FAPICTL_EXIT_INVALID); anything
 * else as every command reports a failed call (FAPICTL_EXIT_RPC). */
int fapictl_rules_write_failed(const fapictl_conn *conn, const fapictl_rpc_status *st, const fapictl_rules_files *f);

/* Runs a write and prints its answer (text: "revision N", the files it
 * changed and the warnings; --json: one object). Returns the exit code. */
int fapictl_rules_write(const fapictl_conn *conn, const fapictl_args *a, const char *method,
			const ProtobufCMessage *req, const fapictl_rules_files *f);

/* rules enable and rules disable: RULE... and --tag T... toggled. Returns
 * the exit code. */
int fapictl_rules_toggle(const fapictl_conn *conn, const fapictl_args *a, int enable);

#endif
