/* Conversions between RTM_NET_ADDRESS and struct prefix. */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "prefix.h"

int
prefix_from_net(struct prefix *p, const RTM_NET_ADDRESS *a, uint32_t width)
{
	uint64_t hi, lo;

	if (a->NumBits > width)
		return -EINVAL;
	/* All 16 bytes as two big-endian words; prefix_mask() then clears
	 * every bit past NumBits (<= width), so bytes past the width go too. */
	memcpy(&hi, a->AddrBits, 8);
	memcpy(&lo, a->AddrBits + 8, 8);
	p->k[0] = be64toh(hi);
	p->k[1] = be64toh(lo);
	p->len = a->NumBits;
	prefix_mask(p);
	return 0;
}

void
prefix_to_net(const struct prefix *p, USHORT family, uint32_t width, RTM_NET_ADDRESS *a)
{
	uint32_t nbytes = (width + 7) / 8;

	memset(a, 0, sizeof(*a));
	a->AddressFamily = family;
	a->NumBits = (USHORT)p->len;
	for (uint32_t i = 0; i < nbytes && i < 16; i++)
		a->AddrBits[i] = (UCHAR)(p->k[i >> 3] >> (56 - 8 * (i & 7)));
}
