/*
 * Lock order of the whole library, declared once.
 *
 * A thread may take locks only in this order (a lock further down the list
 * is never held while waiting for one higher up):
 *
 *   1. registry_lock          table registry (table.c)
 *   2. table->entities_lock   entity list and opaque slots of one table
 *   3. dest->lock             per-destination lock word (destlock.c), the
 *                             lock RtmLockDestination / RtmLockRoute expose;
 *                             a thread holds at most one at a time inside the
 *                             library
 *   4. trie part lock         structural changes of one part of the table's
 *                             trie (trie.h, table_trie_lock); a thread holds
 *                             at most one (trie_writers_barrier takes each
 *                             in turn, never two at once)
 *   5. entity->nh_lock        the entity's next-hop table
 *   6. nexthop->lock          per-next-hop lock word (RtmLockNextHop)
 *   7. allocator leaves       handle.c's free_lock; slab.c's per-cache lock
 *                             and the magazine registry_lock (a thread's
 *                             first use of a cache); none is held while
 *                             taking another lock
 *   8. rcu.c's batches_lock, a leaf taken at a thread's registration and
 *                             exit and by the sweep and rcu_drain(); never
 *                             by rcu_defer(), which takes no lock (the
 *                             worker's wake-up is lock-free: worker.c)
 *
 * Change notification: table->notify_lock, then a registration's qlock
 * (notify_dest_reserve grows every queue under both).  Neither is held while
 * taking any lock above; a writer holding dest->lock takes qlock alone to
 * queue a change.
 *
 * Rules that go with it:
 * - No lock is held while a client callback runs.
 * - synchronize_rcu() is never called with any of these held, nor inside a
 *   read-side section (rcu_throttle() checks the per-thread count of held
 *   destination locks).
 * - Dropping a reference (handle_put) takes no lock but the allocator
 *   leaves of 7 (a finalizer's frees, when a per-thread cache is full or
 *   empty; rcu_defer takes none), so it is allowed anywhere, including
 *   inside a client's RtmLockRoute hold and in call_rcu callbacks.
 * - Blocking on a destination lock happens outside any RCU read-side section,
 *   with a temporary reference keeping the destination alive.
 */
#ifndef RTM_LOCK_ORDER_H
#define RTM_LOCK_ORDER_H
#endif
