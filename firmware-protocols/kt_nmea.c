/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 the kicktrack authors */
/*
 * NMEA 0183 field decoding by hand: digits are accumulated into an integer
 * mantissa and scaled once, so the decoder needs neither strtod nor the
 * locale, and keeps the receiver's full precision (a 64-bit mantissa holds
 * 18 digits; ddmm.mmmmmmm latitudes become degrees to better than 1e-9).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "kt_nmea.h"

#define KT_NAN (__builtin_nan(""))
#define KT_NMEA_DECODE_MAX 512   /* longest sentence accepted ("$" to checksum) */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* A field cursor over "a,b,c*hh": field() returns the next field's bounds. */
struct cur {
	const char *p, *end;   /* end points at the '*' before the checksum */
	const char *lim;       /* end of the readable bytes (after "*hh") */
	int done;
};

__attribute__((always_inline)) static inline int
field(struct cur *c, const char **ret_s, size_t *ret_n)
{
	const char *s = c->p, *q = s;
	if (c->done) {
		*ret_s = s;
		*ret_n = 0;
		return 0;       /* missing trailing field: empty */
	}
	/* Empty and one-character fields (status, hemisphere, unit letters,
	 * mode: most of the fields read here) by a look at two bytes. A ','
	 * lies before the '*' at end, so the field is not the last one. */
	if (s[0] == ',' || s[1] == ',') {
		q = s + (s[0] != ',');
		*ret_s = s;
		*ret_n = (size_t)(q - s);
		c->p = q + 1;
		return 1;
	}
	/* The next ',' eight bytes at a time (the cursor lies in the padded
	 * copy, so 8 bytes from any q < end are readable); the lowest zero
	 * byte of w ^ ",,,,,,,," is found exactly. */
	while (q < c->end) {
		uint64_t w, z;
		memcpy(&w, q, 8);
		w ^= ONES * ',';
		z = (w - ONES) & ~w & HIGHS;
		if (z) {
			q += __builtin_ctzll(z) / 8;
			break;
		}
		q += 8;
	}
	if (q > c->end)
		q = c->end;
	*ret_s = s;
	*ret_n = (size_t)(q - s);
	if (q >= c->end)
		c->done = 1;
	else
		c->p = q + 1;
	return 1;
}

static const double pow10_tab[19] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
};

static const uint64_t pow10u[19] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
	100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
	10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull, 1000000000000000000ull,
};

/*
 * The run of decimal digits (0..8) at the start of the 8 bytes in w (first
 * byte lowest). Eight digits are converted at once with three
 * multiplications (D. Lemire, "Quickly parsing eight digits"); the digits
 * are moved to the top of the word first so that a shorter run reads as
 * having leading zeros.
 */
__attribute__((always_inline)) static inline unsigned
digits8w(uint64_t w, uint64_t *ret)
{
	uint64_t t = w - ONES * '0', d, stop;
	unsigned n;

	/* First byte below '0' or above '9', i.e. with t >= 10 or wrapped
	 * (exact for the lowest one: borrows and carries only come from a
	 * byte that is not a digit itself). */
	stop = ((t + ONES * (128 - 10)) | t) & HIGHS;
	n = stop ? (unsigned)__builtin_ctzll(stop) / 8 : 8;
	if (n == 0) {
		*ret = 0;
		return 0;
	}
	d = t << (8 * (8 - n));
	d = d * 10 + (d >> 8);
	d = (((d & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x000F424000000064)) +
	     (((d >> 16) & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x0000271000000001))) >> 32;
	*ret = d;
	return n;
}

/*
 * digits8w() for runs that are mostly short, as the raw IMU values of
 * $PKTI are (at most 4 digits but for absurd readings): up to 4 digits
 * are combined in 32 bits (two pairs, then the pairs), with half the
 * multiplications and constants that fit in an instruction; longer runs
 * take digits8w(). Same count and value.
 */
__attribute__((always_inline)) static inline unsigned
digits4w(uint64_t w, uint64_t *ret)
{
	uint64_t t = w - ONES * '0', stop;
	uint32_t d;
	unsigned n;

	stop = ((t + ONES * (128 - 10)) | t) & HIGHS;
	n = stop ? (unsigned)__builtin_ctzll(stop) / 8 : 8;
	if (n > 4 || n == 0)
		return digits8w(w, ret);
	/* the n digits moved to the top of 32 bits, leading zeros below */
	d = (uint32_t)t << (8 * (4 - n));
	d = d * 10 + (d >> 8);      /* bytes 0 and 2: the two pairs */
	*ret = (d & 0xff) * 100 + ((d >> 16) & 0xff);
	return n;
}

/* The same for the digits at p, 8 bytes readable. */
__attribute__((always_inline)) static inline unsigned
digits8(const char *p, uint64_t *ret)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return digits8w(w, ret);
}

/* Up to 16 digits at p when 16 bytes are readable; returns the count. */
__attribute__((always_inline)) static inline unsigned
digits16(const char *p, uint64_t *ret)
{
	uint64_t a, b;
	unsigned n = digits8(p, &a), m;
	if (n < 8) {
		*ret = a;
		return n;
	}
	m = digits8(p + 8, &b);
	*ret = a * pow10u[m] + b;
	return 8 + m;
}

/* Decimal number "[-+]digits[.digits]" -> mantissa and number of fraction
 * digits. Empty -> 1 (unknown). Returns 0 ok, 1 empty, -1 malformed.
 * s must lie in a sentence padded as kt_nmea_decode() does. */
static int
parse_fixed(const char *s, size_t n, int64_t *ret_m, int *ret_frac, int *ret_neg)
{
	int64_t m = 0;
	int frac = -1, digits = 0, neg = 0;
	size_t i = 0;

	if (n == 0)
		return 1;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	/* Fast path (the sentence is zero-padded by kt_nmea_decode, so 33
	 * bytes from any field start are readable). */
	{
		uint64_t ip, fp = 0;
		unsigned ni = digits16(s + i, &ip), nf = 0;
		size_t k = i + ni;
		if (ni < 16 && k < n && s[k] == '.') {
			nf = digits16(s + k + 1, &fp);
			k += 1 + nf;
		}
		if (k == n && ni + nf > 0 && ni + nf <= 18 && nf < 16) {
			*ret_m = (int64_t)(ip * pow10u[nf] + fp);
			*ret_frac = (int)nf;
			*ret_neg = neg;
			return 0;
		}
	}
	for (; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (d <= 9) {
			if (digits >= 18) {
				/* Extra fraction digits beyond 18 are dropped. */
				if (frac < 0)
					return -1;
				continue;
			}
			m = m * 10 + d;
			digits++;
			if (frac >= 0)
				frac++;
		} else if (s[i] == '.' && frac < 0) {
			frac = 0;
		} else
			return -1;
	}
	if (digits == 0)
		return -1;
	*ret_m = m;
	*ret_frac = frac < 0 ? 0 : frac;
	*ret_neg = neg;
	return 0;
}

/* Field as double; empty -> NaN. */
static int
parse_double(const char *s, size_t n, double *ret)
{
	int64_t m;
	int frac, neg, r;
	double v;

	r = parse_fixed(s, n, &m, &frac, &neg);
	if (r < 0)
		return -EBADMSG;
	if (r > 0) {
		*ret = KT_NAN;
		return 0;
	}
	v = frac ? (double)m / pow10_tab[frac] : (double)m;
	*ret = neg ? -v : v;
	return 0;
}

/* Unsigned integer field; empty -> -1. */
static int
parse_int(const char *s, size_t n, int64_t max, int64_t *ret)
{
	int64_t v = 0;
	if (n == 0) {
		*ret = -1;
		return 0;
	}
	if (n > 18)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (d > 9)
			return -EBADMSG;
		v = v * 10 + d;
	}
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* Cursor versions for the hot path: parse a number field while looking for
 * its end, in one pass. Return 0 ok, 1 empty, -EBADMSG malformed. */
__attribute__((always_inline)) static inline void
advance(struct cur *c, const char *q)
{
	if (q >= c->end)
		c->done = 1;
	else
		c->p = q + 1;
}

__attribute__((always_inline)) static inline int
take_fixed(struct cur *c, int64_t *ret_m, int *ret_frac, int *ret_neg)
{
	const char *p = c->p, *e = c->end, *start;
	int64_t m = 0;
	int frac = -1, digits = 0, neg = 0;

	if (c->done)
		return 1;
	start = p;
	if (p < e && (*p == '-' || *p == '+')) {
		neg = *p == '-';
		p++;
	}
	if (p + 32 <= c->lim) {
		/* Fastest path: the number and its end within one word, as
		 * most NMEA numbers ("0.97", "126.99", "55.1") are. The '.'
		 * is squeezed out of the word, so one digit conversion reads
		 * integer and fraction digits together; the top byte, shifted
		 * in as zero, stops the digits. Anything else (no digits, or
		 * an end not found in the word) takes the path below, which
		 * gives the same result for every number this one takes. */
		uint64_t w, t, stop, m8;
		unsigned i1, n, end_at;

		memcpy(&w, p, 8);
		t = w - ONES * '0';
		stop = ((t + ONES * (128 - 10)) | t) & HIGHS;
		i1 = stop ? (unsigned)__builtin_ctzll(stop) / 8 : 8;
		if (i1 < 8 && (uint8_t)(w >> (8 * i1)) == '.') {
			uint64_t keep = (UINT64_C(1) << (8 * i1)) - 1;
			w = (w & keep) | ((w >> 8) & ~keep);
			n = digits8w(w, &m8);
			end_at = n + 1;
		} else {
			n = digits8w(w, &m8);
			end_at = n;
		}
		if (n > 0 && n < 8 && (p[end_at] == ',' || p + end_at == e)) {
			advance(c, p + end_at);
			*ret_m = (int64_t)m8;
			*ret_frac = (int)(end_at - i1 - (end_at != n));
			*ret_neg = neg;
			return 0;
		}
	}
	if (p + 32 <= c->lim) {
		/* Fast path: integer digits, '.', fraction digits, 8 at a time. */
		uint64_t ip, fp = 0;
		unsigned ni = digits16(p, &ip), nf = 0;
		const char *q = p + ni;
		if (ni < 16) {
			if (*q == '.') {
				nf = digits16(q + 1, &fp);
				q += 1 + nf;
				if (nf == 16)
					goto slow;
			}
			if (ni + nf <= 18 && (*q == ',' || q == e)) {
				advance(c, q);
				if (ni + nf == 0)
					return q == start ? 1 : -EBADMSG;
				*ret_m = (int64_t)(ip * pow10u[nf] + fp);
				*ret_frac = (int)nf;
				*ret_neg = neg;
				return 0;
			}
		}
	}
slow:
	for (; p < e; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (d <= 9) {
			if (digits < 18) {
				m = m * 10 + d;
				digits++;
				if (frac >= 0)
					frac++;
			} else if (frac < 0)
				return -EBADMSG;
		} else if (*p == '.' && frac < 0)
			frac = 0;
		else
			break;
	}
	if (p < e && *p != ',')
		return -EBADMSG;
	advance(c, p);
	if (digits == 0)
		return p == start ? 1 : -EBADMSG;   /* empty, or just a sign or '.' */
	*ret_m = m;
	*ret_frac = frac < 0 ? 0 : frac;
	*ret_neg = neg;
	return 0;
}

__attribute__((always_inline)) static inline int
take_double(struct cur *c, double *ret)
{
	int64_t m = 0;
	int frac = 0, neg = 0, r = take_fixed(c, &m, &frac, &neg);
	double v;
	if (r < 0)
		return r;
	if (r > 0) {
		*ret = KT_NAN;
		return 0;
	}
	v = frac ? (double)m / pow10_tab[frac] : (double)m;
	*ret = neg ? -v : v;
	return 0;
}

/* Integer field without fraction, in [min, max]; empty -> -1 if allowed. */
__attribute__((always_inline)) static inline int
take_int(struct cur *c, int64_t min, int64_t max, bool empty_ok, int64_t *ret)
{
	const char *p = c->p, *e = c->end, *start;
	int64_t v = 0;
	int neg = 0;

	if (c->done) {
		if (!empty_ok)
			return -EBADMSG;
		*ret = -1;
		return 0;
	}
	if (p < e && *p == '-' && min < 0) {
		neg = 1;
		p++;
	}
	start = p;
	if (p + 16 <= c->lim) {
		uint64_t u;
		unsigned n = digits16(p, &u);
		p += n > 18 ? 18 : n;
		v = (int64_t)u;     /* at most 16 digits */
	} else {
		for (; p < e && p - start < 18; p++) {
			unsigned d = (unsigned)(*p - '0');
			if (d > 9)
				break;
			v = v * 10 + d;
		}
	}
	if (p < e && *p != ',')
		return -EBADMSG;
	advance(c, p);
	if (p == start) {
		if (neg || !empty_ok)
			return -EBADMSG;
		*ret = -1;
		return 0;
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static int
two(const char *s)
{
	unsigned a = (unsigned)(s[0] - '0'), b = (unsigned)(s[1] - '0');
	if (a > 9 || b > 9)
		return -1;
	return (int)(a * 10 + b);
}

/* hhmmss[.s...] */
static int
parse_time(const char *s, size_t n, struct kt_nmea_time *t)
{
	int h, m, sec;
	int32_t us = 0;

	if (n == 0) {
		t->hour = t->min = t->sec = -1;
		t->usec = -1;
		return 0;
	}
	if (n < 6)
		return -EBADMSG;
	if (n <= 13) {
		/* Fast path, "hhmmss" and up to 6 fraction digits, 8 bytes at a
		 * time (s lies in the padded copy): the six digits as three
		 * pairs in one word, the fraction as one number scaled to
		 * microseconds, which is what the digit loop below adds up. */
		uint64_t w, tt, stop, d, f = 0;
		unsigned nf = 0;

		memcpy(&w, s, 8);
		tt = w - ONES * '0';
		stop = ((tt + ONES * (128 - 10)) | tt) & HIGHS;
		if (stop && __builtin_ctzll(stop) / 8 == 6 && (n == 6 || s[6] == '.')) {
			if (n > 7)
				nf = digits8(s + 7, &f);
			if (n == 6 || nf == n - 7) {
				d = tt * 10 + (tt >> 8);    /* bytes 0, 2, 4: hh, mm, ss */
				h = (int)(d & 0xff);
				m = (int)((d >> 16) & 0xff);
				sec = (int)((d >> 32) & 0xff);
				if (h > 23 || m > 59 || sec > 60)
					return -ERANGE;
				t->hour = h;
				t->min = m;
				t->sec = sec;
				t->usec = (int32_t)(f * pow10u[6 - nf]);
				return 0;
			}
		}
	}
	h = two(s);
	m = two(s + 2);
	sec = two(s + 4);
	if (h < 0 || m < 0 || sec < 0)
		return -EBADMSG;
	if (n > 6) {
		int32_t scale = 100000;
		if (s[6] != '.')
			return -EBADMSG;
		for (size_t i = 7; i < n; i++) {
			unsigned d = (unsigned)(s[i] - '0');
			if (d > 9)
				return -EBADMSG;
			us += (int32_t)d * scale;
			scale /= 10;
		}
	}
	if (h > 23 || m > 59 || sec > 60)
		return -ERANGE;
	t->hour = h;
	t->min = m;
	t->sec = sec;
	t->usec = us;
	return 0;
}

/* ddmmyy */
static int
parse_date(const char *s, size_t n, struct kt_nmea_date *d)
{
	int dd, mm, yy;
	if (n == 0) {
		d->year = d->mon = d->day = -1;
		return 0;
	}
	if (n != 6)
		return -EBADMSG;
	dd = two(s);
	mm = two(s + 2);
	yy = two(s + 4);
	if (dd < 0 || mm < 0 || yy < 0)
		return -EBADMSG;
	if (dd < 1 || dd > 31 || mm < 1 || mm > 12)
		return -ERANGE;
	/* Two-digit years: 80..99 are 1980..1999 (GPS began in 1980). */
	d->year = yy >= 80 ? 1900 + yy : 2000 + yy;
	d->mon = mm;
	d->day = dd;
	return 0;
}

/* Degrees from whole degrees, the minutes in units of 10^-frac minutes and
 * the hemisphere letter, with parse_coord()'s checks. */
static int
coord_value(int64_t deg, int64_t m, int frac, char h, int is_lat, double *ret)
{
	int64_t scale = (int64_t)pow10_tab[frac] * 100;      /* units of one degree */
	double v;

	if (m >= 60 * (scale / 100))
		return -ERANGE;
	v = (double)deg + (double)m / ((double)scale * 0.6);
	if (h == 'S' || h == 'W')
		v = -v;
	else if (!(h == 'N' && is_lat) && !(h == 'E' && !is_lat))
		return -EBADMSG;
	if (v > (is_lat ? 90.0 : 180.0) || v < (is_lat ? -90.0 : -180.0))
		return -ERANGE;
	*ret = v;
	return 0;
}

/* (d)ddmm.mmmm + hemisphere -> degrees. deg_digits 2 for lat, 3 for lon. */
static int
parse_coord(const char *s, size_t n, const char *h, size_t hn, int is_lat, double *ret)
{
	int64_t m, deg, scale;
	int frac, neg, r;

	if (n == 0 || hn == 0) {
		*ret = KT_NAN;
		return 0;
	}
	r = parse_fixed(s, n, &m, &frac, &neg);
	if (r != 0 || neg)
		return -EBADMSG;
	if (hn != 1)
		return -EBADMSG;
	/* Beyond 12 decimals of minutes (2e-10 deg) digits carry nothing, and
	 * the scale below must fit in 64 bits. */
	while (frac > 12) {
		m /= 10;
		frac--;
	}
	scale = (int64_t)pow10_tab[frac] * 100;      /* units of one degree */
	deg = m / scale;
	/* minutes part, in units of 10^-frac minutes */
	m -= deg * scale;
	return coord_value(deg, m, frac, h[0], is_lat, ret);
}

/*
 * The coordinate and hemisphere fields at the cursor. The usual
 * "ddmm.mmmmm,N" (up to 7 digits on either side of the '.') is read in
 * place, two words, with the whole degrees and the minutes split off the
 * integer digits (ip / 100, ip % 100: a division by a constant) instead of
 * the division of the whole mantissa; the same numbers, so the same
 * result. Anything else goes through field() and parse_coord().
 */
__attribute__((always_inline)) static inline int
take_coord(struct cur *c, int is_lat, double *ret)
{
	const char *p = c->p, *ls, *hs;
	size_t ln, hn;

	if (!c->done && p + 32 <= c->lim) {
		uint64_t ip, fp;
		unsigned ni = digits8(p, &ip), nf;

		if (ni > 0 && ni < 8 && p[ni] == '.') {
			const char *q = p + ni + 1, *h;
			nf = digits8(q, &fp);
			h = q + nf + 1;     /* the hemisphere field */
			if (nf > 0 && nf < 8 && q[nf] == ',' && h < c->end && h[0] != ',' &&
			    (h[1] == ',' || h + 1 == c->end)) {
				advance(c, h + 1);
				return coord_value((int64_t)(ip / 100),
						   (int64_t)((ip % 100) * pow10u[nf] + fp), (int)nf, h[0],
						   is_lat, ret);
			}
		}
	}
	field(c, &ls, &ln);
	field(c, &hs, &hn);
	return parse_coord(ls, ln, hs, hn, is_lat, ret);
}

static int
parse_char(const char *s, size_t n, char *ret)
{
	if (n == 0) {
		*ret = 0;
		return 0;
	}
	if (n != 1 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return -EBADMSG;
	*ret = s[0];
	return 0;
}

#define F(c) field(c, &fs, &fn)
#define TRY(x)                       \
	do {                         \
		int _r = (x);        \
		if (_r < 0)          \
			return _r;   \
	} while (0)

static int
decode_rmc(struct cur cur, struct kt_nmea_rmc *o)
{
	struct cur *c = &cur;
	const char *fs;
	size_t fn;
	double mv;

	F(c); TRY(parse_time(fs, fn, &o->time));
	F(c); TRY(parse_char(fs, fn, &o->status));
	TRY(take_coord(c, 1, &o->lat_deg));
	TRY(take_coord(c, 0, &o->lon_deg));
	TRY(take_double(c, &o->speed_knots));
	TRY(take_double(c, &o->course_deg));
	F(c); TRY(parse_date(fs, fn, &o->date));
	TRY(take_double(c, &mv));        /* magnetic variation: unused */
	F(c);                                         /* its E/W */
	F(c); TRY(parse_char(fs, fn, &o->mode));
	if (o->status && o->status != 'A' && o->status != 'V')
		return -EBADMSG;
	if (o->speed_knots < 0 || o->speed_knots > 1000 || o->course_deg < 0 || o->course_deg > 360)
		return -ERANGE;
	return 0;
}

static int
decode_gga(struct cur cur, struct kt_nmea_gga *o)
{
	struct cur *c = &cur;
	const char *fs;
	size_t fn;
	int64_t v;

	F(c); TRY(parse_time(fs, fn, &o->time));
	TRY(take_coord(c, 1, &o->lat_deg));
	TRY(take_coord(c, 0, &o->lon_deg));
	TRY(take_int(c, 0, 9, true, &v));
	o->quality = (int)v;
	TRY(take_int(c, 0, 999, true, &v));
	o->num_sv = (int)v;
	TRY(take_double(c, &o->hdop));
	TRY(take_double(c, &o->alt_m));
	if (o->hdop < 0 || o->hdop > 100)
		return -ERANGE;
	return 0;
}

static int
decode_vtg(struct cur cur, struct kt_nmea_vtg *o)
{
	struct cur *c = &cur;
	const char *fs;
	size_t fn;
	double mag;

	/* Modern: course,T,mag,M,knots,N,kmh,K[,mode]; old (NMEA 2.0-): course,mag,knots,kmh */
	TRY(take_double(c, &o->course_true_deg));
	F(c);
	if (fn == 1 && fs[0] == 'T') {
		TRY(take_double(c, &mag));
		F(c);
		TRY(take_double(c, &o->speed_knots));
		F(c);
		TRY(take_double(c, &o->speed_kmh));
		F(c);
		F(c); TRY(parse_char(fs, fn, &o->mode));
	} else {
		TRY(parse_double(fs, fn, &mag));
		TRY(take_double(c, &o->speed_knots));
		TRY(take_double(c, &o->speed_kmh));
		o->mode = 0;
	}
	if (o->speed_knots < 0 || o->speed_kmh < 0 || o->course_true_deg < 0 || o->course_true_deg > 360)
		return -ERANGE;
	return 0;
}

static int
decode_gst(struct cur cur, struct kt_nmea_gst *o)
{
	struct cur *c = &cur;
	const char *fs;
	size_t fn;

	F(c); TRY(parse_time(fs, fn, &o->time));
	TRY(take_double(c, &o->rms));
	TRY(take_double(c, &o->smaj_m));
	TRY(take_double(c, &o->smin_m));
	TRY(take_double(c, &o->orient_deg));
	TRY(take_double(c, &o->lat_err_m));
	TRY(take_double(c, &o->lon_err_m));
	TRY(take_double(c, &o->alt_err_m));
	if (o->lat_err_m < 0 || o->lon_err_m < 0)
		return -ERANGE;
	return 0;
}

static int
decode_gsa(struct cur cur, struct kt_nmea_gsa *o)
{
	struct cur *c = &cur;
	const char *fs;
	size_t fn;
	int64_t v;

	F(c); TRY(parse_char(fs, fn, &o->sel_mode));
	TRY(take_int(c, 0, 3, true, &v));
	o->fix_mode = (int)v;
	o->n_sats = 0;
	for (int i = 0; i < 12; i++) {
		F(c);
		if (fn > 0)
			o->n_sats++;
	}
	TRY(take_double(c, &o->pdop));
	TRY(take_double(c, &o->hdop));
	TRY(take_double(c, &o->vdop));
	return 0;
}

static int
decode_pkth(struct cur cur, struct kt_nmea_pkth *o)
{
	struct cur *c = &cur;
	const char *fs;
	size_t fn;
	int64_t maj, min, start;
	const char *dot;

	F(c);
	if (fn == 0 || fn > 8)
		return -EBADMSG;
	for (size_t i = 0; i < fn; i++)
		if (fs[i] <= ' ' || fs[i] > '~' || fs[i] == '*' || fs[i] == '$' || fs[i] == '!')
			return -EBADMSG;
	memcpy(o->vest_id, fs, fn);
	o->vest_id[fn] = 0;
	F(c);
	dot = memchr(fs, '.', fn);
	if (!dot)
		return -EBADMSG;
	TRY(parse_int(fs, (size_t)(dot - fs), 255, &maj));
	TRY(parse_int(dot + 1, fn - (size_t)(dot - fs) - 1, 255, &min));
	if (maj < 0 || min < 0)
		return -EBADMSG;
	o->firmware = (uint16_t)(maj << 8 | min);
	F(c); TRY(parse_int(fs, fn, UINT32_MAX, &start));
	if (start < 0)
		return -EBADMSG;
	o->start_unix = (uint32_t)start;
	return 0;
}

/*
 * 8 bytes from p as one word, bytes at or after lim read as zero (what the
 * zero-padded copy holds there). base..lim must be readable and p < lim. When
 * the word would cross lim, the 8 bytes ending at lim are loaded and shifted
 * down, so no byte outside the sentence is ever touched.
 */
__attribute__((always_inline)) static inline uint64_t
load8(const char *p, const char *base, const char *lim)
{
	uint64_t w = 0;
	if (lim - p >= 8)
		memcpy(&w, p, 8);
	else if (lim - base >= 8) {
		memcpy(&w, lim - 8, 8);
		w >>= 8 * (8 - (lim - p));
	} else {
		for (unsigned i = 0; p + i < lim; i++)
			w |= (uint64_t)(uint8_t)p[i] << (8 * i);
	}
	return w;
}

/*
 * One "[-]digits" value of $PKTI and its terminator (',' or, for the last,
 * the '*'). The sign is taken off the loaded word rather than loaded again:
 * a run of 8 digits then reads as 7 followed by a digit, which fails the
 * terminator check with the same -EBADMSG as the 8 digits would.
 */
__attribute__((always_inline)) static inline int
pkti_value(const char **pp, const char *base, const char *lim, int last, const char *end,
	   int16_t *ret)
{
	const char *p = *pp;
	uint64_t w = load8(p, base, lim), v;
	unsigned neg = (uint8_t)w == '-', n;

	w >>= 8 * neg;
	p += neg;
	n = digits4w(w, &v);
	if (n == 0 || n == 8)
		return -EBADMSG;
	p += n;
	if (last ? p != end : *p != ',')
		return -EBADMSG;
	if (v > 32767u + neg)
		return -ERANGE;
	*ret = (int16_t)(neg ? -(int32_t)v : (int32_t)v);
	*pp = p + 1;
	return 0;
}

/*
 * The vest's IMU sentence is most of an NMEA vest's log: a dedicated loop
 * that reads the sentence in place (no padded copy): s[0..len) is
 * "$PKTI,...*hh", so every run of digits ends at the '*' at the latest and
 * load8() never reads past s + len. Same checks, in the same order, as the
 * field cursor would make.
 */
static int
decode_pkti(const char *s, size_t len, struct kt_nmea_sentence *ret)
{
	const char *p = s + 6, *end = s + len - 3, *lim = s + len;
	uint64_t v;
	uint32_t itow;
	unsigned n;
	int16_t val[6];

	n = digits8w(load8(p, s, lim), &v);
	if (n == 8) {
		/* A ninth digit (p[8] and p[9] lie before the '*' when read). */
		unsigned d = (unsigned)(p[8] - '0');
		if (d <= 9) {
			if ((unsigned)(p[9] - '0') <= 9)
				return -EBADMSG;    /* ten digits or more */
			v = v * 10 + d;
			n = 9;
		}
	}
	if (n == 0 || p[n] != ',')
		return -EBADMSG;
	if (v >= 604800000u)
		return -ERANGE;
	itow = (uint32_t)v;
	p += n + 1;
	TRY(pkti_value(&p, s, lim, 0, end, &val[0]));
	TRY(pkti_value(&p, s, lim, 0, end, &val[1]));
	TRY(pkti_value(&p, s, lim, 0, end, &val[2]));
	TRY(pkti_value(&p, s, lim, 0, end, &val[3]));
	TRY(pkti_value(&p, s, lim, 0, end, &val[4]));
	TRY(pkti_value(&p, s, lim, 1, end, &val[5]));
	ret->type = KT_NMEA_PKTI;
	ret->talker[0] = 'P';
	ret->talker[1] = 0;
	ret->talker[2] = 0;
	ret->u.pkti.itow_ms = itow;
	for (int k = 0; k < 3; k++) {
		ret->u.pkti.acc[k] = val[k];
		ret->u.pkti.gyr[k] = val[3 + k];
	}
	return 0;
}

/* "PKTI" as the 32-bit word memcpy() reads from s + 1, in either byte order. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static const uint32_t pkti_tag = (uint32_t)'P' << 24 | (uint32_t)'K' << 16 | (uint32_t)'T' << 8 | 'I';
#else
static const uint32_t pkti_tag = (uint32_t)'I' << 24 | (uint32_t)'T' << 16 | (uint32_t)'K' << 8 | 'P';
#endif

static int decode_general(const char *s, size_t len, struct kt_nmea_sentence *ret);

int
kt_nmea_decode(const char *s, size_t len, struct kt_nmea_sentence *ret)
{
	uint32_t t;

	if (len < 7 || (s[0] != '$' && s[0] != '!'))
		return -EBADMSG;
	/* The framer only hands out "...*hh"; anything else is malformed. */
	if (len > KT_NMEA_DECODE_MAX || s[len - 3] != '*')
		return -EBADMSG;
	/* $PKTI (most of a vest log): one 32-bit compare, decoded in place,
	 * without the stack frame of the general decoder */
	memcpy(&t, s + 1, 4);
	if (t == pkti_tag && s[5] == ',')
		return decode_pkti(s, len, ret);
	return decode_general(s, len, ret);
}

/* Any other sentence; s[0..len) passed kt_nmea_decode()'s first checks. */
static __attribute__((noinline)) int
decode_general(const char *s, size_t len, struct kt_nmea_sentence *ret)
{
	char padded[KT_NMEA_DECODE_MAX + 32];
	struct kt_nmea_sentence o;
	struct cur c;
	const char *star;
	int r;

	/* Work on a zero-padded copy, so that numbers can be read 8 bytes at a
	 * time up to the end of the sentence. */
	memcpy(padded, s, len);
	memset(padded + len, 0, 32);
	s = padded;
	star = s + len - 3;
	c.end = star;
	c.lim = s + len + 32;
	c.done = 0;

	/* Address field: talker (2 chars) + type (3), or P + maker + type. */
	if (s[1] == 'P' && s[2] == 'K' && s[3] == 'T' && s[4] == 'H' && s[5] == ',') {
		o.talker[0] = 'P';
		o.talker[1] = 0;
		o.talker[2] = 0;
		c.p = s + 6;
		o.type = KT_NMEA_PKTH;
		r = decode_pkth(c, &o.u.pkth);
	} else {
		const char *t = s + 3;
		if (s[1] == 'P' || s[6] != ',')
			return -ENOENT;
		o.talker[0] = s[1];
		o.talker[1] = s[2];
		o.talker[2] = 0;
		c.p = s + 7;
		if (t[0] == 'R' && t[1] == 'M' && t[2] == 'C') {
			o.type = KT_NMEA_RMC;
			r = decode_rmc(c, &o.u.rmc);
		} else if (t[0] == 'G' && t[1] == 'G' && t[2] == 'A') {
			o.type = KT_NMEA_GGA;
			r = decode_gga(c, &o.u.gga);
		} else if (t[0] == 'V' && t[1] == 'T' && t[2] == 'G') {
			o.type = KT_NMEA_VTG;
			r = decode_vtg(c, &o.u.vtg);
		} else if (t[0] == 'G' && t[1] == 'S' && t[2] == 'T') {
			o.type = KT_NMEA_GST;
			r = decode_gst(c, &o.u.gst);
		} else if (t[0] == 'G' && t[1] == 'S' && t[2] == 'A') {
			o.type = KT_NMEA_GSA;
			r = decode_gsa(c, &o.u.gsa);
		} else
			return -ENOENT;
	}
	if (r < 0)
		return r;
	*ret = o;
	return 0;
}
