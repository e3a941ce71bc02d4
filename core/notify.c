/*
 * Change notification: registrations, queues and callback delivery.
 * See notify.h for the protocol and who guards what.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dest.h"
#include "entity.h"
#include "notify.h"
#include "table.h"
#include "trie.h"

#define NOTIFY_TYPES (RTM_CHANGE_TYPE_ALL | RTM_CHANGE_TYPE_BEST | RTM_CHANGE_TYPE_FORWARDING)
#define NOTIFY_SPARE_BATCH 32 /* reservations a thread takes at once (notify.h) */

static void
reg_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	struct notify_reg *reg = caa_container_of(head, struct notify_reg, rcu);
	rtm_handle h = reg->handle;

	pthread_mutex_destroy(&reg->qlock);
	rtm_free(reg->q);
	rtm_free(reg);
	handle_recycle(h);
	rcu_deferred_done();
}

static void
reg_final(void *obj)
{
	struct notify_reg *reg = obj;

	handle_put(reg->owner->handle);
	rcu_defer(&reg->rcu, reg_free_cb);
}

void
notify_module_init(void)
{
	handle_set_finalizer(HT_NOTIFY, reg_final);
}

/* Worker: tell the owner there are changes.  Drops the queued reference. */
static void
reg_deliver(struct work *w)
{
	struct notify_reg *reg = caa_container_of(w, struct notify_reg, work);
	struct entity *e = reg->owner;

	if (!ld_acquire(&reg->dead) && ld_acquire(&e->registered) && e->callback)
		e->callback(e->handle, RTM_CHANGE_NOTIFICATION, reg->handle, reg->context);
	handle_put(reg->handle);
}

/* Under qlock: make the queue hold at least cap entries.  0 or -ENOMEM. */
static int
queue_grow_locked(struct notify_reg *reg, size_t cap)
{
	struct dest **q;

	if (reg->qcap >= cap)
		return 0;
	q = rtm_malloc(cap * sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (size_t i = 0; i < reg->qlen; i++)
		q[i] = reg->q[(reg->qhead + i) % reg->qcap];
	rtm_free(reg->q);
	reg->q = q;
	reg->qcap = cap;
	reg->qhead = 0;
	return 0;
}

/* Queue capacity for n destination objects, with room to grow. */
static size_t
queue_cap_for(uint64_t n)
{
	return n < 32 ? 64 : (size_t)n * 2;
}

/* Under notify_lock: recompute notify_room from the live registrations
 * (extra, if not NULL, is one about to be published). */
static void
room_update_locked(struct table *t, const struct notify_reg *extra)
{
	uint64_t room = extra ? extra->qcap : UINT64_MAX;

	for (unsigned i = 0; i < NOTIFY_MAX_REGS; i++) {
		struct notify_reg *reg = ld_relaxed(&t->notify_regs[i]);

		if (reg && reg->qcap < room)
			room = reg->qcap;
	}
	/* seq_cst: pairs with the seq_cst add and load in notify_dest_reserve
	 * (either the reserver sees the smaller room, or we see its count). */
	atomic_store(&t->notify_room, room);
}

/*
 * This thread's spare reservations: counted in spare_table->notify_dests but
 * held by no destination object yet (notify.h), so that most creations and
 * frees of destination objects write no table-wide counter.
 */
static __thread struct table *spare_table;
static __thread uint32_t spare_n;

/* Reserve n entries in every queue of t at once.  0 or -ENOMEM. */
static int
reserve_n(struct table *t, uint32_t n_new)
{
	uint64_t n = fetch_add_seq_cst(&t->notify_dests, n_new) + n_new;
	int rc = 0;

	if (likely(n <= atomic_load(&t->notify_room)))
		return 0;
	pthread_mutex_lock(&t->notify_lock);
	for (unsigned i = 0; i < NOTIFY_MAX_REGS && !rc; i++) {
		struct notify_reg *reg = ld_relaxed(&t->notify_regs[i]);

		if (!reg)
			continue;
		pthread_mutex_lock(&reg->qlock);
		if (reg->qcap < n)
			rc = queue_grow_locked(reg, queue_cap_for(n));
		pthread_mutex_unlock(&reg->qlock);
	}
	room_update_locked(t, NULL);
	pthread_mutex_unlock(&t->notify_lock);
	if (rc)
		fetch_sub_seq_cst(&t->notify_dests, n_new);
	return rc;
}

/* Give this thread's spare reservations back to their table. */
static void
spares_return(void)
{
	if (spare_n)
		fetch_sub_seq_cst(&spare_table->notify_dests, spare_n);
	spare_table = NULL;
	spare_n = 0;
}

void
notify_thread_exit(void)
{
	spares_return();
}

int
notify_dest_reserve(struct table *t)
{
	if (likely(spare_table == t && spare_n > 0)) {
		spare_n--;
		return 0;
	}
	spares_return(); /* spares of another table go back */
	/* A queue that cannot grow for the batch fails the call with ENOMEM,
	 * as one that cannot grow for this destination alone would (queues
	 * grow to twice the count, so the batch hardly changes the size). */
	if (reserve_n(t, NOTIFY_SPARE_BATCH) != 0)
		return -ENOMEM;
	spare_table = t;
	spare_n = NOTIFY_SPARE_BATCH - 1;
	return 0;
}

void
notify_dest_unreserve(struct table *t)
{
	if (spare_table != t) {
		spares_return();
		spare_table = t;
	}
	if (++spare_n > 2 * NOTIFY_SPARE_BATCH) {
		fetch_sub_seq_cst(&t->notify_dests, NOTIFY_SPARE_BATCH);
		spare_n -= NOTIFY_SPARE_BATCH;
	}
}

/* Under qlock: append d (the caller has referenced it).  Cannot fail: the
 * queue has room for every destination object (see notify.h). */
static void
queue_push_locked(struct notify_reg *reg, struct dest *d)
{
	if (reg->qlen >= reg->qcap)
		abort(); /* broken invariant: a destination was not reserved */
	reg->q[(reg->qhead + reg->qlen) % reg->qcap] = d;
	reg->qlen++;
}

static void
reg_enqueue(struct notify_reg *reg, struct dest *d)
{
	uint32_t bit = 1u << reg->id;
	bool signal = false;

	/* Already queued there: this change merges into that entry. */
	if (atomic_fetch_or(&d->notify_pending, bit) & bit)
		return;
	handle_ref(d->handle, HT_DEST);
	pthread_mutex_lock(&reg->qlock);
	queue_push_locked(reg, d);
	if (!reg->signalled) {
		reg->signalled = true;
		signal = true;
	}
	pthread_mutex_unlock(&reg->qlock);
	/* The item holds a reference while queued.  It may still be queued
	 * from an earlier signal (a consumer drained the queue before the
	 * worker ran it): then that run delivers this signal too and only one
	 * reference is held.  Queuing cannot fail: the worker started when the
	 * owner registered. */
	if (signal && reg->owner->callback && handle_ref(reg->handle, HT_NOTIFY)) {
		if (!worker_queue_fresh(&reg->work))
			handle_put(reg->handle);
	}
}

void
notify_dest_changed_locked(struct dest *d, uint32_t all, uint32_t best, uint32_t fwd)
{
	struct table *t = d->table;

	uint32_t live;

	if (!(all | best | fwd))
		return;
	/* Pairs with the release in notify_register(): a registration whose
	 * bit is seen has its pointer seen too. */
	live = ld_acquire(&t->notify_live);
	if (likely(!live))
		return;
	rcu_lock();
	for (; live; live &= live - 1) {
		unsigned i = (unsigned)__builtin_ctz(live);
		struct notify_reg *reg = ld_acquire(&t->notify_regs[i]);
		bool hit;

		if (!reg || ld_relaxed(&reg->dead))
			continue;
		hit = ((reg->types & RTM_CHANGE_TYPE_ALL) && (reg->views & all)) ||
		      ((reg->types & RTM_CHANGE_TYPE_BEST) && (reg->views & best)) ||
		      ((reg->types & RTM_CHANGE_TYPE_FORWARDING) && (reg->views & fwd));
		if (!hit)
			continue;
		if (reg->only_marked && !(dest_notify_marked(d) & (1u << i)))
			continue;
		reg_enqueue(reg, d);
	}
	rcu_unlock();
}

int
notify_register(struct entity *e, RTM_VIEW_SET views, DWORD flags, void *context, rtm_handle *out)
{
	struct table *t = e->table;
	struct notify_reg *reg;
	int id = -1, rc;

	if (!(flags & NOTIFY_TYPES) ||
	    (flags & ~(DWORD)(NOTIFY_TYPES | RTM_NOTIFY_ONLY_MARKED_DESTS)))
		return -EINVAL;
	if (views == RTM_VIEW_MASK_ANY || views == RTM_VIEW_MASK_ALL)
		views = TABLE_VIEWS_SUPPORTED;
	if (views & ~(RTM_VIEW_SET)TABLE_VIEWS_SUPPORTED)
		return -EOPNOTSUPP;
	reg = rtm_calloc(1, sizeof(*reg));
	if (!reg)
		return -ENOMEM;
	reg->table = t;
	reg->owner = e;
	reg->views = views;
	reg->types = flags & NOTIFY_TYPES;
	reg->only_marked = (flags & RTM_NOTIFY_ONLY_MARKED_DESTS) != 0;
	reg->context = context;
	pthread_mutex_init(&reg->qlock, NULL);
	reg->work.fn = reg_deliver;
	reg->work.entity = e;
	atomic_init(&reg->dead, false);

	pthread_mutex_lock(&t->notify_lock);
	for (unsigned i = 0; i < NOTIFY_MAX_REGS && id < 0; i++) {
		if (!(t->notify_used & (1u << i)))
			id = (int)i;
	}
	if (id < 0) {
		rc = -ENOSPC;
		goto out_unlock;
	}
	/* Room for every destination object (notify.h).  Lower notify_room
	 * before reading the count again, so that a destination created
	 * meanwhile either sees the lower room (and waits for notify_lock to
	 * grow this queue once it is published) or is counted here. */
	for (;;) {
		uint64_t n = atomic_load(&t->notify_dests);

		if ((rc = queue_grow_locked(reg, queue_cap_for(n))) != 0)
			goto out_unlock;
		room_update_locked(t, reg);
		if (atomic_load(&t->notify_dests) <= reg->qcap)
			break;
	}
	if ((rc = handle_alloc(HT_NOTIFY, reg, 1, &reg->handle)) != 0)
		goto out_unlock;
	reg->id = (unsigned)id;
	handle_ref(e->handle, HT_ENTITY);
	t->notify_used |= 1u << id;
	st_release(&t->notify_regs[id], reg); /* pairs with notify_dest_changed_locked */
	fetch_or_release(&t->notify_live, 1u << id);
	pthread_mutex_unlock(&t->notify_lock);

	pthread_mutex_lock(&e->lists_lock);
	cds_list_add_tail(&reg->link, &e->notifies);
	pthread_mutex_unlock(&e->lists_lock);
	*out = reg->handle;
	return 0;
out_unlock:
	room_update_locked(t, NULL);
	pthread_mutex_unlock(&t->notify_lock);
	pthread_mutex_destroy(&reg->qlock);
	rtm_free(reg->q);
	rtm_free(reg);
	return rc;
}

struct notify_reg *
notify_reg_of_rcu(rtm_handle h, const struct entity *caller)
{
	struct notify_reg *reg = handle_get(h, HT_NOTIFY);

	if (!reg || reg->owner != caller || ld_acquire(&reg->dead))
		return NULL;
	return reg;
}

/* Clear registration id's mark on every destination of the table. */
static void
clear_marks(struct table *t, unsigned id)
{
	struct prefix last;
	bool started = false;
	struct dest *d;

	rcu_lock();
	for (d = trie_next_rcu(&t->trie, NULL, false); d;
	     d = trie_next_rcu(&t->trie, &last, true)) {
		struct dest_ext *x = dest_ext(d);

		if (x)
			atomic_fetch_and(&x->notify_marked, ~(1u << id));
		last = d->key;
		started = true;
	}
	(void)started;
	rcu_unlock();
}

void
notify_deregister(struct notify_reg *reg)
{
	struct table *t = reg->table;
	struct entity *e = reg->owner;

	if (atomic_exchange(&reg->dead, true))
		return;
	pthread_mutex_lock(&t->notify_lock);
	fetch_and_release(&t->notify_live, ~(1u << reg->id));
	st_release(&t->notify_regs[reg->id], NULL);
	room_update_locked(t, NULL);
	pthread_mutex_unlock(&t->notify_lock);
	/* Writers that saw the registration inside their read section are done
	 * queuing on it after this. */
	urcu_memb_synchronize_rcu();
	if (worker_unqueue(&reg->work))
		handle_put(reg->handle);
	pthread_mutex_lock(&reg->qlock);
	while (reg->qlen) {
		struct dest *d = reg->q[reg->qhead];

		reg->qhead = (reg->qhead + 1) % reg->qcap;
		reg->qlen--;
		atomic_fetch_and(&d->notify_pending, ~(1u << reg->id));
		handle_put(d->handle);
	}
	pthread_mutex_unlock(&reg->qlock);
	clear_marks(t, reg->id);
	pthread_mutex_lock(&t->notify_lock);
	t->notify_used &= ~(1u << reg->id);
	pthread_mutex_unlock(&t->notify_lock);

	pthread_mutex_lock(&e->lists_lock);
	cds_list_del(&reg->link);
	pthread_mutex_unlock(&e->lists_lock);
	handle_put(reg->handle); /* the registration's own reference */
}

size_t
notify_take(struct notify_reg *reg, struct dest **out, size_t max, bool *drained)
{
	size_t n = 0;

	pthread_mutex_lock(&reg->qlock);
	while (n < max && reg->qlen) {
		struct dest *d = reg->q[reg->qhead];

		reg->qhead = (reg->qhead + 1) % reg->qcap;
		reg->qlen--;
		/* Before the caller reads d: a later change queues it again. */
		atomic_fetch_and(&d->notify_pending, ~(1u << reg->id));
		out[n++] = d; /* the queue's reference passes to the caller */
	}
	*drained = reg->qlen == 0;
	if (*drained)
		reg->signalled = false;
	pthread_mutex_unlock(&reg->qlock);
	return n;
}

void
notify_ignore(struct notify_reg *reg, struct dest *d)
{
	uint32_t bit = 1u << reg->id;
	bool found = false;

	if (!(ld_acquire(&d->notify_pending) & bit))
		return;
	pthread_mutex_lock(&reg->qlock);
	for (size_t i = 0; i < reg->qlen; i++) {
		size_t at = (reg->qhead + i) % reg->qcap;

		if (reg->q[at] != d)
			continue;
		for (size_t j = i; j + 1 < reg->qlen; j++)
			reg->q[(reg->qhead + j) % reg->qcap] = reg->q[(reg->qhead + j + 1) % reg->qcap];
		reg->qlen--;
		atomic_fetch_and(&d->notify_pending, ~bit);
		found = true;
		break;
	}
	pthread_mutex_unlock(&reg->qlock);
	if (found)
		handle_put(d->handle);
}
