/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The whole "vest logs -> output folder" job of `kicktrack process`, as a
 * library function so that the docking daemon can run it too (in a forked
 * child). See man/kicktrack-process.1 and doc/output-format.md.
 *
 * Use:
 *	struct kt_pipeline_opts o;
 *	kt_pipeline_opts_init(&o);                       defaults
 *	kt_pipeline_opts_load_config(&o, path, false);   [process] + [thresholds]
 *	... set o.inputs, o.outdir and whatever the command line says ...
 *	r = kt_pipeline_run(&o, &summary);               a KT_PIPELINE_* code
 *
 * Messages go through util/kt-log.h (stderr). Progress is drawn on stderr
 * only when o.progress is set AND stderr is a terminal.
 */
#ifndef KT_PIPELINE_H
#define KT_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kt-core.h"

/* Logs whose recording times overlap, or lie at most this far apart, are
 * one training: kicktrackd groups its downloads by it, and kicktrack
 * process names a log that is apart from the others. */
#define KT_TRAINING_SLACK_US (10LL * 60 * 1000000)

/* Same values as the CLI exit codes (src/cli/kt-cli.h). */
enum kt_pipeline_status {
	KT_PIPELINE_OK = 0,        /* every input and output done */
	KT_PIPELINE_FAILED = 1,    /* nothing usable: no output written */
	KT_PIPELINE_USAGE = 2,     /* bad options (e.g. no inputs, no outdir) */
	KT_PIPELINE_PARTIAL = 3,   /* outputs written, but something was skipped (logged) */
};

enum kt_csv_flavour {
	KT_CSV_C = 0,   /* comma, decimal point, UTF-8, RFC 4180 */
	KT_CSV_DE,      /* semicolon, decimal comma, UTF-8 with BOM (German Excel) */
};

/* One end of --from/--to: the part of every log that counts. */
struct kt_window_end {
	bool set;
	bool local;                    /* a time of day, local time (TZ), on the log's first day */
	int tod_s;                     /* local: seconds after midnight */
	int64_t utc_us;                /* !local: the moment */
	char text[40];                 /* as given, for messages and session.json */
};

/* "HH:MM", "HH:MM:SS" (local time) or "YYYY-MM-DDTHH:MM[:SS]Z" (UTC).
 * Returns 0 or -EINVAL. */
int kt_window_parse(const char *s, struct kt_window_end *ret);
/* Is either end a local time of day (so local time and its zone matter)? */
bool kt_window_local(const struct kt_window_end *from, const struct kt_window_end *to);
/* Both ends times of day: seconds from --from to the first --to after it
 * (through midnight when --to is earlier), 0 when they are equal; -1 when
 * not both are times of day. */
long kt_window_tod_span_s(const struct kt_window_end *from, const struct kt_window_end *to);

struct kt_pipeline_opts {
	/* Log files and/or session directories (a directory contributes every
	 * regular file named *.ubx *.nmea *.log *.bin directly in it, sorted by
	 * name; subdirectories such as truth/ are not entered). Not owned. */
	const char *const *inputs;
	size_t n_inputs;
	const char *outdir;            /* created if missing; not owned */
	const char *roster_path;       /* NULL: <session dir>/roster.csv if present */
	const char *pitch_path;        /* NULL: <session dir>/pitch.ini if present, else estimated */
	struct kt_params params;       /* thresholds and filter (kt_params_default) */
	enum kt_csv_flavour csv;
	char lang[3];                  /* "de" or "en" (charts and pages) */
	bool charts;                   /* render charts/PDF/HTML at the end (kt_report_render) */
	unsigned jobs;                 /* worker threads, vests in parallel; >= 1 */
	bool progress;                 /* progress on stderr (only if it is a terminal) */
	unsigned lock_wait_s;          /* OUTDIR held by another run: wait this long (0: stop at once) */
	struct kt_window_end from, to; /* only data in [from, to] counts (command line only) */
	bool quiet;                    /* only warnings and errors */
	/* the caller's reason the result is partial, recorded as a warning
	 * (session.json, index.html): kicktrackd's "made without KT-0003
	 * (downloading 37 %)". NULL: none. Not owned. */
	const char *partial_note;
	const char *partial_note_de;   /* the same in German (NULL: partial_note) */
	/* storage for roster_path/pitch_path when they come from a config file
	 * ([process] roster/pitch, relative to the config file's folder) */
	char roster_buf[4096];
	char pitch_buf[4096];
	/* [daemon] roster/pitch count too (the docking station's docs put
	 * them there), unless [process] names its own */
	bool roster_from_process, pitch_from_process;
};

/* What happened, for the daemon's status page. */
struct kt_pipeline_summary {
	unsigned n_logs;               /* logs found */
	unsigned n_vests_ok;           /* vests with output */
	unsigned n_vests_failed;       /* logs that gave nothing (unreadable, no fix) */
	unsigned n_warnings;           /* roster/pitch/unknown-vest problems */
	int charts_missing;            /* kt_report_render() result, 0 if not run */
	/* why the outputs could not be written, as -errno (-ENOSPC for a full
	 * disk, -EDQUOT, -EFBIG, -EIO, ...): the first output that failed, or
	 * the step that ended a failed run; 0 if none */
	int write_error;
};

void kt_pipeline_opts_init(struct kt_pipeline_opts *o);

/* Apply the [process] and [thresholds] sections of a config file (other
 * sections are ignored; unknown keys in these two are errors). If
 * missing_ok, a file that does not exist is not an error (returns 0).
 * Returns 0, or -errno / -EBADMSG after logging "file:line: ...". */
int kt_pipeline_opts_load_config(struct kt_pipeline_opts *o, const char *path, bool missing_ok);

/* Set one config key ("sprint_kmh" in section "thresholds", "lang" in
 * "process", ...) from text, validated as in a config file; errors are
 * logged as "where: ..." (e.g. "kicktrack.conf:12" or "--sprint-kmh").
 * Returns 0 or -EBADMSG. */
int kt_pipeline_opts_set(struct kt_pipeline_opts *o, const char *section, const char *key,
			 const char *value, const char *where);

/* Parse "7.2,14.4,19.8,25.2" into zone_kmh (strictly increasing, > 0). */
int kt_parse_zones(const char *s, double ret_zone_kmh[4]);

/* Run the job. ret_summary may be NULL. Returns a KT_PIPELINE_* code.
 * Tunes malloc for the process (keeps freed memory for the next vest). */
int kt_pipeline_run(const struct kt_pipeline_opts *o, struct kt_pipeline_summary *ret_summary);

#endif
