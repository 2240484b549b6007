/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Live tracking through gpsd: records every device gpsd serves into the
 * session store and keeps live numbers per player (doc/live-log-format.md).
 *
 * A live session starts with the first fix and ends after quiet_us without
 * any TPV from any device; then the session's logs are committed to the
 * store and session_done() is called (the daemon runs processing + reports).
 * Once a second the live numbers are written to status_path (JSON) and to
 * the same path with ".csv" instead of ".json" (read by `kicktrack live`).
 *
 * Driven by the daemon's poll() loop, one thread, no clock read inside:
 *	kt_live_new(&cfg, &l);
 *	loop: fd = kt_live_get_fd(l);            an epoll fd over all gpsd sockets
 *	      deadline = kt_live_next_deadline_us(l);   CLOCK_MONOTONIC us
 *	      poll(fd POLLIN, until deadline);
 *	      kt_live_dispatch(l, now_monotonic_us);    on POLLIN or deadline
 *	kt_live_free(l);                          flushes and closes the session
 */
#ifndef KT_LIVE_H
#define KT_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kt-core.h"

/* One "vest = PATTERN VEST-ID [PLAYER NAME]" line of the [gpsd] section. */
struct kt_live_map {
	char *pattern;               /* gpsd device path or fnmatch(3) glob */
	char vest_id[9];             /* 1..8 characters [A-Za-z0-9_-] */
	char *player;                /* may be NULL */
};

struct kt_live_config {
	bool enable;                 /* [gpsd] enable = yes */
	char *host;                  /* "localhost" (used when servers is empty) */
	char *port;                  /* "2947" (used when servers is empty) */
	/* Several gpsd instances, "HOST:PORT" each: Debian's gpsd serves at most
	 * 4 devices, so 30 vests need 8 gpsd. Empty: host/port. */
	char **servers;
	size_t n_servers;
	int64_t quiet_us;            /* end of a live session after this long without fixes (120 s) */
	int64_t lost_us;             /* a vest without a fix for this long is flagged lost (3 s) */
	char *store_root;            /* session store root */
	char *status_path;           /* NULL: <store_root>/live.json */
	struct kt_live_map *map;     /* device -> vest/player */
	size_t n_map;
	struct kt_params params;     /* the same as `kicktrack process` uses */
	/* also keep what each receiver sent (NMEA verbatim), one extra gpsd
	 * connection per device: sessions/<name>/gpsd-raw/<vest>.nmea */
	bool raw;
	/* called once per finished live session with the committed session dir */
	void (*session_done)(const char *session_dir, void *userdata);
	void *userdata;
};

/* Defaults (see above); kt_live_config_clear() frees the strings. */
void kt_live_config_init(struct kt_live_config *c);
void kt_live_config_clear(struct kt_live_config *c);
/* One key of the [gpsd] INI section: enable, host, port, server (HOST:PORT,
 * repeatable: one gpsd each),
 * quiet_s, lost_s, status_file, store_root, raw, vest (repeatable).
 * Returns 0, or -EINVAL after logging "path:line: ..." */
int kt_live_config_set(struct kt_live_config *c, const char *path, unsigned line,
		       const char *key, const char *value);
/* "HOST:PORT", "HOST", ":PORT" or "[v6addr]:PORT": the only gpsd (for
 * kicktrackd --gpsd; replaces the servers of the config file). -EINVAL if malformed. */
int kt_live_config_set_server(struct kt_live_config *c, const char *hostport);
/* The same, one more gpsd (the [gpsd] server key). */
int kt_live_config_add_server(struct kt_live_config *c, const char *hostport);

struct kt_live;

/* Copies what it needs from c. Does not connect yet (the first dispatch does). */
int kt_live_new(const struct kt_live_config *c, struct kt_live **ret);
/* Ends a running session (commits it, calls session_done) and frees. */
struct kt_live *kt_live_free(struct kt_live *l);
/* Always valid (an epoll fd over the gpsd connections): poll it for POLLIN. */
int kt_live_get_fd(struct kt_live *l);
/* Reads what gpsd sent (never blocks), reconnects, ends sessions, writes the
 * status file when due. Returns 0, or -ENOMEM. gpsd going away is not an
 * error (logged once, retried); neither is a recording that cannot be
 * written (logged once per vest and session; the live view goes on). */
int kt_live_dispatch(struct kt_live *l, int64_t now_mono_us);
/* When dispatch wants to be called next even without input (CLOCK_MONOTONIC us). */
int64_t kt_live_next_deadline_us(struct kt_live *l);

/* Counters for tests and the status page. */
struct kt_live_stats {
	bool connected;
	unsigned connects, disconnects;
	uint64_t tpv, epochs, duplicates, no_fix;
	unsigned sessions_done;
	unsigned devices;
};
void kt_live_get_stats(struct kt_live *l, struct kt_live_stats *ret);

#endif
