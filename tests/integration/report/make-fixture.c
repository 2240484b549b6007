/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Writes a synthetic OUTDIR as `kicktrack process` would (team.csv,
 * session.json, players/<vest_id>/{timeseries,sprints,heatmap}.csv) so the
 * report can be tested and benchmarked without logs.
 *
 *   make-fixture OUTDIR N_PLAYERS MINUTES c|de
 *
 * Players move as a random walk between speed targets (walk .. sprint);
 * vest 1 has a one-sample speed spike, vest 2 a 40 s signal gap and 5 s of
 * empty speeds; names carry
 * umlauts and characters HTML must escape. Deterministic (fixed seed).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NX 21
#define NY 17
#define L_M 105.0
#define W_M 68.0

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static double
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double) (rng_state >> 11) / 9007199254740992.0;
}

static const char *const names[] = {
	"Jürgen Müller", "Özil Çelik", "O'Brien <Jr> & \"Sohn\"", "Björn Größmann", "Luca Rossi",
	"Jonas Weiß", "Mehmet Yılmaz", "Tim Schäfer", "Paul Köhler", "Max Bauer", "Leon Fuchs",
	"Felix Hahn", "Noah Krüger", "Elias Vogel", "Ben Schröder", "Finn Lange", "Emil Jäger",
	"Anton Brandt", "David Sommer", "Jan Kühn", "Lukas Wolf", "Erik Haas", "Moritz Peters",
	"Nils Roth", "Ole Frank", "Theo Kraus", "Karl Lenz", "Hugo Busch", "Pius Graf", "Ida Nowak",
};
static const char *const positions[] = { "Torwart", "Abwehr", "Mittelfeld", "Sturm" };

struct stats {
	double dist, zone[5], hsr, sprint_m, vmax;
	unsigned sprints, acc, dec;
	double heat[NY][NX];
};

static const double zone_lo[5] = { 0, 7.2, 14.4, 19.8, 25.2 };

static int
zone_of(double kmh)
{
	int z = 0;
	for (int i = 1; i < 5; i++)
		if (kmh >= zone_lo[i])
			z = i;
	return z;
}

static void
num(FILE *f, double v, int dec, bool de)
{
	char buf[64], *p;

	snprintf(buf, sizeof(buf), "%.*f", dec, v);
	if (de && (p = strchr(buf, '.')))
		*p = ',';
	fputs(buf, f);
}

static int
write_player(const char *outdir, int idx, double minutes, bool de, struct stats *st)
{
	char path[4096];
	FILE *ts, *sp, *hm;
	const char sep = de ? ';' : ',';
	size_t n = (size_t) (minutes * 600.0);
	double v = 0, target = 5, x, y, heading = rnd() * 6.283, home_x, home_y;
	double *speed = calloc(n, sizeof(double)), *acc = calloc(n, sizeof(double));
	double *px = calloc(n, sizeof(double)), *py = calloc(n, sizeof(double));
	bool *gap = calloc(n, sizeof(bool)), *in_sp = calloc(n, sizeof(bool));

	if (!speed || !acc || !px || !py || !gap || !in_sp)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	home_x = 15 + (idx % 4) * 25 + rnd() * 10;
	home_y = 8 + rnd() * (W_M - 16);
	x = home_x;
	y = home_y;
	for (size_t i = 0; i < n; i++) {
		double a, r;

		if (rnd() < 0.03) {
			r = rnd();
			target = r < 0.35 ? 4 + rnd() * 3 : r < 0.65 ? 9 + rnd() * 4 : r < 0.85 ? 15 + rnd() * 4
							: r < 0.96 ? 20 + rnd() * 4 : 26 + rnd() * 6;
		}
		a = (target - v) / 3.6 * 1.2;         /* m/s² towards the target */
		if (a > 4.5)
			a = 4.5;
		if (a < -5)
			a = -5;
		v += a * 3.6 * 0.1;
		if (v < 0)
			v = 0;
		speed[i] = v;
		acc[i] = a;
		heading += (rnd() - 0.5) * 0.4 + 0.02 * ((home_x - x) * sin(heading) - (home_y - y) * cos(heading)) / 10.0;
		x += v / 3.6 * 0.1 * cos(heading);
		y += v / 3.6 * 0.1 * sin(heading);
		if (x < 0 || x > L_M)
			heading = M_PI - heading;
		if (y < 0 || y > W_M)
			heading = -heading;
		x = fmin(fmax(x, 0), L_M);
		y = fmin(fmax(y, 0), W_M);
		/* drift back home now and then */
		if (rnd() < 0.005)
			heading = atan2(home_y - y, home_x - x);
		px[i] = x;
		py[i] = y;
	}
	/* vest 2: a 40 s signal loss at 1/3 (no rows) and 5 s of empty speed at 2/3 */
	if (idx == 1 && n > 3000) {
		for (size_t i = n / 3; i < n / 3 + 400; i++)
			gap[i] = true;
		for (size_t i = 2 * n / 3; i < 2 * n / 3 + 50; i++)
			speed[i] = NAN;
	}
	/* vest 1: one 10 Hz sample far above its neighbours, which a chart's
	 * decimation must not lose */
	if (idx == 0 && n > 1000)
		speed[n / 2 + 3] = 34.5;
	/* sprints: >= 25.2 km/h for >= 1 s */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double d = 0, top = 0;
		while (j < n && !gap[j] && isfinite(speed[j]) && speed[j] >= 25.2) {
			d += speed[j] / 3.6 * 0.1;
			top = fmax(top, speed[j]);
			j++;
		}
		if (j - i >= 10) {
			for (size_t k = i; k < j; k++)
				in_sp[k] = true;
			st->sprints++;
			st->sprint_m += d;
		}
		i = j > i ? j : i + 1;
	}
	/* efforts: |a| >= 3 for >= 0.5 s */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		int sgn = acc[i] >= 3 ? 1 : acc[i] <= -3 ? -1 : 0;
		while (sgn && j < n && (sgn > 0 ? acc[j] >= 3 : acc[j] <= -3))
			j++;
		if (sgn && j - i >= 5) {
			if (sgn > 0)
				st->acc++;
			else
				st->dec++;
		}
		i = j > i ? j : i + 1;
	}

	snprintf(path, sizeof(path), "%s/players/V%02d", outdir, idx + 1);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/players/V%02d/timeseries.csv", outdir, idx + 1);
	ts = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/players/V%02d/sprints.csv", outdir, idx + 1);
	sp = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/players/V%02d/heatmap.csv", outdir, idx + 1);
	hm = fopen(path, "w");
	if (!ts || !sp || !hm)
		return -errno;
	if (de) {
		fputs("\xef\xbb\xbf", ts);
		fputs("\xef\xbb\xbf", sp);
		fputs("\xef\xbb\xbf", hm);
	}
	fprintf(ts, "t_s%cutc%clat%clon%cx_m%cy_m%cspeed_kmh%caccel_ms2%czone%cin_sprint\n", sep, sep, sep,
		sep, sep, sep, sep, sep, sep);
	fprintf(sp, "start_s%cduration_s%cdistance_m%ctop_speed_kmh\n", sep, sep, sep);
	for (size_t i = 0; i < n; i++) {
		double t = i * 0.1;
		unsigned s = (unsigned) t;

		if (gap[i])
			continue;
		num(ts, t, 1, de);
		/* (the utc column as each flavour writes it: the reporter must read either) */
		if (de)
			fprintf(ts, "%c2026-11-24 18:%02u:%02u,%u00%c", sep, 30 + s / 60 % 30, s % 60, (unsigned) (i % 10), sep);
		else
			fprintf(ts, "%c2026-11-24T18:%02u:%02u.%u00Z%c", sep, 30 + s / 60 % 30, s % 60, (unsigned) (i % 10),
				sep);
		num(ts, 52.5 + py[i] / 111000.0, 7, de);
		fputc(sep, ts);
		num(ts, 13.4 + px[i] / 68000.0, 7, de);
		fputc(sep, ts);
		num(ts, px[i], 2, de);
		fputc(sep, ts);
		num(ts, py[i], 2, de);
		fputc(sep, ts);
		if (isfinite(speed[i])) {
			num(ts, speed[i], 2, de);
			fputc(sep, ts);
			num(ts, acc[i], 2, de);
			fprintf(ts, "%c%d%c%d\n", sep, zone_of(speed[i]) + 1, sep, in_sp[i] ? 1 : 0);
			st->dist += speed[i] / 3.6 * 0.1;
			st->zone[zone_of(speed[i])] += speed[i] / 3.6 * 0.1;
			st->vmax = fmax(st->vmax, speed[i]);
			{
				int cx = (int) (px[i] / 5.0), cy = (int) (py[i] / 4.0);
				cx = cx < 0 ? 0 : cx >= NX ? NX - 1 : cx;
				cy = cy < 0 ? 0 : cy >= NY ? NY - 1 : cy;
				st->heat[cy][cx] += 0.1;
			}
		} else
			fprintf(ts, "%c%c0%c0\n", sep, sep, sep);
	}
	st->hsr = st->zone[3] + st->zone[4];
	for (int r = 0; r < NY; r++)
		for (int c = 0; c < NX; c++) {
			num(hm, st->heat[r][c], 1, de);
			fputc(c == NX - 1 ? '\n' : sep, hm);
		}
	fclose(ts);
	fclose(sp);
	fclose(hm);
	free(speed);
	free(acc);
	free(px);
	free(py);
	free(gap);
	free(in_sp);
	return 0;
}

int
main(int argc, char **argv)
{
	char path[4096];
	FILE *team, *js;
	int n;
	double minutes;
	bool de;
	char sep;

	if (argc != 5) {
		fprintf(stderr, "usage: make-fixture OUTDIR N_PLAYERS MINUTES c|de\n");
		return 2;
	}
	n = atoi(argv[2]);
	minutes = atof(argv[3]);
	de = !strcmp(argv[4], "de");
	sep = de ? ';' : ',';
	if (n < 1 || n > 99 || !(minutes > 0)) {
		fprintf(stderr, "make-fixture: bad arguments\n");
		return 2;
	}
	mkdir(argv[1], 0755);
	snprintf(path, sizeof(path), "%s/players", argv[1]);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/team.csv", argv[1]);
	team = fopen(path, "w");
	if (!team) {
		perror(path);
		return 1;
	}
	if (de)
		fputs("\xef\xbb\xbf", team);
	{
		static const char *const cols[] = {
			"vest_id", "player", "number", "position", "minutes", "distance_m", "z1_m", "z2_m",
			"z3_m", "z4_m", "z5_m", "hsr_m", "sprints", "sprint_m", "max_speed_kmh",
			"accelerations", "decelerations", "player_load", "player_load_per_min",
			"metabolic_power_wkg", "high_power_m", "work_rate_m_min", "peak1_m", "peak3_m",
			"peak5_m", "fix_pct", "gaps", "rejected_frames",
		};
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
			fprintf(team, "%s%c", cols[i], i + 1 < sizeof(cols) / sizeof(cols[0]) ? sep : '\n');
	}
	for (int i = 0; i < n; i++) {
		struct stats st;
		const char *name = names[i % (sizeof(names) / sizeof(names[0]))];
		double vals[24];

		if (write_player(argv[1], i, minutes, de, &st) < 0) {
			perror("write_player");
			return 1;
		}
		fprintf(team, "V%02d%c\"", i + 1, sep);
		for (const char *p = name; *p; p++) {
			if (*p == '"')
				fputc('"', team);
			fputc(*p, team);
		}
		fprintf(team, "\"%c%d%c%s", sep, i + 1, sep, positions[i % 4]);
		vals[0] = minutes - (i == 1 ? 40.0 / 60 : 0);
		vals[1] = st.dist;
		for (int z = 0; z < 5; z++)
			vals[2 + z] = st.zone[z];
		vals[7] = st.hsr;
		vals[8] = st.sprints;
		vals[9] = st.sprint_m;
		vals[10] = st.vmax;
		vals[11] = st.acc;
		vals[12] = st.dec;
		vals[13] = st.dist / 10.0;
		vals[14] = vals[13] / minutes;
		vals[15] = 8 + rnd() * 3;
		vals[16] = st.hsr * 1.3;
		vals[17] = st.dist / minutes;
		vals[18] = fmin(st.dist, 150 + rnd() * 40);
		vals[19] = fmin(st.dist, 420 + rnd() * 80);
		vals[20] = fmin(st.dist, 650 + rnd() * 100);
		vals[21] = i == 1 ? 95.3 : 99.8;
		vals[22] = i == 1 ? 1 : 0;
		vals[23] = (double) (i * 7 % 13);
		for (int k = 0; k < 24; k++) {
			static const int dec[24] = { 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 2, 0, 0, 1, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0 };
			fputc(sep, team);
			num(team, vals[k], dec[k], de);
		}
		fputc('\n', team);
	}
	fclose(team);

	snprintf(path, sizeof(path), "%s/session.json", argv[1]);
	js = fopen(path, "w");
	if (!js) {
		perror(path);
		return 1;
	}
	fprintf(js, "{\n  \"date\": \"2026-11-24\",\n  \"start_utc\": \"2026-11-24T18:30:00.000Z\",\n"
		    "  \"pitch\": { \"name\": \"Sportplatz Am Wäldchen\", \"length_m\": 105, \"width_m\": 68, \"source\": \"file\" },\n"
		    "  \"thresholds\": { \"zone_kmh\": [7.2, 14.4, 19.8, 25.2], \"sprint_kmh\": 25.2, \"effort_ms2\": 3.0 },\n"
		    "  \"players\": %d\n}\n", n);
	fclose(js);
	return 0;
}
