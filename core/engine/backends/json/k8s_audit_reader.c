#include "engine/backends/json/k8s_audit_reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#define K8S_NOT_AUDIT "Data not recognized as a k8s audit event"

bool k8s_audit_reader_parse_time(const char *s, uint64_t *ns)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *rem = strptime(s, "%Y-%m-%dT%H:%M:", &tm);
	if (!rem || !*rem)
		return false;
	tm.tm_isdst = -1;
	uint64_t v = (uint64_t)timegm(&tm) * 1000000000ull;
	double frac;
	if (sscanf(rem, "%lfZ", &frac) != 1)
		return false;
	/* libsinsp: ns += frac * 1e9, in double precision. */
	v = (uint64_t)((double)v + frac * 1e9);
	*ns = v;
	return true;
}

typedef struct k8s_audit_list {
	json_evt *v;
	size_t n, cap;
} k8s_audit_list;

static bool k8s_audit_reader_add(k8s_audit_list *l, const cJSON *obj)
{
	/* Falco reads the time with value(ptr, "<NA>"): a missing one fails to
	 * parse, a non-string one throws; both reject the data. */
	const cJSON *ts = json_doc_member(obj, "stageTimestamp");
	uint64_t ns;
	if (!cJSON_IsString(ts) || !k8s_audit_reader_parse_time(ts->valuestring, &ns))
		return false;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 4;
		json_evt *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return false;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n].obj = obj;
	l->v[l->n].ts = ns;
	static _Atomic uint64_t next_id = 1;
	l->v[l->n].id = next_id++;
	l->n++;
	return true;
}

/* parse_k8s_audit_json(). */
static bool k8s_audit_reader_split(json_doc *d, cJSON *j, bool top, k8s_audit_list *l)
{
	if (cJSON_IsArray(j)) {
		if (!top)
			return false;
		for (cJSON *item = j->child; item; item = item->next)
			if (!k8s_audit_reader_split(d, item, false, l))
				return false;
		return true;
	}
	if (!cJSON_IsObject(j))
		return false;
	const cJSON *kind = json_doc_member(j, "kind");
	if (kind && !cJSON_IsString(kind))
		return false;
	const char *k = kind ? kind->valuestring : "<NA>";
	if (!strcmp(k, "EventList")) {
		cJSON *items = (cJSON *)json_doc_member(j, "items");
		if (!items || cJSON_IsNull(items))
			return true;
		/* nlohmann iterates an object's values, a scalar as itself */
		bool single = !cJSON_IsArray(items) && !cJSON_IsObject(items);
		for (cJSON *je = single ? items : items->child; je; je = single ? NULL : je->next) {
			if (cJSON_IsNull(je))
				return false; /* becomes {"kind":"Event"}, without a time */
			if (!cJSON_IsObject(je) || !json_doc_set_string(d, je, "kind", "Event"))
				return false;
			if (!k8s_audit_reader_add(l, je))
				return false;
		}
		return true;
	}
	if (!strcmp(k, "Event"))
		return k8s_audit_reader_add(l, j);
	return false;
}

int k8s_audit_reader_parse(const char *text, size_t len, json_doc **doc, json_evt **evts, size_t *n, char *err,
		    size_t errlen)
{
	*doc = NULL;
	*evts = NULL;
	*n = 0;
	char perr[200];
	json_doc *d = json_doc_parse(text, len, perr, sizeof(perr));
	if (!d) {
		snprintf(err, errlen, "Could not parse data: %s", perr);
		return -1;
	}
	k8s_audit_list l = {0};
	if (!k8s_audit_reader_split(d, json_doc_root(d), true, &l)) {
		free(l.v);
		json_doc_free(d);
		snprintf(err, errlen, K8S_NOT_AUDIT);
		return -1;
	}
	*doc = d;
	*evts = l.v;
	*n = l.n;
	return 0;
}

bool k8s_audit_reader_probe(const unsigned char *head, size_t n)
{
	size_t i = 0;
	if (n >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf)
		i = 3;
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	return i < n && (head[i] == '{' || head[i] == '[');
}

struct k8s_audit_reader {
	gzFile f;
	char *path;
	char *line;
	size_t len, cap;
	unsigned long long line_no;
	json_doc *doc;
	json_evt *evts;
	size_t nevts, next;
};

/* Reads one line without its '\n' into r->line. 1 at the end of the file
 * (nothing read), 0 otherwise, -1 on a read error. */
static int k8s_audit_reader_read_line(k8s_audit_reader *r, char *err, size_t errlen)
{
	r->len = 0;
	for (;;) {
		if (r->cap - r->len < 4096) {
			size_t nc = r->cap ? r->cap * 2 : 65536;
			char *nl = realloc(r->line, nc);
			if (!nl) {
				snprintf(err, errlen, "out of memory reading %s", r->path);
				return -1;
			}
			r->line = nl;
			r->cap = nc;
		}
		if (!gzgets(r->f, r->line + r->len, (int)(r->cap - r->len))) {
			int zerr = 0;
			const char *msg = gzerror(r->f, &zerr);
			if (zerr != Z_OK && zerr != Z_BUF_ERROR) {
				snprintf(err, errlen, "cannot read %s: %s", r->path, msg);
				return -1;
			}
			r->line[r->len] = 0;
			return r->len == 0 && gzeof(r->f) ? 1 : 0;
		}
		size_t got = strlen(r->line + r->len);
		r->len += got;
		if (r->len && r->line[r->len - 1] == '\n') {
			r->line[--r->len] = 0;
			return 0;
		}
		if (gzeof(r->f))
			return 0;
	}
}

void k8s_audit_reader_close(k8s_audit_reader *r)
{
	if (!r)
		return;
	if (r->f)
		gzclose(r->f);
	json_doc_free(r->doc);
	free(r->evts);
	free(r->line);
	free(r->path);
	free(r);
}

int k8s_audit_reader_open(k8s_audit_reader **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	k8s_audit_reader *r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path))) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!(r->f = gzopen(path, "rb"))) {
		snprintf(err, errlen, "Could not open trace filename %s for reading: %s", path, strerror(errno));
		k8s_audit_reader_close(r);
		return -1;
	}
	/* Falco parses the first line once, to tell JSON from anything else. */
	int rc = k8s_audit_reader_read_line(r, err, errlen);
	if (rc < 0) {
		k8s_audit_reader_close(r);
		return -1;
	}
	char perr[200];
	json_doc *d = rc == 0 ? json_doc_parse(r->line, r->len, perr, sizeof(perr)) : NULL;
	if (!d) {
		snprintf(err, errlen, "Trace filename %s not recognized as system call events or k8s audit events", path);
		k8s_audit_reader_close(r);
		return -1;
	}
	json_doc_free(d);
	if (gzrewind(r->f) != 0) {
		snprintf(err, errlen, "cannot rewind %s", path);
		k8s_audit_reader_close(r);
		return -1;
	}
	*out = r;
	return 0;
}

int k8s_audit_reader_next(k8s_audit_reader *r, const json_evt **evt, char *err, size_t errlen)
{
	*evt = NULL;
	while (r->next >= r->nevts) {
		json_doc_free(r->doc);
		free(r->evts);
		r->doc = NULL;
		r->evts = NULL;
		r->nevts = r->next = 0;
		int rc = k8s_audit_reader_read_line(r, err, errlen);
		if (rc != 0)
			return rc;
		r->line_no++;
		if (r->len == 0)
			continue;
		char why[256];
		if (k8s_audit_reader_parse(r->line, r->len, &r->doc, &r->evts, &r->nevts, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "Could not read k8s audit event line #%llu, \"%s\": %s, stopping", r->line_no,
				 r->line, why);
			return -1;
		}
	}
	*evt = &r->evts[r->next++];
	return 0;
}
