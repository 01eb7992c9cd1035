#include "config/config_schema.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Known key paths. "[]" stands for any sequence item; a trailing ".*" makes
 * everything below free-form. Falco 0.31's falco.yaml keys come first, then
 * this daemon's own. */
static const char *const config_schema_keys[] = {
	"rules_file[]",
	"plugins[].name", "plugins[].library_path", "plugins[].init_config.*", "plugins[].open_params.*",
	"load_plugins[]",
	"time_format_iso_8601",
	"json_output", "json_include_output_property", "json_include_tags_property",
	"log_stderr", "log_syslog", "log_level",
	"priority",
	"buffered_outputs",
	"syscall_event_drops.threshold", "syscall_event_drops.actions[]", "syscall_event_drops.rate",
	"syscall_event_drops.max_burst", "syscall_event_drops.simulate_drops",
	"syscall_event_timeouts.max_consecutives",
	"outputs.rate", "outputs.max_burst",
	"syslog_output.enabled",
	"file_output.enabled", "file_output.keep_alive", "file_output.filename",
	"stdout_output.enabled",
	"webserver.enabled", "webserver.listen_port", "webserver.k8s_audit_endpoint",
	"webserver.k8s_healthz_endpoint", "webserver.ssl_enabled", "webserver.ssl_certificate",
	"program_output.enabled", "program_output.keep_alive", "program_output.program",
	"http_output.enabled", "http_output.url", "http_output.user_agent",
	"grpc.enabled", "grpc.bind_address", "grpc.bind_address[]", "grpc.threadiness",
	"grpc.private_key", "grpc.cert_chain", "grpc.root_certs",
	"grpc_output.enabled",
	"output_timeout",
	"metadata_download.max_mb", "metadata_download.chunk_wait_us", "metadata_download.watch_freq_sec",
	/* falco-apid */
	"grpc.insecure", "grpc.unix_socket_mode", "grpc.max_receive_message_bytes",
	"grpc.max_send_message_bytes", "grpc.max_concurrent_streams", "grpc.shutdown_timeout",
	"grpc.keepalive_time_s", "grpc.keepalive_timeout_s", "grpc.keepalive_min_ping_interval_s",
	"grpc.keepalive_max_ping_strikes", "grpc.keepalive_permit_without_calls",
	"grpc.unix_socket_group", "grpc.audit_log", "grpc.authorization.enabled",
	"grpc.authorization.grants[].uid", "grpc.authorization.grants[].user", "grpc.authorization.grants[].gid",
	"grpc.authorization.grants[].group", "grpc.authorization.grants[].cert_cn",
	"grpc.authorization.grants[].cert_san", "grpc.authorization.grants[].permissions[]",
	"load_modules[]",
	"module_paths[]",
	"modules[].name", "modules[].library_path", "modules[].config.*",
	"engine.capture.file", "engine.capture.loop", "engine.capture.rate",
	"engine.live.enabled", "engine.live.probe",
	"file_output.queue_capacity", "program_output.queue_capacity", "syslog_output.queue_capacity",
	"http_output.queue_capacity",
	"engine.limits.rules_file_bytes", "engine.limits.yaml_depth", "engine.limits.yaml_nodes",
	"engine.limits.appends", "engine.limits.condition_bytes", "engine.limits.list_items",
	"engine.limits.condition_nodes", "engine.limits.errors",
	"config.limits.file_bytes", "config.limits.depth", "config.limits.nodes",
};

/* A path is known if it is listed, is an ancestor of a listed key, or lies
 * below a free-form entry. */
static bool config_schema_known(const char *path)
{
	size_t plen = strlen(path);
	for (size_t i = 0; i < sizeof(config_schema_keys) / sizeof(config_schema_keys[0]); i++) {
		const char *k = config_schema_keys[i];
		size_t klen = strlen(k);
		if (strncmp(k, path, plen) == 0 && (k[plen] == '\0' || k[plen] == '.' || k[plen] == '['))
			return true;
		if (klen >= 2 && strcmp(k + klen - 2, ".*") == 0 && plen >= klen - 1 &&
		    strncmp(path, k, klen - 1) == 0)
			return true;
		if (klen >= 2 && strcmp(k + klen - 2, ".*") == 0 && plen == klen - 2 && strncmp(path, k, plen) == 0)
			return true;
	}
	return false;
}

static size_t config_schema_walk(const config_node *n, char *path, size_t len, size_t cap,
				 config_schema_warn_fn warn, void *user)
{
	size_t unknown = 0;
	if (n->kind == CONFIG_SEQ) {
		if (len + 3 > cap)
			return 0;
		memcpy(path + len, "[]", 3);
		for (size_t i = 0; i < n->count; i++)
			unknown += config_schema_walk(n->items[i], path, len + 2, cap, warn, user);
		path[len] = '\0';
		return unknown;
	}
	if (n->kind != CONFIG_MAP)
		return 0;
	for (size_t i = 0; i < n->count; i++) {
		int w = snprintf(path + len, cap - len, "%s%s", len ? "." : "", n->pairs[i].key);
		if (w < 0 || (size_t)w >= cap - len)
			continue;
		if (!config_schema_known(path)) {
			char msg[1024], where[512];
			snprintf(msg, sizeof(msg), "%s: unknown configuration key '%s' (ignored)",
				 config_node_where(n->pairs[i].value, where, sizeof(where)), path);
			warn(user, msg);
			unknown++;
		} else {
			unknown += config_schema_walk(n->pairs[i].value, path, len + (size_t)w, cap, warn, user);
		}
		path[len] = '\0';
	}
	return unknown;
}

size_t config_schema_check(const config_node *root, config_schema_warn_fn warn, void *user)
{
	char path[512] = "";
	return config_schema_walk(root, path, 0, sizeof(path), warn, user);
}
