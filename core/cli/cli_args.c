#include "cli/cli_args.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cli_args_usage(void)
{
	return "Usage: falco-apid [options]\n"
	       "  -c FILE            configuration file (default: the embedded configuration)\n"
	       "  -o KEY=VALUE       override a configuration key (repeatable; dotted keys, [N] and [] for lists)\n"
	       "  -r PATH            rules file or directory (repeatable; replaces rules_file)\n"
	       "  -e CAPTURE         read events from a capture file instead of the live source\n"
	       "  -V PATH            validate rules file(s) and exit (repeatable)\n"
	       "  -L                 list the loaded rules and exit\n"
	       "  -D SUBSTRING       disable rules whose name contains SUBSTRING (repeatable)\n"
	       "  -T TAG             disable rules with this tag (repeatable)\n"
	       "  -t TAG             only enable rules with this tag (repeatable)\n"
	       "  -A                 evaluate all events, including the ones Falco skips by default\n"
	       "  -M SECONDS         stop after SECONDS\n"
	       "  -U, --unbuffered   do not buffer stdout (overrides buffered_outputs)\n"
	       "  -v                 verbose output\n"
	       "  --list[=SOURCE]    list the fields the rules can use and exit\n"
	       "  --disable-source NAME  do not open the live feed of this event source (repeatable)\n"
	       "  --version          print the version and exit\n"
	       "  -h, --help         this help\n";
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

int cli_args_parse(cli_args *a, int argc, char **argv, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	static const struct option longopts[] = {
		{"list", optional_argument, NULL, 1000},
		{"version", no_argument, NULL, 1001},
		{"disable-source", required_argument, NULL, 1002},
		{"help", no_argument, NULL, 'h'},
		{"unbuffered", no_argument, NULL, 'U'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":c:o:r:e:V:LD:T:t:AM:Uvh", longopts, NULL)) != -1) {
		int rc = 0;
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
		case 'M': {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || v < 0) {
				snprintf(err, errlen, "-M: '%s' is not a number of seconds", optarg);
				goto fail;
			}
			a->duration_s = v;
			break;
		}
		case 'U':
			a->unbuffered = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			a->help = true;
			break;
		case 1000:
			a->list_fields = true;
			a->list_source = optarg;
			break;
		case 1001:
			a->version = true;
			break;
		case 1002:
			rc = cli_args_push(&a->disable_sources, &a->ndisable_sources, optarg);
			break;
		case ':':
			if (optopt == 1002)
				snprintf(err, errlen, "option --disable-source needs an argument");
			else
				snprintf(err, errlen, "option -%c needs an argument", optopt);
			goto fail;
		default:
			if (optopt)
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
	free(a->disable_sources);
	memset(a, 0, sizeof(*a));
}
