/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The gpsd live source without gpsd: [gpsd] config parsing, the reconnect
 * back-off schedule (driven by fake monotonic times, no waiting), a port that
 * answers with something else than gpsd, and a fake gpsd on loopback whose
 * reports exercise de-duplication by (device, time), the merge of gpsd's
 * double first epoch, session start/end and the recording in the store.
 */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/kt-live.h"
#include "ingest/kt-gpsd.h"
#include "ingest/kt-log.h"
#include "util/kt-fileio.h"
#include "util/kt-log.h"

#include "../../kt-test.h"

#define S(x) ((int64_t) (x) * 1000000)

/* ---- config ---- */

static void
test_config(void)
{
	struct kt_live_config c;

	kt_live_config_init(&c);
	CHECK(!c.enable);
	CHECK_EQ(c.quiet_us, S(120));
	CHECK_EQ(c.lost_us, S(3));
	CHECK(isfinite(c.params.sprint_kmh));

	CHECK_EQ(kt_live_config_set(&c, "t.conf", 1, "enable", "yes"), 0);
	CHECK(c.enable);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 2, "enable", "perhaps"), -EINVAL);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 3, "quiet_s", "2.5"), 0);
	CHECK_EQ(c.quiet_us, 2500000);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 4, "quiet_s", "0"), -EINVAL);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 5, "quiet_s", "2,5"), -EINVAL);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 6, "lost_s", "abc"), -EINVAL);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 7, "colour", "red"), -EINVAL);
	CHECK(!c.raw);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 7, "raw", "yes"), 0);
	CHECK(c.raw);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 7, "raw", "sometimes"), -EINVAL);

	/* servers: repeatable, validated */
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 8, "server", "gps.local:2948"), 0);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 9, "server", "[::1]:2949"), 0);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 10, "server", ":2950"), 0);
	CHECK_EQ(c.n_servers, 3);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 11, "server", "::1"), -EINVAL);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 12, "server", "host:"), -EINVAL);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 13, "server", "host:http"), -EINVAL);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 14, "server", "[::1"), -EINVAL);
	CHECK_EQ(c.n_servers, 3);
	/* --gpsd replaces them */
	CHECK_EQ(kt_live_config_set_server(&c, "10.0.0.2:3000"), 0);
	CHECK_EQ(c.n_servers, 0);
	CHECK(c.host && !strcmp(c.host, "10.0.0.2"));
	CHECK(c.port && !strcmp(c.port, "3000"));
	CHECK_EQ(kt_live_config_set_server(&c, ":3001"), 0);
	CHECK(!strcmp(c.host, "10.0.0.2") && !strcmp(c.port, "3001"));

	/* device -> vest */
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 15, "vest", "/dev/ttyUSB0 V07 Anna Beispiel"), 0);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 16, "vest", "/dev/serial/by-id/*0011*\tV11"), 0);
	CHECK_EQ(c.n_map, 2);
	CHECK(!strcmp(c.map[0].pattern, "/dev/ttyUSB0") && !strcmp(c.map[0].vest_id, "V07"));
	CHECK(c.map[0].player && !strcmp(c.map[0].player, "Anna Beispiel"));
	CHECK(!strcmp(c.map[1].vest_id, "V11") && !c.map[1].player);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 17, "vest", "/dev/ttyUSB1"), -EINVAL);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 18, "vest", "/dev/ttyUSB1 VERYLONGID"), -EINVAL);
	CHECK_EQ(kt_live_config_set(&c, "t.conf", 19, "vest", "/dev/ttyUSB1 V/1"), -EINVAL);
	CHECK_EQ(c.n_map, 2);
	kt_live_config_clear(&c);
	CHECK_EQ(c.n_map, 0);
}

/* ---- sockets ---- */

static int
listen_loopback(unsigned *ret_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *) &a, &len) < 0) {
		perror("loopback socket");
		exit(1);
	}
	*ret_port = ntohs(a.sin_port);
	return fd;
}

struct counts {
	unsigned tpv, sky, dev_on, dev_off, up, down;
	char last_device[64];
	int64_t last_t_us;
	int last_mode;
	double last_speed;
};

static void
c_tpv(const struct kt_gpsd_tpv *t, void *u)
{
	struct counts *c = u;

	c->tpv++;
	snprintf(c->last_device, sizeof(c->last_device), "%s", t->device);
	c->last_t_us = t->t_us;
	c->last_mode = t->mode;
	c->last_speed = t->speed_mps;
}

static void
c_sky(const struct kt_gpsd_sky *s, void *u)
{
	((struct counts *) u)->sky++;
}

static void
c_device(const char *path, bool active, void *u)
{
	struct counts *c = u;

	if (active)
		c->dev_on++;
	else
		c->dev_off++;
}

static void
c_connection(bool up, void *u)
{
	struct counts *c = u;

	if (up)
		c->up++;
	else
		c->down++;
}

static const struct kt_gpsd_callbacks callbacks = {
	.tpv = c_tpv, .sky = c_sky, .device = c_device, .connection = c_connection,
};

/* No gpsd on the port: retries after 1, 2, 4, 8, 10, 10 s; no fd meanwhile. */
static void
test_backoff(void)
{
	static const int64_t expect[] = { 1, 3, 7, 15, 25, 35 };
	struct counts c = { 0 };
	struct kt_gpsd *g;
	unsigned port;
	char ps[16];
	int fd = listen_loopback(&port);
	int64_t now = 0;

	close(fd); /* now nothing listens there */
	snprintf(ps, sizeof(ps), "%u", port);
	CHECK_EQ(kt_gpsd_new("127.0.0.1", ps, &callbacks, &c, &g), 0);
	CHECK_EQ(kt_gpsd_next_deadline_us(g), 0); /* connect at once */
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		kt_gpsd_dispatch(g, now);
		CHECK_EQ(kt_gpsd_get_fd(g), -1);
		CHECK_EQ(kt_gpsd_next_deadline_us(g), S(expect[i]));
		/* early calls do not retry */
		kt_gpsd_dispatch(g, S(expect[i]) - 1);
		CHECK_EQ(kt_gpsd_next_deadline_us(g), S(expect[i]));
		now = S(expect[i]);
	}
	CHECK(!kt_gpsd_is_connected(g));
	CHECK_EQ(c.up + c.down, 0);
	kt_gpsd_free(g);
}

static void
wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	(void) poll(&p, 1, 5000); /* only a bound: the data is already on its way */
}

static void
put(int fd, const char *s)
{
	size_t n = strlen(s);

	if (write(fd, s, n) != (ssize_t) n) {
		perror("write");
		exit(1);
	}
}

/* Something that is not gpsd answers on the port: not a connection. */
static void
test_not_gpsd(void)
{
	struct counts c = { 0 };
	struct kt_gpsd *g;
	unsigned port;
	char ps[16];
	int lfd = listen_loopback(&port), cfd;

	snprintf(ps, sizeof(ps), "%u", port);
	CHECK_EQ(kt_gpsd_new("127.0.0.1", ps, &callbacks, &c, &g), 0);
	kt_gpsd_dispatch(g, 0);
	CHECK(kt_gpsd_get_fd(g) >= 0);
	cfd = accept(lfd, NULL, NULL);
	CHECK(cfd >= 0);
	put(cfd, "HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
	wait_readable(kt_gpsd_get_fd(g));
	kt_gpsd_dispatch(g, S(1));
	CHECK_EQ(kt_gpsd_get_fd(g), -1);
	CHECK(!kt_gpsd_is_connected(g));
	CHECK(kt_gpsd_next_deadline_us(g) > S(1));
	CHECK_EQ(c.up, 0);
	CHECK_EQ(c.tpv, 0);
	close(cfd);
	close(lfd);
	kt_gpsd_free(g);
}

#define VERSION "{\"class\":\"VERSION\",\"release\":\"3.22\",\"rev\":\"3.22\",\"proto_major\":3,\"proto_minor\":14}\n"
#define TPV(dev, time, mode, lat, speed)                                                           \
	"{\"class\":\"TPV\",\"device\":\"" dev "\",\"mode\":" #mode ",\"time\":\"" time "\","     \
	"\"lat\":" #lat ",\"lon\":11.5,\"altMSL\":520.0,\"track\":90.0,\"speed\":" #speed "}\n"

/* The adapter turns gpsd's JSON into callbacks and notices gpsd leaving. */
static void
test_adapter(void)
{
	struct counts c = { 0 };
	struct kt_gpsd *g;
	unsigned port;
	char ps[16];
	int lfd = listen_loopback(&port), cfd;

	snprintf(ps, sizeof(ps), "%u", port);
	CHECK_EQ(kt_gpsd_new("127.0.0.1", ps, &callbacks, &c, &g), 0);
	kt_gpsd_dispatch(g, 0);
	cfd = accept(lfd, NULL, NULL);
	CHECK(cfd >= 0);
	put(cfd, VERSION
	    "{\"class\":\"DEVICE\",\"path\":\"/dev/ttyUSB0\",\"activated\":\"2026-11-24T18:30:00.000Z\"}\n"
	    TPV("/dev/ttyUSB0", "2026-11-24T18:30:00.100Z", 3, 48.1, 5.25)
	    "{\"class\":\"SKY\",\"device\":\"/dev/ttyUSB0\",\"hdop\":0.9,\"pdop\":1.5,\"satellites\":[]}\n"
	    "{\"class\":\"DEVICE\",\"path\":\"/dev/ttyUSB0\",\"activated\":0}\n");
	/* a line split across two reads */
	put(cfd, "{\"class\":\"TPV\",\"device\":\"/dev/ttyUSB1\",\"mode\":1,\"time\":\"2026-11-24T18:30:00.2");
	for (int i = 0; i < 50 && c.dev_off == 0; i++) {
		wait_readable(kt_gpsd_get_fd(g));
		kt_gpsd_dispatch(g, S(1));
	}
	CHECK(kt_gpsd_is_connected(g));
	CHECK_EQ(c.up, 1);
	CHECK_EQ(c.tpv, 1);
	CHECK(!strcmp(c.last_device, "/dev/ttyUSB0"));
	CHECK_EQ(c.last_t_us, S(1795545000) + 100000);
	CHECK_EQ(c.last_mode, 3);
	CHECK(fabs(c.last_speed - 5.25) < 1e-9);
	CHECK_EQ(c.sky, 1);
	CHECK_EQ(c.dev_on, 1);
	CHECK_EQ(c.dev_off, 1);
	put(cfd, "00Z\"}\n");
	for (int i = 0; i < 50 && c.tpv < 2; i++) {
		wait_readable(kt_gpsd_get_fd(g));
		kt_gpsd_dispatch(g, S(1));
	}
	CHECK_EQ(c.tpv, 2);
	CHECK(!strcmp(c.last_device, "/dev/ttyUSB1"));
	CHECK_EQ(c.last_mode, 1);

	/* gpsd goes away: told once, retried after 1 s */
	close(cfd);
	for (int i = 0; i < 50 && c.down == 0; i++) {
		if (kt_gpsd_get_fd(g) >= 0)
			wait_readable(kt_gpsd_get_fd(g));
		kt_gpsd_dispatch(g, S(2));
	}
	CHECK_EQ(c.down, 1);
	CHECK_EQ(kt_gpsd_get_fd(g), -1);
	CHECK_EQ(kt_gpsd_next_deadline_us(g), S(3));
	close(lfd);
	kt_gpsd_free(g);
}

/* ---- the recorder ---- */

static void
session_done(const char *dir, void *u)
{
	snprintf(u, 512, "%s", dir);
}

static void
test_live(const char *tmp)
{
	struct kt_live_config cfg;
	struct kt_live_stats st;
	struct kt_live *l;
	struct kt_log log;
	char store[512], done_dir[512] = "", server[64], raw[1024];
	unsigned port;
	int lfd = listen_loopback(&port), cfd;
	FILE *p;

	snprintf(store, sizeof(store), "%s/store", tmp);
	snprintf(server, sizeof(server), "127.0.0.1:%u", port);
	kt_live_config_init(&cfg);
	CHECK_EQ(kt_live_config_set(&cfg, "t", 1, "server", server), 0);
	CHECK_EQ(kt_live_config_set(&cfg, "t", 2, "store_root", store), 0);
	CHECK_EQ(kt_live_config_set(&cfg, "t", 3, "quiet_s", "5"), 0);
	CHECK_EQ(kt_live_config_set(&cfg, "t", 4, "vest", "/dev/ttyUSB* V07 Anna"), 0);
	cfg.session_done = session_done;
	cfg.userdata = done_dir;
	CHECK_EQ(kt_live_new(&cfg, &l), 0);
	kt_live_config_clear(&cfg);
	CHECK(kt_live_get_fd(l) >= 0);

	kt_live_dispatch(l, S(100));
	cfd = accept(lfd, NULL, NULL);
	CHECK(cfd >= 0);
	put(cfd, VERSION);
	put(cfd,
	    /* gpsd's double first epoch: 2D then 3D, same time -> one epoch */
	    TPV("/dev/ttyUSB0", "2026-11-24T18:30:00.000Z", 2, 48.1, 3.0)
	    TPV("/dev/ttyUSB0", "2026-11-24T18:30:00.000Z", 3, 48.1, 3.0)
	    TPV("/dev/ttyUSB0", "2026-11-24T18:30:00.100Z", 3, 48.100003, 3.1)
	    /* out of order and repeated: dropped */
	    TPV("/dev/ttyUSB0", "2026-11-24T18:30:00.050Z", 3, 48.1, 3.0)
	    TPV("/dev/ttyUSB0", "2026-11-24T18:30:00.100Z", 3, 48.100003, 3.1)
	    TPV("/dev/ttyUSB0", "2026-11-24T18:30:00.200Z", 3, 48.100006, 3.2)
	    /* no fix, with time: recorded as a no-fix epoch */
	    "{\"class\":\"TPV\",\"device\":\"/dev/ttyUSB0\",\"mode\":1,\"time\":\"2026-11-24T18:30:00.300Z\"}\n"
	    TPV("/dev/ttyUSB0", "2026-11-24T18:30:00.400Z", 3, 48.100012, 3.3));
	put(cfd, "");
	for (int i = 0; i < 50; i++) {
		kt_live_get_stats(l, &st);
		if (st.tpv >= 8)
			break;
		wait_readable(kt_live_get_fd(l));
		kt_live_dispatch(l, S(101));
	}
	kt_live_get_stats(l, &st);
	CHECK(st.connected);
	CHECK_EQ(st.tpv, 8);
	CHECK_EQ(st.devices, 1);
	CHECK_EQ(st.duplicates, 3);
	CHECK_EQ(st.sessions_done, 0);

	/* quiet for 5 s (monotonic, from the last fix at 101 s): the session ends */
	kt_live_dispatch(l, S(105));
	kt_live_get_stats(l, &st);
	CHECK_EQ(st.sessions_done, 0);
	kt_live_dispatch(l, S(106) + 1);
	kt_live_get_stats(l, &st);
	CHECK_EQ(st.sessions_done, 1);
	CHECK_EQ(st.epochs, 5); /* 00.0, 00.1, 00.2, 00.3 (no fix), 00.4 */
	CHECK_EQ(st.no_fix, 1);
	CHECK(strstr(done_dir, "/sessions/") != NULL);

	/* the recording: an ordinary vest log */
	snprintf(raw, sizeof(raw), "ls %s/raw/V07/*.log", store);
	p = popen(raw, "r");
	CHECK(p && fgets(raw, sizeof(raw), p));
	if (p)
		pclose(p);
	raw[strcspn(raw, "\n")] = '\0';
	CHECK_EQ(kt_log_read(raw, &log), 0);
	CHECK(log.header.present && !strcmp(log.header.vest_id, "V07"));
	CHECK_EQ(log.n_fixes, 5);
	if (log.n_fixes == 5) {
		CHECK_EQ(log.fixes[0].t_us, S(1795545000));
		CHECK_EQ(log.fixes[0].quality, KT_FIX_3D); /* merged: the 3D report won */
		CHECK(fabs(log.fixes[1].speed_mps - 3.1) < 1e-4);
		CHECK(fabs(log.fixes[1].lat_deg - 48.100003) < 1e-8);
		CHECK(!kt_fix_is_valid(&log.fixes[3]));
		CHECK(kt_fix_is_valid(&log.fixes[4]));
	}
	kt_log_clear(&log);
	{
		struct stat s;
		char live[600];
		snprintf(live, sizeof(live), "%s/live.json", store);
		CHECK(stat(live, &s) == 0 && (s.st_mode & 0777) == 0640);
	}
	/* the same log replayed (gpsfake in a demo): a new session takes it again */
	put(cfd, TPV("/dev/ttyUSB0", "2026-11-24T18:30:00.000Z", 3, 48.1, 3.0)
		 TPV("/dev/ttyUSB0", "2026-11-24T18:30:00.100Z", 3, 48.100003, 3.1));
	for (int i = 0; i < 50; i++) {
		kt_live_get_stats(l, &st);
		if (st.tpv >= 10)
			break;
		wait_readable(kt_live_get_fd(l));
		kt_live_dispatch(l, S(200));
	}
	kt_live_dispatch(l, S(210));
	kt_live_get_stats(l, &st);
	CHECK_EQ(st.epochs, 7);
	close(cfd);
	close(lfd);
	kt_live_free(l);
}

int
main(void)
{
	char tmp[] = "/tmp/kt-test-gpsd.XXXXXX", cmd[300];

	kt_log_set_program("test-gpsd");
	if (!mkdtemp(tmp))
		return 1;
	test_config();
	test_backoff();
	test_not_gpsd();
	test_adapter();
	test_live(tmp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
