/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * index.html: the session overview a coach opens first. Self-contained (no
 * external scripts, fonts or network); images by relative path; a small
 * inline script makes the team table sortable and then sets
 * <body data-ready="1"> (the headless-browser test looks for it).
 */
#ifndef KT_HTML_H
#define KT_HTML_H

#include <stdbool.h>
#include <stdio.h>

#include "kt-chart-data.h"

enum kt_team_chart {
	KT_TEAM_CHART_DISTANCE,
	KT_TEAM_CHART_SPRINTS,
	KT_TEAM_CHART_HSR,
	KT_TEAM_CHART_HEATMAP,
	_KT_TEAM_CHART_MAX,
};

/* File name of a team chart in OUTDIR, e.g. "team_distance.png". */
const char *kt_team_chart_file(enum kt_team_chart c);

struct kt_html_input {
	bool german;                          /* labels and decimal comma */
	const struct kt_rep_session *session;
	const struct kt_rep_team *team;
	const bool *player_pdf_ok;            /* per player: report.pdf exists */
	const bool *player_heat_ok;           /* per player: heatmap.png exists */
	bool team_pdf_ok;
	bool team_chart_ok[_KT_TEAM_CHART_MAX];
	char *const *no_data;                 /* roster players without data ("#7 Name (KT-0003)") */
	size_t n_no_data;
	unsigned charts_missing;              /* charts and PDFs that could not be made */
	const char *charts_missing_why;       /* the first one's reason, or NULL */
};

/* Writes OUTDIR/index.html atomically. Returns 0 or -errno (logged). */
int kt_html_write(const char *outdir, const struct kt_html_input *in);

/* Write s HTML-escaped (& < > " '). */
void kt_html_escape(FILE *f, const char *s);

#endif
