#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# The system call filter of kicktrackd.service lets a docking station do its
# job: every system call that kicktrackd, its processing child and gnuplot
# make while a vest is downloaded and a training's reports (with charts) are
# made is allowed by the unit's SystemCallFilter= lines, read in their order
# as systemd does (systemd-analyze expands the @groups). A call outside them
# kills that process with SIGSYS under systemd: no reports, no charts.
#   test-unit-syscalls.sh UNIT KICKTRACKD EMULATOR SAMPLE-DIR
# Every wait is bounded.
set -u
if [ -n "${KT_SKIP_SYSCALLS:-}" ]; then
	echo "skipped: a sanitizer build makes calls of its own"
	exit 77
fi
UNIT=$1 D=$2 EMU=$3 S=$4
W=$(mktemp -d "${TMPDIR:-/tmp}/kt-syscalls-XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -e "$W/d.log" ] && tail -n 20 "$W/d.log"; exit 1; }
for c in strace systemd-analyze; do
	command -v $c >/dev/null || fail "$c is needed for this test (tools/setup test installs it)"
done
command -v gnuplot >/dev/null || fail "gnuplot is needed for this test (tools/setup installs it)"

# a group's calls, nested groups expanded
expand() {
	local x items
	case $1 in
	@*)
		items=$(systemd-analyze syscall-filter --no-pager "$1" </dev/null 2>/dev/null |
			sed -n 's/^ \{1,\}\([@a-z0-9_-]\{1,\}\)$/\1/p')
		for x in $items; do expand "$x"; done ;;
	*) echo "$1" ;;
	esac
}
# what systemd allows without being asked (systemd.exec(5))
printf '%s\n' execve exit exit_group getrlimit rt_sigreturn sigreturn clock_gettime \
	clock_getres gettimeofday time nanosleep clock_nanosleep > "$W/allowed"
: > "$W/filters"
grep '^SystemCallFilter=' "$UNIT" | sed 's/^SystemCallFilter=//' > "$W/filters"
[ -s "$W/filters" ] || fail "$UNIT has no SystemCallFilter="
head -1 "$W/filters" | grep -q '^~' && fail "the first SystemCallFilter= line is a deny list: this test expects an allow list"
while read -r line; do
	deny=false
	case $line in '~'*) deny=true; line=${line#\~} ;; esac
	for item in $line; do expand "${item%%:*}"; done | sort -u > "$W/set"
	if $deny; then
		sort -u "$W/allowed" | comm -23 - "$W/set" > "$W/allowed.new"
	else
		sort -u "$W/allowed" "$W/set" > "$W/allowed.new"
	fi
	mv "$W/allowed.new" "$W/allowed"
done < "$W/filters"
sort -u -o "$W/allowed" "$W/allowed"
grep -qx read "$W/allowed" || fail "no calls allowed: systemd-analyze did not expand the groups"

# a training as on a docking PC: two vests docked, stored, erased, processed
# with charts
mkdir "$W/vests" "$W/root"
for v in KT-0001.ubx KT-0002.ubx; do
	head -c 300000 "$S/$v" > "$W/$v"
	"$EMU" --session "$W/$v" --link "$W/vests/${v%.*}" >/dev/null 2>>"$W/emu.log" &
	PIDS+=($!)
done
strace -f -qq -o "$W/trace" "$D" --no-config -r "$W/root" -d "$W/vests/*" --no-usb --erase \
	--quiet-time 1 --scan-interval 200 >"$W/d.log" 2>&1 &
SPID=$!
PIDS+=($SPID)
for _ in $(seq 1200); do
	grep -q 'reports ready\|processing failed' "$W/d.log" && break
	sleep 0.1
done
grep -q 'reports ready' "$W/d.log" || fail "no reports"
ls "$W"/root/sessions/*/reports/team_distance.png >/dev/null 2>&1 || fail "no charts: gnuplot did not run"
# SIGTERM to kicktrackd (strace's child), so its stopping is traced too
pkill -TERM -P "$SPID"
for _ in $(seq 100); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
sed -E 's/^[0-9]+ +//; s/^<\.\.\. ([a-z0-9_]+) resumed>.*/\1/; s/^([a-z0-9_]+)\(.*/\1/' "$W/trace" |
	grep -E '^[a-z0-9_]+$' | sort -u > "$W/used"
[ "$(wc -l < "$W/used")" -gt 20 ] || fail "strace saw almost no calls: $(cat "$W/used")"
bad=$(comm -23 "$W/used" "$W/allowed" | tr '\n' ' ')
[ -z "$bad" ] || {
	for c in $bad; do grep -m1 -E "^[0-9]+ +$c\(" "$W/trace"; done
	fail "kicktrackd.service's SystemCallFilter= kills the process that calls: $bad"
}
echo "ok: $(wc -l < "$W/used") system calls used, all allowed by $UNIT"
