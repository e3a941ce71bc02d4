/*
 * fuzz_prefix_list.c - the prefix-list loader (tools/loader/prefix_list.h) on
 * arbitrary bytes (plain text or xz).
 *
 * Loaded three ways: both families with host bits cleared, IPv4 only with
 * host bits kept, and IPv6 only with host bits an error (with a short line
 * limit). Every prefix loaded must fit its family, have its host bits cleared
 * when asked, and survive a round trip through rtm_prefix_format and
 * rtm_prefix_parse unchanged. A failure must come with a message.
 */
#include "fuzz_check.h"
#include "fuzz_target.h"

#include "prefix_list.h"

#include <string.h>
#include <sys/socket.h>

static int host_bits_set(const RTM_NET_ADDRESS *a)
{
	RTM_NET_ADDRESS m = *a;

	rtm_prefix_mask(&m);
	return memcmp(&m, a, sizeof m) != 0;
}

static void load(const uint8_t *data, size_t size, int family, unsigned flags, size_t max_line)
{
	rtm_prefix_list_opts opts = { .family = family, .flags = flags, .max_line_len = max_line };
	rtm_prefix_list list = RTM_PREFIX_LIST_INIT;
	rtm_prefix_list_stats st;
	char err[512];
	int rc;

	err[0] = '\0';
	rc = rtm_prefix_list_load_mem(data, size, "fuzz", &opts, &list, &st, err, sizeof err);
	if (rc < 0)
		FUZZ_CHECK(err[0] != '\0', "load failed (%d) without a message", rc);
	FUZZ_CHECK(st.added == list.count, "%llu added, %zu in the list",
		   (unsigned long long)st.added, list.count);
	for (size_t i = 0; i < list.count; i++) {
		const RTM_NET_ADDRESS *a = &list.items[i];
		unsigned width = rtm_prefix_family_bits(a->AddressFamily);
		FUZZ_CHECK(width != 0 && a->NumBits <= width, "item %zu: af %u /%u", i,
			   a->AddressFamily, a->NumBits);
		FUZZ_CHECK(family == 0 || a->AddressFamily == family, "item %zu: af %u", i,
			   a->AddressFamily);
		if (!(flags & RTM_PL_KEEP_HOST_BITS))
			FUZZ_CHECK(!host_bits_set(a), "item %zu keeps host bits", i);

		char text[RTM_PREFIX_STRLEN], perr[256];
		RTM_NET_ADDRESS back;
		int hb;
		rtm_prefix_format(a, text, sizeof text);
		int prc = rtm_prefix_parse(text, strlen(text), &back, &hb, perr, sizeof perr);
		FUZZ_CHECK(prc == 0, "\"%s\" does not parse back: %s", text, perr);
		FUZZ_CHECK(memcmp(&back, a, sizeof back) == 0, "\"%s\" parses to another prefix",
			   text);
		FUZZ_CHECK(hb == host_bits_set(a), "\"%s\": host bits %d", text, hb);
	}
	rtm_prefix_list_free(&list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load(data, size, 0, 0, 0);
	load(data, size, AF_INET, RTM_PL_KEEP_HOST_BITS, 0);
	load(data, size, AF_INET6, RTM_PL_HOST_BITS_ERROR, 64);
	return 0;
}
