/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The output folder lock (kt_dir_lock): one holder at a time across
 * processes, never waiting unless asked, and a bounded wait that gets the
 * lock once the holder lets go.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/kt-fileio.h"

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

int
main(void)
{
	test_lock();
	return failures ? 1 : 0;
}
