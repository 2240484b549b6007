/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 the kicktrack authors */
/*
 * Dock protocol 1 codec: the request/response protocol between the docking
 * station (host) and a vest over its USB serial port. See dock.md for the
 * normative wire format; this header mirrors it.
 *
 * Pure C99: no I/O, no malloc, no logging, so the vest firmware can compile
 * it too. Functions return >= 0 on success and a negative errno on failure:
 *   -EPROTO    malformed payload (wrong length, bad field)
 *   -EBADMSG   integrity check failed (READ chunk CRC)
 *   -ENOBUFS   output buffer too small
 *   -EMSGSIZE  payload longer than KT_DOCK_MAX_PAYLOAD
 *   -EINVAL    invalid argument
 * ret_* outputs are written only on success.
 *
 * Frame (all multi-byte fields little-endian):
 *   0xD0 0x4B | type | seq | len_lo len_hi | hcrc | payload[len] | crc32 (4, LE)
 *   hcrc  = CRC-8 (poly 0x07, init 0x00) over type, seq, len_lo, len_hi
 *   crc32 = CRC-32/IEEE over type .. last payload byte (includes hcrc)
 */
#ifndef KT_DOCK_H
#define KT_DOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KT_DOCK_PROTOCOL_VERSION 1

#define KT_DOCK_SOF0 0xD0
#define KT_DOCK_SOF1 0x4B
#define KT_DOCK_HEADER_LEN 7
#define KT_DOCK_TRAILER_LEN 4
#define KT_DOCK_OVERHEAD (KT_DOCK_HEADER_LEN + KT_DOCK_TRAILER_LEN)
#define KT_DOCK_MAX_PAYLOAD 4096
#define KT_DOCK_MAX_FRAME (KT_DOCK_OVERHEAD + KT_DOCK_MAX_PAYLOAD)

#define KT_DOCK_VEST_ID_LEN 16	 /* bytes on the wire, NUL padded */
#define KT_DOCK_READ_RESP_HDR 18 /* READ response payload before the data */
#define KT_DOCK_MAX_CHUNK (KT_DOCK_MAX_PAYLOAD - KT_DOCK_READ_RESP_HDR)
#define KT_DOCK_LIST_ENTRY_LEN 20
#define KT_DOCK_LIST_MAX 64 /* entries per LIST response */
#define KT_DOCK_ERROR_MSG_MAX 64

#define KT_DOCK_UNKNOWN_TIME INT64_MIN /* clock / start time not known */
#define KT_DOCK_UNKNOWN_U64 UINT64_MAX
#define KT_DOCK_UNKNOWN_BATTERY 0xFF

/* Timing (dock.md "Timeouts and retries"), in milliseconds. */
#define KT_DOCK_T_INTERBYTE_MS 500 /* a partial frame older than this is dropped */
#define KT_DOCK_T_RESPONSE_MS 1000 /* host: wait for a complete response (+ transfer time) */
#define KT_DOCK_RETRIES 3	   /* host: retries before declaring the link dead */
#define KT_DOCK_MAX_OUTSTANDING 4  /* host may pipeline up to this many requests */

enum kt_dock_type {
	KT_DOCK_IDENTIFY = 0x01,
	KT_DOCK_LIST = 0x02,
	KT_DOCK_READ = 0x03,
	KT_DOCK_SET_CLOCK = 0x04,
	KT_DOCK_ERASE = 0x05,
	KT_DOCK_RESPONSE = 0x80, /* flag: response type = request type | 0x80 */
	KT_DOCK_IDENTIFY_RESP = 0x81,
	KT_DOCK_LIST_RESP = 0x82,
	KT_DOCK_READ_RESP = 0x83,
	KT_DOCK_SET_CLOCK_RESP = 0x84,
	KT_DOCK_ERASE_RESP = 0x85,
	KT_DOCK_ERROR = 0xFF, /* error response to any request */
};

enum kt_dock_error_code {
	KT_DOCK_E_UNKNOWN_COMMAND = 1, /* request type not implemented */
	KT_DOCK_E_BAD_REQUEST = 2,     /* wrong payload length or field value */
	KT_DOCK_E_NO_SUCH_SESSION = 3, /* session id not on the vest */
	KT_DOCK_E_BAD_OFFSET = 4,      /* READ offset beyond the session size */
	KT_DOCK_E_CRC_MISMATCH = 5,    /* ERASE: CRC-32 differs from the stored session */
	KT_DOCK_E_REFUSED = 6,	       /* ERASE not allowed (policy, write-protect) */
	KT_DOCK_E_BUSY = 7,	       /* recording in progress, retry later */
	KT_DOCK_E_STORAGE = 8,	       /* flash/SD read or erase failed */
	KT_DOCK_E_INTERNAL = 9,
};

/* IDENTIFY flags */
#define KT_DOCK_FLAG_RECORDING 0x01 /* a session is being recorded now */
#define KT_DOCK_FLAG_CLOCK_SET 0x02 /* the vest clock was set since power-up */
#define KT_DOCK_FLAG_CHARGING 0x04

const char *kt_dock_type_to_str(uint8_t type);
const char *kt_dock_error_to_str(uint8_t code);

/* ---- CRCs ---- */

/* CRC-32/IEEE 802.3 (zlib's crc32): reflected poly 0xEDB88320, init and final
 * xor 0xFFFFFFFF. Incremental: crc = kt_crc32(0, a, n); crc = kt_crc32(crc, b, m). */
uint32_t kt_crc32(uint32_t crc, const void *data, size_t len);
/* CRC-8/SMBUS: poly 0x07, init 0x00, no reflection, no final xor. */
uint8_t kt_crc8(const void *data, size_t len);

/* ---- Frames ---- */

struct kt_dock_frame {
	uint8_t type;
	uint8_t seq;
	uint16_t len;
	const uint8_t *payload; /* points into the decoder (or caller) buffer */
};

/*
 * Writes a complete frame into out. payload may point at out + KT_DOCK_HEADER_LEN
 * (then it is not copied), so a body can be encoded in place. Returns the frame
 * length or -EMSGSIZE/-ENOBUFS.
 */
int kt_dock_frame_encode(uint8_t type,
			 uint8_t seq,
			 const uint8_t *payload,
			 size_t len,
			 uint8_t *out,
			 size_t out_size);

enum kt_dock_reject {
	KT_DOCK_REJECT_GARBAGE_BYTES = 0, /* bytes skipped while looking for a frame start */
	KT_DOCK_REJECT_HEADER,		  /* header CRC-8 mismatch */
	KT_DOCK_REJECT_TOO_LONG,	  /* valid header with len > KT_DOCK_MAX_PAYLOAD */
	KT_DOCK_REJECT_CRC,		  /* frame CRC-32 mismatch */
	KT_DOCK_REJECT_TRUNCATED,	  /* partial frame dropped by kt_dock_decoder_reset() */
	_KT_DOCK_REJECT_MAX,
};

const char *kt_dock_reject_to_str(enum kt_dock_reject r);

/*
 * Streaming frame decoder. On a bad header or CRC it resynchronises by
 * scanning again from the byte after the rejected start-of-frame, so a frame
 * that follows garbage or a truncated frame is still found.
 */
struct kt_dock_decoder {
	/* private */
	uint8_t buf[KT_DOCK_MAX_FRAME];
	size_t head, tail; /* unparsed bytes are buf[head..tail) */
	size_t pending;	   /* length of the frame returned last, dropped on the next push */
	/* public, read-only */
	uint64_t bytes_in;
	uint64_t frames;
	uint64_t rejected[_KT_DOCK_REJECT_MAX];
};

void kt_dock_decoder_init(struct kt_dock_decoder *d);

/*
 * Feed bytes: consumes from *data and *len (advancing both) and returns 1 when a
 * frame is complete (*ret describes it; its payload is valid until the next
 * call), 0 when all input is consumed and more is needed. Loop:
 *   while (kt_dock_decoder_push(d, &p, &n, &fr) > 0) handle(&fr);
 * Call it with *len == 0 to drain frames already buffered.
 */
int kt_dock_decoder_push(struct kt_dock_decoder *d,
			 const uint8_t **data,
			 size_t *len,
			 struct kt_dock_frame *ret);

/* True when part of a frame is buffered (used for the inter-byte timeout). */
bool kt_dock_decoder_partial(const struct kt_dock_decoder *d);

/* Drop buffered bytes (inter-byte timeout, port reopened); a partial frame
 * is counted as truncated. Counters are kept. */
void kt_dock_decoder_reset(struct kt_dock_decoder *d);

/* ---- Message bodies ----
 * *_encode(msg, payload, size) write the payload (not the frame) and return
 * its length; *_decode(payload, len, ret) parse it. Requests without a body
 * (IDENTIFY) have no functions: send a frame with len 0. */

struct kt_dock_identify {
	uint8_t protocol_version;	       /* KT_DOCK_PROTOCOL_VERSION */
	uint8_t flags;			       /* KT_DOCK_FLAG_* */
	char vest_id[KT_DOCK_VEST_ID_LEN + 1]; /* printable ASCII [A-Za-z0-9_.-], NUL-terminated */
	uint16_t firmware;		       /* major << 8 | minor */
	uint8_t battery_pct;		       /* 0..100, KT_DOCK_UNKNOWN_BATTERY */
	uint16_t n_sessions;
	uint64_t free_bytes;   /* KT_DOCK_UNKNOWN_U64 if unknown */
	uint64_t total_bytes;  /* KT_DOCK_UNKNOWN_U64 if unknown */
	int64_t clock_unix_us; /* vest clock, KT_DOCK_UNKNOWN_TIME if not set */
};
#define KT_DOCK_IDENTIFY_LEN 48 /* longer payloads from later versions are accepted */
int kt_dock_identify_encode(const struct kt_dock_identify *m, uint8_t *out, size_t size);
int kt_dock_identify_decode(const uint8_t *p, size_t len, struct kt_dock_identify *ret);

struct kt_dock_list_req {
	uint16_t first; /* index of the first session wanted */
};
#define KT_DOCK_LIST_REQ_LEN 2
int kt_dock_list_req_encode(const struct kt_dock_list_req *m, uint8_t *out, size_t size);
int kt_dock_list_req_decode(const uint8_t *p, size_t len, struct kt_dock_list_req *ret);

struct kt_dock_session_info {
	uint32_t id;	       /* unique on this vest, never reused */
	int64_t start_unix_us; /* KT_DOCK_UNKNOWN_TIME if unknown */
	uint32_t size;	       /* bytes */
	uint32_t crc32;	       /* kt_crc32() of all size bytes */
};

struct kt_dock_list_resp {
	uint16_t total; /* sessions on the vest */
	uint16_t first; /* index of entry 0 (echoes the request) */
	uint8_t count;	/* entries in this response, <= KT_DOCK_LIST_MAX */
	struct kt_dock_session_info s[KT_DOCK_LIST_MAX];
};
int kt_dock_list_resp_encode(const struct kt_dock_list_resp *m, uint8_t *out, size_t size);
int kt_dock_list_resp_decode(const uint8_t *p, size_t len, struct kt_dock_list_resp *ret);

struct kt_dock_read_req {
	uint32_t session_id;
	uint32_t offset;
	uint16_t max_len; /* 1..KT_DOCK_MAX_CHUNK */
};
#define KT_DOCK_READ_REQ_LEN 10
int kt_dock_read_req_encode(const struct kt_dock_read_req *m, uint8_t *out, size_t size);
int kt_dock_read_req_decode(const uint8_t *p, size_t len, struct kt_dock_read_req *ret);

struct kt_dock_read_resp {
	uint32_t session_id;
	uint32_t offset;     /* of data[0] in the session */
	uint32_t size;	     /* whole session size */
	uint32_t data_crc32; /* kt_crc32() of data[0..len) */
	uint16_t len;	     /* 0 only at offset == size */
	const uint8_t *data; /* into the payload */
};
/* Encode computes data_crc32 itself (m->data_crc32 is ignored). data may
 * point at out + KT_DOCK_READ_RESP_HDR (read the chunk in place). */
int kt_dock_read_resp_encode(const struct kt_dock_read_resp *m, uint8_t *out, size_t size);
/* Decode checks data_crc32 against the data (-EBADMSG) and len/size bounds. */
int kt_dock_read_resp_decode(const uint8_t *p, size_t len, struct kt_dock_read_resp *ret);

struct kt_dock_set_clock {
	int64_t unix_us; /* request: new time; response: time before the change */
};
#define KT_DOCK_SET_CLOCK_LEN 8
int kt_dock_set_clock_encode(const struct kt_dock_set_clock *m, uint8_t *out, size_t size);
int kt_dock_set_clock_decode(const uint8_t *p, size_t len, struct kt_dock_set_clock *ret);

struct kt_dock_erase_req {
	uint32_t session_id;
	uint32_t crc32; /* must equal the session's whole CRC-32 */
};
#define KT_DOCK_ERASE_REQ_LEN 8
int kt_dock_erase_req_encode(const struct kt_dock_erase_req *m, uint8_t *out, size_t size);
int kt_dock_erase_req_decode(const uint8_t *p, size_t len, struct kt_dock_erase_req *ret);

struct kt_dock_erase_resp {
	uint32_t session_id;
};
#define KT_DOCK_ERASE_RESP_LEN 4
int kt_dock_erase_resp_encode(const struct kt_dock_erase_resp *m, uint8_t *out, size_t size);
int kt_dock_erase_resp_decode(const uint8_t *p, size_t len, struct kt_dock_erase_resp *ret);

struct kt_dock_error {
	uint8_t request_type;			 /* type of the request that failed */
	uint8_t code;				 /* enum kt_dock_error_code */
	char message[KT_DOCK_ERROR_MSG_MAX + 1]; /* optional human text, NUL-terminated */
};
int kt_dock_error_encode(const struct kt_dock_error *m, uint8_t *out, size_t size);
int kt_dock_error_decode(const uint8_t *p, size_t len, struct kt_dock_error *ret);

#endif
