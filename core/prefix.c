/* Conversions between RTM_NET_ADDRESS and struct prefix. */
#include <errno.h>
#include <string.h>

#include "prefix.h"

/* Big-endian 64-bit words to and from bytes (AddrBits is network order). */
static inline uint64_t
load_be64(const UCHAR *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void
store_be64(UCHAR *b, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(b, &v, sizeof(v));
}

int
prefix_from_net(struct prefix *p, const RTM_NET_ADDRESS *a, uint32_t width)
{
	if (a->NumBits > width)
		return -EINVAL;
	/* Only the family's bytes: the rest of AddrBits may hold anything. */
	if (width <= 32) {
		uint32_t v;

		memcpy(&v, a->AddrBits, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		v = __builtin_bswap32(v);
#endif
		p->k[0] = (uint64_t)v << 32;
		p->k[1] = 0;
	} else {
		p->k[0] = load_be64(a->AddrBits);
		p->k[1] = load_be64(a->AddrBits + 8);
	}
	p->len = a->NumBits;
	prefix_mask(p);
	return 0;
}

void
prefix_to_net(const struct prefix *p, USHORT family, uint32_t width, RTM_NET_ADDRESS *a)
{
	UCHAR bytes[16];

	store_be64(bytes, p->k[0]);
	store_be64(bytes + 8, p->k[1]); /* zero past the width: so are bits past len */
	(void)width;
	a->AddressFamily = family;
	a->NumBits = (USHORT)p->len;
	memcpy(a->AddrBits, bytes, sizeof(bytes));
}
