/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Vest serial ports: the only libserialport adapter.
 *
 * Discovery uses libserialport's enumeration (USB VID/PID/serial number);
 * configured paths and globs (e.g. /dev/serial/by-id/usb-Kick*, or the ptys of
 * emulated vests in tests) are added to it. Byte I/O never goes through
 * libserialport: a plain POSIX fd (O_RDWR|O_NOCTTY|O_NONBLOCK, termios raw,
 * TIOCEXCL, HUPCL cleared) works the same on USB CDC-ACM ports and on ptys,
 * so the tests exercise the code that runs at the club.
 */
#ifndef KT_INGEST_SERIAL_H
#define KT_INGEST_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kt_usb_id {
	uint16_t vid, pid;
};

/* Parse "1209:4b54" (hex). Returns 0 or -EINVAL. */
int kt_usb_id_parse(const char *s, struct kt_usb_id *ret);

struct kt_serial_port {
	char *path;        /* canonical path (realpath) */
	char *usb_serial;  /* USB serial number, NULL if none/unknown */
	uint16_t vid, pid; /* 0 if not USB */
};

struct kt_serial_list {
	struct kt_serial_port *ports;
	size_t n;
};

/*
 * Enumerate USB serial ports whose VID:PID is in `filter` (no USB
 * enumeration at all when n_filter is 0), then add every existing path
 * matching one of the `patterns` (plain paths or glob(7) patterns). Paths
 * are canonicalised with realpath() and de-duplicated. A pattern that
 * matches nothing is not an error (the vest is simply not plugged in).
 * Returns 0 or -errno (-ENOMEM); libserialport failures are translated here
 * and only make the USB part empty (logged at debug).
 */
int kt_serial_enumerate(const struct kt_usb_id *filter, size_t n_filter,
			char *const *patterns, size_t n_patterns,
			struct kt_serial_list *ret);
void kt_serial_list_clear(struct kt_serial_list *l);

/*
 * Open a port for byte I/O: non-blocking, close-on-exec, exclusive (TIOCEXCL:
 * a second open gets EBUSY), raw 8N1 at `baud` (ignored by ptys), HUPCL
 * cleared so closing does not reset the vest. Returns the fd or -errno.
 */
int kt_serial_open(const char *path, unsigned baud);

/* Non-blocking read/write. Return bytes (>= 0; 0 = nothing now for write,
 * and for read 0 means nothing available), -EPIPE when the far end hung up
 * (unplug), or another -errno. */
ssize_t kt_serial_read(int fd, void *buf, size_t len);
ssize_t kt_serial_write(int fd, const void *buf, size_t len);

/* Close (fd may be < 0). Returns -1 for `fd = kt_serial_close(fd);`. */
int kt_serial_close(int fd);

#endif
