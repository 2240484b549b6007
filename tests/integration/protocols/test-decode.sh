#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# kicktrack decode: CSV of a real log, exit codes and messages for bad files.
# usage: test-decode.sh KICKTRACK CORPUS_DIR
set -u
kt=$1
corpus=$2
if [ ! -d "$corpus" ]; then
	echo "SKIP: no gpsd regression logs at $corpus (meson setup -Dgpsd_corpus=DIR)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # name expected actual
	if [ "$2" != "$3" ]; then echo "FAIL $1: expected '$2', got '$3'"; fail=1; else echo "ok   $1"; fi
}

log=$corpus/release-3.22/nmea/bu353s4.log
"$kt" decode "$log" >"$tmp/out" 2>"$tmp/err"
check "good file exit" 0 $?
check "header line" "utc,lat,lon,speed_mps,course_deg,quality,num_sv,hdop,pdop,hacc_m,sacc_mps" "$(sed -n 2p "$tmp/out")"
check "25 fixes" 25 "$(grep -c '^20' "$tmp/out")"
grep -q "bu353s4.log: .* 25 fixes" "$tmp/err"; check "summary names the file" 0 $?
# unknown values are empty, never 0: this receiver gives no hAcc/sAcc
check "empty unknowns" ",," "$(sed -n 3p "$tmp/out" | grep -o ',,$')"

: >"$tmp/empty.log"
head -c 5000 /dev/urandom | tr -d '$\265' >"$tmp/garbage.bin"
"$kt" decode "$log" "$tmp/missing.log" "$tmp/empty.log" "$tmp/garbage.bin" "$tmp" >"$tmp/out" 2>"$tmp/err"
check "partial exit" 3 $?
grep -q "missing.log: no such file" "$tmp/err"; check "missing named" 0 $?
grep -q "empty.log: file is empty" "$tmp/err"; check "empty named" 0 $?
grep -q "garbage.bin: no NMEA sentence or UBX frame found" "$tmp/err"; check "garbage named" 0 $?
grep -q "is a directory" "$tmp/err"; check "directory named" 0 $?
check "good file still decoded" 25 "$(grep -c '^20' "$tmp/out")"

# a device or a FIFO is refused at once (timeout only so that a regression
# fails instead of hanging: /dev/zero never ends, a FIFO waits for a writer)
mkfifo "$tmp/fifo.nmea"
timeout 20 "$kt" decode /dev/zero "$tmp/fifo.nmea" >"$tmp/out" 2>"$tmp/err"
check "device and fifo exit" 1 $?
check "device named" "kicktrack: error: /dev/zero: not a regular file (a device or a pipe?)" "$(sed -n 1p "$tmp/err")"
grep -q "fifo.nmea: not a regular file" "$tmp/err"; check "fifo named" 0 $?
check "one line each" 2 "$(wc -l <"$tmp/err" | tr -d ' ')"

"$kt" decode "$tmp/missing.log" >/dev/null 2>&1
check "all failed exit" 1 $?
"$kt" decode >/dev/null 2>&1
check "no file: usage" 2 $?
"$kt" decode --bogus "$log" >/dev/null 2>&1
check "bad option: usage" 2 $?
"$kt" decode --help | grep -q -- "--summary-only"; check "help" 0 $?
"$kt" decode --summary-only "$log" >"$tmp/out" 2>/dev/null
check "summary-only prints no CSV" 0 "$(wc -c <"$tmp/out" | tr -d ' ')"

# UBX with IMU: vest header, IMU batch, NAV-PVT (bytes of firmware-protocols/vest.md, ubx.md)
printf '\265\142\361\000\016\000VEST07  \003\001\120\325\005\153\201\201' >"$tmp/v.ubx"
printf '\265\142\361\001\040\000\220\072\105\016\144\000\002\000\210\377\000\002\027\010\337\377\150\006\373\377\240\377\362\001\040\010\342\377\164\006\376\377\225\306' >>"$tmp/v.ubx"
"$kt" decode --imu "$tmp/v.ubx" >"$tmp/out" 2>"$tmp/err"
check "ubx exit" 0 $?
grep -q "vest VEST07 firmware 1.3" "$tmp/err"; check "vest header" 0 $?
check "imu line" "2026-11-24T18:30:00.010Z,-0.0469,0.2432,1.0156,-1.83,100.73,-0.12" "$(tail -1 "$tmp/out")"
exit $fail
