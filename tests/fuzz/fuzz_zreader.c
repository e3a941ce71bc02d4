/*
 * fuzz_zreader.c - the decompressing reader (tools/loader/zreader.h) on
 * arbitrary bytes: gzip, bzip2, xz or plain, by magic.
 *
 * The first input byte picks the read size (1..256 bytes, so that stream and
 * member boundaries fall at every offset of a buffer); the rest is the
 * compressed input. The target reads to the end or to an error and checks
 * the contract: short reads only at the end, the end stays the end, counters
 * add up, plain input comes out unchanged, errors come with a message. The
 * output is capped so that a small bomb does not make one input slow.
 */
#include "fuzz_check.h"
#include "fuzz_target.h"

#include "zreader.h"

#include <string.h>

#define MAX_OUT (32u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = (size_t)data[0] + 1;
	const uint8_t *in = data + 1;
	size_t in_len = size - 1;
	rtm_zreader *z = NULL;
	uint8_t buf[256];
	char err[512];
	uint64_t total = 0;
	ssize_t got = 0;

	err[0] = '\0';
	int rc = rtm_zreader_open_mem(in, in_len, "fuzz", &z, err, sizeof err);
	if (rc < 0) {
		FUZZ_CHECK(err[0] != '\0', "open failed (%d) without a message", rc);
		return 0;
	}
	rtm_zformat fmt = rtm_zreader_format(z);
	FUZZ_CHECK(rtm_zformat_name(fmt) != NULL, "format %d without a name", (int)fmt);

	while (total < MAX_OUT) {
		err[0] = '\0';
		got = rtm_zreader_read(z, buf, chunk, err, sizeof err);
		if (got <= 0)
			break;
		FUZZ_CHECK((size_t)got <= chunk, "read %zd of %zu", got, chunk);
		if (fmt == RTM_ZFORMAT_PLAIN)
			FUZZ_CHECK(total + (uint64_t)got <= in_len &&
					   memcmp(buf, in + total, (size_t)got) == 0,
				   "plain bytes changed at %llu", (unsigned long long)total);
		total += (uint64_t)got;
		if ((size_t)got < chunk) {
			/* A short read is the end: the next read says so. */
			got = rtm_zreader_read(z, buf, chunk, err, sizeof err);
			FUZZ_CHECK(got <= 0, "%zd bytes after a short read", got);
			break;
		}
	}
	if (got < 0)
		FUZZ_CHECK(err[0] != '\0', "read error %zd without a message", got);
	if (got == 0) {
		FUZZ_CHECK(rtm_zreader_read(z, buf, chunk, err, sizeof err) == 0,
			   "input went on after its end");
		if (fmt == RTM_ZFORMAT_PLAIN)
			FUZZ_CHECK(total == in_len, "plain: %llu of %zu bytes",
				   (unsigned long long)total, in_len);
	}
	/* A read that fails may have decoded bytes it then does not return. */
	if (got >= 0)
		FUZZ_CHECK(rtm_zreader_bytes_out(z) == total, "bytes_out %llu, read %llu",
			   (unsigned long long)rtm_zreader_bytes_out(z), (unsigned long long)total);
	else
		FUZZ_CHECK(rtm_zreader_bytes_out(z) >= total, "bytes_out %llu, read %llu",
			   (unsigned long long)rtm_zreader_bytes_out(z), (unsigned long long)total);
	FUZZ_CHECK(rtm_zreader_bytes_in(z) <= in_len, "bytes_in %llu of %zu",
		   (unsigned long long)rtm_zreader_bytes_in(z), in_len);
	rtm_zreader_close(z);
	return 0;
}
