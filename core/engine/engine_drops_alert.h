#ifndef FAPI_ENGINE_DROPS_ALERT_H
#define FAPI_ENGINE_DROPS_ALERT_H

/* The internal alert of syscall_event_drops' "alert" action, as Falco
 * 0.31's falco_outputs::handle_msg builds it: rule "Falco internal:
 * syscall event drop", priority Debug, source "internal", the message of
 * the notice and the output fields n_evts, n_drops, n_drops_buffer,
 * n_drops_scratch_map, n_drops_pf, n_drops_bug and ebpf_enabled (sorted by
 * name, as Falco's std::map). Text: "<time>: Debug <message> (k=v ...)";
 * JSON (json_output): {"output", "output_fields", "priority", "rule",
 * "time"} in that order. */

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine_drops.h"
#include "engine/output/alert.h"

/* Builds the alert with one reference (the caller unrefs it), or NULL on
 * ENOMEM. hostname is copied. */
engine_alert *engine_drops_alert(const engine_drops_notice *n, uint64_t ts, uint64_t seq, bool ebpf_enabled,
				 bool json, const char *hostname);

#endif
