#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# kicktrackd against scripted vests on ptys (testvest.py). Usage:
#   dock-daemon.sh KICKTRACKD KICKTRACK CASE [EMULATOR SIM]
# Cases: badconfig storeroot basic twenty unplug kill9 faults garbage sameid fulldisk diskshare earlier
# earlystop diskpartial diskorder, and with the project's vest emulator and simulator: session
# waitslow waitretry waitbound noisy hopeless baddata badblock latekill noprocess reportfull
# reportwait reportbeside reportcharts unlisted. Bounded in time:
# every wait gives up after a limit and fails the test.
set -u
[ -n "${KT_TEST_TRACE:-}" ] && set -x
D=$1; K=$2; CASE=$3; EMU=${4:-}; SIM=${5:-}
HERE=$(cd "$(dirname "$0")" && pwd)
VEST="/usr/bin/python3 $HERE/testvest.py"
W=$(mktemp -d /tmp/kt-dock-XXXXXX)
ROOT=$W/root
PIDS=()
DPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${KT_TEST_KEEP:-}" ] && { echo "kept $W"; return; }
	# diskshare's tmpfs (in its own mount namespace): rm cannot remove it
	mountpoint -q "$W/small" 2>/dev/null && umount "$W/small"
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- daemon log"; tail -n 40 "$W/d.log"; exit 1; }

mkdata() { # NAME BYTES: a pseudo-random session file
	head -c "$2" /dev/urandom > "$W/$1"
}
vest() { # ID args...: start a vest, wait for its link
	local id=$1; shift
	$VEST --id "$id" --link "$W/$id.tty" "$@" 2>>"$W/vest.err" &
	PIDS+=($!)
	for _ in $(seq 100); do
		[ -e "$W/$id.tty" ] && return 0
		kill -0 "${PIDS[-1]}" 2>/dev/null || return 0 # already served and gone
		sleep 0.05
	done
	fail "vest $id did not start"
}
daemon() { # args...
	$D -r "$ROOT" -d "$W/*.tty" --no-usb --scan-interval 200 --retry 1 -v "$@" >>"$W/d.log" 2>&1 &
	DPID=$!
}
stop_daemon() {
	kill "$DPID"; wait "$DPID"; local rc=$?; DPID=
	[ $rc -eq 0 ] || fail "daemon exited $rc on SIGTERM"
}
wait_for() { # SECONDS CMD...: poll until CMD succeeds
	local t=$1; shift
	for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
	return 1
}
stored() { # ID FILE SID: is the raw copy there and byte-identical?
	local f
	f=$(ls "$ROOT/raw/$1/$3-"*.log 2>/dev/null | head -1)
	[ -n "$f" ] && cmp -s "$f" "$W/$2"
}
sim_vests() { # [emulator args...]: an emulated vest for each simulated log in $W/sim
	local f
	for f in "$W"/sim/*.ubx; do
		$EMU --session "$f" --link "$W/$(basename "$f" .ubx).tty" "$@" >/dev/null 2>>"$W/vest.err" &
		PIDS+=($!)
	done
}
sim_vests_stored() { # each simulated log stored byte for byte as its vest's session 1
	local f
	for f in "$W"/sim/*.ubx; do
		cmp -s "$f" "$ROOT"/raw/"$(basename "$f" .ubx)"/1-*.log || fail "$(basename "$f") not byte-identical"
	done
}
nraw() { find "$ROOT/raw" -name '*.log' 2>/dev/null | wc -l; }
n_downloading_at_least() {
	[ "$(grep -o '"state": "downloading"' "$ROOT/status.json" 2>/dev/null | wc -l)" -ge "$1" ]
}
has_meta() { [ -n "$(find "$ROOT/partial" -name '*.meta' 2>/dev/null)" ]; }
nraw_is() { [ "$(nraw)" -eq "$1" ]; }
# the emulated vest ID with the sessions FILE..., whose data at byte 150000
# reads back wrong every time (a bad flash block), and the daemon (retry
# 5 s); waits up to SECONDS for the vest to be failed for it
bad_spot_vest() { # ID SECONDS FILE...
	local id=$1 t=$2 f sess=()
	shift 2
	for f in "$@"; do sess+=(--session "$f"); done
	$EMU "${sess[@]}" --vest-id "$id" --link "$W/$id.tty" --damaged-at 150000 -v \
		>/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	$D -r "$ROOT" -d "$W/*.tty" --no-usb --scan-interval 200 --retry 5 -v --no-process >>"$W/d.log" 2>&1 &
	DPID=$!
	BAD_ID=$id
	wait_for "$t" failed_at_bad_spot
}
failed_at_bad_spot() {
	grep -q "\"id\": \"$BAD_ID\".*\"state\": \"failed\", \"reason\": \"session 1: the data at byte " \
		"$ROOT/status.json" 2>/dev/null
}
# the training's first report holds both vests, and it was made once
first_report_has_both() {
	local t
	t=$(ls -d "$ROOT"/sessions/*/reports | head -1)
	[ "$(grep -c . "$t/team.csv")" -eq 3 ] || fail "first report lacks a player: $(cat "$t/team.csv")"
	sleep 2
	[ "$(grep -c 'reports ready' "$W/d.log")" -eq 1 ] || fail "processed more than once"
	stop_daemon
}
alive() { kill -0 "$DPID" 2>/dev/null || fail "daemon died"; }
# small_disk SIZE "$@": the store (ROOT) on a tmpfs of SIZE in a mount
# namespace of its own (the script runs again in it, so root only); skipped
# where no mount namespace can be made (e.g. a chroot whose / is not a
# mount point)
small_disk() {
	local size=$1
	shift
	[ "$(id -u)" -eq 0 ] || { echo "not root: cannot mount a tmpfs"; exit 77; }
	if [ -z "${KT_DOCK_NS:-}" ]; then
		unshare -m true 2>"$W/ns.err" ||
			{ echo "SKIP: no mount namespace here: $(cat "$W/ns.err")"; exit 77; }
		trap - EXIT
		rm -rf "$W"
		KT_DOCK_NS=1 exec unshare -m "$0" "$@"
	fi
	mkdir "$W/small"
	mount -t tmpfs -o size="$size" tmpfs "$W/small" || fail "cannot mount a tmpfs"
	ROOT=$W/small/root
	mkdir "$ROOT"
}

case $CASE in
badconfig)
	# a typo in the config: the daemon names file, line, key and what the
	# value should have been, and does not start (exit status 2)
	printf '[daemon]\nbaud = 115\n' > "$W/baud.conf"
	printf '[daemon]\nscan_interval_ms = 500\nerase = maybe\n' > "$W/erase.conf"
	printf '[daemon]\nstore = /srv\n' > "$W/key.conf"
	# the processing's sections are checked at start-up, not after a download
	printf '[thresholds]\nsprint_kmh = 25,2\n[daemon]\nerase = no\n' > "$W/thr.conf"
	printf '[deamon]\nerase = yes\n' > "$W/section.conf"
	printf 'erase = yes\n[daemon]\n' > "$W/nosection.conf"
	for c in baud erase key thr section nosection; do
		timeout 10 $D -c "$W/$c.conf" -r "$ROOT" -d "$W/*.tty" --no-usb >"$W/$c.err" 2>&1
		rc=$?
		[ $rc -eq 2 ] || { cat "$W/$c.err"; fail "$c.conf: exit $rc, expected 2"; }
	done
	grep -q "baud.conf:2: invalid value '115' for baud (expected a whole number from 1200 to 4000000)" "$W/baud.err" ||
		{ cat "$W/baud.err"; fail "bad baud not explained"; }
	grep -q "erase.conf:3: invalid value 'maybe' for erase (expected yes or no)" "$W/erase.err" ||
		{ cat "$W/erase.err"; fail "bad erase not explained"; }
	grep -q "key.conf:2: unknown key 'store'" "$W/key.err" || { cat "$W/key.err"; fail "unknown key not named"; }
	grep -q "thr.conf:2: sprint_kmh: expected a number from 5 to 50, got '25,2'" "$W/thr.err" ||
		{ cat "$W/thr.err"; fail "a bad [thresholds] value let the daemon start"; }
	grep -q "section.conf:2: unknown section \[deamon\]" "$W/section.err" ||
		{ cat "$W/section.err"; fail "a misspelt section not named"; }
	grep -q "nosection.conf:1: 'erase' before any \[section\]" "$W/nosection.err" ||
		{ cat "$W/nosection.err"; fail "a key before any section not named"; }
	# one daemon per store: a second one on the same root does not start
	daemon --no-process
	wait_for 5 test -e "$ROOT/status.json" || fail "first daemon did not start"
	timeout 5 $D -r "$ROOT" -d "$W/*.tty" --no-usb >"$W/second.err" 2>&1
	rc=$?
	[ $rc -eq 1 ] || { cat "$W/second.err"; fail "a second daemon on the same store: exit $rc, expected 1"; }
	grep -q "the session store $ROOT is in use by another kicktrackd" "$W/second.err" ||
		{ cat "$W/second.err"; fail "the second daemon does not say why"; }
	alive
	stop_daemon
	# a roster or pitch that is not there: said at start-up (downloads go on)
	printf '[daemon]\nroster = %s\npitch = %s\n' "$W/nix.csv" "$W/nix.ini" > "$W/files.conf"
	timeout 2 $D -c "$W/files.conf" -r "$ROOT" -d "$W/*.tty" --no-usb >"$W/files.err" 2>&1
	grep -q "cannot read roster $W/nix.csv: No such file or directory; without the roster, a training is processed after the quiet time only" "$W/files.err" ||
		{ cat "$W/files.err"; fail "a missing roster not said at start-up"; }
	grep -q "cannot read pitch $W/nix.ini: No such file or directory" "$W/files.err" ||
		{ cat "$W/files.err"; fail "a missing pitch not said at start-up"; }
	# --no-config reads none: the bad config beside it does not stop it
	timeout 2 $D --no-config -c "$W/baud.conf" -r "$ROOT" >"$W/nc.err" 2>&1
	[ $? -eq 2 ] && grep -q -- "--config $W/baud.conf and --no-config: give one of them" "$W/nc.err" ||
		{ cat "$W/nc.err"; fail "--config with --no-config not refused"; }
	# a bad option: one line naming it, then where to look, exit 2 (as the
	# kicktrack commands say it)
	for a in "--bogus:unknown option '--bogus'" "-Z:unknown option '-Z'" \
		"-r:option '-r' needs a value" "--root:option '--root' needs a value" \
		"--erase=yes:option '--erase' takes no value"; do
		timeout 5 $D ${a%%:*} >"$W/opt.out" 2>"$W/opt.err"
		rc=$?
		[ $rc -eq 2 ] && [ ! -s "$W/opt.out" ] && [ "$(cat "$W/opt.err")" = "kicktrackd: error: ${a#*:}
Try 'kicktrackd --help'." ] || { cat "$W/opt.out" "$W/opt.err"; fail "${a%%:*}: exit $rc, not one line and the hint"; }
	done
	# a single-valued option given twice with two values is refused, not
	# the last one quietly taken; short and long spellings are one option
	for a in "-r $W/a --root $W/b|--root given twice ('$W/a', then '$W/b')" \
		"-q 5 --quiet-time 6|--quiet-time given twice ('5', then '6')" \
		"--retry 1 --retry 2|--retry given twice ('1', then '2')" \
		"-c $W/baud.conf -c $W/erase.conf|--config given twice ('$W/baud.conf', then '$W/erase.conf')" \
		"--gpsd localhost:2947 --gpsd otherhost:2947|--gpsd given twice ('localhost:2947', then 'otherhost:2947')"; do
		timeout 5 $D --no-config ${a%%|*} >"$W/twice.err" 2>&1
		rc=$?
		[ $rc -eq 2 ] && [ "$(cat "$W/twice.err")" = "kicktrackd: error: ${a#*|}: give it once" ] ||
			{ cat "$W/twice.err"; fail "${a%%|*}: exit $rc, not refused in one line"; }
	done
	# --erase and --no-erase contradict each other, as do -u and --no-usb:
	# refused in one line (before: the last one quietly won), in either order
	for a in "--erase --no-erase|--erase and --no-erase" "--no-erase --erase|--no-erase and --erase" \
		"-u 1209:4b54 -u 1209:4b55 --no-usb|--usb-id and --no-usb" "--no-usb --usb-id=1209:4b54|--no-usb and --usb-id"; do
		timeout 5 $D --no-config -r "$ROOT" -d "$W/x" ${a%%|*} >"$W/opp.out" 2>"$W/opp.err"
		rc=$?
		[ $rc -eq 2 ] && [ ! -s "$W/opp.out" ] &&
			[ "$(cat "$W/opp.err")" = "kicktrackd: error: ${a#*|}: give one of them" ] ||
			{ cat "$W/opp.out" "$W/opp.err"; fail "${a%%|*}: exit $rc, not refused in one line"; }
	done
	# ... the same one twice is not a contradiction
	timeout 5 $D --no-config -r "$ROOT" --no-usb --erase --erase --no-process --no-process >"$W/opp.err" 2>&1
	[ $? -eq 2 ] && grep -q "no vest ports to look for" "$W/opp.err" ||
		{ cat "$W/opp.err"; fail "--erase twice refused"; }
	# ... but the same value twice is fine, and -d and -u are repeatable
	# (documented so): the check that stops these is another one
	timeout 5 $D --no-config -r "$ROOT" -r "$ROOT" --no-usb -q 5 -q 5 >"$W/twice.err" 2>&1
	[ $? -eq 2 ] && grep -q "no vest ports to look for" "$W/twice.err" ||
		{ cat "$W/twice.err"; fail "the same value twice refused"; }
	timeout 5 $D --no-config -r "$ROOT" -d "$W/x" -d "$W/y" -u 1209:0001 -u 1209:0002 --retry 1 --retry 2 \
		>"$W/twice.err" 2>&1
	[ "$(cat "$W/twice.err")" = "kicktrackd: error: --retry given twice ('1', then '2'): give it once" ] ||
		{ cat "$W/twice.err"; fail "-d or -u given twice refused"; }
	# no ports at all: refused, unless gpsd is to be recorded (touchline live
	# tracking without a dock)
	timeout 5 $D --no-config -r "$ROOT" --no-usb >"$W/noports.err" 2>&1
	[ $? -eq 2 ] && grep -q "no vest ports to look for: give --device, \[daemon\] usb_ids/devices, or --gpsd" "$W/noports.err" ||
		{ cat "$W/noports.err"; fail "no ports and no gpsd not refused"; }
	# a bad --gpsd value is said, not a silent exit 2
	for v in 'bad host:x' 'localhost:99999' 'host:'; do
		timeout 5 $D --no-config -r "$ROOT" --no-usb --gpsd "$v" >"$W/gv.err" 2>&1
		rc=$?
		if ! grep -q "built without gpsd support" "$W/gv.err"; then
			[ $rc -eq 2 ] && grep -q -- "--gpsd '$v': expected HOST:PORT" "$W/gv.err" ||
				{ cat "$W/gv.err"; fail "--gpsd '$v': exit $rc, no reason given"; }
		fi
	done
	$D --no-config -r "$W/groot" --no-usb --gpsd 127.0.0.1:9 >"$W/gpsonly.err" 2>&1 &
	gpid=$!
	PIDS+=("$gpid") # a failed check below still stops it (cleanup)
	if wait_for 10 test -e "$W/groot/status.json"; then
		grep -q "recording live vests through gpsd only" "$W/gpsonly.err" ||
			{ cat "$W/gpsonly.err"; fail "a gpsd-only daemon did not say so"; }
		# and its status does not send the volunteer to a dock
		$K status -r "$W/groot" >"$W/gst.txt" 2>&1
		grep -q "No vest docked: this kicktrackd records live vests through gpsd only" "$W/gst.txt" ||
			{ cat "$W/gst.txt"; fail "status of a gpsd-only daemon"; }
		kill "$gpid"; wait "$gpid"
	else
		kill "$gpid" 2>/dev/null; wait "$gpid"
		grep -q "built without gpsd support" "$W/gpsonly.err" || { cat "$W/gpsonly.err"; fail "gpsd-only daemon did not start"; }
	fi
	;;
basic)
	# two sessions, erase on: both stored identical, erased only once durable
	mkdata a 150000; mkdata b 70001
	vest V01 --log "$W/a" --log "$W/b" --erase-log "$W/erase.log" --store "$ROOT"
	daemon --erase --no-process
	wait_for 20 grep -q 'ERASE V01 101' "$W/erase.log" 2>/dev/null || fail "no erase"
	stored V01 a 100 || fail "session 100 not stored identical"
	stored V01 b 101 || fail "session 101 not stored identical"
	grep -q 'exists=0' "$W/erase.log" && fail "ERASE before the data was stored"
	[ "$(grep -c ERASE "$W/erase.log")" -eq 2 ] || fail "expected 2 erases"
	wait_for 5 grep -q '"state": "done"' "$ROOT/status.json" || fail "status not done"
	$K status -r "$ROOT" > "$W/st.txt"; rc=$?
	[ $rc -eq 0 ] || fail "kicktrack status exit $rc"
	grep -q 'V01.*stored and erased' "$W/st.txt" || { cat "$W/st.txt"; fail "status text"; }
	# what is not a status file is said so at once, in one line, exit 1
	# (not shown as a daemon that stopped decades ago)
	echo '{"a":1}' > "$W/other.json"
	head -c 3000 /dev/urandom > "$W/garbage.ubx"
	mkdir "$W/adir"
	for f in "$W/other.json" "$W/garbage.ubx" "$W/adir" /dev/zero; do
		timeout 20 $K status --file "$f" > "$W/st.txt" 2> "$W/st.err"; rc=$?
		[ $rc -eq 1 ] || { cat "$W/st.txt" "$W/st.err"; fail "status --file $f: exit $rc, expected 1"; }
		[ "$(wc -l < "$W/st.err")" -eq 1 ] && [ ! -s "$W/st.txt" ] ||
			{ cat "$W/st.txt" "$W/st.err"; fail "status --file $f: not one message"; }
	done
	for f in other.json garbage.ubx; do
		timeout 20 $K status --file "$W/$f" 2> "$W/st.err"
		grep -q "^kicktrack: error: $W/$f is not a kicktrackd status file" "$W/st.err" ||
			{ cat "$W/st.err"; fail "status --file $f: not named as no status file"; }
	done
	# file modes: nothing world-readable
	[ -z "$(find "$ROOT" -perm /o=rwx)" ] || fail "world-accessible files: $(find "$ROOT" -perm /o=rwx)"
	# a volunteer's user outside the kicktrack group is told how to get in
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups $K status -r "$ROOT" 2>"$W/st.err"
	else
		chmod 0 "$ROOT/status.json" && $K status -r "$ROOT" 2>"$W/st.err"
	fi
	rc=$?
	[ $rc -eq 1 ] && grep -q "cannot read status file $ROOT/status.json: permission denied; the store is for root and the group kicktrack only: 'sudo adduser [a-z]* kicktrack', then log in again" "$W/st.err" ||
		{ cat "$W/st.err"; fail "an unreadable status file: exit $rc, no hint at the group"; }
	stop_daemon
	# a season of trainings does not push the vests off a --watch screen:
	# the trainings still waiting or processing and the last 3 with their
	# reports made are shown, the earlier ones counted
	{
		printf '{"format": "kicktrack-status-1", "updated_unix": %s, "running": true, "store_root": "/srv/kt",\n' "$(date +%s)"
		printf ' "vests": [{"id": "V01", "state": "done", "sessions": 1, "stored": 1, "erased": 1}],\n "trainings": [\n'
		for i in $(seq -w 1 30); do
			printf '  {"name": "2026-10-%s_1800", "logs": 12, "state": "done", "report_dir": "/srv/kt/sessions/2026-10-%s_1800/reports"},\n' $i $i
		done
		# ... and of those stored with processing off, also the last 3
		for i in 1 2 3 4 5; do
			printf '  {"name": "2026-10-31_180%s", "logs": 2, "state": "stored", "report_dir": "x"},\n' $i
		done
		printf '  {"name": "2026-11-01_1800", "logs": 3, "state": "waiting", "processing_in_s": 100, "report_dir": "x"}],\n'
		printf ' "latest_report": "/srv/kt/sessions/2026-10-30_1800/reports/index.html"}\n'
	} > "$W/season.json"
	$K status --file "$W/season.json" > "$W/st.txt" || { cat "$W/st.txt"; fail "status of a season"; }
	[ "$(grep -c 'reports ready: /srv' "$W/st.txt")" -eq 3 ] || { cat "$W/st.txt"; fail "not the last 3 trainings shown"; }
	[ "$(grep -c 'stored; no reports made' "$W/st.txt")" -eq 3 ] &&
		grep -q '^  2 earlier trainings stored (not shown): /srv/kt/sessions/$' "$W/st.txt" &&
		grep -q '2026-10-31_1805 .*stored; no reports made' "$W/st.txt" ||
		{ cat "$W/st.txt"; fail "not the last 3 stored trainings shown"; }
	grep -q '^  27 earlier trainings with reports ready (not shown): /srv/kt/sessions/$' "$W/st.txt" &&
		grep -q '2026-10-30_1800 .*reports ready' "$W/st.txt" && grep -q '2026-11-01_1800 .*waiting for more vests' "$W/st.txt" &&
		grep -q 'V01 .*stored and erased' "$W/st.txt" || { cat "$W/st.txt"; fail "a season's status"; }
	;;
twenty)
	# 20 vests at once, rate-limited, all stored byte-identical
	for i in $(seq -w 1 20); do
		mkdata s$i $((150000 + 1000 * 10#$i))
		vest V$i --log "$W/s$i" --rate 40000
	done
	daemon --no-process
	# in parallel, not one after the other: the status shows most of them
	# downloading at the same moment (each takes ~4 s at its rate limit)
	wait_for 30 n_downloading_at_least 15 || fail "never 15 vests downloading at once"
	wait_for 60 nraw_is 20 || fail "only $(nraw) of 20 stored"
	for i in $(seq -w 1 20); do stored V$i s$i 100 || fail "V$i not identical"; done
	stop_daemon
	;;
unplug)
	# hang up at many byte offsets, re-plug; the result is byte-identical
	# (offsets count the vest's answer bytes since it was plugged in; their
	# sum stays below the session size so every one of them hangs up)
	mkdata a 300000
	daemon --no-process
	for off in 1 7 60 140 4000 4100 8200 16384 33333 65536 70000; do
		vest V01 --log "$W/a" --unplug-after $off --idle-exit 5
		wait "${PIDS[-1]}"
		alive
		sleep 0.3
	done
	grep -q 'unplugged during session 100' "$W/d.log" || fail "unplug not reported"
	vest V01 --log "$W/a"
	wait_for 20 stored V01 a 100 || fail "not stored identical after re-plugs"
	[ "$(nraw)" -eq 1 ] || fail "duplicates"
	stop_daemon
	;;
kill9)
	# kill -9 mid-download, restart: resumes, identical, no duplicate
	mkdata a 400000
	vest V01 --log "$W/a" --rate 60000
	daemon --no-process
	wait_for 20 grep -q 'downloading session 100' "$W/d.log" || fail "no download"
	# until a resume point is durable (every 256 KiB or 5 s)
	wait_for 20 has_meta || fail "no resume point"
	sleep 0.5
	kill -9 "$DPID"; wait "$DPID" 2>/dev/null; DPID=
	[ "$(nraw)" -eq 0 ] || fail "stored before the end?"
	if [ "$(id -u)" -ne 0 ]; then
		# the killed daemon could not undo its TIOCEXCL: a pty keeps it
		# while its master is open (a real port drops it on its last
		# close), and then only root may open it (EBUSY). Not root: the
		# vest is plugged in again, on a new pty.
		echo "not root: the vest is plugged in again after kill -9 (a pty stays exclusive)"
		kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null
		rm -f "$W/V01.tty"
		vest V01 --log "$W/a" --rate 60000
	fi
	daemon --no-process
	wait_for 30 stored V01 a 100 || fail "not stored identical after kill -9"
	grep -q 'resuming session 100 at byte [1-9]' "$W/d.log" || fail "did not resume"
	[ "$(nraw)" -eq 1 ] || fail "duplicates"
	[ -z "$(find "$ROOT/partial" -name '*.part')" ] || fail "partial left behind"
	stop_daemon
	;;
faults)
	# corrupted chunks and stalls longer than the response timeout
	mkdata a 200000; mkdata b 90000
	vest V01 --log "$W/a" --corrupt-every 3
	vest V02 --log "$W/b" --stall-every 4 --stall-ms 1600
	daemon --no-process
	wait_for 40 stored V01 a 100 || fail "V01 (corruption) not identical"
	wait_for 40 stored V02 b 100 || fail "V02 (stalls) not identical"
	stop_daemon
	;;
garbage)
	# a device sending garbage and one speaking NMEA: clear message, no crash,
	# the real vest next to them is served
	mkdata a 50000
	vest G01 --mode garbage
	vest N01 --mode nmea
	vest V01 --log "$W/a"
	# and a vest whose firmware answers each READ with the wrong session
	# size: given up on with what it is (before: asked again for ever)
	vest W01 --log "$W/a" --wrong-size
	daemon --no-process
	wait_for 20 stored V01 a 100 || fail "good vest not served"
	wait_for 20 grep -q 'does not speak the kicktrack dock protocol' "$W/d.log" ||
		fail "no clear message about the garbage device"
	alive
	wait_for 5 grep -q 'does not speak' "$ROOT/status.json" || fail "reason not in status"
	wait_for 20 grep -q "error: vest W01 (.*): session 100: the vest's answers do not match what was asked (32 in a row; the last one: session 100 of 50001 bytes, [0-9]* bytes at [0-9]*, asked for session 100 of 50000 bytes at [0-9]*): a fault of the vest's firmware, not the cable; retrying every 1 s" \
		"$W/d.log" || fail "a vest answering wrong not given up on with what it is"
	# said once however often it is retried, and not stored
	sleep 2
	[ "$(grep -c "error: vest W01 (.*): session 100: the vest's answers do not match" "$W/d.log")" -eq 1 ] ||
		fail "the wrong answers are said at every retry"
	[ -z "$(ls "$ROOT/raw/W01" 2>/dev/null)" ] || fail "a session with wrong answers stored"
	# the two devices that are no vests: retried, but said once each
	wait_for 30 grep -q 'still: this device does not speak' "$W/d.log" || fail "the other devices not retried"
	[ "$(grep -c 'error: .*this device does not speak' "$W/d.log")" -eq 2 ] ||
		fail "a device that is no vest is said at every retry"
	stop_daemon
	;;
sameid)
	# the same vest id on two ports at once (one vest on two cables, or two
	# vests flashed alike): the second port fails, and its row in 'kicktrack
	# status' names the id it gave, not "?"; the first port downloads on
	mkdata a 200000
	vest V07 --log "$W/a" --rate 40000
	daemon --no-process
	wait_for 20 n_downloading_at_least 1 || fail "V07 not downloading"
	$VEST --id V07 --link "$W/V07-second.tty" --log "$W/a" 2>>"$W/vest.err" &
	PIDS+=($!)
	second_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q '^  V07 *FAILED: vest id V07 is also on port .*: two vests with one id?' "$W/st.txt"
	}
	wait_for 20 second_shown || { cat "$W/st.txt"; fail "the second port's row does not name the vest id"; }
	grep -q '^  ? ' "$W/st.txt" && { cat "$W/st.txt"; fail "a row without its vest id"; }
	grep -q '^  V07 *downloading' "$W/st.txt" || { cat "$W/st.txt"; fail "the first port's download not shown"; }
	grep -q 'error: vest V07 (.*): vest id V07 is also on port' "$W/d.log" || fail "the log does not name the vest id"
	wait_for 30 stored V07 a 100 || fail "V07 not stored identical"
	[ "$(nraw)" -eq 1 ] || fail "duplicates"
	stop_daemon
	;;
fulldisk)
	# the store cannot grow past 100 kB (RLIMIT_FSIZE): no raw file, a clear
	# message, and after the limit is lifted the download completes
	mkdata a 300000
	vest V01 --log "$W/a"
	( ulimit -f 100; exec $D -r "$ROOT" -d "$W/*.tty" --no-usb --scan-interval 200 --retry 1 \
		--no-process >>"$W/d.log" 2>&1 ) &
	DPID=$!
	wait_for 20 grep -q 'cannot write session 100' "$W/d.log" || fail "no disk-full message"
	[ "$(nraw)" -eq 0 ] || fail "a raw file appeared although the disk was full"
	stop_daemon
	daemon --no-process
	wait_for 20 stored V01 a 100 || fail "not stored after space came back"
	stop_daemon
	# a disk that is really full (a small tmpfs in a mount namespace of its
	# own, so root only): kicktrackd does not start a download that does not
	# fit, and says so; something else fills the disk, and kicktrackd cannot
	# even update its status, which would look like a daemon that is stuck;
	# kicktrack status says it is the disk, and what to do
	if [ "$(id -u)" -ne 0 ]; then
		echo "not root: the real full disk is not tried"
	elif ! unshare -m true 2>"$W/ns.err"; then
		# e.g. a chroot whose / is not a mount point
		echo "no mount namespace here ($(cat "$W/ns.err")): the real full disk is not tried"
	else
		mkdir "$W/small"
		vest V02 --log "$W/a"
		export D W
		unshare -m bash -c '
			mount -t tmpfs -o size=200k tmpfs "$W/small" || exit 10
			mkdir "$W/small/root"
			"$D" -r "$W/small/root" -d "$W/V02.tty" --no-usb --scan-interval 200 --retry 1 \
				--no-process >>"$W/d.log" 2>&1 &
			for _ in $(seq 200); do grep -q "too full for session 100 even alone" "$W/d.log" && break; sleep 0.1; done
			head -c 1M /dev/zero > "$W/small/filler" 2>/dev/null
			for _ in $(seq 200); do grep -q "No space left on device" "$W/d.log" && break; sleep 0.1; done
			sleep 2
			"$0" status -r "$W/small/root" >"$W/full.txt" 2>&1
			kill $!; wait $!' "$K"
		[ $? -eq 10 ] && fail "cannot mount a tmpfs"
		grep -q "warning: vest V02: the store's disk is too full for session 100 even alone: it needs 300 kB more" "$W/d.log" ||
			fail "a download that does not fit is not said"
		grep -q 'No space left on device' "$W/d.log" || fail "the small disk never got full"
		grep -q "^The disk of the store is FULL (.* free): kicktrackd cannot store the vests'" "$W/full.txt" &&
			grep -q "(df -h $W/small/root); the downloads then go on by themselves" "$W/full.txt" ||
			{ cat "$W/full.txt"; fail "kicktrack status does not say that the disk is full"; }
	fi
	;;
diskshare)
	# Three vests filling a nearly full disk together (a 1.5 MB tmpfs in a
	# mount namespace of its own, so root only; 708 kB each): before, all
	# three stopped at 70-80 % on a full disk and none was stored. Now the
	# downloads that fit go ahead and finish, the third waits, saying why,
	# and once it does not fit even alone it says so clearly, once; nothing
	# fills the disk, so the status stays fresh. With room (the tmpfs grown)
	# it goes on by itself.
	small_disk 1536k "$@"
	for i in 1 2 3; do
		mkdata s$i 708000
		vest V0$i --log "$W/s$i" --rate 150000 --idle-exit 120
	done
	daemon --no-process
	beside_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q "^  V0[123] *waiting for disk space: session 100 needs 708 kB more, but beside the downloads under way (V0[123], V0[123]) there is room for [0-9.]* kB only; once there is room it goes on by itself (df -h $ROOT)$" "$W/st.txt"
	}
	wait_for 20 beside_shown || { cat "$W/st.txt"; fail "the waiting vest does not say why"; }
	wait_for 40 nraw_is 2 || fail "only $(nraw) of the 2 sessions that fit stored"
	n=0
	for i in 1 2 3; do stored V0$i s$i 100 && n=$((n + 1)); done
	[ $n -eq 2 ] || fail "$n sessions stored byte-identical, expected 2"
	alone_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q "^  V0[123] *waiting for disk space: the store's disk is too full for session 100 even alone: it needs 708 kB more, there is room for [0-9.]* kB; free space there (df -h $ROOT), the download then goes on by itself$" "$W/st.txt"
	}
	wait_for 10 alone_shown || { cat "$W/st.txt"; fail "the vest that does not fit does not say so"; }
	# the banner says how full: below 128 KiB nothing more is stored, below
	# 1 MiB only what fits (before: "cannot store" at once below 1 MiB)
	avail=$(stat -f -c '%a * %S' "$ROOT"); avail=$((avail))
	if [ "$avail" -lt 131072 ]; then banner="FULL"; else banner="nearly FULL"; fi
	[ "$avail" -lt 1048576 ] || fail "the test's disk has $avail bytes free"
	grep -q "^The disk of the store is $banner (.* free): " "$W/st.txt" ||
		{ cat "$W/st.txt"; fail "with $avail bytes free the status does not say '$banner'"; }
	sleep 2
	$K status -r "$ROOT" > "$W/st.txt" 2>&1 || { cat "$W/st.txt"; fail "the status is not fresh: the daemon filled the disk"; }
	[ "$(grep -c "warning: vest V0[123]: the store's disk is too full for session 100 even alone" "$W/d.log")" -eq 1 ] ||
		fail "a download that does not fit is not said, or said at every check"
	grep -q 'No space left on device' "$W/d.log" && fail "the daemon filled the disk"
	[ "$(nraw)" -eq 2 ] || fail "$(nraw) stored"
	# space again: the third goes on by itself
	mount -o remount,size=3m "$W/small" || fail "cannot grow the tmpfs"
	wait_for 20 nraw_is 3 || fail "the third session not stored once there was room"
	for i in 1 2 3; do stored V0$i s$i 100 || fail "V0$i not identical"; done
	grep -q "vest V0[123]: there is room on the store's disk for session 100 now" "$W/d.log" ||
		fail "the end of the wait is not said"
	stop_daemon
	;;
diskpartial)
	# Partial downloads an earlier daemon left are never deleted; on a small
	# disk (a 2 MiB tmpfs in a mount namespace of its own, so root only)
	# they can hold the space a new vest needs. Before, it waited for ever
	# with only "too full for session 100 even alone". Now the log (at
	# start-up, and in the warning) and the status say what holds the space
	# (which vests and sessions, how much) and what to do; a vest plugged in
	# again finishes its part (the rest is smaller), also one whose part has
	# no resume point (a kill -9 before the first one): what it holds is
	# freed when it starts again, and counted as room (before: it waited
	# for ever beside its own partial). A part whose session is no longer
	# on its (plugged-in) vest is said so.
	small_disk 2m "$@"
	mkdata s5 708000; mkdata s6 708000; mkdata s7 300000; mkdata s1 1200000; mkdata s8 10000
	# the earlier daemon: V05 and V06 unplugged half-way (their resume
	# points are saved), V07 killed with the daemon before its first one
	vest V05 --log "$W/s5" --unplug-after 600000 --idle-exit 120
	vest V06 --log "$W/s6" --unplug-after 400000 --idle-exit 120
	daemon --no-process
	unplugged_both() { [ "$(grep -c 'unplugged during session 100' "$W/d.log")" -eq 2 ]; }
	wait_for 30 unplugged_both || fail "V05 and V06 not unplugged half-way"
	vest V07 --log "$W/s7" --rate 40000 --idle-exit 120
	v07_part_no_meta() {
		local f
		f=$(ls "$ROOT"/partial/V07/100-*.part 2>/dev/null) && [ "$(stat -c %s "$f")" -ge 80000 ]
	}
	wait_for 20 v07_part_no_meta || fail "V07's download did not begin"
	ls "$ROOT"/partial/V07/*.meta >/dev/null 2>&1 && fail "V07 has a resume point already: the test is too slow here"
	kill -9 "$DPID"; wait "$DPID" 2>/dev/null; DPID=
	kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null
	rm -f "$W/V07.tty"
	# the new daemon says what it found
	: > "$W/d.log"
	daemon --no-process
	wait_for 10 grep -q 'started: store' "$W/d.log" || fail "the daemon did not start"
	grep -q "store $ROOT: 3 unfinished downloads from before, [0-9.]* MB in all: V05 session 100 (5[0-9][0-9] kB of 708 kB), V06 session 100 (3[0-9][0-9] kB of 708 kB), V07 session 100 ([0-9]* kB, no resume point: downloaded again); kept, each resumes when its vest is plugged in" "$W/d.log" ||
		fail "the unfinished downloads are not said at start-up"
	vest V01 --log "$W/s1" --idle-exit 120
	held_by() { # N TEXT: V01's line in kicktrack status names N unfinished downloads, then TEXT
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q "^  V01 *waiting for disk space: the store's disk is too full for session 100 even alone: it needs 1.2 MB more, there is room for [0-9.]* kB; [0-9.]* [kM]B there is held by $1 unfinished downloads\{0,1\} (kept until \(they are\|it is\) finished): $2; free space there (df -h $ROOT) for this one, the download then goes on by itself$" "$W/st.txt"
	}
	wait_for 10 held_by 3 "V05 session 100 (5[0-9][0-9] kB of 708 kB), V06 session 100 (3[0-9][0-9] kB of 708 kB), V07 session 100 ([0-9]* kB, no resume point: downloaded again); plug V05, V06, V07 in to finish them" ||
		{ cat "$W/st.txt"; fail "the waiting vest does not say what holds the space"; }
	grep -q "warning: vest V01: the store's disk is too full for session 100 even alone: it needs 1.2 MB more, there is room for [0-9.]* kB; [0-9.]* MB there is held by 3 unfinished downloads (kept until they are finished): V05 session 100" "$W/d.log" ||
		fail "the log does not say what holds the space"
	# V05 plugged in again: the rest of its session fits, it is finished
	vest V05 --log "$W/s5" --idle-exit 120
	wait_for 20 stored V05 s5 100 || fail "V05 not finished"
	grep -q 'vest V05: resuming session 100 at byte [1-9]' "$W/d.log" || fail "V05 did not resume"
	wait_for 5 held_by 2 "V06 session 100 (3[0-9][0-9] kB of 708 kB), V07 session 100 ([0-9]* kB, no resume point: downloaded again); plug V06, V07 in to finish them" ||
		{ cat "$W/st.txt"; fail "the finished download is still said to hold the space"; }
	# V07 plugged in again: its session fits only with the space its
	# partial frees when it starts again (no resume point: all of it);
	# a filler leaves room for half of its partial less than it needs
	part=$(ls "$ROOT"/partial/V07/100-*.part)
	P=$(stat -c %s "$part")
	A=$(($(stat -f -c '%a * %S' "$ROOT")))
	T=$((300000 + 65536 + 16384 - P / 2))
	[ "$A" -gt "$T" ] || fail "the test's disk is too small: $A free, $T wanted"
	head -c $((A - T)) /dev/zero > "$W/small/filler"
	vest V07 --log "$W/s7" --idle-exit 120
	wait_for 20 stored V07 s7 100 || fail "V07 not stored: it waits beside its own partial ($P bytes) for ever"
	grep -q 'vest V07: downloading session 100 (300000 bytes)' "$W/d.log" || fail "V07 did not start again"
	grep -q 'vest V07: .*too full' "$W/d.log" && fail "V07 said it did not fit"
	# V06 plugged in with another session: its part is no longer on the vest
	vest V06 --log "$W/s8" --idle-exit 120
	wait_for 20 stored V06 s8 100 || fail "V06's new session not stored"
	wait_for 5 held_by 1 "V06 session 100 (3[0-9][0-9] kB of 708 kB, no longer on the vest); a download no longer on its vest cannot be finished: only deleting it from $ROOT/partial/ frees its space" ||
		{ cat "$W/st.txt"; fail "a part no longer on its vest is not said so"; }
	# room again: V01 goes on by itself; V06's part is kept (never deleted)
	rm "$W/small/filler"
	mount -o remount,size=4m "$W/small" || fail "cannot grow the tmpfs"
	wait_for 20 stored V01 s1 100 || fail "V01 not stored once there was room"
	[ -n "$(ls "$ROOT"/partial/V06/100-*.part 2>/dev/null)" ] || fail "a partial download was deleted"
	grep -q 'No space left on device' "$W/d.log" && fail "the daemon filled the disk"
	stop_daemon
	;;
diskorder)
	# Of the downloads waiting for disk space that fit, the smallest goes
	# first, so the most sessions finish. Three vests (500, 400, 300 kB,
	# plugged in largest first) on a tmpfs (a mount namespace of its own, so
	# root only) where none fits; then the disk gets room for any one of
	# them but no two, and after each is stored that much room again (as
	# staff moving old sessions elsewhere would): they are stored smallest
	# first, one at a time, each byte-identical.
	SIZE=262144
	small_disk $SIZE "$@"
	mkdata s1 500000; mkdata s3 400000; mkdata s2 300000
	daemon --no-process
	for i in 1 3 2; do
		vest V0$i --log "$W/s$i" --idle-exit 120
		sleep 0.5 # found in this order
	done
	n_alone() { [ "$(grep -c 'waiting for disk space: the store.s disk is too full for session 100 even alone' "$ROOT/status.json" 2>/dev/null)" -eq 3 ]; }
	wait_for 20 n_alone || fail "the three vests do not all wait for disk space"
	# free space for any one of them (the largest needs 500 kB and 80 kB
	# kept free) but for no two (the two smallest with a download's 96 kB)
	room_for_one() {
		local used=$(( $(stat -f -c '(%b - %a) * %S' "$ROOT") ))
		SIZE=$(( (used + 690000 + 4095) / 4096 * 4096 ))
		mount -o remount,size=$SIZE "$W/small" || fail "cannot grow the tmpfs"
	}
	room_for_one
	for i in 2 3 1; do
		wait_for 30 stored V0$i s$i 100 || fail "V0$i not stored (order so far: $(grep -o 'vest V0[123]: downloading' "$W/d.log" | tr '\n' ' '))"
		room_for_one
	done
	order=$(grep -o 'vest V0[123]: \(downloading session 100\|session 100 ([0-9]* bytes) verified and stored\)' "$W/d.log" |
		sed 's/vest \(V0.\): downloading.*/\1 begins/; s/vest \(V0.\): session.*/\1 stored/' | tr '\n' ' ')
	[ "$order" = "V02 begins V02 stored V03 begins V03 stored V01 begins V01 stored " ] ||
		fail "not smallest first, one at a time: $order"
	grep -q 'No space left on device' "$W/d.log" && fail "the daemon filled the disk"
	stop_daemon
	;;
session)
	# The volunteer's evening: 20 simulated players' vests (the project's
	# emulator, rate-limited like a USB-serial vest), the sample-style config
	# with the roster; without any further command every log is stored
	# byte-identical, the training's reports appear, and 'kicktrack status' says so.
	$SIM -o "$W/sim" -p 20 -m 2 -f ubx -s 7 >/dev/null || fail "simulator"
	cat > "$W/kicktrack.conf" <<EOC
[daemon]
store_root = $ROOT
devices = $W/*.tty
usb_ids = none
erase = yes
quiet_time_s = 60
scan_interval_ms = 300
roster = $W/sim/roster.csv
pitch = $W/sim/pitch.ini
[process]
charts = no
EOC
	n=0
	for f in "$W"/sim/*.ubx; do
		n=$((n + 1))
		id=$(basename "$f" .ubx)
		$EMU --session "$f" --link "$W/$id.tty" --rate 200000 >/dev/null 2>>"$W/vest.err" &
		PIDS+=($!)
	done
	[ $n -eq 20 ] || fail "simulator gave $n logs"
	$D -c "$W/kicktrack.conf" >>"$W/d.log" 2>&1 &
	DPID=$!
	wait_for 90 nraw_is 20 || fail "only $(nraw) of 20 stored"
	for f in "$W"/sim/*.ubx; do
		id=$(basename "$f" .ubx)
		cmp -s "$f" "$ROOT"/raw/"$id"/1-*.log || fail "$id not byte-identical"
	done
	# the whole roster is in: processing starts without waiting the quiet time
	wait_for 90 grep -q 'reports ready' "$W/d.log" || fail "no reports"
	t=$(ls -d "$ROOT"/sessions/*/reports | head -1)
	[ -s "$t/team.csv" ] || fail "no team.csv in $t"
	[ "$(grep -c . "$t/team.csv")" -ge 21 ] || fail "team.csv lacks players"
	wait_for 5 grep -q '"latest_report": "/' "$ROOT/status.json" || fail "status lacks the report"
	$K status -r "$ROOT" > "$W/st.txt"
	grep -q 'reports ready' "$W/st.txt" || { cat "$W/st.txt"; fail "status text"; }
	[ "$(grep -c 'stored and erased' "$W/st.txt")" -eq 20 ] || { cat "$W/st.txt"; fail "not all erased"; }
	stop_daemon
	;;
restart)
	# A vest restarted during training holds two sessions of it: both are
	# stored, and the training's report has one player with both (not a
	# second row "KT-0001-2" with half of the numbers)
	$SIM -o "$W/a" -p 2 -m 2 -f ubx -s 3 >/dev/null || fail "simulator"
	$SIM -o "$W/b" -p 1 -m 2 -f ubx -s 4 --start 2026-11-21T14:04:00Z >/dev/null || fail "simulator"
	printf '[process]\ncharts = no\n' > "$W/kicktrack.conf"
	$EMU --session "$W/a/KT-0001.ubx" --session "$W/b/KT-0001.ubx" --link "$W/v1.tty" --rate 400000 \
		>/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	$EMU --session "$W/a/KT-0002.ubx" --link "$W/v2.tty" --rate 400000 >/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	$D -c "$W/kicktrack.conf" -r "$ROOT" -d "$W/*.tty" --no-usb --scan-interval 200 \
		--quiet-time 1 >>"$W/d.log" 2>&1 &
	DPID=$!
	wait_for 90 nraw_is 3 || fail "only $(nraw) of 3 stored"
	wait_for 90 grep -q 'reports ready' "$W/d.log" || fail "no reports"
	t=$(ls -d "$ROOT"/sessions/*/reports | head -1)
	[ "$(ls -d "$ROOT"/sessions/*/reports | wc -l)" -eq 1 ] || fail "not one training"
	wait_for 30 grep -q '"KT-0001.log + KT-0001.2.log"' "$t/team.csv" ||
		fail "the two sessions of KT-0001 not one player: $(cut -d, -f1,5,6 "$t/team.csv" | tr '\r\n' '  '); $(ls "$ROOT"/sessions/*/logs)"
	[ "$(grep -c . "$t/team.csv")" -eq 3 ] || fail "not 2 players: $(cut -d, -f1 "$t/team.csv" | tr '\r\n' '  ')"
	grep -q 'KT-0001-2' "$t/team.csv" && fail "a second row for KT-0001"
	stop_daemon
	;;
waitslow)
	# No roster, a short quiet time, one vest much slower than the other:
	# the quiet time waits for the vest still downloading, so the first
	# report already has both players (not a report per late vest).
	$SIM -o "$W/sim" -p 2 -m 2 -f ubx -s 3 >/dev/null || fail "simulator"
	printf '[process]\ncharts = no\n' > "$W/kicktrack.conf"
	set -- "$W"/sim/*.ubx
	$EMU --session "$1" --link "$W/fast.tty" --rate 400000 >/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	$EMU --session "$2" --link "$W/slow.tty" --rate 40000 >/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	$D -c "$W/kicktrack.conf" -r "$ROOT" -d "$W/*.tty" --no-usb --scan-interval 200 \
		--quiet-time 1 >>"$W/d.log" 2>&1 &
	DPID=$!
	wait_for 90 grep -q 'reports ready' "$W/d.log" || fail "no reports"
	wait_for 10 nraw_is 2 || fail "only $(nraw) of 2 stored"
	first_report_has_both
	;;
reportfull)
	# The store's disk has room for the two vests' logs but not for their
	# reports (a 3.2 MB tmpfs in a mount namespace of its own, so root
	# only). The processing fails to write them: nothing half-written, the
	# logs safe, and the log and 'kicktrack status' say it is the full disk
	# and what to do (before: "processing FAILED (exit code 1) ... run
	# kicktrack process by hand to see why", and never made again). Once
	# there is room, the reports are made by themselves.
	small_disk 3200k "$@"
	$SIM -o "$W/sim" -p 2 -m 10 -f ubx -s 3 >/dev/null || fail "simulator"
	printf '[process]\ncharts = no\n' > "$W/kicktrack.conf"
	sim_vests --rate 400000
	daemon -c "$W/kicktrack.conf" --quiet-time 1
	wait_for 60 nraw_is 2 || fail "only $(nraw) of 2 stored"
	sim_vests_stored
	wait_for 60 grep -q "error: training .*: the store's disk is full (.* free): the reports could not be written (whole); the logs are safe; free space there (df -h $ROOT), the reports are then made by themselves" "$W/d.log" ||
		fail "the full disk is not said as the reason the reports are missing"
	grep -q 'processing failed (exit code' "$W/d.log" && fail "a full disk said as a failed processing"
	nospace_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q "^  20[0-9-]*_[0-9]* *2 logs  reports NOT made: the store's disk is full (.* free): the reports could not be written (whole); the logs are safe; free space there (df -h $ROOT), the reports are then made by themselves$" "$W/st.txt"
	}
	wait_for 5 nospace_shown || { cat "$W/st.txt"; fail "kicktrack status does not say why the reports are missing"; }
	# nothing half-written: no temporary file, no staging folder, no report
	[ -z "$(find "$ROOT" -name '*.tmp' -o -name '.kicktrack-*')" ] ||
		fail "left behind: $(find "$ROOT" -name '*.tmp' -o -name '.kicktrack-*')"
	t=$(ls -d "$ROOT"/sessions/*/reports | head -1)
	[ -z "$(ls "$t")" ] || fail "a report from the failed run: $(ls "$t")"
	# not tried again and again while the disk stays full
	sleep 3
	[ "$(grep -c ': processing 2 logs' "$W/d.log")" -eq 1 ] || fail "processed again on a disk still full"
	alive
	# room: the reports are made by themselves
	mount -o remount,size=16m "$W/small" || fail "cannot grow the tmpfs"
	wait_for 60 grep -q 'reports ready' "$W/d.log" || fail "the reports not made once there was room"
	grep -q "training .*: [0-9.]* MB free on the store's disk now: making its reports again" "$W/d.log" ||
		fail "the retry is not said"
	[ "$(grep -c . "$t/team.csv")" -eq 3 ] || fail "report: $(cat "$t/team.csv")"
	ready_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q ' 2 logs  reports ready' "$W/st.txt" && ! grep -q 'NOT made' "$W/st.txt"
	}
	wait_for 5 ready_shown || { cat "$W/st.txt"; fail "status does not show the reports"; }
	stop_daemon
	;;
reportwait)
	# A report run beside a download under way, on a disk without room for
	# both (a 4.75 MiB tmpfs in a mount namespace of its own, so root
	# only): the roster's two vests are in, so their training's reports are
	# due at once, while V03 (not in the roster) is still downloading. Before,
	# the run took the room V03's download had counted on, and V03 failed
	# with "cannot write session 100 ...: No space left on device (will
	# retry)", then waited for space for ever. Now the reports wait for it,
	# saying so in the log and in 'kicktrack status', V03 is stored whole,
	# and the reports are made after it (here they do not fit then either:
	# said so, and made once there is room).
	small_disk 4864k "$@"
	$SIM -o "$W/sim" -p 2 -m 10 -f ubx -s 3 >/dev/null || fail "simulator"
	printf '[daemon]\nroster = %s\n[process]\ncharts = no\n' "$W/sim/roster.csv" > "$W/kicktrack.conf"
	mkdata s3 1500000
	vest V03 --log "$W/s3" --rate 100000 --idle-exit 120
	daemon -c "$W/kicktrack.conf" --quiet-time 600
	wait_for 10 n_downloading_at_least 1 || fail "V03 does not download"
	sim_vests --rate 400000
	wait_for 30 grep -q "training 2026[0-9-]*_[0-9]*: reports waiting for disk space: they need about [0-9.]* MB, but the download under way (V03) still needs [0-9.]* [kM]B of the [0-9.]* MB free, and beside it there is room for [0-9.]* [kM]B only; the reports are made once it is stored or there is room (df -h $ROOT)" "$W/d.log" ||
		fail "the report run does not wait for the download under way, or does not say so"
	space_wait_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q "^  2026[0-9-]*_[0-9]* *2 logs  reports waiting for disk space: .* (V03) still needs .*; the reports are made once it is stored or there is room (df -h $ROOT)$" "$W/st.txt"
	}
	wait_for 5 space_wait_shown || { cat "$W/st.txt"; fail "kicktrack status does not say why the reports wait"; }
	wait_for 60 stored V03 s3 100 || fail "V03 not stored"
	grep -q 'cannot write session\|No space left on device' "$W/d.log" && fail "the report run took the download's room"
	wait_for 5 grep -q "training 2026[0-9-]*_[0-9]*: no download under way any more: making its reports now" "$W/d.log" ||
		fail "the end of the wait is not said"
	[ "$(grep -c 'reports waiting for disk space' "$W/d.log")" -eq 1 ] || fail "the wait is said more than once"
	sim_vests_stored
	# the reports do not fit beside the three logs either: said, made once there is room
	wait_for 60 grep -q "error: training .*: the store's disk is full" "$W/d.log" ||
		wait_for 1 grep -q 'reports ready' "$W/d.log" || fail "no report run after the download"
	mount -o remount,size=16m "$W/small" || fail "cannot grow the tmpfs"
	wait_for 60 grep -q 'reports ready' "$W/d.log" || fail "the reports not made once there was room"
	t=$(ls -d "$ROOT"/sessions/2026*/reports | head -1)
	[ "$(grep -c . "$t/team.csv")" -eq 3 ] || fail "report: $(cat "$t/team.csv")"
	stop_daemon
	;;
reportbeside)
	# The reverse of reportwait: a download that starts while a report run
	# is going (here held at the reports folder's lock, as a 'kicktrack
	# report' by hand holds it) on a disk without room for both (a tmpfs in
	# a mount namespace of its own, so root only). Before, the download did
	# not count the room the reports take: it started, took it, and the
	# report run then failed for the full disk (or the download, for the
	# room the reports took). Now it waits, saying it waits for the reports
	# being made; they are made whole, and it is stored once there is room.
	small_disk 16m "$@"
	$SIM -o "$W/sim" -p 2 -m 4 -f ubx -s 3 >/dev/null || fail "simulator"
	printf '[process]\ncharts = no\n' > "$W/kicktrack.conf"
	sim_vests --rate 400000
	daemon -c "$W/kicktrack.conf" --quiet-time 3
	wait_for 30 nraw_is 2 || fail "only $(nraw) of 2 stored"
	rd=$(ls -d "$ROOT"/sessions/2026*/reports | head -1)
	[ -d "$rd" ] || fail "no training"
	# the reports folder held, as a 'kicktrack report' by hand would
	( umask 027 && exec 9>"$rd/.kicktrack.lock" && flock 9 && exec sleep 120 ) &
	LOCK_PID=$!
	PIDS+=("$LOCK_PID")
	wait_for 10 grep -q "is being written by another kicktrack run: waiting" "$W/d.log" ||
		fail "the report run did not start (or not wait for the lock)"
	# room for V03's 600 kB (and what is kept free) and 200 kB more: the
	# reports take about 430 kB, so they fit alone, and so does V03, but
	# not both (and the reports are taken to need about 1.05 MB: half of
	# each log plus 256 KiB per log)
	free_b=$(( $(stat -f -c '%a * %S' "$ROOT") ))
	fallocate -l $(( (free_b - 600000 - 80 * 1024 - 200 * 1024) / 4096 * 4096 )) "$W/small/filler" ||
		fail "cannot fill the tmpfs"
	mkdata s3 600000
	vest V03 --log "$W/s3"
	waits_for_reports() {
		grep -q "\"id\": \"V03\".*\"state\": \"waiting\", \"reason\": \"waiting for disk space: session 100 needs 600 kB more, but beside the reports being made (training 2026[0-9-]*_[0-9]*) there is room for [^;]* only; once there is room it goes on by itself (df -h $ROOT)\"" \
			"$ROOT/status.json" 2>/dev/null
	}
	wait_for 10 waits_for_reports || { grep V03 "$ROOT/status.json"; fail "V03 does not wait for the reports being made"; }
	grep -q "vest V03: waiting for disk space: session 100 needs 600 kB more, but beside the reports being made" "$W/d.log" ||
		fail "the wait is not in the log"
	sleep 2
	[ "$(nraw)" -eq 2 ] || fail "V03 was stored beside the report run"
	# the run goes on: its reports are made whole; V03 then waits for room
	# even alone (said), and is stored once there is room
	kill "$LOCK_PID"
	wait_for 30 grep -q 'reports ready' "$W/d.log" || fail "no reports"
	grep -q "the store's disk is full\|No space left on device" "$W/d.log" && fail "the disk got full"
	wait_for 10 grep -q "warning: vest V03: the store's disk is too full for session 100 even alone" "$W/d.log" ||
		fail "V03 does not wait for room after the reports"
	rm "$W/small/filler"
	wait_for 30 stored V03 s3 100 || fail "V03 not stored once there was room"
	# nothing ran out of room on the way: neither V03's download (which the
	# reports would have taken the room of) nor the reports
	grep -q "the store's disk is full\|No space left on device" "$W/d.log" && fail "the disk got full"
	[ "$(grep -c . "$rd/team.csv")" -eq 3 ] || fail "report: $(cat "$rd/team.csv")"
	stop_daemon
	;;
reportcharts)
	# The store's disk has room for the reports' CSV and JSON files but not
	# for their charts (a tmpfs in a mount namespace of its own, so root
	# only, filled to leave the CSV files' size and 256 KiB). gnuplot does
	# not say why it wrote nothing, so missing charts with less than 1 MiB
	# free are taken for the full disk: the log and 'kicktrack status' say
	# so (not "reports ready (partial)" or "processing failed (exit code
	# 3)"), and once there is room the reports, charts and all, are made by
	# themselves.
	small_disk 8m "$@"
	# 2 minutes: the charts take more than the CSV files (for longer
	# sessions, writing the CSV files needs more room than the charts)
	$SIM -o "$W/sim" -p 2 -m 2 -f ubx -s 3 >/dev/null || fail "simulator"
	sim_vests --rate 400000
	daemon --no-config --no-process
	wait_for 60 nraw_is 2 || fail "only $(nraw) of 2 stored"
	stop_daemon
	# what the CSV and JSON files take (on another disk), and room for
	# them and 256 KiB beside
	$K process --no-config --no-charts -o "$W/csvonly" "$W"/sim/*.ubx >"$W/csvonly.out" 2>&1
	[ $? -le 3 ] || { cat "$W/csvonly.out"; fail "kicktrack process"; }
	csv=$(du -s -B1 "$W/csvonly" | cut -f1)
	head -c $(( $(stat -f -c '%a * %S' "$ROOT") - csv - 262144 )) /dev/zero > "$W/small/filler"
	daemon --no-config
	wait_for 60 grep -q "error: training .*: the store's disk is full (.* free): the reports could not be written (whole); the logs are safe; free space there (df -h $ROOT), the reports are then made by themselves" "$W/d.log" ||
		fail "charts missing on a full disk are not said as the full disk"
	grep -q 'processing failed (exit code\|reports ready' "$W/d.log" && fail "the full disk said as a failed or partial processing"
	grep -q 'charts\|PDF' "$W/d.log" || fail "no chart was missing: the test's disk is too large"
	charts_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q "^  20[0-9-]*_[0-9]* *2 logs  reports NOT made: the store's disk is full (.* free): " "$W/st.txt"
	}
	wait_for 5 charts_shown || { cat "$W/st.txt"; fail "kicktrack status does not say why the reports are missing"; }
	# room: the reports are made again by themselves, with their charts
	rm "$W/small/filler"
	wait_for 60 grep -q 'reports ready' "$W/d.log" || fail "the reports not made once there was room"
	t=$(ls -d "$ROOT"/sessions/*/reports | head -1)
	for c in players/KT-0001/speed.png players/KT-0002/heatmap.png team.pdf index.html; do
		[ -s "$t/$c" ] || fail "no $c once there was room"
	done
	grep -q 'reports ready .*(partial' "$W/d.log" && fail "the reports made once there was room are partial"
	stop_daemon
	;;
storeroot)
	# A typo in the store root (a folder that is not there, nor its parent):
	# refused with the path and where it came from; nothing is created.
	timeout 10 $D -r "$W/kicktrak/root" -d "$W/*.tty" --no-usb >"$W/typo.err" 2>&1
	rc=$?
	[ $rc -eq 1 ] || { cat "$W/typo.err"; fail "a mistyped store root: exit $rc, expected 1"; }
	grep -q "the session store $W/kicktrak/root (-r/--root) does not exist, nor does the folder it would be created in: not starting" "$W/typo.err" ||
		{ cat "$W/typo.err"; fail "the mistyped store root is not named"; }
	[ -e "$W/kicktrak" ] && fail "a store was created for the typo"
	# under systemd (stderr is the journal's stream, JOURNAL_STREAM names
	# it) each line carries its priority, so 'journalctl -p err' finds it
	: > "$W/journal.err"
	JOURNAL_STREAM=$(stat -c %d:%i "$W/journal.err") timeout 10 $D -r "$W/kicktrak/root" -d "$W/*.tty" \
		--no-usb 2>>"$W/journal.err"
	grep -q "^<3>kicktrackd: error: the session store $W/kicktrak/root (-r/--root) does not exist" "$W/journal.err" ||
		{ cat "$W/journal.err"; fail "an error to the journal without its priority"; }
	# ... and only there: another file is written as it is
	JOURNAL_STREAM=$(stat -c %d:%i "$W/journal.err") timeout 10 $D -r "$W/kicktrak/root" -d "$W/*.tty" \
		--no-usb 2>"$W/other.err"
	grep -q "^kicktrackd: error: the session store" "$W/other.err" || { cat "$W/other.err"; fail "a priority written to a file"; }
	printf '[daemon]\nstore_root = %s\n' "$W/kicktrak/root" > "$W/typo.conf"
	timeout 10 $D -c "$W/typo.conf" -d "$W/*.tty" --no-usb >"$W/typo2.err" 2>&1
	rc=$?
	[ $rc -eq 1 ] || { cat "$W/typo2.err"; fail "store_root typo: exit $rc, expected 1"; }
	grep -q "the session store $W/kicktrak/root ($W/typo.conf:2) does not exist" "$W/typo2.err" ||
		{ cat "$W/typo2.err"; fail "the config line of the mistyped store root is not named"; }
	[ -e "$W/kicktrak" ] && fail "a store was created for the typo in the config"
	# a new store in a folder that exists: made, and said so, once
	daemon --no-process
	wait_for 5 test -e "$ROOT/status.json" || fail "daemon did not start on a new store"
	grep -q "new empty session store created at $ROOT (-r/--root; it did not exist" "$W/d.log" ||
		fail "a new store is not said"
	stop_daemon
	# info and warning lines to the journal carry theirs too
	: > "$W/journal.log"
	JOURNAL_STREAM=$(stat -c %d:%i "$W/journal.log") $D -r "$ROOT" -d "$W/*.tty" --no-usb \
		--gpsd 127.0.0.1:1 2>>"$W/journal.log" &
	DPID=$!
	wait_for 5 grep -q '^<4>kicktrackd: warning: cannot reach gpsd at 127.0.0.1:1' "$W/journal.log" ||
		{ cat "$W/journal.log"; fail "a warning to the journal without its priority"; }
	grep -q '^<6>kicktrackd: kicktrackd .* started: store' "$W/journal.log" ||
		{ cat "$W/journal.log"; fail "an info line to the journal without its priority"; }
	stop_daemon
	daemon --no-process
	started_twice() { [ "$(grep -c 'started: store' "$W/d.log")" -eq 2 ]; }
	wait_for 5 started_twice || fail "daemon did not start again"
	stop_daemon
	[ "$(grep -c 'new empty session store' "$W/d.log")" -eq 1 ] || fail "an existing store called new"
	;;
waitretry)
	# No roster, quiet time 1 s; one vest stalls half-way for longer than the
	# 4 response timeouts (8 s: margin on a busy machine), so the daemon backs
	# off (closes the port, reopens it, asks again) with that log half in. The
	# vest is plugged in and still being read: the reports wait for it, so the
	# first one has both players.
	$SIM -o "$W/sim" -p 2 -m 2 -f ubx -s 3 >/dev/null || fail "simulator"
	printf '[process]\ncharts = no\n' > "$W/kicktrack.conf"
	set -- "$W"/sim/*.ubx
	[ "$(basename "$2")" = KT-0002.ubx ] || fail "simulator names: $*"
	$EMU --session "$1" --link "$W/fast.tty" >/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	$EMU --session "$2" --link "$W/slow.tty" --rate 100000 --stall-after 100000 --stall-ms 8000 \
		>/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	$D -c "$W/kicktrack.conf" -r "$ROOT" -d "$W/*.tty" --no-usb --scan-interval 200 \
		--retry 1 --quiet-time 1 -v >>"$W/d.log" 2>&1 &
	DPID=$!
	held_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q 'waiting for KT-0002 (reconnecting [0-9]* %), still being read' "$W/st.txt"
	}
	wait_for 60 held_shown || { cat "$W/st.txt"; fail "status never showed the training waiting for the reconnecting vest"; }
	wait_for 90 grep -q 'reports ready' "$W/d.log" || fail "no reports"
	wait_for 10 nraw_is 2 || fail "only $(nraw) of 2 stored"
	grep -q 'vest KT-0002 (.*): no answer during download, reopening the port' "$W/d.log" ||
		fail "the stalled vest never backed off: the retry was not tested"
	grep -q 'training .*: quiet time over, waiting for KT-0002' "$W/d.log" || fail "the wait is not logged"
	first_report_has_both
	;;
waitbound)
	# download_wait_s bounds that wait: a vest crawling at 3 kB/s does not
	# hold the reports beyond it. They are made without it, log and status
	# say so, its verified part stays in partial/ (not in the training, not
	# in raw/); once it is in, the reports are made again with both players.
	$SIM -o "$W/sim" -p 2 -m 2 -f ubx -s 3 >/dev/null || fail "simulator"
	printf '[daemon]\ndownload_wait_s = 2\n[process]\ncharts = no\n' > "$W/kicktrack.conf"
	set -- "$W"/sim/*.ubx
	[ "$(basename "$2")" = KT-0002.ubx ] || fail "simulator names: $*"
	head -c 60000 "$2" > "$W/slow.ubx"
	$EMU --session "$1" --link "$W/fast.tty" >/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	$EMU --session "$W/slow.ubx" --link "$W/slow.tty" --rate 3000 >/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	$D -c "$W/kicktrack.conf" -r "$ROOT" -d "$W/*.tty" --no-usb --scan-interval 200 \
		--quiet-time 1 >>"$W/d.log" 2>&1 &
	DPID=$!
	wait_for 60 grep -q 'reports ready' "$W/d.log" || fail "no reports"
	t=$(ls -d "$ROOT"/sessions/*/reports | head -1)
	[ "$(grep -c . "$t/team.csv")" -eq 2 ] || fail "first report: $(cat "$t/team.csv")"
	grep -q 'making the reports without waiting longer for KT-0002 (downloading [0-9]* %) (waited 2 s' "$W/d.log" ||
		fail "the end of the wait is not logged"
	grep -q 'these reports are made without KT-0002 (downloading [0-9]* %): the download is unfinished' "$W/d.log" ||
		fail "the missing vest is not named"
	# ... and so does the report itself (session.json, so index.html too)
	grep -q '"status": "partial"' "$t/session.json" || fail "a report without a vest says it is complete"
	grep -q 'these reports are made without KT-0002 (downloading [0-9]* %): its download was not finished' \
		"$t/session.json" || fail "session.json does not name the missing vest"
	grep -q 'diese Auswertung entstand ohne KT-0002 (Download [0-9]* %): der Download war noch nicht fertig' \
		"$t/session.json" || fail "session.json does not name the missing vest in German (warnings_de)"
	[ -e "$ROOT/sessions/$(basename "$(dirname "$t")")/logs/KT-0002.log" ] && fail "an unfinished log in the training"
	[ -n "$(find "$ROOT/partial/KT-0002" -name '*.part')" ] || fail "no partial copy kept"
	without_shown() { # the status file is rewritten every second
		$K status -r "$ROOT" > "$W/st.txt"
		grep -q 'made WITHOUT KT-0002 (downloading [0-9]* %): download not finished' "$W/st.txt"
	}
	wait_for 5 without_shown || { cat "$W/st.txt"; fail "status does not say the reports lack a vest"; }
	wait_for 60 stored KT-0002 slow.ubx 1 || fail "the slow vest not stored identical"
	two_runs() { [ "$(grep -c 'reports ready' "$W/d.log")" -eq 2 ]; }
	wait_for 60 two_runs || fail "reports not made again with the late vest"
	[ "$(grep -c . "$t/team.csv")" -eq 3 ] || fail "second report: $(cat "$t/team.csv")"
	grep -q '"status": "ok"' "$t/session.json" || fail "the whole report still says partial"
	whole_shown() {
		$K status -r "$ROOT" > "$W/st.txt"
		grep -q 'reports ready' "$W/st.txt" && ! grep -q 'WITHOUT' "$W/st.txt"
	}
	wait_for 5 whole_shown || { cat "$W/st.txt"; fail "status still says a vest is missing"; }
	stop_daemon
	;;
noisy)
	# A noisy cable (the emulator flips bits: 1 byte in 2000 sent): the vest
	# answers, its frames are damaged. The daemon says so (not "no answer"),
	# with counts and progress, asks again for what is missing without
	# reconnecting or starting over, and the copy is byte-identical.
	head -c 600000 "$HERE/../../../samples/session-2026-11-21/KT-0003.ubx" > "$W/a"
	$EMU --session "$W/a" --vest-id N01 --link "$W/N01.tty" --corrupt-rate 0.0005 --seed 5 \
		>/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	daemon --no-process
	noisy_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q 'N01 *downloading .*%' "$W/st.txt" &&
			grep -q 'noisy link: [0-9]* of [0-9]* answers arrived damaged (bad checksums)' "$W/st.txt"
	}
	wait_for 60 noisy_shown || { cat "$W/st.txt"; fail "status does not show progress and the damaged answers"; }
	wait_for 120 stored N01 a 1 || fail "not stored identical over the noisy link"
	grep -q 'vest N01: answers arrive damaged (bad checksums)' "$W/d.log" || fail "damage not logged"
	grep -q 'vest N01: session 1: 50% in ([0-9]* kB of 600 kB); [0-9]* of [0-9]* answers arrived damaged' "$W/d.log" ||
		fail "no progress with damage counts in the log"
	grep -q 'verified and stored (noisy link: [0-9]* of [0-9]* answers arrived damaged' "$W/d.log" ||
		fail "the summary lacks the damage count"
	grep -q 'no answer during' "$W/d.log" && fail "damaged answers reported as no answer"
	grep -q 'reopening the port' "$W/d.log" && fail "reconnected instead of asking again"
	grep -q 'resuming session' "$W/d.log" && fail "download restarted"
	# once done, the status still says the cable was poor
	done_noisy() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q 'N01 *done' "$W/st.txt" &&
			grep -q 'the link was noisy: [0-9]* of [0-9]* answers arrived damaged and were asked again (stored intact); try another cable or USB port' "$W/st.txt"
	}
	wait_for 20 done_noisy || { cat "$W/st.txt"; fail "a done vest forgets the noisy link"; }
	stop_daemon
	;;
hopeless)
	# A link so noisy (1 byte in 20 damaged) that nothing gets through: after
	# the reconnects the vest is FAILED with the cause and what to do, the
	# daemon keeps running and nothing half-downloaded is passed off as stored.
	head -c 100000 "$HERE/../../../samples/session-2026-11-21/KT-0003.ubx" > "$W/a"
	$EMU --session "$W/a" --vest-id H01 --link "$W/H01.tty" --corrupt-rate 0.05 \
		>/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	daemon --no-process
	failed_noisy() { grep -q '"id": "H01".*"state": "failed", "reason": "link too noisy: ' "$ROOT/status.json" 2>/dev/null; }
	wait_for 120 failed_noisy || fail "a hopeless link not reported as too noisy"
	$K status -r "$ROOT" > "$W/st.txt"
	grep -q 'H01 *FAILED: link too noisy: .*try another cable or USB port' "$W/st.txt" ||
		{ cat "$W/st.txt"; fail "status text"; }
	grep -q 'does not speak the kicktrack dock protocol' "$W/d.log" && fail "a noisy vest called a foreign device"
	[ "$(nraw)" -eq 0 ] || fail "something stored from a hopeless link"
	alive
	stop_daemon
	;;
baddata)
	# A bad flash block: the vest's answers arrive intact, but the data at
	# byte 150000 of its session fails its CRC-32 every time. The daemon
	# keeps every verified byte before it, backs off instead of asking again
	# for ever (before: 50 READs a second, for ever, "downloading"), reports
	# the vest failed naming the session and the byte (not a noisy cable),
	# and tries again every retry_s, quiet in between.
	head -c 300000 "$HERE/../../../samples/session-2026-11-21/KT-0003.ubx" > "$W/a"
	bad_spot_vest B01 40 "$W/a" || fail "a vest whose data is always damaged at one byte not reported failed"
	# nothing verified is lost: the partial copy is the session up to the
	# bad chunk (READs shrink to 64 bytes before they give up)
	part=$(find "$ROOT/partial/B01" -name '*.part')
	[ -n "$part" ] || fail "no partial copy kept"
	n=$(stat -c %s "$part")
	[ "$n" -ge 149937 ] && [ "$n" -le 150000 ] || fail "partial copy holds $n bytes, expected all before byte 150000"
	cmp -s -n "$n" "$part" "$W/a" || fail "the partial copy differs from the session"
	# which vest, session and byte (where the copy ends), not the cable
	$K status -r "$ROOT" > "$W/st.txt"
	grep -q "B01 *FAILED: session 1: the data at byte $n of 300000 arrives damaged every time (intact answers, but the data fails its CRC-32: the vest's storage may be bad there); 5 reconnects without progress; session 1 incomplete: $(((n + 500) / 1000)) kB of 300 kB kept, the download resumes there; retrying every 5 s" "$W/st.txt" ||
		{ cat "$W/st.txt"; fail "status does not say which vest, session and byte"; }
	grep -q 'try another cable' "$W/st.txt" && { cat "$W/st.txt"; fail "damaged data blamed on the cable"; }
	grep -q 'vest B01: session 1: the data at byte [0-9]* arrives damaged (an intact answer' "$W/d.log" ||
		fail "the damaged data is not logged as such"
	grep -q "vest B01 (.*): session 1: the data at byte $n arrives damaged every time (.*), reopening the port" "$W/d.log" ||
		fail "the back-off does not say why"
	# failed, it asks nothing until retry_s is over (status.json is a second
	# late at most: the 2 s here end before the 5 s), then tries again
	reads() { grep -c 'READ seq' "$W/vest.err"; }
	idents() { grep -c 'IDENTIFY seq' "$W/vest.err"; }
	r0=$(reads); i0=$(idents)
	sleep 2
	[ "$(reads)" -eq "$r0" ] || fail "$(($(reads) - r0)) READs in the 2 s after the failure: it does not wait"
	more_idents() { [ "$(idents)" -gt "$i0" ]; }
	wait_for 8 more_idents || fail "not tried again after retry_s"
	# ... and fails the same way again: said once, however often it is retried
	wait_for 10 grep -q 'vest B01 (.*): still: session 1: the data at byte' "$W/d.log" ||
		fail "the retry did not fail again the same way"
	[ "$(grep -c 'error: vest B01 (.*): session 1: the data at byte' "$W/d.log")" -eq 1 ] ||
		fail "the same failure is said at every retry"
	[ "$(nraw)" -eq 0 ] || fail "a damaged session passed off as stored"
	alive
	stop_daemon
	;;
badblock)
	# The same bad spot in an old session must not hold up the vest's
	# other sessions (today's training may be among them): they are
	# downloaded first, then the vest is reported failed with the bad
	# session named, and the retry tries that one again.
	head -c 300000 "$HERE/../../../samples/session-2026-11-21/KT-0003.ubx" > "$W/a"
	head -c 100000 "$HERE/../../../samples/session-2026-11-21/KT-0004.ubx" > "$W/b"
	bad_spot_vest B02 60 "$W/a" "$W/b" || fail "a vest with a bad spot in session 1 not reported failed"
	[ "$(nraw)" -eq 1 ] || fail "$(nraw) sessions stored, expected session 2 alone"
	stored B02 b 2 || fail "session 2 not stored byte-identical"
	grep -q "vest B02: session 1: the data at byte [0-9]* arrives damaged every time, after 5 reconnects; .* kept; downloading the vest's other sessions first" "$W/d.log" ||
		fail "the skip is not logged"
	$K status -r "$ROOT" > "$W/st.txt"
	grep -q "B02 *FAILED: session 1: the data at byte [0-9]* of 300000 arrives damaged every time (intact answers, but the data fails its CRC-32: the vest's storage may be bad there); 5 reconnects without progress; session 1 incomplete: [0-9]* kB of 300 kB kept, the download resumes there; the vest's other sessions are stored; retrying every 5 s" "$W/st.txt" ||
		{ cat "$W/st.txt"; fail "status does not say which session is bad and that the others are stored"; }
	# the retry asks for session 1 again, where its copy ends
	n_backoffs() { grep -c 'vest B02 (.*): session 1: the data at byte [0-9]* arrives damaged every time (.*), reopening the port' "$W/d.log"; }
	b0=$(n_backoffs)
	more_backoffs() { [ "$(n_backoffs)" -gt "$b0" ]; }
	wait_for 20 more_backoffs || fail "session 1 not tried again at the retry"
	[ "$(nraw)" -eq 1 ] || fail "a damaged session passed off as stored"
	alive
	stop_daemon
	;;
earlier)
	# Without erase a vest brings all its earlier sessions again at every
	# docking: the journal counts them in the vest's "done" line instead of
	# a line for each (a season's sessions on 20 vests: hundreds a night)
	for i in 1 2 3 4; do mkdata s$i $((20000 + i)); done
	vest V01 --log "$W/s1" --log "$W/s2" --log "$W/s3" --log "$W/s4"
	$D -r "$ROOT" -d "$W/*.tty" --no-usb --scan-interval 200 --retry 1 --no-process >>"$W/d.log" 2>&1 &
	DPID=$!
	wait_for 20 nraw_is 4 || fail "only $(nraw) of 4 stored"
	wait_for 5 grep -q 'vest V01: done: 4 sessions, 4 stored, 0 erased, 0 failed' "$W/d.log" || fail "no done line"
	stop_daemon
	: > "$W/d.log"
	$D -r "$ROOT" -d "$W/*.tty" --no-usb --scan-interval 200 --retry 1 --no-process >>"$W/d.log" 2>&1 &
	DPID=$!
	wait_for 20 grep -q 'vest V01: done: 4 sessions, 4 stored (4 of them already before), 0 erased, 0 failed' "$W/d.log" ||
		fail "the second docking does not count the earlier sessions"
	grep -q 'already stored' "$W/d.log" && fail "a line for each earlier session"
	[ "$(nraw)" -eq 4 ] || fail "duplicates"
	stop_daemon
	;;
latekill)
	# A late vest re-makes a training's reports, but the quiet time before
	# that is long (300 s by default): a docking PC switched off or a daemon
	# killed meanwhile must make them at its next start, not keep the first
	# reports (without the late vest) as if they were whole.
	$SIM -o "$W/sim" -p 2 -m 2 -f ubx -s 3 >/dev/null || fail "simulator"
	printf '[process]\ncharts = no\n' > "$W/kicktrack.conf"
	set -- "$W"/sim/*.ubx
	$EMU --session "$1" --link "$W/first.tty" >/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	daemon -c "$W/kicktrack.conf" --quiet-time 1
	wait_for 60 grep -q 'reports ready' "$W/d.log" || fail "no first reports"
	t=$(ls -d "$ROOT"/sessions/*/reports | head -1)
	[ "$(grep -c . "$t/team.csv")" -eq 2 ] || fail "first report: $(cat "$t/team.csv")"
	stop_daemon
	$EMU --session "$2" --link "$W/late.tty" >/dev/null 2>>"$W/vest.err" &
	PIDS+=($!)
	daemon -c "$W/kicktrack.conf" --quiet-time 300
	wait_for 60 grep -q 'a late vest, its reports will be redone' "$W/d.log" || fail "the late vest not added"
	kill -9 "$DPID"; wait "$DPID" 2>/dev/null; DPID=
	[ "$(grep -c . "$t/team.csv")" -eq 2 ] || fail "reports redone before the kill?"
	daemon -c "$W/kicktrack.conf" --quiet-time 300
	two_runs() { [ "$(grep -c 'reports ready' "$W/d.log")" -eq 2 ]; }
	wait_for 60 two_runs || fail "the reports not made again with the late vest after a restart"
	grep -q "training .*: its reports do not hold all its 2 logs yet (kicktrackd was stopped before they were made again): making them again" \
		"$W/d.log" || fail "the redo is not said"
	[ "$(grep -c . "$t/team.csv")" -eq 3 ] || fail "reports after the restart: $(cat "$t/team.csv")"
	# ... and once made, a further restart does not make them again
	stop_daemon
	daemon -c "$W/kicktrack.conf" --quiet-time 1
	started_4th() { [ "$(grep -c 'started: store' "$W/d.log")" -eq 4 ]; }
	wait_for 5 started_4th || fail "daemon did not start again"
	sleep 3
	[ "$(grep -c 'reports ready' "$W/d.log")" -eq 2 ] || fail "whole reports made again at a restart"
	stop_daemon
	;;
noprocess)
	# With processing off the volunteer still sees the download worked: the
	# training is listed as stored, without reports (before: no training at
	# all). A later start with processing on makes its reports.
	$SIM -o "$W/sim" -p 2 -m 2 -f ubx -s 3 >/dev/null || fail "simulator"
	printf '[process]\ncharts = no\n' > "$W/kicktrack.conf"
	sim_vests
	daemon -c "$W/kicktrack.conf" --quiet-time 1 --no-process
	wait_for 30 nraw_is 2 || fail "only $(nraw) of 2 stored"
	stored_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q '^  20[0-9-]*_[0-9]* *2 logs  stored; no reports made (kicktrackd runs with processing off)$' "$W/st.txt"
	}
	wait_for 10 stored_shown || { cat "$W/st.txt"; fail "the stored training is not listed"; }
	sleep 2 # the quiet time (1 s) is over: still nothing is processed
	grep -q ': processing [0-9]* log\|reports ready' "$W/d.log" && fail "processed with --no-process"
	t=$(ls -d "$ROOT"/sessions/*/reports | head -1)
	[ -z "$(ls "$t")" ] || fail "reports made with --no-process: $(ls "$t")"
	stop_daemon
	# a restart lists it again, from the store (not from the status file
	# the first one left: until the new one has written its own, the
	# listing would pass at once, before the new one has read the store)
	rm "$ROOT/status.json" || fail "no status file"
	daemon -c "$W/kicktrack.conf" --quiet-time 1 --no-process
	wait_for 10 stored_shown || { cat "$W/st.txt"; fail "the stored training not listed after a restart"; }
	stop_daemon
	daemon -c "$W/kicktrack.conf" --quiet-time 1
	wait_for 60 grep -q 'reports ready' "$W/d.log" || fail "no reports once processing is on"
	[ "$(grep -c . "$t/team.csv")" -eq 3 ] || fail "report: $(cat "$t/team.csv")"
	# the vests still plugged in are read again at this start: waiting for
	# them is counted from the start, not from boot ("waited 1800 s")
	grep -q 'without waiting longer' "$W/d.log" && fail "a wait at start-up said as long past"
	ready_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q ' 2 logs  reports ready' "$W/st.txt"
	}
	wait_for 5 ready_shown || { cat "$W/st.txt"; fail "status does not show the reports"; }
	stop_daemon
	;;
unlisted)
	# Stored logs that no training lists when the daemon starts: a late
	# vest's manifest write that failed before a stop (training A), a
	# manifest never written (B), a manifest that cannot be read (D, kept
	# as it is). Before, they were in no training for ever (no reports).
	# Now the start groups them as a docked session would be: the late vest
	# joins A (its reports made again), B is made anew in its folder, D's
	# log goes into a training of its own; C, whole, is not made again, and
	# neither is anything at a further start.
	printf '[process]\ncharts = no\n' > "$W/kicktrack.conf"
	$SIM -o "$W/a" -p 2 -m 2 -f ubx -s 3 >/dev/null || fail "simulator"
	i=0
	for day in b:22 c:23 d:24; do
		p=K$(echo "${day%:*}" | tr a-z A-Z)-
		$SIM -o "$W/${day%:*}" -p 1 -m 2 -f ubx -s $((4 + i)) --start "2026-11-${day#*:}T14:00:00Z" \
			--vest-prefix "$p" >/dev/null || fail "simulator"
		i=$((i + 1))
	done
	for f in "$W"/a/*.ubx "$W"/[bcd]/*.ubx; do
		$EMU --session "$f" --link "$W/$(basename "$f" .ubx).tty" --rate 400000 >/dev/null 2>>"$W/vest.err" &
		PIDS+=($!)
	done
	daemon -c "$W/kicktrack.conf" --quiet-time 1
	wait_for 90 nraw_is 5 || fail "only $(nraw) of 5 stored"
	all_reported() { # N [SKIP]: the reports of N trainings (all but SKIP's) hold all their logs
		local m n=0
		for m in "$ROOT"/sessions/*/manifest; do
			[ -e "$m" ] || return 1
			[ "$m" = "${2:-}/manifest" ] && continue
			grep -q "^reported=$(grep -c '^log=' "$m")$" "$m" || return 1
			n=$((n + 1))
		done
		[ "$n" -eq "$1" ]
	}
	wait_for 120 all_reported 4 || fail "not 4 trainings with their reports: $(ls "$ROOT"/sessions)"
	stop_daemon
	# the vests go home
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	PIDS=()
	rm -f "$W"/*.tty
	TA=$(ls -d "$ROOT"/sessions/2026-11-21_*) && TB=$(ls -d "$ROOT"/sessions/2026-11-22_*) &&
		TC=$(ls -d "$ROOT"/sessions/2026-11-23_*) && TD=$(ls -d "$ROOT"/sessions/2026-11-24_*) ||
		fail "trainings: $(ls "$ROOT"/sessions)"
	# A: what a late vest's failed manifest write leaves (before logs/ got it)
	grep -v '^log=KT-0002 \|^reported=' "$TA/manifest" > "$W/m" && echo 'reported=1' >> "$W/m" &&
		cat "$W/m" > "$TA/manifest" && rm "$TA/logs/KT-0002.log" || fail "cannot edit $TA"
	rm "$TB/manifest"
	printf 'version=7\n' > "$TD/manifest"
	cp "$TD/manifest" "$W/d.manifest"
	cp "$TC/manifest" "$W/c.manifest"
	: > "$W/d.log"
	daemon -c "$W/kicktrack.conf" --quiet-time 1
	three_ready() { [ "$(grep -c 'reports ready' "$W/d.log")" -ge 3 ]; }
	wait_for 90 three_ready || fail "not 3 trainings' reports made"
	grep -q "warning: store $ROOT: 3 stored logs were in no training when kicktrackd started (raw/KT-0002/[0-9]*-[0-9a-f]*.log, raw/KB-0001/[0-9]*-[0-9a-f]*.log, raw/KD-0001/[0-9]*-[0-9a-f]*.log): kicktrackd stopped before their training's manifest was written, or during a live session; they are grouped into trainings now like a docked or live session, and the reports of those trainings are made (again)" "$W/d.log" ||
		fail "the logs in no training are not said"
	grep -q "vest KT-0002 session [0-9]* belongs to training ${TA##*/} (2 logs): a late vest, its reports will be redone" "$W/d.log" ||
		fail "KT-0002 did not join its training again"
	wait_for 10 all_reported 4 "$TD" || fail "not 4 trainings with their reports: $(ls "$ROOT"/sessions)"
	[ "$(grep -c . "$TA/reports/team.csv")" -eq 3 ] || fail "A's report: $(cut -d, -f1 "$TA/reports/team.csv")"
	[ -e "$TA/logs/KT-0002.log" ] || fail "A's logs/ lacks KT-0002"
	grep -q "training ${TB##*/}: no manifest (kicktrackd stopped before it was written); its logs are looked for in the store" "$W/d.log" ||
		fail "B's missing manifest is not said"
	grep -q "warning: training ${TD##*/}: cannot read its manifest: Bad message; it is left as it is, and the logs no other training lists go into a training beside it" "$W/d.log" ||
		fail "D's unreadable manifest is not said"
	grep -q '^log=KB-0001 ' "$TB/manifest" || fail "B's manifest not made again"
	grep -q '"KB-0001"' "$TB/reports/team.csv" || fail "B's report"
	cmp -s "$TD/manifest" "$W/d.manifest" || fail "the unreadable manifest of D was changed"
	TD2=$(ls -d "$TD"-*) && grep -q '^log=KD-0001 ' "$TD2/manifest" || fail "D's log is in no training: $(ls "$ROOT"/sessions)"
	grep -q '"KD-0001"' "$TD2/reports/team.csv" || fail "D's log's report"
	cmp -s "$TC/manifest" "$W/c.manifest" || fail "C's manifest was changed"
	grep -q "training ${TC##*/}: processing" "$W/d.log" && fail "C's reports were made again"
	[ "$(grep -c 'reports ready' "$W/d.log")" -eq 3 ] || fail "reports made more than once each"
	[ "$(ls "$ROOT"/sessions | wc -l)" -eq 5 ] || fail "trainings: $(ls "$ROOT"/sessions)"
	found_shown() {
		$K status -r "$ROOT" > "$W/st.txt" 2>&1
		grep -q "added at kicktrackd's start: KT-0002: a stored log no training listed$" "$W/st.txt"
	}
	wait_for 5 found_shown || { cat "$W/st.txt"; fail "kicktrack status does not say what the start added"; }
	[ -z "$(find "$ROOT" -perm /o=rwx)" ] || fail "world-accessible files: $(find "$ROOT" -perm /o=rwx)"
	stop_daemon
	# a further start: nothing in no training, nothing made again
	: > "$W/d.log"
	daemon -c "$W/kicktrack.conf" --quiet-time 1
	wait_for 10 grep -q 'started: store' "$W/d.log" || fail "the daemon did not start again"
	sleep 3
	grep -q 'in no training\|: processing [0-9]* log\|reports ready' "$W/d.log" && fail "the next start did it again"
	stop_daemon
	;;
earlystop)
	# A stop signal during start-up is the same clean stop as later: exit 0,
	# the status says stopped, nothing half-written, no port opened (before:
	# SIGTERM/SIGINT were blocked for the signalfd only once the loop began,
	# and a stop before that was the default death, exit 143, e.g. from a
	# "systemctl stop" or a reboot while a season's store was being read).
	# A store with 20000 trainings makes start-up take a while: their
	# manifests are read after the warning about the missing pitch, and the
	# SIGTERM goes as soon as that warning is out. Every try must stop
	# cleanly; at least one must have hit start-up, or it tested nothing.
	/usr/bin/python3 - "$ROOT" <<'EOP' || fail "cannot make the store"
import os, sys
for i in range(20000):
    name = "2020-01-01_%05d" % i
    d = "%s/sessions/%s" % (sys.argv[1], name)
    os.makedirs(d + "/reports")
    t = 1577836800000000 + i * 10**9
    with open(d + "/manifest", "w") as f:
        f.write("# kicktrack session manifest\nversion=1\nname=%s\nstart_us=%d\nend_us=%d\nreported=0\n"
                % (name, t, t + 1))
EOP
	mkdata a 50000
	vest V01 --log "$W/a" --idle-exit 120
	printf '[daemon]\npitch = %s\n' "$W/nopitch.ini" > "$W/slow.conf"
	pitch_said() { grep -q 'cannot read pitch' "$W/d.log"; }
	hit=0
	for try in 1 2 3 4 5; do
		: > "$W/d.log"
		rm -f "$ROOT/status.json"
		$D -c "$W/slow.conf" -r "$ROOT" -d "$W/*.tty" --no-usb --no-process -v >>"$W/d.log" 2>&1 &
		DPID=$!
		for _ in $(seq 2000); do pitch_said && break; sleep 0.01; done
		pitch_said || fail "try $try: the daemon did not get to the pitch"
		kill -TERM "$DPID"
		wait "$DPID"; rc=$?; DPID=
		[ $rc -eq 0 ] || fail "try $try: SIGTERM during start-up: exit $rc, expected 0 (a clean stop)"
		grep -q 'stopping on Terminated' "$W/d.log" || fail "try $try: the stop is not said"
		grep -q '"running": false' "$ROOT/status.json" || fail "try $try: the status does not say stopped"
		[ -z "$(find "$W" -name '*.tmp')" ] || fail "try $try: half-written files: $(find "$W" -name '*.tmp')"
		grep -q 'stopping on Terminated (it came during start-up)' "$W/d.log" || continue
		hit=$((hit + 1))
		grep -q 'started: store' "$W/d.log" && fail "try $try: a stop during start-up went on to start"
		tr -d ' \n' < "$ROOT/status.json" | grep -q '"vests":\[\]' ||
			fail "try $try: a vest port was opened after the stop: $(grep '"id"' "$ROOT/status.json")"
	done
	[ $hit -gt 0 ] || fail "no SIGTERM came during start-up: the test did not test it"
	echo "$hit of 5 stops came during start-up"
	# ... also the earliest stop: as soon as main() has blocked the signals
	# (SigBlk in /proc), before the store is opened: exit 0, and if it came
	# before the store was opened, nothing was made
	sigterm_blocked() { # PID: kicktrackd (not the shell before exec), SIGTERM (bit 14) blocked?
		local k v
		[ "/proc/$1/exe" -ef "$D" ] || return 1
		while IFS=$':\t ' read -r k v; do
			[ "$k" = SigBlk ] && [ $((0x$v & 0x4000)) -ne 0 ] && return 0
		done < "/proc/$1/status"
		return 1
	}
	for try in 1 2 3 4 5; do
		: > "$W/d.log"
		$D -r "$W/early$try" -d "$W/*.tty" --no-usb --no-process >>"$W/d.log" 2>&1 &
		DPID=$!
		while kill -0 "$DPID" 2>/dev/null && ! sigterm_blocked "$DPID" 2>/dev/null; do :; done
		kill -TERM "$DPID"
		wait "$DPID"; rc=$?; DPID=
		[ $rc -eq 0 ] || fail "early try $try: SIGTERM right after start: exit $rc, expected 0"
		grep -q 'stopping on Terminated' "$W/d.log" || fail "early try $try: the stop is not said"
		if grep -q 'before the store was opened' "$W/d.log"; then
			[ -e "$W/early$try" ] && fail "early try $try: a store made after the stop"
		else
			grep -q '"running": false' "$W/early$try/status.json" ||
				fail "early try $try: the status does not say stopped"
		fi
		[ -z "$(find "$W" -name '*.tmp')" ] || fail "early try $try: half-written files: $(find "$W" -name '*.tmp')"
	done
	;;
*)
	echo "unknown case $CASE"; exit 2;;
esac
echo "ok $CASE"
exit 0
