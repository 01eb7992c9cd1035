#include "engine/output/alert_meta.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fapi_sdk_time.h"

int alert_meta_hostname(char *buf, size_t cap, char *err, size_t errlen)
{
	if (!buf || !cap) {
		snprintf(err, errlen, "hostname: no buffer");
		return -1;
	}
	const char *env = getenv("FALCO_GRPC_HOSTNAME");
	if (env) {
		snprintf(buf, cap, "%s", env);
		return 0;
	}
	char h[256];
	if (gethostname(h, sizeof(h)) != 0) {
		snprintf(err, errlen, "Failed to get hostname: %s", strerror(errno));
		return -1;
	}
	h[sizeof(h) - 1] = '\0';
	snprintf(buf, cap, "%s", h);
	return 0;
}

/* Copies the full text to buf under the snprintf convention. */
static size_t alert_meta_put(const char *text, char *buf, size_t cap)
{
	if (buf && cap)
		snprintf(buf, cap, "%s", text);
	return strlen(text);
}

size_t alert_meta_time_text(uint64_t ts, char *buf, size_t cap)
{
	/* libsinsp's ts_to_string(ts, &s, false, true) with its gmt2local(0):
	 * the local offset of NOW, applied to the event time. */
	time_t now = time(NULL);
	struct tm g, l;
	int32_t zone = 0;
	if (gmtime_r(&now, &g) && localtime_r(&now, &l)) {
		int dir = l.tm_year - g.tm_year;
		if (dir == 0)
			dir = l.tm_yday - g.tm_yday;
		zone = (l.tm_hour - g.tm_hour) * 3600 + (l.tm_min - g.tm_min) * 60 + dir * 86400;
	}
	uint64_t sec = ts / 1000000000ULL, nsec = ts % 1000000000ULL;
	int32_t s = (int32_t)((sec + (uint64_t)(int64_t)zone) % 86400);
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%02d:%02d:%02d.%09u", s / 3600, (s % 3600) / 60, s % 60, (unsigned)nsec);
	return alert_meta_put(tmp, buf, cap);
}

size_t alert_meta_iso8601(uint64_t ts, char *buf, size_t cap)
{
	/* libsinsp's ts_to_iso_8601(): "%FT%T" + ".%09u" + "%z", from gmtime
	 * (so %z is always +0000). */
	char tmp[FAPI_SDK_TIME_UTC_MAX];
	fapi_sdk_time_utc(ts, "+0000", tmp);
	return alert_meta_put(tmp, buf, cap);
}

size_t alert_meta_json_time(uint64_t ts, char *buf, size_t cap)
{
	/* falco_formats::format_event(): strftime("%FT%T", gmtime) + ".%09luZ". */
	char tmp[FAPI_SDK_TIME_UTC_MAX];
	fapi_sdk_time_utc(ts, "Z", tmp);
	return alert_meta_put(tmp, buf, cap);
}
