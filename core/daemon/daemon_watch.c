#include "daemon/daemon_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "engine/rules/rules_files.h"
#include "log/log.h"

/* One watched directory and the names in it that matter. */
typedef struct daemon_watch_dir {
	int wd;
	char *path;
	char **names; /* NULL-terminated; NULL names: every file of it (a rules directory) */
	size_t nnames;
} daemon_watch_dir;

struct daemon_watch {
	daemon_settings *s;
	pthread_t main, thread;
	int ifd;
	int wake[2];
	atomic_bool refresh, stop;
	daemon_watch_dir *dirs;
	size_t ndirs;
};

/* Frees the list; with rm, also removes the watches. */
static void daemon_watch_free_dirs(daemon_watch *w, daemon_watch_dir *dirs, size_t n, bool rm)
{
	for (size_t i = 0; i < n; i++) {
		if (rm)
			inotify_rm_watch(w->ifd, dirs[i].wd);
		free(dirs[i].path);
		for (size_t j = 0; j < dirs[i].nnames; j++)
			free(dirs[i].names[j]);
		free(dirs[i].names);
	}
	free(dirs);
}

static void daemon_watch_clear(daemon_watch *w)
{
	daemon_watch_free_dirs(w, w->dirs, w->ndirs, true);
	w->dirs = NULL;
	w->ndirs = 0;
}

static daemon_watch_dir *daemon_watch_dir_of(daemon_watch *w, const char *dir)
{
	for (size_t i = 0; i < w->ndirs; i++)
		if (strcmp(w->dirs[i].path, dir) == 0)
			return &w->dirs[i];
	int wd = inotify_add_watch(w->ifd, dir,
				   IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB);
	if (wd < 0) {
		log_msg(FAPI_LOG_WARNING, "config", "watch_config_files: cannot watch %s: %s", dir, strerror(errno));
		return NULL;
	}
	daemon_watch_dir *d = realloc(w->dirs, (w->ndirs + 1) * sizeof(*d));
	if (!d)
		return NULL;
	w->dirs = d;
	d = &w->dirs[w->ndirs];
	*d = (daemon_watch_dir){.wd = wd, .path = strdup(dir)};
	if (!d->path)
		return NULL;
	w->ndirs++;
	return d;
}

/* Watches the parent directory of every file, for the file's name. A
 * directory watched already keeps its watch (inotify_add_watch gives the
 * same descriptor), so that no event is lost while the set is rebuilt;
 * directories no longer needed lose theirs. */
static void daemon_watch_build(daemon_watch *w)
{
	daemon_watch_dir *old = w->dirs;
	size_t nold = w->ndirs;
	w->dirs = NULL;
	w->ndirs = 0;
	char **files = NULL;
	size_t n = 0;
	if (daemon_settings_files(w->s, &files, &n) < 0) {
		/* Keep watching what was watched. */
		w->dirs = old;
		w->ndirs = nold;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!files[i])
			continue;
		char dir[PATH_MAX];
		const char *slash = strrchr(files[i], '/');
		const char *name = slash ? slash + 1 : files[i];
		if (slash)
			snprintf(dir, sizeof(dir), "%.*s", slash == files[i] ? 1 : (int)(slash - files[i]), files[i]);
		else
			snprintf(dir, sizeof(dir), ".");
		daemon_watch_dir *d = daemon_watch_dir_of(w, dir);
		if (!d)
			continue;
		char **names = realloc(d->names, (d->nnames + 1) * sizeof(*names));
		if (!names)
			continue;
		d->names = names;
		if ((names[d->nnames] = strdup(name)))
			d->nnames++;
	}
	rules_files_free(files, n);
	for (size_t i = 0; i < nold; i++) {
		bool kept = false;
		for (size_t j = 0; j < w->ndirs && !kept; j++)
			kept = w->dirs[j].wd == old[i].wd;
		if (!kept)
			inotify_rm_watch(w->ifd, old[i].wd);
	}
	daemon_watch_free_dirs(w, old, nold, false);
}

static bool daemon_watch_relevant(const daemon_watch *w, const struct inotify_event *ev)
{
	for (size_t i = 0; i < w->ndirs; i++) {
		if (w->dirs[i].wd != ev->wd)
			continue;
		if (!ev->len)
			return false;
		for (size_t j = 0; j < w->dirs[i].nnames; j++)
			if (strcmp(w->dirs[i].names[j], ev->name) == 0)
				return true;
		/* A new rules file in a rules directory: its name ends so. */
		size_t l = strlen(ev->name);
		return (ev->mask & (IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM)) && l > 5 &&
		       (strcmp(ev->name + l - 5, ".yaml") == 0 || (l > 4 && strcmp(ev->name + l - 4, ".yml") == 0)) &&
		       ev->name[0] != '.';
	}
	return false;
}

/* Reads what is queued; true when one event concerns a watched file. */
static bool daemon_watch_drain(daemon_watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool hit = false;
	for (;;) {
		ssize_t len = read(w->ifd, buf, sizeof(buf));
		if (len <= 0)
			return hit;
		for (char *p = buf; p < buf + len;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			hit = hit || daemon_watch_relevant(w, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
}

static void *daemon_watch_thread(void *arg)
{
	daemon_watch *w = arg;
	pthread_setname_np(pthread_self(), "watch");
	bool pending = false;
	while (!atomic_load(&w->stop)) {
		struct pollfd p[2] = {{.fd = w->ifd, .events = POLLIN}, {.fd = w->wake[0], .events = POLLIN}};
		int rc = poll(p, 2, pending ? DAEMON_WATCH_DEBOUNCE_MS : -1);
		if (rc < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN) {
			char c[64];
			while (read(w->wake[0], c, sizeof(c)) > 0) {
			}
		}
		if (atomic_exchange(&w->refresh, false))
			daemon_watch_build(w);
		if (rc > 0 && (p[0].revents & POLLIN)) {
			pending = daemon_watch_drain(w) || pending;
			continue;
		}
		if (rc == 0 && pending) {
			/* Quiet for the debounce time after a change. */
			pending = false;
			union sigval v = {.sival_int = DAEMON_WATCH_SIGNAL_VALUE};
			pthread_sigqueue(w->main, SIGHUP, v);
		}
	}
	return NULL;
}

int daemon_watch_start(daemon_watch **out, daemon_settings *s, pthread_t main, char *err, size_t errlen)
{
	*out = NULL;
	daemon_watch *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->s = s;
	w->main = main;
	w->wake[0] = w->wake[1] = -1;
	if ((w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 || pipe(w->wake) < 0) {
		snprintf(err, errlen, "watch_config_files: %s", strerror(errno));
		goto fail;
	}
	for (int i = 0; i < 2; i++) {
		int fl = fcntl(w->wake[i], F_GETFL);
		fcntl(w->wake[i], F_SETFL, fl | O_NONBLOCK);
		fcntl(w->wake[i], F_SETFD, FD_CLOEXEC);
	}
	/* In place before the caller says it is ready: an edit right after
	 * is seen. */
	daemon_watch_build(w);
	if (pthread_create(&w->thread, NULL, daemon_watch_thread, w) != 0) {
		snprintf(err, errlen, "watch_config_files: cannot start its thread");
		goto fail;
	}
	*out = w;
	return 0;
fail:
	daemon_watch_clear(w);
	if (w->ifd >= 0)
		close(w->ifd);
	if (w->wake[0] >= 0) {
		close(w->wake[0]);
		close(w->wake[1]);
	}
	free(w);
	return -1;
}

static void daemon_watch_wake(daemon_watch *w)
{
	ssize_t rc = write(w->wake[1], "x", 1);
	(void)rc;
}

void daemon_watch_refresh(daemon_watch *w)
{
	if (!w)
		return;
	atomic_store(&w->refresh, true);
	daemon_watch_wake(w);
}

void daemon_watch_stop(daemon_watch *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, true);
	daemon_watch_wake(w);
	pthread_join(w->thread, NULL);
	daemon_watch_clear(w);
	close(w->ifd);
	close(w->wake[0]);
	close(w->wake[1]);
	free(w);
}
