/*
 * The handle table's slots and the handle encoding (handle.h), in a header
 * of their own so that handle_get() can be inline: a lookup validates its
 * caller's registration handle and each next hop's handle, and a call into
 * handle.c for each cost more than the check itself.  handle.c owns
 * everything here; other files only read it through handle_get().
 * Included by handle.h (after enum htype), not on its own.
 *
 * A handle's value: H_MAGIC in bits 63..60, the type in 59..56, the slot's
 * generation in 55..32 and the slot index in 31..0.  The index picks chunk
 * index >> CHUNK_BITS of handle_chunks[] and a slot in it.
 *
 * Slot word: generation in bits 63..40, then the type byte (bits 39..32:
 * the type in its low bits, the W_* flags above them), then the count in
 * bits 31..0.  Concurrency: see handle.c (chunks are published once with a
 * release store and never freed; the word changes only by atomic RMW; obj
 * is stored before the word that makes the slot live).
 */
#ifndef RTM_HANDLE_SLOT_H
#define RTM_HANDLE_SLOT_H

#include "atomics.h"

#define CHUNK_BITS 16
#define CHUNK_SLOTS (1u << CHUNK_BITS)
#define MAX_CHUNKS (1u << 16)

#define H_MAGIC 0xAull
#define GEN_MASK 0xFFFFFFull
/* Flags in the type byte of a slot word (types need its low 3 bits): */
#define W_LEDGER (1ull << 39)  /* counted in ledgers too (handle.c) */
#define W_TOUCHED (1ull << 38) /* a reference was taken after the creator's */
#define W_KILLED (1ull << 37)  /* handle_kill() ran: never counted in ledgers again */
#define W_FLAGS (W_LEDGER | W_TOUCHED | W_KILLED)

/*
 * 16 bytes per handle: a free slot keeps its free-list link (the next free
 * index) in obj, stored under free_lock with relaxed atomics; a reader that
 * loads obj from a free slot never uses it, because the word's type is
 * HT_NONE and validation fails first.
 */
struct slot {
	_Atomic uint64_t word; /* gen:24 << 40 | type:8 << 32 | refs:32 */
	_Atomic(void *) obj;   /* the object, or the free-list link while free */
};

/* MAX_CHUNKS chunk pointers, each NULL or CHUNK_SLOTS slots (handle.c). */
extern _Atomic(struct slot *) handle_chunks[];

static inline uint32_t
word_refs(uint64_t w)
{
	return (uint32_t)w;
}

/*
 * A handle's key: its generation and type laid out as in bits 63..32 of a
 * live slot word (gen << 8 | type), the flags aside.  One compare checks both.
 */
static inline uint32_t
word_key(uint64_t w)
{
	return (uint32_t)(w >> 32) & ~(uint32_t)(W_FLAGS >> 32);
}

/* w is the word of a live object of this key. */
static inline bool
word_is_key(uint64_t w, uint32_t key)
{
	return word_key(w) == key && word_refs(w) > 0;
}

static inline struct slot *
slot_of_index(uint32_t index)
{
	/* Pairs with the release store that publishes the chunk. */
	struct slot *chunk = ld_acquire(&handle_chunks[index >> CHUNK_BITS]);

	if (!chunk)
		return NULL;
	return &chunk[index & (CHUNK_SLOTS - 1)];
}

/* The key (see word_key) of a handle value v of type t. */
static inline uint32_t
slot_key_of_type(uint64_t v, unsigned t)
{
	return ((uint32_t)(v >> 24) & (uint32_t)(GEN_MASK << 8)) | t;
}

/*
 * Decode h into its slot and key (see word_key); NULL if it cannot be a
 * handle of ours of a type in type_mask.
 */
static inline struct slot *
slot_decode(rtm_handle h, unsigned type_mask, uint32_t *key)
{
	uint64_t v = (uint64_t)(uintptr_t)h;
	/* The type if bits 63..60 hold H_MAGIC, else 16 or more. */
	unsigned t = (unsigned)(v >> 56) ^ (unsigned)(H_MAGIC << 4);

	if (t - 1u >= HT_COUNT - 1u || !(type_mask & HT_BIT(t)))
		return NULL; /* not ours, HT_NONE, out of range or not wanted */
	*key = slot_key_of_type(v, t);
	return slot_of_index((uint32_t)v);
}

#endif
