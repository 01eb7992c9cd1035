#ifndef FAPI_DAEMON_WATCH_H
#define FAPI_DAEMON_WATCH_H

/* watch_config_files (Falco's key): a thread watches falco.yaml and the
 * rules files and, once they have been quiet for a moment after a change,
 * asks the main thread for a reload (SIGHUP queued with value
 * DAEMON_WATCH_SIGNAL_VALUE, so the log can tell it from a kill -HUP).
 * The parent directories are watched, not the files, so that an editor
 * replacing a file by rename (vim, sed -i, kubectl's configmaps) is seen as
 * a change of that name and the watch survives it. */

#include <pthread.h>
#include <stddef.h>

#include "daemon/daemon_settings.h"

#define DAEMON_WATCH_SIGNAL_VALUE 0x57415443 /* "WATC" */
#define DAEMON_WATCH_DEBOUNCE_MS 200

typedef struct daemon_watch daemon_watch;

/* Starts watching the files daemon_settings_files names; main is the
 * thread to signal. 0, or -1 with err. */
int daemon_watch_start(daemon_watch **out, daemon_settings *s, pthread_t main, char *err, size_t errlen);
/* The set of files may have changed (after a reload): watch it again. */
void daemon_watch_refresh(daemon_watch *w);
/* Stops the thread and frees; NULL is fine. */
void daemon_watch_stop(daemon_watch *w);

#endif
