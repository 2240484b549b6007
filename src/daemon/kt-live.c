/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The gpsd live recorder and live view (kt-live.h, doc/live-log-format.md).
 *
 * Each TPV of a device is de-duplicated by (device, GNSS time), written to
 * the device's live recording as NMEA RMC+GGA, and the very same bytes are
 * fed through the log reader that `kicktrack process` uses and then into the
 * core: the live numbers are those of the recorded log, by construction.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/kt-gpsd.h"
#include "ingest/kt-log.h"
#include "kt-live.h"
#include "kt_frame.h"
#include "store/kt-store.h"
#include "util/kt-fileio.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

#define USEC INT64_C(1000000)
#define STATUS_PERIOD_US USEC
/* A TPV waits this long for a second report of the same epoch before it is written. */
#define PENDING_MAX_US (USEC / 2)
/* Disk space: below the first, recording pauses (checked every second, and
 * at once when a write finds the disk full), so that the manifest, the
 * status files and the downloads' resume points still fit and a session
 * ends whole; at the second it goes on (a margin, so that it does not
 * start and stop with every file the others write). */
#define LIVE_PAUSE_BYTES (256 * 1024)
#define LIVE_RESUME_BYTES (512 * 1024)
/* A manifest the full disk kept from being written is tried again (once a
 * second) with at least this much free */
#define LIVE_MANIFEST_BYTES (64 * 1024)
/* The live totals are a kt_track_snapshot_totals() of every vest at each
 * status tick: the snapshot is incremental (only the filter's last window
 * is recomputed, the rest is accumulated once) and leaves out the 10 Hz
 * series, so its cost does not grow with the session and 30 vests need no
 * rationing. */

enum dev_state {
	DEV_WAITING = 0,   /* seen, no valid fix yet this session */
	DEV_OK,            /* recent valid fix */
	DEV_NOFIX,         /* gpsd reports no fix */
	DEV_LOST,          /* nothing for lost_us */
	DEV_GONE,          /* gpsd deactivated the device */
	DEV_ENDED,         /* the session is over: final numbers */
};

static const char *
dev_state_to_str(enum dev_state s)
{
	switch (s) {
	case DEV_WAITING:
		return "waiting";
	case DEV_OK:
		return "ok";
	case DEV_NOFIX:
		return "nofix";
	case DEV_LOST:
		return "lost";
	case DEV_GONE:
		return "gone";
	case DEV_ENDED:
		return "ended";
	}
	return "unknown";
}

struct kt_live;

/* One gpsd connection. */
struct live_src {
	struct kt_live *l;
	struct kt_gpsd *g;
	char *host, *port;          /* as configured (NULL: default) */
	int reg_fd;                 /* fd registered with epoll, -1 none */
	unsigned reg_gen;
	bool connected;
	bool ready;                 /* epoll said readable */
};

struct live_dev {
	struct kt_live *l;
	unsigned src;               /* index of the gpsd that serves it */
	/* [gpsd] raw = yes: what the receiver sent, through a connection of its own */
	struct live_src raw;
	FILE *raw_f;
	char *raw_tmp;              /* ROOT/gpsd-raw/<vest>-<start>.nmea.part */
	char *path;
	char vest_id[9];          /* 1..8 characters, the $PKTH limit */
	char *player;
	bool gone;

	/* last SKY of this device */
	double hdop, pdop;
	int num_sv;

	/* de-duplication: the newest TPV waits for another report of its epoch */
	struct kt_gpsd_tpv pending;
	bool has_pending;
	int64_t pending_mono_us;
	int64_t last_t_us;          /* GNSS time of the last epoch written */

	/* this session (or the last one, once it ended) */
	bool in_session;
	struct kt_store_live *rec;
	struct kt_log_reader *reader;
	size_t n_fed;               /* reader fixes fed to the core so far */
	struct kt_track *track;
	int64_t first_t_us;
	int64_t last_fix_t_us;      /* GNSS time of the last valid fix */
	int64_t last_fix_mono_us;   /* INT64_MIN: none yet */
	int last_mode;
	uint64_t epochs, fixes;
	uint64_t unrecorded;        /* epochs not recorded: the disk was full */
	unsigned gaps;
	bool write_error;
	/* numbers of the last status tick */
	struct kt_result snap;
	bool has_snap;
	int64_t snap_mono_us;       /* when snap was taken */
};

struct kt_live {
	struct kt_live_config cfg;  /* deep copy */
	char *status_json, *status_csv;
	struct kt_store *store;
	struct live_src *srcs;
	size_t n_srcs;
	int epfd;
	char *gpsd_names;           /* "a:1, b:2", for the status file */

	struct live_dev **devs;
	size_t n_devs, n_alloc;

	bool session;
	int64_t session_start_us;   /* GNSS time of the first fix */
	int64_t last_fix_mono_us;   /* any device */
	char *last_session_dir;

	int64_t now_us;             /* monotonic, of the current dispatch */
	int64_t next_status_us;
	int error;                  /* first fatal error inside a callback */
	struct kt_live_stats stats;
	/* recording paused: the store's disk is (nearly) full */
	bool paused;
	int64_t paused_mono_us;
	char pause_note[400];       /* for live.json: why, and what to do */
	/* ended sessions whose manifest could not be written (the disk was
	 * full): their recordings are in raw/, but no training lists them
	 * until it is; written once there is room (live_retry_manifests()) */
	struct kt_store_manifest *unwritten;
	size_t n_unwritten;
};

/* ---- config ---- */

void
kt_live_config_init(struct kt_live_config *c)
{
	*c = (struct kt_live_config) {
		.quiet_us = 120 * USEC,
		.lost_us = 3 * USEC,
	};
	kt_params_default(&c->params);
}

void
kt_live_config_clear(struct kt_live_config *c)
{
	free(c->host);
	free(c->port);
	free(c->store_root);
	free(c->status_path);
	for (size_t i = 0; i < c->n_map; i++) {
		free(c->map[i].pattern);
		free(c->map[i].player);
	}
	free(c->map);
	for (size_t i = 0; i < c->n_servers; i++)
		free(c->servers[i]);
	free(c->servers);
	c->host = c->port = c->store_root = c->status_path = NULL;
	c->map = NULL;
	c->n_map = 0;
	c->servers = NULL;
	c->n_servers = 0;
}

static int
set_str(char **dst, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static bool
vest_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 8)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* "PATTERN VEST-ID [PLAYER NAME...]" */
static int
add_map(struct kt_live_config *c, const char *path, unsigned line, const char *value)
{
	char *copy, *p, *pattern, *vest, *player;
	struct kt_live_map *m;

	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	p = copy;
	pattern = strsep(&p, " \t");
	while (p && (*p == ' ' || *p == '\t'))
		p++;
	vest = p ? strsep(&p, " \t") : NULL;
	player = p ? kt_strip(p) : NULL;
	if (!pattern || !*pattern || !vest || !vest_id_ok(vest)) {
		free(copy);
		log_error("%s:%u: [gpsd] vest = '%s': expected 'DEVICE-PATH-OR-GLOB VEST-ID [PLAYER NAME]', "
			  "vest id 1-8 characters of A-Z a-z 0-9 _ -", path, line, value);
		return -EINVAL;
	}
	m = realloc(c->map, (c->n_map + 1) * sizeof(*m));
	if (!m) {
		free(copy);
		return -ENOMEM;
	}
	c->map = m;
	m = &c->map[c->n_map];
	*m = (struct kt_live_map) { 0 };
	snprintf(m->vest_id, sizeof(m->vest_id), "%s", vest);
	m->pattern = strdup(pattern);
	m->player = player && *player ? strdup(player) : NULL;
	free(copy);
	if (!m->pattern) {
		free(m->player);
		return -ENOMEM;
	}
	c->n_map++;
	return 0;
}

static int
parse_seconds(const char *path, unsigned line, const char *key, const char *value, int64_t *ret)
{
	double s;

	if (kt_safe_atod(value, &s) < 0 || !(s > 0) || s > 86400) {
		log_error("%s:%u: [gpsd] %s = '%s': expected seconds (0 < s <= 86400)", path, line, key, value);
		return -EINVAL;
	}
	*ret = (int64_t) llround(s * 1e6);
	return 0;
}

/* "HOST:PORT", "HOST", ":PORT", "[v6]:PORT" -> host (NULL: default), port (NULL: default) */
static int
parse_server(const char *hostport, char **ret_host, char **ret_port)
{
	const char *colon, *hs;
	size_t hl;
	char *host = NULL, *port = NULL;

	if (!hostport || !*hostport)
		return -EINVAL;
	if (hostport[0] == '[') {
		const char *end = strchr(hostport, ']');
		if (!end || (end[1] != '\0' && end[1] != ':'))
			return -EINVAL;
		hs = hostport + 1;
		hl = end - hostport - 1;
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strrchr(hostport, ':');
		if (colon && strchr(hostport, ':') != colon)
			return -EINVAL; /* bare IPv6 address: needs brackets */
		hs = hostport;
		hl = colon ? (size_t) (colon - hostport) : strlen(hostport);
	}
	if (colon && (colon[1] == '\0' || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
		      strlen(colon + 1) > 5 || atoi(colon + 1) < 1 || atoi(colon + 1) > 65535))
		return -EINVAL; /* a port is 1..65535 */
	for (size_t i = 0; i < hl; i++)
		if (isspace((unsigned char) hs[i]) || iscntrl((unsigned char) hs[i]))
			return -EINVAL; /* no host name has blanks */
	if (hl > 0 && !(host = strndup(hs, hl)))
		return -ENOMEM;
	if (colon && !(port = strdup(colon + 1))) {
		free(host);
		return -ENOMEM;
	}
	*ret_host = host;
	*ret_port = port;
	return 0;
}

int
kt_live_config_add_server(struct kt_live_config *c, const char *hostport)
{
	char *host, *port, **a;
	int r;

	r = parse_server(hostport, &host, &port);
	if (r < 0)
		return r;
	free(host);
	free(port);
	a = realloc(c->servers, (c->n_servers + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	c->servers = a;
	a[c->n_servers] = strdup(hostport);
	if (!a[c->n_servers])
		return -ENOMEM;
	c->n_servers++;
	return 0;
}

int
kt_live_config_set_server(struct kt_live_config *c, const char *hostport)
{
	char *host, *port;
	int r;

	r = parse_server(hostport, &host, &port);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_servers; i++)
		free(c->servers[i]);
	c->n_servers = 0;
	if (host) {
		free(c->host);
		c->host = host;
	}
	if (port) {
		free(c->port);
		c->port = port;
	}
	return 0;
}

int
kt_live_config_set(struct kt_live_config *c, const char *path, unsigned line, const char *key,
		   const char *value)
{
	if (!strcmp(key, "enable")) {
		if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "1"))
			c->enable = true;
		else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0"))
			c->enable = false;
		else {
			log_error("%s:%u: [gpsd] enable = '%s': expected yes or no", path, line, value);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "host"))
		return set_str(&c->host, value);
	if (!strcmp(key, "port"))
		return set_str(&c->port, value);
	if (!strcmp(key, "server")) {
		int r = kt_live_config_add_server(c, value);
		if (r == -EINVAL)
			log_error("%s:%u: [gpsd] server = '%s': expected HOST:PORT, HOST, :PORT or [IPv6]:PORT",
				  path, line, value);
		return r;
	}
	if (!strcmp(key, "quiet_s"))
		return parse_seconds(path, line, key, value, &c->quiet_us);
	if (!strcmp(key, "lost_s"))
		return parse_seconds(path, line, key, value, &c->lost_us);
	if (!strcmp(key, "status_file"))
		return set_str(&c->status_path, value);
	if (!strcmp(key, "store_root"))
		return set_str(&c->store_root, value);
	if (!strcmp(key, "vest"))
		return add_map(c, path, line, value);
	if (!strcmp(key, "raw")) {
		if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "1"))
			c->raw = true;
		else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0"))
			c->raw = false;
		else {
			log_error("%s:%u: [gpsd] raw = '%s': expected yes or no", path, line, value);
			return -EINVAL;
		}
		return 0;
	}
	log_error("%s:%u: [gpsd] unknown key '%s'", path, line, key);
	return -EINVAL;
}

static int
config_copy(struct kt_live_config *dst, const struct kt_live_config *src)
{
	*dst = *src;
	dst->host = dst->port = dst->store_root = dst->status_path = NULL;
	dst->map = NULL;
	dst->n_map = 0;
	dst->servers = NULL;
	dst->n_servers = 0;
	for (size_t i = 0; i < src->n_servers; i++)
		if (kt_live_config_add_server(dst, src->servers[i]) < 0)
			return -ENOMEM;
	if ((src->host && set_str(&dst->host, src->host) < 0) ||
	    (src->port && set_str(&dst->port, src->port) < 0) ||
	    (src->store_root && set_str(&dst->store_root, src->store_root) < 0) ||
	    (src->status_path && set_str(&dst->status_path, src->status_path) < 0))
		return -ENOMEM;
	if (src->n_map > 0) {
		dst->map = calloc(src->n_map, sizeof(*dst->map));
		if (!dst->map)
			return -ENOMEM;
		for (size_t i = 0; i < src->n_map; i++) {
			dst->map[i] = src->map[i];
			dst->map[i].pattern = strdup(src->map[i].pattern);
			dst->map[i].player = src->map[i].player ? strdup(src->map[i].player) : NULL;
			dst->n_map = i + 1;
			if (!dst->map[i].pattern || (src->map[i].player && !dst->map[i].player))
				return -ENOMEM;
		}
	}
	return 0;
}

/* ---- devices ---- */

/* Release the recording resources; the numbers stay for the status file. */
static void
dev_session_close(struct live_dev *d)
{
	d->rec = kt_store_live_free(d->rec);
	d->reader = kt_log_reader_free(d->reader);
	d->track = kt_track_free(d->track);
	d->n_fed = 0;
}

static void
dev_session_reset(struct live_dev *d)
{
	dev_session_close(d);
	if (d->has_snap)
		kt_result_clear(&d->snap);
	d->has_snap = false;
	d->in_session = false;
	d->first_t_us = d->last_fix_t_us = INT64_MIN;
	d->last_fix_mono_us = INT64_MIN;
	d->last_mode = 0;
	d->epochs = d->fixes = 0;
	d->unrecorded = 0;
	d->gaps = 0;
	d->write_error = false;
}

static struct live_dev *
dev_free(struct live_dev *d)
{
	if (!d)
		return NULL;
	dev_session_reset(d);
	if (d->raw_f)
		fclose(d->raw_f);
	free(d->raw_tmp);
	kt_gpsd_free(d->raw.g);
	free(d->path);
	free(d->player);
	free(d);
	return NULL;
}

static bool
vest_id_taken(struct kt_live *l, const char *id)
{
	for (size_t i = 0; i < l->n_devs; i++)
		if (!strcmp(l->devs[i]->vest_id, id))
			return true;
	return false;
}

/* An unmapped device gets the last 8 letters/digits of its path ("/dev/pts/3" -> "devpts3"). */
static void
vest_id_from_path(struct kt_live *l, const char *path, char ret[9])
{
	char buf[256];
	size_t n = 0, start;

	for (const char *p = path; *p && n < sizeof(buf) - 1; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			buf[n++] = *p;
	buf[n] = '\0';
	start = n > 8 ? n - 8 : 0;
	snprintf(ret, 9, "%s", n > 0 ? buf + start : "gpsd");
}

/* Two devices must not record under one vest id (e.g. a glob matching both). */
static void
vest_id_make_unique(struct kt_live *l, char id[9])
{
	char base[9];

	snprintf(base, sizeof(base), "%s", id);
	for (unsigned k = 1; vest_id_taken(l, id) && k < 100; k++) {
		size_t keep = strlen(base) > 6 ? 6 : strlen(base);
		snprintf(id, 9, "%.*s%02u", (int) keep, base, k);
	}
}

/* A line of raw receiver data: kept verbatim while the vest is recorded. */
static void
on_raw(const char *line, size_t len, void *userdata)
{
	struct live_dev *d = userdata;

	if (!d->raw_f || len == 0 || (line[0] != '$' && line[0] != '!'))
		return;
	if (line[len - 1] == '\r')
		len--;
	if (fwrite(line, 1, len, d->raw_f) != len || fputs("\r\n", d->raw_f) == EOF) {
		log_error("vest %s: cannot write the raw receiver data to %s", d->vest_id, d->raw_tmp);
		fclose(d->raw_f);
		d->raw_f = NULL;
	}
}

static struct live_dev *
dev_get(struct kt_live *l, unsigned src, const char *path)
{
	struct live_dev *d;

	for (size_t i = 0; i < l->n_devs; i++)
		if (l->devs[i]->src == src && !strcmp(l->devs[i]->path, path))
			return l->devs[i];

	if (l->n_devs == l->n_alloc) {
		size_t n = l->n_alloc ? l->n_alloc * 2 : 8;
		struct live_dev **a = realloc(l->devs, n * sizeof(*a));
		if (!a)
			return NULL;
		l->devs = a;
		l->n_alloc = n;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->l = l;
	d->src = src;
	d->raw.l = l;
	d->raw.reg_fd = -1;
	d->path = strdup(path);
	if (!d->path) {
		free(d);
		return NULL;
	}
	d->hdop = d->pdop = NAN;
	d->num_sv = -1;
	d->last_t_us = INT64_MIN;
	dev_session_reset(d);
	for (size_t i = 0; i < l->cfg.n_map; i++) {
		const struct kt_live_map *m = &l->cfg.map[i];
		if (!strcmp(m->pattern, path) || fnmatch(m->pattern, path, 0) == 0) {
			snprintf(d->vest_id, sizeof(d->vest_id), "%s", m->vest_id);
			if (m->player)
				d->player = strdup(m->player);
			break;
		}
	}
	if (!d->vest_id[0])
		vest_id_from_path(l, path, d->vest_id);
	if (vest_id_taken(l, d->vest_id)) {
		char was[9];
		snprintf(was, sizeof(was), "%s", d->vest_id);
		vest_id_make_unique(l, d->vest_id);
		log_warning("gpsd device %s: vest id %s is taken by another device, using %s", path, was,
			    d->vest_id);
	}
	l->devs[l->n_devs++] = d;
	l->stats.devices = l->n_devs;
	if (l->cfg.raw) {
		static const struct kt_gpsd_callbacks raw_cb = { .raw = on_raw };
		int r = kt_gpsd_new_raw(l->srcs[src].host, l->srcs[src].port, path, &raw_cb, d, &d->raw.g);
		if (r < 0) {
			d->raw.g = NULL;
			log_warning_errno(r, "gpsd device %s: cannot watch its raw data: %m", path);
		}
	}
	log_info("gpsd %s device %s is vest %s%s%s", kt_gpsd_name(l->srcs[src].g), path, d->vest_id,
		 d->player ? ", " : "", d->player ? d->player : "");
	return d;
}

/* ---- recording ---- */

static void
fatal(struct kt_live *l, int r)
{
	if (l->error == 0)
		l->error = r;
}

static void live_pause(struct kt_live *l, uint64_t avail, const struct live_dev *d, int r);

/* A mark in every open recording ("# kicktrack-live paused <time>"),
 * written whatever the pause (a few bytes; on a full disk it is simply not
 * there, the recording stays whole). */
static void
dev_mark(struct kt_live *l, struct live_dev *d, const char *what)
{
	char line[160], ts[40];
	int n;

	if (!d->rec || d->write_error)
		return;
	if (d->last_t_us != INT64_MIN)
		kt_fmt_utc(ts, sizeof(ts), d->last_t_us, 3);
	else
		snprintf(ts, sizeof(ts), "-");
	n = snprintf(line, sizeof(line), "# kicktrack-live %s %s\r\n", what, ts);
	if (n > 0 && (size_t) n < sizeof(line) &&
	    kt_store_live_append(d->rec, (const uint8_t *) line, (size_t) n) >= 0 && d->reader)
		(void) kt_log_reader_feed(d->reader, (const uint8_t *) line, (size_t) n);
}

/* header: the recording's first lines, written also while paused */
static int
dev_append(struct kt_live *l, struct live_dev *d, const char *data, size_t len, bool header)
{
	int r;

	if (!d->rec || d->write_error || (l->paused && !header))
		return 0;
	r = kt_store_live_append(d->rec, (const uint8_t *) data, len);
	if (r == -ENOSPC || r == -EDQUOT) {
		/* the disk filled between two checks: pause (nothing of it
		 * written), go on once there is room */
		live_pause(l, 0, d, r);
		return r;
	}
	if (r < 0) {
		/* an I/O error, the size limit: say it once, keep the live view
		 * and the other vests going; what was appended so far is kept
		 * and committed */
		d->write_error = true;
		log_error_errno(r, "vest %s: cannot append to the live recording in %s: %m; "
			       "this vest is no longer recorded in this session", d->vest_id, kt_store_root(l->store));
		return r;
	}
	if (d->reader) {
		r = kt_log_reader_feed(d->reader, (const uint8_t *) data, len);
		if (r < 0)
			log_debug_errno(r, "vest %s: log reader: %m", d->vest_id);
	}
	return 0;
}

static int
dev_write(struct kt_live *l, struct live_dev *d, const char *data, size_t len)
{
	return dev_append(l, d, data, len, false);
}

/* Recording pauses: the store's disk has avail bytes free (below
 * LIVE_PAUSE_BYTES), or d's write found it full (r). Said once; the live
 * numbers pause too (they are those of the recording). */
static void
live_pause(struct kt_live *l, uint64_t avail, const struct live_dev *d, int r)
{
	const char *root = kt_store_root(l->store);
	char a[32], b[32], ts[40] = "";

	if (l->paused)
		return;
	l->paused = true;
	l->paused_mono_us = l->now_us;
	if (d && d->last_t_us != INT64_MIN)
		kt_fmt_utc(ts, sizeof(ts), d->last_t_us, 1);
	kt_fmt_bytes(b, sizeof(b), LIVE_RESUME_BYTES, KT_BYTES_ROUND);
	if (d)
		snprintf(l->pause_note, sizeof(l->pause_note),
			 "the store's disk is full (%s): live recording paused%s%s; what was recorded "
			 "is kept; it goes on by itself once %s are free: free space there (df -h %s)",
			 strerror(-r), *ts ? " at " : "", ts, b, root);
	else
		snprintf(l->pause_note, sizeof(l->pause_note),
			 "the store's disk is nearly full (%s free): live recording paused, so that the "
			 "sessions and the status still fit; what was recorded is kept; it goes on by itself "
			 "once %s are free: free space there (df -h %s)",
			 kt_fmt_bytes(a, sizeof(a), (double) avail, KT_BYTES_ROUND), b, root);
	if (d)
		log_warning("vest %s: cannot append to the live recording in %s: %s", d->vest_id, root,
			    l->pause_note);
	else
		log_warning("%s", l->pause_note);
	for (size_t i = 0; i < l->n_devs; i++)
		dev_mark(l, l->devs[i], "paused");
}

/* Room again: recording goes on (the gap is marked in each recording). */
static void
live_resume(struct kt_live *l, uint64_t avail)
{
	char a[32];

	l->paused = false;
	l->pause_note[0] = '\0';
	log_info("%s free on the store's disk again: live recording goes on (paused for %lld s)",
		 kt_fmt_bytes(a, sizeof(a), (double) avail, KT_BYTES_ROUND),
		 (long long) ((l->now_us - l->paused_mono_us) / USEC));
	for (size_t i = 0; i < l->n_devs; i++)
		dev_mark(l, l->devs[i], "resumed");
}

/* Every second: the same kind of check as the downloads' (a recording
 * grows without end, so it pauses instead of waiting to start). */
static void
live_space_check(struct kt_live *l)
{
	uint64_t avail;

	if (kt_store_free_bytes(l->store, &avail) < 0)
		return;
	if (!l->paused && l->session && avail < LIVE_PAUSE_BYTES)
		live_pause(l, avail, NULL, 0);
	else if (l->paused && avail >= LIVE_RESUME_BYTES)
		live_resume(l, avail);
}

/* Feed the fixes the reader completed since the last call into the core. */
static void
dev_feed_core(struct live_dev *d)
{
	const struct kt_fix *f;
	size_t n;

	if (!d->reader || !d->track)
		return;
	f = kt_log_reader_fixes(d->reader, &n);
	for (; d->n_fed < n; d->n_fed++) {
		int r = kt_track_feed_fix(d->track, &f[d->n_fed]);
		if (r < 0)
			log_debug_errno(r, "vest %s: core rejected an epoch: %m", d->vest_id);
	}
}

/* A comment line (framers skip lines starting with '#', see live-log-format.md). */
static void
dev_comment(struct kt_live *l, struct live_dev *d, const char *what, int64_t t_us)
{
	char line[160], ts[40];
	int n;

	if (!d->rec)
		return;
	if (t_us != INT64_MIN)
		kt_fmt_utc(ts, sizeof(ts), t_us, 3);
	else
		snprintf(ts, sizeof(ts), "-");
	n = snprintf(line, sizeof(line), "# kicktrack-live %s %s\r\n", what, ts);
	if (n > 0 && (size_t) n < sizeof(line))
		dev_write(l, d, line, n);
}

static void
fmt_latlon(char *buf, size_t size, double deg, bool is_lat)
{
	double a = fabs(deg);
	int d = (int) a;
	double min = (a - d) * 60.0;

	/* 7 decimals of a minute = 0.2 mm; round so that 59.99999999 does not print 60 */
	if (min >= 59.99999995) {
		d += 1;
		min = 0.0;
	}
	snprintf(buf, size, is_lat ? "%02d%010.7f,%c" : "%03d%010.7f,%c", d, min,
		 is_lat ? (deg < 0 ? 'S' : 'N') : (deg < 0 ? 'W' : 'E'));
}

static int
gga_quality(const struct kt_gpsd_tpv *t)
{
	if (t->mode < 2)
		return 0;
	switch (t->status) {
	case 2:
		return 2; /* DGPS */
	case 3:
		return 4; /* RTK fixed */
	case 4:
		return 5; /* RTK float */
	case 5:
	case 6:
		return 6; /* dead reckoning */
	default:
		return 1;
	}
}

/* Write one epoch as $GPRMC + $GPGGA and feed it to the core. */
static void
dev_write_epoch(struct kt_live *l, struct live_dev *d, const struct kt_gpsd_tpv *t)
{
	bool fix = t->mode >= 2 && isfinite(t->lat_deg) && isfinite(t->lon_deg);
	char body[200], line[220], hms[48], date[40], lat[32], lon[32];
	char knots[24], course[24], hdop[16], nsv[16], alt[24];
	struct tm tm;
	time_t sec = (time_t) (t->t_us / USEC);
	int ms = (int) ((t->t_us % USEC) / 1000);
	int n;

	if (d->rec && !d->write_error && l->paused) {
		d->unrecorded++;
		return;
	}
	if (!gmtime_r(&sec, &tm))
		return;
	snprintf(hms, sizeof(hms), "%02d%02d%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	snprintf(date, sizeof(date), "%02d%02d%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year % 100);
	if (fix) {
		fmt_latlon(lat, sizeof(lat), t->lat_deg, true);
		fmt_latlon(lon, sizeof(lon), t->lon_deg, false);
	} else {
		snprintf(lat, sizeof(lat), ",");
		snprintf(lon, sizeof(lon), ",");
	}
	kt_fmt_double(knots, sizeof(knots), fix ? t->speed_mps / 0.514444 : NAN, 4, false);
	kt_fmt_double(course, sizeof(course), fix ? t->track_deg : NAN, 2, false);
	kt_fmt_double(hdop, sizeof(hdop), d->hdop, 2, false);
	kt_fmt_double(alt, sizeof(alt), fix ? t->alt_msl_m : NAN, 2, false);
	if (d->num_sv >= 0)
		snprintf(nsv, sizeof(nsv), "%02d", d->num_sv > 99 ? 99 : d->num_sv);
	else
		nsv[0] = '\0';

	n = snprintf(body, sizeof(body), "GPRMC,%s,%c,%s,%s,%s,%s,%s,,,%c", hms, fix ? 'A' : 'V', lat, lon,
		     knots, course, date, fix ? (gga_quality(t) == 2 ? 'D' : 'A') : 'N');
	if (n > 0 && (size_t) n < sizeof(body) && (n = kt_nmea_encode(body, line, sizeof(line))) > 0)
		dev_write(l, d, line, n);
	n = snprintf(body, sizeof(body), "GPGGA,%s,%s,%s,%d,%s,%s,%s,M,,M,,", hms, lat, lon, gga_quality(t),
		     nsv, hdop, alt);
	if (n > 0 && (size_t) n < sizeof(body) && (n = kt_nmea_encode(body, line, sizeof(line))) > 0)
		dev_write(l, d, line, n);
	dev_feed_core(d);
}

static int
dev_session_open(struct kt_live *l, struct live_dev *d, int64_t t_us)
{
	char body[64], line[96];
	int r, n;

	r = kt_store_live_open(l->store, d->vest_id, l->session_start_us, &d->rec);
	if (r < 0) {
		d->rec = NULL;
		d->write_error = true;
		return log_error_errno(r, "vest %s: cannot start a live recording in %s: %m", d->vest_id,
				       kt_store_root(l->store));
	}
	if (d->raw.g && !d->raw_f) {
		char *dir = NULL;
		free(d->raw_tmp);
		d->raw_tmp = NULL;
		if (asprintf(&dir, "%s/gpsd-raw", kt_store_root(l->store)) >= 0 &&
		    kt_mkdir_p(dir, KT_STORE_DIR_MODE) >= 0 &&
		    asprintf(&d->raw_tmp, "%s/%s-%lld.nmea.part", dir, d->vest_id,
			     (long long) (l->session_start_us / USEC)) >= 0) {
			d->raw_f = fopen(d->raw_tmp, "we");
			if (d->raw_f)
				(void) fchmod(fileno(d->raw_f), KT_STORE_FILE_MODE);
			else
				log_error_errno(-errno, "vest %s: cannot keep the raw receiver data in %s: %m",
						d->vest_id, d->raw_tmp);
		} else
			d->raw_tmp = NULL;
		free(dir);
	}
	r = kt_log_reader_new(&d->reader);
	if (r < 0)
		d->reader = NULL;
	r = kt_track_new(&l->cfg.params, NULL, &d->track);
	if (r < 0)
		d->track = NULL;
	d->first_t_us = t_us;
	/* vest.md header: vest id, firmware 0.0 (= written by the gpsd recorder), start */
	n = snprintf(body, sizeof(body), "PKTH,%s,0.0,%lld", d->vest_id,
		     (long long) (l->session_start_us / USEC));
	if (n > 0 && (size_t) n < sizeof(body) && (n = kt_nmea_encode(body, line, sizeof(line))) > 0)
		dev_append(l, d, line, n, true);
	if (d->rec) {
		char c[300];
		n = snprintf(c, sizeof(c), "# kicktrack-live source gpsd://%s%s\r\n", kt_gpsd_name(l->srcs[d->src].g),
			     d->path);
		if (n > 0 && (size_t) n < sizeof(c))
			dev_append(l, d, c, n, true);
		if (l->paused)
			dev_mark(l, d, "paused");
	}
	return 0;
}

/* One de-duplicated epoch of a device. */
/* arrived_us: monotonic time the epoch's TPV arrived (it may be written later) */
static void
dev_epoch(struct kt_live *l, struct live_dev *d, const struct kt_gpsd_tpv *t, int64_t arrived_us)
{
	bool fix = t->mode >= 2 && isfinite(t->lat_deg) && isfinite(t->lon_deg);

	d->last_t_us = t->t_us;
	l->stats.epochs++;
	if (!fix)
		l->stats.no_fix++;
	if (!l->session) {
		if (!fix)
			return; /* a session starts with the first fix */
		l->session = true;
		l->session_start_us = t->t_us;
		for (size_t i = 0; i < l->n_devs; i++)
			dev_session_reset(l->devs[i]);
		l->last_fix_mono_us = arrived_us;
		{
			char ts[40];
			log_info("live session started at %s (GNSS time) by vest %s",
				 kt_fmt_utc(ts, sizeof(ts), t->t_us, 1), d->vest_id);
		}
	}
	if (!d->in_session) {
		d->in_session = true;
		(void) dev_session_open(l, d, t->t_us);
	}
	if (fix && d->last_fix_t_us != INT64_MIN &&
	    t->t_us - d->last_fix_t_us > (int64_t) llround(l->cfg.params.gap_s * 1e6)) {
		d->gaps++;
		dev_comment(l, d, "gap-since", d->last_fix_t_us);
	}
	dev_write_epoch(l, d, t);
	d->epochs++;
	d->last_mode = t->mode;
	if (fix) {
		d->fixes++;
		d->last_fix_t_us = t->t_us;
		d->last_fix_mono_us = arrived_us;
		if (arrived_us > l->last_fix_mono_us)
			l->last_fix_mono_us = arrived_us;
	}
}

static void
dev_flush_pending(struct kt_live *l, struct live_dev *d)
{
	if (!d->has_pending)
		return;
	d->has_pending = false;
	dev_epoch(l, d, &d->pending, d->pending_mono_us);
}

static void
merge_double(double *dst, double src)
{
	if (isfinite(src))
		*dst = src;
}

static void
on_tpv(const struct kt_gpsd_tpv *t, void *userdata)
{
	struct live_src *src = userdata;
	struct kt_live *l = src->l;
	struct live_dev *d;

	l->stats.tpv++;
	d = dev_get(l, (unsigned) (src - l->srcs), t->device[0] ? t->device : "unknown");
	if (!d) {
		fatal(l, -ENOMEM);
		return;
	}
	d->gone = false;
	if (t->t_us == INT64_MIN) {
		l->stats.no_fix++; /* no time: nothing to record */
		d->last_mode = t->mode;
		return;
	}
	if (d->has_pending && t->t_us == d->pending.t_us) {
		/* gpsd's second report of the same epoch: keep what either knew */
		struct kt_gpsd_tpv *p = &d->pending;
		l->stats.duplicates++;
		if (t->mode > p->mode)
			p->mode = t->mode;
		if (t->status > 0)
			p->status = t->status;
		merge_double(&p->lat_deg, t->lat_deg);
		merge_double(&p->lon_deg, t->lon_deg);
		merge_double(&p->alt_msl_m, t->alt_msl_m);
		merge_double(&p->speed_mps, t->speed_mps);
		merge_double(&p->track_deg, t->track_deg);
		merge_double(&p->eph_m, t->eph_m);
		merge_double(&p->eps_mps, t->eps_mps);
		merge_double(&p->epx_m, t->epx_m);
		merge_double(&p->epy_m, t->epy_m);
		return;
	}
	if ((d->has_pending && t->t_us < d->pending.t_us) || t->t_us <= d->last_t_us) {
		l->stats.duplicates++; /* repeated or out of order */
		return;
	}
	dev_flush_pending(l, d);
	d->pending = *t;
	d->pending.device = NULL; /* the path string belongs to libgps */
	d->has_pending = true;
	d->pending_mono_us = l->now_us;
}

static void
on_sky(const struct kt_gpsd_sky *s, void *userdata)
{
	struct live_src *src = userdata;
	struct kt_live *l = src->l;
	struct live_dev *d = dev_get(l, (unsigned) (src - l->srcs), s->device[0] ? s->device : "unknown");

	if (!d)
		return;
	d->hdop = s->hdop;
	d->pdop = s->pdop;
	d->num_sv = s->num_sv;
}

static void
on_device(const char *path, bool active, void *userdata)
{
	struct live_src *src = userdata;
	struct kt_live *l = src->l;
	struct live_dev *d = NULL;

	for (size_t i = 0; i < l->n_devs; i++)
		if (l->devs[i]->src == (unsigned) (src - l->srcs) && !strcmp(l->devs[i]->path, path))
			d = l->devs[i];
	if (!d)
		return; /* a device that never sent a TPV is not a vest yet */
	if (!active && !d->gone) {
		log_warning("vest %s: gpsd lost device %s", d->vest_id, path);
		dev_flush_pending(l, d);
		dev_comment(l, d, "device-gone", d->last_t_us);
	}
	d->gone = !active;
}

static void
on_connection(bool up, void *userdata)
{
	struct live_src *src = userdata;
	struct kt_live *l = src->l;

	src->connected = up;
	if (up)
		l->stats.connects++;
	else
		l->stats.disconnects++;
	for (size_t i = 0; i < l->n_devs; i++) {
		struct live_dev *d = l->devs[i];
		if (d->src != (unsigned) (src - l->srcs))
			continue;
		if (!up) {
			dev_flush_pending(l, d);
			dev_comment(l, d, "gpsd-lost", d->last_t_us);
			if (d->rec)
				(void) kt_store_live_sync(d->rec);
		} else
			dev_comment(l, d, "gpsd-back", d->last_t_us);
	}
}

/* ---- sessions ---- */

/* The raw receiver data of the session go next to its manifest. */
static void
session_move_raw(struct kt_live *l, const char *session_dir)
{
	char *dir = NULL;

	for (size_t i = 0; i < l->n_devs; i++) {
		struct live_dev *d = l->devs[i];
		char *dst = NULL;

		if (!d->raw_tmp)
			continue;
		if (!dir && (asprintf(&dir, "%s/gpsd-raw", session_dir) < 0 || kt_mkdir_p(dir, KT_STORE_DIR_MODE) < 0)) {
			log_error("cannot create %s/gpsd-raw: the raw receiver data stay in %s/gpsd-raw", session_dir,
				  kt_store_root(l->store));
			break;
		}
		if (asprintf(&dst, "%s/%s.nmea", dir, d->vest_id) >= 0) {
			if (rename(d->raw_tmp, dst) < 0)
				log_error_errno(-errno, "cannot move %s to %s: %m", d->raw_tmp, dst);
			free(dst);
		}
		free(d->raw_tmp);
		d->raw_tmp = NULL;
	}
	if (dir)
		(void) kt_fsync_dir(dir);
	free(dir);
}

static void dev_update(struct kt_live *l, struct live_dev *d);
static int write_status(struct kt_live *l);

/* raw path ".../<session>-<crc32 hex>.log" -> crc32 */
static uint32_t
crc_from_raw_path(const char *path)
{
	const char *dash = strrchr(path, '-');
	unsigned crc = 0;

	if (!dash || sscanf(dash + 1, "%8x", &crc) != 1)
		return 0;
	return crc;
}

/* The recordings of m, for a message: "raw/VA/...log, raw/VB/...log". */
static void
manifest_logs(const struct kt_store_manifest *m, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < m->n; i++) {
		size_t len = strlen(buf);

		if (len + 2 >= size)
			break;
		snprintf(buf + len, size - len, "%s%s", len ? ", " : "", m->e[i].raw_path);
	}
}

/* Write the manifest of an ended session and hand the session on (its
 * folder, the raw receiver data, session_done). retry: an earlier try
 * failed (the disk was full): failing again is not said again. Returns 0,
 * or -errno when the manifest could not be written (m is then kept). */
static int
session_publish(struct kt_live *l, struct kt_store_manifest *m, bool retry)
{
	char *dir = NULL, logs[600];
	int r;

	r = kt_store_manifest_write(l->store, m);
	if (r < 0) {
		manifest_logs(m, logs, sizeof(logs));
		if (retry)
			log_debug_errno(r, "the manifest of live session %s: still cannot write it: %m",
					m->name);
		else
			log_error_errno(r, "cannot write the manifest of live session %s in %s: %m; its "
					"recordings are stored (%s), and the manifest that makes them a "
					"training is written by itself once there is room (df -h %s)",
					m->name, kt_store_root(l->store), logs, kt_store_root(l->store));
		/* the raw receiver data go beside it all the same (a rename) */
		if (!retry && kt_store_session_create(l->store, m->name, &dir) >= 0)
			session_move_raw(l, dir);
		free(dir);
		return r;
	}
	if (retry) {
		manifest_logs(m, logs, sizeof(logs));
		log_info("live session %s: its manifest is written now (%s)", m->name, logs);
	}
	if (kt_store_session_create(l->store, m->name, &dir) >= 0) {
		log_info("live session %s ended (%zu vest%s)", m->name, m->n, m->n == 1 ? "" : "s");
		free(l->last_session_dir);
		l->last_session_dir = strdup(dir);
		l->stats.sessions_done++;
		if (!retry)
			session_move_raw(l, dir);
		if (l->cfg.session_done)
			l->cfg.session_done(dir, l->cfg.userdata);
	}
	free(dir);
	return 0;
}

/* The manifests that a full disk kept from being written: once a second,
 * with some room again, each is tried again. */
static void
live_retry_manifests(struct kt_live *l)
{
	uint64_t avail;

	if (!l->n_unwritten || (kt_store_free_bytes(l->store, &avail) >= 0 && avail < LIVE_MANIFEST_BYTES))
		return;
	for (size_t i = 0; i < l->n_unwritten;) {
		if (session_publish(l, &l->unwritten[i], true) < 0) {
			i++;
			continue;
		}
		kt_store_manifest_clear(&l->unwritten[i]);
		memmove(&l->unwritten[i], &l->unwritten[i + 1],
			(l->n_unwritten - i - 1) * sizeof(l->unwritten[0]));
		l->n_unwritten--;
	}
}

static void
session_end(struct kt_live *l)
{
	struct kt_store_manifest m = { 0 };
	int r;

	if (!l->session)
		return;
	m.start_unix_us = l->session_start_us;
	m.end_unix_us = INT64_MIN;
	m.e = calloc(l->n_devs ? l->n_devs : 1, sizeof(*m.e));
	r = kt_store_session_name(l->session_start_us, m.name, sizeof(m.name));
	if (r < 0)
		snprintf(m.name, sizeof(m.name), "live-%lld", (long long) (l->session_start_us / USEC));

	for (size_t i = 0; i < l->n_devs; i++) {
		struct live_dev *d = l->devs[i];
		char *raw = NULL;

		dev_flush_pending(l, d);
		if (d->reader) {
			/* the last epoch: the final numbers equal processing the stored log */
			(void) kt_log_reader_finish(d->reader);
			dev_feed_core(d);
		}
		dev_update(l, d);
		if (d->raw_f) {
			if (fflush(d->raw_f) != 0 || fsync(fileno(d->raw_f)) < 0)
				log_error_errno(-errno, "vest %s: cannot write %s: %m", d->vest_id, d->raw_tmp);
			fclose(d->raw_f);
			d->raw_f = NULL;
		}
		if (!d->rec) {
			dev_session_close(d);
			continue;
		}
		if (d->last_fix_t_us != INT64_MIN && (m.end_unix_us == INT64_MIN || d->last_fix_t_us > m.end_unix_us))
			m.end_unix_us = d->last_fix_t_us;
		r = kt_store_live_commit(d->rec, &raw);
		d->rec = NULL;
		if (r == -EEXIST)
			log_info("vest %s: this live recording is in the store already (the same log replayed?)",
				 d->vest_id);
		else if (r < 0)
			log_error_errno(r, "vest %s: cannot store the live recording in %s: %m", d->vest_id,
					kt_store_root(l->store));
		else if (m.e) {
			struct kt_store_manifest_entry *e = &m.e[m.n++];
			const char *root = kt_store_root(l->store);
			size_t rl = strlen(root);
			snprintf(e->vest_id, sizeof(e->vest_id), "%s", d->vest_id);
			e->session_id = (uint32_t) (l->session_start_us / USEC);
			e->crc32 = crc_from_raw_path(raw);
			snprintf(e->raw_path, sizeof(e->raw_path), "%s",
				 !strncmp(raw, root, rl) && raw[rl] == '/' ? raw + rl + 1 : raw);
			char lost[96] = "";
			if (d->unrecorded)
				snprintf(lost, sizeof(lost), "; %llu of them not recorded: the disk was full",
					 (unsigned long long) d->unrecorded);
			log_info("vest %s: live recording stored as %s (%llu epochs, %llu fixes, %u gaps%s)", d->vest_id,
				 raw, (unsigned long long) d->epochs, (unsigned long long) d->fixes, d->gaps, lost);
		}
		free(raw);
		dev_session_close(d);
	}
	/* a new session accepts any GNSS time again (a replayed log, a receiver
	 * whose clock was reset) */
	for (size_t i = 0; i < l->n_devs; i++)
		l->devs[i]->last_t_us = INT64_MIN;
	l->session = false;
	if (m.n > 0 && session_publish(l, &m, false) < 0) {
		struct kt_store_manifest *u = realloc(l->unwritten, (l->n_unwritten + 1) * sizeof(*u));

		if (u) {
			l->unwritten = u;
			u[l->n_unwritten++] = m;
			m.e = NULL; /* kept there */
		} else {
			char logs[600];
			manifest_logs(&m, logs, sizeof(logs));
			log_error("live session %s: out of memory: its manifest is not written; its "
				  "recordings are stored: %s", m.name, logs);
		}
	}
	(void) write_status(l); /* the final numbers, until the next session starts */
	free(m.e);
}

/* ---- status file ---- */

static void
dev_update(struct kt_live *l, struct live_dev *d)
{
	if (!d->track)
		return; /* not recording: keep the last (final) numbers */
	if (d->has_snap)
		kt_result_clear(&d->snap);
	d->has_snap = false;
	if (d->track && kt_track_snapshot_totals(d->track, &d->snap) >= 0) {
		d->has_snap = true;
		d->snap_mono_us = l->now_us;
	}
}

static enum dev_state
dev_state(struct kt_live *l, struct live_dev *d)
{
	if (!l->session)
		return DEV_ENDED;
	if (d->gone)
		return DEV_GONE;
	if (d->last_fix_mono_us == INT64_MIN)
		return DEV_WAITING;
	if (l->now_us - d->last_fix_mono_us > l->cfg.lost_us)
		return DEV_LOST;
	if (d->last_mode < 2)
		return DEV_NOFIX;
	return DEV_OK;
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char) *s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
csv_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

struct dev_numbers {
	char speed[24], dist[24], hsr[24], maxs[24], age[24], nage[24];
	unsigned sprints;
};

static void
dev_numbers(struct kt_live *l, struct live_dev *d, struct dev_numbers *n)
{
	double speed = NAN, dist = NAN, hsr = NAN, maxs = NAN, age = NAN;

	n->sprints = 0;
	if (d->has_snap) {
		dist = d->snap.distance_m;
		hsr = d->snap.hsr_m;
		maxs = d->snap.max_speed_kmh;
		n->sprints = (unsigned) d->snap.n_sprints;
	}
	/* the filtered speed at the last fix, from the snapshot of this status
	 * tick: the raw Doppler speed of one fix would read above the top
	 * speed at times (its noise is what the filter takes out) */
	speed = d->has_snap ? d->snap.last_speed_kmh : NAN;
	if (dev_state(l, d) != DEV_OK)
		speed = NAN;
	if (d->last_fix_mono_us != INT64_MIN && l->session)
		age = (double) (l->now_us - d->last_fix_mono_us) / 1e6;
	kt_fmt_double(n->speed, sizeof(n->speed), speed, 1, false);
	kt_fmt_double(n->dist, sizeof(n->dist), dist, 1, false);
	kt_fmt_double(n->hsr, sizeof(n->hsr), hsr, 1, false);
	kt_fmt_double(n->maxs, sizeof(n->maxs), maxs, 1, false);
	kt_fmt_double(n->age, sizeof(n->age), age, 1, false);
	kt_fmt_double(n->nage, sizeof(n->nage),
		      d->has_snap && l->session ? (double) (l->now_us - d->snap_mono_us) / 1e6 : NAN, 1, false);
}

static const char *
or_null(const char *s)
{
	return s[0] ? s : "null";
}

static size_t
live_connected(struct kt_live *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n_srcs; i++)
		if (kt_gpsd_is_connected(l->srcs[i].g))
			n++;
	return n;
}

static int
write_status(struct kt_live *l)
{
	struct kt_atomic_file j, c;
	char ts[40];
	int r;

	r = kt_atomic_open(l->status_json, KT_STORE_FILE_MODE, &j);
	if (r < 0)
		return log_debug_errno(r, "cannot write %s: %m", l->status_json);
	r = kt_atomic_open(l->status_csv, KT_STORE_FILE_MODE, &c);
	if (r < 0) {
		kt_atomic_abort(&j);
		return log_debug_errno(r, "cannot write %s: %m", l->status_csv);
	}

	fprintf(j.f, "{\"version\":1,\"gpsd\":");
	json_str(j.f, l->gpsd_names);
	fprintf(j.f, ",\"connected\":%s,\"servers\":%zu,\"servers_connected\":%zu,\"session\":%s",
		live_connected(l) == l->n_srcs ? "true" : "false", l->n_srcs, live_connected(l),
		l->session ? "true" : "false");
	fprintf(j.f, ",\"session_start\":");
	if (l->session)
		json_str(j.f, kt_fmt_utc(ts, sizeof(ts), l->session_start_us, 1));
	else
		fputs("null", j.f);
	/* recording paused for a full disk: why, and what to do */
	fprintf(j.f, ",\"recording\":%s,\"recording_note\":", l->paused ? "false" : "true");
	json_str(j.f, l->pause_note);
	fprintf(j.f, ",\"last_session_dir\":");
	if (l->last_session_dir)
		json_str(j.f, l->last_session_dir);
	else
		fputs("null", j.f);
	fprintf(j.f, ",\"players\":[");
	fprintf(c.f, "vest,player,device,state,speed_kmh,distance_m,hsr_m,sprints,max_speed_kmh,"
		     "last_fix_age_s,fixes,gaps,numbers_age_s\n");

	for (size_t i = 0, k = 0; i < l->n_devs; i++) {
		struct live_dev *d = l->devs[i];
		struct dev_numbers n;
		const char *st;

		if (!d->in_session)
			continue; /* not in this (or the last) session */
		dev_numbers(l, d, &n);
		st = dev_state_to_str(dev_state(l, d));
		fprintf(j.f, "%s{\"vest\":", k++ ? "," : "");
		json_str(j.f, d->vest_id);
		fprintf(j.f, ",\"player\":");
		if (d->player)
			json_str(j.f, d->player);
		else
			fputs("null", j.f);
		fprintf(j.f, ",\"device\":");
		json_str(j.f, d->path);
		fprintf(j.f,
			",\"state\":\"%s\",\"speed_kmh\":%s,\"distance_m\":%s,\"hsr_m\":%s,\"sprints\":%u,"
			"\"max_speed_kmh\":%s,\"last_fix_age_s\":%s,\"fixes\":%llu,\"gaps\":%u,"
			"\"numbers_age_s\":%s}",
			st, or_null(n.speed), or_null(n.dist), or_null(n.hsr), n.sprints, or_null(n.maxs),
			or_null(n.age), (unsigned long long) d->fixes, d->gaps, or_null(n.nage));

		csv_str(c.f, d->vest_id);
		fputc(',', c.f);
		csv_str(c.f, d->player ? d->player : "");
		fputc(',', c.f);
		csv_str(c.f, d->path);
		fprintf(c.f, ",%s,%s,%s,%s,%u,%s,%s,%llu,%u,%s\n", st, n.speed, n.dist, n.hsr, n.sprints, n.maxs,
			n.age, (unsigned long long) d->fixes, d->gaps, n.nage);
	}
	fprintf(j.f, "]}\n");

	r = kt_atomic_commit(&j, false, false);
	if (r < 0) {
		kt_atomic_abort(&c);
		return log_debug_errno(r, "cannot write %s: %m", l->status_json);
	}
	r = kt_atomic_commit(&c, false, false);
	if (r < 0)
		return log_debug_errno(r, "cannot write %s: %m", l->status_csv);
	return 0;
}

/* ---- the source ---- */

int
kt_live_new(const struct kt_live_config *c, struct kt_live **ret)
{
	static const struct kt_gpsd_callbacks cb = {
		.tpv = on_tpv,
		.sky = on_sky,
		.device = on_device,
		.connection = on_connection,
	};
	struct kt_live *l;
	const char *root;
	int r;

	if (!c || !ret || c->quiet_us <= 0 || c->lost_us <= 0)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->epfd = -1;
	r = config_copy(&l->cfg, c);
	if (r < 0)
		goto fail;
	r = kt_store_open(l->cfg.store_root, &l->store);
	if (r < 0) {
		l->store = NULL;
		log_error_errno(r, "cannot open the session store %s: %m%s",
				l->cfg.store_root ? l->cfg.store_root : KT_STORE_DEFAULT_ROOT,
				r == -ENOENT ? " (nor the folder it would be created in: a typo?)" : "");
		goto fail;
	}
	root = kt_store_root(l->store);
	if (l->cfg.status_path)
		l->status_json = strdup(l->cfg.status_path);
	else if (asprintf(&l->status_json, "%s/live.json", root) < 0)
		l->status_json = NULL;
	if (!l->status_json) {
		r = -ENOMEM;
		goto fail;
	}
	{
		size_t n = strlen(l->status_json);
		bool js = kt_endswith(l->status_json, ".json");
		if (asprintf(&l->status_csv, "%.*s.csv", (int) (js ? n - 5 : n), l->status_json) < 0) {
			l->status_csv = NULL;
			r = -ENOMEM;
			goto fail;
		}
	}
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		r = -errno;
		goto fail;
	}
	{
		size_t n = l->cfg.n_servers > 0 ? l->cfg.n_servers : 1;
		size_t len = 0;

		l->srcs = calloc(n, sizeof(*l->srcs));
		if (!l->srcs) {
			r = -ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			char *host = NULL, *port = NULL;
			struct live_src *src = &l->srcs[i];

			src->l = l;
			src->reg_fd = -1;
			if (l->cfg.n_servers > 0) {
				r = parse_server(l->cfg.servers[i], &host, &port);
				if (r < 0) {
					log_error("[gpsd] server '%s': expected HOST:PORT", l->cfg.servers[i]);
					goto fail;
				}
				src->host = host;
				src->port = port;
			} else {
				src->host = l->cfg.host ? strdup(l->cfg.host) : NULL;
				src->port = l->cfg.port ? strdup(l->cfg.port) : NULL;
			}
			r = kt_gpsd_new(src->host, src->port, &cb, src, &src->g);
			if (r < 0) {
				src->g = NULL;
				goto fail;
			}
			l->n_srcs = i + 1;
			len += strlen(kt_gpsd_name(src->g)) + 2;
		}
		l->gpsd_names = calloc(1, len + 1);
		if (!l->gpsd_names) {
			r = -ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < l->n_srcs; i++) {
			if (i > 0)
				strcat(l->gpsd_names, ", ");
			strcat(l->gpsd_names, kt_gpsd_name(l->srcs[i].g));
		}
	}
	l->last_fix_mono_us = INT64_MIN;
	l->next_status_us = 0;
	*ret = l;
	return 0;
fail:
	kt_live_free(l);
	return r;
}

struct kt_live *
kt_live_free(struct kt_live *l)
{
	if (!l)
		return NULL;
	if (l->store) {
		session_end(l);
		live_retry_manifests(l);
		for (size_t i = 0; i < l->n_unwritten; i++) {
			char logs[600];

			manifest_logs(&l->unwritten[i], logs, sizeof(logs));
			log_error("live session %s: its manifest is still not written (the store's disk "
				  "is full): its recordings are stored, but in no training: %s; kicktrackd's "
				  "next start puts them into one", l->unwritten[i].name, logs);
			kt_store_manifest_clear(&l->unwritten[i]);
		}
		free(l->unwritten);
	}
	for (size_t i = 0; i < l->n_devs; i++)
		dev_free(l->devs[i]);
	free(l->devs);
	for (size_t i = 0; i < l->n_srcs; i++) {
		kt_gpsd_free(l->srcs[i].g);
		free(l->srcs[i].host);
		free(l->srcs[i].port);
	}
	free(l->srcs);
	free(l->gpsd_names);
	if (l->epfd >= 0)
		close(l->epfd);
	kt_store_free(l->store);
	free(l->status_json);
	free(l->status_csv);
	free(l->last_session_dir);
	kt_live_config_clear(&l->cfg);
	free(l);
	return NULL;
}

int
kt_live_get_fd(struct kt_live *l)
{
	return l->epfd;
}

/* Keep the epoll set in step with the source's socket (new after a reconnect). */
static void
src_register(struct kt_live *l, struct live_src *src)
{
	int fd = kt_gpsd_get_fd(src->g);
	unsigned gen = kt_gpsd_generation(src->g);

	if (fd == src->reg_fd && gen == src->reg_gen)
		return;
	if (src->reg_fd >= 0)
		(void) epoll_ctl(l->epfd, EPOLL_CTL_DEL, src->reg_fd, NULL); /* gone already if closed */
	src->reg_fd = -1;
	if (fd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = src };
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 && errno != EEXIST)
			log_debug_errno(-errno, "epoll_ctl: %m");
		src->reg_fd = fd;
	}
	src->reg_gen = gen;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int64_t
kt_live_next_deadline_us(struct kt_live *l)
{
	int64_t t = l->next_status_us;

	for (size_t i = 0; i < l->n_srcs; i++)
		t = min64(t, kt_gpsd_next_deadline_us(l->srcs[i].g));
	for (size_t i = 0; i < l->n_devs; i++)
		if (l->devs[i]->raw.g)
			t = min64(t, kt_gpsd_next_deadline_us(l->devs[i]->raw.g));

	if (l->session && l->last_fix_mono_us != INT64_MIN)
		t = min64(t, l->last_fix_mono_us + l->cfg.quiet_us);
	for (size_t i = 0; i < l->n_devs; i++)
		if (l->devs[i]->has_pending)
			t = min64(t, l->devs[i]->pending_mono_us + PENDING_MAX_US);
	return t;
}

static void
src_dispatch(struct kt_live *l, struct live_src *src, bool all)
{
	if (all || src->ready || kt_gpsd_get_fd(src->g) < 0 || kt_gpsd_next_deadline_us(src->g) <= l->now_us)
		(void) kt_gpsd_dispatch(src->g, l->now_us);
	src->ready = false;
	src_register(l, src);
}

int
kt_live_dispatch(struct kt_live *l, int64_t now_mono_us)
{
	int r;

	l->now_us = now_mono_us;
	/* read only the connections with data (or a reconnect/backlog due): with
	 * 8 gpsd and 30 raw connections, a recv() on each per wake-up costs more
	 * than the data */
	{
		struct epoll_event ev[64];
		int n = epoll_wait(l->epfd, ev, 64, 0);
		bool all = n == 64 || n < 0;

		for (int i = 0; i < n; i++)
			((struct live_src *) ev[i].data.ptr)->ready = true;
		for (size_t i = 0; i < l->n_srcs; i++)
			src_dispatch(l, &l->srcs[i], all);
		for (size_t i = 0; i < l->n_devs; i++)
			if (l->devs[i]->raw.g)
				src_dispatch(l, &l->devs[i]->raw, all);
	}

	for (size_t i = 0; i < l->n_devs; i++) {
		struct live_dev *d = l->devs[i];
		if (d->has_pending && now_mono_us - d->pending_mono_us >= PENDING_MAX_US)
			dev_flush_pending(l, d);
	}
	if (l->session && now_mono_us - l->last_fix_mono_us >= l->cfg.quiet_us)
		session_end(l);

	if (now_mono_us >= l->next_status_us) {
		size_t n = l->n_devs;

		live_space_check(l);
		live_retry_manifests(l);
		for (size_t i = 0; i < n; i++) {
			if (l->devs[i]->rec)
				(void) kt_store_live_sync(l->devs[i]->rec);
			if (l->devs[i]->raw_f)
				(void) fflush(l->devs[i]->raw_f);
		}
		for (size_t i = 0; i < n; i++)
			dev_update(l, l->devs[i]);
		(void) write_status(l);
		l->next_status_us = now_mono_us + STATUS_PERIOD_US;
	}
	r = l->error;
	l->error = 0;
	return r;
}

void
kt_live_get_stats(struct kt_live *l, struct kt_live_stats *ret)
{
	*ret = l->stats;
	ret->connected = live_connected(l) == l->n_srcs;
	ret->devices = l->n_devs;
}
