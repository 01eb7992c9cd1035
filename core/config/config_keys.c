#include "config/config_keys.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/util/hashmap.h"

/* Copies path into buf with every "[N]" written "[]". false when too long. */
static bool config_keys_normalize(const char *path, char *buf, size_t cap)
{
	size_t o = 0;
	for (const char *p = path; *p; p++) {
		if (o + 3 >= cap)
			return false;
		if (*p == '[') {
			const char *q = strchr(p, ']');
			if (!q)
				return false;
			buf[o++] = '[';
			buf[o++] = ']';
			p = q;
			continue;
		}
		buf[o++] = *p;
	}
	buf[o] = '\0';
	return true;
}

/* path -> key, and every ancestor path -> NULL-marker, of one table. */
typedef struct config_keys_index {
	hashmap keys;      /* normalized path -> const fapi_config_key * */
	hashmap ancestors; /* "grpc", "grpc.authorization", "modules[]" -> (void *)1 */
} config_keys_index;

static int config_keys_index_build(config_keys_index *ix, const fapi_config_key *keys, size_t n)
{
	*ix = (config_keys_index){HASHMAP_INIT, HASHMAP_INIT};
	for (size_t i = 0; i < n; i++) {
		const fapi_config_key *k = FAPI_CONFIG_KEY_AT(keys, i);
		if (!k->path)
			continue;
		if (hashmap_put(&ix->keys, k->path, strlen(k->path), (void *)k) < 0)
			return -1;
		for (size_t j = 0; k->path[j]; j++)
			if ((k->path[j] == '.' || k->path[j] == '[') && j > 0 &&
			    hashmap_put(&ix->ancestors, k->path, j + (k->path[j] == '[' ? 2 : 0), (void *)1) < 0)
				return -1;
	}
	return 0;
}

static void config_keys_index_free(config_keys_index *ix)
{
	hashmap_free(&ix->keys);
	hashmap_free(&ix->ancestors);
}

static config_keys_index config_keys_daemon_ix;
static bool config_keys_daemon_ok;
static pthread_once_t config_keys_once = PTHREAD_ONCE_INIT;

static void config_keys_daemon_build(void)
{
	config_keys_daemon_ok = config_keys_index_build(&config_keys_daemon_ix, config_keys_daemon,
							config_keys_daemon_count) == 0;
}

const fapi_config_key *config_keys_find(const char *path)
{
	pthread_once(&config_keys_once, config_keys_daemon_build);
	char buf[512];
	if (!config_keys_daemon_ok || !config_keys_normalize(path, buf, sizeof(buf)))
		return config_keys_find_in(config_keys_daemon, config_keys_daemon_count, path);
	return hashmap_get(&config_keys_daemon_ix.keys, buf, strlen(buf));
}

const fapi_config_key *config_keys_find_in(const fapi_config_key *keys, size_t n, const char *path)
{
	char buf[512];
	if (!config_keys_normalize(path, buf, sizeof(buf)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const fapi_config_key *k = FAPI_CONFIG_KEY_AT(keys, i);
		if (k->path && strcmp(k->path, buf) == 0)
			return k;
	}
	return NULL;
}

static bool config_keys_null(const config_node *v)
{
	return v->kind == CONFIG_SCALAR && !v->quoted &&
	       (!*v->scalar || strcmp(v->scalar, "~") == 0 || strcmp(v->scalar, "null") == 0);
}

int config_keys_duration_ms(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	static const struct {
		const char *unit;
		long long ms;
	} units[] = {{"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) == 0) {
			if (v > INT64_MAX / units[i].ms)
				return -1;
			*out = v * units[i].ms;
			return 0;
		}
	}
	return -1;
}

static int config_keys_scalar_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

static int config_keys_bounds(const fapi_config_key *k, double v, const char *shown, const config_node *n,
			      char *err, size_t errlen)
{
	if (!(k->min < k->max) || (v >= k->min && v <= k->max))
		return 0;
	char where[300];
	snprintf(err, errlen, "%s: %s must be between %.15g and %.15g, got %s", config_node_where(n, where, sizeof(where)),
		 shown, k->min, k->max, n->scalar);
	return -1;
}

int config_keys_check_value(const fapi_config_key *k, const config_node *v, const char *shown, char *err,
			    size_t errlen)
{
	char where[300];
	if (!v || config_keys_null(v) || k->type == FAPI_CONFIG_TREE)
		return 0;
	config_node_where(v, where, sizeof(where));
	if (k->type == FAPI_CONFIG_STRINGS) {
		if (v->kind == CONFIG_MAP)
			goto wrong;
		for (size_t i = 0; v->kind == CONFIG_SEQ && i < v->count; i++)
			if (v->items[i]->kind != CONFIG_SCALAR) {
				snprintf(err, errlen, "%s: items of key '%s' must be strings",
					 config_node_where(v->items[i], where, sizeof(where)), shown);
				return -1;
			}
		return 0;
	}
	if (k->type == FAPI_CONFIG_LIST) {
		if (v->kind != CONFIG_SEQ)
			goto wrong;
		for (size_t i = 0; i < v->count; i++)
			if (v->items[i]->kind != CONFIG_MAP) {
				snprintf(err, errlen, "%s: items of key '%s' must be mappings",
					 config_node_where(v->items[i], where, sizeof(where)), shown);
				return -1;
			}
		return 0;
	}
	if (v->kind != CONFIG_SCALAR)
		goto wrong;
	bool b;
	int64_t i;
	double d;
	switch (k->type) {
	case FAPI_CONFIG_BOOL:
		if (config_scalar_bool(v->scalar, &b) < 0)
			goto wrong;
		return 0;
	case FAPI_CONFIG_INT:
		if (config_scalar_int(v->scalar, &i) < 0)
			goto wrong;
		return config_keys_bounds(k, (double)i, shown, v, err, errlen);
	case FAPI_CONFIG_DURATION:
		if (config_keys_duration_ms(v->scalar, &i) < 0)
			goto wrong;
		return config_keys_bounds(k, (double)i, shown, v, err, errlen);
	case FAPI_CONFIG_DOUBLE:
		if (config_keys_scalar_double(v->scalar, &d) < 0)
			goto wrong;
		return config_keys_bounds(k, d, shown, v, err, errlen);
	case FAPI_CONFIG_ENUM:
		for (size_t j = 0; k->values && k->values[j]; j++)
			if (strcasecmp(k->values[j], v->scalar) == 0)
				return 0;
		{
			strbuf b2 = STRBUF_INIT;
			for (size_t j = 0; k->values && k->values[j]; j++)
				strbuf_addf(&b2, "%s%s", j ? ", " : "", k->values[j]);
			char *vals = strbuf_finish(&b2);
			snprintf(err, errlen, "%s: key '%s' must be one of %s, got '%s'", where, shown, vals ? vals : "?",
				 v->scalar);
			free(vals);
		}
		return -1;
	default:
		return 0;
	}
wrong:
	snprintf(err, errlen, "%s: key '%s' must be %s%s%s%s", where, shown, config_keys_type_name(k->type),
		 v->kind == CONFIG_SCALAR ? ", got '" : v->kind == CONFIG_MAP ? ", not a mapping" : ", not a sequence",
		 v->kind == CONFIG_SCALAR ? v->scalar : "", v->kind == CONFIG_SCALAR ? "'" : "");
	return -1;
}

typedef struct config_keys_walk {
	const config_keys_index *ix;
	const char *prefix;
	config_keys_warn_fn warn;
	void *user;
	char *err;
	size_t errlen;
	long unknown;
} config_keys_walk;

static int config_keys_walk_node(config_keys_walk *w, const config_node *n, char *path, size_t len, size_t cap,
				 char *shown, size_t slen, size_t scap);

/* One key of a map: path[0..len) is its full (normalized) path. */
static int config_keys_walk_pair(config_keys_walk *w, const config_node *v, char *path, size_t len, size_t cap,
				 char *shown, size_t slen, size_t scap)
{
	const fapi_config_key *k = hashmap_get(&w->ix->keys, path, len);
	if (k) {
		if (config_keys_check_value(k, v, shown, w->err, w->errlen) < 0)
			return -1;
		if (k->type == FAPI_CONFIG_LIST && v->kind == CONFIG_SEQ)
			return config_keys_walk_node(w, v, path, len, cap, shown, slen, scap);
		return 0;
	}
	if (hashmap_get(&w->ix->ancestors, path, len))
		return config_keys_walk_node(w, v, path, len, cap, shown, slen, scap);
	char msg[1200], where[300];
	snprintf(msg, sizeof(msg), "%s: unknown configuration key '%s' (ignored)",
		 config_node_where(v, where, sizeof(where)), shown);
	if (w->warn)
		w->warn(w->user, msg);
	w->unknown++;
	return 0;
}

static int config_keys_walk_node(config_keys_walk *w, const config_node *n, char *path, size_t len, size_t cap,
				 char *shown, size_t slen, size_t scap)
{
	if (n->kind == CONFIG_SEQ) {
		if (len + 3 > cap)
			return 0;
		memcpy(path + len, "[]", 3);
		for (size_t i = 0; i < n->count; i++) {
			int s = snprintf(shown + slen, scap - slen, "[%zu]", i);
			if (s < 0 || (size_t)s >= scap - slen)
				continue;
			if (n->items[i]->kind == CONFIG_MAP &&
			    config_keys_walk_node(w, n->items[i], path, len + 2, cap, shown, slen + (size_t)s, scap) < 0)
				return -1;
		}
		path[len] = shown[slen] = '\0';
		return 0;
	}
	if (n->kind != CONFIG_MAP)
		return 0;
	for (size_t i = 0; i < n->count; i++) {
		int p = snprintf(path + len, cap - len, "%s%s", len ? "." : "", n->pairs[i].key);
		int s = snprintf(shown + slen, scap - slen, "%s%s", slen ? "." : "", n->pairs[i].key);
		if (p >= 0 && (size_t)p < cap - len && s >= 0 && (size_t)s < scap - slen &&
		    config_keys_walk_pair(w, n->pairs[i].value, path, len + (size_t)p, cap, shown, slen + (size_t)s,
					  scap) < 0)
			return -1;
		path[len] = shown[slen] = '\0';
	}
	return 0;
}

long config_keys_check(const config_node *root, const fapi_config_key *keys, size_t n, const char *prefix,
		       config_keys_warn_fn warn, void *user, char *err, size_t errlen)
{
	config_keys_index local, *ix = &local;
	if (keys == config_keys_daemon) {
		pthread_once(&config_keys_once, config_keys_daemon_build);
		ix = config_keys_daemon_ok ? &config_keys_daemon_ix : NULL;
	} else if (config_keys_index_build(&local, keys, n) < 0) {
		config_keys_index_free(&local);
		ix = NULL;
	}
	if (!ix) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	config_keys_walk w = {.ix = ix, .prefix = prefix, .warn = warn, .user = user, .err = err, .errlen = errlen};
	char path[512] = "", shown[1024];
	snprintf(shown, sizeof(shown), "%s", prefix ? prefix : "");
	int rc = root ? config_keys_walk_node(&w, root, path, 0, sizeof(path), shown, strlen(shown), sizeof(shown))
		      : 0;
	if (ix == &local)
		config_keys_index_free(&local);
	return rc < 0 ? -1 : w.unknown;
}

/* Puts value at the dotted `path` below map, creating maps on the way. */
static int config_keys_put(config_doc *d, config_node *map, const char *path, config_node *value)
{
	const char *dot = strchr(path, '.');
	if (!dot)
		return config_map_set(map, path, value);
	char key[256];
	size_t kl = (size_t)(dot - path);
	if (kl >= sizeof(key)) {
		config_node_free(value);
		return -1;
	}
	memcpy(key, path, kl);
	key[kl] = '\0';
	config_node *sub = config_map_get(map, key);
	if (!sub) {
		sub = config_node_new(CONFIG_MAP, config_doc_intern(d, "<default>"), 1, 1);
		if (!sub || config_map_set(map, key, sub) < 0) {
			config_node_free(value);
			return -1;
		}
	}
	return config_keys_put(d, sub, dot + 1, value);
}

int config_keys_defaults(config_doc *d, config_node **out, char *err, size_t errlen)
{
	*out = config_node_new(CONFIG_MAP, config_doc_intern(d, "<default>"), 1, 1);
	if (!*out)
		goto nomem;
	for (size_t i = 0; i < config_keys_daemon_count; i++) {
		const fapi_config_key *k = &config_keys_daemon[i];
		if (!k->def || strchr(k->path, '['))
			continue;
		config_node *v = NULL;
		if (config_yaml_parse(d, "<default>", k->def, strlen(k->def), &v, err, errlen) < 0)
			goto fail;
		if (!v)
			continue;
		if (config_keys_put(d, *out, k->path, v) < 0)
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	config_node_free(*out);
	*out = NULL;
	return -1;
}

/* The key and the node of a typed read; -1 with err for a key missing from
 * the table or a wrong value. *v is NULL when the default applies. */
static int config_key_lookup(const config_node *root, const char *path, const fapi_config_key **k,
			     const config_node **v, char *err, size_t errlen)
{
	*k = config_keys_find(path);
	if (!*k) {
		snprintf(err, errlen, "internal error: '%s' is not in the table of configuration keys", path);
		return -1;
	}
	*v = config_lookup(root, path);
	if (*v && config_keys_null(*v))
		*v = NULL;
	return config_keys_check_value(*k, *v, path, err, errlen);
}

static const char *config_key_text(const fapi_config_key *k, const config_node *v)
{
	return v ? v->scalar : k->def;
}

int config_key_bool(const config_node *root, const char *path, bool *out, char *err, size_t errlen)
{
	const fapi_config_key *k;
	const config_node *v;
	*out = false;
	if (config_key_lookup(root, path, &k, &v, err, errlen) < 0)
		return -1;
	const char *t = config_key_text(k, v);
	return t && config_scalar_bool(t, out) < 0 ? -1 : 0;
}

int config_key_int(const config_node *root, const char *path, int64_t *out, char *err, size_t errlen)
{
	const fapi_config_key *k;
	const config_node *v;
	*out = 0;
	if (config_key_lookup(root, path, &k, &v, err, errlen) < 0)
		return -1;
	const char *t = config_key_text(k, v);
	if (!t)
		return 0;
	int rc = k->type == FAPI_CONFIG_DURATION ? config_keys_duration_ms(t, out) : config_scalar_int(t, out);
	if (rc < 0)
		snprintf(err, errlen, "internal error: default of '%s' is not an integer", path);
	return rc;
}

int config_key_double(const config_node *root, const char *path, double *out, char *err, size_t errlen)
{
	const fapi_config_key *k;
	const config_node *v;
	*out = 0;
	if (config_key_lookup(root, path, &k, &v, err, errlen) < 0)
		return -1;
	const char *t = config_key_text(k, v);
	if (t && config_keys_scalar_double(t, out) < 0) {
		snprintf(err, errlen, "internal error: default of '%s' is not a number", path);
		return -1;
	}
	return 0;
}

int config_key_string(const config_node *root, const char *path, const char **out, char *err, size_t errlen)
{
	const fapi_config_key *k;
	const config_node *v;
	*out = NULL;
	if (config_key_lookup(root, path, &k, &v, err, errlen) < 0)
		return -1;
	*out = config_key_text(k, v);
	return 0;
}

const char *config_keys_type_name(fapi_config_type t)
{
	switch (t) {
	case FAPI_CONFIG_BOOL:
		return "a boolean";
	case FAPI_CONFIG_INT:
		return "an integer";
	case FAPI_CONFIG_DOUBLE:
		return "a number";
	case FAPI_CONFIG_STRING:
		return "a string";
	case FAPI_CONFIG_ENUM:
		return "one of its values";
	case FAPI_CONFIG_STRINGS:
		return "a string or a list of strings";
	case FAPI_CONFIG_DURATION:
		return "a duration (250ms, 10s, 5m, 1h)";
	case FAPI_CONFIG_TREE:
		return "anything";
	case FAPI_CONFIG_LIST:
		return "a list of mappings";
	}
	return "?";
}

static const char *config_keys_type_word(fapi_config_type t)
{
	static const char *const words[] = {"?", "bool", "int", "double", "string", "enum", "strings", "duration",
					    "tree", "list"};
	return (unsigned)t < sizeof(words) / sizeof(words[0]) ? words[t] : "?";
}

const char *config_keys_reload_name(fapi_config_reload r)
{
	return r == FAPI_CONFIG_HOT ? "hot" : r == FAPI_CONFIG_RELOAD ? "reload" : "restart";
}

void config_keys_markdown(strbuf *b)
{
	strbuf_add(b, "| key | type | default | applied | meaning |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < config_keys_daemon_count; i++) {
		const fapi_config_key *k = &config_keys_daemon[i];
		strbuf_addf(b, "| `%s` | %s", k->path, config_keys_type_word(k->type));
		if (k->type == FAPI_CONFIG_INT && k->min < k->max)
			strbuf_addf(b, " %.15g..%.15g", k->min, k->max);
		if (k->type == FAPI_CONFIG_ENUM) {
			strbuf_add(b, ":");
			for (size_t j = 0; k->values[j]; j++)
				strbuf_addf(b, "%s%s", j ? "," : " ", k->values[j]);
		}
		strbuf_addf(b, " | %s%s%s | %s%s | %s |\n", k->def ? "`" : "", k->def ? k->def : "unset",
			    k->def ? "`" : "", config_keys_reload_name(k->reload),
			    k->flags & FAPI_CONFIG_GUARDED ? ", guarded" : "", k->description);
	}
}
