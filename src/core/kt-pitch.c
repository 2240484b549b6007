/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The pitch frame: WGS84 -> local tangent plane (east, north) at the pitch
 * centre -> pitch coordinates x, y by the rigid motion (rotation, plus a
 * mirror when the corners go clockwise) that best fits the four surveyed
 * corners to the rectangle (0,0) (L,0) (L,W) (0,W) in the least-squares
 * sense. A perfect survey maps each corner exactly; a sloppy one spreads its
 * error over all four corners instead of tilting the whole frame.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kt-core-private.h"

#define WGS84_A 6378137.0
#define WGS84_F (1.0 / 298.257223563)
#define WGS84_E2 (WGS84_F * (2.0 - WGS84_F))
#define DEG2RAD (M_PI / 180.0)

static void
ecef_sc(double sl, double cl, double so, double co, double *x, double *y, double *z)
{
	double n = WGS84_A / sqrt(1.0 - WGS84_E2 * sl * sl);

	*x = n * cl * co;
	*y = n * cl * so;
	*z = n * (1.0 - WGS84_E2) * sl;
}

static void
ecef(double lat_deg, double lon_deg, double *x, double *y, double *z)
{
	ecef_sc(sin(lat_deg * DEG2RAD), cos(lat_deg * DEG2RAD), sin(lon_deg * DEG2RAD),
		cos(lon_deg * DEG2RAD), x, y, z);
}

void
kt_enu_init(struct kt_enu *e, double lat0_deg, double lon0_deg)
{
	e->lat0 = lat0_deg;
	e->lon0 = lon0_deg;
	e->sl = sin(lat0_deg * DEG2RAD);
	e->cl = cos(lat0_deg * DEG2RAD);
	e->so = sin(lon0_deg * DEG2RAD);
	e->co = cos(lon0_deg * DEG2RAD);
	ecef(lat0_deg, lon0_deg, &e->x0, &e->y0, &e->z0);
	/* radii of curvature at the origin, for the inverse */
	e->rn = WGS84_A / sqrt(1.0 - WGS84_E2 * e->sl * e->sl);
	e->rm = e->rn * (1.0 - WGS84_E2) / (1.0 - WGS84_E2 * e->sl * e->sl);
}

void
kt_enu_from_geo(const struct kt_enu *e, double lat, double lon, double *ret_e, double *ret_n)
{
	double x, y, z, dx, dy, dz, sl, cl, so, co;

	kt_sincos_near(e->lat0 * DEG2RAD, (lat - e->lat0) * DEG2RAD, e->sl, e->cl, &sl, &cl);
	kt_sincos_near(e->lon0 * DEG2RAD, (lon - e->lon0) * DEG2RAD, e->so, e->co, &so, &co);
	ecef_sc(sl, cl, so, co, &x, &y, &z);
	dx = x - e->x0;
	dy = y - e->y0;
	dz = z - e->z0;
	*ret_e = -e->so * dx + e->co * dy;
	*ret_n = -e->sl * e->co * dx - e->sl * e->so * dy + e->cl * dz;
}

/* Inverse on the tangent plane for short distances (< 1 km: error < 0.1 m). */
void
kt_enu_to_geo(const struct kt_enu *e, double east, double north, double *ret_lat, double *ret_lon)
{
	*ret_lat = e->lat0 + north / e->rm / DEG2RAD;
	*ret_lon = e->lon0 + east / (e->rn * e->cl) / DEG2RAD;
	/* one correction step against the forward transform */
	for (int i = 0; i < 2; i++) {
		double ee, nn;

		kt_enu_from_geo(e, *ret_lat, *ret_lon, &ee, &nn);
		*ret_lat += (north - nn) / e->rm / DEG2RAD;
		*ret_lon += (east - ee) / (e->rn * e->cl) / DEG2RAD;
	}
}

static bool
geo_ok(double lat, double lon)
{
	return isfinite(lat) && isfinite(lon) && fabs(lat) <= 89.0 && fabs(lon) <= 180.0;
}

int
kt_frame_init(struct kt_frame *fr, const struct kt_pitch *p)
{
	double e[4], n[4], lat0 = 0, lon0 = 0, cross, pcx = 0, pcy = 0, rcx, rcy, sxy = 0, sxx = 0;
	const double rx[4] = { 0, p->length_m, p->length_m, 0 };
	const double ry[4] = { 0, 0, p->width_m, p->width_m };
	struct kt_frame f = {};

	if (!isfinite(p->length_m) || !isfinite(p->width_m) || p->length_m < 1.0 ||
	    p->width_m < 1.0 || p->length_m > 1000.0 || p->width_m > 1000.0)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		if (!geo_ok(p->lat_deg[i], p->lon_deg[i]))
			return -EINVAL;
		lat0 += p->lat_deg[i] / 4.0;
		lon0 += p->lon_deg[i] / 4.0;
	}
	/* corners spanning the antimeridian are not supported */
	for (int i = 0; i < 4; i++)
		if (fabs(p->lon_deg[i] - lon0) > 1.0)
			return -EINVAL;

	kt_enu_init(&f.enu, lat0, lon0);
	for (int i = 0; i < 4; i++)
		kt_enu_from_geo(&f.enu, p->lat_deg[i], p->lon_deg[i], &e[i], &n[i]);

	/* corner 4 left of corner1->corner2 (counter-clockwise) is the
	 * orientation of the target rectangle; otherwise mirror north */
	cross = (e[1] - e[0]) * (n[3] - n[0]) - (n[1] - n[0]) * (e[3] - e[0]);
	if (fabs(cross) < 1.0)
		return -EINVAL; /* corners on a line, or all the same point */
	f.mirror = cross > 0 ? 1.0 : -1.0;

	for (int i = 0; i < 4; i++) {
		n[i] *= f.mirror;
		pcx += e[i] / 4.0;
		pcy += n[i] / 4.0;
	}
	rcx = p->length_m / 2.0;
	rcy = p->width_m / 2.0;
	for (int i = 0; i < 4; i++) {
		double px = e[i] - pcx, py = n[i] - pcy, qx = rx[i] - rcx, qy = ry[i] - rcy;

		sxx += px * qx + py * qy;
		sxy += px * qy - py * qx;
	}
	f.rot = atan2(sxy, sxx);
	f.c = cos(f.rot);
	f.s = sin(f.rot);
	f.tx = rcx - (f.c * pcx - f.s * pcy);
	f.ty = rcy - (f.s * pcx + f.c * pcy);

	/* the survey must agree with the stated size: each corner within
	 * 15% of the pitch diagonal (plus 3 m) of where the rectangle puts it */
	double tol = 0.15 * hypot(p->length_m, p->width_m) + 3.0;
	for (int i = 0; i < 4; i++) {
		double x = f.c * e[i] - f.s * n[i] + f.tx, y = f.s * e[i] + f.c * n[i] + f.ty;

		if (hypot(x - rx[i], y - ry[i]) > tol)
			return -EINVAL;
	}
	f.length_m = p->length_m;
	f.width_m = p->width_m;
	*fr = f;
	return 0;
}

void
kt_frame_to_xy(const struct kt_frame *f, double lat, double lon, double *ret_x, double *ret_y)
{
	double e, n;

	if (!geo_ok(lat, lon)) {
		*ret_x = *ret_y = NAN;
		return;
	}
	kt_enu_from_geo(&f->enu, lat, lon, &e, &n);
	n *= f->mirror;
	*ret_x = f->c * e - f->s * n + f->tx;
	*ret_y = f->s * e + f->c * n + f->ty;
}

int
kt_pitch_validate(const struct kt_pitch *p)
{
	struct kt_frame f;

	if (!p)
		return -EINVAL;
	return kt_frame_init(&f, p);
}

void
kt_pitch_to_xy(const struct kt_pitch *p, double lat, double lon, double *ret_x, double *ret_y)
{
	struct kt_frame f;

	if (kt_frame_init(&f, p) < 0) {
		*ret_x = *ret_y = NAN;
		return;
	}
	kt_frame_to_xy(&f, lat, lon, ret_x, ret_y);
}

/*
 * Pitch estimate from pooled positions (doc/filter.md "Pitch estimate"):
 *  1. provisional origin = mean of all finite positions; a histogram of the
 *     east and north offsets gives the median, the robust centre;
 *  2. principal axes of the positions within 150 m of that centre: the
 *     major axis is the touchline direction;
 *  3. extent along each axis from the 0.5% and 99.5% quantiles (histogram
 *     with 0.1 m bins), which ignores stray fixes and the bench;
 *  4. snapped: a team's tracks cover less than the markings (nobody runs
 *     along the touchline all match), so an extent of 80-112 x 40-72 m is
 *     taken as the standard full-size pitch, exactly 105 x 68 m, centred
 *     on the tracks; anything else (small-sided, youth) is kept as
 *     measured, rounded to whole metres.
 * x points along the major axis in the direction with a positive east
 * component; corners go counter-clockwise.
 */
#define EST_RANGE_M 150.0
#define EST_BIN_M 0.1
#define EST_NBINS ((size_t) (2 * EST_RANGE_M / EST_BIN_M))

static double
hist_quantile(const uint32_t *h, size_t nbins, uint64_t total, double q)
{
	uint64_t want = (uint64_t) (q * (double) total), acc = 0;

	for (size_t i = 0; i < nbins; i++) {
		acc += h[i];
		if (acc > want)
			return -EST_RANGE_M + ((double) i + 0.5) * EST_BIN_M;
	}
	return EST_RANGE_M;
}

static size_t
hist_bin(double v)
{
	double b = floor((v + EST_RANGE_M) / EST_BIN_M);

	if (b < 0)
		return 0;
	if (b >= (double) EST_NBINS)
		return EST_NBINS - 1;
	return (size_t) b;
}

/* A fix's local coordinates, if it has any and lies within EST_RANGE_M of
 * the centre: farther points (a vest switched on in the car park) shape neither
 * the axes nor the extent */
static bool
near_centre(const struct kt_enu *enu, double lat, double lon, double *e, double *n)
{
	if (!geo_ok(lat, lon))
		return false;
	kt_enu_from_geo(enu, lat, lon, e, n);
	return hypot(*e, *n) <= EST_RANGE_M;
}

int
kt_pitch_estimate(const double *lat, const double *lon, size_t n, struct kt_pitch *ret)
{
	double mlat = 0, mlon = 0, ce, cn, sxx = 0, syy = 0, sxy = 0, th, ux, uy, lo_u, hi_u, lo_v, hi_v,
	       len, wid, mu, mv;
	uint64_t cnt = 0, cnt2 = 0;
	uint32_t *h1 = NULL, *h2 = NULL;
	struct kt_enu enu;
	struct kt_pitch p = {};
	int r = 0;

	for (size_t i = 0; i < n; i++)
		if (geo_ok(lat[i], lon[i])) {
			mlat += lat[i];
			mlon += lon[i];
			cnt++;
		}
	if (cnt < 100)
		return -ENODATA;
	mlat /= (double) cnt;
	mlon /= (double) cnt;

	h1 = calloc(EST_NBINS, sizeof(uint32_t));
	h2 = calloc(EST_NBINS, sizeof(uint32_t));
	if (!h1 || !h2) {
		r = -ENOMEM;
		goto out;
	}

	/* 1. median centre (outliers beyond the histogram land in its end bins) */
	kt_enu_init(&enu, mlat, mlon);
	for (size_t i = 0; i < n; i++) {
		double e, nn;

		if (!geo_ok(lat[i], lon[i]))
			continue;
		kt_enu_from_geo(&enu, lat[i], lon[i], &e, &nn);
		h1[hist_bin(e)]++;
		h2[hist_bin(nn)]++;
	}
	ce = hist_quantile(h1, EST_NBINS, cnt, 0.5);
	cn = hist_quantile(h2, EST_NBINS, cnt, 0.5);
	kt_enu_to_geo(&enu, ce, cn, &mlat, &mlon);
	kt_enu_init(&enu, mlat, mlon);

	/* 2. principal axes */
	for (size_t i = 0; i < n; i++) {
		double e, nn;

		if (!near_centre(&enu, lat[i], lon[i], &e, &nn))
			continue;
		sxx += e * e;
		syy += nn * nn;
		sxy += e * nn;
		cnt2++;
	}
	if (cnt2 < 100) {
		r = -ENODATA;
		goto out;
	}
	th = 0.5 * atan2(2.0 * sxy, sxx - syy); /* major axis angle from east */
	ux = cos(th);
	uy = sin(th);
	if (ux < 0 || (fabs(ux) < 1e-9 && uy < 0)) {
		ux = -ux;
		uy = -uy;
	}

	/* 3. robust extent along u (major) and v (u rotated +90 degrees) */
	memset(h1, 0, EST_NBINS * sizeof(uint32_t));
	memset(h2, 0, EST_NBINS * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++) {
		double e, nn;

		if (!near_centre(&enu, lat[i], lon[i], &e, &nn))
			continue;
		h1[hist_bin(e * ux + nn * uy)]++;
		h2[hist_bin(-e * uy + nn * ux)]++;
	}
	lo_u = hist_quantile(h1, EST_NBINS, cnt2, 0.005);
	hi_u = hist_quantile(h1, EST_NBINS, cnt2, 0.995);
	lo_v = hist_quantile(h2, EST_NBINS, cnt2, 0.005);
	hi_v = hist_quantile(h2, EST_NBINS, cnt2, 0.995);
	len = hi_u - lo_u;
	wid = hi_v - lo_v;
	mu = (hi_u + lo_u) / 2.0;
	mv = (hi_v + lo_v) / 2.0;
	if (len < 10.0 || wid < 5.0) {
		r = -ENODATA;
		goto out;
	}

	/* 4. snap */
	if (len >= 80.0 && len <= 112.0 && wid >= 40.0 && wid <= 72.0) {
		len = 105.0;
		wid = 68.0;
	} else {
		len = round(len);
		wid = round(wid);
	}

	for (int i = 0; i < 4; i++) {
		static const double su[4] = { -0.5, 0.5, 0.5, -0.5 }, sv[4] = { -0.5, -0.5, 0.5, 0.5 };
		double cu = mu + su[i] * len, cv = mv + sv[i] * wid;
		double e = cu * ux - cv * uy, nn = cu * uy + cv * ux;

		kt_enu_to_geo(&enu, e, nn, &p.lat_deg[i], &p.lon_deg[i]);
	}
	p.length_m = len;
	p.width_m = wid;
	*ret = p;
out:
	free(h1);
	free(h2);
	return r;
}
