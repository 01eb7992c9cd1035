/* Diagnostics of the host as messages, as editor lines and as the status
 * message of a refused write. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_module.h"

static char *rules_diag_str(const char *s)
{
	return strdup(s ? s : "");
}

int rules_diag_to_proto(const fapi_rules_diags *d, bool warnings_only, Falco__Rules__Diagnostic ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!d || !d->n)
		return 0;
	Falco__Rules__Diagnostic **v = calloc(d->n, sizeof(*v));
	if (!v)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		const fapi_rules_diag *g = d->items[i];
		if (warnings_only && g->is_error)
			continue;
		Falco__Rules__Diagnostic *p = malloc(sizeof(*p));
		if (!p)
			goto fail;
		falco__rules__diagnostic__init(p);
		v[k++] = p;
		p->error = g->is_error;
		p->line = g->line;
		p->column = g->column;
		if (!(p->file = rules_diag_str(g->file)) || !(p->item = rules_diag_str(g->item)) ||
		    !(p->code = rules_diag_str(g->code)) || !(p->message = rules_diag_str(g->message)))
			goto fail;
	}
	*out = v;
	*n = k;
	return 0;
fail:
	for (size_t i = 0; i < k; i++)
		protobuf_c_message_free_unpacked(&v[i]->base, NULL);
	free(v);
	return -1;
}

void rules_diag_line(const fapi_rules_diag *g, char *out, size_t outlen)
{
	char kind[96];
	if (g->is_error)
		snprintf(kind, sizeof(kind), "error");
	else if (g->code && g->code[0])
		snprintf(kind, sizeof(kind), "warning (%s)", g->code);
	else
		snprintf(kind, sizeof(kind), "warning");
	const char *file = g->file && g->file[0] ? g->file : "<set>";
	const char *item = g->item ? g->item : "";
	snprintf(out, outlen, "%s:%u:%u: %s: %s%s%s", file, g->line, g->column, kind, item, item[0] ? ": " : "",
		 g->message ? g->message : "");
}

void rules_diag_message(const fapi_rules_diags *d, char *out, size_t outlen)
{
	size_t used = 0, shown = 0, total = 0;
	out[0] = '\0';
	/* Errors first: they are why the write was refused. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; d && i < d->n; i++) {
			const fapi_rules_diag *g = d->items[i];
			if (g->is_error != (pass == 0))
				continue;
			total++;
			char line[FAPI_ERRBUF_SIZE];
			rules_diag_line(g, line, sizeof(line));
			size_t need = strlen(line) + (used ? 1 : 0);
			/* Room kept for the count of what did not fit. */
			if (used + need + 48 >= outlen)
				continue;
			used += (size_t)snprintf(out + used, outlen - used, "%s%s", used ? "\n" : "", line);
			shown++;
		}
	}
	if (shown < total)
		snprintf(out + used, outlen - used, "%s(%zu more: rules_validate lists every one)", used ? "\n" : "",
			 total - shown);
	else if (!total)
		snprintf(out, outlen, "the set does not load");
}
