#include "engine/output/alert_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/output/alert_meta.h"
#include "engine/output/json_escape.h"
#include "engine/rules/rules_priority.h"

/* Falco builds this with jsoncpp's FastWriter (keys sorted, no spaces) and
 * then grafts ", \"output_fields\": {...}" before the closing brace. */
static char *alert_format_json(const compiled_rule *r, uint64_t ts, const char *text, const char *fields_json,
			       const alert_format_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	char when[64];
	alert_meta_json_time(ts, when, sizeof(when));
	putc('{', m);
	if (o->json_include_output) {
		fputs("\"output\":", m);
		json_escape_write(m, text);
		putc(',', m);
	}
	fputs("\"priority\":", m);
	json_escape_write(m, rules_priority_name(r->priority));
	fputs(",\"rule\":", m);
	json_escape_write(m, r->name);
	fputs(",\"source\":", m);
	json_escape_write(m, r->source);
	if (o->json_include_tags) {
		fputs(",\"tags\":[", m);
		for (size_t i = 0; i < r->ntags; i++) {
			if (i)
				putc(',', m);
			json_escape_write(m, r->tags[i]);
		}
		putc(']', m);
	}
	fputs(",\"time\":", m);
	json_escape_write(m, when);
	fprintf(m, ", \"output_fields\": %s}", fields_json);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

engine_alert *alert_format(const compiled_rule *r, const backend_event *evt, uint64_t seq,
			   const alert_format_opts *o, char *err, size_t errlen)
{
	const backend *b = r->backend;
	char e[512] = "";
	char *text = NULL, *fields_json = NULL, *json = NULL;
	backend_field_value *fv = NULL;
	size_t nfv = 0;
	engine_alert *a = NULL;
	uint64_t ts = evt->ts;
	if (b->format_text(r->fmt, evt, &text, e, sizeof(e)) != BACKEND_OK)
		goto fail;
	/* output_fields as JSON only for json_output: subscribers get the text
	 * values below, and formatting an event costs as much as reading it. */
	if (o->json && b->format_json(r->fmt, evt, &fields_json, e, sizeof(e)) != BACKEND_OK)
		goto fail;
	if (o->json && !(json = alert_format_json(r, ts, text, fields_json, o))) {
		snprintf(e, sizeof(e), "out of memory");
		goto fail;
	}
	if (o->fields && b->format_fields(r->fmt, evt, &fv, &nfv, e, sizeof(e)) != BACKEND_OK)
		goto fail;
	alert_field stack_fields[32];
	alert_field *fields = nfv <= 32 ? stack_fields : malloc(nfv * sizeof(*fields));
	if (!fields) {
		snprintf(e, sizeof(e), "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < nfv; i++) {
		fields[i].name = fv[i].name;
		fields[i].value = fv[i].value;
	}
	alert_spec spec = {
		.seq = seq,
		.time_ns = ts,
		.priority = r->priority,
		.rule = r->name,
		.source = r->source,
		.hostname = o->hostname,
		.text = text,
		.json = json,
		.fields_json = fields_json,
		.tags = (const char *const *)r->tags,
		.ntags = r->ntags,
		.fields = fields,
		.nfields = nfv,
	};
	a = alert_new(&spec);
	if (fields != stack_fields)
		free(fields);
	if (!a)
		snprintf(e, sizeof(e), "out of memory");
fail:
	if (!a)
		snprintf(err, errlen, "rule %s: cannot format the alert: %s", r->name, e);
	free(text);
	free(fields_json);
	free(json);
	free(fv);
	return a;
}
