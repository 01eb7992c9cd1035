#ifndef FAPI_ENGINE_K8S_AUDIT_READER_H
#define FAPI_ENGINE_K8S_AUDIT_READER_H

/*
 * Kubernetes audit events from text, as Falco 0.31 reads them (its
 * k8s_audit_handler::accept_data and falco_k8s_audit::parse_k8s_audit_json):
 * one JSON value is an `Event`, an `EventList` (each item an event, its
 * "kind" set to "Event") or a top-level array of those; an event's time is
 * its stageTimestamp. A value that is none of these, or an event without a
 * valid stageTimestamp, makes the whole value fail.
 *
 * And captures of them (-e FILE): one value per line, plain or gzip, empty
 * lines skipped; a bad line stops the replay with Falco's message naming
 * the line. A reader is used by one thread at a time.
 */

#include <stdbool.h>
#include <stddef.h>

#include "engine/backends/json/json_doc.h"
#include "engine/backends/json/k8s_audit_fields.h"

/* Parses text into the events it holds. On success returns 0, *doc (the
 * document; caller frees with json_doc_free) and *evts (a malloc'd array of
 * *n events pointing into *doc; caller frees it; NULL when *n is 0). On
 * failure returns -1 with nothing allocated and err in Falco's words
 * ("Could not parse data: ..." or "Data not recognized as a k8s audit
 * event"). */
int k8s_audit_reader_parse(const char *text, size_t len, json_doc **doc, json_evt **evts, size_t *n, char *err,
		    size_t errlen);

/* Parses an ISO 8601 UTC time ("2019-03-06T14:25:17.395718Z") as libsinsp's
 * parse_iso_8601_utc_string does (the fractional seconds added as a
 * double, so sub-microsecond digits round as in Falco). */
bool k8s_audit_reader_parse_time(const char *s, uint64_t *ns);

/* True when a capture that starts with head[0..n) (decompressed) holds JSON
 * rather than scap: its first non-blank byte opens an object or array. */
bool k8s_audit_reader_probe(const unsigned char *head, size_t n);

typedef struct k8s_audit_reader k8s_audit_reader;

/* Opens path (plain or gzip). Fails, as Falco, when its first line is not
 * JSON ("Trace filename PATH not recognized as system call events or k8s
 * audit events") or the file cannot be read. 0 or -1 with err. */
int k8s_audit_reader_open(k8s_audit_reader **out, const char *path, char *err, size_t errlen);

/* The next event, borrowed until the next call or close. Returns 0 with
 * *evt, 1 at the end of the file, -1 with err ("Could not read k8s audit
 * event line #N, "LINE": REASON, stopping") on a bad line or read error. */
int k8s_audit_reader_next(k8s_audit_reader *r, const json_evt **evt, char *err, size_t errlen);

/* Closes the file and frees the reader. NULL is a no-op. */
void k8s_audit_reader_close(k8s_audit_reader *r);

#endif
