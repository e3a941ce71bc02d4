/*
 * The lock word of a destination (and of a next hop): a phase-fair
 * reader/writer lock, 24 bytes, spin then sleep on a futex.
 *
 * Admission (Brandenburg & Anderson's ticket-based phase-fair lock):
 * - writers take a ticket (win) and are served in ticket order (wout), so
 *   exclusive holders are FIFO among themselves: the "writer mutex";
 * - the writer whose turn it is announces itself in rin's low bits; readers
 *   that arrive after that wait for the end of that one write phase only,
 *   then enter even if more writers are queued, and the next writer waits
 *   for them to leave: reader and writer phases alternate, so neither side
 *   starves;
 * - write-phase handoff: a releasing writer that sees another writer queued
 *   installs that writer's phase bits in rin itself (admitting the readers
 *   that queued behind it, and making every later reader wait), records in
 *   `handoff` how many readers had arrived, and advances wout.  The next
 *   writer finds its phase installed and waits only for those readers, so
 *   readers cannot stream past a queued writer while it is being woken up.
 *   With no writer queued the release just clears the bits; the next writer
 *   to come announces itself.  Model-checked in tests/model.
 *
 * Waiting: a bounded spin, then futex sleep on the word being waited for.
 * `sleepers` counts threads that may be asleep on any of the words; a
 * releaser issues FUTEX_WAKE only when it is non-zero.  The sleeper
 * increments it (seq_cst) before re-reading the word it waits on, and the
 * releaser changes the word (seq_cst RMW) before reading it, so at least one
 * of the two sees the other (no lost wake-up).
 *
 * Fields (all changed only by atomic RMW, never plain stores):
 *   rin   reader arrivals << 8 | writer-present bit | phase-id bit
 *   rout  reader departures << 8
 *   win   writer tickets taken
 *   wout  writer tickets served
 *   handoff  reader arrivals (<< 8) when a releasing writer installed the
 *         next writer's phase; written before wout advances (release),
 *         read by that writer after it sees its ticket (acquire)
 *   sleepers
 *
 * Not recursive; the thread that locked must unlock, in the same mode.
 */
#ifndef RTM_DESTLOCK_H
#define RTM_DESTLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "atomics.h"

struct destlock {
	_Atomic uint32_t rin;
	_Atomic uint32_t rout;
	_Atomic uint32_t win;
	_Atomic uint32_t wout;
	_Atomic uint32_t handoff;
	_Atomic uint32_t sleepers;
};

void destlock_init(struct destlock *l);
void destlock_read_lock(struct destlock *l);
void destlock_read_unlock(struct destlock *l);
void destlock_write_lock(struct destlock *l);
void destlock_write_unlock(struct destlock *l);

/*
 * Best-effort checks that catch an unlock of a lock nobody holds (client
 * misuse).  They cannot tell holders from waiters: is_write_locked is true
 * once a writer has announced itself (it may still be waiting for readers to
 * leave), is_read_locked once a reader has arrived (it may be queued behind a
 * writer).  So an unlock by a thread that does not hold the lock is caught
 * only when nobody else is using the lock either.
 */
bool destlock_is_write_locked(const struct destlock *l);
bool destlock_is_read_locked(const struct destlock *l);

#endif
