/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * All charts of a session through one gnuplot process (kt-gnuplot.c):
 * per player heatmap, speed, zones and accelerations PNGs plus a one-page
 * A4 report.pdf; team charts and team.pdf; then index.html (kt-html.c).
 *
 * Data goes to gnuplot inline as datablocks, always in the C locale; the
 * German decimal comma is gnuplot's `set decimalsign ','` for tic labels
 * and kt_fmt_double(..., true) for the numbers we print ourselves. Long
 * series are reduced to min and max per pixel column so peaks survive.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kt-chart-data.h"
#include "kt-charts.h"
#include "kt-config.h"
#include "kt-gnuplot.h"
#include "kt-html.h"
#include "util/kt-fileio.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

/* One colour per speed zone, the same in every chart and on index.html. */
static const char *const zone_rgb[5] = { "#4e79a7", "#59a14f", "#e3b505", "#f28e2b", "#d62728" };
#define SPEED_MAX_KMH 35.0
#define ACCEL_MAX_MS2 6.0
#define GAP_S 2.0
#define GAP_RGB "#9e9e9e"          /* the grey of "no signal" */
#define OFF_RGB "#5f5f5f"          /* the hatching of "vest off" (between its logs) */
#define OFF_STYLE "fs transparent pattern 4 noborder"
#define SPEED_TRACE_RGB "#7b6fb8"  /* the speed under its trend line: no grey */
#define GRASS_RGB "#2e7d32"
/* a heatmap holding less than this share of the tracked time gets a note */
#define HEAT_FEW_SHARE 0.10

/* A counted noun: "1 gap", "2 gaps" (0 takes the plural in both languages). */
struct noun {
	const char *one, *many;
};

struct lang {
	bool comma;
	const char *vest;
	struct noun n_gap, n_damaged, n_jump, n_sprint, n_vest;
	const char *gaps_all[2];   /* around the seconds of 2 or more gaps */
	const char *time_axis, *speed_axis, *accel_axis, *dist_axis, *zone_axis;
	const char *length_axis, *width_axis, *pct_time;
	const char *t_heat, *t_speed, *t_zones, *t_accel;
	const char *gap, *accel_band, *decel_band, *held;
	const char *off, *hatched, *off_for[2];   /* the vest off between its logs: the chart, the quality line */
	const char *note, *notes_more[2], *note_more, *notes_star;
	const char *undercount_tile, *undercount_star;   /* KT_REP_UNDERCOUNT_MARK: on the tile, under the table */
	const char *undercount_avg;   /* ... and that the team average leaves them out */
	const char *t_team_dist, *t_team_sprints, *t_team_hsr, *t_team_heat;
	const char *sprints_axis, *max_speed, *hsr_axis;
	const char *k_distance, *k_sprint, *k_sprints, *k_max_speed, *k_acc_dec, *k_load,
		*k_minutes, *k_work_rate, *no_unit;
	const char *more, *peak, *sprint_dist, *metabolic, *high_power;
	const char *q_title, *q_fix[2], *grey;
	const char *average, *mean;
	const char *heat_none, *heat_few[2], *heat_check;
	const char *pitch_estimated_of[2];   /* around "5 vests" */
	const char *no_data, *no_data_roster, *no_pos, *pitch_estimated, *team, *number, *player, *position;
	const char *col_minutes, *col_dist, *col_hsr, *col_sprints, *col_vmax, *col_acc,
		*col_dec, *col_load, *col_rate;
};

static const struct lang lang_de = {
	.comma = true,
	.vest = "Weste",
	.n_gap = { "Signallücke", "Signallücken" },
	.n_damaged = { "beschädigter Datensatz übersprungen", "beschädigte Datensätze übersprungen" },
	.n_jump = { "Positionssprung ignoriert", "Positionssprünge ignoriert" },
	.n_vest = { "Weste", "Westen" },
	.gaps_all = { "(zusammen ", " s)" },
	.n_sprint = { "Sprint", "Sprints" },
	.time_axis = "Zeit seit Beginn (min)",
	.speed_axis = "Geschwindigkeit (km/h)",
	.accel_axis = "Beschleunigung (m/s²)",
	.dist_axis = "Distanz (m)",
	.zone_axis = "Geschwindigkeitszone (km/h)",
	.length_axis = "Länge (m)",
	.width_axis = "Breite (m)",
	.pct_time = "Anteil der Zeit je Feld (%)",
	.t_heat = "Wo auf dem Platz",
	.t_speed = "Geschwindigkeit",
	.t_zones = "Distanz je Geschwindigkeitszone",
	.t_accel = "Beschleunigungen und Abbremsungen",
	.gap = "kein Signal",
	.grey = "grau",
	.off = "Weste aus",
	.hatched = "schraffiert",
	.off_for = { "Weste ", " min aus" },
	.accel_band = "Beschleunigungen",
	.decel_band = "Abbremsungen",
	.held = "für mind.",
	.note = "Hinweis",
	.notes_more = { "… und ", " weitere Hinweise: siehe index.html" },
	.note_more = "… und ein weiterer Hinweis: siehe index.html",
	.notes_star = "* Hinweise zu den Werten dieses Spielers: auf seiner Seite (PDF) und in index.html",
	.undercount_tile = KT_REP_UNDERCOUNT_MARK " zu wenige gezählt, siehe Hinweis",
	.undercount_star = KT_REP_UNDERCOUNT_MARK " zu wenige gezählt: die Weste hat weniger als 5 Positionen pro Sekunde "
			   "aufgezeichnet; Beschleunigungen, Abbremsungen und Sprints brauchen 5 oder mehr",
	.undercount_avg = "Ø Mannschaft ohne die mit " KT_REP_UNDERCOUNT_MARK " markierten Werte",
	.t_team_dist = "Distanz je Spieler nach Zone",
	.t_team_sprints = "Sprints und Höchstgeschwindigkeit je Spieler",
	.t_team_hsr = "Schnelles Laufen (HSR) je Spieler",
	.t_team_heat = "Heatmap der Mannschaft",
	.sprints_axis = "Sprints (Anzahl)",
	.max_speed = "Höchstgeschwindigkeit (km/h)",
	.hsr_axis = "HSR-Distanz (m)",
	.k_distance = "Distanz",
	.k_sprint = "Sprint",
	.k_sprints = "Sprints",
	.k_max_speed = "Höchstgeschw.",
	.k_acc_dec = "Beschl. / Abbrems.",
	.k_load = "PlayerLoad",
	.no_unit = "ohne Einheit",
	.k_minutes = "Minuten",
	.k_work_rate = "Laufleistung",
	.more = "Weitere Werte",
	.peak = "Beste 1 / 3 / 5 min",
	.sprint_dist = "Sprintdistanz",
	.metabolic = "Ø metabolische Leistung (Index)",
	.high_power = "Distanz mit hoher Intensität (> 20 W/kg)",
	.q_title = "Datenqualität",
	.q_fix = { "Position ", " % der Zeit bekannt" },
	.average = "Ø Mannschaft",
	.mean = "Mittel über",
	.no_data = "keine Daten",
	.no_data_roster = "Keine Daten (laut Kader)",
	.no_pos = "keine Positionsdaten",
	.heat_none = "Keine Positionen auf diesem Platz",
	.heat_few = { "Nur ", " % der Zeit auf diesem Platz" },
	.heat_check = "Sind die Platzecken richtig?",
	.pitch_estimated = "Platz aus den Laufwegen geschätzt",
	.pitch_estimated_of = { "Platz aus den Laufwegen von ", " geschätzt" },
	.team = "Mannschaft",
	.number = "Nr.",
	.player = "Spieler",
	.position = "Position",
	.col_minutes = "Min.",
	.col_dist = "Distanz (m)",
	.col_hsr = "HSR (m)",
	.col_sprints = "Sprints",
	.col_vmax = "Max. km/h",
	.col_acc = "Beschl.",
	.col_dec = "Abbrems.",
	.col_load = "PlayerLoad",
	.col_rate = "m/min",
};

static const struct lang lang_en = {
	.comma = false,
	.vest = "Vest",
	.n_gap = { "signal gap", "signal gaps" },
	.n_damaged = { "damaged record skipped", "damaged records skipped" },
	.n_jump = { "position jump ignored", "position jumps ignored" },
	.n_vest = { "vest", "vests" },
	.gaps_all = { "(", " s in all)" },
	.n_sprint = { "sprint", "sprints" },
	.time_axis = "Time since start (min)",
	.speed_axis = "Speed (km/h)",
	.accel_axis = "Acceleration (m/s²)",
	.dist_axis = "Distance (m)",
	.zone_axis = "Speed zone (km/h)",
	.length_axis = "Length (m)",
	.width_axis = "Width (m)",
	.pct_time = "Share of the time per cell (%)",
	.t_heat = "Where on the pitch",
	.t_speed = "Speed",
	.t_zones = "Distance per speed zone",
	.t_accel = "Accelerations and decelerations",
	.gap = "no signal",
	.grey = "grey",
	.off = "vest off",
	.hatched = "hatched",
	.off_for = { "vest off for ", " min" },
	.accel_band = "Accelerations",
	.decel_band = "Decelerations",
	.held = "for at least",
	.note = "Note",
	.notes_more = { "… and ", " more notes: see index.html" },
	.note_more = "… and one more note: see index.html",
	.notes_star = "* notes on this player's numbers: on the player's page (PDF) and in index.html",
	.undercount_tile = KT_REP_UNDERCOUNT_MARK " undercounted: see the note below",
	.undercount_star = KT_REP_UNDERCOUNT_MARK " undercounted: the vest logged fewer than 5 positions a second; "
			   "accelerations, decelerations and sprints need 5 or more",
	.undercount_avg = "Team average without the counts marked " KT_REP_UNDERCOUNT_MARK,
	.t_team_dist = "Distance per player by zone",
	.t_team_sprints = "Sprints and top speed per player",
	.t_team_hsr = "High-speed running (HSR) per player",
	.t_team_heat = "Team heatmap",
	.sprints_axis = "Sprints (count)",
	.max_speed = "Top speed (km/h)",
	.hsr_axis = "HSR distance (m)",
	.k_distance = "Distance",
	.k_sprint = "Sprint",
	.k_sprints = "Sprints",
	.k_max_speed = "Top speed",
	.k_acc_dec = "Acc. / Dec.",
	.k_load = "PlayerLoad",
	.no_unit = "no unit",
	.k_minutes = "Minutes",
	.k_work_rate = "Work rate",
	.more = "More numbers",
	.peak = "Best 1 / 3 / 5 min",
	.sprint_dist = "Sprint distance",
	.metabolic = "Mean metabolic power (index)",
	.high_power = "High-intensity distance (> 20 W/kg)",
	.q_title = "Data quality",
	.q_fix = { "position known ", " % of the time" },
	.average = "Team average",
	.mean = "Average over",
	.no_data = "no data",
	.no_data_roster = "No data (roster)",
	.no_pos = "no position data",
	.heat_none = "No positions on this pitch",
	.heat_few = { "Only ", " % of the time on this pitch" },
	.heat_check = "Are these the right pitch corners?",
	.pitch_estimated = "pitch estimated from the tracks",
	.pitch_estimated_of = { "pitch estimated from the tracks of ", "" },
	.team = "Team",
	.number = "No.",
	.player = "Player",
	.position = "Position",
	.col_minutes = "Min",
	.col_dist = "Distance (m)",
	.col_hsr = "HSR (m)",
	.col_sprints = "Sprints",
	.col_vmax = "Top km/h",
	.col_acc = "Acc.",
	.col_dec = "Dec.",
	.col_load = "PlayerLoad",
	.col_rate = "m/min",
};

struct ctx {
	const char *outdir;
	const struct kt_report_opts *o;
	const struct lang *L;
	struct kt_rep_session sess;
	struct kt_rep_team team;
	struct kt_gnuplot *gp;
	FILE *f;
	struct kt_rep_series ser;
	struct kt_rep_heat heat;
	double *team_heat;             /* sum of all players' seconds */
	unsigned team_nx, team_ny;
	double team_tracked_s;         /* seconds its players were tracked, NaN if unknown */
	bool *has_heat, *has_series;   /* per player */
	int missing;                   /* outputs not made for other reasons than gnuplot */
	const char *who;               /* player of the charts being drawn (PNG titles) */
	double title_px;               /* width of the PNG being drawn, for its title */
	char **no_data;                /* roster players without data, "#7 Name (VEST)" */
	size_t n_no_data;
};

static const char *const player_chart_files[] = { "heatmap.png", "speed.png", "zones.png", "accel.png",
						  "report.pdf" };

const char *
kt_report_player_file(unsigned i)
{
	return i < sizeof(player_chart_files) / sizeof(player_chart_files[0]) ? player_chart_files[i] : NULL;
}

const char *
kt_report_outdir_file(unsigned i)
{
	if (i == 0)
		return "index.html";
	if (i == 1)
		return "team.pdf";
	return i - 2 < _KT_TEAM_CHART_MAX ? kt_team_chart_file((enum kt_team_chart)(i - 2)) : NULL;
}

void
kt_report_opts_default(struct kt_report_opts *o)
{
	*o = (struct kt_report_opts){ .lang = NULL, .quiet = false, .gnuplot = "gnuplot" };
}

/* --- small helpers --- */

/* v with that many decimals (kt_rep_round: half away from zero), "–" if
 * unknown */
static const char *
num(char *buf, size_t size, const struct lang *L, double v, int decimals)
{
	if (!isfinite(v))
		return "–";
	return kt_fmt_double(buf, size, kt_rep_round(v, decimals), decimals, L->comma);
}

#define NUM(L, v, d) num((char[48]){ 0 }, 48, (L), (v), (d))

/* The count in column col of player p is too low (kt_rep_player.undercounted) */
#define UNDERCOUNTED(p, col) (((p)->undercounted >> (col)) & 1u)

/* Minutes as the pages show them (kt_rep_minute_decimals) */
#define MINUTES(L, v) NUM((L), (v), kt_rep_minute_decimals(v))

/* "1 gap", "2 gaps", "0 gaps"; "– gaps" if unknown */
static const char *
count_text(char *buf, size_t size, const struct lang *L, double n, const struct noun *w)
{
	char a[48];

	snprintf(buf, size, "%s %s", num(a, sizeof(a), L, n, 0), isfinite(n) && fabs(n) == 1.0 ? w->one : w->many);
	return buf;
}

#define COUNT(L, n, w) count_text((char[128]){ 0 }, 128, (L), (n), (w))

/* Length of the UTF-8 sequence at p: 1 for ASCII and for any byte that
 * does not start a complete, well-formed sequence (so a cut never lands
 * inside a character and never runs past the terminating NUL). */
static size_t
utf8_len(const unsigned char *p)
{
	size_t len = p[0] >= 0xf0 && p[0] < 0xf8 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 1;

	for (size_t k = 1; k < len; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 1;
	return len;
}

/* Width of the character at p, in units of the font size, for DejaVu Sans
 * (the "Sans" of fonts-dejavu-core) as pdfcairo draws it; on the safe side
 * (a name of capitals is wider than one in lower case). */
static double
char_width(const unsigned char *p, size_t len)
{
	unsigned char ch = p[0];

	if (len >= 3)
		return 0.66; /* CJK and other wide scripts */
	if (len == 2)
		return 0.48; /* ä, ß, Ç, ı, ...: as a capital */
	if (ch == 'M' || ch == 'W')
		return 0.66;
	if (ch == 'm')
		return 0.62;
	if (ch == 'w')
		return 0.55;
	if (ch >= 'A' && ch <= 'Z')
		return 0.48;
	if (ch == 'i' || ch == 'j' || ch == 'l' || ch == 'f' || ch == 't')
		return 0.21;
	if (ch >= 'a' && ch <= 'z')
		return 0.41;
	if (ch >= '0' && ch <= '9')
		return 0.42;
	if (ch == ' ' || ch == '.' || ch == ',' || ch == ':' || ch == '\'' || ch == '|')
		return 0.23;
	return 0.42;
}

/* Widths in font-size units: bold type is 13 % wider; pngcairo draws a
 * point 1.99 times as wide as pdfcairo (both measured). */
#define BOLD_WIDTH 1.13
#define PNG_PX_PER_UNIT 1.99
#define A4_W_PT 595.0 /* pdfcairo's 21 cm */
/* pdfcairo's default fontscale 0.5 at its 96 dpi: 'Sans,9' is 6 pt on paper
 * (measured: the Tf size in the PDF); a PNG's 'Sans,9' is 12 px */
#define PDF_PT_PER_FONT_PT (2.0 / 3.0)
#define PNG_PX_PER_FONT_PT (4.0 / 3.0)
/* The smallest type on the PDFs: 6 pt on paper (the terminal's own font,
 * tic labels). The small print was 4.7 pt (',7'): the zone key, the data
 * quality line and a player's notes were unreadable printed. */
#define PDF_SMALL_FONT 9
#define PDF_TABLE_FONT 9 /* team.pdf's table: 6 pt (was 5.7) */

static double
text_width(const char *s, bool bold)
{
	const unsigned char *p = (const unsigned char *) s;
	double w = 0;

	while (*p) {
		size_t len = utf8_len(p);
		w += char_width(p, len);
		p += len;
	}
	return bold ? w * BOLD_WIDTH : w;
}

/* s cut to fit max_units (font-size units, text_width): whole characters
 * only, then "…" after the last one (without a dangling space, hyphen or
 * comma). dst gets s itself if it fits. */
static void
fit_text(char *dst, size_t size, const char *s, double max_units, bool bold)
{
	const unsigned char *p = (const unsigned char *) s;
	const double ell = char_width((const unsigned char *) "…", 3) * (bold ? BOLD_WIDTH : 1.0);
	double w = 0;
	size_t i = 0, end;

	if (size == 0)
		return;
	if (text_width(s, bold) <= max_units && strlen(s) < size) {
		memcpy(dst, s, strlen(s) + 1);
		return;
	}
	while (p[i]) {
		size_t len = utf8_len(p + i);
		double cw = char_width(p + i, len) * (bold ? BOLD_WIDTH : 1.0);

		if (w + cw + ell > max_units || i + len + sizeof("…") > size)
			break;
		w += cw;
		i += len;
	}
	end = i;
	while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '-' || s[end - 1] == ',' || s[end - 1] == '('))
		end--;
	memcpy(dst, s, end);
	memcpy(dst + end, "…", sizeof("…")); /* 3 bytes and the NUL */
}

#define PNG_TITLE_PT 14 /* the font size of a PNG's title */

/* "Name – Title" for a player's stand-alone PNG of c->title_px pixels,
 * the name shortened with "…" so that the title fits the width (a long
 * double name was cut off on both sides of zones.png). */
static void
png_title(const struct ctx *c, char *buf, size_t size, const char *title)
{
	const double max_units = c->title_px * 0.86 / (PNG_TITLE_PT * PNG_PX_PER_UNIT);
	char name[256];
	double room;

	if (!c->who || !c->who[0]) {
		fit_text(buf, size, title, max_units, false);
		return;
	}
	room = max_units - text_width(" – ", false) - text_width(title, false);
	fit_text(name, sizeof(name), c->who, room > 6.0 ? room : 6.0, false);
	snprintf(buf, size, "%s – %s", name, title);
}

static void
title_for(struct ctx *c, const char *title)
{
	char t[400];

	png_title(c, t, sizeof(t), title);
	kt_gnuplot_quote(c->f, t);
}

static const char *
player_label(const struct kt_rep_player *p)
{
	return p->player[0] ? p->player : p->vest_id;
}

static void
format_date(char *buf, size_t size, const struct ctx *c)
{
	const char *d = c->sess.date_iso;

	if (!d[0])
		snprintf(buf, size, "–");
	else if (c->L->comma)
		snprintf(buf, size, "%.2s.%.2s.%.4s", d + 8, d + 5, d);
	else
		snprintf(buf, size, "%s", d);
	/* a run cut with --from/--to says which part it counted */
	if (c->sess.window[0] && strlen(buf) + strlen(c->sess.window) + 2 < size)
		snprintf(buf + strlen(buf), size - strlen(buf), ", %s", c->sess.window);
}

static void
format_pitch(char *buf, size_t size, const struct ctx *c)
{
	const struct kt_rep_session *s = &c->sess;
	char l[32], w[32];

	kt_fmt_double(l, sizeof(l), s->pitch_length_m, s->pitch_length_m == floor(s->pitch_length_m) ? 0 : 1,
		      c->L->comma);
	kt_fmt_double(w, sizeof(w), s->pitch_width_m, s->pitch_width_m == floor(s->pitch_width_m) ? 0 : 1,
		      c->L->comma);
	snprintf(buf, size, "%s%s%s × %s m%s", s->pitch_name, s->pitch_name[0] ? " (" : "", l, w,
		 s->pitch_name[0] ? ")" : "");
	/* an estimated pitch has no name (kt-chart-data.c): said once, here */
	if (s->pitch_estimated && s->pitch_estimated_vests > 0)
		snprintf(buf + strlen(buf), size - strlen(buf), ", %s%s%s", c->L->pitch_estimated_of[0],
			 COUNT(c->L, s->pitch_estimated_vests, &c->L->n_vest), c->L->pitch_estimated_of[1]);
	else if (s->pitch_estimated)
		snprintf(buf + strlen(buf), size - strlen(buf), ", %s", c->L->pitch_estimated);
}

static void
q(struct ctx *c, const char *s)
{
	kt_gnuplot_quote(c->f, s);
}

/* Settings every chart starts with (after `reset`). */
static void
chart_common(struct ctx *c)
{
	fprintf(c->f,
		"set decimalsign '%c'\n"
		"set border lc rgb '#555555'\n"
		"set grid lc rgb '#dddddd' lw 1 dt 1\n"
		"set key noautotitle\n"
		"set style fill solid 1.0 noborder\n",
		c->L->comma ? ',' : '.');
}

static char *
player_path(const struct ctx *c, const struct kt_rep_player *p, const char *file)
{
	char *s;

	if (asprintf(&s, "%s/players/%s/%s", c->outdir, p->vest_id, file) < 0)
		return NULL;
	return s;
}

static char *
out_path(const struct ctx *c, const char *file)
{
	char *s;

	if (asprintf(&s, "%s/%s", c->outdir, file) < 0)
		return NULL;
	return s;
}

/* A chart we did not even ask gnuplot for (its input is missing): remove a
 * stale file of an earlier run, count it. */
static void
chart_skipped(struct ctx *c, const char *path)
{
	(void) unlink(path);
	c->missing++;
}

/* --- the pitch and heatmaps --- */

/* Whether the Law 1 markings fit: only a pitch of the size the Laws of the
 * Game allow (IFAB Law 1: length 90-120 m, width 45-90 m) has them. */
static bool
pitch_full_size(double length_m, double width_m)
{
	return length_m >= 90.0 && length_m <= 120.0 && width_m >= 45.0 && width_m <= 90.0;
}

/* The pitch's lines, white on grass, never outside the pitch. A pitch of
 * Law 1 size gets all its markings at their true size. A smaller (or
 * larger) one, a youth or small-sided ground or an estimated pitch that is
 * only the part the vests covered, gets its outline, halfway line and
 * centre spot only: penalty areas, goal areas, centre circle, penalty
 * spots and arcs are left out, not scaled, because small-sided grounds
 * mark them differently by age group (or with cones) and a scaled guess
 * would show areas that are not on the ground. */
static void
pitch_markings(struct ctx *c)
{
	const double L = c->sess.pitch_length_m, W = c->sess.pitch_width_m, cy = W / 2.0;
	const char *st = "fs empty border lc rgb 'white' lw 1.5 front";
	/* Law 1 sizes; penalty arc: the part of the 9.15 m circle round the
	 * penalty spot (11 m) that lies outside the 16.5 m area */
	const double arc = acos(5.5 / 9.15) * 180.0 / M_PI;
	FILE *f = c->f;

	fprintf(f, "set object rect from graph 0,0 to graph 1,1 fc rgb '%s' fs solid 1.0 noborder behind\n",
		GRASS_RGB);
	fprintf(f, "set object rect from 0,0 to %g,%g %s\n", L, W, st);
	fprintf(f, "set arrow from %g,0 to %g,%g nohead lc rgb 'white' lw 1.5 front\n", L / 2, L / 2, W);
	fprintf(f, "set object circle at %g,%g size 0.35 fs solid 1.0 noborder fc rgb 'white' front\n",
		L / 2, cy);
	if (!pitch_full_size(L, W))
		return;
	fprintf(f, "set object circle at %g,%g size 9.15 %s\n", L / 2, cy, st);
	for (int side = 0; side < 2; side++) {
		double x0 = side ? L : 0, d = side ? -1 : 1;

		fprintf(f, "set object rect from %g,%g to %g,%g %s\n", x0, cy - 20.16, x0 + d * 16.5,
			cy + 20.16, st);
		fprintf(f, "set object rect from %g,%g to %g,%g %s\n", x0, cy - 9.16, x0 + d * 5.5,
			cy + 9.16, st);
		/* the goal (7.32 m) as a thick stretch of the goal line, not a
		 * box behind it: nothing is drawn outside the pitch */
		fprintf(f, "set arrow from %g,%g to %g,%g nohead lc rgb 'white' lw 4 front\n", x0,
			cy - 3.66, x0, cy + 3.66);
		fprintf(f, "set object circle at %g,%g size 0.35 fs solid 1.0 noborder fc rgb 'white' front\n",
			x0 + d * 11.0, cy);
		fprintf(f, "set object circle at %g,%g size 9.15 arc [%g:%g] nowedge %s\n", x0 + d * 11.0,
			cy, side ? 180.0 - arc : -arc, side ? 180.0 + arc : arc, st);
	}
}

/* A note across the middle of a heatmap, in a white box: one or two lines. */
static void
heat_note(struct ctx *c, const char *line1, const char *line2, bool small)
{
	FILE *f = c->f;

	fprintf(f, "set style textbox 2 opaque fc rgb 'white' border lc rgb '#b71c1c' margins %d,%d\n",
		small ? 4 : 8, small ? 3 : 5);
	fprintf(f, "set label 21 ");
	q(c, line1);
	if (line2) {
		fprintf(f, " . \"\\n\" . ");
		q(c, line2);
	}
	fprintf(f, " at graph 0.5,0.5 center front boxed bs 2 tc rgb '#b71c1c' font ',%d'\n", small ? 9 : 14);
}

/* Heatmap on the pitch, colour = % of the time on the pitch. cells may be
 * NULL (no pitch known: no cells). tracked_s: the seconds the heatmap's
 * players were tracked (NaN if unknown), to tell a heatmap that holds
 * (almost) nothing: then the chart says so, and with a pitch file why. */
static void
plot_heatmap(struct ctx *c, const double *cells, unsigned nx, unsigned ny, double tracked_s,
	     const char *title, bool small)
{
	const double L = c->sess.pitch_length_m, W = c->sess.pitch_width_m;
	double total = 0, max_pct = 0, cx, cy, share;
	FILE *f = c->f;

	chart_common(c);
	fprintf(f, "set size ratio -1\nunset grid\nset rmargin %d\n", small ? 11 : 14);
	fprintf(f, "set xrange [-3:%g]\nset yrange [-3:%g]\n", L + 3, W + 3);
	fprintf(f, "set xtics 0,10 out nomirror\nset ytics 0,10 out nomirror\n");
	fprintf(f, "set xlabel ");
	q(c, c->L->length_axis);
	fprintf(f, "\nset ylabel ");
	q(c, c->L->width_axis);
	fputc('\n', f);
	if (title) {
		fprintf(f, "set title ");
		q(c, title);
		fprintf(f, " font ',%d'\n", small ? 10 : 14);
	}
	pitch_markings(c);

	if (!cells || nx == 0 || ny == 0) {
		fprintf(f, "set label 1 ");
		q(c, c->L->no_pos);
		fprintf(f, " at graph 0.5,0.62 center tc rgb 'white' font ',%d' front\nplot 1/0\n",
			small ? 10 : 16);
		return;
	}
	for (size_t i = 0; i < (size_t) nx * ny; i++)
		total += cells[i];
	/* (almost) nothing on the pitch: with a pitch file its corners are
	 * wrong (or the players were elsewhere); an estimated pitch holds the
	 * tracks by construction, so there it is only said */
	share = isfinite(tracked_s) && tracked_s > 0 ? total / tracked_s : NAN;
	if (!(total > 0)) {
		heat_note(c, c->L->heat_none, c->sess.pitch_estimated ? NULL : c->L->heat_check, small);
		/* no colour scale for nothing */
		fprintf(f, "unset colorbox\nplot 1/0\n");
		return;
	}
	if (share < HEAT_FEW_SHARE) {
		char t[128];

		snprintf(t, sizeof(t), "%s%s%s", c->L->heat_few[0], NUM(c->L, share * 100.0, share < 0.01 ? 1 : 0),
			 c->L->heat_few[1]);
		heat_note(c, t, c->sess.pitch_estimated ? NULL : c->L->heat_check, small);
	}
	cx = isfinite(c->sess.heat_cell_x_m) ? c->sess.heat_cell_x_m : L / nx;
	cy = isfinite(c->sess.heat_cell_y_m) ? c->sess.heat_cell_y_m : W / ny;
	/* one box per visited cell, cut at the touch and goal lines (a last
	 * row of 4 m cells may reach past a pitch 25 m wide; positions just
	 * outside count in the edge cell, doc/metrics.md): "x0 x1 y0 y1 %" */
	fprintf(f, "$heat << EOD\n");
	for (unsigned y = 0; y < ny; y++) {
		for (unsigned x = 0; x < nx; x++) {
			double pct = cells[(size_t) y * nx + x] * 100.0 / total;
			double x0 = x * cx, y0 = y * cy;

			if (pct > max_pct)
				max_pct = pct;
			if (!(pct > 0) || x0 >= L || y0 >= W)
				continue;
			fprintf(f, "%.3f %.3f %.3f %.3f %.4g\n", x0, fmin(x0 + cx, L), y0, fmin(y0 + cy, W), pct);
		}
	}
	fprintf(f, "EOD\n");
	if (max_pct <= 0)
		max_pct = 1;
	/* low = grass, so untouched cells look like the pitch */
	fprintf(f, "set palette defined (0 '%s', 0.12 '#8bc34a', 0.35 '#ffeb3b', 0.65 '#ff9800', 1 '#b71c1c')\n",
		GRASS_RGB);
	fprintf(f, "set cbrange [0:%g]\nset cbtics out\nset cblabel ", max_pct);
	q(c, c->L->pct_time);
	fprintf(f, "\nset colorbox user origin graph 1.03, graph 0 size graph 0.03, graph 1 noborder\n");
	fprintf(f, "plot $heat using (($1+$2)/2):(($3+$4)/2):1:2:3:4:5 with boxxyerror fs solid 1.0 noborder fc palette\n");
}

/* Seconds a player was tracked (the time a heatmap could hold), NaN if
 * team.csv does not say. */
static double
tracked_s(const struct kt_rep_player *p)
{
	const double *v = p->v;

	if (isfinite(v[KT_TC_VALID_MINUTES]))
		return v[KT_TC_VALID_MINUTES] * 60.0;
	if (isfinite(v[KT_TC_MINUTES]) && isfinite(v[KT_TC_FIX_PCT]))
		return v[KT_TC_MINUTES] * 60.0 * v[KT_TC_FIX_PCT] / 100.0;
	return isfinite(v[KT_TC_MINUTES]) ? v[KT_TC_MINUTES] * 60.0 : NAN;
}

/* --- time series --- */

/* The series as one column per bucket of bucket_s seconds, from the
 * bucket's min to its max (so peaks survive) and joined to the previous
 * bucket's last value (so the trace is continuous), at least min_h high:
 * "x_from x_to y_lo y_hi" in minutes since t0. Nothing is joined across a
 * gap (no valid value, or more than GAP_S without a sample). gnuplot draws
 * these as filled boxes: as fast as a line of 1,000 points is slow. */
static void
write_envelope(FILE *f, const double *t, const double *v, size_t n, double t0, double bucket_s,
	       double min_h)
{
	long bucket = -1;
	bool have = false;
	double lo = 0, hi = 0, prev_last = NAN, last = NAN, t_prev = NAN, ta = 0, tb = 0;

#define FLUSH()                                                                        \
	do {                                                                           \
		if (have) {                                                            \
			if (isfinite(prev_last)) {                                     \
				lo = fmin(lo, prev_last);                              \
				hi = fmax(hi, prev_last);                              \
			}                                                              \
			if (hi - lo < min_h) {                                         \
				double m_ = (hi + lo) / 2;                             \
				lo = m_ - min_h / 2;                                   \
				hi = m_ + min_h / 2;                                   \
			}                                                              \
			fprintf(f, "%.4f %.4f %.3f %.3f\n", (ta - t0) / 60.0,          \
				(fmax(tb, ta + bucket_s * 1.6) - t0) / 60.0, lo, hi);   \
			prev_last = last;                                              \
			have = false;                                                  \
		}                                                                      \
	} while (0)

	for (size_t i = 0; i < n; i++) {
		long b;

		if (!isfinite(v[i]) || (isfinite(t_prev) && t[i] - t_prev > GAP_S)) {
			FLUSH();
			prev_last = NAN;
			if (!isfinite(v[i]))
				continue;
		}
		t_prev = t[i];
		b = (long) floor((t[i] - t0) / bucket_s);
		if (b != bucket) {
			FLUSH();
			bucket = b;
		}
		if (!have) {
			lo = hi = v[i];
			ta = t[i];
			have = true;
		}
		lo = fmin(lo, v[i]);
		hi = fmax(hi, v[i]);
		tb = t[i];
		last = v[i];
	}
	FLUSH();
#undef FLUSH
}

/* A series with no more than 2 samples per pixel column is drawn as a
 * plain line ("x y" in minutes since t0, a blank line at each gap): the
 * envelope of one sample per bucket is a row of short boxes, which looked
 * dotted. Returns whether it wrote lines (true) or the envelope. */
static bool
write_trace(FILE *f, const double *t, const double *v, size_t n, double t0, double bucket_s,
	    double min_h, int columns)
{
	double t_prev = NAN;
	bool broken = false;

	if (n > 2 * (size_t) (columns > 0 ? columns : 800)) {
		write_envelope(f, t, v, n, t0, bucket_s, min_h);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			broken = true;
			continue;
		}
		if (broken || (isfinite(t_prev) && t[i] - t_prev > GAP_S))
			fputc('\n', f);
		broken = false;
		fprintf(f, "%.5f %.3f\n", (t[i] - t0) / 60.0, v[i]);
		t_prev = t[i];
	}
	return true;
}

/* How gnuplot draws what write_trace() wrote, in colour rgb. */
static void
plot_trace(FILE *f, const char *block, bool lines, const char *rgb)
{
	if (lines)
		fprintf(f, "%s using 1:2 with lines lw 1.5 lc rgb '%s'", block, rgb);
	else
		fprintf(f, "%s using (($1+$2)/2):(($3+$4)/2):1:2:3:4 with boxxyerror fs solid 1.0 noborder fc rgb '%s'",
			block, rgb);
}

/* Mean of each window of window_s seconds (valid samples only), at the
 * window's middle; a blank line where a window has no valid sample. */
static void
write_means(FILE *f, const double *t, const double *v, size_t n, double t0, double window_s)
{
	long w = -1;
	double sum = 0;
	size_t cnt = 0;
	bool broken = false;

	for (size_t i = 0; i <= n; i++) {
		long b = i < n ? (long) floor((t[i] - t0) / window_s) : -2;

		if (b != w) {
			if (cnt > 0)
				fprintf(f, "%.4f %.3f\n", ((w + 0.5) * window_s) / 60.0, sum / cnt);
			if ((cnt == 0 && w >= 0) || (i < n && w >= 0 && b > w + 1) || broken)
				fputc('\n', f);
			w = b;
			sum = 0;
			cnt = 0;
			broken = false;
		}
		if (i == n)
			break;
		if (isfinite(v[i])) {
			sum += v[i];
			cnt++;
		} else
			broken = true;
	}
}

static void
shade(struct ctx *c, double a, double b, double t0, bool off)
{
	fprintf(c->f, "set object rect from %.4f, graph 0 to %.4f, graph 1 fc rgb '%s' %s behind\n", (a - t0) / 60.0,
		(b - t0) / 60.0, off ? OFF_RGB : GAP_RGB, off ? OFF_STYLE : "fs transparent solid 0.35 noborder");
}

/* Shade a gap from a to b: the times p's vest was off in it (p->off_t_s,
 * sorted) hatched, the rest, where longer than GAP_S, grey. Returns how
 * many grey ones; *n_off counts the hatched ones. */
static unsigned
shade_gap(struct ctx *c, const struct kt_rep_player *p, double a, double b, double t0, unsigned *n_off)
{
	unsigned n = 0;

	for (size_t k = 0; p && k < p->n_off; k++) {
		double o0 = fmax(a, p->off_t_s[2 * k]), o1 = fmin(b, p->off_t_s[2 * k + 1]);

		if (o1 <= o0)
			continue;
		if (o0 - a > GAP_S) {
			shade(c, a, o0, t0, false);
			n++;
		}
		shade(c, o0, o1, t0, true);
		++*n_off;
		a = o1;
	}
	if (b - a > GAP_S) {
		shade(c, a, b, t0, false);
		n++;
	}
	return n;
}

/* Shade the gaps (no valid speed, or time jumps > GAP_S), the times p's
 * vest was off apart from the loss of signal: returns the count of
 * signal gaps, *ret_off the count of those off (p NULL: none). */
static unsigned
gap_objects(struct ctx *c, const struct kt_rep_series *s, const struct kt_rep_player *p, double t0, unsigned *ret_off)
{
	unsigned n = 0, n_off = 0;
	double gap_start = NAN, last_ok = NAN;

	for (size_t i = 0; i < s->n; i++) {
		bool ok = isfinite(s->speed_kmh[i]);

		if (ok && isfinite(last_ok) && s->t_s[i] - last_ok > GAP_S) {
			double a = isfinite(gap_start) ? gap_start : last_ok;
			if (n + n_off < 500)
				n += shade_gap(c, p, a, s->t_s[i], t0, &n_off);
			else
				n++;
			gap_start = NAN;
		}
		if (ok)
			last_ok = s->t_s[i];
		else if (!isfinite(gap_start) && isfinite(last_ok))
			gap_start = last_ok;
	}
	if (ret_off)
		*ret_off = n_off;
	return n;
}

static double
series_span_s(const struct kt_rep_series *s)
{
	return s->n >= 2 ? s->t_s[s->n - 1] - s->t_s[0] : 0;
}

static void
time_axis(struct ctx *c, const struct kt_rep_series *s)
{
	double min = series_span_s(s) / 60.0;
	/* 4 to 10 ticks however short: a half-minute drill had one, "0" */
	double step = min > 60 ? 10 : min > 20 ? 5 : min > 8 ? 2 : min > 4 ? 1 : min > 2 ? 0.5 : min > 1 ? 0.25 : 0.1;

	fprintf(c->f, "set xrange [0:%g]\nset xtics 0,%g out nomirror\nset xlabel ", min > 0 ? min : 1, step);
	q(c, c->L->time_axis);
	fputc('\n', c->f);
}

static void
plot_speed(struct ctx *c, const struct kt_rep_series *s, const struct kt_rep_player *p, int columns, bool small)
{
	FILE *f = c->f;
	double t0, lo = 0, bucket;
	unsigned gaps, offs = 0, sprints = 0;
	bool trend, lines;
	double mean_s;

	chart_common(c);
	fprintf(f, "set grid noxtics ytics\nset yrange [0:%g]\nset ytics 0,5 out nomirror\nset ylabel ", SPEED_MAX_KMH);
	q(c, c->L->speed_axis);
	fprintf(f, "\nset rmargin %d\n", small ? 5 : 6);
	if (!small) {
		fprintf(f, "set title ");
		title_for(c, c->L->t_speed);
		fprintf(f, " font ',14'\n");
	}
	/* zone bands */
	for (int z = 0; z < 5; z++) {
		double hi = z < 4 ? c->sess.zone_kmh[z] : SPEED_MAX_KMH;
		fprintf(f, "set object rect from graph 0, first %g to graph 1, first %g fc rgb '%s' fs transparent solid 0.22 noborder behind\n",
			lo, hi, zone_rgb[z]);
		fprintf(f, "set label 'Z%d' at graph 1.01, first %g left tc rgb '%s' font ',%d'\n", z + 1,
			(lo + hi) / 2.0, zone_rgb[z], small ? PDF_SMALL_FONT : 10);
		lo = hi;
	}
	if (s->n < 2) {
		fprintf(f, "set xrange [0:1]\nset label 10 ");
		q(c, c->L->no_data);
		fprintf(f, " at graph 0.5,0.5 center\nplot 1/0\n");
		return;
	}
	t0 = s->t_s[0];
	time_axis(c, s);
	gaps = gap_objects(c, s, p, t0, &offs);

	bucket = series_span_s(s) / (columns > 0 ? columns : 800);
	if (bucket < 0.05)
		bucket = 0.05;
	fprintf(f, "$speed << EOD\n");
	lines = write_trace(f, s->t_s, s->speed_kmh, s->n, t0, bucket, SPEED_MAX_KMH / 150.0, columns);
	fprintf(f, "EOD\n$sprints << EOD\n");
	for (size_t i = 0; i < s->n;) {
		size_t j = i, top = i;
		if (!s->in_sprint[i] || !isfinite(s->speed_kmh[i])) {
			i++;
			continue;
		}
		while (j < s->n && s->in_sprint[j]) {
			if (isfinite(s->speed_kmh[j]) && s->speed_kmh[j] > s->speed_kmh[top])
				top = j;
			j++;
		}
		fprintf(f, "%.5f %.3f\n", (s->t_s[top] - t0) / 60.0,
			fmin(s->speed_kmh[top] + 1.5, SPEED_MAX_KMH - 0.5));
		sprints++;
		i = j;
	}
	fprintf(f, "EOD\n");
	if (small) /* the PDF's title says what the triangles are */
		fprintf(f, "unset key\n");
	else
		fprintf(f, "set key outside bottom center horizontal samplen 1.5 font ',10'\nset bmargin 5\n");
	/* a long session is a dense band of min/max columns: a 30 s mean on top
	 * shows the course of the session */
	trend = series_span_s(s) > 20 * 60;
	mean_s = series_span_s(s) > 45 * 60 ? 60.0 : 30.0;
	if (trend) {
		fprintf(f, "$trend << EOD\n");
		write_means(f, s->t_s, s->speed_kmh, s->n, t0, mean_s);
		fprintf(f, "EOD\n");
	}
	fprintf(f, "plot ");
	/* (under the trend a lighter trace, but not grey: grey is "no
	 * signal", and a coach read a whole session of grey columns so) */
	plot_trace(f, "$speed", lines, trend ? SPEED_TRACE_RGB : "#202020");
	if (trend) {
		fprintf(f, ", $trend using 1:2 with lines lw %g lc rgb '#101010' title ", small ? 1.2 : 2.0);
		{
			char t[64];
			snprintf(t, sizeof(t), "%s %.0f s", c->L->mean, mean_s);
			q(c, t);
		}
	}
	fprintf(f, ", $sprints using 1:2 with points pt 11 ps %g lc rgb '#b71c1c' title ", small ? 0.6 : 1.2);
	{
		char t[64];
		snprintf(t, sizeof(t), "%s", COUNT(c->L, (double) sprints, &c->L->n_sprint));
		q(c, t);
	}
	if (gaps) {
		fprintf(f, ", 1/0 with boxes fs transparent solid 0.35 fc rgb '" GAP_RGB "' title ");
		q(c, c->L->gap);
	}
	if (offs) {
		fprintf(f, ", 1/0 with boxes " OFF_STYLE " fc rgb '" OFF_RGB "' title ");
		q(c, c->L->off);
	}
	fputc('\n', f);
}

static void
plot_accel(struct ctx *c, const struct kt_rep_series *s, const struct kt_rep_player *p, int columns)
{
	FILE *f = c->f;
	double th = c->sess.effort_ms2, bucket;
	bool lines;
	char t[128];

	chart_common(c);
	fprintf(f, "set grid noxtics ytics\nset yrange [%g:%g]\nset ytics -6,2,6 out nomirror\nset ylabel ",
		-ACCEL_MAX_MS2, ACCEL_MAX_MS2);
	q(c, c->L->accel_axis);
	fprintf(f, "\nset title ");
	title_for(c, c->L->t_accel);
	fprintf(f, " font ',14'\n");
	fprintf(f, "set object rect from graph 0, first %g to graph 1, first %g fc rgb '%s' fs transparent solid 0.2 noborder behind\n",
		th, ACCEL_MAX_MS2, zone_rgb[3]);
	fprintf(f, "set object rect from graph 0, first %g to graph 1, first %g fc rgb '%s' fs transparent solid 0.2 noborder behind\n",
		-ACCEL_MAX_MS2, -th, zone_rgb[0]);
	/* (0.5 s as "0,5 s", a configured 0.25 s as "0,25 s") */
	int held_dec = fabs(c->sess.effort_min_s * 10 - round(c->sess.effort_min_s * 10)) > 1e-6 ? 2 : 1;

	/* with how long it must be held: the trace crosses the threshold
	 * many times that count for nothing, and "0" under a dozen spikes
	 * looked wrong */
	snprintf(t, sizeof(t), "%s ≥ %s m/s² %s %s s: %s", c->L->accel_band, NUM(c->L, th, 1), c->L->held,
		 NUM(c->L, c->sess.effort_min_s, held_dec), NUM(c->L, p->v[KT_TC_ACCELERATIONS], 0));
	fprintf(f, "set label 1 ");
	q(c, t);
	fprintf(f, " at graph 0.01, first %g left front font ',10'\n", ACCEL_MAX_MS2 - 0.6);
	snprintf(t, sizeof(t), "%s ≤ −%s m/s² %s %s s: %s", c->L->decel_band, NUM(c->L, th, 1), c->L->held,
		 NUM(c->L, c->sess.effort_min_s, held_dec), NUM(c->L, p->v[KT_TC_DECELERATIONS], 0));
	fprintf(f, "set label 2 ");
	q(c, t);
	fprintf(f, " at graph 0.01, first %g left front font ',10'\n", -ACCEL_MAX_MS2 + 0.6);
	if (s->n < 2) {
		fprintf(f, "set xrange [0:1]\nset label 10 ");
		q(c, c->L->no_data);
		fprintf(f, " at graph 0.5,0.5 center\nplot 1/0\n");
		return;
	}
	time_axis(c, s);
	gap_objects(c, s, p, s->t_s[0], NULL);
	bucket = series_span_s(s) / (columns > 0 ? columns : 800);
	if (bucket < 0.05)
		bucket = 0.05;
	fprintf(f, "$accel << EOD\n");
	lines = write_trace(f, s->t_s, s->accel_ms2, s->n, s->t_s[0], bucket, ACCEL_MAX_MS2 / 60.0, columns);
	fprintf(f, "EOD\nplot ");
	plot_trace(f, "$accel", lines, "#303030");
	fprintf(f, ", %g with lines dt 2 lc rgb '%s', %g with lines dt 2 lc rgb '%s'\n", th, zone_rgb[3], -th,
		zone_rgb[0]);
}

static void
zone_tic(struct ctx *c, char *buf, size_t size, int z)
{
	if (z == 0)
		snprintf(buf, size, "Z1\\n< %s", NUM(c->L, c->sess.zone_kmh[0], 1));
	else if (z == 4)
		snprintf(buf, size, "Z5\\n≥ %s", NUM(c->L, c->sess.zone_kmh[3], 1));
	else
		snprintf(buf, size, "Z%d\\n%s–%s", z + 1, NUM(c->L, c->sess.zone_kmh[z - 1], 1),
			 NUM(c->L, c->sess.zone_kmh[z], 1));
}

static void
plot_zones(struct ctx *c, const struct kt_rep_player *p, bool small)
{
	FILE *f = c->f;
	double total = 0, max = 0;

	for (int z = 0; z < 5; z++)
		if (isfinite(p->v[KT_TC_Z1_M + z])) {
			total += p->v[KT_TC_Z1_M + z];
			max = fmax(max, p->v[KT_TC_Z1_M + z]);
		}
	chart_common(c);
	fprintf(f, "set grid noxtics ytics\nset xrange [0.4:5.6]\nset yrange [0:%g]\nset ytics out nomirror\n",
		max > 0 ? max * 1.3 : 1);
	fprintf(f, "set ylabel ");
	q(c, c->L->dist_axis);
	fprintf(f, "\nset xlabel ");
	q(c, c->L->zone_axis);
	fputc('\n', f);
	if (!small) {
		fprintf(f, "set title ");
		title_for(c, c->L->t_zones);
		fprintf(f, " font ',14'\n");
	}
	fprintf(f, "set xtics nomirror scale 0 (");
	for (int z = 0; z < 5; z++) {
		char tic[64];
		zone_tic(c, tic, sizeof(tic), z);
		fprintf(f, "%s\"%s\" %d", z ? ", " : "", tic, z + 1);
	}
	fprintf(f, ")\n");
	fprintf(f, "$zones << EOD\n");
	for (int z = 0; z < 5; z++) {
		double v = p->v[KT_TC_Z1_M + z];
		fprintf(f, "%d %.2f %d\n", z + 1, isfinite(v) ? v : 0,
			(int) strtol(zone_rgb[z] + 1, NULL, 16));
	}
	fprintf(f, "EOD\n");
	for (int z = 0; z < 5; z++) {
		double v = p->v[KT_TC_Z1_M + z];
		if (isfinite(v))
			fprintf(f, "set label %d \"%s m\\n%s %%\" at %d,%g center offset 0,1.9 font ',%d'\n",
				z + 1, NUM(c->L, v, 0), NUM(c->L, total > 0 ? v * 100 / total : NAN, 0),
				z + 1, v, small ? PDF_SMALL_FONT : 10);
	}
	fprintf(f, "set boxwidth 0.7\nset xlabel offset 0,-0.6\n");
	fprintf(f, "plot $zones using 1:2:3 with boxes lc rgb variable\n");
}

/* --- team charts --- */

static int
cmp_desc(const void *a, const void *b, void *userdata)
{
	const double *key = userdata;
	double x = key[*(const size_t *) a], y = key[*(const size_t *) b];

	if (!isfinite(x))
		x = -1;
	if (!isfinite(y))
		y = -1;
	return (x < y) - (x > y);
}

/* Indexes of players sorted by key (descending). Caller frees. */
static size_t *
sorted_by(struct ctx *c, enum kt_team_col col, enum kt_team_col tie)
{
	size_t n = c->team.n, *idx = calloc(n ? n : 1, sizeof(size_t));
	double *key = calloc(n ? n : 1, sizeof(double));

	if (!idx || !key) {
		free(idx);
		free(key);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		double a = c->team.players[i].v[col], b = c->team.players[i].v[tie];
		idx[i] = i;
		key[i] = (isfinite(a) ? a : -1) * 1000.0 + (isfinite(b) ? fmin(b, 999.0) / 1000.0 : 0);
	}
	qsort_r(idx, n, sizeof(size_t), cmp_desc, key);
	free(key);
	return idx;
}

static void
player_xtics(struct ctx *c, const size_t *idx)
{
	size_t n = c->team.n;
	FILE *f = c->f;

	fprintf(f, "set xrange [-0.6:%g]\n", n - 0.4);
	fprintf(f, "set xtics nomirror scale 0 rotate by 35 right font ',%d' (", n > 20 ? 9 : 10);
	for (size_t i = 0; i < n; i++) {
		const struct kt_rep_player *p = &c->team.players[idx[i]];
		char name[96], lab[128];

		fit_text(name, sizeof(name), player_label(p), 8.0, false);
		if (p->number[0])
			snprintf(lab, sizeof(lab), "%s (%s)", name, p->number);
		else
			snprintf(lab, sizeof(lab), "%s", name);
		if (i)
			fputs(", ", f);
		q(c, lab);
		fprintf(f, " %zu", i);
	}
	fprintf(f, ")\n");
}

/* The plot area of a team chart with bars (HSR, sprints), left and right
 * edge in screen coordinates: fixed, so that we know how wide a bar's
 * place is. On the PDF the chart is 0.96 of the page from 0.02 (team_pdf);
 * a PNG is its own screen. y2: room for the right axis (top speed). */
static void
team_margins(struct ctx *c, bool small, bool y2, double *ret_x0, double *ret_x1)
{
	*ret_x0 = small ? 0.085 : 0.07;
	*ret_x1 = y2 ? (small ? 0.905 : 0.925) : (small ? 0.965 : 0.98);
	fprintf(c->f, "set lmargin at screen %g\nset rmargin at screen %g\n", *ret_x0, *ret_x1);
}

/* How to label the bars of a team chart: at a size one reads on paper
 * (6.3 pt on the PDF; 4 pt before, with 25 players), side by side while
 * the widest label fits a bar's place with room to spare, else upright
 * over the bar, and not at all when even that is too tight (the table has
 * every number). */
struct bar_labels {
	double font;   /* gnuplot font size */
	bool upright;
	bool none;
};

#define BAR_LABEL_FONT_PDF 9.5 /* x PDF_PT_PER_FONT_PT: 6.3 pt */
#define BAR_LABEL_FONT_PNG 9.0
#define BAR_LABEL_GAP_PT 2.5   /* between two labels side by side, on paper */

static struct bar_labels
bar_labels(const struct ctx *c, bool small, double x0, double x1, double widest_units)
{
	const double font = small ? BAR_LABEL_FONT_PDF : BAR_LABEL_FONT_PNG;
	/* a unit of text_width: the font size in pt on the PDF (A4_W_PT
	 * wide), in PNG_PX_PER_UNIT px on a PNG of title_px */
	const double page = small ? A4_W_PT : c->title_px, unit = small ? 1.0 : PNG_PX_PER_UNIT;
	const double gap = BAR_LABEL_GAP_PT * (small ? 1.0 : PNG_PX_PER_FONT_PT); /* pt or px */
	const double place = (x1 - x0) * page / (c->team.n + 0.2); /* player_xtics' xrange */
	/* an upright label is as wide as the font's line (DejaVu: 1.16 em) */
	const double line = 1.16 * font * (small ? PDF_PT_PER_FONT_PT : PNG_PX_PER_FONT_PT);
	struct bar_labels b = { .font = font };

	if (widest_units * font * unit + gap <= place)
		return b;
	b.upright = true;
	if (line + gap <= place)
		return b;
	b.none = true;
	return b;
}

/* ", BLOCK using USING with labels ..." for those labels, AXES ("" or
 * " axes x1y2"); offset: above the point, in character heights */
static void
bar_labels_plot(struct ctx *c, const struct bar_labels *b, const char *block, const char *using,
		const char *axes, double offset)
{
	if (b->none)
		return;
	fprintf(c->f, ", %s using %s%s with labels %soffset 0,%g font ',%g' notitle", block, using, axes,
		b->upright ? "rotate by 90 left " : "", offset, b->font);
}

static void
plot_team_distance(struct ctx *c, bool small)
{
	size_t *idx = sorted_by(c, KT_TC_DISTANCE_M, KT_TC_HSR_M);
	FILE *f = c->f;
	double max = 0;

	chart_common(c);
	if (!idx) {
		fprintf(f, "plot 1/0\n");
		return;
	}
	if (!small) {
		fprintf(f, "set title ");
		q(c, c->L->t_team_dist);
		fprintf(f, " font ',14'\n");
	}
	fprintf(f, "set grid noxtics ytics\nset ytics out nomirror\nset ylabel ");
	q(c, c->L->dist_axis);
	fputc('\n', f);
	player_xtics(c, idx);
	fprintf(f, "$team << EOD\n");
	for (size_t i = 0; i < c->team.n; i++) {
		const struct kt_rep_player *p = &c->team.players[idx[i]];
		double cum = 0;
		fprintf(f, "%zu", i);
		for (int z = 0; z < 5; z++) {
			double v = p->v[KT_TC_Z1_M + z];
			cum += isfinite(v) ? v : 0;
			fprintf(f, " %.1f", cum);
		}
		fputc('\n', f);
		max = fmax(max, cum);
	}
	fprintf(f, "EOD\n");
	fprintf(f, "set yrange [0:%g]\n", max > 0 ? max * 1.08 : 1);
	fprintf(f, "set key outside right top vertical samplen 1.5 font ',%d'\n", small ? PDF_SMALL_FONT : 10);
	fprintf(f, "set boxwidth 0.7\nplot ");
	for (int z = 4; z >= 0; z--) {
		char tic[64], *s;
		zone_tic(c, tic, sizeof(tic), z);
		s = strstr(tic, "\\n");
		if (s) {
			/* one line in the key: "Z3 14,4–19,8 km/h" */
			memmove(s + 1, s + 2, strlen(s + 2) + 1);
			*s = ' ';
		}
		strncat(tic, " km/h", sizeof(tic) - strlen(tic) - 1);
		fprintf(f, "%s$team using 1:%d with boxes fc rgb '%s' title ", z < 4 ? ", " : "", z + 2,
			zone_rgb[z]);
		q(c, tic);
	}
	fputc('\n', f);
	free(idx);
}

static void
plot_team_sprints(struct ctx *c, bool small)
{
	size_t *idx = sorted_by(c, KT_TC_SPRINTS, KT_TC_MAX_SPEED_KMH);
	FILE *f = c->f;
	double max = 0, x0, x1, widest = 0;
	struct bar_labels b;

	chart_common(c);
	if (!idx) {
		fprintf(f, "plot 1/0\n");
		return;
	}
	/* one size and direction for both rows of labels */
	for (size_t i = 0; i < c->team.n; i++) {
		const double *v = c->team.players[i].v;
		widest = fmax(widest, text_width(NUM(c->L, isfinite(v[KT_TC_SPRINTS]) ? v[KT_TC_SPRINTS] : 0, 0), false));
		if (isfinite(v[KT_TC_MAX_SPEED_KMH]))
			widest = fmax(widest, text_width(NUM(c->L, v[KT_TC_MAX_SPEED_KMH], 1), false));
	}
	team_margins(c, small, true, &x0, &x1);
	b = bar_labels(c, small, x0, x1, widest);
	if (!small) {
		fprintf(f, "set title ");
		q(c, c->L->t_team_sprints);
		fprintf(f, " font ',14'\n");
	}
	for (size_t i = 0; i < c->team.n; i++)
		if (isfinite(c->team.players[i].v[KT_TC_SPRINTS]))
			max = fmax(max, c->team.players[i].v[KT_TC_SPRINTS]);
	/* Two full axes that share their grid lines: top speed on the right
	 * from 0 in steps of 5 km/h, sprints on the left in as many steps of a
	 * round size, big enough that the bars stay in the lower ~60 % and
	 * the top speeds (25-35 km/h for a sprinter) above them. (Before, the
	 * left labels stopped halfway up and the right axis began at 15 km/h,
	 * below which a slow player's dot had no scale.) */
	{
		static const double steps[] = { 1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000 };
		double vmax = 0, y2max, step = steps[0];
		int n;

		for (size_t i = 0; i < c->team.n; i++)
			if (isfinite(c->team.players[i].v[KT_TC_MAX_SPEED_KMH]))
				vmax = fmax(vmax, c->team.players[i].v[KT_TC_MAX_SPEED_KMH]);
		y2max = fmax(35.0, ceil((vmax + 2.0) / 5.0) * 5.0);
		if (b.upright && !b.none) /* room over the dots for a label on end */
			y2max += 5.0;
		n = (int) lround(y2max / 5.0);
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			step = steps[i];
			if (n * step >= fmax(max, 1.0) * 1.7)
				break;
		}
		fprintf(f, "set yrange [0:%g]\nset ytics 0,%g,%g out nomirror tc rgb '%s'\n", n * step, step,
			n * step, zone_rgb[4]);
		fprintf(f, "set y2range [0:%g]\nset y2tics 0,5,%g out\n", y2max, y2max);
	}
	fprintf(f, "set grid noxtics noytics y2tics\nset ylabel ");
	q(c, c->L->sprints_axis);
	fprintf(f, " tc rgb '%s'\nset y2label ", zone_rgb[4]);
	q(c, c->L->max_speed);
	fprintf(f, " tc rgb '#202020'\n");
	player_xtics(c, idx);
	fprintf(f, "$sp << EOD\n");
	for (size_t i = 0; i < c->team.n; i++) {
		const struct kt_rep_player *p = &c->team.players[idx[i]];
		double s = p->v[KT_TC_SPRINTS];
		fprintf(f, "%zu %g\n", i, isfinite(s) ? s : 0);
	}
	/* top speeds with their label text (ours: gnuplot 5.4 crashes in
	 * gprintf() on NaN); players without one are left out */
	fprintf(f, "EOD\n$vmax << EOD\n");
	for (size_t i = 0; i < c->team.n; i++) {
		double v = c->team.players[idx[i]].v[KT_TC_MAX_SPEED_KMH];
		if (isfinite(v))
			fprintf(f, "%zu %.2f \"%s\"\n", i, v, NUM(c->L, v, 1));
	}
	fprintf(f, "EOD\n");
	fprintf(f, "set key outside bottom center horizontal samplen 1.5 font ',%d'\n", small ? PDF_SMALL_FONT : 10);
	fprintf(f, "set boxwidth 0.6\n");
	fprintf(f, "plot $sp using 1:2 with boxes fc rgb '%s' title ", zone_rgb[4]);
	q(c, c->L->sprints_axis);
	bar_labels_plot(c, &b, "$sp", "1:2:(sprintf('%d', $2))", "", b.upright ? 0.4 : 0.7);
	fprintf(f, ", $vmax using 1:2 axes x1y2 with points pt 7 ps %g lc rgb '#202020' title ",
		small ? 0.6 : 1.3);
	q(c, c->L->max_speed);
	bar_labels_plot(c, &b, "$vmax", "1:2:3", " axes x1y2", b.upright ? 0.6 : small ? 0.9 : 1.0);
	fputc('\n', f);
	free(idx);
}

static void
plot_team_hsr(struct ctx *c, bool small)
{
	size_t *idx = sorted_by(c, KT_TC_HSR_M, KT_TC_DISTANCE_M);
	FILE *f = c->f;
	double max = 0, x0, x1, widest = 0;
	struct bar_labels b;
	char t[160];

	chart_common(c);
	if (!idx) {
		fprintf(f, "plot 1/0\n");
		return;
	}
	if (!small) {
		snprintf(t, sizeof(t), "%s, ≥ %s km/h", c->L->t_team_hsr, NUM(c->L, c->sess.hsr_kmh, 1));
		fprintf(f, "set title ");
		q(c, t);
		fprintf(f, " font ',14'\n");
	}
	for (size_t i = 0; i < c->team.n; i++) {
		double v = c->team.players[i].v[KT_TC_HSR_M];
		if (isfinite(v))
			max = fmax(max, v);
		widest = fmax(widest, text_width(NUM(c->L, isfinite(v) ? v : 0, 0), false));
	}
	team_margins(c, small, false, &x0, &x1);
	b = bar_labels(c, small, x0, x1, widest);
	/* (room over the highest bar for its label, more for one on end) */
	fprintf(f, "set grid noxtics ytics\nset ytics out nomirror\nset yrange [0:%g]\nset ylabel ",
		max > 0 ? max * (b.upright && !b.none ? 1.25 : 1.15) : 1);
	q(c, c->L->hsr_axis);
	fputc('\n', f);
	player_xtics(c, idx);
	fprintf(f, "$hsr << EOD\n");
	for (size_t i = 0; i < c->team.n; i++) {
		double v = c->team.players[idx[i]].v[KT_TC_HSR_M];
		fprintf(f, "%zu %.1f\n", i, isfinite(v) ? v : 0);
	}
	fprintf(f, "EOD\nset boxwidth 0.6\n");
	fprintf(f, "plot $hsr using 1:2 with boxes fc rgb '%s'", zone_rgb[3]);
	bar_labels_plot(c, &b, "$hsr", "1:2:(sprintf('%.0f', $2))", "", b.upright ? 0.4 : 0.7);
	fputc('\n', f);
	free(idx);
}

/* --- PDFs --- */

/* A key number and its caption. With flag (its count is too low:
 * kt_rep_player.undercounted) the number carries KT_REP_UNDERCOUNT_MARK
 * and the tile says why at its top, in the notes' colour: a printed page
 * must not show a 1 Hz vest's "0 / 0" as a quiet training. */
static void
tile(struct ctx *c, double x, double y, double w, double h, const char *value, const char *caption, bool flag)
{
	FILE *f = c->f;
	char text[160];

	fprintf(f, "set object rect from screen %g,%g to screen %g,%g fc rgb '#f2f4f2' fs solid 1.0 noborder behind\n",
		x, y, x + w, y + h);
	snprintf(text, sizeof(text), "%s%s", value, flag ? " " KT_REP_UNDERCOUNT_MARK : "");
	fprintf(f, "set label ");
	q(c, text);
	fprintf(f, " at screen %g,%g center font 'Sans Bold,20'%s\n", x + w / 2, y + h * 0.52,
		flag ? " tc rgb '#9a4a00'" : "");
	fprintf(f, "set label ");
	q(c, caption);
	fprintf(f, " at screen %g,%g center font ',9' tc rgb '#555555'\n", x + w / 2, y + h * 0.16);
	if (flag) {
		fit_text(text, sizeof(text), c->L->undercount_tile, (w * A4_W_PT - 4) / PDF_SMALL_FONT, false);
		fprintf(f, "set label ");
		q(c, text);
		fprintf(f, " at screen %g,%g center font ',%d' tc rgb '#9a4a00'\n", x + w / 2, y + h * 0.84,
			PDF_SMALL_FONT);
	}
}

/* An invisible plot that draws what was set with screen coordinates. */
static void
plot_blank(struct ctx *c)
{
	fprintf(c->f, "unset border\nunset tics\nunset key\nset margins 0,0,0,0\n"
		      "set xrange [0:1]\nset yrange [0:1]\nplot 2 notitle\n");
}

/* The next line of s[*pos...] that fits max_units (text_width), broken
 * after a space (a word longer than the line is cut); *pos moves past it
 * and the space. false at the end of s. */
static bool
wrap_line(char *dst, size_t size, const char *s, size_t *pos, double max_units)
{
	const char *p = s + *pos;
	size_t n = 0, cut = 0;
	double w = 0;

	if (!*p || size == 0)
		return false;
	while (p[n]) {
		size_t len = utf8_len((const unsigned char *) p + n);

		w += char_width((const unsigned char *) p + n, len);
		if (w > max_units)
			break;
		n += len;
		if (p[n] == ' ')
			cut = n;
	}
	if (p[n] && cut > 0)
		n = cut;
	if (n == 0) /* (not even one character fits) */
		n = utf8_len((const unsigned char *) p);
	if (n >= size)
		n = size - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	*pos += n;
	while (s[*pos] == ' ')
		(*pos)++;
	return true;
}

#define NOTE_FONT_PT PDF_SMALL_FONT
#define NOTE_LINE_H 0.0125 /* of the page height */
#define NOTE_LINES_MAX 4 /* (more would reach the numbers right of the zones) */

/* The run's notes about this player (a vest that logged too few positions
 * a second, a long loss of signal ...) at the foot of the player's PDF,
 * from y0 up, above the data quality line: a printed page must not show
 * its numbers without them. Returns how much of the page height they take
 * (0: none). */
static double
player_notes(struct ctx *c, const struct kt_rep_player *p, double y0)
{
	const struct lang *L = c->L;
	char *const *notes = L->comma && p->notes_de ? p->notes_de : p->notes;
	char lines[NOTE_LINES_MAX][400];
	const double max_units = 0.9 * A4_W_PT / NOTE_FONT_PT;
	unsigned n = 0;
	size_t k;

	for (k = 0; k < p->n_notes; k++) {
		char text[1200], wrapped[NOTE_LINES_MAX][400];
		unsigned m = 0;
		size_t pos = 0;

		snprintf(text, sizeof(text), "%s: %s", L->note, notes[k]);
		while (m < NOTE_LINES_MAX && wrap_line(wrapped[m], sizeof(wrapped[m]), text, &pos, max_units))
			m++;
		/* a note that does not fit whole is left for the line below */
		if (text[pos] || n + m > NOTE_LINES_MAX - (k + 1 < p->n_notes ? 1 : 0))
			break;
		memcpy(lines[n], wrapped, m * sizeof(wrapped[0]));
		n += m;
	}
	if (k + 1 == p->n_notes && n < NOTE_LINES_MAX)
		snprintf(lines[n++], sizeof(lines[0]), "%s", L->note_more);
	else if (k < p->n_notes && n < NOTE_LINES_MAX)
		snprintf(lines[n++], sizeof(lines[0]), "%s%zu%s", L->notes_more[0], p->n_notes - k,
			 L->notes_more[1]);
	for (unsigned i = 0; i < n; i++) {
		fprintf(c->f, "set label ");
		q(c, lines[i]);
		fprintf(c->f, " at screen 0.05,%g left font ',%g' tc rgb '#9a4a00'\n",
			y0 + (double) (n - 1 - i) * NOTE_LINE_H, (double) NOTE_FONT_PT);
	}
	return n ? (double) n * NOTE_LINE_H + 0.004 : 0;
}

/* The PDF's data quality line, in words a coach reads: how much of the
 * time the position was known (epochs without a usable fix are in that
 * share already, not counted again), the signal gaps, the time the vest
 * was off between its logs, and only when there
 * were any, records skipped as damaged and positions ignored as jumps. */
static void
quality_line(struct ctx *c, const struct kt_rep_player *p, char *buf, size_t size)
{
	const struct lang *L = c->L;
	const double *v = p->v;
	size_t n;

	snprintf(buf, size, "%s: %s%s%s · %s", L->q_title, L->q_fix[0], NUM(L, v[KT_TC_KNOWN_PCT], 1), L->q_fix[1],
		 COUNT(L, v[KT_TC_GAPS], &L->n_gap));
	n = strlen(buf);
	if (v[KT_TC_GAPS] == 1.0 && isfinite(v[KT_TC_GAP_S]))
		snprintf(buf + n, size - n, " (%s s)", NUM(L, v[KT_TC_GAP_S], 1));
	else if (v[KT_TC_GAPS] > 1.0 && isfinite(v[KT_TC_GAP_S]))
		snprintf(buf + n, size - n, " %s%s%s", L->gaps_all[0], NUM(L, v[KT_TC_GAP_S], 1), L->gaps_all[1]);
	n = strlen(buf);
	/* the vest off between its logs: in no gap (and not in the share
	 * above, which is of the time it was on) */
	if (v[KT_TC_OFF_S] > 0)
		snprintf(buf + n, size - n, " · %s%s%s", L->off_for[0],
			 NUM(L, v[KT_TC_OFF_S] / 60.0, 1), L->off_for[1]);
	n = strlen(buf);
	if (p->damaged_records > 0)
		snprintf(buf + n, size - n, " · %s", COUNT(L, p->damaged_records, &L->n_damaged));
	n = strlen(buf);
	if (p->position_jumps > 0)
		snprintf(buf + n, size - n, " · %s", COUNT(L, p->position_jumps, &L->n_jump));
}

static void
player_pdf(struct ctx *c, size_t i, const char *path)
{
	const struct kt_rep_player *p = &c->team.players[i];
	const struct lang *L = c->L;
	FILE *f = c->f;
	char date[96], pitch[300], line[512], v[64], cap[64];
	const double *v_ = p->v;
	double notes_h;

	kt_gnuplot_begin(c->gp, path, "pdfcairo size 21cm,29.7cm font 'Sans,9'");
	fprintf(f, "set multiplot\n");

	/* header and key numbers */
	format_date(date, sizeof(date), c);
	format_pitch(pitch, sizeof(pitch), c);
	/* the vest at the top right, the name left of it as large as fits
	 * (24 pt down to 14 pt), then shortened with "…": a long double name
	 * ran into the vest */
	snprintf(v, sizeof(v), "%s: %s", L->vest, p->vest_id);
	fit_text(line, sizeof(line), v, 0.3 * A4_W_PT / 9, false);
	fprintf(f, "set label ");
	q(c, line);
	fprintf(f, " at screen 0.95,0.962 right font ',9' tc rgb '#777777'\n");
	{
		const double room = 0.9 * A4_W_PT - text_width(line, false) * 9 - 14;
		const double w = text_width(player_label(p), true);
		double pt = 24;
		char name[256];

		if (w * pt > room)
			pt = fmax(14, floor(room / w));
		fit_text(name, sizeof(name), player_label(p), room / pt, true);
		fprintf(f, "set label ");
		q(c, name);
		fprintf(f, " at screen 0.05,0.962 left font 'Sans Bold,%g'\n", pt);
	}
	/* "#8 · MID · date · pitch"; without number or position (no roster)
	 * no empty part and no leading "·"; a long pitch name is shortened */
	{
		char sub[512];

		snprintf(sub, sizeof(sub), "%s%s%s%s%s%s · %s", p->number[0] ? "#" : "", p->number,
			 p->number[0] && p->position[0] ? " · " : "", p->position,
			 p->number[0] || p->position[0] ? " · " : "", date, pitch);
		fit_text(line, sizeof(line), sub, 0.9 * A4_W_PT / 11, false);
	}
	fprintf(f, "set label ");
	q(c, line);
	fprintf(f, " at screen 0.05,0.935 left font ',11' tc rgb '#444444'\n");

	{
		const double x0 = 0.05, gap = 0.01, w = (0.9 - 3 * gap) / 4, h = 0.058;
		const double y1 = 0.862, y2 = 0.797;
		char hsr_cap[64], sprint_cap[64], effort_cap[96], load_cap[64];

		/* under 1 km in metres: a short drill's 333 m is not "0.33 km" */
		if (v_[KT_TC_DISTANCE_M] < 999.5)
			snprintf(v, sizeof(v), "%s m", NUM(L, v_[KT_TC_DISTANCE_M], 0));
		else
			snprintf(v, sizeof(v), "%s km", NUM(L, v_[KT_TC_DISTANCE_M] / 1000.0, 2));
		tile(c, x0, y1, w, h, v, L->k_distance, false);
		snprintf(v, sizeof(v), "%s m", NUM(L, v_[KT_TC_HSR_M], 0));
		snprintf(hsr_cap, sizeof(hsr_cap), "HSR (≥ %s km/h)", NUM(L, c->sess.hsr_kmh, 1));
		tile(c, x0 + (w + gap), y1, w, h, v, hsr_cap, false);
		/* each count says what it counts, as HSR its speed: a sprint
		 * elsewhere may begin at 24 km/h; PlayerLoad has no unit */
		snprintf(v, sizeof(v), "%s", NUM(L, v_[KT_TC_SPRINTS], 0));
		snprintf(sprint_cap, sizeof(sprint_cap), "%s (≥ %s km/h)",
			 v_[KT_TC_SPRINTS] == 1.0 ? L->k_sprint : L->k_sprints, NUM(L, c->sess.sprint_kmh, 1));
		tile(c, x0 + 2 * (w + gap), y1, w, h, v, sprint_cap, UNDERCOUNTED(p, KT_TC_SPRINTS));
		snprintf(v, sizeof(v), "%s km/h", NUM(L, v_[KT_TC_MAX_SPEED_KMH], 1));
		tile(c, x0 + 3 * (w + gap), y1, w, h, v, L->k_max_speed, false);
		snprintf(v, sizeof(v), "%s / %s", NUM(L, v_[KT_TC_ACCELERATIONS], 0),
			 NUM(L, v_[KT_TC_DECELERATIONS], 0));
		snprintf(effort_cap, sizeof(effort_cap), "%s (± %s m/s²)", L->k_acc_dec, NUM(L, c->sess.effort_ms2, 1));
		tile(c, x0, y2, w, h, v, effort_cap,
		     UNDERCOUNTED(p, KT_TC_ACCELERATIONS) || UNDERCOUNTED(p, KT_TC_DECELERATIONS));
		snprintf(v, sizeof(v), "%s", NUM(L, v_[KT_TC_PLAYER_LOAD], 0));
		snprintf(load_cap, sizeof(load_cap), "%s (%s)", L->k_load, L->no_unit);
		tile(c, x0 + (w + gap), y2, w, h, v, load_cap, false);
		snprintf(v, sizeof(v), "%s", MINUTES(L, v_[KT_TC_MINUTES]));
		tile(c, x0 + 2 * (w + gap), y2, w, h, v, L->k_minutes, false);
		snprintf(v, sizeof(v), "%s m/min", NUM(L, v_[KT_TC_WORK_RATE_M_MIN], 0));
		tile(c, x0 + 3 * (w + gap), y2, w, h, v, L->k_work_rate, false);
	}
	/* more numbers, small, right of the zone bars */
	{
		const double x = 0.64;
		double y = 0.235;
		struct {
			const char *cap;
			char val[96];
		} rows[4];

		/* a window longer than the session has no best distance (NaN):
		 * "–" for it, and a plain "–" when none is known */
		if (!isfinite(v_[KT_TC_PEAK1_M]) && !isfinite(v_[KT_TC_PEAK3_M]) && !isfinite(v_[KT_TC_PEAK5_M]))
			snprintf(rows[0].val, sizeof(rows[0].val), "–");
		else
			snprintf(rows[0].val, sizeof(rows[0].val), "%s / %s / %s m", NUM(L, v_[KT_TC_PEAK1_M], 0),
				 NUM(L, v_[KT_TC_PEAK3_M], 0), NUM(L, v_[KT_TC_PEAK5_M], 0));
		rows[0].cap = L->peak;
		snprintf(rows[1].val, sizeof(rows[1].val), "%s m%s", NUM(L, v_[KT_TC_SPRINT_M], 0),
			 UNDERCOUNTED(p, KT_TC_SPRINT_M) ? " " KT_REP_UNDERCOUNT_MARK : "");
		rows[1].cap = L->sprint_dist;
		snprintf(rows[2].val, sizeof(rows[2].val), "%s W/kg", NUM(L, v_[KT_TC_METABOLIC_POWER_WKG], 1));
		rows[2].cap = L->metabolic;
		snprintf(rows[3].val, sizeof(rows[3].val), "%s m", NUM(L, v_[KT_TC_HIGH_POWER_M], 0));
		rows[3].cap = L->high_power;
		fprintf(f, "set label ");
		q(c, L->more);
		fprintf(f, " at screen %g,%g left font 'Sans Bold,10'\n", x, y + 0.025);
		for (int r = 0; r < 4; r++, y -= 0.04) {
			fprintf(f, "set label ");
			q(c, rows[r].cap);
			fprintf(f, " at screen %g,%g left font ',%d' tc rgb '#555555'\n", x, y, PDF_SMALL_FONT);
			fprintf(f, "set label ");
			q(c, rows[r].val);
			fprintf(f, " at screen %g,%g left font 'Sans Bold,12'\n", x, y - 0.016);
		}
	}
	/* the data quality line left of the version, on a second line when
	 * it does not fit (damaged records and jumps); the notes above */
	snprintf(cap, sizeof(cap), "kicktrack %s", KT_VERSION);
	fprintf(f, "set label ");
	q(c, cap);
	fprintf(f, " at screen 0.95,0.018 right font ',%d' tc rgb '#999999'\n", PDF_SMALL_FONT);
	quality_line(c, p, line, sizeof(line));
	{
		const double room = (0.9 * A4_W_PT - 12) / PDF_SMALL_FONT - text_width(cap, false);
		char ql[2][512];
		unsigned nq = 0;
		size_t pos = 0;

		while (nq < 2 && wrap_line(ql[nq], sizeof(ql[nq]), line, &pos, room))
			nq++;
		for (unsigned k = 0; k < nq; k++) {
			fprintf(f, "set label ");
			q(c, ql[k]);
			fprintf(f, " at screen 0.05,%g left font ',%d' tc rgb '#666666'\n",
				0.018 + (double) (nq - 1 - k) * NOTE_LINE_H, PDF_SMALL_FONT);
		}
		nq = nq ? nq : 1;
		notes_h = (nq - 1) * NOTE_LINE_H + player_notes(c, p, 0.032 + (nq - 1) * NOTE_LINE_H);
	}
	plot_blank(c);

	/* heatmap */
	fprintf(f, "reset\nset origin 0.03,0.515\nset size 0.94,0.27\n");
	plot_heatmap(c, c->has_heat[i] ? c->heat.s : NULL, c->heat.nx, c->heat.ny, tracked_s(p), L->t_heat, true);
	/* speed */
	fprintf(f, "reset\nset origin 0.02,0.285\nset size 0.96,0.225\n");
	{
		/* (the sprint count with its mark, as on its tile) */
		const char *mark = UNDERCOUNTED(p, KT_TC_SPRINTS) ? " " KT_REP_UNDERCOUNT_MARK : "";

		if (c->has_series[i] && series_span_s(&c->ser) > 20 * 60)
			snprintf(line, sizeof(line), "%s   (▼ %s%s; — %s %.0f s)", L->t_speed,
				 COUNT(L, v_[KT_TC_SPRINTS], &L->n_sprint), mark, L->mean,
				 series_span_s(&c->ser) > 45 * 60 ? 60.0 : 30.0);
		else
			snprintf(line, sizeof(line), "%s   (▼ %s%s)", L->t_speed,
				 COUNT(L, v_[KT_TC_SPRINTS], &L->n_sprint), mark);
	}
	/* the PDF's chart has no key: its title says what the grey bands are,
	 * the time a parent's "why so little?" is about */
	if (c->has_series[i] && v_[KT_TC_GAPS] > 0) {
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] == ')')
			snprintf(line + n - 1, sizeof(line) - (n - 1), "; %s: %s)", L->grey, L->gap);
	}
	/* and the time the vest was off between its logs: no loss of signal */
	if (c->has_series[i] && p->n_off > 0) {
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] == ')')
			snprintf(line + n - 1, sizeof(line) - (n - 1), "; %s: %s)", L->hatched, L->off);
	}
	fprintf(f, "set title ");
	q(c, line);
	fprintf(f, " font 'Sans Bold,10'\n");
	{
		struct kt_rep_series empty = { 0 };
		plot_speed(c, c->has_series[i] ? &c->ser : &empty, p, 600, true);
	}
	/* zone bars */
	/* (above the notes, if any) */
	fprintf(f, "reset\nset origin 0.02,%g\nset size 0.6,%g\n", 0.035 + notes_h, 0.245 - notes_h);
	fprintf(f, "set title ");
	q(c, L->t_zones);
	fprintf(f, " font 'Sans Bold,10'\n");
	plot_zones(c, p, true);
	fprintf(f, "unset multiplot\n");
	kt_gnuplot_end(c->gp);
}

static void
team_pdf(struct ctx *c, const char *path)
{
	const struct lang *L = c->L;
	FILE *f = c->f;
	char date[96], pitch[300], line[512];
	size_t *idx = sorted_by(c, KT_TC_DISTANCE_M, KT_TC_HSR_M);
	static const struct {
		double x;
		bool right;
	} cols[] = {
		{ 0.05, false }, { 0.095, false }, { 0.31, false }, { 0.445, true }, { 0.525, true },
		{ 0.595, true }, { 0.66, true }, { 0.735, true }, { 0.795, true }, { 0.872, true },
		{ 0.95, true }, /* (room for the widest heads: "Abbrems.", "Distanz (m)") */
	};
	const char *heads[] = { L->number, L->player, L->position, L->col_minutes, L->col_dist,
				L->col_hsr, L->col_sprints, L->col_vmax, L->col_acc, L->col_dec,
				L->col_load };
	size_t n = c->team.n, rows_page = 33;
	/* lines under the heads on a page: 36 reach y = 0.032 */
	const size_t lines_page = 36;
	double row_h, y = 0.9;
	char defs[2][512];
	size_t n_defs = 0, tail;
	bool any_notes = false, any_undercounted = false;

	if (!idx)
		return;
	kt_gnuplot_begin(c->gp, path, "pdfcairo size 21cm,29.7cm font 'Sans,9'");
	format_date(date, sizeof(date), c);
	format_pitch(pitch, sizeof(pitch), c);
	/* what the counts mean (which sprint? which load?), under the table */
	{
		char text[1024];
		size_t pos = 0;

		kt_rep_definitions(text, sizeof(text), &c->sess, L->comma);
		while (n_defs < 2 && wrap_line(defs[n_defs], sizeof(defs[n_defs]), text, &pos,
					       0.9 * A4_W_PT / PDF_TABLE_FONT))
			n_defs++;
	}
	for (size_t r = 0; r < n; r++) {
		any_notes = any_notes || c->team.players[r].n_notes > 0;
		any_undercounted = any_undercounted || c->team.players[r].undercounted;
	}
	/* the average, the players without data, the footnotes of " *" and
	 * of KT_REP_UNDERCOUNT_MARK and the definitions stay on the table's
	 * last page with its last rows */
	tail = 1 + (c->n_no_data > 0) + any_notes + 2 * any_undercounted + n_defs;

	/* page 1..: the table */
	for (size_t page_start = 0, end;; page_start = end) {
		end = page_start + rows_page < n ? page_start + rows_page : n;
		if (end == n && end - page_start + tail > lines_page)
			end = page_start + (lines_page - tail);

		fprintf(f, "reset\nset multiplot\n");
		fprintf(f, "set label ");
		snprintf(line, sizeof(line), "%s · %s", L->team, date);
		q(c, line);
		fprintf(f, " at screen 0.05,0.962 left font 'Sans Bold,22'\n");
		fprintf(f, "set label ");
		q(c, pitch);
		fprintf(f, " at screen 0.05,0.937 left font ',11' tc rgb '#444444'\n");
		row_h = 0.82 / (rows_page + 1);
		y = 0.9;
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			fprintf(f, "set label ");
			q(c, heads[k]);
			fprintf(f, " at screen %g,%g %s font 'Sans Bold,%d'\n", cols[k].x, y,
				cols[k].right ? "right" : "left", PDF_TABLE_FONT);
		}
		fprintf(f, "set arrow from screen 0.045,%g to screen 0.955,%g nohead lc rgb '#888888'\n",
			y - row_h / 2, y - row_h / 2);
		for (size_t r = page_start; r < end; r++) {
			const struct kt_rep_player *p = &c->team.players[idx[r]];
			const double *v = p->v;
			char name[120], pos[64];
			const char *cell[11];

			y -= row_h;
			if ((r - page_start) % 2 == 1)
				fprintf(f, "set object rect from screen 0.045,%g to screen 0.955,%g fc rgb '#f0f2f0' fs solid 1.0 noborder behind\n",
					y - row_h / 2, y + row_h / 2);
			/* to the next column (A4: 595 pt wide); " *" after
			 * a player the run has notes about (see the footnote) */
			fit_text(name, sizeof(name), player_label(p),
				 ((cols[2].x - cols[1].x) * 595 - 6) / PDF_TABLE_FONT - (p->n_notes ? text_width(" *", false) : 0),
				 false);
			if (p->n_notes)
				snprintf(name + strlen(name), sizeof(name) - strlen(name), " *");
			fit_text(pos, sizeof(pos), p->position, ((cols[3].x - cols[2].x) * 595 - 24) / PDF_TABLE_FONT, false);
			cell[0] = p->number;
			cell[1] = name;
			cell[2] = pos;
			cell[3] = MINUTES(L, v[KT_TC_MINUTES]);
			cell[4] = NUM(L, v[KT_TC_DISTANCE_M], 0);
			cell[5] = NUM(L, v[KT_TC_HSR_M], 0);
			cell[6] = NUM(L, v[KT_TC_SPRINTS], 0);
			cell[7] = NUM(L, v[KT_TC_MAX_SPEED_KMH], 1);
			cell[8] = NUM(L, v[KT_TC_ACCELERATIONS], 0);
			cell[9] = NUM(L, v[KT_TC_DECELERATIONS], 0);
			cell[10] = NUM(L, v[KT_TC_PLAYER_LOAD], 0);
			for (size_t k = 0; k < 11; k++) {
				static const enum kt_team_col counted[11] = {
					[6] = KT_TC_SPRINTS, [8] = KT_TC_ACCELERATIONS, [9] = KT_TC_DECELERATIONS,
				};

				fprintf(f, "set label ");
				q(c, cell[k]);
				fprintf(f, " at screen %g,%g %s font ',%d'\n", cols[k].x, y,
					cols[k].right ? "right" : "left", PDF_TABLE_FONT);
				/* a count too low: the mark right of it, so that the
				 * column's digits stay aligned (see the footnote) */
				if (counted[k] && UNDERCOUNTED(p, counted[k])) {
					fprintf(f, "set label ");
					q(c, KT_REP_UNDERCOUNT_MARK);
					fprintf(f, " at screen %g,%g left font ',%d' tc rgb '#9a4a00'\n", cols[k].x + 0.002,
						y, PDF_TABLE_FONT);
				}
			}
		}
		if (end >= n) {
			/* the team average under the last row */
			static const enum kt_team_col avg_cols[] = {
				KT_TC_MINUTES, KT_TC_DISTANCE_M, KT_TC_HSR_M, KT_TC_SPRINTS,
				KT_TC_MAX_SPEED_KMH, KT_TC_ACCELERATIONS, KT_TC_DECELERATIONS,
				KT_TC_PLAYER_LOAD,
			};
			y -= row_h;
			fprintf(f, "set arrow from screen 0.045,%g to screen 0.955,%g nohead lc rgb '#888888'\n",
				y + row_h / 2, y + row_h / 2);
			fprintf(f, "set label ");
			q(c, L->average);
			fprintf(f, " at screen %g,%g left font 'Sans Bold,%d'\n", cols[1].x, y, PDF_TABLE_FONT);
			for (size_t k = 0; k < sizeof(avg_cols) / sizeof(avg_cols[0]); k++) {
				/* (without the undercounted counts: see their footnote) */
				double mean = kt_rep_team_mean(&c->team, avg_cols[k], NULL);

				fprintf(f, "set label ");
				if (avg_cols[k] == KT_TC_MINUTES)
					q(c, MINUTES(L, mean));
				else
					q(c, NUM(L, mean, avg_cols[k] == KT_TC_MAX_SPEED_KMH ? 1 : 0));
				fprintf(f, " at screen %g,%g right font 'Sans Bold,%d'\n", cols[3 + k].x, y,
					PDF_TABLE_FONT);
			}
			/* the players of the roster who are not in the table, as
			 * index.html names them: the printed page is what the
			 * coach has at the next training */
			if (c->n_no_data > 0) {
				char list[2048], text[2048 + 128];
				size_t len = 0;

				list[0] = '\0';
				for (size_t r = 0; r < c->n_no_data && len < sizeof(list); r++)
					len += (size_t) snprintf(list + len, sizeof(list) - len, "%s%s",
								 r ? ", " : "", c->no_data[r]);
				snprintf(text, sizeof(text), "%s: %s", L->no_data_roster, list);
				fit_text(line, sizeof(line), text, 0.9 * A4_W_PT / PDF_TABLE_FONT, false);
				y -= row_h;
				fprintf(f, "set label ");
				q(c, line);
				fprintf(f, " at screen %g,%g left font ',%d' tc rgb '#b71c1c'\n", cols[0].x, y,
					PDF_TABLE_FONT);
			}
			/* the footnote of " *": the numbers of those players come with
			 * a word (too few positions a second, a long loss of signal) */
			if (any_notes) {
				y -= row_h;
				fprintf(f, "set label ");
				q(c, L->notes_star);
				fprintf(f, " at screen %g,%g left font ',%d' tc rgb '#9a4a00'\n", cols[0].x, y,
					PDF_TABLE_FONT);
			}
			if (any_undercounted) {
				y -= row_h;
				fit_text(line, sizeof(line), L->undercount_star, 0.9 * A4_W_PT / PDF_TABLE_FONT, false);
				fprintf(f, "set label ");
				q(c, line);
				fprintf(f, " at screen %g,%g left font ',%d' tc rgb '#9a4a00'\n", cols[0].x, y,
					PDF_TABLE_FONT);
				/* (the line after it, as one footnote) */
				y -= 0.6 * row_h;
				fprintf(f, "set label ");
				q(c, L->undercount_avg);
				fprintf(f, " at screen %g,%g left font ',%d' tc rgb '#9a4a00'\n", cols[0].x, y,
					PDF_TABLE_FONT);
			}
			for (size_t k = 0; k < n_defs; k++) {
				y -= k ? 0.6 * row_h : row_h; /* (one paragraph) */
				fprintf(f, "set label ");
				q(c, defs[k]);
				fprintf(f, " at screen %g,%g left font ',%d' tc rgb '#555555'\n", cols[0].x, y,
					PDF_TABLE_FONT);
			}
		}
		plot_blank(c);
		if (end >= n)
			break;
		fprintf(f, "unset multiplot\n");
	}

	/* the team charts, under the table while they fit (a few players
	 * leave most of the first page free), then on the next pages */
	double top = y - 0.7 * row_h;
	for (size_t k = 0; k < 4; k++) {
		const bool heat = k == 3;
		const double h_want = heat ? 0.32 : 0.31, h_min = 0.23;
		double h;

		if (top - 0.02 < h_min) {
			fprintf(f, "unset multiplot\nreset\nset multiplot\n");
			top = 0.98;
		}
		h = fmin(h_want, top - 0.02);
		fprintf(f, "reset\nset origin %g,%g\nset size %g,%g\n", heat ? 0.1 : 0.02, top - h,
			heat ? 0.8 : 0.96, h);
		if (k == 0 || k == 2) {
			fprintf(f, "set title ");
			q(c, k == 0 ? L->t_team_dist : L->t_team_sprints);
			fprintf(f, " font 'Sans Bold,10'\n");
		} else if (k == 1) {
			snprintf(line, sizeof(line), "%s, ≥ %s km/h", L->t_team_hsr, NUM(L, c->sess.hsr_kmh, 1));
			fprintf(f, "set title ");
			q(c, line);
			fprintf(f, " font 'Sans Bold,10'\n");
		}
		if (k == 0)
			plot_team_distance(c, true);
		else if (k == 1)
			plot_team_hsr(c, true);
		else if (k == 2)
			plot_team_sprints(c, true);
		else
			plot_heatmap(c, c->team_heat, c->team_nx, c->team_ny, c->team_tracked_s, L->t_team_heat, true);
		top -= h + 0.01;
	}
	fprintf(f, "unset multiplot\n");
	kt_gnuplot_end(c->gp);
	free(idx);
}

/* --- the session --- */

static void
add_team_heat(struct ctx *c, const char *path, double seconds)
{
	if (!c->team_heat) {
		c->team_heat = calloc((size_t) c->heat.nx * c->heat.ny, sizeof(double));
		if (!c->team_heat)
			return;
		c->team_nx = c->heat.nx;
		c->team_ny = c->heat.ny;
	}
	if (c->heat.nx != c->team_nx || c->heat.ny != c->team_ny) {
		log_warning("%s: a heatmap of %u x %u cells, the others have %u x %u: not in the team heatmap",
			    path, c->heat.nx, c->heat.ny, c->team_nx, c->team_ny);
		return;
	}
	for (size_t k = 0; k < (size_t) c->team_nx * c->team_ny; k++)
		c->team_heat[k] += c->heat.s[k];
	c->team_tracked_s += seconds;
}

static void
render_player(struct ctx *c, size_t i)
{
	const struct kt_rep_player *p = &c->team.players[i];
	char *dir = NULL, *ts = NULL, *hm = NULL, *png = NULL;
	bool no_pitch = false;
	int k;

	if (asprintf(&dir, "%s/players/%s", c->outdir, p->vest_id) < 0)
		return;
	k = kt_mkdir_p(dir, 0750);
	if (k < 0) {
		log_error_errno(k, "cannot create %s: %m: no charts for %s", dir, p->vest_id);
		c->missing += 5;
		free(dir);
		return;
	}
	ts = player_path(c, p, "timeseries.csv");
	hm = player_path(c, p, "heatmap.csv");
	if (!ts || !hm)
		goto out;
	k = kt_rep_read_series(ts, &c->ser);
	c->has_series[i] = k >= 0;
	if (k < 0 && k != -EBADMSG && k != -E2BIG)
		log_error_errno(k, "cannot read %s: %m: no speed.png, accel.png", ts);
	else if (k < 0)
		log_error("%s: no speed.png, accel.png", dir);
	k = kt_rep_read_heat(hm, &c->heat);
	c->has_heat[i] = k >= 0;
	no_pitch = k == -ENODATA;
	if (k < 0 && k != -EBADMSG && k != -E2BIG && k != -ENODATA)
		log_error_errno(k, "cannot read %s: %m: no heatmap.png", hm);
	else if (k < 0 && !no_pitch)
		log_error("%s: no heatmap.png", dir);
	if (c->has_heat[i])
		add_team_heat(c, hm, tracked_s(p));

	c->who = player_label(p);
	png = player_path(c, p, "heatmap.png");
	if (png && (c->has_heat[i] || no_pitch)) {
		char title[400];
		c->title_px = 900;
		png_title(c, title, sizeof(title), c->L->t_heat);
		kt_gnuplot_begin(c->gp, png, "pngcairo size 900,600 font 'Sans,11'");
		/* without a pitch there are no cells: the chart says "no data" */
		plot_heatmap(c, c->has_heat[i] ? c->heat.s : NULL, c->heat.nx, c->heat.ny, tracked_s(p), title, false);
		kt_gnuplot_end(c->gp);
	} else if (png)
		chart_skipped(c, png);
	free(png);

	png = player_path(c, p, "speed.png");
	if (png && c->has_series[i]) {
		c->title_px = 1100;
		kt_gnuplot_begin(c->gp, png, "pngcairo size 1100,420 font 'Sans,11'");
		plot_speed(c, &c->ser, p, 960, false);
		kt_gnuplot_end(c->gp);
	} else if (png)
		chart_skipped(c, png);
	free(png);

	png = player_path(c, p, "zones.png");
	if (png) {
		c->title_px = 700;
		kt_gnuplot_begin(c->gp, png, "pngcairo size 700,450 font 'Sans,11'");
		plot_zones(c, p, false);
		kt_gnuplot_end(c->gp);
	}
	free(png);

	png = player_path(c, p, "accel.png");
	if (png && c->has_series[i]) {
		c->title_px = 1100;
		kt_gnuplot_begin(c->gp, png, "pngcairo size 1100,380 font 'Sans,11'");
		plot_accel(c, &c->ser, p, 960);
		kt_gnuplot_end(c->gp);
	} else if (png)
		chart_skipped(c, png);
	free(png);

	c->who = NULL; /* the PDF names the player in its header */
	png = player_path(c, p, "report.pdf");
	if (png)
		player_pdf(c, i, png);
	free(png);
out:
	free(dir);
	free(ts);
	free(hm);
}

static void
render_team(struct ctx *c)
{
	static void (*const fn[])(struct ctx *, bool) = {
		[KT_TEAM_CHART_DISTANCE] = plot_team_distance,
		[KT_TEAM_CHART_SPRINTS] = plot_team_sprints,
		[KT_TEAM_CHART_HSR] = plot_team_hsr,
	};
	static const char *const size[] = {
		[KT_TEAM_CHART_DISTANCE] = "pngcairo size 1200,600 font 'Sans,11'",
		[KT_TEAM_CHART_SPRINTS] = "pngcairo size 1200,560 font 'Sans,11'",
		[KT_TEAM_CHART_HSR] = "pngcairo size 1200,560 font 'Sans,11'",
		[KT_TEAM_CHART_HEATMAP] = "pngcairo size 900,600 font 'Sans,11'",
	};

	for (int k = 0; k < _KT_TEAM_CHART_MAX; k++) {
		char *path = out_path(c, kt_team_chart_file(k));
		if (!path)
			continue;
		c->title_px = k == KT_TEAM_CHART_HEATMAP ? 900 : 1200; /* (size[k]) */
		{
			/* a team heatmap without any player's cells says "no data" */
			kt_gnuplot_begin(c->gp, path, size[k]);
			if (k == KT_TEAM_CHART_HEATMAP)
				plot_heatmap(c, c->team_heat, c->team_nx, c->team_ny, c->team_tracked_s, c->L->t_team_heat, false);
			else
				fn[k](c, false);
			kt_gnuplot_end(c->gp);
		}
		free(path);
	}
	{
		char *path = out_path(c, "team.pdf");
		if (path)
			team_pdf(c, path);
		free(path);
	}
}

int
kt_report_render(const char *outdir, const struct kt_report_opts *o)
{
	struct kt_report_opts def;
	struct ctx c = { .outdir = outdir, .team_tracked_s = 0 };
	struct kt_html_input hin = { 0 };
	bool *pdf_ok = NULL, *heat_ok = NULL;
	char **no_data = NULL;
	int n_no_data = 0;
	int k, failed;

	if (!o) {
		kt_report_opts_default(&def);
		o = &def;
	}
	c.o = o;

	k = kt_rep_read_team(outdir, &c.team);
	if (k < 0)
		return k;
	/* (without it: default pitch and zones, and the PDFs name no damaged records) */
	(void) kt_rep_read_session(outdir, &c.sess, &c.team);
	/* no language asked for: the one the run used, else English as process */
	if (o->lang)
		c.L = !strcmp(o->lang, "de") ? &lang_de : &lang_en;
	else
		c.L = !strcmp(c.sess.lang, "de") ? &lang_de : &lang_en;

	c.has_heat = calloc(c.team.n, sizeof(bool));
	c.has_series = calloc(c.team.n, sizeof(bool));
	pdf_ok = calloc(c.team.n, sizeof(bool));
	heat_ok = calloc(c.team.n, sizeof(bool));
	if (!c.has_heat || !c.has_series || !pdf_ok || !heat_ok) {
		k = -ENOMEM;
		goto out;
	}
	k = kt_gnuplot_open(o->gnuplot, &c.gp);
	if (k < 0)
		goto out;
	(void) kt_gnuplot_set_base(c.gp, outdir);
	c.f = kt_gnuplot_stream(c.gp);

	/* on a terminal, which player's charts are drawn (gnuplot takes about
	 * half a second a player) */
	bool progress = !o->quiet && isatty(STDERR_FILENO);
	kt_log_set_status_line(progress);
	for (size_t i = 0; i < c.team.n; i++) {
		if (progress) {
			fprintf(stderr, "\r\033[Kkicktrack: charts and reports: player %zu of %zu", i + 1,
				c.team.n);
			fflush(stderr);
		}
		render_player(&c, i);
	}
	if (progress) {
		fputs("\r\033[Kkicktrack: charts and reports: the team", stderr);
		fflush(stderr);
	}
	n_no_data = kt_rep_roster_without_data(&c.sess, &c.team, &no_data);
	c.no_data = no_data;
	c.n_no_data = n_no_data > 0 ? (size_t) n_no_data : 0;
	render_team(&c);
	failed = kt_gnuplot_finish(c.gp);
	if (progress)
		fputs("\r\033[K", stderr);
	kt_log_set_status_line(false);

	/* index.html shows what exists */
	for (size_t i = 0; i < c.team.n; i++) {
		char *p1 = player_path(&c, &c.team.players[i], "report.pdf");
		char *p2 = player_path(&c, &c.team.players[i], "heatmap.png");
		pdf_ok[i] = p1 && kt_gnuplot_chart_ok(c.gp, p1);
		heat_ok[i] = p2 && kt_gnuplot_chart_ok(c.gp, p2);
		free(p1);
		free(p2);
	}
	for (int t = 0; t < _KT_TEAM_CHART_MAX; t++) {
		char *p = out_path(&c, kt_team_chart_file(t));
		hin.team_chart_ok[t] = p && kt_gnuplot_chart_ok(c.gp, p);
		free(p);
	}
	{
		char *p = out_path(&c, "team.pdf");
		hin.team_pdf_ok = p && kt_gnuplot_chart_ok(c.gp, p);
		free(p);
	}
	hin.german = c.L->comma;
	hin.session = &c.sess;
	hin.team = &c.team;
	hin.player_pdf_ok = pdf_ok;
	hin.player_heat_ok = heat_ok;
	hin.no_data = no_data;
	hin.n_no_data = n_no_data > 0 ? (size_t)n_no_data : 0;
	k = failed + c.missing;
	hin.charts_missing = k > 0 ? (unsigned)k : 0;
	hin.charts_missing_why = kt_gnuplot_first_failure(c.gp);
	if (kt_html_write(outdir, &hin) < 0)
		k++;
	if (k > 0)
		log_warning("%s: %d chart%s or page%s missing (see above)", outdir, k, k == 1 ? "" : "s",
			    k == 1 ? "" : "s");
	else if (!o->quiet)
		log_info("%s/index.html: %zu player%s, all charts made", outdir, c.team.n,
			 c.team.n == 1 ? "" : "s");
out:
	kt_gnuplot_free(c.gp);
	kt_rep_team_clear(&c.team);
	kt_rep_session_clear(&c.sess);
	kt_rep_series_clear(&c.ser);
	kt_rep_heat_clear(&c.heat);
	free(c.team_heat);
	free(c.has_heat);
	free(c.has_series);
	free(pdf_ok);
	free(heat_ok);
	kt_rep_vest_ids_free(no_data, n_no_data > 0 ? (size_t)n_no_data : 0);
	return k;
}
