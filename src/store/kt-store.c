/* SPDX-License-Identifier: EUPL-1.2 */
/* The session archive on disk; see kt-store.h for the layout and guarantees. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "kt_dock.h"
#include "kt-store.h"
#include "util/kt-fileio.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

struct kt_store {
	char *root;
	bool created;              /* ROOT did not exist: this open made it */
};

struct kt_store_download {
	struct kt_store *s;
	char vest_id[KT_STORE_VEST_ID_MAX + 1];
	uint32_t session_id, crc32, size;
	int64_t start_unix_us;
	char *dir, *part_path, *meta_path;
	int fd;
	uint32_t offset;     /* bytes in the file */
	uint32_t offset_crc; /* CRC-32 of [0, offset) */
	uint32_t durable;    /* fsynced and recorded in .meta */
	uint32_t since_sync;
};

struct kt_store_live {
	struct kt_store *s;
	char vest_id[KT_STORE_VEST_ID_MAX + 1];
	uint32_t session_id;
	int64_t start_unix_us;
	char *dir, *part_path;
	int fd;
	uint64_t size;
};

bool
kt_store_vest_id_valid(const char *id)
{
	size_t n = 0;

	if (!id || id[0] == '.' || id[0] == '\0')
		return false;
	for (const char *p = id; *p; p++, n++) {
		char c = *p;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return n <= KT_STORE_VEST_ID_MAX;
}

static bool
session_name_valid(const char *name)
{
	return name && strlen(name) < 32 && kt_store_vest_id_valid(name);
}

/* fsync the folder that holds PATH (trailing slashes ignored): "." for a
 * bare name, "/" for a name at the top. */
static int
fsync_parent(const char *path)
{
	size_t n = strlen(path);
	char *parent;
	int r;

	while (n > 1 && path[n - 1] == '/')
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 0)
		return kt_fsync_dir(".");
	parent = strndup(path, n);
	if (!parent)
		return -ENOMEM;
	r = kt_fsync_dir(parent);
	free(parent);
	return r;
}

/* One directory with exactly KT_STORE_DIR_MODE (whatever the umask), its
 * entry durable (the parent fsynced) before a file in it is. An existing
 * one is left alone; *ret_made says which. */
static int
mkdir_one(const char *path, bool *ret_made)
{
	*ret_made = false;
	if (mkdir(path, KT_STORE_DIR_MODE) < 0)
		return errno == EEXIST ? 0 : -errno;
	if (chmod(path, KT_STORE_DIR_MODE) < 0)
		return -errno;
	*ret_made = true;
	return fsync_parent(path);
}

/* 0 if PATH is a directory now (it may have been made by someone else
 * meanwhile, or be a file of that name: -ENOTDIR). */
static int
is_dir(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* kt_mkdir_p_with()'s maker: mkdir_one() */
static int
mkdir_one_cb(const char *dir, void *userdata)
{
	bool made;

	return mkdir_one(dir, &made);
}

/* mkdir -p, each directory it creates made by mkdir_one(). */
static int
mkdir_durable(const char *path)
{
	return kt_mkdir_p_with(path, mkdir_one_cb, NULL);
}

/* ROOT itself is made only when its parent folder exists: a mistyped path
 * (/var/lib/kicktrak/x) must not quietly become a new store with all its
 * parents. -ENOENT if the parent is missing. */
static int
mkdir_root(const char *root, bool *ret_created)
{
	int r = is_dir(root);

	if (r != -ENOENT)
		return r;
	r = mkdir_one(root, ret_created);
	return r < 0 ? r : is_dir(root);
}

int
kt_store_open(const char *root, struct kt_store **ret)
{
	static const char *const subdirs[] = {"raw", "partial", "sessions"};
	struct kt_store *s;
	int r;

	if (!root)
		root = KT_STORE_DEFAULT_ROOT;
	if (root[0] == '\0')
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->root = strdup(root);
	if (!s->root) {
		free(s);
		return -ENOMEM;
	}
	/* strip trailing slashes */
	for (size_t n = strlen(s->root); n > 1 && s->root[n - 1] == '/'; n--)
		s->root[n - 1] = '\0';
	r = mkdir_root(s->root, &s->created);
	for (size_t i = 0; r >= 0 && i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		char *d;
		if (asprintf(&d, "%s/%s", s->root, subdirs[i]) < 0) {
			r = -ENOMEM;
			break;
		}
		r = mkdir_durable(d);
		free(d);
	}
	if (r < 0) {
		log_debug_errno(r, "store: cannot create %s: %m", s->root);
		kt_store_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

struct kt_store *
kt_store_free(struct kt_store *s)
{
	if (s) {
		free(s->root);
		free(s);
	}
	return NULL;
}

bool
kt_store_created(const struct kt_store *s)
{
	return s->created;
}

const char *
kt_store_root(const struct kt_store *s)
{
	return s->root;
}

int
kt_store_raw_path(struct kt_store *s,
		  const char *vest_id,
		  uint32_t session_id,
		  uint32_t crc32,
		  char **ret_path)
{
	char *p;

	if (!kt_store_vest_id_valid(vest_id))
		return -EINVAL;
	if (asprintf(&p, "%s/raw/%s/%" PRIu32 "-%08" PRIx32 ".log", s->root, vest_id, session_id,
		     crc32) < 0)
		return -ENOMEM;
	*ret_path = p;
	return 0;
}

int
kt_store_is_stored(struct kt_store *s, const char *vest_id, uint32_t session_id, uint32_t crc32)
{
	struct stat st;
	char *p;
	int r;

	r = kt_store_raw_path(s, vest_id, session_id, crc32, &p);
	if (r < 0)
		return r;
	if (stat(p, &st) == 0)
		r = S_ISREG(st.st_mode) ? 1 : -EEXIST;
	else
		r = errno == ENOENT ? 0 : -errno;
	free(p);
	return r;
}

/* ---- file helpers ---- */

static int
open_file(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, KT_STORE_FILE_MODE);

	if (fd < 0)
		return -errno;
	if (fchmod(fd, KT_STORE_FILE_MODE) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	/* one writer per file: a second daemon (or a leftover) gets -EBUSY */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return r;
	}
	return fd;
}

static int
write_all_at(int fd, const uint8_t *data, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, data, len, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		data += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* CRC-32 of the first len bytes of fd; -ENODATA if the file is shorter. */
static int
crc_of_fd(int fd, uint64_t len, uint32_t *ret_crc)
{
	uint8_t buf[65536];
	uint32_t crc = 0;
	off_t off = 0;

	while ((uint64_t)off < len) {
		size_t want = len - (uint64_t)off < sizeof(buf) ? (size_t)(len - (uint64_t)off)
								: sizeof(buf);
		ssize_t n = pread(fd, buf, want, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENODATA;
		crc = kt_crc32(crc, buf, (size_t)n);
		off += n;
	}
	*ret_crc = crc;
	return 0;
}

/* Link tmp into place as final (never replacing), fsync final's directory. */
static int
link_into_place(
	int fd, const char *tmp, const char *final_dir, const char *final, int64_t mtime_unix_us)
{
	int r;

	if (mtime_unix_us != INT64_MIN && mtime_unix_us > 0) {
		struct timespec ts[2];
		ts[0].tv_sec = ts[1].tv_sec = (time_t)(mtime_unix_us / 1000000);
		ts[0].tv_nsec = ts[1].tv_nsec = (long)(mtime_unix_us % 1000000) * 1000;
		(void)futimens(fd, ts);
	}
	if (fsync(fd) < 0)
		return -errno;
	r = mkdir_durable(final_dir);
	if (r < 0)
		return r;
	if (link(tmp, final) < 0)
		return -errno;
	return kt_fsync_dir(final_dir);
}

static int scan_dir(const char *path, char ***ret_names, size_t *ret_n);
static void free_names(char **names, size_t n);
static int walk_vest_files(const char *top, const char *only_vest,
			   int (*fn)(const char *vest, const char *vdir, const char *name, void *userdata),
			   void *userdata);

/* ---- downloads ---- */

struct meta {
	uint32_t session_id, size, crc32, durable, durable_crc32;
};

static int
meta_parse(const char *path, struct meta *ret)
{
	unsigned long long size, scrc, sid, len, pcrc;
	char *data;
	size_t n;
	int r;

	r = kt_read_file(path, 4096, &data, &n);
	if (r < 0)
		return r;
	r = sscanf(data,
		   "kicktrack-partial 1\nsession=%llu\nsize=%llu\ncrc32=%llx\n"
		   "durable=%llu\ndurable_crc32=%llx\n",
		   &sid, &size, &scrc, &len, &pcrc);
	free(data);
	if (r != 5 || sid > UINT32_MAX || size > UINT32_MAX || scrc > UINT32_MAX || len > size ||
	    pcrc > UINT32_MAX)
		return -EBADMSG;
	*ret = (struct meta){
		.session_id = (uint32_t)sid, .size = (uint32_t)size, .crc32 = (uint32_t)scrc,
		.durable = (uint32_t)len, .durable_crc32 = (uint32_t)pcrc,
	};
	return 0;
}

static int
meta_read(const char *path, struct kt_store_download *d, uint32_t *ret_len, uint32_t *ret_crc)
{
	struct meta m;
	int r = meta_parse(path, &m);

	if (r < 0)
		return r;
	if (m.session_id != d->session_id || m.size != d->size || m.crc32 != d->crc32)
		return -EBADMSG;
	*ret_len = m.durable;
	*ret_crc = m.durable_crc32;
	return 0;
}

static int
meta_write(struct kt_store_download *d)
{
	struct kt_atomic_file a;
	int r;

	r = kt_atomic_open(d->meta_path, KT_STORE_FILE_MODE, &a);
	if (r < 0)
		return r;
	fprintf(a.f,
		"kicktrack-partial 1\nsession=%" PRIu32 "\nsize=%" PRIu32 "\ncrc32=%08" PRIx32
		"\ndurable=%" PRIu32 "\ndurable_crc32=%08" PRIx32 "\n",
		d->session_id, d->size, d->crc32, d->offset, d->offset_crc);
	return kt_atomic_commit(&a, true, false);
}

static void
download_release(struct kt_store_download *d)
{
	if (d->fd >= 0)
		close(d->fd);
	free(d->dir);
	free(d->part_path);
	free(d->meta_path);
	free(d);
}

int
kt_store_download_begin(struct kt_store *s,
			const char *vest_id,
			uint32_t session_id,
			uint32_t crc32,
			uint32_t size,
			int64_t start_unix_us,
			struct kt_store_download **ret)
{
	struct kt_store_download *d;
	uint32_t len = 0, lcrc = 0;
	struct stat st;
	int r;

	if (!kt_store_vest_id_valid(vest_id))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->fd = -1;
	d->s = s;
	strcpy(d->vest_id, vest_id);
	d->session_id = session_id;
	d->crc32 = crc32;
	d->size = size;
	d->start_unix_us = start_unix_us;
	if (asprintf(&d->dir, "%s/partial/%s", s->root, vest_id) < 0 ||
	    asprintf(&d->part_path, "%s/%" PRIu32 "-%08" PRIx32 ".part", d->dir, session_id,
		     crc32) < 0 ||
	    asprintf(&d->meta_path, "%s/%" PRIu32 "-%08" PRIx32 ".meta", d->dir, session_id,
		     crc32) < 0) {
		r = -ENOMEM;
		goto fail;
	}

	r = kt_store_is_stored(s, vest_id, session_id, crc32);
	if (r != 0) {
		if (r > 0) {
			/* a crash after the link left the partial behind */
			(void)unlink(d->part_path);
			(void)unlink(d->meta_path);
			r = -EEXIST;
		}
		goto fail;
	}

	r = mkdir_durable(d->dir);
	if (r < 0)
		goto fail;
	r = open_file(d->part_path, O_RDWR | O_CREAT);
	if (r < 0)
		goto fail;
	d->fd = r;

	/* resume: the durable prefix recorded in .meta, if the file still
	 * holds exactly those bytes */
	if (fstat(d->fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if (meta_read(d->meta_path, d, &len, &lcrc) == 0 && (uint64_t)st.st_size >= len) {
		uint32_t c;
		if (crc_of_fd(d->fd, len, &c) < 0 || c != lcrc) {
			log_debug("store: %s does not match its resume point, restarting",
				  d->part_path);
			len = 0;
			lcrc = 0;
		}
	} else {
		len = 0;
		lcrc = 0;
	}
	if ((uint64_t)st.st_size != len && ftruncate(d->fd, len) < 0) {
		r = -errno;
		goto fail;
	}
	d->offset = d->durable = len;
	d->offset_crc = lcrc;
	log_debug("store: download %s/%" PRIu32 " resumes at %" PRIu32 " of %" PRIu32, vest_id,
		  session_id, len, size);
	*ret = d;
	return 0;
fail:
	download_release(d);
	return r;
}

uint32_t
kt_store_download_offset(const struct kt_store_download *d)
{
	return d->offset;
}

int
kt_store_download_held(struct kt_store *s,
		       const char *vest_id,
		       uint32_t session_id,
		       uint32_t crc32,
		       uint32_t size,
		       uint32_t *ret_held,
		       uint64_t *ret_bytes)
{
	struct kt_store_download d = {
		.s = s, .session_id = session_id, .crc32 = crc32, .size = size,
	};
	uint32_t len, lcrc;
	char *meta = NULL, *part = NULL;
	struct stat st;
	int r;

	if (!kt_store_vest_id_valid(vest_id))
		return -EINVAL;
	if (asprintf(&meta, "%s/partial/%s/%" PRIu32 "-%08" PRIx32 ".meta", s->root, vest_id,
		     session_id, crc32) < 0)
		return -ENOMEM;
	if (ret_bytes &&
	    asprintf(&part, "%s/partial/%s/%" PRIu32 "-%08" PRIx32 ".part", s->root, vest_id,
		     session_id, crc32) < 0) {
		free(meta);
		return -ENOMEM;
	}
	r = meta_read(meta, &d, &len, &lcrc);
	free(meta);
	*ret_held = r == 0 ? len : 0;
	if (ret_bytes) {
		*ret_bytes = stat(part, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
		free(part);
	}
	return 0;
}

static int
partial_cmp(const void *a, const void *b)
{
	const struct kt_store_partial *x = a, *y = b;
	int c = strcmp(x->vest_id, y->vest_id);

	if (c)
		return c;
	return x->session_id < y->session_id ? -1 : x->session_id > y->session_id;
}

struct partial_list {
	struct kt_store_partial *l;
	size_t n, cap;
};

static int
partial_file(const char *vest, const char *vdir, const char *name, void *userdata)
{
	struct partial_list *pl = userdata;
	unsigned long long sid, crc;
	char tail[8], *part = NULL, *meta = NULL;
	struct kt_store_partial e = { 0 };
	struct stat st;
	struct meta m;

	/* downloads only: a live-*.part is a gpsd recording */
	if (sscanf(name, "%llu-%llx%7s", &sid, &crc, tail) != 3 || strcmp(tail, ".part") || sid > UINT32_MAX ||
	    crc > UINT32_MAX)
		return 0;
	if (asprintf(&part, "%s/%s", vdir, name) < 0)
		return -ENOMEM;
	if (stat(part, &st) < 0 || !S_ISREG(st.st_mode)) {
		free(part);
		return 0;
	}
	snprintf(e.vest_id, sizeof(e.vest_id), "%s", vest);
	e.session_id = (uint32_t)sid;
	e.crc32 = (uint32_t)crc;
	e.bytes = (uint64_t)st.st_size;
	if (asprintf(&meta, "%s/%" PRIu32 "-%08" PRIx32 ".meta", vdir, e.session_id, e.crc32) >= 0 &&
	    meta_parse(meta, &m) == 0 && m.session_id == e.session_id && m.crc32 == e.crc32 &&
	    m.durable <= (uint64_t)st.st_size) {
		e.size = m.size;
		e.held = m.durable;
	}
	free(meta);
	free(part);
	if (pl->n == pl->cap) {
		struct kt_store_partial *nl = realloc(pl->l, (pl->cap ? pl->cap * 2 : 8) * sizeof(*nl));
		if (!nl)
			return -ENOMEM;
		pl->l = nl;
		pl->cap = pl->cap ? pl->cap * 2 : 8;
	}
	pl->l[pl->n++] = e;
	return 0;
}

int
kt_store_list_partials(struct kt_store *s, struct kt_store_partial **ret, size_t *ret_n)
{
	struct partial_list pl = { 0 };
	char *pdir = NULL;
	int r;

	if (asprintf(&pdir, "%s/partial", s->root) < 0)
		return -ENOMEM;
	r = walk_vest_files(pdir, NULL, partial_file, &pl);
	free(pdir);
	if (r < 0 && r != -ENOENT) {
		free(pl.l);
		return r;
	}
	if (pl.n > 1)
		qsort(pl.l, pl.n, sizeof(*pl.l), partial_cmp);
	*ret = pl.l;
	*ret_n = pl.n;
	return 0;
}

int
kt_store_free_bytes(struct kt_store *s, uint64_t *ret)
{
	struct statvfs st;

	if (statvfs(s->root, &st) < 0)
		return -errno;
	*ret = (uint64_t)st.f_bavail * (uint64_t)st.f_frsize;
	return 0;
}

int
kt_store_download_sync(struct kt_store_download *d)
{
	int r;

	if (d->durable == d->offset && d->since_sync == 0)
		return 0;
	if (fsync(d->fd) < 0)
		return -errno;
	r = meta_write(d);
	if (r < 0)
		return r;
	d->durable = d->offset;
	d->since_sync = 0;
	return 0;
}

int
kt_store_download_append(struct kt_store_download *d,
			 uint32_t offset,
			 const uint8_t *data,
			 size_t len,
			 uint32_t chunk_crc32)
{
	int r;

	if (offset != d->offset)
		return -ESPIPE;
	if ((uint64_t)offset + len > d->size)
		return -EFBIG;
	if (kt_crc32(0, data, len) != chunk_crc32)
		return -EBADMSG;
	if (len == 0)
		return 0;
	r = write_all_at(d->fd, data, len, offset);
	if (r < 0) {
		/* nothing half-written stays: cut back to what we had */
		(void)ftruncate(d->fd, d->offset);
		return r;
	}
	d->offset += (uint32_t)len;
	d->offset_crc = kt_crc32(d->offset_crc, data, len);
	d->since_sync += (uint32_t)len;
	if (d->since_sync >= KT_STORE_SYNC_BYTES) {
		r = kt_store_download_sync(d);
		if (r < 0)
			return r;
	}
	return 0;
}

static void
download_remove_files(struct kt_store_download *d)
{
	(void)unlink(d->part_path);
	(void)unlink(d->meta_path);
	(void)kt_fsync_dir(d->dir);
}

int
kt_store_download_commit(struct kt_store_download *d, char **ret_path)
{
	char *raw = NULL, *rawdir = NULL;
	uint32_t crc;
	int r;

	if (d->offset < d->size)
		return -EAGAIN;
	/* verify what is on disk, not what we meant to write */
	r = crc_of_fd(d->fd, d->size, &crc);
	if (r < 0)
		goto out;
	if (crc != d->crc32) {
		log_debug("store: %s CRC-32 %08" PRIx32 " != %08" PRIx32 ", discarding",
			  d->part_path, crc, d->crc32);
		download_remove_files(d);
		r = -EBADMSG;
		goto out;
	}
	r = kt_store_raw_path(d->s, d->vest_id, d->session_id, d->crc32, &raw);
	if (r < 0)
		goto out;
	if (asprintf(&rawdir, "%s/raw/%s", d->s->root, d->vest_id) < 0) {
		r = -ENOMEM;
		goto out;
	}
	r = link_into_place(d->fd, d->part_path, rawdir, raw, d->start_unix_us);
	if (r == -EEXIST) {
		download_remove_files(d);
		goto out;
	}
	if (r < 0)
		goto out;
	download_remove_files(d);
	if (ret_path) {
		*ret_path = raw;
		raw = NULL;
	}
out:
	free(raw);
	free(rawdir);
	download_release(d);
	return r;
}

struct kt_store_download *
kt_store_download_free(struct kt_store_download *d)
{
	if (d) {
		(void)kt_store_download_sync(d);
		download_release(d);
	}
	return NULL;
}

void
kt_store_download_discard(struct kt_store_download *d)
{
	if (!d)
		return;
	download_remove_files(d);
	download_release(d);
}

/* ---- live recordings ---- */

static void
live_release(struct kt_store_live *l)
{
	if (l->fd >= 0)
		close(l->fd);
	free(l->dir);
	free(l->part_path);
	free(l);
}

static int
live_new(struct kt_store *s,
	 const char *vest_id,
	 uint32_t session_id,
	 int flags,
	 struct kt_store_live **ret)
{
	struct kt_store_live *l;
	struct stat st;
	int r;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->fd = -1;
	l->s = s;
	strcpy(l->vest_id, vest_id);
	l->session_id = session_id;
	l->start_unix_us = (int64_t)session_id * 1000000;
	if (asprintf(&l->dir, "%s/partial/%s", s->root, vest_id) < 0 ||
	    asprintf(&l->part_path, "%s/live-%" PRIu32 ".part", l->dir, session_id) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	r = mkdir_durable(l->dir);
	if (r < 0)
		goto fail;
	r = open_file(l->part_path, flags);
	if (r < 0)
		goto fail;
	l->fd = r;
	if (fstat(l->fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	l->size = (uint64_t)st.st_size;
	*ret = l;
	return 0;
fail:
	live_release(l);
	return r;
}

int
kt_store_live_open(struct kt_store *s,
		   const char *vest_id,
		   int64_t start_unix_us,
		   struct kt_store_live **ret)
{
	int64_t sec;

	if (!kt_store_vest_id_valid(vest_id))
		return -EINVAL;
	sec = start_unix_us / 1000000;
	if (start_unix_us < 0 || sec > UINT32_MAX)
		return -ERANGE;
	return live_new(s, vest_id, (uint32_t)sec, O_RDWR | O_CREAT | O_EXCL, ret);
}

int
kt_store_live_append(struct kt_store_live *l, const uint8_t *data, size_t len)
{
	int r;

	if (len == 0)
		return 0;
	if (l->size + len > UINT32_MAX)
		return -EFBIG; /* the dock protocol's session size limit */
	r = write_all_at(l->fd, data, len, (off_t)l->size);
	if (r < 0) {
		(void)ftruncate(l->fd, (off_t)l->size);
		return r;
	}
	l->size += len;
	return 0;
}

int
kt_store_live_sync(struct kt_store_live *l)
{
	return fsync(l->fd) < 0 ? -errno : 0;
}

uint64_t
kt_store_live_size(const struct kt_store_live *l)
{
	return l->size;
}

int
kt_store_live_commit(struct kt_store_live *l, char **ret_path)
{
	char *raw = NULL, *rawdir = NULL;
	uint32_t crc;
	int r;

	if (l->size == 0) {
		(void)unlink(l->part_path);
		r = -ENODATA;
		goto out;
	}
	r = crc_of_fd(l->fd, l->size, &crc);
	if (r < 0)
		goto out;
	r = kt_store_raw_path(l->s, l->vest_id, l->session_id, crc, &raw);
	if (r < 0)
		goto out;
	if (asprintf(&rawdir, "%s/raw/%s", l->s->root, l->vest_id) < 0) {
		r = -ENOMEM;
		goto out;
	}
	r = link_into_place(l->fd, l->part_path, rawdir, raw, l->start_unix_us);
	if (r < 0 && r != -EEXIST)
		goto out;
	(void)unlink(l->part_path);
	(void)kt_fsync_dir(l->dir);
	if (r == 0 && ret_path) {
		*ret_path = raw;
		raw = NULL;
	}
out:
	free(raw);
	free(rawdir);
	live_release(l);
	return r;
}

struct kt_store_live *
kt_store_live_free(struct kt_store_live *l)
{
	if (l) {
		(void)fsync(l->fd);
		live_release(l);
	}
	return NULL;
}

static int
scan_dir(const char *path, char ***ret_names, size_t *ret_n)
{
	DIR *dir = opendir(path);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*names));
			if (!nn)
				goto oom;
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			goto oom;
		n++;
	}
	closedir(dir);
	*ret_names = names;
	*ret_n = n;
	return 0;
oom:
	closedir(dir);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return -ENOMEM;
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* fn(vest, the vest's folder, file name, userdata) for each entry of
 * top/<vest>/, for every valid vest id there or only only_vest's, in no
 * order, until fn returns < 0. A vest entry that is no folder (or went
 * meanwhile) is skipped. Returns fn's error, -errno of the walk (-ENOENT:
 * no top), or 0. */
static int
walk_vest_files(const char *top, const char *only_vest,
		int (*fn)(const char *vest, const char *vdir, const char *name, void *userdata), void *userdata)
{
	char **vests = NULL;
	size_t nv = 0;
	int r = 0;

	if (only_vest) {
		vests = calloc(1, sizeof(char *));
		if (!vests || !(vests[0] = strdup(only_vest))) {
			free(vests);
			return -ENOMEM;
		}
		nv = 1;
	} else {
		r = scan_dir(top, &vests, &nv);
	}
	for (size_t i = 0; r >= 0 && i < nv; i++) {
		char **files = NULL, *vdir = NULL;
		size_t nf = 0;

		if (!kt_store_vest_id_valid(vests[i]))
			continue;
		if (asprintf(&vdir, "%s/%s", top, vests[i]) < 0) {
			r = -ENOMEM;
			break;
		}
		r = scan_dir(vdir, &files, &nf);
		if (r == -ENOENT || r == -ENOTDIR)
			r = 0;
		for (size_t k = 0; r >= 0 && k < nf; k++)
			r = fn(vests[i], vdir, files[k], userdata);
		free_names(files, nf);
		free(vdir);
	}
	free_names(vests, nv);
	return r;
}

struct live_recovery {
	struct kt_store *s;
	kt_store_live_recover_fn fn;
	void *userdata;
	int count;
};

static int
live_file(const char *vest, const char *vdir, const char *name, void *userdata)
{
	struct live_recovery *lr = userdata;
	struct kt_store_live *l;
	unsigned long long sec;
	char tail[8], *part = NULL, *raw = NULL;
	uint64_t size;
	int r;

	if (sscanf(name, "live-%llu%7s", &sec, tail) != 2 || strcmp(tail, ".part") != 0 || sec > UINT32_MAX)
		return 0;
	if (asprintf(&part, "%s/%s", vdir, name) < 0)
		return -ENOMEM;
	r = live_new(lr->s, vest, (uint32_t)sec, O_RDWR, &l);
	if (r == -EBUSY) { /* being recorded right now */
		free(part);
		return 0;
	}
	if (r >= 0) {
		size = l->size;
		r = kt_store_live_commit(l, &raw);
		if (r == 0)
			lr->count++;
	} else {
		size = 0;
	}
	if (lr->fn)
		lr->fn(vest, r == 0 ? raw : part, size, r, lr->userdata);
	free(raw);
	free(part);
	return 0;
}

int
kt_store_live_recover(struct kt_store *s, kt_store_live_recover_fn fn, void *userdata)
{
	struct live_recovery lr = { .s = s, .fn = fn, .userdata = userdata };
	char *pdir = NULL;
	int r;

	if (asprintf(&pdir, "%s/partial", s->root) < 0)
		return -ENOMEM;
	r = walk_vest_files(pdir, NULL, live_file, &lr);
	free(pdir);
	if (r == -ENOENT)
		r = 0;
	return r < 0 ? r : lr.count;
}

/* ---- listing raw logs ---- */

static int
raw_cmp(const void *a, const void *b)
{
	const struct kt_store_raw *x = a, *y = b;
	int c;

	if (x->start_unix_us != y->start_unix_us)
		return x->start_unix_us < y->start_unix_us ? -1 : 1;
	c = strcmp(x->vest_id, y->vest_id);
	if (c)
		return c;
	return x->session_id < y->session_id ? -1 : x->session_id > y->session_id;
}

void
kt_store_raw_list_free(struct kt_store_raw *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i].path);
	free(l);
}

struct raw_list {
	struct kt_store_raw *l;
	size_t n, cap;
};

static int
raw_file(const char *vest, const char *vdir, const char *name, void *userdata)
{
	struct raw_list *rl = userdata;
	unsigned long long sid, crc;
	char tail[8], canon[64], *path;
	struct stat st;

	if (sscanf(name, "%llu-%llx%7s", &sid, &crc, tail) != 3 || strcmp(tail, ".log") != 0 || sid > UINT32_MAX ||
	    crc > UINT32_MAX)
		return 0;
	/* only the exact names the store writes */
	snprintf(canon, sizeof(canon), "%llu-%08llx.log", sid, crc);
	if (strcmp(canon, name) != 0)
		return 0;
	if (asprintf(&path, "%s/%s", vdir, name) < 0)
		return -ENOMEM;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		free(path);
		return 0;
	}
	if (rl->n == rl->cap) {
		struct kt_store_raw *nl = realloc(rl->l, (rl->cap ? rl->cap * 2 : 16) * sizeof(*nl));
		if (!nl) {
			free(path);
			return -ENOMEM;
		}
		rl->l = nl;
		rl->cap = rl->cap ? rl->cap * 2 : 16;
	}
	rl->l[rl->n] = (struct kt_store_raw){
		.session_id = (uint32_t)sid,
		.crc32 = (uint32_t)crc,
		.size = (uint64_t)st.st_size,
		.start_unix_us = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000,
		.path = path,
	};
	snprintf(rl->l[rl->n].vest_id, sizeof(rl->l[rl->n].vest_id), "%s", vest);
	rl->n++;
	return 0;
}

int
kt_store_list_raw(struct kt_store *s, const char *vest_id, struct kt_store_raw **ret, size_t *ret_n)
{
	struct raw_list rl = { 0 };
	char *rdir = NULL;
	int r;

	if (vest_id && !kt_store_vest_id_valid(vest_id))
		return -EINVAL;
	if (asprintf(&rdir, "%s/raw", s->root) < 0)
		return -ENOMEM;
	r = walk_vest_files(rdir, vest_id, raw_file, &rl);
	free(rdir);
	if (r < 0 && r != -ENOENT) {
		kt_store_raw_list_free(rl.l, rl.n);
		return r;
	}
	if (rl.n > 1)
		qsort(rl.l, rl.n, sizeof(*rl.l), raw_cmp);
	*ret = rl.l;
	*ret_n = rl.n;
	return 0;
}

/* ---- training sessions ---- */

int
kt_store_session_name(int64_t start_unix_us, char *buf, size_t size)
{
	time_t t;
	struct tm tm;

	if (start_unix_us == INT64_MIN)
		return -EINVAL;
	t = (time_t)(start_unix_us / 1000000);
	if (!localtime_r(&t, &tm))
		return -ERANGE;
	if (strftime(buf, size, "%Y-%m-%d_%H%M", &tm) == 0)
		return -ENOBUFS;
	return 0;
}

int
kt_store_session_create(struct kt_store *s, const char *name, char **ret_path)
{
	char *dir = NULL, *rep = NULL;
	int r;

	if (!session_name_valid(name))
		return -EINVAL;
	if (asprintf(&dir, "%s/sessions/%s", s->root, name) < 0)
		return -ENOMEM;
	if (asprintf(&rep, "%s/reports", dir) < 0) {
		free(dir);
		return -ENOMEM;
	}
	r = mkdir_durable(rep);
	free(rep);
	if (r < 0 || !ret_path)
		free(dir);
	else
		*ret_path = dir;
	return r;
}

static void
fmt_time(char *buf, size_t size, int64_t t)
{
	if (t == INT64_MIN)
		snprintf(buf, size, "unknown");
	else
		snprintf(buf, size, "%" PRId64, t);
}

int
kt_store_manifest_write(struct kt_store *s, const struct kt_store_manifest *m)
{
	struct kt_atomic_file a;
	char *path, b1[32], b2[32];
	int r;

	r = kt_store_session_create(s, m->name, NULL);
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->n; i++)
		if (!kt_store_vest_id_valid(m->e[i].vest_id) || strchr(m->e[i].raw_path, '\n') ||
		    strchr(m->e[i].raw_path, ' ') || m->e[i].raw_path[0] == '\0')
			return -EINVAL;
	if (asprintf(&path, "%s/sessions/%s/manifest", s->root, m->name) < 0)
		return -ENOMEM;
	r = kt_atomic_open(path, KT_STORE_FILE_MODE, &a);
	free(path);
	if (r < 0)
		return r;
	fmt_time(b1, sizeof(b1), m->start_unix_us);
	fmt_time(b2, sizeof(b2), m->end_unix_us);
	fprintf(a.f, "# kicktrack session manifest\nversion=1\nname=%s\nstart_us=%s\nend_us=%s\n",
		m->name, b1, b2);
	for (size_t i = 0; i < m->n; i++)
		fprintf(a.f, "log=%s %" PRIu32 " %08" PRIx32 " %s\n", m->e[i].vest_id,
			m->e[i].session_id, m->e[i].crc32, m->e[i].raw_path);
	if (m->reported_known)
		fprintf(a.f, "reported=%zu\n", m->reported);
	return kt_atomic_commit(&a, true, false);
}

void
kt_store_manifest_clear(struct kt_store_manifest *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}

static int
parse_time(const char *v, int64_t *ret)
{
	if (strcmp(v, "unknown") == 0) {
		*ret = INT64_MIN;
		return 0;
	}
	return kt_safe_atoi64(v, ret);
}

int
kt_store_manifest_read(struct kt_store *s, const char *name, struct kt_store_manifest *ret)
{
	struct kt_store_manifest m = {.start_unix_us = INT64_MIN, .end_unix_us = INT64_MIN};
	char *path, *data, *line, *save = NULL;
	size_t len, cap = 0;
	bool have_version = false;
	int r;

	if (!session_name_valid(name))
		return -EINVAL;
	if (asprintf(&path, "%s/sessions/%s/manifest", s->root, name) < 0)
		return -ENOMEM;
	r = kt_read_file(path, 16 * 1024 * 1024, &data, &len);
	free(path);
	if (r < 0)
		return r;
	if (strlen(data) != len) {
		free(data);
		return -EBADMSG;
	}
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq;

		if (line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			r = -EBADMSG;
			break;
		}
		*eq++ = '\0';
		if (strcmp(line, "version") == 0) {
			have_version = strcmp(eq, "1") == 0;
			if (!have_version)
				r = -EBADMSG;
		} else if (strcmp(line, "name") == 0) {
			if (strlen(eq) >= sizeof(m.name))
				r = -EBADMSG;
			else
				strcpy(m.name, eq);
		} else if (strcmp(line, "start_us") == 0) {
			r = parse_time(eq, &m.start_unix_us) < 0 ? -EBADMSG : 0;
		} else if (strcmp(line, "end_us") == 0) {
			r = parse_time(eq, &m.end_unix_us) < 0 ? -EBADMSG : 0;
		} else if (strcmp(line, "log") == 0) {
			struct kt_store_manifest_entry e;
			unsigned long long sid, crc;
			char vest[64], rp[sizeof(e.raw_path)];
			int used = 0;

			memset(&e, 0, sizeof(e));
			if (sscanf(eq, "%63s %llu %llx %255s%n", vest, &sid, &crc, rp, &used) !=
				    4 ||
			    eq[used] != '\0' || !kt_store_vest_id_valid(vest) || sid > UINT32_MAX ||
			    crc > UINT32_MAX) {
				r = -EBADMSG;
				break;
			}
			strcpy(e.vest_id, vest);
			e.session_id = (uint32_t)sid;
			e.crc32 = (uint32_t)crc;
			strcpy(e.raw_path, rp);
			if (m.n == cap) {
				struct kt_store_manifest_entry *ne =
					realloc(m.e, (cap = cap ? cap * 2 : 16) * sizeof(*m.e));
				if (!ne) {
					r = -ENOMEM;
					break;
				}
				m.e = ne;
			}
			m.e[m.n++] = e;
		} else if (strcmp(line, "reported") == 0) {
			unsigned n;

			if (kt_safe_atou(eq, &n) < 0) {
				r = -EBADMSG;
				break;
			}
			m.reported = (size_t)n;
			m.reported_known = true;
		}
		/* unknown keys are ignored: later versions may add some */
		if (r < 0)
			break;
	}
	free(data);
	if (r == 0 && (!have_version || strcmp(m.name, name) != 0))
		r = -EBADMSG;
	if (r < 0) {
		kt_store_manifest_clear(&m);
		return r;
	}
	*ret = m;
	return 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
kt_store_list_sessions(struct kt_store *s, char ***ret_names, size_t *ret_n)
{
	char **names = NULL, *dir;
	size_t n = 0, k = 0;
	int r;

	if (asprintf(&dir, "%s/sessions", s->root) < 0)
		return -ENOMEM;
	r = scan_dir(dir, &names, &n);
	if (r < 0) {
		free(dir);
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		char *p;
		bool keep = false;

		if (session_name_valid(names[i]) && asprintf(&p, "%s/%s", dir, names[i]) >= 0) {
			keep = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
			free(p);
		}
		if (keep)
			names[k++] = names[i];
		else
			free(names[i]);
	}
	free(dir);
	if (k > 1)
		qsort(names, k, sizeof(*names), str_cmp);
	*ret_names = names;
	*ret_n = k;
	return 0;
}
