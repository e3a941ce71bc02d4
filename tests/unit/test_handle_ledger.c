/*
 * test_handle_ledger.c - the switch of hot objects from slot counting to
 * per-thread ledgers, and handle_kill() (core/handle.c, "Switching to
 * ledgers"): an object is counted in its slot until its second reference
 * taken through handle_ref*, so a kill before that has no ledger to visit;
 * a kill after it must collect every ledger's references, and a reference
 * taken after the kill must not switch it back.
 *
 * Each wrong shortcut shows up as a finalizer that runs while a reference
 * is still held (references missed by the kill) or never runs (a bias added
 * after the kill, never removed).
 *
 * The race of a killer with a thread that exits holding ledger entries is
 * tested twice: by chance (sharers exit at the end of each round of the
 * killers_racing_sharers test) and on purpose, stopping both threads at the
 * points of core/handle_race_hook.h so that the harmful order happens on
 * every run.
 *
 * Links rtm_static through rtm::internal (handle_* are not exported by librtm),
 * and the check harness on its own (rtm_testlib would bring the shared librtm).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "handle.h"
#include "handle_race_hook.h"
#include "rcu.h"

#define ROUNDS 400u
#define SHARERS 2u
#define AFTER_KILL 100u /* references a sharer takes after the kill, at most */

struct counted {
	_Atomic unsigned finals; /* times the finalizer ran */
};

static void
count_final(void *obj)
{
	struct counted *c = obj;

	atomic_fetch_add(&c->finals, 1);
}

static void
setup(void)
{
	rcu_thread_enter();
	handle_set_finalizer(HT_ROUTE, count_final);
	handle_set_finalizer(HT_DEST, count_final);
}

/* A fresh route handle for c with the store's reference. */
static rtm_handle
fresh(struct counted *c, enum htype type)
{
	rtm_handle h;

	atomic_store(&c->finals, 0);
	if (handle_alloc(type, c, 1, &h) != 0)
		abort();
	return h;
}

TEST(a_kill_before_any_sharing_keeps_a_held_reference)
{
	struct counted c;
	rtm_handle h;

	setup();
	h = fresh(&c, HT_ROUTE);
	CHECK_EQ_PTR(handle_ref(h, HT_ROUTE), &c); /* marks it touched only */
	handle_kill_put(h);
	CHECK_EQ_U(handle_refs(h), 1);
	CHECK_EQ_U(atomic_load(&c.finals), 0);
	/* A reference after the kill would switch a touched object to ledgers:
	 * a killed one must stay exact. */
	CHECK_EQ_PTR(handle_ref(h, HT_ROUTE), &c);
	CHECK_EQ_PTR(handle_ref(h, HT_ROUTE), &c);
	CHECK_EQ_U(handle_refs(h), 3);
	handle_put(h);
	handle_put(h);
	CHECK_EQ_U(atomic_load(&c.finals), 0);
	handle_put(h);
	CHECK_EQ_U(atomic_load(&c.finals), 1);
	CHECK(!handle_is_live(h, HT_BIT(HT_ROUTE)));
	handle_recycle(h);
}

TEST(a_kill_after_the_switch_collects_this_threads_ledger)
{
	struct counted c;
	rtm_handle h;

	setup();
	h = fresh(&c, HT_ROUTE);
	for (unsigned i = 0; i < 5; i++) /* the second switches it to ledgers */
		CHECK_EQ_PTR(handle_ref(h, HT_ROUTE), &c);
	handle_kill_put(h);
	CHECK_EQ_U(handle_refs(h), 5); /* exact now */
	for (unsigned i = 0; i < 4; i++)
		handle_put(h);
	CHECK_EQ_U(atomic_load(&c.finals), 0);
	handle_put(h);
	CHECK_EQ_U(atomic_load(&c.finals), 1);
	handle_recycle(h);
}

/*
 * The unrolled three-handle batches (a dest info's destination, best route
 * and owner: handle_ref_read_rcu, handle_put_all with masks) are all or
 * nothing, both on the first references (slot counts) and once in ledgers.
 */
TEST(three_handle_batches_take_and_drop_all_or_none)
{
	struct counted d, r, o, x;
	const unsigned masks[3] = {HT_BIT(HT_DEST), HT_BIT(HT_ROUTE), HT_BIT(HT_ENTITY)};
	rtm_handle hs[3], dead;

	setup();
	hs[0] = fresh(&d, HT_DEST);
	hs[1] = fresh(&r, HT_ROUTE);
	hs[2] = fresh(&o, HT_ENTITY);
	dead = fresh(&x, HT_ROUTE);
	handle_kill_put(dead); /* dead now: its slot stays ours until recycled */
	/* Slot counts first, ledgers from the third round on; a refused batch
	 * must leave no reference behind (checked by the exact counts below). */
	for (unsigned round = 0; round < 4; round++) {
		const rtm_handle with_dead[3] = {hs[0], dead, hs[2]};
		const rtm_handle swapped[3] = {hs[0], hs[2], hs[1]};

		rcu_lock();
		CHECK(!handle_ref_read_rcu(3, with_dead));
		CHECK(handle_ref_read_rcu(3, hs));
		rcu_unlock();
		CHECK(!handle_put_all(3, with_dead, masks, 0));
		CHECK(!handle_put_all(3, swapped, masks, 0)); /* a route as the owner */
		if (round < 3)
			CHECK(handle_put_all(3, hs, masks, 0));
	}
	/* The last round's references are still held: killing makes the
	 * counts exact (the ledger's entries collected). */
	for (unsigned i = 0; i < 3; i++) {
		handle_kill(hs[i]);
		CHECK_EQ_U(handle_refs(hs[i]), 2);
	}
	CHECK(handle_put_all(3, hs, masks, 0));
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ_U(handle_refs(hs[i]), 1);
		handle_put(hs[i]);
		CHECK(!handle_is_live(hs[i], ~0u));
	}
	CHECK_EQ_U(atomic_load(&d.finals) + atomic_load(&r.finals), 2);
	for (unsigned i = 0; i < 3; i++)
		handle_recycle(hs[i]);
	handle_recycle(dead);
}

struct round {
	rtm_handle route, dest, owner; /* the owner lives through the round */
	struct counted *route_obj, *dest_obj;
	_Atomic bool go, killed;
	_Atomic unsigned taken; /* references the sharers took, all told */
	_Atomic unsigned errors;
};

/* Is what r's sharer holds still live and not finalized? */
static bool
held_ok(struct round *r, bool dest_too)
{
	return handle_is_live(r->route, HT_BIT(HT_ROUTE)) &&
	       atomic_load(&r->route_obj->finals) == 0 &&
	       (!dest_too ||
		(handle_is_live(r->dest, HT_BIT(HT_DEST)) && atomic_load(&r->dest_obj->finals) == 0));
}

/*
 * Take and drop references as lookups would (one at a time and in batches),
 * while main kills both objects, and a while after that, until they die.
 */
static void *
sharer(void *arg)
{
	struct round *r = arg;
	const rtm_handle both[2] = {r->dest, r->route};
	const enum htype types[2] = {HT_DEST, HT_ROUTE};
	const rtm_handle info[3] = {r->dest, r->route, r->owner};
	const unsigned masks[3] = {HT_BIT(HT_DEST), HT_BIT(HT_ROUTE), HT_BIT(HT_ENTITY)};
	unsigned after_kill = 0;

	rcu_thread_enter();
	while (!atomic_load(&r->go))
		sched_yield();
	for (unsigned i = 0; after_kill < AFTER_KILL; i++) {
		unsigned mode = i % 3; /* one, two (handle_ref_all), a dest info's three */
		bool batch = mode != 0, taken;

		rcu_lock(); /* handle_ref_read_rcu's contract */
		taken = mode == 0   ? handle_ref(r->route, HT_ROUTE) != NULL
			: mode == 1 ? handle_ref_all(2, both, types)
				    : handle_ref_read_rcu(3, info);
		rcu_unlock();
		if (!taken)
			break; /* dead: the store's reference and every other went */
		atomic_fetch_add(&r->taken, 1);
		if (!held_ok(r, batch))
			atomic_fetch_add(&r->errors, 1);
		for (volatile unsigned spin = 0; spin < 50; spin++)
			;
		if (!held_ok(r, batch))
			atomic_fetch_add(&r->errors, 1);
		if (mode == 2) {
			if (!handle_put_all(3, info, masks, 0))
				atomic_fetch_add(&r->errors, 1);
		} else if (batch) {
			handle_put_many(2, both);
		} else {
			handle_put(r->route);
		}
		after_kill += atomic_load(&r->killed);
	}
	return NULL;
}

TEST(killers_racing_sharers_count_every_reference_once)
{
	struct counted route_obj, dest_obj, owner_obj;
	unsigned seed = 12345;

	setup();
	for (unsigned round = 0; round < ROUNDS; round++) {
		struct round r = {.route_obj = &route_obj, .dest_obj = &dest_obj};
		pthread_t t[SHARERS];
		unsigned wait;

		r.route = fresh(&route_obj, HT_ROUTE);
		r.dest = fresh(&dest_obj, HT_DEST);
		r.owner = fresh(&owner_obj, HT_ENTITY);
		for (unsigned i = 0; i < SHARERS; i++)
			REQUIRE(pthread_create(&t[i], NULL, sharer, &r) == 0);
		atomic_store(&r.go, true);
		/* Kill before the switch to ledgers in some rounds (no reference
		 * taken yet, or one), after it in the others. */
		wait = (unsigned)rand_r(&seed) % 8u;
		while (atomic_load(&r.taken) < wait)
			sched_yield();
		handle_kill_put(r.route);
		handle_kill_put(r.dest);
		atomic_store(&r.killed, true);
		for (unsigned i = 0; i < SHARERS; i++)
			REQUIRE(pthread_join(t[i], NULL) == 0);
		if (atomic_load(&r.errors) != 0)
			check_fail(__FILE__, __LINE__, "round %u: %u references held on a dead or "
				   "finalized handle", round, atomic_load(&r.errors));
		/* The sharers dropped all theirs: both died, once each. */
		if (atomic_load(&route_obj.finals) != 1 || atomic_load(&dest_obj.finals) != 1)
			check_fail(__FILE__, __LINE__, "round %u: finalizers ran %u (route), %u (dest) "
				   "times, not once", round, atomic_load(&route_obj.finals),
				   atomic_load(&dest_obj.finals));
		CHECK(!handle_is_live(r.route, HT_BIT(HT_ROUTE)));
		CHECK(!handle_is_live(r.dest, HT_BIT(HT_DEST)));
		if (check_current_failures())
			return;
		/* Every sharer's reference on the owner went back too. */
		CHECK_EQ_U(handle_refs(r.owner), 1);
		handle_kill_put(r.owner);
		handle_recycle(r.route); /* the sharers have exited: no reader left */
		handle_recycle(r.dest);
		handle_recycle(r.owner);
	}
}

/*
 * A thread that exits while a killer is between clearing W_LEDGER and
 * harvesting the thread's ledger (handle_thread_exit's comment).  The order
 * forced here, E the exiting thread and K the killer:
 *   E takes a reference in its ledger (entry 1; the slot holds the store's
 *     reference and the bias);
 *   K handle_kill_put: clears W_LEDGER, stops (HANDLE_RACE_KILL_CLEARED);
 *   E drops its reference in a batch, which sees W_LEDGER clear and takes it
 *     from the slot count (the entry still says 1), and exits; its
 *     handle_thread_exit reads the entry and stops (HANDLE_RACE_EXIT_ENTRY);
 *   K harvests the entry, removes the bias, drops the store's reference: the
 *     count reaches zero and the finalizer runs;
 *   E goes on with the entry it read.
 * The finalizer must have run once.  The code before c897f75 added the entry
 * it had read to the slot (reviving the dead word), failed to empty the
 * entry (harvested) and took the count back out, running the finalizer a
 * second time.
 */
static struct exit_race {
	uint32_t index; /* the slot index the stops are for */
	struct counted obj;
	rtm_handle h;
	sem_t ref_taken, ledger_cleared, exit_reached, kill_done;
	_Atomic unsigned kill_stops, exit_stops, timeouts;
	_Atomic bool exiter_ok;
} race;

/* sem_wait, but a broken protocol that never posts fails the test instead of
 * hanging it (the deadline is not part of the synchronization). */
static void
race_wait(sem_t *sem)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 20;
	while (sem_timedwait(sem, &until) != 0) {
		if (errno != EINTR) {
			atomic_fetch_add(&race.timeouts, 1);
			return;
		}
	}
}

static void
exit_race_hook(enum handle_race_point where, uint32_t index)
{
	if (index != race.index)
		return;
	if (where == HANDLE_RACE_KILL_CLEARED) {
		atomic_fetch_add(&race.kill_stops, 1);
		sem_post(&race.ledger_cleared);
		race_wait(&race.exit_reached);
	} else if (where == HANDLE_RACE_EXIT_ENTRY) {
		atomic_fetch_add(&race.exit_stops, 1);
		sem_post(&race.exit_reached);
		race_wait(&race.kill_done);
	}
}

static void *
exiter(void *arg)
{
	bool ok;

	(void)arg;
	rcu_thread_enter(); /* its exit runs handle_thread_exit */
	ok = handle_ref(race.h, HT_ROUTE) == &race.obj; /* into this thread's ledger */
	sem_post(&race.ref_taken);
	race_wait(&race.ledger_cleared);
	/* In a batch: it sees W_LEDGER clear and drops from the slot count. */
	ok = ok && handle_put_all(1, &race.h, NULL, HT_BIT(HT_ROUTE));
	ok = ok && atomic_load(&race.obj.finals) == 0; /* the store's reference is left */
	atomic_store(&race.exiter_ok, ok);
	return NULL;
}

TEST(a_thread_exiting_while_its_ledger_is_harvested_finalizes_once)
{
	pthread_t t;

	setup();
	race.h = fresh(&race.obj, HT_ROUTE);
	race.index = (uint32_t)(uintptr_t)race.h;
	/* Switch it to ledgers with two slot references, given back at once:
	 * the slot holds the store's reference and the bias. */
	CHECK_EQ_PTR(handle_ref(race.h, HT_ROUTE), &race.obj);
	CHECK_EQ_PTR(handle_ref(race.h, HT_ROUTE), &race.obj);
	handle_put(race.h);
	handle_put(race.h);
	REQUIRE(sem_init(&race.ref_taken, 0, 0) == 0);
	REQUIRE(sem_init(&race.ledger_cleared, 0, 0) == 0);
	REQUIRE(sem_init(&race.exit_reached, 0, 0) == 0);
	REQUIRE(sem_init(&race.kill_done, 0, 0) == 0);
	handle_set_race_hook(exit_race_hook);
	REQUIRE(pthread_create(&t, NULL, exiter, NULL) == 0);
	race_wait(&race.ref_taken);
	/* The exiter's reference is in its ledger, not in the slot. */
	CHECK_EQ_U(handle_refs(race.h), 1);
	handle_kill_put(race.h); /* stops once W_LEDGER is clear */
	CHECK_EQ_U(atomic_load(&race.obj.finals), 1);
	sem_post(&race.kill_done);
	REQUIRE(pthread_join(t, NULL) == 0);
	handle_set_race_hook(NULL);
	CHECK_EQ_U(atomic_load(&race.timeouts), 0);
	CHECK_EQ_U(atomic_load(&race.kill_stops), 1);
	CHECK_EQ_U(atomic_load(&race.exit_stops), 1); /* the interleaving happened */
	CHECK(atomic_load(&race.exiter_ok));
	CHECK_EQ_U(atomic_load(&race.obj.finals), 1);
	CHECK(!handle_is_live(race.h, HT_BIT(HT_ROUTE)));
	handle_recycle(race.h); /* the exiter is gone: no reader left */
	sem_destroy(&race.ref_taken);
	sem_destroy(&race.ledger_cleared);
	sem_destroy(&race.exit_reached);
	sem_destroy(&race.kill_done);
}

int
main(int argc, char **argv)
{
	return check_main(argc, argv);
}
