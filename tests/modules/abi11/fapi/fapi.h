#ifndef FAPI_FAPI_H
#define FAPI_FAPI_H

/* The falco-apid module SDK: include this one header. */
#include "fapi/status.h"
#include "fapi/rpc.h"
#include "fapi/engine.h"
#include "fapi/host.h"
#include "fapi/module.h"

#endif
