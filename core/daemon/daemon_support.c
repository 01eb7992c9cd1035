#include "daemon/daemon_support.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "config/config_emit.h"
#include "config/config_keys.h"
#include "engine/engine_version.h"
#include "engine/output/json_escape.h"
#include "engine/rules/rules_doc.h"
#include "engine/util/file_read.h"

/* The whole of a file as a NUL-terminated string, or NULL with errno. */
static char *daemon_support_slurp(const char *path)
{
	char *buf;
	size_t len;
	return file_read_all(path, &buf, &len) == FILE_READ_OK ? buf : NULL;
}

int daemon_support_print(FILE *out, const cli_args *a, const engine *e, char *err, size_t errlen)
{
	struct utsname u;
	if (uname(&u) != 0) {
		snprintf(err, errlen, "Could not uname() to find system info: %s", strerror(errno));
		return -1;
	}
	const rules_doc *doc = engine_rules_doc(e);
	size_t nfiles = doc ? rules_doc_file_count(doc) : 0;
	char **contents = calloc(nfiles ? nfiles : 1, sizeof(*contents));
	if (!contents) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = 0;
	char *config_file = NULL;
	const char *config_text = "";
	if (!a->config_file) {
		/* Without a file, the embedded defaults, as YAML. */
		config_doc d;
		config_node *n = NULL;
		strbuf b = STRBUF_INIT;
		if (config_doc_init(&d) == 0 && config_keys_defaults(&d, &n, err, errlen) == 0)
			config_emit_block(&b, n);
		config_node_free(n);
		config_doc_free(&d);
		if (!(config_file = strbuf_finish(&b))) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
			goto out;
		}
		config_text = config_file;
	} else {
		if (!(config_file = daemon_support_slurp(a->config_file))) {
			snprintf(err, errlen, "%s: cannot read: %s", a->config_file, strerror(errno));
			rc = -1;
			goto out;
		}
		config_text = config_file;
	}
	for (size_t i = 0; i < nfiles; i++) {
		if (!(contents[i] = daemon_support_slurp(rules_doc_file_name(doc, i)))) {
			snprintf(err, errlen, "%s: cannot read: %s", rules_doc_file_name(doc, i), strerror(errno));
			rc = -1;
			goto out;
		}
	}

	char *cmdline = NULL;
	size_t cmdlen = 0;
	FILE *w = open_memstream(&cmdline, &cmdlen);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	for (int i = 0; i < a->argc; i++)
		fprintf(w, "%s%s", i ? " " : "", a->argv[i]);
	fclose(w);

	fputs("{\"cmdline\":", out);
	json_escape_write(out, cmdline ? cmdline : "");
	free(cmdline);
	fputs(",\"config\":", out);
	json_escape_write(out, config_text);
	fprintf(out, ",\"engine_info\":{\"engine_version\":%u},\"rules_files\":[", engine_version_number());
	for (size_t i = 0; i < nfiles; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_escape_write(out, rules_doc_file_name(doc, i));
		fputs(",\"variants\":[{\"content\":", out);
		json_escape_write(out, contents[i]);
		fprintf(out, ",\"required_engine_version\":%u}]}", rules_doc_file_required_engine_version(doc, i));
	}
	fputs("],\"system_info\":{\"machine\":", out);
	json_escape_write(out, u.machine);
	fputs(",\"nodename\":", out);
	json_escape_write(out, u.nodename);
	fputs(",\"release\":", out);
	json_escape_write(out, u.release);
	fputs(",\"sysname\":", out);
	json_escape_write(out, u.sysname);
	fputs(",\"version\":", out);
	json_escape_write(out, u.version);
	fputs("},\"version\":", out);
	json_escape_write(out, FAPI_VERSION_STRING);
	fputs("}\n", out);
out:
	free(config_file);
	for (size_t i = 0; i < nfiles; i++)
		free(contents[i]);
	free(contents);
	return rc;
}
