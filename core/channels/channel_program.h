#ifndef FAPI_CHANNELS_CHANNEL_PROGRAM_H
#define FAPI_CHANNELS_CHANNEL_PROGRAM_H

/* Falco's program_output: alerts written, one line each, to the standard
 * input of `program`, run through the shell (/bin/sh -c, as popen does).
 * keep_alive: one process for the whole run, restarted after it exits;
 * otherwise one process per alert, whose exit is awaited, as in Falco.
 * With keep_alive, the lines of a burst are coalesced in a buffer that is
 * written when it fills and whenever the channel's queue is empty (flush),
 * so no alert is kept back once the channel is idle.
 * At close the pipe is closed and the process awaited, so that what it
 * writes is complete when the daemon exits. Every wait gives up at the
 * drain deadline (a program that never reads nor exits cannot hold the
 * daemon). The program gets the default signal dispositions and an empty
 * signal mask, not the daemon's. */

#include <stdbool.h>
#include <stddef.h>

#include "channels/channel.h"

extern const channel_ops channel_program_ops;

/* The channel's state for channel_program_ops; `program` is copied. NULL
 * on ENOMEM. Freed by channel_program_ops.free. */
void *channel_program_new(const char *program, bool keep_alive);

#endif
