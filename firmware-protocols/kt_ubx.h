/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 the kicktrack authors */
/*
 * u-blox UBX decoders: NAV-PVT (0x01 0x07) and the vest's own records
 * (class 0xF1: 0x00 session header, 0x01 IMU batch), plus their encoders.
 * Pure C99: no I/O, no malloc, no logging. See ubx.md and vest.md.
 */
#ifndef KT_UBX_H
#define KT_UBX_H

#include <stddef.h>
#include <stdint.h>

#define KT_UBX_CLASS_NAV 0x01
#define KT_UBX_ID_NAV_PVT 0x07
#define KT_UBX_NAV_PVT_LEN 92
#define KT_UBX_NAV_PVT_LEN_V7 84  /* u-blox 7: same fields up to pDOP, accepted */
#define KT_UBX_CLASS_VEST 0xF1
#define KT_UBX_ID_VEST_HEADER 0x00
#define KT_UBX_ID_VEST_IMU 0x01
#define KT_UBX_VEST_HEADER_LEN 14
#define KT_UBX_IMU_MAX_COUNT 255
#define KT_IMU_ACC_LSB_PER_G 2048.0
#define KT_IMU_GYR_LSB_PER_DPS 16.4

struct kt_ubx_nav_pvt {
	uint32_t itow_ms;
	uint16_t year;
	uint8_t month, day, hour, min, sec;
	uint8_t valid;          /* bit0 validDate, bit1 validTime, bit2 fullyResolved */
	uint32_t t_acc_ns;
	int32_t nano;           /* may be negative */
	uint8_t fix_type;       /* 0 none, 1 DR, 2 2D, 3 3D, 4 GNSS+DR, 5 time only */
	uint8_t flags;          /* bit0 gnssFixOK */
	uint8_t num_sv;
	int32_t lon_e7, lat_e7; /* 1e-7 deg */
	int32_t height_mm, hmsl_mm;
	uint32_t hacc_mm, vacc_mm;
	int32_t vel_n_mms, vel_e_mms, vel_d_mms;
	int32_t gspeed_mms;
	int32_t head_mot_e5;    /* 1e-5 deg */
	uint32_t sacc_mms;
	uint32_t head_acc_e5;
	uint16_t pdop_e2;       /* 0.01 */
};

struct kt_ubx_vest_header {
	char vest_id[9];        /* NUL-terminated, trailing spaces removed */
	uint16_t firmware;      /* 0x0103 = 1.3 */
	uint32_t start_unix;
};

struct kt_ubx_imu_batch {
	uint32_t itow_ms;       /* GPS time of week of sample 0 */
	uint16_t rate_hz;
	uint8_t count;
	int16_t s[KT_UBX_IMU_MAX_COUNT][6]; /* ax, ay, az, gx, gy, gz in LSB */
};

/* Decoders take the whole frame as returned by kt_framer_push (checksum
 * already verified). They return 0 on success, -EBADMSG on wrong length,
 * -ERANGE on implausible values, -ENOENT for another class/id; *ret is
 * untouched on failure. */
int kt_ubx_decode_nav_pvt(const uint8_t *frame, size_t len, struct kt_ubx_nav_pvt *ret);
int kt_ubx_decode_vest_header(const uint8_t *frame, size_t len, struct kt_ubx_vest_header *ret);
int kt_ubx_decode_imu_batch(const uint8_t *frame, size_t len, struct kt_ubx_imu_batch *ret);

/* Encoders write a complete frame into out and return its length, or -1. */
int kt_ubx_encode_nav_pvt(const struct kt_ubx_nav_pvt *pvt, uint8_t *out, size_t out_size);
int kt_ubx_encode_vest_header(const struct kt_ubx_vest_header *h, uint8_t *out, size_t out_size);
int kt_ubx_encode_imu_batch(const struct kt_ubx_imu_batch *b, uint8_t *out, size_t out_size);

#endif
