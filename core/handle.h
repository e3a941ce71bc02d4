/*
 * Handles: the values given to callers for entities, destinations, routes,
 * next hops, enumerations, route lists and notification registrations.
 *
 * A handle is not a pointer.  It encodes a slot index, the slot's generation
 * and the object type:
 *
 *   bit 63..60  0xA (marks a librtm handle)
 *   bit 59..56  type (enum htype)
 *   bit 55..32  generation of the slot (24 bits)
 *   bit 31..0   slot index
 *
 * Slots live in chunks that are never freed, so reading the slot of any
 * handle value, even garbage, is safe.  A slot's word packs its generation,
 * type and reference count; a handle is valid while the word's generation and
 * type equal the handle's and the count is above zero.
 *
 * Lifetime of an object behind a handle:
 *   allocate: handle_alloc() with the creator's references (the store's own
 *             reference, plus one per handle given out);
 *   use:      handle_get() inside an RCU read-side section, or while the
 *             caller holds a reference;
 *   retire:   when the count reaches zero the handle is dead at once, the
 *             type's finalizer runs (it drops the object's references on other
 *             objects and defers the free through RCU), and the slot itself
 *             is recycled with a new generation only after a grace period, so
 *             a reader that validated the old handle never sees a new object.
 *
 * A 24-bit generation wraps after 16M reuses of one slot: a stale handle kept
 * (without a reference) across that many reuses could alias a new object.
 * Holding a reference, as the API requires, pins the slot and excludes this.
 *
 * Hot objects (DESIGN.md §4): N threads looking up the same destination take
 * references on the same destination, route and owner entity.  So that they
 * do not all write one counter, live destinations, routes, next hops and
 * entities are counted in two places: the slot's count, which carries a bias
 * of REF_BIAS while the object is live, and per-thread ledgers (a small
 * direct-mapped table per thread, written only by that thread) where a
 * thread records the references it takes.  A reference taken in a ledger may
 * be dropped by any thread (a thread that does not find it in its own ledger
 * drops it from the slot's count; the bias keeps that count above zero).
 * Objects start counted in the slot alone and switch to ledgers on the
 * second reference taken with handle_ref* after the creator's: an object
 * deleted before that, as most churned routes and destinations are, has
 * nothing to collect.
 * When the object is deleted, handle_kill() switches it to plain counting,
 * collects every ledger's entries into the slot's count and removes the bias,
 * so from then on the count is exact and the handle dies the moment the last
 * reference goes (SEMANTICS.md §3).  See handle.c for the protocol.
 */
#ifndef RTM_HANDLE_H
#define RTM_HANDLE_H

#include <stdbool.h>
#include <stdint.h>

#include "rcu.h"

enum htype {
	HT_NONE = 0,
	HT_ENTITY,
	HT_DEST,
	HT_ROUTE,
	HT_NEXTHOP,
	HT_ENUM,
	HT_ROUTE_LIST,
	HT_NOTIFY,
	HT_COUNT
};

typedef void *rtm_handle; /* same representation as HANDLE */

#define HT_BIT(t) (1u << (t))

#include "handle_slot.h"

/* Called, lock-free, when an object's last reference goes away. */
typedef void (*handle_finalizer)(void *obj);

void handle_set_finalizer(enum htype type, handle_finalizer fin);

/*
 * Allocate a slot for obj with refs references.  Returns 0 or -ENOMEM.
 */
int handle_alloc(enum htype type, void *obj, uint32_t refs, rtm_handle *out);

/*
 * The object behind h if h is a live handle of this type, else NULL.
 * Call inside an RCU read-side section, or while holding a reference; the
 * object stays valid until rcu_unlock() in the first case.  Inline (a few
 * loads and one compare when type is a constant): lookups validate their
 * caller's handle and each next hop's with it.
 */
static inline void *
handle_get(rtm_handle h, enum htype type)
{
	uint64_t v = (uint64_t)(uintptr_t)h;
	struct slot *s;

	/* slot_decode() for one type: the marker and the type are one byte. */
	if (type == HT_NONE || type >= HT_COUNT || v >> 56 != (H_MAGIC << 4 | type))
		return NULL;
	s = slot_of_index((uint32_t)v);
	/* Pairs with the release stores of the word (handle_alloc). */
	if (!s || !word_is_key(ld_acquire(&s->word), slot_key_of_type(v, type)))
		return NULL;
	return ld_relaxed(&s->obj);
}

/* The type encoded in h, or HT_NONE if h is not a librtm handle at all. */
enum htype handle_type(rtm_handle h);

/*
 * Take one more reference on a live handle.  Returns the object, or NULL if
 * h is not (or no longer) a live handle of this type.  Safe on garbage.
 */
void *handle_ref(rtm_handle h, enum htype type);

/* Like handle_ref(), taking n (>= 1) references at once (all or none). */
void *handle_ref_n(rtm_handle h, enum htype type, uint32_t n);

/* Like handle_ref() for any of the types in type_mask (1u << type). */
void *handle_ref_any(rtm_handle h, unsigned type_mask);

/*
 * Take one reference on each of n (at most 64) handles, hs[i] of type
 * types[i], all or nothing: false, with nothing taken, if any is not (or no
 * longer) a live handle of its type.  The references counted in this
 * thread's ledger are taken in one batch, at the price of one fence for all.
 */
bool handle_ref_all(size_t n, const rtm_handle *hs, const enum htype *types);

/*
 * handle_ref_all() of handles read from objects inside rcu_lock() (as a dest
 * info's are): each is well formed and of the type it encodes, so none is
 * checked for that, only for being live.  Always one batch (one fence) when
 * the thread has a ledger.  Call inside rcu_lock().
 */
bool handle_ref_read_rcu(size_t n, const rtm_handle *hs);

/* Is h a live handle of one of the types in type_mask?  (No rcu_lock()
 * needed: slots are never freed.) */
bool handle_is_live(rtm_handle h, unsigned type_mask);

/*
 * Drop one reference on each of n (at most 64) handles, all or nothing: if
 * one is not a live handle of a type in its mask (masks[i], or mask for all
 * when masks is NULL), returns false and drops none.  The references counted
 * in this thread's ledger are dropped in one batch, one fence for all.
 * Callers must own the references (the check is against bad input, not a
 * licence to race).
 */
bool handle_put_all(size_t n, const rtm_handle *hs, const unsigned *masks, unsigned mask);

/* The same without the check: each handle found dead is skipped. */
void handle_put_many(size_t n, const rtm_handle *hs);

/*
 * Drop one reference.  The caller owns one (the handle is live).  May run
 * the finalizer.  Never takes a lock.
 */
void handle_put(rtm_handle h);

/* handle_put() n times (n >= 1; the caller owns them all). */
void handle_put_n(rtm_handle h, uint32_t n);

/*
 * Drop one reference if h is a live handle of one of the types in
 * type_mask; returns false (and changes nothing) if it is not.
 */
bool handle_put_checked(rtm_handle h, unsigned type_mask);

/*
 * The object is being deleted: from now on its count is exact (see above).
 * Call exactly once, before dropping the store's own reference; a no-op for
 * types that never use ledgers.
 */
void handle_kill(rtm_handle h);

/* handle_kill(h) then handle_put(h): drop the store's own reference. */
void handle_kill_put(rtm_handle h);

/* Reference count, exact once killed, approximate while live (debugging). */
uint32_t handle_refs(rtm_handle h);

/*
 * The calling thread is exiting: hand its ledger's references back, and its
 * cached free slot indices (a thread keeps up to a few hundred) to the
 * shared free list, so that threads coming and going do not use up slots.
 */
void handle_thread_exit(void);

/*
 * Give the slot back once the object's memory is gone: call from the
 * object's deferred-free callback (after the grace period that began when
 * its count reached zero).
 */
void handle_recycle(rtm_handle h);

/*
 * Start loading h's slot for writing (a hint: nothing is read, any value of
 * h is safe): a writer that will soon kill or release h calls it as soon as
 * it knows h, so that the slot's miss overlaps its other work.
 */
void handle_prefetch_for_write(rtm_handle h);

#endif
