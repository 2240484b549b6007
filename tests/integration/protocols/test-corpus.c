/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Every gpsd regression log in the corpus is decoded with kt_log_read (no
 * crash, no sanitizer report), and every epoch for which gpsd's own decode
 * (the .chk file next to the log) has a TPV with a position must agree with
 * our fix of the same time: time, lat/lon within 1e-6 deg, speed within
 * 0.01 m/s. Prints per log how many epochs were compared.
 *
 * Why some logs compare few or no epochs (all checked by hand):
 *  - UBX logs without NAV-PVT (navisys-gr701w, ublox-8-time, ublox-aek-4t,
 *    ublox-lea-4t, ublox-neo-m8t*, ...): their positions come in NAV-POSLLH /
 *    NAV-SOL, which a vest never sends; we count them as unknown frames.
 *  - Receivers that never got a fix in the log (skytraq, ublox-lea-5q) and
 *    garmin-geko201 (gpsd prints its positions without a time) give no TPV
 *    with both time and position: 0 compared.
 *  - NMEA logs without RMC (hemi): no date in the data; gpsd takes it from the
 *    log's "# Date:" comment or the host clock. We do not invent a date.
 *  - gpsd's TPV can report a position of an epoch whose own sentences said
 *    "no fix" (mode carried over) or an epoch that only had GSA/GSV; such TPVs
 *    have no fix of ours at that time and are listed as "unmatched".
 *  - Dates: gpsd moves some dates by 1024-week GPS rollovers (firefly-II says
 *    2010 in RMC, gpsd prints 2030); such epochs are matched by time of day
 *    and counted as "date-shifted" in the output, never silently.
 *  - Speed: compared whenever the log gives a Doppler speed for the epoch
 *    (RMC/VTG/NAV-PVT). Where it gives none (rst39's 10 Hz GGA-only epochs
 *    between RMCs, ublox-lea-5h's first epoch), gpsd derives a speed from
 *    successive positions; we deliberately do not (doc: metrics.md), so the
 *    speed of such epochs is not compared ("no-speed" in the output).
 *  - In five logs gpsd 3.22's TPV speed is not the speed the receiver sent
 *    (speed_exempt below): e.g. haicom-305N at 09:53:05.802 says
 *    "$GPRMC,...,1.93,133.96,..." = 0.993 m/s and gpsd prints 9.224, which is
 *    the distance to the previous fix over a wrong interval; rst39 at
 *    20:41:33.00 sends 8.904 kn = 4.581 m/s, gpsd prints its position-derived
 *    4.567 for every epoch. We check those logs' positions and times only.
 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest/kt-log.h"
#include "util/kt-strutil.h"

#define USEC_PER_DAY (INT64_C(86400000000))

static const char *const speed_exempt[] = {
	"beidou-bd.log", "beidou-gb.log", "haicom-305N.log", "mtk-3301.log", "rst39.log",
};

static int failures;
static int total_compared;
static int logs_checked;

/* "2018-09-07T19:40:57.500Z" -> Unix us. */
static int
parse_iso(const char *s, int64_t *ret)
{
	int y, mo, d, h, mi;
	double sec;
	if (sscanf(s, "%d-%d-%dT%d:%d:%lfZ", &y, &mo, &d, &h, &mi, &sec) != 6)
		return -EINVAL;
	*ret = kt_utc_to_unix(y, mo, d, h, mi, 0) * 1000000 + (int64_t)llround(sec * 1e6);
	return 0;
}

static const struct kt_fix *
find_fix(const struct kt_log *l, int64_t t, bool by_tod)
{
	/* Fixes are in time order: binary search for the exact time. */
	size_t lo = 0, hi = l->n_fixes;
	if (!by_tod) {
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (l->fixes[mid].t_us < t)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < l->n_fixes && llabs(l->fixes[lo].t_us - t) < 1000)
			return &l->fixes[lo];
		if (lo > 0 && llabs(l->fixes[lo - 1].t_us - t) < 1000)
			return &l->fixes[lo - 1];
		return NULL;
	}
	for (size_t i = 0; i < l->n_fixes; i++) {
		int64_t a = ((l->fixes[i].t_us % USEC_PER_DAY) + USEC_PER_DAY) % USEC_PER_DAY;
		int64_t b = ((t % USEC_PER_DAY) + USEC_PER_DAY) % USEC_PER_DAY;
		if (llabs(a - b) < 1000)
			return &l->fixes[i];
	}
	return NULL;
}

static void
check_log(const char *log_path)
{
	logs_checked++;
	char chk_path[4200], line[8192];
	struct kt_log l;
	FILE *f;
	int r, compared = 0, unmatched = 0, shifted = 0, bad = 0, no_speed = 0;
	bool cmp_speed = true;
	int64_t last_t = INT64_MIN;
	const char *name = strrchr(log_path, '/') ? strrchr(log_path, '/') + 1 : log_path;

	for (size_t i = 0; i < sizeof(speed_exempt) / sizeof(speed_exempt[0]); i++)
		if (!strcmp(name, speed_exempt[i]))
			cmp_speed = false;
	r = kt_log_read(log_path, &l);
	if (r < 0) {
		printf("FAIL %s: cannot decode: %s\n", name, strerror(-r));
		failures++;
		return;
	}
	if (snprintf(chk_path, sizeof(chk_path), "%s.chk", log_path) >= (int)sizeof(chk_path))
		return;
	f = fopen(chk_path, "re");
	if (!f) {
		printf("FAIL %s: no %s\n", name, chk_path);
		failures++;
		kt_log_clear(&l);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		struct json_object *o, *v;
		const struct kt_fix *fx;
		double lat, lon, speed = NAN;
		int64_t t;

		if (strncmp(line, "{\"class\":\"TPV\"", 14) != 0)
			continue;
		o = json_tokener_parse(line);
		if (!o)
			continue;
		if (!json_object_object_get_ex(o, "time", &v) ||
		    parse_iso(json_object_get_string(v), &t) < 0 ||
		    !json_object_object_get_ex(o, "lat", &v)) {
			json_object_put(o);
			continue;
		}
		lat = json_object_get_double(v);
		json_object_object_get_ex(o, "lon", &v);
		lon = json_object_get_double(v);
		if (json_object_object_get_ex(o, "speed", &v))
			speed = json_object_get_double(v);
		json_object_put(o);
		if (t == last_t)
			continue;       /* gpsd repeats the first epoch */
		last_t = t;

		fx = find_fix(&l, t, false);
		if (!fx) {
			fx = find_fix(&l, t, true);
			if (fx)
				shifted++;
		}
		if (!fx) {
			unmatched++;
			continue;
		}
		compared++;
		if (!isnan(speed) && isnan(fx->speed_mps)) {
			no_speed++;
			speed = NAN;
		}
		if (!cmp_speed)
			speed = NAN;
		if (!(fabs(fx->lat_deg - lat) <= 1e-6) || !(fabs(fx->lon_deg - lon) <= 1e-6) ||
		    (!isnan(speed) && !(fabs(fx->speed_mps - speed) <= 0.01))) {
			char ts[64];
			if (bad++ < 5)
				printf("  %s %s: gpsd %.9f %.9f %.3f, ours %.9f %.9f %.3f\n", name,
				       kt_fmt_utc(ts, sizeof(ts), t, 3), lat, lon, speed,
				       fx->lat_deg, fx->lon_deg, fx->speed_mps);
		}
	}
	fclose(f);
	printf("%s %s: %zu fixes, %d epochs compared%s, %d disagree, %d date-shifted, %d no-speed, "
	       "%d gpsd TPVs unmatched\n", bad ? "FAIL" : "ok  ", name, l.n_fixes, compared,
	       cmp_speed ? "" : " (speed exempt)", bad, shifted, no_speed, unmatched);
	if (bad)
		failures++;
	total_compared += compared;
	kt_log_clear(&l);
}

static void
walk(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		printf("cannot read %s: %s\n", dir, strerror(errno));
		failures++;
		return;
	}
	for (int i = 0; i < n; i++) {
		char p[4096];
		const char *nm = ents[i]->d_name;
		if (nm[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", dir, nm);
			if (ents[i]->d_type == DT_DIR)
				walk(p);
			else if (kt_endswith(nm, ".log"))
				check_log(p);
		}
		free(ents[i]);
	}
	free(ents);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	struct stat st;
	if (stat(argv[1], &st) < 0 || !S_ISDIR(st.st_mode)) {
		printf("SKIP: no gpsd regression logs at %s (meson setup -Dgpsd_corpus=DIR)\n", argv[1]);
		return 77;
	}
	walk(argv[1]);
	printf("%d logs, %d epochs compared in total, %d logs failed\n", logs_checked, total_compared, failures);
	if (logs_checked == 0) {
		fprintf(stderr, "FAIL: %s holds no *.log with its .chk\n", argv[1]);
		return 1;
	}
	return failures ? 1 : 0;
}
