/*
 * Tables: one per (RtmInstanceId, AddressFamily).  Tables never exchange
 * information.  A table is created by the first registration in it and lives
 * until the process ends (it is small; its trie empties as entities leave).
 *
 * Fields:
 *   instance, family, width, max_nexthops, max_handles, opaque_slots:
 *                   immutable after creation
 *   trie            readers: RCU; structural writers: the lock of the trie
 *                   part they change (trie.h: one part per 1/64 of the
 *                   direct slots, one for /0 .. /18), taken through
 *                   table_trie_lock(); each part has its own seqcount, which
 *                   lookups use to learn that their path did not change
 *                   (trie_cursor_path_unchanged_rcu)
 *   entities, opaque_used:
 *                   entities_lock
 *   notify_regs     RCU pointers to the change-notification registrations by
 *                   id; notify_regs and notify_used are written under
 *                   notify_lock (notify.c)
 *   notify_live     atomic: bit i set while notify_regs[i] is non-NULL (set
 *                   after the pointer is stored, cleared with it, under
 *                   notify_lock), so that a writer finds the registrations
 *                   without scanning all 32 pointers, and none at all with
 *                   one load
 *   notify_dests, notify_room:
 *                   destination objects alive in the table plus the threads'
 *                   spare reservations (notify.h), and the smallest
 *                   queue capacity of its registrations (UINT64_MAX if none):
 *                   notify.c keeps room >= dests, so queuing never allocates
 */
#ifndef RTM_TABLE_H
#define RTM_TABLE_H

#include <pthread.h>
#include <urcu/list.h>

#include "seqcount.h"
#include "trie.h"

#define TABLE_OPAQUE_SLOTS 8
#define TABLE_VIEWS_SUPPORTED (RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST)
#define TABLE_NUM_VIEWS 2

struct table {
	USHORT instance;
	USHORT family;
	uint32_t width;
	uint32_t max_nexthops;
	uint32_t max_handles;

	struct trie trie;

	pthread_mutex_t entities_lock;
	struct cds_list_head entities; /* struct entity.link */
	uint32_t opaque_used;          /* bit i: slot i taken */

	pthread_mutex_t notify_lock;
	uint32_t notify_used;
	_Atomic(struct notify_reg *) notify_regs[32];
	_Atomic uint32_t notify_live;
	/*
	 * notify_dests and notify_room, written when a thread takes or returns a
	 * batch of reservations (notify.c), sit on cache lines of their own so
	 * that their traffic does not evict the read-mostly fields (width,
	 * notify_live, notify_regs).  The pads are 64 bytes as a table is only
	 * 16-byte aligned.
	 */
	char pad_before_dests[64];
	_Atomic uint64_t notify_dests;
	_Atomic uint64_t notify_room;
	char pad_after_dests[64];

	struct cds_list_head link; /* registry list, under registry_lock */
};

struct notify_reg;

/*
 * Take and drop the trie lock for a change at prefix key (the lock of its
 * trie part; the part's seqcount is odd in between).  A thread holds at most
 * one at a time.
 */
static inline struct trie_part *
table_trie_lock(struct table *t, const struct prefix *key)
{
	struct trie_part *p = trie_part_of(&t->trie, key);

	trie_part_lock(p);
	return p;
}

static inline void
table_trie_unlock(struct trie_part *p)
{
	trie_part_unlock(p);
}

/* Address width in bits of a supported family, or 0. */
uint32_t table_family_width(USHORT family);

/* The table for (instance, family), created if needed; NULL on ENOMEM. */
struct table *table_get(USHORT instance, USHORT family);

#endif
