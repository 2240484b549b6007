/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Reading a processed OUTDIR back for the charts: team.csv, session.json,
 * players/<vest_id>/{timeseries,heatmap}.csv. Both CSV flavours are read
 * (C: ',' and '.'; de: UTF-8 BOM, ';' and decimal comma). Unknown or
 * empty numbers are NaN. Internal to the report layer.
 */
#ifndef KT_CHART_DATA_H
#define KT_CHART_DATA_H

#include <stdbool.h>
#include <stddef.h>

enum kt_team_col {
	KT_TC_MINUTES,
	KT_TC_DISTANCE_M,
	KT_TC_Z1_M, KT_TC_Z2_M, KT_TC_Z3_M, KT_TC_Z4_M, KT_TC_Z5_M,
	KT_TC_HSR_M,
	KT_TC_SPRINTS,
	KT_TC_SPRINT_M,
	KT_TC_MAX_SPEED_KMH,
	KT_TC_ACCELERATIONS,
	KT_TC_DECELERATIONS,
	KT_TC_PLAYER_LOAD,
	KT_TC_PLAYER_LOAD_PER_MIN,
	KT_TC_METABOLIC_POWER_WKG,
	KT_TC_HIGH_POWER_M,
	KT_TC_WORK_RATE_M_MIN,
	KT_TC_PEAK1_M, KT_TC_PEAK3_M, KT_TC_PEAK5_M,
	KT_TC_FIX_PCT,
	KT_TC_GAPS,
	KT_TC_REJECTED_FRAMES,
	/* optional: older or hand-made tables may lack them (no warning) */
	KT_TC_VALID_MINUTES,
	KT_TC_GAP_S,
	/* the time the vest was off between its logs, s (in no gap_s);
	 * missing in an older kicktrack's team.csv, whose gap_s holds it */
	KT_TC_OFF_S,
	/* derived, not a column of team.csv: the share of the time with a
	 * known position, %, as the pages say it: fix_pct, or less where the
	 * log holds no epochs for a while (a receiver that fell silent leaves
	 * no "epochs without a fix"): 100 x (1 - gap_s / minutes), of the
	 * minutes the vest was on (without off_s) */
	KT_TC_KNOWN_PCT,
	_KT_TC_MAX,
};
#define KT_TC_FIRST_OPTIONAL KT_TC_VALID_MINUTES

const char *kt_team_col_name(enum kt_team_col c);

struct kt_rep_player {
	char *vest_id, *player, *number, *position;   /* UTF-8, never NULL */
	double v[_KT_TC_MAX];                          /* NaN if unknown */
	/* from session.json (kt_rep_read_session), NaN if unknown: records
	 * dropped as damaged (checksum, truncated, too long, malformed,
	 * implausible value) and positions dropped as jumps. Epochs without a
	 * usable fix are not among them: fix_pct already counts those. */
	double damaged_records, position_jumps;
	/* session.json players[].notes and notes_de (kt_rep_read_session):
	 * the run's warnings about this vest; notes_de NULL from an older
	 * kicktrack or when they do not pair up */
	char **notes, **notes_de;
	size_t n_notes;
	/* session.json players[].undercounted: the counts that are too low
	 * (a vest that logged too few positions a second), as bits
	 * 1u << KT_TC_SPRINTS, KT_TC_SPRINT_M, KT_TC_ACCELERATIONS,
	 * KT_TC_DECELERATIONS; 0 from an older kicktrack */
	unsigned undercounted;
	/* session.json players[].quality.off: the times the vest was off
	 * between its logs, as n_off pairs (start, end) on the t_s axis of
	 * timeseries.csv; NULL from an older kicktrack */
	double *off_t_s;
	size_t n_off;
};
/* The pages' mark after an undercounted number (kt_rep_player.undercounted),
 * explained where it is shown */
#define KT_REP_UNDERCOUNT_MARK "†"
_Static_assert(_KT_TC_MAX <= 32, "undercounted bits");

struct kt_rep_team {
	struct kt_rep_player *players;
	size_t n;
	bool csv_de;          /* team.csv is in the 'de' flavour */
};

/* Reads OUTDIR/team.csv. Returns 0, or -errno after logging why (file and line). */
int kt_rep_read_team(const char *outdir, struct kt_rep_team *ret);
void kt_rep_team_clear(struct kt_rep_team *t);

struct kt_rep_session {
	char date_iso[32];        /* "2026-11-24" or "" */
	char pitch_name[200];     /* the pitch file's name, may be "" (never for an estimated pitch) */
	double pitch_length_m, pitch_width_m;   /* 105 x 68 unless session.json says */
	double zone_kmh[4];       /* lower bounds of Z2..Z5 */
	double effort_ms2;        /* acceleration effort threshold */
	double effort_min_s;      /* ... held for this long at least */
	double hsr_kmh;           /* high-speed running from this speed on */
	double sprint_kmh;        /* a sprint from this speed on (default: Z5's lower bound) */
	double sprint_min_s;      /* ... held for this long at least */
	double heat_cell_x_m, heat_cell_y_m;    /* NaN: pitch size / cells */
	bool pitch_estimated;
	unsigned pitch_estimated_vests;   /* from how many vests' tracks, 0 if unknown */
	char lang[3];             /* "de" or "en": the language the run used, or "" */
	char window[48];          /* with --from/--to: the part counted, local "15:02–16:35"
				   * ("15:02–15:06:30": seconds where not 0); or "" */
	char roster_file[512];    /* the roster the run used (session.json roster.file), or "" */
	char **notes;             /* session.json "warnings", in order (kt_rep_session_clear) */
	size_t n_notes;
	char **notes_de;          /* "warnings_de": the same in German, n_notes of them; NULL
				   * when session.json has none (an older kicktrack's) or
				   * they do not match "warnings" */
	char **note_vests;        /* "warning_vests": per note the vest id it is about, or
				   * NULL (about none); the array NULL when session.json has
				   * none (an older kicktrack's) or not one per note */
	bool partial;             /* session.json "status" is "partial" */
};

/* Reads OUTDIR/session.json if present; missing keys keep the defaults.
 * With team, it also fills each player's damaged_records and
 * position_jumps (players[].quality) and its notes (players[].notes,
 * notes_de), matched by vest_id; players it does not describe keep NaN and
 * no notes. Returns 0, or -errno (logged as a warning; the defaults are
 * then used). */
int kt_rep_read_session(const char *outdir, struct kt_rep_session *ret, struct kt_rep_team *team);
void kt_rep_session_clear(struct kt_rep_session *s);
/* The notes for a page: in German if german and session.json has them,
 * else the English ones. Sets *ret_n (0: none; the array may be NULL). */
char *const *kt_rep_session_notes(const struct kt_rep_session *s, bool german, size_t *ret_n);

/* The vest ids of the players in OUTDIR/session.json, if kicktrack wrote it
 * ("format": "kicktrack-session"): which players/<vest_id>/ folders that
 * run made. Quiet (nothing logged). Returns 0 (*ret: n strings, free with
 * kt_rep_vest_ids_free), or -errno (-EBADMSG: not kicktrack's). */
int kt_rep_read_session_vests(const char *outdir, char ***ret, size_t *ret_n);
void kt_rep_vest_ids_free(char **ids, size_t n);

/* The players of the run's roster (sess->roster_file) whose vest is not in
 * the team: they brought no data. As "#7 Jürgen Weiß (KT-0003)", in roster
 * order. Returns their number (*ret: free with kt_rep_vest_ids_free; NULL
 * when 0), 0 without a roster, or -errno after a warning naming the file. */
int kt_rep_roster_without_data(const struct kt_rep_session *sess,
			       const struct kt_rep_team *team,
			       char ***ret);

/* 10 Hz series of one player; buffers are reused from player to player. */
struct kt_rep_series {
	size_t n, cap;
	double *t_s, *speed_kmh, *accel_ms2;
	unsigned char *in_sprint;
};

/* Syntax errors are logged (file:line); I/O errors only returned. */
int kt_rep_read_series(const char *path, struct kt_rep_series *s);
void kt_rep_series_clear(struct kt_rep_series *s);

struct kt_rep_heat {
	unsigned nx, ny;
	double *s;                /* seconds, row-major, row 0 = y near 0 */
};

/* Syntax errors are logged (file:line); I/O errors only returned;
 * -ENODATA: no cells or all empty (no pitch was known). */
int kt_rep_read_heat(const char *path, struct kt_rep_heat *h);
void kt_rep_heat_clear(struct kt_rep_heat *h);

/* What the team table's counts mean, with this run's thresholds, for the
 * line under the table (team.pdf, index.html): HSR, sprints,
 * accelerations and decelerations, and that PlayerLoad has no unit. */
void kt_rep_definitions(char *buf, size_t size, const struct kt_rep_session *s, bool german);

/* The team average of column col (players with a known value), for the
 * pages' "team average" row: without the players whose value of it is
 * undercounted (kt_rep_player.undercounted), an average of real counts;
 * *ret_left_out (may be NULL) says how many those were. NaN: none. */
double kt_rep_team_mean(const struct kt_rep_team *t, enum kt_team_col col, size_t *ret_left_out);

/* Parse a number in either flavour ("12.5" or "12,5"); NaN if empty/bad. */
double kt_rep_atod(const char *s);

/* v rounded to that many decimals half away from zero, for the pages: not
 * printf's half to even, since the values come from team.csv with one
 * decimal, and 4.5 minutes must not read as 4 (nor 78.5 m/min as 78). */
double kt_rep_round(double v, int decimals);
/* Decimals of minutes on the pages: one below 10 (a 4.5-minute drill is
 * 4.5, as in team.csv), whole minutes from 10 on. */
int kt_rep_minute_decimals(double minutes);


#endif
