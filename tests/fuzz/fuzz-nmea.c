/* SPDX-License-Identifier: EUPL-1.2 */
/* Framer + NMEA decoder: the bytes as a stream (split in two pushes), and
 * the bytes as one sentence handed straight to the decoder, which would
 * otherwise only ever see checksummed input. */
#include <string.h>

#include "fuzz.h"
#include "kt_frame.h"
#include "kt_nmea.h"

static void
stream(const uint8_t *data, size_t size, size_t split)
{
	static struct kt_framer f;
	struct kt_nmea_sentence s;
	const uint8_t *p[2] = { data, data + split };
	size_t len[2] = { split, size - split };

	kt_framer_init(&f);
	for (int k = 0; k < 2; k++) {
		while (len[k] > 0) {
			enum kt_frame_type t;
			const uint8_t *fr;
			size_t fl, n = kt_framer_push(&f, p[k], len[k], &t, &fr, &fl);
			if (n > len[k])
				__builtin_trap();
			p[k] += n;
			len[k] -= n;
			if (t == KT_FRAME_NMEA) {
				if (fl >= KT_NMEA_MAX_LEN || fr[fl] != 0)
					__builtin_trap();
				(void)kt_nmea_decode((const char *)fr, fl, &s);
			}
		}
	}
	kt_framer_finish(&f);
	if (f.bytes_in != size)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_nmea_sentence s;
	char line[KT_NMEA_MAX_LEN + 1];

	stream(data, size, size);
	if (size > 1)
		stream(data, size, data[0] % size);
	if (size <= KT_NMEA_MAX_LEN) {
		memcpy(line, data, size);
		line[size] = 0;
		(void)kt_nmea_decode(line, size, &s);
	}
	return 0;
}
