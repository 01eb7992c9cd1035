#include "fapictl_alert.h"

#include <inttypes.h>
#include <strings.h>
#include <time.h>

#include "engine/output/json_escape.h"
#include "schema.pb-c.h"

static const char *const fapictl_alert_priorities[] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

const char *fapictl_alert_priority_name(int priority)
{
	if (priority >= 0 && priority < 8)
		return fapictl_alert_priorities[priority];
	return "Unknown";
}

int fapictl_alert_priority_parse(const char *s)
{
	for (int i = 0; i < 8; i++)
		if (strcasecmp(s, fapictl_alert_priorities[i]) == 0)
			return i;
	/* Falco's own short spelling in falco.yaml. */
	if (strcasecmp(s, "info") == 0)
		return 6;
	return -1;
}

void fapictl_alert_text(FILE *out, const Falco__Outputs__Response *r, const char *label)
{
	if (label) {
		putc('[', out);
		fputs(label, out);
		fputs("] ", out);
	}
	fputs(r->output, out);
	putc('\n', out);
}

static void fapictl_alert_key(FILE *out, const char *key)
{
	putc(',', out);
	putc('"', out);
	fputs(key, out);
	fputs("\":", out);
}

void fapictl_alert_json(FILE *out, const Falco__Outputs__Response *r, const char *target)
{
	char ts[64] = "";
	if (r->time) {
		time_t sec = (time_t)r->time->seconds;
		struct tm tm;
		if (gmtime_r(&sec, &tm)) {
			size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
			snprintf(ts + n, sizeof(ts) - n, ".%09dZ", (int)r->time->nanos);
		}
	}
	fputs("{\"time\":\"", out);
	fputs(ts, out);
	putc('"', out);
	fapictl_alert_key(out, "priority");
	json_escape_write(out, fapictl_alert_priority_name(r->priority));
	fapictl_alert_key(out, "rule");
	json_escape_write(out, r->rule);
	fapictl_alert_key(out, "output");
	json_escape_write(out, r->output);
	fapictl_alert_key(out, "output_fields");
	putc('{', out);
	for (size_t i = 0; i < r->n_output_fields; i++) {
		if (i)
			putc(',', out);
		json_escape_write(out, r->output_fields[i]->key);
		putc(':', out);
		json_escape_write(out, r->output_fields[i]->value);
	}
	putc('}', out);
	fapictl_alert_key(out, "hostname");
	json_escape_write(out, r->hostname);
	fapictl_alert_key(out, "tags");
	putc('[', out);
	for (size_t i = 0; i < r->n_tags; i++) {
		if (i)
			putc(',', out);
		json_escape_write(out, r->tags[i]);
	}
	putc(']', out);
	fapictl_alert_key(out, "source");
	json_escape_write(out, r->source);
	fapictl_alert_key(out, "source_deprecated");
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(&falco__schema__source__descriptor,
									    (int)r->source_deprecated);
	json_escape_write(out, ev ? ev->name : "");
	fprintf(out, ",\"seq\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"created_ns\":%" PRIu64 ",\"alert_seq\":%" PRIu64,
		r->seq, r->lost, r->created_ns, r->alert_seq);
	fapictl_alert_key(out, "target");
	json_escape_write(out, target);
	fputs("}\n", out);
}
