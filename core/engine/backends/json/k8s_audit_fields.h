#ifndef FAPI_ENGINE_K8S_AUDIT_FIELDS_H
#define FAPI_ENGINE_K8S_AUDIT_FIELDS_H

/*
 * The fields of Falco 0.31.1's k8s_audit source (userspace/engine/
 * json_evt.cpp): the `jevt` class (any JSON event) and the `ka` class
 * (Kubernetes audit events), with Falco's names, descriptions, argument
 * rules and extraction, value for value:
 *
 * - a pointer field yields the value its JSON pointer designates; an array
 *   yields one value per item; a two-pointer field ("per container") applies
 *   the second pointer to every item of the array the first designates,
 *   <NA> for an item that lacks it;
 * - a missing value makes the whole field <NA>;
 * - a numeric argument (ka.req.pod.containers.privileged[1]) selects one
 *   value of a pointer field for startswith, contains, <, <=, >, >=, exists
 *   and outputs, while =, !=, in and intersects still see every value (as
 *   in Falco); custom extractors ignore a numeric argument, as in Falco.
 *
 * Falco 0.31.1's own bugs are kept so that rules behave identically:
 * ka.req.pod.containers.run_as_user reads securityContext/runAsGroup, and
 * ka.req.binding.subject.has_name always yields "true".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/backends/json/json_doc.h"
#include "engine/backends/json/json_pointer.h"
#include "engine/backends/json/json_value.h"

/* One event of a JSON source: a value of a parsed document (which outlives
 * it) and its time. */
typedef struct json_evt {
	const cJSON *obj; /* borrowed from the document */
	uint64_t ts;      /* ns since the epoch (k8s_audit: stageTimestamp) */
	uint64_t id;      /* unique in the process (k8s_audit_reader_parse numbers
			   * events), or 0: lets checks of one field share one
			   * extraction per event */
} json_evt;

typedef enum k8s_field_arg {
	K8S_ARG_NONE,     /* takes no argument */
	K8S_ARG_ALLOWED,  /* [N] optional */
	K8S_ARG_REQUIRED, /* [X] required */
} k8s_field_arg;

typedef struct k8s_field_info {
	const char *name;  /* "ka.user.name" */
	const char *desc;  /* Falco's description */
	k8s_field_arg arg;
	bool arg_numeric;  /* the argument must be digits (IDX_NUMERIC) */
} k8s_field_info;

/* The field classes, for --list: jevt then ka, fields in Falco's order. */
typedef struct k8s_field_class {
	const char *name, *desc;
	const k8s_field_info *fields;
	size_t nfields;
	/* A declared source's class (json_source.h): per field, the JSON
	 * pointer it reads (as ka's pointer fields read theirs) and the type
	 * --list shows. NULL for the built-in classes. */
	const char *const *ptrs;
	const char *const *types;
} k8s_field_class;
size_t k8s_audit_fields_class_count(void);
const k8s_field_class *k8s_audit_fields_class(size_t i);

/* A field with its argument, ready to extract. */
typedef struct k8s_field {
	const k8s_field_info *info; /* static */
	int id;                     /* private: which extraction */
	char *arg;                  /* owned, or NULL */
	json_pointer ptr[2];        /* pointer fields and jevt.value */
	size_t nptr;
	bool has_index;             /* a numeric argument of a pointer field */
	size_t index;
} k8s_field;

/* Resolves name (and arg, NULL when none) to a field, with Falco's checks
 * and messages ("When parsing filtercheck ka.verb[1]: ka.verb forbids an
 * index but one provided"). cls is the class beside jevt: NULL for ka
 * (k8s_audit), else a declared source's class, whose fields read their
 * `ptr` as ka's pointer fields do. Returns 0, 1 when the name is not a field
 * of the source (err untouched), or -1 with err. The caller frees it with
 * k8s_audit_fields_free(). */
int k8s_audit_fields_resolve(k8s_field *f, const k8s_field_class *cls, const char *name, const char *arg, char *err,
			     size_t errlen);
void k8s_audit_fields_free(k8s_field *f);

/* For output formats: the longest field name at the start of text with
 * Falco's boundary rules, and its [argument]. Returns the number of bytes
 * of text that make the field up, or 0 when text starts with no field; on
 * a field whose argument is wrong returns -1 with err. cls as for
 * k8s_audit_fields_resolve. */
long k8s_audit_fields_scan(k8s_field *f, const k8s_field_class *cls, const char *text, char *err, size_t errlen);

/* Extracts f from evt into out (reset first): the values, out's set, and
 * the view Falco's first list is (*first, *nfirst: out->items or the one
 * indexed value). A field that yields nothing extractable yields "<NA>". */
void k8s_audit_fields_extract(const k8s_field *f, const json_evt *evt, json_vals *out, size_t *first, size_t *nfirst);

/* The text Falco gives a missing value. */
#define K8S_NO_VALUE "<NA>"

#endif
