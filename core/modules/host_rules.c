/* The rules operations of the host table: the module's size-first structs
 * read and written here, the work done by rules_ctl. */

#include "modules/host_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/rules_ctl.h"
#include "engine/engine_diag.h"
#include "modules/host_struct.h"


/* The diagnostics handed to a module: the public part first, so that
 * rules_diags_free finds the rest. */
typedef struct host_rules_diags {
	fapi_rules_diags pub;
	engine_diags d;
	fapi_rules_diag *items;
	const fapi_rules_diag **ptrs;
} host_rules_diags;

static size_t host_rules_rank(const fapi_module_ctx *ctx)
{
	const loaded_module *lm = (const loaded_module *)((const char *)ctx - offsetof(loaded_module, ctx));
	return (size_t)(lm - ctx->set->mods);
}

void host_rules_diags_free(fapi_rules_diags *diags)
{
	host_rules_diags *h = (host_rules_diags *)diags;
	if (!h)
		return;
	engine_diags_free(&h->d);
	free(h->items);
	free(h->ptrs);
	free(h);
}

/* Wraps d (taken) for the module; rc is the operation's. */
static int host_rules_diags_out(engine_diags *d, int rc, fapi_rules_diags **out, char *err, size_t errlen)
{
	host_rules_diags *h = calloc(1, sizeof(*h));
	if (h) {
		h->items = calloc(d->n ? d->n : 1, sizeof(*h->items));
		h->ptrs = calloc(d->n ? d->n : 1, sizeof(*h->ptrs));
	}
	if (!h || !h->items || !h->ptrs) {
		if (h) {
			free(h->items);
			free(h->ptrs);
			free(h);
		}
		engine_diags_free(d);
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	h->d = *d;
	for (size_t i = 0; i < d->n; i++) {
		const engine_diag *g = &d->items[i];
		h->items[i] = (fapi_rules_diag){
			.size = sizeof(fapi_rules_diag),
			.is_error = g->error,
			.file = g->file,
			.line = g->line,
			.column = g->column,
			.item = g->item,
			.code = g->code,
			.message = g->text,
		};
		h->ptrs[i] = &h->items[i];
	}
	h->pub = (fapi_rules_diags){.size = sizeof(fapi_rules_diags), .items = h->ptrs, .n = d->n,
				    .nerrors = d->nerrors};
	*out = &h->pub;
	if (rc != 0) {
		snprintf(err, errlen, "%s", d->n ? d->items[0].message : "the rules set does not apply");
		for (size_t i = 0; i < d->n; i++)
			if (d->items[i].error) {
				snprintf(err, errlen, "%s", d->items[i].message);
				break;
			}
		return FAPI_EINVAL;
	}
	return FAPI_OK;
}

/* The module's set as rules_ctl takes it; arrays malloc'd (freed by the
 * caller), strings borrowed. */
static int host_rules_contrib(const fapi_rules_set *set, rules_ctl_contrib *c, engine_document **docs,
			      engine_toggle **toggles, char *err, size_t errlen)
{
	*docs = NULL;
	*toggles = NULL;
	fapi_rules_set ks;
	if (!set || (set->size && set->size < offsetof(fapi_rules_set, ndocs) + sizeof(set->ndocs))) {
		snprintf(err, errlen, "rules set: NULL, or a size too small (FAPI_RULES_SET_INIT)");
		return FAPI_EINVAL;
	}
	host_struct_read(&ks, sizeof(ks), set, HOST_SIZE_14_END(fapi_rules_set, ntoggles));
	if ((ks.ndocs && !ks.docs) || (ks.ntoggles && !ks.toggles)) {
		snprintf(err, errlen, "rules set: a count without its array");
		return FAPI_EINVAL;
	}
	*docs = calloc(ks.ndocs ? ks.ndocs : 1, sizeof(**docs));
	*toggles = calloc(ks.ntoggles ? ks.ntoggles : 1, sizeof(**toggles));
	if (!*docs || !*toggles) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	for (size_t i = 0; i < ks.ndocs; i++) {
		const fapi_rules_doc *d = ks.docs[i];
		fapi_rules_doc kd;
		if (!d || (d->size && !FAPI_STRUCT_HAS(d, fapi_rules_doc, len))) {
			snprintf(err, errlen, "rules document #%zu: NULL, or a size too small (FAPI_RULES_DOC_INIT)", i);
			return FAPI_EINVAL;
		}
		host_struct_read(&kd, sizeof(kd), d, HOST_SIZE_14_END(fapi_rules_doc, len));
		(*docs)[i] = (engine_document){.name = kd.name, .text = kd.text, .len = kd.len};
	}
	for (size_t i = 0; i < ks.ntoggles; i++) {
		const fapi_rules_toggle *t = ks.toggles[i];
		fapi_rules_toggle kt;
		if (!t || (t->size && !FAPI_STRUCT_HAS(t, fapi_rules_toggle, enabled))) {
			snprintf(err, errlen, "rules toggle #%zu: NULL, or a size too small (FAPI_RULES_TOGGLE_INIT)", i);
			return FAPI_EINVAL;
		}
		host_struct_read(&kt, sizeof(kt), t, HOST_SIZE_14_END(fapi_rules_toggle, enabled));
		(*toggles)[i] = (engine_toggle){.rule = kt.rule, .tag = kt.tag, .enabled = kt.enabled};
	}
	*c = (rules_ctl_contrib){.docs = *docs, .ndocs = ks.ndocs, .toggles = *toggles, .ntoggles = ks.ntoggles};
	return FAPI_OK;
}

typedef enum { HOST_RULES_VALIDATE, HOST_RULES_APPLY, HOST_RULES_RELOAD } host_rules_op;

static int host_rules_change(fapi_module_ctx *ctx, host_rules_op op, const fapi_rules_set *set,
			     uint64_t *generation, fapi_rules_diags **diags, char *err, size_t errlen)
{
	if (diags)
		*diags = NULL;
	if (!ctx || !ctx->set || !ctx->set->rules) {
		snprintf(err, errlen, "the daemon runs no rules engine");
		return FAPI_EUNSUPPORTED;
	}
	if (!diags) {
		snprintf(err, errlen, "diags is required");
		return FAPI_EINVAL;
	}
	engine_diags d;
	if (op == HOST_RULES_RELOAD)
		return host_rules_diags_out(&d, rules_ctl_reload(ctx->set->rules, false, NULL, 0, generation, &d), diags,
					    err, errlen);
	rules_ctl_contrib c;
	engine_document *docs;
	engine_toggle *toggles;
	int rc = host_rules_contrib(set, &c, &docs, &toggles, err, errlen);
	if (rc == FAPI_OK) {
		unsigned rank = (unsigned)host_rules_rank(ctx);
		int r = op == HOST_RULES_APPLY ? rules_ctl_apply(ctx->set->rules, rank, ctx->name, &c, generation, &d)
					       : rules_ctl_validate(ctx->set->rules, rank, ctx->name, &c, &d);
		rc = host_rules_diags_out(&d, r, diags, err, errlen);
	}
	free(docs);
	free(toggles);
	return rc;
}

int host_rules_validate(fapi_module_ctx *ctx, const fapi_rules_set *set, fapi_rules_diags **diags, char *err,
			size_t errlen)
{
	return host_rules_change(ctx, HOST_RULES_VALIDATE, set, NULL, diags, err, errlen);
}

int host_rules_apply(fapi_module_ctx *ctx, const fapi_rules_set *set, uint64_t *generation,
		     fapi_rules_diags **diags, char *err, size_t errlen)
{
	return host_rules_change(ctx, HOST_RULES_APPLY, set, generation, diags, err, errlen);
}

int host_rules_reload(fapi_module_ctx *ctx, uint64_t *generation, fapi_rules_diags **diags, char *err,
		      size_t errlen)
{
	return host_rules_change(ctx, HOST_RULES_RELOAD, NULL, generation, diags, err, errlen);
}

/* One block: the public list, its arrays, and the snapshot it points into. */
typedef struct host_rules_snap_list {
	fapi_rules_list pub;
	rules_ctl_snapshot *snap;
} host_rules_snap_list;

static host_rules_snap_list *host_rules_list_build(rules_ctl *ctl, rules_ctl_snapshot *s)
{
	size_t n = s->nrules, nf = s->nfiles;
	size_t size = sizeof(host_rules_snap_list) + n * (sizeof(fapi_rules_rule *) + sizeof(fapi_rules_rule) + sizeof(uint64_t)) +
		      nf * (sizeof(fapi_rules_file *) + sizeof(fapi_rules_file));
	host_rules_snap_list *h = calloc(1, size);
	if (!h)
		return NULL;
	/* Pointers first, then the structs (all 8-byte aligned), then counts. */
	const fapi_rules_rule **rp = (const fapi_rules_rule **)(h + 1);
	const fapi_rules_file **fp = (const fapi_rules_file **)(rp + n);
	fapi_rules_rule *rules = (fapi_rules_rule *)(fp + nf);
	fapi_rules_file *files = (fapi_rules_file *)(rules + n);
	uint64_t *matches = (uint64_t *)(files + nf);
	if (rules_ctl_matches(ctl, s, matches) < 0) {
		free(h);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const engine_rule_info *r = &s->rules[i];
		rules[i] = (fapi_rules_rule){
			.size = sizeof(fapi_rules_rule),
			.name = r->name,
			.description = r->desc,
			.priority = r->priority,
			.source = r->source,
			.tags = (const char *const *)r->tags,
			.ntags = r->ntags,
			.enabled = r->enabled,
			.file = r->file,
			.line = r->line,
			.origin = (fapi_rules_origin)s->rule_origin[i],
			.matches = matches[i],
		};
		rp[i] = &rules[i];
	}
	for (size_t i = 0; i < nf; i++) {
		files[i] = (fapi_rules_file){
			.size = sizeof(fapi_rules_file),
			.name = s->files[i].name,
			.origin = (fapi_rules_origin)s->files[i].origin,
			.module = s->files[i].owner,
			.sha256 = s->files[i].sha256,
		};
		fp[i] = &files[i];
	}
	h->pub = (fapi_rules_list){.size = sizeof(fapi_rules_list), .generation = s->generation, .rules = rp,
				   .nrules = n, .files = fp, .nfiles = nf};
	h->snap = s;
	return h;
}

int host_rules_list(fapi_module_ctx *ctx, fapi_rules_list **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!ctx || !ctx->set || !ctx->set->rules) {
		snprintf(err, errlen, "the daemon runs no rules engine");
		return FAPI_EUNSUPPORTED;
	}
	rules_ctl *ctl = ctx->set->rules;
	/* A swap between the snapshot and the counts: take the new one. */
	for (int tries = 0; tries < 100; tries++) {
		rules_ctl_snapshot *s = rules_ctl_snapshot_get(ctl);
		if (!s)
			break;
		host_rules_snap_list *h = host_rules_list_build(ctl, s);
		if (h) {
			*out = &h->pub;
			return FAPI_OK;
		}
		rules_ctl_snapshot_release(s);
	}
	snprintf(err, errlen, "out of memory");
	return FAPI_ENOMEM;
}

void host_rules_list_free(fapi_rules_list *list)
{
	host_rules_snap_list *h = (host_rules_snap_list *)list;
	if (!h)
		return;
	rules_ctl_snapshot_release(h->snap);
	free(h);
}
