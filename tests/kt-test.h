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

#endif
