/* Next-hop API (SEMANTICS.md §9). */
#include <string.h>

#include "api.h"
#include "entity.h"
#include "nexthop.h"
#include "prefix.h"
#include "update.h"

/* Apply an update's mutable fields to nh (owner nh_lock held). */
static int
nexthop_update_locked(struct nexthop *nh, const RTM_NEXTHOP_INFO *info)
{
	HANDLE old_remote;
	int rc;

	destlock_write_lock(&nh->lock);
	old_remote = nh->info.RemoteNextHop;
	nh->info.Flags = info->Flags;
	nh->info.EntitySpecificInfo = info->EntitySpecificInfo;
	nh->info.RemoteNextHop = NULL;
	if (info->RemoteNextHop && handle_ref(info->RemoteNextHop, HT_DEST))
		nh->info.RemoteNextHop = info->RemoteNextHop;
	if (old_remote)
		handle_put_checked(old_remote, HT_BIT(HT_DEST));
	rc = nexthop_publish_locked(nh);
	destlock_write_unlock(&nh->lock);
	return rc;
}

RTM_API DWORD WINAPI
RtmAddNextHop(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo,
	      PRTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_CHANGE_FLAGS ChangeFlags)
{
	struct entity *e;
	struct prefix key;
	struct nexthop *nh;
	DWORD flags = 0;
	int rc;

	api_enter_writer();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!NextHopInfo || !ChangeFlags) {
		rc = -EINVAL;
		goto out;
	}
	rc = nh_key(e, NextHopInfo, &key);
	if (rc)
		goto out;
	if (NextHopInfo->RemoteNextHop && !handle_get(NextHopInfo->RemoteNextHop, HT_DEST)) {
		rc = -EBADF;
		goto out;
	}
	pthread_mutex_lock(&e->nexthops.lock);
	if (NextHopHandle && *NextHopHandle) {
		struct prefix cur;

		nh = handle_get(*NextHopHandle, HT_NEXTHOP);
		if (!nh) {
			rc = -EBADF;
		} else if (nh->owner != e) {
			rc = -EACCES;
		} else if (ld_relaxed(&nh->state) != RTM_NEXTHOP_STATE_CREATED) {
			rc = -ENOENT;
		} else {
			prefix_from_net(&cur, &nh->info.NextHopAddress, e->table->width);
			if (!prefix_equal(&cur, &key) ||
			    nh->info.InterfaceIndex != NextHopInfo->InterfaceIndex)
				rc = -EINVAL;
			else
				rc = nexthop_update_locked(nh, NextHopInfo);
		}
	} else {
		nh = nh_table_find_locked(&e->nexthops, e, &key, NextHopInfo->InterfaceIndex);
		if (nh) {
			rc = nexthop_update_locked(nh, NextHopInfo);
		} else {
			nh = nexthop_new(e, NextHopInfo, &key);
			if (!nh)
				rc = -ENOMEM;
			else if ((rc = nh_table_insert_locked(&e->nexthops, e, nh)) != 0)
				handle_kill_put(nh->handle);
			else
				flags = RTM_NEXTHOP_CHANGE_NEW;
		}
		if (!rc && NextHopHandle) {
			handle_ref(nh->handle, HT_NEXTHOP);
			*NextHopHandle = nh->handle;
		}
	}
	pthread_mutex_unlock(&e->nexthops.lock);
	if (!rc)
		*ChangeFlags = flags;
out:
	handle_put(e->handle);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmFindNextHop(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo,
	       PRTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_INFO *NextHopPointer)
{
	struct entity *e;
	struct prefix key;
	struct nexthop *nh;
	int rc;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	rc = NextHopInfo ? nh_key(e, NextHopInfo, &key) : -EINVAL;
	if (!rc) {
		pthread_mutex_lock(&e->nexthops.lock);
		nh = nh_table_find_locked(&e->nexthops, e, &key, NextHopInfo->InterfaceIndex);
		if (!nh) {
			rc = -ENOENT;
		} else {
			if (NextHopHandle) {
				handle_ref(nh->handle, HT_NEXTHOP);
				*NextHopHandle = nh->handle;
			}
			if (NextHopPointer)
				*NextHopPointer = &nh->info;
		}
		pthread_mutex_unlock(&e->nexthops.lock);
	}
	handle_put(e->handle);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmDeleteNextHop(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
		 PRTM_NEXTHOP_INFO NextHopInfo)
{
	struct entity *e;
	struct nexthop *nh = NULL;
	int rc = 0;

	api_enter_writer();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!NextHopHandle && !NextHopInfo) {
		rc = -EINVAL;
		goto out;
	}
	pthread_mutex_lock(&e->nexthops.lock);
	if (NextHopHandle) {
		nh = handle_get(NextHopHandle, HT_NEXTHOP);
		if (!nh)
			rc = -EBADF;
		else if (nh->owner != e)
			rc = -EACCES;
		else if (ld_relaxed(&nh->state) != RTM_NEXTHOP_STATE_CREATED)
			rc = -ENOENT;
	} else {
		struct prefix key;

		rc = nh_key(e, NextHopInfo, &key);
		if (!rc) {
			nh = nh_table_find_locked(&e->nexthops, e, &key,
						  NextHopInfo->InterfaceIndex);
			if (!nh)
				rc = -ENOENT;
		}
	}
	if (!rc) {
		if (NextHopHandle)
			handle_put(NextHopHandle); /* the caller's reference is consumed */
		nexthop_delete_locked(e, nh);
	}
	pthread_mutex_unlock(&e->nexthops.lock);
out:
	handle_put(e->handle);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmGetNextHopInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
		  PRTM_NEXTHOP_INFO NextHopInfo)
{
	struct entity *e;
	struct nexthop *nh;
	int rc;

	api_enter();
	rcu_lock();
	rc = api_query_begin_rcu(RtmRegHandle, NextHopInfo, NextHopHandle, HT_NEXTHOP, &e,
				 (void **)&nh);
	if (!rc) {
		const struct nh_version *v;
		HANDLE remote;

		/* Pairs with the exchange in nexthop_publish_locked(); a dead
		 * remote handle means the version was replaced: copy the new one. */
		for (;;) {
			v = ld_acquire(&nh->pub);
			remote = v->remote && handle_ref(v->remote, HT_DEST) ? v->remote : NULL;
			if (remote || !v->remote || ld_acquire(&nh->pub) == v)
				break;
		}
		NextHopInfo->NextHopAddress = nh->info.NextHopAddress;
		NextHopInfo->InterfaceIndex = nh->info.InterfaceIndex;
		NextHopInfo->NextHopOwner =
			handle_ref(nh->owner->handle, HT_ENTITY) ? nh->owner->handle : NULL;
		NextHopInfo->State = ld_acquire(&nh->state);
		NextHopInfo->Flags = v->flags;
		NextHopInfo->EntitySpecificInfo = v->esi;
		NextHopInfo->RemoteNextHop = remote;
	}
	rcu_unlock();
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmReleaseNextHopInfo(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo)
{
	HANDLE hs[2];
	unsigned masks[2];
	size_t n = 0;

	api_enter();
	if (!api_caller_ok(RtmRegHandle))
		return ERROR_INVALID_HANDLE;
	if (!NextHopInfo)
		return ERROR_INVALID_PARAMETER;
	if (NextHopInfo->NextHopOwner) {
		hs[n] = NextHopInfo->NextHopOwner;
		masks[n++] = HT_BIT(HT_ENTITY);
	}
	if (NextHopInfo->RemoteNextHop) {
		hs[n] = NextHopInfo->RemoteNextHop;
		masks[n++] = HT_BIT(HT_DEST);
	}
	return api_release_checked(n, hs, masks, 0);
}

static struct entity *
nexthop_owner_of(const void *obj)
{
	return nexthop_owner(obj);
}

/* Resolve the caller and one of its own next hops (reference taken). */
static int
own_nexthop_ref(RTM_ENTITY_HANDLE reg, RTM_NEXTHOP_HANDLE h, struct entity **e,
		struct nexthop **nh)
{
	return api_own_ref(reg, h, HT_NEXTHOP, nexthop_owner_of, e, (void **)nh);
}

RTM_API DWORD WINAPI
RtmGetNextHopPointer(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
		     PRTM_NEXTHOP_INFO *NextHopPointer)
{
	struct entity *e;
	struct nexthop *nh;
	int rc;

	api_enter();
	if (!NextHopPointer) {
		rcu_lock();
		rc = entity_caller_rcu(RtmRegHandle) ? -EINVAL : -EBADF;
		rcu_unlock();
		return api_error(rc);
	}
	rc = own_nexthop_ref(RtmRegHandle, NextHopHandle, &e, &nh);
	if (rc)
		return api_error(rc);
	*NextHopPointer = &nh->info;
	handle_put(nh->handle);
	handle_put(e->handle);
	return NO_ERROR;
}

RTM_API DWORD WINAPI
RtmLockNextHop(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
	       WINBOOL Exclusive, WINBOOL LockNextHop, PRTM_NEXTHOP_INFO *NextHopPointer)
{
	struct entity *e;
	struct nexthop *nh;
	int rc;

	api_enter();
	rc = own_nexthop_ref(RtmRegHandle, NextHopHandle, &e, &nh);
	if (rc)
		return api_error(rc);
	if (!LockNextHop) {
		if (Exclusive) {
			if (!destlock_is_write_locked(&nh->lock)) {
				rc = -EINVAL;
			} else {
				/* Readers see the client's edits from now on. */
				nexthop_publish_locked(nh);
				destlock_write_unlock(&nh->lock);
			}
		} else if (!destlock_is_read_locked(&nh->lock)) {
			rc = -EINVAL;
		} else {
			destlock_read_unlock(&nh->lock);
		}
	} else if (ld_acquire(&nh->state) != RTM_NEXTHOP_STATE_CREATED) {
		rc = -ENOENT;
	} else {
		if (Exclusive)
			destlock_write_lock(&nh->lock);
		else
			destlock_read_lock(&nh->lock);
		if (NextHopPointer)
			*NextHopPointer = &nh->info;
	}
	handle_put(nh->handle);
	handle_put(e->handle);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmReleaseNextHops(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumNextHops,
		   PRTM_NEXTHOP_HANDLE NextHopHandles)
{
	api_enter();
	if (!api_caller_ok(RtmRegHandle))
		return ERROR_INVALID_HANDLE;
	return api_release_handles(NumNextHops, NextHopHandles, HT_BIT(HT_NEXTHOP));
}

RTM_API DWORD WINAPI
RtmReferenceHandles(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumHandles, HANDLE *RtmHandles)
{
	const unsigned mask = HT_BIT(HT_ENTITY) | HT_BIT(HT_DEST) | HT_BIT(HT_ROUTE) |
			      HT_BIT(HT_NEXTHOP);
	UINT taken = 0;
	api_enter();
	if (!api_caller_ok(RtmRegHandle))
		return ERROR_INVALID_HANDLE;
	if (NumHandles && !RtmHandles)
		return ERROR_INVALID_PARAMETER;
	/* All or nothing: undo what was taken if one handle is bad. */
	for (; taken < NumHandles; taken++) {
		if (!handle_ref_any(RtmHandles[taken], mask))
			break;
	}
	if (taken == NumHandles)
		return NO_ERROR;
	while (taken-- > 0)
		handle_put(RtmHandles[taken]);
	return ERROR_INVALID_HANDLE;
}
