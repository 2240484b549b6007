/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * kt-serial on real ptys: the byte path the docking PC uses for USB CDC-ACM
 * vests. Open raw and non-blocking, HUPCL cleared, exclusive; bytes both
 * ways; a hang-up is -EPIPE; enumeration of configured paths and globs
 * resolves symlinks and drops duplicates and dangling links.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ingest/kt-serial.h"

#include "../../kt-test.h"

static void
test_usb_id(void)
{
	struct kt_usb_id id = { 0 };

	CHECK(kt_usb_id_parse("1209:4b54", &id) == 0 && id.vid == 0x1209 && id.pid == 0x4b54);
	CHECK(kt_usb_id_parse("10C4:EA60", &id) == 0 && id.vid == 0x10c4 && id.pid == 0xea60);
	CHECK(kt_usb_id_parse("1209", &id) == -EINVAL);
	CHECK(kt_usb_id_parse("1209:", &id) == -EINVAL);
	CHECK(kt_usb_id_parse("12345:1", &id) == -EINVAL);
	CHECK(kt_usb_id_parse("1209:4b54x", &id) == -EINVAL);
	CHECK(kt_usb_id_parse("", &id) == -EINVAL);
}

static void
test_io(void)
{
	int master, slave, fd;
	char name[PATH_MAX], buf[64];
	struct termios t;
	ssize_t n;

	CHECK(openpty(&master, &slave, name, NULL, NULL) == 0);
	close(slave);
	fd = kt_serial_open(name, 921600);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(tcgetattr(fd, &t) == 0);
	CHECK(!(t.c_cflag & HUPCL));          /* closing must not reset the vest */
	CHECK(!(t.c_lflag & (ICANON | ECHO))); /* raw */
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	if (geteuid() != 0)                    /* root may open an exclusive tty */
		CHECK(kt_serial_open(name, 921600) == -EBUSY);

	CHECK(kt_serial_read(fd, buf, sizeof(buf)) == 0); /* nothing yet, no block */
	/* binary-safe both ways: 0x00, 0x0d, 0x11/0x13 (XON/XOFF), 0xff */
	const char bin[] = { 0x00, 0x0d, 0x0a, 0x11, 0x13, 0x7f, (char)0xd0, (char)0xff };
	CHECK(write(master, bin, sizeof(bin)) == (ssize_t)sizeof(bin));
	usleep(20000);
	n = kt_serial_read(fd, buf, sizeof(buf));
	CHECK(n == (ssize_t)sizeof(bin) && memcmp(buf, bin, sizeof(bin)) == 0);
	CHECK(kt_serial_write(fd, bin, sizeof(bin)) == (ssize_t)sizeof(bin));
	usleep(20000);
	n = read(master, buf, sizeof(buf));
	CHECK(n == (ssize_t)sizeof(bin) && memcmp(buf, bin, sizeof(bin)) == 0);

	close(master); /* unplug */
	usleep(20000);
	CHECK(kt_serial_read(fd, buf, sizeof(buf)) == -EPIPE);
	CHECK(kt_serial_close(fd) == -1);
	CHECK(kt_serial_open("/nonexistent/tty", 9600) == -ENOENT);
	fd = kt_serial_open("/dev/null", 9600);
	CHECK(fd == -ENOTTY);
}

static void
test_enumerate(void)
{
	char dir[] = "/tmp/kt-serial-XXXXXX", name[PATH_MAX], l1[PATH_MAX + 32], l2[PATH_MAX + 32];
	char l3[PATH_MAX + 32], pat[PATH_MAX + 32];
	int master, slave;
	struct kt_serial_list l;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(openpty(&master, &slave, name, NULL, NULL) == 0);
	snprintf(l1, sizeof(l1), "%s/a.tty", dir);
	snprintf(l2, sizeof(l2), "%s/b.tty", dir);
	snprintf(l3, sizeof(l3), "%s/gone.tty", dir);
	CHECK(symlink(name, l1) == 0);
	CHECK(symlink(name, l2) == 0);               /* same port twice */
	CHECK(symlink("/dev/pts/999999", l3) == 0);  /* dangling: unplugged */
	snprintf(pat, sizeof(pat), "%s/*.tty", dir);
	char *pats[] = { pat, l1, (char *)"/dev/nonexistent-vest" };

	CHECK(kt_serial_enumerate(NULL, 0, pats, 3, &l) == 0);
	CHECK(l.n == 1);
	if (l.n == 1) {
		CHECK(strcmp(l.ports[0].path, name) == 0); /* canonical */
		CHECK(l.ports[0].vid == 0 && l.ports[0].usb_serial == NULL);
	}
	kt_serial_list_clear(&l);
	CHECK(l.n == 0 && l.ports == NULL);

	/* USB enumeration with a filter nothing matches: no ports, no error */
	struct kt_usb_id none = { 0xffff, 0xfffe };
	CHECK(kt_serial_enumerate(&none, 1, NULL, 0, &l) == 0 && l.n == 0);
	kt_serial_list_clear(&l);

	unlink(l1);
	unlink(l2);
	unlink(l3);
	rmdir(dir);
	close(slave);
	close(master);
}

int
main(void)
{
	test_usb_id();
	test_io();
	test_enumerate();
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
