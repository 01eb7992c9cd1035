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

static char *rules_list_origin(fapi_rules_origin o)
{
	return (char *)(o == FAPI_RULES_ORIGIN_CONFIG ? "config" : "api");
}

/* The reply points into the host's listing and the module's snapshot
 * instead of copying them (a listing is the module's most frequent call):
 * both are held until the core has encoded it. */
typedef struct rules_list_reply {
	Falco__Rules__ListResponse resp; /* first: the core hands &resp back to release */
	rules_module *m;
	fapi_rules_list *list;
	rules_snapshot *snap;
	Falco__Rules__RuleInfo *rules;
	Falco__Rules__RuleInfo **rule_ptrs;
	Falco__Rules__FileInfo *files;
	Falco__Rules__FileInfo **file_ptrs;
	Falco__Rules__Toggle *toggles;
	Falco__Rules__Toggle **toggle_ptrs;
} rules_list_reply;

static void rules_list_release(const ProtobufCMessage *response, void *user)
{
	(void)user;
	rules_list_reply *r = (rules_list_reply *)response;
	free(r->rules);
	free(r->rule_ptrs);
	free(r->files);
	free(r->file_ptrs);
	free(r->toggles);
	free(r->toggle_ptrs);
	r->m->host->rules_list_free(r->list);
	rules_module_release(r->snap);
	free(r);
}

static void rules_list_rule(Falco__Rules__RuleInfo *p, const fapi_rules_rule *r)
{
	falco__rules__rule_info__init(p);
	p->name = (char *)r->name;
	p->description = (char *)r->description;
	p->priority = (char *)r->priority;
	p->source = (char *)r->source;
	p->file = (char *)r->file;
	p->origin = rules_list_origin(r->origin);
	p->enabled = r->enabled;
	p->line = r->line;
	p->matches = r->matches;
	p->tags = (char **)r->tags;
	p->n_tags = r->ntags;
}

static void rules_list_file(Falco__Rules__FileInfo *p, const fapi_rules_file *f, const rules_state *s)
{
	falco__rules__file_info__init(p);
	p->name = (char *)f->name;
	p->origin = rules_list_origin(f->origin);
	p->sha256 = (char *)f->sha256;
	const rules_file *own = f->origin == FAPI_RULES_ORIGIN_API ? rules_state_find(s, f->name) : NULL;
	if (own && strcmp(own->sha256, f->sha256) == 0) {
		p->revision = own->revision;
		p->size = own->len;
	}
}

static int rules_list_fill(rules_list_reply *r, const Falco__Rules__ListRequest *q)
{
	const fapi_rules_list *l = r->list;
	const rules_state *s = &r->snap->state;
	Falco__Rules__ListResponse *resp = &r->resp;
	size_t nr = q->omit_rules ? 0 : l->nrules;
	if (nr && (!(r->rules = malloc(nr * sizeof(*r->rules))) || !(r->rule_ptrs = malloc(nr * sizeof(*r->rule_ptrs)))))
		return -1;
	for (size_t i = 0; i < nr; i++) {
		if (!rules_list_keep(q, l->rules[i]))
			continue;
		Falco__Rules__RuleInfo *p = &r->rules[resp->n_rules];
		rules_list_rule(p, l->rules[i]);
		r->rule_ptrs[resp->n_rules++] = p;
	}
	resp->rules = r->rule_ptrs;
	if (l->nfiles && (!(r->files = malloc(l->nfiles * sizeof(*r->files))) ||
			  !(r->file_ptrs = malloc(l->nfiles * sizeof(*r->file_ptrs)))))
		return -1;
	for (size_t i = 0; i < l->nfiles; i++) {
		rules_list_file(&r->files[i], l->files[i], s);
		r->file_ptrs[i] = &r->files[i];
	}
	resp->files = r->file_ptrs;
	resp->n_files = l->nfiles;
	if (s->ntoggles && (!(r->toggles = malloc(s->ntoggles * sizeof(*r->toggles))) ||
			    !(r->toggle_ptrs = malloc(s->ntoggles * sizeof(*r->toggle_ptrs)))))
		return -1;
	for (size_t i = 0; i < s->ntoggles; i++) {
		Falco__Rules__Toggle *t = &r->toggles[i];
		falco__rules__toggle__init(t);
		t->enable = s->toggles[i].enable;
		if (s->toggles[i].by_tag)
			t->tag = s->toggles[i].value;
		else
			t->rule = s->toggles[i].value;
		r->toggle_ptrs[i] = t;
	}
	resp->toggles = r->toggle_ptrs;
	resp->n_toggles = s->ntoggles;
	return 0;
}

void rules_list_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *res, void *user)
{
	(void)peer;
	rules_module *m = user;
	const Falco__Rules__ListRequest *q = (const Falco__Rules__ListRequest *)req;
	rules_list_reply *r = calloc(1, sizeof(*r));
	if (!r) {
		res->status = FAPI_STATUS_RESOURCE_EXHAUSTED;
		snprintf(res->message, sizeof(res->message), "out of memory");
		return;
	}
	r->m = m;
	r->snap = rules_module_acquire(m);
	falco__rules__list_response__init(&r->resp);
	r->resp.revision = r->snap->state.revision;
	char err[FAPI_ERRBUF_SIZE];
	int rc = m->host->rules_list(m->ctx, &r->list, err, sizeof(err));
	if (rc != FAPI_OK) {
		res->status = rc == FAPI_EUNSUPPORTED ? FAPI_STATUS_FAILED_PRECONDITION : FAPI_STATUS_INTERNAL;
		snprintf(res->message, sizeof(res->message), "%s", err);
		rules_list_release(&r->resp.base, NULL);
		return;
	}
	if (rules_list_fill(r, q) < 0) {
		res->status = FAPI_STATUS_RESOURCE_EXHAUSTED;
		snprintf(res->message, sizeof(res->message), "out of memory");
		rules_list_release(&r->resp.base, NULL);
		return;
	}
	res->response = &r->resp.base;
	res->release = rules_list_release;
}
