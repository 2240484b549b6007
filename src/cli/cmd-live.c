/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * kicktrack live: the live numbers of vests streamed through gpsd, as
 * kicktrackd writes them once a second (doc/live-log-format.md, "Live
 * status file"). Refreshes every second on a terminal; --once prints one
 * table. See man/kicktrack-live.1.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kt-cli.h"
#include "kt-config.h"
#include "store/kt-store.h"
#include "util/kt-args.h"
#include "util/kt-fileio.h"
#include "util/kt-ini.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

#define DEFAULT_CONFIG KT_SYSCONFDIR "/kicktrack/kicktrack.conf"
/* The daemon rewrites the file every second; older than this means it stopped. */
#define STALE_S 5.0

static void
help(FILE *f)
{
	fprintf(f,
		"Usage: kicktrack live [--file PATH] [--once] [--config PATH]\n"
		"Show the live numbers of the vests kicktrackd records through gpsd: per\n"
		"player the current speed, distance so far, high-speed running distance,\n"
		"sprints so far, maximum speed and seconds since the last fix. A vest\n"
		"whose fix is lost (or whose device gpsd dropped) is flagged.\n\n"
		"Options:\n"
		"  -f, --file PATH    the live status file (default: [gpsd] status_file of\n"
		"                     the config, else <store root>/live.json)\n"
		"  -1, --once         print one table and exit (for scripts)\n"
		"  -c, --config PATH  config file (default %s)\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n\n"
		"Without --once the table is redrawn every second until interrupted; a\n"
		"missing file is waited for. A file older than 5 s is flagged: gpsd's state\n"
		"and the speeds are then unknown.\n"
		"Exit status: 0 done, 1 the status file is not a live status file (a\n"
		"directory, a device, other content) or cannot be read, at once; with --once\n"
		"also when it is missing; 2 usage error.\n"
		"See kicktrack-live(1).\n",
		DEFAULT_CONFIG);
}

struct live_cfg {
	char *status_file;
	char *gpsd_root;
	char *daemon_root;
};

static int
config_cb(const char *path, unsigned line, const char *section, const char *key, const char *value,
	  void *userdata)
{
	struct live_cfg *c = userdata;
	char **dst = NULL;

	if (!strcmp(section, "gpsd") && !strcmp(key, "status_file"))
		dst = &c->status_file;
	else if (!strcmp(section, "gpsd") && !strcmp(key, "store_root"))
		dst = &c->gpsd_root;
	else if (!strcmp(section, "daemon") && !strcmp(key, "store_root"))
		dst = &c->daemon_root;
	if (dst) {
		free(*dst);
		*dst = strdup(value);
		if (!*dst)
			return -ENOMEM;
	}
	return 0;
}

/* Where kicktrackd writes the live file, by the same rules as kt-live.c. */
static int
default_file(const char *config, bool config_given, char **ret)
{
	struct live_cfg c = { 0 };
	int r;

	/* the default config is optional */
	r = config_given || access(config, F_OK) == 0 ? kt_ini_parse(config, config_cb, &c) : 0;
	if (r < 0)
		goto out; /* kt_ini_parse said what is wrong */
	r = 0;
	if (c.status_file) {
		*ret = c.status_file;
		c.status_file = NULL;
	} else if (asprintf(ret, "%s/live.json",
			    c.gpsd_root ? c.gpsd_root : c.daemon_root ? c.daemon_root : KT_STORE_DEFAULT_ROOT) < 0)
		r = -ENOMEM;
out:
	free(c.status_file);
	free(c.gpsd_root);
	free(c.daemon_root);
	return r;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static double
jnum(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return NAN;
	return json_object_get_double(v);
}

static bool
jbool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* printf's %-*s counts bytes; names are UTF-8: pad/cut by code points */
static void
put_padded(FILE *out, const char *s, int width)
{
	const char *p = s;
	int n = 0;

	while (*p && n < width) {
		const char *q = p + 1;
		while (((unsigned char) *q & 0xC0) == 0x80)
			q++;
		fwrite(p, 1, q - p, out);
		p = q;
		n++;
	}
	for (; n < width; n++)
		fputc(' ', out);
}

static void
put_num(FILE *out, double v, int width, int decimals)
{
	char b[32];

	if (isfinite(v))
		fprintf(out, " %*s", width, kt_fmt_double(b, sizeof(b), v, decimals, false));
	else
		fprintf(out, " %*s", width, "-");
}

static const char *
state_label(const char *st)
{
	if (!st)
		return "?";
	if (!strcmp(st, "ok"))
		return "ok";
	if (!strcmp(st, "lost"))
		return "FIX LOST";
	if (!strcmp(st, "gone"))
		return "DEVICE GONE";
	if (!strcmp(st, "nofix"))
		return "NO FIX";
	if (!strcmp(st, "waiting"))
		return "waiting";
	if (!strcmp(st, "ended"))
		return "ended";
	return st;
}

/* Read and print one table. Returns 0, or -errno if the file is unusable:
 * -ENOENT not there (yet), -EISDIR, -EINVAL (a FIFO or device), -EBADMSG
 * not a live status file. */
static int
show(FILE *out, const char *path, bool tty)
{
	struct json_object *root, *players, *version;
	struct stat st;
	double age_file = NAN;
	char *data = NULL;
	size_t n;
	int r;

	if (stat(path, &st) < 0)
		return -errno;
	/* regular files only: a FIFO or /dev/zero would be read forever */
	r = kt_read_file(path, 16u << 20, &data, NULL);
	if (r < 0)
		return r == -EFBIG ? -EBADMSG : r;
	root = json_tokener_parse(data);
	free(data);
	if (!root)
		return -EBADMSG;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "version", &version) || !json_object_is_type(version, json_type_int) ||
	    !json_object_object_get_ex(root, "players", &players) || !json_object_is_type(players, json_type_array)) {
		json_object_put(root);
		return -EBADMSG;
	}
	{
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		age_file = (double) (now.tv_sec - st.st_mtim.tv_sec) +
			   (double) (now.tv_nsec - st.st_mtim.tv_nsec) / 1e9;
	}

	if (tty)
		fputs("\033[H\033[2J", out);
	if (age_file > STALE_S) {
		/* what the file says about gpsd and the session was true then,
		 * not now: kicktrackd stopped (or is stuck) */
		fprintf(out, "WARNING: %s was last updated %.0f s ago: is kicktrackd running with [gpsd] enable = yes?\n",
			path, age_file);
		fprintf(out, "gpsd %s: state unknown; the numbers below are from %.0f s ago%s\n",
			jstr(root, "gpsd") ? jstr(root, "gpsd") : "?", age_file,
			jbool(root, "session") ? " (a session was running then)" : "");
	} else {
		fprintf(out, "gpsd %s: %s", jstr(root, "gpsd") ? jstr(root, "gpsd") : "?",
			jbool(root, "connected") ? "connected" : "NOT CONNECTED");
		if (jbool(root, "session"))
			fprintf(out, "; session since %s", jstr(root, "session_start") ? jstr(root, "session_start") : "?");
		else
			fprintf(out, "; no session running%s",
				json_object_array_length(players) ? " (last session's final numbers)" : "");
		fputc('\n', out);
	}

	/* kicktrackd paused recording: the store's disk is (nearly) full */
	if (jstr(root, "recording_note") && *jstr(root, "recording_note"))
		fprintf(out, "NOT RECORDING: %s\n", jstr(root, "recording_note"));
	fprintf(out, "%-8s %-20s %10s %10s %9s %7s %10s %9s  %s\n", "VEST", "PLAYER", "SPEED km/h", "DIST m",
		"HSR m", "SPRINTS", "MAX km/h", "LAST FIX", "STATE");
	n = json_object_array_length(players);
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(players, i);
		const char *vest = jstr(p, "vest"), *player = jstr(p, "player"), *stt = jstr(p, "state");
		double age = jnum(p, "last_fix_age_s");
		char b[32];
		bool flagged = stt && strcmp(stt, "ok") && strcmp(stt, "ended");
		/* a stale file: the last speed and state are not now's (the
		 * totals are what was counted, and final once ended) */
		bool unknown = age_file > STALE_S && !(stt && !strcmp(stt, "ended"));

		/* the fix age grows while the file ages: only counted once the daemon
		 * is clearly late (mtime may have a coarse resolution) */
		if (isfinite(age) && isfinite(age_file) && age_file > 2.0 && jbool(root, "session"))
			age += age_file;
		put_padded(out, vest ? vest : "?", 8);
		fputc(' ', out);
		put_padded(out, player ? player : "", 20);
		put_num(out, unknown ? NAN : jnum(p, "speed_kmh"), 10, 1);
		put_num(out, jnum(p, "distance_m"), 10, 0);
		put_num(out, jnum(p, "hsr_m"), 9, 0);
		put_num(out, jnum(p, "sprints"), 7, 0);
		put_num(out, jnum(p, "max_speed_kmh"), 10, 1);
		if (isfinite(age))
			fprintf(out, " %7s s", kt_fmt_double(b, sizeof(b), age, 1, false));
		else
			fprintf(out, " %9s", "-");
		if (unknown)
			fprintf(out, "  ?? (was: %s)", state_label(stt));
		else
			fprintf(out, "  %s%s", flagged ? "!! " : "", state_label(stt));
		/* long sessions: the daemon refreshes the totals of many vests in turn */
		if (jnum(p, "numbers_age_s") > 2.0)
			fprintf(out, " (totals %.0f s old)", jnum(p, "numbers_age_s"));
		fputc('\n', out);
	}
	if (n == 0)
		fprintf(out, "(no vest has sent a fix yet)\n");
	fflush(out);
	json_object_put(root);
	return 0;
}

int
kt_cmd_live(int argc, char **argv)
{
	static const struct option options[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "once", no_argument, NULL, '1' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	const char *file = NULL, *config = DEFAULT_CONFIG;
	bool once = false, config_given = false, tty;
	char *path = NULL;
	struct kt_args_seen seen = { 0 };
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:1c:hV", options, NULL)) >= 0) {
		if (optarg && kt_args_given_twice(&seen, options, c, optarg))
			return KT_EXIT_USAGE;
		switch (c) {
		case 'f':
			if (kt_cli_empty_name("live", "--file", optarg))
				return KT_EXIT_USAGE;
			file = optarg;
			break;
		case '1':
			once = true;
			break;
		case 'c':
			config = optarg;
			config_given = true;
			break;
		case 'h':
			help(stdout);
			return KT_EXIT_OK;
		case 'V':
			return kt_cli_version();
		default:
			return kt_cli_bad_option("live", c, argv, options);
		}
	}
	if (optind < argc) {
		log_error("live: unexpected argument '%s' (try 'kicktrack live --help')", argv[optind]);
		return KT_EXIT_USAGE;
	}
	if (file)
		path = strdup(file);
	else if (default_file(config, config_given, &path) < 0)
		return KT_EXIT_USAGE;
	if (!path)
		return KT_EXIT_FAILURE;

	tty = isatty(STDOUT_FILENO) && !once;
	for (bool waiting = false;; ) {
		r = show(stdout, path, tty);
		/* Only a missing file is waited for: kicktrackd replaces the
		 * file whole (atomically), so one that is there but wrong
		 * will not get right by waiting. */
		if (r < 0 && (once || r != -ENOENT)) {
			if (r == -EBADMSG)
				log_error("%s is not a kicktrack live status file", path);
			else if (r == -EISDIR)
				log_error("%s is a directory, not a kicktrack live status file (give the file, "
					  "e.g. %s/live.json)", path, path);
			else
				log_error("cannot read the live status file %s: %s", path, kt_read_file_error(r));
			free(path);
			return KT_EXIT_FAILURE;
		}
		if (r < 0 && (tty || !waiting)) {
			/* redrawn on a terminal; said once into a pipe or file */
			if (tty)
				fputs("\033[H\033[2J", stdout);
			printf("waiting for %s (%s) ...\n", path, strerror(-r));
			printf("kicktrackd writes it while it records vests through gpsd: is it running,\n"
			       "with enable = yes under [gpsd] in its config? Ctrl-C to stop waiting.\n");
			fflush(stdout);
		}
		waiting = r < 0;
		if (once)
			break;
		if (!tty && !waiting)
			putchar('\n');
		sleep(1);
	}
	free(path);
	return KT_EXIT_OK;
}
