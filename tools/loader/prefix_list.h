/*
 * prefix_list.h - load a plain prefix-list file into RTM_NET_ADDRESS values.
 *
 * Part of the tools layer (static library rtm_loader). It does not use the
 * RTMv2 library itself, only the RTM_NET_ADDRESS type from <rtmv2.h>.
 *
 * Input format, one entry per line:
 *
 *     1.0.0.0/24
 *     2001:db8::/32<TAB>anything<TAB>else     (extra TAB-separated fields are ignored)
 *     # a comment                              (also after the prefix: "10.0.0.0/8  # rfc1918")
 *                                              (blank lines are skipped)
 *
 * Leading and trailing blanks (space, TAB) and a CR before the LF are ignored.
 * Every prefix needs an explicit "/len" (0..32 for IPv4, 0..128 for IPv6).
 * IPv4 is strict dotted quad (four decimal parts 0..255, no leading zeros);
 * IPv6 is anything inet_pton(AF_INET6) accepts, including the ::ffff:1.2.3.4 form.
 *
 * The file may be plain text or an xz/lzma stream (recognised by its magic
 * bytes, not by the name; concatenated xz streams are accepted). The name "-"
 * reads standard input.
 *
 * Results are RTM_NET_ADDRESS values: AddressFamily = AF_INET / AF_INET6 with the
 * Linux values (2 / 10), NumBits = the prefix length, AddrBits = the address in
 * network byte order. Bytes past the family's width are zero. By default the host
 * bits (those past NumBits) are cleared; see RTM_PL_KEEP_HOST_BITS.
 *
 * Errors: every function returns 0 on success or a negative errno value, and on
 * failure writes a one-line message naming the file and the line (for text errors)
 * or the compressed byte offset (for xz errors) into the caller's buffer:
 *
 *   -EINVAL    malformed line (bad address, bad or missing length, junk, NUL byte),
 *              host bits set with RTM_PL_HOST_BITS_ERROR, or a bad argument
 *   -E2BIG     a line longer than the limit (max_line_len)
 *   -EBADMSG   corrupt or truncated xz data
 *   -ENOTSUP   xz input but the loader was built without liblzma
 *   -ENOMEM    out of memory (also: xz memory limit exceeded)
 *   -ENOENT, -EACCES, -EIO, ...   from opening or reading the file
 *
 * On failure the list keeps the entries read before the bad line (the caller
 * still has to free it). The functions are thread-safe for distinct lists.
 */
#ifndef RTM_TOOLS_PREFIX_LIST_H
#define RTM_TOOLS_PREFIX_LIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rtmv2.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A growable array of prefixes. Zero-initialise it (RTM_PREFIX_LIST_INIT) before the first load. */
typedef struct rtm_prefix_list {
	RTM_NET_ADDRESS *items;   /* count entries, in file order */
	size_t count;
	size_t capacity;
} rtm_prefix_list;

#define RTM_PREFIX_LIST_INIT { NULL, 0, 0 }

/* Option flags. */
enum {
	/* Host bits set past NumBits are an error (-EINVAL with file and line). */
	RTM_PL_HOST_BITS_ERROR = 1u << 0,
	/* Keep host bits as written instead of clearing them. */
	RTM_PL_KEEP_HOST_BITS  = 1u << 1,
};

typedef struct rtm_prefix_list_opts {
	int family;            /* 0 = both, AF_INET or AF_INET6: other families are skipped (and counted) */
	unsigned flags;        /* RTM_PL_* */
	size_t max_line_len;   /* longest accepted line in bytes, without the LF; 0 = default (4096) */
	FILE *warn;            /* if non-NULL, lines with host bits set are reported here
	                          ("file:line: warning: ..."), at most warn_limit of them */
	unsigned warn_limit;   /* 0 = default (10) */
} rtm_prefix_list_opts;

/* What a load saw (filled even on failure, up to the point of failure). */
typedef struct rtm_prefix_list_stats {
	uint64_t lines;             /* lines read */
	uint64_t added;             /* prefixes appended to the list */
	uint64_t skipped_family;    /* valid prefixes of the family not asked for */
	uint64_t comments_blank;    /* comment-only and blank lines */
	uint64_t host_bits_set;     /* prefixes that had host bits set */
	uint64_t first_host_bits_line; /* line number of the first one, 0 if none */
	uint64_t bytes_in;          /* bytes read from the file (compressed size for xz) */
	uint64_t bytes_text;        /* bytes of text (decompressed size for xz) */
	int compressed;             /* 1 if the input was xz */
} rtm_prefix_list_stats;

/*
 * Appends the prefixes of the file `path` to `list`. `opts` and `stats` may be NULL.
 * `err` (may be NULL if errlen is 0) receives a NUL-terminated message on failure.
 */
int rtm_prefix_list_load(const char *path, const rtm_prefix_list_opts *opts,
			 rtm_prefix_list *list, rtm_prefix_list_stats *stats,
			 char *err, size_t errlen);

/*
 * The same for a file already in memory (plain text or xz). `name` is used in
 * messages only (NULL = "<memory>").
 */
int rtm_prefix_list_load_mem(const void *data, size_t len, const char *name,
			     const rtm_prefix_list_opts *opts, rtm_prefix_list *list,
			     rtm_prefix_list_stats *stats, char *err, size_t errlen);

/* Frees the array and resets the list to empty. */
void rtm_prefix_list_free(rtm_prefix_list *list);

/* Appends one address (used by the loaders; also handy for tests). 0 or -ENOMEM. */
int rtm_prefix_list_push(rtm_prefix_list *list, const RTM_NET_ADDRESS *addr);

/*
 * Parses one prefix "addr/len" of exactly `len` bytes (no blanks, no comment).
 * On success fills *out (host bits kept as written) and sets *host_bits to 1
 * if bits past the length are set, else 0. Returns 0 or -EINVAL, and on error
 * writes the reason (without a file name) to err.
 */
int rtm_prefix_parse(const char *text, size_t len, RTM_NET_ADDRESS *out,
		     int *host_bits, char *err, size_t errlen);

/* Clears the bits of addr past addr->NumBits (and every byte past the family's width). */
void rtm_prefix_mask(RTM_NET_ADDRESS *addr);

/* Address width in bits for a family: 32, 128, or 0 for an unknown family. */
unsigned rtm_prefix_family_bits(unsigned family);

/*
 * Formats an address as "1.2.3.0/24" or "2001:db8::/32" (host bits printed as
 * stored; an unknown family prints as "af=N/len"). Needs at most
 * RTM_PREFIX_STRLEN bytes. Returns buf.
 */
#define RTM_PREFIX_STRLEN 64
char *rtm_prefix_format(const RTM_NET_ADDRESS *addr, char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif

#endif /* RTM_TOOLS_PREFIX_LIST_H */
