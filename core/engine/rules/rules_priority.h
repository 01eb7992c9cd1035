#ifndef FAPI_ENGINE_RULES_PRIORITY_H
#define FAPI_ENGINE_RULES_PRIORITY_H

/* Falco rule priorities (syslog severities), most severe first. The numeric
 * values are Falco's: a rule is kept when its priority number is <= the
 * configured minimum priority number. */

#include <stdbool.h>
#include <stddef.h>

typedef enum rules_priority {
	RULES_PRIORITY_EMERGENCY = 0,
	RULES_PRIORITY_ALERT = 1,
	RULES_PRIORITY_CRITICAL = 2,
	RULES_PRIORITY_ERROR = 3,
	RULES_PRIORITY_WARNING = 4,
	RULES_PRIORITY_NOTICE = 5,
	RULES_PRIORITY_INFORMATIONAL = 6,
	RULES_PRIORITY_DEBUG = 7,
} rules_priority;

#define RULES_PRIORITY_COUNT 8

/* Parses a priority name: EMERGENCY, ALERT, CRITICAL, ERROR, WARNING,
 * NOTICE, INFORMATIONAL or INFO, DEBUG, in any letter case (Falco 0.31's
 * rule loader accepts the all-lower, all-upper and capitalised spellings;
 * this accepts every case mix, a superset). `len` is the length of `s`
 * (s need not be NUL-terminated). Returns true and sets *out on success;
 * returns false (and leaves *out alone) for anything else, including
 * abbreviations other than INFO and surrounding blanks. */
bool rules_priority_parse(const char *s, size_t len, rules_priority *out);

/* Same as rules_priority_parse() for a NUL-terminated string. */
bool rules_priority_from_string(const char *s, rules_priority *out);

/* Returns the canonical name Falco prints ("Emergency", "Alert",
 * "Critical", "Error", "Warning", "Notice", "Informational", "Debug"), a
 * static string, or NULL when p is out of range. */
const char *rules_priority_name(rules_priority p);

#endif
