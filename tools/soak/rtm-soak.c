/*
 * rtm-soak - hours of torture-style load on a real full table, watching memory.
 *
 * Loads the bundled full tables (IPv4 and IPv6, one RTM table each) with three
 * entities per family:
 *   A  a route on every prefix, Preference 20: never deleted, only updated
 *      (in place with RtmLockRoute + RtmUpdateAndUnlockRoute, or replaced with
 *      RtmAddRouteToDest), so every prefix of the file is always in the table;
 *   B  a route on every 4th prefix, Preference 10 (best when present):
 *      deleted and added again all the time;
 *   C  a route on every 16th prefix, Preference 30 (never best): the same.
 * Every route's EntitySpecificInfo is derived from (prefix, entity), so any
 * route a reader is handed can be checked.
 *
 * Then, for --duration, these threads run together:
 *   churners    each owns the prefixes i with i % churners == its number and
 *               toggles B and C routes and updates A routes on them; it keeps
 *               the handles it owns (the shadow of its part of the table);
 *   readers     lock-free RtmGetExactMatchDestination on random prefixes (must
 *               be found; NumRoutes and best owner possible for that prefix;
 *               RtmGetRouteInfo of the best route: its owner, Preference,
 *               EntitySpecificInfo and address must be the derived ones) and
 *               RtmGetMostSpecificDestination on a random address inside a
 *               random prefix (found, covers it, at least as long);
 *   notify      one change-notification registration per family, drained
 *               with RtmGetChangedDests / RtmReleaseChangedDests;
 *   enumerator  destination enumerations over the /8 (IPv4) or /16 (IPv6)
 *               around a random prefix, which must include that prefix.
 * Every --interval the main thread prints elapsed time, operations, RSS and
 * the allocator's in-use bytes (mallinfo2: uordblks + hblkhd; under a
 * sanitizer, its allocator's count), and writes the
 * same to --csv.  At the end the table is compared with the churners' shadow,
 * everything is deregistered, and memory growth is judged: the largest in-use
 * figure of the last third of the run may exceed the figure at the end of the
 * first third (after warm-up) by at most --tolerance percent plus --slack MiB.
 *
 * Exit status: 0 if every check passed and memory did not grow, 1 otherwise,
 * 2 on a usage or setup error.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "prefix_list.h"
#include "rtmv2.h"

/* Under a sanitizer, malloc is the sanitizer's: ask it what is in use. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SOAK_SANITIZER_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SOAK_SANITIZER_HEAP 1
#endif
#endif
#ifdef SOAK_SANITIZER_HEAP
/* The sanitizer runtimes (gcc's and clang's) provide it; gcc ships no
 * <sanitizer/allocator_interface.h> to declare it. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#ifndef RTM_DATA_DIR
#define RTM_DATA_DIR "tests/data/fulltable"
#endif

enum { ENT_A, ENT_B, ENT_C, ENTS };
static const ULONG ent_pref[ENTS] = {20, 10, 30};
static const unsigned ent_every[ENTS] = {1, 4, 16};

#define FAMILIES 2
#define FAIL_PRINT_MAX 20
#define SAMPLES_MAX 100000

/* ------------------------------------------------------------------------ */
/* Options                                                                  */

static struct {
	double duration, interval; /* seconds */
	const char *csv;
	const char *data;
	unsigned churners, readers;
	size_t limit;              /* prefixes per family, 0 = all */
	double tolerance;          /* percent */
	double slack_mib;
	bool growth_check;
	uint64_t seed;
} opt = {60, 10, NULL, RTM_DATA_DIR, 2, 2, 0, 2.0, 4.0, true, 0};

/* ------------------------------------------------------------------------ */
/* Shared state                                                             */

struct family {
	int af;
	const char *name;
	RTM_ENTITY_HANDLE ent[ENTS];
	RTM_NEXTHOP_HANDLE nh[ENTS];
	RTM_ENTITY_HANDLE observer;   /* readers, enumerators, notifications */
	RTM_NOTIFY_HANDLE notify;
	size_t first, count;          /* its prefixes: pfx[first .. first + count) */
};

static struct family fams[FAMILIES] = {{.af = AF_INET, .name = "IPv4"}, {.af = AF_INET6, .name = "IPv6"}};
static RTM_NET_ADDRESS *pfx;        /* every prefix, IPv4 then IPv6 */
static size_t npfx;
static RTM_ROUTE_HANDLE *handles[ENTS]; /* route handle per prefix and entity (churners' shadow) */
static uint32_t max_enum = 1;
static size_t dest_stride;

static atomic_bool stop_flag;
static _Atomic uint64_t failures;

struct worker {
	pthread_t tid;
	unsigned index;
	uint64_t rng;
	_Atomic uint64_t ops;
};

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	uint64_t n = atomic_fetch_add(&failures, 1);

	if (n < FAIL_PRINT_MAX) {
		va_list ap;

		va_start(ap, fmt);
		fputs("FAIL: ", stdout);
		vprintf(fmt, ap);
		putchar('\n');
		va_end(ap);
	}
}

static uint64_t
rng_next(uint64_t *s)
{
	uint64_t x = (*s += 0x9e3779b97f4a7c15ull);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct family *
family_of(size_t i)
{
	return i < fams[0].first + fams[0].count ? &fams[0] : &fams[1];
}

/* The derived payload of entity e's route on prefix i. */
static PVOID
esi_of(size_t i, unsigned e)
{
	return (PVOID)(uintptr_t)((i << 2 | e) * 0x9e3779b97f4a7c15ull | 1);
}

static bool
has_slot(size_t i, unsigned e)
{
	return (i - family_of(i)->first) % ent_every[e] == 0;
}

static void
route_info_set(RTM_ROUTE_INFO *ri, size_t i, unsigned e, ULONG metric)
{
	struct family *f = family_of(i);

	memset(ri, 0, sizeof(*ri));
	ri->Neighbour = f->nh[e];
	ri->PrefInfo.Preference = ent_pref[e];
	ri->PrefInfo.Metric = metric;
	ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri->EntitySpecificInfo = esi_of(i, e);
	ri->NextHopsList.NumNextHops = 1;
	ri->NextHopsList.NextHops[0] = f->nh[e];
}

static char *
fmt_pfx(size_t i, char *buf, size_t len)
{
	return rtm_prefix_format(&pfx[i], buf, len);
}

/* Does prefix p cover address a (same family, p no longer, bits equal)? */
static bool
covers(const RTM_NET_ADDRESS *p, const RTM_NET_ADDRESS *a)
{
	unsigned bits = p->NumBits, full = bits / 8, rest = bits % 8;

	if (p->AddressFamily != a->AddressFamily || p->NumBits > a->NumBits)
		return false;
	if (memcmp(p->AddrBits, a->AddrBits, full))
		return false;
	return !rest || !((p->AddrBits[full] ^ a->AddrBits[full]) & (0xff00u >> rest));
}

static bool
same_prefix(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *b)
{
	return a->AddressFamily == b->AddressFamily && a->NumBits == b->NumBits && covers(a, b);
}

/* ------------------------------------------------------------------------ */
/* Churners                                                                 */

static DWORD
add_route(size_t i, unsigned e, ULONG metric, RTM_ROUTE_HANDLE *h)
{
	RTM_ROUTE_INFO ri;
	RTM_ROUTE_CHANGE_FLAGS cf = 0;

	route_info_set(&ri, i, e, metric);
	return RtmAddRouteToDest(family_of(i)->ent[e], h, &pfx[i], &ri, INFINITE, NULL, 0, NULL,
				 &cf);
}

static void
toggle(size_t i, unsigned e, ULONG metric)
{
	RTM_ENTITY_HANDLE me = family_of(i)->ent[e];
	RTM_ROUTE_CHANGE_FLAGS cf;
	char b[RTM_PREFIX_STRLEN];
	DWORD rc;

	if (handles[e][i]) {
		rc = RtmDeleteRouteToDest(me, handles[e][i], &cf);
		if (rc != NO_ERROR)
			fail("delete of %c on %s: %lu", 'A' + e, fmt_pfx(i, b, sizeof(b)),
			     (unsigned long)rc);
		handles[e][i] = NULL;
	} else {
		rc = add_route(i, e, metric, &handles[e][i]);
		if (rc != NO_ERROR)
			fail("add of %c on %s: %lu", 'A' + e, fmt_pfx(i, b, sizeof(b)),
			     (unsigned long)rc);
	}
}

static void
update_a(size_t i, ULONG metric, bool in_place)
{
	RTM_ENTITY_HANDLE me = family_of(i)->ent[ENT_A];
	RTM_ROUTE_HANDLE h = handles[ENT_A][i];
	char b[RTM_PREFIX_STRLEN];
	DWORD rc;

	if (in_place) {
		PRTM_ROUTE_INFO p = NULL;
		RTM_ROUTE_CHANGE_FLAGS cf = 0;

		rc = RtmLockRoute(me, h, TRUE, TRUE, &p);
		if (rc == NO_ERROR) {
			p->PrefInfo.Metric = metric;
			rc = RtmUpdateAndUnlockRoute(me, h, INFINITE, NULL, 0, NULL, &cf);
			if (rc != NO_ERROR)
				RtmLockRoute(me, h, TRUE, FALSE, NULL);
		}
	} else {
		RTM_ROUTE_HANDLE got = NULL;

		rc = add_route(i, ENT_A, metric, &got);
		if (rc == NO_ERROR) {
			if (got != h)
				fail("update of A on %s gave another route handle",
				     fmt_pfx(i, b, sizeof(b)));
			RtmReleaseRoutes(me, 1, &got);
		}
	}
	if (rc != NO_ERROR)
		fail("%s update of A on %s: %lu", in_place ? "in-place" : "add", fmt_pfx(i, b, sizeof(b)),
		     (unsigned long)rc);
}

static void *
churner_main(void *arg)
{
	struct worker *w = arg;
	size_t mine = (npfx - w->index + opt.churners - 1) / opt.churners;
	ULONG metric = 0;

	while (!atomic_load_explicit(&stop_flag, memory_order_relaxed) && mine) {
		uint64_t r = rng_next(&w->rng);
		size_t i = w->index + (size_t)(r % mine) * opt.churners;
		unsigned dice = (unsigned)(r >> 48) % 100;

		metric++;
		if (dice < 40 && has_slot(i, ENT_B))
			toggle(i, ENT_B, metric);
		else if (dice < 60 && has_slot(i, ENT_C))
			toggle(i, ENT_C, metric);
		else
			update_a(i, metric, dice % 4 != 0);
		atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Readers                                                                  */

static unsigned
owner_of(const struct family *f, RTM_ENTITY_HANDLE h)
{
	for (unsigned e = 0; e < ENTS; e++) {
		if (f->ent[e] == h)
			return e;
	}
	return ENTS;
}

/* Check the best route a lookup reported for prefix i (found as dest info di). */
static void
check_dest(size_t i, const RTM_DEST_INFO *di, RTM_ENTITY_HANDLE me)
{
	struct family *f = family_of(i);
	unsigned owner = owner_of(f, di->ViewInfo[0].Owner), most = 0;
	union {
		RTM_ROUTE_INFO ri;
		unsigned char room[sizeof(RTM_ROUTE_INFO) + 64 * sizeof(HANDLE)];
	} u;
	RTM_NET_ADDRESS da;
	char b[RTM_PREFIX_STRLEN];
	DWORD rc;

	for (unsigned e = 0; e < ENTS; e++)
		most += has_slot(i, e);
	if (di->NumberOfViews != 1 || di->ViewInfo[0].NumRoutes < 1 ||
	    di->ViewInfo[0].NumRoutes > most) {
		fail("%s: %u routes, at most %u possible", fmt_pfx(i, b, sizeof(b)),
		     di->NumberOfViews ? di->ViewInfo[0].NumRoutes : 0, most);
		return;
	}
	/* A is always there with Preference 20, so only B (10) can beat it. */
	if (owner != ENT_A && !(owner == ENT_B && has_slot(i, ENT_B))) {
		fail("%s: best route owned by entity %u", fmt_pfx(i, b, sizeof(b)), owner);
		return;
	}
	rc = RtmGetRouteInfo(me, di->ViewInfo[0].Route, &u.ri, &da);
	if (rc != NO_ERROR) {
		fail("%s: RtmGetRouteInfo(best): %lu", fmt_pfx(i, b, sizeof(b)), (unsigned long)rc);
		return;
	}
	/* B's route may have been deleted since the lookup; it still reads as B's. */
	if (u.ri.RouteOwner != f->ent[owner] || u.ri.PrefInfo.Preference != ent_pref[owner] ||
	    u.ri.EntitySpecificInfo != esi_of(i, owner) || u.ri.Neighbour != f->nh[owner] ||
	    !same_prefix(&da, &pfx[i]) ||
	    (u.ri.State != RTM_ROUTE_STATE_CREATED && owner == ENT_A))
		fail("%s: best route info does not derive from (prefix, %c)",
		     fmt_pfx(i, b, sizeof(b)), 'A' + owner);
	RtmReleaseRouteInfo(me, &u.ri);
}

static void
read_exact(size_t i, RTM_ENTITY_HANDLE me)
{
	RTM_DEST_INFO di;
	char b[RTM_PREFIX_STRLEN];
	DWORD rc = RtmGetExactMatchDestination(me, &pfx[i], RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
					       &di);

	if (rc != NO_ERROR) {
		fail("exact match of %s: %lu", fmt_pfx(i, b, sizeof(b)), (unsigned long)rc);
		return;
	}
	if (!same_prefix(&di.DestAddress, &pfx[i]))
		fail("exact match of %s found another prefix", fmt_pfx(i, b, sizeof(b)));
	else
		check_dest(i, &di, me);
	RtmReleaseDestInfo(me, &di);
}

static void
read_most_specific(size_t i, RTM_ENTITY_HANDLE me, uint64_t r)
{
	RTM_NET_ADDRESS a = pfx[i];
	RTM_DEST_INFO di;
	char b[RTM_PREFIX_STRLEN];
	unsigned width = a.AddressFamily == AF_INET ? 32 : 128;
	DWORD rc;

	/* random host bits below the prefix */
	for (unsigned bit = a.NumBits; bit < width; bit++, r = r >> 1 | r << 63) {
		if (r & 1)
			a.AddrBits[bit / 8] |= (UCHAR)(0x80u >> (bit % 8));
	}
	a.NumBits = (USHORT)width;
	rc = RtmGetMostSpecificDestination(me, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di);
	if (rc != NO_ERROR) {
		fail("most-specific under %s: %lu", fmt_pfx(i, b, sizeof(b)), (unsigned long)rc);
		return;
	}
	if (!covers(&di.DestAddress, &a) || di.DestAddress.NumBits < pfx[i].NumBits)
		fail("most-specific under %s found a shorter or foreign prefix",
		     fmt_pfx(i, b, sizeof(b)));
	RtmReleaseDestInfo(me, &di);
}

static void *
reader_main(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
		uint64_t r = rng_next(&w->rng);
		size_t i = (size_t)(r % npfx);
		RTM_ENTITY_HANDLE me = family_of(i)->observer;

		if (r >> 63)
			read_exact(i, me);
		else
			read_most_specific(i, me, rng_next(&w->rng));
		atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Notification consumer and enumerator                                     */

static RTM_DEST_INFO *
dest_at(void *buf, unsigned k)
{
	return (RTM_DEST_INFO *)(void *)((char *)buf + (size_t)k * dest_stride);
}

static void *
notify_main(void *arg)
{
	struct worker *w = arg;
	void *buf = malloc(dest_stride * max_enum);

	if (!buf) {
		fail("notify: out of memory");
		return NULL;
	}
	while (!atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
		bool drained = true;

		for (unsigned fi = 0; fi < FAMILIES; fi++) {
			struct family *f = &fams[fi];
			UINT n = max_enum;
			DWORD rc = RtmGetChangedDests(f->observer, f->notify, &n, buf);

			if ((rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) || n > max_enum) {
				fail("RtmGetChangedDests(%s): %lu", f->name, (unsigned long)rc);
				continue;
			}
			if (n && RtmReleaseChangedDests(f->observer, f->notify, n, buf) != NO_ERROR)
				fail("RtmReleaseChangedDests(%s)", f->name);
			if (n == max_enum)
				drained = false;
			atomic_fetch_add_explicit(&w->ops, n, memory_order_relaxed);
		}
		if (drained)
			usleep(1000);
	}
	free(buf);
	return NULL;
}

static void
enumerate_around(size_t i, void *buf)
{
	struct family *f = family_of(i);
	RTM_NET_ADDRESS range = pfx[i];
	RTM_ENUM_HANDLE eh = NULL;
	char b[RTM_PREFIX_STRLEN];
	bool seen = false;
	DWORD rc;

	range.NumBits = (USHORT)(range.NumBits < (f->af == AF_INET ? 8 : 16) ? range.NumBits :
			 (f->af == AF_INET ? 8 : 16));
	rtm_prefix_mask(&range);
	rc = RtmCreateDestEnum(f->observer, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, &range,
			       RTM_BEST_PROTOCOL, &eh);
	if (rc != NO_ERROR) {
		fail("RtmCreateDestEnum around %s: %lu", fmt_pfx(i, b, sizeof(b)), (unsigned long)rc);
		return;
	}
	do {
		UINT n = max_enum;

		rc = RtmGetEnumDests(f->observer, eh, &n, buf);
		if ((rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) || n > max_enum) {
			fail("RtmGetEnumDests around %s: %lu", fmt_pfx(i, b, sizeof(b)),
			     (unsigned long)rc);
			break;
		}
		for (UINT k = 0; k < n; k++) {
			const RTM_DEST_INFO *di = dest_at(buf, k);

			if (!covers(&range, &di->DestAddress))
				fail("enumeration of %s returned a destination outside it",
				     rtm_prefix_format(&range, b, sizeof(b)));
			seen |= same_prefix(&di->DestAddress, &pfx[i]);
		}
		if (n)
			RtmReleaseDests(f->observer, n, buf);
	} while (rc == NO_ERROR && !atomic_load_explicit(&stop_flag, memory_order_relaxed));
	if (rc == ERROR_NO_MORE_ITEMS && !seen)
		fail("enumeration around %s missed it", fmt_pfx(i, b, sizeof(b)));
	RtmDeleteEnumHandle(f->observer, eh);
}

static void *
enum_main(void *arg)
{
	struct worker *w = arg;
	void *buf = malloc(dest_stride * max_enum);

	if (!buf) {
		fail("enumerator: out of memory");
		return NULL;
	}
	while (!atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
		enumerate_around((size_t)(rng_next(&w->rng) % npfx), buf);
		atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
	}
	free(buf);
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Memory                                                                   */

struct sample {
	double t;
	uint64_t ops;
	uint64_t rss, inuse;
};

static uint64_t
rss_bytes(void)
{
	FILE *fp = fopen("/proc/self/statm", "r");
	unsigned long long size = 0, res = 0;

	if (!fp)
		return 0;
	if (fscanf(fp, "%llu %llu", &size, &res) != 2)
		res = 0;
	fclose(fp);
	return res * (uint64_t)sysconf(_SC_PAGESIZE);
}

static uint64_t
inuse_bytes(void)
{
#ifdef SOAK_SANITIZER_HEAP
	return __sanitizer_get_current_allocated_bytes();
#else
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#endif
}

/*
 * Growth after warm-up: the most in use in the last third against the first
 * sample at or after one third of the run.  Returns true if within bounds.
 */
static bool
judge_growth(const struct sample *s, size_t n, double duration)
{
	size_t ref = n, i;
	uint64_t peak = 0;
	double limit;

	for (i = 0; i < n; i++) {
		if (s[i].t >= duration / 3) {
			ref = i;
			break;
		}
	}
	for (i = 0; i < n; i++) {
		if (s[i].t >= 2 * duration / 3 && s[i].inuse > peak)
			peak = s[i].inuse;
	}
	if (ref == n || !peak || ref + 1 >= n) {
		printf("memory: too few samples to judge growth (use a longer --duration or a "
		       "shorter --interval)\n");
		return true;
	}
	limit = (double)s[ref].inuse * (1 + opt.tolerance / 100) + opt.slack_mib * 1048576.0;
	printf("memory: in use %.1f MiB at %.0f s (end of warm-up), peak of the last third %.1f MiB "
	       "(%+.2f%%), limit %.1f MiB (+%.1f%% + %.1f MiB): %s\n",
	       (double)s[ref].inuse / 1048576.0, s[ref].t, (double)peak / 1048576.0,
	       100.0 * ((double)peak - (double)s[ref].inuse) / (double)s[ref].inuse,
	       limit / 1048576.0, opt.tolerance, opt.slack_mib,
	       (double)peak <= limit ? "no growth" : "GROWTH");
	/* Reported, not judged: RSS also counts the allocator's free lists and
	 * fragmentation, which the in-use figure leaves out. */
	printf("memory: RSS %.1f MiB at %.0f s, %.1f MiB at the end (%+.2f%%)\n",
	       (double)s[ref].rss / 1048576.0, s[ref].t, (double)s[n - 1].rss / 1048576.0,
	       100.0 * ((double)s[n - 1].rss - (double)s[ref].rss) / (double)s[ref].rss);
	return (double)peak <= limit;
}

/* ------------------------------------------------------------------------ */
/* Setup, final check, teardown                                             */

static RTM_ENTITY_HANDLE
register_entity(int af, ULONG proto, RTM_REGN_PROFILE *prof)
{
	RTM_ENTITY_INFO info;
	RTM_ENTITY_HANDLE h = NULL;
	DWORD rc;

	memset(&info, 0, sizeof(info));
	info.AddressFamily = (USHORT)af;
	info.EntityId.EntityProtocolId = proto;
	rc = RtmRegisterEntity(&info, NULL, NULL, FALSE, prof, &h);
	if (rc != NO_ERROR) {
		fprintf(stderr, "rtm-soak: RtmRegisterEntity: %lu\n", (unsigned long)rc);
		exit(2);
	}
	return h;
}

static void
setup_family(struct family *f)
{
	RTM_REGN_PROFILE prof;

	for (unsigned e = 0; e < ENTS; e++) {
		RTM_NEXTHOP_INFO nhi;
		RTM_NEXTHOP_CHANGE_FLAGS cf = 0;

		f->ent[e] = register_entity(f->af, 0x7300 + e, &prof);
		memset(&nhi, 0, sizeof(nhi));
		nhi.NextHopAddress.AddressFamily = (USHORT)f->af;
		nhi.NextHopAddress.NumBits = f->af == AF_INET ? 32 : 128;
		nhi.NextHopAddress.AddrBits[0] = f->af == AF_INET ? 192 : 0xfe;
		nhi.NextHopAddress.AddrBits[f->af == AF_INET ? 3 : 15] = (UCHAR)(e + 1);
		nhi.InterfaceIndex = e + 1;
		if (RtmAddNextHop(f->ent[e], &nhi, &f->nh[e], &cf) != NO_ERROR) {
			fprintf(stderr, "rtm-soak: RtmAddNextHop failed\n");
			exit(2);
		}
	}
	f->observer = register_entity(f->af, 0x7310, &prof);
	max_enum = prof.MaxHandlesInEnum;
	dest_stride = RTM_SIZE_OF_DEST_INFO(prof.NumberOfViews);
	if (RtmRegisterForChangeNotification(f->observer, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL,
					     NULL, &f->notify) != NO_ERROR) {
		fprintf(stderr, "rtm-soak: RtmRegisterForChangeNotification failed\n");
		exit(2);
	}
}

static int
load(const char *path, struct family *f)
{
	rtm_prefix_list pl = RTM_PREFIX_LIST_INIT;
	rtm_prefix_list_opts o = {.family = f->af};
	char err[512];
	int rc = rtm_prefix_list_load(path, &o, &pl, NULL, err, sizeof(err));
	RTM_NET_ADDRESS *grown;

	if (rc) {
		fprintf(stderr, "rtm-soak: %s\n", err);
		rtm_prefix_list_free(&pl);
		return -1;
	}
	if (opt.limit && pl.count > opt.limit)
		pl.count = opt.limit;
	grown = realloc(pfx, (npfx + pl.count) * sizeof(*pfx));
	if (!grown) {
		rtm_prefix_list_free(&pl);
		return -1;
	}
	pfx = grown;
	memcpy(pfx + npfx, pl.items, pl.count * sizeof(*pfx));
	f->first = npfx;
	f->count = pl.count;
	npfx += pl.count;
	rtm_prefix_list_free(&pl);
	return 0;
}

static void
load_routes(void)
{
	char b[RTM_PREFIX_STRLEN];

	for (size_t i = 0; i < npfx; i++) {
		for (unsigned e = 0; e < ENTS; e++) {
			DWORD rc;

			if (!has_slot(i, e))
				continue;
			rc = add_route(i, e, 1, &handles[e][i]);
			if (rc != NO_ERROR) {
				/* a duplicate line in the file: the route already exists */
				fprintf(stderr, "rtm-soak: adding %s: %lu\n", fmt_pfx(i, b, sizeof(b)),
					(unsigned long)rc);
				exit(2);
			}
		}
	}
}

/* The table must hold exactly what the churners believe. */
static void
final_check(void)
{
	char b[RTM_PREFIX_STRLEN];

	for (size_t i = 0; i < npfx; i++) {
		RTM_ENTITY_HANDLE me = family_of(i)->observer;
		unsigned want = 1 + !!handles[ENT_B][i] + !!handles[ENT_C][i];
		RTM_DEST_INFO di;
		DWORD rc = RtmGetExactMatchDestination(me, &pfx[i], RTM_BEST_PROTOCOL,
						       RTM_VIEW_MASK_UCAST, &di);

		if (rc != NO_ERROR) {
			fail("final: %s missing", fmt_pfx(i, b, sizeof(b)));
			continue;
		}
		if (di.ViewInfo[0].NumRoutes != want ||
		    di.ViewInfo[0].Route != (handles[ENT_B][i] ? handles[ENT_B][i] : handles[ENT_A][i]))
			fail("final: %s has %u routes (want %u) or the wrong best route",
			     fmt_pfx(i, b, sizeof(b)), di.ViewInfo[0].NumRoutes, want);
		RtmReleaseDestInfo(me, &di);
	}
}

static void
teardown(void)
{
	/* Our references on the routes; deregistration then deletes them. */
	for (size_t i = 0; i < npfx; i++) {
		for (unsigned e = 0; e < ENTS; e++) {
			if (handles[e][i] &&
			    RtmReleaseRoutes(family_of(i)->ent[e], 1, &handles[e][i]) != NO_ERROR)
				fail("releasing a route handle");
			handles[e][i] = NULL;
		}
	}
	for (unsigned fi = 0; fi < FAMILIES; fi++) {
		struct family *f = &fams[fi];

		if (RtmDeregisterFromChangeNotification(f->observer, f->notify) != NO_ERROR)
			fail("RtmDeregisterFromChangeNotification(%s)", f->name);
		if (RtmDeregisterEntity(f->observer) != NO_ERROR)
			fail("RtmDeregisterEntity(%s observer)", f->name);
		for (unsigned e = 0; e < ENTS; e++) {
			/* deregistration deletes the entity's routes and next hops */
			if (RtmReleaseNextHops(f->ent[e], 1, &f->nh[e]) != NO_ERROR ||
			    RtmDeregisterEntity(f->ent[e]) != NO_ERROR)
				fail("deregistering %s entity %c", f->name, 'A' + e);
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Main                                                                     */

static double
parse_seconds(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		return -1;
	if (!strcmp(end, "h"))
		return v * 3600;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!*end || !strcmp(end, "s"))
		return v;
	return -1;
}

static void
usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--duration T] [--interval T] [--csv FILE] [--churners N]\n"
		"       [--readers N] [--limit N] [--tolerance PCT] [--slack MIB]\n"
		"       [--no-growth-check] [--seed N] [--data DIR]\n"
		"T is seconds, or a number with s, m or h (--duration 3h).\n"
		"Defaults: --duration 60 --interval 10 --churners 2 --readers 2 "
		"--tolerance 2 --slack 4 --data %s\n",
		argv0, RTM_DATA_DIR);
	exit(2);
}

static void
parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-growth-check")) {
			opt.growth_check = false;
			continue;
		}
		if (!v)
			usage(argv[0]);
		i++;
		if (!strcmp(a, "--duration"))
			opt.duration = parse_seconds(v);
		else if (!strcmp(a, "--interval"))
			opt.interval = parse_seconds(v);
		else if (!strcmp(a, "--csv"))
			opt.csv = v;
		else if (!strcmp(a, "--data"))
			opt.data = v;
		else if (!strcmp(a, "--churners"))
			opt.churners = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(a, "--readers"))
			opt.readers = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(a, "--limit"))
			opt.limit = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--tolerance"))
			opt.tolerance = strtod(v, NULL);
		else if (!strcmp(a, "--slack"))
			opt.slack_mib = strtod(v, NULL);
		else if (!strcmp(a, "--seed"))
			opt.seed = strtoull(v, NULL, 0);
		else
			usage(argv[0]);
	}
	if (opt.duration < 0 || opt.interval <= 0 || opt.churners < 1 || opt.readers < 1 ||
	    opt.churners > 64 || opt.readers > 64)
		usage(argv[0]);
}

int
main(int argc, char **argv)
{
	unsigned nworkers;
	struct worker *ws;
	struct sample *samples;
	size_t nsamples = 0;
	FILE *csv = NULL;
	char path[4096];
	double t0, next;
	bool grew = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	if (!opt.seed)
		opt.seed = (uint64_t)(now_s() * 1e6);
	samples = calloc(SAMPLES_MAX, sizeof(*samples));
	if (!samples)
		return 2;
	if (opt.csv) {
		csv = fopen(opt.csv, "w");
		if (!csv) {
			perror(opt.csv);
			return 2;
		}
		fprintf(csv, "elapsed_s,ops,rss_bytes,inuse_bytes\n");
	}

	snprintf(path, sizeof(path), "%s/tier1-2023-ipv4.txt.xz", opt.data);
	if (load(path, &fams[0]))
		return 2;
	snprintf(path, sizeof(path), "%s/tier1-2023-ipv6.txt.xz", opt.data);
	if (load(path, &fams[1]))
		return 2;
	for (unsigned e = 0; e < ENTS; e++) {
		handles[e] = calloc(npfx, sizeof(*handles[e]));
		if (!handles[e])
			return 2;
	}
	for (unsigned fi = 0; fi < FAMILIES; fi++)
		setup_family(&fams[fi]);
	t0 = now_s();
	load_routes();
	printf("rtm-soak: seed %" PRIu64 "; %zu IPv4 + %zu IPv6 prefixes, loaded in %.1f s; "
	       "%u churners, %u readers, 1 notification consumer, 1 enumerator; %.0f s\n",
	       opt.seed, fams[0].count, fams[1].count, now_s() - t0, opt.churners, opt.readers,
	       opt.duration);

	nworkers = opt.churners + opt.readers + 2;
	ws = calloc(nworkers, sizeof(*ws));
	if (!ws)
		return 2;
	for (unsigned k = 0; k < nworkers; k++) {
		void *(*fn)(void *) = k < opt.churners ? churner_main :
				      k < opt.churners + opt.readers ? reader_main :
				      k == nworkers - 2 ? notify_main : enum_main;

		ws[k].index = k < opt.churners ? k : 0;
		ws[k].rng = opt.seed ^ (0x632be59bd9b4e019ull * (k + 1));
		if (pthread_create(&ws[k].tid, NULL, fn, &ws[k])) {
			fprintf(stderr, "rtm-soak: pthread_create failed\n");
			return 2;
		}
	}

	printf("%10s %14s %10s %12s %12s %8s\n", "elapsed_s", "ops", "ops/s", "rss_MiB",
	       "inuse_MiB", "failures");
	t0 = now_s();
	next = t0 + opt.interval;
	for (;;) {
		double t = now_s();
		uint64_t ops = 0;
		struct sample *s;

		if (t < next && t - t0 < opt.duration) {
			double wait = next - t;

			if (wait > opt.duration - (t - t0))
				wait = opt.duration - (t - t0);
			usleep((useconds_t)(wait * 1e6) + 1000);
			continue;
		}
		for (unsigned k = 0; k < nworkers; k++)
			ops += atomic_load_explicit(&ws[k].ops, memory_order_relaxed);
		s = &samples[nsamples < SAMPLES_MAX ? nsamples++ : SAMPLES_MAX - 1];
		*s = (struct sample){t - t0, ops, rss_bytes(), inuse_bytes()};
		printf("%10.0f %14" PRIu64 " %10.0f %12.1f %12.1f %8" PRIu64 "\n", s->t, s->ops,
		       nsamples > 1 ? (double)(s->ops - s[-1].ops) / (s->t - s[-1].t) :
				      (double)s->ops / s->t,
		       (double)s->rss / 1048576.0, (double)s->inuse / 1048576.0,
		       atomic_load(&failures));
		if (csv) {
			fprintf(csv, "%.1f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", s->t, s->ops,
				s->rss, s->inuse);
			fflush(csv);
		}
		if (t - t0 >= opt.duration)
			break;
		next += opt.interval;
	}
	atomic_store(&stop_flag, true);
	for (unsigned k = 0; k < nworkers; k++)
		pthread_join(ws[k].tid, NULL);

	final_check();
	if (opt.growth_check)
		grew = !judge_growth(samples, nsamples, opt.duration);
	teardown();
	if (csv)
		fclose(csv);
	printf("rtm-soak: %.0f s, %" PRIu64 " operations, %" PRIu64 " oracle failures, memory %s\n",
	       samples[nsamples - 1].t, samples[nsamples - 1].ops, atomic_load(&failures),
	       !opt.growth_check ? "not judged" : grew ? "GREW" : "flat");
	for (unsigned e = 0; e < ENTS; e++)
		free(handles[e]);
	free(pfx);
	free(ws);
	free(samples);
	return atomic_load(&failures) || grew ? 1 : 0;
}
