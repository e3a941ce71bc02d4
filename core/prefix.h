/*
 * Prefixes in the form the core works with: up to 128 address bits held as
 * two host-order 64-bit words (bit 0 of the address is the top bit of k[0]),
 * bits beyond len always zero, plus the length.  Conversions to and from
 * RTM_NET_ADDRESS (network byte order bytes) live here too, all inline.
 */
#ifndef RTM_PREFIX_H
#define RTM_PREFIX_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rtmv2.h>

struct prefix {
	uint64_t k[2];
	uint32_t len;
};

/* Mask of the first n (0..64) bits of a word. */
static inline uint64_t
prefix_word_mask(uint32_t n)
{
	return n == 0 ? 0 : n >= 64 ? ~0ull : ~0ull << (64 - n);
}

static inline void
prefix_mask(struct prefix *p)
{
	uint32_t l = p->len;

	p->k[0] &= prefix_word_mask(l > 64 ? 64 : l);
	p->k[1] &= prefix_word_mask(l > 64 ? l - 64 : 0);
}

/* Bit i (0 = most significant) of the key. */
static inline unsigned
prefix_bit(const struct prefix *p, uint32_t i)
{
	return (unsigned)((p->k[i >> 6] >> (63 - (i & 63))) & 1);
}

/* True if the first len bits of a and b are equal. */
static inline bool
prefix_match_len(const struct prefix *a, const struct prefix *b, uint32_t len)
{
	uint64_t d0 = (a->k[0] ^ b->k[0]) & prefix_word_mask(len > 64 ? 64 : len);
	uint64_t d1 = (a->k[1] ^ b->k[1]) & prefix_word_mask(len > 64 ? len - 64 : 0);

	return (d0 | d1) == 0;
}

/* True if p covers q: p->len <= q->len and q starts with p. */
static inline bool
prefix_covers(const struct prefix *p, const struct prefix *q)
{
	return p->len <= q->len && prefix_match_len(p, q, p->len);
}

/* Length of the common leading bits of a and b, at most max. */
static inline uint32_t
prefix_common_len(const struct prefix *a, const struct prefix *b, uint32_t max)
{
	uint64_t d = a->k[0] ^ b->k[0];
	uint32_t n;

	if (d)
		n = (uint32_t)__builtin_clzll(d);
	else if ((d = a->k[1] ^ b->k[1]))
		n = 64 + (uint32_t)__builtin_clzll(d);
	else
		n = 128;
	return n < max ? n : max;
}

/*
 * Order of enumeration: masked address bits as an unsigned big-endian number,
 * then length (SEMANTICS.md §10).  Returns <0, 0, >0.
 */
static inline int
prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	if (a->k[0] != b->k[0])
		return a->k[0] < b->k[0] ? -1 : 1;
	if (a->k[1] != b->k[1])
		return a->k[1] < b->k[1] ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

static inline bool
prefix_equal(const struct prefix *a, const struct prefix *b)
{
	return a->len == b->len && a->k[0] == b->k[0] && a->k[1] == b->k[1];
}

/* Big-endian 64-bit words to and from bytes (AddrBits is network order). */
static inline uint64_t
prefix_load_be64(const UCHAR *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void
prefix_store_be64(UCHAR *b, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(b, &v, sizeof(v));
}

/*
 * Fill p from an RTM_NET_ADDRESS of a family `width` bits wide, masking host
 * bits.  Returns -EINVAL, with p the empty /0, if NumBits is beyond the
 * width.  Inline, as every lookup converts its address.
 */
static inline int
prefix_from_net(struct prefix *p, const RTM_NET_ADDRESS *a, uint32_t width)
{
	if (a->NumBits > width) {
		*p = (struct prefix){{0, 0}, 0};
		return -EINVAL;
	}
	/* Only the family's bytes: the rest of AddrBits may hold anything. */
	if (width <= 32) {
		uint32_t v;

		memcpy(&v, a->AddrBits, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		v = __builtin_bswap32(v);
#endif
		/* NumBits < 64: the mask of its first bits without a branch. */
		p->k[0] = (uint64_t)v << 32 & ~(~0ull >> a->NumBits);
		p->k[1] = 0;
		p->len = a->NumBits;
		return 0;
	}
	p->k[0] = prefix_load_be64(a->AddrBits);
	p->k[1] = prefix_load_be64(a->AddrBits + 8);
	p->len = a->NumBits;
	prefix_mask(p);
	return 0;
}

/* Write p back as an RTM_NET_ADDRESS of the given family (any width: the
 * bytes past it are written as the zeros they are). */
static inline void
prefix_to_net(const struct prefix *p, USHORT family, uint32_t width, RTM_NET_ADDRESS *a)
{
	(void)width;
	a->AddressFamily = family;
	a->NumBits = (USHORT)p->len;
	/* Zero past the width: so are bits past len. */
	prefix_store_be64(a->AddrBits, p->k[0]);
	prefix_store_be64(a->AddrBits + 8, p->k[1]);
}

#endif
