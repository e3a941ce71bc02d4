/*
 * Next hops.  Each entity has its own next-hop table keyed by
 * (NextHopAddress, InterfaceIndex).
 *
 * Lifetime: created by RtmAddNextHop with the table's reference (held while
 * the next hop is in its owner's table) plus the caller's; routes and route
 * versions hold references too; deletion drops the table's reference.
 *
 * Fields of struct nexthop:
 *   owner, handle, info.NextHopAddress, info.InterfaceIndex, info.NextHopOwner:
 *                 immutable
 *   info.Flags, info.EntitySpecificInfo, info.RemoteNextHop:
 *                 the RTM's own copy (RtmGetNextHopPointer, RtmLockNextHop);
 *                 written by RtmAddNextHop under owner nh_lock + exclusive
 *                 lock, or by the client holding the exclusive lock
 *   pub           RCU pointer to the immutable version readers copy
 *                 (RtmGetNextHopInfo); replaced under the exclusive lock
 *   state         atomic; CREATED until deleted (under owner nh_lock)
 *   hnext         hash chain, under owner nh_lock
 */
#ifndef RTM_NEXTHOP_H
#define RTM_NEXTHOP_H

#include <pthread.h>

#include <rtmv2.h>

#include "destlock.h"
#include "handle.h"

struct entity;

struct nh_version {
	struct rcu_head rcu;
	USHORT flags;
	void *esi;
	rtm_handle remote; /* a destination handle with its own reference, or NULL */
};

struct nexthop {
	struct entity *owner;
	rtm_handle handle;
	RTM_NEXTHOP_INFO info;
	_Atomic(struct nh_version *) pub;
	_Atomic USHORT state;
	struct destlock lock;
	struct nexthop *hnext;
	struct rcu_head rcu;
};

struct nh_table {
	pthread_mutex_t lock;
	struct nexthop **buckets;
	size_t nbuckets;
	size_t count;
};

void nh_table_init(struct nh_table *t);
void nh_table_fini(struct nh_table *t);

/* Delete every next hop of the table (entity deregistration). */
void nh_table_clear(struct nh_table *t);

void nexthop_module_init(void);

/* The owner's entity handle, for route validation. */
struct entity *nexthop_owner(const struct nexthop *nh);



/* Internal to nexthop.c and api_nexthop.c. */
struct prefix;
int nh_key(const struct entity *e, const RTM_NEXTHOP_INFO *info, struct prefix *key);
struct nexthop *nh_table_find_locked(struct nh_table *t, const struct entity *e,
				     const struct prefix *key, ULONG ifindex);
int nh_table_insert_locked(struct nh_table *t, struct entity *e, struct nexthop *nh);
struct nexthop *nexthop_new(struct entity *e, const RTM_NEXTHOP_INFO *info,
			    const struct prefix *key);
int nexthop_publish_locked(struct nexthop *nh);
void nexthop_delete_locked(struct entity *e, struct nexthop *nh);
struct nh_version *nh_version_new(const RTM_NEXTHOP_INFO *info);
void nh_version_retire(struct nh_version *v);
#endif
