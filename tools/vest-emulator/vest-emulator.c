/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * kicktrack-vest-emulator: plays a vest on a pseudo-terminal, serving session
 * logs through dock protocol 1 (firmware-protocols/dock.md), with the faults
 * the field has: unplug, corruption, stalls, slow links, reboots, refused
 * erases, a bad flash block, garbage and other protocols. One thread, one
 * poll() loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ingest/kt-log.h"
#include "kt_dock.h"
#include "kt_frame.h"
#include "util/kt-args.h"
#include "util/kt-fileio.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

#define OUT_CAP (8 * KT_DOCK_MAX_FRAME)
#define IN_CAP 4096

enum mode { MODE_DOCK, MODE_GARBAGE, MODE_OTHER };

struct session {
	uint32_t id;
	char *path;
	int fd;
	uint32_t size;
	uint32_t crc32;
	int64_t start_unix_us;
	char log_vest_id[KT_DOCK_VEST_ID_LEN + 1]; /* from the log header, if any */
	bool erased;
};

struct opts {
	const char *vest_id;
	const char *link;
	const char *state_dir;
	uint64_t unplug_after;	 /* 0 = never */
	unsigned unplug_count;	 /* 0 = every unplug_after bytes, forever */
	int64_t replug_after_ms; /* < 0 = stay unplugged, exit */
	double corrupt_rate;
	int64_t damaged_at;    /* < 0 = none; else this byte of each session reads wrong */
	int64_t stall_ms;
	uint64_t stall_after;
	uint64_t stall_every;  /* 0 = once */
	double rate;	       /* bytes/s, 0 = unlimited */
	uint64_t reboot_after; /* 0 = never */
	int64_t reboot_ms;
	bool refuse_erase;
	enum mode mode;
	uint16_t firmware;
	uint8_t battery;
	uint32_t seed;
	bool verbose;
};

struct emu {
	struct opts o;
	struct session *s;
	size_t n;

	int master, slave, sigfd;
	char slave_path[PATH_MAX];
	bool plugged;
	int64_t replug_at_us;
	unsigned unplugs;

	struct kt_dock_decoder dec;
	uint8_t in[IN_CAP];
	size_t in_pos, in_len; /* read but not yet fed to the decoder */
	uint8_t out[OUT_CAP];
	size_t out_head, out_tail;

	uint64_t sent_plug; /* bytes sent since the last plug-in */
	uint64_t sent_total;
	uint64_t next_stall;
	int64_t stall_until_us;
	bool rebooted;
	int64_t reboot_until_us;

	double tokens;
	int64_t refill_us;

	bool clock_set;
	int64_t clock_offset_us; /* vest clock - system clock */
	bool clock_known;

	uint32_t rng;
	uint64_t requests, responses;
	uint64_t damaged_answers; /* READ answers sent with --damaged-at data */
	int64_t first_tx_us, last_tx_us; /* monotonic; for the rate in the summary */
	uint64_t idle_us;		 /* time with nothing to send (waiting for requests) */
	int64_t idle_since_us;
};

static int64_t
now_us(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint32_t
rnd(struct emu *e)
{
	e->rng ^= e->rng << 13;
	e->rng ^= e->rng >> 17;
	e->rng ^= e->rng << 5;
	return e->rng;
}

static double
rnd01(struct emu *e)
{
	return (rnd(e) >> 8) / 16777216.0;
}

/* ---- sessions and the erase memory ---- */

static int
state_path(struct emu *e, char **ret)
{
	if (asprintf(ret, "%s/%s.state", e->o.state_dir, e->o.vest_id) < 0)
		return -ENOMEM;
	return 0;
}

static int
state_load(struct emu *e)
{
	char *path, *data, *line, *save = NULL;
	size_t len;
	int r;

	if (!e->o.state_dir)
		return 0;
	r = state_path(e, &path);
	if (r < 0)
		return r;
	r = kt_read_file(path, 1 << 20, &data, &len);
	if (r == -ENOENT) {
		free(path);
		return 0;
	}
	if (r < 0) {
		log_error_errno(r, "cannot read state file %s: %m", path);
		free(path);
		return r;
	}
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long id, crc;
		if (sscanf(line, "erased %lu %lx", &id, &crc) != 2) {
			log_warning("%s: ignoring line \"%s\"", path, line);
			continue;
		}
		for (size_t i = 0; i < e->n; i++)
			if (e->s[i].id == id && e->s[i].crc32 == crc)
				e->s[i].erased = true;
	}
	free(data);
	free(path);
	return 0;
}

static int
state_save(struct emu *e)
{
	struct kt_atomic_file a;
	char *path;
	int r;

	if (!e->o.state_dir)
		return 0;
	r = kt_mkdir_p(e->o.state_dir, 0755);
	if (r < 0)
		return log_error_errno(r, "cannot create state directory %s: %m", e->o.state_dir);
	r = state_path(e, &path);
	if (r < 0)
		return r;
	r = kt_atomic_open(path, 0644, &a);
	if (r < 0) {
		log_error_errno(r, "cannot write %s: %m", path);
		free(path);
		return r;
	}
	fprintf(a.f, "# kicktrack-vest-emulator state of vest %s\n", e->o.vest_id);
	for (size_t i = 0; i < e->n; i++)
		if (e->s[i].erased)
			fprintf(a.f, "erased %" PRIu32 " %08" PRIx32 "\n", e->s[i].id,
				e->s[i].crc32);
	r = kt_atomic_commit(&a, true, false);
	if (r < 0)
		log_error_errno(r, "cannot write %s: %m", path);
	free(path);
	return r;
}

/* The session's start time and vest id from the head of the log (header
 * record, else the first fix); the file's mtime if the log says nothing. */
static int64_t
log_start_time(int fd, const struct stat *st, char *vest_id, size_t vest_id_size)
{
	struct kt_log_reader *rd = NULL;
	int64_t t = INT64_MIN;
	uint8_t buf[16384];
	off_t off = 0;

	if (kt_log_reader_new(&rd) < 0)
		return (int64_t)st->st_mtim.tv_sec * 1000000;
	while (t == INT64_MIN && off < 512 * 1024) {
		const struct kt_log_header *h;
		const struct kt_fix *f;
		ssize_t k = pread(fd, buf, sizeof(buf), off);
		size_t n;

		if (k <= 0)
			break;
		off += k;
		if (kt_log_reader_feed(rd, buf, (size_t)k) < 0)
			break;
		h = kt_log_reader_header(rd);
		if (h && h->present) {
			if (h->vest_id[0])
				snprintf(vest_id, vest_id_size, "%s", h->vest_id);
			if (h->start_unix > 0)
				t = (int64_t)h->start_unix * 1000000;
		}
		f = kt_log_reader_fixes(rd, &n);
		for (size_t i = 0; t == INT64_MIN && i < n; i++)
			if (f[i].t_us > 0)
				t = f[i].t_us;
	}
	kt_log_reader_free(rd);
	return t != INT64_MIN ? t : (int64_t)st->st_mtim.tv_sec * 1000000;
}

static int
session_add(struct emu *e, const char *path)
{
	struct session *s, *ns;
	uint8_t buf[65536];
	struct stat st;
	uint32_t crc = 0;
	ssize_t k;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "cannot open session log %s: %m", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return log_error_errno(-EINVAL, "session log %s is not a regular file", path);
	}
	if ((uint64_t)st.st_size > UINT32_MAX) {
		close(fd);
		return log_error_errno(-EFBIG, "session log %s is larger than 4 GiB", path);
	}
	while ((k = read(fd, buf, sizeof(buf))) > 0)
		crc = kt_crc32(crc, buf, (size_t)k);
	if (k < 0) {
		int r = -errno;
		close(fd);
		return log_error_errno(r, "cannot read session log %s: %m", path);
	}
	ns = realloc(e->s, (e->n + 1) * sizeof(*e->s));
	if (!ns) {
		close(fd);
		return -ENOMEM;
	}
	e->s = ns;
	s = &e->s[e->n];
	char log_vest[KT_DOCK_VEST_ID_LEN + 1] = "";
	int64_t start = log_start_time(fd, &st, log_vest, sizeof(log_vest));
	*s = (struct session){
		.id = (uint32_t)e->n + 1,
		.path = strdup(path),
		.fd = fd,
		.size = (uint32_t)st.st_size,
		.crc32 = crc,
		.start_unix_us = start,
	};
	memcpy(s->log_vest_id, log_vest, sizeof(log_vest));
	e->n++;
	return 0;
}

static struct session *
session_find(struct emu *e, uint32_t id)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->s[i].id == id && !e->s[i].erased)
			return &e->s[i];
	return NULL;
}

static uint16_t
sessions_listed(struct emu *e)
{
	uint16_t n = 0;
	for (size_t i = 0; i < e->n; i++)
		n += !e->s[i].erased;
	return n;
}

/* ---- the pty ---- */

static int
plug_in(struct emu *e)
{
	struct termios t;
	const char *name;
	int m, s;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (m < 0)
		return log_error_errno(-errno, "cannot open a pseudo-terminal: %m");
	if (grantpt(m) < 0 || unlockpt(m) < 0 || !(name = ptsname(m))) {
		int r = -errno;
		close(m);
		return log_error_errno(r, "cannot set up the pseudo-terminal: %m");
	}
	snprintf(e->slave_path, sizeof(e->slave_path), "%s", name);
	/* Keep the slave open ourselves, in raw mode: no echo of the host's
	 * bytes back to us before the host sets raw mode, and no EIO on the
	 * master while the host has the port closed (a docked vest stays
	 * there when the daemon restarts). */
	s = open(e->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		int r = -errno;
		close(m);
		return log_error_errno(r, "cannot open %s: %m", e->slave_path);
	}
	if (tcgetattr(s, &t) == 0) {
		cfmakeraw(&t);
		(void)tcsetattr(s, TCSANOW, &t);
	}
	e->master = m;
	e->slave = s;
	e->plugged = true;
	e->sent_plug = 0;
	e->in_pos = e->in_len = 0;
	e->out_head = e->out_tail = 0;
	kt_dock_decoder_reset(&e->dec);

	if (e->o.link) {
		char *tmp;
		if (asprintf(&tmp, "%s.tmp.%ld", e->o.link, (long)getpid()) < 0)
			return -ENOMEM;
		(void)unlink(tmp);
		if (symlink(e->slave_path, tmp) < 0 || rename(tmp, e->o.link) < 0) {
			int r = -errno;
			(void)unlink(tmp);
			free(tmp);
			return log_error_errno(r, "cannot create link %s: %m", e->o.link);
		}
		free(tmp);
	}
	printf("%s\n", e->slave_path);
	fflush(stdout);
	log_info("vest %s plugged in at %s%s%s", e->o.vest_id, e->slave_path,
		 e->o.link ? " -> " : "", e->o.link ? e->o.link : "");
	return 0;
}

static void
unplug(struct emu *e, const char *why)
{
	if (!e->plugged)
		return;
	if (e->o.link)
		(void)unlink(e->o.link);
	close(e->master);
	close(e->slave);
	e->master = e->slave = -1;
	e->plugged = false;
	log_info("vest %s unplugged (%s) after %" PRIu64 " bytes", e->o.vest_id, why, e->sent_plug);
}

/* ---- requests ---- */

static uint8_t *
out_reserve(struct emu *e)
{
	if (OUT_CAP - e->out_tail < KT_DOCK_MAX_FRAME && e->out_head > 0) {
		memmove(e->out, e->out + e->out_head, e->out_tail - e->out_head);
		e->out_tail -= e->out_head;
		e->out_head = 0;
	}
	if (OUT_CAP - e->out_tail < KT_DOCK_MAX_FRAME)
		return NULL;
	return e->out + e->out_tail;
}

static void
queue_frame(struct emu *e, uint8_t type, uint8_t seq, size_t payload_len)
{
	uint8_t *f = e->out + e->out_tail;
	int n = kt_dock_frame_encode(type, seq, f + KT_DOCK_HEADER_LEN, payload_len, f,
				     OUT_CAP - e->out_tail);
	if (n > 0) {
		e->out_tail += (size_t)n;
		e->responses++;
	}
}

static void
queue_error(struct emu *e, const struct kt_dock_frame *req, uint8_t code, const char *msg)
{
	struct kt_dock_error er = {.request_type = req->type, .code = code};
	uint8_t *p = e->out + e->out_tail + KT_DOCK_HEADER_LEN;
	int n;

	snprintf(er.message, sizeof(er.message), "%s", msg ? msg : "");
	n = kt_dock_error_encode(&er, p, KT_DOCK_MAX_PAYLOAD);
	if (n >= 0)
		queue_frame(e, KT_DOCK_ERROR, req->seq, (size_t)n);
	if (e->o.verbose)
		log_info("%s seq %u -> ERROR %s %s", kt_dock_type_to_str(req->type), req->seq,
			 kt_dock_error_to_str(code), msg ? msg : "");
}

static int64_t
vest_clock(struct emu *e)
{
	return e->clock_known ? now_us(CLOCK_REALTIME) + e->clock_offset_us : KT_DOCK_UNKNOWN_TIME;
}

/* Handles one request; the out buffer has room for a maximal frame. */
static void
handle(struct emu *e, const struct kt_dock_frame *f)
{
	uint8_t *p = e->out + e->out_tail + KT_DOCK_HEADER_LEN;
	int n = -EPROTO;

	e->requests++;
	if (f->type & KT_DOCK_RESPONSE)
		return; /* never answer responses */

	switch (f->type) {
	case KT_DOCK_IDENTIFY: {
		struct kt_dock_identify id = {
			.protocol_version = KT_DOCK_PROTOCOL_VERSION,
			.flags = (uint8_t)(e->clock_set ? KT_DOCK_FLAG_CLOCK_SET : 0),
			.firmware = e->o.firmware,
			.battery_pct = e->o.battery,
			.n_sessions = sessions_listed(e),
			.free_bytes = 512ull * 1024 * 1024,
			.total_bytes = 1024ull * 1024 * 1024,
			.clock_unix_us = vest_clock(e),
		};
		snprintf(id.vest_id, sizeof(id.vest_id), "%s", e->o.vest_id);
		n = kt_dock_identify_encode(&id, p, KT_DOCK_MAX_PAYLOAD);
		break;
	}
	case KT_DOCK_LIST: {
		static struct kt_dock_list_resp lr;
		struct kt_dock_list_req rq;
		uint16_t idx = 0;

		if (kt_dock_list_req_decode(f->payload, f->len, &rq) < 0)
			break;
		memset(&lr, 0, sizeof(lr));
		lr.total = sessions_listed(e);
		lr.first = rq.first;
		for (size_t i = 0; i < e->n && lr.count < KT_DOCK_LIST_MAX; i++) {
			if (e->s[i].erased)
				continue;
			if (idx++ < lr.first)
				continue;
			lr.s[lr.count++] = (struct kt_dock_session_info){
				.id = e->s[i].id,
				.start_unix_us = e->s[i].start_unix_us,
				.size = e->s[i].size,
				.crc32 = e->s[i].crc32};
		}
		n = kt_dock_list_resp_encode(&lr, p, KT_DOCK_MAX_PAYLOAD);
		break;
	}
	case KT_DOCK_READ: {
		struct kt_dock_read_req rq;
		struct kt_dock_read_resp rs;
		struct session *s;
		uint32_t len;
		ssize_t k;

		if (kt_dock_read_req_decode(f->payload, f->len, &rq) < 0)
			break;
		s = session_find(e, rq.session_id);
		if (!s) {
			queue_error(e, f, KT_DOCK_E_NO_SUCH_SESSION, NULL);
			return;
		}
		if (rq.offset > s->size) {
			queue_error(e, f, KT_DOCK_E_BAD_OFFSET, NULL);
			return;
		}
		len = s->size - rq.offset < rq.max_len ? s->size - rq.offset : rq.max_len;
		k = len ? pread(s->fd, p + KT_DOCK_READ_RESP_HDR, len, rq.offset) : 0;
		if (k != (ssize_t)len) {
			queue_error(e, f, KT_DOCK_E_STORAGE, "read failed");
			return;
		}
		rs = (struct kt_dock_read_resp){.session_id = s->id,
						.offset = rq.offset,
						.size = s->size,
						.len = (uint16_t)len,
						.data = p + KT_DOCK_READ_RESP_HDR};
		n = kt_dock_read_resp_encode(&rs, p, KT_DOCK_MAX_PAYLOAD);
		/* a bad flash block: the CRC-32 kept with the data is right,
		 * the byte read back is not; the frame around it is intact */
		if (n >= 0 && e->o.damaged_at >= rq.offset &&
		    e->o.damaged_at < (int64_t)rq.offset + len) {
			p[KT_DOCK_READ_RESP_HDR + (e->o.damaged_at - rq.offset)] ^= 0x10;
			e->damaged_answers++;
		}
		break;
	}
	case KT_DOCK_SET_CLOCK: {
		struct kt_dock_set_clock sc, prev;

		if (kt_dock_set_clock_decode(f->payload, f->len, &sc) < 0 || sc.unix_us < 0)
			break;
		prev.unix_us = vest_clock(e);
		e->clock_offset_us = sc.unix_us - now_us(CLOCK_REALTIME);
		e->clock_known = e->clock_set = true;
		n = kt_dock_set_clock_encode(&prev, p, KT_DOCK_MAX_PAYLOAD);
		break;
	}
	case KT_DOCK_ERASE: {
		struct kt_dock_erase_req rq;
		struct kt_dock_erase_resp rs;
		struct session *s;

		if (kt_dock_erase_req_decode(f->payload, f->len, &rq) < 0)
			break;
		s = session_find(e, rq.session_id);
		if (!s) {
			queue_error(e, f, KT_DOCK_E_NO_SUCH_SESSION, NULL);
			return;
		}
		if (s->crc32 != rq.crc32) {
			queue_error(e, f, KT_DOCK_E_CRC_MISMATCH, NULL);
			return;
		}
		if (e->o.refuse_erase) {
			queue_error(e, f, KT_DOCK_E_REFUSED, "erase disabled");
			return;
		}
		s->erased = true;
		if (state_save(e) < 0) {
			s->erased = false;
			queue_error(e, f, KT_DOCK_E_STORAGE, "cannot record the erase");
			return;
		}
		log_info("vest %s: session %" PRIu32 " (%s) erased", e->o.vest_id, s->id, s->path);
		rs.session_id = s->id;
		n = kt_dock_erase_resp_encode(&rs, p, KT_DOCK_MAX_PAYLOAD);
		break;
	}
	default:
		queue_error(e, f, KT_DOCK_E_UNKNOWN_COMMAND, NULL);
		return;
	}
	if (n < 0) {
		queue_error(e, f, KT_DOCK_E_BAD_REQUEST, NULL);
		return;
	}
	if (e->o.verbose)
		log_info("%s seq %u -> %d bytes", kt_dock_type_to_str(f->type), f->seq, n);
	queue_frame(e, (uint8_t)(f->type | KT_DOCK_RESPONSE), f->seq, (size_t)n);
}

/* Feed buffered input to the decoder while there is room for responses. */
static void
process_input(struct emu *e)
{
	while (out_reserve(e)) {
		const uint8_t *p = e->in + e->in_pos;
		size_t n = e->in_len - e->in_pos;
		struct kt_dock_frame f;
		int r = kt_dock_decoder_push(&e->dec, &p, &n, &f);

		e->in_pos = e->in_len - n;
		if (r <= 0)
			break;
		handle(e, &f);
	}
	if (e->in_pos == e->in_len)
		e->in_pos = e->in_len = 0;
}

/* Fill the out buffer in the garbage and other-protocol modes. */
static void
produce_noise(struct emu *e)
{
	uint8_t *p;

	if (e->out_tail > e->out_head || !(p = out_reserve(e)))
		return;
	if (e->o.mode == MODE_GARBAGE) {
		for (int i = 0; i < 256; i++)
			p[i] = (uint8_t)rnd(e);
		e->out_tail += 256;
	} else {
		char body[128], line[160];
		int64_t t = now_us(CLOCK_REALTIME) / 1000000;
		int k;

		snprintf(body, sizeof(body),
			 "GPRMC,%02d%02d%02d.00,A,4807.038,N,01131.000,E,0.5,54.7,241125,,,A",
			 (int)(t / 3600 % 24), (int)(t / 60 % 60), (int)(t % 60));
		k = kt_nmea_encode(body, line, sizeof(line));
		if (k > 0) {
			memcpy(p, line, (size_t)k);
			e->out_tail += (size_t)k;
		}
	}
}

/* ---- output with the fault injection ---- */

static void
refill_tokens(struct emu *e, int64_t now)
{
	double burst;

	if (e->o.rate <= 0)
		return;
	burst = e->o.rate / 50 > 64 ? e->o.rate / 50 : 64;
	e->tokens += (double)(now - e->refill_us) * e->o.rate / 1e6;
	if (e->tokens > burst)
		e->tokens = burst;
	e->refill_us = now;
}

/* Bytes worth waking up for: about 100 writes a second at most, so 20
 * rate-limited emulators do not keep a small machine busy. */
static double
rate_quantum(struct emu *e)
{
	double q = e->o.rate / 100 > 64 ? e->o.rate / 100 : 64;
	double pending = (double)(e->out_tail - e->out_head);
	return pending < q ? pending : q;
}

static size_t
limit(size_t n, uint64_t done, uint64_t at)
{
	if (at > done && at - done < n)
		return (size_t)(at - done);
	return n;
}

static void
do_reboot(struct emu *e, int64_t now)
{
	log_info("vest %s reboots after %" PRIu64 " bytes", e->o.vest_id, e->sent_total);
	e->rebooted = true;
	e->reboot_until_us = now + e->o.reboot_ms * 1000;
	e->out_head = e->out_tail = 0;
	e->in_pos = e->in_len = 0;
	kt_dock_decoder_reset(&e->dec);
	e->clock_known = e->clock_set = false;
}

/* Write what the limits allow. Returns < 0 when the host side is gone. */
static int
send_some(struct emu *e, int64_t now)
{
	uint8_t tmp[KT_DOCK_MAX_FRAME];
	size_t n = e->out_tail - e->out_head;
	ssize_t k;

	if (n == 0) {
		/* nothing requested: the host is not keeping the link busy */
		if (e->first_tx_us && !e->idle_since_us)
			e->idle_since_us = now;
		return 0;
	}
	if (e->idle_since_us) {
		e->idle_us += (uint64_t)(now - e->idle_since_us);
		e->idle_since_us = 0;
	}
	if (now < e->stall_until_us || (e->rebooted && now < e->reboot_until_us))
		return 0;
	if (n > sizeof(tmp))
		n = sizeof(tmp);
	if (e->o.rate > 0) {
		refill_tokens(e, now);
		if (e->tokens < rate_quantum(e))
			return 0;
		if ((double)n > e->tokens)
			n = (size_t)e->tokens;
	}
	if (e->o.unplug_after)
		n = limit(n, e->sent_plug, e->o.unplug_after);
	if (e->o.reboot_after && !e->rebooted)
		n = limit(n, e->sent_total, e->o.reboot_after);
	if (e->o.stall_ms > 0 && e->next_stall)
		n = limit(n, e->sent_total, e->next_stall);

	memcpy(tmp, e->out + e->out_head, n);
	if (e->o.corrupt_rate > 0)
		for (size_t i = 0; i < n; i++)
			if (rnd01(e) < e->o.corrupt_rate)
				tmp[i] ^= (uint8_t)(1u << (rnd(e) & 7));
	k = write(e->master, tmp, n);
	if (k < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	e->out_head += (size_t)k;
	if (e->out_head == e->out_tail)
		e->out_head = e->out_tail = 0;
	e->sent_plug += (uint64_t)k;
	e->sent_total += (uint64_t)k;
	if (k > 0) {
		if (!e->first_tx_us)
			e->first_tx_us = now;
		e->last_tx_us = now;
	}
	if (e->o.rate > 0)
		e->tokens -= (double)k;

	if (e->o.stall_ms > 0 && e->next_stall && e->sent_total >= e->next_stall) {
		log_info("vest %s stalls for %" PRId64 " ms after %" PRIu64 " bytes", e->o.vest_id,
			 e->o.stall_ms, e->sent_total);
		e->stall_until_us = now + e->o.stall_ms * 1000;
		e->next_stall = e->o.stall_every ? e->next_stall + e->o.stall_every : 0;
	}
	if (e->o.reboot_after && !e->rebooted && e->sent_total >= e->o.reboot_after)
		do_reboot(e, now);
	if (e->o.unplug_after && e->sent_plug >= e->o.unplug_after &&
	    (e->o.unplug_count == 0 || e->unplugs < e->o.unplug_count)) {
		e->unplugs++;
		unplug(e, "--unplug-after");
		e->replug_at_us =
			e->o.replug_after_ms >= 0 ? now + e->o.replug_after_ms * 1000 : -1;
	}
	return 0;
}

/* ---- main loop ---- */

static int
run(struct emu *e)
{
	for (;;) {
		struct pollfd pfd[2] = {{.fd = e->sigfd, .events = POLLIN}};
		int64_t now = now_us(CLOCK_MONOTONIC), wake = -1;
		int nfds = 1, timeout, r;

		if (!e->plugged) {
			if (e->replug_at_us < 0)
				return 0; /* unplugged for good */
			if (now >= e->replug_at_us) {
				r = plug_in(e);
				if (r < 0)
					return r;
				continue;
			}
			wake = e->replug_at_us;
		} else {
			bool rebooting = e->rebooted && now < e->reboot_until_us;

			if (e->o.mode != MODE_DOCK)
				produce_noise(e);
			else if (!rebooting)
				process_input(e);
			r = send_some(e, now);
			if (r < 0) {
				log_info("vest %s: host side closed: %s", e->o.vest_id,
					 strerror(-r));
				return 0;
			}
			if (!e->plugged)
				continue;
			if (e->o.mode != MODE_DOCK)
				produce_noise(e); /* keep talking */

			pfd[1].fd = e->master;
			/* read only when the last input is consumed (back-pressure) */
			if (e->in_len == 0)
				pfd[1].events |= POLLIN;
			if (e->out_tail > e->out_head) {
				if (now < e->stall_until_us)
					wake = e->stall_until_us;
				else if (rebooting)
					wake = e->reboot_until_us;
				else if (e->o.rate > 0 && e->tokens < rate_quantum(e))
					wake = now +
					       (int64_t)((rate_quantum(e) - e->tokens) * 1e6 /
							 e->o.rate) +
					       1;
				else
					pfd[1].events |= POLLOUT;
			} else if (rebooting) {
				wake = e->reboot_until_us;
			}
			nfds = 2;
		}

		timeout = wake < 0 ? -1 : (int)((wake - now + 999) / 1000);
		if (wake >= 0 && timeout < 0)
			timeout = 0;
		r = poll(pfd, (nfds_t)nfds, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return log_error_errno(-errno, "poll failed: %m");
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(e->sigfd, &si, sizeof(si)) == sizeof(si))
				log_info("vest %s: signal %u, exiting", e->o.vest_id, si.ssi_signo);
			return 0;
		}
		if (nfds == 2 && (pfd[1].revents & POLLIN)) {
			ssize_t k = read(e->master, e->in, sizeof(e->in));
			if (k > 0) {
				if (e->rebooted && now_us(CLOCK_MONOTONIC) < e->reboot_until_us)
					k = 0; /* a rebooting vest hears nothing */
				if (e->o.mode != MODE_DOCK)
					k = 0; /* nor does one that speaks something else */
				e->in_pos = 0;
				e->in_len = (size_t)k;
			} else if (k < 0 && errno != EAGAIN && errno != EINTR && errno != EIO) {
				return log_error_errno(-errno, "cannot read %s: %m", e->slave_path);
			}
		}
	}
}

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: kicktrack-vest-emulator [OPTION]... --session FILE [--session FILE]...\n"
		"Play a kicktrack vest on a pseudo-terminal, serving session logs through dock\n"
		"protocol 1 (see firmware-protocols/dock.md). Prints the pty's path on stdout\n"
		"(again after every re-plug). Exits 0 on SIGTERM/SIGINT, or after an unplug\n"
		"without --replug-after-ms.\n"
		"\n"
		"Vest:\n"
		"  --vest-id ID            vest id (1-16 of A-Z a-z 0-9 _ - .; default: the id in\n"
		"                          the first session's log header, else EMU01)\n"
		"  --session FILE          a recorded session (repeatable); ids 1, 2, ... in "
		"order\n"
		"  --link PATH             also make PATH a symlink to the pty (removed on "
		"unplug)\n"
		"  --state-dir DIR         remember erased sessions in DIR/<vest-id>.state across "
		"runs\n"
		"  --firmware X.Y          firmware version reported by IDENTIFY (default 1.3)\n"
		"  --battery PCT           battery level reported by IDENTIFY (default 80)\n"
		"  --refuse-erase          answer ERASE with error REFUSED\n"
		"\n"
		"Faults:\n"
		"  --unplug-after N        close the pty (unplug) after sending N bytes\n"
		"  --unplug-count K        unplug K times, every N bytes after each plug-in\n"
		"                          (default 1; 0 = forever)\n"
		"  --replug-after-ms M     re-appear M ms after an unplug (same --link)\n"
		"  --corrupt-rate R        flip one bit in a sent byte with probability R (0..1)\n"
		"  --damaged-at OFFSET     the byte at OFFSET of each session reads back wrong\n"
		"                          (a bad flash block): every READ answer holding it is an\n"
		"                          intact frame whose data fails its CRC-32\n"
		"  --stall-ms N            stop sending for N ms ...\n"
		"  --stall-after B         ... once B bytes were sent (default 4096) ...\n"
		"  --stall-every B         ... and again every B bytes (default: only once)\n"
		"  --rate BYTES/S          limit the bytes sent per second (default: unlimited;\n"
		"                          4000 with --speak-garbage/--other-protocol)\n"
		"  --reboot-after N        after sending N bytes reboot: drop pending output and\n"
		"                          input, forget the clock, be deaf for --reboot-ms\n"
		"  --reboot-ms MS          reboot duration (default 500)\n"
		"  --speak-garbage         send random bytes and ignore requests\n"
		"  --other-protocol        send NMEA sentences (a GNSS receiver) and ignore "
		"requests\n"
		"  --seed N                random seed for --corrupt-rate and garbage (default 1)\n"
		"\n"
		"  -v, --verbose           log every request\n"
		"  -h, --help              this help\n"
		"  -V, --version           show the version\n");
}

static int
parse_u64(const char *opt, const char *s, uint64_t *ret)
{
	int64_t v;
	if (kt_safe_atoi64(s, &v) < 0 || v < 0)
		return log_error_errno(-EINVAL, "%s: invalid number \"%s\"", opt, s);
	*ret = (uint64_t)v;
	return 0;
}

static int
parse_double(const char *opt, const char *s, double lo, double hi, double *ret)
{
	double v;
	if (kt_safe_atod(s, &v) < 0 || !(v >= lo && v <= hi))
		return log_error_errno(-EINVAL, "%s: \"%s\" is not a number in [%g, %g]", opt, s,
				       lo, hi);
	*ret = v;
	return 0;
}

int
main(int argc, char **argv)
{
	enum {
		O_VEST = 256,
		O_SESSION,
		O_LINK,
		O_STATE,
		O_FW,
		O_BATT,
		O_REFUSE,
		O_UNPLUG,
		O_UNPLUG_COUNT,
		O_REPLUG,
		O_CORRUPT,
		O_DAMAGED_AT,
		O_STALL,
		O_STALL_AFTER,
		O_STALL_EVERY,
		O_RATE,
		O_REBOOT,
		O_REBOOT_MS,
		O_GARBAGE,
		O_OTHER,
		O_SEED,
	};
	static const struct option lo[] = {
		{"vest-id", required_argument, NULL, O_VEST},
		{"session", required_argument, NULL, O_SESSION},
		{"link", required_argument, NULL, O_LINK},
		{"state-dir", required_argument, NULL, O_STATE},
		{"firmware", required_argument, NULL, O_FW},
		{"battery", required_argument, NULL, O_BATT},
		{"refuse-erase", no_argument, NULL, O_REFUSE},
		{"unplug-after", required_argument, NULL, O_UNPLUG},
		{"unplug-count", required_argument, NULL, O_UNPLUG_COUNT},
		{"replug-after-ms", required_argument, NULL, O_REPLUG},
		{"corrupt-rate", required_argument, NULL, O_CORRUPT},
		{"damaged-at", required_argument, NULL, O_DAMAGED_AT},
		{"stall-ms", required_argument, NULL, O_STALL},
		{"stall-after", required_argument, NULL, O_STALL_AFTER},
		{"stall-every", required_argument, NULL, O_STALL_EVERY},
		{"rate", required_argument, NULL, O_RATE},
		{"reboot-after", required_argument, NULL, O_REBOOT},
		{"reboot-ms", required_argument, NULL, O_REBOOT_MS},
		{"speak-garbage", no_argument, NULL, O_GARBAGE},
		{"other-protocol", no_argument, NULL, O_OTHER},
		{"seed", required_argument, NULL, O_SEED},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{}};
	static struct emu e;
	const char **files = NULL;
	struct kt_args_seen seen = { 0 };
	size_t n_files = 0;
	uint64_t u;
	double d;
	sigset_t mask;
	int c, r;

	kt_log_set_program("kicktrack-vest-emulator");
	e.o = (struct opts){.vest_id = NULL,
			    .unplug_count = 1,
			    .replug_after_ms = -1,
			    .damaged_at = -1,
			    .stall_after = 4096,
			    .reboot_ms = 500,
			    .firmware = 0x0103,
			    .battery = 80,
			    .seed = 1};
	e.master = e.slave = e.sigfd = -1;

	/* a bad option is said in our words (kt-args), not getopt's */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vhV", lo, NULL)) >= 0) {
		const char *name = c >= 256 ? lo[c - 256].name : "";
		r = 0;
		/* --session is repeatable; every other value is given once */
		if (optarg && c != O_SESSION && kt_args_given_twice(&seen, lo, c, optarg)) {
			free(files);
			return 2;
		}
		switch (c) {
		case O_VEST:
			e.o.vest_id = optarg;
			break;
		case O_SESSION: {
			const char **nf = realloc(files, (n_files + 1) * sizeof(*files));
			if (!nf)
				return 1;
			files = nf;
			files[n_files++] = optarg;
			break;
		}
		case O_LINK:
			e.o.link = optarg;
			break;
		case O_STATE:
			e.o.state_dir = optarg;
			break;
		case O_FW: {
			unsigned maj, min;
			char extra;
			if (sscanf(optarg, "%u.%u%c", &maj, &min, &extra) != 2 || maj > 255 ||
			    min > 255)
				r = log_error_errno(-EINVAL, "--firmware: expected X.Y, got \"%s\"",
						    optarg);
			e.o.firmware = (uint16_t)(maj << 8 | min);
			break;
		}
		case O_BATT:
			r = parse_double(name, optarg, 0, 100, &d);
			e.o.battery = (uint8_t)d;
			break;
		case O_REFUSE:
			e.o.refuse_erase = true;
			break;
		case O_UNPLUG:
			r = parse_u64(name, optarg, &e.o.unplug_after);
			break;
		case O_UNPLUG_COUNT:
			r = parse_u64(name, optarg, &u);
			e.o.unplug_count = u > UINT_MAX ? UINT_MAX : (unsigned)u;
			break;
		case O_REPLUG:
			r = parse_u64(name, optarg, &u);
			e.o.replug_after_ms = (int64_t)(u > INT32_MAX ? INT32_MAX : u);
			break;
		case O_CORRUPT:
			r = parse_double(name, optarg, 0, 1, &e.o.corrupt_rate);
			break;
		case O_DAMAGED_AT:
			r = parse_u64(name, optarg, &u);
			e.o.damaged_at = (int64_t)(u > UINT32_MAX ? UINT32_MAX : u);
			break;
		case O_STALL:
			r = parse_u64(name, optarg, &u);
			e.o.stall_ms = (int64_t)(u > INT32_MAX ? INT32_MAX : u);
			break;
		case O_STALL_AFTER:
			r = parse_u64(name, optarg, &e.o.stall_after);
			break;
		case O_STALL_EVERY:
			r = parse_u64(name, optarg, &e.o.stall_every);
			break;
		case O_RATE:
			r = parse_double(name, optarg, 1, 1e9, &e.o.rate);
			break;
		case O_REBOOT:
			r = parse_u64(name, optarg, &e.o.reboot_after);
			break;
		case O_REBOOT_MS:
			r = parse_u64(name, optarg, &u);
			e.o.reboot_ms = (int64_t)(u > INT32_MAX ? INT32_MAX : u);
			break;
		case O_GARBAGE:
			e.o.mode = MODE_GARBAGE;
			break;
		case O_OTHER:
			e.o.mode = MODE_OTHER;
			break;
		case O_SEED:
			r = parse_u64(name, optarg, &u);
			e.o.seed = (uint32_t)u;
			break;
		case 'v':
			e.o.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			kt_args_version("kicktrack-vest-emulator");
			free(files);
			return 0;
		default: /* '?' or ':' */
			kt_args_bad_option(NULL, "kicktrack-vest-emulator", c, argv, lo);
			free(files);
			return 2;
		}
		if (r < 0) {
			free(files);
			return 2;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument \"%s\"", argv[optind]);
		free(files);
		return 2;
	}
	for (size_t i = 0; i < n_files; i++)
		if (session_add(&e, files[i]) < 0) {
			free(files);
			return 1;
		}
	free(files);
	if (!e.o.vest_id)
		e.o.vest_id = e.n > 0 && e.s[0].log_vest_id[0] ? e.s[0].log_vest_id : "EMU01";
	{
		struct kt_dock_identify probe = {0};
		uint8_t buf[KT_DOCK_IDENTIFY_LEN];
		size_t l = strlen(e.o.vest_id);
		snprintf(probe.vest_id, sizeof(probe.vest_id), "%s", e.o.vest_id);
		if (l == 0 || l > KT_DOCK_VEST_ID_LEN ||
		    kt_dock_identify_encode(&probe, buf, sizeof(buf)) < 0 ||
		    kt_dock_identify_decode(buf, sizeof(buf), &probe) < 0) {
			log_error("--vest-id: \"%s\" is not a valid vest id (1-16 of A-Z a-z 0-9 _ "
				  "- .)",
				  e.o.vest_id);
			return 2;
		}
	}
	if (n_files == 0 && e.o.mode == MODE_DOCK)
		log_warning("no --session given: the vest is empty");
	if (e.o.mode != MODE_DOCK && e.o.rate <= 0)
		e.o.rate = 4000;
	e.rng = e.o.seed ? e.o.seed : 1;
	e.next_stall = e.o.stall_ms > 0 ? (e.o.stall_after ? e.o.stall_after : 1) : 0;
	e.clock_known = true; /* a vest's RTC runs from the battery; only a reboot loses it */
	kt_dock_decoder_init(&e.dec);

	if (state_load(&e) < 0)
		return 1;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	e.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (e.sigfd < 0) {
		log_error_errno(-errno, "signalfd failed: %m");
		return 1;
	}
	e.refill_us = now_us(CLOCK_MONOTONIC);

	r = plug_in(&e);
	if (r >= 0)
		r = run(&e);
	unplug(&e, "exit");
	log_info("vest %s: %" PRIu64 " requests, %" PRIu64 " responses, %" PRIu64
		 " bytes sent, %" PRIu64 " bytes of garbage received",
		 e.o.vest_id, e.requests, e.responses, e.sent_total,
		 e.dec.rejected[KT_DOCK_REJECT_GARBAGE_BYTES]);
	if (e.o.damaged_at >= 0)
		log_info("vest %s: %" PRIu64 " READ answers with the damaged byte at %" PRId64
			 " (--damaged-at)", e.o.vest_id, e.damaged_answers, e.o.damaged_at);
	if (e.last_tx_us > e.first_tx_us)
		log_info("vest %s: sent for %.3f s at %.0f B/s; idle (nothing requested) %.3f s",
			 e.o.vest_id, (double)(e.last_tx_us - e.first_tx_us) / 1e6,
			 (double)e.sent_total * 1e6 / (double)(e.last_tx_us - e.first_tx_us),
			 (double)e.idle_us / 1e6);
	for (size_t i = 0; i < e.n; i++) {
		close(e.s[i].fd);
		free(e.s[i].path);
	}
	free(e.s);
	close(e.sigfd);
	return r < 0 ? 1 : 0;
}
