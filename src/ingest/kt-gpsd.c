/* SPDX-License-Identifier: EUPL-1.2 */
/* The libgps adapter: see kt-gpsd.h. */
#include <errno.h>
#include <fcntl.h>
#include <gps.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt-gpsd.h"
#include "util/kt-log.h"

#define BACKOFF_MIN_US INT64_C(1000000)
#define BACKOFF_MAX_US INT64_C(10000000)
/* Reports handled per dispatch before yielding to the rest of the poll loop. */
#define MAX_REPORTS_PER_DISPATCH 4096

enum gpsd_state {
	GPSD_DISCONNECTED = 0,  /* waiting for retry_at_us */
	GPSD_CONNECTED,         /* socket open, watching */
};

struct kt_gpsd {
	char *host, *port, *name;
	struct kt_gpsd_callbacks cb;
	void *userdata;

	enum gpsd_state state;
	struct gps_data_t data;
	bool seen_version;       /* this connection spoke gpsd's protocol */
	bool said_gone;          /* "gpsd is gone" already logged */
	bool ever_connected;
	int64_t retry_at_us;
	int64_t backoff_us;
	bool more;               /* stopped early with reports still buffered */
	char *device;            /* raw mode: the device watched */
	unsigned generation;     /* connections made so far */
};

int
kt_gpsd_errno_from_libgps(int code)
{
	switch (code) {
	case NL_NOSERVICE:
		return -ESRCH;           /* unknown port/service name */
	case NL_NOHOST:
		return -EHOSTUNREACH;    /* host name does not resolve */
	case NL_NOPROTO:
		return -EPROTONOSUPPORT;
	case NL_NOSOCK:
		return -EMFILE;
	case NL_NOSOCKOPT:
		return -EINVAL;
	case NL_NOCONNECT:
		return -ECONNREFUSED;
	default:
		return code < 0 && code > -4096 ? code : -EIO;
	}
}

static int
gpsd_alloc(const char *host, const char *port, const struct kt_gpsd_callbacks *cb, void *userdata,
	   struct kt_gpsd **ret)
{
	struct kt_gpsd *g;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->host = strdup(host && *host ? host : "localhost");
	g->port = strdup(port && *port ? port : DEFAULT_GPSD_PORT);
	if (!g->host || !g->port ||
	    asprintf(&g->name, strchr(g->host, ':') ? "[%s]:%s" : "%s:%s", g->host, g->port) < 0) {
		g->name = NULL;
		kt_gpsd_free(g);
		return -ENOMEM;
	}
	g->cb = *cb;
	g->userdata = userdata;
	g->state = GPSD_DISCONNECTED;
	g->retry_at_us = 0; /* connect on the first dispatch */
	g->backoff_us = BACKOFF_MIN_US;
	g->data.gps_fd = -1;
	*ret = g;
	return 0;
}

int
kt_gpsd_new(const char *host, const char *port, const struct kt_gpsd_callbacks *cb,
	    void *userdata, struct kt_gpsd **ret)
{
	if (!cb || !cb->tpv || !ret)
		return -EINVAL;
	return gpsd_alloc(host, port, cb, userdata, ret);
}

int
kt_gpsd_new_raw(const char *host, const char *port, const char *device,
		const struct kt_gpsd_callbacks *cb, void *userdata, struct kt_gpsd **ret)
{
	struct kt_gpsd *g;
	int r;

	if (!device || !*device || strlen(device) >= GPS_PATH_MAX || strchr(device, '"') || !cb || !cb->raw)
		return -EINVAL;
	if (!ret)
		return -EINVAL;
	r = gpsd_alloc(host, port, cb, userdata, &g);
	if (r < 0)
		return r;
	g->device = strdup(device);
	if (!g->device)
		return kt_gpsd_free(g), -ENOMEM;
	*ret = g;
	return 0;
}

static void
gpsd_close(struct kt_gpsd *g)
{
	if (g->state != GPSD_CONNECTED)
		return;
	(void) gps_close(&g->data);
	memset(&g->data, 0, sizeof(g->data));
	g->data.gps_fd = -1;
	g->state = GPSD_DISCONNECTED;
	g->more = false;
}

struct kt_gpsd *
kt_gpsd_free(struct kt_gpsd *g)
{
	if (!g)
		return NULL;
	gpsd_close(g);
	free(g->host);
	free(g->port);
	free(g->name);
	free(g->device);
	free(g);
	return NULL;
}

int
kt_gpsd_get_fd(struct kt_gpsd *g)
{
	return g->state == GPSD_CONNECTED ? (int) g->data.gps_fd : -1;
}

bool
kt_gpsd_is_connected(struct kt_gpsd *g)
{
	return g->state == GPSD_CONNECTED && g->seen_version;
}

const char *
kt_gpsd_name(struct kt_gpsd *g)
{
	return g->name;
}

unsigned
kt_gpsd_generation(struct kt_gpsd *g)
{
	return g->generation;
}

int64_t
kt_gpsd_next_deadline_us(struct kt_gpsd *g)
{
	if (g->state == GPSD_DISCONNECTED)
		return g->retry_at_us;
	return g->more ? 0 : INT64_MAX;
}

static void
schedule_retry(struct kt_gpsd *g, int64_t now_us)
{
	g->retry_at_us = now_us + g->backoff_us;
	g->backoff_us = g->backoff_us * 2 > BACKOFF_MAX_US ? BACKOFF_MAX_US : g->backoff_us * 2;
}

/* The connection dropped or could not be made: say so once per outage. */
static void
gpsd_lost(struct kt_gpsd *g, int64_t now_us, int error)
{
	bool was_up = g->state == GPSD_CONNECTED && g->seen_version;

	gpsd_close(g);
	if (g->device) {
		log_debug_errno(error, "gpsd at %s, raw data of %s: connection lost: %m", g->name, g->device);
		g->said_gone = true;
	} else if (!g->said_gone) {
		if (g->ever_connected)
			log_warning_errno(error, "gpsd at %s is gone (%m); reconnecting in the background", g->name);
		else
			log_warning_errno(error, "cannot reach gpsd at %s (%m); retrying in the background", g->name);
		g->said_gone = true;
	} else
		log_debug_errno(error, "gpsd at %s: still not reachable: %m", g->name);
	schedule_retry(g, now_us);
	if (was_up && g->cb.connection)
		g->cb.connection(false, g->userdata);
}

static int
gpsd_connect(struct kt_gpsd *g, int64_t now_us)
{
	int r, flags;

	memset(&g->data, 0, sizeof(g->data));
	errno = 0;
	r = gps_open(g->host, g->port, &g->data);
	if (r != 0) {
		/* libgps 3.22 returns -1 and leaves the netlib code in errno */
		int code = errno < 0 ? errno : r;
		r = code <= NL_NOSERVICE && code >= NL_NOCONNECT ? kt_gpsd_errno_from_libgps(code)
								   : (errno > 0 ? -errno : -ECONNREFUSED);
		memset(&g->data, 0, sizeof(g->data));
		g->data.gps_fd = -1;
		gpsd_lost(g, now_us, r);
		return r;
	}
	g->state = GPSD_CONNECTED;
	g->seen_version = false;
	g->generation++;
	if (gps_stream(&g->data, g->device ? WATCH_ENABLE | WATCH_RARE | WATCH_DEVICE : WATCH_ENABLE | WATCH_JSON,
		       g->device) < 0) {
		gpsd_lost(g, now_us, -EPIPE);
		return -EPIPE;
	}
	/* libgps reads with recv(); without O_NONBLOCK a partial line would block */
	flags = fcntl(g->data.gps_fd, F_GETFL);
	if (flags < 0 || fcntl(g->data.gps_fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		r = -errno;
		gpsd_lost(g, now_us, r);
		return r;
	}
	log_debug("gpsd at %s: connected, watching", g->name);
	return 0;
}

static int64_t
timespec_to_us(const struct timespec *ts)
{
	if (ts->tv_sec == 0 && ts->tv_nsec == 0)
		return INT64_MIN;
	return (int64_t) ts->tv_sec * 1000000 + (ts->tv_nsec + 500) / 1000;
}

static bool
class_is(const char *line, const char *cls)
{
	/* gpsd always writes {"class":"XXX", first */
	size_t n = strlen(cls);

	return !strncmp(line, "{\"class\":\"", 10) && !strncmp(line + 10, cls, n) && line[10 + n] == '"';
}

static void
handle_report(struct kt_gpsd *g, const char *line)
{
	const struct gps_fix_t *f = &g->data.fix;

	if (class_is(line, "TPV") && g->cb.tpv) {
		struct kt_gpsd_tpv t = {
			.device = g->data.dev.path,
			.mode = f->mode,
			.status = f->status,
			.t_us = timespec_to_us(&f->time),
			.lat_deg = f->latitude,
			.lon_deg = f->longitude,
			.alt_msl_m = f->altMSL,
			.speed_mps = f->speed,
			.track_deg = f->track,
			.eph_m = f->eph,
			.eps_mps = f->eps,
			.epx_m = f->epx,
			.epy_m = f->epy,
		};
		g->cb.tpv(&t, g->userdata);
	} else if (class_is(line, "SKY")) {
		struct kt_gpsd_sky s = {
			.device = g->data.dev.path,
			.hdop = g->data.dop.hdop,
			.pdop = g->data.dop.pdop,
			.num_sv = g->data.satellites_used > 0 ? g->data.satellites_used : -1,
		};
		if (g->cb.sky)
			g->cb.sky(&s, g->userdata);
	} else if (class_is(line, "DEVICE")) {
		if (g->cb.device && g->data.dev.path[0])
			g->cb.device(g->data.dev.path,
				     g->data.dev.activated.tv_sec != 0 || g->data.dev.activated.tv_nsec != 0,
				     g->userdata);
	} else if (class_is(line, "VERSION")) {
		if (!g->seen_version) {
			g->seen_version = true;
			g->backoff_us = BACKOFF_MIN_US;
			if (g->device)
				log_debug("gpsd at %s: watching the raw data of %s", g->name, g->device);
			else if (g->ever_connected)
				log_info("gpsd at %s is back", g->name);
			else
				log_info("connected to gpsd at %s", g->name);
			g->said_gone = false;
			g->ever_connected = true;
			if (g->cb.connection)
				g->cb.connection(true, g->userdata);
		}
	}
}

int
kt_gpsd_dispatch(struct kt_gpsd *g, int64_t now_us)
{
	/* JSON: class and device name fit in the first bytes (libgps parses the
	 * full line); raw: the whole line */
	char line[1024];
	int n = 0;
	int size = g->device ? (int) sizeof(line) : 64;

	if (g->state == GPSD_DISCONNECTED) {
		if (now_us < g->retry_at_us)
			return 0;
		if (gpsd_connect(g, now_us) < 0)
			return 0;
	}

	g->more = false;
	for (;;) {
		int r;

		if (n >= MAX_REPORTS_PER_DISPATCH) {
			g->more = true; /* come back at once, after the others had a turn */
			break;
		}
		g->data.dev.path[0] = '\0';
		g->data.dev.activated.tv_sec = 0;
		g->data.dev.activated.tv_nsec = 0;
		line[0] = '\0';
		errno = 0;
		r = gps_read(&g->data, line, size);
		if (r == 0)
			break;                  /* no complete line, socket drained */
		if (r < 0) {
			gpsd_lost(g, now_us, errno > 0 ? -errno : -ECONNRESET);
			break;
		}
		if (!g->seen_version && line[0] != '{') {
			/* something else answers on this port */
			log_debug("gpsd at %s: not a gpsd report: %.40s", g->name, line);
			gpsd_lost(g, now_us, -EPROTO);
			break;
		}
		if (line[0] == '{')
			handle_report(g, line);
		else if (g->device && g->cb.raw)
			g->cb.raw(line, strlen(line), g->userdata);
		n++;
	}
	return n;
}
