#ifndef OUTPUTS_RESPONSE_H
#define OUTPUTS_RESPONSE_H

/* One alert as a falco.outputs.response, with Falco's numbering. */

#include <stdint.h>

#include "fapi/fapi.h"
#include "outputs_filter.h"

/* Writes the response for the alert on the stream. `filter` selects the
 * output fields (NULL: all). Returns what host->stream_write returns. */
int outputs_response_write(const fapi_host *host, fapi_stream *stream, const fapi_alert_view *a,
			   const outputs_filter *filter, uint64_t seq, uint64_t lost);

#endif
