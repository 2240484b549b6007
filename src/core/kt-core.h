/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The processing core: from a vest's fixes and IMU samples to the metrics of
 * ../shared/metrics.md (doc/metrics.md). Pure logic: no files, no devices, no
 * clock; everything arrives as arguments, so replays are deterministic.
 *
 * Use: kt_track_new(), then kt_track_feed_fix()/kt_track_feed_imu() in time
 * order (the batch path sorts and de-duplicates first with kt_fixes_sort_dedup),
 * kt_track_snapshot() at any time for live numbers, kt_track_finish() for the
 * final result. Fed the same data, snapshot-after-all-data == finish.
 */
#ifndef KT_CORE_H
#define KT_CORE_H

#include "kt-fix.h"

#define KT_FILTER_NPARAM 14

struct kt_params {
	/* zones: lower bounds of Z2..Z5 in km/h (Z1 starts at 0) */
	double zone_kmh[4];          /* 7.2, 14.4, 19.8, 25.2 */
	double hsr_kmh;              /* 19.8 */
	double sprint_kmh;           /* 25.2 */
	double sprint_min_s;         /* 1.0 */
	double effort_ms2;           /* 3.0 */
	double effort_min_s;         /* 0.5 */
	double max_plausible_mps;    /* 12.0: faster is rejected as implausible */
	double gap_s;                /* 2.0: longer without a valid fix = gap */
	double high_power_wkg;       /* 20.0 */
	double max_hdop;             /* fixes with worse HDOP/pDOP are rejected (e.g. 5.0) */
	double min_num_sv;           /* fixes with fewer satellites are rejected (e.g. 4) */
	/* speed filter (documented in doc/filter.md); names from
	 * kt_params_filter_param_name(i), i < KT_FILTER_NPARAM */
	double filter_param[KT_FILTER_NPARAM];
	double heat_cell_x_m;        /* 5.0 */
	double heat_cell_y_m;        /* 4.0 */
	double imu_noise_g;          /* PlayerLoad: accelerometer white noise per axis (1 sigma, g),
	                              * removed in quadrature from each delta (doc/filter.md);
	                              * NaN (default): estimated from the quietest seconds */
	double heat_margin_m;        /* 10.0: positions up to this far outside the pitch count
	                              * in the nearest edge cell, farther ones not at all */
	double max_jump_m;           /* 10.0: position may differ this much from the one
	                              * predicted by Doppler speed before it is a jump */
	double imu_noise_k;          /* 1.5: PlayerLoad noise gate: a delta whose squared size is
	                              * below imu_noise_k x the expected noise power counts 0
	                              * (doc/filter.md) */
};

void kt_params_default(struct kt_params *p);
/* One line describing the filter and its parameters, for provenance. */
const char *kt_params_filter_name(void);
/* Name and unit of filter_param[i] ("hampel_half_s", ...), NULL if i is out of range. */
const char *kt_params_filter_param_name(unsigned i);

/* The pitch frame (metrics.md "Pitch frame"). corners go around the pitch:
 * 0 at (0,0), 1 at (length,0), 2 at (length,width), 3 at (0,width). */
struct kt_pitch {
	double lat_deg[4], lon_deg[4];
	double length_m, width_m;
};

/* Pitch <-> local frame. Returns 0, or -EINVAL if the pitch is degenerate. */
int kt_pitch_validate(const struct kt_pitch *p);
void kt_pitch_to_xy(const struct kt_pitch *p, double lat, double lon, double *ret_x, double *ret_y);
/* Estimate the pitch rectangle from pooled positions (all vests) when no
 * pitch file is given: orientation from the principal axes, extent from
 * robust percentiles, snapped to length >= width. Returns 0 or -ENODATA. */
int kt_pitch_estimate(const double *lat, const double *lon, size_t n, struct kt_pitch *ret);

struct kt_sprint {
	int64_t start_us;
	double duration_s, dist_m, top_speed_kmh;
};

struct kt_sample10 {         /* the 10 Hz time series written to timeseries.csv */
	int64_t t_us;
	double lat_deg, lon_deg, x_m, y_m;
	double speed_kmh;        /* filtered; NaN inside a gap */
	double accel_ms2;        /* filtered dv/dt; NaN inside a gap */
	int zone;                /* 1..5, 0 in a gap */
	bool in_sprint;
};

enum kt_quality_reject {     /* epochs dropped by the core, by reason */
	KT_QREJ_NO_FIX = 0,
	KT_QREJ_DUPLICATE,
	KT_QREJ_SPEED,           /* speed above max_plausible_mps */
	KT_QREJ_JUMP,            /* position jump inconsistent with Doppler speed */
	KT_QREJ_DOP,             /* HDOP/pDOP or numSV out of bounds */
	_KT_QREJ_MAX,
};
const char *kt_quality_reject_to_str(enum kt_quality_reject r);

struct kt_result {
	/* time */
	int64_t first_us, last_us;
	double minutes;              /* first to last valid fix */
	double valid_minutes;        /* minutes with valid data (gaps excluded) */
	/* distances, m */
	double distance_m;
	double zone_m[5];
	double hsr_m;
	/* efforts */
	size_t n_sprints;
	struct kt_sprint *sprints;   /* owned */
	double sprint_m;
	double max_speed_kmh;
	double last_speed_kmh;       /* filtered speed at the last valid epoch: a live view's
	                              * "now" (never above max_speed_kmh); NaN without one */
	unsigned accelerations, decelerations;
	/* load */
	double player_load, player_load_per_min;
	size_t n_player_load_minutes;
	double *player_load_minute;  /* owned: PlayerLoad of each minute from first_us */
	double metabolic_power_wkg;  /* mean */
	double high_power_m;
	/* rate */
	double work_rate_m_min;
	double peak_m[3];            /* best 1, 3, 5 minute windows */
	/* heatmap: seconds per cell, row-major, row 0 = y in [0, cell_y) */
	unsigned heat_nx, heat_ny;
	double *heat_s;              /* owned, heat_nx * heat_ny */
	/* data quality */
	uint64_t n_epochs, n_valid_epochs;
	double fix_pct;
	double median_num_sv, median_hdop, median_pdop; /* NaN if unknown */
	unsigned gaps;
	double gap_s;
	uint64_t rejected[_KT_QREJ_MAX];
	/* 10 Hz series */
	size_t n_series;
	struct kt_sample10 *series;  /* owned */
	/* provenance */
	double player_load_noise_g;  /* accelerometer noise (1 sigma per axis, g) removed from
	                              * PlayerLoad: imu_noise_g or its estimate */
	double doppler_noise_mps;    /* Doppler speed noise (1 sigma, m/s) the dv/dt window was
	                              * adapted to: filter param doppler_noise_mps or its estimate */
	double imu_still_s;          /* seconds the IMU rest rule found the vest lying still
	                              * (speed 0 there, no PlayerLoad; doc/filter.md) */
	double imu_still_run_s;      /* the longest of them in a row */
};

struct kt_track;

/* pitch may be NULL (then x_m/y_m are NaN and the heatmap is empty). */
int kt_track_new(const struct kt_params *p, const struct kt_pitch *pitch, struct kt_track **ret);
struct kt_track *kt_track_free(struct kt_track *t);
int kt_track_feed_fix(struct kt_track *t, const struct kt_fix *f);
int kt_track_feed_imu(struct kt_track *t, const struct kt_imu_sample *s);
/* kt_track_feed_imu() for each of s[0..n) in turn, with the same result;
 * cheaper per sample (for the batch path's runs of samples between fixes). */
int kt_track_feed_imu_run(struct kt_track *t, const struct kt_imu_sample *s, size_t n);
/* Room for n_fixes more fixes and n_imu more IMU samples, so that a batch
 * of known size is not copied as the arrays grow (they grow by themselves
 * all the same). */
int kt_track_reserve(struct kt_track *t, size_t n_fixes, size_t n_imu);
/* Live numbers so far (filter delay aside); ret owned by caller, free with kt_result_clear. */
int kt_track_snapshot(struct kt_track *t, struct kt_result *ret);
/* The same without the 10 Hz series (n_series 0, series NULL), for a live
 * view refreshed every second: its cost does not grow with the session. */
int kt_track_snapshot_totals(struct kt_track *t, struct kt_result *ret);
int kt_track_finish(struct kt_track *t, struct kt_result *ret);
/* A pitch known only after the track was finished (estimated from the
 * tracks of all vests): kt_track_positions() copies what x, y and the
 * heatmap need from a track made without a pitch (its accepted epochs,
 * 24 bytes each; lat/lon NaN where the position was rejected as a jump),
 * and kt_result_set_pitch() then fills in x_m/y_m of that track's finished
 * result and its heatmap, the same bits as a track made with the pitch
 * (and the same params) would have given. pos: owned by the caller (free()).
 * kt_result_set_pitch() returns 0, -EINVAL if the pitch is degenerate or
 * pos does not belong to r, or -ENOMEM. */
struct kt_position {
	int64_t t_us;
	double lat_deg, lon_deg;
};
int kt_track_positions(const struct kt_track *t, struct kt_position **ret, size_t *ret_n);
int kt_result_set_pitch(struct kt_result *r, const struct kt_position *pos, size_t n, const struct kt_params *p,
			const struct kt_pitch *pitch);
/* Count epochs the caller dropped before feeding (e.g. the duplicates that
 * kt_fixes_sort_dedup() removed), so the result's rejected[] is complete. */
void kt_track_note_rejected(struct kt_track *t, enum kt_quality_reject r, uint64_t n);
void kt_result_clear(struct kt_result *r);

/* Sort by time and drop exact-duplicate epochs in place; returns the new count
 * and adds the number dropped to *ret_dropped. */
size_t kt_fixes_sort_dedup(struct kt_fix *f, size_t n, uint64_t *ret_dropped);
size_t kt_imu_sort_dedup(struct kt_imu_sample *s, size_t n);

#endif
