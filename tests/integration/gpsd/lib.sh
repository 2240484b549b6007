# SPDX-License-Identifier: EUPL-1.2
# Shared helpers for the gpsd integration tests (sourced, not run).
# Everything runs on loopback, on a random high port, in a temporary folder,
# and is stopped on exit.

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
