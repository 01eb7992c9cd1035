#ifndef FAPI_CHANNELS_CHANNEL_DEADLINE_H
#define FAPI_CHANNELS_CHANNEL_DEADLINE_H

/* When a channel must give up: unset while the daemon runs, set to the end
 * of the shutdown drain (now + output_timeout) when it stops. Read by the
 * channel's thread inside its blocking waits, written by the thread that
 * stops the channels. */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct channel_deadline {
	_Atomic uint64_t at_ns; /* CLOCK_MONOTONIC ns; 0 = no deadline */
} channel_deadline;

/* CLOCK_MONOTONIC in ns. */
uint64_t channel_deadline_now_ns(void);
/* Sets the deadline to `at_ns` (CLOCK_MONOTONIC ns, non-zero). */
void channel_deadline_set(channel_deadline *d, uint64_t at_ns);
/* True once a deadline is set and has passed. */
bool channel_deadline_passed(const channel_deadline *d);

#endif
