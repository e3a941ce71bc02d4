/*
 * trie_writer.h - what the trie unit tests that write through the part
 * locks share: an IPv4-like prefix, and one insertion or removal under its
 * part's lock (core/trie.h).
 */
#ifndef RTM_TEST_TRIE_WRITER_H
#define RTM_TEST_TRIE_WRITER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dest.h"
#include "prefix.h"
#include "trie.h"

/* An IPv4-like prefix: addr in the first 32 bits. */
static inline void
set_prefix(struct prefix *p, uint32_t addr, uint32_t len)
{
	p->k[0] = (uint64_t)addr << 32;
	p->k[1] = 0;
	p->len = len;
	prefix_mask(p);
}

/* Insert d into t under its part's lock; the test fails if it cannot. */
static inline void
trie_writer_insert(struct trie *t, struct dest *d)
{
	struct trie_part *p = trie_part_of(t, &d->key);
	int rc;

	trie_part_lock(p);
	rc = trie_insert_locked(t, d);
	trie_part_unlock(p);
	if (rc != 0) {
		fprintf(stderr, "trie_writer_insert /%u: %d\n", d->key.len, rc);
		exit(1);
	}
}

/* Remove d (in t) under its part's lock. */
static inline void
trie_writer_remove(struct trie *t, struct dest *d)
{
	struct trie_part *p = trie_part_of(t, &d->key);

	trie_part_lock(p);
	trie_remove_locked(t, d);
	trie_part_unlock(p);
}

#endif
