/*
 * Shared by the thin api_*.c files: entry bookkeeping and the one place where
 * core error numbers become Win32 codes.
 *
 * Core functions return 0 or a negative errno with one meaning each:
 *   -EBADF   ERROR_INVALID_HANDLE        -EINVAL   ERROR_INVALID_PARAMETER
 *   -EACCES  ERROR_ACCESS_DENIED         -ENOENT   ERROR_NOT_FOUND
 *   -ENOMEM  ERROR_NOT_ENOUGH_MEMORY     -EEXIST   ERROR_ALREADY_EXISTS
 *   -ENOSPC  ERROR_NO_SYSTEM_RESOURCES   -ENOBUFS  ERROR_INSUFFICIENT_BUFFER
 *   -EOPNOTSUPP ERROR_NOT_SUPPORTED      -ENODATA  ERROR_NO_MORE_ITEMS
 */
#ifndef RTM_API_H
#define RTM_API_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include <rtmv2.h>

#include "rcu.h"

/* The Win32 code of a failure (err < 0; api_error.c). */
DWORD api_error_failure(int err);

/* The Win32 code of a core result: success costs one compare. */
static inline DWORD
api_error(int err)
{
	return likely(err == 0) ? NO_ERROR : api_error_failure(err);
}

/* Every API function starts with this: registers the thread with RCU. */
static inline void
api_enter(void)
{
	rcu_thread_enter();
}

/* Mutating API functions also bound the deferred-free backlog. */
static inline void
api_enter_writer(void)
{
	rcu_thread_enter();
	rcu_throttle();
}

/* Normalise a view mask: ALL means every supported view. */
static inline RTM_VIEW_SET
api_views(RTM_VIEW_SET views)
{
	return views == RTM_VIEW_MASK_ALL ? (RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST) : views;
}


/*
 * The usual first checks of a query, inside rcu_lock(): the caller's
 * registration (-EBADF), a required out-pointer (-EINVAL when NULL), then a
 * handle of the given type (-EBADF).  On success *caller and *obj are set,
 * valid until rcu_unlock().  (api_entity.c)
 */
struct entity;
int api_query_begin_rcu(RTM_ENTITY_HANDLE reg, const void *out, HANDLE h, int type,
			struct entity **caller, void **obj);

/*
 * Resolve the caller and an object of this type that it must own, taking a
 * reference on both: -EBADF (caller or handle), -EACCES (someone else's).
 * owner_of returns the object's owning entity.  Drop both references with
 * handle_put when done.  (api_entity.c)
 */
int api_own_ref(RTM_ENTITY_HANDLE reg, HANDLE h, int type,
		struct entity *(*owner_of)(const void *obj), struct entity **caller, void **obj);

/* Is h a registered entity (a valid RtmRegHandle)?  (api_entity.c) */
bool api_caller_ok(RTM_ENTITY_HANDLE h);

/*
 * Drop one reference on each of n handles, all or nothing: if any is not a
 * live handle whose type is in its mask (masks[i], or `mask` for all when
 * masks is NULL), nothing is released and the result is
 * ERROR_INVALID_HANDLE.  NULL handles must not be passed.  (api_entity.c)
 */
DWORD api_release_checked(size_t n, const HANDLE *hs, const unsigned *masks, unsigned mask);

/* All-or-nothing release of n handles whose types are in mask (api_entity.c). */
DWORD api_release_handles(UINT n, HANDLE *handles, unsigned mask);

/* Check the caller and release n dest infos of the array stride of §5. */
DWORD api_release_dest_infos(RTM_ENTITY_HANDLE reg, UINT n, const RTM_DEST_INFO *infos);
#endif
