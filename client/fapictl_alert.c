#include "fapictl_alert.h"

#include <inttypes.h>
#include <stdint.h>
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
	putc_unlocked(',', out);
	putc_unlocked('"', out);
	fputs_unlocked(key, out);
	fputs_unlocked("\":", out);
}

/* A JSON string. Most alert text is printable ASCII without quotes or
 * backslashes: that is written in one piece (the per-character escaper was
 * half of the client's CPU); anything else goes through the engine's
 * escaper, which writes what Falco writes. */
static void fapictl_alert_str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
		p++;
	if (*p) {
		json_escape_write(out, s);
		return;
	}
	putc_unlocked('"', out);
	fwrite_unlocked(s, 1, (size_t)(p - (const unsigned char *)s), out);
	putc_unlocked('"', out);
}

void fapictl_alert_json(FILE *out, const Falco__Outputs__Response *r, const char *target)
{
	/* Alerts come many to a second: the date part is formatted once per second. */
	static int64_t cached_sec = -1;
	static char cached[40];
	char ts[64] = "";
	if (r->time) {
		if (r->time->seconds != cached_sec) {
			time_t sec = (time_t)r->time->seconds;
			struct tm tm;
			cached[0] = '\0';
			if (gmtime_r(&sec, &tm))
				strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
			cached_sec = r->time->seconds;
		}
		snprintf(ts, sizeof(ts), "%s.%09dZ", cached, (int)r->time->nanos);
	}
	flockfile(out);
	fputs_unlocked("{\"time\":\"", out);
	fputs_unlocked(ts, out);
	putc_unlocked('"', out);
	fapictl_alert_key(out, "priority");
	fapictl_alert_str(out, fapictl_alert_priority_name(r->priority));
	fapictl_alert_key(out, "rule");
	fapictl_alert_str(out, r->rule);
	fapictl_alert_key(out, "output");
	fapictl_alert_str(out, r->output);
	fapictl_alert_key(out, "output_fields");
	putc_unlocked('{', out);
	for (size_t i = 0; i < r->n_output_fields; i++) {
		if (i)
			putc_unlocked(',', out);
		fapictl_alert_str(out, r->output_fields[i]->key);
		putc_unlocked(':', out);
		fapictl_alert_str(out, r->output_fields[i]->value);
	}
	putc_unlocked('}', out);
	fapictl_alert_key(out, "hostname");
	fapictl_alert_str(out, r->hostname);
	fapictl_alert_key(out, "tags");
	putc_unlocked('[', out);
	for (size_t i = 0; i < r->n_tags; i++) {
		if (i)
			putc_unlocked(',', out);
		fapictl_alert_str(out, r->tags[i]);
	}
	putc_unlocked(']', out);
	fapictl_alert_key(out, "source");
	fapictl_alert_str(out, r->source);
	fapictl_alert_key(out, "source_deprecated");
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(&falco__schema__source__descriptor,
									    (int)r->source_deprecated);
	fapictl_alert_str(out, ev ? ev->name : "");
	fprintf(out, ",\"seq\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"created_ns\":%" PRIu64 ",\"alert_seq\":%" PRIu64,
		r->seq, r->lost, r->created_ns, r->alert_seq);
	fapictl_alert_key(out, "target");
	fapictl_alert_str(out, target);
	fputs_unlocked("}\n", out);
	funlockfile(out);
}
