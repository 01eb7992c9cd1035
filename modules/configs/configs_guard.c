#include <string.h>

#include "configs_guard.h"

typedef struct configs_guard_rule {
	const char *prefix; /* a key, or a subtree: every key below it */
	const char *group;
} configs_guard_rule;

/* Why each is guarded: a listener or TLS change can open the daemon to the
 * network or cut every client off; the policy, the socket's mode and group
 * decide who may call at all; the audit log is what records the changes;
 * modules, plugins and programs run code as the daemon; an output file is
 * written as the daemon's user wherever it points. */
static const configs_guard_rule configs_guard_rules[] = {
	{"grpc.enabled", "listeners"},
	{"grpc.bind_address", "listeners"},
	{"webserver.enabled", "listeners"},
	{"webserver.listen_port", "listeners"},
	{"webserver.listen_address", "listeners"},
	{"grpc.private_key", "tls"},
	{"grpc.cert_chain", "tls"},
	{"grpc.root_certs", "tls"},
	{"grpc.insecure", "tls"},
	{"webserver.ssl_enabled", "tls"},
	{"webserver.ssl_certificate", "tls"},
	{"grpc.authorization", "authorization"},
	{"grpc.unix_socket_mode", "socket"},
	{"grpc.unix_socket_group", "socket"},
	{"grpc.audit_log", "audit"},
	{"load_modules", "modules"},
	{"modules", "modules"},
	{"module_paths", "modules"},
	{"load_plugins", "modules"},
	{"plugins", "modules"},
	{"program_output.program", "programs"},
	{"file_output.filename", "files"},
};

#define CONFIGS_GUARD_OWN "modules.configs"

/* path is prefix itself or lies below it. */
static bool configs_guard_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

const char *configs_guard_group(const char *path, uint32_t flags)
{
	if (configs_guard_under(path, CONFIGS_GUARD_OWN))
		return "own";
	/* Module keys are "modules.NAME.KEY": under the `modules` rule by
	 * prefix, but a module's own settings are not the module list. */
	bool module_key = strncmp(path, "modules.", 8) == 0;
	for (size_t i = 0; i < sizeof(configs_guard_rules) / sizeof(configs_guard_rules[0]); i++) {
		const configs_guard_rule *r = &configs_guard_rules[i];
		if (module_key && strcmp(r->prefix, "modules") == 0)
			continue;
		if (configs_guard_under(path, r->prefix))
			return r->group;
	}
	return flags & FAPI_CONFIG_GUARDED ? "guarded" : NULL;
}

bool configs_guard_allowed(const configs_module *m, const char *path, const char *group)
{
	if (!group)
		return true;
	if (strcmp(group, "own") == 0)
		return false;
	for (size_t i = 0; i < m->nallow; i++)
		if (strcmp(m->allow[i], group) == 0 || configs_guard_under(path, m->allow[i]))
			return true;
	return false;
}

bool configs_guard_policy(const char *path)
{
	return configs_guard_under(path, "grpc.authorization");
}

static const char *const configs_guard_secret_words[] = {
	"private_key", "password", "passwd", "secret", "token", "api_key", "apikey", "credential",
};

bool configs_guard_secret(const char *path, uint32_t flags)
{
	if (flags & FAPI_CONFIG_SECRET)
		return true;
	const char *leaf = strrchr(path, '.');
	leaf = leaf ? leaf + 1 : path;
	for (size_t i = 0; i < sizeof(configs_guard_secret_words) / sizeof(configs_guard_secret_words[0]); i++)
		if (strstr(leaf, configs_guard_secret_words[i]))
			return true;
	return false;
}

/* A value that names a file: absolute or relative path, possibly quoted
 * (YAML flow text). */
static bool configs_guard_is_path(const char *v)
{
	if (*v == '"' || *v == '\'')
		v++;
	return *v == '/' || strncmp(v, "./", 2) == 0 || strncmp(v, "../", 3) == 0 || strncmp(v, "~/", 2) == 0 ||
	       *v == '\0' || (v[0] == '"' && v[1] == '\0');
}

const char *configs_guard_shown(const char *path, uint32_t flags, const char *value)
{
	if (!value || !configs_guard_secret(path, flags) || configs_guard_is_path(value))
		return value;
	return "<redacted>";
}
