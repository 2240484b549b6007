/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Golden-file test of the output writers (src/report/kt-outputs.c), apart
 * from the core's numbers: a hand-made result with awkward values (NaN in a
 * gap, negative zero, quotes/commas/umlauts in names, rounding) is written
 * in both CSV flavours and compared byte for byte with tests/integration/cli/
 * golden/. session.json is checked for a few exact lines.
 *
 * Usage: test-outputs GOLDEN_DIR            compare
 *        test-outputs --regenerate GOLDEN_DIR  rewrite the golden files (on purpose only)
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/kt-outputs.h"
#include "util/kt-fileio.h"

static const char *const files[] = {
	"team.csv", "timeseries.csv", "sprints.csv", "heatmap.csv",
	"team-de.csv", "timeseries-de.csv", "sprints-de.csv", "heatmap-de.csv",
};

static void
make_result(struct kt_result *r)
{
	static struct kt_sample10 series[5];
	static struct kt_sprint sprints[2];
	static double heat[6] = { 0.0, 12.34, 0.05, 1e6, NAN, 3.0 };
	static double plm[3] = { 10.25, 9.75, 0.0 };
	const int64_t t0 = INT64_C(1795269600) * 1000000; /* 2026-11-21T14:00:00Z */

	for (unsigned i = 0; i < 5; i++) {
		series[i] = (struct kt_sample10) {
			.t_us = t0 + (int64_t)i * 100000,
			.lat_deg = 51.96012344 + i * 1e-6,
			.lon_deg = -7.62012346 - i * 1e-6,
			.x_m = 10.0 + i * 0.333,
			.y_m = -0.0001,
			.speed_kmh = 25.195 + i,
			.accel_ms2 = -3.14159,
			.zone = 5,
			.in_sprint = i >= 1,
		};
	}
	series[3].speed_kmh = NAN; /* in a gap */
	series[3].accel_ms2 = NAN;
	series[3].zone = 0;
	series[3].in_sprint = false;
	series[4].x_m = NAN;       /* no pitch position */
	series[4].y_m = NAN;
	sprints[0] = (struct kt_sprint) { .start_us = t0 + 100000, .duration_s = 1.2, .dist_m = 8.44,
					  .top_speed_kmh = 27.123 };
	sprints[1] = (struct kt_sprint) { .start_us = t0 + 61 * 1000000 + 5000, .duration_s = 12.345,
					  .dist_m = 80.0, .top_speed_kmh = 31.999 };
	*r = (struct kt_result) {
		.first_us = t0,
		.last_us = t0 + 400000,
		.minutes = 90.04,
		.valid_minutes = 88.96,
		.distance_m = 10234.56,
		.zone_m = { 4000.04, 3000.06, 2000.0, 1000.0, 234.5 },
		.hsr_m = 1234.5,
		.n_sprints = 2,
		.sprints = sprints,
		.sprint_m = 88.44,
		.max_speed_kmh = 31.999,
		.accelerations = 17,
		.decelerations = 0,
		.player_load = NAN,        /* no IMU */
		.player_load_per_min = NAN,
		.n_player_load_minutes = 3,
		.player_load_minute = plm,
		.metabolic_power_wkg = 9.876,
		.high_power_m = 0.0,
		.work_rate_m_min = 113.67,
		.peak_m = { 201.0, 555.55, 900.0 },
		.heat_nx = 3,
		.heat_ny = 2,
		.heat_s = heat,
		.n_epochs = 54000,
		.n_valid_epochs = 53990,
		.fix_pct = 99.98,
		.median_num_sv = 12.5,
		.median_hdop = 0.7,
		.median_pdop = NAN,
		.gaps = 1,
		.gap_s = 2.5,
		.rejected = { 3, 1, 0, 2, 0 },
		.n_series = 5,
		.series = series,
	};
}

static int
write_all(const char *dir, struct kt_session_report *s)
{
	struct kt_csv_style st;
	char p[4096];
	int r = 0;

	for (int de = 0; de <= 1 && r == 0; de++) {
		const char *suf = de ? "-de" : "";
		kt_csv_style_init(&st, de ? KT_CSV_DE : KT_CSV_C);
		snprintf(p, sizeof(p), "%s/team%s.csv", dir, suf);
		r = kt_write_team_csv(p, s, &st);
		snprintf(p, sizeof(p), "%s/timeseries%s.csv", dir, suf);
		if (r == 0)
			r = kt_write_timeseries_csv(p, &s->vests[0].res, &st);
		snprintf(p, sizeof(p), "%s/sprints%s.csv", dir, suf);
		if (r == 0)
			r = kt_write_sprints_csv(p, &s->vests[0].res, s->params, &st);
		snprintf(p, sizeof(p), "%s/heatmap%s.csv", dir, suf);
		if (r == 0)
			r = kt_write_heatmap_csv(p, &s->vests[0].res, &st);
	}
	snprintf(p, sizeof(p), "%s/session.json", dir);
	if (r == 0)
		r = kt_write_session_json(p, s);
	return r;
}

static int
contains_line(const char *data, const char *line)
{
	return strstr(data, line) != NULL;
}

int
main(int argc, char **argv)
{
	bool regen = argc == 3 && !strcmp(argv[1], "--regenerate");
	const char *golden = argv[argc - 1];
	struct kt_pipeline_opts o;
	struct kt_params params;
	struct kt_roster_entry re = {
		.vest_id = (char *)"KT-0001",
		.player = (char *)"Zoë \"Flash\", Jäger",
		.number = (char *)"07",
		.position = (char *)"MID;FWD",
		.line = 2,
	};
	struct kt_roster roster = { .entries = &re, .n = 1 };
	struct kt_vest_report v[2] = {
		{
			.path = (char *)"/data/session/KT-0001.ubx",
			.size = 12345,
			.sha256 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
			.vest_id = "KT-0001",
			.vest_id_source = "header",
			.has_header = true,
			.firmware = 0x0103,
			.roster = &re,
			.ok = true,
		},
		{
			.path = (char *)"/data/session/empty \"x\".nmea",
			.vest_id = "empty \"x\"",
			.vest_id_source = "file name",
			.error = (char *)"the file is empty",
		},
	};
	char *warn[] = { (char *)"/data/session/empty \"x\".nmea: cannot use this log:\tthe file is empty" };
	char *warn_de[] = { (char *)"/data/session/empty \"x\".nmea: Aufzeichnung nicht verwendbar:\tdie Datei ist leer" };
	struct kt_session_report s;
	char tmpl[] = "/tmp/kt-test-outputs-XXXXXX";
	const char *dir;
	int failures = 0;

	if (argc != 2 && !regen) {
		fprintf(stderr, "usage: test-outputs [--regenerate] GOLDEN_DIR\n");
		return 2;
	}
	kt_pipeline_opts_init(&o);
	/* explicit, so that new core defaults do not change the golden files */
	params = o.params;
	params.zone_kmh[0] = 7.2;
	params.zone_kmh[1] = 14.4;
	params.zone_kmh[2] = 19.8;
	params.zone_kmh[3] = 25.2;
	params.hsr_kmh = params.zone_kmh[2];
	params.sprint_kmh = 25.2;
	params.sprint_min_s = 1.0;
	params.effort_ms2 = 3.0;
	params.effort_min_s = 0.5;
	params.max_plausible_mps = 12.0;
	params.gap_s = 2.0;
	v[0].stats.rejected[KT_REJECT_CHECKSUM] = 4;
	v[0].stats.rejected[KT_REJECT_UNKNOWN] = 100;      /* not counted as rejected */
	v[0].stats.rejected[KT_REJECT_GARBAGE_BYTES] = 999; /* bytes, not counted */
	v[0].stats.frames_ubx = 60000;
	make_result(&v[0].res);

	s = (struct kt_session_report) {
		.opts = &o,
		.params = &params,
		.vests = v,
		.n_vests = 2,
		.have_pitch = true,
		.pitch = {
			.lat_deg = { 51.95956967, 51.96043833, 51.96067713, 51.95980847 },
			.lon_deg = { 7.62028028, 7.62087713, 7.61996652, 7.61936967 },
			.length_m = 105.0,
			.width_m = 68.0,
		},
		.pitch_source = "file",
		.pitch_file = "/data/session/pitch.ini",
		.pitch_name = "Sportpark Nord, Platz 2",
		.roster_file = "/data/session/roster.csv",
		.roster = &roster,
		.warnings = warn,
		.warnings_de = warn_de,
		.n_warnings = 1,
		.status = KT_PIPELINE_PARTIAL,
		.processed_us = INT64_C(1795276800) * 1000000,
	};

	dir = regen ? golden : mkdtemp(tmpl);
	if (!dir) {
		perror("mkdtemp");
		return 1;
	}
	int r = write_all(dir, &s);
	if (r < 0) {
		fprintf(stderr, "writing failed: %s\n", strerror(-r));
		return 1;
	}
	if (regen) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/session.json", dir);
		unlink(p); /* checked by content, not kept */
		printf("golden files rewritten in %s\n", dir);
		return 0;
	}

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char a[4096], b[4096], *da = NULL, *db = NULL;
		size_t la = 0, lb = 0;

		snprintf(a, sizeof(a), "%s/%s", dir, files[i]);
		snprintf(b, sizeof(b), "%s/%s", golden, files[i]);
		if (kt_read_file(a, 1 << 20, &da, &la) < 0 || kt_read_file(b, 1 << 20, &db, &lb) < 0) {
			fprintf(stderr, "FAIL %s: cannot read %s or %s\n", files[i], a, b);
			failures++;
		} else if (la != lb || memcmp(da, db, la) != 0) {
			fprintf(stderr, "FAIL %s differs from the golden file %s:\n--- got:\n%s\n--- want:\n%s\n",
				files[i], b, da, db);
			failures++;
		}
		free(da);
		free(db);
		unlink(a);
	}

	/* session.json: exact lines that must be there */
	static const char *const want[] = {
		"\"processed_utc\": \"2026-11-21T16:00:00Z\",",
		"\"status\": \"partial\",",
		"\"player\": \"Zoë \\\"Flash\\\", Jäger\",",
		"\"player_load\": null,\n",
		"\"median_pdop\": null,",
		"\"distance_m\": 10234.6,\n",
		"\"zone_m\": [4000.0, 3000.1, 2000.0, 1000.0, 234.5],\n",
		"\"sprint_count\": 2,",
		"\"rejected_frames\": 10,",
		"\"checksum\": 4,",
		"\"firmware\": \"1.3\",",
		"\"error\": \"the file is empty\"",
		"\"vest_id\": \"empty \\\"x\\\"\",",
		"\"warnings\": [\n    \"/data/session/empty \\\"x\\\".nmea: cannot use this log:\\tthe file is empty\"\n  ],\n",
		/* the same for the German pages, after it, as many */
		"\"warnings_de\": [\n    \"/data/session/empty \\\"x\\\".nmea: Aufzeichnung nicht verwendbar:\\tdie Datei ist leer\"\n  ],\n",
		/* then the vest each is about, as many: this one about none */
		"\"warning_vests\": [\n    null\n  ]\n}\n",
		"[51.9595697, 7.6202803],\n",
		"\"source\": \"file\",",
		"\"player_load_per_minute\": [10.25, 9.75, 0.00],\n",
		"[0.0, 12.3, 0.1],\n",
		"[1000000.0, null, 3.0]\n",
		"{\"start_utc\": \"2026-11-21T14:01:01.005Z\", \"duration_s\": 12.35, \"distance_m\": 80.0, \"top_speed_kmh\": 32.00}\n",
	};
	char p[4096], *js = NULL;
	snprintf(p, sizeof(p), "%s/session.json", dir);
	if (kt_read_file(p, 1 << 20, &js, NULL) < 0) {
		fprintf(stderr, "FAIL: no session.json\n");
		failures++;
	} else {
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			if (!contains_line(js, want[i])) {
				fprintf(stderr, "FAIL: session.json lacks the line %s\n", want[i]);
				failures++;
			}
		if (failures)
			fprintf(stderr, "--- session.json:\n%s\n", js);
	}
	free(js);
	unlink(p);
	rmdir(dir);
	if (failures == 0)
		printf("all outputs match the golden files\n");
	return failures ? 1 : 0;
}
