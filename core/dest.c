/*
 * Destinations: the per-destination summary, route sets, best routes and the
 * filling of RTM_DEST_INFO.
 *
 * Readers take a snapshot of {set, last_changed} under the seqcount (no
 * shared write), follow the set and its versions under RCU, and reference the
 * handles they hand out with a CAS that fails on a dead object; such a failure
 * means the snapshot is out of date and the reader takes a new one.  A reader
 * that keeps finding the seqcount odd (a publisher was preempted inside its
 * few-store write section) falls back to the shared lock after a bounded spin.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "dest.h"
#include "entity.h"
#include "notify.h"
#include "slab.h"
#include "table.h"

#define SNAPSHOT_SPINS 128
#define BLOCK_SLABS 3 /* first routes with 0..1, 2 and 3 next hops; more: rtm_malloc */
#define BLOCK_HEAP BLOCK_SLABS
#define FILETIME_UNIX_EPOCH 116444736000000000ull

/* Bytes of the block of a first route with nnh next hops (dest.h). */
static size_t
block_size(USHORT nnh)
{
	if (nnh <= 1)
		return DEST_BLOCK_ROUTE_OFF + sizeof(struct route);
	return DEST_BLOCK_LONG_VERSION_OFF + sizeof(struct route_version) + nnh * sizeof(rtm_handle);
}

static uint8_t
block_class_of(USHORT nnh)
{
	if (nnh <= 1)
		return DEST_BLOCK_COMPACT;
	return nnh - 1 < BLOCK_SLABS ? (uint8_t)(nnh - 1) : BLOCK_HEAP;
}

/*
 * The compact blocks (nearly all: one route, one next hop) are 192 bytes,
 * three cache lines, placed 192 apart where the lookup line (DEST_HOT_OFF)
 * is 64-byte aligned: the lookup line and the set-and-version line are two
 * whole cache lines in every block, the route and the next block's writer
 * bytes the third.  The longer blocks are only 8-byte aligned: rounding
 * them would cost more than it saves.
 */
static struct slab block_slabs[BLOCK_SLABS] = {
	SLAB_INIT(DEST_BLOCK_ROUTE_OFF + sizeof(struct route), 64, DEST_HOT_OFF),
	SLAB_INIT(DEST_BLOCK_LONG_VERSION_OFF + sizeof(struct route_version) + 2 * sizeof(rtm_handle),
		  8, 0),
	SLAB_INIT(DEST_BLOCK_LONG_VERSION_OFF + sizeof(struct route_version) + 3 * sizeof(rtm_handle),
		  8, 0),
};

_Static_assert(DEST_BLOCK_SET_OFF == DEST_HOT_OFF + 64,
	       "dest block: the set's line follows the lookup line");
_Static_assert(DEST_BLOCK_ROUTE_OFF + sizeof(struct route) == 192,
	       "dest block: a compact block is 192 bytes, 3 x 64");

static void
block_free(struct dest *d)
{
	unsigned cls = dest_block_class(d);

	if (cls < BLOCK_SLABS)
		slab_free(&block_slabs[cls], d);
	else
		rtm_free(d);
}

static void
dest_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	struct dest *d = caa_container_of(head, struct dest, rcu);
	rtm_handle h = d->handle;
	struct dest_ext *x = dest_ext(d);

	notify_dest_unreserve(d->table);
	handle_recycle(h);
	if (x) {
		rtm_free(ld_relaxed(&x->opaque));
		rtm_free(x->hold);
		rtm_free(x);
	}
	/* The first route died before d (it held a reference on d). */
	route_release_memory(dest_first_route_mem(d));
	block_free(d);
	rcu_deferred_done();
}

/* Finalizer: the last reference is gone; the destination left the trie. */
static void
dest_final(void *obj)
{
	struct dest *d = obj;
	struct route_set *set = ld_relaxed(&d->set);

	if (set) /* never happens: a dest with routes is referenced by them */
		abort();
	/* Nobody takes the lock any more (dest.h): the rcu_head goes over it. */
	rcu_defer(&d->rcu, dest_free_cb);
}

void
dest_module_init(void)
{
	handle_set_finalizer(HT_DEST, dest_final);
}

uint64_t
dest_filetime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return FILETIME_UNIX_EPOCH + (uint64_t)ts.tv_sec * 10000000ull + (uint64_t)ts.tv_nsec / 100;
}

struct dest *
dest_new(struct table *t, const struct prefix *key, uint32_t refs, USHORT nnh)
{
	uint8_t cls = block_class_of(nnh);
	struct dest *d;

	/* Its entry in every change-notification queue (notify.h). */
	if (notify_dest_reserve(t) != 0)
		return NULL;
	d = cls < BLOCK_SLABS ? slab_alloc(&block_slabs[cls]) : rtm_malloc(block_size(nnh));
	if (!d)
		goto out_unreserve;
	/* Only the dest itself is cleared: route_new initialises the rest. */
	memset(d, 0, sizeof(*d));
	atomic_init(&d->tag, (uintptr_t)cls << DEST_TAG_CLASS_SHIFT);
	d->table = t;
	d->key = *key;
	destlock_init(&d->lock);
	seq_init(&d->seq);
	atomic_init(&d->set, NULL);
	atomic_init(&d->last_changed, dest_filetime_now());
	if (handle_alloc(HT_DEST, d, refs, &d->handle) != 0)
		goto out_free;
	return d;
out_free:
	block_free(d);
out_unreserve:
	notify_dest_unreserve(t);
	return NULL;
}

void
dest_discard(struct dest *d)
{
	/* Never published: nobody else can hold a reference. */
	rtm_handle h = d->handle;

	notify_dest_unreserve(d->table);
	block_free(d);
	handle_recycle(h);
}

/*
 * The publisher is not running (dest_snapshot_rcu): wait for it behind the
 * shared lock.  The lock of a dead d lies under its rcu_head (dest.h), so
 * only with a reference; a dead d has no publisher either, so its seq is
 * even for good and the retry takes the snapshot at once.
 */
static __attribute__((noinline)) void
snapshot_locked(struct dest *d, struct dest_snapshot *snap)
{
	if (!handle_ref(d->handle, HT_DEST)) {
		dest_snapshot_rcu(d, snap);
		return;
	}
	rcu_thread_locks_held++;
	destlock_read_lock(&d->lock);
	snap->set = ld_acquire(&d->set);
	snap->last_changed = ld_relaxed(&d->last_changed);
	snap->seq = ld_relaxed(&d->seq.seq);
	destlock_read_unlock(&d->lock);
	rcu_thread_locks_held--;
	handle_put(d->handle);
}

void
dest_snapshot_rcu(struct dest *d, struct dest_snapshot *snap)
{
	for (int i = 0; i < SNAPSHOT_SPINS; i++) {
		uint32_t s = ld_acquire(&d->seq.seq);

		if (s & 1) {
			cpu_relax();
			continue;
		}
		/* Pairs with the release store in dest_publish_locked(). */
		snap->set = ld_acquire(&d->set);
		snap->last_changed = ld_relaxed(&d->last_changed);
		snap->seq = s;
		if (!seq_read_retry(&d->seq, s))
			return;
	}
	snapshot_locked(d, snap);
}

void
dest_publish_begin_locked(struct dest *d)
{
	seq_write_begin(&d->seq);
}

void
dest_publish_end_locked(struct dest *d, struct route_set *set)
{
	st_release(&d->set, set); /* pairs with the acquire in dest_snapshot_rcu() */
	st_relaxed(&d->last_changed, dest_filetime_now());
	seq_write_end(&d->seq);
}

void
dest_publish_locked(struct dest *d, struct route_set *set)
{
	dest_publish_begin_locked(d);
	dest_publish_end_locked(d, set);
}

bool
dest_snapshot_qualifies(const struct dest_snapshot *snap, uint32_t views)
{
	if (!snap->set)
		return false;
	if (views == RTM_VIEW_MASK_ANY)
		return !route_set_is_empty(snap->set); /* live or hold routes */
	return (snap->set->views & views) != 0;
}

static ULONG
route_proto(const struct route *r)
{
	return r->owner->info.EntityId.EntityProtocolId;
}

static inline bool
ref_in_view(const struct route_ref *r, unsigned view)
{
	return (r->ver->views & (1u << view)) != 0;
}

/*
 * The best-route rule: the set is in preference order, so a view's best
 * route is its first route in the view whose owner's protocol is proto when
 * filtering.  route_set_best and set_view_scan both apply it.
 */
static inline bool
ref_may_be_best(const struct route_ref *r, unsigned view, ULONG proto, bool filter)
{
	return ref_in_view(r, view) && (!filter || route_proto(r->route) == proto);
}

int
route_set_best(const struct route_set *set, unsigned view, ULONG proto, bool filter)
{
	for (uint32_t i = 0; set && i < set->n; i++) {
		if (ref_may_be_best(&set->e[i], view, proto, filter))
			return (int)i;
	}
	return -1;
}

/* Preference order: -1 if a goes before b. */
static int
ref_cmp(const struct route_ref *a, const struct route_ref *b)
{
	const RTM_PREF_INFO *pa = &a->ver->pref, *pb = &b->ver->pref;

	if (pa->Preference != pb->Preference)
		return pa->Preference < pb->Preference ? -1 : 1;
	if (pa->Metric != pb->Metric)
		return pa->Metric < pb->Metric ? -1 : 1;
	return route_age(a->route) < route_age(b->route) ? -1 : 1;
}

/* A heap set with room for n entries and the hold-down routes. */
static struct route_set *
set_alloc(uint32_t n)
{
	char *p = rtm_malloc(sizeof(struct rcu_head) + sizeof(struct route_set) +
			     n * sizeof(struct route_ref) + TABLE_NUM_VIEWS * sizeof(struct route *));
	struct route_set *s;

	if (!p)
		return NULL;
	s = (struct route_set *)(p + sizeof(struct rcu_head));
	s->n = n;
	s->embedded = 0;
	return s;
}

static void
set_finish(struct route_set *s)
{
	s->views = 0;
	for (uint32_t i = 0; i < s->n; i++)
		s->views |= s->e[i].ver->views;
}

/* After s->n is final (the holds follow the entries). */
static void
set_copy_holds(struct route_set *s, const struct route_set *old)
{
	for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++)
		route_set_hold_assign(s, v, route_set_hold(old, v));
}

struct route_set *
route_set_with(const struct route_set *old, struct route *r, struct route_version *v)
{
	uint32_t oldn = old ? old->n : 0, n = 0;
	struct route_ref add = {r, v};
	bool placed = false;
	struct route_set *s = set_alloc(oldn + 1);

	if (!s)
		return NULL;
	for (uint32_t i = 0; i < oldn; i++) {
		if (old->e[i].route == r)
			continue;
		if (!placed && ref_cmp(&add, &old->e[i]) < 0) {
			s->e[n++] = add;
			placed = true;
		}
		s->e[n++] = old->e[i];
	}
	if (!placed)
		s->e[n++] = add;
	s->n = n;
	set_copy_holds(s, old);
	set_finish(s);
	return s;
}

struct route_set *
route_set_first(struct dest *d, struct route *r, struct route_version *v)
{
	struct route_set *s = (struct route_set *)((char *)d + DEST_BLOCK_SET_OFF);

	s->n = 1;
	s->embedded = 1;
	s->e[0].route = r;
	s->e[0].ver = v;
	set_finish(s);
	return s;
}

struct route_set *
route_set_without(const struct route_set *old, const struct route *r)
{
	uint32_t n = 0, oldn = old ? old->n : 0;
	struct route_set *s = set_alloc(oldn);

	if (!s)
		return NULL;
	for (uint32_t i = 0; i < oldn; i++) {
		if (old->e[i].route != r)
			s->e[n++] = old->e[i];
	}
	s->n = n;
	set_copy_holds(s, old);
	set_finish(s);
	return s;
}

bool
route_set_is_empty(const struct route_set *set)
{
	if (!set)
		return true;
	for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++) {
		if (route_set_hold(set, v))
			return false;
	}
	return set->n == 0;
}

bool
route_set_only(const struct route_set *set, const struct route *r)
{
	if (!set || set->n != 1 || set->e[0].route != r)
		return false;
	for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++) {
		if (route_set_hold(set, v))
			return false;
	}
	return true;
}

bool
route_set_view_empty(const struct route_set *set, unsigned v)
{
	return !set || !(set->views & (1u << v));
}

static void
set_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	rtm_free(head); /* the start of the allocation (set_alloc) */
	rcu_deferred_done();
}

static struct rcu_head *
set_head(struct route_set *set)
{
	return (struct rcu_head *)((char *)set - sizeof(struct rcu_head));
}

void
route_set_retire(struct route_set *set)
{
	if (set && !set->embedded)
		rcu_defer(set_head(set), set_free_cb);
}

void
route_set_discard(struct route_set *set)
{
	if (!set->embedded)
		rtm_free(set_head(set));
}

void
dest_proto_filter(const struct entity *caller, ULONG proto, ULONG *id, bool *filter)
{
	*filter = proto != RTM_BEST_PROTOCOL;
	*id = proto == RTM_THIS_PROTOCOL ? caller->info.EntityId.EntityProtocolId : proto;
}

/*
 * One pass over set for view id v: the routes in the view, and the best of
 * them (ref_may_be_best's rule, as route_set_best), or NULL.
 */
static UINT
set_view_scan(const struct route_set *set, unsigned v, ULONG id, bool filter,
	      const struct route_ref **best)
{
	UINT n = 0;

	*best = NULL;
	for (uint32_t i = 0; set && i < set->n; i++) {
		const struct route_ref *r = &set->e[i];

		if (!ref_in_view(r, v))
			continue;
		n++;
		if (!*best && ref_may_be_best(r, v, id, filter))
			*best = r;
	}
	return n;
}

int
dest_fill_info_rcu(struct dest *d, const struct dest_snapshot *snap, const struct entity *caller,
		   ULONG proto, uint32_t views, RTM_DEST_INFO *info)
{
	const struct route_set *set = snap->set;
	rtm_handle hs[1 + 3 * TABLE_NUM_VIEWS];
	unsigned k = 0;
	ULONG id;
	bool filter;
	UINT nv = 0;

	dest_proto_filter(caller, proto, &id, &filter);
	prefix_to_net(&d->key, d->table->family, d->table->width, &info->DestAddress);
	info->LastChanged.dwLowDateTime = (DWORD)snap->last_changed;
	info->LastChanged.dwHighDateTime = (DWORD)(snap->last_changed >> 32);
	info->BelongsToViews = set ? set->views : 0;
	hs[k++] = d->handle;

	for (uint32_t left = views & ((1u << TABLE_NUM_VIEWS) - 1); left; left &= left - 1) {
		unsigned v = (unsigned)__builtin_ctz(left);
		__typeof__(info->ViewInfo[0]) *vi = &info->ViewInfo[nv++];
		const struct route *hold = route_set_hold(set, v);
		const struct route_ref *best;

		vi->ViewId = (RTM_VIEW_ID)v;
		vi->NumRoutes = set_view_scan(set, v, id, filter, &best);
		if (best) {
			vi->Route = hs[k++] = best->route->handle;
			vi->Owner = hs[k++] = best->route->owner->handle;
			vi->DestFlags = best->ver->flags;
		} else {
			vi->Route = NULL;
			vi->Owner = NULL;
			vi->DestFlags = 0;
		}
		/* Reported whatever the protocol filter (SEMANTICS.md §5). */
		vi->HoldRoute = hold ? hs[k++] = hold->handle : NULL;
	}
	/* All at once: one fence for the lot, and nothing to undo by hand. */
	if (!handle_ref_read_rcu(k, hs)) {
		info->DestHandle = NULL;
		info->NumberOfViews = 0;
		return -EAGAIN;
	}
	info->DestHandle = d->handle;
	info->NumberOfViews = nv;
	return 0;
}

struct dest_ext *
dest_ext_get(struct dest *d)
{
	uintptr_t tag = ld_acquire(&d->tag);
	struct dest_ext *fresh;

	if (tag & ~(uintptr_t)DEST_TAG_BITS)
		return (struct dest_ext *)(tag & ~(uintptr_t)DEST_TAG_BITS);
	fresh = rtm_calloc(1, sizeof(*fresh));
	if (!fresh)
		return NULL;
	/* Keep the other bits (in_trie may change meanwhile); pairs with the
	 * acquire loads of d->tag. */
	while (!(tag & ~(uintptr_t)DEST_TAG_BITS)) {
		if (atomic_compare_exchange_weak_explicit(&d->tag, &tag, tag | (uintptr_t)fresh,
							  memory_order_acq_rel,
							  memory_order_acquire))
			return fresh;
	}
	rtm_free(fresh);
	return (struct dest_ext *)(tag & ~(uintptr_t)DEST_TAG_BITS);
}

void **
dest_opaque_slot(struct dest *d, int slot)
{
	struct dest_ext *x = dest_ext_get(d);
	void **arr;

	if (!x)
		return NULL;
	arr = ld_acquire(&x->opaque);
	if (!arr) {
		void **fresh = rtm_calloc(TABLE_OPAQUE_SLOTS, sizeof(void *));

		if (!fresh)
			return NULL;
		arr = NULL;
		/* Pairs with the acquire load above in other threads. */
		if (atomic_compare_exchange_strong_explicit(&x->opaque, &arr, fresh,
							    memory_order_acq_rel,
							    memory_order_acquire))
			arr = fresh;
		else
			rtm_free(fresh);
	}
	return &arr[slot];
}
