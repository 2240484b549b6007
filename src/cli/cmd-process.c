/* SPDX-License-Identifier: EUPL-1.2 */
/* kicktrack process: vest logs -> per-player CSV, session.json and charts.
 * The work is kt_pipeline_run() (src/report/kt-pipeline.h), shared with the
 * docking daemon; this file only turns the command line into its options.
 * See man/kicktrack-process.1. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kt-cli.h"
#include "kt-config.h"
#include "report/kt-pipeline.h"
#include "util/kt-args.h"
#include "util/kt-log.h"

#define DEFAULT_CONFIG KT_SYSCONFDIR "/kicktrack/kicktrack.conf"

static void
help(FILE *f)
{
	fprintf(f,
		"Usage: kicktrack process [OPTIONS] LOG... | SESSION_DIR -o OUTDIR\n"
		"Compute every player's metrics from vest logs (NMEA or UBX, one log per\n"
		"vest) and write team.csv, players/<vest_id>/{timeseries,sprints,heatmap}.csv,\n"
		"session.json and (unless --no-charts) the charts, PDFs and index.html.\n"
		"A SESSION_DIR contributes its files named *.ubx *.nmea *.log *.bin (not\n"
		"subdirectories); its roster.csv and pitch.ini are used if no --roster or\n"
		"--pitch is given.\n\n"
		"Options (each at most once):\n"
		"  -o, --output DIR       output folder (created); replaces what an earlier run\n"
		"                         wrote there, leaves other files alone\n"
		"      --roster FILE      CSV vest_id,player,number,position; with a header line\n"
		"                         the columns are found by name (also Weste, Spieler,\n"
		"                         Nummer, in any order; other columns are ignored)\n"
		"      --pitch FILE       pitch corners (see kicktrack-process(1)); without one\n"
		"                         the pitch is estimated from the tracks and written to\n"
		"                         OUTDIR/pitch.ini\n"
		"      --config FILE      config file ([process] and [thresholds] sections);\n"
		"                         default " DEFAULT_CONFIG " if it exists\n"
		"      --no-config        read no config file\n"
		"      --zones A,B,C,D    lower bounds of zones Z2..Z5 in km/h (7.2,14.4,19.8,25.2);\n"
		"                         high-speed running = from zone 4 (C) up\n"
		"      --sprint-kmh X     sprint speed threshold in km/h (25.2)\n"
		"      --sprint-min-s X   shortest sprint in s (1.0)\n"
		"      --effort-ms2 X     acceleration/deceleration threshold in m/s^2 (3.0)\n"
		"      --effort-min-s X   shortest acceleration/deceleration in s (0.5)\n"
		"      --max-speed-mps X  faster fixes are rejected as implausible, m/s (12.0)\n"
		"      --gap-s X          longer without a valid fix is a gap, s (2.0)\n"
		"      --csv-flavour c|de c: comma, decimal point, ISO 8601 times (default);\n"
		"                         de: semicolon, decimal comma, UTF-8 BOM, times as\n"
		"                         2026-11-21 14:00:00,000 (German Excel; UTC either way)\n"
		"      --lang de|en       language of charts and pages (en)\n"
		"  -j, --jobs N           process N vests in parallel (1)\n"
		"      --no-charts        write CSV and JSON only\n"
		"      --from TIME        count only from TIME: HH:MM[:SS] local time (within\n"
		"                         or nearest each log), or YYYY-MM-DDTHH:MM[:SS]Z (UTC)\n"
		"      --to TIME          count only up to TIME (same forms): drop the walk to\n"
		"                         the pitch, or process each half of a match on its own\n"
		"  -q, --quiet            only warnings and errors, no progress\n"
		"  -h, --help             show this help\n"
		"  -V, --version          show the version\n\n"
		"Outputs in OUTDIR (units in brackets; details in kicktrack-process(1)):\n"
		"  team.csv, one row per vest: vest_id, player, number, position, minutes [min],\n"
		"    distance_m, z1_m, z2_m, z3_m, z4_m, z5_m, hsr_m [m], sprints [count], sprint_m [m],\n"
		"    max_speed_kmh [km/h], accelerations, decelerations [count], player_load [a.u.],\n"
		"    player_load_per_min [a.u./min], metabolic_power_wkg [W/kg], high_power_m [m],\n"
		"    work_rate_m_min [m/min], peak1_m, peak3_m, peak5_m [m], fix_pct [%%], gaps,\n"
		"    rejected_frames [count]; then start_utc, end_utc [UTC], valid_minutes [min],\n"
		"    gap_s [s], epochs, valid_epochs, median_num_sv [count], median_hdop,\n"
		"    median_pdop, log_file and the thresholds used\n"
		"  players/<vest_id>/timeseries.csv, 10 Hz: t_s [s], utc [UTC], lat, lon [deg],\n"
		"    x_m, y_m [m, pitch frame], speed_kmh [km/h], accel_ms2 [m/s^2],\n"
		"    zone [1..5, 0 in a gap], in_sprint [0/1]\n"
		"  players/<vest_id>/sprints.csv: sprint [n], start_utc [UTC], start_t_s [s],\n"
		"    duration_s [s], distance_m [m], top_speed_kmh [km/h], threshold_kmh [km/h],\n"
		"    min_duration_s [s]\n"
		"  players/<vest_id>/heatmap.csv: seconds per 5 x 4 m cell, no header; first\n"
		"    row y = 0..4 m, first column x = 0..5 m\n"
		"  session.json: every number, thresholds, filter, pitch, input SHA-256, data\n"
		"    quality; pitch.ini: the estimated pitch (only without --pitch)\n\n"
		"Command-line options win over the config file, which wins over the defaults\n"
		"(in parentheses). Progress is shown on stderr only when it is a terminal.\n\n"
		"Exit status: 0 done; 1 nothing usable, an output could not be written\n"
		"(disk full), or another kicktrack run is writing OUTDIR: OUTDIR is left as\n"
		"it was; 2 usage or config error; 3 partial: outputs written, but a log,\n"
		"roster line, pitch file or chart had a problem (each is named on stderr\n"
		"and listed in session.json).\n"
		"See kicktrack-process(1) and doc/output-format.md.\n");
}

enum {
	OPT_ROSTER = 0x100,
	OPT_PITCH,
	OPT_CONFIG,
	OPT_NO_CONFIG,
	OPT_ZONES,
	OPT_SPRINT_KMH,
	OPT_SPRINT_MIN_S,
	OPT_EFFORT_MS2,
	OPT_EFFORT_MIN_S,
	OPT_MAX_SPEED,
	OPT_GAP_S,
	OPT_CSV,
	OPT_LANG,
	OPT_NO_CHARTS,
	OPT_FROM,
	OPT_TO,
};

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "roster", required_argument, NULL, OPT_ROSTER },
	{ "pitch", required_argument, NULL, OPT_PITCH },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
	{ "zones", required_argument, NULL, OPT_ZONES },
	{ "sprint-kmh", required_argument, NULL, OPT_SPRINT_KMH },
	{ "sprint-min-s", required_argument, NULL, OPT_SPRINT_MIN_S },
	{ "effort-ms2", required_argument, NULL, OPT_EFFORT_MS2 },
	{ "effort-min-s", required_argument, NULL, OPT_EFFORT_MIN_S },
	{ "max-speed-mps", required_argument, NULL, OPT_MAX_SPEED },
	{ "gap-s", required_argument, NULL, OPT_GAP_S },
	{ "csv-flavour", required_argument, NULL, OPT_CSV },
	{ "csv-flavor", required_argument, NULL, OPT_CSV },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "jobs", required_argument, NULL, 'j' },
	{ "no-charts", no_argument, NULL, OPT_NO_CHARTS },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};

/* Options that are config keys: option -> (section, key). */
static const struct {
	int opt;
	const char *section, *key, *name;
} keyed[] = {
	{ OPT_ZONES, "thresholds", "zones_kmh", "--zones" },
	{ OPT_SPRINT_KMH, "thresholds", "sprint_kmh", "--sprint-kmh" },
	{ OPT_SPRINT_MIN_S, "thresholds", "sprint_min_s", "--sprint-min-s" },
	{ OPT_EFFORT_MS2, "thresholds", "effort_ms2", "--effort-ms2" },
	{ OPT_EFFORT_MIN_S, "thresholds", "effort_min_s", "--effort-min-s" },
	{ OPT_MAX_SPEED, "thresholds", "max_speed_mps", "--max-speed-mps" },
	{ OPT_GAP_S, "thresholds", "gap_s", "--gap-s" },
	{ OPT_CSV, "process", "csv_flavour", "--csv-flavour" },
	{ OPT_LANG, "process", "lang", "--lang" },
	{ 'j', "process", "jobs", "--jobs" },
};

int
kt_cmd_process(int argc, char **argv)
{
	struct kt_pipeline_opts o;
	const char *config = DEFAULT_CONFIG;
	bool config_given = false, no_config = false;
	struct kt_args_seen seen = { 0 };
	int c, r;

	kt_pipeline_opts_init(&o);

	/* pass 1: help, version, bad options and which config file */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j:qhV", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			help(stdout);
			return KT_EXIT_OK;
		case 'V':
			return kt_cli_version();
		case OPT_CONFIG:
			if (kt_args_given_twice(&seen, options, c, optarg) || kt_cli_empty_name("process", "--config", optarg))
				return KT_EXIT_USAGE;
			config = optarg;
			config_given = true;
			break;
		case OPT_NO_CONFIG:
			no_config = true;
			break;
		case '?':
		case ':':
			return kt_cli_bad_option("process", c, argv, options);
		default:
			break;
		}
	}
	if (no_config && config_given) {
		log_error("--config %s and --no-config: give one of them", config);
		return KT_EXIT_USAGE;
	}
	if (!no_config) {
		r = kt_pipeline_opts_load_config(&o, config, !config_given);
		if (r < 0)
			return KT_EXIT_USAGE; /* logged with file:line */
	}

	/* pass 2: the command line wins */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:j:qhV", options, NULL)) != -1) {
		if (optarg && kt_args_given_twice(&seen, options, c, optarg))
			return KT_EXIT_USAGE;
		switch (c) {
		case 'o':
			if (kt_cli_empty_name("process", "the output folder (-o)", optarg))
				return KT_EXIT_USAGE;
			o.outdir = optarg;
			continue;
		case OPT_ROSTER:
			if (kt_cli_empty_name("process", "--roster", optarg))
				return KT_EXIT_USAGE;
			o.roster_path = optarg;
			continue;
		case OPT_PITCH:
			if (kt_cli_empty_name("process", "--pitch", optarg))
				return KT_EXIT_USAGE;
			o.pitch_path = optarg;
			continue;
		case OPT_NO_CHARTS:
			o.charts = false;
			continue;
		case OPT_FROM:
		case OPT_TO:
			if (kt_window_parse(optarg, c == OPT_FROM ? &o.from : &o.to) < 0) {
				log_error("%s: expected a time of day HH:MM or HH:MM:SS (local time) or "
					  "YYYY-MM-DDTHH:MM[:SS]Z (UTC), got '%s'",
					  c == OPT_FROM ? "--from" : "--to", optarg);
				return KT_EXIT_USAGE;
			}
			continue;
		case 'q':
			o.quiet = true;
			continue;
		default:
			break;
		}
		for (size_t i = 0; i < sizeof(keyed) / sizeof(keyed[0]); i++)
			if (keyed[i].opt == c &&
			    kt_pipeline_opts_set(&o, keyed[i].section, keyed[i].key, optarg, keyed[i].name) < 0)
				return KT_EXIT_USAGE;
	}
	long span = kt_window_tod_span_s(&o.from, &o.to);

	if ((o.from.set && o.to.set && !o.from.local && !o.to.local && o.to.utc_us <= o.from.utc_us) ||
	    span == 0) {
		log_error("--to %s is not after --from %s", o.to.text, o.from.text);
		return KT_EXIT_USAGE;
	}
	/* to before from is a window through midnight: fine for a late
	 * training (23:30 to 00:45), but most of a day is swapped times */
	if (span > 12 * 3600) {
		log_error("--from %s --to %s would count %ld:%02ld h, through midnight: swapped? "
			  "(a training across midnight, such as --from 23:30 --to 00:45, is fine)",
			  o.from.text, o.to.text, span / 3600, span / 60 % 60);
		return KT_EXIT_USAGE;
	}
	if (kt_window_local(&o.from, &o.to)) {
		/* a misspelt TZ=Europe/Berln would quietly be UTC */
		const char *tz = getenv("TZ"), *dir = getenv("TZDIR");
		char path[4096];

		if (tz && *tz == ':')
			tz++;
		if (tz && strchr(tz, '/') && tz[0] != '/') {
			snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
			if (access(path, R_OK) != 0) {
				log_error("TZ=%s is not a time zone this machine knows (%s): local times for "
					  "--from/--to would be taken as UTC", tz, path);
				return KT_EXIT_USAGE;
			}
		}
	}
	if (!o.outdir) {
		log_error("no output folder: give -o OUTDIR (try 'kicktrack process --help')");
		return KT_EXIT_USAGE;
	}
	if (optind >= argc) {
		log_error("no vest logs or session directory given (try 'kicktrack process --help')");
		return KT_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (kt_cli_empty_name("process", "a LOG or SESSION_DIR", argv[i]))
			return KT_EXIT_USAGE;
	o.inputs = (const char *const *)(argv + optind);
	o.n_inputs = (size_t)(argc - optind);
	if (o.quiet)
		kt_log_set_level(KT_LOG_WARNING);

	return kt_pipeline_run(&o, NULL);
}
