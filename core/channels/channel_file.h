#ifndef FAPI_CHANNELS_CHANNEL_FILE_H
#define FAPI_CHANNELS_CHANNEL_FILE_H

/* Falco's file_output: every alert appended to `filename` as one line.
 * keep_alive: the file stays open (and is reopened after an error);
 * otherwise it is opened and closed around each alert, as in Falco.
 * With keep_alive, the lines of a burst are coalesced in a buffer that is
 * written when it fills and whenever the channel's queue is empty (flush),
 * so no alert is kept back once the channel is idle. */

#include <stdbool.h>
#include <stddef.h>

#include "channels/channel.h"

extern const channel_ops channel_file_ops;

/* The channel's state for channel_file_ops; `filename` is copied. NULL on
 * ENOMEM. Freed by channel_file_ops.free. */
void *channel_file_new(const char *filename, bool keep_alive);

#endif
