/* Prometheus text format 0.0.4: the writer modules and the core use. */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapi/status.h"
#include "http/metrics_text.h"

static bool metrics_text_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool metrics_text_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool metrics_text_metric_name_ok(const char *name)
{
	if (!name || !(metrics_text_alpha(name[0]) || name[0] == ':'))
		return false;
	for (const char *p = name + 1; *p; p++)
		if (!metrics_text_alpha(*p) && !metrics_text_digit(*p) && *p != ':')
			return false;
	return true;
}

bool metrics_text_label_name_ok(const char *name)
{
	if (!name || !metrics_text_alpha(name[0]) || strncmp(name, "__", 2) == 0)
		return false;
	for (const char *p = name + 1; *p; p++)
		if (!metrics_text_alpha(*p) && !metrics_text_digit(*p))
			return false;
	return true;
}

/* HELP escapes \ and newline; label values also the double quote. */
static void metrics_text_escape(strbuf *b, const char *s, bool quote)
{
	const char *run = s;
	for (; *s; s++) {
		const char *rep = *s == '\\' ? "\\\\" : *s == '\n' ? "\\n" : (quote && *s == '"') ? "\\\"" : NULL;
		if (!rep)
			continue;
		strbuf_addn(b, run, (size_t)(s - run));
		strbuf_add(b, rep);
		run = s + 1;
	}
	strbuf_addn(b, run, (size_t)(s - run));
}

void metrics_text_escape_label(strbuf *b, const char *s)
{
	metrics_text_escape(b, s ? s : "", true);
}

int metrics_text_family(fapi_metrics_writer *w, const char *name, fapi_metric_type type, const char *help)
{
	if (!w || !metrics_text_metric_name_ok(name)) {
		if (w)
			w->refused++;
		return FAPI_EINVAL;
	}
	if (help && help[0]) {
		strbuf_addf(w->out, "# HELP %s ", name);
		metrics_text_escape(w->out, help, false);
		strbuf_addc(w->out, '\n');
	}
	strbuf_addf(w->out, "# TYPE %s %s\n", name,
		    type == FAPI_METRIC_COUNTER     ? "counter"
		    : type == FAPI_METRIC_GAUGE     ? "gauge"
		    : type == FAPI_METRIC_HISTOGRAM ? "histogram"
						    : "untyped");
	return FAPI_OK;
}

/* Writes "name{l="v",...} " once every name checked; nothing on a bad one. */
static int metrics_text_head(fapi_metrics_writer *w, const char *name, const char *const *labels, size_t nlabels)
{
	bool ok = w && metrics_text_metric_name_ok(name) && (nlabels == 0 || labels);
	for (size_t i = 0; ok && i < nlabels; i++)
		ok = metrics_text_label_name_ok(labels[2 * i]);
	if (!ok) {
		if (w)
			w->refused++;
		return FAPI_EINVAL;
	}
	strbuf_add(w->out, name);
	if (nlabels) {
		strbuf_addc(w->out, '{');
		for (size_t i = 0; i < nlabels; i++) {
			strbuf_addf(w->out, "%s%s=\"", i ? "," : "", labels[2 * i]);
			metrics_text_escape_label(w->out, labels[2 * i + 1]);
			strbuf_addc(w->out, '"');
		}
		strbuf_addc(w->out, '}');
	}
	strbuf_addc(w->out, ' ');
	return FAPI_OK;
}

int metrics_text_sample(fapi_metrics_writer *w, const char *name, const char *const *labels, size_t nlabels,
			double value)
{
	int rc = metrics_text_head(w, name, labels, nlabels);
	if (rc != FAPI_OK)
		return rc;
	if (isnan(value)) {
		strbuf_add(w->out, "NaN\n");
	} else if (isinf(value)) {
		strbuf_add(w->out, value > 0 ? "+Inf\n" : "-Inf\n");
	} else {
		/* The shortest of %.15g / %.17g that reads back the same value. */
		char num[40];
		snprintf(num, sizeof(num), "%.15g", value);
		if (strtod(num, NULL) != value)
			snprintf(num, sizeof(num), "%.17g", value);
		strbuf_add(w->out, num);
		strbuf_addc(w->out, '\n');
	}
	return FAPI_OK;
}

int metrics_text_sample_u64(fapi_metrics_writer *w, const char *name, const char *const *labels, size_t nlabels,
			    uint64_t value)
{
	int rc = metrics_text_head(w, name, labels, nlabels);
	if (rc == FAPI_OK)
		strbuf_addf(w->out, "%" PRIu64 "\n", value);
	return rc;
}
