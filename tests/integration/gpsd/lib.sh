# SPDX-License-Identifier: EUPL-1.2
# Shared helpers for the gpsd integration tests (sourced, not run).
# Everything runs on loopback, on a random high port, in a temporary folder,
# and is stopped on exit.

# A test that mounts a small disk (small_disk) sources this with
# NEED_MOUNT_NS=1: it runs again in a mount namespace of its own (root only),
# so that the mount goes away with it.
if [ -n "${NEED_MOUNT_NS:-}" ] && [ -z "${KT_GPSD_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: not root: cannot mount a tmpfs"; exit 77; }
	unshare -m true 2>/dev/null || { echo "SKIP: no mount namespace here"; exit 77; }
	KT_GPSD_NS=1 exec unshare -m "$0" "$@"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/kt-gpsd-test.XXXXXX")
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	if [ -n "${KEEP:-}" ]; then
		echo "kept $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT

need() {
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1 && [ ! -x "$t" ]; then
			echo "SKIP: $t not installed"
			exit 77
		fi
	done
}

fail() {
	echo "FAIL: $*"
	exit 1
}

random_port() {
	echo $((20000 + RANDOM % 40000))
}

# wait_listen PORT PID: until something listens on 127.0.0.1:PORT (1 if PID died first)
wait_listen() {
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# start_gpsfake LOG...: gpsfake on a free random port; sets PORT and GPSFAKE_PID
start_gpsfake() {
	for _ in 1 2 3 4 5; do
		PORT=$(random_port)
		mkdir -p "$W/gpsfake-tmp"
		TMPDIR="$W/gpsfake-tmp" gpsfake -1 -p -q -P "$PORT" "$@" >/dev/null 2>"$W/gpsfake.err" &
		GPSFAKE_PID=$!
		PIDS+=("$GPSFAKE_PID")
		if wait_listen "$PORT" "$GPSFAKE_PID"; then
			return 0
		fi
		kill "$GPSFAKE_PID" 2>/dev/null
		wait "$GPSFAKE_PID" 2>/dev/null
	done
	cat "$W/gpsfake.err"
	fail "gpsfake did not start"
}

# start_gpsd DEVICE...: gpsd in the foreground on PORT (set it first); sets GPSD_PID
start_gpsd() {
	gpsd -N -n -b -S "$PORT" "$@" >"$W/gpsd.out" 2>&1 &
	GPSD_PID=$!
	PIDS+=("$GPSD_PID")
	wait_listen "$PORT" "$GPSD_PID"
}

# match_recordings ORIG...: each recorded log must agree with exactly one original
match_recordings() {
	local n=0 rec vest orig matched
	for rec in "$W"/store/raw/*/*.log; do
		[ -e "$rec" ] || fail "no recorded log in $W/store/raw"
		vest=$(basename "$(dirname "$rec")")
		matched=0
		for orig in "$@"; do
			if "$DRIVER" compare "$orig" "$rec" "$W/store/live.json" "$vest" >"$W/cmp.out" 2>&1; then
				echo "$rec == $orig"
				cat "$W/cmp.out"
				matched=$((matched + 1))
			fi
		done
		[ "$matched" -eq 1 ] || { cat "$W/cmp.out"; fail "$rec matches $matched originals"; }
		n=$((n + 1))
	done
	echo "$n"
}

# ---- one live vest recorded by kicktrackd (disk-full, manifest, crash tests)

# small_disk SIZE: ROOT on a tmpfs of SIZE (e.g. 2m) at $W/small, unmounted
# on exit (rm -rf cannot remove a mount point: what uses it stops first).
# The test sources lib.sh with NEED_MOUNT_NS=1 (above).
small_disk() {
	disk_cleanup() {
		for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
		for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
		umount "$W/small" 2>/dev/null
		cleanup
	}
	trap disk_cleanup EXIT
	mkdir "$W/small"
	mount -t tmpfs -o size="$1" tmpfs "$W/small" || fail "cannot mount a tmpfs"
	ROOT=$W/small/root
	mkdir "$ROOT"
}

# live_vest SECONDS: vest VA, SECONDS of NMEA at 20 epochs a second (so
# twice as fast as a 10 Hz receiver) fed by `live-driver feed` through a pty
# that the real gpsd reads on PORT; sets FEED_PID and PORT
live_vest() {
	"$DRIVER" gen "$W/a.nmea" "$1" 7 || fail "gen"
	"$DRIVER" feed 20 "$W/vestA" "$W/a.nmea" >"$W/feed.out" 2>&1 &
	FEED_PID=$!
	PIDS+=("$FEED_PID")
	for _ in $(seq 50); do [ -e "$W/vestA" ] && break; sleep 0.05; done
	for _ in 1 2 3 4 5; do
		PORT=$(random_port)
		start_gpsd "$W/vestA" && break
	done
}

log_fail() { echo "--- daemon log"; tail -n 30 "$W/d.log"; fail "$@"; }
wait_for() { # SECONDS CMD...: until CMD succeeds, checked every 0.1 s
	local t=$1; shift
	for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
	return 1
}
# the live recording of VA in the store at ROOT, and its size
part() { ls "$ROOT"/partial/VA/live-*.part 2>/dev/null | head -1; }
part_at_least() { local f; f=$(part) && [ -n "$f" ] && [ "$(stat -c %s "$f" 2>/dev/null || echo 0)" -ge "$1" ]; }
free_bytes() { echo $(( $(stat -f -c '%a * %S' "$ROOT") )); }
