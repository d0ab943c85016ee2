#!/usr/bin/env bash
# Programs the test suite drives besides the Docker engine (scripts/setup-local-engine.sh), installed from
# Debian's packages when missing, on a fresh machine (CI) as on a developer's. berth itself never needs them.
#
#   docker-registry   a local registry on 127.0.0.1 for the ECR push tests (src/targets/aws/image-push.docker.test.ts)
#   chromium          Debian's Chromium for berth ui's browser tests (test/ui-browser.engine.test.ts, driven by
#                     playwright-core; no browser is downloaded by a test tool)
#
# Idempotent; a second run takes well under a second. Environment: BERTH_SKIP_TEST_TOOLS=1 skips everything.
set -euo pipefail

log() { printf 'setup-test-tools: %s\n' "$*" >&2; }
die() { printf 'setup-test-tools: error: %s\n' "$*" >&2; exit 1; }

[ "${BERTH_SKIP_TEST_TOOLS:-0}" = 1 ] && { log 'BERTH_SKIP_TEST_TOOLS=1: skipped'; exit 0; }

# package:program pairs
WANTED=(docker-registry:/usr/bin/docker-registry chromium:/usr/bin/chromium)

missing=()
for pair in "${WANTED[@]}"; do
	package=${pair%%:*} program=${pair#*:}
	[ -x "$program" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" = 0 ] || die "missing ${missing[*]}; installing them (apt-get install ${missing[*]}) needs root"
command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and this is not a Debian-like system (no apt-get)"
log "installing Debian's ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
exec 9>"${TMPDIR:-/tmp}/berth-apt.lock"
command -v flock >/dev/null 2>&1 && flock -w 600 9
apt-get update -qq >&2 || die 'apt-get update failed'
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
# Debian starts the registry as a service on :5000; the tests start their own on other ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then systemctl stop docker-registry || true; fi
log "installed ${missing[*]}"
