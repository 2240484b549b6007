#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# Live recording by kicktrackd (--gpsd; the real gpsd on a pty fed by
# `live-driver feed`) on a store whose disk fills up during the session (a
# tmpfs in a mount namespace of its own, so root only). Before, the first
# failed write ended that vest's recording for the session ("no longer
# recorded"), and a disk filled to the last byte left the session without
# its manifest (a recording in raw/ no training lists) and live.json stale.
# Now recording pauses below 256 KiB free (checked every second, and at
# once when a write finds the disk full), says so in the log and in
# `kicktrack live` ("NOT RECORDING: ..."), marks the gap in the recording
# and goes on by itself once 512 KiB are free; the session ends whole:
# recording stored (a valid log), manifest written, nothing half-written.
set -u
DRIVER=$1
KT=$2
D=$3
# (small_disk: the test runs again in a mount namespace of its own)
NEED_MOUNT_NS=1 . "$(dirname "$0")/lib.sh"
need gpsd
small_disk 2m
live_vest 60 # 20 epochs a second: 30 s
printf '[gpsd]\nquiet_s = 3\nvest = %s VA\n' "$W/vestA" > "$W/kt.conf"
"$D" -c "$W/kt.conf" -r "$ROOT" --no-usb --gpsd "127.0.0.1:$PORT" --no-process >"$W/d.log" 2>&1 &
DPID=$!
PIDS+=("$DPID")
wait_for 20 part_at_least 8000 || log_fail "the live recording did not start"

# 1. the disk nearly full (200 KiB left): recording pauses, and says so
head -c $(( $(free_bytes) - 200 * 1024 )) /dev/zero > "$W/small/filler"
wait_for 5 grep -q "warning: the store's disk is nearly full (.* free): live recording paused, so that the sessions and the status still fit; what was recorded is kept; it goes on by itself once 524 kB are free: free space there (df -h $ROOT)" "$W/d.log" ||
	log_fail "the pause is not said"
paused_shown() {
	"$KT" live --once --file "$ROOT/live.json" >"$W/live.out" 2>&1
	grep -q "^NOT RECORDING: the store's disk is nearly full" "$W/live.out"
}
wait_for 5 paused_shown || { cat "$W/live.out"; log_fail "kicktrack live does not say that nothing is recorded"; }
s1=$(stat -c %s "$(part)")
sleep 2
[ "$(stat -c %s "$(part)")" -eq "$s1" ] || log_fail "still recording on a nearly full disk"
# room again: it goes on by itself
rm "$W/small/filler"
wait_for 5 grep -q "free on the store's disk again: live recording goes on (paused for [0-9]* s)" "$W/d.log" ||
	log_fail "recording did not go on once there was room"
wait_for 5 part_at_least $((s1 + 2000)) || log_fail "the recording does not grow again"
"$KT" live --once --file "$ROOT/live.json" >"$W/live.out" 2>&1
grep -q "NOT RECORDING" "$W/live.out" && { cat "$W/live.out"; log_fail "kicktrack live still says not recording"; }

# 2. the disk filled to the last byte at once: paused as well (not ended
# for the session), and it goes on once there is room
fallocate -l $(( $(free_bytes) / 4096 * 4096 )) "$W/small/filler" || fail "cannot fill the tmpfs"
paused_twice() { [ "$(grep -c 'live recording paused' "$W/d.log")" -eq 2 ]; }
wait_for 5 paused_twice || log_fail "a full disk did not pause the recording"
sleep 1
kill -0 "$DPID" || log_fail "the daemon died on a full disk"
rm "$W/small/filler"
resumed_twice() { [ "$(grep -c 'live recording goes on' "$W/d.log")" -eq 2 ]; }
wait_for 5 resumed_twice || log_fail "recording did not go on after the disk was full"

# the session ends whole
wait_for 60 grep -q 'live session .* ended' "$W/d.log" || log_fail "the live session did not end"
grep -q "vest VA: live recording stored as .* ([0-9]* epochs, [0-9]* fixes, [0-9]* gaps; [1-9][0-9]* of them not recorded: the disk was full)" "$W/d.log" ||
	log_fail "the stored recording does not say what was not recorded"
grep -q 'no longer recorded' "$W/d.log" && log_fail "the recording ended for the session"
grep -q 'cannot write the manifest' "$W/d.log" && log_fail "the session's manifest was not written"
ls "$ROOT"/sessions/*/manifest >/dev/null 2>&1 || log_fail "no session manifest"
rec=$(ls "$ROOT"/raw/VA/*.log) || log_fail "no recording in raw/"
[ "$(grep -c '^# kicktrack-live paused ' "$rec")" -ge 1 ] && [ "$(grep -c '^# kicktrack-live resumed ' "$rec")" -eq 2 ] ||
	log_fail "the pauses are not marked in the recording: $(grep '^#' "$rec")"
[ -z "$(find "$ROOT" -name '*.tmp' -o -name '*.part')" ] ||
	log_fail "left behind: $(find "$ROOT" -name '*.tmp' -o -name '*.part')"
# ... and it is an ordinary vest log (partial, exit 3: a minute is too
# short to estimate the pitch from)
"$KT" process --no-config --no-charts -o "$W/out" "$rec" >"$W/process.out" 2>&1
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] && grep -q '1 of 1 vests processed' "$W/process.out" ||
	{ cat "$W/process.out"; log_fail "the recording is not a valid vest log (exit $rc)"; }
kill "$DPID"
wait "$DPID"
rc=$?
[ $rc -eq 0 ] || log_fail "kicktrackd exit $rc on SIGTERM"
echo "ok"
