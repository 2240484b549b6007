/* SPDX-License-Identifier: EUPL-1.2 */
/* kicktrack decode: a log's fixes (and IMU samples) as CSV, with a summary of
 * what was rejected and why. See man/kicktrack-decode.1. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ingest/kt-log.h"
#include "kt-cli.h"
#include "util/kt-log.h"
#include "util/kt-strutil.h"

static const char *const quality_names[] = {
	[KT_FIX_NONE] = "none",
	[KT_FIX_DR] = "dr",
	[KT_FIX_2D] = "2d",
	[KT_FIX_3D] = "3d",
	[KT_FIX_DGPS] = "dgps",
	[KT_FIX_RTK_FLOAT] = "rtk-float",
	[KT_FIX_RTK_FIXED] = "rtk-fixed",
};

static void
help(FILE *f)
{
	fprintf(f,
		"Usage: kicktrack decode [--imu] [--summary-only] FILE...\n"
		"Print the fixes of vest logs (NMEA 0183 text, u-blox UBX binary or a mix,\n"
		"recognised by content) as CSV on standard output, and a summary per file\n"
		"on standard error. Each FILE must be a regular file (not a device or a\n"
		"pipe).\n\n"
		"Options:\n"
		"  --imu            also print the IMU samples of each file, as a second\n"
		"                   CSV table after its fixes\n"
		"  --summary-only   print only the summaries, no CSV\n"
		"  -h, --help       show this help\n"
		"  -V, --version    show the version\n\n"
		"Output: for each FILE a line '# file: FILE', then the header\n"
		"  utc,lat,lon,speed_mps,course_deg,quality,num_sv,hdop,pdop,hacc_m,sacc_mps\n"
		"and one line per fix (epoch). utc is ISO 8601, rounded to the millisecond, lat/lon\n"
		"in degrees (WGS84), quality one of none, dr, 2d, 3d, dgps, rtk-float,\n"
		"rtk-fixed. A field the log does not give is empty. With --imu an empty\n"
		"line, '# imu: FILE' and the header\n"
		"  utc,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n"
		"follow, one line per IMU sample.\n"
		"The summary counts bytes, frames, fixes, IMU samples and rejects by reason\n"
		"(checksum, truncated, too-long, malformed, unknown-type, implausible,\n"
		"garbage-bytes).\n\n"
		"Exit status: 0 all files decoded, 1 no file could be decoded, 2 usage\n"
		"error, 3 some files could not be decoded (each is named on stderr).\n"
		"See kicktrack-decode(1).\n");
}

static const char *
describe(int r)
{
	switch (r) {
	case -ENOENT: return "no such file";
	case -EISDIR: return "is a directory, not a log file";
	case -EINVAL: return "not a regular file (a device or a pipe?)";
	case -ENODATA: return "file is empty";
	case -EBADMSG: return "no NMEA sentence or UBX frame found (not a vest log?)";
	case -EACCES: return "permission denied";
	default: return NULL;
	}
}

static void
put_num(FILE *out, double v, int decimals)
{
	char b[64];
	fputc(',', out);
	fputs(kt_fmt_double(b, sizeof(b), v, decimals, false), out);
}

static void
print_fixes(FILE *out, const struct kt_log *l)
{
	char t[64];

	fprintf(out, "# file: %s\n", l->path);
	fputs("utc,lat,lon,speed_mps,course_deg,quality,num_sv,hdop,pdop,hacc_m,sacc_mps\n", out);
	for (size_t i = 0; i < l->n_fixes; i++) {
		const struct kt_fix *f = &l->fixes[i];
		fputs(kt_fmt_utc(t, sizeof(t), f->t_us + 500, 3), out); /* rounded to the ms */
		put_num(out, f->lat_deg, 9);
		put_num(out, f->lon_deg, 9);
		put_num(out, f->speed_mps, 3);
		put_num(out, f->course_deg, 2);
		fprintf(out, ",%s,", (unsigned)f->quality < sizeof(quality_names) / sizeof(quality_names[0])
					     ? quality_names[f->quality] : "");
		if (f->num_sv >= 0)
			fprintf(out, "%d", f->num_sv);
		put_num(out, f->hdop, 2);
		put_num(out, f->pdop, 2);
		put_num(out, f->hacc_m, 3);
		put_num(out, f->sacc_mps, 3);
		fputc('\n', out);
	}
}

static void
print_imu(FILE *out, const struct kt_log *l)
{
	char t[64];

	fprintf(out, "\n# imu: %s\n", l->path);
	fputs("utc,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n", out);
	for (size_t i = 0; i < l->n_imu; i++) {
		const struct kt_imu_sample *s = &l->imu[i];
		fputs(kt_fmt_utc(t, sizeof(t), s->t_us + 500, 3), out);
		for (int k = 0; k < 3; k++)
			put_num(out, s->acc_g[k], 4);
		for (int k = 0; k < 3; k++)
			put_num(out, s->gyr_dps[k], 2);
		fputc('\n', out);
	}
}

static void
print_summary(FILE *err, const struct kt_log *l)
{
	uint64_t rej = 0;

	fprintf(err, "%s:", l->path);
	if (l->header.present)
		fprintf(err, " vest %s firmware %u.%u,", l->header.vest_id,
			l->header.firmware >> 8, l->header.firmware & 0xff);
	fprintf(err, " %" PRIu64 " bytes, %" PRIu64 " NMEA + %" PRIu64 " UBX frames, %zu fixes, %zu IMU samples",
		l->stats.bytes, l->stats.frames_nmea, l->stats.frames_ubx, l->n_fixes, l->n_imu);
	for (int i = 0; i < _KT_REJECT_MAX; i++)
		rej += l->stats.rejected[i];
	if (rej == 0) {
		fputs(", nothing rejected\n", err);
		return;
	}
	fputs("; rejected:", err);
	for (int i = 0; i < _KT_REJECT_MAX; i++)
		if (l->stats.rejected[i])
			fprintf(err, " %s %" PRIu64, kt_reject_reason_to_str(i), l->stats.rejected[i]);
	fputc('\n', err);
}

int
kt_cmd_decode(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "imu", no_argument, NULL, 'i' },
		{ "summary-only", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	bool imu = false, summary_only = false;
	int c, failed = 0, nfiles;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hV", opts, NULL)) >= 0) {
		switch (c) {
		case 'i': imu = true; break;
		case 's': summary_only = true; break;
		case 'h': help(stdout); return KT_EXIT_OK;
		case 'V': return kt_cli_version();
		default: return kt_cli_bad_option("decode", c, argv, opts);
		}
	}
	nfiles = argc - optind;
	if (nfiles <= 0) {
		log_error("decode: no FILE given (try 'kicktrack decode --help')");
		return KT_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (kt_cli_empty_name("decode", "a FILE", argv[i]))
			return KT_EXIT_USAGE;
	for (int i = optind; i < argc; i++) {
		struct kt_log l;
		int r = kt_log_read(argv[i], &l);
		if (r < 0) {
			const char *d = describe(r);
			if (d)
				log_error("%s: %s", argv[i], d);
			else
				log_error_errno(r, "%s: cannot read: %m", argv[i]);
			failed++;
			continue;
		}
		if (!summary_only) {
			print_fixes(stdout, &l);
			if (imu)
				print_imu(stdout, &l);
		}
		print_summary(stderr, &l);
		kt_log_clear(&l);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("decode: cannot write to standard output: %s", strerror(errno));
		return KT_EXIT_FAILURE;
	}
	if (failed == nfiles)
		return KT_EXIT_FAILURE;
	return failed ? KT_EXIT_PARTIAL : KT_EXIT_OK;
}
