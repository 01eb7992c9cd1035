#include "config/config_live.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_emit.h"
#include "config/config_keys.h"
#include "config/daemon_config.h"
#include "engine/util/file_read.h"
#include "engine/util/file_write.h"
#include "engine/util/strbuf.h"
#include "fapi/status.h"
#include "log/log.h"

typedef struct config_live_module {
	char *name;
	const fapi_config_key *keys;
	size_t n;
} config_live_module;

struct config_live {
	pthread_mutex_t mu;
	char *file;            /* falco.yaml's path, NULL for none; owned */
	char *text;            /* its content as last read; owned */
	size_t len;
	const char *const *overrides;
	size_t noverrides;
	char *state_dir;       /* the overlay's directory, NULL without the configs module; owned */
	char *overlay_path;    /* state_dir/overlay.yaml; owned */
	config_doc ov;         /* owns the overlay's nodes' names */
	config_node *overlay;  /* the overlay: a map PATH -> value, in ov; owned */
	config_doc boot;       /* the start-up configuration */
	config_doc *cur;       /* the current one: &boot, or a heap document */
	uint64_t revision;
	config_live_hooks hooks;
	config_live_module *mods;
	size_t nmods;
};

/* ---- keys and where they live in a tree ---- */

/* Resolves a full path to its declaration. "modules.NAME.KEY" is a module's
 * key when NAME declared keys; otherwise the daemon's table. */
static bool config_live_locate(const config_live *l, const char *path, config_live_key *out)
{
	if (snprintf(out->path, sizeof(out->path), "%s", path) >= (int)sizeof(out->path) || strchr(path, '['))
		return false;
	out->module = NULL;
	if (strncmp(path, "modules.", 8) == 0) {
		const char *name = path + 8, *dot = strchr(name, '.');
		for (size_t i = 0; dot && i < l->nmods; i++) {
			if (strlen(l->mods[i].name) != (size_t)(dot - name) ||
			    strncmp(l->mods[i].name, name, (size_t)(dot - name)) != 0)
				continue;
			out->key = config_keys_find_in(l->mods[i].keys, l->mods[i].n, dot + 1);
			out->module = l->mods[i].name;
			return out->key != NULL;
		}
	}
	out->key = config_keys_find(path);
	return out->key != NULL;
}

/* The modules[] item named `name` (len bytes), or NULL. */
static config_node *config_live_module_item(const config_node *root, const char *name, size_t len)
{
	config_node *mods = config_map_get(root, "modules");
	for (size_t i = 0; mods && mods->kind == CONFIG_SEQ && i < mods->count; i++) {
		const config_node *n = config_map_get(mods->items[i], "name");
		if (n && n->kind == CONFIG_SCALAR && strlen(n->scalar) == len && strncmp(n->scalar, name, len) == 0)
			return mods->items[i];
	}
	return NULL;
}

/* The node of a full path in root ("modules.NAME.REST" inside the modules[]
 * entry NAME's config), or NULL. */
static const config_node *config_live_node(const config_node *root, const char *path)
{
	if (strncmp(path, "modules.", 8) == 0) {
		const char *name = path + 8, *dot = strchr(name, '.');
		const config_node *m = config_live_module_item(root, name, dot ? (size_t)(dot - name) : strlen(name));
		if (m) {
			const config_node *c = config_map_get(m, "config");
			return dot ? (c ? config_lookup(c, dot + 1) : NULL) : c;
		}
	}
	return config_lookup(root, path);
}

/* Sets the dotted path below map to value (taken), creating maps. */
static int config_live_put_dotted(config_doc *d, config_node *map, const char *path, config_node *value,
				  char *err, size_t errlen)
{
	const char *dot = strchr(path, '.');
	if (!dot) {
		if (config_map_set(map, path, value) < 0)
			goto nomem;
		return 0;
	}
	char key[256];
	size_t kl = (size_t)(dot - path);
	if (kl >= sizeof(key)) {
		config_node_free(value);
		snprintf(err, errlen, "key '%s' is too long", path);
		return -1;
	}
	memcpy(key, path, kl);
	key[kl] = '\0';
	config_node *sub = config_map_get(map, key);
	if (!sub || sub->kind != CONFIG_MAP) {
		sub = config_node_new(CONFIG_MAP, value->file, value->line, value->column);
		if (!sub || config_map_set(map, key, sub) < 0) {
			config_node_free(value);
			goto nomem;
		}
	}
	return config_live_put_dotted(d, sub, dot + 1, value, err, errlen);
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Puts value (taken) at a full path of the document, "modules.NAME.KEY"
 * into the modules[] entry NAME (made when missing). */
static int config_live_put(config_doc *d, const char *path, config_node *value, char *err, size_t errlen)
{
	if (strncmp(path, "modules.", 8) != 0)
		return config_live_put_dotted(d, d->root, path, value, err, errlen);
	const char *name = path + 8, *dot = strchr(name, '.');
	if (!dot) {
		config_node_free(value);
		snprintf(err, errlen, "key '%s' names no key of module", path);
		return -1;
	}
	config_node *m = config_live_module_item(d->root, name, (size_t)(dot - name));
	if (!m) {
		config_node *mods = config_map_get(d->root, "modules");
		if (!mods || mods->kind != CONFIG_SEQ) {
			mods = config_node_new(CONFIG_SEQ, value->file, value->line, value->column);
			if (!mods || config_map_set(d->root, "modules", mods) < 0)
				goto nomem;
		}
		m = config_node_new(CONFIG_MAP, value->file, value->line, value->column);
		config_node *nm = config_node_new(CONFIG_SCALAR, value->file, value->line, value->column);
		if (nm && !(nm->scalar = strndup(name, (size_t)(dot - name)))) {
			config_node_free(nm);
			nm = NULL;
		}
		if (!m || !nm || config_map_set(m, "name", nm) < 0) {
			config_node_free(m);
			goto nomem;
		}
		if (config_seq_push(mods, m) < 0)
			goto nomem;
	}
	config_node *c = config_map_get(m, "config");
	if (!c || c->kind != CONFIG_MAP) {
		c = config_node_new(CONFIG_MAP, value->file, value->line, value->column);
		if (!c || config_map_set(m, "config", c) < 0)
			goto nomem;
	}
	return config_live_put_dotted(d, c, dot + 1, value, err, errlen);
nomem:
	config_node_free(value);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* ---- building a configuration ---- */

typedef struct config_live_build_ctx {
	const config_live *l;
	const config_node *overlay;
} config_live_build_ctx;

static int config_live_overlay_fn(void *user, config_doc *doc, char *err, size_t errlen)
{
	const config_live_build_ctx *b = user;
	for (size_t i = 0; b->overlay && i < b->overlay->count; i++) {
		const char *path = b->overlay->pairs[i].key;
		/* A daemon key the table no longer knows (an older overlay) is
		 * skipped; module keys are checked once the modules are loaded. */
		if (strncmp(path, "modules.", 8) != 0 && !config_keys_find(path)) {
			log_msg(FAPI_LOG_WARNING, "config", "%s: unknown configuration key '%s' (ignored)",
				b->l->overlay_path, path);
			continue;
		}
		config_node *v = config_node_clone(b->overlay->pairs[i].value);
		if (!v) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (config_live_put(doc, path, v, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int config_live_build(const config_live *l, const config_node *overlay, config_doc *out, char *err,
			     size_t errlen)
{
	config_live_build_ctx b = {.l = l, .overlay = overlay};
	return daemon_config_build(out, l->file, l->text, l->len, overlay ? config_live_overlay_fn : NULL, &b,
				   l->overrides, l->noverrides, err, errlen);
}

/* Where the overlay lives: the configs module's state_dir, when loaded. */
static int config_live_find_overlay(config_live *l, const config_node *root, char *err, size_t errlen)
{
	const config_node *lm = config_lookup(root, "load_modules");
	bool loaded = false;
	for (size_t i = 0; lm && lm->kind == CONFIG_SEQ && i < lm->count; i++)
		loaded = loaded || (lm->items[i]->kind == CONFIG_SCALAR && strcmp(lm->items[i]->scalar, "configs") == 0);
	if (!loaded)
		return 0;
	const char *dir = CONFIG_LIVE_STATE_DIR;
	const config_node *m = config_live_module_item(root, "configs", 7);
	const config_node *c = m ? config_map_get(m, "config") : NULL;
	if (c && config_get_string(c, "state_dir", dir, &dir, err, errlen) < 0)
		return -1;
	if (!(l->state_dir = strdup(dir)) || asprintf(&l->overlay_path, "%s/%s", dir, CONFIG_LIVE_OVERLAY) < 0) {
		l->overlay_path = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int config_live_read_overlay(config_live *l, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc = file_read_all(l->overlay_path, &text, &len);
	if (rc == FILE_READ_EOPEN && errno == ENOENT)
		return 0;
	if (rc != FILE_READ_OK) {
		snprintf(err, errlen, "%s: cannot read: %s", l->overlay_path, strerror(errno));
		return -1;
	}
	config_node *n = NULL;
	rc = config_yaml_parse(&l->ov, l->overlay_path, text, len, &n, err, errlen);
	free(text);
	if (rc < 0)
		return -1;
	if (n && n->kind != CONFIG_MAP) {
		snprintf(err, errlen, "%s: the overlay must be a mapping of keys", l->overlay_path);
		config_node_free(n);
		return -1;
	}
	if (n) {
		config_node_free(l->overlay);
		l->overlay = n;
	}
	return 0;
}

static int config_live_read_file(config_live *l, char **text, size_t *len, char *err, size_t errlen)
{
	*text = NULL;
	*len = 0;
	if (!l->file)
		return 0;
	if (file_read_all(l->file, text, len) != FILE_READ_OK) {
		snprintf(err, errlen, "%s: cannot read: %s", l->file, strerror(errno));
		return -1;
	}
	return 0;
}

int config_live_load(config_live **out, const char *file, const char *const *overrides, size_t noverrides,
		     char *err, size_t errlen)
{
	*out = NULL;
	config_live *l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&l->mu, NULL);
	l->overrides = overrides;
	l->noverrides = noverrides;
	l->revision = 1;
	l->cur = &l->boot;
	if ((file && !(l->file = strdup(file))) || config_doc_init(&l->ov) < 0 ||
	    !(l->overlay = config_node_new(CONFIG_MAP, NULL, 1, 1))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* The file as read, so that a change through the API rebuilds from
	 * it, not from an edit nobody reloaded yet. */
	if (config_live_read_file(l, &l->text, &l->len, err, errlen) < 0)
		goto fail;
	/* The overlay's place is known once the file and -o are: build once
	 * without it to find it, then again with it. */
	if (config_live_build(l, NULL, &l->boot, err, errlen) < 0 ||
	    config_live_find_overlay(l, l->boot.root, err, errlen) < 0)
		goto fail;
	if (l->overlay_path) {
		if (config_live_read_overlay(l, err, errlen) < 0)
			goto fail;
		if (l->overlay->count) {
			config_doc_free(&l->boot);
			if (config_live_build(l, l->overlay, &l->boot, err, errlen) < 0)
				goto fail;
		}
	}
	*out = l;
	return 0;
fail:
	config_live_free(l);
	return -1;
}

void config_live_free(config_live *l)
{
	if (!l)
		return;
	if (l->cur != &l->boot) {
		config_doc_free(l->cur);
		free(l->cur);
	}
	config_doc_free(&l->boot);
	config_node_free(l->overlay);
	config_doc_free(&l->ov);
	for (size_t i = 0; i < l->nmods; i++)
		free(l->mods[i].name);
	free(l->mods);
	free(l->file);
	free(l->text);
	free(l->state_dir);
	free(l->overlay_path);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

config_doc *config_live_boot(config_live *l)
{
	return &l->boot;
}

void config_live_set_hooks(config_live *l, const config_live_hooks *h)
{
	pthread_mutex_lock(&l->mu);
	l->hooks = *h;
	pthread_mutex_unlock(&l->mu);
}

int config_live_add_module(config_live *l, const char *name, const fapi_config_key *keys, size_t n)
{
	pthread_mutex_lock(&l->mu);
	config_live_module *m = realloc(l->mods, (l->nmods + 1) * sizeof(*m));
	int rc = -1;
	if (m) {
		l->mods = m;
		if ((m[l->nmods].name = strdup(name))) {
			m[l->nmods].keys = keys;
			m[l->nmods].n = n;
			l->nmods++;
			rc = 0;
		}
	}
	pthread_mutex_unlock(&l->mu);
	return rc;
}

uint64_t config_live_revision(config_live *l)
{
	pthread_mutex_lock(&l->mu);
	uint64_t r = l->revision;
	pthread_mutex_unlock(&l->mu);
	return r;
}

const char *config_live_file(const config_live *l)
{
	return l->file;
}

const char *config_live_overlay_path(const config_live *l)
{
	return l->overlay_path;
}

/* ---- reading ---- */

static char *config_live_flow(const config_node *n)
{
	if (!n)
		return NULL;
	strbuf b = STRBUF_INIT;
	config_emit_flow(&b, n);
	return strbuf_finish(&b);
}

static bool config_live_same(const config_node *a, const config_node *b)
{
	if (!a || !b)
		return a == b;
	char *x = config_live_flow(a), *y = config_live_flow(b);
	bool same = x && y && strcmp(x, y) == 0;
	free(x);
	free(y);
	return same;
}

static const char *config_live_origin(const config_live *l, const config_node *n, char *buf, size_t len)
{
	if (!n || !n->file || strcmp(n->file, "<default>") == 0)
		return "default";
	if (strncmp(n->file, "-o ", 3) == 0)
		return "-o";
	if (strcmp(n->file, "api") == 0 || (l->overlay_path && strcmp(n->file, l->overlay_path) == 0))
		return "api";
	snprintf(buf, len, "%s:%d", n->file, n->line);
	return buf;
}

/* True when key path p is `want` or below it ("" matches everything). */
static bool config_live_matches(const char *p, const char *want)
{
	size_t wl = strlen(want);
	return !wl || (strncmp(p, want, wl) == 0 && (p[wl] == '\0' || p[wl] == '.'));
}

static size_t config_live_visit_locked(config_live *l, const char *path, config_live_visit_fn fn, void *user)
{
	size_t n = 0;
	char where[600];
	config_live_key k;
	for (size_t i = 0; i < config_keys_daemon_count; i++) {
		const fapi_config_key *d = &config_keys_daemon[i];
		if (strchr(d->path, '[') || !config_live_matches(d->path, path))
			continue;
		snprintf(k.path, sizeof(k.path), "%s", d->path);
		k.key = d;
		k.module = NULL;
		const config_node *now = config_live_node(l->cur->root, d->path);
		if (fn)
			fn(user, &k, now, config_live_node(l->boot.root, d->path),
			   config_live_origin(l, now, where, sizeof(where)));
		n++;
	}
	for (size_t m = 0; m < l->nmods; m++) {
		for (size_t i = 0; i < l->mods[m].n; i++) {
			const fapi_config_key *d = FAPI_CONFIG_KEY_AT(l->mods[m].keys, i);
			if (!d->path || strchr(d->path, '['))
				continue;
			snprintf(k.path, sizeof(k.path), "modules.%s.%s", l->mods[m].name, d->path);
			if (!config_live_matches(k.path, path))
				continue;
			k.key = d;
			k.module = l->mods[m].name;
			const config_node *now = config_live_node(l->cur->root, k.path);
			if (fn)
				fn(user, &k, now, config_live_node(l->boot.root, k.path),
				   config_live_origin(l, now, where, sizeof(where)));
			n++;
		}
	}
	return n;
}

size_t config_live_visit(config_live *l, const char *path, config_live_visit_fn fn, void *user, uint64_t *revision)
{
	pthread_mutex_lock(&l->mu);
	size_t n = config_live_visit_locked(l, path ? path : "", fn, user);
	if (revision)
		*revision = l->revision;
	pthread_mutex_unlock(&l->mu);
	return n;
}

char *config_live_yaml(config_live *l, const char *path)
{
	strbuf b = STRBUF_INIT;
	pthread_mutex_lock(&l->mu);
	if (!path || !*path) {
		config_emit_block(&b, l->cur->root);
	} else {
		const config_node *n = config_live_node(l->cur->root, path);
		if (n) {
			/* One mapping {path: value}, only read by the emitter. */
			config_pair pair = {.key = (char *)path, .value = (config_node *)n};
			config_node wrap = {.kind = CONFIG_MAP, .pairs = &pair, .count = 1};
			config_emit_block(&b, &wrap);
		}
	}
	pthread_mutex_unlock(&l->mu);
	char *s = strbuf_finish(&b);
	return s ? s : NULL;
}

/* ---- changing ---- */

void config_live_outcome_free(config_live_outcome *o)
{
	for (size_t i = 0; i < o->npending; i++)
		free(o->pending[i]);
	for (size_t i = 0; i < o->nchanged; i++) {
		free(o->paths[i]);
		free(o->old_values[i]);
		free(o->new_values[i]);
	}
	free(o->pending);
	free(o->paths);
	free(o->old_values);
	free(o->new_values);
	free(o->key);
	memset(o, 0, sizeof(*o));
}

/* Checks a whole candidate configuration: the daemon's table, each
 * module's table, then the daemon's own rules. */
static int config_live_check(config_live *l, const config_node *root, char *err, size_t errlen)
{
	if (config_keys_check(root, config_keys_daemon, config_keys_daemon_count, "", NULL, NULL, err, errlen) < 0)
		return -1;
	for (size_t m = 0; m < l->nmods; m++) {
		const config_node *item = config_live_module_item(root, l->mods[m].name, strlen(l->mods[m].name));
		const config_node *c = item ? config_map_get(item, "config") : NULL;
		char kerr[1024];
		if (c && config_keys_check(c, l->mods[m].keys, l->mods[m].n, "", NULL, NULL, kerr, sizeof(kerr)) < 0) {
			snprintf(err, errlen, "modules[%s].config: %s", l->mods[m].name, kerr);
			return -1;
		}
	}
	return l->hooks.check ? l->hooks.check(l->hooks.user, root, err, errlen) : 0;
}

/* The overlay as flat YAML, one `PATH: VALUE` per line. */
static char *config_live_overlay_text(const config_node *overlay, size_t *len)
{
	strbuf b = STRBUF_INIT;
	strbuf_add(&b, "# Values set through the configs module (falco-apid); read after falco.yaml, before -o.\n");
	for (size_t i = 0; i < overlay->count; i++) {
		config_node k = {.kind = CONFIG_SCALAR, .scalar = overlay->pairs[i].key};
		config_emit_flow(&b, &k);
		strbuf_add(&b, ": ");
		config_emit_flow(&b, overlay->pairs[i].value);
		strbuf_addc(&b, '\n');
	}
	*len = b.len;
	return strbuf_finish(&b);
}

static int config_live_fail_key(config_live_outcome *o, const char *key, int rc)
{
	free(o->key);
	o->key = key ? strdup(key) : NULL;
	return rc;
}

/* Makes cand current (l->mu held) once the apply hook took it; returns the
 * previous document (to free with config_live_drop, or to go back to with
 * config_live_revert), or NULL with err when the hook refused and nothing
 * changed. */
static config_doc *config_live_commit(config_live *l, config_doc *cand, char *err, size_t errlen)
{
	config_doc *old = l->cur;
	if (l->hooks.apply && l->hooks.apply(l->hooks.user, old->root, cand->root, err, errlen) < 0)
		return NULL;
	l->cur = cand;
	return old;
}

static void config_live_drop(config_live *l, config_doc *old)
{
	if (old && old != &l->boot) {
		config_doc_free(old);
		free(old);
	}
}

/* Back to `old` after a commit whose file could not be written. */
static void config_live_revert(config_live *l, config_doc *old)
{
	config_doc *cand = l->cur;
	char err[1024] = "";
	if (l->hooks.apply && l->hooks.apply(l->hooks.user, cand->root, old->root, err, sizeof(err)) < 0)
		log_msg(FAPI_LOG_ERROR, "config", "going back to the previous configuration: %s", err);
	l->cur = old;
	config_live_drop(l, cand);
}

static int config_live_push(char ***arr, size_t *n, char *s)
{
	char **a = realloc(*arr, (*n + 1) * sizeof(*a));
	if (!a) {
		free(s);
		return -1;
	}
	*arr = a;
	a[(*n)++] = s;
	return 0;
}

int config_live_change_apply(config_live *l, const config_live_change *c, config_live_outcome *o, char *err,
			     size_t errlen)
{
	memset(o, 0, sizeof(*o));
	pthread_mutex_lock(&l->mu);
	int rc = FAPI_EINVAL;
	config_node *cand_ov = NULL;
	config_doc *cand = NULL;
	o->revision = l->revision;
	if (c->if_revision && c->if_revision != l->revision) {
		snprintf(err, errlen, "the configuration is at revision %llu, not %llu", (unsigned long long)l->revision,
			 (unsigned long long)c->if_revision);
		rc = config_live_fail_key(o, NULL, FAPI_ECONFLICT);
		goto out;
	}
	if (!c->n) {
		snprintf(err, errlen, "no key given");
		goto out;
	}
	if (!c->validate_only && !l->overlay_path) {
		snprintf(err, errlen, "the configs module is not loaded: no overlay keeps values set through the API");
		rc = FAPI_EUNSUPPORTED;
		goto out;
	}
	if (!(cand_ov = config_node_clone(l->overlay)))
		goto nomem;
	for (size_t i = 0; i < c->n; i++) {
		const char *path = c->paths[i];
		config_live_key k;
		if (!path) {
			snprintf(err, errlen, "change #%zu has no key", i);
			goto out;
		}
		if (!c->values) {
			/* A reset: a key, or every key of a subtree. */
			if (!config_live_locate(l, path, &k) && !config_live_visit_locked(l, path, NULL, NULL)) {
				snprintf(err, errlen, "unknown configuration key '%s'", path);
				rc = config_live_fail_key(o, path, FAPI_EINVAL);
				goto out;
			}
			config_node *keep = config_node_new(CONFIG_MAP, NULL, 1, 1);
			if (!keep)
				goto nomem;
			for (size_t j = 0; j < cand_ov->count; j++) {
				if (config_live_matches(cand_ov->pairs[j].key, path))
					continue;
				config_node *v = config_node_clone(cand_ov->pairs[j].value);
				if (!v || config_map_set(keep, cand_ov->pairs[j].key, v) < 0) {
					config_node_free(keep);
					goto nomem;
				}
			}
			config_node_free(cand_ov);
			cand_ov = keep;
			continue;
		}
		if (!config_live_locate(l, path, &k) || k.key->type == FAPI_CONFIG_TREE) {
			snprintf(err, errlen, "unknown configuration key '%s'%s", path,
				 k.key && k.key->type == FAPI_CONFIG_TREE ? " (a free-form subtree: set its keys)" : "");
			rc = config_live_fail_key(o, path, FAPI_EINVAL);
			goto out;
		}
		if (!c->values[i]) {
			snprintf(err, errlen, "key '%s': no value", path);
			rc = config_live_fail_key(o, path, FAPI_EINVAL);
			goto out;
		}
		config_node *v = NULL;
		const char *origin = "api";
		if (config_yaml_parse(&l->ov, origin, c->values[i], strlen(c->values[i]), &v, err, errlen) < 0) {
			rc = config_live_fail_key(o, path, FAPI_EINVAL);
			goto out;
		}
		if (!v && !(v = config_node_new(CONFIG_SCALAR, config_doc_intern(&l->ov, origin), 1, 1)))
			goto nomem;
		if (v->kind == CONFIG_SCALAR && !v->scalar && !(v->scalar = strdup(""))) {
			config_node_free(v);
			goto nomem;
		}
		if (config_keys_check_value(k.key, v, path, err, errlen) < 0) {
			config_node_free(v);
			rc = config_live_fail_key(o, path, FAPI_EINVAL);
			goto out;
		}
		if (config_map_set(cand_ov, path, v) < 0)
			goto nomem;
	}
	if (!(cand = calloc(1, sizeof(*cand))))
		goto nomem;
	if (config_live_build(l, cand_ov, cand, err, errlen) < 0 || config_live_check(l, cand->root, err, errlen) < 0) {
		/* A cross-key rule: name the first key of the call it concerns. */
		rc = config_live_fail_key(o, c->n == 1 ? c->paths[0] : NULL, FAPI_EINVAL);
		goto out;
	}
	/* What changes, per key of the call. */
	for (size_t i = 0; i < c->n; i++) {
		const char *p = c->paths[i];
		const config_node *was = config_live_node(l->cur->root, p), *now = config_live_node(cand->root, p);
		char *ps = strdup(p);
		if (!ps || config_live_push(&o->paths, &o->nchanged, ps) < 0)
			goto nomem;
		size_t k1 = o->nchanged - 1, k2 = o->nchanged - 1;
		if (config_live_push(&o->old_values, &k1, config_live_flow(was)) < 0 ||
		    config_live_push(&o->new_values, &k2, config_live_flow(now)) < 0)
			goto nomem;
		config_live_key k;
		if (config_live_locate(l, p, &k) && k.key->reload == FAPI_CONFIG_RESTART &&
		    !config_live_same(now, config_live_node(l->boot.root, p))) {
			char *pp = strdup(p);
			if (!pp || config_live_push(&o->pending, &o->npending, pp) < 0)
				goto nomem;
		}
	}
	if (c->validate_only) {
		rc = FAPI_OK;
		goto out;
	}
	size_t len = 0;
	char *text = config_live_overlay_text(cand_ov, &len);
	if (!text)
		goto nomem;
	/* Applied first (a rules file that does not load refuses the change),
	 * then kept; a file that cannot be written takes the change back. */
	config_doc *old = config_live_commit(l, cand, err, errlen);
	if (!old) {
		free(text);
		rc = config_live_fail_key(o, c->n == 1 ? c->paths[0] : NULL, FAPI_EINVAL);
		goto out;
	}
	cand = NULL;
	char werr[1024];
	if (file_mkdirs(l->state_dir, 0700, werr, sizeof(werr)) < 0 ||
	    file_write_atomic(l->state_dir, CONFIG_LIVE_OVERLAY, text, len, 0600, werr, sizeof(werr)) < 0) {
		free(text);
		config_live_revert(l, old);
		snprintf(err, errlen, "%s", werr);
		rc = config_live_fail_key(o, NULL, FAPI_EIO);
		goto out;
	}
	free(text);
	config_live_drop(l, old);
	config_node_free(l->overlay);
	l->overlay = cand_ov;
	cand_ov = NULL;
	o->revision = ++l->revision;
	rc = FAPI_OK;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
	rc = config_live_fail_key(o, NULL, FAPI_ENOMEM);
out:
	if (rc != FAPI_OK) {
		/* On failure only the key at fault is reported. */
		char *key = o->key;
		o->key = NULL;
		config_live_outcome_free(o);
		o->key = key;
		o->revision = l->revision;
	}
	pthread_mutex_unlock(&l->mu);
	config_node_free(cand_ov);
	if (cand) {
		config_doc_free(cand);
		free(cand);
	}
	return rc;
}

typedef struct config_live_diff {
	const config_doc *cand;
	size_t changed;
} config_live_diff;

static void config_live_log_restart(void *user, const config_live_key *k, const config_node *now,
				    const config_node *boot, const char *origin)
{
	(void)boot;
	(void)origin;
	config_live_diff *d = user;
	const config_node *next = config_live_node(d->cand->root, k->path);
	if (config_live_same(now, next))
		return;
	d->changed++;
	if (k->key->reload == FAPI_CONFIG_RESTART) {
		char *v = config_live_flow(next);
		log_msg(FAPI_LOG_WARNING, "config", "%s changed to %s: it takes effect at the next restart", k->path,
			v ? v : "(unset)");
		free(v);
	}
}

int config_live_reload(config_live *l, char *err, size_t errlen)
{
	pthread_mutex_lock(&l->mu);
	char *text = NULL;
	size_t len = 0;
	int rc = -1;
	config_doc *cand = NULL;
	if (config_live_read_file(l, &text, &len, err, errlen) < 0)
		goto out;
	char *old_text = l->text;
	size_t old_len = l->len;
	l->text = text;
	l->len = len;
	if (!(cand = calloc(1, sizeof(*cand)))) {
		snprintf(err, errlen, "out of memory");
	} else if (config_live_build(l, l->overlay, cand, err, errlen) == 0 &&
		   config_live_check(l, cand->root, err, errlen) == 0) {
		rc = 0;
	}
	if (rc < 0) {
		l->text = old_text;
		l->len = old_len;
		free(text);
		goto out;
	}
	config_live_diff d = {.cand = cand};
	config_live_visit_locked(l, "", config_live_log_restart, &d);
	config_doc *old = config_live_commit(l, cand, err, errlen);
	if (!old) {
		/* The running configuration stays, with the file as it was read. */
		free(l->text);
		l->text = old_text;
		l->len = old_len;
		rc = -1;
		goto out;
	}
	free(old_text);
	cand = NULL;
	config_live_drop(l, old);
	if (d.changed)
		l->revision++;
out:
	pthread_mutex_unlock(&l->mu);
	if (cand) {
		config_doc_free(cand);
		free(cand);
	}
	return rc;
}
