#ifndef FAPI_DAEMON_CONFIG_H
#define FAPI_DAEMON_CONFIG_H

/* The daemon's typed settings, read once from the merged configuration. All
 * strings point into the configuration tree: the config_doc must outlive the
 * daemon_config. */

#include <stdbool.h>
#include <stddef.h>

#include "config/config_yaml.h"

typedef struct daemon_module_entry {
	const char *name;         /* from load_modules */
	const char *library_path; /* modules[].library_path, or NULL to search module_paths */
	const config_node *config; /* modules[].config, or NULL */
} daemon_module_entry;

/* The gRPC server's resource limits and keepalive policy (grpc.* keys);
 * every value is validated and in the unit its key names. */
typedef struct daemon_grpc_limits {
	int keepalive_time_s;              /* grpc.keepalive_time_s: server pings a quiet connection this often */
	int keepalive_timeout_s;           /* grpc.keepalive_timeout_s: a ping unanswered this long closes it */
	int keepalive_min_ping_interval_s; /* grpc.keepalive_min_ping_interval_s: client pings accepted this seldom */
	int keepalive_max_ping_strikes;    /* grpc.keepalive_max_ping_strikes: too-early pings tolerated (0 = any) */
	bool keepalive_permit_without_calls; /* grpc.keepalive_permit_without_calls */
	int max_receive_message_bytes;     /* grpc.max_receive_message_bytes */
	int max_send_message_bytes;        /* grpc.max_send_message_bytes */
	int max_concurrent_streams;        /* grpc.max_concurrent_streams: per connection */
	int shutdown_timeout_s;            /* grpc.shutdown_timeout: from the signal to the exit */
} daemon_grpc_limits;

typedef struct daemon_config {
	bool grpc_enabled;
	const char **bind_addresses; /* owned array; strings in the tree */
	size_t nbind;
	int threadiness;             /* resolved: 0 in the file means the number of cores */
	const char *private_key;     /* paths, NULL when unset */
	const char *cert_chain;
	const char *root_certs;
	bool insecure;               /* grpc.insecure: plaintext TCP allowed on loopback */
	unsigned socket_mode;        /* grpc.unix_socket_mode */
	const char *socket_group;    /* grpc.unix_socket_group: a name or a gid; NULL keeps the daemon's group */
	const char *audit_log;       /* grpc.audit_log: path, NULL for the daemon log only */
	daemon_grpc_limits limits;
	daemon_module_entry *modules; /* owned array, in load_modules order */
	size_t nmodules;
	const char **module_paths;   /* owned array */
	size_t nmodule_paths;
	const char *log_level;
} daemon_config;

/* Builds the typed view. Returns 0, or -1 with "file:line:column: ..." in
 * err (wrong types, a module listed twice, a modules[] entry without name). */
int daemon_config_read(const config_node *root, daemon_config *out, char *err, size_t errlen);
/* Frees the arrays (not the strings, which belong to the tree). */
void daemon_config_free(daemon_config *c);

/* Applies the configuration overlay (the values set through the API) to
 * the document being built. 0 or -1 with err. */
typedef int (*daemon_config_overlay_fn)(void *user, config_doc *doc, char *err, size_t errlen);

/* Builds the configuration in its order: the embedded defaults (the table
 * of keys), the file (its `text` when given, already read, else read from
 * `file`; none when file is NULL), the overlay (when given), then the -o
 * overrides in order. Returns 0 or -1 with the message in err; the caller
 * frees *doc either way. */
int daemon_config_build(config_doc *doc, const char *file, const char *text, size_t len,
			daemon_config_overlay_fn overlay, void *user, const char *const *overrides, size_t noverrides,
			char *err, size_t errlen);

/* Loads the embedded defaults, merges the file (if any) over them and
 * applies the overrides in order (daemon_config_build without an overlay).
 * Returns 0 or -1 with the message in err. */
int daemon_config_load(config_doc *doc, const char *file, const char *const *overrides, size_t noverrides,
		       char *err, size_t errlen);

#endif
