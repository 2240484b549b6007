/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Trainings: stored logs whose time ranges overlap are one training (a store
 * session directory with a manifest). Once no further vest arrived for the
 * quiet time, or every roster vest is in, processing and reports run in a
 * forked child (the poll loop never blocks); a late vest re-runs them.
 *
 * Each training directory gets logs/<vest>.log, hard links to the immutable
 * raw logs, so the pipeline sees one file per vest named by its id.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ingest/kt-log.h"
#include "kt-dockd.h"
#include "report/kt-pipeline.h"
#include "util/kt-fileio.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

#define UNKNOWN_TIME INT64_MIN
#define DEFAULT_LEN_US (2LL * 3600 * 1000000)
/* Reports that failed for a full disk are made again once this much more is
 * free than after the failed run (so a disk still full is not tried again
 * and again); below the second, missing charts are taken for the disk's
 * fault too (gnuplot does not say why it wrote nothing) */
#define NOSPACE_RETRY_BYTES (1024 * 1024)
#define NOSPACE_CHARTS_BYTES (1024 * 1024)
/* Before a training's first report run, what it will write is taken as half
 * the size of each log (the 10 Hz timeseries.csv and the other CSV and JSON
 * files take about a third) plus this much per log for its charts and PDF
 * (two simulated vests of 10 min, 1.4 MB logs, gave 1.47 MB of reports with
 * charts: this estimate says 1.9 MB) */
#define REPORT_BYTES_PER_LOG (256 * 1024)
/* A report run waiting for the downloads under way checks again this often */
#define REPORT_SPACE_RECHECK_US 1000000

const char *
kt_training_state_to_str(enum kt_training_state s)
{
	switch (s) {
	case KT_TRAINING_COLLECTING: return "waiting";
	case KT_TRAINING_PROCESSING: return "processing";
	case KT_TRAINING_DONE: return "done";
	case KT_TRAINING_FAILED: return "failed";
	case KT_TRAINING_STORED: return "stored";
	}
	return "?";
}

/* Time range of a raw log from its first and last 64 KiB. */
static void
log_range(const char *path, int64_t start_hint, int64_t *ret_start, int64_t *ret_end)
{
	struct kt_log_header hdr;
	int64_t first, last;

	(void)kt_log_peek(path, &hdr, &first, &last);
	if (start_hint != UNKNOWN_TIME && start_hint > 0)
		first = start_hint;
	if (first == UNKNOWN_TIME) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		first = (int64_t)ts.tv_sec * 1000000;
	}
	if (last == UNKNOWN_TIME || last < first)
		last = first + DEFAULT_LEN_US;
	*ret_start = first;
	*ret_end = last;
}

static bool
has_vest(const struct kt_training *t, const char *vest)
{
	for (size_t i = 0; i < t->m.n; i++)
		if (!strcmp(t->m.e[i].vest_id, vest))
			return true;
	return false;
}

static int
link_log(struct kt_dockd *d, struct kt_training *t, const char *vest, uint32_t session_id,
	 const char *raw_path)
{
	char *dir = NULL, *dst = NULL;
	int r = 0;

	if (asprintf(&dir, "%s/sessions/%s/logs", kt_store_root(d->store), t->m.name) < 0)
		return -ENOMEM;
	r = kt_mkdir_p(dir, KT_STORE_DIR_MODE);
	if (r >= 0) {
		/* a second log of the same vest in one training keeps its session id */
		unsigned same = 0;
		for (size_t i = 0; i < t->m.n; i++)
			same += !strcmp(t->m.e[i].vest_id, vest);
		if (same > 1)
			r = asprintf(&dst, "%s/%s.%" PRIu32 ".log", dir, vest, session_id);
		else
			r = asprintf(&dst, "%s/%s.log", dir, vest);
		if (r < 0) {
			dst = NULL;
			r = -ENOMEM;
		} else if (link(raw_path, dst) < 0 && errno != EEXIST) {
			r = -errno;
		} else {
			r = kt_fsync_dir(dir);
		}
	}
	if (r < 0)
		log_error_errno(r, "cannot link %s into training %s: %m", raw_path, t->m.name);
	free(dir);
	free(dst);
	return r;
}

/* A training name in use: one of d's, or a session folder whose manifest
 * is there but cannot be read (kt_training_load() said so; never replaced).
 * A folder without a manifest is free: a live session's whose manifest a
 * full disk kept from being written, made for it. */
static bool
name_taken(struct kt_dockd *d, const char *name)
{
	struct kt_store_manifest m;
	int r;

	for (size_t i = 0; i < d->n_trainings; i++)
		if (!strcmp(d->trainings[i].m.name, name))
			return true;
	r = kt_store_manifest_read(d->store, name, &m);
	if (r >= 0) {
		kt_store_manifest_clear(&m);
		return false; /* a live session's, just written: it becomes this training */
	}
	return r != -ENOENT;
}

int
kt_training_add(struct kt_dockd *d, const char *vest_id, uint32_t session_id, uint32_t crc32,
		const char *raw_path, int64_t start_unix_us, int64_t now_us)
{
	struct kt_training *t = NULL;
	struct kt_store_manifest_entry *ne;
	int64_t s, e;
	const char *root = kt_store_root(d->store);
	size_t rootlen = strlen(root);
	int r;

	log_range(raw_path, start_unix_us, &s, &e);
	for (size_t i = 0; i < d->n_trainings; i++) {
		struct kt_training *c = &d->trainings[i];
		for (size_t k = 0; k < c->m.n; k++)
			if (!strcmp(c->m.e[k].vest_id, vest_id) && c->m.e[k].session_id == session_id &&
			    c->m.e[k].crc32 == crc32)
				return 0; /* already in it */
		if (s <= c->m.end_unix_us + KT_TRAINING_SLACK_US &&
		    e >= c->m.start_unix_us - KT_TRAINING_SLACK_US)
			t = t ? t : c;
	}
	if (!t) {
		struct kt_training *nt = realloc(d->trainings, (d->n_trainings + 1) * sizeof(*nt));
		if (!nt)
			return -ENOMEM;
		d->trainings = nt;
		t = &d->trainings[d->n_trainings];
		*t = (struct kt_training){ .m.start_unix_us = s, .m.end_unix_us = e };
		r = kt_store_session_name(s, t->m.name, sizeof(t->m.name));
		if (r < 0)
			return log_error_errno(r, "cannot name a training starting at %" PRId64 ": %m", s);
		/* an unrelated training in the same minute, or a folder whose
		 * manifest cannot be read: keep them apart */
		if (name_taken(d, t->m.name)) {
			size_t l = strlen(t->m.name);
			for (size_t k = d->n_trainings; ; k++) {
				snprintf(t->m.name + l, sizeof(t->m.name) - l, "-%zu", k);
				if (!name_taken(d, t->m.name))
					break;
			}
		}
		r = kt_store_session_create(d->store, t->m.name, &t->report_dir);
		if (r < 0)
			return log_error_errno(r, "cannot create training %s in %s: %m", t->m.name, root);
		char *rd = NULL;
		if (asprintf(&rd, "%s/reports", t->report_dir) < 0)
			return -ENOMEM;
		free(t->report_dir);
		t->report_dir = rd;
		d->n_trainings++;
		log_info("new training %s", t->m.name);
	}
	ne = realloc(t->m.e, (t->m.n + 1) * sizeof(*ne));
	if (!ne)
		return -ENOMEM;
	t->m.e = ne;
	ne = &t->m.e[t->m.n];
	memset(ne, 0, sizeof(*ne));
	snprintf(ne->vest_id, sizeof(ne->vest_id), "%s", vest_id);
	ne->session_id = session_id;
	ne->crc32 = crc32;
	snprintf(ne->raw_path, sizeof(ne->raw_path), "%s",
		 strncmp(raw_path, root, rootlen) == 0 && raw_path[rootlen] == '/' ?
			 raw_path + rootlen + 1 : raw_path);
	bool late = t->runs > 0 && d->o->process;
	t->m.n++;
	if (s < t->m.start_unix_us)
		t->m.start_unix_us = s;
	if (e > t->m.end_unix_us)
		t->m.end_unix_us = e;
	r = kt_store_manifest_write(d->store, &t->m);
	if (r < 0)
		log_error_errno(r, "cannot write the manifest of training %s: %m", t->m.name);
	link_log(d, t, vest_id, session_id, raw_path);
	t->dirty = true;
	t->last_arrival_us = now_us;
	/* processing off: the training is shown as stored, so the volunteer
	 * sees the download worked; a later start with processing on makes its
	 * reports (the manifest says they are not made) */
	if (!d->o->process)
		t->state = KT_TRAINING_STORED;
	else if (t->state != KT_TRAINING_PROCESSING)
		t->state = KT_TRAINING_COLLECTING;
	log_info("vest %s session %" PRIu32 " belongs to training %s (%zu log%s)%s", vest_id,
		 session_id, t->m.name, t->m.n, t->m.n == 1 ? "" : "s",
		 late ? ": a late vest, its reports will be redone" : "");
	return 0;
}

static bool
roster_complete(struct kt_dockd *d, const struct kt_training *t)
{
	if (d->n_roster == 0)
		return false;
	for (size_t i = 0; i < d->n_roster; i++)
		if (!has_vest(t, d->roster[i]))
			return false;
	return true;
}

static void note_without(struct kt_dockd *d, struct kt_training *t);
static uint64_t tree_bytes(int at, const char *path, unsigned depth);
static uint64_t report_need(struct kt_dockd *d, const struct kt_training *t);

/* Record in the manifest how many of its logs the reports hold (all of
 * them once made; 0 while being made), so that a restart knows whether
 * they are to be made again (kt_training_load()). */
static void
set_reported(struct kt_dockd *d, struct kt_training *t, size_t n)
{
	int r;

	t->m.reported_known = true;
	t->m.reported = n;
	r = kt_store_manifest_write(d->store, &t->m);
	if (r < 0)
		log_error_errno(r, "cannot write the manifest of training %s: %m", t->m.name);
}

static void
start_processing(struct kt_dockd *d, struct kt_training *t)
{
	char *logs = NULL;
	pid_t pid;

	if (asprintf(&logs, "%s/sessions/%s/logs", kt_store_root(d->store), t->m.name) < 0)
		return;
	note_without(d, t);
	log_info("training %s: processing %zu log%s%s", t->m.name, t->m.n, t->m.n == 1 ? "" : "s",
		 roster_complete(d, t) ? " (the whole roster is in)" : " (quiet time over)");
	if (t->without[0])
		log_warning("training %s: these reports are made without %s: the download is "
			    "unfinished (its verified part is kept in partial/, never in the reports); "
			    "the reports are made again when it is in", t->m.name, t->without);
	/* until this run is done, the reports are not known to be whole: a
	 * daemon stopped or killed meanwhile makes them again at its start */
	t->run_logs = t->m.n;
	/* before reported=0 makes report_need() fall back on the estimate */
	t->run_need = report_need(d, t);
	t->run_base = tree_bytes(AT_FDCWD, t->report_dir, 0);
	set_reported(d, t, 0);
	pid = fork();
	if (pid < 0) {
		log_error_errno(-errno, "cannot start processing training %s: %m", t->m.name);
		free(logs);
		return;
	}
	if (pid == 0) {
		/* child: no ports, no signalfd; default signals; lower priority */
		sigset_t all;
		struct kt_pipeline_opts o;
		const char *inputs[1] = { logs };
		int r;

		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		close_range(3, ~0U, 0);
		(void)setpriority(PRIO_PROCESS, 0, 10);
		kt_log_set_program("kicktrackd[process]");
		kt_pipeline_opts_init(&o);
		if (!d->o->no_config && kt_pipeline_opts_load_config(&o, d->o->config_path, true) < 0)
			_exit(KT_PIPELINE_USAGE);
		if (d->o->roster_path)
			o.roster_path = d->o->roster_path;
		if (d->o->pitch_path)
			o.pitch_path = d->o->pitch_path;
		o.inputs = inputs;
		o.n_inputs = 1;
		o.outdir = t->report_dir;
		o.progress = false;
		/* someone's 'kicktrack report' on these reports takes seconds:
		 * wait for it rather than fail the training */
		o.lock_wait_s = 600;
		/* a report without a vest says so where the coach looks: in
		 * session.json and on index.html, not only in the daemon's log */
		char without[sizeof(t->without) + 200], without_de[sizeof(t->without_de) + 200];
		if (t->without[0]) {
			snprintf(without, sizeof(without),
				 "these reports are made without %s: its download was not finished when they were "
				 "made; they are made again once it is in", t->without);
			snprintf(without_de, sizeof(without_de),
				 "diese Auswertung entstand ohne %s: der Download war noch nicht fertig; sie "
				 "wird neu erstellt, sobald er da ist", t->without_de);
			o.partial_note = without;
			o.partial_note_de = without_de;
		}
		struct kt_pipeline_summary sum = { 0 };
		uint64_t avail;

		r = kt_pipeline_run(&o, &sum);
		/* the store's disk full: the daemon says so (not "processing
		 * failed, exit code 1") and makes them again once there is room */
		if ((r == KT_PIPELINE_FAILED || r == KT_PIPELINE_PARTIAL) &&
		    (sum.write_error == -ENOSPC || sum.write_error == -EDQUOT ||
		     sum.write_error == -EFBIG ||
		     (sum.charts_missing && kt_store_free_bytes(d->store, &avail) >= 0 &&
		      avail < NOSPACE_CHARTS_BYTES)))
			_exit(KT_TRAINING_EXIT_NOSPACE);
		_exit(r);
	}
	free(logs);
	t->pid = pid;
	t->nospace = false;
	t->reason[0] = '\0';
	t->dirty = false;
	t->hold_logged = false;
	t->runs++;
	t->state = KT_TRAINING_PROCESSING;
}

/* Disk use of the files below the folder path (relative to at), depth
 * bounded (reports/players/<vest>/ is two deep). */
static uint64_t
tree_bytes(int at, const char *path, unsigned depth)
{
	int fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	uint64_t sum = 0;
	DIR *dir;

	if (fd < 0)
		return 0;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return 0;
	}
	while ((de = readdir(dir))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 4)
			sum += tree_bytes(dirfd(dir), de->d_name, depth + 1);
		else if (S_ISREG(st.st_mode))
			sum += (uint64_t)st.st_blocks * 512;
	}
	closedir(dir);
	return sum;
}

/* About what a report run of t writes: as much per log as its reports took
 * last time (a run replaces them file by file, so it needs room for the new
 * ones beside the old), or before its first run an estimate from the logs'
 * sizes (REPORT_BYTES_PER_LOG). */
static uint64_t
report_need(struct kt_dockd *d, const struct kt_training *t)
{
	const char *root = kt_store_root(d->store);
	uint64_t need = 0, made;

	if (t->m.reported_known && t->m.reported > 0 &&
	    (made = tree_bytes(AT_FDCWD, t->report_dir, 0)) > 0)
		return made / t->m.reported * t->m.n;
	for (size_t i = 0; i < t->m.n; i++) {
		const char *raw = t->m.e[i].raw_path;
		char *path = NULL;
		struct stat st;

		if (asprintf(&path, "%s/%s", raw[0] == '/' ? "" : root, raw) >= 0 &&
		    stat(path, &st) == 0)
			need += (uint64_t)st.st_size / 2;
		free(path);
		need += REPORT_BYTES_PER_LOG;
	}
	return need;
}

/*
 * May t's report run start? The downloads under way counted on the room
 * they still need (space_check() in kt-port.c): a run that took it would
 * make them fail ("... No space left on device (will retry)"). So with
 * less room beside them than the reports need, the run waits (said in the
 * status and once in the log) and starts once they are stored or there is
 * room. With no download under way it goes ahead: on a disk too small for
 * the reports the run fails whole and is made again once 1 MiB more is
 * free (KT_TRAINING_EXIT_NOSPACE, nospace_retry()).
 */
static bool
report_fits(struct kt_dockd *d, struct kt_training *t, int64_t now_us)
{
	const char *root = kt_store_root(d->store);
	uint64_t avail, held, need, room;
	char names[160], a[32], b[32], c[32], e[32];
	unsigned n;
	bool said;

	if (t->space_wait[0] && now_us < t->space_check_us)
		return false;
	held = kt_port_downloads_reserved(d, names, sizeof(names), &n);
	if (n == 0 || kt_store_free_bytes(d->store, &avail) < 0 ||
	    (need = report_need(d, t)) + held <= avail) {
		if (t->space_wait[0])
			log_info("training %s: %s: making its reports now", t->m.name,
				 n ? "there is room for its reports beside the downloads under way" :
				     "no download under way any more");
		t->space_wait[0] = '\0';
		return true;
	}
	room = avail > held ? avail - held : 0;
	t->space_check_us = now_us + REPORT_SPACE_RECHECK_US;
	said = t->space_wait[0] != '\0';
	/* the status shows the numbers of the last check, the log the first */
	snprintf(t->space_wait, sizeof(t->space_wait),
		 "reports waiting for disk space: they need about %s, but the download%s under way "
		 "(%s) still need%s %s of the %s free, and beside %s there is room for %s only; "
		 "the reports are made once %s stored or there is room (df -h %s)",
		 kt_fmt_bytes(a, sizeof(a), (double)need, KT_BYTES_ROUND), n == 1 ? "" : "s", names,
		 n == 1 ? "s" : "", kt_fmt_bytes(b, sizeof(b), (double)held, KT_BYTES_ROUND),
		 kt_fmt_bytes(c, sizeof(c), (double)avail, KT_BYTES_ROUND), n == 1 ? "it" : "them",
		 kt_fmt_bytes(e, sizeof(e), (double)room, KT_BYTES_ROUND), n == 1 ? "it is" : "they are",
		 root);
	if (!said)
		log_info("training %s: %s", t->m.name, t->space_wait);
	return false;
}

uint64_t
kt_training_reports_reserved(struct kt_dockd *d, char *names, size_t size, unsigned *ret_n)
{
	uint64_t rest = 0;
	unsigned n = 0;

	if (size)
		names[0] = '\0';
	for (size_t i = 0; i < d->n_trainings; i++) {
		const struct kt_training *t = &d->trainings[i];
		size_t l = size ? strlen(names) : 0;
		uint64_t now;

		if (t->pid <= 0)
			continue;
		/* written all it was taken to need: nothing to leave it */
		now = tree_bytes(AT_FDCWD, t->report_dir, 0);
		if (now >= t->run_base + t->run_need)
			continue;
		rest += t->run_base + t->run_need - (now > t->run_base ? now : t->run_base);
		n++;
		if (l + 2 < size)
			snprintf(names + l, size - l, "%s%s", l ? ", " : "", t->m.name);
	}
	*ret_n = n;
	return rest;
}

/* A port being read: a vest (or a device not yet identified) that is
 * connecting, listing, downloading or erasing. */
static bool
port_busy(const struct kt_port *p)
{
	enum kt_port_state s = kt_port_state(p);

	return s == KT_PORT_IDENTIFY || s == KT_PORT_SET_CLOCK || s == KT_PORT_LIST ||
	       s == KT_PORT_DOWNLOAD || s == KT_PORT_ERASE;
}

/* A vest that is plugged in and still being read has arrived already: the
 * quiet time waits for it, so the first report is complete. That includes
 * a vest whose port was closed for a back-off (retrying: reconnecting), not
 * one unplugged or reported failed (its partial copy stays in partial/ and
 * is never in a training). */
static bool
vest_in_transfer(struct kt_dockd *d)
{
	for (size_t i = 0; i < d->n_ports; i++)
		if (port_busy(d->ports[i]))
			return true;
	for (size_t i = 0; i < d->n_vests; i++)
		if (d->vests[i]->reconnecting)
			return true;
	return false;
}

/* The unfinished session of a vest, as "37 %"; "" if none. */
static void
vest_progress(const struct kt_vest *v, char *buf, size_t size)
{
	buf[0] = '\0';
	if (v->cur >= 0 && v->total_bytes > 0 && v->done_bytes < v->total_bytes &&
	    (v->sess[v->cur].state == KT_VSESS_DOWNLOADING || v->sess[v->cur].state == KT_VSESS_PENDING))
		snprintf(buf, size, "%.0f %%", 100.0 * (double)v->done_bytes / (double)v->total_bytes);
}

static void
list_add(char *buf, size_t size, const char *id, const char *what, const char *pct)
{
	size_t l = strlen(buf);

	if (l + 1 >= size)
		return;
	snprintf(buf + l, size - l, "%s%s (%s%s%s)", l ? ", " : "", id, what, *pct ? " " : "", pct);
}

void
kt_training_busy(struct kt_dockd *d, char *buf, size_t size)
{
	char pct[16];

	buf[0] = '\0';
	for (size_t i = 0; i < d->n_vests; i++) {
		const struct kt_vest *v = d->vests[i];

		vest_progress(v, pct, sizeof(pct));
		if (v->reconnecting)
			list_add(buf, size, v->id, "reconnecting", pct);
		else if (v->port && port_busy(v->port))
			list_add(buf, size, v->id, kt_vest_state_to_str(v->state), pct);
	}
	for (size_t i = 0; i < d->n_ports; i++)
		if (!kt_port_vest(d->ports[i]) && !kt_port_was(d->ports[i]) && port_busy(d->ports[i]))
			list_add(buf, size, kt_port_path(d->ports[i]), "connecting", "");
}

/* What a vest is doing, for the German notes on the reports */
static const char *
vest_state_de(const struct kt_vest *v)
{
	if (v->reconnecting)
		return "erneuter Verbindungsaufbau";
	switch (v->state) {
	case KT_VEST_CONNECTING: return "Verbindungsaufbau";
	case KT_VEST_LISTING: return "Liste wird gelesen";
	case KT_VEST_DOWNLOADING: return "Download";
	case KT_VEST_ERASING: return "wird gelöscht";
	case KT_VEST_DONE: return "fertig";
	case KT_VEST_FAILED: return "Fehler";
	case KT_VEST_UNPLUGGED: return "abgesteckt";
	case KT_VEST_WAITING: return "wartet auf Speicherplatz";
	}
	return "?";
}

/* Vests with a session not (yet) stored when the reports are made: named in
 * the log and the status, so a report without them is not taken for whole. */
static void
note_without(struct kt_dockd *d, struct kt_training *t)
{
	char pct[16];

	t->without[0] = '\0';
	t->without_de[0] = '\0';
	for (size_t i = 0; i < d->n_vests; i++) {
		const struct kt_vest *v = d->vests[i];

		const struct kt_vsess *s = v->cur >= 0 ? &v->sess[v->cur] : NULL;

		/* a session that starts far from this training is not missing from it */
		if (s && s->info.start_unix_us != KT_DOCK_UNKNOWN_TIME && s->info.start_unix_us > 0 &&
		    (s->info.start_unix_us > t->m.end_unix_us + KT_TRAINING_SLACK_US ||
		     s->info.start_unix_us < t->m.start_unix_us - KT_TRAINING_SLACK_US))
			continue;
		vest_progress(v, pct, sizeof(pct));
		if (*pct) {
			list_add(t->without, sizeof(t->without), v->id,
				 v->reconnecting ? "reconnecting" : kt_vest_state_to_str(v->state), pct);
			list_add(t->without_de, sizeof(t->without_de), v->id, vest_state_de(v), pct);
		}
	}
}

/* Reports that the full disk stopped: once there is room (1 MiB more than
 * after that run), they are made again by themselves. */
static void
nospace_retry(struct kt_dockd *d, struct kt_training *t, int64_t now_us)
{
	uint64_t avail;
	char a[32];

	if (kt_store_free_bytes(d->store, &avail) < 0 ||
	    avail < t->nospace_avail + NOSPACE_RETRY_BYTES)
		return;
	log_info("training %s: %s free on the store's disk now: making its reports again",
		 t->m.name, kt_fmt_bytes(a, sizeof(a), (double)avail, KT_BYTES_ROUND));
	t->nospace = false;
	t->dirty = true;
	t->state = KT_TRAINING_COLLECTING;
	/* its quiet time is long over: at once (a vest being read still holds it) */
	t->last_arrival_us = now_us - (int64_t)d->o->quiet_s * 1000000;
}

void
kt_training_tick(struct kt_dockd *d, int64_t now_us)
{
	int64_t quiet_us = (int64_t)d->o->quiet_s * 1000000;
	int64_t wait_us = (int64_t)d->o->download_wait_s * 1000000;

	if (!d->o->process)
		return;
	for (size_t i = 0; i < d->n_trainings; i++) {
		struct kt_training *t = &d->trainings[i];
		int64_t since;
		char busy[256];

		if (t->nospace && !t->dirty && t->pid == 0)
			nospace_retry(d, t, now_us);
		if (!t->dirty || t->pid > 0)
			continue;
		since = now_us - t->last_arrival_us;
		if (roster_complete(d, t)) {
			if (report_fits(d, t, now_us))
				start_processing(d, t);
			continue;
		}
		if (since < quiet_us)
			continue;
		if (!vest_in_transfer(d)) {
			if (report_fits(d, t, now_us))
				start_processing(d, t);
			continue;
		}
		if (since < quiet_us + wait_us && t->hold_logged)
			continue; /* held, and already said so */
		kt_training_busy(d, busy, sizeof(busy));
		if (since >= quiet_us + wait_us) {
			if (!report_fits(d, t, now_us))
				continue;
			log_warning("training %s: making the reports without waiting longer for %s "
				    "(waited %u s beyond the quiet time, download_wait_s); they are made "
				    "again when it is in", t->m.name, busy, d->o->download_wait_s);
			start_processing(d, t);
		} else if (!t->hold_logged) {
			log_info("training %s: quiet time over, waiting for %s, still being read "
				 "(at most %u s more, download_wait_s)", t->m.name, busy,
				 d->o->download_wait_s);
			t->hold_logged = true;
		}
	}
}

int64_t
kt_training_next_deadline(struct kt_dockd *d)
{
	int64_t next = INT64_MAX;
	/* while a vest transfers, its port's activity wakes the loop and the
	 * tick after it decides; then only the upper bound is a due time (one
	 * in the past would only spin) */
	int64_t extra = vest_in_transfer(d) ? (int64_t)d->o->download_wait_s * 1000000 : 0;

	if (!d->o->process)
		return next;
	for (size_t i = 0; i < d->n_trainings; i++) {
		struct kt_training *t = &d->trainings[i];
		int64_t due = t->last_arrival_us + (int64_t)d->o->quiet_s * 1000000 + extra;

		/* waiting for the downloads under way to leave room: checked
		 * again after a while, not at every turn of the loop */
		if (t->space_wait[0] && due < t->space_check_us)
			due = t->space_check_us;

		if (t->dirty && t->pid == 0 && due < next)
			next = due;
	}
	return next;
}

void
kt_training_reaped(struct kt_dockd *d, pid_t pid, int status)
{
	for (size_t i = 0; i < d->n_trainings; i++) {
		struct kt_training *t = &d->trainings[i];
		char *index = NULL;

		if (t->pid != pid)
			continue;
		t->pid = 0;
		t->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (t->exit_code == KT_PIPELINE_OK || t->exit_code == KT_PIPELINE_PARTIAL) {
			t->state = t->dirty ? KT_TRAINING_COLLECTING : KT_TRAINING_DONE;
			set_reported(d, t, t->run_logs);
			if (asprintf(&index, "%s/index.html", t->report_dir) >= 0 &&
			    access(index, F_OK) == 0) {
				free(d->latest_report);
				d->latest_report = index;
			} else {
				free(index);
				free(d->latest_report);
				d->latest_report = strdup(t->report_dir);
			}
			log_info("training %s: reports ready in %s%s", t->m.name, t->report_dir,
				 t->exit_code == KT_PIPELINE_PARTIAL ?
					 " (partial: see the notes at the top of index.html and the messages above)" : "");
		} else if (t->exit_code == KT_TRAINING_EXIT_NOSPACE) {
			const char *root = kt_store_root(d->store);
			char a[32];

			if (kt_store_free_bytes(d->store, &t->nospace_avail) < 0)
				t->nospace_avail = 0;
			t->nospace = true;
			t->state = t->dirty ? KT_TRAINING_COLLECTING : KT_TRAINING_FAILED;
			snprintf(t->reason, sizeof(t->reason),
				 "the store's disk is full (%s free): the reports could not be written "
				 "(whole); the logs are safe; free space there (df -h %s), the reports "
				 "are then made by themselves",
				 kt_fmt_bytes(a, sizeof(a), (double)t->nospace_avail, KT_BYTES_ROUND), root);
			log_error("training %s: %s", t->m.name, t->reason);
		} else {
			t->state = t->dirty ? KT_TRAINING_COLLECTING : KT_TRAINING_FAILED;
			log_error("training %s: processing failed (exit code %d); the logs are safe in "
				  "the store, run 'kicktrack process' by hand to see why", t->m.name,
				  t->exit_code);
		}
		return;
	}
}

static bool
dir_has_entries(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	bool any = false;

	if (!dir)
		return false;
	while (!any && (de = readdir(dir)))
		any = de->d_name[0] != '.';
	closedir(dir);
	return any;
}

int
kt_training_load(struct kt_dockd *d, int64_t now_us)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	r = kt_store_list_sessions(d->store, &names, &n);
	if (r < 0)
		return log_error_errno(r, "cannot list the trainings in %s: %m", kt_store_root(d->store));
	/* room for them all at once: a season's store has hundreds, and one
	 * realloc per training copies the array each time */
	if (n) {
		struct kt_training *nt = realloc(d->trainings, (d->n_trainings + n) * sizeof(*nt));

		if (nt)
			d->trainings = nt;
		else
			r = log_error_errno(-ENOMEM, "cannot load the trainings in %s: %m",
					    kt_store_root(d->store));
	}
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct kt_training *t = &d->trainings[d->n_trainings];
		int q;

		*t = (struct kt_training){ 0 };
		q = kt_store_manifest_read(d->store, names[i], &t->m);
		if (q == -ENOENT) {
			/* a live session's whose manifest a full disk kept from
			 * being written: kt_training_adopt() makes it */
			log_info("training %s: no manifest (kicktrackd stopped before it was written); "
				 "its logs are looked for in the store", names[i]);
			continue;
		}
		if (q < 0) {
			log_warning_errno(q, "training %s: cannot read its manifest: %m; it is left as it "
					  "is, and the logs no other training lists go into a training beside it",
					  names[i]);
			continue;
		}
		if (asprintf(&t->report_dir, "%s/sessions/%s/reports", kt_store_root(d->store),
			     names[i]) < 0) {
			kt_store_manifest_clear(&t->m);
			break;
		}
		if (dir_has_entries(t->report_dir)) {
			t->state = KT_TRAINING_DONE;
			t->runs = 1;
			free(d->latest_report);
			d->latest_report = strdup(t->report_dir);
		}
		/* interrupted before its reports were made, or before they were
		 * made again for a late vest: redo (a manifest of an older
		 * kicktrackd does not say: reports there count as made) */
		if (t->m.reported_known ? t->m.reported < t->m.n :
					  t->state != KT_TRAINING_DONE && t->m.n > 0) {
			t->dirty = true;
			t->state = d->o->process ? KT_TRAINING_COLLECTING : KT_TRAINING_STORED;
			/* its vests came before the stop: the quiet time is over
			 * now, and a vest being read holds it download_wait_s
			 * from now (not from boot, which said "waited 1800 s") */
			t->last_arrival_us = now_us - (int64_t)d->o->quiet_s * 1000000;
			if (t->runs && d->o->process)
				log_info("training %s: its reports do not hold all its %zu logs yet "
					 "(kicktrackd was stopped before they were made again): making them again",
					 t->m.name, t->m.n);
		}
		d->n_trainings++;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r < 0 ? r : 0;
}

/* The training whose manifest lists the stored log r, or NULL */
static struct kt_training *
training_of(struct kt_dockd *d, const struct kt_store_raw *r)
{
	for (size_t i = 0; i < d->n_trainings; i++) {
		struct kt_training *t = &d->trainings[i];

		for (size_t k = 0; k < t->m.n; k++)
			if (t->m.e[k].session_id == r->session_id && t->m.e[k].crc32 == r->crc32 &&
			    !strcmp(t->m.e[k].vest_id, r->vest_id))
				return t;
	}
	return NULL;
}

/* A live recording recovered after a crash: the receiver's raw data of its
 * session ([gpsd] raw = yes; ROOT/gpsd-raw/<vest>-<start>.nmea.part, as far
 * as it was written) go beside its training's manifest, as the end of the
 * session would have put them (session_move_raw() in kt-live.c). Linked,
 * never replacing a file there; a second log of the vest keeps its start. */
static void
adopt_gpsd_raw(struct kt_dockd *d, const struct kt_training *t, const struct kt_store_raw *r)
{
	const char *root = kt_store_root(d->store);
	char *src = NULL, *srcdir = NULL, *dir = NULL, *dst = NULL;
	int e;

	if (asprintf(&srcdir, "%s/gpsd-raw", root) < 0)
		return;
	if (asprintf(&src, "%s/%s-%" PRIu32 ".nmea.part", srcdir, r->vest_id, r->session_id) < 0 ||
	    access(src, F_OK) < 0)
		goto out;
	if (asprintf(&dir, "%s/sessions/%s/gpsd-raw", root, t->m.name) < 0) {
		dir = NULL;
		goto out;
	}
	e = kt_mkdir_p(dir, KT_STORE_DIR_MODE);
	for (int k = 0; e >= 0 && k < 2; k++) {
		free(dst);
		if ((k ? asprintf(&dst, "%s/%s.%" PRIu32 ".nmea", dir, r->vest_id, r->session_id) :
			 asprintf(&dst, "%s/%s.nmea", dir, r->vest_id)) < 0) {
			dst = NULL;
			e = -ENOMEM;
		} else if (link(src, dst) == 0) {
			break;
		} else {
			e = -errno;
			if (e == -EEXIST && k == 0)
				e = 0; /* another log of the vest has that name: keep its start */
		}
	}
	if (e >= 0 && unlink(src) < 0)
		e = -errno;
	if (e < 0) {
		log_error_errno(e, "vest %s: cannot move the receiver's raw data %s into %s: %m; it stays "
				"where it is", r->vest_id, src, dir);
		goto out;
	}
	(void)kt_fsync_dir(dir);
	(void)kt_fsync_dir(srcdir);
	log_info("vest %s: the receiver's raw data of that live recording (as far as they were "
		 "written) are in %s", r->vest_id, dst);
out:
	free(src);
	free(srcdir);
	free(dir);
	free(dst);
}

int
kt_training_adopt(struct kt_dockd *d, int64_t now_us, char *const *live, size_t n_live)
{
	const char *root = kt_store_root(d->store);
	struct kt_store_raw *l = NULL;
	size_t n = 0, n_found = 0, rl = strlen(root);
	char names[400] = "";
	int r;

	r = kt_store_list_raw(d->store, NULL, &l, &n);
	if (r < 0)
		return log_error_errno(r, "cannot list the stored logs in %s/raw: %m; a log that no "
				       "training lists yet stays out of the trainings until the next start", root);
	for (size_t i = 0; i < n; i++) {
		struct kt_log_header hdr;
		struct kt_training *t;
		int64_t first, last, hint;
		bool was_live = false;
		size_t len;

		if (training_of(d, &l[i]))
			continue;
		for (size_t k = 0; k < n_live; k++)
			was_live |= !strcmp(live[k], l[i].path);
		len = strlen(names);
		if (n_found < 4)
			snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "",
				 strncmp(l[i].path, root, rl) == 0 ? l[i].path + rl + 1 : l[i].path);
		else if (n_found == 4)
			snprintf(names + len, sizeof(names) - len, " and more");
		n_found++;
		/* its times as a docked or live session's: the log's own, else
		 * the start the store gave it (the file's time) */
		(void)kt_log_peek(l[i].path, &hdr, &first, &last);
		hint = first == UNKNOWN_TIME ? l[i].start_unix_us : UNKNOWN_TIME;
		/* stored before this start: its quiet time is over */
		if (kt_training_add(d, l[i].vest_id, l[i].session_id, l[i].crc32, l[i].path, hint,
				    now_us - (int64_t)d->o->quiet_s * 1000000) < 0 ||
		    !(t = training_of(d, &l[i])))
			continue;
		if (was_live)
			adopt_gpsd_raw(d, t, &l[i]);
		len = strlen(t->found);
		snprintf(t->found + len, sizeof(t->found) - len, "%s%s: %s", len ? "; " : "",
			 l[i].vest_id, was_live ? "a live recording left unfinished by a crash or power cut" :
						  "a stored log no training listed");
	}
	if (n_found)
		log_warning("store %s: %zu stored log%s in no training when kicktrackd started (%s): "
			    "kicktrackd stopped before %s training's manifest was written, or during a live "
			    "session; %s grouped into trainings now like a docked or live session%s", root,
			    n_found, n_found == 1 ? " was" : "s were", names, n_found == 1 ? "its" : "their",
			    n_found == 1 ? "it is" : "they are",
			    d->o->process ? ", and the reports of those trainings are made (again)" : "");
	kt_store_raw_list_free(l, n);
	return 0;
}

void
kt_training_free_all(struct kt_dockd *d)
{
	for (size_t i = 0; i < d->n_trainings; i++) {
		struct kt_training *t = &d->trainings[i];
		if (t->pid > 0) {
			kill(t->pid, SIGTERM);
			waitpid(t->pid, NULL, 0);
		}
		kt_store_manifest_clear(&t->m);
		free(t->report_dir);
	}
	free(d->trainings);
	d->trainings = NULL;
	d->n_trainings = 0;
}
