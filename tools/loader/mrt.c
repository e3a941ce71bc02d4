/*
 * mrt.c - MRT RIB dump reader (see mrt.h). Written from RFC 6396 (MRT),
 * RFC 8050 (ADD-PATH in MRT), RFC 4271 / RFC 4760 / RFC 1997 / RFC 6793 /
 * RFC 8092 (the BGP attributes).
 *
 * Every read from a record goes through need(), which checks the bytes are
 * inside the record; the record itself is read whole into memory first, so
 * "past the end of the file" shows up as a short record, never a bad read.
 */
#define _GNU_SOURCE 1

#include "mrt.h"
#include "prefix_list.h"
#include "zreader.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MRT_HDR_LEN 12u
#define DEFAULT_MAX_RECORD (64u * 1024u * 1024u)
#define AS_TRANS 23456u

typedef struct mrt_peer {
	rtm_mrt_ip ip;
	uint32_t as;
	uint32_t bgp_id;
} mrt_peer;

/* A decoded AS path under construction. */
typedef struct as_path {
	rtm_mrt_as_seg *segs;
	size_t nsegs, segs_cap;
	uint32_t *asns;
	size_t nasns, asns_cap;
} as_path;

struct rtm_mrt_reader {
	rtm_zreader *z;
	rtm_mrt_opts opts;
	bool failed;
	bool at_end;
	uint64_t next_off;          /* decompressed offset of the next record */

	/* the current record */
	uint8_t *rec;
	size_t rec_cap;
	uint32_t rec_len;
	uint16_t type, subtype;
	uint32_t ts;
	uint64_t rec_off;

	/* the current TABLE_DUMP_V2 RIB record */
	size_t pos;                 /* next entry, as an offset in rec */
	uint32_t entries_left;
	RTM_NET_ADDRESS prefix;
	uint32_t seq;
	bool addpath;

	/* the peer table */
	mrt_peer *peers;
	size_t npeers;
	bool have_peers;

	/* attribute storage, reused for every entry */
	as_path path, path4, merged;
	uint32_t *comms;
	size_t comms_cap;
	rtm_mrt_large_community *lcs;
	size_t lcs_cap;

	rtm_mrt_stats stats;
};

/* ------------------------------------------------------------------------- */
/* errors                                                                     */
/* ------------------------------------------------------------------------- */

static const char *type_name(uint16_t type, uint16_t sub, char *buf, size_t len)
{
	static const char *const td2[] = {
		NULL, "PEER_INDEX_TABLE", "RIB_IPV4_UNICAST", "RIB_IPV4_MULTICAST",
		"RIB_IPV6_UNICAST", "RIB_IPV6_MULTICAST", "RIB_GENERIC", "GEO_PEER_TABLE",
		"RIB_IPV4_UNICAST_ADDPATH", "RIB_IPV4_MULTICAST_ADDPATH",
		"RIB_IPV6_UNICAST_ADDPATH", "RIB_IPV6_MULTICAST_ADDPATH",
		"RIB_GENERIC_ADDPATH",
	};
	if (type == RTM_MRT_TYPE_TABLE_DUMP_V2 && sub < sizeof td2 / sizeof td2[0] && td2[sub])
		snprintf(buf, len, "TABLE_DUMP_V2/%s", td2[sub]);
	else if (type == RTM_MRT_TYPE_TABLE_DUMP && (sub == 1 || sub == 2))
		snprintf(buf, len, "TABLE_DUMP/AFI_%s", sub == 1 ? "IPv4" : "IPv6");
	else
		snprintf(buf, len, "type %u subtype %u", (unsigned)type, (unsigned)sub);
	return buf;
}

/*
 * Fails the reader: "<name>: MRT record at offset R (TYPE): offset O: <text>".
 * body_pos is an offset in the record body, or SIZE_MAX for the whole record.
 */
__attribute__((format(printf, 6, 7)))
static int fail(rtm_mrt_reader *r, int rc, size_t body_pos, char *err, size_t errlen,
		const char *fmt, ...)
{
	r->failed = true;
	if (!err || errlen == 0)
		return rc;
	char tn[64], what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	const char *unit = rtm_zreader_format(r->z) == RTM_ZFORMAT_PLAIN ? ""
			   : " (offsets in the decompressed data)";
	if (body_pos == SIZE_MAX)
		snprintf(err, errlen, "%s: MRT record at offset %" PRIu64 " (%s): %s%s",
			 rtm_zreader_name(r->z), r->rec_off,
			 type_name(r->type, r->subtype, tn, sizeof tn), what, unit);
	else
		snprintf(err, errlen, "%s: MRT record at offset %" PRIu64 " (%s): at offset %" PRIu64
			 ": %s%s", rtm_zreader_name(r->z), r->rec_off,
			 type_name(r->type, r->subtype, tn, sizeof tn),
			 r->rec_off + MRT_HDR_LEN + body_pos, what, unit);
	return rc;
}

/* ------------------------------------------------------------------------- */
/* bounded reads from the current record                                      */
/* ------------------------------------------------------------------------- */

typedef struct cur {
	const uint8_t *p;   /* record body */
	size_t end;         /* limit (<= record length) */
	size_t pos;
} cur;

static bool have(const cur *c, size_t n)
{
	return c->pos <= c->end && c->end - c->pos >= n;
}

static uint8_t get8(cur *c)
{
	return c->p[c->pos++];
}

static uint16_t get16(cur *c)
{
	uint16_t v = (uint16_t)((unsigned)c->p[c->pos] << 8 | c->p[c->pos + 1]);
	c->pos += 2;
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t get32(cur *c)
{
	uint32_t v = rd32(c->p + c->pos);
	c->pos += 4;
	return v;
}

#define NEED(r, c, n, err, errlen, what)                                                    \
	do {                                                                                 \
		if (!have((c), (n)))                                                         \
			return fail((r), -EBADMSG, (c)->pos, (err), (errlen),                \
				    "%s needs %zu byte(s) but only %zu remain", (what),      \
				    (size_t)(n), (c)->end > (c)->pos ? (c)->end - (c)->pos : 0); \
	} while (0)

/* ------------------------------------------------------------------------- */
/* growable arrays                                                            */
/* ------------------------------------------------------------------------- */

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		ncap *= 2;
	}
	void *n = realloc(*arr, ncap * elem);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = ncap;
	return 0;
}

static void path_clear(as_path *p)
{
	p->nsegs = 0;
	p->nasns = 0;
}

static void path_free(as_path *p)
{
	free(p->segs);
	free(p->asns);
	memset(p, 0, sizeof *p);
}

static int path_add_seg(as_path *p, uint8_t type, const uint32_t *asns, uint32_t n)
{
	if (grow((void **)&p->segs, &p->segs_cap, p->nsegs + 1, sizeof *p->segs) ||
	    grow((void **)&p->asns, &p->asns_cap, p->nasns + n, sizeof *p->asns))
		return -ENOMEM;
	rtm_mrt_as_seg *s = &p->segs[p->nsegs++];
	s->type = type;
	s->first = (uint32_t)p->nasns;
	s->count = n;
	if (n)
		memcpy(p->asns + p->nasns, asns, n * sizeof *asns);
	p->nasns += n;
	return 0;
}

/* ------------------------------------------------------------------------- */
/* open / close                                                               */
/* ------------------------------------------------------------------------- */

static int finish_open(rtm_zreader *z, const rtm_mrt_opts *opts, rtm_mrt_reader **out,
		       char *err, size_t errlen)
{
	rtm_mrt_reader *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", rtm_zreader_name(z));
		rtm_zreader_close(z);
		return -ENOMEM;
	}
	r->z = z;
	if (opts)
		r->opts = *opts;
	if (r->opts.max_record_len == 0)
		r->opts.max_record_len = DEFAULT_MAX_RECORD;
	*out = r;
	return 0;
}

int rtm_mrt_open(const char *path, const rtm_mrt_opts *opts, rtm_mrt_reader **out,
		 char *err, size_t errlen)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	rtm_zreader *z;
	int rc = rtm_zreader_open(path, &z, err, errlen);
	if (rc)
		return rc;
	return finish_open(z, opts, out, err, errlen);
}

int rtm_mrt_open_mem(const void *data, size_t len, const char *name, const rtm_mrt_opts *opts,
		     rtm_mrt_reader **out, char *err, size_t errlen)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	rtm_zreader *z;
	int rc = rtm_zreader_open_mem(data, len, name, &z, err, errlen);
	if (rc)
		return rc;
	return finish_open(z, opts, out, err, errlen);
}

void rtm_mrt_close(rtm_mrt_reader *r)
{
	if (!r)
		return;
	rtm_zreader_close(r->z);
	free(r->rec);
	free(r->peers);
	path_free(&r->path);
	path_free(&r->path4);
	path_free(&r->merged);
	free(r->comms);
	free(r->lcs);
	free(r);
}

void rtm_mrt_get_stats(const rtm_mrt_reader *r, rtm_mrt_stats *stats)
{
	*stats = r->stats;
	stats->bytes = r->next_off;
}

/* ------------------------------------------------------------------------- */
/* records                                                                    */
/* ------------------------------------------------------------------------- */

/* Reads the next record into r->rec. 1 = record, 0 = clean end, < 0 error. */
static int read_record(rtm_mrt_reader *r, char *err, size_t errlen)
{
	uint8_t hdr[MRT_HDR_LEN];
	ssize_t n = rtm_zreader_read(r->z, hdr, sizeof hdr, err, errlen);
	if (n < 0) {
		r->failed = true;
		return (int)n;
	}
	r->rec_off = r->next_off;
	if (n == 0)
		return 0;
	if ((size_t)n < sizeof hdr) {
		r->failed = true;
		snprintf(err, errlen,
			 "%s: truncated MRT record header at offset %" PRIu64
			 ": the input ends after %zd of its 12 bytes%s", rtm_zreader_name(r->z),
			 r->rec_off, n,
			 rtm_zreader_format(r->z) == RTM_ZFORMAT_PLAIN ? ""
			 : " (offsets in the decompressed data)");
		return -EBADMSG;
	}
	r->ts = rd32(hdr);
	r->type = (uint16_t)(hdr[4] << 8 | hdr[5]);
	r->subtype = (uint16_t)(hdr[6] << 8 | hdr[7]);
	r->rec_len = rd32(hdr + 8);
	if (r->rec_len > r->opts.max_record_len)
		return fail(r, -E2BIG, SIZE_MAX, err, errlen,
			    "record length %" PRIu32 " exceeds the limit of %" PRIu32 " bytes",
			    r->rec_len, r->opts.max_record_len);
	/* Grow the buffer as the data arrives, so a damaged length costs no more than the input. */
	size_t got = 0;
	while (got < r->rec_len) {
		size_t want = r->rec_len;
		if (want > r->rec_cap) {
			size_t ncap = r->rec_cap ? r->rec_cap : 64 * 1024;
			while (ncap < want && ncap < got + 16u * 1024u * 1024u)
				ncap *= 2;
			if (ncap > want)
				ncap = want;
			uint8_t *nb = realloc(r->rec, ncap);
			if (!nb)
				return fail(r, -ENOMEM, SIZE_MAX, err, errlen, "out of memory");
			r->rec = nb;
			r->rec_cap = ncap;
		}
		size_t chunk = (r->rec_cap < want ? r->rec_cap : want) - got;
		n = rtm_zreader_read(r->z, r->rec + got, chunk, err, errlen);
		if (n < 0) {
			r->failed = true;
			return (int)n;
		}
		got += (size_t)n;
		if ((size_t)n < chunk)
			return fail(r, -EBADMSG, SIZE_MAX, err, errlen,
				    "record length %" PRIu32 " runs past the end of the input "
				    "(only %zu byte(s) follow the header)", r->rec_len, got);
	}
	r->next_off = r->rec_off + MRT_HDR_LEN + r->rec_len;
	r->stats.records++;
	return 1;
}

static bool type_defined(uint16_t type)
{
	/* RFC 6396 section 4 and 6 (0-10 deprecated). */
	return type <= 13 || type == 16 || type == 17 || type == 32 || type == 33 ||
	       type == 48 || type == 49;
}

/* ------------------------------------------------------------------------- */
/* PEER_INDEX_TABLE                                                           */
/* ------------------------------------------------------------------------- */

static int parse_peer_table(rtm_mrt_reader *r, char *err, size_t errlen)
{
	cur c = { r->rec, r->rec_len, 0 };
	NEED(r, &c, 6, err, errlen, "the peer table header");
	c.pos += 4; /* collector BGP id */
	uint16_t namelen = get16(&c);
	NEED(r, &c, namelen, err, errlen, "the view name");
	c.pos += namelen;
	NEED(r, &c, 2, err, errlen, "the peer count");
	uint16_t count = get16(&c);
	mrt_peer *peers = calloc(count ? count : 1, sizeof *peers);
	if (!peers)
		return fail(r, -ENOMEM, SIZE_MAX, err, errlen, "out of memory");
	for (unsigned i = 0; i < count; i++) {
		size_t at = c.pos;
		if (!have(&c, 5)) {
			free(peers);
			return fail(r, -EBADMSG, at, err, errlen,
				    "peer entry %u of %u is cut short (the table has room for %u)",
				    i, (unsigned)count, i);
		}
		uint8_t ptype = get8(&c);
		peers[i].bgp_id = get32(&c);
		size_t alen = (ptype & 1) ? 16 : 4, aslen = (ptype & 2) ? 4 : 2;
		if (!have(&c, alen + aslen)) {
			free(peers);
			return fail(r, -EBADMSG, at, err, errlen,
				    "peer entry %u of %u is cut short (the table has room for %u)",
				    i, (unsigned)count, i);
		}
		peers[i].ip.family = (ptype & 1) ? AF_INET6 : AF_INET;
		memcpy(peers[i].ip.addr, c.p + c.pos, alen);
		c.pos += alen;
		peers[i].as = aslen == 4 ? get32(&c) : get16(&c);
	}
	if (c.pos != c.end) {
		free(peers);
		return fail(r, -EBADMSG, c.pos, err, errlen,
			    "%zu unexpected byte(s) after the %u peer entries", c.end - c.pos,
			    (unsigned)count);
	}
	free(r->peers);
	r->peers = peers;
	r->npeers = count;
	r->have_peers = true;
	r->stats.peer_tables++;
	return 0;
}

/* ------------------------------------------------------------------------- */
/* prefixes                                                                   */
/* ------------------------------------------------------------------------- */

static int get_prefix(rtm_mrt_reader *r, cur *c, int family, RTM_NET_ADDRESS *out, char *err,
		      size_t errlen)
{
	unsigned width = family == AF_INET ? 32 : 128;
	NEED(r, c, 1, err, errlen, "the prefix length");
	size_t at = c->pos;
	unsigned plen = get8(c);
	if (plen > width)
		return fail(r, -EBADMSG, at, err, errlen, "prefix length %u is more than %u", plen,
			    width);
	size_t nb = (plen + 7) / 8;
	NEED(r, c, nb, err, errlen, "the prefix");
	memset(out, 0, sizeof *out);
	out->AddressFamily = (USHORT)family;
	out->NumBits = (USHORT)plen;
	memcpy(out->AddrBits, c->p + c->pos, nb);
	c->pos += nb;
	return 0;
}

/* ------------------------------------------------------------------------- */
/* attributes                                                                 */
/* ------------------------------------------------------------------------- */

static const char *attr_name(unsigned t)
{
	switch (t) {
	case RTM_BGP_ATTR_ORIGIN: return "ORIGIN";
	case RTM_BGP_ATTR_AS_PATH: return "AS_PATH";
	case RTM_BGP_ATTR_NEXT_HOP: return "NEXT_HOP";
	case RTM_BGP_ATTR_MED: return "MULTI_EXIT_DISC";
	case RTM_BGP_ATTR_LOCAL_PREF: return "LOCAL_PREF";
	case RTM_BGP_ATTR_ATOMIC_AGGREGATE: return "ATOMIC_AGGREGATE";
	case RTM_BGP_ATTR_AGGREGATOR: return "AGGREGATOR";
	case RTM_BGP_ATTR_COMMUNITIES: return "COMMUNITIES";
	case RTM_BGP_ATTR_MP_REACH_NLRI: return "MP_REACH_NLRI";
	case RTM_BGP_ATTR_AS4_PATH: return "AS4_PATH";
	case RTM_BGP_ATTR_AS4_AGGREGATOR: return "AS4_AGGREGATOR";
	case RTM_BGP_ATTR_LARGE_COMMUNITY: return "LARGE_COMMUNITY";
	default: return "attribute";
	}
}

/* Decodes AS_PATH / AS4_PATH segments of `asn_size`-byte AS numbers from p[0..len). */
static int decode_path(rtm_mrt_reader *r, as_path *path, size_t at, const uint8_t *p,
		       size_t len, unsigned asn_size, const char *name, char *err, size_t errlen)
{
	path_clear(path);
	size_t i = 0;
	uint32_t tmp[255];
	while (i < len) {
		if (len - i < 2)
			return fail(r, -EBADMSG, at + i, err, errlen,
				    "%s: segment header cut short (%zu byte left)", name, len - i);
		uint8_t type = p[i], n = p[i + 1];
		size_t need = (size_t)n * asn_size;
		if (len - i - 2 < need)
			return fail(r, -EBADMSG, at + i, err, errlen,
				    "%s: segment of %u AS numbers needs %zu bytes but only %zu remain",
				    name, (unsigned)n, need, len - i - 2);
		if (type < RTM_BGP_AS_SET || type > RTM_BGP_AS_CONFED_SET)
			return fail(r, -EBADMSG, at + i, err, errlen, "%s: unknown segment type %u",
				    name, (unsigned)type);
		const uint8_t *q = p + i + 2;
		for (unsigned k = 0; k < n; k++)
			tmp[k] = asn_size == 4 ? rd32(q + 4 * k)
					       : (uint32_t)(q[2 * k] << 8 | q[2 * k + 1]);
		if (path_add_seg(path, type, tmp, n))
			return fail(r, -ENOMEM, SIZE_MAX, err, errlen, "out of memory");
		i += 2 + need;
	}
	return 0;
}

/* Path length for RFC 6793 merging: a set counts 1, confederation segments 0. */
static size_t path_count(const as_path *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nsegs; i++) {
		if (p->segs[i].type == RTM_BGP_AS_SEQUENCE)
			n += p->segs[i].count;
		else if (p->segs[i].type == RTM_BGP_AS_SET)
			n += 1;
	}
	return n;
}

/*
 * RFC 6793 4.2.3: the leading (|AS_PATH| - |AS4_PATH|) ASes of AS_PATH, then
 * AS4_PATH. Result in r->merged. 0 or -ENOMEM.
 */
static int merge_as4(rtm_mrt_reader *r)
{
	as_path *m = &r->merged, *p = &r->path, *p4 = &r->path4;
	path_clear(m);
	size_t keep = path_count(p) - path_count(p4);
	for (size_t i = 0; i < p->nsegs && keep > 0; i++) {
		const rtm_mrt_as_seg *s = &p->segs[i];
		uint32_t n = s->count;
		if (s->type == RTM_BGP_AS_SEQUENCE) {
			if (n > keep)
				n = (uint32_t)keep;
			keep -= n;
		} else if (s->type == RTM_BGP_AS_SET) {
			keep -= 1;
		}
		if (path_add_seg(m, s->type, p->asns + s->first, n))
			return -ENOMEM;
	}
	for (size_t i = 0; i < p4->nsegs; i++) {
		const rtm_mrt_as_seg *s = &p4->segs[i];
		if (s->type == RTM_BGP_AS_CONFED_SEQUENCE || s->type == RTM_BGP_AS_CONFED_SET)
			continue;
		if (path_add_seg(m, s->type, p4->asns + s->first, s->count))
			return -ENOMEM;
	}
	return 0;
}

static void set_ip(rtm_mrt_ip *ip, const uint8_t *p, size_t len)
{
	memset(ip, 0, sizeof *ip);
	ip->family = len == 4 ? AF_INET : AF_INET6;
	memcpy(ip->addr, p, len);
}

/*
 * Decodes the attributes in rec[start, start+len). asn_size: 4 for
 * TABLE_DUMP_V2, 2 for TABLE_DUMP (which also merges AS4_* in).
 */
static int decode_attrs(rtm_mrt_reader *r, size_t start, size_t len, unsigned asn_size,
			rtm_mrt_attrs *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof *a);
	a->origin = RTM_BGP_ORIGIN_INCOMPLETE;
	path_clear(&r->path);
	path_clear(&r->path4);
	size_t ncomm = 0, nlc = 0;
	uint32_t as4_aggr_as = 0;
	uint8_t as4_aggr_ip[4] = { 0 };

	cur c = { r->rec, start + len, start };
	while (c.pos < c.end) {
		size_t at = c.pos;
		NEED(r, &c, 3, err, errlen, "an attribute header");
		uint8_t flags = get8(&c), type = get8(&c);
		size_t alen;
		if (flags & 0x10) {
			NEED(r, &c, 2, err, errlen, "an extended attribute length");
			alen = get16(&c);
		} else {
			alen = get8(&c);
		}
		if (!have(&c, alen))
			return fail(r, -EBADMSG, at, err, errlen,
				    "%s (type %u) length %zu overruns the attributes (%zu byte(s) left)",
				    attr_name(type), (unsigned)type, alen, c.end - c.pos);
		const uint8_t *v = c.p + c.pos;
		size_t vat = c.pos;
		c.pos += alen;

#define BADLEN(cond)                                                                         \
	if (cond)                                                                            \
	return fail(r, -EBADMSG, at, err, errlen, "%s with bad length %zu", attr_name(type), alen)

		switch (type) {
		case RTM_BGP_ATTR_ORIGIN:
			BADLEN(alen != 1);
			a->origin = v[0];
			a->present |= RTM_MRT_HAS_ORIGIN;
			break;
		case RTM_BGP_ATTR_AS_PATH: {
			int rc = decode_path(r, &r->path, vat, v, alen, asn_size, "AS_PATH", err, errlen);
			if (rc)
				return rc;
			a->present |= RTM_MRT_HAS_AS_PATH;
			break;
		}
		case RTM_BGP_ATTR_AS4_PATH: {
			int rc = decode_path(r, &r->path4, vat, v, alen, 4, "AS4_PATH", err, errlen);
			if (rc)
				return rc;
			a->present |= RTM_MRT_HAS_AS4_PATH;
			break;
		}
		case RTM_BGP_ATTR_NEXT_HOP:
			BADLEN(alen != 4);
			set_ip(&a->next_hop, v, 4);
			a->present |= RTM_MRT_HAS_NEXT_HOP;
			break;
		case RTM_BGP_ATTR_MED:
			BADLEN(alen != 4);
			a->med = rd32(v);
			a->present |= RTM_MRT_HAS_MED;
			break;
		case RTM_BGP_ATTR_LOCAL_PREF:
			BADLEN(alen != 4);
			a->local_pref = rd32(v);
			a->present |= RTM_MRT_HAS_LOCAL_PREF;
			break;
		case RTM_BGP_ATTR_ATOMIC_AGGREGATE:
			a->present |= RTM_MRT_HAS_ATOMIC_AGGREGATE;
			break;
		case RTM_BGP_ATTR_AGGREGATOR:
			BADLEN(alen != 6 && alen != 8);
			if (alen == 8) {
				a->aggregator_as = rd32(v);
				memcpy(a->aggregator_ip, v + 4, 4);
			} else {
				a->aggregator_as = (uint32_t)(v[0] << 8 | v[1]);
				memcpy(a->aggregator_ip, v + 2, 4);
			}
			a->present |= RTM_MRT_HAS_AGGREGATOR;
			break;
		case RTM_BGP_ATTR_AS4_AGGREGATOR:
			BADLEN(alen != 8);
			as4_aggr_as = rd32(v);
			memcpy(as4_aggr_ip, v + 4, 4);
			a->present |= RTM_MRT_HAS_AS4_AGGREGATOR;
			break;
		case RTM_BGP_ATTR_COMMUNITIES:
			BADLEN(alen % 4 != 0);
			ncomm = 0;
			if (grow((void **)&r->comms, &r->comms_cap, alen / 4 + 1, sizeof *r->comms))
				return fail(r, -ENOMEM, SIZE_MAX, err, errlen, "out of memory");
			for (size_t k = 0; k < alen / 4; k++)
				r->comms[ncomm++] = rd32(v + 4 * k);
			a->present |= RTM_MRT_HAS_COMMUNITIES;
			break;
		case RTM_BGP_ATTR_LARGE_COMMUNITY:
			BADLEN(alen % 12 != 0);
			nlc = 0;
			if (grow((void **)&r->lcs, &r->lcs_cap, alen / 12 + 1, sizeof *r->lcs))
				return fail(r, -ENOMEM, SIZE_MAX, err, errlen, "out of memory");
			for (size_t k = 0; k < alen / 12; k++) {
				r->lcs[nlc].global = rd32(v + 12 * k);
				r->lcs[nlc].local1 = rd32(v + 12 * k + 4);
				r->lcs[nlc].local2 = rd32(v + 12 * k + 8);
				nlc++;
			}
			a->present |= RTM_MRT_HAS_LARGE_COMMUNITIES;
			break;
		case RTM_BGP_ATTR_MP_REACH_NLRI: {
			/*
			 * RFC 6396 4.3.4 keeps only "next hop length, next hop" in RIB
			 * entries; many writers store the full RFC 4760 form (AFI, SAFI,
			 * length, next hop, reserved, NLRI). The short form is recognised
			 * by its first byte being the rest's length.
			 */
			const uint8_t *nh;
			size_t nhlen;
			if (alen >= 1 && v[0] == alen - 1) {
				nhlen = v[0];
				nh = v + 1;
			} else {
				if (alen < 4)
					return fail(r, -EBADMSG, at, err, errlen,
						    "MP_REACH_NLRI too short (%zu bytes)", alen);
				nhlen = v[3];
				nh = v + 4;
				if (nhlen > alen - 4)
					return fail(r, -EBADMSG, vat + 3, err, errlen,
						    "MP_REACH_NLRI next hop length %zu overruns the attribute (%zu bytes left)",
						    nhlen, alen - 4);
			}
			memset(&a->mp_next_hop, 0, sizeof a->mp_next_hop);
			memset(&a->mp_next_hop_ll, 0, sizeof a->mp_next_hop_ll);
			if (nhlen == 4 || nhlen == 16 || nhlen == 32) {
				set_ip(&a->mp_next_hop, nh, nhlen == 4 ? 4 : 16);
				if (nhlen == 32)
					set_ip(&a->mp_next_hop_ll, nh + 16, 16);
				a->present |= RTM_MRT_HAS_MP_NEXT_HOP;
			}
			break;
		}
		default:
			break; /* not needed here */
		}
#undef BADLEN
	}

	/* The AS path, with AS4_PATH / AS4_AGGREGATOR merged for 2-byte (TABLE_DUMP) data. */
	const as_path *eff = &r->path;
	if (asn_size == 2) {
		bool use_as4 = true;
		if ((a->present & RTM_MRT_HAS_AGGREGATOR) && a->aggregator_as != AS_TRANS)
			use_as4 = false; /* RFC 6793: then both AS4_* attributes are ignored */
		if (use_as4 && (a->present & RTM_MRT_HAS_AS4_AGGREGATOR) &&
		    (a->present & RTM_MRT_HAS_AGGREGATOR)) {
			a->aggregator_as = as4_aggr_as;
			memcpy(a->aggregator_ip, as4_aggr_ip, 4);
		}
		if (use_as4 && (a->present & RTM_MRT_HAS_AS4_PATH) &&
		    (a->present & RTM_MRT_HAS_AS_PATH) && path_count(&r->path) >= path_count(&r->path4)) {
			if (merge_as4(r))
				return fail(r, -ENOMEM, SIZE_MAX, err, errlen, "out of memory");
			eff = &r->merged;
		}
	}
	a->segs = eff->segs;
	a->nsegs = eff->nsegs;
	a->asns = eff->asns;
	a->nasns = eff->nasns;
	a->communities = r->comms;
	a->ncommunities = ncomm;
	a->large_communities = r->lcs;
	a->nlarge_communities = nlc;
	return 0;
}

/* ------------------------------------------------------------------------- */
/* RIB records                                                                */
/* ------------------------------------------------------------------------- */

static int start_rib(rtm_mrt_reader *r, char *err, size_t errlen)
{
	if (!r->have_peers)
		return fail(r, -EBADMSG, SIZE_MAX, err, errlen,
			    "RIB record before any PEER_INDEX_TABLE");
	int family = (r->subtype == RTM_MRT_TD2_RIB_IPV4_UNICAST ||
		      r->subtype == RTM_MRT_TD2_RIB_IPV4_UNICAST_ADDPATH) ? AF_INET : AF_INET6;
	r->addpath = r->subtype >= RTM_MRT_TD2_RIB_IPV4_UNICAST_ADDPATH;
	cur c = { r->rec, r->rec_len, 0 };
	NEED(r, &c, 4, err, errlen, "the sequence number");
	r->seq = get32(&c);
	int rc = get_prefix(r, &c, family, &r->prefix, err, errlen);
	if (rc)
		return rc;
	NEED(r, &c, 2, err, errlen, "the entry count");
	r->entries_left = get16(&c);
	r->pos = c.pos;
	r->stats.rib_records++;
	if (r->entries_left == 0 && c.pos != c.end)
		return fail(r, -EBADMSG, c.pos, err, errlen,
			    "%zu unexpected byte(s) after the last RIB entry", c.end - c.pos);
	return 0;
}

static int next_entry(rtm_mrt_reader *r, rtm_mrt_route *rt, char *err, size_t errlen)
{
	cur c = { r->rec, r->rec_len, r->pos };
	memset(rt, 0, sizeof *rt);
	rt->entry_offset = r->rec_off + MRT_HDR_LEN + c.pos;
	NEED(r, &c, r->addpath ? 12 : 8, err, errlen, "a RIB entry header");
	size_t at = c.pos;
	uint16_t pi = get16(&c);
	if (pi >= r->npeers)
		return fail(r, -EBADMSG, at, err, errlen,
			    "peer index %u is out of range (the peer table has %zu peers)",
			    (unsigned)pi, r->npeers);
	rt->originated = get32(&c);
	if (r->addpath) {
		rt->has_path_id = 1;
		rt->path_id = get32(&c);
	}
	uint16_t alen = get16(&c);
	if (!have(&c, alen))
		return fail(r, -EBADMSG, c.pos - 2, err, errlen,
			    "attribute length %u overruns the record (%zu byte(s) left)",
			    (unsigned)alen, c.end - c.pos);
	int rc = decode_attrs(r, c.pos, alen, 4, &rt->attrs, err, errlen);
	if (rc)
		return rc;
	c.pos += alen;
	r->pos = c.pos;
	r->entries_left--;
	if (r->entries_left == 0 && c.pos != c.end)
		return fail(r, -EBADMSG, c.pos, err, errlen,
			    "%zu unexpected byte(s) after the last RIB entry", c.end - c.pos);

	rt->kind = r->addpath ? RTM_MRT_KIND_TABLE_DUMP_V2_ADDPATH : RTM_MRT_KIND_TABLE_DUMP_V2;
	rt->subtype = r->subtype;
	rt->timestamp = r->ts;
	rt->prefix = r->prefix;
	rt->sequence = r->seq;
	rt->peer_index = pi;
	rt->peer_ip = r->peers[pi].ip;
	rt->peer_as = r->peers[pi].as;
	rt->peer_bgp_id = r->peers[pi].bgp_id;
	rt->record_offset = r->rec_off;
	return 0;
}

/* A legacy TABLE_DUMP record: exactly one RIB entry. */
static int parse_td1(rtm_mrt_reader *r, rtm_mrt_route *rt, char *err, size_t errlen)
{
	int family = r->subtype == RTM_MRT_TD_AFI_IPV4 ? AF_INET : AF_INET6;
	size_t alen_ip = family == AF_INET ? 4 : 16;
	unsigned width = family == AF_INET ? 32 : 128;
	cur c = { r->rec, r->rec_len, 0 };
	memset(rt, 0, sizeof *rt);
	NEED(r, &c, 4 + alen_ip + 6 + alen_ip + 4, err, errlen, "the TABLE_DUMP entry");
	rt->view = get16(&c);
	rt->sequence = get16(&c);
	rt->prefix.AddressFamily = (USHORT)family;
	memcpy(rt->prefix.AddrBits, c.p + c.pos, alen_ip);
	c.pos += alen_ip;
	size_t at = c.pos;
	unsigned plen = get8(&c);
	if (plen > width)
		return fail(r, -EBADMSG, at, err, errlen, "prefix length %u is more than %u", plen,
			    width);
	rt->prefix.NumBits = (USHORT)plen;
	rt->status = get8(&c);
	rt->originated = get32(&c);
	set_ip(&rt->peer_ip, c.p + c.pos, alen_ip);
	c.pos += alen_ip;
	rt->peer_as = get16(&c);
	uint16_t alen = get16(&c);
	if (!have(&c, alen))
		return fail(r, -EBADMSG, c.pos - 2, err, errlen,
			    "attribute length %u overruns the record (%zu byte(s) left)",
			    (unsigned)alen, c.end - c.pos);
	if (c.end - c.pos != alen)
		return fail(r, -EBADMSG, c.pos + alen, err, errlen,
			    "%zu unexpected byte(s) after the attributes", c.end - c.pos - alen);
	rt->entry_offset = r->rec_off;
	int rc = decode_attrs(r, c.pos, alen, 2, &rt->attrs, err, errlen);
	if (rc)
		return rc;
	rt->kind = RTM_MRT_KIND_TABLE_DUMP;
	rt->subtype = r->subtype;
	rt->timestamp = r->ts;
	rt->record_offset = r->rec_off;
	r->stats.rib_records++;
	return 0;
}

int rtm_mrt_next(rtm_mrt_reader *r, rtm_mrt_route *route, char *err, size_t errlen)
{
	if (!r || !route) {
		if (err && errlen)
			snprintf(err, errlen, "invalid argument");
		return -EINVAL;
	}
	if (r->failed) {
		if (err && errlen)
			snprintf(err, errlen, "%s: reader stopped by an earlier error",
				 rtm_zreader_name(r->z));
		return -EBADMSG;
	}
	for (;;) {
		if (r->entries_left > 0) {
			int rc = next_entry(r, route, err, errlen);
			if (rc)
				return rc;
			r->stats.routes++;
			return 1;
		}
		if (r->at_end)
			return 0;
		int rc = read_record(r, err, errlen);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			r->at_end = true;
			return 0;
		}
		if (r->type == RTM_MRT_TYPE_TABLE_DUMP_V2) {
			switch (r->subtype) {
			case RTM_MRT_TD2_PEER_INDEX_TABLE:
				rc = parse_peer_table(r, err, errlen);
				if (rc)
					return rc;
				continue;
			case RTM_MRT_TD2_RIB_IPV4_UNICAST:
			case RTM_MRT_TD2_RIB_IPV6_UNICAST:
			case RTM_MRT_TD2_RIB_IPV4_UNICAST_ADDPATH:
			case RTM_MRT_TD2_RIB_IPV6_UNICAST_ADDPATH:
				rc = start_rib(r, err, errlen);
				if (rc)
					return rc;
				continue;
			default:
				if (r->subtype >= 1 && r->subtype <= RTM_MRT_TD2_RIB_GENERIC_ADDPATH) {
					r->stats.skipped_records++;
					continue;
				}
				break; /* unknown subtype */
			}
		} else if (r->type == RTM_MRT_TYPE_TABLE_DUMP) {
			if (r->subtype == RTM_MRT_TD_AFI_IPV4 || r->subtype == RTM_MRT_TD_AFI_IPV6) {
				rc = parse_td1(r, route, err, errlen);
				if (rc)
					return rc;
				r->stats.routes++;
				return 1;
			}
			/* unknown subtype */
		} else if (type_defined(r->type)) {
			r->stats.skipped_records++;
			continue;
		}
		if (r->opts.flags & RTM_MRT_SKIP_UNKNOWN) {
			r->stats.unknown_records++;
			continue;
		}
		return fail(r, -EBADMSG, SIZE_MAX, err, errlen,
			    "unknown MRT type/subtype (record length %" PRIu32 ")", r->rec_len);
	}
}

/* ------------------------------------------------------------------------- */
/* bgpdump -m text                                                            */
/* ------------------------------------------------------------------------- */

void rtm_mrt_text_free(rtm_mrt_text *t)
{
	if (!t)
		return;
	free(t->s);
	t->s = NULL;
	t->len = t->cap = 0;
}

static int tx_reserve(rtm_mrt_text *t, size_t more)
{
	if (t->len + more + 1 <= t->cap)
		return 0;
	size_t need = t->len + more + 1;
	return grow((void **)&t->s, &t->cap, need < 256 ? 256 : need, 1);
}

static int tx_put(rtm_mrt_text *t, const char *s, size_t n)
{
	if (tx_reserve(t, n))
		return -ENOMEM;
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
	return 0;
}

static int tx_str(rtm_mrt_text *t, const char *s)
{
	return tx_put(t, s, strlen(s));
}

static int tx_u32(rtm_mrt_text *t, uint32_t v)
{
	char b[12];
	size_t i = sizeof b;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return tx_put(t, b + i, sizeof b - i);
}

static int tx_ip(rtm_mrt_text *t, const rtm_mrt_ip *ip)
{
	char b[INET6_ADDRSTRLEN];
	if (ip->family != AF_INET && ip->family != AF_INET6)
		return tx_str(t, "");
	if (!inet_ntop(ip->family, ip->addr, b, sizeof b))
		return tx_str(t, "?");
	return tx_str(t, b);
}

int rtm_mrt_format_as_path(const rtm_mrt_attrs *a, rtm_mrt_text *t)
{
	int rc = 0;
	for (size_t i = 0; i < a->nsegs && !rc; i++) {
		const rtm_mrt_as_seg *s = &a->segs[i];
		const char *open = "", *close = "", *sep = " ";
		switch (s->type) {
		case RTM_BGP_AS_SET: open = "{"; close = "}"; sep = ","; break;
		case RTM_BGP_AS_CONFED_SEQUENCE: open = "("; close = ")"; break;
		case RTM_BGP_AS_CONFED_SET: open = "["; close = "]"; sep = ","; break;
		default: break;
		}
		if (i > 0)
			rc |= tx_put(t, " ", 1);
		rc |= tx_str(t, open);
		for (uint32_t k = 0; k < s->count; k++) {
			if (k)
				rc |= tx_str(t, sep);
			rc |= tx_u32(t, a->asns[s->first + k]);
		}
		rc |= tx_str(t, close);
	}
	return rc ? -ENOMEM : 0;
}

uint32_t rtm_mrt_origin_as(const rtm_mrt_attrs *a)
{
	if (a->nsegs == 0)
		return 0;
	const rtm_mrt_as_seg *s = &a->segs[a->nsegs - 1];
	if (s->type != RTM_BGP_AS_SEQUENCE || s->count == 0)
		return 0;
	return a->asns[s->first + s->count - 1];
}

void rtm_mrt_ip_to_net(const rtm_mrt_ip *ip, RTM_NET_ADDRESS *out)
{
	memset(out, 0, sizeof *out);
	out->AddressFamily = ip->family;
	out->NumBits = (USHORT)(ip->family == AF_INET ? 32 : ip->family == AF_INET6 ? 128 : 0);
	memcpy(out->AddrBits, ip->addr, ip->family == AF_INET ? 4 : 16);
}

int rtm_mrt_format_bgpdump(const rtm_mrt_route *rt, rtm_mrt_text *t)
{
	const rtm_mrt_attrs *a = &rt->attrs;
	char pfx[RTM_PREFIX_STRLEN];
	int rc = 0;
	t->len = 0;
	if (tx_reserve(t, 256))
		return -ENOMEM;
	t->s[0] = '\0';

	switch (rt->kind) {
	case RTM_MRT_KIND_TABLE_DUMP: rc |= tx_str(t, "TABLE_DUMP|"); break;
	case RTM_MRT_KIND_TABLE_DUMP_V2: rc |= tx_str(t, "TABLE_DUMP2|"); break;
	default: rc |= tx_str(t, "TABLE_DUMP2_AP|"); break;
	}
	rc |= tx_u32(t, rt->timestamp);
	rc |= tx_str(t, "|B|");
	rc |= tx_ip(t, &rt->peer_ip);
	rc |= tx_put(t, "|", 1);
	rc |= tx_u32(t, rt->peer_as);
	rc |= tx_put(t, "|", 1);
	rc |= tx_str(t, rtm_prefix_format(&rt->prefix, pfx, sizeof pfx));
	rc |= tx_put(t, "|", 1);
	if (rt->has_path_id) {
		rc |= tx_u32(t, rt->path_id);
		rc |= tx_put(t, "|", 1);
	}
	rc |= rtm_mrt_format_as_path(a, t);
	rc |= tx_put(t, "|", 1);
	rc |= tx_str(t, a->origin == RTM_BGP_ORIGIN_IGP ? "IGP"
			: a->origin == RTM_BGP_ORIGIN_EGP ? "EGP" : "INCOMPLETE");
	rc |= tx_put(t, "|", 1);

	/*
	 * Next hop: for an IPv6 prefix the MP_REACH_NLRI one, else the NEXT_HOP
	 * attribute; an entry with neither prints 255.255.255.255, as bgpdump does.
	 */
	const rtm_mrt_ip *nh = NULL;
	bool mp = a->present & RTM_MRT_HAS_MP_NEXT_HOP, v4 = a->present & RTM_MRT_HAS_NEXT_HOP;
	if (rt->prefix.AddressFamily == AF_INET6)
		nh = mp ? &a->mp_next_hop : v4 ? &a->next_hop : NULL;
	else
		nh = v4 ? &a->next_hop : mp ? &a->mp_next_hop : NULL;
	if (nh)
		rc |= tx_ip(t, nh);
	else
		rc |= tx_str(t, "255.255.255.255");
	rc |= tx_put(t, "|", 1);
	rc |= tx_u32(t, a->local_pref);
	rc |= tx_put(t, "|", 1);
	rc |= tx_u32(t, a->med);
	rc |= tx_put(t, "|", 1);
	for (size_t i = 0; i < a->ncommunities; i++) {
		uint32_t v = a->communities[i];
		if (i)
			rc |= tx_put(t, " ", 1);
		if (v == 0xFFFFFF01u)
			rc |= tx_str(t, "no-export");
		else if (v == 0xFFFFFF02u)
			rc |= tx_str(t, "no-advertise");
		else if (v == 0xFFFFFF03u)
			rc |= tx_str(t, "no-export-subconfed");
		else {
			rc |= tx_u32(t, v >> 16);
			rc |= tx_put(t, ":", 1);
			rc |= tx_u32(t, v & 0xFFFFu);
		}
	}
	rc |= tx_put(t, "|", 1);
	rc |= tx_str(t, (a->present & RTM_MRT_HAS_ATOMIC_AGGREGATE) ? "AG|" : "NAG|");
	if (a->present & RTM_MRT_HAS_AGGREGATOR) {
		rtm_mrt_ip ip;
		set_ip(&ip, a->aggregator_ip, 4);
		rc |= tx_u32(t, a->aggregator_as);
		rc |= tx_put(t, " ", 1);
		rc |= tx_ip(t, &ip);
	}
	rc |= tx_str(t, "|\n");
	return rc ? -ENOMEM : 0;
}
