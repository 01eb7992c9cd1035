#include "authz/authz_identity.h"

#include <string.h>

#include "engine/output/json_escape.h"

void authz_identity_init(authz_identity *id, const char *transport)
{
	id->transport = transport;
	id->has_unix = false;
	id->has_cert = false;
	id->subject = id->cn = "";
	id->ndns = id->nuri = 0;
	id->used = 0;
	id->text[0] = '\0';
}

void authz_identity_set_unix(authz_identity *id, const authz_unix_creds *c)
{
	id->has_unix = true;
	id->unix_creds = *c;
}

void authz_identity_add_cert(authz_identity *id, char which, const char *value, size_t len)
{
	if (len + 1 > sizeof(id->store) - id->used)
		return;
	if ((which == 'd' && id->ndns == AUTHZ_MAX_SANS) || (which == 'u' && id->nuri == AUTHZ_MAX_SANS))
		return;
	char *s = id->store + id->used;
	memcpy(s, value, len);
	s[len] = '\0';
	id->used += len + 1;
	id->has_cert = true;
	switch (which) {
	case 's':
		id->subject = s;
		break;
	case 'c':
		id->cn = s;
		break;
	case 'd':
		id->dns[id->ndns++] = s;
		break;
	default:
		id->uri[id->nuri++] = s;
		break;
	}
}

void authz_identity_finish(authz_identity *id)
{
	if (id->has_unix) {
		const authz_unix_creds *c = &id->unix_creds;
		snprintf(id->text, sizeof(id->text), "unix uid=%u(%s) gid=%u(%s) pid=%d", c->uid, c->user, c->gid,
			 c->group, c->pid);
	} else if (id->has_cert) {
		int n = snprintf(id->text, sizeof(id->text), "tls cn=%s", *id->cn ? id->cn : "(none)");
		for (size_t i = 0; i < id->nuri && n > 0 && (size_t)n < sizeof(id->text); i++)
			n += snprintf(id->text + n, sizeof(id->text) - n, " uri=%s", id->uri[i]);
		for (size_t i = 0; i < id->ndns && n > 0 && (size_t)n < sizeof(id->text); i++)
			n += snprintf(id->text + n, sizeof(id->text) - n, " dns=%s", id->dns[i]);
	} else {
		snprintf(id->text, sizeof(id->text), "%s (no identity)", id->transport);
	}
}

static void authz_identity_json_list(FILE *out, const char *key, const char *const *v, size_t n)
{
	fprintf(out, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		json_escape_write(out, v[i]);
	}
	fputc(']', out);
}

void authz_identity_write_json(const authz_identity *id, FILE *out)
{
	fputs("{\"transport\":", out);
	json_escape_write(out, id->transport);
	if (id->has_unix) {
		const authz_unix_creds *c = &id->unix_creds;
		fprintf(out, ",\"uid\":%u,\"gid\":%u,\"pid\":%d,\"user\":", c->uid, c->gid, c->pid);
		json_escape_write(out, c->user);
		fputs(",\"group\":", out);
		json_escape_write(out, c->group);
	}
	if (id->has_cert) {
		fputs(",\"subject\":", out);
		json_escape_write(out, id->subject);
		fputs(",\"cn\":", out);
		json_escape_write(out, id->cn);
		authz_identity_json_list(out, "dns", id->dns, id->ndns);
		authz_identity_json_list(out, "uri", id->uri, id->nuri);
	}
	fputc('}', out);
}

int authz_identity_export(const authz_identity *id, fapi_identity *out)
{
	if (!out || out->size < offsetof(fapi_identity, transport) + sizeof(out->transport))
		return FAPI_EINVAL;
	fapi_identity full;
	memset(&full, 0, sizeof(full));
	full.size = out->size;
	full.transport = id->transport;
	full.has_unix_creds = id->has_unix;
	full.user = full.group = "";
	if (id->has_unix) {
		full.uid = id->unix_creds.uid;
		full.gid = id->unix_creds.gid;
		full.pid = id->unix_creds.pid;
		full.user = id->unix_creds.user;
		full.group = id->unix_creds.group;
	}
	full.has_cert = id->has_cert;
	full.subject = id->subject;
	full.common_name = id->cn;
	full.dns_sans = id->dns;
	full.ndns = id->ndns;
	full.uri_sans = id->uri;
	full.nuri = id->nuri;
	full.text = id->text;
	memcpy(out, &full, out->size < sizeof(full) ? out->size : sizeof(full));
	return FAPI_OK;
}
