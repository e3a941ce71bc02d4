/*
 * The fault-injection allocator (compiled only into the rtm_faultinj archive,
 * with RTM_FAULT_INJECTION defined; see alloc.h for the controls).
 *
 * Each block carries a header with its size (for the byte count), its
 * serial number and its caller, and sits on a list of live blocks (under a
 * mutex: this is a test build) so that a leak can be traced to the call that
 * allocated it.  The header is a multiple of max_align_t, so the pointer
 * handed out keeps malloc's alignment.
 *
 * Concurrency: the counters are C11 atomics; a countdown of the "any thread"
 * kind is decremented with a CAS that never goes below zero, so exactly one
 * allocation sees it reach zero.  The "mine" countdown is thread-local and
 * needs no synchronisation.  The controls are meant to be called while the
 * workload is quiet (between API calls); arming while other threads allocate
 * is safe, only which of their allocations fails is then a matter of timing.
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "atomics.h"

/* Each block is on a list of live blocks with its serial number and the
 * caller that allocated it, so that a leak can be traced to its site. */
struct block {
	struct block *prev, *next;
	size_t size;
	uint64_t serial;
	void *caller;
};

union alloc_header {
	struct block b;
	max_align_t align;
};

static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct block blocks = {&blocks, &blocks, 0, 0, NULL};
static uint64_t next_serial = 1; /* blocks_lock */

static _Atomic uint64_t any_countdown;     /* 0: off */
static _Atomic uint64_t from_countdown;    /* 0: off */
static _Atomic bool failing_from;          /* from_countdown reached zero */
static _Atomic uint64_t injected;
static _Atomic int64_t live_blocks;
static _Atomic int64_t live_bytes;
static __thread uint64_t mine_countdown;   /* 0: off */
static __thread uint64_t mine_calls;
static __thread bool mine_paused;

/* Consume one step of a shared countdown; true when it reaches zero now. */
static bool
countdown_hits(_Atomic uint64_t *c)
{
	uint64_t v = ld_acquire(c);

	while (v) {
		if (cas_acq_rel(c, &v, v - 1))
			return v == 1;
	}
	return false;
}

/* Decide whether this allocation fails.  Every mode is consulted, so each
 * one counts every allocation. */
static bool
should_fail(void)
{
	bool fail = false;

	if (!mine_paused) {
		mine_calls++;
		if (mine_countdown && --mine_countdown == 0)
			fail = true;
	}
	if (countdown_hits(&any_countdown))
		fail = true;
	if (countdown_hits(&from_countdown))
		st_release(&failing_from, true);
	if (ld_acquire(&failing_from))
		fail = true;
	if (fail)
		fetch_add_relaxed(&injected, 1);
	return fail;
}

static void *
account(union alloc_header *h, size_t size, void *caller)
{
	if (!h)
		return NULL;
	h->b.size = size;
	h->b.caller = caller;
	pthread_mutex_lock(&blocks_lock);
	h->b.serial = next_serial++;
	h->b.next = &blocks;
	h->b.prev = blocks.prev;
	blocks.prev->next = &h->b;
	blocks.prev = &h->b;
	pthread_mutex_unlock(&blocks_lock);
	fetch_add_relaxed(&live_blocks, 1);
	fetch_add_relaxed(&live_bytes, (int64_t)size);
	return h + 1;
}

void *
rtm_malloc(size_t size)
{
	if (should_fail() || size > SIZE_MAX - sizeof(union alloc_header))
		return NULL;
	return account(malloc(sizeof(union alloc_header) + size), size, __builtin_return_address(0));
}

void *
rtm_calloc(size_t count, size_t size)
{
	union alloc_header *h;

	if (should_fail())
		return NULL;
	if (size && count > (SIZE_MAX - sizeof(*h)) / size)
		return NULL;
	h = malloc(sizeof(*h) + count * size);
	if (h)
		memset(h + 1, 0, count * size);
	return account(h, count * size, __builtin_return_address(0));
}

void
rtm_free(void *p)
{
	union alloc_header *h;

	if (!p)
		return;
	h = (union alloc_header *)p - 1;
	pthread_mutex_lock(&blocks_lock);
	h->b.prev->next = h->b.next;
	h->b.next->prev = h->b.prev;
	pthread_mutex_unlock(&blocks_lock);
	fetch_add_relaxed(&live_blocks, -1);
	fetch_add_relaxed(&live_bytes, -(int64_t)h->b.size);
	free(h);
}

void
rtm_fault_fail_nth_mine(uint64_t n)
{
	mine_countdown = n;
}

void
rtm_fault_pause_mine(bool pause)
{
	mine_paused = pause;
}

void
rtm_fault_fail_nth_any(uint64_t n)
{
	st_release(&any_countdown, n);
}

void
rtm_fault_fail_from(uint64_t n)
{
	st_release(&failing_from, false);
	st_release(&from_countdown, n);
}

void
rtm_fault_disarm(void)
{
	mine_countdown = 0;
	st_release(&any_countdown, 0);
	st_release(&from_countdown, 0);
	st_release(&failing_from, false);
}

uint64_t
rtm_fault_injected(void)
{
	return ld_acquire(&injected);
}

uint64_t
rtm_alloc_calls_mine(void)
{
	return mine_calls;
}

int64_t
rtm_alloc_live_blocks(void)
{
	return ld_acquire(&live_blocks);
}

uint64_t
rtm_alloc_mark(void)
{
	uint64_t m;

	pthread_mutex_lock(&blocks_lock);
	m = next_serial;
	pthread_mutex_unlock(&blocks_lock);
	return m;
}

size_t
rtm_alloc_report_since(uint64_t mark, FILE *out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&blocks_lock);
	for (struct block *b = blocks.next; b != &blocks; b = b->next) {
		if (b->serial < mark)
			continue;
		if (n++ < max) {
			Dl_info info = {0};
			uintptr_t off = 0;

			/* Static functions have no dynamic symbol: print the
			 * offset in the object for addr2line -f -e. */
			if (dladdr(b->caller, &info) && info.dli_fbase)
				off = (uintptr_t)b->caller - (uintptr_t)info.dli_fbase;
			fprintf(out,
				"  block #%" PRIu64 ", %zu bytes, allocated at %s+0x%" PRIxPTR " (%s)\n",
				b->serial, b->size, info.dli_fname ? info.dli_fname : "?", off,
				info.dli_sname ? info.dli_sname : "addr2line -f -e");
		}
	}
	pthread_mutex_unlock(&blocks_lock);
	return n;
}

int64_t
rtm_alloc_live_bytes(void)
{
	return ld_acquire(&live_bytes);
}
