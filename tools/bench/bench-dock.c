/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * bench-dock: the cost of the dock download path per byte, without the link.
 *   1. decoding READ responses (frame CRC-32, chunk CRC-32, copy) in 1 KiB reads
 *   2. appending verified chunks to a kt_store download (pwrite, fsync and
 *      resume point every 256 KiB) and committing it (whole CRC re-read, link)
 * Prints MB/s and the CPU share one core needs for N vests at a byte rate.
 * Usage: bench-dock [MB] [STORE-DIR] [VESTS] [BYTES/S]   (defaults 64, $TMPDIR, 20, 11520)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kt_dock.h"
#include "store/kt-store.h"

static double
cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)atoi(argv[1]) : 64;
	const char *base = argc > 2 ? argv[2] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	double vests = argc > 3 ? atof(argv[3]) : 20, rate = argc > 4 ? atof(argv[4]) : 11520;
	size_t size = mb * 1024 * 1024, n_frames, stream_len = 0, got = 0;
	uint8_t *session, *stream;
	static struct kt_dock_decoder d;
	struct kt_store *st;
	struct kt_store_download *dl;
	char root[512], cmd[600];
	double c0, w0, dec_cpu, store_cpu, store_wall;
	uint32_t crc;
	int r;

	if (mb == 0 || mb > 2048 || vests <= 0 || rate <= 0) {
		fprintf(stderr, "usage: %s [MB 1..2048] [STORE-DIR] [VESTS] [BYTES/S]\n", argv[0]);
		return 2;
	}
	session = malloc(size);
	n_frames = (size + KT_DOCK_MAX_CHUNK - 1) / KT_DOCK_MAX_CHUNK;
	stream = malloc(n_frames * KT_DOCK_MAX_FRAME);
	if (!session || !stream)
		return 1;
	for (size_t i = 0; i < size; i++)
		session[i] = (uint8_t)(i * 2654435761u >> 13);
	crc = kt_crc32(0, session, size);

	/* the vest side, not timed */
	for (size_t off = 0; off < size; off += KT_DOCK_MAX_CHUNK) {
		uint8_t *f = stream + stream_len, *p = f + KT_DOCK_HEADER_LEN;
		size_t len = size - off < KT_DOCK_MAX_CHUNK ? size - off : KT_DOCK_MAX_CHUNK;
		struct kt_dock_read_resp rs = {.session_id = 1,
					       .offset = (uint32_t)off,
					       .size = (uint32_t)size,
					       .len = (uint16_t)len,
					       .data = session + off};
		int n = kt_dock_read_resp_encode(&rs, p, KT_DOCK_MAX_PAYLOAD);
		stream_len += (size_t)kt_dock_frame_encode(KT_DOCK_READ_RESP, (uint8_t)off, p,
							   (size_t)n, f, KT_DOCK_MAX_FRAME);
	}

	/* 1. decode */
	kt_dock_decoder_init(&d);
	c0 = cpu_s();
	for (size_t pos = 0; pos < stream_len; pos += 1024) {
		const uint8_t *p = stream + pos;
		size_t n = stream_len - pos < 1024 ? stream_len - pos : 1024;
		struct kt_dock_frame f;
		while (kt_dock_decoder_push(&d, &p, &n, &f) > 0) {
			struct kt_dock_read_resp rs;
			if (kt_dock_read_resp_decode(f.payload, f.len, &rs) == 0)
				got += rs.len;
		}
	}
	dec_cpu = cpu_s() - c0;
	if (got != size) {
		fprintf(stderr, "decoded %zu of %zu bytes\n", got, size);
		return 1;
	}

	/* 2. store */
	snprintf(root, sizeof(root), "%s/bench-dock-XXXXXX", base);
	if (!mkdtemp(root)) {
		perror(root);
		return 1;
	}
	r = kt_store_open(root, &st);
	if (r < 0) {
		fprintf(stderr, "cannot open store %s: %s\n", root, strerror(-r));
		return 1;
	}
	c0 = cpu_s();
	w0 = wall_s();
	r = kt_store_download_begin(st, "BENCH", 1, crc, (uint32_t)size, 0, &dl);
	for (size_t off = 0; r >= 0 && off < size; off += KT_DOCK_MAX_CHUNK) {
		size_t len = size - off < KT_DOCK_MAX_CHUNK ? size - off : KT_DOCK_MAX_CHUNK;
		r = kt_store_download_append(dl, (uint32_t)off, session + off, len,
					     kt_crc32(0, session + off, len));
	}
	if (r >= 0)
		r = kt_store_download_commit(dl, NULL);
	store_cpu = cpu_s() - c0;
	store_wall = wall_s() - w0;
	kt_store_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	if (r < 0) {
		fprintf(stderr, "store: %s\n", strerror(-r));
		return 1;
	}

	printf("bench-dock: %zu MiB session, %zu READ frames of %d data bytes\n", mb, n_frames,
	       KT_DOCK_MAX_CHUNK);
	printf("  decode (frame + chunk CRC):     %8.1f MB/s CPU\n", size / 1e6 / dec_cpu);
	printf("  store (append, fsync, commit):  %8.1f MB/s CPU, %8.1f MB/s wall (%s)\n",
	       size / 1e6 / store_cpu, size / 1e6 / store_wall, base);
	printf("  %g vests at %g B/s need %.3f %% of one core for decode + store\n", vests, rate,
	       100.0 * vests * rate * (dec_cpu + store_cpu) / (double)size);
	free(session);
	free(stream);
	return 0;
}
