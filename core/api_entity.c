/* Registration API: RtmRegisterEntity and friends (SEMANTICS.md §4). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "api.h"
#include "entity.h"
#include "init.h"
#include "enum.h"
#include "notify.h"
#include "routelist.h"
#include "update.h"
#include "worker.h"

/* An entity event on its way to one other entity's callback. */
struct entity_event {
	struct work work;
	RTM_EVENT_TYPE type;
	struct entity *to;    /* referenced */
	struct entity *about; /* referenced */
};

static void
event_deliver(struct work *w)
{
	struct entity_event *ev = caa_container_of(w, struct entity_event, work);
	struct entity *to = ev->to;

	if (ld_acquire(&to->registered) && to->callback)
		to->callback(to->handle, ev->type, ev->about->handle, &ev->about->info);
	handle_put(ev->about->handle);
	handle_put(to->handle);
	rtm_free(ev);
}

/*
 * Entity events (SEMANTICS.md §4) go to every other registered entity of the
 * table that has a callback; delivery is on the worker.  The events are
 * allocated first, all or none, under entities_lock (so the set of receivers
 * cannot change before they are sent): an allocation failure then fails the
 * registration cleanly instead of leaving some entity untold.
 */
static void
events_free(struct cds_list_head *evs)
{
	while (!cds_list_empty(evs)) {
		struct entity_event *ev = cds_list_first_entry(evs, struct entity_event, work.link);

		cds_list_del(&ev->work.link);
		rtm_free(ev);
	}
}

static int
events_prepare_locked(struct table *t, struct entity *e, RTM_EVENT_TYPE type,
		      struct cds_list_head *out)
{
	struct entity *o;

	CDS_INIT_LIST_HEAD(out);
	cds_list_for_each_entry(o, &t->entities, link) {
		struct entity_event *ev;

		if (o == e || !o->callback || !ld_acquire(&o->registered))
			continue;
		ev = rtm_calloc(1, sizeof(*ev));
		if (!ev)
			goto out_free;
		ev->work.fn = event_deliver;
		ev->work.entity = o;
		ev->type = type;
		ev->to = o;
		ev->about = e;
		cds_list_add_tail(&ev->work.link, out);
	}
	return 0;
out_free:
	events_free(out);
	return -ENOMEM;
}

/* Queue prepared events (under entities_lock; e's handle is live).  Cannot
 * fail: the worker was started when e registered. */
static void
events_send_locked(struct cds_list_head *evs)
{
	while (!cds_list_empty(evs)) {
		struct entity_event *ev = cds_list_first_entry(evs, struct entity_event, work.link);

		cds_list_del(&ev->work.link);
		handle_ref(ev->to->handle, HT_ENTITY);
		handle_ref(ev->about->handle, HT_ENTITY);
		if (!worker_queue(&ev->work)) {
			handle_put(ev->about->handle);
			handle_put(ev->to->handle);
			rtm_free(ev);
		}
	}
}

/* Tell the others that e is going.  Deregistration cannot fail, so this
 * waits for memory rather than lose an event. */
static void
announce_deregistered(struct entity *e)
{
	struct table *t = e->table;
	struct cds_list_head evs;

	pthread_mutex_lock(&t->entities_lock);
	while (events_prepare_locked(t, e, RTM_ENTITY_DEREGISTERED, &evs) != 0) {
		pthread_mutex_unlock(&t->entities_lock);
		usleep(1000);
		pthread_mutex_lock(&t->entities_lock);
	}
	events_send_locked(&evs);
	pthread_mutex_unlock(&t->entities_lock);
}

/* Delete what e owns besides routes and next hops: notification
 * registrations, route lists, enumerations. */
static void
drop_owned_objects(struct entity *e)
{
	for (;;) {
		struct notify_reg *reg = NULL;
		struct route_list *l = NULL;
		struct rtm_enum *en = NULL;

		pthread_mutex_lock(&e->lists_lock);
		if (!cds_list_empty(&e->notifies)) {
			reg = cds_list_first_entry(&e->notifies, struct notify_reg, link);
			handle_ref(reg->handle, HT_NOTIFY);
		} else if (!cds_list_empty(&e->lists)) {
			l = cds_list_first_entry(&e->lists, struct route_list, link);
			handle_ref(l->handle, HT_ROUTE_LIST);
		} else if (!cds_list_empty(&e->enums)) {
			en = cds_list_first_entry(&e->enums, struct rtm_enum, link);
			handle_ref(en->handle, HT_ENUM);
		}
		pthread_mutex_unlock(&e->lists_lock);
		if (reg) {
			notify_deregister(reg);
			handle_put(reg->handle);
		} else if (l) {
			routelist_delete(l);
			handle_put(l->handle);
		} else if (en) {
			enum_delete(en);
			handle_put(en->handle);
		} else {
			break;
		}
	}
}

static void
fill_profile(const struct table *t, PRTM_REGN_PROFILE p)
{
	p->MaxNextHopsInRoute = t->max_nexthops;
	p->MaxHandlesInEnum = t->max_handles;
	p->ViewsSupported = TABLE_VIEWS_SUPPORTED;
	p->NumberOfViews = TABLE_NUM_VIEWS;
}

/* Under entities_lock: is this identity registered already? */
static bool
identity_taken_locked(struct table *t, const RTM_ENTITY_INFO *info)
{
	struct entity *e;

	cds_list_for_each_entry(e, &t->entities, link) {
		if (e->info.EntityId.EntityId == info->EntityId.EntityId)
			return true;
	}
	return false;
}

static int
opaque_take_locked(struct table *t)
{
	for (int i = 0; i < TABLE_OPAQUE_SLOTS; i++) {
		if (!(t->opaque_used & (1u << i))) {
			t->opaque_used |= 1u << i;
			return i;
		}
	}
	return -1;
}

RTM_API DWORD WINAPI
RtmRegisterEntity(PRTM_ENTITY_INFO RtmEntityInfo, PRTM_ENTITY_EXPORT_METHODS ExportMethods,
		  RTM_EVENT_CALLBACK EventCallback, WINBOOL ReserveOpaquePointer,
		  PRTM_REGN_PROFILE RtmRegProfile, PRTM_ENTITY_HANDLE RtmRegHandle)
{
	struct cds_list_head evs;
	struct table *t;
	struct entity *e;
	int rc = 0;

	rtm_init();
	api_enter();
	if (!RtmEntityInfo || !RtmRegProfile || !RtmRegHandle)
		return ERROR_INVALID_PARAMETER;
	if (!table_family_width(RtmEntityInfo->AddressFamily))
		return ERROR_INVALID_PARAMETER;
	if (ExportMethods && ExportMethods->NumMethods > ENTITY_MAX_METHODS)
		return ERROR_INVALID_PARAMETER;
	t = table_get(RtmEntityInfo->RtmInstanceId, RtmEntityInfo->AddressFamily);
	if (!t || worker_start() != 0)
		return ERROR_NOT_ENOUGH_MEMORY;
	e = rtm_calloc(1, sizeof(*e));
	if (!e)
		return ERROR_NOT_ENOUGH_MEMORY;
	e->table = t;
	e->info = *RtmEntityInfo;
	e->callback = EventCallback;
	if (ExportMethods) {
		e->nmethods = ExportMethods->NumMethods;
		memcpy(e->methods, ExportMethods->Methods, e->nmethods * sizeof(e->methods[0]));
	}
	e->opaque_slot = -1;
	atomic_init(&e->registered, true);
	nh_table_init(&e->nexthops);
	pthread_mutex_init(&e->lists_lock, NULL);
	CDS_INIT_LIST_HEAD(&e->lists);
	CDS_INIT_LIST_HEAD(&e->enums);
	CDS_INIT_LIST_HEAD(&e->notifies);
	pthread_mutex_init(&e->methods_lock, NULL);
	pthread_cond_init(&e->methods_cv, NULL);

	pthread_mutex_lock(&t->entities_lock);
	if (identity_taken_locked(t, RtmEntityInfo)) {
		rc = -EEXIST;
		goto out_unlock;
	}
	if (ReserveOpaquePointer && (e->opaque_slot = opaque_take_locked(t)) < 0) {
		rc = -ENOSPC;
		goto out_unlock;
	}
	rc = events_prepare_locked(t, e, RTM_ENTITY_REGISTERED, &evs);
	/* One reference: the registration itself, dropped by deregistration. */
	if (!rc && (rc = handle_alloc(HT_ENTITY, e, 1, &e->handle)) != 0)
		events_free(&evs);
	if (rc) {
		if (e->opaque_slot >= 0)
			t->opaque_used &= ~(1u << e->opaque_slot);
		goto out_unlock;
	}
	cds_list_add_tail(&e->link, &t->entities);
	events_send_locked(&evs);
out_unlock:
	pthread_mutex_unlock(&t->entities_lock);
	if (rc) {
		nh_table_fini(&e->nexthops);
		pthread_mutex_destroy(&e->lists_lock);
		pthread_mutex_destroy(&e->methods_lock);
		pthread_cond_destroy(&e->methods_cv);
		rtm_free(e);
		return api_error(rc);
	}
	fill_profile(t, RtmRegProfile);
	*RtmRegHandle = e->handle;
	return NO_ERROR;
}

RTM_API DWORD WINAPI
RtmDeregisterEntity(RTM_ENTITY_HANDLE RtmRegHandle)
{
	struct entity *e;
	struct table *t;

	api_enter_writer();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!atomic_exchange(&e->registered, false)) {
		handle_put(e->handle); /* a concurrent deregistration won */
		return ERROR_INVALID_HANDLE;
	}
	t = e->table;
	/* Invocations waiting for its blocked methods give up. */
	pthread_mutex_lock(&e->methods_lock);
	pthread_cond_broadcast(&e->methods_cv);
	pthread_mutex_unlock(&e->methods_lock);
	announce_deregistered(e);
	drop_owned_objects(e);
	update_purge_entity(e);
	nh_table_clear(&e->nexthops);
	/* Its callbacks already queued or running finish before we return
	 * (unless this is one of them). */
	worker_flush_entity(e);
	pthread_mutex_lock(&t->entities_lock);
	cds_list_del(&e->link);
	if (e->opaque_slot >= 0)
		t->opaque_used &= ~(1u << e->opaque_slot);
	pthread_mutex_unlock(&t->entities_lock);
	handle_kill_put(e->handle); /* the registration's reference */
	handle_put(e->handle); /* ours */
	return NO_ERROR;
}

RTM_API DWORD WINAPI
RtmGetRegisteredEntities(RTM_ENTITY_HANDLE RtmRegHandle, PUINT NumEntities,
			 PRTM_ENTITY_HANDLE EntityHandles, PRTM_ENTITY_INFO EntityInfos)
{
	struct entity *me, *e;
	struct table *t;
	UINT total = 0, i = 0;
	DWORD rc = NO_ERROR;

	api_enter();
	me = entity_caller_ref(RtmRegHandle);
	if (!me)
		return ERROR_INVALID_HANDLE;
	if (!NumEntities) {
		handle_put(me->handle);
		return ERROR_INVALID_PARAMETER;
	}
	t = me->table;
	pthread_mutex_lock(&t->entities_lock);
	cds_list_for_each_entry(e, &t->entities, link)
		total++;
	if (*NumEntities < total) {
		rc = ERROR_INSUFFICIENT_BUFFER;
	} else {
		cds_list_for_each_entry(e, &t->entities, link) {
			if (EntityHandles) {
				handle_ref(e->handle, HT_ENTITY);
				EntityHandles[i] = e->handle;
			}
			if (EntityInfos)
				EntityInfos[i] = e->info;
			i++;
		}
	}
	pthread_mutex_unlock(&t->entities_lock);
	*NumEntities = total;
	handle_put(me->handle);
	return rc;
}

int
api_query_begin_rcu(RTM_ENTITY_HANDLE reg, const void *out, HANDLE h, int type,
		    struct entity **caller, void **obj)
{
	*caller = entity_caller_rcu(reg);
	if (!*caller)
		return -EBADF;
	if (!out)
		return -EINVAL;
	*obj = handle_get(h, (enum htype)type);
	return *obj ? 0 : -EBADF;
}

int
api_own_ref(RTM_ENTITY_HANDLE reg, HANDLE h, int type,
	    struct entity *(*owner_of)(const void *obj), struct entity **caller, void **obj)
{
	*caller = entity_caller_ref(reg);
	if (!*caller)
		return -EBADF;
	*obj = handle_ref(h, (enum htype)type);
	if (!*obj) {
		handle_put((*caller)->handle);
		return -EBADF;
	}
	if (owner_of(*obj) != *caller) {
		handle_put(h);
		handle_put((*caller)->handle);
		return -EACCES;
	}
	return 0;
}

bool
api_caller_ok(RTM_ENTITY_HANDLE h)
{
	bool ok;

	rcu_lock();
	ok = entity_caller_rcu(h) != NULL;
	rcu_unlock();
	return ok;
}

DWORD
api_release_checked(size_t n, const HANDLE *hs, const unsigned *masks, unsigned mask)
{
	if (n <= 64)
		return handle_put_all(n, hs, masks, mask) ? NO_ERROR : ERROR_INVALID_HANDLE;
	rcu_lock();
	for (size_t i = 0; i < n; i++) {
		if (!handle_is_live(hs[i], masks ? masks[i] : mask)) {
			rcu_unlock();
			return ERROR_INVALID_HANDLE;
		}
	}
	rcu_unlock();
	for (size_t i = 0; i < n; i += 64)
		handle_put_many(n - i < 64 ? n - i : 64, hs + i);
	return NO_ERROR;
}

DWORD
api_release_handles(UINT n, HANDLE *handles, unsigned mask)
{
	if (n && !handles)
		return ERROR_INVALID_PARAMETER;
	return api_release_checked(n, handles, NULL, mask);
}

RTM_API DWORD WINAPI
RtmReleaseEntities(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumEntities,
		   PRTM_ENTITY_HANDLE EntityHandles)
{
	api_enter();
	if (!api_caller_ok(RtmRegHandle))
		return ERROR_INVALID_HANDLE;
	return api_release_handles(NumEntities, EntityHandles, HT_BIT(HT_ENTITY));
}

RTM_API DWORD WINAPI
RtmGetEntityInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENTITY_HANDLE EntityHandle,
		 PRTM_ENTITY_INFO EntityInfo)
{
	struct entity *me, *e;
	int rc;

	api_enter();
	rcu_lock();
	rc = api_query_begin_rcu(RtmRegHandle, EntityInfo, EntityHandle, HT_ENTITY, &me,
				 (void **)&e);
	if (!rc)
		*EntityInfo = e->info; /* a deregistered entity's too (SEMANTICS.md §4) */
	rcu_unlock();
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmReleaseEntityInfo(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_ENTITY_INFO EntityInfo)
{
	DWORD rc = NO_ERROR;

	api_enter();
	rcu_lock();
	if (!entity_caller_rcu(RtmRegHandle))
		rc = ERROR_INVALID_HANDLE;
	else if (!EntityInfo)
		rc = ERROR_INVALID_PARAMETER;
	rcu_unlock();
	return rc; /* RTM_ENTITY_INFO holds no handles */
}
