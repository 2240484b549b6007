/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What the club tells us about a session: the roster (which vest a player
 * wore) and the pitch file (where the pitch is). Both formats are described
 * in man/kicktrack-process.1 and samples/README.md.
 */
#ifndef KT_CLUB_H
#define KT_CLUB_H

#include <stddef.h>

#include "core/kt-core.h"

struct kt_ini_error; /* util/kt-ini.h */

/* ---- roster.csv: vest_id,player,number,position (header line, UTF-8) ---- */

struct kt_roster_entry {
	char *vest_id, *player, *number, *position;
	unsigned line;
};

struct kt_roster {
	struct kt_roster_entry *entries;
	size_t n;
	unsigned bad_lines;    /* lines skipped (each logged as "file:line: ...") */
	bool cp1252;           /* not UTF-8: read as Windows-1252 (kt_cp1252_to_utf8) */
};

/* Read a roster with libcsv (strict). Bad lines are logged and skipped (the
 * first few named as "file:line: ...", then "... and N more bad lines").
 * Returns the number of bad lines (>= 0), or -errno when the file cannot be
 * read at all, not logged: the caller says so once, with
 * kt_read_file_error() (-EMEDIUMTYPE: binary data, e.g. a vest log given by
 * mistake). Lines end with LF, CR LF or a lone CR (a Mac export); a line
 * is one row. A UTF-8 BOM and ';' as separator (German Excel) are
 * accepted, and a file in Windows-1252 (kt_cp1252_to_utf8: German Excel's
 * plain CSV) is read as such, with ret->cp1252 set. A first line naming a vest id column (vest_id, Weste, ...) is a
 * header: columns are then taken by name, in any order, others ignored;
 * without one, every line is vest_id,player,number,position. */
int kt_roster_load(const char *path, struct kt_roster *ret);
const struct kt_roster_entry *kt_roster_find(const struct kt_roster *r, const char *vest_id);
void kt_roster_clear(struct kt_roster *r);

/* ---- pitch.ini ----
 * [pitch]
 * name = Sportpark Nord, Platz 2
 * length_m = 105
 * width_m = 68
 * corner1 = 51.9601234, 7.6201234   # lat, lon: x=0, y=0
 * corner2 = ...                     # x=length, y=0 (same touchline)
 * corner3 = ...                     # x=length, y=width
 * corner4 = ...                     # x=0, y=width
 */
#define KT_PITCH_NAME_MAX 128

/* Returns 0, or -errno / -EBADMSG, not logged: *why (if not NULL) then says
 * what is wrong and where, for the caller to say once. */
int kt_pitch_file_load(const char *path, struct kt_pitch *ret, char ret_name[KT_PITCH_NAME_MAX],
		       struct kt_ini_error *why);
/* Write atomically; comment (may be NULL, may contain '\n') goes first as
 * '#' lines. Returns 0 or -errno (not logged). */
int kt_pitch_file_write(const char *path, const struct kt_pitch *p, const char *name,
			const char *comment);

/* Great-circle-free small distance (equirectangular), metres. */
double kt_club_distance_m(double lat1, double lon1, double lat2, double lon2);

#endif
