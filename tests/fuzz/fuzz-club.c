/* SPDX-License-Identifier: EUPL-1.2 */
/* The roster, pitch and config file readers of 'kicktrack process' on
 * arbitrary bytes. The first byte chooses the reader; the rest is the file.
 * A roster entry must hold four strings; an accepted pitch must be valid. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "report/kt-club.h"
#include "report/kt-pipeline.h"
#include "util/kt-log.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd;

	if (size < 1)
		return 0;
	kt_log_set_level(0); /* bad input is expected: no messages */
	fd = memfd_create("fuzz-club", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	switch (data[0] % 3) {
	case 0: {
		struct kt_roster r;
		if (kt_roster_load(path, &r) >= 0) {
			for (size_t i = 0; i < r.n; i++)
				if (!r.entries[i].vest_id || !r.entries[i].player ||
				    !r.entries[i].number || !r.entries[i].position || !*r.entries[i].vest_id)
					abort();
			kt_roster_clear(&r);
		}
		break;
	}
	case 1: {
		struct kt_pitch p;
		char name[KT_PITCH_NAME_MAX];
		if (kt_pitch_file_load(path, &p, name, NULL) == 0 && kt_pitch_validate(&p) < 0)
			abort();
		break;
	}
	default: {
		struct kt_pipeline_opts o;
		kt_pipeline_opts_init(&o);
		if (kt_pipeline_opts_load_config(&o, path, false) == 0 &&
		    !(o.params.zone_kmh[0] < o.params.zone_kmh[1] && o.params.zone_kmh[1] < o.params.zone_kmh[2] &&
		      o.params.zone_kmh[2] < o.params.zone_kmh[3]))
			abort();
		break;
	}
	}
	close(fd);
	return 0;
}
