/* SPDX-License-Identifier: EUPL-1.2 */
/* One simulated session: roster, pitch, one log per vest, and the truth. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kt-config.h"
#include "sim.h"
#include "util/kt-fileio.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

static const char *const names[] = {
	"Jörg Müller",	     "Lukas Schäfer", "Jürgen Weiß",   "Björn Köhler",	  "Tobias Krüger",
	"Maximilian Bäcker", "Fabian Möller", "Sören Hoß",     "Niklas Groß",	  "Leon Schröder",
	"Paul Günther",	     "Felix Jäger",   "Elias Kühn",    "Moritz Brückner", "Tim Schütz",
	"Luca Hänsel",	     "Finn Dörr",     "Jan Röder",     "Erik Mäurer",	  "Noah Strauß",
	"Henrik Wöhler",     "David Sänger",  "Till Brünger",  "Ömer Yıldız",	  "Mats Lüders",
	"Ben Fröhlich",	     "Jonas Gärtner", "Malte Sühring", "Anton Nüßlein",	  "Emil Bößert",
};

const char *
sim_player_name(unsigned index)
{
	return names[index % (sizeof(names) / sizeof(names[0]))];
}

static unsigned
jersey_number(const struct sim_player *p, const struct sim_config *c)
{
	static const unsigned by_slot[11] = {1, 4, 8, 9, 2, 6, 5, 10, 11, 3, 7};
	unsigned teams = c->players >= 12 ? 2 : 1;
	unsigned k = teams == 2 ? p->index / 2 : p->index;
	unsigned n = k < 11 ? by_slot[k] : 12 + (k - 11);

	return p->team == 1 ? n + 20 : n;
}

static bool
vest_is_nmea(const struct sim_config *c, unsigned i)
{
	switch (c->format) {
	case SIM_FORMAT_UBX:
		return false;
	case SIM_FORMAT_NMEA:
		return true;
	default:
		if (c->nmea_every > 0)
			return (i + 1) % c->nmea_every == 0;
		return i + 1 == c->players;
	}
}

struct vest_result {
	char vest_id[9];
	struct sim_player player;
	unsigned number;
	struct sim_truth truth;
	double fix_pct;
	unsigned gaps;
};

static int
open_out(const char *dir, const char *name, struct kt_atomic_file *ret)
{
	char *path;
	int r;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	r = kt_atomic_open(path, 0644, ret);
	if (r < 0)
		log_error_errno(r, "cannot create %s: %m", path);
	free(path);
	return r;
}

static int
commit_out(struct kt_atomic_file *a)
{
	char *path = strdup(a->path ? a->path : "?");
	int r = kt_atomic_commit(a, false, false);

	if (r < 0)
		log_error_errno(r, "cannot write %s: %m", path ? path : "output");
	free(path);
	return r;
}

static int
write_pitch(const struct sim_config *c, const struct sim_pitch_geo *g, const char *dir)
{
	struct kt_atomic_file a;
	double L = c->pitch_length_m, W = c->pitch_width_m;
	const double cx[4] = {0, L, L, 0}, cy[4] = {0, 0, W, W};
	int r = open_out(dir, "pitch.ini", &a);

	if (r < 0)
		return r;
	fprintf(a.f, "# kicktrack pitch file\n[pitch]\nname = %s\nlength_m = %g\nwidth_m = %g\n",
		c->pitch_name, L, W);
	fprintf(a.f,
		"# corners around the pitch: 1 at x=0,y=0; 2 at x=length,y=0 (same touchline); "
		"3 at x=length,y=width; 4 at x=0,y=width\n");
	for (int i = 0; i < 4; i++) {
		double lat, lon;
		sim_pitch_xy_to_latlon(g, cx[i], cy[i], &lat, &lon);
		fprintf(a.f, "corner%d = %.8f, %.8f\n", i + 1, lat, lon);
	}
	return commit_out(&a);
}

static int
write_roster(const struct sim_config *c, const struct vest_result *v, const char *dir)
{
	struct kt_atomic_file a;
	int r = open_out(dir, "roster.csv", &a);

	if (r < 0)
		return r;
	fprintf(a.f, "vest_id,player,number,position\n");
	for (unsigned i = 0; i < c->players; i++)
		fprintf(a.f, "%s,%s,%u,%s\n", v[i].vest_id, sim_player_name(i), v[i].number,
			sim_role_to_str(v[i].player.role));
	return commit_out(&a);
}

/* prints a number with fixed decimals; unknown (NaN) as an empty field */
static void
put_num(FILE *f, double v, int decimals)
{
	if (isnan(v))
		fputs(",", f);
	else
		fprintf(f, ",%.*f", decimals, v);
}

static int
write_team(const struct sim_config *c, const struct vest_result *v, const char *tdir)
{
	struct kt_atomic_file a;
	int r = open_out(tdir, "team.csv", &a);

	if (r < 0)
		return r;
	fprintf(a.f,
		"vest_id,player,number,position,minutes,distance_m,z1_m,z2_m,z3_m,z4_m,z5_m,hsr_m,"
		"sprints,sprint_m,max_speed_kmh,accelerations,decelerations,player_load,"
		"player_load_per_min,metabolic_power_wkg,high_power_m,work_rate_m_min,"
		"peak1_m,peak3_m,peak5_m,fix_pct,gaps,rejected_frames\n");
	for (unsigned i = 0; i < c->players; i++) {
		const struct sim_truth *t = &v[i].truth;
		double minutes = t->duration_s / 60.0;
		double pl = c->imu ? t->player_load : NAN;

		fprintf(a.f, "%s,%s,%u,%s", v[i].vest_id, sim_player_name(i), v[i].number,
			sim_role_to_str(v[i].player.role));
		put_num(a.f, minutes, 3);
		put_num(a.f, t->distance_m, 3);
		for (int z = 0; z < 5; z++)
			put_num(a.f, t->zone_m[z], 3);
		put_num(a.f, t->zone_m[3] + t->zone_m[4], 3);
		fprintf(a.f, ",%zu", t->n_sprints);
		put_num(a.f, t->sprint_m, 3);
		put_num(a.f, t->max_mps * 3.6, 3);
		fprintf(a.f, ",%u,%u", t->accelerations, t->decelerations);
		put_num(a.f, pl, 3);
		put_num(a.f, pl / minutes, 3);
		put_num(a.f, t->power_int / t->duration_s, 3);
		put_num(a.f, t->high_power_m, 3);
		put_num(a.f, t->distance_m / minutes, 3);
		for (int w = 0; w < 3; w++)
			put_num(a.f, t->peak_m[w], 3);
		put_num(a.f, v[i].fix_pct, 3);
		fprintf(a.f, ",%u,0\n", v[i].gaps);
	}
	return commit_out(&a);
}

static int
write_vest_truth(const struct sim_config *c,
		 const struct vest_result *v,
		 const struct sim_gnss *g,
		 const char *tdir)
{
	struct kt_atomic_file a;
	char *dir = NULL;
	int r;

	if (asprintf(&dir, "%s/%s", tdir, v->vest_id) < 0)
		return -ENOMEM;
	r = kt_mkdir_p(dir, 0755);
	if (r < 0) {
		log_error_errno(r, "cannot create %s: %m", dir);
		goto out;
	}

	if ((r = open_out(dir, "heatmap.csv", &a)) < 0)
		goto out;
	for (int y = 0; y < 17; y++) {
		for (int x = 0; x < 21; x++)
			fprintf(a.f, "%s%.2f", x ? "," : "", v->truth.heat_s[y][x]);
		fputc('\n', a.f);
	}
	if ((r = commit_out(&a)) < 0)
		goto out;

	if ((r = open_out(dir, "sprints.csv", &a)) < 0)
		goto out;
	/* the columns of kicktrack process's players/VEST/sprints.csv */
	fprintf(a.f, "sprint,start_utc,start_t_s,duration_s,distance_m,top_speed_kmh,threshold_kmh,"
		     "min_duration_s\n");
	for (size_t i = 0; i < v->truth.n_sprints; i++) {
		const struct sim_truth_sprint *s = &v->truth.sprints[i];
		char utc[40];
		kt_fmt_utc(utc, sizeof(utc),
			   c->start_unix * INT64_C(1000000) + llround(s->start_s * 1e6), 3);
		fprintf(a.f, "%zu,%s,%.2f,%.2f,%.3f,%.3f,25.2,1.00\n", i + 1, utc, s->start_s,
			s->duration_s, s->dist_m, s->top_mps * 3.6);
	}
	if ((r = commit_out(&a)) < 0)
		goto out;

	if ((r = open_out(dir, "events.csv", &a)) < 0)
		goto out;
	fprintf(a.f, "event,start_s,epochs,duration_s,value\n");
	for (size_t i = 0; i < g->n_events; i++) {
		const struct sim_event *e = &g->events[i];
		fprintf(a.f, "%s,%.2f,%u,%.2f,%.3f\n", sim_event_kind_to_str(e->kind),
			(double)e->start_epoch / c->gnss_hz, e->n_epochs,
			(double)e->n_epochs / c->gnss_hz, e->value);
	}
	r = commit_out(&a);
out:
	free(dir);
	return r;
}

static int
simulate_vest(const struct sim_config *c,
	      const struct sim_pitch_geo *geo,
	      struct vest_result *v,
	      const char *outdir,
	      const char *tdir)
{
	bool nmea = vest_is_nmea(c, v->player.index);
	uint64_t n_steps = (uint64_t)llround(c->minutes * 60.0 * SIM_TRUTH_HZ);
	unsigned gnss_div = SIM_TRUTH_HZ / c->gnss_hz, imu_div = SIM_TRUTH_HZ / c->imu_hz;
	struct sim_motion *m = NULL;
	struct sim_gnss g;
	struct sim_imu_out io;
	struct sim_imu_truth it = {0};
	struct sim_state prev;
	struct kt_atomic_file a, ts = {0};
	char name[32];
	char *buf = NULL;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	r = sim_truth_init(&v->truth, n_steps);
	if (r < 0)
		goto out_free;
	r = sim_gnss_init(&g, c, geo, v->player.index, nmea);
	if (r < 0)
		goto out_free;
	sim_imu_out_init(&io, c, v->player.index, nmea);
	sim_motion_init(m, c, &v->player);

	snprintf(name, sizeof(name), "%s.%s", v->vest_id, nmea ? "nmea" : "ubx");
	if ((r = open_out(outdir, name, &a)) < 0)
		goto out_gnss;
	buf = malloc(1 << 20);
	if (buf)
		setvbuf(a.f, buf, _IOFBF, 1 << 20);

	if (c->truth_series) {
		char *vdir = NULL;
		if (asprintf(&vdir, "%s/%s", tdir, v->vest_id) < 0) {
			r = -ENOMEM;
		} else {
			r = kt_mkdir_p(vdir, 0755);
			if (r < 0)
				log_error_errno(r, "cannot create %s: %m", vdir);
			else
				r = open_out(vdir, "timeseries.csv", &ts);
			free(vdir);
		}
		if (r < 0) {
			kt_atomic_abort(&a);
			goto out_gnss;
		}
		fprintf(ts.f, "t_s,x_m,y_m,speed_kmh,accel_ms2,heading_deg\n");
	}

	r = sim_write_header(a.f, v->vest_id, c->start_unix, nmea);
	for (uint64_t k = 0; k < n_steps && r >= 0; k++) {
		double acc[3], gyr[3];

		sim_motion_step(m, &prev);
		if (k % gnss_div == 0)
			r = sim_gnss_epoch(&g, a.f, &prev);
		if (ts.f && k % 10 == 0)
			fprintf(ts.f, "%.2f,%.3f,%.3f,%.3f,%.3f,%.1f\n", prev.t_s, prev.x, prev.y,
				prev.v * 3.6, prev.a, fmod(prev.psi * 180.0 / M_PI + 360.0, 360.0));
		sim_imu_true_sample(&it, &prev, acc, gyr);
		sim_truth_feed_acc(&v->truth, acc);
		if (r >= 0 && c->imu && k % imu_div == 0)
			r = sim_imu_out_sample(&io, a.f, prev.t_s, acc, gyr);
		if (r >= 0)
			r = sim_truth_feed_interval(&v->truth, &prev, m->s.v);
		sim_truth_feed_position(&v->truth, prev.x, prev.y, SIM_DT);
	}
	if (r >= 0 && c->imu)
		r = sim_imu_out_flush(&io, a.f);
	/* the last epoch closes the session at exactly --minutes */
	if (r >= 0)
		r = sim_gnss_epoch(&g, a.f, &m->s);
	if (r < 0) {
		log_error_errno(r, "cannot write %s/%s: %m", outdir, name);
		kt_atomic_abort(&a);
		if (ts.f)
			kt_atomic_abort(&ts);
		goto out_gnss;
	}
	if ((r = commit_out(&a)) < 0) {
		if (ts.f)
			kt_atomic_abort(&ts);
		goto out_gnss;
	}
	if (ts.f && (r = commit_out(&ts)) < 0)
		goto out_gnss;

	sim_truth_finish(&v->truth);
	v->fix_pct = 100.0 * (double)g.valid_epochs / (double)g.epoch;
	v->gaps = sim_gnss_gaps(&g);
	r = write_vest_truth(c, v, &g, tdir);
out_gnss:
	sim_gnss_clear(&g);
out_free:
	free(buf);
	free(m);
	return r;
}

static int
write_settings(const struct sim_config *c, const char *tdir)
{
	struct kt_atomic_file a;
	char start[40];
	int r = open_out(tdir, "sim.ini", &a);

	if (r < 0)
		return r;
	kt_fmt_utc(start, sizeof(start), c->start_unix * INT64_C(1000000), 0);
	fprintf(a.f,
		"# how this session was simulated; the truth uses the default thresholds of "
		"doc/metrics.md\n"
		"[sim]\nversion = %s\nseed = %llu\nplayers = %u\nminutes = %g\nstart = %s\n"
		"format = %s\nnmea_every = %u\nnoise = %s\ndrill = %s\ngnss_hz = %u\nimu_hz = "
		"%u\nimu = %s\n"
		"pitch_lat = %.8f\npitch_lon = %.8f\npitch_heading_deg = %g\n",
		KT_VERSION, (unsigned long long)c->seed, c->players, c->minutes, start,
		sim_format_to_str(c->format), c->nmea_every, sim_noise_to_str(c->noise),
		sim_drill_to_str(c->drill), c->gnss_hz, c->imu_hz, c->imu ? "yes" : "no",
		c->pitch_lat, c->pitch_lon, c->pitch_heading_deg);
	fprintf(a.f, "\n[truth]\nrate_hz = 100\nzone_kmh = 7.2, 14.4, 19.8, 25.2\nhsr_kmh = 19.8\n"
		     "sprint_kmh = 25.2\nsprint_min_s = 1.0\neffort_ms2 = 3.0\neffort_min_s = 0.5\n"
		     "high_power_wkg = 20\nheat_cell_m = 5 x 4\n"
		     "player_load = noise-free true accelerometer at 100 Hz\n");
	return commit_out(&a);
}

static bool
is_session_file(const char *name)
{
	return kt_endswith(name, ".ubx") || kt_endswith(name, ".nmea") ||
	       strcmp(name, "roster.csv") == 0 || strcmp(name, "pitch.ini") == 0;
}

/* Remove what a previous run wrote into dir/truth: known files only. */
static void
remove_old_truth(const char *tdir)
{
	static const char *const files[] = {"heatmap.csv", "sprints.csv", "events.csv",
					    "timeseries.csv"};
	DIR *d = opendir(tdir);
	struct dirent *de;
	char *path;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || asprintf(&path, "%s/%s", tdir, de->d_name) < 0)
			continue;
		if (strcmp(de->d_name, "team.csv") == 0 || strcmp(de->d_name, "sim.ini") == 0) {
			(void)unlink(path);
		} else {
			for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
				char *f;
				if (asprintf(&f, "%s/%s", path, files[i]) >= 0) {
					(void)unlink(f);
					free(f);
				}
			}
			(void)rmdir(path);
		}
		free(path);
	}
	closedir(d);
}

/* An output directory must be new or empty (hidden files aside), or (with
 * --force) hold only a simulated session, which is then replaced: stale vest
 * logs of a bigger earlier run must not end up in the new session. */
static int
prepare_outdir(const struct sim_config *c, const char *outdir)
{
	DIR *d = opendir(outdir);
	struct dirent *de;
	char *path;
	int r = 0;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		return log_error_errno(r, "cannot open %s: %m", outdir);
	}
	while ((de = readdir(d)) && r == 0) {
		const char *n = de->d_name;
		/* hidden files (a benchmark's stamp, an editor's state) are left alone */
		if (n[0] == '.')
			continue;
		if (!c->force) {
			log_error("%s is not empty (it holds %s): choose a new directory, or "
				  "--force to replace the "
				  "simulated session in it",
				  outdir, n);
			r = -EEXIST;
		} else if (!is_session_file(n) && strcmp(n, "truth") != 0) {
			log_error("%s holds %s, which kicktrack-sim did not write: not replacing "
				  "anything there",
				  outdir, n);
			r = -EEXIST;
		}
	}
	if (r == 0 && c->force) {
		rewinddir(d);
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.' ||
			    asprintf(&path, "%s/%s", outdir, de->d_name) < 0)
				continue;
			if (is_session_file(de->d_name))
				(void)unlink(path);
			else if (strcmp(de->d_name, "truth") == 0)
				remove_old_truth(path);
			free(path);
		}
	}
	closedir(d);
	return r;
}

int
sim_run(const struct sim_config *c, const char *outdir)
{
	struct sim_pitch_geo geo;
	struct vest_result *v;
	char *tdir = NULL;
	int r, ret = 0;

	r = prepare_outdir(c, outdir);
	if (r < 0)
		return r;
	if (asprintf(&tdir, "%s/truth", outdir) < 0)
		return -ENOMEM;
	r = kt_mkdir_p(tdir, 0755);
	if (r < 0) {
		log_error_errno(r, "cannot create %s: %m", tdir);
		free(tdir);
		return r;
	}
	v = calloc(c->players, sizeof(*v));
	if (!v) {
		free(tdir);
		return -ENOMEM;
	}
	sim_pitch_geo_init(&geo, c);
	for (unsigned i = 0; i < c->players; i++) {
		struct sim_rng rng;

		sim_rng_seed(&rng, c->seed, 5, i);
		sim_player_init(&v[i].player, c, i, &rng);
		v[i].number = jersey_number(&v[i].player, c);
		char id[32];

		snprintf(id, sizeof(id), "%s%04u", c->vest_prefix, (i + 1) % 10000);
		memcpy(v[i].vest_id, id, sizeof(v[i].vest_id) - 1);
	}

	if ((r = write_pitch(c, &geo, outdir)) < 0 || (r = write_roster(c, v, outdir)) < 0 ||
	    (r = write_settings(c, tdir)) < 0) {
		ret = r;
		goto out;
	}
	for (unsigned i = 0; i < c->players; i++) {
		r = simulate_vest(c, &geo, &v[i], outdir, tdir);
		if (r < 0) {
			ret = r;
			goto out;
		}
		log_debug("%s: %.0f m", v[i].vest_id, v[i].truth.distance_m);
	}
	ret = write_team(c, v, tdir);
out:
	for (unsigned i = 0; i < c->players; i++)
		sim_truth_clear(&v[i].truth);
	free(v);
	free(tdir);
	return ret;
}
