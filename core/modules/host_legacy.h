#ifndef FAPI_HOST_LEGACY_H
#define FAPI_HOST_LEGACY_H

/* Modules built for ABI 1.1 to 1.3: their structs have no size member.
 * Their layouts are frozen here, as those ABIs published them (the last
 * members of the method descriptors came with 1.2 and 1.3: a module of an
 * older minor has a shorter struct, see ctx->abi_minor), and such a module
 * receives the table host_legacy_table returns: the current table whose
 * functions taking or filling one of these structs are replaced by ones
 * that take or fill the frozen layout. NEVER change a struct here. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fapi/host.h"
#include "modules/loader.h"
#include "server/service_table.h"

typedef struct fapi_v13_unary_method {
	const char *path;
	const ProtobufCMessageDescriptor *request_type;
	const ProtobufCMessageDescriptor *response_type;
	void (*handler)(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			void *user);
	void *user;
	/* 1.3 */
	fapi_method_class method_class;
	const char *permission;
	void (*audit_summary)(const ProtobufCMessage *request, char *buf, size_t buflen, void *user);
} fapi_v13_unary_method;

typedef struct fapi_v13_stream_method {
	const char *path;
	const ProtobufCMessageDescriptor *request_type;
	const ProtobufCMessageDescriptor *response_type;
	fapi_status_code (*on_open)(fapi_stream *stream, const ProtobufCMessage *request, const fapi_peer *peer,
				    void *user, char *msg, size_t msglen);
	fapi_status_code (*on_read)(fapi_stream *stream, const ProtobufCMessage *message, void *user, char *msg,
				    size_t msglen);
	void (*on_read_end)(fapi_stream *stream, void *user);
	void (*on_writable)(fapi_stream *stream, void *user);
	void (*on_close)(fapi_stream *stream, fapi_status_code why, void *user);
	void *user;
	size_t max_queued;
	/* 1.2 */
	void (*on_shutdown)(fapi_stream *stream, void *user);
	/* 1.3 */
	fapi_method_class method_class;
	const char *permission;
	void (*audit_summary)(const ProtobufCMessage *request, char *buf, size_t buflen, void *user);
} fapi_v13_stream_method;

typedef struct fapi_v13_alert_view {
	uint64_t seq;
	uint64_t time_ns;
	uint64_t created_ns;
	uint32_t priority;
	const char *rule;
	const char *source;
	const char *hostname;
	const char *output;
	const char *text;
	const char *fields_json;
	const char *const *tags;
	size_t ntags;
	const fapi_alert_field *fields;
	size_t nfields;
} fapi_v13_alert_view;

typedef struct fapi_v13_alert_sub_opts {
	size_t capacity;
	bool (*filter)(const fapi_v13_alert_view *alert, void *user);
	void (*notify)(fapi_alert_sub *sub, void *user);
	void *user;
	const char *name;
} fapi_v13_alert_sub_opts;

typedef struct fapi_v13_alert_sub_stats {
	uint64_t accepted;
	uint64_t filtered_out;
	uint64_t delivered;
	uint64_t dropped;
	size_t depth;
	size_t capacity;
	size_t high_water;
} fapi_v13_alert_sub_stats;

typedef struct fapi_v13_module_info {
	const char *name;
	const char *version;
	const char *description;
	const char *library_path;
	uint32_t abi_major;
	uint32_t abi_minor;
} fapi_v13_module_info;

typedef struct fapi_v13_version_info {
	const char *version;
	uint32_t major, minor, patch;
	const char *prerelease;
	const char *build;
	const char *git_commit;
	const char *build_type;
	const char *engine_version;
	uint32_t engine_major, engine_minor, engine_patch;
	const char *engine_fields_checksum;
	uint32_t abi_major, abi_minor;
} fapi_v13_version_info;

/* The table for a module built for ABI 1.1 to 1.3. */
const fapi_host *host_legacy_table(void);

/* Shared with the current table (host_table.c). */
int host_register_method(fapi_module_ctx *ctx, service_kind kind, const void *method, char *err, size_t errlen);
void host_version_info_full(fapi_version_info *out);
int host_module_info_full(fapi_module_ctx *ctx, size_t i, fapi_module_info *out);
/* host_alerts.c: a subscription whose filter takes the frozen view. */
int host_alert_subscribe_v13(fapi_module_ctx *ctx, const fapi_v13_alert_sub_opts *opts, fapi_alert_sub **out,
			     char *err, size_t errlen);
void host_alert_view_v13(const fapi_alert *alert, fapi_v13_alert_view *out);

#endif
