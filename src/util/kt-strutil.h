/* SPDX-License-Identifier: EUPL-1.2 */
/* Locale-independent number parsing and printing. */
#ifndef KT_UTIL_STRUTIL_H
#define KT_UTIL_STRUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse a whole string as a double in the C locale (decimal point '.').
 * Leading/trailing blanks allowed. Returns 0 or -EINVAL/-ERANGE; *ret untouched on failure. */
int kt_safe_atod(const char *s, double *ret);
int kt_safe_atoi64(const char *s, int64_t *ret);
int kt_safe_atou(const char *s, unsigned *ret);

/* Print a double with `decimals` digits in the C locale; if decimal_comma, use
 * ',' instead of '.'. NaN prints as "" (unknown). Returns buf. */
char *kt_fmt_double(char *buf, size_t size, double v, int decimals, bool decimal_comma);

/* vsnprintf in the C locale, except that every floating-point conversion
 * (%f, %e, %g, %a, with any flags, width and precision) prints a decimal
 * comma: the German notes say "7,0 Minuten", while what comes in through
 * %s (file names, times, already formatted numbers) is left as it is.
 * Positional arguments (%1$s) and %n are not supported: -1 and errno
 * EINVAL. Otherwise returns what vsnprintf returns, and cuts like it. */
int kt_vsnprintf_decimal_comma(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int kt_snprintf_decimal_comma(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A size or rate in bytes for a volunteer, SI units, in the C locale.
 * KT_BYTES_ROUND, for log lines: "512 bytes", "850 kB", "2.1 MB", "2100.0 MB";
 * KT_BYTES_FINE, for figures that move while watched (kicktrack status):
 * "512 B", "850.3 kB", "2.1 MB", "2.10 GB". Returns buf. */
enum kt_bytes_style { KT_BYTES_ROUND, KT_BYTES_FINE };
char *kt_fmt_bytes(char *buf, size_t size, double n, enum kt_bytes_style style);

/* strdup that aborts the program on OOM is not offered: callers check NULL. */
char *kt_strip(char *s);               /* trims blanks in place, returns s */
bool kt_startswith(const char *s, const char *prefix);
/* Is s[0..n) valid UTF-8 (no overlong forms, no surrogates)? */
bool kt_utf8_valid(const char *s, size_t n);
/* Text in Windows-1252, the "ANSI" code page German Excel saves a plain
 * "CSV (Trennzeichen-getrennt)" in, as UTF-8: data[0..len) is taken as
 * Windows-1252 only if it is not valid UTF-8 and holds no multi-byte
 * UTF-8 sequence at all (a file mixing both is left alone), and every
 * byte is defined there (0x81, 0x8D, 0x8F, 0x90 and 0x9D are not).
 * Returns 1 and a malloc'ed NUL-terminated copy in *ret (its length in
 * *ret_len), 0 if the text is not taken as Windows-1252, or -ENOMEM. */
int kt_cp1252_to_utf8(const char *data, size_t len, char **ret, size_t *ret_len);
/* s for a message: printable ASCII and valid UTF-8 as they are, every other
 * byte (control bytes, C1 controls, invalid UTF-8) as \xhh, cut with "..." to fit in
 * size. Returns buf. Never echo bytes read from a file into a terminal
 * without it. */
char *kt_escape(char *buf, size_t size, const char *s);
/* Do data[0..len) look like binary data rather than text: a NUL byte, or
 * at least 8 control bytes (other than tab, CR, LF, FF, VT) making 1/32 of
 * them? (Random bytes have 1/10, and NULs.) */
bool kt_looks_binary(const char *data, size_t len);
bool kt_endswith(const char *s, const char *suffix);
/* strerror(errnum) in German for the errors a file or folder gives (not
 * found, no permission, disk full, ...), for the notes a coach reads;
 * others in English, as strerror() says them. */
const char *kt_strerror_de(int errnum);

/* Format t_us (Unix us, UTC) as ISO 8601 "2026-11-24T18:30:00.100Z" (decimals 0..6). */
char *kt_fmt_utc(char *buf, size_t size, int64_t t_us, int decimals);
/* Days-from-civil: UTC calendar fields to Unix seconds (no time zone, no libc). */
int64_t kt_utc_to_unix(int year, int mon, int day, int hour, int min, int sec);

#endif
