#include "log/log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static _Atomic int log_level = FAPI_LOG_INFO;

void log_set_level(fapi_log_level level)
{
	atomic_store(&log_level, (int)level);
}

int log_parse_level(const char *name, fapi_log_level *out)
{
	static const struct {
		const char *name;
		fapi_log_level level;
	} names[] = {
		{"error", FAPI_LOG_ERROR},     {"critical", FAPI_LOG_ERROR}, {"emergency", FAPI_LOG_ERROR},
		{"alert", FAPI_LOG_ERROR},     {"warning", FAPI_LOG_WARNING}, {"notice", FAPI_LOG_INFO},
		{"info", FAPI_LOG_INFO},       {"debug", FAPI_LOG_DEBUG},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i].name) == 0) {
			*out = names[i].level;
			return 0;
		}
	}
	return -1;
}

void log_vmsg(fapi_log_level level, const char *who, const char *fmt, va_list ap)
{
	if ((int)level > atomic_load(&log_level))
		return;
	static const char *const tags[] = {"ERROR", "WARNING", "INFO", "DEBUG"};
	char line[4096];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	int n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	n += snprintf(line + n, sizeof(line) - (size_t)n, ".%03ldZ %s [%s] ", ts.tv_nsec / 1000000,
		      tags[level <= FAPI_LOG_DEBUG ? level : FAPI_LOG_DEBUG], who);
	if (n < (int)sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* One fputs of a whole line keeps lines from different threads apart. */
	size_t len = strnlen(line, sizeof(line) - 2);
	line[len] = '\n';
	line[len + 1] = '\0';
	fputs(line, stderr);
}

void log_msg(fapi_log_level level, const char *who, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, who, fmt, ap);
	va_end(ap);
}
