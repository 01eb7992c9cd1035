#ifndef RULES_MODULE_H
#define RULES_MODULE_H

/* The rules module's state and the calls its handlers share. */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "fapi/fapi.h"
#include "rules.pb-c.h"
#include "rules_state.h"
#include "rules_store.h"

/* A persisted state as the handlers see it: immutable once published,
 * freed when the last reader lets go. */
typedef struct rules_snapshot {
	atomic_uint refs;
	rules_state state;
} rules_snapshot;

typedef struct rules_module {
	fapi_module_ctx *ctx;
	const fapi_host *host;
	char *state_dir;             /* config state_dir */
	bool start_without_api_files; /* config start_without_api_files */
	size_t max_file_bytes;       /* config max_file_bytes: content of one API file */
	size_t max_files;            /* config max_files: API files in the set */
	size_t max_request_files;    /* config max_request_files: files (or names) in one request */
	size_t config_file_bytes;    /* engine.limits.rules_file_bytes: what rules_get reads of a config file */
	rules_store store;
	/* Writers, one at a time, from the revision check to the swap of cur:
	 * held across the engine's apply and the fsyncs. */
	pthread_mutex_t write_mu;
	/* Only for taking or replacing cur; never held across anything slow. */
	pthread_mutex_t cur_mu;
	rules_snapshot *cur;         /* the persisted state (and, unless degraded, the applied one) */
	/* Started with start_without_api_files after the persisted set failed:
	 * cur is persisted but not applied, so the next write applies it whole. */
	bool degraded;
} rules_module;

/* The current snapshot, with a reference the caller releases. */
rules_snapshot *rules_module_acquire(rules_module *m);
void rules_module_release(rules_snapshot *s);
/* Publishes `s` (taking over it, refs 1) as current; the previous one is
 * released. */
void rules_module_publish(rules_module *m, rules_snapshot *s);

/* ---- the engine's side: the module's whole contribution (rules_set.c) ---- */

/* Validates (apply false) or applies the set `s` makes with the config
 * files. FAPI_OK (d: warnings), FAPI_EINVAL (d: errors and warnings) or
 * another code with err (d NULL). The caller frees d with the host's
 * rules_diags_free. */
int rules_set_run(rules_module *m, const rules_state *s, bool apply, fapi_rules_diags **d, char *err, size_t errlen);

/* ---- diagnostics (rules_diag.c) ---- */

/* The diagnostics of d as messages (only the warnings when warnings_only)
 * into *out and *n, malloc'd (freed with the response). 0 or -1. */
int rules_diag_to_proto(const fapi_rules_diags *d, bool warnings_only, Falco__Rules__Diagnostic ***out, size_t *n);
/* One diagnostic as an editor reads it: "FILE:LINE:COL: error: ITEM: MESSAGE"
 * (also "warning (CODE)"). */
void rules_diag_line(const fapi_rules_diag *g, char *out, size_t outlen);
/* The status message of a write the set refused (README, "rules module":
 * one diagnostic a line, errors first, cut at a whole line). */
void rules_diag_message(const fapi_rules_diags *d, char *out, size_t outlen);

/* ---- writes (rules_write.c) ---- */

/* What one write does to a copy of the current state. Returns
 * FAPI_STATUS_OK, or a status with msg; `next` is the caller's copy to
 * change (its revision already the new one). */
typedef fapi_status_code (*rules_write_fn)(rules_module *m, const rules_state *cur, rules_state *next,
					   const void *request, char *msg, size_t msglen);

/* Runs one write: checks if_revision (ABORTED), lets `fn` build the next
 * state, applies it (INVALID_ARGUMENT with the diagnostics in the
 * message), persists it (INTERNAL when that fails: the engine is set
 * back), publishes it, and fills the response (result->response, freed by
 * rules_write_release). `reload`: the engine re-reads the config files. */
void rules_write_run(rules_module *m, uint64_t if_revision, rules_write_fn fn, const void *request, bool reload,
		     const char *what, fapi_unary_result *result);
void rules_write_release(const ProtobufCMessage *response, void *user);

/* A file_info message (malloc'd) for an API file. */
Falco__Rules__FileInfo *rules_write_file_info(const rules_file *f);

/* The handlers (one file each). */
void rules_list_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *r, void *user);
void rules_get_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *r, void *user);
void rules_validate_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *r, void *user);
void rules_put_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *r, void *user);
void rules_delete_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *r, void *user);
void rules_enable_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *r, void *user);
void rules_reload_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *r, void *user);

/* Audit summaries (rules_audit.c): file names with the sha256 of their
 * new content, rule names and tags. */
void rules_audit_put(const ProtobufCMessage *req, char *buf, size_t buflen, void *user);
void rules_audit_delete(const ProtobufCMessage *req, char *buf, size_t buflen, void *user);
void rules_audit_enable(const ProtobufCMessage *req, char *buf, size_t buflen, void *user);
void rules_audit_reload(const ProtobufCMessage *req, char *buf, size_t buflen, void *user);

/* Checks the files of a put or validate request against the names and
 * limits. FAPI_STATUS_OK or INVALID_ARGUMENT with msg. */
fapi_status_code rules_put_check(const rules_module *m, Falco__Rules__ApiFile *const *files, size_t n, char *msg,
				 size_t msglen);

#endif
