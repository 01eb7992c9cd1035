#include "engine/rules/rules_priority.h"

#include <string.h>

static const char *const canonical[RULES_PRIORITY_COUNT] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

static bool eq_nocase(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	if(alen != blen)
		return false;
	for(size_t i = 0; i < alen; i++) {
		unsigned char ca = (unsigned char)a[i], cb = (unsigned char)b[i];
		if(ca >= 'A' && ca <= 'Z')
			ca = (unsigned char)(ca - 'A' + 'a');
		if(cb >= 'A' && cb <= 'Z')
			cb = (unsigned char)(cb - 'A' + 'a');
		if(ca != cb)
			return false;
	}
	return true;
}

bool rules_priority_parse(const char *s, size_t len, rules_priority *out)
{
	if(!s)
		return false;
	for(int i = 0; i < RULES_PRIORITY_COUNT; i++) {
		if(eq_nocase(s, len, canonical[i])) {
			*out = (rules_priority)i;
			return true;
		}
	}
	if(eq_nocase(s, len, "info")) {
		*out = RULES_PRIORITY_INFORMATIONAL;
		return true;
	}
	return false;
}

bool rules_priority_from_string(const char *s, rules_priority *out)
{
	return s && rules_priority_parse(s, strlen(s), out);
}

const char *rules_priority_name(rules_priority p)
{
	if((int)p < 0 || (int)p >= RULES_PRIORITY_COUNT)
		return NULL;
	return canonical[p];
}
