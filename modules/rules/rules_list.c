/* rules_list: the running set's rules (filtered), its files and the
 * module's toggles, with the revision. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_module.h"

static bool rules_list_any(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool rules_list_keep(const Falco__Rules__ListRequest *q, const fapi_rules_rule *r)
{
	if (q->n_names && !rules_list_any(q->names, q->n_names, r->name))
		return false;
	if (q->n_sources && !rules_list_any(q->sources, q->n_sources, r->source))
		return false;
	if (q->enabled == FALCO__RULES__ENABLED_FILTER__ENABLED && !r->enabled)
		return false;
	if (q->enabled == FALCO__RULES__ENABLED_FILTER__DISABLED && r->enabled)
		return false;
	if (q->n_tags) {
		for (size_t i = 0; i < r->ntags; i++)
			if (rules_list_any(q->tags, q->n_tags, r->tags[i]))
				return true;
		return false;
	}
	return true;
}

static const char *rules_list_origin(fapi_rules_origin o)
{
	return o == FAPI_RULES_ORIGIN_CONFIG ? "config" : "api";
}

static Falco__Rules__RuleInfo *rules_list_rule(const fapi_rules_rule *r)
{
	Falco__Rules__RuleInfo *p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	falco__rules__rule_info__init(p);
	p->name = strdup(r->name);
	p->description = strdup(r->description);
	p->priority = strdup(r->priority);
	p->source = strdup(r->source);
	p->file = strdup(r->file);
	p->origin = strdup(rules_list_origin(r->origin));
	p->enabled = r->enabled;
	p->line = r->line;
	p->matches = r->matches;
	bool ok = p->name && p->description && p->priority && p->source && p->file && p->origin;
	if (ok && r->ntags && !(p->tags = calloc(r->ntags, sizeof(*p->tags))))
		ok = false;
	for (size_t i = 0; ok && i < r->ntags; i++, p->n_tags++)
		ok = (p->tags[i] = strdup(r->tags[i])) != NULL;
	if (!ok) {
		protobuf_c_message_free_unpacked(&p->base, NULL);
		return NULL;
	}
	return p;
}

static Falco__Rules__FileInfo *rules_list_file(const fapi_rules_file *f, const rules_state *s)
{
	const rules_file *own = f->origin == FAPI_RULES_ORIGIN_API ? rules_state_find(s, f->name) : NULL;
	if (own && strcmp(own->sha256, f->sha256) == 0)
		return rules_write_file_info(own);
	Falco__Rules__FileInfo *p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	falco__rules__file_info__init(p);
	p->name = strdup(f->name);
	p->origin = strdup(rules_list_origin(f->origin));
	p->sha256 = strdup(f->sha256);
	if (!p->name || !p->origin || !p->sha256) {
		protobuf_c_message_free_unpacked(&p->base, NULL);
		return NULL;
	}
	return p;
}

static Falco__Rules__Toggle *rules_list_toggle(const rules_toggle *t)
{
	Falco__Rules__Toggle *p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	falco__rules__toggle__init(p);
	p->enable = t->enable;
	char **v = t->by_tag ? &p->tag : &p->rule;
	if (!(*v = strdup(t->value))) {
		protobuf_c_message_free_unpacked(&p->base, NULL);
		return NULL;
	}
	return p;
}

static int rules_list_fill(Falco__Rules__ListResponse *r, const Falco__Rules__ListRequest *q,
			   const fapi_rules_list *l, const rules_state *s)
{
	if (!q->omit_rules && l->nrules) {
		if (!(r->rules = calloc(l->nrules, sizeof(*r->rules))))
			return -1;
		for (size_t i = 0; i < l->nrules; i++)
			if (rules_list_keep(q, l->rules[i]) && !(r->rules[r->n_rules++] = rules_list_rule(l->rules[i])))
				return -1;
	}
	if (l->nfiles) {
		if (!(r->files = calloc(l->nfiles, sizeof(*r->files))))
			return -1;
		for (; r->n_files < l->nfiles; r->n_files++)
			if (!(r->files[r->n_files] = rules_list_file(l->files[r->n_files], s)))
				return -1;
	}
	if (s->ntoggles) {
		if (!(r->toggles = calloc(s->ntoggles, sizeof(*r->toggles))))
			return -1;
		for (; r->n_toggles < s->ntoggles; r->n_toggles++)
			if (!(r->toggles[r->n_toggles] = rules_list_toggle(&s->toggles[r->n_toggles])))
				return -1;
	}
	return 0;
}

void rules_list_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *res, void *user)
{
	(void)peer;
	rules_module *m = user;
	const Falco__Rules__ListRequest *q = (const Falco__Rules__ListRequest *)req;
	rules_snapshot *cur = rules_module_acquire(m);
	fapi_rules_list *l = NULL;
	Falco__Rules__ListResponse *r = NULL;
	char err[FAPI_ERRBUF_SIZE];
	int rc = m->host->rules_list(m->ctx, &l, err, sizeof(err));
	if (rc != FAPI_OK) {
		res->status = rc == FAPI_EUNSUPPORTED ? FAPI_STATUS_FAILED_PRECONDITION : FAPI_STATUS_INTERNAL;
		snprintf(res->message, sizeof(res->message), "%s", err);
		goto out;
	}
	if (!(r = malloc(sizeof(*r))))
		goto oom;
	falco__rules__list_response__init(r);
	r->revision = cur->state.revision;
	if (rules_list_fill(r, q, l, &cur->state) < 0)
		goto oom;
	res->response = &r->base;
	res->release = rules_write_release;
	r = NULL;
	goto out;
oom:
	res->status = FAPI_STATUS_RESOURCE_EXHAUSTED;
	snprintf(res->message, sizeof(res->message), "out of memory");
out:
	if (r)
		rules_write_release(&r->base, NULL);
	m->host->rules_list_free(l);
	rules_module_release(cur);
}
