#include "daemon/rules_ctl.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine_diag.h"
#include "engine/rules/rules_files.h"
#include "engine/util/file_read.h"

typedef struct rules_ctl_text {
	char *name;
	char *text;
	size_t len;
	char sha256[65];
} rules_ctl_text;

typedef struct rules_ctl_toggle {
	char *rule, *tag;
	bool enabled;
} rules_ctl_toggle;

typedef struct rules_ctl_owner {
	unsigned rank;
	char *name;
	rules_ctl_text *docs;
	size_t ndocs;
	rules_ctl_toggle *toggles;
	size_t ntoggles;
} rules_ctl_owner;

struct rules_ctl {
	engine *e;
	pthread_mutex_t lock; /* serialises changes; guards everything below but snap */
	char **paths;
	size_t npaths;
	rules_ctl_text *config;
	size_t nconfig;
	rules_ctl_owner *owners; /* sorted by rank */
	size_t nowners;
	pthread_mutex_t snap_lock; /* guards snap and files */
	rules_ctl_snapshot *snap;
	rules_ctl_file *files; /* of the running set, generation files_gen */
	size_t nfiles;
	uint64_t files_gen;
	/* wall clock of the last successful change: Falco's reload timestamp */
	_Atomic uint64_t reload_ns;
};

static void rules_ctl_sha256(const char *data, size_t len, char out[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	static const char hex[] = "0123456789abcdef";
	out[0] = '\0';
	if (EVP_Digest(len ? data : "", len, d, &dl, EVP_sha256(), NULL) != 1 || dl != 32)
		return;
	for (unsigned i = 0; i < dl; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

static void rules_ctl_texts_free(rules_ctl_text *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		free(t[i].name);
		free(t[i].text);
	}
	free(t);
}

static void rules_ctl_owner_clear(rules_ctl_owner *o)
{
	rules_ctl_texts_free(o->docs, o->ndocs);
	for (size_t i = 0; i < o->ntoggles; i++) {
		free(o->toggles[i].rule);
		free(o->toggles[i].tag);
	}
	free(o->toggles);
	free(o->name);
	memset(o, 0, sizeof(*o));
}

static void rules_ctl_files_free(rules_ctl_file *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].name);
		free(f[i].owner);
	}
	free(f);
}

static void rules_ctl_paths_free(char **p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i]);
	free(p);
}

/* Reads the config files of paths into *out. 0, or -1 with one error in
 * diags naming the file. */
static int rules_ctl_read_config(const char *const *paths, size_t npaths, rules_ctl_text **out, size_t *nout,
				 engine_diags *diags)
{
	char err[1024];
	char **files = NULL;
	size_t nfiles = 0;
	*out = NULL;
	*nout = 0;
	if (rules_files_expand(paths, npaths, &files, &nfiles, err, sizeof(err)) < 0) {
		engine_diags_add(diags, true, err, NULL, paths, npaths);
		return -1;
	}
	rules_ctl_text *t = calloc(nfiles ? nfiles : 1, sizeof(*t));
	if (!t) {
		rules_files_free(files, nfiles);
		engine_diags_add_parts(diags, true, "", 0, 0, "", "", "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nfiles; i++) {
		t[i].name = files[i];
		files[i] = NULL;
		int rc = file_read_all(t[i].name, &t[i].text, &t[i].len);
		if (rc != FILE_READ_OK) {
			snprintf(err, sizeof(err), "cannot read rules file: %s",
				 rc == FILE_READ_ENOMEM ? "out of memory" : strerror(errno));
			engine_diags_add_parts(diags, true, t[i].name, 0, 0, "", "", err);
			rules_ctl_texts_free(t, nfiles);
			rules_files_free(files, nfiles);
			return -1;
		}
		rules_ctl_sha256(t[i].text, t[i].len, t[i].sha256);
	}
	rules_files_free(files, nfiles);
	*out = t;
	*nout = nfiles;
	return 0;
}

static char **rules_ctl_paths_dup(const char *const *paths, size_t n)
{
	char **p = calloc(n ? n : 1, sizeof(*p));
	for (size_t i = 0; p && i < n; i++)
		if (!(p[i] = strdup(paths[i]))) {
			rules_ctl_paths_free(p, n);
			return NULL;
		}
	return p;
}

/* The files of the set config + owners, for the snapshots. */
static int rules_ctl_files_build(const rules_ctl_text *config, size_t nconfig, const rules_ctl_owner *owners,
				 size_t nowners, rules_ctl_file **out, size_t *nout)
{
	size_t n = nconfig;
	for (size_t i = 0; i < nowners; i++)
		n += owners[i].ndocs;
	rules_ctl_file *f = calloc(n ? n : 1, sizeof(*f));
	if (!f)
		return -1;
	size_t k = 0;
	bool ok = true;
	for (size_t i = 0; i < nconfig; i++, k++) {
		f[k] = (rules_ctl_file){.name = strdup(config[i].name), .origin = RULES_CTL_ORIGIN_CONFIG,
					.owner = strdup("")};
		memcpy(f[k].sha256, config[i].sha256, sizeof(f[k].sha256));
		ok = ok && f[k].name && f[k].owner;
	}
	for (size_t i = 0; i < nowners; i++)
		for (size_t j = 0; j < owners[i].ndocs; j++, k++) {
			f[k] = (rules_ctl_file){.name = strdup(owners[i].docs[j].name), .origin = RULES_CTL_ORIGIN_API,
						.owner = strdup(owners[i].name)};
			memcpy(f[k].sha256, owners[i].docs[j].sha256, sizeof(f[k].sha256));
			ok = ok && f[k].name && f[k].owner;
		}
	if (!ok) {
		rules_ctl_files_free(f, n);
		return -1;
	}
	*out = f;
	*nout = n;
	return 0;
}

/* After a successful change: the files the snapshots show, and the time
 * of the change (Falco restarts on every reload, so its reload timestamp
 * is the time the running set was made). */
static void rules_ctl_files_publish(rules_ctl *ctl, uint64_t generation)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	atomic_store_explicit(&ctl->reload_ns, (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec,
			      memory_order_relaxed);
	rules_ctl_file *f = NULL;
	size_t n = 0;
	if (rules_ctl_files_build(ctl->config, ctl->nconfig, ctl->owners, ctl->nowners, &f, &n) < 0)
		return; /* the old list stays, one generation behind, until the next change */
	pthread_mutex_lock(&ctl->snap_lock);
	rules_ctl_files_free(ctl->files, ctl->nfiles);
	ctl->files = f;
	ctl->nfiles = n;
	ctl->files_gen = generation;
	pthread_mutex_unlock(&ctl->snap_lock);
}

int rules_ctl_new(rules_ctl **out, engine *e, const char *const *paths, size_t npaths, char *err, size_t errlen)
{
	*out = NULL;
	rules_ctl *ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ctl->e = e;
	pthread_mutex_init(&ctl->lock, NULL);
	pthread_mutex_init(&ctl->snap_lock, NULL);
	engine_diags d = {0};
	if (!(ctl->paths = rules_ctl_paths_dup(paths, npaths)) ||
	    rules_ctl_read_config(paths, npaths, &ctl->config, &ctl->nconfig, &d) < 0) {
		snprintf(err, errlen, "%s", d.n ? d.items[0].message : "out of memory");
		engine_diags_free(&d);
		rules_ctl_free(ctl);
		return -1;
	}
	ctl->npaths = npaths;
	rules_ctl_files_publish(ctl, engine_generation(e));
	*out = ctl;
	return 0;
}

uint64_t rules_ctl_reload_ns(const rules_ctl *ctl)
{
	return ctl ? atomic_load_explicit(&ctl->reload_ns, memory_order_relaxed) : 0;
}

void rules_ctl_free(rules_ctl *ctl)
{
	if (!ctl)
		return;
	rules_ctl_snapshot_release(ctl->snap);
	rules_ctl_files_free(ctl->files, ctl->nfiles);
	for (size_t i = 0; i < ctl->nowners; i++)
		rules_ctl_owner_clear(&ctl->owners[i]);
	free(ctl->owners);
	rules_ctl_texts_free(ctl->config, ctl->nconfig);
	rules_ctl_paths_free(ctl->paths, ctl->npaths);
	pthread_mutex_destroy(&ctl->lock);
	pthread_mutex_destroy(&ctl->snap_lock);
	free(ctl);
}

/* A deep copy of *c as owner's contribution, its names checked: 0, or -1
 * with diags. */
static int rules_ctl_owner_copy(const rules_ctl_contrib *c, unsigned rank, const char *owner, rules_ctl_owner *o,
				engine_diags *diags)
{
	memset(o, 0, sizeof(*o));
	o->rank = rank;
	o->name = strdup(owner ? owner : "");
	o->docs = calloc(c->ndocs ? c->ndocs : 1, sizeof(*o->docs));
	o->toggles = calloc(c->ntoggles ? c->ntoggles : 1, sizeof(*o->toggles));
	bool ok = o->name && o->docs && o->toggles;
	for (size_t i = 0; ok && i < c->ndocs; i++, o->ndocs++) {
		const engine_document *d = &c->docs[i];
		if (!d->name || !d->text) {
			char m[128];
			snprintf(m, sizeof(m), "document #%zu has no %s", i, d->name ? "text" : "name");
			engine_diags_add_parts(diags, true, d->name ? d->name : "", 0, 0, "", "", m);
			rules_ctl_owner_clear(o);
			return -1;
		}
		o->docs[i].name = strdup(d->name);
		o->docs[i].text = malloc(d->len + 1);
		if (!o->docs[i].name || !o->docs[i].text) {
			ok = false;
			o->ndocs++;
			break;
		}
		memcpy(o->docs[i].text, d->text, d->len);
		o->docs[i].text[d->len] = '\0';
		o->docs[i].len = d->len;
		rules_ctl_sha256(d->text, d->len, o->docs[i].sha256);
	}
	for (size_t i = 0; ok && i < c->ntoggles; i++, o->ntoggles++) {
		const engine_toggle *t = &c->toggles[i];
		if (!t->rule == !t->tag) {
			engine_diags_add_parts(diags, true, "", 0, 0, "", "",
					       "a toggle names exactly one of a rule and a tag");
			rules_ctl_owner_clear(o);
			return -1;
		}
		o->toggles[i].rule = t->rule ? strdup(t->rule) : NULL;
		o->toggles[i].tag = t->tag ? strdup(t->tag) : NULL;
		o->toggles[i].enabled = t->enabled;
		ok = (t->rule ? o->toggles[i].rule : o->toggles[i].tag) != NULL;
	}
	if (!ok) {
		rules_ctl_owner_clear(o);
		engine_diags_add_parts(diags, true, "", 0, 0, "", "", "out of memory");
		return -1;
	}
	return 0;
}

/* Names of documents: 1..255 bytes, no '/', unique among all files of the
 * set (config paths included). */
static bool rules_ctl_name_ok(const char *name, const engine_document *docs, size_t before, engine_diags *diags)
{
	const char *why = NULL;
	size_t n = strlen(name);
	if (n == 0 || n > 255)
		why = "a document name has 1 to 255 bytes";
	else if (strchr(name, '/'))
		why = "a document name has no '/'";
	for (size_t i = 0; !why && i < before; i++)
		if (strcmp(docs[i].name, name) == 0)
			why = "another file of the set has this name";
	if (why)
		engine_diags_add_parts(diags, true, name, 0, 0, "", "", why);
	return why == NULL;
}

/* The whole set with config = (config, nconfig) and owners, one of them
 * (rank/name) replaced by `repl` (NULL: none replaced). Arrays are malloc'd,
 * their strings borrowed from the inputs. */
static int rules_ctl_compose(const rules_ctl_text *config, size_t nconfig, const rules_ctl_owner *owners,
			     size_t nowners, const rules_ctl_owner *repl, engine_document **docs_out,
			     engine_toggle **toggles_out, engine_set *set, engine_diags *diags)
{
	size_t nd = nconfig, nt = 0;
	bool repl_done = false;
	for (size_t i = 0; i <= nowners; i++) {
		const rules_ctl_owner *o = i < nowners ? &owners[i] : NULL;
		if (o && repl && strcmp(o->name, repl->name) == 0)
			continue;
		if (o) {
			nd += o->ndocs;
			nt += o->ntoggles;
		}
	}
	if (repl) {
		nd += repl->ndocs;
		nt += repl->ntoggles;
	}
	engine_document *docs = calloc(nd ? nd : 1, sizeof(*docs));
	engine_toggle *toggles = calloc(nt ? nt : 1, sizeof(*toggles));
	if (!docs || !toggles) {
		free(docs);
		free(toggles);
		engine_diags_add_parts(diags, true, "", 0, 0, "", "", "out of memory");
		return -1;
	}
	size_t kd = 0, kt = 0;
	for (size_t i = 0; i < nconfig; i++)
		docs[kd++] = (engine_document){.name = config[i].name, .text = config[i].text, .len = config[i].len};
	bool ok = true;
	/* Owners in rank order, the replacement in its place. */
	for (size_t i = 0; i <= nowners; i++) {
		const rules_ctl_owner *o = i < nowners ? &owners[i] : NULL;
		if (o && repl && strcmp(o->name, repl->name) == 0)
			continue;
		if (repl && !repl_done && (!o || o->rank > repl->rank)) {
			repl_done = true;
			i--;
			o = repl;
		}
		if (!o)
			break;
		for (size_t j = 0; j < o->ndocs; j++) {
			ok = rules_ctl_name_ok(o->docs[j].name, docs, kd, diags) && ok;
			docs[kd++] = (engine_document){.name = o->docs[j].name, .text = o->docs[j].text,
						       .len = o->docs[j].len};
		}
		for (size_t j = 0; j < o->ntoggles; j++)
			toggles[kt++] = (engine_toggle){.rule = o->toggles[j].rule, .tag = o->toggles[j].tag,
						       .enabled = o->toggles[j].enabled};
	}
	if (!ok) {
		free(docs);
		free(toggles);
		return -1;
	}
	*docs_out = docs;
	*toggles_out = toggles;
	*set = (engine_set){.docs = docs, .ndocs = kd, .toggles = toggles, .ntoggles = kt};
	return 0;
}

/* Puts o (taken) in place of the owner of its name, in rank order; an
 * empty o withdraws it. */
static void rules_ctl_owner_keep(rules_ctl *ctl, rules_ctl_owner *o)
{
	for (size_t i = 0; i < ctl->nowners; i++)
		if (strcmp(ctl->owners[i].name, o->name) == 0) {
			rules_ctl_owner_clear(&ctl->owners[i]);
			memmove(&ctl->owners[i], &ctl->owners[i + 1], (ctl->nowners - i - 1) * sizeof(*ctl->owners));
			ctl->nowners--;
			break;
		}
	if (!o->ndocs && !o->ntoggles) {
		rules_ctl_owner_clear(o);
		return;
	}
	rules_ctl_owner *n = realloc(ctl->owners, (ctl->nowners + 1) * sizeof(*n));
	if (!n) {
		/* Cannot happen short of a broken allocator after the set was
		 * applied; the contribution is then lost at the next reload. */
		rules_ctl_owner_clear(o);
		return;
	}
	ctl->owners = n;
	size_t at = 0;
	while (at < ctl->nowners && ctl->owners[at].rank <= o->rank)
		at++;
	memmove(&ctl->owners[at + 1], &ctl->owners[at], (ctl->nowners - at) * sizeof(*n));
	ctl->owners[at] = *o;
	ctl->nowners++;
	memset(o, 0, sizeof(*o));
}

static int rules_ctl_change(rules_ctl *ctl, unsigned rank, const char *owner, const rules_ctl_contrib *c, bool apply,
			    uint64_t *generation, engine_diags *diags)
{
	*diags = (engine_diags){0};
	rules_ctl_owner o;
	if (rules_ctl_owner_copy(c, rank, owner, &o, diags) < 0)
		return -1;
	pthread_mutex_lock(&ctl->lock);
	engine_document *docs = NULL;
	engine_toggle *toggles = NULL;
	engine_set set;
	int rc = rules_ctl_compose(ctl->config, ctl->nconfig, ctl->owners, ctl->nowners, &o, &docs, &toggles, &set,
				   diags);
	uint64_t gen = 0;
	if (rc == 0) {
		engine_diags d2;
		rc = engine_change_set(ctl->e, &set, apply, &gen, &d2);
		/* the composition's errors (none here) come first */
		engine_diags_free(diags);
		*diags = d2;
	}
	free(docs);
	free(toggles);
	if (rc == 0 && apply) {
		rules_ctl_owner_keep(ctl, &o);
		rules_ctl_files_publish(ctl, gen);
		if (generation)
			*generation = gen;
	}
	pthread_mutex_unlock(&ctl->lock);
	rules_ctl_owner_clear(&o);
	return rc;
}

int rules_ctl_validate(rules_ctl *ctl, unsigned rank, const char *owner, const rules_ctl_contrib *c,
		       engine_diags *diags)
{
	return rules_ctl_change(ctl, rank, owner, c, false, NULL, diags);
}

int rules_ctl_apply(rules_ctl *ctl, unsigned rank, const char *owner, const rules_ctl_contrib *c,
		    uint64_t *generation, engine_diags *diags)
{
	return rules_ctl_change(ctl, rank, owner, c, true, generation, diags);
}

int rules_ctl_reload(rules_ctl *ctl, bool set_paths, const char *const *paths, size_t npaths,
		     uint64_t *generation, engine_diags *diags)
{
	*diags = (engine_diags){0};
	pthread_mutex_lock(&ctl->lock);
	if (!set_paths) {
		paths = (const char *const *)ctl->paths;
		npaths = ctl->npaths;
	}
	char **newpaths = set_paths ? rules_ctl_paths_dup(paths, npaths) : NULL;
	rules_ctl_text *config = NULL;
	size_t nconfig = 0;
	engine_document *docs = NULL;
	engine_toggle *toggles = NULL;
	engine_set set;
	uint64_t gen = 0;
	int rc = -1;
	if (set_paths && !newpaths)
		engine_diags_add_parts(diags, true, "", 0, 0, "", "", "out of memory");
	else if (rules_ctl_read_config(paths, npaths, &config, &nconfig, diags) == 0 &&
		 rules_ctl_compose(config, nconfig, ctl->owners, ctl->nowners, NULL, &docs, &toggles, &set, diags) ==
			 0) {
		engine_diags_free(diags);
		rc = engine_change_set(ctl->e, &set, true, &gen, diags);
	}
	free(docs);
	free(toggles);
	if (rc == 0) {
		rules_ctl_texts_free(ctl->config, ctl->nconfig);
		ctl->config = config;
		ctl->nconfig = nconfig;
		config = NULL;
		if (set_paths) {
			rules_ctl_paths_free(ctl->paths, ctl->npaths);
			ctl->paths = newpaths;
			ctl->npaths = npaths;
			newpaths = NULL;
		}
		rules_ctl_files_publish(ctl, gen);
		if (generation)
			*generation = gen;
	}
	rules_ctl_texts_free(config, nconfig);
	rules_ctl_paths_free(newpaths, npaths);
	pthread_mutex_unlock(&ctl->lock);
	return rc;
}

/* ---- snapshots ------------------------------------------------------- */

void rules_ctl_snapshot_release(rules_ctl_snapshot *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	engine_rule_infos_free(s->rules, s->nrules);
	free(s->rule_origin);
	rules_ctl_files_free(s->files, s->nfiles);
	free(s);
}

static rules_ctl_snapshot *rules_ctl_snapshot_build(rules_ctl *ctl)
{
	rules_ctl_snapshot *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	atomic_init(&s->refs, 1);
	if (engine_list_rules(ctl->e, &s->rules, &s->nrules, &s->generation) < 0) {
		free(s);
		return NULL;
	}
	/* The files are published just after the engine swapped: for that
	 * short while they are one generation behind. */
	for (int tries = 0; ctl->files_gen != s->generation && tries < 1000; tries++) {
		pthread_mutex_unlock(&ctl->snap_lock);
		sched_yield();
		pthread_mutex_lock(&ctl->snap_lock);
	}
	s->files = calloc(ctl->nfiles ? ctl->nfiles : 1, sizeof(*s->files));
	s->rule_origin = calloc(s->nrules ? s->nrules : 1, sizeof(*s->rule_origin));
	if (!s->files || !s->rule_origin)
		goto fail;
	for (size_t i = 0; i < ctl->nfiles; i++, s->nfiles++) {
		s->files[i] = ctl->files[i];
		s->files[i].name = strdup(ctl->files[i].name);
		s->files[i].owner = strdup(ctl->files[i].owner);
		if (!s->files[i].name || !s->files[i].owner) {
			s->nfiles++;
			goto fail;
		}
	}
	for (size_t i = 0; i < s->nrules; i++) {
		s->rule_origin[i] = RULES_CTL_ORIGIN_CONFIG;
		for (size_t f = 0; f < s->nfiles; f++)
			if (strcmp(s->files[f].name, s->rules[i].file) == 0) {
				s->rule_origin[i] = s->files[f].origin;
				break;
			}
	}
	return s;
fail:
	rules_ctl_snapshot_release(s);
	return NULL;
}

rules_ctl_snapshot *rules_ctl_snapshot_get(rules_ctl *ctl)
{
	pthread_mutex_lock(&ctl->snap_lock);
	if (!ctl->snap || ctl->snap->generation != engine_generation(ctl->e)) {
		rules_ctl_snapshot *s = rules_ctl_snapshot_build(ctl);
		if (s) {
			rules_ctl_snapshot_release(ctl->snap);
			ctl->snap = s;
		}
	}
	rules_ctl_snapshot *s = ctl->snap;
	if (s)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&ctl->snap_lock);
	return s;
}

int rules_ctl_matches(rules_ctl *ctl, const rules_ctl_snapshot *s, uint64_t *out)
{
	return engine_rule_matches_copy(ctl->e, s->generation, out, s->nrules);
}
