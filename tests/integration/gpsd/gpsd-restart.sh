#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# gpsd killed and restarted in the middle of a live session: the recorder
# says gpsd is gone, reconnects with back-off, marks the gap in the
# recording, keeps every epoch it had before, and the session goes on
# (one session, one recording per vest, processable afterwards).
# gpsd runs directly on ptys fed by `live-driver feed` (gpsfake cannot
# restart its gpsd); the config maps the device paths to vest ids.
set -u
DRIVER=$1
KT=$2
. "$(dirname "$0")/lib.sh"
need gpsd

"$DRIVER" gen "$W/a.nmea" 40 5 || fail "gen"
"$DRIVER" gen "$W/b.nmea" 40 6 || fail "gen"
# 40 epochs a second: 400 epochs take 10 s
"$DRIVER" feed 40 "$W/vestA" "$W/a.nmea" "$W/vestB" "$W/b.nmea" >"$W/feed.out" 2>&1 &
FEED_PID=$!
PIDS+=("$FEED_PID")
for _ in $(seq 50); do [ -e "$W/vestB" ] && break; sleep 0.05; done

for _ in 1 2 3 4 5; do
	PORT=$(random_port)
	start_gpsd "$W/vestA" "$W/vestB" && break
done
"$DRIVER" run "127.0.0.1:$PORT" "$W/store" 8 1 90 "$W/vestA=VA" "$W/vestB=VB" >"$W/run.out" 2>&1 &
DRIVER_PID=$!
PIDS+=("$DRIVER_PID")

# let the session run, then kill gpsd and start it again on the same port
for _ in $(seq 100); do
	[ -f "$W/store/live.csv" ] && grep -q ',ok,' "$W/store/live.csv" && break
	sleep 0.05
done
sleep 1
kill -9 "$GPSD_PID"
wait "$GPSD_PID" 2>/dev/null
sleep 2
start_gpsd "$W/vestA" "$W/vestB" || fail "gpsd did not restart on port $PORT"

wait "$DRIVER_PID"
rc=$?
cat "$W/run.out"
[ $rc -eq 0 ] || fail "live-driver run exited $rc"
grep -q "is gone" "$W/run.out" || fail "gpsd's departure was not reported"
grep -q "is back" "$W/run.out" || fail "gpsd's return was not reported"
[ "$(grep -c "is gone" "$W/run.out")" = 1 ] || fail "gpsd's departure was reported more than once"
grep -Eq "^stats connects=2 disconnects=1 .* sessions=1 devices=2" "$W/run.out" ||
	fail "expected 2 connects, 1 disconnect, 1 session, 2 devices"

for v in VA VB; do
	rec=$(ls "$W"/store/raw/$v/*.log) || fail "no recording of $v"
	orig=$W/a.nmea
	[ $v = VB ] && orig=$W/b.nmea
	grep -q "kicktrack-live gpsd-lost" "$rec" || fail "$v: gap not marked"
	grep -q "kicktrack-live gpsd-back" "$rec" || fail "$v: reconnection not marked"
	# every epoch before the loss is there, in order, none missing
	sed -n '/gpsd-lost/q;/RMC/p' "$rec" | cut -d, -f2 | cut -c1-8 >"$W/$v.before"
	k=$(wc -l <"$W/$v.before")
	[ "$k" -gt 20 ] || fail "$v: only $k epochs before the loss"
	# (the recording starts when gpsd had the device: compare from there on)
	first=$(head -n 1 "$W/$v.before")
	grep RMC "$orig" | cut -d, -f2 | cut -c1-8 | sed -n "/^$first\$/,\$p" | head -n "$k" >"$W/$v.orig"
	cmp -s "$W/$v.before" "$W/$v.orig" || fail "$v: epochs before the loss differ from the original"
	# and after the reconnection the recording goes on
	after=$(sed -n '/gpsd-back/,$p' "$rec" | grep -c RMC)
	[ "$after" -gt 20 ] || fail "$v: only $after epochs after the reconnection"
	echo "$v: $k epochs before the loss, $after after the reconnection"
	"$DRIVER" compare "$rec" "$rec" "$W/store/live.json" $v || fail "$v: live numbers differ"
done
echo "PASS"
