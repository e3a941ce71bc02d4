/*
 * Change notification (SEMANTICS.md §11).
 *
 * A registration has a bit id (0..31) in its table.  A destination carries
 * two bit masks over those ids: notify_pending (queued on that registration)
 * and notify_marked (in its dest_ext, dest.h).  Writers that change a destination (holding its lock
 * exclusively) call notify_dest_changed_locked() with the views that saw a
 * change of each type; it queues the destination once per interested
 * registration whose pending bit was clear (fetch_or), which is what merges
 * repeated changes into one entry.  A consumer clears the pending bit before
 * reading the destination, so a change after the clear queues it again and a
 * change before it is visible in what the consumer reads.
 *
 * Queuing never allocates, so a change can never be dropped for want of
 * memory.  A destination object sits at most once in each queue (its pending
 * bit), so a queue never holds more entries than the table has destination
 * objects alive.  Every queue is therefore kept at least that big: a new
 * destination reserves its entry in every queue when it is created
 * (notify_dest_reserve, which fails RtmAddRouteToDest cleanly with ENOMEM
 * before anything is published), and a new registration sizes its queue
 * for the destinations that exist.  The table's notify_room caches the
 * smallest capacity, so the reservation is one atomic add and one load
 * unless a queue must grow.  Each thread reserves a batch at a time and keeps
 * what it has not used, and what frees give back, as spares (at most
 * 2 x NOTIFY_SPARE_BATCH, for one table; returned when a thread that
 * entered the API exits, while the call_rcu thread, which only frees, keeps
 * its own for the life of the process):
 * notify_dests counts the live destination objects plus these spares, which
 * only makes the queues a little bigger than needed, and most creations and
 * frees write no shared counter.
 *
 * Fields of struct notify_reg:
 *   table, owner, handle, id, views, types, only_marked, context: immutable
 *   q, qhead, qlen, qcap, signalled: qlock (a leaf lock)
 *   work          queued on the worker when the queue becomes non-empty and
 *                 no callback is outstanding; holds a reference on handle
 *                 while queued
 *   dead          set once by deregistration, before the grace period that
 *                 separates it from writers still queuing on it
 *   link          owner's list, under owner->lists_lock
 * table->notify_regs[id]: RCU pointers, written under table->notify_lock.
 */
#ifndef RTM_NOTIFY_H
#define RTM_NOTIFY_H

#include <pthread.h>

#include <rtmv2.h>

#include "handle.h"
#include "worker.h"

struct dest;
struct entity;
struct table;

#define NOTIFY_MAX_REGS 32

struct notify_reg {
	struct table *table;
	struct entity *owner;
	rtm_handle handle;
	unsigned id;
	RTM_VIEW_SET views;
	DWORD types;
	bool only_marked;
	void *context;
	pthread_mutex_t qlock;
	struct dest **q;
	size_t qhead, qlen, qcap;
	bool signalled;
	struct work work;
	_Atomic bool dead;
	struct cds_list_head link;
	struct rcu_head rcu;
};

/*
 * Queue d on every registration interested in a change of d in these views
 * (view masks per change type).  Caller holds d's lock exclusively.
 */
void notify_dest_changed_locked(struct dest *d, uint32_t all, uint32_t best, uint32_t fwd);

/*
 * A destination object of t is being created: make room for it in every
 * queue.  0 or -ENOMEM (then nothing is reserved).  Undo with
 * notify_dest_unreserve() when the object is freed or discarded.
 */
int notify_dest_reserve(struct table *t);
void notify_dest_unreserve(struct table *t);

/* The calling thread is exiting: give its spare reservations back. */
void notify_thread_exit(void);

/* Register: 0, -EINVAL, -EOPNOTSUPP, -ENOSPC or -ENOMEM. */
int notify_register(struct entity *e, RTM_VIEW_SET views, DWORD flags, void *context,
		    rtm_handle *out);

/* Deregister (waits a grace period: call with no lock held). */
void notify_deregister(struct notify_reg *reg);

/* The caller's own live registration behind h, or NULL.  Inside rcu_lock. */
struct notify_reg *notify_reg_of_rcu(rtm_handle h, const struct entity *caller);

/*
 * Take up to max destinations off the queue, with references, clearing their
 * pending bit.  Returns how many; *drained tells whether the queue was found
 * empty (the callback may then fire again on the next change).
 */
size_t notify_take(struct notify_reg *reg, struct dest **out, size_t max, bool *drained);

/* Remove d from the queue if it is there (its reference is dropped). */
void notify_ignore(struct notify_reg *reg, struct dest *d);

void notify_module_init(void);

#endif
