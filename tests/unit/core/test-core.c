/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Unit tests of the core on synthetic input: exact results where the input
 * is noise-free, bounds where it is noisy. Each case names what it guards.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt-core-private.h"

#include "../../kt-test.h"

#define CHECK_NEAR(a, b, tol, what)                                          \
	CHECK(fabs((double) (a) - (double) (b)) <= (tol), "%s: got %.9g want %.9g (tol %g)", what, \
	      (double) (a), (double) (b), (double) (tol))

#define T0_US INT64_C(1790000000000000) /* a November 2026 evening */
#define LAT0 52.5200
#define LON0 13.4050

static struct kt_fix
mkfix(int64_t t_us, double v)
{
	return (struct kt_fix){
		.t_us = t_us,
		.lat_deg = LAT0,
		.lon_deg = LON0,
		.alt_m = 40,
		.speed_mps = v,
		.course_deg = NAN,
		.hdop = 0.9,
		.pdop = 1.6,
		.hacc_m = NAN,
		.sacc_mps = NAN,
		.num_sv = 12,
		.quality = KT_FIX_3D,
	};
}

typedef double (*speed_fn)(double t_s);

/* feed fixes at 10 Hz from t=0 to t=dur_s inclusive, speed from fn */
static struct kt_track *
run_profile(speed_fn fn, double dur_s, struct kt_result *res)
{
	struct kt_params p;
	struct kt_track *t;
	int r;

	kt_params_default(&p);
	r = kt_track_new(&p, NULL, &t);
	CHECK(r == 0, "kt_track_new %d", r);
	for (long i = 0; i <= lround(dur_s * 10); i++) {
		struct kt_fix f = mkfix(T0_US + i * 100000, fn((double) i / 10.0));
		r = kt_track_feed_fix(t, &f);
		CHECK(r == 0, "feed %d", r);
	}
	r = kt_track_finish(t, res);
	CHECK(r == 0, "finish %d", r);
	return t;
}

/* ---- constant speed: distance, zone, max speed, metabolic power exact ---- */
static double v_const5(double t) { (void) t; return 5.0; }
static double v_const4(double t) { (void) t; return 4.0; }

static void
test_constant_speed(void)
{
	struct kt_result r;
	struct kt_track *t = run_profile(v_const5, 60.0, &r);

	CHECK_NEAR(r.distance_m, 300.0, 1e-9, "distance 5 m/s x 60 s");
	CHECK_NEAR(r.zone_m[2], 300.0, 1e-9, "all in Z3 (18 km/h)");
	CHECK_NEAR(r.zone_m[0] + r.zone_m[1] + r.zone_m[3] + r.zone_m[4], 0.0, 1e-9, "other zones");
	CHECK_NEAR(r.max_speed_kmh, 18.0, 1e-9, "max speed");
	CHECK_NEAR(r.minutes, 1.0, 1e-12, "minutes");
	CHECK_NEAR(r.valid_minutes, 1.0, 1e-12, "valid minutes");
	CHECK_NEAR(r.work_rate_m_min, 300.0, 1e-9, "work rate");
	CHECK_NEAR(r.peak_m[0], 300.0, 1e-9, "peak 1 min (whole session)");
	CHECK(isnan(r.peak_m[1]) && isnan(r.peak_m[2]), "no 3- or 5-minute window in a minute: %g %g", r.peak_m[1],
	      r.peak_m[2]);
	CHECK(r.accelerations == 0 && r.decelerations == 0, "efforts %u %u", r.accelerations, r.decelerations);
	CHECK(r.n_sprints == 0, "sprints %zu", r.n_sprints);
	/* Osgnach at a = 0: EC = 3.6 * 1.29 J/kg/m */
	CHECK_NEAR(r.metabolic_power_wkg, 3.6 * 1.29 * 5.0, 1e-9, "metabolic power at 5 m/s");
	CHECK_NEAR(r.high_power_m, 300.0, 1e-9, "23.2 W/kg > 20: all high power");
	CHECK(r.n_series == 601, "series %zu", r.n_series);
	CHECK(r.series[0].zone == 3 && !r.series[0].in_sprint, "series zone");
	CHECK_NEAR(r.fix_pct, 100.0, 1e-12, "fix pct");
	CHECK_NEAR(r.median_num_sv, 12, 0, "median sv");
	CHECK_NEAR(r.median_hdop, 0.9, 1e-6, "median hdop");
	kt_result_clear(&r);
	kt_track_free(t);

	t = run_profile(v_const4, 30.0, &r);
	CHECK_NEAR(r.metabolic_power_wkg, 3.6 * 1.29 * 4.0, 1e-9, "metabolic power at 4 m/s");
	CHECK_NEAR(r.high_power_m, 0.0, 1e-12, "18.6 W/kg: no high power");
	kt_result_clear(&r);
	kt_track_free(t);
}

/* ---- a linear ramp 0 -> 10 m/s over 10 s: zones exact ---- */
static double v_ramp(double t) { return t; }

static void
test_ramp_zones(void)
{
	struct kt_result r;
	struct kt_track *t = run_profile(v_ramp, 10.0, &r);
	/* distance with v in [lo,hi) at a = 1: (hi^2 - lo^2) / 2 */
	const double b[6] = { 0, 2, 4, 5.5, 7, 10 };

	CHECK_NEAR(r.distance_m, 50.0, 1e-9, "ramp distance");
	for (int z = 0; z < 5; z++) {
		char what[32];

		snprintf(what, sizeof(what), "zone %d", z + 1);
		CHECK_NEAR(r.zone_m[z], (b[z + 1] * b[z + 1] - b[z] * b[z]) / 2.0, 1e-9, what);
	}
	CHECK_NEAR(r.hsr_m, (100.0 - 5.5 * 5.5) / 2.0, 1e-9, "hsr");
	CHECK_NEAR(r.max_speed_kmh, 36.0, 1e-9, "max");
	/* 7..10 m/s above 25.2 km/h for 3 s, ending with the data */
	CHECK(r.n_sprints == 1, "sprints %zu", r.n_sprints);
	if (r.n_sprints == 1) {
		CHECK_NEAR(r.sprints[0].duration_s, 3.0, 1e-6, "sprint duration");
		CHECK_NEAR(r.sprints[0].dist_m, 25.5, 1e-9, "sprint distance");
		CHECK_NEAR(r.sprints[0].top_speed_kmh, 36.0, 1e-9, "sprint top");
		CHECK(r.sprints[0].start_us == T0_US + 7000000, "sprint start %lld",
		      (long long) r.sprints[0].start_us);
	}
	CHECK_NEAR(r.sprint_m, 25.5, 1e-9, "sprint m");
	/* a = 1 m/s^2 everywhere: below the effort threshold */
	CHECK_NEAR(r.series[50].accel_ms2, 1.0, 1e-9, "dv/dt of a ramp");
	CHECK(r.accelerations == 0, "accelerations %u", r.accelerations);
	kt_result_clear(&r);
	kt_track_free(t);
}

/* ---- sprints: triangle peaks of 1.2 s (counted) and 0.9 s (not) above 7 m/s ---- */
static double
triangle(double t, double t_peak, double half_base, double lo, double hi)
{
	double d = fabs(t - t_peak);

	return d >= half_base ? lo : hi - (hi - lo) * d / half_base;
}

/* 6 -> 8 m/s in 1.2 s: above 7 m/s for 2 * 0.6 s = 1.2 s */
static double v_sprint12(double t) { return triangle(t, 10.0, 1.2, 6.0, 8.0); }
/* 6 -> 7.6 in 1.2 s: above 7 for 2 * 0.45 s = 0.9 s (smoothing only shortens it) */
static double v_sprint09(double t) { return triangle(t, 10.0, 1.2, 6.0, 7.6); }

static void
test_sprints(void)
{
	struct kt_result r;
	struct kt_track *t = run_profile(v_sprint12, 20.0, &r);

	CHECK(r.n_sprints == 1, "1.2 s sprint: %zu", r.n_sprints);
	if (r.n_sprints == 1) {
		CHECK_NEAR(r.sprints[0].duration_s, 1.2, 1e-6, "duration");
		/* distance above 7 m/s: 2 * (0.6 s at mean 7.5 m/s) = 9 m */
		CHECK_NEAR(r.sprints[0].dist_m, 9.0, 1e-6, "sprint distance");
		CHECK(r.series[100].in_sprint && !r.series[90].in_sprint, "in_sprint flags");
	}
	kt_result_clear(&r);
	kt_track_free(t);

	t = run_profile(v_sprint09, 20.0, &r);
	CHECK(r.n_sprints == 0, "0.9 s is no sprint: %zu", r.n_sprints);
	CHECK_NEAR(r.sprint_m, 0, 0, "no sprint distance");
	kt_result_clear(&r);
	kt_track_free(t);
}

/* ---- the run state machine itself, on raw samples ---- */
static void
test_run_machine(void)
{
	/* K samples of 8 between samples of 6, threshold 7: the interpolated
	 * crossings lie half a step outside, so the run lasts exactly K/10 s */
	static const struct {
		int k;
		double min_s;
		int runs;
	} rows[] = {
		{ 1, 1.0, 0 }, { 9, 1.0, 0 }, { 10, 1.0, 1 }, { 12, 1.0, 1 }, { 30, 1.0, 1 },
		{ 4, 0.5, 0 }, { 5, 0.5, 1 }, { 1, 0.0, 1 },
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct kt_run run;
		struct kt_run_done d;
		int n = 0;
		double dur = NAN;

		kt_run_init(&run, "test", 7.0, rows[r].min_s);
		for (int i = 0; i <= 100; i++) {
			double v = i >= 50 && i < 50 + rows[r].k ? 8.0 : 6.0;

			if (kt_run_sample(&run, (size_t) i, i / 10.0, v, &d)) {
				n++;
				dur = d.t1_s - d.t0_s;
				CHECK(d.i0 == 50 && d.i1 == (size_t) (49 + rows[r].k), "indices %zu %zu", d.i0, d.i1);
			}
		}
		CHECK(!kt_run_dispatch(&run, KT_RUN_EV_SEGMENT_END, 100, 0, 0, &d), "nothing open at end");
		CHECK(n == rows[r].runs, "run of %d samples, min %.1f: %d runs", rows[r].k, rows[r].min_s, n);
		if (n == 1)
			CHECK_NEAR(dur, rows[r].k / 10.0, 1e-9, "run duration");
	}
	/* a run still open when the segment ends is closed at the last sample */
	{
		struct kt_run run;
		struct kt_run_done d;
		bool got = false;

		kt_run_init(&run, "test", 7.0, 1.0);
		for (int i = 0; i <= 20; i++)
			CHECK(!kt_run_sample(&run, (size_t) i, i / 10.0, i >= 5 ? 8.0 : 6.0, &d), "open");
		got = kt_run_dispatch(&run, KT_RUN_EV_SEGMENT_END, 20, 0, 0, &d);
		CHECK(got && fabs(d.t1_s - 2.0) < 1e-9 && fabs(d.t0_s - 0.45) < 1e-9, "closed at segment end");
	}
	CHECK(strcmp(kt_run_state_to_str(KT_RUN_COUNTED), "COUNTED") == 0, "to_str");
	CHECK(strcmp(kt_run_event_to_str(KT_RUN_EV_SEGMENT_END), "SEGMENT_END") == 0, "to_str");
}

/* ---- filter building blocks ---- */
static double v_spiky_ramp(double t)
{
	/* accelerating at 2.5 m/s^2 from 0.5 m/s, with a 3-epoch multipath
	 * spike of +5.5 m/s in the middle of the ramp */
	double v = t < 5 ? 0.5 : t < 6.5 ? 0.5 + 2.5 * (t - 5) : 4.25;
	long i = lround(t * 10);

	return i >= 58 && i <= 60 ? v + 5.5 : v;
}

static void
test_filter_parts(void)
{
	double c[7];
	static const double smooth2[5] = { -3 / 35.0, 12 / 35.0, 17 / 35.0, 12 / 35.0, -3 / 35.0 };
	static const double deriv4[5] = { 1 / 12.0, -8 / 12.0, 0, 8 / 12.0, -1 / 12.0 };
	struct kt_result r;
	struct kt_track *t;

	CHECK(kt_sg_coeffs(2, 2, 0, c) == 0, "coeffs");
	for (int i = 0; i < 5; i++)
		CHECK_NEAR(c[i], smooth2[i], 1e-12, "quadratic smoothing, 5 points");
	CHECK(kt_sg_coeffs(2, 4, 1, c) == 0, "coeffs");
	for (int i = 0; i < 5; i++)
		CHECK_NEAR(c[i], deriv4[i], 1e-12, "quartic derivative, 5 points");
	CHECK(kt_sg_coeffs(1, 4, 0, c) == -EINVAL, "order too high for the window");

	/* the spike is removed although the speed is changing fast */
	t = run_profile(v_spiky_ramp, 20, &r);
	CHECK(r.max_speed_kmh < 4.25 * 3.6 * 1.01, "spike in a ramp removed: max %.2f km/h", r.max_speed_kmh);
	CHECK_NEAR(r.distance_m, 0.5 * 5 + (0.5 + 4.25) / 2 * 1.5 + 4.25 * 13.5, 0.05, "distance without the spike");
	kt_result_clear(&r);
	kt_track_free(t);
}

/* ---- gaps: 2.5 s not integrated and counted; 1.5 s bridged ---- */
static void
test_gaps(void)
{
	struct kt_params p;
	struct kt_track *t;
	struct kt_result r;
	int64_t tu = T0_US;

	kt_params_default(&p);
	CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
	/* 10 s, hole 1.5 s (bridged), 10 s, gap 2.5 s, 10 s; all at 5 m/s */
	for (int part = 0; part < 3; part++) {
		for (int i = 0; i < 100; i++) {
			struct kt_fix f = mkfix(tu, 5.0);

			kt_track_feed_fix(t, &f);
			tu += 100000;
		}
		tu += part == 0 ? 1400000 : 2400000; /* next fix 1.5 / 2.5 s after the last */
	}
	CHECK(kt_track_finish(t, &r) == 0, "finish");
	/* part 1 + hole + part 2: 9.9 + 1.5 + 9.9 s; part 3: 9.9 s */
	CHECK_NEAR(r.distance_m, 5.0 * (9.9 + 1.5 + 9.9 + 9.9), 1e-9, "distance across bridge, not gap");
	CHECK(r.gaps == 1, "gaps %u", r.gaps);
	CHECK_NEAR(r.gap_s, 2.5, 1e-9, "gap seconds");
	CHECK_NEAR(r.valid_minutes, (9.9 + 1.5 + 9.9 + 9.9) / 60.0, 1e-9, "valid minutes");
	CHECK_NEAR(r.minutes, (9.9 + 1.5 + 9.9 + 2.5 + 9.9) / 60.0, 1e-9, "minutes first..last");
	/* series: 214 samples (0..21.3 s), 1 marker, 100 samples */
	CHECK(r.n_series == 214 + 1 + 100, "series %zu", r.n_series);
	if (r.n_series == 315) {
		CHECK(isnan(r.series[214].speed_kmh) && r.series[214].zone == 0, "gap marker");
		CHECK_NEAR(r.series[214].t_us, T0_US + 21400000, 0, "marker time");
		CHECK_NEAR(r.series[213].speed_kmh, 18.0, 1e-9, "before the gap");
		CHECK_NEAR(r.series[215].speed_kmh, 18.0, 1e-9, "after the gap");
		CHECK(r.series[215].t_us == T0_US + 23800000, "after the gap time");
	}
	kt_result_clear(&r);
	kt_track_free(t);
}

/* ---- plausibility: each reason counted, nothing else lost ---- */
static void
test_rejections(void)
{
	struct kt_params p;
	struct kt_track *t;
	struct kt_result r;

	kt_params_default(&p);
	CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
	for (int i = 0; i < 100; i++) {
		struct kt_fix f = mkfix(T0_US + i * 100000, 3.0);

		switch (i) {
		case 10: f.quality = KT_FIX_NONE; break;
		case 11: f.speed_mps = NAN; break;
		case 20: f.speed_mps = 13.0; break;
		case 30: f.hdop = 9.0; break;
		case 31: f.num_sv = 3; break;
		case 40: f.lat_deg += 0.001; break; /* 111 m jump */
		default: break;
		}
		kt_track_feed_fix(t, &f);
		if (i == 50) /* the same epoch again */
			kt_track_feed_fix(t, &f);
	}
	kt_track_note_rejected(t, KT_QREJ_DUPLICATE, 2);
	CHECK(kt_track_finish(t, &r) == 0, "finish");
	CHECK(r.rejected[KT_QREJ_NO_FIX] == 2, "no fix %llu", (unsigned long long) r.rejected[KT_QREJ_NO_FIX]);
	CHECK(r.rejected[KT_QREJ_SPEED] == 1, "speed");
	CHECK(r.rejected[KT_QREJ_DOP] == 2, "dop");
	CHECK(r.rejected[KT_QREJ_JUMP] == 1, "jump");
	CHECK(r.rejected[KT_QREJ_DUPLICATE] == 3, "duplicates %llu",
	      (unsigned long long) r.rejected[KT_QREJ_DUPLICATE]);
	CHECK(r.n_epochs == 100, "epochs %llu", (unsigned long long) r.n_epochs);
	CHECK(r.n_valid_epochs == 95, "valid %llu", (unsigned long long) r.n_valid_epochs);
	/* holes of <= 0.2 s are bridged at the same speed: distance exact */
	CHECK_NEAR(r.distance_m, 3.0 * 9.9, 1e-9, "distance");
	CHECK_NEAR(r.max_speed_kmh, 10.8, 1e-9, "13 m/s spike rejected");
	CHECK(r.gaps == 0, "no gap");
	kt_result_clear(&r);
	kt_track_free(t);
}

/* ---- data quality medians (even counts, unknown values skipped) ---- */
static void
test_quality_medians(void)
{
	struct kt_params p;
	struct kt_track *t;
	struct kt_result r;

	kt_params_default(&p);
	CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
	for (int i = 0; i < 100; i++) {
		struct kt_fix f = mkfix(T0_US + i * 100000, 2.0);

		f.hdop = 1.4 - (i % 10) * 0.1;        /* 10 each of 0.5 .. 1.4 */
		f.num_sv = 5 + (i * 7) % 4;           /* 25 each of 5 .. 8 */
		f.pdop = i % 2 ? NAN : 1.0 + i * 0.01; /* 50 values 1.00 .. 1.98 */
		kt_track_feed_fix(t, &f);
	}
	CHECK(kt_track_finish(t, &r) == 0, "finish");
	CHECK_NEAR(r.median_hdop, 0.95, 1e-6, "median hdop");
	CHECK_NEAR(r.median_num_sv, 6.5, 1e-9, "median numSV");
	CHECK_NEAR(r.median_pdop, 1.49, 1e-6, "median pdop, NaN skipped");
	kt_result_clear(&r);
	kt_track_free(t);
}

/* ---- sorting and de-duplication ---- */
static void
test_sort_dedup(void)
{
	struct kt_fix f[6];
	struct kt_imu_sample s[4] = {
		{ .t_us = 30 }, { .t_us = 10 }, { .t_us = 30 }, { .t_us = 20 },
	};
	static const int64_t order[6] = { 5, 3, 1, 3, 2, 4 };
	uint64_t dropped = 7;
	size_t n;

	for (int i = 0; i < 6; i++)
		f[i] = mkfix(order[i], (double) i);
	f[1].quality = KT_FIX_NONE; /* the invalid copy of t=3 must lose */
	n = kt_fixes_sort_dedup(f, 6, &dropped);
	CHECK(n == 5, "n %zu", n);
	CHECK(dropped == 8, "dropped added: %llu", (unsigned long long) dropped);
	for (size_t i = 0; i < n; i++)
		CHECK(f[i].t_us == (int64_t) i + 1, "order %zu: %lld", i, (long long) f[i].t_us);
	CHECK(kt_fix_is_valid(&f[2]) && f[2].speed_mps == 3.0, "kept the valid duplicate");
	n = kt_imu_sort_dedup(s, 4);
	CHECK(n == 3 && s[0].t_us == 10 && s[1].t_us == 20 && s[2].t_us == 30, "imu");
}

/* ---- pitch frame ---- */
static void
make_pitch(struct kt_pitch *p, double rot_deg, bool clockwise, double len, double wid)
{
	struct kt_enu enu;
	double c = cos(rot_deg * M_PI / 180), s = sin(rot_deg * M_PI / 180);
	static const double ux[4] = { 0, 1, 1, 0 }, uy[4] = { 0, 0, 1, 1 };

	kt_enu_init(&enu, LAT0, LON0);
	for (int i = 0; i < 4; i++) {
		double x = ux[i] * len - len / 2, y = (uy[i] * wid - wid / 2) * (clockwise ? -1 : 1);

		kt_enu_to_geo(&enu, c * x - s * y, s * x + c * y, &p->lat_deg[i], &p->lon_deg[i]);
	}
	p->length_m = len;
	p->width_m = wid;
}

static void
test_pitch(void)
{
	static const struct {
		double rot;
		bool cw;
	} rows[] = { { 0, false }, { 37, false }, { -120, false }, { 90, true }, { 200, true } };
	static const double ex[4] = { 0, 105, 105, 0 }, ey[4] = { 0, 0, 68, 68 };

	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		struct kt_pitch p;

		make_pitch(&p, rows[k].rot, rows[k].cw, 105, 68);
		CHECK(kt_pitch_validate(&p) == 0, "valid pitch rot %g", rows[k].rot);
		for (int i = 0; i < 4; i++) {
			double x, y;

			kt_pitch_to_xy(&p, p.lat_deg[i], p.lon_deg[i], &x, &y);
			CHECK(fabs(x - ex[i]) < 0.01 && fabs(y - ey[i]) < 0.01,
			      "rot %g cw %d corner %d -> (%.3f, %.3f)", rows[k].rot, rows[k].cw, i + 1, x, y);
		}
	}
	/* invalid ones */
	{
		struct kt_pitch p;

		make_pitch(&p, 10, false, 105, 68);
		p.length_m = 0;
		CHECK(kt_pitch_validate(&p) == -EINVAL, "zero length");
		make_pitch(&p, 10, false, 105, 68);
		p.length_m = 200; /* corners say 105 */
		CHECK(kt_pitch_validate(&p) == -EINVAL, "size disagrees with corners");
		make_pitch(&p, 10, false, 105, 68);
		p.lat_deg[2] = NAN;
		CHECK(kt_pitch_validate(&p) == -EINVAL, "NaN corner");
		make_pitch(&p, 10, false, 105, 68);
		p.lat_deg[1] = p.lat_deg[0];
		p.lon_deg[1] = p.lon_deg[0];
		p.lat_deg[2] = p.lat_deg[3];
		p.lon_deg[2] = p.lon_deg[3];
		CHECK(kt_pitch_validate(&p) < 0, "degenerate");
	}
}

/* ---- pitch estimate from positions spread over a rotated pitch ---- */
static void
test_pitch_estimate(void)
{
	struct kt_pitch truth, est;
	struct kt_frame fr;
	struct kt_enu enu;
	size_t n = 0, cap = 40000;
	double *lat = malloc(cap * sizeof(double)), *lon = malloc(cap * sizeof(double));
	double rot = 25 * M_PI / 180, c = cos(rot), s = sin(rot);
	unsigned seed = 1;
	int r;

	make_pitch(&truth, 25, false, 105, 68);
	kt_enu_init(&enu, LAT0, LON0);
	/* a uniform-ish cover of the pitch, as a team would leave over a match */
	for (int i = 0; i < 200; i++)
		for (int j = 0; j < 136; j++) {
			double x = (i + 0.5) * 105.0 / 200 - 52.5, y = (j + 0.5) * 68.0 / 136 - 34;

			seed = seed * 1103515245u + 12345u;
			if (n < cap) {
				kt_enu_to_geo(&enu, c * x - s * y, s * x + c * y, &lat[n], &lon[n]);
				n++;
			}
		}
	r = kt_pitch_estimate(lat, lon, n, &est);
	CHECK(r == 0, "estimate %d", r);
	CHECK(est.length_m == 105 && est.width_m == 68, "snapped %g x %g", est.length_m, est.width_m);
	CHECK(kt_frame_init(&fr, &truth) == 0, "truth frame");
	/* the estimated corners lie on the true ones (up to the symmetry of the rectangle) */
	for (int i = 0; i < 4; i++) {
		double x, y;

		kt_frame_to_xy(&fr, est.lat_deg[i], est.lon_deg[i], &x, &y);
		bool on_corner = (fabs(x) < 1.5 || fabs(x - 105) < 1.5) && (fabs(y) < 1.5 || fabs(y - 68) < 1.5);
		CHECK(on_corner, "estimated corner %d at (%.2f, %.2f)", i + 1, x, y);
	}
	CHECK(kt_pitch_validate(&est) == 0, "estimate is a valid pitch");
	CHECK(kt_pitch_estimate(lat, lon, 10, &est) == -ENODATA, "too few points");

	/* tracks covering 90 x 50 m are a full-size pitch; 50 x 30 m stays as is */
	static const double cover[2][2] = { { 90, 50 }, { 50, 30 } };
	for (int c2 = 0; c2 < 2; c2++) {
		n = 0;
		for (int i = 0; i < 200; i++)
			for (int j = 0; j < 100; j++) {
				double x = (i + 0.5) * cover[c2][0] / 200 - cover[c2][0] / 2;
				double y = (j + 0.5) * cover[c2][1] / 100 - cover[c2][1] / 2;

				if (n < cap) {
					kt_enu_to_geo(&enu, c * x - s * y, s * x + c * y, &lat[n], &lon[n]);
					n++;
				}
			}
		CHECK(kt_pitch_estimate(lat, lon, n, &est) == 0, "estimate");
		if (c2 == 0)
			CHECK(est.length_m == 105 && est.width_m == 68, "full size %g x %g", est.length_m, est.width_m);
		else
			CHECK(est.length_m == 50 && est.width_m == 30, "small %g x %g", est.length_m, est.width_m);
	}
	free(lat);
	free(lon);
}

/* ---- heatmap edge rules ---- */
static void
test_heatmap(void)
{
	static const struct {
		double x, y;
		int cx, cy; /* -1: not counted */
	} rows[] = {
		{ 2.5, 2.0, 0, 0 },      { 5.01, 4.01, 1, 1 },   { 4.99, 3.99, 0, 0 }, { 104.9, 67.9, 20, 16 },
		{ 105.0, 68.0, 20, 16 }, { -1.0, -1.0, 0, 0 },   { 110.0, 30.0, 20, 7 }, { 52.5, 70.0, 10, 16 },
		{ 200.0, 30.0, -1, -1 }, { 52.5, -30.0, -1, -1 },
	};
	struct kt_pitch pitch;
	struct kt_enu enu;
	struct kt_params p;

	kt_params_default(&p);
	make_pitch(&pitch, 0, false, 105, 68);
	kt_enu_init(&enu, LAT0, LON0);
	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		struct kt_track *t;
		struct kt_result r;
		double sum = 0;

		CHECK(kt_track_new(&p, &pitch, &t) == 0, "new");
		/* stand still at (x, y) for 10 s: the rotation is 0, so e = x - 52.5 */
		for (int i = 0; i <= 100; i++) {
			struct kt_fix f = mkfix(T0_US + i * 100000, 0.0);

			kt_enu_to_geo(&enu, rows[k].x - 52.5, rows[k].y - 34, &f.lat_deg, &f.lon_deg);
			kt_track_feed_fix(t, &f);
		}
		CHECK(kt_track_finish(t, &r) == 0, "finish");
		CHECK(r.heat_nx == 21 && r.heat_ny == 17, "size %u x %u", r.heat_nx, r.heat_ny);
		for (size_t i = 0; i < (size_t) r.heat_nx * r.heat_ny; i++)
			sum += r.heat_s[i];
		if (rows[k].cx < 0) {
			CHECK_NEAR(sum, 0, 0, "far outside not counted");
		} else {
			CHECK(fabs(r.heat_s[(size_t) rows[k].cy * 21 + (size_t) rows[k].cx] - 10.0) < 1e-6,
			      "(%g, %g) in cell (%d, %d): x_m %.4f y_m %.4f", rows[k].x, rows[k].y, rows[k].cx,
			      rows[k].cy, r.series[0].x_m, r.series[0].y_m);
			CHECK_NEAR(sum, 10.0, 1e-6, "total seconds");
		}
		if (k == 0)
			CHECK(fabs(r.series[0].x_m - 2.5) < 0.01 && fabs(r.series[0].y_m - 2.0) < 0.01,
			      "series x/y %.3f %.3f", r.series[0].x_m, r.series[0].y_m);
		kt_result_clear(&r);
		kt_track_free(t);
	}
}

/* ---- PlayerLoad of a known signal ---- */
static uint64_t imu_rng = 0x2545F4914F6CDD1Dull;

static double
gauss_imu(void)
{
	double u1, u2;

	imu_rng ^= imu_rng << 13;
	imu_rng ^= imu_rng >> 7;
	imu_rng ^= imu_rng << 17;
	u1 = ((double) (imu_rng >> 11) + 1.0) / 9007199254740993.0;
	imu_rng ^= imu_rng << 13;
	imu_rng ^= imu_rng >> 7;
	imu_rng ^= imu_rng << 17;
	u2 = (double) (imu_rng >> 11) / 9007199254740992.0;
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static void
test_player_load(void)
{
	struct kt_params p;
	struct kt_track *t;
	struct kt_result r;

	kt_params_default(&p);
	p.imu_noise_g = 0; /* a noise-free signal */
	/* a square wave at the Nyquist rate is all 6th difference: to the IMU
	 * rest rule it is sensor noise, and the vest lay still (test_imu_rest) */
	p.filter_param[12] = 0;
	CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
	/* 120 s: a square wave on x (0/1 g), a 3-4-5 step on y/z every other sample */
	for (int i = 0; i < 12000; i++) {
		struct kt_imu_sample s = { .t_us = T0_US + (int64_t) i * 10000 };

		s.acc_g[0] = (float) (i % 2);
		s.acc_g[1] = 0;
		s.acc_g[2] = 1;
		kt_track_feed_imu(t, &s);
	}
	/* fixes for the minute base */
	for (int i = 0; i <= 1200; i++) {
		struct kt_fix f = mkfix(T0_US + i * 100000, 1.0);
		kt_track_feed_fix(t, &f);
	}
	CHECK(kt_track_finish(t, &r) == 0, "finish");
	/* 11999 deltas of 1 g, / 100 */
	CHECK_NEAR(r.player_load, 119.99, 1e-6, "PlayerLoad");
	CHECK_NEAR(r.player_load_per_min, 119.99 / 2.0, 1e-6, "per minute");
	/* 120 s of fixes are two minutes, not a third holding the last instant */
	CHECK(r.n_player_load_minutes == 2, "minutes %zu", r.n_player_load_minutes);
	if (r.n_player_load_minutes == 2)
		CHECK_NEAR(r.player_load_minute[0] + r.player_load_minute[1], 119.99, 1e-6, "minutes sum");
	CHECK_NEAR(r.player_load_minute[0], 59.99, 1e-6, "first minute");
	kt_result_clear(&r);
	kt_track_free(t);

	/* a vest without an accelerometer: PlayerLoad unknown, not 0 */
	CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
	for (int i = 0; i <= 1200; i++) {
		struct kt_fix f = mkfix(T0_US + i * 100000, 1.0);
		kt_track_feed_fix(t, &f);
	}
	CHECK(kt_track_finish(t, &r) == 0, "finish");
	CHECK(isnan(r.player_load) && isnan(r.player_load_per_min) && r.n_player_load_minutes == 0,
	      "no IMU: PlayerLoad %g, per minute %g, %zu minutes", r.player_load, r.player_load_per_min,
	      r.n_player_load_minutes);
	CHECK(r.distance_m > 100, "no IMU: distance %.1f m", r.distance_m);
	kt_result_clear(&r);
	kt_track_free(t);

	/* noise removal: pure white noise of the stated sigma adds little */
	p.imu_noise_g = 0.02;
	CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
	{
		unsigned long long x = 88172645463325252ull;
		double raw = 0;
		float last[3] = { 0 };

		for (int i = 0; i < 60000; i++) {
			struct kt_imu_sample s = { .t_us = T0_US + (int64_t) i * 10000 };
			double d2 = 0;

			for (int k = 0; k < 3; k++) {
				/* Box-Muller from xorshift */
				double u1, u2;
				x ^= x << 13; x ^= x >> 7; x ^= x << 17;
				u1 = ((double) (x >> 11) + 1.0) / 9007199254740993.0;
				x ^= x << 13; x ^= x >> 7; x ^= x << 17;
				u2 = (double) (x >> 11) / 9007199254740992.0;
				s.acc_g[k] = (float) ((k == 2 ? 1.0 : 0.0) + 0.02 * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
				if (i > 0)
					d2 += (double) (s.acc_g[k] - last[k]) * (s.acc_g[k] - last[k]);
				last[k] = s.acc_g[k];
			}
			raw += sqrt(d2) / 100;
			kt_track_feed_imu(t, &s);
		}
		CHECK(kt_track_finish(t, &r) == 0, "finish");
		CHECK(r.player_load < 0.4 * raw, "noise mostly removed: %.2f of raw %.2f", r.player_load, raw);
		CHECK(r.player_load_noise_g == 0.02, "stated noise used");
		kt_result_clear(&r);
	}
	kt_track_free(t);

	/* the default estimates the noise from the quietest seconds */
	kt_params_default(&p);
	CHECK(isnan(p.imu_noise_g), "auto by default");
	CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
	double raw = 0;
	float last[3] = { 0 };
	for (int i = 0; i < 60000; i++) {
		struct kt_imu_sample s = { .t_us = T0_US + (int64_t) i * 10000 };
		/* 600 s: noise of 0.015 g; every other minute also a 2 Hz, 1 g swing */
		bool active = (i / 6000) % 2 == 1;
		double d2 = 0;

		for (int k = 0; k < 3; k++) {
			s.acc_g[k] = (float) (0.015 * gauss_imu() + (k == 2 ? 1.0 : 0.0) +
					      (active && k == 0 ? sin(2 * M_PI * 2 * i / 100.0) : 0.0));
			d2 += (double) (s.acc_g[k] - last[k]) * (s.acc_g[k] - last[k]);
			last[k] = s.acc_g[k];
		}
		if (i > 0)
			raw += sqrt(d2) / 100;
		kt_track_feed_imu(t, &s);
	}
	CHECK(kt_track_finish(t, &r) == 0, "finish");
	CHECK(fabs(r.player_load_noise_g - 0.015) < 0.0015, "estimated noise %.4f", r.player_load_noise_g);
	/* the swing alone: 8 g/s of |delta| (2 Hz x 4 x 1 g) x 300 s / 100 = 24 */
	CHECK(fabs(r.player_load - 24.0) < 0.5 * fabs(raw - 24.0), "PlayerLoad %.2f, raw %.2f, truth 24",
	      r.player_load, raw);
	kt_result_clear(&r);
	kt_track_free(t);
}

static bool
same_d(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0; /* bitwise: NaN == NaN, -0 != 0 */
}

/* ---- snapshot after all data == finish; snapshot mid-way is sane ---- */
static double
v_match(double t)
{
	/* jog with a sprint every 30 s */
	double ph = fmod(t, 30.0);

	return ph < 20 ? 3.0 : triangle(ph, 25.0, 5.0, 3.0, 8.5);
}

static void
test_snapshot(void)
{
	struct kt_params p;
	struct kt_track *t;
	struct kt_result a, b, mid;

	kt_params_default(&p);
	CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
	for (int i = 0; i <= 3000; i++) {
		struct kt_fix f = mkfix(T0_US + i * 100000, v_match(i / 10.0));
		struct kt_imu_sample s = { .t_us = T0_US + (int64_t) i * 100000, .acc_g = { (float) (i % 3), 0, 1 } };

		kt_track_feed_fix(t, &f);
		kt_track_feed_imu(t, &s);
		if (i == 1500) {
			CHECK(kt_track_snapshot(t, &mid) == 0, "mid snapshot");
			CHECK(mid.distance_m > 0 && mid.n_sprints == 5, "mid: %.1f m, %zu sprints", mid.distance_m,
			      mid.n_sprints);
			kt_result_clear(&mid);
		}
	}
	CHECK(kt_track_snapshot(t, &a) == 0, "snapshot");
	CHECK(kt_track_finish(t, &b) == 0, "finish");
	CHECK(a.distance_m == b.distance_m && a.n_sprints == b.n_sprints && a.sprint_m == b.sprint_m &&
		      a.max_speed_kmh == b.max_speed_kmh && a.accelerations == b.accelerations &&
		      a.decelerations == b.decelerations && same_d(a.player_load, b.player_load) &&
		      a.metabolic_power_wkg == b.metabolic_power_wkg && a.n_series == b.n_series &&
		      memcmp(a.zone_m, b.zone_m, sizeof(a.zone_m)) == 0 &&
		      memcmp(a.peak_m, b.peak_m, sizeof(a.peak_m)) == 0,
	      "snapshot == finish");
	CHECK(a.n_sprints == 10, "sprints %zu", a.n_sprints);
	kt_result_clear(&a);
	kt_result_clear(&b);
	kt_track_free(t);
}

/* ---- noisy input: the filter keeps distance, max speed and efforts honest ---- */
static uint64_t rng_state;

static double
gauss(void)
{
	double u1, u2;

	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	u1 = ((double) (rng_state >> 11) + 1.0) / 9007199254740993.0;
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	u2 = (double) (rng_state >> 11) / 9007199254740992.0;
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* a sprint: exponential acceleration to vmax (tau), hold, decelerate at 4 m/s^2 */
static double
v_drill(double t)
{
	double ph = fmod(t, 40.0), v0 = 2.0, vmax = 8.2, tau = 1.1;

	if (ph < 10)
		return v0;
	if (ph < 15)
		return v0 + (vmax - v0) * (1 - exp(-(ph - 10) / tau));
	double vend = v0 + (vmax - v0) * (1 - exp(-5 / tau));
	double v = vend - 4.0 * (ph - 15);
	return v > v0 ? v : v0;
}

/* ---- adaptive dv/dt window and the Doppler noise it adapts to ---- */
static void
test_adaptive_accel(void)
{
	enum { N = 200, K = 100 };
	static double v[N], a[N];
	struct kt_ici *ic = malloc(sizeof(*ic));
	struct kt_params p;
	struct kt_track *t;
	struct kt_result res;

	CHECK(ic && kt_ici_init(ic, 8, 4) == 0 && ic->n == 6, "six windows up to half-width 8");
	if (!ic)
		return;
	/* a quadratic speed: every window is exact, whatever the noise level */
	for (int i = 0; i < N; i++)
		v[i] = 1.0 + 2.0 * (i * 0.1) + 0.5 * (i * 0.1) * (i * 0.1);
	for (int k = 0; k < 2; k++) {
		bool ok = true;

		kt_ici_apply(ic, v, a, N, 0.1, k ? 0.06 : 0.0, 1.25);
		for (int i = 1; i < N - 1; i++)
			ok = ok && fabs(a[i] - (2.0 + i * 0.1)) < 1e-9;
		CHECK(ok, "quadratic speed, noise %s: exact dv/dt", k ? "0.06" : "0");
	}
	/* a kink: +3 m/s^2, then -1 m/s^2 from sample K on. Far from it the
	 * widest window; next to it the windows that straddle it disagree
	 * with the narrow ones by far more than the noise, so a narrow one is
	 * kept and dv/dt stays exact up to 2 samples from the kink (a fixed
	 * 17-sample window is off by up to 2 m/s^2 there) */
	for (int i = 0; i < N; i++)
		v[i] = i <= K ? 3.0 * 0.1 * i : 3.0 * 0.1 * K - 0.1 * (i - K);
	kt_ici_apply(ic, v, a, N, 0.1, 0.01, 1.25);
	CHECK(fabs(a[K - 2] - 3.0) < 1e-9 && fabs(a[K + 2] + 1.0) < 1e-9 && fabs(a[20] - 3.0) < 1e-9 &&
		      fabs(a[180] + 1.0) < 1e-9,
	      "kink: %.3f %.3f %.3f %.3f", a[K - 2], a[K + 2], a[20], a[180]);
	free(ic);

	/* the noise is estimated from the speed (at 10 and at 5 Hz: from the
	 * epochs, not the interpolated grid), or taken as stated */
	for (int run = 0; run < 3; run++) {
		bool stated = run == 2;
		int64_t step_us = run == 1 ? 200000 : 100000;

		kt_params_default(&p);
		if (stated)
			p.filter_param[9] = 0.02;
		rng_state = 0x12345678ull;
		CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
		for (int i = 0; i <= 6000; i++) {
			struct kt_fix f = mkfix(T0_US + i * step_us, 4.0 + 0.05 * gauss());
			kt_track_feed_fix(t, &f);
		}
		CHECK(kt_track_finish(t, &res) == 0, "finish");
		if (stated)
			CHECK(res.doppler_noise_mps == 0.02, "stated noise used: %.4f", res.doppler_noise_mps);
		else
			CHECK(fabs(res.doppler_noise_mps - 0.05) < 0.005, "noise 0.05 at %d Hz estimated as %.4f",
			      run == 1 ? 5 : 10, res.doppler_noise_mps);
		kt_result_clear(&res);
		kt_track_free(t);
	}
}

/* ---- standing: the receiver's speed is its noise's length, not 0 ---- */
/* 60 s standing, then 60 s at 5 m/s, with 0.06 m/s of noise on each
 * velocity axis as a receiver has it; rest_k as given */
static double
rest_distance(double rest_k, double *ret_rest_v)
{
	struct kt_params p;
	struct kt_result r;
	struct kt_track *t;
	double sum = 0;
	int n = 0;

	rng_state = 7;
	kt_params_default(&p);
	p.filter_param[11] = rest_k;
	CHECK(kt_track_new(&p, NULL, &t) == 0, "kt_track_new");
	for (long i = 0; i <= 1200; i++) {
		double v = i < 600 ? 0 : 5, e = 0.06 * gauss(), nn = 0.06 * gauss();
		struct kt_fix f = mkfix(T0_US + i * 100000, hypot(v + e, nn));

		CHECK(kt_track_feed_fix(t, &f) == 0, "feed");
	}
	CHECK(kt_track_finish(t, &r) == 0, "finish");
	for (size_t i = 20; i < 580 && i < r.n_series; i++, n++)
		sum += r.series[i].speed_kmh;
	*ret_rest_v = n ? sum / n : NAN;
	double d = r.distance_m;
	kt_result_clear(&r);
	kt_track_free(t);
	return d;
}

static void
test_rest(void)
{
	double v_rest, v_raw, d = rest_distance(1.5, &v_rest), d_raw = rest_distance(0, &v_raw);

	/* the rest mean of hypot(noise) is 0.06 sqrt(pi/2) = 0.075 m/s: 4.5 m a minute */
	CHECK(d_raw > 303.0, "without the rest rule standing adds distance: %.2f m", d_raw);
	CHECK(v_raw > 0.2, "without the rest rule standing reads %.3f km/h", v_raw);
	CHECK_NEAR(d, 300.0, 1.0, "standing adds no distance");
	CHECK(v_rest < 0.05, "standing reads %.3f km/h", v_rest);
}

static void
test_noisy(void)
{
	struct kt_params p;
	struct kt_result clean, noisy;
	struct kt_track *t;

	kt_params_default(&p);
	t = run_profile(v_drill, 600, &clean);
	kt_track_free(t);
	CHECK(clean.accelerations == 15 && clean.decelerations == 15, "clean efforts %u %u",
	      clean.accelerations, clean.decelerations);
	CHECK(clean.n_sprints == 15, "clean sprints %zu", clean.n_sprints);

	for (uint64_t seed = 1; seed <= 3; seed++) {
		rng_state = seed * 0x9E3779B97F4A7C15ull;
		CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
		for (int i = 0; i <= 6000; i++) {
			double v = v_drill(i / 10.0) + 0.1 * gauss();
			struct kt_fix f = mkfix(T0_US + i * 100000, v > 0 ? v : 0);

			if (seed == 3 && i % 97 == 0)
				f.speed_mps += 3.0; /* multipath spikes */
			kt_track_feed_fix(t, &f);
		}
		CHECK(kt_track_finish(t, &noisy) == 0, "finish");
		CHECK(fabs(noisy.distance_m / clean.distance_m - 1) < 0.01, "seed %llu distance %.1f vs %.1f",
		      (unsigned long long) seed, noisy.distance_m, clean.distance_m);
		CHECK(fabs(noisy.max_speed_kmh / clean.max_speed_kmh - 1) < 0.02, "max %.2f vs %.2f",
		      noisy.max_speed_kmh, clean.max_speed_kmh);
		CHECK(abs((int) noisy.n_sprints - (int) clean.n_sprints) <= 1, "sprints %zu", noisy.n_sprints);
		CHECK(abs((int) noisy.accelerations - (int) clean.accelerations) <= 2, "acc %u",
		      noisy.accelerations);
		CHECK(abs((int) noisy.decelerations - (int) clean.decelerations) <= 2, "dec %u",
		      noisy.decelerations);
		kt_result_clear(&noisy);
		kt_track_free(t);
	}
	kt_result_clear(&clean);
}

/* ---- garbage in: never a crash, never a huge allocation ---- */

/* ---- the incremental snapshot == a whole recomputation, at any time ---- */
static double
uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double) (rng_state >> 11) / 9007199254740992.0;
}

static bool
same_result(const struct kt_result *a, const struct kt_result *b, bool series)
{
	bool ok = a->first_us == b->first_us && a->last_us == b->last_us && same_d(a->minutes, b->minutes) &&
		  same_d(a->valid_minutes, b->valid_minutes) && same_d(a->distance_m, b->distance_m) &&
		  same_d(a->hsr_m, b->hsr_m) && a->n_sprints == b->n_sprints && same_d(a->sprint_m, b->sprint_m) &&
		  same_d(a->max_speed_kmh, b->max_speed_kmh) && same_d(a->last_speed_kmh, b->last_speed_kmh) &&
		  a->accelerations == b->accelerations &&
		  a->decelerations == b->decelerations && same_d(a->player_load, b->player_load) &&
		  same_d(a->player_load_per_min, b->player_load_per_min) &&
		  a->n_player_load_minutes == b->n_player_load_minutes &&
		  same_d(a->metabolic_power_wkg, b->metabolic_power_wkg) && same_d(a->high_power_m, b->high_power_m) &&
		  same_d(a->work_rate_m_min, b->work_rate_m_min) && a->heat_nx == b->heat_nx &&
		  a->heat_ny == b->heat_ny && a->n_epochs == b->n_epochs && a->n_valid_epochs == b->n_valid_epochs &&
		  same_d(a->fix_pct, b->fix_pct) && same_d(a->median_num_sv, b->median_num_sv) &&
		  same_d(a->median_hdop, b->median_hdop) && same_d(a->median_pdop, b->median_pdop) &&
		  a->gaps == b->gaps && same_d(a->gap_s, b->gap_s) &&
		  memcmp(a->rejected, b->rejected, sizeof(a->rejected)) == 0 &&
		  same_d(a->player_load_noise_g, b->player_load_noise_g) && same_d(a->imu_still_s, b->imu_still_s) &&
		  same_d(a->imu_still_run_s, b->imu_still_run_s) &&
		  same_d(a->doppler_noise_mps, b->doppler_noise_mps);

	for (int z = 0; z < 5; z++)
		ok = ok && same_d(a->zone_m[z], b->zone_m[z]);
	for (int w = 0; w < 3; w++)
		ok = ok && same_d(a->peak_m[w], b->peak_m[w]);
	for (size_t i = 0; ok && i < a->n_sprints; i++)
		ok = a->sprints[i].start_us == b->sprints[i].start_us &&
		     same_d(a->sprints[i].duration_s, b->sprints[i].duration_s) &&
		     same_d(a->sprints[i].dist_m, b->sprints[i].dist_m) &&
		     same_d(a->sprints[i].top_speed_kmh, b->sprints[i].top_speed_kmh);
	for (size_t i = 0; ok && i < (size_t) a->heat_nx * a->heat_ny; i++)
		ok = same_d(a->heat_s[i], b->heat_s[i]);
	for (size_t i = 0; ok && i < a->n_player_load_minutes; i++)
		ok = same_d(a->player_load_minute[i], b->player_load_minute[i]);
	if (!series)
		return ok && a->n_series == 0 && !a->series;
	ok = ok && a->n_series == b->n_series;
	for (size_t i = 0; ok && i < a->n_series; i++) {
		const struct kt_sample10 *x = &a->series[i], *y = &b->series[i];

		ok = x->t_us == y->t_us && same_d(x->lat_deg, y->lat_deg) && same_d(x->lon_deg, y->lon_deg) &&
		     same_d(x->x_m, y->x_m) && same_d(x->y_m, y->y_m) && same_d(x->speed_kmh, y->speed_kmh) &&
		     same_d(x->accel_ms2, y->accel_ms2) && x->zone == y->zone && x->in_sprint == y->in_sprint;
	}
	return ok;
}

/* Fix i of a rough track: 10 Hz with holes, gaps, irregular epochs, speed
 * spikes, position jumps, missing DOP/satellites, a few no-fix epochs. */
static struct kt_fix
irregular_fix(int i, int64_t *tu, double *v, double *x)
{
	double u = uniform(), y;
	struct kt_enu enu;
	struct kt_fix f;

	*tu += u < 0.002 ? 2000000 + (int64_t) (uniform() * 3e6) :
	       u < 0.01  ? 200000 + 100000 * (int64_t) (uniform() * 5) :
	       u < 0.02  ? 100000 + 33000 * (int64_t) (uniform() * 3) : 100000;
	*v += ((i / 10) % 20 < 4 ? 8.5 - *v : 3.0 - *v) * 0.15 + (uniform() - 0.5) * 0.6;
	*v = fmax(*v, 0.0);
	*x += *v * 0.1 * ((i / 300) % 2 ? -1 : 1);
	y = 20 * sin(i / 500.0);
	kt_enu_init(&enu, LAT0, LON0);
	f = mkfix(*tu, *v + (uniform() < 0.01 ? 3 : 0));
	kt_enu_to_geo(&enu, *x + (uniform() < 0.005 ? 60 : 0), y, &f.lat_deg, &f.lon_deg);
	f.hdop = uniform() < 0.05 ? NAN : 0.5 + uniform();
	f.pdop = uniform() < 0.5 ? NAN : 1.2;
	f.num_sv = uniform() < 0.03 ? -1 : 5 + (int) (uniform() * 8);
	f.sacc_mps = uniform() < 0.5 ? NAN : 0.2;
	if (uniform() < 0.005)
		f.quality = KT_FIX_NONE;
	return f;
}

/* A pitch set after finishing (kt_track_positions + kt_result_set_pitch)
 * gives the same bits as a track made with it. */
static void
test_set_pitch(void)
{
	struct kt_params p;
	struct kt_pitch pitch, bad;
	struct kt_track *with, *without;
	struct kt_result a, b;
	struct kt_position *pos = NULL;
	size_t n = 0;
	double v = 3.0, x = 0;
	int64_t tu = T0_US;

	rng_state = 0x9E3779B97F4A7C15ULL;
	kt_params_default(&p);
	make_pitch(&pitch, 30, false, 105, 68);
	CHECK(kt_track_new(&p, &pitch, &with) == 0, "new");
	CHECK(kt_track_new(&p, NULL, &without) == 0, "new");
	for (int i = 0; i < 6000; i++) {
		struct kt_fix f = irregular_fix(i, &tu, &v, &x);

		kt_track_feed_fix(with, &f);
		kt_track_feed_fix(without, &f);
	}
	CHECK(kt_track_finish(with, &a) == 0, "finish");
	CHECK(kt_track_finish(without, &b) == 0, "finish");
	CHECK(b.heat_nx == 0 && !b.heat_s && b.n_series > 0 && isnan(b.series[0].x_m), "no pitch: no x/y");
	CHECK(a.rejected[KT_QREJ_JUMP] > 0 && a.gaps > 0, "the track has jumps and gaps");
	CHECK(kt_track_positions(without, &pos, &n) == 0 && n == b.n_valid_epochs, "positions");
	/* positions of another track, a degenerate pitch: refused, r untouched */
	CHECK(kt_result_set_pitch(&b, pos, n / 2, &p, &pitch) == -EINVAL, "positions of another track");
	make_pitch(&bad, 30, false, 105, 68);
	bad.length_m = 0;
	CHECK(kt_result_set_pitch(&b, pos, n, &p, &bad) == -EINVAL, "degenerate pitch");
	CHECK(b.heat_nx == 0 && !b.heat_s, "r untouched");
	CHECK(kt_result_set_pitch(&b, pos, n, &p, &pitch) == 0, "set pitch");
	CHECK(same_result(&a, &b, true), "pitch set afterwards != pitch from the start");
	free(pos);
	kt_result_clear(&a);
	kt_result_clear(&b);
	kt_track_free(with);
	kt_track_free(without);
}

static void
test_snapshot_incremental(void)
{
	for (int variant = 0; variant < 2; variant++) {
		struct kt_params p;
		struct kt_pitch pitch;
		struct kt_track *t;
		double v = 3.0, x = 0;
		int64_t tu = T0_US, ti = T0_US;
		unsigned bad = 0, checked = 0;

		rng_state = 0x2545F4914F6CDD1DULL + (uint64_t) variant;
		kt_params_default(&p);
		if (variant == 1)
			p.filter_param[7] = 0; /* no running median of dv/dt: a shorter reach */
		make_pitch(&pitch, 30, false, 105, 68);
		CHECK(kt_track_new(&p, variant == 0 ? &pitch : NULL, &t) == 0, "new");
		for (int i = 0; i < 8000; i++) {
			struct kt_fix f = irregular_fix(i, &tu, &v, &x);

			kt_track_feed_fix(t, &f);
			for (; ti < tu; ti += 10000) {
				struct kt_imu_sample s = { .t_us = ti,
							   .acc_g = { (float) (0.1 * uniform()), (float) (0.1 * uniform()), 1 } };
				kt_track_feed_imu(t, &s);
			}
			if (i < 40 || i % 97 == 0 || i == 7999) {
				struct kt_result a, b;
				bool totals = uniform() < 0.5;

				CHECK((totals ? kt_track_snapshot_totals(t, &a) : kt_track_snapshot(t, &a)) == 0,
				      "snapshot");
				/* "now" is the filtered series' last value: never above the top speed */
				CHECK(i == 0 || (isfinite(a.last_speed_kmh) && a.last_speed_kmh <= a.max_speed_kmh),
				      "variant %d: speed now %g above the maximum %g", variant, a.last_speed_kmh,
				      a.max_speed_kmh);
				if (!totals && a.n_series > 0)
					CHECK(a.last_speed_kmh == a.series[a.n_series - 1].speed_kmh,
					      "variant %d: speed now %g is not the series' last %g", variant,
					      a.last_speed_kmh, a.series[a.n_series - 1].speed_kmh);
				if (i % 3 == 0 || i == 7999) {
					CHECK(kt_track_finish(t, &b) == 0, "finish");
					checked++;
					if (!same_result(&a, &b, !totals) && bad++ == 0)
						CHECK(false, "variant %d: snapshot after epoch %d != finish", variant, i);
					kt_result_clear(&b);
				}
				kt_result_clear(&a);
			}
		}
		CHECK(bad == 0 && checked > 20, "variant %d: %u of %u snapshots differ from finish", variant, bad,
		      checked);
		kt_track_free(t);
	}
}

/* ---- the IMU rest rule: a vest lying still runs no metres ---- */

/* 10 minutes at 10 Hz of a receiver whose speed is the length of a slowly
 * wandering velocity error (white 0.02 + Gauss-Markov 0.05 m/s, tau 2 s,
 * per axis: a real receiver at rest) around the true speed, and a 100 Hz
 * IMU: gravity + 0.01 g of white noise. The vest is worn and walks at 0.4
 * m/s (steps in the IMU: impacts of 0.15 g at 1.7 Hz) for the first walk_s
 * seconds, then lies still. Snapshots along the way must equal a finish at
 * the same moment: the rule decides a second once the IMU is past it, and
 * here the IMU comes 2.5 s behind the GNSS (a vest sending it in batches). */
static void
imu_rest_run(double walk_s, double imu_rest_k, bool stuck, struct kt_result *res, unsigned *ret_bad)
{
	struct kt_params p;
	struct kt_track *t;
	double be = 0, bn = 0, a = exp(-0.1 / 2.0), q = 0.05 * sqrt(1 - a * a);
	int64_t ti = T0_US;
	unsigned bad = 0;

	rng_state = 0x9E3779B97F4A7C15ULL;
	kt_params_default(&p);
	p.filter_param[12] = imu_rest_k;
	CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
	for (int i = 0; i <= 6000; i++) {
		int64_t tu = T0_US + (int64_t) i * 100000;
		double v_true = i * 0.1 < walk_s ? 0.4 : 0.0;
		struct kt_fix f;

		be = a * be + q * gauss();
		bn = a * bn + q * gauss();
		f = mkfix(tu, hypot(v_true + be + 0.02 * gauss(), bn + 0.02 * gauss()));
		kt_track_feed_fix(t, &f);
		for (; ti < (i == 6000 ? tu + 1 : tu - 2500000); ti += 10000) {
			double ts = (double) (ti - T0_US) / 1e6, ph = fmod(ts * 1.7, 1.0);
			double imp = ts < walk_s && ph < 0.35 ? 0.15 * pow(sin(M_PI * ph / 0.35), 2) : 0;
			struct kt_imu_sample s = { .t_us = ti };

			s.acc_g[0] = (float) (0.05 + 0.01 * gauss());
			s.acc_g[1] = (float) (0.01 * gauss());
			s.acc_g[2] = (float) (1.0 + imp + 0.01 * gauss());
			if (stuck) /* an accelerometer that reads the same value forever */
				s.acc_g[0] = 0.05f, s.acc_g[1] = 0, s.acc_g[2] = 1;
			kt_track_feed_imu(t, &s);
		}
		if (ret_bad && (i % 250 == 0 || i == 6000)) {
			struct kt_result s1, f1;

			CHECK(kt_track_snapshot(t, &s1) == 0, "snapshot");
			CHECK(kt_track_finish(t, &f1) == 0, "finish");
			if (!same_result(&s1, &f1, true))
				bad++;
			kt_result_clear(&s1);
			kt_result_clear(&f1);
		}
	}
	CHECK(kt_track_finish(t, res) == 0, "finish");
	kt_track_free(t);
	if (ret_bad)
		*ret_bad = bad;
}

static void
test_imu_rest(void)
{
	struct kt_result r;
	unsigned bad = 0;
	double walk;

	/* on the bench: nothing run, no load; the GNSS rest rule alone (the
	 * rule off) lets the wandering velocity through */
	imu_rest_run(0, 2.0, false, &r, &bad);
	CHECK(r.distance_m < 0.5, "a vest lying still ran %.1f m", r.distance_m);
	CHECK(r.player_load == 0, "a vest lying still has PlayerLoad %.2f", r.player_load);
	CHECK(bad == 0, "%u snapshots of a vest lying still differ from finish", bad);
	kt_result_clear(&r);
	imu_rest_run(0, 0, false, &r, NULL);
	CHECK(r.distance_m > 20, "without the IMU rest rule: %.1f m (the test's noise is too kind)", r.distance_m);
	kt_result_clear(&r);
	/* walking slowly all the time: no second of it is taken for lying
	 * still (the same metres as without the rule; the receiver's noise
	 * reads a slow walk about 3 % fast) */
	imu_rest_run(600, 2.0, false, &r, &bad);
	walk = r.distance_m;
	CHECK(fabs(walk - 240) < 0.05 * 240, "walking 240 m at 0.4 m/s: %.1f m", walk);
	CHECK(bad == 0, "%u snapshots of a walking vest differ from finish", bad);
	kt_result_clear(&r);
	imu_rest_run(600, 0, false, &r, NULL);
	CHECK(fabs(r.distance_m - walk) < 0.001 * walk, "walking: %.1f m with the IMU rest rule, %.1f m without",
	      walk, r.distance_m);
	kt_result_clear(&r);
	/* walking 6 minutes (the noise is final, snapshots commit), then put down */
	imu_rest_run(360, 2.0, false, &r, &bad);
	CHECK(fabs(r.distance_m - 0.6 * walk) < 0.01 * 0.6 * walk, "walking %.1f m, then lying still: %.1f m",
	      0.6 * walk, r.distance_m);
	CHECK(bad == 0, "%u snapshots of a vest walking, then lying still differ from finish", bad);
	kt_result_clear(&r);
	/* a stuck accelerometer is no vest at rest: the slow walk counts */
	imu_rest_run(600, 2.0, true, &r, NULL);
	CHECK(fabs(r.distance_m - walk) < 0.001 * walk && r.imu_still_s == 0,
	      "walking with a stuck accelerometer: %.1f m (%.1f m with a working one), %g s still", r.distance_m,
	      walk, r.imu_still_s);
	kt_result_clear(&r);
	/* and the bench vest's seconds are counted */
	imu_rest_run(0, 2.0, false, &r, NULL);
	CHECK(r.imu_still_s >= 595 && r.imu_still_run_s >= 595, "a vest lying still 10 minutes: %g s still, %g in a row",
	      r.imu_still_s, r.imu_still_run_s);
	kt_result_clear(&r);
}

static void
test_garbage(void)
{
	static const double odd[] = { NAN, INFINITY, -INFINITY, -1.0, 0.0, 1e300, -1e300, 1e-300 };
	struct kt_params p;
	struct kt_pitch pitch;
	struct kt_track *t;
	struct kt_result r;
	uint64_t x = 12345;

	kt_params_default(&p);
	make_pitch(&pitch, 30, false, 105, 68);
	CHECK(kt_track_new(&p, &pitch, &t) == 0, "new");
	for (int i = 0; i < 20000; i++) {
		struct kt_fix f;
		struct kt_imu_sample s = {};

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		f = mkfix(T0_US + (int64_t) (x % 3000000000ull) - 1000000000, 3.0);
		if (x & 1)
			f.speed_mps = odd[(x >> 3) % 8];
		if (x & 2)
			f.lat_deg = odd[(x >> 6) % 8];
		if (x & 4)
			f.hdop = odd[(x >> 9) % 8];
		if ((x & 0x70) == 0x70)
			f.t_us = (int64_t) x; /* any time at all */
		f.num_sv = (int) ((x >> 12) % 20) - 2;
		f.quality = (enum kt_fix_quality) ((x >> 17) % 7);
		kt_track_feed_fix(t, &f);
		s.t_us = (x & 0x80) ? (int64_t) (x >> 1) : T0_US + (int64_t) i * 10000;
		for (int k = 0; k < 3; k++)
			s.acc_g[k] = (float) odd[(x >> (20 + 3 * k)) % 8];
		kt_track_feed_imu(t, &s);
		if (i % 5000 == 0) {
			CHECK(kt_track_snapshot(t, &r) == 0, "snapshot");
			kt_result_clear(&r);
		}
	}
	CHECK(kt_track_finish(t, &r) == 0, "finish");
	CHECK(!isnan(r.distance_m) && r.distance_m >= 0, "distance %g", r.distance_m);
	CHECK(isnan(r.max_speed_kmh) || r.max_speed_kmh <= 12 * 3.6 + 1e-9, "max %g", r.max_speed_kmh);
	kt_result_clear(&r);
	kt_track_free(t);

	/* nothing at all */
	CHECK(kt_track_new(&p, NULL, &t) == 0, "new");
	CHECK(kt_track_finish(t, &r) == 0, "finish empty");
	CHECK(r.n_series == 0 && r.distance_m == 0 && isnan(r.max_speed_kmh) && isnan(r.fix_pct), "empty result");
	kt_result_clear(&r);
	kt_track_free(t);
	CHECK(kt_track_free(NULL) == NULL, "free NULL");
	kt_result_clear(NULL);
}

/* kt_track_feed_imu_run() is kt_track_feed_imu() sample by sample, to the
 * bit: noisy samples with holes, NaNs, duplicates, samples out of order and
 * a clock jump, fed one by one and in runs of many lengths. */
static void
test_imu_run(void)
{
	enum { N = 30000 };
	static struct kt_imu_sample s[N];
	int64_t t_us = T0_US;
	uint64_t rng_saved = imu_rng; /* the other tests' noise stays as it was */
	struct kt_params p;

	for (int i = 0; i < N; i++) {
		t_us += 10000;
		if (i % 997 == 0)
			t_us += 70000;          /* a hole: the chain breaks */
		if (i == 20000)
			t_us += 5 * 86400 * KT_USEC_PER_SEC; /* a broken clock */
		s[i].t_us = t_us;
		if (i % 1301 == 5)
			s[i].t_us -= 30000;     /* out of order: dropped */
		if (i % 1777 == 9)
			s[i].t_us = s[i - 1].t_us; /* duplicate: dropped */
		for (int k = 0; k < 3; k++)
			s[i].acc_g[k] = (float) (0.3 * sin(i * 0.01 + k) + 0.02 * gauss_imu());
		if (i % 2003 == 11)
			s[i].acc_g[i % 3] = NAN;
	}
	imu_rng = rng_saved;
	kt_params_default(&p);
	for (size_t len = 1; len <= 4096; len = len * 3 + 1) {
		struct kt_track *a, *b;
		struct kt_result ra, rb;
		CHECK(kt_track_new(&p, NULL, &a) == 0 && kt_track_new(&p, NULL, &b) == 0, "new");
		for (int i = 0; i < N; i++)
			kt_track_feed_imu(a, &s[i]);
		for (size_t i = 0; i < N; i += len)
			CHECK(kt_track_feed_imu_run(b, &s[i], N - i < len ? N - i : len) == 0, "run");
		CHECK(kt_track_finish(a, &ra) == 0 && kt_track_finish(b, &rb) == 0, "finish");
		CHECK(ra.player_load == rb.player_load && ra.player_load_noise_g == rb.player_load_noise_g &&
			      ra.n_player_load_minutes == rb.n_player_load_minutes &&
			      !memcmp(ra.player_load_minute, rb.player_load_minute,
				      ra.n_player_load_minutes * sizeof(double)),
		      "runs of %zu: PlayerLoad %.17g vs %.17g, noise %.17g vs %.17g", len, rb.player_load,
		      ra.player_load, rb.player_load_noise_g, ra.player_load_noise_g);
		CHECK(ra.player_load > 0 && ra.player_load_noise_g > 0, "a real signal");
		kt_result_clear(&ra);
		kt_result_clear(&rb);
		kt_track_free(a);
		kt_track_free(b);
	}
}

int
main(void)
{
	test_constant_speed();
	test_rest();
	test_ramp_zones();
	test_sprints();
	test_run_machine();
	test_filter_parts();
	test_gaps();
	test_rejections();
	test_quality_medians();
	test_sort_dedup();
	test_pitch();
	test_pitch_estimate();
	test_heatmap();
	test_player_load();
	test_imu_run();
	test_snapshot();
	test_snapshot_incremental();
	test_imu_rest();
	test_set_pitch();
	test_noisy();
	test_adaptive_accel();
	test_garbage();
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
