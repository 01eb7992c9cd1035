#ifndef FAPI_SDK_TIME_H
#define FAPI_SDK_TIME_H

/* Calendar time as text, without libc's time zone lock. gmtime_r,
 * localtime_r and strftime take one process-wide lock (glibc's tzset
 * lock) on every call, so two threads formatting alerts (the engine
 * building one, a module publishing another) wait for each other on it
 * once per alert. These functions are plain arithmetic: no lock, no
 * allocation, any thread. */

#include <stddef.h>
#include <stdint.h>

/* Bytes fapi_sdk_time_utc writes at most, terminator included. */
#define FAPI_SDK_TIME_UTC_MAX 48

/* Writes ns (nanoseconds since the epoch, UTC) as
 * "YYYY-MM-DDTHH:MM:SS.nnnnnnnnn" followed by `suffix` (NULL for none:
 * "Z" gives Falco's json_output time, "+0000" libsinsp's ISO 8601) into
 * out, which must hold FAPI_SDK_TIME_UTC_MAX bytes; suffix is cut to fit.
 * Returns the length written (terminator excluded). Every uint64_t of
 * nanoseconds falls in 1970..2554, so the year has four digits. */
size_t fapi_sdk_time_utc(uint64_t ns, const char *suffix, char out[FAPI_SDK_TIME_UTC_MAX]);

/* The civil date of day `days` since 1970-01-01 (negative before), for
 * |days| below 2^55 (well past any year a time_t can hold). */
void fapi_sdk_time_civil(int64_t days, int64_t *year, unsigned *month, unsigned *day);

#endif
