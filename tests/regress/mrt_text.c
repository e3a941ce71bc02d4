/*
 * mrt_text.c - the `bgpdump -m` text reader against the MRT reader
 * (ctest: regress.mrt_text).
 *
 *   regress-mrt-text DATA_DIR     (DATA_DIR = tests/data/mrt)
 *
 * 1. For every MRT file with a golden output (expected/FILE.bgpdump-m.txt.gz),
 *    reads the MRT routes and the golden lines side by side (the golden file
 *    through bgpdump_text.h, i.e. gzip text) and checks that each line's fields
 *    equal the MRT route's: kind, time, peer, prefix, path id, AS path, origin
 *    AS, origin, next hop, local pref, MED, atomic aggregate, aggregator.
 * 2. Malformed text gives -EINVAL with "name:line:" and the field.
 * 3. zreader: the same text as plain, bzip2 and xz (encoded here) reads the
 *    same, concatenated streams included; trailing junk, corrupt and truncated
 *    streams are errors naming the compressed byte offset.
 * 4. Hand-made legacy TABLE_DUMP records (not in the golden files): AS4_PATH /
 *    AS4_AGGREGATOR merging for 2-byte AS data, and AFI_IPv6 with MP_REACH_NLRI.
 * Last line: "N passed, M failed".
 */
#define _GNU_SOURCE 1

#include "bgpdump_text.h"
#include "mrt.h"
#include "zreader.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifdef RTM_LOADER_HAVE_BZIP2
#include <bzlib.h>
#endif
#if defined(RTM_LOADER_HAVE_LZMA) && !defined(RTM_LOADER_NO_LZMA)
#include <lzma.h>
#define HAVE_XZ 1
#endif

static unsigned long n_pass, n_fail;

#define CHECK(cond, ...)                                                                     \
	do {                                                                                 \
		if (cond) {                                                                  \
			n_pass++;                                                            \
		} else {                                                                     \
			n_fail++;                                                            \
			if (n_fail < 50) {                                                   \
				printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);       \
				printf(__VA_ARGS__);                                         \
				printf("\n");                                                \
			}                                                                    \
		}                                                                            \
	} while (0)

static bool ip_eq(const rtm_mrt_ip *a, const rtm_mrt_ip *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;
	return a->family == b->family && memcmp(a->addr, b->addr, n) == 0;
}

/* The next hop bgpdump prints for a route (see rtm_mrt_format_bgpdump). */
static rtm_mrt_ip printed_next_hop(const rtm_mrt_route *rt)
{
	const rtm_mrt_attrs *a = &rt->attrs;
	bool mp = a->present & RTM_MRT_HAS_MP_NEXT_HOP, v4 = a->present & RTM_MRT_HAS_NEXT_HOP;
	rtm_mrt_ip none = { AF_INET, { 255, 255, 255, 255 } };
	if (rt->prefix.AddressFamily == AF_INET6)
		return mp ? a->mp_next_hop : v4 ? a->next_hop : none;
	return v4 ? a->next_hop : mp ? a->mp_next_hop : none;
}

static void compare_file(const char *dir, const char *name)
{
	char mpath[4096], gpath[4096], err[1024];
	snprintf(mpath, sizeof mpath, "%s/%s", dir, name);
	snprintf(gpath, sizeof gpath, "%s/expected/%s.bgpdump-m.txt.gz", dir, name);
	rtm_mrt_reader *m;
	rtm_bgpdump_reader *t;
	int rc = rtm_mrt_open(mpath, NULL, &m, err, sizeof err);
	CHECK(rc == 0, "%s", err);
	if (rc)
		return;
	rc = rtm_bgpdump_open(gpath, NULL, &t, err, sizeof err);
	CHECK(rc == 0, "%s", err);
	if (rc) {
		rtm_mrt_close(m);
		return;
	}
	rtm_mrt_route rt;
	rtm_bgpdump_route br;
	rtm_mrt_text path = RTM_MRT_TEXT_INIT;
	uint64_t lines = 0, same = 0;
	for (;;) {
		int rm = rtm_mrt_next(m, &rt, err, sizeof err);
		CHECK(rm >= 0, "%s", err);
		int rt2 = rtm_bgpdump_next(t, &br, err, sizeof err);
		CHECK(rt2 >= 0, "%s", err);
		if (rm <= 0 || rt2 <= 0) {
			CHECK(rm == rt2, "%s: MRT and text end differently (%d, %d) after %" PRIu64
			      " lines", name, rm, rt2, lines);
			break;
		}
		lines++;
		path.len = 0;
		if (path.s)
			path.s[0] = '\0';
		rtm_mrt_format_as_path(&rt.attrs, &path);
		rtm_mrt_ip nh = printed_next_hop(&rt);
		bool ok = rt.kind == br.kind && rt.timestamp == br.timestamp &&
			  ip_eq(&rt.peer_ip, &br.peer_ip) && rt.peer_as == br.peer_as &&
			  memcmp(&rt.prefix, &br.prefix, sizeof rt.prefix) == 0 &&
			  rt.has_path_id == br.has_path_id && rt.path_id == br.path_id &&
			  path.len == br.as_path_len &&
			  (path.len == 0 || memcmp(path.s, br.as_path, path.len) == 0) &&
			  rtm_mrt_origin_as(&rt.attrs) == br.origin_as &&
			  rt.attrs.origin == br.origin && ip_eq(&nh, &br.next_hop) &&
			  rt.attrs.local_pref == br.local_pref && rt.attrs.med == br.med &&
			  !!(rt.attrs.present & RTM_MRT_HAS_ATOMIC_AGGREGATE) == br.atomic_aggregate &&
			  !!(rt.attrs.present & RTM_MRT_HAS_AGGREGATOR) == br.has_aggregator &&
			  (!br.has_aggregator || (rt.attrs.aggregator_as == br.aggregator_as &&
						  memcmp(rt.attrs.aggregator_ip, br.aggregator_ip.addr, 4) == 0));
		CHECK(ok, "%s line %" PRIu64 ": text fields differ from the MRT route", name, br.line);
		same += ok;
	}
	printf("  %s: %" PRIu64 " golden lines parsed, %" PRIu64 " agree with the MRT routes\n",
	       name, lines, same);
	rtm_mrt_text_free(&path);
	rtm_mrt_close(m);
	rtm_bgpdump_close(t);
}

static void expect_text_error(const char *what, const char *text, const char *frag1,
			      const char *frag2)
{
	rtm_bgpdump_reader *r;
	char err[512] = "";
	int rc = rtm_bgpdump_open_mem(text, strlen(text), "t.txt", NULL, &r, err, sizeof err);
	CHECK(rc == 0, "%s: open: %s", what, err);
	if (rc)
		return;
	rtm_bgpdump_route br;
	while ((rc = rtm_bgpdump_next(r, &br, err, sizeof err)) == 1)
		;
	CHECK(rc == -EINVAL, "%s: rc %d (%s)", what, rc, err);
	CHECK(strstr(err, frag1) != NULL, "%s: \"%s\" lacks \"%s\"", what, err, frag1);
	CHECK(!frag2 || strstr(err, frag2) != NULL, "%s: \"%s\" lacks \"%s\"", what, err, frag2);
	printf("  ok %-24s -> %s\n", what, err);
	rtm_bgpdump_close(r);
}

#define GOOD "TABLE_DUMP2|1277971181|B|203.119.104.1|4608|1.0.0.0/24|4608 1221 4637 15169|IGP|203.119.104.1|0|0||NAG||\n"

static void text_errors(void)
{
	/* a good line parses fully */
	rtm_bgpdump_route br;
	char err[256];
	const char *l = "TABLE_DUMP2_AP|5|B|2001:db8::1|4200000000|2001:db8::/32|7|1 {2,3} (4 5)|EGP|::ffff:1.2.3.4|100|20|65000:1 no-export|AG|65000 10.0.0.1|";
	int rc = rtm_bgpdump_parse_line(l, strlen(l), &br, err, sizeof err);
	CHECK(rc == 0, "good AP line: %s", err);
	CHECK(br.kind == RTM_MRT_KIND_TABLE_DUMP_V2_ADDPATH && br.path_id == 7 &&
	      br.peer_as == 4200000000u && br.origin == RTM_BGP_ORIGIN_EGP && br.local_pref == 100 &&
	      br.med == 20 && br.atomic_aggregate && br.has_aggregator && br.aggregator_as == 65000 &&
	      br.origin_as == 0 && br.prefix.NumBits == 32, "good AP line fields");
	l = "TABLE_DUMP|5|B|1.2.3.4|1|10.0.0.0/8|1 2 3|INCOMPLETE|1.2.3.4|0|0||NAG|";
	rc = rtm_bgpdump_parse_line(l, strlen(l), &br, err, sizeof err);
	CHECK(rc == 0 && br.origin_as == 3, "line without the final '|': %d %s", rc, err);

	expect_text_error("bad prefix", GOOD GOOD "TABLE_DUMP2|1|B|1.2.3.4|1|1.0.0.0/33|1|IGP|1.2.3.4|0|0||NAG||\n",
			  "t.txt:3:", "prefix");
	expect_text_error("too few fields", GOOD "TABLE_DUMP2|1|B|1.2.3.4|1|1.0.0.0/8|1|IGP\n",
			  "t.txt:2:", "fields");
	expect_text_error("bad origin", "TABLE_DUMP2|1|B|1.2.3.4|1|1.0.0.0/8|1|XGP|1.2.3.4|0|0||NAG||\n",
			  "t.txt:1:", "origin");
	expect_text_error("bad AS path", "TABLE_DUMP2|1|B|1.2.3.4|1|1.0.0.0/8|1  2|IGP|1.2.3.4|0|0||NAG||\n",
			  "t.txt:1:", "AS path");
	expect_text_error("AS too big", "TABLE_DUMP2|1|B|1.2.3.4|4294967296|1.0.0.0/8|1|IGP|1.2.3.4|0|0||NAG||\n",
			  "t.txt:1:", "peer AS");
	expect_text_error("bad community", GOOD "\n" "TABLE_DUMP2|1|B|1.2.3.4|1|1.0.0.0/8|1|IGP|1.2.3.4|0|0|65536:1|NAG||\n",
			  "t.txt:3:", "communities");
	expect_text_error("bad next hop", "TABLE_DUMP2|1|B|1.2.3.4|1|1.0.0.0/8|1|IGP|1.2.3|0|0||NAG||\n",
			  "t.txt:1:", "next hop");
	expect_text_error("BGP4MP line", "BGP4MP|1|A|1.2.3.4|1|1.0.0.0/8|1|IGP|1.2.3.4|0|0||NAG||\n",
			  "t.txt:1:", "not a TABLE_DUMP line");
	expect_text_error("bad AG", "TABLE_DUMP2|1|B|1.2.3.4|1|1.0.0.0/8|1|IGP|1.2.3.4|0|0||YES||\n",
			  "t.txt:1:", "atomic");

	/* skipping other kinds */
	rtm_bgpdump_opts o = { .flags = RTM_BGPDUMP_SKIP_OTHER };
	const char *txt = "BGP4MP|1|W|1.2.3.4|1|1.0.0.0/8\n" GOOD "\r\n";
	rtm_bgpdump_reader *r;
	rc = rtm_bgpdump_open_mem(txt, strlen(txt), "s.txt", &o, &r, err, sizeof err);
	CHECK(rc == 0, "open: %s", err);
	int n = 0;
	while ((rc = rtm_bgpdump_next(r, &br, err, sizeof err)) == 1)
		n++;
	rtm_bgpdump_stats st;
	rtm_bgpdump_get_stats(r, &st);
	CHECK(rc == 0 && n == 1 && st.skipped_other == 1 && st.blank == 1,
	      "skip other: rc %d n %d skipped %" PRIu64 " blank %" PRIu64, rc, n, st.skipped_other,
	      st.blank);
	rtm_bgpdump_close(r);
}

/* Reads everything through zreader; returns bytes or -1 with err. */
static ssize_t zread_all(const void *d, size_t len, char *out, size_t outcap, char *err,
			 size_t errlen)
{
	rtm_zreader *z;
	if (rtm_zreader_open_mem(d, len, "z", &z, err, errlen))
		return -1;
	size_t n = 0;
	for (;;) {
		char piece[7]; /* odd-sized reads exercise the reader's buffering */
		ssize_t k = rtm_zreader_read(z, piece, sizeof piece, err, errlen);
		if (k < 0) {
			rtm_zreader_close(z);
			return -1;
		}
		if (k == 0)
			break;
		for (ssize_t i = 0; i < k; i++, n++)
			if (n < outcap)
				out[n] = piece[i];
	}
	rtm_zreader_close(z);
	return (ssize_t)n;
}

static void zreader_checks(void)
{
	static const char text[] = GOOD GOOD GOOD;
	size_t tlen = sizeof text - 1;
	char out[4096], err[512];
	ssize_t n = zread_all(text, tlen, out, sizeof out, err, sizeof err);
	CHECK(n == (ssize_t)tlen && memcmp(out, text, tlen) == 0, "plain read: %zd", n);
#ifdef RTM_LOADER_HAVE_BZIP2
	{
		char c[8192];
		unsigned clen = sizeof c / 2;
		int brc = BZ2_bzBuffToBuffCompress(c, &clen, (char *)(uintptr_t)text, (unsigned)tlen, 9, 0, 0);
		CHECK(brc == BZ_OK, "bzip2 encode");
		memcpy(c + clen, c, clen); /* two concatenated streams */
		n = zread_all(c, 2 * clen, out, sizeof out, err, sizeof err);
		CHECK(n == (ssize_t)(2 * tlen) && memcmp(out, text, tlen) == 0 &&
		      memcmp(out + tlen, text, tlen) == 0, "bzip2 x2: %zd %s", n, n < 0 ? err : "");
		memcpy(c + clen, "junk!!", 6);
		n = zread_all(c, clen + 6, out, sizeof out, err, sizeof err);
		CHECK(n < 0 && strstr(err, "trailing") && strstr(err, "offset"), "bzip2 junk: %s", err);
		printf("  ok %-24s -> %s\n", "bzip2 trailing junk", err);
		c[clen / 2] ^= 0x55;
		n = zread_all(c, clen, out, sizeof out, err, sizeof err);
		CHECK(n < 0 && strstr(err, "offset"), "bzip2 corrupt: %s", err);
		printf("  ok %-24s -> %s\n", "bzip2 corrupt", err);
	}
#endif
#ifdef HAVE_XZ
	{
		uint8_t c[8192];
		size_t pos = 0;
		lzma_ret lr = lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)text,
						      tlen, c, &pos, sizeof c / 2);
		CHECK(lr == LZMA_OK, "xz encode");
		memcpy(c + pos, c, pos);
		n = zread_all(c, 2 * pos, out, sizeof out, err, sizeof err);
		CHECK(n == (ssize_t)(2 * tlen) && memcmp(out, text, tlen) == 0, "xz x2: %zd %s", n,
		      n < 0 ? err : "");
		n = zread_all(c, pos - 3, out, sizeof out, err, sizeof err);
		CHECK(n < 0 && strstr(err, "truncated") && strstr(err, "offset"), "xz cut: %s", err);
		printf("  ok %-24s -> %s\n", "xz truncated", err);
	}
#endif
	rtm_zreader *z;
	int rc = rtm_zreader_open("/nonexistent/file.gz", &z, err, sizeof err);
	CHECK(rc == -ENOENT && strstr(err, "/nonexistent/file.gz"), "missing file: %d %s", rc, err);
}

/* Formats the single route of a hand-made MRT file and compares the line. */
static void expect_line(const char *what, const uint8_t *d, size_t len, const char *want)
{
	rtm_mrt_reader *r;
	char err[512] = "";
	rtm_mrt_route rt;
	rtm_mrt_text line = RTM_MRT_TEXT_INIT;
	int rc = rtm_mrt_open_mem(d, len, what, NULL, &r, err, sizeof err);
	if (rc == 0)
		rc = rtm_mrt_next(r, &rt, err, sizeof err);
	if (rc == 1)
		rc = rtm_mrt_format_bgpdump(&rt, &line) == 0 ? 1 : -ENOMEM;
	CHECK(rc == 1 && strcmp(line.s, want) == 0, "%s: rc %d (%s)\n  got  %s  want %s", what, rc,
	      err, line.s ? line.s : "(none)\n", want);
	if (rc == 1)
		printf("  ok %-24s -> %s", what, line.s);
	if (rc >= 0)
		rtm_mrt_close(r);
	rtm_mrt_text_free(&line);
}

/* Legacy TABLE_DUMP: AS4_PATH / AS4_AGGREGATOR merging (RFC 6793) and IPv6. */
static void table_dump_v1(void)
{
	static const uint8_t v4[] = {
		0, 0, 0, 100, 0, 12, 0, 1, 0, 0, 0, 91,         /* TABLE_DUMP / AFI_IPv4, 91 bytes */
		0, 0, 0, 1, 10, 1, 0, 0, 16, 1, 0, 0, 0, 50,    /* view, seq, prefix, len, status, time */
		192, 0, 2, 9, 0xfd, 0xe9, 0, 69,                /* peer 192.0.2.9 AS65001, 69 bytes of attrs */
		0x40, 1, 1, 1,                                   /* ORIGIN EGP */
		0x40, 2, 8, 2, 3, 0xfd, 0xe9, 0x5b, 0xa0, 0x5b, 0xa0, /* AS_PATH 65001 23456 23456 */
		0x40, 3, 4, 192, 0, 2, 9,                        /* NEXT_HOP */
		0xc0, 17, 10, 2, 2, 0, 3, 0x0d, 0x40, 0, 3, 0x0d, 0x41, /* AS4_PATH 200000 200001 */
		0xc0, 7, 6, 0x5b, 0xa0, 10, 0, 0, 1,             /* AGGREGATOR 23456 10.0.0.1 */
		0xc0, 18, 8, 0, 3, 0x0d, 0x40, 10, 0, 0, 1,      /* AS4_AGGREGATOR 200000 10.0.0.1 */
		0xc0, 8, 8, 0xff, 0xff, 0xff, 0x01, 0xfd, 0xe9, 0, 7, /* COMMUNITIES no-export 65001:7 */
		0x40, 6, 0,                                      /* ATOMIC_AGGREGATE */
	};
	expect_line("TABLE_DUMP AS4 merge", v4, sizeof v4,
		    "TABLE_DUMP|100|B|192.0.2.9|65001|10.1.0.0/16|65001 200000 200001|EGP|192.0.2.9|0|0|"
		    "no-export 65001:7|AG|200000 10.0.0.1|\n");
	static const uint8_t v6[] = {
		0, 0, 0, 100, 0, 12, 0, 2, 0, 0, 0, 74,         /* TABLE_DUMP / AFI_IPv6, 74 bytes */
		0, 0, 0, 2,                                      /* view, seq */
		0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 48, 1, 0, 0, 0, 50,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0xfd, 0xea, 0, 28,
		0x40, 1, 1, 0,                                   /* ORIGIN IGP */
		0x80, 14, 21, 0, 2, 1, 16,                       /* MP_REACH_NLRI, IPv6 unicast */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
	};
	expect_line("TABLE_DUMP IPv6", v6, sizeof v6,
		    "TABLE_DUMP|100|B|2001:db8::9|65002|2001:db8:1::/48||IGP|2001:db8::1|0|0||NAG||\n");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: regress-mrt-text DATA_DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	char gdir[4096];
	snprintf(gdir, sizeof gdir, "%s/expected", argv[1]);
	DIR *dp = opendir(gdir);
	CHECK(dp != NULL, "cannot open %s", gdir);
	char *names[256];
	size_t nn = 0;
	const char *suffix = ".bgpdump-m.txt.gz";
	struct dirent *de;
	while (dp && (de = readdir(dp)) && nn < 256) {
		size_t l = strlen(de->d_name), sl = strlen(suffix);
		if (l > sl && strcmp(de->d_name + l - sl, suffix) == 0)
			names[nn++] = strndup(de->d_name, l - sl);
	}
	if (dp)
		closedir(dp);
	qsort(names, nn, sizeof *names, cmp_str);
	CHECK(nn > 0, "no golden files in %s", gdir);
	for (size_t i = 0; i < nn; i++) {
		compare_file(argv[1], names[i]);
		free(names[i]);
	}
	text_errors();
	zreader_checks();
	table_dump_v1();
	printf("%lu passed, %lu failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
