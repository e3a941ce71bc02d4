/*
 * Sleeping on a 32-bit word (Linux futex), private to the process.  Used by
 * the destination lock (destlock.c) and the worker's wake-up word (worker.c).
 * A wait returns at once if the word no longer holds the value it was given,
 * so a wake that comes between reading the word and sleeping is not lost.
 */
#ifndef RTM_FUTEX_H
#define RTM_FUTEX_H

#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Sleep while *word == val, until woken with a bitset that shares a bit with
 * `bits`, or until the monotonic clock reaches deadline (ns; 0: no limit).
 */
static inline void
futex_wait(_Atomic uint32_t *word, uint32_t val, uint64_t deadline, uint32_t bits)
{
	struct timespec ts, *tp = NULL;

	if (deadline != 0) {
		ts.tv_sec = (time_t)(deadline / 1000000000u);
		ts.tv_nsec = (long)(deadline % 1000000000u);
		tp = &ts;
	}
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_BITSET_PRIVATE, val, tp, NULL, bits);
}

/* Wake every waiter on word whose bitset shares a bit with `bits`. */
static inline void
futex_wake(_Atomic uint32_t *word, uint32_t bits)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, bits);
}

#endif
