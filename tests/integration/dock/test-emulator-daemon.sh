#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# Volunteer-style end to end run with the C vest emulator (not the daemon's own
# scripted vest): kicktrackd with a config file, the five sample vests docked,
# four of them with a field fault (unplug + re-plug, a noisy cable, a stall, a
# reboot mid-download). Without any further command every session must be
# stored byte-identical, erased on the vest, processed into reports, and
# 'kicktrack status' must say so.
# Mode "twenty": twenty vests at once (the sample logs, cut to 400 kB, under
# twenty vest ids), each limited to 200 kB/s, one of them unplugged and re-plugged.
#   test-emulator-daemon.sh KICKTRACKD KICKTRACK EMULATOR SAMPLE-DIR [faults|twenty]
# Every wait is bounded; the test fails instead of hanging.
set -u
[ -n "${KT_TEST_TRACE:-}" ] && set -x
D=$1; K=$2; EMU=$3; S=$4; MODE=${5:-faults}
W=$(mktemp -d "${TMPDIR:-/tmp}/kt-emu-daemon-XXXXXX")
ROOT=$W/root
EPIDS=()
DPID=
cleanup() {
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$DPID" 2>/dev/null # a daemon that ignores SIGTERM fails the test anyway
	fi
	for p in "${EPIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ -n "${KT_TEST_KEEP:-}" ]; then echo "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP
fail() {
	echo "FAIL: $*"
	echo "--- daemon log (last 40 lines)"; tail -n 40 "$W/d.log"
	echo "--- emulator logs"; tail -n 5 "$W"/emu-*.log
	exit 1
}
wait_for() { # SECONDS CMD...
	local t=$1; shift
	for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
	return 1
}

mkdir -p "$W/vests" "$W/state"
cat > "$W/kicktrack.conf" <<EOF
# written by test-emulator-daemon.sh
[daemon]
devices = $W/vests/*
usb_ids = none
erase = yes
quiet_time_s = 3
scan_interval_ms = 200
retry_s = 1

[process]
charts = no
jobs = 1
EOF

# dock the vests; without --vest-id the id and session start come from the
# log header
VESTS=(); LOGS=()
emu() { # NAME LOG ARGS...
	local name=$1 log=$2; shift 2
	VESTS+=("$name"); LOGS+=("$log")
	"$EMU" --session "$log" --link "$W/vests/$name" --state-dir "$W/state" "$@" \
		>/dev/null 2>"$W/emu-$name.log" &
	EPIDS+=($!)
}
case $MODE in
faults)
	emu KT-0001 "$S/KT-0001.ubx"
	emu KT-0002 "$S/KT-0002.ubx" --unplug-after 700000 --replug-after-ms 300
	emu KT-0003 "$S/KT-0003.ubx" --corrupt-rate 0.00002 --seed 3
	emu KT-0004 "$S/KT-0004.ubx" --stall-ms 1500 --stall-after 300000 --reboot-after 1500000
	emu KT-0005 "$S/KT-0005.nmea" --rate 3000000
	;;
twenty)
	for f in KT-0001.ubx KT-0002.ubx KT-0003.ubx KT-0004.ubx KT-0005.nmea; do
		head -c 400000 "$S/$f" > "$W/$f"
	done
	logs=(KT-0001.ubx KT-0002.ubx KT-0003.ubx KT-0004.ubx KT-0005.nmea)
	for i in $(seq -w 1 20); do
		extra=()
		[ "$i" = 07 ] && extra=(--unplug-after 150000 --replug-after-ms 200)
		emu "V$i" "$W/${logs[$((10#$i % 5))]}" --vest-id "V$i" --rate 200000 "${extra[@]}"
	done
	;;
*)
	echo "unknown mode $MODE"; exit 2 ;;
esac

"$D" -c "$W/kicktrack.conf" -r "$ROOT" -v >>"$W/d.log" 2>&1 &
DPID=$!

stored_identical() { # ID LOG
	local f
	f=$(ls "$ROOT/raw/$1/"*.log 2>/dev/null | head -1)
	[ -n "$f" ] && cmp -s "$f" "$2"
}
all_stored() {
	kill -0 "$DPID" 2>/dev/null || fail "kicktrackd died"
	for i in "${!VESTS[@]}"; do stored_identical "${VESTS[$i]}" "${LOGS[$i]}" || return 1; done
}
all_erased() {
	for v in "${VESTS[@]}"; do
		grep -q '^erased 1 ' "$W/state/$v.state" 2>/dev/null || return 1
	done
}
reports_ready() { ls "$ROOT"/sessions/*/reports/team.csv >/dev/null 2>&1; }

wait_for 120 all_stored || fail "not every session stored byte-identical"
wait_for 30 all_erased || fail "not every session erased on its vest"
# processing starts once no new vest came for the quiet time
wait_for 120 reports_ready || fail "no reports"
if [ "$MODE" = faults ]; then
	grep -q 'reboots after 1500000 bytes' "$W/emu-KT-0004.log" || fail "KT-0004 did not reboot"
	grep -q 'unplugged (--unplug-after)' "$W/emu-KT-0002.log" || fail "KT-0002 was not unplugged"
else
	grep -q 'unplugged (--unplug-after)' "$W/emu-V07.log" || fail "V07 was not unplugged"
fi
[ "$(find "$ROOT/raw" -name '*.log' | wc -l)" -eq ${#VESTS[@]} ] || fail "duplicates in raw/"
# the store's part is never world-accessible (the report files are written by
# the processing, which has its own check)
ww=$(find "$ROOT" -path "$ROOT/sessions/*/reports" -prune -o -perm /o=rwx -print)
[ -z "$ww" ] || fail "world-accessible: $ww"

# the volunteer's view
wait_for 10 grep -q '"state": "done"' "$ROOT/status.json" || fail "status never says done"
"$K" status -r "$ROOT" > "$W/status.txt"; rc=$?
[ $rc -eq 0 ] || { cat "$W/status.txt"; fail "kicktrack status exit code $rc"; }
for v in "${VESTS[@]}"; do
	grep -q "$v" "$W/status.txt" || { cat "$W/status.txt"; fail "status does not show $v"; }
done
grep -q 'reports' "$W/status.txt" || { cat "$W/status.txt"; fail "status does not show the reports"; }

kill "$DPID"; wait "$DPID"; rc=$?; DPID=
[ $rc -eq 0 ] || fail "kicktrackd exit code $rc on SIGTERM"
for p in "${EPIDS[@]}"; do
	kill "$p"; wait "$p" || fail "an emulator exited non-zero"
done
EPIDS=()
echo "ok: ${#VESTS[@]} vests stored, erased and reported"
