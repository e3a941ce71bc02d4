/*
 * lpm_diff.c - longest-prefix-match differential test on a real full table.
 *
 * Loads every prefix of the bundled IPv4 and IPv6 full tables into the RTM
 * (one entity per family, one next hop, RtmAddRouteToDest) and compares the
 * RTM's lookups against a deliberately simple reference: a hash set of masked
 * prefixes, probed from the longest present prefix length down.
 *
 * Per family:
 *   1. load; every add must report a new route and a best-route change;
 *   2. RtmGetExactMatchDestination for every prefix, and for every prefix
 *      lengthened by one bit (query host bits set, which the RTM must mask);
 *   3. RtmGetMostSpecificDestination (full-length queries) for SAMPLES addresses
 *      drawn uniformly, SAMPLES drawn inside random table prefixes and, for
 *      IPv6, SAMPLES drawn from 2000::/3 (the table covers only 0.04 % of it);
 *      SAMPLES/2 "near" addresses (the first k <= len bits of a table prefix,
 *      the rest random: near misses and hits at every level); and SAMPLES/10
 *      queries of random length with host bits set (dest.NumBits <= NumBits);
 *   4. RtmGetLessSpecificDestination chains (up to the top) from a sample of
 *      destinations, against the reference's longest strictly shorter cover;
 *   5. delete a random half of the routes (RtmDeleteRouteToDest), then: exact
 *      match of every prefix (deleted ones must be gone), a smaller most-specific
 *      differential (inside deleted prefixes the covering prefix must answer),
 *      and less-specific chains again;
 *   6. release the next hop and deregister the entity.
 * Every most-specific query is also asked of RtmxLookupRoute, which must find
 * the same prefix through the one next hop; after the load and after the
 * deletes, a destination enumeration must list every live prefix once, in
 * order.
 * Each found DestInfo is checked (address, one UCAST view, one route, owner)
 * and released with RtmReleaseDestInfo.
 *
 * Usage:  regress-lpm-diff [DATA_DIR [SAMPLES]]   (DATA_DIR default: $RTM_DATA_DIR, else ".")
 * Environment: RTM_SEED (decimal or 0x-hex) fixes the seed; RTM_LPM_SAMPLES
 * sets the per-category sample count (over SAMPLES; default 1000000).
 * Output: the seed, counts, timings, the first mismatches of each kind, and
 * as the last line "N passed, M failed" (N, M = checks). Exit 1 on any failure.
 */
#define _GNU_SOURCE 1

#include <rtmv2.h>
#include <rtm/rtmx.h>

#include "prefix_list.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* ------------------------------------------------------------------------- */
/* checks and reporting                                                       */
/* ------------------------------------------------------------------------- */

#define MAX_SHOWN 20  /* mismatches printed per category */

static uint64_t g_pass, g_fail;

struct category {
	const char *name;
	uint64_t checks, fails;
	uint64_t found;      /* lookups the reference answered with a prefix */
};

static bool check(struct category *c, bool ok)
{
	c->checks++;
	if (ok) {
		g_pass++;
		return true;
	}
	g_fail++;
	c->fails++;
	return false;
}

/* True if this failure should be printed (the first MAX_SHOWN per category). */
static bool show(const struct category *c)
{
	if (c->fails <= MAX_SHOWN)
		return true;
	if (c->fails == MAX_SHOWN + 1)
		printf("    [%s] further mismatches are not shown\n", c->name);
	return false;
}

static void report(const struct category *c)
{
	printf("    %-58s %9" PRIu64 " checks, %" PRIu64 " mismatches", c->name, c->checks,
	       c->fails);
	if (c->found)
		printf(" (%.1f%% found)", 100.0 * (double)c->found / (double)c->checks);
	printf("\n");
}

static const char *err_name(DWORD e)
{
	switch (e) {
	case NO_ERROR: return "NO_ERROR";
	case ERROR_ACCESS_DENIED: return "ERROR_ACCESS_DENIED";
	case ERROR_INVALID_HANDLE: return "ERROR_INVALID_HANDLE";
	case ERROR_NOT_ENOUGH_MEMORY: return "ERROR_NOT_ENOUGH_MEMORY";
	case ERROR_NOT_SUPPORTED: return "ERROR_NOT_SUPPORTED";
	case ERROR_INVALID_PARAMETER: return "ERROR_INVALID_PARAMETER";
	case ERROR_INSUFFICIENT_BUFFER: return "ERROR_INSUFFICIENT_BUFFER";
	case ERROR_ALREADY_EXISTS: return "ERROR_ALREADY_EXISTS";
	case ERROR_NO_MORE_ITEMS: return "ERROR_NO_MORE_ITEMS";
	case ERROR_NOT_FOUND: return "ERROR_NOT_FOUND";
	case ERROR_NO_SYSTEM_RESOURCES: return "ERROR_NO_SYSTEM_RESOURCES";
	default: return "?";
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------------- */
/* random numbers (xoshiro256**, seeded through splitmix64)                    */
/* ------------------------------------------------------------------------- */

static uint64_t rng_s[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void rng_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rng_s[i] = splitmix64(&seed);
}

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(void)
{
	uint64_t r = rotl64(rng_s[1] * 5, 7) * 9, t = rng_s[1] << 17;
	rng_s[2] ^= rng_s[0];
	rng_s[3] ^= rng_s[1];
	rng_s[1] ^= rng_s[2];
	rng_s[0] ^= rng_s[3];
	rng_s[2] ^= t;
	rng_s[3] = rotl64(rng_s[3], 45);
	return r;
}

/* Uniform in [0, n), n > 0 (the tiny modulo bias is irrelevant here). */
static uint64_t rng_below(uint64_t n)
{
	return rng_next() % n;
}

/* ------------------------------------------------------------------------- */
/* 128-bit keys                                                               */
/* ------------------------------------------------------------------------- */

/* An address of either family as 128 bits, most significant first. IPv4 sits in the top 32 bits. */
typedef struct key128 {
	uint64_t hi, lo;
} key128;

static key128 key_from_addr(const RTM_NET_ADDRESS *a, unsigned width)
{
	key128 k = { 0, 0 };
	for (unsigned i = 0; i < width / 8; i++) {
		if (i < 8)
			k.hi |= (uint64_t)a->AddrBits[i] << (56 - 8 * i);
		else
			k.lo |= (uint64_t)a->AddrBits[i] << (56 - 8 * (i - 8));
	}
	return k;
}

static void addr_from_key(RTM_NET_ADDRESS *a, key128 k, unsigned family, unsigned width,
			  unsigned numbits)
{
	memset(a, 0, sizeof *a);
	a->AddressFamily = (USHORT)family;
	a->NumBits = (USHORT)numbits;
	for (unsigned i = 0; i < width / 8; i++)
		a->AddrBits[i] = (UCHAR)(i < 8 ? k.hi >> (56 - 8 * i) : k.lo >> (56 - 8 * (i - 8)));
}

/* The first len bits of k (len 0..128). */
static key128 key_mask(key128 k, unsigned len)
{
	key128 r;
	if (len == 0) {
		r.hi = r.lo = 0;
	} else if (len < 64) {
		r.hi = k.hi & ~(UINT64_MAX >> len);
		r.lo = 0;
	} else if (len == 64) {
		r.hi = k.hi;
		r.lo = 0;
	} else if (len < 128) {
		r.hi = k.hi;
		r.lo = k.lo & ~(UINT64_MAX >> (len - 64));
	} else {
		r = k;
	}
	return r;
}

/* Bits of k past len replaced by random bits. */
static key128 key_randomize_host(key128 k, unsigned len, unsigned width)
{
	key128 r = { rng_next(), rng_next() };
	key128 net = key_mask(k, len);
	key128 hostmask = { ~key_mask((key128){ UINT64_MAX, UINT64_MAX }, len).hi,
			    ~key_mask((key128){ UINT64_MAX, UINT64_MAX }, len).lo };
	key128 out = { net.hi | (r.hi & hostmask.hi), net.lo | (r.lo & hostmask.lo) };
	return key_mask(out, width);
}

/* ------------------------------------------------------------------------- */
/* the reference: one hash set of (masked prefix, length)                     */
/* ------------------------------------------------------------------------- */

struct ref_slot {
	uint64_t hi, lo;
	uint32_t idx;     /* index into the prefix list + 1; 0 = empty slot */
	uint8_t len;
};

struct reference {
	unsigned width;
	const RTM_NET_ADDRESS *items;
	size_t n;
	uint8_t *alive;          /* alive[i]: prefix i is (still) in the table */
	struct ref_slot *slots;
	size_t mask;             /* capacity - 1 */
	unsigned lens[129];      /* prefix lengths present, longest first */
	unsigned nlens;
};

static uint64_t ref_hash(uint64_t hi, uint64_t lo, unsigned len)
{
	uint64_t x = hi ^ rotl64(lo, 29) ^ ((uint64_t)len * 0xD6E8FEB86659FD93ull);
	return splitmix64(&x);
}

/* Index of the table prefix equal to (k masked to len), or -1. Ignores alive. */
static long ref_find(const struct reference *r, key128 k, unsigned len)
{
	k = key_mask(k, len);
	for (size_t i = ref_hash(k.hi, k.lo, len) & r->mask;; i = (i + 1) & r->mask) {
		const struct ref_slot *s = &r->slots[i];
		if (s->idx == 0)
			return -1;
		if (s->len == len && s->hi == k.hi && s->lo == k.lo)
			return (long)s->idx - 1;
	}
}

/* Live prefix equal to k/len, or -1. */
static long ref_exact(const struct reference *r, key128 k, unsigned len)
{
	long i = ref_find(r, k, len);
	return (i >= 0 && r->alive[i]) ? i : -1;
}

/* Longest live prefix of length <= maxlen covering k, or -1. */
static long ref_lpm(const struct reference *r, key128 k, unsigned maxlen)
{
	for (unsigned j = 0; j < r->nlens; j++) {
		unsigned len = r->lens[j];
		if (len > maxlen)
			continue;
		long i = ref_exact(r, k, len);
		if (i >= 0)
			return i;
	}
	return -1;
}

static int ref_build(struct reference *r, const rtm_prefix_list *pl, unsigned width)
{
	memset(r, 0, sizeof *r);
	r->width = width;
	r->items = pl->items;
	r->n = pl->count;
	size_t cap = 1024;
	while (cap < 2 * pl->count)
		cap *= 2;
	r->slots = calloc(cap, sizeof *r->slots);
	r->alive = malloc(pl->count ? pl->count : 1);
	if (!r->slots || !r->alive)
		return -ENOMEM;
	r->mask = cap - 1;
	bool present[129] = { false };
	for (size_t p = 0; p < pl->count; p++) {
		unsigned len = pl->items[p].NumBits;
		key128 k = key_mask(key_from_addr(&pl->items[p], width), len);
		present[len] = true;
		r->alive[p] = 1;
		size_t i = ref_hash(k.hi, k.lo, len) & r->mask;
		for (;; i = (i + 1) & r->mask) {
			struct ref_slot *s = &r->slots[i];
			if (s->idx == 0) {
				s->hi = k.hi;
				s->lo = k.lo;
				s->len = (uint8_t)len;
				s->idx = (uint32_t)p + 1;
				break;
			}
			if (s->len == len && s->hi == k.hi && s->lo == k.lo) {
				/* duplicate in the input: the later copy is a no-op re-add */
				r->alive[p] = 0;
				break;
			}
		}
	}
	for (int len = (int)width; len >= 0; len--)
		if (present[len])
			r->lens[r->nlens++] = (unsigned)len;
	return 0;
}

static void ref_free(struct reference *r)
{
	free(r->slots);
	free(r->alive);
}

/* ------------------------------------------------------------------------- */
/* the test proper                                                            */
/* ------------------------------------------------------------------------- */

struct fam {
	const char *name;        /* "IPv4" */
	unsigned family, width;
	const char *file;
};

struct ctx {
	const struct fam *f;
	struct reference ref;
	RTM_ENTITY_HANDLE h;
	RTM_NEXTHOP_HANDLE nh;
	RTM_NET_ADDRESS nh_addr; /* the next hop's address, for RtmxLookupRoute */
	RTM_DEST_INFO *di, *di2;
	RTM_REGN_PROFILE prof;
	size_t samples;
};

static char *fmt_addr(const RTM_NET_ADDRESS *a, char *buf)
{
	return rtm_prefix_format(a, buf, RTM_PREFIX_STRLEN);
}

/*
 * Checks a lookup answer (rc, info) against the expected prefix index (-1 =
 * none), then releases the info. `what` describes the query for messages.
 */
static void check_answer(struct ctx *c, struct category *cat, const RTM_NET_ADDRESS *q,
			 DWORD rc, RTM_DEST_INFO *di, long want)
{
	const struct fam *f = c->f;
	char qb[RTM_PREFIX_STRLEN], wb[RTM_PREFIX_STRLEN], gb[RTM_PREFIX_STRLEN];
	bool ok, contents = false;
	const char *why = "";

	if (want >= 0)
		cat->found++;
	if (want < 0) {
		ok = rc == ERROR_NOT_FOUND;
		why = "expected ERROR_NOT_FOUND";
	} else if (rc != NO_ERROR) {
		ok = false;
		why = "expected NO_ERROR";
	} else {
		const RTM_NET_ADDRESS *w = &c->ref.items[want];
		const RTM_NET_ADDRESS *g = &di->DestAddress;
		ok = g->AddressFamily == f->family && g->NumBits == w->NumBits &&
		     memcmp(g->AddrBits, w->AddrBits, f->width / 8) == 0;
		why = "wrong destination";
		if (ok) {
			ok = di->DestHandle != NULL && di->NumberOfViews == 1 &&
			     di->ViewInfo[0].ViewId == RTM_VIEW_ID_UCAST &&
			     di->ViewInfo[0].NumRoutes == 1 && di->ViewInfo[0].Route != NULL &&
			     di->ViewInfo[0].Owner == c->h &&
			     (di->BelongsToViews & RTM_VIEW_MASK_UCAST);
			why = "bad DestInfo contents (handle / views / NumRoutes / Route / Owner)";
			contents = !ok;
		}
	}
	if (!check(cat, ok) && show(cat)) {
		printf("    MISMATCH [%s] query %s: %s; want %s, got %s%s%s", cat->name,
		       fmt_addr(q, qb), why, want >= 0 ? fmt_addr(&c->ref.items[want], wb) : "none",
		       err_name(rc), rc == NO_ERROR ? " " : "",
		       rc == NO_ERROR ? fmt_addr(&di->DestAddress, gb) : "");
		if (contents)
			printf(" (DestHandle %p views %u ViewId %d NumRoutes %u Route %p Owner %p, entity %p)",
			       di->DestHandle, di->NumberOfViews, di->ViewInfo[0].ViewId,
			       di->ViewInfo[0].NumRoutes, di->ViewInfo[0].Route,
			       di->ViewInfo[0].Owner, c->h);
		printf("\n");
	}
}

static struct category cat_release = { "RtmReleaseDestInfo (both families)", 0, 0, 0 };

static void release_info(struct ctx *c, RTM_DEST_INFO *di)
{
	DWORD rc = RtmReleaseDestInfo(c->h, di);
	if (!check(&cat_release, rc == NO_ERROR) && show(&cat_release))
		printf("    MISMATCH [%s] returned %s (%lu)\n", cat_release.name, err_name(rc),
		       (unsigned long)rc);
}

static struct category cat_fwd = { "RtmxLookupRoute, every most-specific query (both families)",
				   0, 0, 0 };

/* The forwarding lookup of q must find the same prefix, through the one next hop. */
static void fwd_one(struct ctx *c, const RTM_NET_ADDRESS *q, long want)
{
	RTMX_FWD_INFO fi;
	DWORD rc = RtmxLookupRoute(c->h, q, RTM_VIEW_MASK_UCAST, &fi);
	bool ok;

	if (want < 0) {
		ok = rc == ERROR_NOT_FOUND;
	} else {
		const RTM_NET_ADDRESS *w = &c->ref.items[want];
		ok = rc == NO_ERROR && fi.DestAddress.AddressFamily == c->f->family &&
		     fi.DestAddress.NumBits == w->NumBits &&
		     memcmp(fi.DestAddress.AddrBits, w->AddrBits, c->f->width / 8) == 0 &&
		     fi.NumNextHops == 1 && fi.TotalNextHops == 1 &&
		     fi.NextHops[0].InterfaceIndex == 1 &&
		     memcmp(&fi.NextHops[0].NextHopAddress, &c->nh_addr, sizeof(c->nh_addr)) == 0 &&
		     fi.PrefInfo.Preference == 20 && fi.PrefInfo.Metric == 1 &&
		     fi.ViewId == RTM_VIEW_ID_UCAST && fi.RouteFlags == RTM_ROUTE_FLAGS_REMOTE;
	}
	if (!check(&cat_fwd, ok) && show(&cat_fwd)) {
		char qb[RTM_PREFIX_STRLEN], wb[RTM_PREFIX_STRLEN], gb[RTM_PREFIX_STRLEN];
		printf("    MISMATCH [%s] query %s: want %s, got %s %s\n", cat_fwd.name,
		       fmt_addr(q, qb), want >= 0 ? fmt_addr(&c->ref.items[want], wb) : "none",
		       err_name(rc), rc == NO_ERROR ? fmt_addr(&fi.DestAddress, gb) : "");
	}
}

/*
 * Enumerate every destination (RtmCreateDestEnum, RtmGetEnumDests): each
 * live prefix exactly once, in address-then-length order.
 */
static void enum_round(struct ctx *c, bool after_delete)
{
	char nm[80];
	snprintf(nm, sizeof nm, "%s enumeration order%s", c->f->name,
		 after_delete ? " (after delete)" : "");
	struct category cat = { nm, 0, 0, 0 };
	size_t stride = RTM_SIZE_OF_DEST_INFO(c->prof.NumberOfViews);
	UINT batch = c->prof.MaxHandlesInEnum;
	char *arr = calloc(batch, stride);
	RTM_ENUM_HANDLE en = NULL;
	size_t live = 0, seen = 0;
	key128 prev = { 0, 0 };
	unsigned prevlen = 0;
	DWORD rc;
	double t0 = now_s();

	for (size_t i = 0; i < c->ref.n; i++)
		live += c->ref.alive[i] != 0;
	rc = RtmCreateDestEnum(c->h, RTM_VIEW_MASK_UCAST, RTM_ENUM_ALL_DESTS, NULL,
			       RTM_BEST_PROTOCOL, &en);
	check(&cat, rc == NO_ERROR && arr);
	while (rc == NO_ERROR && arr) {
		UINT num = batch;
		rc = RtmGetEnumDests(c->h, en, &num, (PRTM_DEST_INFO)arr);
		if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS)
			break;
		for (UINT j = 0; j < num; j++) {
			const RTM_DEST_INFO *d = (const RTM_DEST_INFO *)(arr + j * stride);
			key128 k = key_from_addr(&d->DestAddress, c->f->width);
			unsigned len = d->DestAddress.NumBits;
			bool in_order = seen == 0 || prev.hi < k.hi ||
					(prev.hi == k.hi && (prev.lo < k.lo ||
							     (prev.lo == k.lo && prevlen < len)));
			bool ok = in_order && ref_exact(&c->ref, k, len) >= 0;
			if (!check(&cat, ok) && show(&cat)) {
				char b[RTM_PREFIX_STRLEN];
				printf("    MISMATCH [%s] item %zu %s: %s\n", cat.name, seen,
				       fmt_addr(&d->DestAddress, b),
				       in_order ? "not a live prefix" : "out of order");
			}
			prev = k;
			prevlen = len;
			seen++;
		}
		if (num && RtmReleaseDests(c->h, num, (PRTM_DEST_INFO)arr) != NO_ERROR)
			check(&cat, false);
	}
	if (!check(&cat, rc == ERROR_NO_MORE_ITEMS && seen == live) && show(&cat))
		printf("    MISMATCH [%s] ended with %s after %zu of %zu destinations\n", cat.name,
		       err_name(rc), seen, live);
	if (en)
		RtmDeleteEnumHandle(c->h, en);
	free(arr);
	printf("    enumerated %zu destinations in %.2f s\n", seen, now_s() - t0);
	report(&cat);
}

/* One most-specific lookup of k/numbits, compared with the reference. */
static void lpm_one(struct ctx *c, struct category *cat, key128 k, unsigned numbits,
		    bool garble_host)
{
	RTM_NET_ADDRESS q;
	key128 qk = garble_host ? key_randomize_host(k, numbits, c->f->width)
				: key_mask(k, numbits);
	addr_from_key(&q, qk, c->f->family, c->f->width, numbits);
	long want = ref_lpm(&c->ref, k, numbits);
	DWORD rc = RtmGetMostSpecificDestination(c->h, &q, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
						 c->di);
	check_answer(c, cat, &q, rc, c->di, want);
	if (rc == NO_ERROR)
		release_info(c, c->di);
	fwd_one(c, &q, want);
}

static key128 random_key(unsigned width)
{
	key128 k = { rng_next(), rng_next() };
	return key_mask(k, width);
}

/* A random live (alive == want_alive) prefix index, or -1 if there is none. */
static long random_prefix(struct ctx *c, int want_alive)
{
	if (c->ref.n == 0)
		return -1;
	for (int tries = 0; tries < 1000; tries++) {
		size_t i = rng_below(c->ref.n);
		if (c->ref.alive[i] == want_alive)
			return (long)i;
	}
	for (size_t i = 0; i < c->ref.n; i++)
		if (c->ref.alive[i] == want_alive)
			return (long)i;
	return -1;
}

/* A random address inside prefix i. */
static key128 key_inside(struct ctx *c, size_t i)
{
	key128 p = key_from_addr(&c->ref.items[i], c->f->width);
	return key_randomize_host(p, c->ref.items[i].NumBits, c->f->width);
}

static void lpm_round(struct ctx *c, size_t n, bool after_delete)
{
	const struct fam *f = c->f;
	char nm[6][80];
	snprintf(nm[0], sizeof nm[0], "%s most-specific, uniform%s", f->name, after_delete ? " (after delete)" : "");
	snprintf(nm[1], sizeof nm[1], "%s most-specific, in 2000::/3%s", f->name, after_delete ? " (after delete)" : "");
	snprintf(nm[2], sizeof nm[2], "%s most-specific, inside live prefixes%s", f->name, after_delete ? " (after delete)" : "");
	snprintf(nm[3], sizeof nm[3], "%s most-specific, inside deleted prefixes", f->name);
	snprintf(nm[4], sizeof nm[4], "%s most-specific, random length%s", f->name, after_delete ? " (after delete)" : "");
	snprintf(nm[5], sizeof nm[5], "%s most-specific, near table prefixes%s", f->name, after_delete ? " (after delete)" : "");
	struct category cu = { nm[0], 0, 0, 0 }, cg = { nm[1], 0, 0, 0 }, ci = { nm[2], 0, 0, 0 },
			cd = { nm[3], 0, 0, 0 }, cr = { nm[4], 0, 0, 0 }, cn = { nm[5], 0, 0, 0 };
	uint64_t queries;
	double t0 = now_s();

	for (size_t s = 0; s < n; s++)
		lpm_one(c, &cu, random_key(f->width), f->width, false);
	if (f->width == 128) {
		for (size_t s = 0; s < n; s++) {
			key128 k = random_key(128);
			k.hi = (k.hi & (UINT64_MAX >> 3)) | (UINT64_C(1) << 61);  /* 001... = 2000::/3 */
			lpm_one(c, &cg, k, 128, false);
		}
	}
	for (size_t s = 0; s < n; s++) {
		long p = random_prefix(c, 1);
		if (p < 0)
			break;
		lpm_one(c, &ci, key_inside(c, (size_t)p), f->width, false);
	}
	if (after_delete) {
		for (size_t s = 0; s < n; s++) {
			long p = random_prefix(c, 0);
			if (p < 0)
				break;
			lpm_one(c, &cd, key_inside(c, (size_t)p), f->width, false);
		}
	}
	/* Near misses and hits at every level: the first k bits (k random, up to the
	 * prefix length) of a table prefix, the rest random. */
	for (size_t s = 0; s < n / 2; s++) {
		long p = random_prefix(c, 1);
		if (p < 0)
			break;
		const RTM_NET_ADDRESS *pa = &c->ref.items[p];
		key128 k = key_randomize_host(key_from_addr(pa, f->width),
					      (unsigned)rng_below(pa->NumBits + 1u), f->width);
		lpm_one(c, &cn, k, f->width, false);
	}
	/* Queries shorter than the address width, with host bits past NumBits set. */
	for (size_t s = 0; s < n / 10; s++) {
		long p = random_prefix(c, 1);
		if (p < 0)
			break;
		key128 k = key_inside(c, (size_t)p);
		lpm_one(c, &cr, k, (unsigned)rng_below(f->width + 1), true);
	}
	double dt = now_s() - t0;
	queries = cu.checks + cg.checks + ci.checks + cd.checks + cr.checks + cn.checks;
	report(&cu);
	if (f->width == 128)
		report(&cg);
	report(&ci);
	if (after_delete)
		report(&cd);
	report(&cn);
	report(&cr);
	printf("    %" PRIu64 " lookups in %.2f s (%.0f lookups/s incl. reference and checks)\n",
	       queries, dt, dt > 0 ? (double)queries / dt : 0.0);
}

/* Exact match of every prefix (and of every prefix one bit longer, host bits set). */
static void exact_round(struct ctx *c, bool after_delete)
{
	const struct fam *f = c->f;
	char n1[80], n2[80];
	snprintf(n1, sizeof n1, "%s exact match, every prefix%s", f->name, after_delete ? " (after delete)" : "");
	snprintf(n2, sizeof n2, "%s exact match, prefix+1 bit, host bits set%s", f->name,
		 after_delete ? " (after delete)" : "");
	struct category ce = { n1, 0, 0, 0 }, cp = { n2, 0, 0, 0 };
	double t0 = now_s();
	uint64_t found_longer = 0;
	for (size_t i = 0; i < c->ref.n; i++) {
		const RTM_NET_ADDRESS *a = &c->ref.items[i];
		key128 k = key_from_addr(a, f->width);
		long want = ref_exact(&c->ref, k, a->NumBits);
		RTM_NET_ADDRESS q = *a;
		DWORD rc = RtmGetExactMatchDestination(c->h, &q, RTM_BEST_PROTOCOL,
						       RTM_VIEW_MASK_UCAST, c->di);
		check_answer(c, &ce, &q, rc, c->di, want);
		if (rc == NO_ERROR)
			release_info(c, c->di);

		if (a->NumBits < f->width) {
			unsigned len = a->NumBits + 1u;
			key128 kk = key_randomize_host(k, a->NumBits, f->width);
			want = ref_exact(&c->ref, kk, len);
			found_longer += want >= 0;
			addr_from_key(&q, kk, f->family, f->width, len);
			rc = RtmGetExactMatchDestination(c->h, &q, RTM_BEST_PROTOCOL,
							 RTM_VIEW_MASK_UCAST, c->di);
			check_answer(c, &cp, &q, rc, c->di, want);
			if (rc == NO_ERROR)
				release_info(c, c->di);
		}
	}
	report(&ce);
	report(&cp);
	printf("    (%" PRIu64 " of the one-bit-longer queries exist in the table) %.2f s\n",
	       found_longer, now_s() - t0);
}

/* Less-specific chains from n random live destinations, up to the top. */
static void less_round(struct ctx *c, size_t n, bool after_delete)
{
	const struct fam *f = c->f;
	char nm[80];
	snprintf(nm, sizeof nm, "%s less-specific chains%s", f->name, after_delete ? " (after delete)" : "");
	struct category cl = { nm, 0, 0, 0 };
	uint64_t steps = 0, maxdepth = 0;
	double t0 = now_s();
	for (size_t s = 0; s < n; s++) {
		long p = random_prefix(c, 1);
		if (p < 0)
			break;
		RTM_NET_ADDRESS q = c->ref.items[p];
		DWORD rc = RtmGetExactMatchDestination(c->h, &q, RTM_BEST_PROTOCOL,
						       RTM_VIEW_MASK_UCAST, c->di);
		check_answer(c, &cl, &q, rc, c->di, p);
		if (rc != NO_ERROR)
			continue;
		long cur = p;
		uint64_t depth = 0;
		for (;;) {
			const RTM_NET_ADDRESS *ca = &c->ref.items[cur];
			long want = ca->NumBits == 0
				? -1
				: ref_lpm(&c->ref, key_from_addr(ca, f->width), ca->NumBits - 1u);
			rc = RtmGetLessSpecificDestination(c->h, c->di->DestHandle, RTM_BEST_PROTOCOL,
							   RTM_VIEW_MASK_UCAST, c->di2);
			check_answer(c, &cl, ca, rc, c->di2, want);
			release_info(c, c->di);
			steps++;
			if (rc != NO_ERROR || want < 0) {
				if (rc == NO_ERROR)
					release_info(c, c->di2);
				break;
			}
			RTM_DEST_INFO *t = c->di;
			c->di = c->di2;
			c->di2 = t;
			cur = want;
			if (++depth > maxdepth)
				maxdepth = depth;
			if (depth > 200) {   /* cannot happen with a correct RTM */
				check(&cl, false);
				printf("    MISMATCH [%s] chain does not end\n", cl.name);
				release_info(c, c->di);
				break;
			}
		}
	}
	report(&cl);
	printf("    %" PRIu64 " less-specific steps, deepest chain %" PRIu64 ", %.2f s\n", steps,
	       maxdepth, now_s() - t0);
}

static int run_family(const struct fam *f, const char *dir, size_t samples)
{
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.f = f;
	c.samples = samples;

	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, f->file);
	rtm_prefix_list pl = RTM_PREFIX_LIST_INIT;
	rtm_prefix_list_stats st;
	char err[512];
	rtm_prefix_list_opts o = { .family = (int)f->family };
	double t0 = now_s();
	int lrc = rtm_prefix_list_load(path, &o, &pl, &st, err, sizeof err);
	char cn_load[80], cn_reg[80], cn_add[80], cn_del[80];
	snprintf(cn_load, sizeof cn_load, "%s table file loads", f->name);
	snprintf(cn_reg, sizeof cn_reg, "%s register / next hop / deregister", f->name);
	snprintf(cn_add, sizeof cn_add, "%s RtmAddRouteToDest", f->name);
	snprintf(cn_del, sizeof cn_del, "%s RtmDeleteRouteToDest", f->name);
	struct category cload = { cn_load, 0, 0, 0 };
	if (!check(&cload, lrc == 0 && pl.count > 0)) {
		printf("  %s: cannot load the table: %s\n", f->name, lrc ? err : "no prefixes");
		rtm_prefix_list_free(&pl);
		return -1;
	}
	if (ref_build(&c.ref, &pl, f->width)) {
		printf("  out of memory\n");
		check(&cload, false);
		rtm_prefix_list_free(&pl);
		return -1;
	}
	printf("\n== %s: %zu prefixes from %s (%u distinct lengths), read in %.2f s\n", f->name,
	       pl.count, path, c.ref.nlens, now_s() - t0);

	/* --- register, next hop -------------------------------------------- */
	struct category creg = { cn_reg, 0, 0, 0 };
	RTM_ENTITY_INFO ei;
	memset(&ei, 0, sizeof ei);
	ei.RtmInstanceId = 0;
	ei.AddressFamily = (USHORT)f->family;
	ei.EntityId.EntityProtocolId = PROTO_IP_BGP;
	ei.EntityId.EntityInstanceId = 1;
	RTM_REGN_PROFILE prof;
	memset(&prof, 0, sizeof prof);
	DWORD rc = RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &c.h);
	if (!check(&creg, rc == NO_ERROR && c.h != NULL)) {
		printf("  RtmRegisterEntity(%s) failed: %s (%lu)\n", f->name, err_name(rc),
		       (unsigned long)rc);
		ref_free(&c.ref);
		rtm_prefix_list_free(&pl);
		return -1;
	}
	printf("  registered: MaxNextHopsInRoute %u, MaxHandlesInEnum %u, ViewsSupported 0x%x, NumberOfViews %u\n",
	       prof.MaxNextHopsInRoute, prof.MaxHandlesInEnum, prof.ViewsSupported,
	       prof.NumberOfViews);

	RTM_NEXTHOP_INFO nhi;
	memset(&nhi, 0, sizeof nhi);
	nhi.NextHopAddress.AddressFamily = (USHORT)f->family;
	nhi.NextHopAddress.NumBits = (USHORT)f->width;
	if (f->width == 32) {
		nhi.NextHopAddress.AddrBits[0] = 192;   /* 192.0.2.1, TEST-NET-1 */
		nhi.NextHopAddress.AddrBits[2] = 2;
		nhi.NextHopAddress.AddrBits[3] = 1;
	} else {
		nhi.NextHopAddress.AddrBits[0] = 0x20;  /* 2001:db8::1 */
		nhi.NextHopAddress.AddrBits[1] = 0x01;
		nhi.NextHopAddress.AddrBits[2] = 0x0d;
		nhi.NextHopAddress.AddrBits[3] = 0xb8;
		nhi.NextHopAddress.AddrBits[15] = 1;
	}
	nhi.InterfaceIndex = 1;
	c.nh_addr = nhi.NextHopAddress;
	c.prof = prof;
	RTM_NEXTHOP_CHANGE_FLAGS nhflags = 0;
	rc = RtmAddNextHop(c.h, &nhi, &c.nh, &nhflags);
	if (!check(&creg, rc == NO_ERROR && c.nh != NULL && (nhflags & RTM_NEXTHOP_CHANGE_NEW))) {
		printf("  RtmAddNextHop failed: %s (%lu), flags 0x%lx\n", err_name(rc),
		       (unsigned long)rc, (unsigned long)nhflags);
		RtmDeregisterEntity(c.h);
		ref_free(&c.ref);
		rtm_prefix_list_free(&pl);
		return -1;
	}

	/* Exactly sized buffers, so that AddressSanitizer sees any overrun. */
	size_t ri_size = offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) + 1 * sizeof(HANDLE);
	RTM_ROUTE_INFO *ri = calloc(1, ri_size);
	c.di = malloc(RTM_SIZE_OF_DEST_INFO(1));
	c.di2 = malloc(RTM_SIZE_OF_DEST_INFO(1));
	uint8_t *del = calloc(pl.count ? pl.count : 1, 1);
	RTM_ROUTE_HANDLE *rh = calloc(pl.count ? pl.count : 1, sizeof *rh);
	if (!ri || !c.di || !c.di2 || !del || !rh) {
		printf("  out of memory\n");
		check(&creg, false);
		return -1;
	}

	/* --- load ----------------------------------------------------------- */
	struct category cadd = { cn_add, 0, 0, 0 };
	size_t ndel = 0, nalive = 0;
	t0 = now_s();
	for (size_t i = 0; i < pl.count; i++) {
		if (!c.ref.alive[i])
			continue;   /* duplicate line */
		nalive++;
		del[i] = (uint8_t)(rng_next() & 1);
		ndel += del[i];
		memset(ri, 0, ri_size);
		ri->Neighbour = c.nh;
		ri->Flags = RTM_ROUTE_FLAGS_REMOTE;
		ri->PrefInfo.Preference = 20;
		ri->PrefInfo.Metric = 1;
		ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
		ri->NextHopsList.NumNextHops = 1;
		ri->NextHopsList.NextHops[0] = c.nh;
		RTM_NET_ADDRESS a = pl.items[i];
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		/* Routes to delete later keep their handle; of the others, every second
		 * one takes a handle and releases it at once, the rest pass NULL. */
		bool want_handle = del[i] || (i & 1);
		RTM_ROUTE_HANDLE hnd = NULL;
		rc = RtmAddRouteToDest(c.h, want_handle ? &hnd : NULL, &a, ri, INFINITE, NULL, 0,
				       NULL, &cf);
		bool ok = rc == NO_ERROR && (!want_handle || hnd != NULL) &&
			  (cf & (RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST)) ==
				  (RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
		if (!check(&cadd, ok) && show(&cadd)) {
			char b[RTM_PREFIX_STRLEN];
			printf("    MISMATCH [%s] %s: %s (%lu), handle %p, ChangeFlags 0x%lx (want NEW|BEST)\n",
			       cadd.name, fmt_addr(&pl.items[i], b), err_name(rc), (unsigned long)rc,
			       hnd, (unsigned long)cf);
		}
		if (rc != NO_ERROR) {
			c.ref.alive[i] = 0;   /* not in the RTM: the reference must agree */
			del[i] = 0;
			continue;
		}
		if (del[i]) {
			rh[i] = hnd;
		} else if (hnd) {
			DWORD r2 = RtmReleaseRoutes(c.h, 1, &hnd);
			if (!check(&cadd, r2 == NO_ERROR) && show(&cadd))
				printf("    MISMATCH [%s] RtmReleaseRoutes: %s\n", cadd.name, err_name(r2));
		}
	}
	double tload = now_s() - t0;
	printf("  loaded %zu routes in %.2f s (%.0f routes/s)\n", nalive, tload,
	       tload > 0 ? (double)nalive / tload : 0.0);
	report(&cadd);

	/* --- lookups on the full table ------------------------------------- */
	printf("  full table:\n");
	exact_round(&c, false);
	enum_round(&c, false);
	lpm_round(&c, samples, false);
	less_round(&c, samples / 10 > 1000 ? samples / 10 : 1000, false);

	/* --- delete half ------------------------------------------------------ */
	struct category cdel = { cn_del, 0, 0, 0 };
	t0 = now_s();
	size_t deleted = 0;
	for (size_t i = 0; i < pl.count; i++) {
		if (!del[i])
			continue;
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		rc = RtmDeleteRouteToDest(c.h, rh[i], &cf);
		bool ok = rc == NO_ERROR && cf == RTM_ROUTE_CHANGE_BEST;
		if (!check(&cdel, ok) && show(&cdel)) {
			char b[RTM_PREFIX_STRLEN];
			printf("    MISMATCH [%s] %s: %s (%lu), ChangeFlags 0x%lx (want BEST)\n",
			       cdel.name, fmt_addr(&pl.items[i], b), err_name(rc), (unsigned long)rc,
			       (unsigned long)cf);
		}
		if (rc == NO_ERROR) {
			c.ref.alive[i] = 0;
			deleted++;
		} else {
			/* The route is (probably) still there; give our reference back. */
			RtmReleaseRoutes(c.h, 1, &rh[i]);
			del[i] = 0;
		}
		rh[i] = NULL;
	}
	double tdel = now_s() - t0;
	printf("  deleted %zu of %zu routes in %.2f s (%.0f routes/s)\n", deleted, ndel, tdel,
	       tdel > 0 ? (double)deleted / tdel : 0.0);
	report(&cdel);

	printf("  after deleting half:\n");
	exact_round(&c, true);
	enum_round(&c, true);
	size_t small = samples / 4 ? samples / 4 : 1;
	lpm_round(&c, small, true);
	less_round(&c, small / 10 > 1000 ? small / 10 : 1000, true);

	/* --- teardown -------------------------------------------------------- */
	rc = RtmReleaseNextHops(c.h, 1, &c.nh);
	check(&creg, rc == NO_ERROR);
	if (rc != NO_ERROR)
		printf("  RtmReleaseNextHops: %s\n", err_name(rc));
	t0 = now_s();
	rc = RtmDeregisterEntity(c.h);
	check(&creg, rc == NO_ERROR);
	printf("  RtmDeregisterEntity: %s (%lu) in %.2f s (%zu routes still in the table)\n",
	       err_name(rc), (unsigned long)rc, now_s() - t0, nalive - deleted);
	report(&creg);
	report(&cat_release);
	report(&cat_fwd);

	free(ri);
	free(c.di);
	free(c.di2);
	free(del);
	free(rh);
	ref_free(&c.ref);
	rtm_prefix_list_free(&pl);
	return 0;
}

static uint64_t parse_u64(const char *s, bool *ok)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	*ok = errno == 0 && end != s && *end == '\0';
	return v;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("RTM_DATA_DIR");
	if (!dir)
		dir = ".";
	setvbuf(stdout, NULL, _IOLBF, 0);

	uint64_t seed;
	const char *es = getenv("RTM_SEED");
	bool ok = true;
	if (es && *es) {
		seed = parse_u64(es, &ok);
		if (!ok) {
			fprintf(stderr, "RTM_SEED=\"%s\" is not a number\n", es);
			return 2;
		}
	} else if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed) {
		seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
	}
	size_t samples = 1000000;
	if (argc > 2) {   /* the build's default, e.g. smaller under sanitizers */
		samples = (size_t)parse_u64(argv[2], &ok);
		if (!ok || samples == 0) {
			fprintf(stderr, "sample count \"%s\" is not a positive number\n", argv[2]);
			return 2;
		}
	}
	const char *ns = getenv("RTM_LPM_SAMPLES");
	if (ns && *ns) {
		samples = (size_t)parse_u64(ns, &ok);
		if (!ok || samples == 0) {
			fprintf(stderr, "RTM_LPM_SAMPLES=\"%s\" is not a positive number\n", ns);
			return 2;
		}
	}
	printf("lpm_diff: seed 0x%016" PRIx64 " (set RTM_SEED=0x%016" PRIx64 " to repeat), %zu samples per category, data %s\n",
	       seed, seed, samples, dir);
	rng_seed(seed);

	static const struct fam fams[2] = {
		{ "IPv4", AF_INET, 32, "tier1-2023-ipv4.txt.xz" },
		{ "IPv6", AF_INET6, 128, "tier1-2023-ipv6.txt.xz" },
	};
	double t0 = now_s();
	for (int i = 0; i < 2; i++)
		run_family(&fams[i], dir, samples);
	printf("\nlpm_diff: seed 0x%016" PRIx64 ", %.1f s, %s\n", seed, now_s() - t0,
	       g_fail ? "MISMATCHES FOUND" : "no mismatches");
	printf("%" PRIu64 " passed, %" PRIu64 " failed\n", g_pass, g_fail);
	return g_fail ? 1 : 0;
}
