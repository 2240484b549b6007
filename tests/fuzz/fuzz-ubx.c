/* SPDX-License-Identifier: EUPL-1.2 */
/* Framer + UBX decoders: frames found in the stream, and the bytes handed
 * straight to each decoder as a frame (past the checksum). A decoded frame
 * must re-encode to the same bytes where the format has no spare bits. */
#include <string.h>

#include "fuzz.h"
#include "kt_frame.h"
#include "kt_ubx.h"

static struct kt_ubx_imu_batch batch;

static void
decode_all(const uint8_t *fr, size_t fl)
{
	static uint8_t out[KT_FRAME_BUF];
	struct kt_ubx_nav_pvt p;
	struct kt_ubx_vest_header h;

	(void)kt_ubx_decode_nav_pvt(fr, fl, &p);
	if (kt_ubx_decode_vest_header(fr, fl, &h) == 0) {
		int n = kt_ubx_encode_vest_header(&h, out, sizeof(out));
		if (n != (int)fl || memcmp(out + 6, fr + 6, 14))
			__builtin_trap();
	}
	if (kt_ubx_decode_imu_batch(fr, fl, &batch) == 0) {
		int n = kt_ubx_encode_imu_batch(&batch, out, sizeof(out));
		/* the reserved byte is not kept */
		if (n != (int)fl || memcmp(out + 6, fr + 6, 7) || memcmp(out + 14, fr + 14, fl - 16))
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kt_framer f;
	const uint8_t *p = data;
	size_t len = size;

	kt_framer_init(&f);
	while (len > 0) {
		enum kt_frame_type t;
		const uint8_t *fr;
		size_t fl, n = kt_framer_push(&f, p, len, &t, &fr, &fl);
		p += n;
		len -= n;
		if (t == KT_FRAME_UBX) {
			uint8_t a, b;
			kt_ubx_checksum(fr + 2, fl - 4, &a, &b);
			if (fl < 8 || a != fr[fl - 2] || b != fr[fl - 1])
				__builtin_trap();
			decode_all(fr, fl);
		}
	}
	kt_framer_finish(&f);
	decode_all(data, size);
	return 0;
}
