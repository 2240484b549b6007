/* SPDX-License-Identifier: EUPL-1.2 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kt-fileio.h"
#include "kt-strutil.h"

int
kt_atomic_open(const char *path, mode_t mode, struct kt_atomic_file *ret)
{
	struct kt_atomic_file a = { .fd = -1 };
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;

	a.path = strdup(path);
	if (!a.path)
		return -ENOMEM;
	if (asprintf(&a.tmp_path, "%.*s.#%s.%ld.tmp", (int)dirlen, path,
		     slash ? slash + 1 : path, (long)getpid()) < 0) {
		free(a.path);
		return -ENOMEM;
	}
	a.fd = open(a.tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (a.fd < 0) {
		int r = -errno;
		free(a.path);
		free(a.tmp_path);
		return r;
	}
	(void)fchmod(a.fd, mode);
	a.f = fdopen(a.fd, "w");
	if (!a.f) {
		int r = -errno;
		close(a.fd);
		unlink(a.tmp_path);
		free(a.path);
		free(a.tmp_path);
		return r;
	}
	*ret = a;
	return 0;
}

static void
release(struct kt_atomic_file *a)
{
	free(a->path);
	free(a->tmp_path);
	a->path = a->tmp_path = NULL;
	a->f = NULL;
	a->fd = -1;
}

void
kt_atomic_abort(struct kt_atomic_file *a)
{
	if (a->f)
		fclose(a->f);
	if (a->tmp_path)
		unlink(a->tmp_path);
	release(a);
}

int
kt_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int
kt_atomic_commit(struct kt_atomic_file *a, bool durable, bool no_replace)
{
	int r = 0;

	if (fflush(a->f) != 0 || ferror(a->f))
		r = -(errno ? errno : EIO);
	if (r == 0 && durable && fsync(a->fd) < 0)
		r = -errno;
	if (fclose(a->f) != 0 && r == 0)
		r = -(errno ? errno : EIO);
	a->f = NULL;
	if (r == 0) {
		if (no_replace) {
			/* link() fails with EEXIST instead of replacing */
			if (link(a->tmp_path, a->path) < 0)
				r = -errno;
			unlink(a->tmp_path);
		} else if (rename(a->tmp_path, a->path) < 0) {
			r = -errno;
		}
	}
	if (r < 0)
		unlink(a->tmp_path);
	if (r == 0 && durable) {
		char *d = strdup(a->path);
		if (d) {
			r = kt_fsync_dir(dirname(d));
			free(d);
		}
	}
	release(a);
	return r;
}

int
kt_mkdir_p_with(const char *path, int (*mkdir_one)(const char *dir, void *userdata), void *userdata)
{
	char *p = strdup(path);
	struct stat st;
	int r = 0;

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		r = mkdir_one(p, userdata);
		*s = c;
		if (r < 0 || !c)
			break;
	}
	free(p);
	if (r < 0)
		return r;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static int
mkdir_mode(const char *dir, void *userdata)
{
	return mkdir(dir, *(const mode_t *) userdata) < 0 && errno != EEXIST ? -errno : 0;
}

int
kt_mkdir_p(const char *path, mode_t mode)
{
	return kt_mkdir_p_with(path, mkdir_mode, &mode);
}

const char *
kt_read_file_error(int r)
{
	if (r == -EINVAL)
		return "not a regular file (a FIFO or a device?)";
	if (r == -EFBIG)
		return "too big for this kind of file";
	if (r == -EMEDIUMTYPE)
		return "binary data, not a text file (the wrong file?)";
	return strerror(-r);
}

const char *
kt_read_file_error_de(int r)
{
	if (r == -EINVAL)
		return "keine normale Datei (ein FIFO oder ein Gerät?)";
	if (r == -EFBIG)
		return "zu groß für diese Art Datei";
	if (r == -EMEDIUMTYPE)
		return "Binärdaten, keine Textdatei (die falsche Datei?)";
	return kt_strerror_de(-r);
}

int
kt_read_text_file(const char *path, size_t max_size, char **ret_data, size_t *ret_len)
{
	char *data;
	size_t len;
	int r;

	r = kt_read_file(path, max_size, &data, &len);
	if (r == -EFBIG) {
		/* a vest log given by mistake is too big, but "binary data" says
		 * more: look at its start */
		char head[4096];
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		ssize_t n = fd >= 0 ? read(fd, head, sizeof(head)) : -1;

		if (fd >= 0)
			close(fd);
		return n > 0 && kt_looks_binary(head, (size_t) n) ? -EMEDIUMTYPE : -EFBIG;
	}
	if (r < 0)
		return r;
	if (kt_looks_binary(data, len)) {
		free(data);
		return -EMEDIUMTYPE;
	}
	*ret_data = data;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int
kt_read_file(const char *path, size_t max_size, char **ret_data, size_t *ret_len)
{
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	FILE *f;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL; /* a FIFO, a device */
	}
	(void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = fdopen(fd, "r");
	if (!f) {
		int r = -errno;
		close(fd);
		return r;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	for (;;) {
		if (n + 1 >= cap) {
			if (cap >= max_size) {
				free(buf);
				fclose(f);
				return -EFBIG;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		size_t k = fread(buf + n, 1, cap - n - 1, f);
		if (k == 0)
			break;
		n += k;
	}
	int r = ferror(f) ? -EIO : 0;
	fclose(f);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*ret_data = buf;
	if (ret_len)
		*ret_len = n;
	return 0;
}

int
kt_dir_lock(const char *dir, int *ret_fd)
{
	char *path = NULL;
	int fd;

	*ret_fd = -1;
	if (asprintf(&path, "%s/" KT_DIR_LOCK_NAME, dir) < 0)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0640);
	free(path);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int
kt_dir_lock_wait(const char *dir, unsigned wait_s, int *ret_fd)
{
	const struct timespec step = { 0, 200 * 1000 * 1000 };
	unsigned tries = wait_s * 5;
	int r;

	while ((r = kt_dir_lock(dir, ret_fd)) == -EBUSY && tries-- > 0)
		nanosleep(&step, NULL);
	return r;
}

void
kt_dir_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the lock */
}
