#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# A device that disappears: gpsfake serves a long and a short log; when the
# short one ends gpsd drops its device. The live view must flag that vest
# (gone/lost) while the other is still ok, the session must go on until the
# long log ends, and both recordings must be complete.
set -u
DRIVER=$1
KT=$2
. "$(dirname "$0")/lib.sh"
need gpsfake gpsd

"$DRIVER" gen "$W/long.nmea" 60 3 || fail "gen"
"$DRIVER" gen "$W/short.nmea" 30 4 || fail "gen"
# -c: a delay per sentence, so that the long log lasts a few seconds more
start_gpsfake -c 0.005 "$W/long.nmea" "$W/short.nmea"
"$DRIVER" run "127.0.0.1:$PORT" "$W/store" 2 1 90 >"$W/run.out" 2>&1 &
DRIVER_PID=$!
PIDS+=("$DRIVER_PID")

# watch the live view: one vest flagged, one ok, at the same time
seen=0
for _ in $(seq 600); do
	if [ -f "$W/store/live.json" ] &&
	   "$KT" live --once --file "$W/store/live.json" >"$W/seen.out" 2>&1 &&
	   grep -Eq '!! (DEVICE GONE|FIX LOST)$' "$W/seen.out" && grep -q ' ok$' "$W/seen.out"; then
		seen=1
		break
	fi
	kill -0 "$DRIVER_PID" 2>/dev/null || break
	sleep 0.1
done
wait "$DRIVER_PID"
rc=$?
cat "$W/run.out"
[ $rc -eq 0 ] || fail "live-driver run exited $rc"
[ $seen = 1 ] || fail "the live view never flagged the vanished vest while the other was ok"
cat "$W/seen.out"
grep -q "gpsd lost device" "$W/run.out" || fail "the vanished device was not reported"
grep -q "^stats .*sessions=1 devices=2" "$W/run.out" || fail "expected one session with 2 devices"
n=$(match_recordings "$W/long.nmea" "$W/short.nmea" | tee /dev/stderr | tail -n 1)
[ "$n" = 2 ] || fail "expected 2 recorded logs, got $n"
grep -q "kicktrack-live device-gone" "$W"/store/raw/*/*.log || fail "no device-gone mark in the recording"
echo "PASS"
