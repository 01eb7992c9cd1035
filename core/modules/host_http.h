#ifndef FAPI_HOST_HTTP_H
#define FAPI_HOST_HTTP_H

/* Host functions of fapi/http.h (see fapi/host.h, "ABI 1.5: HTTP routes
 * and metrics", for their contracts): registration into the module set's
 * http_routes, and the Prometheus text writer. */

#include "fapi/host.h"
#include "modules/loader.h"

int host_http_route_register(fapi_module_ctx *ctx, const fapi_http_route *route, char *err, size_t errlen);
int host_metrics_collector_register(fapi_module_ctx *ctx, const fapi_metrics_collector *c, char *err,
				    size_t errlen);

#endif
