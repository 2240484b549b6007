/* SPDX-License-Identifier: EUPL-1.2 */
/* kicktrack-sim: simulate a training session of vests, with ground truth. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "util/kt-args.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

enum { EXIT_USAGE = 2 };

static void
help(void)
{
	printf("Usage: kicktrack-sim [OPTIONS] -o DIR\n"
	       "Simulate a football training session: one vest log per player (UBX or NMEA,\n"
	       "10 Hz GNSS + 100 Hz IMU), roster.csv, pitch.ini and the ground truth in "
	       "DIR/truth/.\n"
	       "The same options and seed always give the same bytes.\n\n"
	       "  -o, --output DIR        where to write the session (created if missing)\n"
	       "  -p, --players N         number of vests/players, 1..%d (default 6)\n"
	       "  -m, --minutes M         session length in minutes, 0.1..600 (default 15)\n"
	       "  -s, --seed S            random seed, an unsigned integer (default 1)\n"
	       "      --start TIME        session start, ISO 8601 UTC, e.g. 2026-11-21T14:00:00Z\n"
	       "                          (default 2026-11-21T14:00:00Z)\n"
	       "  -f, --format FMT        ubx, nmea or mixed (default mixed: UBX, the last vest "
	       "NMEA)\n"
	       "      --nmea-every K      with mixed: every K-th vest speaks NMEA instead\n"
	       "  -n, --noise MODE        none (exact truth), realistic (default) or harsh\n"
	       "      --drill DRILL       match (default: a training game) or sprints (repeated 40 "
	       "m sprints)\n"
	       "      --gnss-hz HZ        GNSS epoch rate, a divisor of 100 up to 25 (default 10)\n"
	       "      --imu-hz HZ         IMU sample rate, a divisor of 100 (default 100)\n"
	       "      --no-imu            write no IMU records\n"
	       "      --pitch-lat DEG     latitude of the pitch centre (default 51.9601234)\n"
	       "      --pitch-lon DEG     longitude of the pitch centre (default 7.6201234)\n"
	       "      --pitch-heading DEG direction of the touchline from corner 1 to corner 2,\n"
	       "                          degrees clockwise from north (default 23)\n"
	       "      --pitch-name NAME   name written into pitch.ini\n"
	       "      --vest-prefix STR   vest id prefix, up to 4 characters (default KT-)\n"
	       "      --bench N           the last N vests lie still beside the pitch all session\n"
	       "                          (substitutes' vests on the bench; default 0)\n"
	       "      --truth-series      also write truth/VEST/timeseries.csv (true track at 10 "
	       "Hz)\n"
	       "      --force             DIR may hold an earlier simulated session: replace it\n"
	       "                          (without it, DIR must be new or empty)\n"
	       "  -v, --verbose           say what is being done\n"
	       "  -h, --help              show this help\n"
	       "  -V, --version           show the version\n\n"
	       "Exit status: 0 written, 1 failure (see the message; no file is left "
	       "half-written),\n"
	       "2 usage error.\n"
	       "See kicktrack-sim(1) for the movement, noise and truth models.\n",
	       SIM_MAX_PLAYERS);
}

static int
parse_uint(const char *opt, const char *arg, unsigned lo, unsigned hi, unsigned *ret)
{
	unsigned v;

	if (kt_safe_atou(arg, &v) < 0 || v < lo || v > hi) {
		log_error("%s: '%s' is not a whole number in %u..%u", opt, arg, lo, hi);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int
parse_double(const char *opt, const char *arg, double lo, double hi, double *ret)
{
	double v;

	if (kt_safe_atod(arg, &v) < 0 || !(v >= lo && v <= hi)) {
		log_error("%s: '%s' is not a number in %g..%g", opt, arg, lo, hi);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int
parse_rate(const char *opt, const char *arg, unsigned max, unsigned *ret)
{
	unsigned v;

	if (parse_uint(opt, arg, 1, max, &v) < 0)
		return -EINVAL;
	if (100 % v != 0) {
		log_error("%s: %u Hz does not divide 100 Hz", opt, v);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SS[Z]" (or a blank instead of T), UTC */
static int
parse_start(const char *arg, int64_t *ret)
{
	int y, mo, d, h, mi, s, n = 0;
	char sep;

	if (sscanf(arg, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &s, &n) != 7 ||
	    (sep != 'T' && sep != ' ') || (arg[n] != '\0' && strcmp(arg + n, "Z") != 0) ||
	    y < 1990 || y > 2099 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 59 || h < 0 || mi < 0 || s < 0) {
		log_error("--start: '%s' is not an ISO 8601 UTC time like 2026-11-21T14:00:00Z",
			  arg);
		return -EINVAL;
	}
	*ret = kt_utc_to_unix(y, mo, d, h, mi, s);
	return 0;
}

/* vest ids are ASCII 0x21..0x7E (vest.md); these would also break CSV, NMEA or paths */
static bool
valid_prefix(const char *s)
{
	if (strlen(s) > 4)
		return false;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e || strchr(",\"*$/", *s))
			return false;
	return true;
}

enum {
	OPT_START = 256,
	OPT_NMEA_EVERY,
	OPT_DRILL,
	OPT_GNSS_HZ,
	OPT_IMU_HZ,
	OPT_NO_IMU,
	OPT_PITCH_LAT,
	OPT_PITCH_LON,
	OPT_PITCH_HEADING,
	OPT_PITCH_NAME,
	OPT_VEST_PREFIX,
	OPT_TRUTH_SERIES,
	OPT_FORCE,
	OPT_BENCH,
};

static int
parse_args(int argc, char **argv, struct sim_config *c, const char **ret_outdir)
{
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		{"players", required_argument, NULL, 'p'},
		{"minutes", required_argument, NULL, 'm'},
		{"seed", required_argument, NULL, 's'},
		{"start", required_argument, NULL, OPT_START},
		{"format", required_argument, NULL, 'f'},
		{"nmea-every", required_argument, NULL, OPT_NMEA_EVERY},
		{"noise", required_argument, NULL, 'n'},
		{"drill", required_argument, NULL, OPT_DRILL},
		{"gnss-hz", required_argument, NULL, OPT_GNSS_HZ},
		{"imu-hz", required_argument, NULL, OPT_IMU_HZ},
		{"no-imu", no_argument, NULL, OPT_NO_IMU},
		{"pitch-lat", required_argument, NULL, OPT_PITCH_LAT},
		{"pitch-lon", required_argument, NULL, OPT_PITCH_LON},
		{"pitch-heading", required_argument, NULL, OPT_PITCH_HEADING},
		{"pitch-name", required_argument, NULL, OPT_PITCH_NAME},
		{"vest-prefix", required_argument, NULL, OPT_VEST_PREFIX},
		{"truth-series", no_argument, NULL, OPT_TRUTH_SERIES},
		{"force", no_argument, NULL, OPT_FORCE},
		{"bench", required_argument, NULL, OPT_BENCH},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{},
	};
	const char *outdir = NULL;
	struct kt_args_seen seen = { 0 };
	int o, r = 0;
	int64_t seed;

	/* a bad option is said in our words (kt-args), not getopt's */
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":o:p:m:s:f:n:vhV", options, NULL)) >= 0) {
		/* every value is given once: getopt would quietly take the last */
		if (optarg && kt_args_given_twice(&seen, options, o, optarg))
			return -EINVAL;
		switch (o) {
		case 'o':
			outdir = optarg;
			break;
		case 'p':
			r = parse_uint("--players", optarg, 1, SIM_MAX_PLAYERS, &c->players);
			break;
		case 'm':
			r = parse_double("--minutes", optarg, 0.1, 600, &c->minutes);
			break;
		case 's':
			if (kt_safe_atoi64(optarg, &seed) < 0 || seed < 0) {
				log_error("--seed: '%s' is not an unsigned integer", optarg);
				r = -EINVAL;
			} else {
				c->seed = (uint64_t)seed;
			}
			break;
		case OPT_START:
			r = parse_start(optarg, &c->start_unix);
			break;
		case 'f':
			if ((r = sim_format_from_str(optarg)) < 0)
				log_error("--format: '%s' is not one of ubx, nmea, mixed", optarg);
			else
				c->format = (enum sim_format)r;
			break;
		case OPT_NMEA_EVERY:
			r = parse_uint("--nmea-every", optarg, 1, SIM_MAX_PLAYERS, &c->nmea_every);
			break;
		case 'n':
			if ((r = sim_noise_from_str(optarg)) < 0)
				log_error("--noise: '%s' is not one of none, realistic, harsh",
					  optarg);
			else
				c->noise = (enum sim_noise)r;
			break;
		case OPT_DRILL:
			if ((r = sim_drill_from_str(optarg)) < 0)
				log_error("--drill: '%s' is not one of match, sprints", optarg);
			else
				c->drill = (enum sim_drill)r;
			break;
		case OPT_GNSS_HZ:
			r = parse_rate("--gnss-hz", optarg, 25, &c->gnss_hz);
			break;
		case OPT_IMU_HZ:
			r = parse_rate("--imu-hz", optarg, 100, &c->imu_hz);
			break;
		case OPT_NO_IMU:
			c->imu = false;
			break;
		case OPT_PITCH_LAT:
			r = parse_double("--pitch-lat", optarg, -85, 85, &c->pitch_lat);
			break;
		case OPT_PITCH_LON:
			r = parse_double("--pitch-lon", optarg, -180, 180, &c->pitch_lon);
			break;
		case OPT_PITCH_HEADING:
			r = parse_double("--pitch-heading", optarg, -360, 360,
					 &c->pitch_heading_deg);
			break;
		case OPT_PITCH_NAME:
			if (strlen(optarg) >= sizeof(c->pitch_name) || strpbrk(optarg, "\r\n")) {
				log_error("--pitch-name: too long or contains a line break");
				r = -EINVAL;
			} else {
				snprintf(c->pitch_name, sizeof(c->pitch_name), "%s", optarg);
			}
			break;
		case OPT_VEST_PREFIX:
			if (!valid_prefix(optarg)) {
				log_error("--vest-prefix: '%s' must be at most 4 ASCII characters "
					  "(vest.md), without , \" * $ / or blanks",
					  optarg);
				r = -EINVAL;
			} else {
				snprintf(c->vest_prefix, sizeof(c->vest_prefix), "%s", optarg);
			}
			break;
		case OPT_TRUTH_SERIES:
			c->truth_series = true;
			break;
		case OPT_FORCE:
			c->force = true;
			break;
		case OPT_BENCH:
			r = parse_uint("--bench", optarg, 0, SIM_MAX_PLAYERS, &c->bench);
			break;
		case 'v':
			kt_log_set_level(KT_LOG_DEBUG);
			break;
		case 'h':
			help();
			return 1;
		case 'V':
			kt_args_version("kicktrack-sim");
			return 1;
		default: /* '?' or ':' */
			kt_args_bad_option(NULL, "kicktrack-sim", o, argv, options);
			return -EINVAL;
		}
		if (r < 0)
			return r;
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (the output directory goes after -o)",
			  argv[optind]);
		return -EINVAL;
	}
	if (!outdir) {
		log_error("no output directory: use -o DIR (see --help)");
		return -EINVAL;
	}
	if (c->bench > c->players) {
		log_error("--bench %u: more vests on the bench than --players %u", c->bench, c->players);
		return -EINVAL;
	}
	*ret_outdir = outdir;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sim_config c;
	const char *outdir = NULL;
	int r;

	kt_log_set_program("kicktrack-sim");
	sim_config_default(&c);
	r = parse_args(argc, argv, &c, &outdir);
	if (r < 0)
		return EXIT_USAGE;
	if (r > 0)
		return EXIT_SUCCESS;

	r = sim_run(&c, outdir);
	if (r < 0) {
		/* sim_run has said what went wrong, except running out of memory */
		if (r == -ENOMEM)
			log_error_errno(r, "simulation into %s failed: %m", outdir);
		return EXIT_FAILURE;
	}
	log_info("wrote %u vests, %g min, seed %llu, noise %s into %s", c.players, c.minutes,
		 (unsigned long long)c.seed, sim_noise_to_str(c.noise), outdir);
	return EXIT_SUCCESS;
}
