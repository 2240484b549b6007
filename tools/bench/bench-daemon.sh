#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# kicktrackd download benchmark (owner "daemon"): VESTS emulated vests, each
# limited to RATE bytes/s and serving one SIZE-byte session, downloaded in
# parallel. Prints the aggregate throughput against the sum of the rate limits
# (goal >= 90 %) and the daemon's CPU time from /proc (goal < 5 % of one core).
#   bench-daemon.sh KICKTRACKD EMULATOR [VESTS=20] [RATE=20000] [SIZE=400000]
set -u
# the numbers read and printed here have a decimal point, whatever the user's locale
awk() { LC_ALL=C command awk "$@"; }
D=$1; EMU=$2; N=${3:-20}; RATE=${4:-20000}; SIZE=${5:-400000}
W=$(mktemp -d /tmp/kt-bench-daemon-XXXXXX)
PIDS=(); DPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
for i in $(seq -w 1 "$N"); do
	head -c "$SIZE" /dev/urandom > "$W/s$i"
	$EMU --vest-id "B$i" --session "$W/s$i" --link "$W/B$i.tty" --rate "$RATE" >/dev/null 2>&1 &
	PIDS+=($!)
done
for _ in $(seq 100); do [ "$(ls "$W"/*.tty 2>/dev/null | wc -l)" -eq "$N" ] && break; sleep 0.05; done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
t0=$(date +%s.%N)
$D -r "$W/root" -d "$W/*.tty" --no-usb --no-process >"$W/d.log" 2>&1 &
DPID=$!
c0=$(ticks "$DPID")
for _ in $(seq 6000); do
	n=$(find "$W/root/raw" -name '*.log' 2>/dev/null | wc -l)
	[ "$n" -eq "$N" ] && break
	sleep 0.05
done
t1=$(date +%s.%N)
c1=$(ticks "$DPID")
[ "$n" -eq "$N" ] || { echo "only $n of $N vests stored"; tail "$W/d.log"; exit 1; }
awk -v n="$N" -v r="$RATE" -v s="$SIZE" -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" -v hz="$hz" 'BEGIN {
	wall = t1 - t0; agg = n * s / wall; cap = n * r;
	printf "vests %d, %d bytes each, rate limit %d B/s each (link capacity %d B/s)\n", n, s, r, cap;
	printf "wall %.2f s (includes port discovery and IDENTIFY/LIST)\n", wall;
	printf "aggregate throughput %.0f B/s = %.1f %% of link capacity (goal >= 90 %%)\n", agg, 100 * agg / cap;
	printf "daemon CPU %.2f s = %.2f %% of one core (goal < 5 %%)\n", c / hz, 100 * c / hz / wall;
}'
