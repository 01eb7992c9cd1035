#include "engine/backends/backend.h"

#include <stdio.h>

#include "engine/compile/evttype_set.h"

_Static_assert(BACKEND_EVTTYPE_MAX == EVTTYPE_SET_BITS, "the rule index must hold every type code");

const char *backend_status_str(int status)
{
	switch (status) {
	case BACKEND_OK:
		return "ok";
	case BACKEND_TIMEOUT:
		return "timeout";
	case BACKEND_EOF:
		return "end of capture";
	case BACKEND_ERROR:
		return "error";
	case BACKEND_EINVAL:
		return "invalid argument";
	case BACKEND_EUNKNOWN_FIELD:
		return "unknown field";
	case BACKEND_EBAD_OPERATOR:
		return "bad operator";
	case BACKEND_EBAD_VALUE:
		return "bad value";
	case BACKEND_ECAPTURE:
		return "cannot read capture";
	case BACKEND_EUNAVAILABLE:
		return "source unavailable";
	default:
		return "unknown status";
	}
}

static bool backend_missing(const backend *b, const char *member, char *err, size_t errlen)
{
	if (errlen)
		snprintf(err, errlen, "backend %s: required member %s is not set", b->source ? b->source : "(unnamed)",
			 member);
	return false;
}

bool backend_is_valid(const backend *b, char *err, size_t errlen)
{
	if (!b) {
		if (errlen)
			snprintf(err, errlen, "no backend");
		return false;
	}
	if (b->size != sizeof(backend) || b->api_version != BACKEND_API_VERSION) {
		if (errlen)
			snprintf(err, errlen, "backend %s: built for interface version %u (size %u), this engine has %u (size %zu)",
				 b->source ? b->source : "(unnamed)", b->api_version, b->size, BACKEND_API_VERSION,
				 sizeof(backend));
		return false;
	}
	/* Named one by one so the message says which is missing. */
	const struct {
		const char *name;
		bool set;
	} req[] = {
		{"source", b->source && b->source[0]},
		{"time_field", b->time_field && b->time_field[0]},
		{"evttype_count", b->evttype_count > 0 && b->evttype_count <= BACKEND_EVTTYPE_MAX},
		{"fieldclass_count", b->fieldclass_count != NULL},
		{"fieldclass_get", b->fieldclass_get != NULL},
		{"field_get", b->field_get != NULL},
		{"check_compile", b->check_compile != NULL},
		{"check_eval", b->check_eval != NULL},
		{"check_free", b->check_free != NULL},
		{"format_compile", b->format_compile != NULL},
		{"format_text", b->format_text != NULL},
		{"format_json", b->format_json != NULL},
		{"format_fields", b->format_fields != NULL},
		{"format_free", b->format_free != NULL},
	};
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (!req[i].set)
			return backend_missing(b, req[i].name, err, errlen);
	if (b->capture_probe && !b->capture_open)
		return backend_missing(b, "capture_open (capture_probe is set)", err, errlen);
	if ((b->capture_open || b->live_open) && (!b->next_event || !b->capture_close))
		return backend_missing(b, "next_event and capture_close (a capture or live open is set)", err, errlen);
	return true;
}
