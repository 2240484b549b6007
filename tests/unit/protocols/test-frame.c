/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Table-driven framer tests (gpsd tests/test_packet.c shape). Each row is fed
 * in one push, byte by byte, and split into two pushes at every offset; all
 * ways must give the same frames and the same reject counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_frame.h"

#define RMC "$GPRMC,123519.00,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W,A*29"
#define GGA "$GNGGA,123519.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*77"
#define VTG "$GPVTG,084.4,T,,M,022.4,N,041.5,K,A*01"
#define XYZ "$GPXYZ,1,2*4F"
#define UBX_A "\xb5\x62\x01\x02\x04\x00\x01\x02\x03\x04\x11\x42"
#define UBX_A_LEN 12
#define UBX_HDR "\xb5\x62\xf1\x00\x0e\x00\x56\x45\x53\x54\x30\x37\x20\x20\x03\x01\x00\x81\x24\x69\xfa\x81"
#define UBX_HDR_LEN 22
#define UBX_EMPTY "\xb5\x62\x01\x35\x00\x00\x36\xa3"

struct row {
	const char *name;
	const char *in;
	size_t in_len;          /* 0: strlen(in) */
	const char *frames[4];  /* expected frames; NMEA as text, UBX as "ubx:<len>" */
	long rej[_KT_REJECT_MAX]; /* expected counts; -1 = don't check */
};

#define NOREJ { 0, 0, 0, 0, 0, 0, 0 }

static const struct row rows[] = {
	{ "plain sentence", RMC "\r\n", sizeof(RMC "\r\n") - 1,
	  { RMC }, NOREJ },
	{ "LF only", GGA "\n", sizeof(GGA "\n") - 1,
	  { GGA }, NOREJ },
	{ "three sentences", RMC "\r\n" GGA "\r\n" VTG "\r\n", sizeof(RMC "\r\n" GGA "\r\n" VTG "\r\n") - 1,
	  { RMC, GGA, VTG }, NOREJ },
	{ "lowercase checksum", "$GPVTG,084.4,T,,M,022.4,N,041.5,K,A*0a\r\n$GPXYZ,1,2*4f\r\n", sizeof("$GPVTG,084.4,T,,M,022.4,N,041.5,K,A*0a\r\n$GPXYZ,1,2*4f\r\n") - 1,
	  { "$GPXYZ,1,2*4f" }, { 1, 0, 0, 0, 0, 0, 0 } },
	{ "unknown sentence is a frame", XYZ "\r\n", sizeof(XYZ "\r\n") - 1,
	  { XYZ }, NOREJ },
	{ "garbage before", "\x00\xff\xff junk" RMC "\r\n", sizeof("\x00\xff\xff junk" RMC "\r\n") - 1,
	  { RMC }, { 0, 0, 0, 0, 0, 0, 8 } },
	{ "wrong checksum", "$GPXYZ,1,2*4E\r\n" GGA "\r\n", sizeof("$GPXYZ,1,2*4E\r\n" GGA "\r\n") - 1,
	  { GGA }, { 1, 0, 0, 0, 0, 0, 0 } },
	{ "bit flip", "$GPXYZ,1,3*4F\r\n" XYZ "\r\n", sizeof("$GPXYZ,1,3*4F\r\n" XYZ "\r\n") - 1,
	  { XYZ }, { 1, 0, 0, 0, 0, 0, 0 } },
	{ "truncated by next sentence", "$GNGGA,123519.00,4807.0" RMC "\r\n", sizeof("$GNGGA,123519.00,4807.0" RMC "\r\n") - 1,
	  { RMC },
	  { 0, 1, 0, 0, 0, 0, 0 } },
	{ "truncated at end", RMC "\r\n$GNGGA,123519", sizeof(RMC "\r\n$GNGGA,123519") - 1,
	  { RMC }, { 0, 1, 0, 0, 0, 0, 0 } },
	{ "missing checksum", "$GPXYZ,1,2\r\n" XYZ "\r\n", sizeof("$GPXYZ,1,2\r\n" XYZ "\r\n") - 1,
	  { XYZ }, { 0, 0, 0, 1, 0, 0, 0 } },
	{ "bad hex digit", "$GPXYZ,1,2*4G\r\n" XYZ "\r\n", sizeof("$GPXYZ,1,2*4G\r\n" XYZ "\r\n") - 1,
	  { XYZ }, { 0, 0, 0, 1, 0, 0, 0 } },
	{ "binary inside sentence", "$GPXYZ,1\x01,2*4F\r\n" XYZ "\r\n", sizeof("$GPXYZ,1\x01,2*4F\r\n" XYZ "\r\n") - 1,
	  { XYZ },
	  { 0, 0, 0, 1, 0, 0, -1 } },
	{ "comment lines", "# Name: test\n# $GPRMC in a comment\r\n" XYZ "\r\n#x\n", sizeof("# Name: test\n# $GPRMC in a comment\r\n" XYZ "\r\n#x\n") - 1,
	  { XYZ }, NOREJ },
	{ "hash not at line start is garbage", "ab#c\n" XYZ "\r\n", sizeof("ab#c\n" XYZ "\r\n") - 1,
	  { XYZ }, { 0, 0, 0, 0, 0, 0, 4 } },
	{ "ubx frame", UBX_A, sizeof(UBX_A) - 1,
	  { "ubx:12" }, NOREJ },
	{ "ubx empty payload", UBX_EMPTY, sizeof(UBX_EMPTY) - 1,
	  { "ubx:8" }, NOREJ },
	{ "ubx after comment", "# binary log\n" UBX_HDR, sizeof("# binary log\n" UBX_HDR) - 1,
	  { "ubx:22" }, NOREJ },
	{ "ubx bad checksum", "\xb5\x62\x01\x02\x04\x00\x01\x02\x03\x04\x11\x43" UBX_A, sizeof("\xb5\x62\x01\x02\x04\x00\x01\x02\x03\x04\x11\x43" UBX_A) - 1,
	  { "ubx:12" },
	  { 1, 0, 0, 0, 0, 0, -1 } },
	{ "ubx truncated by next", "\xb5\x62\x01\x02\x04\x00\x01\x02" UBX_A, sizeof("\xb5\x62\x01\x02\x04\x00\x01\x02" UBX_A) - 1,
	  { "ubx:12" },
	  { -1, -1, 0, 0, 0, 0, -1 } },
	{ "ubx truncated at end", UBX_A "\xb5\x62\x01\x02\x04\x00\x01", sizeof(UBX_A "\xb5\x62\x01\x02\x04\x00\x01") - 1,
	  { "ubx:12" },
	  { 0, 1, 0, 0, 0, 0, 0 } }, /* one cut frame, its bytes not garbage too */
	/* a vest whose battery died in the middle of a frame whose payload
	 * holds a '$', a sync byte and a sync pair: still just one cut frame */
	{ "ubx cut by end, starts in its payload", UBX_A "\xb5\x62\xf1\x01\x40\x00\x24\x47\xb5\x00\xb5\x62\x01\x07\x24",
	  sizeof(UBX_A "\xb5\x62\xf1\x01\x40\x00\x24\x47\xb5\x00\xb5\x62\x01\x07\x24") - 1,
	  { "ubx:12" }, { 0, 1, 0, 0, 0, 0, 0 } },
	/* a false sync pair before real frames at the end: those are found,
	 * and the bytes before them are garbage */
	{ "false sync before frames at end", "\xb5\x62\x01\x02\xf0\x00\x55" UBX_A XYZ,
	  sizeof("\xb5\x62\x01\x02\xf0\x00\x55" UBX_A XYZ) - 1,
	  { "ubx:12", XYZ }, { 0, 1, 0, 0, 0, 0, 5 } },
	{ "ubx length too long", "\xb5\x62\x01\x02\xff\xff" UBX_A, sizeof("\xb5\x62\x01\x02\xff\xff" UBX_A) - 1,
	  { "ubx:12" },
	  { 0, 0, 1, 0, 0, 0, -1 } },
	{ "lone sync byte", "\xb5" "A" UBX_A, sizeof("\xb5" "A" UBX_A) - 1,
	  { "ubx:12" }, { 0, 0, 0, 0, 0, 0, 2 } },
	{ "mixed nmea and ubx", RMC "\r\n" UBX_A XYZ "\r\n" UBX_EMPTY, sizeof(RMC "\r\n" UBX_A XYZ "\r\n" UBX_EMPTY) - 1,
	  { RMC, "ubx:12", XYZ, "ubx:8" }, NOREJ },
	{ "zero and 0xff runs", "\x00\x00\x00\x00\xff\xff\xff\xff" XYZ "\r\n" "\x00\x00", sizeof("\x00\x00\x00\x00\xff\xff\xff\xff" XYZ "\r\n" "\x00\x00") - 1,
	  { XYZ }, { 0, 0, 0, 0, 0, 0, 10 } },
	{ "nmea hidden in corrupt ubx", "\xb5\x62\x01\x02\x30\x00" XYZ "\r\n" XYZ "\r\n" XYZ "\r\n" XYZ "\r\n",
	  sizeof("\xb5\x62\x01\x02\x30\x00" XYZ "\r\n" XYZ "\r\n" XYZ "\r\n" XYZ "\r\n") - 1,
	  { XYZ, XYZ, XYZ, XYZ }, { 1, 0, 0, 0, 0, 0, 4 } },
	{ "nmea hidden in ubx cut by end", "\xb5\x62\x01\x02\x30\x00" XYZ "\r\n" XYZ "\r\n",
	  sizeof("\xb5\x62\x01\x02\x30\x00" XYZ "\r\n" XYZ "\r\n") - 1,
	  { XYZ, XYZ }, { 0, 1, 0, 0, 0, 0, 4 } },
	{ "last sentence without line end", XYZ "\r\n" XYZ, sizeof(XYZ "\r\n" XYZ) - 1,
	  { XYZ, XYZ }, NOREJ },
};

struct result {
	char frames[8][300];
	int n;
	uint64_t rej[_KT_REJECT_MAX];
};

static void
collect(struct kt_framer *f, const uint8_t *p, size_t len, struct result *res)
{
	while (len > 0) {
		enum kt_frame_type t;
		const uint8_t *fr;
		size_t fl, n = kt_framer_push(f, p, len, &t, &fr, &fl);
		if (n > len)
			abort();
		p += n;
		len -= n;
		if (t == KT_FRAME_NONE)
			continue;
		if (res->n < 8) {
			if (t == KT_FRAME_NMEA) {
				if (!f->nmea_in_place && fr[fl] != 0)
					snprintf(res->frames[res->n], 300, "not NUL-terminated");
				else
					snprintf(res->frames[res->n], 300, "%.*s", (int)fl, (const char *)fr);
			} else
				snprintf(res->frames[res->n], 300, "ubx:%zu", fl);
		}
		res->n++;
	}
}

static int
compare(const struct row *r, const struct result *res, const char *how)
{
	int exp_n = 0, bad = 0;
	while (exp_n < 4 && r->frames[exp_n])
		exp_n++;
	if (exp_n != res->n) {
		printf("FAIL %s (%s): %d frames, expected %d\n", r->name, how, res->n, exp_n);
		return 1;
	}
	for (int i = 0; i < exp_n; i++)
		if (strcmp(r->frames[i], res->frames[i])) {
			printf("FAIL %s (%s): frame %d is '%s', expected '%s'\n", r->name, how, i,
			       res->frames[i], r->frames[i]);
			bad = 1;
		}
	for (int i = 0; i < _KT_REJECT_MAX; i++)
		if (r->rej[i] >= 0 && (uint64_t)r->rej[i] != res->rej[i]) {
			printf("FAIL %s (%s): %s = %llu, expected %ld\n", r->name, how,
			       kt_reject_reason_to_str(i), (unsigned long long)res->rej[i], r->rej[i]);
			bad = 1;
		}
	return bad;
}

/* every row is run with the framer copying NMEA out and with it handing
 * NMEA out in place: the same frames and counts either way */
static int in_place;

static void
run(const uint8_t *in, size_t len, size_t split, int bytewise, struct result *res)
{
	struct kt_framer f;
	memset(res, 0, sizeof(*res));
	kt_framer_init(&f);
	f.nmea_in_place = in_place;
	if (bytewise) {
		for (size_t i = 0; i < len; i++)
			collect(&f, in + i, 1, res);
	} else {
		collect(&f, in, split, res);
		collect(&f, in + split, len - split, res);
	}
	for (;;) {
		enum kt_frame_type t;
		const uint8_t *fr;
		size_t fl;
		if (kt_framer_flush(&f, &t, &fr, &fl) <= 0)
			break;
		if (res->n < 8) {
			if (t == KT_FRAME_NMEA)
				snprintf(res->frames[res->n], 300, "%.*s", (int)fl, (const char *)fr);
			else
				snprintf(res->frames[res->n], 300, "ubx:%zu", fl);
		}
		res->n++;
	}
	if (f.bytes_in != len)
		res->n = -100;  /* every byte must be accounted for */
	memcpy(res->rej, f.rejected, sizeof(res->rej));
}

int
main(void)
{
	int failed = 0;
	size_t nrows = sizeof(rows) / sizeof(rows[0]);

	for (size_t i = 0; i < 2 * nrows; i++) {
		const struct row *r = &rows[i % nrows];
		const uint8_t *in = (const uint8_t *)r->in;
		size_t len = r->in_len;
		struct result res;
		char how[64];
		int bad = 0;

		in_place = i >= nrows;
		run(in, len, len, 0, &res);
		bad |= compare(r, &res, "one push");
		run(in, len, 0, 1, &res);
		bad |= compare(r, &res, "byte by byte");
		for (size_t s = 1; s < len && !bad; s++) {
			run(in, len, s, 0, &res);
			snprintf(how, sizeof(how), "split at %zu", s);
			bad |= compare(r, &res, how);
		}
		printf("%s %s%s\n", bad ? "FAIL" : "ok  ", r->name, in_place ? " (in place)" : "");
		failed += bad;
	}
	in_place = 0;

	/* Encoders: what they write, the framer accepts. */
	{
		char out[128];
		uint8_t ub[64];
		struct result res;
		int n = kt_nmea_encode("GPXYZ,1,2", out, sizeof(out));
		if (n != (int)strlen(XYZ) + 2 || strncmp(out, XYZ "\r\n", (size_t)n)) {
			printf("FAIL kt_nmea_encode: '%s'\n", out);
			failed++;
		}
		if (kt_nmea_encode("GPXYZ,1,2", out, 10) != -1) {
			printf("FAIL kt_nmea_encode must refuse a short buffer\n");
			failed++;
		}
		n = kt_ubx_encode(0x01, 0x02, (const uint8_t *)"\x01\x02\x03\x04", 4, ub, sizeof(ub));
		if (n != UBX_A_LEN || memcmp(ub, UBX_A, UBX_A_LEN)) {
			printf("FAIL kt_ubx_encode\n");
			failed++;
		}
		run(ub, (size_t)n, (size_t)n, 0, &res);
		if (res.n != 1) {
			printf("FAIL encoded UBX frame not found\n");
			failed++;
		}
	}

	/* The word-wise Fletcher-8 is the byte loop: every length up to a
	 * long IMU batch, every start alignment, all-0xff bytes (the largest
	 * lane sums) and pseudo-random bytes. */
	{
		static uint8_t buf[3200];
		uint32_t x = 12345;
		int bad = 0;
		for (int pass = 0; pass < 2 && !bad; pass++) {
			for (size_t i = 0; i < sizeof(buf); i++) {
				x = x * 1103515245u + 12345u;
				buf[i] = pass ? (uint8_t)(x >> 24) : 0xff;
			}
			for (size_t off = 0; off < 8 && !bad; off++)
				for (size_t n = 0; off + n <= sizeof(buf) && !bad; n += n < 64 ? 1 : 61) {
					unsigned ra = 0, rb = 0;
					uint8_t a, b;
					for (size_t i = 0; i < n; i++) {
						ra += buf[off + i];
						rb += ra;
					}
					kt_ubx_checksum(buf + off, n, &a, &b);
					if (a != (uint8_t)ra || b != (uint8_t)rb) {
						printf("FAIL kt_ubx_checksum of %zu bytes at %zu (pass %d)\n", n, off, pass);
						bad = 1;
					}
				}
		}
		printf("%s Fletcher-8 word-wise = byte loop\n", bad ? "FAIL" : "ok  ");
		failed += bad;
	}

	/* Over-long line: too long, then the next sentence is still found. */
	{
		char buf[1024];
		struct result res;
		size_t len;
		memset(buf, 'A', sizeof(buf));
		buf[0] = '$';
		memcpy(buf + 400, "\r\n" XYZ "\r\n", strlen(XYZ) + 4);
		len = 400 + 2 + strlen(XYZ) + 2;
		for (size_t s = 0; s <= len; s += 7) {
			run((const uint8_t *)buf, len, s, 0, &res);
			if (res.n != 1 || strcmp(res.frames[0], XYZ) || res.rej[KT_REJECT_TOO_LONG] != 1) {
				printf("FAIL over-long line (split %zu): %d frames, too-long %llu\n", s, res.n,
				       (unsigned long long)res.rej[KT_REJECT_TOO_LONG]);
				failed++;
				break;
			}
		}
		/* A sentence of exactly KT_NMEA_MAX_LEN bytes incl. CR LF is accepted. */
		{
			char body[KT_NMEA_MAX_LEN];
			char line[KT_NMEA_MAX_LEN + 8];
			size_t bl = KT_NMEA_MAX_LEN - 6; /* '$' + body + '*hh' + CRLF */
			memset(body, '1', bl);
			memcpy(body, "GPXYZ,", 6);
			body[bl] = 0;
			{
				int n = kt_nmea_encode(body, line, sizeof(line));
				run((const uint8_t *)line, (size_t)n, (size_t)n, 0, &res);
				if (n != KT_NMEA_MAX_LEN || res.n != 1) {
					printf("FAIL %d-byte sentence not accepted\n", n);
					failed++;
				}
			}
		}
	}

	/* A UBX log cut at any byte (the vest's battery died): every frame
	 * before the cut is found, and the cut one is one truncated frame,
	 * nothing else, even with '$' and sync bytes in its payload. */
	{
		static uint8_t log[2048];
		size_t ends[32], n_fr = 0, len = 0;
		uint8_t pl[200];
		int bad = 0;

		for (int k = 0; k < 12; k++) {
			for (size_t i = 0; i < sizeof(pl); i++)
				pl[i] = (uint8_t)(i * 37 + (size_t)k * 11);
			pl[5] = '$';
			pl[9] = 0xb5;
			pl[10] = 0x62;
			pl[11] = 0x01;
			pl[40 + k] = 0xb5;
			int n = kt_ubx_encode(0xf1, 0x01, pl, (uint16_t)(60 + 11 * k), log + len, sizeof(log) - len);
			if (n < 0)
				abort();
			len += (size_t)n;
			ends[n_fr++] = len;
		}
		for (size_t cut = 1; cut <= len && !bad; cut++) {
			struct result res;
			int exp_n = 0, at_boundary = 0;
			for (size_t i = 0; i < n_fr; i++)
				if (ends[i] <= cut) {
					exp_n++;
					at_boundary |= ends[i] == cut;
				}
			for (size_t s = 0; s <= cut && !bad; s += cut / 3 + 1) {
				run(log, cut, s, 0, &res);
				if (res.n != exp_n || res.rej[KT_REJECT_TRUNCATED] != (at_boundary ? 0u : 1u)) {
					printf("FAIL log cut at %zu (split %zu): %d frames, expected %d; truncated %llu\n",
					       cut, s, res.n, exp_n, (unsigned long long)res.rej[KT_REJECT_TRUNCATED]);
					bad = 1;
				}
				for (int i = 0; i < _KT_REJECT_MAX && !bad; i++)
					if (i != KT_REJECT_TRUNCATED && res.rej[i]) {
						printf("FAIL log cut at %zu (split %zu): %s %llu\n", cut, s,
						       kt_reject_reason_to_str(i), (unsigned long long)res.rej[i]);
						bad = 1;
					}
			}
		}
		printf("%s UBX log cut at every byte: one truncated frame\n", bad ? "FAIL" : "ok  ");
		failed += bad;
	}

	printf("%s: %d failed\n", failed ? "FAIL" : "PASS", failed);
	return failed ? 1 : 0;
}
