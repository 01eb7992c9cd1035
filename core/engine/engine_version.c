#include "engine/engine_version.h"

#define FAPI_STR2(x) #x
#define FAPI_STR(x) FAPI_STR2(x)

const char *engine_version_string(void)
{
	return FAPI_STR(FAPI_ENGINE_VERSION_MAJOR) "." FAPI_STR(FAPI_ENGINE_VERSION_MINOR) "." FAPI_STR(
		FAPI_ENGINE_VERSION_PATCH);
}

unsigned engine_version_number(void)
{
	return FAPI_ENGINE_VERSION_MINOR;
}
