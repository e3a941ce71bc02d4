/*
 * Sequence counter for the per-destination summary.
 *
 * Writers: hold the destination's lock exclusively (the seqlock's writer
 * mutex), then seq_write_begin() / stores / seq_write_end().  The write
 * section covers only the publish of a few words, never a client's hold.
 * Readers: s = seq_read_begin(); relaxed loads of the covered fields;
 * if seq_read_retry(s) the copy is discarded.  A reader writes nothing.
 * Pointers loaded inside the section are followed only under rcu_lock().
 */
#ifndef RTM_SEQCOUNT_H
#define RTM_SEQCOUNT_H

#include "atomics.h"

typedef struct {
	_Atomic uint32_t seq;
} seqcount;

static inline void
seq_init(seqcount *s)
{
	atomic_init(&s->seq, 0);
}

/* Returns an even value; spins (briefly, writers are short) while odd. */
static inline uint32_t
seq_read_begin(seqcount *s)
{
	uint32_t v;

	/* Pairs with the release in seq_write_end(). */
	while ((v = ld_acquire(&s->seq)) & 1)
		cpu_relax();
	return v;
}

static inline bool
seq_read_retry(seqcount *s, uint32_t start)
{
	/* Orders the relaxed payload loads before the re-check. */
	fence_acquire();
	return ld_relaxed(&s->seq) != start;
}

static inline void
seq_write_begin(seqcount *s)
{
	st_relaxed(&s->seq, ld_relaxed(&s->seq) + 1);
	/* Orders the odd count before the payload stores. */
	fence_release();
}

static inline void
seq_write_end(seqcount *s)
{
	st_release(&s->seq, ld_relaxed(&s->seq) + 1);
}

#endif
