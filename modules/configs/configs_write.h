#ifndef FAPI_CONFIGS_WRITE_H
#define FAPI_CONFIGS_WRITE_H

/* The write methods: configs_set (keys to new values, all or none) and
 * configs_reset (keys back to the file and the defaults), each behind the
 * guard rails, then through the host's config_set / config_reset. */

#include "fapi/fapi.h"

void configs_set_handle(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			void *user);
void configs_reset_handle(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			  void *user);

#endif
