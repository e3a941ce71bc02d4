/*
 * torture.c - many threads hammer one IPv4 table and check every value they see.
 *
 * Thread kinds, all released together from one barrier, more of them than CPUs:
 *
 *   churner  adds, updates and deletes its own routes on random keys of a small,
 *            nested universe of prefixes (0/0, some /8, then /12../32 below them),
 *            so destinations keep appearing and disappearing and writers collide;
 *   updater  owns one route on each of its anchor prefixes and edits it in place:
 *            RtmLockRoute(exclusive), several separate stores into the RTM's own
 *            RTM_ROUTE_INFO with yields between them, RtmUpdateAndUnlockRoute;
 *            sometimes only RtmLockDestination(exclusive) and unlock;
 *   shared   RtmLockRoute(shared) on its own anchor routes or
 *            RtmLockDestination(shared) on any anchor, then reads everything on
 *            that destination twice, with yields between, and checks that nothing
 *            changed and that the best route really is the best;
 *   reader   lock-free lookups: most-specific, exact, less-specific, exact-match
 *            route, RtmGetRouteInfo and RtmIsBestRoute, every answer checked;
 *   enum     destination enumerations (START, or RANGE over one /8 of the
 *            universe; views UCAST or ANY) in batches of random size, and
 *            route enumerations over all routes: order strictly increasing,
 *            nothing twice, nothing outside the range, every payload checked,
 *            every anchor (and every permanent route) seen exactly once by
 *            every complete enumeration that covers it; some enumerations are
 *            abandoned, a few are never deleted (deregistration frees them);
 *   notify   owns a change-notification registration (CHANGE_TYPE_ALL or
 *            CHANGE_TYPE_BEST, views UCAST|MCAST or ANY) with an event callback
 *            that posts a semaphore and sometimes drains the queue itself; the
 *            thread drains with RtmGetChangedDests in batches of random size
 *            and records, per key, the last state it read.
 *
 * Change oracle: writers count every successful change per key.  After the
 * run the queues are drained until they stay empty; then for every changed
 * key the last state a registration read must be the table's final state
 * (both: destination, best route, its owner, flags and PrefInfo; ALL also
 * NumRoutes and LastChanged, which moves on every change), every changed key
 * must have been reported, no key more often than it changed, and no
 * destination twice in one batch.  During the run, the withdrawal of a
 * destination must never arrive after the state of the destination object
 * that later took its prefix.
 *
 * Every value is checkable because it is derived from its key.  A route of
 * entity e on prefix p carries
 *     EntitySpecificInfo = top 40 bits of hash(p, e) | 24-bit tag
 *     PrefInfo.Preference = mix(p, e, Metric, tag, NumNextHops)
 * and next hops that are e's own.  A torn or mixed-up read breaks the relation.
 * Updaters count the tag up on every edit, so a reader that sees a route's tag
 * go backwards has read an older version after a newer one.
 *
 * Anchors are prefixes that hold an updater route from start to end: a lookup
 * of an address under an anchor must never fail and never return a shorter
 * prefix than the longest anchor above it, and the anchor's destination keeps
 * one handle for the whole run.  Lock exclusion is checked with per-key
 * counters in test memory.
 *
 * At the end the threads stop, the change queues are drained and checked, the
 * table is compared against what every writer believes it has, everything is
 * deleted and every entity deregistered: notification consumers with their
 * registrations still live, enumerators and consumers with enumerations they
 * never deleted (deregistration must free them: run under LeakSanitizer).
 * Lookups must then miss.
 *
 * Environment:
 *   RTM_TORTURE_SECONDS  run time (default 10, or --default-seconds=N)
 *   RTM_TORTURE_SEED     master seed (default: from the clock; printed first)
 *   RTM_TORTURE_THREADS  number of worker threads (default 14, at least 8)
 *   RTM_TORTURE_KEYS     size of the prefix universe (default 300)
 *   RTM_TORTURE_YIELD    1 = random sched_yield() in the hot loops
 *
 * Last line: "N passed, M failed" (checks passed, wrong values); exit 1 if M > 0.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rtmv2.h"

#ifndef ERROR_CALL_NOT_IMPLEMENTED
#define ERROR_CALL_NOT_IMPLEMENTED 120
#endif

#define NH_PER_ENTITY 4     /* next hops each writer entity registers */
#define MAX_FIXED_PER_KEY 8 /* permanent routes per anchor key */
#define SHARED_ROUTES_MAX 16 /* anchor routes per shared holder */
#define ROUTE_FLAGS RTM_ROUTE_FLAGS_REMOTE
#define TAG_BITS 24
#define TAG_MASK ((1u << TAG_BITS) - 1)
#define FAIL_PRINT_MAX 200
#define JOIN_GRACE_SECONDS 60

/* ---------------------------------------------------------------------------------------- */
/* Configuration and random numbers                                                          */

struct config {
	unsigned seconds;
	uint64_t seed;
	unsigned threads;
	unsigned keys;
	bool yield;
};

static struct config cfg;

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

struct rng {
	uint64_t s;
};

static uint64_t
rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return mix64(r->s);
}

static unsigned
rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(rng_next(r) % n);
}

static uint64_t
env_u64(const char *name, uint64_t dflt, bool *given)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (given)
		*given = false;
	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "torture: bad %s=%s, using %llu\n", name, s,
			(unsigned long long)dflt);
		return dflt;
	}
	if (given)
		*given = true;
	return v;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------------------------------- */
/* The key universe                                                                          */

/*
 * Everything here except the two counters is written by main before the start
 * barrier and only read afterwards.
 */
struct key {
	uint32_t addr; /* host order, host bits clear */
	uint8_t len;
	bool anchor;
	unsigned nfixed;
	unsigned fixed[MAX_FIXED_PER_KEY]; /* indexes into fixed_routes[] */
	RTM_DEST_INFO *keep;               /* anchors: a dest info held for the whole run */
	RTM_DEST_HANDLE dest;              /* anchors: keep->DestHandle */
	/* Lock holders as seen by the test. */
	atomic_int n_shared;
	atomic_int n_excl;
	/* Successful adds, updates and deletes of routes here, by every writer. */
	atomic_uint changes;
};

static struct key *keys;
static unsigned nkeys;
static unsigned *anchors; /* key indexes */
static unsigned nanchors;

static uint32_t
mask_of(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

static int
key_cmp(uint32_t a1, unsigned l1, uint32_t a2, unsigned l2)
{
	if (a1 != a2)
		return a1 < a2 ? -1 : 1;
	if (l1 != l2)
		return l1 < l2 ? -1 : 1;
	return 0;
}

static int
key_qsort_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	return key_cmp(x->addr, x->len, y->addr, y->len);
}

/* Index of the key (addr/len), or -1.  addr must be masked. */
static int
key_find(uint32_t addr, unsigned len)
{
	unsigned lo = 0, hi = nkeys;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int c = key_cmp(keys[mid].addr, keys[mid].len, addr, len);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Length of the longest anchor covering addr/len with length <= maxlen, or -1. */
static int
longest_anchor(uint32_t addr, unsigned maxlen)
{
	for (int l = (int)maxlen; l >= 0; l--) {
		int k = key_find(addr & mask_of((unsigned)l), (unsigned)l);

		if (k >= 0 && keys[k].anchor)
			return l;
	}
	return -1;
}

struct keyset {
	uint64_t *slot;
	size_t cap;
};

static bool
keyset_add(struct keyset *s, uint32_t addr, unsigned len)
{
	uint64_t v = ((uint64_t)addr << 8 | len) + 1;
	size_t i = mix64(v) & (s->cap - 1);

	while (s->slot[i]) {
		if (s->slot[i] == v)
			return false;
		i = (i + 1) & (s->cap - 1);
	}
	s->slot[i] = v;
	return true;
}

/*
 * A nested universe: 0/0, a few /8s, then children of random existing keys,
 * 8 bits (sometimes 4) longer than their parent, down to /32.
 */
static void
universe_build(uint64_t seed)
{
	struct rng r = {seed ^ 0x756e6976ull};
	unsigned n = cfg.keys, n8 = n / 64;
	struct keyset set;

	if (n8 < 2)
		n8 = 2;
	if (n8 > 200)
		n8 = 200;
	set.cap = 16;
	while (set.cap < 4 * (size_t)n)
		set.cap *= 2;
	set.slot = calloc(set.cap, sizeof(*set.slot));
	keys = calloc(n, sizeof(*keys));
	if (!set.slot || !keys) {
		perror("calloc");
		exit(2);
	}
	keyset_add(&set, 0, 0);
	nkeys = 1;
	while (nkeys < 1 + n8 && nkeys < n) {
		uint32_t a = (1 + rng_below(&r, 223)) << 24;

		if (keyset_add(&set, a, 8)) {
			keys[nkeys].addr = a;
			keys[nkeys].len = 8;
			nkeys++;
		}
	}
	while (nkeys < n) {
		const struct key *p = &keys[1 + rng_below(&r, nkeys - 1)];
		unsigned step = rng_below(&r, 4) == 0 ? 4 : 8;
		unsigned len = p->len + step > 32 ? 32 : p->len + step;
		uint32_t a;

		if (p->len >= 32)
			continue;
		a = p->addr | ((uint32_t)rng_next(&r) & mask_of(len) & ~mask_of(p->len));
		if (keyset_add(&set, a, len)) {
			keys[nkeys].addr = a;
			keys[nkeys].len = (uint8_t)len;
			nkeys++;
		}
	}
	free(set.slot);
	qsort(keys, nkeys, sizeof(*keys), key_qsort_cmp);

	anchors = calloc(nkeys, sizeof(*anchors));
	if (!anchors) {
		perror("calloc");
		exit(2);
	}
	for (unsigned i = 0; i < nkeys; i++) {
		atomic_init(&keys[i].n_shared, 0);
		atomic_init(&keys[i].n_excl, 0);
		atomic_init(&keys[i].changes, 0);
		/* 0/0 is never an anchor, so that misses stay possible. */
		if (keys[i].len > 0 && rng_below(&r, 4) == 0) {
			keys[i].anchor = true;
			anchors[nanchors++] = i;
		}
	}
	if (nanchors == 0) {
		keys[nkeys - 1].anchor = true;
		anchors[nanchors++] = nkeys - 1;
	}
}

/* A random address (as addr/qlen) somewhere inside the universe, or anywhere. */
static void
random_query(struct rng *r, uint32_t *addr, unsigned *qlen)
{
	unsigned c = rng_below(r, 16);

	if (c == 0) {
		*addr = (uint32_t)rng_next(r);
		*qlen = 32;
		return;
	}
	const struct key *k = &keys[rng_below(r, nkeys)];
	*qlen = c == 1 ? k->len + rng_below(r, 33 - k->len) : 32;
	*addr = (k->addr | ((uint32_t)rng_next(r) & ~mask_of(k->len))) & mask_of(*qlen);
}

static void
addr_set(RTM_NET_ADDRESS *a, uint32_t host, unsigned len)
{
	uint32_t be = htonl(host);

	memset(a, 0, sizeof(*a));
	a->AddressFamily = AF_INET;
	a->NumBits = (USHORT)len;
	memcpy(a->AddrBits, &be, sizeof(be));
}

static uint32_t
addr_get(const RTM_NET_ADDRESS *a)
{
	uint32_t be;

	memcpy(&be, a->AddrBits, sizeof(be));
	return ntohl(be);
}

/* ---------------------------------------------------------------------------------------- */
/* Entities, payloads, permanent routes                                                      */

enum kind { K_CHURN, K_UPDATE, K_SHARED, K_READ, K_ENUM, K_NOTIFY, K_CALLBACK, K_MAIN };
static const char *const kind_name[] = {"churner", "updater", "shared",   "reader",
					"enum",    "notify",  "callback", "main"};

/* Entities of these kinds own routes and next hops. */
static bool
kind_writes(enum kind k)
{
	return k == K_CHURN || k == K_UPDATE || k == K_SHARED;
}

struct entity {
	RTM_ENTITY_HANDLE h;
	enum kind kind;
	unsigned kind_index;
	RTM_NEXTHOP_HANDLE nh[NH_PER_ENTITY]; /* writers only */
};

static struct entity *ents;
static unsigned nents;

/* From the registration profile (checked to be the same for every entity). */
static unsigned prof_max_nh;    /* MaxNextHopsInRoute */
static unsigned prof_max_enum;  /* MaxHandlesInEnum */
static unsigned prof_num_views; /* NumberOfViews */
static unsigned route_nh_max;   /* next hops a test route may have */
static size_t ri_size;          /* route-info buffer for prof_max_nh next hops */
static size_t di_size;          /* dest-info buffer for every view */

static int
entity_of(RTM_ENTITY_HANDLE h)
{
	for (unsigned i = 0; i < nents; i++)
		if (ents[i].h == h)
			return (int)i;
	return -1;
}

static uint64_t
route_hash(unsigned k, unsigned e)
{
	return mix64(((uint64_t)keys[k].addr << 8 | keys[k].len) ^ ((uint64_t)(e + 1) << 44) ^
		     0x746f727475726521ull);
}

static uint32_t
route_pref(unsigned k, unsigned e, uint32_t metric, uint32_t tag, unsigned nnh)
{
	uint64_t x = route_hash(k, e) ^ ((uint64_t)metric << 32 | (uint64_t)nnh << 24 | tag);

	return (uint32_t)(mix64(x + 0x5851f42d4c957f2dull) >> 32);
}

static uint64_t
route_esi(unsigned k, unsigned e, uint32_t tag)
{
	return (route_hash(k, e) & ~(uint64_t)TAG_MASK) | tag;
}

/* What a writer last wrote into one of its routes. */
struct payload {
	uint32_t metric;
	uint32_t pref;
	uint32_t tag;
	uint64_t esi;
	unsigned nnh;
	RTM_NEXTHOP_HANDLE nh[NH_PER_ENTITY];
};

static void
payload_make(struct payload *p, struct rng *r, unsigned k, unsigned e, uint32_t tag)
{
	unsigned first = rng_below(r, NH_PER_ENTITY);

	p->metric = (uint32_t)rng_next(r);
	p->tag = tag & TAG_MASK;
	p->nnh = 1 + rng_below(r, route_nh_max);
	for (unsigned i = 0; i < p->nnh; i++)
		p->nh[i] = ents[e].nh[(first + i) % NH_PER_ENTITY];
	p->pref = route_pref(k, e, p->metric, p->tag, p->nnh);
	p->esi = route_esi(k, e, p->tag);
}

static void
payload_to_info(const struct payload *p, RTM_ROUTE_INFO *ri)
{
	memset(ri, 0, ri_size);
	ri->DestHandle = NULL;
	ri->RouteOwner = NULL;
	ri->Neighbour = NULL;
	ri->Flags = ROUTE_FLAGS;
	ri->PrefInfo.Metric = p->metric;
	ri->PrefInfo.Preference = p->pref;
	ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri->EntitySpecificInfo = (PVOID)(uintptr_t)p->esi;
	ri->NextHopsList.NumNextHops = (USHORT)p->nnh;
	for (unsigned i = 0; i < p->nnh; i++)
		ri->NextHopsList.NextHops[i] = p->nh[i];
}

static bool
payload_equal(const struct payload *p, const RTM_ROUTE_INFO *ri)
{
	if (ri->PrefInfo.Metric != p->metric || ri->PrefInfo.Preference != p->pref ||
	    (uint64_t)(uintptr_t)ri->EntitySpecificInfo != p->esi ||
	    ri->NextHopsList.NumNextHops != p->nnh)
		return false;
	for (unsigned i = 0; i < p->nnh; i++)
		if (ri->NextHopsList.NextHops[i] != p->nh[i])
			return false;
	return true;
}

/*
 * Routes that live from setup to the final phase: the updaters' anchor routes
 * and the shared holders' routes.  key/ent/h are immutable after setup; last
 * and seq belong to the owning thread.
 */
struct fixed {
	unsigned key;
	unsigned ent;
	RTM_ROUTE_HANDLE h;
	struct payload last;
	uint32_t seq;
};

static struct fixed *fixed_routes;
static unsigned nfixed;

/* ---------------------------------------------------------------------------------------- */
/* Workers and checks                                                                        */

enum op {
	OP_ADD,
	OP_DELETE,
	OP_DELETE_KEEP,
	OP_UPDATE_HANDLE,
	OP_UPDATE_MATCH,
	OP_FIND_OWN,
	OP_EDIT,
	OP_LOCK_PEEK,
	OP_LOCK_DEST_X,
	OP_SHARED_ROUTE,
	OP_SHARED_DEST,
	OP_BEST_CHECK,
	OP_MOST_SPECIFIC,
	OP_EXACT_DEST,
	OP_LESS_SPECIFIC,
	OP_EXACT_ROUTE,
	OP_ROUTE_INFO,
	OP_ENUM_DESTS,
	OP_ENUM_RANGE,
	OP_ENUM_ROUTES,
	OP_ENUM_DEST_ROUTES,
	OP_ENUM_ABANDON,
	OP_ENUM_LEAK,
	OP_NOTIFY_WAIT,
	OP_NOTIFY_DRAIN,
	OP_CHANGE_STATUS,
	OP_MAX
};

static const char *const op_name[OP_MAX] = {
	"add",           "delete",       "delete+keep", "update-handle", "update-match",
	"find-own",      "edit",         "lock-peek",   "lock-dest-x",   "shared-route",
	"shared-dest",   "best-check",   "most-spec",   "exact-dest",    "less-spec",
	"exact-route",   "route-info",   "enum-dests",  "enum-range",    "enum-routes",
	"dest-routes",   "enum-abandon", "enum-leak",   "notify-wait",   "notify-drain",
	"change-status",
};

struct worker {
	pthread_t tid;
	enum kind kind;
	unsigned index;      /* among all workers */
	unsigned kind_index; /* among workers of its kind */
	uint64_t seed;
	struct rng rng;
	unsigned ent; /* index into ents[] */

	/* Written only by the worker; read by main after join. */
	uint64_t ops[OP_MAX];
	uint64_t passed;
	uint64_t wrong;
	uint64_t max_wait_ns; /* longest single lock / write call */
	bool no_less;         /* less-specific lookup not implemented */

	/* Watchdog. */
	atomic_int where;

	/* Scratch buffers. */
	RTM_ROUTE_INFO *ri;
	RTM_ROUTE_INFO *ri2;
	RTM_DEST_INFO *di;
	RTM_DEST_INFO *di2;
	RTM_ROUTE_HANDLE *handles; /* prof_max_enum */

	/* churner: per key, its route there (or NULL) and what it wrote. */
	RTM_ROUTE_HANDLE *own_h;
	struct payload *own_p;

	/* updater / shared holder: indexes into fixed_routes[]. */
	unsigned *mine;
	unsigned nmine;

	/* every thread that reads fixed routes: last tag seen per fixed route. */
	uint32_t *seen_tag;

	/* enumerator: per key / per fixed route, the enumeration that last saw it. */
	uint32_t epoch;
	uint32_t *stamp;
	uint32_t *fstamp;
	RTM_DEST_INFO *dbuf; /* prof_max_enum dest infos, dest_stride apart */
	unsigned leaked;     /* enumerations left open for deregistration */

	/* notification consumer: its registration. */
	struct notifier *nt;
};

static struct worker *workers;
static unsigned nworkers;
static struct worker main_worker; /* setup and final phase */
static atomic_bool stop_flag;
static atomic_uint fail_prints;
static pthread_barrier_t start_barrier;

static void
fail(struct worker *w, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
fail(struct worker *w, int line, const char *fmt, ...)
{
	va_list ap;

	w->wrong++;
	if (atomic_fetch_add_explicit(&fail_prints, 1, memory_order_relaxed) >= FAIL_PRINT_MAX)
		return;
	flockfile(stdout);
	printf("WRONG [%s %u seed=0x%016" PRIx64 "] torture.c:%d: ", kind_name[w->kind],
	       w->kind_index, w->seed, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	funlockfile(stdout);
}

static bool
check_passed(struct worker *w)
{
	w->passed++;
	return true;
}

/* Counts one check; prints and counts a wrong value when cond is false. Returns cond. */
#define CHECK(w, cond, ...)                                                                        \
	((cond) ? check_passed(w) : (fail((w), __LINE__, __VA_ARGS__), false))

/* One check that the call returned the expected code. */
#define CHECK_RC(w, rc, want, what)                                                                \
	CHECK(w, (rc) == (want), "%s returned %u, expected %u", (what), (unsigned)(rc),            \
	      (unsigned)(want))

static void
maybe_yield(struct worker *w)
{
	if (cfg.yield && rng_below(&w->rng, 16) == 0)
		sched_yield();
}

/*
 * The gap between two stores of an in-place edit: long enough for a reader on
 * the other CPU to look, sometimes long enough for every thread to run.
 */
static void
edit_gap(struct worker *w)
{
	if (rng_below(&w->rng, 4) == 0) {
		sched_yield();
		return;
	}
	for (unsigned i = 0, n = 64 + rng_below(&w->rng, 512); i < n; i++)
		atomic_signal_fence(memory_order_seq_cst);
}

static void
note_wait(struct worker *w, uint64_t t0)
{
	uint64_t d = now_ns() - t0;

	if (d > w->max_wait_ns)
		w->max_wait_ns = d;
}

/* Records what the thread is doing, for the watchdog. */
static void
at(struct worker *w, enum op o)
{
	atomic_store_explicit(&w->where, (int)o + 1, memory_order_relaxed);
}

static bool
stopping(void)
{
	return atomic_load_explicit(&stop_flag, memory_order_relaxed);
}

/* Entering an exclusive section: nobody else may hold the destination. */
static void
excl_enter(struct worker *w, unsigned k)
{
	int x = atomic_fetch_add(&keys[k].n_excl, 1);
	int s = atomic_load(&keys[k].n_shared);

	CHECK(w, x == 0 && s == 0,
	      "exclusive lock on %08x/%u granted while %d exclusive and %d shared holders are in",
	      keys[k].addr, keys[k].len, x, s);
}

static void
excl_leave(unsigned k)
{
	atomic_fetch_sub(&keys[k].n_excl, 1);
}

static void
shared_enter(unsigned k)
{
	atomic_fetch_add(&keys[k].n_shared, 1);
}

/* A shared holder checks, at any point while it holds the lock, for writers. */
static void
shared_check(struct worker *w, unsigned k)
{
	int x = atomic_load(&keys[k].n_excl);

	CHECK(w, x == 0, "shared lock on %08x/%u held while %d exclusive holders are in",
	      keys[k].addr, keys[k].len, x);
}

static void
shared_leave(unsigned k)
{
	atomic_fetch_sub(&keys[k].n_shared, 1);
}

/*
 * Checks a route info against the payload rules.  kexp is the key the route must
 * be on, or -1 to take it from addr (which must then be non-NULL).  On success
 * returns true and the route's key, entity and tag.
 */
static bool
check_route(struct worker *w, const RTM_ROUTE_INFO *ri, int kexp, const RTM_NET_ADDRESS *addr,
	    const char *ctx, unsigned *k_out, unsigned *e_out, uint32_t *tag_out)
{
	int k = kexp, e;
	unsigned nnh;
	uint64_t esi;
	uint32_t tag;

	if (addr) {
		uint32_t a = addr_get(addr);
		int ka = addr->AddressFamily == AF_INET && addr->NumBits <= 32 &&
					 (a & ~mask_of(addr->NumBits)) == 0
				 ? key_find(a, addr->NumBits)
				 : -1;

		if (!CHECK(w, ka >= 0, "%s: DestAddress family %u %08x/%u is not in the universe",
			   ctx, addr->AddressFamily, a, addr->NumBits))
			return false;
		if (kexp >= 0 && !CHECK(w, ka == kexp, "%s: DestAddress %08x/%u, expected %08x/%u",
					ctx, a, addr->NumBits, keys[kexp].addr, keys[kexp].len))
			return false;
		k = ka;
	}
	e = entity_of(ri->RouteOwner);
	if (!CHECK(w, e >= 0 && kind_writes(ents[e].kind),
		   "%s: RouteOwner %p is not an entity that adds routes", ctx, ri->RouteOwner))
		return false;
	if (!CHECK(w, ri->DestHandle != NULL, "%s: DestHandle is NULL", ctx))
		return false;
	CHECK(w, ri->Neighbour == NULL, "%s: Neighbour %p, expected NULL", ctx, ri->Neighbour);
	CHECK(w, ri->State == RTM_ROUTE_STATE_CREATED || ri->State == RTM_ROUTE_STATE_DELETED,
	      "%s: State %u", ctx, ri->State);
	CHECK(w, ri->Flags == ROUTE_FLAGS && ri->Flags1 == 0, "%s: Flags 0x%x Flags1 0x%x", ctx,
	      ri->Flags, ri->Flags1);
	CHECK(w, ri->BelongsToViews == RTM_VIEW_MASK_UCAST, "%s: BelongsToViews 0x%x", ctx,
	      (unsigned)ri->BelongsToViews);
	nnh = ri->NextHopsList.NumNextHops;
	if (!CHECK(w, nnh >= 1 && nnh <= route_nh_max, "%s: NumNextHops %u", ctx, nnh))
		return false;
	for (unsigned i = 0; i < nnh; i++) {
		RTM_NEXTHOP_HANDLE h = ri->NextHopsList.NextHops[i];
		bool owned = false, dup = false;

		for (unsigned j = 0; j < NH_PER_ENTITY; j++)
			owned |= ents[e].nh[j] == h;
		for (unsigned j = 0; j < i; j++)
			dup |= ri->NextHopsList.NextHops[j] == h;
		CHECK(w, owned && !dup, "%s: next hop %u (%p) is %s", ctx, i, h,
		      owned ? "repeated" : "not the owner's");
	}
	esi = (uint64_t)(uintptr_t)ri->EntitySpecificInfo;
	tag = (uint32_t)(esi & TAG_MASK);
	if (!CHECK(w, (esi >> TAG_BITS) == (route_hash((unsigned)k, (unsigned)e) >> TAG_BITS),
		   "%s: EntitySpecificInfo 0x%016" PRIx64
		   " does not belong to %08x/%u of %s %u (torn or misplaced route)",
		   ctx, esi, keys[k].addr, keys[k].len, kind_name[ents[e].kind],
		   ents[e].kind_index))
		return false;
	if (!CHECK(w,
		   ri->PrefInfo.Preference ==
			   route_pref((unsigned)k, (unsigned)e, ri->PrefInfo.Metric, tag, nnh),
		   "%s: Preference %u does not match Metric %u, tag %u, %u next hops on %08x/%u "
		   "(torn read)",
		   ctx, ri->PrefInfo.Preference, ri->PrefInfo.Metric, tag, nnh, keys[k].addr,
		   keys[k].len))
		return false;
	if (k_out)
		*k_out = (unsigned)k;
	if (e_out)
		*e_out = (unsigned)e;
	if (tag_out)
		*tag_out = tag;
	return true;
}

/* Versions of a fixed route must never go backwards for one observer. */
static void
check_tag_order(struct worker *w, unsigned f, uint32_t tag, const char *ctx)
{
	uint32_t last = w->seen_tag[f];
	uint32_t ahead = (tag - last) & TAG_MASK;

	if (fixed_routes[f].ent >= nents || ents[fixed_routes[f].ent].kind != K_UPDATE)
		return;
	CHECK(w, ahead < (TAG_MASK >> 1),
	      "%s: route %p on %08x/%u went back from version %u to %u", ctx, fixed_routes[f].h,
	      keys[fixed_routes[f].key].addr, keys[fixed_routes[f].key].len, last, tag);
	if (ahead < (TAG_MASK >> 1))
		w->seen_tag[f] = tag;
}

static void
release_route_info(struct worker *w, RTM_ROUTE_INFO *ri)
{
	DWORD rc = RtmReleaseRouteInfo(ents[w->ent].h, ri);

	CHECK_RC(w, rc, NO_ERROR, "RtmReleaseRouteInfo");
}

static void
release_dest_info(struct worker *w, RTM_DEST_INFO *di)
{
	DWORD rc = RtmReleaseDestInfo(ents[w->ent].h, di);

	CHECK_RC(w, rc, NO_ERROR, "RtmReleaseDestInfo");
}

static void
release_route(struct worker *w, RTM_ROUTE_HANDLE h)
{
	DWORD rc = RtmReleaseRoutes(ents[w->ent].h, 1, &h);

	CHECK_RC(w, rc, NO_ERROR, "RtmReleaseRoutes");
}

/*
 * Checks the route named by a dest info's best route (view 0): RtmGetRouteInfo
 * and RtmIsBestRoute.  The route must sit on the dest info's destination.
 */
static void
check_best_route_of(struct worker *w, const RTM_DEST_INFO *di, int k, const char *ctx)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_NET_ADDRESS ra;
	RTM_VIEW_SET views = 0xdeadbeef;
	DWORD rc;

	memset(w->ri, 0xa5, ri_size);
	memset(&ra, 0xa5, sizeof(ra));
	rc = RtmGetRouteInfo(me, di->ViewInfo[0].Route, w->ri, &ra);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmGetRouteInfo(best route)"))
		return;
	if (check_route(w, w->ri, k, &ra, ctx, NULL, NULL, NULL)) {
		CHECK(w, w->ri->DestHandle == di->DestHandle,
		      "%s: best route's DestHandle %p, dest info says %p", ctx, w->ri->DestHandle,
		      di->DestHandle);
		CHECK(w, w->ri->RouteOwner == di->ViewInfo[0].Owner,
		      "%s: best route's owner %p, dest info says %p", ctx, w->ri->RouteOwner,
		      di->ViewInfo[0].Owner);
	}
	release_route_info(w, w->ri);

	rc = RtmIsBestRoute(me, di->ViewInfo[0].Route, &views);
	if (CHECK_RC(w, rc, NO_ERROR, "RtmIsBestRoute"))
		CHECK(w, (views & ~(RTM_VIEW_SET)RTM_VIEW_MASK_UCAST) == 0,
		      "%s: RtmIsBestRoute views 0x%x for a unicast-only route", ctx,
		      (unsigned)views);
}

/*
 * Checks a dest info returned for views UCAST: address in the universe, one
 * view, a best route owned by a writer.  Returns the key index or -1.
 */
static int
check_dest_info(struct worker *w, const RTM_DEST_INFO *di, const char *ctx)
{
	uint32_t a = addr_get(&di->DestAddress);
	unsigned len = di->DestAddress.NumBits;
	int k = -1, e;

	if (di->DestAddress.AddressFamily == AF_INET && len <= 32 && (a & ~mask_of(len)) == 0)
		k = key_find(a, len);
	if (!CHECK(w, k >= 0, "%s: destination family %u %08x/%u is not in the universe", ctx,
		   di->DestAddress.AddressFamily, a, len))
		return -1;
	CHECK(w, di->DestHandle != NULL, "%s: DestHandle NULL", ctx);
	if (keys[k].anchor)
		CHECK(w, di->DestHandle == keys[k].dest,
		      "%s: anchor %08x/%u has handle %p, it had %p at start", ctx, a, len,
		      di->DestHandle, keys[k].dest);
	CHECK(w, di->BelongsToViews == RTM_VIEW_MASK_UCAST, "%s: BelongsToViews 0x%x", ctx,
	      (unsigned)di->BelongsToViews);
	if (!CHECK(w, di->NumberOfViews == 1 && di->ViewInfo[0].ViewId == RTM_VIEW_ID_UCAST,
		   "%s: NumberOfViews %u ViewId %d for views UCAST", ctx, di->NumberOfViews,
		   di->ViewInfo[0].ViewId))
		return -1;
	if (!CHECK(w, di->ViewInfo[0].NumRoutes >= 1 && di->ViewInfo[0].Route != NULL,
		   "%s: %08x/%u found with NumRoutes %u, best route %p", ctx, a, len,
		   di->ViewInfo[0].NumRoutes, di->ViewInfo[0].Route))
		return -1;
	e = entity_of(di->ViewInfo[0].Owner);
	CHECK(w, e >= 0 && kind_writes(ents[e].kind), "%s: best route owner %p is not a writer",
	      ctx, di->ViewInfo[0].Owner);
	CHECK(w, di->ViewInfo[0].DestFlags == ROUTE_FLAGS, "%s: DestFlags 0x%x", ctx,
	      (unsigned)di->ViewInfo[0].DestFlags);
	CHECK(w, di->ViewInfo[0].HoldRoute == NULL, "%s: HoldRoute %p without hold-down", ctx,
	      di->ViewInfo[0].HoldRoute);
	return k;
}

/* ---------------------------------------------------------------------------------------- */
/* Churners                                                                                  */

/* Writes a new payload to key k: creates the route or updates it, per mode. */
enum write_mode { W_NEW, W_BY_HANDLE, W_BY_MATCH_RET, W_BY_MATCH_NOHANDLE };

static void
churn_write(struct worker *w, unsigned k, enum write_mode mode)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_NET_ADDRESS a;
	RTM_ROUTE_HANDLE h = NULL;
	RTM_ROUTE_CHANGE_FLAGS cf = 0;
	struct payload p;
	uint64_t t0;
	DWORD rc;

	at(w, mode == W_NEW ? OP_ADD : mode == W_BY_HANDLE ? OP_UPDATE_HANDLE : OP_UPDATE_MATCH);
	payload_make(&p, &w->rng, k, w->ent, (uint32_t)rng_next(&w->rng));
	payload_to_info(&p, w->ri);
	/* Host bits beyond NumBits must be ignored. */
	addr_set(&a, keys[k].addr | (rng_below(&w->rng, 4) == 0 ? ~mask_of(keys[k].len) & 0x5a5a5a5a : 0),
		 keys[k].len);
	if (mode == W_BY_HANDLE)
		h = w->own_h[k];
	t0 = now_ns();
	rc = RtmAddRouteToDest(me, mode == W_BY_MATCH_NOHANDLE ? NULL : &h, &a, w->ri, INFINITE,
			       NULL, 0, NULL, &cf);
	note_wait(w, t0);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmAddRouteToDest"))
		return;
	atomic_fetch_add(&keys[k].changes, 1);
	switch (mode) {
	case W_NEW:
		w->ops[OP_ADD]++;
		CHECK(w, h != NULL, "RtmAddRouteToDest: new route, no handle");
		CHECK(w, cf & RTM_ROUTE_CHANGE_NEW, "RtmAddRouteToDest: new route, flags 0x%x",
		      (unsigned)cf);
		w->own_h[k] = h;
		break;
	case W_BY_HANDLE:
		w->ops[OP_UPDATE_HANDLE]++;
		CHECK(w, h == w->own_h[k], "RtmAddRouteToDest(update by handle) changed it");
		CHECK(w, !(cf & RTM_ROUTE_CHANGE_NEW),
		      "RtmAddRouteToDest(update by handle) says NEW, flags 0x%x", (unsigned)cf);
		break;
	case W_BY_MATCH_RET:
		w->ops[OP_UPDATE_MATCH]++;
		CHECK(w, h == w->own_h[k], "RtmAddRouteToDest(update by match) gave %p, route is %p",
		      h, w->own_h[k]);
		CHECK(w, !(cf & RTM_ROUTE_CHANGE_NEW),
		      "RtmAddRouteToDest(update by match) says NEW, flags 0x%x", (unsigned)cf);
		if (h)
			release_route(w, h);
		break;
	case W_BY_MATCH_NOHANDLE:
		w->ops[OP_UPDATE_MATCH]++;
		CHECK(w, !(cf & RTM_ROUTE_CHANGE_NEW),
		      "RtmAddRouteToDest(update by match) says NEW, flags 0x%x", (unsigned)cf);
		break;
	}
	w->own_p[k] = p;

	/* Nobody else writes this route: the next read must show exactly this. */
	if (rng_below(&w->rng, 2) == 0) {
		RTM_NET_ADDRESS ra;

		memset(w->ri2, 0xa5, ri_size);
		rc = RtmGetRouteInfo(me, w->own_h[k], w->ri2, &ra);
		if (CHECK_RC(w, rc, NO_ERROR, "RtmGetRouteInfo(own route)")) {
			if (check_route(w, w->ri2, (int)k, &ra, "own route after write", NULL, NULL,
					NULL)) {
				CHECK(w, payload_equal(&p, w->ri2),
				      "own route on %08x/%u does not show what was just written",
				      keys[k].addr, keys[k].len);
				CHECK(w, w->ri2->RouteOwner == me && w->ri2->State ==
									   RTM_ROUTE_STATE_CREATED,
				      "own route: owner %p state %u", w->ri2->RouteOwner,
				      w->ri2->State);
			}
			release_route_info(w, w->ri2);
		}
	}
}

static void
churn_delete(struct worker *w, unsigned k, bool keep)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_ROUTE_HANDLE h = w->own_h[k];
	RTM_ROUTE_CHANGE_FLAGS cf = 0xdead;
	uint64_t t0;
	DWORD rc;

	at(w, keep ? OP_DELETE_KEEP : OP_DELETE);
	if (keep) {
		rc = RtmReferenceHandles(me, 1, &h);
		if (!CHECK_RC(w, rc, NO_ERROR, "RtmReferenceHandles(route)"))
			keep = false;
	}
	t0 = now_ns();
	rc = RtmDeleteRouteToDest(me, h, &cf);
	note_wait(w, t0);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmDeleteRouteToDest")) {
		if (keep)
			release_route(w, h);
		return;
	}
	atomic_fetch_add(&keys[k].changes, 1);
	CHECK(w, (cf & ~(RTM_ROUTE_CHANGE_FLAGS)RTM_ROUTE_CHANGE_BEST) == 0,
	      "RtmDeleteRouteToDest flags 0x%x", (unsigned)cf);
	w->own_h[k] = NULL;
	w->ops[keep ? OP_DELETE_KEEP : OP_DELETE]++;
	if (!keep)
		return;

	/* A deleted route stays readable through a held reference. */
	RTM_NET_ADDRESS ra;
	RTM_VIEW_SET views = 0xdeadbeef;

	memset(w->ri2, 0xa5, ri_size);
	rc = RtmGetRouteInfo(me, h, w->ri2, &ra);
	if (CHECK_RC(w, rc, NO_ERROR, "RtmGetRouteInfo(deleted route)")) {
		if (check_route(w, w->ri2, (int)k, &ra, "deleted route", NULL, NULL, NULL)) {
			CHECK(w, w->ri2->State == RTM_ROUTE_STATE_DELETED,
			      "deleted route has State %u", w->ri2->State);
			CHECK(w, payload_equal(&w->own_p[k], w->ri2),
			      "deleted route lost its last payload");
		}
		release_route_info(w, w->ri2);
	}
	rc = RtmIsBestRoute(me, h, &views);
	if (CHECK_RC(w, rc, NO_ERROR, "RtmIsBestRoute(deleted route)"))
		CHECK(w, views == 0, "deleted route is best in views 0x%x", (unsigned)views);
	cf = 0;
	rc = RtmDeleteRouteToDest(me, h, &cf);
	CHECK_RC(w, rc, ERROR_NOT_FOUND, "RtmDeleteRouteToDest(already deleted)");
	release_route(w, h);
}

/* Finds its own route by RtmGetExactMatchRoute and compares. */
static void
churn_find_own(struct worker *w, unsigned k)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_NET_ADDRESS a;
	RTM_ROUTE_HANDLE h = NULL;
	DWORD rc;

	at(w, OP_FIND_OWN);
	addr_set(&a, keys[k].addr, keys[k].len);
	memset(w->ri2, 0, ri_size);
	w->ri2->RouteOwner = me;
	w->ri2->Neighbour = NULL;
	rc = RtmGetExactMatchRoute(me, &a, RTM_MATCH_OWNER | RTM_MATCH_NEIGHBOUR, w->ri2, 0,
				   RTM_VIEW_MASK_ANY, &h);
	w->ops[OP_FIND_OWN]++;
	if (!w->own_h[k]) {
		CHECK_RC(w, rc, ERROR_NOT_FOUND, "RtmGetExactMatchRoute(own, absent)");
		if (rc == NO_ERROR) {
			release_route_info(w, w->ri2);
			release_route(w, h);
		}
		return;
	}
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmGetExactMatchRoute(own)"))
		return;
	CHECK(w, h == w->own_h[k], "RtmGetExactMatchRoute(own) gave %p, route is %p", h,
	      w->own_h[k]);
	if (check_route(w, w->ri2, (int)k, NULL, "exact-match own", NULL, NULL, NULL))
		CHECK(w, payload_equal(&w->own_p[k], w->ri2),
		      "exact-match own route on %08x/%u shows another payload", keys[k].addr,
		      keys[k].len);
	release_route_info(w, w->ri2);
	release_route(w, h);
}

static void
churn_step(struct worker *w)
{
	unsigned k = rng_below(&w->rng, nkeys);
	unsigned r = rng_below(&w->rng, 16);

	if (!w->own_h[k]) {
		if (r < 14)
			churn_write(w, k, W_NEW);
		else
			churn_find_own(w, k);
	} else if (r < 5) {
		churn_delete(w, k, false);
	} else if (r < 7) {
		churn_delete(w, k, true);
	} else if (r < 10) {
		churn_write(w, k, W_BY_HANDLE);
	} else if (r < 12) {
		churn_write(w, k, W_BY_MATCH_RET);
	} else if (r < 14) {
		churn_write(w, k, W_BY_MATCH_NOHANDLE);
	} else {
		churn_find_own(w, k);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Updaters                                                                                  */

/* Compares the RTM's own route info, seen under the lock, with what we wrote. */
static void
check_locked_info(struct worker *w, const struct fixed *f, const RTM_ROUTE_INFO *ri,
		  const char *ctx)
{
	if (!CHECK(w, ri != NULL, "%s: no route pointer", ctx))
		return;
	CHECK(w, ri->DestHandle == keys[f->key].dest && ri->RouteOwner == ents[f->ent].h &&
			 ri->State == RTM_ROUTE_STATE_CREATED,
	      "%s: route pointer shows dest %p owner %p state %u, expected %p %p 0", ctx,
	      ri->DestHandle, ri->RouteOwner, ri->State, keys[f->key].dest, ents[f->ent].h);
	CHECK(w, payload_equal(&f->last, ri),
	      "%s: route pointer on %08x/%u shows metric %u pref %u esi %p, last written %u %u "
	      "0x%" PRIx64,
	      ctx, keys[f->key].addr, keys[f->key].len, ri->PrefInfo.Metric,
	      ri->PrefInfo.Preference, ri->EntitySpecificInfo, f->last.metric, f->last.pref,
	      f->last.esi);
}

static void
update_edit(struct worker *w, struct fixed *f)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_ROUTE_INFO *ri = NULL;
	RTM_ROUTE_CHANGE_FLAGS cf = 0;
	struct payload p, old = f->last;
	bool new_hops;
	uint64_t t0;
	DWORD rc;

	at(w, OP_EDIT);
	t0 = now_ns();
	rc = RtmLockRoute(me, f->h, TRUE, TRUE, &ri);
	note_wait(w, t0);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmLockRoute(exclusive)"))
		return;
	excl_enter(w, f->key);
	check_locked_info(w, f, ri, "edit");
	if (!ri) {
		excl_leave(f->key);
		RtmLockRoute(me, f->h, TRUE, FALSE, NULL);
		return;
	}

	/* A new version; one edit in four also replaces the next hops. */
	payload_make(&p, &w->rng, f->key, f->ent, ++f->seq);
	new_hops = rng_below(&w->rng, 4) == 0;
	if (new_hops) {
		/* The client references what it adds (SEMANTICS §6). */
		rc = RtmReferenceHandles(me, p.nnh, (HANDLE *)p.nh);
		if (!CHECK_RC(w, rc, NO_ERROR, "RtmReferenceHandles(next hops)"))
			new_hops = false;
	}
	if (!new_hops) {
		p.nnh = old.nnh;
		memcpy(p.nh, old.nh, sizeof(p.nh));
		p.pref = route_pref(f->key, f->ent, p.metric, p.tag, p.nnh);
	}

	/*
	 * Separate stores with yields between them: a reader that could see the
	 * RTM's copy mid-edit would find Preference not matching the rest.
	 */
	ri->PrefInfo.Metric = p.metric;
	edit_gap(w);
	ri->EntitySpecificInfo = (PVOID)(uintptr_t)p.esi;
	edit_gap(w);
	if (new_hops) {
		ri->NextHopsList.NumNextHops = (USHORT)p.nnh;
		for (unsigned i = 0; i < p.nnh; i++)
			ri->NextHopsList.NextHops[i] = p.nh[i];
		edit_gap(w);
	}
	ri->PrefInfo.Preference = p.pref;
	maybe_yield(w);
	excl_leave(f->key);

	t0 = now_ns();
	rc = RtmUpdateAndUnlockRoute(me, f->h, INFINITE, NULL, 0, NULL, &cf);
	note_wait(w, t0);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmUpdateAndUnlockRoute")) {
		RtmLockRoute(me, f->h, TRUE, FALSE, NULL);
		return;
	}
	atomic_fetch_add(&keys[f->key].changes, 1);
	f->last = p;
	w->ops[OP_EDIT]++;
	if (new_hops) {
		rc = RtmReleaseNextHops(me, old.nnh, old.nh);
		CHECK_RC(w, rc, NO_ERROR, "RtmReleaseNextHops(old next hops)");
	}

	/* Published: our own next read must see it. */
	RTM_NET_ADDRESS ra;
	uint32_t tag;

	memset(w->ri2, 0xa5, ri_size);
	rc = RtmGetRouteInfo(me, f->h, w->ri2, &ra);
	if (CHECK_RC(w, rc, NO_ERROR, "RtmGetRouteInfo(after edit)")) {
		if (check_route(w, w->ri2, (int)f->key, &ra, "after edit", NULL, NULL, &tag))
			CHECK(w, payload_equal(&p, w->ri2),
			      "after RtmUpdateAndUnlockRoute the route on %08x/%u shows version %u, "
			      "wrote %u",
			      keys[f->key].addr, keys[f->key].len, tag, p.tag);
		release_route_info(w, w->ri2);
	}
}

static void
update_peek(struct worker *w, struct fixed *f)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_ROUTE_INFO *ri = NULL;
	uint64_t t0;
	DWORD rc;

	at(w, OP_LOCK_PEEK);
	t0 = now_ns();
	rc = RtmLockRoute(me, f->h, TRUE, TRUE, &ri);
	note_wait(w, t0);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmLockRoute(exclusive, peek)"))
		return;
	excl_enter(w, f->key);
	check_locked_info(w, f, ri, "peek");
	maybe_yield(w);
	excl_leave(f->key);
	rc = RtmLockRoute(me, f->h, TRUE, FALSE, NULL);
	CHECK_RC(w, rc, NO_ERROR, "RtmLockRoute(unlock exclusive)");
	w->ops[OP_LOCK_PEEK]++;
}

static void
update_lock_dest(struct worker *w, struct fixed *f)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_DEST_HANDLE d = keys[f->key].dest;
	uint64_t t0;
	DWORD rc;

	at(w, OP_LOCK_DEST_X);
	t0 = now_ns();
	rc = RtmLockDestination(me, d, TRUE, TRUE);
	note_wait(w, t0);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmLockDestination(exclusive)"))
		return;
	excl_enter(w, f->key);
	edit_gap(w);
	excl_leave(f->key);
	rc = RtmLockDestination(me, d, TRUE, FALSE);
	CHECK_RC(w, rc, NO_ERROR, "RtmLockDestination(unlock exclusive)");
	w->ops[OP_LOCK_DEST_X]++;
}

static void
update_step(struct worker *w)
{
	struct fixed *f;
	unsigned r = rng_below(&w->rng, 16);

	if (w->nmine == 0) { /* more updaters than anchors */
		sched_yield();
		return;
	}
	f = &fixed_routes[w->mine[rng_below(&w->rng, w->nmine)]];
	if (r < 12)
		update_edit(w, f);
	else if (r < 14)
		update_peek(w, f);
	else
		update_lock_dest(w, f);
}

/* ---------------------------------------------------------------------------------------- */
/* Shared holders                                                                            */

struct dest_snap {
	FILETIME changed;
	unsigned nroutes;
	RTM_ROUTE_HANDLE best;
};

static bool
dest_snapshot(struct worker *w, unsigned k, RTM_DEST_INFO *di, struct dest_snap *s)
{
	DWORD rc;

	memset(di, 0xa5, di_size);
	rc = RtmGetDestInfo(ents[w->ent].h, keys[k].dest, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
			    di);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmGetDestInfo(anchor)"))
		return false;
	if (check_dest_info(w, di, "RtmGetDestInfo(anchor)") != (int)k) {
		release_dest_info(w, di);
		return false;
	}
	s->changed = di->LastChanged;
	s->nroutes = di->ViewInfo[0].NumRoutes;
	s->best = di->ViewInfo[0].Route;
	return true;
}

/* Reads a fixed route; returns false if it could not be checked. */
static bool
read_fixed(struct worker *w, unsigned fi, RTM_ROUTE_INFO *ri, const char *ctx)
{
	const struct fixed *f = &fixed_routes[fi];
	RTM_NET_ADDRESS ra;
	uint32_t tag;
	DWORD rc;

	memset(ri, 0xa5, ri_size);
	rc = RtmGetRouteInfo(ents[w->ent].h, f->h, ri, &ra);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmGetRouteInfo(fixed route)"))
		return false;
	if (!check_route(w, ri, (int)f->key, &ra, ctx, NULL, NULL, &tag)) {
		release_route_info(w, ri);
		return false;
	}
	CHECK(w, ri->RouteOwner == ents[f->ent].h && ri->State == RTM_ROUTE_STATE_CREATED &&
			 ri->DestHandle == keys[f->key].dest,
	      "%s: fixed route shows owner %p state %u dest %p", ctx, ri->RouteOwner, ri->State,
	      ri->DestHandle);
	check_tag_order(w, fi, tag, ctx);
	return true;
}

/*
 * With the destination held shared, the route set is frozen: enumerate it and
 * check that the reported best route has the lowest (Preference, Metric).
 */
static void
shared_best_check(struct worker *w, unsigned k, const struct dest_snap *s)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_ENUM_HANDLE en = NULL;
	RTM_ROUTE_HANDLE best_h = NULL, match_h = NULL;
	uint64_t best_key = UINT64_MAX, s_key = UINT64_MAX;
	unsigned count = 0;
	RTM_VIEW_SET views = 0;
	RTM_NET_ADDRESS a;
	DWORD rc;

	at(w, OP_BEST_CHECK);
	rc = RtmCreateRouteEnum(me, keys[k].dest, RTM_VIEW_MASK_UCAST, RTM_ENUM_ALL_ROUTES, NULL,
				RTM_MATCH_NONE, NULL, 0, &en);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmCreateRouteEnum(dest)"))
		return;
	for (;;) {
		UINT num = prof_max_enum;

		rc = RtmGetEnumRoutes(me, en, &num, w->handles);
		if (!CHECK(w, (rc == NO_ERROR || rc == ERROR_NO_MORE_ITEMS) && num <= prof_max_enum,
			   "RtmGetEnumRoutes returned %u with %u items", (unsigned)rc,
			   (unsigned)num))
			break;
		for (unsigned i = 0; i < num; i++) {
			RTM_NET_ADDRESS ra;

			memset(w->ri2, 0xa5, ri_size);
			if (CHECK_RC(w, RtmGetRouteInfo(me, w->handles[i], w->ri2, &ra), NO_ERROR,
				     "RtmGetRouteInfo(enumerated)")) {
				if (check_route(w, w->ri2, (int)k, &ra, "enumerated route", NULL,
						NULL, NULL)) {
					uint64_t rk = (uint64_t)w->ri2->PrefInfo.Preference << 32 |
						      w->ri2->PrefInfo.Metric;

					if (rk < best_key) {
						best_key = rk;
						best_h = w->handles[i];
					}
					if (w->handles[i] == s->best)
						s_key = rk;
				}
				release_route_info(w, w->ri2);
			}
			count++;
		}
		if (num)
			CHECK_RC(w, RtmReleaseRoutes(me, num, w->handles), NO_ERROR,
				 "RtmReleaseRoutes(enumerated)");
		if (rc != NO_ERROR || num == 0)
			break;
	}
	CHECK_RC(w, RtmDeleteEnumHandle(me, en), NO_ERROR, "RtmDeleteEnumHandle");
	CHECK(w, count == s->nroutes, "%08x/%u held shared: %u routes enumerated, NumRoutes %u",
	      keys[k].addr, keys[k].len, count, s->nroutes);
	CHECK(w, s_key == best_key,
	      "%08x/%u held shared: best route %p has (pref,metric) %016" PRIx64
	      ", but %p has %016" PRIx64,
	      keys[k].addr, keys[k].len, s->best, s_key, best_h, best_key);

	rc = RtmIsBestRoute(me, s->best, &views);
	if (CHECK_RC(w, rc, NO_ERROR, "RtmIsBestRoute(held)"))
		CHECK(w, views == RTM_VIEW_MASK_UCAST, "held best route is best in views 0x%x",
		      (unsigned)views);

	/* RTM_MATCH_NONE must give the best route too. */
	addr_set(&a, keys[k].addr, keys[k].len);
	memset(w->ri2, 0xa5, ri_size);
	rc = RtmGetExactMatchRoute(me, &a, RTM_MATCH_NONE, w->ri2, 0, RTM_VIEW_MASK_UCAST,
				   &match_h);
	if (CHECK_RC(w, rc, NO_ERROR, "RtmGetExactMatchRoute(NONE, held)")) {
		CHECK(w, match_h == s->best, "held: RTM_MATCH_NONE gave %p, best is %p", match_h,
		      s->best);
		release_route_info(w, w->ri2);
		release_route(w, match_h);
	}
	w->ops[OP_BEST_CHECK]++;
}

/*
 * The same check without enumeration: with the destination held shared, ask
 * every writer entity for its route there (each has at most one, Neighbour
 * NULL).  Together they are the whole route set.
 */
static void
shared_best_by_owner(struct worker *w, unsigned k, const struct dest_snap *s)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_ROUTE_HANDLE best_h = NULL;
	uint64_t best_key = UINT64_MAX, s_key = UINT64_MAX;
	unsigned count = 0;
	RTM_NET_ADDRESS a;

	at(w, OP_BEST_CHECK);
	addr_set(&a, keys[k].addr, keys[k].len);
	for (unsigned e = 0; e < nents; e++) {
		RTM_ROUTE_HANDLE h = NULL;
		DWORD rc;

		if (!kind_writes(ents[e].kind))
			continue;
		memset(w->ri2, 0, ri_size);
		w->ri2->RouteOwner = ents[e].h;
		w->ri2->Neighbour = NULL;
		rc = RtmGetExactMatchRoute(me, &a, RTM_MATCH_OWNER | RTM_MATCH_NEIGHBOUR, w->ri2, 0,
					   RTM_VIEW_MASK_UCAST, &h);
		if (rc == ERROR_NOT_FOUND)
			continue;
		if (!CHECK_RC(w, rc, NO_ERROR, "RtmGetExactMatchRoute(owner, held)"))
			continue;
		count++;
		if (check_route(w, w->ri2, (int)k, NULL, "held: route by owner", NULL, NULL, NULL)) {
			uint64_t rk = (uint64_t)w->ri2->PrefInfo.Preference << 32 |
				      w->ri2->PrefInfo.Metric;

			CHECK(w, w->ri2->RouteOwner == ents[e].h,
			      "held: exact match by owner %p gave a route of %p", ents[e].h,
			      w->ri2->RouteOwner);
			if (rk < best_key) {
				best_key = rk;
				best_h = h;
			}
			if (h == s->best)
				s_key = rk;
		}
		release_route_info(w, w->ri2);
		release_route(w, h);
	}
	CHECK(w, count == s->nroutes,
	      "%08x/%u held shared: %u routes found by owner, NumRoutes %u", keys[k].addr,
	      keys[k].len, count, s->nroutes);
	CHECK(w, s_key == best_key,
	      "%08x/%u held shared: best route %p has (pref,metric) %016" PRIx64
	      ", but %p has %016" PRIx64,
	      keys[k].addr, keys[k].len, s->best, s_key, best_h, best_key);
	w->ops[OP_BEST_CHECK]++;
}

static void
shared_step(struct worker *w)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	bool by_route = w->nmine && rng_below(&w->rng, 2) == 0;
	struct fixed *f = NULL;
	RTM_ROUTE_INFO *ri = NULL;
	struct dest_snap s1, s2;
	uint32_t m1 = 0, p1 = 0;
	uint64_t e1 = 0, t0;
	unsigned k;
	DWORD rc;

	at(w, by_route ? OP_SHARED_ROUTE : OP_SHARED_DEST);
	if (by_route) {
		f = &fixed_routes[w->mine[rng_below(&w->rng, w->nmine)]];
		k = f->key;
		t0 = now_ns();
		rc = RtmLockRoute(me, f->h, FALSE, TRUE, &ri);
		note_wait(w, t0);
		if (!CHECK_RC(w, rc, NO_ERROR, "RtmLockRoute(shared)"))
			return;
		shared_enter(k);
		shared_check(w, k);
		if (CHECK(w, ri != NULL, "RtmLockRoute(shared): no route pointer")) {
			check_locked_info(w, f, ri, "shared lock");
			m1 = ri->PrefInfo.Metric;
			p1 = ri->PrefInfo.Preference;
			e1 = (uint64_t)(uintptr_t)ri->EntitySpecificInfo;
		}
	} else {
		k = anchors[rng_below(&w->rng, nanchors)];
		t0 = now_ns();
		rc = RtmLockDestination(me, keys[k].dest, FALSE, TRUE);
		note_wait(w, t0);
		if (!CHECK_RC(w, rc, NO_ERROR, "RtmLockDestination(shared)"))
			return;
		shared_enter(k);
		shared_check(w, k);
	}

	/* First look at the destination and every fixed route on it. */
	bool have1 = dest_snapshot(w, k, w->di, &s1);
	struct payload first[MAX_FIXED_PER_KEY];
	bool ok[MAX_FIXED_PER_KEY];

	for (unsigned i = 0; i < keys[k].nfixed; i++) {
		ok[i] = read_fixed(w, keys[k].fixed[i], w->ri, "held shared (1st)");
		if (ok[i]) {
			first[i].metric = w->ri->PrefInfo.Metric;
			first[i].pref = w->ri->PrefInfo.Preference;
			first[i].esi = (uint64_t)(uintptr_t)w->ri->EntitySpecificInfo;
			first[i].nnh = w->ri->NextHopsList.NumNextHops;
			for (unsigned j = 0; j < first[i].nnh; j++)
				first[i].nh[j] = w->ri->NextHopsList.NextHops[j];
			release_route_info(w, w->ri);
		}
		edit_gap(w);
	}
	sched_yield();
	shared_check(w, k);

	/* Second look: nothing may have changed while we held the lock. */
	for (unsigned i = 0; i < keys[k].nfixed; i++) {
		if (!ok[i] || !read_fixed(w, keys[k].fixed[i], w->ri, "held shared (2nd)"))
			continue;
		CHECK(w, payload_equal(&first[i], w->ri),
		      "route %p on %08x/%u changed from metric %u pref %u to %u %u while the "
		      "destination was held shared",
		      fixed_routes[keys[k].fixed[i]].h, keys[k].addr, keys[k].len, first[i].metric,
		      first[i].pref, w->ri->PrefInfo.Metric, w->ri->PrefInfo.Preference);
		release_route_info(w, w->ri);
	}
	if (have1) {
		unsigned r = rng_below(&w->rng, 8);

		if (r == 0)
			shared_best_check(w, k, &s1);
		else if (r == 1)
			shared_best_by_owner(w, k, &s1);
		if (dest_snapshot(w, k, w->di2, &s2)) {
			CHECK(w,
			      memcmp(&s1.changed, &s2.changed, sizeof(s1.changed)) == 0 &&
				      s1.nroutes == s2.nroutes && s1.best == s2.best,
			      "%08x/%u changed while held shared: routes %u -> %u, best %p -> %p%s",
			      keys[k].addr, keys[k].len, s1.nroutes, s2.nroutes, s1.best, s2.best,
			      memcmp(&s1.changed, &s2.changed, sizeof(s1.changed))
				      ? ", LastChanged moved"
				      : "");
			release_dest_info(w, w->di2);
		}
		release_dest_info(w, w->di);
	}
	if (ri) {
		CHECK(w,
		      ri->PrefInfo.Metric == m1 && ri->PrefInfo.Preference == p1 &&
			      (uint64_t)(uintptr_t)ri->EntitySpecificInfo == e1,
		      "own route changed under a shared lock");
	}
	shared_check(w, k);
	maybe_yield(w);
	shared_leave(k);

	if (by_route) {
		rc = RtmLockRoute(me, f->h, FALSE, FALSE, NULL);
		CHECK_RC(w, rc, NO_ERROR, "RtmLockRoute(unlock shared)");
		w->ops[OP_SHARED_ROUTE]++;
	} else {
		rc = RtmLockDestination(me, keys[k].dest, FALSE, FALSE);
		CHECK_RC(w, rc, NO_ERROR, "RtmLockDestination(unlock shared)");
		w->ops[OP_SHARED_DEST]++;
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Lock-free readers                                                                         */

static void
read_less_specific(struct worker *w, const RTM_DEST_INFO *from, unsigned kf)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	int want = keys[kf].len ? longest_anchor(keys[kf].addr, keys[kf].len - 1u) : -1;
	DWORD rc;

	at(w, OP_LESS_SPECIFIC);
	memset(w->di2, 0xa5, di_size);
	rc = RtmGetLessSpecificDestination(me, from->DestHandle, RTM_BEST_PROTOCOL,
					   RTM_VIEW_MASK_UCAST, w->di2);
	if (rc == ERROR_CALL_NOT_IMPLEMENTED) {
		w->no_less = true;
		return;
	}
	w->ops[OP_LESS_SPECIFIC]++;
	if (rc == ERROR_NOT_FOUND) {
		CHECK(w, want < 0, "less-specific of %08x/%u: not found, but anchor /%d covers it",
		      keys[kf].addr, keys[kf].len, want);
		return;
	}
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmGetLessSpecificDestination"))
		return;
	int k = check_dest_info(w, w->di2, "less-specific");
	if (k >= 0) {
		CHECK(w,
		      keys[k].len < keys[kf].len &&
			      (keys[kf].addr & mask_of(keys[k].len)) == keys[k].addr &&
			      (int)keys[k].len >= want,
		      "less-specific of %08x/%u gave %08x/%u (longest anchor above: /%d)",
		      keys[kf].addr, keys[kf].len, keys[k].addr, keys[k].len, want);
		check_best_route_of(w, w->di2, k, "less-specific best route");
	}
	release_dest_info(w, w->di2);
}

static void
read_most_specific(struct worker *w)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_NET_ADDRESS a;
	uint32_t addr;
	unsigned qlen;
	int want, k;
	DWORD rc;

	at(w, OP_MOST_SPECIFIC);
	random_query(&w->rng, &addr, &qlen);
	want = longest_anchor(addr, qlen);
	addr_set(&a, addr, qlen);
	memset(w->di, 0xa5, di_size);
	rc = RtmGetMostSpecificDestination(me, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, w->di);
	w->ops[OP_MOST_SPECIFIC]++;
	if (rc == ERROR_NOT_FOUND) {
		CHECK(w, want < 0, "most-specific %08x/%u: not found, but anchor /%d covers it",
		      addr, qlen, want);
		return;
	}
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmGetMostSpecificDestination"))
		return;
	k = check_dest_info(w, w->di, "most-specific");
	if (k >= 0) {
		CHECK(w,
		      keys[k].len <= qlen && (addr & mask_of(keys[k].len)) == keys[k].addr &&
			      (int)keys[k].len >= want,
		      "most-specific %08x/%u gave %08x/%u (longest anchor covering: /%d)", addr,
		      qlen, keys[k].addr, keys[k].len, want);
		check_best_route_of(w, w->di, k, "most-specific best route");
		if (!w->no_less && rng_below(&w->rng, 4) == 0)
			read_less_specific(w, w->di, (unsigned)k);
	}
	release_dest_info(w, w->di);
}

static void
read_exact_dest(struct worker *w)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	unsigned k = rng_below(&w->rng, nkeys);
	RTM_NET_ADDRESS a;
	uint32_t junk = rng_below(&w->rng, 4) == 0 ? (uint32_t)rng_next(&w->rng) : 0;
	DWORD rc;

	at(w, OP_EXACT_DEST);
	addr_set(&a, keys[k].addr | (junk & ~mask_of(keys[k].len)), keys[k].len);
	memset(w->di, 0xa5, di_size);
	rc = RtmGetExactMatchDestination(me, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, w->di);
	w->ops[OP_EXACT_DEST]++;
	if (rc == ERROR_NOT_FOUND) {
		CHECK(w, !keys[k].anchor, "exact %08x/%u: anchor not found", keys[k].addr,
		      keys[k].len);
		return;
	}
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmGetExactMatchDestination"))
		return;
	int kd = check_dest_info(w, w->di, "exact-dest");
	if (kd >= 0) {
		CHECK(w, kd == (int)k, "exact %08x/%u gave %08x/%u", keys[k].addr, keys[k].len,
		      keys[kd].addr, keys[kd].len);
		check_best_route_of(w, w->di, kd, "exact-dest best route");
	}
	release_dest_info(w, w->di);
}

static void
read_exact_route(struct worker *w)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	unsigned k = rng_below(&w->rng, nkeys);
	RTM_ROUTE_HANDLE h = NULL;
	RTM_NET_ADDRESS a;
	DWORD rc;

	at(w, OP_EXACT_ROUTE);
	addr_set(&a, keys[k].addr, keys[k].len);
	memset(w->ri, 0xa5, ri_size);
	rc = RtmGetExactMatchRoute(me, &a, RTM_MATCH_NONE, w->ri, 0, RTM_VIEW_MASK_UCAST, &h);
	w->ops[OP_EXACT_ROUTE]++;
	if (rc == ERROR_NOT_FOUND) {
		CHECK(w, !keys[k].anchor, "exact route %08x/%u: anchor has no route", keys[k].addr,
		      keys[k].len);
		return;
	}
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmGetExactMatchRoute(NONE)"))
		return;
	if (check_route(w, w->ri, (int)k, NULL, "exact-match route", NULL, NULL, NULL) &&
	    keys[k].anchor)
		CHECK(w, w->ri->DestHandle == keys[k].dest,
		      "exact-match route on anchor %08x/%u: DestHandle %p, anchor is %p",
		      keys[k].addr, keys[k].len, w->ri->DestHandle, keys[k].dest);
	CHECK(w, h != NULL, "RtmGetExactMatchRoute gave no handle");
	release_route_info(w, w->ri);
	if (h)
		release_route(w, h);
}

static void
read_route_info(struct worker *w)
{
	unsigned fi = rng_below(&w->rng, nfixed);

	at(w, OP_ROUTE_INFO);
	if (read_fixed(w, fi, w->ri, "fixed route (lock-free)"))
		release_route_info(w, w->ri);
	w->ops[OP_ROUTE_INFO]++;
}

static void
read_step(struct worker *w)
{
	unsigned r = rng_below(&w->rng, 16);

	if (r < 8)
		read_most_specific(w);
	else if (r < 11)
		read_exact_dest(w);
	else if (r < 14)
		read_route_info(w);
	else
		read_exact_route(w);
}

/* ---------------------------------------------------------------------------------------- */
/* Batches and enumerators                                                                   */

static size_t dest_stride; /* RTM_SIZE_OF_DEST_INFO(profile.NumberOfViews): array stride */

static RTM_DEST_INFO *
dest_at(RTM_DEST_INFO *base, unsigned i)
{
	return (RTM_DEST_INFO *)((char *)base + (size_t)i * dest_stride);
}

/*
 * The batch convention (SEMANTICS.md §10): NO_ERROR when all req slots were
 * filled, ERROR_NO_MORE_ITEMS when the end came first (with 0..req-1 items).
 */
static bool
check_batch(struct worker *w, DWORD rc, unsigned req, unsigned num, const char *what)
{
	if (rc == NO_ERROR)
		return CHECK(w, num == req, "%s returned NO_ERROR with %u of %u slots filled", what,
			     num, req);
	if (rc == ERROR_NO_MORE_ITEMS)
		return CHECK(w, num < req, "%s returned ERROR_NO_MORE_ITEMS with %u of %u slots",
			     what, num, req);
	return CHECK(w, false, "%s returned %u with %u of %u items", what, (unsigned)rc, num, req);
}

/* Is key k inside raddr/rlen (rlen <= its length, same leading bits)? */
static bool
in_range(unsigned k, uint32_t raddr, unsigned rlen)
{
	return keys[k].len >= rlen && (keys[k].addr & mask_of(rlen)) == raddr;
}

/* The key of a dest info's address, or -1 (a wrong value). */
static int
dest_key(struct worker *w, const RTM_DEST_INFO *di, const char *ctx)
{
	uint32_t a = addr_get(&di->DestAddress);
	unsigned len = di->DestAddress.NumBits;
	int k = -1;

	if (di->DestAddress.AddressFamily == AF_INET && len <= 32 && (a & ~mask_of(len)) == 0)
		k = key_find(a, len);
	CHECK(w, k >= 0, "%s: destination family %u %08x/%u is not in the universe", ctx,
	      di->DestAddress.AddressFamily, a, len);
	return k;
}

/* A dest info for views ANY: no per-view part; the test's routes are all unicast. */
static void
check_dest_info_any(struct worker *w, const RTM_DEST_INFO *di, unsigned k, const char *ctx)
{
	CHECK(w, di->DestHandle != NULL, "%s: DestHandle NULL", ctx);
	if (keys[k].anchor)
		CHECK(w, di->DestHandle == keys[k].dest,
		      "%s: anchor %08x/%u has handle %p, it had %p at start", ctx, keys[k].addr,
		      keys[k].len, di->DestHandle, keys[k].dest);
	CHECK(w, di->NumberOfViews == 0, "%s: NumberOfViews %u for views ANY", ctx,
	      di->NumberOfViews);
	CHECK(w, di->BelongsToViews == RTM_VIEW_MASK_UCAST, "%s: %08x/%u BelongsToViews 0x%x", ctx,
	      keys[k].addr, keys[k].len, (unsigned)di->BelongsToViews);
}

/* A range for RTM_ENUM_RANGE: mostly one /8 of the universe. */
static void
pick_range(struct worker *w, uint32_t *raddr, unsigned *rlen)
{
	unsigned r = rng_below(&w->rng, 16);
	unsigned k = 1 + rng_below(&w->rng, nkeys - 1); /* keys[0] is 0/0 */

	if (r < 12) {
		*rlen = 8;
		*raddr = keys[k].addr & mask_of(8);
	} else if (r < 14) {
		*rlen = keys[k].len; /* any prefix of the universe */
		*raddr = keys[k].addr;
	} else if (r < 15) {
		*rlen = 8; /* most likely a /8 with nothing in it */
		*raddr = (uint32_t)(1 + rng_below(&w->rng, 254)) << 24;
	} else {
		*rlen = 0; /* everything */
		*raddr = 0;
	}
}

/* Ends an enumeration: usually deletes it, rarely leaves it for deregistration. */
static void
enum_finish(struct worker *w, RTM_ENUM_HANDLE en)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	DWORD rc;

	if (w->leaked < 3 && rng_below(&w->rng, 256) == 0) {
		w->leaked++;
		w->ops[OP_ENUM_LEAK]++;
		return;
	}
	rc = RtmDeleteEnumHandle(me, en);
	CHECK_RC(w, rc, NO_ERROR, "RtmDeleteEnumHandle");
	if (rc == NO_ERROR && rng_below(&w->rng, 8) == 0) {
		UINT num = 1;

		/* Only this thread makes enumerations of this entity: nothing reuses it yet. */
		rc = RtmGetEnumDests(me, en, &num, w->dbuf);
		CHECK(w, rc == ERROR_INVALID_HANDLE && num == 1,
		      "RtmGetEnumDests on a deleted enumeration returned %u (%u items)",
		      (unsigned)rc, (unsigned)num);
		if (rc == NO_ERROR || (rc == ERROR_NO_MORE_ITEMS && num && num <= 1))
			RtmReleaseDests(me, num, w->dbuf);
	}
}

/*
 * Routes of one destination the enumerator was given: each passes the payload
 * check and sits on that destination; an anchor's permanent routes are all
 * there exactly once (the routes of a destination are one snapshot).
 */
static void
enum_dest_routes(struct worker *w, RTM_DEST_HANDLE d, unsigned k, RTM_VIEW_SET views)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_ENUM_HANDLE en = NULL;
	unsigned seen[MAX_FIXED_PER_KEY] = {0};
	bool ended = false;
	DWORD rc;

	at(w, OP_ENUM_DEST_ROUTES);
	rc = RtmCreateRouteEnum(me, d, views, RTM_ENUM_ALL_ROUTES, NULL, RTM_MATCH_NONE, NULL, 0,
				&en);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmCreateRouteEnum(one destination)"))
		return;
	for (;;) {
		UINT req = 1 + rng_below(&w->rng, prof_max_enum), num = req;
		bool ok;

		rc = RtmGetEnumRoutes(me, en, &num, w->handles);
		ok = check_batch(w, rc, req, num, "RtmGetEnumRoutes(one destination)");
		if (num > req)
			num = 0;
		for (unsigned i = 0; i < num; i++) {
			RTM_NET_ADDRESS ra;

			memset(w->ri2, 0xa5, ri_size);
			rc = RtmGetRouteInfo(me, w->handles[i], w->ri2, &ra);
			if (CHECK_RC(w, rc, NO_ERROR, "RtmGetRouteInfo(route of a destination)")) {
				if (check_route(w, w->ri2, (int)k, &ra,
						"route of an enumerated dest", NULL, NULL, NULL))
					CHECK(w, w->ri2->DestHandle == d,
					      "route of enumerated dest %p has DestHandle %p", d,
					      w->ri2->DestHandle);
				release_route_info(w, w->ri2);
			}
			for (unsigned j = 0; j < keys[k].nfixed; j++)
				if (w->handles[i] == fixed_routes[keys[k].fixed[j]].h)
					seen[j]++;
		}
		if (num)
			CHECK_RC(w, RtmReleaseRoutes(me, num, w->handles), NO_ERROR,
				 "RtmReleaseRoutes(route enum)");
		if (!ok || rc != NO_ERROR) {
			ended = ok;
			break;
		}
	}
	CHECK_RC(w, RtmDeleteEnumHandle(me, en), NO_ERROR, "RtmDeleteEnumHandle(one destination)");
	for (unsigned j = 0; ended && j < keys[k].nfixed; j++)
		CHECK(w, seen[j] == 1,
		      "route enum of anchor %08x/%u returned permanent route %p %u times",
		      keys[k].addr, keys[k].len, fixed_routes[keys[k].fixed[j]].h, seen[j]);
	w->ops[OP_ENUM_DEST_ROUTES]++;
}

static const char *
views_name(RTM_VIEW_SET v)
{
	return v == RTM_VIEW_MASK_ANY ? "ANY" : v == RTM_VIEW_MASK_UCAST ? "UCAST" : "UCAST|MCAST";
}

/* After ERROR_NO_MORE_ITEMS, the enumeration stays at its end. */
static void
check_after_end(struct worker *w, RTM_ENUM_HANDLE en, bool dests)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	UINT req = 1 + rng_below(&w->rng, prof_max_enum), num = req;
	DWORD rc;

	if (dests)
		rc = RtmGetEnumDests(me, en, &num, w->dbuf);
	else
		rc = RtmGetEnumRoutes(me, en, &num, w->handles);
	CHECK(w, rc == ERROR_NO_MORE_ITEMS && num == 0,
	      "%s after ERROR_NO_MORE_ITEMS returned %u with %u items",
	      dests ? "RtmGetEnumDests" : "RtmGetEnumRoutes", (unsigned)rc, (unsigned)num);
	if ((rc == NO_ERROR || rc == ERROR_NO_MORE_ITEMS) && num && num <= req) {
		if (dests)
			RtmReleaseDests(me, num, w->dbuf);
		else
			RtmReleaseRoutes(me, num, w->handles);
	}
}

/* One destination enumeration, START or RANGE, views UCAST or ANY. */
static void
enum_dests(struct worker *w)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_VIEW_SET views = rng_below(&w->rng, 2) ? RTM_VIEW_MASK_UCAST : RTM_VIEW_MASK_ANY;
	bool range = rng_below(&w->rng, 2) == 0;
	bool abandon = rng_below(&w->rng, 8) == 0, ended = false;
	unsigned batches = 0, stop_after = 1 + rng_below(&w->rng, 4);
	uint32_t raddr = 0, epoch = ++w->epoch;
	unsigned rlen = 0;
	RTM_NET_ADDRESS a, *ap = NULL;
	RTM_ENUM_HANDLE en = NULL;
	int prev = -1;
	char ctx[64];
	DWORD rc;

	if (range) {
		pick_range(w, &raddr, &rlen);
		/* Host bits beyond NumBits are ignored. */
		uint32_t junk = rng_below(&w->rng, 4) ? 0 : (uint32_t)rng_next(&w->rng);

		addr_set(&a, raddr | (junk & ~mask_of(rlen)), rlen);
		ap = &a;
	} else if (rng_below(&w->rng, 2)) {
		addr_set(&a, (uint32_t)rng_next(&w->rng), 32); /* START ignores it */
		ap = &a;
	}
	snprintf(ctx, sizeof(ctx), "dest enum %s %s %08x/%u", range ? "RANGE" : "START",
		 views_name(views), raddr, rlen);
	at(w, range ? OP_ENUM_RANGE : OP_ENUM_DESTS);
	rc = RtmCreateDestEnum(me, views, range ? RTM_ENUM_RANGE : RTM_ENUM_START, ap,
			       RTM_BEST_PROTOCOL, &en);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmCreateDestEnum"))
		return;
	for (;;) {
		UINT req = 1 + rng_below(&w->rng, prof_max_enum), num = req;
		bool ok;

		memset(w->dbuf, 0xa5, (size_t)req * dest_stride);
		rc = RtmGetEnumDests(me, en, &num, w->dbuf);
		ok = check_batch(w, rc, req, num, "RtmGetEnumDests");
		if (num > req)
			num = 0;
		for (unsigned i = 0; i < num; i++) {
			RTM_DEST_INFO *di = dest_at(w->dbuf, i);
			int k = dest_key(w, di, ctx);

			if (k < 0)
				continue;
			if (prev >= 0)
				CHECK(w,
				      key_cmp(keys[prev].addr, keys[prev].len, keys[k].addr,
					      keys[k].len) < 0,
				      "%s: %08x/%u returned after %08x/%u (order)", ctx,
				      keys[k].addr, keys[k].len, keys[prev].addr, keys[prev].len);
			CHECK(w, w->stamp[k] != epoch, "%s: %08x/%u returned twice", ctx,
			      keys[k].addr, keys[k].len);
			w->stamp[k] = epoch;
			prev = k;
			if (range)
				CHECK(w, in_range((unsigned)k, raddr, rlen),
				      "%s: %08x/%u is outside the range", ctx, keys[k].addr,
				      keys[k].len);
			if (views == RTM_VIEW_MASK_UCAST) {
				if (check_dest_info(w, di, ctx) == k && rng_below(&w->rng, 4) == 0)
					check_best_route_of(w, di, k, "enumerated dest best route");
			} else {
				check_dest_info_any(w, di, (unsigned)k, ctx);
			}
			enum_dest_routes(w, di->DestHandle, (unsigned)k, views);
			at(w, range ? OP_ENUM_RANGE : OP_ENUM_DESTS);
		}
		if (num)
			CHECK_RC(w, RtmReleaseDests(me, num, w->dbuf), NO_ERROR, "RtmReleaseDests");
		if (!ok || rc != NO_ERROR) {
			ended = ok;
			break;
		}
		if ((abandon && ++batches >= stop_after) || stopping())
			break;
	}
	if (ended && rng_below(&w->rng, 2) == 0)
		check_after_end(w, en, true);
	/* A complete enumeration returned every anchor it covers (they are never deleted). */
	for (unsigned j = 0; ended && j < nanchors; j++) {
		unsigned k = anchors[j];

		if (!range || in_range(k, raddr, rlen))
			CHECK(w, w->stamp[k] == epoch, "%s: anchor %08x/%u was not returned", ctx,
			      keys[k].addr, keys[k].len);
	}
	w->ops[!ended ? OP_ENUM_ABANDON : range ? OP_ENUM_RANGE : OP_ENUM_DESTS]++;
	enum_finish(w, en);
}

/* A route enumeration over every destination (START, sometimes RANGE). */
static void
enum_all_routes(struct worker *w)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_VIEW_SET views = rng_below(&w->rng, 2) ? RTM_VIEW_MASK_UCAST : RTM_VIEW_MASK_ANY;
	bool range = rng_below(&w->rng, 4) == 0;
	bool abandon = rng_below(&w->rng, 8) == 0, ended = false;
	unsigned batches = 0, stop_after = 1 + rng_below(&w->rng, 4);
	uint32_t raddr = 0, epoch = ++w->epoch;
	unsigned rlen = 0;
	RTM_NET_ADDRESS a;
	RTM_ENUM_HANDLE en = NULL;
	RTM_DEST_HANDLE prev_d = NULL;
	int prev = -1;
	char ctx[64];
	DWORD rc;

	if (range) {
		pick_range(w, &raddr, &rlen);
		addr_set(&a, raddr, rlen);
	}
	snprintf(ctx, sizeof(ctx), "route enum %s %s %08x/%u", range ? "RANGE" : "START",
		 views_name(views), raddr, rlen);
	at(w, OP_ENUM_ROUTES);
	rc = RtmCreateRouteEnum(me, NULL, views, range ? RTM_ENUM_RANGE : RTM_ENUM_START,
				range ? &a : NULL, RTM_MATCH_NONE, NULL, 0, &en);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmCreateRouteEnum(all)"))
		return;
	for (;;) {
		UINT req = 1 + rng_below(&w->rng, prof_max_enum), num = req;
		bool ok;

		rc = RtmGetEnumRoutes(me, en, &num, w->handles);
		ok = check_batch(w, rc, req, num, "RtmGetEnumRoutes(all)");
		if (num > req)
			num = 0;
		for (unsigned i = 0; i < num; i++) {
			RTM_NET_ADDRESS ra;
			unsigned k;

			memset(w->ri2, 0xa5, ri_size);
			rc = RtmGetRouteInfo(me, w->handles[i], w->ri2, &ra);
			if (!CHECK_RC(w, rc, NO_ERROR, "RtmGetRouteInfo(enumerated, all)"))
				continue;
			if (check_route(w, w->ri2, -1, &ra, ctx, &k, NULL, NULL)) {
				if (w->ri2->DestHandle != prev_d) {
					/* A new destination: strictly after the last one. */
					if (prev >= 0)
						CHECK(w,
						      key_cmp(keys[prev].addr, keys[prev].len,
							      keys[k].addr, keys[k].len) < 0,
						      "%s: routes of %08x/%u after those of "
						      "%08x/%u",
						      ctx, keys[k].addr, keys[k].len,
						      keys[prev].addr, keys[prev].len);
					CHECK(w, w->stamp[k] != epoch,
					      "%s: routes of %08x/%u came in two separate runs",
					      ctx, keys[k].addr, keys[k].len);
					w->stamp[k] = epoch;
					prev = (int)k;
					prev_d = w->ri2->DestHandle;
				} else {
					CHECK(w, (int)k == prev,
					      "%s: one DestHandle %p for %08x/%u and %08x/%u", ctx,
					      prev_d, keys[k].addr, keys[k].len, keys[prev].addr,
					      keys[prev].len);
				}
				if (range)
					CHECK(w, in_range(k, raddr, rlen),
					      "%s: route on %08x/%u is outside the range", ctx,
					      keys[k].addr, keys[k].len);
				for (unsigned j = 0; j < keys[k].nfixed; j++) {
					unsigned f = keys[k].fixed[j];

					if (w->handles[i] != fixed_routes[f].h)
						continue;
					CHECK(w, w->fstamp[f] != epoch,
					      "%s: permanent route %p on %08x/%u returned twice",
					      ctx, fixed_routes[f].h, keys[k].addr, keys[k].len);
					w->fstamp[f] = epoch;
				}
			}
			release_route_info(w, w->ri2);
		}
		if (num)
			CHECK_RC(w, RtmReleaseRoutes(me, num, w->handles), NO_ERROR,
				 "RtmReleaseRoutes(all)");
		if (!ok || rc != NO_ERROR) {
			ended = ok;
			break;
		}
		if ((abandon && ++batches >= stop_after) || stopping())
			break;
	}
	if (ended && rng_below(&w->rng, 2) == 0)
		check_after_end(w, en, false);
	for (unsigned f = 0; ended && f < nfixed; f++) {
		unsigned k = fixed_routes[f].key;

		if (!range || in_range(k, raddr, rlen))
			CHECK(w, w->fstamp[f] == epoch,
			      "%s: permanent route %p on %08x/%u was not returned", ctx,
			      fixed_routes[f].h, keys[k].addr, keys[k].len);
	}
	w->ops[ended ? OP_ENUM_ROUTES : OP_ENUM_ABANDON]++;
	enum_finish(w, en);
}

static void
enum_step(struct worker *w)
{
	if (rng_below(&w->rng, 4) == 0)
		enum_all_routes(w);
	else
		enum_dests(w);
}

/* ---------------------------------------------------------------------------------------- */
/* Change notification                                                                       */

/*
 * What a registration last read about one key (under its notifier's mu).  The
 * best route's PrefInfo is read after the retrieval: a change to it after
 * the read queues the destination again, so the last read shows the last
 * version unless a change went unreported.
 */
struct key_seen {
	unsigned reported; /* entries received while the run was checked */
	RTM_DEST_HANDLE dest;
	unsigned nroutes;
	RTM_ROUTE_HANDLE best;
	RTM_ENTITY_HANDLE owner;
	unsigned flags;
	FILETIME changed; /* LastChanged: moves on every change */
	uint32_t bmetric; /* the best route's PrefInfo, read just after retrieval */
	uint32_t bpref;
};

struct notifier {
	struct worker *w; /* the consumer thread */
	struct worker cb; /* checks made by the callback (under mu) */
	unsigned ent;     /* the consumer's entity, which owns the registration */
	RTM_NOTIFY_HANDLE h;
	RTM_VIEW_SET views; /* as registered */
	DWORD types;
	sem_t sem; /* posted by the callback */
	atomic_uint callbacks;
	atomic_uint cb_drains;
	atomic_uint bad_ctx;
	/*
	 * Set by main just before it deregisters the consumer's entity.  A
	 * callback that was already running may then find the entity's
	 * handle invalid: SEMANTICS.md §11 only stops *new* callbacks once
	 * deregistration returns, so ERROR_INVALID_HANDLE is its due there.
	 */
	atomic_bool leaving;
	atomic_uint late_calls; /* retrievals refused that way */
	/* One retrieval at a time (consumer, callback or main), and what follows. */
	pthread_mutex_t mu;
	RTM_DEST_INFO *buf; /* prof_max_enum dest infos, dest_stride apart */
	struct key_seen *seen;
	uint64_t entries;
	uint64_t batches;
};

static struct notifier *notifiers;
static unsigned nnotifiers;
static atomic_uint stray_callbacks;
/* Set when the final phase starts deleting: registrations stop recording. */
static atomic_bool teardown;
/*
 * True from the end of setup until the final phase starts deleting: anchors
 * then have their permanent routes and keys[].dest is set (release/acquire).
 */
static atomic_bool anchors_live;

typedef __typeof__(((RTM_DEST_INFO *)0)->ViewInfo[0]) view_info;

/*
 * Checks one RtmGetChangedDests item: the state of the destination for the
 * registration's views, which are UCAST and MCAST for both UCAST|MCAST and ANY
 * (SEMANTICS.md §11).  Returns its key or -1.
 */
static int
check_changed_dest(struct worker *w, struct notifier *n, const RTM_DEST_INFO *di)
{
	bool live = atomic_load_explicit(&anchors_live, memory_order_acquire);
	const char *ctx =
		n->types == RTM_CHANGE_TYPE_ALL ? "changed dest (ALL)" : "changed dest (BEST)";
	int k = dest_key(w, di, ctx);
	const view_info *v0 = &di->ViewInfo[0], *v1 = v0 + 1;

	if (k < 0)
		return -1;
	CHECK(w, di->DestHandle != NULL, "%s: DestHandle NULL", ctx);
	if (!CHECK(w,
		   di->NumberOfViews == 2 && v0->ViewId == RTM_VIEW_ID_UCAST &&
			   v1->ViewId == RTM_VIEW_ID_MCAST,
		   "%s: %08x/%u has NumberOfViews %u (ViewIds %d %d), registered for %s", ctx,
		   keys[k].addr, keys[k].len, di->NumberOfViews, v0->ViewId,
		   di->NumberOfViews > 1 ? v1->ViewId : -1, views_name(n->views)))
		return -1;
	CHECK(w,
	      v1->NumRoutes == 0 && v1->Route == NULL && v1->Owner == NULL &&
		      v1->HoldRoute == NULL && v0->HoldRoute == NULL,
	      "%s: %08x/%u multicast view has %u routes, best %p, owner %p, hold %p/%p", ctx,
	      keys[k].addr, keys[k].len, v1->NumRoutes, v1->Route, v1->Owner, v0->HoldRoute,
	      v1->HoldRoute);
	if (v0->NumRoutes == 0) {
		/* A withdrawal: the destination has left the table. */
		CHECK(w,
		      v0->Route == NULL && v0->Owner == NULL && v0->DestFlags == 0 &&
			      di->BelongsToViews == 0,
		      "%s: %08x/%u with no routes has best %p owner %p flags 0x%x views 0x%x", ctx,
		      keys[k].addr, keys[k].len, v0->Route, v0->Owner, (unsigned)v0->DestFlags,
		      (unsigned)di->BelongsToViews);
		if (live)
			CHECK(w, !keys[k].anchor, "%s: anchor %08x/%u reported with no routes", ctx,
			      keys[k].addr, keys[k].len);
		return k;
	}
	if (live && keys[k].anchor)
		CHECK(w, di->DestHandle == keys[k].dest,
		      "%s: anchor %08x/%u has handle %p, it had %p at start", ctx, keys[k].addr,
		      keys[k].len, di->DestHandle, keys[k].dest);
	CHECK(w, di->BelongsToViews == RTM_VIEW_MASK_UCAST, "%s: %08x/%u BelongsToViews 0x%x", ctx,
	      keys[k].addr, keys[k].len, (unsigned)di->BelongsToViews);
	if (!CHECK(w, v0->Route != NULL, "%s: %08x/%u has %u routes but no best route", ctx,
		   keys[k].addr, keys[k].len, v0->NumRoutes))
		return k;
	{
		int e = entity_of(v0->Owner);

		CHECK(w, e >= 0 && kind_writes(ents[e].kind),
		      "%s: best route owner %p is not a writer", ctx, v0->Owner);
	}
	CHECK(w, v0->DestFlags == ROUTE_FLAGS, "%s: DestFlags 0x%x", ctx, (unsigned)v0->DestFlags);
	if (rng_below(&w->rng, 4) == 0)
		check_best_route_of(w, di, k, "changed dest best route");
	return k;
}

/* PrefInfo of a dest info's best route (0, 0 if none or unreadable). */
static void
best_pref_of(struct worker *w, const RTM_DEST_INFO *di, uint32_t *metric, uint32_t *pref)
{
	RTM_NET_ADDRESS ra;
	DWORD rc;

	*metric = *pref = 0;
	if (!di->ViewInfo[0].NumRoutes || !di->ViewInfo[0].Route)
		return;
	memset(w->ri2, 0xa5, ri_size);
	rc = RtmGetRouteInfo(ents[w->ent].h, di->ViewInfo[0].Route, w->ri2, &ra);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmGetRouteInfo(best route of a changed dest)"))
		return;
	*metric = w->ri2->PrefInfo.Metric;
	*pref = w->ri2->PrefInfo.Preference;
	release_route_info(w, w->ri2);
}

/*
 * One RtmGetChangedDests call of random size, under n->mu; records what it
 * read.  Returns the call's code; *got = items.
 */
static DWORD
notify_batch_locked(struct notifier *n, struct worker *w, unsigned *got)
{
	RTM_ENTITY_HANDLE me = ents[n->ent].h;
	UINT req = 1 + rng_below(&w->rng, prof_max_enum), num = req;
	bool record = !atomic_load(&teardown);
	DWORD rc;

	memset(n->buf, 0xa5, (size_t)req * dest_stride);
	rc = RtmGetChangedDests(me, n->h, &num, n->buf);
	if (rc == ERROR_INVALID_HANDLE && atomic_load(&n->leaving)) {
		atomic_fetch_add(&n->late_calls, 1);
		*got = 0;
		return rc;
	}
	check_batch(w, rc, req, num, "RtmGetChangedDests");
	/* A failed call wrote no items, whatever *num says. */
	if (num > req || (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS))
		num = 0;
	n->batches++;
	for (unsigned i = 0; i < num; i++) {
		RTM_DEST_INFO *di = dest_at(n->buf, i);
		int k;

		/* Changes merge: one destination at most once in a queue, so in a batch. */
		for (unsigned j = 0; j < i; j++)
			CHECK(w, dest_at(n->buf, j)->DestHandle != di->DestHandle,
			      "RtmGetChangedDests: destination %p at %u and %u of one batch",
			      di->DestHandle, j, i);
		k = check_changed_dest(w, n, di);
		if (k < 0 || !record)
			continue;
		/*
		 * A destination leaves the table before another can take its prefix,
		 * so its withdrawal must come before anything about its successor.
		 */
		if (di->ViewInfo[0].NumRoutes == 0 && n->seen[k].reported && n->seen[k].nroutes &&
		    n->seen[k].dest != di->DestHandle)
			fail(w, __LINE__,
			     "%s registration: withdrawal of %08x/%u (destination %p, changed "
			     "%08x%08x) delivered after the state of destination %p (changed "
			     "%08x%08x) that replaced it (SEMANTICS §11)",
			     n->types == RTM_CHANGE_TYPE_ALL ? "ALL" : "BEST", keys[k].addr,
			     keys[k].len, di->DestHandle, (unsigned)di->LastChanged.dwHighDateTime,
			     (unsigned)di->LastChanged.dwLowDateTime, n->seen[k].dest,
			     (unsigned)n->seen[k].changed.dwHighDateTime,
			     (unsigned)n->seen[k].changed.dwLowDateTime);
		n->seen[k].reported++;
		n->seen[k].dest = di->DestHandle;
		n->seen[k].nroutes = di->ViewInfo[0].NumRoutes;
		n->seen[k].best = di->ViewInfo[0].Route;
		n->seen[k].owner = di->ViewInfo[0].Owner;
		n->seen[k].flags = (unsigned)di->ViewInfo[0].DestFlags;
		n->seen[k].changed = di->LastChanged;
		best_pref_of(w, di, &n->seen[k].bmetric, &n->seen[k].bpref);
		n->entries++;
	}
	if (num) {
		DWORD rrc = RtmReleaseChangedDests(me, n->h, num, n->buf);

		/*
		 * Refused after the entity went (see leaving): those references
		 * can no longer be given back, and keep their destinations
		 * until the process ends.
		 */
		if (rrc == ERROR_INVALID_HANDLE && atomic_load(&n->leaving))
			atomic_fetch_add(&n->late_calls, 1);
		else
			CHECK_RC(w, rrc, NO_ERROR, "RtmReleaseChangedDests");
	}
	*got = num;
	return rc;
}

/* Retrieves until ERROR_NO_MORE_ITEMS (which may carry items), under n->mu. */
static void
notify_drain_locked(struct notifier *n, struct worker *w)
{
	for (unsigned i = 0; i < 10000; i++) {
		unsigned got;

		if (notify_batch_locked(n, w, &got) != NO_ERROR)
			return;
	}
}

/*
 * The event callback of notification consumers, on a thread of the RTM's.
 * It wakes the consumer and, one time in three, retrieves changes itself.
 */
static DWORD
notify_callback(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE ev, PVOID c1, PVOID c2)
{
	struct notifier *n = NULL;

	if (ev != RTM_CHANGE_NOTIFICATION)
		return NO_ERROR; /* other entities coming and going */
	for (unsigned i = 0; i < nnotifiers; i++)
		if (c2 == &notifiers[i])
			n = &notifiers[i];
	if (!n) {
		atomic_fetch_add(&stray_callbacks, 1);
		return NO_ERROR;
	}
	if (c1 != n->h || h != ents[n->ent].h)
		atomic_fetch_add(&n->bad_ctx, 1);
	if (atomic_fetch_add(&n->callbacks, 1) % 3 == 1 && pthread_mutex_trylock(&n->mu) == 0) {
		notify_drain_locked(n, &n->cb);
		pthread_mutex_unlock(&n->mu);
		atomic_fetch_add(&n->cb_drains, 1);
	}
	sem_post(&n->sem);
	return NO_ERROR;
}

/* RtmGetChangeStatus on an anchor or on a random key that has a destination. */
static void
notify_change_status(struct worker *w, struct notifier *n)
{
	RTM_ENTITY_HANDLE me = ents[n->ent].h;
	BOOL st = 7;
	DWORD rc;

	at(w, OP_CHANGE_STATUS);
	if (rng_below(&w->rng, 2)) {
		unsigned k = anchors[rng_below(&w->rng, nanchors)];

		rc = RtmGetChangeStatus(me, n->h, keys[k].dest, &st);
		if (CHECK_RC(w, rc, NO_ERROR, "RtmGetChangeStatus(anchor)"))
			CHECK(w, st == TRUE || st == FALSE, "RtmGetChangeStatus gave %d", (int)st);
	} else {
		unsigned k = rng_below(&w->rng, nkeys);
		RTM_NET_ADDRESS a;

		addr_set(&a, keys[k].addr, keys[k].len);
		memset(w->di, 0xa5, di_size);
		rc = RtmGetExactMatchDestination(me, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY,
						 w->di);
		if (rc == ERROR_NOT_FOUND) {
			CHECK(w, !keys[k].anchor, "exact %08x/%u (ANY): anchor not found",
			      keys[k].addr, keys[k].len);
		} else if (CHECK_RC(w, rc, NO_ERROR, "RtmGetExactMatchDestination(ANY)")) {
			rc = RtmGetChangeStatus(me, n->h, w->di->DestHandle, &st);
			if (CHECK_RC(w, rc, NO_ERROR, "RtmGetChangeStatus"))
				CHECK(w, st == TRUE || st == FALSE, "RtmGetChangeStatus gave %d",
				      (int)st);
			release_dest_info(w, w->di);
		}
	}
	w->ops[OP_CHANGE_STATUS]++;
}

/* A consumer thread opens one destination enumeration and never deletes it. */
static void
notify_leave_enum(struct worker *w)
{
	RTM_ENTITY_HANDLE me = ents[w->ent].h;
	RTM_ENUM_HANDLE en = NULL;
	UINT num = 1;
	DWORD rc;

	rc = RtmCreateDestEnum(me, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL,
			       &en);
	if (!CHECK_RC(w, rc, NO_ERROR, "RtmCreateDestEnum(left open)"))
		return;
	rc = RtmGetEnumDests(me, en, &num, w->dbuf);
	if (check_batch(w, rc, 1, num, "RtmGetEnumDests(left open)") && num == 1)
		CHECK_RC(w, RtmReleaseDests(me, 1, w->dbuf), NO_ERROR, "RtmReleaseDests");
	w->ops[OP_ENUM_LEAK]++;
}

static void
notify_step(struct worker *w)
{
	struct notifier *n = w->nt;
	unsigned r = rng_below(&w->rng, 16);
	struct timespec ts;
	bool woken;

	at(w, OP_NOTIFY_WAIT);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 5 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	woken = sem_timedwait(&n->sem, &ts) == 0;
	w->ops[OP_NOTIFY_WAIT]++;
	if (woken || r == 0) {
		if (r == 1) {
			/* Let changes pile up and merge. */
			struct timespec d = {0, 2 * 1000 * 1000};

			nanosleep(&d, NULL);
		}
		at(w, OP_NOTIFY_DRAIN);
		pthread_mutex_lock(&n->mu);
		notify_drain_locked(n, w);
		pthread_mutex_unlock(&n->mu);
		w->ops[OP_NOTIFY_DRAIN]++;
	}
	if (r < 4)
		notify_change_status(w, n);
}

/*
 * After the run: drain every registration until its queue stays empty, then
 * compare what each one read last with the table.
 */
static void
notify_final(void)
{
	struct worker *m = &main_worker;
	uint64_t total = 0;

	for (unsigned k = 0; k < nkeys; k++)
		total += atomic_load(&keys[k].changes);
	CHECK(m, atomic_load(&stray_callbacks) == 0,
	      "%u change callbacks with a Context2 that is no registration's",
	      atomic_load(&stray_callbacks));
	for (unsigned i = 0; i < nnotifiers; i++) {
		struct notifier *n = &notifiers[i];
		RTM_ENTITY_HANDLE me = ents[n->ent].h;
		const char *nm = n->types == RTM_CHANGE_TYPE_ALL ? "ALL" : "BEST";
		unsigned quiet = 0, lost = 0;

		/* Quiet: a retrieval finds nothing, and no callback came for 20 ms. */
		for (unsigned t = 0; t < 500 && quiet < 5; t++) {
			unsigned cb = atomic_load(&n->callbacks), got = 0;
			struct timespec d = {0, 20 * 1000 * 1000};
			DWORD rc;

			pthread_mutex_lock(&n->mu);
			do
				rc = notify_batch_locked(n, m, &got);
			while (rc == NO_ERROR || got);
			pthread_mutex_unlock(&n->mu);
			nanosleep(&d, NULL);
			quiet = atomic_load(&n->callbacks) == cb ? quiet + 1 : 0;
		}
		CHECK(m, quiet >= 5, "%s registration: the change queue did not settle", nm);
		CHECK(m, atomic_load(&n->bad_ctx) == 0,
		      "%s registration: %u callbacks with the wrong handle or Context1", nm,
		      atomic_load(&n->bad_ctx));
		/* Nothing waits in the queue any more. */
		for (unsigned j = 0; j < nanchors; j++) {
			unsigned k = anchors[j];
			BOOL st = 7;
			DWORD rc = RtmGetChangeStatus(me, n->h, keys[k].dest, &st);

			if (CHECK_RC(m, rc, NO_ERROR, "RtmGetChangeStatus(final)"))
				CHECK(m, st == FALSE,
				      "%s registration: anchor %08x/%u still pending (%d) after "
				      "the "
				      "queue was drained",
				      nm, keys[k].addr, keys[k].len, (int)st);
		}

		pthread_mutex_lock(&n->mu);
		CHECK(m, n->entries <= total,
		      "%s registration: %" PRIu64 " entries for %" PRIu64 " changes", nm,
		      n->entries, total);
		for (unsigned k = 0; k < nkeys; k++) {
			unsigned ch = atomic_load(&keys[k].changes);
			const struct key_seen *s = &n->seen[k];
			const view_info *fv = &m->di->ViewInfo[0];
			RTM_NET_ADDRESS a;
			uint32_t fmetric = 0, fpref = 0;
			bool found, same;
			DWORD rc;

			if (ch == 0) {
				CHECK(m, s->reported == 0,
				      "%s registration: %08x/%u never changed, reported %u times",
				      nm, keys[k].addr, keys[k].len, s->reported);
				continue;
			}
			CHECK(m, s->reported <= ch,
			      "%s registration: %08x/%u reported %u times for %u changes", nm,
			      keys[k].addr, keys[k].len, s->reported, ch);
			if (!CHECK(m, s->reported > 0,
				   "%s registration: %08x/%u changed %u times, never reported (%s)",
				   nm, keys[k].addr, keys[k].len, ch, "SEMANTICS §11")) {
				lost++;
				continue;
			}
			addr_set(&a, keys[k].addr, keys[k].len);
			memset(m->di, 0xa5, di_size);
			rc = RtmGetExactMatchDestination(ents[m->ent].h, &a, RTM_BEST_PROTOCOL,
							 RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST,
							 m->di);
			if (rc != NO_ERROR &&
			    !CHECK_RC(m, rc, ERROR_NOT_FOUND, "RtmGetExactMatchDestination(final)"))
				continue;
			found = rc == NO_ERROR;
			if (found)
				best_pref_of(m, m->di, &fmetric, &fpref);
			/* BEST: only best-route changes are reported; ALL: every change. */
			if (!found)
				same = s->nroutes == 0 && s->best == NULL;
			else
				same = s->dest == m->di->DestHandle && s->best == fv->Route &&
				       s->owner == fv->Owner && s->flags == fv->DestFlags &&
				       s->bmetric == fmetric && s->bpref == fpref;
			if (found && n->types == RTM_CHANGE_TYPE_ALL)
				same = same && s->nroutes == fv->NumRoutes &&
				       memcmp(&s->changed, &m->di->LastChanged,
					      sizeof(s->changed)) == 0;
			if (!CHECK(m, same,
				   "%s registration (views %s): change lost on %08x/%u (%u "
				   "changes, %u "
				   "reports): last read dest %p routes %u best %p owner %p flags "
				   "0x%x "
				   "pref %u metric %u changed %08x%08x; table has %s%p routes %u "
				   "best %p "
				   "owner %p flags 0x%x pref %u metric %u changed %08x%08x",
				   nm, views_name(n->views), keys[k].addr, keys[k].len, ch,
				   s->reported, s->dest, s->nroutes, s->best, s->owner, s->flags,
				   s->bpref, s->bmetric, (unsigned)s->changed.dwHighDateTime,
				   (unsigned)s->changed.dwLowDateTime, found ? "" : "nothing ",
				   found ? m->di->DestHandle : NULL, found ? fv->NumRoutes : 0,
				   found ? fv->Route : NULL, found ? fv->Owner : NULL,
				   found ? (unsigned)fv->DestFlags : 0, fpref, fmetric,
				   found ? (unsigned)m->di->LastChanged.dwHighDateTime : 0,
				   found ? (unsigned)m->di->LastChanged.dwLowDateTime : 0))
				lost++;
			if (!same && found && s->dest != m->di->DestHandle && s->nroutes == 0)
				printf("  (%08x/%u: the withdrawal of an earlier destination "
				       "object was "
				       "delivered after the state of the one that replaced it)\n",
				       keys[k].addr, keys[k].len);
			if (found)
				release_dest_info(m, m->di);
		}
		printf("notify %u: %s views %s: %u callbacks (%u drained inside), %" PRIu64
		       " batches, %" PRIu64 " entries for %" PRIu64 " changes, %u keys wrong\n",
		       n->w->kind_index, nm, views_name(n->views), atomic_load(&n->callbacks),
		       atomic_load(&n->cb_drains), n->batches, n->entries, total, lost);
		pthread_mutex_unlock(&n->mu);
	}
	fflush(stdout);
}

/* ---------------------------------------------------------------------------------------- */
/* Threads                                                                                   */

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(&start_barrier);
	if (w->kind == K_NOTIFY)
		notify_leave_enum(w);
	while (!stopping()) {
		switch (w->kind) {
		case K_CHURN:
			churn_step(w);
			break;
		case K_UPDATE:
			update_step(w);
			break;
		case K_SHARED:
			shared_step(w);
			break;
		case K_READ:
			read_step(w);
			break;
		case K_ENUM:
			enum_step(w);
			break;
		case K_NOTIFY:
			notify_step(w);
			break;
		case K_CALLBACK:
		case K_MAIN:
			break;
		}
		atomic_store_explicit(&w->where, 0, memory_order_relaxed);
		/*
		 * Readers never block, so on an oversubscribed machine they would
		 * keep a writer that yields inside its lock off the CPU for whole
		 * time slices; an occasional yield keeps the writers busy too.
		 */
		if ((w->kind == K_READ || w->kind == K_ENUM) && rng_below(&w->rng, 64) == 0)
			sched_yield();
		maybe_yield(w);
	}
	return NULL;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		perror("calloc");
		exit(2);
	}
	return p;
}

static void
buffers_alloc(struct worker *w)
{
	w->ri = xcalloc(1, ri_size);
	w->ri2 = xcalloc(1, ri_size);
	w->di = xcalloc(1, di_size);
	w->di2 = xcalloc(1, di_size);
	w->handles = xcalloc(prof_max_enum, sizeof(*w->handles));
	w->seen_tag = xcalloc(nfixed ? nfixed : 1, sizeof(*w->seen_tag));
	if (w->kind == K_ENUM || w->kind == K_NOTIFY)
		w->dbuf = xcalloc(prof_max_enum, dest_stride);
	if (w->kind == K_ENUM) {
		w->stamp = xcalloc(nkeys, sizeof(*w->stamp));
		w->fstamp = xcalloc(nfixed ? nfixed : 1, sizeof(*w->fstamp));
	}
}

static void
buffers_free(struct worker *w)
{
	free(w->ri);
	free(w->ri2);
	free(w->di);
	free(w->di2);
	free(w->handles);
	free(w->seen_tag);
	free(w->own_h);
	free(w->own_p);
	free(w->mine);
	free(w->dbuf);
	free(w->stamp);
	free(w->fstamp);
}

/* ---------------------------------------------------------------------------------------- */
/* Setup                                                                                     */

static void
register_entity(struct worker *m, unsigned e)
{
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE prof;
	DWORD rc;

	memset(&info, 0, sizeof(info));
	info.RtmInstanceId = 0;
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = 0x7000 + (ULONG)ents[e].kind;
	info.EntityId.EntityInstanceId = ents[e].kind_index;
	memset(&prof, 0, sizeof(prof));
	rc = RtmRegisterEntity(&info, NULL, ents[e].kind == K_NOTIFY ? notify_callback : NULL,
			       FALSE, &prof, &ents[e].h);
	if (!CHECK_RC(m, rc, NO_ERROR, "RtmRegisterEntity")) {
		printf("cannot register entities; giving up\n0 passed, 1 failed\n");
		exit(1);
	}
	if (e == 0) {
		prof_max_nh = prof.MaxNextHopsInRoute;
		prof_max_enum = prof.MaxHandlesInEnum;
		prof_num_views = prof.NumberOfViews;
		CHECK(m, prof_max_nh >= 1 && prof_max_enum >= 1 && prof_num_views >= 1,
		      "registration profile: %u next hops, %u handles, %u views", prof_max_nh,
		      prof_max_enum, prof_num_views);
		if (prof_max_nh < 1)
			prof_max_nh = 1;
		if (prof_max_enum < 1)
			prof_max_enum = 1;
	} else {
		CHECK(m,
		      prof.MaxNextHopsInRoute == prof_max_nh &&
			      prof.MaxHandlesInEnum == prof_max_enum &&
			      prof.NumberOfViews == prof_num_views,
		      "registration profiles differ between entities");
	}
}

static void
add_next_hops(struct worker *m, unsigned e)
{
	for (unsigned i = 0; i < NH_PER_ENTITY; i++) {
		RTM_NEXTHOP_INFO nhi;
		RTM_NEXTHOP_CHANGE_FLAGS cf = 0;
		DWORD rc;

		memset(&nhi, 0, sizeof(nhi));
		addr_set(&nhi.NextHopAddress, 0xc6120000u | (e & 0xff) << 8 | i, 32);
		nhi.InterfaceIndex = i + 1;
		ents[e].nh[i] = NULL;
		rc = RtmAddNextHop(ents[e].h, &nhi, &ents[e].nh[i], &cf);
		if (CHECK_RC(m, rc, NO_ERROR, "RtmAddNextHop"))
			CHECK(m, ents[e].nh[i] != NULL && cf == RTM_NEXTHOP_CHANGE_NEW,
			      "RtmAddNextHop: handle %p flags 0x%x", ents[e].nh[i], (unsigned)cf);
	}
}

static void
add_fixed(struct worker *m, struct worker *owner, unsigned k)
{
	struct fixed *f = &fixed_routes[nfixed];
	RTM_NET_ADDRESS a;
	RTM_ROUTE_CHANGE_FLAGS cf = 0;
	DWORD rc;

	if (keys[k].nfixed >= MAX_FIXED_PER_KEY)
		return;
	f->key = k;
	f->ent = owner->ent;
	f->seq = 0;
	payload_make(&f->last, &owner->rng, k, owner->ent, 0);
	payload_to_info(&f->last, m->ri);
	addr_set(&a, keys[k].addr, keys[k].len);
	f->h = NULL;
	rc = RtmAddRouteToDest(ents[owner->ent].h, &f->h, &a, m->ri, INFINITE, NULL, 0, NULL, &cf);
	if (!CHECK_RC(m, rc, NO_ERROR, "RtmAddRouteToDest(fixed)") ||
	    !CHECK(m, f->h != NULL && (cf & RTM_ROUTE_CHANGE_NEW), "fixed route: handle %p flags 0x%x",
		   f->h, (unsigned)cf)) {
		printf("cannot set up the table; giving up\n0 passed, 1 failed\n");
		exit(1);
	}
	atomic_fetch_add(&keys[k].changes, 1);
	keys[k].fixed[keys[k].nfixed++] = nfixed;
	owner->mine[owner->nmine++] = nfixed;
	nfixed++;
}

/*
 * The consumers' registrations, made before the first route is added so that
 * every change of the run is theirs to see.
 */
static void
notifiers_setup(struct worker *m, unsigned n_notify)
{
	nnotifiers = 0;
	notifiers = xcalloc(n_notify, sizeof(*notifiers));
	for (unsigned i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];
		struct notifier *n;

		if (w->kind != K_NOTIFY)
			continue;
		n = &notifiers[nnotifiers++];
		n->w = w;
		w->nt = n;
		n->ent = w->ent;
		n->types = w->kind_index % 2 == 0 ? RTM_CHANGE_TYPE_ALL : RTM_CHANGE_TYPE_BEST;
		n->views = mix64(w->seed ^ 0x7669657773ull) & 1
				   ? RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST
				   : RTM_VIEW_MASK_ANY;
		n->cb.kind = K_CALLBACK;
		n->cb.kind_index = w->kind_index;
		n->cb.seed = mix64(w->seed ^ 0x63616c6c6261636bull);
		n->cb.rng.s = n->cb.seed;
		n->cb.ent = w->ent;
		atomic_init(&n->cb.where, 0);
		buffers_alloc(&n->cb);
		atomic_init(&n->callbacks, 0);
		atomic_init(&n->cb_drains, 0);
		atomic_init(&n->bad_ctx, 0);
		atomic_init(&n->leaving, false);
		atomic_init(&n->late_calls, 0);
		if (sem_init(&n->sem, 0, 0) || pthread_mutex_init(&n->mu, NULL)) {
			perror("sem_init");
			exit(2);
		}
		n->buf = xcalloc(prof_max_enum, dest_stride);
		n->seen = xcalloc(nkeys, sizeof(*n->seen));
	}
	for (unsigned i = 0; i < nnotifiers; i++) {
		struct notifier *n = &notifiers[i];
		DWORD rc = RtmRegisterForChangeNotification(ents[n->ent].h, n->views, n->types, n,
							    &n->h);

		if (!CHECK_RC(m, rc, NO_ERROR, "RtmRegisterForChangeNotification") ||
		    !CHECK(m, n->h != NULL, "RtmRegisterForChangeNotification gave no handle")) {
			printf("cannot register for changes; giving up\n0 passed, 1 failed\n");
			exit(1);
		}
	}
}

static void
notifiers_free(void)
{
	for (unsigned i = 0; i < nnotifiers; i++) {
		struct notifier *n = &notifiers[i];

		buffers_free(&n->cb);
		sem_destroy(&n->sem);
		pthread_mutex_destroy(&n->mu);
		free(n->buf);
		free(n->seen);
	}
	free(notifiers);
}

static void
setup(void)
{
	unsigned t = cfg.threads, nchurn, nupd, nshared, nread, nenum, nnotify, rest;
	unsigned counts[K_NOTIFY + 1], idx = 0;
	struct worker *m = &main_worker;

	/* Two consumers at least (one ALL, one BEST); registrations are limited. */
	nnotify = t / 7 > 2 ? t / 7 : 2;
	if (nnotify > 16)
		nnotify = 16;
	nenum = t / 7 ? t / 7 : 1;
	rest = t - nnotify - nenum;
	nchurn = rest * 3 / 10 ? rest * 3 / 10 : 1;
	nupd = rest * 2 / 10 ? rest * 2 / 10 : 1;
	nshared = rest * 2 / 10 ? rest * 2 / 10 : 1;
	nread = rest - nchurn - nupd - nshared;
	counts[K_CHURN] = nchurn;
	counts[K_UPDATE] = nupd;
	counts[K_SHARED] = nshared;
	counts[K_READ] = nread;
	counts[K_ENUM] = nenum;
	counts[K_NOTIFY] = nnotify;
	nworkers = t;
	workers = xcalloc(nworkers, sizeof(*workers));
	nents = nworkers;
	ents = xcalloc(nents, sizeof(*ents));

	for (int kind = K_CHURN; kind <= K_NOTIFY; kind++)
		for (unsigned i = 0; i < counts[kind]; i++, idx++) {
			struct worker *w = &workers[idx];

			w->kind = (enum kind)kind;
			w->index = idx;
			w->kind_index = i;
			w->seed = mix64(cfg.seed ^ (0x9e3779b97f4a7c15ull * (idx + 1)));
			w->rng.s = w->seed;
			w->ent = idx;
			atomic_init(&w->where, 0);
			ents[idx].kind = w->kind;
			ents[idx].kind_index = i;
		}
	for (unsigned e = 0; e < nents; e++)
		register_entity(m, e);
	route_nh_max = prof_max_nh < NH_PER_ENTITY ? prof_max_nh : NH_PER_ENTITY;
	ri_size = offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) +
		  (size_t)prof_max_nh * sizeof(RTM_NEXTHOP_HANDLE);
	di_size = RTM_SIZE_OF_DEST_INFO(prof_num_views > 2 ? prof_num_views : 2);
	dest_stride = RTM_SIZE_OF_DEST_INFO(prof_num_views);
	m->ent = nchurn + nupd + nshared + nread - 1; /* a reader's entity */
	m->ri = xcalloc(1, ri_size);
	m->ri2 = xcalloc(1, ri_size);
	m->di = xcalloc(1, di_size);
	m->di2 = xcalloc(1, di_size);
	m->handles = xcalloc(prof_max_enum, sizeof(*m->handles));
	for (unsigned e = 0; e < nents; e++)
		if (kind_writes(ents[e].kind))
			add_next_hops(m, e);
	notifiers_setup(m, nnotify);

	/* Permanent routes: two updaters per anchor, and shared holders on some. */
	fixed_routes = xcalloc((size_t)nanchors * MAX_FIXED_PER_KEY, sizeof(*fixed_routes));
	for (unsigned i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		if (w->kind == K_UPDATE || w->kind == K_SHARED)
			w->mine = xcalloc(nanchors, sizeof(*w->mine));
		if (w->kind == K_CHURN) {
			w->own_h = xcalloc(nkeys, sizeof(*w->own_h));
			w->own_p = xcalloc(nkeys, sizeof(*w->own_p));
		}
	}
	for (unsigned j = 0; j < nanchors; j++) {
		unsigned k = anchors[j];
		struct worker *u1 = &workers[nchurn + j % nupd];
		struct worker *u2 = &workers[nchurn + (j + 1) % nupd];
		struct worker *s = &workers[nchurn + nupd + j % nshared];

		add_fixed(m, u1, k);
		if (u2 != u1)
			add_fixed(m, u2, k);
		if (s->nmine < SHARED_ROUTES_MAX)
			add_fixed(m, s, k);
	}
	/* Each anchor's destination handle, held until the end. */
	for (unsigned j = 0; j < nanchors; j++) {
		struct key *k = &keys[anchors[j]];
		RTM_NET_ADDRESS a;
		DWORD rc;

		k->keep = xcalloc(1, di_size);
		addr_set(&a, k->addr, k->len);
		rc = RtmGetExactMatchDestination(ents[m->ent].h, &a, RTM_BEST_PROTOCOL,
						 RTM_VIEW_MASK_UCAST, k->keep);
		if (!CHECK_RC(m, rc, NO_ERROR, "RtmGetExactMatchDestination(anchor, setup)")) {
			printf("cannot set up the table; giving up\n0 passed, 1 failed\n");
			exit(1);
		}
		k->dest = k->keep->DestHandle;
		CHECK(m, k->dest != NULL, "anchor dest handle is NULL");
		CHECK(m, k->keep->ViewInfo[0].NumRoutes == k->nfixed,
		      "anchor %08x/%u has %u routes after setup, expected %u", k->addr, k->len,
		      k->keep->ViewInfo[0].NumRoutes, k->nfixed);
	}
	for (unsigned i = 0; i < nworkers; i++)
		buffers_alloc(&workers[i]);
	m->seen_tag = xcalloc(nfixed ? nfixed : 1, sizeof(*m->seen_tag));
	/* Pairs with the acquire loads in check_changed_dest(). */
	atomic_store_explicit(&anchors_live, true, memory_order_release);
}

/* ---------------------------------------------------------------------------------------- */
/* Final phase                                                                               */

struct expect {
	unsigned ent;
	RTM_ROUTE_HANDLE h;
	const struct payload *p;
};

static void
final_check_key(struct worker *m, unsigned k, struct expect *ex, unsigned n)
{
	RTM_ENTITY_HANDLE me = ents[m->ent].h;
	RTM_NET_ADDRESS a;
	DWORD rc;

	addr_set(&a, keys[k].addr, keys[k].len);
	memset(m->di, 0xa5, di_size);
	rc = RtmGetExactMatchDestination(me, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, m->di);
	if (n == 0) {
		CHECK(m, rc == ERROR_NOT_FOUND, "final: %08x/%u should be empty, lookup returned %u",
		      keys[k].addr, keys[k].len, (unsigned)rc);
		if (rc == NO_ERROR)
			release_dest_info(m, m->di);
	} else if (CHECK(m, rc == NO_ERROR, "final: %08x/%u has %u routes, lookup returned %u",
			 keys[k].addr, keys[k].len, n, (unsigned)rc)) {
		if (check_dest_info(m, m->di, "final") == (int)k) {
			unsigned best = 0;
			bool tie = false;

			CHECK(m, m->di->ViewInfo[0].NumRoutes == n,
			      "final: %08x/%u has NumRoutes %u, writers believe %u", keys[k].addr,
			      keys[k].len, m->di->ViewInfo[0].NumRoutes, n);
			for (unsigned i = 1; i < n; i++) {
				uint64_t ki = (uint64_t)ex[i].p->pref << 32 | ex[i].p->metric;
				uint64_t kb = (uint64_t)ex[best].p->pref << 32 | ex[best].p->metric;

				if (ki < kb) {
					best = i;
					tie = false;
				} else if (ki == kb) {
					tie = true;
				}
			}
			if (!tie)
				CHECK(m, m->di->ViewInfo[0].Route == ex[best].h,
				      "final: best route of %08x/%u is %p, expected %p (pref %u)",
				      keys[k].addr, keys[k].len, m->di->ViewInfo[0].Route,
				      ex[best].h, ex[best].p->pref);
			check_best_route_of(m, m->di, (int)k, "final best route");
		}
		release_dest_info(m, m->di);
	}

	for (unsigned i = 0; i < n; i++) {
		RTM_ROUTE_HANDLE h = NULL;

		memset(m->ri, 0, ri_size);
		m->ri->RouteOwner = ents[ex[i].ent].h;
		m->ri->Neighbour = NULL;
		rc = RtmGetExactMatchRoute(me, &a, RTM_MATCH_OWNER | RTM_MATCH_NEIGHBOUR, m->ri, 0,
					   RTM_VIEW_MASK_ANY, &h);
		if (!CHECK(m, rc == NO_ERROR,
			   "final: route of %s %u on %08x/%u not found by exact match (%u)",
			   kind_name[ents[ex[i].ent].kind], ents[ex[i].ent].kind_index,
			   keys[k].addr, keys[k].len, (unsigned)rc))
			continue;
		CHECK(m, h == ex[i].h, "final: exact match gave %p, the writer holds %p", h,
		      ex[i].h);
		if (check_route(m, m->ri, (int)k, NULL, "final exact-match route", NULL, NULL,
				NULL))
			CHECK(m, payload_equal(ex[i].p, m->ri),
			      "final: route of %s %u on %08x/%u does not show its last write",
			      kind_name[ents[ex[i].ent].kind], ents[ex[i].ent].kind_index,
			      keys[k].addr, keys[k].len);
		release_route_info(m, m->ri);
		release_route(m, h);
	}
}

static void
final_phase(void)
{
	struct worker *m = &main_worker;
	struct expect *ex = xcalloc(nworkers + MAX_FIXED_PER_KEY, sizeof(*ex));
	RTM_ENTITY_HANDLE me;
	DWORD rc;

	/* 1. The table must be what the writers believe. */
	for (unsigned k = 0; k < nkeys; k++) {
		unsigned n = 0;

		for (unsigned i = 0; i < nworkers; i++) {
			struct worker *w = &workers[i];

			if (w->kind == K_CHURN && w->own_h[k])
				ex[n++] = (struct expect){w->ent, w->own_h[k], &w->own_p[k]};
		}
		for (unsigned i = 0; i < keys[k].nfixed; i++) {
			struct fixed *f = &fixed_routes[keys[k].fixed[i]];

			ex[n++] = (struct expect){f->ent, f->h, &f->last};
		}
		final_check_key(m, k, ex, n);
		/* Churners that have no route here must not be found. */
		for (unsigned i = 0; i < nworkers; i++) {
			struct worker *w = &workers[i];
			RTM_ROUTE_HANDLE h = NULL;
			RTM_NET_ADDRESS a;

			if (w->kind != K_CHURN || w->own_h[k])
				continue;
			addr_set(&a, keys[k].addr, keys[k].len);
			memset(m->ri, 0, ri_size);
			m->ri->RouteOwner = ents[w->ent].h;
			rc = RtmGetExactMatchRoute(ents[m->ent].h, &a,
						   RTM_MATCH_OWNER | RTM_MATCH_NEIGHBOUR, m->ri, 0,
						   RTM_VIEW_MASK_ANY, &h);
			if (!CHECK(m, rc == ERROR_NOT_FOUND,
				   "final: churner %u deleted its route on %08x/%u, exact match "
				   "returned %u",
				   w->kind_index, keys[k].addr, keys[k].len, (unsigned)rc) &&
			    rc == NO_ERROR) {
				release_route_info(m, m->ri);
				release_route(m, h);
			}
		}
	}
	free(ex);

	/* 2. Delete every route.  Registrations stop recording what they read. */
	atomic_store(&anchors_live, false);
	atomic_store(&teardown, true);
	for (unsigned i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		if (w->kind != K_CHURN)
			continue;
		for (unsigned k = 0; k < nkeys; k++) {
			RTM_ROUTE_CHANGE_FLAGS cf = 0;

			if (!w->own_h[k])
				continue;
			rc = RtmDeleteRouteToDest(ents[w->ent].h, w->own_h[k], &cf);
			CHECK_RC(m, rc, NO_ERROR, "final RtmDeleteRouteToDest(churned)");
			w->own_h[k] = NULL;
		}
	}
	for (unsigned f = 0; f < nfixed; f++) {
		RTM_ROUTE_CHANGE_FLAGS cf = 0;

		rc = RtmDeleteRouteToDest(ents[fixed_routes[f].ent].h, fixed_routes[f].h, &cf);
		CHECK_RC(m, rc, NO_ERROR, "final RtmDeleteRouteToDest(fixed)");
	}
	for (unsigned j = 0; j < nanchors; j++) {
		struct key *k = &keys[anchors[j]];

		release_dest_info(m, k->keep);
		free(k->keep);
		k->keep = NULL;
	}
	/* 3. Next hops: deleting consumes the handle. */
	for (unsigned e = 0; e < nents; e++) {
		if (!kind_writes(ents[e].kind))
			continue;
		for (unsigned i = 0; i < NH_PER_ENTITY; i++) {
			if (!ents[e].nh[i])
				continue;
			rc = RtmDeleteNextHop(ents[e].h, ents[e].nh[i], NULL);
			CHECK_RC(m, rc, NO_ERROR, "final RtmDeleteNextHop");
		}
	}
	/* 4. Deregister every entity but the one main looks with. */
	for (unsigned e = 0; e < nents; e++) {
		if (e == m->ent)
			continue;
		for (unsigned i = 0; i < nnotifiers; i++)
			if (notifiers[i].ent == e)
				atomic_store(&notifiers[i].leaving, true);
		rc = RtmDeregisterEntity(ents[e].h);
		CHECK_RC(m, rc, NO_ERROR, "RtmDeregisterEntity");
	}
	/* 5. The table must be empty. */
	me = ents[m->ent].h;
	for (unsigned k = 0; k < nkeys; k++) {
		RTM_NET_ADDRESS a;

		addr_set(&a, keys[k].addr, keys[k].len);
		rc = RtmGetExactMatchDestination(me, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
						 m->di);
		CHECK(m, rc == ERROR_NOT_FOUND, "empty table: exact %08x/%u returned %u",
		      keys[k].addr, keys[k].len, (unsigned)rc);
		if (rc == NO_ERROR)
			release_dest_info(m, m->di);
		addr_set(&a, keys[k].addr | ~mask_of(keys[k].len), 32);
		rc = RtmGetMostSpecificDestination(me, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY,
						   m->di);
		CHECK(m, rc == ERROR_NOT_FOUND, "empty table: most-specific %08x returned %u",
		      keys[k].addr | ~mask_of(keys[k].len), (unsigned)rc);
		if (rc == NO_ERROR)
			release_dest_info(m, m->di);
	}
	rc = RtmDeregisterEntity(me);
	CHECK_RC(m, rc, NO_ERROR, "RtmDeregisterEntity(last)");
}

/* ---------------------------------------------------------------------------------------- */

static void
report(void)
{
	uint64_t passed = main_worker.passed, wrong = main_worker.wrong;

	printf("\n%-8s %3s %-18s %10s %8s %9s  operations\n", "kind", "#", "seed", "checks",
	       "wrong", "max-wait");
	for (unsigned i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		printf("%-8s %3u 0x%016" PRIx64 " %10" PRIu64 " %8" PRIu64 " %7.1fms ",
		       kind_name[w->kind], w->kind_index, w->seed, w->passed, w->wrong,
		       (double)w->max_wait_ns / 1e6);
		for (int o = 0; o < OP_MAX; o++)
			if (w->ops[o])
				printf(" %s=%" PRIu64, op_name[o], w->ops[o]);
		if (w->no_less)
			printf(" (less-specific not implemented)");
		putchar('\n');
		passed += w->passed;
		wrong += w->wrong;
	}
	for (unsigned i = 0; i < nnotifiers; i++) {
		struct worker *c = &notifiers[i].cb;

		printf("%-8s %3u 0x%016" PRIx64 " %10" PRIu64 " %8" PRIu64 "  callbacks=%u "
		       "drained-inside=%u refused-after-deregistration=%u\n",
		       kind_name[c->kind], c->kind_index, c->seed, c->passed, c->wrong,
		       atomic_load(&notifiers[i].callbacks), atomic_load(&notifiers[i].cb_drains),
		       atomic_load(&notifiers[i].late_calls));
		passed += c->passed;
		wrong += c->wrong;
	}
	printf("%-8s %3s %-18s %10" PRIu64 " %8" PRIu64 "\n", "main", "", "", main_worker.passed,
	       main_worker.wrong);
	printf("total checks %" PRIu64 ", wrong values %" PRIu64 "\n", passed + wrong, wrong);
	printf("%" PRIu64 " passed, %" PRIu64 " failed\n", passed, wrong);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	unsigned default_seconds = 10;
	bool seeded;
	uint64_t t_end;
	struct timespec deadline;
	bool hung = false;

	/* --default-seconds=N: the run time when RTM_TORTURE_SECONDS is not set. */
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--default-seconds=", 18) == 0) {
			default_seconds = (unsigned)strtoul(argv[i] + 18, NULL, 10);
		} else {
			fprintf(stderr, "usage: %s [--default-seconds=N]\n", argv[0]);
			return 2;
		}
	}
	cfg.seed = env_u64("RTM_TORTURE_SEED", 0, &seeded);
	if (!seeded)
		cfg.seed = mix64(now_ns() ^ (uint64_t)getpid() << 32);
	cfg.seconds = (unsigned)env_u64("RTM_TORTURE_SECONDS", default_seconds, NULL);
	cfg.threads = (unsigned)env_u64("RTM_TORTURE_THREADS", 14, NULL);
	cfg.keys = (unsigned)env_u64("RTM_TORTURE_KEYS", 300, NULL);
	cfg.yield = env_u64("RTM_TORTURE_YIELD", 0, NULL) != 0;
	if (cfg.threads < 8)
		cfg.threads = 8;
	if (cfg.threads > 1000)
		cfg.threads = 1000;
	if (cfg.keys < 8)
		cfg.keys = 8;
	if (cfg.keys > 1000000)
		cfg.keys = 1000000;

	printf("RTM_TORTURE_SEED=0x%016" PRIx64 " (replay with this)\n", cfg.seed);
	printf("seconds=%u threads=%u keys=%u yield=%d cpus=%ld\n", cfg.seconds, cfg.threads,
	       cfg.keys, cfg.yield, sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);

	main_worker.kind = K_MAIN;
	main_worker.seed = cfg.seed;
	main_worker.rng.s = mix64(cfg.seed ^ 0x6d61696eull);
	universe_build(cfg.seed);
	setup();

	unsigned lens[33] = {0};
	for (unsigned k = 0; k < nkeys; k++)
		lens[keys[k].len]++;
	printf("universe: %u prefixes, %u anchors, %u permanent routes; by length:", nkeys,
	       nanchors, nfixed);
	for (int l = 0; l <= 32; l++)
		if (lens[l])
			printf(" /%d=%u", l, lens[l]);
	printf("\nprofile: MaxNextHopsInRoute=%u MaxHandlesInEnum=%u NumberOfViews=%u\n",
	       prof_max_nh, prof_max_enum, prof_num_views);
	for (unsigned i = 0; i < nworkers; i++) {
		printf("thread %2u %-8s %u seed=0x%016" PRIx64, i, kind_name[workers[i].kind],
		       workers[i].kind_index, workers[i].seed);
		if (workers[i].nt)
			printf(" (%s, views %s)",
			       workers[i].nt->types == RTM_CHANGE_TYPE_ALL ? "CHANGE_TYPE_ALL"
									   : "CHANGE_TYPE_BEST",
			       views_name(workers[i].nt->views));
		putchar('\n');
	}
	fflush(stdout);

	if (pthread_barrier_init(&start_barrier, NULL, nworkers + 1)) {
		perror("pthread_barrier_init");
		return 2;
	}
	for (unsigned i = 0; i < nworkers; i++)
		if (pthread_create(&workers[i].tid, NULL, worker_main, &workers[i])) {
			perror("pthread_create");
			return 2;
		}
	pthread_barrier_wait(&start_barrier);
	t_end = now_ns() + (uint64_t)cfg.seconds * 1000000000ull;
	while (now_ns() < t_end) {
		struct timespec ts = {0, 50 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	atomic_store(&stop_flag, true);

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += JOIN_GRACE_SECONDS;
	for (unsigned i = 0; i < nworkers; i++) {
		int err = pthread_timedjoin_np(workers[i].tid, NULL, &deadline);

		if (err) {
			int where = atomic_load(&workers[i].where);

			printf("WRONG: %s %u (seed 0x%016" PRIx64 ") did not stop within %d s after "
			       "the run, stuck in %s: deadlock or starvation\n",
			       kind_name[workers[i].kind], workers[i].kind_index, workers[i].seed,
			       JOIN_GRACE_SECONDS, where ? op_name[where - 1] : "the test itself");
			hung = true;
		}
	}
	if (hung) {
		printf("0 passed, 1 failed\n");
		fflush(stdout);
		_exit(1);
	}
	pthread_barrier_destroy(&start_barrier);

	notify_final();
	final_phase();
	report();

	uint64_t wrong = main_worker.wrong;
	for (unsigned i = 0; i < nnotifiers; i++)
		wrong += notifiers[i].cb.wrong;
	notifiers_free();
	for (unsigned i = 0; i < nworkers; i++) {
		wrong += workers[i].wrong;
		buffers_free(&workers[i]);
	}
	free(main_worker.ri);
	free(main_worker.ri2);
	free(main_worker.di);
	free(main_worker.di2);
	free(main_worker.handles);
	free(main_worker.seen_tag);
	free(workers);
	free(ents);
	free(fixed_routes);
	free(keys);
	free(anchors);
	return wrong ? 1 : 0;
}
