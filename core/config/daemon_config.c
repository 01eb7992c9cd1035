#include "config/daemon_config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_override.h"
#include "config/config_keys.h"
#include "engine/util/hashmap.h"

/* The reader's own limits must be known before falco.yaml is read, so
 * they come from the compiled defaults and -o config.limits.KEY=N only. */
static int daemon_config_reader_limits(config_doc *doc, const char *const *overrides, size_t noverrides, char *err,
				size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"config.limits.file_bytes", offsetof(config_limits, file_bytes)},
		{"config.limits.depth", offsetof(config_limits, depth)},
		{"config.limits.nodes", offsetof(config_limits, nodes)},
	};
	for (size_t i = 0; i < noverrides; i++) {
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k].key);
			if (strncmp(overrides[i], keys[k].key, kl) != 0 || overrides[i][kl] != '=')
				continue;
			int64_t v;
			if (config_scalar_int(overrides[i] + kl + 1, &v) < 0 || v <= 0) {
				snprintf(err, errlen, "-o %s: %s must be a positive integer", overrides[i], keys[k].key);
				return -1;
			}
			*(size_t *)((char *)&doc->limits + keys[k].off) = (size_t)v;
		}
	}
	return 0;
}

int daemon_config_build(config_doc *doc, const char *file, const char *text, size_t len,
			daemon_config_overlay_fn overlay, void *user, const char *const *overrides, size_t noverrides,
			char *err, size_t errlen)
{
	if (config_doc_init(doc) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (daemon_config_reader_limits(doc, overrides, noverrides, err, errlen) < 0)
		return -1;
	config_node *n = NULL;
	if (config_keys_defaults(doc, &n, err, errlen) < 0)
		return -1;
	if (n && config_merge(doc->root, n) < 0)
		goto nomem;
	if (file) {
		if ((text ? config_yaml_parse(doc, file, text, len, &n, err, errlen)
			  : config_yaml_parse_file(doc, file, &n, err, errlen)) < 0)
			return -1;
		if (n && n->kind != CONFIG_MAP) {
			snprintf(err, errlen, "%s:%d:%d: the configuration must be a mapping", file, n->line, n->column);
			config_node_free(n);
			return -1;
		}
		if (n && config_merge(doc->root, n) < 0)
			goto nomem;
	}
	if (overlay && overlay(user, doc, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < noverrides; i++)
		if (config_override_apply(doc, overrides[i], err, errlen) < 0)
			return -1;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int daemon_config_load(config_doc *doc, const char *file, const char *const *overrides, size_t noverrides,
		       char *err, size_t errlen)
{
	return daemon_config_build(doc, file, NULL, 0, NULL, NULL, overrides, noverrides, err, errlen);
}

/* A key that may be a single string or a list of strings. */
static int daemon_config_strings(const config_node *root, const char *path, const char ***out, size_t *n,
				 char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	const config_node *v = config_lookup(root, path);
	if (!v)
		return 0;
	char where[300];
	if (v->kind == CONFIG_MAP) {
		snprintf(err, errlen, "%s: key '%s' must be a string or a list of strings",
			 config_node_where(v, where, sizeof(where)), path);
		return -1;
	}
	size_t count = v->kind == CONFIG_SEQ ? v->count : 1;
	*out = calloc(count ? count : 1, sizeof(**out));
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		const config_node *it = v->kind == CONFIG_SEQ ? v->items[i] : v;
		if (it->kind != CONFIG_SCALAR) {
			snprintf(err, errlen, "%s: items of '%s' must be strings",
				 config_node_where(it, where, sizeof(where)), path);
			free(*out);
			*out = NULL;
			return -1;
		}
		(*out)[(*n)++] = it->scalar;
	}
	return 0;
}

/* One integer key, its default and bounds from the table. */
static int daemon_config_int(const config_node *root, const char *path, int *out, char *err, size_t errlen)
{
	int64_t v;
	if (config_key_int(root, path, &v, err, errlen) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

static int daemon_config_limits(const config_node *root, daemon_grpc_limits *l, char *err, size_t errlen)
{
	if (daemon_config_int(root, "grpc.keepalive_time_s", &l->keepalive_time_s, err, errlen) < 0 ||
	    daemon_config_int(root, "grpc.keepalive_timeout_s", &l->keepalive_timeout_s, err, errlen) < 0 ||
	    daemon_config_int(root, "grpc.keepalive_min_ping_interval_s", &l->keepalive_min_ping_interval_s, err,
			      errlen) < 0 ||
	    daemon_config_int(root, "grpc.keepalive_max_ping_strikes", &l->keepalive_max_ping_strikes, err, errlen) <
		    0 ||
	    config_key_bool(root, "grpc.keepalive_permit_without_calls", &l->keepalive_permit_without_calls, err,
			    errlen) < 0 ||
	    daemon_config_int(root, "grpc.max_receive_message_bytes", &l->max_receive_message_bytes, err, errlen) < 0 ||
	    daemon_config_int(root, "grpc.max_send_message_bytes", &l->max_send_message_bytes, err, errlen) < 0 ||
	    daemon_config_int(root, "grpc.max_concurrent_streams", &l->max_concurrent_streams, err, errlen) < 0 ||
	    daemon_config_int(root, "grpc.shutdown_timeout", &l->shutdown_timeout_s, err, errlen) < 0)
		return -1;
	return 0;
}

int daemon_config_read(const config_node *root, daemon_config *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	int64_t v;
	if (config_key_bool(root, "grpc.enabled", &c->grpc_enabled, err, errlen) < 0 ||
	    config_key_int(root, "grpc.threadiness", &v, err, errlen) < 0)
		goto fail;
	if (v == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		v = cores > 0 ? cores : 1;
	}
	c->threadiness = (int)v;
	if (config_key_int(root, "grpc.unix_socket_mode", &v, err, errlen) < 0)
		goto fail;
	c->socket_mode = (unsigned)v;
	if (daemon_config_limits(root, &c->limits, err, errlen) < 0)
		goto fail;
	if (config_key_string(root, "grpc.private_key", &c->private_key, err, errlen) < 0 ||
	    config_key_string(root, "grpc.cert_chain", &c->cert_chain, err, errlen) < 0 ||
	    config_key_string(root, "grpc.root_certs", &c->root_certs, err, errlen) < 0 ||
	    config_key_bool(root, "grpc.insecure", &c->insecure, err, errlen) < 0 ||
	    config_key_string(root, "grpc.unix_socket_group", &c->socket_group, err, errlen) < 0 ||
	    config_key_string(root, "grpc.audit_log", &c->audit_log, err, errlen) < 0 ||
	    config_key_string(root, "log_level", &c->log_level, err, errlen) < 0)
		goto fail;
	if (daemon_config_strings(root, "grpc.bind_address", &c->bind_addresses, &c->nbind, err, errlen) < 0 ||
	    daemon_config_strings(root, "module_paths", &c->module_paths, &c->nmodule_paths, err, errlen) < 0)
		goto fail;

	const char **names = NULL;
	size_t nnames = 0;
	if (daemon_config_strings(root, "load_modules", &names, &nnames, err, errlen) < 0)
		goto fail;
	c->modules = calloc(nnames ? nnames : 1, sizeof(*c->modules));
	if (!c->modules) {
		free(names);
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	const config_node *mods = config_lookup(root, "modules");
	char where[300];
	/* name -> modules[] entry, and the names load_modules lists: with
	 * hash maps, long lists stay linear */
	hashmap by_name = HASHMAP_INIT, listed = HASHMAP_INIT;
	if (mods && mods->kind != CONFIG_SEQ && !(mods->kind == CONFIG_SCALAR && !*mods->scalar)) {
		snprintf(err, errlen, "%s: 'modules' must be a list of {name, library_path, config}",
			 config_node_where(mods, where, sizeof(where)));
		goto fail_maps;
	}
	for (size_t i = 0; mods && mods->kind == CONFIG_SEQ && i < mods->count; i++) {
		const config_node *m = mods->items[i];
		const config_node *name = config_map_get(m, "name");
		if (m->kind != CONFIG_MAP || !name || name->kind != CONFIG_SCALAR || !*name->scalar) {
			snprintf(err, errlen, "%s: every entry of 'modules' needs a 'name'",
				 config_node_where(m, where, sizeof(where)));
			goto fail_maps;
		}
		if (hashmap_get(&by_name, name->scalar, strlen(name->scalar))) {
			snprintf(err, errlen, "%s: module '%s' is configured twice",
				 config_node_where(m, where, sizeof(where)), name->scalar);
			goto fail_maps;
		}
		if (hashmap_put(&by_name, name->scalar, strlen(name->scalar), (void *)m) < 0)
			goto nomem_maps;
	}
	for (size_t i = 0; i < nnames; i++) {
		if (hashmap_get(&listed, names[i], strlen(names[i]))) {
			snprintf(err, errlen, "load_modules lists '%s' twice", names[i]);
			goto fail_maps;
		}
		if (hashmap_put(&listed, names[i], strlen(names[i]), (void *)names[i]) < 0)
			goto nomem_maps;
		daemon_module_entry *e = &c->modules[c->nmodules++];
		e->name = names[i];
		const config_node *m = hashmap_get(&by_name, names[i], strlen(names[i]));
		if (m) {
			const config_node *lp = config_map_get(m, "library_path");
			if (lp && lp->kind != CONFIG_SCALAR) {
				snprintf(err, errlen, "%s: library_path must be a string",
					 config_node_where(lp, where, sizeof(where)));
				goto fail_maps;
			}
			e->library_path = lp && *lp->scalar ? lp->scalar : NULL;
			e->config = config_map_get(m, "config");
		}
	}
	hashmap_free(&by_name);
	hashmap_free(&listed);
	free(names);
	return 0;
nomem_maps:
	snprintf(err, errlen, "out of memory");
fail_maps:
	hashmap_free(&by_name);
	hashmap_free(&listed);
	free(names);
fail:
	daemon_config_free(c);
	return -1;
}

void daemon_config_free(daemon_config *c)
{
	free(c->bind_addresses);
	free(c->modules);
	free(c->module_paths);
	memset(c, 0, sizeof(*c));
}
