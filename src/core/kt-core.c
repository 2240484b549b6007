/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Track assembly and metrics. Feeding stores the accepted epochs (checked
 * for plausibility on the way in) and sums PlayerLoad from the IMU stream;
 * a snapshot or the finish runs the whole pipeline of doc/filter.md over
 * what is stored:
 *
 *   epochs -> segments (split at gaps > gap_s) -> uniform 10 Hz grid
 *   (linear interpolation, bridges holes <= gap_s) -> Hampel -> quadratic
 *   Savitzky-Golay speed + local-fit dv/dt -> metrics.
 *
 * A snapshot does the same incrementally (see "incremental snapshot"
 * below), so after the last sample it agrees exactly with finish; a live
 * snapshot lags only in that its last half-window of samples is smoothed
 * with a shorter window.
 */
#include <errno.h>
#include <sys/types.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kt-core-private.h"
#include "util/kt-log.h"

#define GRID_US INT64_C(100000)
#define GRID_S 0.1
#define G_MPS2 9.81
#define IMU_MAX_SPAN_S INT64_C(86400)
#define JUMP_REANCHOR 30 /* consecutive jump rejects after which the anchor is wrong */

struct kt_epoch {
	int64_t t_us;
	double v, sacc, lat, lon, x, y;
	float hdop, pdop;
	int num_sv;
	bool pos_ok;
};

struct kt_segment {
	size_t g0, g1; /* grid indices, inclusive */
};

/* 4 doubles; each operation is the scalar one lane by lane (two SSE2
 * instructions on x86-64 without AVX), so the same bits as scalar code.
 * Aligned like malloc's memory (16), not 32. */
typedef double kt_v4d __attribute__((vector_size(32), aligned(16)));
typedef float kt_v4f __attribute__((vector_size(16), aligned(4)));
typedef int32_t kt_v4i __attribute__((vector_size(16)));
_Static_assert(offsetof(struct kt_imu_sample, acc_g) + sizeof(kt_v4f) <= sizeof(struct kt_imu_sample),
	       "16 bytes from acc_g[0] lie inside a sample");

/* { x, y, z, 0 } of a sample's acceleration as doubles, converted from the
 * floats in one go (the 16 bytes from acc_g[0] lie inside the sample; the
 * fourth is masked off). Built from three scalars, the compiler assembled
 * the vector on the stack and stalled on it for every sample. */
static inline void
acc_v4d(const struct kt_imu_sample *s, kt_v4d *ret) /* (a returned kt_v4d would be an ABI matter) */
{
	kt_v4f f;

	memcpy(&f, (const char *) s + offsetof(struct kt_imu_sample, acc_g), sizeof(f));
	f = (kt_v4f) ((kt_v4i) f & (kt_v4i) { -1, -1, -1, 0 });
	*ret = __builtin_convertvector(f, kt_v4d);
}

struct kt_track {
	struct kt_params p;
	bool has_pitch;
	struct kt_frame frame;

	struct kt_epoch *ep;
	size_t n_ep, cap_ep;
	uint64_t n_epochs;
	uint64_t rejected[_KT_QREJ_MAX];
	int64_t last_t_us;
	bool have_last;
	size_t anchor;        /* index of the last epoch with an accepted position */
	bool have_anchor;
	unsigned jump_run;
	bool have_jump_ref;   /* latitude (rad) near which the jump check takes cos() */
	double jump_lat0, jump_s0, jump_c0;

	/* PlayerLoad: streaming */
	bool imu_have_last;
	int64_t imu_last_t_us;
	float imu_last[3];
	float *pl_d2;         /* |delta acc|^2 of every consecutive pair, g^2 */
	size_t n_d2, cap_d2;
	size_t *pl_sec_first; /* per whole second from pl_sec0: first index into pl_d2 */
	size_t n_pl_sec, cap_pl_sec;
	double *pl_sec_hf;    /* per second: sum of |4th difference|^2 (noise estimate) */
	uint32_t *pl_sec_nhf; /* per second: how many 4th differences */
	size_t cap_pl_hf, cap_pl_nhf;
	/* per second, over the same samples as pl_sec_hf: sum of each axis's
	 * acceleration and of its square (the IMU rest rule, imu_second_still()) */
	kt_v4d *pl_sec_m1, *pl_sec_m2;
	size_t cap_pl_m1, cap_pl_m2;
	/* the last 6 samples as doubles (x, y, z, 0), twice over: imu_hist[j]
	 * and imu_hist[j + 6] are the same sample, so imu_hist[imu_pos ..
	 * imu_pos + 5] are the last 6 oldest first, without shifting */
	kt_v4d imu_hist[12];
	unsigned imu_pos;
	unsigned imu_chain;   /* consecutive samples without a hole */
	int64_t pl_sec0;
	bool have_pl_sec0;
	/* the second of the last counted sample: [pl_cur_lo_us, pl_cur_lo_us + 1 s)
	 * maps to pl_cur_i without a 64-bit division per sample */
	bool have_pl_cur;
	int64_t pl_cur_lo_us;
	size_t pl_cur_i;

	/* grid scratch, reused between snapshots */
	size_t cap_g;
	int64_t *g_tus;
	double *g_vraw, *g_sacc, *g_vh, *g_v, *g_a, *g_x, *g_y, *g_lat, *g_lon, *g_cum;
	struct kt_segment *seg;
	size_t n_seg, cap_seg;
	struct kt_sg sg_v;
	struct kt_ici ici_a;
	double dop_sigma;     /* Doppler noise the dv/dt filter uses (filter_grid(), live_grid()) */

	struct kt_live *live; /* incremental snapshot state, NULL until the first snapshot */
};

static const char *const filter_param_names[KT_FILTER_NPARAM] = {
	"hampel_half_s", "hampel_k", "hampel_floor_mps", "speed_half_s", "accel_half_s", "speed_order",
	"accel_order", "accel_median_half_s", "accel_ici_gamma", "doppler_noise_mps", "rest_half_s", "rest_k",
	"imu_rest_k", "imu_rest_max_mps",
};

void
kt_params_default(struct kt_params *p)
{
	*p = (struct kt_params){
		.zone_kmh = { 7.2, 14.4, 19.8, 25.2 },
		.hsr_kmh = 19.8,
		.sprint_kmh = 25.2,
		.sprint_min_s = 1.0,
		.effort_ms2 = 3.0,
		.effort_min_s = 0.5,
		.max_plausible_mps = 12.0,
		.gap_s = 2.0,
		.high_power_wkg = 20.0,
		.max_hdop = 5.0,
		.min_num_sv = 4,
		.filter_param = { 0.5, 3.0, 0.3, 0.3, 0.8, 2, 4, 0.1, 1.25, NAN, 1.0, 1.5, 2.0, 0.5 },
		.heat_cell_x_m = 5.0,
		.heat_cell_y_m = 4.0,
		.imu_noise_g = NAN,
		.imu_noise_k = 1.5,
		.heat_margin_m = 10.0,
		.max_jump_m = 3.0,
	};
}

const char *
kt_params_filter_name(void)
{
	return "10 Hz grid; trend-following Hampel; quadratic Savitzky-Golay speed, 0 at rest (by the Doppler noise, or a still IMU); quartic Savitzky-Golay dv/dt with a window adapted to the Doppler noise (intersection of confidence intervals) and a running median (doc/filter.md)";
}

const char *
kt_params_filter_param_name(unsigned i)
{
	return i < KT_FILTER_NPARAM ? filter_param_names[i] : NULL;
}

const char *
kt_quality_reject_to_str(enum kt_quality_reject r)
{
	static const char *const names[_KT_QREJ_MAX] = {
		[KT_QREJ_NO_FIX] = "no-fix",
		[KT_QREJ_DUPLICATE] = "duplicate",
		[KT_QREJ_SPEED] = "implausible-speed",
		[KT_QREJ_JUMP] = "position-jump",
		[KT_QREJ_DOP] = "dop-or-satellites",
	};
	return (unsigned) r < _KT_QREJ_MAX ? names[r] : "?";
}

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 256;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static void live_free(struct kt_live *l);

int
kt_track_new(const struct kt_params *p, const struct kt_pitch *pitch, struct kt_track **ret)
{
	struct kt_track *t;
	int r;

	if (!p || !ret)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->p = *p;
	if (pitch) {
		r = kt_frame_init(&t->frame, pitch);
		if (r < 0) {
			free(t);
			return r;
		}
		t->has_pitch = true;
	}
	*ret = t;
	return 0;
}

struct kt_track *
kt_track_free(struct kt_track *t)
{
	if (!t)
		return NULL;
	free(t->ep);
	free(t->pl_d2);
	free(t->pl_sec_first);
	free(t->pl_sec_hf);
	free(t->pl_sec_nhf);
	free(t->pl_sec_m1);
	free(t->pl_sec_m2);
	free(t->g_tus);
	free(t->g_vraw);
	free(t->g_sacc);
	free(t->g_vh);
	free(t->g_v);
	free(t->g_a);
	free(t->g_x);
	free(t->g_y);
	free(t->g_lat);
	free(t->g_lon);
	free(t->g_cum);
	free(t->seg);
	live_free(t->live);
	free(t);
	return NULL;
}

void
kt_track_note_rejected(struct kt_track *t, enum kt_quality_reject r, uint64_t n)
{
	if (t && (unsigned) r < _KT_QREJ_MAX)
		t->rejected[r] += n;
}

#define EARTH_R_M 6371008.8

/*
 * Is the horizontal distance (equirectangular: exact enough below a few
 * km), EARTH_R_M * hypot(dlat, dlon), more than lim_m? The jump check
 * needs only that answer, once per fix, and hypot() was a visible share of
 * a UBX run. The squared distance in radians, dlat^2 + dlon^2, is within
 * a few units in the last place of what hypot() works with, so where it
 * lies clearly on one side of (lim_m / EARTH_R_M)^2 (a relative margin of
 * 1e-9, a million times those errors) it gives hypot()'s answer;
 * otherwise, and for limits small enough that the squares could
 * underflow, or with a NaN or infinity anywhere, hypot() decides. The
 * cosine of the mean latitude comes from kt_sincos_near() around the
 * track's first one.
 */
static bool
geo_farther_than(struct kt_track *t, double lat1, double lon1, double lat2, double lon2, double lim_m)
{
	double lat_m = 0.5 * (lat1 + lat2) * (M_PI / 180.0), s_m, c_m;

	if (!t->have_jump_ref && isfinite(lat_m)) {
		t->have_jump_ref = true;
		t->jump_lat0 = lat_m;
		t->jump_s0 = sin(lat_m);
		t->jump_c0 = cos(lat_m);
	}
	if (t->have_jump_ref)
		kt_sincos_near(t->jump_lat0, lat_m - t->jump_lat0, t->jump_s0, t->jump_c0, &s_m, &c_m);
	else
		c_m = cos(lat_m);
	double dlat = (lat2 - lat1) * (M_PI / 180.0);
	double dlon = (lon2 - lon1) * (M_PI / 180.0) * c_m;

	if (lim_m > 1e-3 && lim_m < 1e12) {
		double r = lim_m / EARTH_R_M, r2 = r * r, s = dlat * dlat + dlon * dlon;

		if (s > r2 * (1.0 + 1e-9) && s < 1e300)
			return true;
		if (s < r2 * (1.0 - 1e-9))
			return false;
	}
	return EARTH_R_M * hypot(dlat, dlon) > lim_m;
}

int
kt_track_feed_fix(struct kt_track *t, const struct kt_fix *f)
{
	struct kt_epoch e;
	int r;

	if (!t || !f)
		return -EINVAL;
	if (t->have_last && f->t_us <= t->last_t_us) {
		t->rejected[KT_QREJ_DUPLICATE]++;
		return 0;
	}
	t->have_last = true;
	t->last_t_us = f->t_us;
	t->n_epochs++;

	if (!kt_fix_is_valid(f)) {
		t->rejected[KT_QREJ_NO_FIX]++;
		return 0;
	}
	if ((isfinite(f->hdop) && f->hdop > t->p.max_hdop) ||
	    (!isfinite(f->hdop) && isfinite(f->pdop) && f->pdop > t->p.max_hdop) ||
	    (f->num_sv >= 0 && f->num_sv < t->p.min_num_sv)) {
		t->rejected[KT_QREJ_DOP]++;
		return 0;
	}
	if (!(f->speed_mps >= 0.0) || f->speed_mps > t->p.max_plausible_mps) {
		t->rejected[KT_QREJ_SPEED]++;
		return 0;
	}

	e = (struct kt_epoch){
		.t_us = f->t_us,
		.v = f->speed_mps,
		.sacc = f->sacc_mps,
		.lat = f->lat_deg,
		.lon = f->lon_deg,
		.x = NAN,
		.y = NAN,
		.hdop = (float) f->hdop,
		.pdop = (float) f->pdop,
		.num_sv = f->num_sv,
		.pos_ok = true,
	};

	/* a position farther from the last good one than the Doppler speed
	 * allows is a jump: keep the speed, drop the position */
	if (t->have_anchor) {
		const struct kt_epoch *a = &t->ep[t->anchor];
		double dt = (double) (e.t_us - a->t_us) / 1e6;

		if (dt <= t->p.gap_s) {
			double vmax = fmax(a->v, e.v);

			if (geo_farther_than(t, a->lat, a->lon, e.lat, e.lon, vmax * dt + t->p.max_jump_m)) {
				if (++t->jump_run < JUMP_REANCHOR) {
					e.pos_ok = false;
					t->rejected[KT_QREJ_JUMP]++;
				}
			}
		}
	}
	if (e.pos_ok) {
		t->jump_run = 0;
		if (t->has_pitch)
			kt_frame_to_xy(&t->frame, e.lat, e.lon, &e.x, &e.y);
	}

	r = grow((void **) &t->ep, &t->cap_ep, t->n_ep + 1, sizeof(*t->ep));
	if (r < 0)
		return r;
	t->ep[t->n_ep] = e;
	if (e.pos_ok) {
		t->anchor = t->n_ep;
		t->have_anchor = true;
	}
	t->n_ep++;
	return 0;
}

/* k-th smallest (0-based) by quickselect, reordering a[] */
static double
select_kth(double *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = a[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				double x = a[i];
				a[i] = a[j];
				a[j] = x;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return a[k];
}

static double
median_of(double *a, size_t n)
{
	double hi;

	if (n == 0)
		return NAN;
	hi = select_kth(a, n, n / 2);
	if (n % 2)
		return hi;
	/* the largest of the lower half, which select_kth left below n/2 */
	double lo = a[0];
	for (size_t i = 1; i < n / 2; i++)
		if (a[i] > lo)
			lo = a[i];
	return 0.5 * (lo + hi);
}

/* |6th difference|^2 over the three axes of the newest sample a and the
 * six before it, hq[0..5] oldest first. White noise of sigma gives 924
 * sigma^2 per axis, body movement (below ~20 Hz) very little. The
 * coefficients 1, -6, 15, -20, 15, -6 in this order; per axis the same
 * operations as a scalar loop. */
static inline double
sixth_diff2(const kt_v4d *hq, const kt_v4d *a)
{
	kt_v4d e;
	double h = 0;

	e = *a + 1.0 * hq[0];
	e += -6.0 * hq[1];
	e += 15.0 * hq[2];
	e += -20.0 * hq[3];
	e += 15.0 * hq[4];
	e += -6.0 * hq[5];
	h += e[0] * e[0];
	h += e[1] * e[1];
	h += e[2] * e[2];
	return h;
}

/* a new whole second i from pl_sec0 starts at the current sample index */
static int
pl_open_sec(struct kt_track *t, size_t i)
{
	int r;

	r = grow((void **) &t->pl_sec_first, &t->cap_pl_sec, i + 2, sizeof(size_t));
	if (r >= 0)
		r = grow((void **) &t->pl_sec_hf, &t->cap_pl_hf, i + 2, sizeof(double));
	if (r >= 0)
		r = grow((void **) &t->pl_sec_nhf, &t->cap_pl_nhf, i + 2, sizeof(uint32_t));
	if (r >= 0)
		r = grow((void **) &t->pl_sec_m1, &t->cap_pl_m1, i + 2, sizeof(kt_v4d));
	if (r >= 0)
		r = grow((void **) &t->pl_sec_m2, &t->cap_pl_m2, i + 2, sizeof(kt_v4d));
	if (r < 0)
		return r;
	for (size_t q = t->n_pl_sec; q <= i; q++) {
		t->pl_sec_first[q] = t->n_d2;
		t->pl_sec_hf[q] = 0;
		t->pl_sec_nhf[q] = 0;
		t->pl_sec_m1[q] = (kt_v4d) { 0 };
		t->pl_sec_m2[q] = (kt_v4d) { 0 };
	}
	t->n_pl_sec = i + 1;
	return 0;
}

/*
 * Called 100 times a second per vest for a whole session: the hot loop of
 * 'kicktrack process' on UBX logs. The arithmetic (and its order, so every
 * rounding) is that of the plain per-axis loops; only the bookkeeping around
 * it is cheaper: the second is found without a division while samples stay
 * in the same second, the history is a ring of doubles (no shifting, no
 * conversions) and the three axes go through the 6th difference together.
 */
int
kt_track_feed_imu(struct kt_track *t, const struct kt_imu_sample *s)
{
	bool chained;
	int r;

	if (!t || !s)
		return -EINVAL;
	if (!isfinite(s->acc_g[0]) || !isfinite(s->acc_g[1]) || !isfinite(s->acc_g[2]))
		return 0;
	if (t->imu_have_last && s->t_us <= t->imu_last_t_us)
		return 0; /* duplicate or out of order */

	/* deltas only between neighbours (a hole of more than 50 ms breaks the chain) */
	chained = t->imu_have_last && s->t_us - t->imu_last_t_us <= 50000;
	if (chained) {
		kt_v4d a;
		acc_v4d(s, &a);
		const double a0 = a[0], a1 = a[1], a2 = a[2];
		double d2 = 0, d;
		size_t i;

		d = a0 - (double) t->imu_last[0];
		d2 += d * d;
		d = a1 - (double) t->imu_last[1];
		d2 += d * d;
		d = a2 - (double) t->imu_last[2];
		d2 += d * d;

		if (t->have_pl_cur && s->t_us >= t->pl_cur_lo_us && s->t_us - t->pl_cur_lo_us < KT_USEC_PER_SEC) {
			i = t->pl_cur_i; /* same second as the last counted sample */
		} else {
			int64_t sec = s->t_us / KT_USEC_PER_SEC;

			if (!t->have_pl_sec0) {
				t->pl_sec0 = sec;
				t->have_pl_sec0 = true;
			}
			/* a clock more than a day away from the session start is broken:
			 * the sample is not counted rather than a huge per-second table grown */
			if (!(sec >= t->pl_sec0 && sec - t->pl_sec0 < IMU_MAX_SPAN_S))
				goto shift;
			i = (size_t) (sec - t->pl_sec0);
			if (i >= t->n_pl_sec) {
				r = pl_open_sec(t, i);
				if (r < 0)
					return r;
			}
			/* t_us / 1 s truncates towards zero: only a non-negative time
			 * has its whole second as [sec, sec + 1 s) */
			t->have_pl_cur = s->t_us >= 0;
			t->pl_cur_lo_us = sec * KT_USEC_PER_SEC;
			t->pl_cur_i = i;
		}
		/* 6th difference: white noise of sigma gives 924 sigma^2 per
		 * axis, body movement (below ~20 Hz) very little */
		if (t->imu_chain >= 6) {
			t->pl_sec_hf[i] += sixth_diff2(&t->imu_hist[t->imu_pos], &a);
			t->pl_sec_nhf[i]++;
			t->pl_sec_m1[i] += a;
			t->pl_sec_m2[i] += a * a;
		}
		if (t->n_d2 >= t->cap_d2) {
			r = grow((void **) &t->pl_d2, &t->cap_d2, t->n_d2 + 1, sizeof(float));
			if (r < 0)
				return r;
		}
		t->pl_d2[t->n_d2++] = (float) d2;
	}
shift:
	if (chained)
		t->imu_chain++;
	else
		t->imu_chain = 0;
	/* the newest sample replaces the oldest, in both copies */
	acc_v4d(s, &t->imu_hist[t->imu_pos]);
	t->imu_hist[t->imu_pos + 6] = t->imu_hist[t->imu_pos];
	t->imu_pos = t->imu_pos == 5 ? 0 : t->imu_pos + 1;
	t->imu_have_last = true;
	t->imu_last_t_us = s->t_us;
	memcpy(t->imu_last, s->acc_g, sizeof(t->imu_last));
	return 0;
}

/*
 * kt_track_feed_imu() on s[0..n) in order, with the same arithmetic in the
 * same order, so the same bits. The batch path feeds a whole log (13.5
 * million samples for a team session): while a sample is finite, follows
 * the previous one within 50 ms, falls in the second of the last one and
 * has a full history, which is nearly always, the state stays in local
 * variables (the second's sums, the counters, the last time) instead of
 * going through memory and the checks around them for every sample. Any
 * other sample goes the way of kt_track_feed_imu(). The newest history
 * entry is the last sample as doubles, which is what the per-sample code
 * subtracts (float to double is exact).
 */
int
kt_track_reserve(struct kt_track *t, size_t n_fixes, size_t n_imu)
{
	int r;

	if (!t)
		return -EINVAL;
	r = grow((void **) &t->ep, &t->cap_ep, t->n_ep + n_fixes, sizeof(*t->ep));
	if (r >= 0)
		r = grow((void **) &t->pl_d2, &t->cap_d2, t->n_d2 + n_imu, sizeof(float));
	return r;
}

int
kt_track_feed_imu_run(struct kt_track *t, const struct kt_imu_sample *s, size_t n)
{
	size_t k = 0;
	int r;

	if (!t || (!s && n > 0))
		return -EINVAL;
	/* at most one delta per sample: room for all of them now */
	r = grow((void **) &t->pl_d2, &t->cap_d2, t->n_d2 + n, sizeof(float));
	if (r < 0)
		return r;
	while (k < n) {
		if (t->imu_have_last && t->imu_chain >= 6 && t->have_pl_cur) {
			const int64_t lo_us = t->pl_cur_lo_us;
			const size_t i = t->pl_cur_i, k0 = k;
			kt_v4d *const hist = t->imu_hist;
			float *const d2_out = t->pl_d2;
			int64_t last_t_us = t->imu_last_t_us;
			double hf = t->pl_sec_hf[i];
			uint32_t nhf = t->pl_sec_nhf[i];
			kt_v4d m1 = t->pl_sec_m1[i], m2 = t->pl_sec_m2[i];
			size_t n_d2 = t->n_d2;
			unsigned pos = t->imu_pos, chain = t->imu_chain;

			for (; k < n; k++) {
				const struct kt_imu_sample *x = &s[k];

				if (!isfinite(x->acc_g[0]) || !isfinite(x->acc_g[1]) || !isfinite(x->acc_g[2]))
					break;
				if (x->t_us <= last_t_us || x->t_us - last_t_us > 50000)
					break;
				if (!(x->t_us >= lo_us && x->t_us - lo_us < KT_USEC_PER_SEC))
					break;

				kt_v4d a;
				acc_v4d(x, &a);
				const double a0 = a[0], a1 = a[1], a2 = a[2];
				const kt_v4d *hq = &hist[pos];
				double d2 = 0, d;

				d = a0 - hq[5][0];
				d2 += d * d;
				d = a1 - hq[5][1];
				d2 += d * d;
				d = a2 - hq[5][2];
				d2 += d * d;

				hf += sixth_diff2(hq, &a);
				nhf++;
				m1 += a;
				m2 += a * a;
				d2_out[n_d2++] = (float) d2;

				chain++;
				hist[pos] = hist[pos + 6] = a;
				pos = pos == 5 ? 0 : pos + 1;
				last_t_us = x->t_us;
			}
			t->pl_sec_hf[i] = hf;
			t->pl_sec_nhf[i] = nhf;
			t->pl_sec_m1[i] = m1;
			t->pl_sec_m2[i] = m2;
			t->n_d2 = n_d2;
			t->imu_pos = pos;
			t->imu_chain = chain;
			t->imu_last_t_us = last_t_us;
			if (k > k0)
				memcpy(t->imu_last, s[k - 1].acc_g, sizeof(t->imu_last));
			if (k == n)
				break;
		}
		/* this sample the general way (it ended the fast run, or none could start) */
		r = kt_track_feed_imu(t, &s[k++]);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Accelerometer noise per axis, estimated from the data: the 6th difference
 * of white noise of sigma has variance 924 sigma^2 per axis, while body
 * movement, slow next to 100 Hz sampling, hardly passes that high-pass
 * (an 18 Hz vest ring at a gain of 2.3). The 10th percentile over whole
 * seconds (>= 50 samples) of mean |6th difference|^2 / (3 x 924).
 */
static double
imu_noise_estimate(const struct kt_track *t)
{
	double *m, sigma = 0;
	size_t n = 0;

	if (t->n_pl_sec < 10)
		return 0;
	m = malloc(t->n_pl_sec * sizeof(double));
	if (!m)
		return 0;
	for (size_t i = 0; i < t->n_pl_sec; i++)
		if (t->pl_sec_nhf[i] >= 50)
			m[n++] = t->pl_sec_hf[i] / (double) t->pl_sec_nhf[i];
	if (n >= 10)
		sigma = sqrt(select_kth(m, n, (size_t) (0.1 * (double) n)) / (3.0 * 924.0));
	free(m);
	return sigma;
}

void
kt_result_clear(struct kt_result *r)
{
	if (!r)
		return;
	free(r->sprints);
	free(r->player_load_minute);
	free(r->heat_s);
	free(r->series);
	memset(r, 0, sizeof(*r));
}

/* ---- metrics helpers ---- */

/* distance covered during dt while speed, linear from v0 to v1, lies in [lo, hi) */
static double
band_dist(double v0, double v1, double dt, double lo, double hi)
{
	double dv = v1 - v0, sa, sb, va, vb;

	if (dv == 0.0)
		return v0 >= lo && v0 < hi ? v0 * dt : 0.0;
	sa = (lo - v0) / dv;
	sb = (hi - v0) / dv;
	if (sa > sb) {
		double x = sa;
		sa = sb;
		sb = x;
	}
	if (sa < 0.0)
		sa = 0.0;
	if (sb > 1.0)
		sb = 1.0;
	if (sb <= sa)
		return 0.0;
	va = v0 + sa * dv;
	vb = v0 + sb * dv;
	return dt * (sb - sa) * 0.5 * (va + vb);
}

/* fraction of an interval during which a linear quantity is > thr */
static double
frac_above(double p0, double p1, double thr)
{
	if (p0 > thr && p1 > thr)
		return 1.0;
	if (p0 <= thr && p1 <= thr)
		return 0.0;
	double s = (thr - p0) / (p1 - p0);
	return p1 > p0 ? 1.0 - s : s;
}

/* Osgnach et al. 2010 energy cost of accelerated running, times speed */
double
kt_metabolic_power(double v_mps, double a_ms2)
{
	double es = a_ms2 / G_MPS2, em = sqrt(es * es + 1.0);
	double es2 = es * es, es3 = es2 * es, es4 = es3 * es, es5 = es4 * es;
	double ec = (155.4 * es5 - 30.4 * es4 - 43.3 * es3 + 46.3 * es2 + 19.5 * es + 3.6) * em * 1.29;

	return ec * v_mps;
}


static int
grid_reserve(struct kt_track *t, size_t n)
{
	size_t cap = t->cap_g, c;
	int r;

#define G(field, type)                                                        \
	c = cap;                                                              \
	r = grow((void **) &t->field, &c, n, sizeof(type));                  \
	if (r < 0)                                                            \
		return r;
	G(g_tus, int64_t)
	G(g_vraw, double)
	G(g_sacc, double)
	G(g_vh, double)
	G(g_v, double)
	G(g_a, double)
	G(g_x, double)
	G(g_y, double)
	G(g_lat, double)
	G(g_lon, double)
	G(g_cum, double)
#undef G
	t->cap_g = c;
	return 0;
}

static double
lerp(double a, double b, double f)
{
	return a + f * (b - a);
}

/* value at fraction f between epochs with NaN-aware positions */
static void
lerp_pos(const struct kt_epoch *a, const struct kt_epoch *b, double f, double *x, double *y, double *lat,
	 double *lon)
{
	if (a->pos_ok && b->pos_ok) {
		*x = lerp(a->x, b->x, f);
		*y = lerp(a->y, b->y, f);
		*lat = lerp(a->lat, b->lat, f);
		*lon = lerp(a->lon, b->lon, f);
	} else if (a->pos_ok || b->pos_ok) {
		const struct kt_epoch *e = a->pos_ok ? a : b;
		*x = e->x;
		*y = e->y;
		*lat = e->lat;
		*lon = e->lon;
	} else {
		*x = *y = *lat = *lon = NAN;
	}
}

/* The last epoch of the segment starting at epoch i */
static size_t
segment_end(const struct kt_track *t, size_t i, int64_t gap_us)
{
	while (i + 1 < t->n_ep && t->ep[i + 1].t_us - t->ep[i].t_us <= gap_us)
		i++;
	return i;
}

/* Epochs -> segments -> uniform grid. Returns grid size or -errno. */
static ssize_t
build_grid(struct kt_track *t)
{
	int64_t gap_us = (int64_t) llround(t->p.gap_s * 1e6);
	size_t ng = 0, i = 0, total = 0;
	int r;

	/* the whole grid's size first: its eleven arrays are allocated once
	 * instead of copied as they double (3 % of a UBX team session) */
	for (size_t a = 0, b; a < t->n_ep; a = b + 1) {
		b = segment_end(t, a, gap_us);
		total += (size_t) ((t->ep[b].t_us - t->ep[a].t_us) / GRID_US) + 1;
	}
	r = grid_reserve(t, total);
	if (r < 0)
		return r;
	t->n_seg = 0;
	while (i < t->n_ep) {
		size_t j = segment_end(t, i, gap_us), k = i;
		int64_t t0, span;
		size_t npts;

		t0 = t->ep[i].t_us;
		span = t->ep[j].t_us - t0;
		npts = (size_t) (span / GRID_US) + 1;
		r = grid_reserve(t, ng + npts);
		if (r < 0)
			return r;
		r = grow((void **) &t->seg, &t->cap_seg, t->n_seg + 1, sizeof(*t->seg));
		if (r < 0)
			return r;
		for (size_t q = 0; q < npts; q++) {
			int64_t tq = t0 + (int64_t) q * GRID_US;
			const struct kt_epoch *a, *b;
			double f;
			size_t g = ng + q;

			while (k + 1 <= j && t->ep[k + 1].t_us <= tq)
				k++;
			a = &t->ep[k];
			b = k + 1 <= j ? &t->ep[k + 1] : a;
			f = b->t_us > a->t_us ? (double) (tq - a->t_us) / (double) (b->t_us - a->t_us) : 0.0;
			t->g_tus[g] = tq;
			t->g_vraw[g] = lerp(a->v, b->v, f);
			t->g_sacc[g] = isfinite(a->sacc) && isfinite(b->sacc) ? fmax(a->sacc, b->sacc) : NAN;
			lerp_pos(a, b, f, &t->g_x[g], &t->g_y[g], &t->g_lat[g], &t->g_lon[g]);
		}
		t->seg[t->n_seg++] = (struct kt_segment){ .g0 = ng, .g1 = ng + npts - 1 };
		ng += npts;
		i = j + 1;
	}
	return (ssize_t) ng;
}

static unsigned
half_width(double half_s)
{
	double h = round(half_s / GRID_S);

	if (!(h > 0))
		return 0;
	return h > KT_SG_MAX_HALF ? KT_SG_MAX_HALF : (unsigned) h;
}

static unsigned
order_of(double o)
{
	if (!(o >= 0))
		return 2;
	return o > KT_SG_MAX_ORDER ? KT_SG_MAX_ORDER : (unsigned) lround(o);
}

/*
 * Doppler speed noise (1 sigma, m/s) for the dv/dt window and the rest rule:
 * the second difference of white noise of sigma has a spread of sqrt(6)
 * sigma, while a player's speed, smooth at 10 Hz, hardly adds to it most of
 * the time; so 1.4826 x the median |second difference| / sqrt(6). Over the
 * receiver's own epochs, three at a time that are evenly spaced and not
 * across a gap (not the 10 Hz grid: between the epochs of a 5 Hz receiver
 * the grid is interpolated, and its second differences there are 0), and
 * over the first DOP_NOISE_N such triples only, so that a live snapshot
 * can freeze it once it has them. *ret_final: all of them were there.
 *
 * Only triples whose middle speed is at least DOP_MOVING_MPS count: the
 * speed is the length of the velocity, and only while the player moves is
 * its noise that of one axis. At rest it is Rayleigh-distributed, with a
 * spread of sigma sqrt(2 - pi/2) = 0.66 sigma: a vest that lay on the bench
 * for the first minutes got two thirds of the noise, and then the rest rule
 * let it "run" 80 m in half an hour. A vest that never moves has too few
 * moving triples (DOP_MOVING_MIN): then the triples at rest tell sigma, once
 * their spread is divided by that 0.66.
 */
#define DOP_NOISE_N 3000
#define DOP_MOVING_MPS 0.3
#define DOP_MOVING_MIN 300

static int
dop_noise_estimate(const struct kt_track *t, double *ret_sigma, bool *ret_final)
{
	int64_t gap_us = (int64_t) llround(t->p.gap_s * 1e6);
	double *d = malloc(2 * DOP_NOISE_N * sizeof(double)), *rest = d + DOP_NOISE_N;
	size_t n = 0, n_rest = 0;

	if (!d)
		return -ENOMEM;
	for (size_t i = 1; i + 1 < t->n_ep && n < DOP_NOISE_N; i++) {
		int64_t d1 = t->ep[i].t_us - t->ep[i - 1].t_us, d2 = t->ep[i + 1].t_us - t->ep[i].t_us;
		double dd;

		/* evenly: within 2 ms (receivers' time stamps may jitter by one) */
		if (d1 > gap_us || d2 - d1 > 2000 || d1 - d2 > 2000)
			continue;
		dd = fabs(t->ep[i - 1].v - 2.0 * t->ep[i].v + t->ep[i + 1].v);
		if (t->ep[i].v >= DOP_MOVING_MPS)
			d[n++] = dd;
		else if (n_rest < DOP_NOISE_N)
			rest[n_rest++] = dd;
	}
	if (n >= DOP_MOVING_MIN || n_rest == 0)
		*ret_sigma = n ? 1.4826 * median_of(d, n) / sqrt(6.0) : 0.0;
	else
		*ret_sigma = 1.4826 * median_of(rest, n_rest) / sqrt(6.0) / sqrt(2.0 - M_PI / 2.0);
	if (ret_final)
		*ret_final = n == DOP_NOISE_N;
	free(d);
	return 0;
}

static bool
dop_noise_stated(const struct kt_params *p)
{
	return isfinite(p->filter_param[9]) && p->filter_param[9] >= 0;
}

static int
filter_init(struct kt_track *t)
{
	int r = kt_sg_init(&t->sg_v, half_width(t->p.filter_param[3]), order_of(t->p.filter_param[5]), 0);

	if (r < 0)
		return r;
	return kt_ici_init(&t->ici_a, half_width(t->p.filter_param[4]), order_of(t->p.filter_param[6]));
}

/*
 * The IMU rest rule: a second in which the vest's accelerometer varies no
 * more than imu_rest_k times its own noise is a second the vest lay still
 * (on the bench, in a bag): worn, even a player standing sways and
 * breathes, and every step is an impact. The noise is that second's own,
 * from its 6th differences (imu_noise_estimate()), so the verdict depends
 * on the second's samples only and is final once the second is complete.
 * Needed because a real receiver at rest reports a slowly wandering
 * velocity (its navigation filter): its second differences show a third
 * of it, and the rest rule, sized by them, takes it for walking. Seconds
 * with fewer than 50 samples say nothing, nor do those without any noise (a
 * stuck sensor). Second i from pl_sec0, k = imu_rest_k.
 */
static bool
imu_second_still(const struct kt_track *t, size_t i, double k)
{
	double n = (double) t->pl_sec_nhf[i], var = 0;

	/* a signal without any noise is a stuck sensor, not a vest at rest */
	if (n < 50 || !(t->pl_sec_hf[i] > 0))
		return false;
	for (int ax = 0; ax < 3; ax++) {
		double mean = t->pl_sec_m1[i][ax] / n;

		var += t->pl_sec_m2[i][ax] / n - mean * mean;
	}
	/* 3 sigma^2: the three axes' noise; E|6th difference|^2 = 924 sigma^2 each */
	return var <= k * t->pl_sec_hf[i] / (n * 924.0);
}

/* the IMU rest rule is on: IMU data, imu_rest_k > 0 */
static bool
imu_rule_on(const struct kt_track *t)
{
	return t->p.filter_param[12] > 0 && t->have_pl_sec0 && t->n_pl_sec > 0;
}

/* The speed of one stretch: quadratic Savitzky-Golay of the Hampel output,
 * clipped at 0, and 0 where the player stands (kt_rest_zero(): the window's
 * mean at most rest_k x the mean speed noise alone gives, sigma sqrt(pi/2))
 * or where the vest lay still (imu_rule: the IMU rest rule, for a speed
 * below imu_rest_max_mps; tus are the stretch's grid times) */
static void
filter_speed(const struct kt_track *t, const double *vh, double *v, const int64_t *tus, bool imu_rule, size_t n)
{
	kt_sg_apply(&t->sg_v, vh, v, n, GRID_S);
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0.0)
			v[i] = 0.0;
	kt_rest_zero(vh, v, n, half_width(t->p.filter_param[10]),
		     t->p.filter_param[11] * t->dop_sigma * sqrt(M_PI / 2));
	if (!imu_rule)
		return;
	for (size_t i = 0; i < n; i++) {
		int64_t sec;

		if (!(v[i] > 0.0 && v[i] < t->p.filter_param[13]))
			continue;
		sec = tus[i] >= 0 ? tus[i] / KT_USEC_PER_SEC : -((-tus[i] + KT_USEC_PER_SEC - 1) / KT_USEC_PER_SEC);
		sec -= t->pl_sec0;
		if (sec >= 0 && (uint64_t) sec < t->n_pl_sec && imu_second_still(t, (size_t) sec, t->p.filter_param[12]))
			v[i] = 0.0;
	}
}

/* dv/dt of one stretch of Hampel output: adaptive window, then the median */
static void
filter_accel(const struct kt_track *t, const double *vh, double *a, double *scratch, size_t n, unsigned hm)
{
	if (hm == 0) {
		kt_ici_apply(&t->ici_a, vh, a, n, GRID_S, t->dop_sigma, t->p.filter_param[8]);
		return;
	}
	kt_ici_apply(&t->ici_a, vh, scratch, n, GRID_S, t->dop_sigma, t->p.filter_param[8]);
	kt_median(scratch, a, n, hm);
}

static int
filter_grid(struct kt_track *t)
{
	unsigned hh = half_width(t->p.filter_param[0]), hm = half_width(t->p.filter_param[7]);
	bool imu_rule;
	int r;

	r = filter_init(t);
	if (r < 0)
		return r;
	if (dop_noise_stated(&t->p))
		t->dop_sigma = t->p.filter_param[9];
	else if ((r = dop_noise_estimate(t, &t->dop_sigma, NULL)) < 0)
		return r;
	imu_rule = imu_rule_on(t);

	for (size_t s = 0; s < t->n_seg; s++) {
		size_t g0 = t->seg[s].g0, n = t->seg[s].g1 - g0 + 1;

		kt_hampel(t->g_vraw + g0, t->g_vh + g0, NULL, n, hh, t->p.filter_param[1],
			  t->p.filter_param[2]);
		filter_speed(t, t->g_vh + g0, t->g_v + g0, t->g_tus + g0, imu_rule, n);
		/* g_vraw is free now: scratch for the median of dv/dt */
		filter_accel(t, t->g_vh + g0, t->g_a + g0, t->g_vraw + g0, n, hm);
	}
	return 0;
}

static int
zone_of(const struct kt_params *p, double v_mps)
{
	double kmh = v_mps * 3.6;
	int z = 1;

	for (int i = 0; i < 4; i++)
		if (kmh >= p->zone_kmh[i])
			z = i + 2;
	return z;
}

static void
heat_add(const struct kt_track *t, double *heat, unsigned nx, unsigned ny, double x, double y, double w)
{
	double m = t->p.heat_margin_m;
	long ix, iy;

	if (!isfinite(x) || !isfinite(y) || w <= 0.0)
		return;
	if (x < -m || y < -m || x > t->frame.length_m + m || y > t->frame.width_m + m)
		return;
	ix = (long) floor(x / t->p.heat_cell_x_m);
	iy = (long) floor(y / t->p.heat_cell_y_m);
	if (ix < 0)
		ix = 0;
	if (iy < 0)
		iy = 0;
	if (ix >= (long) nx)
		ix = (long) nx - 1;
	if (iy >= (long) ny)
		iy = (long) ny - 1;
	heat[(size_t) iy * nx + (size_t) ix] += w;
}

/* v if keep, else +0, by masking its bits: a select the compiler turns
 * into neither a branch nor anything but v or +0 */
static inline double
keep_if(double v, bool keep)
{
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	b &= -(uint64_t) keep;
	memcpy(&v, &b, sizeof(v));
	return v;
}

/* PlayerLoad (metrics.md): each 100 Hz delta with the expected noise power
 * removed, per minute from the first fix; shared by finish and snapshot so
 * both give the same numbers. Needs res->first_us/last_us/minutes set. */
static int
player_load_result(const struct kt_track *t, const struct kt_params *p, struct kt_result *res)
{
	res->player_load_noise_g = isfinite(p->imu_noise_g) && p->imu_noise_g >= 0 ? p->imu_noise_g :
										     imu_noise_estimate(t);
	if (t->have_pl_sec0) {
		int64_t base_us = t->n_ep ? res->first_us : t->pl_sec0 * KT_USEC_PER_SEC;
		int64_t end_us = t->n_ep ? res->last_us : (t->pl_sec0 + (int64_t) t->n_pl_sec) * KT_USEC_PER_SEC;
		/* minutes started: 15.0 minutes of fixes are 15 minutes, not a
		 * 16th holding the last instant (whose samples go into the 15th) */
		int64_t span_us = end_us > base_us ? end_us - base_us : 0;
		size_t nm = span_us > 0 ? (size_t) ((span_us + 60 * KT_USEC_PER_SEC - 1) / (60 * KT_USEC_PER_SEC)) : 1;

		if (nm > IMU_MAX_SPAN_S / 60 + 1) /* a broken clock, not a session */
			nm = IMU_MAX_SPAN_S / 60 + 1;
		double thr = 6.0 * res->player_load_noise_g * res->player_load_noise_g, gate = p->imu_noise_k * thr;

		res->player_load_minute = calloc(nm, sizeof(double));
		if (!res->player_load_minute)
			return -ENOMEM;
		res->n_player_load_minutes = nm;
		res->player_load = 0;
		res->imu_still_s = 0;
		res->imu_still_run_s = 0;
		double run = 0;
		for (size_t i = 0; i < t->n_pl_sec; i++) {
			int64_t su = (t->pl_sec0 + (int64_t) i) * KT_USEC_PER_SEC;
			int64_t m = su < base_us ? 0 : (su - base_us) / (60 * KT_USEC_PER_SEC);
			size_t a0 = t->pl_sec_first[i], a1 = i + 1 < t->n_pl_sec ? t->pl_sec_first[i + 1] : t->n_d2;
			double sum = 0;

			/* a second the vest lay still (the IMU rest rule) moved it not
			 * at all: what passes the gate there is noise */
			if (p->filter_param[12] > 0 && imu_second_still(t, i, p->filter_param[12])) {
				res->imu_still_s += 1.0;
				run += 1.0;
				if (run > res->imu_still_run_s)
					res->imu_still_run_s = run;
				continue;
			}
			run = 0;

			/* without branches (the noise gate made them a coin toss):
			 * a delta that does not count adds +0, and sum + 0 is sum
			 * (sum is never -0) */
			for (size_t j = a0; j < a1; j++) {
				double d2 = (double) t->pl_d2[j], c = d2 - thr;

				sum += keep_if(sqrt(keep_if(c, c > 0)), d2 > gate);
			}
			sum /= 100.0;
			if (m >= (int64_t) nm)
				m = (int64_t) nm - 1;
			res->player_load_minute[m] += sum;
			res->player_load += sum;
		}
		double mins = t->n_ep ? res->minutes : (double) t->n_pl_sec / 60.0;
		if (mins > 0)
			res->player_load_per_min = res->player_load / mins;
	}
	return 0;
}

/* The sprint a completed run describes: distance above the threshold from
 * the grid point before the run to a1, top speed, start and duration; marks
 * the run's rows of series (offset s) when there is one. */
static struct kt_sprint
sprint_of_run(const struct kt_track *t, const struct kt_run_done *done, size_t g0, size_t a1,
	      double sprint_thr, double t_base, struct kt_sample10 *series, size_t s)
{
	double sd = 0, top = 0;
	size_t a0 = done->i0 > g0 ? done->i0 - 1 : g0;

	for (size_t q = a0 + 1; q <= a1; q++)
		sd += band_dist(t->g_v[q - 1], t->g_v[q], GRID_S, sprint_thr, INFINITY);
	for (size_t q = done->i0; q <= done->i1; q++) {
		top = fmax(top, t->g_v[q]);
		if (series)
			series[q + s].in_sprint = true;
	}
	return (struct kt_sprint){
		.start_us = (int64_t) llround((done->t0_s + t_base) * 1e6),
		.duration_s = done->t1_s - done->t0_s,
		.dist_m = sd,
		.top_speed_kmh = top * 3.6,
	};
}

/* Best 1-, 3- and 5-minute distance windows */
static const double peak_win_s[3] = { 60, 180, 300 };

/* A session shorter than a window has no best window of that length: its
 * distance would only repeat the whole (metrics.md: "any window of that
 * length"). Unknown, as in the simulator's truth. The ng grid points stand
 * for 0.1 s each. */
static void
peaks_unknown_if_short(const struct kt_track *t, size_t ng, double peak_m[3])
{
	int64_t span_us = ng > 0 ? t->g_tus[ng - 1] - t->g_tus[0] + GRID_US : 0;

	for (int w = 0; w < 3; w++)
		if (span_us < (int64_t) (peak_win_s[w] * 1e6))
			peak_m[w] = NAN;
}

/* Time a grid point stands for: half a step at a segment's ends, none for
 * a segment of one point. */
static double
grid_weight(size_t g, size_t g0, size_t g1)
{
	return (g1 == g0) ? 0.0 : (g == g0 || g == g1) ? GRID_S / 2 : GRID_S;
}

/* The pitch-dependent part of a result: x, y of the series (which has its
 * marker rows already) and the heatmap, from the grid built with the pitch
 * set. Shared by compute() and kt_result_set_pitch(), so both give the same
 * bits. */
static int
pitch_result(const struct kt_track *t, struct kt_result *res)
{
	const struct kt_params *p = &t->p;
	unsigned nx = (unsigned) ceil(t->frame.length_m / p->heat_cell_x_m - 1e-9);
	unsigned ny = (unsigned) ceil(t->frame.width_m / p->heat_cell_y_m - 1e-9);
	double *heat = calloc((size_t) nx * ny, sizeof(double));

	if (!heat)
		return -ENOMEM;
	for (size_t s = 0; s < t->n_seg; s++) {
		size_t g0 = t->seg[s].g0, g1 = t->seg[s].g1;

		for (size_t g = g0; g <= g1; g++) {
			heat_add(t, heat, nx, ny, t->g_x[g], t->g_y[g], grid_weight(g, g0, g1));
			res->series[g + s].x_m = t->g_x[g];
			res->series[g + s].y_m = t->g_y[g];
		}
	}
	free(res->heat_s);
	res->heat_s = heat;
	res->heat_nx = nx;
	res->heat_ny = ny;
	return 0;
}

/* The three run detectors of a result: sprints on the filtered speed,
 * accelerations on dv/dt, decelerations on -dv/dt */
static void
runs_init(const struct kt_params *p, struct kt_run *sprint, struct kt_run *acc, struct kt_run *dec)
{
	kt_run_init(sprint, "sprint", p->sprint_kmh / 3.6, p->sprint_min_s);
	kt_run_init(acc, "accel", p->effort_ms2, p->effort_min_s);
	kt_run_init(dec, "decel", p->effort_ms2, p->effort_min_s);
}

/* What the batch and the live result share before any metric: the epoch
 * counts and fix share, and NAN for every number no data has made yet */
static void
result_start(const struct kt_track *t, struct kt_result *res)
{
	res->first_us = res->last_us = 0;
	res->max_speed_kmh = res->last_speed_kmh = NAN;
	res->metabolic_power_wkg = NAN;
	res->work_rate_m_min = NAN;
	res->player_load = res->player_load_per_min = NAN; /* no IMU data: unknown, not 0 */
	res->median_num_sv = res->median_hdop = res->median_pdop = NAN;
	memcpy(res->rejected, t->rejected, sizeof(res->rejected));
	res->n_epochs = t->n_epochs;
	res->n_valid_epochs = t->n_ep;
	res->fix_pct = t->n_epochs ? 100.0 * (double) t->n_ep / (double) t->n_epochs : NAN;
}

static int
compute(struct kt_track *t, struct kt_result *ret)
{
	const struct kt_params *p = &t->p;
	struct kt_result res = {};
	ssize_t ngs;
	size_t ng, cap_sprints = 0;
	double lo[5], hi[5], hsr = p->hsr_kmh / 3.6, sprint_thr = p->sprint_kmh / 3.6;
	double valid_s = 0, power_int = 0;
	int64_t gap_us = (int64_t) llround(p->gap_s * 1e6);
	struct kt_run sprint, acc, dec;
	struct kt_run_done done;
	double *tmp = NULL;
	int r;

	result_start(t, &res);

	for (int z = 0; z < 5; z++) {
		lo[z] = z == 0 ? -INFINITY : p->zone_kmh[z - 1] / 3.6;
		hi[z] = z == 4 ? INFINITY : p->zone_kmh[z] / 3.6;
	}

	ngs = build_grid(t);
	if (ngs < 0)
		return (int) ngs;
	ng = (size_t) ngs;
	r = filter_grid(t);
	if (r < 0)
		return r;
	res.doppler_noise_mps = ng > 0 || dop_noise_stated(p) ? t->dop_sigma : NAN;

	if (ng > 0) {
		res.series = calloc(ng + t->n_seg, sizeof(*res.series));
		if (!res.series) {
			r = -ENOMEM;
			goto fail;
		}
	}

	runs_init(p, &sprint, &acc, &dec);

	double t_base = ng ? (double) t->g_tus[0] / 1e6 : 0;
	double cum = 0, p0 = 0, p1;
	int z0 = 0, z1;
	for (size_t s = 0; s < t->n_seg; s++) {
		size_t g0 = t->seg[s].g0, g1 = t->seg[s].g1;

		valid_s += (double) (g1 - g0) * GRID_S;
		for (size_t g = g0; g <= g1; g++) {
			double v = t->g_v[g], a = t->g_a[g], tt = (double) t->g_tus[g] / 1e6 - t_base;
			struct kt_sample10 *o = &res.series[g + s];

			p1 = kt_metabolic_power(v, a);
			z1 = zone_of(p, v);
			if (g > g0) {
				double v0 = t->g_v[g - 1], d = 0.5 * (v0 + v) * GRID_S;

				cum += d;
				res.distance_m += d;
				if (z0 == z1)
					res.zone_m[z1 - 1] += d;
				else
					for (int z = 0; z < 5; z++)
						res.zone_m[z] += band_dist(v0, v, GRID_S, lo[z], hi[z]);
				if (v0 >= hsr && v >= hsr)
					res.hsr_m += d;
				else if (v0 >= hsr || v >= hsr)
					res.hsr_m += band_dist(v0, v, GRID_S, hsr, INFINITY);
				power_int += 0.5 * (p0 + p1) * GRID_S;
				res.high_power_m += d * frac_above(p0, p1, p->high_power_wkg);
			}
			p0 = p1;
			z0 = z1;
			t->g_cum[g] = cum;
			if (isnan(res.max_speed_kmh) || v * 3.6 > res.max_speed_kmh)
				res.max_speed_kmh = v * 3.6;
			res.last_speed_kmh = v * 3.6;

			*o = (struct kt_sample10){
				.t_us = t->g_tus[g],
				.lat_deg = t->g_lat[g],
				.lon_deg = t->g_lon[g],
				.x_m = NAN, /* pitch_result() */
				.y_m = NAN,
				.speed_kmh = v * 3.6,
				.accel_ms2 = a,
				.zone = z1,
			};

			if (kt_run_sample(&sprint, g, tt, v, &done)) {
				struct kt_sprint sp = sprint_of_run(t, &done, g0, done.i1 < g1 ? done.i1 + 1 : g1,
								    sprint_thr, t_base, res.series, s);

				r = grow((void **) &res.sprints, &cap_sprints, res.n_sprints + 1, sizeof(sp));
				if (r < 0)
					goto fail;
				res.sprints[res.n_sprints++] = sp;
				res.sprint_m += sp.dist_m;
			}
			if (kt_run_sample(&acc, g, tt, a, &done))
				res.accelerations++;
			if (kt_run_sample(&dec, g, tt, -a, &done))
				res.decelerations++;
		}
		/* segment end: close runs */
		if (kt_run_dispatch(&sprint, KT_RUN_EV_SEGMENT_END, g1, 0, 0, &done)) {
			struct kt_sprint sp = sprint_of_run(t, &done, g0, g1, sprint_thr, t_base, res.series, s);

			r = grow((void **) &res.sprints, &cap_sprints, res.n_sprints + 1, sizeof(sp));
			if (r < 0)
				goto fail;
			res.sprints[res.n_sprints++] = sp;
			res.sprint_m += sp.dist_m;
		}
		if (kt_run_dispatch(&acc, KT_RUN_EV_SEGMENT_END, g1, 0, 0, &done))
			res.accelerations++;
		if (kt_run_dispatch(&dec, KT_RUN_EV_SEGMENT_END, g1, 0, 0, &done))
			res.decelerations++;

		/* one marker row after each segment followed by a gap */
		if (s + 1 < t->n_seg)
			res.series[g1 + s + 1] = (struct kt_sample10){
				.t_us = t->g_tus[g1] + GRID_US,
				.lat_deg = NAN, .lon_deg = NAN, .x_m = NAN, .y_m = NAN,
				.speed_kmh = NAN, .accel_ms2 = NAN, .zone = 0,
			};
	}
	res.n_series = ng ? ng + t->n_seg - 1 : 0;
	if (t->has_pitch) {
		r = pitch_result(t, &res);
		if (r < 0)
			goto fail;
	}

	/* time and rates */
	if (t->n_ep > 0) {
		res.first_us = t->ep[0].t_us;
		res.last_us = t->ep[t->n_ep - 1].t_us;
		res.minutes = (double) (res.last_us - res.first_us) / 60e6;
		for (size_t i = 1; i < t->n_ep; i++) {
			int64_t d = t->ep[i].t_us - t->ep[i - 1].t_us;

			if (d > gap_us) {
				res.gaps++;
				res.gap_s += (double) d / 1e6;
			}
		}
	}
	res.valid_minutes = valid_s / 60.0;
	if (res.minutes > 0)
		res.work_rate_m_min = res.distance_m / res.minutes;
	if (valid_s > 0)
		res.metabolic_power_wkg = power_int / valid_s;

	/* best windows over the cumulative distance */
	{
		for (int w = 0; w < 3; w++) {
			int64_t wu = (int64_t) (peak_win_s[w] * 1e6);
			size_t i = 0;
			double best = 0;

			for (size_t j = 0; j < ng; j++) {
				while (t->g_tus[j] - t->g_tus[i] > wu)
					i++;
				best = fmax(best, t->g_cum[j] - t->g_cum[i]);
			}
			res.peak_m[w] = best;
		}
		peaks_unknown_if_short(t, ng, res.peak_m);
	}

	/* PlayerLoad: each delta with the expected noise power removed */
	r = player_load_result(t, p, &res);
	if (r < 0)
		goto fail;

	/* data quality medians */
	if (t->n_ep > 0) {
		size_t m;

		tmp = malloc(t->n_ep * sizeof(double));
		if (!tmp) {
			r = -ENOMEM;
			goto fail;
		}
		m = 0;
		for (size_t i = 0; i < t->n_ep; i++)
			if (t->ep[i].num_sv >= 0)
				tmp[m++] = t->ep[i].num_sv;
		res.median_num_sv = median_of(tmp, m);
		m = 0;
		for (size_t i = 0; i < t->n_ep; i++)
			if (isfinite(t->ep[i].hdop))
				tmp[m++] = t->ep[i].hdop;
		res.median_hdop = median_of(tmp, m);
		m = 0;
		for (size_t i = 0; i < t->n_ep; i++)
			if (isfinite(t->ep[i].pdop))
				tmp[m++] = t->ep[i].pdop;
		res.median_pdop = median_of(tmp, m);
		free(tmp);
	}

	*ret = res;
	return 0;
fail:
	kt_result_clear(&res);
	return r;
}

/*
 * ---- incremental snapshot (live view) ----
 *
 * The filter's value at a grid point depends only on the raw grid within
 * R = hampel_half + max(speed_half, accel_half + median_half) points of it
 * (doc/filter.md), and a raw grid point depends only on the epochs around
 * it. So when fixes keep arriving, everything more than R points before the
 * last final raw point (one strictly before the last epoch) is final: its
 * metrics are accumulated once into `a` ("committed"), in exactly the order
 * and with exactly the expressions of compute(), and a snapshot only rebuilds
 * and filters the tail from R points before the commit point, then finishes
 * a copy of the accumulators over it. After the last fix the result is
 * bit-identical to compute() (tests/unit/core test_snapshot).
 */
struct kt_acc {
	size_t g, s;                 /* next grid point to process, its segment */
	double valid_s, power_int, cum, p0;
	int z0;
	double distance_m, zone_m[5], hsr_m, high_power_m, max_speed_kmh, last_speed_kmh, sprint_m;
	unsigned accelerations, decelerations;
	size_t n_sprints;
	struct kt_run sprint, acc, dec;
	size_t pk_i[3];              /* best 1/3/5 min windows: window start, best so far */
	double pk_best[3];
};

/* Running median of a growing multiset, equal to median_of() over it: the
 * smaller floor(n/2) values in a max-heap (stored negated, in a min-heap),
 * the others in a min-heap. */
struct kt_minheap {
	double *a;
	size_t n, cap;
};

struct kt_runmed {
	struct kt_minheap lo, hi; /* lo holds -x */
};

static int
minheap_push(struct kt_minheap *h, double x)
{
	size_t i;
	int r = grow((void **) &h->a, &h->cap, h->n + 1, sizeof(double));

	if (r < 0)
		return r;
	for (i = h->n++; i > 0 && h->a[(i - 1) / 2] > x; i = (i - 1) / 2)
		h->a[i] = h->a[(i - 1) / 2];
	h->a[i] = x;
	return 0;
}

static double
minheap_pop(struct kt_minheap *h)
{
	double top = h->a[0], x = h->a[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->a[c + 1] < h->a[c])
			c++;
		if (!(h->a[c] < x))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (h->n > 0)
		h->a[i] = x;
	return top;
}

static int
runmed_add(struct kt_runmed *m, double x)
{
	int r;

	if (m->lo.n > 0 && x < -m->lo.a[0])
		r = minheap_push(&m->lo, -x);
	else
		r = minheap_push(&m->hi, x);
	if (r < 0)
		return r;
	/* lo keeps the floor(n/2) smallest */
	while (r >= 0 && m->lo.n > (m->lo.n + m->hi.n) / 2) {
		r = minheap_push(&m->hi, -m->lo.a[0]);
		if (r >= 0)
			(void) minheap_pop(&m->lo);
	}
	while (r >= 0 && m->lo.n < (m->lo.n + m->hi.n) / 2) {
		r = minheap_push(&m->lo, -m->hi.a[0]);
		if (r >= 0)
			(void) minheap_pop(&m->hi);
	}
	return r;
}

static void
runmed_clear(struct kt_runmed *m)
{
	free(m->lo.a);
	free(m->hi.a);
	*m = (struct kt_runmed){};
}

static double
runmed_get(const struct kt_runmed *m)
{
	if (m->hi.n == 0)
		return NAN;
	if ((m->lo.n + m->hi.n) % 2)
		return m->hi.a[0];
	return 0.5 * (-m->lo.a[0] + m->hi.a[0]);
}

struct kt_live_seg {
	size_t ep0, ep1, g0, g1;     /* epochs and grid points, inclusive */
};

struct kt_live_out {                 /* where a run of the metrics writes */
	struct kt_sprint **sprints;
	size_t *cap_sprints;
	double *heat;
	unsigned nx, ny;
	struct kt_sample10 *series;
};

struct kt_live {
	unsigned hh, hm, reach;      /* hampel and median half-widths, R */
	struct kt_live_seg *seg;
	size_t n_seg, cap_seg;
	size_t n_ep;                 /* epochs placed into segments */
	size_t ng;                   /* grid points */
	struct kt_acc a;             /* committed: all final grid points before a.g */
	struct kt_sprint *sprints;
	size_t cap_sprints;
	double *heat;
	unsigned nx, ny;
	bool keep_series;            /* series is kept (a full snapshot was asked for) */
	struct kt_sample10 *series;  /* committed rows: [0, a.g + a.s) */
	size_t cap_series;
	size_t gap_i;                /* epochs checked for gaps */
	unsigned gaps;
	double gap_s;
	double *f_vh, *f_v, *f_a, *f_m; /* tail filter scratch */
	size_t cap_f;
	size_t med_i;                /* epochs added to the running medians */
	bool dop_frozen;             /* t->dop_sigma is final: nothing is committed before */
	struct kt_runmed med_sv, med_hdop, med_pdop;
};


static void
live_free(struct kt_live *l)
{
	if (!l)
		return;
	free(l->seg);
	free(l->sprints);
	free(l->heat);
	free(l->series);
	free(l->f_vh);
	free(l->f_v);
	free(l->f_a);
	free(l->f_m);
	runmed_clear(&l->med_sv);
	runmed_clear(&l->med_hdop);
	runmed_clear(&l->med_pdop);
	free(l);
}

static void
live_acc_init(const struct kt_params *p, struct kt_acc *a)
{
	*a = (struct kt_acc){ .max_speed_kmh = NAN, .last_speed_kmh = NAN };
	runs_init(p, &a->sprint, &a->acc, &a->dec);
}

static int
live_init(struct kt_track *t, bool keep_series)
{
	const struct kt_params *p = &t->p;
	struct kt_live *l;
	unsigned hv = half_width(p->filter_param[3]), ha = half_width(p->filter_param[4]);
	int r;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->keep_series = keep_series;
	l->hh = half_width(p->filter_param[0]);
	l->hm = half_width(p->filter_param[7]);
	l->reach = l->hh + (hv > ha + l->hm ? hv : ha + l->hm);
	if (l->reach < l->hh + half_width(p->filter_param[10]))
		l->reach = l->hh + half_width(p->filter_param[10]);
	live_acc_init(p, &l->a);
	if (t->has_pitch) {
		l->nx = (unsigned) ceil(t->frame.length_m / p->heat_cell_x_m - 1e-9);
		l->ny = (unsigned) ceil(t->frame.width_m / p->heat_cell_y_m - 1e-9);
		l->heat = calloc((size_t) l->nx * l->ny, sizeof(double));
		if (!l->heat) {
			live_free(l);
			return -ENOMEM;
		}
	}
	r = filter_init(t);
	if (r < 0) {
		live_free(l);
		return r;
	}
	l->dop_frozen = dop_noise_stated(p);
	if (l->dop_frozen)
		t->dop_sigma = p->filter_param[9];
	t->live = l;
	return 0;
}

static int
live_push_sprint(struct kt_live_out *o, struct kt_acc *A, const struct kt_sprint *sp)
{
	int r = grow((void **) o->sprints, o->cap_sprints, A->n_sprints + 1, sizeof(*sp));

	if (r < 0)
		return r;
	(*o->sprints)[A->n_sprints++] = *sp;
	A->sprint_m += sp->dist_m;
	return 0;
}

/* one grid point: the body of compute()'s loop */
static int
live_point(struct kt_track *t, struct kt_acc *A, struct kt_live_out *o, size_t g0, size_t g1)
{
	const struct kt_params *p = &t->p;
	size_t g = A->g, s = A->s;
	double hsr = p->hsr_kmh / 3.6, sprint_thr = p->sprint_kmh / 3.6, t_base = (double) t->g_tus[0] / 1e6;
	double v = t->g_v[g], a = t->g_a[g], tt = (double) t->g_tus[g] / 1e6 - t_base;
	double w = grid_weight(g, g0, g1), p1;
	struct kt_run_done done;
	int z1, r;

	p1 = kt_metabolic_power(v, a);
	z1 = zone_of(p, v);
	if (g > g0) {
		double v0 = t->g_v[g - 1], d = 0.5 * (v0 + v) * GRID_S;

		A->cum += d;
		A->distance_m += d;
		if (A->z0 == z1)
			A->zone_m[z1 - 1] += d;
		else
			for (int z = 0; z < 5; z++) {
				double lo = z == 0 ? -INFINITY : p->zone_kmh[z - 1] / 3.6;
				double hi = z == 4 ? INFINITY : p->zone_kmh[z] / 3.6;

				A->zone_m[z] += band_dist(v0, v, GRID_S, lo, hi);
			}
		if (v0 >= hsr && v >= hsr)
			A->hsr_m += d;
		else if (v0 >= hsr || v >= hsr)
			A->hsr_m += band_dist(v0, v, GRID_S, hsr, INFINITY);
		A->power_int += 0.5 * (A->p0 + p1) * GRID_S;
		A->high_power_m += d * frac_above(A->p0, p1, p->high_power_wkg);
	}
	A->p0 = p1;
	A->z0 = z1;
	t->g_cum[g] = A->cum;
	if (isnan(A->max_speed_kmh) || v * 3.6 > A->max_speed_kmh)
		A->max_speed_kmh = v * 3.6;
	A->last_speed_kmh = v * 3.6;
	if (t->has_pitch)
		heat_add(t, o->heat, o->nx, o->ny, t->g_x[g], t->g_y[g], w);

	if (o->series)
		o->series[g + s] = (struct kt_sample10){
			.t_us = t->g_tus[g],
			.lat_deg = t->g_lat[g],
			.lon_deg = t->g_lon[g],
			.x_m = t->has_pitch ? t->g_x[g] : NAN,
			.y_m = t->has_pitch ? t->g_y[g] : NAN,
			.speed_kmh = v * 3.6,
			.accel_ms2 = a,
			.zone = z1,
		};

	if (kt_run_sample(&A->sprint, g, tt, v, &done)) {
		struct kt_sprint sp = sprint_of_run(t, &done, g0, done.i1 < g1 ? done.i1 + 1 : g1,
						    sprint_thr, t_base, o->series, s);

		r = live_push_sprint(o, A, &sp);
		if (r < 0)
			return r;
	}
	if (kt_run_sample(&A->acc, g, tt, a, &done))
		A->accelerations++;
	if (kt_run_sample(&A->dec, g, tt, -a, &done))
		A->decelerations++;

	for (int k = 0; k < 3; k++) {
		int64_t wu = (int64_t) (peak_win_s[k] * 1e6);

		while (t->g_tus[g] - t->g_tus[A->pk_i[k]] > wu)
			A->pk_i[k]++;
		A->pk_best[k] = fmax(A->pk_best[k], t->g_cum[g] - t->g_cum[A->pk_i[k]]);
	}
	return 0;
}

/* the end of segment s: compute()'s segment-end code */
static int
live_seg_end(struct kt_track *t, struct kt_acc *A, struct kt_live_out *o, size_t g0, size_t g1)
{
	const struct kt_params *p = &t->p;
	size_t s = A->s;
	double sprint_thr = p->sprint_kmh / 3.6, t_base = (double) t->g_tus[0] / 1e6;
	struct kt_run_done done;
	int r;

	A->valid_s += (double) (g1 - g0) * GRID_S;
	if (kt_run_dispatch(&A->sprint, KT_RUN_EV_SEGMENT_END, g1, 0, 0, &done)) {
		struct kt_sprint sp = sprint_of_run(t, &done, g0, g1, sprint_thr, t_base, o->series, s);

		r = live_push_sprint(o, A, &sp);
		if (r < 0)
			return r;
	}
	if (kt_run_dispatch(&A->acc, KT_RUN_EV_SEGMENT_END, g1, 0, 0, &done))
		A->accelerations++;
	if (kt_run_dispatch(&A->dec, KT_RUN_EV_SEGMENT_END, g1, 0, 0, &done))
		A->decelerations++;
	if (o->series && s + 1 < t->live->n_seg)
		o->series[g1 + s + 1] = (struct kt_sample10){
			.t_us = t->g_tus[g1] + GRID_US,
			.lat_deg = NAN, .lon_deg = NAN, .x_m = NAN, .y_m = NAN,
			.speed_kmh = NAN, .accel_ms2 = NAN, .zone = 0,
		};
	return 0;
}

/* metrics over grid points [A->g, g_end), closing segments below n_close */
static int
live_run(struct kt_track *t, struct kt_acc *A, struct kt_live_out *o, size_t g_end, size_t n_close)
{
	struct kt_live *l = t->live;
	int r;

	while (A->s < l->n_seg) {
		size_t g0 = l->seg[A->s].g0, g1 = l->seg[A->s].g1;

		for (; A->g <= g1 && A->g < g_end; A->g++) {
			r = live_point(t, A, o, g0, g1);
			if (r < 0)
				return r;
		}
		if (A->g <= g1 || A->s >= n_close)
			break;
		r = live_seg_end(t, A, o, g0, g1);
		if (r < 0)
			return r;
		A->s++;
	}
	return 0;
}

/* the first grid point of segment s that live_grid() rebuilds: R points
 * before the commit point in its segment, else the segment's start */
static size_t
live_rebuild_from(const struct kt_live *l, size_t s)
{
	const struct kt_live_seg *sg = &l->seg[s];

	if (s == l->a.s && l->a.g > sg->g0)
		return l->a.g > sg->g0 + l->reach ? l->a.g - l->reach : sg->g0;
	return sg->g0;
}

/* place new epochs into segments; rebuild and refilter the grid from R
 * points before the commit point (build_grid() and filter_grid() there) */
static int
live_grid(struct kt_track *t)
{
	const struct kt_params *p = &t->p;
	struct kt_live *l = t->live;
	int64_t gap_us = (int64_t) llround(p->gap_s * 1e6);
	bool imu_rule;
	int r;

	for (size_t i = l->n_ep; i < t->n_ep; i++) {
		if (l->n_seg == 0 || t->ep[i].t_us - t->ep[i - 1].t_us > gap_us) {
			size_t g0 = l->n_seg ? l->seg[l->n_seg - 1].g1 + 1 : 0;

			r = grow((void **) &l->seg, &l->cap_seg, l->n_seg + 1, sizeof(*l->seg));
			if (r < 0)
				return r;
			l->seg[l->n_seg++] = (struct kt_live_seg){ .ep0 = i, .ep1 = i, .g0 = g0, .g1 = g0 };
		} else {
			struct kt_live_seg *sg = &l->seg[l->n_seg - 1];

			sg->ep1 = i;
			sg->g1 = sg->g0 + (size_t) ((t->ep[i].t_us - t->ep[sg->ep0].t_us) / GRID_US);
		}
	}
	l->n_ep = t->n_ep;
	l->ng = l->n_seg ? l->seg[l->n_seg - 1].g1 + 1 : 0;
	if (l->ng == 0)
		return 0;
	r = grid_reserve(t, l->ng);
	if (r < 0)
		return r;

	/* the raw grid from R points before the commit point */
	for (size_t s = l->a.s; s < l->n_seg; s++) {
		const struct kt_live_seg *sg = &l->seg[s];
		size_t gb = live_rebuild_from(l, s), lo, hi, k;
		int64_t t0 = t->ep[sg->ep0].t_us;

		/* the last epoch at or before the first grid point rebuilt */
		lo = sg->ep0;
		hi = sg->ep1;
		while (lo < hi) {
			size_t mid = lo + (hi - lo + 1) / 2;

			if (t->ep[mid].t_us <= t0 + (int64_t) (gb - sg->g0) * GRID_US)
				lo = mid;
			else
				hi = mid - 1;
		}
		k = lo;
		for (size_t g = gb; g <= sg->g1; g++) {
			int64_t tq = t0 + (int64_t) (g - sg->g0) * GRID_US;
			const struct kt_epoch *a, *b;
			double f;

			while (k + 1 <= sg->ep1 && t->ep[k + 1].t_us <= tq)
				k++;
			a = &t->ep[k];
			b = k + 1 <= sg->ep1 ? &t->ep[k + 1] : a;
			f = b->t_us > a->t_us ? (double) (tq - a->t_us) / (double) (b->t_us - a->t_us) : 0.0;
			t->g_tus[g] = tq;
			t->g_vraw[g] = lerp(a->v, b->v, f);
			t->g_sacc[g] = isfinite(a->sacc) && isfinite(b->sacc) ? fmax(a->sacc, b->sacc) : NAN;
			lerp_pos(a, b, f, &t->g_x[g], &t->g_y[g], &t->g_lat[g], &t->g_lon[g]);
		}
	}

	/* the Doppler noise as filter_grid() finds it, until its first
	 * DOP_NOISE_N points are all there: from then on it is final */
	if (!l->dop_frozen && (r = dop_noise_estimate(t, &t->dop_sigma, &l->dop_frozen)) < 0)
		return r;
	imu_rule = imu_rule_on(t);

	for (size_t s = l->a.s; s < l->n_seg; s++) {
		const struct kt_live_seg *sg = &l->seg[s];
		size_t gb = live_rebuild_from(l, s), gc = s == l->a.s && l->a.g > sg->g0 ? l->a.g : sg->g0;
		size_t n = sg->g1 - gb + 1;

		if (n > l->cap_f) {
			size_t c = l->cap_f;

			r = grow((void **) &l->f_vh, &c, n, sizeof(double));
			if (r >= 0) {
				c = l->cap_f;
				r = grow((void **) &l->f_v, &c, n, sizeof(double));
			}
			if (r >= 0) {
				c = l->cap_f;
				r = grow((void **) &l->f_a, &c, n, sizeof(double));
			}
			if (r >= 0) {
				c = l->cap_f;
				r = grow((void **) &l->f_m, &c, n, sizeof(double));
			}
			if (r < 0)
				return r;
			l->cap_f = c;
		}
		kt_hampel(t->g_vraw + gb, l->f_vh, NULL, n, l->hh, p->filter_param[1], p->filter_param[2]);
		filter_speed(t, l->f_vh, l->f_v, t->g_tus + gb, imu_rule, n);
		filter_accel(t, l->f_vh, l->f_m, l->f_a, n, l->hm);
		for (size_t g = gc; g <= sg->g1; g++) {
			t->g_vh[g] = l->f_vh[g - gb];
			t->g_v[g] = l->f_v[g - gb];
			t->g_a[g] = l->f_m[g - gb];
		}
	}
	return 0;
}

/* The IMU rest rule decides a grid point by its whole second of IMU
 * samples: a point is final only once the IMU has gone past its second
 * (samples come in time order), so no commit beyond the start of the
 * IMU's current second. Without IMU data (a gpsd vest) nothing waits. */
static size_t
live_imu_limit(const struct kt_track *t, size_t g_end)
{
	const struct kt_live *l = t->live;
	int64_t lim_us;

	if (!(t->p.filter_param[12] > 0) || !t->have_pl_sec0 || !t->imu_have_last)
		return g_end;
	lim_us = t->imu_last_t_us >= 0 ? t->imu_last_t_us / KT_USEC_PER_SEC * KT_USEC_PER_SEC :
					 -((-t->imu_last_t_us + KT_USEC_PER_SEC - 1) / KT_USEC_PER_SEC) * KT_USEC_PER_SEC;
	for (size_t s = l->a.s; s < l->n_seg; s++) {
		const struct kt_live_seg *sg = &l->seg[s];
		int64_t t0 = t->ep[sg->ep0].t_us, t1 = t0 + (int64_t) (sg->g1 - sg->g0) * GRID_US;
		size_t g_lim;

		if (t1 < lim_us)
			continue;
		g_lim = t0 >= lim_us ? sg->g0 : sg->g0 + (size_t) ((lim_us - t0 + GRID_US - 1) / GRID_US);
		return g_lim < g_end ? g_lim : g_end;
	}
	return g_end;
}

static int
live_snapshot(struct kt_track *t, bool with_series, struct kt_result *ret)
{
	const struct kt_params *p = &t->p;
	struct kt_result res = {};
	struct kt_live *l;
	struct kt_acc A;
	struct kt_live_out o;
	size_t cap_sprints = 0;
	int64_t gap_us = (int64_t) llround(p->gap_s * 1e6);
	int r;

	/* totals-only snapshots keep no series; the first full one starts over */
	if (t->live && with_series && !t->live->keep_series) {
		live_free(t->live);
		t->live = NULL;
	}
	if (!t->live) {
		r = live_init(t, with_series);
		if (r < 0)
			return r;
	}
	l = t->live;

	result_start(t, &res);

	r = live_grid(t);
	if (r < 0)
		return r;
	res.doppler_noise_mps = l->ng > 0 || dop_noise_stated(p) ? t->dop_sigma : NAN;

	/* commit what is final: closed segments whole, the last one up to R
	 * points before its last grid point strictly before the last epoch;
	 * nothing while the Doppler noise the filter uses may still change */
	if (l->n_seg > 0 && l->dop_frozen) {
		const struct kt_live_seg *sg = &l->seg[l->n_seg - 1];
		size_t n_final = (size_t) ((t->ep[sg->ep1].t_us - t->ep[sg->ep0].t_us + GRID_US - 1) / GRID_US);
		size_t g_end = n_final > l->reach + 1 ? sg->g0 + n_final - l->reach - 1 : sg->g0;

		g_end = live_imu_limit(t, g_end);

		if (l->keep_series) {
			r = grow((void **) &l->series, &l->cap_series, l->ng + l->n_seg, sizeof(*l->series));
			if (r < 0)
				return r;
		}
		o = (struct kt_live_out){
			.sprints = &l->sprints, .cap_sprints = &l->cap_sprints,
			.heat = l->heat, .nx = l->nx, .ny = l->ny,
			.series = l->keep_series ? l->series : NULL,
		};
		r = live_run(t, &l->a, &o, g_end, l->n_seg - 1);
		if (r < 0)
			return r;
	}

	/* the tail, on copies */
	if (t->has_pitch) {
		res.heat_nx = l->nx;
		res.heat_ny = l->ny;
		res.heat_s = malloc((size_t) l->nx * l->ny * sizeof(double));
		if (!res.heat_s) {
			r = -ENOMEM;
			goto fail;
		}
		memcpy(res.heat_s, l->heat, (size_t) l->nx * l->ny * sizeof(double));
	}
	if (with_series && l->ng > 0) {
		/* every row but the last (spare, zero as in compute()) is either
		 * committed or written by the tail */
		res.series = malloc((l->ng + l->n_seg) * sizeof(*res.series));
		if (!res.series) {
			r = -ENOMEM;
			goto fail;
		}
		/* (nothing committed yet while the Doppler noise is provisional) */
		if (l->a.g + l->a.s > 0)
			memcpy(res.series, l->series, (l->a.g + l->a.s) * sizeof(*res.series));
		memset(&res.series[l->ng + l->n_seg - 1], 0, sizeof(*res.series));
	}
	if (l->a.n_sprints > 0) {
		r = grow((void **) &res.sprints, &cap_sprints, l->a.n_sprints, sizeof(*res.sprints));
		if (r < 0)
			goto fail;
		memcpy(res.sprints, l->sprints, l->a.n_sprints * sizeof(*res.sprints));
	}
	A = l->a;
	o = (struct kt_live_out){
		.sprints = &res.sprints, .cap_sprints = &cap_sprints,
		.heat = res.heat_s, .nx = res.heat_nx, .ny = res.heat_ny, .series = res.series,
	};
	r = live_run(t, &A, &o, l->ng, l->n_seg);
	if (r < 0)
		goto fail;

	res.distance_m = A.distance_m;
	memcpy(res.zone_m, A.zone_m, sizeof(res.zone_m));
	res.hsr_m = A.hsr_m;
	res.n_sprints = A.n_sprints;
	res.sprint_m = A.sprint_m;
	res.max_speed_kmh = A.max_speed_kmh;
	res.last_speed_kmh = A.last_speed_kmh;
	res.accelerations = A.accelerations;
	res.decelerations = A.decelerations;
	res.high_power_m = A.high_power_m;
	memcpy(res.peak_m, A.pk_best, sizeof(res.peak_m));
	peaks_unknown_if_short(t, l->ng, res.peak_m);
	res.n_series = with_series && l->ng ? l->ng + l->n_seg - 1 : 0;

	/* time and rates */
	if (t->n_ep > 0) {
		if (l->gap_i == 0)
			l->gap_i = 1;
		for (; l->gap_i < t->n_ep; l->gap_i++) {
			int64_t d = t->ep[l->gap_i].t_us - t->ep[l->gap_i - 1].t_us;

			if (d > gap_us) {
				l->gaps++;
				l->gap_s += (double) d / 1e6;
			}
		}
		res.first_us = t->ep[0].t_us;
		res.last_us = t->ep[t->n_ep - 1].t_us;
		res.minutes = (double) (res.last_us - res.first_us) / 60e6;
		res.gaps = l->gaps;
		res.gap_s = l->gap_s;
	}
	res.valid_minutes = A.valid_s / 60.0;
	if (res.minutes > 0)
		res.work_rate_m_min = res.distance_m / res.minutes;
	if (A.valid_s > 0)
		res.metabolic_power_wkg = A.power_int / A.valid_s;

	/* PlayerLoad: the same code as compute() */
	r = player_load_result(t, p, &res);
	if (r < 0)
		goto fail;

	/* data quality medians: the values compute()'s median_of() gives */
	for (; l->med_i < t->n_ep; l->med_i++) {
		const struct kt_epoch *e = &t->ep[l->med_i];

		r = e->num_sv >= 0 ? runmed_add(&l->med_sv, e->num_sv) : 0;
		if (r >= 0 && isfinite(e->hdop))
			r = runmed_add(&l->med_hdop, e->hdop);
		if (r >= 0 && isfinite(e->pdop))
			r = runmed_add(&l->med_pdop, e->pdop);
		if (r < 0) {
			/* a half-added epoch would be added again: start over next time */
			runmed_clear(&l->med_sv);
			runmed_clear(&l->med_hdop);
			runmed_clear(&l->med_pdop);
			l->med_i = 0;
			goto fail;
		}
	}
	res.median_num_sv = runmed_get(&l->med_sv);
	res.median_hdop = runmed_get(&l->med_hdop);
	res.median_pdop = runmed_get(&l->med_pdop);

	*ret = res;
	return 0;
fail:
	kt_result_clear(&res);
	return r;
}

int
kt_track_snapshot(struct kt_track *t, struct kt_result *ret)
{
	if (!t || !ret)
		return -EINVAL;
	return live_snapshot(t, true, ret);
}

int
kt_track_snapshot_totals(struct kt_track *t, struct kt_result *ret)
{
	if (!t || !ret)
		return -EINVAL;
	return live_snapshot(t, false, ret);
}

int
kt_track_finish(struct kt_track *t, struct kt_result *ret)
{
	if (!t || !ret)
		return -EINVAL;
	return compute(t, ret);
}

int
kt_track_positions(const struct kt_track *t, struct kt_position **ret, size_t *ret_n)
{
	struct kt_position *pos;

	if (!t || !ret || !ret_n)
		return -EINVAL;
	pos = malloc((t->n_ep ? t->n_ep : 1) * sizeof(*pos));
	if (!pos)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_ep; i++)
		pos[i] = (struct kt_position){
			.t_us = t->ep[i].t_us,
			.lat_deg = t->ep[i].pos_ok ? t->ep[i].lat : NAN,
			.lon_deg = t->ep[i].pos_ok ? t->ep[i].lon : NAN,
		};
	*ret = pos;
	*ret_n = t->n_ep;
	return 0;
}

int
kt_result_set_pitch(struct kt_result *r, const struct kt_position *pos, size_t n, const struct kt_params *p,
		    const struct kt_pitch *pitch)
{
	struct kt_track *t;
	ssize_t ng;
	int ret;

	if (!r || (!pos && n > 0) || !p || !pitch)
		return -EINVAL;
	ret = kt_track_new(p, pitch, &t);
	if (ret < 0)
		return ret;
	ret = grow((void **) &t->ep, &t->cap_ep, n, sizeof(*t->ep));
	if (ret < 0)
		goto out;
	/* the epochs as feeding stored them, as far as the grid's positions go */
	for (size_t i = 0; i < n; i++) {
		struct kt_epoch *e = &t->ep[i];

		*e = (struct kt_epoch){
			.t_us = pos[i].t_us,
			.lat = pos[i].lat_deg,
			.lon = pos[i].lon_deg,
			.x = NAN,
			.y = NAN,
			.sacc = NAN,
			.pos_ok = !isnan(pos[i].lat_deg),
		};
		if (e->pos_ok)
			kt_frame_to_xy(&t->frame, e->lat, e->lon, &e->x, &e->y);
	}
	t->n_ep = n;
	ng = build_grid(t);
	if (ng < 0) {
		ret = (int) ng;
		goto out;
	}
	/* the positions must be those of this result's track */
	if (r->n_series != (ng ? (size_t) ng + t->n_seg - 1 : 0)) {
		ret = -EINVAL;
		goto out;
	}
	ret = pitch_result(t, r);
out:
	kt_track_free(t);
	return ret;
}

/* ---- sorting ---- */

static int
cmp_fix(const void *a, const void *b)
{
	const struct kt_fix *x = a, *y = b;

	return (x->t_us > y->t_us) - (x->t_us < y->t_us);
}

static int
fix_score(const struct kt_fix *f)
{
	return (kt_fix_is_valid(f) ? 8 : 0) + (isfinite(f->hdop) ? 2 : 0) + (f->num_sv >= 0 ? 1 : 0) +
	       (isfinite(f->sacc_mps) ? 1 : 0);
}

size_t
kt_fixes_sort_dedup(struct kt_fix *f, size_t n, uint64_t *ret_dropped)
{
	size_t w = 0;
	bool sorted = true;

	for (size_t i = 1; i < n && sorted; i++)
		if (f[i].t_us < f[i - 1].t_us)
			sorted = false;
	if (!sorted)
		qsort(f, n, sizeof(*f), cmp_fix);
	for (size_t i = 0; i < n; i++) {
		if (w > 0 && f[w - 1].t_us == f[i].t_us) {
			/* same epoch twice: keep the more complete one */
			if (fix_score(&f[i]) > fix_score(&f[w - 1]))
				f[w - 1] = f[i];
			continue;
		}
		f[w++] = f[i];
	}
	if (ret_dropped)
		*ret_dropped += n - w;
	return w;
}

static int
cmp_imu(const void *a, const void *b)
{
	const struct kt_imu_sample *x = a, *y = b;

	return (x->t_us > y->t_us) - (x->t_us < y->t_us);
}

size_t
kt_imu_sort_dedup(struct kt_imu_sample *s, size_t n)
{
	size_t w = 0;
	bool sorted = true;

	for (size_t i = 1; i < n && sorted; i++)
		if (s[i].t_us < s[i - 1].t_us)
			sorted = false;
	if (!sorted)
		qsort(s, n, sizeof(*s), cmp_imu);
	for (size_t i = 0; i < n; i++) {
		if (w > 0 && s[w - 1].t_us == s[i].t_us)
			continue;
		s[w++] = s[i];
	}
	return w;
}
