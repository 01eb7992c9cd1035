#include "forward_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fapi_sdk_time.h"

static const char *const forward_body_priorities[] = {"Emergency", "Alert",  "Critical",      "Error",
						       "Warning",   "Notice", "Informational", "Debug"};

const char *forward_body_priority_name(uint32_t p)
{
	return p < 8 ? forward_body_priorities[p] : "Debug";
}

static int forward_buf_reserve(forward_buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *n = realloc(b->buf, cap);
	if (!n)
		return -1;
	b->buf = n;
	b->cap = cap;
	return 0;
}

static int forward_buf_put(forward_buf *b, const char *s, size_t n)
{
	if (forward_buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = 0;
	return 0;
}

static int forward_buf_str(forward_buf *b, const char *s)
{
	return forward_buf_put(b, s, strlen(s));
}

/* s as a JSON string, quotes included. */
static int forward_buf_json_str(forward_buf *b, const char *s)
{
	if (forward_buf_put(b, "\"", 1) < 0)
		return -1;
	const char *run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (forward_buf_put(b, run, (size_t)(s - run)) < 0)
			return -1;
		char esc[8];
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		if (forward_buf_str(b, esc) < 0)
			return -1;
		run = s + 1;
	}
	if (forward_buf_put(b, run, (size_t)(s - run)) < 0)
		return -1;
	return forward_buf_put(b, "\"", 1);
}

int forward_body_subject(const char *tmpl, const char *hostname, const fapi_alert_view *a, char *out,
			 size_t outlen)
{
	size_t o = 0;
	for (const char *t = tmpl; *t;) {
		const char *val = NULL;
		bool lower = false;
		if (strncmp(t, "{hostname}", 10) == 0) {
			val = hostname;
			t += 10;
		} else if (strncmp(t, "{priority}", 10) == 0) {
			val = forward_body_priority_name(a->priority);
			lower = true;
			t += 10;
		} else if (strncmp(t, "{source}", 8) == 0) {
			val = a->source;
			t += 8;
		}
		if (!val) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = *t++;
			continue;
		}
		for (; *val; val++) {
			if (o + 1 >= outlen)
				return -1;
			char c = *val;
			if (c == ' ' || c == '.' || c == '*' || c == '>' || (unsigned char)c < 0x20)
				c = '_';
			else if (lower && c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			out[o++] = c;
		}
	}
	out[o] = 0;
	return 0;
}

const char *forward_body_u64(char buf[32], uint64_t v)
{
	char *p = buf + 31;
	*p = 0;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return p;
}

int forward_body_json(forward_buf *b, const char *hostname, const fapi_alert_view *a)
{
	b->len = 0;
	char tbuf[FAPI_SDK_TIME_UTC_MAX], num[32];
	/* Not gmtime_r: its time zone lock is the engine's too (libsinsp's
	 * %evt.time takes it for every alert). */
	fapi_sdk_time_utc(a->time_ns, "Z", tbuf);
	int rc = 0;
	rc |= forward_buf_str(b, "{\"hostname\":");
	rc |= forward_buf_json_str(b, hostname);
	rc |= forward_buf_str(b, ",\"seq\":");
	rc |= forward_buf_str(b, forward_body_u64(num, a->seq));
	rc |= forward_buf_str(b, ",\"output\":");
	rc |= forward_buf_json_str(b, a->text ? a->text : "");
	rc |= forward_buf_str(b, ",\"priority\":");
	rc |= forward_buf_json_str(b, forward_body_priority_name(a->priority));
	rc |= forward_buf_str(b, ",\"rule\":");
	rc |= forward_buf_json_str(b, a->rule ? a->rule : "");
	rc |= forward_buf_str(b, ",\"source\":");
	rc |= forward_buf_json_str(b, a->source ? a->source : "");
	rc |= forward_buf_str(b, ",\"tags\":[");
	for (size_t i = 0; i < a->ntags; i++) {
		if (i)
			rc |= forward_buf_str(b, ",");
		rc |= forward_buf_json_str(b, a->tags[i]);
	}
	rc |= forward_buf_str(b, "],\"time\":\"");
	rc |= forward_buf_str(b, tbuf);
	rc |= forward_buf_str(b, "\",\"output_fields\":");
	if (a->fields_json) {
		rc |= forward_buf_str(b, a->fields_json);
	} else {
		rc |= forward_buf_str(b, "{");
		for (size_t i = 0; i < a->nfields; i++) {
			if (i)
				rc |= forward_buf_str(b, ",");
			rc |= forward_buf_json_str(b, a->fields[i].name);
			rc |= forward_buf_str(b, ":");
			rc |= forward_buf_json_str(b, a->fields[i].value ? a->fields[i].value : "");
		}
		rc |= forward_buf_str(b, "}");
	}
	rc |= forward_buf_str(b, "}");
	return rc ? -1 : 0;
}
