#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configs.pb-c.h"
#include "configs_audit.h"
#include "configs_guard.h"

static _Thread_local struct {
	uint64_t fingerprint;
	int set;
	char text[FAPI_ERRBUF_SIZE];
} configs_audit_last;

/* FNV-1a over the packed request: equal requests decode and pack alike. */
static uint64_t configs_audit_fingerprint(const ProtobufCMessage *req)
{
	size_t n = protobuf_c_message_get_packed_size(req);
	uint8_t small[1024], *buf = n <= sizeof(small) ? small : malloc(n);
	if (!buf)
		return 0;
	protobuf_c_message_pack(req, buf);
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ buf[i]) * 1099511628211ull;
	if (buf != small)
		free(buf);
	return h ^ (uint64_t)n;
}

void configs_audit_note(const ProtobufCMessage *req, const char *text)
{
	configs_audit_last.fingerprint = configs_audit_fingerprint(req);
	snprintf(configs_audit_last.text, sizeof(configs_audit_last.text), "%s", text);
	configs_audit_last.set = 1;
}

void configs_audit_clear(void)
{
	configs_audit_last.set = 0;
}

void configs_audit_append(char *buf, size_t len, size_t *used, const char *path, uint32_t flags, const char *old,
			  const char *new_value)
{
	if (*used >= len)
		return;
	old = configs_guard_shown(path, flags, old);
	new_value = configs_guard_shown(path, flags, new_value);
	int w = snprintf(buf + *used, len - *used, "%s%s: %s -> %s", *used ? "; " : "", path, old ? old : "(none)",
			 new_value ? new_value : "(none)");
	if (w > 0)
		*used += (size_t)w < len - *used ? (size_t)w : len - *used;
}

void configs_audit_summary(const ProtobufCMessage *req, char *buf, size_t buflen, void *user)
{
	(void)user;
	if (configs_audit_last.set && configs_audit_last.fingerprint == configs_audit_fingerprint(req)) {
		configs_audit_last.set = 0;
		snprintf(buf, buflen, "%s", configs_audit_last.text);
		return;
	}
	size_t used = 0;
	buf[0] = '\0';
	if (req->descriptor == &falco__configs__set_request__descriptor) {
		const Falco__Configs__SetRequest *s = (const Falco__Configs__SetRequest *)req;
		used += (size_t)snprintf(buf, buflen, "requested:");
		for (size_t i = 0; i < s->n_set && used < buflen; i++) {
			const char *k = s->set[i]->key ? s->set[i]->key : "";
			const char *v = configs_guard_shown(k, 0, s->set[i]->value);
			int w = snprintf(buf + used, buflen - used, " %s=%s", k, v ? v : "");
			used += w > 0 ? (size_t)w : 0;
		}
	} else if (req->descriptor == &falco__configs__reset_request__descriptor) {
		const Falco__Configs__ResetRequest *r = (const Falco__Configs__ResetRequest *)req;
		used += (size_t)snprintf(buf, buflen, "requested reset:");
		for (size_t i = 0; i < r->n_keys && used < buflen; i++) {
			int w = snprintf(buf + used, buflen - used, " %s", r->keys[i]);
			used += w > 0 ? (size_t)w : 0;
		}
	}
}
