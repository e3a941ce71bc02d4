/*
 * Route changes (see update.h).
 *
 * Ordering: every publish happens with the destination's lock held
 * exclusively, inside its seqcount write section (dest_publish_locked), and
 * the route's own version pointer is replaced with a release store at the
 * same time.  Readers pair with these through acquire loads.  A destination
 * whose last route (and hold route) goes leaves the trie under the table's
 * trie lock (of its part) while its lock is still held, so a writer that waited for that
 * lock and finds in_trie == false knows it must look the prefix up again.
 * Change notification is told, still under the lock, which views saw which
 * kind of change.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "aging.h"
#include "notify.h"
#include "routelist.h"
#include "table.h"
#include "trie.h"
#include "update.h"

#define PURGE_BATCH 64

void
dest_lock(struct dest *d, bool exclusive)
{
	rcu_thread_locks_held++;
	if (exclusive)
		destlock_write_lock(&d->lock);
	else
		destlock_read_lock(&d->lock);
}

void
dest_unlock(struct dest *d, bool exclusive)
{
	if (exclusive)
		destlock_write_unlock(&d->lock);
	else
		destlock_read_unlock(&d->lock);
	rcu_thread_locks_held--;
}

/*
 * Overall best route of each supported view (NULL if none): the first route
 * of the set in that view (route_set_best without a protocol filter), found
 * for every view in one pass, which for the usual one-route set is one look.
 */
static void
best_routes(const struct route_set *set, struct route *best[TABLE_NUM_VIEWS])
{
	uint32_t missing = (1u << TABLE_NUM_VIEWS) - 1;

	for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++)
		best[v] = NULL;
	for (uint32_t i = 0; set && missing && i < set->n; i++) {
		uint32_t found = set->e[i].ver->views & missing;

		missing &= ~found;
		for (; found; found &= found - 1)
			best[__builtin_ctz(found)] = set->e[i].route;
	}
}

/* Views that saw each kind of change (SEMANTICS.md §11). */
struct change {
	uint32_t all, best, fwd;
};

static bool
pref_or_nexthops_differ(const struct route_version *a, const struct route_version *b)
{
	return a->pref.Preference != b->pref.Preference || a->pref.Metric != b->pref.Metric ||
	       a->nnh != b->nnh || memcmp(a->nh, b->nh, a->nnh * sizeof(a->nh[0])) != 0;
}

/*
 * The change from set s0 to s1, in which route r went from version v0 to v1
 * (v0 NULL: r is new; v1 NULL: r left).  Returns RTM_ROUTE_CHANGE_BEST if a
 * view's best route changed, or r stays best somewhere and r_changed says
 * its data changed (SEMANTICS.md §5).
 */
static DWORD
change_of(const struct route_set *s0, const struct route_set *s1, const struct route *r,
	  const struct route_version *v0, const struct route_version *v1, bool r_changed,
	  struct change *c)
{
	struct route *b0[TABLE_NUM_VIEWS], *b1[TABLE_NUM_VIEWS];
	DWORD best_flag = 0;

	c->all = (v0 ? v0->views : 0) | (v1 ? v1->views : 0);
	if (!s0) {
		/* A new destination: each view with a route in it has a best
		 * route where it had none. */
		c->best = c->fwd = s1 ? s1->views : 0;
		best_flag = c->best ? RTM_ROUTE_CHANGE_BEST : 0;
		for (unsigned v = 0; s1 && v < TABLE_NUM_VIEWS; v++) {
			if (route_set_hold(s1, v)) {
				c->all |= 1u << v;
				c->best |= 1u << v;
			}
		}
		return best_flag;
	}
	best_routes(s0, b0);
	if (!s1) {
		/* Nothing left (the last route went, and no hold-down began):
		 * each view with a best route or a hold-down loses it.  The
		 * loop below with b1[] all NULL, without looking at s1. */
		c->best = c->fwd = 0;
		for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++) {
			uint32_t bit = 1u << v;

			if (b0[v]) {
				best_flag = RTM_ROUTE_CHANGE_BEST;
				c->best |= bit;
				c->fwd |= bit;
			}
			if (route_set_hold(s0, v)) {
				c->all |= bit;
				c->best |= bit;
			}
		}
		return best_flag;
	}
	best_routes(s1, b1);
	c->best = c->fwd = 0;
	for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++) {
		uint32_t bit = 1u << v;

		if (b0[v] != b1[v] || (r_changed && b1[v] == r))
			best_flag = RTM_ROUTE_CHANGE_BEST;
		if (b0[v] != b1[v]) {
			c->best |= bit;
			c->fwd |= bit;
		} else if (b1[v] && b1[v] == r && v0 && v1) {
			bool pn = pref_or_nexthops_differ(v0, v1);

			if (pn || v0->flags != v1->flags)
				c->best |= bit;
			if (pn || ((v0->flags ^ v1->flags) & RTM_ROUTE_FLAGS_FORWARDING))
				c->fwd |= bit;
		}
		/* A hold-down starting or ending changes the view too. */
		if (route_set_hold(s0, v) != route_set_hold(s1, v)) {
			c->all |= bit;
			c->best |= bit;
		}
	}
	return best_flag;
}

/* Remove d from the trie (d locked exclusively, empty). */
static void
dest_leave_trie_locked(struct dest *d)
{
	struct table *t = d->table;
	struct trie_part *p = table_trie_lock(t, &d->key);

	trie_remove_locked(&t->trie, d);
	dest_set_in_trie(d, false);
	table_trie_unlock(p);
	handle_kill_put(d->handle); /* the trie's reference; the caller holds another */
}

/* Publish version v of r in d (d locked exclusively).  0 or -ENOMEM. */
static int
publish_version_locked(struct dest *d, struct route *r, struct route_version *v, bool is_new,
		       DWORD *flags)
{
	struct route_set *old = ld_relaxed(&d->set);
	struct route_version *oldv = ld_relaxed(&r->pub);
	struct route_set *ns = route_set_with(old, r, v);
	struct change c;

	if (!ns)
		return -ENOMEM;
	*flags = change_of(old, ns, r, is_new ? NULL : oldv, v,
			   !is_new && !route_version_equal(oldv, v), &c);
#ifdef RTM_BROKEN_PUBLISH
	/* Deliberately broken build (tests/lincheck only): the route's new
	 * version is visible for a long while before the route set and best
	 * route that go with it.  The linearizability check must catch this. */
	st_release(&r->pub, v);
	usleep(200);
#endif
	/* Inside the set's write section: a reader that saw v (route_info_copy_rcu)
	 * cannot then take a snapshot of the old set. */
	dest_publish_begin_locked(d);
	st_release(&r->pub, v); /* pairs with the acquire in route_info_copy_rcu */
	dest_publish_end_locked(d, ns);
	route_set_retire(old);
	if (oldv != v)
		route_version_retire(oldv);
	notify_dest_changed_locked(d, c.all, c.best, c.fwd);
	return 0;
}

/* Update r from the client's info (d locked exclusively). */
static int
update_locked(struct dest *d, struct route *r, const RTM_ROUTE_INFO *info, DWORD *flags)
{
	struct route_version *v = route_version_new(info);
	int rc;

	if (!v)
		return -ENOMEM;
	rc = publish_version_locked(d, r, v, false, flags);
	if (rc) {
		route_version_discard(v);
		return rc;
	}
	route_info_assign(r, info);
	return 0;
}

/*
 * Before anything is published: allocate what apply_extras() will need (the
 * route's extension, for the aging timer and the list link), so that a
 * failure fails the call before the change and apply_extras() cannot fail.
 */
static int
extras_prepare(struct route *r, const struct update_extras *x)
{
	if ((x->ttl != INFINITE || x->list) && !route_ext_get(r))
		return -ENOMEM;
	return 0;
}

/* After a successful add or update: TTL and route list.  Cannot fail after
 * extras_prepare() (the worker runs since the owner registered). */
static void
apply_extras(struct route *r, const struct update_extras *x)
{
	(void)aging_set_ttl(r, x->ttl);
	if (x->list)
		(void)routelist_move(r, x->list);
}

int
update_route(struct entity *e, struct route *r, const RTM_ROUTE_INFO *info,
	     const struct update_extras *x, DWORD *out_flags)
{
	struct dest *d = route_dest(r);
	int rc;

	dest_lock(d, true);
	if (ld_relaxed(&r->state) != RTM_ROUTE_STATE_CREATED)
		rc = -ENOENT;
	else if (!ld_acquire(&e->registered))
		rc = -EBADF;
	else if (!(rc = extras_prepare(r, x)))
		rc = update_locked(d, r, info, out_flags);
	if (!rc)
		apply_extras(r, x);
	dest_unlock(d, true);
	return rc;
}

/* r's neighbour as the RTM's own info says (d locked exclusively). */
static HANDLE
route_neighbour_locked(struct route *r)
{
	const RTM_ROUTE_INFO *info = route_info_peek(r);

	return info ? info->Neighbour : ld_relaxed(&r->pub)->neighbour;
}

/* The caller's route on d that this add should update, or NULL. */
static struct route *
find_match_locked(struct dest *d, struct entity *e, const RTM_ROUTE_INFO *info, DWORD in_flags)
{
	const struct route_set *set = ld_relaxed(&d->set);

	if (!set || (in_flags & RTM_ROUTE_CHANGE_NEW))
		return NULL;
	for (uint32_t i = 0; i < set->n; i++) {
		struct route *r = set->e[i].route;

		if (r->owner != e)
			continue;
		if ((in_flags & RTM_ROUTE_CHANGE_FIRST) || route_neighbour_locked(r) == info->Neighbour)
			return r;
	}
	return NULL;
}

static void
give_handle(struct route *r, rtm_handle *out_handle)
{
	if (out_handle) {
		handle_ref(r->handle, HT_ROUTE);
		*out_handle = r->handle;
	}
}

/* Add to an existing destination.  -EAGAIN: it left the trie, look again. */
static int
add_to_dest(struct dest *d, struct entity *e, const RTM_ROUTE_INFO *info, DWORD in_flags,
	    const struct update_extras *x, DWORD *out_flags, rtm_handle *out_handle)
{
	struct route *r;
	int rc = 0;

	dest_lock(d, true);
	if (!dest_in_trie(d)) {
		rc = -EAGAIN;
		goto out;
	}
	if (!ld_acquire(&e->registered)) {
		rc = -EBADF;
		goto out;
	}
	r = find_match_locked(d, e, info, in_flags);
	if (r) {
		rc = extras_prepare(r, x);
		if (!rc)
			rc = update_locked(d, r, info, out_flags);
		if (!rc) {
			apply_extras(r, x);
			give_handle(r, out_handle);
		}
	} else {
		r = route_new(d, e, info, false, out_handle ? 2 : 1);
		if (!r) {
			rc = -ENOMEM;
			goto out;
		}
		rc = extras_prepare(r, x);
		if (!rc)
			rc = publish_version_locked(d, r, ld_relaxed(&r->pub), true, out_flags);
		if (rc) {
			route_discard(r);
			goto out;
		}
		*out_flags |= RTM_ROUTE_CHANGE_NEW;
		apply_extras(r, x);
		if (out_handle)
			*out_handle = r->handle; /* its reference came with route_new */
	}
out:
	dest_unlock(d, true);
	return rc;
}

/* Create the destination with its first route.  -EAGAIN: lost a race. */
static int
add_new_dest(struct entity *e, const struct prefix *key, const RTM_ROUTE_INFO *info,
	     const struct update_extras *x, DWORD *out_flags, rtm_handle *out_handle)
{
	struct table *t = e->table;
	/* The trie's reference and the first route's (route_new). */
	struct dest *d = dest_new(t, key, 2, info->NextHopsList.NumNextHops);
	struct route *r = NULL;
	struct route_set *set = NULL;
	struct trie_part *part;
	int rc;

	if (!d)
		return -ENOMEM;
	r = route_new(d, e, info, true, out_handle ? 2 : 1);
	if (!r || extras_prepare(r, x)) {
		rc = -ENOMEM;
		goto out_discard;
	}
	set = route_set_first(d, r, ld_relaxed(&r->pub));
	atomic_init(&d->set, set);
	dest_set_in_trie(d, true);
	/* Nobody can reach d before the insert publishes it; the lock makes
	 * whoever does wait until the extras and notifications are done. */
	dest_lock(d, true);
	part = table_trie_lock(t, key);
	if (!ld_acquire(&e->registered))
		rc = -EBADF;
	else
		rc = trie_insert_locked(&t->trie, d); /* publishes d */
	table_trie_unlock(part);
	if (!rc) {
		struct change c;

		*out_flags = RTM_ROUTE_CHANGE_NEW |
			     change_of(NULL, set, r, NULL, ld_relaxed(&r->pub), false, &c);
		apply_extras(r, x);
		if (out_handle)
			*out_handle = r->handle; /* its reference came with route_new */
		notify_dest_changed_locked(d, c.all, c.best, c.fwd);
		dest_unlock(d, true);
		return 0;
	}
	dest_unlock(d, true);
	st_relaxed(&d->set, NULL); /* set lives in d's block */
out_discard:
	if (r)
		route_discard(r);
	dest_discard(d);
	return rc == -EEXIST ? -EAGAIN : rc;
}

int
update_add_route(struct entity *e, const struct prefix *key, const RTM_ROUTE_INFO *info,
		 DWORD in_flags, const struct update_extras *x, DWORD *out_flags,
		 rtm_handle *out_handle)
{
	struct table *t = e->table;

	for (;;) {
		struct dest *d;
		int rc;

		rcu_lock();
		d = trie_lookup_exact_rcu(&t->trie, key);
		if (d && !handle_ref(d->handle, HT_DEST))
			d = NULL; /* dying: it has left the trie already */
		rcu_unlock();
		if (d) {
			rc = add_to_dest(d, e, info, in_flags, x, out_flags, out_handle);
			handle_put(d->handle);
		} else {
			rc = add_new_dest(e, key, info, x, out_flags, out_handle);
		}
		if (rc != -EAGAIN)
			return rc;
	}
}

/*
 * Publish set (NULL if empty).  Returns true if nothing is left: the caller
 * then reports the change and only after that calls dest_leave_trie_locked(),
 * so that a withdrawal is queued before anything about a new destination that
 * takes the prefix once this one has left the trie.
 */
static bool
publish_set_locked(struct dest *d, struct route_set *ns, struct route *gone)
{
	struct route_set *old = ld_relaxed(&d->set);
	bool empty = route_set_is_empty(ns);

	dest_publish_begin_locked(d);
	/* In the same write section as the set, as for versions above. */
	if (gone)
		st_release(&gone->state, RTM_ROUTE_STATE_DELETED);
	dest_publish_end_locked(d, empty ? NULL : ns);
	route_set_retire(old);
	if (empty && ns)
		route_set_discard(ns); /* never published */
	return empty;
}

/* Remove r from d (d locked exclusively).  0 or -ENOENT / -ENOMEM. */
static int
delete_locked(struct dest *d, struct route *r, DWORD *out_flags)
{
	struct route_set *old = ld_relaxed(&d->set), *ns;
	struct route_version *v = ld_relaxed(&r->pub);
	struct change c;
	bool empty;

	if (ld_relaxed(&r->state) != RTM_ROUTE_STATE_CREATED)
		return -ENOENT;
	if (route_set_only(old, r) && !(dest_hold(d) && dest_hold(d)->views)) {
		ns = NULL; /* nothing left and no hold-down to begin: no new set */
	} else {
		ns = route_set_without(old, r);
		if (!ns)
			return -ENOMEM;
	}
	aging_hold_begin_locked(d, ns, r, v);
	*out_flags = change_of(old, ns, r, v, NULL, false, &c);
	empty = publish_set_locked(d, ns, r); /* r's state becomes DELETED there */
	route_info_sync_state(r);
	aging_cancel(r);
	routelist_remove(r);
	notify_dest_changed_locked(d, c.all, c.best, c.fwd);
	if (empty)
		dest_leave_trie_locked(d);
	handle_kill_put(r->handle); /* the store's reference */
	return 0;
}

/*
 * Start loading, at once, the lines a deletion of a route of d writes or
 * reads in turn: the block's first three (the lock and tag, the lookup line
 * with the seqcount, set pointer, handle and key, the embedded set and
 * version; dest.h), d's handle slot and the top of d's trie path (killed and
 * walked when the last route goes).  Without this, each is a miss of its
 * own after the one before, and the lock's atomic even waits for all loads
 * before it.  A hint only.
 */
static void
deletion_prefetch(struct dest *d)
{
	__builtin_prefetch(d, 1, 3);
	__builtin_prefetch((const char *)d + DEST_HOT_OFF, 1, 3);
	__builtin_prefetch((const char *)d + DEST_BLOCK_SET_OFF);
	handle_prefetch_for_write(d->handle);
	trie_prefetch_top(&d->table->trie, &d->key);
}

int
update_delete_route(struct route *r, DWORD *out_flags)
{
	struct dest *d = route_dest(r);
	int rc;

	deletion_prefetch(d);
	/* The caller's reference on r keeps r, and r's reference keeps d,
	 * alive until after the unlock, even when d leaves the trie. */
	dest_lock(d, true);
	rc = delete_locked(d, r, out_flags);
	dest_unlock(d, true);
	return rc;
}

int
update_in_place_and_unlock(struct entity *e, struct route *r, const struct update_extras *x,
			   DWORD *out_flags)
{
	struct dest *d = route_dest(r);
	struct route_version *v;
	RTM_ROUTE_INFO *info;
	int rc;

	if (!destlock_is_write_locked(&d->lock))
		return -EINVAL;
	info = route_info_get(r); /* exists unless RtmLockDestination took the lock */
	if (!info)
		return -ENOMEM;
	route_info_restore_identity(r, info);
	if (ld_relaxed(&r->state) != RTM_ROUTE_STATE_CREATED)
		return -ENOENT;
	rc = route_info_check(info, e);
	if (!rc)
		rc = extras_prepare(r, x);
	if (rc)
		return rc;
	v = route_version_new(info);
	if (!v)
		return -ENOMEM;
	rc = publish_version_locked(d, r, v, false, out_flags);
	if (rc) {
		route_version_discard(v);
		return rc;
	}
	apply_extras(r, x);
	dest_unlock(d, true);
	return 0;
}

int
update_hold_destination(struct dest *d, uint32_t views, ULONG ms)
{
	int rc;

	handle_ref(d->handle, HT_DEST);
	dest_lock(d, true);
	/* The hold-down timer now, so that the deletion that starts it
	 * cannot fail to. */
	rc = aging_hold_prepare_locked(d);
	if (!rc) {
		struct dest_hold *h = dest_hold(d);

		h->views |= views;
		if (ms > h->ms)
			h->ms = ms;
	}
	dest_unlock(d, true);
	handle_put(d->handle);
	return rc;
}

void
update_end_hold(struct dest *d)
{
	struct route *ended[TABLE_NUM_VIEWS] = {NULL};
	struct route_set *old, *ns;
	struct change c;
	bool empty;

	dest_lock(d, true);
	old = ld_relaxed(&d->set);
	/* A copy without holds (retry on ENOMEM: the hold must end). */
	while (!(ns = route_set_without(old, NULL))) {
		dest_unlock(d, true);
		usleep(1000);
		dest_lock(d, true);
		old = ld_relaxed(&d->set);
	}
	for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++) {
		ended[v] = route_set_hold(ns, v);
		route_set_hold_assign(ns, v, NULL);
	}
	(void)change_of(old, ns, NULL, NULL, NULL, false, &c);
	empty = publish_set_locked(d, ns, NULL);
	notify_dest_changed_locked(d, c.all, c.best, c.fwd);
	if (empty)
		dest_leave_trie_locked(d);
	dest_unlock(d, true);
	for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++) {
		if (ended[v])
			handle_put(ended[v]->handle); /* the hold's reference */
	}
}

/* Delete every route of e on d and clear e's opaque slot there. */
static void
purge_dest(struct dest *d, struct entity *e)
{
	dest_lock(d, true);
	for (;;) {
		const struct route_set *set = ld_relaxed(&d->set);
		struct route *mine = NULL;
		DWORD flags;

		for (uint32_t i = 0; set && i < set->n && !mine; i++) {
			if (set->e[i].route->owner == e)
				mine = set->e[i].route;
		}
		if (!mine)
			break;
		if (delete_locked(d, mine, &flags) == -ENOMEM) {
			/* Deregistration cannot fail: wait for memory. */
			dest_unlock(d, true);
			usleep(1000);
			dest_lock(d, true);
		}
	}
	if (e->opaque_slot >= 0) {
		void **arr = dest_opaque_array(d);

		if (arr)
			arr[e->opaque_slot] = NULL;
	}
	dest_unlock(d, true);
}

static bool
dest_has_route_of(struct dest *d, const struct entity *e)
{
	struct dest_snapshot snap;

	dest_snapshot_rcu(d, &snap);
	for (uint32_t i = 0; snap.set && i < snap.set->n; i++) {
		if (snap.set->e[i].route->owner == e)
			return true;
	}
	return false;
}

void
update_purge_entity(struct entity *e)
{
	struct table *t = e->table;
	struct prefix last;
	bool started = false;

	/* Wait out any first-route insert that saw e still registered. */
	trie_writers_barrier(&t->trie);

	for (;;) {
		struct dest *batch[PURGE_BATCH], *d;
		unsigned n = 0;

		rcu_lock();
		d = trie_next_rcu(&t->trie, started ? &last : NULL, started);
		while (d && n < PURGE_BATCH) {
			/* Purged only with a reference. */
			bool routes = dest_has_route_of(d, e);

			if ((routes || e->opaque_slot >= 0) && handle_ref(d->handle, HT_DEST)) {
				if (routes || dest_opaque_array(d))
					batch[n++] = d;
				else
					handle_put(d->handle);
			}
			last = d->key;
			started = true;
			d = trie_next_rcu(&t->trie, &last, true);
		}
		rcu_unlock();
		for (unsigned i = 0; i < n; i++) {
			purge_dest(batch[i], e);
			handle_put(batch[i]->handle);
		}
		if (!d)
			break;
	}
}
