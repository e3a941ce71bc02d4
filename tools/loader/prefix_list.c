/*
 * prefix_list.c - plain / xz prefix-list loader (see prefix_list.h).
 */
#define _GNU_SOURCE 1

#include "prefix_list.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef RTM_LOADER_NO_LZMA
#include <lzma.h>
#endif

#define DEFAULT_MAX_LINE 4096u
#define DEFAULT_WARN_LIMIT 10u
#define CHUNK (64u * 1024u)

/* ------------------------------------------------------------------------- */
/* small helpers                                                              */
/* ------------------------------------------------------------------------- */

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

/* Copies at most max bytes of s into out as printable text (others become '?'). */
static const char *printable(const char *s, size_t len, char *out, size_t outlen)
{
	size_t max = outlen - 4, n = 0;
	for (size_t i = 0; i < len && n < max; i++) {
		unsigned char c = (unsigned char)s[i];
		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (len > max) {
		out[n++] = '.';
		out[n++] = '.';
		out[n++] = '.';
	}
	out[n] = '\0';
	return out;
}

unsigned rtm_prefix_family_bits(unsigned family)
{
	if (family == AF_INET)
		return 32;
	if (family == AF_INET6)
		return 128;
	return 0;
}

void rtm_prefix_mask(RTM_NET_ADDRESS *addr)
{
	unsigned width = rtm_prefix_family_bits(addr->AddressFamily);
	unsigned nb = addr->NumBits;
	if (nb > width)
		nb = width;
	unsigned full = nb / 8, rem = nb % 8;
	if (rem) {
		addr->AddrBits[full] &= (unsigned char)(0xFFu << (8 - rem));
		full++;
	}
	if (full < RTM_MAX_ADDRESS_SIZE)
		memset(addr->AddrBits + full, 0, RTM_MAX_ADDRESS_SIZE - full);
}

static bool has_host_bits(const RTM_NET_ADDRESS *addr)
{
	RTM_NET_ADDRESS m = *addr;
	rtm_prefix_mask(&m);
	return memcmp(m.AddrBits, addr->AddrBits, RTM_MAX_ADDRESS_SIZE) != 0;
}

char *rtm_prefix_format(const RTM_NET_ADDRESS *addr, char *buf, size_t buflen)
{
	char a[INET6_ADDRSTRLEN];
	if (!buf || buflen == 0)
		return buf;
	if (addr->AddressFamily == AF_INET || addr->AddressFamily == AF_INET6) {
		int af = addr->AddressFamily == AF_INET ? AF_INET : AF_INET6;
		if (!inet_ntop(af, addr->AddrBits, a, sizeof a))
			snprintf(a, sizeof a, "?");
		snprintf(buf, buflen, "%s/%u", a, (unsigned)addr->NumBits);
	} else {
		snprintf(buf, buflen, "af=%u/%u", (unsigned)addr->AddressFamily,
			 (unsigned)addr->NumBits);
	}
	return buf;
}

int rtm_prefix_list_push(rtm_prefix_list *list, const RTM_NET_ADDRESS *addr)
{
	if (list->count == list->capacity) {
		size_t ncap = list->capacity ? list->capacity * 2 : 1024;
		if (ncap < list->capacity || ncap > SIZE_MAX / sizeof(RTM_NET_ADDRESS))
			return -ENOMEM;
		RTM_NET_ADDRESS *n = realloc(list->items, ncap * sizeof(RTM_NET_ADDRESS));
		if (!n)
			return -ENOMEM;
		list->items = n;
		list->capacity = ncap;
	}
	list->items[list->count++] = *addr;
	return 0;
}

void rtm_prefix_list_free(rtm_prefix_list *list)
{
	if (!list)
		return;
	free(list->items);
	list->items = NULL;
	list->count = list->capacity = 0;
}

/* ------------------------------------------------------------------------- */
/* parsing one prefix                                                         */
/* ------------------------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Strict dotted quad: exactly four decimal parts 0..255, no leading zeros, no blanks. */
static bool parse_ipv4(const char *s, size_t len, unsigned char out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < len && is_digit(s[i]) && i - start < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
		}
		size_t nd = i - start;
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && s[start] == '0'))
			return false;
		out[part] = (unsigned char)v;
	}
	return i == len;
}

static bool parse_ipv6(const char *s, size_t len, unsigned char out[16])
{
	char buf[INET6_ADDRSTRLEN + 1];
	if (len == 0 || len >= sizeof buf)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
		      c == ':' || c == '.'))
			return false;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, out) == 1;
}

int rtm_prefix_parse(const char *text, size_t len, RTM_NET_ADDRESS *out, int *host_bits,
		     char *err, size_t errlen)
{
	if (!text || !out) {
		seterr(err, errlen, "invalid argument");
		return -EINVAL;
	}
	const char *slash = memchr(text, '/', len);
	if (!slash) {
		seterr(err, errlen, "missing prefix length (\"/len\")");
		return -EINVAL;
	}
	size_t alen = (size_t)(slash - text);
	const char *ls = slash + 1;
	size_t llen = len - alen - 1;

	RTM_NET_ADDRESS a;
	memset(&a, 0, sizeof a);
	unsigned width;
	if (memchr(text, ':', alen)) {
		if (!parse_ipv6(text, alen, a.AddrBits)) {
			seterr(err, errlen, "bad IPv6 address");
			return -EINVAL;
		}
		a.AddressFamily = AF_INET6;
		width = 128;
	} else {
		if (!parse_ipv4(text, alen, a.AddrBits)) {
			seterr(err, errlen, "bad IPv4 address");
			return -EINVAL;
		}
		a.AddressFamily = AF_INET;
		width = 32;
	}

	if (llen == 0) {
		seterr(err, errlen, "missing prefix length after '/'");
		return -EINVAL;
	}
	unsigned v = 0;
	for (size_t i = 0; i < llen; i++) {
		if (!is_digit(ls[i]) || i >= 3) {
			seterr(err, errlen, "bad prefix length");
			return -EINVAL;
		}
		v = v * 10 + (unsigned)(ls[i] - '0');
	}
	if (llen > 1 && ls[0] == '0') {
		seterr(err, errlen, "bad prefix length (leading zero)");
		return -EINVAL;
	}
	if (v > width) {
		seterr(err, errlen, "prefix length /%u is longer than the %u bits of an IPv%d address",
		       v, width, width == 32 ? 4 : 6);
		return -EINVAL;
	}
	a.NumBits = (USHORT)v;
	if (host_bits)
		*host_bits = has_host_bits(&a) ? 1 : 0;
	*out = a;
	return 0;
}

/* ------------------------------------------------------------------------- */
/* input: plain or xz, from a FILE or from memory                             */
/* ------------------------------------------------------------------------- */

static const unsigned char XZ_MAGIC[6] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
static const unsigned char GZ_MAGIC[2] = { 0x1F, 0x8B };

struct source {
	const char *name;
	FILE *fp;                 /* NULL for memory input */
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	bool raw_eof;             /* no more raw bytes */
	bool compressed;
	bool done;                /* no more text */
	uint64_t bytes_in;
	unsigned char *rawbuf;    /* CHUNK bytes */
	size_t raw_len, raw_pos;  /* pending raw bytes: rawbuf[raw_pos..raw_len) */
#ifndef RTM_LOADER_NO_LZMA
	lzma_stream strm;
	bool strm_init;
#endif
};

/* Refills rawbuf when it is empty. Returns 0 or -errno. */
static int raw_fill(struct source *src, char *err, size_t errlen)
{
	if (src->raw_pos < src->raw_len || src->raw_eof)
		return 0;
	src->raw_pos = src->raw_len = 0;
	if (src->fp) {
		size_t n = fread(src->rawbuf, 1, CHUNK, src->fp);
		if (n < CHUNK) {
			if (ferror(src->fp)) {
				int e = errno ? errno : EIO;
				seterr(err, errlen, "%s: read error at byte offset %" PRIu64 ": %s",
				       src->name, src->bytes_in, strerror(e));
				return -e;
			}
			src->raw_eof = true;
		}
		src->raw_len = n;
	} else {
		size_t n = src->mem_len - src->mem_pos;
		if (n > CHUNK)
			n = CHUNK;
		memcpy(src->rawbuf, src->mem + src->mem_pos, n);
		src->mem_pos += n;
		src->raw_len = n;
		if (src->mem_pos == src->mem_len)
			src->raw_eof = true;
	}
	src->bytes_in += src->raw_len;
	return 0;
}

#ifndef RTM_LOADER_NO_LZMA
static const char *lzma_msg(lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR: return "out of memory";
	case LZMA_MEMLIMIT_ERROR: return "memory limit exceeded";
	case LZMA_FORMAT_ERROR: return "not an xz stream";
	case LZMA_OPTIONS_ERROR: return "unsupported xz options";
	case LZMA_DATA_ERROR: return "compressed data is corrupt";
	case LZMA_BUF_ERROR: return "compressed data is truncated";
	default: return "xz decoder error";
	}
}
#endif

/*
 * Reads up to cap bytes of text into buf. *got = 0 means end of input.
 * Returns 0 or -errno with a message.
 */
static int text_read(struct source *src, unsigned char *buf, size_t cap, size_t *got,
		     char *err, size_t errlen)
{
	*got = 0;
	if (src->done)
		return 0;
	if (!src->compressed) {
		int rc = raw_fill(src, err, errlen);
		if (rc)
			return rc;
		size_t n = src->raw_len - src->raw_pos;
		if (n == 0) {
			src->done = true;
			return 0;
		}
		if (n > cap)
			n = cap;
		memcpy(buf, src->rawbuf + src->raw_pos, n);
		src->raw_pos += n;
		*got = n;
		return 0;
	}
#ifdef RTM_LOADER_NO_LZMA
	(void)buf;
	(void)cap;
	seterr(err, errlen, "%s: xz-compressed input, but this loader was built without liblzma",
	       src->name);
	return -ENOTSUP;
#else
	lzma_stream *s = &src->strm;
	s->next_out = buf;
	s->avail_out = cap;
	while (s->avail_out == cap) {
		int rc = raw_fill(src, err, errlen);
		if (rc)
			return rc;
		s->next_in = src->rawbuf + src->raw_pos;
		s->avail_in = src->raw_len - src->raw_pos;
		lzma_action act = src->raw_eof ? LZMA_FINISH : LZMA_RUN;
		lzma_ret r = lzma_code(s, act);
		src->raw_pos = (size_t)(s->next_in - src->rawbuf);
		if (r == LZMA_STREAM_END) {
			src->done = true;
			break;
		}
		if (r != LZMA_OK) {
			/* With LZMA_FINISH and nothing left, OK cannot repeat forever:
			 * liblzma reports LZMA_BUF_ERROR when it cannot make progress. */
			seterr(err, errlen,
			       "%s: %s at compressed byte offset %" PRIu64
			       " (after %" PRIu64 " bytes of text)",
			       src->name, lzma_msg(r), (uint64_t)s->total_in,
			       (uint64_t)s->total_out);
			if (r == LZMA_MEM_ERROR || r == LZMA_MEMLIMIT_ERROR)
				return -ENOMEM;
			return -EBADMSG;
		}
		if (act == LZMA_FINISH && s->avail_in == 0 && s->avail_out == cap) {
			/* Defensive: no progress possible. */
			seterr(err, errlen,
			       "%s: %s at compressed byte offset %" PRIu64
			       " (after %" PRIu64 " bytes of text)",
			       src->name, lzma_msg(LZMA_BUF_ERROR), (uint64_t)s->total_in,
			       (uint64_t)s->total_out);
			return -EBADMSG;
		}
	}
	*got = cap - s->avail_out;
	return 0;
#endif
}

static int source_open(struct source *src, char *err, size_t errlen)
{
	src->rawbuf = malloc(CHUNK);
	if (!src->rawbuf) {
		seterr(err, errlen, "%s: out of memory", src->name);
		return -ENOMEM;
	}
	int rc = raw_fill(src, err, errlen);
	if (rc)
		return rc;
	size_t n = src->raw_len;
	if (n >= sizeof XZ_MAGIC && memcmp(src->rawbuf, XZ_MAGIC, sizeof XZ_MAGIC) == 0) {
		src->compressed = true;
#ifndef RTM_LOADER_NO_LZMA
		lzma_stream init = LZMA_STREAM_INIT;
		src->strm = init;
		lzma_ret r = lzma_stream_decoder(&src->strm, UINT64_MAX, LZMA_CONCATENATED);
		if (r != LZMA_OK) {
			seterr(err, errlen, "%s: cannot start xz decoder: %s", src->name, lzma_msg(r));
			return r == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL;
		}
		src->strm_init = true;
#else
		seterr(err, errlen, "%s: xz-compressed input, but this loader was built without liblzma",
		       src->name);
		return -ENOTSUP;
#endif
	} else if (n >= sizeof GZ_MAGIC && memcmp(src->rawbuf, GZ_MAGIC, sizeof GZ_MAGIC) == 0) {
		seterr(err, errlen, "%s: gzip-compressed input is not supported (recompress with xz)",
		       src->name);
		return -ENOTSUP;
	}
	return 0;
}

static void source_close(struct source *src)
{
#ifndef RTM_LOADER_NO_LZMA
	if (src->strm_init)
		lzma_end(&src->strm);
	src->strm_init = false;
#endif
	free(src->rawbuf);
	src->rawbuf = NULL;
}

/* ------------------------------------------------------------------------- */
/* lines                                                                       */
/* ------------------------------------------------------------------------- */

struct loadctx {
	const char *name;
	const rtm_prefix_list_opts *opts;
	unsigned warn_limit;
	unsigned warned;
	rtm_prefix_list *list;
	rtm_prefix_list_stats *st;
	char *err;
	size_t errlen;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int process_line(struct loadctx *cx, const char *line, size_t len)
{
	uint64_t lineno = cx->st->lines;
	char shown[80];

	if (memchr(line, '\0', len)) {
		seterr(cx->err, cx->errlen, "%s:%" PRIu64 ": NUL byte in line (binary data?)",
		       cx->name, lineno);
		return -EINVAL;
	}
	if (len && line[len - 1] == '\r')
		len--;
	size_t i = 0;
	while (i < len && is_blank(line[i]))
		i++;
	if (i == len || line[i] == '#') {
		cx->st->comments_blank++;
		return 0;
	}
	size_t start = i;
	while (i < len && !is_blank(line[i]) && line[i] != '#')
		i++;
	/* Whatever follows the prefix (TAB-separated fields, a comment) is ignored. */

	RTM_NET_ADDRESS a;
	int hb = 0;
	char why[128];
	int rc = rtm_prefix_parse(line + start, i - start, &a, &hb, why, sizeof why);
	if (rc) {
		seterr(cx->err, cx->errlen, "%s:%" PRIu64 ": %s: \"%s\"", cx->name, lineno, why,
		       printable(line + start, i - start, shown, sizeof shown));
		return rc;
	}
	if (hb) {
		cx->st->host_bits_set++;
		if (!cx->st->first_host_bits_line)
			cx->st->first_host_bits_line = lineno;
		if (cx->opts->flags & RTM_PL_HOST_BITS_ERROR) {
			seterr(cx->err, cx->errlen, "%s:%" PRIu64 ": host bits set past /%u: \"%s\"",
			       cx->name, lineno, (unsigned)a.NumBits,
			       printable(line + start, i - start, shown, sizeof shown));
			return -EINVAL;
		}
		if (cx->opts->warn && cx->warned < cx->warn_limit) {
			cx->warned++;
			fprintf(cx->opts->warn, "%s:%" PRIu64 ": warning: host bits set past /%u: \"%s\"%s\n",
				cx->name, lineno, (unsigned)a.NumBits,
				printable(line + start, i - start, shown, sizeof shown),
				cx->warned == cx->warn_limit ? " (further warnings suppressed)" : "");
		}
		if (!(cx->opts->flags & RTM_PL_KEEP_HOST_BITS))
			rtm_prefix_mask(&a);
	}
	if (cx->opts->family && a.AddressFamily != (unsigned)cx->opts->family) {
		cx->st->skipped_family++;
		return 0;
	}
	rc = rtm_prefix_list_push(cx->list, &a);
	if (rc) {
		seterr(cx->err, cx->errlen, "%s:%" PRIu64 ": out of memory after %zu prefixes",
		       cx->name, lineno, cx->list->count);
		return rc;
	}
	cx->st->added++;
	return 0;
}

static int load_source(struct source *src, const rtm_prefix_list_opts *opts_in,
		       rtm_prefix_list *list, rtm_prefix_list_stats *stats_out,
		       char *err, size_t errlen)
{
	rtm_prefix_list_opts opts;
	rtm_prefix_list_stats st;
	memset(&st, 0, sizeof st);
	if (opts_in)
		opts = *opts_in;
	else
		memset(&opts, 0, sizeof opts);
	size_t maxlen = opts.max_line_len ? opts.max_line_len : DEFAULT_MAX_LINE;

	struct loadctx cx = {
		.name = src->name, .opts = &opts,
		.warn_limit = opts.warn_limit ? opts.warn_limit : DEFAULT_WARN_LIMIT,
		.list = list, .st = &st, .err = err, .errlen = errlen,
	};
	unsigned char *text = NULL;
	char *line = NULL;
	size_t linelen = 0;
	int rc = 0;

	if (err && errlen)
		err[0] = '\0';
	if (opts.family != 0 && opts.family != AF_INET && opts.family != AF_INET6) {
		seterr(err, errlen, "%s: unsupported address family filter %d", src->name, opts.family);
		rc = -EINVAL;
		goto out;
	}
	if (maxlen > SIZE_MAX / 2) {
		seterr(err, errlen, "%s: max_line_len too large", src->name);
		rc = -EINVAL;
		goto out;
	}
	text = malloc(CHUNK);
	line = malloc(maxlen + 1);
	if (!text || !line) {
		seterr(err, errlen, "%s: out of memory", src->name);
		rc = -ENOMEM;
		goto out;
	}
	rc = source_open(src, err, errlen);
	if (rc)
		goto out;
	st.compressed = src->compressed;

	for (;;) {
		size_t got;
		rc = text_read(src, text, CHUNK, &got, err, errlen);
		if (rc)
			goto out;
		if (got == 0)
			break;
		st.bytes_text += got;
		size_t pos = 0;
		while (pos < got) {
			unsigned char *nl = memchr(text + pos, '\n', got - pos);
			size_t seg = nl ? (size_t)(nl - (text + pos)) : got - pos;
			if (seg > maxlen - linelen) {
				seterr(err, errlen, "%s:%" PRIu64 ": line longer than %zu bytes",
				       src->name, st.lines + 1, maxlen);
				rc = -E2BIG;
				goto out;
			}
			memcpy(line + linelen, text + pos, seg);
			linelen += seg;
			pos += seg;
			if (nl) {
				pos++;
				st.lines++;
				rc = process_line(&cx, line, linelen);
				if (rc)
					goto out;
				linelen = 0;
			}
		}
	}
	if (linelen > 0) {      /* last line without a newline */
		st.lines++;
		rc = process_line(&cx, line, linelen);
	}
out:
	st.bytes_in = src->bytes_in;
	source_close(src);
	free(text);
	free(line);
	if (stats_out)
		*stats_out = st;
	return rc;
}

int rtm_prefix_list_load(const char *path, const rtm_prefix_list_opts *opts,
			 rtm_prefix_list *list, rtm_prefix_list_stats *stats,
			 char *err, size_t errlen)
{
	if (stats)
		memset(stats, 0, sizeof *stats);
	if (!path || !list) {
		seterr(err, errlen, "rtm_prefix_list_load: invalid argument");
		return -EINVAL;
	}
	struct source src;
	memset(&src, 0, sizeof src);
	bool is_stdin = strcmp(path, "-") == 0;
	src.name = is_stdin ? "<stdin>" : path;
	src.fp = is_stdin ? stdin : fopen(path, "rb");
	if (!src.fp) {
		int e = errno ? errno : EIO;
		seterr(err, errlen, "%s: cannot open: %s", path, strerror(e));
		return -e;
	}
	int rc = load_source(&src, opts, list, stats, err, errlen);
	if (!is_stdin)
		fclose(src.fp);
	return rc;
}

int rtm_prefix_list_load_mem(const void *data, size_t len, const char *name,
			     const rtm_prefix_list_opts *opts, rtm_prefix_list *list,
			     rtm_prefix_list_stats *stats, char *err, size_t errlen)
{
	if (stats)
		memset(stats, 0, sizeof *stats);
	if ((!data && len) || !list) {
		seterr(err, errlen, "rtm_prefix_list_load_mem: invalid argument");
		return -EINVAL;
	}
	struct source src;
	memset(&src, 0, sizeof src);
	src.name = name ? name : "<memory>";
	src.mem = data;
	src.mem_len = len;
	if (len == 0)
		src.raw_eof = true;
	return load_source(&src, opts, list, stats, err, errlen);
}
