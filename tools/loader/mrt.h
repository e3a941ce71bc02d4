/*
 * mrt.h - read RIB dumps in MRT format (RFC 6396, with RFC 8050 ADD-PATH).
 *
 * Part of the tools layer (static library rtm_loader). Input goes through
 * zreader, so it may be plain, gzip, bzip2 or xz (by magic bytes).
 *
 * What is read:
 *
 *   TABLE_DUMP (type 12)      subtypes AFI_IPv4 (1) and AFI_IPv6 (2). BGP
 *                             attributes use 2-byte AS numbers; AS4_PATH and
 *                             AS4_AGGREGATOR are merged in (RFC 6793 4.2.3).
 *   TABLE_DUMP_V2 (type 13)   PEER_INDEX_TABLE (1), RIB_IPV4_UNICAST (2),
 *                             RIB_IPV6_UNICAST (4), RIB_IPV4_UNICAST_ADDPATH (8),
 *                             RIB_IPV6_UNICAST_ADDPATH (10). Attributes use
 *                             4-byte AS numbers (RFC 6396 4.3.4).
 *
 * Records of the other types and subtypes that RFC 6396 / RFC 8050 define
 * (BGP4MP, OSPF, multicast and generic RIBs, the geo peer table, ...) are
 * skipped and counted. A type or subtype no RFC defines is an error unless
 * RTM_MRT_SKIP_UNKNOWN is given.
 *
 * Every RIB entry (one prefix as seen from one peer, and with ADD-PATH one
 * path id) comes out as one rtm_mrt_route. Pointers in a route point into
 * the reader and stay valid until the next rtm_mrt_next() or rtm_mrt_close().
 *
 * Errors: functions return 0 (or 1, see rtm_mrt_next) or a negative errno
 * value, with a one-line message in the caller's buffer naming the input and
 * the byte offset (in the decompressed MRT stream) of the record and of the
 * faulty field:
 *
 *   -EBADMSG   malformed MRT: record past the end of the input, bad lengths,
 *              attribute lengths overrunning, bad prefix length, peer index
 *              out of range, RIB record before any PEER_INDEX_TABLE, unknown
 *              type; also corrupt or truncated compressed data
 *   -E2BIG     a record longer than the limit (max_record_len)
 *   -ENOTSUP   compressed input of a format the build cannot read
 *   -ENOMEM, -ENOENT, -EACCES, -EIO, ...
 *
 * After an error the reader cannot continue (rtm_mrt_next keeps failing).
 */
#ifndef RTM_TOOLS_MRT_H
#define RTM_TOOLS_MRT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rtmv2.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MRT types and subtypes used here (RFC 6396, RFC 8050). */
enum {
	RTM_MRT_TYPE_TABLE_DUMP = 12,
	RTM_MRT_TYPE_TABLE_DUMP_V2 = 13,

	RTM_MRT_TD_AFI_IPV4 = 1,
	RTM_MRT_TD_AFI_IPV6 = 2,

	RTM_MRT_TD2_PEER_INDEX_TABLE = 1,
	RTM_MRT_TD2_RIB_IPV4_UNICAST = 2,
	RTM_MRT_TD2_RIB_IPV4_MULTICAST = 3,
	RTM_MRT_TD2_RIB_IPV6_UNICAST = 4,
	RTM_MRT_TD2_RIB_IPV6_MULTICAST = 5,
	RTM_MRT_TD2_RIB_GENERIC = 6,
	RTM_MRT_TD2_GEO_PEER_TABLE = 7,
	RTM_MRT_TD2_RIB_IPV4_UNICAST_ADDPATH = 8,
	RTM_MRT_TD2_RIB_IPV4_MULTICAST_ADDPATH = 9,
	RTM_MRT_TD2_RIB_IPV6_UNICAST_ADDPATH = 10,
	RTM_MRT_TD2_RIB_IPV6_MULTICAST_ADDPATH = 11,
	RTM_MRT_TD2_RIB_GENERIC_ADDPATH = 12,
};

/* BGP path attribute type codes used here. */
enum {
	RTM_BGP_ATTR_ORIGIN = 1,
	RTM_BGP_ATTR_AS_PATH = 2,
	RTM_BGP_ATTR_NEXT_HOP = 3,
	RTM_BGP_ATTR_MED = 4,
	RTM_BGP_ATTR_LOCAL_PREF = 5,
	RTM_BGP_ATTR_ATOMIC_AGGREGATE = 6,
	RTM_BGP_ATTR_AGGREGATOR = 7,
	RTM_BGP_ATTR_COMMUNITIES = 8,
	RTM_BGP_ATTR_MP_REACH_NLRI = 14,
	RTM_BGP_ATTR_AS4_PATH = 17,
	RTM_BGP_ATTR_AS4_AGGREGATOR = 18,
	RTM_BGP_ATTR_LARGE_COMMUNITY = 32,
};

/* AS_PATH segment types. */
enum {
	RTM_BGP_AS_SET = 1,
	RTM_BGP_AS_SEQUENCE = 2,
	RTM_BGP_AS_CONFED_SEQUENCE = 3,
	RTM_BGP_AS_CONFED_SET = 4,
};

/* ORIGIN values; RTM_BGP_ORIGIN_INCOMPLETE is also what a route without ORIGIN reports. */
enum {
	RTM_BGP_ORIGIN_IGP = 0,
	RTM_BGP_ORIGIN_EGP = 1,
	RTM_BGP_ORIGIN_INCOMPLETE = 2,
};

/* Bits of rtm_mrt_attrs.present: which attributes the entry carried. */
enum {
	RTM_MRT_HAS_ORIGIN = 1u << 0,
	RTM_MRT_HAS_AS_PATH = 1u << 1,
	RTM_MRT_HAS_NEXT_HOP = 1u << 2,
	RTM_MRT_HAS_MED = 1u << 3,
	RTM_MRT_HAS_LOCAL_PREF = 1u << 4,
	RTM_MRT_HAS_ATOMIC_AGGREGATE = 1u << 5,
	RTM_MRT_HAS_AGGREGATOR = 1u << 6,
	RTM_MRT_HAS_COMMUNITIES = 1u << 7,
	RTM_MRT_HAS_MP_NEXT_HOP = 1u << 8,
	RTM_MRT_HAS_AS4_PATH = 1u << 9,           /* seen (merged into the path for TABLE_DUMP) */
	RTM_MRT_HAS_AS4_AGGREGATOR = 1u << 10,    /* seen (merged for TABLE_DUMP) */
	RTM_MRT_HAS_LARGE_COMMUNITIES = 1u << 11,
};

/* An IPv4 or IPv6 address: family AF_INET / AF_INET6, bytes in network order. */
typedef struct rtm_mrt_ip {
	uint16_t family;       /* 0 = none */
	uint8_t addr[16];      /* 4 or 16 bytes used */
} rtm_mrt_ip;

/* One AS_PATH segment: `count` AS numbers starting at asns[first] of the path. */
typedef struct rtm_mrt_as_seg {
	uint8_t type;          /* RTM_BGP_AS_* (other values are kept as read) */
	uint32_t first;
	uint32_t count;
} rtm_mrt_as_seg;

typedef struct rtm_mrt_large_community {
	uint32_t global, local1, local2;
} rtm_mrt_large_community;

typedef struct rtm_mrt_attrs {
	unsigned present;              /* RTM_MRT_HAS_* */
	uint8_t origin;                /* RTM_BGP_ORIGIN_*; INCOMPLETE if absent */
	/* The effective AS path (for TABLE_DUMP after AS4_PATH merging). */
	const rtm_mrt_as_seg *segs;
	size_t nsegs;
	const uint32_t *asns;
	size_t nasns;
	rtm_mrt_ip next_hop;           /* NEXT_HOP attribute (IPv4) */
	rtm_mrt_ip mp_next_hop;        /* MP_REACH_NLRI next hop (first, global address) */
	rtm_mrt_ip mp_next_hop_ll;     /* second (link-local) IPv6 next hop, if any */
	uint32_t med;                  /* 0 if absent */
	uint32_t local_pref;           /* 0 if absent */
	uint32_t aggregator_as;        /* effective (AS4_AGGREGATOR merged for TABLE_DUMP) */
	uint8_t aggregator_ip[4];
	const uint32_t *communities;   /* host order, as read */
	size_t ncommunities;
	const rtm_mrt_large_community *large_communities;
	size_t nlarge_communities;
} rtm_mrt_attrs;

/* Where a route came from. */
typedef enum rtm_mrt_kind {
	RTM_MRT_KIND_TABLE_DUMP = 1,        /* legacy TABLE_DUMP ("TABLE_DUMP" lines) */
	RTM_MRT_KIND_TABLE_DUMP_V2,         /* TABLE_DUMP_V2 ("TABLE_DUMP2") */
	RTM_MRT_KIND_TABLE_DUMP_V2_ADDPATH, /* TABLE_DUMP_V2 *_ADDPATH ("TABLE_DUMP2_AP") */
} rtm_mrt_kind;

typedef struct rtm_mrt_route {
	rtm_mrt_kind kind;
	uint16_t subtype;             /* MRT subtype of the record */
	uint32_t timestamp;           /* MRT record header time (what bgpdump prints) */
	uint32_t originated;          /* originated time of the RIB entry */
	RTM_NET_ADDRESS prefix;       /* AF_INET / AF_INET6, bits as stored in the file */
	uint32_t sequence;            /* TABLE_DUMP_V2 sequence / TABLE_DUMP sequence */
	uint16_t peer_index;          /* TABLE_DUMP_V2 index into the peer table (else 0) */
	rtm_mrt_ip peer_ip;
	uint32_t peer_as;
	uint32_t peer_bgp_id;         /* BGP identifier (host order); 0 for TABLE_DUMP */
	int has_path_id;              /* ADD-PATH entry */
	uint32_t path_id;
	uint16_t view;                /* TABLE_DUMP view number */
	uint8_t status;               /* TABLE_DUMP status */
	uint64_t record_offset;       /* offset of the MRT record in the decompressed stream */
	uint64_t entry_offset;        /* offset of this RIB entry */
	rtm_mrt_attrs attrs;
} rtm_mrt_route;

/* Option flags. */
enum {
	/* Skip records of types / subtypes no RFC defines instead of failing. */
	RTM_MRT_SKIP_UNKNOWN = 1u << 0,
};

typedef struct rtm_mrt_opts {
	unsigned flags;              /* RTM_MRT_* */
	uint32_t max_record_len;     /* longest accepted MRT record body; 0 = default (64 MiB) */
} rtm_mrt_opts;

typedef struct rtm_mrt_stats {
	uint64_t records;            /* MRT records read */
	uint64_t peer_tables;        /* PEER_INDEX_TABLE records */
	uint64_t rib_records;        /* RIB records decoded */
	uint64_t routes;             /* routes returned */
	uint64_t skipped_records;    /* records of other (valid) types/subtypes */
	uint64_t unknown_records;    /* undefined types skipped with RTM_MRT_SKIP_UNKNOWN */
	uint64_t bytes;              /* decompressed bytes consumed */
} rtm_mrt_stats;

typedef struct rtm_mrt_reader rtm_mrt_reader;

/* Opens a file ("-" = standard input). `opts` may be NULL. */
int rtm_mrt_open(const char *path, const rtm_mrt_opts *opts, rtm_mrt_reader **out,
		 char *err, size_t errlen);

/* The same for bytes in memory (MRT or compressed MRT; not copied). */
int rtm_mrt_open_mem(const void *data, size_t len, const char *name, const rtm_mrt_opts *opts,
		     rtm_mrt_reader **out, char *err, size_t errlen);

/*
 * Fills *route with the next RIB entry. Returns 1 for a route, 0 at the clean
 * end of the input, or a negative errno value with a message.
 */
int rtm_mrt_next(rtm_mrt_reader *r, rtm_mrt_route *route, char *err, size_t errlen);

/* Counters so far. */
void rtm_mrt_get_stats(const rtm_mrt_reader *r, rtm_mrt_stats *stats);

void rtm_mrt_close(rtm_mrt_reader *r);

/*
 * A growable text buffer for the formatter below. Zero-initialise it
 * (RTM_MRT_TEXT_INIT); free with rtm_mrt_text_free.
 */
typedef struct rtm_mrt_text {
	char *s;        /* NUL-terminated */
	size_t len;
	size_t cap;
} rtm_mrt_text;
#define RTM_MRT_TEXT_INIT { NULL, 0, 0 }
void rtm_mrt_text_free(rtm_mrt_text *t);

/*
 * Formats a route as one `bgpdump -m` line, with the final LF, replacing the
 * contents of *t:
 *
 *   TABLE_DUMP2|time|B|peer ip|peer as|prefix|as path|origin|next hop|local pref|med|
 *   communities|AG or NAG|aggregator as and ip|
 *
 * (TABLE_DUMP for legacy records; TABLE_DUMP2_AP with the path id after the prefix
 * for ADD-PATH records). Returns 0 or -ENOMEM.
 */
int rtm_mrt_format_bgpdump(const rtm_mrt_route *route, rtm_mrt_text *t);

/* The AS path alone, as bgpdump prints it ("1 2 {3,4}"), appended to *t. 0 or -ENOMEM. */
int rtm_mrt_format_as_path(const rtm_mrt_attrs *attrs, rtm_mrt_text *t);

/* The origin AS: the last AS of a final AS_SEQUENCE, or 0 if there is none. */
uint32_t rtm_mrt_origin_as(const rtm_mrt_attrs *attrs);

/* Converts an address to RTM_NET_ADDRESS with NumBits = the full width. */
void rtm_mrt_ip_to_net(const rtm_mrt_ip *ip, RTM_NET_ADDRESS *out);

#ifdef __cplusplus
}
#endif

#endif /* RTM_TOOLS_MRT_H */
