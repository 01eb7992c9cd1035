#ifndef FAPI_DAEMON_RESOURCES_H
#define FAPI_DAEMON_RESOURCES_H

/* This process' cpu and memory, read from /proc/self as Falco's libs read
 * them: the one reader behind /metrics and the metrics snapshots. */

#include <stdint.h>

typedef struct daemon_resources {
	double cpu_ratio;   /* cpu time used / the process' age, 1.0 = one core */
	uint64_t rss_bytes; /* resident set (statm) */
	uint64_t vsz_bytes; /* virtual size (statm) */
	uint64_t pss_bytes; /* proportional set (smaps_rollup), 0 when unreadable */
} daemon_resources;

/* Fills *r; fields it cannot read are 0. Thread-safe. */
void daemon_resources_read(daemon_resources *r);
/* The process' start, wall-clock nanoseconds (clock-tick precision).
 * Thread-safe. */
uint64_t daemon_resources_start_ns(void);
/* The host's boot, wall-clock nanoseconds (second precision). Thread-safe. */
uint64_t daemon_resources_boot_ns(void);

#endif
