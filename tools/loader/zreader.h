/*
 * zreader.h - a byte reader that transparently decompresses its input.
 *
 * Part of the tools layer (static library rtm_loader); used by the MRT and
 * bgpdump-text loaders. The input format is recognised by its magic bytes,
 * never by the file name:
 *
 *     1f 8b               gzip   (zlib;   Debian zlib1g-dev)
 *     "BZh"               bzip2  (libbz2; Debian libbz2-dev)
 *     fd 37 7a 58 5a 00   xz     (liblzma; Debian liblzma-dev)
 *     anything else       plain bytes, passed through
 *
 * Concatenated compressed streams of the same format (several gzip members,
 * several bzip2 or xz streams, as produced by `cat a.gz b.gz`) are read as
 * one. The name "-" reads standard input.
 *
 * Errors: functions return 0 / a byte count on success or a negative errno
 * value, and on failure write a one-line message naming the input into the
 * caller's buffer. Damage in compressed data names the byte offset in the
 * compressed input where the decoder stopped:
 *
 *   -EBADMSG   corrupt compressed data, a truncated compressed stream, or
 *              trailing bytes after the last stream that are not a stream
 *   -ENOTSUP   compressed input of a format the library was built without
 *   -ENOMEM    out of memory (also: decoder memory limit)
 *   -ENOENT, -EACCES, -EIO, ...   from opening or reading the file
 *
 * A reader is not thread-safe; distinct readers are independent.
 */
#ifndef RTM_TOOLS_ZREADER_H
#define RTM_TOOLS_ZREADER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rtm_zformat {
	RTM_ZFORMAT_PLAIN = 0,
	RTM_ZFORMAT_GZIP,
	RTM_ZFORMAT_BZIP2,
	RTM_ZFORMAT_XZ,
} rtm_zformat;

typedef struct rtm_zreader rtm_zreader;

/*
 * Opens the file `path` ("-" = standard input). The first bytes are read at
 * once to detect the format, so an unsupported format is reported here.
 */
int rtm_zreader_open(const char *path, rtm_zreader **out, char *err, size_t errlen);

/*
 * The same for bytes already in memory (not copied: they must outlive the
 * reader). `name` is used in messages only (NULL = "<memory>").
 */
int rtm_zreader_open_mem(const void *data, size_t len, const char *name, rtm_zreader **out,
			 char *err, size_t errlen);

/*
 * Reads up to `len` decompressed bytes into buf. Returns the number read,
 * which is less than len only at the end of the input (0 = end), or a
 * negative errno value with a message.
 */
ssize_t rtm_zreader_read(rtm_zreader *z, void *buf, size_t len, char *err, size_t errlen);

/* The detected format, and a name for it ("plain", "gzip", "bzip2", "xz"). */
rtm_zformat rtm_zreader_format(const rtm_zreader *z);
const char *rtm_zformat_name(rtm_zformat f);

/* The input's name as given to open ("<stdin>" for "-"). */
const char *rtm_zreader_name(const rtm_zreader *z);

/* Bytes consumed from the (compressed) input and produced so far. */
uint64_t rtm_zreader_bytes_in(const rtm_zreader *z);
uint64_t rtm_zreader_bytes_out(const rtm_zreader *z);

/* Closes the file (not standard input) and frees the reader. NULL is allowed. */
void rtm_zreader_close(rtm_zreader *z);

/*
 * 1 if this build can decompress the format, else 0 (plain is always 1).
 */
int rtm_zformat_supported(rtm_zformat f);

#ifdef __cplusplus
}
#endif

#endif /* RTM_TOOLS_ZREADER_H */
