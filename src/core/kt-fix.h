/* SPDX-License-Identifier: EUPL-1.2 */
/* The host pipeline's record types: what ingest produces and core consumes. */
#ifndef KT_FIX_H
#define KT_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* All times are integer microseconds since the Unix epoch, UTC (GNSS time). */
#define KT_USEC_PER_SEC INT64_C(1000000)

enum kt_fix_quality {
	KT_FIX_NONE = 0,   /* no fix / invalid */
	KT_FIX_DR,         /* dead reckoning only */
	KT_FIX_2D,
	KT_FIX_3D,         /* GNSS 3D, or NMEA GGA quality 1 */
	KT_FIX_DGPS,       /* differential (GGA 2) */
	KT_FIX_RTK_FLOAT,  /* GGA 5 */
	KT_FIX_RTK_FIXED,  /* GGA 4 */
};

/* One GNSS epoch, assembled from all sentences/messages with the same time.
 * Unknown doubles are NaN, unknown ints -1. */
struct kt_fix {
	int64_t t_us;
	double lat_deg, lon_deg;
	double alt_m;
	double speed_mps;      /* Doppler ground speed (RMC/VTG speed, NAV-PVT gSpeed) */
	double course_deg;
	double hdop, pdop;
	double hacc_m;         /* horizontal accuracy (NAV-PVT hAcc, or GST) */
	double sacc_mps;       /* speed accuracy (NAV-PVT sAcc) */
	int num_sv;
	enum kt_fix_quality quality;
};

/* One IMU sample, converted to physical units. */
struct kt_imu_sample {
	int64_t t_us;
	float acc_g[3];        /* x, y, z in g */
	float gyr_dps[3];      /* x, y, z in deg/s */
};

bool kt_fix_is_valid(const struct kt_fix *f);

#endif
