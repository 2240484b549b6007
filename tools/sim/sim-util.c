/* SPDX-License-Identifier: EUPL-1.2 */
/* Random numbers, enum names, defaults and the pitch geometry of the simulator. */
#include <errno.h>
#include <string.h>

#include "sim.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void
sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream, uint64_t sub)
{
	uint64_t x = seed ^ (stream * UINT64_C(0xd1342543de82ef95)) ^
		     (sub * UINT64_C(0x2545f4914f6cdd1d));

	/* mix the three inputs through splitmix so close seeds give unrelated streams */
	x = splitmix64(&x) ^ stream;
	x = splitmix64(&x) ^ sub;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	r->have_spare = false;
	r->spare = 0;
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
sim_rng_uniform(struct sim_rng *r)
{
	return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

double
sim_rng_range(struct sim_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * sim_rng_uniform(r);
}

int
sim_rng_int(struct sim_rng *r, int lo, int hi)
{
	return lo + (int)(sim_rng_uniform(r) * (double)(hi - lo + 1));
}

double
sim_rng_gauss(struct sim_rng *r)
{
	/* Marsaglia polar method; deterministic because the stream is */
	double u, v, s;

	if (r->have_spare) {
		r->have_spare = false;
		return r->spare;
	}
	do {
		u = 2.0 * sim_rng_uniform(r) - 1.0;
		v = 2.0 * sim_rng_uniform(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	s = sqrt(-2.0 * log(s) / s);
	r->spare = v * s;
	r->have_spare = true;
	return u * s;
}

static const char *const format_names[] = {"ubx", "nmea", "mixed"};
static const char *const noise_names[] = {"none", "realistic", "harsh"};
static const char *const drill_names[] = {"match", "sprints"};
static const char *const role_names[] = {"GK", "DEF", "MID", "FWD"};

const char *
sim_format_to_str(enum sim_format f)
{
	return (unsigned)f < 3 ? format_names[f] : "?";
}

const char *
sim_noise_to_str(enum sim_noise n)
{
	return (unsigned)n < 3 ? noise_names[n] : "?";
}

const char *
sim_drill_to_str(enum sim_drill d)
{
	return (unsigned)d < 2 ? drill_names[d] : "?";
}

const char *
sim_role_to_str(enum sim_role r)
{
	return (unsigned)r < 4 ? role_names[r] : "?";
}

static int
lookup(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -EINVAL;
}

int
sim_format_from_str(const char *s)
{
	return lookup(s, format_names, 3);
}

int
sim_noise_from_str(const char *s)
{
	return lookup(s, noise_names, 3);
}

int
sim_drill_from_str(const char *s)
{
	return lookup(s, drill_names, 2);
}

void
sim_config_default(struct sim_config *c)
{
	*c = (struct sim_config){
		.players = 6,
		.minutes = 15,
		.seed = 1,
		.start_unix = 1795269600, /* 2026-11-21T14:00:00Z */
		.format = SIM_FORMAT_MIXED,
		.nmea_every = 0,
		.noise = SIM_NOISE_REALISTIC,
		.gnss_hz = 10,
		.imu_hz = 100,
		.pitch_lat = 51.9601234,
		.pitch_lon = 7.6201234,
		.pitch_heading_deg = 23.0,
		.pitch_length_m = 105.0,
		.pitch_width_m = 68.0,
		.pitch_name = "Sportpark Nord, Platz 2",
		.imu = true,
		.drill = SIM_DRILL_MATCH,
		.truth_series = false,
		.vest_prefix = "KT-",
	};
}

void
sim_pitch_geo_init(struct sim_pitch_geo *g, const struct sim_config *c)
{
	/* WGS84 radii of curvature at the centre: a local tangent plane is exact
	 * to millimetres over a pitch. */
	const double a = 6378137.0, e2 = 6.69437999014e-3;
	double phi = c->pitch_lat * M_PI / 180.0;
	double sp = sin(phi);
	double w = sqrt(1.0 - e2 * sp * sp);
	double rn = a / w;			  /* prime vertical */
	double rm = a * (1.0 - e2) / (w * w * w); /* meridian */
	double h = c->pitch_heading_deg * M_PI / 180.0;

	g->lat0 = c->pitch_lat;
	g->lon0 = c->pitch_lon;
	g->m_per_deg_lat = rm * M_PI / 180.0;
	g->m_per_deg_lon = rn * cos(phi) * M_PI / 180.0;
	/* x axis: heading h clockwise from north; y axis: 90 deg to its left */
	g->ex_e = sin(h);
	g->ex_n = cos(h);
	g->ey_e = -cos(h);
	g->ey_n = sin(h);
	g->length_m = c->pitch_length_m;
	g->width_m = c->pitch_width_m;
}

void
sim_pitch_vec_to_en(
	const struct sim_pitch_geo *g, double vx, double vy, double *ret_e, double *ret_n)
{
	*ret_e = vx * g->ex_e + vy * g->ey_e;
	*ret_n = vx * g->ex_n + vy * g->ey_n;
}

void
sim_pitch_xy_to_latlon(
	const struct sim_pitch_geo *g, double x, double y, double *ret_lat, double *ret_lon)
{
	double e, n;

	sim_pitch_vec_to_en(g, x - g->length_m / 2, y - g->width_m / 2, &e, &n);
	*ret_lat = g->lat0 + n / g->m_per_deg_lat;
	*ret_lon = g->lon0 + e / g->m_per_deg_lon;
}
