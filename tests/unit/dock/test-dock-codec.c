/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Dock protocol 1 codec: CRC check values, body round trips, framing with
 * garbage, corruption, truncation and every possible split across reads, and
 * the example frames printed in dock.md (run with --print-examples to see them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_dock.h"

#include "../../kt-test.h"

static uint32_t rng_state = 12345;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Decode everything in buf (split into pieces of at most step bytes) and
 * store the frames' types, seqs and payloads. */
struct got {
	int n;
	uint8_t type[64], seq[64];
	uint16_t len[64];
	uint8_t payload[64][KT_DOCK_MAX_PAYLOAD];
};

static void
decode_all(struct kt_dock_decoder *d, const uint8_t *buf, size_t len, size_t step, struct got *g)
{
	size_t pos = 0;

	g->n = 0;
	do {
		size_t n = len - pos < step ? len - pos : step;
		const uint8_t *p = buf + pos;
		struct kt_dock_frame f;

		pos += n;
		while (kt_dock_decoder_push(d, &p, &n, &f) > 0) {
			if (g->n < 64) {
				g->type[g->n] = f.type;
				g->seq[g->n] = f.seq;
				g->len[g->n] = f.len;
				memcpy(g->payload[g->n], f.payload, f.len);
			}
			g->n++;
		}
		CHECK_EQ(n, 0);
	} while (pos < len);
}

static uint32_t
crc32_bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void
test_crc(void)
{
	/* the standard check values of both CRCs */
	CHECK_EQ(kt_crc32(0, "123456789", 9), 0xCBF43926u);
	CHECK_EQ(kt_crc8("123456789", 9), 0xF4);
	CHECK_EQ(kt_crc32(0, "", 0), 0);
	/* incremental equals one-shot */
	CHECK_EQ(kt_crc32(kt_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
	/* the table against the bitwise definition, for every byte value */
	for (unsigned b = 0; b < 256; b++) {
		uint8_t x = (uint8_t)b, y[3] = {(uint8_t)b, (uint8_t)(b * 7), (uint8_t)~b};
		CHECK_EQ(kt_crc32(0, &x, 1), crc32_bitwise(&x, 1));
		CHECK_EQ(kt_crc32(0, y, 3), crc32_bitwise(y, 3));
	}
}

static void
test_bodies(void)
{
	uint8_t buf[KT_DOCK_MAX_PAYLOAD];
	int n;

	struct kt_dock_identify id =
					{
						.protocol_version = 1,
						.flags = KT_DOCK_FLAG_CLOCK_SET,
						.vest_id = "V07",
						.firmware = 0x0103,
						.battery_pct = 87,
						.n_sessions = 3,
						.free_bytes = 123456789012ull,
						.total_bytes = KT_DOCK_UNKNOWN_U64,
						.clock_unix_us =
							-5, /* negative values survive the wire */
					},
				id2;
	n = kt_dock_identify_encode(&id, buf, sizeof(buf));
	CHECK_EQ(n, KT_DOCK_IDENTIFY_LEN);
	CHECK_EQ(kt_dock_identify_decode(buf, (size_t)n, &id2), 0);
	CHECK(strcmp(id2.vest_id, "V07") == 0);
	CHECK_EQ(id2.firmware, 0x0103);
	CHECK_EQ(id2.battery_pct, 87);
	CHECK_EQ(id2.n_sessions, 3);
	CHECK(id2.free_bytes == 123456789012ull);
	CHECK(id2.total_bytes == KT_DOCK_UNKNOWN_U64);
	CHECK_EQ(id2.clock_unix_us, -5);
	CHECK_EQ(id2.flags, KT_DOCK_FLAG_CLOCK_SET);
	/* a longer payload from a later protocol version is accepted */
	CHECK_EQ(kt_dock_identify_decode(buf, (size_t)n + 4, &id2), 0);
	CHECK_EQ(kt_dock_identify_decode(buf, (size_t)n - 1, &id2), -EPROTO);
	id.clock_unix_us = KT_DOCK_UNKNOWN_TIME;
	n = kt_dock_identify_encode(&id, buf, sizeof(buf));
	CHECK_EQ(kt_dock_identify_decode(buf, (size_t)n, &id2), 0);
	CHECK(id2.clock_unix_us == KT_DOCK_UNKNOWN_TIME);
	buf[3] = '/'; /* vest id "V/7": not allowed (it becomes a directory name) */
	CHECK_EQ(kt_dock_identify_decode(buf, (size_t)n, &id2), -EPROTO);
	CHECK_EQ(kt_dock_identify_encode(&id, buf, 10), -ENOBUFS);
	buf[20] = 101;
	buf[3] = '0';
	CHECK_EQ(kt_dock_identify_decode(buf, (size_t)n, &id2), -EPROTO);

	struct kt_dock_list_req lq = {.first = 300}, lq2;
	n = kt_dock_list_req_encode(&lq, buf, sizeof(buf));
	CHECK_EQ(n, 2);
	CHECK_EQ(kt_dock_list_req_decode(buf, 2, &lq2), 0);
	CHECK_EQ(lq2.first, 300);
	CHECK_EQ(kt_dock_list_req_decode(buf, 3, &lq2), -EPROTO);

	static struct kt_dock_list_resp lr, lr2;
	lr.total = 70;
	lr.first = 6;
	lr.count = KT_DOCK_LIST_MAX;
	for (int i = 0; i < KT_DOCK_LIST_MAX; i++)
		lr.s[i] = (struct kt_dock_session_info){.id = 1000u + (uint32_t)i,
							.start_unix_us = 1764000000000000ll + i,
							.size = 4000000u + (uint32_t)i,
							.crc32 = 0xDEADBEEFu ^ (uint32_t)i};
	lr.s[1].start_unix_us = KT_DOCK_UNKNOWN_TIME;
	n = kt_dock_list_resp_encode(&lr, buf, sizeof(buf));
	CHECK_EQ(n, 5 + KT_DOCK_LIST_MAX * KT_DOCK_LIST_ENTRY_LEN);
	CHECK(n + KT_DOCK_OVERHEAD <= KT_DOCK_MAX_FRAME);
	CHECK_EQ(kt_dock_list_resp_decode(buf, (size_t)n, &lr2), 0);
	CHECK(memcmp(&lr, &lr2, sizeof(lr)) == 0 ||
	      (lr2.count == lr.count && lr2.s[63].crc32 == lr.s[63].crc32));
	for (int i = 0; i < KT_DOCK_LIST_MAX; i++) {
		CHECK_EQ(lr2.s[i].id, lr.s[i].id);
		CHECK_EQ(lr2.s[i].start_unix_us, lr.s[i].start_unix_us);
		CHECK_EQ(lr2.s[i].size, lr.s[i].size);
		CHECK_EQ(lr2.s[i].crc32, lr.s[i].crc32);
	}
	CHECK_EQ(kt_dock_list_resp_decode(buf, (size_t)n - 1, &lr2), -EPROTO);
	lr.first = 10; /* first + count > total */
	CHECK_EQ(kt_dock_list_resp_encode(&lr, buf, sizeof(buf)), -EINVAL);
	/* an empty page before the end would make the host page forever */
	uint8_t empty[5] = {5, 0, 2, 0, 0};
	CHECK_EQ(kt_dock_list_resp_decode(empty, 5, &lr2), -EPROTO);
	uint8_t none[5] = {0, 0, 0, 0, 0};
	CHECK_EQ(kt_dock_list_resp_decode(none, 5, &lr2), 0);
	CHECK_EQ(lr2.total, 0);
	uint8_t past[5] = {3, 0, 9, 0, 0}; /* first 9 of 3: an empty page, echoing first */
	CHECK_EQ(kt_dock_list_resp_decode(past, 5, &lr2), 0);
	CHECK_EQ(lr2.first, 9);
	CHECK_EQ(lr2.count, 0);

	struct kt_dock_read_req rq = {.session_id = 7, .offset = 123456, .max_len = 4000}, rq2;
	n = kt_dock_read_req_encode(&rq, buf, sizeof(buf));
	CHECK_EQ(n, KT_DOCK_READ_REQ_LEN);
	CHECK_EQ(kt_dock_read_req_decode(buf, (size_t)n, &rq2), 0);
	CHECK_EQ(rq2.session_id, 7);
	CHECK_EQ(rq2.offset, 123456);
	CHECK_EQ(rq2.max_len, 4000);
	rq.max_len = 0;
	CHECK_EQ(kt_dock_read_req_encode(&rq, buf, sizeof(buf)), -EINVAL);
	buf[8] = 0xFF;
	buf[9] = 0xFF; /* max_len 65535 > KT_DOCK_MAX_CHUNK */
	CHECK_EQ(kt_dock_read_req_decode(buf, (size_t)n, &rq2), -EPROTO);

	uint8_t data[KT_DOCK_MAX_CHUNK];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rnd();
	struct kt_dock_read_resp rs = {.session_id = 7,
				       .offset = 1000,
				       .size = 1000 + KT_DOCK_MAX_CHUNK,
				       .len = KT_DOCK_MAX_CHUNK,
				       .data = data},
				 rs2;
	n = kt_dock_read_resp_encode(&rs, buf, sizeof(buf));
	CHECK_EQ(n, KT_DOCK_MAX_PAYLOAD);
	CHECK_EQ(kt_dock_read_resp_decode(buf, (size_t)n, &rs2), 0);
	CHECK_EQ(rs2.len, KT_DOCK_MAX_CHUNK);
	CHECK_EQ(rs2.data_crc32, kt_crc32(0, data, sizeof(data)));
	CHECK(memcmp(rs2.data, data, sizeof(data)) == 0);
	buf[100] ^= 0x01; /* one bit of the data flipped: the chunk CRC catches it */
	CHECK_EQ(kt_dock_read_resp_decode(buf, (size_t)n, &rs2), -EBADMSG);
	buf[100] ^= 0x01;
	CHECK_EQ(kt_dock_read_resp_decode(buf, (size_t)n - 1, &rs2), -EPROTO);
	rs.size = 1000; /* chunk beyond the end */
	CHECK_EQ(kt_dock_read_resp_encode(&rs, buf, sizeof(buf)), -EINVAL);
	/* in-place encoding (the emulator reads the file straight into the payload) */
	memcpy(buf + KT_DOCK_READ_RESP_HDR, data, 100);
	rs = (struct kt_dock_read_resp){.session_id = 1,
					.offset = 0,
					.size = 100,
					.len = 100,
					.data = buf + KT_DOCK_READ_RESP_HDR};
	n = kt_dock_read_resp_encode(&rs, buf, sizeof(buf));
	CHECK_EQ(kt_dock_read_resp_decode(buf, (size_t)n, &rs2), 0);
	CHECK(memcmp(rs2.data, data, 100) == 0);
	/* EOF: len 0 only at offset == size */
	rs = (struct kt_dock_read_resp){.session_id = 1, .offset = 100, .size = 100, .len = 0};
	n = kt_dock_read_resp_encode(&rs, buf, sizeof(buf));
	CHECK_EQ(kt_dock_read_resp_decode(buf, (size_t)n, &rs2), 0);
	buf[4] = 50; /* offset 50, len 0, size 100: malformed */
	CHECK_EQ(kt_dock_read_resp_decode(buf, (size_t)n, &rs2), -EPROTO);

	struct kt_dock_set_clock sc = {.unix_us = 1764009000123456ll}, sc2;
	n = kt_dock_set_clock_encode(&sc, buf, sizeof(buf));
	CHECK_EQ(kt_dock_set_clock_decode(buf, (size_t)n, &sc2), 0);
	CHECK_EQ(sc2.unix_us, sc.unix_us);

	struct kt_dock_erase_req eq = {.session_id = 9, .crc32 = 0x89ABCDEF}, eq2;
	n = kt_dock_erase_req_encode(&eq, buf, sizeof(buf));
	CHECK_EQ(kt_dock_erase_req_decode(buf, (size_t)n, &eq2), 0);
	CHECK_EQ(eq2.session_id, 9);
	CHECK_EQ(eq2.crc32, 0x89ABCDEF);
	CHECK_EQ(kt_dock_erase_req_decode(buf, 4, &eq2), -EPROTO);
	struct kt_dock_erase_resp er = {.session_id = 9}, er2;
	n = kt_dock_erase_resp_encode(&er, buf, sizeof(buf));
	CHECK_EQ(kt_dock_erase_resp_decode(buf, (size_t)n, &er2), 0);
	CHECK_EQ(er2.session_id, 9);

	struct kt_dock_error e = {.request_type = KT_DOCK_ERASE,
				  .code = KT_DOCK_E_CRC_MISMATCH,
				  .message = "crc differs"},
			     e2;
	n = kt_dock_error_encode(&e, buf, sizeof(buf));
	CHECK_EQ(n, 2 + 11);
	CHECK_EQ(kt_dock_error_decode(buf, (size_t)n, &e2), 0);
	CHECK_EQ(e2.code, KT_DOCK_E_CRC_MISMATCH);
	CHECK_EQ(e2.request_type, KT_DOCK_ERASE);
	CHECK(strcmp(e2.message, "crc differs") == 0);
	buf[3] = '\n'; /* control characters never reach a log line */
	CHECK_EQ(kt_dock_error_decode(buf, (size_t)n, &e2), 0);
	CHECK(strcmp(e2.message, "c?c differs") == 0);
	CHECK(strcmp(kt_dock_error_to_str(KT_DOCK_E_NO_SUCH_SESSION), "no such session") == 0);
}

/* A stream of frames of varied sizes. Returns its length. */
static size_t
make_stream(uint8_t *out, size_t size, int nframes, size_t *starts)
{
	size_t pos = 0;

	for (int i = 0; i < nframes; i++) {
		uint8_t payload[600];
		size_t len = (size_t)(i * 37) % sizeof(payload);
		for (size_t k = 0; k < len; k++) /* lots of SOF bytes inside the data */
			payload[k] =
				(k % 3) ? KT_DOCK_SOF0 : (k % 2 ? KT_DOCK_SOF1 : (uint8_t)rnd());
		if (starts)
			starts[i] = pos;
		int n = kt_dock_frame_encode((uint8_t)(0x81 + i % 5), (uint8_t)i, payload, len,
					     out + pos, size - pos);
		CHECK(n > 0);
		pos += (size_t)n;
	}
	return pos;
}

static void
test_frames_split(void)
{
	static uint8_t stream[8192];
	static struct got g;
	struct kt_dock_decoder d;
	size_t len = make_stream(stream, sizeof(stream), 6, NULL);

	/* every chunk size, including byte by byte */
	for (size_t step = 1; step <= len; step += (step < 64 ? 1 : 97)) {
		kt_dock_decoder_init(&d);
		decode_all(&d, stream, len, step, &g);
		CHECK_EQ(g.n, 6);
		for (int i = 0; i < 6 && i < g.n; i++) {
			CHECK_EQ(g.seq[i], i);
			CHECK_EQ(g.type[i], 0x81 + i % 5);
			CHECK_EQ(g.len[i], (i * 37) % 600);
		}
		CHECK_EQ(d.rejected[KT_DOCK_REJECT_GARBAGE_BYTES], 0);
		CHECK_EQ(d.rejected[KT_DOCK_REJECT_CRC], 0);
		CHECK_EQ(d.bytes_in, len);
	}

	/* one frame split in two at every offset */
	uint8_t one[64];
	int n = kt_dock_frame_encode(KT_DOCK_READ, 42, (const uint8_t *)"0123456789", 10, one,
				     sizeof(one));
	for (int cut = 0; cut <= n; cut++) {
		const uint8_t *p = one;
		size_t l = (size_t)cut;
		struct kt_dock_frame f;
		int got = 0;

		kt_dock_decoder_init(&d);
		while (kt_dock_decoder_push(&d, &p, &l, &f) > 0)
			got++;
		CHECK_EQ(got, cut == n);
		CHECK_EQ(kt_dock_decoder_partial(&d), cut > 0 && cut < n);
		p = one + cut;
		l = (size_t)(n - cut);
		while (kt_dock_decoder_push(&d, &p, &l, &f) > 0) {
			got++;
			CHECK_EQ(f.seq, 42);
			CHECK_EQ(f.len, 10);
			CHECK(memcmp(f.payload, "0123456789", 10) == 0);
		}
		CHECK_EQ(got, 1);
	}
}

static void
test_garbage_and_corruption(void)
{
	static uint8_t stream[16384], clean[8192];
	static struct got g;
	struct kt_dock_decoder d;
	size_t starts[8];
	size_t clen = make_stream(clean, sizeof(clean), 8, starts);
	size_t pos = 0;

	/* garbage before, between and after frames, including false starts */
	static const uint8_t junk[] = {0x00, KT_DOCK_SOF0, 0x12, KT_DOCK_SOF0, KT_DOCK_SOF1, 0x01,
				       0x00, 0x05,	   0x00, 0x99,	       '$',	     'G',
				       'P',  0xB5,	   0x62, KT_DOCK_SOF0};
	memcpy(stream, junk, sizeof(junk));
	pos = sizeof(junk);
	for (int i = 0; i < 8; i++) {
		size_t flen = (i < 7 ? starts[i + 1] : clen) - starts[i];
		memcpy(stream + pos, clean + starts[i], flen);
		pos += flen;
		memcpy(stream + pos, junk, sizeof(junk));
		pos += sizeof(junk);
	}
	for (size_t step = 1; step < 300; step = step * 2 + 1) {
		kt_dock_decoder_init(&d);
		decode_all(&d, stream, pos, step, &g);
		CHECK_EQ(g.n, 8);
		for (int i = 0; i < 8 && i < g.n; i++)
			CHECK_EQ(g.seq[i], i);
		CHECK(d.rejected[KT_DOCK_REJECT_GARBAGE_BYTES] > 0);
	}

	/* flip each byte of frame 3 in turn: that frame is lost, all others arrive */
	size_t f3 = starts[3], f3len = starts[4] - starts[3];
	for (size_t k = 0; k < f3len; k++) {
		memcpy(stream, clean, clen);
		stream[f3 + k] ^= (uint8_t)(1u << (k % 8));
		kt_dock_decoder_init(&d);
		decode_all(&d, stream, clen, 4096, &g);
		CHECK_EQ(g.n, 7);
		for (int i = 0, want = 0; i < 7 && i < g.n; i++, want++) {
			if (want == 3)
				want++;
			CHECK_EQ(g.seq[i], want);
		}
		CHECK(d.rejected[KT_DOCK_REJECT_CRC] + d.rejected[KT_DOCK_REJECT_HEADER] +
			      d.rejected[KT_DOCK_REJECT_GARBAGE_BYTES] +
			      d.rejected[KT_DOCK_REJECT_TOO_LONG] >
		      0);
	}

	/* truncated frame (cut at every length) followed by good ones: the good
	 * ones are found by rescanning after the CRC failure */
	for (size_t cut = 1; cut < f3len; cut++) {
		memcpy(stream, clean + f3, cut);
		memcpy(stream + cut, clean + starts[4], clen - starts[4]);
		kt_dock_decoder_init(&d);
		decode_all(&d, stream, cut + clen - starts[4], 1000, &g);
		CHECK_EQ(g.n, 4);
		if (g.n > 0)
			CHECK_EQ(g.seq[0], 4);
	}

	/* a valid header announcing more than the maximum payload */
	uint8_t big[32] = {KT_DOCK_SOF0, KT_DOCK_SOF1, 0x83, 0, 0x01, 0x10}; /* len 4097 */
	big[6] = kt_crc8(big + 2, 4);
	size_t blen = 7;
	blen += (size_t)kt_dock_frame_encode(KT_DOCK_IDENTIFY, 9, NULL, 0, big + 7,
					     sizeof(big) - 7);
	kt_dock_decoder_init(&d);
	decode_all(&d, big, blen, 1, &g);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(g.seq[0], 9);
	CHECK_EQ(d.rejected[KT_DOCK_REJECT_TOO_LONG], 1);

	/* reset drops a partial frame and counts it */
	kt_dock_decoder_init(&d);
	{
		const uint8_t *p = clean;
		size_t l = 5;
		struct kt_dock_frame f;
		CHECK_EQ(kt_dock_decoder_push(&d, &p, &l, &f), 0);
		CHECK(kt_dock_decoder_partial(&d));
		kt_dock_decoder_reset(&d);
		CHECK(!kt_dock_decoder_partial(&d));
		CHECK_EQ(d.rejected[KT_DOCK_REJECT_TRUNCATED], 1);
		p = clean;
		l = clen;
		int n = 0;
		while (kt_dock_decoder_push(&d, &p, &l, &f) > 0)
			n++;
		CHECK_EQ(n, 8);
	}

	/* random noise never crashes and never yields a frame by accident */
	kt_dock_decoder_init(&d);
	for (int round = 0; round < 200; round++) {
		uint8_t noise[512];
		for (size_t k = 0; k < sizeof(noise); k++)
			noise[k] = (rnd() & 3) == 0 ? KT_DOCK_SOF0
				   : (rnd() & 1)    ? KT_DOCK_SOF1
						    : (uint8_t)rnd();
		decode_all(&d, noise, sizeof(noise), 1 + round % 50, &g);
		CHECK_EQ(g.n, 0);
	}
}

static void
test_encode_limits(void)
{
	static uint8_t payload[KT_DOCK_MAX_PAYLOAD + 1], out[KT_DOCK_MAX_FRAME + 8];
	static struct got g;
	struct kt_dock_decoder d;

	CHECK_EQ(kt_dock_frame_encode(1, 0, payload, KT_DOCK_MAX_PAYLOAD + 1, out, sizeof(out)),
		 -EMSGSIZE);
	CHECK_EQ(kt_dock_frame_encode(1, 0, payload, 10, out, 20), -ENOBUFS);
	for (size_t i = 0; i < KT_DOCK_MAX_PAYLOAD; i++)
		payload[i] = (uint8_t)i;
	int n = kt_dock_frame_encode(KT_DOCK_READ_RESP, 255, payload, KT_DOCK_MAX_PAYLOAD, out,
				     sizeof(out));
	CHECK_EQ(n, KT_DOCK_MAX_FRAME);
	/* a maximal frame fed in odd pieces */
	kt_dock_decoder_init(&d);
	decode_all(&d, out, (size_t)n, 333, &g);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(g.len[0], KT_DOCK_MAX_PAYLOAD);
	CHECK(memcmp(g.payload[0], payload, KT_DOCK_MAX_PAYLOAD) == 0);
}

/* The example frames in dock.md; the test fails if the codec ever changes them. */
struct example {
	const char *name;
	const char *hex;
	uint8_t frame[128];
	int len;
};

static void
build_examples(struct example *ex, int *n)
{
	uint8_t p[128];
	int k = 0, len;

	ex[k].name = "IDENTIFY request, seq 1";
	ex[k].len = kt_dock_frame_encode(KT_DOCK_IDENTIFY, 1, NULL, 0, ex[k].frame, 128);
	k++;

	struct kt_dock_identify id = {.protocol_version = 1,
				      .flags = KT_DOCK_FLAG_CLOCK_SET,
				      .vest_id = "V07",
				      .firmware = 0x0103,
				      .battery_pct = 87,
				      .n_sessions = 1,
				      .free_bytes = 1000000000ull,
				      .total_bytes = 4000000000ull,
				      .clock_unix_us = 1764009000000000ll};
	len = kt_dock_identify_encode(&id, p, sizeof(p));
	ex[k].name = "IDENTIFY response, seq 1 (V07, fw 1.3, 87 %, clock 2025-11-24T18:30:00Z)";
	ex[k].len =
		kt_dock_frame_encode(KT_DOCK_IDENTIFY_RESP, 1, p, (size_t)len, ex[k].frame, 128);
	k++;

	struct kt_dock_list_req lq = {.first = 0};
	len = kt_dock_list_req_encode(&lq, p, sizeof(p));
	ex[k].name = "LIST request, seq 2, first 0";
	ex[k].len = kt_dock_frame_encode(KT_DOCK_LIST, 2, p, (size_t)len, ex[k].frame, 128);
	k++;

	static struct kt_dock_list_resp lr = {.total = 1, .first = 0, .count = 1};
	lr.s[0] = (struct kt_dock_session_info){
		.id = 12, .start_unix_us = 1764003600000000ll, .size = 11, .crc32 = 0x0D4A1185};
	len = kt_dock_list_resp_encode(&lr, p, sizeof(p));
	ex[k].name = "LIST response, seq 2: session 12, 11 bytes \"hello world\"";
	ex[k].len = kt_dock_frame_encode(KT_DOCK_LIST_RESP, 2, p, (size_t)len, ex[k].frame, 128);
	k++;

	struct kt_dock_read_req rq = {.session_id = 12, .offset = 6, .max_len = 4078};
	len = kt_dock_read_req_encode(&rq, p, sizeof(p));
	ex[k].name = "READ request, seq 3: session 12 from offset 6";
	ex[k].len = kt_dock_frame_encode(KT_DOCK_READ, 3, p, (size_t)len, ex[k].frame, 128);
	k++;

	struct kt_dock_read_resp rs = {.session_id = 12,
				       .offset = 6,
				       .size = 11,
				       .len = 5,
				       .data = (const uint8_t *)"world"};
	len = kt_dock_read_resp_encode(&rs, p, sizeof(p));
	ex[k].name = "READ response, seq 3: \"world\" at offset 6";
	ex[k].len = kt_dock_frame_encode(KT_DOCK_READ_RESP, 3, p, (size_t)len, ex[k].frame, 128);
	k++;

	struct kt_dock_set_clock sc = {.unix_us = 1764009000000000ll};
	len = kt_dock_set_clock_encode(&sc, p, sizeof(p));
	ex[k].name = "SET_CLOCK request, seq 4: 2025-11-24T18:30:00Z";
	ex[k].len = kt_dock_frame_encode(KT_DOCK_SET_CLOCK, 4, p, (size_t)len, ex[k].frame, 128);
	k++;

	struct kt_dock_erase_req eq = {.session_id = 12, .crc32 = 0x0D4A1185};
	len = kt_dock_erase_req_encode(&eq, p, sizeof(p));
	ex[k].name = "ERASE request, seq 5: session 12, CRC-32 0x0d4a1185";
	ex[k].len = kt_dock_frame_encode(KT_DOCK_ERASE, 5, p, (size_t)len, ex[k].frame, 128);
	k++;

	struct kt_dock_error e = {.request_type = KT_DOCK_ERASE, .code = KT_DOCK_E_CRC_MISMATCH};
	len = kt_dock_error_encode(&e, p, sizeof(p));
	ex[k].name = "ERROR response, seq 5: ERASE refused, CRC mismatch";
	ex[k].len = kt_dock_frame_encode(KT_DOCK_ERROR, 5, p, (size_t)len, ex[k].frame, 128);
	k++;
	*n = k;
}

/* Every example's hex line must appear verbatim (indented by 4 spaces) in
 * the spec, so the spec and the code cannot drift apart. */
static void
test_examples(bool print, const char *spec_path)
{
	struct example ex[16];
	static char spec[256 * 1024];
	size_t slen = 0;
	int n;

	if (!print) {
		FILE *f = fopen(spec_path, "re");
		if (!f) {
			fprintf(stderr, "cannot open %s\n", spec_path);
			failures++;
			return;
		}
		slen = fread(spec, 1, sizeof(spec) - 1, f);
		spec[slen] = '\0';
		fclose(f);
	}

	build_examples(ex, &n);
	CHECK_EQ(kt_crc32(0, "hello world", 11), 0x0D4A1185u);
	for (int i = 0; i < n; i++) {
		char hex[400];
		size_t pos = 0;
		for (int k = 0; k < ex[i].len; k++)
			pos += (size_t)snprintf(hex + pos, sizeof(hex) - pos, k ? " %02x" : "%02x",
						ex[i].frame[k]);
		if (print) {
			printf("%s:\n    %s\n", ex[i].name, hex);
			continue;
		}
		char line[420];
		snprintf(line, sizeof(line), "\n    %s\n", hex);
		if (!strstr(spec, line)) {
			fprintf(stderr,
				"%s does not show example %d (%s) as the codec encodes it:\n    "
				"%s\n",
				spec_path, i, ex[i].name, hex);
			failures++;
		}
	}
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--print-examples") == 0) {
		test_examples(true, NULL);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-dock.md | --print-examples\n", argv[0]);
		return 2;
	}
	test_crc();
	test_bodies();
	test_frames_split();
	test_garbage_and_corruption();
	test_encode_limits();
	test_examples(false, argv[1]);
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("dock codec: all checks passed\n");
	return 0;
}
