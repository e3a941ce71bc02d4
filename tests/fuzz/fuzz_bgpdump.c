/*
 * fuzz_bgpdump.c - the `bgpdump -m` text reader (tools/loader/bgpdump_text.h)
 * on arbitrary bytes.
 *
 * The input is the text (plain or compressed). It is read to the end strictly
 * and with RTM_BGPDUMP_SKIP_OTHER, with a small line limit so that the
 * too-long-line path is reached too. Every route's prefix must fit its
 * family, its text fields must lie inside the line, and an error must come
 * with a "name:line:" message and leave the reader failing.
 */
#include "fuzz_check.h"
#include "fuzz_target.h"

#include "bgpdump_text.h"
#include "prefix_list.h"

#include <string.h>

#define MAX_ROUTES 200000

static void read_all(const uint8_t *data, size_t size, unsigned flags, size_t max_line)
{
	rtm_bgpdump_opts opts = { .flags = flags, .max_line_len = max_line };
	rtm_bgpdump_reader *r = NULL;
	rtm_bgpdump_route route;
	char err[512];
	int rc;

	err[0] = '\0';
	rc = rtm_bgpdump_open_mem(data, size, "fuzz", &opts, &r, err, sizeof err);
	if (rc < 0) {
		FUZZ_CHECK(err[0] != '\0', "open failed (%d) without a message", rc);
		return;
	}
	for (unsigned long n = 0; n < MAX_ROUTES; n++) {
		err[0] = '\0';
		rc = rtm_bgpdump_next(r, &route, err, sizeof err);
		if (rc != 1)
			break;
		unsigned width = rtm_prefix_family_bits(route.prefix.AddressFamily);
		FUZZ_CHECK(width != 0 && route.prefix.NumBits <= width, "prefix af %u /%u",
			   route.prefix.AddressFamily, route.prefix.NumBits);
		FUZZ_CHECK(route.line > 0, "route without a line number");
		/* The field pointers must be readable for their whole length. */
		volatile char sink = 0;
		for (size_t i = 0; i < route.as_path_len; i++)
			sink ^= route.as_path[i];
		for (size_t i = 0; i < route.communities_len; i++)
			sink ^= route.communities[i];
		(void)sink;
	}
	if (rc < 0) {
		FUZZ_CHECK(strncmp(err, "fuzz", 4) == 0, "error %d with message \"%s\"", rc, err);
		err[0] = '\0';
		int again = rtm_bgpdump_next(r, &route, err, sizeof err);
		FUZZ_CHECK(again < 0, "reader continued (%d) after error %d", again, rc);
	}
	rtm_bgpdump_stats st;
	rtm_bgpdump_get_stats(r, &st);
	FUZZ_CHECK(st.routes <= st.lines, "%llu routes from %llu lines",
		   (unsigned long long)st.routes, (unsigned long long)st.lines);
	rtm_bgpdump_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_all(data, size, 0, 0);
	read_all(data, size, RTM_BGPDUMP_SKIP_OTHER, 200);
	return 0;
}
