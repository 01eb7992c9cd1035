/* falco-apid: a Falco-compatible rule engine exposed through a modular gRPC
 * API. */

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_args.h"
#include "daemon/daemon.h"
#include "engine/engine_version.h"

int main(int argc, char **argv)
{
	cli_args args;
	char err[512];
	if (cli_args_parse(&args, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "falco-apid: %s\n%s", err, cli_args_usage());
		return 1;
	}
	if (args.help) {
		fputs(cli_args_usage(), stdout);
		cli_args_free(&args);
		return 0;
	}
	if (args.version) {
		printf("falco-apid version: %s\nEngine version: %s\n", FAPI_VERSION_STRING, engine_version_string());
		cli_args_free(&args);
		return 0;
	}
	if (args.unsupported || (args.daemon && !*args.pidfile)) {
		fprintf(stderr, "Runtime error: %s. Exiting.\n",
			args.unsupported ? args.unsupported : "If -d is provided, a pid file must also be provided");
		cli_args_free(&args);
		return 1;
	}
	/* libsinsp formats %evt.time in local time; with TZ unset, glibc reads
	 * /etc/localtime again for every alert. Naming the file once makes the
	 * zone load once (same zone, same output). */
	if (!getenv("TZ"))
		setenv("TZ", ":/etc/localtime", 1);
	tzset();
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		snprintf(exe, sizeof(exe), "%s", argv[0]);
	else
		exe[n] = '\0';
	int rc = daemon_run(&args, dirname(exe));
	cli_args_free(&args);
	return rc;
}
