/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The checks every C test program uses: CHECK(cond) or CHECK(cond, "fmt", ...)
 * and CHECK_EQ(a, b) count a failure and say where; the program ends with
 * `return failures ? 1 : 0;` (or its own summary).
 */
#ifndef KT_TEST_H
#define KT_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static int failures;

__attribute__((format(printf, 4, 5), unused)) static void
kt_test_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: check failed: %s:", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

/* The message, if any, must start with a string literal. */
#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (!(cond))                                                               \
			kt_test_fail(__FILE__, __LINE__, #cond, " " __VA_ARGS__);           \
	} while (0)

#define CHECK_EQ(a, b)                                                                     \
	do {                                                                               \
		long long _a = (long long)(a), _b = (long long)(b);                        \
		if (_a != _b)                                                              \
			kt_test_fail(__FILE__, __LINE__, #a " == " #b, " %lld, expected %lld", \
				     _a, _b);                                              \
	} while (0)

/* Runs the shell command cmd with its stderr joined to its stdout; puts its
 * output (up to size - 1 bytes) in out. Returns its exit status, or -1 when
 * it could not be run or did not exit. For a program's messages, word by word. */
__attribute__((unused)) static int
kt_test_output(const char *cmd, char *out, size_t size)
{
	char full[4200];
	size_t n = 0;
	int status;
	FILE *f;

	out[0] = '\0';
	if ((size_t)snprintf(full, sizeof(full), "%s 2>&1", cmd) >= sizeof(full))
		return -1;
	f = popen(full, "r");
	if (!f)
		return -1;
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	status = pclose(f);
	return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Each of the n bad options opt[i][0] given to the program at path exe
 * (named prog in its messages) must be refused in kt-args' words: exit 2,
 * "PROG: error: opt[i][1]" and "Try 'PROG --help'.", nothing else. */
__attribute__((unused)) static void
kt_test_bad_options(const char *exe, const char *prog, const char *const (*opt)[2], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char cmd[4096], out[4096], want[400];
		int rc;

		snprintf(cmd, sizeof(cmd), "'%s' %s", exe, opt[i][0]);
		snprintf(want, sizeof(want), "%s: error: %s\nTry '%s --help'.\n", prog, opt[i][1], prog);
		rc = kt_test_output(cmd, out, sizeof(out));
		CHECK(rc == 2 && !strcmp(out, want), "%s: exit %d, said '%s'", opt[i][0], rc, out);
	}
}

#endif
