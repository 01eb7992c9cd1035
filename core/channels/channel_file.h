#ifndef FAPI_CHANNELS_CHANNEL_FILE_H
#define FAPI_CHANNELS_CHANNEL_FILE_H

/* Falco's file_output: every alert appended to `filename` as one line.
 * keep_alive: the file stays open (and is reopened after an error);
 * otherwise it is opened and closed around each alert, as in Falco.
 * buffered: lines are coalesced and written when the queue empties (and at
 * close); unbuffered: one write per alert. */

#include <stdbool.h>
#include <stddef.h>

#include "channels/channel.h"

extern const channel_ops channel_file_ops;

/* The channel's state for channel_file_ops; `filename` is copied. NULL on
 * ENOMEM. Freed by channel_file_ops.free. */
void *channel_file_new(const char *filename, bool keep_alive, bool buffered);

#endif
