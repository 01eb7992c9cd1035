#ifndef FAPI_ENGINE_FORMAT_CHECK_H
#define FAPI_ENGINE_FORMAT_CHECK_H

/* format_check: validates rule outputs as a backend's format_compile would
 * (for -V), without compiling a format per output.
 *
 * A formatter holds one libsinsp check per token, literal text included,
 * and each check of this libsinsp costs a set of every event type: for
 * Falco's rules that is most of a validation. libsinsp's set_format()
 * reads a field at each '%' (the field's own parser decides how much of
 * the text is its name) and literal text up to the next '%'. A field's
 * name is made of letters, digits, '_' and '.', possibly followed by an
 * argument in brackets; whatever follows that run is literal text, which
 * no field can take. So each such run is validated once, as a formatter
 * "%RUN" alone, and remembered; an output is valid when all its runs are.
 * When one is not, the whole output is handed to the backend, so the error
 * is the backend's own, on the text the user wrote. The field syntax is
 * Falco's for every source (%field, %field[arg], %Nfield).
 *
 * A cache is used by one thread at a time; it borrows nothing. */

#include <stddef.h>

#include "engine/backends/backend.h"

typedef struct format_check format_check;

/* An empty cache; NULL when out of memory. */
format_check *format_check_new(void);
/* Frees the cache. NULL is allowed. */
void format_check_free(format_check *fc);

/* Validates `format` (a format's text, e.g. "*%evt.time: Warning x
 * %proc.name") with backend b (its format_compile and format_free). The
 * runs remembered are b's: use one cache per backend. Returns BACKEND_OK,
 * or the status of b->format_compile on the whole format with its message
 * in err (errlen bytes). */
int format_check_validate(format_check *fc, const backend *b, const char *format, char *err, size_t errlen);

#endif
