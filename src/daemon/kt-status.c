/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The status file read by `kicktrack status` (man/kicktrack-status.1):
 * JSON, rewritten atomically about once a second, mode 0640.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kt-dockd.h"
#include "util/kt-fileio.h"

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static const char *
sess_state_to_str(enum kt_vsess_state s)
{
	switch (s) {
	case KT_VSESS_PENDING: return "pending";
	case KT_VSESS_DOWNLOADING: return "downloading";
	case KT_VSESS_STORED: return "stored";
	case KT_VSESS_ERASED: return "erased";
	case KT_VSESS_FAILED: return "failed";
	}
	return "?";
}

static void
write_vest(FILE *f, const struct kt_vest *v)
{
	uint64_t total = 0, done = 0;
	unsigned stored = 0, erased = 0, failed = 0;

	for (size_t i = 0; i < v->n_sess; i++) {
		const struct kt_vsess *s = &v->sess[i];
		total += s->info.size;
		if (s->state == KT_VSESS_STORED || s->state == KT_VSESS_ERASED)
			done += s->info.size;
		stored += s->state == KT_VSESS_STORED || s->state == KT_VSESS_ERASED;
		erased += s->state == KT_VSESS_ERASED;
		failed += s->state == KT_VSESS_FAILED;
	}
	if (v->cur >= 0 && v->sess[v->cur].state == KT_VSESS_DOWNLOADING)
		done += v->done_bytes;

	fputs("    {\"id\": ", f);
	json_str(f, v->id);
	fputs(", \"port\": ", f);
	json_str(f, v->port ? v->port_path : "");
	fputs(", \"state\": ", f);
	json_str(f, kt_vest_state_to_str(v->state));
	fputs(", \"reason\": ", f);
	json_str(f, v->reason);
	fprintf(f, ", \"firmware\": \"%u.%u\"", v->firmware >> 8, v->firmware & 0xff);
	if (v->battery_pct != KT_DOCK_UNKNOWN_BATTERY)
		fprintf(f, ", \"battery_pct\": %u", v->battery_pct);
	fprintf(f, ", \"sessions\": %zu, \"stored\": %u, \"erased\": %u, \"failed\": %u", v->n_sess,
		stored, erased, failed);
	fprintf(f, ", \"bytes_done\": %" PRIu64 ", \"bytes_total\": %" PRIu64, done, total);
	if (v->cur >= 0)
		fprintf(f, ", \"session\": %" PRIu32 ", \"session_bytes_done\": %" PRIu64
			", \"session_bytes_total\": %" PRIu64, v->sess[v->cur].info.id, v->done_bytes,
			v->total_bytes);
	fprintf(f, ", \"rate_bps\": %.0f", v->rate_bps);
	if (v->state == KT_VEST_DOWNLOADING && v->rate_bps > 1 && total >= done)
		fprintf(f, ", \"eta_s\": %.0f", (double)(total - done) / v->rate_bps);
	fputs(", \"session_list\": [", f);
	for (size_t i = 0; i < v->n_sess; i++)
		fprintf(f, "%s{\"id\": %" PRIu32 ", \"size\": %" PRIu32 ", \"crc32\": \"%08" PRIx32
			"\", \"state\": \"%s\"%s}", i ? ", " : "", v->sess[i].info.id,
			v->sess[i].info.size, v->sess[i].info.crc32,
			sess_state_to_str(v->sess[i].state),
			v->sess[i].erase_refused ? ", \"erase_refused\": true" : "");
	fputs("]}", f);
}

int
kt_status_write(struct kt_dockd *d, const char *path, int64_t now_us)
{
	struct kt_atomic_file a;
	bool first = true;
	FILE *f;
	int r;

	r = kt_atomic_open(path, 0640, &a);
	if (r < 0)
		return r;
	f = a.f;
	fprintf(f, "{\n  \"format\": \"kicktrack-status-1\",\n  \"pid\": %ld,\n  \"updated_unix\": %ld,\n",
		(long)getpid(), (long)time(NULL));
	fprintf(f, "  \"running\": %s,\n", d->stopped ? "false" : "true");
	/* no vest ports to look for: a gpsd-only recorder, no dock */
	fprintf(f, "  \"dock\": %s,\n", d->o->n_devices || d->o->n_usb_ids ? "true" : "false");
	fputs("  \"store_root\": ", f);
	json_str(f, kt_store_root(d->store));
	fputs(",\n  \"vests\": [\n", f);
	for (size_t i = 0; i < d->n_vests; i++) {
		if (!first)
			fputs(",\n", f);
		first = false;
		write_vest(f, d->vests[i]);
	}
	/* ports that are no vest's: never said who they are (garbage, other
	 * devices), or gave the id of a vest on another port (then named) */
	for (size_t i = 0; i < d->n_ports; i++) {
		struct kt_port *p = d->ports[i];

		if (kt_port_vest(p) || kt_port_was(p))
			continue; /* shown as that vest */
		if (!first)
			fputs(",\n", f);
		first = false;
		fputs("    {\"id\": ", f);
		json_str(f, kt_port_said_id(p));
		fputs(", \"port\": ", f);
		json_str(f, kt_port_path(p));
		fputs(", \"state\": ", f);
		json_str(f, kt_port_state(p) == KT_PORT_FAILED ? "failed" : "connecting");
		fputs(", \"reason\": ", f);
		json_str(f, kt_port_reason(p));
		fputs("}", f);
	}
	fputs("\n  ],\n  \"trainings\": [\n", f);
	char busy[256];
	bool have_busy = false;
	for (size_t i = 0; i < d->n_trainings; i++) {
		const struct kt_training *t = &d->trainings[i];
		int64_t wait_s = 0;

		if (t->state == KT_TRAINING_COLLECTING && t->dirty) {
			wait_s = ((int64_t)d->o->quiet_s * 1000000 - (now_us - t->last_arrival_us)) / 1000000;
			if (wait_s < 0)
				wait_s = 0;
		}
		fputs(i ? ",\n    {\"name\": " : "    {\"name\": ", f);
		json_str(f, t->m.name);
		fprintf(f, ", \"logs\": %zu, \"state\": \"%s\", \"runs\": %u, \"exit_code\": %d, "
			"\"processing_in_s\": %" PRId64 ", \"report_dir\": ", t->m.n,
			kt_training_state_to_str(t->state), t->runs, t->exit_code, wait_s);
		json_str(f, t->report_dir);
		if (t->state == KT_TRAINING_COLLECTING && t->dirty && wait_s == 0) {
			/* quiet time over: held by vests still being read (the
			 * same vests for every training: listed once) */
			if (!have_busy)
				kt_training_busy(d, busy, sizeof(busy));
			have_busy = true;
			fputs(", \"waiting_for\": ", f);
			json_str(f, busy);
		}
		if (t->space_wait[0]) { /* the downloads under way need the room */
			fputs(", \"space_wait\": ", f);
			json_str(f, t->space_wait);
		}
		if (t->without[0]) {
			fputs(", \"without\": ", f);
			json_str(f, t->without);
		}
		if (t->found[0]) { /* logs this start found in no training */
			fputs(", \"found\": ", f);
			json_str(f, t->found);
		}
		if (t->reason[0]) { /* why its reports are not made: the full disk */
			fputs(", \"reason\": ", f);
			json_str(f, t->reason);
		}
		fputs("}", f);
	}
	fputs("\n  ],\n  \"latest_report\": ", f);
	json_str(f, d->latest_report);
	fputs("\n}\n", f);
	return kt_atomic_commit(&a, false, false);
}
