/*
 * Routes and route versions: creation, the references they hold, and the
 * RTM's own RTM_ROUTE_INFO.
 *
 * References held:
 *   route   -> its dest and its owner entity (for the route's whole life)
 *   r->info -> Neighbour and NextHops[] (the route's own references, taken
 *              when the info is built; the client adjusts them itself
 *              during an in-place edit)
 *   version -> Neighbour and nh[] (its own, dropped a grace period after the
 *              version is replaced, so readers can always reference them)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "aging.h"
#include "dest.h"
#include "nexthop.h"
#include "entity.h"
#include "route.h"
#include "table.h"

/* The most handles handle_ref_all() takes in one batch. */
#define REF_BATCH_MAX 64

static void
version_put_handles(struct route_version *v)
{
	uint32_t uses = 1;

	/* As version_init() took them: the neighbour's all at once. */
	for (USHORT i = 0; i < v->nnh; i++) {
		if (v->neighbour && v->nh[i] == v->neighbour)
			uses++;
		else
			handle_put(v->nh[i]);
	}
	if (v->neighbour)
		handle_put_n(v->neighbour, uses);
}

int
route_info_check(const RTM_ROUTE_INFO *info, const struct entity *owner)
{
	struct nexthop *neighbour = NULL;
	int rc = 0;

	if (info->NextHopsList.NumNextHops > owner->table->max_nexthops)
		return -EINVAL;
	if (info->BelongsToViews & ~(RTM_VIEW_SET)TABLE_VIEWS_SUPPORTED &&
	    info->BelongsToViews != RTM_VIEW_MASK_ALL)
		return -EINVAL;
	rcu_lock();
	if (info->Neighbour && !(neighbour = handle_get(info->Neighbour, HT_NEXTHOP)))
		rc = -EBADF;
	for (USHORT i = 0; !rc && i < info->NextHopsList.NumNextHops; i++) {
		HANDLE h = info->NextHopsList.NextHops[i];
		/* The neighbour is usually a next hop too: looked up once. */
		struct nexthop *nh = neighbour && h == info->Neighbour ? neighbour
								       : handle_get(h, HT_NEXTHOP);

		if (!nh)
			rc = -EBADF;
		else if (nexthop_owner(nh) != owner)
			rc = -EINVAL;
	}
	rcu_unlock();
	return rc;
}

/*
 * Reference neighbour nb uses times, in one batch with the n_also handles of
 * the caller (also[i] of type also_types[i], each live and kept so by a
 * reference the caller holds: their references cannot fail).  Returns
 * whether nb was referenced (a concurrent release may have killed it).
 */
static bool
neighbour_ref_with(rtm_handle nb, uint32_t uses, size_t n_also, const rtm_handle *also,
		   const enum htype *also_types)
{
	rtm_handle hs[REF_BATCH_MAX];
	enum htype types[REF_BATCH_MAX];
	size_t n;

	for (n = 0; n < n_also; n++) {
		hs[n] = also[n];
		types[n] = also_types[n];
	}
	if (nb && n + uses <= REF_BATCH_MAX) {
		for (uint32_t i = 0; i < uses; i++) {
			hs[n] = nb;
			types[n++] = HT_NEXTHOP;
		}
		if (handle_ref_all(n, hs, types))
			return true;
		/* nb died: the caller's handles alone. */
		(void)handle_ref_all(n_also, hs, types);
		return false;
	}
	if (n_also)
		(void)handle_ref_all(n_also, hs, types);
	return nb && handle_ref_n(nb, HT_NEXTHOP, uses);
}

/*
 * Fill v from info (v has room for its next hops), referencing its handles,
 * and in the same batch the caller's n_also live handles (see
 * neighbour_ref_with; at most 2).
 */
static struct route_version *
version_init(struct route_version *v, const RTM_ROUTE_INFO *info, size_t n_also,
	     const rtm_handle *also, const enum htype *also_types)
{
	USHORT n = info->NextHopsList.NumNextHops;
	uint32_t uses = 1;

	v->embedded = false;
	v->pref = info->PrefInfo;
	v->views_all = info->BelongsToViews == RTM_VIEW_MASK_ALL;
	/* route_info_check() let only supported views (or ALL) through. */
	v->views = (uint8_t)(v->views_all ? TABLE_VIEWS_SUPPORTED : info->BelongsToViews);
	v->flags = info->Flags;
	v->flags1 = info->Flags1;
	v->esi = info->EntitySpecificInfo;
	v->nnh = 0;
	v->neighbour = NULL;
	/* The handles were checked by route_info_check(); a reference can still
	 * fail if a concurrent release killed one: drop it from the version.
	 * The neighbour is usually a next hop too: one call references it for
	 * every place it takes in the version. */
	for (USHORT i = 0; info->Neighbour && i < n; i++)
		uses += info->NextHopsList.NextHops[i] == info->Neighbour;
	if (neighbour_ref_with(info->Neighbour, uses, n_also, also, also_types))
		v->neighbour = info->Neighbour;
	for (USHORT i = 0; i < n; i++) {
		HANDLE h = info->NextHopsList.NextHops[i];

		if (info->Neighbour && h == info->Neighbour) {
			if (v->neighbour) /* referenced with the neighbour above */
				v->nh[v->nnh++] = h;
		} else if (handle_ref(h, HT_NEXTHOP)) {
			v->nh[v->nnh++] = h;
		}
	}
	return v;
}

/* A version on the heap: its rcu_head, then the version. */
static struct rcu_head *
version_head(struct route_version *v)
{
	return (struct rcu_head *)((char *)v - sizeof(struct rcu_head));
}

/* A version on the heap, before anything is referenced; NULL on ENOMEM. */
static struct route_version *
version_alloc(USHORT nnh)
{
	char *p = rtm_malloc(sizeof(struct rcu_head) + sizeof(struct route_version) +
			     nnh * sizeof(rtm_handle));

	return p ? (struct route_version *)(p + sizeof(struct rcu_head)) : NULL;
}

struct route_version *
route_version_new(const RTM_ROUTE_INFO *info)
{
	struct route_version *v = version_alloc(info->NextHopsList.NumNextHops);

	return v ? version_init(v, info, 0, NULL, NULL) : NULL;
}

static void
version_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	rtm_free(head); /* the start of the allocation */
	rcu_deferred_done();
}

/*
 * The version's references go at once (a handle dies as soon as its last
 * reference is released, SEMANTICS.md §3); only the memory waits for readers.
 * A reader still copying v then fails to reference a dead handle and, seeing
 * that v is no longer current, copies the new version instead.
 */
void
route_version_retire(struct route_version *v)
{
	if (v) {
		version_put_handles(v);
		if (!v->embedded)
			rcu_defer(version_head(v), version_free_cb);
	}
}

void
route_version_discard(struct route_version *v)
{
	version_put_handles(v);
	if (!v->embedded)
		rtm_free(version_head(v));
}

bool
route_version_equal(const struct route_version *a, const struct route_version *b)
{
	if (a->pref.Preference != b->pref.Preference || a->pref.Metric != b->pref.Metric ||
	    a->views != b->views || a->flags != b->flags || a->flags1 != b->flags1 ||
	    a->esi != b->esi || a->neighbour != b->neighbour || a->nnh != b->nnh)
		return false;
	return memcmp(a->nh, b->nh, a->nnh * sizeof(a->nh[0])) == 0;
}

/* Reference the handles of src and store them in dst (the RTM's copy). */
static void
info_take_handles(RTM_ROUTE_INFO *dst, const RTM_ROUTE_INFO *src)
{
	USHORT n = 0;

	dst->Neighbour = NULL;
	if (src->Neighbour && handle_ref(src->Neighbour, HT_NEXTHOP))
		dst->Neighbour = src->Neighbour;
	for (USHORT i = 0; i < src->NextHopsList.NumNextHops; i++) {
		if (handle_ref(src->NextHopsList.NextHops[i], HT_NEXTHOP))
			dst->NextHopsList.NextHops[n++] = src->NextHopsList.NextHops[i];
	}
	dst->NextHopsList.NumNextHops = n;
}

/* Reference h for a copy; on failure note it and leave NULL. */
static HANDLE
copy_ref(HANDLE h, enum htype type, bool *failed)
{
	if (!h)
		return NULL;
	if (handle_ref(h, type))
		return h;
	*failed = true;
	return NULL;
}

static void
copy_put(RTM_ROUTE_INFO *out)
{
	if (out->Neighbour)
		handle_put(out->Neighbour);
	for (USHORT i = 0; i < out->NextHopsList.NumNextHops; i++)
		handle_put(out->NextHopsList.NextHops[i]);
}

/* Drop the route's own references held through r->info. */
static void
info_put_handles(RTM_ROUTE_INFO *info)
{
	/* The client may have stored anything there during an edit: only live
	 * handles of the right type are released. */
	if (info->Neighbour)
		handle_put_checked(info->Neighbour, HT_BIT(HT_NEXTHOP));
	for (USHORT i = 0; i < info->NextHopsList.NumNextHops; i++)
		handle_put_checked(info->NextHopsList.NextHops[i], HT_BIT(HT_NEXTHOP));
	info->Neighbour = NULL;
	info->NextHopsList.NumNextHops = 0;
}

void
route_info_assign(struct route *r, const RTM_ROUTE_INFO *info)
{
	RTM_ROUTE_INFO *dst, *old;
	size_t sz = ROUTE_INFO_SIZE(route_dest(r)->table->max_nexthops);

	/* The publish's seqcount write comes first: see route_info_get(). */
	fence_seq_cst();
	dst = route_info_peek(r);
	if (!dst)
		return; /* built from the new version when someone asks */
	old = alloca(sz);
	memcpy(old, dst, sz);
	dst->Flags1 = info->Flags1;
	dst->Flags = info->Flags;
	dst->PrefInfo = info->PrefInfo;
	dst->BelongsToViews = info->BelongsToViews;
	dst->EntitySpecificInfo = info->EntitySpecificInfo;
	info_take_handles(dst, info);
	info_put_handles(old);
	route_info_restore_identity(r, dst);
}

void
route_info_sync_state(struct route *r)
{
	RTM_ROUTE_INFO *info;

	fence_seq_cst(); /* as in route_info_assign() */
	info = route_info_peek(r);
	if (info)
		info->State = ld_relaxed(&r->state);
}

void
route_info_restore_identity(struct route *r, RTM_ROUTE_INFO *info)
{
	info->DestHandle = route_dest(r)->handle;
	info->RouteOwner = r->owner->handle;
	info->State = ld_relaxed(&r->state);
}

/*
 * Fill dst from version v of r, referencing its handles.  False if one of
 * them died (v was replaced meanwhile): nothing is referenced then.
 * Inside rcu_lock() or with d's lock held.
 */
static bool
info_fill(struct route *r, const struct route_version *v, RTM_ROUTE_INFO *dst)
{
	bool failed = false;
	USHORT n = 0;

	dst->Neighbour = copy_ref(v->neighbour, HT_NEXTHOP, &failed);
	for (USHORT i = 0; i < v->nnh && !failed; i++) {
		HANDLE h = copy_ref(v->nh[i], HT_NEXTHOP, &failed);

		if (h)
			dst->NextHopsList.NextHops[n++] = h;
	}
	dst->NextHopsList.NumNextHops = n;
	if (failed) {
		copy_put(dst);
		return false;
	}
	dst->Flags1 = v->flags1;
	dst->Flags = v->flags;
	dst->PrefInfo = v->pref;
	dst->BelongsToViews = v->views_all ? RTM_VIEW_MASK_ALL : v->views;
	dst->EntitySpecificInfo = v->esi;
	route_info_restore_identity(r, dst);
	return true;
}

/*
 * Building r->info without d's lock races only with a writer replacing the
 * version (or deleting r), and every such writer bumps d's seqcount before it
 * looks at r->info (route_info_assign / route_info_sync_state, after a
 * seq_cst fence).  The builder installs its copy with a seq_cst CAS and then,
 * after a seq_cst fence, re-reads the seqcount: if it did not move, any later
 * writer sees the new info and keeps it current; if it moved, a writer may
 * have missed it, and the builder refreshes it under the exclusive lock.  In
 * that case this thread cannot be holding d's lock (no writer could have
 * run), so taking it cannot deadlock.  A builder that holds d's lock (shared
 * or exclusive) never takes the refresh path.
 */
RTM_ROUTE_INFO *
route_info_get(struct route *r)
{
	struct dest *d = route_dest(r);
	RTM_ROUTE_INFO *info = route_info_peek(r), *fresh;
	struct route_ext *x;
	uint32_t s;

	if (likely(info != NULL))
		return info;
	x = route_ext_get(r);
	if (!x)
		return NULL;
	fresh = rtm_calloc(1, ROUTE_INFO_SIZE(d->table->max_nexthops));
	if (!fresh)
		return NULL;
	rcu_lock();
	do
		s = seq_read_begin(&d->seq);
	while (!info_fill(r, ld_acquire(&r->pub), fresh));
	rcu_unlock();
	if (!atomic_compare_exchange_strong(&x->info, &info, fresh)) {
		info_put_handles(fresh);
		rtm_free(fresh);
		return info; /* another builder won */
	}
	fence_seq_cst();
	if (ld_relaxed(&d->seq.seq) != s) {
		rcu_thread_locks_held++;
		destlock_write_lock(&d->lock);
		info_put_handles(fresh);
		/* The current version's handles are referenced by it: no failure. */
		info_fill(r, ld_relaxed(&r->pub), fresh);
		destlock_write_unlock(&d->lock);
		rcu_thread_locks_held--;
	}
	return fresh;
}

/* A heap route: its header (rcu_head, destination), then the route. */
static struct rcu_head *
route_head(struct route *r)
{
	return &((struct route_heap_hdr *)r - 1)->rcu;
}

void
route_release_memory(struct route *r)
{
	struct route_ext *x = ld_relaxed(&r->ext);

	if (x) {
		rtm_free(ld_relaxed(&x->info));
		rtm_free(x);
	}
	handle_recycle(r->handle);
}

static void
route_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	struct route *r = (struct route *)(caa_container_of(head, struct route_heap_hdr, rcu) + 1);

	route_release_memory(r);
	rtm_free(head); /* the start of the allocation */
	rcu_deferred_done();
}

struct route_ext *
route_ext_get(struct route *r)
{
	struct route_ext *x = ld_acquire(&r->ext), *fresh;

	if (x)
		return x;
	fresh = rtm_calloc(1, sizeof(*fresh));
	if (!fresh)
		return NULL;
	fresh->route = r;
	fresh->ttl.fn = ttl_expired;
	fresh->ttl.entity = r->owner;
	CDS_INIT_LIST_HEAD(&fresh->list_link);
	if (atomic_compare_exchange_strong_explicit(&r->ext, &x, fresh, memory_order_acq_rel,
						    memory_order_acquire))
		return fresh;
	rtm_free(fresh);
	return x;
}

/* Finalizer: last reference gone (the route was deleted before). */
static void
route_final(void *obj)
{
	struct route *r = obj;

	RTM_ROUTE_INFO *info = route_info_peek(r);

	route_version_retire(ld_relaxed(&r->pub));
	if (info)
		info_put_handles(info);
	handle_put(r->owner->handle);
	if (route_is_embedded(r)) {
		/* Last: this may start d's deferred free, which also releases
		 * r's memory (dest.h), so r is not touched after it. */
		handle_put(route_dest(r)->handle);
	} else {
		handle_put(route_dest(r)->handle);
		rcu_defer(route_head(r), route_free_cb);
	}
}

void
route_module_init(void)
{
	handle_set_finalizer(HT_ROUTE, route_final);
}

/*
 * The age of a route joining set: younger than every route in it.  Ages only
 * order the routes of one destination (SEMANTICS.md §5), which are created
 * under its exclusive lock, so no table-wide counter is needed.
 */
static uint64_t
age_after(const struct route_set *set)
{
	uint64_t age = 0;

	for (uint32_t i = 0; set && i < set->n; i++) {
		if (route_age(set->e[i].route) >= age)
			age = route_age(set->e[i].route) + 1;
	}
	return age;
}

struct route *
route_new(struct dest *dest, struct entity *owner, const RTM_ROUTE_INFO *info, bool first,
	  uint32_t refs)
{
	/* The route's references on its owner and (unless dest_new() counted
	 * it) its destination, taken in one batch with its version's. */
	const rtm_handle holders[2] = {owner->handle, dest->handle};
	static const enum htype holder_types[2] = {HT_ENTITY, HT_DEST};
	struct route *r;
	struct route_version *v;
	uint64_t age;

	if (first) {
		r = memset(dest_first_route_mem(dest), 0, sizeof(*r));
		v = dest_first_version_mem(dest);
	} else {
		struct route_heap_hdr *p = rtm_calloc(1, sizeof(*p) + sizeof(*r));

		if (!p)
			return NULL;
		p->dest = dest;
		r = (struct route *)(p + 1);
		v = version_alloc(info->NextHopsList.NumNextHops);
		if (!v) {
			rtm_free(p);
			return NULL;
		}
	}
	if (handle_alloc(HT_ROUTE, r, refs, &r->handle) != 0) {
		if (!first) {
			rtm_free(version_head(v));
			rtm_free(route_head(r));
		}
		return NULL;
	}
	version_init(v, info, first ? 1 : 2, holders, holder_types);
	v->embedded = first;
	r->embedded = first;
	r->owner = owner;
	age = first ? 0 : age_after(ld_relaxed(&dest->set));
	if (age > ROUTE_AGE_MAX)
		age = ROUTE_AGE_MAX; /* after 2^48 additions: ties keep set order */
	r->age_low = (uint32_t)age;
	r->age_high = (uint16_t)(age >> 32);
	atomic_init(&r->state, RTM_ROUTE_STATE_CREATED);
	atomic_init(&r->pub, v);
	atomic_init(&r->ext, NULL);
	return r;
}

void
route_discard(struct route *r)
{
	rtm_handle h = r->handle;

	route_version_discard(ld_relaxed(&r->pub));
	handle_put(route_dest(r)->handle);
	handle_put(r->owner->handle);
	/* Nobody could build its info: it was never published.  Its ext, if
	 * any, comes from extras_prepare: no timer, no list, no info. */
	rtm_free(ld_relaxed(&r->ext));
	if (!route_is_embedded(r)) /* else its memory goes with dest_discard() */
		rtm_free(route_head(r));
	handle_recycle(h);
}

void
route_info_copy_rcu(struct route *r, RTM_ROUTE_INFO *out)
{
	const struct route_version *v;
	bool failed;

	for (;;) {
		USHORT n = 0;

		/* Pairs with the release in publish_version_locked(). */
		v = ld_acquire(&r->pub);
		failed = false;
		out->Neighbour = copy_ref(v->neighbour, HT_NEXTHOP, &failed);
		for (USHORT i = 0; i < v->nnh; i++) {
			HANDLE h = copy_ref(v->nh[i], HT_NEXTHOP, &failed);

			if (h)
				out->NextHopsList.NextHops[n++] = h;
		}
		out->NextHopsList.NumNextHops = n;
		/* A dead handle means v was replaced (or r is dying): retry with
		 * the current version unless v is still it. */
		if (!failed || ld_acquire(&r->pub) == v)
			break;
		copy_put(out);
	}
	out->DestHandle = handle_ref(route_dest(r)->handle, HT_DEST) ? route_dest(r)->handle : NULL;
	out->RouteOwner = handle_ref(r->owner->handle, HT_ENTITY) ? r->owner->handle : NULL;
	out->State = ld_acquire(&r->state);
	out->Flags1 = v->flags1;
	out->Flags = v->flags;
	out->PrefInfo = v->pref;
	out->BelongsToViews = v->views;
	out->EntitySpecificInfo = v->esi;
}

/* Does route version v (of route r) satisfy the match criteria (§8)? */
bool
route_matches_rcu(const struct route *r, const struct route_version *v, RTM_MATCH_FLAGS flags,
		  const RTM_ROUTE_INFO *c, ULONG ifindex)
{
	if ((flags & RTM_MATCH_OWNER) && c->RouteOwner != r->owner->handle)
		return false;
	if ((flags & RTM_MATCH_NEIGHBOUR) && c->Neighbour != v->neighbour)
		return false;
	if ((flags & RTM_MATCH_PREF) && (c->PrefInfo.Preference != v->pref.Preference ||
					 c->PrefInfo.Metric != v->pref.Metric))
		return false;
	if (flags & RTM_MATCH_NEXTHOP) {
		for (USHORT i = 0; i < c->NextHopsList.NumNextHops; i++) {
			bool found = false;

			for (USHORT j = 0; j < v->nnh && !found; j++)
				found = v->nh[j] == c->NextHopsList.NextHops[i];
			if (!found)
				return false;
		}
	}
	if (flags & RTM_MATCH_INTERFACE) {
		bool found = false;

		for (USHORT j = 0; j < v->nnh && !found; j++) {
			struct nexthop *nh = handle_get(v->nh[j], HT_NEXTHOP);

			found = nh && nh->info.InterfaceIndex == ifindex;
		}
		if (!found)
			return false;
	}
	return true;
}
