/* SPDX-License-Identifier: EUPL-1.2 */
#include <csv.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kt-chart-data.h"
#include "kt-club.h"
#include "util/kt-fileio.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

#define MAX_CSV_SIZE ((size_t) 1 << 30)
#define MAX_FIELDS 256

static const char *const team_col_names[_KT_TC_MAX] = {
	[KT_TC_MINUTES] = "minutes",
	[KT_TC_DISTANCE_M] = "distance_m",
	[KT_TC_Z1_M] = "z1_m",
	[KT_TC_Z2_M] = "z2_m",
	[KT_TC_Z3_M] = "z3_m",
	[KT_TC_Z4_M] = "z4_m",
	[KT_TC_Z5_M] = "z5_m",
	[KT_TC_HSR_M] = "hsr_m",
	[KT_TC_SPRINTS] = "sprints",
	[KT_TC_SPRINT_M] = "sprint_m",
	[KT_TC_MAX_SPEED_KMH] = "max_speed_kmh",
	[KT_TC_ACCELERATIONS] = "accelerations",
	[KT_TC_DECELERATIONS] = "decelerations",
	[KT_TC_PLAYER_LOAD] = "player_load",
	[KT_TC_PLAYER_LOAD_PER_MIN] = "player_load_per_min",
	[KT_TC_METABOLIC_POWER_WKG] = "metabolic_power_wkg",
	[KT_TC_HIGH_POWER_M] = "high_power_m",
	[KT_TC_WORK_RATE_M_MIN] = "work_rate_m_min",
	[KT_TC_PEAK1_M] = "peak1_m",
	[KT_TC_PEAK3_M] = "peak3_m",
	[KT_TC_PEAK5_M] = "peak5_m",
	[KT_TC_FIX_PCT] = "fix_pct",
	[KT_TC_GAPS] = "gaps",
	[KT_TC_REJECTED_FRAMES] = "rejected_frames",
	[KT_TC_VALID_MINUTES] = "valid_minutes",
	[KT_TC_GAP_S] = "gap_s",
	[KT_TC_OFF_S] = "off_s",
};

const char *
kt_team_col_name(enum kt_team_col c)
{
	return c < _KT_TC_MAX ? team_col_names[c] : NULL;
}

double
kt_rep_team_mean(const struct kt_rep_team *t, enum kt_team_col col, size_t *ret_left_out)
{
	double sum = 0;
	size_t n = 0, left_out = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct kt_rep_player *p = &t->players[i];

		if (!isfinite(p->v[col]))
			continue;
		if ((p->undercounted >> col) & 1u) {
			left_out++;
			continue;
		}
		sum += p->v[col];
		n++;
	}
	if (ret_left_out)
		*ret_left_out = left_out;
	return n ? sum / (double) n : NAN;
}

double
kt_rep_atod(const char *s)
{
	char buf[64];
	size_t n;
	double d;

	if (!s)
		return NAN;
	n = strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return NAN;
	for (size_t i = 0; i <= n; i++)
		buf[i] = s[i] == ',' ? '.' : s[i];
	if (kt_safe_atod(buf, &d) < 0)
		return NAN;
	return d;
}

/* --- a small row-wise CSV reader on top of libcsv --- */

typedef int (*row_fn)(size_t row, size_t n_fields, char **fields, void *userdata);

struct csv_reader {
	const char *path;
	row_fn fn;
	void *userdata;
	char *buf;                /* fields of the current row, NUL-separated */
	size_t len, cap;
	size_t offs[MAX_FIELDS];
	char *fields[MAX_FIELDS];
	size_t n_fields;
	size_t row;
	int error;                /* first error of fn, or -E2BIG */
};

static void
field_cb(void *s, size_t len, void *data)
{
	struct csv_reader *r = data;

	if (r->error)
		return;
	if (r->n_fields == MAX_FIELDS) {
		r->error = log_error_errno(-E2BIG, "%s:%zu: more than %d fields", r->path,
					   r->row + 1, MAX_FIELDS);
		return;
	}
	if (r->cap - r->len < len + 1) {
		size_t cap = r->cap ? r->cap : 256;
		char *nb;

		while (cap - r->len < len + 1)
			cap *= 2;
		nb = realloc(r->buf, cap);
		if (!nb) {
			r->error = -ENOMEM;
			return;
		}
		r->buf = nb;
		r->cap = cap;
	}
	r->offs[r->n_fields++] = r->len;
	if (len)
		memcpy(r->buf + r->len, s, len);
	r->buf[r->len + len] = '\0';
	r->len += len + 1;
}

static void
row_cb(int c, void *data)
{
	struct csv_reader *r = data;
	int k;

	if (!r->error) {
		for (size_t i = 0; i < r->n_fields; i++)
			r->fields[i] = kt_strip(r->buf + r->offs[i]);
		k = r->fn(r->row, r->n_fields, r->fields, r->userdata);
		if (k < 0)
			r->error = k;
	}
	r->row++;
	r->n_fields = 0;
	r->len = 0;
}

/* Calls fn for every row (row 0 = first line). Logs I/O and syntax errors. */
static int
csv_read(const char *path, row_fn fn, void *userdata, bool *ret_de)
{
	struct csv_reader r = { .path = path, .fn = fn, .userdata = userdata };
	struct csv_parser p;
	char *data = NULL, *start;
	size_t len = 0;
	const char *eol;
	bool de;
	int k;

	k = kt_read_file(path, MAX_CSV_SIZE, &data, &len);
	if (k < 0)
		return k;
	start = data;
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
		start += 3;
		len -= 3;
	}
	/* flavour from the first line: 'de' separates with ';' */
	eol = memchr(start, '\n', len);
	de = memchr(start, ';', eol ? (size_t) (eol - start) : len) != NULL;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		free(data);
		return -ENOMEM;
	}
	csv_set_delim(&p, de ? ';' : ',');
	if (csv_parse(&p, start, len, field_cb, row_cb, &r) != len) {
		k = log_error_errno(-EBADMSG, "%s: bad CSV near line %zu: %s", path, r.row + 1,
				    csv_strerror(csv_error(&p)));
		goto out;
	}
	if (csv_fini(&p, field_cb, row_cb, &r) != 0) {
		k = log_error_errno(-EBADMSG, "%s: bad CSV at the end: %s", path,
				    csv_strerror(csv_error(&p)));
		goto out;
	}
	k = r.error;
	if (k == 0 && ret_de)
		*ret_de = de;
out:
	csv_free(&p);
	free(r.buf);
	free(data);
	return k;
}

static ssize_t
find_col(size_t n, char **fields, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(fields[i], name))
			return (ssize_t) i;
	return -1;
}

/* --- team.csv --- */

struct team_ctx {
	const char *path;
	struct kt_rep_team *t;
	size_t cap;
	ssize_t col_id, col_player, col_number, col_position;
	ssize_t col[_KT_TC_MAX];
};

static char *
dup_field(size_t n, char **fields, ssize_t i)
{
	return strdup(i >= 0 && (size_t) i < n ? fields[i] : "");
}

static bool
vest_id_ok(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	return strchr(s, '/') == NULL;
}

static int
team_row(size_t row, size_t n, char **fields, void *userdata)
{
	struct team_ctx *c = userdata;
	struct kt_rep_player *p;

	if (row == 0) {
		c->col_id = find_col(n, fields, "vest_id");
		c->col_player = find_col(n, fields, "player");
		c->col_number = find_col(n, fields, "number");
		c->col_position = find_col(n, fields, "position");
		if (c->col_id < 0)
			return log_error_errno(-EBADMSG, "%s:1: no 'vest_id' column in the header",
					       c->path);
		{
			char missing[1024] = "";
			for (int i = 0; i < _KT_TC_MAX; i++) {
				c->col[i] = find_col(n, fields, team_col_names[i]);
				if (c->col[i] < 0 && i < KT_TC_FIRST_OPTIONAL && strlen(missing) + strlen(team_col_names[i]) + 3 < sizeof(missing)) {
					if (missing[0])
						strcat(missing, ", ");
					strcat(missing, team_col_names[i]);
				}
			}
			if (missing[0])
				log_warning("%s:1: no column %s: shown as unknown", c->path, missing);
		}
		return 0;
	}
	if (n == 1 && !fields[0][0])
		return 0; /* blank line */
	if ((size_t) c->col_id >= n || !vest_id_ok(fields[c->col_id])) {
		log_warning("%s:%zu: no usable vest_id, row skipped", c->path, row + 1);
		return 0;
	}
	if (c->t->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct kt_rep_player *np = realloc(c->t->players, cap * sizeof(*np));
		if (!np)
			return -ENOMEM;
		c->t->players = np;
		c->cap = cap;
	}
	p = &c->t->players[c->t->n];
	*p = (struct kt_rep_player){
		.vest_id = dup_field(n, fields, c->col_id),
		.player = dup_field(n, fields, c->col_player),
		.number = dup_field(n, fields, c->col_number),
		.position = dup_field(n, fields, c->col_position),
		.damaged_records = NAN,
		.position_jumps = NAN,
	};
	c->t->n++;
	if (!p->vest_id || !p->player || !p->number || !p->position)
		return -ENOMEM;
	for (int i = 0; i < _KT_TC_MAX; i++)
		p->v[i] = c->col[i] >= 0 && (size_t) c->col[i] < n ? kt_rep_atod(fields[c->col[i]])
								   : NAN;
	/* (from gap_s: valid_minutes is rounded to 0.1 min, a third of a per
	 * cent of a 15-minute session) */
	p->v[KT_TC_KNOWN_PCT] = p->v[KT_TC_FIX_PCT];
	double on_s = 60.0 * p->v[KT_TC_MINUTES] - (p->v[KT_TC_OFF_S] > 0 ? p->v[KT_TC_OFF_S] : 0.0);
	if (on_s > 0 && isfinite(p->v[KT_TC_GAP_S])) {
		double t = 100.0 * (1.0 - p->v[KT_TC_GAP_S] / on_s);
		if (t < p->v[KT_TC_KNOWN_PCT])
			p->v[KT_TC_KNOWN_PCT] = t < 0 ? 0 : t; /* (a team.csv edited by hand) */
	}
	return 0;
}

int
kt_rep_read_team(const char *outdir, struct kt_rep_team *ret)
{
	struct kt_rep_team t = { 0 };
	struct team_ctx c = { .t = &t };
	char *path;
	int k;

	if (asprintf(&path, "%s/team.csv", outdir) < 0)
		return -ENOMEM;
	c.path = path;
	k = csv_read(path, team_row, &c, &t.csv_de);
	if (k == -ENOENT || (k < 0 && k != -EBADMSG && k != -E2BIG && k != -ENOMEM))
		log_error_errno(k, "cannot read %s: %m", path);
	else if (k == 0 && t.n == 0) {
		log_error("%s: no players in the table", path);
		k = -ENODATA;
	}
	free(path);
	if (k < 0) {
		kt_rep_team_clear(&t);
		return k;
	}
	*ret = t;
	return 0;
}

void
kt_rep_team_clear(struct kt_rep_team *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->players[i].vest_id);
		free(t->players[i].player);
		free(t->players[i].number);
		free(t->players[i].position);
		kt_rep_vest_ids_free(t->players[i].notes, t->players[i].n_notes);
		kt_rep_vest_ids_free(t->players[i].notes_de, t->players[i].notes_de ? t->players[i].n_notes : 0);
		free(t->players[i].off_t_s);
	}
	free(t->players);
	*t = (struct kt_rep_team){ 0 };
}

/* --- timeseries.csv --- */

struct series_ctx {
	const char *path;
	struct kt_rep_series *s;
	ssize_t c_t, c_speed, c_accel, c_sprint;
};

static int
series_grow(struct kt_rep_series *s)
{
	size_t cap = s->cap ? s->cap * 2 : 4096;
	double *t = realloc(s->t_s, cap * sizeof(double));
	if (t)
		s->t_s = t;
	double *v = realloc(s->speed_kmh, cap * sizeof(double));
	if (v)
		s->speed_kmh = v;
	double *a = realloc(s->accel_ms2, cap * sizeof(double));
	if (a)
		s->accel_ms2 = a;
	unsigned char *sp = realloc(s->in_sprint, cap);
	if (sp)
		s->in_sprint = sp;
	if (!t || !v || !a || !sp)
		return -ENOMEM;
	s->cap = cap;
	return 0;
}

static int
series_row(size_t row, size_t n, char **fields, void *userdata)
{
	struct series_ctx *c = userdata;
	struct kt_rep_series *s = c->s;
	double t;
	size_t i;

	if (row == 0) {
		c->c_t = find_col(n, fields, "t_s");
		c->c_speed = find_col(n, fields, "speed_kmh");
		c->c_accel = find_col(n, fields, "accel_ms2");
		c->c_sprint = find_col(n, fields, "in_sprint");
		if (c->c_t < 0 || c->c_speed < 0)
			return log_error_errno(-EBADMSG, "%s:1: no 't_s' or 'speed_kmh' column",
					       c->path);
		return 0;
	}
	if ((size_t) c->c_t >= n)
		return 0;
	t = kt_rep_atod(fields[c->c_t]);
	if (isnan(t))
		return 0;
	if (s->n == s->cap && series_grow(s) < 0)
		return -ENOMEM;
	i = s->n++;
	s->t_s[i] = t;
	s->speed_kmh[i] = (size_t) c->c_speed < n ? kt_rep_atod(fields[c->c_speed]) : NAN;
	s->accel_ms2[i] = c->c_accel >= 0 && (size_t) c->c_accel < n
				  ? kt_rep_atod(fields[c->c_accel]) : NAN;
	s->in_sprint[i] = c->c_sprint >= 0 && (size_t) c->c_sprint < n &&
			  (fields[c->c_sprint][0] == '1' || fields[c->c_sprint][0] == 't');
	return 0;
}

int
kt_rep_read_series(const char *path, struct kt_rep_series *s)
{
	struct series_ctx c = { .path = path, .s = s };
	int k;

	s->n = 0;
	k = csv_read(path, series_row, &c, NULL);
	/* I/O errors are logged by the caller, which knows what is lost */
	return k;
}

void
kt_rep_series_clear(struct kt_rep_series *s)
{
	free(s->t_s);
	free(s->speed_kmh);
	free(s->accel_ms2);
	free(s->in_sprint);
	*s = (struct kt_rep_series){ 0 };
}

/* --- heatmap.csv --- */

struct heat_ctx {
	const char *path;
	struct kt_rep_heat *h;
	size_t cap;
	size_t n_values;          /* non-empty cells (all empty: no pitch) */
};

static int
heat_row(size_t row, size_t n, char **fields, void *userdata)
{
	struct heat_ctx *c = userdata;
	struct kt_rep_heat *h = c->h;

	if (n == 1 && !fields[0][0])
		return 0;
	if (h->ny == 0)
		h->nx = (unsigned) n;
	if (n != h->nx)
		return log_error_errno(-EBADMSG, "%s:%zu: %zu cells, the first row has %u",
				       c->path, row + 1, n, h->nx);
	if (h->ny >= 1000)
		return log_error_errno(-E2BIG, "%s: more than 1000 rows", c->path);
	if ((size_t) (h->ny + 1) * h->nx > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 512;
		double *ns;

		while (cap < (size_t) (h->ny + 1) * h->nx)
			cap *= 2;
		ns = realloc(h->s, cap * sizeof(double));
		if (!ns)
			return -ENOMEM;
		h->s = ns;
		c->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		double v = kt_rep_atod(fields[i]);
		if (fields[i][0]) {
			if (!isfinite(v))
				return log_error_errno(-EBADMSG, "%s:%zu: cell %zu is '%.20s', not a number of seconds",
						       c->path, row + 1, i + 1, fields[i]);
			c->n_values++;
		}
		h->s[(size_t) h->ny * h->nx + i] = isnan(v) || v < 0 ? 0 : v;
	}
	h->ny++;
	return 0;
}

int
kt_rep_read_heat(const char *path, struct kt_rep_heat *h)
{
	struct kt_rep_heat t = { 0 };
	struct heat_ctx c = { .path = path, .h = &t };
	int k;

	k = csv_read(path, heat_row, &c, NULL);
	if (k == 0 && (t.nx == 0 || t.ny == 0 || c.n_values == 0))
		k = -ENODATA; /* no pitch was known: nothing to draw */
	if (k < 0) {
		free(t.s);
		return k;
	}
	kt_rep_heat_clear(h);
	*h = t;
	return 0;
}

void
kt_rep_heat_clear(struct kt_rep_heat *h)
{
	free(h->s);
	*h = (struct kt_rep_heat){ 0 };
}

/* --- session.json --- */

/* Depth-first search for a key; returns the first match. */
static struct json_object *
find_key(struct json_object *o, const char *key, int depth)
{
	struct json_object *v;

	if (!o || depth > 8)
		return NULL;
	if (json_object_is_type(o, json_type_object)) {
		if (json_object_object_get_ex(o, key, &v))
			return v;
		json_object_object_foreach(o, k, child) {
			(void) k;
			v = find_key(child, key, depth + 1);
			if (v)
				return v;
		}
	} else if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n && i < 64; i++) {
			v = find_key(json_object_array_get_idx(o, i), key, depth + 1);
			if (v)
				return v;
		}
	}
	return NULL;
}

static bool
get_num(struct json_object *o, const char *key, double *ret)
{
	struct json_object *v = find_key(o, key, 0);

	if (!v || !(json_object_is_type(v, json_type_double) ||
		    json_object_is_type(v, json_type_int)))
		return false;
	*ret = json_object_get_double(v);
	return isfinite(*ret);
}

static const char *
get_str(struct json_object *o, const char *key)
{
	struct json_object *v = find_key(o, key, 0);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void
copy_date(char *dst, size_t size, const char *s)
{
	/* keep "YYYY-MM-DD" of a date or an ISO 8601 time */
	if (s && strlen(s) >= 10 && s[4] == '-' && s[7] == '-')
		snprintf(dst, size, "%.10s", s);
}

/* "YYYY-MM-DDThh:mm:ss[.f]Z" as Unix seconds (to the nearest second: a
 * last fix at 14:06:29.95 is the end at 14:06:30), or false */
static bool
utc_seconds(const char *s, time_t *ret)
{
	int y, mo, d, h, mi;
	double sec;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf", &y, &mo, &d, &h, &mi, &sec) != 6 || !strchr(s, 'Z') ||
	    !(sec >= 0 && sec < 61))
		return false;
	*ret = (time_t) kt_utc_to_unix(y, mo, d, h, mi, 0) + (time_t) lround(sec);
	return true;
}

/* The training's date as the machine's local time sees it (a late
 * training is on the right day): from session.json start_utc. */
static void
local_date(char *dst, size_t size, const char *start_utc)
{
	struct tm tm;
	time_t t;

	if (utc_seconds(start_utc, &t) && localtime_r(&t, &tm))
		strftime(dst, size, "%Y-%m-%d", &tm);
}

/* OUTDIR/session.json parsed: 0, or -errno (cannot read it), -EBADMSG (not
 * JSON); *ret_path (to free) names it either way, unless -ENOMEM. Quiet. */
static int
parse_session_json(const char *outdir, char **ret_path, struct json_object **ret_root)
{
	char *path, *data = NULL;
	size_t len;
	int k;

	if (asprintf(&path, "%s/session.json", outdir) < 0)
		return -ENOMEM;
	*ret_path = path;
	k = kt_read_file(path, 64 << 20, &data, &len);
	if (k < 0)
		return k;
	*ret_root = json_tokener_parse(data);
	free(data);
	return *ret_root ? 0 : -EBADMSG;
}

int
kt_rep_read_session_vests(const char *outdir, char ***ret, size_t *ret_n)
{
	struct json_object *root = NULL, *v, *players;
	char *path = NULL, **ids = NULL;
	size_t len, n = 0;
	int k;

	k = parse_session_json(outdir, &path, &root);
	free(path);
	if (k < 0 && k != -EBADMSG)
		return k;
	if (!root || !json_object_object_get_ex(root, "format", &v) || !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "kicktrack-session") != 0 ||
	    !json_object_object_get_ex(root, "players", &players) || !json_object_is_type(players, json_type_array)) {
		json_object_put(root);
		return -EBADMSG;
	}
	len = json_object_array_length(players);
	ids = calloc(len ? len : 1, sizeof(char *));
	k = ids ? 0 : -ENOMEM;
	for (size_t i = 0; i < len && k == 0; i++) {
		struct json_object *p = json_object_array_get_idx(players, i);

		if (!json_object_object_get_ex(p, "vest_id", &v) || !json_object_is_type(v, json_type_string))
			continue;
		ids[n] = strdup(json_object_get_string(v));
		if (!ids[n])
			k = -ENOMEM;
		else
			n++;
	}
	json_object_put(root);
	if (k < 0) {
		kt_rep_vest_ids_free(ids, n);
		return k;
	}
	*ret = ids;
	*ret_n = n;
	return 0;
}

void
kt_rep_vest_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

/* With a --from/--to window, the part the run counted, as the pages show
 * it: session.json start_utc to end_utc in local time, "15:02–16:35";
 * an end shows its seconds when they are not 0 ("15:02–15:06:30"), so a
 * window of 4.5 minutes does not read as 4. */
static void
window_text(struct kt_rep_session *s, struct json_object *root)
{
	struct json_object *w = find_key(root, "window", 0);
	struct tm a, b;
	time_t t0, t1;
	char ha[16], hb[16];

	if (!w || !json_object_is_type(w, json_type_object))
		return;
	if (!get_str(w, "from") && !get_str(w, "to"))
		return;
	if (!utc_seconds(get_str(root, "start_utc"), &t0) || !utc_seconds(get_str(root, "end_utc"), &t1) ||
	    !localtime_r(&t0, &a) || !localtime_r(&t1, &b))
		return;
	strftime(ha, sizeof(ha), a.tm_sec ? "%H:%M:%S" : "%H:%M", &a);
	strftime(hb, sizeof(hb), b.tm_sec ? "%H:%M:%S" : "%H:%M", &b);
	snprintf(s->window, sizeof(s->window), "%s–%s", ha, hb);
}

/* A JSON array of strings as a string vector: -ENOMEM or the number of
 * strings (other entries are skipped). */
static int
read_strings(struct json_object *arr, char ***ret)
{
	size_t len = json_object_array_length(arr), n = 0;
	char **v;

	*ret = NULL;
	if (len == 0)
		return 0;
	v = calloc(len, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		struct json_object *w = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(w, json_type_string))
			continue;
		v[n] = strdup(json_object_get_string(w));
		if (!v[n]) {
			kt_rep_vest_ids_free(v, n);
			return -ENOMEM;
		}
		n++;
	}
	*ret = v;
	return (int) n;
}

/* The strings of obj's array key (English) and of key_de (the same in
 * German, when this kicktrack wrote them): *ret_de stays NULL when there
 * is no German array (an older kicktrack's) or it does not pair up with
 * the English one (edited by hand?). -ENOMEM or 0. */
static int
read_note_pair(struct json_object *obj, const char *key, const char *key_de, char ***ret, char ***ret_de,
	       size_t *ret_n)
{
	struct json_object *a;
	char **de = NULL;
	int n, n_de;

	if (!json_object_object_get_ex(obj, key, &a) || !json_object_is_type(a, json_type_array))
		return 0;
	n = read_strings(a, ret);
	if (n < 0)
		return n;
	*ret_n = (size_t) n;
	if (!json_object_object_get_ex(obj, key_de, &a) || !json_object_is_type(a, json_type_array))
		return 0;
	n_de = read_strings(a, &de);
	if (n_de < 0)
		return n_de;
	if ((size_t) n_de != *ret_n) { /* not one for one: the English ones, all of them */
		kt_rep_vest_ids_free(de, (size_t) n_de);
		return 0;
	}
	*ret_de = de;
	return 0;
}

/* session.json "warnings" (every log the run could not use, every
 * caution), "warnings_de" and whether its status is "partial". -ENOMEM
 * or 0. */
static int
read_notes(struct json_object *root, struct kt_rep_session *s)
{
	struct json_object *v;

	s->partial = json_object_object_get_ex(root, "status", &v) && json_object_is_type(v, json_type_string) &&
		     !strcmp(json_object_get_string(v), "partial");
	int k = read_note_pair(root, "warnings", "warnings_de", &s->notes, &s->notes_de, &s->n_notes);
	size_t n;

	if (k < 0 || !json_object_object_get_ex(root, "warning_vests", &v) || !json_object_is_type(v, json_type_array))
		return k;
	n = json_object_array_length(v);
	if (n != s->n_notes || n == 0) /* not one per note: none */
		return 0;
	s->note_vests = calloc(n, sizeof(char *));
	if (!s->note_vests)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		if (!json_object_is_type(e, json_type_string))
			continue; /* null: about no vest */
		s->note_vests[i] = strdup(json_object_get_string(e));
		if (!s->note_vests[i])
			return -ENOMEM;
	}
	return 0;
}

void
kt_rep_session_clear(struct kt_rep_session *s)
{
	kt_rep_vest_ids_free(s->notes, s->n_notes);
	kt_rep_vest_ids_free(s->notes_de, s->notes_de ? s->n_notes : 0);
	kt_rep_vest_ids_free(s->note_vests, s->note_vests ? s->n_notes : 0);
	s->note_vests = NULL;
	s->notes = NULL;
	s->notes_de = NULL;
	s->n_notes = 0;
}

char *const *
kt_rep_session_notes(const struct kt_rep_session *s, bool german, size_t *ret_n)
{
	*ret_n = s->n_notes;
	return german && s->notes_de ? s->notes_de : s->notes;
}

/* The sum of the counts of these keys in obj (JSON object), or NaN if obj
 * is not an object or has none of them. */
static double
sum_counts(struct json_object *obj, const char *const *keys, size_t n_keys)
{
	struct json_object *v;
	double sum = NAN;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NAN;
	for (size_t i = 0; i < n_keys; i++)
		if (json_object_object_get_ex(obj, keys[i], &v) && json_object_is_type(v, json_type_int)) {
			int64_t k = json_object_get_int64(v);
			if (k >= 0)
				sum = (isnan(sum) ? 0 : sum) + (double) k;
		}
	return sum;
}

/* players[].undercounted (a list of players[] keys) as kt_rep_player's bits */
static unsigned
undercounted_bits(struct json_object *arr)
{
	static const struct {
		const char *key;
		enum kt_team_col col;
	} cols[] = {
		{ "sprint_count", KT_TC_SPRINTS },
		{ "sprint_m", KT_TC_SPRINT_M },
		{ "accelerations", KT_TC_ACCELERATIONS },
		{ "decelerations", KT_TC_DECELERATIONS },
	};
	unsigned bits = 0;

	if (!json_object_is_type(arr, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_string))
			continue;
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			if (!strcmp(json_object_get_string(e), cols[k].key))
				bits |= 1u << cols[k].col;
	}
	return bits;
}

/* players[].quality.off into p->off_t_s: the spans with both times */
static int
read_off(struct json_object *off, struct kt_rep_player *p)
{
	size_t len;

	if (!json_object_is_type(off, json_type_array) || (len = json_object_array_length(off)) == 0)
		return 0;
	p->off_t_s = calloc(2 * len, sizeof(double));
	if (!p->off_t_s)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		struct json_object *o = json_object_array_get_idx(off, i);
		double *ab = &p->off_t_s[2 * p->n_off];

		if (get_num(o, "start_t_s", &ab[0]) && get_num(o, "end_t_s", &ab[1]) && ab[1] > ab[0])
			p->n_off++;
	}
	return 0;
}

/* players[].quality, undercounted and notes of session.json into the players of t */
static int
read_quality(struct json_object *root, struct kt_rep_team *t)
{
	/* doc/output-format.md, players[].quality: what the reader dropped as
	 * damaged (not unknown message types or garbage bytes between frames),
	 * and positions the core dropped as jumps; no-fix, DOP and speed
	 * rejections are epochs without a usable fix, in fix_pct already;
	 * duplicates are repeated epochs, nothing lost */
	static const char *const damaged[] = { "checksum", "truncated", "too-long", "malformed", "implausible" };
	static const char *const jumps[] = { "position-jump" };
	struct json_object *players, *q, *v;
	size_t len;
	int k;

	if (!json_object_object_get_ex(root, "players", &players) || !json_object_is_type(players, json_type_array))
		return 0;
	len = json_object_array_length(players);
	for (size_t i = 0; i < len; i++) {
		struct json_object *p = json_object_array_get_idx(players, i);
		const char *id;

		if (!json_object_object_get_ex(p, "vest_id", &v) || !json_object_is_type(v, json_type_string))
			continue;
		id = json_object_get_string(v);
		for (size_t j = 0; j < t->n; j++) {
			struct json_object *r;

			if (strcmp(t->players[j].vest_id, id) != 0)
				continue;
			if (json_object_object_get_ex(p, "quality", &q)) {
				if (json_object_object_get_ex(q, "rejected_by_reader", &r))
					t->players[j].damaged_records =
						sum_counts(r, damaged, sizeof(damaged) / sizeof(damaged[0]));
				if (json_object_object_get_ex(q, "rejected_by_core", &r))
					t->players[j].position_jumps = sum_counts(r, jumps, 1);
				if (json_object_object_get_ex(q, "off", &r) && !t->players[j].off_t_s) {
					k = read_off(r, &t->players[j]);
					if (k < 0)
						return k;
				}
			}
			if (json_object_object_get_ex(p, "undercounted", &r))
				t->players[j].undercounted = undercounted_bits(r);
			k = t->players[j].notes ? 0 :
						  read_note_pair(p, "notes", "notes_de", &t->players[j].notes,
								 &t->players[j].notes_de, &t->players[j].n_notes);
			if (k < 0)
				return k;
		}
	}
	return 0;
}

int
kt_rep_read_session(const char *outdir, struct kt_rep_session *ret, struct kt_rep_team *team)
{
	struct kt_rep_session s = {
		.pitch_length_m = 105.0, .pitch_width_m = 68.0,
		.zone_kmh = { 7.2, 14.4, 19.8, 25.2 },
		.effort_ms2 = 3.0,
		.effort_min_s = 0.5,
		.hsr_kmh = NAN,
		.sprint_kmh = NAN,
		.sprint_min_s = 1.0,
		.heat_cell_x_m = NAN, .heat_cell_y_m = NAN,
	};
	struct json_object *root = NULL, *pitch, *v;
	char *path = NULL;
	const char *str;
	double d;
	int k;

	s.hsr_kmh = s.zone_kmh[2];
	s.sprint_kmh = s.zone_kmh[3];
	*ret = s;
	s.hsr_kmh = NAN;
	s.sprint_kmh = NAN;
	k = parse_session_json(outdir, &path, &root);
	if (k == -ENOMEM)
		return k;
	if (k == -EBADMSG) {
		log_warning("%s: not valid JSON: default pitch 105 x 68 m and zones", path);
		free(path);
		return k;
	}
	if (k < 0) {
		log_warning_errno(k, "cannot read %s (%m): default pitch 105 x 68 m and zones", path);
		free(path);
		return k;
	}

	str = get_str(root, "lang");
	if (str && (!strcmp(str, "de") || !strcmp(str, "en")))
		snprintf(s.lang, sizeof(s.lang), "%s", str);

	str = get_str(root, "date");
	copy_date(s.date_iso, sizeof(s.date_iso), str);
	if (!s.date_iso[0])
		local_date(s.date_iso, sizeof(s.date_iso), get_str(root, "start_utc"));
	if (!s.date_iso[0])
		copy_date(s.date_iso, sizeof(s.date_iso), get_str(root, "start_utc"));
	if (!s.date_iso[0])
		copy_date(s.date_iso, sizeof(s.date_iso), get_str(root, "first_utc"));

	window_text(&s, root);

	pitch = find_key(root, "pitch", 0);
	if (pitch && json_object_is_type(pitch, json_type_object)) {
		if (get_num(pitch, "length_m", &d) && d > 20 && d < 200)
			s.pitch_length_m = d;
		if (get_num(pitch, "width_m", &d) && d > 10 && d < 150)
			s.pitch_width_m = d;
		str = get_str(pitch, "source");
		if (!str)
			str = get_str(pitch, "method");
		if (str && (strstr(str, "estimat") || strstr(str, "Estimat")))
			s.pitch_estimated = true;
		if (json_object_object_get_ex(pitch, "estimated", &v) &&
		    json_object_get_boolean(v))
			s.pitch_estimated = true;
		if (get_num(pitch, "estimated_from_vests", &d) && d >= 1 && d < 1000)
			s.pitch_estimated_vests = (unsigned) d;
		/* an estimated pitch has no name of its own: process names it
		 * "estimated from 5 vests" (in English), which the pages say
		 * themselves, in their language, with pitch_estimated */
		str = get_str(pitch, "name");
		if (!str)
			str = get_str(pitch, "file");
		if (str && !s.pitch_estimated)
			snprintf(s.pitch_name, sizeof(s.pitch_name), "%s", str);
	} else if (pitch && json_object_is_type(pitch, json_type_string)) {
		snprintf(s.pitch_name, sizeof(s.pitch_name), "%s", json_object_get_string(pitch));
	}

	v = find_key(root, "zone_kmh", 0);
	if (v && json_object_is_type(v, json_type_array) && json_object_array_length(v) >= 4) {
		size_t n = json_object_array_length(v);
		/* either the 4 lower bounds of Z2..Z5, or 5 starting with Z1's 0 */
		size_t off = n >= 5 ? n - 4 : 0;
		for (size_t i = 0; i < 4; i++) {
			d = json_object_get_double(json_object_array_get_idx(v, off + i));
			if (isfinite(d) && d > 0 && d < 60)
				s.zone_kmh[i] = d;
		}
	} else {
		static const char *const keys[4] = { "z2_kmh", "z3_kmh", "z4_kmh", "z5_kmh" };
		for (size_t i = 0; i < 4; i++)
			if (get_num(root, keys[i], &d) && d > 0 && d < 60)
				s.zone_kmh[i] = d;
	}
	if (get_num(root, "effort_ms2", &d) && d > 0 && d < 20)
		s.effort_ms2 = d;
	if (get_num(root, "effort_min_s", &d) && d > 0 && d < 60)
		s.effort_min_s = d;
	if (get_num(root, "hsr_kmh", &d) && d > 0 && d < 60)
		s.hsr_kmh = d;
	if (!isfinite(s.hsr_kmh))
		s.hsr_kmh = s.zone_kmh[2]; /* metrics.md: HSR = Z4 + Z5 */
	if (get_num(root, "sprint_kmh", &d) && d > 0 && d < 60)
		s.sprint_kmh = d;
	if (!isfinite(s.sprint_kmh))
		s.sprint_kmh = s.zone_kmh[3]; /* metrics.md: 25.2 km/h, Z5's bound */
	if (get_num(root, "sprint_min_s", &d) && d > 0 && d < 60)
		s.sprint_min_s = d;
	if (get_num(root, "heat_cell_x_m", &d) && d > 0.5 && d < 50)
		s.heat_cell_x_m = d;
	if (get_num(root, "heat_cell_y_m", &d) && d > 0.5 && d < 50)
		s.heat_cell_y_m = d;
	/* "roster": {"file": ...}: not found by name alone (the pitch has a file too) */
	if (json_object_object_get_ex(root, "roster", &v) && json_object_is_type(v, json_type_object) &&
	    json_object_object_get_ex(v, "file", &v) && json_object_is_type(v, json_type_string))
		snprintf(s.roster_file, sizeof(s.roster_file), "%s", json_object_get_string(v));
	k = read_notes(root, &s);
	if (k >= 0 && team)
		k = read_quality(root, team);

	json_object_put(root);
	free(path);
	*ret = s;
	return k;
}



int
kt_rep_roster_without_data(const struct kt_rep_session *sess, const struct kt_rep_team *team,
			   char ***ret)
{
	struct kt_roster ros;
	char **l = NULL;
	size_t n = 0;
	int r;

	*ret = NULL;
	if (!sess->roster_file[0])
		return 0;
	r = kt_roster_load(sess->roster_file, &ros);
	if (r < 0) {
		log_warning("cannot read the roster %s the run used (%s): index.html does not list "
			    "the players without data", sess->roster_file, kt_read_file_error(r));
		return r;
	}
	for (size_t i = 0; i < ros.n; i++) {
		const struct kt_roster_entry *e = &ros.entries[i];
		bool in = false;
		char **nl;

		for (size_t k = 0; k < team->n && !in; k++)
			in = !strcmp(team->players[k].vest_id, e->vest_id);
		if (in)
			continue;
		nl = realloc(l, (n + 1) * sizeof(*l));
		if (!nl) {
			r = -ENOMEM;
			break;
		}
		l = nl;
		const char *num = e->number ? e->number : "", *name = e->player ? e->player : "";
		if (asprintf(&l[n], "%s%s%s%s (%s)", num[0] ? "#" : "", num, num[0] ? " " : "",
			     name[0] ? name : e->vest_id, e->vest_id) < 0) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	kt_roster_clear(&ros);
	if (r == -ENOMEM) {
		kt_rep_vest_ids_free(l, n);
		return r;
	}
	*ret = l;
	return (int)n;
}


/* a threshold as the pages print it: one decimal, two where it has them
 * (an effort held 0.75 s) */
static const char *
threshold(char *buf, size_t size, double v, bool comma)
{
	int dec = fabs(v * 10 - round(v * 10)) > 1e-6 ? 2 : 1;

	return kt_fmt_double(buf, size, kt_rep_round(v, dec), dec, comma);
}

void
kt_rep_definitions(char *buf, size_t size, const struct kt_rep_session *s, bool german)
{
	char hsr[32], sp[32], sp_s[32], ef[32], ef_s[32];

	threshold(hsr, sizeof(hsr), s->hsr_kmh, german);
	threshold(sp, sizeof(sp), s->sprint_kmh, german);
	threshold(sp_s, sizeof(sp_s), s->sprint_min_s, german);
	threshold(ef, sizeof(ef), s->effort_ms2, german);
	threshold(ef_s, sizeof(ef_s), s->effort_min_s, german);
	if (german)
		snprintf(buf, size,
			 "HSR: Distanz ab %s km/h · Sprint: ab %s km/h, mind. %s s lang · "
			 "Beschl. / Abbrems.: ab %s m/s² (bzw. −%s m/s²), mind. %s s lang · "
			 "PlayerLoad: Bewegung der Weste laut Beschleunigungssensor, ohne Einheit",
			 hsr, sp, sp_s, ef, ef, ef_s);
	else
		snprintf(buf, size,
			 "HSR: distance at %s km/h or faster · Sprint: %s km/h or faster for %s s or more · "
			 "Acc. / Dec.: %s m/s² or more (−%s m/s² or less) for %s s or more · "
			 "PlayerLoad: the vest's movement by its accelerometer, no unit",
			 hsr, sp, sp_s, ef, ef, ef_s);
}

double
kt_rep_round(double v, int decimals)
{
	double scale = pow(10.0, decimals);

	return isfinite(v) && fabs(v) * scale < 1e15 ? round(v * scale) / scale : v;
}

int
kt_rep_minute_decimals(double minutes)
{
	return isfinite(minutes) && fabs(minutes) < 9.95 ? 1 : 0;
}
