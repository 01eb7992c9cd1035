/* The module's contribution to the running set: its API files in name
 * order and its toggles in order, handed whole to the host each time. */

#include <stdio.h>
#include <stdlib.h>

#include "rules_module.h"

int rules_set_run(rules_module *m, const rules_state *s, bool apply, fapi_rules_diags **d, char *err, size_t errlen)
{
	*d = NULL;
	size_t nd = s->nfiles, nt = s->ntoggles;
	fapi_rules_doc *docs = calloc(nd ? nd : 1, sizeof(*docs));
	const fapi_rules_doc **dp = calloc(nd ? nd : 1, sizeof(*dp));
	fapi_rules_toggle *tg = calloc(nt ? nt : 1, sizeof(*tg));
	const fapi_rules_toggle **tp = calloc(nt ? nt : 1, sizeof(*tp));
	int rc = FAPI_ENOMEM;
	if (!docs || !dp || !tg || !tp) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nd; i++) {
		docs[i] = (fapi_rules_doc)FAPI_RULES_DOC_INIT;
		docs[i].name = s->files[i].name;
		docs[i].text = s->files[i].content;
		docs[i].len = s->files[i].len;
		dp[i] = &docs[i];
	}
	for (size_t i = 0; i < nt; i++) {
		tg[i] = (fapi_rules_toggle)FAPI_RULES_TOGGLE_INIT;
		if (s->toggles[i].by_tag)
			tg[i].tag = s->toggles[i].value;
		else
			tg[i].rule = s->toggles[i].value;
		tg[i].enabled = s->toggles[i].enable;
		tp[i] = &tg[i];
	}
	fapi_rules_set set = FAPI_RULES_SET_INIT;
	set.docs = dp;
	set.ndocs = nd;
	set.toggles = tp;
	set.ntoggles = nt;
	rc = apply ? m->host->rules_apply(m->ctx, &set, NULL, d, err, errlen)
		   : m->host->rules_validate(m->ctx, &set, d, err, errlen);
out:
	free(docs);
	free(dp);
	free(tg);
	free(tp);
	return rc;
}
