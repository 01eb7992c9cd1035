#include "config/config_keys.h"

/* THE table of the daemon's configuration keys: each key once, with its
 * type, default, bounds, reload class and one-line description. The schema
 * check, the embedded defaults, the readers, README's Configuration table
 * (tests/core/config/test_config_keys.c fails when it differs) and the
 * configuration host functions all read it.
 *
 * To add a key: one line here (in the group it belongs to), then read it
 * with config_key_bool/int/double/string (config_keys.h), never with a
 * default of your own; run the config_keys test and paste the table it
 * writes (build/config_keys.md) between the markers in README.md. A key
 * with `def` appears in the embedded defaults; without, it is unset unless
 * falco.yaml sets it. Hot keys must also be applied in
 * core/daemon/daemon_settings.c. */

#define B FAPI_CONFIG_BOOL
#define I FAPI_CONFIG_INT
#define S FAPI_CONFIG_STRING
#define E FAPI_CONFIG_ENUM
#define L FAPI_CONFIG_STRINGS
#define T FAPI_CONFIG_TREE
#define M FAPI_CONFIG_LIST
#define HOT FAPI_CONFIG_HOT
#define RELOAD FAPI_CONFIG_RELOAD
#define RESTART FAPI_CONFIG_RESTART
#define G FAPI_CONFIG_GUARDED
#define SECRET (FAPI_CONFIG_GUARDED | FAPI_CONFIG_SECRET)

#define K(p, t, d, lo, hi, rl, fl, desc)                                                              \
	FAPI_CONFIG_KEY_INIT(.path = (p), .type = (t), .def = (d), .min = (lo), .max = (hi), .reload = (rl), \
			     .flags = (fl), .description = (desc))
#define KE(p, d, vals, rl, desc) \
	FAPI_CONFIG_KEY_INIT(.path = (p), .type = E, .def = (d), .values = (vals), .reload = (rl), .description = (desc))

static const char *const config_keys_priorities[] = {"emergency", "alert", "critical", "error", "warning",
						     "notice", "informational", "info", "debug", NULL};
static const char *const config_keys_log_levels[] = {"emergency", "alert", "critical", "error", "warning",
						     "notice", "info", "debug", NULL};

#define LIMIT (1 << 30)

const fapi_config_key config_keys_daemon[] = {
	/* rules and alerts (Falco 0.31) */
	K("rules_file", L, "[]", 0, 0, RELOAD, 0, "rules files or directories, loaded in order (-r replaces them)"),
	KE("priority", "debug", config_keys_priorities, HOT, "rules less severe are not loaded"),
	K("json_output", B, "false", 0, 0, HOT, 0, "alerts as JSON, as Falco (the http channel's Content-Type follows at restart)"),
	K("json_include_output_property", B, "true", 0, 0, HOT, 0, "JSON alerts carry the text output"),
	K("json_include_tags_property", B, "true", 0, 0, HOT, 0, "JSON alerts carry the rule's tags"),
	K("time_format_iso_8601", B, "false", 0, 0, RESTART, 0, "ISO 8601 times in text alerts"),
	K("stdout_output.enabled", B, "true", 0, 0, RESTART, 0, "alerts on stdout"),
	K("buffered_outputs", B, "false", 0, 0, RESTART, 0, "stdout is not flushed after each alert (-U clears it)"),
	K("outputs.rate", I, "0", 0, 1e9, HOT, 0, "Falco's output rate limiter: alerts per second, 0 = no limit"),
	K("outputs.max_burst", I, "1000", 0, 1e9, HOT, 0, "Falco's output rate limiter: burst"),
	K("output_timeout", I, "2000", 0, 3600000, RESTART, 0,
	  "ms: a channel write blocked longer is reported; at shutdown each channel has this long to write its queue"),
	/* output channels */
	K("file_output.enabled", B, "false", 0, 0, RESTART, 0, "append each alert line to file_output.filename"),
	K("file_output.keep_alive", B, "false", 0, 0, RESTART, 0, "keep the file open (else opened and closed per alert)"),
	K("file_output.filename", S, NULL, 0, 0, RESTART, 0, "the file of file_output"),
	K("file_output.queue_capacity", I, "10000", 1, 1 << 24, RESTART, 0,
	  "alerts the channel may have queued; when full it loses its oldest, counted"),
	K("program_output.enabled", B, "false", 0, 0, RESTART, 0,
	  "write each alert line to the standard input of program_output.program (/bin/sh -c)"),
	K("program_output.keep_alive", B, "false", 0, 0, RESTART, 0, "one process for all alerts (else one per alert, awaited)"),
	K("program_output.program", S, NULL, 0, 0, RESTART, G, "the command of program_output"),
	K("program_output.queue_capacity", I, "10000", 1, 1 << 24, RESTART, 0, "alerts the channel may have queued"),
	K("syslog_output.enabled", B, "false", 0, 0, RESTART, 0, "syslog(3) each alert at its priority's level, facility LOG_USER"),
	K("syslog_output.queue_capacity", I, "10000", 1, 1 << 24, RESTART, 0, "alerts the channel may have queued"),
	K("http_output.enabled", B, "false", 0, 0, RESTART, 0, "POST each alert to http_output.url with libcurl"),
	K("http_output.url", S, NULL, 0, 0, RESTART, G, "the URL of http_output"),
	K("http_output.user_agent", S, "falcosecurity/falco", 0, 0, RESTART, 0, "the User-Agent of http_output"),
	K("http_output.queue_capacity", I, "10000", 1, 1 << 24, RESTART, 0, "alerts the channel may have queued"),
	/* logging */
	KE("log_level", "info", config_keys_log_levels, HOT, "the daemon log's level (-v: debug)"),
	K("log_stderr", B, NULL, 0, 0, RESTART, 0, "Falco's; accepted, the log always goes to stderr"),
	K("log_syslog", B, NULL, 0, 0, RESTART, 0, "Falco's; accepted, not used"),
	/* the API server */
	K("grpc.enabled", B, "true", 0, 0, RESTART, G, "serve the API"),
	K("grpc.bind_address", L, "unix:///run/falco/falco.sock", 0, 0, RESTART, G,
	  "a string or a list: unix://PATH or HOST:PORT; TCP needs mutual TLS"),
	K("grpc.threadiness", I, "0", 0, 256, RESTART, 0, "threads per completion queue, 0 = the number of cores"),
	K("grpc.unix_socket_mode", I, "0660", 0, 0777, RESTART, G, "mode of the unix socket, whatever the umask"),
	K("grpc.unix_socket_group", S, NULL, 0, 0, RESTART, G,
	  "group of the unix socket, a name or a gid (unset: the daemon's)"),
	K("grpc.private_key", S, NULL, 0, 0, RESTART, SECRET, "TLS private key path; TCP needs all three TLS files"),
	K("grpc.cert_chain", S, NULL, 0, 0, RESTART, G, "TLS certificate chain path"),
	K("grpc.root_certs", S, NULL, 0, 0, RESTART, G, "CA certificates clients' certificates are checked against"),
	K("grpc.insecure", B, "false", 0, 0, RESTART, G, "allow plaintext TCP, on a loopback address only"),
	K("grpc.audit_log", S, NULL, 0, 0, RESTART, G,
	  "file receiving the audit log (appended, fsync'd per record; SIGUSR1 reopens it)"),
	K("grpc.authorization.enabled", B, "true", 0, 0, RESTART, G, "false lets every caller call every method"),
	K("grpc.authorization.grants", M, "[]", 0, 0, RESTART, G,
	  "[{MATCH: VALUE, permissions: [...]}], MATCH one of uid, user, gid, group, cert_cn, cert_san"),
	K("grpc.authorization.grants[].uid", I, NULL, 0, 0, RESTART, G, "grant to this uid"),
	K("grpc.authorization.grants[].user", S, NULL, 0, 0, RESTART, G, "grant to this user name"),
	K("grpc.authorization.grants[].gid", I, NULL, 0, 0, RESTART, G, "grant to this gid"),
	K("grpc.authorization.grants[].group", S, NULL, 0, 0, RESTART, G, "grant to this group name"),
	K("grpc.authorization.grants[].cert_cn", S, NULL, 0, 0, RESTART, G, "grant to this client certificate CN"),
	K("grpc.authorization.grants[].cert_san", S, NULL, 0, 0, RESTART, G, "grant to this client certificate SAN"),
	K("grpc.authorization.grants[].permissions", L, NULL, 0, 0, RESTART, G, "the permissions granted"),
	K("grpc.keepalive_time_s", I, "60", 1, 86400 * 7, RESTART, 0, "the server pings every connection this often"),
	K("grpc.keepalive_timeout_s", I, "20", 1, 3600, RESTART, 0, "a ping unanswered this long closes the connection"),
	K("grpc.keepalive_min_ping_interval_s", I, "10", 1, 86400, RESTART, 0, "clients may ping this seldom or more"),
	K("grpc.keepalive_max_ping_strikes", I, "2", 0, 1000, RESTART, 0, "too-early pings tolerated, 0 = any number"),
	K("grpc.keepalive_permit_without_calls", B, "true", 0, 0, RESTART, 0, "accept client pings on a connection without calls"),
	K("grpc.max_receive_message_bytes", I, "4194304", 1024, LIMIT, RESTART, 0, "largest request message"),
	K("grpc.max_send_message_bytes", I, "16777216", 1024, LIMIT, RESTART, 0, "largest response message"),
	K("grpc.max_concurrent_streams", I, "100", 1, 1 << 20, RESTART, 0, "calls open at once per connection"),
	K("grpc.shutdown_timeout", I, "10", 1, 3600, RESTART, 0, "seconds from SIGTERM/SIGINT/-M to the exit"),
	K("grpc_output.enabled", B, "true", 0, 0, RESTART, 0, "serve Falco's /falco.outputs.service/get and sub"),
	/* modules */
	K("load_modules", L, "[version, outputs]", 0, 0, RESTART, G, "modules to load, in order"),
	K("modules", M, "[]", 0, 0, RESTART, G, "[{name, library_path, config}]: where a module is and its settings"),
	K("modules[].name", S, NULL, 0, 0, RESTART, G, "the module's name"),
	K("modules[].library_path", S, NULL, 0, 0, RESTART, G, "its shared object (unset: searched)"),
	K("modules[].config", T, NULL, 0, 0, RESTART, 0, "its settings, checked against the keys it declares"),
	K("module_paths", L, "[]", 0, 0, RESTART, G, "extra directories searched for fapi-NAME.so"),
	K("watch_config_files", B, "true", 0, 0, RESTART, 0,
	  "reload (as SIGHUP) when falco.yaml or a rules file changes"),
	/* event sources */
	K("engine.capture.file", S, NULL, 0, 0, RESTART, 0, "replay this capture as the event source (-e replaces it)"),
	K("engine.capture.loop", I, "1", 0, 1e15, RESTART, 0, "times to replay the capture, 0 = forever"),
	K("engine.capture.rate", I, "0", 0, 1e12, RESTART, 0, "replay events per second, 0 = unpaced"),
	K("engine.live.enabled", B, "true", 0, 0, RESTART, 0, "capture live events when no capture is given"),
	K("engine.live.probe", S, NULL, 0, 0, RESTART, 0,
	  "eBPF probe path (unset: FALCO_BPF_PROBE, else the kernel module)"),
	/* loader limits */
	K("engine.limits.rules_file_bytes", I, "16777216", 1, 1e15, RELOAD, 0, "bytes of one rules file"),
	K("engine.limits.yaml_depth", I, "64", 1, 1e15, RELOAD, 0, "nesting of sequences and mappings in a rules file"),
	K("engine.limits.yaml_nodes", I, "2000000", 1, 1e15, RELOAD, 0,
	  "YAML nodes of one rules file with every alias and merge expanded"),
	K("engine.limits.appends", I, "4096", 1, 1e15, RELOAD, 0, "append: true items onto one list, macro or rule"),
	K("engine.limits.condition_bytes", I, "1048576", 1, 1e15, RELOAD, 0,
	  "bytes of a macro's or rule's condition after its appends"),
	K("engine.limits.list_items", I, "100000", 1, 1e15, RELOAD, 0, "items of a list once the lists it names are expanded"),
	K("engine.limits.condition_nodes", I, "200000", 1, 1e15, RELOAD, 0,
	  "nodes of a condition once its macros are expanded"),
	K("engine.limits.errors", I, "100", 1, 1e15, RELOAD, 0,
	  "errors reported for one failing set given through the rules operations"),
	K("config.limits.file_bytes", I, "4194304", 1, 1e15, RESTART, 0, "bytes of falco.yaml; -o only"),
	K("config.limits.depth", I, "64", 1, 1e15, RESTART, 0, "nesting in falco.yaml; -o only"),
	K("config.limits.nodes", I, "1000000", 1, 1e15, RESTART, 0, "YAML nodes of falco.yaml with every alias expanded; -o only"),
	/* Falco 0.31 keys accepted for compatibility */
	K("plugins", M, NULL, 0, 0, RESTART, 0, "Falco's plugins; accepted, this build loads none"),
	K("plugins[].name", S, NULL, 0, 0, RESTART, 0, "Falco's"),
	K("plugins[].library_path", S, NULL, 0, 0, RESTART, 0, "Falco's"),
	K("plugins[].init_config", T, NULL, 0, 0, RESTART, 0, "Falco's"),
	K("plugins[].open_params", T, NULL, 0, 0, RESTART, 0, "Falco's"),
	K("load_plugins", L, NULL, 0, 0, RESTART, 0, "Falco's; accepted, not used"),
	/* Falco's own messages ("... must be a double in the range [0, 1]")
	 * come from core/daemon/drops_config.c, so no bounds here. */
	K("syscall_event_drops.threshold", FAPI_CONFIG_DOUBLE, "0.1", 0, 0, RESTART, 0,
	  "share of events lost in a second of event time that counts as a drop, in [0, 1]"),
	K("syscall_event_drops.actions", L, "[ignore]", 0, 0, RESTART, 0,
	  "any of ignore, log, alert, exit: what a drop does"),
	K("syscall_event_drops.rate", FAPI_CONFIG_DOUBLE, "0.03333", 0, 0, RESTART, 0,
	  "drop notices per second of event time (token bucket)"),
	K("syscall_event_drops.max_burst", FAPI_CONFIG_DOUBLE, "1", 0, 0, RESTART, 0, "drop notices' burst"),
	K("syscall_event_drops.simulate_drops", B, "false", 0, 0, RESTART, 0,
	  "simulate a drop per check without a driver (Falco's tests)"),
	K("syscall_event_timeouts.max_consecutives", I, NULL, 0, 0, RESTART, 0, "Falco's; accepted, not used"),
	K("webserver.enabled", B, "false", 0, 0, RESTART, 0, "serve /healthz, /metrics and modules' HTTP routes"),
	K("webserver.listen_port", I, "8765", 0, 65535, RESTART, 0, "the web server's TCP port, 0 = any free port (logged)"),
	K("webserver.listen_address", S, "127.0.0.1", 0, 0, RESTART, G,
	  "the web server's IPv4 or IPv6 address (ours; loopback unless set)"),
	K("webserver.k8s_audit_endpoint", S, "/k8s-audit", 0, 0, RESTART, 0, "the path of Falco's k8s audit webhook (inputs module)"),
	K("webserver.k8s_healthz_endpoint", S, NULL, 0, 0, RESTART, 0, "Falco's; accepted, not used (/healthz is fixed)"),
	K("webserver.ssl_enabled", B, "false", 0, 0, RESTART, 0, "serve HTTPS (GnuTLS) with ssl_certificate"),
	K("webserver.ssl_certificate", S, "/etc/falco/falco.pem", 0, 0, RESTART, G,
	  "one PEM file holding the private key and the certificate (Falco's)"),
	K("webserver.threads", I, "4", 1, 64, RESTART, 0, "the web server's threads: requests served at once"),
	K("webserver.max_connections", I, "64", 1, 10000, RESTART, 0, "connections open at once, more are refused"),
	K("webserver.max_body_bytes", I, "10485760", 1, 1073741824, RESTART, 0,
	  "the largest request body accepted (413 beyond), unless a route sets its own"),
	K("metrics.enabled", B, "false", 0, 0, RESTART, 0,
	  "Falco's metrics snapshots every metrics.interval (the alert and/or the file lines)"),
	K("metrics.interval", S, "1h", 0, 0, RESTART, 0,
	  "a Prometheus duration (1h, 15m, 30s, 500ms, 1m30s), at least 100ms, with a unit"),
	K("metrics.output_rule", B, "true", 0, 0, RESTART, 0,
	  "each snapshot as the internal alert \"Falco internal: metrics snapshot\" (Informational) on the bus"),
	K("metrics.output_file", S, NULL, 0, 0, RESTART, 0,
	  "append each snapshot as one JSON line {\"output_fields\":...,\"sample\":N}; must be writable at start"),
	K("metrics.rules_counters_enabled", B, "true", 0, 0, RESTART, 0,
	  "snapshots carry falco.rules.matches_total and falco.rules.<rule>"),
	K("metrics.resource_utilization_enabled", B, "true", 0, 0, RESTART, 0,
	  "snapshots carry falco.cpu_usage_perc and falco.memory_rss/vsz/pss"),
	K("metrics.state_counters_enabled", B, "true", 0, 0, RESTART, 0,
	  "Falco's; accepted: this daemon has no libsinsp state tables to count"),
	K("metrics.kernel_event_counters_enabled", B, "true", 0, 0, RESTART, 0,
	  "snapshots carry scap.n_evts, scap.n_drops* and their rates"),
	K("metrics.libbpf_stats_enabled", B, "true", 0, 0, RESTART, 0,
	  "Falco's; accepted: no eBPF programs' stats here"),
	K("metrics.convert_memory_to_mb", B, "true", 0, 0, RESTART, 0, "memory fields in MB (falco.memory_*_mb), else kB"),
	K("metrics.include_empty_values", B, "false", 0, 0, RESTART, 0,
	  "snapshots keep counters that are 0 (n_evts, n_drops and their rates are always there)"),
	K("metadata_download.max_mb", I, NULL, 0, 0, RESTART, 0, "Falco's; accepted, not used"),
	K("metadata_download.chunk_wait_us", I, NULL, 0, 0, RESTART, 0, "Falco's; accepted, not used"),
	K("metadata_download.watch_freq_sec", I, NULL, 0, 0, RESTART, 0, "Falco's; accepted, not used"),
};

const size_t config_keys_daemon_count = sizeof(config_keys_daemon) / sizeof(config_keys_daemon[0]);
