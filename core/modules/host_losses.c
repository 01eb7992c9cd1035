/* The host side of loss reports: fapi_loss_input is core/losses'
 * loss_input, listed with everything else by losses_foreach. */

#include "modules/host_losses.h"

#include <stdio.h>

#include "losses/loss_inputs.h"
#include "losses/losses.h"

size_t host_loss_sources(fapi_module_ctx *ctx, uint32_t kinds, fapi_loss_source_fn fn, void *user)
{
	if (!fn)
		return 0;
	losses_where w = {.engine = ctx->set->engine, .bus = ctx->set->bus, .inputs = ctx->set->loss_inputs};
	return losses_foreach(&w, kinds, fn, user);
}

int host_loss_input_register(fapi_module_ctx *ctx, const fapi_loss_input_opts *opts, fapi_loss_input **out,
			     char *err, size_t errlen)
{
	*out = NULL;
	if (!opts || opts->size < offsetof(fapi_loss_input_opts, capacity) + sizeof(opts->capacity)) {
		snprintf(err, errlen, "fapi_loss_input_opts: NULL or too small (use FAPI_LOSS_INPUT_OPTS_INIT)");
		return FAPI_EINVAL;
	}
	if (!ctx->set->loss_inputs) {
		snprintf(err, errlen, "out of memory");
		return FAPI_ENOMEM;
	}
	loss_input *in = NULL;
	if (loss_inputs_register(ctx->set->loss_inputs, opts->name, opts->capacity, &in, err, errlen) < 0)
		return opts->name && *opts->name ? FAPI_ENOMEM : FAPI_EINVAL;
	*out = (fapi_loss_input *)in;
	return FAPI_OK;
}

void host_loss_input_report(fapi_loss_input *in, uint64_t lost, uint64_t depth)
{
	if (in)
		loss_input_report((loss_input *)in, lost, depth);
}

void host_loss_input_unregister(fapi_loss_input *in)
{
	loss_inputs_unregister((loss_input *)in);
}
