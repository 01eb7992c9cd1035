#ifndef OUTPUTS_FILTER_H
#define OUTPUTS_FILTER_H

/* What a subscriber asked for: a filter over alerts (applied on the engine's
 * thread, before an alert is queued) and which output fields to send. */

#include <stdbool.h>
#include <stddef.h>

#include "fapi/fapi.h"
#include "outputs.pb-c.h"

typedef struct outputs_filter {
	bool has_priority;
	unsigned at_least;   /* 0 emergency .. 7 debug: alerts with priority <= at_least pass */
	char **rules;        /* exact rule names; owned */
	size_t nrules;
	char **tags_any;     /* owned */
	size_t ntags_any;
	char **tags_all;     /* owned */
	size_t ntags_all;
	char **sources;      /* owned */
	size_t nsources;
	char **fields;       /* output_fields to keep; empty = all; owned */
	size_t nfields;
	bool omit_fields;
} outputs_filter;

/* Copies the request's filter. Returns FAPI_STATUS_OK, or
 * INVALID_ARGUMENT / RESOURCE_EXHAUSTED with a message. */
fapi_status_code outputs_filter_init(outputs_filter *f, const Falco__Outputs__Request *req, char *msg,
				     size_t msglen);
void outputs_filter_free(outputs_filter *f);

/* True when the alert passes every filter given. */
bool outputs_filter_match(const outputs_filter *f, const fapi_alert_view *a);

/* True when output field `name` is to be sent. */
bool outputs_filter_keep_field(const outputs_filter *f, const char *name);

#endif
