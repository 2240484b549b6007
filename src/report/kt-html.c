/* SPDX-License-Identifier: EUPL-1.2 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kt-config.h"
#include "kt-html.h"
#include "util/kt-fileio.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

/* same colours as the charts (kt-charts.c zone_rgb) */
static const char *const zone_rgb[5] = { "#4e79a7", "#59a14f", "#e3b505", "#f28e2b", "#d62728" };

static const char *const team_chart_files[_KT_TEAM_CHART_MAX] = {
	[KT_TEAM_CHART_DISTANCE] = "team_distance.png",
	[KT_TEAM_CHART_SPRINTS] = "team_sprints.png",
	[KT_TEAM_CHART_HSR] = "team_hsr.png",
	[KT_TEAM_CHART_HEATMAP] = "team_heatmap.png",
};

const char *
kt_team_chart_file(enum kt_team_chart c)
{
	return c < _KT_TEAM_CHART_MAX ? team_chart_files[c] : NULL;
}

struct words {
	const char *html_lang, *title, *pitch, *players, *team, *team_pdf, *charts, *player_pages,
		*sort_hint, *missing_chart, *zones, *quality, *col[16], *chart_alt[_KT_TEAM_CHART_MAX],
		*heat_alt, *pdf, *no_pdf, *pitch_estimated, *average, *no_data, *charts_of,
		*chart_names[3], *notes, *partial, *more_notes, *player1, *sprint1, *sprints, *charts_missing,
		*notes_english, *mark_label,
		*off_for[2],   /* around the minutes the vest was off between its logs */
		*undercount_label, *undercount_star,   /* KT_REP_UNDERCOUNT_MARK: its tooltip, its footnote */
		*star[5];   /* the footnote: its start, around the notes box's title, " and ", the PDF */
};

/* Columns of the team table; the first three are text. */
enum { C_NUM, C_NAME, C_POS, C_MIN, C_DIST, C_ZONES, C_HSR, C_SPRINTS, C_VMAX, C_ACC, C_DEC,
       C_LOAD, C_RATE, C_FIX, _C_MAX };

static const struct words words_de = {
	.html_lang = "de",
	.title = "Training",
	.pitch = "Platz",
	.players = "Spieler",
	.team = "Mannschaft",
	.team_pdf = "Mannschaftsbericht (PDF)",
	.charts = "Mannschaft in Diagrammen",
	.player_pages = "Spielerberichte",
	.sort_hint = "Zum Sortieren auf eine Spaltenüberschrift klicken. Ein Klick auf den Namen öffnet den Bericht des Spielers (PDF).",
	.missing_chart = "Diagramm fehlt (siehe Meldungen von kicktrack)",
	.zones = "Geschwindigkeitszonen",
	.quality = "Daten",
	.off_for = { "Weste&nbsp;", "&nbsp;min aus (zwischen zwei Aufzeichnungen)" },
	.col = { "Nr.", "Spieler", "Position", "Min.", "Distanz (m)", "Zonen", "HSR (m)", "Sprints",
		 "Max. km/h", "Beschl.", "Abbrems.", "PlayerLoad", "Laufleistung (m/min)", "Position bekannt (%)" },
	.chart_alt = { "Distanz je Spieler nach Zone", "Sprints und Höchstgeschwindigkeit",
		       "Schnelles Laufen je Spieler", "Heatmap der Mannschaft" },
	.heat_alt = "Heatmap",
	.pdf = "Bericht (PDF)",
	.no_pdf = "kein PDF",
	.pitch_estimated = "aus den Laufwegen geschätzt",
	.average = "Ø Mannschaft",
	.no_data = "Keine Daten (laut Kader)",
	.charts_of = "Diagramme",
	.chart_names = { "Geschwindigkeit", "Zonen", "Beschleunigung" },
	.notes = "Hinweise zur Auswertung",
	.player1 = "Spieler",
	.charts_missing = "Diagramme oder PDFs fehlen",
	.sprint1 = "Sprint",
	.sprints = "Sprints",
	.partial = "Unvollständig: nicht alle Daten konnten verwendet werden:",
	.more_notes = "weitere Hinweise in session.json",
	/* a session.json of a kicktrack that wrote its notes in English only */
	.notes_english = "Die Hinweise sind auf Englisch: diese Auswertung stammt von einer älteren kicktrack-Version.",
	/* " *" after a player the run has notes about, as on team.pdf */
	.mark_label = "Hinweise zu den Werten dieses Spielers",
	.star = { "* Hinweise zu den Werten dieses Spielers: ", "oben unter „", "“", " und ", "in seinem Bericht (PDF)" },
	.undercount_label = "zu wenige gezählt: die Weste hat zu wenige Positionen pro Sekunde aufgezeichnet",
	.undercount_star = KT_REP_UNDERCOUNT_MARK " zu wenige gezählt: die Weste hat weniger als 5 Positionen pro Sekunde "
			   "aufgezeichnet; Beschleunigungen, Abbremsungen und Sprints brauchen 5 oder mehr (üblich sind 10). "
			   "Ø Mannschaft ohne diese Werte.",
};

static const struct words words_en = {
	.html_lang = "en",
	.title = "Training",
	.pitch = "Pitch",
	.players = "players",
	.team = "Team",
	.team_pdf = "Team report (PDF)",
	.charts = "The team in charts",
	.player_pages = "Player reports",
	.sort_hint = "Click a column header to sort. Click a name to open the player's report (PDF).",
	.missing_chart = "chart missing (see kicktrack's messages)",
	.zones = "Speed zones",
	.quality = "Data",
	.off_for = { "vest off for ", "&nbsp;min (between two logs)" },
	.col = { "No.", "Player", "Position", "Min", "Distance (m)", "Zones", "HSR (m)", "Sprints",
		 "Top km/h", "Acc.", "Dec.", "PlayerLoad", "Work rate (m/min)", "Position known (%)" },
	.chart_alt = { "Distance per player by zone", "Sprints and top speed",
		       "High-speed running per player", "Team heatmap" },
	.heat_alt = "Heatmap",
	.pdf = "Report (PDF)",
	.no_pdf = "no PDF",
	.pitch_estimated = "estimated from the tracks",
	.average = "Team average",
	.no_data = "No data (roster)",
	.charts_of = "Charts",
	.chart_names = { "speed", "zones", "acceleration" },
	.notes = "Notes on this session",
	.player1 = "player",
	.charts_missing = "charts or PDFs could not be made",
	.sprint1 = "sprint",
	.sprints = "sprints",
	.partial = "Partial result: not all the data could be used:",
	.more_notes = "more notes in session.json",
	.notes_english = NULL, /* the notes are in English anyway */
	.mark_label = "notes on this player's numbers",
	.star = { "* notes on this player's numbers: ", "above under “", "”", " and ", "on the player's report (PDF)" },
	.undercount_label = "undercounted: the vest logged too few positions a second",
	.undercount_star = KT_REP_UNDERCOUNT_MARK " undercounted: the vest logged fewer than 5 positions a second; "
			   "accelerations, decelerations and sprints need 5 or more (10 is usual). The team average "
			   "leaves them out.",
};

void
kt_html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* A path segment (vest id) in an href/src: percent-encode what is not safe. */
static void
url_segment(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char) *s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~')
			fputc(ch, f);
		else
			fprintf(f, "%%%02X", ch);
	}
}

static void
num_cell(FILE *f, double v, int decimals, bool comma)
{
	char c[48], d[48];

	if (!isfinite(v)) {
		fputs("<td class=\"n\" data-v=\"\">–</td>", f);
		return;
	}
	fprintf(f, "<td class=\"n\" data-v=\"%s\">%s</td>", kt_fmt_double(c, sizeof(c), v, 3, false),
		kt_fmt_double(d, sizeof(d), kt_rep_round(v, decimals), decimals, comma));
}

/* KT_REP_UNDERCOUNT_MARK after a count that is too low (kt_rep_player.
 * undercounted), named for screen readers, a link to its footnote in the
 * table, a plain mark in a card (itself a link) */
static void
undercount_mark(FILE *f, const struct words *w, bool link)
{
	fprintf(f, "&nbsp;<%s class=\"mark uc\" %s aria-label=\"%s\" title=\"%s\">%s</%s>", link ? "a" : "span",
		link ? "href=\"#undercount-star\"" : "role=\"img\"", w->undercount_label, w->undercount_label,
		KT_REP_UNDERCOUNT_MARK, link ? "a" : "span");
}

/* A count of p's in the team table, with its mark when it is too low */
static void
count_cell(FILE *f, const struct words *w, const struct kt_rep_player *p, enum kt_team_col col, bool comma)
{
	char c[48], d[48];
	double v = p->v[col];

	if (!((p->undercounted >> col) & 1u) || !isfinite(v)) {
		num_cell(f, v, 0, comma);
		return;
	}
	fprintf(f, "<td class=\"n\" data-v=\"%s\">%s", kt_fmt_double(c, sizeof(c), v, 3, false),
		kt_fmt_double(d, sizeof(d), kt_rep_round(v, 0), 0, comma));
	undercount_mark(f, w, true);
	fputs("</td>", f);
}


/* The " *" after a player the run has notes about (players[].notes), as
 * team.pdf has it: a character, not a colour, named for screen readers
 * and with the notes themselves as its tooltip. In the table a link to
 * the footnote under it; in a card (itself a link) a plain mark. */
static void
note_mark(FILE *f, const struct words *w, const struct kt_rep_player *p, bool german, bool link)
{
	char *const *notes = german && p->notes_de ? p->notes_de : p->notes;

	fprintf(f, "&nbsp;<%s class=\"mark\" %s aria-label=\"%s\" title=\"", link ? "a" : "span",
		link ? "href=\"#notes-star\"" : "role=\"img\"", w->mark_label);
	for (size_t k = 0; k < p->n_notes; k++) {
		if (k)
			fputs(" · ", f);
		kt_html_escape(f, notes[k]);
	}
	fprintf(f, "\">*</%s>", link ? "a" : "span");
}

/* The player note n of the session is about: by session.json
 * "warning_vests"; from an older kicktrack without it, the one whose own
 * notes (players[].notes, without the log's path) it is. NULL: none. */
static const struct kt_rep_player *
note_player(const struct kt_rep_team *t, const struct kt_rep_session *s, size_t n, bool german)
{
	const char *note = kt_rep_session_notes(s, german, &(size_t){ 0 })[n];
	size_t len = strlen(note);

	if (s->note_vests) {
		for (size_t i = 0; s->note_vests[n] && i < t->n; i++)
			if (!strcmp(t->players[i].vest_id, s->note_vests[n]))
				return &t->players[i];
		return NULL;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct kt_rep_player *p = &t->players[i];
		char *const *pn = german && p->notes_de ? p->notes_de : p->notes;

		for (size_t k = 0; k < p->n_notes; k++) {
			size_t m = strlen(pn[k]);
			if (!strcmp(note, pn[k]) ||
			    (len > m + 2 && !strcmp(note + len - m, pn[k]) && !strncmp(note + len - m - 2, ": ", 2)))
				return p;
		}
	}
	return NULL;
}

static const char css[] =
	"body{font-family:sans-serif;margin:0 auto;max-width:1280px;padding:1em 1.5em;color:#222;background:#fff}\n"
	"h1{margin:.2em 0;font-size:1.8em}h2{margin-top:1.6em;border-bottom:2px solid #2e7d32;padding-bottom:.2em}\n"
	".sub{color:#555;margin:.2em 0 1em}\n"
	"table{border-collapse:collapse;width:100%;font-size:.92em}\n"
	"th,td{padding:.35em .4em;border-bottom:1px solid #e3e3e3;text-align:left;white-space:nowrap}\n"
	"th{background:#f2f4f2;cursor:pointer;user-select:none;position:sticky;top:0;white-space:normal;vertical-align:bottom}\n"
	"th.asc::after{content:' \\25B2'}th.desc::after{content:' \\25BC'}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"#team td:nth-child(2){white-space:normal;min-width:8em}\n"
	/* a narrow window (a tablet) scrolls the table, not the page; wider
	 * ones keep the header row in sight while the page scrolls */
	"@media (max-width:1100px){.tw{overflow-x:auto}}\n"
	"tbody tr:nth-child(even){background:#fafbfa}tbody tr:hover{background:#eef5ee}\n"
	"tfoot td{font-weight:bold;border-top:2px solid #999}\n"
	".zb{display:flex;width:110px;height:12px;border-radius:2px;overflow:hidden;background:#eee}\n"
	".zb span{display:block;height:100%}\n"
	".hint{color:#666;font-size:.85em}.defs{color:#444;font-size:.9em;margin:.5em 0}\n"
	".legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em;border-radius:2px}\n"
	/* one team chart a row, up to the 1200 px it is drawn at: two side by
	 * side made the names on their axes 5 px high */
	".charts img{width:100%;max-width:1200px;height:auto;display:block;border:1px solid #eee;margin-bottom:1em}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:1em}\n"
	".card{display:block;border:1px solid #ddd;border-radius:6px;padding:.5em;text-decoration:none;color:#222}\n"
	".card:hover{border-color:#2e7d32}.card img{width:100%;height:auto;display:block}\n"
	".card b{display:block;margin-top:.3em}.card small{color:#555}\n"
	".card>a{text-decoration:none;color:#222}.card .more{display:block;margin-top:.3em}\n"
	".missing{color:#b71c1c;font-style:italic}\n"
	".nodata{color:#b71c1c}\n"
	".notes{border-left:4px solid #e0a800;background:#fffbea;padding:.3em 1em;margin:1em 0}\n"
	".notes.partial{border-color:#b71c1c;background:#fdecea}.notes h2{border:0;margin:.4em 0}\n"
	".notes li{overflow-wrap:anywhere}\n"
	"a.mark,span.mark{font-weight:bold;color:#9a4a00;text-decoration:none;cursor:help}\n"
	".star{color:#9a4a00;font-size:.9em;margin:.5em 0}\n"
	"footer{margin-top:2em;color:#888;font-size:.8em}\n";

static const char js[] =
	"(function(){\n"
	"var t=document.getElementById('team');\n"
	"var ths=t.tHead.rows[0].cells,body=t.tBodies[0],dir=[];\n"
	"var lang=document.documentElement.lang;\n"
	"function key(td,num){var v=td.getAttribute('data-v');\n"
	" if(num){var x=parseFloat(v);return isNaN(x)?-1e300:x;}\n"
	" return (v!==null?v:td.textContent).toLowerCase();}\n"
	"function sortBy(i){var num=ths[i].getAttribute('data-type')==='num';\n"
	" var d=dir[i]=dir[i]===undefined?num:!dir[i];\n"
	" var rows=Array.prototype.slice.call(body.rows);\n"
	" rows.sort(function(a,b){var x=key(a.cells[i],num),y=key(b.cells[i],num);\n"
	"  var r=num?(x<y?-1:x>y?1:0):x.localeCompare(y,lang);return d?-r:r;});\n"
	" for(var k=0;k<rows.length;k++)body.appendChild(rows[k]);\n"
	" for(var j=0;j<ths.length;j++)ths[j].className=j===i?(d?'desc':'asc'):'';}\n"
	"for(var i=0;i<ths.length;i++)(function(i){ths[i].addEventListener('click',function(){sortBy(i);});})(i);\n"
	"var m=/^#sort=(\\d+)$/.exec(location.hash);\n"
	"if(m&&+m[1]<ths.length)sortBy(+m[1]);\n"
	"document.body.setAttribute('data-rows',String(body.rows.length));\n"
	"document.body.setAttribute('data-ready','1');\n"
	"})();\n";

/* players/<vest>/<name> exists in outdir (drawn by this run: index.html
 * is written after the charts) */
static bool
player_file_exists(const char *outdir, const char *vest_id, const char *name)
{
	char *path;
	bool ok;

	if (asprintf(&path, "%s/players/%s/%s", outdir, vest_id, name) < 0)
		return false;
	ok = access(path, R_OK) == 0;
	free(path);
	return ok;
}

static void
write_page(FILE *f, const char *outdir, const struct kt_html_input *in)
{
	const struct words *w = in->german ? &words_de : &words_en;
	const struct kt_rep_session *s = in->session;
	const struct kt_rep_team *t = in->team;
	const bool comma = in->german;
	char date[96], a[48], b[48];
	bool notes_shown = false, any_marked = false, any_undercounted = false;

	if (!s->date_iso[0])
		snprintf(date, sizeof(date), "–");
	else if (in->german)
		snprintf(date, sizeof(date), "%.2s.%.2s.%.4s", s->date_iso + 8, s->date_iso + 5, s->date_iso);
	else
		snprintf(date, sizeof(date), "%s", s->date_iso);
	/* a run cut with --from/--to says which part it counted */
	if (s->window[0])
		snprintf(date + strlen(date), sizeof(date) - strlen(date), ", %s", s->window);

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		   "<title>kicktrack – %s %s</title>\n<style>\n%s</style>\n</head>\n<body data-ready=\"0\">\n",
		w->html_lang, w->title, date, css);

	fprintf(f, "<header>\n<h1>%s %s</h1>\n<p class=\"sub\">%s: ", w->title, date, w->pitch);
	if (s->pitch_name[0]) {
		kt_html_escape(f, s->pitch_name);
		fputs(", ", f);
	}
	fprintf(f, "%s × %s m", kt_fmt_double(a, sizeof(a), s->pitch_length_m, 0, comma),
		kt_fmt_double(b, sizeof(b), s->pitch_width_m, 0, comma));
	if (s->pitch_estimated)
		fprintf(f, " (%s)", w->pitch_estimated);
	fprintf(f, " · %zu %s", t->n, t->n == 1 ? w->player1 : w->players);
	if (in->team_pdf_ok)
		fprintf(f, " · <a href=\"team.pdf\">%s</a>", w->team_pdf);
	fputs("</p>\n</header>\n", f);

	/* what the run had to say (a log it could not use, a vest far from the
	 * ground, ...): under kicktrackd nobody sees its messages, so the page
	 * shows them, first */
	{
		size_t n;
		char *const *notes = kt_rep_session_notes(s, in->german, &n);
		enum { NOTES_SHOWN = 12 };
		/* a chart or PDF that could not be made: this run's, not in
		 * session.json (which is written before the charts) */
		bool partial = s->partial || in->charts_missing > 0;

		if (n > 0 || partial) {
			fprintf(f, "<section class=\"notes%s\" id=\"notes\">\n<h2>%s</h2>\n", partial ? " partial" : "",
				w->notes);
			notes_shown = n > 0;
			if (partial)
				fprintf(f, "<p><b>%s</b></p>\n", w->partial);
			if (n > 0 && w->notes_english && !s->notes_de)
				fprintf(f, "<p class=\"notes-en\">%s</p>\n", w->notes_english);
			fputs("<ul>\n", f);
			for (size_t i = 0; i < n && i < NOTES_SHOWN; i++) {
				/* a note about a vest says whose it is: the coach
				 * knows the players, not their vests' ids */
				const struct kt_rep_player *p = note_player(t, s, i, in->german);

				fputs("<li>", f);
				if (p && p->player[0]) {
					fputs("<b>", f);
					if (p->number[0]) {
						fputs("#", f);
						kt_html_escape(f, p->number);
						fputs(" ", f);
					}
					kt_html_escape(f, p->player);
					fputs(":</b> ", f);
				}
				kt_html_escape(f, notes[i]);
				fputs("</li>\n", f);
			}
			if (n > NOTES_SHOWN)
				fprintf(f, "<li>… %zu %s</li>\n", n - NOTES_SHOWN, w->more_notes);
			if (in->charts_missing > 0) {
				fprintf(f, "<li>%u %s", in->charts_missing, w->charts_missing);
				if (in->charts_missing_why) {
					fputs(": ", f);
					kt_html_escape(f, in->charts_missing_why);
				}
				fputs("</li>\n", f);
			}
			fputs("</ul>\n</section>\n", f);
		}
	}

	/* the team table */
	fprintf(f, "<section>\n<h2>%s</h2>\n<p class=\"legend\">%s: ", w->team, w->zones);
	for (int z = 0; z < 5; z++) {
		fprintf(f, "<span><i style=\"background:%s\"></i>Z%d ", zone_rgb[z], z + 1);
		if (z == 0)
			fprintf(f, "&lt; %s", kt_fmt_double(a, sizeof(a), s->zone_kmh[0], 1, comma));
		else if (z == 4)
			fprintf(f, "≥ %s", kt_fmt_double(a, sizeof(a), s->zone_kmh[3], 1, comma));
		else
			fprintf(f, "%s–%s", kt_fmt_double(a, sizeof(a), s->zone_kmh[z - 1], 1, comma),
				kt_fmt_double(b, sizeof(b), s->zone_kmh[z], 1, comma));
		fputs(" km/h</span>", f);
	}
	fputs("</p>\n<div class=\"tw\"><table id=\"team\">\n<thead><tr>", f);
	for (int k = 0; k < _C_MAX; k++)
		fprintf(f, "<th data-type=\"%s\">%s</th>",
			(k == C_NAME || k == C_POS) ? "text" : "num", w->col[k]);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < t->n; i++) {
		const struct kt_rep_player *p = &t->players[i];
		const double *v = p->v;
		const char *name = p->player[0] ? p->player : p->vest_id;
		double zsum = 0;

		fputs("<tr>", f);
		fprintf(f, "<td class=\"n\" data-v=\"%g\">", isfinite(kt_rep_atod(p->number)) ? kt_rep_atod(p->number) : -1.0);
		kt_html_escape(f, p->number);
		fputs("</td><td data-v=\"", f);
		kt_html_escape(f, name);
		fputs("\">", f);
		if (in->player_pdf_ok[i]) {
			fputs("<a href=\"players/", f);
			url_segment(f, p->vest_id);
			fputs("/report.pdf\">", f);
			kt_html_escape(f, name);
			fputs("</a>", f);
		} else
			kt_html_escape(f, name);
		if (p->n_notes) {
			note_mark(f, w, p, in->german, true);
			any_marked = true;
		}
		fputs("</td><td>", f);
		kt_html_escape(f, p->position);
		fputs("</td>", f);
		num_cell(f, v[KT_TC_MINUTES], kt_rep_minute_decimals(v[KT_TC_MINUTES]), comma);
		num_cell(f, v[KT_TC_DISTANCE_M], 0, comma);
		for (int z = 0; z < 5; z++)
			if (isfinite(v[KT_TC_Z1_M + z]))
				zsum += v[KT_TC_Z1_M + z];
		fprintf(f, "<td data-v=\"%s\"><div class=\"zb\" title=\"",
			kt_fmt_double(a, sizeof(a), isfinite(v[KT_TC_HSR_M]) && zsum > 0 ? v[KT_TC_HSR_M] / zsum : -1, 4, false));
		for (int z = 0; z < 5; z++)
			fprintf(f, "%sZ%d %s m", z ? ", " : "", z + 1,
				isfinite(v[KT_TC_Z1_M + z]) ? kt_fmt_double(a, sizeof(a), v[KT_TC_Z1_M + z], 0, comma) : "–");
		fputs("\">", f);
		for (int z = 0; z < 5 && zsum > 0; z++)
			if (isfinite(v[KT_TC_Z1_M + z]) && v[KT_TC_Z1_M + z] > 0)
				fprintf(f, "<span style=\"width:%.2f%%;background:%s\"></span>",
					v[KT_TC_Z1_M + z] * 100.0 / zsum, zone_rgb[z]);
		fputs("</div></td>", f);
		num_cell(f, v[KT_TC_HSR_M], 0, comma);
		count_cell(f, w, p, KT_TC_SPRINTS, comma);
		num_cell(f, v[KT_TC_MAX_SPEED_KMH], 1, comma);
		count_cell(f, w, p, KT_TC_ACCELERATIONS, comma);
		count_cell(f, w, p, KT_TC_DECELERATIONS, comma);
		any_undercounted = any_undercounted || p->undercounted;
		num_cell(f, v[KT_TC_PLAYER_LOAD], 0, comma);
		num_cell(f, v[KT_TC_WORK_RATE_M_MIN], 0, comma);
		num_cell(f, v[KT_TC_KNOWN_PCT], 1, comma);
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n<tfoot><tr>", f);
	{
		/* the team average; not sorted with the rows */
		static const struct {
			int col;
			enum kt_team_col tc;
			int decimals;
		} avg[] = {
			{ C_MIN, KT_TC_MINUTES, -1 }, { C_DIST, KT_TC_DISTANCE_M, 0 },
			{ C_HSR, KT_TC_HSR_M, 0 }, { C_SPRINTS, KT_TC_SPRINTS, 0 },
			{ C_VMAX, KT_TC_MAX_SPEED_KMH, 1 }, { C_ACC, KT_TC_ACCELERATIONS, 0 },
			{ C_DEC, KT_TC_DECELERATIONS, 0 }, { C_LOAD, KT_TC_PLAYER_LOAD, 0 },
			{ C_RATE, KT_TC_WORK_RATE_M_MIN, 0 }, { C_FIX, KT_TC_KNOWN_PCT, 1 },
		};
		size_t k = 0;
		for (int col = 0; col < _C_MAX; col++) {
			if (col == C_NAME) {
				fprintf(f, "<td>%s</td>", w->average);
				continue;
			}
			if (k < sizeof(avg) / sizeof(avg[0]) && avg[k].col == col) {
				/* (without the undercounted counts: see their footnote) */
				double mean = kt_rep_team_mean(t, avg[k].tc, NULL);
				/* -1: minutes, as in the rows */
				int dec = avg[k].decimals >= 0 ? avg[k].decimals : isfinite(mean) ? kt_rep_minute_decimals(mean) : 0;

				fprintf(f, "<td class=\"n\">%s</td>",
					isfinite(mean) ? kt_fmt_double(a, sizeof(a), kt_rep_round(mean, dec), dec, comma) : "–");
				k++;
			} else
				fputs("<td></td>", f);
		}
	}
	fputs("</tr></tfoot>\n</table></div>\n", f);
	/* the footnote of " *", as under team.pdf's table: where the notes are */
	if (any_marked) {
		fprintf(f, "<p class=\"star\" id=\"notes-star\">%s", w->star[0]);
		if (notes_shown)
			fprintf(f, "%s<a href=\"#notes\">%s</a>%s%s", w->star[1], w->notes, w->star[2], w->star[3]);
		fprintf(f, "%s</p>\n", w->star[4]);
	}
	if (any_undercounted)
		fprintf(f, "<p class=\"star\" id=\"undercount-star\">%s</p>\n", w->undercount_star);
	/* what the counts mean, with this run's thresholds, as under team.pdf's table */
	{
		char defs[1024];

		kt_rep_definitions(defs, sizeof(defs), s, in->german);
		fputs("<p class=\"defs\">", f);
		kt_html_escape(f, defs);
		fputs("</p>\n", f);
	}
	fprintf(f, "<p class=\"hint\">%s</p>\n", w->sort_hint);
	/* the roster's players who brought no data: not in the table, named here */
	if (in->n_no_data) {
		fprintf(f, "<p class=\"nodata\"><b>%s:</b> ", w->no_data);
		for (size_t i = 0; i < in->n_no_data; i++) {
			if (i)
				fputs(", ", f);
			kt_html_escape(f, in->no_data[i]);
		}
		fputs("</p>\n", f);
	}
	fputs("</section>\n", f);

	/* team charts */
	fprintf(f, "<section class=\"charts\">\n<h2>%s</h2>\n", w->charts);
	for (int k = 0; k < _KT_TEAM_CHART_MAX; k++) {
		if (in->team_chart_ok[k])
			fprintf(f, "<img src=\"%s\" alt=\"%s\">\n", team_chart_files[k], w->chart_alt[k]);
		else
			fprintf(f, "<p class=\"missing\">%s: %s</p>\n", w->chart_alt[k], w->missing_chart);
	}
	fputs("</section>\n", f);

	/* players */
	fprintf(f, "<section>\n<h2>%s</h2>\n<div class=\"cards\">\n", w->player_pages);
	for (size_t i = 0; i < t->n; i++) {
		const struct kt_rep_player *p = &t->players[i];
		const char *name = p->player[0] ? p->player : p->vest_id;

		/* the card: heatmap, name and numbers link to the PDF; below, the
		 * player's other charts (acceleration is in no PDF) */
		fputs("<div class=\"card\">", f);
		if (in->player_pdf_ok[i]) {
			fputs("<a href=\"players/", f);
			url_segment(f, p->vest_id);
			fputs("/report.pdf\">", f);
		}
		if (in->player_heat_ok[i]) {
			fputs("<img src=\"players/", f);
			url_segment(f, p->vest_id);
			fprintf(f, "/heatmap.png\" alt=\"%s ", w->heat_alt);
			kt_html_escape(f, name);
			fputs("\" width=\"900\" height=\"600\">", f);
		} else
			fprintf(f, "<p class=\"missing\">%s: %s</p>", w->heat_alt, w->missing_chart);
		fputs("<b>", f);
		if (p->number[0]) {
			fputs("#", f);
			kt_html_escape(f, p->number);
			fputs(" ", f);
		}
		kt_html_escape(f, name);
		if (p->n_notes)
			note_mark(f, w, p, in->german, false);
		fputs("</b><small>", f);
		/* a number and its unit stay on one line: a card is narrow,
		 * and "30,0" at the end of a line with "km/h" on the next was
		 * a number without a unit */
		fprintf(f, "%s&nbsp;km · %s&nbsp;%s",
			isfinite(p->v[KT_TC_DISTANCE_M]) ? kt_fmt_double(a, sizeof(a), p->v[KT_TC_DISTANCE_M] / 1000.0, 2, comma) : "–",
			isfinite(p->v[KT_TC_SPRINTS]) ? kt_fmt_double(b, sizeof(b), p->v[KT_TC_SPRINTS], 0, comma) : "–",
			p->v[KT_TC_SPRINTS] == 1 ? w->sprint1 : w->sprints);
		if ((p->undercounted >> KT_TC_SPRINTS) & 1u)
			undercount_mark(f, w, false);
		fprintf(f, " · %s&nbsp;km/h",
			isfinite(p->v[KT_TC_MAX_SPEED_KMH]) ? kt_fmt_double((char[48]){ 0 }, 48, p->v[KT_TC_MAX_SPEED_KMH], 1, comma) : "–");
		/* the time between a restarted vest's logs: why its minutes
		 * hold less running, and no loss of signal */
		if (p->v[KT_TC_OFF_S] > 0)
			fprintf(f, " · %s%s%s", w->off_for[0],
				kt_fmt_double((char[48]){ 0 }, 48, kt_rep_round(p->v[KT_TC_OFF_S] / 60.0, 1), 1, comma),
				w->off_for[1]);
		fprintf(f, " · %s</small>", in->player_pdf_ok[i] ? w->pdf : w->no_pdf);
		if (in->player_pdf_ok[i])
			fputs("</a>", f);
		{
			static const char *const png[3] = { "speed.png", "zones.png", "accel.png" };
			bool any = false;

			for (int k = 0; k < 3; k++) {
				if (!player_file_exists(outdir, p->vest_id, png[k]))
					continue;
				fprintf(f, "%s", any ? " · " : "<small class=\"more\">");
				if (!any)
					fprintf(f, "%s: ", w->charts_of);
				fputs("<a href=\"players/", f);
				url_segment(f, p->vest_id);
				fprintf(f, "/%s\">%s</a>", png[k], w->chart_names[k]);
				any = true;
			}
			if (any)
				fputs("</small>", f);
		}
		fputs("</div>\n", f);
	}
	fputs("</div>\n</section>\n", f);
	fprintf(f, "<footer>kicktrack %s</footer>\n<script>\n%s</script>\n</body>\n</html>\n", KT_VERSION, js);
}

int
kt_html_write(const char *outdir, const struct kt_html_input *in)
{
	struct kt_atomic_file af;
	char *path;
	int k;

	if (asprintf(&path, "%s/index.html", outdir) < 0)
		return -ENOMEM;
	k = kt_atomic_open(path, 0640, &af);
	if (k < 0) {
		log_error_errno(k, "cannot write %s: %m", path);
		free(path);
		return k;
	}
	write_page(af.f, outdir, in);
	k = kt_atomic_commit(&af, false, false);
	if (k < 0)
		log_error_errno(k, "cannot write %s: %m", path);
	free(path);
	return k;
}
