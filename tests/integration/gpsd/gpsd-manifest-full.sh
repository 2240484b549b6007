#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# A live session (kicktrackd --gpsd; the real gpsd on a pty fed by
# `live-driver feed`) that ends while the store's disk is full to the last
# byte (a tmpfs in a mount namespace of its own, so root only). The
# recording is stored, but its session manifest cannot be written. Before,
# that was said once and never tried again: a recording in raw/ that no
# training lists. Now the log says the manifest is written once there is
# room, and it is: the session becomes a training by itself.
set -u
DRIVER=$1
KT=$2
D=$3
# (small_disk: the test runs again in a mount namespace of its own)
NEED_MOUNT_NS=1 . "$(dirname "$0")/lib.sh"
need gpsd
small_disk 2m
live_vest 20 # 20 epochs a second: 10 s
printf '[gpsd]\nquiet_s = 2\nvest = %s VA\n' "$W/vestA" > "$W/kt.conf"
"$D" -c "$W/kt.conf" -r "$ROOT" --no-usb --gpsd "127.0.0.1:$PORT" --no-process >"$W/d.log" 2>&1 &
DPID=$!
PIDS+=("$DPID")
wait_for 20 part_at_least 8000 || log_fail "the live recording did not start"

# the disk full to the last byte until after the session ended
fallocate -l $(( $(free_bytes) / 4096 * 4096 )) "$W/small/filler" || fail "cannot fill the tmpfs"
[ "$(free_bytes)" -eq 0 ] || fail "the tmpfs is not full: $(free_bytes) bytes free"
wait_for 40 grep -q 'live session .* ended\|manifest of live session' "$W/d.log" ||
	log_fail "the live session did not end"
grep -q "vest VA: live recording stored as $ROOT/raw/VA/" "$W/d.log" || log_fail "the recording was not stored"
grep -q "error: cannot write the manifest of live session [0-9_-]* in $ROOT: No space left on device; its recordings are stored (raw/VA/[0-9]*-[0-9a-f]*.log), and the manifest that makes them a training is written by itself once there is room (df -h $ROOT)" "$W/d.log" ||
	log_fail "the unwritten manifest is not said, or not what happens to it"
ls "$ROOT"/sessions/*/manifest >/dev/null 2>&1 && log_fail "a manifest was written on a full disk (the test did not fill it)"
sleep 2
kill -0 "$DPID" || log_fail "the daemon died on a full disk"
ls "$ROOT"/sessions/*/manifest >/dev/null 2>&1 && log_fail "a manifest appeared while the disk stayed full"

# room again: the manifest is written by itself, and the session is a training
rm "$W/small/filler"
wait_for 5 grep -q "live session [0-9_-]*: its manifest is written now (raw/VA/[0-9]*-[0-9a-f]*.log)" "$W/d.log" ||
	log_fail "the manifest is not written once there is room"
wait_for 2 grep -q "vest VA session [0-9]* belongs to training" "$W/d.log" ||
	log_fail "the session did not become a training"
m=$(ls "$ROOT"/sessions/*/manifest) || log_fail "no session manifest"
rec=$(ls "$ROOT"/raw/VA/*.log) || log_fail "no recording in raw/"
grep -q "^log=VA [0-9]* [0-9a-f]* ${rec#$ROOT/}$" "$m" || log_fail "the manifest does not list the recording: $(cat "$m")"
[ "$(grep -c 'cannot write the manifest' "$W/d.log")" -eq 1 ] || log_fail "the failed write said more than once"
[ -z "$(find "$ROOT" -name '*.tmp' -o -name '*.part')" ] ||
	log_fail "left behind: $(find "$ROOT" -name '*.tmp' -o -name '*.part')"
kill "$DPID"
wait "$DPID"
rc=$?
[ $rc -eq 0 ] || log_fail "kicktrackd exit $rc on SIGTERM"
echo "ok"
