/*
 * Enumerations (SEMANTICS.md §10): live cursors over destinations, routes and
 * the caller's next hops, and snapshots of route lists.
 *
 * An enumeration belongs to the entity that created it (owner holds a
 * reference).  Fields other than dead/link are immutable after creation or
 * touched only by the call in progress, which holds `lock` (so two threads
 * using one enumeration take turns); `link` is in the owner's enums list
 * under owner->lists_lock; `dead` is set once by RtmDeleteEnumHandle or
 * deregistration.
 *
 * Pending route handles (route enums: the routes of the destination being
 * walked; list enums: the list's snapshot) carry references that are either
 * handed to the caller or dropped when the enumeration goes.
 */
#ifndef RTM_ENUM_H
#define RTM_ENUM_H

#include <pthread.h>

#include <rtmv2.h>

#include "entity.h"
#include "prefix.h"

struct dest;

enum enum_kind { ENUM_DEST = 1, ENUM_ROUTE, ENUM_NEXTHOP, ENUM_LIST };

struct rtm_enum {
	enum enum_kind kind;
	struct entity *owner;
	rtm_handle handle;
	pthread_mutex_t lock;
	_Atomic bool dead;
	struct cds_list_head link;

	RTM_VIEW_SET views;
	DWORD flags;
	ULONG proto;
	bool has_from;         /* NEXT or RANGE: start at `from` (inclusive) */
	bool has_range;        /* RANGE: stop outside `from` */
	struct prefix from;
	bool started;          /* cursor holds the last key visited */
	struct prefix cursor;
	ULONG cursor_if;       /* next hops: interface of the last one returned */
	bool done;

	struct dest *dest;     /* route enum of one destination (referenced) */
	RTM_MATCH_FLAGS match;
	RTM_ROUTE_INFO *criteria;
	ULONG ifindex;

	rtm_handle *pending;
	size_t npending, ipending;

	struct rcu_head rcu;
};

/* Allocate an enumeration of e (handle, list membership); NULL on ENOMEM. */
struct rtm_enum *enum_new(struct entity *e, enum enum_kind kind);

/* The caller's live enumeration of this kind behind h, referenced, or NULL. */
struct rtm_enum *enum_ref(rtm_handle h, const struct entity *caller, enum enum_kind kind);

/* Parse START/NEXT/RANGE into en (flags may carry other filter bits). */
int enum_set_start(struct rtm_enum *en, DWORD flags, const RTM_NET_ADDRESS *addr);

/* Fill up to max dest infos (stride bytes apart).  Returns count; *end set. */
size_t enum_dests(struct rtm_enum *en, RTM_DEST_INFO *infos, size_t stride, size_t max, bool *end);
/* These two store the count in *n and return 0, or -ENOMEM with nothing
 * handed out and en as it was before the call, so that it can be retried. */
int enum_routes(struct rtm_enum *en, rtm_handle *out, size_t max, size_t *n, bool *end);
int enum_nexthops(struct rtm_enum *en, rtm_handle *out, size_t max, size_t *n, bool *end);
size_t enum_list(struct rtm_enum *en, rtm_handle *out, size_t max);

/* End the enumeration: its handle dies.  False if it was already gone. */
bool enum_delete(struct rtm_enum *en);

void enum_module_init(void);

#endif
