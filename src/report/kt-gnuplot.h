/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One gnuplot process for all charts of a session, fed through a pipe.
 *
 * Each chart is framed by kt_gnuplot_begin() / kt_gnuplot_end(): gnuplot
 * writes it under a temporary name, then prints a marker line with
 * GPVAL_ERRNO/GPVAL_ERRMSG and resets its error state, so an error is
 * attributed to the chart that caused it. kt_gnuplot_finish() closes the
 * pipe, waits for gnuplot, renames every chart whose marker says "no
 * error" into place and removes the others (a stale chart of an earlier
 * run would show old data).
 *
 * If gnuplot cannot be started or dies, the commands go nowhere and every
 * chart not confirmed by a marker counts as missing, with the reason.
 */
#ifndef KT_GNUPLOT_H
#define KT_GNUPLOT_H

#include <stdbool.h>
#include <stdio.h>

struct kt_gnuplot;

/* program is looked up on PATH. Always returns 0 and an object unless out
 * of memory (-ENOMEM): a failure to start gnuplot is reported by
 * kt_gnuplot_finish() per chart, so callers have one path. */
int kt_gnuplot_open(const char *program, struct kt_gnuplot **ret);

/* Whether program (NULL or "": "gnuplot") can be started: a path that is an
 * executable file, or a name found as one on $PATH. 0, or -ENOENT / -EACCES
 * with why (a sentence part such as "not found on PATH") in why[n]. */
int kt_gnuplot_findable(const char *program, char *why, size_t n);

/* Name charts relative to this folder in messages (optional). */
int kt_gnuplot_set_base(struct kt_gnuplot *g, const char *dir);

/* Where to write gnuplot commands (never NULL). */
FILE *kt_gnuplot_stream(struct kt_gnuplot *g);

/* Start a chart: `terminal` is a full "set terminal ..." argument list,
 * e.g. "pngcairo size 800,500". The directory of path must exist. */
void kt_gnuplot_begin(struct kt_gnuplot *g, const char *path, const char *terminal);
/* End the chart started last (closes its output, prints the marker). */
void kt_gnuplot_end(struct kt_gnuplot *g);

/* Whether a chart with this final path is known (begun) and was confirmed;
 * valid after kt_gnuplot_finish(). */
bool kt_gnuplot_chart_ok(const struct kt_gnuplot *g, const char *path);

/* After kt_gnuplot_finish(): why the first chart that failed failed
 * ("cannot run 'gnuplot': No such file or directory"), NULL if none did. */
const char *kt_gnuplot_first_failure(const struct kt_gnuplot *g);

/* Close the pipe, wait for gnuplot, commit or remove each chart. Logs each
 * failed chart once (quiet=false: also an info line with the total).
 * Returns the number of charts missing (>= 0). */
int kt_gnuplot_finish(struct kt_gnuplot *g);

struct kt_gnuplot *kt_gnuplot_free(struct kt_gnuplot *g);

/* Write s as a gnuplot single-quoted string literal ('' for '). */
void kt_gnuplot_quote(FILE *f, const char *s);

#endif
