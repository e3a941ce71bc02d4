/*
 * check.h - a very small unit-test harness.
 *
 *   TEST(name) { ... }          defines a test and registers it at load time
 *   CHECK(cond)                 non-fatal boolean check
 *   CHECK_EQ_U(a, b)            non-fatal, compares as unsigned long long
 *   CHECK_NE_U(a, b)
 *   CHECK_EQ_PTR(a, b)          non-fatal pointer equality
 *   CHECK_NE_PTR(a, b)
 *   CHECK_RC(expr, expected)    non-fatal, compares Win32 codes, prints their names
 *   REQUIRE(cond)               fatal: records the failure and returns from the test
 *   REQUIRE_RC(expr, expected)  fatal variant of CHECK_RC
 *
 * Every failure prints "file:line: ..." with the expressions and both values.
 * The checks may be used from any thread; REQUIRE only inside the test body
 * (it expands to a plain "return").
 *
 * check_main(argc, argv) runs every registered test, or only those whose
 * name contains argv[1], prints "ok <name>" or "FAIL <name>" per test and, as
 * the very last line, "N passed, M failed".  It returns 1 if a test failed.
 *
 * This header does not include rtmv2.h, so that it can be used by tests that
 * check the public header on its own.
 */
#ifndef RTM_TESTS_CHECK_H
#define RTM_TESTS_CHECK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct check_test {
	const char *name;
	void (*fn)(void);
	const char *file;
	int line;
	struct check_test *next;
};

/* Called by the TEST() constructors. */
void
check_register(struct check_test *t);

/* Records a failure of the running test and prints the formatted message. */
void
check_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prints a note (e.g. a seed) under the running test. */
void
check_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Name of a Win32 error code used by RTMv2, or "?" for an unknown value. */
const char *
rtm_error_name(uint32_t code);

/* Number of failures recorded so far in the running test. */
unsigned
check_current_failures(void);

int
check_main(int argc, char **argv);

#define CHECK_CAT_(a, b) a##b
#define CHECK_CAT(a, b) CHECK_CAT_(a, b)

#define TEST(name)                                                                                 \
	static void test_##name(void);                                                             \
	static struct check_test check_desc_##name = {#name, test_##name, __FILE__, __LINE__,     \
						       0};                                         \
	__attribute__((constructor)) static void check_ctor_##name(void)                           \
	{                                                                                          \
		check_register(&check_desc_##name);                                                \
	}                                                                                          \
	static void test_##name(void)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			check_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);                 \
	} while (0)

#define CHECK_EQ_U(a, b)                                                                           \
	do {                                                                                       \
		unsigned long long check_a_ = (unsigned long long)(a);                             \
		unsigned long long check_b_ = (unsigned long long)(b);                             \
		if (check_a_ != check_b_)                                                          \
			check_fail(__FILE__, __LINE__,                                             \
				   "CHECK_EQ_U(%s, %s): %llu (0x%llx) != %llu (0x%llx)", #a, #b,    \
				   check_a_, check_a_, check_b_, check_b_);                        \
	} while (0)

#define CHECK_NE_U(a, b)                                                                           \
	do {                                                                                       \
		unsigned long long check_a_ = (unsigned long long)(a);                             \
		unsigned long long check_b_ = (unsigned long long)(b);                             \
		if (check_a_ == check_b_)                                                          \
			check_fail(__FILE__, __LINE__, "CHECK_NE_U(%s, %s): both are %llu (0x%llx)", \
				   #a, #b, check_a_, check_a_);                                    \
	} while (0)

#define CHECK_EQ_PTR(a, b)                                                                         \
	do {                                                                                       \
		const void *check_a_ = (const void *)(a);                                          \
		const void *check_b_ = (const void *)(b);                                          \
		if (check_a_ != check_b_)                                                          \
			check_fail(__FILE__, __LINE__, "CHECK_EQ_PTR(%s, %s): %p != %p", #a, #b,   \
				   check_a_, check_b_);                                            \
	} while (0)

#define CHECK_NE_PTR(a, b)                                                                         \
	do {                                                                                       \
		const void *check_a_ = (const void *)(a);                                          \
		const void *check_b_ = (const void *)(b);                                          \
		if (check_a_ == check_b_)                                                          \
			check_fail(__FILE__, __LINE__, "CHECK_NE_PTR(%s, %s): both are %p", #a,    \
				   #b, check_a_);                                                  \
	} while (0)

#define CHECK_RC(expr, expected)                                                                   \
	do {                                                                                       \
		uint32_t check_got_ = (uint32_t)(expr);                                            \
		uint32_t check_want_ = (uint32_t)(expected);                                       \
		if (check_got_ != check_want_)                                                     \
			check_fail(__FILE__, __LINE__, "CHECK_RC(%s): got %s(%u), expected %s(%u)", \
				   #expr, rtm_error_name(check_got_), (unsigned)check_got_,        \
				   rtm_error_name(check_want_), (unsigned)check_want_);            \
	} while (0)

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			check_fail(__FILE__, __LINE__, "REQUIRE(%s) failed", #cond);               \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define REQUIRE_RC(expr, expected)                                                                 \
	do {                                                                                       \
		uint32_t check_got_ = (uint32_t)(expr);                                            \
		uint32_t check_want_ = (uint32_t)(expected);                                       \
		if (check_got_ != check_want_) {                                                   \
			check_fail(__FILE__, __LINE__,                                             \
				   "REQUIRE_RC(%s): got %s(%u), expected %s(%u)", #expr,           \
				   rtm_error_name(check_got_), (unsigned)check_got_,               \
				   rtm_error_name(check_want_), (unsigned)check_want_);            \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#ifdef __cplusplus
}
#endif

#endif /* RTM_TESTS_CHECK_H */
