/* SPDX-License-Identifier: EUPL-1.2 */
#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <strings.h>
#include <unistd.h>

#include "kt-club.h"
#include "kt-pipeline.h"
#include "util/kt-fileio.h"
#include "util/kt-ini.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

#define ROSTER_MAX_SIZE (4u << 20)
#define ROSTER_FIELDS 4     /* vest_id, player, number, position */
#define ROSTER_MAX_COLS 64  /* columns of a line kept (a header may name more) */
#define ROSTER_MAX_MESSAGES 5 /* bad lines named one by one; the rest are counted */

/* ------------------------------------------------------------------ roster */

struct roster_parse {
	const char *path;
	struct kt_roster *roster;
	size_t cap;
	unsigned cur_line;      /* physical line being fed */
	unsigned row_line;      /* line where the current row started */
	unsigned n_rows;
	unsigned rows_ended;    /* row callbacks so far, blank rows included */
	unsigned n_fields;
	char *fields[ROSTER_MAX_COLS];
	bool bad_utf8;
	bool bad_ctrl;          /* a control byte in a field */
	bool oom;
	/* a header line maps its columns by name: col[k] is the column of
	 * vest_id, player, number, position (-1: not there), n_cols how many a
	 * line must have; without a header, the four in that order */
	bool have_header;
	int col[ROSTER_FIELDS];
	unsigned n_cols;
};

/* A bad line: named (the first few), counted, skipped. */
static void __attribute__((format(printf, 3, 4)))
bad_line(struct roster_parse *p, unsigned line, const char *fmt, ...)
{
	char buf[300];
	va_list ap;

	if (++p->roster->bad_lines > ROSTER_MAX_MESSAGES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_error("%s:%u: %s", p->path, line, buf);
}

static char *
mfree_str(char *s)
{
	free(s);
	return NULL;
}

static void
roster_row_reset(struct roster_parse *p)
{
	for (unsigned i = 0; i < ROSTER_MAX_COLS; i++)
		p->fields[i] = mfree_str(p->fields[i]);
	p->n_fields = 0;
	p->bad_utf8 = false;
	p->bad_ctrl = false;
}

static void
roster_field_cb(void *s, size_t len, void *data)
{
	struct roster_parse *p = data;

	if (p->n_fields == 0)
		p->row_line = p->cur_line;
	if (s && !kt_utf8_valid(s, len))
		p->bad_utf8 = true;
	for (size_t i = 0; s && i < len; i++)
		if ((((const unsigned char *)s)[i] < 0x20 && ((const char *)s)[i] != '\t') ||
		    ((const char *)s)[i] == 0x7f)
			p->bad_ctrl = true;
	if (p->n_fields < ROSTER_MAX_COLS) {
		p->fields[p->n_fields] = strndup(s ? s : "", s ? len : 0);
		if (!p->fields[p->n_fields])
			p->oom = true;
	}
	p->n_fields++;
}

/* Column names a header may use for each field, English and German, any
 * case (a club's own export often says "Spieler" or has more columns). */
static const char *const col_names[ROSTER_FIELDS][8] = {
	{ "vest_id", "vest", "weste", "westen_id", "weste_id", NULL },
	{ "player", "name", "spieler", "spielerin", NULL },
	{ "number", "nummer", "nr", "trikotnummer", "rückennummer", "rueckennummer", NULL },
	{ "position", "pos", NULL },
};

static int
col_field(const char *name)
{
	for (int k = 0; k < ROSTER_FIELDS; k++)
		for (unsigned j = 0; col_names[k][j]; j++)
			if (!strcasecmp(name, col_names[k][j]))
				return k;
	return -1;
}

/* The first line is a header if one of its fields names the vest id
 * column; then every column is mapped by its name. */
static bool
parse_header(struct roster_parse *p)
{
	int col[ROSTER_FIELDS] = { -1, -1, -1, -1 };
	unsigned n = p->n_fields < ROSTER_MAX_COLS ? p->n_fields : ROSTER_MAX_COLS;

	for (unsigned i = 0; i < n; i++) {
		int k = p->fields[i] ? col_field(kt_strip(p->fields[i])) : -1;
		if (k >= 0 && col[k] < 0)
			col[k] = (int)i;
	}
	if (col[0] < 0)
		return false;
	if (p->n_fields > ROSTER_MAX_COLS) {
		log_error("%s:%u: more than %d columns; the roster is read as if it had no header",
			  p->path, p->row_line, ROSTER_MAX_COLS);
		return false;
	}
	p->have_header = true;
	p->n_cols = p->n_fields;
	memcpy(p->col, col, sizeof(col));
	for (unsigned i = 0; i < n; i++) {
		bool used = false;
		char esc[100];
		for (int k = 0; k < ROSTER_FIELDS; k++)
			used |= col[k] == (int)i;
		if (!used)
			log_info("%s:%u: column '%s' is not used", p->path, p->row_line,
				 kt_escape(esc, sizeof(esc), p->fields[i] ? p->fields[i] : ""));
	}
	return true;
}

static void
roster_row_cb(int c, void *data)
{
	struct roster_parse *p = data;
	struct kt_roster *r = p->roster;

	p->rows_ended++;
	if (p->n_fields == 0) /* empty line */
		return;
	p->n_rows++;
	if (p->n_rows == 1 && parse_header(p)) {
		roster_row_reset(p);
		return;
	}
	if (p->n_fields == 1 && p->fields[0] && !*kt_strip(p->fields[0])) {
		roster_row_reset(p); /* a line of blanks */
		return;
	}
	if (p->n_fields != p->n_cols) {
		if (p->have_header)
			bad_line(p, p->row_line, "expected %u fields as in the header line, got %u", p->n_cols,
				 p->n_fields);
		else
			bad_line(p, p->row_line, "expected %d fields, got %u (vest_id,player,number,position)",
				 ROSTER_FIELDS, p->n_fields);
		roster_row_reset(p);
		return;
	}
	if (p->bad_utf8) {
		bad_line(p, p->row_line, "not valid UTF-8 (save the roster as 'CSV UTF-8')");
		roster_row_reset(p);
		return;
	}
	if (p->bad_ctrl) {
		bad_line(p, p->row_line, "control characters in a field (a name or number cannot hold them)");
		roster_row_reset(p);
		return;
	}
	/* the four fields in their order, "" for a column the header lacks */
	char *f[ROSTER_FIELDS];
	for (unsigned k = 0; k < ROSTER_FIELDS; k++) {
		int col = p->col[k];
		f[k] = col >= 0 ? p->fields[col] : strdup("");
		if (col >= 0)
			p->fields[col] = NULL;
		if (!f[k])
			p->oom = true;
	}
	roster_row_reset(p);
	if (p->oom) {
		for (unsigned k = 0; k < ROSTER_FIELDS; k++)
			free(f[k]);
		return;
	}
	for (unsigned k = 0; k < ROSTER_FIELDS; k++)
		p->fields[k] = kt_strip(f[k]);
	if (!*p->fields[0]) {
		bad_line(p, p->row_line, "empty vest_id");
		roster_row_reset(p);
		return;
	}
	const struct kt_roster_entry *dup = kt_roster_find(r, p->fields[0]);
	if (dup) {
		char esc[100];
		bad_line(p, p->row_line, "vest '%s' already assigned on line %u; line ignored",
			 kt_escape(esc, sizeof(esc), p->fields[0]), dup->line);
		roster_row_reset(p);
		return;
	}
	if (r->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 32;
		struct kt_roster_entry *ne = realloc(r->entries, ncap * sizeof(*ne));
		if (!ne) {
			p->oom = true;
			roster_row_reset(p);
			return;
		}
		r->entries = ne;
		p->cap = ncap;
	}
	r->entries[r->n++] = (struct kt_roster_entry) {
		.vest_id = p->fields[0],
		.player = p->fields[1],
		.number = p->fields[2],
		.position = p->fields[3],
		.line = p->row_line,
	};
	for (unsigned i = 0; i < ROSTER_FIELDS; i++)
		p->fields[i] = NULL;
	p->n_fields = 0;
	p->bad_utf8 = false;
	p->bad_ctrl = false;
}

/* Where the line at s[0..n) ends: its LF, or a CR not followed by LF (a
 * Mac roster; libcsv ends a row there too, and each row keeps its own line
 * number). NULL for a last line without an end. */
static const char *
line_end(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')))
			return s + i;
	return NULL;
}

int
kt_roster_load(const char *path, struct kt_roster *ret)
{
	struct kt_roster r = { 0 };
	struct roster_parse p = { .path = path, .roster = &r, .col = { 0, 1, 2, 3 }, .n_cols = ROSTER_FIELDS };
	struct csv_parser csv;
	char *data = NULL;
	size_t len = 0;
	int rr;

	/* the caller says why the file is not used, once */
	rr = kt_read_text_file(path, ROSTER_MAX_SIZE, &data, &len);
	if (rr < 0)
		return rr;

	char *s = data;
	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
		s += 3;
		len -= 3;
	} else {
		/* German Excel's plain "CSV (Trennzeichen-getrennt)" is
		 * Windows-1252: "M\xfcller" would be a bad line each */
		char *u;
		size_t ulen;

		rr = kt_cp1252_to_utf8(s, len, &u, &ulen);
		if (rr < 0) {
			free(data);
			return rr;
		}
		if (rr > 0) {
			r.cp1252 = true; /* the caller says so, in the session's notes */
			free(data);
			data = s = u;
			len = ulen;
		}
	}
	/* German Excel writes ';': decide from the first line */
	const char *nl = memchr(s, '\n', len);
	size_t first_len = nl ? (size_t)(nl - s) : len;
	unsigned char delim = memchr(s, ';', first_len) && !memchr(s, ',', first_len) ? ';' : ',';

	if (csv_init(&csv, CSV_STRICT | CSV_APPEND_NULL) != 0) {
		free(data);
		return -ENOMEM;
	}
	csv_set_delim(&csv, delim);

	/* Feed line by line so that messages can name the line. */
	size_t off = 0;
	p.cur_line = 0;
	while (off < len && !p.oom) {
		const char *e = line_end(s + off, len - off);
		size_t n = e ? (size_t)(e - (s + off)) + 1 : len - off;
		unsigned ended = p.rows_ended;
		bool blank = true;
		for (size_t k = 0; k < n; k++)
			if (s[off + k] != ' ' && s[off + k] != '\t' && s[off + k] != '\r' && s[off + k] != '\n')
				blank = false;
		p.cur_line++;
		size_t used = csv_parse(&csv, s + off, n, roster_field_cb, roster_row_cb, &p);
		/* A roster line never continues on the next one: a row that did
		 * not end with its line has an unterminated quote. */
		bool open_quote = used == n && e && !blank && p.rows_ended == ended;
		if (used != n || open_quote) {
			bad_line(&p, p.cur_line, "%s; line ignored",
				 open_quote ? "unterminated quote" :
				 "broken quoting (quote a whole field, and double a \" inside it)");
			roster_row_reset(&p);
			/* start over after the bad line */
			csv_free(&csv);
			if (csv_init(&csv, CSV_STRICT | CSV_APPEND_NULL) != 0) {
				p.oom = true;
				break;
			}
			csv_set_delim(&csv, delim);
		}
		off += n;
	}
	if (!p.oom && csv_fini(&csv, roster_field_cb, roster_row_cb, &p) != 0) {
		bad_line(&p, p.cur_line, "malformed CSV at end of file (%s)", csv_strerror(csv_error(&csv)));
		roster_row_reset(&p);
	}
	if (r.bad_lines > ROSTER_MAX_MESSAGES)
		log_error("%s: ... and %u more bad lines", path, r.bad_lines - ROSTER_MAX_MESSAGES);
	csv_free(&csv);
	roster_row_reset(&p);
	free(data);
	if (p.oom) {
		kt_roster_clear(&r);
		return -ENOMEM;
	}
	if (p.n_rows > 0 && r.n == 0 && r.bad_lines == 0)
		log_warning("%s: no players listed", path);
	*ret = r;
	return (int)r.bad_lines;
}

const struct kt_roster_entry *
kt_roster_find(const struct kt_roster *r, const char *vest_id)
{
	if (!r)
		return NULL;
	/* vest ids are printed on the vests; people type them in any case */
	for (size_t i = 0; i < r->n; i++)
		if (!strcasecmp(r->entries[i].vest_id, vest_id))
			return &r->entries[i];
	return NULL;
}

void
kt_roster_clear(struct kt_roster *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->entries[i].vest_id);
		free(r->entries[i].player);
		free(r->entries[i].number);
		free(r->entries[i].position);
	}
	free(r->entries);
	*r = (struct kt_roster) { 0 };
}

/* ------------------------------------------------------------------- pitch */

double
kt_club_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	const double R = 6371008.8, d2r = M_PI / 180.0;
	double x = (lon2 - lon1) * d2r * cos((lat1 + lat2) * 0.5 * d2r);
	double y = (lat2 - lat1) * d2r;

	return R * sqrt(x * x + y * y);
}

/* Cut a trailing "  # comment" (a '#' or ';' after a blank) off a value. */
static char *
strip_comment(char *v)
{
	for (char *c = v; *c; c++)
		if ((*c == '#' || *c == ';') && c > v && (c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			break;
		}
	return kt_strip(v);
}

struct pitch_parse {
	struct kt_pitch pitch;
	char name[KT_PITCH_NAME_MAX];
	unsigned seen;          /* bit per key */
	bool in_pitch;
	struct kt_ini_error *why;
};

/* What is wrong, for kt_pitch_file_load()'s caller to say */
static int __attribute__((format(printf, 3, 4)))
pitch_error(struct kt_ini_error *why, unsigned line, const char *fmt, ...)
{
	va_list ap;

	why->line = line;
	why->unreadable = false;
	va_start(ap, fmt);
	vsnprintf(why->what, sizeof(why->what), fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

enum { P_LENGTH = 1 << 0, P_WIDTH = 1 << 1, P_C1 = 1 << 2, P_ALL = (1 << 6) - 1 };

static int
pitch_cb(const char *path, unsigned line, const char *section, const char *key,
	 const char *value, void *userdata)
{
	struct pitch_parse *pp = userdata;
	char buf[256];
	double d;

	if (strcmp(section, "pitch") != 0)
		return 0; /* other sections are for other programs */
	pp->in_pitch = true;
	snprintf(buf, sizeof(buf), "%s", value);
	char *v = strip_comment(buf);

	if (!strcmp(key, "name")) {
		snprintf(pp->name, sizeof(pp->name), "%s", v);
		return 0;
	}
	if (!strcmp(key, "length_m") || !strcmp(key, "width_m")) {
		if (kt_safe_atod(v, &d) < 0 || !(d >= 10.0 && d <= 250.0))
			return pitch_error(pp->why, line, "%s must be a number of metres between 10 and 250, got '%s'",
					   key, v);
		if (key[0] == 'l') {
			pp->pitch.length_m = d;
			pp->seen |= P_LENGTH;
		} else {
			pp->pitch.width_m = d;
			pp->seen |= P_WIDTH;
		}
		return 0;
	}
	if (kt_startswith(key, "corner") && key[6] >= '1' && key[6] <= '4' && !key[7]) {
		int i = key[6] - '1';
		char *comma = strchr(v, ',');
		double lat, lon;

		if (!comma)
			return pitch_error(pp->why, line, "%s: expected 'lat, lon' in decimal degrees, got '%s'",
					   key, v);
		*comma = '\0';
		if (kt_safe_atod(v, &lat) < 0 || kt_safe_atod(comma + 1, &lon) < 0 ||
		    !(lat >= -90.0 && lat <= 90.0) || !(lon >= -180.0 && lon <= 180.0))
			return pitch_error(pp->why, line,
					   "%s: expected 'lat, lon' in decimal degrees (-90..90, -180..180), got '%s,%s'",
					   key, v, comma + 1);
		pp->pitch.lat_deg[i] = lat;
		pp->pitch.lon_deg[i] = lon;
		pp->seen |= P_C1 << i;
		return 0;
	}
	return pitch_error(pp->why, line, "unknown key '%s' in [pitch] (known: name, length_m, width_m, corner1..corner4)",
			   key);
}

int
kt_pitch_file_load(const char *path, struct kt_pitch *ret, char ret_name[KT_PITCH_NAME_MAX],
		   struct kt_ini_error *why)
{
	struct kt_ini_error none;
	struct pitch_parse pp = { .why = why ? why : &none };
	int r;

	r = kt_ini_parse_quiet(path, pitch_cb, &pp, pp.why);
	if (r < 0)
		return r;
	if (!pp.in_pitch)
		return pitch_error(pp.why, 0, "no [pitch] section");
	if ((pp.seen & P_ALL) != P_ALL) {
		static const char *const names[] = { "length_m", "width_m", "corner1",
						     "corner2", "corner3", "corner4" };
		unsigned i = 0;

		while (pp.seen & (1u << i))
			i++;
		return pitch_error(pp.why, 0, "[pitch] has no %s", names[i]);
	}
	if (pp.pitch.width_m > pp.pitch.length_m)
		return pitch_error(pp.why, 0, "width_m (%.1f) is larger than length_m (%.1f): corner1->corner2 must "
				   "run along a touchline", pp.pitch.width_m, pp.pitch.length_m);
	/* The corners must make roughly the stated rectangle. */
	for (unsigned i = 0; i < 4; i++) {
		unsigned j = (i + 1) % 4;
		double want = (i % 2 == 0) ? pp.pitch.length_m : pp.pitch.width_m;
		double got = kt_club_distance_m(pp.pitch.lat_deg[i], pp.pitch.lon_deg[i],
						pp.pitch.lat_deg[j], pp.pitch.lon_deg[j]);
		if (fabs(got - want) > 0.1 * want + 2.0)
			return pitch_error(pp.why, 0, "corner%u to corner%u is %.1f m apart, but the pitch says %s = %.1f m "
					   "(corners must go around the pitch)",
					   i + 1, j + 1, got, i % 2 == 0 ? "length_m" : "width_m", want);
	}
	r = kt_pitch_validate(&pp.pitch);
	if (r < 0)
		return pitch_error(pp.why, 0, "the corners do not form a usable pitch");
	*ret = pp.pitch;
	if (ret_name)
		memcpy(ret_name, pp.name, KT_PITCH_NAME_MAX);
	return 0;
}

int
kt_pitch_file_write(const char *path, const struct kt_pitch *p, const char *name,
		    const char *comment)
{
	struct kt_atomic_file a;
	char b[4][32];
	int r;

	r = kt_atomic_open(path, 0640, &a);
	if (r < 0)
		return r;
	if (comment) {
		const char *s = comment;
		while (*s) {
			const char *e = strchr(s, '\n');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			fprintf(a.f, "# %.*s\n", (int)n, s);
			s += n + (e ? 1 : 0);
		}
	}
	fprintf(a.f, "[pitch]\nname = %s\n", name && *name ? name : "unnamed");
	fprintf(a.f, "length_m = %s\n", kt_fmt_double(b[0], sizeof(b[0]), p->length_m, 1, false));
	fprintf(a.f, "width_m = %s\n", kt_fmt_double(b[0], sizeof(b[0]), p->width_m, 1, false));
	static const char *const where[] = { "x=0, y=0", "x=length, y=0 (same touchline)",
					     "x=length, y=width", "x=0, y=width" };
	for (unsigned i = 0; i < 4; i++)
		fprintf(a.f, "corner%u = %s, %s   # lat, lon: %s\n", i + 1,
			kt_fmt_double(b[1], sizeof(b[1]), p->lat_deg[i], 7, false),
			kt_fmt_double(b[2], sizeof(b[2]), p->lon_deg[i], 7, false), where[i]);
	return kt_atomic_commit(&a, false, false);
}

/* ------------------------------------------------------------------ config */

void
kt_pipeline_opts_init(struct kt_pipeline_opts *o)
{
	*o = (struct kt_pipeline_opts) {
		.csv = KT_CSV_C,
		.lang = "en",
		.charts = true,
		.jobs = 1,
		.progress = true,
	};
	kt_params_default(&o->params);
}

static int
parse_bool(const char *v, bool *ret)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcmp(v, "1")) {
		*ret = true;
		return 0;
	}
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcasecmp(v, "off") || !strcmp(v, "0")) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

/* s matches pat, where '9' stands for a digit and anything else for itself */
static bool
matches(const char *s, const char *pat)
{
	for (; *pat; s++, pat++)
		if (*pat == '9' ? !isdigit((unsigned char) *s) : *s != *pat)
			return false;
	return *s == '\0';
}

static int
num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int
kt_window_parse(const char *s, struct kt_window_end *ret)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct kt_window_end w = { .set = true };
	int y, mo, d, h, mi, sec = 0;

	if (!s || strlen(s) >= sizeof(w.text))
		return -EINVAL;
	snprintf(w.text, sizeof(w.text), "%s", s);
	if (matches(s, "99:99") || matches(s, "99:99:99")) {
		h = num2(s);
		mi = num2(s + 3);
		sec = s[5] ? num2(s + 6) : 0;
		if (h > 23 || mi > 59 || sec > 59)
			return -EINVAL;
		w.local = true;
		w.tod_s = h * 3600 + mi * 60 + sec;
	} else if (matches(s, "9999-99-99T99:99Z") || matches(s, "9999-99-99T99:99:99Z")) {
		y = num2(s) * 100 + num2(s + 2);
		mo = num2(s + 5);
		d = num2(s + 8);
		h = num2(s + 11);
		mi = num2(s + 14);
		sec = s[16] == ':' ? num2(s + 17) : 0;
		if (y < 1980 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
		    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) || h > 23 || mi > 59 ||
		    sec > 59)
			return -EINVAL;
		w.utc_us = kt_utc_to_unix(y, mo, d, h, mi, sec) * KT_USEC_PER_SEC;
	} else {
		return -EINVAL;
	}
	*ret = w;
	return 0;
}

int
kt_parse_zones(const char *s, double ret_zone_kmh[4])
{
	char buf[256], *save = NULL, *tok;
	double z[4];
	unsigned n = 0;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == 4 || kt_safe_atod(tok, &z[n]) < 0 || !(z[n] > 0.0 && z[n] < 100.0))
			return -EINVAL;
		if (n > 0 && !(z[n] > z[n - 1]))
			return -EINVAL;
		n++;
	}
	if (n != 4)
		return -EINVAL;
	memcpy(ret_zone_kmh, z, sizeof(z));
	return 0;
}

struct threshold_key {
	const char *key;
	size_t offset;
	double min, max;
};

#define TK(k, field, lo, hi) { k, offsetof(struct kt_params, field), lo, hi }
static const struct threshold_key threshold_keys[] = {
	TK("sprint_kmh", sprint_kmh, 5.0, 50.0),
	TK("sprint_min_s", sprint_min_s, 0.0, 30.0),
	TK("effort_ms2", effort_ms2, 0.5, 10.0),
	TK("effort_min_s", effort_min_s, 0.0, 10.0),
	TK("max_speed_mps", max_plausible_mps, 5.0, 20.0),
	TK("gap_s", gap_s, 0.2, 60.0),
	TK("high_power_wkg", high_power_wkg, 1.0, 100.0),
	TK("max_hdop", max_hdop, 0.5, 100.0),
	TK("min_num_sv", min_num_sv, 0.0, 64.0),
	TK("heat_cell_x_m", heat_cell_x_m, 0.5, 50.0),
	TK("heat_cell_y_m", heat_cell_y_m, 0.5, 50.0),
	TK("heat_margin_m", heat_margin_m, 0.0, 100.0),
	TK("max_jump_m", max_jump_m, 1.0, 1000.0),
	TK("imu_noise_g", imu_noise_g, 0.0, 1.0),
};

int
kt_pipeline_opts_set(struct kt_pipeline_opts *o, const char *section, const char *key,
		     const char *value, const char *where)
{
	char buf[256], esc[100];
	const char *want = "yes or no";
	char *v;

	snprintf(buf, sizeof(buf), "%s", value);
	v = strip_comment(buf);

	if (!strcmp(section, "process")) {
		if (!strcmp(key, "csv_flavour") || !strcmp(key, "csv_flavor")) {
			want = "c or de";
			if (!strcmp(v, "c"))
				o->csv = KT_CSV_C;
			else if (!strcmp(v, "de"))
				o->csv = KT_CSV_DE;
			else
				goto bad;
		} else if (!strcmp(key, "lang")) {
			want = "de or en";
			if (strcmp(v, "de") != 0 && strcmp(v, "en") != 0)
				goto bad;
			snprintf(o->lang, sizeof(o->lang), "%s", v);
		} else if (!strcmp(key, "jobs")) {
			unsigned j;
			want = "a whole number from 1 to 64";
			if (kt_safe_atou(v, &j) < 0 || j < 1 || j > 64)
				goto bad;
			o->jobs = j;
		} else if (!strcmp(key, "charts")) {
			if (parse_bool(v, &o->charts) < 0)
				goto bad;
		} else if (!strcmp(key, "progress")) {
			if (parse_bool(v, &o->progress) < 0)
				goto bad;
		} else {
			log_error("%s: unknown key '%s' in [process] (known: roster, pitch, csv_flavour, lang, jobs, charts, progress)",
				  where, key);
			return -EBADMSG;
		}
		return 0;
	}

	/* [thresholds] */
	if (!strcmp(key, "zones_kmh")) {
		if (kt_parse_zones(v, o->params.zone_kmh) < 0) {
			log_error("%s: zones_kmh: expected four increasing speeds in km/h like '7.2, 14.4, 19.8, 25.2', got '%s'",
				  where, kt_escape(esc, sizeof(esc), v));
			return -EBADMSG;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(threshold_keys) / sizeof(threshold_keys[0]); i++) {
		const struct threshold_key *t = &threshold_keys[i];
		double d;

		if (strcmp(key, t->key) != 0)
			continue;
		if (kt_safe_atod(v, &d) < 0 || !(d >= t->min && d <= t->max)) {
			log_error("%s: %s: expected a number from %g to %g, got '%s'",
				  where, key, t->min, t->max, kt_escape(esc, sizeof(esc), v));
			return -EBADMSG;
		}
		*(double *)((char *)&o->params + t->offset) = d;
		return 0;
	}
	log_error("%s: unknown key '%s' in [thresholds] (see kicktrack-process(1))", where, key);
	return -EBADMSG;
bad:
	log_error("%s: invalid value '%s' for %s (expected %s)", where, kt_escape(esc, sizeof(esc), v), key, want);
	return -EBADMSG;
}

static int
config_cb(const char *path, unsigned line, const char *section, const char *key,
	  const char *value, void *userdata)
{
	char where[512];

	struct kt_pipeline_opts *o = userdata;
	bool daemon_file = !strcmp(section, "daemon") && (!strcmp(key, "roster") || !strcmp(key, "pitch"));

	/* lang may also sit in [report] (kicktrack report) */
	if (!strcmp(section, "report") && !strcmp(key, "lang"))
		section = "process";
	else if (strcmp(section, "process") != 0 && strcmp(section, "thresholds") != 0 && !daemon_file)
		return 0;
	snprintf(where, sizeof(where), "%s:%u", path, line);
	if (daemon_file || (!strcmp(section, "process") && (!strcmp(key, "roster") || !strcmp(key, "pitch")))) {
		bool is_roster = !strcmp(key, "roster");
		char *buf = is_roster ? o->roster_buf : o->pitch_buf;
		size_t size = is_roster ? sizeof(o->roster_buf) : sizeof(o->pitch_buf);
		const char *slash = strrchr(path, '/');
		int n;

		/* [daemon]'s are the club's too, but [process] names its own */
		if (daemon_file && (is_roster ? o->roster_from_process : o->pitch_from_process))
			return 0;
		if (!*value) {
			log_error("%s: %s: expected a file name", where, key);
			return -EBADMSG;
		}
		/* a relative name is relative to the config file, not to the cwd */
		if (value[0] == '/' || !slash)
			n = snprintf(buf, size, "%s", value);
		else
			n = snprintf(buf, size, "%.*s/%s", (int)(slash - path), path, value);
		if (n < 0 || (size_t)n >= size) {
			log_error("%s: %s: file name too long", where, key);
			return -EBADMSG;
		}
		if (is_roster) {
			o->roster_path = buf;
			o->roster_from_process = !daemon_file;
		} else {
			o->pitch_path = buf;
			o->pitch_from_process = !daemon_file;
		}
		return 0;
	}
	return kt_pipeline_opts_set(userdata, section, key, value, where);
}

int
kt_pipeline_opts_load_config(struct kt_pipeline_opts *o, const char *path, bool missing_ok)
{
	if (missing_ok && access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	return kt_ini_parse(path, config_cb, o);
}

bool
kt_window_local(const struct kt_window_end *from, const struct kt_window_end *to)
{
	return (from->set && from->local) || (to->set && to->local);
}

long
kt_window_tod_span_s(const struct kt_window_end *from, const struct kt_window_end *to)
{
	if (!(from->set && from->local && to->set && to->local))
		return -1;
	return (((long) to->tod_s - (long) from->tod_s) % 86400 + 86400) % 86400;
}
