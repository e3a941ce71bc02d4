/*
 * fuzz_mrt.c - the MRT reader (tools/loader/mrt.h) on arbitrary bytes.
 *
 * The input is an MRT file, plain or compressed (zreader picks the format by
 * its magic bytes). It is read to the end twice, strictly and with
 * RTM_MRT_SKIP_UNKNOWN, and every route is formatted as a `bgpdump -m` line.
 * Beyond "no crash, no leak, no read out of bounds, no hang", the target
 * checks what every caller relies on: an error comes with a message, a failed
 * reader keeps failing, a route's prefix length fits its family, and a
 * formatted line that the bgpdump text parser accepts names the same prefix.
 */
#include "fuzz_check.h"
#include "fuzz_target.h"

#include "bgpdump_text.h"
#include "mrt.h"
#include "prefix_list.h"

#include <string.h>

/* Keeps one fuzz input from asking for a 64 MiB record buffer. */
#define MAX_RECORD (1u << 20)
/* Bounds the work per input (a small compressed input may expand a lot). */
#define MAX_ROUTES 200000

static void check_route(const rtm_mrt_route *r, rtm_mrt_text *line)
{
	unsigned width = rtm_prefix_family_bits(r->prefix.AddressFamily);

	FUZZ_CHECK(width != 0, "route of family %u", r->prefix.AddressFamily);
	FUZZ_CHECK(r->prefix.NumBits <= width, "/%u in a %u-bit family", r->prefix.NumBits, width);
	FUZZ_CHECK(r->attrs.nasns == 0 || r->attrs.asns != NULL, "AS numbers without an array");
	for (size_t i = 0; i < r->attrs.nsegs; i++)
		FUZZ_CHECK(r->attrs.segs[i].first + (uint64_t)r->attrs.segs[i].count <=
				   r->attrs.nasns,
			   "segment %zu past the AS array", i);
	(void)rtm_mrt_origin_as(&r->attrs);

	if (rtm_mrt_format_bgpdump(r, line) != 0)
		return; /* -ENOMEM only */
	FUZZ_CHECK(line->len > 0 && line->s[line->len - 1] == '\n', "line without LF");

	rtm_bgpdump_route parsed;
	char err[256];
	if (rtm_bgpdump_parse_line(line->s, line->len - 1, &parsed, err, sizeof err) == 0)
		FUZZ_CHECK(memcmp(&parsed.prefix, &r->prefix, sizeof parsed.prefix) == 0,
			   "prefix changed through its text form: %s", line->s);
}

static void read_all(const uint8_t *data, size_t size, unsigned flags)
{
	rtm_mrt_opts opts = { .flags = flags, .max_record_len = MAX_RECORD };
	rtm_mrt_reader *r = NULL;
	rtm_mrt_text line = RTM_MRT_TEXT_INIT;
	rtm_mrt_route route;
	char err[512];
	int rc;

	err[0] = '\0';
	rc = rtm_mrt_open_mem(data, size, "fuzz", &opts, &r, err, sizeof err);
	if (rc < 0) {
		FUZZ_CHECK(err[0] != '\0', "open failed (%d) without a message", rc);
		return;
	}
	for (unsigned long n = 0; n < MAX_ROUTES; n++) {
		err[0] = '\0';
		rc = rtm_mrt_next(r, &route, err, sizeof err);
		if (rc != 1)
			break;
		check_route(&route, &line);
	}
	if (rc < 0) {
		FUZZ_CHECK(err[0] != '\0', "error %d without a message", rc);
		err[0] = '\0';
		int again = rtm_mrt_next(r, &route, err, sizeof err);
		FUZZ_CHECK(again < 0, "reader continued (%d) after error %d", again, rc);
	}
	rtm_mrt_stats st;
	rtm_mrt_get_stats(r, &st);
	FUZZ_CHECK(st.routes >= st.rib_records || st.rib_records > 0 || st.routes == 0,
		   "routes without RIB records");
	rtm_mrt_text_free(&line);
	rtm_mrt_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_all(data, size, 0);
	read_all(data, size, RTM_MRT_SKIP_UNKNOWN);
	return 0;
}
