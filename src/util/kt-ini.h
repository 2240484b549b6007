/* SPDX-License-Identifier: EUPL-1.2 */
/* INI-style config files: "[section]", "key = value", '#' or ';' comments. */
#ifndef KT_UTIL_INI_H
#define KT_UTIL_INI_H

/* Called per key; section is "" before the first [section]. Return < 0 to
 * stop with that error (the callback logs "file:line: ..." itself, the
 * parser passes path and line for that). */
typedef int (*kt_ini_cb)(const char *path, unsigned line, const char *section,
			 const char *key, const char *value, void *userdata);

/* Returns 0, -errno for I/O errors, -EBADMSG after logging "path:line: ..."
 * for a syntax error, or the callback's error. */
int kt_ini_parse(const char *path, kt_ini_cb cb, void *userdata);

#endif
