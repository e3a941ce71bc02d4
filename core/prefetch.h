/*
 * Write-intent prefetch of a range of memory, for writers that know an
 * object's address before they touch it (the next object an allocator will
 * hand out, the next object a retire batch will free), so that its misses
 * overlap their other work instead of following it.  A hint only: a
 * prefetch neither faults nor changes what is read or written.
 */
#ifndef RTM_PREFETCH_H
#define RTM_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

#define PREFETCH_LINE_BYTES 64

/* Start loading, for writing, every cache line that holds a byte of
 * [p, p + bytes). */
static inline void
prefetch_for_write(const void *p, size_t bytes)
{
	uintptr_t line = (uintptr_t)p & ~(uintptr_t)(PREFETCH_LINE_BYTES - 1);
	uintptr_t end = (uintptr_t)p + bytes;

	for (; line < end; line += PREFETCH_LINE_BYTES)
		__builtin_prefetch((const void *)line, 1, 3);
}

#endif
