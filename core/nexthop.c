/*
 * Next hops and the per-entity next-hop table (a chained hash on
 * (address, interface) under the owner's nh_lock).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dest.h"
#include "entity.h"
#include "nexthop.h"

#define NH_INITIAL_BUCKETS 16

void
nh_table_init(struct nh_table *t)
{
	pthread_mutex_init(&t->lock, NULL);
	t->buckets = NULL;
	t->nbuckets = 0;
	t->count = 0;
}

void
nh_table_fini(struct nh_table *t)
{
	rtm_free(t->buckets);
	t->buckets = NULL;
	pthread_mutex_destroy(&t->lock);
}

struct entity *
nexthop_owner(const struct nexthop *nh)
{
	return nh->owner;
}

static void
nh_version_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	rtm_free(caa_container_of(head, struct nh_version, rcu));
	rcu_deferred_done();
}

/* References go at once, memory after a grace period (as for routes). */
void
nh_version_retire(struct nh_version *v)
{
	if (v) {
		if (v->remote)
			handle_put(v->remote);
		rcu_defer(&v->rcu, nh_version_free_cb);
	}
}

struct nh_version *
nh_version_new(const RTM_NEXTHOP_INFO *info)
{
	struct nh_version *v = rtm_malloc(sizeof(*v));

	if (!v)
		return NULL;
	v->flags = info->Flags;
	v->esi = info->EntitySpecificInfo;
	v->remote = NULL;
	if (info->RemoteNextHop && handle_ref(info->RemoteNextHop, HT_DEST))
		v->remote = info->RemoteNextHop;
	return v;
}

static void
nexthop_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	struct nexthop *nh = caa_container_of(head, struct nexthop, rcu);
	rtm_handle h = nh->handle;

	rtm_free(nh);
	handle_recycle(h);
	rcu_deferred_done();
}

static void
nexthop_final(void *obj)
{
	struct nexthop *nh = obj;

	nh_version_retire(ld_relaxed(&nh->pub));
	if (nh->info.RemoteNextHop)
		handle_put_checked(nh->info.RemoteNextHop, HT_BIT(HT_DEST));
	handle_put(nh->owner->handle);
	rcu_defer(&nh->rcu, nexthop_free_cb);
}

void
nexthop_module_init(void)
{
	handle_set_finalizer(HT_NEXTHOP, nexthop_final);
}

static size_t
nh_hash(const struct prefix *addr, ULONG ifindex)
{
	uint64_t h = addr->k[0] * 0x9E3779B97F4A7C15ull ^ addr->k[1] * 0xC2B2AE3D27D4EB4Full ^
		     ((uint64_t)addr->len << 32 | ifindex) * 0x165667B19E3779F9ull;

	return (size_t)(h ^ (h >> 29));
}

/* Key of a next hop: its address as a prefix plus the interface. */
int
nh_key(const struct entity *e, const RTM_NEXTHOP_INFO *info, struct prefix *key)
{
	if (info->NextHopAddress.AddressFamily != e->table->family)
		return -EINVAL;
	return prefix_from_net(key, &info->NextHopAddress, e->table->width);
}

struct nexthop *
nh_table_find_locked(struct nh_table *t, const struct entity *e, const struct prefix *key,
		     ULONG ifindex)
{
	struct nexthop *nh;

	if (!t->nbuckets)
		return NULL;
	for (nh = t->buckets[nh_hash(key, ifindex) & (t->nbuckets - 1)]; nh; nh = nh->hnext) {
		struct prefix k;

		prefix_from_net(&k, &nh->info.NextHopAddress, e->table->width);
		if (prefix_equal(&k, key) && nh->info.InterfaceIndex == ifindex)
			return nh;
	}
	return NULL;
}

static int
nh_table_grow_locked(struct nh_table *t, const struct entity *e)
{
	size_t nb = t->nbuckets ? t->nbuckets * 2 : NH_INITIAL_BUCKETS;
	struct nexthop **b = rtm_calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct nexthop *nh = t->buckets[i], *next;

		for (; nh; nh = next) {
			struct prefix k;
			size_t j;

			next = nh->hnext;
			prefix_from_net(&k, &nh->info.NextHopAddress, e->table->width);
			j = nh_hash(&k, nh->info.InterfaceIndex) & (nb - 1);
			nh->hnext = b[j];
			b[j] = nh;
		}
	}
	rtm_free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
	return 0;
}

int
nh_table_insert_locked(struct nh_table *t, struct entity *e, struct nexthop *nh)
{
	struct prefix k;
	size_t j;

	if (t->count + 1 > t->nbuckets && nh_table_grow_locked(t, e) != 0 && !t->nbuckets)
		return -ENOMEM;
	prefix_from_net(&k, &nh->info.NextHopAddress, e->table->width);
	j = nh_hash(&k, nh->info.InterfaceIndex) & (t->nbuckets - 1);
	nh->hnext = t->buckets[j];
	t->buckets[j] = nh;
	t->count++;
	return 0;
}

static void
nh_table_remove_locked(struct nh_table *t, const struct entity *e, struct nexthop *nh)
{
	struct prefix k;
	struct nexthop **pp;

	prefix_from_net(&k, &nh->info.NextHopAddress, e->table->width);
	pp = &t->buckets[nh_hash(&k, nh->info.InterfaceIndex) & (t->nbuckets - 1)];
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == nh) {
			*pp = nh->hnext;
			t->count--;
			return;
		}
	}
}

struct nexthop *
nexthop_new(struct entity *e, const RTM_NEXTHOP_INFO *info, const struct prefix *key)
{
	struct nexthop *nh = rtm_calloc(1, sizeof(*nh));
	struct nh_version *v;

	if (!nh)
		return NULL;
	v = nh_version_new(info);
	if (!v || handle_alloc(HT_NEXTHOP, nh, 1, &nh->handle) != 0) {
		if (v && v->remote)
			handle_put(v->remote);
		rtm_free(v);
		rtm_free(nh);
		return NULL;
	}
	nh->owner = e;
	handle_ref(e->handle, HT_ENTITY);
	prefix_to_net(key, e->table->family, e->table->width, &nh->info.NextHopAddress);
	nh->info.InterfaceIndex = info->InterfaceIndex;
	nh->info.NextHopOwner = e->handle;
	nh->info.State = RTM_NEXTHOP_STATE_CREATED;
	nh->info.Flags = info->Flags;
	nh->info.EntitySpecificInfo = info->EntitySpecificInfo;
	nh->info.RemoteNextHop = NULL;
	if (info->RemoteNextHop && handle_ref(info->RemoteNextHop, HT_DEST))
		nh->info.RemoteNextHop = info->RemoteNextHop;
	atomic_init(&nh->pub, v);
	atomic_init(&nh->state, RTM_NEXTHOP_STATE_CREATED);
	destlock_init(&nh->lock);
	return nh;
}

/* Publish nh->info's mutable fields as a new version (exclusive lock held). */
int
nexthop_publish_locked(struct nexthop *nh)
{
	struct nh_version *v = nh_version_new(&nh->info);

	if (!v)
		return -ENOMEM;
	nh_version_retire(xchg_acq_rel(&nh->pub, v));
	return 0;
}

/* Mark deleted and drop the table's reference; owner nh_lock held. */
void
nexthop_delete_locked(struct entity *e, struct nexthop *nh)
{
	nh_table_remove_locked(&e->nexthops, e, nh);
	st_release(&nh->state, RTM_NEXTHOP_STATE_DELETED);
	nh->info.State = RTM_NEXTHOP_STATE_DELETED;
	handle_kill_put(nh->handle); /* the table's reference */
}

void
nh_table_clear(struct nh_table *t)
{
	struct entity *e = caa_container_of(t, struct entity, nexthops);

	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->nbuckets; i++) {
		while (t->buckets[i])
			nexthop_delete_locked(e, t->buckets[i]);
	}
	pthread_mutex_unlock(&t->lock);
}
