/*
 * The lock word of a destination (and of a next hop): a phase-fair
 * reader/writer lock, 16 bytes, spin then sleep on a futex, with three
 * admission policies for writers.
 *
 * Ownership and phases live in one word, rin:
 *   bits 8..31  reader arrivals
 *   PHID (0x1)  phase id: flips with every write phase
 *   PRES (0x2)  a write phase is in place (owned, or pending)
 *   PEND (0x4)  the write phase has no owner yet (installed by a releasing
 *               writer for the queued writers; the first writer to claim it
 *               owns it)
 *   STARV(0x8)  nobody but the queue's head writer may claim: its barging
 *               bound expired, or (hybrid) the write phase is reserved for it
 * A writer owns the lock from the moment its CAS on rin claims it (FREE ->
 * owned with the phase id flipped, or PENDING -> owned); it then waits for
 * the readers counted by that claim to leave (rout) and holds the lock.
 *
 * Readers (every policy): a reader adds itself to rin; if no write phase is
 * in place it holds the lock.  Otherwise it waits for that one write phase
 * to end (the writer bits PRES|PHID to change) and enters even if more
 * writers wait: reader and writer phases alternate, so neither side starves.
 *
 * Writers queue in ticket order (win, wout: wout is the head's ticket).  A
 * releasing writer that sees a queued writer does not free the lock: it
 * installs the next write phase as PENDING (flipping PHID, so the readers
 * that queued behind it enter, and every later reader waits) and records in
 * `handoff` how many readers had arrived; the claimer waits for exactly
 * those.  So readers cannot stream past a writer that is still waking up.
 * With nobody queued the release just clears PRES.
 *
 * Policies (destlock_set_policy; process-wide, read by each write_lock, so
 * a change applies to the next acquisition and any mix is correct):
 * - DESTLOCK_PHASEFAIR: every writer takes a ticket; only the head claims.
 *   Writers are served strictly FIFO; a PENDING phase always goes to the
 *   head.
 * - DESTLOCK_BARGING: an arriving writer first tries to claim a FREE or
 *   PENDING lock directly (ahead of the queue) unless STARV is set; only if
 *   that fails does it take a ticket.  The head writer that has been head
 *   for longer than DESTLOCK_BARGE_BOUND_NS sets STARV: from then on only
 *   it may claim, so the next release (or the pending phase) is its.  Its
 *   claim clears STARV.  A queued writer is therefore overtaken only by
 *   arriving writers and only while it is head for at most the bound
 *   (plus the one write phase running when the bound expires); queued
 *   writers stay FIFO among themselves.
 * - DESTLOCK_HYBRID: as BARGING, except that a releasing writer that lets
 *   waiting readers in (readers arrived during its phase: arrivals beyond
 *   departures) installs the pending phase with STARV set, reserving it for
 *   the head, whose wake-up then overlaps the read phase; bargers take only
 *   a free lock or a pending phase that admitted no reader.
 *
 * Waiting: a bounded spin, then up to 100 us of sched_yield() (YIELD_NS),
 * then futex sleep on the word being waited for
 * (the head writer's sleep is timed while its bound runs).  The sleepers
 * counts, per word, the threads that may be asleep on it; a releaser issues
 * FUTEX_WAKE only when the count of the word it changed is non-zero.  They
 * are not in the lock: a process-wide table of 64 buckets (one cache line
 * each) keeps them, the bucket chosen by a hash of the lock's address, so a
 * bucket's count is the sum over the locks that share it.  It is never
 * below the lock's own count, so no wake-up is lost; the others' sleepers
 * cost only wake calls that find nobody or wake a waiter that re-checks (a
 * spurious wake-up, which every wait tolerates).  The
 * sleeper increments it (seq_cst) before re-reading the word it waits on,
 * and the releaser changes the word (an RMW followed by a seq_cst fence or
 * itself seq_cst) before reading it, so at least one of the two sees the
 * other (no lost wake-up).  The owner waiting for its readers also stores
 * their count in `handoff` before counting itself asleep, and only the
 * departing reader whose departure reaches that count wakes it.
 * Why yield before sleeping: with more threads than CPUs (rtm-torture's
 * scenarios on 2 CPUs), a sleeping waiter costs a futex wake-up per phase
 * handoff, and it stops counting for the scheduler's CPU balancing, so the
 * thread that shares a CPU with a sleeping writer got twice the CPU of the
 * other readers (reader Jain 0.92).  Yielding for 100 us lifted 4W+4R from
 * 0.56x to about 0.75x pthread_mutex and reader Jain to >= 0.99 (one run
 * each, tools/torture).  The yield phase, like the spin, only re-loads
 * the word and changes nothing until a load succeeds, so the model's
 * wait_on (tests/model/destlock.pml) covers it unchanged.
 *
 * Fields (all changed only by atomic RMW, except handoff):
 *   rin      reader arrivals << 8 | STARV | PEND | PRES | PHID
 *   rout     reader departures << 8
 *   tickets  win << 16 | wout, each mod 2^16 (so fewer than 65536 writers
 *            may queue on one lock): win, writer tickets taken (an RMW on
 *            the whole word; the carry leaves it); wout, ticket of the head
 *            writer (advanced by the head once it owns, a CAS that keeps
 *            win).  Queued writers sleep on this word, so a ticket taken
 *            while one goes to sleep makes its futex_wait return at once,
 *            and it waits again
 *   handoff  reader arrivals (<< 8) when the pending phase was installed;
 *            stored by the owner before the CAS that installs PENDING,
 *            read by the claimer after the CAS that claims it; then stored
 *            again by the owner, before it sleeps, as the departure count
 *            it waits for, read by departing readers (seq_cst)
 *   (sleepers, in the shared table: on rin (bits 0..20), on wout (21..41),
 *            on rout (42..62: owners))
 *
 * Model-checked in tests/model (each policy and any mix).  Not recursive;
 * the thread that locked must unlock, in the same mode.
 */
#ifndef RTM_DESTLOCK_H
#define RTM_DESTLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "atomics.h"

struct destlock {
	_Atomic uint32_t rin;
	_Atomic uint32_t rout;
	_Atomic uint32_t tickets;
	_Atomic uint32_t handoff;
};

enum destlock_policy {
	DESTLOCK_PHASEFAIR = 0,
	DESTLOCK_BARGING = 1,
	DESTLOCK_HYBRID = 2,
};

/* How long the head writer lets arriving writers barge before it insists. */
#define DESTLOCK_BARGE_BOUND_NS 2000000u

/* The process-wide writer admission policy; default DESTLOCK_BARGING. */
void destlock_set_policy(enum destlock_policy p);
enum destlock_policy destlock_policy(void);

void destlock_init(struct destlock *l);
void destlock_read_lock(struct destlock *l);
void destlock_read_unlock(struct destlock *l);
void destlock_write_lock(struct destlock *l);
void destlock_write_unlock(struct destlock *l);

/*
 * Best-effort checks that catch an unlock of a lock nobody holds (client
 * misuse).  They cannot tell holders from waiters: is_write_locked is true
 * once a writer has claimed the lock (it may still be waiting for readers to
 * leave), is_read_locked once a reader has arrived (it may be queued behind a
 * writer).  So an unlock by a thread that does not hold the lock is caught
 * only when nobody else is using the lock either.
 */
bool destlock_is_write_locked(const struct destlock *l);
bool destlock_is_read_locked(const struct destlock *l);

#endif
