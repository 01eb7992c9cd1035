/* The host table of modules built for ABI 1.1 to 1.3 (host_legacy.h): each
 * frozen layout converted to the current one on the way in, and the other
 * way on the way out. */

#include "modules/host_legacy.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "modules/host_alerts.h"

static int host_legacy_register_unary(fapi_module_ctx *ctx, const fapi_unary_method *arg, char *err, size_t errlen)
{
	const fapi_v13_unary_method *m = (const fapi_v13_unary_method *)(const void *)arg;
	if (!m) {
		snprintf(err, errlen, "unary method: NULL");
		return FAPI_EINVAL;
	}
	fapi_unary_method k = FAPI_UNARY_METHOD_INIT;
	k.path = m->path;
	k.request_type = m->request_type;
	k.response_type = m->response_type;
	k.handler = m->handler;
	k.user = m->user;
	/* Before 1.3 the struct ends at user: its methods declare no class
	 * and count as writes. */
	if (ctx->abi_minor >= 3) {
		k.method_class = m->method_class;
		k.permission = m->permission;
		k.audit_summary = m->audit_summary;
	}
	return host_register_method(ctx, SERVICE_UNARY, &k, err, errlen);
}

static int host_legacy_register_stream(fapi_module_ctx *ctx, service_kind kind, const fapi_stream_method *arg,
				       char *err, size_t errlen)
{
	const fapi_v13_stream_method *m = (const fapi_v13_stream_method *)(const void *)arg;
	if (!m) {
		snprintf(err, errlen, "stream method: NULL");
		return FAPI_EINVAL;
	}
	fapi_stream_method k = FAPI_STREAM_METHOD_INIT;
	k.path = m->path;
	k.request_type = m->request_type;
	k.response_type = m->response_type;
	k.on_open = m->on_open;
	k.on_read = m->on_read;
	k.on_read_end = m->on_read_end;
	k.on_writable = m->on_writable;
	k.on_close = m->on_close;
	k.user = m->user;
	k.max_queued = m->max_queued;
	if (ctx->abi_minor >= 2)
		k.on_shutdown = m->on_shutdown;
	if (ctx->abi_minor >= 3) {
		k.method_class = m->method_class;
		k.permission = m->permission;
		k.audit_summary = m->audit_summary;
	}
	return host_register_method(ctx, kind, &k, err, errlen);
}

static int host_legacy_register_server_stream(fapi_module_ctx *ctx, const fapi_stream_method *m, char *err,
					      size_t errlen)
{
	return host_legacy_register_stream(ctx, SERVICE_SERVER_STREAM, m, err, errlen);
}

static int host_legacy_register_bidi_stream(fapi_module_ctx *ctx, const fapi_stream_method *m, char *err,
					    size_t errlen)
{
	return host_legacy_register_stream(ctx, SERVICE_BIDI, m, err, errlen);
}

static void host_legacy_version_info(fapi_version_info *arg)
{
	fapi_v13_version_info *out = (fapi_v13_version_info *)(void *)arg;
	fapi_version_info v;
	host_version_info_full(&v);
	*out = (fapi_v13_version_info){
		.version = v.version,
		.major = v.major,
		.minor = v.minor,
		.patch = v.patch,
		.prerelease = v.prerelease,
		.build = v.build,
		.git_commit = v.git_commit,
		.build_type = v.build_type,
		.engine_version = v.engine_version,
		.engine_major = v.engine_major,
		.engine_minor = v.engine_minor,
		.engine_patch = v.engine_patch,
		.engine_fields_checksum = v.engine_fields_checksum,
		.abi_major = v.abi_major,
		.abi_minor = v.abi_minor,
	};
}

static int host_legacy_module_info(fapi_module_ctx *ctx, size_t i, fapi_module_info *arg)
{
	fapi_v13_module_info *out = (fapi_v13_module_info *)(void *)arg;
	fapi_module_info m;
	int rc = host_module_info_full(ctx, i, &m);
	if (rc == FAPI_OK)
		*out = (fapi_v13_module_info){
			.name = m.name,
			.version = m.version,
			.description = m.description,
			.library_path = m.library_path,
			.abi_major = m.abi_major,
			.abi_minor = m.abi_minor,
		};
	return rc;
}

static int host_legacy_alert_subscribe(fapi_module_ctx *ctx, const fapi_alert_sub_opts *opts, fapi_alert_sub **out,
				       char *err, size_t errlen)
{
	return host_alert_subscribe_v13(ctx, (const fapi_v13_alert_sub_opts *)(const void *)opts, out, err, errlen);
}

static void host_legacy_alert_view(const fapi_alert *alert, fapi_alert_view *out)
{
	host_alert_view_v13(alert, (fapi_v13_alert_view *)(void *)out);
}

static void host_legacy_alert_sub_stats(fapi_alert_sub *sub, fapi_alert_sub_stats *arg)
{
	fapi_v13_alert_sub_stats *out = (fapi_v13_alert_sub_stats *)(void *)arg;
	fapi_alert_sub_stats s = FAPI_ALERT_SUB_STATS_INIT;
	host_alert_sub_stats(sub, &s);
	*out = (fapi_v13_alert_sub_stats){
		.accepted = s.accepted,
		.filtered_out = s.filtered_out,
		.delivered = s.delivered,
		.dropped = s.dropped,
		.depth = s.depth,
		.capacity = s.capacity,
		.high_water = s.high_water,
	};
}

static fapi_host host_legacy;
static pthread_once_t host_legacy_once = PTHREAD_ONCE_INIT;

static void host_legacy_build(void)
{
	host_legacy = *loader_host_table();
	host_legacy.register_unary = host_legacy_register_unary;
	host_legacy.register_server_stream = host_legacy_register_server_stream;
	host_legacy.register_bidi_stream = host_legacy_register_bidi_stream;
	host_legacy.version_info = host_legacy_version_info;
	host_legacy.module_info = host_legacy_module_info;
	host_legacy.alert_subscribe = host_legacy_alert_subscribe;
	host_legacy.alert_view = host_legacy_alert_view;
	host_legacy.alert_sub_stats = host_legacy_alert_sub_stats;
}

const fapi_host *host_legacy_table(void)
{
	pthread_once(&host_legacy_once, host_legacy_build);
	return &host_legacy;
}
