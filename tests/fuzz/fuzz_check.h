/*
 * fuzz_check.h - the fuzz targets' assertion: print what broke, then abort,
 * so that libFuzzer saves the input as a crash and the replay run fails.
 */
#ifndef RTM_FUZZ_CHECK_H
#define RTM_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...)                                                                \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "FUZZ FAILURE %s:%d: %s: ", __FILE__, __LINE__,      \
				#cond);                                                      \
			fprintf(stderr, __VA_ARGS__);                                        \
			fprintf(stderr, "\n");                                               \
			abort();                                                             \
		}                                                                            \
	} while (0)

#endif
