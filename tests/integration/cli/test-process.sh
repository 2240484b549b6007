#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# End-to-end tests of `kicktrack process` on simulator sessions and small
# handmade bad inputs. Usage: test-process.sh CASE KICKTRACK KICKTRACK-SIM
# Each CASE is one meson test; the script exits 0 pass, 1 fail.
set -u
CASE=$1
KT=$2
SIM=$3
SRCDIR=${4:-}
PY=/usr/bin/python3
# Numbers in kicktrack's outputs are C-locale text ("29.3"); awk reads them
# by the locale's decimal point, so under e.g. LANG=de_DE.UTF-8 mawk took
# "29.3" for 29. Only awk runs in the C locale: kicktrack keeps the user's.
awk() { LC_ALL=C command awk "$@"; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

fail() {
	echo "FAIL [$CASE]: $*" >&2
	if [ -f "$T/err" ]; then
		echo "--- stderr of the last run:" >&2
		cat "$T/err" >&2
	fi
	exit 1
}

# run kicktrack process; sets $rc, stderr in $T/err
run() {
	"$KT" process --no-config --no-charts "$@" 2>"$T/err" >"$T/stdout"
	rc=$?
}
# the same, with the config file(s) the arguments name
run_config() {
	"$KT" process --no-charts "$@" 2>"$T/err" >"$T/stdout"
	rc=$?
}

expect_rc() {
	[ "$rc" = "$1" ] || fail "expected exit $1, got $rc"
}

expect_err() {
	grep -qF -- "$1" "$T/err" || fail "stderr does not say '$1'"
}

# stderr holds no raw bytes of a file (control bytes, binary): only
# printable ASCII (the messages these checks look at have no names)
expect_no_raw_bytes() {
	if LC_ALL=C grep -q '[^[:print:]]' "$T/err"; then
		fail "raw bytes on stderr: $(LC_ALL=C grep -n '[^[:print:]]' "$T/err" | head -2 | cat -v)"
	fi
}

# stderr names FILE on exactly N lines
expect_lines_naming() { # FILE N
	local n
	n=$(grep -cF -- "$1" "$T/err")
	[ "$n" = "$2" ] || fail "stderr names $1 on $n lines, expected $2"
}

sim() { # sim DIR [options]
	local d=$1
	shift
	"$SIM" -o "$d" "$@" >/dev/null 2>&1 || fail "kicktrack-sim $* failed"
}

# team.csv rows (without header) as vest ids, one per line
team_ids() {
	tail -n +2 "$1/team.csv" | cut -d, -f1 | tr -d '"\r'
}

csv_col() { # csv_col FILE COLUMN: the first data row's value of a named column
	"$PY" -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig'))); print(r[0][sys.argv[2]])" "$1" "$2"
}

csv_col_de() { # the same for --csv-flavour de (';')
	"$PY" -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig'), delimiter=';')); print(r[0][sys.argv[2]])" "$1" "$2"
}

json_get() { # json_get FILE PYTHON-EXPR (on variable j)
	"$PY" -c "import json,sys; j=json.load(open(sys.argv[1], encoding='utf-8')); print($2)" "$1"
}

HEADER='vest_id,player,number,position,minutes,distance_m,z1_m,z2_m,z3_m,z4_m,z5_m,hsr_m,sprints,sprint_m,max_speed_kmh,accelerations,decelerations,player_load,player_load_per_min,metabolic_power_wkg,high_power_m,work_rate_m_min,peak1_m,peak3_m,peak5_m,fix_pct,gaps,rejected_frames'

check_outputs() { # check_outputs OUT N_VESTS
	local out=$1 n=$2
	[ -f "$out/team.csv" ] || fail "no team.csv"
	[ -f "$out/session.json" ] || fail "no session.json"
	head -1 "$out/team.csv" | tr -d '\r' | grep -q "^$HEADER" || fail "team.csv header: $(head -1 "$out/team.csv")"
	[ "$(team_ids "$out" | wc -l)" = "$n" ] || fail "team.csv has $(team_ids "$out" | wc -l) rows, expected $n"
	local nx ny
	nx=$(json_get "$out/session.json" "j['players'][0]['heatmap']['nx']")
	ny=$(json_get "$out/session.json" "j['players'][0]['heatmap']['ny']")
	if [ "$(json_get "$out/session.json" "j['pitch']['source']")" != estimated ]; then
		# the simulator's pitch is 105 x 68 m: 21 x 17 cells of 5 x 4 m
		[ "$nx,$ny" = "21,17" ] || fail "heatmap is $nx x $ny cells, expected 21 x 17"
	fi
	for id in $(team_ids "$out"); do
		local p="$out/players/$id"
		for f in timeseries.csv sprints.csv heatmap.csv; do
			[ -s "$p/$f" ] || fail "missing $p/$f"
		done
		head -1 "$p/timeseries.csv" | tr -d '\r' | grep -qx 't_s,utc,lat,lon,x_m,y_m,speed_kmh,accel_ms2,zone,in_sprint' ||
			fail "timeseries header of $id"
		[ "$(wc -l < "$p/heatmap.csv")" = "$ny" ] || fail "heatmap of $id has $(wc -l < "$p/heatmap.csv") rows"
		awk -F, -v nx="$nx" '{ if (NF != nx) exit 1 }' "$p/heatmap.csv" || fail "heatmap of $id: not $nx columns"
		# 10 Hz: rows are 0.1 s apart
		awk -F, 'NR == 3 { d = $1 - p; if (d < 0.099 || d > 0.101) exit 1 } { p = $1 }' "$p/timeseries.csv" ||
			fail "timeseries of $id is not 10 Hz"
	done
	"$PY" -c "import json,sys; json.load(open(sys.argv[1], encoding='utf-8'))" "$out/session.json" ||
		fail "session.json is not valid JSON"
	# minors' data: nothing readable by others, whatever the caller's umask
	if find "$out" -mindepth 1 -perm -o=r | grep -q .; then
		fail "world-readable outputs: $(find "$out" -mindepth 1 -perm -o=r | head -3)"
	fi
	# nothing half-written or staged left behind
	if find "$out" -name '.kicktrack-*' -o -name '.#*' | grep -q .; then
		fail "temporary files left in $out"
	fi
}

case "$CASE" in
config)
	# roster and pitch from [process] in a config file, relative to it
	sim "$T/s" -p 2 -m 2 -s 5
	mkdir -p "$T/club" "$T/logs"
	mv "$T/s/roster.csv" "$T/club/kader.csv"
	mv "$T/s/pitch.ini" "$T/club/platz.ini"
	mv "$T/s"/*.ubx "$T/s"/*.nmea "$T/logs/" 2>/dev/null
	printf '[process]\nroster = kader.csv\npitch = platz.ini\n' > "$T/club/kicktrack.conf"
	(umask 000; "$KT" process --config "$T/club/kicktrack.conf" --no-charts "$T/logs" -o "$T/out" 2>"$T/err")
	rc=$?
	expect_rc 0
	check_outputs "$T/out" 2
	grep -q '"Jörg Müller"' "$T/out/team.csv" || fail "roster from the config file not used"
	[ "$(json_get "$T/out/session.json" "j['pitch']['source']")" != estimated ] || fail "pitch from the config file not used"
	# the docking station's config names them in [daemon] (doc/docking-station.md):
	# processing by hand with it must use them too; [process] wins
	printf '[daemon]\nroster = kader.csv\npitch = platz.ini\nerase = yes\n' > "$T/club/dock.conf"
	run_config --config "$T/club/dock.conf" "$T/logs" -o "$T/out3"
	expect_rc 0
	grep -q '"Jörg Müller"' "$T/out3/team.csv" || fail "roster from [daemon] not used"
	[ "$(json_get "$T/out3/session.json" "j['pitch']['source']")" != estimated ] || fail "pitch from [daemon] not used"
	printf '[process]\nroster = nix.csv\n[daemon]\nroster = kader.csv\n' > "$T/club/both.conf"
	run_config --config "$T/club/both.conf" "$T/logs" -o "$T/out4"
	expect_err "nix.csv"
	# a missing roster named in the config file is named in the message
	printf '[process]\nroster = nix.csv\n' > "$T/club/bad.conf"
	run_config --config "$T/club/bad.conf" "$T/logs" -o "$T/out2"
	[ "$rc" != 0 ] || fail "missing roster accepted"
	expect_err "nix.csv"
	;;
session)
	# a simulated session directory: roster and pitch taken from it
	sim "$T/s" -p 4 -m 4 -s 7
	# the staging folder of an interrupted run (its process is gone) is cleaned up
	deadpid=$(sh -c 'echo $$')
	mkdir -p "$T/out/.kicktrack-$deadpid-AbCdEf/players/X"
	run "$T/s" -o "$T/out"
	expect_rc 0
	[ ! -e "$T/out/.kicktrack-$deadpid-AbCdEf" ] || fail "stale staging folder not removed"
	expect_err "using roster"
	expect_err "using pitch"
	check_outputs "$T/out" 4
	grep -q '"Jörg Müller"' "$T/out/team.csv" || fail "roster name with umlauts not in team.csv"
	[ "$(json_get "$T/out/session.json" "j['status']")" = ok ] || fail "status not ok"
	[ "$(json_get "$T/out/session.json" "j['pitch']['source']")" = "session directory" ] || fail "pitch source"
	# provenance: size and SHA-256 of every input
	for f in "$T"/s/*.ubx "$T"/s/*.nmea; do
		sum=$(sha256sum "$f" | cut -d' ' -f1)
		size=$(stat -c %s "$f")
		got=$(json_get "$T/out/session.json" "[(i['sha256'], i['size']) for i in j['inputs'] if i['path'] == '$f']")
		[ "$got" = "[('$sum', $size)]" ] || fail "inputs entry of $f: $got"
	done
	# thresholds recorded
	[ "$(json_get "$T/out/session.json" "j['thresholds']['sprint_kmh']")" = 25.2 ] || fail "thresholds"
	# the truth folder is not a log
	[ ! -d "$T/out/players/truth" ] || fail "truth/ was processed"
	# the numbers are sane: every player ran, the distance agrees with session.json
	"$PY" - "$T/out" <<-'EOF' || fail "team.csv and session.json disagree"
		import csv, json, sys
		out = sys.argv[1]
		j = json.load(open(out + "/session.json", encoding="utf-8"))
		rows = list(csv.DictReader(open(out + "/team.csv", encoding="utf-8", newline="")))
		assert len(rows) == len(j["players"]) == 4
		for r, p in zip(rows, j["players"]):
		    assert r["vest_id"] == p["vest_id"]
		    assert abs(float(r["distance_m"]) - p["distance_m"]) < 0.06
		    assert 100 < p["distance_m"] < 2000, p["distance_m"]
		    assert abs(sum(p["zone_m"]) - p["distance_m"]) < 1.0
		    assert int(r["sprints"]) == p["sprint_count"] == len(p["sprints"])
		    assert len(p["heatmap"]["seconds"]) == 17
		EOF
	;;
files)
	# logs given one by one, outside a session directory: no roster, estimated pitch
	sim "$T/s" -p 3 -m 4 -s 11
	mkdir "$T/logs"
	cp "$T"/s/*.ubx "$T"/s/*.nmea "$T/logs/"
	run "$T"/logs/* -o "$T/out"
	expect_rc 0
	expect_err "pitch estimated"
	check_outputs "$T/out" 3
	[ -f "$T/out/pitch.ini" ] || fail "estimated pitch not written"
	[ "$(json_get "$T/out/session.json" "j['pitch']['source']")" = estimated ] || fail "pitch source"
	# the estimate is reusable
	run --pitch "$T/out/pitch.ini" "$T"/logs/* -o "$T/out2"
	expect_rc 0
	[ "$(json_get "$T/out2/session.json" "j['pitch']['source']")" = file ] || fail "pitch not read back"
	# and close to the real pitch (105 x 68)
	"$PY" - "$T/out/session.json" <<-'EOF' || fail "estimated pitch far off"
		import json, sys
		p = json.load(open(sys.argv[1]))["pitch"]
		assert 60 < p["length_m"] < 130 and 35 < p["width_m"] < 90, p
		EOF
	# one log twice (the same path, and a copy under another name): one
	# player, not three, and nothing missing (exit 0)
	dup=$(ls "$T"/logs/* | head -n 1)
	cp "$dup" "$T/copy.log"
	run --pitch "$T/out/pitch.ini" "$T"/logs/* "$dup" "$T/copy.log" -o "$T/out3"
	expect_rc 0
	expect_err "$dup: given twice: counted once"
	expect_err "$T/copy.log: the same log as $dup (SHA-256 equal): counted once"
	check_outputs "$T/out3" 3
	cmp -s "$T/out2/team.csv" "$T/out3/team.csv" || fail "a log given twice changed team.csv"
	ls "$T/out3" | grep -q '^v[0-9]' && fail "the copy's staged files were left in the output: $(ls "$T/out3")"
	# without a pitch file: the copy is not in the estimate either
	run "$T"/logs/* "$dup" "$T/copy.log" -o "$T/out4"
	expect_rc 0
	expect_err "pitch estimated from the tracks of 3 vests"
	ls "$T/out4" | grep -q '^v[0-9]' && fail "staged files left in the output: $(ls "$T/out4")"
	cmp -s "$T/out/team.csv" "$T/out4/team.csv" || fail "a log given twice changed the estimate's team.csv"
	;;
estimate)
	# Without a pitch file every log is still decoded once (the pitch is estimated
	# from positions pooled while the logs are processed), and the outputs are
	# those of the former two-pass code: golden/estimate.sums was made by it
	# from this very simulated session, and made again when the dv/dt
	# filter changed (the two-pass code of that day, compared field by
	# field, differed only in accel_ms2, accelerations, metabolic power and
	# high_power_m), and again when the speed at rest became 0 (one
	# speed_kmh per vest, at the start), and when a 5-minute window in a
	# 3-minute session became unknown, and when the Doppler noise came from
	# moving triples only (accel_ms2 in 8 rows of KT-0004), and when team.csv
	# got its off_s column (the rest of team.csv the same). Regenerate on
	# purpose only, with estimate_sums below,
	# if the simulator or the numbers change.
	sim "$T/s" -p 4 -m 3 -s 13
	rm "$T/s/pitch.ini"
	run "$T/s" -o "$T/out"
	expect_rc 0
	expect_err "pitch estimated from the tracks of 4 vests"
	expect_err "the estimated pitch is in $T/out/pitch.ini"
	check_outputs "$T/out" 4
	# (LeakSanitizer cannot run under ptrace: off for the traced run only)
	command -v strace >/dev/null || fail "strace is needed for this test (tools/setup test installs it)"
	# (a log is opened twice: once to peek at its ends, whether two logs
	# are one vest's, and once to read it; its bytes are read once, the
	# peek's 2 x 64 KiB aside)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -y -s 0 \
		-e trace=open,openat,read,pread64 -o "$T/trace" \
		"$KT" process --no-config --no-charts "$T/s" -o "$T/out-traced" 2>"$T/err" >"$T/stdout"
	rc=$?
	expect_rc 0
	for f in "$T"/s/*.ubx "$T"/s/*.nmea; do
		n=$(grep -E '(open|openat)\(' "$T/trace" | grep -cF "\"$f\"")
		[ "$n" -le 2 ] || fail "$f opened $n times, expected twice at most"
		got=$(grep -F "<$f>" "$T/trace" | grep -E '^[0-9]+ +p?read(64)?\(' |
			awk '{ n = $NF } n > 0 { s += n } END { print s + 0 }')
		size=$(stat -c %s "$f")
		[ "$got" -ge "$size" ] && [ "$got" -le $((size + 2 * 65536)) ] ||
			fail "$f: $got bytes read for $size: decoded more than once?"
	done
	estimate_sums() { # the outputs' checksums; pitch.ini without its comment (it names the version)
		(cd "$1" && sha256sum team.csv players/*/*.csv &&
			grep -v '^#' pitch.ini | sha256sum | sed 's/ -$/ pitch.ini/')
	}
	estimate_sums "$T/out" > "$T/sums"
	diff "$SRCDIR/tests/integration/cli/golden/estimate.sums" "$T/sums" >&2 ||
		fail "outputs differ from the two-pass code's (golden/estimate.sums)"
	# worker threads: the same files, the positions are pooled in the order of the logs
	run --jobs 3 "$T/s" -o "$T/out3"
	expect_rc 0
	estimate_sums "$T/out3" | diff "$T/sums" - >&2 || fail "--jobs 3 gives other outputs than --jobs 1"
	;;
estimate-size)
	# An estimate covers where the vests went, not the ground: one vest for
	# four minutes gives a patch, and two vests 110 m apart a rectangle no
	# pitch has. Both are named; the numbers stay complete (exit 0).
	sim "$T/s" -p 1 -m 4 -s 3 -f ubx
	run "$T"/s/*.ubx -o "$T/out"
	expect_rc 0
	expect_err "pitch estimated from the tracks of 1 vest"
	expect_err "smaller than a youth 7-a-side ground"
	expect_err "give the real pitch with --pitch"
	check_outputs "$T/out" 1
	sim "$T/a" -p 1 -m 10 -s 4 -f ubx
	sim "$T/b" -p 1 -m 10 -s 5 -f ubx --vest-prefix B- --pitch-lat 51.9611234
	run "$T"/a/*.ubx "$T"/b/*.ubx -o "$T/out2"
	expect_rc 0
	expect_err "larger than any football pitch"
	check_outputs "$T/out2" 2
	# a whole team for twenty minutes: no such warning
	sim "$T/c" -p 6 -m 20 -s 6
	rm "$T/c/pitch.ini"
	run "$T/c" -o "$T/out3"
	expect_rc 0
	expect_err "pitch estimated from the tracks of 6 vests"
	! grep -q "estimated pitch is only\|larger than any football pitch" "$T/err" ||
		fail "a plausible estimate was called implausible"
	;;
stale)
	# a run replaces what an earlier run wrote into the same OUTDIR, and
	# nothing else: 6 vests (estimated pitch, charts), then 4 of them
	sim "$T/s" -p 6 -m 2 -s 17
	mv "$T/s/pitch.ini" "$T/pitch.ini"
	"$KT" process --no-config "$T/s" -o "$T/out" 2>"$T/err" >"$T/stdout"
	rc=$?
	expect_rc 0
	check_outputs "$T/out" 6
	for f in index.html team.pdf players/KT-0006/speed.png players/KT-0006/report.pdf pitch.ini; do
		[ -f "$T/out/$f" ] || fail "first run: no $f"
	done
	mkdir -p "$T/four"
	cp "$T"/s/KT-000[1-4].* "$T/four/"
	(umask 077
	 mkdir "$T/out/players/mine"
	 echo "my notes" > "$T/out/notes.txt"
	 echo "coach's note" > "$T/out/players/KT-0005/coach.txt"
	 echo "1,2" > "$T/out/players/mine/timeseries.csv"
	 echo "mine" > "$T/out/players/mine/other.txt")
	# the estimated pitch.ini reused in place is the input: kept
	run --pitch "$T/out/pitch.ini" "$T/four" -o "$T/out"
	expect_rc 0
	check_outputs "$T/out" 4
	[ -f "$T/out/pitch.ini" ] || fail "the pitch file given was removed"
	[ ! -e "$T/out/players/KT-0006" ] || fail "players/KT-0006 of the earlier run is still there"
	for f in index.html team.pdf team_distance.png players/KT-0001/speed.png players/KT-0001/report.pdf; do
		[ ! -e "$T/out/$f" ] || fail "$f of the earlier run is still there (--no-charts)"
	done
	# what kicktrack did not write stays, named on stderr
	[ "$(cat "$T/out/notes.txt")" = "my notes" ] || fail "a file of the user's in OUTDIR was touched"
	[ "$(ls "$T/out/players/KT-0005")" = coach.txt ] ||
		fail "players/KT-0005: expected only coach.txt left, got $(ls "$T/out/players/KT-0005" | tr '\n' ' ')"
	expect_err "players/KT-0005 is not from this run"
	[ "$(ls "$T/out/players/mine" | tr '\n' ' ')" = "other.txt timeseries.csv " ] ||
		fail "a folder of the user's in players/ was touched"
	expect_err "players/mine is not from this run and was left as it is"
	[ "$(ls "$T/out/players" | tr '\n' ' ')" = "KT-0001 KT-0002 KT-0003 KT-0004 KT-0005 mine " ] ||
		fail "players/ holds $(ls "$T/out/players" | tr '\n' ' ')"
	# an estimated pitch.ini of an earlier run goes when this run has a pitch file
	run --pitch "$T/pitch.ini" "$T/four" -o "$T/out"
	expect_rc 0
	[ ! -e "$T/out/pitch.ini" ] || fail "the earlier run's estimated pitch.ini is still there"
	# the charts of this session only
	"$KT" report "$T/out" 2>"$T/err" >"$T/stdout"
	rc=$?
	expect_rc 0
	[ -f "$T/out/players/KT-0004/speed.png" ] || fail "report made no charts"
	grep -q KT-0004 "$T/out/index.html" || fail "index.html does not list KT-0004"
	! grep -q 'KT-000[56]' "$T/out/index.html" || fail "index.html lists a vest of the earlier run"
	;;
flavour-de)
	# (repeated sprints: sprints.csv has rows to look at)
	sim "$T/s" -p 2 -m 3 -s 5 --drill sprints
	run --csv-flavour de "$T/s" -o "$T/out"
	expect_rc 0
	head -c 3 "$T/out/team.csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "no UTF-8 BOM"
	head -1 "$T/out/team.csv" | grep -q '^.vest_id;player;number;position;minutes;' || fail "not ';' separated"
	sed -n 2p "$T/out/team.csv" | grep -qE ';[0-9]+,[0-9];' || fail "no decimal comma in team.csv"
	sed -n 2p "$T/out/team.csv" | grep -qE ';[0-9]+\.[0-9]' && fail "decimal point in de flavour"
	id=$(sed -n 2p "$T/out/team.csv" | cut -d';' -f1 | tr -d '"')
	sed -n 3p "$T/out/players/$id/timeseries.csv" | grep -qE '^0,10;' || fail "timeseries t_s not 0,10"
	# times as German Excel reads a date-time (UTC, as the columns say):
	# a space for ISO's T, the decimal comma, no Z; the simulator starts
	# at 2026-11-21T14:00:00Z
	sed -n 3p "$T/out/players/$id/timeseries.csv" | grep -qE '^0,10;2026-11-21 14:00:00,100;' ||
		fail "timeseries utc not as German Excel reads it: $(sed -n 3p "$T/out/players/$id/timeseries.csv")"
	[ "$(csv_col_de "$T/out/team.csv" start_utc)" = "2026-11-21 14:00:00,0" ] ||
		fail "team.csv start_utc not as German Excel reads it: $(csv_col_de "$T/out/team.csv" start_utc)"
	csv_col_de "$T/out/team.csv" end_utc | grep -qxE '2026-11-21 14:0[23]:[0-9]{2},[0-9]' ||
		fail "team.csv end_utc not as German Excel reads it: $(csv_col_de "$T/out/team.csv" end_utc)"
	# every sprint's start too
	for f in "$T"/out/players/*/sprints.csv; do
		tail -n +2 "$f" | cut -d';' -f2 | grep -vxE '2026-11-21 14:0[0-3]:[0-9]{2},[0-9]{3}' && fail "$f: start_utc not as German Excel reads it"
	done
	[ "$(cat "$T"/out/players/*/sprints.csv | wc -l)" -gt 2 ] || fail "no sprints to look at"
	# the default flavour keeps ISO 8601
	run "$T/s" -o "$T/outc"
	expect_rc 0
	[ "$(csv_col "$T/outc/team.csv" start_utc)" = "2026-11-21T14:00:00.0Z" ] || fail "C flavour start_utc not ISO 8601"
	sed -n 3p "$T/outc/players/$id/timeseries.csv" | grep -qE '^0.10,2026-11-21T14:00:00.100Z,' ||
		fail "C flavour utc not ISO 8601: $(sed -n 3p "$T/outc/players/$id/timeseries.csv")"
	# kicktrack report reads the German files back: the same page numbers
	if command -v gnuplot >/dev/null; then
		"$KT" report --no-config -q "$T/out" 2>"$T/err" || fail "report of the de flavour"
		"$KT" report --no-config -q "$T/outc" 2>"$T/err" || fail "report of the c flavour"
		[ "$(grep -o 'data-v="[^"]*"' "$T/out/index.html")" = "$(grep -o 'data-v="[^"]*"' "$T/outc/index.html")" ] ||
			fail "index.html of the de flavour differs from the c flavour's"
	fi
	[ "$(json_get "$T/out/session.json" "j['csv_flavour']")" = de ] || fail "flavour not recorded"
	# session.json always uses JSON numbers
	json_get "$T/out/session.json" "j['players'][0]['distance_m'] + 1" >/dev/null || fail "json numbers"
	;;
thresholds)
	# CLI > config file > defaults, and every output records what was used
	sim "$T/s" -p 2 -m 3 -s 5
	printf '[process]\ncsv_flavour = c\n[thresholds]\nsprint_kmh = 22.0\nzones_kmh = 6, 12, 18, 22\n[report]\nlang = de\n[daemon]\nwhatever = 1\n' > "$T/k.conf"
	run_config --config "$T/k.conf" --sprint-kmh 23.5 "$T/s" -o "$T/out"
	expect_rc 0
	[ "$(json_get "$T/out/session.json" "j['thresholds']['sprint_kmh']")" = 23.5 ] || fail "CLI did not win"
	[ "$(json_get "$T/out/session.json" "j['thresholds']['zone_kmh']")" = "[0.0, 6.0, 12.0, 18.0, 22.0]" ] ||
		fail "config zones not used"
	[ "$(json_get "$T/out/session.json" "j['thresholds']['hsr_kmh']")" = 18.0 ] || fail "HSR not tied to zone 4"
	[ "$(json_get "$T/out/session.json" "j['lang']")" = de ] || fail "lang from [report] not used"
	id=$(team_ids "$T/out" | head -1)
	tail -n +2 "$T/out/players/$id/sprints.csv" | cut -d, -f7 | sort -u | tr -d '\r' | grep -qvx '23.5' &&
		fail "sprints.csv does not record the threshold"
	# the zones change the numbers
	run "$T/s" -o "$T/out0"
	z1a=$(sed -n 2p "$T/out/team.csv" | cut -d, -f7)
	z1b=$(sed -n 2p "$T/out0/team.csv" | cut -d, -f7)
	[ "$z1a" != "$z1b" ] || fail "zones made no difference"
	;;
jobs)
	# --jobs 2 gives the same files as --jobs 1
	sim "$T/s" -p 4 -m 3 -s 9
	run --jobs 1 "$T/s" -o "$T/o1"
	expect_rc 0
	run --jobs 2 "$T/s" -o "$T/o2"
	expect_rc 0
	diff -r -x session.json "$T/o1" "$T/o2" >/dev/null || fail "outputs differ between --jobs 1 and 2"
	diff <(grep -v processed_utc "$T/o1/session.json") <(grep -v processed_utc "$T/o2/session.json") >/dev/null ||
		fail "session.json differs between --jobs 1 and 2"
	;;
bad-logs)
	# an empty log, a missing log, binary garbage and a log with no valid fix,
	# next to good ones: the good ones are processed, exit 3, each bad one named
	sim "$T/s" -p 2 -m 3 -s 5
	: > "$T/s/empty.ubx"
	head -c 20000 /dev/urandom | tr -d '\265$' > "$T/s/garbage.bin"
	printf '%s\r\n' '$GPRMC,120000.00,V,,,,,,,211126,,,N*79' '$GPRMC,120001.00,V,,,,,,,211126,,,N*78' \
		'$GPRMC,120002.00,V,,,,,,,211126,,,N*7B' '$GPRMC,120003.00,V,,,,,,,211126,,,N*7A' \
		'$GPRMC,120004.00,V,,,,,,,211126,,,N*7D' > "$T/s/nofix.nmea"
	# a FIFO must not make it wait for a writer (log, roster, pitch alike)
	mkfifo "$T/fifo.nmea"
	run "$T/s" "$T/missing.ubx" /dev/zero "$T/fifo.nmea" -o "$T/out"
	expect_rc 3
	expect_err "/dev/zero: cannot use this log: not a regular file"
	expect_err "fifo.nmea: cannot use this log: not a regular file"
	expect_err "empty.ubx: cannot use this log: the file is empty"
	expect_err "garbage.bin: cannot use this log"
	expect_err "missing.ubx: cannot use this log"
	expect_err "nofix.nmea: no valid GNSS fix"
	check_outputs "$T/out" 2
	[ "$(json_get "$T/out/session.json" "j['status']")" = partial ] || fail "status not partial"
	[ "$(json_get "$T/out/session.json" "len([i for i in j['inputs'] if i['status'] == 'failed'])")" = 6 ] ||
		fail "failed inputs not listed"
	# a log that gave no player is about no player's vest: null
	[ "$(json_get "$T/out/session.json" "len(j['warning_vests']) == len(j['warnings']) and all(v is None for w, v in zip(j['warnings'], j['warning_vests']) if 'cannot use this log' in w)")" = True ] ||
		fail "warning_vests of the logs it cannot use: $(json_get "$T/out/session.json" "list(zip(j['warnings'], j['warning_vests']))")"
	run --roster "$T/fifo.nmea" --pitch "$T/fifo.nmea" "$T/s" -o "$T/out2"
	expect_rc 3
	expect_err "$T/fifo.nmea: roster not used: not a regular file"
	expect_err "$T/fifo.nmea: pitch file not usable: not a regular file"
	# a damaged log: every 10th line of an NMEA log with a wrong checksum
	# is processed, and the lost frames are named; a sound log is not
	grep -v '^$' "$T/s/KT-0002.nmea" | awk 'NR % 10 == 0 { sub(/\*..\r?$/, "*00\r") } { print }' > "$T/damaged.nmea"
	run "$T/damaged.nmea" "$T/s/KT-0002.nmea" -o "$T/out3"
	expect_rc 3
	expect_err "damaged.nmea: vest KT-0002: "
	expect_err " frames could not be used (checksum "
	grep -q "^kicktrack: warning: $T/s/KT-0002.nmea: .*could not be used" "$T/err" && fail "a sound log called damaged"
	check_outputs "$T/out3" 2
	# a vest whose battery died: its log ends inside a frame. Every frame
	# before the cut counts, and the cut one is one truncated frame, not
	# also garbage bytes or malformed frames (firmware-protocols/ubx.md)
	ubx=$(ls "$T"/s/KT-*.ubx | head -1) # not empty.ubx, which sorts first in de_DE
	end=$("$PY" - "$ubx" <<-'EOF'
		import sys
		d = open(sys.argv[1], "rb").read()
		i = n = 0
		while i + 8 <= len(d) and n < 3000:
		    assert d[i] == 0xB5 and d[i + 1] == 0x62, i
		    i += 8 + d[i + 4] + 256 * d[i + 5]
		    n += 1
		print(i)
		EOF
	) || fail "cannot find the frames of $ubx"
	head -c "$end" "$ubx" > "$T/whole.ubx"
	head -c $((end + 57)) "$ubx" > "$T/cut.ubx"
	"$KT" decode --summary-only "$T/cut.ubx" 2> "$T/err"
	grep -q "rejected: truncated 1$" "$T/err" || fail "a log cut at the end is more than one truncated frame"
	for part in whole cut; do # (check_outputs sets f)
		run "$T/$part.ubx" -o "$T/out-$part"
		expect_rc 0
		check_outputs "$T/out-$part" 1
		json_get "$T/out-$part/session.json" "(j['inputs'][0]['ubx_frames'], j['inputs'][0]['fixes'])" > "$T/$part.n"
	done
	cmp -s "$T/whole.n" "$T/cut.n" || fail "frames, fixes: $(cat "$T/cut.n") of a cut log, $(cat "$T/whole.n") whole"
	;;
nothing)
	# nothing usable: exit 1 and no output folder contents
	: > "$T/empty.ubx"
	run "$T/empty.ubx" "$T/missing.nmea" -o "$T/out"
	expect_rc 1
	expect_err "nothing written"
	[ -z "$(ls -A "$T/out" 2>/dev/null)" ] || fail "output written although nothing was usable"
	;;
roster)
	# a bad roster line and a vest not in the roster: partial, both named
	sim "$T/s" -p 3 -m 3 -s 5
	{ printf 'vest_id,player,number,position\n'
	  printf 'KT-0001,"Jörg Müller",1,GK\n'
	  printf 'KT-0002,Nur Name\n'
	  printf '"KT-0099","Zoë ""Flash"" Jäger",7,MID\n'; } > "$T/roster.csv"
	run --roster "$T/roster.csv" "$T/s" -o "$T/out"
	expect_rc 3
	expect_err "roster.csv:3: expected 4 fields as in the header line, got 2"
	expect_err "vest KT-0002 is not in the roster"
	expect_err "vest KT-0003 is not in the roster"
	check_outputs "$T/out" 3
	# the notes in German too (the German pages show them): as many, in
	# the same order, each about the same file; stderr stays English
	"$PY" - "$T/out/session.json" "$T" <<-'EOF' || fail "session.json warnings_de"
		import json, sys
		j = json.load(open(sys.argv[1], encoding="utf-8"))
		en, de, t = j["warnings"], j["warnings_de"], sys.argv[2]
		assert len(en) == len(de) == 3, (en, de)
		assert all(a.split(": ")[0] == b.split(": ")[0] for a, b in zip(en, de)), (en, de)
		assert de[0] == t + "/roster.csv: 1 fehlerhafte Zeile übersprungen (jede in den Meldungen von kicktrack genannt)", de[0]
		assert any(w.startswith(t + "/s/KT-0003.") and w.endswith(": Weste KT-0003 steht nicht im Kader " + t +
			   "/roster.csv; ohne Spielernamen ausgewertet") for w in de), de
		assert any(w.endswith(": vest KT-0003 is not in the roster " + t + "/roster.csv; processed without a "
			   "player name") for w in en), en
		EOF
	grep -q "Weste\|Kader" "$T/err" && fail "German on stderr"
	"$PY" - "$T/out/team.csv" <<-'EOF' || fail "roster names in team.csv"
		import csv, sys
		rows = {r["vest_id"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline=""))}
		assert rows["KT-0001"]["player"] == "Jörg Müller", rows["KT-0001"]
		assert rows["KT-0002"]["player"] == ""
		assert rows["KT-0003"]["player"] == ""
		EOF
	# German Excel: BOM and ';'
	printf '\357\273\277vest_id;player;number;position\r\nKT-0001;Jörg Müller;1;GK\r\nKT-0002;Lukas Schäfer;4;DEF\r\nkt-0003;Jürgen Weiß;8;MID\r\n' > "$T/roster-de.csv"
	run --roster "$T/roster-de.csv" "$T/s" -o "$T/out2"
	expect_rc 0
	grep -q '^"KT-0003","Jürgen Weiß"' "$T/out2/team.csv" || fail "';' roster not read (or the vest id case mattered)"
	# German Excel's plain "CSV (Trennzeichen-getrennt)": Windows-1252,
	# read as such and said so (in session.json too), not a bad line each
	printf 'vest_id;player;number;position\r\nKT-0001;J\366rg M\374ller;1;GK\r\nKT-0002;Lukas Sch\344fer \200;4;DEF\r\nKT-0003;J\374rgen Wei\337;8;MID\r\n' > "$T/roster-ansi.csv"
	run --roster "$T/roster-ansi.csv" "$T/s" -o "$T/out2a"
	expect_rc 0
	expect_err "roster-ansi.csv: not UTF-8, read as Windows-1252"
	grep -q '^"KT-0003","Jürgen Weiß"' "$T/out2a/team.csv" || fail "Windows-1252 roster: names not read"
	grep -q '^"KT-0002","Lukas Schäfer €"' "$T/out2a/team.csv" || fail "Windows-1252 roster: 0x80 is not €"
	grep -q 'als Windows-1252 gelesen' "$T/out2a/session.json" || fail "Windows-1252 roster: no note in session.json"
	# a file mixing UTF-8 and Latin-1 is not guessed at: its Latin-1 line is bad
	printf 'vest_id,player,number,position\nKT-0001,Jörg,1,GK\nKT-0002,Lukas Sch\344fer,4,DEF\n' > "$T/roster-mix.csv"
	run --roster "$T/roster-mix.csv" "$T/s" -o "$T/out2b"
	expect_rc 3
	expect_err "roster-mix.csv:3: not valid UTF-8"
	grep -q '"Jörg"' "$T/out2b/team.csv" || fail "mixed roster: its UTF-8 line lost"
	# a broken quote is a bad line too, named with its line
	printf 'vest_id,player,number,position\nKT-0001,"Jörg,1,GK\nKT-0002,Lukas Schäfer,4,DEF\n' > "$T/roster-q.csv"
	run --roster "$T/roster-q.csv" "$T/s" -o "$T/out3"
	expect_rc 3
	expect_err "roster-q.csv:2: unterminated quote"
	check_outputs "$T/out3" 3
	grep -q '"Lukas Schäfer"' "$T/out3/team.csv" || fail "the line after a broken quote was lost"
	# a club's own export: German column names in another order, a column
	# more, no position: columns are taken by the header's names
	printf 'Spieler;Weste;Geburtsjahr;Rückennummer\nJörg Müller;KT-0001;2010;1\nLukas Schäfer;KT-0002;2011;4\nJürgen Weiß;KT-0003;2010;8\n' > "$T/roster-club.csv"
	run --roster "$T/roster-club.csv" "$T/s" -o "$T/out4"
	expect_rc 0
	expect_err "roster-club.csv:1: column 'Geburtsjahr' is not used"
	"$PY" - "$T/out4/team.csv" <<-'EOF' || fail "roster columns not taken by their names"
		import csv, sys
		rows = {r["vest_id"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline=""))}
		assert (rows["KT-0002"]["player"], rows["KT-0002"]["number"], rows["KT-0002"]["position"]) == \
			("Lukas Schäfer", "4", ""), rows["KT-0002"]
		assert rows["KT-0003"]["player"] == "Jürgen Weiß", rows["KT-0003"]
		EOF
	# the wrong file as roster: one line, no bytes of it echoed; a vest
	# log by mistake, random bytes, a missing file
	log=$(ls "$T"/s/*.ubx | head -1)
	head -c 20000 /dev/urandom > "$T/random.csv"
	for f in "$log" "$T/random.csv"; do
		run --roster "$f" "$T/s" -o "$T/out5"
		expect_rc 3
		expect_err "$f: roster not used: binary data, not a text file"
		expect_lines_naming "$f" 1
		expect_no_raw_bytes
	done
	check_outputs "$T/out5" 3
	# with the pages made too: still one line (the report does not read the
	# roster the run could not use again); a gnuplot that fails keeps it fast
	mkdir -p "$T/bin" && printf '#!/bin/sh\nexit 1\n' > "$T/bin/gnuplot" && chmod +x "$T/bin/gnuplot"
	PATH="$T/bin:$PATH" "$KT" process --no-config --roster "$log" "$T/s" -o "$T/out6" 2>"$T/err"
	expect_lines_naming "$log" 1
	run --roster "$T/nonexist.csv" "$T/s" -o "$T/out5"
	expect_rc 3
	expect_err "$T/nonexist.csv: roster not used: No such file or directory"
	expect_lines_naming "nonexist.csv" 1
	# a text file that is no roster (an NMEA log): the first bad lines, then a count
	grep -v '^$' "$(ls "$T"/s/*.nmea | head -1)" | head -n 200 > "$T/text.csv"
	run --roster "$T/text.csv" "$T/s" -o "$T/out5"
	expect_rc 3
	[ "$(grep -c "text.csv:[0-9]*: expected 4 fields" "$T/err")" = 5 ] || fail "not the first 5 bad lines named"
	expect_err "text.csv: ... and 194 more bad lines"
	[ "$(grep -c 'text.csv:' "$T/err")" -le 8 ] || fail "$(grep -c 'text.csv:' "$T/err") lines on stderr for one wrong roster"
	# a line with bare CRs (libcsv ends rows there): each row once, with its
	# own line number; control bytes in a field are named, not echoed
	printf 'vest_id,player,number,position\nKT-0001,Jörg,1,GK\rjunk\rmore junk\nKT-0002,Lu\033[2Jkas,4,DEF\nKT-0003,Jürgen,8,MID\n' > "$T/roster-cr.csv"
	run --roster "$T/roster-cr.csv" "$T/s" -o "$T/out6"
	expect_rc 3
	expect_err "roster-cr.csv:3: expected 4 fields as in the header line, got 1"
	expect_err "roster-cr.csv:4: expected 4 fields as in the header line, got 1"
	expect_err "roster-cr.csv:5: control characters in a field"
	[ -z "$(grep -o 'roster-cr.csv:[0-9]*:' "$T/err" | sort | uniq -d)" ] || fail "a roster line named twice"
	[ "$(grep -c 'roster-cr.csv:[0-9]*:' "$T/err")" = 3 ] || fail "not 3 bad lines named"
	expect_no_raw_bytes
	grep -q '"Jürgen"' "$T/out6/team.csv" || fail "the good line after bad ones was lost"
	;;
pitch)
	# malformed pitch files: named with file:line, the pitch is estimated instead, exit 3
	sim "$T/s" -p 2 -m 3 -s 5
	sed 's/^corner2 = .*/corner2 = 51.9604, east/' "$T/s/pitch.ini" > "$T/bad1.ini"
	line=$(grep -n '^corner2' "$T/bad1.ini" | cut -d: -f1)
	run --pitch "$T/bad1.ini" "$T/s" -o "$T/out"
	expect_rc 3
	expect_err "bad1.ini:$line: pitch file not usable: corner2: expected 'lat, lon'"
	expect_err "estimating the pitch"
	# said once: the loader does not log it besides the run
	expect_lines_naming "bad1.ini" 1
	check_outputs "$T/out" 2
	[ "$(json_get "$T/out/session.json" "j['pitch']['source']")" = estimated ] || fail "no fallback estimate"
	grep -v '^corner3' "$T/s/pitch.ini" > "$T/bad2.ini"
	run --pitch "$T/bad2.ini" "$T/s" -o "$T/out2"
	expect_rc 3
	expect_err "bad2.ini: pitch file not usable: [pitch] has no corner3; estimating the pitch from the tracks instead"
	# the reason is in session.json too (index.html shows its warnings)
	grep -q 'bad2.ini: pitch file not usable: \[pitch\] has no corner3; estimating' "$T/out2/session.json" ||
		fail "session.json lacks why the pitch file was not used"
	# a text file that is no pitch file (/etc/passwd, say): one line, with
	# file:line, not the loader's line and the run's line saying the same
	printf 'root:x:0:0:root:/root:/bin/bash\n' > "$T/passwd"
	run --pitch "$T/passwd" "$T/s" -o "$T/out2"
	expect_rc 3
	[ "$(grep -c "passwd" "$T/err")" = 1 ] || fail "a wrong --pitch is not said in one line"
	expect_err "kicktrack: error: $T/passwd:1: pitch file not usable: expected 'key = value', got 'root:x:0:0:root:/root:/bin/bash'; estimating the pitch from the tracks instead"
	# corners not going around the pitch (2 and 3 swapped)
	awk '/^corner2/ { c2 = $0; next } /^corner3/ { print; print c2; next } { print }' "$T/s/pitch.ini" |
		sed 's/^corner3 = /cornerX = /; s/^corner2 = /corner3 = /; s/^cornerX = /corner2 = /' > "$T/bad3.ini"
	run --pitch "$T/bad3.ini" "$T/s" -o "$T/out3"
	expect_rc 3
	expect_err "bad3.ini: pitch file not usable: corner"
	expect_lines_naming "bad3.ini" 1
	run --pitch "$T/nonexistent.ini" "$T/s" -o "$T/out4"
	expect_rc 3
	expect_err "nonexistent.ini: pitch file not usable: No such file or directory"
	expect_lines_naming "nonexistent.ini" 1
	# the wrong file as pitch: what it is, no bytes of it echoed
	head -c 20000 /dev/urandom > "$T/random.ini"
	for f in "$(ls "$T"/s/*.ubx | head -1)" "$T/random.ini"; do
		run --pitch "$f" "$T/s" -o "$T/out4"
		expect_rc 3
		expect_err "$f: pitch file not usable: binary data, not a text file"
		expect_lines_naming "$f" 1 # what is wrong, and that the pitch is estimated instead
		expect_no_raw_bytes
	done
	printf '[pitch]\nname = Platz\033]0;x\007 2\nlength_m = 105\n' > "$T/ctl.ini"
	run --pitch "$T/ctl.ini" "$T/s" -o "$T/out4"
	expect_rc 3
	expect_err "ctl.ini:2: pitch file not usable: control characters in a line: 'name = Platz\\x1b]0;x\\x07 2'"
	expect_no_raw_bytes
	# a well-formed pitch in the wrong place (a typo in the latitudes: one
	# degree north): said for every vest, exit 3; the right one says nothing
	"$PY" - "$T/s/pitch.ini" "$T/far.ini" <<-'EOF' || fail "cannot write far.ini"
		import re, sys
		s = open(sys.argv[1]).read()
		s = re.sub(r"^(corner\d = )(-?[0-9.]+)", lambda m: m.group(1) + "%.7f" % (float(m.group(2)) + 1), s, flags=re.M)
		open(sys.argv[2], "w").write(s)
		EOF
	run --pitch "$T/far.ini" "$T/s" -o "$T/out5"
	expect_rc 3
	[ "$(grep -c "far.ini (within 10 m of it) for only 0% of its" "$T/err")" = 2 ] || fail "off-pitch vests not named"
	run --pitch "$T/s/pitch.ini" "$T/s" -o "$T/out6"
	expect_rc 0
	grep -q "right pitch corners" "$T/err" && fail "an off-pitch warning with the right pitch"
	;;
sessions)
	# logs of two trainings given together (a vest that still held last
	# week's log): the odd ones are named, kept out of the pitch estimate,
	# and the result is partial; one training alone says nothing
	sim "$T/a" -p 3 -m 3 -s 21
	sim "$T/b" -p 1 -m 3 -s 22 --start 2026-11-28T10:00:00Z --vest-prefix KX-
	rm "$T/a/pitch.ini"
	run "$T"/a/KT-* "$T"/b/KX-* -o "$T/out"
	expect_rc 3
	expect_err "$T/b/KX-0001.nmea: vest KX-0001 recorded 2026-11-28 10:00-10:03 UTC, not with the session of 3 vests at 2026-11-21 14:00-14:03 UTC"
	expect_err "(left out of the pitch estimate)"
	expect_err "pitch estimated from the tracks of 3 vests"
	[ "$(grep -c "not with the session" "$T/err")" = 1 ] || fail "more than the odd vest named"
	[ "$(team_ids "$T/out" | wc -l)" = 4 ] || fail "the odd vest's numbers are not in team.csv"
	run "$T"/a/KT-* -o "$T/out2"
	expect_rc 0
	grep -q "not with the session" "$T/err" && fail "one training called two"
	grep -q "recordings more than an hour apart" "$T/err" && fail "one recording called two"
	# one log with both trainings (a vest not erased since last week): the
	# numbers are those of the longer one alone, the other is named
	sim "$T/c" -p 1 -m 2 -s 23 -f ubx --start 2026-11-28T10:00:00Z
	cat "$T/a/KT-0001.ubx" "$T/c/KT-0001.ubx" > "$T/both.ubx"
	run "$T/both.ubx" -o "$T/out3"
	expect_rc 3
	expect_err "$T/both.ubx: vest KT-0001: the log holds 2 recordings more than an hour apart (two trainings in one log?): the numbers are from the one with most data, 2026-11-21 14:00-14:03 UTC; left out: 2026-11-28 10:00-10:02 UTC"
	run "$T/a/KT-0001.ubx" -o "$T/out4"
	expect_rc 0
	for col in minutes distance_m player_load work_rate_m_min start_utc end_utc; do
		[ "$(csv_col "$T/out3/team.csv" $col)" = "$(csv_col "$T/out4/team.csv" $col)" ] ||
			fail "$col of the two-training log differs from the training alone"
	done
	# the older one appended after the newer: its fixes are dropped as going
	# back in time, and its IMU samples must go with them
	cat "$T/c/KT-0001.ubx" "$T/a/KT-0001.ubx" > "$T/reversed.ubx"
	run "$T/reversed.ubx" -o "$T/out5"
	expect_rc 3
	expect_err "frames could not be used (implausible "
	expect_err "IMU samples more than an hour away from its positions (2026-11-28 10:00-10:02 UTC) are left out of PlayerLoad"
	run "$T/c/KT-0001.ubx" -o "$T/out6"
	expect_rc 0
	for col in minutes distance_m player_load start_utc end_utc; do
		[ "$(csv_col "$T/out5/team.csv" $col)" = "$(csv_col "$T/out6/team.csv" $col)" ] ||
			fail "$col of the reversed two-training log differs from the newer training alone"
	done
	;;
vest-logs)
	# a vest restarted during training stores two sessions: its two logs,
	# one after the other, are one player with the numbers of both (the
	# time between them a gap), both listed as inputs; NMEA after UBX
	sim "$T/a" -p 2 -m 3 -s 31
	sim "$T/b" -p 1 -m 3 -s 32 --start 2026-11-21T14:05:00Z
	sim "$T/o" -p 1 -m 3 -s 33 --start 2026-11-21T14:01:00Z
	cp "$T"/b/KT-0001.nmea "$T/KT-0001.2.nmea"
	# the time between the logs is said as what it was, the vest logging
	# nothing (in local time, as --from/--to), not as a loss of GPS signal
	TZ=UTC run "$T"/a/KT-000* "$T/KT-0001.2.nmea" -o "$T/out"
	expect_rc 0
	expect_err "$T/a/KT-0001.ubx: continued in $T/KT-0001.2.nmea: vest KT-0001 logged nothing from 14:03 to 14:05 UTC (2.0 minutes; switched off or restarted?): counted as one player"
	grep -q "GPS signal" "$T/err" && fail "the time between two logs called a loss of signal"
	[ "$(json_get "$T/out/session.json" "sum(w.startswith('$T/a/KT-0001.ubx: fortgesetzt in $T/KT-0001.2.nmea: Weste KT-0001 hat von 14:03 bis 14:05 UTC nichts aufgezeichnet (2,0 Minuten; ') for w in j['warnings_de'])")" = 1 ] ||
		fail "warnings_de: $(json_get "$T/out/session.json" "j['warnings_de']")"
	expect_err "2 of 2 vests processed (from 3 logs)"
	check_outputs "$T/out" 2
	run "$T/a/KT-0001.ubx" -o "$T/out-a"
	run "$T/KT-0001.2.nmea" -o "$T/out-b"
	"$PY" - "$T/out" "$T/out-a" "$T/out-b" <<-'EOF' || fail "two logs of one vest"
		import csv, json, sys
		def row(d):
		    return next(r for r in csv.DictReader(open(d + "/team.csv", encoding="utf-8")) if r["vest_id"] == "KT-0001")
		both, a, b = (row(d) for d in sys.argv[1:])
		for col in ("distance_m", "hsr_m", "sprint_m", "player_load", "accelerations", "decelerations", "valid_minutes"):
		    want = float(a[col]) + float(b[col])
		    assert abs(float(both[col]) - want) <= 0.15, (col, both[col], a[col], b[col])
		assert both["max_speed_kmh"] == max(a["max_speed_kmh"], b["max_speed_kmh"], key=float), both
		assert both["start_utc"] == a["start_utc"] and both["end_utc"] == b["end_utc"], both
		assert float(both["minutes"]) == 8.0, both["minutes"]  # 14:00 to 14:08, the gap within
		assert both["log_file"] == "KT-0001.ubx + KT-0001.2.nmea", both["log_file"]
		# the time between the logs is the vest off, in no signal gap:
		# from the first log's end to the second's start
		from datetime import datetime
		def utc(s):
		    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
		off = (utc(b["start_utc"]) - utc(a["end_utc"])).total_seconds()
		assert off > 60 and abs(float(both["off_s"]) - off) <= 0.15, (both["off_s"], off)
		assert (both["gaps"], both["gap_s"]) == (a["gaps"], a["gap_s"]) == ("0", "0.0"), (both["gaps"], both["gap_s"])
		assert a["off_s"] == b["off_s"] == "0.0", (a["off_s"], b["off_s"])
		j = json.load(open(sys.argv[1] + "/session.json", encoding="utf-8"))
		st = {i["path"].rsplit("/", 1)[1]: i["status"] for i in j["inputs"]}
		assert st == {"KT-0001.ubx": "ok", "KT-0002.nmea": "ok", "KT-0001.2.nmea": "merged"}, st
		p = next(p for p in j["players"] if p["vest_id"] == "KT-0001")
		assert [f.rsplit("/", 1)[1] for f in p["log_files"]] == ["KT-0001.ubx", "KT-0001.2.nmea"], p["log_files"]
		assert any(n.startswith("continued in ") for n in p["notes"]), p["notes"]
		# the player's page names no file: nor the second log
		for n in p["notes"] + p["notes_de"]:
		    assert "KT-0001" + ".2.nmea" not in n and "/" not in n, n
		assert any(n.startswith("continued in a new log: vest KT-0001 logged nothing from 14:03 to 14:05 UTC") for n in p["notes"]), p["notes"]
		assert any(n.startswith("fortgesetzt in einer neuen Aufzeichnung: Weste KT-0001 hat von 14:03 bis 14:05 UTC") for n in p["notes_de"]), p["notes_de"]
		# (session.json's warnings keep it)
		assert sum(w.startswith(sys.argv[2].rsplit("/", 1)[0] + "/a/KT-0001.ubx: continued in ") and w.count("KT-0001.2.nmea") == 1 for w in j["warnings"]) == 1, j["warnings"]
		q = p["quality"]
		assert (q["gaps"], q["gap_s"], q["off_s"]) == (0, 0.0, float(both["off_s"])), q
		t0 = utc(both["start_utc"])
		assert [(o["start_utc"], o["end_utc"]) for o in q["off"]] == [(a["end_utc"], b["start_utc"])], q["off"]
		o = q["off"][0]
		assert abs(o["start_t_s"] - (utc(a["end_utc"]) - t0).total_seconds()) < 0.01, o
		assert abs(o["end_t_s"] - o["start_t_s"] - off) < 0.01, o
		assert any(n.startswith("fortgesetzt in ") for n in p["notes_de"]), p["notes_de"]
		ib = next(i for i in j["inputs"] if i["path"].endswith("KT-0001.2.nmea"))
		jb = json.load(open(sys.argv[3] + "/session.json", encoding="utf-8"))["inputs"][0]
		assert (ib["fixes"], ib["nmea_frames"], ib["sha256"]) == (jb["fixes"], jb["nmea_frames"], jb["sha256"]), (ib, jb)
		EOF
	# a real loss of signal in the second log (90 s without GNSS) is still
	# one, counted without the time between the logs; local time of day
	mkdir "$T/cut" && awk '/^\$GN(RMC|GGA|GST)/ { split($0, f, ","); tm = f[2] + 0 }
	     /^\$GN/ && tm >= 140600 && tm < 140730 { next } { print }' "$T/KT-0001.2.nmea" >"$T/cut/KT-0001.2.nmea" ||
		fail "cutting the log"
	TZ=Europe/Berlin run "$T/a/KT-0001.ubx" "$T/cut/KT-0001.2.nmea" -o "$T/out-cut"
	expect_rc 0
	expect_err "vest KT-0001 logged nothing from 15:03 to 15:05 CET (2.0 minutes; "
	expect_err "$T/a/KT-0001.ubx: vest KT-0001 had no GPS signal for 1.5 of its 8.0 minutes (1 gap): "
	# and team.csv counts it as the one signal gap, the vest off apart
	[ "$(csv_col "$T/out-cut/team.csv" gaps)" = 1 ] || fail "gaps of a real loss of signal: $(csv_col "$T/out-cut/team.csv" gaps)"
	awk -v g="$(csv_col "$T/out-cut/team.csv" gap_s)" -v o="$(csv_col "$T/out-cut/team.csv" off_s)" \
		-v w="$(csv_col "$T/out/team.csv" off_s)" 'BEGIN { exit !(g >= 89 && g <= 92 && o == w) }' ||
		fail "gap_s/off_s with a loss of signal: $(csv_col "$T/out-cut/team.csv" gap_s)/$(csv_col "$T/out-cut/team.csv" off_s)"
	# with --from/--to, only the time off inside the window counts (and is
	# said): a window from inside it or up to inside it has none
	for w in "--from 14:04=0.0" "--to 14:04=0.0" "--from 14:01 --to 14:07=$(csv_col "$T/out/team.csv" off_s)"; do
		# shellcheck disable=SC2086
		TZ=UTC run ${w%%=*} "$T/a/KT-0001.ubx" "$T/KT-0001.2.nmea" -o "$T/out-w"
		expect_rc 0
		[ "$(csv_col "$T/out-w/team.csv" off_s)" = "${w#*=}" ] || fail "${w%%=*}: off_s $(csv_col "$T/out-w/team.csv" off_s), expected ${w#*=}"
		[ "$(csv_col "$T/out-w/team.csv" gaps)" = 0 ] || fail "${w%%=*}: gaps $(csv_col "$T/out-w/team.csv" gaps)"
		[ "$(json_get "$T/out-w/session.json" "len(j['players'][0]['quality']['off'])")" = "$([ "${w#*=}" = 0.0 ] && echo 0 || echo 1)" ] ||
			fail "${w%%=*}: quality.off $(json_get "$T/out-w/session.json" "j['players'][0]['quality']['off']")"
		if [ "${w#*=}" = 0.0 ]; then
			grep -q "logged nothing" "$T/err" && fail "${w%%=*}: the time off outside the window named"
		else
			expect_err "vest KT-0001 logged nothing from 14:03 to 14:05 UTC"
		fi
	done
	# given the other way round, and with two jobs: the same
	run --jobs 2 "$T/KT-0001.2.nmea" "$T"/a/KT-000* -o "$T/out2"
	expect_rc 0
	cmp <(sort "$T/out/team.csv") <(sort "$T/out2/team.csv") || fail "the order of the logs or --jobs changed team.csv"
	# logs of one id that overlap in time (two vests set to the same id)
	# are not mixed: the second is a vest of its own, named
	cp "$T"/o/KT-0001.nmea "$T/KT-0001.3.nmea"
	run "$T"/a/KT-000* "$T/KT-0001.3.nmea" -o "$T/out3"
	expect_rc 3
	expect_err "$T/KT-0001.3.nmea: vest KT-0001 already came from another log; written as KT-0001-2"
	check_outputs "$T/out3" 3
	;;
window)
	# --from/--to: only that part counts, in UTC or as local time of day
	sim "$T/s" -p 2 -m 10 -s 31 --truth-series
	run --from 2026-11-21T14:02:00Z --to 2026-11-21T14:07:00Z "$T/s" -o "$T/utc"
	expect_rc 0
	expect_err "only the time from 2026-11-21T14:02:00Z to 2026-11-21T14:07:00Z counts"
	[ "$(csv_col "$T/utc/team.csv" start_utc)" = 2026-11-21T14:02:00.0Z ] || fail "start $(csv_col "$T/utc/team.csv" start_utc)"
	[ "$(csv_col "$T/utc/team.csv" end_utc)" = 2026-11-21T14:07:00.0Z ] || fail "end $(csv_col "$T/utc/team.csv" end_utc)"
	# the distance is the truth's over those five minutes (t_s 120-420)
	"$PY" - "$T/utc/team.csv" "$T/s/truth" <<-'EOF' || fail "windowed distance is not the truth's"
		import csv, sys
		ours = {r["vest_id"]: float(r["distance_m"]) for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
		for vest, d in ours.items():
		    rows = csv.DictReader(open(f"{sys.argv[2]}/{vest}/timeseries.csv"))
		    truth = sum(float(r["speed_kmh"]) / 3.6 * 0.1 for r in rows if 120.0 <= float(r["t_s"]) < 420.0)
		    assert truth > 100 and abs(d - truth) <= 0.02 * truth, (vest, d, truth)
		EOF
	[ "$(json_get "$T/utc/session.json" "j['window']['from']")" = 2026-11-21T14:02:00Z ] || fail "window not in session.json"
	# the same as local time of day (Berlin: UTC+1 in November)
	TZ=Europe/Berlin "$KT" process --no-config --no-charts --from 15:02 --to 15:07 "$T/s" -o "$T/local" 2>"$T/err"
	rc=$?
	expect_rc 0
	expect_err "counts, local time CET"
	cmp -s "$T/utc/team.csv" "$T/local/team.csv" || fail "local --from/--to differ from the same times in UTC"
	[ "$(json_get "$T/local/session.json" "j['window']['time_of_day_in']")" = "CET (UTC+0100)" ] ||
		fail "the local time zone is not in session.json"
	# the pages say which part they count
	# the pages say which part they count, in the local time of the machine
	# that draws them: what was counted, not what was typed
	if command -v gnuplot >/dev/null; then
		TZ=Europe/Berlin "$KT" report --no-config -q "$T/local" 2>"$T/err" || fail "report on the windowed output"
		grep -q "<h1>[^<]*, 15:02–15:07</h1>" "$T/local/index.html" || fail "index.html does not show the window"
		TZ=UTC "$KT" report --no-config -q "$T/utc" 2>"$T/err" || fail "report on the windowed output"
		grep -q "<h1>[^<]*, 14:02–14:07</h1>" "$T/utc/index.html" || fail "index.html does not show the window in UTC"
		TZ=Europe/Berlin "$KT" process --no-config --from 14:50 --to 15:03:30 "$T/s" -o "$T/part" 2>"$T/err" ||
			fail "a window partly before the log"
		grep -q "<h1>[^<]*, 15:00–15:03:30</h1>" "$T/part/index.html" || fail "index.html does not show the part counted (with its seconds)"
	fi
	# nothing inside it: named with the log's own times, exit 1
	TZ=Europe/Berlin "$KT" process --no-config --no-charts --from 18:00 "$T/s" -o "$T/none" 2>"$T/err"
	rc=$?
	expect_rc 1
	expect_err "KT-0001.ubx: no valid fix between --from 18:00 and --to (end) (the log runs 2026-11-21 15:00-15:10 CET"
	# across midnight: a time of day is the one within (or nearest to) each
	# log, so vests started on either side of midnight get one window
	sim "$T/m1" -p 1 -m 15 -s 21 -f ubx --start 2026-11-21T22:58:00Z
	sim "$T/m2" -p 1 -m 15 -s 22 -f ubx --start 2026-11-21T23:01:00Z --vest-prefix B-
	# (KT-0001 runs 23:58-00:13 local, B-0001 00:01-00:16)
	for w in "--from 00:03=23:03:00 23:03:00 23:13:00 23:16:00" "--from 23:59 --to 00:10=22:59:00 23:01:00 23:10:00 23:10:00"; do
		# shellcheck disable=SC2086
		TZ=Europe/Berlin "$KT" process --no-config --no-charts ${w%%=*} "$T/m1/KT-0001.ubx" "$T/m2/B-0001.ubx" \
			--pitch "$T/m1/pitch.ini" -o "$T/mid" 2>"$T/err"
		rc=$?
		expect_rc 0
		got=$(tail -n +2 "$T/mid/team.csv" | cut -d, -f29 | cut -c12-19 | tr '\n' ' ')$(tail -n +2 "$T/mid/team.csv" | cut -d, -f30 | cut -c12-19 | tr '\n' ' ')
		[ "$got" = "${w#*=} " ] || fail "${w%%=*} across midnight: starts and ends '$got', expected '${w#*=} '"
	done
	# the date is the local one: a training that starts just after midnight
	if command -v gnuplot >/dev/null; then
		TZ=Europe/Berlin "$KT" process --no-config "$T/m2" -o "$T/late" 2>"$T/err" || fail "late training"
		grep -q "<h1>Training 2026-11-22</h1>" "$T/late/index.html" || fail "index.html: not the local date"
	fi
	# a vest switched on 5 km away (a ride to the ground): named with the
	# --from that leaves it out, which gives the training's own numbers
	sim "$T/ride" -p 1 -m 15 -s 41 -f ubx --start 2026-11-21T13:40:00Z --pitch-lat 51.99
	sim "$T/train" -p 1 -m 20 -s 42 -f ubx --start 2026-11-21T14:00:00Z
	cat "$T/ride/KT-0001.ubx" "$T/train/KT-0001.ubx" > "$T/ride.ubx"
	TZ=Europe/Berlin "$KT" process --no-config --no-charts --pitch "$T/train/pitch.ini" "$T/ride.ubx" -o "$T/r1" 2>"$T/err"
	rc=$?
	expect_rc 0
	expect_err "ride.ubx: vest KT-0001 was more than 1 km from where it spent most of the time until 15:00 (CET): on the way to the ground? It is counted; --from 15:00 leaves it out"
	TZ=Europe/Berlin "$KT" process --no-config --no-charts --pitch "$T/train/pitch.ini" --from 15:00 "$T/ride.ubx" -o "$T/r2" 2>"$T/err"
	rc=$?
	expect_rc 0
	grep -q "from where it spent" "$T/err" && fail "still far away after --from"
	run --pitch "$T/train/pitch.ini" "$T/train/KT-0001.ubx" -o "$T/r3"
	expect_rc 0
	grep -q "from where it spent" "$T/err" && fail "a training without a ride called far away"
	for col in minutes distance_m hsr_m sprints; do
		[ "$(csv_col "$T/r2/team.csv" $col)" = "$(csv_col "$T/r3/team.csv" $col)" ] ||
			fail "$col with --from differs from the training alone"
	done
	for bad in 25:00 15:+2 2026-02-31T14:00Z " 15:02"; do
		run --from "$bad" "$T/s" -o "$T/bad"
		expect_rc 2
		expect_err "--from: expected a time of day HH:MM or HH:MM:SS (local time) or YYYY-MM-DDTHH:MM[:SS]Z (UTC), got '$bad'"
	done
	run --from 15:02 --to 15:02 "$T/s" -o "$T/bad"
	expect_rc 2
	expect_err "--to 15:02 is not after --from 15:02"
	# swapped local times are most of a day, not a late training
	run --from 15:10 --to 15:05 "$T/s" -o "$T/bad"
	expect_rc 2
	expect_err "--from 15:10 --to 15:05 would count 23:55 h, through midnight: swapped?"
	TZ=Europe/Berln "$KT" process --no-config --no-charts --from 15:02 "$T/s" -o "$T/bad" 2>"$T/err"
	rc=$?
	expect_rc 2
	expect_err "TZ=Europe/Berln is not a time zone this machine knows"
	run --from 2026-11-21T14:07:00Z --to 2026-11-21T14:02:00Z "$T/s" -o "$T/bad"
	expect_rc 2
	expect_err "is not after --from"
	[ ! -e "$T/bad" ] || fail "output written on a usage error"
	;;
lock)
	# one writer per output folder: while another run holds it, process
	# and report stop at once (exit 1) and change nothing
	command -v flock >/dev/null || fail "flock(1) is needed for this test (util-linux)"
	sim "$T/s" -p 2 -m 2 -s 5
	run "$T/s" -o "$T/out"
	expect_rc 0
	[ "$(stat -c %a "$T/out/.kicktrack.lock")" = 640 ] || fail "lock file mode $(stat -c %a "$T/out/.kicktrack.lock")"
	sum_before=$(cd "$T/out" && find . -type f ! -name .kicktrack.lock -exec sha256sum {} + | sort)
	# (the subshell becomes the sleep that holds the lock: killed, it lets go)
	(exec 9>>"$T/out/.kicktrack.lock"; flock 9; exec sleep 30) &
	holder=$!
	for _ in $(seq 50); do flock -n "$T/out/.kicktrack.lock" true || break; sleep 0.1; done
	run "$T/s" -o "$T/out"
	expect_rc 1
	expect_err "$T/out is being written by another kicktrack run (process or report): nothing changed"
	"$KT" report --no-config "$T/out" >/dev/null 2>"$T/err"
	rc=$?
	expect_rc 1
	expect_err "$T/out is being written by another kicktrack run"
	kill "$holder"; wait "$holder" 2>/dev/null
	[ "$(cd "$T/out" && find . -type f ! -name .kicktrack.lock -exec sha256sum {} + | sort)" = "$sum_before" ] ||
		fail "outputs changed while another run held the folder"
	run "$T/s" -o "$T/out"
	expect_rc 0
	# a failed run into a new folder leaves no folder (and no lock file) behind
	: > "$T/empty.ubx"
	run "$T/empty.ubx" -o "$T/new"
	expect_rc 1
	[ ! -e "$T/new" ] || fail "a failed run left $(ls -A "$T/new") in a new folder"
	;;
still)
	# A vest that lies still (on the bench) reads a Doppler speed of a few
	# cm/s: the length of its velocity noise, never 0. The rest rule takes
	# that for standing only if it knows the receiver's noise, which was
	# estimated from the speed's second differences: at rest only two thirds
	# of it show there (the spread of a Rayleigh distribution), so a vest on
	# the bench "ran" 96 m in half an hour, and one that lay still for the
	# first 6 minutes was 2 % over for the whole session. A 10 Hz NMEA
	# receiver with the noise of kicktrack-sim's realistic one (white 0.06
	# m/s + Gauss-Markov 0.02 m/s, tau 3 s, per axis), still for 30 min, and
	# still for 6 min then running to and fro at up to 2.5 m/s for 10 min.
	cat >"$T/gen.py" <<'PY'
import math, random, sys
out, still_s, move_s = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
random.seed(7)
dt = 0.1
a = math.exp(-dt / 3.0)
q = 0.02 * math.sqrt(1 - a * a)
be = bn = x = truth = 0.0
def cks(s):
    c = 0
    for ch in s:
        c ^= ord(ch)
    return "%02X" % c
def deg(v, w):
    d = int(v)
    return "%0*d%07.4f" % (w, d, (v - d) * 60)
with open(out, "w") as f:
    for k in range(int((still_s + move_s) / dt)):
        t = k * dt
        ve = 2.5 * math.sin(2 * math.pi * (t - still_s) / 48.0) if t >= still_s else 0.0
        truth += abs(ve) * dt
        x += ve * dt
        be = a * be + q * random.gauss(0, 1)
        bn = a * bn + q * random.gauss(0, 1)
        e = ve + be + 0.06 * random.gauss(0, 1)
        n = bn + 0.06 * random.gauss(0, 1)
        crs = (math.degrees(math.atan2(e, n)) + 360) % 360
        lat = 52.52 + 0.25 * random.gauss(0, 1) / 111200
        lon = 13.40 + (x + 0.25 * random.gauss(0, 1)) / (111200 * math.cos(math.radians(52.52)))
        s = 18 * 3600 + t
        ts = "%02d%02d%05.2f" % (s // 3600, s % 3600 // 60, s % 60)
        g = "GPGGA,%s,%s,N,%s,E,1,10,0.9,55.0,M,47.0,M,," % (ts, deg(lat, 2), deg(lon, 3))
        r = "GPRMC,%s,A,%s,N,%s,E,%.3f,%.1f,021226,,,A" % (ts, deg(lat, 2), deg(lon, 3), math.hypot(e, n) / 0.514444, crs)
        f.write("$%s*%s\r\n$%s*%s\r\n" % (g, cks(g), r, cks(r)))
print("%.1f" % truth)
PY
	cat >"$T/pitch.ini" <<'EOF'
[pitch]
length_m = 105
width_m = 68
corner1 = 52.519694, 13.399224
corner2 = 52.519694, 13.400776
corner3 = 52.520306, 13.400776
corner4 = 52.520306, 13.399224
EOF
	mkdir "$T/s"
	"$PY" "$T/gen.py" "$T/s/bench.nmea" 1800 0 >/dev/null || fail "cannot write the bench log"
	truth=$("$PY" "$T/gen.py" "$T/s/late.nmea" 360 600) || fail "cannot write the late log"
	run --pitch "$T/pitch.ini" "$T/s" -o "$T/out"
	expect_rc 0
	d=$(awk -F, '$1 == "\"bench\"" { print $6 }' "$T/out/team.csv")
	awk -v d="$d" 'BEGIN { exit !(d != "" && d < 2.0) }' ||
		fail "a vest lying still for 30 min ran ${d} m (no more than 2 m expected)"
	d=$(awk -F, '$1 == "\"late\"" { print $6 }' "$T/out/team.csv")
	awk -v d="$d" -v t="$truth" 'BEGIN { exit !(d != "" && d > 0.99 * t && d < 1.01 * t) }' ||
		fail "a vest still for 6 min, then running: ${d} m against ${truth} m run (1 % expected)"
	# the noise the rest rule used: the receiver's, not two thirds of it
	n=$(json_get "$T/out/session.json" "[p['quality']['doppler_noise_mps'] for p in j['players'] if p['vest_id'] == 'bench'][0]")
	awk -v n="$n" 'BEGIN { exit !(n >= 0.05 && n <= 0.075) }' ||
		fail "Doppler noise of the bench vest estimated as $n m/s (about 0.063 expected)"
	;;
bench)
	# Substitutes' vests left switched on on the bench: a real receiver at
	# rest reports a slowly wandering velocity (kicktrack-sim --bench), which
	# the GNSS rest rule takes for walking (56 m in 20 minutes, 92-95 m in
	# 30); their IMU shows no more than its own noise, so the IMU rest rule
	# sets the speed to 0 there, and no PlayerLoad (the truth: 0 m, 0). The
	# players on the pitch keep their numbers.
	sim "$T/s" -p 4 -m 20 -s 3 --bench 2
	run "$T/s" -o "$T/out"
	expect_rc 0
	for v in KT-0003 KT-0004; do
		row=$(awk -F, -v v="\"$v\"" '$1 == v { print $6, $18, $13, $16, $17 }' "$T/out/team.csv")
		awk -v r="$row" 'BEGIN { split(r, f, " "); exit !(r != "" && f[1] < 2.0 && f[2] < 0.5 && f[3] == 0 && f[4] == 0 && f[5] == 0) }' ||
			fail "$v lay on the bench, yet (distance_m player_load sprints accelerations decelerations): $row"
	done
	for v in KT-0001 KT-0002; do
		d=$(awk -F, -v v="\"$v\"" '$1 == v { print $6 }' "$T/out/team.csv")
		t=$(awk -F, -v v="$v" '$1 == v { print $6 }' "$T/s/truth/team.csv")
		awk -v d="$d" -v t="$t" 'BEGIN { exit !(d != "" && t > 500 && d > 0.98 * t && d < 1.02 * t) }' ||
			fail "$v on the pitch: $d m against the truth's $t m"
	done
	[ "$(json_get "$T/out/session.json" "'%g %g' % (j['filter']['params']['imu_rest_k'], j['filter']['params']['imu_rest_max_mps'])")" = "2 0.5" ] ||
		fail "session.json does not name the IMU rest rule's parameters"
	# how long each vest lay still, and a note for the two on the bench only
	[ "$(json_get "$T/out/session.json" "[p['quality']['imu_still_s'] >= 1190 for p in j['players']]")" = "[False, False, True, True]" ] ||
		fail "quality.imu_still_s: $(json_get "$T/out/session.json" "[p['quality']['imu_still_s'] for p in j['players']]")"
	expect_err "$T/s/KT-0003.ubx: vest KT-0003 did not move for 20.0 of its 20.0 minutes (its accelerometer shows nothing beyond its own noise: left on the bench, or put down?)"
	[ "$(grep -c 'did not move' "$T/err")" = 2 ] || fail "not exactly the two bench vests said to lie still"
	[ "$(json_get "$T/out/session.json" "[any('hat sich 20,0 ihrer 20,0 Minuten nicht bewegt' in n for n in p['notes_de']) for p in j['players']]")" = "[False, False, True, True]" ] ||
		fail "the German note on the bench vests' pages: $(json_get "$T/out/session.json" "[p['notes_de'] for p in j['players']]")"
	;;
rate)
	# a 1 Hz receiver: the numbers come with a warning that efforts are
	# undercounted, yet nothing is missing (exit 0); 10 Hz says nothing
	sim "$T/s" -p 2 -m 3 -s 5 --gnss-hz 1
	run "$T/s" -o "$T/out"
	expect_rc 0
	expect_err "$T/s/KT-0001.ubx: vest KT-0001 logged 1.0 positions a second: accelerations, decelerations and sprints need 5 or more"
	[ "$(json_get "$T/out/session.json" "sum('positions a second' in w for w in j['warnings'])")" = 2 ] ||
		fail "the rate warnings are not in session.json"
	[ "$(json_get "$T/out/session.json" "sum('hat 1,0 Positionen pro Sekunde aufgezeichnet' in w for w in j['warnings_de'])")" = 2 ] ||
		fail "the German rate warnings lack the decimal comma: $(json_get "$T/out/session.json" "j['warnings_de']")"
	[ "$(json_get "$T/out/session.json" "j['status']")" = ok ] || fail "status not ok"
	# ... and in each player's own notes, without the log's path (the page
	# for that player names no files)
	[ "$(json_get "$T/out/session.json" "[len(p['notes']) for p in j['players']] == [1, 1] and all(p['notes'][0].startswith('vest %s logged 1.0 positions a second: ' % p['vest_id']) for p in j['players'])")" = True ] ||
		fail "players[].notes: $(json_get "$T/out/session.json" "[p['notes'] for p in j['players']]")"
	[ "$(json_get "$T/out/session.json" "[len(p['notes_de']) for p in j['players']] == [1, 1] and j['players'][1]['notes_de'][0].startswith('Weste KT-0002 hat 1,0 Positionen')")" = True ] ||
		fail "players[].notes_de: $(json_get "$T/out/session.json" "[p['notes_de'] for p in j['players']]")"
	# ... each warning with the vest it is about, one for one
	[ "$(json_get "$T/out/session.json" "j['warning_vests']")" = "['KT-0001', 'KT-0002']" ] ||
		fail "warning_vests: $(json_get "$T/out/session.json" "j['warning_vests']")"
	# ... and machine-readable: which counts are too low, and the rate
	[ "$(json_get "$T/out/session.json" "all(p['undercounted'] == ['sprint_count', 'sprint_m', 'accelerations', 'decelerations'] and 0.95 <= p['quality']['positions_per_s'] <= 1.05 for p in j['players'])")" = True ] ||
		fail "players[].undercounted/positions_per_s: $(json_get "$T/out/session.json" "[(p['undercounted'], p['quality']['positions_per_s']) for p in j['players']]")"
	sim "$T/s10" -p 2 -m 3 -s 5
	run "$T/s10" -o "$T/out10"
	expect_rc 0
	grep -q "positions a second" "$T/err" && fail "a 10 Hz vest called slow"
	[ "$(json_get "$T/out10/session.json" "all(p['undercounted'] == [] and 9.5 <= p['quality']['positions_per_s'] <= 10.05 for p in j['players'])")" = True ] ||
		fail "10 Hz: players[].undercounted/positions_per_s: $(json_get "$T/out10/session.json" "[(p['undercounted'], p['quality']['positions_per_s']) for p in j['players']]")"
	;;
gaps)
	# a vest that logged no GNSS for 90 s (the IMU went on): its distance is
	# short by that, while minutes and fix_pct look complete. A warning
	# says so (in both languages), and the result is complete (exit 0);
	# the few short gaps of the other vest say nothing
	sim "$T/s" -p 2 -m 4 -s 5 -f nmea
	awk '/^\$GN(RMC|GGA|GST)/ { split($0, f, ","); tm = f[2] + 0 }
	     /^\$GN/ && tm >= 140100 && tm < 140230 { next } { print }' "$T/s/KT-0001.nmea" >"$T/cut" &&
		mv "$T/cut" "$T/s/KT-0001.nmea" || fail "cutting the log"
	run "$T/s" -o "$T/out"
	expect_rc 0
	expect_err "$T/s/KT-0001.nmea: vest KT-0001 had no GPS signal for 1.5 of its 4.0 minutes (1 gap): distance, zones and sprints of that time are missing"
	grep -q "KT-0002 had no GPS signal" "$T/err" && fail "a vest with short gaps warned about"
	[ "$(json_get "$T/out/session.json" "sum('no GPS signal for 1.5 of its 4.0' in w for w in j['warnings'])")" = 1 ] ||
		fail "the gap warning is not in session.json"
	# (German with the decimal comma, the file name keeps its dot)
	[ "$(json_get "$T/out/session.json" "sum(w.startswith('$T/s/KT-0001.nmea: Weste KT-0001 hatte 1,5 ihrer 4,0 Minuten kein GPS-Signal (1 Lücke)') for w in j['warnings_de'])")" = 1 ] ||
		fail "the gap warning is not in warnings_de with the decimal comma: $(json_get "$T/out/session.json" "j['warnings_de']")"
	# and so on the German page (its charts do not matter here)
	"$KT" report --no-config --lang de -q "$T/out" 2>"$T/err" >/dev/null
	grep -qF "$T/s/KT-0001.nmea: Weste KT-0001 hatte 1,5 ihrer 4,0 Minuten kein GPS-Signal" "$T/out/index.html" ||
		fail "the German page lacks the gap note with the decimal comma: $(grep -A4 'class="notes' "$T/out/index.html")"
	# the player's own PDF says it too (a printed page stands alone), the
	# whole note, the other player's PDF none
	[ "$(json_get "$T/out/session.json" "[len(p['notes']) for p in j['players']]")" = "[1, 0]" ] ||
		fail "players[].notes: $(json_get "$T/out/session.json" "[p['notes'] for p in j['players']]")"
	if command -v pdftotext >/dev/null && command -v gnuplot >/dev/null; then
		pdftotext "$T/out/players/KT-0001/report.pdf" - | tr '\n' ' ' |
			grep -qF "Hinweis: Weste KT-0001 hatte 1,5 ihrer 4,0 Minuten kein GPS-Signal (1 Lücke): Distanz, Zonen und Sprints dieser Zeit fehlen, sie sind also niedriger als gelaufen" ||
			fail "the player's PDF lacks its gap note: $(pdftotext "$T/out/players/KT-0001/report.pdf" - | tail -8)"
		pdftotext "$T/out/players/KT-0002/report.pdf" - | grep -q "Hinweis" &&
			fail "the other player's PDF has a note"
		# team.pdf marks that player, with the footnote of the mark
		p1=$(json_get "$T/out/session.json" "[p['player'] for p in j['players'] if p['vest_id'] == 'KT-0001'][0]")
		p2=$(json_get "$T/out/session.json" "[p['player'] for p in j['players'] if p['vest_id'] == 'KT-0002'][0]")
		pdftotext -f 1 -l 1 "$T/out/team.pdf" "$T/team.txt"
		grep -qx "$p1 \*" "$T/team.txt" && grep -qx "$p2" "$T/team.txt" &&
			grep -q '^\* Hinweise zu den Werten dieses Spielers: auf seiner Seite (PDF) und in index.html$' "$T/team.txt" ||
			fail "team.pdf does not mark $p1 (and only $p1) with the footnote: $(head -40 "$T/team.txt")"
	fi
	[ "$(json_get "$T/out/session.json" "j['status']")" = ok ] || fail "status not ok"
	;;
usage)
	sim "$T/s" -p 1 -m 2 -s 5
	run "$T/s"
	expect_rc 2
	expect_err "-o OUTDIR"
	run -o "$T/out"
	expect_rc 2
	run --bogus "$T/s" -o "$T/out"
	expect_rc 2
	run --zones 7,6,5,4 "$T/s" -o "$T/out"
	expect_rc 2
	expect_err "--zones"
	run --csv-flavour xx "$T/s" -o "$T/out"
	expect_rc 2
	expect_err "invalid value 'xx' for csv_flavour (expected c or de)"
	run --jobs 0 "$T/s" -o "$T/out"
	expect_rc 2
	expect_err "(expected a whole number from 1 to 64)"
	printf '[thresholds]\nsprint_kmh = 25.2\nsprint_mkh = 3\n' > "$T/bad.conf"
	run_config --config "$T/bad.conf" "$T/s" -o "$T/out"
	expect_rc 2
	expect_err "bad.conf:3: unknown key 'sprint_mkh'"
	run_config --config "$T/none.conf" "$T/s" -o "$T/out"
	expect_rc 2
	expect_err "none.conf"
	# a vest log or random bytes as config: one line, no bytes of it echoed
	head -c 20000 /dev/urandom > "$T/random.conf"
	for f in "$(ls "$T"/s/KT-0001.* | head -1)" "$T/random.conf"; do
		run_config --config "$f" "$T/s" -o "$T/out"
		expect_rc 2
		[ "$(wc -l < "$T/err")" = 1 ] || fail "--config $f: $(wc -l < "$T/err") lines on stderr"
		expect_no_raw_bytes
	done
	expect_err "random.conf: binary data, not a text file of '[section]' and 'key = value' lines"
	# a bad value is quoted with its control bytes escaped (a terminal
	# would obey them)
	printf '[process]\ncsv_flavour = \033[31mde\n' > "$T/ctl.conf"
	run_config --config "$T/ctl.conf" "$T/s" -o "$T/out"
	expect_rc 2
	expect_err "ctl.conf:2: control characters in a line: 'csv_flavour = \\x1b[31mde'"
	expect_no_raw_bytes
	run --csv-flavour "$(printf '\033[31mde')" "$T/s" -o "$T/out"
	expect_rc 2
	expect_err "invalid value '\\x1b[31mde' for csv_flavour"
	expect_no_raw_bytes
	# an option given twice with two values is refused, not the last taken
	printf 'vest_id,player,number,position\n' > "$T/r.csv"
	run --roster "$T/r.csv" --roster "$T/s/roster.csv" "$T/s" -o "$T/out"
	expect_rc 2
	expect_err "--roster given twice ('$T/r.csv', then '$T/s/roster.csv'): give it once"
	run --csv-flavour de --csv-flavor c "$T/s" -o "$T/out"
	expect_rc 2
	expect_err "--csv-flavour given twice"
	run_config --config "$T/bad.conf" --config "$T/none.conf" "$T/s" -o "$T/out"
	expect_rc 2
	expect_err "--config given twice"
	"$KT" process --no-config --config "$T/bad.conf" "$T/s" -o "$T/out" 2>"$T/err"
	rc=$?
	expect_rc 2
	expect_err "--config $T/bad.conf and --no-config: give one of them"
	[ ! -e "$T/out" ] || fail "output written on a usage error"
	# an empty output folder (an unset shell variable) is named as that,
	# not as "nothing to do"
	run -o "" "$T/s"
	expect_rc 2
	expect_err "kicktrack: error: process: the output folder (-o) was given an empty name"
	[ "$(wc -l < "$T/err")" = 1 ] || fail "-o '': not one line"
	run --roster "" "$T/s" -o "$T/out"
	expect_rc 2
	expect_err "process: --roster was given an empty name"
	for args in "report:" "decode:" "status:--file" "live:--file"; do
		cmd=${args%%:*}
		opt=${args#*:}
		"$KT" $cmd $opt "" > /dev/null 2> "$T/err"
		rc=$?
		expect_rc 2
		expect_err "kicktrack: error: $cmd: "
		expect_err " was given an empty name (try 'kicktrack $cmd --help')"
		[ "$(wc -l < "$T/err")" = 1 ] || fail "$cmd $opt '': not one line"
	done
	# status: --root and --file both name the status file; one would be
	# ignored, so the pair is refused in one line, in either order
	for args in "--root $T/r --file $T/f" "-f $T/f -r $T/r"; do
		"$KT" status $args > "$T/stdout" 2> "$T/err"
		rc=$?
		expect_rc 2
		[ "$(cat "$T/err")" = "kicktrack: error: --root $T/r and --file $T/f: give one of them" ] ||
			fail "status $args: '$(cat "$T/err")'"
		[ ! -s "$T/stdout" ] || fail "status $args wrote to stdout"
	done
	# every command: --version as 'kicktrack --version'; a bad option is one
	# line naming it with the "kicktrack:" prefix, and where to look, exit 2
	"$KT" --version > "$T/version" || fail "kicktrack --version failed"
	grep -q '^kicktrack [0-9]' "$T/version" || fail "kicktrack --version: $(cat "$T/version")"
	for cmd in process report decode status live; do
		for v in --version -V; do
			"$KT" $cmd $v > "$T/stdout" 2> "$T/err"
			rc=$?
			expect_rc 0
			cmp -s "$T/version" "$T/stdout" || fail "kicktrack $cmd $v printed '$(cat "$T/stdout")'"
			[ ! -s "$T/err" ] || fail "kicktrack $cmd $v wrote to stderr"
		done
		"$KT" $cmd --bogus x > "$T/stdout" 2> "$T/err"
		rc=$?
		expect_rc 2
		[ "$(cat "$T/err")" = "kicktrack: error: $cmd: unknown option '--bogus'
Try 'kicktrack $cmd --help'." ] || fail "kicktrack $cmd --bogus: '$(cat "$T/err")'"
		[ ! -s "$T/stdout" ] || fail "kicktrack $cmd --bogus wrote to stdout"
		"$KT" $cmd --help=x > /dev/null 2> "$T/err"
		rc=$?
		expect_rc 2
		expect_err "kicktrack: error: $cmd: option '--help' takes no value"
		"$KT" $cmd -Z > /dev/null 2> "$T/err"
		rc=$?
		expect_rc 2
		expect_err "kicktrack: error: $cmd: unknown option '-Z'"
	done
	"$KT" process --roster 2> "$T/err"
	rc=$?
	expect_rc 2
	[ "$(head -1 "$T/err")" = "kicktrack: error: process: option '--roster' needs a value" ] ||
		fail "--roster without a value: '$(cat "$T/err")'"
	"$KT" --help | grep -q -- "-V, --version" || fail "kicktrack --help does not offer --version"
	# the simulator too, in the same words with its own name
	for v in --version -V; do
		"$SIM" $v > "$T/stdout" 2> "$T/err"
		rc=$?
		expect_rc 0
		[ "$(cat "$T/stdout")" = "kicktrack-sim $(sed 's/^kicktrack //' "$T/version")" ] ||
			fail "kicktrack-sim $v printed '$(cat "$T/stdout")'"
		[ ! -s "$T/err" ] || fail "kicktrack-sim $v wrote to stderr"
	done
	"$SIM" --help | grep -q -- "-V, --version" || fail "kicktrack-sim --help does not offer -V"
	# the same value twice is the same run
	run --no-charts -o "$T/out" "$T/s" -o "$T/out"
	expect_rc 0
	rm -rf "$T/out"
	"$KT" process --help > "$T/help" || fail "--help failed"
	for opt in --roster --pitch --config --zones --sprint-kmh --sprint-min-s --effort-ms2 --effort-min-s \
		--max-speed-mps --gap-s --csv-flavour --lang --jobs --no-charts --from --to --quiet --help --version; do
		grep -q -- "$opt" "$T/help" || fail "--help does not describe $opt"
		# the man page too (roff escapes '-' as '\-')
		if [ -n "${SRCDIR:-}" ]; then
			grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$SRCDIR/man/kicktrack-process.1" ||
				fail "man page does not describe $opt"
		fi
	done
	if [ -n "${SRCDIR:-}" ]; then
		for col in $(echo "$HEADER" | tr , ' ') start_utc valid_minutes t_s utc x_m speed_kmh accel_ms2 in_sprint \
			duration_s top_speed_kmh threshold_kmh; do
			grep -q "$col" "$SRCDIR/man/kicktrack-process.1" || fail "man page does not describe column $col"
			grep -q "$col" "$T/help" || fail "--help does not describe column $col"
			grep -q "$col" "$SRCDIR/doc/output-format.md" || fail "output-format.md does not describe column $col"
		done
	fi
	;;
progress)
	# progress only on a terminal; never in a pipe or file
	sim "$T/s" -p 2 -m 2 -s 5
	run "$T/s" -o "$T/out"
	expect_rc 0
	grep -q 'ETA' "$T/err" && fail "progress shown although stderr is not a terminal"
	grep -q $'\r' "$T/err" && fail "carriage return on a non-terminal"
	if command -v script >/dev/null; then
		script -qec "'$KT' process --no-config --no-charts '$T/s' -o '$T/out2'" /dev/null > "$T/tty" 2>&1 ||
			fail "run on a pty failed"
		grep -q 'ETA' "$T/tty" || fail "no progress on a terminal"
		grep -q 'MB/s' "$T/tty" || fail "progress does not show MB/s"
		# MB done never above the total (the bytes of a log counted once)
		tr '\r' '\n' <"$T/tty" | sed -n 's|.* logs, \([0-9.]*\)/\([0-9.]*\) MB,.*|\1 \2|p' >"$T/mb"
		[ -s "$T/mb" ] || fail "no 'done/total MB' in the progress"
		awk '$1 > $2 { bad = 1 } END { exit bad }' "$T/mb" ||
			fail "progress counts more MB than the logs have: $(tail -1 "$T/mb")"
		grep -q 'writing' "$T/tty" && fail "a write pass shown although the pitch was given"
		# no pitch: the pitch is estimated after the read pass, then the
		# write pass shows its own progress
		rm "$T/s/pitch.ini"
		script -qec "'$KT' process --no-config --no-charts '$T/s' -o '$T/out4'" /dev/null > "$T/tty" 2>&1 ||
			fail "run on a pty without pitch failed"
		grep -q 'writing 2/2 vests' "$T/tty" || fail "no progress in the write pass"
		script -qec "'$KT' process --quiet --no-config --no-charts '$T/s' -o '$T/out3'" /dev/null > "$T/tty" 2>&1
		grep -q 'ETA' "$T/tty" && fail "progress shown with --quiet"
	fi
	;;
disk-full)
	# A full disk is not the logs' fault: the run fails as a whole, says
	# why, and neither leaves half a result nor replaces an earlier run's
	# outputs. On a small tmpfs of its own, in a mount namespace (and, when
	# not root, a user namespace: root needs none, and cannot have one in a
	# chroot).
	command -v unshare >/dev/null || fail "unshare (util-linux) is needed"
	if [ "$(id -u)" -eq 0 ]; then ns="unshare -m"; else ns="unshare -rm"; fi
	$ns true 2>"$T/ns.err" || { echo "SKIP: no namespace for a tmpfs here ($ns: $(cat "$T/ns.err"))"; exit 77; }
	sim "$T/s" -p 3 -m 3 -s 2
	rm "$T/s/pitch.ini" # the write pass after the pitch estimate, too
	mkdir "$T/mnt"
	cat >"$T/inner.sh" <<'INNER'
set -u
KT=$1 S=$2 MNT=$3 T=$4
mount -t tmpfs -o size=8m,mode=0700 tmpfs "$MNT" || exit 10
kt() { "$KT" process --no-config --no-charts "$S" -o "$@"; }
fill() { # leave about $1 KiB free on $MNT
	local avail
	avail=$(df -k --output=avail "$MNT" | tail -1)
	dd if=/dev/zero of="$MNT/filler" bs=1k count=$((avail - $1)) status=none 2>/dev/null || true
}
snapshot() { (cd "$MNT/out" && find . | sort && find . -type f | sort | xargs -r sha256sum); }
# 1: a good run, then a run that finds the disk full
kt "$MNT/out" 2>"$T/err1" || { cat "$T/err1"; exit 11; }
snapshot >"$T/before"
fill 200
kt "$MNT/out" 2>"$T/err2"
echo "$?" >"$T/rc2"
snapshot >"$T/after"
rm -f "$MNT/filler"
# 2: a new OUTDIR on a disk that is full from the start
fill 40
kt "$MNT/new" 2>"$T/err3"
echo "$?" >"$T/rc3"
ls -A "$MNT" >"$T/left3"
exit 0
INNER
	$ns bash "$T/inner.sh" "$KT" "$T/s" "$T/mnt" "$T"
	r=$?
	[ "$r" = 10 ] && { echo "SKIP: cannot mount a tmpfs here ($ns)"; exit 77; }
	[ "$r" = 0 ] || fail "setup run failed ($r): $(cat "$T/err1" 2>/dev/null)"
	[ "$(cat "$T/rc2")" = 1 ] || { cat "$T/err2"; fail "disk full: exit $(cat "$T/rc2"), expected 1"; }
	grep -q 'No space left on device' "$T/err2" || { cat "$T/err2"; fail "disk full: does not say why"; }
	grep -q "nothing in $T/mnt/out was changed" "$T/err2" || { cat "$T/err2"; fail "disk full: no final word"; }
	diff "$T/before" "$T/after" >/dev/null ||
		fail "disk full: the earlier outputs were changed: $(diff "$T/before" "$T/after" | head -5)"
	[ "$(cat "$T/rc3")" = 1 ] || { cat "$T/err3"; fail "full from the start: exit $(cat "$T/rc3"), expected 1"; }
	grep -q 'No space left on device' "$T/err3" || { cat "$T/err3"; fail "full from the start: does not say why"; }
	grep -qx 'new' "$T/left3" && fail "full from the start: an output folder was left: $(cat "$T/left3")"
	;;
*)
	fail "unknown case"
	;;
esac
exit 0
