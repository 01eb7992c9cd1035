/* fapictl: the command-line client of falco-apid. This file finds the
 * command in the table, parses its options and prints the help texts. */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/grpc.h>

#include "fapictl_cmd.h"

const fapictl_opt fapictl_conn_opts[] = {
	{"target", "ADDR", "daemon to call: unix:///PATH or HOST:PORT (default $FAPICTL_TARGET, else " FAPICTL_DEFAULT_TARGET ")"},
	{"ca", "FILE", "CA certificate (PEM) the server's certificate must chain to; selects TLS"},
	{"cert", "FILE", "client certificate (PEM) for mutual TLS, with --key"},
	{"key", "FILE", "client private key (PEM), with --cert"},
	{"server-name", "NAME", "name expected in the server's certificate (default: the target's host)"},
	{"timeout", "DURATION", "give up after DURATION (5, 5s, 500ms, 2m)"},
	{NULL, NULL, NULL},
};

const char *fapictl_args_get(const fapictl_args *a, const char *name)
{
	const char *v = NULL;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->names[i], name) == 0)
			v = a->values[i];
	return v;
}

int fapictl_args_has(const fapictl_args *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->names[i], name) == 0)
			return 1;
	return 0;
}

int fapictl_usage_error(const fapictl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("fapictl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nsee 'fapictl %s --help'\n", cmd->path);
	else
		fputs("\nsee 'fapictl --help'\n", stderr);
	return FAPICTL_EXIT_USAGE;
}

/* Seconds from "5", "5s", "1.5s", "500ms", "2m", "1h"; -1 when malformed. */
static double fapictl_duration(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return v;
	if (strcmp(end, "ms") == 0)
		return v / 1000;
	if (strcmp(end, "m") == 0)
		return v * 60;
	if (strcmp(end, "h") == 0)
		return v * 3600;
	return -1;
}

static void fapictl_help_opts(FILE *f, const fapictl_opt *opts)
{
	for (const fapictl_opt *o = opts; o && o->name; o++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-24s %s\n", left, o->help);
	}
}

static void fapictl_help_global(FILE *f)
{
	fputs("fapictl: the command-line client of falco-apid\n\n"
	      "usage: fapictl COMMAND [OPTIONS]\n"
	      "       fapictl COMMAND --help\n\ncommands:\n",
	      f);
	for (size_t i = 0; fapictl_cmds[i]; i++)
		fprintf(f, "  %-18s %s\n", fapictl_cmds[i]->path, fapictl_cmds[i]->summary);
	fputs("\nconnection options (commands that call the daemon):\n", f);
	fapictl_help_opts(f, fapictl_conn_opts);
	fputs("\nexit codes: 0 success, 1 the call failed (the gRPC status and message on stderr), 2 bad usage,\n"
	      "            3 the rules do not validate (rules validate, rules put, delete, reload)\n"
	      "\nexamples:\n"
	      "  fapictl version\n"
	      "  fapictl health --target unix:///run/falco/falco.sock --target 10.0.0.2:5060 --ca ca.crt --cert c.crt --key c.key\n"
	      "  fapictl outputs watch --min-priority warning --json\n"
	      "  source <(fapictl completion bash)\n",
	      f);
}

static void fapictl_help_cmd(FILE *f, const fapictl_cmd *c)
{
	fprintf(f, "usage: fapictl %s %s\n\n%s\n", c->path, c->usage, c->help);
	if (c->opts && c->opts->name) {
		fputs("\noptions:\n", f);
		fapictl_help_opts(f, c->opts);
	}
	if (c->flags & FAPICTL_CMD_CONNECTS) {
		fprintf(f, "\nconnection options%s:\n", c->flags & FAPICTL_CMD_MULTI ? " (--target repeatable)" : "");
		fapictl_help_opts(f, fapictl_conn_opts);
	}
	fputs("  --help                   this text\n", f);
}

/* The command whose path is the longest run of argv's leading words;
 * *nwords says how many words it took. */
static const fapictl_cmd *fapictl_find(int argc, char **argv, int *nwords)
{
	const fapictl_cmd *best = NULL;
	int bestn = 0;
	for (size_t i = 0; fapictl_cmds[i]; i++) {
		const char *p = fapictl_cmds[i]->path;
		int k = 1;
		while (k < argc) {
			size_t wl = strcspn(p, " ");
			if (strlen(argv[k]) != wl || strncmp(argv[k], p, wl) != 0)
				break;
			k++;
			p += wl;
			if (*p == '\0') {
				if (k - 1 > bestn) {
					best = fapictl_cmds[i];
					bestn = k - 1;
				}
				break;
			}
			p++;
		}
	}
	*nwords = bestn;
	return best;
}

/* Lists the commands starting with `word` (fapictl outputs). Returns how many. */
static int fapictl_group_help(FILE *f, const char *word)
{
	int n = 0;
	size_t wl = strlen(word);
	for (size_t i = 0; fapictl_cmds[i]; i++) {
		const char *p = fapictl_cmds[i]->path;
		if (strncmp(p, word, wl) == 0 && p[wl] == ' ') {
			if (!n)
				fprintf(f, "usage: fapictl %s SUBCOMMAND [OPTIONS]\n\nsubcommands:\n", word);
			fprintf(f, "  %-18s %s\n", p, fapictl_cmds[i]->summary);
			n++;
		}
	}
	return n;
}

static int fapictl_parse_and_run(const fapictl_cmd *cmd, int argc, char **argv)
{
	struct option longopts[64];
	const char *names[64];
	size_t nl = 0;
	longopts[nl] = (struct option){"help", no_argument, NULL, 0};
	names[nl++] = "help";
	if (cmd->flags & FAPICTL_CMD_CONNECTS)
		for (const fapictl_opt *o = fapictl_conn_opts; o->name; o++) {
			longopts[nl] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, 0};
			names[nl++] = o->name;
		}
	for (const fapictl_opt *o = cmd->opts; o && o->name && nl < 63; o++) {
		longopts[nl] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, 0};
		names[nl++] = o->name;
	}
	longopts[nl] = (struct option){NULL, 0, NULL, 0};

	fapictl_args args = {.cmd = cmd};
	args.names = calloc((size_t)argc + 1, sizeof(char *));
	args.values = calloc((size_t)argc + 1, sizeof(char *));
	args.pos = calloc((size_t)argc + 1, sizeof(char *));
	if (!args.names || !args.values || !args.pos) {
		fputs("fapictl: out of memory\n", stderr);
		return FAPICTL_EXIT_RPC;
	}
	fapictl_conn conn = {.timeout_s = -1};
	int rc = FAPICTL_EXIT_OK;
	opterr = 0;
	optind = 1;
	for (;;) {
		int idx = -1;
		int c = getopt_long(argc, argv, "h", longopts, &idx);
		if (c == -1)
			break;
		if (c == 'h' || (c == 0 && strcmp(names[idx], "help") == 0)) {
			fapictl_help_cmd(stdout, cmd);
			goto out;
		}
		if (c != 0) {
			rc = fapictl_usage_error(cmd, "unknown option or missing value: %s", argv[optind - 1]);
			goto out;
		}
		const char *n = names[idx];
		if (strcmp(n, "target") == 0) {
			if (conn.ntargets == FAPICTL_MAX_TARGETS) {
				rc = fapictl_usage_error(cmd, "at most %d --target", FAPICTL_MAX_TARGETS);
				goto out;
			}
			conn.targets[conn.ntargets++] = optarg;
		} else if (strcmp(n, "ca") == 0) {
			conn.ca = optarg;
		} else if (strcmp(n, "cert") == 0) {
			conn.cert = optarg;
		} else if (strcmp(n, "key") == 0) {
			conn.key = optarg;
		} else if (strcmp(n, "server-name") == 0) {
			conn.server_name = optarg;
		} else if (strcmp(n, "timeout") == 0) {
			conn.timeout_s = fapictl_duration(optarg);
			if (conn.timeout_s < 0) {
				rc = fapictl_usage_error(cmd, "--timeout %s: not a duration (5, 5s, 500ms, 2m)", optarg);
				goto out;
			}
		} else {
			args.names[args.n] = n;
			args.values[args.n++] = optarg;
		}
	}
	for (int k = optind; k < argc; k++)
		args.pos[args.npos++] = argv[k];
	if (cmd->flags & FAPICTL_CMD_CONNECTS) {
		if (conn.ntargets == 0) {
			const char *env = getenv("FAPICTL_TARGET");
			conn.targets[conn.ntargets++] = env && *env ? env : FAPICTL_DEFAULT_TARGET;
		}
		if (conn.ntargets > 1 && !(cmd->flags & FAPICTL_CMD_MULTI)) {
			rc = fapictl_usage_error(cmd, "'fapictl %s' takes one --target", cmd->path);
			goto out;
		}
		if ((conn.cert == NULL) != (conn.key == NULL)) {
			rc = fapictl_usage_error(cmd, "--cert and --key go together");
			goto out;
		}
		grpc_init();
		rc = cmd->run(&conn, &args);
		grpc_shutdown();
	} else {
		rc = cmd->run(NULL, &args);
	}
out:
	free(args.names);
	free(args.values);
	free(args.pos);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fapictl_help_global(stderr);
		return FAPICTL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		if (strcmp(argv[1], "help") == 0 && argc > 2) {
			int nw;
			const fapictl_cmd *c = fapictl_find(argc - 1, argv + 1, &nw);
			if (c) {
				fapictl_help_cmd(stdout, c);
				return FAPICTL_EXIT_OK;
			}
			if (fapictl_group_help(stdout, argv[2]))
				return FAPICTL_EXIT_OK;
			return fapictl_usage_error(NULL, "unknown command '%s'", argv[2]);
		}
		fapictl_help_global(stdout);
		return FAPICTL_EXIT_OK;
	}
	int nw;
	const fapictl_cmd *cmd = fapictl_find(argc, argv, &nw);
	if (!cmd) {
		if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) &&
		    fapictl_group_help(stdout, argv[1]))
			return FAPICTL_EXIT_OK;
		if (argv[1][0] != '-' && fapictl_group_help(stderr, argv[1])) {
			fputs("\n", stderr);
			return fapictl_usage_error(NULL, argc > 2 ? "unknown command '%s %s'" : "'%s' needs a subcommand",
						   argv[1], argc > 2 ? argv[2] : "");
		}
		return fapictl_usage_error(NULL, "unknown command '%s'", argv[1]);
	}
	return fapictl_parse_and_run(cmd, argc - nw, argv + nw);
}
