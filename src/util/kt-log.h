/* SPDX-License-Identifier: EUPL-1.2 */
/* Program logging to stderr (journald picks it up: then each line starts with
 * its syslog priority, "<3>" ...). Libraries log at debug only. */
#ifndef KT_UTIL_LOG_H
#define KT_UTIL_LOG_H

#include <errno.h>
#include <stdbool.h>

enum kt_log_level { KT_LOG_ERR = 3, KT_LOG_WARNING = 4, KT_LOG_INFO = 6, KT_LOG_DEBUG = 7 };

void kt_log_set_level(enum kt_log_level l);
void kt_log_set_program(const char *name);
enum kt_log_level kt_log_get_level(void);
/* While on, a progress line (ending in "\r", no newline) may be on the
 * terminal: each message first clears it. */
void kt_log_set_status_line(bool on);

/* Logs "program: message" (with ": strerror(-error)" appended when %m is used,
 * %m expands to strerror(-error)). Returns error unchanged, so callers can
 * `return log_error_errno(r, "cannot open %s: %m", path);`. */
int kt_log_internal(enum kt_log_level level, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(...) kt_log_internal(KT_LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) kt_log_internal(KT_LOG_INFO, 0, __VA_ARGS__)
#define log_warning(...) kt_log_internal(KT_LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) kt_log_internal(KT_LOG_ERR, 0, __VA_ARGS__)
#define log_warning_errno(e, ...) kt_log_internal(KT_LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) kt_log_internal(KT_LOG_ERR, (e), __VA_ARGS__)
#define log_debug_errno(e, ...) kt_log_internal(KT_LOG_DEBUG, (e), __VA_ARGS__)

#endif
