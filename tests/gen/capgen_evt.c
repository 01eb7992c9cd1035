/*
 * Table-driven encoder for one scap event.
 *
 * A scap event is a packed ppm_evt_hdr, then one length per parameter
 * (uint16, or uint32 for EF_LARGE_PAYLOAD events), then the parameter values
 * back to back. The number of parameters and the width of each fixed-size one
 * come from libscap's own event table, so a parameter of the wrong kind or a
 * missing one is caught here instead of producing a file sinsp misparses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capgen.h"

/* Scap files store values in host order and are read on little-endian hosts;
 * capgen_evt_num relies on that to truncate values. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "fapi-capgen assumes a little-endian host"
#endif

/* Width in bytes of a fixed-size parameter type, or 0 for variable length. */
static size_t capgen_evt_width(enum ppm_param_type t)
{
	switch(t) {
	case PT_INT8: case PT_UINT8: case PT_SIGTYPE: case PT_L4PROTO:
	case PT_SOCKFAMILY: case PT_FLAGS8:
		return 1;
	case PT_INT16: case PT_UINT16: case PT_SYSCALLID: case PT_PORT:
	case PT_FLAGS16:
		return 2;
	case PT_INT32: case PT_UINT32: case PT_BOOL: case PT_IPV4ADDR:
	case PT_FLAGS32: case PT_UID: case PT_GID: case PT_SIGSET: case PT_MODE:
		return 4;
	case PT_INT64: case PT_UINT64: case PT_ERRNO: case PT_FD: case PT_PID:
	case PT_RELTIME: case PT_ABSTIME: case PT_DOUBLE:
		return 8;
	default:
		return 0;
	}
}

static bool capgen_evt_is_string(enum ppm_param_type t)
{
	return t == PT_CHARBUF || t == PT_FSPATH || t == PT_FSRELPATH;
}

/* printf-like error recorder; keeps only the first error of an event. */
static void capgen_evt_fail(capgen_evt *e, const char *what)
{
	if(e->err[0] != '\0')
		return;
	snprintf(e->err, sizeof(e->err), "event %s param %u: %s",
		 e->info ? e->info->name : "?", e->next, what);
}

static bool capgen_evt_reserve(capgen_evt *e, size_t more)
{
	size_t need = e->len + more;
	if(need <= e->cap)
		return true;
	size_t ncap = e->cap ? e->cap : 256;
	while(ncap < need)
		ncap *= 2;
	uint8_t *nbuf = realloc(e->buf, ncap);
	if(nbuf == NULL) {
		capgen_evt_fail(e, "out of memory");
		return false;
	}
	e->buf = nbuf;
	e->cap = ncap;
	return true;
}

void capgen_evt_init(capgen_evt *e)
{
	memset(e, 0, sizeof(*e));
}

void capgen_evt_fini(capgen_evt *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
}

bool capgen_evt_begin(capgen_evt *e, uint16_t type, uint64_t ts, uint64_t tid)
{
	e->err[0] = '\0';
	e->info = NULL;
	e->next = 0;
	e->len = 0;
	if(type >= PPM_EVENT_MAX) {
		snprintf(e->err, sizeof(e->err), "unknown event type %u", type);
		return false;
	}
	e->info = &scap_get_event_info_table()[type];
	e->nparams = e->info->nparams;
	e->lensz = (e->info->flags & EF_LARGE_PAYLOAD) ? sizeof(uint32_t) : sizeof(uint16_t);

	size_t hdr = sizeof(struct ppm_evt_hdr) + e->nparams * e->lensz;
	if(!capgen_evt_reserve(e, hdr))
		return false;
	struct ppm_evt_hdr h;
	memset(&h, 0, sizeof(h));
	h.ts = ts;
	h.tid = tid;
	h.type = type;
	h.nparams = e->nparams;
	memcpy(e->buf, &h, sizeof(h));
	memset(e->buf + sizeof(h), 0, e->nparams * e->lensz);
	e->len = hdr;
	return true;
}

/* Checks that one more parameter is expected, and returns its type. */
static bool capgen_evt_expect(capgen_evt *e, enum ppm_param_type *t)
{
	if(e->info == NULL) {
		capgen_evt_fail(e, "no event begun");
		return false;
	}
	if(e->next >= e->nparams) {
		capgen_evt_fail(e, "too many parameters");
		return false;
	}
	*t = e->info->params[e->next].type;
	return true;
}

/* Copies a value and records its length in the length array. */
static void capgen_evt_put(capgen_evt *e, const void *p, size_t n)
{
	uint32_t maxlen = e->lensz == sizeof(uint16_t) ? UINT16_MAX : UINT32_MAX;
	if(n > maxlen) {
		capgen_evt_fail(e, "value too long");
		return;
	}
	if(!capgen_evt_reserve(e, n))
		return;
	if(n > 0)
		memcpy(e->buf + e->len, p, n);
	e->len += n;
	uint8_t *slot = e->buf + sizeof(struct ppm_evt_hdr) + e->next * e->lensz;
	if(e->lensz == sizeof(uint16_t)) {
		uint16_t l = (uint16_t)n;
		memcpy(slot, &l, sizeof(l));
	} else {
		uint32_t l = (uint32_t)n;
		memcpy(slot, &l, sizeof(l));
	}
	e->next++;
}

void capgen_evt_num(capgen_evt *e, uint64_t v)
{
	enum ppm_param_type t;
	if(!capgen_evt_expect(e, &t))
		return;
	size_t w = capgen_evt_width(t);
	if(w == 0) {
		capgen_evt_fail(e, "number given for a variable-length parameter");
		return;
	}
	/* Little-endian host: the low w bytes of v are the truncated value. */
	uint8_t tmp[8];
	memcpy(tmp, &v, sizeof(tmp));
	capgen_evt_put(e, tmp, w);
}

void capgen_evt_str(capgen_evt *e, const char *s)
{
	enum ppm_param_type t;
	if(!capgen_evt_expect(e, &t))
		return;
	if(!capgen_evt_is_string(t)) {
		capgen_evt_fail(e, "string given for a non-string parameter");
		return;
	}
	capgen_evt_put(e, s, strlen(s) + 1);
}

void capgen_evt_bytes(capgen_evt *e, const void *p, size_t n)
{
	enum ppm_param_type t;
	if(!capgen_evt_expect(e, &t))
		return;
	if(capgen_evt_width(t) != 0) {
		capgen_evt_fail(e, "bytes given for a fixed-size parameter");
		return;
	}
	capgen_evt_put(e, p, n);
}

void capgen_evt_sockaddr4(capgen_evt *e, uint32_t ip_be, uint16_t port)
{
	enum ppm_param_type t;
	if(!capgen_evt_expect(e, &t))
		return;
	if(t != PT_SOCKADDR) {
		capgen_evt_fail(e, "sockaddr given for a non-sockaddr parameter");
		return;
	}
	/* Driver layout: family byte, address as in memory (network order),
	 * port in host order. */
	uint8_t b[7];
	b[0] = PPM_AF_INET;
	memcpy(b + 1, &ip_be, 4);
	memcpy(b + 5, &port, 2);
	capgen_evt_put(e, b, sizeof(b));
}

void capgen_evt_socktuple4(capgen_evt *e, uint32_t sip_be, uint16_t sport,
			   uint32_t dip_be, uint16_t dport)
{
	enum ppm_param_type t;
	if(!capgen_evt_expect(e, &t))
		return;
	if(t != PT_SOCKTUPLE) {
		capgen_evt_fail(e, "socktuple given for a non-socktuple parameter");
		return;
	}
	uint8_t b[13];
	b[0] = PPM_AF_INET;
	memcpy(b + 1, &sip_be, 4);
	memcpy(b + 5, &sport, 2);
	memcpy(b + 7, &dip_be, 4);
	memcpy(b + 11, &dport, 2);
	capgen_evt_put(e, b, sizeof(b));
}

scap_evt *capgen_evt_end(capgen_evt *e)
{
	if(e->info == NULL && e->err[0] == '\0')
		capgen_evt_fail(e, "no event begun");
	if(e->err[0] == '\0' && e->next != e->nparams)
		capgen_evt_fail(e, "missing parameters");
	if(e->err[0] != '\0')
		return NULL;
	uint32_t len = (uint32_t)e->len;
	memcpy(e->buf + offsetof(struct ppm_evt_hdr, len), &len, sizeof(len));
	return (scap_evt *)e->buf;
}
