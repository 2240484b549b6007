/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * check-output FILE...: each FILE must be a valid chart file by its name:
 *   *.png  PNG signature, an IHDR chunk first, width and height > 0
 *          (and at least 200 x 150: a chart, not an icon)
 *   *.pdf  starts with "%PDF-", ends (near the end) with "%%EOF"
 * Prints one line per bad file; exit status 1 if any is bad.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
check_png(const char *path, FILE *f)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char b[24];
	uint32_t w, h;

	if (fread(b, 1, sizeof(b), f) != sizeof(b) || memcmp(b, sig, 8) != 0) {
		printf("%s: no PNG signature\n", path);
		return -1;
	}
	if (memcmp(b + 12, "IHDR", 4) != 0) {
		printf("%s: first chunk is not IHDR\n", path);
		return -1;
	}
	w = (uint32_t) b[16] << 24 | (uint32_t) b[17] << 16 | (uint32_t) b[18] << 8 | b[19];
	h = (uint32_t) b[20] << 24 | (uint32_t) b[21] << 16 | (uint32_t) b[22] << 8 | b[23];
	if (w < 200 || h < 150 || w > 10000 || h > 10000) {
		printf("%s: implausible size %u x %u\n", path, w, h);
		return -1;
	}
	fseek(f, -12, SEEK_END);
	if (fread(b, 1, 12, f) != 12 || memcmp(b + 4, "IEND", 4) != 0) {
		printf("%s: no IEND chunk at the end (truncated)\n", path);
		return -1;
	}
	return 0;
}

static int
check_pdf(const char *path, FILE *f)
{
	char head[5], tail[1025];
	long size;
	size_t n;

	if (fread(head, 1, 5, f) != 5 || memcmp(head, "%PDF-", 5) != 0) {
		printf("%s: no %%PDF- header\n", path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > 1024 ? size - 1024 : 0, SEEK_SET);
	n = fread(tail, 1, 1024, f);
	tail[n] = '\0';
	for (size_t i = 0; i + 5 <= n; i++)
		if (!memcmp(tail + i, "%%EOF", 5))
			return 0;
	printf("%s: no %%%%EOF at the end (truncated)\n", path);
	return -1;
}

int
main(int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		const char *p = argv[i];
		size_t len = strlen(p);
		FILE *f = fopen(p, "rb");
		int r;

		if (!f) {
			printf("%s: missing\n", p);
			bad++;
			continue;
		}
		if (len > 4 && !strcmp(p + len - 4, ".png"))
			r = check_png(p, f);
		else if (len > 4 && !strcmp(p + len - 4, ".pdf"))
			r = check_pdf(p, f);
		else {
			printf("%s: unknown kind of file\n", p);
			r = -1;
		}
		fclose(f);
		if (r < 0)
			bad++;
	}
	return bad ? 1 : 0;
}
