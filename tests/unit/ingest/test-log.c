/* SPDX-License-Identifier: EUPL-1.2 */
/* The log reader: epoch assembly, IMU time base, file errors, streaming. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/kt-log.h"
#include "kt_nmea.h"
#include "kt_ubx.h"
#include "util/kt-sha256.h"
#include "util/kt-strutil.h"

static int failed;

#define CHECK(cond, ...)                                            \
	do {                                                        \
		if (!(cond)) {                                      \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);                        \
			printf("\n");                               \
			failed++;                                   \
		}                                                   \
	} while (0)

static char text[65536];
static size_t text_len;

static void
add(const char *body)
{
	int n = kt_nmea_encode(body, text + text_len, sizeof(text) - text_len);
	if (n < 0)
		abort();
	text_len += (size_t)n;
}

static void
add_bin(const uint8_t *p, size_t n)
{
	memcpy(text + text_len, p, n);
	text_len += n;
}

/* Feed text in chunks of `chunk` bytes (0: all at once). */
static struct kt_log_reader *
feed(size_t chunk)
{
	struct kt_log_reader *r;
	if (kt_log_reader_new(&r) < 0)
		abort();
	if (chunk == 0)
		chunk = text_len;
	for (size_t i = 0; i < text_len; i += chunk)
		kt_log_reader_feed(r, (const uint8_t *)text + i, text_len - i < chunk ? text_len - i : chunk);
	kt_log_reader_finish(r);
	return r;
}

static uint32_t
itow_of(int64_t unix_s)
{
	int64_t gps = unix_s - 315964800 + KT_GPS_LEAP_SECONDS;
	return (uint32_t)((gps % 604800) * 1000);
}

static void
test_nmea_epochs(void)
{
	int64_t t0 = kt_utc_to_unix(2026, 11, 24, 18, 30, 0);
	char body[200];

	text_len = 0;
	/* Samples before any fix: placed once the fix arrives. */
	snprintf(body, sizeof(body), "PKTI,%u,2048,-1024,0,164,-164,0", itow_of(t0) - 20);
	add(body);
	/* GGA before the first RMC: dated retroactively. */
	add("GPGGA,182959.90,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,");
	add("GPGGA,183000.00,4807.038,N,01131.000,E,2,09,0.8,545.4,M,46.9,M,,");
	add("GPRMC,183000.00,A,4807.038,N,01131.000,E,010.0,084.4,241126,,,D");
	add("GPVTG,084.4,T,,M,022.4,N,041.5,K,D");    /* RMC speed wins */
	add("GPGST,183000.00,1.2,2.0,1.0,45.0,0.6,0.8,1.5");
	add("GNGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1");
	add("GNGSA,A,3,71,72,,,,,,,,,,,2.5,1.3,2.1");
	/* Next epoch: RMC without speed, VTG gives it. */
	add("GPRMC,183000.10,A,4807.039,N,01131.001,E,,,241126,,,A");
	add("GPVTG,090.0,T,,M,,N,036.0,K,A");
	/* No fix epoch. */
	add("GPRMC,183000.20,V,,,,,,,241126,,,N");
	add("GPGGA,183000.20,,,,,0,00,,,M,,M,,");
	add("PKTH,VEST07,1.3,1795977000");
	snprintf(body, sizeof(body), "PKTI,%u,0,0,2048,0,0,0", itow_of(t0) + 100);
	add(body);
	/* A sentence going back in time is dropped. */
	add("GPRMC,183000.10,A,4807.039,N,01131.001,E,1.0,0.0,241126,,,A");
	/* Midnight without a date change in between (GGA only). */

	for (size_t chunk = 0; chunk <= 7; chunk += 7) {
		struct kt_log_reader *r = feed(chunk);
		size_t n, ni;
		const struct kt_fix *f = kt_log_reader_fixes(r, &n);
		const struct kt_imu_sample *s = kt_log_reader_imu(r, &ni);
		const struct kt_log_header *h = kt_log_reader_header(r);
		const struct kt_log_stats *st = kt_log_reader_stats(r);

		CHECK(n == 4, "chunk %zu: %zu fixes", chunk, n);
		if (n != 4) {
			kt_log_reader_free(r);
			continue;
		}
		CHECK(f[0].t_us == (t0 - 1) * 1000000 + 900000, "undated GGA dated: %lld", (long long)f[0].t_us);
		CHECK(f[0].quality == KT_FIX_3D && isnan(f[0].speed_mps) && f[0].num_sv == 8, "GGA-only epoch");
		CHECK(f[1].t_us == t0 * 1000000, "epoch time");
		CHECK(fabs(f[1].lat_deg - (48 + 7.038 / 60)) < 1e-12 && fabs(f[1].lon_deg - (11 + 31.0 / 60)) < 1e-12,
		      "position");
		CHECK(fabs(f[1].speed_mps - 10.0 * 1852 / 3600) < 1e-9, "RMC speed %f", f[1].speed_mps);
		CHECK(fabs(f[1].course_deg - 84.4) < 1e-9, "course");
		CHECK(f[1].quality == KT_FIX_DGPS, "GGA 2 = DGPS: %d", f[1].quality);
		CHECK(f[1].num_sv == 9 && fabs(f[1].hdop - 0.8) < 1e-12 && fabs(f[1].pdop - 2.5) < 1e-12,
		      "sv/dop");
		CHECK(fabs(f[1].hacc_m - 1.0) < 1e-12, "GST hacc %f", f[1].hacc_m);
		CHECK(fabs(f[1].alt_m - 545.4) < 1e-9 && isnan(f[1].sacc_mps), "alt, sacc unknown");
		CHECK(f[2].t_us == t0 * 1000000 + 100000 && fabs(f[2].speed_mps - 10.0) < 1e-9 &&
		      fabs(f[2].course_deg - 90) < 1e-9 && f[2].quality == KT_FIX_3D, "VTG speed %f", f[2].speed_mps);
		CHECK(f[3].quality == KT_FIX_NONE && isnan(f[3].lat_deg) && isnan(f[3].speed_mps) && f[3].num_sv == 0,
		      "no-fix epoch");
		CHECK(st->rejected[KT_REJECT_IMPLAUSIBLE] == 1, "backwards epoch counted: %llu",
		      (unsigned long long)st->rejected[KT_REJECT_IMPLAUSIBLE]);
		CHECK(st->frames_nmea == 15, "frames %llu", (unsigned long long)st->frames_nmea);
		CHECK(h->present && !strcmp(h->vest_id, "VEST07") && h->firmware == 0x0103 &&
		      h->start_unix == 1795977000u, "header");
		CHECK(ni == 2, "%zu IMU samples", ni);
		if (ni == 2) {
			CHECK(s[0].t_us == t0 * 1000000 - 20000, "IMU before first fix: %lld", (long long)s[0].t_us);
			CHECK(s[0].acc_g[0] == 1.0f && s[0].acc_g[1] == -0.5f && s[0].acc_g[2] == 0.0f, "acc in g");
			CHECK(fabsf(s[0].gyr_dps[0] - 10.0f) < 1e-4f && fabsf(s[0].gyr_dps[1] + 10.0f) < 1e-4f, "gyr dps");
			CHECK(s[1].t_us == t0 * 1000000 + 100000, "IMU time");
		}
		kt_log_reader_free(r);
	}
}

static void
test_ubx_epochs(void)
{
	int64_t t0 = kt_utc_to_unix(2026, 11, 24, 18, 30, 0);
	struct kt_ubx_nav_pvt p = { 0 };
	struct kt_ubx_vest_header h = { .vest_id = "V2", .firmware = 0x0201, .start_unix = (uint32_t)t0 - 60 };
	static struct kt_ubx_imu_batch b;
	uint8_t buf[4096];
	int n;

	text_len = 0;
	add_bin((const uint8_t *)"# a comment line first\n", 23);
	n = kt_ubx_encode_vest_header(&h, buf, sizeof(buf));
	add_bin(buf, (size_t)n);
	/* IMU batch right after the header: uses the header time as reference. */
	b.itow_ms = itow_of(t0) - 1000;
	b.rate_hz = 100;
	b.count = 3;
	b.s[1][2] = 4096;
	n = kt_ubx_encode_imu_batch(&b, buf, sizeof(buf));
	add_bin(buf, (size_t)n);
	add_bin((const uint8_t *)"\x00\x00\xff\xff", 4);   /* garbage between frames */
	p.itow_ms = itow_of(t0);
	p.year = 2026;
	p.month = 11;
	p.day = 24;
	p.hour = 18;
	p.min = 29;
	p.sec = 59;
	p.nano = 999000400;  /* 18:29:59.9990004 rounds to 18:29:59.999000 */
	p.valid = 0x07;
	p.fix_type = 3;
	p.flags = 0x01;
	p.num_sv = 17;
	p.lat_e7 = 523456789;
	p.lon_e7 = -12345678;
	p.gspeed_mms = 5432;
	p.head_mot_e5 = 18000000;
	p.hacc_mm = 1800;
	p.sacc_mms = 300;
	p.pdop_e2 = 145;
	p.hmsl_mm = 12345;
	n = kt_ubx_encode_nav_pvt(&p, buf, sizeof(buf));
	add_bin(buf, (size_t)n);
	p.sec = 0;
	p.min = 30;
	p.nano = -200000; /* negative nano: 18:30:00 - 0.2 ms */
	p.flags = 0;      /* gnssFixOK clear: no fix */
	n = kt_ubx_encode_nav_pvt(&p, buf, sizeof(buf));
	add_bin(buf, (size_t)n);
	p.sec = 1;
	p.nano = 0;
	p.flags = 0x01 | 0x80;  /* carrSoln fixed */
	n = kt_ubx_encode_nav_pvt(&p, buf, sizeof(buf));
	add_bin(buf, (size_t)n);
	/* valid bits clear: cannot be placed in time, skipped */
	p.sec = 2;
	p.valid = 0;
	n = kt_ubx_encode_nav_pvt(&p, buf, sizeof(buf));
	add_bin(buf, (size_t)n);

	for (size_t chunk = 0; chunk <= 5; chunk += 5) {
		struct kt_log_reader *r = feed(chunk);
		size_t nf, ni;
		const struct kt_fix *f = kt_log_reader_fixes(r, &nf);
		const struct kt_imu_sample *s = kt_log_reader_imu(r, &ni);
		const struct kt_log_stats *st = kt_log_reader_stats(r);

		CHECK(nf == 3, "%zu UBX fixes", nf);
		if (nf == 3) {
			CHECK(f[0].t_us == (t0 - 1) * 1000000 + 999000, "PVT time %lld", (long long)f[0].t_us);
			CHECK(fabs(f[0].lat_deg - 52.3456789) < 1e-12 && fabs(f[0].lon_deg + 1.2345678) < 1e-12, "PVT pos");
			CHECK(fabs(f[0].speed_mps - 5.432) < 1e-12 && fabs(f[0].course_deg - 180.0) < 1e-9 &&
			      fabs(f[0].hacc_m - 1.8) < 1e-12 && fabs(f[0].sacc_mps - 0.3) < 1e-12 &&
			      fabs(f[0].pdop - 1.45) < 1e-12 && f[0].num_sv == 17 && isnan(f[0].hdop) &&
			      fabs(f[0].alt_m - 12.345) < 1e-9, "PVT fields");
			CHECK(f[0].quality == KT_FIX_3D, "PVT quality %d", f[0].quality);
			CHECK(f[1].t_us == t0 * 1000000 - 200 && f[1].quality == KT_FIX_NONE, "negative nano, no fix");
			CHECK(f[2].quality == KT_FIX_RTK_FIXED, "RTK fixed");
		}
		CHECK(ni == 3, "%zu IMU samples", ni);
		if (ni == 3) {
			CHECK(s[0].t_us == (t0 - 1) * 1000000 && s[1].t_us == (t0 - 1) * 1000000 + 10000 &&
			      s[2].t_us == (t0 - 1) * 1000000 + 20000, "batch sample times");
			CHECK(s[1].acc_g[2] == 2.0f, "batch acc");
		}
		CHECK(st->rejected[KT_REJECT_GARBAGE_BYTES] == 4, "garbage %llu",
		      (unsigned long long)st->rejected[KT_REJECT_GARBAGE_BYTES]);
		CHECK(st->frames_ubx == 6, "UBX frames %llu", (unsigned long long)st->frames_ubx);
		kt_log_reader_free(r);
	}
}

static int
imu_sorted(const struct kt_imu_sample *s, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (s[i].t_us <= s[i - 1].t_us)
			return 0;
	return 1;
}

/* UBX IMU batches: every int16 value on every axis scales as raw / LSB
 * does, and every sample's time is that of kt_gps_itow_to_unix_us(), also
 * at a rate that does not divide 1 s and in batches that straddle the
 * half-week point where the week chosen for a time of week flips. */
static void
test_imu_batches(void)
{
	/* a GPS week start (Sunday 2026-11-22 00:00:00 GPS) as the reference */
	int64_t ref_s = kt_utc_to_unix(2026, 11, 22, 0, 0, 0) - 18;
	struct kt_ubx_vest_header h = { .vest_id = "V3", .firmware = 0x0201, .start_unix = (uint32_t)ref_s };
	static const struct { uint32_t itow_ms; uint16_t rate; } kind[] = {
		{ 3600000, 100 }, { 3610000, 7 }, { 302399900, 100 }, { 302399000, 3 },
	};
	static struct kt_ubx_imu_batch b;
	static uint8_t buf[4096];
	struct kt_log_reader *r;
	const struct kt_imu_sample *s;
	size_t ni, j = 0, bad_t = 0, bad_v = 0;
	int n;

	if (kt_log_reader_new(&r) < 0)
		abort();
	n = kt_ubx_encode_vest_header(&h, buf, sizeof(buf));
	kt_log_reader_feed(r, buf, (size_t)n);
	b.count = 255;
	for (int32_t raw0 = -32768; raw0 <= 32767; raw0 += b.count, j++) {
		/* later batches of a kind later in time, so times keep increasing per kind */
		b.itow_ms = kind[j % 4].itow_ms + (uint32_t)(j / 4) * 100;
		b.rate_hz = kind[j % 4].rate;
		for (unsigned i = 0; i < b.count; i++)
			for (unsigned k = 0; k < 6; k++)
				b.s[i][k] = (int16_t)(raw0 + (int32_t)i > 32767 ? 32767 : raw0 + (int32_t)i);
		n = kt_ubx_encode_imu_batch(&b, buf, sizeof(buf));
		if (n < 0)
			abort();
		kt_log_reader_feed(r, buf, (size_t)n);
	}
	kt_log_reader_finish(r);
	s = kt_log_reader_imu(r, &ni);
	CHECK(ni == j * b.count, "%zu IMU samples of %zu", ni, j * b.count);
	for (size_t q = 0; q < ni && q < j * b.count; q++) {
		size_t bj = q / b.count, i = q % b.count;
		int32_t v = -32768 + (int32_t)(bj * b.count + i);
		int64_t tow = (int64_t)(kind[bj % 4].itow_ms + (uint32_t)(bj / 4) * 100) * 1000 +
			      (int64_t)((uint32_t)i * 1000000u / kind[bj % 4].rate);
		int64_t t = kt_gps_itow_to_unix_us((uint32_t)(tow / 1000), ref_s * 1000000, KT_GPS_LEAP_SECONDS) +
			    tow % 1000;
		if (v > 32767)
			v = 32767;
		bad_t += s[q].t_us != t;
		for (int k = 0; k < 3; k++)
			bad_v += s[q].acc_g[k] != (float)(v / KT_IMU_ACC_LSB_PER_G) ||
				 s[q].gyr_dps[k] != (float)(v / KT_IMU_GYR_LSB_PER_DPS);
	}
	CHECK(bad_t == 0, "%zu IMU sample times differ from kt_gps_itow_to_unix_us()", bad_t);
	CHECK(bad_v == 0, "%zu IMU values differ from raw / LSB", bad_v);
	CHECK(kt_log_reader_imu_in_order(r) == (bool)imu_sorted(s, ni), "batches: order flag %d",
	      (int)kt_log_reader_imu_in_order(r));
	kt_log_reader_free(r);
}

/* kt_log_reader_imu_in_order() agrees with a look at the samples: $PKTI
 * before any time reference (resolved later), in order, repeated, going
 * back; fed whole and in small chunks. */
static void
test_imu_order(void)
{
	int64_t t0 = kt_utc_to_unix(2026, 11, 21, 14, 0, 0);
	static const int step_ms[][6] = {
		{ 10, 10, 10, 10, 10, 10 }, /* in order */
		{ 10, 10, 0, 10, 10, 10 },  /* a repeat after the reference */
		{ 10, 0, 10, 10, 10, 10 },  /* a repeat before it */
		{ 10, 10, 10, -20, 10, 10 }, /* back in time */
		{ 10, -5, 10, 10, 10, 10 },  /* back, before the reference */
	};
	char body[128];

	for (size_t c = 0; c < sizeof(step_ms) / sizeof(step_ms[0]); c++) {
		uint32_t itow = itow_of(t0) - 100;
		text_len = 0;
		for (int i = 0; i < 6; i++) {
			itow += (uint32_t)step_ms[c][i];
			snprintf(body, sizeof(body), "PKTI,%u,0,0,2048,0,0,0", itow);
			add(body);
			if (i == 2) {
				/* the first fix: the time reference from here on */
				add("GNRMC,140000.00,A,5157.58372,N,00737.19562,E,0.084,126.99,211126,,,A");
			}
		}
		for (size_t chunk = 0; chunk <= 7; chunk += 7) {
			struct kt_log_reader *r = feed(chunk);
			size_t n;
			const struct kt_imu_sample *s = kt_log_reader_imu(r, &n);
			CHECK(n == 6, "case %zu: %zu samples", c, n);
			CHECK(kt_log_reader_imu_in_order(r) == (bool)imu_sorted(s, n), "case %zu chunk %zu: in order %d",
			      c, chunk, (int)kt_log_reader_imu_in_order(r));
			CHECK(kt_log_reader_imu_in_order(r) == (c == 0), "case %zu: expected %s", c,
			      c == 0 ? "in order" : "out of order");
			kt_log_reader_free(r);
		}
	}
}

static void
test_itow(void)
{
	/* Sunday 2026-11-22 00:00:00 GPS is a week start; UTC = GPS - 18 s. */
	int64_t week_start_unix = kt_utc_to_unix(2026, 11, 22, 0, 0, 0) - 18;
	int64_t ref = week_start_unix * 1000000;
	CHECK(kt_gps_itow_to_unix_us(0, ref, 18) == ref, "week start");
	/* Reference just before the week start, sample just after. */
	CHECK(kt_gps_itow_to_unix_us(500, ref - 1000000, 18) == ref + 500000, "across week start");
	/* Reference just after, sample from the end of the previous week. */
	CHECK(kt_gps_itow_to_unix_us(604799500, ref + 1000000, 18) == ref - 500000, "back across week start");
	CHECK(kt_gps_itow_to_unix_us(3600000, ref + 3600 * 1000000LL, 18) == ref + 3600 * 1000000LL, "one hour in");
}

static void
test_files(void)
{
	char dir[] = "/tmp/kt-test-log-XXXXXX";
	char p[300];
	struct kt_log l;
	FILE *f;
	int r;

	if (!mkdtemp(dir))
		abort();
	snprintf(p, sizeof(p), "%s/missing.log", dir);
	CHECK(kt_log_read(p, &l) == -ENOENT, "missing");
	CHECK(kt_log_read(dir, &l) == -EISDIR, "directory");
	/* a device is refused (/dev/zero would be read forever); /dev/null
	 * because it ends: read, it would say "empty" */
	r = kt_log_read("/dev/null", &l);
	CHECK(r == -EINVAL, "device: %d", r);
	snprintf(p, sizeof(p), "%s/empty.log", dir);
	f = fopen(p, "w");
	fclose(f);
	CHECK(kt_log_read(p, &l) == -ENODATA, "empty");
	snprintf(p, sizeof(p), "%s/garbage.log", dir);
	f = fopen(p, "w");
	for (int i = 0; i < 100000; i++)
		fputc((i * 7919) & 0x7f ? 'x' : 0, f);
	fclose(f);
	r = kt_log_read(p, &l);
	CHECK(r == -EBADMSG, "garbage: %d", r);
	unlink(p);

	/* A real log: SHA-256 of the bytes, and the fixes. */
	text_len = 0;
	add("GPRMC,183000.00,A,4807.038,N,01131.000,E,010.0,084.4,241126,,,D");
	add("GPRMC,183001.00,A,4807.038,N,01131.000,E,010.0,084.4,241126,,,D");
	snprintf(p, sizeof(p), "%s/ok.log", dir);
	f = fopen(p, "w");
	fwrite(text, 1, text_len, f);
	fclose(f);
	r = kt_log_read(p, &l);
	CHECK(r == 0 && l.n_fixes == 2 && !strcmp(l.path, p), "ok log: %d", r);
	if (r == 0) {
		struct kt_sha256 c;
		uint8_t d[32];
		kt_sha256_init(&c);
		kt_sha256_update(&c, text, text_len);
		kt_sha256_final(&c, d);
		CHECK(!memcmp(d, l.sha256, 32), "sha256");
		kt_log_clear(&l);
	}
	unlink(p);
	snprintf(p, sizeof(p), "%s/empty.log", dir);
	unlink(p);
	rmdir(dir);
}

int
main(void)
{
	test_nmea_epochs();
	test_ubx_epochs();
	test_imu_batches();
	test_imu_order();
	test_itow();
	test_files();
	printf("%s: %d failed\n", failed ? "FAIL" : "PASS", failed);
	return failed ? 1 : 0;
}
