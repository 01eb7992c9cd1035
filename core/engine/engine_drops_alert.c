#include "engine/engine_drops_alert.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/output/alert_meta.h"
#include "engine/util/strbuf.h"

#define ENGINE_DROPS_DEBUG 7

engine_alert *engine_drops_alert(const engine_drops_notice *n, uint64_t ts, uint64_t seq, bool ebpf_enabled,
				 bool json, const char *hostname)
{
	const backend_drops *d = &n->delta;
	char vals[7][24];
	snprintf(vals[0], sizeof(vals[0]), "%d", ebpf_enabled ? 1 : 0);
	snprintf(vals[1], sizeof(vals[1]), "%" PRIu64, d->n_drops);
	snprintf(vals[2], sizeof(vals[2]), "%" PRIu64, d->n_drops_bug);
	snprintf(vals[3], sizeof(vals[3]), "%" PRIu64, d->n_drops_buffer);
	snprintf(vals[4], sizeof(vals[4]), "%" PRIu64, d->n_drops_pf);
	snprintf(vals[5], sizeof(vals[5]), "%" PRIu64, d->n_drops_scratch_map);
	snprintf(vals[6], sizeof(vals[6]), "%" PRIu64, d->n_evts);
	/* Sorted by name: Falco keeps them in a std::map. */
	alert_field fields[7] = {
		{"ebpf_enabled", vals[0]},	  {"n_drops", vals[1]},		    {"n_drops_bug", vals[2]},
		{"n_drops_buffer", vals[3]}, {"n_drops_pf", vals[4]}, {"n_drops_scratch_map", vals[5]},
		{"n_evts", vals[6]},
	};
	char msg[160], when[64];
	engine_drops_message(n, msg, sizeof(msg));

	strbuf text = STRBUF_INIT;
	alert_meta_time_text(ts, when, sizeof(when));
	strbuf_addf(&text, "%s: %s %s (", when, alert_priority_name(ENGINE_DROPS_DEBUG), msg);
	for (size_t i = 0; i < 7; i++)
		strbuf_addf(&text, "%s%s=%s", i ? " " : "", fields[i].name, fields[i].value);
	strbuf_addc(&text, ')');
	char *text_s = strbuf_finish(&text);

	/* Values are plain digits: no escaping needed. */
	strbuf fj = STRBUF_INIT;
	strbuf_addc(&fj, '{');
	for (size_t i = 0; i < 7; i++)
		strbuf_addf(&fj, "%s\"%s\":\"%s\"", i ? "," : "", fields[i].name, fields[i].value);
	strbuf_addc(&fj, '}');
	char *fields_json = strbuf_finish(&fj);

	char *json_s = NULL;
	if (json && fields_json) {
		alert_meta_json_time(ts, when, sizeof(when));
		strbuf j = STRBUF_INIT;
		strbuf_addf(&j, "{\"output\":\"%s\",\"output_fields\":%s,\"priority\":\"%s\",\"rule\":\"%s\",\"time\":\"%s\"}",
			    msg, fields_json, alert_priority_name(ENGINE_DROPS_DEBUG), ENGINE_DROPS_RULE, when);
		json_s = strbuf_finish(&j);
	}
	engine_alert *a = NULL;
	if (text_s && fields_json && (!json || json_s)) {
		alert_spec spec = {
			.seq = seq,
			.time_ns = ts,
			.priority = ENGINE_DROPS_DEBUG,
			.rule = ENGINE_DROPS_RULE,
			.source = "internal",
			.hostname = hostname,
			.text = text_s,
			.json = json_s,
			.fields_json = json ? fields_json : NULL,
			.fields = fields,
			.nfields = 7,
		};
		a = alert_new(&spec);
	}
	free(text_s);
	free(fields_json);
	free(json_s);
	return a;
}
