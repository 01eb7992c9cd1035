#include "engine/compile/output_extra.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char output_extra_info[] = "%container.info";
static const char output_extra_generic[] = "%container.name (id=%container.id)";

const char *output_extra_from_flag(const char *p, bool *replace_container_info)
{
	*replace_container_info = false;
	if (!p)
		return "";
	static const struct {
		const char *short_name, *long_name, *format;
	} presets[] = {
		{"c", "container", OUTPUT_EXTRA_CONTAINER},
		{"k", "kubernetes", OUTPUT_EXTRA_KUBERNETES},
		{"m", "mesos", OUTPUT_EXTRA_MESOS},
	};
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		if (strcmp(p, presets[i].short_name) == 0 || strcmp(p, presets[i].long_name) == 0) {
			*replace_container_info = true;
			return presets[i].format;
		}
	}
	return p;
}

char *output_extra_apply(const char *output, bool syscall_source, const char *extra, bool replace_container_info)
{
	if (!extra)
		extra = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *w = open_memstream(&buf, &len);
	if (!w)
		return NULL;
	bool has_info = syscall_source && strstr(output, output_extra_info) != NULL;
	if (!has_info) {
		fputs(output, w);
		if (syscall_source && *extra)
			fprintf(w, " %s", extra);
	} else {
		const char *repl = replace_container_info ? extra : output_extra_generic;
		for (const char *p = output; *p;) {
			if (strncmp(p, output_extra_info, sizeof(output_extra_info) - 1) == 0) {
				fputs(repl, w);
				p += sizeof(output_extra_info) - 1;
			} else {
				fputc(*p++, w);
			}
		}
		if (!replace_container_info && *extra)
			fprintf(w, " %s", extra);
	}
	if (fclose(w) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
