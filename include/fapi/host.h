#ifndef FAPI_HOST_H
#define FAPI_HOST_H

/* The table of host services a module receives in its init callback.
 *
 * The table is append-only: a field, once published, keeps its offset and
 * meaning forever. A module built against a newer SDK must check `size`
 * before using a field the running host may not have (FAPI_HOST_HAS).
 *
 * Since ABI 1.4 every struct that crosses the boundary starts with its
 * size and has a FAPI_<NAME>_INIT initializer (fapi_unary_method,
 * fapi_stream_method, fapi_alert_view, fapi_alert_sub_opts,
 * fapi_alert_sub_stats, fapi_module_info, fapi_version_info, fapi_identity,
 * the rules structs): whoever fills a struct reads or writes only the
 * members its size reaches, so a member added later never breaks a module
 * built earlier. A size of 0 stands for the struct's layout as ABI 1.4
 * published it (a zeroed struct, or a designated initializer without
 * .size, works but never sees a later member); an out-struct left
 * uninitialised has a garbage size, so initialise every one. A module
 * built for ABI 1.1 to 1.3 (whose structs have no
 * size) is handed a table whose functions take and fill the layouts of its
 * own ABI. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fapi/config_keys.h"
#include "fapi/engine.h"
#include "fapi/http.h"
#include "fapi/input.h"
#include "fapi/losses.h"
#include "fapi/rpc.h"
#include "fapi/rules.h"
#include "fapi/status.h"

/* Identifies the calling module to the host (log prefix, config subtree,
 * ownership of registrations). Opaque; owned by the host; valid from init
 * until destroy returns. */
typedef struct fapi_module_ctx fapi_module_ctx;

/* A node of the configuration tree (a module's `config:` subtree or below).
 * Opaque; owned by the host; valid until the module's destroy returns. */
typedef struct fapi_config fapi_config;

typedef enum fapi_log_level {
	FAPI_LOG_ERROR = 0,
	FAPI_LOG_WARNING = 1,
	FAPI_LOG_INFO = 2,
	FAPI_LOG_DEBUG = 3
} fapi_log_level;

/* One loaded module as the host reports it (see module_info). The module
 * sets `size` (FAPI_MODULE_INFO_INIT); the host fills the members that fit. */
typedef struct fapi_module_info {
	uint32_t size;            /* required (ABI 1.4) */
	const char *name;         /* host-owned, valid while the host runs */
	const char *version;      /* host-owned */
	const char *description;  /* host-owned */
	const char *library_path; /* the file it was loaded from; host-owned */
	uint32_t abi_major;       /* the ABI the module was built against */
	uint32_t abi_minor;
} fapi_module_info;
#define FAPI_MODULE_INFO_INIT {.size = sizeof(fapi_module_info)}

/* Build facts of the running host (see version_info). The module sets
 * `size` (FAPI_VERSION_INFO_INIT); the host fills the members that fit. */
typedef struct fapi_version_info {
	uint32_t size;              /* required (ABI 1.4) */
	const char *version;        /* semver of the daemon, "0.1.0"; static */
	uint32_t major, minor, patch;
	const char *prerelease;     /* "" when none; static */
	const char *build;          /* semver build metadata, "" when none; static */
	const char *git_commit;     /* short hash or "unknown"; static */
	const char *build_type;     /* CMake build type ("Release", ...); static */
	const char *engine_version; /* rules engine version "0.11.0"; static */
	uint32_t engine_major, engine_minor, engine_patch;
	/* The checksum engine_fields_checksum returns (hosts before ABI 1.2:
	 * ""); static. */
	const char *engine_fields_checksum;
	uint32_t abi_major, abi_minor;      /* the host's module ABI */
} fapi_version_info;
#define FAPI_VERSION_INFO_INIT {.size = sizeof(fapi_version_info)}

/* A question to the host's authz_check (ABI 1.4): would the caller still
 * be allowed to call a method under the policy that a configuration change
 * would give? Set `size` to sizeof(fapi_authz_query) (FAPI_AUTHZ_QUERY_INIT;
 * 0 stands for this layout); the strings are the caller's and only read
 * during the call. */
typedef struct fapi_authz_query {
	uint32_t size;                  /* required: sizeof(fapi_authz_query) as the module was built */
	const char *path;               /* required: the method's path, named in the denial */
	fapi_method_class method_class; /* required: READ or WRITE (UNSET counts as WRITE) */
	const char *permission;         /* optional: the method's own permission, or NULL */
	/* The change, as -o would write it: `keys[i]` (dotted path,
	 * "grpc.authorization.grants") takes the YAML text `values[i]`
	 * ("[{uid: 0, permissions: [write]}]") on top of the running
	 * configuration. n may be 0: the running policy itself. */
	const char *const *keys;
	const char *const *values;
	size_t n;
} fapi_authz_query;

#define FAPI_AUTHZ_QUERY_INIT {.size = sizeof(fapi_authz_query)}

typedef struct fapi_host {
	uint32_t size;      /* sizeof(fapi_host) as the host was built */
	uint32_t abi_major; /* FAPI_ABI_MAJOR of the host */
	uint32_t abi_minor; /* FAPI_ABI_MINOR of the host */

	/* Logs one line prefixed with the module's name. Never fails. */
	void (*log)(fapi_module_ctx *ctx, fapi_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* The module's `config:` subtree from falco.yaml, or NULL when it has
	 * none. */
	const fapi_config *(*config)(fapi_module_ctx *ctx);
	/* Looks up a dotted path ("queue.capacity", "items[2]") below `node`
	 * ("" is the node itself). NULL when absent. */
	const fapi_config *(*config_get)(const fapi_config *node, const char *path);
	/* Typed reads of `path` below `node`. Each returns FAPI_OK and sets *out,
	 * FAPI_ENOTFOUND (with *out = def) when absent, or FAPI_EINVAL with a
	 * message naming file:line:column in err when of the wrong type. The
	 * string is owned by the host. */
	int (*config_string)(const fapi_config *node, const char *path, const char *def, const char **out, char *err,
			     size_t errlen);
	int (*config_int)(const fapi_config *node, const char *path, int64_t def, int64_t *out, char *err,
			  size_t errlen);
	int (*config_bool)(const fapi_config *node, const char *path, bool def, bool *out, char *err, size_t errlen);
	/* Number of items of a sequence node (0 for anything else). */
	size_t (*config_count)(const fapi_config *node);

	/* Registration, allowed only inside register_rpcs. The descriptor is
	 * copied; the strings and protobuf descriptors it points to must be
	 * static. Returns FAPI_OK, FAPI_EEXIST when the path is taken (err names
	 * the module holding it), FAPI_EINVAL for a malformed descriptor, or
	 * FAPI_ECLOSED outside register_rpcs. */
	int (*register_unary)(fapi_module_ctx *ctx, const fapi_unary_method *method, char *err, size_t errlen);
	int (*register_server_stream)(fapi_module_ctx *ctx, const fapi_stream_method *method, char *err,
				      size_t errlen);
	int (*register_bidi_stream)(fapi_module_ctx *ctx, const fapi_stream_method *method, char *err,
				    size_t errlen);

	/* Encodes `message` at once (the caller keeps ownership) and queues it.
	 * Returns FAPI_OK, FAPI_EFULL when max_queued messages wait already,
	 * FAPI_ECLOSED when the call is over or finishing, FAPI_EINVAL for a
	 * message of the wrong type. Thread-safe. */
	int (*stream_write)(fapi_stream *stream, const ProtobufCMessage *message);
	/* Ends the call with a status once the queued messages are sent.
	 * Returns FAPI_OK or FAPI_ECLOSED when already finished. on_close
	 * follows. Thread-safe. */
	int (*stream_finish)(fapi_stream *stream, fapi_status_code code, const char *message);
	/* Messages queued and not yet handed to gRPC. Thread-safe. */
	size_t (*stream_queued)(fapi_stream *stream);
	/* A per-stream pointer for the module (NULL at start). */
	void (*stream_set_user)(fapi_stream *stream, void *user);
	void *(*stream_user)(fapi_stream *stream);

	/* Build facts of the host; fills the members of *out that fit in
	 * out->size (set by the caller) with static strings. */
	void (*version_info)(fapi_version_info *out);
	/* Number of loaded modules and the i-th, in load order (the members of
	 * *out that fit in out->size, set by the caller). Returns FAPI_OK,
	 * FAPI_ENOTFOUND when i is out of range, FAPI_EINVAL when out->size
	 * does not reach name. */
	size_t (*module_count)(fapi_module_ctx *ctx);
	int (*module_info)(fapi_module_ctx *ctx, size_t i, fapi_module_info *out);

	/* ---- ABI 1.1: engine access (see fapi/engine.h) ---- */

	/* Subscribes to alerts. Returns FAPI_OK and *out, FAPI_EINVAL (bad
	 * options) or FAPI_EUNSUPPORTED when the daemon runs no engine. Allowed
	 * from start on (not in init). */
	int (*alert_subscribe)(fapi_module_ctx *ctx, const fapi_alert_sub_opts *opts, fapi_alert_sub **out,
			       char *err, size_t errlen);
	/* Ends a subscription: once it returns, filter and notify are never
	 * called again for it and its queued alerts are released. Not from
	 * inside filter or notify. */
	void (*alert_unsubscribe)(fapi_alert_sub *sub);
	/* Takes the oldest queued alert (the caller owns a reference, released
	 * with alert_release), or NULL when none. *lost receives the number of
	 * alerts this subscriber lost (queue full) since its previous pop.
	 * Non-blocking; calls on one subscription must not overlap. */
	fapi_alert *(*alert_pop)(fapi_alert_sub *sub, uint64_t *lost);
	void (*alert_release)(fapi_alert *alert);
	/* Fills the members of *out that fit in out->size (set by the caller)
	 * with the alert's contents (pointers owned by the alert). */
	void (*alert_view)(const fapi_alert *alert, fapi_alert_view *out);
	/* Likewise for the subscription's counters. */
	void (*alert_sub_stats)(fapi_alert_sub *sub, fapi_alert_sub_stats *out);
	/* A setting of falco.yaml outside the module's own subtree ("json_output",
	 * "grpc_output.enabled"), or NULL when absent. */
	const fapi_config *(*config_root)(fapi_module_ctx *ctx);
	/* Asks for the stream's on_writable to run soon on a gRPC thread
	 * (coalesced while one is pending), so that a thread that must not
	 * block, such as the engine's, can hand writing over. Returns FAPI_OK
	 * or FAPI_ECLOSED. Thread-safe. */
	int (*stream_wake)(fapi_stream *stream);

	/* ---- ABI 1.2: the engine's fields ---- */

	/* The checksum of the fields every event source of the engine offers:
	 * SHA-256, in lower-case hex, over the set of (source, field name,
	 * type), so that equal field sets give equal checksums and a client
	 * can tell whether conditions written for one daemon find the same
	 * fields on another (Falco's engine_fields_checksum). Returns a
	 * host-owned string, valid until the module's destroy returns; "" when
	 * it cannot be computed. Thread-safe. */
	const char *(*engine_fields_checksum)(fapi_module_ctx *ctx);

	/* ---- added in 0.1 after ABI 1.2 (test with FAPI_HOST_HAS): reflection ---- */

	/* Hands the host the descriptors of the module's .proto files, so that
	 * gRPC reflection (grpcurl, Postman) can describe its methods: `set` is
	 * a serialised google.protobuf.FileDescriptorSet with the files the
	 * methods use and their imports (protoc --include_imports
	 * --descriptor_set_out; see cmake/descriptor_set.cmake in the source
	 * tree), copied by the host. Optional; allowed only inside
	 * register_rpcs. Returns FAPI_OK, FAPI_EINVAL (not a descriptor set),
	 * FAPI_ECLOSED outside register_rpcs, FAPI_ENOMEM; err says why. */
	int (*register_descriptors)(fapi_module_ctx *ctx, const uint8_t *set, size_t len, char *err, size_t errlen);

	/* ---- ABI 1.3: identities ---- */

	/* Fills *out (out->size set by the caller) with who is behind `peer`,
	 * which must be a peer the host handed to a callback (on_open, a unary
	 * handler). Returns FAPI_OK, or FAPI_EINVAL for a NULL argument or a
	 * size smaller than the first two members. Thread-safe. */
	int (*peer_identity)(const fapi_peer *peer, fapi_identity *out);

	/* ---- ABI 1.4: durable state ---- */

	/* Creates the directory `dir` and its missing parents with mode 0700
	 * (a module's state_dir). Returns FAPI_OK, or FAPI_EINVAL with err
	 * naming the path and the reason. Thread-safe. */
	int (*state_dir_prepare)(fapi_module_ctx *ctx, const char *dir, char *err, size_t errlen);
	/* Replaces dir/name (a plain file name) with data[0..len), mode 0600,
	 * crash-safely: a temporary file in dir, fsync, rename over the
	 * target, fsync of dir, all before it returns; a reader sees the old
	 * content or the new, never a mix, whenever the machine stops. The
	 * caller keeps `data`. Returns FAPI_OK, or FAPI_EINVAL (bad name) or
	 * FAPI_EIO with err, the target then unchanged. Thread-safe for
	 * distinct names; calls replacing one name must not overlap. */
	int (*state_write)(fapi_module_ctx *ctx, const char *dir, const char *name, const void *data, size_t len,
			   char *err, size_t errlen);
	/* Removes dir/name durably (fsync of dir); a missing file is FAPI_OK.
	 * FAPI_EINVAL or FAPI_EIO with err. Thread-safe. */
	int (*state_remove)(fapi_module_ctx *ctx, const char *dir, const char *name, char *err, size_t errlen);
	/* ---- ABI 1.4: rules operations (see fapi/rules.h) ---- */

	/* Common to the group. Callable from start on (not in init), from any
	 * thread except the engine's (not from an alert filter or notify:
	 * FAPI_EINVAL). Calls that change the set (rules_apply, rules_reload,
	 * and the daemon's own SIGHUP reload) are serialised; each loads and
	 * compiles the new set off to the side and holds the engine thread only
	 * for the swap between two events. Diagnostics: on FAPI_OK and on
	 * FAPI_EINVAL for a set with errors, *diags receives a host-owned list
	 * (never NULL then; free it with rules_diags_free) holding every error
	 * and every warning found; on any other code *diags is NULL and err
	 * says why. FAPI_EUNSUPPORTED: the daemon runs no engine. */

	/* Validates the set that config files + `set` would make (as if this
	 * module's contribution were replaced by `set`), changing nothing.
	 * Returns FAPI_OK (it would apply; *diags may hold warnings) or
	 * FAPI_EINVAL (a malformed `set`, e.g. a bad document name, or a set
	 * with errors: see *diags). */
	int (*rules_validate)(fapi_module_ctx *ctx, const fapi_rules_set *set, fapi_rules_diags **diags, char *err,
			      size_t errlen);
	/* Validates as rules_validate, then swaps the new set in atomically:
	 * every event is evaluated by the old set or the new one, none by both
	 * or neither. On FAPI_OK the core keeps `set` (copied) as this module's
	 * contribution, replacing its previous one (documents AND toggles: pass
	 * the whole desired state each time; a set with ndocs = ntoggles = 0
	 * withdraws it), and *generation (optional) receives the new set's
	 * generation; rules whose name and condition are unchanged keep their
	 * match counters. On failure nothing changed: same generation, same
	 * rules, same counters, same kept contribution. */
	int (*rules_apply)(fapi_module_ctx *ctx, const fapi_rules_set *set, uint64_t *generation,
			   fapi_rules_diags **diags, char *err, size_t errlen);
	/* As SIGHUP does for rules: re-reads the config rules files from disk
	 * (the paths falco.yaml and -r name at the moment) and applies them with
	 * every module's kept contribution. Same results as rules_apply; on
	 * failure the running set stays. */
	int (*rules_reload)(fapi_module_ctx *ctx, uint64_t *generation, fapi_rules_diags **diags, char *err,
			    size_t errlen);
	/* Fills *out with a host-owned snapshot of the running set: its rules
	 * with their current match counts, its files, its generation. Free it
	 * with rules_list_free. Cheap (no parsing, one allocation per call,
	 * strings shared with the running set) and never waits for an apply in
	 * progress. Returns FAPI_OK, FAPI_ENOMEM or FAPI_EUNSUPPORTED. */
	int (*rules_list)(fapi_module_ctx *ctx, fapi_rules_list **out, char *err, size_t errlen);
	/* Frees what rules_list returned; NULL is a no-op. */
	void (*rules_list_free)(fapi_rules_list *list);
	/* Frees what rules_validate, rules_apply or rules_reload returned in
	 * *diags; NULL is a no-op. */
	void (*rules_diags_free)(fapi_rules_diags *diags);

	/* ---- ABI 1.4: configuration ---- */

	/* The daemon's configuration as the table of keys (fapi/config_keys.h)
	 * knows it: the daemon's keys and every loaded module's. A revision
	 * number counts its changes: 1 at start-up, +1 for each successful
	 * config_set, config_reset and reload (SIGHUP, a watched file) that
	 * changed a value. All of these are thread-safe; changes are
	 * serialised among themselves and with reloads. Values set through the
	 * API are kept by the host in an overlay file (the `configs` module's
	 * config.state_dir, default /var/lib/falco-apid/configs, file
	 * overlay.yaml, replaced crash-safely), read after falco.yaml and
	 * before -o at every start. */

	/* Takes a snapshot of the keys at `path`: NULL or "" for all; a key
	 * ("outputs.rate"); or a subtree ("outputs", "modules.outputs": every
	 * key below it). *out is the caller's, freed with config_snapshot_free.
	 * Returns FAPI_OK, FAPI_ENOTFOUND when no key matches (err names the
	 * path), FAPI_ENOMEM. */
	int (*config_list)(fapi_module_ctx *ctx, const char *path, fapi_config_snapshot **out, char *err,
			   size_t errlen);
	/* Entries of a snapshot, in table order (the daemon's keys, then each
	 * module's in load order). config_snapshot_entry fills *out (its size
	 * set by the caller) with strings owned by the snapshot; FAPI_OK, or
	 * FAPI_ENOTFOUND when i is out of range, FAPI_EINVAL for a bad size. */
	size_t (*config_snapshot_count)(const fapi_config_snapshot *snap);
	int (*config_snapshot_entry)(const fapi_config_snapshot *snap, size_t i, fapi_config_entry *out);
	/* The snapshot's part of the configuration as block YAML text (the
	 * whole document for "", one `key: value` line for a key, the subtree
	 * under its path's keys otherwise); owned by the snapshot. */
	const char *(*config_snapshot_yaml)(const fapi_config_snapshot *snap);
	uint64_t (*config_snapshot_revision)(const fapi_config_snapshot *snap);
	void (*config_snapshot_free)(fapi_config_snapshot *snap);

	/* Sets changes[0..n) together, all or none: each value is checked
	 * against its key (type, range, enum values), then the whole
	 * configuration that would result is checked as at start-up, cross-key
	 * rules included (a TCP listener needs grpc.private_key, cert_chain and
	 * root_certs). Then the overlay file is written, hot keys take effect
	 * between two events, reload-class keys through the reload path,
	 * restart-class keys are stored and reported in result->pending. The
	 * caller keeps `changes` and everything it points to. Returns FAPI_OK
	 * and fills *result (new revision); FAPI_EINVAL (unknown key, wrong
	 * type, out of range, a cross-key rule) with result->key and err
	 * naming the key; FAPI_ECONFLICT when opts->if_revision is set and not
	 * current; FAPI_EIO when the overlay cannot be written; FAPI_ENOMEM.
	 * On every failure nothing changed. Guarded keys are NOT refused here:
	 * the configs module applies its guard rails before calling. */
	int (*config_set)(fapi_module_ctx *ctx, const fapi_config_change *changes, size_t n,
			  const fapi_config_set_opts *opts, fapi_config_result *result, char *err, size_t errlen);
	/* Removes paths[0..n) (keys or subtrees) from the overlay, so that
	 * they take what falco.yaml, -o and the defaults say, applied as
	 * config_set applies. A path the overlay does not hold is no error
	 * (but an unknown key is: FAPI_EINVAL). Same returns as config_set. */
	int (*config_reset)(fapi_module_ctx *ctx, const char *const *paths, size_t n, const fapi_config_set_opts *opts,
			    fapi_config_result *result, char *err, size_t errlen);
	/* Frees what config_set or config_reset put in *result (not result
	 * itself); safe on a result they never filled, if zeroed past size. */
	void (*config_result_free)(fapi_config_result *result);
	/* The current revision. */
	uint64_t (*config_revision)(fapi_module_ctx *ctx);

	/* ---- ABI 1.4: authorisation check ---- */

	/* Evaluates the authorisation policy (grpc.authorization) that the
	 * configuration as stored now (falco.yaml, the overlay, -o: what the
	 * next start reads) with q's changes would give, for the identity
	 * behind `peer` (a peer the host handed to a unary handler, during that
	 * handler), calling q->path. Sets *allowed, with the denial naming the
	 * missing permission in msg when false, and returns FAPI_OK; or returns
	 * FAPI_EINVAL (a NULL argument, q->size too small, a change that does
	 * not parse or gives no valid policy: msg says which key and why), the
	 * running configuration then unchanged either way: nothing is applied.
	 * Thread-safe. */
	int (*authz_check)(fapi_module_ctx *ctx, const fapi_peer *peer, const fapi_authz_query *q, bool *allowed,
			   char *msg, size_t msglen);
	/* ---- ABI 1.4: loss reports (see fapi/losses.h) ---- */

	/* Lists every source of losses of a kind in `kinds` (FAPI_LOSS_BIT
	 * mask, FAPI_LOSS_ALL): fn is called once per source, on the calling
	 * thread, with running totals (see fapi_loss_source). Returns the
	 * number listed (0 when the daemon runs no engine: no bus, no kernel
	 * counters). Never blocks the engine: it reads atomics and copies each
	 * subscriber's counters under that subscriber's own lock. Allowed
	 * from start on. Thread-safe. */
	size_t (*loss_sources)(fapi_module_ctx *ctx, uint32_t kinds, fapi_loss_source_fn fn, void *user);
	/* Registers an input queue whose losses the module reports (the
	 * inputs module): it is then listed as a FAPI_LOSS_INPUT_QUEUE source.
	 * Returns FAPI_OK and *out (owned by the host until
	 * loss_input_unregister), FAPI_EINVAL (opts NULL, size too small, no
	 * name) or FAPI_ENOMEM, with err. Thread-safe. */
	int (*loss_input_register)(fapi_module_ctx *ctx, const fapi_loss_input_opts *opts, fapi_loss_input **out,
				   char *err, size_t errlen);
	/* Adds `lost` entries to the input's running total and records its
	 * depth now. Lock-free and cheap: call it where the queue drops. Any
	 * thread; never after loss_input_unregister. */
	void (*loss_input_report)(fapi_loss_input *in, uint64_t lost, uint64_t depth);
	/* Ends the registration and frees it; NULL is fine. Thread-safe, but
	 * not concurrently with loss_input_report on the same input. */
	void (*loss_input_unregister)(fapi_loss_input *in);
	/* Tells who is behind a subscription (copied; truncated to 127
	 * bytes), so that loss reports name it: fapi_loss_source.identity.
	 * Optional for a module; NULL sub is fine. Thread-safe. */
	void (*alert_sub_set_identity)(fapi_alert_sub *sub, const char *identity);
	/* ---- ABI 1.5: HTTP routes and metrics (see fapi/http.h) ---- */

	/* Adds a route to the core's HTTP server. Only inside register_rpcs.
	 * Returns FAPI_OK, FAPI_EINVAL (NULL or size too small, no method,
	 * a path not starting with '/', no handler), FAPI_EEXIST (that
	 * method and path are taken, by the core's /healthz or /metrics or
	 * another route), FAPI_ECLOSED (outside register_rpcs) or
	 * FAPI_ENOMEM, with err. The route lives until the daemon stops.
	 * Main thread only (register_rpcs). */
	int (*http_route_register)(fapi_module_ctx *ctx, const fapi_http_route *route, char *err, size_t errlen);
	/* Adds a collector whose samples /metrics and the metrics snapshots
	 * show after the core's. Only inside register_rpcs. Returns FAPI_OK,
	 * FAPI_EINVAL (NULL, size too small, no name or collect),
	 * FAPI_ECLOSED or FAPI_ENOMEM, with err. Main thread only. */
	int (*metrics_collector_register)(fapi_module_ctx *ctx, const fapi_metrics_collector *c, char *err,
					  size_t errlen);
	/* Starts a metric family: writes its "# HELP" (help escaped as the
	 * text format wants; NULL or "" = none) and "# TYPE" lines. A name
	 * must match [a-zA-Z_:][a-zA-Z0-9_:]* (counters should end in
	 * _total); an invalid one is refused (nothing written, FAPI_EINVAL).
	 * Writing a family twice in one scrape is the collector's bug (the
	 * page then fails promtool). Only during a collect call, with its w. */
	int (*metrics_family)(fapi_metrics_writer *w, const char *name, fapi_metric_type type, const char *help);
	/* Writes one sample of the family just started: `name` (the family's
	 * name), nlabels label pairs in labels[2*i] (name, [a-zA-Z_][a-zA-Z0-9_]*)
	 * and labels[2*i+1] (value: any UTF-8, escaped by the host), and the
	 * value (NaN and infinities written as Prometheus spells them). Returns
	 * FAPI_OK or FAPI_EINVAL (an invalid metric or label name: nothing
	 * written). Only during a collect call, with its w. */
	int (*metrics_sample)(fapi_metrics_writer *w, const char *name, const char *const *labels, size_t nlabels,
			      double value);
	/* metrics_sample for an exact integer (counters above 2^53 keep
	 * every digit). */
	int (*metrics_sample_u64)(fapi_metrics_writer *w, const char *name, const char *const *labels,
				  size_t nlabels, uint64_t value);

	/* ---- ABI 1.5: event input (see fapi/input.h) ---- */

	/* Opens a handle on the engine source `source` ("k8s_audit") for one
	 * submitter. Returns FAPI_OK and *out (freed by input_close),
	 * FAPI_ENOTFOUND (no such JSON source: err says so), FAPI_EUNSUPPORTED
	 * (the daemon runs no engine) or FAPI_ENOMEM. Allowed from start on.
	 * Thread-safe. */
	int (*input_open)(fapi_module_ctx *ctx, const char *source, fapi_input **out, char *err, size_t errlen);
	/* Copies the batch (the caller keeps it) and queues it for the input
	 * thread; batch->done follows, once, in submission order. Returns
	 * FAPI_OK, FAPI_EINVAL (malformed batch), FAPI_ENOMEM or FAPI_ECLOSED
	 * (shutting down); done is not called then. Never blocks on the
	 * engine. Thread-safe; calls on one handle must not overlap with its
	 * input_close. */
	int (*input_submit)(fapi_input *in, const fapi_input_batch *batch, char *err, size_t errlen);
	/* Ends the handle: batches not yet evaluated are discarded, their done
	 * called on this thread with result->discarded set; a batch being
	 * evaluated is waited for. Returns the number of events discarded (a
	 * loss the module reports). NULL is fine. Not from a done callback. */
	uint64_t (*input_close)(fapi_input *in);
	/* Bidirectional streams: stop posting reads (the client's sends then
	 * block by gRPC flow control) until stream_read_resume. A read in
	 * flight still completes and reaches on_read. Thread-safe; from
	 * on_open until on_close. */
	void (*stream_read_pause)(fapi_stream *stream);
	void (*stream_read_resume)(fapi_stream *stream);
	/* Writes one audit record (fapi/input.h fapi_stream_audit) about the
	 * stream, with the identity and method of the call, as the record the
	 * core wrote when it opened: to grpc.audit_log and the daemon log.
	 * Nothing is written for a read-class method or when the daemon
	 * records no audit (no policy). Returns FAPI_OK or FAPI_EINVAL (a
	 * malformed record: err says why). Thread-safe; from on_open until
	 * on_close returns (on_close is where a stream's counts are final). */
	int (*stream_audit)(fapi_stream *stream, const fapi_stream_audit *rec, char *err, size_t errlen);

	/* ---- ABI 1.6: alerts in batches ---- */

	/* As alert_pop, for up to `max` alerts at once: fills out[0..n) with
	 * the oldest queued, oldest first (the caller owns a reference to
	 * each, released with alert_release) and returns n, 0 when none. *lost
	 * (optional) receives the alerts this subscriber lost before the
	 * first of them since its previous pop. One lock for the batch where
	 * alert_pop takes one per alert, which the engine, pushing, would wait
	 * for: a subscriber that keeps up with a fast engine should use this.
	 * Non-blocking; calls on one subscription must not overlap (nor with
	 * its alert_pop). */
	size_t (*alert_pop_many)(fapi_alert_sub *sub, fapi_alert **out, size_t max, uint64_t *lost);
} fapi_host;

/* True when the running host's table reaches `field`. */
#define FAPI_HOST_HAS(host, field) \
	((host)->size >= offsetof(fapi_host, field) + sizeof(((fapi_host *)0)->field))

#endif
