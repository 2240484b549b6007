/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The speed filter's building blocks, on a uniform grid (doc/filter.md):
 * a Hampel identifier against multipath spikes, then quadratic
 * Savitzky-Golay smoothing (zero phase, reproduces constant speeds and
 * ramps exactly, flattens peaks far less than a moving average of the same
 * noise reduction) and a local-fit derivative for dv/dt.
 */
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

static double
median_small(double *a, size_t n)
{
	sort_small(a, n);
	return n % 2 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
}

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
		double med, mad, thr;

		out[i] = in[i];
		if (half == 0 || hi - lo < 2)
			continue;
		for (size_t j = lo; j <= hi; j++)
			w[m++] = in[j];
		med = median_small(w, m);
		for (size_t j = 0; j < m; j++)
			w[j] = fabs(w[j] - med);
		mad = median_small(w, m);
		thr = k * 1.4826 * mad;
		if (sacc && isfinite(sacc[i]) && k * sacc[i] > thr)
			thr = k * sacc[i];
		if (floor_mps > thr)
			thr = floor_mps;
		if (fabs(in[i] - med) > thr) {
			out[i] = med;
			replaced++;
		}
	}
	return replaced;
}

void
kt_sg_smooth(const double *in, double *out, size_t n, unsigned half)
{
	for (size_t i = 0; i < n; i++) {
		size_t m = half;

		if (m > i)
			m = i;
		if (m > n - 1 - i)
			m = n - 1 - i;
		if (m < 2) {
			out[i] = in[i];
			continue;
		}
		double md = (double) m;
		double den = (2 * md - 1) * (2 * md + 1) * (2 * md + 3);
		double base = 3 * md * md + 3 * md - 1;
		double acc = base * in[i];

		for (size_t j = 1; j <= m; j++) {
			double jd = (double) j;

			acc += (base - 5 * jd * jd) * (in[i - j] + in[i + j]);
		}
		out[i] = 3.0 * acc / den;
	}
}

void
kt_sg_deriv(const double *in, double *out, size_t n, unsigned half, double dt_s)
{
	if (n < 2) {
		for (size_t i = 0; i < n; i++)
			out[i] = 0.0;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t m = half;

		if (m > i)
			m = i;
		if (m > n - 1 - i)
			m = n - 1 - i;
		if (m == 0) {
			out[i] = i == 0 ? (in[1] - in[0]) / dt_s : (in[n - 1] - in[n - 2]) / dt_s;
			continue;
		}
		double md = (double) m, acc = 0;

		for (size_t j = 1; j <= m; j++)
			acc += (double) j * (in[i + j] - in[i - j]);
		out[i] = acc / (md * (md + 1) * (2 * md + 1) / 3.0) / dt_s;
	}
}
