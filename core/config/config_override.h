#ifndef FAPI_CONFIG_OVERRIDE_H
#define FAPI_CONFIG_OVERRIDE_H

#include <stddef.h>

#include "config/config_yaml.h"

/* Applies one `-o key=value` to the document, as Falco's -o does, extended:
 *   grpc.threadiness=4                 dotted path, scalar
 *   load_modules=[version, outputs]    YAML flow value (lists, maps)
 *   modules[0].config.capacity=64      index into a sequence
 *   load_modules[]=outputs             append to a sequence
 * Intermediate maps are created. Returns 0, or -1 with a message naming the
 * override in err; on error the document is unchanged. */
int config_override_apply(config_doc *d, const char *assignment, char *err, size_t errlen);

#endif
