/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 the kicktrack authors */
/*
 * Byte-stream framer: finds NMEA 0183 sentences and UBX frames in any byte
 * stream, skips '#' comment lines, resynchronises after garbage and counts
 * every rejected frame by reason. Pure C99: no I/O, no malloc, no logging.
 * See nmea.md, ubx.md and vest.md for the normative wire formats.
 */
#ifndef KT_FRAME_H
#define KT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define KT_NMEA_MAX_LEN 255   /* longest sentence accepted, '$' to '\n' incl. */
#define KT_UBX_MAX_PAYLOAD 4096 /* longer payloads are skipped as too long (IMU batch max 3068) */
#define KT_FRAME_BUF (KT_UBX_MAX_PAYLOAD + 8)

enum kt_frame_type {
	KT_FRAME_NONE = 0,
	KT_FRAME_NMEA,    /* data points at "$...*hh" without CR/LF, NUL-terminated
	                   * (unless nmea_in_place, see struct kt_framer) */
	KT_FRAME_UBX,     /* data points at 0xB5 0x62 ... ck_a ck_b (whole frame) */
};

enum kt_reject_reason {
	KT_REJECT_CHECKSUM = 0,  /* NMEA or UBX checksum mismatch */
	KT_REJECT_TRUNCATED,     /* frame cut off by the start of another frame or end of stream */
	KT_REJECT_TOO_LONG,      /* NMEA line over KT_NMEA_MAX_LEN or UBX payload over KT_UBX_MAX_PAYLOAD */
	KT_REJECT_MALFORMED,     /* bad characters, missing checksum, bad field syntax */
	KT_REJECT_UNKNOWN,       /* valid frame of a type we do not decode (counted, not an error) */
	KT_REJECT_IMPLAUSIBLE,   /* decoded but a value is out of range */
	KT_REJECT_GARBAGE_BYTES, /* bytes skipped while resynchronising (counts bytes, not frames) */
	_KT_REJECT_MAX,
};

const char *kt_reject_reason_to_str(enum kt_reject_reason r);

struct kt_framer {
	/* private */
	uint8_t buf[KT_FRAME_BUF + 4];
	size_t len;
	int state;
	size_t need;
	int at_line_start;
	int returned;      /* buf[0..need) was returned as a frame */
	/* public, set by the caller after kt_framer_init() (default 0): an
	 * NMEA sentence found wholly inside the pushed bytes is returned where
	 * it lies, not copied and NUL-terminated (*ret_len is its length
	 * either way; one cut across pushes still comes NUL-terminated from
	 * the framer's buffer) */
	int nmea_in_place;
	/* public, read-only: counts by enum kt_reject_reason */
	uint64_t rejected[_KT_REJECT_MAX];
	uint64_t frames_nmea;
	uint64_t frames_ubx;
	uint64_t bytes_in;
};

void kt_framer_init(struct kt_framer *f);

/*
 * Feed bytes. Returns the number of bytes of data consumed (>= 1 when len > 0,
 * except that it may return 0 together with a frame that was found in bytes
 * it had buffered earlier, after a corrupt frame was rescanned).
 * When a complete valid frame is found, *ret_type, *ret_frame and *ret_len describe
 * it (valid until the next call) and the function returns right after the
 * frame's last byte. Otherwise *ret_type = KT_FRAME_NONE.
 * Typical loop:
 *   while (len > 0) { size_t n = kt_framer_push(f, p, len, &t, &fr, &fl);
 *                     p += n; len -= n; if (t != KT_FRAME_NONE) handle(...); }
 */
size_t kt_framer_push(struct kt_framer *f, const uint8_t *data, size_t len,
		      enum kt_frame_type *ret_type, const uint8_t **ret_frame,
		      size_t *ret_len);

/*
 * End of stream. Call kt_framer_flush() until it returns 0: each time it
 * returns 1 it hands out a frame that was still buffered (a last sentence
 * without line end, or frames found when a cut-off frame is rescanned); a
 * partial frame is counted as truncated. The framer is then ready for a new
 * stream. kt_framer_finish() does the same and drops those frames.
 */
int kt_framer_flush(struct kt_framer *f, enum kt_frame_type *ret_type,
		    const uint8_t **ret_frame, size_t *ret_len);
void kt_framer_finish(struct kt_framer *f);

/* ---- Encoders (for vest firmware, the simulator and the emulator) ---- */

/* Fletcher-8 over class, id, length and payload. */
void kt_ubx_checksum(const uint8_t *cls_to_payload_end, size_t n, uint8_t *ck_a, uint8_t *ck_b);

/* Writes a complete UBX frame (8 + len bytes) into out; returns its length, or
 * -1 if it does not fit in out_size. */
int kt_ubx_encode(uint8_t cls, uint8_t id, const uint8_t *payload, uint16_t len,
		  uint8_t *out, size_t out_size);

/* XOR of the characters between '$' and '*' (exclusive). */
uint8_t kt_nmea_checksum(const char *s, size_t n);

/* Given body "GPRMC,..." (no '$', no '*'), writes "$GPRMC,...*hh\r\n" into out.
 * Returns the length written (without NUL) or -1 if out_size is too small. */
int kt_nmea_encode(const char *body, char *out, size_t out_size);

#endif
