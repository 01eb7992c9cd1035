#ifndef FAPI_DAEMON_SETTINGS_H
#define FAPI_DAEMON_SETTINGS_H

/* What the daemon does when its configuration changes while it runs
 * (config_live's hooks), and the reload (SIGHUP, a watched file):
 *   check: the readers and the cross-key rules on the new tree;
 *   apply: the hot keys at once (engine settings between two events,
 *     log_level), and a rules reload (rules_ctl_reload: files and every
 *     module's contribution) when priority, engine.limits.* or rules_file
 *     changed, or on every reload. A rules reload that fails takes the
 *     settings back and fails the change. */

#include <stdbool.h>

#include "cli/cli_args.h"
#include "config/config_live.h"
#include "daemon/rules_ctl.h"
#include "engine/engine.h"

typedef struct daemon_settings {
	const cli_args *args; /* borrowed */
	engine *eng;          /* borrowed; NULL: no engine */
	rules_ctl *rules;     /* borrowed; NULL: no engine */
	config_live *live;    /* borrowed */
	bool reloading;       /* inside daemon_settings_reload: always reload the rules */
} daemon_settings;

/* config_live_hooks for s (user = s). */
config_live_hooks daemon_settings_hooks(daemon_settings *s);

/* Re-reads falco.yaml (with the overlay and -o) and the rules files and
 * applies both, as SIGHUP does; `why` names the cause in the log. Logs
 * the new generation, or the errors (the running rules and configuration
 * stay). 0 or -1. */
int daemon_settings_reload(daemon_settings *s, const char *why);

/* The files a reload reads (falco.yaml, then the rules files, directories
 * expanded), for the watcher: *out (owned, free with rules_files_free).
 * 0 or -1. */
int daemon_settings_files(daemon_settings *s, char ***out, size_t *n);

#endif
