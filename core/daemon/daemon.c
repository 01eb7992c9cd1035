#include "daemon/daemon.h"
#include "daemon/daemon_web.h"
#include "daemon/metrics_snapshot.h"

#include <errno.h>
#include <stdatomic.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <grpc/grpc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "channels/channels.h"
#include "config/config_keys.h"
#include "config/daemon_config.h"
#include "config/config_live.h"
#include "daemon/daemon_detach.h"
#include "daemon/daemon_settings.h"
#include "daemon/daemon_watch.h"
#include "daemon/daemon_support.h"
#include "daemon/engine_config.h"
#include "daemon/json_sources_config.h"
#include "engine/engine_describe.h"
#include "engine/engine_stats_file.h"
#include "engine/output/bus.h"
#include "engine/engine.h"
#include "engine/engine_input.h"
#include "engine/rules/rules_context.h"
#include "engine/rules/rules_files.h"
/* -i is Falco's listing of syscall event types: the syscall backend's own. */
#include "engine/backends/syscall/sinsp_bridge.h"
#include "engine/backends/backend_fields.h"
#include "log/log.h"
#include "losses/loss_inputs.h"
#include "modules/loader.h"
#include "daemon/rules_ctl.h"
#include "authz/authz_audit.h"
#include "authz/authz_peers.h"
#include "authz/authz_policy.h"
#include "server/health.h"
#include "server/listeners.h"
#include "server/reflection.h"
#include "server/server.h"

#define DAEMON_GRACE_MS 5000

static void daemon_warn_key(void *user, const char *message)
{
	(void)user;
	log_msg(FAPI_LOG_WARNING, "config", "%s", message);
}

/* What the engine thread reports to the main thread when its source ends. */
typedef struct daemon_engine_end {
	pthread_t main;
	int rc;
	char err[512];
	double cpu_s; /* CPU time of the engine thread */
} daemon_engine_end;

/* Set by the engine thread when syscall_event_drops' exit action stopped
 * it: the daemon then ends as Falco does, whatever else it serves. */
static atomic_bool daemon_engine_exit;

static void daemon_on_engine_end(void *user, int rc, const char *err)
{
	daemon_engine_end *end = user;
	struct timespec cpu;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
	end->cpu_s = (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9;
	end->rc = rc;
	snprintf(end->err, sizeof(end->err), "%s", err ? err : "");
	if (rc == 1)
		atomic_store(&daemon_engine_exit, true);
	pthread_kill(end->main, SIGUSR1);
}

static void daemon_block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* The audit log SIGUSR1 from outside the process reopens (logrotate). */
static authz_audit *daemon_audit;

/* SIGUSR1 is both the engine thread's "source ended" (pthread_kill, from
 * this process) and logrotate's "reopen your logs" (kill, from another):
 * tell them apart by the sender's pid (the si_code of a pthread_kill is not
 * SI_TKILL on every kernel). Returns true for the engine's. */
static bool daemon_sigusr1(const siginfo_t *si)
{
	if (si->si_pid == getpid())
		return true;
	authz_audit_reopen(daemon_audit);
	return false;
}

/* SIGHUP (or the watcher's queued SIGHUP): reload, when the daemon runs. */
static void daemon_sighup(const siginfo_t *si, daemon_settings *ds, daemon_watch *w)
{
	if (!ds) {
		log_msg(FAPI_LOG_INFO, "core", "received SIGHUP: nothing to reload in this mode");
		return;
	}
	bool watched = si->si_code == SI_QUEUE && si->si_pid == getpid() &&
		       si->si_value.sival_int == DAEMON_WATCH_SIGNAL_VALUE;
	daemon_settings_reload(ds, watched ? "a watched configuration or rules file changed" : "received SIGHUP");
	daemon_watch_refresh(w);
}

/* Waits for SIGINT/SIGTERM (blocked in every thread, so they queue here),
 * for the -M deadline, or, when `until_source_end` (or the engine stopped
 * on syscall_event_drops' exit action), for the engine's source to end
 * (SIGUSR1 from its thread). SIGHUP reloads through ds (NULL: it is only
 * logged). */
static void daemon_wait(long duration_s, bool until_source_end, daemon_settings *ds, daemon_watch *w)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += duration_s;
	for (;;) {
		int sig;
		siginfo_t si;
		if (duration_s <= 0) {
			if ((sig = sigwaitinfo(&set, &si)) < 0)
				continue;
		} else {
			struct timespec now, left;
			clock_gettime(CLOCK_MONOTONIC, &now);
			left.tv_sec = deadline.tv_sec - now.tv_sec;
			left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_nsec += 1000000000L;
				left.tv_sec--;
			}
			if (left.tv_sec < 0) {
				log_msg(FAPI_LOG_INFO, "core", "-M %ld elapsed, shutting down", duration_s);
				return;
			}
			if ((sig = sigtimedwait(&set, &si, &left)) <= 0)
				continue;
		}
		if (sig == SIGUSR1) {
			if (daemon_sigusr1(&si) && (until_source_end || atomic_load(&daemon_engine_exit)))
				return;
			continue;
		}
		if (sig == SIGHUP) {
			daemon_sighup(&si, ds, w);
			continue;
		}
		log_msg(FAPI_LOG_INFO, "core", "received %s, shutting down", strsignal(sig));
		return;
	}
}

/* The engine's sink: every alert goes on the bus, to every subscriber. */
static void daemon_publish(void *user, engine_alert *a)
{
	bus_publish(user, a);
}

static void daemon_log_subscriber(const char *name, const bus_sub_stats *st, void *user)
{
	(void)user;
	log_msg(FAPI_LOG_INFO, "bus",
		"subscriber %s: delivered %llu, dropped %llu, filtered out %llu, queued %zu/%zu (high water %zu)", name,
		(unsigned long long)st->delivered, (unsigned long long)st->dropped, (unsigned long long)st->filtered_out,
		st->depth, st->capacity, st->high_water);
}

/* syscall_event_drops' exit action, in Falco's words (LOG_CRIT). */
static void daemon_log_drops_exit(const char *msg)
{
	log_msg(FAPI_LOG_ERROR, "engine", "%s", msg);
	log_msg(FAPI_LOG_ERROR, "engine", "Exiting.");
}

static void daemon_print_warnings(const engine *e)
{
	for (size_t i = 0; i < engine_warning_count(e); i++)
		fprintf(stderr, "%s\n", engine_warning(e, i));
}

/* --list[=SOURCE]: the fields conditions and outputs can use, of every
 * registered event source or of one; with -N their names only. */
static int daemon_list_fields(const cli_args *args, const engine_opts *eo)
{
	char err[512];
	backend_opts bo = {.all_events = args->all_events};
	backend_registry *reg = backend_registry_new();
	int rc = reg && backend_registry_add_builtins(reg, &bo, NULL, 0, err, sizeof(err)) == BACKEND_OK &&
				 backend_registry_add_json_sources(reg, &bo, eo->json_sources, eo->njson_sources, err,
								   sizeof(err)) == BACKEND_OK &&
				 backend_fields_list(reg, args->list_source, args->verbose, args->names_only, stdout, err,
						     sizeof(err)) == 0
			 ? 0
			 : 1;
	if (rc)
		log_msg(FAPI_LOG_ERROR, "engine", "%s", reg ? err : "out of memory");
	backend_registry_free(reg);
	return rc;
}

/* -i: Falco's list of the events skipped without -A. */
static int daemon_print_ignored_events(void)
{
	char *names = sinsp_bridge_ignored_event_names();
	if (!names) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	printf("Ignored Event(s):%s%s\n", *names ? " " : "", names);
	free(names);
	return 0;
}

/* -l RULE: Falco prints its header, then the rule or the error. */
static int daemon_describe_rule(const engine *e, const char *name)
{
	char err[1024];
	if (engine_describe_rule(e, name, stdout, err, sizeof(err)) < 0) {
		fflush(stdout);
		fprintf(stderr, "Runtime error: Could not describe rule %s: %s. Exiting.\n", name, err);
		return 1;
	}
	return 0;
}

/* A rules load error as Falco prints it: "Runtime error: Could not load
 * rules file FILE: 1 errors:", the error, the offending item between "---"
 * lines, ". Exiting." */
static void daemon_print_load_error(const engine_config *ec, const char *err)
{
	char **files = NULL;
	size_t n = 0, bad = 0;
	char ignored[256];
	char *block = NULL;
	if (rules_files_expand(ec->rules, ec->nrules, &files, &n, ignored, sizeof(ignored)) == 0 &&
	    n)
		block = rules_context_verdict(err, (const char *const *)files, n, &bad);
	if (block)
		fprintf(stderr, "Runtime error: Could not load rules file %s: %s. Exiting.\n", files[bad], block);
	else
		fprintf(stderr, "%s\n", err);
	free(block);
	rules_files_free(files, n);
}

/* -V: loads the files, in order, into one engine, as Falco does, and
 * prints Falco's verdicts on stdout ("FILE: " only with several files):
 * "Ok" for each file, or, for the file that failed, "1 errors:", the error
 * and the offending item between "---" lines; later files are not
 * verdicted. The failure also goes to stderr as Falco's "Runtime error". */
static int daemon_validate(const cli_args *args, engine_config *ec)
{
	engine_opts o = ec->opts;
	o.rules_paths = args->validate;
	o.nrules_paths = args->nvalidate;
	o.validate_only = true;
	engine *e = NULL;
	char err[2048];
	size_t n = args->nvalidate, bad = n;
	char *block = NULL;
	if (engine_create(&e, &o, err, sizeof(err)) < 0) {
		block = rules_context_verdict(err, args->validate, n, &bad);
	} else {
		daemon_print_warnings(e);
		engine_free(e);
	}
	for (size_t i = 0; i < n && i < bad; i++)
		printf("%s%sOk\n", n > 1 ? args->validate[i] : "", n > 1 ? ": " : "");
	if (bad == n)
		return 0;
	printf("%s%s%s", n > 1 ? args->validate[bad] : "", n > 1 ? ": " : "", block ? block : err);
	fflush(stdout);
	fprintf(stderr, "Runtime error: %s. Exiting.\n", block ? block : err);
	free(block);
	return 1;
}

/* Starts the output channels on the alert bus, making the bus if there is
 * none yet (batch replay) and a channel is enabled. 0 or -1 (logged). */
static int daemon_start_channels(engine *e, const channels_config *cc, bus **b, channels **ch)
{
	char err[1024];
	if (!channels_config_any(cc))
		return 0;
	if (!*b) {
		if (!(*b = bus_new())) {
			log_msg(FAPI_LOG_ERROR, "core", "out of memory");
			return -1;
		}
		engine_set_sink(e, daemon_publish, *b);
	}
	if (channels_start(ch, cc, *b, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "channels", "%s", err);
		return -1;
	}
	return 0;
}

/* -e without -M: replay, print the alerts and Falco's summary, exit. No
 * server: nobody could use it past the end of the capture. The channels
 * are drained before the summary, so that their output is complete when
 * it is printed. */
static int daemon_replay(engine *e, const engine_config *ec, const channels_config *cc, int *ready_fd)
{
	char err[1024];
	int rc = 1;
	bus *b = NULL;
	channels *ch = NULL;
	if (engine_open_capture(e, ec->capture, ec->loops, ec->rate, err, sizeof(err)) < 0) {
		fprintf(stderr, "Could not open trace filename %s for reading: %s\n", ec->capture, err);
		return 1;
	}
	if (daemon_start_channels(e, cc, &b, &ch) < 0)
		goto out;
	daemon_engine_end end = {.main = pthread_self()};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (engine_start(e, daemon_on_engine_end, &end) < 0) {
		fprintf(stderr, "cannot start the engine thread\n");
		goto out;
	}
	daemon_detach_ready(ready_fd);
	daemon_wait(0, true, NULL, NULL);
	engine_stop(e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	engine_stats st;
	engine_get_stats(e, &st);
	/* The engine's own rate and CPU, for bench/channels: neither start-up
	 * nor the channels' drain. */
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	log_msg(FAPI_LOG_DEBUG, "engine", "replayed %llu events in %.3f s (%.0f events/s), engine thread CPU %.3f s",
		(unsigned long long)st.events, secs, secs > 0 ? (double)st.events / secs : 0.0, end.cpu_s);
	channels_stop(ch);
	if (end.rc < 0) {
		fprintf(stderr, "Runtime error: %s. Exiting.\n", end.err);
		goto out;
	}
	if (end.rc == 1)
		daemon_log_drops_exit(end.err);
	engine_print_summary(e, stdout);
	fflush(stdout);
	engine_print_drop_stats(e, stderr);
	rc = end.rc == 1 ? 1 : 0;
out:
	channels_free(ch);
	engine_set_sink(e, NULL, NULL);
	bus_free(b);
	return rc;
}

/* True when load_modules names the module. */
static bool daemon_module_enabled(const daemon_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nmodules; i++)
		if (strcmp(cfg->modules[i].name, name) == 0)
			return true;
	return false;
}

/* The number of rules files the configured paths name (a directory counts
 * its files), as Falco counts them; a path that cannot be read counts as one
 * so that loading it reports why. */
static size_t daemon_rules_file_count(const engine_config *ec)
{
	char **files = NULL;
	size_t n = 0;
	char err[512];
	if (rules_files_expand(ec->rules, ec->nrules, &files, &n, err, sizeof(err)) < 0)
		return ec->nrules;
	rules_files_free(files, n);
	return n;
}

/* Opens the engine's source in daemon mode: the capture if one is given,
 * else the live driver. Without either the daemon only runs when the inputs
 * module can feed it events. Returns 0 (*have_source tells whether a source
 * is open) or -1 with the reason in err. */
static int daemon_open_source(engine *e, const engine_config *ec, bool inputs, bool *have_source, char *err,
			      size_t errlen)
{
	char why[1024];
	*have_source = false;
	if (ec->capture) {
		if (engine_open_capture(e, ec->capture, ec->loops, ec->rate, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "Could not open trace filename %s for reading: %s", ec->capture, why);
			return -1;
		}
		log_msg(FAPI_LOG_INFO, "engine", "replaying %s %s%s", ec->capture,
			ec->loops == 0 ? "in a loop" : ec->loops == 1 ? "once" : "several times",
			ec->rate > 0 ? " (paced)" : "");
		*have_source = true;
		return 0;
	}
	if (!ec->live)
		snprintf(why, sizeof(why), "engine.live.enabled is false and no capture is given");
	else if (engine_open_live(e, ec->probe, why, sizeof(why)) == 0) {
		log_msg(FAPI_LOG_INFO, "engine", "capturing live events%s%s", ec->probe ? " with the eBPF probe " : "",
			ec->probe ? ec->probe : "");
		*have_source = true;
		return 0;
	}
	if (inputs) {
		log_msg(FAPI_LOG_WARNING, "engine", "no capture or live source (%s): events come from the inputs module only",
			why);
		return 0;
	}
	/* The engine may have said "no event source: ..." already. */
	const char *reason = strncmp(why, "no event source: ", 17) == 0 ? why + 17 : why;
	snprintf(err, errlen,
		 "no event source: %s. Give a capture (-e, engine.capture.file), a driver, or load the inputs module",
		 reason);
	return -1;
}

int daemon_run(const cli_args *args, const char *exe_dir)
{
	char err[2048] = "";
	int rc = 1;
	struct timespec stop_at = {0, 0}; /* when the stop began (CLOCK_MONOTONIC) */
	config_live *live = NULL;
	config_doc *doc = NULL;
	daemon_settings ds = {.args = args};
	daemon_watch *watch = NULL;
	daemon_config cfg = {0};
	engine_config ec = {0};
	json_sources_config jsources = {0};
	channels_config chc = {0};
	channels *chans = NULL;
	engine *eng = NULL;
	service_table table;
	module_set mods = {0};
	daemon_web web = {0};
	metrics_config mcfg;
	metrics_snapshot *msnap = NULL;
	health *hl = NULL;
	reflection *refl = NULL;
	server *srv = NULL;
	listeners ls = {.wake = {-1, -1}};
	authz_policy policy = {0};
	authz_audit *audit = NULL;
	bool have_source = false;
	bus *alerts = NULL;
	rules_ctl *rules = NULL;
	loss_inputs *inputs_losses = NULL;
	engine_input *input = NULL;
	engine_stats_file *stats = NULL;
	int ready_fd = -1; /* -d: the daemon's line to its parent until it is up */
	daemon_engine_end end = {.main = pthread_self()};
	service_table_init(&table);

	signal(SIGPIPE, SIG_IGN);

	/* Falco refuses this combination while parsing its arguments. */
	if (args->nonly_tags && (args->ndisable_tags || args->ndisable_substr)) {
		fprintf(stderr, "Runtime error: You can not specify both disabled (-D/-T) and enabled (-t) rules. "
				"Exiting.\n");
		goto out;
	}

	/* As in Falco, -i needs no configuration. */
	if (args->print_ignored_events)
		return daemon_print_ignored_events();

	if (config_live_load(&live, args->config_file, args->overrides, args->noverrides, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "config", "%s", err);
		goto out;
	}
	doc = config_live_boot(live);
	ds.live = live;
	if (config_keys_check(doc->root, config_keys_daemon, config_keys_daemon_count, "", daemon_warn_key, NULL, err,
			      sizeof(err)) < 0 ||
	    daemon_config_read(doc->root, &cfg, err, sizeof(err)) < 0 ||
	    engine_config_read(doc->root, args, &ec, err, sizeof(err)) < 0 ||
	    channels_config_read(doc->root, &chc, err, sizeof(err)) < 0 ||
	    json_sources_config_read(&cfg, &jsources, err, sizeof(err)) < 0 ||
	    metrics_config_read(doc->root, &mcfg, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "config", "%s", err);
		goto out;
	}
	ec.opts.json_sources = jsources.defs;
	ec.opts.njson_sources = jsources.n;
	if (args->unbuffered)
		ec.opts.buffered_outputs = false;
	fapi_log_level lvl;
	if (log_parse_level(cfg.log_level, &lvl) == 0)
		log_set_level(args->verbose ? FAPI_LOG_DEBUG : lvl);
	else
		log_msg(FAPI_LOG_WARNING, "config", "unknown log_level '%s', using info", cfg.log_level);

	if (args->list_plugins) {
		/* Falco's listing of its loaded plugins; this build loads none. */
		printf("0 Plugins Loaded:\n\n\n");
		rc = 0;
		goto out;
	}
	if (args->list_fields) {
		rc = daemon_list_fields(args, &ec.opts);
		goto out;
	}
	if (args->nvalidate) {
		rc = daemon_validate(args, &ec);
		goto out;
	}
	bool batch = args->capture && args->duration_s == 0;
	/* As in Falco, no rules file is an error; with the rules module, rules
	 * may come through the API instead. */
	if (daemon_rules_file_count(&ec) == 0) {
		if (!daemon_module_enabled(&cfg, "rules") || batch || args->list_rules || args->describe_rule ||
		    args->support) {
			log_msg(FAPI_LOG_ERROR, "engine", "You must specify at least one rules file/directory via -r or "
							  "a rules_file entry in falco.yaml");
			goto out;
		}
		log_msg(FAPI_LOG_INFO, "engine", "no rules file given: starting without rules (the rules module can load them)");
	}
	/* Alerts are sent to gRPC subscribers only when a server runs. */
	ec.opts.want_fields = !batch && cfg.grpc_enabled;
	if (engine_create(&eng, &ec.opts, err, sizeof(err)) < 0) {
		daemon_print_load_error(&ec, err);
		goto out;
	}
	/* Signals are taken synchronously by the main thread: blocked before
	 * any thread exists so every thread inherits the mask, but only once
	 * configuration and rules are loaded, so that SIGTERM or SIGINT stops
	 * a load (or a -V, -L) at once, as their default action. */
	sigset_t set;
	daemon_block_signals(&set);
	daemon_print_warnings(eng);
	log_msg(FAPI_LOG_INFO, "engine", "%zu rules loaded from %zu path(s), %zu enabled", engine_ruleset(eng)->rules->n,
		ec.nrules, engine_ruleset(eng)->nenabled);
	if (args->support) {
		if (daemon_support_print(stdout, args, eng, err, sizeof(err)) < 0) {
			fprintf(stderr, "Runtime error: %s. Exiting.\n", err);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (args->list_rules) {
		engine_print_rules(eng, stdout);
		rc = 0;
		goto out;
	}
	if (args->describe_rule) {
		rc = daemon_describe_rule(eng, args->describe_rule);
		goto out;
	}
	/* Falco forks once everything that can fail at start-up has been
	 * checked, before any thread starts; the child runs in /, so relative
	 * paths are resolved first. */
	char capture_abs[PATH_MAX], stats_abs[PATH_MAX + 256];
	const char *stats_path = args->stats_file;
	if (args->daemon) {
		char cwd[PATH_MAX];
		if (ec.capture && ec.capture[0] != '/' && realpath(ec.capture, capture_abs))
			ec.capture = capture_abs;
		if (stats_path && stats_path[0] != '/' && getcwd(cwd, sizeof(cwd))) {
			snprintf(stats_abs, sizeof(stats_abs), "%s/%s", cwd, stats_path);
			stats_path = stats_abs;
		}
		bool parent;
		if (daemon_detach(args->pidfile, &parent, &ready_fd, err, sizeof(err)) < 0) {
			log_msg(FAPI_LOG_ERROR, "core", "%s. Exiting.", err);
			goto out;
		}
		if (parent) {
			rc = 0;
			goto out;
		}
	}
	if (eng && stats_path) {
		if (engine_stats_file_open(&stats, stats_path, args->stats_interval_ms, environ, err, sizeof(err)) <
		    0) {
			fprintf(stderr, "Runtime error: %s. Exiting.\n", err);
			goto out;
		}
		engine_set_stats_file(eng, stats);
	}
	if (batch) {
		rc = daemon_replay(eng, &ec, &chc, &ready_fd);
		goto out;
	}

	/* The source opens before anything listens, so that a missing one
	 * stops the start-up as it does Falco's. */
	if (daemon_open_source(eng, &ec, daemon_module_enabled(&cfg, "inputs"), &have_source, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "engine", "%s", err);
		goto out;
	}
	if (!(alerts = bus_new())) {
		log_msg(FAPI_LOG_ERROR, "core", "out of memory");
		goto out;
	}
	engine_set_sink(eng, daemon_publish, alerts);
	if (daemon_start_channels(eng, &chc, &alerts, &chans) < 0)
		goto out;
	grpc_init();
	if (health_register(&hl, &table, err, sizeof(err)) < 0 ||
	    reflection_register(&refl, &table, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "core", "%s", err);
		goto out_grpc;
	}
	/* The rules operations of modules, and (SIGHUP) reloads. */
	if (rules_ctl_new(&rules, eng, ec.opts.rules_paths, ec.opts.nrules_paths, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "engine", "%s", err);
		goto out_grpc;
	}
	char moddir[4096];
	snprintf(moddir, sizeof(moddir), "%s/../lib/falco-apid/modules", exe_dir);
	const char *dirs[] = {moddir, FAPI_MODULE_DIR};
	if (loader_load_all(&mods, &table, &cfg, dirs, 2, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "modules", "%s", err);
		goto out_grpc;
	}
	/* What modules reach through the host table besides their own config. */
	mods.bus = alerts;
	mods.engine = eng;
	mods.loss_inputs = inputs_losses = loss_inputs_new();
	/* The input thread (fapi/input.h), beside the engine thread. */
	if (eng && engine_input_new(&input, eng, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "engine", "%s", err);
		goto out_modules;
	}
	mods.input = input;
	mods.config_root = doc->root;
	mods.reflection = refl;
	mods.rules = rules;
	mods.live = live;
	/* Modules' own keys: checked by loader_init_all, listed and set by
	 * the configuration host functions. */
	for (size_t i = 0; i < mods.count; i++) {
		size_t nkeys;
		const fapi_config_key *keys = loader_module_keys(mods.mods[i].desc, &nkeys);
		if (keys && config_live_add_module(live, mods.mods[i].desc->name, keys, nkeys) < 0) {
			log_msg(FAPI_LOG_ERROR, "modules", "out of memory");
			goto out_modules;
		}
	}
	ds.eng = eng;
	ds.rules = rules;
	config_live_hooks hooks = daemon_settings_hooks(&ds);
	config_live_set_hooks(live, &hooks);
	if (loader_init_all(&mods, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "modules", "%s", err);
		goto out_modules;
	}
	for (size_t i = 0; i < mods.count; i++)
		log_msg(FAPI_LOG_INFO, "modules", "loaded %s %s (ABI %u.%u) from %s", mods.mods[i].desc->name,
			mods.mods[i].desc->version ? mods.mods[i].desc->version : "?", mods.mods[i].desc->abi_major,
			mods.mods[i].desc->abi_minor, mods.mods[i].path);
	if (mods.count == 0)
		log_msg(FAPI_LOG_WARNING, "modules", "no module loaded: only health is served");

	if (cfg.grpc_enabled) {
		if (authz_policy_read(doc->root, &policy, err, sizeof(err)) < 0 ||
		    authz_audit_open(&audit, cfg.audit_log, err, sizeof(err)) < 0) {
			log_msg(FAPI_LOG_ERROR, "config", "%s", err);
			goto out_server;
		}
		daemon_audit = audit;
		if (!policy.enabled)
			log_msg(FAPI_LOG_WARNING, "grpc",
				"grpc.authorization.enabled is false: every caller may call every method");
		if (server_create(&srv, &table, cfg.threadiness, &cfg.limits, err, sizeof(err)) < 0 ||
		    (server_set_authz(srv, &policy, audit), listeners_open(&ls, srv, &cfg, err, sizeof(err)) < 0) ||
		    server_start(srv, err, sizeof(err)) < 0 || listeners_start(&ls, srv, err, sizeof(err)) < 0) {
			log_msg(FAPI_LOG_ERROR, "grpc", "%s", err);
			goto out_server;
		}
		log_msg(FAPI_LOG_INFO, "grpc", "serving %zu methods with %d thread(s) per completion queue",
			table.count, cfg.threadiness);
	} else {
		log_msg(FAPI_LOG_WARNING, "grpc", "grpc.enabled is false: the API is not served");
	}
	if (loader_start_all(&mods, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "modules", "%s", err);
		goto out_server;
	}
	/* After the modules started: their routes' handlers may run from now. */
	web = (daemon_web){.engine = eng, .bus = alerts, .rules = rules, .mods = &mods, .grpc = cfg.grpc_enabled ? &table : NULL};
	if (daemon_web_start(&web, doc->root, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "webserver", "%s", err);
		goto out_started;
	}
	metrics_snapshot_opts mo = {.config = &mcfg,
				    .engine = eng,
				    .bus = alerts,
				    .json_output = ec.opts.json_output,
				    .stdout_output = ec.opts.stdout_output,
				    .buffered_outputs = ec.opts.buffered_outputs};
	if (metrics_snapshot_start(&msnap, &mo, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "metrics", "%s", err);
		goto out_started;
	}
	if (have_source && engine_start(eng, daemon_on_engine_end, &end) < 0) {
		log_msg(FAPI_LOG_ERROR, "engine", "cannot start the engine thread");
		goto out_started;
	}
	bool watch_files = true;
	if (config_key_bool(doc->root, "watch_config_files", &watch_files, err, sizeof(err)) == 0 && watch_files &&
	    daemon_watch_start(&watch, &ds, pthread_self(), err, sizeof(err)) < 0)
		log_msg(FAPI_LOG_WARNING, "config", "%s", err);
	log_msg(FAPI_LOG_INFO, "core", "falco-apid %s ready", FAPI_VERSION_STRING);
	daemon_detach_ready(&ready_fd);
	daemon_wait(args->duration_s, false, &ds, watch);
	/* before the channels stop, so that they write its last alerts */
	metrics_snapshot_stop(msnap);
	msnap = NULL;
	daemon_watch_stop(watch);
	watch = NULL;
	clock_gettime(CLOCK_MONOTONIC, &stop_at);
	rc = 0;
	engine_stop(eng);
	channels_stop(chans);
	if (end.rc < 0) {
		log_msg(FAPI_LOG_ERROR, "engine", "%s", end.err);
		rc = 1;
	} else if (end.rc == 1) {
		daemon_log_drops_exit(end.err);
		rc = 1;
	}
	if (have_source) {
		engine_print_summary(eng, stdout);
		fflush(stdout);
		engine_print_drop_stats(eng, stderr);
	}

out_started:
	metrics_snapshot_stop(msnap);
	daemon_web_stop(&web);
	health_set_serving(hl, false);
	if (alerts)
		bus_foreach_subscriber(alerts, daemon_log_subscriber, NULL);
	loader_stop_all(&mods);
out_server:
	listeners_stop(&ls);
	if (srv) {
		if (!stop_at.tv_sec)
			clock_gettime(CLOCK_MONOTONIC, &stop_at);
		struct timespec deadline = stop_at;
		deadline.tv_sec += cfg.limits.shutdown_timeout_s;
		int grace = cfg.limits.shutdown_timeout_s * 1000 / 2;
		if (server_shutdown(srv, grace < DAEMON_GRACE_MS ? grace : DAEMON_GRACE_MS, &deadline) < 0) {
			/* Something still runs inside gRPC or a module (logged by the
			 * server): freeing or unloading under it would crash, and
			 * grpc.shutdown_timeout promises an exit. */
			listeners_close(&ls);
			fflush(stdout);
			fflush(stderr);
			_exit(rc);
		}
		size_t leaked = server_destroy(srv);
		if (leaked)
			log_msg(FAPI_LOG_ERROR, "grpc", "%zu call context(s) were never released", leaked);
	}
	listeners_close(&ls);
	daemon_audit = NULL;
	authz_audit_close(audit);
	authz_policy_free(&policy);
	authz_peers_free();
out_modules:
	loader_unload_all(&mods);
	engine_input_free(input);
	loss_inputs_free(inputs_losses);
out_grpc:
	health_free(hl);
	reflection_free(refl);
	/* No grpc_shutdown(): every call, queue and the server are gone by now,
	 * and what it would still wait for (up to 10 s) is a client connection
	 * lingering in HTTP/2's graceful GOAWAY. The process exits next. */
out:
	channels_free(chans);
	if (ready_fd >= 0)
		close(ready_fd);
	rules_ctl_free(rules);
	engine_free(eng);
	engine_stats_file_close(stats);
	bus_free(alerts);
	service_table_free(&table);
	engine_config_free(&ec);
	json_sources_config_free(&jsources);
	daemon_config_free(&cfg);
	config_live_free(live);
	if (rc == 0 && srv)
		log_msg(FAPI_LOG_INFO, "core", "stopped");
	return rc;
}
