/*
 * bgpdump_text.c - `bgpdump -m` text reader (see bgpdump_text.h).
 */
#define _GNU_SOURCE 1

#include "bgpdump_text.h"
#include "prefix_list.h"
#include "zreader.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DEFAULT_MAX_LINE (1024u * 1024u)
#define CHUNK (64u * 1024u)
#define MAX_FIELDS 17

struct rtm_bgpdump_reader {
	rtm_zreader *z;
	rtm_bgpdump_opts opts;
	uint8_t *chunk;
	size_t chunk_len, chunk_pos;
	bool eof;
	bool failed;
	char *line;
	size_t line_len, line_cap;
	uint64_t lineno;
	rtm_bgpdump_stats stats;
};

__attribute__((format(printf, 3, 4)))
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Copies s[0..len) into out as printable text, shortened with "..." */
static const char *printable(const char *s, size_t len, char *out, size_t outlen)
{
	size_t max = outlen - 4, n = 0;
	for (size_t i = 0; i < len && n < max; i++) {
		unsigned char c = (unsigned char)s[i];
		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (len > max) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

/* ------------------------------------------------------------------------- */
/* field parsers                                                              */
/* ------------------------------------------------------------------------- */

typedef struct field {
	const char *s;
	size_t len;
} field;

static bool parse_u32(field f, uint32_t *out)
{
	if (f.len == 0 || f.len > 10)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < f.len; i++) {
		if (f.s[i] < '0' || f.s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(f.s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool parse_ip(field f, rtm_mrt_ip *out)
{
	char buf[INET6_ADDRSTRLEN + 1];
	memset(out, 0, sizeof *out);
	if (f.len == 0 || f.len >= sizeof buf)
		return false;
	memcpy(buf, f.s, f.len);
	buf[f.len] = '\0';
	if (memchr(buf, ':', f.len)) {
		if (inet_pton(AF_INET6, buf, out->addr) != 1)
			return false;
		out->family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, buf, out->addr) != 1)
			return false;
		out->family = AF_INET;
	}
	return true;
}

static bool field_is(field f, const char *s)
{
	return f.len == strlen(s) && memcmp(f.s, s, f.len) == 0;
}

/*
 * Checks an AS path: numbers separated by single blanks, with "{a,b}",
 * "[a,b]" set and "(a b)" confederation segments. Sets *origin_as to the last
 * number if the path ends in a plain sequence.
 */
static bool check_as_path(field f, uint32_t *origin_as)
{
	size_t i = 0;
	uint32_t last = 0;
	bool last_plain = false;
	*origin_as = 0;
	while (i < f.len) {
		if (i > 0) {
			if (f.s[i] != ' ')
				return false;
			i++;
		}
		char close = 0, sep = ' ';
		if (i < f.len && (f.s[i] == '{' || f.s[i] == '[' || f.s[i] == '(')) {
			close = f.s[i] == '{' ? '}' : f.s[i] == '[' ? ']' : ')';
			sep = f.s[i] == '(' ? ' ' : ',';
			i++;
		}
		for (;;) {
			size_t st = i;
			while (i < f.len && f.s[i] >= '0' && f.s[i] <= '9')
				i++;
			field num = { f.s + st, i - st };
			if (!parse_u32(num, &last))
				return false;
			if (!close)
				break;
			if (i < f.len && f.s[i] == close) {
				i++;
				break;
			}
			if (i >= f.len || f.s[i] != sep)
				return false;
			i++;
		}
		last_plain = close == 0;
	}
	if (last_plain)
		*origin_as = last;
	return true;
}

/* Communities: blank-separated "a:b" (16-bit each) or the well-known names. */
static bool check_communities(field f)
{
	size_t i = 0;
	while (i < f.len) {
		if (i > 0) {
			if (f.s[i] != ' ')
				return false;
			i++;
		}
		size_t st = i;
		while (i < f.len && f.s[i] != ' ')
			i++;
		field w = { f.s + st, i - st };
		if (field_is(w, "no-export") || field_is(w, "no-advertise") ||
		    field_is(w, "no-export-subconfed"))
			continue;
		const char *colon = memchr(w.s, ':', w.len);
		uint32_t a, b;
		if (!colon)
			return false;
		field fa = { w.s, (size_t)(colon - w.s) };
		field fb = { colon + 1, w.len - fa.len - 1 };
		if (!parse_u32(fa, &a) || !parse_u32(fb, &b) || a > 0xFFFF || b > 0xFFFF)
			return false;
	}
	return true;
}

int rtm_bgpdump_parse_line(const char *line, size_t len, rtm_bgpdump_route *out, char *err,
			   size_t errlen)
{
	char show[96];
	field f[MAX_FIELDS + 1];
	size_t nf = 0, st = 0;
	if (!line || !out) {
		seterr(err, errlen, "invalid argument");
		return -EINVAL;
	}
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == '|') {
			if (nf == MAX_FIELDS + 1) {
				seterr(err, errlen, "too many '|'-separated fields");
				return -EINVAL;
			}
			f[nf].s = line + st;
			f[nf].len = i - st;
			nf++;
			st = i + 1;
		} else if (line[i] == '\0') {
			seterr(err, errlen, "NUL byte in the line");
			return -EINVAL;
		}
	}
	size_t want;
	if (field_is(f[0], "TABLE_DUMP")) {
		out->kind = RTM_MRT_KIND_TABLE_DUMP;
		want = 14;
	} else if (field_is(f[0], "TABLE_DUMP2")) {
		out->kind = RTM_MRT_KIND_TABLE_DUMP_V2;
		want = 14;
	} else if (field_is(f[0], "TABLE_DUMP2_AP")) {
		out->kind = RTM_MRT_KIND_TABLE_DUMP_V2_ADDPATH;
		want = 15;
	} else {
		seterr(err, errlen, "not a TABLE_DUMP line (kind \"%s\")",
		       printable(f[0].s, f[0].len, show, sizeof show));
		return -ENOENT;
	}
	/* The line normally ends in '|', giving one more (empty) field. */
	if (nf == want + 1 && f[want].len == 0)
		nf = want;
	if (nf != want) {
		seterr(err, errlen, "%zu fields, want %zu for %s", nf, want,
		       printable(f[0].s, f[0].len, show, sizeof show));
		return -EINVAL;
	}
	size_t k = 1;
#define BAD(what)                                                                            \
	do {                                                                                 \
		seterr(err, errlen, "field %zu: bad %s \"%s\"", k + 1, what,                 \
		       printable(f[k].s, f[k].len, show, sizeof show));                      \
		return -EINVAL;                                                              \
	} while (0)

	if (!parse_u32(f[k], &out->timestamp))
		BAD("time");
	k++;
	if (!field_is(f[k], "B"))
		BAD("entry type (want \"B\")");
	k++;
	if (!parse_ip(f[k], &out->peer_ip))
		BAD("peer address");
	k++;
	if (!parse_u32(f[k], &out->peer_as))
		BAD("peer AS");
	k++;
	int host_bits;
	char perr[128];
	if (rtm_prefix_parse(f[k].s, f[k].len, &out->prefix, &host_bits, perr, sizeof perr) != 0)
		BAD("prefix");
	k++;
	if (out->kind == RTM_MRT_KIND_TABLE_DUMP_V2_ADDPATH) {
		if (!parse_u32(f[k], &out->path_id))
			BAD("path id");
		out->has_path_id = 1;
		k++;
	}
	if (!check_as_path(f[k], &out->origin_as))
		BAD("AS path");
	out->as_path = f[k].s;
	out->as_path_len = f[k].len;
	k++;
	if (field_is(f[k], "IGP"))
		out->origin = RTM_BGP_ORIGIN_IGP;
	else if (field_is(f[k], "EGP"))
		out->origin = RTM_BGP_ORIGIN_EGP;
	else if (field_is(f[k], "INCOMPLETE"))
		out->origin = RTM_BGP_ORIGIN_INCOMPLETE;
	else
		BAD("origin (want IGP, EGP or INCOMPLETE)");
	k++;
	if (!parse_ip(f[k], &out->next_hop))
		BAD("next hop");
	k++;
	if (!parse_u32(f[k], &out->local_pref))
		BAD("local preference");
	k++;
	if (!parse_u32(f[k], &out->med))
		BAD("MED");
	k++;
	if (!check_communities(f[k]))
		BAD("communities");
	out->communities = f[k].s;
	out->communities_len = f[k].len;
	k++;
	if (field_is(f[k], "AG"))
		out->atomic_aggregate = 1;
	else if (!field_is(f[k], "NAG"))
		BAD("atomic aggregate (want AG or NAG)");
	k++;
	if (f[k].len) {
		const char *sp = memchr(f[k].s, ' ', f[k].len);
		field fa = { f[k].s, sp ? (size_t)(sp - f[k].s) : f[k].len };
		field fi = { sp ? sp + 1 : f[k].s, sp ? f[k].len - fa.len - 1 : 0 };
		if (!sp || !parse_u32(fa, &out->aggregator_as) ||
		    !parse_ip(fi, &out->aggregator_ip) || out->aggregator_ip.family != AF_INET)
			BAD("aggregator (want \"AS a.b.c.d\")");
		out->has_aggregator = 1;
	}
#undef BAD
	return 0;
}

/* ------------------------------------------------------------------------- */
/* reader                                                                     */
/* ------------------------------------------------------------------------- */

static int finish_open(rtm_zreader *z, const rtm_bgpdump_opts *opts, rtm_bgpdump_reader **out,
		       char *err, size_t errlen)
{
	rtm_bgpdump_reader *r = calloc(1, sizeof *r);
	if (!r || !(r->chunk = malloc(CHUNK))) {
		free(r);
		seterr(err, errlen, "%s: out of memory", rtm_zreader_name(z));
		rtm_zreader_close(z);
		return -ENOMEM;
	}
	r->z = z;
	if (opts)
		r->opts = *opts;
	if (r->opts.max_line_len == 0)
		r->opts.max_line_len = DEFAULT_MAX_LINE;
	*out = r;
	return 0;
}

int rtm_bgpdump_open(const char *path, const rtm_bgpdump_opts *opts, rtm_bgpdump_reader **out,
		     char *err, size_t errlen)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	rtm_zreader *z;
	int rc = rtm_zreader_open(path, &z, err, errlen);
	return rc ? rc : finish_open(z, opts, out, err, errlen);
}

int rtm_bgpdump_open_mem(const void *data, size_t len, const char *name,
			 const rtm_bgpdump_opts *opts, rtm_bgpdump_reader **out, char *err,
			 size_t errlen)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	rtm_zreader *z;
	int rc = rtm_zreader_open_mem(data, len, name, &z, err, errlen);
	return rc ? rc : finish_open(z, opts, out, err, errlen);
}

void rtm_bgpdump_close(rtm_bgpdump_reader *r)
{
	if (!r)
		return;
	rtm_zreader_close(r->z);
	free(r->chunk);
	free(r->line);
	free(r);
}

void rtm_bgpdump_get_stats(const rtm_bgpdump_reader *r, rtm_bgpdump_stats *stats)
{
	*stats = r->stats;
}

/* Reads the next line into r->line (without LF / CR). 1 = line, 0 = end, < 0 error. */
static int read_line(rtm_bgpdump_reader *r, char *err, size_t errlen)
{
	r->line_len = 0;
	bool any = false;
	for (;;) {
		if (r->chunk_pos == r->chunk_len) {
			if (r->eof)
				break;
			ssize_t n = rtm_zreader_read(r->z, r->chunk, CHUNK, err, errlen);
			if (n < 0)
				return (int)n;
			r->chunk_len = (size_t)n;
			r->chunk_pos = 0;
			if (n == 0) {
				r->eof = true;
				break;
			}
		}
		any = true;
		const uint8_t *s = r->chunk + r->chunk_pos;
		size_t avail = r->chunk_len - r->chunk_pos;
		const uint8_t *nl = memchr(s, '\n', avail);
		size_t take = nl ? (size_t)(nl - s) : avail;
		if (r->line_len + take > r->opts.max_line_len + 1) {
			seterr(err, errlen, "%s:%" PRIu64 ": line longer than %zu bytes",
			       rtm_zreader_name(r->z), r->lineno + 1, r->opts.max_line_len);
			return -E2BIG;
		}
		if (r->line_len + take + 1 > r->line_cap) {
			size_t ncap = r->line_cap ? r->line_cap : 4096;
			while (ncap < r->line_len + take + 1)
				ncap *= 2;
			char *nb = realloc(r->line, ncap);
			if (!nb) {
				seterr(err, errlen, "%s: out of memory", rtm_zreader_name(r->z));
				return -ENOMEM;
			}
			r->line = nb;
			r->line_cap = ncap;
		}
		memcpy(r->line + r->line_len, s, take);
		r->line_len += take;
		r->chunk_pos += take + (nl ? 1 : 0);
		if (nl)
			break;
	}
	if (!any)
		return 0;
	r->lineno++;
	if (r->line_len && r->line[r->line_len - 1] == '\r')
		r->line_len--;
	if (r->line_len > r->opts.max_line_len) {
		seterr(err, errlen, "%s:%" PRIu64 ": line longer than %zu bytes",
		       rtm_zreader_name(r->z), r->lineno, r->opts.max_line_len);
		return -E2BIG;
	}
	r->line[r->line_len] = '\0';
	return 1;
}

int rtm_bgpdump_next(rtm_bgpdump_reader *r, rtm_bgpdump_route *route, char *err, size_t errlen)
{
	if (!r || !route) {
		seterr(err, errlen, "invalid argument");
		return -EINVAL;
	}
	if (r->failed) {
		seterr(err, errlen, "%s: reader stopped by an earlier error", rtm_zreader_name(r->z));
		return -EINVAL;
	}
	for (;;) {
		int rc = read_line(r, err, errlen);
		if (rc < 0) {
			r->failed = true;
			return rc;
		}
		if (rc == 0)
			return 0;
		r->stats.lines++;
		size_t i = 0;
		while (i < r->line_len && (r->line[i] == ' ' || r->line[i] == '\t'))
			i++;
		if (i == r->line_len) {
			r->stats.blank++;
			continue;
		}
		char why[256];
		rc = rtm_bgpdump_parse_line(r->line, r->line_len, route, why, sizeof why);
		if (rc == -ENOENT && (r->opts.flags & RTM_BGPDUMP_SKIP_OTHER)) {
			r->stats.skipped_other++;
			continue;
		}
		if (rc) {
			r->failed = true;
			seterr(err, errlen, "%s:%" PRIu64 ": %s", rtm_zreader_name(r->z), r->lineno,
			       why);
			return rc == -ENOENT ? -EINVAL : rc;
		}
		route->line = r->lineno;
		r->stats.routes++;
		return 1;
	}
}
