/* rules_enable: enable or disable rules by exact name or by tag, of any
 * origin; persisted as toggles that apply after the documents. */

#include <stdio.h>
#include <string.h>

#include "rules_module.h"

typedef struct rules_enable_call {
	const Falco__Rules__EnableRequest *q;
	uint32_t changed; /* rules whose state the toggles change */
} rules_enable_call;

static bool rules_enable_has_tag(const fapi_rules_rule *r, const char *tag)
{
	for (size_t i = 0; i < r->ntags; i++)
		if (strcmp(r->tags[i], tag) == 0)
			return true;
	return false;
}

/* Every name and tag must match a rule of the running set: a typo is an
 * error here, not a toggle kept for nothing. */
static fapi_status_code rules_enable_check(rules_module *m, rules_enable_call *c, char *msg, size_t msglen)
{
	const Falco__Rules__EnableRequest *q = c->q;
	fapi_rules_list *l = NULL;
	char err[FAPI_ERRBUF_SIZE];
	if (m->host->rules_list(m->ctx, &l, err, sizeof(err)) != FAPI_OK) {
		snprintf(msg, msglen, "%s", err);
		return FAPI_STATUS_INTERNAL;
	}
	fapi_status_code code = FAPI_STATUS_OK;
	for (size_t k = 0; k < q->n_rules + q->n_tags && code == FAPI_STATUS_OK; k++) {
		bool tag = k >= q->n_rules;
		const char *v = tag ? q->tags[k - q->n_rules] : q->rules[k];
		bool found = false;
		for (size_t i = 0; i < l->nrules; i++)
			if (tag ? rules_enable_has_tag(l->rules[i], v) : strcmp(l->rules[i]->name, v) == 0)
				found = true;
		if (!found) {
			snprintf(msg, msglen, "no rule %s \"%.300s\" in the running set", tag ? "with tag" : "named", v);
			code = FAPI_STATUS_NOT_FOUND;
		}
	}
	for (size_t i = 0; i < l->nrules && code == FAPI_STATUS_OK; i++) {
		const fapi_rules_rule *r = l->rules[i];
		bool hit = false;
		for (size_t k = 0; k < q->n_rules && !hit; k++)
			hit = strcmp(r->name, q->rules[k]) == 0;
		for (size_t k = 0; k < q->n_tags && !hit; k++)
			hit = rules_enable_has_tag(r, q->tags[k]);
		c->changed += hit && r->enabled != q->enable;
	}
	m->host->rules_list_free(l);
	return code;
}

static fapi_status_code rules_enable_build(rules_module *m, const rules_state *cur, rules_state *next,
					   const void *request, char *msg, size_t msglen)
{
	(void)cur;
	rules_enable_call *c = (rules_enable_call *)request;
	const Falco__Rules__EnableRequest *q = c->q;
	if (!q->n_rules && !q->n_tags) {
		snprintf(msg, msglen, "no rule name and no tag given");
		return FAPI_STATUS_INVALID_ARGUMENT;
	}
	if (q->n_rules + q->n_tags > m->max_request_files) {
		snprintf(msg, msglen, "%zu names and tags in one request: max_request_files is %zu",
			 q->n_rules + q->n_tags, m->max_request_files);
		return FAPI_STATUS_INVALID_ARGUMENT;
	}
	for (size_t k = 0; k < q->n_rules + q->n_tags; k++) {
		const char *v = k < q->n_rules ? q->rules[k] : q->tags[k - q->n_rules];
		if (!rules_state_valid_value(v)) {
			snprintf(msg, msglen, "a rule name or tag must be 1 to 1024 bytes without control characters");
			return FAPI_STATUS_INVALID_ARGUMENT;
		}
	}
	fapi_status_code code = rules_enable_check(m, c, msg, msglen);
	if (code != FAPI_STATUS_OK)
		return code;
	for (size_t k = 0; k < q->n_rules + q->n_tags; k++) {
		bool tag = k >= q->n_rules;
		if (rules_state_toggle(next, q->enable, tag, tag ? q->tags[k - q->n_rules] : q->rules[k]) < 0) {
			snprintf(msg, msglen, "out of memory");
			return FAPI_STATUS_RESOURCE_EXHAUSTED;
		}
	}
	return FAPI_STATUS_OK;
}

void rules_enable_handler(const ProtobufCMessage *req, const fapi_peer *peer, fapi_unary_result *r, void *user)
{
	(void)peer;
	rules_enable_call c = {.q = (const Falco__Rules__EnableRequest *)req};
	rules_write_run(user, c.q->if_revision, rules_enable_build, &c, false, c.q->enable ? "rules_enable (enable)" : "rules_enable (disable)", r);
	if (r->status == FAPI_STATUS_OK && r->response)
		((Falco__Rules__WriteResponse *)r->response)->rules_changed = c.changed;
}
