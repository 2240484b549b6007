/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The true vest accelerometer and gyroscope (no sensor noise: that is added
 * by the measurement model). Vest frame: x forward, y left, z up; the
 * accelerometer reads specific force, so +1 g on z at rest.
 *
 * - trunk: forward acceleration dv/dt on x, centripetal v * yaw rate on y,
 *   a forward lean growing with speed and acceleration (tilts gravity onto x);
 * - foot strikes: at a step frequency of 1.6 + 0.27 v Hz, a vertical impact
 *   pulse (sin^2 over 35 % of the step) of amplitude min(3, 0.35 v + 0.05 v^2) g,
 *   mean-free (flight phases read below 1 g), so a runner's peaks reach 2-4 g;
 *   a braking/propulsion pulse on x and a side sway on y at half the step
 *   frequency; after each strike a damped 18 Hz ring (tau 50 ms) on all axes,
 *   as vest and soft tissue vibrate;
 * - gyro: yaw rate on z plus trunk rotation with the stride.
 * All terms are smooth functions of the true speed, so PlayerLoad of the true
 * signal is well defined.
 */
#include "sim.h"

void
sim_imu_true_sample(struct sim_imu_truth *it,
		    const struct sim_state *s,
		    double acc_g[3],
		    double gyr_dps[3])
{
	const double w = 0.35;
	double v = s->v;
	double f = v > 0.15 ? 1.6 + 0.27 * v : 0;
	double amp = fmin(3.0, 0.35 * v + 0.05 * v * v);
	double frac, pulse, push, lean, tstep, ring;

	it->step_phase += f * SIM_DT;
	if (it->step_phase >= 1.0) {
		it->step_phase -= 1.0;
		it->step_count++;
	}
	frac = it->step_phase;
	pulse = frac < w ? sin(M_PI * frac / w) : 0;
	pulse *= pulse;
	/* soft tissue and vest ring after each strike: a damped ~18 Hz wobble */
	tstep = f > 0 ? frac / f : 1.0;
	ring = exp(-tstep / 0.05) * sin(2 * M_PI * 18.0 * tstep);
	push = frac < w ? -sin(2 * M_PI * frac / w) : 0;
	/* the side sway alternates foot by foot: a full period spans two steps */
	it->sway_phase = 0.5 * ((it->step_count & 1) + frac);

	lean = 0.05 + 0.02 * v + 0.04 * s->a;
	acc_g[0] = s->a / SIM_G + sin(lean) + 0.3 * amp * push + 0.4 * amp * ring;
	acc_g[1] =
		v * s->r / SIM_G + 0.12 * amp * sin(2 * M_PI * it->sway_phase) + 0.3 * amp * ring;
	acc_g[2] = cos(lean) + amp * (pulse - w / 2) + 0.8 * amp * ring;

	gyr_dps[0] = 8.0 * amp * sin(2 * M_PI * it->sway_phase);
	gyr_dps[1] = 5.0 * amp * cos(2 * M_PI * frac);
	gyr_dps[2] = s->r * 180.0 / M_PI + 12.0 * amp * sin(2 * M_PI * it->sway_phase);
}
