#ifndef FAPI_HOST_ALERTS_H
#define FAPI_HOST_ALERTS_H

/* Host functions of fapi/engine.h (see fapi/host.h for their contracts). */

#include "fapi/host.h"
#include "modules/loader.h"

int host_alert_subscribe(fapi_module_ctx *ctx, const fapi_alert_sub_opts *opts, fapi_alert_sub **out, char *err,
			 size_t errlen);
void host_alert_unsubscribe(fapi_alert_sub *s);
fapi_alert *host_alert_pop(fapi_alert_sub *s, uint64_t *lost);
size_t host_alert_pop_many(fapi_alert_sub *s, fapi_alert **out, size_t max, uint64_t *lost);
void host_alert_release(fapi_alert *a);
void host_alert_view(const fapi_alert *alert, fapi_alert_view *out);
void host_alert_sub_stats(fapi_alert_sub *s, fapi_alert_sub_stats *out);
void host_alert_sub_set_identity(fapi_alert_sub *s, const char *identity);

#endif
