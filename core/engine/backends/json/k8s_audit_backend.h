#ifndef FAPI_ENGINE_K8S_AUDIT_BACKEND_H
#define FAPI_ENGINE_K8S_AUDIT_BACKEND_H

/*
 * The k8s_audit source as a field backend (engine/backends/backend.h): the
 * jevt and ka fields of k8s_audit_fields.h, conditions with Falco 0.31's
 * json_event_filter_check semantics, outputs as its json_event_formatter,
 * and -e replay of audit event files (k8s_audit_reader.h).
 *
 * Conditions, as Falco 0.31 compares a field's values (several for array
 * fields) with the rule's:
 *   =, !=       the set of values equals (differs from) the set of the
 *               rule's values: "ka.user.groups = x" needs exactly {x};
 *   in          every value is one of the rule's (true for no value);
 *   intersects  at least one value is one of the rule's;
 *   startswith, contains   exactly one value, and it starts with (contains)
 *               the rule's single value;
 *   <, <=, >, >=  exactly one value, of the rule's value's type (number,
 *               range "a:b" or string), ordered as Falco orders them;
 *   exists      exactly one value, and it is not <NA>;
 *   pmatch      true when every value is <NA> (Falco 0.31 matches against
 *               a path set it never fills);
 * where numbers equal ranges that contain them. icontains, endswith, glob,
 * bcontains and bstartswith are refused when the rule is compiled (Falco
 * 0.31 accepts them and fails on the first event it evaluates).
 *
 * An event's payload is a json_evt (k8s_audit_fields.h); its type is 0.
 */

#include <stdbool.h>
#include <stddef.h>

#include "engine/backends/backend.h"
#include "engine/backends/backend_registry.h"
#include "engine/backends/json/json_doc.h"
#include "engine/backends/json/json_source.h"
#include "engine/backends/json/k8s_audit_fields.h"

/* The factory (backend_factory_fn). */
int k8s_audit_backend_create(const backend_opts *o, backend *out, char *err, size_t errlen);

/* The factory of a declared JSON source (json_source.h), o->json_source;
 * the same backend with jevt and the declared fields instead of ka, and no
 * capture replay. Checks the definition (json_source_check). */
int json_source_backend_create(const backend_opts *o, backend *out, char *err, size_t errlen);

/* True when b is a JSON backend (k8s_audit or a declared source): one that
 * takes events as text (json_backend_parse). */
bool json_backend_is(const backend *b);

/* Parses text into b's events, as k8s_audit_reader_parse does (same
 * ownership, same messages for k8s_audit); for a declared source one JSON
 * object, its time as json_source.h says, errors "Could not parse data:
 * ..." or "Data not recognized as a SOURCE event: ...". Thread-safe. */
int json_backend_parse(const backend *b, const char *text, size_t len, json_doc **doc, json_evt **evts, size_t *n,
		       char *err, size_t errlen);

#endif
