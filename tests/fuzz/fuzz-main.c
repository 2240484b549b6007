/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Replays fuzz corpus files through LLVMFuzzerTestOneInput as an ordinary
 * test (systemd src/fuzz/fuzz-main.c shape): arguments are files or
 * directories of files. Used when the project is not built with -Dfuzzing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t r;
		if (n == cap) {
			uint8_t *q;
			cap = cap ? cap * 2 : 65536;
			q = realloc(buf, cap);
			if (!q) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = q;
		}
		r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	printf("ok %s (%zu bytes)\n", path, n);
	return 0;
}

static int
run_path(const char *path)
{
	struct stat st;
	struct dirent **ents;
	int n, r = 0, count = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			char p[4096];
			snprintf(p, sizeof(p), "%s/%s", path, ents[i]->d_name);
			if (run_path(p) < 0)
				r = -1;
			count++;
		}
		free(ents[i]);
	}
	free(ents);
	if (count == 0) {
		fprintf(stderr, "%s: empty corpus directory\n", path);
		return -1;
	}
	return r;
}

int
main(int argc, char **argv)
{
	int r = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i]) < 0)
			r = 1;
	return r;
}
