#ifndef FAPI_HOST_RULES_H
#define FAPI_HOST_RULES_H

/* Host functions of fapi/rules.h (see fapi/host.h, "ABI 1.4: rules
 * operations", for their contracts), over daemon/rules_ctl.h. */

#include "fapi/host.h"
#include "modules/loader.h"

int host_rules_validate(fapi_module_ctx *ctx, const fapi_rules_set *set, fapi_rules_diags **diags, char *err,
			size_t errlen);
int host_rules_apply(fapi_module_ctx *ctx, const fapi_rules_set *set, uint64_t *generation,
		     fapi_rules_diags **diags, char *err, size_t errlen);
int host_rules_reload(fapi_module_ctx *ctx, uint64_t *generation, fapi_rules_diags **diags, char *err,
		      size_t errlen);
int host_rules_list(fapi_module_ctx *ctx, fapi_rules_list **out, char *err, size_t errlen);
void host_rules_list_free(fapi_rules_list *list);
void host_rules_diags_free(fapi_rules_diags *diags);

#endif
