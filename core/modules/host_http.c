/* Modules' HTTP routes and metrics collectors. */

#include <stdio.h>

#include "http/http_routes.h"
#include "modules/host_http.h"

int host_http_route_register(fapi_module_ctx *ctx, const fapi_http_route *route, char *err, size_t errlen)
{
	if (!ctx->registering) {
		snprintf(err, errlen, "http_route_register is only allowed inside register_rpcs");
		return FAPI_ECLOSED;
	}
	return http_routes_add(&ctx->set->http, ctx->name, route, err, errlen);
}

int host_metrics_collector_register(fapi_module_ctx *ctx, const fapi_metrics_collector *c, char *err,
				    size_t errlen)
{
	if (!ctx->registering) {
		snprintf(err, errlen, "metrics_collector_register is only allowed inside register_rpcs");
		return FAPI_ECLOSED;
	}
	return http_routes_add_collector(&ctx->set->http, ctx->name, c, err, errlen);
}
