#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# Aggregate download throughput of N emulated vests in parallel against the
# sum of their byte-rate limits, and kicktrackd's CPU share meanwhile
# (issue 5, item 7: goal >= 90 % of the link capacity, < 5 % of one core).
#   tools/bench/bench-dock-link.sh build/src/daemon/kicktrackd \
#       build/tools/vest-emulator/kicktrack-vest-emulator [VESTS [BYTES/S [BYTES]]]
# Defaults: 20 vests, 115200 B/s each (a 921600-baud bridge is 92160 B/s;
# USB CDC-ACM is faster), 1500000 bytes each. Time runs from the first byte
# on disk to the last session stored; the daemon's CPU is read from /proc.
set -u
# the numbers read and printed here have a decimal point, whatever the user's locale
awk() { LC_ALL=C command awk "$@"; }
D=$1; EMU=$2; N=${3:-20}; RATE=${4:-115200}; SIZE=${5:-1500000}
W=$(mktemp -d "${TMPDIR:-/tmp}/kt-bench-dock-XXXXXX")
PIDS=(); DPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP

now() { date +%s.%N; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

head -c "$SIZE" /dev/urandom > "$W/session.log"
mkdir -p "$W/vests"
for i in $(seq -w 1 "$N"); do
	"$EMU" --vest-id "B$i" --session "$W/session.log" --link "$W/vests/B$i" --rate "$RATE" \
		>/dev/null 2>>"$W/emu.log" &
	PIDS+=($!)
done
for _ in $(seq 100); do [ "$(ls "$W/vests" | wc -l)" -eq "$N" ] && break; sleep 0.05; done

"$D" -r "$W/root" -d "$W/vests/*" --no-usb --no-process --scan-interval 200 2>"$W/d.log" &
DPID=$!
for _ in $(seq 400); do
	[ -n "$(find "$W/root/partial" -name '*.part' -size +0 2>/dev/null | head -1)" ] && break
	sleep 0.05
done
etick() { local s=0; for p in "${PIDS[@]}"; do s=$((s + $(ticks "$p"))); done; echo $s; }
t0=$(now); c0=$(ticks "$DPID"); e0=$(etick)
ts=
for _ in $(seq 36000); do
	[ -z "$ts" ] && [ "$(find "$W/root/partial" "$W/root/raw" -name '*.part' -size +0 -o -name '*.log' 2>/dev/null | wc -l)" -ge "$N" ] && ts=$(now)
	[ "$(find "$W/root/raw" -name '*.log' 2>/dev/null | wc -l)" -ge "$N" ] && break
	kill -0 "$DPID" 2>/dev/null || { echo "kicktrackd died"; tail "$W/d.log"; exit 1; }
	sleep 0.05
done
t1=$(now); c1=$(ticks "$DPID"); e1=$(etick)
for p in "${PIDS[@]}"; do kill "$p"; done
wait "${PIDS[@]}" 2>/dev/null
PIDS=()
stored=$(find "$W/root/raw" -name '*.log' | wc -l)
hz=$(getconf CLK_TCK)
awk -v n="$N" -v rate="$RATE" -v size="$SIZE" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" \
    -v hz="$hz" -v stored="$stored" -v e0="$e0" -v e1="$e1" -v ts="${ts:-$t1}" 'BEGIN {
	dt = t1 - t0; bytes = stored * size;
	printf "bench-dock-link: %d of %d vests stored, %d bytes each, limit %d B/s each\n", stored, n, size, rate;
	printf "  aggregate %.0f B/s of %.0f B/s capacity: %.1f %% (goal >= 90 %%)\n", bytes / dt, n * rate, 100 * bytes / dt / (n * rate);
	printf "  kicktrackd CPU %.2f s in %.2f s: %.2f %% of one core (goal < 5 %%)\n", (c1 - c0) / hz, dt, 100 * (c1 - c0) / hz / dt;
	printf "  the %d emulators together: %.2f %% of one core\n", n, 100 * (e1 - e0) / hz / dt;
	printf "  every vest had started %.2f s after the first one (port scan and IDENTIFY/LIST\n   round trips; part of the measured time)\n", ts - t0;
}'
# per vest, from the emulators' own summaries: the rate while sending, and the
# time the host left the link idle (no READ outstanding)
grep -h 'sent for' "$W/emu.log" | awk '{ r = $(NF-6) + 0; i = $(NF-1) + 0; n++; sr += r; si += i;
	if (n == 1 || r < rmin) rmin = r; if (i > imax) imax = i }
	END { if (n) printf "  per vest: %.0f B/s average (slowest %.0f) while sending; link idle %.2f s average, %.2f s at most\n", sr / n, rmin, si / n, imax }'
