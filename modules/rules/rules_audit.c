/* What the audit log says of each write, beside its outcome and the new
 * revision (the call's message): the files with the sha256 of the content
 * sent, the files removed, the rules and tags toggled. */

#include <stdio.h>
#include <string.h>

#include "rules_module.h"

static void rules_audit_add(char *buf, size_t buflen, size_t *used, const char *fmt, const char *a, const char *b)
{
	if (*used >= buflen)
		return;
	int n = snprintf(buf + *used, buflen - *used, fmt, a, b);
	if (n > 0)
		*used += (size_t)n;
}

void rules_audit_put(const ProtobufCMessage *req, char *buf, size_t buflen, void *user)
{
	(void)user;
	const Falco__Rules__PutRequest *q = (const Falco__Rules__PutRequest *)req;
	size_t used = 0;
	buf[0] = '\0';
	rules_audit_add(buf, buflen, &used, "%s%s", "put", "");
	for (size_t i = 0; i < q->n_files; i++) {
		char sum[RULES_SHA256_HEX] = "?";
		rules_state_sha256(q->files[i]->content, strlen(q->files[i]->content), sum);
		rules_audit_add(buf, buflen, &used, " %s sha256=%s", q->files[i]->name, sum);
	}
	if (q->if_revision) {
		char r[32];
		snprintf(r, sizeof(r), "%llu", (unsigned long long)q->if_revision);
		rules_audit_add(buf, buflen, &used, " if_revision=%s%s", r, "");
	}
}

void rules_audit_delete(const ProtobufCMessage *req, char *buf, size_t buflen, void *user)
{
	(void)user;
	const Falco__Rules__DeleteRequest *q = (const Falco__Rules__DeleteRequest *)req;
	size_t used = 0;
	buf[0] = '\0';
	rules_audit_add(buf, buflen, &used, "%s%s", "delete", "");
	for (size_t i = 0; i < q->n_names; i++)
		rules_audit_add(buf, buflen, &used, " %s%s", q->names[i], "");
}

void rules_audit_enable(const ProtobufCMessage *req, char *buf, size_t buflen, void *user)
{
	(void)user;
	const Falco__Rules__EnableRequest *q = (const Falco__Rules__EnableRequest *)req;
	size_t used = 0;
	buf[0] = '\0';
	rules_audit_add(buf, buflen, &used, "%s%s", q->enable ? "enable" : "disable", "");
	for (size_t i = 0; i < q->n_rules; i++)
		rules_audit_add(buf, buflen, &used, " rule=\"%s\"%s", q->rules[i], "");
	for (size_t i = 0; i < q->n_tags; i++)
		rules_audit_add(buf, buflen, &used, " tag=\"%s\"%s", q->tags[i], "");
}

void rules_audit_reload(const ProtobufCMessage *req, char *buf, size_t buflen, void *user)
{
	(void)req, (void)user;
	snprintf(buf, buflen, "reload");
}
