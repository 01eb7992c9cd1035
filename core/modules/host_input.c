#include "modules/host_input.h"

#include <stdio.h>

#include "engine/engine_input.h"

int host_input_open(fapi_module_ctx *ctx, const char *source, fapi_input **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!ctx->set->input) {
		snprintf(err, errlen, "no engine: the daemon runs without rules");
		return FAPI_EUNSUPPORTED;
	}
	engine_input_src *src = NULL;
	int rc = engine_input_open(ctx->set->input, source, &src, err, errlen);
	*out = (fapi_input *)src;
	return rc;
}

int host_input_submit(fapi_input *in, const fapi_input_batch *batch, char *err, size_t errlen)
{
	if (!in) {
		snprintf(err, errlen, "no input handle");
		return FAPI_EINVAL;
	}
	return engine_input_submit((engine_input_src *)in, batch, err, errlen);
}

uint64_t host_input_close(fapi_input *in)
{
	return engine_input_close((engine_input_src *)in);
}
