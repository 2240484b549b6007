/* SPDX-License-Identifier: EUPL-1.2 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libserialport.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "kt-serial.h"
#include "util/kt-log.h"

int
kt_usb_id_parse(const char *s, struct kt_usb_id *ret)
{
	unsigned long v, p;
	char *end;

	if (!s)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || end == s || *end != ':' || v > 0xffff)
		return -EINVAL;
	s = end + 1;
	p = strtoul(s, &end, 16);
	if (errno || end == s || *end != '\0' || p > 0xffff)
		return -EINVAL;
	ret->vid = (uint16_t)v;
	ret->pid = (uint16_t)p;
	return 0;
}

void
kt_serial_list_clear(struct kt_serial_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->ports[i].path);
		free(l->ports[i].usb_serial);
	}
	free(l->ports);
	l->ports = NULL;
	l->n = 0;
}

static bool
list_has(const struct kt_serial_list *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->ports[i].path, path))
			return true;
	return false;
}

/* Takes a path that may be a symlink; adds its canonical form. */
static int
list_add(struct kt_serial_list *l, const char *path, const char *usb_serial,
	 uint16_t vid, uint16_t pid)
{
	char real[PATH_MAX];
	struct kt_serial_port *n;

	if (!realpath(path, real))
		return 0; /* vanished meanwhile: not plugged in */
	if (list_has(l, real))
		return 0;
	n = realloc(l->ports, (l->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	l->ports = n;
	n = &l->ports[l->n];
	*n = (struct kt_serial_port){ .vid = vid, .pid = pid };
	n->path = strdup(real);
	n->usb_serial = usb_serial ? strdup(usb_serial) : NULL;
	if (!n->path || (usb_serial && !n->usb_serial)) {
		free(n->path);
		free(n->usb_serial);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static bool
id_matches(const struct kt_usb_id *filter, size_t n_filter, int vid, int pid)
{
	for (size_t i = 0; i < n_filter; i++)
		if (filter[i].vid == vid && filter[i].pid == pid)
			return true;
	return false;
}

static int
enumerate_usb(const struct kt_usb_id *filter, size_t n_filter, struct kt_serial_list *l)
{
	struct sp_port **ports = NULL;
	enum sp_return sr;
	int r = 0;

	sr = sp_list_ports(&ports);
	if (sr != SP_OK) {
		/* SP_ERR_FAIL etc: no USB ports this round; try again next round */
		char *msg = sp_last_error_message();
		log_debug("libserialport cannot list ports: %s", msg ? msg : "unknown error");
		sp_free_error_message(msg);
		return 0;
	}
	for (size_t i = 0; ports[i] && r >= 0; i++) {
		int vid, pid;

		if (sp_get_port_transport(ports[i]) != SP_TRANSPORT_USB)
			continue;
		if (sp_get_port_usb_vid_pid(ports[i], &vid, &pid) != SP_OK)
			continue;
		if (!id_matches(filter, n_filter, vid, pid))
			continue;
		r = list_add(l, sp_get_port_name(ports[i]), sp_get_port_usb_serial(ports[i]),
			     (uint16_t)vid, (uint16_t)pid);
	}
	sp_free_port_list(ports);
	return r;
}

int
kt_serial_enumerate(const struct kt_usb_id *filter, size_t n_filter,
		    char *const *patterns, size_t n_patterns,
		    struct kt_serial_list *ret)
{
	struct kt_serial_list l = { 0 };
	int r;

	if (n_filter > 0) {
		r = enumerate_usb(filter, n_filter, &l);
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < n_patterns; i++) {
		glob_t g;

		if (!strpbrk(patterns[i], "*?[")) {
			r = list_add(&l, patterns[i], NULL, 0, 0);
			if (r < 0)
				goto fail;
			continue;
		}
		r = glob(patterns[i], GLOB_NOSORT, NULL, &g);
		if (r == GLOB_NOSPACE) {
			r = -ENOMEM;
			goto fail;
		}
		if (r != 0)
			continue; /* GLOB_NOMATCH or unreadable directory */
		for (size_t k = 0; k < g.gl_pathc && r >= 0; k++)
			r = list_add(&l, g.gl_pathv[k], NULL, 0, 0);
		globfree(&g);
		if (r < 0)
			goto fail;
	}
	*ret = l;
	return 0;
fail:
	kt_serial_list_clear(&l);
	return r;
}

static speed_t
baud_to_speed(unsigned baud)
{
	static const struct {
		unsigned baud;
		speed_t speed;
	} table[] = {
		{ 9600, B9600 },     { 19200, B19200 },   { 38400, B38400 },
		{ 57600, B57600 },   { 115200, B115200 }, { 230400, B230400 },
		{ 460800, B460800 }, { 921600, B921600 },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].baud == baud)
			return table[i].speed;
	return B115200;
}

int
kt_serial_open(const char *path, unsigned baud)
{
	struct termios t;
	int fd, r;

	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!isatty(fd)) {
		close(fd);
		return -ENOTTY;
	}
	/* Exclusive: another program (gpsd, ModemManager, a second daemon)
	 * opening the port afterwards gets EBUSY. */
	if (ioctl(fd, TIOCEXCL) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (tcgetattr(fd, &t) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(HUPCL | CRTSCTS | CSTOPB | PARENB);
	t.c_iflag &= ~(IXON | IXOFF | IXANY);
	/* VMIN 1 with O_NONBLOCK: "no data" is EAGAIN, so read() returning 0
	 * only ever means hang-up (with VMIN 0 it would mean both) */
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, baud_to_speed(baud));
	cfsetospeed(&t, baud_to_speed(baud));
	if (tcsetattr(fd, TCSANOW, &t) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	(void)tcflush(fd, TCIOFLUSH);
	return fd;
}

ssize_t
kt_serial_read(int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	if (n > 0)
		return n;
	if (n == 0)
		return -EPIPE; /* tty hung up: the vest is gone */
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	if (errno == EIO || errno == ENXIO || errno == ENODEV)
		return -EPIPE;
	return -errno;
}

ssize_t
kt_serial_write(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	if (errno == EIO || errno == ENXIO || errno == ENODEV)
		return -EPIPE;
	return -errno;
}

int
kt_serial_close(int fd)
{
	if (fd >= 0) {
		(void)ioctl(fd, TIOCNXCL);
		close(fd);
	}
	return -1;
}
