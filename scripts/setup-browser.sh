#!/usr/bin/env bash
# Make Debian's Chromium available for berth's browser tests (test/ui-browser.test.ts drives it with
# playwright-core; no browser is downloaded by a test tool).
#
#   If /usr/bin/chromium is missing: apt-get install -y chromium (as root, on Debian-like systems).
#
# Idempotent; takes no time when Chromium is already installed.
#
# Environment:
#   BERTH_CHROMIUM=PATH   use this Chromium instead of /usr/bin/chromium (nothing is installed)
set -euo pipefail

log() { printf 'setup-browser: %s\n' "$*" >&2; }
die() { printf 'setup-browser: error: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
	-h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	'') ;;
	*) die "unexpected argument: $1 (see --help)" ;;
esac

CHROMIUM="${BERTH_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
	log "Chromium is installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
	exit 0
fi
[ -z "${BERTH_CHROMIUM:-}" ] || die "BERTH_CHROMIUM=$BERTH_CHROMIUM is not an executable"
[ "$(id -u)" = 0 ] || die "Chromium is not installed at $CHROMIUM, and installing it (apt-get install chromium) needs root"
command -v apt-get >/dev/null 2>&1 || die "Chromium is not installed and this is not a Debian-like system (no apt-get); install Chromium and set BERTH_CHROMIUM"

# Two set-ups at once must not run apt-get twice.
LOCK_FILE="${TMPDIR:-/tmp}/berth-setup-browser.lock"
if command -v flock >/dev/null 2>&1; then
	exec 9>"$LOCK_FILE"
	flock -w 900 9 || die "timed out waiting for $LOCK_FILE"
	if [ -x "$CHROMIUM" ]; then log "Chromium was installed meanwhile"; exit 0; fi
fi
log "Chromium is missing; installing Debian's chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || die "apt-get update failed"
apt-get install -y -qq chromium >&2 || die "apt-get install chromium failed"
[ -x "$CHROMIUM" ] || die "chromium is installed but $CHROMIUM is not there"
log "installed: $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
