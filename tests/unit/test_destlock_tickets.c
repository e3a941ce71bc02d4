/*
 * test_destlock_tickets.c - the destination lock's writer tickets
 * (core/destlock.h): win and wout are the two 16-bit halves of one word, so
 * advancing wout past 0xffff must not carry into win, and taking a ticket
 * past 0xffff must leave the word.  Under the phase-fair policy every
 * write_lock takes a ticket, so a few times 2^16 acquisitions walk both
 * halves round: a carry shows as a release that sees a queued writer where
 * there is none (the halves differ with the lock free) or as two writers in
 * the critical section at once.
 *
 * Links rtm_static through rtm::internal (destlock_* are not exported by
 * librtm), and the check harness on its own.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "check.h"
#include "destlock.h"

#define WRAPS 3
#define PER_THREAD 40000 /* two threads: more than 2^16 tickets in all */

static uint32_t
win_of(struct destlock *l)
{
	return atomic_load(&l->tickets) >> 16;
}

static uint32_t
wout_of(struct destlock *l)
{
	return atomic_load(&l->tickets) & 0xffff;
}

TEST(a_lone_writer_walks_both_ticket_halves_round)
{
	struct destlock l;
	const uint32_t n = WRAPS * 65536 + 5;

	destlock_set_policy(DESTLOCK_PHASEFAIR);
	destlock_init(&l);
	for (uint32_t i = 0; i < n; i++) {
		destlock_write_lock(&l);
		if (!destlock_is_write_locked(&l) || win_of(&l) != wout_of(&l)) {
			CHECK(destlock_is_write_locked(&l));
			CHECK_EQ_U(win_of(&l), wout_of(&l));
			destlock_write_unlock(&l);
			break;
		}
		destlock_write_unlock(&l);
	}
	CHECK_EQ_U(win_of(&l), n & 0xffff);
	CHECK_EQ_U(wout_of(&l), n & 0xffff);
	/* Released for good, not handed to a phantom queued writer. */
	CHECK(!destlock_is_write_locked(&l));
	destlock_read_lock(&l);
	CHECK(destlock_is_read_locked(&l));
	destlock_read_unlock(&l);
	destlock_set_policy(DESTLOCK_BARGING);
}

struct shared {
	struct destlock l;
	_Atomic int inside;
	unsigned long count; /* only under the lock */
};

static void *
writer(void *arg)
{
	struct shared *s = arg;

	for (int i = 0; i < PER_THREAD; i++) {
		destlock_write_lock(&s->l);
		if (atomic_fetch_add(&s->inside, 1) != 0)
			CHECK(!"two writers hold the lock");
		s->count++;
		atomic_fetch_sub(&s->inside, 1);
		destlock_write_unlock(&s->l);
	}
	return NULL;
}

TEST(queued_writers_stay_exclusive_across_the_ticket_wrap)
{
	static struct shared s;
	pthread_t t[2];

	destlock_set_policy(DESTLOCK_PHASEFAIR);
	destlock_init(&s.l);
	for (int i = 0; i < 2; i++)
		REQUIRE(pthread_create(&t[i], NULL, writer, &s) == 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ_U(s.count, 2ul * PER_THREAD);
	CHECK_EQ_U(win_of(&s.l), (2u * PER_THREAD) & 0xffff);
	CHECK_EQ_U(wout_of(&s.l), (2u * PER_THREAD) & 0xffff);
	CHECK(!destlock_is_write_locked(&s.l));
	destlock_set_policy(DESTLOCK_BARGING);
}

int
main(int argc, char **argv)
{
	return check_main(argc, argv);
}
