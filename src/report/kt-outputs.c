/* SPDX-License-Identifier: EUPL-1.2 */
#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kt-config.h"
#include "kt-outputs.h"
#include "util/kt-fileio.h"
#include "util/kt-strutil.h"

void
kt_csv_style_init(struct kt_csv_style *s, enum kt_csv_flavour f)
{
	if (f == KT_CSV_DE)
		*s = (struct kt_csv_style) { .sep = ';', .decimal_comma = true, .bom = true, .excel_time = true };
	else
		*s = (struct kt_csv_style) { .sep = ',', .decimal_comma = false, .bom = false };
}

uint64_t
kt_vest_rejected_frames(const struct kt_vest_report *v)
{
	uint64_t n = v->stats.rejected[KT_REJECT_CHECKSUM] + v->stats.rejected[KT_REJECT_TRUNCATED] +
		     v->stats.rejected[KT_REJECT_TOO_LONG] + v->stats.rejected[KT_REJECT_MALFORMED] +
		     v->stats.rejected[KT_REJECT_IMPLAUSIBLE];

	for (unsigned i = 0; i < _KT_QREJ_MAX; i++)
		n += v->res.rejected[i];
	return n;
}

double
kt_vest_positions_per_s(const struct kt_result *r)
{
	double s = r->valid_minutes * 60.0;

	if (!(s >= 60.0) || r->n_valid_epochs < 2)
		return NAN;
	return (double) (r->n_valid_epochs - 1) / s;
}

bool
kt_vest_undercounted(const struct kt_result *r)
{
	return kt_vest_positions_per_s(r) < KT_EFFORT_MIN_HZ;
}

void
kt_vest_signal_gaps(const struct kt_vest_report *v, double gap_max_s, unsigned *ret_gaps, double *ret_gap_s)
{
	double gap_s = v->res.gap_s - v->between_logs_s;
	unsigned gaps = v->res.gaps > v->between_logs_gaps ? v->res.gaps - v->between_logs_gaps : 0;

	if (!(gap_s > 0.05)) /* (rounding) */
		gap_s = 0.0;
	if (gaps == 0 && gap_s > gap_max_s)
		gaps = 1;        /* no fix for a while before (or after) it was off */
	else if (gaps == 0)
		gap_s = 0.0;     /* too short to be a gap */
	*ret_gaps = gaps;
	*ret_gap_s = gap_s;
}

/* ------------------------------------------------------------- CSV pieces */

#define EOL "\r\n" /* RFC 4180 */

struct csvw {
	FILE *f;
	const struct kt_csv_style *s;
	bool first;  /* no separator before the next field */
};

static void
csvw_sep(struct csvw *w)
{
	if (!w->first)
		fputc(w->s->sep, w->f);
	w->first = false;
}

static void
csvw_text(struct csvw *w, const char *t)
{
	csvw_sep(w);
	csv_fwrite(w->f, t ? t : "", t ? strlen(t) : 0);
}

/* A bare token we know needs no quoting (numbers, identifiers, timestamps). */
static void
csvw_raw(struct csvw *w, const char *t)
{
	csvw_sep(w);
	fputs(t, w->f);
}

static void
csvw_num(struct csvw *w, double v, int decimals)
{
	char b[64];

	csvw_raw(w, kt_fmt_double(b, sizeof(b), v, decimals, w->s->decimal_comma));
}

static void
csvw_uint(struct csvw *w, uint64_t v)
{
	csvw_sep(w);
	fprintf(w->f, "%" PRIu64, v);
}

static void
csvw_eol(struct csvw *w)
{
	fputs(EOL, w->f);
	w->first = true;
}

static void
csvw_header(struct csvw *w, const char *const *cols)
{
	for (; *cols; cols++)
		csvw_raw(w, *cols);
	csvw_eol(w);
}

static int
open_out(const char *path, const struct kt_csv_style *s, struct kt_atomic_file *a)
{
	int r = kt_atomic_open(path, 0640, a);

	if (r < 0)
		return r;
	/* outputs are written in big blocks */
	setvbuf(a->f, NULL, _IOFBF, 1 << 16);
	errno = 0; /* close_out() reports why a write failed (ENOSPC, ...) */
	if (s && s->bom)
		fputs("\xEF\xBB\xBF", a->f);
	return 0;
}

static int
close_out(struct kt_atomic_file *a)
{
	if (ferror(a->f)) {
		int r = -(errno ? errno : EIO);
		kt_atomic_abort(a);
		return r;
	}
	return kt_atomic_commit(a, false, false);
}

/* ------------------------------------------------------ fast fixed numbers */

static const double pow10_tab[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };

static const uint32_t pow10_u32[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
					100000000, 1000000000 };
static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* v with `dec` decimals (0..9) into out (>= 32 bytes), C locale or decimal
 * comma; NaN gives "". Rounds half away from zero. Returns the length.
 * Written for the timeseries (8 numbers a row, 10 rows a second per vest):
 * digits come in pairs from the right, and inlined with a constant `dec`
 * the divisions become multiplications. The length is worked out first
 * and the digits written into place from the right: built in a scratch
 * buffer and copied with wide moves, each number was read back as wider
 * words than its digits had been stored, a store-forwarding stall per
 * number. */
static inline __attribute__((always_inline)) size_t
fmt_fixed(char *out, double v, int dec, char point)
{
	static const uint64_t pow10_u64[] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	};
	size_t len, nd = 1;
	char *p;

	if (isnan(v)) {
		out[0] = '\0';
		return 0;
	}
	double scaled = v * pow10_tab[dec];
	if (!(fabs(scaled) < 9.0e15)) {
		kt_fmt_double(out, 32, v, dec, point == ',');
		return strlen(out);
	}
	int64_t q = (int64_t)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
	bool neg = q < 0;
	uint64_t u = neg ? (uint64_t)(-q) : (uint64_t)q;
	uint32_t f = 0;

	if (dec > 0) {
		f = (uint32_t)(u % pow10_u32[dec]);
		u /= pow10_u32[dec];
	}
	/* the integer part: at least one digit, at most 16 (|q| < 9e15) */
	while (nd < 16 && u >= pow10_u64[nd])
		nd++;
	len = (size_t)neg + nd + (dec > 0 ? 1 + (size_t)dec : 0);
	p = out + len;
	*p = '\0';
	if (dec > 0) {
		int d = dec;

		for (; d >= 2; d -= 2) {
			p -= 2;
			memcpy(p, digits2 + 2 * (f % 100), 2);
			f /= 100;
		}
		if (d)
			*--p = (char)('0' + f);
		*--p = point;
	}
	while (u >= 100) {
		p -= 2;
		memcpy(p, digits2 + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, digits2 + 2 * u, 2);
	} else
		*--p = (char)('0' + u);
	if (neg)
		*--p = '-';
	return len;
}

/* A time in UTC as the flavour writes it: ISO 8601
 * "2026-11-21T14:00:00.0Z", or for German Excel "2026-11-21 14:00:00,0",
 * which it reads as a date-time (with "T" and "Z" it reads text: the
 * column's name says it is UTC). */
static const char *
fmt_time(const struct kt_csv_style *s, char *buf, size_t size, int64_t t_us, int decimals)
{
	kt_fmt_utc(buf, size, t_us, decimals);
	if (s->excel_time && size > 20) {
		size_t n = strlen(buf);

		buf[10] = ' ';
		if (buf[19] == '.')
			buf[19] = ',';
		if (n && buf[n - 1] == 'Z')
			buf[n - 1] = '\0';
	}
	return buf;
}

/* "YYYY-MM-DDThh:mm:ss.mmmZ" (or, excel_time, "YYYY-MM-DD hh:mm:ss,mmm")
 * with the date part cached per day. */
struct utc_cache {
	int64_t day;
	char date[16];   /* "YYYY-MM-DDT" or "YYYY-MM-DD " */
	bool excel;
};

static size_t
fmt_utc_ms(struct utc_cache *c, char *out, int64_t t_us)
{
	int64_t ms = t_us >= 0 ? t_us / 1000 : -((-t_us + 999) / 1000);
	int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int64_t day = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
	int64_t sod = s - day * 86400, msec = ms - s * 1000;

	if (day != c->day) {
		char b[64];
		kt_fmt_utc(b, sizeof(b), day * 86400 * KT_USEC_PER_SEC, 0);
		memcpy(c->date, b, 11); /* "YYYY-MM-DDT" */
		if (c->excel)
			c->date[10] = ' ';
		c->date[11] = '\0';
		c->day = day;
	}
	memcpy(out, c->date, 11);
	char *p = out + 11;
	int h = (int)(sod / 3600), m = (int)((sod / 60) % 60), sec = (int)(sod % 60);
	*p++ = (char)('0' + h / 10);
	*p++ = (char)('0' + h % 10);
	*p++ = ':';
	*p++ = (char)('0' + m / 10);
	*p++ = (char)('0' + m % 10);
	*p++ = ':';
	*p++ = (char)('0' + sec / 10);
	*p++ = (char)('0' + sec % 10);
	*p++ = c->excel ? ',' : '.';
	*p++ = (char)('0' + msec / 100);
	*p++ = (char)('0' + (msec / 10) % 10);
	*p++ = (char)('0' + msec % 10);
	if (!c->excel)
		*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - out);
}

/* ------------------------------------------------------------ per player */

int
kt_write_timeseries_csv(const char *path, const struct kt_result *r, const struct kt_csv_style *s)
{
	static const char *const cols[] = { "t_s", "utc", "lat", "lon", "x_m", "y_m", "speed_kmh",
					    "accel_ms2", "zone", "in_sprint", NULL };
	struct kt_atomic_file a;
	struct csvw w = { .s = s, .first = true };
	struct utc_cache uc = { .day = INT64_MIN, .excel = s->excel_time };
	char point = s->decimal_comma ? ',' : '.';
	/* rows are collected and written a block at a time: one fwrite (and
	 * its stream lock) per row was a visible cost at 10 rows a second */
	char block[16384];
	char *p = block;
	int ret;

	ret = open_out(path, s, &a);
	if (ret < 0)
		return ret;
	w.f = a.f;
	csvw_header(&w, cols);

	int64_t t0 = r->n_series ? r->series[0].t_us : 0;
	for (size_t i = 0; i < r->n_series; i++) {
		const struct kt_sample10 *x = &r->series[i];

		if (block + sizeof(block) - p < 512) { /* a row is far shorter */
			fwrite(block, 1, (size_t)(p - block), a.f);
			p = block;
		}

#define FIELD_NUM(v, dec) do { p += fmt_fixed(p, (v), (dec), point); *p++ = s->sep; } while (0)
		FIELD_NUM((double)(x->t_us - t0) / 1e6, 2);
		p += fmt_utc_ms(&uc, p, x->t_us);
		*p++ = s->sep;
		FIELD_NUM(x->lat_deg, 7);
		FIELD_NUM(x->lon_deg, 7);
		FIELD_NUM(x->x_m, 2);
		FIELD_NUM(x->y_m, 2);
		FIELD_NUM(x->speed_kmh, 2);
		FIELD_NUM(x->accel_ms2, 2);
#undef FIELD_NUM
		int z = x->zone >= 0 && x->zone <= 9 ? x->zone : 0;
		*p++ = (char)('0' + z);
		*p++ = s->sep;
		*p++ = x->in_sprint ? '1' : '0';
		*p++ = '\r';
		*p++ = '\n';
	}
	fwrite(block, 1, (size_t)(p - block), a.f);
	return close_out(&a);
}

int
kt_write_sprints_csv(const char *path, const struct kt_result *r, const struct kt_params *p,
		     const struct kt_csv_style *s)
{
	static const char *const cols[] = { "sprint", "start_utc", "start_t_s", "duration_s",
					    "distance_m", "top_speed_kmh", "threshold_kmh",
					    "min_duration_s", NULL };
	struct kt_atomic_file a;
	struct csvw w = { .s = s, .first = true };
	int ret;

	ret = open_out(path, s, &a);
	if (ret < 0)
		return ret;
	w.f = a.f;
	csvw_header(&w, cols);
	int64_t t0 = r->n_series ? r->series[0].t_us : r->first_us;
	for (size_t i = 0; i < r->n_sprints; i++) {
		const struct kt_sprint *sp = &r->sprints[i];
		char b[64];

		csvw_uint(&w, i + 1);
		csvw_raw(&w, fmt_time(s, b, sizeof(b), sp->start_us, 3));
		csvw_num(&w, (double)(sp->start_us - t0) / 1e6, 2);
		csvw_num(&w, sp->duration_s, 2);
		csvw_num(&w, sp->dist_m, 1);
		csvw_num(&w, sp->top_speed_kmh, 2);
		csvw_num(&w, p->sprint_kmh, 1);
		csvw_num(&w, p->sprint_min_s, 2);
		csvw_eol(&w);
	}
	return close_out(&a);
}

int
kt_write_heatmap_csv(const char *path, const struct kt_result *r, const struct kt_csv_style *s)
{
	struct kt_atomic_file a;
	struct csvw w = { .s = s, .first = true };
	int ret;

	ret = open_out(path, s, &a);
	if (ret < 0)
		return ret;
	w.f = a.f;
	for (unsigned y = 0; y < r->heat_ny; y++) {
		for (unsigned x = 0; x < r->heat_nx; x++)
			csvw_num(&w, r->heat_s ? r->heat_s[(size_t)y * r->heat_nx + x] : NAN, 1);
		csvw_eol(&w);
	}
	return close_out(&a);
}

/* ---------------------------------------------------------------- team.csv */

static const char *
ros(const struct kt_vest_report *v, int field)
{
	if (!v->roster)
		return "";
	switch (field) {
	case 0: return v->roster->player;
	case 1: return v->roster->number;
	default: return v->roster->position;
	}
}

/* The logs a player's numbers come from: vests[i] itself, then its later
 * logs that were read into them (next_log, merged). Starts with m1 = i + 1;
 * returns the next one's index + 1, 0 after the last. */
static size_t
next_player_log(const struct kt_session_report *s, size_t i, size_t m1)
{
	if (m1 == 0)
		return i + 1;
	for (m1 = s->vests[m1 - 1].next_log; m1 && !s->vests[m1 - 1].merged; m1 = s->vests[m1 - 1].next_log)
		;
	return m1;
}

/* team.csv's log_file: the file name of vest i's log, or of its logs
 * ("KT-0001.ubx + KT-0001.2.ubx") when it came in several */
static const char *
log_file_names(const struct kt_session_report *s, size_t i, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t m1 = next_player_log(s, i, 0); m1 && len < size; m1 = next_player_log(s, i, m1)) {
		const char *path = s->vests[m1 - 1].path, *base = strrchr(path, '/');

		len += (size_t) snprintf(buf + len, size - len, "%s%s", len ? " + " : "", base ? base + 1 : path);
	}
	return buf;
}

int
kt_write_team_csv(const char *path, const struct kt_session_report *s, const struct kt_csv_style *st)
{
	static const char *const cols[] = {
		"vest_id", "player", "number", "position", "minutes", "distance_m",
		"z1_m", "z2_m", "z3_m", "z4_m", "z5_m", "hsr_m", "sprints", "sprint_m",
		"max_speed_kmh", "accelerations", "decelerations", "player_load",
		"player_load_per_min", "metabolic_power_wkg", "high_power_m",
		"work_rate_m_min", "peak1_m", "peak3_m", "peak5_m", "fix_pct", "gaps",
		"rejected_frames",
		/* extra columns (documented in doc/output-format.md) */
		"start_utc", "end_utc", "valid_minutes", "gap_s", "epochs", "valid_epochs",
		"median_num_sv", "median_hdop", "median_pdop", "log_file",
		"z2_kmh", "z3_kmh", "z4_kmh", "z5_kmh", "sprint_kmh", "sprint_min_s",
		"effort_ms2", "effort_min_s", "max_speed_mps", "gap_max_s", "off_s", NULL
	};
	const struct kt_params *p = s->params;
	struct kt_atomic_file a;
	struct csvw w = { .s = st, .first = true };
	int ret;

	ret = open_out(path, st, &a);
	if (ret < 0)
		return ret;
	w.f = a.f;
	csvw_header(&w, cols);
	for (size_t i = 0; i < s->n_vests; i++) {
		const struct kt_vest_report *v = &s->vests[i];
		const struct kt_result *r = &v->res;
		char b[64], files[1024];
		unsigned gaps;
		double gap_s;

		if (!v->ok)
			continue;
		kt_vest_signal_gaps(v, p->gap_s, &gaps, &gap_s);
		csvw_text(&w, v->vest_id);
		csvw_text(&w, ros(v, 0));
		csvw_text(&w, ros(v, 1));
		csvw_text(&w, ros(v, 2));
		csvw_num(&w, r->minutes, 1);
		csvw_num(&w, r->distance_m, 1);
		for (unsigned z = 0; z < 5; z++)
			csvw_num(&w, r->zone_m[z], 1);
		csvw_num(&w, r->hsr_m, 1);
		csvw_uint(&w, r->n_sprints);
		csvw_num(&w, r->sprint_m, 1);
		csvw_num(&w, r->max_speed_kmh, 2);
		csvw_uint(&w, r->accelerations);
		csvw_uint(&w, r->decelerations);
		csvw_num(&w, r->player_load, 1);
		csvw_num(&w, r->player_load_per_min, 2);
		csvw_num(&w, r->metabolic_power_wkg, 2);
		csvw_num(&w, r->high_power_m, 1);
		csvw_num(&w, r->work_rate_m_min, 1);
		for (unsigned k = 0; k < 3; k++)
			csvw_num(&w, r->peak_m[k], 1);
		csvw_num(&w, r->fix_pct, 1);
		csvw_uint(&w, gaps);
		csvw_uint(&w, kt_vest_rejected_frames(v));
		/* extras */
		csvw_raw(&w, fmt_time(st, b, sizeof(b), r->first_us, 1));
		csvw_raw(&w, fmt_time(st, b, sizeof(b), r->last_us, 1));
		csvw_num(&w, r->valid_minutes, 1);
		csvw_num(&w, gap_s, 1);
		csvw_uint(&w, r->n_epochs);
		csvw_uint(&w, r->n_valid_epochs);
		csvw_num(&w, r->median_num_sv, 1);
		csvw_num(&w, r->median_hdop, 2);
		csvw_num(&w, r->median_pdop, 2);
		csvw_text(&w, log_file_names(s, i, files, sizeof(files)));
		for (unsigned z = 0; z < 4; z++)
			csvw_num(&w, p->zone_kmh[z], 1);
		csvw_num(&w, p->sprint_kmh, 1);
		csvw_num(&w, p->sprint_min_s, 2);
		csvw_num(&w, p->effort_ms2, 2);
		csvw_num(&w, p->effort_min_s, 2);
		csvw_num(&w, p->max_plausible_mps, 1);
		csvw_num(&w, p->gap_s, 1);
		csvw_num(&w, v->between_logs_s, 1);
		csvw_eol(&w);
	}
	return close_out(&a);
}

/* ------------------------------------------------------------ session.json */

struct jw {
	FILE *f;
	int depth;
	bool first[16];
	bool compact[16];
};

static void
jw_str_raw(struct jw *j, const char *s)
{
	fputc('"', j->f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(j->f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", j->f);
		else if (*p == '\t')
			fputs("\\t", j->f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(j->f, "\\u%04x", *p);
		else
			fputc(*p, j->f);
	}
	fputc('"', j->f);
}

static void
jw_key(struct jw *j, const char *key)
{
	bool first = j->first[j->depth];

	j->first[j->depth] = false;
	if (j->compact[j->depth]) {
		if (!first)
			fputs(", ", j->f);
	} else if (!first) {
		fputc(',', j->f);
	}
	if (j->compact[j->depth]) {
		/* on one line */
	} else if (j->depth > 0) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	if (key) {
		jw_str_raw(j, key);
		fputs(": ", j->f);
	}
}

static void
jw_open(struct jw *j, const char *key, char c, bool compact)
{
	jw_key(j, key);
	fputc(c, j->f);
	if (j->depth < 15)
		j->depth++;
	j->first[j->depth] = true;
	j->compact[j->depth] = compact;
}

static void
jw_close(struct jw *j, char c)
{
	bool was_compact = j->compact[j->depth], was_empty = j->first[j->depth];
	j->depth--;
	if (!was_compact && !was_empty) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
}

#define jw_obj(j, k) jw_open(j, k, '{', false)
#define jw_obj_end(j) jw_close(j, '}')
#define jw_arr(j, k) jw_open(j, k, '[', false)
#define jw_arr_compact(j, k) jw_open(j, k, '[', true)
#define jw_arr_end(j) jw_close(j, ']')

static void
jw_str(struct jw *j, const char *key, const char *s)
{
	jw_key(j, key);
	if (s)
		jw_str_raw(j, s);
	else
		fputs("null", j->f);
}

static void
jw_num(struct jw *j, const char *key, double v, int decimals)
{
	char b[64];

	jw_key(j, key);
	if (isnan(v) || isinf(v))
		fputs("null", j->f);
	else
		fputs(kt_fmt_double(b, sizeof(b), v, decimals, false), j->f);
}

static void
jw_uint(struct jw *j, const char *key, uint64_t v)
{
	jw_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

static void
jw_bool(struct jw *j, const char *key, bool v)
{
	jw_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

static void
jw_utc(struct jw *j, const char *key, int64_t t_us, int decimals)
{
	char b[64];

	if (t_us == 0 || t_us == INT64_MIN || t_us == INT64_MAX) {
		jw_str(j, key, NULL);
		return;
	}
	jw_str(j, key, kt_fmt_utc(b, sizeof(b), t_us, decimals));
}

static void
write_params(struct jw *j, const struct kt_params *p)
{
	jw_obj(j, "thresholds");
	jw_arr_compact(j, "zone_kmh");
	jw_num(j, NULL, 0.0, 1);
	for (unsigned z = 0; z < 4; z++)
		jw_num(j, NULL, p->zone_kmh[z], 2);
	jw_arr_end(j);
	jw_num(j, "hsr_kmh", p->hsr_kmh, 2);
	jw_num(j, "sprint_kmh", p->sprint_kmh, 2);
	jw_num(j, "sprint_min_s", p->sprint_min_s, 2);
	jw_num(j, "effort_ms2", p->effort_ms2, 2);
	jw_num(j, "effort_min_s", p->effort_min_s, 2);
	jw_num(j, "max_speed_mps", p->max_plausible_mps, 2);
	jw_num(j, "gap_s", p->gap_s, 2);
	jw_num(j, "high_power_wkg", p->high_power_wkg, 2);
	jw_num(j, "max_hdop", p->max_hdop, 2);
	jw_num(j, "min_num_sv", p->min_num_sv, 0);
	jw_num(j, "heat_cell_x_m", p->heat_cell_x_m, 2);
	jw_num(j, "heat_cell_y_m", p->heat_cell_y_m, 2);
	jw_num(j, "imu_noise_g", p->imu_noise_g, 4);
	jw_num(j, "heat_margin_m", p->heat_margin_m, 2);
	jw_num(j, "max_jump_m", p->max_jump_m, 2);
	jw_obj_end(j);

	jw_obj(j, "filter");
	jw_str(j, "description", kt_params_filter_name());
	jw_obj(j, "params");
	for (unsigned i = 0; i < KT_FILTER_NPARAM; i++) {
		const char *name = kt_params_filter_param_name(i);
		char fallback[32];
		if (!name) {
			snprintf(fallback, sizeof(fallback), "param%u", i);
			name = fallback;
		}
		jw_num(j, name, p->filter_param[i], 6);
	}
	jw_obj_end(j);
	jw_obj_end(j);
}

static void
write_pitch(struct jw *j, const struct kt_session_report *s)
{
	jw_obj(j, "pitch");
	jw_str(j, "source", s->pitch_source);
	jw_str(j, "file", s->pitch_file);
	if (s->have_pitch) {
		jw_str(j, "name", s->pitch_name);
		jw_num(j, "length_m", s->pitch.length_m, 1);
		jw_num(j, "width_m", s->pitch.width_m, 1);
		jw_arr(j, "corners");
		for (unsigned i = 0; i < 4; i++) {
			jw_arr_compact(j, NULL);
			jw_num(j, NULL, s->pitch.lat_deg[i], 7);
			jw_num(j, NULL, s->pitch.lon_deg[i], 7);
			jw_arr_end(j);
		}
		jw_arr_end(j);
		if (!strcmp(s->pitch_source, "estimated")) {
			jw_uint(j, "estimated_from_vests", s->pitch_estimate_vests);
			jw_uint(j, "estimated_from_points", s->pitch_estimate_points);
		}
	}
	jw_obj_end(j);
}

static void
write_quality(struct jw *j, const struct kt_vest_report *v, const struct kt_params *p)
{
	const struct kt_result *r = &v->res;
	unsigned gaps;
	double gap_s;

	jw_obj(j, "quality");
	jw_uint(j, "epochs", r->n_epochs);
	jw_uint(j, "valid_epochs", r->n_valid_epochs);
	jw_num(j, "fix_pct", r->fix_pct, 1);
	jw_num(j, "median_num_sv", r->median_num_sv, 1);
	jw_num(j, "median_hdop", r->median_hdop, 2);
	jw_num(j, "median_pdop", r->median_pdop, 2);
	kt_vest_signal_gaps(v, p->gap_s, &gaps, &gap_s);
	jw_uint(j, "gaps", gaps);
	jw_num(j, "gap_s", gap_s, 1);
	/* the vest off between its logs, on the t_s axis of timeseries.csv
	 * too (its first row is the first valid fix) */
	jw_num(j, "off_s", v->between_logs_s, 1);
	jw_arr(j, "off");
	for (size_t k = 0; k < v->n_off; k++) {
		const struct kt_off_span *o = &v->off[k];

		if (o->from_us == INT64_MIN || o->to_us == INT64_MIN)
			continue;
		jw_open(j, NULL, '{', true);
		jw_utc(j, "start_utc", o->from_us, 1);
		jw_utc(j, "end_utc", o->to_us, 1);
		jw_num(j, "start_t_s", (double) (o->from_us - r->first_us) / 1e6, 2);
		jw_num(j, "end_t_s", (double) (o->to_us - r->first_us) / 1e6, 2);
		jw_obj_end(j);
	}
	jw_arr_end(j);
	jw_num(j, "positions_per_s", kt_vest_positions_per_s(r), 2);
	jw_num(j, "doppler_noise_mps", r->doppler_noise_mps, 4);
	jw_num(j, "imu_noise_g", r->player_load_noise_g, 4);
	jw_num(j, "imu_still_s", r->imu_still_s, 1);
	jw_uint(j, "rejected_frames", kt_vest_rejected_frames(v));
	jw_obj(j, "rejected_by_reader");
	for (unsigned k = 0; k < _KT_REJECT_MAX; k++)
		jw_uint(j, kt_reject_reason_to_str(k), v->stats.rejected[k]);
	jw_obj_end(j);
	jw_obj(j, "rejected_by_core");
	for (unsigned k = 0; k < _KT_QREJ_MAX; k++)
		jw_uint(j, kt_quality_reject_to_str(k), r->rejected[k]);
	jw_obj_end(j);
	jw_obj_end(j);
}

/* The session's warnings about vest i, in English ("notes") and German
 * ("notes_de"), without the log's path they begin with, or as the page
 * says them (warning_page: one that names another file): the player's
 * page names no files. */
static void
write_notes(struct jw *j, const struct kt_session_report *s, size_t i)
{
	const char *path = s->vests[i].path;
	size_t plen = strlen(path);

	for (int de = 0; de < 2; de++) {
		jw_arr(j, de ? "notes_de" : "notes");
		for (size_t k = 0; k < s->n_warnings; k++) {
			const char *w = de ? s->warnings_de[k] : s->warnings[k];

			const struct kt_page_note *pn = s->warning_page ? &s->warning_page[k] : NULL;

			if (!s->warning_vest || s->warning_vest[k] != (long) i)
				continue;
			if (pn && (de ? pn->de : pn->en))
				w = de ? pn->de : pn->en;
			else if (!strncmp(w, path, plen) && !strncmp(w + plen, ": ", 2))
				w += plen + 2;
			jw_str(j, NULL, w);
		}
		jw_arr_end(j);
	}
}

static void
write_player(struct jw *j, const struct kt_session_report *s, size_t vi)
{
	const struct kt_vest_report *v = &s->vests[vi];
	const struct kt_params *p = s->params;
	const struct kt_result *r = &v->res;

	jw_obj(j, NULL);
	jw_str(j, "vest_id", v->vest_id);
	jw_str(j, "player", v->roster ? v->roster->player : NULL);
	jw_str(j, "number", v->roster ? v->roster->number : NULL);
	jw_str(j, "position", v->roster ? v->roster->position : NULL);
	jw_bool(j, "in_roster", v->roster != NULL);
	jw_str(j, "log_file", v->path);
	jw_arr(j, "log_files");
	for (size_t m1 = next_player_log(s, vi, 0); m1; m1 = next_player_log(s, vi, m1))
		jw_str(j, NULL, s->vests[m1 - 1].path);
	jw_arr_end(j);
	jw_utc(j, "start_utc", r->first_us, 1);
	jw_utc(j, "end_utc", r->last_us, 1);
	jw_num(j, "minutes", r->minutes, 2);
	jw_num(j, "valid_minutes", r->valid_minutes, 2);
	jw_num(j, "distance_m", r->distance_m, 1);
	jw_arr_compact(j, "zone_m");
	for (unsigned z = 0; z < 5; z++)
		jw_num(j, NULL, r->zone_m[z], 1);
	jw_arr_end(j);
	jw_num(j, "hsr_m", r->hsr_m, 1);
	jw_uint(j, "sprint_count", r->n_sprints);
	jw_num(j, "sprint_m", r->sprint_m, 1);
	jw_num(j, "max_speed_kmh", r->max_speed_kmh, 2);
	jw_uint(j, "accelerations", r->accelerations);
	jw_uint(j, "decelerations", r->decelerations);
	jw_num(j, "player_load", r->player_load, 2);
	jw_num(j, "player_load_per_min", r->player_load_per_min, 3);
	jw_num(j, "metabolic_power_wkg", r->metabolic_power_wkg, 3);
	jw_num(j, "high_power_m", r->high_power_m, 1);
	jw_num(j, "work_rate_m_min", r->work_rate_m_min, 2);
	jw_num(j, "peak1_m", r->peak_m[0], 1);
	jw_num(j, "peak3_m", r->peak_m[1], 1);
	jw_num(j, "peak5_m", r->peak_m[2], 1);
	/* the keys above whose values are too low (a vest that logged too few
	 * positions a second: check_rate() says why in the notes) */
	jw_arr_compact(j, "undercounted");
	if (kt_vest_undercounted(r)) {
		static const char *const keys[] = { "sprint_count", "sprint_m", "accelerations", "decelerations" };

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			jw_str(j, NULL, keys[k]);
	}
	jw_arr_end(j);
	jw_arr(j, "sprints");
	for (size_t i = 0; i < r->n_sprints; i++) {
		const struct kt_sprint *sp = &r->sprints[i];
		jw_open(j, NULL, '{', true);
		jw_utc(j, "start_utc", sp->start_us, 3);
		jw_num(j, "duration_s", sp->duration_s, 2);
		jw_num(j, "distance_m", sp->dist_m, 1);
		jw_num(j, "top_speed_kmh", sp->top_speed_kmh, 2);
		jw_close(j, '}');
	}
	jw_arr_end(j);
	jw_arr_compact(j, "player_load_per_minute");
	for (size_t i = 0; i < r->n_player_load_minutes; i++)
		jw_num(j, NULL, r->player_load_minute[i], 2);
	jw_arr_end(j);
	jw_obj(j, "heatmap");
	jw_uint(j, "nx", r->heat_nx);
	jw_uint(j, "ny", r->heat_ny);
	jw_num(j, "cell_x_m", p->heat_cell_x_m, 2);
	jw_num(j, "cell_y_m", p->heat_cell_y_m, 2);
	jw_arr(j, "seconds");
	for (unsigned y = 0; y < r->heat_ny && r->heat_s; y++) {
		jw_arr_compact(j, NULL);
		for (unsigned x = 0; x < r->heat_nx; x++)
			jw_num(j, NULL, r->heat_s[(size_t)y * r->heat_nx + x], 1);
		jw_arr_end(j);
	}
	jw_arr_end(j);
	jw_obj_end(j);
	write_quality(j, v, p);
	write_notes(j, s, vi);
	jw_obj_end(j);
}

int
kt_write_session_json(const char *path, const struct kt_session_report *s)
{
	const struct kt_pipeline_opts *o = s->opts;
	struct kt_atomic_file a;
	struct jw j = { .first = { true } };
	int64_t first = INT64_MAX, last = INT64_MIN;
	unsigned n_ok = 0;
	int ret;

	ret = open_out(path, NULL, &a);
	if (ret < 0)
		return ret;
	j.f = a.f;

	for (size_t i = 0; i < s->n_vests; i++)
		if (s->vests[i].ok) {
			n_ok++;
			if (s->vests[i].res.first_us < first)
				first = s->vests[i].res.first_us;
			if (s->vests[i].res.last_us > last)
				last = s->vests[i].res.last_us;
		}

	jw_obj(&j, NULL);
	jw_str(&j, "format", "kicktrack-session");
	jw_uint(&j, "format_version", 1);
	jw_obj(&j, "software");
	jw_str(&j, "name", "kicktrack");
	jw_str(&j, "version", KT_VERSION);
	jw_obj_end(&j);
	jw_utc(&j, "processed_utc", s->processed_us ? s->processed_us : (int64_t)time(NULL) * KT_USEC_PER_SEC, 0);
	jw_str(&j, "status", s->status == KT_PIPELINE_OK ? "ok" : "partial");
	jw_utc(&j, "start_utc", n_ok ? first : 0, 1);
	jw_utc(&j, "end_utc", n_ok ? last : 0, 1);
	jw_uint(&j, "vests", n_ok);
	jw_str(&j, "csv_flavour", o->csv == KT_CSV_DE ? "de" : "c");
	jw_str(&j, "lang", o->lang);
	write_params(&j, s->params);
	/* --from/--to as given (null: the whole log counted) */
	jw_obj(&j, "window");
	jw_str(&j, "from", o->from.set ? o->from.text : NULL);
	jw_str(&j, "to", o->to.set ? o->to.text : NULL);
	{
		/* times of day are local: which zone, at the start of the data */
		char zone[48] = "";
		time_t t0 = (time_t) ((n_ok ? first : 0) / KT_USEC_PER_SEC);
		struct tm tm;

		if (kt_window_local(&o->from, &o->to) && n_ok &&
		    localtime_r(&t0, &tm))
			strftime(zone, sizeof(zone), "%Z (UTC%z)", &tm);
		jw_str(&j, "time_of_day_in", zone[0] ? zone : NULL);
	}
	jw_obj_end(&j);
	write_pitch(&j, s);

	jw_obj(&j, "roster");
	jw_str(&j, "file", s->roster_file);
	jw_uint(&j, "entries", s->roster ? s->roster->n : 0);
	jw_uint(&j, "bad_lines", s->roster ? s->roster->bad_lines : 0);
	jw_obj_end(&j);

	jw_arr(&j, "inputs");
	for (size_t i = 0; i < s->n_vests; i++) {
		const struct kt_vest_report *v = &s->vests[i];
		char fw[16];

		jw_obj(&j, NULL);
		jw_str(&j, "path", v->path);
		jw_uint(&j, "size", v->size);
		jw_str(&j, "sha256", v->sha256[0] ? v->sha256 : NULL);
		jw_str(&j, "vest_id", v->vest_id);
		jw_str(&j, "vest_id_source", v->vest_id_source);
		if (v->firmware) {
			snprintf(fw, sizeof(fw), "%u.%u", v->firmware >> 8, v->firmware & 0xff);
			jw_str(&j, "firmware", fw);
		} else {
			jw_str(&j, "firmware", NULL);
		}
		jw_uint(&j, "nmea_frames", v->file_stats.frames_nmea);
		jw_uint(&j, "ubx_frames", v->file_stats.frames_ubx);
		jw_uint(&j, "fixes", v->file_fixes);
		jw_uint(&j, "imu_samples", v->file_imu);
		/* "merged": read into the numbers of the vest's earlier log */
		jw_str(&j, "status", v->ok ? "ok" : v->merged ? "merged" : "failed");
		jw_str(&j, "error", v->error);
		jw_obj_end(&j);
	}
	jw_arr_end(&j);

	jw_arr(&j, "players");
	for (size_t i = 0; i < s->n_vests; i++)
		if (s->vests[i].ok)
			write_player(&j, s, i);
	jw_arr_end(&j);

	jw_arr(&j, "warnings");
	for (size_t i = 0; i < s->n_warnings; i++)
		jw_str(&j, NULL, s->warnings[i]);
	jw_arr_end(&j);
	/* the same for the German pages (kicktrack report --lang de) */
	jw_arr(&j, "warnings_de");
	for (size_t i = 0; i < s->n_warnings; i++)
		jw_str(&j, NULL, s->warnings_de[i]);
	jw_arr_end(&j);
	/* per warning, the vest it is about (players[].notes), or null: the
	 * pages name the player by it, not by comparing texts */
	jw_arr(&j, "warning_vests");
	for (size_t i = 0; i < s->n_warnings; i++) {
		long k = s->warning_vest ? s->warning_vest[i] : -1;

		jw_str(&j, NULL, k >= 0 && (size_t) k < s->n_vests ? s->vests[k].vest_id : NULL);
	}
	jw_arr_end(&j);
	jw_obj_end(&j);
	fputc('\n', j.f);
	return close_out(&a);
}
