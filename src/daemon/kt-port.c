/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One open vest port and its download state machine (doc/dock-state-machine.md).
 *
 * States are enum kt_port_state, inputs are enum port_event; port_handle()
 * is the one dispatcher and port_set_state() logs one debug line per
 * transition. Requests are pipelined (up to opts->outstanding READs in
 * flight); a response is matched to the oldest outstanding request by its
 * sequence number, anything else is stale and dropped.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/kt-serial.h"
#include "kt-dockd.h"
#include "store/kt-store.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

#define MS(x) ((int64_t)(x) * 1000)
#define MAX_OUT KT_DOCK_MAX_OUTSTANDING
#define BUSY_RETRY_US MS(1000)
#define MAX_CRC_FAILURES 3
#define SYNC_PERIOD_US MS(5000)
#define ERASE_TIMEOUT_MS 10000   /* dock.md T_erase */
#define RELIST_US MS(30000)      /* DONE: LIST again this often while plugged */
#define MIN_CHUNK 64             /* a noisy link shrinks READs down to this */
#define DAMAGED_RUN_MAX 32       /* damaged answers in a row at MIN_CHUNK: back off
                                  * (frames damaged on the way or damaged data) */
#define MAX_BACKOFFS 5           /* dock.md 5: then report the vest failed */
/* Disk space: a download starts only when the rest of it fits on the store's
 * disk beside the rest of the downloads under way and this much kept free
 * (the status file, manifests; per download its resume point and the last
 * block), so that several vests filling a nearly full disk together do not
 * all stop short of the end: what fits is finished, the others wait. */
#define SPACE_KEEP (64 * 1024)
#define SPACE_KEEP_PER_DOWNLOAD (16 * 1024)
#define SPACE_RECHECK_US MS(1000)

enum port_event {
	EV_OPENED,        /* port open: start talking */
	EV_FRAME,         /* a frame that answers the oldest outstanding request */
	EV_TIMEOUT,       /* no byte for the response timeout */
	EV_HANGUP,        /* far end gone (unplug) */
	EV_IO_ERROR,      /* read/write error other than hangup */
	EV_WAKE,          /* a wait (vest busy, store error) ended */
	EV_DAMAGED,       /* answers arrived damaged (frame CRC-32 mismatch) */
};

static const char *
port_event_to_str(enum port_event e)
{
	switch (e) {
	case EV_OPENED: return "opened";
	case EV_FRAME: return "frame";
	case EV_TIMEOUT: return "timeout";
	case EV_HANGUP: return "hangup";
	case EV_IO_ERROR: return "io-error";
	case EV_WAKE: return "wake";
	case EV_DAMAGED: return "damaged";
	}
	return "?";
}

const char *
kt_port_state_to_str(enum kt_port_state s)
{
	switch (s) {
	case KT_PORT_IDENTIFY: return "identify";
	case KT_PORT_SET_CLOCK: return "set-clock";
	case KT_PORT_LIST: return "list";
	case KT_PORT_DOWNLOAD: return "download";
	case KT_PORT_ERASE: return "erase";
	case KT_PORT_IDLE: return "idle";
	case KT_PORT_FAILED: return "failed";
	case KT_PORT_CLOSED: return "closed";
	case KT_PORT_WAIT_SPACE: return "wait-space";
	}
	return "?";
}

const char *
kt_vest_state_to_str(enum kt_vest_state s)
{
	switch (s) {
	case KT_VEST_CONNECTING: return "connecting";
	case KT_VEST_LISTING: return "listing";
	case KT_VEST_DOWNLOADING: return "downloading";
	case KT_VEST_ERASING: return "erasing";
	case KT_VEST_DONE: return "done";
	case KT_VEST_FAILED: return "failed";
	case KT_VEST_UNPLUGGED: return "unplugged";
	case KT_VEST_WAITING: return "waiting";
	}
	return "?";
}

struct outreq {
	uint8_t seq;
	uint8_t type;
	uint32_t offset;
	uint16_t len;
};

struct kt_port {
	struct kt_dockd *d;
	char *path;
	int fd;
	enum kt_port_state state;
	char reason[320];
	char failed_said[320];        /* the failure last logged while no vest was known here */
	struct kt_vest *vest;
	struct kt_vest *was;          /* the vest that backed off on this path, until
	                               * the reopened port identifies it again */
	char said_id[KT_DOCK_VEST_ID_LEN + 1]; /* the id a vest gave that is not this
	                               * port's vest (it is on another port) */
	struct kt_dock_decoder dec;
	struct kt_dock_frame frame;   /* for EV_FRAME */
	struct outreq rq;             /* the request it answers */

	uint8_t tx[KT_DOCK_OVERHEAD + 64];
	uint8_t seq;
	struct outreq out[MAX_OUT];
	unsigned n_out;
	int64_t last_rx_us;           /* last byte received */
	int64_t deadline_us;          /* response timeout, 0 none */
	int64_t wake_us;              /* EV_WAKE at, 0 none */
	int64_t last_sync_us;
	int64_t retry_at_us;          /* FAILED: when the path may be opened again */
	unsigned retries;
	unsigned chunk;               /* READ size now: shrinks on damaged answers */
	uint64_t crc_seen;            /* decoder CRC rejections already handled */
	uint64_t n_damaged;           /* for EV_DAMAGED */
	unsigned damaged_run;         /* damaged answers since the last good one */
	unsigned mismatch_run;        /* intact READ answers in a row not for what was asked */
	unsigned data_run;            /* of those, intact answers with damaged data */
	unsigned min_run;             /* of those, at MIN_CHUNK in a row (download) */

	struct {                      /* verified chunks ahead of a hole */
		uint32_t offset, crc;
		uint16_t len;         /* 0: slot free */
		uint8_t data[KT_DOCK_MAX_CHUNK];
	} ooo[MAX_OUT];
	uint16_t list_next;
	struct kt_store_download *dl;
	uint64_t space_need;          /* WAIT_SPACE: the least any of its waiting
	                               * sessions needs (the smallest goes first) */
	int64_t now_us;
};

static void port_handle(struct kt_port *p, enum port_event ev);

static const char *
vname(const struct kt_port *p)
{
	return p->vest ? p->vest->id : p->path;
}

static void
vest_set(struct kt_port *p, enum kt_vest_state s)
{
	if (p->vest)
		p->vest->state = s;
}

/* What is kept of an unfinished download, for the messages that say why it
 * stopped: "; the first 850 kB of 2.1 MB are kept, the download resumes there" */
static void
kept_note(char *buf, size_t size, uint32_t sess_id, uint64_t kept, uint64_t total)
{
	char a[32], b[32];

	snprintf(buf, size, "; session %" PRIu32 " incomplete: %s of %s kept, the download "
		 "resumes there", sess_id, kt_fmt_bytes(a, sizeof(a), (double)kept, KT_BYTES_ROUND),
		 kt_fmt_bytes(b, sizeof(b), (double)total, KT_BYTES_ROUND));
}

static void
partial_note(const struct kt_vest *v, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!v || v->cur < 0 || v->done_bytes == 0 || v->done_bytes >= v->total_bytes ||
	    (v->sess[v->cur].state != KT_VSESS_PENDING && v->sess[v->cur].state != KT_VSESS_DOWNLOADING))
		return;
	kept_note(buf, size, v->sess[v->cur].info.id, v->done_bytes, v->total_bytes);
}

static void
port_set_state(struct kt_port *p, enum kt_port_state s, enum port_event ev)
{
	if (p->state != s)
		log_debug("vest %s (%s): %s -> %s on %s", vname(p), p->path,
			  kt_port_state_to_str(p->state), kt_port_state_to_str(s),
			  port_event_to_str(ev));
	p->state = s;
	if (s != KT_PORT_WAIT_SPACE)
		p->space_need = 0;
	switch (s) {
	case KT_PORT_IDENTIFY: vest_set(p, KT_VEST_CONNECTING); break;
	case KT_PORT_SET_CLOCK:
	case KT_PORT_LIST: vest_set(p, KT_VEST_LISTING); break;
	case KT_PORT_DOWNLOAD: vest_set(p, KT_VEST_DOWNLOADING); break;
	case KT_PORT_ERASE: vest_set(p, KT_VEST_ERASING); break;
	case KT_PORT_IDLE: vest_set(p, KT_VEST_DONE); break;
	case KT_PORT_FAILED: vest_set(p, KT_VEST_FAILED); break;
	case KT_PORT_CLOSED: vest_set(p, KT_VEST_UNPLUGGED); break;
	case KT_PORT_WAIT_SPACE: vest_set(p, KT_VEST_WAITING); break;
	}
}

static void
close_download(struct kt_port *p)
{
	if (p->dl) {
		int r = kt_store_download_sync(p->dl);
		if (r < 0)
			log_warning_errno(r, "vest %s: cannot save the resume point of the download: %m",
					  vname(p));
		p->dl = kt_store_download_free(p->dl);
	}
	if (p->vest && p->vest->cur >= 0 &&
	    p->vest->sess[p->vest->cur].state == KT_VSESS_DOWNLOADING)
		p->vest->sess[p->vest->cur].state = KT_VSESS_PENDING;
}

static void
port_close_fd(struct kt_port *p)
{
	close_download(p);
	p->fd = kt_serial_close(p->fd);
	p->n_out = 0;
	p->mismatch_run = 0;
	p->deadline_us = 0;
	p->wake_us = 0;
	kt_dock_decoder_reset(&p->dec);
}

/* Give up on this port for now: close it; the loop re-opens it after retry_s. */
static void
port_fail(struct kt_port *p, enum port_event ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
port_fail(struct kt_port *p, enum port_event ev, const char *fmt, ...)
{
	struct kt_vest *v = p->vest ? p->vest : p->was;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	/* retried every retry_s: the same cause is said once, also when the
	 * vest identified itself again before it failed the same way (or,
	 * for a device that never says which vest it is, on this port) */
	char *said = v ? v->failed_said : p->failed_said;
	const char *name = v ? v->id : p->said_id[0] ? p->said_id : p->path;
	if (!strcmp(said, p->reason))
		log_debug("vest %s (%s): still: %s", name, p->path, p->reason);
	else
		log_error("vest %s (%s): %s", name, p->path, p->reason);
	snprintf(said, sizeof(p->failed_said), "%s", p->reason);
	port_close_fd(p);
	p->retry_at_us = p->now_us + MS(1000) * (int64_t)p->d->o->retry_s;
	port_set_state(p, KT_PORT_FAILED, ev);
	if (v) {
		/* also a vest that did not come back after a back-off */
		snprintf(v->reason, sizeof(v->reason), "%s", p->reason);
		v->state = KT_VEST_FAILED;
		v->reconnecting = false;
		v->failed_here = true;
	}
}

static void
bad_block_fail(struct kt_port *p, enum port_event ev, uint32_t sess_id, uint32_t at, uint32_t size,
	       const char *kept, const char *others)
{
	port_fail(p, ev, "session %" PRIu32 ": the data at byte %" PRIu32 " of %" PRIu32
		  " arrives damaged every time (intact answers, but the data fails its "
		  "CRC-32: the vest's storage may be bad there); %u reconnects without "
		  "progress%s%s; retrying every %u s", sess_id, at, size, MAX_BACKOFFS, kept, others,
		  p->d->o->retry_s);
}

/* Is a session after the current one still to be downloaded? */
static bool
another_pending(const struct kt_vest *v)
{
	for (size_t i = 0; i < v->n_sess; i++)
		if ((ssize_t)i != v->cur && v->sess[i].state == KT_VSESS_PENDING)
			return true;
	return false;
}

static void next_session(struct kt_port *p, enum port_event ev);
static void ooo_clear(struct kt_port *p);

/* Progress, or a fresh start on another session: the runs of damaged or
 * unfitting answers and the back-offs they caused start over. */
static void
runs_reset(struct kt_port *p)
{
	p->damaged_run = p->data_run = p->min_run = p->mismatch_run = 0;
	p->vest->backoffs = 0;
	p->vest->data_damaged = p->vest->link_damaged = false;
}

/* A bad spot in the vest's storage must not hold up its other sessions
 * (today's training may be among them): the verified part of this one is
 * kept, the others are downloaded, and then the vest fails with this
 * session named (next_session()), tried again at the retry. */
static void
skip_bad_block(struct kt_port *p, enum port_event ev)
{
	struct kt_vest *v = p->vest;
	struct kt_vsess *s = &v->sess[v->cur];
	char a[32];

	s->bad_block = true;
	s->bad_at = v->damaged_at;
	s->kept_bytes = kt_store_download_offset(p->dl);
	log_warning("vest %s: session %" PRIu32 ": the data at byte %" PRIu32 " arrives damaged every "
		    "time, after %u reconnects; %s of it kept; downloading the vest's other sessions "
		    "first", v->id, s->info.id, s->bad_at, MAX_BACKOFFS,
		    kt_fmt_bytes(a, sizeof(a), (double)s->kept_bytes, KT_BYTES_ROUND));
	close_download(p);
	s->state = KT_VSESS_FAILED;
	ooo_clear(p);
	p->n_out = 0;
	p->deadline_us = 0;
	runs_reset(p);
	p->chunk = p->d->o->chunk;
	next_session(p, ev);
}

/* The link went quiet, or every answer arrives damaged (dock.md 5), or the
 * vest's data at the resume point does every time: close, wait a second,
 * reopen and start again with IDENTIFY (the verified part of the download
 * stays in the store). After MAX_BACKOFFS in a row without a verified byte
 * the vest is reported failed, with the partial copy named, and retried
 * every retry_s. */
static void
port_backoff(struct kt_port *p, enum port_event ev, const char *what, uint64_t damaged)
{
	struct kt_vest *v = p->vest ? p->vest : p->was;
	char note[160];

	if (v && damaged)
		v->link_damaged = true;
	if (v && p->data_run && p->dl) {
		/* intact answers, damaged data: the vest, not the cable */
		v->data_damaged = true;
		v->damaged_sess = v->sess[v->cur].info.id;
		v->damaged_at = kt_store_download_offset(p->dl);
		v->damaged_size = v->sess[v->cur].info.size;
	}
	if (!v || ++v->backoffs > MAX_BACKOFFS) {
		if (v && v->data_damaged && p->dl && v->cur >= 0 && another_pending(v)) {
			skip_bad_block(p, ev);
			return;
		}
		partial_note(v, note, sizeof(note));
		if (v && v->data_damaged)
			bad_block_fail(p, ev, v->damaged_sess, v->damaged_at, v->damaged_size, note, "");
		else if (v && v->link_damaged)
			port_fail(p, ev, "link too noisy: answers keep arriving damaged (bad checksums), "
				  "nothing new verified after %u reconnects: try another cable or USB "
				  "port%s; retrying every %u s", MAX_BACKOFFS, note, p->d->o->retry_s);
		else
			port_fail(p, ev, "vest stopped answering during %s (%u tries, %u reconnects)%s; "
				  "retrying every %u s while it stays plugged in", what,
				  KT_DOCK_RETRIES + 1, MAX_BACKOFFS, note, p->d->o->retry_s);
		return;
	}
	if (p->data_run && p->dl) {
		log_info("vest %s (%s): session %" PRIu32 ": the data at byte %" PRIu32 " arrives "
			 "damaged every time (%u intact answers in a row, their data fails its CRC-32), "
			 "reopening the port", v->id, p->path, v->damaged_sess, v->damaged_at,
			 p->data_run);
		snprintf(v->reason, sizeof(v->reason), "session %" PRIu32 ": the data at byte %" PRIu32
			 " arrives damaged (it fails its CRC-32), reconnecting (%u of %u)",
			 v->damaged_sess, v->damaged_at, v->backoffs, MAX_BACKOFFS);
	} else if (damaged) {
		log_info("vest %s (%s): answers arrive damaged during %s (bad checksums, %" PRIu64
			 " in a row): noisy link, reopening the port", v->id, p->path, what, damaged);
		snprintf(v->reason, sizeof(v->reason), "answers arrive damaged (bad checksums: noisy "
			 "cable or port), reconnecting (%u of %u)", v->backoffs, MAX_BACKOFFS);
	} else {
		log_info("vest %s (%s): no answer during %s, reopening the port", v->id, p->path, what);
		snprintf(v->reason, sizeof(v->reason), "no answer during %s, reconnecting (%u of %u)",
			 what, v->backoffs, MAX_BACKOFFS);
	}
	port_close_fd(p);
	p->retry_at_us = p->now_us + MS(1000);
	port_set_state(p, KT_PORT_FAILED, ev);
	v->state = KT_VEST_CONNECTING;
	v->reconnecting = true;
}

/* ---- sending ---- */

static int
send_req(struct kt_port *p, uint8_t type, const uint8_t *body, size_t len, uint32_t offset,
	 uint16_t rlen)
{
	int n;
	ssize_t w;

	if (p->n_out >= MAX_OUT)
		return -ENOBUFS;
	p->seq++;
	n = kt_dock_frame_encode(type, p->seq, body, len, p->tx, sizeof(p->tx));
	if (n < 0)
		return n;
	/* requests are tiny: the tty buffer takes them whole; a short write
	 * is treated like a lost request (timeout, retry) */
	w = kt_serial_write(p->fd, p->tx, (size_t)n);
	if (w < 0)
		return (int)w;
	p->out[p->n_out++] = (struct outreq){
		.seq = p->seq, .type = type, .offset = offset, .len = rlen,
	};
	if (!p->deadline_us)
		p->deadline_us = p->now_us + (type == KT_DOCK_ERASE ? MS(ERASE_TIMEOUT_MS) :
								      MS(KT_DOCK_T_RESPONSE_MS));
	return 0;
}

static void
send_or_fail(struct kt_port *p, int r)
{
	if (r == -EPIPE)
		port_handle(p, EV_HANGUP);
	else if (r < 0)
		port_handle(p, EV_IO_ERROR);
}

static void
send_identify(struct kt_port *p)
{
	send_or_fail(p, send_req(p, KT_DOCK_IDENTIFY, NULL, 0, 0, 0));
}

static void
send_list(struct kt_port *p)
{
	uint8_t b[KT_DOCK_LIST_REQ_LEN];
	struct kt_dock_list_req m = { .first = p->list_next };
	int n = kt_dock_list_req_encode(&m, b, sizeof(b));

	send_or_fail(p, n < 0 ? n : send_req(p, KT_DOCK_LIST, b, (size_t)n, 0, 0));
}

static void
send_set_clock(struct kt_port *p)
{
	uint8_t b[KT_DOCK_SET_CLOCK_LEN];
	struct kt_dock_set_clock m = { .unix_us = p->d->wall_us };
	int n = kt_dock_set_clock_encode(&m, b, sizeof(b));

	send_or_fail(p, n < 0 ? n : send_req(p, KT_DOCK_SET_CLOCK, b, (size_t)n, 0, 0));
}

/* Is [x, ...) already covered by a buffered chunk or an outstanding READ?
 * Returns the covered length, 0 if not. */
static uint32_t
covered(const struct kt_port *p, uint32_t x)
{
	for (unsigned i = 0; i < MAX_OUT; i++)
		if (p->ooo[i].len && p->ooo[i].offset == x)
			return p->ooo[i].len;
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].type == KT_DOCK_READ && p->out[i].offset == x)
			return p->out[i].len;
	return 0;
}

/* Smallest start of a buffered chunk or outstanding READ above x. */
static uint32_t
next_covered(const struct kt_port *p, uint32_t x, uint32_t limit)
{
	for (unsigned i = 0; i < MAX_OUT; i++)
		if (p->ooo[i].len && p->ooo[i].offset > x && p->ooo[i].offset < limit)
			limit = p->ooo[i].offset;
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].type == KT_DOCK_READ && p->out[i].offset > x && p->out[i].offset < limit)
			limit = p->out[i].offset;
	return limit;
}

/* Keep the READ pipeline full: request every byte of the window after what
 * the store holds that is neither buffered nor asked for already (lost or
 * rejected answers leave such holes). */
static void
fill_reads(struct kt_port *p)
{
	struct kt_vest *v = p->vest;
	const struct kt_vsess *s = &v->sess[v->cur];
	uint32_t x = kt_store_download_offset(p->dl);
	uint64_t wend = (uint64_t)x + (uint64_t)(p->d->o->outstanding + MAX_OUT) * p->chunk;
	uint32_t end = wend < s->info.size ? (uint32_t)wend : s->info.size;

	while (x < end && p->n_out < p->d->o->outstanding && p->fd >= 0 &&
	       p->state == KT_PORT_DOWNLOAD) {
		uint32_t c = covered(p, x), lim;
		if (c) {
			x += c;
			continue;
		}
		lim = next_covered(p, x, end);
		uint16_t len = (uint16_t)(lim - x < p->chunk ? lim - x : p->chunk);
		struct kt_dock_read_req m = {
			.session_id = s->info.id, .offset = x, .max_len = len,
		};
		uint8_t b[KT_DOCK_READ_REQ_LEN];
		int r = kt_dock_read_req_encode(&m, b, sizeof(b));

		if (r >= 0)
			r = send_req(p, KT_DOCK_READ, b, (size_t)r, x, len);
		if (r < 0) {
			send_or_fail(p, r);
			return;
		}
		x += len;
	}
}

/* Forget outstanding requests (their late answers are still used if they
 * fit) and ask again for what is missing. */
static void
restart_reads(struct kt_port *p)
{
	p->n_out = 0;
	p->deadline_us = 0;
	fill_reads(p);
}

static void
ooo_clear(struct kt_port *p)
{
	for (unsigned i = 0; i < MAX_OUT; i++)
		p->ooo[i].len = 0;
}

/* How the link does for the session being downloaded, in plain words for
 * the status (shown under the progress bar); empty while nothing is damaged. */
static void
link_note(struct kt_port *p)
{
	struct kt_vest *v = p->vest;
	const struct kt_vsess *s;
	uint64_t all;

	if (!v || v->cur < 0)
		return;
	s = &v->sess[v->cur];
	all = s->answers + s->damaged;
	if (p->data_run && p->dl)
		snprintf(v->reason, sizeof(v->reason), "session %" PRIu32 ": the data at byte %" PRIu32
			 " arrives damaged (intact answers, but the data fails its CRC-32: the vest "
			 "read it wrong); asking again", s->info.id, kt_store_download_offset(p->dl));
	else if (!s->damaged)
		v->reason[0] = '\0';
	else if (p->chunk <= MIN_CHUNK || s->damaged * 4 >= all * 3)
		snprintf(v->reason, sizeof(v->reason), "link very noisy: %" PRIu64 " of %" PRIu64
			 " answers arrived damaged (bad checksums) and were asked again; downloading "
			 "slowly: try another cable or USB port", s->damaged, all);
	else
		snprintf(v->reason, sizeof(v->reason), "noisy link: %" PRIu64 " of %" PRIu64
			 " answers arrived damaged (bad checksums) and were asked again", s->damaged, all);
}

/* A READ answer arrived damaged: a long frame is hit by a bit error more
 * often than a short one, so ask for less at a time (and for more again
 * with every intact answer, see on_read()). Damaged data in an intact
 * answer (data_at >= 0) shrinks the READs too: the bytes before a bad spot
 * of the vest's storage still get through, up to MIN_CHUNK before it. */
static void
chunk_damaged(struct kt_port *p, int64_t data_at)
{
	struct kt_vsess *s = &p->vest->sess[p->vest->cur];

	if (data_at >= 0) {
		if (!s->bad_data)
			log_info("vest %s: session %" PRIu32 ": the data at byte %" PRId64 " arrives "
				 "damaged (an intact answer, but its data fails its CRC-32: the vest "
				 "read it wrong); asking again in smaller pieces", p->vest->id,
				 s->info.id, data_at);
		s->bad_data++;
	} else {
		if (!s->damaged)
			log_info("vest %s: answers arrive damaged (bad checksums): noisy cable or port; "
				 "asking again in smaller pieces (another cable or USB port would be "
				 "faster)", p->vest->id);
		s->damaged++;
	}
	/* only a run at the smallest size says it is hopeless */
	if (p->chunk <= MIN_CHUNK)
		p->min_run++;
	p->chunk = p->chunk * 3 / 4 > MIN_CHUNK ? p->chunk * 3 / 4 : MIN_CHUNK;
}

/*
 * n READ answers arrived damaged while downloading: frames rejected by
 * their CRC-32 on the way (data_at < 0), or an intact frame whose data
 * fails its chunk CRC-32 (the vest read it wrong; data_at is what it
 * answered). Both paths end here, so both have the same limit: after
 * DAMAGED_RUN_MAX in a row at MIN_CHUNK without a verified byte the port
 * backs off (dock.md 5) instead of asking again for ever, as it would for
 * a bad block in the vest's storage. Returns true when it backed off (the
 * port is closed).
 */
static bool
reads_damaged(struct kt_port *p, enum port_event ev, unsigned n, int64_t data_at)
{
	p->damaged_run += n;
	if (data_at >= 0)
		p->data_run += n;
	for (unsigned i = 0; i < n; i++)
		chunk_damaged(p, data_at);
	link_note(p);
	if (p->min_run < DAMAGED_RUN_MAX)
		return false;
	port_backoff(p, ev, kt_port_state_to_str(p->state), p->damaged_run);
	return true;
}

/*
 * p->n_damaged frames were rejected by their CRC-32. The vest answers in
 * request order, so each was the answer to the oldest open READ: drop those
 * and ask again at once instead of after the response timeout (dock.md 5;
 * a late intact answer would still be used, it is matched by offset).
 */
static void
on_damaged(struct kt_port *p)
{
	unsigned k = p->n_damaged < p->n_out ? (unsigned)p->n_damaged : p->n_out;

	memmove(&p->out[0], &p->out[k], (p->n_out - k) * sizeof(p->out[0]));
	p->n_out -= k;
	if (reads_damaged(p, EV_DAMAGED, (unsigned)p->n_damaged, -1))
		return;
	p->deadline_us = p->n_out ? p->now_us + MS(KT_DOCK_T_RESPONSE_MS) : 0;
	fill_reads(p);
}

/* ---- disk space ---- */

enum space {
	SPACE_FITS = 0,
	SPACE_SMALLER_FIRST,       /* fits, but a smaller waiting download goes first */
	SPACE_BESIDE,              /* does not fit beside the downloads under way */
	SPACE_ALONE,               /* does not fit, and no other download is under way */
};

/* The rest of the download under way on port q (0 if none). */
static uint64_t
download_rest(const struct kt_port *q)
{
	const struct kt_vest *v = q->vest;

	if (!q->dl || q->state != KT_PORT_DOWNLOAD || !v || v->cur < 0)
		return 0;
	return v->sess[v->cur].info.size - kt_store_download_offset(q->dl);
}

/* Does the vest list that session (its list is known: it is past LIST)? */
static bool
vest_lists(const struct kt_vest *v, uint32_t sess_id, uint32_t crc32)
{
	for (size_t i = 0; i < v->n_sess; i++)
		if (v->sess[i].info.id == sess_id && v->sess[i].info.crc32 == crc32)
			return true;
	return false;
}

#define PARTIALS_SHOWN 4

/*
 * What holds the disk of a vest that waits for room even alone: the
 * unfinished downloads in partial/ (other than its session sess_id, whose
 * part it resumes), which are never deleted. "; 1.1 MB there is held by 2
 * unfinished downloads (kept until they are finished): V05 session 100
 * (590 kB of 708 kB), ...; plug V05, V06 in to finish them", or "" if there
 * are none. Returns how many there are.
 */
static size_t
partials_note(struct kt_port *p, uint32_t sess_id, char *buf, size_t size)
{
	struct kt_store_partial *l = NULL;
	size_t n = 0, count = 0, len;
	uint64_t total = 0;
	char list[400] = "", away[160] = "", a[32], b[32];
	bool gone = false;

	buf[0] = '\0';
	if (kt_store_list_partials(p->d->store, &l, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct kt_store_partial *e = &l[i];
		const struct kt_vest *v = kt_dockd_vest(p->d, e->vest_id, false);
		bool listed = v && v->port && v->state != KT_VEST_CONNECTING &&
			      v->state != KT_VEST_LISTING && v->state != KT_VEST_FAILED;
		char what[96];

		if (v == p->vest && e->session_id == sess_id)
			continue; /* its own: what it needs is the rest of it */
		count++;
		total += e->bytes;
		kt_fmt_bytes(a, sizeof(a), (double)e->bytes, KT_BYTES_ROUND);
		kt_fmt_bytes(b, sizeof(b), (double)e->size, KT_BYTES_ROUND);
		if (!e->size)
			snprintf(what, sizeof(what), "%s, no resume point: downloaded again", a);
		else
			snprintf(what, sizeof(what), "%s of %s", a, b);
		if (!v || !v->port) {
			/* its vest is not plugged in: that finishes it */
			len = strlen(away);
			if (!strstr(away, e->vest_id) && len + 2 < sizeof(away))
				snprintf(away + len, sizeof(away) - len, "%s%s", len ? ", " : "",
					 e->vest_id);
		} else if (listed && !vest_lists(v, e->session_id, e->crc32)) {
			len = strlen(what);
			snprintf(what + len, sizeof(what) - len, ", no longer on the vest");
			gone = true;
		} else {
			len = strlen(what);
			snprintf(what + len, sizeof(what) - len, ", plugged in");
		}
		len = strlen(list);
		if (count <= PARTIALS_SHOWN && len + 2 < sizeof(list))
			snprintf(list + len, sizeof(list) - len, "%s%s session %" PRIu32 " (%s)",
				 len ? ", " : "", e->vest_id, e->session_id, what);
	}
	free(l);
	if (!count)
		return 0;
	if (count > PARTIALS_SHOWN) {
		len = strlen(list);
		snprintf(list + len, sizeof(list) - len, " and %zu more", count - PARTIALS_SHOWN);
	}
	kt_fmt_bytes(a, sizeof(a), (double)total, KT_BYTES_ROUND);
	len = (size_t)snprintf(buf, size, "; %s there is held by %zu unfinished download%s (kept "
			       "until %s finished): %s", a, count, count == 1 ? "" : "s",
			       count == 1 ? "it is" : "they are", list);
	if (*away && len < size)
		len += (size_t)snprintf(buf + len, size - len, "; plug %s in to finish %s", away,
					count == 1 ? "it" : "them");
	if (gone && len < size)
		snprintf(buf + len, size - len, "; a download no longer on its vest cannot be "
			 "finished: only deleting it from %s/partial/ frees its space",
			 kt_store_root(p->d->store));
	return count;
}

/*
 * Is there room on the store's disk for need more bytes of a session of p's
 * vest? The downloads under way on other ports have the rest of theirs
 * reserved: the free space minus those and what is kept free is the room;
 * reclaim is what starting it frees (the part of its partial beyond the
 * resume point, cut off when it is opened). Of the downloads waiting that
 * fit, the smallest goes first (ties: the port found first). Not
 * SPACE_FITS: why (a status line) in why.
 */
static enum space
space_check(struct kt_port *p, uint32_t sess_id, uint64_t need, uint64_t reclaim, char *why,
	    size_t size)
{
	struct kt_dockd *d = p->d;
	const char *root = kt_store_root(d->store);
	uint64_t avail, others = 0, keep, room;
	unsigned n_active = 0, n_reports = 0;
	char names[160] = "", reports[160], beside[400], a[32], b[32];
	size_t p_at = 0;

	if (need == 0 || kt_store_free_bytes(d->store, &avail) < 0)
		return SPACE_FITS; /* not known: try; a write error would say it */
	avail += reclaim;
	for (size_t i = 0; i < d->n_ports; i++) {
		const struct kt_port *q = d->ports[i];
		size_t l = strlen(names);

		if (q == p)
			p_at = i;
		if (q == p || !q->dl || q->state != KT_PORT_DOWNLOAD)
			continue;
		others += download_rest(q);
		n_active++;
		if (l + 2 < sizeof(names))
			snprintf(names + l, sizeof(names) - l, "%s%s", l ? ", " : "", q->vest->id);
	}
	/* a report run under way counts on the room its reports take, as a
	 * report run leaves the downloads under way theirs (report_fits()) */
	others += kt_training_reports_reserved(d, reports, sizeof(reports), &n_reports);
	keep = SPACE_KEEP + SPACE_KEEP_PER_DOWNLOAD * (n_active + 1);
	room = avail > others + keep ? avail - others - keep : 0;
	kt_fmt_bytes(a, sizeof(a), (double)need, KT_BYTES_ROUND);
	kt_fmt_bytes(b, sizeof(b), (double)room, KT_BYTES_ROUND);
	if (need > room && (n_active > 0 || n_reports > 0)) {
		if (n_active > 0)
			snprintf(beside, sizeof(beside), "the download%s under way (%s)",
				 n_active == 1 ? "" : "s", names);
		else
			beside[0] = '\0';
		if (n_reports > 0) {
			size_t l = strlen(beside);
			snprintf(beside + l, sizeof(beside) - l, "%sthe reports being made (training%s %s)",
				 l ? " and " : "", n_reports == 1 ? "" : "s", reports);
		}
		snprintf(why, size, "waiting for disk space: session %" PRIu32 " needs %s more, but "
			 "beside %s there is room for %s only; once there is room it goes on by itself "
			 "(df -h %s)", sess_id, a, beside, b, root);
		return SPACE_BESIDE;
	}
	if (need > room) {
		/* partial downloads are never deleted: say it when they hold
		 * the space, and what finishes them */
		char note[sizeof(p->vest->reason)];
		bool held = partials_note(p, sess_id, note, sizeof(note)) > 0;

		snprintf(why, size, "waiting for disk space: the store's disk is too full for session %"
			 PRIu32 " even alone: it needs %s more, there is room for %s%s; free space there "
			 "(df -h %s)%s, the download then goes on by itself", sess_id, a, b, note, root,
			 held ? " for this one" : "");
		return SPACE_ALONE;
	}
	/* a smaller download waiting fits as well (it needs less): it first */
	for (size_t i = 0; i < d->n_ports; i++) {
		const struct kt_port *q = d->ports[i];

		if (q == p || q->state != KT_PORT_WAIT_SPACE || !q->space_need || !q->vest)
			continue;
		if (q->space_need < need || (q->space_need == need && i < p_at)) {
			snprintf(why, size, "waiting for disk space: session %" PRIu32 " needs %s more; "
				 "the smaller download of %s goes first", sess_id, a, q->vest->id);
			return SPACE_SMALLER_FIRST;
		}
	}
	return SPACE_FITS;
}

/* What the downloads under way hold on the store's disk, as space_check()
 * counts it for a new one: the rest of each, and what is kept free beside
 * them; 0 if none is under way. Their vests in names, how many in ret_n. */
uint64_t
kt_port_downloads_reserved(struct kt_dockd *d, char *names, size_t size, unsigned *ret_n)
{
	uint64_t rest = 0;
	unsigned n = 0;

	if (size)
		names[0] = '\0';
	for (size_t i = 0; i < d->n_ports; i++) {
		const struct kt_port *q = d->ports[i];
		size_t l = size ? strlen(names) : 0;

		if (!q->dl || q->state != KT_PORT_DOWNLOAD || !q->vest)
			continue;
		rest += download_rest(q);
		n++;
		if (l + 2 < size)
			snprintf(names + l, size - l, "%s%s", l ? ", " : "", q->vest->id);
	}
	*ret_n = n;
	return n ? rest + SPACE_KEEP + SPACE_KEEP_PER_DOWNLOAD * n : 0;
}

/* No room for any of the vest's sessions still to download (the first of
 * them is sess, needing need more; least the least of them): wait, checking
 * again every second. Said once per cause in the log. */
static void
wait_for_space(struct kt_port *p, enum port_event ev, size_t sess, uint64_t need, uint64_t least,
	       enum space why, const char *text)
{
	struct kt_vest *v = p->vest;
	const struct kt_vsess *s = &v->sess[sess];

	v->cur = (ssize_t)sess;
	v->total_bytes = s->info.size;
	v->done_bytes = s->info.size - need;
	snprintf(v->reason, sizeof(v->reason), "%s", text);
	if (v->space_wait != (int)why) {
		static const char pre[] = "waiting for disk space: ";
		if (why == SPACE_ALONE)
			log_warning("vest %s: %s", v->id,
				    strncmp(text, pre, strlen(pre)) ? text : text + strlen(pre));
		else if (why == SPACE_BESIDE)
			log_info("vest %s: %s", v->id, text);
		else
			log_debug("vest %s: %s", v->id, text);
		v->space_wait = (int)why;
	}
	p->n_out = 0;
	p->deadline_us = 0;
	p->wake_us = p->now_us + SPACE_RECHECK_US;
	port_set_state(p, KT_PORT_WAIT_SPACE, ev);
	p->space_need = least;
}

/* ---- session selection ---- */

static void
start_erase(struct kt_port *p, enum port_event ev)
{
	struct kt_vest *v = p->vest;
	struct kt_vsess *s = &v->sess[v->cur];
	struct kt_dock_erase_req m = { .session_id = s->info.id, .crc32 = s->info.crc32 };
	uint8_t b[KT_DOCK_ERASE_REQ_LEN];
	int r;

	/* Never erase what is not durable in the store: ask the store again. */
	r = kt_store_is_stored(p->d->store, v->id, s->info.id, s->info.crc32);
	if (r != 1) {
		log_error("vest %s: session %" PRIu32 " is not in the store, not erasing it",
			  v->id, s->info.id);
		s->erase_refused = true;
		next_session(p, ev);
		return;
	}
	port_set_state(p, KT_PORT_ERASE, ev);
	r = kt_dock_erase_req_encode(&m, b, sizeof(b));
	send_or_fail(p, r < 0 ? r : send_req(p, KT_DOCK_ERASE, b, (size_t)r, 0, 0));
}

static void
stored(struct kt_port *p, enum port_event ev)
{
	struct kt_vest *v = p->vest;
	struct kt_vsess *s = &v->sess[v->cur];

	s->state = KT_VSESS_STORED;
	v->done_bytes = v->total_bytes = s->info.size;
	kt_dockd_session_stored(p->d, v, s, p->now_us);
	if (p->d->o->erase && !s->erase_refused)
		start_erase(p, ev);
	else
		next_session(p, ev);
}

static void
commit(struct kt_port *p, enum port_event ev)
{
	struct kt_vest *v = p->vest;
	struct kt_vsess *s = &v->sess[v->cur];
	int r = kt_store_download_commit(p->dl, NULL);

	if (r == -EAGAIN)
		return;
	p->dl = NULL;
	if (r == 0) {
		char dmg[96] = "", bad[96] = "";
		if (s->damaged)
			snprintf(dmg, sizeof(dmg), " (noisy link: %" PRIu64 " of %" PRIu64 " answers "
				 "arrived damaged and were asked again)", s->damaged,
				 s->damaged + s->answers);
		if (s->bad_data)
			snprintf(bad, sizeof(bad), " (%" PRIu64 " answers carried data failing its "
				 "CRC-32 and were asked again)", s->bad_data);
		log_info("vest %s: session %" PRIu32 " (%" PRIu32 " bytes) verified and stored%s%s",
			 v->id, s->info.id, s->info.size, dmg, bad);
		v->reason[0] = '\0';
		stored(p, ev);
	} else if (r == -EEXIST) {
		log_info("vest %s: session %" PRIu32 " was already stored, duplicate skipped",
			 v->id, s->info.id);
		stored(p, ev);
	} else if (r == -EBADMSG) {
		s->crc_failures++;
		if (s->crc_failures >= MAX_CRC_FAILURES) {
			s->state = KT_VSESS_FAILED;
			log_error("vest %s: session %" PRIu32 " downloaded %u times but its CRC-32 "
				  "never matched the vest's list: the vest's storage may be damaged; "
				  "skipping it (not erased)", v->id, s->info.id, s->crc_failures);
			snprintf(v->reason, sizeof(v->reason),
				 "session %" PRIu32 " is damaged on the vest (CRC never matched)",
				 s->info.id);
			next_session(p, ev);
		} else {
			log_warning("vest %s: session %" PRIu32 " failed its whole CRC-32 check, "
				    "downloading it again from the start", v->id, s->info.id);
			s->state = KT_VSESS_PENDING;
			v->cur = -1;
			next_session(p, ev);
		}
	} else {
		port_fail(p, ev, "cannot store session %" PRIu32 " in %s: %s (will retry)",
			  s->info.id, kt_store_root(p->d->store), strerror(-r));
	}
}

/* Returns SPACE_FITS when it went ahead (or failed, or found the session
 * stored); otherwise there is no room for the rest of it after all (its
 * partial held less than its resume point said): nothing started, why in why. */
static enum space
begin_download(struct kt_port *p, enum port_event ev, char *why, size_t why_size)
{
	struct kt_vest *v = p->vest;
	struct kt_vsess *s = &v->sess[v->cur];
	enum space sp;
	int r;

	r = kt_store_download_begin(p->d->store, v->id, s->info.id, s->info.crc32, s->info.size,
				    s->info.start_unix_us, &p->dl);
	if (r == -EEXIST) {
		stored(p, ev);
		return SPACE_FITS;
	}
	if (r < 0) {
		port_fail(p, ev, "cannot start storing session %" PRIu32 " in %s: %s (will retry)",
			  s->info.id, kt_store_root(p->d->store), strerror(-r));
		return SPACE_FITS;
	}
	sp = space_check(p, s->info.id, s->info.size - kt_store_download_offset(p->dl), 0, why,
			 why_size);
	if (sp != SPACE_FITS) {
		p->dl = kt_store_download_free(p->dl);
		return sp;
	}
	if (v->space_wait) {
		log_info("vest %s: there is room on the store's disk for session %" PRIu32 " now",
			 v->id, s->info.id);
		v->space_wait = 0;
	}
	s->state = KT_VSESS_DOWNLOADING;
	v->done_bytes = kt_store_download_offset(p->dl);
	v->total_bytes = s->info.size;
	v->progress_logged = s->info.size ? (unsigned)(v->done_bytes * 4 / s->info.size) : 4;
	link_note(p);
	if (v->done_bytes > 0)
		log_info("vest %s: resuming session %" PRIu32 " at byte %" PRIu64 " of %" PRIu32,
			 v->id, s->info.id, v->done_bytes, s->info.size);
	else
		log_info("vest %s: downloading session %" PRIu32 " (%" PRIu32 " bytes)", v->id,
			 s->info.id, s->info.size);
	port_set_state(p, KT_PORT_DOWNLOAD, ev);
	p->retries = 0;
	if (v->done_bytes >= s->info.size) {
		commit(p, ev);
		return SPACE_FITS;
	}
	ooo_clear(p);
	restart_reads(p);
	return SPACE_FITS;
}

/* The vest's next session to erase or download, in order; one without
 * room on the disk waits and the next that fits goes first; none left: done. */
static void
next_session(struct kt_port *p, enum port_event ev)
{
	struct kt_vest *v = p->vest;
	size_t wait = SIZE_MAX;    /* the first session waiting for disk space */
	uint64_t wait_need = 0, least = UINT64_MAX;
	enum space wait_why = SPACE_FITS;
	char wait_text[sizeof(v->reason)] = "";

	for (size_t i = 0; i < v->n_sess; i++) {
		struct kt_vsess *s = &v->sess[i];
		char why[sizeof(v->reason)];
		uint32_t held = 0;
		uint64_t bytes = 0;
		enum space sp;
		int r;

		if (s->state == KT_VSESS_FAILED || s->state == KT_VSESS_ERASED)
			continue;
		if (s->state == KT_VSESS_STORED) {
			if (p->d->o->erase && !s->erase_refused) {
				v->cur = (ssize_t)i;
				start_erase(p, ev);
				return;
			}
			continue;
		}
		r = kt_store_is_stored(p->d->store, v->id, s->info.id, s->info.crc32);
		if (r < 0) {
			port_fail(p, ev, "cannot look into the store %s: %s (will retry)",
				  kt_store_root(p->d->store), strerror(-r));
			return;
		}
		v->cur = (ssize_t)i;
		if (r == 1) {
			/* without erase, a vest brings every earlier session
			 * again at each docking: counted in "done", not a line each */
			log_debug("vest %s: session %" PRIu32 " is already stored", v->id, s->info.id);
			s->earlier = true;
			stored(p, ev);
			return;
		}
		/* first by its resume point, without opening it; then exactly.
		 * What its partial holds beyond the resume point (after a kill
		 * -9 or a power cut; all of it without a .meta) is cut off when
		 * it is opened: room for it, or it would wait for ever on a
		 * disk its own partial fills */
		if (kt_store_download_held(p->d->store, v->id, s->info.id, s->info.crc32,
					   s->info.size, &held, &bytes) < 0)
			held = 0, bytes = 0;
		sp = space_check(p, s->info.id, s->info.size - held, bytes > held ? bytes - held : 0,
				 why, sizeof(why));
		if (sp == SPACE_FITS)
			sp = begin_download(p, ev, why, sizeof(why));
		if (sp == SPACE_FITS)
			return;
		if (s->info.size - held < least)
			least = s->info.size - held;
		if (wait == SIZE_MAX) {
			wait = i;
			wait_need = s->info.size - held;
			wait_why = sp;
			snprintf(wait_text, sizeof(wait_text), "%s", why);
		}
	}
	if (wait != SIZE_MAX) {
		wait_for_space(p, ev, wait, wait_need, least, wait_why, wait_text);
		return;
	}
	v->cur = -1;
	v->reason[0] = '\0';
	for (size_t i = 0; i < v->n_sess; i++) {
		const struct kt_vsess *s = &v->sess[i];
		char kept[160] = "";

		if (s->state != KT_VSESS_FAILED || !s->bad_block)
			continue;
		if (s->kept_bytes > 0)
			kept_note(kept, sizeof(kept), s->info.id, s->kept_bytes, s->info.size);
		bad_block_fail(p, ev, s->info.id, s->bad_at, s->info.size, kept,
			       "; the vest's other sessions are stored");
		return;
	}
	{
		unsigned st = 0, er = 0, fa = 0, ea = 0;
		char sum[sizeof(v->done_summary)], earlier[48] = "";
		for (size_t i = 0; i < v->n_sess; i++) {
			st += v->sess[i].state == KT_VSESS_STORED;
			er += v->sess[i].state == KT_VSESS_ERASED;
			fa += v->sess[i].state == KT_VSESS_FAILED;
			ea += v->sess[i].earlier && v->sess[i].state != KT_VSESS_FAILED;
		}
		if (ea)
			snprintf(earlier, sizeof(earlier), " (%u of them already before)", ea);
		snprintf(sum, sizeof(sum), "%zu session%s, %u stored%s, %u erased, %u failed",
			 v->n_sess, v->n_sess == 1 ? "" : "s", st + er, earlier, er, fa);
		/* a volunteer who comes back after the download still learns
		 * that this cable or port is poor */
		{
			uint64_t dmg = 0, ans = 0;

			for (size_t i = 0; i < v->n_sess; i++) {
				dmg += v->sess[i].damaged;
				ans += v->sess[i].answers;
			}
			if (dmg > 0 && fa == 0)
				snprintf(v->reason, sizeof(v->reason),
					 "the link was noisy: %" PRIu64 " of %" PRIu64 " answers arrived damaged "
					 "and were asked again (stored intact); try another cable or USB port",
					 dmg, dmg + ans);
		}
		/* said once, not at every re-LIST */
		if (strcmp(sum, v->done_summary)) {
			log_info("vest %s: done: %s", v->id, sum);
			memcpy(v->done_summary, sum, sizeof(sum));
		}
	}
	p->n_out = 0;
	p->deadline_us = 0;
	p->wake_us = p->now_us + RELIST_US;
	port_set_state(p, KT_PORT_IDLE, ev);
}

/* ---- responses ---- */

static bool
is_error(struct kt_port *p, struct kt_dock_error *e)
{
	if (p->frame.type != KT_DOCK_ERROR)
		return false;
	if (kt_dock_error_decode(p->frame.payload, p->frame.len, e) < 0)
		*e = (struct kt_dock_error){ .code = KT_DOCK_E_INTERNAL };
	return true;
}

static void
on_identify(struct kt_port *p)
{
	struct kt_dock_identify id;
	struct kt_dock_error e;
	struct kt_vest *v;

	if (is_error(p, &e)) {
		port_fail(p, EV_FRAME, "vest refuses to identify itself: %s%s%s",
			  kt_dock_error_to_str(e.code), e.message[0] ? ": " : "", e.message);
		return;
	}
	if (p->frame.type != KT_DOCK_IDENTIFY_RESP ||
	    kt_dock_identify_decode(p->frame.payload, p->frame.len, &id) < 0) {
		port_fail(p, EV_FRAME, "malformed IDENTIFY answer (type 0x%02x, %u bytes)",
			  p->frame.type, p->frame.len);
		return;
	}
	if (id.protocol_version != KT_DOCK_PROTOCOL_VERSION) {
		port_fail(p, EV_FRAME, "vest speaks dock protocol %u, this kicktrackd speaks %u: "
			  "update the software", id.protocol_version, KT_DOCK_PROTOCOL_VERSION);
		return;
	}
	if (!kt_store_vest_id_valid(id.vest_id)) {
		port_fail(p, EV_FRAME, "vest reports an unusable id '%s'", id.vest_id);
		return;
	}
	v = kt_dockd_vest(p->d, id.vest_id, true);
	if (!v) {
		port_fail(p, EV_FRAME, "out of memory");
		return;
	}
	if (v->port && v->port != p) {
		/* the port is not that vest's: its row in the status names the id */
		snprintf(p->said_id, sizeof(p->said_id), "%s", id.vest_id);
		port_fail(p, EV_FRAME, "vest id %s is also on port %s: two vests with one id?",
			  id.vest_id, kt_port_path(v->port));
		return;
	}
	if (p->was && p->was != v) {
		/* another vest on that port now */
		p->was->reconnecting = false;
		p->was->state = KT_VEST_UNPLUGGED;
	}
	p->was = NULL;
	p->vest = v;
	v->port = p;
	if (!v->reconnecting)
		/* a retry after a failure, or plugged in again (not a back-off):
		 * a session skipped for a bad spot is tried again */
		for (size_t i = 0; i < v->n_sess; i++)
			if (v->sess[i].state == KT_VSESS_FAILED && v->sess[i].bad_block) {
				v->sess[i].state = KT_VSESS_PENDING;
				v->sess[i].bad_block = false;
			}
	v->reconnecting = false;
	v->failed_here = false;
	snprintf(v->port_path, sizeof(v->port_path), "%s", p->path);
	v->firmware = id.firmware;
	v->battery_pct = id.battery_pct;
	v->reason[0] = '\0';
	log_info("vest %s on %s: firmware %u.%u, %u session%s, battery %s%u%%", v->id, p->path,
		 id.firmware >> 8, id.firmware & 0xff, id.n_sessions, id.n_sessions == 1 ? "" : "s",
		 id.battery_pct == KT_DOCK_UNKNOWN_BATTERY ? "?" : "",
		 id.battery_pct == KT_DOCK_UNKNOWN_BATTERY ? 0 : id.battery_pct);
	/* Set the vest clock when it is unknown or off by more than a second,
	 * so the next sessions start at the right time (dock.md 6.2). */
	int64_t wall = p->d->wall_us;
	if (wall > 0 && (id.clock_unix_us == KT_DOCK_UNKNOWN_TIME ||
			 !(id.flags & KT_DOCK_FLAG_CLOCK_SET) ||
			 llabs(id.clock_unix_us - wall) > 1000000)) {
		port_set_state(p, KT_PORT_SET_CLOCK, EV_FRAME);
		send_set_clock(p);
		return;
	}
	p->list_next = 0;
	port_set_state(p, KT_PORT_LIST, EV_FRAME);
	send_list(p);
}

static void
on_set_clock(struct kt_port *p)
{
	struct kt_dock_set_clock m;
	struct kt_dock_error e;

	if (is_error(p, &e))
		log_warning("vest %s: did not take the time: %s", vname(p),
			    kt_dock_error_to_str(e.code));
	else if (p->frame.type == KT_DOCK_SET_CLOCK_RESP &&
		 kt_dock_set_clock_decode(p->frame.payload, p->frame.len, &m) >= 0) {
		if (m.unix_us == KT_DOCK_UNKNOWN_TIME)
			log_info("vest %s: clock set (it was not set)", vname(p));
		else
			log_info("vest %s: clock set (it was off by %.1f s)", vname(p),
				 (double)(m.unix_us - p->d->wall_us) / 1e6);
	}
	p->list_next = 0;
	port_set_state(p, KT_PORT_LIST, EV_FRAME);
	send_list(p);
}

static struct kt_vsess *
find_sess(struct kt_vest *v, const struct kt_dock_session_info *i)
{
	for (size_t k = 0; k < v->n_sess; k++)
		if (v->sess[k].info.id == i->id && v->sess[k].info.crc32 == i->crc32)
			return &v->sess[k];
	return NULL;
}

static void
on_list(struct kt_port *p)
{
	struct kt_vest *v = p->vest;
	struct kt_dock_list_resp m;
	struct kt_dock_error e;

	if (is_error(p, &e)) {
		if (e.code == KT_DOCK_E_BUSY) {
			p->wake_us = p->now_us + BUSY_RETRY_US;
			return;
		}
		port_fail(p, EV_FRAME, "vest refuses to list its sessions: %s",
			  kt_dock_error_to_str(e.code));
		return;
	}
	if (p->frame.type != KT_DOCK_LIST_RESP ||
	    kt_dock_list_resp_decode(p->frame.payload, p->frame.len, &m) < 0 ||
	    m.first != p->list_next) {
		port_fail(p, EV_FRAME, "malformed LIST answer");
		return;
	}
	for (unsigned i = 0; i < m.count; i++) {
		struct kt_vsess *s = find_sess(v, &m.s[i]), *n;

		if (s) {
			s->info = m.s[i]; /* sizes are the same: id + crc matched */
			continue;
		}
		n = realloc(v->sess, (v->n_sess + 1) * sizeof(*n));
		if (!n) {
			port_fail(p, EV_FRAME, "out of memory");
			return;
		}
		v->sess = n;
		v->sess[v->n_sess++] = (struct kt_vsess){ .info = m.s[i] };
	}
	for (unsigned i = 0; i < m.count; i++) {
		struct kt_vsess *s = find_sess(v, &m.s[i]);
		if (s)
			s->listed = true;
	}
	p->list_next = (uint16_t)(m.first + m.count);
	if (m.count > 0 && p->list_next < m.total) {
		send_list(p);
		return;
	}
	for (size_t i = 0; i < v->n_sess; i++) {
		struct kt_vsess *s = &v->sess[i];
		if (s->erase_confirm && s->state == KT_VSESS_STORED) {
			s->erase_confirm = false;
			if (!s->listed) {
				log_info("vest %s: session %" PRIu32 " erased on the vest", v->id,
					 s->info.id);
				s->state = KT_VSESS_ERASED;
			} else {
				s->erase_refused = true;
			}
		}
		s->listed = false;
	}
	/* Sessions erased meanwhile (by us) stay listed as erased; sessions that
	 * vanished otherwise are of no concern: they were stored or never ours. */
	next_session(p, EV_FRAME);
}

static void
read_error(struct kt_port *p)
{
	struct kt_vest *v = p->vest;
	struct kt_vsess *s = &v->sess[v->cur];
	struct kt_dock_error e;

	is_error(p, &e);
	switch (e.code) {
	case KT_DOCK_E_BUSY:
		p->n_out = 0;
		p->deadline_us = 0;
		p->wake_us = p->now_us + BUSY_RETRY_US;
		return;
	case KT_DOCK_E_NO_SUCH_SESSION:
	case KT_DOCK_E_BAD_OFFSET:
		log_warning("vest %s: session %" PRIu32 " cannot be read (%s): listing again",
			    v->id, s->info.id, kt_dock_error_to_str(e.code));
		close_download(p);
		ooo_clear(p);
		p->n_out = 0;
		p->deadline_us = 0;
		p->list_next = 0;
		port_set_state(p, KT_PORT_LIST, EV_FRAME);
		send_list(p);
		return;
	default:
		port_fail(p, EV_FRAME, "vest cannot read session %" PRIu32 ": %s%s%s", s->info.id,
			  kt_dock_error_to_str(e.code), e.message[0] ? ": " : "", e.message);
		return;
	}
}

/* Each quarter of a session is said once in the log, with how the link does. */
static void
log_progress(struct kt_port *p)
{
	struct kt_vest *v = p->vest;
	const struct kt_vsess *s = &v->sess[v->cur];
	uint64_t done = kt_store_download_offset(p->dl);
	unsigned q = s->info.size ? (unsigned)(done * 4 / s->info.size) : 4;
	char a[32], b[32], dmg[96] = "";

	if (q <= v->progress_logged || q >= 4)
		return;
	v->progress_logged = q;
	if (s->damaged)
		snprintf(dmg, sizeof(dmg), "; %" PRIu64 " of %" PRIu64 " answers arrived damaged and "
			 "were asked again", s->damaged, s->damaged + s->answers);
	log_info("vest %s: session %" PRIu32 ": %u%% in (%s of %s)%s", v->id, s->info.id, q * 25,
		 kt_fmt_bytes(a, sizeof(a), (double)done, KT_BYTES_ROUND),
		 kt_fmt_bytes(b, sizeof(b), (double)s->info.size, KT_BYTES_ROUND), dmg);
}

/* Append a verified chunk that starts where the store's copy ends, then any
 * buffered chunks that now fit. */
static int
append_chunk(struct kt_port *p, uint32_t offset, const uint8_t *data, uint16_t len, uint32_t crc)
{
	struct kt_vest *v = p->vest;
	int r = kt_store_download_append(p->dl, offset, data, len, crc);
	bool again = true;

	if (r < 0)
		return r;
	v->rx_data_bytes += len;
	while (again) {
		uint32_t at = kt_store_download_offset(p->dl);
		again = false;
		for (unsigned i = 0; i < MAX_OUT; i++) {
			if (!p->ooo[i].len)
				continue;
			if (p->ooo[i].offset < at) {
				p->ooo[i].len = 0; /* overtaken */
			} else if (p->ooo[i].offset == at) {
				r = kt_store_download_append(p->dl, at, p->ooo[i].data, p->ooo[i].len,
							     p->ooo[i].crc);
				p->ooo[i].len = 0;
				if (r < 0)
					return r;
				again = true;
			}
		}
	}
	return 0;
}

/*
 * A READ answer (any seq: a late answer to a request already given up is
 * still good data, checked by its CRC and offset). Answers come in request
 * order, so requests sent before the one answered and still open were lost
 * (garbled frames): they are asked again at once instead of after a timeout.
 */
static void
on_read(struct kt_port *p, const struct kt_dock_frame *f)
{
	struct kt_vest *v = p->vest;
	struct kt_vsess *s = &v->sess[v->cur];
	struct kt_dock_read_resp m;
	uint32_t at = kt_store_download_offset(p->dl);
	uint32_t asked = at; /* the offset the answered READ asked for */
	int r;
	unsigned k;

	for (k = 0; k < p->n_out; k++)
		if (p->out[k].seq == f->seq)
			break;
	if (k < p->n_out) {
		asked = p->out[k].offset;
		memmove(&p->out[0], &p->out[k + 1], (p->n_out - k - 1) * sizeof(p->out[0]));
		p->n_out -= k + 1;
	}
	if (f->type == KT_DOCK_ERROR) {
		/* port_frame() passes only ERROR answers to requests still open */
		read_error(p);
		return;
	}
	r = kt_dock_read_resp_decode(f->payload, f->len, &m);
	if (r == 0 && (m.session_id != s->info.id || m.size != s->info.size || m.len == 0 ||
		       (uint64_t)m.offset + m.len > s->info.size))
		r = -EPROTO;
	if (r == -EBADMSG) {
		/* An intact frame around data that fails its CRC-32: the vest
		 * read it wrong (a bit error on the way fails the frame CRC
		 * first). Asked again like a damaged frame, with the same limit:
		 * at a bad spot of the vest's storage it is wrong every time. */
		log_debug("vest %s: chunk at %" PRIu32 " fails its CRC-32, asking again", v->id, asked);
		if (reads_damaged(p, EV_FRAME, 1, asked))
			return;
	} else if (r < 0) {
		char why[128];

		if (r == -EPROTO)
			snprintf(why, sizeof(why), "session %" PRIu32 " of %" PRIu32 " bytes, %u bytes at %"
				 PRIu32, m.session_id, m.size, (unsigned)m.len, m.offset);
		else
			snprintf(why, sizeof(why), "malformed: %s", strerror(-r));
		log_debug("vest %s: chunk rejected (%s), asking again", v->id, why);
		/* a vest whose firmware answers wrong every time would be asked
		 * for ever: give up like on damaged answers, but say what it is */
		if (++p->mismatch_run >= DAMAGED_RUN_MAX) {
			port_fail(p, EV_FRAME, "session %" PRIu32 ": the vest's answers do not match what "
				  "was asked (%u in a row; the last one: %s, asked for session %" PRIu32
				  " of %" PRIu32 " bytes at %" PRIu32 "): a fault of the vest's firmware, "
				  "not the cable; retrying every %u s", s->info.id, p->mismatch_run, why,
				  s->info.id, s->info.size, asked, p->d->o->retry_s);
			return;
		}
	} else if (m.offset == at) {
		r = append_chunk(p, m.offset, m.data, m.len, m.data_crc32);
		if (r == -EBADMSG) {
			/* the store's own check of the chunk CRC-32: the same case */
			log_debug("vest %s: chunk at %" PRIu32 " fails its CRC-32, asking again", v->id,
				  m.offset);
			if (reads_damaged(p, EV_FRAME, 1, m.offset))
				return;
		} else if (r == -ESPIPE) {
			log_debug("vest %s: chunk at %" PRIu32 " rejected by the store (%s)", v->id,
				  m.offset, strerror(-r));
		} else if (r < 0) {
			port_fail(p, EV_FRAME, "cannot write session %" PRIu32 " to %s: %s (will retry)",
				  s->info.id, kt_store_root(p->d->store), strerror(-r));
			return;
		} else {
			p->retries = 0;
			runs_reset(p);
			v->failed_said[0] = '\0';
			s->answers++;
			/* intact: ask for a bit more at a time again */
			p->chunk += p->chunk / 3 + 1;
			if (p->chunk > p->d->o->chunk)
				p->chunk = p->d->o->chunk;
			if (s->damaged || s->bad_data)
				link_note(p);
			log_progress(p);
		}
	} else if (m.offset > at) {
		/* ahead of a hole: keep it until the hole is filled */
		unsigned free_slot = MAX_OUT;
		bool dup = false;
		for (unsigned i = 0; i < MAX_OUT; i++) {
			if (p->ooo[i].len && p->ooo[i].offset == m.offset)
				dup = true;
			if (!p->ooo[i].len && free_slot == MAX_OUT)
				free_slot = i;
		}
		if (!dup && free_slot < MAX_OUT) {
			p->ooo[free_slot].offset = m.offset;
			p->ooo[free_slot].len = m.len;
			p->ooo[free_slot].crc = m.data_crc32;
			memcpy(p->ooo[free_slot].data, m.data, m.len);
		}
	}
	/* else: an old duplicate */
	v->done_bytes = kt_store_download_offset(p->dl);
	p->deadline_us = p->n_out ? p->now_us + MS(KT_DOCK_T_RESPONSE_MS) : 0;
	if (v->done_bytes >= s->info.size) {
		p->n_out = 0;
		p->deadline_us = 0;
		ooo_clear(p);
		commit(p, EV_FRAME);
	} else {
		fill_reads(p);
	}
}

static void
on_erase(struct kt_port *p)
{
	struct kt_vest *v = p->vest;
	struct kt_vsess *s = &v->sess[v->cur];
	struct kt_dock_erase_resp m;
	struct kt_dock_error e;

	if (is_error(p, &e)) {
		if (e.code == KT_DOCK_E_BUSY) {
			p->wake_us = p->now_us + BUSY_RETRY_US;
			return;
		}
		if (e.code == KT_DOCK_E_NO_SUCH_SESSION) {
			/* a retried ERASE whose first answer was lost (dock.md 4.5):
			 * LIST decides; a session no longer listed was erased */
			s->erase_confirm = true;
			p->list_next = 0;
			port_set_state(p, KT_PORT_LIST, EV_FRAME);
			send_list(p);
			return;
		}
		log_warning("vest %s: did not erase session %" PRIu32 ": %s (the data is stored; "
			    "the vest keeps its copy)", v->id, s->info.id,
			    kt_dock_error_to_str(e.code));
		s->erase_refused = true;
	} else if (p->frame.type == KT_DOCK_ERASE_RESP &&
		   kt_dock_erase_resp_decode(p->frame.payload, p->frame.len, &m) >= 0 &&
		   m.session_id == s->info.id) {
		log_info("vest %s: session %" PRIu32 " erased on the vest", v->id, s->info.id);
		s->state = KT_VSESS_ERASED;
	} else {
		port_fail(p, EV_FRAME, "malformed ERASE answer");
		return;
	}
	next_session(p, EV_FRAME);
}

/* ---- the dispatcher ---- */

static void
port_handle(struct kt_port *p, enum port_event ev)
{
	if (ev == EV_HANGUP) {
		if (p->state == KT_PORT_CLOSED || p->state == KT_PORT_FAILED)
			return;
		if (p->vest) {
			struct kt_vest *v = p->vest;
			v->failed_said[0] = '\0';
			v->space_wait = 0;
			if (p->state == KT_PORT_IDLE)
				log_info("vest %s unplugged", v->id);
			else if (p->state == KT_PORT_WAIT_SPACE)
				log_info("vest %s unplugged while waiting for disk space; continuing "
					 "when it is plugged in again", v->id);
			else if (v->cur >= 0 && p->state == KT_PORT_DOWNLOAD)
				log_info("vest %s unplugged during session %" PRIu32 " at byte %" PRIu64
					 " of %" PRIu64 "; the download resumes when it is plugged in "
					 "again", v->id, v->sess[v->cur].info.id, v->done_bytes,
					 v->total_bytes);
			else
				log_info("vest %s unplugged while %s; continuing when it is plugged "
					 "in again", v->id, kt_port_state_to_str(p->state));
		} else if (p->was) {
			log_info("vest %s unplugged while reconnecting; continuing when it is plugged in "
				 "again", p->was->id);
			p->was->reconnecting = false;
			p->was->state = KT_VEST_UNPLUGGED;
			p->was->failed_said[0] = '\0';
			char note[160];
			partial_note(p->was, note, sizeof(note));
			snprintf(p->was->reason, sizeof(p->was->reason), "%s", note[0] ? note + 2 : "");
		} else {
			log_info("port %s went away before the vest identified itself", p->path);
		}
		port_close_fd(p);
		port_set_state(p, KT_PORT_CLOSED, ev);
		return;
	}
	if (ev == EV_IO_ERROR) {
		port_fail(p, ev, "I/O error on the port (will retry)");
		return;
	}

	switch (p->state) {
	case KT_PORT_IDENTIFY:
		if (ev == EV_DAMAGED) {
			p->damaged_run += (unsigned)p->n_damaged;
		} else if (ev == EV_OPENED || ev == EV_WAKE) {
			send_identify(p);
		} else if (ev == EV_TIMEOUT) {
			if (++p->retries > KT_DOCK_RETRIES) {
				uint64_t junk = p->dec.rejected[KT_DOCK_REJECT_GARBAGE_BYTES] +
						p->dec.rejected[KT_DOCK_REJECT_CRC] +
						p->dec.rejected[KT_DOCK_REJECT_HEADER];
				uint64_t bad = p->dec.rejected[KT_DOCK_REJECT_CRC];
				/* frames with a valid header but a bad CRC-32 are dock
				 * frames damaged on the way, not another protocol */
				/* (the counts go to the debug log: a message that stays
				 * the same is said once however often it is retried) */
				if (!p->was && (bad > 0 || junk > 0))
					log_debug("%s: %" PRIu64 " damaged answers, %" PRIu64 " bytes/frames of "
						  "something else, no valid answer", p->path, bad, junk);
				if (p->was)
					port_backoff(p, ev, "identify", p->damaged_run);
				else if (bad > 0)
					port_fail(p, ev, "link too noisy: the answers arrive damaged (bad "
						  "checksums), none intact: try another cable or USB port");
				else if (junk > 0)
					port_fail(p, ev, "this device does not speak the kicktrack dock "
						  "protocol (it sends something else, no valid answer): not a "
						  "vest, or wrong firmware");
				else
					port_fail(p, ev, "no answer to IDENTIFY after %u tries: not a vest, "
						  "or the vest is not switched to dock mode",
						  KT_DOCK_RETRIES + 1);
				return;
			}
			p->n_out = 0;
			p->deadline_us = 0;
			send_identify(p);
		} else if (ev == EV_FRAME) {
			on_identify(p);
		}
		break;
	case KT_PORT_SET_CLOCK:
	case KT_PORT_LIST:
	case KT_PORT_DOWNLOAD:
	case KT_PORT_ERASE:
		if (ev == EV_DAMAGED) {
			if (p->state == KT_PORT_DOWNLOAD)
				on_damaged(p);
			else /* asked again after the response timeout */
				p->damaged_run += (unsigned)p->n_damaged;
			return;
		}
		if (ev == EV_TIMEOUT) {
			if (++p->retries > KT_DOCK_RETRIES) {
				port_backoff(p, ev, kt_port_state_to_str(p->state), p->damaged_run);
				return;
			}
			log_debug("vest %s: no answer, retry %u", vname(p), p->retries);
			kt_dock_decoder_reset(&p->dec);
		}
		if (ev == EV_TIMEOUT || ev == EV_WAKE) {
			p->n_out = 0;
			p->deadline_us = 0;
			if (p->state == KT_PORT_SET_CLOCK)
				send_set_clock(p);
			else if (p->state == KT_PORT_LIST)
				send_list(p);
			else if (p->state == KT_PORT_DOWNLOAD)
				restart_reads(p);
			else
				start_erase(p, ev);
			return;
		}
		if (ev != EV_FRAME)
			break;
		if (p->state == KT_PORT_SET_CLOCK)
			on_set_clock(p);
		else if (p->state == KT_PORT_LIST)
			on_list(p);
		else if (p->state == KT_PORT_DOWNLOAD)
			on_read(p, &p->frame);
		else
			on_erase(p);
		break;
	case KT_PORT_IDLE:
		if (ev == EV_WAKE) {
			/* while plugged, look again now and then (dock.md 6.2) */
			p->list_next = 0;
			p->retries = 0;
			port_set_state(p, KT_PORT_LIST, ev);
			send_list(p);
		}
		break;
	case KT_PORT_WAIT_SPACE:
		if (ev == EV_WAKE)
			next_session(p, ev);
		break;
	case KT_PORT_FAILED:
	case KT_PORT_CLOSED:
		break;
	}
}

/* A frame arrived: does it answer the oldest outstanding request? */
static void
port_frame(struct kt_port *p, const struct kt_dock_frame *f)
{
	unsigned k;

	if (p->state == KT_PORT_DOWNLOAD && f->type == KT_DOCK_READ_RESP) {
		p->frame = *f;
		port_handle(p, EV_FRAME);
		return;
	}
	for (k = 0; k < p->n_out; k++)
		if (p->out[k].seq == f->seq &&
		    (f->type == (p->out[k].type | KT_DOCK_RESPONSE) || f->type == KT_DOCK_ERROR))
			break;
	if (k == p->n_out) {
		log_debug("vest %s: stale or unexpected %s frame (seq %u) dropped", vname(p),
			  kt_dock_type_to_str(f->type), f->seq);
		return;
	}
	if (k > 0) {
		/* earlier answers were lost: those requests are gone, ask again */
		log_debug("vest %s: %u answers lost", vname(p), k);
	}
	p->frame = *f;
	if (p->state == KT_PORT_DOWNLOAD) {
		/* an ERROR answer to a READ: on_read() takes it off the list */
		port_handle(p, EV_FRAME);
		return;
	}
	p->rq = p->out[k];
	p->damaged_run = 0;
	memmove(&p->out[0], &p->out[k + 1], (p->n_out - k - 1) * sizeof(p->out[0]));
	p->n_out -= k + 1;
	p->deadline_us = p->n_out ? p->now_us + MS(KT_DOCK_T_RESPONSE_MS) : 0;
	port_handle(p, EV_FRAME);
}

/* Frames the decoder rejected by their CRC-32 since the last look: answers
 * damaged on the way (a valid header means it is our protocol). */
static void
port_damaged(struct kt_port *p)
{
	uint64_t c = p->dec.rejected[KT_DOCK_REJECT_CRC];

	if (c <= p->crc_seen)
		return;
	p->n_damaged = c - p->crc_seen;
	p->crc_seen = c;
	port_handle(p, EV_DAMAGED);
}

static void
port_read(struct kt_port *p)
{
	uint8_t buf[8192];

	for (int rounds = 0; rounds < 8 && p->fd >= 0; rounds++) {
		ssize_t n = kt_serial_read(p->fd, buf, sizeof(buf));
		const uint8_t *q = buf;
		size_t len;
		struct kt_dock_frame f;

		if (n == 0)
			return;
		if (n < 0) {
			port_handle(p, n == -EPIPE ? EV_HANGUP : EV_IO_ERROR);
			return;
		}
		p->last_rx_us = p->now_us;
		len = (size_t)n;
		while (p->fd >= 0 && kt_dock_decoder_push(&p->dec, &q, &len, &f) > 0) {
			port_damaged(p);
			if (p->fd >= 0)
				port_frame(p, &f);
		}
		if (p->fd >= 0)
			port_damaged(p);
		/* an answer is arriving (slow link): that is progress, not a
		 * stall; garbage alone never extends the timeout */
		if (p->fd >= 0 && p->n_out && kt_dock_decoder_partial(&p->dec))
			p->deadline_us = p->now_us + MS(KT_DOCK_T_RESPONSE_MS);
		if ((size_t)n < sizeof(buf))
			return;
	}
}

void
kt_port_dispatch(struct kt_port *p, short revents, int64_t now_us)
{
	p->now_us = now_us;
	if (p->fd < 0)
		return;
	if (revents & POLLIN)
		port_read(p);
	if (p->fd >= 0 && (revents & (POLLHUP | POLLERR | POLLNVAL)) && !(revents & POLLIN))
		port_handle(p, EV_HANGUP);
	if (p->fd < 0)
		return;
	/* a partial frame older than the inter-byte timeout is dropped */
	if (kt_dock_decoder_partial(&p->dec) &&
	    now_us - p->last_rx_us >= MS(KT_DOCK_T_INTERBYTE_MS))
		kt_dock_decoder_reset(&p->dec);
	/* on a slow link, make the resume point durable at least every few
	 * seconds too, not only every KT_STORE_SYNC_BYTES */
	if (p->dl && now_us - p->last_sync_us >= SYNC_PERIOD_US) {
		int r = kt_store_download_sync(p->dl);
		if (r < 0)
			log_warning_errno(r, "vest %s: cannot record the resume point: %m", vname(p));
		p->last_sync_us = now_us;
	}
	if (p->deadline_us && now_us >= p->deadline_us) {
		p->deadline_us = 0;
		port_handle(p, EV_TIMEOUT);
	}
	if (p->fd >= 0 && p->wake_us && now_us >= p->wake_us) {
		p->wake_us = 0;
		port_handle(p, EV_WAKE);
	}
}

int64_t
kt_port_next_deadline(const struct kt_port *p)
{
	int64_t t = INT64_MAX;

	if (p->fd < 0)
		return t;
	if (p->deadline_us && p->deadline_us < t)
		t = p->deadline_us;
	if (p->dl && p->last_sync_us + SYNC_PERIOD_US < t)
		t = p->last_sync_us + SYNC_PERIOD_US;
	if (p->wake_us && p->wake_us < t)
		t = p->wake_us;
	if (kt_dock_decoder_partial(&p->dec) && p->last_rx_us + MS(KT_DOCK_T_INTERBYTE_MS) < t)
		t = p->last_rx_us + MS(KT_DOCK_T_INTERBYTE_MS);
	return t;
}

int
kt_port_new(struct kt_dockd *d, const char *path, int fd, int64_t now_us, struct kt_port **ret)
{
	struct kt_port *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->path = strdup(path);
	if (!p->path) {
		free(p);
		return -ENOMEM;
	}
	/* A re-opened port may still carry answers to the previous port's
	 * requests: start each port's sequence numbers somewhere else. */
	static uint8_t seq_base;
	seq_base += 64;
	p->seq = seq_base;
	p->d = d;
	p->fd = fd;
	p->now_us = now_us;
	p->last_rx_us = now_us;
	kt_dock_decoder_init(&p->dec);
	p->state = KT_PORT_IDENTIFY;
	p->chunk = d->o->chunk;
	/* reopened after a back-off or a failure: the vest it was, for the
	 * status and the back-off count, until it identifies itself again */
	for (size_t i = 0; i < d->n_vests; i++)
		if ((d->vests[i]->reconnecting || d->vests[i]->failed_here) && !d->vests[i]->port &&
		    !strcmp(d->vests[i]->port_path, path))
			p->was = d->vests[i];
	log_debug("port %s opened", path);
	*ret = p;
	port_handle(p, EV_OPENED);
	return 0;
}

void
kt_port_shutdown(struct kt_port *p)
{
	if (p)
		port_close_fd(p);
}

struct kt_port *
kt_port_free(struct kt_port *p)
{
	if (!p)
		return NULL;
	port_close_fd(p);
	if (p->vest && p->vest->port == p) {
		p->vest->port = NULL;
		if (p->vest->state != KT_VEST_FAILED && !p->vest->reconnecting)
			p->vest->state = KT_VEST_UNPLUGGED;
	}
	free(p->path);
	free(p);
	return NULL;
}

const char *
kt_port_path(const struct kt_port *p)
{
	return p->path;
}

int
kt_port_fd(const struct kt_port *p)
{
	return p->fd;
}

short
kt_port_events(const struct kt_port *p)
{
	return p->fd >= 0 ? POLLIN : 0;
}

enum kt_port_state
kt_port_state(const struct kt_port *p)
{
	return p->state;
}

const char *
kt_port_reason(const struct kt_port *p)
{
	return p->reason;
}

struct kt_vest *
kt_port_vest(const struct kt_port *p)
{
	return p->vest;
}

struct kt_vest *
kt_port_was(const struct kt_port *p)
{
	return p->was;
}

const char *
kt_port_said_id(const struct kt_port *p)
{
	return p->said_id;
}

const char *
kt_port_failed_said(const struct kt_port *p)
{
	return p->failed_said;
}

void
kt_port_set_failed_said(struct kt_port *p, const char *said)
{
	snprintf(p->failed_said, sizeof(p->failed_said), "%s", said ? said : "");
}

int64_t
kt_port_retry_at(const struct kt_port *p)
{
	return p->retry_at_us;
}
