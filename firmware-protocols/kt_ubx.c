/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 the kicktrack authors */
#include <errno.h>
#include <string.h>

#include "kt_frame.h"
#include "kt_ubx.h"

static uint16_t
rd_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t
rd_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int32_t
rd_i32(const uint8_t *p)
{
	return (int32_t)rd_u32(p);
}

static void
wr_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
wr_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Checks sync, class/id and that the length field matches the frame.
 * Returns the payload length or a negative errno. */
static int
frame_payload(const uint8_t *frame, size_t len, uint8_t cls, uint8_t id)
{
	size_t plen;
	if (len < 8 || frame[0] != 0xB5 || frame[1] != 0x62)
		return -EBADMSG;
	if (frame[2] != cls || frame[3] != id)
		return -ENOENT;
	plen = rd_u16(frame + 4);
	if (plen + 8 != len)
		return -EBADMSG;
	return (int)plen;
}

int
kt_ubx_decode_nav_pvt(const uint8_t *frame, size_t len, struct kt_ubx_nav_pvt *ret)
{
	struct kt_ubx_nav_pvt o;
	const uint8_t *p = frame + 6;
	int plen = frame_payload(frame, len, KT_UBX_CLASS_NAV, KT_UBX_ID_NAV_PVT);

	if (plen < 0)
		return plen;
	/* 92 bytes (u-blox 8 and later); u-blox 7 sends 84 bytes with the
	 * same fields up to pDOP: both are accepted. */
	if (plen != KT_UBX_NAV_PVT_LEN && plen != KT_UBX_NAV_PVT_LEN_V7)
		return -EBADMSG;
	o.itow_ms = rd_u32(p + 0);
	o.year = rd_u16(p + 4);
	o.month = p[6];
	o.day = p[7];
	o.hour = p[8];
	o.min = p[9];
	o.sec = p[10];
	o.valid = p[11];
	o.t_acc_ns = rd_u32(p + 12);
	o.nano = rd_i32(p + 16);
	o.fix_type = p[20];
	o.flags = p[21];
	o.num_sv = p[23];
	o.lon_e7 = rd_i32(p + 24);
	o.lat_e7 = rd_i32(p + 28);
	o.height_mm = rd_i32(p + 32);
	o.hmsl_mm = rd_i32(p + 36);
	o.hacc_mm = rd_u32(p + 40);
	o.vacc_mm = rd_u32(p + 44);
	o.vel_n_mms = rd_i32(p + 48);
	o.vel_e_mms = rd_i32(p + 52);
	o.vel_d_mms = rd_i32(p + 56);
	o.gspeed_mms = rd_i32(p + 60);
	o.head_mot_e5 = rd_i32(p + 64);
	o.sacc_mms = rd_u32(p + 68);
	o.head_acc_e5 = rd_u32(p + 72);
	o.pdop_e2 = rd_u16(p + 76);
	if (o.itow_ms >= 604800000u || o.fix_type > 5)
		return -ERANGE;
	if (o.valid & 0x03) {
		if (o.month < 1 || o.month > 12 || o.day < 1 || o.day > 31 || o.hour > 23 ||
		    o.min > 59 || o.sec > 60 || o.nano < -1000000000 || o.nano > 1000000000)
			return -ERANGE;
	}
	if (o.lat_e7 < -900000000 || o.lat_e7 > 900000000 || o.lon_e7 < -1800000000 ||
	    o.lon_e7 > 1800000000 || o.gspeed_mms < 0)
		return -ERANGE;
	*ret = o;
	return 0;
}

int
kt_ubx_decode_vest_header(const uint8_t *frame, size_t len, struct kt_ubx_vest_header *ret)
{
	struct kt_ubx_vest_header o;
	const uint8_t *p = frame + 6;
	int plen = frame_payload(frame, len, KT_UBX_CLASS_VEST, KT_UBX_ID_VEST_HEADER);
	int n;

	if (plen < 0)
		return plen;
	if (plen != KT_UBX_VEST_HEADER_LEN)
		return -EBADMSG;
	for (n = 0; n < 8; n++) {
		if (p[n] < 0x21 || p[n] > 0x7e)
			break;
		o.vest_id[n] = (char)p[n];
	}
	/* The rest must be space padding. */
	for (int i = n; i < 8; i++)
		if (p[i] != ' ')
			return -EBADMSG;
	if (n == 0)
		return -EBADMSG;
	o.vest_id[n] = 0;
	o.firmware = rd_u16(p + 8);
	o.start_unix = rd_u32(p + 10);
	*ret = o;
	return 0;
}

int
kt_ubx_decode_imu_batch(const uint8_t *frame, size_t len, struct kt_ubx_imu_batch *ret)
{
	const uint8_t *p = frame + 6;
	int plen = frame_payload(frame, len, KT_UBX_CLASS_VEST, KT_UBX_ID_VEST_IMU);
	uint32_t itow;
	uint16_t rate;
	uint8_t count;

	if (plen < 0)
		return plen;
	if (plen < 8)
		return -EBADMSG;
	itow = rd_u32(p);
	rate = rd_u16(p + 4);
	count = p[6];
	if ((size_t)plen != 8 + (size_t)count * 12)
		return -EBADMSG;
	if (itow >= 604800000u || rate == 0 || rate > 10000)
		return -ERANGE;
	/* Fill in place: the struct is large, and writing it only after all
	 * checks keeps *ret untouched on failure. */
	ret->itow_ms = itow;
	ret->rate_hz = rate;
	ret->count = count;
	p += 8;
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* the payload's int16 are little-endian, like ret->s in memory: one
	 * copy instead of 6 * count two-byte stores (the bulk of a UBX log) */
	memcpy(ret->s, p, (size_t)count * 12);
#else
	for (unsigned i = 0; i < count; i++, p += 12)
		for (unsigned k = 0; k < 6; k++)
			ret->s[i][k] = (int16_t)rd_u16(p + 2 * k);
#endif
	return 0;
}

int
kt_ubx_encode_nav_pvt(const struct kt_ubx_nav_pvt *o, uint8_t *out, size_t out_size)
{
	uint8_t p[KT_UBX_NAV_PVT_LEN];

	memset(p, 0, sizeof(p));
	wr_u32(p + 0, o->itow_ms);
	wr_u16(p + 4, o->year);
	p[6] = o->month;
	p[7] = o->day;
	p[8] = o->hour;
	p[9] = o->min;
	p[10] = o->sec;
	p[11] = o->valid;
	wr_u32(p + 12, o->t_acc_ns);
	wr_u32(p + 16, (uint32_t)o->nano);
	p[20] = o->fix_type;
	p[21] = o->flags;
	p[23] = o->num_sv;
	wr_u32(p + 24, (uint32_t)o->lon_e7);
	wr_u32(p + 28, (uint32_t)o->lat_e7);
	wr_u32(p + 32, (uint32_t)o->height_mm);
	wr_u32(p + 36, (uint32_t)o->hmsl_mm);
	wr_u32(p + 40, o->hacc_mm);
	wr_u32(p + 44, o->vacc_mm);
	wr_u32(p + 48, (uint32_t)o->vel_n_mms);
	wr_u32(p + 52, (uint32_t)o->vel_e_mms);
	wr_u32(p + 56, (uint32_t)o->vel_d_mms);
	wr_u32(p + 60, (uint32_t)o->gspeed_mms);
	wr_u32(p + 64, (uint32_t)o->head_mot_e5);
	wr_u32(p + 68, o->sacc_mms);
	wr_u32(p + 72, o->head_acc_e5);
	wr_u16(p + 76, o->pdop_e2);
	return kt_ubx_encode(KT_UBX_CLASS_NAV, KT_UBX_ID_NAV_PVT, p, sizeof(p), out, out_size);
}

int
kt_ubx_encode_vest_header(const struct kt_ubx_vest_header *h, uint8_t *out, size_t out_size)
{
	uint8_t p[KT_UBX_VEST_HEADER_LEN];
	size_t n = 0;

	while (n < 8 && h->vest_id[n])
		n++;

	memset(p, ' ', 8);
	memcpy(p, h->vest_id, n);
	wr_u16(p + 8, h->firmware);
	wr_u32(p + 10, h->start_unix);
	return kt_ubx_encode(KT_UBX_CLASS_VEST, KT_UBX_ID_VEST_HEADER, p, sizeof(p), out, out_size);
}

int
kt_ubx_encode_imu_batch(const struct kt_ubx_imu_batch *b, uint8_t *out, size_t out_size)
{
	size_t plen = 8 + (size_t)b->count * 12;
	uint8_t *p = out + 6;

	if (out_size < plen + 8)
		return -1;
	/* Write the payload straight into place. */
	wr_u32(p, b->itow_ms);
	wr_u16(p + 4, b->rate_hz);
	p[6] = b->count;
	p[7] = 0;
	for (unsigned i = 0; i < b->count; i++)
		for (unsigned k = 0; k < 6; k++)
			wr_u16(p + 8 + i * 12 + k * 2, (uint16_t)b->s[i][k]);
	return kt_ubx_encode(KT_UBX_CLASS_VEST, KT_UBX_ID_VEST_IMU, p, (uint16_t)plen, out, out_size);
}
