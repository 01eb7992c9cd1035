#include "cli/cli_args.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cli_args_usage(void)
{
	return "Usage: falco-apid [options]\n"
	       "  -c FILE                configuration file (default: the embedded configuration)\n"
	       "  -o, --option KEY=VALUE override a configuration key (repeatable; dotted keys, [N] and [] for lists)\n"
	       "  -r PATH                rules file or directory (repeatable; replaces rules_file)\n"
	       "  -e CAPTURE             read events from a capture file instead of the live source\n"
	       "  -V, --validate PATH    validate rules file(s) and exit (repeatable)\n"
	       "  -L                     list the loaded rules and exit\n"
	       "  -l RULE                show the name and description of the rule RULE and exit\n"
	       "  -D SUBSTRING           disable rules whose name contains SUBSTRING (repeatable)\n"
	       "  -T TAG                 disable rules with this tag (repeatable)\n"
	       "  -t TAG                 only enable rules with this tag (repeatable)\n"
	       "  -A                     evaluate all events, including the ones Falco skips by default\n"
	       "  -i                     print the events that are ignored without -A and exit\n"
	       "  -p, --print FORMAT     append FORMAT to every syscall rule's output; -pc (container),\n"
	       "                         -pk (kubernetes), -pm (mesos) use Falco's presets and replace\n"
	       "                         %container.info with them\n"
	       "  -b, --print-base64     print data buffers in base64\n"
	       "  -S, --snaplen LEN      capture the first LEN bytes of each I/O buffer (default: libscap's 80)\n"
	       "  --cri PATH             CRI socket for container metadata (repeatable: tried in order)\n"
	       "  --disable-cri-async    fetch CRI metadata synchronously\n"
	       "  -s FILE                append statistics lines to FILE\n"
	       "  --stats-interval MSEC  with -s, write statistics every MSEC ms (default 5000)\n"
	       "  -d, --daemon           run as a daemon\n"
	       "  -P, --pidfile FILE     with -d, write the daemon's pid to FILE (default /var/run/falco.pid)\n"
	       "  -M SECONDS             stop after SECONDS\n"
	       "  -U, --unbuffered       do not buffer stdout (overrides buffered_outputs)\n"
	       "  -v                     verbose output\n"
	       "  --list[=SOURCE]        list the fields the rules can use and exit\n"
	       "  -N                     with --list, print field names only\n"
	       "  --disable-source NAME  do not open the live feed of this event source (repeatable)\n"
	       "  --list-plugins         print the loaded plugins and exit (none: this build loads none)\n"
	       "  --support              print support information (version, system, config, rules files) as JSON\n"
	       "  --version              print the version and exit\n"
	       "  -h, --help             this help\n"
	       "Falco flags for features this build does not have (they exit 1 saying so):\n"
	       "  -u, --userspace, -k, --k8s-api URL, -K, --k8s-api-cert FILES, --k8s-node NAME, -m, --mesos-api URL\n";
}

static int cli_args_push(const char ***arr, size_t *n, const char *v)
{
	const char **a = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!a)
		return -1;
	a[(*n)++] = v;
	*arr = a;
	return 0;
}

/* A non-negative decimal number that fits in *out; false otherwise. */
static bool cli_args_number(const char *s, uint64_t max, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

enum {
	CLI_OPT_LIST = 1000,
	CLI_OPT_VERSION,
	CLI_OPT_STATS_INTERVAL,
	CLI_OPT_CRI,
	CLI_OPT_DISABLE_CRI_ASYNC,
	CLI_OPT_SUPPORT,
	CLI_OPT_LIST_PLUGINS,
	CLI_OPT_K8S_NODE,
	CLI_OPT_DISABLE_SOURCE,
};

/* The sentence for a Falco flag whose feature is not built in, or NULL. */
static const char *cli_args_unsupported(int c)
{
	switch (c) {
	case 'u':
		return "-u/--userspace: userspace instrumentation (pdig) is not available in this build";
	case 'k':
		return "-k/--k8s-api: Kubernetes metadata from the API server is not available in this build";
	case 'K':
		return "-K/--k8s-api-cert: Kubernetes metadata from the API server is not available in this build";
	case CLI_OPT_K8S_NODE:
		return "--k8s-node: Kubernetes metadata from the API server is not available in this build";
	case 'm':
		return "-m/--mesos-api: Mesos metadata is not available in this build";
	default:
		return NULL;
	}
}

int cli_args_parse(cli_args *a, int argc, char **argv, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->pidfile = CLI_ARGS_DEFAULT_PIDFILE;
	a->stats_interval_ms = CLI_ARGS_DEFAULT_STATS_INTERVAL_MS;
	a->argc = argc;
	a->argv = argv;
	static const struct option longopts[] = {
		{"list", optional_argument, NULL, CLI_OPT_LIST},
		{"version", no_argument, NULL, CLI_OPT_VERSION},
		{"disable-source", required_argument, NULL, CLI_OPT_DISABLE_SOURCE},
		{"help", no_argument, NULL, 'h'},
		{"option", required_argument, NULL, 'o'},
		{"validate", required_argument, NULL, 'V'},
		{"print", required_argument, NULL, 'p'},
		{"print-base64", no_argument, NULL, 'b'},
		{"snaplen", required_argument, NULL, 'S'},
		{"daemon", no_argument, NULL, 'd'},
		{"pidfile", required_argument, NULL, 'P'},
		{"stats-interval", required_argument, NULL, CLI_OPT_STATS_INTERVAL},
		{"cri", required_argument, NULL, CLI_OPT_CRI},
		{"disable-cri-async", no_argument, NULL, CLI_OPT_DISABLE_CRI_ASYNC},
		{"support", no_argument, NULL, CLI_OPT_SUPPORT},
		{"list-plugins", no_argument, NULL, CLI_OPT_LIST_PLUGINS},
		{"userspace", no_argument, NULL, 'u'},
		{"k8s-api", required_argument, NULL, 'k'},
		{"k8s-api-cert", required_argument, NULL, 'K'},
		{"k8s-node", required_argument, NULL, CLI_OPT_K8S_NODE},
		{"mesos-api", required_argument, NULL, 'm'},
		{"unbuffered", no_argument, NULL, 'U'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":c:o:r:e:V:LD:T:t:AM:Uvhl:iNp:bS:dP:s:uk:K:m:", longopts, NULL)) != -1) {
		int rc = 0;
		uint64_t n;
		switch (c) {
		case 'c':
			a->config_file = optarg;
			break;
		case 'o':
			rc = cli_args_push(&a->overrides, &a->noverrides, optarg);
			break;
		case 'r':
			rc = cli_args_push(&a->rules, &a->nrules, optarg);
			break;
		case 'e':
			a->capture = optarg;
			break;
		case 'V':
			rc = cli_args_push(&a->validate, &a->nvalidate, optarg);
			break;
		case 'L':
			a->list_rules = true;
			break;
		case 'l':
			a->describe_rule = optarg;
			break;
		case 'D':
			rc = cli_args_push(&a->disable_substr, &a->ndisable_substr, optarg);
			break;
		case 'T':
			rc = cli_args_push(&a->disable_tags, &a->ndisable_tags, optarg);
			break;
		case 't':
			rc = cli_args_push(&a->only_tags, &a->nonly_tags, optarg);
			break;
		case 'A':
			a->all_events = true;
			break;
		case 'i':
			a->print_ignored_events = true;
			break;
		case 'N':
			a->names_only = true;
			break;
		case 'p':
			a->print_additional = optarg;
			break;
		case 'b':
			a->base64_buffers = true;
			break;
		case 'S':
			if (!cli_args_number(optarg, UINT32_MAX, &n)) {
				snprintf(err, errlen, "-S: '%s' is not a number of bytes", optarg);
				goto fail;
			}
			a->snaplen = n;
			break;
		case 'd':
			a->daemon = true;
			break;
		case 'P':
			a->pidfile = optarg;
			break;
		case 's':
			a->stats_file = optarg;
			break;
		case CLI_OPT_STATS_INTERVAL:
			/* setitimer takes seconds in a time_t: keep the product sane. */
			if (!cli_args_number(optarg, UINT32_MAX, &n) || n == 0) {
				snprintf(err, errlen, "--stats-interval: '%s' is not a positive number of milliseconds",
					 optarg);
				goto fail;
			}
			a->stats_interval_ms = n;
			break;
		case CLI_OPT_CRI:
			rc = cli_args_push(&a->cri_sockets, &a->ncri_sockets, optarg);
			break;
		case CLI_OPT_DISABLE_CRI_ASYNC:
			a->disable_cri_async = true;
			break;
		case CLI_OPT_SUPPORT:
			a->support = true;
			break;
		case CLI_OPT_LIST_PLUGINS:
			a->list_plugins = true;
			break;
		case 'u':
		case 'k':
		case 'K':
		case 'm':
		case CLI_OPT_K8S_NODE:
			if (!a->unsupported)
				a->unsupported = cli_args_unsupported(c);
			break;
		case 'M':
			if (!cli_args_number(optarg, (uint64_t)LONG_MAX, &n)) {
				snprintf(err, errlen, "-M: '%s' is not a number of seconds", optarg);
				goto fail;
			}
			a->duration_s = (long)n;
			break;
		case 'U':
			a->unbuffered = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			a->help = true;
			break;
		case CLI_OPT_LIST:
			a->list_fields = true;
			a->list_source = optarg;
			break;
		case CLI_OPT_VERSION:
			a->version = true;
			break;
		case CLI_OPT_DISABLE_SOURCE:
			rc = cli_args_push(&a->disable_sources, &a->ndisable_sources, optarg);
			break;
		case ':':
			if (optopt && optopt < 256)
				snprintf(err, errlen, "option -%c needs an argument", optopt);
			else
				snprintf(err, errlen, "option %s needs an argument", argv[optind - 1]);
			goto fail;
		default:
			if (optopt && optopt < 256)
				snprintf(err, errlen, "unknown option -%c", optopt);
			else
				snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
			goto fail;
		}
		if (rc < 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		goto fail;
	}
	return 0;
fail:
	cli_args_free(a);
	return -1;
}

void cli_args_free(cli_args *a)
{
	free(a->rules);
	free(a->overrides);
	free(a->validate);
	free(a->disable_substr);
	free(a->disable_tags);
	free(a->only_tags);
	free(a->cri_sockets);
	free(a->disable_sources);
	memset(a, 0, sizeof(*a));
}
