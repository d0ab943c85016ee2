#!/usr/bin/env bash
# Make a local Docker engine and the images berth uses by default available,
# on a fresh Debian machine (CI) as well as on a developer's machine.
#
#   1. If `docker info` fails: install Debian's docker.io when dockerd is missing,
#      start dockerd in the background (unless one is already running) and wait
#      for it to answer.
#   2. Run scripts/offline-images.sh (official images when Docker Hub is
#      reachable, stand-ins built from Debian packages otherwise).
#
# Idempotent; takes a few seconds when everything is already in place.
#
# Environment:
#   BERTH_SKIP_STANDINS=1     stop after step 1
#   BERTH_DOCKERD_LOG=FILE    dockerd's log (default /var/log/berth-dockerd.log)
#   BERTH_DOCKERD_WAIT=60     seconds to wait for the engine to answer
#   BERTH_DOCKERD_ARGS="..."  extra arguments for a dockerd started here
#   (and those of scripts/offline-images.sh, see its --help)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DOCKERD_LOG="${BERTH_DOCKERD_LOG:-/var/log/berth-dockerd.log}"
DOCKERD_WAIT="${BERTH_DOCKERD_WAIT:-60}"
LOCK_FILE="${TMPDIR:-/tmp}/berth-setup-local-engine.lock"

log() { printf 'setup-local-engine: %s\n' "$*" >&2; }
die() { printf 'setup-local-engine: error: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
	-h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	'') ;;
	*) die "unexpected argument: $1 (see --help)" ;;
esac

engine_answers() {
	command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1
}

# True if a process named dockerd exists (reads /proc; procps may be missing).
dockerd_process_running() {
	local comm f
	for f in /proc/[0-9]*/comm; do
		comm=""
		read -r comm <"$f" 2>/dev/null || continue
		[ "$comm" = dockerd ] && return 0
	done
	return 1
}

wait_for_engine() {
	# $1: pid of a dockerd started here (empty if it was already running)
	local pid="${1:-}" deadline=$((SECONDS + DOCKERD_WAIT))
	while [ "$SECONDS" -lt "$deadline" ]; do
		engine_answers && return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && ! dockerd_process_running; then
			[ -f "$DOCKERD_LOG" ] && tail -n 25 "$DOCKERD_LOG" >&2
			die "dockerd exited during start-up (log: $DOCKERD_LOG)"
		fi
		sleep 1
	done
	[ -n "$pid" ] && [ -f "$DOCKERD_LOG" ] && tail -n 25 "$DOCKERD_LOG" >&2
	die "the Docker engine did not answer within ${DOCKERD_WAIT} s${pid:+ (log: $DOCKERD_LOG)}"
}

install_docker() {
	[ "$(id -u)" = 0 ] || die "dockerd is not installed, and installing it (apt-get install docker.io) needs root"
	command -v apt-get >/dev/null 2>&1 || die "dockerd is not installed and this is not a Debian-like system (no apt-get); install Docker yourself"
	log "dockerd is not installed; installing Debian's docker.io with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || die "apt-get update failed"
	# ca-certificates: so that pulls from registries over TLS work.
	apt-get install -y -qq --no-install-recommends docker.io ca-certificates >&2 ||
		die "apt-get install docker.io failed"
	command -v dockerd >/dev/null 2>&1 || die "docker.io is installed but dockerd is not on PATH"
	log "installed: $(dockerd --version 2>/dev/null || echo docker.io)"
}

start_engine() {
	if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != unix:///var/run/docker.sock ]; then
		die "DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local dockerd for a remote engine"
	fi
	command -v dockerd >/dev/null 2>&1 || install_docker
	command -v docker >/dev/null 2>&1 || die "dockerd is installed but the docker CLI is not (install docker.io)"

	# Two set-ups at once must not start two engines.
	if command -v flock >/dev/null 2>&1; then
		exec 8>"$LOCK_FILE"
		flock -w $((DOCKERD_WAIT + 30)) 8 || die "timed out waiting for $LOCK_FILE"
	fi
	if engine_answers; then
		log "the Docker engine came up meanwhile"
	elif dockerd_process_running; then
		log "a dockerd process is already running but not answering yet; waiting up to ${DOCKERD_WAIT} s (not starting another)"
		wait_for_engine ""
	else
		[ "$(id -u)" = 0 ] || die "the Docker engine is not running, and starting dockerd needs root"
		log "starting dockerd in the background (log: $DOCKERD_LOG)"
		mkdir -p "$(dirname "$DOCKERD_LOG")"
		local pid
		# shellcheck disable=SC2086 # BERTH_DOCKERD_ARGS is a list of words on purpose
		if command -v setsid >/dev/null 2>&1; then
			setsid nohup dockerd ${BERTH_DOCKERD_ARGS:-} </dev/null >>"$DOCKERD_LOG" 2>&1 8>&- &
		else
			nohup dockerd ${BERTH_DOCKERD_ARGS:-} </dev/null >>"$DOCKERD_LOG" 2>&1 8>&- &
		fi
		pid=$!
		wait_for_engine "$pid"
	fi
	if command -v flock >/dev/null 2>&1; then
		flock -u 8
		exec 8>&-
	fi
}

started=$SECONDS
if engine_answers; then
	log "Docker engine is running (server $(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?'))"
else
	log "no Docker engine answers (docker info failed)"
	start_engine
	log "Docker engine is up (server $(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?')) after $((SECONDS - started)) s"
fi

if [ "${BERTH_SKIP_STANDINS:-0}" = 1 ]; then
	log "BERTH_SKIP_STANDINS=1: not checking the default images"
else
	log "checking the images berth uses by default"
	bash "$SCRIPT_DIR/offline-images.sh" || die "scripts/offline-images.sh failed (see above)"
fi
log "done in $((SECONDS - started)) s"
