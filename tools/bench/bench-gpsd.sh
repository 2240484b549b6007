#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# Benchmark (not a test): VESTS simulated vests at 10 Hz through real gpsd
# (one per 4 vests: Debian's limit), recorded by the gpsd live source exactly
# as kicktrackd runs it.
# Reports the recorder's CPU use while the vests stream (goal: < 2 % of one
# core), the epochs dropped (goal: none), gpsd's own CPU use, and what one
# live snapshot costs late in a long session.
# Usage: [RAW=1] bench-gpsd.sh DRIVER [VESTS (30)] [SECONDS (60)]   (RAW=1: [gpsd] raw = yes)
# Run: ninja -C build bench-gpsd-run
set -u
# the numbers read and printed here have a decimal point, whatever the user's locale
awk() { LC_ALL=C command awk "$@"; }
DRIVER=$1
VESTS=${2:-30}
SECONDS_=${3:-60}
command -v gpsd >/dev/null || { echo "gpsd is not installed"; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/kt-bench-gpsd.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT

feed_args=()
map_args=()
links=()
for i in $(seq -w 1 "$VESTS"); do
	"$DRIVER" gen "$W/v$i.nmea" "$SECONDS_" "$i" || exit 1
	feed_args+=("$W/dev$i" "$W/v$i.nmea")
	map_args+=("$W/dev$i=B$i")
	links+=("$W/dev$i")
done
"$DRIVER" feed 10 "${feed_args[@]}" >"$W/feed.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -e "${links[-1]}" ] && break; sleep 0.05; done

# Debian's gpsd 3.22 serves at most 4 devices ("Too many devices on command
# line"): one gpsd per 4 vests, all watched by the one recorder.
GPSD_PIDS=()
SERVERS=()
for ((k = 0; k < ${#links[@]}; k += 4)); do
	for _ in 1 2 3 4 5; do
		PORT=$((20000 + RANDOM % 40000))
		gpsd -N -n -b -S "$PORT" "${links[@]:k:4}" >>"$W/gpsd.out" 2>&1 &
		pid=$!
		ok=0
		for _ in $(seq 100); do
			if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then ok=1; break; fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		[ $ok = 1 ] && break
		kill "$pid" 2>/dev/null
	done
	[ $ok = 1 ] || { cat "$W/gpsd.out"; echo "gpsd did not start"; exit 1; }
	PIDS+=("$pid")
	GPSD_PIDS+=("$pid")
	SERVERS+=("127.0.0.1:$PORT")
done
server_args=()
for srv in "${SERVERS[@]:1}"; do server_args+=("--server=$srv"); done

echo "$VESTS vests x $SECONDS_ s at 10 Hz through ${#SERVERS[@]} gpsd (4 devices each) ..."
[ -n "${RAW:-}" ] && server_args+=(--raw) && echo "(raw = yes: one more gpsd connection per vest)"
"$DRIVER" run "${SERVERS[0]}" "$W/store" 3 1 $((SECONDS_ + 60)) "${map_args[@]}" "${server_args[@]}" \
	>"$W/run.out" 2>&1
rc=$?
gpsd_ticks=0
for pid in "${GPSD_PIDS[@]}"; do
	t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)
	gpsd_ticks=$((gpsd_ticks + ${t:-0}))
done
grep -E "^(cpu|stats)" "$W/run.out"
[ $rc -eq 0 ] || { tail -n 20 "$W/run.out"; echo "the recorder did not finish its session"; exit 1; }
[ -n "$gpsd_ticks" ] && awk -v t="$gpsd_ticks" -v hz="$(getconf CLK_TCK)" -v s="$SECONDS_" \
	'BEGIN { printf "the gpsd processes: %.2f s CPU in about %d s (%.1f %% of one core)\n", t / hz, s, 100 * t / hz / s }'

# dropped epochs: between a vest's first and last recorded epoch every epoch
# of its log must be there. (gpsd reports an epoch when the next one starts,
# so the very last epoch of a stream that just stops is never reported; it
# is counted apart, as "tail".)
expected=0
recorded=0
tail=0
for i in $(seq -w 1 "$VESTS"); do
	rec=$(ls "$W"/store/raw/B$i/*.log 2>/dev/null | head -n 1)
	[ -n "$rec" ] || { echo "vest B$i: no recording"; continue; }
	grep RMC "$rec" | cut -d, -f2 | cut -c1-8 >"$W/r"
	first=$(head -n 1 "$W/r")
	last=$(tail -n 1 "$W/r")
	grep RMC "$W/v$i.nmea" | cut -d, -f2 | cut -c1-8 | sed -n "/^$first\$/,\$p" >"$W/o"
	e=$(sed -n "1,/^$last\$/p" "$W/o" | wc -l)
	t=$(($(wc -l <"$W/o") - e))
	r=$(wc -l <"$W/r")
	[ "$e" = "$r" ] || echo "vest B$i: $r epochs recorded of $e sent between $first and $last"
	expected=$((expected + e))
	recorded=$((recorded + r))
	tail=$((tail + t))
done
echo "epochs: $recorded recorded of $expected sent; dropped $((expected - recorded)) (tail: $tail last epochs gpsd never reported)"
"$DRIVER" snapshot 90
