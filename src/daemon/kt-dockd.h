/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * kicktrackd internals: the vest ports and their download state machine
 * (kt-port.c, doc/dock-state-machine.md), the training grouping and
 * processing (kt-training.c) and the status file (kt-status.c), all driven
 * by the one-thread poll() loop in kicktrackd.c. Times are CLOCK_MONOTONIC
 * microseconds passed in by the loop; nothing here reads the clock.
 */
#ifndef KT_DOCKD_H
#define KT_DOCKD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kt_dock.h"
#include "store/kt-store.h"

struct kt_store;
struct kt_store_download;
struct kt_port;
struct kt_dockd;

struct kt_dockd_opts {
	char *config_path;
	bool no_config;             /* --no-config: defaults and the command line only */
	char *store_root;
	char *store_root_from;     /* where it was set: "-r/--root", "FILE:LINE", NULL default */
	char *status_path;         /* NULL: <store_root>/status.json */
	char **devices;            /* paths/globs */
	size_t n_devices;
	struct kt_usb_id *usb_ids; /* enumeration filter; none: no USB enumeration */
	size_t n_usb_ids;
	unsigned baud;
	unsigned chunk;            /* READ max_len */
	unsigned outstanding;      /* pipelined READs, 1..KT_DOCK_MAX_OUTSTANDING */
	unsigned scan_ms;
	unsigned max_ports;
	bool erase;
	bool process;
	unsigned quiet_s;          /* no new vest for this long: process the training */
	unsigned download_wait_s;  /* ... but wait up to this much longer for a vest
	                            * still being read */
	unsigned retry_s;          /* a failed port is tried again after this long */
	char *roster_path;         /* [daemon] roster: its vest ids complete a training */
	char *pitch_path;          /* [daemon] pitch: passed to processing */
};

/* Per-session state on a vest, as shown by `kicktrack status`. */
enum kt_vsess_state {
	KT_VSESS_PENDING = 0,
	KT_VSESS_DOWNLOADING,
	KT_VSESS_STORED,           /* durable in the store */
	KT_VSESS_ERASED,           /* stored, then erased on the vest */
	KT_VSESS_FAILED,
};

struct kt_vsess {
	struct kt_dock_session_info info;
	enum kt_vsess_state state;
	unsigned crc_failures;     /* whole-session CRC mismatches */
	bool erase_refused;
	bool grouped;              /* handed to the training grouping */
	bool erase_confirm;        /* ERASE said NO_SUCH_SESSION: LIST decides */
	bool listed;               /* seen in the LIST being received */
	uint64_t answers;          /* READ answers received intact for it (all tries) */
	uint64_t damaged;          /* READ answers that arrived damaged (bad checksums) */
	uint64_t bad_data;         /* READ answers intact, but their data failed its CRC-32 */
	bool bad_block;            /* FAILED as its data at bad_at fails its CRC-32 every
	                            * time: the vest's other sessions first, then it is
	                            * tried again at the vest's retry or re-plug */
	uint32_t bad_at;
	uint64_t kept_bytes;       /* of it verified and kept in the store */
	bool earlier;              /* found stored already (an earlier docking) */
};

/* What the volunteer sees per vest. */
enum kt_vest_state {
	KT_VEST_CONNECTING = 0,    /* port open, identifying */
	KT_VEST_LISTING,
	KT_VEST_DOWNLOADING,
	KT_VEST_ERASING,
	KT_VEST_DONE,              /* every session stored (and erased if configured) */
	KT_VEST_FAILED,            /* see reason; retried after retry_s */
	KT_VEST_UNPLUGGED,
	KT_VEST_WAITING,           /* no room on the store's disk for its next
	                            * download (yet): see reason; checked every second */
};
const char *kt_vest_state_to_str(enum kt_vest_state s);

/* A vest known by its id; outlives its port (unplug, re-plug). */
struct kt_vest {
	char id[KT_DOCK_VEST_ID_LEN + 1];
	char port_path[256];
	enum kt_vest_state state;
	char reason[800];          /* plain words: why FAILED or UNPLUGGED, or how
	                            * the link is while downloading (damaged answers),
	                            * or why it waits for disk space (what holds it) */
	uint16_t firmware;
	uint8_t battery_pct;
	struct kt_vsess *sess;
	size_t n_sess;
	ssize_t cur;               /* session being downloaded, -1 none */
	uint64_t done_bytes;       /* of the current session */
	uint64_t total_bytes;
	double rate_bps;           /* smoothed */
	uint64_t rate_mark_bytes;  /* total received at the last rate update */
	uint64_t rx_data_bytes;    /* session payload received (all time) */
	int64_t rate_mark_us;
	char done_summary[96];     /* last "done" line logged */
	unsigned backoffs;         /* consecutive back-offs without progress */
	bool reconnecting;         /* port closed for a back-off, reopened soon */
	bool link_damaged;         /* a back-off since the last progress was for damaged answers */
	bool data_damaged;         /* ... for intact answers with damaged data, at: */
	uint32_t damaged_sess, damaged_at, damaged_size; /* session, resume offset, its size */
	bool failed_here;          /* FAILED on port_path and retried there (not unplugged) */
	char failed_said[320];     /* the failure last logged; cleared by progress or unplug */
	unsigned progress_logged;  /* quarters of the current session logged */
	int space_wait;            /* why it waits for disk space, as last logged (0 not) */
	struct kt_port *port;      /* NULL while unplugged */
};

/* ---- the daemon context (kicktrackd.c) ---- */
struct kt_dockd {
	struct kt_dockd_opts *o;
	struct kt_store *store;
	struct kt_vest **vests;
	size_t n_vests;
	struct kt_port **ports;
	size_t n_ports;
	struct kt_training *trainings;
	size_t n_trainings;
	char **roster;             /* vest ids of the roster */
	size_t n_roster;
	char *latest_report;
	int64_t last_stored_us;
	bool stopped;              /* final status write at exit */
	int64_t wall_us;           /* CLOCK_REALTIME of this loop turn, for SET_CLOCK */
};

struct kt_vest *kt_dockd_vest(struct kt_dockd *d, const char *id, bool create);
/* A session was committed (or found stored): group it into a training. */
void kt_dockd_session_stored(struct kt_dockd *d, struct kt_vest *v, struct kt_vsess *s,
			     int64_t now_us);

/* ---- ports (kt-port.c) ---- */
enum kt_port_state {
	KT_PORT_IDENTIFY = 0,
	KT_PORT_SET_CLOCK,         /* vest clock unknown or off: set it */
	KT_PORT_LIST,
	KT_PORT_DOWNLOAD,
	KT_PORT_ERASE,
	KT_PORT_IDLE,              /* nothing to do; watching for unplug */
	KT_PORT_FAILED,            /* closed; path ignored until retry time */
	KT_PORT_CLOSED,            /* hung up */
	KT_PORT_WAIT_SPACE,        /* the vest's sessions to download do not fit on the
	                            * store's disk beside the downloads under way (or at
	                            * all): nothing asked, the space checked every second */
};
const char *kt_port_state_to_str(enum kt_port_state s);

int kt_port_new(struct kt_dockd *d, const char *path, int fd, int64_t now_us,
		struct kt_port **ret);
struct kt_port *kt_port_free(struct kt_port *p);
const char *kt_port_path(const struct kt_port *p);
int kt_port_fd(const struct kt_port *p);   /* -1 once closed */
short kt_port_events(const struct kt_port *p);
enum kt_port_state kt_port_state(const struct kt_port *p);
const char *kt_port_reason(const struct kt_port *p);
struct kt_vest *kt_port_vest(const struct kt_port *p);
/* The vest last seen on this path, while the reopened port has not
 * identified it yet (after a back-off or a failure); NULL otherwise. */
struct kt_vest *kt_port_was(const struct kt_port *p);
int64_t kt_port_retry_at(const struct kt_port *p);
/* The vest id a port's device gave when another port has that vest (it is
 * not this port's vest); "" otherwise. */
const char *kt_port_said_id(const struct kt_port *p);
/* The failure last logged on a port that knew no vest (a device that is no
 * vest): kept by the daemon per path over the port's retries, so that the
 * same failure is said once (the port is made anew at each retry). */
const char *kt_port_failed_said(const struct kt_port *p);
void kt_port_set_failed_said(struct kt_port *p, const char *said);
/* What the downloads under way hold on the store's disk (the rest of each,
 * and what is kept free beside them; 0 if none): a report run leaves it to
 * them. Their vests ("V01, V02") in names, their number in ret_n. */
uint64_t kt_port_downloads_reserved(struct kt_dockd *d, char *names, size_t size, unsigned *ret_n);
/* revents from poll (0 on a timer tick). */
void kt_port_dispatch(struct kt_port *p, short revents, int64_t now_us);
int64_t kt_port_next_deadline(const struct kt_port *p);
/* SIGTERM: sync partial downloads and close. */
void kt_port_shutdown(struct kt_port *p);

/* ---- trainings (kt-training.c) ---- */
enum kt_training_state {
	KT_TRAINING_COLLECTING = 0, /* waiting for quiet time or the whole roster */
	KT_TRAINING_PROCESSING,
	KT_TRAINING_DONE,
	KT_TRAINING_FAILED,
	KT_TRAINING_STORED,        /* processing off (--no-process): logs stored and
	                            * grouped, no reports made */
};
const char *kt_training_state_to_str(enum kt_training_state s);

struct kt_training {
	struct kt_store_manifest m;  /* name, time range, logs */
	enum kt_training_state state;
	bool dirty;                /* logs added since the last processing run */
	int64_t last_arrival_us;
	pid_t pid;                 /* processing child, 0 none */
	int exit_code;
	unsigned runs;
	size_t run_logs;           /* logs the running processing was started with */
	char *report_dir;          /* absolute */
	bool hold_logged;          /* "waiting for vest X still being read" said */
	char without[256];         /* vests whose download was unfinished when the
	                            * reports were made ("KT-0003 (37 %)") */
	char without_de[256];      /* the same for the German notes ("KT-0003 (Download 37 %)") */
	bool nospace;              /* its last run could not write the reports: the
	                            * store's disk was full; made again once there is room */
	uint64_t nospace_avail;    /* free bytes on the store's disk after that run */
	char reason[256];          /* why its reports are not made (the full disk), or "" */
	char space_wait[400];      /* why its reports wait for disk space (the downloads
	                            * under way need it), or "" */
	int64_t space_check_us;    /* ... checked again from then on */
	uint64_t run_need;         /* what the running report run is taken to write */
	uint64_t run_base;         /* the disk use of report_dir when it started */
	char found[400];           /* logs kicktrackd's start found in no training and
	                            * added to it ("VA: a live recording left unfinished
	                            * by a crash or power cut"), or "" */

};

/* The processing child's exit status when the reports could not be written
 * (whole) for lack of disk space (ENOSPC, EDQUOT, EFBIG): not one of
 * kicktrack process's own (0..3). */
#define KT_TRAINING_EXIT_NOSPACE 75

int kt_training_add(struct kt_dockd *d, const char *vest_id, uint32_t session_id,
		    uint32_t crc32, const char *raw_path, int64_t start_unix_us, int64_t now_us);
/* What the report runs under way are still taken to write (for each, its
 * reports' expected size less what its folder grew by since it started; 0
 * if none runs): a download starting beside them leaves them that room.
 * The trainings of those with something left ("2026-11-21_1400") in names,
 * how many in ret_n. */
uint64_t kt_training_reports_reserved(struct kt_dockd *d, char *names, size_t size, unsigned *ret_n);
/* Start processing where due. */
void kt_training_tick(struct kt_dockd *d, int64_t now_us);
/* The vests still being read, which hold the processing ("KT-0003
 * (downloading 37 %), KT-0004 (reconnecting)"); "" if none. */
void kt_training_busy(struct kt_dockd *d, char *buf, size_t size);
int64_t kt_training_next_deadline(struct kt_dockd *d);
/* A child exited (from SIGCHLD). */
void kt_training_reaped(struct kt_dockd *d, pid_t pid, int status);
/* Load trainings from the store's manifests at start-up (late vests join them). */
int kt_training_load(struct kt_dockd *d, int64_t now_us);
/* After kt_training_load(): the stored logs that no training lists (a
 * manifest a stop or a full disk kept from being written; the live
 * recordings a crash left, committed at start-up: their raw paths in live)
 * are grouped into trainings as kt_training_add() does for a stored
 * session, their quiet time over; said in the log and the status. */
int kt_training_adopt(struct kt_dockd *d, int64_t now_us, char *const *live, size_t n_live);
void kt_training_free_all(struct kt_dockd *d);

/* ---- status file (kt-status.c) ---- */
int kt_status_write(struct kt_dockd *d, const char *path, int64_t now_us);

#endif
