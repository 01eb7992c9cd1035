#ifndef FAPI_CONFIGS_LIST_H
#define FAPI_CONFIGS_LIST_H

/* The read methods: configs_list (every key, or those under a prefix) and
 * configs_get (one key or a subtree, typed and as YAML text). */

#include "fapi/fapi.h"

void configs_list_handle(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			 void *user);
void configs_get_handle(const ProtobufCMessage *request, const fapi_peer *peer, fapi_unary_result *result,
			void *user);

#endif
