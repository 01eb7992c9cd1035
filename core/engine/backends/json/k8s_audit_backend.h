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

#include <stddef.h>

#include "engine/backends/backend.h"
#include "engine/backends/backend_registry.h"
#include "engine/backends/json/k8s_audit_fields.h"

/* The factory (backend_factory_fn). */
int k8s_audit_backend_create(const backend_opts *o, backend *out, char *err, size_t errlen);

#endif
