#ifndef FAPI_CHANNELS_CHANNELS_CONFIG_H
#define FAPI_CHANNELS_CHANNELS_CONFIG_H

/* The output channels' settings, with Falco 0.31's keys: file_output
 * (enabled, keep_alive, filename), program_output (enabled, keep_alive,
 * program), syslog_output.enabled, http_output (enabled, url, user_agent),
 * output_timeout, json_output; plus this daemon's
 * <channel>_output.queue_capacity. stdout_output and buffered_outputs are
 * the engine's (engine_config.h): the channels never keep an alert back
 * once their queue is empty, whatever buffered_outputs says. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config_tree.h"

/* Default queue of each channel, in alerts. */
#define CHANNELS_QUEUE_DEFAULT 10000

typedef struct channels_config {
	bool json_output;           /* json_output: the http Content-Type */
	uint64_t output_timeout_ms; /* output_timeout, default 2000 */
	struct {
		bool enabled, keep_alive;
		const char *filename; /* in the tree */
		size_t capacity;
	} file;
	struct {
		bool enabled, keep_alive;
		const char *program; /* in the tree */
		size_t capacity;
	} program;
	struct {
		bool enabled;
		size_t capacity;
	} syslog;
	struct {
		bool enabled;
		const char *url, *user_agent; /* in the tree (user_agent may be the static default) */
		size_t capacity;
	} http;
} channels_config;

/* Fills *c from the tree (strings borrowed from it). An enabled channel
 * without its filename, program or url is an error in Falco's words
 * ("file output enabled but no filename in configuration block"), as is a
 * queue_capacity outside 1 .. BUS_CAPACITY_MAX. 0, or -1 with err. */
int channels_config_read(const config_node *root, channels_config *c, char *err, size_t errlen);

/* Whether any channel is enabled. */
bool channels_config_any(const channels_config *c);

#endif
