/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Charts, PDFs and index.html of a processed session (issue 4).
 *
 * Input is only what `kicktrack process` wrote into OUTDIR (team.csv,
 * session.json, players/<vest_id>/{timeseries,sprints,heatmap}.csv, in the
 * C or the 'de' CSV flavour); output goes next to it (PNG/PDF per player in
 * players/<vest_id>/, team charts, team.pdf and index.html in OUTDIR).
 * All charts of a session are drawn by one gnuplot process.
 */
#ifndef KT_CHARTS_H
#define KT_CHARTS_H

#include <stdbool.h>

struct kt_report_opts {
	const char *lang;     /* "de" or "en"; NULL: the one OUTDIR/session.json names, else "en" */
	bool quiet;           /* no progress/info messages, errors only */
	const char *gnuplot;  /* program, default "gnuplot" (looked up on PATH) */
};

void kt_report_opts_default(struct kt_report_opts *o);

/* The names of the files kt_report_render() makes, i = 0, 1, ... until NULL:
 * in OUTDIR, and in each players/<vest_id>/ (while a chart is drawn, its
 * file is NAME.part). */
const char *kt_report_outdir_file(unsigned i);
const char *kt_report_player_file(unsigned i);

/* Render everything for OUTDIR. Returns 0 when every chart and page was
 * made; > 0 the number of charts/pages missing (each was logged once with
 * the reason; the caller should exit with KT_EXIT_PARTIAL); < 0 -errno when
 * nothing could be done (e.g. OUTDIR or team.csv unreadable; logged). */
int kt_report_render(const char *outdir, const struct kt_report_opts *o);

#endif
