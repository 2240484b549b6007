#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# Two vests streamed at the same time through gpsfake: the recorder writes
# one log per device into the store, a live session ends after the quiet
# time, and processing the recorded logs agrees with processing the
# originals (distance within 0.5 %, same sprints); the final live numbers
# equal those of the recorded logs. The receivers' raw sentences are kept too.
set -u
DRIVER=$1
KT=$2
. "$(dirname "$0")/lib.sh"
# Numbers in kicktrack's outputs are C-locale text ("29.3"); awk reads them
# by the locale's decimal point, so under e.g. LANG=de_DE.UTF-8 mawk took
# "29.3" for 29. Only awk runs in the C locale: kicktrack keeps the user's.
awk() { LC_ALL=C command awk "$@"; }
need gpsfake gpsd

"$DRIVER" gen "$W/a.nmea" 120 1 || fail "gen"
"$DRIVER" gen "$W/b.nmea" 90 2 || fail "gen"
start_gpsfake "$W/a.nmea" "$W/b.nmea"
"$DRIVER" run "127.0.0.1:$PORT" "$W/store" 2 1 90 --raw >"$W/run.out" 2>&1
rc=$?
cat "$W/run.out"
[ $rc -eq 0 ] || fail "live-driver run exited $rc"
grep -q "^stats .*devices=2" "$W/run.out" || fail "expected 2 devices"
n=$(match_recordings "$W/a.nmea" "$W/b.nmea" | tee /dev/stderr | tail -n 1)
[ "$n" = 2 ] || fail "expected 2 recorded logs, got $n"
ls "$W"/store/sessions/*/manifest >/dev/null || fail "no session manifest"
[ "$(stat -c %a "$W/store/live.json")" = 640 ] || fail "live.json is not 0640"

# the recorded logs are ordinary vest logs for `kicktrack process`, and the
# final live numbers are what it computes (distance, HSR, sprints, max speed)
"$KT" process --no-config --no-charts -o "$W/out" "$W"/store/raw/*/*.log >"$W/process.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$W/process.out"; fail "kicktrack process exited $rc"; }
col() { # FILE NAME: the column number of NAME in the header of the CSV FILE
	head -n 1 "$1" | tr -d '"' | tr ',' '\n' | grep -nx "$2" | cut -d: -f1
}
for v in $(tail -n +2 "$W/store/live.csv" | cut -d, -f1 | tr -d '"'); do
	t=$(grep "^\"$v\"," "$W/out/team.csv" | tr -d '"') || fail "$v not in team.csv"
	l=$(grep "^\"$v\"," "$W/store/live.csv" | tr -d '"')
	for pair in distance_m:distance_m hsr_m:hsr_m sprints:sprints max_speed_kmh:max_speed_kmh; do
		a=$(echo "$t" | cut -d, -f"$(col "$W/out/team.csv" "${pair%%:*}")")
		b=$(echo "$l" | cut -d, -f"$(col "$W/store/live.csv" "${pair##*:}")")
		awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; exit !(a != "" && b != "" && d < 0.051 && d > -0.051) }' ||
			fail "$v: ${pair%%:*} is $a in kicktrack process, $b live"
	done
	echo "$v: kicktrack process and the live view agree"
done
# and `kicktrack live --once` shows both players' final numbers
"$KT" live --once --file "$W/store/live.json" >"$W/live.out" || fail "kicktrack live --once failed"
cat "$W/live.out"
[ "$(grep -c ' ended$' "$W/live.out")" = 2 ] || fail "kicktrack live does not show 2 vests"
grep -q "^gpsd 127.0.0.1:$PORT: NOT CONNECTED; no session running" "$W/live.out" || fail "first line of a fresh file (gpsfake has ended)"
# a file kicktrackd stopped writing: gpsd's state and the last speeds are
# not now's (the final numbers of an ended session still are)
/usr/bin/python3 - "$W/store/live.json" "$W/stale.json" <<'EOF2' || fail "cannot write stale.json"
import json, sys
j = json.load(open(sys.argv[1]))
j["session"] = True
j["players"][0]["state"] = "ok"
json.dump(j, open(sys.argv[2], "w"))
EOF2
touch -d '-200 seconds' "$W/stale.json"
"$KT" live --once --file "$W/stale.json" >"$W/live.out" || fail "kicktrack live --once on a stale file failed"
cat "$W/live.out"
grep -qi "connected" "$W/live.out" && fail "a stale file said to be (not) connected"
grep -q "^WARNING: $W/stale.json was last updated 20[0-9] s ago" "$W/live.out" || fail "no stale warning"
grep -q "^gpsd 127.0.0.1:$PORT: state unknown; the numbers below are from 20[0-9] s ago" "$W/live.out" ||
	fail "gpsd state of a stale file not unknown"
grep -q ' - .* ?? (was: ok)$' "$W/live.out" || fail "a stale vest shown as ok, with a speed"
grep -q ' ended$' "$W/live.out" || fail "the final numbers of a stale file not shown"
# what can never become a live status file is said at once, in one line,
# exit 1, also without --once (timeout only so that a regression fails
# instead of hanging)
mkdir "$W/adir"
head -c 3000 /dev/urandom >"$W/garbage.ubx"
for f in "$W/adir" "$W/garbage.ubx" /dev/zero; do
	for once in --once ""; do
		timeout 20 "$KT" live $once --file "$f" >"$W/live.out" 2>"$W/live.err"
		rc=$?
		[ $rc = 1 ] || { cat "$W/live.out" "$W/live.err"; fail "live $once --file $f: exit $rc, expected 1"; }
		[ ! -s "$W/live.out" ] && [ "$(wc -l <"$W/live.err")" = 1 ] ||
			{ cat "$W/live.out" "$W/live.err"; fail "live $once --file $f: not one message"; }
	done
done
"$KT" live --once --file "$W/adir" 2>&1 | grep -q "adir is a directory, not a kicktrack live status file" ||
	fail "a directory not named as one"
"$KT" live --once --file "$W/garbage.ubx" 2>&1 | grep -q "garbage.ubx is not a kicktrack live status file" ||
	fail "a binary file not named"
# a binary config: one line, none of its bytes echoed, exit 2
"$KT" live --once --config "$W/garbage.ubx" >"$W/live.out" 2>"$W/live.err"
rc=$?
[ $rc = 2 ] || fail "live --config garbage: exit $rc, expected 2"
[ "$(wc -l <"$W/live.err")" = 1 ] || { cat "$W/live.err"; fail "live --config garbage: not one line"; }
grep -q "garbage.ubx: binary data, not a text file" "$W/live.err" || fail "live --config garbage: not named"
LC_ALL=C grep -q '[^[:print:]]' "$W/live.err" && fail "raw bytes of the config echoed"
# with raw = yes, what each receiver sent is kept verbatim next to the manifest
for o in a b; do tr -d '\r' <"$W/$o.nmea" >"$W/$o.txt"; grep '^\$GPRMC' "$W/$o.txt" >"$W/$o.rmc"; done
for rec in "$W"/store/raw/*/*.log; do
	vest=$(basename "$(dirname "$rec")")
	raw=$(ls "$W"/store/sessions/*/gpsd-raw/"$vest".nmea) || fail "$vest: no raw receiver data kept"
	tr -d '\r' <"$raw" | grep '^\$' >"$W/raw.txt"
	grep '^\$GPRMC' "$W/raw.txt" >"$W/raw.rmc"
	n=$(wc -l <"$W/raw.rmc")
	e=$(grep -c RMC "$rec")
	[ "$n" -gt 0 ] || fail "$vest: no raw RMC sentence kept (the recording has $e epochs)"
	if ! grep -qvxFf "$W/a.txt" "$W/raw.txt"; then
		o=a
	elif ! grep -qvxFf "$W/b.txt" "$W/raw.txt"; then
		o=b
	else
		fail "$vest: the raw data are not the receiver's sentences"
	fi
	# the raw connection opens once gpsd has announced the device, so the
	# first sentences can be missing (doc/live-log-format.md): how many
	# depends on how busy the machine is, the more as gpsfake replays far
	# faster than 10 Hz. From the first one kept to the end of the log none
	# may be missing.
	k=$(grep -nxF -- "$(head -n 1 "$W/raw.rmc")" "$W/$o.rmc" | head -n 1 | cut -d: -f1)
	total=$(wc -l <"$W/$o.rmc")
	tail -n +"$k" "$W/$o.rmc" | head -n "$n" | cmp -s - "$W/raw.rmc" ||
		fail "$vest: raw RMC sentences missing or out of order after the first one kept ($o.nmea's RMC $k)"
	[ $((k + n - 1)) -ge $((total - 2)) ] ||
		fail "$vest: the raw data end at $o.nmea's RMC $((k + n - 1)) of $total"
	echo "$vest: $n raw RMC sentences (the recording $e epochs), verbatim from $o.nmea, its RMC $k to $((k + n - 1)) of $total without a gap"
done
echo "PASS"
