/*
 * bgpdump_text.h - read routes from `bgpdump -m` text output.
 *
 * Part of the tools layer (static library rtm_loader). Input goes through
 * zreader, so the text may be plain, gzip, bzip2 or xz (by magic bytes).
 * One route per line, fields separated by '|':
 *
 *   TABLE_DUMP2|1277971181|B|203.119.104.1|4608|1.0.0.0/24|4608 1221 4637 15169|IGP|
 *   203.119.104.1|0|0||NAG||
 *
 *   1 kind      TABLE_DUMP, TABLE_DUMP2 or TABLE_DUMP2_AP (ADD-PATH: one more
 *               field, the path id, after the prefix)
 *   2 time      unix time (decimal, 32-bit)
 *   3 "B"
 *   4 peer IP   IPv4 or IPv6
 *   5 peer AS   decimal, 32-bit
 *   6 prefix    addr/len (host bits kept as written)
 *   7 AS path   AS numbers separated by blanks; sets "{1,2}", confederation
 *               segments "(1 2)" and "[1,2]"; may be empty
 *   8 origin    IGP, EGP or INCOMPLETE
 *   9 next hop  IPv4 or IPv6
 *  10 local pref, 11 MED   decimal, 32-bit
 *  12 communities          "65000:1 no-export ..." (may be empty)
 *  13 AG or NAG            atomic aggregate
 *  14 aggregator           "AS IPv4" or empty
 *
 * The line ends with a '|' after field 14 (as bgpdump writes it; a line
 * without it is accepted too). A CR before the LF is ignored; blank lines are
 * skipped. Lines of other kinds (BGP4MP updates, STATE changes, ...) are an
 * error unless RTM_BGPDUMP_SKIP_OTHER is given.
 *
 * Errors: 0 / 1 or a negative errno with a message "file:line: reason":
 *   -EINVAL    malformed line; -E2BIG line longer than max_line_len;
 *   -EBADMSG / -ENOTSUP / -ENOMEM / -ENOENT / -EIO ... as zreader.h.
 */
#ifndef RTM_TOOLS_BGPDUMP_TEXT_H
#define RTM_TOOLS_BGPDUMP_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include <rtmv2.h>

#include "mrt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_bgpdump_route {
	rtm_mrt_kind kind;          /* as in mrt.h: TABLE_DUMP / TABLE_DUMP2 / TABLE_DUMP2_AP */
	uint32_t timestamp;
	rtm_mrt_ip peer_ip;
	uint32_t peer_as;
	RTM_NET_ADDRESS prefix;
	int has_path_id;
	uint32_t path_id;
	const char *as_path;        /* field text (not NUL-terminated), valid until the next call */
	size_t as_path_len;
	uint32_t origin_as;         /* last AS of a path ending in a plain sequence, else 0 */
	uint8_t origin;             /* RTM_BGP_ORIGIN_* */
	rtm_mrt_ip next_hop;
	uint32_t local_pref;
	uint32_t med;
	const char *communities;    /* field text */
	size_t communities_len;
	int atomic_aggregate;       /* 1 for AG */
	int has_aggregator;
	uint32_t aggregator_as;
	rtm_mrt_ip aggregator_ip;
	uint64_t line;              /* line number (1-based; 0 from rtm_bgpdump_parse_line) */
} rtm_bgpdump_route;

enum {
	/* Skip (and count) lines whose first field is not a TABLE_DUMP kind. */
	RTM_BGPDUMP_SKIP_OTHER = 1u << 0,
};

typedef struct rtm_bgpdump_opts {
	unsigned flags;             /* RTM_BGPDUMP_* */
	size_t max_line_len;        /* without the LF; 0 = default (1 MiB) */
} rtm_bgpdump_opts;

typedef struct rtm_bgpdump_stats {
	uint64_t lines;
	uint64_t routes;
	uint64_t blank;
	uint64_t skipped_other;
} rtm_bgpdump_stats;

typedef struct rtm_bgpdump_reader rtm_bgpdump_reader;

int rtm_bgpdump_open(const char *path, const rtm_bgpdump_opts *opts, rtm_bgpdump_reader **out,
		     char *err, size_t errlen);
int rtm_bgpdump_open_mem(const void *data, size_t len, const char *name,
			 const rtm_bgpdump_opts *opts, rtm_bgpdump_reader **out, char *err,
			 size_t errlen);

/* 1 = a route in *route, 0 = end of input, < 0 = error ("file:line: ..."). */
int rtm_bgpdump_next(rtm_bgpdump_reader *r, rtm_bgpdump_route *route, char *err, size_t errlen);

void rtm_bgpdump_get_stats(const rtm_bgpdump_reader *r, rtm_bgpdump_stats *stats);
void rtm_bgpdump_close(rtm_bgpdump_reader *r);

/*
 * Parses one line of exactly `len` bytes (no LF). Pointers in *out point into
 * `line`. 0, -EINVAL (malformed) or -ENOENT (a non-TABLE_DUMP kind); the
 * message (without file and line) goes to err.
 */
int rtm_bgpdump_parse_line(const char *line, size_t len, rtm_bgpdump_route *out, char *err,
			   size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* RTM_TOOLS_BGPDUMP_TEXT_H */
