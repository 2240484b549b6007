/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 the kicktrack authors */
/* Dock protocol 1 codec; see dock.md. Pure C99: no I/O, no malloc, no logging. */
#include <errno.h>
#include <string.h>

#include "kt_dock.h"

/* ---- little-endian helpers ---- */

static void
put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t
get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* two's complement on the wire; conversion through uint64_t is well defined */
static int64_t
get_i64(const uint8_t *p)
{
	uint64_t u = get_u64(p);
	if (u <= (uint64_t)INT64_MAX)
		return (int64_t)u;
	return -(int64_t)(~u) - 1;
}

/* ---- names ---- */

const char *
kt_dock_type_to_str(uint8_t type)
{
	switch (type) {
	case KT_DOCK_IDENTIFY: return "IDENTIFY";
	case KT_DOCK_LIST: return "LIST";
	case KT_DOCK_READ: return "READ";
	case KT_DOCK_SET_CLOCK: return "SET_CLOCK";
	case KT_DOCK_ERASE: return "ERASE";
	case KT_DOCK_IDENTIFY_RESP: return "IDENTIFY response";
	case KT_DOCK_LIST_RESP: return "LIST response";
	case KT_DOCK_READ_RESP: return "READ response";
	case KT_DOCK_SET_CLOCK_RESP: return "SET_CLOCK response";
	case KT_DOCK_ERASE_RESP: return "ERASE response";
	case KT_DOCK_ERROR: return "ERROR";
	default: return "unknown";
	}
}

const char *
kt_dock_error_to_str(uint8_t code)
{
	switch (code) {
	case KT_DOCK_E_UNKNOWN_COMMAND: return "unknown command";
	case KT_DOCK_E_BAD_REQUEST: return "bad request";
	case KT_DOCK_E_NO_SUCH_SESSION: return "no such session";
	case KT_DOCK_E_BAD_OFFSET: return "offset beyond end of session";
	case KT_DOCK_E_CRC_MISMATCH: return "CRC-32 does not match the stored session";
	case KT_DOCK_E_REFUSED: return "refused";
	case KT_DOCK_E_BUSY: return "busy recording";
	case KT_DOCK_E_STORAGE: return "storage error";
	case KT_DOCK_E_INTERNAL: return "internal error";
	default: return "unknown error";
	}
}

const char *
kt_dock_reject_to_str(enum kt_dock_reject r)
{
	switch (r) {
	case KT_DOCK_REJECT_GARBAGE_BYTES: return "garbage bytes";
	case KT_DOCK_REJECT_HEADER: return "header check";
	case KT_DOCK_REJECT_TOO_LONG: return "too long";
	case KT_DOCK_REJECT_CRC: return "crc";
	case KT_DOCK_REJECT_TRUNCATED: return "truncated";
	default: return "unknown";
	}
}

/* ---- CRCs ---- */

static uint32_t crc32_table[256];
static int crc32_ready;

static void
crc32_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc32_table[i] = c;
	}
	crc32_ready = 1;
}

uint32_t
kt_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!crc32_ready)
		crc32_init();
	crc = ~crc;
	while (len--)
		crc = crc32_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

uint8_t
kt_crc8(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t crc = 0;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc & 0x80) ? (uint8_t)((crc << 1) ^ 0x07) : (uint8_t)(crc << 1);
	}
	return crc;
}

/* ---- frames ---- */

int
kt_dock_frame_encode(uint8_t type, uint8_t seq, const uint8_t *payload, size_t len,
		     uint8_t *out, size_t out_size)
{
	uint32_t crc;

	if (len > KT_DOCK_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (out_size < len + KT_DOCK_OVERHEAD)
		return -ENOBUFS;
	if (len > 0 && payload != out + KT_DOCK_HEADER_LEN)
		memmove(out + KT_DOCK_HEADER_LEN, payload, len);
	out[0] = KT_DOCK_SOF0;
	out[1] = KT_DOCK_SOF1;
	out[2] = type;
	out[3] = seq;
	put_u16(out + 4, (uint16_t)len);
	out[6] = kt_crc8(out + 2, 4);
	crc = kt_crc32(0, out + 2, KT_DOCK_HEADER_LEN - 2 + len);
	put_u32(out + KT_DOCK_HEADER_LEN + len, crc);
	return (int)(len + KT_DOCK_OVERHEAD);
}

void
kt_dock_decoder_init(struct kt_dock_decoder *d)
{
	memset(d, 0, sizeof(*d));
}

bool
kt_dock_decoder_partial(const struct kt_dock_decoder *d)
{
	return d->tail > d->head + d->pending;
}

void
kt_dock_decoder_reset(struct kt_dock_decoder *d)
{
	size_t left = d->tail - d->head - d->pending;

	if (left > 0 && d->buf[d->head + d->pending] == KT_DOCK_SOF0)
		d->rejected[KT_DOCK_REJECT_TRUNCATED]++;
	else if (left > 0)
		d->rejected[KT_DOCK_REJECT_GARBAGE_BYTES] += left;
	d->head = d->tail = d->pending = 0;
}

/* Parses buf[head..tail). Returns 1 with a frame at buf[head], 0 if more
 * bytes are needed. Skips garbage and rejected candidates. */
static int
decoder_parse(struct kt_dock_decoder *d, struct kt_dock_frame *ret)
{
	for (;;) {
		uint8_t *p = d->buf + d->head;
		size_t avail = d->tail - d->head;
		size_t plen, total;

		/* find SOF0 SOF1 */
		if (avail == 0)
			return 0;
		if (p[0] != KT_DOCK_SOF0) {
			const uint8_t *sof = memchr(p, KT_DOCK_SOF0, avail);
			size_t skip = sof ? (size_t)(sof - p) : avail;
			d->rejected[KT_DOCK_REJECT_GARBAGE_BYTES] += skip;
			d->head += skip;
			continue;
		}
		if (avail < 2)
			return 0;
		if (p[1] != KT_DOCK_SOF1) {
			d->rejected[KT_DOCK_REJECT_GARBAGE_BYTES]++;
			d->head++;
			continue;
		}
		if (avail < KT_DOCK_HEADER_LEN)
			return 0;
		if (kt_crc8(p + 2, 4) != p[6]) {
			d->rejected[KT_DOCK_REJECT_HEADER]++;
			d->head++;
			continue;
		}
		plen = get_u16(p + 4);
		if (plen > KT_DOCK_MAX_PAYLOAD) {
			d->rejected[KT_DOCK_REJECT_TOO_LONG]++;
			d->head++;
			continue;
		}
		total = plen + KT_DOCK_OVERHEAD;
		if (avail < total)
			return 0;
		if (kt_crc32(0, p + 2, KT_DOCK_HEADER_LEN - 2 + plen) !=
		    get_u32(p + KT_DOCK_HEADER_LEN + plen)) {
			d->rejected[KT_DOCK_REJECT_CRC]++;
			d->head++;
			continue;
		}
		ret->type = p[2];
		ret->seq = p[3];
		ret->len = (uint16_t)plen;
		ret->payload = p + KT_DOCK_HEADER_LEN;
		d->pending = total;
		d->frames++;
		return 1;
	}
}

int
kt_dock_decoder_push(struct kt_dock_decoder *d, const uint8_t **data, size_t *len,
		     struct kt_dock_frame *ret)
{
	struct kt_dock_frame f;

	/* drop the frame returned last time */
	d->head += d->pending;
	d->pending = 0;
	if (d->head == d->tail)
		d->head = d->tail = 0;

	for (;;) {
		size_t room, n;

		if (decoder_parse(d, &f) > 0) {
			*ret = f;
			return 1;
		}
		if (*len == 0)
			return 0;
		/* need more: compact, then take as much input as fits */
		if (d->head > 0) {
			memmove(d->buf, d->buf + d->head, d->tail - d->head);
			d->tail -= d->head;
			d->head = 0;
		}
		room = sizeof(d->buf) - d->tail;
		n = *len < room ? *len : room;
		/* room is never 0 here: an unparsed candidate is shorter than a
		 * whole frame, which fits in buf */
		memcpy(d->buf + d->tail, *data, n);
		d->tail += n;
		d->bytes_in += n;
		*data += n;
		*len -= n;
	}
}

/* ---- bodies ---- */

int
kt_dock_identify_encode(const struct kt_dock_identify *m, uint8_t *out, size_t size)
{
	size_t idlen = strnlen(m->vest_id, sizeof(m->vest_id));

	if (size < KT_DOCK_IDENTIFY_LEN)
		return -ENOBUFS;
	if (idlen == 0 || idlen > KT_DOCK_VEST_ID_LEN)
		return -EINVAL;
	memset(out, 0, KT_DOCK_IDENTIFY_LEN);
	out[0] = m->protocol_version;
	out[1] = m->flags;
	memcpy(out + 2, m->vest_id, idlen);
	put_u16(out + 18, m->firmware);
	out[20] = m->battery_pct;
	out[21] = 0;
	put_u16(out + 22, m->n_sessions);
	put_u64(out + 24, m->free_bytes);
	put_u64(out + 32, m->total_bytes);
	put_u64(out + 40, (uint64_t)m->clock_unix_us);
	return KT_DOCK_IDENTIFY_LEN;
}

static bool
vest_id_char_ok(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

int
kt_dock_identify_decode(const uint8_t *p, size_t len, struct kt_dock_identify *ret)
{
	struct kt_dock_identify m;
	size_t i;

	if (len < KT_DOCK_IDENTIFY_LEN)
		return -EPROTO;
	memset(&m, 0, sizeof(m));
	m.protocol_version = p[0];
	m.flags = p[1];
	for (i = 0; i < KT_DOCK_VEST_ID_LEN && p[2 + i] != 0; i++) {
		if (!vest_id_char_ok(p[2 + i]))
			return -EPROTO;
		m.vest_id[i] = (char)p[2 + i];
	}
	if (i == 0 || m.vest_id[0] == '.')
		return -EPROTO;
	for (; i < KT_DOCK_VEST_ID_LEN; i++)
		if (p[2 + i] != 0)
			return -EPROTO;
	m.firmware = get_u16(p + 18);
	m.battery_pct = p[20];
	if (m.battery_pct > 100 && m.battery_pct != KT_DOCK_UNKNOWN_BATTERY)
		return -EPROTO;
	m.n_sessions = get_u16(p + 22);
	m.free_bytes = get_u64(p + 24);
	m.total_bytes = get_u64(p + 32);
	m.clock_unix_us = get_i64(p + 40);
	*ret = m;
	return 0;
}

int
kt_dock_list_req_encode(const struct kt_dock_list_req *m, uint8_t *out, size_t size)
{
	if (size < KT_DOCK_LIST_REQ_LEN)
		return -ENOBUFS;
	put_u16(out, m->first);
	return KT_DOCK_LIST_REQ_LEN;
}

int
kt_dock_list_req_decode(const uint8_t *p, size_t len, struct kt_dock_list_req *ret)
{
	if (len != KT_DOCK_LIST_REQ_LEN)
		return -EPROTO;
	ret->first = get_u16(p);
	return 0;
}

int
kt_dock_list_resp_encode(const struct kt_dock_list_resp *m, uint8_t *out, size_t size)
{
	size_t need = 5 + (size_t)m->count * KT_DOCK_LIST_ENTRY_LEN;

	if (m->count > KT_DOCK_LIST_MAX || (m->count > 0 && (uint32_t)m->first + m->count > m->total) ||
	    (m->count == 0 && m->first < m->total))
		return -EINVAL;
	if (size < need)
		return -ENOBUFS;
	put_u16(out, m->total);
	put_u16(out + 2, m->first);
	out[4] = m->count;
	for (unsigned i = 0; i < m->count; i++) {
		uint8_t *e = out + 5 + i * KT_DOCK_LIST_ENTRY_LEN;
		put_u32(e, m->s[i].id);
		put_u64(e + 4, (uint64_t)m->s[i].start_unix_us);
		put_u32(e + 12, m->s[i].size);
		put_u32(e + 16, m->s[i].crc32);
	}
	return (int)need;
}

int
kt_dock_list_resp_decode(const uint8_t *p, size_t len, struct kt_dock_list_resp *ret)
{
	uint16_t total, first;
	uint8_t count;

	if (len < 5)
		return -EPROTO;
	total = get_u16(p);
	first = get_u16(p + 2);
	count = p[4];
	if (count > KT_DOCK_LIST_MAX || len != 5 + (size_t)count * KT_DOCK_LIST_ENTRY_LEN)
		return -EPROTO;
	if (count > 0 && (uint32_t)first + count > total)
		return -EPROTO;
	if (count == 0 && first < total)
		return -EPROTO; /* would make a paging host loop forever */
	ret->total = total;
	ret->first = first;
	ret->count = count;
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *e = p + 5 + i * KT_DOCK_LIST_ENTRY_LEN;
		ret->s[i].id = get_u32(e);
		ret->s[i].start_unix_us = get_i64(e + 4);
		ret->s[i].size = get_u32(e + 12);
		ret->s[i].crc32 = get_u32(e + 16);
	}
	return 0;
}

int
kt_dock_read_req_encode(const struct kt_dock_read_req *m, uint8_t *out, size_t size)
{
	if (m->max_len == 0 || m->max_len > KT_DOCK_MAX_CHUNK)
		return -EINVAL;
	if (size < KT_DOCK_READ_REQ_LEN)
		return -ENOBUFS;
	put_u32(out, m->session_id);
	put_u32(out + 4, m->offset);
	put_u16(out + 8, m->max_len);
	return KT_DOCK_READ_REQ_LEN;
}

int
kt_dock_read_req_decode(const uint8_t *p, size_t len, struct kt_dock_read_req *ret)
{
	uint16_t max_len;

	if (len != KT_DOCK_READ_REQ_LEN)
		return -EPROTO;
	max_len = get_u16(p + 8);
	if (max_len == 0 || max_len > KT_DOCK_MAX_CHUNK)
		return -EPROTO;
	ret->session_id = get_u32(p);
	ret->offset = get_u32(p + 4);
	ret->max_len = max_len;
	return 0;
}

int
kt_dock_read_resp_encode(const struct kt_dock_read_resp *m, uint8_t *out, size_t size)
{
	size_t need = KT_DOCK_READ_RESP_HDR + (size_t)m->len;

	if (m->len > KT_DOCK_MAX_CHUNK || (uint64_t)m->offset + m->len > m->size)
		return -EINVAL;
	if (size < need)
		return -ENOBUFS;
	if (m->len > 0 && m->data != out + KT_DOCK_READ_RESP_HDR)
		memmove(out + KT_DOCK_READ_RESP_HDR, m->data, m->len);
	put_u32(out, m->session_id);
	put_u32(out + 4, m->offset);
	put_u32(out + 8, m->size);
	put_u32(out + 12, kt_crc32(0, out + KT_DOCK_READ_RESP_HDR, m->len));
	put_u16(out + 16, m->len);
	return (int)need;
}

int
kt_dock_read_resp_decode(const uint8_t *p, size_t len, struct kt_dock_read_resp *ret)
{
	struct kt_dock_read_resp m;

	if (len < KT_DOCK_READ_RESP_HDR)
		return -EPROTO;
	m.session_id = get_u32(p);
	m.offset = get_u32(p + 4);
	m.size = get_u32(p + 8);
	m.data_crc32 = get_u32(p + 12);
	m.len = get_u16(p + 16);
	m.data = p + KT_DOCK_READ_RESP_HDR;
	if (len != KT_DOCK_READ_RESP_HDR + (size_t)m.len || m.len > KT_DOCK_MAX_CHUNK)
		return -EPROTO;
	if ((uint64_t)m.offset + m.len > m.size || (m.len == 0 && m.offset != m.size))
		return -EPROTO;
	if (kt_crc32(0, m.data, m.len) != m.data_crc32)
		return -EBADMSG;
	*ret = m;
	return 0;
}

int
kt_dock_set_clock_encode(const struct kt_dock_set_clock *m, uint8_t *out, size_t size)
{
	if (size < KT_DOCK_SET_CLOCK_LEN)
		return -ENOBUFS;
	put_u64(out, (uint64_t)m->unix_us);
	return KT_DOCK_SET_CLOCK_LEN;
}

int
kt_dock_set_clock_decode(const uint8_t *p, size_t len, struct kt_dock_set_clock *ret)
{
	if (len != KT_DOCK_SET_CLOCK_LEN)
		return -EPROTO;
	ret->unix_us = get_i64(p);
	return 0;
}

int
kt_dock_erase_req_encode(const struct kt_dock_erase_req *m, uint8_t *out, size_t size)
{
	if (size < KT_DOCK_ERASE_REQ_LEN)
		return -ENOBUFS;
	put_u32(out, m->session_id);
	put_u32(out + 4, m->crc32);
	return KT_DOCK_ERASE_REQ_LEN;
}

int
kt_dock_erase_req_decode(const uint8_t *p, size_t len, struct kt_dock_erase_req *ret)
{
	if (len != KT_DOCK_ERASE_REQ_LEN)
		return -EPROTO;
	ret->session_id = get_u32(p);
	ret->crc32 = get_u32(p + 4);
	return 0;
}

int
kt_dock_erase_resp_encode(const struct kt_dock_erase_resp *m, uint8_t *out, size_t size)
{
	if (size < KT_DOCK_ERASE_RESP_LEN)
		return -ENOBUFS;
	put_u32(out, m->session_id);
	return KT_DOCK_ERASE_RESP_LEN;
}

int
kt_dock_erase_resp_decode(const uint8_t *p, size_t len, struct kt_dock_erase_resp *ret)
{
	if (len != KT_DOCK_ERASE_RESP_LEN)
		return -EPROTO;
	ret->session_id = get_u32(p);
	return 0;
}

int
kt_dock_error_encode(const struct kt_dock_error *m, uint8_t *out, size_t size)
{
	size_t mlen = strnlen(m->message, sizeof(m->message));

	if (mlen > KT_DOCK_ERROR_MSG_MAX)
		mlen = KT_DOCK_ERROR_MSG_MAX;
	if (size < 2 + mlen)
		return -ENOBUFS;
	out[0] = m->request_type;
	out[1] = m->code;
	memcpy(out + 2, m->message, mlen);
	return (int)(2 + mlen);
}

int
kt_dock_error_decode(const uint8_t *p, size_t len, struct kt_dock_error *ret)
{
	struct kt_dock_error m;

	if (len < 2 || len > 2 + KT_DOCK_ERROR_MSG_MAX)
		return -EPROTO;
	memset(&m, 0, sizeof(m));
	m.request_type = p[0];
	m.code = p[1];
	/* keep printable ASCII only: the message ends up in logs */
	for (size_t i = 0; i < len - 2; i++)
		m.message[i] = (p[2 + i] >= 0x20 && p[2 + i] < 0x7F) ? (char)p[2 + i] : '?';
	*ret = m;
	return 0;
}
