#ifndef FAPI_ENGINE_DROPS_H
#define FAPI_ENGINE_DROPS_H

/* Falco 0.31's syscall_event_drops: once per second of EVENT time (so a
 * capture replays as it would have run live), the driver's loss counters
 * are read and compared with the previous reading; when events were lost
 * in a proportion above `threshold`, that is an "occurrence", and if the
 * token bucket (rate, max_burst, also on event time) allows, a "notice":
 * the actions run (log a line, emit the internal alert "Falco internal:
 * syscall event drop", exit). simulate_drops adds one drop per check and
 * sets the threshold to 0, so that every check is an occurrence even
 * without a driver (Falco's own tests replay captures that way).
 *
 * The running totals (driver counters plus simulated drops) are kept in
 * atomics for readers on other threads: the drops stream and metrics read
 * them through core/losses. Only the engine thread writes. */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/backends/backend.h"
#include "engine/output/token_bucket.h"

#define ENGINE_DROPS_IGNORE 0x1u
#define ENGINE_DROPS_LOG 0x2u
#define ENGINE_DROPS_ALERT 0x4u
#define ENGINE_DROPS_EXIT 0x8u

/* The rule name of the internal alert, as Falco spells it. */
#define ENGINE_DROPS_RULE "Falco internal: syscall event drop"

typedef struct engine_drops_opts {
	unsigned actions;  /* ENGINE_DROPS_* bits; Falco's default is ignore */
	double threshold;  /* [0, 1]: the share of events lost that counts as an occurrence */
	double rate;       /* notices per second of event time (token refill); 0: max_burst notices, ever */
	double max_burst;  /* notices the bucket holds */
	bool simulate;     /* simulate_drops */
	/* Optional: where the engine's lines go (Falco's logger): level is a
	 * fapi_log_level, msg valid during the call. Engine thread. NULL:
	 * silent. */
	void (*log)(int level, const char *msg);
} engine_drops_opts;

/* Falco 0.31's defaults (configuration.cpp). */
#define ENGINE_DROPS_OPTS_INIT \
	{.actions = ENGINE_DROPS_IGNORE, .threshold = .1, .rate = .03333, .max_burst = 1, .simulate = false}

/* Parses the names of syscall_event_drops.actions in order, with Falco's
 * rules and words: "ignore", "log", "alert", "exit"; log or alert after
 * ignore is an error; none at all is ignore. Returns 0 and *out, or -1
 * with the message (without Falco's "Error reading config file" prefix)
 * in err. */
int engine_drops_parse_actions(const char *const *names, size_t n, unsigned *out, char *err, size_t errlen);

/* What a check found: the counters' change over the interval (simulated
 * drops included) and whether the bucket allowed the actions. */
typedef struct engine_drops_notice {
	backend_drops delta;
	bool act;          /* run the actions now */
} engine_drops_notice;

typedef struct engine_drops {
	engine_drops_opts o;
	token_bucket tb;
	uint64_t next_check_ts; /* 0 until the first event */
	backend_drops last;     /* the previous reading of the driver */
	uint64_t simulated;     /* drops added by simulate_drops so far */
	bool rebase;            /* event time restarted: the bucket's clock follows at the next check */
	/* Totals for other threads: the driver's counters plus simulated
	 * drops, updated at each check. */
	_Atomic uint64_t total[7]; /* n_evts, n_drops, _buffer, _scratch_map, _pf, _bug, n_preemptions */
	_Atomic uint64_t occurrences, actions;
} engine_drops;

void engine_drops_init(engine_drops *d, const engine_drops_opts *o);

/* True when the event at `ts` is due for a check (cheap: one compare; the
 * first event only sets the first deadline, as Falco's does). Engine
 * thread. */
static inline bool engine_drops_due(engine_drops *d, uint64_t ts)
{
	if (d->next_check_ts == 0) {
		d->next_check_ts = ts + 1000000000ull;
		return false;
	}
	return d->next_check_ts < ts;
}

/* Runs the check at event time `ts` with the driver's counters `now`
 * (NULL: no live feed, all 0). Returns true when it was an occurrence,
 * with *n filled (n->act: the bucket allowed the actions). Logs Falco's
 * "Simulating syscall event drop" when simulating. Engine thread. */
bool engine_drops_check(engine_drops *d, uint64_t ts, const backend_drops *now, engine_drops_notice *n);

/* The source starts again from its beginning (a capture replayed in a
 * loop): event time goes back, so the next first event sets the next
 * deadline again, and the bucket keeps its tokens but not its clock. */
void engine_drops_rewind(engine_drops *d);

/* The message of a notice: "Falco internal: syscall event drop. N system
 * calls dropped in last second." into buf. */
void engine_drops_message(const engine_drops_notice *n, char *buf, size_t cap);

/* The totals since the feed opened (simulated drops included). Any thread. */
void engine_drops_totals(const engine_drops *d, backend_drops *out);

/* Falco's end-of-run lines: "Syscall event drop monitoring:", "   - event
 * drop detected: N occurrences", "   - num times actions taken: M". */
void engine_drops_print_stats(const engine_drops *d, FILE *out);

#endif
