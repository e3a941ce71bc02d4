/*
 * The one atomics vocabulary of the core.
 *
 * Every shared word is an _Atomic C11 object and is touched only through
 * these macros, so ThreadSanitizer sees each access and each reader states
 * the ordering it relies on.  Raw __atomic/__sync builtins and
 * ConcurrencyKit's inline assembly are not used in core/ (TSan cannot see
 * the latter).
 */
#ifndef RTM_ATOMICS_H
#define RTM_ATOMICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define ld_relaxed(p) atomic_load_explicit((p), memory_order_relaxed)
#define ld_acquire(p) atomic_load_explicit((p), memory_order_acquire)
#define st_relaxed(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)
#define st_release(p, v) atomic_store_explicit((p), (v), memory_order_release)

#define fetch_add_relaxed(p, v) atomic_fetch_add_explicit((p), (v), memory_order_relaxed)
#define fetch_add_acq_rel(p, v) atomic_fetch_add_explicit((p), (v), memory_order_acq_rel)
#define fetch_sub_acq_rel(p, v) atomic_fetch_sub_explicit((p), (v), memory_order_acq_rel)
#define fetch_add_seq_cst(p, v) atomic_fetch_add_explicit((p), (v), memory_order_seq_cst)
#define fetch_sub_seq_cst(p, v) atomic_fetch_sub_explicit((p), (v), memory_order_seq_cst)
#define fetch_and_seq_cst(p, v) atomic_fetch_and_explicit((p), (v), memory_order_seq_cst)
#define fetch_or_release(p, v) atomic_fetch_or_explicit((p), (v), memory_order_release)
#define fetch_and_release(p, v) atomic_fetch_and_explicit((p), (v), memory_order_release)
#define xchg_acq_rel(p, v) atomic_exchange_explicit((p), (v), memory_order_acq_rel)

/* Strong CAS; *expected is updated on failure. */
#define cas_acq_rel(p, expected, desired)                                                     \
	atomic_compare_exchange_strong_explicit((p), (expected), (desired),                   \
						memory_order_acq_rel, memory_order_acquire)

#define fence_acquire() atomic_thread_fence(memory_order_acquire)
#define fence_release() atomic_thread_fence(memory_order_release)
#define fence_seq_cst() atomic_thread_fence(memory_order_seq_cst)

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif
