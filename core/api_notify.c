/* Change-notification API (SEMANTICS.md §11). */
#include <stdlib.h>

#include "alloc.h"
#include "api.h"
#include "dest.h"
#include "entity.h"
#include "notify.h"

/* Changed destinations RtmGetChangedDests takes off the queue at a time. */
#define TAKE_BATCH 64

RTM_API DWORD WINAPI
RtmRegisterForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle, RTM_VIEW_SET TargetViews,
				 RTM_NOTIFY_FLAGS NotifyFlags, PVOID NotifyContext,
				 PRTM_NOTIFY_HANDLE NotifyHandle)
{
	struct entity *e;
	int rc;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	rc = NotifyHandle ? notify_register(e, TargetViews, NotifyFlags, NotifyContext, NotifyHandle)
			  : -EINVAL;
	handle_put(e->handle);
	return api_error(rc);
}

/* Resolve the caller and its own registration (references taken). */
static int
own_reg_ref(RTM_ENTITY_HANDLE reg_handle, RTM_NOTIFY_HANDLE h, struct entity **e,
	    struct notify_reg **reg)
{
	*e = entity_caller_ref(reg_handle);
	if (!*e)
		return -EBADF;
	rcu_lock();
	*reg = notify_reg_of_rcu(h, *e);
	if (*reg && !handle_ref((*reg)->handle, HT_NOTIFY))
		*reg = NULL;
	rcu_unlock();
	if (!*reg) {
		handle_put((*e)->handle);
		return -EBADF;
	}
	return 0;
}

static void
own_reg_put(struct entity *e, struct notify_reg *reg)
{
	handle_put(reg->handle);
	handle_put(e->handle);
}

RTM_API DWORD WINAPI
RtmGetChangedDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
		   PUINT NumDests, PRTM_DEST_INFO ChangedDests)
{
	const size_t stride = RTM_SIZE_OF_DEST_INFO(TABLE_NUM_VIEWS);
	struct entity *e;
	struct notify_reg *reg;
	struct dest *taken[TAKE_BATCH];
	size_t n, want;
	bool drained;
	int rc;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	want = NumDests ? *NumDests : 0;
	if (!NumDests || !ChangedDests || want < 1 || want > e->table->max_handles) {
		handle_put(e->handle);
		return ERROR_INVALID_PARAMETER;
	}
	handle_put(e->handle);
	rc = own_reg_ref(RtmRegHandle, NotifyHandle, &e, &reg);
	if (rc)
		return api_error(rc);
	/* In batches on the stack: taking changes off the queue must not
	 * need memory (a failure after the take would lose them). */
	n = 0;
	do {
		size_t chunk = want - n < TAKE_BATCH ? want - n : TAKE_BATCH;
		size_t got = notify_take(reg, taken, chunk, &drained);

		for (size_t i = 0; i < got; i++) {
			RTM_DEST_INFO *info = (RTM_DEST_INFO *)((char *)ChangedDests + (n + i) * stride);
			struct dest_snapshot snap;

			/* The state now, which includes every change that queued it. */
			rcu_lock();
			do
				dest_snapshot_rcu(taken[i], &snap);
			while (dest_fill_info_rcu(taken[i], &snap, e, RTM_BEST_PROTOCOL, reg->views,
						  info));
			rcu_unlock();
			handle_put(taken[i]->handle); /* the queue's reference */
		}
		n += got;
		if (got < chunk)
			break;
	} while (n < want);
	*NumDests = (UINT)n;
	own_reg_put(e, reg);
	(void)drained;
	return n == want ? NO_ERROR : ERROR_NO_MORE_ITEMS;
}

RTM_API DWORD WINAPI
RtmReleaseChangedDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
		       UINT NumDests, PRTM_DEST_INFO ChangedDests)
{
	struct entity *e;
	struct notify_reg *reg;
	int rc;

	api_enter();
	rc = own_reg_ref(RtmRegHandle, NotifyHandle, &e, &reg);
	if (rc)
		return api_error(rc);
	own_reg_put(e, reg);
	return api_release_dest_infos(RtmRegHandle, NumDests, ChangedDests);
}

RTM_API DWORD WINAPI
RtmIgnoreChangedDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
		      UINT NumDests, PRTM_DEST_HANDLE ChangedDests)
{
	struct entity *e;
	struct notify_reg *reg;
	int rc;

	api_enter();
	rc = own_reg_ref(RtmRegHandle, NotifyHandle, &e, &reg);
	if (rc)
		return api_error(rc);
	if (NumDests && !ChangedDests)
		rc = -EINVAL;
	rcu_lock();
	for (UINT i = 0; !rc && i < NumDests; i++) {
		struct dest *d = handle_get(ChangedDests[i], HT_DEST);

		if (!d || d->table != e->table)
			rc = -EBADF;
	}
	rcu_unlock();
	for (UINT i = 0; !rc && i < NumDests; i++) {
		struct dest *d = handle_ref(ChangedDests[i], HT_DEST);

		if (d) {
			notify_ignore(reg, d);
			handle_put(d->handle);
		}
	}
	own_reg_put(e, reg);
	return api_error(rc);
}

/* The caller's registration and a destination of its table.  Inside rcu. */
static int
reg_and_dest_rcu(RTM_ENTITY_HANDLE reg_handle, RTM_NOTIFY_HANDLE h, RTM_DEST_HANDLE dh,
		 const void *out, struct notify_reg **reg, struct dest **d)
{
	struct entity *e = entity_caller_rcu(reg_handle);

	if (!e)
		return -EBADF;
	if (!out)
		return -EINVAL;
	*reg = notify_reg_of_rcu(h, e);
	*d = handle_get(dh, HT_DEST);
	if (!*reg || !*d || (*d)->table != e->table)
		return -EBADF;
	return 0;
}

RTM_API DWORD WINAPI
RtmGetChangeStatus(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
		   RTM_DEST_HANDLE DestHandle, PBOOL ChangeStatus)
{
	struct notify_reg *reg;
	struct dest *d;
	int rc;

	api_enter();
	rcu_lock();
	rc = reg_and_dest_rcu(RtmRegHandle, NotifyHandle, DestHandle, ChangeStatus, &reg, &d);
	if (!rc)
		*ChangeStatus = (ld_acquire(&d->notify_pending) >> reg->id) & 1;
	rcu_unlock();
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmMarkDestForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				 RTM_DEST_HANDLE DestHandle, WINBOOL MarkDest)
{
	struct notify_reg *reg;
	struct dest *d;
	int rc;

	api_enter();
	rcu_lock();
	rc = reg_and_dest_rcu(RtmRegHandle, NotifyHandle, DestHandle, &rc, &reg, &d);
	if (!rc) {
		/* Only a mark needs the ext (dest.h); inside rcu_lock(). */
		struct dest_ext *x = MarkDest ? dest_ext_get(d) : dest_ext(d);

		if (MarkDest && !x)
			rc = -ENOMEM;
		else if (MarkDest)
			atomic_fetch_or(&x->notify_marked, 1u << reg->id);
		else if (x)
			atomic_fetch_and(&x->notify_marked, ~(1u << reg->id));
	}
	rcu_unlock();
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmIsMarkedForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				 RTM_DEST_HANDLE DestHandle, PBOOL DestMarked)
{
	struct notify_reg *reg;
	struct dest *d;
	int rc;

	api_enter();
	rcu_lock();
	rc = reg_and_dest_rcu(RtmRegHandle, NotifyHandle, DestHandle, DestMarked, &reg, &d);
	if (!rc)
		*DestMarked = (dest_notify_marked(d) >> reg->id) & 1;
	rcu_unlock();
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmDeregisterFromChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
				    RTM_NOTIFY_HANDLE NotifyHandle)
{
	struct entity *e;
	struct notify_reg *reg;
	int rc;

	api_enter();
	rc = own_reg_ref(RtmRegHandle, NotifyHandle, &e, &reg);
	if (rc)
		return api_error(rc);
	notify_deregister(reg);
	own_reg_put(e, reg);
	return NO_ERROR;
}
