#ifndef FAPI_HOST_CONFIG_H
#define FAPI_HOST_CONFIG_H

/* Host functions of the configuration group (see fapi/host.h for their
 * contracts), over the daemon's config_live (module_set.live). */

#include "fapi/host.h"
#include "modules/loader.h"

int host_config_list(fapi_module_ctx *ctx, const char *path, fapi_config_snapshot **out, char *err, size_t errlen);
size_t host_config_snapshot_count(const fapi_config_snapshot *snap);
int host_config_snapshot_entry(const fapi_config_snapshot *snap, size_t i, fapi_config_entry *out);
const char *host_config_snapshot_yaml(const fapi_config_snapshot *snap);
uint64_t host_config_snapshot_revision(const fapi_config_snapshot *snap);
void host_config_snapshot_free(fapi_config_snapshot *snap);
int host_config_set(fapi_module_ctx *ctx, const fapi_config_change *changes, size_t n,
		    const fapi_config_set_opts *opts, fapi_config_result *result, char *err, size_t errlen);
int host_config_reset(fapi_module_ctx *ctx, const char *const *paths, size_t n, const fapi_config_set_opts *opts,
		      fapi_config_result *result, char *err, size_t errlen);
void host_config_result_free(fapi_config_result *result);
uint64_t host_config_revision(fapi_module_ctx *ctx);

#endif
