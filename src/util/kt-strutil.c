/* SPDX-License-Identifier: EUPL-1.2 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "kt-strutil.h"

static locale_t
c_locale(void)
{
	static locale_t loc = (locale_t)0;
	if (loc == (locale_t)0)
		loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return loc;
}

int
kt_safe_atod(const char *s, double *ret)
{
	char *end;
	double v;

	if (!s)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtod_l(s, &end, c_locale());
	if (end == s)
		return -EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || !isfinite(v))
		return -ERANGE;
	*ret = v;
	return 0;
}

int
kt_safe_atoi64(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (!s)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s)
		return -EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*ret = v;
	return 0;
}

int
kt_safe_atou(const char *s, unsigned *ret)
{
	int64_t v;
	int r = kt_safe_atoi64(s, &v);
	if (r < 0)
		return r;
	if (v < 0 || v > UINT32_MAX)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

char *
kt_fmt_double(char *buf, size_t size, double v, int decimals, bool decimal_comma)
{
	if (isnan(v)) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	/* snprintf_l does not exist in glibc: switch the thread's locale */
	locale_t old = uselocale(c_locale());
	snprintf(buf, size, "%.*f", decimals, v);
	uselocale(old);
	if (decimal_comma) {
		char *p = strchr(buf, '.');
		if (p)
			*p = ',';
	}
	/* avoid "-0.0" */
	if (buf[0] == '-') {
		bool allzero = true;
		for (char *p = buf + 1; *p; p++)
			if (*p != '0' && *p != '.' && *p != ',')
				allzero = false;
		if (allzero)
			memmove(buf, buf + 1, strlen(buf));
	}
	return buf;
}

/* One conversion of kt_vsnprintf_decimal_comma: spec (e.g. "%-*.2f") with
 * its n_star '*' values, then the value of type T, into dst[0..room). */
#define PUT_ONE(T)                                                                                   \
	do {                                                                                         \
		T v_ = va_arg(aq, T);                                                                \
		w = n_star == 0 ? snprintf(dst, room, spec, v_)                                      \
		    : n_star == 1 ? snprintf(dst, room, spec, star[0], v_)                           \
				  : snprintf(dst, room, spec, star[0], star[1], v_);                 \
	} while (0)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
int
kt_vsnprintf_decimal_comma(char *buf, size_t size, const char *fmt, va_list ap)
{
	locale_t old = uselocale(c_locale());
	size_t n = 0; /* the whole output's length, as vsnprintf counts it */
	const char *p = fmt;
	int r = 0;
	va_list aq;

	va_copy(aq, ap);
	while (*p) {
		const char *q = strchrnul(p, '%'), *s;
		char spec[32], *dst;
		size_t room, lit = (size_t) (q - p);
		int star[2], n_star = 0, w = 0;
		bool floating = false;

		if (n < size)
			memcpy(buf + n, p, lit < size - n ? lit : size - n);
		n += lit;
		if (!*q)
			break;
		/* %[flags][width][.precision][length]conversion */
		s = q + 1;
		s += strspn(s, "-+ #0'");
		if (*s == '*') {
			star[n_star++] = va_arg(aq, int);
			s++;
		} else {
			s += strspn(s, "0123456789");
		}
		if (*s == '.') {
			s++;
			if (*s == '*') {
				star[n_star++] = va_arg(aq, int);
				s++;
			} else {
				s += strspn(s, "0123456789");
			}
		}
		const char *len = s;
		s += strspn(s, "hlLqjzt");
		size_t len_n = (size_t) (s - len);
		char conv = *s++;

		/* (a positional argument stops at its '$') */
		if (!conv || conv == '$' || s - q >= (ptrdiff_t) sizeof(spec)) {
			r = -1;
			break;
		}
		memcpy(spec, q, (size_t) (s - q));
		spec[s - q] = '\0';
		dst = n < size ? buf + n : NULL;
		room = n < size ? size - n : 0;
		switch (conv) {
		case 'd':
		case 'i':
			if (len_n == 0 || len[0] == 'h')
				PUT_ONE(int);
			else if (len_n == 1 && len[0] == 'l')
				PUT_ONE(long);
			else if ((len_n == 2 && len[0] == 'l') || len[0] == 'q')
				PUT_ONE(long long);
			else if (len[0] == 'j')
				PUT_ONE(intmax_t);
			else if (len[0] == 'z')
				PUT_ONE(ssize_t);
			else if (len[0] == 't')
				PUT_ONE(ptrdiff_t);
			else
				r = -1;
			break;
		case 'o':
		case 'u':
		case 'x':
		case 'X':
			if (len_n == 0 || len[0] == 'h')
				PUT_ONE(unsigned);
			else if (len_n == 1 && len[0] == 'l')
				PUT_ONE(unsigned long);
			else if ((len_n == 2 && len[0] == 'l') || len[0] == 'q')
				PUT_ONE(unsigned long long);
			else if (len[0] == 'j')
				PUT_ONE(uintmax_t);
			else if (len[0] == 'z')
				PUT_ONE(size_t);
			else if (len[0] == 't')
				PUT_ONE(ptrdiff_t);
			else
				r = -1;
			break;
		case 'f':
		case 'F':
		case 'e':
		case 'E':
		case 'g':
		case 'G':
		case 'a':
		case 'A':
			floating = true;
			if (len_n == 1 && len[0] == 'L')
				PUT_ONE(long double);
			else if (len_n == 0 || (len_n == 1 && len[0] == 'l'))
				PUT_ONE(double);
			else
				r = -1;
			break;
		case 'c':
			if (len_n == 0)
				PUT_ONE(int);
			else
				r = -1;
			break;
		case 's':
			if (len_n == 0)
				PUT_ONE(const char *);
			else
				r = -1;
			break;
		case 'p':
			PUT_ONE(void *);
			break;
		case '%':
			w = 1;
			if (room)
				*dst = '%';
			break;
		default: /* %n, %m, %lc, wide strings: not in a note */
			r = -1;
			break;
		}
		if (r < 0 || w < 0) {
			r = -1;
			break;
		}
		if (floating && dst) {
			char *dot = memchr(dst, '.', (size_t) w < room ? (size_t) w : room - 1);
			if (dot)
				*dot = ',';
		}
		n += (size_t) w;
		p = s;
	}
	va_end(aq);
	uselocale(old);
	if (r < 0 || n > INT_MAX) {
		if (size)
			buf[0] = '\0';
		errno = r < 0 ? EINVAL : EOVERFLOW;
		return -1;
	}
	if (size)
		buf[n < size ? n : size - 1] = '\0';
	return (int) n;
}
#pragma GCC diagnostic pop
#undef PUT_ONE

int
kt_snprintf_decimal_comma(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = kt_vsnprintf_decimal_comma(buf, size, fmt, ap);
	va_end(ap);
	return r;
}

char *
kt_fmt_bytes(char *buf, size_t size, double n, enum kt_bytes_style style)
{
	bool fine = style == KT_BYTES_FINE;
	locale_t old = uselocale(c_locale());

	if (n < 1000)
		snprintf(buf, size, "%.0f %s", n, fine ? "B" : "bytes");
	else if (n < 1e6)
		snprintf(buf, size, "%.*f kB", fine ? 1 : 0, n / 1e3);
	else if (n < 1e9 || !fine)
		snprintf(buf, size, "%.1f MB", n / 1e6);
	else
		snprintf(buf, size, "%.2f GB", n / 1e9);
	uselocale(old);
	return buf;
}

char *
kt_strip(char *s)
{
	char *b = s, *e;

	/* one move, not one per blank: a line of a million blanks is input too */
	while (isspace((unsigned char)*b))
		b++;
	if (b != s)
		memmove(s, b, strlen(b) + 1);
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Length of the valid UTF-8 sequence at s[0..n) (n > 0), 0 if there is none. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t k;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0) {
		k = 1;
		cp = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		k = 2;
		cp = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		k = 3;
		cp = c & 0x07;
	} else
		return 0;
	for (size_t j = 1; j <= k; j++) {
		if (j >= n || (s[j] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[j] & 0x3F);
	}
	if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return k + 1;
}

bool
kt_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0, k; i < n; i += k)
		if (!(k = utf8_len(p + i, n - i)))
			return false;
	return true;
}

/* Windows-1252's 0x80..0x9F (0: not defined); 0xA0..0xFF are U+00A0..U+00FF */
static const uint16_t cp1252_80[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static unsigned
cp1252_cp(unsigned char c)
{
	return c < 0x80 ? c : c < 0xA0 ? cp1252_80[c - 0x80] : c;
}

int
kt_cp1252_to_utf8(const char *data, size_t len, char **ret, size_t *ret_len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t out_len = 0;
	bool high = false;
	char *out, *o;

	*ret = NULL;
	*ret_len = 0;
	for (size_t i = 0, k; i < len; i += k) {
		k = utf8_len(p + i, len - i);
		if (k > 1)
			return 0; /* UTF-8 (or a mix): not ours to guess */
		if (!k) {
			if (!cp1252_cp(p[i]))
				return 0; /* not defined there (NUL never gets here: utf8_len takes it) */
			high = true;
			k = 1;
		}
	}
	if (!high)
		return 0; /* valid UTF-8 (ASCII) as it is */
	for (size_t i = 0; i < len; i++) {
		unsigned cp = cp1252_cp(p[i]);
		out_len += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
	}
	out = malloc(out_len + 1);
	if (!out)
		return -ENOMEM;
	o = out;
	for (size_t i = 0; i < len; i++) {
		unsigned cp = cp1252_cp(p[i]);
		if (cp < 0x80) {
			*o++ = (char)cp;
		} else if (cp < 0x800) {
			*o++ = (char)(0xC0 | cp >> 6);
			*o++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*o++ = (char)(0xE0 | cp >> 12);
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
		}
	}
	*o = '\0';
	*ret = out;
	*ret_len = out_len;
	return 1;
}

/* Bytes of s[i..n) taken as one unit by kt_escape (*ret_w: its width). */
static size_t
escape_unit(const unsigned char *p, size_t n, size_t i, size_t *ret_w)
{
	size_t k = p[i] >= 0x20 && p[i] != 0x7f ? utf8_len(p + i, n - i) : 0;

	if (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
		k = 0; /* U+0080..U+009F: C1 control characters */
	*ret_w = k ? k : 4;
	return k ? k : 1;
}

char *
kt_escape(char *buf, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), o = 0, total = 0, w;

	if (size == 0)
		return buf;
	for (size_t i = 0; i < n; i += escape_unit(p, n, i, &w), total += w)
		;
	/* all of it if it fits, else as much as fits with "..." */
	for (size_t i = 0, k; i < n; i += k) {
		k = escape_unit(p, n, i, &w);
		if (o + w + (total < size ? 0 : 3) >= size) {
			memcpy(buf + o, "...", o + 3 < size ? 3 : 0);
			o += o + 3 < size ? 3 : 0;
			break;
		}
		if (w == k)
			memcpy(buf + o, p + i, k);
		else
			snprintf(buf + o, size - o, "\\x%02x", p[i]);
		o += w;
	}
	buf[o] = '\0';
	return buf;
}

bool
kt_looks_binary(const char *data, size_t len)
{
	size_t ctrl = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		if (c == 0)
			return true;
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7f)
			ctrl++;
	}
	/* a few stray control bytes in a text file are their lines' problem */
	return ctrl >= 8 && ctrl * 32 >= len;
}

bool
kt_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
kt_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int64_t
kt_utc_to_unix(int year, int mon, int day, int hour, int min, int sec)
{
	/* Howard Hinnant's days_from_civil */
	int64_t y = year - (mon <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + hour * 3600 + min * 60 + sec;
}

char *
kt_fmt_utc(char *buf, size_t size, int64_t t_us, int decimals)
{
	int64_t s = t_us >= 0 ? t_us / 1000000 : -((-t_us + 999999) / 1000000);
	int64_t us = t_us - s * 1000000;
	int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
	int64_t sod = s - days * 86400;
	/* civil_from_days */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp + (mp < 10 ? 3 : -9);
	y += (m <= 2);
	int n = snprintf(buf, size, "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64 ":%02" PRId64,
			 y, m, d, sod / 3600, (sod / 60) % 60, sod % 60);
	if (decimals > 0 && n > 0 && (size_t)n < size) {
		if (decimals > 6)
			decimals = 6;
		int64_t frac = us;
		for (int i = 6; i > decimals; i--)
			frac /= 10;
		n += snprintf(buf + n, size - (size_t)n, ".%0*" PRId64, decimals, frac);
	}
	if (n > 0 && (size_t)n + 1 < size) {
		buf[n] = 'Z';
		buf[n + 1] = '\0';
	}
	return buf;
}

const char *
kt_strerror_de(int errnum)
{
	switch (errnum) {
	case ENOENT: return "Datei oder Ordner nicht gefunden";
	case EACCES:
	case EPERM: return "keine Berechtigung";
	case ENOSPC: return "kein Speicherplatz mehr frei";
	case EDQUOT: return "Speicherkontingent (Quota) erschöpft";
	case EROFS: return "Datenträger ist schreibgeschützt";
	case EIO: return "Lese- oder Schreibfehler des Datenträgers";
	case EISDIR: return "ist ein Ordner";
	case ENOTDIR: return "ein Teil des Pfads ist kein Ordner";
	case ENOMEM: return "nicht genug Arbeitsspeicher";
	case ENAMETOOLONG: return "Name zu lang";
	case EMFILE:
	case ENFILE: return "zu viele offene Dateien";
	case EEXIST: return "existiert schon";
	case EFBIG: return "Datei zu groß";
	default: return strerror(errnum);
	}
}
