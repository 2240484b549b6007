/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * kicktrack status [--root DIR | --file PATH] [--watch]: the docking station
 * for the volunteer, from the status file kicktrackd rewrites every second.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "kt-cli.h"
#include "store/kt-store.h"
#include "util/kt-args.h"
#include "util/kt-fileio.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

#define STALE_S 10
/* trainings with their reports made, shown: the latest ones (a season's
 * would push the vests off a --watch screen) */
#define SHOW_DONE 3
/* less free space than this in the store: "nearly FULL" (a download's
 * resume point alone is written every 256 KiB); below the second, what
 * kicktrackd keeps free for its status and resume points: "FULL" */
#define DISK_LOW_BYTES (1024.0 * 1024)
#define DISK_FULL_BYTES (128.0 * 1024)
/* "format" of the file kicktrackd writes (src/daemon/kt-status.c) */
#define STATUS_FORMAT "kicktrack-status-1"

static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
	interrupted = 1;
}

static const char *
jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static int64_t
jint(json_object *o, const char *key, int64_t dflt)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return dflt;
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return dflt;
	return json_object_get_int64(v);
}

static void
bar(FILE *f, double frac, int width)
{
	int full = (int)(frac * width + 0.5);

	if (full < 0)
		full = 0;
	if (full > width)
		full = width;
	fputc('[', f);
	for (int i = 0; i < width; i++)
		fputc(i < full ? '#' : '.', f);
	fputc(']', f);
}

static void
print_vest(FILE *f, json_object *v)
{
	const char *id = jstr(v, "id"), *state = jstr(v, "state"), *reason = jstr(v, "reason");
	int64_t done = jint(v, "bytes_done", 0), total = jint(v, "bytes_total", 0);
	int64_t stored = jint(v, "stored", 0), erased = jint(v, "erased", 0);
	int64_t failed = jint(v, "failed", 0), n = jint(v, "sessions", 0);
	char b1[32], b2[32], b3[32];

	fprintf(f, "  %-10s ", *id ? id : "?");
	if (!strcmp(state, "downloading")) {
		double frac = total > 0 ? (double)done / (double)total : 0;
		int64_t eta = jint(v, "eta_s", -1);
		kt_fmt_bytes(b1, sizeof(b1), (double)done, KT_BYTES_FINE);
		kt_fmt_bytes(b2, sizeof(b2), (double)total, KT_BYTES_FINE);
		kt_fmt_bytes(b3, sizeof(b3), (double)jint(v, "rate_bps", 0), KT_BYTES_FINE);
		fprintf(f, "downloading ");
		bar(f, frac, 20);
		fprintf(f, " %3.0f%%  %s of %s  %s/s", frac * 100, b1, b2, b3);
		if (eta >= 0)
			fprintf(f, "  ETA %" PRId64 ":%02" PRId64, eta / 60, eta % 60);
		fputc('\n', f);
		if (*reason) /* how the link does: damaged answers asked again */
			fprintf(f, "             %s\n", reason);
		return;
	}
	if (!strcmp(state, "done")) {
		if (n == 0)
			fprintf(f, "done: no sessions on the vest\n");
		else if (erased == n)
			fprintf(f, "done: %" PRId64 " session%s stored and erased from the vest\n", n,
				n == 1 ? "" : "s");
		else
			fprintf(f, "done: %" PRId64 " of %" PRId64 " session%s stored%s%s\n", stored, n,
				n == 1 ? "" : "s", erased ? ", some erased" : "",
				failed ? ", some FAILED (see below)" : "");
		if (*reason) /* why some failed, or that the link was noisy */
			fprintf(f, "             %s\n", reason);
		return;
	}
	if (!strcmp(state, "failed")) {
		fprintf(f, "FAILED: %s\n", *reason ? reason : "unknown reason");
		if (*jstr(v, "port"))
			fprintf(f, "             (port %s)\n", jstr(v, "port"));
		return;
	}
	if (!strcmp(state, "unplugged")) {
		if (stored + failed >= n && n > 0)
			fprintf(f, "unplugged: %" PRId64 " of %" PRId64 " sessions stored%s\n", stored, n,
				erased ? " (erased on the vest)" : "");
		else
			fprintf(f, "unplugged before it was finished (%" PRId64 " of %" PRId64
				" sessions stored): plug it in again to continue\n", stored, n);
		return;
	}
	if (!strcmp(state, "waiting")) {
		/* no room on the store's disk for its download (yet): the
		 * reason says whether beside others or at all, and what to do */
		fprintf(f, "%s\n", *reason ? reason : "waiting for disk space");
		return;
	}
	if (!strcmp(state, "erasing")) {
		fprintf(f, "stored, erasing it on the vest\n");
		return;
	}
	fprintf(f, "%s%s%s\n", state, *reason ? ": " : "", reason);
}

/* A full disk stops kicktrackd writing anything, its status file too (which
 * then looks like a daemon that is stuck): say what it is. */
static void
disk_full(FILE *f, const char *store)
{
	struct statvfs st;
	char b[32];
	double avail;

	if (!*store || statvfs(store, &st) < 0)
		return;
	avail = (double)st.f_bavail * (double)st.f_frsize;
	if (avail >= DISK_LOW_BYTES)
		return;
	kt_fmt_bytes(b, sizeof(b), avail, KT_BYTES_FINE);
	if (avail < DISK_FULL_BYTES)
		fprintf(f, "The disk of the store is FULL (%s free): kicktrackd cannot store the vests'\n"
			"sessions, and soon not even this status.", b);
	else
		fprintf(f, "The disk of the store is nearly FULL (%s free): kicktrackd stores only the\n"
			"sessions that still fit; the other vests wait.", b);
	fprintf(f, " Nothing is lost: a vest's sessions are\n"
		"erased only once stored. Ask the city staff to free space there\n"
		"(df -h %s); the downloads then go on by themselves.\n", store);
}

/* Returns 0 or -errno; renders into f. */
static int
render(FILE *f, const char *path, bool clear)
{
	char *data = NULL;
	json_object *root, *vests, *trainings;
	enum json_tokener_error jerr;
	int64_t updated, age;
	int r;

	r = kt_read_file(path, 16 << 20, &data, NULL);
	if (r < 0)
		return r;
	root = json_tokener_parse_verbose(data, &jerr);
	free(data);
	if (!root || !json_object_is_type(root, json_type_object)) {
		if (root)
			json_object_put(root);
		return -EBADMSG;
	}
	/* any other JSON would be shown as a daemon stopped decades ago */
	if (strcmp(jstr(root, "format"), STATUS_FORMAT)) {
		json_object_put(root);
		return -EPROTO;
	}
	updated = jint(root, "updated_unix", 0);
	age = (int64_t)time(NULL) - updated;
	if (clear)
		fputs("\033[H\033[2J", f);
	json_object *running;
	if (json_object_object_get_ex(root, "running", &running) &&
	    !json_object_get_boolean(running)) {
		fprintf(f, "kicktrackd is STOPPED (since %" PRId64 " s). Start it: systemctl start "
			"kicktrackd\n", age);
		age = STALE_S + 1;
	} else if (age > STALE_S)
		fprintf(f, "kicktrackd is NOT running (or stuck): its status is %" PRId64
			" s old. Is the service started? (systemctl status kicktrackd)\n", age);
	else
		fprintf(f, "kicktrack docking station: store %s\n", jstr(root, "store_root"));
	disk_full(f, jstr(root, "store_root"));

	if (json_object_object_get_ex(root, "vests", &vests) &&
	    json_object_is_type(vests, json_type_array) && json_object_array_length(vests) > 0) {
		size_t n = json_object_array_length(vests);
		fprintf(f, "\nVests (%zu):\n", n);
		for (size_t i = 0; i < n; i++)
			print_vest(f, json_object_array_get_idx(vests, i));
	} else {
		json_object *dock;
		if (json_object_object_get_ex(root, "dock", &dock) && !json_object_get_boolean(dock))
			fprintf(f, "\nNo vest docked: this kicktrackd records live vests through gpsd only "
				   "(see 'kicktrack live').\n");
		else
			fprintf(f, "\nNo vest seen yet: plug the vests into the dock.\n");
	}

	if (json_object_object_get_ex(root, "trainings", &trainings) &&
	    json_object_is_type(trainings, json_type_array)) {
		/* done, and stored (processing off): the latest SHOW_DONE of each */
		size_t n = json_object_array_length(trainings), n_done = 0, n_stored = 0, skip, skip_st;
		for (size_t i = 0; i < n; i++) {
			const char *st = jstr(json_object_array_get_idx(trainings, i), "state");
			n_done += !strcmp(st, "done");
			n_stored += !strcmp(st, "stored");
		}
		skip = n_done > SHOW_DONE ? n_done - SHOW_DONE : 0;
		skip_st = n_stored > SHOW_DONE ? n_stored - SHOW_DONE : 0;
		if (n)
			fprintf(f, "\nTrainings:\n");
		if (skip)
			fprintf(f, "  %zu earlier training%s with reports ready (not shown): %s/sessions/\n",
				skip, skip == 1 ? "" : "s", jstr(root, "store_root"));
		if (skip_st)
			fprintf(f, "  %zu earlier training%s stored (not shown): %s/sessions/\n",
				skip_st, skip_st == 1 ? "" : "s", jstr(root, "store_root"));
		for (size_t i = 0, seen_done = 0, seen_st = 0; i < n; i++) {
			json_object *t = json_object_array_get_idx(trainings, i);
			const char *st = jstr(t, "state");

			if (!strcmp(st, "done") && seen_done++ < skip)
				continue;
			if (!strcmp(st, "stored") && seen_st++ < skip_st)
				continue;
			fprintf(f, "  %-18s %2" PRId64 " logs  ", jstr(t, "name"), jint(t, "logs", 0));
			if (!strcmp(st, "waiting") && *jstr(t, "space_wait"))
				fprintf(f, "%s\n", jstr(t, "space_wait"));
			else if (!strcmp(st, "waiting") && *jstr(t, "waiting_for"))
				fprintf(f, "waiting for %s, still being read\n", jstr(t, "waiting_for"));
			else if (!strcmp(st, "waiting"))
				fprintf(f, "waiting for more vests (reports in %" PRId64 " s)\n",
					jint(t, "processing_in_s", 0));
			else if (!strcmp(st, "processing"))
				fprintf(f, "making the reports...\n");
			else if (!strcmp(st, "done"))
				fprintf(f, "reports ready: %s\n", jstr(t, "report_dir"));
			else if (!strcmp(st, "stored"))
				fprintf(f, "stored; no reports made (kicktrackd runs with processing off)\n");
			else if (*jstr(t, "reason")) /* the store's disk was full */
				fprintf(f, "reports NOT made: %s\n", jstr(t, "reason"));
			else {
				/* report_dir is .../sessions/NAME/reports; the logs are beside it */
				const char *rd = jstr(t, "report_dir");
				const char *slash = strrchr(rd, '/');
				int dl = slash ? (int)(slash - rd) : 0;
				fprintf(f, "processing FAILED (exit code %" PRId64 "); the logs are safe. "
					"To see why: kicktrack process %.*s/logs -o /tmp/out\n",
					jint(t, "exit_code", 0), dl, rd);
			}
			if (*jstr(t, "found")) /* in no training when kicktrackd started */
				fprintf(f, "  %-18s           added at kicktrackd's start: %s\n", "",
					jstr(t, "found"));
			if (*jstr(t, "without") && strcmp(st, "waiting"))
				fprintf(f, "  %-18s           made WITHOUT %s: download not finished "
					"(its part is kept; the reports are made again when it is in)\n", "",
					jstr(t, "without"));
		}
	}
	if (*jstr(root, "latest_report"))
		fprintf(f, "\nLatest report: %s\n", jstr(root, "latest_report"));
	json_object_put(root);
	fflush(f);
	return age > STALE_S ? 1 : 0;
}

/* One message for a status file render() could not show. */
static void
log_status_error(const char *path, int r)
{
	if (r == -ENOENT)
		log_error("no status file %s: kicktrackd has not run with this store "
			  "(see kicktrackd(8))", path);
	else if (r == -EBADMSG)
		log_error("%s is not a kicktrackd status file (not a JSON object)", path);
	else if (r == -EPROTO)
		log_error("%s is not a kicktrackd status file (no \"format\": \"" STATUS_FORMAT "\")",
			  path);
	else if (r == -EISDIR)
		log_error("status file %s is a directory: give the file (or --root DIR)", path);
	else if (r == -EACCES) {
		/* the store holds minors' data: the service's group only */
		struct passwd *pw = getpwuid(getuid());
		log_error("cannot read status file %s: permission denied; the store is for root and "
			  "the group kicktrack only: 'sudo adduser %s kicktrack', then log in again",
			  path, pw ? pw->pw_name : "YOUR-USER");
	}
	else
		log_error("cannot read status file %s: %s", path, kt_read_file_error(r));
}

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: kicktrack status [--root DIR | --file PATH] [--watch]\n"
		"Show the docking station: every vest seen (downloading with progress, speed\n"
		"and time left; waiting for disk space and why; done, stored, erased; or\n"
		"failed and why), the trainings (the latest 3 with reports ready, and the\n"
		"latest 3 stored without reports when kicktrackd's processing is off) and\n"
		"the latest report folder, from the status file kicktrackd writes.\n\n"
		"  -r, --root DIR    session store root (default " KT_STORE_DEFAULT_ROOT ");\n"
		"                    reads DIR/status.json\n"
		"  -f, --file PATH   read this status file instead (not with --root)\n"
		"  -w, --watch       refresh every second until Ctrl-C (only on a terminal;\n"
		"                    otherwise print once); waits while there is no file\n"
		"  -h, --help        this help\n"
		"  -V, --version     the version\n\n"
		"Exit codes: 0 shown, 1 no status file (daemon never ran), unreadable, or\n"
		"not a kicktrackd status file (also with --watch, at once), 2 usage, 3 shown\n"
		"but the daemon is not running (status older than %d s).\n",
		STALE_S);
}

int
kt_cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "file", required_argument, NULL, 'f' },
		{ "watch", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	const char *root = KT_STORE_DEFAULT_ROOT, *file = NULL;
	bool root_given = false;
	char *path = NULL;
	bool watch = false;
	struct kt_args_seen seen = { 0 };
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":r:f:whV", opts, NULL)) != -1) {
		if (optarg && kt_args_given_twice(&seen, opts, opt, optarg))
			return KT_EXIT_USAGE;
		switch (opt) {
		case 'r':
			root = optarg;
			root_given = true;
			break;
		case 'f':
			if (kt_cli_empty_name("status", "--file", optarg))
				return KT_EXIT_USAGE;
			file = optarg;
			break;
		case 'w':
			watch = true;
			break;
		case 'h':
			usage(stdout);
			return KT_EXIT_OK;
		case 'V':
			return kt_cli_version();
		default:
			return kt_cli_bad_option("status", opt, argv, opts);
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (try 'kicktrack status --help')", argv[optind]);
		return KT_EXIT_USAGE;
	}
	/* --file names the status file itself: with --root too, one of
	 * them would be ignored without a word */
	if (root_given && file) {
		log_error("--root %s and --file %s: give one of them", root, file);
		return KT_EXIT_USAGE;
	}
	if (file)
		path = strdup(file);
	else if (asprintf(&path, "%s/status.json", root) < 0)
		path = NULL;
	if (!path)
		return KT_EXIT_FAILURE;
	if (watch && !isatty(STDOUT_FILENO))
		watch = false;

	if (!watch) {
		r = render(stdout, path, false);
		if (r < 0) {
			log_status_error(path, r);
			free(path);
			return KT_EXIT_FAILURE;
		}
		free(path);
		return r == 1 ? KT_EXIT_PARTIAL : KT_EXIT_OK;
	}

	signal(SIGINT, on_sigint);
	signal(SIGTERM, on_sigint);
	while (!interrupted) {
		r = render(stdout, path, true);
		if (r < 0 && r != -ENOENT) {
			/* kicktrackd replaces the file whole (atomically): what
			 * is wrong with it now will not get right by waiting */
			log_status_error(path, r);
			free(path);
			return KT_EXIT_FAILURE;
		}
		if (r < 0) {
			fputs("\033[H\033[2J", stdout);
			printf("Waiting for kicktrackd's status file %s (not there yet)...\n", path);
			fflush(stdout);
		}
		poll(NULL, 0, 1000);
	}
	free(path);
	return KT_EXIT_OK;
}
