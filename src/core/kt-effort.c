/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One state machine finds every kind of effort: a maximal run of samples at
 * or above a threshold that lasts at least min_s (sprints on the filtered
 * speed, accelerations on dv/dt, decelerations on -dv/dt). Start and end
 * are the threshold crossings, interpolated linearly between samples, so a
 * run's duration does not depend on the sample phase. Diagram and table in
 * doc/core-state-machines.md.
 */
#include "kt-core-private.h"
#include "util/kt-log.h"

#define TIME_EPS_S 1e-6

const char *
kt_run_state_to_str(enum kt_run_state s)
{
	static const char *const names[_KT_RUN_STATE_MAX] = {
		[KT_RUN_BELOW] = "BELOW",
		[KT_RUN_SHORT] = "SHORT",
		[KT_RUN_COUNTED] = "COUNTED",
	};
	return (unsigned) s < _KT_RUN_STATE_MAX ? names[s] : "?";
}

const char *
kt_run_event_to_str(enum kt_run_event e)
{
	static const char *const names[_KT_RUN_EV_MAX] = {
		[KT_RUN_EV_ABOVE] = "ABOVE",
		[KT_RUN_EV_BELOW] = "BELOW",
		[KT_RUN_EV_SEGMENT_END] = "SEGMENT_END",
	};
	return (unsigned) e < _KT_RUN_EV_MAX ? names[e] : "?";
}

void
kt_run_init(struct kt_run *r, const char *name, double threshold, double min_s)
{
	*r = (struct kt_run){
		.name = name,
		.threshold = threshold,
		.min_s = min_s,
		.state = KT_RUN_BELOW,
	};
}

/* time where the line through (t0,v0) (t1,v1) crosses the threshold */
static double
crossing(const struct kt_run *r, double t1, double v1)
{
	double dv = v1 - r->prev_v;

	if (!r->have_prev || dv == 0.0)
		return t1;
	double f = (r->threshold - r->prev_v) / dv;
	if (f < 0.0)
		f = 0.0;
	if (f > 1.0)
		f = 1.0;
	return r->prev_t_s + f * (t1 - r->prev_t_s);
}

static void
set_state(struct kt_run *r, enum kt_run_state s, enum kt_run_event ev, double t_s)
{
	if (s == r->state)
		return;
	if (kt_log_get_level() >= KT_LOG_DEBUG)
		log_debug("%s: %s --%s--> %s at %.2f s", r->name, kt_run_state_to_str(r->state),
			  kt_run_event_to_str(ev), kt_run_state_to_str(s), t_s);
	r->state = s;
}

bool
kt_run_dispatch(struct kt_run *r, enum kt_run_event ev, size_t i, double t_s, double v,
		struct kt_run_done *ret)
{
	bool done = false;
	double t_end;

	switch (r->state) {
	case KT_RUN_BELOW:
		if (ev == KT_RUN_EV_ABOVE) {
			r->t_start_s = crossing(r, t_s, v);
			r->i_start = r->i_last = i;
			set_state(r, KT_RUN_SHORT, ev, t_s);
			/* a single sample can already satisfy min_s == 0 */
			if (t_s - r->t_start_s + TIME_EPS_S >= r->min_s && r->min_s <= 0.0)
				set_state(r, KT_RUN_COUNTED, ev, t_s);
		}
		break;
	case KT_RUN_SHORT:
	case KT_RUN_COUNTED:
		if (ev == KT_RUN_EV_ABOVE) {
			r->i_last = i;
			if (r->state == KT_RUN_SHORT && t_s - r->t_start_s + TIME_EPS_S >= r->min_s)
				set_state(r, KT_RUN_COUNTED, ev, t_s);
			break;
		}
		/* BELOW or SEGMENT_END: the run ends */
		t_end = ev == KT_RUN_EV_BELOW ? crossing(r, t_s, v) : r->prev_t_s;
		if (t_end - r->t_start_s + TIME_EPS_S >= r->min_s) {
			ret->t0_s = r->t_start_s;
			ret->t1_s = t_end;
			ret->i0 = r->i_start;
			ret->i1 = r->i_last;
			done = true;
		}
		set_state(r, KT_RUN_BELOW, ev, ev == KT_RUN_EV_BELOW ? t_s : r->prev_t_s);
		break;
	default:
		break;
	}

	if (ev == KT_RUN_EV_SEGMENT_END) {
		r->have_prev = false;
	} else {
		r->prev_t_s = t_s;
		r->prev_v = v;
		r->have_prev = true;
	}
	return done;
}

bool
kt_run_sample(struct kt_run *r, size_t i, double t_s, double v, struct kt_run_done *ret)
{
	return kt_run_dispatch(r, v >= r->threshold ? KT_RUN_EV_ABOVE : KT_RUN_EV_BELOW, i, t_s, v, ret);
}
