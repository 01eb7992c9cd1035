#ifndef FAPI_ENGINE_STATS_FILE_H
#define FAPI_ENGINE_STATS_FILE_H

/* Falco 0.31's -s FILE / --stats-interval: every interval, one line of
 * capture statistics appended to FILE, in Falco's format:
 *   {"sample": N[, "KEY": "VALUE"...], "cur": {"events": E, "drops": D,
 *    "preemptions": P}, "delta": {...same keys...}, "drop_pct": X},
 * KEY/VALUE come from FALCO_STATS_EXTRA_KEY=VALUE environment variables, as
 * in Falco. A timer thread marks a sample as due; the engine thread, which
 * owns the counters, writes it (as Falco writes from its event loop). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct engine_stats_file engine_stats_file;

/* Opens `path` for appending, reads the FALCO_STATS_EXTRA_ variables of
 * `envp` (NULL-terminated, e.g. environ) and starts the timer (interval_ms >
 * 0). Returns 0, or -1 with the reason in err. Close with
 * engine_stats_file_close. */
int engine_stats_file_open(engine_stats_file **out, const char *path, uint64_t interval_ms, char *const *envp,
			   char *err, size_t errlen);

/* True once per elapsed interval: the caller then writes a sample. Cheap
 * (one atomic exchange when due, one load otherwise). */
bool engine_stats_file_due(engine_stats_file *s);

/* Appends one sample with these cumulative counters; the deltas are taken
 * against the previous sample (the first sample's delta is its total). The
 * line is flushed. Returns 0, or -1 when the write failed. */
int engine_stats_file_write(engine_stats_file *s, uint64_t events, uint64_t drops, uint64_t preemptions);

/* Stops the timer and closes the file. NULL is accepted. */
void engine_stats_file_close(engine_stats_file *s);

#endif
