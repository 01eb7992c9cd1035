#ifndef FAPI_ENGINE_FORMAT_TABLE_H
#define FAPI_ENGINE_FORMAT_TABLE_H

/* Shared output formatters. Building a libsinsp formatter for a rule's
 * output is about half of compiling falco_rules.yaml, and a recompile
 * (rules_put, reload) mostly sees outputs it compiled before: identical
 * format strings of one backend get one formatter, within a set and with
 * the set compiled before (the running one). Formatting has no state
 * between two calls, but the backends' formatters are not thread-safe, so
 * two sets sharing formatters must format on one thread at a time. */

#include <stddef.h>

#include "engine/backends/backend.h"

typedef struct format_table format_table;

/* An empty table. NULL on ENOMEM. */
format_table *format_table_new(void);
/* Drops the table's references; a formatter is freed (through its
 * backend) with the last table that holds it. NULL is allowed. */
void format_table_free(format_table *t);

/* The formatter for `format` with backend b, borrowed from t (valid as
 * long as t): t's own, else prev's (optional, only read; t takes a
 * reference), else compiled by b. Returns BACKEND_OK or b's status with
 * its message in err. */
int format_table_get(format_table *t, const format_table *prev, const backend *b, const char *format,
		     backend_format **out, char *err, size_t errlen);

#endif
