/*
 * check.c - runner for the TEST() harness declared in check.h.
 *
 * Tests register themselves from constructors, in whatever order the loader
 * runs them; check_main() sorts them by (file, line) so that a run is always
 * in source order.  Tests run one after another in the main thread; the
 * CHECK macros may be used by helper threads a test starts, so the failure
 * counter is atomic and printing is serialised.
 */
#include "check.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct check_test *check_head;
static unsigned check_count;
static unsigned check_fail_count; /* failures of the running test, atomic */
static pthread_mutex_t check_print_lock = PTHREAD_MUTEX_INITIALIZER;

void
check_register(struct check_test *t)
{
	t->next = check_head;
	check_head = t;
	check_count++;
}

void
check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&check_fail_count, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&check_print_lock);
	printf("  %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&check_print_lock);
}

void
check_note(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&check_print_lock);
	fputs("  # ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&check_print_lock);
}

unsigned
check_current_failures(void)
{
	return __atomic_load_n(&check_fail_count, __ATOMIC_RELAXED);
}

const char *
rtm_error_name(uint32_t code)
{
	switch (code) {
	case 0:
		return "NO_ERROR";
	case 2:
		return "ERROR_FILE_NOT_FOUND";
	case 5:
		return "ERROR_ACCESS_DENIED";
	case 6:
		return "ERROR_INVALID_HANDLE";
	case 8:
		return "ERROR_NOT_ENOUGH_MEMORY";
	case 13:
		return "ERROR_INVALID_DATA";
	case 38:
		return "ERROR_HANDLE_EOF";
	case 50:
		return "ERROR_NOT_SUPPORTED";
	case 87:
		return "ERROR_INVALID_PARAMETER";
	case 122:
		return "ERROR_INSUFFICIENT_BUFFER";
	case 183:
		return "ERROR_ALREADY_EXISTS";
	case 259:
		return "ERROR_NO_MORE_ITEMS";
	case 1004:
		return "ERROR_INVALID_FLAGS";
	case 1168:
		return "ERROR_NOT_FOUND";
	case 1450:
		return "ERROR_NO_SYSTEM_RESOURCES";
	case 1610:
		return "ERROR_BAD_CONFIGURATION";
	default:
		return "?";
	}
}

static int
check_cmp(const void *pa, const void *pb)
{
	const struct check_test *a = *(const struct check_test *const *)pa;
	const struct check_test *b = *(const struct check_test *const *)pb;
	int c = strcmp(a->file, b->file);

	if (c != 0)
		return c;
	return (a->line > b->line) - (a->line < b->line);
}

int
check_main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	struct check_test **all;
	struct check_test *t;
	unsigned i = 0, passed = 0, failed = 0;

	all = calloc(check_count ? check_count : 1, sizeof(*all));
	if (all == NULL) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	for (t = check_head; t != NULL; t = t->next)
		all[i++] = t;
	qsort(all, check_count, sizeof(*all), check_cmp);

	for (i = 0; i < check_count; i++) {
		t = all[i];
		if (filter != NULL && strstr(t->name, filter) == NULL)
			continue;
		__atomic_store_n(&check_fail_count, 0, __ATOMIC_RELAXED);
		t->fn();
		if (check_current_failures() == 0) {
			passed++;
			printf("ok %s\n", t->name);
		} else {
			failed++;
			printf("FAIL %s\n", t->name);
		}
		fflush(stdout);
	}
	free(all);
	printf("%u passed, %u failed\n", passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}
