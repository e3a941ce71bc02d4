/*
 * rtm-notifybench - what change notification and route aging cost on a full table.
 *
 * Every figure comes from loading the bundled IPv4 full table (or the first
 * 200,000 prefixes with -q) through RtmAddRouteToDest, in file order, with
 * one owner entity and one next hop (BelongsToViews = UCAST):
 *
 * 1. Change notification.  Three kinds of run, alternated and repeated:
 *      baseline  - no registration at all;
 *      consumer  - a second entity registered for BEST changes in UCAST; its
 *                  event callback (on the library's thread) only bumps a C11
 *                  atomic and wakes a consumer thread through a futex, and
 *                  the consumer drains with RtmGetChangedDests /
 *                  RtmReleaseChangedDests until ERROR_NO_MORE_ITEMS;
 *      pure drain - registered, nobody drains during the load; afterwards one
 *                  thread drains the whole queue, timed.
 *    Every new destination is a BEST change, so the consumer must receive
 *    exactly one entry per prefix; anything else is reported as an error.
 * 2. TTL timers.  Load with TimeToLive = 1 hour versus INFINITE (extra time
 *    and heap per route), re-add every route through its handle (the update
 *    path, which restarts the timer), then delete every route (which cancels
 *    it).  Then a firing test on the first 200,000 prefixes with no owner
 *    callback: a TTL of 1000 ms per route, and a variant where every route
 *    gets the same absolute deadline; a sample of the prefixes is polled
 *    with RtmGetExactMatchDestination until none is found any more.
 *
 * Output: three sections (notification, timer cost, timers firing), each a
 * table of median, min and max over the repetitions.
 *
 * Usage: rtm-notifybench [-r REPS] [-q] [IPV4_FILE]
 * Nothing is random: prefixes are used in file order and samples are evenly
 * spaced, so two runs do the same work.  Exit status: 0 if every API call
 * behaved as expected and every check passed, 1 otherwise, 2 on bad usage.
 */
#define _GNU_SOURCE 1

#include <rtmv2.h>

#include "prefix_list.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RTM_DATA_DIR
#define RTM_DATA_DIR "tests/data/fulltable"
#endif

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#define HAVE_MALLINFO2 1
#endif

#define MAX_REPS 32
#define QUICK_PREFIXES 200000u
#define FIRE_PREFIXES 200000u
#define FIRE_TTL_MS 1000u
#define LONG_TTL_MS 3600000u   /* one hour: never fires during a run */
#define FIRE_SAMPLES 1000u
#define STALL_TIMEOUT_S 10.0   /* no drain progress for this long = lost notifications */
#define EXPIRY_TIMEOUT_S 30.0  /* routes still present this long after their deadline */

/* ------------------------------------------------------------------------- */
/* Small helpers                                                             */

static int failures;   /* unexpected API results and failed checks */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
	if (s <= 0)
		return;
	struct timespec ts;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void fail(const char *what, DWORD rc)
{
	failures++;
	fprintf(stderr, "rtm-notifybench: %s: error %lu\n", what, (unsigned long)rc);
}

static bool check(DWORD rc, const char *what)
{
	if (rc == NO_ERROR)
		return true;
	fail(what, rc);
	return false;
}

static int64_t heap_in_use(void)
{
#ifdef HAVE_MALLINFO2
	struct mallinfo2 mi = mallinfo2();
	return (int64_t)mi.uordblks;
#else
	return -1;
#endif
}

/*
 * Waits until the heap in use stops moving (memory the library frees after a
 * grace period, on its own threads, has been given back), then returns it.
 */
static int64_t heap_settle(void)
{
	malloc_trim(0);
	int64_t prev = heap_in_use();
	int stable = 0;
	for (int i = 0; i < 100 && stable < 2; i++) {
		sleep_s(0.03);
		int64_t cur = heap_in_use();
		stable = cur == prev ? stable + 1 : 0;
		prev = cur;
	}
	return prev;
}

static void human_rate(double v, char *buf, size_t len)
{
	if (v >= 1e6)
		snprintf(buf, len, "%.2f M", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1f k", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* A series of per-repetition values. */
struct series {
	double v[MAX_REPS];
	int n;
};

static void s_add(struct series *s, double x)
{
	if (s->n < MAX_REPS)
		s->v[s->n++] = x;
}

static double s_median(const struct series *s)
{
	if (s->n == 0)
		return 0;
	double t[MAX_REPS];
	memcpy(t, s->v, (size_t)s->n * sizeof t[0]);
	qsort(t, (size_t)s->n, sizeof t[0], cmp_double);
	return s->n % 2 ? t[s->n / 2] : 0.5 * (t[s->n / 2 - 1] + t[s->n / 2]);
}

static double s_min(const struct series *s)
{
	double m = s->n ? s->v[0] : 0;
	for (int i = 1; i < s->n; i++)
		if (s->v[i] < m)
			m = s->v[i];
	return m;
}

static double s_max(const struct series *s)
{
	double m = s->n ? s->v[0] : 0;
	for (int i = 1; i < s->n; i++)
		if (s->v[i] > m)
			m = s->v[i];
	return m;
}

/* How a row's values are shown. */
enum fmt { F_SEC, F_MS, F_RATE, F_RATIO, F_NS, F_BYTES, F_COUNT };

static void fmt_value(double v, enum fmt f, char *buf, size_t len)
{
	char r[24];
	switch (f) {
	case F_SEC:
		snprintf(buf, len, "%.3f s", v);
		break;
	case F_MS:
		snprintf(buf, len, "%.1f ms", v * 1e3);
		break;
	case F_RATE:
		human_rate(v, r, sizeof r);
		snprintf(buf, len, "%s/s", r);
		break;
	case F_RATIO:
		snprintf(buf, len, "%.3fx", v);
		break;
	case F_NS:
		snprintf(buf, len, "%.0f ns", v);
		break;
	case F_BYTES:
		snprintf(buf, len, "%.1f B", v);
		break;
	case F_COUNT:
		snprintf(buf, len, "%.0f", v);
		break;
	}
}

#define ROW_FMT "  %-54s %13s %13s %13s\n"

static void row(const char *label, const struct series *s, enum fmt f)
{
	char a[48], b[48], c[48];
	if (s->n == 0) {
		printf(ROW_FMT, label, "n/a", "", "");
		return;
	}
	fmt_value(s_median(s), f, a, sizeof a);
	fmt_value(s_min(s), f, b, sizeof b);
	fmt_value(s_max(s), f, c, sizeof c);
	if (s->n == 1)
		printf(ROW_FMT, label, a, "", "");
	else
		printf(ROW_FMT, label, a, b, c);
}

/* A single derived figure (no range). */
static void row1(const char *label, double v, enum fmt f)
{
	char a[48];
	fmt_value(v, f, a, sizeof a);
	printf(ROW_FMT, label, a, "", "");
}

static void row_head(const char *title)
{
	printf("\n%s\n", title);
	printf(ROW_FMT, "", "median", "min", "max");
}

/* ------------------------------------------------------------------------- */
/* The owner entity: one next hop, loads and deletes                         */

struct owner {
	RTM_ENTITY_HANDLE h;
	RTM_NEXTHOP_HANDLE nh;
	RTM_REGN_PROFILE prof;
	RTM_ROUTE_INFO *ri;   /* room for one next hop */
};

static bool owner_open(struct owner *o)
{
	RTM_ENTITY_INFO ei;
	memset(&ei, 0, sizeof ei);
	ei.AddressFamily = AF_INET;
	ei.EntityId.EntityProtocolId = PROTO_IP_BGP;
	ei.EntityId.EntityInstanceId = 1;
	o->h = NULL;
	o->nh = NULL;
	if (!check(RtmRegisterEntity(&ei, NULL, NULL, FALSE, &o->prof, &o->h),
		   "RtmRegisterEntity(owner)"))
		return false;
	RTM_NEXTHOP_INFO nhi;
	memset(&nhi, 0, sizeof nhi);
	nhi.NextHopAddress.AddressFamily = AF_INET;
	nhi.NextHopAddress.NumBits = 32;
	nhi.NextHopAddress.AddrBits[0] = 192;
	nhi.NextHopAddress.AddrBits[1] = 0;
	nhi.NextHopAddress.AddrBits[2] = 2;
	nhi.NextHopAddress.AddrBits[3] = 1;
	nhi.InterfaceIndex = 1;
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;
	if (!check(RtmAddNextHop(o->h, &nhi, &o->nh, &nf), "RtmAddNextHop")) {
		check(RtmDeregisterEntity(o->h), "RtmDeregisterEntity(owner)");
		return false;
	}
	return true;
}

static void owner_close(struct owner *o)
{
	check(RtmReleaseNextHops(o->h, 1, &o->nh), "RtmReleaseNextHops");
	check(RtmDeregisterEntity(o->h), "RtmDeregisterEntity(owner)");
	o->h = NULL;
	o->nh = NULL;
}

static void fill_route(struct owner *o)
{
	RTM_ROUTE_INFO *ri = o->ri;
	ri->Neighbour = o->nh;
	ri->Flags = RTM_ROUTE_FLAGS_REMOTE;
	ri->PrefInfo.Preference = 20;
	ri->PrefInfo.Metric = 1;
	ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri->NextHopsList.NumNextHops = 1;
	ri->NextHopsList.NextHops[0] = o->nh;
}

/* Counts failed adds, printing the first few.  Returns true if none failed. */
static bool add_failed(DWORD rc, size_t i, size_t *errors)
{
	if (rc == NO_ERROR)
		return false;
	if ((*errors)++ < 5)
		fprintf(stderr, "rtm-notifybench: RtmAddRouteToDest #%zu: error %lu\n", i,
			(unsigned long)rc);
	return true;
}

/*
 * Adds pfx[0..n-1] with the given TTL; with `handles`, keeps each route's
 * handle there (one reference each).  Returns the elapsed seconds.
 */
static double load(struct owner *o, const RTM_NET_ADDRESS *pfx, size_t n, ULONG ttl,
		   RTM_ROUTE_HANDLE *handles)
{
	size_t errors = 0;
	double t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		fill_route(o);
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		DWORD rc;
		if (handles) {
			handles[i] = NULL;
			rc = RtmAddRouteToDest(o->h, &handles[i], (PRTM_NET_ADDRESS)&pfx[i], o->ri, ttl,
					       NULL, 0, NULL, &cf);
		} else {
			rc = RtmAddRouteToDest(o->h, NULL, (PRTM_NET_ADDRESS)&pfx[i], o->ri, ttl, NULL,
					       0, NULL, &cf);
		}
		add_failed(rc, i, &errors);
	}
	double dt = now_s() - t0;
	if (errors) {
		failures++;
		fprintf(stderr, "rtm-notifybench: %zu of %zu adds failed\n", errors, n);
	}
	return dt;
}

/* Updates every route through its handle, restarting its TTL.  Returns seconds. */
static double readd(struct owner *o, const RTM_NET_ADDRESS *pfx, size_t n, ULONG ttl,
		    RTM_ROUTE_HANDLE *handles)
{
	size_t errors = 0, not_updates = 0;
	double t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		fill_route(o);
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		DWORD rc = RtmAddRouteToDest(o->h, &handles[i], (PRTM_NET_ADDRESS)&pfx[i], o->ri, ttl,
					     NULL, 0, NULL, &cf);
		if (!add_failed(rc, i, &errors) && (cf & RTM_ROUTE_CHANGE_NEW))
			not_updates++;
	}
	double dt = now_s() - t0;
	if (errors || not_updates) {
		failures++;
		fprintf(stderr, "rtm-notifybench: re-add: %zu errors, %zu created a new route\n",
			errors, not_updates);
	}
	return dt;
}

/* Deletes every route through its handle (consuming the reference).  Returns seconds. */
static double delete_all(struct owner *o, RTM_ROUTE_HANDLE *handles, size_t n)
{
	size_t errors = 0;
	double t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		DWORD rc = RtmDeleteRouteToDest(o->h, handles[i], &cf);
		if (rc != NO_ERROR && errors++ < 5)
			fprintf(stderr, "rtm-notifybench: RtmDeleteRouteToDest #%zu: error %lu\n", i,
				(unsigned long)rc);
		handles[i] = NULL;
	}
	double dt = now_s() - t0;
	if (errors) {
		failures++;
		fprintf(stderr, "rtm-notifybench: %zu of %zu deletes failed\n", errors, n);
	}
	return dt;
}

/* Is pfx an exact-match destination in UCAST?  Counts unexpected results as failures. */
static bool present(struct owner *o, const RTM_NET_ADDRESS *pfx, RTM_DEST_INFO *di)
{
	DWORD rc = RtmGetExactMatchDestination(o->h, (PRTM_NET_ADDRESS)pfx, RTM_BEST_PROTOCOL,
					       RTM_VIEW_MASK_UCAST, di);
	if (rc == NO_ERROR) {
		check(RtmReleaseDestInfo(o->h, di), "RtmReleaseDestInfo");
		return true;
	}
	if (rc != ERROR_NOT_FOUND)
		fail("RtmGetExactMatchDestination", rc);
	return false;
}

/* Index of sample k of s evenly spaced over 0..n-1 (first and last included). */
static size_t sample_index(size_t k, size_t s, size_t n)
{
	if (s <= 1 || n <= 1)
		return 0;
	return (size_t)((uint64_t)k * (uint64_t)(n - 1) / (uint64_t)(s - 1));
}

/* ------------------------------------------------------------------------- */
/* The listening entity and its consumer thread                               */

struct listener {
	RTM_ENTITY_HANDLE h;
	RTM_NOTIFY_HANDLE nt;
	RTM_REGN_PROFILE prof;
	UINT max;                  /* MaxHandlesInEnum */
	size_t stride;             /* RTM_SIZE_OF_DEST_INFO(NumberOfViews) */
	unsigned char *buf;        /* max * stride bytes, used by one thread at a time */
	_Atomic uint32_t seq;      /* bumped by the callback: the futex word */
	_Atomic bool stop;
	_Atomic uint64_t callbacks, drained, batches, bad_items, errors;
	_Atomic uint64_t last_ns;  /* CLOCK_MONOTONIC when the latest item was drained */
	pthread_t thread;
	bool running;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void futex_wait(_Atomic uint32_t *word, uint32_t expected)
{
	/* _Atomic uint32_t has the size and alignment of uint32_t on Linux targets. */
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Runs on the library's thread: note the event and wake the consumer, nothing else. */
static DWORD WINAPI listener_callback(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE ev, PVOID ctx1,
				      PVOID ctx2)
{
	(void)h;
	(void)ctx1;
	if (ev == RTM_CHANGE_NOTIFICATION && ctx2) {
		struct listener *l = ctx2;
		atomic_fetch_add_explicit(&l->callbacks, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&l->seq, 1, memory_order_release);
		futex_wake(&l->seq);
	}
	return NO_ERROR;
}

/*
 * Drains the registration until ERROR_NO_MORE_ITEMS (whose batch may still
 * carry items).  Returns the number of destinations taken.
 */
static uint64_t drain(struct listener *l)
{
	uint64_t got = 0;
	for (;;) {
		UINT num = l->max;
		DWORD rc = RtmGetChangedDests(l->h, l->nt, &num, (PRTM_DEST_INFO)l->buf);
		if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) {
			atomic_fetch_add(&l->errors, 1);
			fail("RtmGetChangedDests", rc);
			break;
		}
		if (num > l->max || (rc == NO_ERROR && num == 0)) {
			atomic_fetch_add(&l->errors, 1);
			failures++;
			fprintf(stderr, "rtm-notifybench: RtmGetChangedDests: status %lu with %u items "
				"(capacity %u)\n", (unsigned long)rc, num, l->max);
			break;
		}
		if (num) {
			uint64_t bad = 0;
			for (UINT i = 0; i < num; i++) {
				const RTM_DEST_INFO *di = (const RTM_DEST_INFO *)(l->buf + i * l->stride);
				/* During a load every change is a new best route in UCAST. */
				if (!di->DestHandle || di->NumberOfViews != 1 ||
				    di->ViewInfo[0].ViewId != RTM_VIEW_ID_UCAST || !di->ViewInfo[0].Route)
					bad++;
			}
			if (bad)
				atomic_fetch_add(&l->bad_items, bad);
			DWORD r2 = RtmReleaseChangedDests(l->h, l->nt, num, (PRTM_DEST_INFO)l->buf);
			if (r2 != NO_ERROR) {
				atomic_fetch_add(&l->errors, 1);
				fail("RtmReleaseChangedDests", r2);
			}
			got += num;
			atomic_fetch_add_explicit(&l->batches, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&l->drained, num, memory_order_relaxed);
			atomic_store_explicit(&l->last_ns, now_ns(), memory_order_relaxed);
		}
		if (rc == ERROR_NO_MORE_ITEMS)
			break;
	}
	return got;
}

static void *consumer_main(void *arg)
{
	struct listener *l = arg;
	for (;;) {
		uint32_t s = atomic_load_explicit(&l->seq, memory_order_acquire);
		if (atomic_load(&l->stop))
			break;
		drain(l);
		/* A callback after `s` was read changed the word: no wakeup is lost. */
		futex_wait(&l->seq, s);
	}
	return NULL;
}

static void listener_reset_counts(struct listener *l)
{
	atomic_store(&l->seq, 0);
	atomic_store(&l->stop, false);
	atomic_store(&l->callbacks, 0);
	atomic_store(&l->drained, 0);
	atomic_store(&l->batches, 0);
	atomic_store(&l->bad_items, 0);
	atomic_store(&l->errors, 0);
	atomic_store(&l->last_ns, 0);
}

/* Registers the listening entity and its BEST/UCAST registration; optionally starts the consumer. */
static bool listener_open(struct listener *l, bool consumer)
{
	RTM_ENTITY_INFO ei;
	memset(&ei, 0, sizeof ei);
	ei.AddressFamily = AF_INET;
	ei.EntityId.EntityProtocolId = PROTO_IP_OSPF;
	ei.EntityId.EntityInstanceId = 1;
	l->h = NULL;
	l->nt = NULL;
	l->running = false;
	listener_reset_counts(l);
	if (!check(RtmRegisterEntity(&ei, NULL, listener_callback, FALSE, &l->prof, &l->h),
		   "RtmRegisterEntity(listener)"))
		return false;
	if (!l->buf) {
		l->max = l->prof.MaxHandlesInEnum;
		l->stride = RTM_SIZE_OF_DEST_INFO(l->prof.NumberOfViews);
		l->buf = calloc(l->max ? l->max : 1, l->stride);
		if (!l->buf) {
			fprintf(stderr, "rtm-notifybench: out of memory\n");
			failures++;
			check(RtmDeregisterEntity(l->h), "RtmDeregisterEntity(listener)");
			return false;
		}
	}
	if (!check(RtmRegisterForChangeNotification(l->h, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST,
						    l, &l->nt),
		   "RtmRegisterForChangeNotification")) {
		check(RtmDeregisterEntity(l->h), "RtmDeregisterEntity(listener)");
		return false;
	}
	if (consumer) {
		if (pthread_create(&l->thread, NULL, consumer_main, l) != 0) {
			fprintf(stderr, "rtm-notifybench: pthread_create failed\n");
			failures++;
			check(RtmDeregisterFromChangeNotification(l->h, l->nt),
			      "RtmDeregisterFromChangeNotification");
			check(RtmDeregisterEntity(l->h), "RtmDeregisterEntity(listener)");
			return false;
		}
		l->running = true;
	}
	return true;
}

static void listener_stop_consumer(struct listener *l)
{
	if (!l->running)
		return;
	atomic_store(&l->stop, true);
	atomic_fetch_add_explicit(&l->seq, 1, memory_order_release);
	futex_wake(&l->seq);
	pthread_join(l->thread, NULL);
	l->running = false;
}

static void listener_close(struct listener *l)
{
	listener_stop_consumer(l);
	check(RtmDeregisterFromChangeNotification(l->h, l->nt), "RtmDeregisterFromChangeNotification");
	check(RtmDeregisterEntity(l->h), "RtmDeregisterEntity(listener)");
	l->h = NULL;
	l->nt = NULL;
}

/* ------------------------------------------------------------------------- */
/* Part 1: change notification                                                */

struct notify_results {
	struct series base_s, base_rate;
	struct series cons_s, cons_rate, ratio, cons_last_s, cons_lag_s, callbacks, batches;
	struct series idle_s, idle_rate, pure_s, pure_rate;
	uint64_t drained_min, drained_max;   /* consumer runs, over all repetitions */
	bool all_drained;
};

static bool run_baseline(const RTM_NET_ADDRESS *pfx, size_t n, struct owner *o, double *secs)
{
	if (!owner_open(o))
		return false;
	*secs = load(o, pfx, n, INFINITE, NULL);
	owner_close(o);
	heap_settle();
	return true;
}

/* Load with the consumer draining.  Fills the consumer series of one repetition. */
static bool run_consumer(const RTM_NET_ADDRESS *pfx, size_t n, struct owner *o,
			 struct listener *l, struct notify_results *r, double base_s)
{
	if (!listener_open(l, true))
		return false;
	if (!owner_open(o)) {
		listener_close(l);
		return false;
	}
	uint64_t t0 = now_ns();
	double secs = load(o, pfx, n, INFINITE, NULL);
	/* Wait for the consumer to catch up, or to stop making progress. */
	uint64_t seen = atomic_load(&l->drained);
	double last_progress = now_s();
	while (seen < n) {
		sleep_s(0.001);
		uint64_t cur = atomic_load(&l->drained);
		if (cur != seen) {
			seen = cur;
			last_progress = now_s();
		} else if (now_s() - last_progress > STALL_TIMEOUT_S) {
			break;
		}
	}
	uint64_t last = atomic_load(&l->last_ns);
	listener_stop_consumer(l);
	uint64_t by_consumer = atomic_load(&l->drained);
	/* Whatever is still queued (nothing, if the library signalled every time). */
	uint64_t leftover = drain(l);
	uint64_t total = by_consumer + leftover;

	s_add(&r->cons_s, secs);
	s_add(&r->cons_rate, (double)n / secs);
	s_add(&r->ratio, secs / base_s);
	double last_s = last > t0 ? (double)(last - t0) * 1e-9 : 0;
	s_add(&r->cons_last_s, last_s);
	s_add(&r->cons_lag_s, last_s > secs ? last_s - secs : 0);
	s_add(&r->callbacks, (double)atomic_load(&l->callbacks));
	s_add(&r->batches, (double)atomic_load(&l->batches));
	if (r->drained_min == 0 || total < r->drained_min)
		r->drained_min = total;
	if (total > r->drained_max)
		r->drained_max = total;
	if (by_consumer != n || leftover != 0 || atomic_load(&l->bad_items) != 0) {
		r->all_drained = false;
		failures++;
		fprintf(stderr,
			"rtm-notifybench: ERROR: the consumer drained %" PRIu64 " of %zu changed "
			"destinations (%" PRIu64 " callbacks, %" PRIu64 " batches); a final drain after "
			"stopping it found %" PRIu64 " more%s; %" PRIu64 " items had no UCAST best route\n",
			by_consumer, n, atomic_load(&l->callbacks), atomic_load(&l->batches), leftover,
			leftover && by_consumer < n ? " (queued but never signalled?)" : "",
			atomic_load(&l->bad_items));
	}
	listener_close(l);
	owner_close(o);
	heap_settle();
	return true;
}

/* Load with the registration but no consumer, then drain everything from this thread. */
static bool run_pure_drain(const RTM_NET_ADDRESS *pfx, size_t n, struct owner *o,
			   struct listener *l, struct notify_results *r)
{
	if (!listener_open(l, false))
		return false;
	if (!owner_open(o)) {
		listener_close(l);
		return false;
	}
	double secs = load(o, pfx, n, INFINITE, NULL);
	double t0 = now_s();
	uint64_t got = drain(l);
	double dt = now_s() - t0;
	uint64_t again = drain(l);   /* must be empty now */
	s_add(&r->idle_s, secs);
	s_add(&r->idle_rate, (double)n / secs);
	s_add(&r->pure_s, dt);
	s_add(&r->pure_rate, dt > 0 ? (double)got / dt : 0);
	if (got != n || again != 0 || atomic_load(&l->bad_items) != 0) {
		failures++;
		fprintf(stderr,
			"rtm-notifybench: ERROR: pure drain got %" PRIu64 " of %zu changed destinations "
			"(then %" PRIu64 " more; %" PRIu64 " items without a UCAST best route)\n",
			got, n, again, atomic_load(&l->bad_items));
	}
	listener_close(l);
	owner_close(o);
	heap_settle();
	return true;
}

static bool part_notify(const RTM_NET_ADDRESS *pfx, size_t n, int reps, struct owner *o,
			struct listener *l)
{
	struct notify_results r;
	memset(&r, 0, sizeof r);
	r.all_drained = true;
	printf("\n1. Change notification (BEST, UCAST) while loading %zu routes\n", n);
	printf("   runs: ");
	fflush(stdout);
	for (int rep = 0; rep < reps; rep++) {
		double base_s = 0;
		if (!run_baseline(pfx, n, o, &base_s))
			return false;
		s_add(&r.base_s, base_s);
		s_add(&r.base_rate, (double)n / base_s);
		printf("base %.2fs ", base_s);
		fflush(stdout);
		if (!run_consumer(pfx, n, o, l, &r, base_s))
			return false;
		printf("consumer %.2fs ", r.cons_s.v[r.cons_s.n - 1]);
		fflush(stdout);
		if (!run_pure_drain(pfx, n, o, l, &r))
			return false;
		printf("idle %.2fs+drain %.2fs%s", r.idle_s.v[r.idle_s.n - 1],
		       r.pure_s.v[r.pure_s.n - 1], rep + 1 < reps ? " | " : "\n");
		fflush(stdout);
	}

	row_head("   load without any registration (baseline)");
	row("load time", &r.base_s, F_SEC);
	row("routes/s", &r.base_rate, F_RATE);
	row_head("   load with the registration and the consumer draining");
	row("load time", &r.cons_s, F_SEC);
	row("routes/s", &r.cons_rate, F_RATE);
	row("overhead ratio (load time / baseline of the same rep.)", &r.ratio, F_RATIO);
	row1("overhead ratio (median / median)", s_median(&r.cons_s) / s_median(&r.base_s), F_RATIO);
	row("last destination drained, from load start", &r.cons_last_s, F_SEC);
	row("  ... of which after the load ended", &r.cons_lag_s, F_MS);
	row("change callbacks (consumer wake-ups) per run", &r.callbacks, F_COUNT);
	row("RtmGetChangedDests batches with items per run", &r.batches, F_COUNT);
	char dr[96];
	if (r.drained_min == r.drained_max)
		snprintf(dr, sizeof dr, "%" PRIu64 " of %zu", r.drained_min, n);
	else
		snprintf(dr, sizeof dr, "%" PRIu64 "..%" PRIu64 " of %zu", r.drained_min, r.drained_max, n);
	printf("  %-54s %13s  %s\n", "destinations drained per run", dr,
	       r.all_drained ? "(all, every run)" : "(MISSING OR EXTRA: ERROR)");
	row_head("   registration, nobody draining during the load; then one thread drains");
	row("load time", &r.idle_s, F_SEC);
	row("routes/s", &r.idle_rate, F_RATE);
	row1("load time ratio to baseline (median / median)",
	     s_median(&r.idle_s) / s_median(&r.base_s), F_RATIO);
	row("pure drain of the whole queue", &r.pure_s, F_SEC);
	row("drain rate (changed destinations/s)", &r.pure_rate, F_RATE);
	return true;
}

/* ------------------------------------------------------------------------- */
/* Part 2: TTL timers                                                         */

struct ttl_results {
	struct series load_s, heap_b, readd_s, del_s;
};

/* Load, re-add and delete everything with one TTL.  Records one repetition. */
static bool run_ttl(const RTM_NET_ADDRESS *pfx, size_t n, ULONG ttl, struct owner *o,
		    RTM_ROUTE_HANDLE *handles, RTM_DEST_INFO *di, struct ttl_results *r)
{
	if (!owner_open(o))
		return false;
	int64_t heap0 = heap_settle();
	double ls = load(o, pfx, n, ttl, handles);
	int64_t heap1 = heap_in_use();
	double rs = readd(o, pfx, n, ttl, handles);
	double ds = delete_all(o, handles, n);
	/* Nothing may be left: check a sample. */
	size_t left = 0;
	for (size_t k = 0; k < FIRE_SAMPLES; k++)
		left += present(o, &pfx[sample_index(k, FIRE_SAMPLES, n)], di);
	if (left) {
		failures++;
		fprintf(stderr, "rtm-notifybench: ERROR: %zu of %u sampled destinations still present "
			"after deleting every route\n", left, FIRE_SAMPLES);
	}
	owner_close(o);
	heap_settle();
	s_add(&r->load_s, ls);
	if (heap0 > 0 && heap1 > 0)
		s_add(&r->heap_b, (double)(heap1 - heap0) / (double)n);
	s_add(&r->readd_s, rs);
	s_add(&r->del_s, ds);
	return true;
}

/* Per-route difference of two medians, in ns. */
static double per_route_ns(const struct series *a, const struct series *b, size_t n)
{
	return (s_median(a) - s_median(b)) * 1e9 / (double)n;
}

/* Per-route figures of a series of totals, in ns. */
static struct series per_route(const struct series *s, size_t n, double scale)
{
	struct series out = { .n = 0 };
	for (int i = 0; i < s->n; i++)
		s_add(&out, s->v[i] * scale / (double)n);
	return out;
}

static bool part_ttl(const RTM_NET_ADDRESS *pfx, size_t n, int reps, struct owner *o,
		     RTM_ROUTE_HANDLE *handles, RTM_DEST_INFO *di)
{
	struct ttl_results inf, ttl;
	memset(&inf, 0, sizeof inf);
	memset(&ttl, 0, sizeof ttl);
	printf("\n2. TTL timers: %zu routes with TimeToLive %u ms (never fires here) vs INFINITE\n",
	       n, LONG_TTL_MS);
	printf("   (loads keep every route handle for the re-add and the delete)\n");
	printf("   runs: ");
	fflush(stdout);
	for (int rep = 0; rep < reps; rep++) {
		/* Alternate which kind goes first, so neither always inherits the other's heap. */
		for (int k = 0; k < 2; k++) {
			bool with_ttl = (k == 1) != (rep % 2 == 1);
			if (!run_ttl(pfx, n, with_ttl ? LONG_TTL_MS : INFINITE, o, handles, di,
				     with_ttl ? &ttl : &inf))
				return false;
		}
		printf("inf %.2f/%.2f/%.2fs ttl %.2f/%.2f/%.2fs%s", inf.load_s.v[rep], inf.readd_s.v[rep],
		       inf.del_s.v[rep], ttl.load_s.v[rep], ttl.readd_s.v[rep], ttl.del_s.v[rep],
		       rep + 1 < reps ? " | " : "\n");
		fflush(stdout);
	}
	struct series a, b;
	row_head("   load (RtmAddRouteToDest, new routes)");
	row("INFINITE: load time", &inf.load_s, F_SEC);
	a = per_route(&inf.load_s, n, 1e9);
	row("INFINITE: per route", &a, F_NS);
	row("TTL 1 h: load time", &ttl.load_s, F_SEC);
	b = per_route(&ttl.load_s, n, 1e9);
	row("TTL 1 h: per route", &b, F_NS);
	row1("extra per route for arming the timer", per_route_ns(&ttl.load_s, &inf.load_s, n), F_NS);
	if (inf.heap_b.n && ttl.heap_b.n) {
		row("INFINITE: heap per route (mallinfo2 delta)", &inf.heap_b, F_BYTES);
		row("TTL 1 h: heap per route (mallinfo2 delta)", &ttl.heap_b, F_BYTES);
		row1("extra heap per route with a timer", s_median(&ttl.heap_b) - s_median(&inf.heap_b),
		     F_BYTES);
	} else {
		printf(ROW_FMT, "heap per route (mallinfo2)", "n/a", "", "");
	}
	row_head("   re-add every route through its handle (update path, TTL restarted)");
	row("INFINITE: time", &inf.readd_s, F_SEC);
	a = per_route(&inf.readd_s, n, 1e9);
	row("INFINITE: per route", &a, F_NS);
	row("TTL 1 h: time (timer cancelled and re-armed)", &ttl.readd_s, F_SEC);
	b = per_route(&ttl.readd_s, n, 1e9);
	row("TTL 1 h: per route", &b, F_NS);
	row1("extra per route for restarting the timer", per_route_ns(&ttl.readd_s, &inf.readd_s, n),
	     F_NS);
	row_head("   delete every route (RtmDeleteRouteToDest)");
	row("INFINITE: time", &inf.del_s, F_SEC);
	a = per_route(&inf.del_s, n, 1e9);
	row("INFINITE: per route", &a, F_NS);
	row("TTL 1 h: time (timer cancelled)", &ttl.del_s, F_SEC);
	b = per_route(&ttl.del_s, n, 1e9);
	row("TTL 1 h: per route", &b, F_NS);
	row1("extra per route for cancelling the timer", per_route_ns(&ttl.del_s, &inf.del_s, n), F_NS);
	return true;
}

/* ------------------------------------------------------------------------- */
/* Part 2b: timers firing                                                     */

struct fire_results {
	struct series load_s, lag_med, lag_max, lag_min, after_last, rate;   /* fixed TTL */
	struct series b_load_s, b_first, b_all, b_rate;                      /* common deadline */
};

/*
 * Polls the sampled prefixes until each is gone, noting when (gone[k]).
 * Returns false on timeout (some still present at `until`).
 */
static bool poll_samples(struct owner *o, const RTM_NET_ADDRESS *pfx, const size_t *idx, size_t s,
			 double *gone, double until, RTM_DEST_INFO *di)
{
	size_t left = s;
	for (size_t k = 0; k < s; k++)
		gone[k] = -1;
	while (left) {
		for (size_t k = 0; k < s; k++) {
			if (gone[k] >= 0)
				continue;
			if (!present(o, &pfx[idx[k]], di)) {
				gone[k] = now_s();
				left--;
			}
		}
		if (!left)
			break;
		if (now_s() > until)
			return false;
		sleep_s(0.0005);
	}
	return true;
}

/*
 * Full passes over all n prefixes until none is found.  Returns the time the
 * clean pass ended, or -1 on timeout; *first_left gets the count the first
 * pass still found.
 */
static double poll_all(struct owner *o, const RTM_NET_ADDRESS *pfx, size_t n, double until,
		       RTM_DEST_INFO *di, size_t *first_left)
{
	for (int pass = 0;; pass++) {
		size_t left = 0;
		for (size_t i = 0; i < n; i++)
			left += present(o, &pfx[i], di);
		double t = now_s();
		if (pass == 0)
			*first_left = left;
		if (!left)
			return t;
		if (t > until)
			return -1;
		sleep_s(0.002);
	}
}

static bool run_fire_fixed(const RTM_NET_ADDRESS *pfx, size_t n, struct owner *o,
			   RTM_DEST_INFO *di, struct fire_results *r, size_t *idx, double *t_add,
			   double *gone, size_t s)
{
	if (!owner_open(o))
		return false;
	size_t errors = 0, k = 0;
	double t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		if (k < s && idx[k] == i)
			t_add[k++] = now_s();
		fill_route(o);
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		DWORD rc = RtmAddRouteToDest(o->h, NULL, (PRTM_NET_ADDRESS)&pfx[i], o->ri, FIRE_TTL_MS,
					     NULL, 0, NULL, &cf);
		add_failed(rc, i, &errors);
	}
	double t1 = now_s();
	if (errors) {
		failures++;
		fprintf(stderr, "rtm-notifybench: %zu of %zu adds failed\n", errors, n);
	}
	double ttl = FIRE_TTL_MS / 1000.0;
	double last_deadline = t_add[s - 1] + ttl;
	double until = last_deadline + EXPIRY_TIMEOUT_S;
	/* Routes must still be there until their deadline: check the sample once
	 * just before the first one is due (if the load left time for that). */
	if (t0 + ttl - now_s() > 0.01) {
		sleep_s(t0 + ttl - now_s() - 0.005);
		size_t early = 0;
		double tc = now_s();
		for (size_t j = 0; j < s; j++)
			if (t_add[j] + ttl > tc + 0.002)
				early += !present(o, &pfx[idx[j]], di);
		if (early) {
			failures++;
			fprintf(stderr, "rtm-notifybench: ERROR: %zu sampled routes gone before their "
				"TTL ran out\n", early);
		}
	}
	bool ok = poll_samples(o, pfx, idx, s, gone, until, di);
	size_t first_left = 0;
	double t_clean = ok ? poll_all(o, pfx, n, until, di, &first_left) : -1;
	if (!ok || t_clean < 0) {
		failures++;
		fprintf(stderr, "rtm-notifybench: ERROR: routes with TTL %u ms still present %.0f s "
			"after their deadline (timers not firing?)\n", FIRE_TTL_MS, EXPIRY_TIMEOUT_S);
		owner_close(o);
		return false;
	}
	/* Lag of each sample: when it was seen gone minus its deadline. */
	double lag_min = 1e9, lag_max = -1e9, t_last_gone = 0;
	double lv[FIRE_SAMPLES];
	for (size_t j = 0; j < s; j++) {
		double lag = gone[j] - (t_add[j] + ttl);
		lv[j] = lag;
		if (lag < lag_min)
			lag_min = lag;
		if (lag > lag_max)
			lag_max = lag;
		if (gone[j] > t_last_gone)
			t_last_gone = gone[j];
	}
	qsort(lv, s, sizeof lv[0], cmp_double);
	if (first_left) {
		/* Some unsampled routes outlived the sample: the clean pass is the end. */
		t_last_gone = t_clean;
	}
	if (lag_min < -0.002) {
		failures++;
		fprintf(stderr, "rtm-notifybench: ERROR: a route expired %.1f ms before its TTL\n",
			-lag_min * 1e3);
	}
	s_add(&r->load_s, t1 - t0);
	s_add(&r->lag_med, lv[s / 2]);
	s_add(&r->lag_min, lag_min);
	s_add(&r->lag_max, lag_max);
	s_add(&r->after_last, t_last_gone - last_deadline);
	s_add(&r->rate, (double)n / (t_last_gone - (t_add[0] + ttl)));
	owner_close(o);
	heap_settle();
	return true;
}

/* Every route gets the same absolute deadline: a burst of n expiries. */
static bool run_fire_burst(const RTM_NET_ADDRESS *pfx, size_t n, struct owner *o,
			   RTM_DEST_INFO *di, struct fire_results *r, size_t *idx, double *gone,
			   size_t s, double lead_s)
{
	if (!owner_open(o))
		return false;
	size_t errors = 0;
	double t0 = now_s();
	double deadline = t0 + lead_s;
	for (size_t i = 0; i < n; i++) {
		double left = deadline - now_s();
		/* Round up to whole ms, so no route is due before the deadline. */
		ULONG ttl = left > 0 ? (ULONG)(left * 1000.0) + 1 : 0;
		fill_route(o);
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		DWORD rc = RtmAddRouteToDest(o->h, NULL, (PRTM_NET_ADDRESS)&pfx[i], o->ri, ttl, NULL,
					     0, NULL, &cf);
		add_failed(rc, i, &errors);
	}
	double t1 = now_s();
	if (errors) {
		failures++;
		fprintf(stderr, "rtm-notifybench: %zu of %zu adds failed\n", errors, n);
	}
	if (t1 > deadline)
		fprintf(stderr, "rtm-notifybench: note: the burst load (%.3f s) overran its deadline\n",
			t1 - t0);
	double until = deadline + 0.002 + EXPIRY_TIMEOUT_S;
	sleep_s(deadline - now_s() - 0.005);
	bool ok = poll_samples(o, pfx, idx, s, gone, until, di);
	size_t first_left = 0;
	double t_clean = ok ? poll_all(o, pfx, n, until, di, &first_left) : -1;
	if (!ok || t_clean < 0) {
		failures++;
		fprintf(stderr, "rtm-notifybench: ERROR: routes still present %.0f s after their "
			"common deadline (timers not firing?)\n", EXPIRY_TIMEOUT_S);
		owner_close(o);
		return false;
	}
	double first = 1e18, last = 0;
	for (size_t j = 0; j < s; j++) {
		if (gone[j] < first)
			first = gone[j];
		if (gone[j] > last)
			last = gone[j];
	}
	if (first_left)
		last = t_clean;
	if (first < deadline - 0.002) {
		failures++;
		fprintf(stderr, "rtm-notifybench: ERROR: a route expired %.1f ms before the deadline\n",
			(deadline - first) * 1e3);
	}
	s_add(&r->b_load_s, t1 - t0);
	s_add(&r->b_first, first - deadline);
	s_add(&r->b_all, last - deadline);
	s_add(&r->b_rate, last > deadline ? (double)n / (last - deadline) : 0);
	owner_close(o);
	heap_settle();
	return true;
}

static bool part_fire(const RTM_NET_ADDRESS *pfx, size_t n_all, int reps, struct owner *o,
		      RTM_DEST_INFO *di)
{
	size_t n = n_all < FIRE_PREFIXES ? n_all : FIRE_PREFIXES;
	size_t s = n < FIRE_SAMPLES ? n : FIRE_SAMPLES;
	size_t *idx = calloc(s, sizeof *idx);
	double *t_add = calloc(s, sizeof *t_add);
	double *gone = calloc(s, sizeof *gone);
	struct fire_results r;
	memset(&r, 0, sizeof r);
	bool ok = idx && t_add && gone;
	if (!ok) {
		fprintf(stderr, "rtm-notifybench: out of memory\n");
		failures++;
	}
	for (size_t k = 0; ok && k < s; k++)
		idx[k] = sample_index(k, s, n);

	printf("\n3. TTL timers firing: first %zu prefixes, owner without a callback (the RTM\n"
	       "   deletes expired routes), %zu sampled prefixes polled with\n"
	       "   RtmGetExactMatchDestination about every 0.5 ms, then full passes until none is found\n",
	       n, s);
	printf("   runs: ");
	fflush(stdout);
	double lead = FIRE_TTL_MS / 1000.0;
	for (int rep = 0; ok && rep < reps; rep++) {
		ok = run_fire_fixed(pfx, n, o, di, &r, idx, t_add, gone, s);
		if (!ok)
			break;
		/* Keep the common deadline after the end of the load even on a slow build. */
		double need = 2.0 * r.load_s.v[r.load_s.n - 1] + 0.2;
		if (need > lead)
			lead = need;
		ok = run_fire_burst(pfx, n, o, di, &r, idx, gone, s, lead);
		if (!ok)
			break;
		printf("fixed: last gone %+.1f ms; burst: all gone %+.1f ms%s",
		       r.after_last.v[rep] * 1e3, r.b_all.v[rep] * 1e3, rep + 1 < reps ? " | " : "\n");
		fflush(stdout);
	}
	if (ok) {
		char lbl[80];
		snprintf(lbl, sizeof lbl, "   each route TTL %u ms from its own add", FIRE_TTL_MS);
		row_head(lbl);
		row("load time", &r.load_s, F_SEC);
		row("lag of a sampled route behind its deadline: median", &r.lag_med, F_MS);
		row("  ... minimum", &r.lag_min, F_MS);
		row("  ... maximum", &r.lag_max, F_MS);
		row("none found any more, after the last deadline", &r.after_last, F_MS);
		row("expired/s, first deadline to none left (<= add rate)", &r.rate, F_RATE);
		snprintf(lbl, sizeof lbl, "   every route due at one deadline, %.0f ms after load start",
			 lead * 1e3);
		row_head(lbl);
		row("load time", &r.b_load_s, F_SEC);
		row("first sampled route gone, after the deadline", &r.b_first, F_MS);
		row("none found any more, after the deadline", &r.b_all, F_MS);
		row("routes expired/s (deadline to none left)", &r.b_rate, F_RATE);
	}
	free(idx);
	free(t_add);
	free(gone);
	return ok;
}

/* ------------------------------------------------------------------------- */

static void machine_line(void)
{
	char model[256] = "unknown CPU";
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[512];
		while (fgets(line, sizeof line, f)) {
			if (strncmp(line, "model name", 10) == 0) {
				char *c = strchr(line, ':');
				if (c) {
					c++;
					while (*c == ' ' || *c == '\t')
						c++;
					c[strcspn(c, "\n")] = '\0';
					snprintf(model, sizeof model, "%s", c);
				}
				break;
			}
		}
		fclose(f);
	}
	printf("machine: %s, %ld CPU(s) online of %ld\n", model, sysconf(_SC_NPROCESSORS_ONLN),
	       sysconf(_SC_NPROCESSORS_CONF));
}

/* The 1/5/15-minute load averages: other work on the machine skews every figure. */
static void load_line(const char *when)
{
	double la[3];
	if (getloadavg(la, 3) == 3)
		printf("load average %s: %.2f %.2f %.2f\n", when, la[0], la[1], la[2]);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rtm-notifybench [-r REPS] [-q] [IPV4_FILE]\n"
		"  Measures change notification (BEST, UCAST) and TTL timers while loading\n"
		"  an IPv4 full table through RtmAddRouteToDest. Default file:\n"
		"  %s/tier1-2023-ipv4.txt.xz\n"
		"  -r REPS  repetitions of every measurement (default 3, at most %d)\n"
		"  -q       quick smoke test: first %u prefixes, 1 repetition unless -r\n",
		RTM_DATA_DIR, MAX_REPS, QUICK_PREFIXES);
}

int main(int argc, char **argv)
{
	int reps = 3, opt;
	bool quick = false, reps_given = false;
	while ((opt = getopt(argc, argv, "r:qh")) != -1) {
		char *end;
		long v;
		switch (opt) {
		case 'r':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > MAX_REPS) {
				usage(stderr);
				return 2;
			}
			reps = (int)v;
			reps_given = true;
			break;
		case 'q':
			quick = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	const char *path = RTM_DATA_DIR "/tier1-2023-ipv4.txt.xz";
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (quick && !reps_given)
		reps = 1;

	rtm_prefix_list pl = RTM_PREFIX_LIST_INIT;
	rtm_prefix_list_opts lo = { .family = AF_INET };
	char err[512];
	if (rtm_prefix_list_load(path, &lo, &pl, NULL, err, sizeof err) != 0) {
		fprintf(stderr, "rtm-notifybench: %s\n", err);
		rtm_prefix_list_free(&pl);
		return 1;
	}
	size_t n = pl.count;
	if (quick && n > QUICK_PREFIXES)
		n = QUICK_PREFIXES;
	if (n == 0) {
		fprintf(stderr, "rtm-notifybench: %s: no IPv4 prefixes\n", path);
		rtm_prefix_list_free(&pl);
		return 1;
	}

	/* Everything the measurements need is allocated up front. */
	struct owner o;
	memset(&o, 0, sizeof o);
	o.ri = calloc(1, offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) + sizeof(HANDLE));
	RTM_DEST_INFO *di = malloc(RTM_SIZE_OF_DEST_INFO(1));
	RTM_ROUTE_HANDLE *handles = calloc(n, sizeof *handles);
	struct listener *l = calloc(1, sizeof *l);
	if (!o.ri || !di || !handles || !l) {
		fprintf(stderr, "rtm-notifybench: out of memory\n");
		free(o.ri);
		free(di);
		free(handles);
		free(l);
		rtm_prefix_list_free(&pl);
		return 1;
	}

	printf("rtm-notifybench: %zu of %zu IPv4 prefixes from %s%s\n", n, pl.count, path,
	       quick ? " (quick mode)" : "");
	machine_line();
	load_line("at start");

	/* Profile figures, from a throwaway registration. */
	bool ok = owner_open(&o);
	if (ok) {
		printf("profile: MaxHandlesInEnum %lu, NumberOfViews %lu (dest-info stride %zu B); "
		       "%d repetition(s), alternating, in this order per repetition\n",
		       (unsigned long)o.prof.MaxHandlesInEnum, (unsigned long)o.prof.NumberOfViews,
		       (size_t)RTM_SIZE_OF_DEST_INFO(o.prof.NumberOfViews), reps);
		owner_close(&o);
		heap_settle();
	}
#ifndef HAVE_MALLINFO2
	printf("note: no mallinfo2 in this C library, heap figures are n/a\n");
#endif

	if (ok)
		ok = part_notify(pl.items, n, reps, &o, l);
	if (ok)
		ok = part_ttl(pl.items, n, reps, &o, handles, di);
	if (ok)
		ok = part_fire(pl.items, n, reps, &o, di);

	free(l->buf);
	free(l);
	free(o.ri);
	free(di);
	free(handles);
	rtm_prefix_list_free(&pl);

	printf("\n");
	load_line("at end");
	if (!ok || failures) {
		printf("rtm-notifybench: FAILED (%d unexpected result(s)%s)\n", failures,
		       ok ? "" : ", measurement aborted");
		return 1;
	}
	printf("rtm-notifybench: all checks passed\n");
	return 0;
}
