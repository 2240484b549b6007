/* SPDX-License-Identifier: EUPL-1.2 */
/* Durable, atomic file output: nothing half-written ever carries the final name. */
#ifndef KT_UTIL_FILEIO_H
#define KT_UTIL_FILEIO_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* An output file written under a temporary name in the same directory and
 * renamed into place by kt_atomic_commit(). */
struct kt_atomic_file {
	FILE *f;            /* write here */
	char *path;         /* final name */
	char *tmp_path;
	int fd;
};

/* mode e.g. 0640. Returns 0 or -errno. */
int kt_atomic_open(const char *path, mode_t mode, struct kt_atomic_file *ret);
/* Flush, (optionally fsync file and directory), rename into place. If
 * no_replace, fails with -EEXIST when the final name exists (never overwrites).
 * Always releases the struct; on failure the temporary file is removed. */
int kt_atomic_commit(struct kt_atomic_file *a, bool durable, bool no_replace);
/* Abandon: remove the temporary file. */
void kt_atomic_abort(struct kt_atomic_file *a);

/* mkdir -p with mode for each created level. Returns 0 or -errno. */
int kt_mkdir_p(const char *path, mode_t mode);
/* mkdir -p with mkdir_one(dir, userdata) making each level (0 when made or
 * there already, or -errno): then 0 if path is a directory, or -errno
 * (-ENOTDIR for a file of that name). */
int kt_mkdir_p_with(const char *path, int (*mkdir_one)(const char *dir, void *userdata), void *userdata);
/* fsync a directory. */
int kt_fsync_dir(const char *dir);
/* Read a whole small file (config, roster) into a NUL-terminated buffer.
 * Only regular files: a FIFO or device gives -EINVAL (never waits). */
int kt_read_file(const char *path, size_t max_size, char **ret_data, size_t *ret_len);
/* kt_read_file() for files people write (config, roster, pitch): binary
 * data (a vest log given by mistake) gives -EMEDIUMTYPE, so that none of
 * it is echoed into a message. */
int kt_read_text_file(const char *path, size_t max_size, char **ret_data, size_t *ret_len);
/* What a kt_read_file() or kt_read_text_file() error means, for a message;
 * _de: the same in German (kt_strerror_de). */
const char *kt_read_file_error(int r);
const char *kt_read_file_error_de(int r);

/* One writer per output folder: an exclusive lock on DIR/.kicktrack.lock
 * (created 0640, left in place; the lock goes with the process), taken by
 * kicktrack process and kicktrack report. Returns 0 and the descriptor to
 * pass to kt_dir_unlock(), -EBUSY when another process holds it, or -errno
 * (-ENOENT: no such folder). Never waits. */
#define KT_DIR_LOCK_NAME ".kicktrack.lock"
int kt_dir_lock(const char *dir, int *ret_fd);
/* The same, trying again for up to wait_s seconds while it is held. */
int kt_dir_lock_wait(const char *dir, unsigned wait_s, int *ret_fd);
void kt_dir_unlock(int fd);

#endif
