/* SPDX-License-Identifier: EUPL-1.2 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kt-log.h"

static enum kt_log_level max_level = KT_LOG_INFO;
static const char *program = "kicktrack";
static bool status_line;
static int to_journal = -1; /* unknown yet */

/* Is stderr journald's stream (systemd sets JOURNAL_STREAM=DEV:INO for it)?
 * Then each line starts with its syslog priority ("<3>" for an error), so
 * that 'journalctl -p warning' finds the problems. */
static bool
stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;
	char end;

	if (!e || sscanf(e, "%ju:%ju%c", &dev, &ino, &end) != 2 || fstat(fileno(stderr), &st) < 0)
		return false;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

void
kt_log_set_level(enum kt_log_level l)
{
	max_level = l;
}

enum kt_log_level
kt_log_get_level(void)
{
	return max_level;
}

void
kt_log_set_program(const char *name)
{
	program = name;
}

void
kt_log_set_status_line(bool on)
{
	status_line = on;
}

int
kt_log_internal(enum kt_log_level level, int error, const char *fmt, ...)
{
	char buf[2048];
	const char *err = strerror(error < 0 ? -error : error);
	size_t o = 0;
	va_list ap;

	if (level > max_level)
		return error;

	/* expand %m ourselves: it must mean the error passed in, not errno */
	char fmt2[1024];
	for (const char *p = fmt; *p && o + 1 < sizeof(fmt2); p++) {
		if (p[0] == '%' && p[1] == 'm') {
			for (const char *e = err; *e && o + 2 < sizeof(fmt2); e++) {
				if (*e == '%')
					fmt2[o++] = '%';
				fmt2[o++] = *e;
			}
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			fmt2[o++] = '%';
			if (o + 1 < sizeof(fmt2))
				fmt2[o++] = '%';
			p++;
		} else {
			fmt2[o++] = *p;
		}
	}
	fmt2[o] = '\0';

	va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(buf, sizeof(buf), fmt2, ap);
#pragma GCC diagnostic pop
	va_end(ap);
	if (status_line)
		fputs("\r\033[K", stderr); /* the message replaces the progress line */
	if (to_journal < 0)
		to_journal = stderr_is_journal();
	if (to_journal)
		fprintf(stderr, "<%d>", (int)level);
	fprintf(stderr, "%s: %s%s\n", program,
		level == KT_LOG_ERR ? "error: " : level == KT_LOG_WARNING ? "warning: " : "", buf);
	return error;
}
