/* SPDX-License-Identifier: EUPL-1.2 */
/* The log reader on arbitrary bytes, fed in uneven chunks: fixes must come
 * out in strictly increasing time order. */
#include <stdlib.h>

#include "fuzz.h"
#include "ingest/kt-log.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_log_reader *r;
	const struct kt_fix *fx;
	size_t off = 0, step = 1, n;

	if (kt_log_reader_new(&r) < 0)
		return 0;
	while (off < size) {
		size_t c = size - off < step ? size - off : step;
		if (kt_log_reader_feed(r, data + off, c) < 0)
			break;
		off += c;
		step = step * 3 + 1;
	}
	kt_log_reader_finish(r);
	fx = kt_log_reader_fixes(r, &n);
	for (size_t i = 1; i < n; i++)
		if (fx[i].t_us <= fx[i - 1].t_us)
			abort();
	kt_log_reader_free(r);
	return 0;
}
