#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# meson install script: the config goes to SYSCONFDIR/kicktrack only if
# there is none yet. A re-install (an update) keeps the club's file, its
# settings and its group (root:kicktrack from tmpfiles.d), instead of
# replacing it with the default, which the daemon, running as kicktrack,
# could not even read.
# Usage: install-config.sh CONFDIR SOURCE SHIPPED
set -eu
[ -n "${MESON_INSTALL_DRY_RUN:-}" ] && exit 0
dir=${DESTDIR:-}$1
if [ -e "$dir/kicktrack.conf" ]; then
	echo "Kept $1/kicktrack.conf (the club's settings); the shipped default is $3"
	exit 0
fi
mkdir -p "$dir"
install -m 0640 "$2" "$dir/kicktrack.conf"
echo "Installed $1/kicktrack.conf"
