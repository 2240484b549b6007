/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Vest logs: NMEA text, UBX binary or a mix, detected by content. A streaming
 * reader turns bytes into fixes (one per epoch, assembled from RMC/GGA/VTG/
 * GST/GSA of the same time, or NAV-PVT) and IMU samples, and counts every
 * rejected frame by reason. kt_log_read() reads a whole file with it.
 */
#ifndef KT_LOG_H
#define KT_LOG_H

#include <stdint.h>
#include <stdio.h>

#include "core/kt-fix.h"
#include "kt_frame.h"

struct kt_log_header {
	bool present;
	char vest_id[9];
	uint16_t firmware;      /* 0x0103 = 1.3 */
	uint32_t start_unix;
};

struct kt_log_stats {
	uint64_t bytes;
	uint64_t frames_nmea, frames_ubx;
	uint64_t rejected[_KT_REJECT_MAX]; /* framer + decoder rejects, enum kt_reject_reason */
};

/* Streaming reader (used by the file reader, the dock and the gpsd recorder). */
struct kt_log_reader;
int kt_log_reader_new(struct kt_log_reader **ret);
struct kt_log_reader *kt_log_reader_free(struct kt_log_reader *r);
/* Feed bytes; completed epochs/samples are appended to the reader's buffers. */
int kt_log_reader_feed(struct kt_log_reader *r, const uint8_t *data, size_t len);
/* Flush the pending epoch at end of stream. */
int kt_log_reader_finish(struct kt_log_reader *r);
/* Take what has been completed so far (the reader keeps ownership; the
 * arrays grow geometrically and stay valid until the next feed/free). */
const struct kt_fix *kt_log_reader_fixes(struct kt_log_reader *r, size_t *ret_n);
const struct kt_imu_sample *kt_log_reader_imu(struct kt_log_reader *r, size_t *ret_n);
/* Whether the samples kt_log_reader_imu() returns are in strictly
 * increasing time order (kept track of as they are decoded). */
bool kt_log_reader_imu_in_order(struct kt_log_reader *r);
const struct kt_log_header *kt_log_reader_header(struct kt_log_reader *r);
const struct kt_log_stats *kt_log_reader_stats(struct kt_log_reader *r);

/* A whole log in memory. */
struct kt_log {
	char *path;
	struct kt_log_header header;
	struct kt_log_stats stats;
	struct kt_fix *fixes;
	size_t n_fixes;
	struct kt_imu_sample *imu;
	size_t n_imu;
	uint8_t sha256[32];
};

/*
 * Read and decode a log file. Returns 0 on success; -ENOENT/-EACCES/-EISDIR
 * etc. from the OS, -EINVAL for a device or pipe (a log is a regular file:
 * /dev/zero or a FIFO would be read, or waited on, forever), -ENODATA for an
 * empty file, -EBADMSG for a file with no recognisable NMEA/UBX frame
 * (binary garbage). On failure *ret is cleared.
 */
int kt_log_read(const char *path, struct kt_log *ret);

/*
 * The file part of kt_log_read(), for callers that keep the reader: feed a
 * whole file through r (then finished), computing its SHA-256. regular_only
 * refuses devices and pipes with -EINVAL; progress (may be NULL) is called
 * with the bytes of each chunk. Same error codes as kt_log_read(); the bytes
 * read are stored in *ret_bytes (may be NULL) also on failure.
 */
int kt_log_reader_feed_file(struct kt_log_reader *r, const char *path, bool regular_only,
			    void (*progress)(void *userdata, uint64_t bytes), void *userdata,
			    uint8_t ret_sha256[32], uint64_t *ret_bytes);
void kt_log_clear(struct kt_log *l);

/*
 * What the ends of a log say, without reading all of it: its header (if
 * the first KT_LOG_PEEK_BYTES hold one; else ret_header->present is false)
 * and the times of the first and the last fix in the first and the last
 * KT_LOG_PEEK_BYTES (INT64_MIN for none). For grouping logs before they
 * are read: the dock's trainings, process's logs of one vest. Only a
 * regular file is read (-EINVAL otherwise, never waiting on a FIFO);
 * returns 0 or -errno.
 */
#define KT_LOG_PEEK_BYTES (64 * 1024)
int kt_log_peek(const char *path, struct kt_log_header *ret_header, int64_t *ret_first_us, int64_t *ret_last_us);

/* GPS time of week (ms) -> Unix us, using a UTC reference time near it and the
 * GPS-UTC leap second count (18 since 2017). */
int64_t kt_gps_itow_to_unix_us(uint32_t itow_ms, int64_t ref_unix_us, int leap_s);
#define KT_GPS_LEAP_SECONDS 18

#endif
