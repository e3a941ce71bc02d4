/*
 * Enumerations.  Destinations and routes are found with trie_next_rcu()
 * strictly after the last key visited, so a destination present for the
 * whole enumeration is returned exactly once and in order, whatever writers
 * do meanwhile (SEMANTICS.md §10, "live cursors").  The routes of one
 * destination are taken as one snapshot when the cursor reaches it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dest.h"
#include "enum.h"
#include "nexthop.h"
#include "table.h"
#include "trie.h"

static void
enum_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	struct rtm_enum *en = caa_container_of(head, struct rtm_enum, rcu);
	rtm_handle h = en->handle;

	pthread_mutex_destroy(&en->lock);
	rtm_free(en->criteria);
	rtm_free(en->pending);
	rtm_free(en);
	handle_recycle(h);
	rcu_deferred_done();
}

static void
enum_final(void *obj)
{
	struct rtm_enum *en = obj;

	if (en->dest)
		handle_put(en->dest->handle);
	handle_put(en->owner->handle);
	rcu_defer(&en->rcu, enum_free_cb);
}

void
enum_module_init(void)
{
	handle_set_finalizer(HT_ENUM, enum_final);
}

struct rtm_enum *
enum_new(struct entity *e, enum enum_kind kind)
{
	struct rtm_enum *en = rtm_calloc(1, sizeof(*en));

	if (!en)
		return NULL;
	en->kind = kind;
	en->owner = e;
	pthread_mutex_init(&en->lock, NULL);
	atomic_init(&en->dead, false);
	if (handle_alloc(HT_ENUM, en, 1, &en->handle) != 0) {
		pthread_mutex_destroy(&en->lock);
		rtm_free(en);
		return NULL;
	}
	handle_ref(e->handle, HT_ENTITY);
	pthread_mutex_lock(&e->lists_lock);
	cds_list_add_tail(&en->link, &e->enums);
	pthread_mutex_unlock(&e->lists_lock);
	return en;
}

struct rtm_enum *
enum_ref(rtm_handle h, const struct entity *caller, enum enum_kind kind)
{
	struct rtm_enum *en = handle_ref(h, HT_ENUM);

	if (!en)
		return NULL;
	if (en->owner != caller || en->kind != kind || ld_acquire(&en->dead)) {
		handle_put(h);
		return NULL;
	}
	return en;
}

int
enum_set_start(struct rtm_enum *en, DWORD flags, const RTM_NET_ADDRESS *addr)
{
	DWORD how = flags & (RTM_ENUM_NEXT | RTM_ENUM_RANGE);
	struct table *t = en->owner->table;

	if (how == (RTM_ENUM_NEXT | RTM_ENUM_RANGE))
		return -EINVAL;
	if (!how)
		return 0;
	if (!addr || addr->AddressFamily != t->family)
		return -EINVAL;
	if (prefix_from_net(&en->from, addr, t->width))
		return -EINVAL;
	en->has_from = true;
	en->has_range = how == RTM_ENUM_RANGE;
	return 0;
}

/* Next destination of the walk, moving the cursor; NULL at the end. */
static struct dest *
walk_next_rcu(struct rtm_enum *en)
{
	struct trie *trie = &en->owner->table->trie;
	struct dest *d;

	if (en->started)
		d = trie_next_rcu(trie, &en->cursor, true);
	else
		d = trie_next_rcu(trie, en->has_from ? &en->from : NULL, false);
	if (!d || (en->has_range && !prefix_covers(&en->from, &d->key))) {
		en->done = true;
		return NULL;
	}
	en->cursor = d->key;
	en->started = true;
	return d;
}

/* Does the caller own the best route of one of these views? */
static bool
owns_best(const struct route_set *set, const struct entity *e, RTM_VIEW_SET views)
{
	if (views == RTM_VIEW_MASK_ANY)
		views = TABLE_VIEWS_SUPPORTED;
	for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++) {
		int i;

		if (!(views & (1u << v)))
			continue;
		i = route_set_best(set, v, 0, false);
		if (i >= 0 && set->e[i].route->owner == e)
			return true;
	}
	return false;
}

size_t
enum_dests(struct rtm_enum *en, RTM_DEST_INFO *infos, size_t stride, size_t max, bool *end)
{
	size_t n = 0;

	while (n < max && !en->done) {
		RTM_DEST_INFO *info = (RTM_DEST_INFO *)((char *)infos + n * stride);
		struct dest *d;

		rcu_lock();
		while ((d = walk_next_rcu(en))) {
			struct dest_snapshot snap;
			int rc;

			do {
				dest_snapshot_rcu(d, &snap);
				if (!dest_snapshot_qualifies(&snap, en->views) ||
				    ((en->flags & RTM_ENUM_OWN_DESTS) &&
				     !owns_best(snap.set, en->owner, en->views))) {
					rc = -ENOENT;
					break;
				}
				rc = dest_fill_info_rcu(d, &snap, en->owner, en->proto, en->views,
							info);
			} while (rc == -EAGAIN);
			if (rc == 0) {
				n++;
				break;
			}
		}
		rcu_unlock();
	}
	*end = en->done;
	return n;
}

/*
 * Reference the routes of d that the enumeration wants, into a new pending
 * array.  The old one is used up; it is freed unless it is keep (the array
 * the current call started with, which enum_routes may have to go back to).
 */
static int
load_routes_rcu(struct rtm_enum *en, struct dest *d, rtm_handle *keep)
{
	struct dest_snapshot snap;
	const struct route_set *set;
	size_t cap, n = 0;

	dest_snapshot_rcu(d, &snap);
	set = snap.set;
	if (en->pending != keep)
		rtm_free(en->pending);
	en->pending = NULL;
	en->npending = en->ipending = 0;
	if (!set)
		return 0;
	cap = set->n + TABLE_NUM_VIEWS;
	en->pending = rtm_malloc(cap * sizeof(*en->pending));
	if (!en->pending)
		return -ENOMEM;
	for (uint32_t i = 0; i < set->n; i++) {
		const struct route_ref *rr = &set->e[i];

		if (en->views != RTM_VIEW_MASK_ANY && !(rr->ver->views & en->views))
			continue;
		if ((en->flags & RTM_ENUM_OWN_ROUTES) && rr->route->owner != en->owner)
			continue;
		if (en->match && !route_matches_rcu(rr->route, rr->ver, en->match, en->criteria,
						    en->ifindex))
			continue;
		if (handle_ref(rr->route->handle, HT_ROUTE))
			en->pending[n++] = rr->route->handle;
	}
	/* Hold routes show only with RTM_VIEW_MASK_ANY (SEMANTICS.md §7). */
	for (unsigned v = 0; en->views == RTM_VIEW_MASK_ANY && v < TABLE_NUM_VIEWS; v++) {
		struct route *h = route_set_hold(set, v);
		bool dup = v > 0 && route_set_hold(set, 0) == h;

		if (!h || dup || ((en->flags & RTM_ENUM_OWN_ROUTES) && h->owner != en->owner))
			continue;
		if (handle_ref(h->handle, HT_ROUTE))
			en->pending[n++] = h->handle;
	}
	en->npending = n;
	return 0;
}

int
enum_routes(struct rtm_enum *en, rtm_handle *out, size_t max, size_t *nout, bool *end)
{
	/* Where the call started: an allocation failure goes back there. */
	rtm_handle *entry_pending = en->pending;
	size_t entry_i = en->ipending, entry_n = en->npending, n = 0;
	struct prefix entry_cursor = en->cursor;
	bool entry_started = en->started, entry_done = en->done;
	int rc = 0;

	while (n < max) {
		struct dest *d;

		if (en->ipending < en->npending) {
			out[n++] = en->pending[en->ipending++];
			continue;
		}
		if (en->done)
			break;
		rcu_lock();
		if (en->dest) {
			d = en->dest;
			en->done = true;
		} else {
			d = walk_next_rcu(en);
		}
		if (d)
			rc = load_routes_rcu(en, d, entry_pending);
		rcu_unlock();
		if (rc)
			break;
	}
	if (rc) {
		/* The first handles handed out came from the entry array: they go
		 * back there with their references; the others are dropped. */
		size_t from_entry = entry_n - entry_i < n ? entry_n - entry_i : n;

		for (size_t i = from_entry; i < n; i++)
			handle_put(out[i]);
		if (en->pending != entry_pending)
			rtm_free(en->pending);
		en->pending = entry_pending;
		en->ipending = entry_i;
		en->npending = entry_n;
		en->cursor = entry_cursor;
		en->started = entry_started;
		en->done = entry_done;
		*nout = 0;
		*end = false;
		return rc;
	}
	if (en->pending != entry_pending)
		rtm_free(entry_pending);
	*end = en->done && en->ipending == en->npending;
	*nout = n;
	return 0;
}

/* Enumeration order of next hops: address, then interface. */
static int
nh_cmp(const struct prefix *ka, ULONG ia, const struct prefix *kb, ULONG ib)
{
	int c = prefix_cmp(ka, kb);

	if (c)
		return c;
	return ia < ib ? -1 : ia > ib;
}

struct nh_item {
	struct prefix key;
	struct nexthop *nh;
};

static int
nh_item_cmp(const void *a, const void *b)
{
	const struct nh_item *x = a, *y = b;

	return nh_cmp(&x->key, x->nh->info.InterfaceIndex, &y->key, y->nh->info.InterfaceIndex);
}

int
enum_nexthops(struct rtm_enum *en, rtm_handle *out, size_t max, size_t *nout, bool *end)
{
	struct entity *e = en->owner;
	struct nh_table *t = &e->nexthops;
	struct nh_item *items;
	size_t count = 0, n = 0;

	*end = true;
	*nout = 0;
	if (en->done)
		return 0;
	pthread_mutex_lock(&t->lock);
	items = rtm_malloc((t->count ? t->count : 1) * sizeof(*items));
	if (!items) {
		pthread_mutex_unlock(&t->lock);
		*end = false;
		return -ENOMEM; /* nothing moved: the call can be retried */
	}
	for (size_t b = 0; b < t->nbuckets; b++) {
		for (struct nexthop *nh = t->buckets[b]; nh; nh = nh->hnext) {
			struct prefix k;

			prefix_from_net(&k, &nh->info.NextHopAddress, e->table->width);
			k.len = e->table->width; /* an address, not a prefix */
			if (en->started &&
			    nh_cmp(&k, nh->info.InterfaceIndex, &en->cursor, en->cursor_if) <= 0)
				continue;
			if (!en->started && en->has_from && prefix_cmp(&k, &en->from) < 0)
				continue;
			if (en->has_range && !prefix_covers(&en->from, &k))
				continue;
			items[count].key = k;
			items[count++].nh = nh;
		}
	}
	qsort(items, count, sizeof(*items), nh_item_cmp);
	for (; n < max && n < count; n++) {
		handle_ref(items[n].nh->handle, HT_NEXTHOP);
		out[n] = items[n].nh->handle;
		en->cursor = items[n].key;
		en->cursor_if = items[n].nh->info.InterfaceIndex;
		en->started = true;
	}
	pthread_mutex_unlock(&t->lock);
	rtm_free(items);
	if (n == count)
		en->done = true;
	*end = en->done;
	*nout = n;
	return 0;
}

size_t
enum_list(struct rtm_enum *en, rtm_handle *out, size_t max)
{
	size_t n = 0;

	while (n < max && en->ipending < en->npending)
		out[n++] = en->pending[en->ipending++];
	return n;
}

bool
enum_delete(struct rtm_enum *en)
{
	struct entity *e = en->owner;

	pthread_mutex_lock(&e->lists_lock);
	if (ld_relaxed(&en->dead)) {
		pthread_mutex_unlock(&e->lists_lock);
		return false;
	}
	st_release(&en->dead, true);
	cds_list_del(&en->link);
	pthread_mutex_unlock(&e->lists_lock);
	pthread_mutex_lock(&en->lock);
	while (en->ipending < en->npending)
		handle_put(en->pending[en->ipending++]);
	pthread_mutex_unlock(&en->lock);
	handle_put(en->handle);
	return true;
}
