/* SPDX-License-Identifier: EUPL-1.2 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

char *
kt_strip(char *s)
{
	char *e;
	while (isspace((unsigned char)*s))
		memmove(s, s + 1, strlen(s));
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
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
