#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# Two vests streamed at the same time through gpsfake: the recorder writes
# one log per device into the store, a live session ends after the quiet
# time, and processing the recorded logs agrees with processing the
# originals (distance within 0.5 %, same sprints); the final live numbers
# equal those of the recorded logs.
set -u
DRIVER=$1
KT=$2
. "$(dirname "$0")/lib.sh"
need gpsfake gpsd

"$DRIVER" gen "$W/a.nmea" 120 1 || fail "gen"
"$DRIVER" gen "$W/b.nmea" 90 2 || fail "gen"
start_gpsfake "$W/a.nmea" "$W/b.nmea"
"$DRIVER" run "127.0.0.1:$PORT" "$W/store" 2 1 90 >"$W/run.out" 2>&1
rc=$?
cat "$W/run.out"
[ $rc -eq 0 ] || fail "live-driver run exited $rc"
grep -q "^stats .*devices=2" "$W/run.out" || fail "expected 2 devices"
n=$(match_recordings "$W/a.nmea" "$W/b.nmea" | tee /dev/stderr | tail -n 1)
[ "$n" = 2 ] || fail "expected 2 recorded logs, got $n"
ls "$W"/store/sessions/*/manifest >/dev/null || fail "no session manifest"
[ "$(stat -c %a "$W/store/live.json")" = 640 ] || fail "live.json is not 0640"

# the recorded logs are ordinary vest logs for `kicktrack process`
"$KT" process -o "$W/out" "$W"/store/raw/*/*.log >"$W/process.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$W/process.out"; fail "kicktrack process exited $rc"; }
echo "PASS"
