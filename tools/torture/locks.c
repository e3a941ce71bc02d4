/*
 * locks.c - the lock variants rtm-torture drives.
 *
 * Every variant guards the same n destinations and answers one interface:
 * lock / unlock destination i, shared or exclusive, and tell the caller where
 * the destination's payload is.
 *
 *   rtm-barging, rtm-hybrid, rtm-phasefair
 *                   librtm itself under each writer policy (RtmxSetLockPolicy),
 *                   through the public API on real routes in a
 *                   real table: RtmLockRoute + in-place edit +
 *                   RtmUpdateAndUnlockRoute (route path) or RtmLockDestination
 *                   + the destination's opaque slots (destination path);
 *                   lock-free reads are RtmGetRouteInfo and
 *                   RtmGetMostSpecificDestination.
 *   pthread-mutex, pthread-rwlock, pthread-rwlock-pw (prefer writer),
 *   ck-rwlock, ck-pflock, ck-tflock
 *                   one lock per destination around a harness array that holds
 *                   the same two payload words per path.
 *
 * An admission policy added to librtm later becomes one more row here: same
 * functions, its own name and promise.
 */
#define _GNU_SOURCE 1

#include <rtmv2.h>
#include <rtm/rtmx.h>

#include <ck_pflock.h>
#include <ck_rwlock.h>
#include <ck_tflock.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torture.h"

#define CACHELINE 64

const char *
promise_name(enum promise p)
{
	switch (p) {
	case PROMISE_NONE: return "none";
	case PROMISE_READER_PREF: return "reader-pref";
	case PROMISE_WRITER_PREF: return "writer-pref";
	case PROMISE_PHASE_FAIR: return "phase-fair";
	case PROMISE_TASK_FAIR: return "task-fair";
	}
	return "?";
}

/* ---- harness payload for the baselines ---------------------------------- */

struct hpayload {
	uint64_t ver[2]; /* per path */
	uint64_t chk[2];
} __attribute__((aligned(CACHELINE)));

static struct hpayload *hp;
static unsigned hp_n;

static int
hp_setup(unsigned n)
{
	hp = aligned_alloc(CACHELINE, (size_t)n * sizeof(*hp));
	if (hp == NULL)
		return -1;
	hp_n = n;
	for (unsigned i = 0; i < n; i++) {
		hp[i].ver[0] = hp[i].ver[1] = 0;
		hp[i].chk[0] = hp[i].chk[1] = payload_check(i, 0);
	}
	return 0;
}

static void
hp_payload(unsigned i, enum path p, struct payload *pl)
{
	pl->ver = &hp[i].ver[p];
	pl->chk = &hp[i].chk[p];
	pl->ver_is_32 = 0;
}

static void *
alloc_locks(unsigned n, size_t size)
{
	size_t stride = (size + CACHELINE - 1) / CACHELINE * CACHELINE;
	void *m = aligned_alloc(CACHELINE, (size_t)n * stride);

	if (m != NULL)
		memset(m, 0, (size_t)n * stride);
	return m;
}

#define LOCK_AT(base, type, i) \
	((type *)((char *)(base) + (size_t)(i) * ((sizeof(type) + CACHELINE - 1) / CACHELINE * CACHELINE)))

static void *locks;

static void
base_teardown(void)
{
	free(locks);
	locks = NULL;
	free(hp);
	hp = NULL;
}

/* ---- pthread_mutex ------------------------------------------------------- */

static int
mutex_setup(unsigned n, uint64_t seed)
{
	(void)seed;
	if (hp_setup(n) || (locks = alloc_locks(n, sizeof(pthread_mutex_t))) == NULL)
		return -1;
	for (unsigned i = 0; i < n; i++)
		pthread_mutex_init(LOCK_AT(locks, pthread_mutex_t, i), NULL);
	return 0;
}

static int
mutex_lock(unsigned i, bool excl, enum path p, struct payload *pl)
{
	(void)excl;
	hp_payload(i, p, pl);
	return pthread_mutex_lock(LOCK_AT(locks, pthread_mutex_t, i));
}

static int
mutex_unlock(unsigned i, bool excl, enum path p)
{
	(void)excl;
	(void)p;
	return pthread_mutex_unlock(LOCK_AT(locks, pthread_mutex_t, i));
}

/* ---- pthread_rwlock, default and prefer-writer ------------------------- */

static int
rwlock_setup_kind(unsigned n, int kind)
{
	pthread_rwlockattr_t a;

	if (hp_setup(n) || (locks = alloc_locks(n, sizeof(pthread_rwlock_t))) == NULL)
		return -1;
	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a, kind);
	for (unsigned i = 0; i < n; i++)
		pthread_rwlock_init(LOCK_AT(locks, pthread_rwlock_t, i), &a);
	pthread_rwlockattr_destroy(&a);
	return 0;
}

static int
rwlock_setup(unsigned n, uint64_t seed)
{
	(void)seed;
	return rwlock_setup_kind(n, PTHREAD_RWLOCK_DEFAULT_NP);
}

static int
rwlock_pw_setup(unsigned n, uint64_t seed)
{
	(void)seed;
	return rwlock_setup_kind(n, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
}

static int
rwlock_lock(unsigned i, bool excl, enum path p, struct payload *pl)
{
	pthread_rwlock_t *l = LOCK_AT(locks, pthread_rwlock_t, i);

	hp_payload(i, p, pl);
	return excl ? pthread_rwlock_wrlock(l) : pthread_rwlock_rdlock(l);
}

static int
rwlock_unlock(unsigned i, bool excl, enum path p)
{
	(void)excl;
	(void)p;
	return pthread_rwlock_unlock(LOCK_AT(locks, pthread_rwlock_t, i));
}

/* ---- ConcurrencyKit ----------------------------------------------------- */

static int
ckrw_setup(unsigned n, uint64_t seed)
{
	(void)seed;
	if (hp_setup(n) || (locks = alloc_locks(n, sizeof(ck_rwlock_t))) == NULL)
		return -1;
	for (unsigned i = 0; i < n; i++)
		ck_rwlock_init(LOCK_AT(locks, ck_rwlock_t, i));
	return 0;
}

static int
ckrw_lock(unsigned i, bool excl, enum path p, struct payload *pl)
{
	ck_rwlock_t *l = LOCK_AT(locks, ck_rwlock_t, i);

	hp_payload(i, p, pl);
	if (excl)
		ck_rwlock_write_lock(l);
	else
		ck_rwlock_read_lock(l);
	return 0;
}

static int
ckrw_unlock(unsigned i, bool excl, enum path p)
{
	ck_rwlock_t *l = LOCK_AT(locks, ck_rwlock_t, i);

	(void)p;
	if (excl)
		ck_rwlock_write_unlock(l);
	else
		ck_rwlock_read_unlock(l);
	return 0;
}

static int
ckpf_setup(unsigned n, uint64_t seed)
{
	(void)seed;
	if (hp_setup(n) || (locks = alloc_locks(n, sizeof(ck_pflock_t))) == NULL)
		return -1;
	for (unsigned i = 0; i < n; i++)
		ck_pflock_init(LOCK_AT(locks, ck_pflock_t, i));
	return 0;
}

static int
ckpf_lock(unsigned i, bool excl, enum path p, struct payload *pl)
{
	ck_pflock_t *l = LOCK_AT(locks, ck_pflock_t, i);

	hp_payload(i, p, pl);
	if (excl)
		ck_pflock_write_lock(l);
	else
		ck_pflock_read_lock(l);
	return 0;
}

static int
ckpf_unlock(unsigned i, bool excl, enum path p)
{
	ck_pflock_t *l = LOCK_AT(locks, ck_pflock_t, i);

	(void)p;
	if (excl)
		ck_pflock_write_unlock(l);
	else
		ck_pflock_read_unlock(l);
	return 0;
}

static int
cktf_setup(unsigned n, uint64_t seed)
{
	(void)seed;
	if (hp_setup(n) || (locks = alloc_locks(n, sizeof(struct ck_tflock_ticket))) == NULL)
		return -1;
	for (unsigned i = 0; i < n; i++)
		ck_tflock_ticket_init(LOCK_AT(locks, struct ck_tflock_ticket, i));
	return 0;
}

static int
cktf_lock(unsigned i, bool excl, enum path p, struct payload *pl)
{
	struct ck_tflock_ticket *l = LOCK_AT(locks, struct ck_tflock_ticket, i);

	hp_payload(i, p, pl);
	if (excl)
		ck_tflock_ticket_write_lock(l);
	else
		ck_tflock_ticket_read_lock(l);
	return 0;
}

static int
cktf_unlock(unsigned i, bool excl, enum path p)
{
	struct ck_tflock_ticket *l = LOCK_AT(locks, struct ck_tflock_ticket, i);

	(void)p;
	if (excl)
		ck_tflock_ticket_write_unlock(l);
	else
		ck_tflock_ticket_read_unlock(l);
	return 0;
}

/* ---- librtm through its API ----------------------------------------------- */

/*
 * One entity owns every route (RtmLockRoute is only for the owner); it and a
 * second entity each reserve an opaque slot, so a destination carries two
 * words guarded by its lock: slot A holds the version, slot B the check word.
 * Destination i is the /24 prefix (1.0.0.0 + 256 i); its route's Metric holds
 * the version and its EntitySpecificInfo the check word.
 */
struct rtm_dest {
	RTM_ROUTE_HANDLE route;
	RTM_DEST_HANDLE dest;
	PVOID *slot_a;
	PVOID *slot_b;
} __attribute__((aligned(CACHELINE)));

static struct {
	RTM_ENTITY_HANDLE h, h2;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh;
	struct rtm_dest *d;
	RTM_DEST_INFO **di; /* exact-match infos, holding the dest references */
	unsigned n;
} R;

static void
rtm_prefix(unsigned i, RTM_NET_ADDRESS *a, unsigned bits)
{
	uint32_t v = 0x01000000u + ((uint32_t)i << 8);

	memset(a, 0, sizeof(*a));
	a->AddressFamily = AF_INET;
	a->NumBits = (USHORT)bits;
	a->AddrBits[0] = (BYTE)(v >> 24);
	a->AddrBits[1] = (BYTE)(v >> 16);
	a->AddrBits[2] = (BYTE)(v >> 8);
	a->AddrBits[3] = (BYTE)v;
}

static RTM_ENTITY_HANDLE
rtm_register(ULONG proto, ULONG inst, RTM_REGN_PROFILE *prof)
{
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE local;
	RTM_ENTITY_HANDLE h = NULL;
	DWORD rc;

	memset(&info, 0, sizeof(info));
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = proto;
	info.EntityId.EntityInstanceId = inst;
	rc = RtmRegisterEntity(&info, NULL, NULL, TRUE, prof ? prof : &local, &h);
	if (rc != NO_ERROR) {
		fprintf(stderr, "rtm-torture: RtmRegisterEntity: error %lu\n", (unsigned long)rc);
		return NULL;
	}
	return h;
}

static void rtm_teardown(void);

static int
rtm_setup(unsigned n, uint64_t seed)
{
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_CHANGE_FLAGS nfl = 0;
	RTM_ROUTE_INFO *ri;
	DWORD rc;

	(void)seed;
	memset(&R, 0, sizeof(R));
	R.h = rtm_register(0x7417, 1, &R.prof);
	R.h2 = rtm_register(0x7417, 2, NULL);
	if (R.h == NULL || R.h2 == NULL)
		goto fail;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress.AddressFamily = AF_INET;
	ni.NextHopAddress.NumBits = 32;
	ni.NextHopAddress.AddrBits[0] = 192;
	ni.NextHopAddress.AddrBits[1] = 0;
	ni.NextHopAddress.AddrBits[2] = 2;
	ni.NextHopAddress.AddrBits[3] = 1;
	ni.InterfaceIndex = 1;
	rc = RtmAddNextHop(R.h, &ni, &R.nh, &nfl);
	if (rc != NO_ERROR) {
		fprintf(stderr, "rtm-torture: RtmAddNextHop: error %lu\n", (unsigned long)rc);
		goto fail;
	}
	R.d = aligned_alloc(CACHELINE, (size_t)n * sizeof(*R.d));
	R.di = calloc(n, sizeof(*R.di));
	ri = calloc(1, RTMX_SIZE_OF_ROUTE_INFO(1));
	if (R.d == NULL || R.di == NULL || ri == NULL) {
		free(ri);
		goto fail;
	}
	memset(R.d, 0, (size_t)n * sizeof(*R.d));
	R.n = n;
	for (unsigned i = 0; i < n; i++) {
		RTM_NET_ADDRESS a;
		RTM_ROUTE_CHANGE_FLAGS fl = 0;

		rtm_prefix(i, &a, 24);
		memset(ri, 0, RTMX_SIZE_OF_ROUTE_INFO(1));
		ri->PrefInfo.Preference = 10;
		ri->PrefInfo.Metric = 0; /* version 0 */
		ri->EntitySpecificInfo = (PVOID)(uintptr_t)payload_check(i, 0);
		ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
		ri->NextHopsList.NumNextHops = 1;
		ri->NextHopsList.NextHops[0] = R.nh;
		rc = RtmAddRouteToDest(R.h, &R.d[i].route, &a, ri, INFINITE, NULL, 0, NULL, &fl);
		if (rc != NO_ERROR) {
			fprintf(stderr, "rtm-torture: RtmAddRouteToDest(%u): error %lu\n", i,
				(unsigned long)rc);
			free(ri);
			goto fail;
		}
		R.di[i] = calloc(1, RTM_SIZE_OF_DEST_INFO(RTM_MAX_VIEWS));
		if (R.di[i] == NULL) {
			free(ri);
			goto fail;
		}
		rc = RtmGetExactMatchDestination(R.h, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY,
						 R.di[i]);
		if (rc != NO_ERROR) {
			fprintf(stderr, "rtm-torture: RtmGetExactMatchDestination(%u): error %lu\n", i,
				(unsigned long)rc);
			free(R.di[i]);
			R.di[i] = NULL;
			free(ri);
			goto fail;
		}
		R.d[i].dest = R.di[i]->DestHandle;
		if (RtmGetOpaqueInformationPointer(R.h, R.d[i].dest, (PVOID *)&R.d[i].slot_a) !=
			    NO_ERROR ||
		    RtmGetOpaqueInformationPointer(R.h2, R.d[i].dest, (PVOID *)&R.d[i].slot_b) !=
			    NO_ERROR) {
			fprintf(stderr, "rtm-torture: RtmGetOpaqueInformationPointer(%u) failed\n", i);
			free(ri);
			goto fail;
		}
		*R.d[i].slot_a = (PVOID)(uintptr_t)0;
		*R.d[i].slot_b = (PVOID)(uintptr_t)payload_check(i, 0);
	}
	free(ri);
	return 0;
fail:
	rtm_teardown();
	return -1;
}

static void
rtm_teardown(void)
{
	for (unsigned i = 0; i < R.n; i++) {
		if (R.di != NULL && R.di[i] != NULL) {
			RtmReleaseDestInfo(R.h, R.di[i]);
			free(R.di[i]);
		}
		if (R.d != NULL && R.d[i].route != NULL)
			RtmDeleteRouteToDest(R.h, R.d[i].route, NULL);
	}
	if (R.nh != NULL)
		RtmDeleteNextHop(R.h, R.nh, NULL);
	if (R.h2 != NULL)
		RtmDeregisterEntity(R.h2);
	if (R.h != NULL)
		RtmDeregisterEntity(R.h);
	free(R.d);
	free(R.di);
	memset(&R, 0, sizeof(R));
}

static int
rtm_lock(unsigned i, bool excl, enum path p, struct payload *pl)
{
	RTM_ROUTE_INFO *ri = NULL;
	DWORD rc;

	if (p == PATH_DEST) {
		rc = RtmLockDestination(R.h, R.d[i].dest, excl, TRUE);
		pl->ver = R.d[i].slot_a;
		pl->chk = R.d[i].slot_b;
		pl->ver_is_32 = 0;
		return rc == NO_ERROR ? 0 : -1;
	}
	rc = RtmLockRoute(R.h, R.d[i].route, excl, TRUE, &ri);
	if (rc != NO_ERROR)
		return -1;
	if (ri == NULL) { /* locked but no pointer: an API error; do not leave it locked */
		RtmLockRoute(R.h, R.d[i].route, excl, FALSE, NULL);
		return -1;
	}
	pl->ver = &ri->PrefInfo.Metric;
	pl->chk = &ri->EntitySpecificInfo;
	pl->ver_is_32 = 1;
	return 0;
}

static int
rtm_unlock(unsigned i, bool excl, enum path p)
{
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	DWORD rc;

	if (p == PATH_DEST)
		rc = RtmLockDestination(R.h, R.d[i].dest, excl, FALSE);
	else if (excl)
		rc = RtmUpdateAndUnlockRoute(R.h, R.d[i].route, INFINITE, NULL, 0, NULL, &fl);
	else
		rc = RtmLockRoute(R.h, R.d[i].route, FALSE, FALSE, NULL);
	return rc == NO_ERROR ? 0 : -1;
}

struct rtm_scratch {
	RTM_ROUTE_INFO *ri;
	RTM_DEST_INFO *di;
};

static void *
rtm_lf_scratch(void)
{
	struct rtm_scratch *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->ri = calloc(1, RTMX_SIZE_OF_ROUTE_INFO(R.prof.MaxNextHopsInRoute + 1));
	s->di = calloc(1, RTM_SIZE_OF_DEST_INFO(RTM_MAX_VIEWS));
	return s;
}

static void
rtm_lf_scratch_free(void *scratch)
{
	struct rtm_scratch *s = scratch;

	if (s == NULL)
		return;
	free(s->ri);
	free(s->di);
	free(s);
}

static int
rtm_lf_read(unsigned i, int kind, uint64_t *ver, uint64_t *chk, void *scratch)
{
	struct rtm_scratch *s = scratch;
	DWORD rc;

	if (kind == 0) {
		rc = RtmGetRouteInfo(R.h, R.d[i].route, s->ri, NULL);
		if (rc != NO_ERROR)
			return -1;
		*ver = s->ri->PrefInfo.Metric;
		*chk = (uint64_t)(uintptr_t)s->ri->EntitySpecificInfo;
		RtmReleaseRouteInfo(R.h, s->ri);
		return 0;
	} else {
		RTM_NET_ADDRESS a;
		int ok;

		rtm_prefix(i, &a, 32);
		a.AddrBits[3] = (BYTE)(1 + (i * 37u) % 254u);
		rc = RtmGetMostSpecificDestination(R.h, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
						   s->di);
		if (rc != NO_ERROR)
			return -1;
		ok = s->di->DestHandle == R.d[i].dest && s->di->DestAddress.NumBits == 24 &&
		     s->di->NumberOfViews >= 1 && s->di->ViewInfo[0].Route == R.d[i].route;
		RtmReleaseDestInfo(R.h, s->di);
		*ver = UINT64_MAX;
		*chk = 0;
		return ok ? 0 : -1;
	}
}

/* ---- the table -------------------------------------------------------------- */

/* The three writer policies of librtm's lock (rtm/rtmx.h); all phase-fair
 * between readers and writers, which is what the share oracle checks. */
static int
rtm_setup_with(RTMX_LOCK_POLICY policy, unsigned n, uint64_t seed)
{
	if (RtmxSetLockPolicy(policy) != NO_ERROR)
		return -1;
	return rtm_setup(n, seed);
}

static int
rtm_setup_phasefair(unsigned n, uint64_t seed)
{
	return rtm_setup_with(RTMX_LOCK_POLICY_PHASEFAIR, n, seed);
}

static int
rtm_setup_barging(unsigned n, uint64_t seed)
{
	return rtm_setup_with(RTMX_LOCK_POLICY_BARGING, n, seed);
}

static int
rtm_setup_hybrid(unsigned n, uint64_t seed)
{
	return rtm_setup_with(RTMX_LOCK_POLICY_HYBRID, n, seed);
}

/* A librtm row: the same functions, under one writer policy. */
#define RTM_LOCKVAR(name, what, setup)                                                      \
	{                                                                                   \
		name, what, PROMISE_PHASE_FAIR, true, setup, rtm_teardown, rtm_lock,        \
		rtm_unlock, rtm_lf_read, rtm_lf_scratch, rtm_lf_scratch_free,               \
	}

static const struct lockvar v_rtm =
	RTM_LOCKVAR("rtm-phasefair",
		    "librtm RtmLockRoute/RtmUpdateAndUnlockRoute/RtmLockDestination, "
		    "RTMX_LOCK_POLICY_PHASEFAIR (writers FIFO)",
		    rtm_setup_phasefair);
static const struct lockvar v_rtm_barging =
	RTM_LOCKVAR("rtm-barging",
		    "librtm, RTMX_LOCK_POLICY_BARGING (writers may barge until the head waited 2 ms)",
		    rtm_setup_barging);
static const struct lockvar v_rtm_hybrid =
	RTM_LOCKVAR("rtm-hybrid",
		    "librtm, RTMX_LOCK_POLICY_HYBRID (writers barge, except into a write phase that "
		    "follows a read phase: that one is the head's)",
		    rtm_setup_hybrid);
static const struct lockvar v_mutex = {
	"pthread-mutex", "glibc pthread_mutex (readers exclusive too)", PROMISE_NONE, false,
	mutex_setup, base_teardown, mutex_lock, mutex_unlock, NULL, NULL, NULL,
};
static const struct lockvar v_rwlock = {
	"pthread-rwlock", "glibc pthread_rwlock, default kind", PROMISE_READER_PREF, false,
	rwlock_setup, base_teardown, rwlock_lock, rwlock_unlock, NULL, NULL, NULL,
};
static const struct lockvar v_rwlock_pw = {
	"pthread-rwlock-pw", "glibc pthread_rwlock, PREFER_WRITER_NONRECURSIVE_NP",
	PROMISE_WRITER_PREF, false, rwlock_pw_setup, base_teardown, rwlock_lock, rwlock_unlock,
	NULL, NULL, NULL,
};
static const struct lockvar v_ckrw = {
	"ck-rwlock", "ConcurrencyKit ck_rwlock (spin)", PROMISE_WRITER_PREF, false, ckrw_setup,
	base_teardown, ckrw_lock, ckrw_unlock, NULL, NULL, NULL,
};
static const struct lockvar v_ckpf = {
	"ck-pflock", "ConcurrencyKit ck_pflock (phase-fair, spin)", PROMISE_PHASE_FAIR, false,
	ckpf_setup, base_teardown, ckpf_lock, ckpf_unlock, NULL, NULL, NULL,
};
static const struct lockvar v_cktf = {
	"ck-tflock", "ConcurrencyKit ck_tflock (task-fair, spin)", PROMISE_TASK_FAIR, false,
	cktf_setup, base_teardown, cktf_lock, cktf_unlock, NULL, NULL, NULL,
};

const struct lockvar *const lock_variants[] = {
	&v_rtm_barging, &v_rtm_hybrid, &v_rtm, &v_mutex, &v_rwlock, &v_rwlock_pw, &v_ckrw, &v_ckpf, &v_cktf, NULL,
};

const struct lockvar *
lockvar_find(const char *name)
{
	for (unsigned k = 0; lock_variants[k] != NULL; k++)
		if (strcmp(lock_variants[k]->name, name) == 0)
			return lock_variants[k];
	return NULL;
}
