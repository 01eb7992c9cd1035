#ifndef FAPI_METRICS_TEXT_H
#define FAPI_METRICS_TEXT_H

/* The Prometheus text format 0.0.4 writer behind fapi_metrics_writer:
 * names checked, label values and HELP escaped as the format wants,
 * appended to a strbuf. One writer per scrape; not thread-safe. */

#include <stdbool.h>
#include <stdint.h>

#include "engine/util/strbuf.h"
#include "fapi/http.h"

struct fapi_metrics_writer {
	strbuf *out;       /* where the text goes; borrowed */
	size_t refused;    /* samples or families refused (invalid names) */
};

/* A metric name: [a-zA-Z_:][a-zA-Z0-9_:]*. */
bool metrics_text_metric_name_ok(const char *name);
/* A label name: [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__". */
bool metrics_text_label_name_ok(const char *name);
/* Appends s escaped for a label value (\\, \", \n). */
void metrics_text_escape_label(strbuf *b, const char *s);

int metrics_text_family(fapi_metrics_writer *w, const char *name, fapi_metric_type type, const char *help);
int metrics_text_sample(fapi_metrics_writer *w, const char *name, const char *const *labels, size_t nlabels,
			double value);
int metrics_text_sample_u64(fapi_metrics_writer *w, const char *name, const char *const *labels, size_t nlabels,
			    uint64_t value);

#endif
