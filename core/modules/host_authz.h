#ifndef FAPI_HOST_AUTHZ_H
#define FAPI_HOST_AUTHZ_H

/* Host functions of the "ABI 1.4: authorisation check" group (see
 * fapi/host.h for their contracts). */

#include "fapi/host.h"
#include "modules/loader.h"

int host_authz_check(fapi_module_ctx *ctx, const fapi_peer *peer, const fapi_authz_query *q, bool *allowed,
		     char *msg, size_t msglen);

#endif
