#ifndef FAPI_HOST_H
#define FAPI_HOST_H

/* The table of host services a module receives in its init callback.
 *
 * The table is append-only: a field, once published, keeps its offset and
 * meaning forever. A module built against a newer SDK must check `size`
 * before using a field the running host may not have (FAPI_HOST_HAS). */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fapi/engine.h"
#include "fapi/rpc.h"
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

/* One loaded module as the host reports it (see module_info). */
typedef struct fapi_module_info {
	const char *name;         /* host-owned, valid while the host runs */
	const char *version;      /* host-owned */
	const char *description;  /* host-owned */
	const char *library_path; /* the file it was loaded from; host-owned */
	uint32_t abi_major;       /* the ABI the module was built against */
	uint32_t abi_minor;
} fapi_module_info;

/* Build facts of the running host (see version_info). */
typedef struct fapi_version_info {
	const char *version;        /* semver of the daemon, "0.1.0"; static */
	uint32_t major, minor, patch;
	const char *prerelease;     /* "" when none; static */
	const char *build;          /* semver build metadata, "" when none; static */
	const char *git_commit;     /* short hash or "unknown"; static */
	const char *build_type;     /* CMake build type ("Release", ...); static */
	const char *engine_version; /* rules engine version "0.11.0"; static */
	uint32_t engine_major, engine_minor, engine_patch;
	const char *engine_fields_checksum; /* "" when unknown; static */
	uint32_t abi_major, abi_minor;      /* the host's module ABI */
} fapi_version_info;

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

	/* Build facts of the host; fills *out with static strings. */
	void (*version_info)(fapi_version_info *out);
	/* Number of loaded modules and the i-th, in load order. Returns FAPI_OK
	 * or FAPI_ENOTFOUND when i is out of range. */
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
	/* Fills *out with the alert's contents (pointers owned by the alert). */
	void (*alert_view)(const fapi_alert *alert, fapi_alert_view *out);
	void (*alert_sub_stats)(fapi_alert_sub *sub, fapi_alert_sub_stats *out);
	/* A setting of falco.yaml outside the module's own subtree ("json_output",
	 * "grpc_output.enabled"), or NULL when absent. */
	const fapi_config *(*config_root)(fapi_module_ctx *ctx);
	/* Asks for the stream's on_writable to run soon on a gRPC thread
	 * (coalesced while one is pending), so that a thread that must not
	 * block, such as the engine's, can hand writing over. Returns FAPI_OK
	 * or FAPI_ECLOSED. Thread-safe. */
	int (*stream_wake)(fapi_stream *stream);
} fapi_host;

/* True when the running host's table reaches `field`. */
#define FAPI_HOST_HAS(host, field) \
	((host)->size >= offsetof(fapi_host, field) + sizeof(((fapi_host *)0)->field))

#endif
