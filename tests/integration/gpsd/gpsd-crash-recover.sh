#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# kicktrackd (--gpsd; the real gpsd on a pty fed by `live-driver feed`)
# killed with kill -9 during a live session, as a power cut would stop it.
# Before, the recording stayed in partial/ for ever: in no training, no
# reports. Now the next start stores it in raw/ byte for byte as recorded,
# says so in the log, puts it into a training (manifest, logs/; the raw
# receiver data beside it) whose reports are made, and `kicktrack status` says the training got it at the
# start; a further start changes nothing.
set -u
DRIVER=$1
KT=$2
D=$3
. "$(dirname "$0")/lib.sh"
need gpsd
ROOT=$W/root
live_vest 60 # 20 epochs a second: 30 s
printf '[gpsd]\nquiet_s = 2\nraw = yes\nvest = %s VA\n[process]\ncharts = no\n' "$W/vestA" > "$W/kt.conf"
daemon() {
	"$D" -c "$W/kt.conf" -r "$ROOT" --no-usb --gpsd "127.0.0.1:$PORT" --quiet-time 1 >>"$W/d.log" 2>&1 &
	DPID=$!
	PIDS+=("$DPID")
}
daemon
wait_for 20 part_at_least 20000 || log_fail "the live recording did not start"

# the power cut: the daemon gone at once, and the vest's data with it
kill -9 "$DPID"
wait "$DPID" 2>/dev/null
kill "$FEED_PID"
wait "$FEED_PID" 2>/dev/null
p=$(part)
sid=$(basename "$p" .part)
sid=${sid#live-}
cp "$p" "$W/recorded" || fail "cannot copy $p"
# the receiver's own sentences (raw = yes), as far as they were written
[ -s "$ROOT/gpsd-raw/VA-$sid.nmea.part" ] || fail "no raw receiver data: $(ls "$ROOT/gpsd-raw")"
cp "$ROOT/gpsd-raw/VA-$sid.nmea.part" "$W/raw.nmea"
[ -z "$(find "$ROOT/raw" -name '*.log')" ] || fail "a recording in raw/ before the restart"

daemon
wait_for 60 grep -q 'reports ready' "$W/d.log" || log_fail "no reports for the recovered recording"
rec=$(ls "$ROOT"/raw/VA/"$sid"-*.log 2>/dev/null) || log_fail "the recording is not in raw/VA as session $sid"
cmp "$rec" "$W/recorded" || log_fail "the stored recording differs from what was recorded"
grep -q "warning: vest VA: a live recording left unfinished when kicktrackd stopped during a live session (a crash, kill -9 or power cut) is stored now as $rec ([0-9.]* kB, as recorded up to the stop)" "$W/d.log" ||
	log_fail "the recovery is not said"
grep -q "warning: store $ROOT: 1 stored log was in no training when kicktrackd started (${rec#$ROOT/}): kicktrackd stopped before its training's manifest was written, or during a live session; it is grouped into trainings now like a docked or live session, and the reports of those trainings are made (again)" "$W/d.log" ||
	log_fail "the log in no training is not said"
[ -z "$(find "$ROOT/partial" -name 'live-*')" ] || log_fail "left in partial/: $(find "$ROOT/partial" -name 'live-*')"
m=$(ls "$ROOT"/sessions/*/manifest) || log_fail "no training manifest"
[ "$(echo "$m" | wc -l)" -eq 1 ] || log_fail "more than one training: $m"
grep -q "^log=VA $sid [0-9a-f]* ${rec#$ROOT/}$" "$m" || log_fail "the manifest does not list the recording: $(cat "$m")"
wait_for 5 grep -q '^reported=1$' "$m" || log_fail "the manifest does not say the reports hold it: $(cat "$m")"
tdir=$(dirname "$m")
cmp "$tdir/logs/VA.log" "$rec" || log_fail "the training's logs/ lacks the recording"
cmp "$tdir/gpsd-raw/VA.nmea" "$W/raw.nmea" || log_fail "the raw receiver data are not beside the manifest"
[ -z "$(ls "$ROOT/gpsd-raw")" ] || log_fail "left in gpsd-raw/: $(ls "$ROOT/gpsd-raw")"
grep -q "vest VA: the receiver's raw data of that live recording (as far as they were written) are in $tdir/gpsd-raw/VA.nmea" "$W/d.log" ||
	log_fail "the move of the raw receiver data is not said"
[ "$(grep -c . "$tdir/reports/team.csv")" -eq 2 ] && grep -q '^"VA",' "$tdir/reports/team.csv" ||
	log_fail "the report does not hold VA: $(cat "$tdir/reports/team.csv")"
status_shown() {
	"$KT" status -r "$ROOT" >"$W/st.txt" 2>&1
	grep -q "reports ready: $tdir/reports" "$W/st.txt" &&
		grep -q "added at kicktrackd's start: VA: a live recording left unfinished by a crash or power cut$" "$W/st.txt"
}
wait_for 5 status_shown || { cat "$W/st.txt"; log_fail "kicktrack status does not show the recovered training"; }
[ -z "$(find "$ROOT" -perm /o=rwx)" ] || log_fail "world-accessible: $(find "$ROOT" -perm /o=rwx)"
kill "$DPID"
wait "$DPID"
rc=$?
[ $rc -eq 0 ] || log_fail "kicktrackd exit $rc on SIGTERM"

# a further start: nothing found again, nothing made again
: >"$W/d.log"
daemon
wait_for 10 grep -q 'started: store' "$W/d.log" || log_fail "the daemon did not start again"
sleep 3
grep -q 'in no training\|left unfinished\|reports ready\|: processing [0-9]* log' "$W/d.log" && log_fail "the next start did it again"
[ "$(find "$ROOT/raw" -name '*.log' | wc -l)" -eq 1 ] || log_fail "raw/: $(find "$ROOT/raw" -name '*.log')"
kill "$DPID"
wait "$DPID"
echo "ok"
