/*
 * fatal_check.h - CHECK(cond, fmt, ...) for the trie tests, which run
 * without the check harness (tests/lib/check.h): a failed check prints
 * "file:line: cond: message" and ends the process with status 1, from any
 * thread (check.h's REQUIRE only returns from a test body).
 */
#ifndef RTM_TESTS_FATAL_CHECK_H
#define RTM_TESTS_FATAL_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...)                                                                     \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond);           \
			fprintf(stderr, __VA_ARGS__);                                        \
			fputc('\n', stderr);                                                 \
			exit(1);                                                             \
		}                                                                            \
	} while (0)

#endif
