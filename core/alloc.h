/*
 * Every heap allocation the core makes goes through these three calls.
 *
 * In a normal build they are libc's malloc, calloc and free.  A build with
 * RTM_FAULT_INJECTION defined routes them through core/alloc.c instead, where
 * a test can make the N-th allocation fail and so reach every
 * ERROR_NOT_ENOUGH_MEMORY path (tests/faultinj).  liburcu's own allocations
 * (call_rcu helper threads, registration) are not ours and are not counted.
 */
#ifndef RTM_ALLOC_H
#define RTM_ALLOC_H

#include <stddef.h>
#include <stdlib.h>

#ifdef RTM_FAULT_INJECTION

void *rtm_malloc(size_t size);
void *rtm_calloc(size_t count, size_t size);
void rtm_free(void *p);

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
