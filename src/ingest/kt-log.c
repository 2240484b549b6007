/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Epoch assembly. NMEA spreads one epoch over several sentences: those with a
 * time (RMC, GGA, GST) are keyed by their UTC time of day; those without
 * (VTG, GSA) belong to the epoch being assembled. A sentence with another
 * time closes the epoch. NAV-PVT carries a whole epoch and merges into a
 * pending NMEA epoch of the same time (mixed logs). Fixes whose date is not
 * known yet (GGA before the first RMC) are kept with their time of day and
 * dated as soon as a date arrives. IMU samples carry GPS time of week; they
 * are converted with the latest fix (or the session header) as reference,
 * and kept raw until one is known.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/kt-log.h"
#include "kt_nmea.h"
#include "kt_ubx.h"
#include "util/kt-sha256.h"
#include "util/kt-strutil.h"

#define USEC_PER_DAY (INT64_C(86400) * KT_USEC_PER_SEC)
#define GPS_EPOCH_UNIX INT64_C(315964800)      /* 1980-01-06T00:00:00Z */
#define USEC_PER_WEEK (INT64_C(604800) * KT_USEC_PER_SEC)

struct epoch {
	bool open;
	int64_t tod_us;         /* UTC time of day */
	int64_t day;            /* days since 1970, -1 unknown */
	struct kt_fix fix;
	int gga_quality;        /* -1 unknown */
	char rmc_status, rmc_mode;
	int gsa_mode;           /* -1 unknown */
	int pvt_quality;        /* enum kt_fix_quality from NAV-PVT, -1 none */
};

struct kt_log_reader {
	struct kt_framer framer;
	struct kt_log_header header;
	struct kt_log_stats stats;

	struct epoch ep;
	int64_t last_day;       /* date of the latest epoch, -1 unknown */
	int64_t last_tod_us;    /* time of day of the latest epoch, -1 unknown */

	struct kt_fix *fixes;
	size_t n_fixes, cap_fixes;
	size_t first_undated;   /* fixes[first_undated..] have t_us = time of day only */
	bool have_undated;

	struct kt_imu_sample *imu;
	size_t n_imu, cap_imu;
	size_t first_unresolved; /* imu[first_unresolved..] have t_us = GPS tow in us */
	bool have_unresolved;
	size_t imu_disorder;    /* lowest i with imu[i].t_us <= imu[i - 1].t_us among the
	                         * samples with their final time, SIZE_MAX none */
	int64_t ref_unix_us;    /* reference time for itow, -1 none */
	int64_t ref_gps_us;     /* ... as GPS time (leap seconds applied) */
	int64_t ref_week_us;    /* ... the start of its GPS week */

	struct kt_ubx_imu_batch batch;  /* scratch, too big for the stack */
};

int64_t
kt_gps_itow_to_unix_us(uint32_t itow_ms, int64_t ref_unix_us, int leap_s)
{
	int64_t gps_ref = ref_unix_us - GPS_EPOCH_UNIX * KT_USEC_PER_SEC + (int64_t)leap_s * KT_USEC_PER_SEC;
	int64_t week = gps_ref >= 0 ? gps_ref / USEC_PER_WEEK : -((-gps_ref + USEC_PER_WEEK - 1) / USEC_PER_WEEK);
	int64_t t = week * USEC_PER_WEEK + (int64_t)itow_ms * 1000;

	/* Pick the week that puts the sample nearest to the reference. */
	if (t - gps_ref > USEC_PER_WEEK / 2)
		t -= USEC_PER_WEEK;
	else if (gps_ref - t > USEC_PER_WEEK / 2)
		t += USEC_PER_WEEK;
	return t + GPS_EPOCH_UNIX * KT_USEC_PER_SEC - (int64_t)leap_s * KT_USEC_PER_SEC;
}

static void
fix_init(struct kt_fix *f)
{
	f->t_us = 0;
	f->lat_deg = f->lon_deg = f->alt_m = NAN;
	f->speed_mps = f->course_deg = NAN;
	f->hdop = f->pdop = f->hacc_m = f->sacc_mps = NAN;
	f->num_sv = -1;
	f->quality = KT_FIX_NONE;
}

int
kt_log_reader_new(struct kt_log_reader **ret)
{
	struct kt_log_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	kt_framer_init(&r->framer);
	/* kt_nmea_decode() takes a length: no copy to NUL-terminate (the
	 * sentences of an NMEA log are most of its frames) */
	r->framer.nmea_in_place = 1;
	r->last_day = -1;
	r->last_tod_us = -1;
	r->ref_unix_us = -1;
	r->imu_disorder = SIZE_MAX;
	*ret = r;
	return 0;
}

struct kt_log_reader *
kt_log_reader_free(struct kt_log_reader *r)
{
	if (!r)
		return NULL;
	free(r->fixes);
	free(r->imu);
	free(r);
	return NULL;
}

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n;
	void *q;
	if (need <= *cap)
		return 0;
	n = *cap ? *cap * 2 : 256;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* ---- IMU ---- */

/* Note whether imu[i] (with its final time) comes after imu[i - 1]: the
 * pipeline then need not scan the whole array for the order afterwards,
 * while the samples are in the cache now. */
static inline void
note_imu_order(struct kt_log_reader *r, size_t i)
{
	if (i > 0 && i < r->imu_disorder && r->imu[i].t_us <= r->imu[i - 1].t_us)
		r->imu_disorder = i;
}

static void
resolve_imu(struct kt_log_reader *r)
{
	if (!r->have_unresolved || r->ref_unix_us < 0)
		return;
	for (size_t i = r->first_unresolved; i < r->n_imu; i++) {
		int64_t tow_us = r->imu[i].t_us;
		r->imu[i].t_us = kt_gps_itow_to_unix_us((uint32_t)(tow_us / 1000), r->ref_unix_us,
							  KT_GPS_LEAP_SECONDS) + tow_us % 1000;
		note_imu_order(r, i);
	}
	r->have_unresolved = false;
}

static void
set_reference(struct kt_log_reader *r, int64_t unix_us)
{
	int64_t gps_ref = unix_us - GPS_EPOCH_UNIX * KT_USEC_PER_SEC + (int64_t)KT_GPS_LEAP_SECONDS * KT_USEC_PER_SEC;
	int64_t week = gps_ref >= 0 ? gps_ref / USEC_PER_WEEK : -((-gps_ref + USEC_PER_WEEK - 1) / USEC_PER_WEEK);

	r->ref_unix_us = unix_us;
	r->ref_gps_us = gps_ref;
	r->ref_week_us = week * USEC_PER_WEEK;
	resolve_imu(r);
}

/* kt_gps_itow_to_unix_us(itow_ms, r->ref_unix_us, KT_GPS_LEAP_SECONDS) with
 * the reference's week worked out once (set_reference), not per sample */
static inline int64_t
itow_to_unix_us(const struct kt_log_reader *r, uint32_t itow_ms)
{
	int64_t t = r->ref_week_us + (int64_t)itow_ms * 1000;

	if (t - r->ref_gps_us > USEC_PER_WEEK / 2)
		t -= USEC_PER_WEEK;
	else if (r->ref_gps_us - t > USEC_PER_WEEK / 2)
		t += USEC_PER_WEEK;
	return t + GPS_EPOCH_UNIX * KT_USEC_PER_SEC - (int64_t)KT_GPS_LEAP_SECONDS * KT_USEC_PER_SEC;
}

/* The gyro scale as a multiplication: for every int16 raw value,
 * (float)(raw * (1 / 16.4)) is (float)(raw / 16.4) (checked for all 65536 in
 * tests/unit/ingest/test-log.c), and a multiplication costs a fraction of a
 * division, three of which per sample were a visible share of reading a
 * UBX log. The accelerometer's 2048 is a power of two: exact either way. */
static const double gyr_dps_per_lsb = 1.0 / KT_IMU_GYR_LSB_PER_DPS;

static const float acc_g_per_lsb = (float)(1.0 / KT_IMU_ACC_LSB_PER_G);

/* Written out for the three axes (the loop was kept as a loop). An int16
 * divided by 2048 is exact in float as in double, so the accelerometer is
 * scaled in float, one conversion fewer, with the same values. */
static inline void
imu_scale(struct kt_imu_sample *s, const int16_t acc[3], const int16_t gyr[3])
{
	s->acc_g[0] = (float)acc[0] * acc_g_per_lsb;
	s->acc_g[1] = (float)acc[1] * acc_g_per_lsb;
	s->acc_g[2] = (float)acc[2] * acc_g_per_lsb;
	s->gyr_dps[0] = (float)(gyr[0] * gyr_dps_per_lsb);
	s->gyr_dps[1] = (float)(gyr[1] * gyr_dps_per_lsb);
	s->gyr_dps[2] = (float)(gyr[2] * gyr_dps_per_lsb);
}

/* one sample at GPS time of week tow_us into r->imu[r->n_imu], which must exist */
static inline void
put_imu(struct kt_log_reader *r, int64_t tow_us, const int16_t acc[3], const int16_t gyr[3])
{
	struct kt_imu_sample *s = &r->imu[r->n_imu];

	if (r->ref_unix_us >= 0) {
		s->t_us = itow_to_unix_us(r, (uint32_t)(tow_us / 1000)) + tow_us % 1000;
		note_imu_order(r, r->n_imu);
	} else {
		if (!r->have_unresolved) {
			r->have_unresolved = true;
			r->first_unresolved = r->n_imu;
		}
		s->t_us = tow_us;
	}
	imu_scale(s, acc, gyr);
	r->n_imu++;
}

/* A $PKTI sample. The values are passed as the decoder wrote them, one
 * int16 at a time: copied into an array first, they were read back as
 * wider words than were stored, a store-forwarding stall per sample. */
static int
add_imu_pkti(struct kt_log_reader *r, const struct kt_nmea_pkti *m)
{
	int k;

	k = grow((void **)&r->imu, &r->cap_imu, r->n_imu + 1, sizeof(*r->imu));
	if (k < 0)
		return k;
	put_imu(r, (int64_t)m->itow_ms * 1000, m->acc, m->gyr);
	return 0;
}

/* A UBX IMU batch (100 samples a second per vest, the bulk of a log): room
 * for all of it at once, and sample i's offset i * 1 s / rate (rounded
 * down) stepped by quotient and remainder instead of divided out.
 * With a time reference, put_imu() gives sample i
 *   itow_to_unix_us(tow / 1000) + tow % 1000 = week + tow + wrap + const
 * (tow = tow0 + offset >= 0), where wrap (-1, 0 or +1 week) is a step
 * function of tow that only changes downwards as tow grows: when the first
 * and the last sample of the batch get the same wrap, every sample's time
 * is the first one's plus its offset. */
static int
add_imu_batch(struct kt_log_reader *r, const struct kt_ubx_imu_batch *b)
{
	const uint32_t step = UINT32_C(1000000) / b->rate_hz, step_rem = UINT32_C(1000000) % b->rate_hz;
	int64_t tow0 = (int64_t)b->itow_ms * 1000;
	uint32_t off = 0, rem = 0;
	int k;

	k = grow((void **)&r->imu, &r->cap_imu, r->n_imu + b->count, sizeof(*r->imu));
	if (k < 0)
		return k;
	if (b->count == 0)
		return 0;
	if (r->ref_unix_us >= 0) {
		uint32_t last_off = (uint32_t)(b->count - 1) * UINT32_C(1000000) / b->rate_hz;
		int64_t last = tow0 + last_off;
		int64_t t0 = itow_to_unix_us(r, b->itow_ms);

		if (itow_to_unix_us(r, (uint32_t)(last / 1000)) + last % 1000 == t0 + last_off) {
			struct kt_imu_sample *s = &r->imu[r->n_imu];
			for (unsigned i = 0; i < b->count; i++, s++) {
				s->t_us = t0 + off;
				imu_scale(s, b->s[i], b->s[i] + 3);
				off += step;
				rem += step_rem;
				if (rem >= b->rate_hz) {
					rem -= b->rate_hz;
					off++;
				}
			}
			/* within the batch the offsets grow by at least 100 us
			 * (rate <= 10000 Hz): only its first sample can be out
			 * of order */
			note_imu_order(r, r->n_imu);
			r->n_imu += b->count;
			return 0;
		}
	}
	for (unsigned i = 0; i < b->count; i++) {
		put_imu(r, tow0 + off, b->s[i], b->s[i] + 3);
		off += step;
		rem += step_rem;
		if (rem >= b->rate_hz) {
			rem -= b->rate_hz;
			off++;
		}
	}
	return 0;
}

/* ---- Epochs ---- */

static enum kt_fix_quality
epoch_quality(const struct epoch *e)
{
	enum kt_fix_quality q;

	if (e->pvt_quality >= 0)
		return (enum kt_fix_quality)e->pvt_quality;
	if (e->gga_quality == 0 || e->rmc_status == 'V' || e->rmc_mode == 'N' || e->gsa_mode == 1)
		return KT_FIX_NONE;
	switch (e->gga_quality) {
	case 2: q = KT_FIX_DGPS; break;
	case 4: q = KT_FIX_RTK_FIXED; break;
	case 5: q = KT_FIX_RTK_FLOAT; break;
	case 6: return KT_FIX_DR;
	case -1:
		if (e->rmc_status != 'A')
			return e->gsa_mode >= 2 ? (e->gsa_mode == 2 ? KT_FIX_2D : KT_FIX_3D) : KT_FIX_NONE;
		switch (e->rmc_mode) {
		case 'E': return KT_FIX_DR;
		case 'D': q = KT_FIX_DGPS; break;
		case 'R': q = KT_FIX_RTK_FIXED; break;
		case 'F': q = KT_FIX_RTK_FLOAT; break;
		default: q = KT_FIX_3D; break;
		}
		break;
	default: q = KT_FIX_3D; break;
	}
	if (q == KT_FIX_3D && e->gsa_mode == 2)
		q = KT_FIX_2D;
	return q;
}

static void
date_undated(struct kt_log_reader *r, int64_t day, int64_t tod_us)
{
	/* Walk back from the dated epoch: a time of day later than the next
	 * one's means the day before (midnight in between). */
	int64_t d = day, next_tod = tod_us;
	if (!r->have_undated)
		return;
	for (size_t i = r->n_fixes; i-- > r->first_undated;) {
		int64_t tod = r->fixes[i].t_us;
		if (tod > next_tod)
			d--;
		r->fixes[i].t_us = d * USEC_PER_DAY + tod;
		next_tod = tod;
	}
	r->have_undated = false;
}

static int
flush_epoch(struct kt_log_reader *r)
{
	struct epoch *e = &r->ep;
	struct kt_fix *f;
	int64_t day = e->day;
	int k;

	if (!e->open)
		return 0;
	e->open = false;

	if (day < 0 && r->last_day >= 0) {
		day = r->last_day;
		if (r->last_tod_us >= 0 && e->tod_us + USEC_PER_DAY / 2 < r->last_tod_us)
			day++;          /* passed midnight without a new date */
	}
	if (day >= 0) {
		int64_t t = day * USEC_PER_DAY + e->tod_us;
		date_undated(r, day, e->tod_us);
		/* Time must move forward; a repeated or older epoch is dropped. */
		if (r->n_fixes > 0 && !r->have_undated && t <= r->fixes[r->n_fixes - 1].t_us) {
			r->stats.rejected[KT_REJECT_IMPLAUSIBLE]++;
			return 0;
		}
		e->fix.t_us = t;
		r->last_day = day;
	} else {
		if (!r->have_undated) {
			r->have_undated = true;
			r->first_undated = r->n_fixes;
		}
		e->fix.t_us = e->tod_us;
	}
	r->last_tod_us = e->tod_us;

	k = grow((void **)&r->fixes, &r->cap_fixes, r->n_fixes + 1, sizeof(*r->fixes));
	if (k < 0)
		return k;
	f = &r->fixes[r->n_fixes++];
	*f = e->fix;
	f->quality = epoch_quality(e);
	if (day >= 0)
		set_reference(r, f->t_us);
	return 0;
}

/* Make the pending epoch the one at tod_us (and day, -1 unknown). */
static int
open_epoch(struct kt_log_reader *r, int64_t tod_us, int64_t day)
{
	struct epoch *e = &r->ep;
	if (e->open && e->tod_us == tod_us) {
		if (day >= 0)
			e->day = day;
		return 0;
	}
	if (e->open) {
		int k = flush_epoch(r);
		if (k < 0)
			return k;
	}
	e->open = true;
	e->tod_us = tod_us;
	e->day = day;
	fix_init(&e->fix);
	e->gga_quality = -1;
	e->rmc_status = e->rmc_mode = 0;
	e->gsa_mode = -1;
	e->pvt_quality = -1;
	return 0;
}

static int64_t
tod_of(const struct kt_nmea_time *t)
{
	return ((int64_t)t->hour * 3600 + t->min * 60 + t->sec) * KT_USEC_PER_SEC + t->usec;
}

static void
set_if_known(double *dst, double v)
{
	if (!isnan(v))
		*dst = v;
}

static int
handle_nmea(struct kt_log_reader *r, const char *s, size_t len)
{
	struct kt_nmea_sentence n;
	struct epoch *e = &r->ep;
	int k;

	k = kt_nmea_decode(s, len, &n);
	if (k == -ENOENT) {
		r->stats.rejected[KT_REJECT_UNKNOWN]++;
		return 0;
	}
	if (k == -ERANGE) {
		r->stats.rejected[KT_REJECT_IMPLAUSIBLE]++;
		return 0;
	}
	if (k < 0) {
		r->stats.rejected[KT_REJECT_MALFORMED]++;
		return 0;
	}

	switch (n.type) {
	case KT_NMEA_RMC: {
		const struct kt_nmea_rmc *m = &n.u.rmc;
		int64_t day = -1;
		if (m->time.hour < 0)
			return 0;       /* no time: cannot place it */
		if (m->date.year > 0)
			day = kt_utc_to_unix(m->date.year, m->date.mon, m->date.day, 0, 0, 0) / 86400;
		k = open_epoch(r, tod_of(&m->time), day);
		if (k < 0)
			return k;
		e->rmc_status = m->status;
		e->rmc_mode = m->mode;
		set_if_known(&e->fix.lat_deg, m->lat_deg);
		set_if_known(&e->fix.lon_deg, m->lon_deg);
		if (!isnan(m->speed_knots))
			e->fix.speed_mps = m->speed_knots * (1852.0 / 3600.0);
		set_if_known(&e->fix.course_deg, m->course_deg);
		break;
	}
	case KT_NMEA_GGA: {
		const struct kt_nmea_gga *m = &n.u.gga;
		if (m->time.hour < 0)
			return 0;
		k = open_epoch(r, tod_of(&m->time), -1);
		if (k < 0)
			return k;
		e->gga_quality = m->quality;
		set_if_known(&e->fix.lat_deg, m->lat_deg);
		set_if_known(&e->fix.lon_deg, m->lon_deg);
		set_if_known(&e->fix.alt_m, m->alt_m);
		set_if_known(&e->fix.hdop, m->hdop);
		if (m->num_sv >= 0)
			e->fix.num_sv = m->num_sv;
		break;
	}
	case KT_NMEA_GST: {
		const struct kt_nmea_gst *m = &n.u.gst;
		if (m->time.hour < 0)
			return 0;
		k = open_epoch(r, tod_of(&m->time), -1);
		if (k < 0)
			return k;
		if (!isnan(m->lat_err_m) && !isnan(m->lon_err_m))
			e->fix.hacc_m = sqrt(m->lat_err_m * m->lat_err_m + m->lon_err_m * m->lon_err_m);
		break;
	}
	case KT_NMEA_VTG:
		if (!e->open)
			return 0;
		if (isnan(e->fix.speed_mps)) {
			if (!isnan(n.u.vtg.speed_kmh))
				e->fix.speed_mps = n.u.vtg.speed_kmh / 3.6;
			else if (!isnan(n.u.vtg.speed_knots))
				e->fix.speed_mps = n.u.vtg.speed_knots * (1852.0 / 3600.0);
		}
		if (isnan(e->fix.course_deg))
			e->fix.course_deg = n.u.vtg.course_true_deg;
		if (n.u.vtg.mode == 'N' && e->rmc_mode == 0)
			e->rmc_mode = 'N';
		break;
	case KT_NMEA_GSA:
		if (!e->open)
			return 0;
		/* One GSA per constellation: the first one's DOPs are the
		 * solution's (they repeat the same values). */
		if (n.u.gsa.fix_mode >= 0 && (e->gsa_mode < 0 || n.u.gsa.fix_mode > e->gsa_mode))
			e->gsa_mode = n.u.gsa.fix_mode;
		if (isnan(e->fix.pdop))
			e->fix.pdop = n.u.gsa.pdop;
		if (isnan(e->fix.hdop))
			e->fix.hdop = n.u.gsa.hdop;
		break;
	case KT_NMEA_PKTH:
		r->header.present = true;
		memcpy(r->header.vest_id, n.u.pkth.vest_id, sizeof(r->header.vest_id));
		r->header.firmware = n.u.pkth.firmware;
		r->header.start_unix = n.u.pkth.start_unix;
		if (r->ref_unix_us < 0)
			set_reference(r, (int64_t)n.u.pkth.start_unix * KT_USEC_PER_SEC);
		break;
	case KT_NMEA_PKTI:
		return add_imu_pkti(r, &n.u.pkti);
	default:
		break;
	}
	return 0;
}

static int
handle_nav_pvt(struct kt_log_reader *r, const struct kt_ubx_nav_pvt *p)
{
	struct epoch *e = &r->ep;
	int64_t secs, t_us, day, tod;
	int q, k;

	if ((p->valid & 0x03) != 0x03)
		return 0;       /* no UTC date and time yet: cannot place it */
	secs = kt_utc_to_unix(p->year, p->month, p->day, p->hour, p->min, p->sec);
	/* nano may be negative; round to the microsecond. */
	t_us = secs * KT_USEC_PER_SEC + (p->nano >= 0 ? (p->nano + 500) / 1000 : -((-p->nano + 500) / 1000));
	day = t_us >= 0 ? t_us / USEC_PER_DAY : -1;
	if (day < 0)
		return 0;
	tod = t_us - day * USEC_PER_DAY;
	k = open_epoch(r, tod, day);
	if (k < 0)
		return k;

	if (!(p->flags & 0x01))
		q = KT_FIX_NONE;
	else {
		switch (p->fix_type) {
		case 1: q = KT_FIX_DR; break;
		case 2: q = KT_FIX_2D; break;
		case 3:
		case 4:
			switch ((p->flags >> 6) & 3) {
			case 1: q = KT_FIX_RTK_FLOAT; break;
			case 2: q = KT_FIX_RTK_FIXED; break;
			default: q = (p->flags & 0x02) ? KT_FIX_DGPS : KT_FIX_3D; break;
			}
			break;
		default: q = KT_FIX_NONE; break;
		}
	}
	e->pvt_quality = q;
	e->fix.lat_deg = p->lat_e7 * 1e-7;
	e->fix.lon_deg = p->lon_e7 * 1e-7;
	e->fix.alt_m = p->hmsl_mm * 1e-3;
	e->fix.speed_mps = p->gspeed_mms * 1e-3;
	e->fix.course_deg = p->head_mot_e5 * 1e-5;
	e->fix.hacc_m = p->hacc_mm * 1e-3;
	e->fix.sacc_mps = p->sacc_mms * 1e-3;
	e->fix.num_sv = p->num_sv;
	e->fix.pdop = p->pdop_e2 * 0.01;
	return 0;
}

static int
handle_ubx(struct kt_log_reader *r, const uint8_t *fr, size_t len)
{
	int k;

	if (fr[2] == KT_UBX_CLASS_NAV && fr[3] == KT_UBX_ID_NAV_PVT) {
		struct kt_ubx_nav_pvt p;
		k = kt_ubx_decode_nav_pvt(fr, len, &p);
		if (k >= 0)
			return handle_nav_pvt(r, &p);
	} else if (fr[2] == KT_UBX_CLASS_VEST && fr[3] == KT_UBX_ID_VEST_IMU) {
		struct kt_ubx_imu_batch *b = &r->batch;
		k = kt_ubx_decode_imu_batch(fr, len, b);
		if (k >= 0) {
			return add_imu_batch(r, b);
		}
	} else if (fr[2] == KT_UBX_CLASS_VEST && fr[3] == KT_UBX_ID_VEST_HEADER) {
		struct kt_ubx_vest_header h;
		k = kt_ubx_decode_vest_header(fr, len, &h);
		if (k >= 0) {
			r->header.present = true;
			memcpy(r->header.vest_id, h.vest_id, sizeof(r->header.vest_id));
			r->header.firmware = h.firmware;
			r->header.start_unix = h.start_unix;
			if (r->ref_unix_us < 0)
				set_reference(r, (int64_t)h.start_unix * KT_USEC_PER_SEC);
			return 0;
		}
	} else {
		r->stats.rejected[KT_REJECT_UNKNOWN]++;
		return 0;
	}
	r->stats.rejected[k == -ERANGE ? KT_REJECT_IMPLAUSIBLE : KT_REJECT_MALFORMED]++;
	return 0;
}

static void
sync_framer_stats(struct kt_log_reader *r)
{
	r->stats.bytes = r->framer.bytes_in;
	r->stats.frames_nmea = r->framer.frames_nmea;
	r->stats.frames_ubx = r->framer.frames_ubx;
}

/*
 * Frame and decode data[0..len); with sha, also hash it, a few 64-byte
 * blocks after each frame rather than all of it before: SHA-NI works
 * through one long chain of dependent rounds (about 2 cycles a byte) and
 * leaves the integer units idle meanwhile, so the framing and decoding
 * that follow each small piece of hashing run in its shadow. Hashed in one
 * go, the chunk took about 8% longer on the AMD EPYC development VM (one
 * NMEA vest log, framed, decoded and hashed); whole blocks only, so the
 * hash keeps no partial block between the pieces.
 */
static int
feed(struct kt_log_reader *r, struct kt_sha256 *sha, const uint8_t *data, size_t len)
{
	uint64_t before[_KT_REJECT_MAX];
	const uint8_t *hashed = data, *end = data + len;
	int k = 0;

	memcpy(before, r->framer.rejected, sizeof(before));
	while (len > 0) {
		enum kt_frame_type t;
		const uint8_t *fr;
		size_t fl;
		size_t n = kt_framer_push(&r->framer, data, len, &t, &fr, &fl);
		data += n;
		len -= n;
		if (t == KT_FRAME_NMEA)
			k = handle_nmea(r, (const char *)fr, fl);
		else if (t == KT_FRAME_UBX)
			k = handle_ubx(r, fr, fl);
		if (k < 0)
			break;
		if (sha && (size_t)(data - hashed) >= 64) {
			size_t h = (size_t)(data - hashed) & ~(size_t)63;
			kt_sha256_update(sha, hashed, h);
			hashed += h;
		}
	}
	if (sha)
		kt_sha256_update(sha, hashed, (size_t)(end - hashed));
	for (int i = 0; i < _KT_REJECT_MAX; i++)
		r->stats.rejected[i] += r->framer.rejected[i] - before[i];
	sync_framer_stats(r);
	return k;
}

int
kt_log_reader_feed(struct kt_log_reader *r, const uint8_t *data, size_t len)
{
	return feed(r, NULL, data, len);
}

int
kt_log_reader_finish(struct kt_log_reader *r)
{
	uint64_t before[_KT_REJECT_MAX];
	int k;

	memcpy(before, r->framer.rejected, sizeof(before));
	for (;;) {
		enum kt_frame_type t;
		const uint8_t *fr;
		size_t fl;
		if (kt_framer_flush(&r->framer, &t, &fr, &fl) <= 0)
			break;
		k = t == KT_FRAME_NMEA ? handle_nmea(r, (const char *)fr, fl) : handle_ubx(r, fr, fl);
		if (k < 0)
			return k;
	}
	for (int i = 0; i < _KT_REJECT_MAX; i++)
		r->stats.rejected[i] += r->framer.rejected[i] - before[i];
	sync_framer_stats(r);
	k = flush_epoch(r);
	if (k < 0)
		return k;
	/* Still undated: use the session header's date, else drop them. */
	if (r->have_undated) {
		if (r->header.present) {
			int64_t start = (int64_t)r->header.start_unix * KT_USEC_PER_SEC;
			int64_t day = start / USEC_PER_DAY;
			int64_t tod = r->fixes[r->first_undated].t_us;
			if (tod < start - day * USEC_PER_DAY)
				day++;
			/* date_undated walks backwards from a later epoch: date
			 * the first undated one and walk forward instead. */
			int64_t d = day, prev = -1;
			for (size_t i = r->first_undated; i < r->n_fixes; i++) {
				int64_t t = r->fixes[i].t_us;
				if (prev >= 0 && t < prev)
					d++;
				prev = t;
				r->fixes[i].t_us = d * USEC_PER_DAY + t;
			}
			r->have_undated = false;
			if (r->ref_unix_us < 0 && r->n_fixes > 0)
				set_reference(r, r->fixes[r->n_fixes - 1].t_us);
		} else {
			r->stats.rejected[KT_REJECT_IMPLAUSIBLE] += r->n_fixes - r->first_undated;
			r->n_fixes = r->first_undated;
			r->have_undated = false;
		}
	}
	if (r->have_unresolved) {
		/* IMU without any time reference: cannot be placed. */
		r->stats.rejected[KT_REJECT_IMPLAUSIBLE] += r->n_imu - r->first_unresolved;
		r->n_imu = r->first_unresolved;
		r->have_unresolved = false;
	}
	return 0;
}

const struct kt_fix *
kt_log_reader_fixes(struct kt_log_reader *r, size_t *ret_n)
{
	/* Undated fixes at the end are not final yet. */
	*ret_n = r->have_undated ? r->first_undated : r->n_fixes;
	return r->fixes;
}

const struct kt_imu_sample *
kt_log_reader_imu(struct kt_log_reader *r, size_t *ret_n)
{
	*ret_n = r->have_unresolved ? r->first_unresolved : r->n_imu;
	return r->imu;
}

bool
kt_log_reader_imu_in_order(struct kt_log_reader *r)
{
	size_t n;

	kt_log_reader_imu(r, &n);
	return r->imu_disorder >= n;
}

const struct kt_log_header *
kt_log_reader_header(struct kt_log_reader *r)
{
	return &r->header;
}

const struct kt_log_stats *
kt_log_reader_stats(struct kt_log_reader *r)
{
	return &r->stats;
}

/* ---- Whole files ---- */

void
kt_log_clear(struct kt_log *l)
{
	if (!l)
		return;
	free(l->path);
	free(l->fixes);
	free(l->imu);
	memset(l, 0, sizeof(*l));
}

/* Room for about what the whole file will give, judged from its first
 * `fed` bytes: the arrays then grow once instead of doubling (and copying
 * tens of MB per UBX vest) a dozen times. The sizes stay those doubling
 * would reach, so the heap blocks of one vest fit the next one's. An
 * estimate that falls short just means the usual doubling from there;
 * a failure to get the room is left to that as well. */
static void
reserve_for_file(struct kt_log_reader *r, uint64_t fed, uint64_t size)
{
	double scale;

	if (fed == 0 || size <= fed)
		return;
	scale = (double)size / (double)fed * 1.0625;
	if ((double)r->n_imu * scale < (double)(SIZE_MAX / 4 / sizeof(*r->imu)))
		(void)grow((void **)&r->imu, &r->cap_imu, (size_t)((double)r->n_imu * scale), sizeof(*r->imu));
	if ((double)r->n_fixes * scale < (double)(SIZE_MAX / 4 / sizeof(*r->fixes)))
		(void)grow((void **)&r->fixes, &r->cap_fixes, (size_t)((double)r->n_fixes * scale),
			   sizeof(*r->fixes));
}

/* One chunk of a file: hashed, decoded, counted. */
static int
feed_chunk(struct kt_log_reader *r, struct kt_sha256 *sha, const uint8_t *p, size_t n,
	   void (*progress)(void *userdata, uint64_t bytes), void *userdata)
{
	int k;

	k = feed(r, sha, p, n);
	if (k >= 0 && progress)
		progress(userdata, (uint64_t)n);
	return k;
}

int
kt_log_reader_feed_file(struct kt_log_reader *r, const char *path, bool regular_only,
			void (*progress)(void *userdata, uint64_t bytes), void *userdata,
			uint8_t ret_sha256[32], uint64_t *ret_bytes)
{
	static const size_t chunk = 256 * 1024;
	struct kt_sha256 sha;
	struct stat st;
	uint8_t *buf = NULL;
	uint64_t total = 0;
	int fd, k;

	/* O_NONBLOCK when only regular files will do: opening a FIFO for
	 * reading would wait for a writer (and a file ignores the flag) */
	fd = open(path, O_RDONLY | O_CLOEXEC | (regular_only ? O_NONBLOCK : 0));
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		k = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		k = -EISDIR;
		goto out;
	}
	if (regular_only && !S_ISREG(st.st_mode)) {
		k = -EINVAL; /* a device or pipe could be read forever */
		goto out;
	}
	/*
	 * read(), not mmap(): a mapped log that is cut shorter or whose medium
	 * goes away (a USB stick pulled) faults with SIGBUS, where read() gives
	 * an error that names the file. The copy costs about a tenth of an NMEA
	 * log's processing time.
	 */
	kt_sha256_init(&sha);
	buf = malloc(chunk);
	if (!buf) {
		k = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			k = -errno;
			goto out;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		k = feed_chunk(r, &sha, buf, (size_t)n, progress, userdata);
		if (k < 0)
			goto out;
		if (total == (uint64_t)n && S_ISREG(st.st_mode))
			reserve_for_file(r, total, (uint64_t)st.st_size);
	}
	if (total == 0) {
		k = -ENODATA;
		goto out;
	}
	k = kt_log_reader_finish(r);
	if (k < 0)
		goto out;
	if (r->stats.frames_nmea + r->stats.frames_ubx == 0) {
		k = -EBADMSG;
		goto out;
	}
	kt_sha256_final(&sha, ret_sha256);
	k = 0;
out:
	if (ret_bytes)
		*ret_bytes = total;
	free(buf);
	close(fd);
	return k;
}

/* First and last fix time, and the header, of bytes [off, off + len) of fd */
static void
peek_part(int fd, off_t off, size_t len, struct kt_log_header *hdr, int64_t *first, int64_t *last)
{
	struct kt_log_reader *r;
	uint8_t *buf = malloc(len ? len : 1);
	const struct kt_fix *f;
	ssize_t got;
	size_t n;

	if (!buf)
		return;
	got = pread(fd, buf, len, off);
	if (got > 0 && kt_log_reader_new(&r) >= 0) {
		kt_log_reader_feed(r, buf, (size_t)got);
		kt_log_reader_finish(r);
		f = kt_log_reader_fixes(r, &n);
		for (size_t i = 0; i < n; i++) {
			if (f[i].t_us <= 0)
				continue;
			if (*first == INT64_MIN || f[i].t_us < *first)
				*first = f[i].t_us;
			if (*last == INT64_MIN || f[i].t_us > *last)
				*last = f[i].t_us;
		}
		if (off == 0 && kt_log_reader_header(r)->present)
			*hdr = *kt_log_reader_header(r);
		kt_log_reader_free(r);
	}
	free(buf);
}

int
kt_log_peek(const char *path, struct kt_log_header *ret_header, int64_t *ret_first_us, int64_t *ret_last_us)
{
	struct kt_log_header hdr = { 0 };
	int64_t first = INT64_MIN, last = INT64_MIN;
	struct stat st;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		r = -errno;
	else if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	if (r >= 0) {
		size_t head = st.st_size < KT_LOG_PEEK_BYTES ? (size_t)st.st_size : KT_LOG_PEEK_BYTES;
		peek_part(fd, 0, head, &hdr, &first, &last);
		if (st.st_size > KT_LOG_PEEK_BYTES)
			peek_part(fd, st.st_size - KT_LOG_PEEK_BYTES, KT_LOG_PEEK_BYTES, &hdr, &first, &last);
	}
	if (fd >= 0)
		close(fd);
	*ret_header = hdr;
	*ret_first_us = first;
	*ret_last_us = last;
	return r;
}

int
kt_log_read(const char *path, struct kt_log *ret)
{
	struct kt_log_reader *r = NULL;
	int k;

	memset(ret, 0, sizeof(*ret));
	k = kt_log_reader_new(&r);
	if (k < 0)
		return k;
	k = kt_log_reader_feed_file(r, path, true, NULL, NULL, ret->sha256, NULL);
	if (k < 0)
		goto out;
	ret->path = strdup(path);
	if (!ret->path) {
		k = -ENOMEM;
		goto out;
	}
	ret->header = r->header;
	ret->stats = r->stats;
	/* Hand the arrays over. */
	ret->fixes = r->fixes;
	ret->n_fixes = r->n_fixes;
	ret->imu = r->imu;
	ret->n_imu = r->n_imu;
	r->fixes = NULL;
	r->imu = NULL;
	k = 0;
out:
	kt_log_reader_free(r);
	return k;
}
