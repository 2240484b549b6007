/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The session archive on disk: durable, atomic, never overwrites.
 *
 *   ROOT/raw/<vest>/<session>-<crc32>.log        immutable raw logs (crc32 as 8 hex
 *                                                digits, session as decimal); mtime
 *                                                = session start when known
 *   ROOT/partial/<vest>/<session>-<crc32>.part   download in progress
 *   ROOT/partial/<vest>/<session>-<crc32>.meta   its resume point (durable length +
 *                                                CRC-32 of that prefix), atomic
 *   ROOT/partial/<vest>/live-<unix_s>.part       live (gpsd) recording in progress
 *   ROOT/sessions/<YYYY-MM-DD_HHMM>/manifest     a training: which raw logs belong
 *   ROOT/sessions/<YYYY-MM-DD_HHMM>/reports/     its reports
 *
 * Files are 0640 and directories 0750 whatever the umask. A raw log appears
 * under its final name only after its whole CRC-32 was verified and it was
 * fsynced; it is linked into place (never replacing an existing file) and the
 * directory is fsynced. Vest ids are 1..32 characters of [A-Za-z0-9_.-] and do
 * not start with '.'.
 *
 * Functions return >= 0 on success, -errno on failure; libraries log at
 * debug level only, the caller logs the error with the path it knows.
 */
#ifndef KT_STORE_H
#define KT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KT_STORE_DEFAULT_ROOT "/var/lib/kicktrack"
#define KT_STORE_FILE_MODE 0640
#define KT_STORE_DIR_MODE 0750
#define KT_STORE_VEST_ID_MAX 32
/* A download is fsynced and its resume point recorded at least every this many bytes. */
#define KT_STORE_SYNC_BYTES (256 * 1024)

struct kt_store;

/* Creates raw/, partial/ and sessions/ if needed, and ROOT too, but only if
 * its parent folder exists: -ENOENT if it does not (a mistyped path is not
 * turned into a new store with all its parents), -ENOTDIR if ROOT is not a
 * folder. root NULL = default. */
int kt_store_open(const char *root, struct kt_store **ret);
/* True if ROOT did not exist and this open created it (a new, empty store). */
bool kt_store_created(const struct kt_store *s);
struct kt_store *kt_store_free(struct kt_store *s);
const char *kt_store_root(const struct kt_store *s);

/* True for a vest id the store accepts (see above). */
bool kt_store_vest_id_valid(const char *vest_id);

/* ---- Raw logs ---- */

/* Returns 1 if the raw log (vest, session, crc) is stored, 0 if not, -errno. */
int
kt_store_is_stored(struct kt_store *s, const char *vest_id, uint32_t session_id, uint32_t crc32);
/* Absolute path of that raw log (whether or not it exists); caller frees. */
int kt_store_raw_path(struct kt_store *s,
		      const char *vest_id,
		      uint32_t session_id,
		      uint32_t crc32,
		      char **ret_path);

struct kt_store_raw {
	char vest_id[KT_STORE_VEST_ID_MAX + 1];
	uint32_t session_id;
	uint32_t crc32;
	uint64_t size;
	int64_t start_unix_us; /* from the file's mtime (set at commit) */
	char *path;	       /* absolute */
};
/* All raw logs (of one vest, or all vests if vest_id is NULL), sorted by
 * start time, then vest id, then session id. Free with kt_store_raw_list_free. */
int kt_store_list_raw(struct kt_store *s,
		      const char *vest_id,
		      struct kt_store_raw **ret,
		      size_t *ret_n);
void kt_store_raw_list_free(struct kt_store_raw *l, size_t n);

/* ---- Downloads from a vest (resumable) ---- */

struct kt_store_download;

/*
 * Open (or resume) the partial download of a session whose LIST entry said
 * size and crc32. If a partial file exists, its durable prefix (per the
 * .meta file, re-verified by CRC) is kept and the rest truncated; see
 * kt_store_download_offset(). Returns -EEXIST if the session is already
 * stored (nothing to do), -EINVAL for a bad vest id.
 */
int kt_store_download_begin(struct kt_store *s,
			    const char *vest_id,
			    uint32_t session_id,
			    uint32_t crc32,
			    uint32_t size,
			    int64_t start_unix_us,
			    struct kt_store_download **ret);
/* Next offset to request from the vest (bytes already held). */
uint32_t kt_store_download_offset(const struct kt_store_download *d);
/*
 * Without opening the download: how many bytes of that session its partial
 * holds durably, by its .meta resume point (not re-verified: that is
 * kt_store_download_begin()'s job, which may find less); 0 if there is no
 * partial or no usable .meta. ret_bytes (optional) gets the size of the
 * .part file (0 if none): what begin cuts off beyond the held bytes (after
 * a crash, or without a .meta) frees that much. For planning disk space.
 */
int kt_store_download_held(struct kt_store *s,
			   const char *vest_id,
			   uint32_t session_id,
			   uint32_t crc32,
			   uint32_t size,
			   uint32_t *ret_held,
			   uint64_t *ret_bytes);

/* An unfinished download in ROOT/partial/ (not a live recording). */
struct kt_store_partial {
	char vest_id[KT_STORE_VEST_ID_MAX + 1];
	uint32_t session_id;
	uint32_t crc32;
	uint64_t bytes; /* the size of its .part file: what it takes on the disk */
	uint32_t held;  /* of that, durable by its .meta resume point: what a
	                 * resume keeps (0: no usable .meta, it starts again) */
	uint32_t size;  /* the session's size by its .meta; 0 if not known */
};
/* Every unfinished download, sorted by vest id, then session id; free *ret. */
int kt_store_list_partials(struct kt_store *s, struct kt_store_partial **ret, size_t *ret_n);
/* Bytes free for the store on its file system (statvfs(3) f_bavail: what an
 * unprivileged user may still write there). */
int kt_store_free_bytes(struct kt_store *s, uint64_t *ret);
/*
 * Append the chunk that starts at offset (must equal the current offset,
 * else -ESPIPE) with the chunk CRC the vest sent (-EBADMSG on mismatch, data
 * not written; -EFBIG if it would exceed size). On a write error (ENOSPC,
 * EFBIG from RLIMIT_FSIZE, EIO) the file is truncated back to the last
 * durable offset and the error returned; the download can be resumed later.
 * fsyncs and records the resume point every KT_STORE_SYNC_BYTES.
 */
int kt_store_download_append(struct kt_store_download *d,
			     uint32_t offset,
			     const uint8_t *data,
			     size_t len,
			     uint32_t chunk_crc32);
/* fsync the data and record the resume point now. */
int kt_store_download_sync(struct kt_store_download *d);
/*
 * All size bytes held: verify the whole CRC-32 (mismatch: -EBADMSG and the
 * partial is deleted, so the next attempt starts from 0), fsync, link into
 * raw/ without replacing (-EEXIST if it is there already; the partial is
 * deleted), fsync the directory, remove the partial files. -EAGAIN if not
 * all bytes are held yet (d stays valid). Frees d on every other return.
 * *ret_path (optional) gets the raw path; caller frees.
 */
int kt_store_download_commit(struct kt_store_download *d, char **ret_path);
/* Close, keeping the partial for a later resume (after a final sync). */
struct kt_store_download *kt_store_download_free(struct kt_store_download *d);
/* Close and delete the partial files. */
void kt_store_download_discard(struct kt_store_download *d);

/* ---- Live recordings (gpsd recorder) ---- */

struct kt_store_live;

/* Start ROOT/partial/<vest>/live-<unix_s>.part; the session id will be the
 * start time in Unix seconds. -EEXIST if that recording is already open. */
int kt_store_live_open(struct kt_store *s,
		       const char *vest_id,
		       int64_t start_unix_us,
		       struct kt_store_live **ret);
int kt_store_live_append(struct kt_store_live *l, const uint8_t *data, size_t len);
/* fsync what was appended (call e.g. once a second). */
int kt_store_live_sync(struct kt_store_live *l);
uint64_t kt_store_live_size(const struct kt_store_live *l);
/* fsync, compute the CRC-32, link into raw/<vest>/<unix_s>-<crc>.log, remove
 * the partial. Frees l always. *ret_path optional. An empty recording is
 * deleted and -ENODATA returned. */
int kt_store_live_commit(struct kt_store_live *l, char **ret_path);
/* Close without committing (the partial stays for kt_store_live_recover). */
struct kt_store_live *kt_store_live_free(struct kt_store_live *l);
/* What kt_store_live_recover() did with one leftover recording of vest:
 * r 0: committed, path is its raw log (absolute) and size its length. Else
 * path is the .part: r -EEXIST: that very log was in raw/ already (the
 * partial is deleted), -ENODATA: it was empty (deleted), other -errno: it
 * could not be committed and stays where it is, for the next try. */
typedef void (*kt_store_live_recover_fn)(const char *vest_id, const char *path, uint64_t size, int r,
					 void *userdata);
/* After a crash or power cut: commit every leftover live-*.part into raw/
 * (byte for byte as recorded, its start time as session id), fn (optional)
 * told of each; one still open for recording (locked) is left alone.
 * Returns the number committed, or -errno. */
int kt_store_live_recover(struct kt_store *s, kt_store_live_recover_fn fn, void *userdata);

/* ---- Training sessions ---- */

struct kt_store_manifest_entry {
	char vest_id[KT_STORE_VEST_ID_MAX + 1];
	uint32_t session_id;
	uint32_t crc32;
	char raw_path[256]; /* relative to ROOT, e.g. raw/V07/12-0a1b2c3d.log */
};

struct kt_store_manifest {
	char name[32]; /* YYYY-MM-DD_HHMM */
	int64_t start_unix_us;
	int64_t end_unix_us; /* KT_DOCK-style unknown: INT64_MIN */
	size_t n;
	struct kt_store_manifest_entry *e; /* owned */
	/* "reported=N": the reports in reports/ are complete and were made from
	 * the first N logs; 0 while a run is making them. Not known (false) in
	 * a manifest without it (written before it existed, or by live). */
	bool reported_known;
	size_t reported;
};

/* Session directory name for a start time: local time "YYYY-MM-DD_HHMM". */
int kt_store_session_name(int64_t start_unix_us, char *buf, size_t size);
/* Create ROOT/sessions/<name>/ and its reports/ subdir; *ret_path (optional,
 * caller frees) gets the absolute session directory. */
int kt_store_session_create(struct kt_store *s, const char *name, char **ret_path);
/* Write ROOT/sessions/<m->name>/manifest atomically (replacing an older one:
 * a late vest extends the session). Creates the directory if needed. */
int kt_store_manifest_write(struct kt_store *s, const struct kt_store_manifest *m);
/* Read it back; -ENOENT if absent, -EBADMSG if malformed. */
int kt_store_manifest_read(struct kt_store *s, const char *name, struct kt_store_manifest *ret);
void kt_store_manifest_clear(struct kt_store_manifest *m);
/* Names of all sessions, sorted ascending. Free each and the array. */
int kt_store_list_sessions(struct kt_store *s, char ***ret_names, size_t *ret_n);

#endif
