#ifndef FAPI_HOST_INPUT_H
#define FAPI_HOST_INPUT_H

/* Host functions of fapi/input.h (see fapi/host.h for their contracts):
 * fapi_input is engine/engine_input's handle. */

#include "fapi/host.h"
#include "modules/loader.h"

int host_input_open(fapi_module_ctx *ctx, const char *source, fapi_input **out, char *err, size_t errlen);
int host_input_submit(fapi_input *in, const fapi_input_batch *batch, char *err, size_t errlen);
uint64_t host_input_close(fapi_input *in);

#endif
