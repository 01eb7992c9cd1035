#ifndef FAPI_CHANNELS_CHANNELS_H
#define FAPI_CHANNELS_CHANNELS_H

/* Falco's output channels (file, program, syslog, http) fed from the alert
 * bus: each enabled channel is a bus subscriber with its own bounded queue
 * and thread (channel_worker.h), so a slow program or HTTP endpoint never
 * blocks the engine, the stdout output or another channel; what a channel
 * loses is counted (channels_stats) and logged at shutdown.
 *
 * output_timeout, as in Falco: a write that blocks longer is reported
 * ("\"program\" output timeout ...") by a watchdog thread, once per
 * blocked write; and at shutdown every channel has output_timeout to write
 * what is queued, after which the rest is discarded ("... still blocked,
 * discarding all remaining notifications") and counted. */

#include <stddef.h>

#include "channels/channel_worker.h"
#include "channels/channels_config.h"
#include "engine/output/bus.h"

typedef struct channels channels;

/* Starts every channel `cfg` enables on bus `b` (which must outlive the
 * set), in Falco's order (file, program, syslog, http), and the watchdog.
 * cfg is copied (its strings too). With no channel enabled *out is a valid
 * empty set. 0, or -1 with err (nothing left running). */
int channels_start(channels **out, const channels_config *cfg, bus *b, char *err, size_t errlen);

/* Drains every channel (up to output_timeout, then discards), waits for
 * their threads, and logs each channel's counters. Call after the engine
 * stopped publishing, before printing the run's summary; idempotent. */
void channels_stop(channels *ch);

/* The number of channels started. */
size_t channels_count(const channels *ch);

/* Counters of channel i (0 .. channels_count-1) into *st: what the drops
 * stream reports per channel (dropped: queue full; discarded: shutdown;
 * failed: write errors). Thread-safe, valid until channels_free. Returns
 * 0, or -1 when i is out of range. */
int channels_stats(channels *ch, size_t i, channel_stats *st);

/* Stops (if channels_stop was not called: without draining) and frees the
 * set; before bus_free() of its bus. NULL is fine. */
void channels_free(channels *ch);

#endif
