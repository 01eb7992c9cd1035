#ifndef FAPI_CHANNELS_CHANNEL_H
#define FAPI_CHANNELS_CHANNEL_H

/* What one output channel (file, program, syslog, http) implements: how to
 * write one finished alert somewhere. A channel runs on its own thread
 * (channel_worker), so its operations may block; every operation that can
 * block for long must give up once `deadline` has passed (the shutdown
 * drain's end, see channel_deadline.h), so that shutdown stays bounded. */

#include <stdbool.h>
#include <stddef.h>

#include "channels/channel_deadline.h"
#include "engine/output/alert.h"

typedef struct channel_ops {
	/* The channel's name as Falco names its outputs ("file", "program",
	 * "syslog", "http"); static. Required. */
	const char *name;
	/* Writes Falco's message of `a` (a->output: the JSON line with
	 * json_output, else the text line), or coalesces it for the next
	 * flush. `state` is the channel's own (channel_*_new). Returns 0, or
	 * -1 with a message in err when this alert failed (the worker counts
	 * and logs it; the next write tries again). *lost (0 on entry)
	 * receives the number of earlier coalesced alerts this call lost (a
	 * buffer it could not write). Required. */
	int (*write)(void *state, const engine_alert *a, const channel_deadline *deadline, size_t *lost, char *err,
		     size_t errlen);
	/* Pushes out what writes coalesced; called whenever the channel's
	 * queue is empty, and before close. 0, or -1 with err and in *lost (0
	 * on entry) the number of coalesced alerts lost; nothing is left
	 * coalesced either way. NULL: writes never coalesce. */
	int (*flush)(void *state, const channel_deadline *deadline, size_t *lost, char *err, size_t errlen);
	/* Closes whatever is open (Falco's cleanup), at the end of the run,
	 * after a flush; a later write would open again. NULL: nothing to
	 * close. */
	void (*close)(void *state, const channel_deadline *deadline);
	/* Frees state (after close). Required. */
	void (*free)(void *state);
} channel_ops;

#endif
