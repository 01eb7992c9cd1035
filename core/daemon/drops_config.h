#ifndef FAPI_DAEMON_DROPS_CONFIG_H
#define FAPI_DAEMON_DROPS_CONFIG_H

/* Falco 0.31's syscall_event_drops keys (threshold, actions, rate,
 * max_burst, simulate_drops) with its defaults, checks and messages. */

#include <stddef.h>

#include "config/config_tree.h"
#include "engine/engine_drops.h"

/* Fills *o (log set to the daemon's log). Returns 0, or -1 with Falco's
 * message in err: 'syscall event drop action "log" does not make sense
 * with the "ignore" action', 'syscall event drops threshold must be a
 * double in the range [0, 1]', or a key of the wrong type. */
int drops_config_read(const config_node *root, engine_drops_opts *o, char *err, size_t errlen);

#endif
