/*
 * loader_errors.c - tests of the prefix-list loader (tools/loader/prefix_list.h):
 * the bundled full tables load with the documented counts, and malformed input
 * of every kind gives a clean error naming the file and the line (or, for xz
 * damage, the byte offset) instead of a crash.
 *
 * Usage: regress-loader-errors DATA_DIR   (DATA_DIR = tests/data/fulltable)
 * Last line: "N passed, M failed".
 */
#define _GNU_SOURCE 1

#include "prefix_list.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifdef RTM_LOADER_HAVE_LZMA
#include <lzma.h>
#endif

static unsigned long n_pass, n_fail;

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

/* Loads text from memory; returns rc, leaves the message in err and count in *n. */
static int load_text(const char *text, size_t len, const rtm_prefix_list_opts *o,
		     rtm_prefix_list *l, rtm_prefix_list_stats *st, char *err, size_t errlen)
{
	rtm_prefix_list_free(l);
	return rtm_prefix_list_load_mem(text, len, "t.txt", o, l, st, err, errlen);
}

/* Expects failure with rc and a message containing every given fragment. */
static void expect_error(const char *what, const char *text, size_t len,
			 const rtm_prefix_list_opts *o, int want_rc, const char *frag1,
			 const char *frag2)
{
	rtm_prefix_list l = RTM_PREFIX_LIST_INIT;
	char err[256];
	int rc = load_text(text, len, o, &l, NULL, err, sizeof err);
	CHECK(rc == want_rc, "%s: rc %d, want %d (%s)", what, rc, want_rc, err);
	CHECK(frag1 == NULL || strstr(err, frag1), "%s: message \"%s\" lacks \"%s\"", what, err,
	      frag1);
	CHECK(frag2 == NULL || strstr(err, frag2), "%s: message \"%s\" lacks \"%s\"", what, err,
	      frag2);
	if (rc)
		printf("  ok %-28s -> %s\n", what, err);
	rtm_prefix_list_free(&l);
}

#define S(x) x, sizeof(x) - 1

static void test_good_syntax(void)
{
	rtm_prefix_list l = RTM_PREFIX_LIST_INIT;
	rtm_prefix_list_stats st;
	char err[256] = "";
	const char text[] =
		"# header comment\n"
		"\n"
		"   \t\n"
		"1.0.0.0/24\n"
		"10.0.0.0/8\tAS64500\tsome other field\n"
		"  192.168.0.0/16  # private\r\n"
		"0.0.0.0/0\n"
		"255.255.255.255/32\n"
		"2001:db8::/32\n"
		"::/0\n"
		"::ffff:10.1.2.0/120\n"
		"2001:DB8:1:2:3:4:5:6/128\n"
		"10.1.2.3/8\n"                 /* host bits: allowed, cleared, counted */
		"fe80::1/10";                  /* last line without newline, host bits */
	int rc = load_text(S(text), NULL, &l, &st, err, sizeof err);
	CHECK(rc == 0, "rc %d (%s)", rc, err);
	CHECK(l.count == 11, "count %zu", l.count);
	CHECK(st.lines == 14, "lines %llu", (unsigned long long)st.lines);
	CHECK(st.comments_blank == 3, "comments %llu", (unsigned long long)st.comments_blank);
	CHECK(st.host_bits_set == 2, "host bits %llu", (unsigned long long)st.host_bits_set);
	CHECK(st.first_host_bits_line == 13, "first host line %llu",
	      (unsigned long long)st.first_host_bits_line);
	if (l.count == 11) {
		char b[RTM_PREFIX_STRLEN];
		const char *want[11] = { "1.0.0.0/24", "10.0.0.0/8", "192.168.0.0/16", "0.0.0.0/0",
					 "255.255.255.255/32", "2001:db8::/32", "::/0",
					 "::ffff:10.1.2.0/120", "2001:db8:1:2:3:4:5:6/128",
					 "10.0.0.0/8", "fe80::/10" };
		for (int i = 0; i < 11; i++)
			CHECK(strcmp(rtm_prefix_format(&l.items[i], b, sizeof b), want[i]) == 0,
			      "item %d is %s, want %s", i, b, want[i]);
		CHECK(l.items[0].AddressFamily == AF_INET && l.items[0].NumBits == 24 &&
			      l.items[0].AddrBits[0] == 1 && l.items[0].AddrBits[3] == 0,
		      "1.0.0.0/24 encoding");
		CHECK(l.items[5].AddressFamily == AF_INET6 && l.items[5].NumBits == 32 &&
			      l.items[5].AddrBits[0] == 0x20 && l.items[5].AddrBits[1] == 0x01 &&
			      l.items[5].AddrBits[2] == 0x0d && l.items[5].AddrBits[3] == 0xb8,
		      "2001:db8::/32 encoding");
	}

	/* family filter */
	rtm_prefix_list_opts o = { .family = AF_INET6 };
	rc = load_text(S(text), &o, &l, &st, err, sizeof err);
	CHECK(rc == 0 && l.count == 5 && st.skipped_family == 6, "v6 filter: rc %d count %zu skipped %llu",
	      rc, l.count, (unsigned long long)st.skipped_family);
	o.family = AF_INET;
	rc = load_text(S(text), &o, &l, &st, err, sizeof err);
	CHECK(rc == 0 && l.count == 6, "v4 filter: rc %d count %zu", rc, l.count);

	/* keep host bits */
	o = (rtm_prefix_list_opts){ .flags = RTM_PL_KEEP_HOST_BITS };
	rc = load_text(S("10.1.2.3/8\n"), &o, &l, &st, err, sizeof err);
	CHECK(rc == 0 && l.count == 1 && l.items[0].AddrBits[3] == 3, "keep host bits");

	/* warnings go to the given stream */
	char *wbuf = NULL;
	size_t wlen = 0;
	FILE *w = open_memstream(&wbuf, &wlen);
	o = (rtm_prefix_list_opts){ .warn = w };
	rc = load_text(S("1.2.3.4/24\n"), &o, &l, &st, err, sizeof err);
	fclose(w);
	CHECK(rc == 0 && wbuf && strstr(wbuf, "t.txt:1:") && strstr(wbuf, "host bits"),
	      "warning text: %s", wbuf ? wbuf : "(none)");
	free(wbuf);

	/* empty input */
	rc = load_text("", 0, NULL, &l, &st, err, sizeof err);
	CHECK(rc == 0 && l.count == 0, "empty input");
	rtm_prefix_list_free(&l);
}

static void test_bad_text(void)
{
	rtm_prefix_list_opts strict = { .flags = RTM_PL_HOST_BITS_ERROR };
	rtm_prefix_list_opts badfam = { .family = 99 };

	expect_error("bad IPv4", S("1.0.0.0/24\n1.2.3/24\n"), NULL, -EINVAL, "t.txt:2:", "IPv4");
	expect_error("IPv4 octet > 255", S("256.0.0.0/8\n"), NULL, -EINVAL, "t.txt:1:", "IPv4");
	expect_error("IPv4 leading zero", S("010.0.0.0/8\n"), NULL, -EINVAL, "t.txt:1:", NULL);
	expect_error("IPv4 five parts", S("1.2.3.4.5/8\n"), NULL, -EINVAL, "t.txt:1:", NULL);
	expect_error("bad IPv6", S("\n\n2001:db8::g/32\n"), NULL, -EINVAL, "t.txt:3:", "IPv6");
	expect_error("IPv6 two ::", S("2001::db8::/32\n"), NULL, -EINVAL, "t.txt:1:", "IPv6");
	expect_error("/33", S("10.0.0.0/33\n"), NULL, -EINVAL, "t.txt:1:", "/33");
	expect_error("/129", S("2001:db8::/129\n"), NULL, -EINVAL, "t.txt:1:", "/129");
	expect_error("/1000", S("10.0.0.0/1000\n"), NULL, -EINVAL, "t.txt:1:", NULL);
	expect_error("missing length", S("# c\n10.0.0.0\n"), NULL, -EINVAL, "t.txt:2:", "missing");
	expect_error("empty length", S("10.0.0.0/\n"), NULL, -EINVAL, "t.txt:1:", "missing");
	expect_error("negative length", S("10.0.0.0/-8\n"), NULL, -EINVAL, "t.txt:1:", "length");
	expect_error("junk after prefix", S("10.0.0.0/8x\n"), NULL, -EINVAL, "t.txt:1:", "length");
	expect_error("two slashes", S("10.0.0.0/8/9\n"), NULL, -EINVAL, "t.txt:1:", NULL);
	expect_error("garbage word", S("hello\n"), NULL, -EINVAL, "t.txt:1:", NULL);
	expect_error("host bits strict", S("10.0.0.0/8\n10.1.0.0/8\n"), &strict, -EINVAL,
		     "t.txt:2:", "host bits");
	expect_error("NUL byte", "1.0.0.0/24\n1.0\0.0/24\n", 22, NULL, -EINVAL, "t.txt:2:", "NUL");
	expect_error("bad family filter", S("1.0.0.0/24\n"), &badfam, -EINVAL, "family", NULL);

	/* absurd line length: default limit 4096, and a custom one */
	size_t big = 1u << 20;
	char *huge = malloc(big + 32);
	if (huge) {
		memcpy(huge, "1.0.0.0/24\n", 11);
		memset(huge + 11, 'a', big);
		memcpy(huge + 11 + big, "\n", 1);
		expect_error("1 MiB line", huge, big + 12, NULL, -E2BIG, "t.txt:2:", "longer than 4096");
		rtm_prefix_list_opts tiny = { .max_line_len = 8 };
		expect_error("line over custom limit", S("1.0.0.0/8\n"), &tiny, -E2BIG, "t.txt:1:", NULL);
		free(huge);
	}
	/* a gzip file is recognised and refused */
	expect_error("gzip input", "\x1f\x8b\x08\x00rest", 8, NULL, -ENOTSUP, "gzip", NULL);

	/* a file that does not exist */
	rtm_prefix_list l = RTM_PREFIX_LIST_INIT;
	char err[256];
	int rc = rtm_prefix_list_load("/nonexistent/dir/x.txt", NULL, &l, NULL, err, sizeof err);
	CHECK(rc == -ENOENT && strstr(err, "/nonexistent/dir/x.txt"), "missing file: %d %s", rc, err);
	printf("  ok %-28s -> %s\n", "missing file", err);
	rtm_prefix_list_free(&l);
}

#ifdef RTM_LOADER_HAVE_LZMA
static void test_xz(void)
{
	const char text[] = "1.0.0.0/24\n2001:db8::/32\n10.0.0.0/8\n";
	size_t cap = 4096, n = 0;
	unsigned char *xz = malloc(cap);
	if (!xz) {
		CHECK(0, "malloc");
		return;
	}
	lzma_ret r = lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)text,
					     sizeof text - 1, xz, &n, cap);
	CHECK(r == LZMA_OK, "encode %d", (int)r);

	rtm_prefix_list l = RTM_PREFIX_LIST_INIT;
	rtm_prefix_list_stats st;
	char err[256] = "";
	int rc = rtm_prefix_list_load_mem(xz, n, "t.xz", NULL, &l, &st, err, sizeof err);
	CHECK(rc == 0 && l.count == 3 && st.compressed == 1 && st.bytes_in == n,
	      "xz in memory: rc %d count %zu (%s)", rc, l.count, err);
	rtm_prefix_list_free(&l);

	/* two concatenated streams */
	unsigned char *two = malloc(2 * n);
	if (two) {
		memcpy(two, xz, n);
		memcpy(two + n, xz, n);
		rc = rtm_prefix_list_load_mem(two, 2 * n, "t2.xz", NULL, &l, &st, err, sizeof err);
		CHECK(rc == 0 && l.count == 6, "concatenated: rc %d count %zu (%s)", rc, l.count, err);
		rtm_prefix_list_free(&l);
		free(two);
	}

	/* truncated at every length: an error naming the offset, never a crash */
	int bad = 0;
	for (size_t cut = 6; cut < n; cut++) {
		rc = rtm_prefix_list_load_mem(xz, cut, "cut.xz", NULL, &l, NULL, err, sizeof err);
		if (rc != -EBADMSG || !strstr(err, "cut.xz") || !strstr(err, "offset")) {
			if (bad++ < 3)
				printf("  truncated to %zu: rc %d %s\n", cut, rc, err);
		}
		rtm_prefix_list_free(&l);
	}
	CHECK(bad == 0, "%d truncations not reported as -EBADMSG with an offset", bad);
	rc = rtm_prefix_list_load_mem(xz, n - 1, "cut.xz", NULL, &l, NULL, err, sizeof err);
	printf("  ok %-28s -> %s\n", "truncated xz", err);
	rtm_prefix_list_free(&l);

	/* a flipped byte in every position of the payload */
	bad = 0;
	for (size_t pos = 12; pos < n; pos++) {
		unsigned char *c = malloc(n);
		if (!c)
			break;
		memcpy(c, xz, n);
		c[pos] ^= 0x55;
		rc = rtm_prefix_list_load_mem(c, n, "flip.xz", NULL, &l, NULL, err, sizeof err);
		/* Damage can also produce text that then fails to parse; any clean error is fine. */
		if (rc == 0 || (rc != -EBADMSG && rc != -EINVAL && rc != -E2BIG && rc != -ENOMEM)) {
			if (bad++ < 3)
				printf("  flipped byte %zu: rc %d %s\n", pos, rc, err);
		}
		rtm_prefix_list_free(&l);
		free(c);
	}
	CHECK(bad == 0, "%d corruptions were not reported", bad);

	/* garbage after a complete stream */
	unsigned char *trail = malloc(n + 7);
	if (trail) {
		memcpy(trail, xz, n);
		memcpy(trail + n, "garbage", 7);
		rc = rtm_prefix_list_load_mem(trail, n + 7, "trail.xz", NULL, &l, NULL, err, sizeof err);
		CHECK(rc == -EBADMSG && strstr(err, "offset"), "trailing garbage: rc %d %s", rc, err);
		printf("  ok %-28s -> %s\n", "garbage after xz stream", err);
		rtm_prefix_list_free(&l);
		free(trail);
	}
	free(xz);
}
#endif

static void test_full_tables(const char *dir)
{
	static const struct {
		const char *file;
		int family;
		size_t count;
	} t[] = {
		{ "tier1-2023-ipv4.txt.xz", AF_INET, 901899 },
		{ "tier1-2023-ipv6.txt.xz", AF_INET6, 160147 },
	};
	for (int i = 0; i < 2; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, t[i].file);
		rtm_prefix_list l = RTM_PREFIX_LIST_INIT;
		rtm_prefix_list_stats st;
		char err[512] = "";
		rtm_prefix_list_opts o = { .flags = RTM_PL_HOST_BITS_ERROR };
		int rc = rtm_prefix_list_load(path, &o, &l, &st, err, sizeof err);
		CHECK(rc == 0, "%s: rc %d: %s", path, rc, err);
		CHECK(l.count == t[i].count, "%s: %zu prefixes, want %zu", path, l.count, t[i].count);
		size_t wrong = 0;
		for (size_t k = 0; k < l.count; k++)
			wrong += l.items[k].AddressFamily != t[i].family;
		CHECK(wrong == 0, "%s: %zu entries of the wrong family", path, wrong);
		printf("  %s: %zu prefixes, %llu bytes xz, %llu bytes text\n", t[i].file, l.count,
		       (unsigned long long)st.bytes_in, (unsigned long long)st.bytes_text);
		/* the wrong-family filter skips everything */
		rtm_prefix_list_free(&l);
		o.family = t[i].family == AF_INET ? AF_INET6 : AF_INET;
		rc = rtm_prefix_list_load(path, &o, &l, &st, err, sizeof err);
		CHECK(rc == 0 && l.count == 0 && st.skipped_family == t[i].count,
		      "%s: filter: rc %d count %zu", path, rc, l.count);
		rtm_prefix_list_free(&l);
	}
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("RTM_DATA_DIR");
	test_good_syntax();
	test_bad_text();
#ifdef RTM_LOADER_HAVE_LZMA
	test_xz();
#else
	printf("liblzma not available: xz tests skipped\n");
#endif
	if (dir)
		test_full_tables(dir);
	else
		printf("no data directory given: full-table load skipped\n");
	printf("%lu passed, %lu failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
