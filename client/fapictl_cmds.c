/* The command table. A new API area adds its commands in a file of its
 * own (fapictl_AREA_VERB.c, defining one fapictl_cmd) and one line here;
 * help, option parsing and completion follow from the table. */

#include "fapictl_cmd.h"

extern const fapictl_cmd fapictl_version_cmd;
extern const fapictl_cmd fapictl_health_cmd;
extern const fapictl_cmd fapictl_outputs_watch_cmd;
extern const fapictl_cmd fapictl_outputs_get_cmd;
extern const fapictl_cmd fapictl_rules_list_cmd;
extern const fapictl_cmd fapictl_rules_get_cmd;
extern const fapictl_cmd fapictl_rules_validate_cmd;
extern const fapictl_cmd fapictl_rules_put_cmd;
extern const fapictl_cmd fapictl_rules_delete_cmd;
extern const fapictl_cmd fapictl_rules_enable_cmd;
extern const fapictl_cmd fapictl_rules_disable_cmd;
extern const fapictl_cmd fapictl_rules_reload_cmd;
extern const fapictl_cmd fapictl_configs_list_cmd;
extern const fapictl_cmd fapictl_configs_get_cmd;
extern const fapictl_cmd fapictl_configs_set_cmd;
extern const fapictl_cmd fapictl_configs_reset_cmd;
extern const fapictl_cmd fapictl_drops_watch_cmd;
extern const fapictl_cmd fapictl_fleet_watch_cmd;
extern const fapictl_cmd fapictl_fleet_nodes_cmd;
extern const fapictl_cmd fapictl_inputs_send_cmd;
extern const fapictl_cmd fapictl_completion_cmd;

const fapictl_cmd *const fapictl_cmds[] = {
	&fapictl_version_cmd,
	&fapictl_health_cmd,
	&fapictl_outputs_watch_cmd,
	&fapictl_outputs_get_cmd,
	&fapictl_rules_list_cmd,
	&fapictl_rules_get_cmd,
	&fapictl_rules_validate_cmd,
	&fapictl_rules_put_cmd,
	&fapictl_rules_delete_cmd,
	&fapictl_rules_enable_cmd,
	&fapictl_rules_disable_cmd,
	&fapictl_rules_reload_cmd,
	&fapictl_configs_list_cmd,
	&fapictl_configs_get_cmd,
	&fapictl_configs_set_cmd,
	&fapictl_configs_reset_cmd,
	&fapictl_drops_watch_cmd,
	&fapictl_fleet_watch_cmd,
	&fapictl_fleet_nodes_cmd,
	&fapictl_inputs_send_cmd,
	&fapictl_completion_cmd,
	NULL,
};
