/*
 * Every heap allocation the core makes goes through these three calls.
 *
 * In a normal build they are libc's malloc, calloc and free.  A build with
 * RTM_FAULT_INJECTION defined (only the rtm_faultinj archive, see
 * core/CMakeLists.txt; librtm.so and librtm.a never are) routes them through
 * core/alloc.c instead, where a test can make the N-th allocation fail and so
 * reach every ERROR_NOT_ENOUGH_MEMORY path (tests/faultinj), and can count
 * the live allocations to find leaks.  liburcu's own allocations (call_rcu
 * helper threads, registration) and pthread_create are not ours and are not
 * counted.
 */
#ifndef RTM_ALLOC_H
#define RTM_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#ifdef RTM_FAULT_INJECTION

#include <stdio.h>

void *rtm_malloc(size_t size);
void *rtm_calloc(size_t count, size_t size);
void rtm_free(void *p);

/*
 * Test controls (thread-safe).  Arming replaces whatever was armed before;
 * n = 0 disarms.
 *
 * rtm_fault_fail_nth_mine(n): the n-th allocation from now made by the
 *     calling thread fails (once).  Other threads are not affected, so a
 *     single-threaded workload fails at the same point every run even though
 *     the library's worker thread allocates too.
 * rtm_fault_fail_nth_any(n): the n-th allocation from now made by any thread
 *     fails (once); for code that runs on the worker.
 * rtm_fault_fail_from(n): every allocation by any thread from the n-th one
 *     from now on fails, until disarmed.
 */
void rtm_fault_fail_nth_mine(uint64_t n);
void rtm_fault_fail_nth_any(uint64_t n);
/* While paused, the calling thread's allocations neither count toward its
 * countdown nor in rtm_alloc_calls_mine (for a test's own checks). */
void rtm_fault_pause_mine(bool pause);
void rtm_fault_fail_from(uint64_t n);
void rtm_fault_disarm(void);

/* Allocations failed on purpose since the process started. */
uint64_t rtm_fault_injected(void);

/* Allocation calls made by the calling thread (failed ones included). */
uint64_t rtm_alloc_calls_mine(void);

/* Blocks and bytes allocated and not yet freed, over all threads. */
int64_t rtm_alloc_live_blocks(void);
int64_t rtm_alloc_live_bytes(void);

/* A mark (serial number of the next block), and a report on out of the
 * blocks allocated since mark and still live, at most max lines, each with
 * the function that allocated it.  Returns how many such blocks there are. */
uint64_t rtm_alloc_mark(void);
size_t rtm_alloc_report_since(uint64_t mark, FILE *out, size_t max);

#else

static inline void *
rtm_malloc(size_t size)
{
	return malloc(size);
}

static inline void *
rtm_calloc(size_t count, size_t size)
{
	return calloc(count, size);
}

static inline void
rtm_free(void *p)
{
	free(p);
}

#endif /* RTM_FAULT_INJECTION */

#endif /* RTM_ALLOC_H */
