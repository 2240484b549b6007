/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 the kicktrack authors */
/*
 * NMEA 0183 sentence decoder (RMC, GGA, VTG, GST, GSA, any talker) and the
 * vest's proprietary $PKTH / $PKTI sentences. Pure C99: no I/O, no malloc.
 * Unknown values are NaN (doubles) or -1 (ints), never 0. See nmea.md.
 */
#ifndef KT_NMEA_H
#define KT_NMEA_H

#include <stddef.h>
#include <stdint.h>

enum kt_nmea_type {
	KT_NMEA_UNKNOWN = 0,
	KT_NMEA_RMC,
	KT_NMEA_GGA,
	KT_NMEA_VTG,
	KT_NMEA_GST,
	KT_NMEA_GSA,
	KT_NMEA_PKTH,
	KT_NMEA_PKTI,
};

struct kt_nmea_time {    /* UTC; fields -1 when unknown */
	int hour, min, sec;
	int32_t usec;
};
struct kt_nmea_date {    /* fields -1 when unknown; year is four digits */
	int year, mon, day;
};

struct kt_nmea_rmc {
	struct kt_nmea_time time;
	struct kt_nmea_date date;
	char status;           /* 'A' valid, 'V' warning, 0 unknown */
	char mode;             /* FAA mode indicator (NMEA 2.3+), 0 if absent; 'N' = no fix */
	double lat_deg, lon_deg; /* NaN unknown */
	double speed_knots;    /* NaN unknown */
	double course_deg;     /* NaN unknown */
};
struct kt_nmea_gga {
	struct kt_nmea_time time;
	double lat_deg, lon_deg;
	int quality;           /* 0 invalid, 1 GPS, 2 DGPS, 4 RTK fixed, 5 RTK float, 6 DR; -1 unknown */
	int num_sv;            /* -1 unknown */
	double hdop;           /* NaN unknown */
	double alt_m;          /* above mean sea level, NaN unknown */
};
struct kt_nmea_vtg {
	double course_true_deg; /* NaN unknown */
	double speed_knots;     /* NaN unknown */
	double speed_kmh;       /* NaN unknown */
	char mode;
};
struct kt_nmea_gst {
	struct kt_nmea_time time;
	double rms, smaj_m, smin_m, orient_deg, lat_err_m, lon_err_m, alt_err_m; /* NaN unknown */
};
struct kt_nmea_gsa {
	char sel_mode;          /* 'M' / 'A', 0 unknown */
	int fix_mode;           /* 1 none, 2 2D, 3 3D; -1 unknown */
	int n_sats;             /* satellites used listed in this sentence */
	double pdop, hdop, vdop; /* NaN unknown */
};
struct kt_nmea_pkth {       /* $PKTH,<vest id>,<fw major.minor>,<unix start>*hh */
	char vest_id[9];        /* NUL-terminated, trailing spaces removed */
	uint16_t firmware;      /* 0x0103 for "1.3" */
	uint32_t start_unix;
};
struct kt_nmea_pkti {       /* $PKTI,<itow_ms>,<ax>,<ay>,<az>,<gx>,<gy>,<gz>*hh */
	uint32_t itow_ms;
	int16_t acc[3], gyr[3]; /* raw LSB as the vest's IMU reports them */
};

struct kt_nmea_sentence {
	enum kt_nmea_type type;
	char talker[3];         /* "GP", "GN", ... ("P" + NUL for proprietary) */
	union {
		struct kt_nmea_rmc rmc;
		struct kt_nmea_gga gga;
		struct kt_nmea_vtg vtg;
		struct kt_nmea_gst gst;
		struct kt_nmea_gsa gsa;
		struct kt_nmea_pkth pkth;
		struct kt_nmea_pkti pkti;
	} u;
};

/*
 * Decode one sentence as delivered by the framer ("$...*hh", no CR/LF, at
 * most 512 bytes; the checksum has been verified by the framer and is not
 * checked again, but "*hh" must end s). Returns 0 and fills *ret on
 * success, -ENOENT (as a negative number, see KT_E*) for an unknown sentence
 * type, -EBADMSG for malformed fields, -ERANGE for implausible values.
 * *ret is untouched on failure.
 */
int kt_nmea_decode(const char *s, size_t len, struct kt_nmea_sentence *ret);

#endif
