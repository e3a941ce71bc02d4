/* Conversions between RTM_NET_ADDRESS and struct prefix. */
#include <errno.h>
#include <string.h>

#include "prefix.h"

int
prefix_from_net(struct prefix *p, const RTM_NET_ADDRESS *a, uint32_t width)
{
	uint32_t nbytes = (width + 7) / 8;

	if (a->NumBits > width)
		return -EINVAL;
	p->k[0] = 0;
	p->k[1] = 0;
	for (uint32_t i = 0; i < nbytes && i < 16; i++)
		p->k[i >> 3] |= (uint64_t)a->AddrBits[i] << (56 - 8 * (i & 7));
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
