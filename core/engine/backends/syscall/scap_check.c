#include "engine/backends/syscall/scap_check.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "scap.h"

/* Block types of libscap's savefile format (scap_savefile.h, not installed
 * as a public header in every packaging). */
#define SCAP_CHECK_EV 0x204u
#define SCAP_CHECK_EV_INT 0x8010ABCDu
#define SCAP_CHECK_EV_V2 0x216u
#define SCAP_CHECK_EV_V2_LARGE 0x221u
#define SCAP_CHECK_EVF 0x208u
#define SCAP_CHECK_EVF_V2 0x217u
#define SCAP_CHECK_EVF_V2_LARGE 0x222u

/* The largest block this check reads; libscap itself refuses larger ones
 * of the non-large types and caps the large ones by memory. */
#define SCAP_CHECK_MAX_BLOCK (64u << 20)

/* ppm_evt_hdr on file: ts(8) tid(8) len(4) type(2) [nparams(4), v2 only]. */
#define SCAP_CHECK_HDR_V1 22u
#define SCAP_CHECK_HDR_V2 26u

static bool scap_check_is_event(uint32_t t, bool *v2, bool *large, bool *flags)
{
	*v2 = t == SCAP_CHECK_EV_V2 || t == SCAP_CHECK_EV_V2_LARGE || t == SCAP_CHECK_EVF_V2 || t == SCAP_CHECK_EVF_V2_LARGE;
	*large = t == SCAP_CHECK_EV_V2_LARGE || t == SCAP_CHECK_EVF_V2_LARGE;
	*flags = t == SCAP_CHECK_EVF || t == SCAP_CHECK_EVF_V2 || t == SCAP_CHECK_EVF_V2_LARGE;
	return *v2 || t == SCAP_CHECK_EV || t == SCAP_CHECK_EV_INT || t == SCAP_CHECK_EVF;
}

static uint32_t scap_check_u32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t scap_check_u16(const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* Checks one event block body (after the 8-byte block header, `n` bytes
 * without the trailing length copy). Returns NULL or what is wrong. */
static const char *scap_check_event(const unsigned char *b, size_t n, bool v2, bool large, bool flags, char *why,
				    size_t whylen)
{
	size_t off = 2 + (flags ? 4 : 0); /* cpuid, dump flags */
	size_t hdr = v2 ? SCAP_CHECK_HDR_V2 : SCAP_CHECK_HDR_V1;
	if (n < off + hdr)
		return "the event header does not fit in its block";
	const unsigned char *e = b + off;
	uint32_t len = scap_check_u32(e + 16);
	uint16_t type = scap_check_u16(e + 20);
	/* v1 events grow by the 4-byte count when libscap converts them. */
	if (len > n - off + (v2 ? 0 : 4))
		return "the event length exceeds its block";
	if (!v2 || type >= PPM_EVENT_MAX)
		return NULL; /* libscap converts v1 events, and skips unknown types */
	uint32_t nparams = scap_check_u32(e + 22);
	const struct ppm_event_info *info = &scap_get_event_info_table()[type];
	if (nparams > info->nparams) {
		snprintf(why, whylen, "event type %u has %" PRIu32 " parameters, the event table %" PRIu32, type,
			 nparams, info->nparams);
		return why;
	}
	size_t lsz = large ? 4 : 2;
	if (len < hdr || (len - hdr) / lsz < nparams)
		return "the parameter lengths do not fit in the event";
	uint64_t total = hdr + (uint64_t)nparams * lsz;
	for (uint32_t i = 0; i < nparams; i++)
		total += large ? scap_check_u32(e + hdr + i * 4) : scap_check_u16(e + hdr + i * 2);
	if (total != len) {
		snprintf(why, whylen, "parameter lengths add up to %" PRIu64 " bytes, the event has %" PRIu32, total, len);
		return why;
	}
	return NULL;
}

int scap_check_file(const char *path, uint64_t *nevents, char *err, size_t errlen)
{
	if (nevents)
		*nevents = 0;
	gzFile f = gzopen(path, "rb");
	if (!f)
		return 0;
	unsigned char *buf = NULL;
	size_t cap = 0;
	uint64_t off = 0, count = 0;
	int rc = 0;
	for (;;) {
		unsigned char bh[8];
		if (gzread(f, bh, sizeof(bh)) != (int)sizeof(bh))
			break;
		uint32_t type = scap_check_u32(bh), total = scap_check_u32(bh + 4);
		if (total < 12 || total > SCAP_CHECK_MAX_BLOCK)
			break; /* libscap reports bad block lengths itself */
		size_t body = total - 8;
		if (body > cap) {
			unsigned char *nb = realloc(buf, body);
			if (!nb)
				break;
			buf = nb;
			cap = body;
		}
		if (gzread(f, buf, (unsigned)body) != (int)body)
			break;
		bool v2, large, flags;
		if (scap_check_is_event(type, &v2, &large, &flags)) {
			char why[160];
			const char *bad = scap_check_event(buf, body - 4, v2, large, flags, why, sizeof(why));
			count++;
			if (bad) {
				if (errlen)
					snprintf(err, errlen, "event block at offset %" PRIu64 " is malformed: %s", off, bad);
				rc = -1;
				break;
			}
		}
		off += total;
	}
	gzclose(f);
	free(buf);
	if (nevents)
		*nevents = count;
	return rc;
}
