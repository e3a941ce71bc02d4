/*
 * Tables: one per (RtmInstanceId, AddressFamily).  Tables never exchange
 * information.  A table is created by the first registration in it and lives
 * until the process ends (it is small; its trie empties as entities leave).
 *
 * Fields:
 *   instance, family, width, max_nexthops, max_handles, opaque_slots:
 *                   immutable after creation
 *   trie            readers: RCU; structural writers: trie_lock
 *   trie_seq        seqcount over every change of trie: written only by the
 *                   holder of trie_lock (table_trie_lock/unlock), odd while
 *                   it changes the trie; readers (lookups) compare two reads
 *                   to learn that the trie did not change in between, and
 *                   write nothing.  It shares its cache line with trie's root,
 *                   which every trie change writes anyway.
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
	seqcount trie_seq;
	pthread_mutex_t trie_lock;

	pthread_mutex_t entities_lock;
	struct cds_list_head entities; /* struct entity.link */
	uint32_t opaque_used;          /* bit i: slot i taken */

	pthread_mutex_t notify_lock;
	uint32_t notify_used;
	_Atomic(struct notify_reg *) notify_regs[32];
	_Atomic uint32_t notify_live;
	_Atomic uint64_t notify_dests;
	_Atomic uint64_t notify_room;

	struct cds_list_head link; /* registry list, under registry_lock */
};

struct notify_reg;

/* Take and drop trie_lock to change t's trie (trie_seq odd in between). */
static inline void
table_trie_lock(struct table *t)
{
	pthread_mutex_lock(&t->trie_lock);
	seq_write_begin(&t->trie_seq);
}

static inline void
table_trie_unlock(struct table *t)
{
	seq_write_end(&t->trie_seq);
	pthread_mutex_unlock(&t->trie_lock);
}

/* Address width in bits of a supported family, or 0. */
uint32_t table_family_width(USHORT family);

/* The table for (instance, family), created if needed; NULL on ENOMEM. */
struct table *table_get(USHORT instance, USHORT family);

#endif
