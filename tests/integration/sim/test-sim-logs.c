/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * kicktrack-sim end to end: run the installed program, then
 * - the same seed gives the same bytes in every file, another seed does not;
 * - the truth does not depend on the noise mode;
 * - every log decodes with the ingest reader: header, epoch count and time
 *   span, IMU sample count and timing, valid fixes as the truth says;
 * - noise-free logs reproduce the truth: integral of the logged speed =
 *   truth distance, positions mapped through pitch.ini with the core's pitch
 *   frame give the truth heatmap;
 * - realistic logs stay close to the truth (speed integral within 3 %);
 * - harsh logs hold the injected errors events.csv lists (gaps, speed
 *   spikes, 2D fixes);
 * - bad options exit 2, an unwritable output directory exits 1, an earlier
 *   session in the output directory is only replaced with --force.
 * Usage: test-sim-logs /path/to/kicktrack-sim
 *
 * With a second argument, the checked-in sample session instead: the command
 * in samples/README.md must regenerate it byte for byte, so the sample always
 * shows what the simulator does (regenerate it on purpose when the model changes).
 * Usage: test-sim-logs /path/to/kicktrack-sim samples/session-2026-11-21
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/kt-core.h"
#include "ingest/kt-log.h"
#include "util/kt-fileio.h"
#include "util/kt-ini.h"
#include "util/kt-strutil.h"

#include "../../kt-test.h"

static const char *sim_path;

#define START_US (INT64_C(1795269600) * 1000000) /* 2026-11-21T14:00:00Z */
#define MINUTES 3
#define PLAYERS 3

static int
run_sim(const char *const *args)
{
	const char *argv[32];
	int n = 0, status;
	pid_t pid;

	argv[n++] = sim_path;
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execv(sim_path, (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static char *
slurp(const char *dir, const char *name, size_t *ret_len)
{
	char path[4096];
	char *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (kt_read_file(path, 256u << 20, &data, &len) < 0)
		return NULL;
	if (ret_len)
		*ret_len = len;
	return data;
}

static const char *const session_files[] = {
	"KT-0001.ubx",
	"KT-0002.ubx",
	"KT-0003.nmea",
	"roster.csv",
	"pitch.ini",
	"truth/team.csv",
	"truth/sim.ini",
	"truth/KT-0001/heatmap.csv",
	"truth/KT-0001/sprints.csv",
	"truth/KT-0001/events.csv",
	"truth/KT-0002/heatmap.csv",
	"truth/KT-0003/heatmap.csv",
	"truth/KT-0003/sprints.csv",
};

static bool
same_file(const char *a, const char *b, const char *name)
{
	size_t la, lb;
	char *da = slurp(a, name, &la), *db = slurp(b, name, &lb);
	bool same = da && db && la == lb && memcmp(da, db, la) == 0;

	CHECK(da && db, "%s missing in %s or %s", name, a, b);
	free(da);
	free(db);
	return same;
}

/* ---- truth/team.csv ---- */

struct team_row {
	char vest_id[16];
	double v[32];
};

static const char *const team_cols[] = {
	"vest_id",
	"player",
	"number",
	"position",
	"minutes",
	"distance_m",
	"z1_m",
	"z2_m",
	"z3_m",
	"z4_m",
	"z5_m",
	"hsr_m",
	"sprints",
	"sprint_m",
	"max_speed_kmh",
	"accelerations",
	"decelerations",
	"player_load",
	"player_load_per_min",
	"metabolic_power_wkg",
	"high_power_m",
	"work_rate_m_min",
	"peak1_m",
	"peak3_m",
	"peak5_m",
	"fix_pct",
	"gaps",
	"rejected_frames",
};
#define N_COLS (sizeof(team_cols) / sizeof(team_cols[0]))
enum {
	C_MINUTES = 4,
	C_DIST = 5,
	C_Z1 = 6,
	C_Z4 = 9,
	C_Z5 = 10,
	C_HSR = 11,
	C_SPRINTS = 12,
	C_SPRINT_M = 13,
	C_PL = 17,
	C_FIX_PCT = 25,
	C_GAPS = 26
};

static int
read_team(const char *dir, struct team_row *rows, int max)
{
	char *data = slurp(dir, "truth/team.csv", NULL), *save = NULL, *line;
	int n = -1;

	if (!data)
		return -1;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *fsave = NULL, *f;
		unsigned col = 0;

		if (n < 0) {
			/* header: the column names of kicktrack process, in its order */
			for (f = strtok_r(line, ",", &fsave); f;
			     f = strtok_r(NULL, ",", &fsave), col++)
				CHECK(col < N_COLS && strcmp(f, team_cols[col]) == 0,
				      "team.csv column %u is %s", col, f);
			CHECK(col == N_COLS, "team.csv has %u columns", col);
			n = 0;
			continue;
		}
		if (n >= max)
			break;
		for (f = strsep(&line, ","); f; f = strsep(&line, ","), col++) {
			if (col == 0)
				snprintf(rows[n].vest_id, sizeof(rows[n].vest_id), "%s", f);
			else if (col >= 4 && col < 32 && kt_safe_atod(f, &rows[n].v[col]) < 0)
				rows[n].v[col] = NAN;
		}
		CHECK(col == N_COLS, "team.csv row %d has %u fields", n, col);
		n++;
	}
	free(data);
	return n;
}

/* ---- pitch.ini ---- */

static int
pitch_cb(const char *path,
	 unsigned line,
	 const char *section,
	 const char *key,
	 const char *value,
	 void *userdata)
{
	struct kt_pitch *p = userdata;
	int corner;

	if (strcmp(section, "pitch") != 0)
		return 0;
	if (strcmp(key, "length_m") == 0)
		return kt_safe_atod(value, &p->length_m);
	if (strcmp(key, "width_m") == 0)
		return kt_safe_atod(value, &p->width_m);
	if (sscanf(key, "corner%d", &corner) == 1 && corner >= 1 && corner <= 4) {
		char buf[128], *comma;
		snprintf(buf, sizeof(buf), "%s", value);
		comma = strchr(buf, ',');
		if (!comma)
			return -EINVAL;
		*comma = '\0';
		if (kt_safe_atod(buf, &p->lat_deg[corner - 1]) < 0 ||
		    kt_safe_atod(comma + 1, &p->lon_deg[corner - 1]) < 0)
			return -EINVAL;
	}
	return 0;
}

static bool
read_heat(const char *dir, const char *vest, double heat[17][21])
{
	char name[1024], *data, *p;

	snprintf(name, sizeof(name), "truth/%s/heatmap.csv", vest);
	data = slurp(dir, name, NULL);
	if (!data)
		return false;
	p = data;
	for (int y = 0; y < 17; y++)
		for (int x = 0; x < 21; x++) {
			heat[y][x] = strtod(p, &p);
			if (*p == ',' || *p == '\n')
				p++;
		}
	free(data);
	return true;
}

static double
pearson(const double *a, const double *b, size_t n)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;

	for (size_t i = 0; i < n; i++) {
		ma += a[i];
		mb += b[i];
	}
	ma /= n;
	mb /= n;
	for (size_t i = 0; i < n; i++) {
		sab += (a[i] - ma) * (b[i] - mb);
		saa += (a[i] - ma) * (a[i] - ma);
		sbb += (b[i] - mb) * (b[i] - mb);
	}
	return sab / sqrt(saa * sbb);
}

/* decode each log of a session and hold it against the truth */
static void
check_logs(const char *dir, bool exact)
{
	static const char *const logs[PLAYERS] = {"KT-0001.ubx", "KT-0002.ubx", "KT-0003.nmea"};
	struct team_row rows[PLAYERS];
	struct kt_pitch pitch = {0};
	char path[4096];
	int n = read_team(dir, rows, PLAYERS);

	CHECK(n == PLAYERS, "%s: %d rows in truth/team.csv", dir, n);
	snprintf(path, sizeof(path), "%s/pitch.ini", dir);
	CHECK(kt_ini_parse(path, pitch_cb, &pitch) == 0, "%s unreadable", path);
	CHECK(kt_pitch_validate(&pitch) == 0, "%s: the core rejects the pitch", path);

	for (int i = 0; i < PLAYERS && i < n; i++) {
		struct kt_log log;
		size_t n_epochs = MINUTES * 600 + 1, valid = 0;
		unsigned gaps = 0;
		int64_t last_valid_us = -1;
		double dist = 0, heat[17][21] = {{0}}, truth_heat[17][21];
		int r;

		snprintf(path, sizeof(path), "%s/%s", dir, logs[i]);
		r = kt_log_read(path, &log);
		CHECK(r == 0, "cannot decode %s: %d", path, r);
		if (r < 0)
			continue;
		CHECK(log.header.present && strcmp(log.header.vest_id, rows[i].vest_id) == 0,
		      "%s: header vest id '%s'", path, log.header.vest_id);
		CHECK(log.n_fixes == n_epochs, "%s: %zu epochs, want %zu", path, log.n_fixes,
		      n_epochs);
		for (int k = 0; k < _KT_REJECT_MAX; k++)
			CHECK(log.stats.rejected[k] == 0, "%s: %llu frames rejected as %s", path,
			      (unsigned long long)log.stats.rejected[k],
			      kt_reject_reason_to_str(k));
		if (log.n_fixes > 0) {
			CHECK(log.fixes[0].t_us == START_US, "%s: first epoch at %lld", path,
			      (long long)log.fixes[0].t_us);
			CHECK(log.fixes[log.n_fixes - 1].t_us ==
				      START_US + MINUTES * 60 * INT64_C(1000000),
			      "%s: last epoch at %lld", path,
			      (long long)log.fixes[log.n_fixes - 1].t_us);
		}
		CHECK(log.n_imu == MINUTES * 6000, "%s: %zu IMU samples", path, log.n_imu);
		if (log.n_imu == MINUTES * 6000) {
			CHECK(log.imu[0].t_us == START_US, "%s: first IMU sample at %lld", path,
			      (long long)log.imu[0].t_us);
			CHECK(log.imu[1234].t_us == START_US + 12340000,
			      "%s: IMU sample 1234 at %lld", path, (long long)log.imu[1234].t_us);
			/* a vest on a body reads about 1 g on average */
			double az = 0;
			for (size_t k = 0; k < log.n_imu; k++)
				az += log.imu[k].acc_g[2];
			CHECK(fabs(az / log.n_imu - 1.0) < 0.05, "%s: mean az %f g", path,
			      az / log.n_imu);
		}

		for (size_t k = 0; k < log.n_fixes; k++) {
			const struct kt_fix *f = &log.fixes[k];
			double x, y;
			if (!kt_fix_is_valid(f))
				continue;
			valid++;
			if (last_valid_us >= 0 && f->t_us - last_valid_us > 2000000)
				gaps++;
			last_valid_us = f->t_us;
			if (k + 1 < log.n_fixes && kt_fix_is_valid(&log.fixes[k + 1]))
				dist += 0.5 * (f->speed_mps + log.fixes[k + 1].speed_mps) * 0.1;
			kt_pitch_to_xy(&pitch, f->lat_deg, f->lon_deg, &x, &y);
			if (k + 1 < log.n_fixes) {
				int ix = (int)floor(x / 5), iy = (int)floor(y / 4);
				ix = ix < 0 ? 0 : ix > 20 ? 20 : ix;
				iy = iy < 0 ? 0 : iy > 16 ? 16 : iy;
				heat[iy][ix] += 0.1;
			}
		}
		CHECK(fabs(100.0 * valid / n_epochs - rows[i].v[C_FIX_PCT]) < 0.01,
		      "%s: %zu valid epochs, truth says %f %%", path, valid, rows[i].v[C_FIX_PCT]);
		CHECK(gaps == (unsigned)rows[i].v[C_GAPS], "%s: %u gaps over 2 s, truth says %g",
		      path, gaps, rows[i].v[C_GAPS]);
		if (exact) {
			CHECK(valid == n_epochs, "%s: noise-free but %zu of %zu valid", path, valid,
			      n_epochs);
			CHECK(fabs(dist - rows[i].v[C_DIST]) < 0.001 * rows[i].v[C_DIST],
			      "%s: noise-free speed integral %f m, truth %f m", path, dist,
			      rows[i].v[C_DIST]);
		} else {
			CHECK(fabs(dist - rows[i].v[C_DIST]) < 0.03 * rows[i].v[C_DIST],
			      "%s: speed integral %f m, truth %f m", path, dist, rows[i].v[C_DIST]);
		}
		CHECK(read_heat(dir, rows[i].vest_id, truth_heat), "%s: no truth heatmap", dir);
		double r_heat = pearson(&heat[0][0], &truth_heat[0][0], 17 * 21);
		CHECK(r_heat > (exact ? 0.99 : 0.9), "%s: heatmap correlation %f", path, r_heat);
		kt_log_clear(&log);
	}
}

static void
check_truth_rows(const char *dir)
{
	struct team_row rows[PLAYERS];
	int n = read_team(dir, rows, PLAYERS);

	for (int i = 0; i < n; i++) {
		const double *v = rows[i].v;
		double zsum = 0;
		for (int z = C_Z1; z <= C_Z5; z++)
			zsum += v[z];
		CHECK(fabs(zsum - v[C_DIST]) < 0.01, "%s row %d: zones %f, distance %f", dir, i,
		      zsum, v[C_DIST]);
		CHECK(fabs(v[C_HSR] - v[C_Z4] - v[C_Z5]) < 0.002, "%s row %d: hsr %f", dir, i,
		      v[C_HSR]);
		CHECK(v[C_SPRINT_M] <= v[C_Z5] + 0.002, "%s row %d: sprint distance above Z5", dir,
		      i);
		CHECK(v[C_MINUTES] == MINUTES, "%s row %d: minutes %f", dir, i, v[C_MINUTES]);
		CHECK(v[C_PL] > 0, "%s row %d: PlayerLoad %f", dir, i, v[C_PL]);
	}
}

/* harsh noise: the injected errors listed in events.csv are in the logs */
static void
check_harsh(const char *dir)
{
	static const char *const logs[PLAYERS] = {"KT-0001.ubx", "KT-0002.ubx", "KT-0003.nmea"};
	struct team_row rows[PLAYERS];
	int n = read_team(dir, rows, PLAYERS);
	unsigned total_gaps = 0, total_spikes = 0, total_bad = 0;

	CHECK(n == PLAYERS, "%s: %d rows", dir, n);
	for (int i = 0; i < n; i++) {
		char name[1024], path[4096], *ev, *save = NULL, *line;
		struct kt_log log;
		unsigned bad_epochs = 0, fixes_2d = 0, gaps = 0;
		int64_t last_valid_us = -1;

		snprintf(path, sizeof(path), "%s/%s", dir, logs[i]);
		if (kt_log_read(path, &log) < 0) {
			CHECK(false, "cannot decode %s", path);
			continue;
		}
		for (size_t k = 0; k < log.n_fixes; k++) {
			if (log.fixes[k].quality == KT_FIX_2D)
				fixes_2d++;
			if (!kt_fix_is_valid(&log.fixes[k]))
				continue;
			if (last_valid_us >= 0 && log.fixes[k].t_us - last_valid_us > 2000000)
				gaps++;
			last_valid_us = log.fixes[k].t_us;
		}
		CHECK(gaps == (unsigned)rows[i].v[C_GAPS], "%s: %u gaps, truth says %g", path, gaps,
		      rows[i].v[C_GAPS]);
		total_gaps += gaps;

		snprintf(name, sizeof(name), "truth/%s/events.csv", rows[i].vest_id);
		ev = slurp(dir, name, NULL);
		CHECK(ev != NULL, "%s/%s missing", dir, name);
		for (line = ev ? strtok_r(ev, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			char kind[32];
			double start_s, dur_s, value;
			unsigned epochs;

			if (sscanf(line, "%31[^,],%lf,%u,%lf,%lf", kind, &start_s, &epochs, &dur_s,
				   &value) != 5)
				continue;
			size_t e = (size_t)llround(start_s * 10);
			if (strcmp(kind, "bad_fix") == 0) {
				bad_epochs += epochs;
			} else if (strcmp(kind, "speed_spike") == 0 && e > 0 && e < log.n_fixes) {
				/* multipath: the logged Doppler speed jumps by the spike */
				double jump = log.fixes[e].speed_mps - log.fixes[e - 1].speed_mps;
				CHECK(jump > 1.0,
				      "%s: speed spike of %.1f m/s at %.1f s shows as %.2f m/s",
				      path, value, start_s, jump);
				total_spikes++;
			}
		}
		CHECK(fixes_2d == bad_epochs, "%s: %u 2D fixes, events.csv has %u bad epochs", path,
		      fixes_2d, bad_epochs);
		total_bad += bad_epochs;
		free(ev);
		kt_log_clear(&log);
	}
	CHECK(total_gaps > 0 && total_spikes > 0 && total_bad > 0,
	      "harsh noise without gaps (%u), spikes (%u) or bad fixes (%u)", total_gaps,
	      total_spikes, total_bad);
}

/* ---- the checked-in sample ---- */

static const char *walk_root, *walk_other;
static unsigned walk_files;

static int
walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + strlen(walk_root);

	if (type != FTW_F)
		return 0;
	while (*rel == '/')
		rel++;
	walk_files++;
	CHECK(same_file(walk_root, walk_other, rel), "%s differs between %s and %s", rel, walk_root,
	      walk_other);
	return 0;
}

static void
compare_trees(const char *a, const char *b)
{
	walk_root = a;
	walk_other = b;
	walk_files = 0;
	CHECK(nftw(a, walk_cb, 16, FTW_PHYS) == 0, "cannot walk %s", a);
}

static int
check_sample(const char *sample)
{
	char base[] = "/tmp/kt-sim-sample.XXXXXX", dir[128], cmd[256];
	unsigned n_sample, n_new;

	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/s", base);
	/* the command of samples/README.md */
	CHECK(run_sim((const char *[]){"--players", "5", "--minutes", "15", "--seed", "2026",
				       "--start", "2026-11-21T14:00:00Z", "--format", "mixed",
				       "--noise", "realistic", "-o", dir, NULL}) == 0,
	      "kicktrack-sim failed");
	compare_trees(sample, dir);
	n_sample = walk_files;
	compare_trees(dir, sample);
	n_new = walk_files;
	CHECK(n_sample == n_new && n_new > 0, "%u files in %s, %u regenerated", n_sample, sample,
	      n_new);
	if (failures)
		fprintf(stderr, "the sample is not what the simulator makes now: if the simulator "
				"changed on "
				"purpose, regenerate it with the command in samples/README.md\n");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", base);
	return failures ? 1 : 0;
}

int
main(int argc, char **argv)
{
	char base[] = "/tmp/kt-sim-test.XXXXXX", a[128], b[128], c[128], z[128], h[128], cmd[512];
	const char *common[] = {"--players", "3",     "--minutes", "3",
				"--format",  "mixed", "--start",   "2026-11-21T14:00:00Z",
				NULL};

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s KICKTRACK-SIM [SAMPLE-DIR]\n", argv[0]);
		return 2;
	}
	sim_path = argv[1];
	if (argc == 3)
		return check_sample(argv[2]);
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(a, sizeof(a), "%s/a", base);
	snprintf(b, sizeof(b), "%s/b", base);
	snprintf(c, sizeof(c), "%s/c", base);
	snprintf(z, sizeof(z), "%s/none", base);
	snprintf(h, sizeof(h), "%s/harsh", base);

#define ARGS(...)                                                                                  \
	((const char *[]){common[0], common[1], common[2], common[3], common[4], common[5],        \
			  common[6], common[7], __VA_ARGS__, NULL})
	CHECK(run_sim(ARGS("--seed", "11", "-o", a)) == 0, "run a");
	CHECK(run_sim(ARGS("--seed", "11", "-o", b)) == 0, "run b");
	CHECK(run_sim(ARGS("--seed", "12", "-o", c)) == 0, "run c");
	CHECK(run_sim(ARGS("--seed", "11", "--noise", "none", "-o", z)) == 0, "run none");
	CHECK(run_sim(ARGS("--seed", "11", "--noise", "harsh", "-o", h)) == 0, "run harsh");

	for (size_t i = 0; i < sizeof(session_files) / sizeof(session_files[0]); i++)
		CHECK(same_file(a, b, session_files[i]),
		      "%s differs between two runs with the same seed", session_files[i]);
	CHECK(!same_file(a, c, "KT-0001.ubx"), "seeds 11 and 12 give the same log");
	CHECK(!same_file(a, c, "truth/team.csv"), "seeds 11 and 12 give the same truth");

	/* the format of the logs changes nothing of the truth */
	{
		char f[128];
		snprintf(f, sizeof(f), "%s/nmea", base);
		/* (common[] less its --format: a value given twice is refused) */
		CHECK(run_sim((const char *[]){common[0], common[1], common[2], common[3], common[6],
					       common[7], "--seed", "11", "--format", "nmea", "-o", f,
					       NULL}) == 0,
		      "run nmea");
		CHECK(same_file(a, f, "truth/team.csv"), "truth/team.csv differs between formats");
		CHECK(same_file(a, f, "truth/KT-0001/heatmap.csv"), "a truth heatmap differs between formats");
	}

	/* the truth is the same whatever the measurement noise */
	{
		struct team_row ra[PLAYERS], rz[PLAYERS];
		int na = read_team(a, ra, PLAYERS), nz = read_team(z, rz, PLAYERS);
		CHECK(na == PLAYERS && nz == PLAYERS, "rows %d %d", na, nz);
		for (int i = 0; i < na && i < nz; i++)
			for (int col = C_MINUTES; col < C_FIX_PCT; col++)
				CHECK(ra[i].v[col] == rz[i].v[col] ||
					      (isnan(ra[i].v[col]) && isnan(rz[i].v[col])),
				      "row %d column %s: %f (realistic) != %f (none)", i,
				      team_cols[col], ra[i].v[col], rz[i].v[col]);
	}

	check_truth_rows(a);
	check_logs(a, false);
	check_logs(z, true);
	check_harsh(h);

	/* bad input */
	CHECK(run_sim((const char *[]){"--players", "0", "-o", c, NULL}) == 2,
	      "--players 0 must be a usage error");
	CHECK(run_sim((const char *[]){"--noise", "loud", "-o", c, NULL}) == 2,
	      "--noise loud must be a usage error");
	CHECK(run_sim((const char *[]){"--start", "21.11.2026", "-o", c, NULL}) == 2,
	      "bad --start must be a usage error");
	CHECK(run_sim((const char *[]){"--gnss-hz", "3", "-o", c, NULL}) == 2,
	      "--gnss-hz 3 must be a usage error");
	CHECK(run_sim((const char *[]){"--players", "2", NULL}) == 2,
	      "no -o must be a usage error");
	CHECK(run_sim((const char *[]){"--minutes", "1", "-o", "/proc/kt-sim-no/such", NULL}) == 1,
	      "an unwritable output directory must fail with 1");
	/* a bad option in the words of every kicktrack program (kt-args, not
	 * getopt's): one line naming it, then where to look, exit 2 */
	{
		static const char *const opt[][2] = {
			{"--bogus", "unknown option '--bogus'"},
			{"-Z", "unknown option '-Z'"},
			{"-o", "option '-o' needs a value"},
			{"--output", "option '--output' needs a value"},
			{"--no-imu=yes", "option '--no-imu' takes no value"},
			{"--pitch", "option '--pitch' is ambiguous"},
		};
		kt_test_bad_options(sim_path, "kicktrack-sim", opt, sizeof(opt) / sizeof(opt[0]));
	}
	/* a value given twice is refused, not the last one taken */
	{
		char line[4096], out[4096];
		int rc;

		snprintf(line, sizeof(line), "'%s' -p 2 --players 3 -o '%s'", sim_path, c);
		rc = kt_test_output(line, out, sizeof(out));
		CHECK(rc == 2 && !strcmp(out, "kicktrack-sim: error: --players given twice ('2', then '3'): give it once\n"),
		      "-p twice: exit %d, said '%s'", rc, out);
	}

	/* an earlier session in the output directory: refused, or replaced with --force */
	CHECK(run_sim((const char *[]){"--players", "1", "--minutes", "1", "-o", c, NULL}) == 1,
	      "writing into a directory holding a session must fail without --force");
	CHECK(run_sim((const char *[]){"--players", "1", "--minutes", "1", "--force", "-o", c,
				       NULL}) == 0,
	      "--force must replace the session");
	{
		char *stale = slurp(c, "KT-0002.ubx", NULL),
		     *fresh = slurp(c, "KT-0001.nmea", NULL);
		CHECK(!stale, "--force left a stale vest log of the earlier session");
		CHECK(fresh != NULL, "--force did not write the new session");
		free(stale);
		free(fresh);
	}

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", base);
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
