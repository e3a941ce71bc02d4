/* Entity methods (SEMANTICS.md §4): RtmGetEntityMethods, RtmInvokeMethod,
 * RtmBlockMethods. */
#include <stddef.h>
#include <string.h>

#include "api.h"
#include "entity.h"

#define OUTPUT_HEADER offsetof(RTM_ENTITY_METHOD_OUTPUT, OutputData)

RTM_API DWORD WINAPI
RtmGetEntityMethods(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENTITY_HANDLE EntityHandle,
		    PUINT NumMethods, PRTM_ENTITY_EXPORT_METHOD ExptMethods)
{
	struct entity *e;
	DWORD rc = NO_ERROR;

	api_enter();
	rcu_lock();
	if (!entity_caller_rcu(RtmRegHandle)) {
		rc = ERROR_INVALID_HANDLE;
	} else if (!NumMethods || (*NumMethods && !ExptMethods)) {
		rc = ERROR_INVALID_PARAMETER;
	} else if (!(e = entity_caller_rcu(EntityHandle))) {
		rc = ERROR_INVALID_HANDLE; /* unknown or deregistered target */
	} else {
		UINT have = *NumMethods, n = e->nmethods < have ? e->nmethods : have;

		if (n)
			memcpy(ExptMethods, e->methods, n * sizeof(e->methods[0]));
		if (have && have < e->nmethods)
			rc = ERROR_INSUFFICIENT_BUFFER;
		*NumMethods = e->nmethods;
	}
	rcu_unlock();
	return rc;
}

/*
 * Wait until e's methods are not blocked, then count one invocation in.
 * False if e was deregistered meanwhile (deregistration wakes the waiters).
 */
static bool
methods_enter(struct entity *e)
{
	bool ok;

	pthread_mutex_lock(&e->methods_lock);
	while (e->methods_blocked && ld_acquire(&e->registered))
		pthread_cond_wait(&e->methods_cv, &e->methods_lock);
	ok = ld_acquire(&e->registered);
	if (ok)
		e->methods_active++;
	pthread_mutex_unlock(&e->methods_lock);
	return ok;
}

static void
methods_leave(struct entity *e)
{
	pthread_mutex_lock(&e->methods_lock);
	if (--e->methods_active == 0)
		pthread_cond_broadcast(&e->methods_cv);
	pthread_mutex_unlock(&e->methods_lock);
}

RTM_API DWORD WINAPI
RtmInvokeMethod(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENTITY_HANDLE EntityHandle,
		PRTM_ENTITY_METHOD_INPUT Input, PUINT OutputSize,
		PRTM_ENTITY_METHOD_OUTPUT Output)
{
	struct entity *caller, *target;
	size_t left, used = 0;

	api_enter();
	caller = entity_caller_ref(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (!Input || !OutputSize || (*OutputSize && !Output)) {
		handle_put(caller->handle);
		return ERROR_INVALID_PARAMETER;
	}
	target = entity_caller_ref(EntityHandle);
	if (!target) {
		handle_put(caller->handle);
		return ERROR_INVALID_HANDLE;
	}
	left = *OutputSize;
	if (!methods_enter(target)) {
		handle_put(target->handle);
		handle_put(caller->handle);
		return ERROR_INVALID_HANDLE;
	}
	for (unsigned i = 0; i < target->nmethods && i < 32; i++) {
		RTM_ENTITY_METHOD_OUTPUT *rec;
		size_t take;

		if (!(Input->MethodType & (1u << i)))
			continue;
		if (left < OUTPUT_HEADER)
			break;
		rec = (RTM_ENTITY_METHOD_OUTPUT *)((char *)Output + used);
		rec->MethodType = 1u << i;
		rec->MethodStatus = NO_ERROR;
		rec->OutputSize = (UINT)(left - OUTPUT_HEADER);
		target->methods[i](caller->handle, target->handle, Input, rec);
		if (rec->OutputSize > left - OUTPUT_HEADER)
			rec->OutputSize = (UINT)(left - OUTPUT_HEADER); /* a method that lied */
		take = (OUTPUT_HEADER + rec->OutputSize + 3) & ~(size_t)3;
		if (take > left)
			take = left;
		used += take;
		left -= take;
	}
	methods_leave(target);
	*OutputSize = (UINT)used;
	handle_put(target->handle);
	handle_put(caller->handle);
	return NO_ERROR;
}

RTM_API DWORD WINAPI
RtmBlockMethods(RTM_ENTITY_HANDLE RtmRegHandle, HANDLE TargetHandle, UCHAR TargetType,
		DWORD BlockingFlag)
{
	struct entity *e;

	(void)TargetHandle; /* per-object blocking is not supported (SEMANTICS.md §4) */
	(void)TargetType;
	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (BlockingFlag != RTM_BLOCK_METHODS && BlockingFlag != RTM_RESUME_METHODS) {
		handle_put(e->handle);
		return ERROR_INVALID_PARAMETER;
	}
	pthread_mutex_lock(&e->methods_lock);
	if (BlockingFlag == RTM_BLOCK_METHODS) {
		e->methods_blocked = true;
		/* Invocations already running finish first. */
		while (e->methods_active)
			pthread_cond_wait(&e->methods_cv, &e->methods_lock);
	} else {
		e->methods_blocked = false;
		pthread_cond_broadcast(&e->methods_cv);
	}
	pthread_mutex_unlock(&e->methods_lock);
	handle_put(e->handle);
	return NO_ERROR;
}
