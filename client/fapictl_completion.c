/* fapictl completion bash: a bash completion script generated from the
 * command table, so a new command completes without editing it. */

#include <stdio.h>
#include <string.h>

#include "fapictl_cmd.h"

extern const fapictl_opt fapictl_conn_opts[];

static void fapictl_completion_opts(const fapictl_cmd *c)
{
	fputs("--help", stdout);
	for (const fapictl_opt *o = c->opts; o && o->name; o++)
		printf(" --%s", o->name);
	if (c->flags & FAPICTL_CMD_CONNECTS)
		for (const fapictl_opt *o = fapictl_conn_opts; o->name; o++)
			printf(" --%s", o->name);
}

/* The words that may follow `prefix` (the command words typed so far,
 * "" at the start): the next word of every command path below it. */
static void fapictl_completion_words(const char *prefix)
{
	size_t pl = strlen(prefix);
	char seen[1024] = " ";
	for (size_t i = 0; fapictl_cmds[i]; i++) {
		const char *p = fapictl_cmds[i]->path;
		if (pl && (strncmp(p, prefix, pl) != 0 || p[pl] != ' '))
			continue;
		const char *w = pl ? p + pl + 1 : p;
		size_t wl = strcspn(w, " ");
		char word[128];
		snprintf(word, sizeof(word), " %.*s ", (int)wl, w);
		if (strstr(seen, word))
			continue;
		if (strlen(seen) + strlen(word) < sizeof(seen))
			strcat(seen, word + 1);
		printf("%.*s ", (int)wl, w);
	}
}

static int fapictl_completion_run(const fapictl_conn *conn, const fapictl_args *a)
{
	(void)conn;
	if (a->npos != 1 || strcmp(a->pos[0], "bash") != 0)
		return fapictl_usage_error(a->cmd, a->npos ? "unknown shell '%s' (only bash)" : "which shell? (bash)%s",
					   a->npos ? a->pos[0] : "");
	puts("# bash completion for fapictl: source <(fapictl completion bash)\n"
	     "_fapictl() {\n"
	     "    local cur=${COMP_WORDS[COMP_CWORD]} words=() i\n"
	     "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
	     "        [[ ${COMP_WORDS[i]} == -* ]] && break\n"
	     "        words+=(\"${COMP_WORDS[i]}\")\n"
	     "    done\n"
	     "    local path=\"${words[*]}\" opts=\n"
	     "    case \"$path\" in");
	/* Paths and their prefixes; a full path completes its options. */
	fputs("    \"\") COMPREPLY=($(compgen -W \"", stdout);
	fapictl_completion_words("");
	puts("--help\" -- \"$cur\")); return ;;");
	for (size_t i = 0; fapictl_cmds[i]; i++) {
		const char *p = fapictl_cmds[i]->path;
		const char *sp = strchr(p, ' ');
		if (sp) {
			int dup = 0;
			for (size_t j = 0; j < i; j++)
				if (strncmp(fapictl_cmds[j]->path, p, (size_t)(sp - p) + 1) == 0)
					dup = 1;
			if (!dup) {
				printf("    \"%.*s\") COMPREPLY=($(compgen -W \"", (int)(sp - p), p);
				char prefix[128];
				snprintf(prefix, sizeof(prefix), "%.*s", (int)(sp - p), p);
				fapictl_completion_words(prefix);
				puts("\" -- \"$cur\")); return ;;");
			}
		}
		printf("    \"%s\"*) opts=\"", p);
		fapictl_completion_opts(fapictl_cmds[i]);
		puts("\" ;;");
	}
	puts("    esac\n"
	     "    case ${COMP_WORDS[COMP_CWORD-1]} in\n"
	     "    --ca|--cert|--key) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	     "    --min-priority) COMPREPLY=($(compgen -W \"emergency alert critical error warning notice informational debug\" -- \"$cur\")); return ;;\n"
	     "    --source) COMPREPLY=($(compgen -W \"syscall k8s_audit\" -- \"$cur\")); return ;;\n"
	     "    esac\n"
	     "    [[ $path == completion ]] && { COMPREPLY=($(compgen -W bash -- \"$cur\")); return; }\n"
	     "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	     "}\n"
	     "complete -F _fapictl fapictl");
	return FAPICTL_EXIT_OK;
}

const fapictl_cmd fapictl_completion_cmd = {
	.path = "completion",
	.summary = "print a shell completion script (bash)",
	.usage = "bash",
	.help = "Prints a bash completion script for every command and option of this fapictl.\n"
		"\nexamples:\n"
		"  source <(fapictl completion bash)\n"
		"  fapictl completion bash > /etc/bash_completion.d/fapictl",
	.run = fapictl_completion_run,
};
