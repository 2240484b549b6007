#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# The benchmark input: a full team session, 25 vests x 90 minutes, 10 Hz GNSS
# + 100 Hz IMU, realistic noise, seed 1, once in UBX and once in NMEA
# (about 300 MB and 900 MB). Prints the two directories.
#
# Usage: tools/bench/make-team-session.sh [KICKTRACK-SIM [DIR]]
#   KICKTRACK-SIM  default: build/tools/sim/kicktrack-sim, else kicktrack-sim in PATH
#   DIR            default: a new directory from mktemp -d (remove it when done)
# Options for the simulator can be changed with PLAYERS, MINUTES, SEED.
set -eu

sim=${1:-}
if [ -z "$sim" ]; then
	if [ -x build/tools/sim/kicktrack-sim ]; then
		sim=build/tools/sim/kicktrack-sim
	else
		sim=$(command -v kicktrack-sim || true)
	fi
fi
if [ -z "$sim" ] || [ ! -x "$sim" ]; then
	echo "make-team-session: kicktrack-sim not found; pass its path as the first argument" >&2
	exit 1
fi
dir=${2:-$(mktemp -d "${TMPDIR:-/tmp}/kt-team-session.XXXXXX")}
players=${PLAYERS:-25}
minutes=${MINUTES:-90}
seed=${SEED:-1}

for fmt in ubx nmea; do
	out="$dir/team-$fmt"
	"$sim" --players "$players" --minutes "$minutes" --seed "$seed" --format "$fmt" \
		--noise realistic --force -o "$out"
	echo "$out"
done
