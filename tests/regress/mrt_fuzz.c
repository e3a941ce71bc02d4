/*
 * mrt_fuzz.c - damaged MRT input gives a clean error, never a crash or a hang
 * (ctest: regress.mrt_fuzz). Built and run under -fsanitize=address,undefined
 * too, where any out-of-bounds read aborts the test.
 *
 *   regress-mrt-fuzz DATA_DIR RTM_MRT [SEED]
 *
 * For every MRT file in DATA_DIR (tests/data/mrt):
 *   1. the intact file parses, and its routes all format;
 *   2. the decompressed MRT cut at many offsets: a cut at a record boundary is
 *      a shorter valid file, any other cut must fail with a message giving a
 *      byte offset (each cut is copied to a buffer of exactly its size, so a
 *      read past the end is caught by ASan);
 *   3. bytes flipped (random and in the record / attribute length fields):
 *      either a clean parse or an error with a message, nothing else;
 *   4. the compressed file (and bzip2 / xz re-encodings of the data) cut at
 *      many offsets: an error naming the compressed byte offset;
 *   5. the rtm-mrt executable on a few damaged files: exit status 1 and one
 *      "rtm-mrt: ..." line on standard error (no sanitizer report, no signal).
 * Every parse runs under a time limit (alarm). Last line: "N passed, M failed".
 */
#define _GNU_SOURCE 1

#include "mrt.h"
#include "zreader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef RTM_LOADER_HAVE_BZIP2
#include <bzlib.h>
#endif
#if defined(RTM_LOADER_HAVE_LZMA) && !defined(RTM_LOADER_NO_LZMA)
#include <lzma.h>
#define HAVE_XZ 1
#endif

#define TIME_LIMIT 30          /* seconds per parse / per rtm-mrt run */
#define SMALL_FILE 8192        /* below this, cut at every offset */
#define FUZZ_SUBJECT 65536     /* bytes of a large file used for flips */

static unsigned long n_pass, n_fail;
static char current[512];

#define CHECK(cond, ...)                                                                     \
	do {                                                                                 \
		if (cond) {                                                                  \
			n_pass++;                                                            \
		} else {                                                                     \
			n_fail++;                                                            \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);               \
			printf(__VA_ARGS__);                                                 \
			printf("\n");                                                        \
		}                                                                            \
	} while (0)

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "FAIL: time limit exceeded in: ";
	ssize_t w = write(1, msg, sizeof msg - 1);
	w = write(1, current, strlen(current));
	w = write(1, "\n", 1);
	(void)w;
	_exit(2);
}

__attribute__((format(printf, 1, 2)))
static void set_case(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(current, sizeof current, fmt, ap);
	va_end(ap);
}

/* xorshift64*: deterministic per seed */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	for (;;) {
		if (n == cap)
			b = realloc(b, cap *= 2);
		size_t k = fread(b + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	fclose(f);
	*len = n;
	return b;
}

/* Decompresses bytes with zreader; NULL on error (message printed). */
static uint8_t *decompress(const uint8_t *data, size_t len, const char *name, size_t *outlen)
{
	char err[512];
	rtm_zreader *z;
	if (rtm_zreader_open_mem(data, len, name, &z, err, sizeof err)) {
		printf("FAIL %s\n", err);
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	for (;;) {
		if (n == cap)
			b = realloc(b, cap *= 2);
		ssize_t k = rtm_zreader_read(z, b + n, cap - n, err, sizeof err);
		if (k < 0) {
			printf("FAIL %s\n", err);
			free(b);
			rtm_zreader_close(z);
			return NULL;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	rtm_zreader_close(z);
	*outlen = n;
	return b;
}

typedef struct result {
	int rc;              /* last rtm_mrt_next (or open) result: 0 = clean end */
	uint64_t routes;
	char err[1024];
} result;

/* Parses a copy of data[0..len) held in a buffer of exactly len bytes. */
static result parse(const uint8_t *data, size_t len, const char *name)
{
	result res = { 0, 0, "" };
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	rtm_mrt_reader *r;
	rtm_mrt_text line = RTM_MRT_TEXT_INIT;
	alarm(TIME_LIMIT);
	res.rc = rtm_mrt_open_mem(copy, len, name, NULL, &r, res.err, sizeof res.err);
	if (res.rc == 0) {
		rtm_mrt_route rt;
		while ((res.rc = rtm_mrt_next(r, &rt, res.err, sizeof res.err)) == 1) {
			res.routes++;
			if (rtm_mrt_format_bgpdump(&rt, &line) != 0) {
				res.rc = -ENOMEM;
				snprintf(res.err, sizeof res.err, "format failed");
				break;
			}
		}
		rtm_mrt_close(r);
	}
	alarm(0);
	rtm_mrt_text_free(&line);
	free(copy);
	return res;
}

/* Offsets where records start (and the end), from the intact data. */
static size_t record_bounds(const uint8_t *d, size_t len, size_t **out)
{
	size_t n = 0, cap = 1024, off = 0;
	size_t *b = malloc(cap * sizeof *b);
	b[n++] = 0;
	while (off + 12 <= len) {
		uint32_t l = (uint32_t)d[off + 8] << 24 | (uint32_t)d[off + 9] << 16 |
			     (uint32_t)d[off + 10] << 8 | d[off + 11];
		off += 12 + (size_t)l;
		if (off > len)
			break;
		if (n == cap)
			b = realloc(b, (cap *= 2) * sizeof *b);
		b[n++] = off;
	}
	*out = b;
	return n;
}

static bool is_bound(const size_t *b, size_t nb, size_t off)
{
	size_t lo = 0, hi = nb;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (b[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nb && b[lo] == off;
}

static bool has_offset(const char *msg)
{
	return strstr(msg, "offset") != NULL;
}

/* 2. cuts of the decompressed MRT. */
static void cut_mrt(const char *name, const uint8_t *d, size_t len, const size_t *b, size_t nb)
{
	size_t tried = 0, bad = 0;
	/* every offset of a small file; 400 cuts of a medium one, 24 of a large one */
	size_t ncuts = len <= SMALL_FILE ? len : len <= 4 * FUZZ_SUBJECT ? 400 : 24;
	for (size_t i = 0; i < ncuts; i++) {
		size_t t;
		if (len <= SMALL_FILE)
			t = i;
		else if (i < ncuts / 4 && nb > 2)
			/* around record boundaries: the header and the first fields */
			t = b[1 + rnd() % (nb - 2)] + (size_t)(rnd() % 40);
		else
			t = (size_t)(rnd() % len);
		if (t >= len)
			continue;
		set_case("%s cut at %zu", name, t);
		result res = parse(d, t, name);
		tried++;
		if (is_bound(b, nb, t)) {
			CHECK(res.rc == 0, "%s: cut at record boundary %zu should parse: %s", name, t,
			      res.err);
		} else {
			bad += res.rc < 0;
			CHECK(res.rc < 0 && has_offset(res.err),
			      "%s: cut at %zu: rc %d, message \"%s\"", name, t, res.rc, res.err);
		}
		if (i == 1 && res.rc < 0)
			printf("  e.g. %s\n", res.err);
	}
	printf("  %s: %zu cuts of the MRT data, %zu failed cleanly as expected\n", name, tried, bad);
}

/* 3. flipped bytes. */
static void flip_mrt(const char *name, const uint8_t *d, size_t len, const size_t *b, size_t nb)
{
	uint8_t *m = malloc(len);
	size_t nok = 0, nerr = 0;
	const size_t nflips = 600;
	for (size_t i = 0; i < nflips; i++) {
		memcpy(m, d, len);
		size_t pos;
		uint8_t old;
		int nmut = 1 + (int)(rnd() % 3);
		for (int k = 0; k < nmut; k++) {
			if (i % 3 == 0 && nb > 1) {
				/* a record header: type, subtype or length */
				size_t rec = b[rnd() % (nb - 1)];
				pos = rec + 4 + (size_t)(rnd() % 8);
			} else if (i % 3 == 1 && nb > 1) {
				/* the first bytes of a record body: counts, lengths, prefix */
				size_t rec = b[rnd() % (nb - 1)];
				pos = rec + 12 + (size_t)(rnd() % 64);
			} else {
				pos = (size_t)(rnd() % len);
			}
			if (pos >= len)
				pos = len - 1;
			old = m[pos];
			switch (rnd() % 4) {
			case 0: m[pos] = 0x00; break;
			case 1: m[pos] = 0xFF; break;
			case 2: m[pos] ^= (uint8_t)(1u << (rnd() % 8)); break;
			default: m[pos] = (uint8_t)rnd(); break;
			}
			(void)old;
		}
		set_case("%s flip #%zu", name, i);
		result res = parse(m, len, name);
		if (res.rc == 0) {
			nok++;
			n_pass++;
		} else {
			nerr++;
			CHECK(res.rc < 0 && res.err[0] && has_offset(res.err),
			      "%s flip #%zu: rc %d, message \"%s\"", name, i, res.rc, res.err);
		}
	}
	printf("  %s: %zu damaged copies: %zu still parse, %zu failed cleanly\n", name, nflips, nok,
	       nerr);
	free(m);
}

/* 4. cuts of compressed data: each must fail with a compressed byte offset. */
static void cut_compressed(const char *name, const char *fmt, const uint8_t *c, size_t clen,
			   uint64_t want_routes)
{
	set_case("%s (%s) intact", name, fmt);
	result full = parse(c, clen, name);
	CHECK(full.rc == 0 && full.routes == want_routes, "%s (%s): rc %d, %" PRIu64
	      " routes, want %" PRIu64 " (%s)", name, fmt, full.rc, full.routes, want_routes,
	      full.err);
	size_t n = clen <= 512 ? clen : clen <= FUZZ_SUBJECT ? 150 : 16, bad = 0;
	char example[1024] = "";
	for (size_t i = 0; i < n; i++) {
		size_t t = clen <= 512 ? i : (size_t)(rnd() % clen);
		if (t < 2)
			continue; /* 0 bytes: an empty (valid) file; 1 byte: plain junk */
		set_case("%s (%s) compressed cut at %zu", name, fmt, t);
		result res = parse(c, t, name);
		bad += res.rc < 0;
		CHECK(res.rc < 0 && strstr(res.err, "offset"), "%s (%s) cut at %zu of %zu: rc %d (%s)",
		      name, fmt, t, clen, res.rc, res.err);
		if (!example[0] && res.rc < 0)
			snprintf(example, sizeof example, "%s", res.err);
	}
	/* and a few flipped bytes in the compressed data */
	uint8_t *m = malloc(clen);
	for (int i = 0; i < 50; i++) {
		memcpy(m, c, clen);
		size_t pos = (size_t)(rnd() % clen);
		m[pos] ^= (uint8_t)(1u + rnd() % 255);
		set_case("%s (%s) compressed flip at %zu", name, fmt, pos);
		result res = parse(m, clen, name);
		CHECK(res.rc == 0 || (res.rc < 0 && res.err[0]), "%s (%s) flip at %zu: rc %d", name,
		      fmt, pos, res.rc);
	}
	free(m);
	printf("  %s: %s: %zu cuts of the compressed data failed cleanly; e.g. %s\n", name, fmt, bad,
	       example);
}

/* 5. the executable. Returns its exit status (or 128 + signal); stderr in errbuf. */
static int run_tool(const char *exe, const char *file, char *errbuf, size_t errlen)
{
	char errpath[] = "/tmp/mrt_fuzz_err.XXXXXX";
	int efd = mkstemp(errpath);
	if (efd < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_WRONLY);
		dup2(nul, 1);
		dup2(efd, 2);
		alarm(TIME_LIMIT);
		execl(exe, exe, file, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	lseek(efd, 0, SEEK_SET);
	ssize_t n = read(efd, errbuf, errlen - 1);
	errbuf[n > 0 ? n : 0] = '\0';
	close(efd);
	unlink(errpath);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static bool clean_message(const char *e)
{
	/* exactly one line, from rtm-mrt, with an offset */
	const char *nl = strchr(e, '\n');
	return strncmp(e, "rtm-mrt: ", 9) == 0 && nl && nl[1] == '\0' && has_offset(e) &&
	       !strstr(e, "Sanitizer") && !strstr(e, "runtime error");
}

static void tool_runs(const char *exe, const char *name, const uint8_t *d, size_t len,
		      const size_t *b, size_t nb, const char *tmpdir)
{
	char path[4096], err[4096];
	snprintf(path, sizeof path, "%s/%s.damaged", tmpdir, name);
	int runs = 0;
	for (int i = 0; i < 16; i++) {
		size_t t;
		do
			t = 1 + (size_t)(rnd() % (len - 1));
		while (is_bound(b, nb, t));
		uint8_t *m = malloc(len);
		memcpy(m, d, len);
		size_t wlen = t;
		if (i >= 8) {
			/* flip a record length instead: the file then overruns its end */
			size_t rec = b[rnd() % (nb > 1 ? nb - 1 : 1)];
			if (rec + 12 <= len) {
				m[rec + 8] = 0x7f;
				wlen = len;
			}
		}
		FILE *f = fopen(path, "wb");
		fwrite(m, 1, wlen, f);
		fclose(f);
		free(m);
		int st = run_tool(exe, path, err, sizeof err);
		runs++;
		CHECK(st == 1 && clean_message(err), "rtm-mrt on %s damaged #%d (%zu bytes): exit %d, stderr \"%s\"",
		      name, i, wlen, st, err);
		if (i == 0 || i == 8)
			printf("  rtm-mrt: exit %d: %s", st, err);
	}
	unlink(path);
	printf("  %s: %d runs of rtm-mrt on damaged copies\n", name, runs);
}

/* Small blocks / dictionaries keep the decoders' allocations cheap under ASan. */
#ifdef RTM_LOADER_HAVE_BZIP2
static uint8_t *bz2_encode(const uint8_t *d, size_t len, size_t *out)
{
	unsigned cap = (unsigned)(len + len / 100 + 1024);
	char *b = malloc(cap);
	if (BZ2_bzBuffToBuffCompress(b, &cap, (char *)(uintptr_t)d, (unsigned)len, 1, 0, 0) != BZ_OK) {
		free(b);
		return NULL;
	}
	*out = cap;
	return (uint8_t *)b;
}
#endif

#ifdef HAVE_XZ
static uint8_t *xz_encode(const uint8_t *d, size_t len, size_t *out)
{
	size_t cap = lzma_stream_buffer_bound(len), pos = 0;
	uint8_t *b = malloc(cap);
	if (lzma_easy_buffer_encode(0, LZMA_CHECK_CRC64, NULL, d, len, b, &pos, cap) != LZMA_OK) {
		free(b);
		return NULL;
	}
	*out = pos;
	return b;
}
#endif

static void one_file(const char *dir, const char *name, const char *exe, const char *tmpdir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	size_t rawlen, len;
	uint8_t *raw = read_file(path, &rawlen);
	CHECK(raw != NULL, "cannot read %s", path);
	if (!raw)
		return;
	uint8_t *d = decompress(raw, rawlen, name, &len);
	CHECK(d != NULL && len > 12, "cannot decompress %s", path);
	if (!d || len <= 12) {
		free(raw);
		free(d);
		return;
	}
	printf("%s: %zu bytes, %zu decompressed\n", name, rawlen, len);

	set_case("%s intact", name);
	result full = parse(d, len, name);
	CHECK(full.rc == 0 && full.routes > 0, "%s intact: rc %d, %" PRIu64 " routes (%s)", name,
	      full.rc, full.routes, full.err);

	size_t *b;
	size_t nb = record_bounds(d, len, &b);
	CHECK(nb >= 2 && b[nb - 1] == len, "%s: record walk ends at %zu of %zu", name,
	      b[nb - 1], len);

	cut_mrt(name, d, len, b, nb);

	/* Flips: on the whole file when small, else on its first records (a valid MRT file too). */
	size_t sublen = len;
	if (len > FUZZ_SUBJECT) {
		for (size_t i = 0; i < nb; i++)
			if (b[i] <= FUZZ_SUBJECT)
				sublen = b[i];
		if (sublen < 2048)
			sublen = b[nb > 2 ? 2 : nb - 1];
	}
	size_t *sb;
	size_t nsb = record_bounds(d, sublen, &sb);
	flip_mrt(name, d, sublen, sb, nsb);

	if (rawlen != len || memcmp(raw, d, len) != 0)
		cut_compressed(name, "as shipped", raw, rawlen, full.routes);
	/* bzip2 and xz encodings of the flip subject */
	set_case("%s subject", name);
	result sub = parse(d, sublen, name);
#ifdef RTM_LOADER_HAVE_BZIP2
	size_t blen;
	uint8_t *bz = bz2_encode(d, sublen, &blen);
	CHECK(bz != NULL, "bzip2 encoding failed");
	if (bz)
		cut_compressed(name, "bzip2", bz, blen, sub.routes);
	free(bz);
#endif
#ifdef HAVE_XZ
	size_t xlen;
	uint8_t *xz = xz_encode(d, sublen, &xlen);
	CHECK(xz != NULL, "xz encoding failed");
	if (xz)
		cut_compressed(name, "xz", xz, xlen, sub.routes);
	free(xz);
#endif
	if (exe)
		tool_runs(exe, name, d, sublen, sb, nsb, tmpdir);
	free(sb);
	free(b);
	free(d);
	free(raw);
}

/* A few hand-made records: specific faults give specific messages. */
static void handmade(void)
{
	static const uint8_t peer_table[] = {
		0, 0, 0, 1, 0, 13, 0, 1, 0, 0, 0, 21,       /* header: TD2 PEER_INDEX_TABLE */
		10, 0, 0, 1, 0, 0, 0, 1,                     /* collector, no view name, 1 peer */
		0x02, 10, 0, 0, 2, 192, 0, 2, 1, 0, 0, 0xfd, 0xe8, /* IPv4 peer, AS4 65000 */
	};
	uint8_t buf[256];
	struct {
		const char *what;
		uint8_t rib[80];
		size_t len;
		const char *frag;
	} cases[] = {
		{ "prefix length 33",
		  { 0, 0, 0, 1, 0, 13, 0, 2, 0, 0, 0, 11, 0, 0, 0, 0, 33, 1, 2, 3, 4, 0, 0 }, 23,
		  "prefix length 33" },
		{ "peer index out of range",
		  { 0, 0, 0, 1, 0, 13, 0, 2, 0, 0, 0, 16, 0, 0, 0, 0, 8, 10, 0, 1, 0, 5, 0, 0, 0, 0, 0, 0 },
		  28, "peer index 5" },
		{ "attribute overrun",
		  { 0, 0, 0, 1, 0, 13, 0, 2, 0, 0, 0, 20, 0, 0, 0, 0, 8, 10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4,
		    0x40, 2, 9, 2 }, 32, "AS_PATH (type 2) length 9 overruns" },
		{ "AS_PATH segment overrun",
		  { 0, 0, 0, 1, 0, 13, 0, 2, 0, 0, 0, 23, 0, 0, 0, 0, 8, 10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7,
		    0x40, 2, 4, 2, 3, 0, 1 }, 35, "segment of 3 AS numbers" },
		{ "record past end of file",
		  { 0, 0, 0, 1, 0, 13, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 8 }, 17, "runs past the end" },
		{ "unknown type", { 0, 0, 0, 1, 0, 99, 0, 1, 0, 0, 0, 0 }, 12, "unknown MRT type" },
		{ "ORIGIN length 2",
		  { 0, 0, 0, 1, 0, 13, 0, 2, 0, 0, 0, 21, 0, 0, 0, 0, 8, 10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5,
		    0x40, 1, 2, 0, 0 }, 33, "ORIGIN with bad length 2" },
		{ "trailing bytes after entries",
		  { 0, 0, 0, 1, 0, 13, 0, 2, 0, 0, 0, 18, 0, 0, 0, 0, 8, 10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		    9, 9 }, 30, "unexpected byte" },
		{ "truncated header", { 0, 0, 0, 1, 0, 13, 0 }, 7, "truncated MRT record header" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memcpy(buf, peer_table, sizeof peer_table);
		memcpy(buf + sizeof peer_table, cases[i].rib, cases[i].len);
		set_case("handmade: %s", cases[i].what);
		result res = parse(buf, sizeof peer_table + cases[i].len, "hand.mrt");
		CHECK(res.rc < 0 && strstr(res.err, cases[i].frag) && has_offset(res.err),
		      "%s: rc %d, message \"%s\" lacks \"%s\"", cases[i].what, res.rc, res.err,
		      cases[i].frag);
		printf("  ok %-30s -> %s\n", cases[i].what, res.err);
	}
	/* RIB before the peer table */
	static const uint8_t early[] = { 0, 0, 0, 1, 0, 13, 0, 2, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0 };
	set_case("handmade: RIB before peer table");
	result res = parse(early, sizeof early, "early.mrt");
	CHECK(res.rc < 0 && strstr(res.err, "before any PEER_INDEX_TABLE"), "early RIB: %s", res.err);
	/* a valid one-entry RIB record */
	static const uint8_t good[] = { 0, 0, 0, 1, 0, 13, 0, 2, 0, 0, 0, 16, 0, 0, 0, 0, 8, 10,
					0, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	memcpy(buf, peer_table, sizeof peer_table);
	memcpy(buf + sizeof peer_table, good, sizeof good);
	set_case("handmade: good");
	res = parse(buf, sizeof peer_table + sizeof good, "good.mrt");
	CHECK(res.rc == 0 && res.routes == 1, "good record: rc %d routes %" PRIu64 " (%s)", res.rc,
	      res.routes, res.err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: regress-mrt-fuzz DATA_DIR [RTM_MRT [SEED]]\n");
		return 2;
	}
	const char *dir = argv[1];
	const char *exe = argc > 2 && argv[2][0] ? argv[2] : NULL;
	if (argc > 3)
		rng_state ^= strtoull(argv[3], NULL, 0) * 0xD1B54A32D192ED03ull;
	if (rng_state == 0)
		rng_state = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);

	char tmpdir[] = "/tmp/mrt_fuzz.XXXXXX";
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}

	handmade();

	DIR *dp = opendir(dir);
	if (!dp) {
		printf("FAIL cannot open %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char *names[256];
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(dp)) && nn < 256) {
		const char *n = de->d_name;
		size_t l = strlen(n);
		bool mrt = (l > 4 && strcmp(n + l - 4, ".mrt") == 0) ||
			   (l > 3 && strcmp(n + l - 3, ".gz") == 0);
		if (n[0] != '.' && mrt)
			names[nn++] = strdup(n);
	}
	closedir(dp);
	qsort(names, nn, sizeof *names, cmp_str);
	CHECK(nn > 0, "no MRT files in %s", dir);
	for (size_t i = 0; i < nn; i++) {
		double t0 = now();
		one_file(dir, names[i], exe, tmpdir);
		printf("  (%.1f s)\n", now() - t0);
		free(names[i]);
	}
	rmdir(tmpdir);
	printf("%lu passed, %lu failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
