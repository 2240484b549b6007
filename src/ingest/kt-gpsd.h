/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * gpsd as a source of fixes: the only place that talks to libgps. Connects
 * to gpsd (WATCH_ENABLE|WATCH_JSON), reads TPV/SKY/DEVICE reports of every
 * device gpsd serves and hands them to callbacks, and reconnects with
 * back-off (1, 2, 4, 8, 10, 10 ... s) when gpsd goes away, logging once that
 * it is gone and once that it is back. libgps error codes become -errno here.
 *
 * A poll()-loop source: get_fd() (-1 while disconnected), dispatch(now) when
 * the fd is readable or the deadline is reached, next_deadline_us().
 * Times passed in are CLOCK_MONOTONIC microseconds; nothing reads a clock.
 */
#ifndef KT_GPSD_H
#define KT_GPSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One TPV report. Unknown doubles are NaN; t_us is INT64_MIN when gpsd gave
 * no time. */
struct kt_gpsd_tpv {
	const char *device;          /* gpsd device path; "" if gpsd did not say */
	int mode;                    /* 0 not seen, 1 no fix, 2 2D, 3 3D (gpsd MODE_*) */
	int status;                  /* gpsd STATUS_*: 0 unknown/plain, 2 DGPS, ... */
	int64_t t_us;                /* GNSS time, Unix us UTC */
	double lat_deg, lon_deg;
	double alt_msl_m;
	double speed_mps;            /* ground speed */
	double track_deg;            /* course over ground, true */
	double eph_m;                /* horizontal error estimate */
	double eps_mps;              /* speed error estimate (NaN for NMEA input) */
	double epx_m, epy_m;         /* longitude/latitude error estimates */
};

/* One SKY report (dilution of precision and satellites used). */
struct kt_gpsd_sky {
	const char *device;
	double hdop, pdop;           /* NaN unknown */
	int num_sv;                  /* satellites used, -1 unknown */
};

struct kt_gpsd_callbacks {
	void (*tpv)(const struct kt_gpsd_tpv *t, void *userdata);
	void (*sky)(const struct kt_gpsd_sky *s, void *userdata);           /* may be NULL */
	/* gpsd activated (true) or deactivated (false) a device; may be NULL */
	void (*device)(const char *path, bool active, void *userdata);
	/* connection to gpsd established (true) or lost (false); may be NULL */
	void (*connection)(bool up, void *userdata);
	/* raw mode only: one line the receiver sent, as gpsd passed it (NMEA
	 * sentences verbatim; binary receivers as hex dumps); no '\n' */
	void (*raw)(const char *line, size_t len, void *userdata);
};

struct kt_gpsd;

/* host/port are copied (NULL: "localhost", "2947"). Does not connect: the
 * first dispatch does (its deadline is "now"). */
int kt_gpsd_new(const char *host, const char *port, const struct kt_gpsd_callbacks *cb,
		void *userdata, struct kt_gpsd **ret);
/* A second kind of connection: the raw data of one device
 * (?WATCH={"enable":true,"raw":1,"device":DEVICE}), delivered to cb->raw.
 * gpsd 3.22 does not say which device raw data comes from, hence one
 * connection per device. Logs at debug level only (the JSON connection to
 * the same gpsd says when it is gone). */
int kt_gpsd_new_raw(const char *host, const char *port, const char *device,
		    const struct kt_gpsd_callbacks *cb, void *userdata, struct kt_gpsd **ret);
struct kt_gpsd *kt_gpsd_free(struct kt_gpsd *g);

int kt_gpsd_get_fd(struct kt_gpsd *g);
/* Connect when due, read everything gpsd sent so far (never blocks on the
 * socket), call the callbacks. Returns the number of reports handled, or 0;
 * gpsd going away is not an error (the source reconnects later). */
int kt_gpsd_dispatch(struct kt_gpsd *g, int64_t now_mono_us);
/* INT64_MAX when connected and nothing is due; the reconnect time otherwise. */
int64_t kt_gpsd_next_deadline_us(struct kt_gpsd *g);
bool kt_gpsd_is_connected(struct kt_gpsd *g);
/* "host:port", for messages. */
const char *kt_gpsd_name(struct kt_gpsd *g);
/* Incremented on every new connection: a caller that registers the fd with
 * epoll re-registers when it changes (a new socket may reuse the number). */
unsigned kt_gpsd_generation(struct kt_gpsd *g);

/* libgps/netlib error code (gps_open's negative return) -> -errno. */
int kt_gpsd_errno_from_libgps(int code);

#endif
