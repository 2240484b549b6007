/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The GNSS receiver and IMU measurement models, and the log writers.
 *
 * realistic: position = truth + Gauss-Markov bias (sigma 0.7 m per axis, about
 *   1 m horizontally, tau 60 s) + white 0.25 m; velocity = truth + white 0.06 m/s + Gauss-Markov
 *   0.02 m/s (tau 3 s) per axis, speed and course from that velocity (as a
 *   receiver's Doppler gives them); numSV 8-14, HDOP 0.7-1.5, hAcc/sAcc from
 *   them; a few dropouts of 0.3-2.5 s (some over 2 s: gaps).
 * harsh: bias 2 m (tau 30 s), white 0.5 m, velocity white 0.12 m/s + 0.05 m/s;
 *   multipath speed spikes of +2..+6 m/s for 1-3 epochs, position jumps of
 *   5-20 m for 1-15 epochs, bad epochs (2D fix, 4-5 SV, HDOP 3-8), more
 *   dropouts, half of them 3-10 s; numSV 5-10.
 * none: the truth sampled at each epoch; no dropouts.
 * The IMU adds white noise (0.01 g realistic, 0.02 g harsh) and quantises
 * to 2048 LSB/g and 16.4 LSB/(deg/s).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kt_frame.h"
#include "kt_ubx.h"
#include "sim.h"

#define GPS_EPOCH_UNIX INT64_C(315964800)
#define GPS_LEAP_S 18
#define GEOID_SEP_M 47.0
#define ALT_M 55.0

static const char *const event_names[] = {"dropout", "speed_spike", "position_jump", "bad_fix"};

const char *
sim_event_kind_to_str(enum sim_event_kind k)
{
	return (unsigned)k < _SIM_EV_MAX ? event_names[k] : "?";
}

uint32_t
sim_itow_ms(const struct sim_config *c, double t_s)
{
	int64_t gps_s = c->start_unix + GPS_LEAP_S - GPS_EPOCH_UNIX;
	int64_t ms = (gps_s % 604800) * 1000 + llround(t_s * 1000.0);

	return (uint32_t)(ms % INT64_C(604800000));
}

static int
write_all(FILE *out, const void *p, size_t n)
{
	if (fwrite(p, 1, n, out) != n)
		return -EIO;
	return 0;
}

static int
write_nmea(FILE *out, const char *body)
{
	char line[300];
	int n = kt_nmea_encode(body, line, sizeof(line));

	if (n < 0)
		return -ENOBUFS;
	return write_all(out, line, (size_t)n);
}

int
sim_write_header(FILE *out, const char *vest_id, int64_t start_unix, bool nmea)
{
	if (nmea) {
		char body[96];
		snprintf(body, sizeof(body), "PKTH,%s,1.3,%lld", vest_id, (long long)start_unix);
		return write_nmea(out, body);
	} else {
		struct kt_ubx_vest_header h = {.firmware = 0x0103,
					       .start_unix = (uint32_t)start_unix};
		uint8_t buf[64];
		int n;

		snprintf(h.vest_id, sizeof(h.vest_id), "%s", vest_id);
		n = kt_ubx_encode_vest_header(&h, buf, sizeof(buf));
		if (n < 0)
			return -ENOBUFS;
		return write_all(out, buf, (size_t)n);
	}
}

/* ---- planning the injected errors ---- */

static int
add_event(struct sim_gnss *g,
	  enum sim_event_kind kind,
	  uint32_t start,
	  uint32_t n,
	  double value,
	  double dir)
{
	if (g->n_events == g->cap_events) {
		size_t cap = g->cap_events ? g->cap_events * 2 : 16;
		struct sim_event *e = realloc(g->events, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		g->events = e;
		g->cap_events = cap;
	}
	g->events[g->n_events++] = (struct sim_event){
		.kind = kind,
		.start_epoch = start,
		.n_epochs = n,
		.value = value,
		.dir = dir,
	};
	return 0;
}

static bool
overlaps(const struct sim_gnss *g, uint32_t start, uint32_t n, unsigned margin)
{
	for (size_t i = 0; i < g->n_events; i++) {
		const struct sim_event *e = &g->events[i];
		if (start < e->start_epoch + e->n_epochs + margin &&
		    e->start_epoch < start + n + margin)
			return true;
	}
	return false;
}

/* place an event at a random time that overlaps no other one */
static int
plan(struct sim_gnss *g,
     uint32_t n_epochs_total,
     enum sim_event_kind kind,
     uint32_t n,
     double value,
     double dir)
{
	unsigned hz = g->cfg->gnss_hz;
	uint32_t lo = 5 * hz, hi;

	if (n_epochs_total <= lo + n + 5 * hz)
		return 0;
	hi = n_epochs_total - 5 * hz - n;
	for (int tries = 0; tries < 50; tries++) {
		uint32_t start = lo + (uint32_t)(sim_rng_uniform(&g->rng) * (hi - lo));
		if (!overlaps(g, start, n, 3 * hz))
			return add_event(g, kind, start, n, value, dir);
	}
	return 0;
}

/* missing epochs for a dropout of 0.3 .. 2.5 s between valid fixes, never
 * within 0.15 s of the 2 s gap threshold so the gap count is unambiguous */
static uint32_t
short_dropout_epochs(struct sim_gnss *g)
{
	double hz = g->cfg->gnss_hz;
	for (;;) {
		double between = sim_rng_range(&g->rng, 0.3, 2.5);
		uint32_t m = (uint32_t)lround(between * hz) - 1;
		double gap = (m + 1) / hz;
		if (m >= 1 && (gap < 1.85 || gap > 2.15))
			return m;
	}
}

static int
count_scaled(struct sim_gnss *g, double per_minute)
{
	return (int)floor(g->cfg->minutes * per_minute * sim_rng_range(&g->rng, 0.7, 1.3) + 0.5);
}

static int
event_cmp(const void *a, const void *b)
{
	const struct sim_event *x = a, *y = b;

	return x->start_epoch < y->start_epoch ? -1 : x->start_epoch > y->start_epoch;
}

int
sim_gnss_init(struct sim_gnss *g,
	      const struct sim_config *c,
	      const struct sim_pitch_geo *geo,
	      unsigned vest_index,
	      bool nmea)
{
	uint32_t total = (uint32_t)llround(c->minutes * 60 * c->gnss_hz) + 1;
	int r = 0, n;

	memset(g, 0, sizeof(*g));
	g->cfg = c;
	g->geo = geo;
	g->nmea = nmea;
	g->at_rest = vest_index + c->bench >= c->players;
	sim_rng_seed(&g->rng, c->seed, 3, vest_index);

	switch (c->noise) {
	case SIM_NOISE_NONE:
		g->sv_level = 12;
		break;
	case SIM_NOISE_REALISTIC:
		g->bias_e = 0.7 * sim_rng_gauss(&g->rng);
		g->bias_n = 0.7 * sim_rng_gauss(&g->rng);
		g->sv_level = sim_rng_range(&g->rng, 9, 13);
		n = count_scaled(g, 1.0 / 5.0);
		for (int i = 0; i < n && r >= 0; i++)
			r = plan(g, total, SIM_EV_DROPOUT, short_dropout_epochs(g), 0, 0);
		break;
	case SIM_NOISE_HARSH:
		g->bias_e = 2.0 * sim_rng_gauss(&g->rng);
		g->bias_n = 2.0 * sim_rng_gauss(&g->rng);
		g->sv_level = sim_rng_range(&g->rng, 6, 9);
		n = count_scaled(g, 1.0 / 3.0);
		for (int i = 0; i < n && r >= 0; i++) {
			uint32_t m = i % 2 ? short_dropout_epochs(g)
					   : (uint32_t)lround(sim_rng_range(&g->rng, 3, 10) *
							      c->gnss_hz) -
						     1;
			r = plan(g, total, SIM_EV_DROPOUT, m, 0, 0);
		}
		n = count_scaled(g, 1.0);
		for (int i = 0; i < n && r >= 0; i++)
			r = plan(g, total, SIM_EV_SPIKE, (uint32_t)sim_rng_int(&g->rng, 1, 3),
				 sim_rng_range(&g->rng, 2, 6), 0);
		n = count_scaled(g, 1.0 / 3.0);
		for (int i = 0; i < n && r >= 0; i++)
			r = plan(g, total, SIM_EV_JUMP, (uint32_t)sim_rng_int(&g->rng, 1, 15),
				 sim_rng_range(&g->rng, 5, 20),
				 sim_rng_range(&g->rng, -M_PI, M_PI));
		n = count_scaled(g, 1.0 / 2.0);
		for (int i = 0; i < n && r >= 0; i++)
			r = plan(g, total, SIM_EV_BADFIX, (uint32_t)sim_rng_int(&g->rng, 1, 10),
				 sim_rng_range(&g->rng, 3, 8), 0);
		break;
	}
	if (r < 0) {
		sim_gnss_clear(g);
		return r;
	}
	if (g->n_events > 1)
		qsort(g->events, g->n_events, sizeof(g->events[0]), event_cmp);
	return 0;
}

void
sim_gnss_clear(struct sim_gnss *g)
{
	free(g->events);
	g->events = NULL;
	g->n_events = g->cap_events = 0;
}

unsigned
sim_gnss_gaps(const struct sim_gnss *g)
{
	unsigned n = 0;

	for (size_t i = 0; i < g->n_events; i++)
		if (g->events[i].kind == SIM_EV_DROPOUT &&
		    (double)(g->events[i].n_epochs + 1) / g->cfg->gnss_hz > 2.0)
			n++;
	return n;
}

static const struct sim_event *
active_event(const struct sim_gnss *g, enum sim_event_kind kind, uint32_t epoch)
{
	for (size_t i = 0; i < g->n_events; i++) {
		const struct sim_event *e = &g->events[i];
		if (e->kind == kind && epoch >= e->start_epoch &&
		    epoch < e->start_epoch + e->n_epochs)
			return e;
	}
	return NULL;
}

/* first-order Gauss-Markov process step */
static double
gm_step(struct sim_rng *rng, double x, double sigma, double tau, double dt)
{
	double phi = exp(-dt / tau);
	return x * phi + sigma * sqrt(1 - phi * phi) * sim_rng_gauss(rng);
}

/* ddmm.mmmmm with exact integer rounding (never "60.00000" minutes) */
static void
fmt_nmea_angle(char *buf, size_t size, double deg, int deg_digits)
{
	long long total = llround(fabs(deg) * 60.0 * 100000.0);
	long long d = total / 6000000, rem = total % 6000000;

	snprintf(buf, size, "%0*lld%02lld.%05lld", deg_digits, d, rem / 100000, rem % 100000);
}

struct epoch_meas {
	bool valid;
	int fix_type; /* 0 none, 2 2D, 3 3D */
	double lat, lon, alt;
	double ve, vn, vd, speed, course;
	int num_sv;
	double hdop, pdop, vdop, hacc, vacc, sacc;
};

static int
write_ubx_epoch(struct sim_gnss *g, FILE *out, const struct epoch_meas *m, int64_t t_ms)
{
	const struct sim_config *c = g->cfg;
	int64_t unix_ms = c->start_unix * 1000 + t_ms;
	time_t secs = (time_t)(unix_ms / 1000);
	struct tm tm;
	struct kt_ubx_nav_pvt p = {0};
	uint8_t buf[128];
	int n;

	gmtime_r(&secs, &tm);
	p.itow_ms = sim_itow_ms(c, (double)t_ms / 1000.0);
	p.year = (uint16_t)(tm.tm_year + 1900);
	p.month = (uint8_t)(tm.tm_mon + 1);
	p.day = (uint8_t)tm.tm_mday;
	p.hour = (uint8_t)tm.tm_hour;
	p.min = (uint8_t)tm.tm_min;
	p.sec = (uint8_t)tm.tm_sec;
	p.valid = 0x07;
	p.t_acc_ns = m->valid ? 25 : 1000000;
	p.nano = (int32_t)(unix_ms % 1000) * 1000000;
	p.fix_type = (uint8_t)m->fix_type;
	p.flags = m->valid ? 0x01 : 0x00;
	p.num_sv = (uint8_t)m->num_sv;
	p.lat_e7 = (int32_t)llround(m->lat * 1e7);
	p.lon_e7 = (int32_t)llround(m->lon * 1e7);
	p.hmsl_mm = (int32_t)llround(m->alt * 1000);
	p.height_mm = (int32_t)llround((m->alt + GEOID_SEP_M) * 1000);
	p.hacc_mm = (uint32_t)llround(m->hacc * 1000);
	p.vacc_mm = (uint32_t)llround(m->vacc * 1000);
	p.vel_n_mms = (int32_t)llround(m->vn * 1000);
	p.vel_e_mms = (int32_t)llround(m->ve * 1000);
	p.vel_d_mms = (int32_t)llround(m->vd * 1000);
	p.gspeed_mms = (int32_t)llround(m->speed * 1000);
	p.head_mot_e5 = (int32_t)llround(m->course * 1e5);
	p.sacc_mms = (uint32_t)llround(m->sacc * 1000);
	p.head_acc_e5 = m->valid
				? (uint32_t)llround(
					  fmin(180, 5 + 57.3 * m->sacc / fmax(m->speed, 0.1)) * 1e5)
				: 18000000;
	p.pdop_e2 = (uint16_t)llround(fmin(m->pdop, 99.99) * 100);
	n = kt_ubx_encode_nav_pvt(&p, buf, sizeof(buf));
	if (n < 0)
		return -ENOBUFS;
	return write_all(out, buf, (size_t)n);
}

static int
write_nmea_epoch(
	struct sim_gnss *g, FILE *out, const struct epoch_meas *m, int64_t t_ms, uint32_t epoch)
{
	const struct sim_config *c = g->cfg;
	int64_t unix_ms = c->start_unix * 1000 + t_ms;
	time_t secs = (time_t)(unix_ms / 1000);
	struct tm tm;
	char tbuf[48], dbuf[48], lat[48], lon[48], body[256];
	int r;

	gmtime_r(&secs, &tm);
	snprintf(tbuf, sizeof(tbuf), "%02d%02d%02d.%02d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(unix_ms % 1000) / 10);
	snprintf(dbuf, sizeof(dbuf), "%02d%02d%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year % 100);

	if (!m->valid) {
		snprintf(body, sizeof(body), "GNRMC,%s,V,,,,,,,%s,,,N", tbuf, dbuf);
		if ((r = write_nmea(out, body)) < 0)
			return r;
		snprintf(body, sizeof(body), "GNGGA,%s,,,,,0,00,99.99,,,,,,", tbuf);
		if ((r = write_nmea(out, body)) < 0)
			return r;
		if ((r = write_nmea(out, "GNVTG,,T,,M,,N,,K,N")) < 0)
			return r;
		if (epoch % c->gnss_hz == 0)
			return write_nmea(out, "GNGSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99");
		return 0;
	}

	fmt_nmea_angle(lat, sizeof(lat), m->lat, 2);
	fmt_nmea_angle(lon, sizeof(lon), m->lon, 3);
	snprintf(body, sizeof(body), "GNRMC,%s,A,%s,%c,%s,%c,%.3f,%.2f,%s,,,%c", tbuf, lat,
		 m->lat >= 0 ? 'N' : 'S', lon, m->lon >= 0 ? 'E' : 'W', m->speed / 0.514444,
		 m->course, dbuf, 'A');
	if ((r = write_nmea(out, body)) < 0)
		return r;
	snprintf(body, sizeof(body), "GNGGA,%s,%s,%c,%s,%c,%d,%02d,%.2f,%.1f,M,%.1f,M,,", tbuf, lat,
		 m->lat >= 0 ? 'N' : 'S', lon, m->lon >= 0 ? 'E' : 'W', 1, m->num_sv, m->hdop,
		 m->alt, GEOID_SEP_M);
	if ((r = write_nmea(out, body)) < 0)
		return r;
	snprintf(body, sizeof(body), "GNVTG,%.2f,T,,M,%.3f,N,%.3f,K,A", m->course,
		 m->speed / 0.514444, m->speed * 3.6);
	if ((r = write_nmea(out, body)) < 0)
		return r;
	snprintf(body, sizeof(body), "GNGST,%s,%.1f,%.2f,%.2f,%.1f,%.2f,%.2f,%.2f", tbuf,
		 m->hacc * 1.2, m->hacc * 1.1, m->hacc * 0.8, 35.0, m->hacc / M_SQRT2,
		 m->hacc / M_SQRT2, m->vacc);
	if ((r = write_nmea(out, body)) < 0)
		return r;
	/* GSA once a second, and at every epoch whose fix is not 3D (GGA cannot say 2D) */
	if (epoch % c->gnss_hz == 0 || m->fix_type != 3) {
		/* satellites used: the first numSV of a fixed list of PRNs */
		static const int prn[] = {2, 5, 7, 9, 13, 15, 18, 20, 23, 25, 29, 30};
		size_t o = (size_t)snprintf(body, sizeof(body), "GNGSA,A,%d", m->fix_type);
		for (int i = 0; i < 12; i++) {
			if (i < m->num_sv)
				o += (size_t)snprintf(body + o, sizeof(body) - o, ",%02d", prn[i]);
			else
				o += (size_t)snprintf(body + o, sizeof(body) - o, ",");
		}
		snprintf(body + o, sizeof(body) - o, ",%.2f,%.2f,%.2f", m->pdop, m->hdop, m->vdop);
		if ((r = write_nmea(out, body)) < 0)
			return r;
	}
	return 0;
}

int
sim_gnss_epoch(struct sim_gnss *g, FILE *out, const struct sim_state *s)
{
	const struct sim_config *c = g->cfg;
	double dt = 1.0 / c->gnss_hz;
	uint32_t epoch = g->epoch++;
	int64_t t_ms = (int64_t)epoch * 1000 / c->gnss_hz;
	struct epoch_meas m = {.valid = true, .fix_type = 3};
	double ve, vn, x = s->x, y = s->y, e_err = 0, n_err = 0, ve_err = 0, vn_err = 0;
	const struct sim_event *ev;

	sim_pitch_vec_to_en(g->geo, s->v * cos(s->psi), s->v * sin(s->psi), &ve, &vn);

	switch (c->noise) {
	case SIM_NOISE_NONE:
		m.num_sv = 12;
		m.hdop = 0.8;
		break;
	case SIM_NOISE_REALISTIC:
	case SIM_NOISE_HARSH: {
		bool harsh = c->noise == SIM_NOISE_HARSH;
		double bs = harsh ? 2.0 : 0.7, btau = harsh ? 30 : 60, pw = harsh ? 0.5 : 0.25;
		double vw = harsh ? 0.12 : 0.06, vc = harsh ? 0.05 : 0.02, vtau = 3.0;
		/* at rest a receiver's navigation filter holds its velocity: the
		 * error wanders slowly (gpsd's u-blox ZED-F9P log, lying still:
		 * 0.04-0.11 m/s, a tenth of that from epoch to epoch) */
		if (g->at_rest) {
			vw = harsh ? 0.04 : 0.02;
			vc = harsh ? 0.1 : 0.05;
			vtau = 2.0;
		}
		double sv_mid = harsh ? 7.5 : 11, sv_lo = harsh ? 5 : 8, sv_hi = harsh ? 10 : 14;

		g->bias_e = gm_step(&g->rng, g->bias_e, bs, btau, dt);
		g->bias_n = gm_step(&g->rng, g->bias_n, bs, btau, dt);
		g->vbias_e = gm_step(&g->rng, g->vbias_e, vc, vtau, dt);
		g->vbias_n = gm_step(&g->rng, g->vbias_n, vc, vtau, dt);
		g->sv_level = sv_mid + gm_step(&g->rng, g->sv_level - sv_mid, 1.8, 120, dt);
		e_err = g->bias_e + pw * sim_rng_gauss(&g->rng);
		n_err = g->bias_n + pw * sim_rng_gauss(&g->rng);
		ve_err = g->vbias_e + vw * sim_rng_gauss(&g->rng);
		vn_err = g->vbias_n + vw * sim_rng_gauss(&g->rng);
		m.num_sv = (int)lround(fmin(fmax(g->sv_level, sv_lo), sv_hi));
		m.hdop = fmin(
			fmax(0.7 + (14 - m.num_sv) * 0.12 + 0.03 * sim_rng_gauss(&g->rng), 0.7),
			harsh ? 2.5 : 1.5);
		break;
	}
	}

	if ((ev = active_event(g, SIM_EV_SPIKE, epoch))) {
		/* multipath: the Doppler speed jumps along the direction of travel */
		double sp = hypot(ve, vn);
		double ue = sp > 0.3 ? ve / sp : 1, un = sp > 0.3 ? vn / sp : 0;
		ve_err += ev->value * ue;
		vn_err += ev->value * un;
	}
	if ((ev = active_event(g, SIM_EV_JUMP, epoch))) {
		e_err += ev->value * sin(ev->dir);
		n_err += ev->value * cos(ev->dir);
	}
	if ((ev = active_event(g, SIM_EV_BADFIX, epoch))) {
		m.fix_type = 2;
		m.num_sv = sim_rng_int(&g->rng, 4, 5);
		m.hdop = ev->value;
		e_err += ev->value * sim_rng_gauss(&g->rng);
		n_err += ev->value * sim_rng_gauss(&g->rng);
	}

	sim_pitch_xy_to_latlon(g->geo, x, y, &m.lat, &m.lon);
	m.lat += n_err / g->geo->m_per_deg_lat;
	m.lon += e_err / g->geo->m_per_deg_lon;
	m.alt = ALT_M + (c->noise == SIM_NOISE_NONE ? 0 : 0.5 * (e_err + n_err));
	m.ve = ve + ve_err;
	m.vn = vn + vn_err;
	m.vd = c->noise == SIM_NOISE_NONE ? 0 : 0.1 * sim_rng_gauss(&g->rng);
	m.speed = c->noise == SIM_NOISE_NONE ? s->v : hypot(m.ve, m.vn);
	m.course = atan2(m.ve, m.vn) * 180.0 / M_PI;
	if (m.course < 0)
		m.course += 360.0;
	if (m.course >= 360.0)
		m.course -= 360.0;
	m.pdop = m.hdop * 1.6;
	m.vdop = m.hdop * 1.3;
	m.hacc = 0.5 + 0.9 * m.hdop;
	m.vacc = 1.5 * m.hacc;
	m.sacc = 0.05 + 0.1 * m.hdop;

	if (active_event(g, SIM_EV_DROPOUT, epoch)) {
		m.valid = false;
		m.fix_type = 0;
		m.num_sv = sim_rng_int(&g->rng, 0, 3);
		m.lat = g->last_lat;
		m.lon = g->last_lon;
		m.ve = m.vn = m.vd = m.speed = m.course = 0;
		m.hdop = m.pdop = m.vdop = 99.99;
		m.hacc = 4294967.295;
		m.vacc = 4294967.295;
		m.sacc = 20.0;
	} else {
		g->valid_epochs++;
		g->last_lat = m.lat;
		g->last_lon = m.lon;
	}

	return g->nmea ? write_nmea_epoch(g, out, &m, t_ms, epoch)
		       : write_ubx_epoch(g, out, &m, t_ms);
}

/* ---- IMU ---- */

void
sim_imu_out_init(struct sim_imu_out *o, const struct sim_config *c, unsigned vest_index, bool nmea)
{
	memset(o, 0, sizeof(*o));
	o->cfg = c;
	o->nmea = nmea;
	sim_rng_seed(&o->rng, c->seed, 4, vest_index);
}

/* decimal digits of v at p, returns the end (no NUL) */
static char *
put_int(char *p, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;

	if (v < 0)
		*p++ = '-';
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static int16_t
quantise(double v, double lsb_per_unit)
{
	double q = nearbyint(v * lsb_per_unit);
	return (int16_t)(q > 32767 ? 32767 : q < -32768 ? -32768 : q);
}

int
sim_imu_out_sample(struct sim_imu_out *o,
		   FILE *out,
		   double t_s,
		   const double acc_g[3],
		   const double gyr_dps[3])
{
	const struct sim_config *c = o->cfg;
	double an = c->noise == SIM_NOISE_NONE ? 0 : c->noise == SIM_NOISE_HARSH ? 0.02 : 0.01;
	double gn = c->noise == SIM_NOISE_NONE ? 0 : 0.15;
	unsigned per_batch = c->imu_hz >= 10 ? c->imu_hz / 10 : 1;
	int16_t raw[6];

	for (int i = 0; i < 3; i++) {
		raw[i] = quantise(acc_g[i] + (an > 0 ? an * sim_rng_gauss(&o->rng) : 0),
				  KT_IMU_ACC_LSB_PER_G);
		raw[3 + i] = quantise(gyr_dps[i] + (gn > 0 ? gn * sim_rng_gauss(&o->rng) : 0),
				      KT_IMU_GYR_LSB_PER_DPS);
	}

	if (o->nmea) {
		/* 100 lines a second per vest: format the integers by hand, not printf */
		char body[96], *p = body;
		memcpy(p, "PKTI,", 5);
		p = put_int(p + 5, sim_itow_ms(c, t_s));
		for (int i = 0; i < 6; i++) {
			*p++ = ',';
			p = put_int(p, raw[i]);
		}
		*p = '\0';
		return write_nmea(out, body);
	}

	if (o->n == 0)
		o->batch_itow = sim_itow_ms(c, t_s);
	memcpy(o->batch[o->n++], raw, sizeof(raw));
	if (o->n >= per_batch || o->n >= 10)
		return sim_imu_out_flush(o, out);
	return 0;
}

int
sim_imu_out_flush(struct sim_imu_out *o, FILE *out)
{
	struct kt_ubx_imu_batch b;
	uint8_t buf[8 + 8 + 10 * 12 + 8];
	int n;

	if (o->nmea || o->n == 0)
		return 0;
	b.itow_ms = o->batch_itow;
	b.rate_hz = (uint16_t)o->cfg->imu_hz;
	b.count = (uint8_t)o->n;
	memcpy(b.s, o->batch, o->n * sizeof(o->batch[0]));
	o->n = 0;
	n = kt_ubx_encode_imu_batch(&b, buf, sizeof(buf));
	if (n < 0)
		return -ENOBUFS;
	return write_all(out, buf, (size_t)n);
}
