#ifndef FAPICTL_CONFIGS_H
#define FAPICTL_CONFIGS_H

/* What the configs commands share: keys, values and changes printed as
 * text or as one JSON object a line (see README.md, "fapictl configs"). */

#include <stdint.h>

#include "configs.pb-c.h"
#include "fapictl_cmd.h"

/* One key: text "NAME = VALUE  (type, reload, origin)..." or JSON. */
void fapictl_configs_key_print(const Falco__Configs__Key *k, uint64_t revision, const char *target, int json);
/* The changes and pending keys of a set or reset reply. */
void fapictl_configs_changes_print(Falco__Configs__Change *const *c, size_t n, uint64_t revision, int validated,
				   const char *target, int json);
/* --if-revision N into *out (0 when absent). 0, or FAPICTL_EXIT_USAGE after
 * the message. */
int fapictl_configs_if_revision(const fapictl_args *a, uint64_t *out);

#endif
