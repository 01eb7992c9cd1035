#ifndef FAPI_CHANNELS_CHANNEL_SYSLOG_H
#define FAPI_CHANNELS_CHANNEL_SYSLOG_H

/* Falco's syslog_output: every alert sent with syslog(3), without a
 * trailing newline, at the level of its priority (Falco's priorities are
 * numbered as syslog's levels: Emergency = LOG_EMERG .. Debug =
 * LOG_DEBUG), in the default facility (LOG_USER), as Falco does. */

#include "channels/channel.h"

extern const channel_ops channel_syslog_ops;

/* The syslog level of an alert priority (0 emergency .. 7 debug); out of
 * range priorities map to LOG_DEBUG. */
int channel_syslog_level(int priority);

/* The channel's state for channel_syslog_ops (none: returns a non-NULL
 * token). Freed by channel_syslog_ops.free. */
void *channel_syslog_new(void);

#endif
