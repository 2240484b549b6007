/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The speed filter's building blocks, on a uniform grid (doc/filter.md):
 * a Hampel identifier against multipath spikes, then quadratic
 * Savitzky-Golay smoothing (zero phase, reproduces constant speeds and
 * ramps exactly, flattens peaks far less than a moving average of the same
 * noise reduction) and a local-fit derivative for dv/dt.
 */
#include <errno.h>
#include <math.h>

#include "kt-core-private.h"

#define HAMPEL_MAX_HALF 50

static void
sort_small(double *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		double x = a[i];
		size_t j = i;

		while (j > 0 && a[j - 1] > x) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

/* a[i] <= a[j] afterwards; minsd/maxsd, no branch */
static inline void
cmp_swap(double *a, int i, int j)
{
	double x = a[i], y = a[j];

	double lo = x < y ? x : y, hi = y < x ? x : y; /* the shapes gcc and clang make minsd/maxsd of */

	a[i] = lo;
	a[j] = hi;
}

/*
 * Median of a[0..n), which ends up sorted. The Hampel and running-median
 * windows are nearly always 5 or 3 long: those go through a branch-free
 * sorting network instead of the insertion sort, whose branches the CPU
 * cannot predict on noisy data. Both give the same array bit for bit as long as
 * no two elements compare equal with different bits and none is NaN: a
 * zero (+0 == -0) or a NaN takes the insertion sort, as before.
 */
static double
median_small(double *a, size_t n)
{
	if (n == 3 && (a[0] != 0) & (a[1] != 0) & (a[2] != 0) & (a[0] == a[0]) & (a[1] == a[1]) & (a[2] == a[2])) {
		cmp_swap(a, 0, 1);
		cmp_swap(a, 1, 2);
		cmp_swap(a, 0, 1);
		return a[1];
	}
	if (n == 5 && (a[0] != 0) & (a[1] != 0) & (a[2] != 0) & (a[3] != 0) & (a[4] != 0) &
		      (a[0] == a[0]) & (a[1] == a[1]) & (a[2] == a[2]) & (a[3] == a[3]) & (a[4] == a[4])) {
		/* optimal 9-comparator network for 5 (Knuth, TAOCP 5.3.4) */
		cmp_swap(a, 0, 1);
		cmp_swap(a, 3, 4);
		cmp_swap(a, 2, 4);
		cmp_swap(a, 2, 3);
		cmp_swap(a, 0, 3);
		cmp_swap(a, 0, 2);
		cmp_swap(a, 1, 4);
		cmp_swap(a, 1, 3);
		cmp_swap(a, 1, 2);
		return a[2];
	}
	sort_small(a, n);
	return n % 2 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
}

void
kt_median(const double *in, double *out, size_t n, unsigned half)
{
	double w[2 * HAMPEL_MAX_HALF + 1];

	if (half > HAMPEL_MAX_HALF)
		half = HAMPEL_MAX_HALF;
	for (size_t i = 0; i < n; i++) {
		size_t m = half, k = 0;

		if (m > i)
			m = i;
		if (m > n - 1 - i)
			m = n - 1 - i;
		for (size_t j = i - m; j <= i + m; j++)
			w[k++] = in[j];
		out[i] = median_small(w, k);
	}
}

/*
 * A receiver's speed is the length of its velocity, noise and all: at rest
 * each axis's noise of sigma gives a speed of sigma sqrt(pi/2) on average
 * (Rayleigh), 0.08 m/s for the simulator's realistic receiver, about 280 m
 * an hour of standing, which no smoothing of the speed removes. Where the
 * Hampel output over the window averages at most thr (the caller's
 * multiple of that mean), the player stands: the speed is 0. Only speeds
 * already below 2 thr are looked at, so a moving player costs one compare.
 */
void
kt_rest_zero(const double *vh, double *v, size_t n, unsigned half, double thr)
{
	if (half == 0 || !(thr > 0))
		return;
	for (size_t i = 0; i < n; i++) {
		size_t m = half;
		double sum = 0;

		if (!(v[i] < 2.0 * thr))
			continue;
		if (m > i)
			m = i;
		if (m > n - 1 - i)
			m = n - 1 - i;
		for (size_t j = i - m; j <= i + m; j++)
			sum += vh[j];
		if (sum <= thr * (double) (2 * m + 1))
			v[i] = 0.0;
	}
}

/*
 * A Hampel identifier that follows a trend: the reference for sample i is
 * the line through the median of the half-window before it (at its mean
 * position) and the median of the half-window after it, so a player's
 * acceleration is not mistaken for an outlier and does not inflate the
 * spread; the spread is the MAD of the window around that line. Near the
 * ends, where one side is empty, the plain window median serves.
 */
size_t
kt_hampel(const double *in, double *out, const double *sacc, size_t n, unsigned half, double k,
	  double floor_mps)
{
	double w[2 * HAMPEL_MAX_HALF + 1];
	size_t replaced = 0;

	if (half > HAMPEL_MAX_HALF)
		half = HAMPEL_MAX_HALF;
	for (size_t i = 0; i < n; i++) {
		size_t lo = i >= half ? i - half : 0, hi = i + half < n ? i + half : n - 1, m = 0;
		double ref, mad, thr, ml, mr, tl, tr;

		out[i] = in[i];
		if (half == 0 || hi - lo < 2)
			continue;
		if (lo < i && hi > i) {
			for (size_t j = lo; j < i; j++)
				w[m++] = in[j];
			ml = median_small(w, m);
			m = 0;
			for (size_t j = i + 1; j <= hi; j++)
				w[m++] = in[j];
			mr = median_small(w, m);
			tl = 0.5 * (double) (lo + i - 1);
			tr = 0.5 * (double) (i + 1 + hi);
			ref = ml + (mr - ml) * ((double) i - tl) / (tr - tl);
			/* within the floor: never an outlier, whatever the spread */
			if (fabs(in[i] - ref) <= floor_mps)
				continue;
			m = 0;
			for (size_t j = lo; j <= hi; j++)
				w[m++] = fabs(in[j] - (ml + (mr - ml) * ((double) j - tl) / (tr - tl)));
		} else {
			for (size_t j = lo; j <= hi; j++)
				w[m++] = in[j];
			ref = median_small(w, m);
			for (size_t j = 0; j < m; j++)
				w[j] = fabs(w[j] - ref);
		}
		mad = median_small(w, m);
		thr = k * 1.4826 * mad;
		if (sacc && isfinite(sacc[i]) && k * sacc[i] > thr)
			thr = k * sacc[i];
		if (floor_mps > thr)
			thr = floor_mps;
		if (fabs(in[i] - ref) > thr) {
			out[i] = ref > 0 ? ref : 0;
			replaced++;
		}
	}
	return replaced;
}

/*
 * Savitzky-Golay coefficients: the value (deriv 0) or slope (deriv 1) at
 * the centre of the least-squares polynomial of the given order through
 * the 2m+1 samples -m..m (unit step). Normal equations solved by
 * Gauss-Jordan; order < 2m+1 is the caller's business (checked here).
 */
int
kt_sg_coeffs(unsigned m, unsigned order, unsigned deriv, double *ret)
{
	double a[KT_SG_MAX_ORDER + 1][2 * (KT_SG_MAX_ORDER + 1)];
	unsigned n = order + 1;

	if (order > KT_SG_MAX_ORDER || order > 2 * m || deriv > order || deriv > 1)
		return -EINVAL;
	/* [A^T A | I] */
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++) {
			double sum = 0;

			for (int k = -(int) m; k <= (int) m; k++)
				sum += pow(k, i + j);
			a[i][j] = sum;
			a[i][n + j] = i == j ? 1.0 : 0.0;
		}
	for (unsigned c = 0; c < n; c++) {
		unsigned piv = c;

		for (unsigned r = c + 1; r < n; r++)
			if (fabs(a[r][c]) > fabs(a[piv][c]))
				piv = r;
		if (fabs(a[piv][c]) < 1e-300)
			return -EDOM;
		if (piv != c)
			for (unsigned j = 0; j < 2 * n; j++) {
				double x = a[c][j];
				a[c][j] = a[piv][j];
				a[piv][j] = x;
			}
		double d = a[c][c];
		for (unsigned j = 0; j < 2 * n; j++)
			a[c][j] /= d;
		for (unsigned r = 0; r < n; r++) {
			if (r == c || a[r][c] == 0.0)
				continue;
			double f = a[r][c];
			for (unsigned j = 0; j < 2 * n; j++)
				a[r][j] -= f * a[c][j];
		}
	}
	/* coefficient of sample k: row deriv of (A^T A)^-1 A^T */
	for (int k = -(int) m; k <= (int) m; k++) {
		double sum = 0;

		for (unsigned j = 0; j < n; j++)
			sum += a[deriv][n + j] * pow(k, j);
		ret[k + (int) m] = sum;
	}
	return 0;
}

int
kt_sg_init(struct kt_sg *sg, unsigned half, unsigned order, unsigned deriv)
{
	size_t off = 0;
	int r;

	if (half > KT_SG_MAX_HALF)
		half = KT_SG_MAX_HALF;
	sg->half = half;
	sg->deriv = deriv;
	for (unsigned m = 0; m <= half; m++) {
		/* near the ends the window shrinks, and so does the order */
		unsigned o = order < 2 * m ? order : 2 * m;

		if (deriv > o)
			o = deriv;
		sg->off[m] = off;
		if (2 * m + 1 <= o) {
			/* too few samples: one-sided handling in kt_sg_apply */
			sg->ok[m] = false;
		} else {
			r = kt_sg_coeffs(m, o, deriv, sg->c + off);
			if (r < 0)
				return r;
			sg->ok[m] = true;
		}
		off += 2 * m + 1;
	}
	return 0;
}

/* sample i of a Savitzky-Golay filter whose window is cut to half-width m */
static inline double
sg_point(const struct kt_sg *sg, const double *in, size_t n, size_t i, size_t m, double dt_s)
{
	if (!sg->ok[m]) {
		if (sg->deriv == 0)
			return in[i];
		if (n < 2)
			return 0.0;
		return i == 0 ? (in[1] - in[0]) / dt_s : (in[i] - in[i - 1]) / dt_s;
	}
	const double *c = sg->c + sg->off[m];
	double acc = 0;

	for (size_t j = 0; j < 2 * m + 1; j++)
		acc += c[j] * in[i - m + j];
	return sg->deriv ? acc / dt_s : acc;
}

static inline size_t
cut_half(size_t half, size_t i, size_t n)
{
	size_t m = half;

	if (m > i)
		m = i;
	if (m > n - 1 - i)
		m = n - 1 - i;
	return m;
}

void
kt_sg_apply(const struct kt_sg *sg, const double *in, double *out, size_t n, double dt_s)
{
	for (size_t i = 0; i < n; i++)
		out[i] = sg_point(sg, in, n, i, cut_half(sg->half, i, n), dt_s);
}

/* the half-widths the adaptive derivative tries, narrowest first */
static const unsigned ici_halves[] = { 1, 2, 3, 4, 6, 8, 12, 16, 24 };

int
kt_ici_init(struct kt_ici *ic, unsigned max_half, unsigned order)
{
	int r;

	ic->n = 0;
	for (size_t k = 0; k < sizeof(ici_halves) / sizeof(ici_halves[0]) && ic->n < KT_ICI_MAX; k++) {
		if (ici_halves[k] > max_half || ici_halves[k] > KT_SG_MAX_HALF)
			break;
		r = kt_sg_init(&ic->sg[ic->n++], ici_halves[k], order, 1);
		if (r < 0)
			return r;
	}
	if (ic->n == 0) {
		/* no window at all: the one-sided difference */
		r = kt_sg_init(&ic->sg[ic->n++], 0, order, 1);
		if (r < 0)
			return r;
	}
	/* noise gain of each window at each cut: the coefficients' norm */
	for (unsigned k = 0; k < ic->n; k++) {
		const struct kt_sg *sg = &ic->sg[k];

		for (unsigned m = 0; m <= sg->half; m++) {
			double g2 = 0;

			if (!sg->ok[m]) {
				g2 = 2.0;
			} else {
				for (unsigned j = 0; j < 2 * m + 1; j++)
					g2 += sg->c[sg->off[m] + j] * sg->c[sg->off[m] + j];
			}
			ic->gain[k][m] = sqrt(g2);
		}
	}
	return 0;
}

/*
 * A derivative window is antisymmetric, c[m + j] = -c[m - j], so each
 * estimate is sum_j c[m + j] (in[i + j] - in[i - j]): the differences are
 * formed once per sample for all windows, and the widest (17 samples)
 * costs 8 products instead of 17. Every window, cut or not, is computed so,
 * whether the caller passes a whole segment or a live tail of it.
 */
void
kt_ici_apply(const struct kt_ici *ic, const double *in, double *out, size_t n, double dt_s, double sigma,
	     double gamma)
{
	/* intervals in units of the sums below (a velocity step): one division
	 * per sample, for the estimate kept */
	double w = isfinite(sigma) && sigma > 0 && isfinite(gamma) && gamma > 0 ? gamma * sigma : 0.0;
	size_t hmax = ic->sg[ic->n - 1].half;
	double d[KT_SG_MAX_HALF + 1];

	for (size_t i = 0; i < n; i++) {
		size_t mmax = cut_half(hmax, i, n);
		double lo = -INFINITY, hi = INFINITY, best = 0.0;

		if (mmax == 0) {
			/* a segment's first or last sample: the one-sided difference */
			out[i] = sg_point(&ic->sg[0], in, n, i, 0, dt_s);
			continue;
		}
		for (size_t j = 1; j <= mmax; j++)
			d[j] = in[i + j] - in[i - j];
		for (unsigned k = 0; k < ic->n; k++) {
			const struct kt_sg *sg = &ic->sg[k];
			size_t m = sg->half < mmax ? sg->half : mmax;
			const double *c = sg->c + sg->off[m] + m;
			double acc = 0, half_ci = w * ic->gain[k][m];

			for (size_t j = 1; j <= m; j++)
				acc += c[j] * d[j];
			/* not fmax/fmin: those are calls, and no value here is NaN */
			lo = acc - half_ci > lo ? acc - half_ci : lo;
			hi = acc + half_ci < hi ? acc + half_ci : hi;
			if (lo > hi)
				break;
			best = acc;
			/* cut by the segment's end: wider windows are this one again */
			if (m < sg->half)
				break;
		}
		out[i] = best / dt_s;
	}
}
