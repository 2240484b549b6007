/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * logs -> output folder. Order of work:
 *   1. find the logs (files, or the logs in a session directory);
 *   2. roster and pitch (given, or found in the session directory);
 *   3. per vest (in --jobs worker threads): read + decode (once), sort/dedup,
 *      core, write players' CSVs into a hidden staging directory in OUTDIR;
 *      only the per-vest summary stays in memory, so memory is bounded by
 *      the jobs in flight, not by the size of the team.
 *      Without a pitch, the pitch is estimated from the pooled positions of
 *      all vests, known only when every log is read: then step 3 pools about
 *      one position a second per vest and, instead of the CSVs, writes the
 *      10 Hz series and the track's positions to a staging file (not kept
 *      in memory: 25 vests x 90 min would be ~130 MB); after the estimate,
 *      per vest again (in worker threads): read that file back, x/y and
 *      heatmap for the estimated pitch (kt_result_set_pitch(), the same
 *      bits as with that pitch given), write the CSVs;
 *   4. team.csv, session.json (+ pitch.ini if estimated) into staging;
 *   5. move staging into OUTDIR; remove what an earlier run wrote there and
 *      this one did not (remove_previous_outputs); session.json last; then
 *      the charts.
 * A run that produces nothing usable leaves OUTDIR untouched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/kt-log.h"
#include "kt-config.h"
#include "kt-chart-data.h"
#include "kt-charts.h"
#include "kt-club.h"
#include "kt-outputs.h"
#include "kt-pipeline.h"
#include "util/kt-fileio.h"
#include "util/kt-ini.h"
#include "util/kt-log.h"
#include "util/kt-sha256.h"
#include "util/kt-strutil.h"

/* ---------------------------------------------------------------- context */

struct progress {
	bool on;
	uint64_t total_bytes, done_bytes;
	unsigned total_files, done_files;
	struct timespec start;
	double last_draw_s;
	/* the write pass after a pitch estimate: vests written of to_write */
	bool writing;
	unsigned written, to_write;
	double write_start_s;
};

struct ctx {
	const struct kt_pipeline_opts *o;
	struct kt_params params;           /* o->params, hsr tied to zone 4 */
	struct kt_csv_style style;
	char *staging;
	char *session_dir;                 /* first directory given, or NULL */
	struct kt_roster roster;
	bool have_roster;
	char *roster_file;
	char *roster_abs;         /* the same, absolute (session.json: kicktrack report may run elsewhere) */
	char *pitch_file;
	struct kt_session_report rep;
	pthread_mutex_t lock;              /* warnings, progress */
	atomic_size_t next;
	/* an output could not be written (disk full, I/O error): the run
	 * fails as a whole and OUTDIR keeps what it had */
	atomic_bool write_failed;
	atomic_int write_errno;            /* the first of them: -errno (-ENOSPC...) */
	struct progress prog;
	/* no pitch yet: x/y and heatmaps once it is estimated from the pool */
	bool pitch_later;
	struct pool *pool;                 /* one per vest, as rep.vests */
};

/* A vest's positions for the pitch estimate */
struct pool {
	double (*pos)[2];                  /* lat, lon */
	size_t n, cap;
	bool oom;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* fmt in English and fmt_de in German (the decimal comma) of the same
 * arguments; ap is left as it was (copies are used) */
static void __attribute__((format(printf, 4, 0), format(printf, 5, 0)))
format_pair(char *buf, char *buf_de, size_t size, const char *fmt, const char *fmt_de, va_list ap)
{
	va_list a, a_de, a_de2;

	va_copy(a, ap);
	va_copy(a_de, ap);
	va_copy(a_de2, ap);
	vsnprintf(buf, size, fmt, a);
	/* (a conversion it does not know: the numbers as C prints them) */
	if (kt_vsnprintf_decimal_comma(buf_de, size, fmt_de, a_de) < 0)
		vsnprintf(buf_de, size, fmt_de, a_de2);
	va_end(a_de2);
	va_end(a_de);
	va_end(a);
}

/* Log a message (in English, as the rest of kicktrack's messages) and keep
 * it for session.json: "warnings", and "warnings_de" in German for the
 * German pages. Both formats take the same arguments in the same order
 * (GCC and clang check both); an argument that only one language needs
 * (a plural ending, a strerror()) comes in a pair, English first, and each
 * format skips the other's with "%.0s", which prints nothing of it.
 * The German one prints every %f (%e, %g) with the decimal comma
 * ("1,5 ihrer 4,0 Minuten"); what comes through %s is as it is.
 * page, page_de: what the player's page says of it instead (players[].
 * notes), or NULL: the message without the log's path it begins with.
 * Thread-safe. */
static void __attribute__((format(printf, 5, 0), format(printf, 6, 0)))
vnote_page(struct ctx *c, const struct kt_vest_report *about, enum kt_log_level level, bool partial, const char *fmt,
	   const char *fmt_de, const char *page, const char *page_de, va_list ap)
{
	char buf[1024], buf_de[1024];

	format_pair(buf, buf_de, sizeof(buf), fmt, fmt_de, ap);

	pthread_mutex_lock(&c->lock); /* the message clears the progress line: kt_log_set_status_line() */
	if (level == KT_LOG_ERR)
		log_error("%s", buf);
	else
		log_warning("%s", buf);
	/* the two lists stay the same length: a note is in both or in neither */
	size_t n = c->rep.n_warnings;
	char **nw = realloc(c->rep.warnings, (n + 1) * sizeof(char *));
	if (nw)
		c->rep.warnings = nw;
	char **nw_de = nw ? realloc(c->rep.warnings_de, (n + 1) * sizeof(char *)) : NULL;
	if (nw_de)
		c->rep.warnings_de = nw_de;
	long *nv = nw_de ? realloc(c->rep.warning_vest, (n + 1) * sizeof(long)) : NULL;
	if (nv)
		c->rep.warning_vest = nv;
	struct kt_page_note *np = nv ? realloc(c->rep.warning_page, (n + 1) * sizeof(*np)) : NULL;
	if (np)
		c->rep.warning_page = np;
	char *w = np ? strdup(buf) : NULL, *w_de = w ? strdup(buf_de) : NULL;
	if (w_de) {
		c->rep.warnings[n] = w;
		c->rep.warnings_de[n] = w_de;
		/* (without it, the page says the warning without its path) */
		c->rep.warning_page[n].en = page && page_de ? strdup(page) : NULL;
		c->rep.warning_page[n].de = c->rep.warning_page[n].en ? strdup(page_de) : NULL;
		if (!c->rep.warning_page[n].de) {
			free(c->rep.warning_page[n].en);
			c->rep.warning_page[n].en = NULL;
		}
		/* (an index: vests[] may still grow) */
		c->rep.warning_vest[n] = about ? (long) (about - c->rep.vests) : -1;
		c->rep.n_warnings++;
	} else {
		free(w);
	}
	if (partial)
		c->rep.status = KT_PIPELINE_PARTIAL;
	pthread_mutex_unlock(&c->lock);
}

static void __attribute__((format(printf, 5, 0), format(printf, 6, 0)))
vnote(struct ctx *c, const struct kt_vest_report *about, enum kt_log_level level, bool partial, const char *fmt,
      const char *fmt_de, va_list ap)
{
	vnote_page(c, about, level, partial, fmt, fmt_de, NULL, NULL, ap);
}

/* A problem with an input or an output: the result is partial. */
static void __attribute__((format(printf, 3, 5), format(printf, 4, 5)))
note(struct ctx *c, enum kt_log_level level, const char *fmt, const char *fmt_de, ...)
{
	va_list ap;

	va_start(ap, fmt_de);
	vnote(c, NULL, level, true, fmt, fmt_de, ap);
	va_end(ap);
}

/* The same about one vest: also in its player's notes (session.json
 * players[].notes, on its PDF). */
static void __attribute__((format(printf, 4, 6), format(printf, 5, 6)))
vest_note(struct ctx *c, const struct kt_vest_report *v, enum kt_log_level level, const char *fmt,
	  const char *fmt_de, ...)
{
	va_list ap;

	va_start(ap, fmt_de);
	vnote(c, v, level, true, fmt, fmt_de, ap);
	va_end(ap);
}

/* Something the reader of the numbers should know, though nothing was
 * left out: a warning, and the result stays complete. */
static void __attribute__((format(printf, 2, 4), format(printf, 3, 4)))
caution(struct ctx *c, const char *fmt, const char *fmt_de, ...)
{
	va_list ap;

	va_start(ap, fmt_de);
	vnote(c, NULL, KT_LOG_WARNING, false, fmt, fmt_de, ap);
	va_end(ap);
}

/* The same about one vest: also in its player's notes. */
static void __attribute__((format(printf, 3, 5), format(printf, 4, 5)))
vest_caution(struct ctx *c, const struct kt_vest_report *v, const char *fmt, const char *fmt_de, ...)
{
	va_list ap;

	va_start(ap, fmt_de);
	vnote(c, v, KT_LOG_WARNING, false, fmt, fmt_de, ap);
	va_end(ap);
}

/* vest_caution() of a message that names a file besides the vest's log:
 * its player's page (which names no files) says page_fmt (page_fmt_de in
 * German) instead, of the same arguments, skipping the file names with
 * "%.0s". */
static void __attribute__((format(printf, 3, 7), format(printf, 4, 7), format(printf, 5, 7), format(printf, 6, 7)))
vest_caution_page(struct ctx *c, const struct kt_vest_report *v, const char *fmt, const char *fmt_de,
		  const char *page_fmt, const char *page_fmt_de, ...)
{
	char page[1024], page_de[1024];
	va_list ap;

	va_start(ap, page_fmt_de);
	format_pair(page, page_de, sizeof(page), page_fmt, page_fmt_de, ap);
	vnote_page(c, v, KT_LOG_WARNING, false, fmt, fmt_de, page, page_de, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- progress */

static double
progress_elapsed_s(const struct progress *p)
{
	return now_s() - ((double)p->start.tv_sec + (double)p->start.tv_nsec * 1e-9);
}

static void
eta_string(char *eta, size_t size, double left_s)
{
	snprintf(eta, size, "--:--");
	if (!isnan(left_s) && left_s >= 0.0 && left_s < 360000.0)
		snprintf(eta, size, "%d:%02d", (int)left_s / 60, (int)left_s % 60);
}

static void
progress_draw(struct ctx *c, bool final)
{
	struct progress *p = &c->prog;
	double t = progress_elapsed_s(p);
	char eta[32];

	if (!p->on)
		return;
	if (!final && t - p->last_draw_s < 0.2 && p->done_files < p->total_files &&
	    (!p->writing || p->written < p->to_write))
		return;
	p->last_draw_s = t;
	double mb = (double)p->done_bytes / 1e6;
	if (p->writing) {
		/* logs all read; the ETA is from the vests written so far */
		double w = t - p->write_start_s;
		double left = p->written > 0 ? w / p->written * (p->to_write - p->written) : NAN;
		eta_string(eta, sizeof(eta), left);
		fprintf(stderr, "\r\033[Kkicktrack: %u/%u logs read (%.1f MB); writing %u/%u vests, ETA %s",
			p->done_files, p->total_files, mb, p->written, p->to_write, eta);
	} else {
		double rate = t > 0.0 ? mb / t : 0.0;
		uint64_t todo = p->total_bytes > p->done_bytes ? p->total_bytes - p->done_bytes : 0;
		eta_string(eta, sizeof(eta), rate > 0.0 ? ((double)todo / 1e6) / rate : NAN);
		fprintf(stderr, "\r\033[Kkicktrack: %u/%u logs, %.1f/%.1f MB, %.1f MB/s, ETA %s",
			p->done_files, p->total_files, mb, (double)p->total_bytes / 1e6, rate, eta);
	}
	if (final)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static void
progress_bytes(struct ctx *c, uint64_t bytes)
{
	if (!c->prog.on)
		return;
	pthread_mutex_lock(&c->lock);
	c->prog.done_bytes += bytes;
	progress_draw(c, false);
	pthread_mutex_unlock(&c->lock);
}

/* A file is done; unread is what was not counted by progress_bytes(). */
static void
progress_file_done(struct ctx *c, uint64_t unread)
{
	pthread_mutex_lock(&c->lock);
	c->prog.done_files++;
	c->prog.done_bytes += unread;
	progress_draw(c, false);
	pthread_mutex_unlock(&c->lock);
}

/* The write pass begins: to_write vests have a series to write out. */
static void
progress_writing(struct ctx *c, unsigned to_write)
{
	pthread_mutex_lock(&c->lock);
	c->prog.writing = true;
	c->prog.to_write = to_write;
	c->prog.write_start_s = progress_elapsed_s(&c->prog);
	c->prog.last_draw_s = -1.0; /* draw now */
	progress_draw(c, false);
	pthread_mutex_unlock(&c->lock);
}

static void
progress_written(struct ctx *c)
{
	pthread_mutex_lock(&c->lock);
	c->prog.written++;
	progress_draw(c, false);
	pthread_mutex_unlock(&c->lock);
}

/* ------------------------------------------------------------------ inputs */

static bool
looks_like_log(const char *name)
{
	static const char *const ext[] = { ".ubx", ".nmea", ".log", ".bin" };

	if (name[0] == '.')
		return false;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (kt_endswith(name, ext[i]) && strlen(name) > strlen(ext[i]))
			return true;
	return false;
}

static int
add_vest(struct ctx *c, const char *path, size_t *cap)
{
	if (c->rep.n_vests == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct kt_vest_report *nv = realloc(c->rep.vests, ncap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		c->rep.vests = nv;
		*cap = ncap;
	}
	struct kt_vest_report *v = &c->rep.vests[c->rep.n_vests];
	*v = (struct kt_vest_report) { .vest_id_source = "file name" };
	v->path = strdup(path);
	if (!v->path)
		return -ENOMEM;
	c->rep.n_vests++;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *path_join(const char *dir, const char *name);

static int
collect_dir(struct ctx *c, const char *dir, size_t *cap)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, ncap = 0;
	struct dirent *de;
	int r = 0;

	if (!d)
		return log_error_errno(-errno, "cannot open session directory %s: %m", dir);
	while ((de = readdir(d))) {
		struct stat st;
		char *p;

		if (!looks_like_log(de->d_name))
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (n == ncap) {
			ncap = ncap ? ncap * 2 : 32;
			char **nn = realloc(names, ncap * sizeof(char *));
			if (!nn) {
				free(p);
				r = -ENOMEM;
				break;
			}
			names = nn;
		}
		names[n++] = p;
	}
	closedir(d);
	if (r == 0) {
		qsort(names, n, sizeof(char *), cmp_str);
		for (size_t i = 0; i < n && r == 0; i++)
			r = add_vest(c, names[i], cap);
		if (r == 0 && n == 0) {
			/* a docking station training keeps its logs one level down */
			char *logs = path_join(dir, "logs");
			struct stat st;
			bool has_logs = logs && stat(logs, &st) == 0 && S_ISDIR(st.st_mode);

			if (has_logs)
				note(c, KT_LOG_ERR,
				     "%s: no vest logs in it (*.ubx, *.nmea, *.log, *.bin); a kicktrackd training keeps "
				     "them in %s: give that folder",
				     "%s: keine Aufzeichnungen der Westen darin (*.ubx, *.nmea, *.log, *.bin); ein "
				     "Training von kicktrackd hat sie in %s: diesen Ordner angeben",
				     dir, logs);
			else
				note(c, KT_LOG_ERR, "%s: no vest logs in it (*.ubx, *.nmea, *.log, *.bin)",
				     "%s: keine Aufzeichnungen der Westen darin (*.ubx, *.nmea, *.log, *.bin)", dir);
			free(logs);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int
collect_inputs(struct ctx *c)
{
	size_t cap = 0;
	int r;

	for (size_t i = 0; i < c->o->n_inputs; i++) {
		const char *in = c->o->inputs[i];
		struct stat st;

		if (stat(in, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (!c->session_dir) {
				c->session_dir = strdup(in);
				if (!c->session_dir)
					return -ENOMEM;
			}
			r = collect_dir(c, in, &cap);
		} else {
			/* also missing/unreadable files: they fail later with a message */
			r = add_vest(c, in, &cap);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------ roster/pitch */

static char *
path_join(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

static void
load_roster(struct ctx *c)
{
	const char *path = c->o->roster_path;
	char *found = NULL;
	int r;

	if (!path && c->session_dir) {
		found = path_join(c->session_dir, "roster.csv");
		if (found && access(found, F_OK) == 0) {
			path = found;
			if (!c->o->quiet)
				log_info("using roster %s from the session directory", path);
		}
	}
	if (!path) {
		free(found);
		return;
	}
	c->roster_file = strdup(path);
	r = kt_roster_load(path, &c->roster);
	if (r < 0) {
		note(c, KT_LOG_ERR, "%s: roster not used: %s%.0s", "%s: Kader nicht verwendet: %.0s%s", path,
		     kt_read_file_error(r), kt_read_file_error_de(r));
	} else {
		c->have_roster = true;
		c->rep.roster = &c->roster;
		if (c->roster.cp1252)
			caution(c, "%s: not UTF-8, read as Windows-1252 (German Excel's plain CSV): "
				"check the names, or save it as 'CSV UTF-8'",
				"%s: nicht UTF-8, als Windows-1252 gelesen (die einfache CSV-Datei des deutschen "
				"Excel): Namen prüfen oder als 'CSV UTF-8' speichern", path);
		if (r > 0)
			note(c, KT_LOG_WARNING, "%s: %d bad line%s%.0s skipped (each named in kicktrack's messages)",
			     "%s: %d fehlerhafte Zeile%.0s%s übersprungen (jede in den Meldungen von kicktrack genannt)",
			     path, r, r == 1 ? "" : "s", r == 1 ? "" : "n");
	}
	/* session.json names the roster only if it was used: kicktrack report
	 * reads it again for the players without data */
	c->roster_abs = realpath(path, NULL);
	if (c->have_roster)
		c->rep.roster_file = c->roster_abs ? c->roster_abs : c->roster_file;
	free(found);
}

static void
load_pitch(struct ctx *c)
{
	const char *path = c->o->pitch_path;
	const char *source = "file";
	char *found = NULL;

	c->rep.pitch_source = "none";
	if (!path && c->session_dir) {
		found = path_join(c->session_dir, "pitch.ini");
		if (found && access(found, F_OK) == 0) {
			path = found;
			source = "session directory";
			if (!c->o->quiet)
				log_info("using pitch %s from the session directory", path);
		}
	}
	if (path) {
		struct kt_ini_error why;
		int r;

		r = kt_pitch_file_load(path, &c->rep.pitch, c->rep.pitch_name, &why);
		if (r == 0) {
			c->rep.have_pitch = true;
			c->rep.pitch_source = source;
			c->pitch_file = strdup(path);
			c->rep.pitch_file = c->pitch_file;
		} else {
			/* one line (the loader logs nothing), with file:line when
			 * it knows the line; the same in session.json and on
			 * index.html */
			/* (what is wrong in the file itself is said in English) */
			const char *what = why.what[0] && !why.unreadable ? why.what : kt_read_file_error(r);
			const char *what_de = why.what[0] && !why.unreadable ? why.what : kt_read_file_error_de(r);

			if (why.line)
				note(c, KT_LOG_ERR,
				     "%s:%u: pitch file not usable: %s%.0s; estimating the pitch from the tracks instead",
				     "%s:%u: Platzdatei nicht verwendbar: %.0s%s; der Platz wird stattdessen aus den "
				     "Laufwegen geschätzt",
				     path, why.line, what, what_de);
			else
				note(c, KT_LOG_ERR,
				     "%s: pitch file not usable: %s%.0s; estimating the pitch from the tracks instead",
				     "%s: Platzdatei nicht verwendbar: %.0s%s; der Platz wird stattdessen aus den "
				     "Laufwegen geschätzt",
				     path, what, what_de);
		}
	}
	free(found);
}

/* ------------------------------------------------------------- one vest */

static void __attribute__((format(printf, 2, 3)))
set_error(struct kt_vest_report *v, const char *fmt, ...)
{
	va_list ap;

	free(v->error);
	va_start(ap, fmt);
	if (vasprintf(&v->error, fmt, ap) < 0)
		v->error = NULL;
	va_end(ap);
}

static void
vest_id_from(struct kt_vest_report *v, const struct kt_log_header *h)
{
	if (h && h->present) {
		char id[sizeof(h->vest_id) + 1];
		memcpy(id, h->vest_id, sizeof(h->vest_id));
		id[sizeof(h->vest_id)] = '\0';
		kt_strip(id);
		if (*id) {
			snprintf(v->vest_id, sizeof(v->vest_id), "%s", id);
			v->vest_id_source = "header";
			v->has_header = true;
			v->firmware = h->firmware;
		}
	}
	if (!v->vest_id[0]) {
		const char *base = strrchr(v->path, '/');
		base = base ? base + 1 : v->path;
		snprintf(v->vest_id, sizeof(v->vest_id), "%s", base);
		char *dot = strrchr(v->vest_id, '.');
		if (dot && dot != v->vest_id)
			*dot = '\0';
		v->vest_id_source = "file name";
	}
	/* it names a directory: no '/', no leading '.', no control characters */
	for (char *p = v->vest_id; *p; p++)
		if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
	if (v->vest_id[0] == '.')
		v->vest_id[0] = '_';
	if (!v->vest_id[0])
		snprintf(v->vest_id, sizeof(v->vest_id), "vest");
}

static const char *
log_error_text(int r)
{
	switch (r) {
	case -ENODATA: return "the file is empty";
	case -EBADMSG: return "no NMEA or UBX data in it (not a vest log?)";
	case -EISDIR: return "is a directory";
	case -EINVAL: return "not a regular file (a device or a pipe?)";
	default: return strerror(-r);
	}
}

static const char *
log_error_text_de(int r)
{
	switch (r) {
	case -ENODATA: return "die Datei ist leer";
	case -EBADMSG: return "keine NMEA- oder UBX-Daten darin (keine Aufzeichnung einer Weste?)";
	case -EISDIR: return "ist ein Ordner";
	case -EINVAL: return "keine normale Datei (ein Gerät oder eine Pipe?)";
	default: return kt_strerror_de(-r);
	}
}

/* A decoded log: the reader's arrays (in time order), or sorted copies. */
struct decoded {
	struct kt_log_reader *reader;
	const struct kt_fix *fixes;
	size_t n_fixes;
	const struct kt_imu_sample *imu;
	size_t n_imu;
	struct kt_fix *fix_copy;
	struct kt_imu_sample *imu_copy;
	uint64_t dropped;          /* duplicate epochs */
	uint64_t bytes_read;
	uint8_t sha256[32];
};

static void
decoded_clear(struct decoded *d)
{
	kt_log_reader_free(d->reader);
	free(d->fix_copy);
	free(d->imu_copy);
	*d = (struct decoded) { 0 };
}

static bool
fixes_increasing(const struct kt_fix *f, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (f[i].t_us <= f[i - 1].t_us)
			return false;
	return true;
}

static void
progress_cb(void *userdata, uint64_t bytes)
{
	progress_bytes(userdata, bytes);
}

/* Read and decode a whole log with the streaming reader (like kt_log_read(),
 * same error codes), counting the bytes into the progress as they are read.
 * Logs are nearly always in time order: then the reader's arrays are used
 * as they are; otherwise sorted, de-duplicated copies (with_imu: IMU too). */
static int
decode_log(struct ctx *c, const char *path, bool with_imu, struct decoded *ret)
{
	struct decoded d = { 0 };
	int r;

	r = kt_log_reader_new(&d.reader);
	if (r < 0)
		return r;
	r = kt_log_reader_feed_file(d.reader, path, true, progress_cb, c, d.sha256, &d.bytes_read);
	if (r < 0)
		goto fail;

	d.fixes = kt_log_reader_fixes(d.reader, &d.n_fixes);
	if (!fixes_increasing(d.fixes, d.n_fixes)) {
		d.fix_copy = malloc(d.n_fixes * sizeof(*d.fix_copy));
		if (!d.fix_copy) {
			r = -ENOMEM;
			goto fail;
		}
		memcpy(d.fix_copy, d.fixes, d.n_fixes * sizeof(*d.fix_copy));
		d.n_fixes = kt_fixes_sort_dedup(d.fix_copy, d.n_fixes, &d.dropped);
		d.fixes = d.fix_copy;
	}
	if (with_imu) {
		d.imu = kt_log_reader_imu(d.reader, &d.n_imu);
		if (!kt_log_reader_imu_in_order(d.reader)) {
			d.imu_copy = malloc(d.n_imu * sizeof(*d.imu_copy) + 1);
			if (!d.imu_copy) {
				r = -ENOMEM;
				goto fail;
			}
			memcpy(d.imu_copy, d.imu, d.n_imu * sizeof(*d.imu_copy));
			d.n_imu = kt_imu_sort_dedup(d.imu_copy, d.n_imu);
			d.imu = d.imu_copy;
		}
	}
	*ret = d;
	return 0;
fail:
	ret->bytes_read = d.bytes_read;
	decoded_clear(&d);
	return r;
}

static int
read_log(struct ctx *c, struct kt_vest_report *v, struct decoded *d)
{
	struct stat st;
	int r;

	if (stat(v->path, &st) == 0)
		v->size = (uint64_t)st.st_size;
	r = decode_log(c, v->path, true, d);
	if (r < 0) {
		set_error(v, "%s", log_error_text(r));
		note(c, KT_LOG_ERR, "%s: cannot use this log: %s%.0s", "%s: Aufzeichnung nicht verwendbar: %.0s%s",
		     v->path, log_error_text(r), log_error_text_de(r));
		return r;
	}
	kt_sha256_hex(d->sha256, v->sha256);
	vest_id_from(v, kt_log_reader_header(d->reader));
	v->stats = v->file_stats = *kt_log_reader_stats(d->reader);
	v->n_fixes_read = v->file_fixes = d->n_fixes + d->dropped;
	v->n_imu_read = v->file_imu = d->n_imu;
	v->core_dropped_dup = d->dropped;
	return 0;
}

/* ------------------------------------------------- one vest, several logs */

/* Recordings this far apart (without a valid fix between them) are two
 * trainings: keep_one_recording() */
#define LOG_APART_US (3600 * KT_USEC_PER_SEC)

/* A log's vest id and time range from its ends (kt_log_peek) */
struct log_peek {
	size_t idx;
	char vest_id[KT_VEST_ID_MAX];
	int64_t first_us, last_us;
};

static int
peek_cmp(const void *a, const void *b)
{
	const struct log_peek *x = a, *y = b;
	int k = strcmp(x->vest_id, y->vest_id);

	if (k)
		return k;
	return x->first_us < y->first_us ? -1 : x->first_us > y->first_us ? 1 : x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Logs of one vest id whose times follow each other, each starting after
 * the one before ended and less than LOG_APART_US later (a vest restarted
 * during training: the dock stores two sessions), are one player: chained
 * by next_log from the first, which reads them all (process_vest). Logs
 * that overlap in time (two vests set to the same id, or the same data
 * twice) stay apart, as before. */
static void
plan_vest_logs(struct ctx *c)
{
	struct log_peek *pk = calloc(c->rep.n_vests ? c->rep.n_vests : 1, sizeof(*pk));
	size_t n = 0;

	if (!pk)
		return; /* each log on its own */
	for (size_t i = 0; i < c->rep.n_vests; i++) {
		struct kt_vest_report id = { .path = c->rep.vests[i].path };
		struct kt_log_header h;
		int64_t t0, t1;

		if (kt_log_peek(id.path, &h, &t0, &t1) < 0 || t0 == INT64_MIN || t1 < t0)
			continue;
		vest_id_from(&id, &h);
		pk[n] = (struct log_peek) { .idx = i, .first_us = t0, .last_us = t1 };
		memcpy(pk[n].vest_id, id.vest_id, sizeof(pk[n].vest_id));
		n++;
	}
	qsort(pk, n, sizeof(*pk), peek_cmp);
	for (size_t a = 0, b; a < n; a = b) {
		bool apart = true;

		for (b = a + 1; b < n && !strcmp(pk[b].vest_id, pk[a].vest_id); b++)
			if (pk[b].first_us <= pk[b - 1].last_us || pk[b].first_us - pk[b - 1].last_us > LOG_APART_US)
				apart = false;
		if (b - a < 2 || !apart)
			continue;
		for (size_t k = a + 1; k < b; k++) {
			c->rep.vests[pk[k - 1].idx].next_log = pk[k].idx + 1;
			c->rep.vests[pk[k].idx].later_log = true;
		}
	}
	free(pk);
}

/* more (a later log of the same vest) appended to d; more is cleared */
static int
append_decoded(struct decoded *d, struct decoded *more)
{
	size_t nf = d->n_fixes + more->n_fixes, ni = d->n_imu + more->n_imu;
	struct kt_fix *f = malloc(nf * sizeof(*f) + 1);
	struct kt_imu_sample *s = malloc(ni * sizeof(*s) + 1);
	uint64_t dropped = d->dropped + more->dropped, bytes = d->bytes_read + more->bytes_read;
	/* only their ends were peeked at: in time order, or sorted now */
	bool f_order = !d->n_fixes || !more->n_fixes || d->fixes[d->n_fixes - 1].t_us < more->fixes[0].t_us;
	bool s_order = !d->n_imu || !more->n_imu || d->imu[d->n_imu - 1].t_us < more->imu[0].t_us;

	if (!f || !s) {
		free(f);
		free(s);
		return -ENOMEM;
	}
	memcpy(f, d->fixes, d->n_fixes * sizeof(*f));
	memcpy(f + d->n_fixes, more->fixes, more->n_fixes * sizeof(*f));
	memcpy(s, d->imu, d->n_imu * sizeof(*s));
	memcpy(s + d->n_imu, more->imu, more->n_imu * sizeof(*s));
	decoded_clear(d);
	decoded_clear(more);
	d->fixes = d->fix_copy = f;
	d->n_fixes = f_order ? nf : kt_fixes_sort_dedup(f, nf, &dropped);
	d->imu = d->imu_copy = s;
	d->n_imu = s_order ? ni : kt_imu_sort_dedup(s, ni);
	d->dropped = dropped;
	d->bytes_read = bytes;
	return 0;
}

/* "14:03" in local time, as the other notes and --from/--to say it; with
 * the seconds when other (the time at the other end) is in the same minute */
static void
fmt_hm(char *buf, size_t size, int64_t t_us, int64_t other_us)
{
	time_t t = (time_t) (t_us / KT_USEC_PER_SEC), o = (time_t) (other_us / KT_USEC_PER_SEC);
	struct tm a;

	if (!localtime_r(&t, &a)) {
		snprintf(buf, size, "?");
		return;
	}
	strftime(buf, size, t / 60 == o / 60 ? "%H:%M:%S" : "%H:%M", &a);
}

/* From t0, the last record of v's logs so far, to t1, the first of the
 * next log's (INT64_MIN: none), the vest logged nothing at all: kept for
 * between_logs() */
static void
add_off_span(struct kt_vest_report *v, size_t next_log, int64_t t0, int64_t t1)
{
	struct kt_off_span *n = realloc(v->off, (v->n_off + 1) * sizeof(*n));

	if (!n)
		return; /* (then said as a gap) */
	v->off = n;
	v->off[v->n_off++] = (struct kt_off_span) { .from_us = t0, .to_us = t1, .next_log = next_log };
}

/* The times between v's logs that lie in what is counted (log, after
 * --from/--to): the vest was switched off or restarted, which is no loss
 * of GPS signal. Say so, with the times, and keep that time for the
 * signal gaps (kt_vest_signal_gaps). A time outside the window is
 * dropped: nothing of it is counted, nothing to say. */
static void
between_logs(struct ctx *c, struct kt_vest_report *v, const struct decoded *log)
{
	int64_t first = log->n_fixes ? log->fixes[0].t_us : INT64_MAX;
	int64_t last = log->n_fixes ? log->fixes[log->n_fixes - 1].t_us : INT64_MIN;
	size_t kept = 0;

	for (size_t k = 0; k < v->n_off; k++) {
		struct kt_off_span o = v->off[k];
		const struct kt_vest_report *w = &c->rep.vests[o.next_log - 1];
		int64_t t0 = o.from_us, t1 = o.to_us;
		char a[16], b[16], zone[16] = "";
		time_t tz_t;
		struct tm tm;

		if (t0 == INT64_MIN || t1 == INT64_MIN || t1 <= t0) {
			/* (a log without a single epoch: no times to give) */
			vest_caution_page(c, v, "%s: continued in %s (vest %s restarted?): counted as one player",
					  "%s: fortgesetzt in %s (Weste %s neu gestartet?): als ein Spieler gezählt",
					  "%.0scontinued in a new log%.0s (vest %s restarted?): counted as one player",
					  "%.0sfortgesetzt in einer neuen Aufzeichnung%.0s (Weste %s neu gestartet?): als ein "
					  "Spieler gezählt",
					  v->path, w->path, v->vest_id);
			continue;
		}
		if (t0 < first || t1 > last)
			continue;
		v->off[kept++] = o;
		v->between_logs_s += (double) (t1 - t0) / KT_USEC_PER_SEC;
		if ((double) (t1 - t0) / KT_USEC_PER_SEC > c->params.gap_s)
			v->between_logs_gaps++;
		fmt_hm(a, sizeof(a), t0, t1);
		fmt_hm(b, sizeof(b), t1, t0);
		tz_t = (time_t) (t0 / KT_USEC_PER_SEC);
		if (localtime_r(&tz_t, &tm))
			strftime(zone, sizeof(zone), "%Z", &tm);
		/* (the page: "continued in a new log", naming no file) */
		vest_caution_page(c, v,
			"%s: continued in %s: vest %s logged nothing from %s to %s %s (%.1f minutes; switched off or "
			"restarted?): counted as one player; its numbers leave that time out",
			"%s: fortgesetzt in %s: Weste %s hat von %s bis %s %s nichts aufgezeichnet (%.1f Minuten; "
			"ausgeschaltet oder neu gestartet?): als ein Spieler gezählt; die Werte enthalten diese Zeit nicht",
			"%.0scontinued in a new log%.0s: vest %s logged nothing from %s to %s %s (%.1f minutes; switched "
			"off or restarted?): counted as one player; its numbers leave that time out",
			"%.0sfortgesetzt in einer neuen Aufzeichnung%.0s: Weste %s hat von %s bis %s %s nichts aufgezeichnet "
			"(%.1f Minuten; ausgeschaltet oder neu gestartet?): als ein Spieler gezählt; die Werte enthalten "
			"diese Zeit nicht",
			v->path, w->path, v->vest_id, a, b, zone, (double) (t1 - t0) / (60.0 * KT_USEC_PER_SEC));
	}
	v->n_off = kept;
}

/* The later logs of v (next_log) read into log, their counts into v's */
static void
read_later_logs(struct ctx *c, struct kt_vest_report *v, struct decoded *log)
{
	for (size_t m1 = v->next_log; m1; m1 = c->rep.vests[m1 - 1].next_log) {
		struct kt_vest_report *w = &c->rep.vests[m1 - 1];
		struct decoded more = { 0 };
		uint64_t read;

		if (read_log(c, w, &more) < 0) {
			read = more.bytes_read;
			decoded_clear(&more);
			progress_file_done(c, w->size > read ? w->size - read : 0);
			continue; /* named by read_log; v counts without it */
		}
		int64_t t0 = log->n_fixes ? log->fixes[log->n_fixes - 1].t_us : INT64_MIN;
		int64_t t1 = more.n_fixes ? more.fixes[0].t_us : INT64_MIN;

		read = more.bytes_read;
		if (append_decoded(log, &more) < 0) {
			set_error(w, "out of memory");
			note(c, KT_LOG_ERR, "%s: out of memory", "%s: nicht genug Arbeitsspeicher", w->path);
			decoded_clear(&more);
		} else {
			w->merged = true;
			add_off_span(v, m1, t0, t1);
			v->n_fixes_read += w->n_fixes_read;
			v->n_imu_read += w->n_imu_read;
			v->core_dropped_dup = log->dropped;
			v->stats.bytes += w->stats.bytes;
			v->stats.frames_nmea += w->stats.frames_nmea;
			v->stats.frames_ubx += w->stats.frames_ubx;
			for (int k = 0; k < _KT_REJECT_MAX; k++)
				v->stats.rejected[k] += w->stats.rejected[k];
		}
		progress_file_done(c, w->size > read ? w->size - read : 0);
	}
}

static size_t
count_valid(const struct kt_fix *f, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += kt_fix_is_valid(&f[i]);
	return k;
}

static void remove_tree(const char *path);

/* The files of a vest's folder players/<vest_id>/ (the charts aside) */
static const char *const vest_files[] = { "timeseries.csv", "sprints.csv", "heatmap.csv" };
#define N_VEST_FILES (sizeof(vest_files) / sizeof(vest_files[0]))

static int
write_vest_files(struct ctx *c, size_t idx, struct kt_vest_report *v)
{
	char *dir = NULL, *p = NULL;
	int r;

	if (asprintf(&dir, "%s/v%zu", c->staging, idx) < 0)
		return -ENOMEM;
	r = kt_mkdir_p(dir, 0750);
	if (r < 0)
		goto out;
	for (unsigned k = 0; k < N_VEST_FILES && r == 0; k++) {
		free(p);
		p = path_join(dir, vest_files[k]);
		if (!p) {
			r = -ENOMEM;
			break;
		}
		if (k == 0)
			r = kt_write_timeseries_csv(p, &v->res, &c->style);
		else if (k == 1)
			r = kt_write_sprints_csv(p, &v->res, &c->params, &c->style);
		else
			r = kt_write_heatmap_csv(p, &v->res, &c->style);
	}
out:
	if (r < 0) {
		note(c, KT_LOG_ERR, "%s: cannot write %s: %s%.0s", "%s: %s kann nicht geschrieben werden: %.0s%s",
		     v->path, p ? p : dir, strerror(-r), kt_strerror_de(-r));
		/* what was written must not be moved into OUTDIR with the rest */
		remove_tree(dir);
	}
	free(p);
	free(dir);
	return r;
}

/* Pool the valid positions of a decoded log for the pitch estimate, about
 * one per second. */
static void
pool_positions(struct ctx *c, size_t idx, const struct decoded *log)
{
	struct pool *pl = &c->pool[idx];
	int64_t last_s = INT64_MIN;

	for (size_t i = 0; i < log->n_fixes; i++) {
		const struct kt_fix *f = &log->fixes[i];
		int64_t s = f->t_us / KT_USEC_PER_SEC;
		if (!kt_fix_is_valid(f) || s == last_s)
			continue;
		if (f->speed_mps > c->params.max_plausible_mps)
			continue;
		last_s = s;
		if (pl->n == pl->cap) {
			size_t ncap = pl->cap ? pl->cap * 2 : 8192;
			void *np = realloc(pl->pos, ncap * sizeof(*pl->pos));
			if (!np) {
				pl->oom = true;
				break;
			}
			pl->pos = np;
			pl->cap = ncap;
		}
		pl->pos[pl->n][0] = f->lat_deg;
		pl->pos[pl->n][1] = f->lon_deg;
		pl->n++;
	}
}

/* An output could not be written: the run fails as a whole (OUTDIR keeps
 * what it had), and the summary says why (the docking daemon tells a full
 * disk from other failures by it). */
static void
output_failed(struct ctx *c, int r)
{
	int none = 0;

	atomic_store(&c->write_failed, true);
	atomic_compare_exchange_strong(&c->write_errno, &none, r < 0 ? r : -EIO);
}

/* errno is 0 after the fopen(): a failed write leaves its reason there
 * (ENOSPC, EDQUOT, ...), which ferror() does not keep */
static int
stream_error(void)
{
	return -(errno ? errno : EIO);
}

/* Staging file of a vest's 10 Hz series and its track's positions, until
 * the pitch is known: two counts, then the two arrays as in memory (read
 * back by the same process only). */

static int
write_array(FILE *f, const void *a, size_t n, size_t size)
{
	return n == 0 || fwrite(a, size, n, f) == n ? 0 : stream_error();
}

static int
save_series(const char *path, const struct kt_result *res, const struct kt_position *pos, size_t n_pos)
{
	FILE *f = fopen(path, "wxe");
	size_t hdr[2] = { res->n_series, n_pos };
	int r;

	if (!f)
		return -errno;
	errno = 0;
	r = write_array(f, hdr, 2, sizeof(size_t));
	if (r == 0)
		r = write_array(f, res->series, res->n_series, sizeof(*res->series));
	if (r == 0)
		r = write_array(f, pos, n_pos, sizeof(*pos));
	if (ferror(f) && r == 0)
		r = stream_error();
	if (fclose(f) != 0 && r == 0)
		r = stream_error();
	if (r < 0)
		unlink(path);
	return r;
}

static int
read_array(FILE *f, void **ret, size_t n, size_t size)
{
	void *a = malloc(n ? n * size : 1);

	if (!a)
		return -ENOMEM;
	if (n > 0 && fread(a, size, n, f) != n) {
		free(a);
		return ferror(f) ? -EIO : -ENODATA;
	}
	*ret = a;
	return 0;
}

static int
load_series(const char *path, struct kt_result *res, struct kt_position **ret_pos, size_t *ret_n_pos)
{
	FILE *f = fopen(path, "re");
	size_t hdr[2];
	void *series = NULL, *pos = NULL;
	int r;

	if (!f)
		return -errno;
	if (fread(hdr, sizeof(size_t), 2, f) != 2 || hdr[0] > SIZE_MAX / sizeof(*res->series) ||
	    hdr[1] > SIZE_MAX / sizeof(struct kt_position))
		r = -ENODATA;
	else
		r = read_array(f, &series, hdr[0], sizeof(*res->series));
	if (r == 0)
		r = read_array(f, &pos, hdr[1], sizeof(struct kt_position));
	fclose(f);
	if (r < 0) {
		free(series);
		return r;
	}
	res->series = series;
	res->n_series = hdr[0];
	*ret_pos = pos;
	*ret_n_pos = hdr[1];
	return 0;
}

/* No pitch yet: keep what the CSVs need on disk, not in memory. */
static int
save_for_pitch(struct ctx *c, size_t idx, struct kt_vest_report *v, const struct kt_track *t)
{
	struct kt_position *pos = NULL;
	size_t n_pos = 0;
	char *p = NULL;
	int r;

	r = kt_track_positions(t, &pos, &n_pos);
	if (r == 0 && asprintf(&p, "%s/v%zu.series", c->staging, idx) < 0)
		r = -ENOMEM;
	if (r == 0)
		r = save_series(p, &v->res, pos, n_pos);
	if (r < 0)
		note(c, KT_LOG_ERR, "%s: cannot write %s: %s%.0s", "%s: %s kann nicht geschrieben werden: %.0s%s",
		     v->path, p ? p : c->staging, strerror(-r), kt_strerror_de(-r));
	free(pos);
	free(p);
	return r;
}

/* A receiver that logs fewer than 5 positions a second (1 Hz is common
 * outside sports vests) cannot resolve accelerations, decelerations and
 * sprints (kt_vest_undercounted(); session.json players[].undercounted
 * marks the counts, the pages mark them where they show them). Say why
 * rather than let low counts pass for a quiet training. */
static void
check_rate(struct ctx *c, const struct kt_vest_report *v)
{
	if (!kt_vest_undercounted(&v->res))
		return;
	vest_caution(c, v,
		"%s: vest %s logged %.1f positions a second: accelerations, decelerations and sprints "
		"need 5 or more (10 is usual) and are undercounted",
		"%s: Weste %s hat %.1f Positionen pro Sekunde aufgezeichnet: Beschleunigungen, Abbremsungen "
		"und Sprints brauchen 5 oder mehr (üblich sind 10), es werden zu wenige gezählt",
		v->path, v->vest_id, kt_vest_positions_per_s(&v->res));
}

/* A vest that lay still for 5 minutes in a row (the IMU rest rule: its
 * accelerometer showed nothing beyond its own noise) ran nothing then: a
 * substitute's vest left on the bench, or one put down. Say so, so that a
 * low or zero distance is not read as a lazy player or a broken vest.
 * (Standing between the sprints of a drill makes shorter stretches.) */
#define STILL_NOTE_S 300.0

static void
check_still(struct ctx *c, const struct kt_vest_report *v)
{
	if (!(v->res.imu_still_run_s >= STILL_NOTE_S))
		return;
	vest_caution(c, v,
		"%s: vest %s did not move for %.1f of its %.1f minutes (its accelerometer shows nothing "
		"beyond its own noise: left on the bench, or put down?): no distance and no PlayerLoad then",
		"%s: Weste %s hat sich %.1f ihrer %.1f Minuten nicht bewegt (der Beschleunigungssensor zeigt "
		"nichts außer seinem Rauschen: auf der Bank liegen gelassen oder abgelegt?): in dieser Zeit "
		"keine Distanz und keine PlayerLoad",
		v->path, v->vest_id, v->res.imu_still_s / 60.0, v->res.minutes);
}

/* A vest that lost its signal (or logged nothing) for minutes: distance,
 * zones and sprints leave that time out, yet minutes (first to last fix)
 * and fix_pct (of the epochs logged) look complete. Say so, for the coach
 * and the parent who wonder why the distance is low. */
#define GAP_NOTE_S 60.0

static void
check_gaps(struct ctx *c, const struct kt_vest_report *v)
{
	/* the time between a vest's logs is no signal gap: between_logs()
	 * named it */
	unsigned gaps;
	double gap_s;

	kt_vest_signal_gaps(v, c->params.gap_s, &gaps, &gap_s);
	if (!(gap_s >= GAP_NOTE_S))
		return;
	vest_caution(c, v,
		"%s: vest %s had no GPS signal for %.1f of its %.1f minutes (%u gap%s%.0s): distance, zones and "
		"sprints of that time are missing, so they are lower than what was run",
		"%s: Weste %s hatte %.1f ihrer %.1f Minuten kein GPS-Signal (%u %.0s%s): Distanz, Zonen und "
		"Sprints dieser Zeit fehlen, sie sind also niedriger als gelaufen",
		v->path, v->vest_id, gap_s / 60.0, v->res.minutes, gaps, gaps == 1 ? "" : "s",
		gaps == 1 ? "Lücke" : "Lücken");
}

/* A pitch file with the wrong coordinates (another ground, a typo) gives
 * empty heatmaps and meaningless x/y without any error: say so when most
 * of a vest's valid time lies beyond the pitch and its margin. */
static void
check_on_pitch(struct ctx *c, const struct kt_vest_report *v)
{
	double on_s = 0.0, valid_s = v->res.valid_minutes * 60.0;

	if (!c->rep.have_pitch || !strcmp(c->rep.pitch_source, "estimated") || !v->res.heat_s ||
	    valid_s < 60.0)
		return;
	for (size_t i = 0; i < (size_t) v->res.heat_nx * v->res.heat_ny; i++)
		on_s += v->res.heat_s[i];
	if (on_s >= 0.5 * valid_s)
		return;
	vest_note(c, v, KT_LOG_WARNING,
	     "%s: vest %s was on the pitch of %s%.0s (within %.0f m of it) for only %.0f%% of its %.0f valid minutes: "
	     "are these the right pitch corners?",
	     "%s: Weste %s war auf dem Platz aus %.0s%s (bis %.0f m daneben mitgezählt) nur %.0f %% ihrer %.0f "
	     "gültigen Minuten: sind die Platzecken richtig?",
	     v->path, v->vest_id, c->pitch_file ? c->pitch_file : "the pitch file",
	     c->pitch_file ? c->pitch_file : "der Platzdatei", c->params.heat_margin_m,
	     100.0 * on_s / valid_s, v->res.valid_minutes);
}

/* A time span as the notes say it, in English and in German */
struct span_text {
	char en[96], de[96];
};

/* "2026-11-21 14:00-15:32 UTC" (the end's date too when it differs:
 * "... 23:00 to 2026-11-22 01:30 UTC", "bis" in German); with local, in
 * local time and its zone ("2026-11-21 15:00-16:32 CET") */
static void
fmt_span_in(struct span_text *t, int64_t t0_us, int64_t t1_us, bool local)
{
	time_t t0 = (time_t) (t0_us / KT_USEC_PER_SEC), t1 = (time_t) (t1_us / KT_USEC_PER_SEC);
	struct tm a, b;
	char da[16], ha[8], db[16], hb[8], zone[16] = "UTC";

	if (!(local ? localtime_r(&t0, &a) && localtime_r(&t1, &b) : gmtime_r(&t0, &a) && gmtime_r(&t1, &b))) {
		snprintf(t->en, sizeof(t->en), "?");
		snprintf(t->de, sizeof(t->de), "?");
		return;
	}
	strftime(da, sizeof(da), "%Y-%m-%d", &a);
	strftime(ha, sizeof(ha), "%H:%M", &a);
	strftime(db, sizeof(db), "%Y-%m-%d", &b);
	strftime(hb, sizeof(hb), "%H:%M", &b);
	if (local)
		strftime(zone, sizeof(zone), "%Z", &a);
	if (!strcmp(da, db)) {
		snprintf(t->en, sizeof(t->en), "%s %s-%s %s", da, ha, hb, zone);
		snprintf(t->de, sizeof(t->de), "%s %s-%s %s", da, ha, hb, zone);
	} else {
		snprintf(t->en, sizeof(t->en), "%s %s to %s %s %s", da, ha, db, hb, zone);
		snprintf(t->de, sizeof(t->de), "%s %s bis %s %s %s", da, ha, db, hb, zone);
	}
}

static void
fmt_span(struct span_text *t, int64_t t0_us, int64_t t1_us)
{
	fmt_span_in(t, t0_us, t1_us, false);
}

/* Logs of one run belong to one training. A vest that still held last
 * week's log, or logs of two sessions given together, would otherwise be
 * mixed into one team table (and one pitch estimate) without a word. The
 * vests' recording times are grouped as kicktrackd groups its downloads
 * (apart = more than KT_TRAINING_SLACK_US between a group's end and the
 * next start); the group with the most vests is the session, every vest
 * outside it is named (partial result) and left out of the pitch estimate. */

struct span {
	int64_t t0, t1;
	size_t idx;
	unsigned group;
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->t0 < y->t0 ? -1 : x->t0 > y->t0 ? 1 : x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void
check_one_session(struct ctx *c)
{
	struct span *sp = calloc(c->rep.n_vests ? c->rep.n_vests : 1, sizeof(*sp));
	size_t n = 0;
	unsigned groups = 0, best = 0, best_n = 0;
	int64_t end = 0, best_t0 = 0, best_t1 = 0;
	struct span_text main_span, span;

	if (!sp)
		return;
	for (size_t i = 0; i < c->rep.n_vests; i++) {
		const struct kt_vest_report *v = &c->rep.vests[i];
		if (v->ok && v->res.last_us >= v->res.first_us)
			sp[n++] = (struct span) { v->res.first_us, v->res.last_us, i, 0 };
	}
	qsort(sp, n, sizeof(*sp), span_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || sp[i].t0 - end > KT_TRAINING_SLACK_US)
			groups++;
		sp[i].group = groups;
		end = i == 0 || sp[i].t1 > end ? sp[i].t1 : end;
	}
	/* the biggest group; of equal ones, the earliest */
	for (unsigned g = 1; g <= groups; g++) {
		unsigned k = 0;
		int64_t t0 = INT64_MAX, t1 = INT64_MIN;

		for (size_t i = 0; i < n; i++)
			if (sp[i].group == g) {
				k++;
				t0 = sp[i].t0 < t0 ? sp[i].t0 : t0;
				t1 = sp[i].t1 > t1 ? sp[i].t1 : t1;
			}
		if (k > best_n) {
			best = g;
			best_n = k;
			best_t0 = t0;
			best_t1 = t1;
		}
	}
	fmt_span(&main_span, best_t0, best_t1);
	for (size_t i = 0; groups > 1 && i < n; i++) {
		const struct kt_vest_report *v = &c->rep.vests[sp[i].idx];

		if (sp[i].group == best)
			continue;
		fmt_span(&span, sp[i].t0, sp[i].t1);
		vest_note(c, v, KT_LOG_WARNING,
		     "%s: vest %s recorded %s%.0s, not with the session of %u vest%s%.0s at %s%.0s: "
		     "a log from another training? Process it on its own%s%.0s",
		     "%s: Weste %s hat %.0s%s aufgezeichnet, nicht mit dem Training der %u Weste%.0s%s am %.0s%s: "
		     "eine Aufzeichnung von einem anderen Training? Bitte für sich auswerten%.0s%s",
		     v->path, v->vest_id, span.en, span.de, best_n, best_n == 1 ? "" : "s", best_n == 1 ? "" : "n",
		     main_span.en, main_span.de, c->pitch_later ? " (left out of the pitch estimate)" : "",
		     c->pitch_later ? " (nicht in der Schätzung des Platzes)" : "");
		if (c->pitch_later) {
			free(c->pool[sp[i].idx].pos);
			c->pool[sp[i].idx] = (struct pool) { 0 };
		}
	}
	free(sp);
}

/* A vest's log that holds two trainings (a vest not erased since last
 * week, or left on in the bag) would give minutes and a work rate over the
 * days between them, and PlayerLoad of one of them. Recordings more than
 * LOG_APART_US apart without a valid fix (longer than any half-time break)
 * are told apart; the numbers come from the one with the most valid fixes,
 * and the others are named as left out (partial result). LOG_APART_US is
 * defined with plan_vest_logs(), which it also keeps from joining logs. */
#define MAX_LISTED 3

/* index of the first element at or after t in an array in time order of
 * structs that begin with their int64_t t_us (struct kt_fix, kt_imu_sample) */
_Static_assert(offsetof(struct kt_fix, t_us) == 0, "t_us first");
_Static_assert(offsetof(struct kt_imu_sample, t_us) == 0, "t_us first");

static size_t
first_at_or_after(const void *base, size_t n, size_t size, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		int64_t tm;

		memcpy(&tm, (const char *) base + m * size, sizeof(tm));
		if (tm < t)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

/* [*i0, *i1): the elements with a <= t_us <= b (b = INT64_MAX: to the end) */
static void
index_span(const void *base, size_t n, size_t size, int64_t a, int64_t b, size_t *i0, size_t *i1)
{
	*i0 = first_at_or_after(base, n, size, a);
	*i1 = b == INT64_MAX ? n : first_at_or_after(base, n, size, b + 1);
}

/* Keep only the fixes and IMU samples from a to b: the arrays are in time
 * order, so that is an index range of each. */
static void
keep_span(struct decoded *log, int64_t a, int64_t b)
{
	size_t i0, i1, k0, k1;

	index_span(log->fixes, log->n_fixes, sizeof(*log->fixes), a, b, &i0, &i1);
	index_span(log->imu, log->n_imu, sizeof(*log->imu), a, b, &k0, &k1);
	log->fixes += i0;
	log->n_fixes = i1 - i0;
	log->imu += k0;
	log->n_imu = k1 - k0;
}

struct recording {
	int64_t t0, t1;  /* first and last valid fix */
	size_t n;        /* valid fixes */
};

/* The recording that starts at or after fix *i; *i moves past it. */
static bool
next_recording(const struct decoded *log, size_t *i, struct recording *ret)
{
	bool have = false;

	for (; *i < log->n_fixes; (*i)++) {
		const struct kt_fix *f = &log->fixes[*i];

		if (!kt_fix_is_valid(f))
			continue;
		if (have && f->t_us - ret->t1 > LOG_APART_US)
			break;
		if (!have)
			*ret = (struct recording) { f->t_us, f->t_us, 0 };
		have = true;
		ret->t1 = f->t_us;
		ret->n++;
	}
	return have;
}

static void
keep_one_recording(struct ctx *c, const struct kt_vest_report *v, struct decoded *log)
{
	struct recording best = { 0 }, r;
	unsigned n_rec = 0, n_listed = 0;
	struct span_text kept, span;
	char others[MAX_LISTED * 96 + 64] = "", others_de[MAX_LISTED * 96 + 64] = "";
	size_t i = 0, len = 0, len_de = 0;

	while (next_recording(log, &i, &r)) {
		n_rec++;
		if (r.n > best.n)
			best = r;
	}
	if (n_rec == 1) {
		/* IMU samples are kept apart by the same rule: an older log
		 * appended after a newer one loses its fixes (time must move
		 * forward) but its IMU samples were sorted into place */
		size_t k0, k1;

		index_span(log->imu, log->n_imu, sizeof(*log->imu), best.t0 - LOG_APART_US, best.t1 + LOG_APART_US,
			   &k0, &k1);
		if (k1 - k0 < log->n_imu) {
			fmt_span(&kept, best.t0, best.t1);
			vest_note(c, v, KT_LOG_WARNING,
			     "%s: vest %s: %zu IMU samples more than an hour away from its positions (%s%.0s) are "
			     "left out of PlayerLoad",
			     "%s: Weste %s: %zu Messwerte des Bewegungssensors (IMU), mehr als eine Stunde von ihren "
			     "Positionen (%.0s%s) entfernt, zählen nicht zum PlayerLoad",
			     v->path, v->vest_id, log->n_imu - (k1 - k0), kept.en, kept.de);
			log->imu += k0;
			log->n_imu = k1 - k0;
		}
	}
	if (n_rec < 2)
		return;
	for (i = 0; next_recording(log, &i, &r);) {
		if (r.t0 == best.t0 || n_listed == MAX_LISTED || len >= sizeof(others) ||
		    len_de >= sizeof(others_de))
			continue;
		fmt_span(&span, r.t0, r.t1);
		len += (size_t) snprintf(others + len, sizeof(others) - len, "%s%s", n_listed ? "; " : "", span.en);
		len_de += (size_t) snprintf(others_de + len_de, sizeof(others_de) - len_de, "%s%s",
					    n_listed ? "; " : "", span.de);
		n_listed++;
	}
	if (n_rec - 1 > n_listed && len < sizeof(others) && len_de < sizeof(others_de)) {
		snprintf(others + len, sizeof(others) - len, "; and %u more", n_rec - 1 - n_listed);
		snprintf(others_de + len_de, sizeof(others_de) - len_de, "; und %u weitere", n_rec - 1 - n_listed);
	}
	fmt_span(&kept, best.t0, best.t1);
	vest_note(c, v, KT_LOG_WARNING,
	     "%s: vest %s: the log holds %u recordings more than an hour apart (two trainings in one log?): "
	     "the numbers are from the one with most data, %s%.0s; left out: %s%.0s",
	     "%s: Weste %s: die Log-Datei enthält %u Aufzeichnungen, mehr als eine Stunde auseinander (zwei "
	     "Trainings in einer Datei?): die Werte sind aus der mit den meisten Daten, %.0s%s; nicht gezählt: %.0s%s",
	     v->path, v->vest_id, n_rec, kept.en, kept.de, others, others_de);

	keep_span(log, best.t0, best.t1);
}

/* A time of day (local) on the day of t_us, shifted by days. */
static int64_t
tod_on_day(int tod_s, int64_t t_us, int days)
{
	time_t t = (time_t) (t_us / KT_USEC_PER_SEC);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return t_us;
	tm.tm_mday += days;
	tm.tm_hour = tod_s / 3600;
	tm.tm_min = tod_s / 60 % 60;
	tm.tm_sec = tod_s % 60;
	tm.tm_isdst = -1;
	return (int64_t) mktime(&tm) * KT_USEC_PER_SEC;
}

/* The moment of one end of --from/--to for a log running t0..t1: a time
 * of day is the occurrence within the log or nearest to it (the day
 * before, of or after its start), so a training across midnight and vests
 * started on either side of it all get the same window. */
static int64_t
window_near(const struct kt_window_end *w, int64_t t0, int64_t t1)
{
	int64_t best = 0, best_d = INT64_MAX;

	if (!w->local)
		return w->utc_us;
	for (int days = -1; days <= 1; days++) {
		int64_t c = tod_on_day(w->tod_s, t0, days);
		int64_t d = c < t0 ? t0 - c : c > t1 ? c - t1 : 0;

		if (d < best_d) {
			best = c;
			best_d = d;
		}
	}
	return best;
}

/* Only the data between --from and --to counts. Returns false (and says
 * why) when nothing of this log is left. */
static bool
keep_window(struct ctx *c, struct kt_vest_report *v, struct decoded *log)
{
	const struct kt_pipeline_opts *o = c->rep.opts;
	int64_t first = INT64_MIN, last = INT64_MIN, a = INT64_MIN, b = INT64_MAX;

	if (!o->from.set && !o->to.set)
		return true;
	for (size_t i = 0; i < log->n_fixes; i++)
		if (kt_fix_is_valid(&log->fixes[i])) {
			if (first == INT64_MIN)
				first = log->fixes[i].t_us;
			last = log->fixes[i].t_us;
		}
	if (first == INT64_MIN)
		return true; /* no valid fix at all: the usual message follows */
	if (o->from.set)
		a = window_near(&o->from, first, last);
	if (kt_window_tod_span_s(&o->from, &o->to) >= 0) {
		/* both times of day: --to is the first such time after --from */
		b = a + (int64_t) kt_window_tod_span_s(&o->from, &o->to) * KT_USEC_PER_SEC;
	} else if (o->to.set) {
		b = window_near(&o->to, first, last);
	}
	size_t i0, i1, valid = 0;

	index_span(log->fixes, log->n_fixes, sizeof(*log->fixes), a, b, &i0, &i1);
	for (size_t i = i0; i < i1; i++)
		valid += kt_fix_is_valid(&log->fixes[i]);
	if (valid == 0) {
		struct span_text span;

		fmt_span_in(&span, log->fixes[0].t_us, log->fixes[log->n_fixes - 1].t_us,
			    kt_window_local(&o->from, &o->to));
		set_error(v, "no valid fix between --from and --to");
		note(c, KT_LOG_ERR,
		     "%s: no valid fix between --from %s%.0s and --to %s%.0s (the log runs %s%.0s; vest %s left out)",
		     "%s: keine gültige GPS-Position zwischen --from %.0s%s und --to %.0s%s (die Aufzeichnung läuft "
		     "%.0s%s; Weste %s nicht ausgewertet)",
		     v->path, o->from.set ? o->from.text : "(start)", o->from.set ? o->from.text : "(Anfang)",
		     o->to.set ? o->to.text : "(end)", o->to.set ? o->to.text : "(Ende)", span.en, span.de,
		     v->vest_id);
		return false;
	}
	keep_span(log, a, b);
	return true;
}

/* A vest switched on at home counts the ride to the ground as running
 * (25 km/h on a bike is sprinting). The numbers are not cut on a guess,
 * but a coach is told: the start and end of a log spent far (over
 * AWAY_M) from where the vest was most of the time, its median position,
 * and how to leave them out. */
#define AWAY_M 1000.0

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y;
}

static void
check_away(struct ctx *c, const struct kt_vest_report *v, const struct decoded *log)
{
	size_t n = 0, step = log->n_fixes / 2000 + 1, first = SIZE_MAX, last = 0;
	double *lat = malloc((log->n_fixes / step + 1) * sizeof(double));
	double *lon = malloc((log->n_fixes / step + 1) * sizeof(double));
	double lat0, lon0, m_lat, m_lon;
	int64_t lead_us = 0, trail_us = 0;

	if (!lat || !lon)
		goto out;
	for (size_t i = 0; i < log->n_fixes; i += step)
		if (kt_fix_is_valid(&log->fixes[i])) {
			lat[n] = log->fixes[i].lat_deg;
			lon[n++] = log->fixes[i].lon_deg;
		}
	if (n < 10)
		goto out;
	qsort(lat, n, sizeof(double), cmp_double);
	qsort(lon, n, sizeof(double), cmp_double);
	lat0 = lat[n / 2];
	lon0 = lon[n / 2];
	m_lat = 111320.0;
	m_lon = 111320.0 * cos(lat0 * M_PI / 180.0);
	for (size_t i = 0; i < log->n_fixes; i++) {
		const struct kt_fix *f = &log->fixes[i];
		double de, dn;

		if (!kt_fix_is_valid(f))
			continue;
		de = (f->lon_deg - lon0) * m_lon;
		dn = (f->lat_deg - lat0) * m_lat;
		if (de * de + dn * dn <= AWAY_M * AWAY_M) {
			if (first == SIZE_MAX)
				first = i;
			last = i;
		}
	}
	if (first == SIZE_MAX)
		goto out;
	lead_us = log->fixes[first].t_us - log->fixes[0].t_us;
	trail_us = log->fixes[log->n_fixes - 1].t_us - log->fixes[last].t_us;
	if (lead_us >= 60 * KT_USEC_PER_SEC || trail_us >= 60 * KT_USEC_PER_SEC) {
		/* in local time, as --from/--to take it (to the minute, so the
		 * suggested option keeps all of the training) */
		char t0[8], t1[8], zone[16];
		time_t a = (time_t) (log->fixes[first].t_us / KT_USEC_PER_SEC);
		time_t b = (time_t) ((log->fixes[last].t_us + 59 * KT_USEC_PER_SEC) / KT_USEC_PER_SEC);
		struct tm ta, tb;

		if (!localtime_r(&a, &ta) || !localtime_r(&b, &tb))
			goto out;
		strftime(t0, sizeof(t0), "%H:%M", &ta);
		strftime(t1, sizeof(t1), "%H:%M", &tb);
		strftime(zone, sizeof(zone), "%Z", &ta);
		if (lead_us >= 60 * KT_USEC_PER_SEC && trail_us >= 60 * KT_USEC_PER_SEC)
			vest_caution(c, v, "%s: vest %s was more than %.0f km from where it spent most of the time until %s "
				"and from %s on (%s): on the way to and from the ground? It is counted; --from %s --to %s "
				"leaves it out",
				"%s: Weste %s war mehr als %.0f km von dort entfernt, wo sie die meiste Zeit war: bis %s "
				"und ab %s (%s). Auf dem Hin- und Rückweg zum Platz? Das ist mitgezählt; --from %s --to %s "
				"lässt es weg",
				v->path, v->vest_id, AWAY_M / 1000.0, t0, t1, zone, t0, t1);
		else if (lead_us >= 60 * KT_USEC_PER_SEC)
			vest_caution(c, v, "%s: vest %s was more than %.0f km from where it spent most of the time until %s "
				"(%s): on the way to the ground? It is counted; --from %s leaves it out",
				"%s: Weste %s war mehr als %.0f km von dort entfernt, wo sie die meiste Zeit war: bis %s "
				"(%s). Auf dem Weg zum Platz? Das ist mitgezählt; --from %s lässt es weg",
				v->path, v->vest_id, AWAY_M / 1000.0, t0, zone, t0);
		else
			vest_caution(c, v, "%s: vest %s was more than %.0f km from where it spent most of the time from %s "
				"on (%s): on the way home? It is counted; --to %s leaves it out",
				"%s: Weste %s war mehr als %.0f km von dort entfernt, wo sie die meiste Zeit war: ab %s "
				"(%s). Auf dem Heimweg? Das ist mitgezählt; --to %s lässt es weg",
				v->path, v->vest_id, AWAY_M / 1000.0, t1, zone, t1);
	}
out:
	free(lat);
	free(lon);
}

/* Frames the reader could not use are counted in rejected_frames; when
 * they are more than 5% of what it read (a damaged file, or an older
 * recording appended after a newer one, whose times go backwards), say so. */
static void
check_rejected(struct ctx *c, const struct kt_vest_report *v)
{
	static const enum kt_reject_reason lost[] = {
		KT_REJECT_CHECKSUM, KT_REJECT_TRUNCATED, KT_REJECT_TOO_LONG,
		KT_REJECT_MALFORMED, KT_REJECT_IMPLAUSIBLE,
	};
	/* the same reasons in German, as the notes on a German page say them */
	static const char *const lost_de[] = {
		"falsche Prüfsumme", "abgeschnitten", "zu lang", "fehlerhaft", "unplausibel",
	};
	_Static_assert(sizeof(lost_de) / sizeof(lost_de[0]) == sizeof(lost) / sizeof(lost[0]),
		       "a German name for each reason");
	uint64_t bad = 0, total;
	char reasons[256] = "", reasons_de[256] = "";
	size_t len = 0, len_de = 0;

	for (size_t i = 0; i < sizeof(lost) / sizeof(lost[0]); i++)
		bad += v->stats.rejected[lost[i]];
	/* the counts mix frames the framer refused, frames the decoders
	 * refused and epochs the reader dropped: a share of all of them */
	total = v->stats.frames_nmea + v->stats.frames_ubx + bad;
	if (bad < 10 || bad * 20 <= total)
		return;
	for (size_t i = 0; i < sizeof(lost) / sizeof(lost[0]); i++) {
		if (!v->stats.rejected[lost[i]])
			continue;
		if (len < sizeof(reasons))
			len += (size_t) snprintf(reasons + len, sizeof(reasons) - len, "%s%s %" PRIu64,
						 len ? ", " : "", kt_reject_reason_to_str(lost[i]),
						 v->stats.rejected[lost[i]]);
		if (len_de < sizeof(reasons_de))
			len_de += (size_t) snprintf(reasons_de + len_de, sizeof(reasons_de) - len_de, "%s%s %" PRIu64,
						    len_de ? ", " : "", lost_de[i], v->stats.rejected[lost[i]]);
	}
	vest_note(c, v, KT_LOG_WARNING,
	     "%s: vest %s: %" PRIu64 " frames could not be used (%s%.0s): a damaged log, "
	     "or a recording appended out of time order? Their data is not in the numbers",
	     "%s: Weste %s: %" PRIu64 " Datensätze nicht verwendbar (%.0s%s): eine beschädigte Aufzeichnung, "
	     "oder eine ältere Aufzeichnung hinten angehängt? Ihre Daten fehlen in den Werten",
	     v->path, v->vest_id, bad, reasons, reasons_de);
}

/* The vest of log idx and of the later logs chained to it (next_log) */
static void
process_logs(struct ctx *c, size_t idx)
{
	struct kt_vest_report *v = &c->rep.vests[idx];
	struct decoded log = { 0 };
	struct kt_track *t = NULL;
	uint64_t read;
	int r;

	r = read_log(c, v, &log);
	/* kept here: the log is cleared once decoded, before done */
	read = log.bytes_read;
	if (r < 0) {
		/* the later logs are still one player, without this one */
		size_t next = v->next_log;

		v->next_log = 0;
		if (next)
			process_logs(c, next - 1);
		goto done;
	}
	read_later_logs(c, v, &log);
	check_rejected(c, v);
	/* the window first: the recording that matters is the one inside it */
	if (!keep_window(c, v, &log))
		goto done;
	keep_one_recording(c, v, &log);
	between_logs(c, v, &log);
	check_away(c, v, &log);
	if (c->pitch_later)
		pool_positions(c, idx, &log);

	size_t nf = log.n_fixes, ni = log.n_imu;
	if (nf == 0) {
		set_error(v, "no GNSS position in it (IMU or other messages only)");
		vest_note(c, v, KT_LOG_ERR, "%s: no GNSS position in it (vest %s left out)",
		     "%s: keine GPS-Position darin (Weste %s nicht ausgewertet)", v->path, v->vest_id);
		goto done;
	}
	if (count_valid(log.fixes, nf) == 0) {
		set_error(v, "no valid GNSS fix in %zu epochs", nf);
		note(c, KT_LOG_ERR, "%s: no valid GNSS fix in %zu epochs (vest %s left out)",
		     "%s: keine gültige GPS-Position in %zu Messungen (Weste %s nicht ausgewertet)",
		     v->path, nf, v->vest_id);
		goto done;
	}

	r = kt_track_new(&c->params, c->rep.have_pitch ? &c->rep.pitch : NULL, &t);
	if (r < 0) {
		set_error(v, "cannot start processing: %s", strerror(-r));
		note(c, KT_LOG_ERR, "%s: cannot start processing: %s%.0s", "%s: Auswertung kann nicht beginnen: %.0s%s",
		     v->path, strerror(-r), kt_strerror_de(-r));
		goto done;
	}
	kt_track_note_rejected(t, KT_QREJ_DUPLICATE, log.dropped);
	r = kt_track_reserve(t, nf, ni);
	/* merge GNSS and IMU in time order; the IMU samples before the next
	 * fix go in as one run */
	size_t i = 0, k = 0;
	while (r >= 0 && (i < nf || k < ni)) {
		if (k >= ni || (i < nf && log.fixes[i].t_us <= log.imu[k].t_us)) {
			r = kt_track_feed_fix(t, &log.fixes[i++]);
		} else {
			size_t k1 = k + 1;
			while (k1 < ni && (i >= nf || log.imu[k1].t_us < log.fixes[i].t_us))
				k1++;
			r = kt_track_feed_imu_run(t, &log.imu[k], k1 - k);
			k = k1;
		}
	}
	/* the decoded log is not needed any more: keep memory low */
	decoded_clear(&log);
	if (r >= 0)
		r = kt_track_finish(t, &v->res);
	if (r < 0) {
		set_error(v, "processing failed: %s", strerror(-r));
		note(c, KT_LOG_ERR, "%s: processing failed: %s%.0s", "%s: Auswertung fehlgeschlagen: %.0s%s",
		     v->path, strerror(-r), kt_strerror_de(-r));
		goto done;
	}
	if (v->res.n_valid_epochs == 0) {
		set_error(v, "no usable GNSS fix (all rejected as implausible)");
		note(c, KT_LOG_ERR, "%s: no usable GNSS fix: all %" PRIu64 " epochs rejected (vest %s left out)",
		     "%s: keine brauchbare GPS-Position: alle %" PRIu64 " Messungen verworfen (Weste %s nicht "
		     "ausgewertet)",
		     v->path, v->res.n_epochs, v->vest_id);
		goto done;
	}
	check_on_pitch(c, v);
	check_rate(c, v);
	check_still(c, v);
	check_gaps(c, v);
	{
		int wr = c->pitch_later ? save_for_pitch(c, idx, v, t) : write_vest_files(c, idx, v);
		if (wr < 0) {
			set_error(v, "cannot write its output files");
			output_failed(c, wr);
			goto done;
		}
	}
	v->ok = true;
done:
	/* the 10 Hz series is in timeseries.csv now; keep the summary only */
	free(v->res.series);
	v->res.series = NULL;
	v->res.n_series = 0;
	kt_track_free(t);
	decoded_clear(&log);
	progress_file_done(c, v->size > read ? v->size - read : 0);
}

static void
process_vest(struct ctx *c, size_t idx)
{
	/* a later log of a vest is read by process_logs() of its first */
	if (!c->rep.vests[idx].later_log)
		process_logs(c, idx);
}

/* After the pitch estimate: the saved series of a vest gets x/y and its
 * heatmap, then its CSVs are written as process_vest() would have. */
static void
finish_vest(struct ctx *c, size_t idx)
{
	struct kt_vest_report *v = &c->rep.vests[idx];
	struct kt_position *pos = NULL;
	size_t n_pos = 0;
	char *p = NULL;
	int r;

	if (!v->ok)
		return;
	v->ok = false;
	if (asprintf(&p, "%s/v%zu.series", c->staging, idx) < 0) {
		set_error(v, "out of memory");
		note(c, KT_LOG_ERR, "%s: out of memory", "%s: nicht genug Arbeitsspeicher", v->path);
		progress_written(c);
		return;
	}
	r = load_series(p, &v->res, &pos, &n_pos);
	if (r < 0) {
		set_error(v, "cannot read back its series");
		output_failed(c, r);
		note(c, KT_LOG_ERR, "%s: cannot read back %s: %s%.0s", "%s: %s kann nicht wieder gelesen werden: %.0s%s",
		     v->path, p, strerror(-r), kt_strerror_de(-r));
		goto out;
	}
	if (c->rep.have_pitch) {
		r = kt_result_set_pitch(&v->res, pos, n_pos, &c->params, &c->rep.pitch);
		if (r < 0) {
			set_error(v, "cannot place it on the pitch: %s", strerror(-r));
			note(c, KT_LOG_ERR, "%s: cannot place it on the estimated pitch: %s%.0s",
			     "%s: kann nicht auf den geschätzten Platz gelegt werden: %.0s%s", v->path, strerror(-r),
			     kt_strerror_de(-r));
			goto out;
		}
	}
	r = write_vest_files(c, idx, v);
	if (r < 0) {
		set_error(v, "cannot write its output files");
		output_failed(c, r);
		goto out;
	}
	v->ok = true;
out:
	progress_written(c);
	unlink(p);
	free(p);
	free(pos);
	free(v->res.series);
	v->res.series = NULL;
	v->res.n_series = 0;
}

/* ----------------------------------------------------------------- workers */

struct worker_arg {
	struct ctx *c;
	void (*fn)(struct ctx *c, size_t idx);
};

static void *
worker(void *userdata)
{
	struct worker_arg *w = userdata;
	size_t i;

	while ((i = atomic_fetch_add(&w->c->next, 1)) < w->c->rep.n_vests)
		w->fn(w->c, i);
	return NULL;
}

static void
run_all(struct ctx *c, void (*fn)(struct ctx *c, size_t idx))
{
	struct worker_arg w = { .c = c, .fn = fn };
	unsigned jobs = c->o->jobs ? c->o->jobs : 1;
	pthread_t th[64];
	unsigned started = 0;

	if (jobs > 64)
		jobs = 64;
	if (jobs > c->rep.n_vests)
		jobs = (unsigned)c->rep.n_vests;
	atomic_store(&c->next, 0);
	/* the calling thread is one of the workers */
	for (unsigned j = 1; j < jobs; j++)
		if (pthread_create(&th[started], NULL, worker, &w) == 0)
			started++;
	worker(&w);
	for (unsigned j = 0; j < started; j++)
		pthread_join(th[j], NULL);
}

/* Pitch sizes a football training can use: from a youth 7-a-side ground
 * (about 50 x 30 m, smaller only for the youngest) to the largest full
 * pitch (120 x 90 m, IFAB Law 1). */
#define PITCH_PLAUSIBLE_MIN_LENGTH_M 45.0
#define PITCH_PLAUSIBLE_MIN_WIDTH_M 30.0
#define PITCH_PLAUSIBLE_MAX_LENGTH_M 125.0
#define PITCH_PLAUSIBLE_MAX_WIDTH_M 95.0

/* An estimate only covers where the vests went: a few minutes of one vest,
 * or a drill in one corner, give a rectangle far smaller than the ground,
 * and a vest that left the ground one far larger. Either is named; the
 * numbers do not depend on the pitch, so the result stays complete. */
static void
check_estimate_size(struct ctx *c, size_t seconds)
{
	const struct kt_pitch *p = &c->rep.pitch;

	if (p->length_m < PITCH_PLAUSIBLE_MIN_LENGTH_M || p->width_m < PITCH_PLAUSIBLE_MIN_WIDTH_M)
		caution(c,
			"the estimated pitch is only %.0f x %.0f m (from %zu s of positions), smaller than a youth "
			"7-a-side ground: the vests covered only part of the pitch, and x/y and heatmaps are in that "
			"part's frame; give the real pitch with --pitch (format in kicktrack-process(1))",
			"der geschätzte Platz ist nur %.0f x %.0f m groß (aus %zu s Positionen), kleiner als ein "
			"Kleinfeld für 7 gegen 7: die Westen waren nur auf einem Teil des Platzes, x/y und Heatmaps "
			"beziehen sich auf diesen Teil; den echten Platz mit --pitch angeben (Format in "
			"kicktrack-process(1))",
			p->length_m, p->width_m, seconds);
	else if (p->length_m > PITCH_PLAUSIBLE_MAX_LENGTH_M || p->width_m > PITCH_PLAUSIBLE_MAX_WIDTH_M)
		caution(c,
			"the estimated pitch is %.0f x %.0f m, larger than any football pitch: positions off the "
			"ground went into it; give the real pitch with --pitch (format in kicktrack-process(1))",
			"der geschätzte Platz ist %.0f x %.0f m groß, größer als jeder Fußballplatz: Positionen "
			"neben dem Platz sind mit eingeflossen; den echten Platz mit --pitch angeben (Format in "
			"kicktrack-process(1))",
			p->length_m, p->width_m);
}

static void
estimate_pitch(struct ctx *c)
{
	double *lat = NULL, *lon = NULL;
	size_t n = 0;
	unsigned vests = 0;
	bool oom = false;
	int r;

	/* pooled in the order of the logs, whatever thread read which */
	for (size_t i = 0; i < c->rep.n_vests; i++) {
		n += c->pool[i].n;
		oom |= c->pool[i].oom;
	}
	if (!oom && n > 0) {
		lat = malloc(n * sizeof(double));
		lon = malloc(n * sizeof(double));
		oom = !lat || !lon;
	}
	for (size_t i = 0, k = 0; i < c->rep.n_vests; i++) {
		struct pool *pl = &c->pool[i];

		if (!oom && pl->n > 0) {
			for (size_t j = 0; j < pl->n; j++, k++) {
				lat[k] = pl->pos[j][0];
				lon[k] = pl->pos[j][1];
			}
			vests++;
		}
		free(pl->pos);
		*pl = (struct pool) { 0 };
	}
	if (oom) {
		note(c, KT_LOG_ERR, "out of memory while estimating the pitch",
		     "nicht genug Arbeitsspeicher, um den Platz zu schätzen");
		goto out;
	}
	r = kt_pitch_estimate(lat, lon, n, &c->rep.pitch);
	if (r < 0) {
		/* with no position at all, the messages about the logs say why */
		if (n > 0)
			note(c, KT_LOG_ERR, "no pitch file, and the pitch cannot be estimated from the tracks "
			     "(valid positions in %zu s of the tracks; it takes 100 s or more, over 10 x 5 m at least): "
			     "no x/y positions and no heatmaps",
			     "keine Platzdatei, und der Platz lässt sich nicht aus den Laufwegen schätzen (gültige "
			     "Positionen in %zu s der Laufwege; nötig sind 100 s oder mehr, über mindestens 10 x 5 m): "
			     "keine x/y-Positionen und keine Heatmaps", n);
		goto out;
	}
	c->rep.have_pitch = true;
	c->rep.pitch_source = "estimated";
	c->rep.pitch_estimate_vests = vests;
	c->rep.pitch_estimate_points = n;
	snprintf(c->rep.pitch_name, sizeof(c->rep.pitch_name), "estimated from %u vest%s", vests,
		 vests == 1 ? "" : "s");
	c->pitch_file = path_join(c->o->outdir, "pitch.ini");
	c->rep.pitch_file = c->pitch_file;
	/* where it is written is said once it is there */
	log_warning("no pitch file: pitch estimated from the tracks of %u vest%s (%.0f x %.0f m)",
		    vests, vests == 1 ? "" : "s", c->rep.pitch.length_m, c->rep.pitch.width_m);
	check_estimate_size(c, n);
out:
	free(lat);
	free(lon);
}

/* --------------------------------------------------------- finishing up */

/* The same log given twice (the same path, a copy under another name, a
 * folder and a file in it) would be two players with one player's numbers,
 * both in the team's averages: a later log with the bytes of an earlier
 * one is left out. Nothing is missing, so the result stays complete. */
static void
drop_duplicate_logs(struct ctx *c)
{
	for (size_t i = 0; i < c->rep.n_vests; i++) {
		struct kt_vest_report *v = &c->rep.vests[i];

		if (!v->ok || !v->sha256[0])
			continue;
		for (size_t k = 0; k < i; k++) {
			const struct kt_vest_report *w = &c->rep.vests[k];

			if (!w->ok || strcmp(w->sha256, v->sha256) != 0)
				continue;
			v->ok = false;
			if (asprintf(&v->error, "the same bytes as %s: counted once", w->path) < 0)
				v->error = NULL;
			/* nothing of it in the pitch estimate, nor in the output:
			 * what it staged (v<i>/ and, before a pitch estimate, its
			 * saved series) goes now */
			if (c->pool) {
				free(c->pool[i].pos);
				c->pool[i] = (struct pool) { 0 };
			}
			{
				char *d = NULL, *f = NULL;

				if (asprintf(&d, "%s/v%zu", c->staging, i) >= 0)
					remove_tree(d);
				if (asprintf(&f, "%s/v%zu.series", c->staging, i) >= 0)
					(void) unlink(f);
				free(d);
				free(f);
			}
			if (!strcmp(v->path, w->path))
				caution(c, "%s: given twice: counted once", "%s: doppelt angegeben: einmal gezählt", v->path);
			else
				caution(c, "%s: the same log as %s (SHA-256 equal): counted once",
					"%s: dieselbe Aufzeichnung wie %s (SHA-256 gleich): einmal gezählt", v->path, w->path);
			break;
		}
	}
}

static void
resolve_vests(struct ctx *c)
{
	/* the later logs of a vest whose numbers failed failed with them */
	for (size_t i = 0; i < c->rep.n_vests; i++) {
		const struct kt_vest_report *v = &c->rep.vests[i];

		if (v->ok || v->merged)
			continue;
		for (size_t m1 = v->next_log; m1; m1 = c->rep.vests[m1 - 1].next_log) {
			struct kt_vest_report *w = &c->rep.vests[m1 - 1];

			if (w->merged && !w->error && v->error)
				set_error(w, "read with %s: %s", v->path, v->error);
			w->merged = false;
		}
	}
	for (size_t i = 0; i < c->rep.n_vests; i++) {
		struct kt_vest_report *v = &c->rep.vests[i];

		if (!v->ok)
			continue;
		/* a vest id used twice gets a suffix */
		unsigned dup = 1;
		char base[KT_VEST_ID_MAX];
		snprintf(base, sizeof(base), "%s", v->vest_id);
		for (;;) {
			bool clash = false;
			for (size_t k = 0; k < i; k++)
				if (c->rep.vests[k].ok && !strcmp(c->rep.vests[k].vest_id, v->vest_id))
					clash = true;
			if (!clash)
				break;
			dup++;
			snprintf(v->vest_id, sizeof(v->vest_id), "%.50s-%u", base, dup);
		}
		if (dup > 1)
			vest_note(c, v, KT_LOG_WARNING, "%s: vest %s already came from another log; written as %s",
			     "%s: Weste %s kam schon aus einer anderen Aufzeichnung; gespeichert als %s",
			     v->path, base, v->vest_id);
		if (c->have_roster) {
			v->roster = kt_roster_find(&c->roster, base);
			if (!v->roster)
				vest_note(c, v, KT_LOG_WARNING, "%s: vest %s is not in the roster %s; processed without a player name",
				     "%s: Weste %s steht nicht im Kader %s; ohne Spielernamen ausgewertet",
				     v->path, base, c->roster_file);
		}
	}
	/* players whose vest gave nothing: worth a word, not an error */
	for (size_t k = 0; c->have_roster && k < c->roster.n; k++) {
		const struct kt_roster_entry *e = &c->roster.entries[k];
		const struct kt_vest_report *failed = NULL;
		bool found = false;
		for (size_t i = 0; i < c->rep.n_vests && !found; i++) {
			const struct kt_vest_report *v = &c->rep.vests[i];
			found = v->ok && v->roster == e;
			if (!v->ok && !failed && !strcmp(v->vest_id, e->vest_id))
				failed = v;
		}
		if (found || c->o->quiet)
			continue;
		if (failed) /* its error is above: say it is the same player */
			log_info("%s:%u: vest %s (%s) is left out: %s gave no result", c->roster_file, e->line,
				 e->vest_id, *e->player ? e->player : "no name", failed->path);
		else
			log_info("%s:%u: no data for vest %s (%s) in this session", c->roster_file, e->line,
				 e->vest_id, *e->player ? e->player : "no name");
	}
}

static int
move_into_place(struct ctx *c)
{
	char *players = path_join(c->staging, "players");
	int r = 0;

	if (!players)
		return -ENOMEM;
	for (size_t i = 0; i < c->rep.n_vests && r == 0; i++) {
		struct kt_vest_report *v = &c->rep.vests[i];
		char *from = NULL, *to = NULL;

		if (!v->ok)
			continue;
		r = kt_mkdir_p(players, 0750);
		if (r == 0 && (asprintf(&from, "%s/v%zu", c->staging, i) < 0 ||
			       asprintf(&to, "%s/%s", players, v->vest_id) < 0))
			r = -ENOMEM;
		if (r == 0 && rename(from, to) < 0)
			r = -errno;
		free(from);
		free(to);
	}
	free(players);
	return r;
}

/* Move everything from src into dst (merging directories, replacing files),
 * except the entry named skip. */
static int
merge_tree(const char *src, const char *dst, const char *skip)
{
	DIR *d = opendir(src);
	struct dirent *de;
	int r = 0;

	if (!d)
		return -errno;
	while (r == 0 && (de = readdir(d))) {
		char *s = NULL, *t = NULL;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (skip && !strcmp(de->d_name, skip))
			continue;
		if (asprintf(&s, "%s/%s", src, de->d_name) < 0 ||
		    asprintf(&t, "%s/%s", dst, de->d_name) < 0) {
			free(s);
			r = -ENOMEM;
			break;
		}
		if (lstat(s, &st) < 0) {
			r = -errno;
		} else if (S_ISDIR(st.st_mode)) {
			if (mkdir(t, 0750) < 0 && errno != EEXIST)
				r = -errno;
			if (r == 0)
				r = merge_tree(s, t, NULL);
			if (r == 0 && rmdir(s) < 0)
				r = -errno;
		} else if (rename(s, t) < 0) {
			r = -errno;
		}
		free(s);
		free(t);
	}
	closedir(d);
	return r;
}

static int
move_file(const char *src_dir, const char *dst_dir, const char *name)
{
	char *s = path_join(src_dir, name), *t = path_join(dst_dir, name);
	int r = 0;

	if (!s || !t)
		r = -ENOMEM;
	else if (rename(s, t) < 0)
		r = -errno;
	free(s);
	free(t);
	return r;
}

static void
remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d))) {
			char *p;
			struct stat st;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			p = path_join(path, de->d_name);
			if (!p)
				continue;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				remove_tree(p);
			else
				unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(path);
}

/* A run that was killed (Ctrl-C, power cut) leaves its staging folder:
 * remove those whose process is gone. */
static void
remove_stale_staging(const char *outdir)
{
	DIR *d = opendir(outdir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		long pid;
		char *end, *p;

		if (!kt_startswith(de->d_name, ".kicktrack-"))
			continue;
		pid = strtol(de->d_name + strlen(".kicktrack-"), &end, 10);
		if (pid <= 0 || *end != '-')
			continue;
		if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		p = path_join(outdir, de->d_name);
		if (p) {
			log_debug("removing %s, left by an interrupted run", p);
			remove_tree(p);
			free(p);
		}
	}
	closedir(d);
}

/* ------------------------------------------------ an earlier run's outputs */

/* First words of the comment of an estimated pitch.ini */
#define PITCH_ESTIMATE_MARK "Pitch estimated by kicktrack "

/* A name kicktrack gives a file in a player's folder: a CSV, a chart, or a
 * chart being drawn (NAME.part, left by a killed run). */
static bool
is_player_file(const char *name)
{
	const char *n;

	for (size_t k = 0; k < N_VEST_FILES; k++)
		if (!strcmp(name, vest_files[k]))
			return true;
	for (unsigned k = 0; (n = kt_report_player_file(k)); k++) {
		size_t len = strlen(n);
		if (!strncmp(name, n, len) && (!name[len] || !strcmp(name + len, ".part")))
			return true;
	}
	return false;
}

/* Remove dir/name if it is a regular file (or a symlink: unlinked, its
 * target kept). Returns 0, also if there is none. */
static int
unlink_file(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	struct stat st;
	int r = 0;

	if (!p)
		return -ENOMEM;
	if (lstat(p, &st) == 0 && !S_ISDIR(st.st_mode) && unlink(p) < 0)
		r = log_warning_errno(-errno, "cannot remove %s, left by an earlier run: %m", p);
	free(p);
	return r;
}

/* A folder of players/ that this run did not write. If the earlier run's
 * session.json lists it (listed), kicktrack's files in it are from that run:
 * they go, and the folder too unless other files are in it. Otherwise it
 * goes only if it holds nothing but files with kicktrack's names (a vest of
 * a run before that); one with anything else is left as it is. */
static void
remove_stale_player(const char *dir, bool listed)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *foreign = NULL;

	if (!d)
		return;
	while ((de = readdir(d)) && !foreign) {
		char *p;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = path_join(dir, de->d_name);
		if (!p || lstat(p, &st) < 0 || !S_ISREG(st.st_mode) || !is_player_file(de->d_name))
			foreign = strdup(de->d_name);
		free(p);
	}
	closedir(d);
	if (foreign && !listed) {
		log_warning("%s is not from this run and was left as it is: kicktrack did not write %s in it (remove the folder if its data is not wanted)",
			    dir, foreign);
		free(foreign);
		return;
	}
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (is_player_file(de->d_name))
			(void) unlink_file(dir, de->d_name);
	if (d)
		closedir(d);
	if (foreign)
		log_warning("%s is not from this run: the earlier run's files in it were removed, %s (not kicktrack's) was kept",
			    dir, foreign);
	else if (rmdir(dir) < 0)
		log_warning_errno(-errno, "cannot remove %s, left by an earlier run: %m", dir);
	else
		log_debug("removed %s, left by an earlier run", dir);
	free(foreign);
}

static bool
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* An estimated pitch.ini of an earlier run, when this run wrote none (and
 * does not read it as its pitch file). */
static void
remove_stale_pitch(struct ctx *c)
{
	char *p = path_join(c->o->outdir, "pitch.ini");
	char line[128];
	FILE *f;

	if (!p)
		return;
	if (!same_file(p, c->rep.pitch_file) && (f = fopen(p, "re"))) {
		bool estimate = fgets(line, sizeof(line), f) && !strncmp(line, "# " PITCH_ESTIMATE_MARK,
									strlen("# " PITCH_ESTIMATE_MARK));
		fclose(f);
		if (estimate)
			(void) unlink_file(c->o->outdir, "pitch.ini");
	}
	free(p);
}

/* This run's outputs are in OUTDIR (all but session.json): what an earlier
 * run wrote and this one did not goes, so that OUTDIR holds this session
 * only: the folders of vests not in this run, the charts (made again next,
 * unless --no-charts), an estimated pitch.ini. Files kicktrack does not
 * write are never touched. */
static void
remove_previous_outputs(struct ctx *c)
{
	const char *out = c->o->outdir;
	char *players = path_join(out, "players");
	char **prev = NULL;
	size_t n_prev = 0;
	const char *n;
	DIR *d;
	struct dirent *de;

	/* the earlier run's session.json (this run's is not in OUTDIR yet) */
	bool prev_run = kt_rep_read_session_vests(out, &prev, &n_prev) == 0;
	if (prev_run)
		for (unsigned k = 0; (n = kt_report_outdir_file(k)); k++)
			(void) unlink_file(out, n);
	if (strcmp(c->rep.pitch_source, "estimated") != 0)
		remove_stale_pitch(c);
	d = players ? opendir(players) : NULL;
	while (d && (de = readdir(d))) {
		char *p;
		struct stat st;
		bool ours = false;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = path_join(players, de->d_name);
		if (!p || lstat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(p);
			continue;
		}
		for (size_t i = 0; i < c->rep.n_vests && !ours; i++)
			ours = c->rep.vests[i].ok && !strcmp(c->rep.vests[i].vest_id, de->d_name);
		if (ours) {
			for (unsigned k = 0; (n = kt_report_player_file(k)); k++)
				(void) unlink_file(p, n);
		} else {
			bool listed = false;
			for (size_t i = 0; i < n_prev && !listed; i++)
				listed = !strcmp(prev[i], de->d_name);
			remove_stale_player(p, listed);
		}
		free(p);
	}
	if (d)
		closedir(d);
	free(players);
	kt_rep_vest_ids_free(prev, n_prev);
}

static int
write_session_files(struct ctx *c)
{
	char *p;
	int r;

	p = path_join(c->staging, "team.csv");
	r = p ? kt_write_team_csv(p, &c->rep, &c->style) : -ENOMEM;
	if (r < 0) {
		log_error_errno(r, "cannot write %s: %m", p ? p : "team.csv");
		free(p);
		return r;
	}
	free(p);
	if (c->rep.have_pitch && c->rep.pitch_source && !strcmp(c->rep.pitch_source, "estimated")) {
		char comment[512];
		snprintf(comment, sizeof(comment),
			 PITCH_ESTIMATE_MARK "%s from the pooled positions of %u vest%s.\n"
			 "Check the corners (corner1 -> corner2 runs along a touchline) and reuse\n"
			 "this file with 'kicktrack process --pitch pitch.ini'.",
			 KT_VERSION, c->rep.pitch_estimate_vests, c->rep.pitch_estimate_vests == 1 ? "" : "s");
		p = path_join(c->staging, "pitch.ini");
		r = p ? kt_pitch_file_write(p, &c->rep.pitch, c->rep.pitch_name, comment) : -ENOMEM;
		if (r < 0)
			note(c, KT_LOG_ERR, "cannot write the estimated pitch.ini: %s%.0s",
			     "die geschätzte pitch.ini kann nicht geschrieben werden: %.0s%s", strerror(-r),
			     kt_strerror_de(-r));
		free(p);
	}
	/* last: its status must say what happened */
	p = path_join(c->staging, "session.json");
	r = p ? kt_write_session_json(p, &c->rep) : -ENOMEM;
	if (r < 0)
		log_error_errno(r, "cannot write %s: %m", p ? p : "session.json");
	free(p);
	return r;
}

static void
ctx_free(struct ctx *c)
{
	for (size_t i = 0; i < c->rep.n_vests; i++) {
		free(c->rep.vests[i].path);
		free(c->rep.vests[i].error);
		free(c->rep.vests[i].off);
		kt_result_clear(&c->rep.vests[i].res);
	}
	free(c->rep.vests);
	for (size_t i = 0; i < c->rep.n_warnings; i++) {
		free(c->rep.warnings[i]);
		free(c->rep.warnings_de[i]);
		free(c->rep.warning_page[i].en);
		free(c->rep.warning_page[i].de);
	}
	free(c->rep.warning_page);
	free(c->rep.warnings);
	free(c->rep.warnings_de);
	free(c->rep.warning_vest);
	kt_roster_clear(&c->roster);
	free(c->roster_file);
	free(c->roster_abs);
	free(c->pitch_file);
	free(c->session_dir);
	free(c->staging);
	for (size_t i = 0; c->pool && i < c->rep.n_vests; i++)
		free(c->pool[i].pos);
	free(c->pool);
	pthread_mutex_destroy(&c->lock);
}

int
kt_pipeline_run(const struct kt_pipeline_opts *o, struct kt_pipeline_summary *ret_summary)
{
	struct ctx c = { .o = o };
	int status = KT_PIPELINE_FAILED;
	int charts_missing = 0;
	bool created_outdir = false;
	unsigned n_ok = 0;
	int r = 0, lock_fd = -1;

	if (!o->outdir || !*o->outdir || o->n_inputs == 0) {
		log_error("nothing to do: give vest logs or a session directory, and -o OUTDIR");
		return KT_PIPELINE_USAGE;
	}
	/* Each vest allocates and frees tens of MB of arrays. Keep that memory
	 * in the heap between vests instead of mmap/munmap per array: the page
	 * faults of fresh mappings cost a quarter of the run's CPU time
	 * otherwise. (Process-wide; the CLI and the daemon's child exit after.) */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	pthread_mutex_init(&c.lock, NULL);
	c.params = o->params;
	c.params.hsr_kmh = o->params.zone_kmh[2]; /* HSR = Z4 + Z5 */
	kt_csv_style_init(&c.style, o->csv);
	c.rep.opts = o;
	c.rep.params = &c.params;
	c.rep.status = KT_PIPELINE_OK;
	c.rep.pitch_source = "none";

	r = collect_inputs(&c);
	if (r < 0) {
		log_error_errno(r, "cannot list the inputs: %m");
		goto out;
	}
	if (c.rep.n_vests == 0) {
		log_error("no vest logs found: nothing written");
		goto out;
	}

	struct stat ost;
	created_outdir = stat(o->outdir, &ost) < 0;
	r = kt_mkdir_p(o->outdir, 0750);
	if (r < 0) {
		log_error_errno(r, "cannot create output directory %s: %m", o->outdir);
		goto out;
	}
	/* two runs into one folder (by hand beside kicktrackd, or twice)
	 * would mix their outputs: the second one stops at once */
	r = kt_dir_lock(o->outdir, &lock_fd);
	if (r == -EBUSY && o->lock_wait_s > 0) {
		log_info("%s is being written by another kicktrack run: waiting up to %u s",
			 o->outdir, o->lock_wait_s);
		r = kt_dir_lock_wait(o->outdir, o->lock_wait_s, &lock_fd);
	}
	if (r == -EBUSY) {
		log_error("%s is being written by another kicktrack run (process or report): "
			  "nothing changed; run again once it has finished", o->outdir);
		goto out;
	}
	if (r < 0) {
		log_error_errno(r, "cannot lock %s/" KT_DIR_LOCK_NAME ": %m", o->outdir);
		goto out;
	}
	remove_stale_staging(o->outdir);
	if (asprintf(&c.staging, "%s/.kicktrack-%ld-XXXXXX", o->outdir, (long)getpid()) < 0 ||
	    !mkdtemp(c.staging)) {
		r = -errno;
		log_error_errno(r, "cannot create a staging directory in %s: %m", o->outdir);
		free(c.staging);
		c.staging = NULL;
		goto out;
	}

	load_roster(&c);
	load_pitch(&c);
	plan_vest_logs(&c);

	c.prog.on = o->progress && !o->quiet && isatty(STDERR_FILENO);
	kt_log_set_status_line(c.prog.on);
	clock_gettime(CLOCK_MONOTONIC, &c.prog.start);
	c.prog.total_files = (unsigned)c.rep.n_vests;
	for (size_t i = 0; i < c.rep.n_vests; i++) {
		struct stat st;
		if (stat(c.rep.vests[i].path, &st) == 0)
			c.prog.total_bytes += (uint64_t)st.st_size;
	}
	c.pitch_later = !c.rep.have_pitch;
	if (c.pitch_later) {
		c.pool = calloc(c.rep.n_vests, sizeof(*c.pool));
		if (!c.pool) {
			log_error("out of memory");
			goto out;
		}
	}

	if (o->from.set || o->to.set) {
		bool local = kt_window_local(&o->from, &o->to);
		char zone[16] = "";
		time_t now = time(NULL);
		struct tm tm;

		if (local && localtime_r(&now, &tm))
			strftime(zone, sizeof(zone), "%Z", &tm);
		log_info("only the time from %s to %s counts%s%s", o->from.set ? o->from.text : "the start",
			 o->to.set ? o->to.text : "the end", local ? ", local time " : "", zone);
	}
	if (o->partial_note)
		note(&c, KT_LOG_WARNING, "%s%.0s", "%.0s%s", o->partial_note,
		     o->partial_note_de ? o->partial_note_de : o->partial_note);
	run_all(&c, process_vest);
	progress_draw(&c, true);
	drop_duplicate_logs(&c);
	check_one_session(&c);
	if (c.pitch_later) {
		unsigned to_write = 0;

		estimate_pitch(&c);
		for (size_t i = 0; i < c.rep.n_vests; i++)
			to_write += c.rep.vests[i].ok;
		progress_writing(&c, to_write);
		run_all(&c, finish_vest);
		progress_draw(&c, true);
	}
	kt_log_set_status_line(false); /* the progress line is gone */

	if (atomic_load(&c.write_failed)) {
		/* not the logs' fault: a partial result would replace good outputs
		 * of an earlier run with nothing */
		log_error("the outputs could not be written (see above): nothing in %s was changed",
			  o->outdir);
		status = KT_PIPELINE_FAILED;
		goto out;
	}
	for (size_t i = 0; i < c.rep.n_vests; i++)
		n_ok += c.rep.vests[i].ok;
	if (n_ok == 0) {
		log_error("no vest log gave usable data: nothing written to %s", o->outdir);
		status = KT_PIPELINE_FAILED;
		goto out;
	}
	resolve_vests(&c);
	r = move_into_place(&c);
	if (r < 0) {
		log_error_errno(r, "cannot arrange the output in %s: %m", c.staging);
		goto out;
	}
	r = write_session_files(&c);
	if (r < 0)
		goto out;
	r = merge_tree(c.staging, o->outdir, "session.json");
	if (r == 0) {
		remove_previous_outputs(&c);
		/* last: a session.json says the run is complete */
		r = move_file(c.staging, o->outdir, "session.json");
	}
	if (r < 0) {
		log_error_errno(r, "cannot move the output into %s: %m", o->outdir);
		goto out;
	}
	status = c.rep.status;

	if (o->charts) {
		struct kt_report_opts ro;
		kt_report_opts_default(&ro);
		ro.lang = o->lang;
		ro.quiet = o->quiet;
		r = kt_report_render(o->outdir, &ro);
		if (r != 0) {
			status = KT_PIPELINE_PARTIAL;
			charts_missing = r;
			if (r < 0)
				log_error_errno(r, "no charts for %s: %m (the CSV and JSON files are complete)",
						o->outdir);
		}
	}
	if (!o->quiet && c.rep.have_pitch && !strcmp(c.rep.pitch_source, "estimated"))
		log_info("the estimated pitch is in %s: check it and reuse it with --pitch",
			 c.pitch_file ? c.pitch_file : "pitch.ini");
	if (!o->quiet) {
		size_t n_merged = 0;
		char logs[48] = "";

		for (size_t i = 0; i < c.rep.n_vests; i++)
			n_merged += c.rep.vests[i].merged;
		if (n_merged)
			snprintf(logs, sizeof(logs), " (from %zu logs)", c.rep.n_vests);
		log_info("%u of %zu vests processed%s; output in %s%s", n_ok, c.rep.n_vests - n_merged, logs,
			 o->outdir, status == KT_PIPELINE_OK ? "" : " (partial: see the messages above)");
	}
out:
	kt_log_set_status_line(false);
	if (c.staging)
		remove_tree(c.staging);
	if (status == KT_PIPELINE_FAILED && created_outdir && lock_fd >= 0) {
		/* a folder this run made and left empty goes again, lock and all */
		char *lp = path_join(o->outdir, KT_DIR_LOCK_NAME);
		if (lp)
			unlink(lp);
		free(lp);
	}
	if (status == KT_PIPELINE_FAILED && created_outdir)
		rmdir(o->outdir); /* only if still empty */
	kt_dir_unlock(lock_fd);
	if (ret_summary) {
		int werr = atomic_load(&c.write_errno);
		*ret_summary = (struct kt_pipeline_summary) {
			/* a step that failed on its own (the staging folder, a
			 * move, team.csv, session.json) left its error in r */
			.write_error = werr ? werr : status == KT_PIPELINE_FAILED && r < 0 ? r : 0,
			.n_logs = (unsigned)c.rep.n_vests,
			.n_vests_ok = n_ok,
			.n_vests_failed = (unsigned)c.rep.n_vests - n_ok,
			.n_warnings = (unsigned)c.rep.n_warnings,
			.charts_missing = charts_missing,
		};
	}
	ctx_free(&c);
	return status;
}
