/*
 * zreader.c - plain / gzip / bzip2 / xz byte reader (see zreader.h).
 */
#define _GNU_SOURCE 1

#include "zreader.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef RTM_LOADER_HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef RTM_LOADER_HAVE_BZIP2
#include <bzlib.h>
#endif
#if !defined(RTM_LOADER_NO_LZMA) && defined(RTM_LOADER_HAVE_LZMA)
#define ZR_HAVE_XZ 1
#include <lzma.h>
#endif

#define ZR_CHUNK (64u * 1024u)
/* Largest piece handed to a decoder at once (their counters are 32-bit). */
#define ZR_MAX_FEED ((size_t)1 << 30)

enum zr_state {
	ZR_IN_STREAM,    /* decoding a stream */
	ZR_BETWEEN,      /* a stream ended; more may follow */
	ZR_DONE,         /* clean end of input */
};

struct rtm_zreader {
	char *name;
	FILE *fp;
	bool own_fp;
	/* Input window: for memory input it is the caller's bytes, for a file our buffer. */
	const uint8_t *in;
	size_t in_len, in_pos;
	uint8_t *buf;          /* file input buffer (ZR_CHUNK bytes) */
	uint64_t in_base;      /* input offset of in[0] */
	bool in_eof;           /* nothing more to read beyond in[in_len] */
	bool is_mem;
	rtm_zformat fmt;
	enum zr_state state;
	bool dec_live;         /* decoder initialised */
	uint64_t bytes_out;
#ifdef RTM_LOADER_HAVE_ZLIB
	z_stream gz;
#endif
#ifdef RTM_LOADER_HAVE_BZIP2
	bz_stream bz;
#endif
#ifdef ZR_HAVE_XZ
	lzma_stream xz;
#endif
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

const char *rtm_zformat_name(rtm_zformat f)
{
	switch (f) {
	case RTM_ZFORMAT_PLAIN: return "plain";
	case RTM_ZFORMAT_GZIP:  return "gzip";
	case RTM_ZFORMAT_BZIP2: return "bzip2";
	case RTM_ZFORMAT_XZ:    return "xz";
	}
	return "?";
}

int rtm_zformat_supported(rtm_zformat f)
{
	switch (f) {
	case RTM_ZFORMAT_PLAIN:
		return 1;
	case RTM_ZFORMAT_GZIP:
#ifdef RTM_LOADER_HAVE_ZLIB
		return 1;
#else
		return 0;
#endif
	case RTM_ZFORMAT_BZIP2:
#ifdef RTM_LOADER_HAVE_BZIP2
		return 1;
#else
		return 0;
#endif
	case RTM_ZFORMAT_XZ:
#ifdef ZR_HAVE_XZ
		return 1;
#else
		return 0;
#endif
	}
	return 0;
}

static const char *deb_package(rtm_zformat f)
{
	switch (f) {
	case RTM_ZFORMAT_GZIP:  return "zlib1g-dev";
	case RTM_ZFORMAT_BZIP2: return "libbz2-dev";
	case RTM_ZFORMAT_XZ:    return "liblzma-dev";
	default:                return "?";
	}
}

/* Offset in the input of the next byte the decoder will take. */
static uint64_t in_offset(const rtm_zreader *z)
{
	return z->in_base + z->in_pos;
}

/*
 * Makes at least `want` unconsumed input bytes available if the input has
 * them (want <= ZR_CHUNK). Returns the number available, or a negative errno.
 */
static ssize_t ensure_in(rtm_zreader *z, size_t want, char *err, size_t errlen)
{
	while (z->in_len - z->in_pos < want && !z->in_eof) {
		if (z->is_mem) {
			z->in_eof = true;
			break;
		}
		/* Move what is left to the front, then read behind it. */
		size_t left = z->in_len - z->in_pos;
		if (left && z->in_pos)
			memmove(z->buf, z->buf + z->in_pos, left);
		z->in_base += z->in_pos;
		z->in_pos = 0;
		z->in_len = left;
		size_t n = fread(z->buf + left, 1, ZR_CHUNK - left, z->fp);
		if (n == 0) {
			if (ferror(z->fp)) {
				int e = errno ? errno : EIO;
				seterr(err, errlen, "%s: read error at byte %" PRIu64 ": %s", z->name,
				       z->in_base + left, strerror(e));
				return -e;
			}
			z->in_eof = true;
		}
		z->in_len += n;
	}
	return (ssize_t)(z->in_len - z->in_pos);
}

static int truncated(rtm_zreader *z, char *err, size_t errlen);

static rtm_zformat detect(const uint8_t *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return RTM_ZFORMAT_GZIP;
	if (n >= 3 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h')
		return RTM_ZFORMAT_BZIP2;
	static const uint8_t xzmagic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
	if (n >= 6 && memcmp(p, xzmagic, 6) == 0)
		return RTM_ZFORMAT_XZ;
	return RTM_ZFORMAT_PLAIN;
}

static void dec_end(rtm_zreader *z)
{
	if (!z->dec_live)
		return;
	switch (z->fmt) {
#ifdef RTM_LOADER_HAVE_ZLIB
	case RTM_ZFORMAT_GZIP:
		inflateEnd(&z->gz);
		break;
#endif
#ifdef RTM_LOADER_HAVE_BZIP2
	case RTM_ZFORMAT_BZIP2:
		BZ2_bzDecompressEnd(&z->bz);
		break;
#endif
#ifdef ZR_HAVE_XZ
	case RTM_ZFORMAT_XZ:
		lzma_end(&z->xz);
		break;
#endif
	default:
		break;
	}
	z->dec_live = false;
}

/* Starts (or restarts, for the next concatenated stream) the decoder. */
static int dec_start(rtm_zreader *z, char *err, size_t errlen)
{
	dec_end(z);
	switch (z->fmt) {
	case RTM_ZFORMAT_PLAIN:
		return 0;
#ifdef RTM_LOADER_HAVE_ZLIB
	case RTM_ZFORMAT_GZIP:
		memset(&z->gz, 0, sizeof z->gz);
		if (inflateInit2(&z->gz, 16 + MAX_WBITS) != Z_OK) {
			seterr(err, errlen, "%s: cannot start the gzip decoder", z->name);
			return -ENOMEM;
		}
		break;
#endif
#ifdef RTM_LOADER_HAVE_BZIP2
	case RTM_ZFORMAT_BZIP2:
		memset(&z->bz, 0, sizeof z->bz);
		if (BZ2_bzDecompressInit(&z->bz, 0, 0) != BZ_OK) {
			seterr(err, errlen, "%s: cannot start the bzip2 decoder", z->name);
			return -ENOMEM;
		}
		break;
#endif
#ifdef ZR_HAVE_XZ
	case RTM_ZFORMAT_XZ: {
		lzma_stream init = LZMA_STREAM_INIT;
		z->xz = init;
		/* LZMA_CONCATENATED: the decoder itself reads stream after stream. */
		if (lzma_stream_decoder(&z->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
			seterr(err, errlen, "%s: cannot start the xz decoder", z->name);
			return -ENOMEM;
		}
		break;
	}
#endif
	default:
		seterr(err, errlen,
		       "%s: %s-compressed input, but this build has no %s support (install %s and rebuild)",
		       z->name, rtm_zformat_name(z->fmt), rtm_zformat_name(z->fmt),
		       deb_package(z->fmt));
		return -ENOTSUP;
	}
	z->dec_live = true;
	z->state = ZR_IN_STREAM;
	return 0;
}

static int finish_open(rtm_zreader *z, rtm_zreader **out, char *err, size_t errlen)
{
	ssize_t n = ensure_in(z, 6, err, errlen);
	int rc;
	if (n < 0) {
		rc = (int)n;
		goto fail;
	}
	z->fmt = detect(z->in + z->in_pos, (size_t)n);
	if (z->fmt == RTM_ZFORMAT_PLAIN && z->in_eof && n >= 2 && n < 6) {
		/* The whole input is the start of a bzip2 / xz magic: a cut compressed file. */
		static const uint8_t bzm[3] = { 'B', 'Z', 'h' }, xzm[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
		const uint8_t *p = z->in + z->in_pos;
		rtm_zformat f = memcmp(p, bzm, (size_t)n < 3 ? (size_t)n : 3) == 0 ? RTM_ZFORMAT_BZIP2
				: memcmp(p, xzm, (size_t)n) == 0 ? RTM_ZFORMAT_XZ : RTM_ZFORMAT_PLAIN;
		if (f != RTM_ZFORMAT_PLAIN) {
			z->fmt = f;
			z->in_pos = z->in_len;
			rc = truncated(z, err, errlen);
			goto fail;
		}
	}
	z->state = ZR_IN_STREAM;
	rc = dec_start(z, err, errlen);
	if (rc)
		goto fail;
	*out = z;
	return 0;
fail:
	rtm_zreader_close(z);
	return rc;
}

int rtm_zreader_open(const char *path, rtm_zreader **out, char *err, size_t errlen)
{
	if (!path || !out) {
		seterr(err, errlen, "invalid argument");
		return -EINVAL;
	}
	*out = NULL;
	rtm_zreader *z = calloc(1, sizeof *z);
	if (!z) {
		seterr(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	bool is_stdin = strcmp(path, "-") == 0;
	z->name = strdup(is_stdin ? "<stdin>" : path);
	z->buf = malloc(ZR_CHUNK);
	if (!z->name || !z->buf) {
		rtm_zreader_close(z);
		seterr(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	z->in = z->buf;
	if (is_stdin) {
		z->fp = stdin;
	} else {
		z->fp = fopen(path, "rb");
		if (!z->fp) {
			int e = errno ? errno : EIO;
			seterr(err, errlen, "%s: %s", path, strerror(e));
			rtm_zreader_close(z);
			return -e;
		}
		z->own_fp = true;
	}
	return finish_open(z, out, err, errlen);
}

int rtm_zreader_open_mem(const void *data, size_t len, const char *name, rtm_zreader **out,
			 char *err, size_t errlen)
{
	if ((!data && len) || !out) {
		seterr(err, errlen, "invalid argument");
		return -EINVAL;
	}
	*out = NULL;
	if (!name)
		name = "<memory>";
	rtm_zreader *z = calloc(1, sizeof *z);
	if (!z || !(z->name = strdup(name))) {
		free(z);
		seterr(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	static const uint8_t empty[1];
	z->is_mem = true;
	z->in = len ? data : empty;
	z->in_len = len;
	z->in_eof = true;
	return finish_open(z, out, err, errlen);
}

void rtm_zreader_close(rtm_zreader *z)
{
	if (!z)
		return;
	dec_end(z);
	if (z->own_fp && z->fp)
		fclose(z->fp);
	free(z->buf);
	free(z->name);
	free(z);
}

rtm_zformat rtm_zreader_format(const rtm_zreader *z)
{
	return z->fmt;
}

const char *rtm_zreader_name(const rtm_zreader *z)
{
	return z->name;
}

uint64_t rtm_zreader_bytes_in(const rtm_zreader *z)
{
	return in_offset(z);
}

uint64_t rtm_zreader_bytes_out(const rtm_zreader *z)
{
	return z->bytes_out;
}

/* Called between concatenated streams: another stream, the end, or garbage. */
static int next_stream(rtm_zreader *z, char *err, size_t errlen)
{
	ssize_t n = ensure_in(z, 6, err, errlen);
	if (n < 0)
		return (int)n;
	if (n == 0) {
		z->state = ZR_DONE;
		return 0;
	}
	if (detect(z->in + z->in_pos, (size_t)n) != z->fmt) {
		seterr(err, errlen,
		       "%s: corrupt %s data: %zd unexpected trailing byte(s) at compressed byte offset %" PRIu64,
		       z->name, rtm_zformat_name(z->fmt), n, in_offset(z));
		return -EBADMSG;
	}
	return dec_start(z, err, errlen);
}

static int truncated(rtm_zreader *z, char *err, size_t errlen)
{
	seterr(err, errlen,
	       "%s: truncated %s stream: compressed data ends at byte offset %" PRIu64
	       " in the middle of a stream", z->name, rtm_zformat_name(z->fmt), in_offset(z));
	return -EBADMSG;
}

static int corrupt(rtm_zreader *z, const char *what, char *err, size_t errlen)
{
	seterr(err, errlen, "%s: corrupt %s data near compressed byte offset %" PRIu64 " (%s)",
	       z->name, rtm_zformat_name(z->fmt), in_offset(z), what);
	return -EBADMSG;
}

/*
 * One decoder step: feeds what input is buffered, produces at most outlen
 * bytes. Returns bytes produced (may be 0) or a negative errno; sets *ended
 * when the current stream ended.
 */
static ssize_t dec_step(rtm_zreader *z, uint8_t *out, size_t outlen, bool *ended, char *err,
			size_t errlen)
{
	size_t avail = z->in_len - z->in_pos;
	if (avail > ZR_MAX_FEED)
		avail = ZR_MAX_FEED;
	if (outlen > ZR_MAX_FEED)
		outlen = ZR_MAX_FEED;
	const uint8_t *inp = z->in + z->in_pos;
	size_t used = 0, made = 0;
	*ended = false;

	switch (z->fmt) {
#ifdef RTM_LOADER_HAVE_ZLIB
	case RTM_ZFORMAT_GZIP: {
		z->gz.next_in = (Bytef *)(uintptr_t)inp;
		z->gz.avail_in = (uInt)avail;
		z->gz.next_out = out;
		z->gz.avail_out = (uInt)outlen;
		int ret = inflate(&z->gz, Z_NO_FLUSH);
		used = avail - z->gz.avail_in;
		made = outlen - z->gz.avail_out;
		z->in_pos += used;
		if (ret == Z_STREAM_END)
			*ended = true;
		else if (ret == Z_MEM_ERROR)
			return seterr(err, errlen, "%s: out of memory in the gzip decoder", z->name),
			       -ENOMEM;
		else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR)
			return corrupt(z, z->gz.msg ? z->gz.msg : "invalid data", err, errlen);
		/* Z_OK and Z_BUF_ERROR (no progress) fall through. */
		break;
	}
#endif
#ifdef RTM_LOADER_HAVE_BZIP2
	case RTM_ZFORMAT_BZIP2: {
		z->bz.next_in = (char *)(uintptr_t)inp;
		z->bz.avail_in = (unsigned)avail;
		z->bz.next_out = (char *)out;
		z->bz.avail_out = (unsigned)outlen;
		int ret = BZ2_bzDecompress(&z->bz);
		used = avail - z->bz.avail_in;
		made = outlen - z->bz.avail_out;
		z->in_pos += used;
		if (ret == BZ_STREAM_END)
			*ended = true;
		else if (ret == BZ_MEM_ERROR)
			return seterr(err, errlen, "%s: out of memory in the bzip2 decoder", z->name),
			       -ENOMEM;
		else if (ret == BZ_DATA_ERROR)
			return corrupt(z, "bad block data or CRC", err, errlen);
		else if (ret == BZ_DATA_ERROR_MAGIC)
			return corrupt(z, "bad stream header", err, errlen);
		else if (ret != BZ_OK)
			return corrupt(z, "decoder error", err, errlen);
		break;
	}
#endif
#ifdef ZR_HAVE_XZ
	case RTM_ZFORMAT_XZ: {
		z->xz.next_in = inp;
		z->xz.avail_in = avail;
		z->xz.next_out = out;
		z->xz.avail_out = outlen;
		bool all_in = z->in_eof && avail == z->in_len - z->in_pos;
		lzma_ret ret = lzma_code(&z->xz, all_in ? LZMA_FINISH : LZMA_RUN);
		used = avail - z->xz.avail_in;
		made = outlen - z->xz.avail_out;
		z->in_pos += used;
		switch (ret) {
		case LZMA_OK:
		case LZMA_BUF_ERROR:
			break;
		case LZMA_STREAM_END:
			/* With LZMA_CONCATENATED this is the end of all input. */
			*ended = true;
			break;
		case LZMA_MEM_ERROR:
		case LZMA_MEMLIMIT_ERROR:
			seterr(err, errlen, "%s: out of memory in the xz decoder", z->name);
			return -ENOMEM;
		case LZMA_FORMAT_ERROR:
			return corrupt(z, "not an xz stream", err, errlen);
		case LZMA_OPTIONS_ERROR:
			return corrupt(z, "unsupported options", err, errlen);
		case LZMA_DATA_ERROR:
			return corrupt(z, "invalid data", err, errlen);
		default:
			return corrupt(z, "decoder error", err, errlen);
		}
		break;
	}
#endif
	default:
		(void)inp;
		seterr(err, errlen, "%s: internal error: no decoder", z->name);
		return -EINVAL;
	}
	return (ssize_t)made;
}

ssize_t rtm_zreader_read(rtm_zreader *z, void *buf, size_t len, char *err, size_t errlen)
{
	if (!z || (!buf && len)) {
		seterr(err, errlen, "invalid argument");
		return -EINVAL;
	}
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	uint8_t *out = buf;
	size_t done = 0;

	while (done < len && z->state != ZR_DONE) {
		if (z->fmt == RTM_ZFORMAT_PLAIN) {
			ssize_t n = ensure_in(z, 1, err, errlen);
			if (n < 0)
				return n;
			if (n == 0) {
				z->state = ZR_DONE;
				break;
			}
			size_t take = (size_t)n < len - done ? (size_t)n : len - done;
			memcpy(out + done, z->in + z->in_pos, take);
			z->in_pos += take;
			done += take;
			z->bytes_out += take;
			continue;
		}
		if (z->state == ZR_BETWEEN) {
			int rc = next_stream(z, err, errlen);
			if (rc)
				return rc;
			continue;
		}
		ssize_t n = ensure_in(z, 1, err, errlen);
		if (n < 0)
			return n;
		bool ended;
		ssize_t made = dec_step(z, out + done, len - done, &ended, err, errlen);
		if (made < 0)
			return made;
		done += (size_t)made;
		z->bytes_out += (uint64_t)made;
		if (ended) {
			/* xz handles concatenation itself; gzip and bzip2 restart here. */
			z->state = z->fmt == RTM_ZFORMAT_XZ ? ZR_DONE : ZR_BETWEEN;
			continue;
		}
		if (made == 0 && done < len && z->in_eof && z->in_pos == z->in_len)
			return truncated(z, err, errlen);
	}
	return (ssize_t)done;
}
