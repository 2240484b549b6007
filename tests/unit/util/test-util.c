/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The output folder lock (kt_dir_lock): one holder at a time across
 * processes, never waiting unless asked, and a bounded wait that gets the
 * lock once the holder lets go. And what messages make of bytes read from
 * a file: kt_escape, kt_looks_binary, kt_read_text_file, kt_strip; the
 * German error texts of the notes (kt_strerror_de) and their numbers with
 * the decimal comma (kt_snprintf_decimal_comma); and sizes for a
 * volunteer (kt_fmt_bytes), as the daemon's log lines and kicktrack status
 * have always printed them.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/kt-fileio.h"
#include "util/kt-strutil.h"

#include "../../kt-test.h"

/* seconds since *t0 (CLOCK_MONOTONIC) */
static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double) (t.tv_sec - t0->tv_sec) + (double) (t.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* A child that takes the lock, says so through the pipe, holds it for
 * hold_ms and exits (which lets go). */
static pid_t
holder(const char *dir, unsigned hold_ms)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd;

		close(p[0]);
		if (kt_dir_lock(dir, &fd) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		usleep(hold_ms * 1000);
		_exit(0);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(p[0]);
	return pid;
}

static void
test_lock(void)
{
	char dir[] = "/tmp/kt-test-util-XXXXXX", path[64];
	struct stat st;
	int fd = -1, fd2 = -1, r, status;
	pid_t pid;
	struct timespec t0;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/%s", dir, KT_DIR_LOCK_NAME);

	CHECK(kt_dir_lock(dir, &fd) == 0 && fd >= 0, "first lock");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == (0640 & ~umask(umask(0))), "lock file mode %o",
	      (unsigned) (st.st_mode & 07777));
	kt_dir_unlock(fd);

	/* held by another process: busy at once, and after a short wait too */
	pid = holder(dir, 1500);
	CHECK(pid > 0, "holder started");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = kt_dir_lock(dir, &fd);
	CHECK(r == -EBUSY && fd == -1, "held elsewhere: %d (%s)", r, strerror(-r));
	CHECK(since(&t0) < 0.5, "did not return at once: %.2f s", since(&t0));
	r = kt_dir_lock_wait(dir, 0, &fd);
	CHECK(r == -EBUSY, "wait 0 s: %d", r);
	/* ... and it is free once the holder is gone, within a wait */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = kt_dir_lock_wait(dir, 10, &fd2);
	CHECK(r == 0 && fd2 >= 0, "after the holder exits: %d (%s)", r, strerror(-r));
	CHECK(since(&t0) > 0.5 && since(&t0) < 9.0, "waited %.2f s for a 1.5 s holder", since(&t0));
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "holder exit");
	kt_dir_unlock(fd2);

	/* a folder that is not there */
	char missing[96];
	snprintf(missing, sizeof(missing), "%s/none", dir);
	r = kt_dir_lock(missing, &fd);
	CHECK(r == -ENOENT && fd == -1, "missing folder: %d", r);

	unlink(path);
	rmdir(dir);
}

static void
test_text(void)
{
	char b[32], big[64], path[] = "/tmp/kt-test-text-XXXXXX", *data = NULL;
	static char blanks[300000];
	size_t len = 0;
	FILE *f;
	int fd;

	/* printable ASCII and UTF-8 stay, every other byte is \xhh */
	CHECK(!strcmp(kt_escape(b, sizeof(b), "J\xc3\xb6rg 7"), "J\xc3\xb6rg 7"), "UTF-8 kept: %s", b);
	CHECK(!strcmp(kt_escape(b, sizeof(b), "a\033[2J\x01"), "a\\x1b[2J\\x01"), "controls: %s", b);
	CHECK(!strcmp(kt_escape(b, sizeof(b), "M\xfcller\x7f"), "M\\xfcller\\x7f"), "invalid UTF-8: %s", b);
	CHECK(!strcmp(kt_escape(b, sizeof(b), "\xc2\x9b" "1m"), "\\xc2\\x9b1m"), "C1 control: %s", b);
	/* Windows-1252 (German Excel's plain CSV) as UTF-8; UTF-8, a mix of
	 * both, plain ASCII and undefined bytes are left alone */
	{
		char *u = NULL;
		size_t ul = 0;
		static const char ansi[] = "J\xf6rg M\xfcller;\x80 5\x9f\r\n";
		CHECK(kt_cp1252_to_utf8(ansi, sizeof(ansi) - 1, &u, &ul) == 1 && u &&
			      !strcmp(u, "J\xc3\xb6rg M\xc3\xbcller;\xe2\x82\xac 5\xc5\xb8\r\n") && ul == strlen(u),
		      "Windows-1252: %s", u ? u : "(none)");
		free(u);
		u = NULL;
		CHECK(kt_cp1252_to_utf8("J\xc3\xb6rg", 6, &u, &ul) == 0 && !u, "UTF-8 taken as Windows-1252");
		CHECK(kt_cp1252_to_utf8("J\xc3\xb6rg M\xfcller", 14, &u, &ul) == 0 && !u, "a mix converted");
		CHECK(kt_cp1252_to_utf8("Joerg", 5, &u, &ul) == 0 && !u, "ASCII converted");
		CHECK(kt_cp1252_to_utf8("J\xf6rg\x81", 6, &u, &ul) == 0 && !u, "undefined 0x81 converted");
	}
	/* cut to fit, with "...", never in the middle of an escape or a character */
	CHECK(!strcmp(kt_escape(b, 12, "abcdefghijklmnop"), "abcdefgh..."), "cut: %s", b);
	CHECK(!strcmp(kt_escape(b, 12, "abcdefgh\x01xyz"), "abcdefgh..."), "cut before an escape: %s", b);
	CHECK(!strcmp(kt_escape(b, 12, "abcdefghijk"), "abcdefghijk"), "exactly fits: %s", b);
	memset(big, 0xff, sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	CHECK(strlen(kt_escape(b, sizeof(b), big)) < sizeof(b), "long binary cut");

#define LOOKS_BINARY(lit) kt_looks_binary(lit, sizeof(lit) - 1)
	CHECK(!LOOKS_BINARY("vest_id,player\r\nV07,Anna\tB\n"), "text");
	CHECK(!LOOKS_BINARY("a\033[1mb\033[0m, a few stray control bytes"), "few controls");
	CHECK(LOOKS_BINARY("abc\0def"), "NUL");
	CHECK(LOOKS_BINARY("\x01\x02\x03\x04\x05\x06\x07\x08 ab"), "controls");
#undef LOOKS_BINARY

	fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	f = fdopen(fd, "w");
	fwrite("\xb5\x62\x01\x07\x5c\x00", 1, 6, f);
	fclose(f);
	CHECK(kt_read_text_file(path, 1 << 20, &data, &len) == -EMEDIUMTYPE && !data, "a UBX log is no text file");
	f = fopen(path, "w");
	fputs("[pitch]\nname = Platz\n", f);
	fclose(f);
	CHECK(kt_read_text_file(path, 1 << 20, &data, &len) == 0 && data && len == 21, "a text file");
	free(data);
	unlink(path);

	/* one move, however many blanks (a config line of 300 kB of them) */
	memset(blanks, ' ', sizeof(blanks) - 2);
	blanks[sizeof(blanks) - 2] = 'x';
	CHECK(!strcmp(kt_strip(blanks), "x"), "strip");

	/* the German notes: file errors in German, the rest as strerror says */
	CHECK(!strcmp(kt_read_file_error_de(-ENOENT), "Datei oder Ordner nicht gefunden"), "ENOENT in German");
	CHECK(!strcmp(kt_read_file_error_de(-EMEDIUMTYPE), "Binärdaten, keine Textdatei (die falsche Datei?)"),
	      "binary data in German");
	CHECK(!strcmp(kt_strerror_de(ENOSPC), "kein Speicherplatz mehr frei"), "ENOSPC in German");
	CHECK(!strcmp(kt_strerror_de(EPROTO), strerror(EPROTO)), "others as strerror");
}

static void
test_bytes(void)
{
	static const struct {
		double n;
		const char *round, *fine;
	} rows[] = {
		{ 0, "0 bytes", "0 B" },
		{ 999, "999 bytes", "999 B" },
		{ 1000, "1 kB", "1.0 kB" },
		{ 850349, "850 kB", "850.3 kB" },
		{ 999949, "1000 kB", "999.9 kB" },
		{ 1000000, "1.0 MB", "1.0 MB" },
		{ 2149999, "2.1 MB", "2.1 MB" },
		{ 999999999, "1000.0 MB", "1000.0 MB" },
		{ 2100000000, "2100.0 MB", "2.10 GB" },
	};
	char b[32];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		kt_fmt_bytes(b, sizeof(b), rows[i].n, KT_BYTES_ROUND);
		CHECK(!strcmp(b, rows[i].round), "%.0f round: %s", rows[i].n, b);
		kt_fmt_bytes(b, sizeof(b), rows[i].n, KT_BYTES_FINE);
		CHECK(!strcmp(b, rows[i].fine), "%.0f fine: %s", rows[i].n, b);
	}
}

/* The German notes' printf: the decimal comma in every floating-point
 * number, nothing else changed (a file name's dot, a time's colon) */
static void
test_decimal_comma(void)
{
	char b[256], c[256], small[8];
	int n;

	n = kt_snprintf_decimal_comma(b, sizeof(b), "%s: Weste %s hatte %.1f ihrer %.1f Minuten kein GPS-Signal (%u %.0s%s)",
				      "/tmp/s/KT-0001.nmea", "KT-0001", 1.5, 4.0, 1u, "gap", "Lücke");
	CHECK(!strcmp(b, "/tmp/s/KT-0001.nmea: Weste KT-0001 hatte 1,5 ihrer 4,0 Minuten kein GPS-Signal (1 Lücke)"),
	      "the gap note: %s", b);
	CHECK(n == (int) strlen(b), "length %d of '%s'", n, b);
	/* every floating-point conversion, with flags, width, '*' and L */
	kt_snprintf_decimal_comma(b, sizeof(b), "%8.3f|%-7.1e|%g|%+.2G|%#.0f|%*.*f|%Lf|%a|%.0f %%|%f", 3.14159, 1234.5,
				  0.25, -2.5, 7.0, 6, 2, 9.876, (long double) 1.5, 0.5, 99.6, (double) NAN);
	CHECK(!strcmp(b, "   3,142|1,2e+03|0,25|-2,5|7,|  9,88|1,500000|0x1p-1|100 %|nan"), "floats: %s", b);
	/* integers and strings as printf prints them, dots kept */
	kt_snprintf_decimal_comma(b, sizeof(b), "%d %5i %ld %lld %u %x %04X %zu %zd %" PRIu64 " %jd %hhu %c %.3s %-4s| %s",
				  -3, 42, -7L, 1LL << 40, 3000000000u, 255u, 0xabu, (size_t) 12, (ssize_t) -1,
				  (uint64_t) 18446744073709551615u, (intmax_t) -9, (unsigned char) 200, 'x', "abcdef", "v1", "2026-11-21 14.00.ubx");
	snprintf(c, sizeof(c), "%d %5i %ld %lld %u %x %04X %zu %zd %" PRIu64 " %jd %hhu %c %.3s %-4s| %s", -3, 42, -7L,
		 1LL << 40, 3000000000u, 255u, 0xabu, (size_t) 12, (ssize_t) -1, (uint64_t) 18446744073709551615u,
		 (intmax_t) -9, (unsigned char) 200, 'x', "abcdef", "v1", "2026-11-21 14.00.ubx");
	CHECK(!strcmp(b, c), "integers and strings: '%s', printf says '%s'", b, c);
	/* cut as snprintf cuts, returning the whole length; a comma even in a cut number */
	n = kt_snprintf_decimal_comma(small, sizeof(small), "ab %.3f cd", 12.5);
	CHECK(n == (int) strlen("ab 12,500 cd") && !strcmp(small, "ab 12,5"), "cut: %d '%s'", n, small);
	n = kt_snprintf_decimal_comma(small, sizeof(small), "%s%.1f", "abcdef", 1.5);
	CHECK(n == 9 && !strcmp(small, "abcdef1"), "cut before the comma: %d '%s'", n, small);
	n = kt_snprintf_decimal_comma(NULL, 0, "%.1f", 2.25);
	CHECK(n == 3, "length only: %d", n);
	/* what it cannot do it says, with nothing half done */
	errno = 0;
	n = kt_snprintf_decimal_comma(b, sizeof(b), "x %2$s %1$s", "a", "b");
	CHECK(n == -1 && errno == EINVAL && b[0] == '\0', "positional arguments: %d '%s'", n, b);
}

int
main(void)
{
	test_lock();
	test_text();
	test_bytes();
	test_decimal_comma();
	return failures ? 1 : 0;
}
