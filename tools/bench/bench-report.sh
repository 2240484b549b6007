#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# Benchmark of `kicktrack report`: every chart, PDF and index.html of a
# 25-player x 90-minute session (synthetic OUTDIR, 10 Hz series), through
# one gnuplot process. Goal: under 5 s wall on a 2-core machine.
# Usage: bench-report.sh KICKTRACK MAKE_FIXTURE [RUNS]
set -eu
# the numbers read and printed here have a decimal point, whatever the user's locale
awk() { LC_ALL=C command awk "$@"; }
KT=$1 FIXTURE=$2 RUNS=${3:-3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$FIXTURE" "$T/o" 25 90 c
echo "input: $(du -sh "$T/o" | cut -f1) (25 players x 90 min at 10 Hz, CSV)"
best=
for ((i = 1; i <= RUNS; i++)); do
	/usr/bin/time -f '%e %U %S' -o "$T/time" "$KT" report --no-config -q "$T/o"
	read -r wall user sys <"$T/time"
	echo "run $i: wall ${wall} s, CPU ${user} s user + ${sys} s sys (kicktrack and gnuplot)"
	if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
done
n=$(find "$T/o" -name '*.png' -o -name '*.pdf' | wc -l)
echo "charts and PDFs: $n; best wall time: ${best} s (goal: < 5 s); load now: $(cut -d' ' -f1-3 /proc/loadavg)"
