/* SPDX-License-Identifier: EUPL-1.2 */
/* INI-style config files: "[section]", "key = value", '#' or ';' comments. */
#ifndef KT_UTIL_INI_H
#define KT_UTIL_INI_H

#include <stdbool.h>

/* Called per key; section is "" before the first [section]. Return < 0 to
 * stop with that error (the callback logs "file:line: ..." itself, the
 * parser passes path and line for that). */
typedef int (*kt_ini_cb)(const char *path, unsigned line, const char *section,
			 const char *key, const char *value, void *userdata);

/* Returns 0, -errno for I/O errors, -EBADMSG after logging "path:line: ..."
 * for a syntax error, or the callback's error. */
int kt_ini_parse(const char *path, kt_ini_cb cb, void *userdata);

/* What is wrong with a file, for a caller that says it once in its own
 * words rather than have the parser log it. */
struct kt_ini_error {
	unsigned line;          /* 0: the file as a whole */
	bool unreadable;        /* it could not be read (what: kt_read_file_error()) */
	char what[400];         /* without the file's name, e.g. "expected 'key = value', got 'x'" */
};

/* kt_ini_parse() that logs nothing: its own errors fill *err; a callback
 * that wants the same fills it too (through its userdata). */
int kt_ini_parse_quiet(const char *path, kt_ini_cb cb, void *userdata, struct kt_ini_error *err);

#endif
