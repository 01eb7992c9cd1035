#include "channels/channels_config.h"

#include <stdio.h>
#include <string.h>

#include "config/config_keys.h"
#include "engine/output/bus.h"

static int channels_config_capacity(const config_node *root, const char *channel, size_t *out, char *err,
				    size_t errlen)
{
	char key[64];
	snprintf(key, sizeof(key), "%s_output.queue_capacity", channel);
	int64_t v;
	if (config_key_int(root, key, &v, err, errlen) < 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* An enabled channel needs its target, as in Falco. */
static int channels_config_need(bool enabled, const char *value, const char *what, char *err, size_t errlen)
{
	if (enabled && (!value || !*value)) {
		snprintf(err, errlen, "%s", what);
		return -1;
	}
	return 0;
}

int channels_config_read(const config_node *root, channels_config *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	int64_t timeout = 2000;
	if (config_key_bool(root, "json_output", &c->json_output, err, errlen) < 0 ||
	    config_key_int(root, "output_timeout", &timeout, err, errlen) < 0 ||
	    config_key_bool(root, "file_output.enabled", &c->file.enabled, err, errlen) < 0 ||
	    config_key_bool(root, "file_output.keep_alive", &c->file.keep_alive, err, errlen) < 0 ||
	    config_key_string(root, "file_output.filename", &c->file.filename, err, errlen) < 0 ||
	    config_key_bool(root, "program_output.enabled", &c->program.enabled, err, errlen) < 0 ||
	    config_key_bool(root, "program_output.keep_alive", &c->program.keep_alive, err, errlen) < 0 ||
	    config_key_string(root, "program_output.program", &c->program.program, err, errlen) < 0 ||
	    config_key_bool(root, "syslog_output.enabled", &c->syslog.enabled, err, errlen) < 0 ||
	    config_key_bool(root, "http_output.enabled", &c->http.enabled, err, errlen) < 0 ||
	    config_key_string(root, "http_output.url", &c->http.url, err, errlen) < 0 ||
	    config_key_string(root, "http_output.user_agent", &c->http.user_agent, err,
			      errlen) < 0 ||
	    channels_config_capacity(root, "file", &c->file.capacity, err, errlen) < 0 ||
	    channels_config_capacity(root, "program", &c->program.capacity, err, errlen) < 0 ||
	    channels_config_capacity(root, "syslog", &c->syslog.capacity, err, errlen) < 0 ||
	    channels_config_capacity(root, "http", &c->http.capacity, err, errlen) < 0)
		return -1;
	c->output_timeout_ms = (uint64_t)timeout;
	if (channels_config_need(c->file.enabled, c->file.filename,
				 "file output enabled but no filename in configuration block", err, errlen) < 0 ||
	    channels_config_need(c->program.enabled, c->program.program,
				 "program output enabled but no program in configuration block", err, errlen) < 0 ||
	    channels_config_need(c->http.enabled, c->http.url, "http output enabled but no url in configuration block",
				 err, errlen) < 0)
		return -1;
	return 0;
}

bool channels_config_any(const channels_config *c)
{
	return c->file.enabled || c->program.enabled || c->syslog.enabled || c->http.enabled;
}
