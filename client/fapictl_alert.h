#ifndef FAPICTL_ALERT_H
#define FAPICTL_ALERT_H

/* One alert (a falco.outputs.response) as fapictl prints it: Falco's text
 * line, or one JSON object on one line (the format is in README.md). */

#include <stdio.h>

#include "outputs.pb-c.h"

/* Falco's spelling of a priority ("Warning"); "Unknown" out of range.
 * Static storage. */
const char *fapictl_alert_priority_name(int priority);

/* Parses a priority in any case ("warning", "WARNING", also "info");
 * returns 0..7 or -1. */
int fapictl_alert_priority_parse(const char *s);

/* Writes r's text line and a newline; label (optional) is written first
 * as "[label] ". */
void fapictl_alert_text(FILE *out, const Falco__Outputs__Response *r, const char *label);

/* Writes r as one JSON object and a newline, every field of the response
 * plus "target" (the address it came from, required). */
void fapictl_alert_json(FILE *out, const Falco__Outputs__Response *r, const char *target);

#endif
