/* The command table. A new API area adds its commands in a file of its
 * own (fapictl_AREA_VERB.c, defining one fapictl_cmd) and one line here;
 * help, option parsing and completion follow from the table. */

#include "fapictl_cmd.h"

extern const fapictl_cmd fapictl_version_cmd;
extern const fapictl_cmd fapictl_health_cmd;
extern const fapictl_cmd fapictl_outputs_watch_cmd;
extern const fapictl_cmd fapictl_outputs_get_cmd;
extern const fapictl_cmd fapictl_drops_watch_cmd;
extern const fapictl_cmd fapictl_completion_cmd;

const fapictl_cmd *const fapictl_cmds[] = {
	&fapictl_version_cmd,
	&fapictl_health_cmd,
	&fapictl_outputs_watch_cmd,
	&fapictl_outputs_get_cmd,
	&fapictl_drops_watch_cmd,
	&fapictl_completion_cmd,
	NULL,
};
