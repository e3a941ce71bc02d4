/*
 * replay.c - run a fuzz target over files, without a fuzzing engine.
 *
 *   fuzz-<target> PATH...
 *
 * Every PATH is a file or a directory; a directory's regular files are run in
 * name order (so that a failure is reproducible), not recursively. Each input
 * is copied into a buffer of exactly its size, so that under ASan a read one
 * byte past the end is reported, as libFuzzer does. A run that takes longer
 * than RTM_FUZZ_REPLAY_TIMEOUT seconds (default 60) is a hang: the program
 * prints the input's name and exits with status 2.
 *
 * Last line: "replayed N inputs, B bytes". Exit status 0, or non-zero when an
 * input could not be read (a crash or a sanitizer report ends the process
 * before that).
 */
#define _GNU_SOURCE 1

#include "fuzz_target.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char current[4096];
static unsigned long n_inputs;
static unsigned long long n_bytes;

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "replay: time limit exceeded (a hang) on: ";
	ssize_t w = write(2, msg, sizeof msg - 1);
	w = write(2, current, strlen(current));
	w = write(2, "\n", 1);
	(void)w;
	_exit(2);
}

static int read_whole(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			uint8_t *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int run_file(const char *path, unsigned timeout)
{
	uint8_t *whole = NULL;
	size_t len = 0;
	int rc = read_whole(path, &whole, &len);

	if (rc < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(-rc));
		return rc;
	}
	/* An exact-size copy, so that ASan sees a read past the end. */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(whole);
		return -ENOMEM;
	}
	memcpy(exact, whole, len);
	free(whole);

	snprintf(current, sizeof current, "%s", path);
	alarm(timeout);
	LLVMFuzzerTestOneInput(exact, len);
	alarm(0);
	free(exact);
	n_inputs++;
	n_bytes += len;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned timeout)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -errno;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof *names);
			if (!nn) {
				rc = -ENOMEM;
				break;
			}
			names = nn;
		}
		if (asprintf(&names[n], "%s/%s", dir, e->d_name) < 0) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			rc = run_file(names[i], timeout);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	const char *env = getenv("RTM_FUZZ_REPLAY_TIMEOUT");
	unsigned timeout = env ? (unsigned)strtoul(env, NULL, 10) : 60;
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
		return 2;
	}
	signal(SIGALRM, on_alarm);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int rc;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		rc = S_ISDIR(st.st_mode) ? run_dir(argv[i], timeout) : run_file(argv[i], timeout);
		if (rc < 0)
			status = 1;
	}
	printf("replayed %lu inputs, %llu bytes\n", n_inputs, n_bytes);
	if (n_inputs == 0) {
		fprintf(stderr, "replay: no input found\n");
		status = 1;
	}
	return status;
}
