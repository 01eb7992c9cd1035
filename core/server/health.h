#ifndef FAPI_HEALTH_H
#define FAPI_HEALTH_H

/* grpc.health.v1.Health, served by the core: Check answers for the whole
 * server ("") or any service a module serves; Watch streams the status and
 * every change of it. */

#include <stdbool.h>
#include <stddef.h>

#include "server/service_table.h"

typedef struct health health;

/* Registers Check and Watch in the table. Returns 0 or -1 with err. The
 * returned object is owned by the caller (health_free, after the server is
 * destroyed). */
int health_register(health **out, service_table *t, char *err, size_t errlen);
/* Sets the overall status (SERVING or NOT_SERVING) and tells every watcher. */
void health_set_serving(health *h, bool serving);
void health_free(health *h);

#endif
