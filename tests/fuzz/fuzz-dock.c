/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Dock protocol 1 decoder and message bodies. The input is cut into reads
 * whose sizes come from the input itself; every frame found must carry valid
 * checksums and re-encode to the same bytes; every body that decodes must
 * re-encode to the same payload (where the format has no spare bits).
 */
#include <string.h>

#include "fuzz.h"
#include "kt_dock.h"

static uint8_t out[KT_DOCK_MAX_FRAME];

static void
same(int n, const uint8_t *p, size_t len)
{
	if (n != (int)len || memcmp(out, p, len) != 0)
		__builtin_trap();
}

static void
bodies(const uint8_t *p, size_t len)
{
	static struct kt_dock_list_resp lr;
	struct kt_dock_identify id;
	struct kt_dock_list_req lq;
	struct kt_dock_read_req rq;
	struct kt_dock_read_resp rs;
	struct kt_dock_set_clock sc;
	struct kt_dock_erase_req eq;
	struct kt_dock_erase_resp er;
	struct kt_dock_error e;

	if (kt_dock_identify_decode(p, len, &id) == 0) {
		/* reserved byte 21 and anything past 48 bytes are not kept */
		int n = kt_dock_identify_encode(&id, out, sizeof(out));
		if (n != KT_DOCK_IDENTIFY_LEN || memcmp(out, p, 21) || memcmp(out + 22, p + 22, 26))
			__builtin_trap();
		if (strlen(id.vest_id) == 0 || strlen(id.vest_id) > KT_DOCK_VEST_ID_LEN)
			__builtin_trap();
	}
	if (kt_dock_list_req_decode(p, len, &lq) == 0)
		same(kt_dock_list_req_encode(&lq, out, sizeof(out)), p, len);
	if (kt_dock_list_resp_decode(p, len, &lr) == 0) {
		if (lr.count > KT_DOCK_LIST_MAX || lr.first + lr.count > lr.total)
			__builtin_trap();
		same(kt_dock_list_resp_encode(&lr, out, sizeof(out)), p, len);
	}
	if (kt_dock_read_req_decode(p, len, &rq) == 0)
		same(kt_dock_read_req_encode(&rq, out, sizeof(out)), p, len);
	if (kt_dock_read_resp_decode(p, len, &rs) == 0) {
		if (rs.data != p + KT_DOCK_READ_RESP_HDR || (uint64_t)rs.offset + rs.len > rs.size)
			__builtin_trap();
		same(kt_dock_read_resp_encode(&rs, out, sizeof(out)), p, len);
	}
	if (kt_dock_set_clock_decode(p, len, &sc) == 0)
		same(kt_dock_set_clock_encode(&sc, out, sizeof(out)), p, len);
	if (kt_dock_erase_req_decode(p, len, &eq) == 0)
		same(kt_dock_erase_req_encode(&eq, out, sizeof(out)), p, len);
	if (kt_dock_erase_resp_decode(p, len, &er) == 0)
		same(kt_dock_erase_resp_encode(&er, out, sizeof(out)), p, len);
	if (kt_dock_error_decode(p, len, &e) == 0) {
		for (const char *c = e.message; *c; c++)
			if (*c < 0x20 || *c > 0x7E)
				__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kt_dock_decoder d;
	size_t pos = 0, step = size > 0 ? (size_t)data[0] % 64 + 1 : 1;

	kt_dock_decoder_init(&d);
	while (pos < size) {
		const uint8_t *p = data + pos;
		size_t n = size - pos < step ? size - pos : step;
		struct kt_dock_frame f;

		pos += n;
		while (kt_dock_decoder_push(&d, &p, &n, &f) > 0) {
			int k = kt_dock_frame_encode(f.type, f.seq, f.payload, f.len, out,
						     sizeof(out));
			/* a frame re-encodes to exactly what was received */
			if (k != f.len + KT_DOCK_OVERHEAD ||
			    f.payload[-KT_DOCK_HEADER_LEN] != KT_DOCK_SOF0 ||
			    memcmp(out, f.payload - KT_DOCK_HEADER_LEN, (size_t)k) != 0)
				__builtin_trap();
			bodies(f.payload, f.len);
		}
		if (n != 0)
			__builtin_trap();
		step = step * 3 % 97 + 1;
	}
	if (d.bytes_in != size)
		__builtin_trap();
	kt_dock_decoder_reset(&d);
	if (kt_dock_decoder_partial(&d))
		__builtin_trap();
	bodies(data, size);
	return 0;
}
