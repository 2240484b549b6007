/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The vest emulator against a small dock client (written here from dock.md,
 * independent of the daemon) that downloads every session into a kt_store and
 * checks the archived copies are byte-identical to the emulator's files, under
 * each fault the emulator can inject.
 *
 * Usage: test-emulator-download EMULATOR SCENARIO   (see the table at the end)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kt-config.h"
#include "kt_dock.h"
#include "kt_frame.h"
#include "store/kt-store.h"

#include "../../kt-test.h"

static const char *emulator;
static char tmpdir[256];

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- session files ---- */

struct file {
	char path[300];
	uint8_t *data;
	size_t size;
};

static struct file files[80];
static size_t n_files = 3;

static void
write_file(struct file *f, const char *name, const uint8_t *data, size_t size)
{
	FILE *o;

	snprintf(f->path, sizeof(f->path), "%s/%s", tmpdir, name);
	free(f->data);
	f->data = malloc(size ? size : 1);
	memcpy(f->data, data, size);
	f->size = size;
	o = fopen(f->path, "we");
	if (!o || fwrite(data, 1, size, o) != size || fclose(o) != 0) {
		perror(f->path);
		exit(1);
	}
}

static void
make_sessions(void)
{
	static uint8_t buf[400000];
	size_t n = 0;
	uint32_t x = 7;

	/* an NMEA log of 10 Hz epochs (~160 KB) */
	for (int i = 0; n + 200 < 160000; i++) {
		char body[120];
		int k;
		snprintf(body, sizeof(body),
			 "GPRMC,18%02d%02d.%d0,A,4807.%03d,N,01131.%03d,E,%d.%d,54.7,241125,,,A",
			 i / 600 % 60, i / 10 % 60, i % 10, i % 1000, (i * 7) % 1000, i % 13,
			 i % 10);
		k = kt_nmea_encode(body, (char *)buf + n, sizeof(buf) - n);
		if (k < 0)
			break;
		n += (size_t)k;
	}
	write_file(&files[0], "s1.nmea", buf, n);
	/* binary data full of dock start-of-frame bytes (~70 KB) */
	for (n = 0; n < 70001; n++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[n] = (x & 3) == 0	? KT_DOCK_SOF0
			 : (x & 3) == 1 ? KT_DOCK_SOF1
					: (uint8_t)(x >> 8);
	}
	write_file(&files[1], "s2.ubx", buf, n);
	/* an empty session */
	write_file(&files[2], "s3.log", buf, 0);
}

/* ---- the emulator process ---- */

struct emu {
	pid_t pid;
	char link[300];
	char log[300];
};

static void
emu_start(struct emu *e, const char *vest_id, const char *const *extra)
{
	const char *argv[256];
	int n = 0;

	const char *name = vest_id ? vest_id : "from-log";

	snprintf(e->link, sizeof(e->link), "%s/%s.tty", tmpdir, name);
	snprintf(e->log, sizeof(e->log), "%s/%s.emulator.log", tmpdir, name);
	argv[n++] = emulator;
	if (vest_id) {
		argv[n++] = "--vest-id";
		argv[n++] = vest_id;
	}
	argv[n++] = "--link";
	argv[n++] = e->link;
	for (size_t i = 0; i < n_files; i++) {
		argv[n++] = "--session";
		argv[n++] = files[i].path;
	}
	for (int i = 0; extra && extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;

	e->pid = fork();
	if (e->pid == 0) {
		int lf = open(e->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int nul = open("/dev/null", O_WRONLY);
		dup2(nul, 1);
		dup2(lf, 2);
		execv(emulator, (char **)argv);
		_exit(127);
	}
	if (e->pid < 0) {
		perror("fork");
		exit(1);
	}
}

static void
emu_dump_log(struct emu *e)
{
	char line[512];
	FILE *f = fopen(e->log, "re");
	if (!f)
		return;
	fprintf(stderr, "---- %s\n", e->log);
	while (fgets(line, sizeof(line), f))
		fputs(line, stderr);
	fclose(f);
}

/* SIGTERM; the emulator must exit 0 and remove its link. */
static int
emu_stop(struct emu *e)
{
	int status = 0;
	struct stat st;

	kill(e->pid, SIGTERM);
	waitpid(e->pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(lstat(e->link, &st) < 0 && errno == ENOENT);
	if (failures)
		emu_dump_log(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static bool
emu_log_has(struct emu *e, const char *needle)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(e->log, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* ---- a minimal host ---- */

struct client {
	const char *link;
	int fd;
	uint8_t seq;
	struct kt_dock_decoder dec;
	struct kt_dock_frame f; /* last response */
	uint8_t payload[KT_DOCK_MAX_PAYLOAD];
	uint8_t rbuf[8192];
	size_t rpos, rlen;
	unsigned connects, timeouts, garbled, stale;
	uint64_t bytes_read;
};

static int
client_connect(struct client *c, int wait_ms)
{
	int64_t until = now_ms() + wait_ms;
	struct termios t;
	char real[300];

	for (;;) {
		if (realpath(c->link, real)) {
			c->fd = open(real, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
			if (c->fd >= 0)
				break;
		}
		if (now_ms() > until)
			return -ENODEV;
		sleep_ms(10);
	}
	if (tcgetattr(c->fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(c->fd, TCSANOW, &t);
	}
	kt_dock_decoder_reset(&c->dec);
	c->rpos = c->rlen = 0;
	c->connects++;
	return 0;
}

static void
client_disconnect(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int
client_send(struct client *c, uint8_t type, const uint8_t *payload, size_t len, uint8_t *ret_seq)
{
	uint8_t frame[KT_DOCK_MAX_FRAME];
	int n = kt_dock_frame_encode(type, c->seq, payload, len, frame, sizeof(frame));
	ssize_t k;

	if (n < 0)
		return n;
	k = write(c->fd, frame, (size_t)n);
	if (k != n)
		return -EPIPE;
	*ret_seq = c->seq++;
	return 0;
}

static uint64_t
rejects(const struct client *c)
{
	return c->dec.rejected[KT_DOCK_REJECT_CRC] + c->dec.rejected[KT_DOCK_REJECT_HEADER] +
	       c->dec.rejected[KT_DOCK_REJECT_TOO_LONG];
}

/* Wait for the response with this seq. -ETIMEDOUT, -EPIPE (unplugged).
 * Bytes after that frame stay in c->rbuf for the next call (pipelining). */
static int
client_wait(struct client *c, uint8_t seq, int timeout_ms)
{
	int64_t until = now_ms() + timeout_ms;
	uint64_t bad0 = rejects(c);

	for (;;) {
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
		const uint8_t *p = c->rbuf + c->rpos;
		size_t n = c->rlen - c->rpos;
		int64_t left;
		ssize_t k;
		int got;

		while ((got = kt_dock_decoder_push(&c->dec, &p, &n, &c->f)) > 0) {
			if (c->f.seq == seq)
				break;
			c->stale++;
		}
		c->rpos = c->rlen - n;
		if (got > 0) {
			memcpy(c->payload, c->f.payload, c->f.len);
			c->f.payload = c->payload;
			return 0;
		}
		/* a frame was rejected while nothing else is pending: the
		 * response was damaged, ask again at once (dock.md 5) */
		if (rejects(c) != bad0 && !kt_dock_decoder_partial(&c->dec) && c->rpos == c->rlen)
			return -EBADMSG;
		left = until - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) < 0)
			return -errno;
		if (pfd.revents & (POLLHUP | POLLERR))
			return -EPIPE;
		if (!(pfd.revents & POLLIN))
			continue;
		k = read(c->fd, c->rbuf, sizeof(c->rbuf));
		if (k == 0 || (k < 0 && errno == EIO))
			return -EPIPE;
		if (k < 0)
			continue;
		c->bytes_read += (uint64_t)k;
		c->rpos = 0;
		c->rlen = (size_t)k;
	}
}

/* One request with retries (new seq each time). Returns 0 with c->f set to
 * the response (or ERROR frame), -EPIPE when unplugged, -ETIMEDOUT. */
static int
client_request(struct client *c, uint8_t type, const uint8_t *payload, size_t len)
{
	for (int attempt = 0; attempt <= KT_DOCK_RETRIES; attempt++) {
		uint8_t seq;
		int r = client_send(c, type, payload, len, &seq);
		if (r < 0)
			return r;
		r = client_wait(c, seq, KT_DOCK_T_RESPONSE_MS);
		if (r == -ETIMEDOUT) {
			c->timeouts++;
			continue;
		}
		if (r == -EBADMSG) {
			c->garbled++;
			continue;
		}
		if (r < 0)
			return r;
		if (c->f.type != (type | KT_DOCK_RESPONSE) && c->f.type != KT_DOCK_ERROR) {
			c->garbled++;
			continue;
		}
		return 0;
	}
	return -ETIMEDOUT;
}

struct vest_state {
	struct kt_dock_identify id;
	uint16_t n;
	struct kt_dock_session_info s[256];
};

static int
client_identify_list(struct client *c, struct vest_state *v)
{
	static struct kt_dock_list_resp lr;
	int r;

	r = client_request(c, KT_DOCK_IDENTIFY, NULL, 0);
	if (r < 0)
		return r;
	if (c->f.type != KT_DOCK_IDENTIFY_RESP ||
	    kt_dock_identify_decode(c->f.payload, c->f.len, &v->id) < 0)
		return -EPROTO;
	v->n = 0;
	for (;;) {
		struct kt_dock_list_req rq = {.first = v->n};
		uint8_t p[8];
		int n = kt_dock_list_req_encode(&rq, p, sizeof(p));
		r = client_request(c, KT_DOCK_LIST, p, (size_t)n);
		if (r < 0)
			return r;
		if (c->f.type != KT_DOCK_LIST_RESP ||
		    kt_dock_list_resp_decode(c->f.payload, c->f.len, &lr) < 0)
			return -EPROTO;
		for (unsigned i = 0; i < lr.count && v->n < 256; i++)
			v->s[v->n++] = lr.s[i];
		if (v->n >= lr.total)
			return 0;
	}
}

/* Download one session into the store, resuming from what the store holds. */
static int
client_download(struct client *c,
		struct kt_store *st,
		const char *vest,
		const struct kt_dock_session_info *si,
		unsigned *resumed_from_nonzero)
{
	struct kt_store_download *d;
	int r;

	r = kt_store_download_begin(st, vest, si->id, si->crc32, si->size, si->start_unix_us, &d);
	if (r == -EEXIST)
		return 0;
	if (r < 0)
		return r;
	if (kt_store_download_offset(d) > 0)
		(*resumed_from_nonzero)++;
	while (kt_store_download_offset(d) < si->size) {
		struct kt_dock_read_req rq = {.session_id = si->id,
					      .offset = kt_store_download_offset(d),
					      .max_len = KT_DOCK_MAX_CHUNK};
		struct kt_dock_read_resp rs;
		uint8_t p[16];
		int n = kt_dock_read_req_encode(&rq, p, sizeof(p));

		r = client_request(c, KT_DOCK_READ, p, (size_t)n);
		if (r < 0)
			break;
		if (c->f.type != KT_DOCK_READ_RESP) {
			r = -EPROTO;
			break;
		}
		r = kt_dock_read_resp_decode(c->f.payload, c->f.len, &rs);
		if (r < 0 || rs.session_id != si->id || rs.offset != rq.offset ||
		    rs.size != si->size || rs.len == 0) {
			c->garbled++;
			continue; /* can only happen with frame-level luck; ask again */
		}
		r = kt_store_download_append(d, rs.offset, rs.data, rs.len, rs.data_crc32);
		if (r < 0)
			break;
	}
	if (r < 0) {
		kt_store_download_free(d); /* keep the partial: resume later */
		return r;
	}
	r = kt_store_download_commit(d, NULL);
	return r == -EEXIST ? 0 : r;
}

struct run_opts {
	bool erase;
	int max_connects;
};

/* The host loop: connect, identify, list, download all, (erase). Survives
 * unplugs by reconnecting. Returns 0 when every listed session is stored. */
static int
host_run(struct client *c,
	 struct kt_store *st,
	 const struct run_opts *o,
	 struct vest_state *v,
	 unsigned *resumes)
{
	int r = -ENODEV;

	for (int round = 0; round < o->max_connects; round++) {
		if (c->fd < 0 && client_connect(c, 5000) < 0)
			return -ENODEV;
		r = client_identify_list(c, v);
		for (unsigned i = 0; r >= 0 && i < v->n; i++) {
			r = client_download(c, st, v->id.vest_id, &v->s[i], resumes);
			if (r == -EBADMSG)
				r = -EAGAIN; /* whole CRC failed: the partial is gone, go again */
		}
		for (unsigned i = 0; r >= 0 && o->erase && i < v->n; i++) {
			struct kt_dock_erase_req eq = {.session_id = v->s[i].id,
						       .crc32 = v->s[i].crc32};
			uint8_t p[8];
			int n = kt_dock_erase_req_encode(&eq, p, sizeof(p));

			CHECK(kt_store_is_stored(st, v->id.vest_id, v->s[i].id, v->s[i].crc32) ==
			      1);
			r = client_request(c, KT_DOCK_ERASE, p, (size_t)n);
			if (r >= 0 && c->f.type == KT_DOCK_ERROR) {
				struct kt_dock_error er;
				CHECK(kt_dock_error_decode(c->f.payload, c->f.len, &er) == 0);
				r = er.code == KT_DOCK_E_NO_SUCH_SESSION ? 0 : -EPERM;
			}
		}
		if (r >= 0)
			return 0;
		if (r == -EPIPE || r == -ETIMEDOUT || r == -EAGAIN) {
			client_disconnect(c);
			continue;
		}
		fprintf(stderr, "host: %s\n", strerror(-r));
		return r;
	}
	return r;
}

static void
check_archive(struct kt_store *st, const char *vest)
{
	for (size_t i = 0; i < n_files; i++) {
		uint32_t crc = kt_crc32(0, files[i].data, files[i].size);
		char *path = NULL;
		uint8_t *buf;
		struct stat sb;
		FILE *f;

		CHECK(kt_store_is_stored(st, vest, (uint32_t)i + 1, crc) == 1);
		CHECK(kt_store_raw_path(st, vest, (uint32_t)i + 1, crc, &path) == 0);
		f = path ? fopen(path, "re") : NULL;
		CHECK(f != NULL);
		if (!f) {
			free(path);
			continue;
		}
		CHECK(fstat(fileno(f), &sb) == 0 && (size_t)sb.st_size == files[i].size);
		CHECK((sb.st_mode & 07777) == 0640);
		buf = malloc(files[i].size + 1);
		CHECK(fread(buf, 1, files[i].size + 1, f) == files[i].size);
		CHECK(memcmp(buf, files[i].data, files[i].size) == 0);
		free(buf);
		fclose(f);
		free(path);
	}
}

static struct kt_store *
fresh_store(const char *name)
{
	struct kt_store *st;
	char root[400];

	snprintf(root, sizeof(root), "%s/%s", tmpdir, name);
	if (kt_store_open(root, &st) < 0) {
		fprintf(stderr, "cannot open store %s\n", root);
		exit(1);
	}
	return st;
}

/* ---- scenarios ---- */

static void
download_with(const char *vest,
	      const char *const *extra,
	      bool erase,
	      int max_connects,
	      struct client *out_client,
	      unsigned *out_resumes)
{
	static struct client c;
	struct vest_state v;
	struct emu e;
	struct kt_store *st = fresh_store(vest);
	struct run_opts o = {.erase = erase, .max_connects = max_connects};
	unsigned resumes = 0;
	int r;

	memset(&c, 0, sizeof(c));
	c.fd = -1;
	kt_dock_decoder_init(&c.dec);
	emu_start(&e, vest, extra);
	c.link = e.link;
	r = host_run(&c, st, &o, &v, &resumes);
	CHECK(r == 0);
	if (r == 0) {
		CHECK(strcmp(v.id.vest_id, vest) == 0);
		CHECK(v.id.protocol_version == 1);
		check_archive(st, vest);
	}
	client_disconnect(&c);
	emu_stop(&e);
	if (out_client)
		*out_client = c;
	if (out_resumes)
		*out_resumes = resumes;
	kt_store_free(st);
}

static void
scenario_basic(void)
{
	static struct client c, c2;
	struct vest_state v;
	struct emu e;
	struct kt_store *st;
	char state[400];
	unsigned resumes = 0;
	struct run_opts o = {.erase = false, .max_connects = 1};

	snprintf(state, sizeof(state), "--state-dir=%s/state", tmpdir);
	const char *extra[] = {state, NULL};

	/* download without erase; then erase, and a restarted vest remembers */
	download_with("basic", extra, false, 1, &c, &resumes);
	CHECK(c.connects == 1);
	CHECK(c.timeouts == 0);
	CHECK(c.dec.rejected[KT_DOCK_REJECT_CRC] == 0);
	CHECK(resumes == 0);

	download_with("basic", extra, true, 1, NULL, NULL);

	memset(&c2, 0, sizeof(c2));
	c2.fd = -1;
	emu_start(&e, "basic", extra);
	c2.link = e.link;
	st = fresh_store("basic-after-erase");
	CHECK(client_connect(&c2, 5000) == 0);
	CHECK(client_identify_list(&c2, &v) == 0);
	CHECK(v.n == 0);
	CHECK(v.id.n_sessions == 0);
	CHECK(host_run(&c2, st, &o, &v, &resumes) == 0);
	client_disconnect(&c2);
	emu_stop(&e);
	kt_store_free(st);
}

static void
scenario_unplug(void)
{
	/* unplug at many byte offsets (inside headers, payloads, CRCs, between
	 * frames, in every session) and re-plug: the archive is byte-identical */
	static const char *const offsets[] = {"1",     "7",	 "30",	   "59",
					      "4000",  "4107",	 "4200",   "65536",
					      "70000", "150000", "200000", "225000"};
	unsigned total_resumes = 0;

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		char vest[32];
		unsigned resumes = 0;
		struct client c;
		const char *extra[] = {"--unplug-after", offsets[i], "--replug-after-ms", "50",
				       NULL};

		snprintf(vest, sizeof(vest), "unplug%s", offsets[i]);
		download_with(vest, extra, true, 10, &c, &resumes);
		if (c.connects != 2)
			fprintf(stderr, "unplug after %s bytes: %u connects\n", offsets[i],
				c.connects);
		CHECK(c.connects == 2);
		total_resumes += resumes;
	}
	/* an unplug in the middle of a session resumes it from a nonzero offset */
	CHECK(total_resumes > 0);

	/* and unplugged every 9000 bytes, forever: dozens of resumes */
	{
		unsigned resumes = 0;
		struct client c;
		const char *extra[] = {"--unplug-after",
				       "9000",
				       "--unplug-count",
				       "0",
				       "--replug-after-ms",
				       "20",
				       NULL};
		download_with("unplugmany", extra, true, 100, &c, &resumes);
		CHECK(c.connects > 20);
		CHECK(resumes > 10);
		/* resuming means hardly anything is fetched twice */
		CHECK(c.bytes_read < (uint64_t)(files[0].size + files[1].size) * 12 / 10);
	}
}

static void
scenario_corrupt(void)
{
	struct client c;
	const char *extra[] = {"--corrupt-rate", "0.0002", "--seed", "42", NULL};

	download_with("corrupt", extra, true, 20, &c, NULL);
	/* corrupted frames were seen and rejected, and still the copy is exact */
	CHECK(rejects(&c) > 0);
	CHECK(c.garbled > 0);
}

static void
scenario_stall(void)
{
	struct client c;
	const char *extra[] = {"--stall-ms", "1300", "--stall-after", "50000", NULL};

	download_with("stall", extra, true, 3, &c, NULL);
	/* the host timed out once, retried with a new seq, and dropped the
	 * late answer to the first attempt */
	CHECK(c.timeouts >= 1);
	CHECK(c.stale >= 1);
}

static void
scenario_rate(void)
{
	struct client c;
	int64_t t0 = now_ms();
	const char *extra[] = {"--rate", "400000", NULL};
	uint64_t total = files[0].size + files[1].size;

	download_with("rate", extra, false, 1, &c, NULL);
	/* it cannot be faster than the limit (a lower bound is safe on a busy
	 * machine): 230 KB at 400 kB/s take at least 0.5 s */
	CHECK(now_ms() - t0 >= (int64_t)(total * 1000 / 400000) * 9 / 10);
}

static void
scenario_reboot(void)
{
	struct client c;
	const char *extra[] = {"--reboot-after", "100000", "--reboot-ms", "300", NULL};
	struct emu dummy;

	download_with("reboot", extra, true, 3, &c, NULL);
	CHECK(c.timeouts >= 1);
	snprintf(dummy.log, sizeof(dummy.log), "%s/reboot.emulator.log", tmpdir);
	CHECK(emu_log_has(&dummy, "reboots after 100000 bytes"));
}

static int
erase_code(struct client *c, uint32_t id, uint32_t crc)
{
	struct kt_dock_erase_req eq = {.session_id = id, .crc32 = crc};
	struct kt_dock_error er;
	uint8_t p[8];
	int n = kt_dock_erase_req_encode(&eq, p, sizeof(p));

	if (client_request(c, KT_DOCK_ERASE, p, (size_t)n) < 0)
		return -1;
	if (c->f.type == KT_DOCK_ERASE_RESP)
		return 0;
	if (c->f.type != KT_DOCK_ERROR || kt_dock_error_decode(c->f.payload, c->f.len, &er) < 0)
		return -1;
	return er.code;
}

static void
scenario_erase_rules(void)
{
	static struct client c;
	struct vest_state v;
	struct emu e;
	uint32_t crc0 = kt_crc32(0, files[0].data, files[0].size);

	/* --refuse-erase: REFUSED, nothing erased */
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	{
		const char *extra[] = {"--refuse-erase", NULL};
		emu_start(&e, "refuse", extra);
	}
	c.link = e.link;
	CHECK(client_connect(&c, 5000) == 0);
	CHECK(erase_code(&c, 1, crc0) == KT_DOCK_E_REFUSED);
	CHECK(client_identify_list(&c, &v) == 0 && v.n == 3);
	client_disconnect(&c);
	emu_stop(&e);

	/* wrong CRC or unknown id: nothing erased; the right pair erases */
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	emu_start(&e, "eraserules", NULL);
	c.link = e.link;
	CHECK(client_connect(&c, 5000) == 0);
	CHECK(erase_code(&c, 1, crc0 ^ 1) == KT_DOCK_E_CRC_MISMATCH);
	CHECK(erase_code(&c, 2, crc0) == KT_DOCK_E_CRC_MISMATCH);
	CHECK(erase_code(&c, 99, crc0) == KT_DOCK_E_NO_SUCH_SESSION);
	CHECK(client_identify_list(&c, &v) == 0 && v.n == 3);
	CHECK(erase_code(&c, 1, crc0) == 0);
	/* a retried ERASE: NO_SUCH_SESSION, and LIST confirms it is gone */
	CHECK(erase_code(&c, 1, crc0) == KT_DOCK_E_NO_SUCH_SESSION);
	CHECK(client_identify_list(&c, &v) == 0 && v.n == 2 && v.s[0].id == 2);
	CHECK(v.id.n_sessions == 2);

	/* READ of an erased session, bad offset, unknown command, bad payload */
	{
		struct kt_dock_read_req rq = {.session_id = 1, .offset = 0, .max_len = 10};
		struct kt_dock_error er;
		uint8_t p[16];
		int n = kt_dock_read_req_encode(&rq, p, sizeof(p));
		CHECK(client_request(&c, KT_DOCK_READ, p, (size_t)n) == 0);
		CHECK(c.f.type == KT_DOCK_ERROR &&
		      kt_dock_error_decode(c.f.payload, c.f.len, &er) == 0 &&
		      er.code == KT_DOCK_E_NO_SUCH_SESSION);
		rq = (struct kt_dock_read_req){
			.session_id = 2, .offset = (uint32_t)files[1].size + 1, .max_len = 10};
		n = kt_dock_read_req_encode(&rq, p, sizeof(p));
		CHECK(client_request(&c, KT_DOCK_READ, p, (size_t)n) == 0);
		CHECK(c.f.type == KT_DOCK_ERROR &&
		      kt_dock_error_decode(c.f.payload, c.f.len, &er) == 0 &&
		      er.code == KT_DOCK_E_BAD_OFFSET && er.request_type == KT_DOCK_READ);
		CHECK(client_request(&c, 0x42, NULL, 0) == 0);
		CHECK(c.f.type == KT_DOCK_ERROR &&
		      kt_dock_error_decode(c.f.payload, c.f.len, &er) == 0 &&
		      er.code == KT_DOCK_E_UNKNOWN_COMMAND);
		CHECK(client_request(&c, KT_DOCK_READ, p, 3) == 0);
		CHECK(c.f.type == KT_DOCK_ERROR &&
		      kt_dock_error_decode(c.f.payload, c.f.len, &er) == 0 &&
		      er.code == KT_DOCK_E_BAD_REQUEST);
		/* READ at the end: len 0 */
		rq = (struct kt_dock_read_req){
			.session_id = 2, .offset = (uint32_t)files[1].size, .max_len = 10};
		n = kt_dock_read_req_encode(&rq, p, sizeof(p));
		struct kt_dock_read_resp rs;
		CHECK(client_request(&c, KT_DOCK_READ, p, (size_t)n) == 0);
		CHECK(c.f.type == KT_DOCK_READ_RESP &&
		      kt_dock_read_resp_decode(c.f.payload, c.f.len, &rs) == 0 && rs.len == 0);
	}

	/* SET_CLOCK answers the old time and IDENTIFY then reports the new one */
	{
		struct kt_dock_set_clock sc = {.unix_us = 1764009000000000ll}, prev;
		uint8_t p[8];
		int n = kt_dock_set_clock_encode(&sc, p, sizeof(p));
		CHECK(client_request(&c, KT_DOCK_SET_CLOCK, p, (size_t)n) == 0);
		CHECK(c.f.type == KT_DOCK_SET_CLOCK_RESP &&
		      kt_dock_set_clock_decode(c.f.payload, c.f.len, &prev) == 0);
		CHECK(client_identify_list(&c, &v) == 0);
		CHECK(v.id.flags & KT_DOCK_FLAG_CLOCK_SET);
		CHECK(v.id.clock_unix_us >= sc.unix_us &&
		      v.id.clock_unix_us < sc.unix_us + 60000000ll);
	}

	/* pipelining: 4 READs sent at once are answered in order */
	{
		uint8_t seqs[4], frame[KT_DOCK_MAX_FRAME * 4], *q = frame;
		for (int i = 0; i < 4; i++) {
			struct kt_dock_read_req rq = {
				.session_id = 2, .offset = (uint32_t)i * 1000, .max_len = 1000};
			uint8_t p[16];
			int n = kt_dock_read_req_encode(&rq, p, sizeof(p));
			seqs[i] = c.seq++;
			q += kt_dock_frame_encode(KT_DOCK_READ, seqs[i], p, (size_t)n, q,
						  KT_DOCK_MAX_FRAME);
		}
		CHECK(write(c.fd, frame, (size_t)(q - frame)) == q - frame);
		for (int i = 0; i < 4; i++) {
			struct kt_dock_read_resp rs;
			CHECK(client_wait(&c, seqs[i], 2000) == 0);
			CHECK(kt_dock_read_resp_decode(c.f.payload, c.f.len, &rs) == 0);
			CHECK(rs.offset == (uint32_t)i * 1000 && rs.len == 1000);
			CHECK(memcmp(rs.data, files[1].data + i * 1000, 1000) == 0);
		}
	}
	client_disconnect(&c);
	emu_stop(&e);
}

static void
scenario_bad_vest(void)
{
	static const char *const modes[] = {"--speak-garbage", "--other-protocol"};

	for (int m = 0; m < 2; m++) {
		static struct client c;
		struct vest_state v;
		struct emu e;
		const char *extra[] = {modes[m], "--rate", "20000", NULL};

		memset(&c, 0, sizeof(c));
		c.fd = -1;
		emu_start(&e, m ? "nmea" : "garbage", extra);
		c.link = e.link;
		CHECK(client_connect(&c, 5000) == 0);
		/* no answer, only noise that the framer throws away */
		CHECK(client_identify_list(&c, &v) == -ETIMEDOUT);
		CHECK(c.dec.frames == 0);
		CHECK(c.dec.rejected[KT_DOCK_REJECT_GARBAGE_BYTES] > 1000);
		client_disconnect(&c);
		emu_stop(&e);
	}
}

static void
scenario_usage(void)
{
	/* bad options are refused with exit code 2 and a message */
	static const char *const bad[][4] = {
		{"--vest-id", "a/b", NULL},
		{"--corrupt-rate", "2", NULL},
		{"--rate", "fast", NULL},
		{"--session", "/nonexistent/file", NULL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int status;
		pid_t pid = fork();
		if (pid == 0) {
			const char *argv[6] = {emulator, bad[i][0], bad[i][1], NULL};
			int nul = open("/dev/null", O_WRONLY);
			dup2(nul, 1);
			dup2(nul, 2);
			execv(emulator, (char **)argv);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 127);
	}
	/* a bad option in the words of every kicktrack program (kt-args, not
	 * getopt's): one line naming it, then where to look, exit 2 */
	static const char *const opt[][2] = {
		{"--bogus", "unknown option '--bogus'"},
		{"-Z", "unknown option '-Z'"},
		{"--link", "option '--link' needs a value"},
		{"--refuse-erase=1", "option '--refuse-erase' takes no value"},
		{"--st", "option '--st' is ambiguous"},
	};
	kt_test_bad_options(emulator, "kicktrack-vest-emulator", opt, sizeof(opt) / sizeof(opt[0]));
	/* a value given twice is refused (not the last one taken); --session
	 * is repeatable */
	{
		char cmd[400], out[4096];
		int rc;

		snprintf(cmd, sizeof(cmd), "'%s' --link /nonexistent/a --link /nonexistent/b", emulator);
		rc = kt_test_output(cmd, out, sizeof(out));
		CHECK(rc == 2 && !strcmp(out, "kicktrack-vest-emulator: error: --link given twice "
					      "('/nonexistent/a', then '/nonexistent/b'): give it once\n"),
		      "--link twice: exit %d, said '%s'", rc, out);
	}
	/* -V and --version as every program says it, exit 0 */
	for (int i = 0; i < 2; i++) {
		char cmd[400], line[100] = "";
		FILE *f;

		snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", emulator, i ? "--version" : "-V");
		f = popen(cmd, "r");
		CHECK(f != NULL);
		if (!f)
			continue;
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		CHECK(fgetc(f) == EOF, "more than one line");
		CHECK(pclose(f) == 0);
		CHECK(!strcmp(line, "kicktrack-vest-emulator " KT_VERSION "\n"), "version line '%s'", line);
	}
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* --damaged-at: a bad flash block. Every answer holding that byte is an
 * intact frame whose data fails its CRC-32 (the CRC-32 of the true bytes),
 * every time, and that byte alone differs; the bytes around it read fine. */
static void
scenario_damaged_at(void)
{
	static struct client c;
	struct vest_state v;
	struct emu e;
	const char *extra[] = {"--damaged-at", "5000", NULL};
	static const struct {
		uint32_t offset;
		uint16_t len;
		bool damaged;
	} rows[] = {
		{0, 4078, false}, {4078, 4078, true}, {5000, 1, true}, {4999, 1, false},
		{5001, 4078, false}, {4937, 64, true}, {4078, 4078, true},
	};

	memset(&c, 0, sizeof(c));
	c.fd = -1;
	emu_start(&e, "badblock", extra);
	c.link = e.link;
	CHECK(client_connect(&c, 5000) == 0);
	CHECK(client_identify_list(&c, &v) == 0 && v.n == n_files);
	CHECK(v.s[0].size > 10000 && v.s[0].crc32 == kt_crc32(0, files[0].data, files[0].size),
	      "LIST keeps the session's true CRC-32");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct kt_dock_read_req rq = {.session_id = 1, .offset = rows[i].offset,
					      .max_len = rows[i].len};
		struct kt_dock_read_resp rs;
		uint64_t crc_rejects = c.dec.rejected[KT_DOCK_REJECT_CRC];
		uint32_t o = rows[i].offset;
		const uint8_t *data;
		uint8_t p[16];
		int n = kt_dock_read_req_encode(&rq, p, sizeof(p));

		CHECK(client_request(&c, KT_DOCK_READ, p, (size_t)n) == 0, "READ %" PRIu32, o);
		CHECK(c.f.type == KT_DOCK_READ_RESP && c.dec.rejected[KT_DOCK_REJECT_CRC] == crc_rejects,
		      "READ %" PRIu32 ": no intact answer", o);
		if (c.f.type != KT_DOCK_READ_RESP || c.f.len != KT_DOCK_READ_RESP_HDR + rows[i].len) {
			CHECK(false, "READ %" PRIu32 ": %u bytes", o, c.f.len);
			continue;
		}
		data = c.f.payload + KT_DOCK_READ_RESP_HDR;
		n = kt_dock_read_resp_decode(c.f.payload, c.f.len, &rs);
		CHECK(n == (rows[i].damaged ? -EBADMSG : 0), "READ %" PRIu32 "+%u: decoded %d", o,
		      rows[i].len, n);
		CHECK(le32(c.f.payload + 4) == o);
		/* the CRC-32 is the one of the true bytes: only byte 5000 is off */
		CHECK(le32(c.f.payload + 12) == kt_crc32(0, files[0].data + o, rows[i].len));
		for (uint32_t k = 0; k < rows[i].len; k++)
			CHECK((data[k] != files[0].data[o + k]) == (o + k == 5000), "byte %" PRIu32,
			      o + k);
	}
	client_disconnect(&c);
	emu_stop(&e);
	CHECK(emu_log_has(&e, "4 READ answers with the damaged byte at 5000 (--damaged-at)"));
}

/* The sample session's logs (given on the command line): the vest id and
 * the start time come from the log header. */
static void
scenario_samples(void)
{
	static struct client c;
	struct vest_state v;
	struct emu e;
	struct kt_store *st = fresh_store("samples");
	struct run_opts o = {.erase = false, .max_connects = 3};
	unsigned resumes = 0;
	const char *extra[] = {"--unplug-after", "1000000", "--replug-after-ms", "30", NULL};

	memset(&c, 0, sizeof(c));
	c.fd = -1;
	emu_start(&e, NULL, extra);
	c.link = e.link;
	CHECK(host_run(&c, st, &o, &v, &resumes) == 0);
	CHECK(strcmp(v.id.vest_id, "KT-0001") == 0);
	CHECK(v.n == n_files);
	for (unsigned i = 0; i < v.n; i++) {
		/* 2026-11-21T14:00:00Z, give or take the first epoch */
		CHECK(v.s[i].start_unix_us >= 1795269600000000ll &&
		      v.s[i].start_unix_us < 1795269660000000ll);
	}
	CHECK(c.connects == 2 && resumes == 1);
	check_archive(st, v.id.vest_id);
	client_disconnect(&c);
	emu_stop(&e);
	kt_store_free(st);
}

/* Unplugged for good (no --replug-after-ms): the host sees a hang-up, the
 * link goes away and the emulator exits 0 by itself. */
static void
scenario_unplug_exit(void)
{
	static struct client c;
	struct vest_state v;
	struct emu e;
	struct stat sb;
	int status = -1;
	const char *extra[] = {"--unplug-after", "100", NULL};

	memset(&c, 0, sizeof(c));
	c.fd = -1;
	emu_start(&e, "gone", extra);
	c.link = e.link;
	CHECK(client_connect(&c, 5000) == 0);
	CHECK(client_identify_list(&c, &v) == -EPIPE);
	client_disconnect(&c);
	for (int i = 0; i < 500 && waitpid(e.pid, &status, WNOHANG) == 0; i++)
		sleep_ms(10);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status)) {
		kill(e.pid, SIGKILL);
		waitpid(e.pid, &status, 0);
	}
	CHECK(lstat(e.link, &sb) < 0 && errno == ENOENT);
	CHECK(emu_log_has(&e, "unplugged (--unplug-after) after 100 bytes"));
}

/* More sessions than fit in one LIST page: the host pages through them. */
static void
scenario_many(void)
{
	static struct client c;
	struct vest_state v;
	struct emu e;
	struct kt_store *st = fresh_store("many");
	struct run_opts o = {.erase = true, .max_connects = 1};
	unsigned resumes = 0;

	for (size_t i = 0; i < 70; i++) {
		char name[32], body[200] = "";
		snprintf(name, sizeof(name), "m%02zu.log", i);
		for (size_t k = 0; k < i % 7; k++) /* sizes 0 to 6 lines */
			snprintf(body + strlen(body), sizeof(body) - strlen(body), "session %zu\n",
				 i);
		write_file(&files[i], name, (const uint8_t *)body, strlen(body));
	}
	n_files = 70;
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	emu_start(&e, "many", NULL);
	c.link = e.link;
	CHECK(host_run(&c, st, &o, &v, &resumes) == 0);
	CHECK(v.n == 70 && v.id.n_sessions == 70);
	for (unsigned i = 0; i < v.n; i++)
		CHECK(v.s[i].id == i + 1);
	check_archive(st, "many");
	/* all erased: an empty list, and a LIST past the end is an empty page */
	CHECK(client_identify_list(&c, &v) == 0 && v.n == 0);
	{
		static struct kt_dock_list_resp lr;
		struct kt_dock_list_req rq = {.first = 100};
		uint8_t p[4];
		int n = kt_dock_list_req_encode(&rq, p, sizeof(p));
		CHECK(client_request(&c, KT_DOCK_LIST, p, (size_t)n) == 0);
		CHECK(kt_dock_list_resp_decode(c.f.payload, c.f.len, &lr) == 0);
		CHECK(lr.count == 0 && lr.first == 100 && lr.total == 0);
	}
	client_disconnect(&c);
	emu_stop(&e);
	kt_store_free(st);
}

static void
cleanup(void)
{
	char cmd[400];
	if (tmpdir[0] && !failures && !getenv("KT_KEEP_TMP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	} else if (tmpdir[0]) {
		fprintf(stderr, "kept %s\n", tmpdir);
	}
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} scenarios[] = {
		{"basic", scenario_basic},
		{"unplug", scenario_unplug},
		{"corrupt", scenario_corrupt},
		{"stall", scenario_stall},
		{"rate", scenario_rate},
		{"reboot", scenario_reboot},
		{"erase-rules", scenario_erase_rules},
		{"bad-vest", scenario_bad_vest},
		{"usage", scenario_usage},
		{"samples", scenario_samples},
		{"many", scenario_many},
		{"unplug-exit", scenario_unplug_exit},
		{"damaged-at", scenario_damaged_at},
	};
	const char *base = getenv("TMPDIR");

	if (argc < 3 || argc - 3 > (int)(sizeof(files) / sizeof(files[0]))) {
		fprintf(stderr, "usage: %s EMULATOR SCENARIO [SESSION-FILE]...\n", argv[0]);
		return 2;
	}
	emulator = argv[1];
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof(tmpdir), "%s/kt-emu-%s-XXXXXX", base ? base : "/tmp", argv[2]);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	if (argc > 3) {
		n_files = 0;
		for (int i = 3; i < argc; i++) {
			struct file *f = &files[n_files++];
			FILE *in = fopen(argv[i], "re");
			struct stat sb;
			if (!in || fstat(fileno(in), &sb) < 0) {
				perror(argv[i]);
				return 1;
			}
			snprintf(f->path, sizeof(f->path), "%s", argv[i]);
			f->size = (size_t)sb.st_size;
			f->data = malloc(f->size + 1);
			if (fread(f->data, 1, f->size, in) != f->size) {
				perror(argv[i]);
				return 1;
			}
			fclose(in);
		}
	} else {
		make_sessions();
	}
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (strcmp(argv[2], scenarios[i].name) == 0) {
			scenarios[i].fn();
			cleanup();
			for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++)
				free(files[k].data);
			if (failures) {
				fprintf(stderr, "%s: %d check(s) failed\n", argv[2], failures);
				return 1;
			}
			printf("%s: ok\n", argv[2]);
			return 0;
		}
	}
	fprintf(stderr, "unknown scenario %s\n", argv[2]);
	cleanup();
	return 2;
}
