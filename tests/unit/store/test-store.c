/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Session store: layout and permissions whatever the umask, downloads that
 * resume from the durable prefix (also after a crash), whole-CRC verification,
 * never overwriting, a full disk (RLIMIT_FSIZE, and a real full tmpfs when we
 * may mount one), live recordings and their crash recovery, manifests.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kt_dock.h"
#include "store/kt-store.h"

#include "../../kt-test.h"

static char tmpdir[256];

static uint8_t data[1200000];
static uint32_t data_crc;

static void
make_data(void)
{
	uint32_t x = 99;
	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (uint8_t)x;
	}
	data_crc = kt_crc32(0, data, sizeof(data));
}

static struct kt_store *
store_at(const char *name)
{
	struct kt_store *s = NULL;
	char root[400];
	snprintf(root, sizeof(root), "%s/%s", tmpdir, name);
	CHECK_EQ(kt_store_open(root, &s), 0);
	return s;
}

static mode_t
mode_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

static bool
file_equals(const char *path, const uint8_t *want, size_t len)
{
	FILE *f = fopen(path, "re");
	uint8_t *buf = malloc(len + 1);
	bool ok = f && fread(buf, 1, len + 1, f) == len && memcmp(buf, want, len) == 0;
	if (f)
		fclose(f);
	free(buf);
	return ok;
}

/* Append data[from, to) in chunks of chunk bytes. Returns the first error. */
static int
feed(struct kt_store_download *d, size_t from, size_t to, size_t chunk)
{
	for (size_t o = from; o < to; o += chunk) {
		size_t n = to - o < chunk ? to - o : chunk;
		int r = kt_store_download_append(d, (uint32_t)o, data + o, n,
						 kt_crc32(0, data + o, n));
		if (r < 0)
			return r;
	}
	return 0;
}

/* ROOT is created only inside a folder that exists: a mistyped path is
 * refused (-ENOENT) and nothing is created; a new ROOT is said to be new. */
static void
test_root_rule(void)
{
	char root[600], parent[400];
	struct kt_store *s = NULL;
	struct stat st;

	snprintf(parent, sizeof(parent), "%s/kicktrak", tmpdir);
	snprintf(root, sizeof(root), "%s/store", parent);
	CHECK_EQ(kt_store_open(root, &s), -ENOENT);
	CHECK(s == NULL);
	CHECK(stat(parent, &st) < 0 && errno == ENOENT);

	snprintf(root, sizeof(root), "%s/newroot", tmpdir);
	CHECK_EQ(kt_store_open(root, &s), 0);
	if (s) {
		CHECK(kt_store_created(s));
		CHECK_EQ(mode_of(root), 0750);
		s = kt_store_free(s);
	}
	CHECK_EQ(kt_store_open(root, &s), 0);
	if (s) {
		CHECK(!kt_store_created(s));
		s = kt_store_free(s);
	}
	/* an existing, empty ROOT (tmpfiles.d, StateDirectory=) gets its layout */
	snprintf(root, sizeof(root), "%s/emptyroot", tmpdir);
	CHECK_EQ(mkdir(root, 0750), 0);
	CHECK_EQ(kt_store_open(root, &s), 0);
	if (s) {
		CHECK(!kt_store_created(s));
		char raw[700];
		snprintf(raw, sizeof(raw), "%s/raw", root);
		CHECK_EQ(mode_of(raw), 0750);
		s = kt_store_free(s);
	}
	/* a new ROOT given with a trailing slash (shell completion adds one) */
	snprintf(root, sizeof(root), "%s/slashroot/", tmpdir);
	CHECK_EQ(kt_store_open(root, &s), 0);
	if (s) {
		CHECK(kt_store_created(s));
		CHECK_EQ(mode_of(root), 0750);
		s = kt_store_free(s);
	}
	/* a file in the way, as ROOT and as a folder ROOT needs */
	snprintf(root, sizeof(root), "%s/afile", tmpdir);
	fclose(fopen(root, "w"));
	CHECK_EQ(kt_store_open(root, &s), -ENOTDIR);
	snprintf(root, sizeof(root), "%s/afile/", tmpdir);
	CHECK_EQ(kt_store_open(root, &s), -ENOTDIR);
}

static void
test_layout_and_modes(void)
{
	static const mode_t masks[] = {0, 022, 077, 0777};

	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		char name[32], root[400], p[600], *raw = NULL;
		struct kt_store_download *d = NULL;
		struct kt_store *s;
		mode_t old;

		/* the store makes ROOT, not its parents; they are made before the
		 * umask is set (under umask 0777 only root could enter them) */
		snprintf(name, sizeof(name), "modes%zu/deep/root", i);
		snprintf(root, sizeof(root), "%s/modes%zu", tmpdir, i);
		CHECK_EQ(mkdir(root, 0700), 0);
		snprintf(root, sizeof(root), "%s/modes%zu/deep", tmpdir, i);
		CHECK_EQ(mkdir(root, 0700), 0);
		snprintf(root, sizeof(root), "%s/%s", tmpdir, name);
		old = umask(masks[i]);
		s = store_at(name);
		if (!s) {
			umask(old);
			continue;
		}
		CHECK_EQ(mode_of(root), 0750);
		snprintf(p, sizeof(p), "%s/raw", root);
		CHECK_EQ(mode_of(p), 0750);
		snprintf(p, sizeof(p), "%s/partial", root);
		CHECK_EQ(mode_of(p), 0750);
		snprintf(p, sizeof(p), "%s/sessions", root);
		CHECK_EQ(mode_of(p), 0750);

		CHECK_EQ(kt_store_download_begin(s, "V01", 1, data_crc, 300000, INT64_MIN, &d), 0);
		if (d) {
			snprintf(p, sizeof(p), "%s/partial/V01", root);
			CHECK_EQ(mode_of(p), 0750);
			snprintf(p, sizeof(p), "%s/partial/V01/1-%08" PRIx32 ".part", root,
				 data_crc);
			CHECK_EQ(mode_of(p), 0640);
			CHECK_EQ(feed(d, 0, 300000, 4000), 0); /* past one automatic sync */
			snprintf(p, sizeof(p), "%s/partial/V01/1-%08" PRIx32 ".meta", root,
				 data_crc);
			CHECK_EQ(mode_of(p), 0640);
			kt_store_download_discard(d);
		}
		CHECK_EQ(kt_store_raw_path(s, "V01", 7, 0xabc, &raw), 0);
		snprintf(p, sizeof(p), "%s/raw/V01/7-00000abc.log", root);
		CHECK(raw && strcmp(raw, p) == 0);
		free(raw);
		umask(old);
		kt_store_free(s);
	}
}

static void
test_vest_ids(void)
{
	static const char *const bad[] = {
		"",    ".",	  "..",	 "../x",
		"a/b", ".hidden", "a b", "0123456789abcdef0123456789abcdefX",
		"v\n"};
	static const char *const good[] = {"V01", "a.b-c_d", "0123456789abcdef0123456789abcdef"};
	struct kt_store *s = store_at("ids");
	struct kt_store_download *d;
	struct kt_store_live *l;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!kt_store_vest_id_valid(bad[i]));
		CHECK_EQ(kt_store_is_stored(s, bad[i], 1, 1), -EINVAL);
		CHECK_EQ(kt_store_download_begin(s, bad[i], 1, 1, 1, 0, &d), -EINVAL);
		CHECK_EQ(kt_store_live_open(s, bad[i], 1000000, &l), -EINVAL);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(kt_store_vest_id_valid(good[i]));
	kt_store_free(s);
}

static void
test_download_commit(void)
{
	struct kt_store *s = store_at("dl");
	struct kt_store_download *d = NULL;
	const int64_t start = 1764003600123456ll;
	char *path = NULL;
	struct stat st;

	CHECK_EQ(kt_store_is_stored(s, "V02", 5, data_crc), 0);
	CHECK_EQ(kt_store_download_begin(s, "V02", 5, data_crc, sizeof(data), start, &d), 0);
	if (!d)
		return;
	CHECK_EQ(kt_store_download_offset(d), 0);
	/* wrong offset, wrong chunk CRC, beyond the end: refused, nothing written */
	CHECK_EQ(kt_store_download_append(d, 10, data + 10, 10, kt_crc32(0, data + 10, 10)),
		 -ESPIPE);
	CHECK_EQ(kt_store_download_append(d, 0, data, 100, kt_crc32(0, data, 100) ^ 1), -EBADMSG);
	CHECK_EQ(kt_store_download_offset(d), 0);
	CHECK_EQ(feed(d, 0, 100000, 4078), 0);
	CHECK_EQ(kt_store_download_offset(d), 100000);
	/* not complete yet */
	CHECK_EQ(kt_store_download_commit(d, NULL), -EAGAIN);
	CHECK_EQ(feed(d, 100000, sizeof(data), 4078), 0);
	CHECK_EQ(kt_store_download_append(d, sizeof(data), data, 1, kt_crc32(0, data, 1)), -EFBIG);
	CHECK_EQ(kt_store_download_commit(d, &path), 0);
	CHECK(path && file_equals(path, data, sizeof(data)));
	CHECK(path && stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK(path && st.st_mtim.tv_sec == start / 1000000);
	CHECK_EQ(kt_store_is_stored(s, "V02", 5, data_crc), 1);
	/* the partial files are gone */
	{
		char p[600];
		snprintf(p, sizeof(p), "%s/partial/V02/5-%08" PRIx32 ".part", kt_store_root(s),
			 data_crc);
		CHECK(access(p, F_OK) < 0);
		snprintf(p, sizeof(p), "%s/partial/V02/5-%08" PRIx32 ".meta", kt_store_root(s),
			 data_crc);
		CHECK(access(p, F_OK) < 0);
	}
	/* a second download of the same session is recognised */
	CHECK_EQ(kt_store_download_begin(s, "V02", 5, data_crc, sizeof(data), start, &d), -EEXIST);

	/* list */
	{
		struct kt_store_raw *l = NULL;
		size_t n = 0;
		CHECK_EQ(kt_store_list_raw(s, NULL, &l, &n), 0);
		CHECK_EQ(n, 1);
		if (n == 1) {
			CHECK(strcmp(l[0].vest_id, "V02") == 0);
			CHECK_EQ(l[0].session_id, 5);
			CHECK_EQ(l[0].crc32, data_crc);
			CHECK_EQ(l[0].size, sizeof(data));
			CHECK_EQ(l[0].start_unix_us, start);
			CHECK(strcmp(l[0].path, path) == 0);
		}
		kt_store_raw_list_free(l, n);
	}
	free(path);

	/* the empty session */
	CHECK_EQ(kt_store_download_begin(s, "V02", 6, 0, 0, INT64_MIN, &d), 0);
	CHECK_EQ(kt_store_download_commit(d, NULL), 0);
	CHECK_EQ(kt_store_is_stored(s, "V02", 6, 0), 1);
	kt_store_free(s);
}

static void
test_bad_whole_crc(void)
{
	struct kt_store *s = store_at("badcrc");
	struct kt_store_download *d = NULL;
	char p[600];

	/* every chunk is fine, but the whole does not match LIST's CRC (the
	 * vest's flash changed under us): nothing is stored, the partial is
	 * deleted so the next attempt starts from 0 */
	CHECK_EQ(kt_store_download_begin(s, "V03", 1, data_crc ^ 0x10, 100000, 0, &d), 0);
	CHECK_EQ(feed(d, 0, 100000, 4000), 0);
	CHECK_EQ(kt_store_download_commit(d, NULL), -EBADMSG);
	CHECK_EQ(kt_store_is_stored(s, "V03", 1, data_crc ^ 0x10), 0);
	snprintf(p, sizeof(p), "%s/partial/V03/1-%08" PRIx32 ".part", kt_store_root(s),
		 data_crc ^ 0x10);
	CHECK(access(p, F_OK) < 0);
	CHECK_EQ(kt_store_download_begin(s, "V03", 1, data_crc ^ 0x10, 100000, 0, &d), 0);
	CHECK_EQ(kt_store_download_offset(d), 0);
	kt_store_download_discard(d);
	kt_store_free(s);
}

static void
test_no_overwrite(void)
{
	struct kt_store *s = store_at("noover");
	uint32_t crc = kt_crc32(0, data, 5000);
	struct kt_store_download *d = NULL, *d2 = NULL;
	char *raw = NULL;
	FILE *f;

	/* something already carries the final name (another writer won the
	 * race): commit fails with EEXIST and the file is left alone */
	CHECK_EQ(kt_store_download_begin(s, "V04", 1, crc, 5000, 0, &d), 0);
	CHECK_EQ(feed(d, 0, 5000, 1000), 0);
	CHECK_EQ(kt_store_raw_path(s, "V04", 1, crc, &raw), 0);
	{
		char dir[600];
		snprintf(dir, sizeof(dir), "%s/raw/V04", kt_store_root(s));
		mkdir(dir, 0750);
	}
	f = fopen(raw, "we");
	CHECK(f && fputs("first", f) >= 0 && fclose(f) == 0);
	CHECK_EQ(kt_store_download_commit(d, NULL), -EEXIST);
	CHECK(file_equals(raw, (const uint8_t *)"first", 5));
	unlink(raw);

	/* two downloads of the same session at once: the second one is locked out */
	CHECK_EQ(kt_store_download_begin(s, "V04", 1, crc, 5000, 0, &d), 0);
	CHECK_EQ(kt_store_download_begin(s, "V04", 1, crc, 5000, 0, &d2), -EBUSY);
	CHECK_EQ(feed(d, 0, 5000, 1000), 0);
	CHECK_EQ(kt_store_download_commit(d, NULL), 0);
	CHECK(file_equals(raw, data, 5000));
	free(raw);
	kt_store_free(s);
}

static void
test_resume(void)
{
	struct kt_store *s = store_at("resume");
	struct kt_store_download *d = NULL;
	char part[600], meta[600];
	uint32_t off;
	pid_t pid;
	int status;

	snprintf(part, sizeof(part), "%s/partial/V05/1-%08" PRIx32 ".part", kt_store_root(s),
		 data_crc);
	snprintf(meta, sizeof(meta), "%s/partial/V05/1-%08" PRIx32 ".meta", kt_store_root(s),
		 data_crc);

	/* a clean close keeps everything */
	CHECK_EQ(kt_store_download_begin(s, "V05", 1, data_crc, sizeof(data), 0, &d), 0);
	CHECK_EQ(feed(d, 0, 12345, 1000), 0);
	d = kt_store_download_free(d);
	CHECK_EQ(kt_store_download_begin(s, "V05", 1, data_crc, sizeof(data), 0, &d), 0);
	CHECK_EQ(kt_store_download_offset(d), 12345);
	d = kt_store_download_free(d);
	/* ... and says so without opening it (for the daemon's disk space
	 * planning); nothing for another session, size or CRC */
	{
		uint32_t held = 1;
		CHECK_EQ(kt_store_download_held(s, "V05", 1, data_crc, sizeof(data), &held, NULL), 0);
		CHECK_EQ(held, 12345);
		CHECK_EQ(kt_store_download_held(s, "V05", 2, data_crc, sizeof(data), &held, NULL), 0);
		CHECK_EQ(held, 0);
		CHECK_EQ(kt_store_download_held(s, "V05", 1, data_crc, sizeof(data) - 1, &held, NULL), 0);
		CHECK_EQ(held, 0);
		CHECK_EQ(kt_store_download_held(s, "V99", 1, data_crc, sizeof(data), &held, NULL), 0);
		CHECK_EQ(held, 0);
		CHECK_EQ(kt_store_download_held(s, "../x", 1, data_crc, sizeof(data), &held, NULL), -EINVAL);
	}

	/* a crash (no free, no sync): the resume point is the last durable
	 * length, which is a multiple of what was synced, never more than was
	 * written, and at least the last automatic sync */
	pid = fork();
	if (pid == 0) {
		struct kt_store_download *cd;
		if (kt_store_download_begin(s, "V05", 1, data_crc, sizeof(data), 0, &cd) < 0)
			_exit(1);
		if (feed(cd, 12345, 12345 + 3 * KT_STORE_SYNC_BYTES + 777, 1000) < 0)
			_exit(2);
		_exit(0); /* no sync of the last bytes */
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(kt_store_download_begin(s, "V05", 1, data_crc, sizeof(data), 0, &d), 0);
	off = d ? kt_store_download_offset(d) : 0;
	CHECK(off >= 12345 + 2 * KT_STORE_SYNC_BYTES &&
	      off <= 12345 + 3 * KT_STORE_SYNC_BYTES + 777);
	{
		struct stat st;
		CHECK(stat(part, &st) == 0 && (uint32_t)st.st_size == off);
	}
	d = kt_store_download_free(d);

	/* bytes beyond the resume point (written, never recorded) are cut off */
	{
		FILE *f = fopen(part, "ae");
		uint32_t held = 0;
		uint64_t bytes = 0;
		struct kt_store_partial *l = NULL;
		size_t n = 0;

		CHECK(f && fwrite("junkjunk", 1, 8, f) == 8 && fclose(f) == 0);
		/* the planning sees them, as what a resume frees */
		CHECK_EQ(kt_store_download_held(s, "V05", 1, data_crc, sizeof(data), &held, &bytes), 0);
		CHECK_EQ(held, off);
		CHECK_EQ(bytes, (uint64_t)off + 8);
		CHECK_EQ(kt_store_download_held(s, "V05", 2, data_crc, sizeof(data), &held, &bytes), 0);
		CHECK_EQ(bytes, 0);
		/* ... and so does the listing of unfinished downloads, with a
		 * partial without a .meta (held 0, size unknown) and no live
		 * recording; sorted by vest, then session */
		{
			char p2[512];
			FILE *g;
			snprintf(p2, sizeof(p2), "%s/partial/V05/7-0000abcd.part", kt_store_root(s));
			g = fopen(p2, "we");
			CHECK(g && fwrite("0123456789", 1, 10, g) == 10 && fclose(g) == 0);
			snprintf(p2, sizeof(p2), "%s/partial/V05/live-1700000000.part", kt_store_root(s));
			g = fopen(p2, "we");
			CHECK(g && fclose(g) == 0);
			CHECK_EQ(kt_store_list_partials(s, &l, &n), 0);
			CHECK_EQ(n, 2);
			if (n == 2) {
				CHECK(!strcmp(l[0].vest_id, "V05") && l[0].session_id == 1 &&
				      l[0].crc32 == data_crc && l[0].bytes == (uint64_t)off + 8 &&
				      l[0].held == off && l[0].size == sizeof(data));
				CHECK(l[1].session_id == 7 && l[1].crc32 == 0xabcd && l[1].bytes == 10 &&
				      l[1].held == 0 && l[1].size == 0);
			}
			free(l);
			CHECK_EQ(unlink(p2), 0);
			snprintf(p2, sizeof(p2), "%s/partial/V05/7-0000abcd.part", kt_store_root(s));
			CHECK_EQ(unlink(p2), 0);
		}
		CHECK_EQ(kt_store_download_begin(s, "V05", 1, data_crc, sizeof(data), 0, &d), 0);
		CHECK_EQ(kt_store_download_offset(d), off);
		d = kt_store_download_free(d);
	}

	/* a damaged durable prefix is not trusted: start again from 0 */
	{
		int fd = open(part, O_WRONLY);
		CHECK(fd >= 0 && pwrite(fd, "X", 1, 100) == 1);
		close(fd);
		CHECK_EQ(kt_store_download_begin(s, "V05", 1, data_crc, sizeof(data), 0, &d), 0);
		CHECK_EQ(kt_store_download_offset(d), 0);
		d = kt_store_download_free(d);
	}

	/* a garbled .meta is not trusted either */
	CHECK_EQ(kt_store_download_begin(s, "V05", 1, data_crc, sizeof(data), 0, &d), 0);
	CHECK_EQ(feed(d, 0, 100000, 4000), 0);
	d = kt_store_download_free(d);
	{
		FILE *f = fopen(meta, "we");
		CHECK(f && fputs("kicktrack-partial 1\nsession=1\n", f) >= 0 && fclose(f) == 0);
	}
	CHECK_EQ(kt_store_download_begin(s, "V05", 1, data_crc, sizeof(data), 0, &d), 0);
	CHECK_EQ(kt_store_download_offset(d), 0);

	/* finish it and it is byte-identical */
	CHECK_EQ(feed(d, 0, sizeof(data), 4078), 0);
	CHECK_EQ(kt_store_download_commit(d, NULL), 0);
	{
		char *raw = NULL;
		CHECK_EQ(kt_store_raw_path(s, "V05", 1, data_crc, &raw), 0);
		CHECK(file_equals(raw, data, sizeof(data)));
		free(raw);
	}
	CHECK(access(part, F_OK) < 0 && access(meta, F_OK) < 0);

	/* a crash after the link but before the partial was removed: the next
	 * begin says EEXIST and cleans up */
	{
		FILE *f = fopen(part, "we");
		CHECK(f && fclose(f) == 0);
		CHECK_EQ(kt_store_download_begin(s, "V05", 1, data_crc, sizeof(data), 0, &d),
			 -EEXIST);
		CHECK(access(part, F_OK) < 0);
	}
	kt_store_free(s);
}

/* In a child: the disk "fills up" at limit bytes (RLIMIT_FSIZE gives EFBIG
 * once SIGXFSZ is ignored). Exits with the number of bytes it got in. */
static int
full_disk_child(struct kt_store *s, const char *vest, rlim_t limit)
{
	struct rlimit rl = {limit, limit};
	struct kt_store_download *d;
	int r;

	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return 100;
	if (kt_store_download_begin(s, vest, 1, data_crc, sizeof(data), 0, &d) < 0)
		return 101;
	r = feed(d, kt_store_download_offset(d), sizeof(data), 4078);
	if (r != -EFBIG && r != -ENOSPC)
		return 102;
	/* the file holds exactly the accepted chunks, nothing half-written */
	{
		struct stat st;
		char p[600];
		snprintf(p, sizeof(p), "%s/partial/%s/1-%08" PRIx32 ".part", kt_store_root(s), vest,
			 data_crc);
		if (stat(p, &st) < 0 || (uint64_t)st.st_size != kt_store_download_offset(d))
			return 103;
		if (st.st_size % 4078 != 0)
			return 104;
	}
	if (kt_store_download_commit(d, NULL) != -EAGAIN)
		return 105;
	kt_store_download_free(d);
	return 0;
}

static void
test_full_disk_rlimit(void)
{
	struct kt_store *s = store_at("full");
	struct kt_store_download *d = NULL;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(full_disk_child(s, "V06", 150000));
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	/* nothing looks complete */
	CHECK_EQ(kt_store_is_stored(s, "V06", 1, data_crc), 0);
	/* space again: resume and finish */
	CHECK_EQ(kt_store_download_begin(s, "V06", 1, data_crc, sizeof(data), 0, &d), 0);
	CHECK(d && kt_store_download_offset(d) > 0 && kt_store_download_offset(d) <= 150000);
	CHECK_EQ(feed(d, kt_store_download_offset(d), sizeof(data), 4078), 0);
	CHECK_EQ(kt_store_download_commit(d, NULL), 0);
	{
		char *raw = NULL;
		CHECK_EQ(kt_store_raw_path(s, "V06", 1, data_crc, &raw), 0);
		CHECK(file_equals(raw, data, sizeof(data)));
		free(raw);
	}
	kt_store_free(s);
}

/* A real full file system: a 1 MiB tmpfs in a private mount namespace
 * (needs CAP_SYS_ADMIN; skipped otherwise, the RLIMIT test covers the logic). */
static void
test_full_disk_tmpfs(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		char mnt[400];
		struct kt_store *s;
		struct kt_store_download *d;
		int r;

		if (unshare(CLONE_NEWNS) < 0 ||
		    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(77);
		snprintf(mnt, sizeof(mnt), "%s/tmpfs", tmpdir);
		mkdir(mnt, 0700);
		if (mount("tmpfs", mnt, "tmpfs", 0, "size=1m") < 0)
			_exit(77);
		if (kt_store_open(mnt, &s) < 0)
			_exit(1);
		/* the free space the daemon plans with is that of the tmpfs */
		{
			uint64_t before, after;
			if (kt_store_free_bytes(s, &before) < 0 || before > 1024 * 1024 ||
			    before < 900 * 1024)
				_exit(8);
			if (kt_store_download_begin(s, "V07", 1, data_crc, sizeof(data), 0, &d) < 0)
				_exit(2);
			if (feed(d, 0, 100 * 4078, 4078) < 0 || kt_store_free_bytes(s, &after) < 0 ||
			    after > before - 100 * 4078)
				_exit(9);
		}
		r = feed(d, 100 * 4078, sizeof(data), 4078);
		if (r != -ENOSPC)
			_exit(3);
		if (kt_store_download_commit(d, NULL) != -EAGAIN)
			_exit(4);
		kt_store_download_free(d);
		if (kt_store_is_stored(s, "V07", 1, data_crc) != 0)
			_exit(5);
		/* the durable resume point survived the full disk */
		if (kt_store_download_begin(s, "V07", 1, data_crc, sizeof(data), 0, &d) < 0)
			_exit(6);
		if (kt_store_download_offset(d) == 0)
			_exit(7);
		kt_store_download_free(d);
		kt_store_free(s);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		printf("tmpfs full-disk check skipped (cannot mount here)\n");
		return;
	}
	CHECK_EQ(WEXITSTATUS(status), 0);
}

/* what kt_store_live_recover() said about each leftover */
struct recovered {
	unsigned calls;
	int r;
	uint64_t size;
	char path[512];
};

static void
recovered_cb(const char *vest_id, const char *path, uint64_t size, int r, void *userdata)
{
	struct recovered *rc = userdata;

	rc->calls++;
	rc->r = r;
	rc->size = size;
	snprintf(rc->path, sizeof(rc->path), "%s:%s", vest_id, path);
}

static void
test_live(void)
{
	struct kt_store *s = store_at("live");
	struct kt_store_live *l = NULL, *l2 = NULL;
	const int64_t start = 1764003600000000ll;
	char *path = NULL, *want = NULL;

	CHECK_EQ(kt_store_live_open(s, "gps0", start, &l), 0);
	CHECK_EQ(kt_store_live_open(s, "gps0", start, &l2), -EEXIST);
	for (size_t o = 0; o < 50000; o += 1000)
		CHECK_EQ(kt_store_live_append(l, data + o, 1000), 0);
	CHECK_EQ(kt_store_live_sync(l), 0);
	CHECK_EQ(kt_store_live_size(l), 50000);
	CHECK_EQ(kt_store_live_commit(l, &path), 0);
	CHECK_EQ(kt_store_raw_path(s, "gps0", (uint32_t)(start / 1000000), kt_crc32(0, data, 50000),
				   &want),
		 0);
	CHECK(path && want && strcmp(path, want) == 0);
	CHECK(path && file_equals(path, data, 50000));
	CHECK_EQ(mode_of(path), 0640);
	free(path);
	free(want);

	/* an empty recording leaves nothing */
	CHECK_EQ(kt_store_live_open(s, "gps0", start + 60000000, &l), 0);
	CHECK_EQ(kt_store_live_commit(l, NULL), -ENODATA);

	/* crash recovery: a leftover recording is committed, one still open is not */
	CHECK_EQ(kt_store_live_open(s, "gps1", start, &l), 0);
	CHECK_EQ(kt_store_live_append(l, data, 777), 0);
	l = kt_store_live_free(l);
	CHECK_EQ(kt_store_live_open(s, "gps2", start, &l2), 0);
	CHECK_EQ(kt_store_live_append(l2, data, 10), 0);
	{
		struct recovered rc = { 0 };
		char *raw = NULL, *said = NULL;

		CHECK_EQ(kt_store_live_recover(s, recovered_cb, &rc), 1);
		CHECK_EQ(rc.calls, 1); /* not gps2's, still being recorded */
		CHECK_EQ(rc.r, 0);
		CHECK_EQ(rc.size, 777);
		CHECK_EQ(kt_store_raw_path(s, "gps1", (uint32_t)(start / 1000000), kt_crc32(0, data, 777),
					   &raw), 0);
		CHECK(raw && asprintf(&said, "gps1:%s", raw) > 0 && strcmp(rc.path, said) == 0);
		CHECK(raw && file_equals(raw, data, 777));
		free(raw);
		free(said);
	}
	CHECK_EQ(kt_store_is_stored(s, "gps1", (uint32_t)(start / 1000000), kt_crc32(0, data, 777)),
		 1);
	CHECK_EQ(kt_store_live_commit(l2, NULL), 0);
	CHECK_EQ(kt_store_live_recover(s, NULL, NULL), 0);

	/* listing: sorted by start time, filter by vest */
	{
		struct kt_store_raw *r = NULL;
		size_t n = 0;
		CHECK_EQ(kt_store_list_raw(s, NULL, &r, &n), 0);
		CHECK_EQ(n, 3);
		for (size_t i = 1; i < n; i++)
			CHECK(r[i - 1].start_unix_us <= r[i].start_unix_us);
		kt_store_raw_list_free(r, n);
		CHECK_EQ(kt_store_list_raw(s, "gps1", &r, &n), 0);
		CHECK_EQ(n, 1);
		if (n == 1)
			CHECK_EQ(r[0].size, 777);
		kt_store_raw_list_free(r, n);
		CHECK_EQ(kt_store_list_raw(s, "nobody", &r, &n), 0);
		CHECK_EQ(n, 0);
		kt_store_raw_list_free(r, n);
	}
	kt_store_free(s);
}

static void
test_sessions(void)
{
	struct kt_store *s = store_at("sessions");
	struct kt_store_manifest m = {0}, m2 = {0};
	struct kt_store_manifest_entry e[2] = {
		{.vest_id = "V01",
		 .session_id = 3,
		 .crc32 = 0xdeadbeef,
		 .raw_path = "raw/V01/3-deadbeef.log"},
		{.vest_id = "V02",
		 .session_id = 1,
		 .crc32 = 0x00000001,
		 .raw_path = "raw/V02/1-00000001.log"},
	};
	char name[32], *dir = NULL, p[600], **names = NULL;
	size_t n = 0;
	mode_t old = umask(077);

	setenv("TZ", "UTC", 1);
	tzset();
	CHECK_EQ(kt_store_session_name(1764003600000000ll, name, sizeof(name)), 0);
	CHECK(strcmp(name, "2025-11-24_1700") == 0);
	CHECK_EQ(kt_store_session_create(s, name, &dir), 0);
	CHECK_EQ(mode_of(dir), 0750);
	snprintf(p, sizeof(p), "%s/reports", dir);
	CHECK_EQ(mode_of(p), 0750);
	free(dir);
	CHECK_EQ(kt_store_session_create(s, "../evil", NULL), -EINVAL);

	snprintf(m.name, sizeof(m.name), "%s", name);
	m.start_unix_us = 1764003600000000ll;
	m.end_unix_us = INT64_MIN;
	m.n = 1;
	m.e = e;
	CHECK_EQ(kt_store_manifest_write(s, &m), 0);
	/* a late vest: the manifest is replaced atomically */
	m.n = 2;
	m.end_unix_us = 1764009000000000ll;
	CHECK_EQ(kt_store_manifest_write(s, &m), 0);
	CHECK_EQ(kt_store_manifest_read(s, name, &m2), 0);
	CHECK(strcmp(m2.name, name) == 0);
	CHECK_EQ(m2.start_unix_us, m.start_unix_us);
	CHECK_EQ(m2.end_unix_us, m.end_unix_us);
	CHECK_EQ(m2.n, 2);
	if (m2.n == 2) {
		CHECK(strcmp(m2.e[1].vest_id, "V02") == 0);
		CHECK_EQ(m2.e[0].crc32, 0xdeadbeef);
		CHECK_EQ(m2.e[0].session_id, 3);
		CHECK(strcmp(m2.e[1].raw_path, "raw/V02/1-00000001.log") == 0);
	}
	/* written before "reported" existed: not known */
	CHECK(!m2.reported_known);
	kt_store_manifest_clear(&m2);
	/* how many logs the reports hold comes back */
	m.reported_known = true;
	m.reported = 1;
	CHECK_EQ(kt_store_manifest_write(s, &m), 0);
	CHECK_EQ(kt_store_manifest_read(s, name, &m2), 0);
	CHECK(m2.reported_known);
	CHECK_EQ(m2.reported, 1);
	CHECK_EQ(m2.n, 2);
	kt_store_manifest_clear(&m2);
	m.reported_known = false;
	snprintf(p, sizeof(p), "%s/sessions/%s/manifest", kt_store_root(s), name);
	CHECK_EQ(mode_of(p), 0640);

	/* a second session and one unknown start time */
	snprintf(m.name, sizeof(m.name), "2025-11-20_1830");
	m.start_unix_us = INT64_MIN;
	CHECK_EQ(kt_store_manifest_write(s, &m), 0);
	CHECK_EQ(kt_store_manifest_read(s, m.name, &m2), 0);
	CHECK(m2.start_unix_us == INT64_MIN);
	kt_store_manifest_clear(&m2);
	CHECK_EQ(kt_store_list_sessions(s, &names, &n), 0);
	CHECK_EQ(n, 2);
	if (n == 2) {
		CHECK(strcmp(names[0], "2025-11-20_1830") == 0);
		CHECK(strcmp(names[1], name) == 0);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);

	/* a damaged manifest is reported, not half-read */
	{
		FILE *f = fopen(p, "we");
		CHECK(f && fputs("version=1\nname=2025-11-24_1700\nlog=V01 notanumber\n", f) >= 0 &&
		      fclose(f) == 0);
		CHECK_EQ(kt_store_manifest_read(s, name, &m2), -EBADMSG);
	}
	CHECK_EQ(kt_store_manifest_read(s, "2000-01-01_0000", &m2), -ENOENT);
	umask(old);
	kt_store_free(s);
}

int
main(void)
{
	const char *base = getenv("TMPDIR");
	char cmd[400];

	snprintf(tmpdir, sizeof(tmpdir), "%s/kt-store-XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	make_data();
	test_root_rule();
	test_layout_and_modes();
	test_vest_ids();
	test_download_commit();
	test_bad_whole_crc();
	test_no_overwrite();
	test_resume();
	test_full_disk_rlimit();
	test_full_disk_tmpfs();
	test_live();
	test_sessions();
	if (failures) {
		fprintf(stderr, "%d check(s) failed; kept %s\n", failures, tmpdir);
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	printf("store: all checks passed\n");
	return 0;
}
