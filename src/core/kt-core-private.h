/* SPDX-License-Identifier: EUPL-1.2 */
/* Internals of the core shared between its files (not for other layers). */
#ifndef KT_CORE_PRIVATE_H
#define KT_CORE_PRIVATE_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "kt-core.h"

/*
 * sin and cos of a + d from those of a, for the small d of a position near
 * a reference (|d| < 0.01 rad, 60 km): Taylor series of sin d and cos d to
 * d^7 and d^8 (the next terms are below 1e-21, far under the last place of
 * double), then the angle-sum formulas. As exact as sin() and cos() within
 * a unit or two in the last place (1e-9 m on the ground), without their
 * cost once per fix (the sin/cos calls of the ENU conversion and the jump
 * check were 6% of a UBX run). Farther away, the library does it.
 */
static inline void
kt_sincos_near(double a, double d, double sa, double ca, double *ret_s, double *ret_c)
{
	if (!(fabs(d) < 0.01)) {
		*ret_s = sin(a + d);
		*ret_c = cos(a + d);
		return;
	}
	double d2 = d * d;
	double sd = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0 * (1.0 - d2 / 42.0)));
	double cd = 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0 * (1.0 - d2 / 56.0)));

	*ret_s = sa * cd + ca * sd;
	*ret_c = ca * cd - sa * sd;
}

/* local tangent plane (east, north), WGS84 */
struct kt_enu {
	double lat0, lon0, sl, cl, so, co, x0, y0, z0, rn, rm;
};
void kt_enu_init(struct kt_enu *e, double lat0_deg, double lon0_deg);
void kt_enu_from_geo(const struct kt_enu *e, double lat, double lon, double *ret_e, double *ret_n);
void kt_enu_to_geo(const struct kt_enu *e, double east, double north, double *ret_lat, double *ret_lon);

/* a validated pitch, ready for fast conversions */
struct kt_frame {
	struct kt_enu enu;
	double mirror, rot, c, s, tx, ty;
	double length_m, width_m;
};
int kt_frame_init(struct kt_frame *f, const struct kt_pitch *p);
void kt_frame_to_xy(const struct kt_frame *f, double lat, double lon, double *ret_x, double *ret_y);

/* Osgnach 2010 metabolic power, W/kg, at speed v and forward acceleration a */
double kt_metabolic_power(double v_mps, double a_ms2);

/* ---- speed filter (kt-filter.c, doc/filter.md) ---- */

/* Hampel outlier replacement: out[i] = median of in[i-half..i+half] when
 * in[i] is further from it than max(k * 1.4826 * MAD, k * sacc[i], floor);
 * else in[i]. sacc may be NULL (NaN entries = unknown). in != out.
 * Returns the number replaced. */
size_t kt_hampel(const double *in, double *out, const double *sacc, size_t n, unsigned half, double k,
		 double floor_mps);
/* Running median over i-half..i+half (shrinking at the ends); in != out. */
void kt_median(const double *in, double *out, size_t n, unsigned half);
/* Rest: v[i] = 0 where v[i] < 2 thr and the mean of vh[i-half..i+half]
 * (shrinking at the ends) is at most thr. half 0 or thr <= 0: nothing. */
void kt_rest_zero(const double *vh, double *v, size_t n, unsigned half, double thr);

/* General Savitzky-Golay filters (value or first derivative at the centre
 * of a least-squares polynomial fit), coefficient tables per half-width so
 * that the window can shrink symmetrically near the ends of a segment. */
#define KT_SG_MAX_HALF 30
#define KT_SG_MAX_ORDER 6
struct kt_sg {
	unsigned half, deriv;
	bool ok[KT_SG_MAX_HALF + 1];
	size_t off[KT_SG_MAX_HALF + 1];
	double c[(KT_SG_MAX_HALF + 1) * (KT_SG_MAX_HALF + 1)];
};
int kt_sg_coeffs(unsigned m, unsigned order, unsigned deriv, double *ret);
int kt_sg_init(struct kt_sg *sg, unsigned half, unsigned order, unsigned deriv);
void kt_sg_apply(const struct kt_sg *sg, const double *in, double *out, size_t n, double dt_s);

/*
 * dv/dt with a window adapted to the data (intersection of confidence
 * intervals): Savitzky-Golay derivatives of half-width 1, 2, 3, 4, 6, 8 ...
 * up to max_half; sample i takes the widest window whose interval
 * estimate +- gamma x (its noise for white input noise sigma) still
 * overlaps those of all narrower ones. Narrow where dv/dt changes fast,
 * wide where it is smooth; sigma 0 gives the narrowest window.
 */
#define KT_ICI_MAX 9
struct kt_ici {
	unsigned n;
	struct kt_sg sg[KT_ICI_MAX];
	double gain[KT_ICI_MAX][KT_SG_MAX_HALF + 1]; /* sqrt(sum c^2) per cut half-width */
};
int kt_ici_init(struct kt_ici *ic, unsigned max_half, unsigned order);
void kt_ici_apply(const struct kt_ici *ic, const double *in, double *out, size_t n, double dt_s, double sigma,
		  double gamma);


/* ---- threshold-run state machine (kt-effort.c, doc/core-state-machines.md) ---- */

enum kt_run_state {
	KT_RUN_BELOW,    /* value below threshold */
	KT_RUN_SHORT,    /* above, but not yet for min_s */
	KT_RUN_COUNTED,  /* above for at least min_s: an effort */
	_KT_RUN_STATE_MAX,
};

enum kt_run_event {
	KT_RUN_EV_ABOVE,       /* a sample at or above the threshold */
	KT_RUN_EV_BELOW,       /* a sample below the threshold */
	KT_RUN_EV_SEGMENT_END, /* the valid data ends (gap or end of data) */
	_KT_RUN_EV_MAX,
};

const char *kt_run_state_to_str(enum kt_run_state s);
const char *kt_run_event_to_str(enum kt_run_event e);

struct kt_run_done {
	double t0_s, t1_s;   /* interpolated threshold crossings (relative time) */
	size_t i0, i1;       /* first and last sample index at/above threshold */
};

struct kt_run {
	const char *name;    /* "sprint", "accel", "decel" for debug lines */
	double threshold;    /* values >= threshold (sign-adjusted by caller) are above */
	double min_s;
	enum kt_run_state state;
	double t_start_s;
	size_t i_start, i_last;
	double prev_t_s, prev_v;
	bool have_prev;
};

void kt_run_init(struct kt_run *r, const char *name, double threshold, double min_s);
/* Feed one sample (time in s, value); returns true and fills *ret when a
 * counted run ended with this event. For SEGMENT_END, t/v are ignored. */
bool kt_run_dispatch(struct kt_run *r, enum kt_run_event ev, size_t i, double t_s, double v,
		     struct kt_run_done *ret);
/* Convenience: feed a sample, choosing ABOVE/BELOW from the value. */
bool kt_run_sample(struct kt_run *r, size_t i, double t_s, double v, struct kt_run_done *ret);

#endif
