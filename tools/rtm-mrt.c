/*
 * rtm-mrt - print the routes of MRT RIB dumps in `bgpdump -m` format.
 *
 *   rtm-mrt [-s] [-k] FILE...      ("-" = standard input)
 *
 * Each file may be plain MRT or gzip / bzip2 / xz compressed MRT (detected by
 * its magic bytes). One line per RIB entry per peer (and per path id for
 * ADD-PATH), TABLE_DUMP / TABLE_DUMP2 / TABLE_DUMP2_AP as bgpdump prints them.
 *
 *   -s   print a summary per file on standard error
 *   -k   skip records of MRT types no RFC defines instead of failing
 *
 * Exit status: 0 if every file was read completely, 1 if one was malformed or
 * unreadable (the lines before the fault are printed, then the message on
 * standard error), 2 for a usage error.
 */
#define _GNU_SOURCE 1

#include "mrt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: rtm-mrt [-s] [-k] FILE...\n"
		   "Prints the routes of MRT RIB dumps (TABLE_DUMP, TABLE_DUMP_V2, RFC 8050\n"
		   "ADD-PATH; plain, .gz, .bz2 or .xz) in `bgpdump -m` format.\n"
		   "  -s  summary per file on standard error\n"
		   "  -k  skip records of undefined MRT types instead of failing\n");
}

static int dump(const char *path, unsigned flags, int summary, rtm_mrt_text *line)
{
	char err[1024];
	rtm_mrt_opts opts = { .flags = flags };
	rtm_mrt_reader *r;
	int rc = rtm_mrt_open(path, &opts, &r, err, sizeof err);
	if (rc) {
		fprintf(stderr, "rtm-mrt: %s\n", err);
		return 1;
	}
	rtm_mrt_route rt;
	while ((rc = rtm_mrt_next(r, &rt, err, sizeof err)) == 1) {
		if (rtm_mrt_format_bgpdump(&rt, line)) {
			rc = -ENOMEM;
			snprintf(err, sizeof err, "%s: out of memory", path);
			break;
		}
		if (fwrite(line->s, 1, line->len, stdout) != line->len) {
			rc = -EIO;
			snprintf(err, sizeof err, "writing standard output: %s", strerror(errno));
			break;
		}
	}
	if (summary) {
		rtm_mrt_stats st;
		rtm_mrt_get_stats(r, &st);
		fprintf(stderr,
			"rtm-mrt: %s: %" PRIu64 " records (%" PRIu64 " peer tables, %" PRIu64
			" RIB records, %" PRIu64 " skipped, %" PRIu64 " unknown), %" PRIu64
			" routes, %" PRIu64 " bytes\n", path, st.records, st.peer_tables,
			st.rib_records, st.skipped_records, st.unknown_records, st.routes, st.bytes);
	}
	rtm_mrt_close(r);
	if (rc < 0) {
		fflush(stdout);
		fprintf(stderr, "rtm-mrt: %s\n", err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned flags = 0;
	int summary = 0, opt;
	while ((opt = getopt(argc, argv, "skh")) != -1) {
		switch (opt) {
		case 's': summary = 1; break;
		case 'k': flags |= RTM_MRT_SKIP_UNKNOWN; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	rtm_mrt_text line = RTM_MRT_TEXT_INIT;
	int status = 0;
	for (int i = optind; i < argc && status == 0; i++)
		status = dump(argv[i], flags, summary, &line);
	rtm_mrt_text_free(&line);
	if (fflush(stdout) != 0 && status == 0) {
		fprintf(stderr, "rtm-mrt: writing standard output: %s\n", strerror(errno));
		status = 1;
	}
	return status;
}
