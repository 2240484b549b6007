/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * kicktrackd: the docking station daemon (man/kicktrackd.8).
 *
 * One thread, one poll() over: a signalfd (SIGTERM/SIGINT stop, SIGHUP
 * re-scans at once, SIGCHLD reaps processing children), the gpsd live source
 * if enabled, and every open vest port. Timeouts come from the ports'
 * deadlines, the port scan (every scan_ms), the status file (every second)
 * and the trainings' quiet time.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ingest/kt-serial.h"
#include "kt-config.h"
#include "kt-dockd.h"
#include "report/kt-club.h"
#include "report/kt-pipeline.h"
#include "store/kt-store.h"
#include "util/kt-args.h"
#include "util/kt-fileio.h"
#include "util/kt-ini.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"
#if KT_HAVE_LIVE
#include "kt-live.h"
#endif

#define DEFAULT_CONFIG KT_SYSCONFDIR "/kicktrack/kicktrack.conf"
#define STATUS_PERIOD_US 1000000
#define LOOP_PACE_US 20000

static int64_t
now_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- options ---- */

static void
opts_defaults(struct kt_dockd_opts *o)
{
	*o = (struct kt_dockd_opts){
		.baud = 921600,
		.chunk = 4000,
		.outstanding = KT_DOCK_MAX_OUTSTANDING,
		.scan_ms = 1500,
		.max_ports = 64,
		.erase = false,
		.process = true,
		.quiet_s = 300,
		.download_wait_s = 1800,
		.retry_s = 30,
	};
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
opts_clear(struct kt_dockd_opts *o)
{
	free(o->config_path);
	free(o->store_root);
	free(o->store_root_from);
	free(o->status_path);
	free(o->roster_path);
	free(o->pitch_path);
	strv_free(o->devices, o->n_devices);
	free(o->usb_ids);
	*o = (struct kt_dockd_opts){ 0 };
}

static int
strv_add(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(char *));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* "a b, c" -> items separated by blanks or commas */
static int
split_add(char ***v, size_t *n, const char *list)
{
	char *copy = strdup(list), *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, " \t,", &save); t && r >= 0; t = strtok_r(NULL, " \t,", &save))
		r = strv_add(v, n, t);
	free(copy);
	return r;
}

static int
usb_ids_set(struct kt_dockd_opts *o, const char *list, const char *where)
{
	char **items = NULL;
	size_t n = 0;
	int r;

	free(o->usb_ids);
	o->usb_ids = NULL;
	o->n_usb_ids = 0;
	if (!strcmp(list, "none"))
		return 0;
	r = split_add(&items, &n, list);
	if (r < 0)
		return r;
	o->usb_ids = calloc(n ? n : 1, sizeof(*o->usb_ids));
	if (!o->usb_ids) {
		strv_free(items, n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (kt_usb_id_parse(items[i], &o->usb_ids[i]) < 0) {
			log_error("%s: '%s' is not a USB VID:PID like 1209:4b54", where, items[i]);
			strv_free(items, n);
			return -EINVAL;
		}
	}
	o->n_usb_ids = n;
	strv_free(items, n);
	return 0;
}

static int
parse_bool(const char *v, bool *ret)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on"))
		*ret = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off"))
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

/* want (64 bytes, or NULL) gets what a bad value should have been, for the message */
static int
parse_uint_range(const char *v, unsigned lo, unsigned hi, unsigned *ret, char *want)
{
	unsigned u;

	if (want)
		snprintf(want, 64, "a whole number from %u to %u", lo, hi);
	if (kt_safe_atou(v, &u) < 0 || u < lo || u > hi)
		return -ERANGE;
	*ret = u;
	return 0;
}

struct cfg_ctx {
	struct kt_dockd_opts *o;
#if KT_HAVE_LIVE
	struct kt_live_config *live;
#endif
};

static int
set_strdup(char **dst, const char *v)
{
	char *n = strdup(v);

	if (!n)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

static int
config_cb(const char *path, unsigned line, const char *section, const char *key,
	  const char *value, void *userdata)
{
	struct cfg_ctx *c = userdata;
	struct kt_dockd_opts *o = c->o;
	char where[PATH_MAX + 32], want[64] = "";
	int r = 0;

	snprintf(where, sizeof(where), "%s:%u", path, line);
	/* the club's one config file: a misspelt [deamon] would quietly
	 * leave erase, roster and the store at their defaults */
	if (!*section) {
		log_error("%s: '%s' before any [section]", where, key);
		return -EINVAL;
	}
	if (strcmp(section, "daemon") && strcmp(section, "process") && strcmp(section, "thresholds") &&
	    strcmp(section, "report") && strcmp(section, "gpsd")) {
		log_error("%s: unknown section [%s] (known: daemon, process, thresholds, report, gpsd)", where,
			  section);
		return -EINVAL;
	}
	if (strcmp(section, "process") == 0 || strcmp(section, "thresholds") == 0 || strcmp(section, "report") == 0)
		return 0; /* read by the processing child (checked at start-up) and kicktrack report */
#if KT_HAVE_LIVE
	if (!strcmp(section, "gpsd"))
		return kt_live_config_set(c->live, path, line, key, value);
#endif
	if (strcmp(section, "daemon"))
		return 0;

	if (!strcmp(key, "store_root")) {
		r = set_strdup(&o->store_root, value);
		if (r >= 0)
			r = set_strdup(&o->store_root_from, where);
	}
	else if (!strcmp(key, "roster") || !strcmp(key, "pitch"))
		r = 0; /* taken with [process]'s by kt_pipeline_opts_load_config() below */
	else if (!strcmp(key, "status_file"))
		r = set_strdup(&o->status_path, value);
	else if (!strcmp(key, "devices"))
		r = split_add(&o->devices, &o->n_devices, value);
	else if (!strcmp(key, "usb_ids"))
		r = usb_ids_set(o, value, where);
	else if (!strcmp(key, "baud"))
		r = parse_uint_range(value, 1200, 4000000, &o->baud, want);
	else if (!strcmp(key, "chunk_size"))
		r = parse_uint_range(value, 64, KT_DOCK_MAX_CHUNK, &o->chunk, want);
	else if (!strcmp(key, "pipeline"))
		r = parse_uint_range(value, 1, KT_DOCK_MAX_OUTSTANDING, &o->outstanding, want);
	else if (!strcmp(key, "scan_interval_ms"))
		r = parse_uint_range(value, 100, 60000, &o->scan_ms, want);
	else if (!strcmp(key, "max_vests"))
		r = parse_uint_range(value, 1, 1000, &o->max_ports, want);
	else if (!strcmp(key, "quiet_time_s"))
		r = parse_uint_range(value, 0, 86400, &o->quiet_s, want);
	else if (!strcmp(key, "retry_s"))
		r = parse_uint_range(value, 1, 3600, &o->retry_s, want);
	else if (!strcmp(key, "download_wait_s"))
		r = parse_uint_range(value, 0, 86400, &o->download_wait_s, want);
	else if (!strcmp(key, "erase"))
		r = parse_bool(value, &o->erase);
	else if (!strcmp(key, "process"))
		r = parse_bool(value, &o->process);
	else {
		log_error("%s: unknown key '%s' in [daemon]", where, key);
		return -EINVAL;
	}
	if (r == -ENOMEM)
		return r;
	if (r < 0 && r != -EINVAL) {
		log_error("%s: invalid value '%s' for %s (expected %s)", where, value, key, want);
		return -EINVAL;
	}
	if (r == -EINVAL && strcmp(key, "usb_ids")) {
		log_error("%s: invalid value '%s' for %s (expected yes or no)", where, value, key);
		return -EINVAL;
	}
	return r;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: kicktrackd [OPTIONS]\n"
		"The kicktrack docking station: finds docked vests, downloads their sessions\n"
		"into the store, erases them on the vest if configured, and runs processing\n"
		"and reports for each training.\n\n"
		"  -c, --config FILE      config file (default " DEFAULT_CONFIG ";\n"
		"                         sections [daemon], [process], [thresholds], [gpsd])\n"
		"      --no-config        read no config file (defaults and these options)\n"
		"  -r, --root DIR         session store root (default " KT_STORE_DEFAULT_ROOT ")\n"
		"  -d, --device PATH      a vest port path or glob, repeatable (replaces\n"
		"                         [daemon] devices)\n"
		"  -u, --usb-id VID:PID   USB ids of vests, repeatable (replaces usb_ids)\n"
		"      --no-usb           do not enumerate USB ports (only --device)\n"
		"      --erase            erase sessions on the vest once stored\n"
		"      --no-erase         never erase (default)\n"
		"  -q, --quiet-time SEC   process a training after SEC without a new vest\n"
		"                         (default 300)\n"
		"      --no-process       store only, no processing/reports\n"
		"      --status-file PATH status file (default ROOT/status.json)\n"
		"      --baud N           serial speed (default 921600; ptys ignore it)\n"
		"      --chunk N          bytes per READ request (64..%d, default 4000)\n"
		"      --scan-interval MS port scan period (default 1500)\n"
		"      --retry SEC        retry a failed vest after SEC (default 30)\n"
		"      --gpsd HOST:PORT   also record live vests through gpsd (with --no-usb\n"
		"                         and no --device: only that, no docking)\n"
		"  -v, --verbose          debug messages (state transitions)\n"
		"  -h, --help             this help\n"
		"  -V, --version          version\n\n"
		"Command-line options win over the config file; each is given once, except\n"
		"-d and -u, and --erase and --no-erase not both. SIGTERM/SIGINT stop cleanly,\n"
		"also during start-up (partial downloads resume next time), SIGHUP scans the\n"
		"ports at once.\n"
		"Watch it with 'kicktrack status --watch'. See kicktrackd(8).\n",
		KT_DOCK_MAX_CHUNK);
}

enum {
	OPT_NO_USB = 256, OPT_ERASE, OPT_NO_ERASE, OPT_NO_PROCESS, OPT_STATUS_FILE, OPT_BAUD,
	OPT_CHUNK, OPT_SCAN, OPT_RETRY, OPT_GPSD, OPT_NO_CONFIG,
};

#define OPTSTRING ":c:r:d:u:q:vhV"
static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
	{ "root", required_argument, NULL, 'r' },
	{ "device", required_argument, NULL, 'd' },
	{ "usb-id", required_argument, NULL, 'u' },
	{ "no-usb", no_argument, NULL, OPT_NO_USB },
	{ "erase", no_argument, NULL, OPT_ERASE },
	{ "no-erase", no_argument, NULL, OPT_NO_ERASE },
	{ "quiet-time", required_argument, NULL, 'q' },
	{ "no-process", no_argument, NULL, OPT_NO_PROCESS },
	{ "status-file", required_argument, NULL, OPT_STATUS_FILE },
	{ "baud", required_argument, NULL, OPT_BAUD },
	{ "chunk", required_argument, NULL, OPT_CHUNK },
	{ "scan-interval", required_argument, NULL, OPT_SCAN },
	{ "retry", required_argument, NULL, OPT_RETRY },
	{ "gpsd", required_argument, NULL, OPT_GPSD },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{}
};

/* ---- the loop ---- */

struct pathnote {
	char *path;
	int err;
	int64_t retry_at_us;
	char *failed_said;         /* kt_port_failed_said() of the last port on it */
};

struct daemon {
	struct kt_dockd d;
	struct kt_dockd_opts o;
	struct pathnote *notes;
	size_t n_notes;
	int64_t next_scan_us;
	int64_t next_status_us;
	bool max_logged;
	/* thresholds and filter of the config's [thresholds], read once at
	 * start-up as the processing child will read them */
	struct kt_params proc_params;
#if KT_HAVE_LIVE
	struct kt_live_config live_cfg;
	struct kt_live *live;
#endif
};

struct kt_vest *
kt_dockd_vest(struct kt_dockd *d, const char *id, bool create)
{
	struct kt_vest **nv, *v;

	for (size_t i = 0; i < d->n_vests; i++)
		if (!strcmp(d->vests[i]->id, id))
			return d->vests[i];
	if (!create)
		return NULL;
	nv = realloc(d->vests, (d->n_vests + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	d->vests = nv;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	snprintf(v->id, sizeof(v->id), "%s", id);
	v->cur = -1;
	v->battery_pct = KT_DOCK_UNKNOWN_BATTERY;
	d->vests[d->n_vests++] = v;
	return v;
}

void
kt_dockd_session_stored(struct kt_dockd *d, struct kt_vest *v, struct kt_vsess *s, int64_t now_us)
{
	char *raw = NULL;
	int r;

	d->last_stored_us = now_us;
	/* also with processing off: the training is listed as stored */
	if (s->grouped)
		return;
	r = kt_store_raw_path(d->store, v->id, s->info.id, s->info.crc32, &raw);
	if (r < 0) {
		log_error_errno(r, "vest %s: cannot name the stored session %" PRIu32 ": %m", v->id,
				s->info.id);
		return;
	}
	r = kt_training_add(d, v->id, s->info.id, s->info.crc32, raw, s->info.start_unix_us, now_us);
	free(raw);
	if (r >= 0)
		s->grouped = true;
}

static struct pathnote *
note_get(struct daemon *dm, const char *path)
{
	struct pathnote *n;

	for (size_t i = 0; i < dm->n_notes; i++)
		if (!strcmp(dm->notes[i].path, path))
			return &dm->notes[i];
	n = realloc(dm->notes, (dm->n_notes + 1) * sizeof(*n));
	if (!n)
		return NULL;
	dm->notes = n;
	n = &dm->notes[dm->n_notes];
	*n = (struct pathnote){ .path = strdup(path) };
	if (!n->path)
		return NULL;
	dm->n_notes++;
	return n;
}

static struct kt_port *
port_by_path(struct daemon *dm, const char *path)
{
	for (size_t i = 0; i < dm->d.n_ports; i++)
		if (!strcmp(kt_port_path(dm->d.ports[i]), path))
			return dm->d.ports[i];
	return NULL;
}

static void
port_remove(struct daemon *dm, size_t i)
{
	kt_port_free(dm->d.ports[i]);
	memmove(&dm->d.ports[i], &dm->d.ports[i + 1], (dm->d.n_ports - i - 1) * sizeof(dm->d.ports[0]));
	dm->d.n_ports--;
}

static void
scan_ports(struct daemon *dm, int64_t now)
{
	struct kt_serial_list l;
	int r;

	r = kt_serial_enumerate(dm->o.usb_ids, dm->o.n_usb_ids, dm->o.devices, dm->o.n_devices, &l);
	if (r < 0) {
		log_error_errno(r, "cannot enumerate serial ports: %m");
		return;
	}
	/* failed ports: forget them once their retry time came or their path is gone */
	for (size_t i = 0; i < dm->d.n_ports;) {
		struct kt_port *p = dm->d.ports[i];
		bool present = false;

		for (size_t k = 0; k < l.n; k++)
			present |= !strcmp(l.ports[k].path, kt_port_path(p));
		if (kt_port_state(p) == KT_PORT_FAILED &&
		    (!present || now >= kt_port_retry_at(p))) {
			struct kt_vest *v = kt_port_vest(p) ? kt_port_vest(p) : kt_port_was(p);
			/* unplugged while failed: the next device on that path is
			 * not it, and the vest failing so again is news */
			struct pathnote *note = note_get(dm, kt_port_path(p));
			if (v && !present) {
				v->failed_here = false;
				v->failed_said[0] = '\0';
			}
			if (note) {
				free(note->failed_said);
				note->failed_said = present ? strdup(kt_port_failed_said(p)) : NULL;
			}
			port_remove(dm, i);
		} else {
			i++;
		}
	}
	for (size_t k = 0; k < l.n; k++) {
		const char *path = l.ports[k].path;
		struct kt_port *p, **np;
		struct pathnote *note;
		int fd;

		if (port_by_path(dm, path))
			continue;
		note = note_get(dm, path);
		if (!note)
			break;
		if (note->err && now < note->retry_at_us)
			continue;
		if (dm->d.n_ports >= dm->o.max_ports) {
			if (!dm->max_logged)
				log_warning("more than %u vest ports: %s and others wait (max_vests)",
					    dm->o.max_ports, path);
			dm->max_logged = true;
			break;
		}
		fd = kt_serial_open(path, dm->o.baud);
		if (fd < 0) {
			/* say it once per path and cause; try again every retry period */
			if (note->err != fd)
				log_warning_errno(fd, "cannot open vest port %s: %m%s", path,
						  fd == -EBUSY ? " (in use by another program: gpsd? "
								 "ModemManager?)" :
						  fd == -EACCES ? " (is the daemon's user in group dialout?)" :
								  "");
			note->err = fd;
			note->retry_at_us = now + (int64_t)dm->o.retry_s * 1000000;
			continue;
		}
		if (note->err)
			log_info("vest port %s can be opened now", path);
		note->err = 0;
		np = realloc(dm->d.ports, (dm->d.n_ports + 1) * sizeof(*np));
		if (!np) {
			kt_serial_close(fd);
			break;
		}
		dm->d.ports = np;
		r = kt_port_new(&dm->d, path, fd, now, &p);
		if (r < 0) {
			kt_serial_close(fd);
			break;
		}
		kt_port_set_failed_said(p, note->failed_said);
		dm->d.ports[dm->d.n_ports++] = p;
	}
	kt_serial_list_clear(&l);
	/* a vest whose port went away during a back-off is unplugged */
	for (size_t i = 0; i < dm->d.n_vests; i++) {
		struct kt_vest *v = dm->d.vests[i];

		if (v->reconnecting && !v->port && !port_by_path(dm, v->port_path)) {
			log_info("vest %s: port %s gone while reconnecting; continuing when it is "
				 "plugged in again", v->id, v->port_path);
			v->reconnecting = false;
			v->state = KT_VEST_UNPLUGGED;
		}
	}
}

static void
update_rates(struct kt_dockd *d, int64_t now)
{
	for (size_t i = 0; i < d->n_vests; i++) {
		struct kt_vest *v = d->vests[i];
		double dt;

		if (!v->rate_mark_us) {
			v->rate_mark_us = now;
			v->rate_mark_bytes = v->rx_data_bytes;
			continue;
		}
		dt = (double)(now - v->rate_mark_us) / 1e6;
		if (dt < 0.5)
			continue;
		double inst = (double)(v->rx_data_bytes - v->rate_mark_bytes) / dt;
		v->rate_bps = v->rate_bps == 0 ? inst : 0.5 * v->rate_bps + 0.5 * inst;
		if (v->state != KT_VEST_DOWNLOADING)
			v->rate_bps = 0;
		v->rate_mark_us = now;
		v->rate_mark_bytes = v->rx_data_bytes;
	}
}

static int
write_status(struct daemon *dm, int64_t now)
{
	static int last_err;
	int r = kt_status_write(&dm->d, dm->o.status_path, now);

	if (r < 0 && r != last_err)
		log_error_errno(r, "cannot write the status file %s: %m", dm->o.status_path);
	last_err = r < 0 ? r : 0;
	return r;
}

static void
reap(struct daemon *dm)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		kt_training_reaped(&dm->d, pid, status);
}

#if KT_HAVE_LIVE
static void
live_session_done(const char *session_dir, void *userdata)
{
	struct daemon *dm = userdata;
	const char *name = strrchr(session_dir, '/');
	struct kt_store_manifest m;
	int r;

	name = name ? name + 1 : session_dir;
	r = kt_store_manifest_read(dm->d.store, name, &m);
	if (r < 0) {
		log_error_errno(r, "live session %s has no readable manifest: %m", session_dir);
		return;
	}
	for (size_t i = 0; i < m.n; i++) {
		char *abs = NULL;
		if (asprintf(&abs, "%s/%s", kt_store_root(dm->d.store), m.e[i].raw_path) < 0)
			break;
		kt_training_add(&dm->d, m.e[i].vest_id, m.e[i].session_id, m.e[i].crc32, abs,
				m.start_unix_us, now_mono_us() - (int64_t)dm->o.quiet_s * 1000000);
		free(abs);
	}
	kt_store_manifest_clear(&m);
}
#endif

/* The signals the loop reads from its signalfd. main() blocks them first of
 * all, so that one during start-up waits (pending) instead of killing the
 * daemon half-way (exit 143); the processing child unblocks them. */
static void
loop_signals(sigset_t *ret)
{
	sigemptyset(ret);
	sigaddset(ret, SIGTERM);
	sigaddset(ret, SIGINT);
	sigaddset(ret, SIGHUP);
	sigaddset(ret, SIGCHLD);
}

/* A stop signal waiting (blocked) since start-up: its number, else 0. */
static int
stop_pending(void)
{
	sigset_t p;

	if (sigpending(&p) < 0)
		return 0;
	return sigismember(&p, SIGTERM) ? SIGTERM : sigismember(&p, SIGINT) ? SIGINT : 0;
}

/* Everything the signalfd holds: stop, re-scan, reap. */
static void
read_signals(struct daemon *dm, int sfd, bool starting, bool *stop)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_info("stopping on %s%s", strsignal((int)si.ssi_signo),
				 starting ? " (it came during start-up)" : "");
			*stop = true;
		} else if (si.ssi_signo == SIGHUP) {
			dm->next_scan_us = 0;
		} else if (si.ssi_signo == SIGCHLD) {
			reap(dm);
		}
	}
}

static int
run(struct daemon *dm)
{
	struct kt_dockd *d = &dm->d;
	struct pollfd *pfd = NULL;
	sigset_t mask;
	int sfd, r = 0;
	bool stop = false, downloading = false;
	int64_t last_wake = 0;

	loop_signals(&mask);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		return log_error_errno(-errno, "cannot create a signalfd: %m");
	/* a stop during start-up: before a port is opened or a training
	 * processed, the same clean stop as one in the loop */
	read_signals(dm, sfd, true, &stop);
	if (!stop)
		log_info("kicktrackd %s started: store %s, %zu device pattern(s), %zu USB id(s), "
			 "erase %s, processing %s (quiet time %u s)", KT_VERSION,
			 kt_store_root(d->store), dm->o.n_devices, dm->o.n_usb_ids,
			 dm->o.erase ? "on" : "off", dm->o.process ? "on" : "off", dm->o.quiet_s);

	while (!stop) {
		int64_t now = now_mono_us(), next;
		size_t n = 0, base;
		int timeout_ms;
#if KT_HAVE_LIVE
		int live_fd = dm->live ? kt_live_get_fd(dm->live) : -1;
#endif

		if (now >= dm->next_scan_us) {
			scan_ports(dm, now);
			dm->next_scan_us = now + (int64_t)dm->o.scan_ms * 1000;
		}
		/* hung-up ports go; their vests stay known */
		for (size_t i = 0; i < d->n_ports;) {
			if (kt_port_state(d->ports[i]) == KT_PORT_CLOSED)
				port_remove(dm, i);
			else
				i++;
		}
		kt_training_tick(d, now);
		if (now >= dm->next_status_us) {
			update_rates(d, now);
			write_status(dm, now);
			dm->next_status_us = now + STATUS_PERIOD_US;
		}

		next = dm->next_scan_us < dm->next_status_us ? dm->next_scan_us : dm->next_status_us;
		for (size_t i = 0; i < d->n_ports; i++) {
			int64_t t = kt_port_next_deadline(d->ports[i]);
			if (t < next)
				next = t;
		}
		int64_t tt = kt_training_next_deadline(d);
		if (tt < next)
			next = tt;
#if KT_HAVE_LIVE
		if (dm->live) {
			int64_t lt = kt_live_next_deadline_us(dm->live);
			if (lt < next)
				next = lt;
		}
#endif

		struct pollfd *np = realloc(pfd, (d->n_ports + 2) * sizeof(*pfd));
		if (!np) {
			r = log_error_errno(-ENOMEM, "out of memory");
			break;
		}
		pfd = np;
		pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
#if KT_HAVE_LIVE
		pfd[n++] = (struct pollfd){ .fd = live_fd, .events = POLLIN };
#else
		pfd[n++] = (struct pollfd){ .fd = -1 };
#endif
		base = n;
		downloading = false;
		for (size_t i = 0; i < d->n_ports; i++)
			downloading |= kt_port_state(d->ports[i]) == KT_PORT_DOWNLOAD;
		for (size_t i = 0; i < d->n_ports; i++)
			pfd[n++] = (struct pollfd){
				.fd = kt_port_fd(d->ports[i]), .events = kt_port_events(d->ports[i]),
			};

		now = now_mono_us();
		/* While vests download, wake at most every LOOP_PACE_US: the bytes
		 * wait in the tty buffers and are read in larger pieces (4 READs of
		 * 4 kB are in flight per vest, far more than a pace's worth), so 20
		 * vests cost a few hundred wake-ups a second instead of thousands. */
		if (downloading && now - last_wake < LOOP_PACE_US) {
			struct timespec ts = { .tv_nsec = (long)(LOOP_PACE_US - (now - last_wake)) * 1000 };
			nanosleep(&ts, NULL);
			now = now_mono_us();
		}
		timeout_ms = next <= now ? 0 : (int)((next - now + 999) / 1000);
		if (poll(pfd, n, timeout_ms) < 0 && errno != EINTR) {
			r = log_error_errno(-errno, "poll failed: %m");
			break;
		}
		now = now_mono_us();
		last_wake = now;
		{
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			d->wall_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		}

		if (pfd[0].revents & POLLIN)
			read_signals(dm, sfd, false, &stop);
#if KT_HAVE_LIVE
		if (dm->live) {
			int lr = kt_live_dispatch(dm->live, now);
			if (lr < 0) {
				r = log_error_errno(lr, "gpsd live recording failed: %m");
				break;
			}
		}
#endif
		/* the port array does not change during dispatch */
		for (size_t i = 0; i < d->n_ports; i++)
			kt_port_dispatch(d->ports[i], pfd[base + i].revents, now);
	}

	for (size_t i = 0; i < d->n_ports; i++)
		kt_port_shutdown(d->ports[i]);
	while (d->n_ports)
		port_remove(dm, d->n_ports - 1);
	d->stopped = true;
	write_status(dm, now_mono_us());
	free(pfd);
	close(sfd);
	return r;
}

/* The vests of the roster, read as kicktrack process reads it (columns by
 * the header's names): a training whose every vest has docked is processed
 * without waiting for the quiet time. */
static int
load_roster(struct kt_dockd *d, const char *path)
{
	struct kt_roster ros;
	int r = kt_roster_load(path, &ros);

	if (r < 0)
		return r;
	for (size_t i = 0; i < ros.n && r >= 0; i++)
		r = strv_add(&d->roster, &d->n_roster, ros.entries[i].vest_id);
	kt_roster_clear(&ros);
	return r < 0 ? r : 0;
}

/* The unfinished downloads an earlier run left, said at start-up: they are
 * never deleted, and on a small disk they are what holds the space. */
static void
log_partials(struct kt_store *store)
{
	struct kt_store_partial *l = NULL;
	char list[400] = "", a[32], b[32];
	uint64_t total = 0;
	size_t n = 0, len;

	if (kt_store_list_partials(store, &l, &n) < 0 || n == 0) {
		free(l);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		total += l[i].bytes;
		len = strlen(list);
		if (i == 4) {
			snprintf(list + len, sizeof(list) - len, " and %zu more", n - i);
			break;
		}
		kt_fmt_bytes(a, sizeof(a), (double)l[i].bytes, KT_BYTES_ROUND);
		kt_fmt_bytes(b, sizeof(b), (double)l[i].size, KT_BYTES_ROUND);
		snprintf(list + len, sizeof(list) - len, "%s%s session %" PRIu32 " (%s%s%s)",
			 len ? ", " : "", l[i].vest_id, l[i].session_id, a, l[i].size ? " of " : "",
			 l[i].size ? b : ", no resume point: downloaded again");
	}
	kt_fmt_bytes(a, sizeof(a), (double)total, KT_BYTES_ROUND);
	log_info("store %s: %zu unfinished download%s from before, %s in all: %s; kept, each "
		 "resumes when its vest is plugged in", kt_store_root(store), n, n == 1 ? "" : "s", a,
		 list);
	free(l);
}

/* What kt_store_live_recover() did with a live recording an earlier run
 * left in partial/ (killed or a power cut during a live session): said, and
 * the raw paths of those stored collected for kt_training_adopt(). */
struct live_leftovers {
	struct kt_store *store;
	char **paths;
	size_t n;
};

static void
live_leftover(const char *vest, const char *path, uint64_t size, int r, void *userdata)
{
	struct live_leftovers *lo = userdata;
	char a[32];

	if (r == 0) {
		log_warning("vest %s: a live recording left unfinished when kicktrackd stopped during a "
			    "live session (a crash, kill -9 or power cut) is stored now as %s (%s, as "
			    "recorded up to the stop)", vest, path,
			    kt_fmt_bytes(a, sizeof(a), (double)size, KT_BYTES_ROUND));
		if (strv_add(&lo->paths, &lo->n, path) < 0)
			log_error("vest %s: out of memory: %s is stored, but is put into a training only "
				  "at the next start", vest, path);
	} else if (r == -EEXIST) {
		log_info("vest %s: the live recording %s left by a stop is in %s/raw already: the "
			 "leftover is removed", vest, path, kt_store_root(lo->store));
	} else if (r == -ENODATA) {
		log_info("vest %s: the live recording %s left by a stop was empty: removed", vest, path);
	} else {
		log_error_errno(r, "vest %s: cannot store the live recording %s left unfinished when "
				"kicktrackd stopped during a live session: %m; it is kept there and tried "
				"again at the next start", vest, path);
	}
}

static void
recover_live(struct kt_store *store, struct live_leftovers *lo)
{
	int r;

	lo->store = store;
	r = kt_store_live_recover(store, live_leftover, lo);
	if (r < 0)
		log_error_errno(r, "cannot look for the live recordings a stop left in %s/partial: %m; "
				"they are kept there and looked for again at the next start",
				kt_store_root(store));
}

/* Options that contradict each other: getopt would quietly take the last */
static bool
opposite_given(struct kt_args_seen *seen, const struct option *opts, int opt)
{
	static const int pairs[][2] = {
		{ OPT_ERASE, OPT_NO_ERASE },
		{ 'u', OPT_NO_USB }, /* --usb-id VID:PID and --no-usb */
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		for (int k = 0; k < 2; k++)
			if (opt == pairs[i][k])
				return kt_args_opposite(seen, opts, opt, pairs[i][!k]);
	return false;
}

static int
parse_args(struct daemon *dm, int argc, char **argv)
{
	struct kt_dockd_opts *o = &dm->o;
	bool devices_from_cli = false, usb_from_cli = false;
	struct cfg_ctx c = { .o = o };
	struct kt_args_seen seen = { 0 };
	char *config = NULL;
	int opt, r;

#if KT_HAVE_LIVE
	c.live = &dm->live_cfg;
#endif
	/* pass 1: bad options, --config, --help, --version */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, OPTSTRING, long_opts, NULL)) != -1) {
		/* -d and -u are repeatable; every other value is given once */
		if (optarg && opt != 'd' && opt != 'u' &&
		    kt_args_given_twice(&seen, long_opts, opt, optarg))
			return -EINVAL;
		if (opt == '?' || opt == ':') {
			kt_args_bad_option(NULL, "kicktrackd", opt, argv, long_opts);
			return -EINVAL;
		} else if (opposite_given(&seen, long_opts, opt)) {
			return -EINVAL;
		} else if (opt == 'c')
			config = optarg;
		else if (opt == OPT_NO_CONFIG)
			o->no_config = true;
		else if (opt == 'h') {
			usage(stdout);
			return 1;
		} else if (opt == 'V') {
			kt_args_version("kicktrackd");
			return 1;
		}
	}
	if (config && o->no_config) {
		log_error("--config %s and --no-config: give one of them", config);
		return -EINVAL;
	}
	o->config_path = strdup(config ? config : DEFAULT_CONFIG);
	if (!o->config_path)
		return -ENOMEM;
	struct kt_pipeline_opts po;

	kt_pipeline_opts_init(&po);
	if (!o->no_config && (config || access(o->config_path, F_OK) == 0)) {
		r = kt_ini_parse(o->config_path, config_cb, &c);
		if (r < 0)
			return -EINVAL;
		/* The processing child reads [process] and [thresholds] itself:
		 * a mistake there is a config error now (named with file:line),
		 * not a failed training after the download. Its roster and
		 * pitch are the ones kicktrack process would use with this file
		 * ([process], else [daemon]; relative to the file's folder). */
		if (kt_pipeline_opts_load_config(&po, o->config_path, false) < 0)
			return -EINVAL;
		if (po.roster_path && set_strdup(&o->roster_path, po.roster_path) < 0)
			return -ENOMEM;
		if (po.pitch_path && set_strdup(&o->pitch_path, po.pitch_path) < 0)
			return -ENOMEM;
	}
	dm->proc_params = po.params;

	/* pass 2: the command line wins */
	optind = 1;
	while ((opt = getopt_long(argc, argv, OPTSTRING, long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
		case OPT_NO_CONFIG:
			break;
		case 'r':
			if (set_strdup(&o->store_root, optarg) < 0 ||
			    set_strdup(&o->store_root_from, "-r/--root") < 0)
				return -ENOMEM;
			break;
		case 'd':
			if (!devices_from_cli) {
				strv_free(o->devices, o->n_devices);
				o->devices = NULL;
				o->n_devices = 0;
				devices_from_cli = true;
			}
			if (strv_add(&o->devices, &o->n_devices, optarg) < 0)
				return -ENOMEM;
			break;
		case 'u': {
			struct kt_usb_id id, *n;
			if (kt_usb_id_parse(optarg, &id) < 0) {
				log_error("--usb-id '%s': expected VID:PID in hex, like 1209:4b54", optarg);
				return -EINVAL;
			}
			if (!usb_from_cli) {
				o->n_usb_ids = 0;
				usb_from_cli = true;
			}
			n = realloc(o->usb_ids, (o->n_usb_ids + 1) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			o->usb_ids = n;
			o->usb_ids[o->n_usb_ids++] = id;
			break;
		}
		case OPT_NO_USB:
			o->n_usb_ids = 0;
			usb_from_cli = true;
			break;
		case OPT_ERASE:
			o->erase = true;
			break;
		case OPT_NO_ERASE:
			o->erase = false;
			break;
		case 'q':
			if (parse_uint_range(optarg, 0, 86400, &o->quiet_s, NULL) < 0) {
				log_error("--quiet-time '%s': seconds, 0..86400", optarg);
				return -EINVAL;
			}
			break;
		case OPT_NO_PROCESS:
			o->process = false;
			break;
		case OPT_STATUS_FILE:
			if (set_strdup(&o->status_path, optarg) < 0)
				return -ENOMEM;
			break;
		case OPT_BAUD:
			if (parse_uint_range(optarg, 1200, 4000000, &o->baud, NULL) < 0) {
				log_error("--baud '%s': not a serial speed", optarg);
				return -EINVAL;
			}
			break;
		case OPT_CHUNK:
			if (parse_uint_range(optarg, 64, KT_DOCK_MAX_CHUNK, &o->chunk, NULL) < 0) {
				log_error("--chunk '%s': 64..%d bytes", optarg, KT_DOCK_MAX_CHUNK);
				return -EINVAL;
			}
			break;
		case OPT_SCAN:
			if (parse_uint_range(optarg, 100, 60000, &o->scan_ms, NULL) < 0) {
				log_error("--scan-interval '%s': 100..60000 ms", optarg);
				return -EINVAL;
			}
			break;
		case OPT_RETRY:
			if (parse_uint_range(optarg, 1, 3600, &o->retry_s, NULL) < 0) {
				log_error("--retry '%s': 1..3600 s", optarg);
				return -EINVAL;
			}
			break;
		case OPT_GPSD:
#if KT_HAVE_LIVE
			if (kt_live_config_set_server(&dm->live_cfg, optarg) < 0) {
				log_error("--gpsd '%s': expected HOST:PORT, HOST, :PORT or [IPv6]:PORT (port 1..65535)",
					  optarg);
				return -EINVAL;
			}
			dm->live_cfg.enable = true;
#else
			log_error("--gpsd: this kicktrackd was built without gpsd support");
			return -EINVAL;
#endif
			break;
		case 'v':
			kt_log_set_level(KT_LOG_DEBUG);
			break;
		default: /* pass 1 said it */
			return -EINVAL;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (try 'kicktrackd --help')", argv[optind]);
		return -EINVAL;
	}
	if (!o->store_root && set_strdup(&o->store_root, KT_STORE_DEFAULT_ROOT) < 0)
		return -ENOMEM;
	if (!o->status_path && asprintf(&o->status_path, "%s/status.json", o->store_root) < 0)
		return -ENOMEM;
	if (o->n_devices == 0 && o->n_usb_ids == 0) {
#if KT_HAVE_LIVE
		/* touchline live tracking without a dock: gpsd alone */
		if (dm->live_cfg.enable)
			log_info("no vest ports to look for: recording live vests through gpsd only");
		else
#endif
		{
			log_error("no vest ports to look for: give --device, [daemon] usb_ids/devices, or --gpsd");
			return -EINVAL;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct daemon dm;
	sigset_t mask;
	int r, sig, store_lock = -1;

	/* First of all: from here on SIGTERM/SIGINT (and SIGHUP) wait for
	 * run()'s signalfd, so a stop during start-up (config, store, a big
	 * store's trainings) is the same clean stop as later, not exit 143. */
	loop_signals(&mask);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* over RLIMIT_FSIZE a write fails with EFBIG (reported) instead of killing us */
	signal(SIGXFSZ, SIG_IGN);
	setlocale(LC_CTYPE, "");
	kt_log_set_program("kicktrackd");
	/* files 0640, directories 0750 whatever the caller's umask */
	umask(0027);
	opts_defaults(&dm.o);
	if (usb_ids_set(&dm.o, "1209:4b54", "default") < 0)
		return 1;
#if KT_HAVE_LIVE
	kt_live_config_init(&dm.live_cfg);
#endif
	dm.d.o = &dm.o;

	r = parse_args(&dm, argc, argv);
	if (r != 0) {
		opts_clear(&dm.o);
		return r > 0 ? 0 : 2;
	}
	/* stopped before the store was touched: nothing to leave behind */
	sig = stop_pending();
	if (sig) {
		log_info("stopping on %s (it came during start-up, before the store was opened)",
			 strsignal(sig));
		opts_clear(&dm.o);
		return 0;
	}
	r = kt_store_open(dm.o.store_root, &dm.d.store);
	if (r == -ENOENT) {
		/* a typo must not become a new store nobody looks at */
		log_error("the session store %s (%s) does not exist, nor does the folder it would be "
			  "created in: not starting. A typo? If the path is right, create it first "
			  "(mkdir -p)", dm.o.store_root,
			  dm.o.store_root_from ? dm.o.store_root_from : "the default");
		opts_clear(&dm.o);
		return 1;
	}
	if (r < 0) {
		log_error_errno(r, "cannot open the session store %s: %m%s", dm.o.store_root,
				r == -EROFS ? " (under systemd the service may write only below "
					      KT_STORE_DEFAULT_ROOT ", see ReadWritePaths=)" : "");
		opts_clear(&dm.o);
		return 1;
	}
	if (kt_store_created(dm.d.store))
		log_warning("new empty session store created at %s (%s; it did not exist: if the "
			    "path is a typo, stop kicktrackd and fix it)", kt_store_root(dm.d.store),
			    dm.o.store_root_from ? dm.o.store_root_from : "the default");
	/* one daemon per store: two would both rewrite status.json and fight
	 * over the same vests (the lock goes with the process) */
	r = kt_dir_lock(dm.o.store_root, &store_lock);
	if (r < 0) {
		if (r == -EBUSY)
			log_error("the session store %s is in use by another kicktrackd: not starting a second one",
				  dm.o.store_root);
		else
			log_error_errno(r, "cannot lock the session store %s: %m", dm.o.store_root);
		kt_store_free(dm.d.store);
		opts_clear(&dm.o);
		return 1;
	}
	if (dm.o.roster_path && (r = load_roster(&dm.d, dm.o.roster_path)) < 0)
		log_warning("cannot read roster %s: %s; without the roster, a training is processed after "
			    "the quiet time only, and its reports have no names",
			    dm.o.roster_path, kt_read_file_error(r));
	/* said now, not first in a training's processing log */
	if (dm.o.pitch_path && access(dm.o.pitch_path, R_OK) < 0) {
		int e = errno;
		log_warning("cannot read pitch %s: %s; trainings get a pitch estimated from the tracks",
			    dm.o.pitch_path, strerror(e));
	}
	log_partials(dm.d.store);
	/* before the live source opens recordings of its own */
	struct live_leftovers lo = { 0 };
	recover_live(dm.d.store, &lo);
	kt_training_load(&dm.d, now_mono_us());
	kt_training_adopt(&dm.d, now_mono_us(), lo.paths, lo.n);
	strv_free(lo.paths, lo.n);
#if KT_HAVE_LIVE
	/* a stop already waiting: run() takes it before gpsd is connected */
	if (dm.live_cfg.enable && !stop_pending()) {
		/* the live numbers must equal the reports: same thresholds and
		 * filter as the processing reads from the same config file */
		dm.live_cfg.params = dm.proc_params;
		if (!dm.live_cfg.store_root)
			dm.live_cfg.store_root = strdup(dm.o.store_root);
		dm.live_cfg.session_done = live_session_done;
		dm.live_cfg.userdata = &dm;
		r = kt_live_new(&dm.live_cfg, &dm.live);
		if (r < 0) {
			log_error_errno(r, "cannot start the gpsd live source: %m");
			kt_store_free(dm.d.store);
			opts_clear(&dm.o);
			return 1;
		}
	}
#endif

	r = run(&dm);

#if KT_HAVE_LIVE
	dm.live = kt_live_free(dm.live);
	kt_live_config_clear(&dm.live_cfg);
#endif
	kt_training_free_all(&dm.d);
	for (size_t i = 0; i < dm.d.n_vests; i++) {
		free(dm.d.vests[i]->sess);
		free(dm.d.vests[i]);
	}
	free(dm.d.vests);
	free(dm.d.ports);
	strv_free(dm.d.roster, dm.d.n_roster);
	free(dm.d.latest_report);
	for (size_t i = 0; i < dm.n_notes; i++) {
		free(dm.notes[i].path);
		free(dm.notes[i].failed_said);
	}
	free(dm.notes);
	kt_store_free(dm.d.store);
	kt_dir_unlock(store_lock);
	opts_clear(&dm.o);
	return r < 0 ? 1 : 0;
}
