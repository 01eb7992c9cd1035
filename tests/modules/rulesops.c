/* The rules operations test module. Its start() applies the rules files its
 * config names (config.docs: paths; each document is named by its base
 * name) with config.disable_tag as a toggle, as the rules module applies
 * its persisted files, and fails the start-up with the first error's
 * "FILE:LINE:COL: ITEM: message"; it then logs the running set as
 * rules_list gives it ("file NAME origin=O sha256=S", "rule NAME
 * enabled=E origin=O at FILE:LINE", "generation G"). config.validate names
 * one more file: rules_validate of docs + it, every diagnostic logged as
 * "diag error|warning FILE:LINE:COL [ITEM] (CODE) MESSAGE". */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/fapi.h"

typedef struct rulesops {
	fapi_module_ctx *ctx;
	const fapi_host *host;
} rulesops;

static int rulesops_init(fapi_module_ctx *ctx, const fapi_host *host, void **state, char *err, size_t errlen)
{
	if (!FAPI_HOST_HAS(host, rules_diags_free)) {
		snprintf(err, errlen, "the host has no rules operations");
		return FAPI_EUNSUPPORTED;
	}
	rulesops *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	r->ctx = ctx;
	r->host = host;
	*state = r;
	return FAPI_OK;
}

static int rulesops_register(void *state, char *err, size_t errlen)
{
	(void)state;
	(void)err;
	(void)errlen;
	return FAPI_OK;
}

static char *rulesops_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 4096);
			if (!nb)
				break;
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		if (!got)
			break;
		n += got;
	}
	fclose(f);
	*len = n;
	return buf;
}

typedef struct rulesops_docs {
	fapi_rules_doc docs[16];
	const fapi_rules_doc *ptrs[16];
	char *texts[16];
	size_t n;
} rulesops_docs;

static int rulesops_add(rulesops_docs *d, const char *path, char *err, size_t errlen)
{
	if (d->n == 16) {
		snprintf(err, errlen, "at most 16 documents");
		return FAPI_EINVAL;
	}
	size_t len = 0;
	char *text = rulesops_read(path, &len);
	if (!text) {
		snprintf(err, errlen, "cannot read %s", path);
		return FAPI_EIO;
	}
	const char *base = strrchr(path, '/');
	fapi_rules_doc doc = FAPI_RULES_DOC_INIT;
	doc.name = base ? base + 1 : path;
	doc.text = text;
	doc.len = len;
	d->docs[d->n] = doc;
	d->texts[d->n] = text;
	d->ptrs[d->n] = &d->docs[d->n];
	d->n++;
	return FAPI_OK;
}

static void rulesops_docs_free(rulesops_docs *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->texts[i]);
}

static void rulesops_log_diags(rulesops *r, const fapi_rules_diags *d)
{
	for (size_t i = 0; d && i < d->n; i++) {
		const fapi_rules_diag *g = d->items[i];
		r->host->log(r->ctx, FAPI_LOG_INFO, "diag %s %s:%u:%u [%s] (%s) %s", g->is_error ? "error" : "warning",
			     g->file, g->line, g->column, g->item, g->code, g->message);
	}
}

static void rulesops_log_list(rulesops *r)
{
	fapi_rules_list *l = NULL;
	char err[FAPI_ERRBUF_SIZE];
	if (r->host->rules_list(r->ctx, &l, err, sizeof(err)) != FAPI_OK) {
		r->host->log(r->ctx, FAPI_LOG_ERROR, "rules_list: %s", err);
		return;
	}
	for (size_t i = 0; i < l->nfiles; i++)
		r->host->log(r->ctx, FAPI_LOG_INFO, "file %s origin=%d module=%s sha256=%s", l->files[i]->name,
			     (int)l->files[i]->origin, l->files[i]->module, l->files[i]->sha256);
	for (size_t i = 0; i < l->nrules; i++) {
		const fapi_rules_rule *x = l->rules[i];
		r->host->log(r->ctx, FAPI_LOG_INFO, "rule %s enabled=%d origin=%d at %s:%u priority=%s tags=%zu", x->name,
			     (int)x->enabled, (int)x->origin, x->file, x->line, x->priority, x->ntags);
	}
	r->host->log(r->ctx, FAPI_LOG_INFO, "generation %llu", (unsigned long long)l->generation);
	r->host->rules_list_free(l);
}

static int rulesops_start(void *state, char *err, size_t errlen)
{
	rulesops *r = state;
	const fapi_config *cfg = r->host->config(r->ctx);
	const fapi_config *docs = r->host->config_get(cfg, "docs");
	rulesops_docs d = {0};
	int rc = FAPI_OK;
	for (size_t i = 0; rc == FAPI_OK && i < r->host->config_count(docs); i++) {
		char path[32];
		const char *file;
		snprintf(path, sizeof(path), "[%zu]", i);
		rc = r->host->config_string(docs, path, NULL, &file, err, errlen);
		if (rc == FAPI_OK)
			rc = rulesops_add(&d, file, err, errlen);
	}
	const char *tag = NULL, *validate = NULL;
	r->host->config_string(cfg, "disable_tag", NULL, &tag, err, errlen);
	r->host->config_string(cfg, "validate", NULL, &validate, err, errlen);
	fapi_rules_toggle t = FAPI_RULES_TOGGLE_INIT;
	t.tag = tag;
	t.enabled = false;
	const fapi_rules_toggle *tp[] = {&t};
	fapi_rules_set set = FAPI_RULES_SET_INIT;
	set.docs = d.ptrs;
	set.ndocs = d.n;
	set.toggles = tp;
	set.ntoggles = tag ? 1 : 0;
	if (rc == FAPI_OK) {
		fapi_rules_diags *diags = NULL;
		uint64_t gen = 0;
		rc = r->host->rules_apply(r->ctx, &set, &gen, &diags, err, errlen);
		if (rc == FAPI_EINVAL && diags) {
			/* The first error, as a bad rules file stops Falco. */
			for (size_t i = 0; i < diags->n; i++) {
				const fapi_rules_diag *g = diags->items[i];
				if (g->is_error) {
					snprintf(err, errlen, "%s:%u:%u: %s%s%s", g->file, g->line, g->column, g->item,
						 g->item[0] ? ": " : "", g->message);
					break;
				}
			}
			rulesops_log_diags(r, diags);
		} else if (rc == FAPI_OK) {
			r->host->log(r->ctx, FAPI_LOG_INFO, "applied %zu document(s): generation %llu", d.n,
				     (unsigned long long)gen);
		}
		r->host->rules_diags_free(diags);
	}
	if (rc == FAPI_OK && validate) {
		rc = rulesops_add(&d, validate, err, errlen);
		set.docs = d.ptrs;
		set.ndocs = d.n;
		fapi_rules_diags *diags = NULL;
		char verr[FAPI_ERRBUF_SIZE];
		int v = rc == FAPI_OK ? r->host->rules_validate(r->ctx, &set, &diags, verr, sizeof(verr)) : rc;
		r->host->log(r->ctx, FAPI_LOG_INFO, "validate: rc=%d errors=%zu", v, diags ? diags->nerrors : 0);
		rulesops_log_diags(r, diags);
		r->host->rules_diags_free(diags);
	}
	rulesops_docs_free(&d);
	if (rc == FAPI_OK)
		rulesops_log_list(r);
	return rc;
}

static void rulesops_destroy(void *state)
{
	free(state);
}

FAPI_MODULE_DEFINE(.name = "rulesops", .version = "1.0.0", .description = "rules operations test module",
		   .init = rulesops_init, .register_rpcs = rulesops_register, .start = rulesops_start,
		   .destroy = rulesops_destroy);
