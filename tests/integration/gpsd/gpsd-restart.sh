#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# gpsd killed and restarted in the middle of a live session: the recorder
# says gpsd is gone, reconnects with back-off, marks the gap in the
# recording, keeps every epoch it had before, and the session goes on
# (one session, one recording per vest, processable afterwards). Two gpsd
# serve one vest each; the vest on the gpsd that stays is not disturbed.
# gpsd runs directly on ptys fed by `live-driver feed` (gpsfake cannot
# restart its gpsd); the config maps the device paths to vest ids.
set -u
DRIVER=$1
KT=$2
. "$(dirname "$0")/lib.sh"
need gpsd

"$DRIVER" gen "$W/a.nmea" 60 5 || fail "gen"
"$DRIVER" gen "$W/b.nmea" 60 6 || fail "gen"
# 40 epochs a second: 600 epochs take 15 s
"$DRIVER" feed 40 "$W/vestA" "$W/a.nmea" "$W/vestB" "$W/b.nmea" >"$W/feed.out" 2>&1 &
FEED_PID=$!
PIDS+=("$FEED_PID")
for _ in $(seq 50); do [ -e "$W/vestB" ] && break; sleep 0.05; done

# two gpsd, one vest each: only the first is killed and restarted
for _ in 1 2 3 4 5; do
	PORT=$(random_port)
	start_gpsd "$W/vestA" && break
done
PORT_A=$PORT
GPSD_A=$GPSD_PID
for _ in 1 2 3 4 5; do
	PORT=$(random_port)
	[ "$PORT" != "$PORT_A" ] && start_gpsd "$W/vestB" && break
done
PORT_B=$PORT
"$DRIVER" run "127.0.0.1:$PORT_A" "$W/store" 8 1 90 "$W/vestA=VA" "$W/vestB=VB" \
	"--server=127.0.0.1:$PORT_B" >"$W/run.out" 2>&1 &
DRIVER_PID=$!
PIDS+=("$DRIVER_PID")

# let the session run, then kill gpsd A and start it again on the same port
for _ in $(seq 100); do
	[ -f "$W/store/live.csv" ] && [ "$(grep -c ',ok,' "$W/store/live.csv")" = 2 ] && break
	sleep 0.05
done
sleep 1
kill -9 "$GPSD_A"
wait "$GPSD_A" 2>/dev/null
sleep 2
PORT=$PORT_A
start_gpsd "$W/vestA" || fail "gpsd did not restart on port $PORT_A"

wait "$DRIVER_PID"
rc=$?
cat "$W/run.out"
[ $rc -eq 0 ] || fail "live-driver run exited $rc"
grep -q "gpsd at 127.0.0.1:$PORT_A is gone" "$W/run.out" || fail "gpsd A's departure was not reported"
grep -q "gpsd at 127.0.0.1:$PORT_A is back" "$W/run.out" || fail "gpsd A's return was not reported"
[ "$(grep -c "is gone" "$W/run.out")" = 1 ] || fail "a departure was reported more than once, or gpsd B's too"
grep -Eq "^stats connects=3 disconnects=1 .* sessions=1 devices=2" "$W/run.out" ||
	fail "expected 3 connects (A, B, A again), 1 disconnect, 1 session, 2 devices"

rec=$(ls "$W"/store/raw/VA/*.log) || fail "no recording of VA"
grep -q "kicktrack-live gpsd-lost" "$rec" || fail "VA: gap not marked"
grep -q "kicktrack-live gpsd-back" "$rec" || fail "VA: reconnection not marked"
# every epoch before the loss is there, in order, none missing
sed -n '/gpsd-lost/q;/RMC/p' "$rec" | cut -d, -f2 | cut -c1-8 >"$W/VA.before"
k=$(wc -l <"$W/VA.before")
[ "$k" -gt 20 ] || fail "VA: only $k epochs before the loss"
# (the recording starts when gpsd had the device: compare from there on)
first=$(head -n 1 "$W/VA.before")
grep RMC "$W/a.nmea" | cut -d, -f2 | cut -c1-8 | sed -n "/^$first\$/,\$p" | head -n "$k" >"$W/VA.orig"
cmp -s "$W/VA.before" "$W/VA.orig" || fail "VA: epochs before the loss differ from the original"
# and after the reconnection the recording goes on
after=$(sed -n '/gpsd-back/,$p' "$rec" | grep -c RMC)
[ "$after" -gt 20 ] || fail "VA: only $after epochs after the reconnection"
echo "VA: $k epochs before the loss, $after after the reconnection"
"$DRIVER" compare "$rec" "$rec" "$W/store/live.json" VA || fail "VA: live numbers differ"

# the vest on the other gpsd went on undisturbed
recb=$(ls "$W"/store/raw/VB/*.log) || fail "no recording of VB"
grep -q "kicktrack-live gpsd-" "$recb" && fail "VB: marked although its gpsd stayed"
"$DRIVER" compare "$W/b.nmea" "$recb" "$W/store/live.json" VB || fail "VB: recording differs from the original"
echo "PASS"
