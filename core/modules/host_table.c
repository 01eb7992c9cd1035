/* The host side of the module ABI: every service a module can reach. */

#include <stdio.h>
#include <string.h>

#include "config/config_tree.h"
#include "engine/engine_fields.h"
#include "engine/engine_version.h"
#include "engine/util/file_write.h"
#include "http/metrics_text.h"
#include "log/log.h"
#include "modules/host_alerts.h"
#include "modules/host_authz.h"
#include "modules/host_config.h"
#include "modules/host_http.h"
#include "modules/host_legacy.h"
#include "modules/host_rules.h"
#include "modules/host_struct.h"
#include "modules/host_losses.h"
#include "modules/host_input.h"
#include "modules/loader.h"
#include "server/reflection.h"
#include "server/server.h"

static void host_log(fapi_module_ctx *ctx, fapi_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, ctx ? ctx->name : "module", fmt, ap);
	va_end(ap);
}

/* fapi_config is the SDK's opaque name for a configuration node. */
static const fapi_config *host_config(fapi_module_ctx *ctx)
{
	return (const fapi_config *)ctx->config;
}

static const fapi_config *host_config_get(const fapi_config *node, const char *path)
{
	return node ? (const fapi_config *)config_lookup((const config_node *)node, path) : NULL;
}

static int host_rc(int rc)
{
	return rc == 0 ? FAPI_OK : rc > 0 ? FAPI_ENOTFOUND : FAPI_EINVAL;
}

static int host_config_string(const fapi_config *node, const char *path, const char *def, const char **out,
			      char *err, size_t errlen)
{
	if (!node) {
		*out = def;
		return FAPI_ENOTFOUND;
	}
	return host_rc(config_get_string((const config_node *)node, path, def, out, err, errlen));
}

static int host_config_int(const fapi_config *node, const char *path, int64_t def, int64_t *out, char *err,
			   size_t errlen)
{
	if (!node) {
		*out = def;
		return FAPI_ENOTFOUND;
	}
	return host_rc(config_get_int((const config_node *)node, path, def, out, err, errlen));
}

static int host_config_bool(const fapi_config *node, const char *path, bool def, bool *out, char *err,
			    size_t errlen)
{
	if (!node) {
		*out = def;
		return FAPI_ENOTFOUND;
	}
	return host_rc(config_get_bool((const config_node *)node, path, def, out, err, errlen));
}

static size_t host_config_count(const fapi_config *node)
{
	const config_node *n = (const config_node *)node;
	return n && n->kind == CONFIG_SEQ ? n->count : 0;
}

int host_register_method(fapi_module_ctx *ctx, service_kind kind, const void *method, char *err, size_t errlen)
{
	if (!ctx->registering) {
		snprintf(err, errlen, "register_* is only allowed inside register_rpcs");
		return FAPI_ECLOSED;
	}
	if (kind == SERVICE_UNARY)
		return service_table_add_unary(ctx->table, ctx->name, method, err, errlen);
	return service_table_add_stream(ctx->table, ctx->name, kind, method, err, errlen);
}

/* The descriptor as this host knows it: the members the module's size
 * reaches, the later ones zero. */
static int host_register_unary(fapi_module_ctx *ctx, const fapi_unary_method *m, char *err, size_t errlen)
{
	fapi_unary_method known;
	if (!m || (m->size && m->size < offsetof(fapi_unary_method, user) + sizeof(m->user))) {
		snprintf(err, errlen, "unary method: NULL, or a size too small (FAPI_UNARY_METHOD_INIT)");
		return FAPI_EINVAL;
	}
	host_struct_read(&known, sizeof(known), m, HOST_SIZE_14_UNARY_METHOD);
	return host_register_method(ctx, SERVICE_UNARY, &known, err, errlen);
}

static int host_register_stream(fapi_module_ctx *ctx, service_kind kind, const fapi_stream_method *m, char *err,
				size_t errlen)
{
	fapi_stream_method known;
	if (!m || (m->size && m->size < offsetof(fapi_stream_method, max_queued) + sizeof(m->max_queued))) {
		snprintf(err, errlen, "stream method: NULL, or a size too small (FAPI_STREAM_METHOD_INIT)");
		return FAPI_EINVAL;
	}
	host_struct_read(&known, sizeof(known), m, HOST_SIZE_14_STREAM_METHOD);
	return host_register_method(ctx, kind, &known, err, errlen);
}

static int host_register_server_stream(fapi_module_ctx *ctx, const fapi_stream_method *m, char *err,
				       size_t errlen)
{
	return host_register_stream(ctx, SERVICE_SERVER_STREAM, m, err, errlen);
}

static int host_register_bidi_stream(fapi_module_ctx *ctx, const fapi_stream_method *m, char *err, size_t errlen)
{
	return host_register_stream(ctx, SERVICE_BIDI, m, err, errlen);
}

static int host_register_descriptors(fapi_module_ctx *ctx, const uint8_t *set, size_t len, char *err,
				     size_t errlen)
{
	if (!ctx->registering) {
		snprintf(err, errlen, "register_descriptors is only allowed inside register_rpcs");
		return FAPI_ECLOSED;
	}
	if (!ctx->set->reflection)
		return FAPI_OK;
	return reflection_add_set(ctx->set->reflection, ctx->name, set, len, err, errlen);
}

void host_version_info_full(fapi_version_info *out)
{
	*out = (fapi_version_info){
		.size = sizeof(*out),
		.version = FAPI_VERSION_STRING,
		.major = FAPI_VERSION_MAJOR,
		.minor = FAPI_VERSION_MINOR,
		.patch = FAPI_VERSION_PATCH,
		.prerelease = "",
		.build = "",
		.git_commit = FAPI_GIT_COMMIT,
		.build_type = FAPI_BUILD_TYPE,
		.engine_version = engine_version_string(),
		.engine_major = FAPI_ENGINE_VERSION_MAJOR,
		.engine_minor = FAPI_ENGINE_VERSION_MINOR,
		.engine_patch = FAPI_ENGINE_VERSION_PATCH,
		.engine_fields_checksum = engine_fields_checksum_builtin(),
		.abi_major = FAPI_ABI_MAJOR,
		.abi_minor = FAPI_ABI_MINOR,
	};
}

static void host_version_info(fapi_version_info *out)
{
	fapi_version_info full;
	host_version_info_full(&full);
	host_struct_fill(out, &full, sizeof(full), HOST_SIZE_14_VERSION_INFO);
}

static size_t host_module_count(fapi_module_ctx *ctx)
{
	return ctx->set->count;
}

int host_module_info_full(fapi_module_ctx *ctx, size_t i, fapi_module_info *out)
{
	if (i >= ctx->set->count)
		return FAPI_ENOTFOUND;
	const loaded_module *lm = &ctx->set->mods[i];
	*out = (fapi_module_info){
		.size = sizeof(*out),
		.name = lm->desc->name,
		.version = lm->desc->version ? lm->desc->version : "",
		.description = lm->desc->description ? lm->desc->description : "",
		.library_path = lm->path,
		.abi_major = lm->desc->abi_major,
		.abi_minor = lm->desc->abi_minor,
	};
	return FAPI_OK;
}

static int host_module_info(fapi_module_ctx *ctx, size_t i, fapi_module_info *out)
{
	if (!out || (out->size && !FAPI_STRUCT_HAS(out, fapi_module_info, name)))
		return FAPI_EINVAL;
	fapi_module_info full;
	int rc = host_module_info_full(ctx, i, &full);
	if (rc == FAPI_OK)
		host_struct_fill(out, &full, sizeof(full), HOST_SIZE_14_MODULE_INFO);
	return rc;
}

static const fapi_config *host_config_root(fapi_module_ctx *ctx)
{
	return (const fapi_config *)ctx->set->config_root;
}

static const char *host_engine_fields_checksum(fapi_module_ctx *ctx)
{
	(void)ctx;
	return engine_fields_checksum_builtin();
}

static int host_state_dir_prepare(fapi_module_ctx *ctx, const char *dir, char *err, size_t errlen)
{
	(void)ctx;
	return file_mkdirs(dir, 0700, err, errlen) == 0 ? FAPI_OK : FAPI_EINVAL;
}

static int host_state_rc(const char *name, char *err, size_t errlen, int rc)
{
	(void)err;
	(void)errlen;
	if (rc == 0)
		return FAPI_OK;
	return !name[0] || strchr(name, '/') ? FAPI_EINVAL : FAPI_EIO;
}

static int host_state_write(fapi_module_ctx *ctx, const char *dir, const char *name, const void *data, size_t len,
			    char *err, size_t errlen)
{
	(void)ctx;
	return host_state_rc(name, err, errlen, file_write_atomic(dir, name, data, len, 0600, err, errlen));
}

static int host_state_remove(fapi_module_ctx *ctx, const char *dir, const char *name, char *err, size_t errlen)
{
	(void)ctx;
	return host_state_rc(name, err, errlen, file_remove_durable(dir, name, err, errlen));
}

static const fapi_host host_table = {
	.size = sizeof(fapi_host),
	.abi_major = FAPI_ABI_MAJOR,
	.abi_minor = FAPI_ABI_MINOR,
	.log = host_log,
	.config = host_config,
	.config_get = host_config_get,
	.config_string = host_config_string,
	.config_int = host_config_int,
	.config_bool = host_config_bool,
	.config_count = host_config_count,
	.register_unary = host_register_unary,
	.register_server_stream = host_register_server_stream,
	.register_bidi_stream = host_register_bidi_stream,
	.stream_write = server_stream_write,
	.stream_finish = server_stream_finish,
	.stream_queued = server_stream_queued,
	.stream_set_user = server_stream_set_user,
	.stream_user = server_stream_user,
	.version_info = host_version_info,
	.module_count = host_module_count,
	.module_info = host_module_info,
	.alert_subscribe = host_alert_subscribe,
	.alert_unsubscribe = host_alert_unsubscribe,
	.alert_pop = host_alert_pop,
	.alert_release = host_alert_release,
	.alert_view = host_alert_view,
	.alert_sub_stats = host_alert_sub_stats,
	.config_root = host_config_root,
	.stream_wake = server_stream_wake,
	.engine_fields_checksum = host_engine_fields_checksum,
	.register_descriptors = host_register_descriptors,
	.peer_identity = server_peer_identity,
	.state_dir_prepare = host_state_dir_prepare,
	.state_write = host_state_write,
	.state_remove = host_state_remove,
	.rules_validate = host_rules_validate,
	.rules_apply = host_rules_apply,
	.rules_reload = host_rules_reload,
	.rules_list = host_rules_list,
	.rules_list_free = host_rules_list_free,
	.rules_diags_free = host_rules_diags_free,
	.config_list = host_config_list,
	.config_snapshot_count = host_config_snapshot_count,
	.config_snapshot_entry = host_config_snapshot_entry,
	.config_snapshot_yaml = host_config_snapshot_yaml,
	.config_snapshot_revision = host_config_snapshot_revision,
	.config_snapshot_free = host_config_snapshot_free,
	.config_set = host_config_set,
	.config_reset = host_config_reset,
	.config_result_free = host_config_result_free,
	.config_revision = host_config_revision,
	.authz_check = host_authz_check,
	.loss_sources = host_loss_sources,
	.loss_input_register = host_loss_input_register,
	.loss_input_report = host_loss_input_report,
	.loss_input_unregister = host_loss_input_unregister,
	.alert_sub_set_identity = host_alert_sub_set_identity,
	.http_route_register = host_http_route_register,
	.metrics_collector_register = host_metrics_collector_register,
	.metrics_family = metrics_text_family,
	.metrics_sample = metrics_text_sample,
	.metrics_sample_u64 = metrics_text_sample_u64,
	.input_open = host_input_open,
	.input_submit = host_input_submit,
	.input_close = host_input_close,
	.stream_read_pause = server_stream_read_pause,
	.stream_read_resume = server_stream_read_resume,
	.stream_audit = server_stream_audit,
	.alert_pop_many = host_alert_pop_many,
};

const fapi_host *loader_host_table(void)
{
	return &host_table;
}
