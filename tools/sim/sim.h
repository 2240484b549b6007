/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * kicktrack-sim internals: a football session simulator. The true motion of
 * each player is simulated at 100 Hz (sim-motion.c); the true vest
 * accelerometer is derived from it (sim-imu.c); a GNSS receiver model adds
 * measurement errors and writes UBX or NMEA (sim-gnss.c); the ground-truth
 * metrics are computed from the true 100 Hz trajectory exactly as
 * doc/metrics.md defines them (sim-truth.c). sim-session.c ties it together.
 * Everything is deterministic for a given seed: each player and each error
 * source draws from its own random stream, so the truth does not change
 * with --noise or --format.
 */
#ifndef KT_SIM_H
#define KT_SIM_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_TRUTH_HZ 100
#define SIM_DT (1.0 / SIM_TRUTH_HZ)
#define SIM_G 9.81
#define SIM_MAX_PLAYERS 99

/* ---- random numbers: splitmix64 seeding + xoshiro256** ---- */
struct sim_rng {
	uint64_t s[4];
	bool have_spare;
	double spare;
};

void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream, uint64_t sub);
uint64_t sim_rng_next(struct sim_rng *r);
double sim_rng_uniform(struct sim_rng *r);              /* [0, 1) */
double sim_rng_range(struct sim_rng *r, double lo, double hi);
double sim_rng_gauss(struct sim_rng *r);                /* N(0, 1) */
int sim_rng_int(struct sim_rng *r, int lo, int hi);     /* [lo, hi] */

/* ---- configuration ---- */
enum sim_format { SIM_FORMAT_UBX, SIM_FORMAT_NMEA, SIM_FORMAT_MIXED };
enum sim_noise { SIM_NOISE_NONE, SIM_NOISE_REALISTIC, SIM_NOISE_HARSH };
enum sim_drill { SIM_DRILL_MATCH, SIM_DRILL_SPRINTS };
enum sim_role { SIM_GK, SIM_DEF, SIM_MID, SIM_FWD };

const char *sim_format_to_str(enum sim_format f);
const char *sim_noise_to_str(enum sim_noise n);
const char *sim_drill_to_str(enum sim_drill d);
const char *sim_role_to_str(enum sim_role r);
int sim_format_from_str(const char *s);
int sim_noise_from_str(const char *s);
int sim_drill_from_str(const char *s);

struct sim_config {
	unsigned players;
	double minutes;
	uint64_t seed;
	int64_t start_unix;          /* session start, UTC seconds */
	enum sim_format format;
	unsigned nmea_every;         /* mixed: every k-th vest speaks NMEA; 0 = only the last */
	enum sim_noise noise;
	unsigned gnss_hz;            /* divides 100 */
	unsigned imu_hz;             /* divides 100 */
	double pitch_lat, pitch_lon; /* centre */
	double pitch_heading_deg;    /* direction of the x axis (corner 1 -> 2), clockwise from north */
	double pitch_length_m, pitch_width_m;
	char pitch_name[128];
	bool imu;
	enum sim_drill drill;
	bool truth_series;           /* also write truth/<vest>/timeseries.csv (10 Hz) */
	char vest_prefix[6];         /* "KT-" */
	bool force;                  /* replace a simulated session already in the output directory */
	unsigned bench;              /* the last N vests lie still beside the pitch (--bench) */
};

void sim_config_default(struct sim_config *c);

/* ---- geometry ---- */
struct sim_pitch_geo {
	double lat0, lon0;           /* centre, degrees */
	double m_per_deg_lat, m_per_deg_lon;
	double ex_e, ex_n, ey_e, ey_n; /* unit vectors of the pitch axes in east/north */
	double length_m, width_m;
};

void sim_pitch_geo_init(struct sim_pitch_geo *g, const struct sim_config *c);
void sim_pitch_xy_to_latlon(const struct sim_pitch_geo *g, double x, double y,
			    double *ret_lat, double *ret_lon);
/* pitch-frame vector to east/north */
void sim_pitch_vec_to_en(const struct sim_pitch_geo *g, double vx, double vy,
			 double *ret_e, double *ret_n);

/* ---- motion (true trajectory) ---- */
struct sim_ball {
	struct sim_rng rng;
	double x, y, tx, ty, speed;
	double t_next;               /* time of the next change */
	int possession;              /* 0 team A, 1 team B */
};

struct sim_player {
	unsigned index;
	enum sim_role role;
	int team;                    /* 0 attacks +x, 1 attacks -x */
	double base_u, base_y;       /* tactical position (team frame u: own goal 0 -> 105) */
	double vmax, amax, dmax;     /* personal limits: m/s, m/s^2 */
	double pace;                 /* work-rate factor around 1 */
};

/* One true 100 Hz sample. a_mps2 is the exact derivative of v over the
 * interval [t, t + dt): v(t + dt) = v(t) + a * dt. */
struct sim_state {
	double t_s;
	double x, y;                 /* pitch frame, m */
	double psi;                  /* heading in the pitch frame, rad (0 = +x) */
	double r;                    /* yaw rate, rad/s */
	double v;                    /* speed, m/s */
	double a;                    /* dv/dt over the next interval, m/s^2 */
};

struct sim_motion {
	struct sim_rng rng;
	struct sim_ball ball;
	struct sim_player p;
	const struct sim_config *cfg;
	struct sim_state s;
	/* bout = one activity with a target speed, a destination and a deadline */
	int activity;
	double v_target, t_bout_end, dest_x, dest_y;
	double a_cmd;                /* jerk-limited commanded acceleration */
	uint64_t k;                  /* steps done */
	int drill_phase;
	bool still;                  /* a vest left on the bench: never moves */
};

void sim_player_init(struct sim_player *p, const struct sim_config *c, unsigned index,
		     struct sim_rng *rng);
void sim_motion_init(struct sim_motion *m, const struct sim_config *c, const struct sim_player *p);
/* Advance by one 100 Hz step: on return m->s is the state at t + dt, and the
 * previous state's a has been set (copied into *ret_prev if not NULL). */
void sim_motion_step(struct sim_motion *m, struct sim_state *ret_prev);

/* ---- true vest accelerometer and gyro ---- */
struct sim_imu_truth {
	double step_phase;           /* cycles */
	double sway_phase;
	int step_count;
};
/* acc in g (vest frame: x forward, y left, z up), gyro in deg/s */
void sim_imu_true_sample(struct sim_imu_truth *it, const struct sim_state *s,
			 double acc_g[3], double gyr_dps[3]);

/* ---- ground truth metrics ---- */
struct sim_truth_sprint {
	double start_s, duration_s, dist_m, top_mps;
};

struct sim_truth {
	double duration_s;
	double distance_m, zone_m[5];
	double max_mps;
	size_t n_sprints, cap_sprints;
	struct sim_truth_sprint *sprints;
	double sprint_m;
	unsigned accelerations, decelerations;
	double player_load;
	double power_int;            /* integral of P dt, J/kg */
	double high_power_m;
	double heat_s[17][21];
	/* running state */
	bool in_sprint;
	struct sim_truth_sprint cur;
	int eff_sign;                /* +1 accel run, -1 decel run, 0 none */
	double eff_dur;
	bool eff_counted;
	bool have_acc;
	double prev_acc[3];
	/* per-interval distances for the peak windows */
	double *d_int;
	size_t n_int, cap_int;
	double peak_m[3];
};

int sim_truth_init(struct sim_truth *t, size_t expected_intervals);
/* Feed one interval [s0, s0 + dt): s0 is the state at its start, v1 the speed at its end. */
int sim_truth_feed_interval(struct sim_truth *t, const struct sim_state *s0, double v1);
/* Feed one true accelerometer sample (the IMU rate is the truth rate). */
void sim_truth_feed_acc(struct sim_truth *t, const double acc_g[3]);
void sim_truth_feed_position(struct sim_truth *t, double x, double y, double dt_s);
void sim_truth_finish(struct sim_truth *t);
void sim_truth_clear(struct sim_truth *t);
double sim_osgnach_ec(double es);

/* ---- GNSS and IMU measurement, log writing ---- */
enum sim_event_kind { SIM_EV_DROPOUT, SIM_EV_SPIKE, SIM_EV_JUMP, SIM_EV_BADFIX, _SIM_EV_MAX };
const char *sim_event_kind_to_str(enum sim_event_kind k);

struct sim_event {                /* an injected error, for truth/<vest>/events.csv */
	enum sim_event_kind kind;
	uint32_t start_epoch, n_epochs;
	double value;                 /* spike m/s, jump m */
	double dir;                   /* jump direction, rad */
};

struct sim_gnss {
	struct sim_rng rng;
	const struct sim_config *cfg;
	const struct sim_pitch_geo *geo;
	bool nmea;
	/* error states */
	double bias_e, bias_n;         /* position bias, m (Gauss-Markov) */
	double vbias_e, vbias_n;       /* correlated velocity error, m/s */
	double sv_level;               /* numSV as a slowly varying real */
	bool at_rest;                  /* a vest on the bench: a receiver's velocity error at rest */
	/* planned events */
	size_t n_events, cap_events;
	struct sim_event *events;
	double last_lat, last_lon;
	uint32_t epoch;                /* index of the next epoch */
	uint64_t valid_epochs;
};

int sim_gnss_init(struct sim_gnss *g, const struct sim_config *c, const struct sim_pitch_geo *geo,
		  unsigned vest_index, bool nmea);
void sim_gnss_clear(struct sim_gnss *g);
/* Write the epoch for true state s (the state at the epoch time t_s). */
int sim_gnss_epoch(struct sim_gnss *g, FILE *out, const struct sim_state *s);
/* number of gaps (> 2 s without a valid fix) that the plan creates */
unsigned sim_gnss_gaps(const struct sim_gnss *g);

struct sim_imu_out {
	struct sim_rng rng;
	const struct sim_config *cfg;
	bool nmea;
	uint32_t batch_itow;
	unsigned n;
	int16_t batch[10][6];
};

void sim_imu_out_init(struct sim_imu_out *o, const struct sim_config *c, unsigned vest_index,
		      bool nmea);
int sim_imu_out_sample(struct sim_imu_out *o, FILE *out, double t_s, const double acc_g[3],
		       const double gyr_dps[3]);
/* write a partly filled UBX batch (at the end of the session) */
int sim_imu_out_flush(struct sim_imu_out *o, FILE *out);

/* GPS time of week in ms for a session time t_s */
uint32_t sim_itow_ms(const struct sim_config *c, double t_s);
/* write the session header record */
int sim_write_header(FILE *out, const char *vest_id, int64_t start_unix, bool nmea);

/* ---- the whole session ---- */
int sim_run(const struct sim_config *c, const char *outdir);
const char *sim_player_name(unsigned index);

#endif
