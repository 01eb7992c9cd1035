#include "engine/output/alert.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/rules/rules_priority.h"

static size_t alert_strlen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copies s to the bump pointer *p; returns the copy (NULL for NULL). */
static const char *alert_put(char **p, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	memcpy(*p, s, n);
	const char *r = *p;
	*p += n;
	return r;
}

engine_alert *alert_new(const alert_spec *spec)
{
	size_t strings = alert_strlen(spec->rule) + alert_strlen(spec->source) + alert_strlen(spec->hostname) +
			 alert_strlen(spec->text) + alert_strlen(spec->json) +
			 alert_strlen(spec->fields_json);
	for (size_t i = 0; i < spec->ntags; i++)
		strings += alert_strlen(spec->tags[i]);
	for (size_t i = 0; i < spec->nfields; i++)
		strings += alert_strlen(spec->fields[i].name) + alert_strlen(spec->fields[i].value);
	size_t size = sizeof(engine_alert) + spec->ntags * sizeof(char *) + spec->nfields * sizeof(alert_field) +
		      strings;
	engine_alert *a = malloc(size);
	if (!a)
		return NULL;
	const char **tags = (const char **)(a + 1);
	alert_field *fields = (alert_field *)(tags + spec->ntags);
	char *p = (char *)(fields + spec->nfields);
	atomic_init(&a->refs, 1);
	a->bytes = size;
	a->seq = spec->seq;
	a->time_ns = spec->time_ns;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	a->created_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	a->priority = spec->priority;
	a->rule = alert_put(&p, spec->rule);
	a->source = alert_put(&p, spec->source);
	a->hostname = alert_put(&p, spec->hostname);
	a->text = alert_put(&p, spec->text);
	a->json = alert_put(&p, spec->json);
	a->output = a->json ? a->json : a->text;
	a->fields_json = alert_put(&p, spec->fields_json);
	for (size_t i = 0; i < spec->ntags; i++)
		tags[i] = alert_put(&p, spec->tags[i]);
	for (size_t i = 0; i < spec->nfields; i++) {
		fields[i].name = alert_put(&p, spec->fields[i].name);
		fields[i].value = alert_put(&p, spec->fields[i].value);
	}
	a->tags = tags;
	a->ntags = spec->ntags;
	a->fields = fields;
	a->nfields = spec->nfields;
	return a;
}

engine_alert *alert_ref(engine_alert *a)
{
	atomic_fetch_add_explicit(&a->refs, 1, memory_order_relaxed);
	return a;
}

void alert_unref(engine_alert *a)
{
	if (a && atomic_fetch_sub_explicit(&a->refs, 1, memory_order_acq_rel) == 1)
		free(a);
}

const char *alert_priority_name(int priority)
{
	return rules_priority_name((rules_priority)priority);
}
