#include "daemon/daemon.h"

#include <errno.h>
#include <grpc/grpc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config_schema.h"
#include "config/daemon_config.h"
#include "log/log.h"
#include "modules/loader.h"
#include "server/health.h"
#include "server/listeners.h"
#include "server/server.h"

#define DAEMON_GRACE_MS 5000

static void daemon_warn_key(void *user, const char *message)
{
	(void)user;
	log_msg(FAPI_LOG_WARNING, "config", "%s", message);
}

/* Waits for SIGINT/SIGTERM (blocked in every thread, so they queue here) or
 * for the -M deadline. */
static void daemon_wait(long duration_s)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += duration_s;
	for (;;) {
		int sig;
		if (duration_s <= 0) {
			if (sigwait(&set, &sig) == 0) {
				log_msg(FAPI_LOG_INFO, "core", "received %s, shutting down", strsignal(sig));
				return;
			}
			continue;
		}
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
		sig = sigtimedwait(&set, NULL, &left);
		if (sig > 0) {
			log_msg(FAPI_LOG_INFO, "core", "received %s, shutting down", strsignal(sig));
			return;
		}
	}
}

int daemon_run(const cli_args *args, const char *exe_dir)
{
	char err[1024] = "";
	int rc = 1;
	config_doc doc = {0};
	daemon_config cfg = {0};
	service_table table;
	module_set mods = {0};
	health *hl = NULL;
	server *srv = NULL;
	listeners ls = {0};
	service_table_init(&table);

	/* Signals are taken synchronously by the main thread: block them before
	 * any thread exists so every thread inherits the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (daemon_config_load(&doc, args->config_file, args->overrides, args->noverrides, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "config", "%s", err);
		goto out;
	}
	config_schema_check(doc.root, daemon_warn_key, NULL);
	if (daemon_config_read(doc.root, &cfg, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "config", "%s", err);
		goto out;
	}
	fapi_log_level lvl;
	if (log_parse_level(cfg.log_level, &lvl) == 0)
		log_set_level(args->verbose ? FAPI_LOG_DEBUG : lvl);
	else
		log_msg(FAPI_LOG_WARNING, "config", "unknown log_level '%s', using info", cfg.log_level);

	grpc_init();
	if (health_register(&hl, &table, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "core", "%s", err);
		goto out_grpc;
	}
	char moddir[4096];
	snprintf(moddir, sizeof(moddir), "%s/../lib/falco-apid/modules", exe_dir);
	const char *dirs[] = {moddir, FAPI_MODULE_DIR};
	if (loader_load_all(&mods, &table, &cfg, dirs, 2, err, sizeof(err)) < 0) {
		log_msg(FAPI_LOG_ERROR, "modules", "%s", err);
		goto out_grpc;
	}
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
		if (server_create(&srv, &table, cfg.threadiness, err, sizeof(err)) < 0 ||
		    listeners_open(&ls, srv, &cfg, err, sizeof(err)) < 0 || server_start(srv, err, sizeof(err)) < 0) {
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
	log_msg(FAPI_LOG_INFO, "core", "falco-apid %s ready", FAPI_VERSION_STRING);
	daemon_wait(args->duration_s);
	rc = 0;

	health_set_serving(hl, false);
	loader_stop_all(&mods);
out_server:
	if (srv) {
		server_shutdown(srv, DAEMON_GRACE_MS);
		size_t leaked = server_destroy(srv);
		if (leaked)
			log_msg(FAPI_LOG_ERROR, "grpc", "%zu call context(s) were never released", leaked);
	}
	listeners_close(&ls);
out_modules:
	loader_unload_all(&mods);
out_grpc:
	health_free(hl);
	/* No grpc_shutdown(): every call, queue and the server are gone by now,
	 * and what it would still wait for (up to 10 s) is a client connection
	 * lingering in HTTP/2's graceful GOAWAY. The process exits next. */
out:
	service_table_free(&table);
	daemon_config_free(&cfg);
	config_doc_free(&doc);
	if (rc == 0)
		log_msg(FAPI_LOG_INFO, "core", "stopped");
	return rc;
}
