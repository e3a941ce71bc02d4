/*
 * The lock word of a destination (and of a next hop): a phase-fair
 * reader/writer lock, 20 bytes, spin then sleep on a futex.
 *
 * Admission (Brandenburg & Anderson's ticket-based phase-fair lock):
 * - writers take a ticket (win) and are served in ticket order (wout), so
 *   exclusive holders are FIFO among themselves: the "writer mutex";
 * - the writer whose turn it is announces itself in rin's low bits; readers
 *   that arrive after that wait for the end of that one write phase only,
 *   then enter even if more writers are queued, and the next writer waits
 *   for them to leave: reader and writer phases alternate, so neither side
 *   starves;
 * - a writer's release clears its bits in rin (admitting the readers that
 *   queued behind it) and advances wout; the next writer then announces
 *   itself and waits for the readers that entered before that.  Readers that
 *   arrive between the release and the next writer's announcement also get
 *   in (ordinary phase-fair behaviour, model-checked starvation-free in
 *   tests/model).  DESIGN.md §3's write-phase handoff (the releasing writer
 *   installs the next writer's phase itself, closing that gap) is not done
 *   yet; it belongs with the lock-policy work of the fairness tool.
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
