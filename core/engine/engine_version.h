#ifndef FAPI_ENGINE_VERSION_H
#define FAPI_ENGINE_VERSION_H

/* The rules-format version this engine implements. Rules files declare the
 * lowest engine they need with required_engine_version; Falco 0.31.1 ships
 * engine version 11, and its rules files require 9, so a file written for
 * Falco 0.31 loads here unchanged. */
#define FAPI_ENGINE_VERSION_MAJOR 0
#define FAPI_ENGINE_VERSION_MINOR 11
#define FAPI_ENGINE_VERSION_PATCH 0

/* Returns the engine version as "0.11.0"; the string is static. */
const char *engine_version_string(void);

/* Returns the integer Falco compares required_engine_version against. */
unsigned engine_version_number(void);

#endif
