#!/bin/bash
# SPDX-License-Identifier: EUPL-1.2
# The docking station as installed: meson install into a scratch DESTDIR,
# then every path the systemd unit names must be there (the daemon it
# starts, executable; the config it reads), with the udev rule, the
# sysusers and tmpfiles snippets and the man pages beside them.
# Usage: test-install.sh MESON BUILD_DIR
set -u
MESON=$1 BUILD=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$MESON" install -C "$BUILD" --no-rebuild --quiet --destdir "$T/root" >"$T/log" 2>&1 ||
	{ cat "$T/log"; fail "meson install"; }
unit=$(find "$T/root" -name kicktrackd.service -type f | head -1)
[ -n "$unit" ] || fail "no kicktrackd.service installed"
exec_line=$(grep '^ExecStart=' "$unit") || fail "no ExecStart= in $unit"
set -- ${exec_line#ExecStart=}
daemon=$1
[ -x "$T/root$daemon" ] && [ -f "$T/root$daemon" ] ||
	fail "$unit starts $daemon, which is not installed (have: $(cd "$T/root" && find . -name kicktrackd -type f))"
conf=
while [ $# -gt 0 ]; do
	[ "$1" = --config ] && conf=$2
	shift
done
[ -n "$conf" ] || fail "the unit names no --config"
[ -f "$T/root$conf" ] || fail "$unit reads $conf, which is not installed"
"$T/root$daemon" --help >/dev/null 2>&1 || fail "the installed daemon does not run"
for f in 60-kicktrack-vest.rules sysusers.d/kicktrack.conf tmpfiles.d/kicktrack.conf \
	man8/kicktrackd.8 man1/kicktrack-process.1; do
	[ -n "$(cd "$T/root" && find . -path "*/$f" -type f | head -1)" ] || fail "$f not installed"
done
# the config may name players: not world-readable, and the tmpfiles
# snippet hands exactly that file to the service's group
mode=$(stat -c %a "$T/root$conf")
[ "$mode" = 640 ] || fail "$conf installed with mode $mode, world-readable"
tmpf=$(cd "$T/root" && find . -path '*/tmpfiles.d/kicktrack.conf' -type f | head -1)
grep -q "^z $conf 0640 root kicktrack -\$" "$T/root/$tmpf" ||
	fail "tmpfiles.d/kicktrack.conf does not give $conf to the kicktrack group: $(grep '^z' "$T/root/$tmpf")"
# an update (meson install again) keeps the club's config: its settings,
# its mode and its group (the daemon runs as kicktrack and must read it)
echo "roster = /etc/kicktrack/roster.csv # the club's" >> "$T/root$conf"
chgrp "$(id -gn nobody 2>/dev/null || echo nogroup)" "$T/root$conf" 2>/dev/null
group=$(stat -c %G "$T/root$conf")
"$MESON" install -C "$BUILD" --no-rebuild --quiet --destdir "$T/root" >"$T/log" 2>&1 ||
	{ cat "$T/log"; fail "meson install (again)"; }
grep -q "^roster = /etc/kicktrack/roster.csv # the club's\$" "$T/root$conf" ||
	fail "a second meson install replaced the club's $conf"
[ "$(stat -c %a:%G "$T/root$conf")" = "640:$group" ] ||
	fail "a second meson install changed $conf to $(stat -c %a:%G "$T/root$conf")"
# ... and the shipped default is there to compare with
[ -n "$(cd "$T/root" && find . -path '*/share/kicktrack/kicktrack.conf' -type f | head -1)" ] ||
	fail "the shipped default config is not installed in share/kicktrack"
# city staff install from doc/docking-station.md on a fresh Debian 12 (no
# compiler there): its apt-get line has every package the build needs
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
pkgs=$(sed -n 's/^PKGS_BUILD="\(.*\)"$/\1/p' "$SRC/tools/setup")
[ -n "$pkgs" ] || fail "no PKGS_BUILD in tools/setup"
apt_line=$(sed -n '/apt-get install/,/[^\\]$/p' "$SRC/doc/docking-station.md" | tr '\\\n' '  ')
for p in $pkgs; do
	case " $apt_line " in *" $p "*) ;; *) fail "doc/docking-station.md does not install $p (tools/setup does)" ;; esac
done
echo "ok: $unit starts $daemon --config $conf"
