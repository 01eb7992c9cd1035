#ifndef FAPI_ENGINE_OUTPUT_EXTRA_H
#define FAPI_ENGINE_OUTPUT_EXTRA_H

/* What Falco 0.31 does to a rule's output before compiling it: -p's extra
 * fields and the %container.info pseudo-field (rule_loader.lua). */

#include <stdbool.h>

/* Falco's -pc / -pk / -pm presets. */
#define OUTPUT_EXTRA_CONTAINER "container=%container.name (id=%container.id)"
#define OUTPUT_EXTRA_KUBERNETES "k8s.ns=%k8s.ns.name k8s.pod=%k8s.pod.name container=%container.id"
#define OUTPUT_EXTRA_MESOS "task=%mesos.task.name container=%container.id"

/* The -p argument as Falco reads it: "c"/"container", "k"/"kubernetes" and
 * "m"/"mesos" name a preset and set *replace_container_info; anything else is
 * a format used as is (*replace_container_info false). NULL or "" gives "".
 * Returns a static string or `print_additional` itself. */
const char *output_extra_from_flag(const char *print_additional, bool *replace_container_info);

/*
 * The output of a rule after Falco's processing, for a rule of the syscall
 * source (other sources keep their output: pass syscall_source false).
 * output: the rule's output text (required).
 * extra:  -p's format, NULL or "" for none.
 * replace_container_info: each %container.info becomes `extra`; otherwise it
 *   becomes "%container.name (id=%container.id)" and extra is appended after
 *   a space. Without %container.info, extra is appended after a space.
 * Returns a malloc'd string the caller frees, or NULL when out of memory.
 */
char *output_extra_apply(const char *output, bool syscall_source, const char *extra, bool replace_container_info);

#endif
