#include "channels/channel_syslog.h"

#include <syslog.h>

static const int channel_syslog_levels[8] = {
	LOG_EMERG, LOG_ALERT, LOG_CRIT, LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG,
};

int channel_syslog_level(int priority)
{
	return priority >= 0 && priority < 8 ? channel_syslog_levels[priority] : LOG_DEBUG;
}

static char channel_syslog_token;

void *channel_syslog_new(void)
{
	return &channel_syslog_token;
}

static int channel_syslog_write(void *state, const engine_alert *a, const channel_deadline *deadline, size_t *lost,
				char *err, size_t errlen)
{
	(void)state;
	(void)lost;
	(void)deadline;
	(void)err;
	(void)errlen;
	syslog(channel_syslog_level(a->priority), "%s", a->output);
	return 0;
}

static void channel_syslog_free(void *state)
{
	(void)state;
}

const channel_ops channel_syslog_ops = {
	.name = "syslog",
	.write = channel_syslog_write,
	.free = channel_syslog_free,
};
