/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The true motion of a player, at 100 Hz.
 *
 * A player runs through "bouts": an activity (standing/shuffling, walking,
 * jogging, running, high-speed running, sprinting) with a target speed, a
 * duration and a destination. The destination pulls the player towards a
 * tactical position that follows the ball (role base position shifted with
 * the ball and the possession), inside the pitch. Speed follows the target
 * with a first-order response, limited by the player's acceleration
 * capacity (falling with speed, as in a sprint start), the deceleration limit
 * and a jerk limit, so speed is smooth and dv/dt continuous. Heading turns
 * towards the destination with a yaw rate limited by the lateral acceleration
 * a player can produce; big turns slow the player down first.
 */
#include <string.h>

#include "sim.h"

enum activity { ACT_STAND, ACT_WALK, ACT_JOG, ACT_RUN, ACT_HSR, ACT_SPRINT, _ACT_MAX };

/* probabilities of the next activity: outfield players and goalkeepers */
static const double act_p_field[_ACT_MAX] = {0.15, 0.42, 0.25, 0.10, 0.05, 0.03};
static const double act_p_gk[_ACT_MAX] = {0.40, 0.44, 0.12, 0.03, 0.01, 0.0};
static const double act_dur[_ACT_MAX][2] = {
	{2.0, 8.0}, {3.0, 12.0}, {3.0, 8.0}, {2.0, 5.0}, {1.5, 3.5}, {3.0, 5.5},
};

static double
clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static double
wrap_pi(double a)
{
	while (a > M_PI)
		a -= 2 * M_PI;
	while (a < -M_PI)
		a += 2 * M_PI;
	return a;
}

void
sim_player_init(struct sim_player *p,
		const struct sim_config *c,
		unsigned index,
		struct sim_rng *rng)
{
	/* two teams once there are enough players for a real game */
	unsigned teams = c->players >= 12 ? 2 : 1;
	unsigned team = teams == 2 ? index % 2 : 0;
	unsigned k = teams == 2 ? index / 2 : index; /* index within the team */
	unsigned n_team = teams == 2 ? (c->players + 1 - team) / 2 : c->players;
	/* 1 GK, then DEF/MID/FWD in proportions 4:4:2 */
	static const enum sim_role pattern[11] = {
		SIM_GK,	 SIM_DEF, SIM_MID, SIM_FWD, SIM_DEF, SIM_MID,
		SIM_DEF, SIM_MID, SIM_FWD, SIM_DEF, SIM_MID,
	};
	unsigned same_before = 0, same_total = 0;

	memset(p, 0, sizeof(*p));
	p->index = index;
	p->team = (int)team;
	p->role = k < 11 ? pattern[k] : SIM_MID;
	for (unsigned j = 0; j < n_team; j++) {
		enum sim_role rj = j < 11 ? pattern[j] : SIM_MID;
		if (rj == p->role) {
			if (j < k)
				same_before++;
			same_total++;
		}
	}
	switch (p->role) {
	case SIM_GK:
		p->base_u = 6;
		break;
	case SIM_DEF:
		p->base_u = 30;
		break;
	case SIM_MID:
		p->base_u = 50;
		break;
	case SIM_FWD:
		p->base_u = 68;
		break;
	}
	p->base_y = c->pitch_width_m * (same_before + 1) / (same_total + 1);

	if (p->role == SIM_GK) {
		p->vmax = sim_rng_range(rng, 6.8, 7.6);
		p->amax = sim_rng_range(rng, 3.8, 4.3);
		p->dmax = sim_rng_range(rng, 4.0, 4.6);
		p->pace = sim_rng_range(rng, 0.9, 1.0);
	} else {
		/* 27.5 .. 33 km/h */
		p->vmax = sim_rng_range(rng, 7.65, 9.15);
		p->amax = sim_rng_range(rng, 4.0, 5.0);
		p->dmax = sim_rng_range(rng, 4.3, 5.3);
		p->pace = sim_rng_range(rng, 0.92, 1.08);
	}
}

static void
ball_init(struct sim_ball *b, const struct sim_config *c)
{
	memset(b, 0, sizeof(*b));
	sim_rng_seed(&b->rng, c->seed, 1, 0);
	b->x = b->tx = c->pitch_length_m / 2;
	b->y = b->ty = c->pitch_width_m / 2;
	b->speed = 8;
	b->t_next = 0;
}

static void
ball_step(struct sim_ball *b, const struct sim_config *c, double t)
{
	double L = c->pitch_length_m, W = c->pitch_width_m;
	double dx, dy, d, step;

	if (t >= b->t_next) {
		b->t_next = t + sim_rng_range(&b->rng, 2.0, 7.0);
		b->tx = clampd(b->x + 25 * sim_rng_gauss(&b->rng), 3, L - 3);
		b->ty = clampd(b->y + 15 * sim_rng_gauss(&b->rng), 2, W - 2);
		b->speed = sim_rng_range(&b->rng, 4, 15);
		if (sim_rng_uniform(&b->rng) < 0.3)
			b->possession ^= 1;
	}
	dx = b->tx - b->x;
	dy = b->ty - b->y;
	d = hypot(dx, dy);
	step = b->speed * SIM_DT;
	if (d <= step) {
		b->x = b->tx;
		b->y = b->ty;
	} else {
		b->x += dx / d * step;
		b->y += dy / d * step;
	}
}

/* where the player's role and the ball want him to be */
static void
tactical_target(const struct sim_motion *m, double *ret_x, double *ret_y)
{
	const struct sim_config *c = m->cfg;
	double L = c->pitch_length_m, W = c->pitch_width_m;
	double bu = m->p.team == 0 ? m->ball.x : L - m->ball.x;
	double u, y;

	if (m->p.role == SIM_GK) {
		u = clampd(m->p.base_u + 0.1 * (bu - L / 2), 2, 16);
		y = clampd(W / 2 + 0.3 * (m->ball.y - W / 2), W / 2 - 9, W / 2 + 9);
	} else {
		u = m->p.base_u + 0.55 * (bu - L / 2) + (m->ball.possession == m->p.team ? 6 : -6);
		y = m->p.base_y + 0.35 * (m->ball.y - W / 2);
		u = clampd(u, 3, L - 3);
		y = clampd(y, 3, W - 3);
	}
	*ret_x = m->p.team == 0 ? u : L - u;
	*ret_y = y;
}

static void
pick_destination(struct sim_motion *m, double bout_len_m)
{
	const struct sim_config *c = m->cfg;
	double tx, ty, d, best = -1;
	/* fast runs need room: try a few directions, keep the longest run */
	int tries = m->activity >= ACT_HSR ? 8 : 1;

	tactical_target(m, &tx, &ty);
	d = hypot(tx - m->s.x, ty - m->s.y);
	bout_len_m = fmax(bout_len_m, 4);
	for (int i = 0; i < tries; i++) {
		double ang, x, y, len;

		if (d > 8)
			ang = atan2(ty - m->s.y, tx - m->s.x) +
			      (0.45 + 0.3 * i) * sim_rng_gauss(&m->rng);
		else
			ang = sim_rng_range(&m->rng, -M_PI, M_PI);
		x = clampd(m->s.x + bout_len_m * cos(ang), 1, c->pitch_length_m - 1);
		y = clampd(m->s.y + bout_len_m * sin(ang), 1, c->pitch_width_m - 1);
		/* a run that starts with a U-turn is no sprint */
		len = hypot(x - m->s.x, y - m->s.y) *
		      (0.6 + 0.4 * cos(wrap_pi(atan2(y - m->s.y, x - m->s.x) - m->s.psi)));
		if (len > best) {
			best = len;
			m->dest_x = x;
			m->dest_y = y;
		}
		if (len >= 0.8 * bout_len_m)
			break;
	}
}

static void
next_bout_match(struct sim_motion *m)
{
	const double *p = m->p.role == SIM_GK ? act_p_gk : act_p_field;
	double u = sim_rng_uniform(&m->rng), acc = 0, dur;
	int a = ACT_WALK;

	/* after a hard effort, mostly recover */
	if (m->activity >= ACT_HSR && sim_rng_uniform(&m->rng) < 0.75) {
		a = sim_rng_uniform(&m->rng) < 0.35 ? ACT_STAND : ACT_WALK;
	} else {
		for (int i = 0; i < _ACT_MAX; i++) {
			acc += p[i];
			if (u < acc) {
				a = i;
				break;
			}
		}
	}
	dur = sim_rng_range(&m->rng, act_dur[a][0], act_dur[a][1]);
	switch (a) {
	case ACT_STAND:
		m->v_target = sim_rng_range(&m->rng, 0.25, 0.7);
		break;
	case ACT_WALK:
		m->v_target = sim_rng_range(&m->rng, 1.0, 1.9);
		break;
	case ACT_JOG:
		m->v_target = sim_rng_range(&m->rng, 2.2, 3.8);
		break;
	case ACT_RUN:
		m->v_target = sim_rng_range(&m->rng, 4.0, 5.4);
		break;
	case ACT_HSR:
		m->v_target = sim_rng_range(&m->rng, 5.6, fmin(6.9, m->p.vmax - 0.3));
		break;
	default:
		/* a sprint is a maximal effort: aim above what the legs give */
		m->v_target = m->p.vmax * 1.1;
		break;
	}
	if (a != ACT_SPRINT)
		m->v_target = fmin(m->v_target * m->p.pace, m->p.vmax - 0.2);
	m->activity = a;
	m->t_bout_end = m->s.t_s + dur;
	pick_destination(m, fmin(m->v_target, m->p.vmax) * dur);
}

/* Repeated-sprint drill: every player in its own lane, a 40 m sprint every
 * 60 s (staggered by 4 s per player), walk back, wait. */
static void
next_bout_sprints(struct sim_motion *m)
{
	const struct sim_config *c = m->cfg;
	double lane_y = c->pitch_width_m * (m->p.index + 1) / (c->players + 1);
	double period = 60, offset = 4.0 * (m->p.index % 15);
	double t = m->s.t_s;
	double cyc_start = floor((t - offset) / period) * period + offset;

	switch (m->drill_phase) {
	case 0: /* wait at the start line until this player's slot */
		m->activity = ACT_STAND;
		m->v_target = 0.3;
		m->dest_x = 10;
		m->dest_y = lane_y;
		m->t_bout_end = cyc_start + period;
		m->drill_phase = 1;
		break;
	case 1: /* sprint */
		m->activity = ACT_SPRINT;
		m->v_target = m->p.vmax * 1.1;
		m->dest_x = 95;
		m->dest_y = lane_y;
		m->t_bout_end = t + 30;
		m->drill_phase = 2;
		break;
	default: /* walk back */
		m->activity = ACT_WALK;
		m->v_target = 1.3;
		m->dest_x = 10;
		m->dest_y = lane_y;
		m->t_bout_end = t + 60;
		m->drill_phase = 0;
		break;
	}
}

void
sim_motion_init(struct sim_motion *m, const struct sim_config *c, const struct sim_player *p)
{
	double tx, ty;

	memset(m, 0, sizeof(*m));
	m->cfg = c;
	m->p = *p;
	sim_rng_seed(&m->rng, c->seed, 2, p->index);
	ball_init(&m->ball, c);
	if (c->drill == SIM_DRILL_SPRINTS) {
		m->s.x = 10;
		m->s.y = c->pitch_width_m * (p->index + 1) / (c->players + 1);
		m->s.psi = 0;
	} else {
		tactical_target(m, &tx, &ty);
		m->s.x = clampd(tx + 3 * sim_rng_gauss(&m->rng), 1, c->pitch_length_m - 1);
		m->s.y = clampd(ty + 3 * sim_rng_gauss(&m->rng), 1, c->pitch_width_m - 1);
		m->s.psi = sim_rng_range(&m->rng, -M_PI, M_PI);
	}
	/* a substitute's vest on the bench, 4 m outside the touchline at
	 * halfway, the vests 1 m apart */
	if (p->index + c->bench >= c->players) {
		m->still = true;
		m->s.x = c->pitch_length_m / 2 + (double) (p->index + c->bench - c->players);
		m->s.y = -4.0;
		m->s.psi = 0;
	}
	m->activity = ACT_STAND;
	m->t_bout_end = -1;
}

void
sim_motion_step(struct sim_motion *m, struct sim_state *ret_prev)
{
	const double tau_up = 0.55, tau_down = 0.9, jerk = 20.0, yaw_jerk = 25.0, alat = 5.5;
	struct sim_state *s = &m->s;
	double dx, dy, dist, e, f, v_cmd, a_des, amax_eff, v1, rmax, r_des, psi_mid, vm;

	if (m->still) {
		if (ret_prev)
			*ret_prev = *s;
		s->t_s = (double)++m->k / SIM_TRUTH_HZ;
		return;
	}
	ball_step(&m->ball, m->cfg, s->t_s);

	if (m->cfg->drill == SIM_DRILL_SPRINTS) {
		if (s->t_s >= m->t_bout_end || (m->drill_phase == 2 && s->x >= 50) ||
		    (m->drill_phase == 0 && m->activity == ACT_WALK && s->x <= 11))
			next_bout_sprints(m);
	} else {
		if (s->t_s >= m->t_bout_end)
			next_bout_match(m);
		else if (hypot(m->dest_x - s->x, m->dest_y - s->y) < fmax(1.0, 0.5 * s->v))
			pick_destination(m, fmin(m->v_target, m->p.vmax) *
						    fmax(m->t_bout_end - s->t_s, 1.0));
	}

	dx = m->dest_x - s->x;
	dy = m->dest_y - s->y;
	dist = hypot(dx, dy);
	e = dist > 0.05 ? wrap_pi(atan2(dy, dx) - s->psi) : 0;

	/* a big turn needs a slower run first */
	f = 0.2 + 0.8 * fmax(0, cos(e));
	v_cmd = m->v_target * f;
	if (m->cfg->drill == SIM_DRILL_SPRINTS && dist < 1.0)
		v_cmd = 0;

	a_des = (v_cmd - s->v) / (v_cmd > s->v ? tau_up : tau_down);
	amax_eff = m->p.amax * fmax(0.05, 1.0 - s->v / (m->p.vmax * 1.02));
	a_des = clampd(a_des, -m->p.dmax, amax_eff);
	m->a_cmd += clampd(a_des - m->a_cmd, -jerk * SIM_DT, jerk * SIM_DT);
	v1 = clampd(s->v + m->a_cmd * SIM_DT, 0, m->p.vmax * 1.02);
	s->a = (v1 - s->v) / SIM_DT;
	if (v1 == 0 && m->a_cmd < 0)
		m->a_cmd = 0;

	rmax = fmin(4.0, alat / fmax(s->v, 0.8));
	r_des = clampd(2.5 * e, -rmax, rmax);
	if (ret_prev)
		*ret_prev = *s;

	s->r += clampd(r_des - s->r, -yaw_jerk * SIM_DT, yaw_jerk * SIM_DT);
	psi_mid = s->psi + 0.5 * s->r * SIM_DT;
	vm = 0.5 * (s->v + v1);
	s->x += vm * cos(psi_mid) * SIM_DT;
	s->y += vm * sin(psi_mid) * SIM_DT;
	s->psi = wrap_pi(s->psi + s->r * SIM_DT);
	s->v = v1;
	s->t_s = (double)++m->k / SIM_TRUTH_HZ;
	s->a = 0;
}
