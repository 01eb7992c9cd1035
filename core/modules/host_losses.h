#ifndef FAPI_HOST_LOSSES_H
#define FAPI_HOST_LOSSES_H

/* Host functions of fapi/losses.h (see fapi/host.h, "ABI 1.4: loss
 * reports", for their contracts): core/losses over the module set's
 * engine, bus and input registry. */

#include "fapi/host.h"
#include "modules/loader.h"

size_t host_loss_sources(fapi_module_ctx *ctx, uint32_t kinds, fapi_loss_source_fn fn, void *user);
int host_loss_input_register(fapi_module_ctx *ctx, const fapi_loss_input_opts *opts, fapi_loss_input **out,
			     char *err, size_t errlen);
void host_loss_input_report(fapi_loss_input *in, uint64_t lost, uint64_t depth);
void host_loss_input_unregister(fapi_loss_input *in);

#endif
