/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Unit tests of the simulator's model: the truth metrics follow
 * doc/metrics.md on hand-made speed profiles, and the simulated motion is
 * physically sane (speed and acceleration limits, on the pitch, a football
 * work rate, sprints above 25.2 km/h) and internally consistent (zones add up
 * to the distance, the path length equals the integral of speed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#include "../../kt-test.h"

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

/* feed a speed profile v(k) given at the 100 Hz samples */
static void
feed_profile(struct sim_truth *t, const double *v, size_t n)
{
	for (size_t k = 0; k + 1 < n; k++) {
		struct sim_state s = {
			.t_s = k * SIM_DT, .v = v[k], .a = (v[k + 1] - v[k]) / SIM_DT};
		sim_truth_feed_interval(t, &s, v[k + 1]);
	}
}

static void
test_truth_definitions(void)
{
	struct sim_truth t;
	size_t n = 6001, k;
	double *v = calloc(n, sizeof(double));

	/* 10 s walking, accelerate at 4 m/s^2 for 0.6 s (an effort), jump to
	 * and hold 8 m/s for 1.5 s (a sprint), decelerate at -4 for 0.4 s (too
	 * short), run, then a 0.9 s burst at 7.5 m/s (too short for a sprint) */
	for (k = 0; k < n; k++) {
		double t_s = k * SIM_DT;
		if (t_s < 10)
			v[k] = 1.0;
		else if (t_s < 10.6)
			v[k] = 1.0 + 4.0 * (t_s - 10);
		else if (t_s < 12.1)
			v[k] = 8.0;
		else if (t_s < 12.5)
			v[k] = 8.0 - 4.0 * (t_s - 12.1);
		else if (t_s < 30)
			v[k] = 6.4;
		else if (t_s < 30.9)
			v[k] = 7.5;
		else
			v[k] = 3.0;
	}
	sim_truth_init(&t, 0);
	feed_profile(&t, v, n);
	sim_truth_finish(&t);

	double sum = 0;
	for (k = 0; k + 1 < n; k++)
		sum += 0.5 * (v[k] + v[k + 1]) * SIM_DT;
	CHECK(NEAR(t.distance_m, sum, 1e-9), "distance %f != integral %f", t.distance_m, sum);
	double zsum = 0;
	for (int z = 0; z < 5; z++)
		zsum += t.zone_m[z];
	CHECK(NEAR(zsum, t.distance_m, 1e-9), "zones %f != distance %f", zsum, t.distance_m);
	CHECK(t.n_sprints == 1, "sprints %zu, want 1 (the 0.9 s burst is too short)", t.n_sprints);
	if (t.n_sprints == 1) {
		/* >= 7 m/s from the jump to 8 m/s at 10.6 s to 12.35 s: 1.75 s */
		CHECK(NEAR(t.sprints[0].duration_s, 1.75, 0.011), "sprint lasts %f s",
		      t.sprints[0].duration_s);
		CHECK(NEAR(t.sprints[0].start_s, 10.6, 0.011), "sprint starts at %f s",
		      t.sprints[0].start_s);
		CHECK(NEAR(t.sprints[0].top_mps, 8.0, 1e-9), "top %f", t.sprints[0].top_mps);
		CHECK(NEAR(t.sprint_m, t.sprints[0].dist_m, 1e-9), "sprint_m %f", t.sprint_m);
	}
	CHECK(t.accelerations == 1, "accelerations %u, want 1", t.accelerations);
	CHECK(t.decelerations == 0, "decelerations %u, want 0 (0.4 s is too short)",
	      t.decelerations);
	CHECK(NEAR(t.max_mps, 8.0, 1e-9), "max %f", t.max_mps);
	CHECK(NEAR(t.peak_m[0], sum, 1e-6), "peak1 %f over a 60 s session = total %f", t.peak_m[0],
	      sum);
	CHECK(isnan(t.peak_m[1]), "peak3 of a 1 min session is unknown");
	sim_truth_clear(&t);
	free(v);
}

static void
test_osgnach(void)
{
	/* constant speed on flat ground: EC = 3.6 * 1.29 J/kg/m */
	CHECK(NEAR(sim_osgnach_ec(0), 3.6 * 1.29, 1e-12), "EC(0) = %f", sim_osgnach_ec(0));
	/* ES = 0.2: (155.4*0.00032 - 30.4*0.0016 - 43.3*0.008 + 46.3*0.04 + 19.5*0.2 + 3.6) *
	 * sqrt(1.04) * 1.29 */
	double es = 0.2;
	double want =
		(155.4 * 0.00032 - 30.4 * 0.0016 - 43.3 * 0.008 + 46.3 * 0.04 + 19.5 * 0.2 + 3.6) *
		sqrt(1 + es * es) * 1.29;
	CHECK(NEAR(sim_osgnach_ec(es), want, 1e-9), "EC(0.2) = %f, want %f", sim_osgnach_ec(es),
	      want);
}

static void
test_playerload(void)
{
	struct sim_truth t;
	double a[3] = {0, 0, 1};

	sim_truth_init(&t, 0);
	/* a 0.1 g step on x and back: two deltas of 0.1 g -> 0.002 */
	sim_truth_feed_acc(&t, a);
	a[0] = 0.1;
	sim_truth_feed_acc(&t, a);
	a[0] = 0;
	sim_truth_feed_acc(&t, a);
	/* a (0.3, 0.4, 0) delta is 0.5 g -> 0.005 */
	a[0] = 0.3;
	a[1] = 0.4;
	sim_truth_feed_acc(&t, a);
	CHECK(NEAR(t.player_load, 0.007, 1e-12), "PlayerLoad %f, want 0.007", t.player_load);
	sim_truth_clear(&t);
}

static void
test_heatmap(void)
{
	struct sim_truth t;

	sim_truth_init(&t, 0);
	sim_truth_feed_position(&t, 0.1, 0.1, 1.0);    /* row 0, col 0 */
	sim_truth_feed_position(&t, 104.9, 67.9, 2.0); /* row 16, col 20 */
	sim_truth_feed_position(&t, -3, 70, 0.5);     /* outside: nearest edge cell row 16, col 0 */
	sim_truth_feed_position(&t, 52.5, 4.0, 0.25); /* row 1, col 10 */
	CHECK(t.heat_s[0][0] == 1.0, "cell 0,0 = %f", t.heat_s[0][0]);
	CHECK(t.heat_s[16][20] == 2.0, "cell 16,20 = %f", t.heat_s[16][20]);
	CHECK(t.heat_s[16][0] == 0.5, "cell 16,0 = %f", t.heat_s[16][0]);
	CHECK(t.heat_s[1][10] == 0.25, "cell 1,10 = %f", t.heat_s[1][10]);
	sim_truth_clear(&t);
}

static void
test_rng(void)
{
	struct sim_rng a, b, c;
	double s = 0, s2 = 0;
	int n = 100000;

	sim_rng_seed(&a, 42, 1, 2);
	sim_rng_seed(&b, 42, 1, 2);
	sim_rng_seed(&c, 42, 1, 3);
	for (int i = 0; i < 100; i++)
		CHECK(sim_rng_next(&a) == sim_rng_next(&b), "same seed, same stream");
	CHECK(sim_rng_next(&a) != sim_rng_next(&c), "another stream differs");
	for (int i = 0; i < n; i++) {
		double g = sim_rng_gauss(&a);
		s += g;
		s2 += g * g;
	}
	CHECK(fabs(s / n) < 0.02, "gauss mean %f", s / n);
	CHECK(fabs(s2 / n - 1) < 0.03, "gauss variance %f", s2 / n);
}

/* Simulate players the way sim_run does and check the motion is sane. */
static void
test_motion(enum sim_drill drill)
{
	struct sim_config c;
	unsigned total_sprints = 0;

	sim_config_default(&c);
	c.players = 11;
	c.minutes = 15;
	c.seed = 3;
	c.drill = drill;
	for (unsigned i = 0; i < c.players; i++) {
		struct sim_rng rng;
		struct sim_player p;
		struct sim_motion *m = calloc(1, sizeof(*m));
		struct sim_truth t;
		struct sim_state prev;
		size_t n = (size_t)(c.minutes * 60 * SIM_TRUTH_HZ), outside = 0;
		double path = 0, amax = 0, amin = 0;

		sim_rng_seed(&rng, c.seed, 5, i);
		sim_player_init(&p, &c, i, &rng);
		sim_motion_init(m, &c, &p);
		sim_truth_init(&t, n);
		for (size_t k = 0; k < n; k++) {
			double x0, y0;
			sim_motion_step(m, &prev);
			x0 = prev.x;
			y0 = prev.y;
			sim_truth_feed_interval(&t, &prev, m->s.v);
			path += hypot(m->s.x - x0, m->s.y - y0);
			amax = fmax(amax, prev.a);
			amin = fmin(amin, prev.a);
			if (prev.x < -2 || prev.x > 107 || prev.y < -2 || prev.y > 70)
				outside++;
			CHECK(prev.v >= 0 && prev.v <= p.vmax * 1.02 + 1e-9,
			      "speed %f out of range", prev.v);
		}
		sim_truth_finish(&t);

		double zsum = 0;
		for (int z = 0; z < 5; z++)
			zsum += t.zone_m[z];
		CHECK(NEAR(zsum, t.distance_m, 1e-6), "player %u: zones %f != distance %f", i, zsum,
		      t.distance_m);
		CHECK(NEAR(path, t.distance_m, 0.002 * t.distance_m),
		      "player %u: path %f != integral of speed %f", i, path, t.distance_m);
		CHECK(amax <= p.amax + 1e-9 && amin >= -p.dmax - 1e-9,
		      "player %u: dv/dt %f..%f beyond %f..%f", i, amin, amax, -p.dmax, p.amax);
		CHECK(outside < n / 100, "player %u: %zu of %zu samples off the pitch", i, outside,
		      n);
		if (drill == SIM_DRILL_MATCH && p.role != SIM_GK) {
			double rate = t.distance_m / c.minutes;
			CHECK(rate > 85 && rate < 145, "player %u: work rate %f m/min", i, rate);
			CHECK(t.max_mps * 3.6 > 24 && t.max_mps * 3.6 < 33.5,
			      "player %u: max %f km/h", i, t.max_mps * 3.6);
		}
		if (drill == SIM_DRILL_SPRINTS)
			CHECK(t.n_sprints >= 12 && t.n_sprints <= 16,
			      "player %u: %zu sprints in 15 one-minute cycles", i, t.n_sprints);
		total_sprints += (unsigned)t.n_sprints;
		sim_truth_clear(&t);
		free(m);
	}
	if (drill == SIM_DRILL_MATCH)
		CHECK(total_sprints >= 10 * 2, "only %u sprints by 10 outfield players in 15 min",
		      total_sprints);
}

int
main(void)
{
	test_rng();
	test_truth_definitions();
	test_osgnach();
	test_playerload();
	test_heatmap();
	test_motion(SIM_DRILL_MATCH);
	test_motion(SIM_DRILL_SPRINTS);
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
