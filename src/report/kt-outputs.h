/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The files of an output folder (doc/output-format.md): team.csv,
 * players/<vest_id>/{timeseries,sprints,heatmap}.csv and session.json.
 * Every writer writes under a temporary name and renames into place, so a
 * file is complete or absent. Returns 0 or -errno (not logged).
 */
#ifndef KT_OUTPUTS_H
#define KT_OUTPUTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/kt-core.h"
#include "ingest/kt-log.h"
#include "kt-club.h"
#include "kt-pipeline.h"

#define KT_VEST_ID_MAX 64

struct kt_csv_style {
	char sep;              /* ',' or ';' */
	bool decimal_comma;
	bool bom;
	/* times in UTC as a German Excel reads a date-time,
	 * "2026-11-21 14:00:00,000", not ISO 8601's "2026-11-21T14:00:00.000Z" */
	bool excel_time;
};

void kt_csv_style_init(struct kt_csv_style *s, enum kt_csv_flavour f);

/* A time a vest logged nothing between two of its logs (session.json
 * players[].quality.off) */
struct kt_off_span {
	int64_t from_us, to_us;   /* INT64_MIN: not known (a log without an epoch) */
	size_t next_log;          /* 1 + the vests[] index of the log after it */
};

/* One input log and what became of it. */
struct kt_vest_report {
	/* input */
	char *path;
	uint64_t size;
	char sha256[65];               /* "" if the file could not be read */
	char vest_id[KT_VEST_ID_MAX];
	const char *vest_id_source;    /* "header" or "file name" */
	bool has_header;
	unsigned firmware;             /* 0x0103 = 1.3, 0 unknown */
	/* the player's counts: of all its logs when it has several (next_log) */
	struct kt_log_stats stats;
	uint64_t n_fixes_read, n_imu_read;
	uint64_t core_dropped_dup;     /* duplicates dropped by sort/dedup */
	/* this file's own counts (session.json inputs[]) */
	struct kt_log_stats file_stats;
	uint64_t file_fixes, file_imu;
	/* one vest's session in several logs, one after the other (a vest
	 * restarted during training): the first log's report has the numbers
	 * of all; next_log is 1 + the vests[] index of the next one in time
	 * order (0: none, so that a zeroed report has none) */
	size_t next_log;
	bool later_log;                /* not the first: read by the first one's run */
	bool merged;                   /* a later log, read into its first one's numbers */
	/* the first log's: the times between its logs, when the vest logged
	 * nothing (switched off, restarted), from its last record of one log
	 * to its first of the next; only those within the time counted
	 * (--from/--to), in time order (malloc'ed); in all, and as how many
	 * of the core's gaps: no loss of signal (kt_vest_signal_gaps) */
	struct kt_off_span *off;
	size_t n_off;
	double between_logs_s;
	unsigned between_logs_gaps;
	/* roster */
	const struct kt_roster_entry *roster; /* NULL: not in the roster */
	/* outcome */
	bool ok;                       /* outputs written */
	char *error;                   /* why not (malloc'ed), NULL when ok */
	struct kt_result res;          /* series/heat freed after writing */
};

struct kt_session_report {
	const struct kt_pipeline_opts *opts;
	const struct kt_params *params;  /* as used (opts->params, HSR tied to zone 4) */
	struct kt_vest_report *vests;
	size_t n_vests;
	/* pitch */
	bool have_pitch;
	struct kt_pitch pitch;
	const char *pitch_source;      /* "file", "session directory", "estimated", "none" */
	const char *pitch_file;        /* file read, or pitch.ini written; may be NULL */
	char pitch_name[KT_PITCH_NAME_MAX];
	unsigned pitch_estimate_vests;
	uint64_t pitch_estimate_points;
	/* roster */
	const char *roster_file;       /* NULL: none */
	const struct kt_roster *roster;
	/* problems, in order (malloc'ed strings): in English, and the same
	 * in German (n_warnings of each) */
	char **warnings;
	char **warnings_de;
	long *warning_vest;            /* per warning: the vests[] index of the vest it
	                                * is about (players[].notes), or -1 */
	struct kt_page_note {          /* per warning: what the player's page says of it,
	                                * without any file name (malloc'ed); NULL: the
	                                * warning without the log's path it begins with */
		char *en, *de;
	} *warning_page;
	size_t n_warnings;
	int status;                    /* KT_PIPELINE_OK or KT_PIPELINE_PARTIAL */
	int64_t processed_us;          /* when; 0 = now */
};

/* Sum of the frames the reader rejected (checksum, truncated, too long,
 * malformed, implausible) plus the epochs the core rejected. */
uint64_t kt_vest_rejected_frames(const struct kt_vest_report *v);

/* Accelerations, decelerations and sprints are runs of half a second to a
 * second: a receiver that logs fewer positions a second than this cannot
 * resolve them, and their counts (and the sprint distance) are too low. */
#define KT_EFFORT_MIN_HZ 4.5
/* Valid positions a second over the valid time (gaps excluded); NaN with
 * less than a minute of valid data, too little to tell. */
double kt_vest_positions_per_s(const struct kt_result *r);
/* The counts of r are too low: kt_vest_positions_per_s() < KT_EFFORT_MIN_HZ */
bool kt_vest_undercounted(const struct kt_result *r);

/* The gaps of v that were a loss of signal: the core's (res.gaps,
 * res.gap_s) without the time between its logs, when it was off; a gap
 * that holds both (the signal lost, then the vest restarted) is one, with
 * the time it was on. gap_max_s: the params' gap_s. */
void kt_vest_signal_gaps(const struct kt_vest_report *v, double gap_max_s, unsigned *ret_gaps,
			 double *ret_gap_s);

int kt_write_timeseries_csv(const char *path, const struct kt_result *r,
			    const struct kt_csv_style *s);
int kt_write_sprints_csv(const char *path, const struct kt_result *r,
			 const struct kt_params *p, const struct kt_csv_style *s);
int kt_write_heatmap_csv(const char *path, const struct kt_result *r,
			 const struct kt_csv_style *s);
int kt_write_team_csv(const char *path, const struct kt_session_report *s,
		      const struct kt_csv_style *st);
int kt_write_session_json(const char *path, const struct kt_session_report *s);

#endif
