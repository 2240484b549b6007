/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Ground-truth metrics from the true 100 Hz trajectory, per doc/metrics.md
 * with the default thresholds. The trajectory is a sequence of 10 ms
 * intervals; in each, speed changes linearly from v0 to v1 with the constant
 * dv/dt a = (v1 - v0) / dt. So:
 *   distance of an interval = (v0 + v1) / 2 * dt (exact);
 *   its speed for zones, sprints and metabolic power = (v0 + v1) / 2;
 *   its dv/dt for efforts = a (exact);
 *   a run (sprint, effort) lasts (number of intervals) * 10 ms;
 *   max speed = the highest v reached;
 *   PlayerLoad = sum over consecutive 100 Hz true accelerometer samples of
 *     |delta acc| in g, / 100 (the signal without sensor noise or quantisation);
 *   metabolic power: Osgnach's EC(a/g) * v per interval, time-averaged;
 *   heatmap: 10 ms per true position sample, clamped into the edge cells.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static const double zone_kmh[4] = {7.2, 14.4, 19.8, 25.2};
#define SPRINT_KMH 25.2
#define SPRINT_MIN_S 1.0
#define EFFORT_MS2 3.0
#define EFFORT_MIN_S 0.5
#define HIGH_POWER_WKG 20.0
#define EPS 1e-9

double
sim_osgnach_ec(double es)
{
	double em = sqrt(es * es + 1.0);
	double es2 = es * es, es3 = es2 * es, es4 = es3 * es, es5 = es4 * es;

	return (155.4 * es5 - 30.4 * es4 - 43.3 * es3 + 46.3 * es2 + 19.5 * es + 3.6) * em * 1.29;
}

int
sim_truth_init(struct sim_truth *t, size_t expected_intervals)
{
	memset(t, 0, sizeof(*t));
	t->cap_int = expected_intervals ? expected_intervals : 1024;
	t->d_int = malloc(t->cap_int * sizeof(double));
	if (!t->d_int)
		return -ENOMEM;
	for (int i = 0; i < 3; i++)
		t->peak_m[i] = NAN;
	return 0;
}

void
sim_truth_clear(struct sim_truth *t)
{
	free(t->d_int);
	free(t->sprints);
	memset(t, 0, sizeof(*t));
}

static int
end_sprint(struct sim_truth *t)
{
	if (!t->in_sprint)
		return 0;
	t->in_sprint = false;
	if (t->cur.duration_s < SPRINT_MIN_S - EPS)
		return 0;
	if (t->n_sprints == t->cap_sprints) {
		size_t cap = t->cap_sprints ? t->cap_sprints * 2 : 16;
		struct sim_truth_sprint *s = realloc(t->sprints, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		t->sprints = s;
		t->cap_sprints = cap;
	}
	t->sprints[t->n_sprints++] = t->cur;
	t->sprint_m += t->cur.dist_m;
	return 0;
}

int
sim_truth_feed_interval(struct sim_truth *t, const struct sim_state *s0, double v1)
{
	double v0 = s0->v, vm = 0.5 * (v0 + v1), kmh = vm * 3.6;
	double d = vm * SIM_DT, a = s0->a, p;
	int zone = 0, sign;

	t->duration_s += SIM_DT;
	t->distance_m += d;
	while (zone < 4 && kmh >= zone_kmh[zone])
		zone++;
	t->zone_m[zone] += d;
	t->max_mps = fmax(t->max_mps, fmax(v0, v1));

	if (t->n_int == t->cap_int) {
		size_t cap = t->cap_int * 2;
		double *n = realloc(t->d_int, cap * sizeof(double));
		if (!n)
			return -ENOMEM;
		t->d_int = n;
		t->cap_int = cap;
	}
	t->d_int[t->n_int++] = d;

	/* sprints: maximal runs at >= 25.2 km/h lasting >= 1 s */
	if (kmh >= SPRINT_KMH) {
		if (!t->in_sprint) {
			t->in_sprint = true;
			t->cur = (struct sim_truth_sprint){.start_s = s0->t_s};
		}
		t->cur.duration_s += SIM_DT;
		t->cur.dist_m += d;
		t->cur.top_mps = fmax(t->cur.top_mps, fmax(v0, v1));
	} else {
		int r = end_sprint(t);
		if (r < 0)
			return r;
	}

	/* efforts: maximal runs of dv/dt >= +3 (or <= -3) m/s^2 lasting >= 0.5 s */
	sign = a >= EFFORT_MS2 ? 1 : a <= -EFFORT_MS2 ? -1 : 0;
	if (sign != t->eff_sign) {
		t->eff_sign = sign;
		t->eff_dur = 0;
		t->eff_counted = false;
	}
	if (sign != 0) {
		t->eff_dur += SIM_DT;
		if (!t->eff_counted && t->eff_dur >= EFFORT_MIN_S - EPS) {
			t->eff_counted = true;
			if (sign > 0)
				t->accelerations++;
			else
				t->decelerations++;
		}
	}

	p = sim_osgnach_ec(a / SIM_G) * vm;
	t->power_int += p * SIM_DT;
	if (p > HIGH_POWER_WKG)
		t->high_power_m += d;
	return 0;
}

void
sim_truth_feed_acc(struct sim_truth *t, const double acc_g[3])
{
	if (t->have_acc) {
		double dx = acc_g[0] - t->prev_acc[0], dy = acc_g[1] - t->prev_acc[1],
		       dz = acc_g[2] - t->prev_acc[2];
		t->player_load += sqrt(dx * dx + dy * dy + dz * dz) / 100.0;
	}
	memcpy(t->prev_acc, acc_g, sizeof(t->prev_acc));
	t->have_acc = true;
}

void
sim_truth_feed_position(struct sim_truth *t, double x, double y, double dt_s)
{
	int ix = (int)floor(x / 5.0), iy = (int)floor(y / 4.0);

	ix = ix < 0 ? 0 : ix > 20 ? 20 : ix;
	iy = iy < 0 ? 0 : iy > 16 ? 16 : iy;
	t->heat_s[iy][ix] += dt_s;
}

void
sim_truth_finish(struct sim_truth *t)
{
	static const double win_s[3] = {60, 180, 300};

	(void)end_sprint(t);
	for (int w = 0; w < 3; w++) {
		size_t n = (size_t)llround(win_s[w] * SIM_TRUTH_HZ);
		double sum = 0, best;

		if (t->n_int < n) {
			t->peak_m[w] = NAN;
			continue;
		}
		for (size_t i = 0; i < n; i++)
			sum += t->d_int[i];
		best = sum;
		for (size_t i = n; i < t->n_int; i++) {
			sum += t->d_int[i] - t->d_int[i - n];
			best = fmax(best, sum);
		}
		t->peak_m[w] = best;
	}
}
