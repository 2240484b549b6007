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
	case KT_DOCK_IDENTIFY:
		return "IDENTIFY";
	case KT_DOCK_LIST:
		return "LIST";
	case KT_DOCK_READ:
		return "READ";
	case KT_DOCK_SET_CLOCK:
		return "SET_CLOCK";
	case KT_DOCK_ERASE:
		return "ERASE";
	case KT_DOCK_IDENTIFY_RESP:
		return "IDENTIFY response";
	case KT_DOCK_LIST_RESP:
		return "LIST response";
	case KT_DOCK_READ_RESP:
		return "READ response";
	case KT_DOCK_SET_CLOCK_RESP:
		return "SET_CLOCK response";
	case KT_DOCK_ERASE_RESP:
		return "ERASE response";
	case KT_DOCK_ERROR:
		return "ERROR";
	default:
		return "unknown";
	}
}

const char *
kt_dock_error_to_str(uint8_t code)
{
	switch (code) {
	case KT_DOCK_E_UNKNOWN_COMMAND:
		return "unknown command";
	case KT_DOCK_E_BAD_REQUEST:
		return "bad request";
	case KT_DOCK_E_NO_SUCH_SESSION:
		return "no such session";
	case KT_DOCK_E_BAD_OFFSET:
		return "offset beyond end of session";
	case KT_DOCK_E_CRC_MISMATCH:
		return "CRC-32 does not match the stored session";
	case KT_DOCK_E_REFUSED:
		return "refused";
	case KT_DOCK_E_BUSY:
		return "busy recording";
	case KT_DOCK_E_STORAGE:
		return "storage error";
	case KT_DOCK_E_INTERNAL:
		return "internal error";
	default:
		return "unknown error";
	}
}

const char *
kt_dock_reject_to_str(enum kt_dock_reject r)
{
	switch (r) {
	case KT_DOCK_REJECT_GARBAGE_BYTES:
		return "garbage bytes";
	case KT_DOCK_REJECT_HEADER:
		return "header check";
	case KT_DOCK_REJECT_TOO_LONG:
		return "too long";
	case KT_DOCK_REJECT_CRC:
		return "crc";
	case KT_DOCK_REJECT_TRUNCATED:
		return "truncated";
	default:
		return "unknown";
	}
}

/* ---- CRCs ---- */

/* CRC-32/IEEE, reflected polynomial 0xEDB88320: crc32_table[i] is the CRC
 * register after shifting the byte i through it (const: lives in flash on a
 * vest, and needs no initialisation). */
static const uint32_t crc32_table[256] = {
	0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu, 0xe963a535u,
	0x9e6495a3u, 0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u, 0x09b64c2bu, 0x7eb17cbdu,
	0xe7b82d07u, 0x90bf1d91u, 0x1db71064u, 0x6ab020f2u, 0xf3b97148u, 0x84be41deu, 0x1adad47du,
	0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u, 0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu,
	0x14015c4fu, 0x63066cd9u, 0xfa0f3d63u, 0x8d080df5u, 0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u,
	0xa2677172u, 0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu, 0x35b5a8fau, 0x42b2986cu,
	0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u, 0x26d930acu,
	0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u, 0xcfba9599u, 0xb8bda50fu,
	0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u, 0x2f6f7c87u, 0x58684c11u, 0xc1611dabu,
	0xb6662d3du, 0x76dc4190u, 0x01db7106u, 0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu,
	0x9fbfe4a5u, 0xe8b8d433u, 0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu,
	0x086d3d2du, 0x91646c97u, 0xe6635c01u, 0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu,
	0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u, 0x65b0d9c6u, 0x12b7e950u, 0x8bbeb8eau,
	0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u, 0x4db26158u, 0x3ab551ceu,
	0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u, 0xa4d1c46du, 0xd3d6f4fbu, 0x4369e96au,
	0x346ed9fcu, 0xad678846u, 0xda60b8d0u, 0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u,
	0x5005713cu, 0x270241aau, 0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u,
	0xce61e49fu, 0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u,
	0xb7bd5c3bu, 0xc0ba6cadu, 0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au, 0xead54739u,
	0x9dd277afu, 0x04db2615u, 0x73dc1683u, 0xe3630b12u, 0x94643b84u, 0x0d6d6a3eu, 0x7a6a5aa8u,
	0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u, 0xf00f9344u, 0x8708a3d2u, 0x1e01f268u,
	0x6906c2feu, 0xf762575du, 0x806567cbu, 0x196c3671u, 0x6e6b06e7u, 0xfed41b76u, 0x89d32be0u,
	0x10da7a5au, 0x67dd4accu, 0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u, 0xd6d6a3e8u,
	0xa1d1937eu, 0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
	0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u, 0x316e8eefu,
	0x4669be79u, 0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u, 0xcc0c7795u, 0xbb0b4703u,
	0x220216b9u, 0x5505262fu, 0xc5ba3bbeu, 0xb2bd0b28u, 0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u,
	0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du, 0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au,
	0x9c0906a9u, 0xeb0e363fu, 0x72076785u, 0x05005713u, 0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu,
	0x0cb61b38u, 0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u, 0x86d3d2d4u, 0xf1d4e242u,
	0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u, 0x88085ae6u,
	0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u, 0x616bffd3u, 0x166ccf45u,
	0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u, 0xa7672661u, 0xd06016f7u, 0x4969474du,
	0x3e6e77dbu, 0xaed16a4au, 0xd9d65adcu, 0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u,
	0x47b2cf7fu, 0x30b5ffe9u, 0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u,
	0xcdd70693u, 0x54de5729u, 0x23d967bfu, 0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u,
	0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du,
};

uint32_t
kt_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

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
kt_dock_frame_encode(uint8_t type,
		     uint8_t seq,
		     const uint8_t *payload,
		     size_t len,
		     uint8_t *out,
		     size_t out_size)
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
kt_dock_decoder_push(struct kt_dock_decoder *d,
		     const uint8_t **data,
		     size_t *len,
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

	if (m->count > KT_DOCK_LIST_MAX ||
	    (m->count > 0 && (uint32_t)m->first + m->count > m->total) ||
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
