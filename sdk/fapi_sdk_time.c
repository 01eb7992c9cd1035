#include "fapi_sdk_time.h"

#include <string.h>

/* Howard Hinnant's civil_from_days (public domain algorithm): eras of
 * 400 years of 146097 days, the year starting in March so that the leap
 * day is the last of it. */
void fapi_sdk_time_civil(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned doe = (unsigned)(days - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = (int64_t)yoe + era * 400 + (*month <= 2);
}

static char *fapi_sdk_time_digits(char *p, uint64_t v, unsigned width)
{
	for (unsigned i = width; i-- > 0; v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

size_t fapi_sdk_time_utc(uint64_t ns, const char *suffix, char out[FAPI_SDK_TIME_UTC_MAX])
{
	uint64_t secs = ns / 1000000000ull, sod = secs % 86400;
	int64_t year;
	unsigned month, day;
	fapi_sdk_time_civil((int64_t)(secs / 86400), &year, &month, &day);
	char *p = out;
	/* 2554 at most: the last instant of a uint64_t of nanoseconds. */
	p = fapi_sdk_time_digits(p, (uint64_t)year, 4);
	*p++ = '-';
	p = fapi_sdk_time_digits(p, month, 2);
	*p++ = '-';
	p = fapi_sdk_time_digits(p, day, 2);
	*p++ = 'T';
	p = fapi_sdk_time_digits(p, sod / 3600, 2);
	*p++ = ':';
	p = fapi_sdk_time_digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = fapi_sdk_time_digits(p, sod % 60, 2);
	*p++ = '.';
	p = fapi_sdk_time_digits(p, ns % 1000000000ull, 9);
	size_t room = FAPI_SDK_TIME_UTC_MAX - 1 - (size_t)(p - out);
	size_t sl = suffix ? strlen(suffix) : 0;
	if (sl > room)
		sl = room;
	memcpy(p, suffix ? suffix : "", sl);
	p += sl;
	*p = 0;
	return (size_t)(p - out);
}
