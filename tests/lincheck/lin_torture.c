/*
 * lin_torture.c - record concurrent RTMv2 histories and check that each one is
 * linearizable (lincheck.h) against the sequential semantics (rtm_spec.h).
 *
 * Threads (more than the CPUs):
 *   writers  RS_WRITERS of them, each its own entity with RS_NEIGHBOURS next
 *            hops (its neighbours).  Random operations on the routes of its own
 *            slots: RtmAddRouteToDest (create, or replace by owner and
 *            neighbour), RtmDeleteRouteToDest, and in-place edits:
 *            RtmLockRoute(exclusive), new PrefInfo through the route pointer,
 *            RtmUpdateAndUnlockRoute.  Preference is 1..3, so the best route
 *            moves between writers all the time; Metric is a per-writer counter
 *            with the writer and neighbour in its low bits, so routes never tie.
 *            Every other round is sparse (each writer keeps about one route),
 *            so that destinations come and go under most-specific lookups.
 *   readers  RtmGetExactMatchDestination and RtmGetMostSpecificDestination
 *            (unicast view, overall best); they keep some of the best-route
 *            handles they are given (RtmReferenceHandles) and later ask
 *            RtmGetRouteInfo and RtmIsBestRoute about them, even after the
 *            route was deleted.
 *
 * Objects: two groups of three nested IPv4 prefixes.  A group is one object
 * of the specification, because a most-specific lookup reads all the keys of
 * its group at once (rtm_spec.h); the groups are disjoint, so they are
 * checked independently (linearizability is local).
 *
 * Time: every call is bracketed by two tickets from one global atomic counter,
 * taken just before the call and just after it returns.  Tickets are exact
 * (all distinct; a.res < b.inv exactly when a returned before b started), where
 * CLOCK_MONOTONIC has ties and per-CPU skew that would have to be widened
 * away, and a fetch-and-add costs about as much as the vDSO clock read.
 *
 * Rounds: all threads start a round at a barrier, each does RTM_LINCHECK_OPS
 * operations, and they meet again at a second barrier.  Both are quiescent
 * points: the main thread then checks the round's history of each group from
 * the state the writers' own records give at the start of the round (every
 * slot has one writer, so that state is exact), while the workers wait.
 * Histories therefore stay a few hundred operations long whatever the run
 * time; the run is as many rounds as fit in RTM_TORTURE_SECONDS.
 *
 * A violation is reported with the state at the start of the round and a
 * shrunk history: reads are dropped one at a time while the rest stays
 * non-linearizable, so what is printed is the few reads that contradict each
 * other and the writes that overlap them.
 *
 * Options: --default-seconds=N (RTM_TORTURE_SECONDS overrides it);
 * --expect-violation: succeed only if a violation is found (stops at the
 * first one), for the deliberately broken build.  Environment:
 * RTM_TORTURE_SEED, RTM_LINCHECK_READERS (default 4), RTM_LINCHECK_OPS
 * (operations per thread per round, default 100), RTM_LINCHECK_SPARSE=0 (no
 * sparse rounds), RTM_LINCHECK_VERBOSE=1 (print every write of a failing
 * round).
 *
 * Last line: "lincheck: H histories checked (...), V violations"; exit 1 if
 * V > 0 (or, with --expect-violation, if V == 0) or a call failed.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "rtmv2.h"
#include "rtm/rtmx.h"
#include "lincheck.h"
#include "rtm_spec.h"


#define GROUPS 2
#define READERS_MAX 32
#define HELD_MAX 4
#define MAX_STEPS_PER_HISTORY 50000000ull

struct config {
	unsigned seconds;
	uint64_t seed;
	unsigned readers;
	unsigned ops;
	bool expect_violation;
	bool verbose;
	bool sparse;
};

static struct config cfg;

/* ------------------------------------------------------------------------ */
/* Random numbers, tickets                                                  */

struct rng {
	uint64_t s;
};

static uint64_t
rng_next(struct rng *r)
{
	uint64_t x = (r->s += 0x9e3779b97f4a7c15ull);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static unsigned
rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(rng_next(r) % n);
}

static _Atomic uint64_t ticket_clock = 1;

static uint64_t
tick(void)
{
	return atomic_fetch_add(&ticket_clock, 1);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* The objects: two groups of nested prefixes                               */

struct group {
	uint32_t key[RS_KEYS];      /* key k: key[k]/len[k], nested, shortest first */
	unsigned len[RS_KEYS];
	uint32_t probe[RS_KEYS];    /* most-specific probes: covered by keys 0..k */
};

static const struct group groups[GROUPS] = {
	{{0x0a000000u, 0x0a010000u, 0x0a010200u}, {8, 16, 24},
	 {0x0a630001u, 0x0a016301u, 0x0a01024du}},
	{{0xac100000u, 0xac100500u, 0xac100580u}, {12, 24, 25},
	 {0xac1f0001u, 0xac100507u, 0xac1005c8u}},
};

static void
addr_set(RTM_NET_ADDRESS *a, uint32_t v, unsigned len)
{
	memset(a, 0, sizeof(*a));
	a->AddressFamily = AF_INET;
	a->NumBits = (USHORT)len;
	a->AddrBits[0] = (UCHAR)(v >> 24);
	a->AddrBits[1] = (UCHAR)(v >> 16);
	a->AddrBits[2] = (UCHAR)(v >> 8);
	a->AddrBits[3] = (UCHAR)v;
}

/* Key index of an address in group g, or RS_NONE. */
static uint8_t
key_of(unsigned g, const RTM_NET_ADDRESS *a)
{
	for (unsigned k = 0; k < RS_KEYS; k++) {
		RTM_NET_ADDRESS want;

		addr_set(&want, groups[g].key[k], groups[g].len[k]);
		if (a->AddressFamily == AF_INET && a->NumBits == want.NumBits &&
		    !memcmp(a->AddrBits, want.AddrBits, 4))
			return (uint8_t)k;
	}
	return RS_NONE;
}

/* ------------------------------------------------------------------------ */
/* Entities and threads                                                     */

struct writer_ent {
	RTM_ENTITY_HANDLE h;
	RTM_NEXTHOP_HANDLE nh[RS_NEIGHBOURS];
};

static struct writer_ent writers[RS_WRITERS];

static uint8_t
writer_of(RTM_ENTITY_HANDLE h)
{
	for (unsigned w = 0; w < RS_WRITERS; w++) {
		if (writers[w].h == h)
			return (uint8_t)w;
	}
	return RS_NONE;
}

static uint8_t
slot_of(RTM_ENTITY_HANDLE owner, RTM_NEXTHOP_HANDLE neighbour)
{
	uint8_t w = writer_of(owner);

	if (w == RS_NONE)
		return RS_NONE;
	for (unsigned j = 0; j < RS_NEIGHBOURS; j++) {
		if (writers[w].nh[j] == neighbour)
			return (uint8_t)(w * RS_NEIGHBOURS + j);
	}
	return RS_NONE;
}

/* One recorded operation. */
struct rec {
	uint64_t inv, res;
	uint8_t group;
	uint8_t thread;
	struct rs_op op;
};

struct held {
	RTM_ROUTE_HANDLE h;
	unsigned group;
};

struct thread {
	pthread_t tid;
	unsigned index;
	bool is_writer;
	unsigned w;              /* writer index */
	RTM_ENTITY_HANDLE me;
	struct rng rng;
	uint32_t counter;        /* writers: metric counter */
	struct held held[HELD_MAX];
	unsigned nheld;
	struct rec *log;         /* cfg.ops records of the current round */
	unsigned errors;         /* calls that failed outside the checked history */
};

/*
 * The writers' view of the table, one slot per (key, writer, neighbour):
 * each writer updates its own slots; the main thread reads them between
 * rounds (the barriers order both).
 */
static struct rs_state shadow[GROUPS];

static pthread_barrier_t round_start, round_end;
static bool stop;         /* written by main before round_start */
static bool sparse_round; /* likewise: every other round, see pick_sparse() */

static void
maybe_yield(struct thread *t)
{
	if (rng_below(&t->rng, 4) == 0)
		sched_yield();
}

/* ------------------------------------------------------------------------ */
/* Writers                                                                  */

static void
route_info_set(RTM_ROUTE_INFO *info, RTM_NEXTHOP_HANDLE nh, uint32_t pref, uint32_t metric)
{
	memset(info, 0, sizeof(*info));
	info->Neighbour = nh;
	info->PrefInfo.Preference = pref;
	info->PrefInfo.Metric = metric;
	info->BelongsToViews = RTM_VIEW_MASK_UCAST;
	info->NextHopsList.NumNextHops = 1;
	info->NextHopsList.NextHops[0] = nh;
}

/*
 * In a sparse round a writer works on a route it has, if it has any, and
 * mostly deletes it: each writer keeps about one route, so destinations keep
 * appearing and disappearing and most-specific answers move between keys.
 */
static void
pick_sparse(struct thread *t, unsigned *g, unsigned *k, unsigned *j, unsigned *dice)
{
	unsigned n = GROUPS * RS_KEYS * RS_NEIGHBOURS, first = rng_below(&t->rng, n);

	for (unsigned x = 0; x < n; x++) {
		unsigned c = (first + x) % n;
		unsigned cg = c / (RS_KEYS * RS_NEIGHBOURS), ck = c / RS_NEIGHBOURS % RS_KEYS;
		unsigned cj = c % RS_NEIGHBOURS;

		if (shadow[cg].r[ck][t->w * RS_NEIGHBOURS + cj].handle) {
			*g = cg;
			*k = ck;
			*j = cj;
			*dice = *dice < 75 ? 50 : 99; /* delete, or edit */
			return;
		}
	}
}

static void
writer_op(struct thread *t, struct rec *rec)
{
	unsigned g = rng_below(&t->rng, GROUPS), k = rng_below(&t->rng, RS_KEYS);
	unsigned j = rng_below(&t->rng, RS_NEIGHBOURS), dice = rng_below(&t->rng, 100);
	struct rs_route *sh;
	struct rs_op *op = &rec->op;
	RTM_ROUTE_HANDLE h;
	RTM_ROUTE_CHANGE_FLAGS flags = 0;
	uint32_t pref = 1 + rng_below(&t->rng, 3), metric;
	DWORD rc;

	if (sparse_round)
		pick_sparse(t, &g, &k, &j, &dice);
	sh = &shadow[g].r[k][t->w * RS_NEIGHBOURS + j];
	h = (RTM_ROUTE_HANDLE)(uintptr_t)sh->handle;
	metric = ++t->counter << 4 | t->w << 1 | j;
	rec->group = (uint8_t)g;
	op->key = (uint8_t)k;
	op->slot = (uint8_t)(t->w * RS_NEIGHBOURS + j);
	op->pref = pref;
	op->metric = metric;
	if (!h || dice < 40) {
		RTM_ROUTE_INFO info;
		RTM_NET_ADDRESS addr;
		RTM_ROUTE_HANDLE got = NULL;

		route_info_set(&info, writers[t->w].nh[j], pref, metric);
		addr_set(&addr, groups[g].key[k], groups[g].len[k]);
		op->kind = RS_ADD;
		rec->inv = tick();
		rc = RtmAddRouteToDest(t->me, &got, &addr, &info, INFINITE, NULL, 0, NULL, &flags);
		rec->res = tick();
		op->handle = (uint64_t)(uintptr_t)got;
		if (rc == NO_ERROR && !h) {
			*sh = (struct rs_route){op->handle, pref, metric};
		} else if (rc == NO_ERROR) {
			sh->pref = pref;
			sh->metric = metric;
			RtmReleaseRoutes(t->me, 1, &got); /* the slot keeps its own */
		}
	} else if (dice < 65) {
		op->kind = RS_DELETE;
		op->handle = sh->handle;
		op->pref = op->metric = 0;
		rec->inv = tick();
		rc = RtmDeleteRouteToDest(t->me, h, &flags); /* consumes the slot's reference */
		rec->res = tick();
		if (rc == NO_ERROR)
			memset(sh, 0, sizeof(*sh));
	} else {
		PRTM_ROUTE_INFO p = NULL;

		op->kind = RS_EDIT;
		op->handle = sh->handle;
		rec->inv = tick();
		rc = RtmLockRoute(t->me, h, TRUE, TRUE, &p);
		if (rc == NO_ERROR) {
			op->old_pref = p->PrefInfo.Preference;
			op->old_metric = p->PrefInfo.Metric;
			maybe_yield(t);
			p->PrefInfo.Preference = pref;
			p->PrefInfo.Metric = metric;
			rc = RtmUpdateAndUnlockRoute(t->me, h, INFINITE, NULL, 0, NULL, &flags);
		}
		rec->res = tick();
		if (rc == NO_ERROR) {
			sh->pref = pref;
			sh->metric = metric;
		} else if (p) {
			RtmLockRoute(t->me, h, TRUE, FALSE, NULL);
		}
	}
	op->status = rc;
	op->flags = flags;
	if (rc != NO_ERROR) {
		/* The shadow no longer matches the table: the checker reports the
		 * round, and the test cannot go on meaningfully. */
		fprintf(stderr, "lincheck: writer %u: call failed with %lu\n", t->w,
			(unsigned long)rc);
		t->errors++;
	}
}

/* ------------------------------------------------------------------------ */
/* Readers                                                                  */

static void
keep_handle(struct thread *t, RTM_ROUTE_HANDLE h, unsigned g)
{
	unsigned i = t->nheld;

	if (RtmReferenceHandles(t->me, 1, (HANDLE *)&h) != NO_ERROR) {
		t->errors++;
		return;
	}
	if (i == HELD_MAX) {
		i = rng_below(&t->rng, HELD_MAX);
		RtmReleaseRoutes(t->me, 1, &t->held[i].h);
	} else {
		t->nheld++;
	}
	t->held[i] = (struct held){h, g};
}

static void
reader_lookup(struct thread *t, struct rec *rec, unsigned g, bool exact)
{
	struct rs_op *op = &rec->op;
	RTM_DEST_INFO di;
	RTM_NET_ADDRESS addr;
	unsigned k = rng_below(&t->rng, RS_KEYS);
	DWORD rc;

	rec->group = (uint8_t)g;
	if (exact) {
		op->kind = RS_EXACT;
		op->key = (uint8_t)k;
		addr_set(&addr, groups[g].key[k], groups[g].len[k]);
		rec->inv = tick();
		rc = RtmGetExactMatchDestination(t->me, &addr, RTM_BEST_PROTOCOL,
						 RTM_VIEW_MASK_UCAST, &di);
		rec->res = tick();
	} else {
		op->kind = RS_MOST_SPECIFIC;
		op->covers = (uint8_t)((2u << k) - 1);
		addr_set(&addr, groups[g].probe[k], 32);
		rec->inv = tick();
		rc = RtmGetMostSpecificDestination(t->me, &addr, RTM_BEST_PROTOCOL,
						   RTM_VIEW_MASK_UCAST, &di);
		rec->res = tick();
	}
	op->status = rc;
	op->found_key = op->best_owner = RS_NONE;
	if (rc != NO_ERROR)
		return;
	op->found_key = key_of(g, &di.DestAddress);
	if (di.NumberOfViews == 1) {
		op->num_routes = di.ViewInfo[0].NumRoutes;
		op->best = (uint64_t)(uintptr_t)di.ViewInfo[0].Route;
		op->best_owner = writer_of(di.ViewInfo[0].Owner);
		if (di.ViewInfo[0].Route && rng_below(&t->rng, 2))
			keep_handle(t, di.ViewInfo[0].Route, g);
	}
	if (RtmReleaseDestInfo(t->me, &di) != NO_ERROR)
		t->errors++;
}

static void
reader_route_query(struct thread *t, struct rec *rec, bool info)
{
	struct held *hd = &t->held[rng_below(&t->rng, t->nheld)];
	struct rs_op *op = &rec->op;
	DWORD rc;

	rec->group = (uint8_t)hd->group;
	op->handle = (uint64_t)(uintptr_t)hd->h;
	op->key = op->slot = RS_NONE;
	if (info) {
		union {
			RTM_ROUTE_INFO ri;
			unsigned char room[RTMX_SIZE_OF_ROUTE_INFO(64)];
		} u;
		RTM_NET_ADDRESS da;

		op->kind = RS_ROUTE_INFO;
		rec->inv = tick();
		rc = RtmGetRouteInfo(t->me, hd->h, &u.ri, &da);
		rec->res = tick();
		if (rc == NO_ERROR) {
			op->key = key_of(hd->group, &da);
			op->slot = slot_of(u.ri.RouteOwner, u.ri.Neighbour);
			op->route_state = u.ri.State;
			op->pref = u.ri.PrefInfo.Preference;
			op->metric = u.ri.PrefInfo.Metric;
			if (RtmReleaseRouteInfo(t->me, &u.ri) != NO_ERROR)
				t->errors++;
		}
	} else {
		RTM_VIEW_SET views = 0;

		op->kind = RS_IS_BEST;
		rec->inv = tick();
		rc = RtmIsBestRoute(t->me, hd->h, &views);
		rec->res = tick();
		op->views = views;
	}
	op->status = rc;
}

static void
reader_op(struct thread *t, struct rec *rec)
{
	unsigned dice = rng_below(&t->rng, 100);

	if (!t->nheld)
		dice = dice % 60;
	if (dice < 30)
		reader_lookup(t, rec, rng_below(&t->rng, GROUPS), true);
	else if (dice < 60)
		reader_lookup(t, rec, rng_below(&t->rng, GROUPS), false);
	else
		reader_route_query(t, rec, dice < 80);
}

static void *
thread_main(void *arg)
{
	struct thread *t = arg;

	for (;;) {
		pthread_barrier_wait(&round_start);
		if (stop)
			break;
		for (unsigned i = 0; i < cfg.ops; i++) {
			struct rec *rec = &t->log[i];

			memset(rec, 0, sizeof(*rec));
			rec->thread = (uint8_t)t->index;
			if (t->is_writer)
				writer_op(t, rec);
			else
				reader_op(t, rec);
			maybe_yield(t);
		}
		pthread_barrier_wait(&round_end);
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Checking a round                                                         */

struct totals {
	uint64_t histories, ops, max_ops, steps, configs, violations, undecided;
	uint64_t overlapping; /* operations concurrent with at least one other */
};

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec *x = *(const struct rec *const *)a, *y = *(const struct rec *const *)b;

	return x->inv < y->inv ? -1 : x->inv > y->inv;
}

static void
print_state(const struct rs_state *s)
{
	for (unsigned k = 0; k < RS_KEYS; k++) {
		printf("    key %u (best slot %d):", k, rs_best(s, k));
		for (unsigned i = 0; i < RS_SLOTS; i++) {
			const struct rs_route *r = &s->r[k][i];

			if (r->handle)
				printf(" [%u %#" PRIx64 " %u/%u]", i, r->handle, r->pref, r->metric);
		}
		printf("\n");
	}
}

/*
 * Shrink a violating history for the report: drop reads one at a time while
 * the rest stays non-linearizable (reads do not change the state, so every
 * remaining history is still a valid question).  keep[i] says what is left.
 */
static void
shrink(const struct rs_state *init, struct rec **recs, size_t n, bool *keep)
{
	struct lc_call *calls = malloc(n * sizeof(*calls));

	for (size_t i = 0; i < n; i++)
		keep[i] = true;
	if (!calls)
		return;
	for (size_t drop = 0; drop < n; drop++) {
		size_t m = 0;

		if (recs[drop]->op.kind < RS_EXACT)
			continue;
		keep[drop] = false;
		for (size_t i = 0; i < n; i++) {
			if (keep[i])
				calls[m++] = (struct lc_call){recs[i]->inv, recs[i]->res, &recs[i]->op};
		}
		if (lc_check(&rs_spec, NULL, init, calls, m, MAX_STEPS_PER_HISTORY, NULL) !=
		    LC_VIOLATION)
			keep[drop] = true;
	}
	free(calls);
}

static void
report_violation(unsigned round, unsigned g, const struct rs_state *init, struct rec **recs,
		 size_t n)
{
	bool *keep = calloc(n, sizeof(*keep));
	uint64_t lo = UINT64_MAX, hi = 0;
	char line[256];

	printf("VIOLATION: round %u, group %u: history of %zu operations is not linearizable\n",
	       round, g, n);
	printf("  state at the start of the round (key: [slot handle pref/metric]...):\n");
	print_state(init);
	if (!keep)
		return;
	shrink(init, recs, n, keep);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] && recs[i]->op.kind >= RS_EXACT) {
			lo = recs[i]->inv < lo ? recs[i]->inv : lo;
			hi = recs[i]->res > hi ? recs[i]->res : hi;
		}
	}
	printf("  the reads that cannot all be explained (R), with the writes (W) overlapping them%s:\n",
	       cfg.verbose ? " and all other writes" : "");
	for (size_t i = 0; i < n; i++) {
		const struct rec *r = recs[i];
		bool read = r->op.kind >= RS_EXACT;

		if (!keep[i] || (!cfg.verbose && !read && (r->res < lo || r->inv > hi)))
			continue;
		rs_format(line, sizeof(line), &r->op);
		printf("  %c [%" PRIu64 ", %" PRIu64 "] t%u %s\n", read ? 'R' : 'W', r->inv, r->res,
		       r->thread, line);
	}
	fflush(stdout);
	free(keep);
}

/* Check the round's history of each group; returns the violations found. */
static unsigned
check_round(unsigned round, struct thread *th, unsigned nthreads, const struct rs_state *init,
	    struct totals *tot)
{
	size_t cap = (size_t)nthreads * cfg.ops;
	struct rec **recs = malloc(cap * sizeof(*recs));
	struct lc_call *calls = malloc(cap * sizeof(*calls));
	unsigned violations = 0;

	if (!recs || !calls) {
		fprintf(stderr, "lincheck: out of memory\n");
		exit(2);
	}
	for (unsigned g = 0; g < GROUPS; g++) {
		struct lc_stats st;
		size_t n = 0;
		int rc;

		for (unsigned t = 0; t < nthreads; t++) {
			for (unsigned i = 0; i < cfg.ops; i++) {
				if (th[t].log[i].group == g)
					recs[n++] = &th[t].log[i];
			}
		}
		qsort(recs, n, sizeof(*recs), rec_cmp);
		for (size_t i = 0, last_res = 0; i < n; i++) {
			calls[i] = (struct lc_call){recs[i]->inv, recs[i]->res, &recs[i]->op};
			/* sorted by inv: i overlaps an earlier call or the next one */
			if ((i && recs[last_res]->res > recs[i]->inv) ||
			    (i + 1 < n && recs[i + 1]->inv < recs[i]->res))
				tot->overlapping++;
			if (recs[i]->res > recs[last_res]->res)
				last_res = i;
		}
		rc = lc_check(&rs_spec, NULL, &init[g], calls, n, MAX_STEPS_PER_HISTORY, &st);
		tot->histories++;
		tot->ops += n;
		if (n > tot->max_ops)
			tot->max_ops = n;
		tot->steps += st.steps;
		tot->configs += st.configs;
		if (rc == LC_VIOLATION) {
			violations++;
			if (tot->violations++ < 3)
				report_violation(round, g, &init[g], recs, n);
		} else if (rc == -E2BIG) {
			tot->undecided++;
			printf("round %u group %u: search gave up after %" PRIu64 " steps\n", round,
			       g, st.steps);
		} else if (rc < 0) {
			fprintf(stderr, "lincheck: out of memory in the checker\n");
			exit(2);
		}
	}
	free(recs);
	free(calls);
	return violations;
}

/* ------------------------------------------------------------------------ */
/* Setup and teardown                                                       */

static RTM_ENTITY_HANDLE
register_entity(ULONG proto)
{
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = NULL;
	DWORD rc;

	memset(&info, 0, sizeof(info));
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = proto;
	rc = RtmRegisterEntity(&info, NULL, NULL, FALSE, &prof, &h);
	if (rc != NO_ERROR) {
		fprintf(stderr, "lincheck: RtmRegisterEntity failed: %lu\n", (unsigned long)rc);
		exit(2);
	}
	return h;
}

static void
setup_writer(unsigned w)
{
	writers[w].h = register_entity(0x7100 + w);
	for (unsigned j = 0; j < RS_NEIGHBOURS; j++) {
		RTM_NEXTHOP_INFO nhi;
		RTM_NEXTHOP_CHANGE_FLAGS cf = 0;

		memset(&nhi, 0, sizeof(nhi));
		addr_set(&nhi.NextHopAddress, 0xc0000200u | (w * RS_NEIGHBOURS + j + 1), 32);
		nhi.InterfaceIndex = j + 1;
		writers[w].nh[j] = NULL;
		if (RtmAddNextHop(writers[w].h, &nhi, &writers[w].nh[j], &cf) != NO_ERROR) {
			fprintf(stderr, "lincheck: RtmAddNextHop failed\n");
			exit(2);
		}
	}
}

/* Delete every route, release every handle, deregister; 0 if all went well. */
static unsigned
teardown(struct thread *th, unsigned nthreads)
{
	unsigned bad = 0;

	for (unsigned t = 0; t < nthreads; t++) {
		for (unsigned i = 0; i < th[t].nheld; i++) {
			if (RtmReleaseRoutes(th[t].me, 1, &th[t].held[i].h))
				bad++;
		}
		th[t].nheld = 0;
	}
	for (unsigned g = 0; g < GROUPS; g++) {
		for (unsigned k = 0; k < RS_KEYS; k++) {
			for (unsigned i = 0; i < RS_SLOTS; i++) {
				struct rs_route *r = &shadow[g].r[k][i];
				RTM_ROUTE_HANDLE h = (RTM_ROUTE_HANDLE)(uintptr_t)r->handle;
				RTM_ROUTE_CHANGE_FLAGS f;

				if (h && RtmDeleteRouteToDest(writers[i / RS_NEIGHBOURS].h, h, &f))
					bad++;
				memset(r, 0, sizeof(*r));
			}
		}
	}
	/* Every route is gone: lookups must miss. */
	for (unsigned g = 0; g < GROUPS; g++) {
		RTM_DEST_INFO di;
		RTM_NET_ADDRESS a;

		addr_set(&a, groups[g].probe[RS_KEYS - 1], 32);
		if (RtmGetMostSpecificDestination(th[0].me, &a, RTM_BEST_PROTOCOL,
						  RTM_VIEW_MASK_UCAST, &di) != ERROR_NOT_FOUND)
			bad++;
	}
	for (unsigned w = 0; w < RS_WRITERS; w++) {
		if (RtmReleaseNextHops(writers[w].h, RS_NEIGHBOURS, writers[w].nh))
			bad++;
	}
	for (unsigned t = 0; t < nthreads; t++) {
		if (RtmDeregisterEntity(th[t].me))
			bad++;
	}
	return bad;
}

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "lincheck: bad %s=%s, using %llu\n", name, s,
			(unsigned long long)dflt);
		return dflt;
	}
	return v;
}

static void
parse_args(int argc, char **argv)
{
	unsigned dflt_seconds = 10;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--default-seconds=", 18)) {
			dflt_seconds = (unsigned)strtoul(argv[i] + 18, NULL, 10);
		} else if (!strcmp(argv[i], "--expect-violation")) {
			cfg.expect_violation = true;
		} else {
			fprintf(stderr,
				"usage: %s [--default-seconds=N] [--expect-violation]\n"
				"env: RTM_TORTURE_SECONDS RTM_TORTURE_SEED RTM_LINCHECK_READERS "
				"RTM_LINCHECK_OPS RTM_LINCHECK_SPARSE RTM_LINCHECK_VERBOSE\n",
				argv[0]);
			exit(2);
		}
	}
	cfg.seconds = (unsigned)env_u64("RTM_TORTURE_SECONDS", dflt_seconds);
	cfg.seed = env_u64("RTM_TORTURE_SEED", now_ns());
	cfg.readers = (unsigned)env_u64("RTM_LINCHECK_READERS", 4);
	cfg.ops = (unsigned)env_u64("RTM_LINCHECK_OPS", 100);
	cfg.verbose = env_u64("RTM_LINCHECK_VERBOSE", 0) != 0;
	cfg.sparse = env_u64("RTM_LINCHECK_SPARSE", 1) != 0;
	if (cfg.readers < 1)
		cfg.readers = 1;
	if (cfg.readers > READERS_MAX)
		cfg.readers = READERS_MAX;
	if (cfg.ops < 1)
		cfg.ops = 1;
	if (cfg.ops > 2000)
		cfg.ops = 2000;
}

int
main(int argc, char **argv)
{
	unsigned nthreads, round = 0, errors = 0;
	struct thread *th;
	struct totals tot = {0};
	struct rs_state init[GROUPS];
	uint64_t start, elapsed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	nthreads = RS_WRITERS + cfg.readers;
	printf("lin-torture: seed %" PRIu64 " (RTM_TORTURE_SEED), %u s, %u writers, %u readers, "
	       "%u ops per thread per round%s\n",
	       cfg.seed, cfg.seconds, RS_WRITERS, cfg.readers, cfg.ops,
	       cfg.expect_violation ? ", expecting a violation" : "");

	th = calloc(nthreads, sizeof(*th));
	if (!th)
		return 2;
	for (unsigned w = 0; w < RS_WRITERS; w++)
		setup_writer(w);
	for (unsigned t = 0; t < nthreads; t++) {
		th[t].index = t;
		th[t].is_writer = t < RS_WRITERS;
		th[t].w = t;
		th[t].me = th[t].is_writer ? writers[t].h : register_entity(0x7200 + t);
		th[t].rng.s = cfg.seed ^ (0x51ed27ull * (t + 1));
		th[t].log = calloc(cfg.ops, sizeof(*th[t].log));
		if (!th[t].log)
			return 2;
	}
	pthread_barrier_init(&round_start, NULL, nthreads + 1);
	pthread_barrier_init(&round_end, NULL, nthreads + 1);
	for (unsigned t = 0; t < nthreads; t++) {
		if (pthread_create(&th[t].tid, NULL, thread_main, &th[t])) {
			fprintf(stderr, "lincheck: pthread_create failed\n");
			return 2;
		}
	}

	start = now_ns();
	do {
		memcpy(init, shadow, sizeof(init));
		sparse_round = cfg.sparse && round % 2;
		pthread_barrier_wait(&round_start);
		pthread_barrier_wait(&round_end);
		check_round(round, th, nthreads, init, &tot);
		round++;
		elapsed = now_ns() - start;
	} while (elapsed < cfg.seconds * 1000000000ull &&
		 !(cfg.expect_violation && tot.violations));
	stop = true;
	pthread_barrier_wait(&round_start);
	for (unsigned t = 0; t < nthreads; t++) {
		pthread_join(th[t].tid, NULL);
		errors += th[t].errors;
	}
	errors += teardown(th, nthreads);

	printf("lincheck: %" PRIu64 " histories checked (%u rounds x %u groups), %" PRIu64
	       " operations (%.0f%% concurrent with another), %.0f per history (max %" PRIu64 "), %" PRIu64
	       " search steps, %" PRIu64 " configurations, %.1f s, %" PRIu64
	       " undecided, %u call errors, %" PRIu64 " violations\n",
	       tot.histories, round, GROUPS, tot.ops,
	       tot.ops ? 100.0 * (double)tot.overlapping / (double)tot.ops : 0.0,
	       tot.histories ? (double)tot.ops / (double)tot.histories : 0.0, tot.max_ops,
	       tot.steps, tot.configs, (double)elapsed / 1e9, tot.undecided, errors,
	       tot.violations);
	for (unsigned t = 0; t < nthreads; t++)
		free(th[t].log);
	free(th);
	if (cfg.expect_violation)
		return tot.violations ? 0 : 1;
	return tot.violations || errors || tot.undecided ? 1 : 0;
}
