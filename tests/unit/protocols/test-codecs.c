/* SPDX-License-Identifier: EUPL-1.2 */
/* NMEA field decoding (table-driven) and UBX encode/decode round trips. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_frame.h"
#include "kt_nmea.h"
#include "kt_ubx.h"

static int failed;

#define CHECK(cond, ...)                                  \
	do {                                              \
		if (!(cond)) {                            \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);              \
			printf("\n");                     \
			failed++;                         \
		}                                         \
	} while (0)

static int
near(double a, double b, double eps)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return fabs(a - b) <= eps;
}

/* Build "$body*hh" and decode it. */
static int
decode(const char *body, struct kt_nmea_sentence *s)
{
	char line[300];
	int n = kt_nmea_encode(body, line, sizeof(line));
	if (n < 0)
		return -100;
	line[n - 2] = 0; /* drop CR LF, as the framer does */
	return kt_nmea_decode(line, (size_t)n - 2, s);
}

struct err_row {
	const char *body;
	int expect;
};

static const struct err_row err_rows[] = {
	{ "GPXYZ,1,2", -ENOENT },
	{ "PGRME,1,M,2,M,3,M", -ENOENT },
	{ "GPRMC,1234x6.00,A,4807.038,N,01131.000,E,0.1,0.0,230394,,,A", -EBADMSG },
	{ "GPRMC,253519.00,A,4807.038,N,01131.000,E,0.1,0.0,230394,,,A", -ERANGE },
	{ "GPRMC,123519.00,A,9107.038,N,01131.000,E,0.1,0.0,230394,,,A", -ERANGE },
	{ "GPRMC,123519.00,A,4860.038,N,01131.000,E,0.1,0.0,230394,,,A", -ERANGE },
	{ "GPRMC,123519.00,A,4807.038,X,01131.000,E,0.1,0.0,230394,,,A", -EBADMSG },
	{ "GPRMC,123519.00,A,4807.038,N,01131.000,E,0.1,0.0,231394,,,A", -ERANGE },
	{ "GPRMC,123519.00,A,4807.038,N,01131.000,E,-0.1,0.0,230394,,,A", -ERANGE },
	{ "GPRMC,123519.00,A,4807.0.38,N,01131.000,E,0.1,0.0,230394,,,A", -EBADMSG },
	{ "GPRMC,123519.00,Q,4807.038,N,01131.000,E,0.1,0.0,230394,,,A", -EBADMSG },
	{ "GPGGA,123519.00,4807.038,N,01131.000,E,1,08,abc,545.4,M,46.9,M,,", -EBADMSG },
	{ "PKTI,604800000,1,2,3,4,5,6", -ERANGE },
	{ "PKTI,1000,1,2,3,4,5,40000", -ERANGE },
	{ "PKTI,1000,1,2,3,4,5", -EBADMSG },
	{ "PKTH,,1.3,1764000000", -EBADMSG },
	{ "PKTH,VEST07,13,1764000000", -EBADMSG },
};

static void
test_nmea(void)
{
	struct kt_nmea_sentence s;
	int r;

	r = decode("GPRMC,123519.00,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W,A", &s);
	CHECK(r == 0 && s.type == KT_NMEA_RMC, "RMC r=%d", r);
	CHECK(!strcmp(s.talker, "GP"), "talker %s", s.talker);
	CHECK(s.u.rmc.time.hour == 12 && s.u.rmc.time.min == 35 && s.u.rmc.time.sec == 19 &&
	      s.u.rmc.time.usec == 0, "RMC time");
	CHECK(s.u.rmc.date.year == 1994 && s.u.rmc.date.mon == 3 && s.u.rmc.date.day == 23, "RMC date");
	CHECK(near(s.u.rmc.lat_deg, 48 + 7.038 / 60, 1e-12), "lat %.12f", s.u.rmc.lat_deg);
	CHECK(near(s.u.rmc.lon_deg, 11 + 31.0 / 60, 1e-12), "lon %.12f", s.u.rmc.lon_deg);
	CHECK(near(s.u.rmc.speed_knots, 22.4, 1e-12) && near(s.u.rmc.course_deg, 84.4, 1e-12), "RMC speed");
	CHECK(s.u.rmc.status == 'A' && s.u.rmc.mode == 'A', "RMC status/mode");

	/* Full precision: 7 decimals of minutes -> better than 1e-9 deg, and
	 * southern/western hemispheres are negative. */
	r = decode("GNRMC,000000.125,A,3351.1234567,S,15112.7654321,W,0.000,,010126,,,D", &s);
	CHECK(r == 0, "precise RMC r=%d", r);
	CHECK(near(s.u.rmc.lat_deg, -(33 + 51.1234567 / 60), 1e-10), "lat %.12f", s.u.rmc.lat_deg);
	CHECK(near(s.u.rmc.lon_deg, -(151 + 12.7654321 / 60), 1e-10), "lon %.12f", s.u.rmc.lon_deg);
	CHECK(s.u.rmc.time.usec == 125000, "usec %d", (int)s.u.rmc.time.usec);
	CHECK(s.u.rmc.date.year == 2026, "year %d", s.u.rmc.date.year);
	CHECK(isnan(s.u.rmc.course_deg), "empty course must be NaN");
	CHECK(s.u.rmc.speed_knots == 0.0, "speed 0.000 is a real zero");

	/* Empty fields are unknown, never 0 (also: NMEA 2.2 without mode). */
	r = decode("GPRMC,123520.00,V,,,,,,,230394,,", &s);
	CHECK(r == 0 && isnan(s.u.rmc.lat_deg) && isnan(s.u.rmc.lon_deg) && isnan(s.u.rmc.speed_knots) &&
	      s.u.rmc.status == 'V' && s.u.rmc.mode == 0, "empty RMC r=%d", r);
	r = decode("GPRMC,,V,,,,,,,,,,N", &s);
	CHECK(r == 0 && s.u.rmc.time.hour == -1 && s.u.rmc.date.year == -1, "no time/date r=%d", r);
	r = decode("GPGGA,123520.00,,,,,0,,,,,,,,", &s);
	CHECK(r == 0 && s.type == KT_NMEA_GGA && s.u.gga.quality == 0 && s.u.gga.num_sv == -1 &&
	      isnan(s.u.gga.hdop) && isnan(s.u.gga.alt_m) && isnan(s.u.gga.lat_deg), "empty GGA r=%d", r);
	r = decode("GPGGA,123520.00,,,,,,,,,,,,,", &s);
	CHECK(r == 0 && s.u.gga.quality == -1, "GGA without quality: -1");

	r = decode("GNGGA,123519.00,4807.038,N,01131.000,E,4,12,0.9,545.4,M,46.9,M,,", &s);
	CHECK(r == 0 && !strcmp(s.talker, "GN") && s.u.gga.quality == 4 && s.u.gga.num_sv == 12 &&
	      near(s.u.gga.hdop, 0.9, 1e-12) && near(s.u.gga.alt_m, 545.4, 1e-9), "GGA r=%d", r);

	r = decode("GPVTG,084.4,T,,M,022.4,N,041.5,K,A", &s);
	CHECK(r == 0 && s.type == KT_NMEA_VTG && near(s.u.vtg.course_true_deg, 84.4, 1e-12) &&
	      near(s.u.vtg.speed_knots, 22.4, 1e-12) && near(s.u.vtg.speed_kmh, 41.5, 1e-12) &&
	      s.u.vtg.mode == 'A', "VTG r=%d", r);
	r = decode("GPVTG,,T,,M,,N,,K,N", &s);
	CHECK(r == 0 && isnan(s.u.vtg.speed_kmh) && isnan(s.u.vtg.course_true_deg), "empty VTG");
	r = decode("GPVTG,054.7,034.4,005.5,010.2", &s);  /* NMEA 2.0 form */
	CHECK(r == 0 && near(s.u.vtg.speed_kmh, 10.2, 1e-12) && near(s.u.vtg.course_true_deg, 54.7, 1e-12),
	      "old VTG r=%d", r);

	r = decode("GPGST,123519.00,1.2,2.0,1.0,45.0,0.6,0.8,1.5", &s);
	CHECK(r == 0 && s.type == KT_NMEA_GST && near(s.u.gst.lat_err_m, 0.6, 1e-12) &&
	      near(s.u.gst.lon_err_m, 0.8, 1e-12) && near(s.u.gst.alt_err_m, 1.5, 1e-12), "GST r=%d", r);

	r = decode("GNGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1", &s);
	CHECK(r == 0 && s.type == KT_NMEA_GSA && s.u.gsa.sel_mode == 'A' && s.u.gsa.fix_mode == 3 &&
	      s.u.gsa.n_sats == 5 && near(s.u.gsa.pdop, 2.5, 1e-12) && near(s.u.gsa.hdop, 1.3, 1e-12) &&
	      near(s.u.gsa.vdop, 2.1, 1e-12), "GSA r=%d", r);
	r = decode("GNGSA,A,3,80,71,73,79,69,,,,,,,,1.83,1.09,1.47,2", &s);  /* NMEA 4.10 system id */
	CHECK(r == 0 && near(s.u.gsa.pdop, 1.83, 1e-12), "GSA 4.10 r=%d", r);

	/* Any talker. */
	{
		static const char *const talkers[] = { "GP", "GN", "GL", "GA", "GB", "BD", "QZ", "GI" };
		for (size_t i = 0; i < sizeof(talkers) / sizeof(talkers[0]); i++) {
			char body[128];
			snprintf(body, sizeof(body), "%sGGA,123519.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,",
				 talkers[i]);
			r = decode(body, &s);
			CHECK(r == 0 && s.type == KT_NMEA_GGA && !strcmp(s.talker, talkers[i]), "talker %s", talkers[i]);
		}
	}

	r = decode("PKTH,VEST07,1.3,1764000000", &s);
	CHECK(r == 0 && s.type == KT_NMEA_PKTH && !strcmp(s.u.pkth.vest_id, "VEST07") &&
	      s.u.pkth.firmware == 0x0103 && s.u.pkth.start_unix == 1764000000u, "PKTH r=%d", r);
	r = decode("PKTI,388800000,-12,34,2048,-1,0,164", &s);
	CHECK(r == 0 && s.type == KT_NMEA_PKTI && s.u.pkti.itow_ms == 388800000u && s.u.pkti.acc[0] == -12 &&
	      s.u.pkti.acc[1] == 34 && s.u.pkti.acc[2] == 2048 && s.u.pkti.gyr[0] == -1 && s.u.pkti.gyr[1] == 0 &&
	      s.u.pkti.gyr[2] == 164, "PKTI r=%d", r);
	r = decode("PKTI,0,-32768,32767,0,0,0,0", &s);
	CHECK(r == 0 && s.u.pkti.acc[0] == -32768 && s.u.pkti.acc[1] == 32767, "PKTI limits r=%d", r);

	/* Errors leave *ret untouched. */
	for (size_t i = 0; i < sizeof(err_rows) / sizeof(err_rows[0]); i++) {
		memset(&s, 0x5a, sizeof(s));
		r = decode(err_rows[i].body, &s);
		CHECK(r == err_rows[i].expect, "'%s': %d, expected %d", err_rows[i].body, r, err_rows[i].expect);
		CHECK(((unsigned char *)&s)[0] == 0x5a && ((unsigned char *)&s)[sizeof(s) - 1] == 0x5a,
		      "'%s' touched *ret", err_rows[i].body);
	}
}

static void
test_ubx(void)
{
	uint8_t buf[4096];
	struct kt_ubx_nav_pvt p = { 0 }, q;
	struct kt_ubx_vest_header h = { .vest_id = "VEST07", .firmware = 0x0103, .start_unix = 1764000000u }, h2;
	static struct kt_ubx_imu_batch b, b2;
	int n, r;

	p.itow_ms = 388800000;
	p.year = 2026;
	p.month = 11;
	p.day = 24;
	p.hour = 18;
	p.min = 30;
	p.sec = 0;
	p.valid = 0x07;
	p.nano = -123456;
	p.fix_type = 3;
	p.flags = 0x01;
	p.num_sv = 14;
	p.lon_e7 = -1512345678;
	p.lat_e7 = 523456789;
	p.hmsl_mm = 45000;
	p.hacc_mm = 1500;
	p.gspeed_mms = 7123;
	p.head_mot_e5 = 27012345;
	p.sacc_mms = 250;
	p.pdop_e2 = 123;
	n = kt_ubx_encode_nav_pvt(&p, buf, sizeof(buf));
	CHECK(n == 100, "NAV-PVT frame length %d", n);
	r = kt_ubx_decode_nav_pvt(buf, (size_t)n, &q);
	CHECK(r == 0, "NAV-PVT decode %d", r);
	CHECK(q.itow_ms == p.itow_ms && q.year == 2026 && q.nano == -123456 && q.lon_e7 == p.lon_e7 &&
	      q.lat_e7 == p.lat_e7 && q.gspeed_mms == 7123 && q.head_mot_e5 == p.head_mot_e5 &&
	      q.hacc_mm == 1500 && q.sacc_mms == 250 && q.pdop_e2 == 123 && q.num_sv == 14 &&
	      q.fix_type == 3 && q.flags == 1 && q.hmsl_mm == 45000, "NAV-PVT round trip");
	/* The frame goes through the framer too. */
	{
		struct kt_framer f;
		enum kt_frame_type t;
		const uint8_t *fr;
		size_t fl;
		kt_framer_init(&f);
		kt_framer_push(&f, buf, (size_t)n, &t, &fr, &fl);
		CHECK(t == KT_FRAME_UBX && fl == (size_t)n, "framer on NAV-PVT");
	}
	/* u-blox 7: 84-byte payload accepted. */
	{
		uint8_t v7[200];
		int m = kt_ubx_encode(KT_UBX_CLASS_NAV, KT_UBX_ID_NAV_PVT, buf + 6, 84, v7, sizeof(v7));
		r = kt_ubx_decode_nav_pvt(v7, (size_t)m, &q);
		CHECK(r == 0 && q.lat_e7 == p.lat_e7, "84-byte NAV-PVT %d", r);
		m = kt_ubx_encode(KT_UBX_CLASS_NAV, KT_UBX_ID_NAV_PVT, buf + 6, 80, v7, sizeof(v7));
		r = kt_ubx_decode_nav_pvt(v7, (size_t)m, &q);
		CHECK(r == -EBADMSG, "80-byte NAV-PVT %d", r);
	}
	r = kt_ubx_decode_vest_header(buf, (size_t)n, &h2);
	CHECK(r == -ENOENT, "wrong class/id %d", r);
	p.lat_e7 = 910000000;
	n = kt_ubx_encode_nav_pvt(&p, buf, sizeof(buf));
	memset(&q, 0x5a, sizeof(q));
	r = kt_ubx_decode_nav_pvt(buf, (size_t)n, &q);
	CHECK(r == -ERANGE && ((uint8_t *)&q)[0] == 0x5a, "implausible lat %d", r);
	CHECK(kt_ubx_encode_nav_pvt(&p, buf, 99) == -1, "short buffer");

	n = kt_ubx_encode_vest_header(&h, buf, sizeof(buf));
	CHECK(n == 22, "header length %d", n);
	CHECK(!memcmp(buf + 6, "VEST07  ", 8), "space padding");
	r = kt_ubx_decode_vest_header(buf, (size_t)n, &h2);
	CHECK(r == 0 && !strcmp(h2.vest_id, "VEST07") && h2.firmware == 0x0103 && h2.start_unix == 1764000000u,
	      "header round trip %d", r);

	b.itow_ms = 388800000;
	b.rate_hz = 100;
	b.count = 255;
	for (int i = 0; i < 255; i++)
		for (int k = 0; k < 6; k++)
			b.s[i][k] = (int16_t)(i * 97 - k * 5000 - 12000);
	n = kt_ubx_encode_imu_batch(&b, buf, sizeof(buf));
	CHECK(n == 8 + 8 + 255 * 12, "IMU batch length %d", n);
	r = kt_ubx_decode_imu_batch(buf, (size_t)n, &b2);
	CHECK(r == 0 && b2.itow_ms == b.itow_ms && b2.rate_hz == 100 && b2.count == 255 &&
	      !memcmp(b2.s, b.s, sizeof(b.s)), "IMU round trip %d", r);
	{
		/* The biggest batch still passes the framer. */
		struct kt_framer f;
		enum kt_frame_type t;
		const uint8_t *fr;
		size_t fl;
		kt_framer_init(&f);
		kt_framer_push(&f, buf, (size_t)n, &t, &fr, &fl);
		CHECK(t == KT_FRAME_UBX && fl == (size_t)n, "framer on full IMU batch");
	}
	/* count disagreeing with the length */
	buf[6 + 6] = 10;
	kt_ubx_checksum(buf + 2, (size_t)n - 4, &buf[n - 2], &buf[n - 1]);
	CHECK(kt_ubx_decode_imu_batch(buf, (size_t)n, &b2) == -EBADMSG, "count/length mismatch");
	b.rate_hz = 0;
	b.count = 1;
	n = kt_ubx_encode_imu_batch(&b, buf, sizeof(buf));
	CHECK(kt_ubx_decode_imu_batch(buf, (size_t)n, &b2) == -ERANGE, "rate 0");
}

/* ---- $PKTI against a reference reading of nmea.md ---- */

/* The digits at p (at most max of them counted), their value in *v. */
static size_t
ref_digits(const char *p, const char *end, size_t max, unsigned long long *v)
{
	size_t n = 0;
	*v = 0;
	while (p + n < end && n < max && p[n] >= '0' && p[n] <= '9')
		*v = *v * 10 + (unsigned)(p[n++] - '0');
	return n;
}

/* $PKTI,<time ms: 1..9 digits, < 604800000>,<6 x [-]1..7 digits, in int16>*hh,
 * failing at the first bad field: a field that is malformed or not ended
 * by ',' (the last by '*') is -EBADMSG, a value out of range -ERANGE. */
static int
ref_pkti(const char *s, size_t len, uint32_t *itow, int16_t val[6])
{
	const char *p = s + 6, *end = s + len - 3;
	unsigned long long v;
	size_t n = ref_digits(p, end, 10, &v);

	if (n == 0 || n > 9 || *(p + n) != ',')
		return -EBADMSG;
	if (v >= 604800000u)
		return -ERANGE;
	*itow = (uint32_t)v;
	p += n + 1;
	for (int k = 0; k < 6; k++) {
		int neg = p < end && *p == '-';
		p += neg;
		n = ref_digits(p, end, 8, &v);
		if (n == 0 || n > 7)
			return -EBADMSG;
		p += n;
		if (k < 5 ? (p >= end || *p != ',') : p != end)
			return -EBADMSG;
		if (v > 32767u + (unsigned)neg)
			return -ERANGE;
		val[k] = (int16_t)(neg ? -(long long)v : (long long)v);
		p++;
	}
	return 0;
}

/* Random $PKTI sentences, well formed and broken in every way (characters
 * replaced, dropped, doubled; long, empty, signed and zero-padded values),
 * each in a buffer of exactly its length: kt_nmea_decode() gives what the
 * reference gives. */
static void
test_pkti_random(void)
{
	static const char alphabet[] = "0123456789-,*+ .A";
	unsigned long long x = 0x9E3779B97F4A7C15ull;
	long bad = 0, ok = 0;

	for (long c = 0; c < 300000; c++) {
		char body[200], line[256];
		size_t bl = 0;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
		bl += (size_t)snprintf(body + bl, sizeof(body) - bl, "PKTI,");
		{
			static const char *const itows[] = { "568818030", "0", "604799999", "604800000", "12345678",
							     "1234567890", "", "0000000001", "99999999" };
			unsigned r = (unsigned)(RND() % 12);
			if (r < 9)
				bl += (size_t)snprintf(body + bl, sizeof(body) - bl, "%s", itows[r]);
			else
				bl += (size_t)snprintf(body + bl, sizeof(body) - bl, "%u", (unsigned)(RND() % 604800000u));
		}
		for (int k = 0; k < 6; k++) {
			unsigned r = (unsigned)(RND() % 16);
			long v = (long)(RND() % 70000) - 35000;
			if (r < 8)
				v = (long)(RND() % 4096) - 2048;
			if (r == 8)
				bl += (size_t)snprintf(body + bl, sizeof(body) - bl, ",%05ld", labs(v) % 100);
			else if (r == 9)
				bl += (size_t)snprintf(body + bl, sizeof(body) - bl, ",-0");
			else if (r == 10)
				bl += (size_t)snprintf(body + bl, sizeof(body) - bl, ",%s", k % 2 ? "-32768" : "32767");
			else
				bl += (size_t)snprintf(body + bl, sizeof(body) - bl, ",%ld", v);
		}
		/* break some */
		if (RND() % 3 == 0) {
			unsigned edits = 1 + (unsigned)(RND() % 3);
			for (unsigned e = 0; e < edits && bl > 6; e++) {
				size_t at = 5 + (size_t)(RND() % (bl - 5));
				unsigned op = (unsigned)(RND() % 3);
				char ch = alphabet[RND() % (sizeof(alphabet) - 1)];
				if (op == 0)
					body[at] = ch;
				else if (op == 1) {
					memmove(body + at, body + at + 1, bl - at - 1);
					bl--;
				} else if (bl + 1 < sizeof(body)) {
					memmove(body + at + 1, body + at, bl - at);
					body[at] = ch;
					bl++;
				}
			}
		}
#undef RND
		body[bl] = 0;
		int n = snprintf(line, sizeof(line), "$%s*00", body);
		if (n < 0 || (size_t)n >= sizeof(line))
			continue;
		/* the checksum is not checked by the decoder; the framer did that */
		char *exact = malloc((size_t)n);
		if (!exact)
			abort();
		memcpy(exact, line, (size_t)n);
		struct kt_nmea_sentence sen;
		uint32_t itow = 0;
		int16_t val[6] = { 0 };
		int r = kt_nmea_decode(exact, (size_t)n, &sen);
		int want = (bl >= 5 && !memcmp(body, "PKTI,", 5)) ? ref_pkti(line, (size_t)n, &itow, val) : r;
		free(exact);
		if (memcmp(body, "PKTI,", 5))
			continue; /* an edit hit the address field: another sentence type */
		int same = r == want;
		if (same && r == 0)
			same = sen.type == KT_NMEA_PKTI && sen.u.pkti.itow_ms == itow &&
			       !memcmp(sen.u.pkti.acc, val, sizeof(sen.u.pkti.acc)) &&
			       !memcmp(sen.u.pkti.gyr, val + 3, sizeof(sen.u.pkti.gyr));
		ok += r == 0;
		if (!same && bad++ < 5)
			printf("FAIL PKTI '%s': %d, reference %d\n", line, r, want);
	}
	CHECK(bad == 0, "%ld random $PKTI decoded unlike the reference", bad);
	CHECK(ok > 100000, "only %ld random $PKTI valid", ok);
}

/* ---- GST numbers against strtod() ---- */

/* Random "[-]digits[.digits]" of at most 15 digits in the seven number
 * fields of $GNGST, some empty: each decodes to what strtod() reads
 * (both are the correctly rounded value: the mantissa and the power of
 * ten are exact doubles then), an empty field to NaN, and a negative
 * error ellipse axis, which the decoder rejects, to -ERANGE. Short and
 * long numbers, with and without '.', so both the one-word and the
 * longer path of the number reader are taken. */
static void
test_gst_numbers_random(void)
{
	unsigned long long x = 0x2545F4914F6CDD1Dull;
	long bad = 0, ok = 0;

	for (long c = 0; c < 200000; c++) {
		char body[300], field[7][24];
		double want[7];
		size_t bl;
		int neg_err = 0;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
		bl = (size_t)snprintf(body, sizeof(body), "GNGST,140000.10");
		for (int k = 0; k < 7; k++) {
			char *f = field[k];
			size_t n = 0;
			unsigned ni = (unsigned)(RND() % 9), nf = (unsigned)(RND() % 8);
			if (RND() % 4 == 0)
				ni = (unsigned)(RND() % 16);
			if (ni + nf > 15)
				nf = 15 - ni;
			if (RND() % 10 == 0) {
				f[0] = 0; /* empty */
				want[k] = NAN;
			} else {
				if (RND() % 6 == 0)
					f[n++] = '-';
				for (unsigned i = 0; i < ni; i++)
					f[n++] = (char)('0' + RND() % 10);
				if (nf > 0 || ni == 0) {
					f[n++] = '.';
					if (ni == 0 && nf == 0)
						nf = 1;
				}
				for (unsigned i = 0; i < nf; i++)
					f[n++] = (char)('0' + RND() % 10);
				f[n] = 0;
				want[k] = strtod(f, NULL);
				if ((k == 4 || k == 5) && want[k] < 0)
					neg_err = 1;
			}
			bl += (size_t)snprintf(body + bl, sizeof(body) - bl, ",%s", f);
		}
#undef RND
		struct kt_nmea_sentence s;
		int r = decode(body, &s);
		int same;
		if (neg_err)
			same = r == -ERANGE;
		else {
			const double got[7] = { s.u.gst.rms, s.u.gst.smaj_m, s.u.gst.smin_m, s.u.gst.orient_deg,
						s.u.gst.lat_err_m, s.u.gst.lon_err_m, s.u.gst.alt_err_m };
			same = r == 0 && s.type == KT_NMEA_GST;
			for (int k = 0; k < 7 && same; k++)
				same = isnan(want[k]) ? isnan(got[k]) : got[k] == want[k];
			ok += same;
		}
		if (!same && bad++ < 5)
			printf("FAIL GST '%s': %d\n", body, r);
	}
	CHECK(bad == 0, "%ld random GST sentences decoded unlike strtod()", bad);
	CHECK(ok > 100000, "only %ld random GST sentences valid", ok);
}

int
main(void)
{
	test_nmea();
	test_ubx();
	test_pkti_random();
	test_gst_numbers_random();
	printf("%s: %d failed\n", failed ? "FAIL" : "PASS", failed);
	return failed ? 1 : 0;
}
