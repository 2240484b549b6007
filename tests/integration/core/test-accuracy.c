/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Accuracy against ground truth: kicktrack-sim writes vest logs and what
 * really happened; we read each log with the ingest reader, run the core
 * with the pitch from pitch.ini and compare per player with the truth and
 * with the naive result (raw Doppler speed, plain thresholds, raw
 * differences for dv/dt). The bounds asserted are the table in
 * doc/filter.md section 7 (the struct bounds in main() below): per player
 * for distance, max speed, sprint count, PlayerLoad and heatmap r; as a
 * share of players for HSR and sprint distance (compared over valid time,
 * see truth_valid()) and for acceleration/deceleration counts, which a
 * run at its minimum duration flips either way at 10 Hz.
 *
 * Tuning aids: KT_TUNE_ONLY=none|realistic|sprints|harsh, KT_TUNE_SEEDS=FIRST-LAST
 * (realistic seeds, default 1-3), KT_TUNE_MINUTES=M (realistic session
 * length, default 20; doc/filter.md section 7 has what 90 gives),
 * KT_TUNE_FILTER=p0,p1,... (filter_param[]), KT_TUNE_IMU_NOISE=G.
 *
 * Usage: test-accuracy SIM_EXE   (exit 77 if the simulator is missing)
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/kt-core.h"
#include "ingest/kt-log.h"
#include "util/kt-ini.h"
#include "util/kt-strutil.h"

#define MAX_VESTS 32

static int failures;

#define CHECK(cond, ...)                                                           \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                               \
			fputc('\n', stderr);                                        \
			failures++;                                                 \
		}                                                                   \
	} while (0)

struct truth_row {
	char vest_id[16];
	double minutes, distance_m, zone_m[5], hsr_m, sprints, sprint_m, max_speed_kmh, acc, dec, pl;
	double heat[17 * 21];
};

struct metrics {
	double distance_m, hsr_m, sprint_m, max_speed_kmh, sprints, acc, dec, pl, heat_r;
};

struct bounds {
	const char *name;
	double dist_rel, dist_valid_rel, hsr_rel, hsr_abs, sprint_m_rel, sprint_m_abs, max_rel, sprints_abs;
	double eff_abs, eff_rel, eff_share, pl_rel, heat_r, heat_r_min;
	double share;        /* HSR, sprint distance, heatmap r >= heat_r: for this share of players */
	bool naive_check;
	const char *drill;   /* kicktrack-sim --drill; NULL: its default, a training game */
};

/* players within each bound, pooled over the sessions of one kind */
struct tally {
	unsigned n, hsr, sprint_m, eff, heat;
};

/* ---- pitch.ini ---- */
static int
pitch_cb(const char *path, unsigned line, const char *section, const char *key, const char *value, void *ud)
{
	struct kt_pitch *p = ud;
	int r = 0;

	if (strcmp(key, "length_m") == 0)
		r = kt_safe_atod(value, &p->length_m);
	else if (strcmp(key, "width_m") == 0)
		r = kt_safe_atod(value, &p->width_m);
	else if (strncmp(key, "corner", 6) == 0 && key[6] >= '1' && key[6] <= '4' && !key[7]) {
		char buf[128], *comma;
		int i = key[6] - '1';

		snprintf(buf, sizeof(buf), "%s", value);
		comma = strchr(buf, ',');
		if (!comma)
			return -EINVAL;
		*comma = 0;
		r = kt_safe_atod(buf, &p->lat_deg[i]);
		if (r >= 0)
			r = kt_safe_atod(comma + 1, &p->lon_deg[i]);
	}
	if (r < 0)
		fprintf(stderr, "%s:%u: bad value for %s\n", path, line, key);
	return r;
}

/* ---- truth/team.csv: simple CSV, no quoted fields ---- */
static int
read_truth(const char *dir, struct truth_row *rows, size_t *ret_n)
{
	char path[512], line[2048];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/truth/team.csv", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EBADMSG;
	}
	while (n < MAX_VESTS && fgets(line, sizeof(line), f)) {
		char *fld[40], *s = line;
		int nf = 0;
		struct truth_row *t = &rows[n];

		line[strcspn(line, "\r\n")] = 0;
		while (nf < 40) {
			fld[nf++] = s;
			s = strchr(s, ',');
			if (!s)
				break;
			*s++ = 0;
		}
		if (nf < 28)
			continue;
		memset(t, 0, sizeof(*t));
		snprintf(t->vest_id, sizeof(t->vest_id), "%s", fld[0]);
		double *dst[] = { &t->minutes, &t->distance_m, &t->zone_m[0], &t->zone_m[1], &t->zone_m[2],
				  &t->zone_m[3], &t->zone_m[4], &t->hsr_m, &t->sprints, &t->sprint_m,
				  &t->max_speed_kmh, &t->acc, &t->dec, &t->pl };
		for (int k = 0; k < 14; k++)
			if (kt_safe_atod(fld[4 + k], dst[k]) < 0)
				*dst[k] = NAN;

		snprintf(path, sizeof(path), "%s/truth/%s/heatmap.csv", dir, t->vest_id);
		FILE *h = fopen(path, "re");
		if (h) {
			for (int i = 0; i < 17 * 21; i++)
				if (fscanf(h, " %lf ,", &t->heat[i]) != 1)
					t->heat[i] = NAN;
			fclose(h);
		}
		n++;
	}
	fclose(f);
	*ret_n = n;
	return 0;
}

/*
 * The truth over the time our result counts as valid: a gap (> 2 s without
 * a valid fix) is never integrated (metrics.md), so what a player ran during
 * one is not ours to find. From the simulator's 10 Hz true speed, per
 * interval between two consecutive valid rows of our 10 Hz series:
 *   distance: the trapezoids over the valid intervals;
 *   HSR and sprint distance: the exact truth (100 Hz) less what the 10 Hz
 *     truth puts into gaps, i.e. its HSR and sprint distance over all
 *     intervals minus over the valid ones, where a gap also ends a sprint
 *     run (a sprint cut by a gap counts only if a part of >= 1 s remains).
 * Without gaps these are the exact truth.
 */
struct valid_truth {
	double distance_m, hsr_m, sprint_m;
};

struct sprint_acc {
	double hsr_m, sprint_m, run_s, run_m;
};

static void
sprint_acc_step(struct sprint_acc *s, double v0, double v1, double dt, bool valid)
{
	double d = 0.5 * (v0 + v1) * dt, kmh = 0.5 * (v0 + v1) * 3.6;

	if (valid && kmh >= 19.8)
		s->hsr_m += d;
	if (valid && kmh >= 25.2) {
		s->run_s += dt;
		s->run_m += d;
		return;
	}
	if (s->run_s >= 1.0 - 1e-9)
		s->sprint_m += s->run_m;
	s->run_s = s->run_m = 0;
}

static int
truth_valid(const char *dir, const struct truth_row *t, int64_t start_us, const struct kt_result *res,
	    struct valid_truth *ret)
{
	char path[600], line[256];
	double *v = NULL, sum = 0;
	bool *valid = NULL;
	size_t n = 0, cap = 0;
	struct sprint_acc all = {0}, in_valid = {0};
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/truth/%s/timeseries.csv", dir, t->vest_id) >= (int) sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EBADMSG;
	}
	while (fgets(line, sizeof(line), f)) {
		double tt, x, y, kmh;

		if (sscanf(line, "%lf,%lf,%lf,%lf", &tt, &x, &y, &kmh) != 4)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			double *nv = realloc(v, cap * sizeof(double));
			if (!nv)
				break;
			v = nv;
		}
		v[n++] = kmh / 3.6;
	}
	fclose(f);
	valid = n ? calloc(n, sizeof(bool)) : NULL;
	if (!valid) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 1; i < res->n_series; i++) {
		const struct kt_sample10 *a = &res->series[i - 1], *b = &res->series[i];
		long ia, ib;

		if (isnan(a->speed_kmh) || isnan(b->speed_kmh))
			continue;
		ia = lround((double) (a->t_us - start_us) / 1e5);
		ib = lround((double) (b->t_us - start_us) / 1e5);
		if (ia < 0 || ib < 0 || (size_t) ib >= n)
			continue;
		sum += 0.5 * (v[ia] + v[ib]) * (double) (b->t_us - a->t_us) / 1e6;
		for (long k = ia; k < ib; k++)
			valid[k] = true;
	}
	for (size_t k = 0; k + 1 < n; k++) {
		sprint_acc_step(&all, v[k], v[k + 1], 0.1, true);
		sprint_acc_step(&in_valid, v[k], v[k + 1], 0.1, valid[k]);
	}
	sprint_acc_step(&all, 0, 0, 0.1, false);
	sprint_acc_step(&in_valid, 0, 0, 0.1, false);
	*ret = (struct valid_truth){
		.distance_m = sum,
		.hsr_m = t->hsr_m - (all.hsr_m - in_valid.hsr_m),
		.sprint_m = t->sprint_m - (all.sprint_m - in_valid.sprint_m),
	};
	free(valid);
	free(v);
	return 0;
}

static double
pearson(const double *a, const double *b, size_t n)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;

	for (size_t i = 0; i < n; i++) {
		ma += a[i] / (double) n;
		mb += b[i] / (double) n;
	}
	for (size_t i = 0; i < n; i++) {
		sab += (a[i] - ma) * (b[i] - mb);
		saa += (a[i] - ma) * (a[i] - ma);
		sbb += (b[i] - mb) * (b[i] - mb);
	}
	return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

/* ---- the naive method: raw Doppler speed, plain thresholds, raw differences ---- */
static void
run_naive(const struct kt_fix *f, size_t n, struct metrics *m)
{
	double prev_t = NAN, prev_v = NAN, sprint_dur = 0, sprint_d = 0, eff_dur = 0;
	int eff_sign = 0;
	bool eff_counted = false;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		double t, v, dt, a, d;
		int sign;

		if (!kt_fix_is_valid(&f[i]))
			continue;
		t = (double) f[i].t_us / 1e6;
		v = f[i].speed_mps;
		m->max_speed_kmh = fmax(m->max_speed_kmh, v * 3.6);
		if (isnan(prev_t) || t - prev_t > 2.0) {
			prev_t = t;
			prev_v = v;
			sprint_dur = sprint_d = 0;
			eff_dur = 0;
			eff_sign = 0;
			continue;
		}
		dt = t - prev_t;
		d = 0.5 * (v + prev_v) * dt;
		m->distance_m += d;
		if (v * 3.6 >= 19.8)
			m->hsr_m += d;
		if (v * 3.6 >= 25.2) {
			sprint_dur += dt;
			sprint_d += d;
		} else {
			if (sprint_dur >= 1.0) {
				m->sprints++;
				m->sprint_m += sprint_d;
			}
			sprint_dur = sprint_d = 0;
		}
		a = (v - prev_v) / dt;
		sign = a >= 3.0 ? 1 : a <= -3.0 ? -1 : 0;
		if (sign != eff_sign) {
			eff_sign = sign;
			eff_dur = 0;
			eff_counted = false;
		}
		if (sign) {
			eff_dur += dt;
			if (!eff_counted && eff_dur >= 0.5 - 1e-9) {
				eff_counted = true;
				if (sign > 0)
					m->acc++;
				else
					m->dec++;
			}
		}
		prev_t = t;
		prev_v = v;
	}
}

static double
rel_err(double got, double want)
{
	return want != 0 ? fabs(got - want) / fabs(want) : fabs(got);
}

static bool
effort_ok(double got, double want, double abs_tol, double rel_tol)
{
	return fabs(got - want) <= fmax(abs_tol, rel_tol * want);
}

static int
run_session(const char *sim, const char *noise, unsigned seed, unsigned players, double minutes,
	    const struct bounds *b, struct tally *tl)
{
	char dir[] = "/tmp/kt-accuracy-XXXXXX", cmd[1024], path[600];
	struct truth_row truth[MAX_VESTS];
	struct kt_pitch pitch = {};
	struct kt_params params;
	size_t nt = 0;
	unsigned eff_ok = 0, n_players = 0;
	double ours_err = 0, naive_err = 0, ours_eff_err = 0, naive_eff_err = 0, ours_max_err = 0,
	       naive_max_err = 0;
	int r;

	if (!mkdtemp(dir))
		return -errno;
	snprintf(cmd, sizeof(cmd),
		 "'%s' -o '%s' -p %u -m %g -s %u -n %s -f mixed --nmea-every 3 --truth-series --drill %s >/dev/null", sim,
		 dir, players, minutes, seed, noise, b->drill ? b->drill : "match");
	r = system(cmd);
	if (r != 0) {
		fprintf(stderr, "simulator failed (%d): %s\n", r, cmd);
		failures++;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/pitch.ini", dir);
	r = kt_ini_parse(path, pitch_cb, &pitch);
	CHECK(r >= 0 && kt_pitch_validate(&pitch) == 0, "pitch.ini %s: %d", path, r);
	r = read_truth(dir, truth, &nt);
	CHECK(r >= 0 && nt == players, "truth: %d, %zu rows", r, nt);

	kt_params_default(&params);
	/* the simulator's noise-free vests have a noise-free accelerometer too:
	 * say so, as one would for a known sensor (the estimate is never 0) */
	if (strcmp(noise, "none") == 0)
		params.imu_noise_g = 0;
	/* tuning aid: KT_TUNE_FILTER="p0,p1,..." overrides filter_param[] */
	if (getenv("KT_TUNE_FILTER")) {
		char buf[256], *save = NULL, *tok;
		unsigned i = 0;

		snprintf(buf, sizeof(buf), "%s", getenv("KT_TUNE_FILTER"));
		for (tok = strtok_r(buf, ",", &save); tok && i < KT_FILTER_NPARAM; tok = strtok_r(NULL, ",", &save))
			if (kt_safe_atod(tok, &params.filter_param[i]) >= 0)
				i++;
	}
	if (getenv("KT_TUNE_IMU_NOISE"))
		kt_safe_atod(getenv("KT_TUNE_IMU_NOISE"), &params.imu_noise_g);
	printf("\n== %s noise, seed %u, %u players x %g min ==\n", noise, seed, players, minutes);
	printf("%-8s %-6s %9s %8s %8s %7s %4s %4s %4s %8s %6s\n", "vest", "", "dist_m", "hsr_m", "sprint_m",
	       "max_kmh", "spr", "acc", "dec", "PL", "heat_r");

	for (size_t v = 0; v < nt; v++) {
		struct truth_row *t = &truth[v];
		struct kt_log log;
		struct kt_track *tr = NULL;
		struct kt_result res;
		struct metrics ours, naive;
		uint64_t dropped = 0;
		const char *ext[] = { "ubx", "nmea" };

		char id[16];

		snprintf(id, sizeof(id), "%.15s", t->vest_id);
		r = -ENOENT;
		for (int e = 0; e < 2 && r < 0; e++) {
			snprintf(path, sizeof(path), "%s/%s.%s", dir, id, ext[e]);
			if (access(path, R_OK) == 0)
				r = kt_log_read(path, &log);
		}
		CHECK(r >= 0, "read log of %s: %d", t->vest_id, r);
		if (r < 0)
			continue;
		log.n_fixes = kt_fixes_sort_dedup(log.fixes, log.n_fixes, &dropped);
		log.n_imu = kt_imu_sort_dedup(log.imu, log.n_imu);
		run_naive(log.fixes, log.n_fixes, &naive);

		r = kt_track_new(&params, &pitch, &tr);
		CHECK(r >= 0, "track: %d", r);
		if (r < 0) {
			kt_log_clear(&log);
			continue;
		}
		/* interleave by time as a live feed would */
		for (size_t i = 0, j = 0; i < log.n_fixes || j < log.n_imu;) {
			if (j >= log.n_imu || (i < log.n_fixes && log.fixes[i].t_us <= log.imu[j].t_us))
				kt_track_feed_fix(tr, &log.fixes[i++]);
			else
				kt_track_feed_imu(tr, &log.imu[j++]);
		}
		r = kt_track_finish(tr, &res);
		CHECK(r >= 0, "finish: %d", r);
		if (r < 0) {
			kt_track_free(tr);
			kt_log_clear(&log);
			continue;
		}
		ours = (struct metrics){
			.distance_m = res.distance_m, .hsr_m = res.hsr_m, .sprint_m = res.sprint_m,
			.max_speed_kmh = res.max_speed_kmh, .sprints = (double) res.n_sprints,
			.acc = res.accelerations, .dec = res.decelerations, .pl = res.player_load,
			.heat_r = res.heat_s && res.heat_nx == 21 && res.heat_ny == 17 ?
					  pearson(res.heat_s, t->heat, 17 * 21) : NAN,
		};

		if (getenv("KT_DEBUG_MAX")) {
			size_t im = 0;

			for (size_t i = 0; i < res.n_series; i++)
				if (res.series[i].speed_kmh > res.series[im].speed_kmh)
					im = i;
			for (size_t i = im > 15 ? im - 15 : 0; i < res.n_series && i < im + 15; i++)
				printf("  %zu t=%.1f v=%.2f a=%.2f\n", i, (double) (res.series[i].t_us % 100000000) / 1e6,
				       res.series[i].speed_kmh, res.series[i].accel_ms2);
			for (size_t i = 0; i < log.n_fixes; i++)
				if (llabs(log.fixes[i].t_us - res.series[im].t_us) < 2000000)
					printf("  raw t=%.1f v=%.2f q=%d hdop=%.1f sv=%d\n",
					       (double) (log.fixes[i].t_us % 100000000) / 1e6, log.fixes[i].speed_mps * 3.6,
					       log.fixes[i].quality, log.fixes[i].hdop, log.fixes[i].num_sv);
		}
		struct valid_truth vt = { NAN, NAN, NAN };

		r = truth_valid(dir, t, (int64_t) log.header.start_unix * 1000000, &res, &vt);
		CHECK(r >= 0, "truth series of %s: %d", t->vest_id, r);
		double tvalid = vt.distance_m;

		printf("%-8s %-6s %9.1f %8.1f %8.1f %7.2f %4.0f %4.0f %4.0f %8.2f %6.3f   (over valid time: %.1f m, HSR %.1f m, sprints %.1f m)\n",
		       t->vest_id, "truth",
		       t->distance_m, t->hsr_m, t->sprint_m, t->max_speed_kmh, t->sprints, t->acc, t->dec, t->pl,
		       1.0, tvalid, vt.hsr_m, vt.sprint_m);
		printf("%-8s %-6s %9.1f %8.1f %8.1f %7.2f %4.0f %4.0f %4.0f %8.2f %6.3f   (gaps %u, %.1f s; IMU noise %.4f g)\n", "",
		       "ours", ours.distance_m, ours.hsr_m, ours.sprint_m, ours.max_speed_kmh, ours.sprints,
		       ours.acc, ours.dec, ours.pl, ours.heat_r, res.gaps, res.gap_s, res.player_load_noise_g);
		printf("%-8s %-6s %9.1f %8.1f %8.1f %7.2f %4.0f %4.0f %4.0f\n", "", "naive", naive.distance_m,
		       naive.hsr_m, naive.sprint_m, naive.max_speed_kmh, naive.sprints, naive.acc, naive.dec);

		CHECK(rel_err(ours.distance_m, t->distance_m) <= b->dist_rel, "%s %s distance %.1f vs %.1f",
		      b->name, t->vest_id, ours.distance_m, t->distance_m);
		CHECK(rel_err(ours.distance_m, tvalid) <= b->dist_valid_rel,
		      "%s %s distance %.1f vs %.1f over valid time", b->name, t->vest_id, ours.distance_m, tvalid);
		/* threshold metrics: a sprint or an effort right at its minimum
		 * duration flips either way at 10 Hz, so these are shares */
		tl->n++;
		if (fabs(ours.hsr_m - vt.hsr_m) <= fmax(b->hsr_rel * vt.hsr_m, b->hsr_abs))
			tl->hsr++;
		else
			printf("  (outside: %s HSR %.1f vs %.1f over valid time)\n", t->vest_id, ours.hsr_m, vt.hsr_m);
		if (fabs(ours.sprint_m - vt.sprint_m) <= fmax(b->sprint_m_rel * vt.sprint_m, b->sprint_m_abs))
			tl->sprint_m++;
		else
			printf("  (outside: %s sprint distance %.1f vs %.1f over valid time)\n", t->vest_id,
			       ours.sprint_m, vt.sprint_m);
		if (ours.heat_r >= b->heat_r)
			tl->heat++;
		CHECK(rel_err(ours.max_speed_kmh, t->max_speed_kmh) <= b->max_rel, "%s %s max speed %.2f vs %.2f",
		      b->name, t->vest_id, ours.max_speed_kmh, t->max_speed_kmh);
		CHECK(fabs(ours.sprints - t->sprints) <= b->sprints_abs, "%s %s sprints %.0f vs %.0f", b->name,
		      t->vest_id, ours.sprints, t->sprints);
		if (!isnan(t->pl))
			CHECK(rel_err(ours.pl, t->pl) <= b->pl_rel, "%s %s PlayerLoad %.2f vs %.2f", b->name,
			      t->vest_id, ours.pl, t->pl);
		if (!isnan(b->heat_r_min))
			CHECK(ours.heat_r >= b->heat_r_min, "%s %s heatmap r %.3f", b->name, t->vest_id, ours.heat_r);
		if (effort_ok(ours.acc, t->acc, b->eff_abs, b->eff_rel) &&
		    effort_ok(ours.dec, t->dec, b->eff_abs, b->eff_rel)) {
			eff_ok++;
			tl->eff++;
		} else {
			printf("  (outside: %s accelerations %.0f vs %.0f, decelerations %.0f vs %.0f)\n", t->vest_id,
			       ours.acc, t->acc, ours.dec, t->dec);
		}
		n_players++;
		ours_err += fabs(ours.distance_m - tvalid);
		naive_err += fabs(naive.distance_m - tvalid);
		ours_max_err += fabs(ours.max_speed_kmh - t->max_speed_kmh);
		naive_max_err += fabs(naive.max_speed_kmh - t->max_speed_kmh);
		ours_eff_err += fabs(ours.acc - t->acc) + fabs(ours.dec - t->dec);
		naive_eff_err += fabs(naive.acc - t->acc) + fabs(naive.dec - t->dec);

		kt_result_clear(&res);
		kt_track_free(tr);
		kt_log_clear(&log);
	}
	printf("efforts within bounds: %u of %u players; |error| sums ours/naive: distance %.1f/%.1f m, "
	       "max speed %.2f/%.2f km/h, efforts %.0f/%.0f\n",
	       eff_ok, n_players, ours_err, naive_err, ours_max_err, naive_max_err, ours_eff_err, naive_eff_err);
	CHECK(n_players > 0, "%s: no player processed", b->name);
	if (b->naive_check) {
		CHECK(ours_max_err < naive_max_err, "%s max speed: ours %.2f not closer than naive %.2f", b->name,
		      ours_max_err, naive_max_err);
		CHECK(ours_eff_err < naive_eff_err, "%s efforts: ours %.0f not closer than naive %.0f", b->name,
		      ours_eff_err, naive_eff_err);
		CHECK(ours_err <= naive_err * 1.05 + 1.0, "%s distance over valid time: ours %.1f vs naive %.1f",
		      b->name, ours_err, naive_err);
	}
out:
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return 0;
}

static void
check_tally(const struct bounds *b, const struct tally *tl)
{
	printf("%s, %u players: HSR %u, sprint distance %u, efforts %u, heatmap r >= %.2f %u within bounds\n",
	       b->name, tl->n, tl->hsr, tl->sprint_m, tl->eff, b->heat_r, tl->heat);
	CHECK(tl->n > 0, "%s: no players", b->name);
	CHECK(tl->hsr >= b->share * tl->n, "%s: HSR within bounds for %u of %u", b->name, tl->hsr, tl->n);
	CHECK(tl->sprint_m >= b->share * tl->n, "%s: sprint distance within bounds for %u of %u", b->name,
	      tl->sprint_m, tl->n);
	CHECK(isnan(b->heat_r) || tl->heat >= b->share * tl->n, "%s: heatmap r >= %.2f for %u of %u", b->name,
	      b->heat_r, tl->heat,
	      tl->n);
	CHECK(tl->eff >= b->eff_share * tl->n, "%s: efforts within bounds for %u of %u", b->name, tl->eff, tl->n);
}

int
main(int argc, char **argv)
{
	/* doc/filter.md section 7 explains each bound */
	static const struct bounds realistic = {
		.name = "realistic", .dist_rel = 0.01, .dist_valid_rel = 0.01, .hsr_rel = 0.04, .hsr_abs = 5.0,
		.sprint_m_rel = 0.05, .sprint_m_abs = 5.0, .max_rel = 0.02, .sprints_abs = 1, .eff_abs = 2,
		.eff_rel = 0.10, .eff_share = 0.80, .pl_rel = 0.03, .heat_r = 0.95, .heat_r_min = 0.90,
		.share = 0.90, .naive_check = true,
	};
	/* Repeated 40 m sprints: half of the time standing, where a receiver's
	 * speed is its noise's length, not 0 (kt_rest_zero()): distance over
	 * valid time within 1 % (against all the truth 3 %: one 2.5 s gap in a
	 * sprint is 2 % of a 10-minute drill). PlayerLoad counts some accelerometer noise while
	 * standing (5 %). Not asserted here (doc/filter.md section 7): the
	 * heatmap r (most of the time on two spots, which 1 m of GNSS bias
	 * moves across a cell border: r 0.59-0.99) and the effort share (ten
	 * efforts of each kind a player). */
	static const struct bounds standing = {
		.name = "realistic sprints drill", .dist_rel = 0.03, .dist_valid_rel = 0.01, .hsr_rel = 0.04,
		.hsr_abs = 5.0, .sprint_m_rel = 0.05, .sprint_m_abs = 5.0, .max_rel = 0.02, .sprints_abs = 1,
		.eff_abs = 2, .eff_rel = 0.10, .eff_share = 0, .pl_rel = 0.05, .heat_r = NAN, .heat_r_min = NAN,
		.share = 0.90, .naive_check = true, .drill = "sprints",
	};
	static const struct bounds harsh = {
		.name = "harsh", .dist_rel = 0.03, .dist_valid_rel = 0.01, .hsr_rel = 0.10, .hsr_abs = 10.0,
		.sprint_m_rel = 0.15, .sprint_m_abs = 10.0, .max_rel = 0.03, .sprints_abs = 2, .eff_abs = 3,
		.eff_rel = 0.20, .eff_share = 0.80, .pl_rel = 0.08, .heat_r = 0.75, .heat_r_min = 0.75,
		.share = 0.85, .naive_check = true,
	};
	static const struct bounds none = {
		.name = "none", .dist_rel = 0.002, .dist_valid_rel = 0.002, .hsr_rel = 0.02, .hsr_abs = 2.0,
		.sprint_m_rel = 0.05, .sprint_m_abs = 3.0, .max_rel = 0.005, .sprints_abs = 1, .eff_abs = 2,
		.eff_rel = 0.10, .eff_share = 0.80, .pl_rel = 0.001, .heat_r = 0.99, .heat_r_min = 0.99,
		.share = 1.0, .naive_check = false,
	};
	struct tally t_none = {}, t_real = {}, t_stand = {}, t_harsh = {};
	const char *sim = argc > 1 ? argv[1] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!sim || access(sim, X_OK) != 0) {
		fprintf(stderr, "simulator not available: %s\n", sim ? sim : "(none)");
		return 77;
	}
	/* tuning aid: KT_TUNE_ONLY=none|realistic|sprints|harsh runs one kind of session */
	const char *only = getenv("KT_TUNE_ONLY");

	if (!only || strcmp(only, "none") == 0) {
		run_session(sim, "none", getenv("KT_TUNE_SEED") ? (unsigned) atoi(getenv("KT_TUNE_SEED")) : 7,
			    getenv("KT_TUNE_SEED") ? 8 : 6, getenv("KT_TUNE_SEED") ? 20 : 15, &none, &t_none);
		check_tally(&none, &t_none);
	}
	if (!only || strcmp(only, "realistic") == 0) {
		/* KT_TUNE_SEEDS=FIRST-LAST runs other realistic seeds than 1-3 */
		unsigned first = 1, last = 3;

		if (getenv("KT_TUNE_SEEDS") && sscanf(getenv("KT_TUNE_SEEDS"), "%u-%u", &first, &last) != 2)
			first = 1, last = 3;
		for (unsigned seed = first; seed <= last; seed++)
			run_session(sim, "realistic", seed, 8,
				    getenv("KT_TUNE_MINUTES") ? atof(getenv("KT_TUNE_MINUTES")) : 20, &realistic, &t_real);
		check_tally(&realistic, &t_real);
	}
	if (!only || strcmp(only, "sprints") == 0) {
		run_session(sim, "realistic", getenv("KT_TUNE_SEED") ? (unsigned) atoi(getenv("KT_TUNE_SEED")) : 21, 8,
			    10, &standing, &t_stand);
		check_tally(&standing, &t_stand);
	}
	if (!only || strcmp(only, "harsh") == 0) {
		run_session(sim, "harsh", 11, 8, 20, &harsh, &t_harsh);
		check_tally(&harsh, &t_harsh);
	}

	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
